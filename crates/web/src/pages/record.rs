//! Recording an event from a person's page: validated at the edge, re-shown with messages beside
//! the fields, appended with the person's obligations and the audit entry in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use serde::Deserialize;
use throughcare_core::event::EventKind;
use throughcare_core::{Event, EventId, StaffRef};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::people::reachable;

/// The events the form records: those needing only a time (and minutes).
const KINDS: &[(&str, &str)] = &[
    ("key_work_session", "Key work session"),
    ("activity_attended", "Activity attended"),
    ("health_assessment_completed", "Second-stage health assessment completed"),
    ("self_harm_incident", "Self-harm incident"),
    ("acct_opened", "ACCT opened"),
    ("mbu_booklet_given", "'All About MBUs' booklet given"),
    ("mbu_officer_visit", "MBU officer visit"),
    ("mbu_visit_requested", "Asked for another MBU officer visit"),
];

#[derive(Deserialize, Default, Clone)]
pub struct RecordForm {
    #[serde(default)]
    pub kind: String,
    /// The GOV.UK date input: day, month and year in three boxes.
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub minutes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "record.html")]
pub struct RecordPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    kinds: Vec<(&'static str, &'static str)>,
    form: RecordForm,
    errors: Vec<(&'static str, String)>,
}

impl RecordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

fn kinds_for(staff: &CurrentStaff) -> Vec<(&'static str, &'static str)> {
    KINDS.iter().copied().filter(|(k, _)| staff.role.may_record(k)).collect()
}

pub async fn form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<RecordPage, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let today = throughcare_core::time::date_in_england(state.now());
    Ok(RecordPage {
        name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
        prison_number: person.prison_number.to_string(),
        kinds: kinds_for(&staff),
        form: RecordForm {
            day: today.day().to_string(),
            month: today.month().to_string(),
            year: today.year().to_string(),
            ..Default::default()
        },
        errors: vec![],
        staff: Some(staff),
    })
}

/// Checks the form and builds the event kind and when it happened, or the messages to show.
fn validate(
    form: &RecordForm,
    staff: &CurrentStaff,
    now: Timestamp,
) -> Result<(EventKind, Timestamp), Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if !KINDS.iter().any(|(k, _)| *k == form.kind) || !staff.role.may_record(&form.kind) {
        errors.push(("kind", "Select what happened".to_string()));
    }
    let date = super::date_input(&form.day, &form.month, &form.year);
    let time = jiff::civil::Time::strptime("%H:%M", form.time.trim())
        .map_err(|_| "Enter the time on the 24-hour clock, for example 14:30".to_string());
    if let Err(m) = &date {
        errors.push(("date", m.clone()));
    }
    if let Err(m) = &time {
        errors.push(("time", m.clone()));
    }
    let needs_minutes = matches!(form.kind.as_str(), "key_work_session" | "activity_attended");
    let minutes = if needs_minutes {
        match form.minutes.trim().parse::<u16>() {
            Ok(m) if (1..=720).contains(&m) => Some(m),
            _ => {
                errors.push(("minutes", "Enter how long it took, in minutes, from 1 to 720".to_string()));
                None
            }
        }
    } else {
        None
    };
    let at = match (&date, &time) {
        (Ok(d), Ok(t)) => match throughcare_core::time::london().to_timestamp(d.to_datetime(*t)) {
            Ok(at) if at > now => {
                errors.push(("date", "The date and time must be in the past".to_string()));
                None
            }
            Ok(at) if throughcare_core::time::check_instant("occurred_at", at, now).is_err() => {
                errors.push(("date", "The date must be on or after 1 January 1970".to_string()));
                None
            }
            Ok(at) => Some(at),
            Err(_) => {
                errors.push(("time", "That time does not exist on that day (the clocks changed)".to_string()));
                None
            }
        },
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let me = StaffRef::parse(&staff.username).map_err(|e| vec![("kind", e.to_string())])?;
    let kind = match form.kind.as_str() {
        "key_work_session" => EventKind::KeyWorkSession { key_worker: me, minutes: minutes.unwrap_or(0), note: None },
        "activity_attended" => EventKind::ActivityAttended {
            activity: throughcare_core::event::Activity::Other,
            minutes: minutes.unwrap_or(0),
            service: None,
        },
        "mbu_booklet_given" => EventKind::MbuBookletGiven { format: throughcare_core::communication::Format::EasyRead },
        "mbu_officer_visit" => EventKind::MbuOfficerVisit { officer: me },
        other => EventKind::parse(other, "").map_err(|e| vec![("kind", e.to_string())])?,
    };
    Ok((kind, at.expect("checked above")))
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<RecordForm>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let now = state.now();
    let (kind, at) = match validate(&form, &staff, now) {
        Ok(v) => v,
        Err(errors) => {
            let page = RecordPage {
                name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
                prison_number: person.prison_number.to_string(),
                kinds: kinds_for(&staff),
                form,
                errors,
                staff: Some(staff),
            };
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let event = Event {
        id: EventId::from_uuid(uuid::Uuid::new_v4()),
        person: person.prison_number.clone(),
        occurred_at: at,
        recorded_at: now,
        recorded_by: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        correction: None,
        kind,
    };
    append(&state, &staff, event).await?;
    Ok(super::flash::redirect(&format!("/people/{}", person.prison_number), "event"))
}

/// Appends an event, refreshes the person's obligations and audits it, all in one transaction.
pub async fn append(state: &AppState, staff: &CurrentStaff, event: Event) -> Result<(), AppError> {
    append_as(state, &staff.username, event).await
}

/// [`append`] for whoever the audit trail names as `actor` (a member of staff, or a person on the kiosk).
pub async fn append_as(state: &AppState, actor: &str, mut event: Event) -> Result<(), AppError> {
    let now = state.now();
    event.check_times(now).map_err(|(_, rule)| AppError::Unprocessable(rule.to_string()))?;
    event.check().map_err(AppError::Unprocessable)?;
    // A screening's result comes from its answers; a pathway step must follow the one before.
    event.kind = state.engine.instruments.complete(event.kind).map_err(AppError::Unprocessable)?;
    let timeline = state.db.timeline(&event.person).await?;
    throughcare_core::pathways::check_step(&timeline, &event).map_err(AppError::Unprocessable)?;
    let mut tx = state.db.begin_write().await?;
    tx.append_events(std::slice::from_ref(&event)).await?;
    tx.refresh_obligations(&[&event.person], &state.engine, now).await?;
    tx.audit(
        event.recorded_at,
        actor,
        "recorded-event",
        Some(event.person.as_str()),
        &format!("{} {}", event.kind.name(), event.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a pathway step now, for the person, through [`append`]. A step comes after the one
/// before it even when both happen within the same instant (a fixed clock, two quick clicks): the
/// timeline orders by when it happened, then when it was recorded, so the later step is recorded
/// a microsecond after the last.
pub(crate) async fn record_step(
    state: &AppState,
    staff: &CurrentStaff,
    person: &throughcare_core::Person,
    kind: EventKind,
) -> Result<EventId, AppError> {
    record_step_at(state, staff, person, kind, None).await
}

/// When an event recorded now is recorded: now, or a microsecond after the person's latest record
/// when that was recorded within the same second (a fixed clock, two quick clicks or API calls),
/// so it sorts after it. A record from further ahead (another system's clock) is not followed.
pub(crate) async fn recorded_now(
    state: &AppState,
    pn: &throughcare_core::PrisonNumber,
) -> Result<jiff::Timestamp, AppError> {
    let now = state.now();
    let second = jiff::SignedDuration::from_secs(1);
    let timeline = state.db.timeline(pn).await?;
    let tie = timeline.all().iter().map(|e| e.recorded_at).filter(|t| *t >= now && *t - now < second).max();
    Ok(tie.map_or(now, |t| t + jiff::SignedDuration::from_micros(1)))
}

/// [`record_step`] for a step that happened earlier than now (a Listener who came at 2am,
/// written up in the morning).
pub(crate) async fn record_step_at(
    state: &AppState,
    staff: &CurrentStaff,
    person: &throughcare_core::Person,
    kind: EventKind,
    occurred: Option<jiff::Timestamp>,
) -> Result<EventId, AppError> {
    record_as(state, &staff.username, &staff.username, &person.prison_number, kind, occurred).await
}

/// [`record_step_at`] for whoever records it (`recorded_by`, as on the event) and whoever the
/// audit trail names (`actor`): a member of staff, or a person on the kiosk.
pub(crate) async fn record_as(
    state: &AppState,
    recorded_by: &str,
    actor: &str,
    pn: &throughcare_core::PrisonNumber,
    kind: EventKind,
    occurred: Option<jiff::Timestamp>,
) -> Result<EventId, AppError> {
    let now = state.now();
    let recorded = recorded_now(state, pn).await?;
    let event = Event {
        id: EventId::from_uuid(uuid::Uuid::new_v4()),
        person: pn.clone(),
        occurred_at: occurred.unwrap_or(now),
        recorded_at: recorded,
        recorded_by: StaffRef::parse(recorded_by).map_err(|e| AppError::BadRequest(e.to_string()))?,
        correction: None,
        kind,
    };
    let id = event.id;
    append_as(state, actor, event).await?;
    Ok(id)
}

/// Why the pathway would refuse this step now, if it would: for a form to show beside its
/// fields before anything is written.
pub(crate) fn step_refused(
    state: &AppState,
    staff: &CurrentStaff,
    person: &throughcare_core::Person,
    timeline: &throughcare_core::timeline::Timeline,
    kind: &EventKind,
) -> Result<Option<String>, AppError> {
    step_refused_at(state, staff, person, timeline, kind, None)
}

/// [`step_refused`] for a step that happened at `occurred` (now when None).
pub(crate) fn step_refused_at(
    state: &AppState,
    staff: &CurrentStaff,
    person: &throughcare_core::Person,
    timeline: &throughcare_core::timeline::Timeline,
    kind: &EventKind,
    occurred: Option<jiff::Timestamp>,
) -> Result<Option<String>, AppError> {
    refused_as(state, &staff.username, &person.prison_number, timeline, kind, occurred)
}

/// [`step_refused_at`] for whoever records it (`recorded_by`, as on the event).
pub(crate) fn refused_as(
    state: &AppState,
    recorded_by: &str,
    pn: &throughcare_core::PrisonNumber,
    timeline: &throughcare_core::timeline::Timeline,
    kind: &EventKind,
    occurred: Option<jiff::Timestamp>,
) -> Result<Option<String>, AppError> {
    let probe = Event {
        id: EventId::from_random_bytes([0; 16]),
        person: pn.clone(),
        occurred_at: occurred.unwrap_or_else(|| state.now()),
        recorded_at: state.now(),
        recorded_by: StaffRef::parse(recorded_by).map_err(|e| AppError::BadRequest(e.to_string()))?,
        correction: None,
        kind: kind.clone(),
    };
    Ok(throughcare_core::pathways::check_step(timeline, &probe).err())
}

/// The end of a pathway step's form, the same on every page: what was read from the form, and
/// where the pathway's refusal goes.
pub(crate) struct PathwayStep<'a> {
    pub kind: Option<EventKind>,
    /// When it happened, if earlier than now.
    pub occurred: Option<jiff::Timestamp>,
    pub errors: crate::pages::form::Errors,
    /// Core names the field at fault first ("next_review: ..."): (that field, the form's field)
    /// to show the rest of the message beside.
    pub fields: &'a [(&'a str, &'static str)],
    /// Where any other refusal is shown, as "That cannot be recorded: ...".
    pub otherwise: &'static str,
}

impl PathwayStep<'_> {
    /// Records the step and answers with a redirect to `done` and its message; or, with any
    /// message (the form's, or the pathway's refusal beside its field), gives the messages back
    /// for the page to be shown again.
    pub(crate) async fn record(
        mut self,
        state: &AppState,
        staff: &CurrentStaff,
        person: &throughcare_core::Person,
        timeline: &throughcare_core::timeline::Timeline,
        done: (&str, &'static str),
    ) -> Result<Result<Response, crate::pages::form::Errors>, AppError> {
        // Checked even beside other messages, so the page shows every problem at once.
        if let Some(k) = &self.kind {
            if let Some(m) = step_refused_at(state, staff, person, timeline, k, self.occurred)? {
                let beside = m
                    .split_once(": ")
                    .and_then(|(f, rest)| self.fields.iter().find(|(c, _)| *c == f).map(|(_, to)| (*to, rest)));
                match beside {
                    Some((to, rest)) => self.errors.push((to, throughcare_core::display::capitalise(rest))),
                    None => self.errors.push((
                        self.otherwise,
                        format!("That cannot be recorded: {}", throughcare_core::display::mid_sentence(&m)),
                    )),
                }
            }
        }
        match self.kind {
            Some(kind) if self.errors.is_empty() => {
                record_step_at(state, staff, person, kind, self.occurred).await?;
                Ok(Ok(super::flash::redirect(done.0, done.1)))
            }
            _ => Ok(Err(self.errors)),
        }
    }
}

/// A form's page shown again with its messages.
pub(crate) fn again(page: impl IntoResponse) -> Result<Response, AppError> {
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
