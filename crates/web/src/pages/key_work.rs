//! A key worker's "My people": each person allocated to them, their last session and the next
//! due, their support flags, and what is coming up in their life in the next 14 days.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::State;
use throughcare_core::display;
use throughcare_core::event::EventKind;
use throughcare_core::pathways::life_events::coming_up;
use throughcare_core::standards::engine::Outcome;
use throughcare_core::time::date_in_england;
use throughcare_store::obligations::WorklistFilter;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::name;
use crate::pages::people::flags;
use crate::pages::worklist::{WorkRow, rows};
use crate::present::Directory;

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
    let held = state.db.timelines_in_custody(&establishment).await?;
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
        let mine: Vec<_> = due.iter().filter(|i| i.prison_number == p.prison_number.as_str()).cloned().collect();
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
            coming_up: coming_up(p, &s, today, AHEAD_DAYS)
                .into_iter()
                .map(|e| format!("{}: {}", display::date(e.date), e.what))
                .collect(),
        });
    }
    crate::auth::audit(&state, &staff.username, "viewed-my-people", None, &format!("{} people", out.len())).await?;
    Ok(MyPeoplePage { staff: Some(staff), rows: out, ahead: AHEAD_DAYS })
}
