//! The equality and diversity team's own pages: who is on the team for each characteristic, the
//! diversity forums with their meetings and actions, festival plans made with the people who
//! share them, and regime curtailments.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::characteristics::Religion;
use throughcare_core::codes::CodeSet;
use throughcare_core::establishment::{CurtailmentCause, Defaults, ForumAction, Kind, TeamMember};
use throughcare_core::time::date_in_england;
use throughcare_core::{Characteristic, EventId, PrisonNumber, StaffRef, display};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, value};
use crate::pages::scrutiny::append;
use crate::present::Directory;
use crate::roles::Access;

/// An amount of money as people write it: £150.00.
pub(crate) fn pounds(pence: u32) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

fn parse_pounds(s: &str) -> Option<u32> {
    let s = s.trim().trim_start_matches('£').replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, "0"));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    whole.parse::<u32>().ok()?.checked_mul(100)?.checked_add(frac.parse::<u32>().ok()?)
}

/// A rule's refusal ("owner: enter 1-120 characters") as the field and its message.
pub(crate) fn refusal(reason: String, fallback: &'static str) -> (&'static str, String) {
    const FIELDS: &[&str] = &[
        "owner",
        "action",
        "raised",
        "name",
        "part",
        "festival",
        "asked_for",
        "asked_on",
        "wings",
        "minutes",
        "organisation",
        "service",
        "what",
        "for_whom",
        "when",
        "how_to_refer",
        "objective",
        "review_by",
        "outcome",
        "who",
        "lived_experience",
        "changed",
    ];
    // A message beside a field starts with a capital, as GOV.UK's do.
    let capital =
        |m: &str| m.chars().next().map_or(String::new(), |c| c.to_uppercase().chain(m.chars().skip(1)).collect());
    match reason.split_once(": ") {
        Some((f, m)) => (FIELDS.iter().find(|x| **x == f).copied().unwrap_or(fallback), capital(m)),
        None => (fallback, capital(&reason)),
    }
}

pub(crate) fn date_from(
    form: &Pairs,
    prefix: &str,
    field: &'static str,
    errors: &mut Errors,
) -> Option<jiff::civil::Date> {
    super::date_input(
        value(form, &format!("{prefix}day")),
        value(form, &format!("{prefix}month")),
        value(form, &format!("{prefix}year")),
    )
    .map_err(|m| errors.push((field, m.replace("the date it happened", "the date"))))
    .ok()
}

pub struct ActionRow {
    meeting: String,
    index: u8,
    forum: String,
    action: String,
    owner: String,
    due: String,
    done: bool,
    overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "equality_team/team.html")]
pub struct TeamPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    establishment: String,
    records: bool,
    /// (id, who, for which characteristic, part)
    members: Vec<(String, String, String, String)>,
    /// (id, name, characteristic, meetings as lines)
    forums: Vec<(String, String, String, Vec<String>)>,
    actions: Vec<ActionRow>,
    characteristics: Vec<(&'static str, &'static str)>,
    forum_options: Vec<(String, String)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(TeamPage);

async fn team_page(state: &AppState, staff: CurrentStaff, form: Pairs, errors: Errors) -> Result<TeamPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let names = Directory::load(state).await?;
    let r = state.db.register(&est).await?;
    let today = date_in_england(state.now());
    let for_what = |c: &Option<Characteristic>| c.map_or("All characteristics".to_string(), |c| c.label().to_string());
    crate::auth::audit(state, &staff.username, "viewed-equality-team", None, est.as_str()).await?;
    Ok(TeamPage {
        establishment: names.establishment(&est),
        records: staff.role.can(Access::RecordEqualityWork),
        members: r
            .team
            .iter()
            .map(|(id, m, c)| match m {
                TeamMember::Staff { username, part } => {
                    (id.to_string(), names.staff(username.as_str()), for_what(c), part.clone())
                }
                TeamMember::Representative { prison_number, paid } => (
                    id.to_string(),
                    prison_number.to_string(),
                    for_what(c),
                    if *paid { "Prisoner representative (paid)".into() } else { "Prisoner representative".into() },
                ),
            })
            .collect(),
        forums: r
            .forums
            .iter()
            .map(|f| {
                (
                    f.id.to_string(),
                    f.name.clone(),
                    for_what(&f.characteristic),
                    f.meetings
                        .iter()
                        .rev()
                        .map(|m| {
                            format!(
                                "{}: {} people in prison and {} staff. Raised: {}",
                                display::date(m.held_on),
                                m.people_attended,
                                m.staff_attended,
                                m.raised
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
        actions: r
            .actions
            .iter()
            .map(|a| ActionRow {
                meeting: a.meeting.to_string(),
                index: a.index,
                forum: format!("{}, {}", a.forum, display::date(a.held_on)),
                action: a.action.action.clone(),
                owner: a.action.owner.clone(),
                due: display::date(a.action.due),
                done: a.done.is_some(),
                overdue: a.done.is_none() && a.action.due < today,
            })
            .collect(),
        characteristics: codes::<Characteristic>(),
        forum_options: r.forums.iter().map(|f| (f.id.to_string(), f.name.clone())).collect(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn team(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<TeamPage, AppError> {
    team_page(&state, staff, vec![], vec![]).await
}

/// Names a team member, sets up a forum, records a meeting with its actions, or marks an action done.
pub async fn record(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let characteristic = |form: &Pairs| Characteristic::parse_code(value(form, "characteristic")).ok();
    let kind = match value(&form, "action") {
        "member" => {
            let who = value(&form, "who");
            let member = if let Ok(pn) = PrisonNumber::parse(who) {
                if state.db.person(&pn).await?.is_none() {
                    errors.push(("who", format!("There is no one with prison number {pn}")));
                }
                Some(TeamMember::Representative { prison_number: pn, paid: value(&form, "paid") == "yes" })
            } else if let Ok(username) = StaffRef::parse(who) {
                if state.db.staff(username.as_str()).await?.is_none() {
                    errors.push(("who", format!("There is no member of staff with username {username}")));
                }
                let part = value(&form, "part");
                Some(TeamMember::Staff {
                    username,
                    part: if part.is_empty() { "Equality team".into() } else { part.into() },
                })
            } else {
                errors.push(("who", "Enter a member of staff's username or a prison number".into()));
                None
            };
            member
                .filter(|_| errors.is_empty())
                .map(|member| Kind::TeamMemberNamed { member, characteristic: characteristic(&form) })
        }
        "forum" => {
            Some(Kind::ForumSetUp { name: value(&form, "name").to_string(), characteristic: characteristic(&form) })
        }
        "meeting" => {
            let forum = EventId::parse(value(&form, "forum"))
                .map_err(|_| errors.push(("forum", "Select the forum".into())))
                .ok();
            let held_on = date_from(&form, "held_", "held_on", &mut errors);
            let count = |f: &'static str, errors: &mut Errors| {
                value(&form, f).parse::<u16>().map_err(|_| errors.push((f, "Enter a number, 0 or more".into()))).ok()
            };
            let people = count("people_attended", &mut errors);
            let staff_n = count("staff_attended", &mut errors);
            let mut actions = vec![];
            for i in 1..=3 {
                let (a, o) = (value(&form, &format!("action_{i}")), value(&form, &format!("owner_{i}")));
                let has_date =
                    ["day", "month", "year"].iter().any(|p| !value(&form, &format!("due_{i}_{p}")).is_empty());
                if a.is_empty() && o.is_empty() && !has_date {
                    continue;
                }
                let field: &'static str = ["action_1", "action_2", "action_3"][i - 1];
                if o.is_empty() {
                    errors.push((field, format!("Action {i}: name who owns it")));
                }
                let due = date_from(&form, &format!("due_{i}_"), field, &mut errors);
                if a.is_empty() {
                    errors.push((field, format!("Action {i}: say what will be done")));
                }
                if let Some(due) = due {
                    actions.push(ForumAction { action: a.into(), owner: o.into(), due });
                }
            }
            match (forum, held_on, people, staff_n) {
                (Some(forum), Some(held_on), Some(people_attended), Some(staff_attended)) if errors.is_empty() => {
                    Some(Kind::ForumMeetingHeld {
                        forum,
                        held_on,
                        people_attended,
                        staff_attended,
                        raised: value(&form, "raised").to_string(),
                        actions,
                    })
                }
                _ => None,
            }
        }
        "done" => {
            let meeting =
                EventId::parse(value(&form, "meeting")).map_err(|_| AppError::BadRequest("meeting".into()))?;
            let action = value(&form, "index").parse::<u8>().map_err(|_| AppError::BadRequest("index".into()))?;
            Some(Kind::ForumActionDone { meeting, action, note: None })
        }
        _ => return Err(AppError::BadRequest("action".into())),
    };
    if let Some(kind) = kind {
        match append(&state, &staff, kind).await? {
            Ok(_) => return Ok(super::flash::redirect("/equality-team", "equality-team")),
            Err(reason) => errors.push(refusal(reason, "action")),
        }
    }
    let page = team_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub struct FestivalRow {
    festival: String,
    religion: &'static str,
    religion_code: &'static str,
    on: String,
    on_iso: String,
    people: usize,
    ask_by: String,
    status: String,
    colour: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "equality_team/festivals.html")]
pub struct FestivalsPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    records: bool,
    weeks: u8,
    source: String,
    coming: Vec<FestivalRow>,
    /// (festival, on, asked on, asked for, budget, food/space/time, marked)
    plans: Vec<(String, String, String, String, String, String, String)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(FestivalsPage);

/// How far ahead the page looks: a season, so that the asking time is always in view.
const AHEAD_DAYS: i64 = 120;

async fn festivals_page(
    state: &AppState,
    staff: CurrentStaff,
    form: Pairs,
    errors: Errors,
) -> Result<FestivalsPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let now = state.now();
    let today = date_in_england(now);
    let d = Defaults::builtin();
    let r = state.db.register(&est).await?;
    // How many people here share each religion or belief, today.
    let mut counts: std::collections::HashMap<Religion, usize> = Default::default();
    for (_, t) in state.db.timelines_in_custody(&est).await? {
        let s = t.state_at(now);
        if let Ok(rel) = Religion::parse_code(&s.characteristics.code_at(Characteristic::Religion, now)) {
            *counts.entry(rel).or_default() += 1;
        }
    }
    let until = today.checked_add(jiff::Span::new().days(AHEAD_DAYS)).unwrap_or(today);
    let mut coming = vec![];
    for (rel, n) in &counts {
        for f in state.engine.festivals.between(*rel, today, until) {
            let ask_by = d.ask_by(f.date);
            let plan = r.festivals.iter().find(|p| p.festival == f.name && p.on == f.date);
            let (status, colour) = match plan {
                Some(p) if p.asked_on <= ask_by => {
                    (format!("Planned; asked on {}", display::date(p.asked_on)), "green")
                }
                Some(p) => (format!("Planned; asked late, on {}", display::date(p.asked_on)), "yellow"),
                None if today > ask_by => ("Not planned: the time to ask has passed".into(), "red"),
                None => ("Not planned yet".into(), "blue"),
            };
            coming.push(FestivalRow {
                festival: f.name.clone(),
                religion: rel.label(),
                religion_code: rel.code(),
                on: display::date(f.date),
                on_iso: f.date.to_string(),
                people: *n,
                ask_by: display::date(ask_by),
                status,
                colour,
            });
        }
    }
    coming.sort_by(|a, b| a.on_iso.cmp(&b.on_iso).then(a.festival.cmp(&b.festival)));
    let plans = r
        .festivals
        .iter()
        .rev()
        .map(|p| {
            let practical = [("Food", &p.food), ("Space", &p.space), ("Time", &p.time)]
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
                .collect::<Vec<_>>()
                .join("; ");
            (
                format!("{} ({})", p.festival, p.religion.label()),
                display::date(p.on),
                display::date(p.asked_on),
                p.asked_for.clone(),
                pounds(p.budget_pence),
                practical,
                p.marked.map_or("Not yet".into(), |(n, spent)| {
                    format!("{n} attended{}", spent.map(|s| format!(", {} spent", pounds(s))).unwrap_or_default())
                }),
            )
        })
        .collect();
    Ok(FestivalsPage {
        records: staff.role.can(Access::RecordEqualityWork),
        weeks: d.festival_ask_weeks,
        source: d.festival_ask_source,
        coming,
        plans,
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn festivals(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<FestivalsPage, AppError> {
    festivals_page(&state, staff, vec![], vec![]).await
}

/// Records how the people who share a festival asked for it to be marked, and the plan and budget.
pub async fn plan_festival(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let (festival, religion, on) = {
        let chosen = value(&form, "festival");
        let mut parts = chosen.splitn(3, '|');
        let (rel, date, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        match (Religion::parse_code(rel), date.parse::<jiff::civil::Date>()) {
            (Ok(r), Ok(d)) if state.engine.festivals.between(r, d, d).any(|f| f.name == name) => {
                (Some(name.to_string()), Some(r), Some(d))
            }
            _ => {
                errors.push(("festival", "Select the festival".into()));
                (None, None, None)
            }
        }
    };
    let asked_on = date_from(&form, "asked_", "asked_on", &mut errors);
    if asked_on.is_some_and(|d| d > date_in_england(state.now())) {
        errors.push(("asked_on", "Record when they were asked, once they have been".into()));
    }
    let asked_for = value(&form, "asked_for");
    if asked_for.is_empty() {
        errors.push(("asked_for", "Write what the people who share it asked for".into()));
    }
    let budget = parse_pounds(value(&form, "budget"));
    if budget.is_none() {
        errors.push(("budget", "Enter the budget in pounds, for example 150 or 150.00".into()));
    }
    let opt = |f: &str| Some(value(&form, f).to_string()).filter(|v| !v.is_empty());
    if let (Some(festival), Some(religion), Some(on), Some(asked_on), Some(budget_pence)) =
        (festival, religion, on, asked_on, budget)
    {
        if errors.is_empty() {
            let kind = Kind::FestivalPlanned {
                religion,
                festival,
                on,
                asked_on,
                asked_for: asked_for.to_string(),
                budget_pence,
                food: opt("food"),
                space: opt("space"),
                time: opt("time"),
            };
            match append(&state, &staff, kind).await? {
                Ok(_) => return Ok(super::flash::redirect("/festivals", "festival")),
                Err(reason) => errors.push(refusal(reason, "festival")),
            }
        }
    }
    let page = festivals_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "equality_team/regime.html")]
pub struct RegimePage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    records: bool,
    /// (day, hours, cause, wings)
    curtailments: Vec<(String, String, &'static str, String)>,
    /// (cause, hours in the last 12 weeks)
    by_cause: Vec<(&'static str, String)>,
    causes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(RegimePage);

/// Time lost as hours and minutes: 3h 30m.
pub(crate) fn hours(minutes: u32) -> String {
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

async fn regime_page(
    state: &AppState,
    staff: CurrentStaff,
    form: Pairs,
    errors: Errors,
) -> Result<RegimePage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let r = state.db.register(&est).await?;
    let today = date_in_england(state.now());
    let since = today.checked_sub(jiff::Span::new().weeks(12)).unwrap_or(today);
    let mut list = r.curtailments.clone();
    list.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(RegimePage {
        records: staff.role.can(Access::RecordEqualityWork),
        by_cause: CurtailmentCause::ALL
            .iter()
            .map(|c| {
                let m: u32 = list.iter().filter(|x| x.2 == *c && x.0 >= since).map(|x| u32::from(x.1)).sum();
                (c.label(), hours(m))
            })
            .collect(),
        curtailments: list
            .iter()
            .map(|(d, m, c, w)| (display::date(*d), hours(u32::from(*m)), c.label(), w.clone()))
            .collect(),
        causes: codes::<CurtailmentCause>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn regime(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<RegimePage, AppError> {
    regime_page(&state, staff, vec![], vec![]).await
}

/// Records a day the regime was curtailed: how long, why and where.
pub async fn curtail(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let on = date_from(&form, "", "on", &mut errors);
    if on.is_some_and(|d| d > date_in_england(state.now())) {
        errors.push(("on", "Record a curtailment once it has happened".into()));
    }
    let minutes =
        value(&form, "hours").parse::<f64>().ok().filter(|h| *h > 0.0 && *h <= 24.0).map(|h| (h * 60.0).round() as u16);
    if minutes.is_none() {
        errors.push(("hours", "Enter the hours lost, more than 0 and up to 24".into()));
    }
    let cause = CurtailmentCause::parse_code(value(&form, "cause"))
        .map_err(|_| errors.push(("cause", "Select the cause".into())))
        .ok();
    if value(&form, "wings").is_empty() {
        errors.push(("wings", "Say which wings or units".into()));
    }
    if let (Some(on), Some(minutes), Some(cause)) = (on, minutes, cause) {
        if errors.is_empty() {
            match append(
                &state,
                &staff,
                Kind::RegimeCurtailed { on, minutes, cause, wings: value(&form, "wings").into() },
            )
            .await?
            {
                Ok(_) => return Ok(super::flash::redirect("/regime", "regime")),
                Err(reason) => errors.push(refusal(reason, "wings")),
            }
        }
    }
    let page = regime_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_read_in_pounds_and_pence() {
        assert_eq!(parse_pounds("150"), Some(15_000));
        assert_eq!(parse_pounds("£1,250.5"), Some(125_050));
        assert_eq!(parse_pounds("12.34"), Some(1_234));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("-3"), None);
        assert_eq!(parse_pounds(""), None);
        assert_eq!(pounds(125_050), "£1250.50");
    }
}
