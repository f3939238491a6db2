//! The worklist (what is overdue, due today, due this week) and the standards compliance report.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Query, State};
use serde::Deserialize;
use throughcare_core::EstablishmentCode;
use throughcare_core::codes::CodeSet;
use throughcare_core::standards::Team;
use throughcare_core::time::{add_days, date_in_england, end_of_day_in_england};
use throughcare_store::obligations::{ComplianceReport, WorkItem, WorklistFilter};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::present::{Directory, Pagination, query};
use throughcare_core::display;

#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    #[serde(default)]
    pub page: Option<usize>,
    #[serde(default)]
    pub team: Option<String>,
    /// "1" for only the people I am key worker to.
    #[serde(default)]
    pub mine: Option<String>,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub establishment: Option<String>,
}

/// The worklist as this member of staff may see it: their establishment, teams they may see.
pub async fn items(
    state: &AppState,
    staff: &CurrentStaff,
    q: &WorklistQuery,
) -> Result<(Vec<WorkItem>, Option<String>, Option<EstablishmentCode>), AppError> {
    let establishment = match (&staff.establishment, &q.establishment) {
        (Some(e), _) if !staff.role.estate_wide() => Some(e.clone()),
        (_, Some(code)) if !code.is_empty() => {
            Some(EstablishmentCode::parse(code).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
        (own, _) => own.clone(),
    };
    let Some(establishment) = establishment else { return Ok((vec![], None, None)) };
    let team = match q.team.as_deref() {
        Some("") | Some("all") => None,
        Some(t) => Some(Team::parse_code(t).map_err(|e| AppError::BadRequest(e.to_string()))?.code().to_string()),
        None => staff.role.home_team().map(str::to_string),
    };
    if team.as_deref().is_some_and(|t| !staff.role.sees_team(t)) {
        return Err(AppError::Forbidden);
    }
    let now = state.now();
    // Recurring obligations roll forward once a day, not on every view.
    let tomorrow = end_of_day_in_england(add_days(date_in_england(now), 1)?)?;
    state.db.roll_obligations_forward(&state.engine, tomorrow).await?;
    let filter = WorklistFilter {
        establishment: Some(establishment.clone()),
        team: team.clone(),
        key_worker: (q.mine.as_deref() == Some("1")).then(|| staff.username.clone()),
        person: None,
    };
    let mut list: Vec<WorkItem> = state
        .db
        .worklist(&state.engine, &filter, now)
        .await?
        .into_iter()
        .filter(|i| staff.role.sees_team(&i.team) && staff.role.sees_standard(&i.standard))
        .filter(|i| match q.when.as_deref() {
            Some("overdue") => i.when == "overdue",
            Some("today") => i.when == "overdue" || i.when == "due-today",
            Some("week") => i.when != "later",
            _ => true,
        })
        .collect();
    // A complaint's deadlines are never shown to the staff it names.
    if list.iter().any(|i| i.standard.starts_with("complaint-")) {
        let people = state
            .db
            .pathway_timelines(
                &establishment,
                &["discrimination_complaint_raised"],
                &["discrimination_staff_identified"],
            )
            .await?;
        let named: std::collections::HashSet<String> = people
            .iter()
            .filter(|(_, t)| crate::roles::complaint_names(t, &staff.username))
            .map(|(p, _)| p.prison_number.to_string())
            .collect();
        list.retain(|i| !(i.standard.starts_with("complaint-") && named.contains(&i.prison_number)));
    }
    match q.sort.as_deref() {
        Some("person") => list.sort_by(|a, b| (&a.name, &a.due_at).cmp(&(&b.name, &b.due_at))),
        Some("standard") => list.sort_by(|a, b| (&a.title, &a.due_at).cmp(&(&b.title, &b.due_at))),
        _ => {}
    }
    Ok((list, team, Some(establishment)))
}

/// One line of a worklist as a person reads it: words, local times, names.
pub struct WorkRow {
    pub status: String,
    /// GOV.UK tag colour: red overdue, orange today, yellow this week, grey later.
    pub colour: &'static str,
    pub due: String,
    pub name: String,
    pub prison_number: String,
    pub title: String,
    pub key_worker: String,
    pub escalated: bool,
}

/// Worklist items for a page: due times in words as at `now`, key workers by name.
pub fn rows(items: &[WorkItem], names: &Directory, now: jiff::Timestamp) -> Vec<WorkRow> {
    items
        .iter()
        .filter_map(|i| {
            let due_at = throughcare_core::time::parse_instant(&i.due_at).ok()?;
            let colour = match i.when {
                "overdue" => "red",
                "due-today" => "orange",
                "due-this-week" => "yellow",
                _ => "grey",
            };
            let status = match i.when {
                "overdue" => display::due_status(due_at, now),
                "due-today" => "Due today".into(),
                "due-this-week" => "Due this week".into(),
                _ => "Later".into(),
            };
            Some(WorkRow {
                status: display::capitalise(&status),
                colour,
                due: display::due(due_at, now),
                name: i.name.clone(),
                prison_number: i.prison_number.clone(),
                title: i.title.clone(),
                key_worker: i.key_worker.as_deref().map_or("None allocated".into(), |k| names.staff(k)),
                escalated: i.escalated,
            })
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "worklist.html")]
pub struct WorklistPage {
    staff: Option<CurrentStaff>,
    establishment: String,
    items: Vec<WorkRow>,
    pagination: Pagination,
    teams: Vec<(&'static str, &'static str, bool)>,
    whens: Vec<(&'static str, &'static str, bool)>,
    sorts: Vec<(&'static str, &'static str, bool)>,
    mine: bool,
    is_key_worker: bool,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<WorklistQuery>,
) -> Result<WorklistPage, AppError> {
    let (items, team, establishment) = items(&state, &staff, &q).await?;
    let team = team.unwrap_or_default();
    let when = q.when.clone().unwrap_or_else(|| "all".into());
    let sort = q.sort.clone().unwrap_or_else(|| "due".into());
    let mut teams: Vec<(&'static str, &'static str, bool)> = vec![("all", "All teams", team.is_empty())];
    teams.extend(
        Team::ALL.iter().filter(|t| staff.role.sees_team(t.code())).map(|t| (t.code(), t.label(), t.code() == team)),
    );
    let whens = [
        ("all", "Everything open"),
        ("overdue", "Overdue"),
        ("today", "Overdue or due today"),
        ("week", "Due within a week"),
    ]
    .into_iter()
    .map(|(c, l)| (c, l, c == when))
    .collect();
    let sorts = [("due", "Most overdue first"), ("person", "Name"), ("standard", "What is due")]
        .into_iter()
        .map(|(c, l)| (c, l, c == sort))
        .collect();
    let names = Directory::load(&state).await?;
    let rows = rows(&items, &names, state.now());
    let base = query(&[
        ("team", q.team.as_deref().unwrap_or("")),
        ("when", q.when.as_deref().unwrap_or("")),
        ("sort", q.sort.as_deref().unwrap_or("")),
        ("mine", q.mine.as_deref().unwrap_or("")),
        ("establishment", q.establishment.as_deref().unwrap_or("")),
    ]);
    let (items, pagination) = Pagination::cut(rows, q.page, base);
    Ok(WorklistPage {
        establishment: establishment.map(|e| names.establishment(&e)).unwrap_or_default(),
        items,
        pagination,
        teams,
        whens,
        sorts,
        mine: q.mine.as_deref() == Some("1"),
        is_key_worker: staff.role == crate::roles::Role::KeyWorker,
        staff: Some(staff),
    })
}

#[derive(Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    establishment: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    staff: Option<CurrentStaff>,
    report: ComplianceReport,
    place: String,
    from: String,
    to: String,
    /// "2 December 2025 to 2 December 2026", for the sentence above the table.
    period: String,
    /// Waiting times for referrals made in the period, one row per service.
    waits: Vec<WaitRow>,
    errors: Vec<(&'static str, String)>,
}

pub struct WaitRow {
    service: &'static str,
    made: usize,
    answered: usize,
    declined: usize,
    median: String,
    p90: String,
    waiting: usize,
    longest: String,
}

fn days(d: Option<f64>) -> String {
    d.map_or("–".to_string(), |d| format!("{d:.1}"))
}

pub async fn report(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<ReportQuery>,
) -> Result<ReportPage, AppError> {
    let today = date_in_england(state.now());
    let default_from = add_days(today, -365)?;
    let (period, errors) =
        super::period_fields(&q.from, &q.to, throughcare_core::time::Period { from: default_from, to: today });
    let establishment = if staff.role.estate_wide() {
        q.establishment
            .as_deref()
            .filter(|e| !e.is_empty())
            .map(EstablishmentCode::parse)
            .transpose()
            .map_err(|e| AppError::BadRequest(e.to_string()))?
    } else {
        staff.establishment.clone()
    };
    let (from, to) = (period.from, period.to);
    let report = state.db.compliance_report(&state.engine, from, to, establishment.as_ref(), state.now()).await?;
    let now = state.now();
    let mut all = Vec::new();
    state
        .db
        .for_each_timeline(establishment.as_ref(), |_, t| {
            all.extend(throughcare_core::pathways::referral::referrals(t))
        })
        .await?;
    let start = throughcare_core::time::start_of_day_in_england(from)?;
    let end = throughcare_core::time::end_of_day_in_england(to)?;
    let waits = throughcare_core::pathways::referral::waits(&all, start, end, now)
        .into_iter()
        .map(|w| WaitRow {
            service: w.service.label(),
            made: w.made,
            answered: w.answered,
            declined: w.declined,
            median: days(w.median_days),
            p90: days(w.p90_days),
            waiting: w.waiting,
            longest: days(w.longest_waiting_days),
        })
        .collect();
    Ok(ReportPage {
        place: match &establishment {
            Some(e) => Directory::load(&state).await?.establishment(e),
            None => "the estate".into(),
        },
        period: format!("{} to {}", display::date(from), display::date(to)),
        from: q.from.unwrap_or_else(|| from.to_string()),
        to: q.to.unwrap_or_else(|| to.to_string()),
        report,
        waits,
        errors,
        staff: Some(staff),
    })
}
