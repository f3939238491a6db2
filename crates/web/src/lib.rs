//! throughcare on the web: staff pages (GOV.UK Design System), the JSON API, sign-in, roles and audit.

pub mod api;
pub mod auth;
pub mod clock;
mod error;
pub mod kiosk;
mod pages;
mod present;
pub mod roles;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use throughcare_store::Db;
use throughcare_store::obligations::Engine;

pub use auth::{CurrentStaff, hash_password};
pub use error::AppError;
/// The equality report for the CLI: built from the store, and written as one printable HTML file.
pub mod equality {
    pub use crate::pages::equality::{build_report, esc, measured_of, published_report, standalone_html};
}
use roles::{Access, ROUTES};

/// Settings the server needs beside the database.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mark cookies Secure: set when throughcare is served over TLS (directly or behind a proxy).
    pub secure_cookies: bool,
    /// Where "now" comes from: the system clock in `serve`, fixed in tests, shifted in a demo.
    pub clock: clock::Clock,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub engine: Arc<Engine>,
    pub config: Config,
    pub throttle: Arc<auth::Throttle>,
    /// Equality reports read every timeline: kept for a few minutes so moving between measures is quick.
    pub reports: Arc<pages::equality::ReportCache>,
}

impl AppState {
    /// "Now" by the application's clock: the only clock a handler reads.
    pub fn now(&self) -> jiff::Timestamp {
        self.config.clock.now()
    }

    pub fn new(db: Db, engine: Arc<Engine>, config: Config) -> Self {
        Self {
            db,
            engine,
            config,
            throttle: Arc::new(auth::Throttle::default()),
            reports: Arc::new(pages::equality::ReportCache::default()),
        }
    }
}

fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    match (method, path) {
        ("GET", "/healthz") => get(|| async { "ok" }),
        ("GET", "/api/openapi.json") => get(api::openapi),
        ("GET", "/assets/{file}") => get(pages::asset),
        ("GET", "/sign-in") => get(pages::sign_in_page),
        ("POST", "/sign-in") => post(pages::sign_in),
        ("POST", "/sign-out") => post(pages::sign_out),
        ("GET", "/") => get(pages::home::home),
        ("GET", "/people") => get(pages::people::search),
        ("GET", "/people/{pn}") => get(pages::people::person),
        ("GET", "/people/{pn}/record") => get(pages::record::form),
        ("POST", "/people/{pn}/record") => post(pages::record::submit),
        ("GET", "/people/{pn}/audit") => get(pages::people::audit),
        ("GET", "/caseload") => get(pages::people::caseload),
        ("GET", "/worklist") => get(pages::worklist::page),
        ("GET", "/reports/standards") => get(pages::worklist::report),
        ("GET", "/reports/equality") => get(pages::equality::page),
        ("POST", "/reports/equality/findings") => post(pages::equality::record),
        ("GET", "/findings") => get(pages::equality::list),
        ("GET", "/findings/{id}") => get(pages::equality::show),
        ("POST", "/findings/{id}") => post(pages::equality::change),
        ("GET", "/reception") => get(pages::reception::find),
        ("GET", "/reception/book-in") => get(pages::reception::book_in_form),
        ("POST", "/reception/book-in") => post(pages::reception::book_in),
        ("GET", "/people/{pn}/screen/{instrument}") => get(pages::screening::form),
        ("POST", "/people/{pn}/screen/{instrument}") => post(pages::screening::submit),
        ("GET", "/people/{pn}/refer") => get(pages::referrals::refer_form),
        ("POST", "/people/{pn}/refer") => post(pages::referrals::refer),
        ("GET", "/people/{pn}/medicines") => get(pages::medicines::page),
        ("POST", "/people/{pn}/medicines") => post(pages::medicines::step),
        ("GET", "/referrals") => get(pages::referrals::queue),
        ("GET", "/referrals/{id}") => get(pages::referrals::show),
        ("POST", "/referrals/{id}") => post(pages::referrals::step),
        ("GET", "/hospital-transfers") => get(pages::referrals::hospital_transfers),
        ("GET", "/people/{pn}/self-harm") => get(pages::acct::self_harm_form),
        ("POST", "/people/{pn}/self-harm") => post(pages::acct::open),
        ("GET", "/people/{pn}/acct") => get(pages::acct::open_form),
        ("POST", "/people/{pn}/acct") => post(pages::acct::open),
        ("GET", "/acct") => get(pages::acct::register),
        ("GET", "/key-work") => get(pages::key_work::my_people),
        ("GET", "/key-work/allocations") => get(pages::allocation::allocations),
        ("POST", "/key-work/allocations") => post(pages::allocation::record_absence),
        ("GET", "/people/{pn}/key-work") => get(pages::key_work::person_form),
        ("POST", "/people/{pn}/key-work") => post(pages::key_work::person_step),
        ("GET", "/training") => get(pages::training::training),
        ("POST", "/training") => post(pages::training::record_training),
        ("GET", "/people/{pn}/family") => get(pages::family::family_form),
        ("GET", "/people/{pn}/temporary-release") => get(pages::temporary_release::requests_form),
        ("POST", "/people/{pn}/temporary-release") => post(pages::temporary_release::requests_step),
        ("POST", "/people/{pn}/family") => post(pages::family::family_step),
        ("GET", "/mbu") => get(pages::mbu::register),
        ("GET", "/mbu/{pn}") => get(pages::mbu::woman_form),
        ("POST", "/mbu/{pn}") => post(pages::mbu::woman_step),
        ("GET", "/acct/{id}") => get(pages::acct::show),
        ("POST", "/acct/{id}") => post(pages::acct::step),
        ("POST", "/people/{pn}/acct-check") => post(pages::acct::check),
        ("GET", "/listeners") => get(pages::listeners::register),
        ("GET", "/listeners/requests/{id}") => get(pages::listeners::show),
        ("POST", "/listeners/requests/{id}") => post(pages::listeners::answer),
        ("GET", "/people/{pn}/peer-supporter") => get(pages::listeners::supporter_form),
        ("POST", "/people/{pn}/peer-supporter") => post(pages::listeners::supporter_step),
        ("GET", "/people/{pn}/listener") => get(pages::listeners::ask_form),
        ("POST", "/people/{pn}/listener") => post(pages::listeners::ask),
        ("GET", "/people/{pn}/kiosk-pin") => get(pages::information::pin_form),
        ("POST", "/people/{pn}/kiosk-pin") => post(pages::information::set_pin),
        ("GET", "/people/{pn}/information") => get(pages::information::give_form),
        ("POST", "/people/{pn}/information") => post(pages::information::give),
        ("GET", "/people/{pn}/requests") => get(pages::requests::person_form),
        ("POST", "/people/{pn}/requests") => post(pages::requests::person_raise),
        ("GET", "/people/{pn}/complaint") => get(pages::complaints::new_form),
        ("POST", "/people/{pn}/complaint") => post(pages::complaints::send),
        ("GET", "/complaints") => get(pages::complaints::log),
        ("GET", "/complaints/{id}") => get(pages::complaints::show),
        ("POST", "/complaints/{id}") => post(pages::complaints::step),
        ("GET", "/scrutiny") => get(pages::scrutiny::samples),
        ("POST", "/scrutiny") => post(pages::scrutiny::draw),
        ("GET", "/scrutiny/{id}") => get(pages::scrutiny::show),
        ("POST", "/scrutiny/{id}") => post(pages::scrutiny::step),
        ("GET", "/scrutiny/{id}/export.csv") => get(pages::scrutiny::export),
        ("GET", "/equality-team") => get(pages::equality_team::team),
        ("POST", "/equality-team") => post(pages::equality_team::record),
        ("GET", "/festivals") => get(pages::equality_team::festivals),
        ("POST", "/festivals") => post(pages::equality_team::plan_festival),
        ("GET", "/directory") => get(pages::directory::directory),
        ("POST", "/directory") => post(pages::directory::list_service),
        ("GET", "/people/{pn}/directory") => get(pages::directory::person),
        ("POST", "/people/{pn}/directory") => post(pages::directory::person_record),
        ("GET", "/regime") => get(pages::equality_team::regime),
        ("GET", "/equality-objectives") => get(pages::objectives::objectives),
        ("POST", "/equality-objectives") => post(pages::objectives::record_objective),
        ("GET", "/experts-by-experience") => get(pages::objectives::experts),
        ("POST", "/experts-by-experience") => post(pages::objectives::record_involvement),
        ("GET", "/annual-reports") => get(pages::annual_report::list),
        ("POST", "/annual-reports") => post(pages::annual_report::start),
        ("GET", "/annual-reports/{id}") => get(pages::annual_report::show),
        ("POST", "/annual-reports/{id}") => post(pages::annual_report::act),
        ("GET", "/annual-reports/{id}/preview") => get(pages::annual_report::preview),
        ("GET", "/published-reports") => get(pages::annual_report::published_list),
        ("GET", "/published-reports/{id}") => get(pages::annual_report::published),
        ("GET", "/published-reports/{id}/{file}") => get(pages::annual_report::published_file),
        ("GET", "/reports/proms") => get(pages::proms::page),
        ("POST", "/regime") => post(pages::equality_team::curtail),
        ("GET", "/requests") => get(pages::requests::queue),
        ("GET", "/requests/{id}") => get(pages::requests::show),
        ("POST", "/requests/{id}") => post(pages::requests::step),
        ("GET", "/people/{pn}/transfer") => get(pages::transfer::transfer_form),
        ("POST", "/people/{pn}/transfer") => post(pages::transfer::transfer_step),
        ("GET", "/people/{pn}/transfer-record") => get(pages::transfer::download),
        // A whole record is larger than any form: up to 8 MB.
        ("GET", "/transfers/import") => get(pages::transfer::import_form),
        ("POST", "/transfers/import") => post(pages::transfer::import).layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        ("GET", "/people/{pn}/arrival") => get(pages::arrival::page),
        ("POST", "/people/{pn}/arrival") => post(pages::arrival::review),
        ("GET", "/people/{pn}/release") => get(pages::release::plan_page),
        ("POST", "/people/{pn}/release") => post(pages::release::plan_step),
        ("GET", "/release") => get(pages::release::board),
        ("GET", "/community-records") => get(pages::release::community_form),
        ("POST", "/community-records") => {
            post(pages::release::community_import).layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        }
        ("GET", "/kiosk/sign-in") => get(kiosk::pages::sign_in_page),
        ("POST", "/kiosk/sign-in") => post(kiosk::pages::sign_in),
        ("POST", "/kiosk/sign-out") => post(kiosk::pages::sign_out),
        ("GET", "/kiosk") => get(kiosk::pages::home),
        ("GET", "/kiosk/keep-alive") => get(kiosk::pages::keep_alive),
        ("POST", "/kiosk/settings") => post(kiosk::pages::settings),
        ("GET", "/kiosk/information") => get(kiosk::pages::read_list),
        ("GET", "/kiosk/information/{item}") => get(kiosk::pages::read_item),
        ("POST", "/kiosk/information/{item}") => post(kiosk::pages::check_item),
        ("GET", "/kiosk/complaints") => get(kiosk::pages::complaints_list),
        ("GET", "/kiosk/complaints/new") => get(kiosk::pages::complain_form),
        ("POST", "/kiosk/complaints") => post(kiosk::pages::complain),
        ("GET", "/kiosk/complaints/{id}") => get(kiosk::pages::complaint_show),
        ("POST", "/kiosk/complaints/{id}") => post(kiosk::pages::complaint_appeal),
        ("GET", "/kiosk/requests") => get(kiosk::pages::requests_list),
        ("GET", "/kiosk/requests/new") => get(kiosk::pages::ask_form),
        ("POST", "/kiosk/requests") => post(kiosk::pages::ask),
        ("GET", "/kiosk/requests/{id}") => get(kiosk::pages::request_show),
        ("GET", "/kiosk/help") => get(kiosk::pages::help_form),
        ("POST", "/kiosk/help") => post(kiosk::pages::help),
        ("GET", "/kiosk/me") => get(kiosk::pages::me),
        ("GET", "/kiosk/me/{characteristic}") => get(kiosk::pages::change_form),
        ("POST", "/kiosk/me/{characteristic}") => post(kiosk::pages::change),
        ("GET", "/kiosk/api/requests") => get(kiosk::pages::api_requests),
        ("GET", "/kiosk/api/requests/{id}") => get(kiosk::pages::api_request),
        ("GET", "/kiosk/release") => get(kiosk::pages::release),
        ("GET", "/api/v1/worklist") => get(api::worklist),
        ("GET", "/api/v1/people") => get(api::people),
        ("GET", "/api/v1/people/{pn}") => get(api::person),
        ("GET", "/api/v1/people/{pn}/events") => get(api::events),
        ("POST", "/api/v1/people/{pn}/events") => post(api::record),
        ("GET", "/api/v1/people/{pn}/transfer-record") => get(api::transfer_record),
        ("POST", "/api/v1/transfer-records") => {
            post(api::import_transfer).layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        }
        ("POST", "/api/v1/community-records") => {
            post(api::community_records).layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        }
        _ => panic!("route {method} {path} is in roles::ROUTES but has no handler"),
    }
}

/// The application, built from the access table so no route exists without a rule.
pub fn app(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for r in ROUTES {
        router = router.route(r.path, handler(r.method, r.path));
    }
    router
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), enforce_access))
        .layer(middleware::from_fn_with_state(state.clone(), auth::identify))
        .layer(middleware::from_fn_with_state(state.clone(), kiosk::identify))
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    res
}

/// Applies the access table: sign-in where needed, the role's permission, otherwise 403 (audited).
async fn enforce_access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    let lookup = if method == Method::HEAD { "GET" } else { method.as_str() };
    let Some(route) = roles::route(lookup, &path) else {
        // The router answers 405 for a known path with another method.
        return next.run(req).await;
    };
    if matches!(route.access, Access::Anyone | Access::KioskOpen) {
        return next.run(req).await;
    }
    // The kiosk answers to a person's kiosk session only; a staff session there is no one.
    if route.access == Access::Kiosk {
        if req.extensions().get::<kiosk::CurrentPerson>().is_some() {
            return next.run(req).await;
        }
        return if path.starts_with("/kiosk/api/") {
            error::json_error(StatusCode::UNAUTHORIZED, "sign in on the kiosk")
        } else {
            Redirect::to("/kiosk/sign-in").into_response()
        };
    }
    let is_api = path.starts_with("/api/");
    let Some(staff) = req.extensions().get::<CurrentStaff>().cloned() else {
        return if is_api {
            error::json_error(StatusCode::UNAUTHORIZED, "sign in, or send an API token")
        } else {
            Redirect::to("/sign-in").into_response()
        };
    };
    if !staff.role.can(route.access) {
        let detail = format!("{} {} refused to {}", method, req.uri().path(), staff.role);
        if let Err(e) = auth::audit(&state, &staff.username, "access-denied", None, &detail).await {
            return e.into_response();
        }
        return if is_api {
            error::json_error(StatusCode::FORBIDDEN, "your role may not do this")
        } else {
            AppError::Forbidden.into_response()
        };
    }
    next.run(req).await
}

/// Serves until the process is stopped.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app(state)).await
}
