//! Key worker allocation for the key work manager: who is waiting for a key worker (with the
//! recommendation), each key worker's caseload against the cap, who is away, and the HMPPS figures.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::SignedDuration;
use throughcare_core::codes::CodeSet;
use throughcare_core::pathways::key_work::{
    AbsenceKind, CASELOAD_CAP, Figures, TrainingTopic, previous_key_workers, recommend,
};
use throughcare_core::time::date_in_england;
use throughcare_core::{StaffRef, display};
use throughcare_store::workforce::Absence;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::key_work::candidates;
use crate::present::{Directory, when};

pub struct Waiting {
    name: String,
    prison_number: String,
    received: String,
    days: i64,
    recommendation: String,
}

pub struct KeyWorkerRow {
    name: String,
    caseload: usize,
    over: bool,
    away: String,
    trained: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "key_work/allocations.html")]
pub struct AllocationsPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    establishment: String,
    records: bool,
    cap: usize,
    waiting: Vec<Waiting>,
    key_workers: Vec<KeyWorkerRow>,
    staff_options: Vec<(String, String)>,
    absences: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
    /// (what, value, how many it is worked out from)
    figures: Vec<(&'static str, String, String)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(AllocationsPage);

fn days(d: f64) -> String {
    format!("{d:.1} days")
}

async fn page(state: &AppState, staff: CurrentStaff, form: Pairs, errors: Errors) -> Result<AllocationsPage, AppError> {
    let now = state.now();
    let today = date_in_england(now);
    let names = Directory::load(state).await?;
    let records = staff.role.can(crate::roles::Access::ManageKeyWork);
    let Some(est) = staff.establishment.clone() else {
        return Err(AppError::NotFound);
    };
    let held = state.db.timelines_in_custody(&est).await?;
    let list = candidates(state, &est).await?;
    // Each recommendation counts those above it as made, longest wait first, so the list spreads
    // people across key workers as allocating them in that order would.
    let mut planned = list.clone();
    let mut waiting = Vec::new();
    let mut figures = Figures::default();
    let year_ago = now - SignedDuration::from_hours(24 * 365);
    let mut unallocated = Vec::new();
    for (p, t) in &held {
        figures.add(t, year_ago, now);
        let s = t.state_at(now);
        if let Some(ep) = s.current_episode().filter(|_| s.key_worker.is_none()) {
            unallocated.push((ep.received_at, p, t));
        }
    }
    unallocated.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.prison_number.cmp(&b.1.prison_number)));
    for (received_at, p, t) in unallocated {
        let rec = recommend(&previous_key_workers(t, now), &planned, CASELOAD_CAP);
        if let Some(c) = rec.as_ref().and_then(|r| planned.iter_mut().find(|c| c.key_worker == r.key_worker)) {
            c.caseload += 1;
        }
        waiting.push(Waiting {
            name: name(p),
            prison_number: p.prison_number.to_string(),
            received: when(received_at, now),
            days: now.duration_since(received_at).as_hours() / 24,
            recommendation: rec.map_or("Nobody available below the cap".into(), |r| {
                format!("{} ({})", names.staff(r.key_worker.as_str()), r.why.label())
            }),
        });
    }
    let training = state.db.training(&est).await?;
    let trained = |who: &StaffRef| {
        let has = |topic| training.iter().any(|s| s.topic == topic && s.attended.contains(who));
        match (has(TrainingTopic::ProtectedCharacteristics), has(TrainingTopic::LifeEvents)) {
            (true, true) => "Both",
            (true, false) => "Protected characteristics only",
            (false, true) => "Life events only",
            (false, false) => "Not yet",
        }
    };
    let key_workers = list
        .iter()
        .map(|c| KeyWorkerRow {
            name: names.staff(c.key_worker.as_str()),
            caseload: c.caseload,
            over: c.caseload > CASELOAD_CAP,
            away: c.away.clone().unwrap_or_default(),
            trained: trained(&c.key_worker),
        })
        .collect();
    let absences = state
        .db
        .absences(&est, today)
        .await?
        .iter()
        .map(|a| {
            format!(
                "{}: {}, from {}{}",
                names.staff(a.staff.as_str()),
                a.kind.label(),
                display::date(a.starts_on),
                a.ends_on.map_or(", no return date".into(), |e| format!(" to {}", display::date(e)))
            )
        })
        .collect();
    let median = |v: &[f64]| Figures::median(v).map_or("None yet".into(), days);
    let figures = vec![
        ("Receptions in the last 12 months (people here now)", figures.receptions.to_string(), String::new()),
        (
            "Days from reception to key worker allocation (median)",
            median(&figures.days_to_allocation),
            format!("{} allocated", figures.days_to_allocation.len()),
        ),
        (
            "Days from reception to the first key work session (median)",
            median(&figures.days_to_first_session),
            format!("{} with a session", figures.days_to_first_session.len()),
        ),
        (
            "Sessions per person per week",
            figures.sessions_per_person_per_week().map_or("None yet".into(), |r| format!("{r:.2}")),
            format!("{} sessions over {:.0} person-weeks", figures.sessions, figures.allocated_weeks),
        ),
    ];
    crate::auth::audit(
        state,
        &staff.username,
        "viewed-key-work-allocation",
        None,
        &format!("{} waiting", waiting.len()),
    )
    .await?;
    Ok(AllocationsPage {
        establishment: names.establishment(&est),
        records,
        cap: CASELOAD_CAP,
        waiting,
        key_workers,
        staff_options: list.iter().map(|c| (c.key_worker.to_string(), names.staff(c.key_worker.as_str()))).collect(),
        absences,
        kinds: codes::<AbsenceKind>(),
        figures,
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn allocations(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<AllocationsPage, AppError> {
    page(&state, staff, vec![], vec![]).await
}

/// Records a key worker's annual leave or long-term absence: they are not recommended while away.
pub async fn record_absence(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let Some(est) = staff.establishment.clone() else { return Err(AppError::NotFound) };
    let mut errors: Errors = Vec::new();
    let who = StaffRef::parse(value(&form, "staff"))
        .map_err(|_| errors.push(("staff", "Select the key worker who is away".into())))
        .ok();
    let kind = AbsenceKind::parse_code(value(&form, "kind"))
        .map_err(|_| errors.push(("kind", "Select annual leave or long-term absence".into())))
        .ok();
    let starts_on = super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
        .map_err(|m| errors.push(("starts_on", m.replace("the date it happened", "the first day away"))))
        .ok();
    let blank_end = ["eday", "emonth", "eyear"].iter().all(|f| value(&form, f).is_empty());
    let ends_on = if blank_end {
        None
    } else {
        super::date_input(value(&form, "eday"), value(&form, "emonth"), value(&form, "eyear"))
            .map_err(|m| errors.push(("ends_on", m.replace("the date it happened", "the last day away"))))
            .ok()
    };
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        if e < s {
            errors.push(("ends_on", "The last day away must be on or after the first".into()));
        }
    }
    match (who, kind, starts_on) {
        (Some(staff_ref), Some(kind), Some(starts_on)) if errors.is_empty() => {
            let absence = Absence { id: 0, staff: staff_ref, establishment: est, kind, starts_on, ends_on };
            let me = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
            let mut tx = state.db.begin_write().await?;
            tx.insert_absence(&absence, &me, state.now()).await?;
            tx.commit().await?;
            crate::auth::audit(&state, &staff.username, "recorded-absence", None, absence.kind.code()).await?;
            Ok(super::flash::redirect("/key-work/allocations", "allocation"))
        }
        _ => {
            let page = page(&state, staff, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
