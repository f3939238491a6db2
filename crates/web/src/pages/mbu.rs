//! The MBU officer's register: every woman in custody here who is pregnant or has a child under
//! 18 months (or is part way through the MBU process), her deadlines and her application's stage.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::State;
use throughcare_core::codes::CodeSet;
use throughcare_core::display;
use throughcare_core::pathways::mbu::{MbuCase, Stage, case};
use throughcare_store::obligations::WorklistFilter;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::name;
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

fn stage(s: &Stage) -> String {
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
            application: stage(&c.stage),
            due: rows(&mine, &names, now),
        });
    }
    crate::auth::audit(&state, &staff.username, "viewed-mbu-register", None, &format!("{} women", out.len())).await?;
    Ok(RegisterPage { establishment: names.establishment(&establishment), rows: out, staff: Some(staff) })
}
