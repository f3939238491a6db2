//! Training on protected characteristics and on life events (report recommendations P1-B and
//! P2-D): each session, who attended, whether it was coproduced or delivered by people with lived
//! experience, and the share of key workers trained at this establishment.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::pathways::key_work::TrainingTopic;
use throughcare_core::{StaffRef, display};
use throughcare_store::workforce::TrainingSession;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, value, values, yes_no};
use crate::pages::key_work::candidates;
use crate::present::Directory;
use crate::roles::{Access, Role};

pub struct SessionRow {
    held_on: String,
    title: String,
    topic: &'static str,
    how: String,
    attended: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "training.html")]
pub struct TrainingPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    establishment: String,
    records: bool,
    sessions: Vec<SessionRow>,
    /// (what, "N of M key workers (P%)")
    shares: Vec<(&'static str, String)>,
    key_workers: Vec<(String, String)>,
    topics: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(TrainingPage);

impl TrainingPage {
    fn ticked(&self, who: &str) -> bool {
        values(&self.form, "attended").any(|v| v == who)
    }
}

/// Who records training: the key work manager, and the equality lead who often arranges it.
fn records(role: Role) -> bool {
    role.can(Access::RecordTraining)
}

fn share(n: usize, of: usize) -> String {
    if of == 0 {
        return "No key workers here yet".into();
    }
    format!("{n} of {of} key workers ({:.0}%)", 100.0 * n as f64 / of as f64)
}

async fn page(state: &AppState, staff: CurrentStaff, form: Pairs, errors: Errors) -> Result<TrainingPage, AppError> {
    let names = Directory::load(state).await?;
    let Some(est) = staff.establishment.clone() else { return Err(AppError::NotFound) };
    let sessions = state.db.training(&est).await?;
    let key_workers: Vec<StaffRef> = candidates(state, &est).await?.into_iter().map(|c| c.key_worker).collect();
    let attended = |who: &StaffRef, topic: Option<TrainingTopic>| {
        sessions.iter().any(|s| topic.is_none_or(|t| s.topic == t) && s.attended.contains(who))
    };
    let count = |pred: &dyn Fn(&StaffRef) -> bool| key_workers.iter().filter(|k| pred(k)).count();
    let n = key_workers.len();
    let shares = vec![
        (
            "Trained on protected characteristics (P1-B)",
            share(count(&|k| attended(k, Some(TrainingTopic::ProtectedCharacteristics))), n),
        ),
        ("Trained on life events (P2-D)", share(count(&|k| attended(k, Some(TrainingTopic::LifeEvents))), n)),
        (
            "Trained on both",
            share(
                count(&|k| {
                    attended(k, Some(TrainingTopic::ProtectedCharacteristics))
                        && attended(k, Some(TrainingTopic::LifeEvents))
                }),
                n,
            ),
        ),
    ];
    crate::auth::audit(state, &staff.username, "viewed-training", None, &format!("{} sessions", sessions.len()))
        .await?;
    Ok(TrainingPage {
        establishment: names.establishment(&est),
        records: records(staff.role),
        sessions: sessions
            .iter()
            .map(|s| SessionRow {
                held_on: display::date(s.held_on),
                title: s.title.clone(),
                topic: s.topic.label(),
                how: match (s.coproduced, s.lived_experience) {
                    (true, true) => "Coproduced; delivered with people with lived experience".into(),
                    (true, false) => "Coproduced".into(),
                    (false, true) => "Delivered with people with lived experience".into(),
                    (false, false) => "Neither coproduced nor delivered with lived experience".into(),
                },
                attended: s.attended.iter().map(|a| names.staff(a.as_str())).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        shares,
        key_workers: key_workers.iter().map(|k| (k.to_string(), names.staff(k.as_str()))).collect(),
        topics: codes::<TrainingTopic>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn training(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<TrainingPage, AppError> {
    page(&state, staff, vec![], vec![]).await
}

/// Records a session and who attended, all together; a bad form writes nothing.
pub async fn record_training(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    if !records(staff.role) {
        return Err(AppError::Forbidden);
    }
    let Some(est) = staff.establishment.clone() else { return Err(AppError::NotFound) };
    let mut errors: Errors = Vec::new();
    let topic = TrainingTopic::parse_code(value(&form, "topic"))
        .map_err(|_| errors.push(("topic", "Select what the training was about".into())))
        .ok();
    let title = value(&form, "title");
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(("title", "Enter the session's title (up to 200 characters)".into()));
    }
    let held_on = super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
        .map_err(|m| errors.push(("held_on", m.replace("the date it happened", "the date it was held"))))
        .ok();
    if held_on.is_some_and(|d| d > throughcare_core::time::date_in_england(state.now())) {
        errors.push(("held_on", "Record training once it has been held".into()));
    }
    let coproduced = yes_no(&form, "coproduced", "Select whether it was coproduced", &mut errors);
    let lived =
        yes_no(&form, "lived_experience", "Select whether people with lived experience delivered it", &mut errors);
    let mut attended = Vec::new();
    for who in values(&form, "attended").chain(value(&form, "others").split(',').map(str::trim)) {
        if who.is_empty() {
            continue;
        }
        match StaffRef::parse(who) {
            Ok(s) if !attended.contains(&s) => attended.push(s),
            Ok(_) => {}
            Err(_) => errors.push(("others", format!("\"{who}\" is not a username: separate usernames with commas"))),
        }
    }
    if attended.is_empty() && errors.iter().all(|(f, _)| *f != "others") {
        errors.push(("attended", "Tick who attended, or add their usernames".into()));
    }
    match (topic, held_on, coproduced, lived) {
        (Some(topic), Some(held_on), Some(coproduced), Some(lived_experience)) if errors.is_empty() => {
            let session = TrainingSession {
                id: 0,
                establishment: est,
                topic,
                title: title.to_string(),
                held_on,
                coproduced,
                lived_experience,
                attended,
                recorded_at: state.now(),
            };
            let me = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
            let mut tx = state.db.begin_write().await?;
            tx.insert_training(&session, &me).await?;
            tx.commit().await?;
            crate::auth::audit(&state, &staff.username, "recorded-training", None, topic.code()).await?;
            Ok(super::flash::redirect("/training", "training"))
        }
        _ => {
            let page = page(&state, staff, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
