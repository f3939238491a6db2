//! The JSON API under /api/v1: the same people, roles and need-to-know as the pages; one error shape.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use throughcare_core::codes::CodeSet;
use throughcare_core::event::EventKind;
use throughcare_core::time::{format_instant, parse_instant};
use throughcare_core::{Characteristic, Event, EventId, StaffRef};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::{AppError, json_error};
use crate::pages::people::{flags, reachable};

const OPENAPI: &str = include_str!("../openapi.json");

pub async fn openapi() -> Response {
    let mut res = OPENAPI.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// An API error: the app's error in the API's JSON shape.
pub struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}
impl From<throughcare_store::StoreError> for ApiError {
    fn from(e: throughcare_store::StoreError) -> Self {
        Self(AppError::Internal(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self.0 {
            tracing::error!(error = %e, "API request failed");
        }
        json_error(self.0.status(), &self.0.to_string())
    }
}

/// JSON bodies whose every rejection (bad JSON, wrong type, unknown field, too large) is an ApiError.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(e @ JsonRejection::JsonDataError(_)) => {
                Err(json_error(StatusCode::UNPROCESSABLE_ENTITY, &e.body_text()))
            }
            Err(e) => Err(json_error(e.status(), &e.body_text())),
        }
    }
}

#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
pub struct PersonSummary {
    prison_number: String,
    given_name: String,
    family_name: String,
    establishment: Option<String>,
    location: Option<String>,
    in_custody: bool,
}

pub async fn people(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<Search>,
) -> Result<Json<Vec<PersonSummary>>, ApiError> {
    if q.q.chars().count() > 100 {
        return Err(AppError::BadRequest("q is at most 100 characters".into()).into());
    }
    let scope = if staff.role.estate_wide() { None } else { staff.establishment.as_ref() };
    let found = state.db.search_people(&q.q, scope, 50).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|(p, c)| PersonSummary {
                prison_number: p.prison_number.to_string(),
                given_name: p.given_name.as_str().into(),
                family_name: p.family_name.as_str().into(),
                establishment: c.as_ref().and_then(|c| c.establishment.as_ref().map(ToString::to_string)),
                location: c.as_ref().and_then(|c| c.location.clone()),
                in_custody: c.is_some_and(|c| c.in_custody),
            })
            .collect(),
    ))
}

#[derive(Serialize)]
pub struct PersonView {
    prison_number: String,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    establishment: Option<String>,
    in_custody: bool,
    flags: Vec<String>,
    characteristics: BTreeMap<&'static str, String>,
}

pub async fn person(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<Json<PersonView>, ApiError> {
    let (p, custody) = reachable(&state, &staff, &pn).await?;
    let now = state.now();
    let s = state.db.timeline(&p.prison_number).await?.state_at(now);
    let characteristics: BTreeMap<&'static str, String> = Characteristic::ALL
        .iter()
        .copied()
        .filter(|c| *c != Characteristic::Age && staff.role.sees(*c))
        .map(|c| (c.code(), s.characteristics.code_at(c, now)))
        .collect();
    let shown: Vec<&str> = characteristics.keys().copied().collect();
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed-person",
        Some(p.prison_number.as_str()),
        &format!("API; characteristics shown: {}", shown.join(", ")),
    )
    .await?;
    Ok(Json(PersonView {
        prison_number: p.prison_number.to_string(),
        given_name: p.given_name.as_str().into(),
        family_name: p.family_name.as_str().into(),
        date_of_birth: p.date_of_birth.to_string(),
        establishment: custody.as_ref().and_then(|c| c.establishment.as_ref().map(ToString::to_string)),
        in_custody: custody.is_some_and(|c| c.in_custody),
        flags: flags(&s).into_iter().map(|(f, _)| f).collect(),
        characteristics,
    }))
}

#[derive(Serialize)]
pub struct EventView {
    id: String,
    kind: &'static str,
    occurred_at: String,
    recorded_at: String,
    recorded_by: String,
    supersedes: Option<String>,
    details: Option<serde_json::Value>,
}

pub async fn events(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let (p, _) = reachable(&state, &staff, &pn).await?;
    let timeline = state.db.timeline(&p.prison_number).await?;
    let out: Vec<EventView> = timeline
        .live()
        .filter(|e| match &e.kind {
            EventKind::CharacteristicDeclared(d) => staff.role.sees(d.characteristic()),
            _ => staff.role.reads_event(&staff.username, e, &timeline) != crate::roles::Reading::Hidden,
        })
        .map(|e| EventView {
            id: e.id.to_string(),
            kind: e.kind.name(),
            occurred_at: format_instant(e.occurred_at),
            recorded_at: format_instant(e.recorded_at),
            recorded_by: e.recorded_by.to_string(),
            supersedes: e.correction.as_ref().map(|c| c.supersedes.to_string()),
            details: (staff.role.reads_event(&staff.username, e, &timeline) == crate::roles::Reading::Full)
                .then(|| e.kind.details_value()),
        })
        .collect();
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed-timeline",
        Some(p.prison_number.as_str()),
        &format!("API; clinical detail: {}", staff.role.sees_clinical_detail()),
    )
    .await?;
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    kind: String,
    occurred_at: String,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

pub async fn record(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    ApiJson(body): ApiJson<NewEvent>,
) -> Result<Response, ApiError> {
    let (p, custody) = reachable(&state, &staff, &pn).await?;
    if !staff.role.may_record(&body.kind) {
        return Err(AppError::Forbidden.into());
    }
    let details = body.details.map(|d| d.to_string()).unwrap_or_default();
    let kind = EventKind::parse(&body.kind, &details).map_err(|e| AppError::Unprocessable(e.to_string()))?;
    let occurred_at =
        parse_instant(&body.occurred_at).map_err(|e| AppError::Unprocessable(format!("occurred_at: {e}")))?;
    let mut kind = kind;
    // The caseload cap holds through the API as on the page: above it, a reason or a refusal.
    if let (EventKind::KeyWorkerAllocated { .. }, Some(est)) = (&kind, custody.and_then(|c| c.establishment)) {
        let list = crate::pages::key_work::candidates(&state, &est).await?;
        let current = state.db.timeline(&p.prison_number).await?.state_at(state.now()).key_worker;
        let names = crate::present::Directory::load(&state).await?;
        if let Some((field, m)) = crate::pages::key_work::allocation_refused(&list, current.as_ref(), &mut kind, &names)
        {
            return Err(AppError::Unprocessable(format!("{field}: {m}")).into());
        }
    }
    let event = Event {
        id: EventId::from_uuid(uuid::Uuid::new_v4()),
        person: p.prison_number.clone(),
        occurred_at,
        recorded_at: crate::pages::record::recorded_now(&state, &p.prison_number).await?,
        recorded_by: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        correction: None,
        kind,
    };
    event.check().map_err(AppError::Unprocessable)?;
    if let Some((target, _)) = event.kind.answers() {
        let found = state.db.event_summaries(&[target]).await?;
        event.check_links(|id| found.get(&id).map(|(s, _)| s.clone())).map_err(AppError::Unprocessable)?;
    }
    let codes = event.kind.establishments();
    let known = if codes.is_empty() { vec![] } else { state.db.establishments().await? };
    for code in codes {
        if !known.iter().any(|e| &e.code == code) {
            return Err(AppError::Unprocessable(format!("unknown establishment {code}")).into());
        }
    }
    let id = event.id.to_string();
    crate::pages::record::append(&state, &staff, event).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// The worklist as JSON: the same items, filters and need-to-know as the page.
pub async fn worklist(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<crate::pages::worklist::WorklistQuery>,
) -> Result<Json<Vec<throughcare_store::obligations::WorkItem>>, ApiError> {
    let (items, _, _) = crate::pages::worklist::items(&state, &staff, &q).await?;
    Ok(Json(items))
}

#[derive(Deserialize)]
pub struct RecordQuery {
    #[serde(default)]
    format: Option<String>,
}

/// A person's whole record for another estate: throughcare's own file (default) or, with
/// `format=fhir`, a FHIR R4 UK Core bundle. Audited: it holds special-category data.
pub async fn transfer_record(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Query(q): Query<RecordQuery>,
) -> Result<Response, ApiError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let pn = &person.prison_number;
    let now = state.now();
    let err = crate::pages::transfer::transfer_error;
    let (body, content_type) = match q.format.as_deref() {
        Some("fhir") => {
            (throughcare_store::transfer::export_fhir(&state.db, pn, now).await.map_err(err)?, "application/fhir+json")
        }
        None | Some("throughcare") => {
            let text = throughcare_store::transfer::export_record(&state.db, pn, now).await.map_err(err)?.to_json();
            (serde_json::from_str(&text).expect("the record is JSON"), "application/json")
        }
        Some(other) => {
            return Err(AppError::BadRequest(format!("format must be throughcare or fhir, not {other:?}")).into());
        }
    };
    crate::auth::audit(&state, &staff.username, "transfer-record-exported", Some(pn.as_str()), "through the API")
        .await?;
    let mut res = Json(body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(res)
}

/// Refused whole: every problem, each named by where it is.
fn rejected(problems: Vec<String>) -> Response {
    let title = format!("{} problem(s) found; nothing was imported", problems.len());
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({ "error": { "status": 422, "title": title, "problems": problems } })),
    )
        .into_response()
}

/// Reads a record from another estate (throughcare's file or a FHIR bundle), all or nothing.
pub async fn import_transfer(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    body: String,
) -> Result<Response, ApiError> {
    match crate::pages::transfer::read(&state, &body, &staff.username).await? {
        Ok(i) => Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({
                "prison_number": i.prison_number.to_string(),
                "new_person": i.new_person,
                "events_added": i.events_added,
                "events_known": i.events_known,
            })),
        )
            .into_response()),
        Err(problems) => Ok(rejected(problems)),
    }
}

/// Matches a CSV of people known to community services against people in custody.
pub async fn community_records(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    body: String,
) -> Result<Response, ApiError> {
    match throughcare_store::community::import(&state.db, body.as_bytes(), &state.engine, state.now(), &staff.username)
        .await
    {
        Ok(m) => Ok(Json(serde_json::json!({
            "rows": m.rows,
            "in_custody": m.in_custody.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "flagged": m.flagged.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "already_matched": m.already,
        }))
        .into_response()),
        Err(throughcare_store::ImportError::Rejected(rows)) => {
            Ok(rejected(rows.iter().map(ToString::to_string).collect()))
        }
        Err(throughcare_store::ImportError::Store(e)) => Err(e.into()),
        Err(throughcare_store::ImportError::Io(e)) => Err(AppError::BadRequest(e.to_string()).into()),
    }
}
