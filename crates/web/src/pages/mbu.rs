//! The MBU officer's register: every woman in custody here who is pregnant or has a child under
//! 18 months (or is part way through the MBU process), her deadlines and her application's stage.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::Format;
use throughcare_core::event::{EventKind, MbuOutcome};
use throughcare_core::pathways::mbu::{MbuCase, Stage, case, units};
use throughcare_core::{StaffRef, display};
use throughcare_store::obligations::WorklistFilter;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value, yes_no};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again};
use crate::pages::worklist::{WorkRow, rows};
use crate::present::Directory;

pub struct RegisterRow {
    name: String,
    officer: String,
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
    /// Each unit: name, places, women on it now, whether the places are confirmed.
    places: Vec<(String, u32, usize, bool)>,
}

/// A unit's name from the shipped list, or its code.
fn unit_name(code: &throughcare_core::EstablishmentCode) -> String {
    units().into_iter().find(|u| &u.establishment == code).map_or_else(|| code.to_string(), |u| u.name)
}

/// Each unit with its places and the women on it now, across the estate.
async fn places(state: &AppState) -> Result<Vec<(String, u32, usize, bool)>, AppError> {
    let now = state.now();
    let mut on: std::collections::HashMap<String, usize> = Default::default();
    for e in state.db.establishments().await? {
        for (_, t) in
            state.db.pathway_timelines(&e.code, &["mbu_admitted"], &["mbu_left", "transfer_out", "release"]).await?
        {
            let mut admitted = None;
            for ev in t.live().filter(|ev| ev.occurred_at <= now) {
                match &ev.kind {
                    EventKind::MbuAdmitted { unit, .. } => admitted = Some(unit.to_string()),
                    EventKind::MbuLeft {} | EventKind::TransferOut { .. } | EventKind::Release { .. } => {
                        admitted = None
                    }
                    _ => {}
                }
            }
            if let Some(u) = admitted {
                *on.entry(u).or_default() += 1;
            }
        }
    }
    Ok(units()
        .into_iter()
        .map(|u| {
            let n = on.get(u.establishment.as_str()).copied().unwrap_or(0);
            (u.name, u.places, n, u.confirmed)
        })
        .collect())
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
        Stage::Decided { at, outcome, .. } => format!("{} {}", outcome.label(), display::instant(*at)),
        Stage::Appealed { at, .. } => {
            format!("Refused; appealed {}: waiting for the appeal's decision", display::instant(*at))
        }
        Stage::AppealDecided { at, outcome } => {
            format!("On appeal: {} {}", outcome.label().to_lowercase(), display::instant(*at))
        }
    }
}

pub async fn register(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<RegisterPage, AppError> {
    let now = state.now();
    let names = Directory::load(&state).await?;
    let Some(establishment) = staff.establishment.clone() else {
        return Ok(RegisterPage { staff: Some(staff), establishment: String::new(), rows: vec![], places: vec![] });
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
            officer: c.named_officer.as_ref().map_or("None named yet".into(), |o| names.staff(o.as_str())),
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
    Ok(RegisterPage {
        establishment: names.establishment(&establishment),
        rows: out,
        places: places(&state).await?,
        staff: Some(staff),
    })
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
    officer: String,
    /// Whether the signed-in officer is already hers.
    named_me: bool,
    application: String,
    /// Which step forms to offer: an application when none is waiting, a decision when one is,
    /// an appeal after a refusal, the appeal's decision when one is waiting.
    can_apply: bool,
    can_decide: bool,
    can_appeal: bool,
    can_decide_appeal: bool,
    on_unit: Option<String>,
    separation_plan: String,
    units: Vec<(String, String)>,
    due: Vec<WorkRow>,
    formats: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(WomanPage);

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
        officer: c
            .as_ref()
            .and_then(|c| c.named_officer.as_ref())
            .map_or("None named yet".into(), |o| names.staff(o.as_str())),
        named_me: c.as_ref().and_then(|c| c.named_officer.as_ref()).is_some_and(|o| o.as_str() == staff.username),
        application: stage_words(&stage),
        // Waiting for a decision, or a place approved: no new application to record.
        can_apply: !matches!(stage, Stage::Applied { .. } | Stage::Appealed { .. }) && !stage.approved(),
        can_decide: matches!(stage, Stage::Applied { .. }),
        can_appeal: stage.appealable().is_some(),
        can_decide_appeal: matches!(stage, Stage::Appealed { .. }),
        on_unit: c.as_ref().and_then(|c| c.admitted.as_ref()).map(|a| {
            format!(
                "{}, since {}{}",
                unit_name(&a.unit),
                display::instant(a.at),
                if a.temporary { " (temporary admission)" } else { "" }
            )
        }),
        separation_plan: c
            .as_ref()
            .and_then(|c| c.separation_plan)
            .map_or("Not agreed yet".into(), |at| format!("Agreed {}", display::instant(at))),
        units: units().into_iter().map(|u| (u.establishment.to_string(), u.name)).collect(),
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
        "name_me" => Some(EventKind::MbuOfficerNamed {
            officer: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        }),
        "appeal" => match case(&t, now).and_then(|c| c.stage.appealable()) {
            Some(decision) => Some(EventKind::MbuAppealMade { decision }),
            None => {
                errors.push(("action", "There is no refusal to appeal".into()));
                None
            }
        },
        "decide_appeal" => {
            let outcome = MbuOutcome::parse_code(value(&form, "appeal_outcome"))
                .map_err(|_| errors.push(("appeal_outcome", "Select the appeal's decision".into())))
                .ok();
            match (case(&t, now).map(|c| c.stage), outcome) {
                (Some(Stage::Appealed { id, .. }), Some(outcome)) => {
                    Some(EventKind::MbuAppealDecided { appeal: id, outcome })
                }
                (_, Some(_)) => {
                    errors.push(("appeal_outcome", "There is no appeal waiting for a decision".into()));
                    None
                }
                _ => None,
            }
        }
        "admit" => {
            let unit = units()
                .into_iter()
                .find(|u| u.establishment.as_str() == value(&form, "unit"))
                .map(|u| u.establishment)
                .ok_or_else(|| errors.push(("unit", "Select the Mother and Baby Unit".into())))
                .ok();
            let temporary = yes_no(&form, "temporary", "Select whether the admission is temporary", &mut errors);
            unit.zip(temporary).map(|(unit, temporary)| EventKind::MbuAdmitted { unit, temporary })
        }
        "left" => Some(EventKind::MbuLeft {}),
        "separation_plan" => Some(EventKind::MbuSeparationPlanAgreed {}),
        "decide" => {
            let outcome = MbuOutcome::parse_code(value(&form, "outcome"))
                .map_err(|_| errors.push(("outcome", "Select the decision".into())))
                .ok();
            // The board's date is asked for on the page (the API may leave it out).
            let board_on = super::date_input(value(&form, "bday"), value(&form, "bmonth"), value(&form, "byear"))
                .map_err(|m| errors.push(("board_on", m.replace("the date it happened", "the date the board met"))))
                .ok();
            match (case(&t, now).map(|c| c.stage), outcome) {
                (Some(Stage::Applied { id, .. }), Some(outcome)) => {
                    Some(EventKind::MbuDecision { application: id, outcome, board_on })
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
    let fields = [("date_of_birth", "child"), ("temporary", "temporary"), ("board_on", "board_on")];
    let step = PathwayStep { kind, occurred: None, errors, fields: &fields, otherwise: "action" };
    let done = format!("/mbu/{}", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "mbu")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(woman_page(&state, staff, &pn, form, errors).await?),
    }
}
