//! Arrival after a transfer: what came with the person (open work, support flags, an open ACCT,
//! medicines, the MBU stage, family of choice, what they have already told us), and the reviews
//! on arrival by healthcare and, where an ACCT is open, safer custody.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use jiff::Timestamp;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{ArrivalReviewer, EventKind, ReceptionType};
use throughcare_core::timeline::Timeline;
use throughcare_core::{Characteristic, Person};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, name, value};
use crate::pages::people::{reachable, visible_obligations};
use crate::pages::record::{PathwayStep, again};
use crate::present::{Directory, when};
use crate::roles::Access;

/// What came with a person, as the viewer's role may see it.
pub struct Came {
    /// Where from, and when they left it (None: not arriving on a transfer).
    pub from: Option<(String, String)>,
    pub open_work: Vec<(String, String)>,
    pub flags: Vec<(String, &'static str)>,
    /// Each medicine in words for clinical roles; otherwise how many, and who holds the detail.
    pub medicines: Vec<String>,
    pub mbu: Option<String>,
    pub family: Vec<String>,
    pub communication: Option<String>,
    /// The characteristics the person has already declared (not asked again), in words.
    pub declared: Vec<(&'static str, String)>,
}

/// What came with the person from the prison before this one.
pub async fn came(state: &AppState, staff: &CurrentStaff, person: &Person, t: &Timeline) -> Result<Came, AppError> {
    let now = state.now();
    let st = t.state_at(now);
    let names = Directory::load(state).await?;
    // The episode before the one at this establishment (or the last one, before booking in).
    let before = st.episodes.iter().rev().find(|e| Some(&e.establishment) != staff.establishment.as_ref());
    let from = before.and_then(|e| match &e.ended {
        Some((at, throughcare_core::timeline::EpisodeEnd::TransferredOut(_))) => {
            Some((names.establishment(&e.establishment), when(*at, now)))
        }
        _ => None,
    });
    // Work that came with them: open now, and opened before they arrived here (not the reviews
    // their arrival itself asks for).
    let here_since = st
        .current_episode()
        .filter(|e| Some(&e.establishment) == staff.establishment.as_ref())
        .map_or(Timestamp::MAX, |e| e.received_at);
    let open_work = visible_obligations(state, staff, &person.prison_number)
        .await?
        .into_iter()
        .filter(|(o, _)| {
            o.outcome_at(now) == throughcare_core::standards::engine::Outcome::Open && o.opened_at < here_since
        })
        .map(|(o, s)| {
            (format!("{} ({})", s.title, s.team.label()), throughcare_core::display::instant_seen_from(o.due_at, now))
        })
        .collect();
    let meds = throughcare_core::pathways::medicines::medicines(t).medicines;
    let medicines = if staff.role.sees_clinical_detail() {
        meds.iter()
            .map(|m| {
                format!("{}, {}{}", m.name, m.dose, if m.critical { " (critical: must not be missed)" } else { "" })
            })
            .collect()
    } else if meds.is_empty() {
        vec![]
    } else {
        vec![format!("{} medicine(s) (details for healthcare)", meds.len())]
    };
    let mbu = staff
        .role
        .sees(Characteristic::PregnancyMaternity)
        .then(|| throughcare_core::pathways::mbu::case(t, now))
        .flatten()
        .filter(|c| c.qualifies || c.stage != throughcare_core::pathways::mbu::Stage::NotApplied)
        .map(|c| mbu_stage(&c.stage, now));
    let family = st
        .family
        .iter()
        .map(|(_, c)| {
            format!(
                "{} ({}): {}{}",
                c.name,
                c.relationship,
                c.involvement.label().to_lowercase(),
                if c.told_of_transfer { ", may be told of a move" } else { "" }
            )
        })
        .collect();
    let communication = st.communication.as_ref().map(|p| {
        let mut s: Vec<String> = p.formats.iter().map(|f| f.label().to_string()).collect();
        s.push(throughcare_core::display::language(&p.language));
        if p.interpreter {
            s.push("needs an interpreter".into());
        }
        if p.literacy_support {
            s.push("needs help to read and write".into());
        }
        s.join(", ")
    });
    let declared = Characteristic::ALL
        .iter()
        .filter_map(|c| {
            st.characteristics.as_at(*c, now).map(|d| {
                (
                    c.label(),
                    if staff.role.sees(*c) { d.describe() } else { "Declared (not shown to your role)".to_string() },
                )
            })
        })
        .collect();
    Ok(Came {
        from,
        open_work,
        flags: crate::pages::people::flags(&st),
        medicines,
        mbu,
        family,
        communication,
        declared,
    })
}

fn mbu_stage(stage: &throughcare_core::pathways::mbu::Stage, now: Timestamp) -> String {
    use throughcare_core::pathways::mbu::Stage;
    match stage {
        Stage::NotApplied => "Meets the MBU criterion; no application yet".into(),
        Stage::Applied { at, .. } => format!("Applied for an MBU place {}; waiting for the board", when(*at, now)),
        Stage::Decided { at, outcome, .. } => {
            format!("Board decided {}: {}", when(*at, now), outcome.label().to_lowercase())
        }
        Stage::Appealed { at, .. } => format!("Appealed {}; waiting for the decision", when(*at, now)),
        Stage::AppealDecided { at, outcome } => {
            format!("Appeal decided {}: {}", when(*at, now), outcome.label().to_lowercase())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer/arrival.html")]
pub struct ArrivalPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    came: Came,
    /// Arrived here on a transfer: when.
    arrived: Option<String>,
    reviews: Vec<String>,
    /// The reviews this role records, each with whether it is done since arrival.
    may_review: Vec<(&'static str, &'static str, bool)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(ArrivalPage);

/// The latest reception here on transfer.
fn arrived_at(t: &Timeline) -> Option<Timestamp> {
    let st = t.state_at(Timestamp::MAX);
    st.current_episode().filter(|e| e.reception_type == ReceptionType::TransferIn).map(|e| e.received_at)
}

fn reviewers(staff: &CurrentStaff) -> Vec<ArrivalReviewer> {
    let mut r = Vec::new();
    if staff.role.sees_clinical_detail() {
        r.push(ArrivalReviewer::Healthcare);
    }
    if staff.role.can(Access::Acct) && !staff.role.sees_clinical_detail() {
        r.push(ArrivalReviewer::SaferCustody);
    }
    r
}

async fn arrival_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<ArrivalPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let arrived = arrived_at(&t);
    let names = Directory::load(state).await?;
    let reviews: Vec<(ArrivalReviewer, String)> = t
        .live()
        .filter(|e| arrived.is_some_and(|a| e.occurred_at >= a))
        .filter_map(|e| match &e.kind {
            EventKind::TransferArrivalReviewed { reviewer, note } => Some((
                *reviewer,
                format!(
                    "{} by {}, {}{}",
                    reviewer.label(),
                    names.staff(e.recorded_by.as_str()),
                    when(e.occurred_at, now),
                    note.as_ref().map_or(String::new(), |n| format!(": {n}"))
                ),
            )),
            _ => None,
        })
        .collect();
    let may_review =
        reviewers(&staff).into_iter().map(|r| (r.code(), r.label(), reviews.iter().any(|(x, _)| *x == r))).collect();
    Ok(ArrivalPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        came: came(state, &staff, &person, &t).await?,
        arrived: arrived.map(|a| when(a, now)),
        reviews: reviews.into_iter().map(|(_, s)| s).collect(),
        may_review,
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<ArrivalPage, AppError> {
    arrival_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records healthcare's or safer custody's review on arrival, for the person arriving here.
pub async fn review(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = Vec::new();
    if arrived_at(&t).is_none() {
        errors.push(("reviewer", "The person has not arrived here on a transfer: book them in first".into()));
    }
    let reviewer = ArrivalReviewer::parse_code(value(&form, "reviewer")).ok().filter(|r| reviewers(&staff).contains(r));
    if reviewer.is_none() {
        errors.push(("reviewer", "Your role does not record this review".into()));
    }
    let note = value(&form, "note");
    if note.chars().count() > 500 {
        errors.push(("note", "The note must be 500 characters or fewer".into()));
    }
    let kind = reviewer.map(|reviewer| EventKind::TransferArrivalReviewed {
        reviewer,
        note: (!note.is_empty()).then(|| note.to_string()),
    });
    let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "reviewer" };
    let done = format!("/people/{}/arrival", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "arrival")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(arrival_page(&state, staff, &pn, form, errors).await?),
    }
}
