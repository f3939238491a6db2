//! Requests people make: each team's queue (first night first, then oldest), one request with
//! its steps (in progress, answered with a reason in plain words), and a paper request recorded
//! for the person. Health requests never reach these queues.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{EventKind, RequestCategory, RequestOutcome};
use throughcare_core::pathways::requests::{self, Request, Status};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, name, value};
use crate::pages::people::{reachable, reachable_case};
use crate::pages::record::{PathwayStep, again};
use crate::present::when;

/// A request as staff read it.
pub struct Row {
    id: String,
    person: String,
    prison_number: String,
    category: &'static str,
    detail: String,
    asked: String,
    first_night: bool,
    from_kiosk: bool,
    status: String,
    colour: &'static str,
}

fn team_label(team: &str) -> &'static str {
    match team {
        "chaplaincy" => "Chaplaincy",
        "equality" => "Equality team",
        "resettlement" => "Resettlement (family and visits)",
        "key-worker" => "Wing and key workers",
        _ => "Other",
    }
}

fn status_words(r: &Request, now: jiff::Timestamp) -> (String, &'static str) {
    match &r.status {
        Status::New => ("New".into(), "blue"),
        Status::InProgress { since } => (format!("In progress since {}", when(*since, now)), "yellow"),
        Status::Answered { at, outcome, .. } => (format!("{} {}", outcome.label(), when(*at, now)), "green"),
    }
}

fn row(person: &throughcare_core::Person, r: &Request, now: jiff::Timestamp) -> Row {
    let (status, colour) = status_words(r, now);
    Row {
        id: r.id.to_string(),
        person: name(person),
        prison_number: person.prison_number.to_string(),
        category: r.category.label(),
        detail: r.detail.clone().unwrap_or_default(),
        asked: when(r.raised_at, now),
        first_night: r.first_night,
        from_kiosk: r.from_kiosk,
        status,
        colour,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "requests/queue.html")]
pub struct QueuePage {
    staff: Option<CurrentStaff>,
    teams: Vec<(&'static str, &'static str, usize)>,
    team: &'static str,
    team_label: &'static str,
    open: Vec<Row>,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    team: Option<String>,
}

/// The open requests of one team at the member of staff's establishment.
pub async fn queue(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<QueueQuery>,
) -> Result<QueuePage, AppError> {
    let teams = staff.role.request_teams().ok_or(AppError::Forbidden)?;
    let team = q.team.as_deref().and_then(|t| teams.iter().find(|x| **x == t)).copied().unwrap_or(teams[0]);
    let now = state.now();
    let establishment = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let people = state
        .db
        .pathway_timelines(&establishment, &["request_raised"], &["request_progressed", "request_answered"])
        .await?;
    let mut counts = vec![0usize; teams.len()];
    let mut open: Vec<(bool, jiff::Timestamp, Row)> = Vec::new();
    for (person, t) in &people {
        for r in requests::requests(t).into_iter().filter(|r| r.status.is_open()) {
            let rt = requests::team(r.category);
            if let Some(i) = teams.iter().position(|x| *x == rt) {
                counts[i] += 1;
            }
            if rt == team {
                open.push((!r.first_night, r.raised_at, row(person, &r, now)));
            }
        }
    }
    // First night and early days first, then the longest waiting.
    open.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    Ok(QueuePage {
        teams: teams.iter().zip(counts).map(|(t, n)| (*t, team_label(t), n)).collect(),
        team,
        team_label: team_label(team),
        open: open.into_iter().map(|(_, _, r)| r).collect(),
        staff: Some(staff),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "requests/show.html")]
pub struct ShowPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    /// Whether this member of staff may answer (the governor reads the queues only).
    may_answer: bool,
    r: Row,
    reason: Option<String>,
    open: bool,
    new: bool,
    outcomes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(ShowPage);

/// The request, if it is one this member of staff's teams work; 404 otherwise, as for a person
/// they cannot reach.
async fn load(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
) -> Result<(throughcare_core::Person, throughcare_core::timeline::Timeline, Request), AppError> {
    let (person, t, r) = reachable_case(state, staff, id, requests::requests, |r| r.id).await?;
    let teams = staff.role.request_teams().unwrap_or(&[]);
    if !teams.contains(&requests::team(r.category)) {
        return Err(AppError::NotFound);
    }
    Ok((person, t, r))
}

async fn show_page(
    state: &AppState,
    staff: CurrentStaff,
    id: &str,
    form: Pairs,
    errors: Errors,
) -> Result<ShowPage, AppError> {
    let (person, _, r) = load(state, &staff, id).await?;
    crate::auth::audit(
        state,
        &staff.username,
        "viewed-request",
        Some(person.prison_number.as_str()),
        &r.id.to_string(),
    )
    .await?;
    let reason = match &r.status {
        Status::Answered { reason, .. } => reason.clone(),
        _ => None,
    };
    Ok(ShowPage {
        may_answer: staff.role.can(crate::roles::Access::AnswerRequests),
        open: r.status.is_open(),
        new: r.status == Status::New,
        r: row(&person, &r, state.now()),
        reason,
        outcomes: RequestOutcome::ALL.iter().map(|o| (o.code(), o.label())).collect(),
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
) -> Result<ShowPage, AppError> {
    show_page(&state, staff, &id, vec![], vec![]).await
}

/// Marks a request in progress, or answers it; anything but a full yes says why, in plain words.
pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, t, r) = load(&state, &staff, &id).await?;
    let mut errors: Errors = vec![];
    let kind = match value(&form, "action") {
        "progress" => Some(EventKind::RequestProgressed { request: r.id }),
        "answer" => {
            let outcome = RequestOutcome::parse_code(value(&form, "outcome"))
                .map_err(|_| errors.push(("outcome", "Select the answer".into())))
                .ok();
            let reason = value(&form, "reason");
            if reason.chars().count() > 1000 {
                errors.push(("reason", "The reason must be 1,000 characters or fewer".into()));
            } else if reason.is_empty()
                && matches!(outcome, Some(RequestOutcome::Declined | RequestOutcome::PartlyGranted))
            {
                errors.push(("reason", "Say why, in plain words: the person reads this on the kiosk".into()));
            }
            outcome.map(|outcome| EventKind::RequestAnswered {
                request: r.id,
                outcome,
                reason: (!reason.is_empty()).then(|| reason.to_string()),
            })
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "action" };
    let done = format!("/requests/{}", r.id);
    match step.record(&state, &staff, &person, &t, (&done, "request")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(show_page(&state, staff, &id, form, errors).await?),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "requests/person.html")]
pub struct PersonPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    requests: Vec<Row>,
    categories: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(PersonPage);

async fn person_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<PersonPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let mut list: Vec<Row> = requests::requests(&t)
        .iter()
        .filter(|r| requests::team(r.category) != "healthcare")
        .map(|r| row(&person, r, now))
        .collect();
    list.reverse();
    Ok(PersonPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        requests: list,
        categories: requests::kiosk_categories().into_iter().map(|c| (c.code(), c.label())).collect(),
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
    person_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records a paper request (or one made in person) for them: the same rules as the kiosk's.
pub async fn person_raise(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = vec![];
    let category =
        RequestCategory::parse_code(value(&form, "category")).ok().filter(|c| requests::kiosk_categories().contains(c));
    if category.is_none() {
        errors.push(("category", "Select what the request is about (for health, make a referral)".into()));
    }
    let detail = value(&form, "detail");
    if detail.is_empty() {
        errors.push(("detail", "Write what they asked for, in their words".into()));
    } else if detail.chars().count() > 1000 {
        errors.push(("detail", "Use 1,000 characters or fewer".into()));
    }
    let first_night = value(&form, "first_night") == "yes";
    let kind = category.map(|category| EventKind::RequestRaised {
        category,
        confidential: false,
        detail: Some(detail.split_whitespace().collect::<Vec<_>>().join(" ")),
        first_night,
        from_kiosk: false,
    });
    let step = PathwayStep { kind, occurred: None, errors, fields: &[("category", "category")], otherwise: "category" };
    let done = format!("/people/{}/requests", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "request")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(person_page(&state, staff, &pn, form, errors).await?),
    }
}
