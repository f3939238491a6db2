//! The MBU officer's register: every woman in custody here who is pregnant or has a child under
//! 18 months (or is part way through the MBU process), her deadlines and her application's stage.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::Format;
use throughcare_core::event::{EventKind, MbuOutcome};
use throughcare_core::pathways::mbu::{MbuCase, Stage, case};
use throughcare_core::{StaffRef, display};
use throughcare_store::obligations::WorklistFilter;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::{record_step, step_refused};
use crate::pages::worklist::{WorkRow, rows};
use crate::present::Directory;

pub struct RegisterRow {
    name: String,
    prison_number: String,
    location: String,
    why: Vec<String>,
    booklet: String,
    visits: String,
    application: String,
    due: Vec<WorkRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "mbu/register.html")]
pub struct RegisterPage {
    staff: Option<CurrentStaff>,
    establishment: String,
    rows: Vec<RegisterRow>,
}

/// Why she is on the register, in words.
fn why(c: &MbuCase) -> Vec<String> {
    let mut out = Vec::new();
    if c.pregnant {
        out.push("Pregnant".to_string());
    }
    for (born, eighteen) in &c.young_children {
        out.push(format!("Child born {}: 18 months on {}", display::date(*born), display::date(*eighteen)));
    }
    if !c.qualifies {
        out.push("No longer meets the criterion".to_string());
    } else if out.is_empty() {
        out.push("Child under 18 months in the community (declared, no date of birth recorded)".to_string());
    }
    out
}

fn stage_words(s: &Stage) -> String {
    match s {
        Stage::NotApplied => "Not applied".into(),
        Stage::Applied { at, .. } => format!("Applied {}: waiting for the admission board", display::instant(*at)),
        Stage::Decided { at, outcome } => format!("{} {}", outcome.label(), display::instant(*at)),
    }
}

pub async fn register(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<RegisterPage, AppError> {
    let now = state.now();
    let names = Directory::load(&state).await?;
    let Some(establishment) = staff.establishment.clone() else {
        return Ok(RegisterPage { staff: Some(staff), establishment: String::new(), rows: vec![] });
    };
    let held = state.db.timelines_in_custody(&establishment).await?;
    let filter =
        WorklistFilter { establishment: Some(establishment.clone()), team: Some("mbu".into()), ..Default::default() };
    let due = state.db.worklist(&state.engine, &filter, now).await?;
    let mut out = Vec::new();
    for (p, t) in &held {
        let Some(c) = case(t, now) else { continue };
        let mine: Vec<_> = due.iter().filter(|i| i.prison_number == p.prison_number.as_str()).cloned().collect();
        let last = c.visits.last();
        out.push(RegisterRow {
            name: name(p),
            prison_number: p.prison_number.to_string(),
            location: t.state_at(now).current_episode().and_then(|ep| ep.location.clone()).unwrap_or_default(),
            why: why(&c),
            booklet: c.booklet.map_or("Not given yet".into(), |at| format!("Given {}", display::instant(at))),
            visits: match last {
                None => "No visit yet".into(),
                Some((at, officer)) => format!(
                    "{} visit{}, the last {} by {}",
                    c.visits.len(),
                    if c.visits.len() == 1 { "" } else { "s" },
                    display::instant(*at),
                    names.staff(officer.as_str())
                ),
            },
            application: stage_words(&c.stage),
            due: rows(&mine, &names, now),
        });
    }
    crate::auth::audit(&state, &staff.username, "viewed-mbu-register", None, &format!("{} women", out.len())).await?;
    Ok(RegisterPage { establishment: names.establishment(&establishment), rows: out, staff: Some(staff) })
}

// ---- One woman's MBU pathway ------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "mbu/woman.html")]
pub struct WomanPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    why: Vec<String>,
    booklet: String,
    visits: Vec<String>,
    visits_asked: usize,
    application: String,
    /// Which step forms to offer: an application when none is waiting, a decision when one is.
    can_apply: bool,
    can_decide: bool,
    due: Vec<WorkRow>,
    formats: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

impl WomanPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    fn value(&self, field: &str) -> &str {
        value(&self.form, field)
    }
}

async fn woman_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<WomanPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let now = state.now();
    let names = Directory::load(state).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let c = case(&t, now);
    let filter = WorklistFilter {
        establishment: staff.establishment.clone(),
        team: Some("mbu".into()),
        person: Some(person.prison_number.clone()),
        ..Default::default()
    };
    let due = state.db.worklist(&state.engine, &filter, now).await?;
    crate::auth::audit(state, &staff.username, "viewed-mbu-pathway", Some(person.prison_number.as_str()), "").await?;
    let stage = c.as_ref().map_or(Stage::NotApplied, |c| c.stage.clone());
    Ok(WomanPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        why: c.as_ref().map_or_else(|| vec!["Not known to meet the MBU criterion".into()], why),
        booklet: c
            .as_ref()
            .and_then(|c| c.booklet)
            .map_or("Not given yet".into(), |at| format!("Given {}", display::instant(at))),
        visits: c
            .as_ref()
            .map(|c| {
                c.visits
                    .iter()
                    .map(|(at, o)| format!("{} by {}", display::instant(*at), names.staff(o.as_str())))
                    .collect()
            })
            .unwrap_or_default(),
        visits_asked: c.as_ref().map_or(0, |c| c.visits_asked.len()),
        application: stage_words(&stage),
        can_apply: !matches!(stage, Stage::Applied { .. }),
        can_decide: matches!(stage, Stage::Applied { .. }),
        due: rows(&due, &names, now),
        formats: codes::<Format>(),
        outcomes: codes::<MbuOutcome>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn woman_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<WomanPage, AppError> {
    woman_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records one MBU step: the child's date of birth, the booklet, a visit, the application or
/// the decision. A bad form re-renders with the message beside the field and writes nothing.
pub async fn woman_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let mut errors: Errors = Vec::new();
    let kind = match value(&form, "action") {
        "child" => super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
            .map_err(|m| errors.push(("child", m.replace("the date it happened", "the child's date of birth"))))
            .ok()
            .map(|date_of_birth| EventKind::ChildRecorded { date_of_birth }),
        "booklet" => Format::parse_code(value(&form, "format"))
            .map_err(|_| errors.push(("format", "Select the format she was given".into())))
            .ok()
            .map(|format| EventKind::MbuBookletGiven { format }),
        "visit" => Some(EventKind::MbuOfficerVisit {
            officer: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        }),
        "apply" => Some(EventKind::MbuApplicationMade {}),
        "decide" => {
            let outcome = MbuOutcome::parse_code(value(&form, "outcome"))
                .map_err(|_| errors.push(("outcome", "Select the decision".into())))
                .ok();
            match (case(&t, now).map(|c| c.stage), outcome) {
                (Some(Stage::Applied { id, .. }), Some(outcome)) => {
                    Some(EventKind::MbuDecision { application: id, outcome })
                }
                (_, Some(_)) => {
                    errors.push(("outcome", "There is no application waiting for a decision".into()));
                    None
                }
                _ => None,
            }
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    if let Some(k) = kind.as_ref().filter(|_| errors.is_empty()) {
        if let Some(m) = step_refused(&state, &staff, &person, &t, k)? {
            match m.split_once(": ") {
                Some(("date_of_birth", rest)) => errors.push(("child", display::capitalise(rest))),
                _ => errors.push(("action", format!("That cannot be recorded: {m}"))),
            }
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => {
            record_step(&state, &staff, &person, kind).await?;
            Ok(super::flash::redirect(&format!("/mbu/{}", person.prison_number), "mbu"))
        }
        _ => {
            let page = woman_page(&state, staff, &pn, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
