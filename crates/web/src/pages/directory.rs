//! The voluntary, community and arts directory: each establishment's organisations and services
//! (what, for whom, when, how to refer, whether consent is needed), a person referred to one as
//! part of their ACCT care plan, key work, release plan or a referral, and the sessions they attend.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::establishment::{Kind, Service};
use throughcare_core::event::{Activity, EventKind, PlanKind};
use throughcare_core::{EventId, display};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again};
use crate::pages::scrutiny::append;
use crate::roles::Access;

#[derive(Template, WebTemplate)]
#[template(path = "directory/list.html")]
pub struct ListPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    records: bool,
    services: Vec<Service>,
    categories: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(ListPage);

async fn list_page(state: &AppState, staff: CurrentStaff, form: Pairs, errors: Errors) -> Result<ListPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    Ok(ListPage {
        records: staff.role.can(Access::RecordEqualityWork),
        services: state.db.register(&est).await?.services,
        categories: codes::<Activity>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn directory(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<ListPage, AppError> {
    list_page(&state, staff, vec![], vec![]).await
}

/// Adds a service to the directory (or takes one out).
pub async fn list_service(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut errors: Errors = vec![];
    let kind = if value(&form, "action") == "withdraw" {
        let service = EventId::parse(value(&form, "service")).map_err(|_| AppError::BadRequest("service".into()))?;
        Some(Kind::ServiceWithdrawn { service })
    } else {
        let category = Activity::parse_code(value(&form, "category"))
            .map_err(|_| errors.push(("category", "Select the kind of activity".into())))
            .ok();
        let consent_needed = match value(&form, "consent_needed") {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(("consent_needed", "Select whether the person's consent is needed".into()));
                None
            }
        };
        const FIELDS: [(&str, &str); 6] = [
            ("organisation", "Enter the organisation"),
            ("service", "Enter the service's name"),
            ("what", "Say what it offers"),
            ("for_whom", "Say who it is for"),
            ("when", "Say when it runs"),
            ("how_to_refer", "Say how to refer someone"),
        ];
        for (f, m) in FIELDS {
            if value(&form, f).is_empty() {
                errors.push((f, m.into()));
            }
        }
        match (category, consent_needed) {
            (Some(category), Some(consent_needed)) if errors.is_empty() => Some(Kind::ServiceListed {
                organisation: value(&form, "organisation").into(),
                service: value(&form, "service").into(),
                category,
                what: value(&form, "what").into(),
                for_whom: value(&form, "for_whom").into(),
                when: value(&form, "when").into(),
                how_to_refer: value(&form, "how_to_refer").into(),
                consent_needed,
            }),
            _ => None,
        }
    };
    if let Some(kind) = kind {
        match append(&state, &staff, kind).await? {
            Ok(_) => return Ok(super::flash::redirect("/directory", "directory")),
            Err(reason) => errors.push(crate::pages::equality_team::refusal(reason, "organisation")),
        }
    }
    let page = list_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "directory/person.html")]
pub struct PersonPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    services: Vec<(String, String)>,
    plans: Vec<(&'static str, &'static str)>,
    /// (when, what)
    history: Vec<(String, String)>,
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
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let services = state.db.register(&est).await?.services;
    let label = |id: &EventId| {
        services
            .iter()
            .find(|s| s.id == *id)
            .map_or("a service no longer listed".into(), |s| format!("{} ({})", s.service, s.organisation))
    };
    let t = state.db.timeline(&person.prison_number).await?;
    let mut history: Vec<(String, String)> = t
        .live()
        .filter_map(|e| match &e.kind {
            EventKind::ServiceReferral { service, part_of, consented } => Some((
                display::instant(e.occurred_at),
                format!(
                    "Referred to {} as part of {}{}",
                    label(service),
                    part_of.label().to_lowercase(),
                    if *consented { ", with their consent" } else { "" }
                ),
            )),
            EventKind::ActivityAttended { service: Some(service), minutes, .. } => {
                Some((display::instant(e.occurred_at), format!("Attended {} for {minutes} minutes", label(service))))
            }
            _ => None,
        })
        .collect();
    history.reverse();
    Ok(PersonPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        services: services.iter().map(|s| (s.id.to_string(), format!("{}: {}", s.organisation, s.service))).collect(),
        plans: codes::<PlanKind>(),
        history,
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn person(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<PersonPage, AppError> {
    person_page(&state, staff, &pn, vec![], vec![]).await
}

/// Refers the person to a service (consent first where the service needs it), or records a session.
pub async fn person_record(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let services = state.db.register(&est).await?.services;
    let mut errors: Errors = vec![];
    let service = EventId::parse(value(&form, "service"))
        .ok()
        .and_then(|id| services.iter().find(|s| s.id == id))
        .ok_or_else(|| errors.push(("service", "Select a service from the directory".into())))
        .ok();
    let kind = match value(&form, "action") {
        "refer" => {
            let part_of = PlanKind::parse_code(value(&form, "part_of"))
                .map_err(|_| errors.push(("part_of", "Select the plan this referral is part of".into())))
                .ok();
            let consented = value(&form, "consented") == "yes";
            if service.is_some_and(|s| s.consent_needed) && !consented {
                errors.push((
                    "consented",
                    "This service needs their consent: ask them first, and refer only if they agree".into(),
                ));
            }
            match (service, part_of) {
                (Some(s), Some(part_of)) if errors.is_empty() => {
                    Some(EventKind::ServiceReferral { service: s.id, part_of, consented })
                }
                _ => None,
            }
        }
        "attended" => {
            let minutes = value(&form, "minutes").parse::<u16>().ok().filter(|m| (1..=720).contains(m));
            if minutes.is_none() {
                errors.push(("minutes", "Enter how long the session was, in minutes (1 to 720)".into()));
            }
            match (service, minutes) {
                (Some(s), Some(minutes)) if errors.is_empty() => {
                    Some(EventKind::ActivityAttended { activity: s.category, minutes, service: Some(s.id) })
                }
                _ => None,
            }
        }
        _ => return Err(AppError::BadRequest("action".into())),
    };
    let t = state.db.timeline(&person.prison_number).await?;
    let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "service" };
    let done = format!("/people/{}/directory", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "directory")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(person_page(&state, staff, &pn, form, errors).await?),
    }
}
