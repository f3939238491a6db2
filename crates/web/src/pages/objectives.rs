//! Equality objectives with their actions, and the involvement of experts by experience: an
//! establishment's own record, which the governor's annual equality report draws on.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::establishment::{Aim, InvolvementArea, Kind};
use throughcare_core::time::date_in_england;
use throughcare_core::{EventId, display};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::equality_team::{date_from as date, refusal};
use crate::pages::form::{Errors, Pairs, codes, value};
use crate::pages::scrutiny::append;
use crate::present::Directory;
use crate::roles::Access;

pub struct ActionRow {
    pub id: String,
    pub action: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub colour: &'static str,
}

pub struct ObjectiveRow {
    pub aim: &'static str,
    pub objective: String,
    pub owner: String,
    pub set_on: String,
    pub review_by: String,
    pub review_overdue: bool,
    pub reviews: Vec<String>,
    pub actions: Vec<ActionRow>,
}

/// An action's status in words, and its tag colour.
pub fn action_status(done: bool, due: jiff::civil::Date, today: jiff::civil::Date) -> (&'static str, &'static str) {
    match (done, due < today) {
        (true, _) => ("Done", "govuk-tag--green"),
        (false, true) => ("Overdue", "govuk-tag--red"),
        (false, false) => ("Open", "govuk-tag--blue"),
    }
}

pub fn objective_rows(r: &throughcare_core::establishment::Register, today: jiff::civil::Date) -> Vec<ObjectiveRow> {
    r.objectives
        .iter()
        .map(|o| ObjectiveRow {
            aim: o.aim.label(),
            objective: o.objective.clone(),
            owner: o.owner.clone(),
            set_on: display::date(o.set_on),
            review_by: display::date(o.review_by),
            review_overdue: o.review_overdue(today),
            reviews: o.reviews.iter().map(|(on, outcome)| format!("{}: {outcome}", display::date(*on))).collect(),
            actions: o
                .actions
                .iter()
                .map(|a| {
                    let (status, colour) = action_status(a.done.is_some(), a.due, today);
                    ActionRow {
                        id: a.id.to_string(),
                        action: a.action.clone(),
                        owner: a.owner.clone(),
                        due: display::date(a.due),
                        status,
                        colour,
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "annual_report/objectives.html")]
pub struct ObjectivesPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    establishment: String,
    records: bool,
    objectives: Vec<ObjectiveRow>,
    aims: Vec<(&'static str, &'static str)>,
    objective_options: Vec<(String, String)>,
    form: Pairs,
    errors: Errors,
}

#[derive(Template, WebTemplate)]
#[template(path = "annual_report/experts.html")]
pub struct ExpertsPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    establishment: String,
    records: bool,
    /// (when, area, who, lived experience, what, what changed)
    involvements: Vec<(String, &'static str, String, String, String, String)>,
    areas: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(ObjectivesPage, ExpertsPage);

async fn objectives_page(
    state: &AppState,
    staff: CurrentStaff,
    form: Pairs,
    errors: Errors,
) -> Result<ObjectivesPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let r = state.db.register(&est).await?;
    let names = Directory::load(state).await?;
    Ok(ObjectivesPage {
        establishment: names.establishment(&est),
        records: staff.role.can(Access::RecordEqualityWork),
        objectives: objective_rows(&r, date_in_england(state.now())),
        aims: codes::<Aim>(),
        objective_options: r.objectives.iter().map(|o| (o.id.to_string(), o.objective.clone())).collect(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

async fn experts_page(
    state: &AppState,
    staff: CurrentStaff,
    form: Pairs,
    errors: Errors,
) -> Result<ExpertsPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let r = state.db.register(&est).await?;
    let names = Directory::load(state).await?;
    let mut involvements: Vec<_> = r.involvements.iter().collect();
    involvements.sort_by_key(|i| std::cmp::Reverse(i.on));
    Ok(ExpertsPage {
        establishment: names.establishment(&est),
        records: staff.role.can(Access::RecordEqualityWork),
        involvements: involvements
            .into_iter()
            .map(|i| {
                (
                    display::date(i.on),
                    i.area.label(),
                    i.who.clone(),
                    i.lived_experience.clone().unwrap_or_else(|| "Not stated".into()),
                    i.what.clone(),
                    i.changed.clone(),
                )
            })
            .collect(),
        areas: codes::<InvolvementArea>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn objectives(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<ObjectivesPage, AppError> {
    objectives_page(&state, staff, vec![], vec![]).await
}

pub async fn experts(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<ExpertsPage, AppError> {
    experts_page(&state, staff, vec![], vec![]).await
}

/// Sets an objective, agrees an action towards one, marks an action done or reviews an objective.
/// Refused with the message beside the field: an objective without an owner or review date, a
/// review more than four years away.
pub async fn record_objective(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let require = |field: &'static str, message: &str, errors: &mut Errors| {
        if value(&form, field).is_empty() {
            errors.push((field, message.into()));
        }
    };
    let kind = match value(&form, "action") {
        "objective" => {
            let aim =
                Aim::parse_code(value(&form, "aim")).map_err(|_| errors.push(("aim", "Select the aim".into()))).ok();
            require("objective", "Enter the objective", &mut errors);
            require("owner", "Enter who owns the objective", &mut errors);
            let set_on = date(&form, "set_", "set_on", &mut errors);
            let review_by = date(&form, "review_", "review_by", &mut errors);
            match (aim, set_on, review_by) {
                (Some(aim), Some(set_on), Some(review_by)) if errors.is_empty() => Some(Kind::ObjectiveSet {
                    aim,
                    objective: value(&form, "objective").into(),
                    owner: value(&form, "owner").into(),
                    set_on,
                    review_by,
                }),
                _ => None,
            }
        }
        "objective_action" => {
            let objective = EventId::parse(value(&form, "objective_id"))
                .map_err(|_| errors.push(("objective_id", "Select the objective".into())))
                .ok();
            require("what_action", "Enter what will be done", &mut errors);
            require("action_owner", "Enter who owns the action", &mut errors);
            let due = date(&form, "due_", "due", &mut errors);
            match (objective, due) {
                (Some(objective), Some(due)) if errors.is_empty() => Some(Kind::ObjectiveActionAgreed {
                    objective,
                    action: value(&form, "what_action").into(),
                    owner: value(&form, "action_owner").into(),
                    due,
                }),
                _ => None,
            }
        }
        "done" => {
            let action = EventId::parse(value(&form, "id")).map_err(|_| AppError::BadRequest("id".into()))?;
            Some(Kind::ObjectiveActionDone { action, note: None })
        }
        _ => return Err(AppError::BadRequest("action".into())),
    };
    if let Some(kind) = kind {
        match append(&state, &staff, kind).await? {
            Ok(_) => return Ok(super::flash::redirect("/equality-objectives", "objectives")),
            Err(reason) => {
                let (field, message) = refusal(reason, "objective");
                // An action's fields are named apart from the objective's on this page.
                let field = match (value(&form, "action"), field) {
                    ("objective_action", "action") => "what_action",
                    ("objective_action", "owner") => "action_owner",
                    (_, f) => f,
                };
                errors.push((field, message));
            }
        }
    }
    let page = objectives_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Records someone with lived experience taking part, and what changed because of it.
pub async fn record_involvement(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let area = InvolvementArea::parse_code(value(&form, "area"))
        .map_err(|_| errors.push(("area", "Select where they were involved".into())))
        .ok();
    for (field, message) in [
        ("who", "Enter who took part, as they agree to be described"),
        ("what", "Enter what they took part in"),
        ("changed", "Enter what changed as a result"),
    ] {
        if value(&form, field).is_empty() {
            errors.push((field, message.into()));
        }
    }
    let on = date(&form, "on_", "on", &mut errors);
    if let (Some(area), Some(on), true) = (area, on, errors.is_empty()) {
        let lived = value(&form, "lived_experience");
        let kind = Kind::ExpertInvolved {
            who: value(&form, "who").into(),
            lived_experience: (!lived.is_empty()).then(|| lived.to_string()),
            area,
            on,
            what: value(&form, "what").into(),
            changed: value(&form, "changed").into(),
        };
        match append(&state, &staff, kind).await? {
            Ok(_) => return Ok(super::flash::redirect("/experts-by-experience", "experts")),
            Err(reason) => errors.push(refusal(reason, "what")),
        }
    }
    let page = experts_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
