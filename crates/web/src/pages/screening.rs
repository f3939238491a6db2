//! Screening a person with an instrument from `instruments/`: the form the file describes, scored
//! in core from the answers (never a score typed in), with the result, its reasons and the
//! referrals it suggests.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{EventKind, Instrument};
use throughcare_core::instruments::{Answer, Answers, Definition, InstrumentSet};
use throughcare_core::{Event, EventId, StaffRef};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::people::reachable;

pub struct ItemView {
    id: String,
    section: Option<String>,
    text: String,
    hint: Option<String>,
    options: Vec<(String, String)>,
    chosen: String,
    reason: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "screening/form.html")]
pub struct ScreenPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    code: String,
    title: String,
    question: Option<String>,
    credit: Option<String>,
    items: Vec<ItemView>,
    errors: Vec<(String, String)>,
}

fn instrument<'a>(state: &'a AppState, code: &str) -> Result<&'a Definition, AppError> {
    let i = Instrument::parse_code(code).map_err(|_| AppError::NotFound)?;
    state.engine.instruments.current(i).ok_or(AppError::NotFound)
}

fn view(def: &Definition, form: &[(String, String)], errors: &[(String, String)]) -> Vec<ItemView> {
    let value = |k: &str| form.iter().find(|(f, _)| f == k).map_or(String::new(), |(_, v)| v.clone());
    def.items
        .iter()
        .map(|i| ItemView {
            id: i.id.clone(),
            section: i.section.clone(),
            text: i.text.clone(),
            hint: i.hint.clone(),
            options: i.options.iter().map(|o| (o.code.clone(), o.label.clone())).collect(),
            chosen: value(&i.id),
            reason: value(&format!("{}_reason", i.id)),
            error: errors.iter().find(|(f, _)| *f == i.id).map(|(_, m)| m.clone()),
        })
        .collect()
}

fn page(
    staff: CurrentStaff,
    person: &throughcare_core::Person,
    def: &Definition,
    form: &[(String, String)],
    errors: Vec<(String, String)>,
) -> ScreenPage {
    ScreenPage {
        name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
        prison_number: person.prison_number.to_string(),
        code: def.instrument.code().to_string(),
        title: def.title.clone(),
        question: def.question.clone(),
        credit: def.credit.clone(),
        items: view(def, form, &errors),
        errors,
        staff: Some(staff),
    }
}

#[derive(serde::Deserialize)]
pub struct ScreenQuery {
    #[serde(default)]
    result: Option<String>,
}

/// The form, or with `?result=ID` the result recorded.
pub async fn form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path((pn, code)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<ScreenQuery>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let def = instrument(&state, &code)?;
    if let Some(id) = q.result {
        let id = EventId::parse(&id).map_err(|_| AppError::NotFound)?;
        return Ok(result(&state, staff, &person, id).await?.into_response());
    }
    Ok(page(staff, &person, def, &[], vec![]).into_response())
}

/// The answers from the form: an option, or "declined" or "not asked" with the reason given.
fn answers(def: &Definition, form: &[(String, String)]) -> Answers {
    let value = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_string());
    let mut out = Answers::new();
    for item in &def.items {
        let reason = value(&format!("{}_reason", item.id)).unwrap_or_default();
        match value(&item.id).as_deref() {
            None | Some("") => {}
            Some("_declined") => {
                out.insert(item.id.clone(), Answer::Declined { declined: reason });
            }
            Some("_not_asked") => {
                out.insert(item.id.clone(), Answer::NotAsked { not_asked: reason });
            }
            Some(code) => {
                out.insert(item.id.clone(), Answer::Chosen(code.to_string()));
            }
        }
    }
    out
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path((pn, code)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let def = instrument(&state, &code)?;
    let answers = answers(def, &form);
    if let Err(errors) = InstrumentSet::score(def, &answers) {
        let errors: Vec<(String, String)> = errors
            .into_iter()
            .map(|e| {
                let n = def.items.iter().position(|i| i.id == e.item).map_or(0, |p| p + 1);
                let message = if e.message == "answer this question" {
                    format!("Answer question {n}, or say it was declined or not asked")
                } else if e.message.starts_with("say why") {
                    format!("Question {n}: say why it was not answered")
                } else {
                    format!("Question {n}: choose one of the answers")
                };
                (e.item, message)
            })
            .collect();
        return Ok(
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(staff, &person, def, &form, errors)).into_response()
        );
    }
    let kind = state.engine.instruments.result(def.instrument, answers).map_err(|_| AppError::NotFound)?;
    let now = state.now();
    let event = Event {
        id: EventId::from_uuid(uuid::Uuid::new_v4()),
        person: person.prison_number.clone(),
        occurred_at: now,
        recorded_at: now,
        recorded_by: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        correction: None,
        kind,
    };
    let id = event.id;
    crate::pages::record::append(&state, &staff, event).await?;
    Ok(super::flash::redirect(&format!("/people/{}/screen/{}?result={id}", person.prison_number, code), "screened"))
}

#[derive(Template, WebTemplate)]
#[template(path = "screening/result.html")]
pub struct ResultPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    title: String,
    credit: Option<String>,
    summary: Vec<(String, String)>,
    reasons: Vec<String>,
    suggested: Vec<(&'static str, &'static str)>,
    answers: Vec<(String, String)>,
    saved: Option<&'static str>,
}

/// A recorded result, read back: the score, band, why, and what to do next.
pub async fn result(
    state: &AppState,
    staff: CurrentStaff,
    person: &throughcare_core::Person,
    id: EventId,
) -> Result<ResultPage, AppError> {
    let timeline = state.db.timeline(&person.prison_number).await?;
    let e = timeline.live().find(|e| e.id == id).ok_or(AppError::NotFound)?;
    let EventKind::ScreeningCompleted {
        instrument,
        version,
        answers,
        outcome,
        total,
        band,
        suicide_risk,
        critical_medication,
        suggested,
    } = &e.kind
    else {
        return Err(AppError::NotFound);
    };
    // Read with the version that was asked, so a changed file never rewords an old answer.
    let def = state.engine.instruments.version(*instrument, *version);
    let mut summary = vec![("Instrument".to_string(), def.map_or(instrument.label().to_string(), |d| d.title.clone()))];
    summary.push(("When".to_string(), crate::present::when(e.occurred_at, state.now())));
    match (total, band) {
        (Some(t), Some(b)) => summary.push(("Score".into(), format!("{t}: {b}"))),
        (Some(t), None) => summary.push(("Score".into(), t.to_string())),
        (None, _) if def.is_some_and(|d| d.sums) => {
            summary.push(("Score".into(), "Not scored: a question was declined or not asked".into()))
        }
        _ => {}
    }
    if let Some(o) = outcome {
        summary.push(("Outcome".into(), o.label().to_string()));
    }
    if *suicide_risk {
        summary.push(("Suicide-risk assessment".into(), "Needed today".into()));
    }
    if *critical_medication {
        summary.push(("Critical medicine".into(), "To be given today".into()));
    }
    if let (Some(d), Some(l)) = (def, def.and_then(|d| d.loinc.clone())) {
        summary.push(("Codes".into(), format!("LOINC {l}, SNOMED CT {}", d.snomed.clone().unwrap_or_default())));
    }
    let reasons = def
        .map(|d| {
            let scored = InstrumentSet::score(d, answers).ok();
            scored.map(|s| s.reasons).unwrap_or_default()
        })
        .unwrap_or_default();
    let answers = answers
        .iter()
        .map(|(item, a)| {
            let i = def.and_then(|d| d.item(item));
            let text = i.map_or(item.clone(), |i| i.text.clone());
            let given = match a {
                Answer::Chosen(c) => i.and_then(|i| i.option(c)).map_or(c.clone(), |o| o.label.clone()),
                Answer::Declined { declined } => format!("Declined: {declined}"),
                Answer::NotAsked { not_asked } => format!("Not asked: {not_asked}"),
            };
            (text, given)
        })
        .collect();
    crate::auth::audit(
        state,
        &staff.username,
        "viewed-screening",
        Some(person.prison_number.as_str()),
        &instrument.code().to_lowercase(),
    )
    .await?;
    Ok(ResultPage {
        name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
        prison_number: person.prison_number.to_string(),
        title: def.map_or(instrument.label().to_string(), |d| d.title.clone()),
        credit: def.and_then(|d| d.credit.clone()),
        summary,
        reasons,
        suggested: suggested.iter().map(|s| (s.code(), s.label())).collect(),
        answers,
        saved: staff.saved,
        staff: Some(staff),
    })
}
