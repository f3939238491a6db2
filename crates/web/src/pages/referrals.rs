//! Referrals and transfers to hospital: refer a person, each service's queue oldest first, a
//! referral's page with the steps it may take next, and every transfer to hospital in progress.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use serde::Deserialize;
use throughcare_core::Person;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{DelayReason, EventKind, MhaSection, Priority, Service};
use throughcare_core::pathways::referral::{Referral, Stage, referrals};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, error_for as error_in, name};
use crate::pages::people::reachable;
use crate::pages::record::{again, record_step};
use crate::present::{Directory, when};

fn days_waited(since: Timestamp, now: Timestamp) -> i64 {
    let d = (throughcare_core::time::date_in_england(now) - throughcare_core::time::date_in_england(since)).get_days();
    i64::from(d.max(0))
}

#[derive(Deserialize, Default, Clone)]
pub struct ReferForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referrals/refer.html")]
pub struct ReferPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    services: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
    form: ReferForm,
    errors: Errors,
}

impl ReferPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_in(&self.errors, field)
    }
}

fn refer_page(staff: CurrentStaff, person: &Person, form: ReferForm, errors: Errors) -> ReferPage {
    ReferPage {
        name: name(person),
        prison_number: person.prison_number.to_string(),
        services: Service::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        priorities: Priority::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        form,
        errors,
        staff: Some(staff),
    }
}

pub async fn refer_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Query(q): Query<ReferForm>,
) -> Result<ReferPage, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let form = ReferForm { priority: if q.priority.is_empty() { "ROUTINE".into() } else { q.priority }, ..q };
    Ok(refer_page(staff, &person, form, vec![]))
}

pub async fn refer(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<ReferForm>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let mut errors: Errors = Vec::new();
    let service =
        Service::parse_code(&form.service).map_err(|_| errors.push(("service", "Select the service".into()))).ok();
    let priority = Priority::parse_code(&form.priority)
        .map_err(|_| errors.push(("priority", "Select how urgent it is".into())))
        .ok();
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.push(("reason", "Say why you are referring, in 500 characters or fewer".into()));
    }
    let (Some(service), Some(priority), true) = (service, priority, errors.is_empty()) else {
        return Ok(
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, refer_page(staff, &person, form, errors)).into_response()
        );
    };
    let id = record_step(
        &state,
        &staff,
        &person,
        EventKind::ReferralMade { service, priority, self_referral: false, reason: Some(reason) },
    )
    .await?;
    Ok(super::flash::redirect(&format!("/referrals/{id}"), "referred"))
}

/// One row of a queue or of the hospital transfers page.
pub struct QueueRow {
    id: String,
    name: String,
    prison_number: String,
    service: &'static str,
    priority: &'static str,
    referred: String,
    days: i64,
    stage: &'static str,
    next: &'static str,
    delay: String,
}

fn queue_row(p: &Person, r: &Referral, now: Timestamp) -> QueueRow {
    QueueRow {
        id: r.id.to_string(),
        name: name(p),
        prison_number: p.prison_number.to_string(),
        service: r.service.label(),
        priority: r.priority.label(),
        referred: when(r.made_at, now),
        days: days_waited(r.made_at, now),
        stage: r.stage.label(),
        next: r.next_step().unwrap_or(""),
        delay: r.delays.last().map_or(String::new(), |(_, reason, _)| reason.label().to_string()),
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    service: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referrals/queue.html")]
pub struct QueuePage {
    staff: Option<CurrentStaff>,
    establishment: String,
    services: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<QueueRow>,
}

/// Referrals waiting at the establishment, oldest first: each service's queue.
pub async fn queue(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<QueueQuery>,
) -> Result<QueuePage, AppError> {
    let now = state.now();
    let names = Directory::load(&state).await?;
    let service = Service::parse_code(&q.service).ok();
    let held = match &staff.establishment {
        Some(e) => {
            state.db.pathway_timelines(e, &["referral_made"], throughcare_core::pathways::referral::KINDS).await?
        }
        None => vec![],
    };
    let mut rows: Vec<(Timestamp, QueueRow)> = Vec::new();
    for (p, t) in &held {
        for r in referrals(t) {
            let wanted = match service {
                Some(s) => r.service == s,
                None => r.service != Service::HospitalTransfer,
            };
            if wanted && r.stage.waiting() {
                rows.push((r.made_at, queue_row(p, &r, now)));
            }
        }
    }
    rows.sort_by_key(|(t, _)| *t);
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed-referrals",
        None,
        &format!("queue: {}", service.map_or("all", |s| s.code())),
    )
    .await?;
    Ok(QueuePage {
        establishment: staff.establishment.as_ref().map_or(String::new(), |e| names.establishment(e)),
        services: Service::ALL
            .iter()
            .filter(|s| **s != Service::HospitalTransfer)
            .map(|s| (s.code(), s.label(), Some(*s) == service))
            .collect(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        staff: Some(staff),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "referrals/hospital.html")]
pub struct HospitalPage {
    staff: Option<CurrentStaff>,
    establishment: String,
    rows: Vec<QueueRow>,
}

/// Every transfer to hospital in progress, longest wait first, with its next step.
pub async fn hospital_transfers(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<HospitalPage, AppError> {
    let now = state.now();
    let names = Directory::load(&state).await?;
    let held = match &staff.establishment {
        Some(e) => {
            state.db.pathway_timelines(e, &["referral_made"], throughcare_core::pathways::referral::KINDS).await?
        }
        None => vec![],
    };
    let mut rows: Vec<QueueRow> = held
        .iter()
        .flat_map(|(p, t)| {
            referrals(t)
                .into_iter()
                .filter(|r| r.is_hospital_transfer() && r.stage.waiting())
                .map(|r| queue_row(p, &r, now))
                .collect::<Vec<_>>()
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.days));
    crate::auth::audit(&state, &staff.username, "viewed-referrals", None, "hospital transfers").await?;
    Ok(HospitalPage {
        establishment: staff.establishment.as_ref().map_or(String::new(), |e| names.establishment(e)),
        rows,
        staff: Some(staff),
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    hospital: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    delay: String,
    #[serde(default)]
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referrals/show.html")]
pub struct ReferralPage {
    staff: Option<CurrentStaff>,
    id: String,
    name: String,
    prison_number: String,
    summary: Vec<(String, String)>,
    history: Vec<(String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    hospital: bool,
    /// Still waiting: a delay can be recorded (transfers to hospital).
    open: bool,
    sections: Vec<(&'static str, &'static str)>,
    delays: Vec<(&'static str, &'static str)>,
    form: StepForm,
    errors: Errors,
    saved: Option<&'static str>,
}

impl ReferralPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_in(&self.errors, field)
    }
}

/// The steps a referral at this stage may take, as (action, label).
fn actions(r: &Referral) -> Vec<(&'static str, &'static str)> {
    use Stage::*;
    match (r.is_hospital_transfer(), r.stage) {
        (true, Made) => vec![
            ("triage", "Triaged"),
            ("first_assessment", "First psychiatric assessment done"),
            ("decline", "Declined"),
        ],
        (true, Triaged) => vec![("first_assessment", "First psychiatric assessment done"), ("decline", "Declined")],
        (true, FirstAssessment) => {
            vec![("second_assessment", "Second psychiatric assessment done"), ("decline", "Declined")]
        }
        (true, SecondAssessment) => vec![("bed", "Hospital bed identified"), ("decline", "Declined")],
        (true, BedIdentified) => vec![("warrant", "Warrant issued")],
        (true, WarrantIssued) => vec![("transferred", "Transferred to hospital")],
        (false, Made) => vec![("triage", "Triaged"), ("accept", "Accepted"), ("decline", "Declined")],
        (false, Triaged) => vec![("accept", "Accepted"), ("decline", "Declined")],
        (false, Accepted) => vec![("seen", "First seen (first appointment held)"), ("discharge", "Discharged")],
        (false, Seen) => vec![("discharge", "Discharged")],
        _ => vec![],
    }
}

async fn load(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
) -> Result<(Person, Referral, throughcare_core::timeline::Timeline), AppError> {
    let (person, timeline, id) = crate::pages::people::reachable_by_event(state, staff, id).await?;
    let r = referrals(&timeline).into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
    Ok((person, r, timeline))
}

async fn referral_page(
    state: &AppState,
    staff: CurrentStaff,
    id: &str,
    form: StepForm,
    errors: Errors,
) -> Result<ReferralPage, AppError> {
    let (person, r, timeline) = load(state, &staff, id).await?;
    let now = state.now();
    let names = Directory::load(state).await?;
    let mut summary = vec![
        ("Service".to_string(), r.service.label().to_string()),
        ("Priority".to_string(), r.priority.label().to_string()),
        (
            "Referred".to_string(),
            if r.self_referral {
                format!("{}: a self-referral, asked for in confidence by the person", when(r.made_at, now))
            } else {
                format!("{} by {}", when(r.made_at, now), names.staff(r.made_by.as_str()))
            },
        ),
        ("Where it is".to_string(), r.stage.label().to_string()),
    ];
    if r.stage.waiting() {
        summary.push(("Waiting".to_string(), format!("{} days", days_waited(r.made_at, now))));
    }
    if let Some(n) = r.next_step() {
        summary.push(("Next step".to_string(), n.to_string()));
    }
    if let Some(reason) = &r.reason {
        summary.push(("Why referred".to_string(), reason.clone()));
    }
    let history = timeline
        .live()
        .filter(|e| e.id == r.id || e.kind.answers().is_some_and(|(t, _)| t == r.id))
        .map(|e| (when(e.occurred_at, now), names.sentence(e, &timeline)))
        .collect();
    crate::auth::audit(
        state,
        &staff.username,
        "viewed-referral",
        Some(person.prison_number.as_str()),
        r.service.code(),
    )
    .await?;
    Ok(ReferralPage {
        id: r.id.to_string(),
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        summary,
        history,
        actions: actions(&r),
        hospital: r.is_hospital_transfer(),
        open: r.stage.waiting(),
        sections: MhaSection::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        delays: DelayReason::ALL.iter().map(|d| (d.code(), d.label())).collect(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
) -> Result<ReferralPage, AppError> {
    referral_page(&state, staff, &id, StepForm::default(), vec![]).await
}

/// Records the next step, or a delay; a step out of order is refused with core's reason.
pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let (person, r, timeline) = load(&state, &staff, &id).await?;
    let referral = r.id;
    let mut errors: Errors = Vec::new();
    let text = |v: &str, max: usize| {
        let v = v.trim();
        (!v.is_empty() && v.chars().count() <= max && !v.chars().any(char::is_control)).then(|| v.to_string())
    };
    let section = || MhaSection::parse_code(&form.section).ok();
    let kind = match form.action.as_str() {
        "triage" => Some(EventKind::ReferralTriaged { referral }),
        "accept" => Some(EventKind::ReferralAccepted { referral }),
        "decline" => match text(&form.reason, 500) {
            Some(reason) => Some(EventKind::ReferralDeclined { referral, reason }),
            None => {
                errors.push(("reason", "Say why the referral is declined".into()));
                None
            }
        },
        "seen" => Some(EventKind::ReferralSeen { referral }),
        "discharge" => Some(EventKind::ReferralDischarged { referral }),
        "first_assessment" => Some(EventKind::HospitalTransferAssessed { referral }),
        "second_assessment" => Some(EventKind::HospitalSecondAssessment { referral }),
        "bed" => match text(&form.hospital, 120) {
            Some(hospital) => Some(EventKind::HospitalBedIdentified { referral, hospital }),
            None => {
                errors.push(("hospital", "Enter the hospital where the bed is".into()));
                None
            }
        },
        "warrant" | "transferred" => match section() {
            Some(section) if form.action == "warrant" => Some(EventKind::HospitalWarrantIssued { referral, section }),
            Some(section) => Some(EventKind::TransferredToHospital { referral, section }),
            None => {
                errors.push(("section", "Select the section of the Mental Health Act".into()));
                None
            }
        },
        "delay" => match DelayReason::parse_code(&form.delay) {
            Ok(reason) => Some(EventKind::HospitalTransferDelayed { referral, reason, note: text(&form.note, 500) }),
            Err(_) => {
                errors.push(("delay", "Select why the transfer is waiting".into()));
                None
            }
        },
        _ => {
            errors.push(("action", "Select what happened".into()));
            None
        }
    };
    let step = crate::pages::record::PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "action" };
    let done = format!("/referrals/{id}");
    match step.record(&state, &staff, &person, &timeline, (&done, "step")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(referral_page(&state, staff, &id, form, errors).await?),
    }
}
