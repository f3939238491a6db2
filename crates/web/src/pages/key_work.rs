//! A key worker's "My people": each person allocated to them, their last session and the next
//! due, their support flags, and what is coming up in their life in the next 14 days.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use throughcare_core::characteristics::{Characteristic, Religion};
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{DeallocationReason, EventKind, Hearing};
use throughcare_core::pathways::key_work::{CASELOAD_CAP, Candidate, previous_key_workers, recommend};
use throughcare_core::pathways::life_events::coming_up;
use throughcare_core::standards::engine::Outcome;
use throughcare_core::time::date_in_england;
use throughcare_core::timeline::PersonState;
use throughcare_core::{EstablishmentCode, StaffRef, display};
use throughcare_store::obligations::WorklistFilter;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::{flags, reachable};
use crate::pages::record::{PathwayStep, again};
use crate::pages::worklist::{WorkRow, rows};
use crate::present::{Directory, when};
use crate::roles::Role;

/// How far ahead "coming up" looks: two weeks gives time to plan a check-in.
pub const AHEAD_DAYS: i32 = 14;

pub struct Row {
    name: String,
    prison_number: String,
    location: String,
    last_session: String,
    due: Vec<WorkRow>,
    done: Option<String>,
    flags: Vec<(String, &'static str)>,
    coming_up: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "key_work/my_people.html")]
pub struct MyPeoplePage {
    staff: Option<CurrentStaff>,
    rows: Vec<Row>,
    ahead: i32,
}

pub async fn my_people(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<MyPeoplePage, AppError> {
    let now = state.now();
    let today = date_in_england(now);
    let names = Directory::load(&state).await?;
    let Some(establishment) = staff.establishment.clone() else {
        return Ok(MyPeoplePage { staff: Some(staff), rows: vec![], ahead: AHEAD_DAYS });
    };
    let held = state.db.key_worker_timelines(&establishment, &staff.username).await?;
    let filter = WorklistFilter {
        establishment: Some(establishment),
        key_worker: Some(staff.username.clone()),
        team: Some("key-worker".into()),
        ..Default::default()
    };
    let due = state.db.worklist(&state.engine, &filter, now).await?;
    let mut out = Vec::new();
    for (p, t) in &held {
        let s = t.state_at(now);
        if s.key_worker.as_ref().is_none_or(|k| k.as_str() != staff.username) {
            continue;
        }
        let last = t
            .live()
            .filter(|e| e.occurred_at <= now)
            .filter_map(|e| match e.kind {
                EventKind::KeyWorkSession { minutes, .. } => Some((e.occurred_at, minutes)),
                _ => None,
            })
            .last();
        // Key work's own standards: requests and the induction pack are on the worklist, not sessions.
        let mine: Vec<_> = due
            .iter()
            .filter(|i| i.prison_number == p.prison_number.as_str() && i.standard.starts_with("key-work"))
            .cloned()
            .collect();
        // With nothing open, this week's session is done: say when the next week's falls due.
        let done = if mine.is_empty() {
            state
                .db
                .obligations_of(&p.prison_number)
                .await?
                .into_iter()
                .filter(|o| {
                    o.standard.as_str() == "key-work-weekly"
                        && matches!(o.outcome, Outcome::MetOnTime { .. } | Outcome::MetLate { .. })
                })
                .max_by_key(|o| o.due_at)
                .map(|o| {
                    let next = o.due_at + jiff::SignedDuration::from_hours(24 * 7);
                    format!("This week's session is done; the next is due {}", display::due(next, now))
                })
        } else {
            None
        };
        out.push(Row {
            name: name(p),
            prison_number: p.prison_number.to_string(),
            location: s.current_episode().and_then(|ep| ep.location.clone()).unwrap_or_default(),
            last_session: last.map_or("No session yet".into(), |(at, minutes)| {
                format!("{}, {minutes} minutes", display::instant(at))
            }),
            due: rows(&mine, &names, now),
            done,
            flags: flags(&s),
            coming_up: coming_up(
                p,
                &s,
                religion_seen(&staff, &s, now).map(|r| (&state.engine.festivals, r)),
                today,
                AHEAD_DAYS,
            )
            .into_iter()
            .map(|e| format!("{}: {}", display::date(e.date), e.what))
            .collect(),
        });
    }
    crate::auth::audit(&state, &staff.username, "viewed-my-people", None, &format!("{} people", out.len())).await?;
    Ok(MyPeoplePage { staff: Some(staff), rows: out, ahead: AHEAD_DAYS })
}

// ---- Caseloads, shared by allocation and the API -------------------------------------------------

/// Everyone who is, or could be, a key worker here today: those with people allocated and the
/// key worker accounts of this establishment, each with their caseload (from the obligations'
/// projection, not every timeline) and any absence today.
pub(crate) async fn candidates(
    state: &AppState,
    establishment: &EstablishmentCode,
) -> Result<Vec<Candidate>, AppError> {
    let now = state.now();
    let today = date_in_england(now);
    let mut load: BTreeMap<String, usize> = BTreeMap::new();
    for s in state.db.all_staff().await? {
        if s.role == Role::KeyWorker.code() && !s.disabled && s.establishment.as_ref() == Some(establishment) {
            load.entry(s.username.to_string()).or_default();
        }
    }
    for (k, n) in state.db.key_worker_caseloads(establishment).await? {
        *load.entry(k).or_default() += usize::try_from(n).unwrap_or(0);
    }
    let absences = state.db.absences(establishment, today).await?;
    load.into_iter()
        .map(|(who, caseload)| {
            let key_worker = StaffRef::parse(&who).map_err(|e| AppError::BadRequest(e.to_string()))?;
            let away = absences.iter().find(|a| a.staff == key_worker && a.covers(today)).map(|a| match a.ends_on {
                Some(end) => format!("{} until {}", a.kind.label(), display::date(end)),
                None => format!("{}, no return date", a.kind.label()),
            });
            Ok(Candidate { key_worker, caseload, away })
        })
        .collect()
}

/// Why an allocation may not be made as asked, with the field at fault: above the cap without a
/// reason. The reason is kept only when the allocation is above the cap.
pub(crate) fn allocation_refused(
    candidates: &[Candidate],
    current: Option<&StaffRef>,
    kind: &mut EventKind,
    names: &Directory,
) -> Option<(&'static str, String)> {
    let EventKind::KeyWorkerAllocated { key_worker, over_cap_reason } = kind else { return None };
    if current == Some(key_worker) {
        return Some(("key_worker", format!("{} is already their key worker", names.staff(key_worker.as_str()))));
    }
    let caseload = candidates.iter().find(|c| &c.key_worker == key_worker).map_or(0, |c| c.caseload);
    if caseload < CASELOAD_CAP {
        *over_cap_reason = None;
        return None;
    }
    if over_cap_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Some((
            "over_cap_reason",
            format!(
                "{} already has {caseload} people (the cap is {CASELOAD_CAP}): give the reason to allocate above it",
                names.staff(key_worker.as_str())
            ),
        ));
    }
    None
}

// ---- One person's key work ------------------------------------------------------------------------

/// How far ahead a person's own key work page looks.
pub const PERSON_AHEAD_DAYS: i32 = 90;

pub struct Session {
    when: String,
    who: String,
    minutes: u16,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "key_work/person.html")]
pub struct PersonPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    key_worker: Option<String>,
    allocates: bool,
    records_sessions: bool,
    cap: usize,
    recommendation: Option<(String, String, &'static str)>,
    options: Vec<(String, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    hearings: Vec<(&'static str, &'static str)>,
    sessions: Vec<Session>,
    coming_up: Vec<String>,
    ahead: i32,
    history: Vec<(String, String, String)>,
    due: Vec<WorkRow>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(PersonPage);

impl PersonPage {
    /// The key worker chosen before, or else the recommended one.
    fn preselected(&self, code: &str) -> bool {
        match self.value("key_worker") {
            "" => self.recommendation.as_ref().is_some_and(|r| r.0 == code),
            chosen => chosen == code,
        }
    }
}

/// The religion or belief whose festivals the reader is shown on "coming up": roles that see
/// religion, and a key worker for the people allocated to them (and no one else), so that they
/// can check in before a festival spent away from family.
pub(crate) fn religion_seen(staff: &CurrentStaff, s: &PersonState, now: jiff::Timestamp) -> Option<Religion> {
    let their_key_worker =
        staff.role == Role::KeyWorker && s.key_worker.as_ref().is_some_and(|k| k.as_str() == staff.username);
    if !staff.role.sees(Characteristic::Religion) && !their_key_worker {
        return None;
    }
    Religion::parse_code(&s.characteristics.code_at(Characteristic::Religion, now)).ok()
}

async fn person_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<PersonPage, AppError> {
    let (person, custody) = reachable(state, &staff, pn).await?;
    let now = state.now();
    let today = date_in_england(now);
    let names = Directory::load(state).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let s = t.state_at(now);
    let allocates = staff.role.may_record("key_worker_allocated");
    let establishment = custody.and_then(|c| c.establishment);
    let (recommendation, options) = match establishment.as_ref().filter(|_| allocates) {
        Some(est) => {
            let list = candidates(state, est).await?;
            let previous = previous_key_workers(&t, now);
            let rec = recommend(&previous, &list, CASELOAD_CAP)
                .map(|r| (r.key_worker.to_string(), names.staff(r.key_worker.as_str()), r.why.label()));
            let options = list
                .iter()
                .filter(|c| Some(&c.key_worker) != s.key_worker.as_ref())
                .map(|c| {
                    let mut label = format!("{}: {} of {CASELOAD_CAP}", names.staff(c.key_worker.as_str()), c.caseload);
                    if let Some(a) = &c.away {
                        label.push_str(&format!(" ({})", a.to_lowercase()));
                    }
                    (c.key_worker.to_string(), label)
                })
                .collect();
            (rec, options)
        }
        None => (None, vec![]),
    };
    let filter = WorklistFilter {
        establishment: staff.establishment.clone(),
        team: Some("key-worker".into()),
        person: Some(person.prison_number.clone()),
        ..Default::default()
    };
    let due = state.db.worklist(&state.engine, &filter, now).await?;
    crate::auth::audit(state, &staff.username, "viewed-key-work", Some(person.prison_number.as_str()), "").await?;
    let mut sessions: Vec<Session> = t
        .live()
        .filter(|e| e.occurred_at <= now)
        .filter_map(|e| match &e.kind {
            EventKind::KeyWorkSession { key_worker, minutes, note } => Some(Session {
                when: when(e.occurred_at, now),
                who: names.staff(key_worker.as_str()),
                minutes: *minutes,
                note: note.clone().unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    sessions.reverse();
    sessions.truncate(12);
    let mut history: Vec<(String, String, String)> = t
        .live()
        .filter(|e| matches!(e.kind.name(), "key_worker_allocated" | "key_worker_deallocated" | "hearing_scheduled"))
        .map(|e| (when(e.occurred_at, now), names.staff(e.recorded_by.as_str()), names.sentence(e, &t)))
        .collect();
    history.reverse();
    let festivals = religion_seen(&staff, &s, now).map(|r| (&state.engine.festivals, r));
    Ok(PersonPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        key_worker: s.key_worker.as_ref().map(|k| names.staff(k.as_str())),
        allocates,
        records_sessions: staff.role.may_record("key_work_session"),
        cap: CASELOAD_CAP,
        recommendation,
        options,
        reasons: codes::<DeallocationReason>(),
        hearings: codes::<Hearing>(),
        sessions,
        coming_up: coming_up(&person, &s, festivals, today, PERSON_AHEAD_DAYS)
            .into_iter()
            .map(|e| format!("{}: {}", display::date(e.date), e.what))
            .collect(),
        ahead: PERSON_AHEAD_DAYS,
        history,
        due: rows(&due, &names, now),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn person_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<PersonPage, AppError> {
    let today = date_in_england(state.now());
    let form = vec![
        ("day".into(), today.day().to_string()),
        ("month".into(), today.month().to_string()),
        ("year".into(), today.year().to_string()),
    ];
    person_page(&state, staff, &pn, form, vec![]).await
}

/// Records a session, a court or parole date, or (for the key work manager) an allocation or
/// deallocation. A bad form re-renders with the message beside the field and writes nothing.
pub async fn person_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, custody) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let names = Directory::load(&state).await?;
    let mut errors: Errors = Vec::new();
    let mut occurred = None;
    let me = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut kind = match value(&form, "action") {
        "session" => {
            occurred = super::moment_or_now(now, &form).map_err(|(f, m)| errors.push((f, m))).ok();
            let minutes = match value(&form, "minutes").parse::<u16>() {
                Ok(m) if (1..=480).contains(&m) => Some(m),
                _ => {
                    errors.push(("minutes", "Enter how long the session was, in minutes, from 1 to 480".into()));
                    None
                }
            };
            let note = value(&form, "note");
            if note.chars().count() > 500 {
                errors.push(("note", "The note must be 500 characters or fewer".into()));
            }
            minutes.map(|minutes| EventKind::KeyWorkSession {
                key_worker: me.clone(),
                minutes,
                note: (!note.is_empty()).then(|| note.to_string()),
            })
        }
        "hearing" => {
            let hearing = Hearing::parse_code(value(&form, "hearing"))
                .map_err(|_| errors.push(("hearing", "Select a court date or a parole hearing".into())))
                .ok();
            let on = super::date_input(value(&form, "hday"), value(&form, "hmonth"), value(&form, "hyear"))
                .map_err(|m| errors.push(("on", m.replace("the date it happened", "the date of the hearing"))))
                .ok();
            hearing.zip(on).map(|(hearing, on)| EventKind::HearingScheduled { hearing, on })
        }
        "allocate" => match StaffRef::parse(value(&form, "key_worker")) {
            Ok(key_worker) => Some(EventKind::KeyWorkerAllocated {
                key_worker,
                over_cap_reason: Some(value(&form, "over_cap_reason").to_string()).filter(|r| !r.is_empty()),
            }),
            Err(_) => {
                errors.push(("key_worker", "Select a key worker".into()));
                None
            }
        },
        "deallocate" => DeallocationReason::parse_code(value(&form, "reason"))
            .map_err(|_| errors.push(("reason", "Select why the key worker is being deallocated".into())))
            .ok()
            .map(|reason| EventKind::KeyWorkerDeallocated { reason: Some(reason) }),
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    if let Some(k) = kind.as_ref() {
        if !staff.role.may_record(k.name()) {
            return Err(AppError::Forbidden);
        }
    }
    let current = t.state_at(now).key_worker;
    match (&mut kind, custody.and_then(|c| c.establishment)) {
        (Some(k @ EventKind::KeyWorkerAllocated { .. }), Some(est)) if errors.is_empty() => {
            let list = candidates(&state, &est).await?;
            if let Some(e) = allocation_refused(&list, current.as_ref(), k, &names) {
                errors.push(e);
            }
        }
        (Some(EventKind::KeyWorkerAllocated { .. }), None) => {
            errors.push(("key_worker", "They are not in custody here".into()));
        }
        (Some(EventKind::KeyWorkerDeallocated { .. }), _) if current.is_none() => {
            errors.push(("reason", "They have no key worker to deallocate".into()));
        }
        _ => {}
    }
    let step = PathwayStep { kind, occurred, errors, fields: &[], otherwise: "action" };
    let done = format!("/people/{}/key-work", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "key-work")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(person_page(&state, staff, &pn, form, errors).await?),
    }
}
