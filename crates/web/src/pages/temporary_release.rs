//! Temporary release on compassionate grounds (a funeral, a dying relative) and other purposes:
//! the request, then the decision with the risk assessment's outcome and the reason given.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use throughcare_core::EventId;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{EventKind, ReleaseRisk, TemporaryReleasePurpose};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value, yes_no};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again};
use crate::present::when;

pub struct Request {
    id: String,
    purpose: &'static str,
    asked: String,
    /// None while waiting for a decision.
    decided: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "temporary_release/requests.html")]
pub struct RequestsPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    requests: Vec<Request>,
    purposes: Vec<(&'static str, &'static str)>,
    risks: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(RequestsPage);

impl RequestsPage {
    fn waiting(&self) -> Vec<&Request> {
        self.requests.iter().filter(|r| r.decided.is_none()).collect()
    }
}

/// Every request on the timeline, newest first, with its decision if made.
fn requests(t: &throughcare_core::timeline::Timeline, now: jiff::Timestamp) -> Vec<Request> {
    let live: Vec<_> = t.live().collect();
    let mut out: Vec<Request> = live
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::TemporaryReleaseRequested { purpose } => Some(Request {
                id: e.id.to_string(),
                purpose: purpose.label(),
                asked: when(e.occurred_at, now),
                decided: live.iter().find_map(|d| match &d.kind {
                    EventKind::TemporaryReleaseDecided { request, granted, risk, reason } if *request == e.id => {
                        Some(format!(
                            "{} {}{}{}",
                            if *granted { "Granted" } else { "Refused" },
                            when(d.occurred_at, now),
                            risk.map_or(String::new(), |r| format!(", {}", r.label().to_lowercase())),
                            reason.as_ref().map_or(String::new(), |r| format!(": {r}"))
                        ))
                    }
                    _ => None,
                }),
            }),
            _ => None,
        })
        .collect();
    out.reverse();
    out
}

async fn requests_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<RequestsPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    Ok(RequestsPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        requests: requests(&t, state.now()),
        purposes: codes::<TemporaryReleasePurpose>(),
        risks: codes::<ReleaseRisk>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn requests_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<RequestsPage, AppError> {
    requests_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records a request, or the decision on one; a refusal must say why, in words the person is given.
pub async fn requests_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = Vec::new();
    let kind = match value(&form, "action") {
        "request" => TemporaryReleasePurpose::parse_code(value(&form, "purpose"))
            .map_err(|_| errors.push(("purpose", "Select what the release is for".into())))
            .ok()
            .map(|purpose| EventKind::TemporaryReleaseRequested { purpose }),
        "decide" => {
            let waiting = requests(&t, state.now());
            let request = EventId::parse(value(&form, "request"))
                .ok()
                .filter(|id| waiting.iter().any(|r| r.id == id.to_string() && r.decided.is_none()));
            if request.is_none() {
                errors.push(("request", "Select a request waiting for a decision".into()));
            }
            let granted = yes_no(&form, "granted", "Select whether it was granted", &mut errors);
            let risk = ReleaseRisk::parse_code(value(&form, "risk"))
                .map_err(|_| errors.push(("risk", "Select the risk assessment's outcome".into())))
                .ok();
            let reason = value(&form, "reason");
            if granted == Some(false) && reason.is_empty() {
                errors.push(("reason", "Give the reason for the refusal, in words they will be given".into()));
            } else if reason.chars().count() > 500 {
                errors.push(("reason", "The reason must be 500 characters or fewer".into()));
            }
            match (request, granted) {
                (Some(request), Some(granted)) => Some(EventKind::TemporaryReleaseDecided {
                    request,
                    granted,
                    risk,
                    reason: (!reason.is_empty()).then(|| reason.to_string()),
                }),
                _ => None,
            }
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "action" };
    let done = format!("/people/{}/temporary-release", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "release")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(requests_page(&state, staff, &pn, form, errors).await?),
    }
}
