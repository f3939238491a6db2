//! Release planned from day one: a person's release plan (each item with its owner, deadline and
//! status; medicines to take out; the handover to community mental-health care; the release
//! itself), the release board of everyone due out in the next 12 weeks, and community services'
//! records matched against people in custody to find missed need.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use throughcare_core::EventId;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{EventKind, Occasion, ReleasePlanItem, ReleaseType, Supply};
use throughcare_core::pathways::release::{self, Status};
use throughcare_core::standards::engine::{Obligation, Outcome};

use crate::AppState;
use crate::auth::{self, CurrentStaff};
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again};
use crate::present::{Directory, when};
use crate::roles::Role;

/// One item of the plan as the page shows it.
pub struct ItemRow {
    code: &'static str,
    label: &'static str,
    owner: String,
    due: String,
    status: String,
    colour: &'static str,
    notes: Vec<String>,
    done: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "release/plan.html")]
pub struct PlanPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    in_custody: bool,
    release: Option<String>,
    items: Vec<ItemRow>,
    medicines: Option<String>,
    handover: Option<String>,
    /// The referral waiting for the community service's answer.
    handover_waiting: Option<String>,
    on_caseload: bool,
    may_plan: bool,
    may_medicines: bool,
    may_handover: bool,
    may_release: bool,
    open_items: Vec<(&'static str, &'static str)>,
    supplies: Vec<(&'static str, &'static str)>,
    release_types: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(PlanPage);

/// Who does which part of the plan: resettlement and key workers the practical items, healthcare
/// the medicines, mental health the handover, resettlement or reception the release itself.
fn may_plan(role: Role) -> bool {
    matches!(role, Role::Resettlement | Role::KeyWorker | Role::KeyWorkManager)
}
fn may_medicines(role: Role) -> bool {
    role == Role::ReceptionNurse
}
fn may_handover(role: Role) -> bool {
    matches!(role, Role::MentalHealth | Role::ReceptionNurse)
}
fn may_release(role: Role) -> bool {
    matches!(role, Role::Resettlement | Role::ReceptionOfficer)
}

/// The latest obligation of a standard for the person, if any.
fn latest<'a>(obligations: &'a [Obligation], standard: &str) -> Option<&'a Obligation> {
    obligations.iter().filter(|o| o.standard.as_str() == standard).max_by_key(|o| o.opened_at)
}

fn item_rows(
    state: &AppState,
    plan: &release::Plan,
    obligations: &[Obligation],
    names: &Directory,
    now: Timestamp,
) -> Vec<ItemRow> {
    plan.items
        .iter()
        .map(|i| {
            let standard = release::standard_for(i.item).and_then(|s| state.engine.standards.get(s));
            let ob = release::standard_for(i.item).and_then(|s| latest(obligations, s));
            let (status, colour) = match (&i.status, ob.map(|o| o.outcome_at(now))) {
                (Status::Done { at, by }, _) => {
                    (format!("Done {} by {}", when(*at, now), names.staff(by.as_str())), "green")
                }
                (_, Some(Outcome::Open)) if ob.is_some_and(|o| o.due_at < now) => ("Overdue".to_string(), "red"),
                (_, Some(Outcome::Unmet { .. })) => ("Not done in time".to_string(), "red"),
                (Status::InProgress, _) => ("In progress".to_string(), "blue"),
                (Status::NotStarted, _) => ("Not started".to_string(), "grey"),
            };
            ItemRow {
                code: i.item.code(),
                label: i.item.label(),
                owner: standard.map_or("Resettlement".to_string(), |s| s.team.label().to_string()),
                due: match ob {
                    Some(o) => throughcare_core::display::instant_seen_from(o.due_at, now),
                    None if standard.is_some() => "No deadline: the stay is too short to plan ahead".into(),
                    None => "No national deadline".into(),
                },
                status,
                colour,
                notes: i
                    .notes
                    .iter()
                    .map(|(at, by, n)| format!("{n} ({}, {})", names.staff(by.as_str()), when(*at, now)))
                    .collect(),
                done: matches!(i.status, Status::Done { .. }),
            }
        })
        .collect()
}

async fn plan_view(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<PlanPage, AppError> {
    let (person, custody) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let plan = release::plan(&t);
    let names = Directory::load(state).await?;
    let obligations = state.db.obligations_of(&person.prison_number).await?;
    let clinical = staff.role.sees_clinical_detail();
    let items = item_rows(state, &plan, &obligations, &names, now);
    let st = t.state_at(now);
    Ok(PlanPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        in_custody: custody.as_ref().is_some_and(|c| c.in_custody),
        release: plan.expected_release.map(|d| {
            let days = (d - throughcare_core::time::date_in_england(now)).get_days();
            format!(
                "{}{}",
                throughcare_core::display::date(d),
                match days {
                    0 => " (today)".to_string(),
                    d if d > 0 => format!(" (in {d} days)"),
                    d => format!(" ({} days ago)", -d),
                }
            )
        }),
        open_items: items
            .iter()
            .filter(|i| !i.done)
            .map(|i| (i.code, i.label))
            .filter(|(c, _)| *c != "MEDICATION" && *c != "COMMUNITY_MENTAL_HEALTH")
            .collect(),
        items,
        medicines: plan.medicines.map(|(at, s)| format!("{}, {}", s.label(), when(at, now))),
        handover: plan.handover.as_ref().map(|h| match (clinical, h.accepted_at) {
            (true, Some(a)) => {
                format!("Referred to {} {}; accepted {}", h.service, when(h.referred_at, now), when(a, now))
            }
            (true, None) => format!("Referred to {} {}; waiting for their answer", h.service, when(h.referred_at, now)),
            (false, Some(_)) => "Handed over to community care (details for healthcare)".into(),
            (false, None) => "Referred for care after release (details for healthcare)".into(),
        }),
        handover_waiting: plan.handover.as_ref().filter(|h| h.accepted_at.is_none()).map(|h| h.referral.to_string()),
        on_caseload: st.on_mental_health_caseload(),
        may_plan: may_plan(staff.role),
        may_medicines: may_medicines(staff.role),
        may_handover: may_handover(staff.role),
        may_release: may_release(staff.role),
        supplies: codes::<Supply>(),
        release_types: codes::<ReleaseType>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn plan_page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<PlanPage, AppError> {
    plan_view(&state, staff, &pn, vec![], vec![]).await
}

/// Records one step of the plan: an item done or a note on it, the medicines to take out, the
/// handover referred or accepted, or the release. Each is for its own roles.
pub async fn plan_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = Vec::new();
    let role = staff.role;
    let forbidden = |ok: bool| if ok { Ok(()) } else { Err(AppError::Forbidden) };
    let item = || ReleasePlanItem::parse_code(value(&form, "item")).ok();
    let (kind, field, saved) = match value(&form, "action") {
        "done" => {
            forbidden(may_plan(role))?;
            let i = item();
            if i.is_none() {
                errors.push(("item", "Select the item that is done".into()));
            }
            (i.map(|item| EventKind::ReleasePlanItemCompleted { item }), "item", "release-plan")
        }
        "note" => {
            forbidden(may_plan(role))?;
            let i = item();
            if i.is_none() {
                errors.push(("item", "Select the item the note is about".into()));
            }
            let note = value(&form, "note");
            if note.is_empty() || note.chars().count() > 500 {
                errors.push(("note", "Say what is happening, in 500 characters or fewer".into()));
            }
            (
                i.filter(|_| !note.is_empty())
                    .map(|item| EventKind::ReleasePlanItemNoted { item, note: note.to_string() }),
                "item",
                "release-plan",
            )
        }
        "medicines" => {
            forbidden(may_medicines(role))?;
            let supply = Supply::parse_code(value(&form, "supply"))
                .map_err(|_| errors.push(("supply", "Select the medicines they leave with".into())))
                .ok();
            // The supply given is the medication item done, in one step.
            if let Some(supply) = supply {
                let done = EventKind::ReleasePlanItemCompleted { item: ReleasePlanItem::Medication };
                if errors.is_empty()
                    && crate::pages::record::step_refused_at(&state, &staff, &person, &t, &done, None)?.is_none()
                {
                    crate::pages::record::record_step(
                        &state,
                        &staff,
                        &person,
                        EventKind::MedicinesSupplied { occasion: Occasion::Release, supply },
                    )
                    .await?;
                }
            }
            (
                supply.map(|_| EventKind::ReleasePlanItemCompleted { item: ReleasePlanItem::Medication }),
                "supply",
                "release-plan",
            )
        }
        "refer" => {
            forbidden(may_handover(role))?;
            let service = value(&form, "service");
            if service.is_empty() || service.chars().count() > 120 {
                errors.push((
                    "service",
                    "Name the service, for example RECONNECT or the community mental health team".into(),
                ));
            }
            (
                (!service.is_empty()).then(|| EventKind::CommunityHandoverReferred { service: service.to_string() }),
                "service",
                "release-plan",
            )
        }
        "accepted" => {
            forbidden(may_handover(role))?;
            let referral = EventId::parse(value(&form, "referral")).ok();
            if referral.is_none() {
                errors.push(("service", "There is no referral waiting for an answer".into()));
            }
            (referral.map(|referral| EventKind::CommunityHandoverAccepted { referral }), "service", "release-plan")
        }
        "release" => {
            forbidden(may_release(role))?;
            let r = ReleaseType::parse_code(value(&form, "release_type"))
                .map_err(|_| errors.push(("release_type", "Select how they were released".into())))
                .ok();
            (r.map(|release_type| EventKind::Release { release_type }), "release_type", "released")
        }
        _ => {
            errors.push(("item", "Choose what to record".into()));
            (None, "item", "release-plan")
        }
    };
    let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: field };
    let done = format!("/people/{}/release", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, saved)).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(plan_view(&state, staff, &pn, form, errors).await?),
    }
}

/// One person on the release board.
pub struct BoardRow {
    prison_number: String,
    name: String,
    release: String,
    days: i64,
    missing: Vec<&'static str>,
    handover: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "release/board.html")]
pub struct BoardPage {
    staff: Option<CurrentStaff>,
    rows: Vec<BoardRow>,
    show_handover: bool,
    establishment: String,
}

/// The 12 weeks before release the board looks ahead.
const BOARD_DAYS: i64 = 84;

/// Everyone at the establishment due out in the next 12 weeks (or past their date and still
/// here), soonest first, with what is not yet in place.
pub async fn board(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<BoardPage, AppError> {
    let Some(code) = staff.establishment.clone() else {
        return Ok(BoardPage {
            staff: Some(staff),
            rows: vec![],
            show_handover: false,
            establishment: "your establishment".into(),
        });
    };
    let now = state.now();
    let today = throughcare_core::time::date_in_england(now);
    let names = Directory::load(&state).await?;
    let clinical = staff.role.sees_clinical_detail() || matches!(staff.role, Role::Governor);
    let mut rows = Vec::new();
    for (p, t) in state.db.timelines_in_custody(&code).await? {
        let plan = release::plan(&t);
        let Some(date) = plan.expected_release else { continue };
        let days = (date - today).get_days().into();
        if days > BOARD_DAYS {
            continue;
        }
        let obligations = state.db.obligations_of(&p.prison_number).await?;
        let missing = plan
            .outstanding()
            .into_iter()
            .filter(|i| {
                release::standard_for(*i)
                    .and_then(|s| latest(&obligations, s))
                    .is_some_and(|o| o.outcome_at(now) == Outcome::Open)
            })
            // That someone is on a mental-health caseload is clinical: shown as a handover only to clinical roles.
            .filter(|i| clinical || *i != ReleasePlanItem::CommunityMentalHealth)
            .map(|i| i.label())
            .collect();
        let handover = (clinical && t.state_at(now).on_mental_health_caseload()).then(|| match plan.handover {
            Some(h) if h.accepted_at.is_some() => "Accepted",
            Some(_) => "Referred, waiting",
            None => "Not referred",
        });
        rows.push(BoardRow {
            prison_number: p.prison_number.to_string(),
            name: name(&p),
            release: throughcare_core::display::date(date),
            days,
            missing,
            handover,
        });
    }
    rows.sort_by(|a, b| (a.days, &a.prison_number).cmp(&(b.days, &b.prison_number)));
    auth::audit(&state, &staff.username, "release-board", None, &format!("{} people due out", rows.len())).await?;
    let show_handover = rows.iter().any(|r| r.handover.is_some());
    Ok(BoardPage { staff: Some(staff), rows, show_handover, establishment: names.establishment(&code) })
}

#[derive(Template, WebTemplate)]
#[template(path = "release/community.html")]
pub struct CommunityPage {
    staff: Option<CurrentStaff>,
    file: String,
    result: Option<(usize, usize, Vec<(String, String)>)>,
    problems: Vec<String>,
    errors: Errors,
}

impl CommunityPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

pub async fn community_form(Extension(staff): Extension<CurrentStaff>) -> CommunityPage {
    CommunityPage { staff: Some(staff), file: String::new(), result: None, problems: vec![], errors: vec![] }
}

/// Matches a community services' file against people in custody, all or nothing.
pub async fn community_import(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let file = value(&form, "file").to_string();
    let page =
        |result: Option<(usize, usize, Vec<(String, String)>)>, problems: Vec<String>, errors: Errors| CommunityPage {
            staff: Some(staff.clone()),
            file: if result.is_some() { String::new() } else { file.clone() },
            result,
            problems,
            errors,
        };
    if file.is_empty() {
        return again(page(
            None,
            vec![],
            vec![("file", "Paste the file: a header line, then one person a line".into())],
        ));
    }
    match throughcare_store::community::import(
        &state.db,
        format!("{file}\n").as_bytes(),
        &state.engine,
        state.now(),
        &staff.username,
    )
    .await
    {
        Ok(m) => {
            let mut flagged = Vec::new();
            for pn in &m.flagged {
                if let Some(p) = state.db.person(pn).await? {
                    flagged.push((pn.to_string(), name(&p)));
                }
            }
            Ok(page(Some((m.rows, m.in_custody.len(), flagged)), vec![], vec![]).into_response())
        }
        Err(throughcare_store::ImportError::Rejected(rows)) => {
            let n = rows.len();
            again(page(
                None,
                rows.iter().map(ToString::to_string).collect(),
                vec![("file", format!("{n} problem(s) found: nothing was recorded"))],
            ))
        }
        Err(throughcare_store::ImportError::Store(e)) => Err(e.into()),
        Err(throughcare_store::ImportError::Io(e)) => Err(AppError::BadRequest(e.to_string())),
    }
}
