//! The kiosk's pages: sign-in, the start page, things to read, asking for something, asking for
//! help in confidence, and "about me". Every page reads only the signed-in person's own record.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use jiff::Timestamp;
use serde::Deserialize;
use throughcare_core::EventId;
use throughcare_core::characteristics::{Characteristic, Declaration, options};
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::{Format, Understood};
use throughcare_core::event::{Event, EventKind, Priority, RequestCategory, Service, SupportAsked};
use throughcare_core::information::{Content, Item, Line};
use throughcare_core::pathways::requests::{self, Request, Status};
use throughcare_core::standards::engine::Outcome;
use throughcare_core::timeline::Timeline;

use super::i18n::{Lang, Tr};
use super::{CurrentPerson, SignIn};
use crate::AppState;
use crate::error::AppError;

/// What every kiosk page's frame needs: the words, who is signed in, where "back" goes.
pub struct Chrome {
    pub tr: Tr,
    pub signed_in: bool,
    pub easy_read: bool,
    /// This page's path, to come back to after changing the language or format.
    pub here: String,
}

impl Chrome {
    fn of(p: &CurrentPerson, here: &str) -> Self {
        Self { tr: p.tr(), signed_in: true, easy_read: p.easy_read, here: here.to_string() }
    }
    pub fn speech(&self) -> &'static str {
        self.tr.lang.speech()
    }
}

type Errors = Vec<(&'static str, String)>;

fn error_for<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
}

/// A fixed message shown once after a step (`?done=KEY`): only known keys, never text from the URL.
fn done_message(tr: &Tr, done: Option<&str>) -> Option<String> {
    let id = match done? {
        "sent" => "ask-sent",
        "complained" => "complain-sent",
        "appealed" => "complaint-appealed",
        "feelings" => "help-sent-feelings",
        "listener" => "help-sent-listener",
        "mbu" => "help-sent-mbu",
        "checked" => "read-thanks",
        "explain" => "read-explain-asked",
        "saved" => "change-saved",
        "signed-out" => "signed-out",
        "timed-out" => "timed-out",
        _ => return None,
    };
    Some(tr.t(id))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

// ---------------------------------------------------------------- sign-in

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/sign_in.html")]
pub struct SignInPage {
    k: Chrome,
    done: Option<String>,
    prison_number: String,
    errors: Errors,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn sign_in_page(Query(q): Query<DoneQuery>) -> SignInPage {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or(Lang::En);
    let tr = Tr { lang };
    SignInPage {
        done: done_message(&tr, q.done.as_deref()),
        k: Chrome { tr, signed_in: false, easy_read: false, here: "/kiosk/sign-in".into() },
        prison_number: String::new(),
        errors: vec![],
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    prison_number: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    lang: String,
}

pub async fn sign_in(State(state): State<AppState>, Form(form): Form<SignInForm>) -> Result<Response, AppError> {
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::En);
    let tr = Tr { lang };
    let mut errors: Errors = vec![];
    if form.prison_number.trim().is_empty() {
        errors.push(("prison_number", tr.t("sign-in-missing-prison-number")));
    }
    if form.pin.trim().is_empty() {
        errors.push(("pin", tr.t("sign-in-missing-pin")));
    }
    if errors.is_empty() {
        match super::sign_in(&state, &form.prison_number, form.pin.trim(), Lang::parse(&form.lang)).await? {
            SignIn::Ok(token) => {
                let mut res = Redirect::to("/kiosk").into_response();
                let cookie = super::session_cookie(&token, state.config.secure_cookies);
                res.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii"));
                return Ok(res);
            }
            SignIn::Refused => errors.push(("prison_number", tr.t("sign-in-refused"))),
            SignIn::Wait(m) => errors.push(("prison_number", tr.a("sign-in-wait", &[("minutes", m.to_string())]))),
        }
    }
    let page = SignInPage {
        k: Chrome { tr, signed_in: false, easy_read: false, here: "/kiosk/sign-in".into() },
        done: None,
        prison_number: form.prison_number.chars().take(10).collect(),
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    timed_out: Option<String>,
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Form(form): Form<SignOutForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_write().await?;
    tx.end_kiosk_session(&p.session).await?;
    tx.audit(state.now(), &p.actor(), "kiosk-sign-out", Some(p.prison_number.as_str()), "signed out").await?;
    tx.commit().await?;
    let done = if form.timed_out.is_some() { "timed-out" } else { "signed-out" };
    let mut res = Redirect::to(&format!("/kiosk/sign-in?done={done}&lang={}", p.lang.code())).into_response();
    let cookie = super::session_cookie("", state.config.secure_cookies);
    res.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii"));
    Ok(res)
}

/// "Stay signed in": any request keeps the session alive; this one does nothing else.
pub async fn keep_alive(Extension(_p): Extension<CurrentPerson>) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    easy_read: Option<String>,
    #[serde(default)]
    back: String,
}

/// Changes the language or the format; comes back to the page it was asked from (a kiosk page only).
pub async fn settings(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let lang = form.language.as_deref().and_then(Lang::parse).unwrap_or(p.lang);
    let easy_read = form.easy_read.as_deref().map_or(p.easy_read, |v| v == "on");
    let mut tx = state.db.begin_write().await?;
    tx.set_kiosk_preferences(&p.prison_number, lang.code(), easy_read).await?;
    tx.commit().await?;
    let back = if form.back.starts_with("/kiosk") && !form.back.contains("//") && !form.back.contains('\\') {
        form.back
    } else {
        "/kiosk".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/not_found.html")]
pub struct NotFoundPage {
    k: Chrome,
}

/// The kiosk's own "page not found", in the person's language, with a way back to the start.
pub fn not_found(tr: Tr) -> Response {
    let page = NotFoundPage { k: Chrome { tr, signed_in: false, easy_read: false, here: "/kiosk".into() } };
    (StatusCode::NOT_FOUND, page).into_response()
}

// ---------------------------------------------------------------- reading and recording

/// The person's own timeline, with the read audited: the kiosk is a view of a record like any other.
async fn own_timeline(state: &AppState, p: &CurrentPerson, what: &str) -> Result<Timeline, AppError> {
    crate::auth::audit(state, &p.actor(), "kiosk-viewed", Some(p.prison_number.as_str()), what).await?;
    Ok(state.db.timeline(&p.prison_number).await?)
}

/// Records an event the person made on the kiosk, through the same checks as a member of staff's.
async fn record(state: &AppState, p: &CurrentPerson, kind: EventKind) -> Result<EventId, AppError> {
    let pn = &p.prison_number;
    crate::pages::record::record_as(state, pn.as_str(), &p.actor(), pn, kind, None).await
}

/// Whether a step would be refused by its pathway now, and why (for the message beside the field).
fn refused(state: &AppState, p: &CurrentPerson, t: &Timeline, kind: &EventKind) -> Option<String> {
    let pn = &p.prison_number;
    crate::pages::record::refused_as(state, pn.as_str(), pn, t, kind, None).ok().flatten()
}

// ---------------------------------------------------------------- home

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/home.html")]
pub struct HomePage {
    k: Chrome,
    name: String,
}

impl HomePage {
    fn hello(&self) -> String {
        self.k.tr.a("home-hello", &[("name", self.name.clone())])
    }
}

pub async fn home(State(state): State<AppState>, Extension(p): Extension<CurrentPerson>) -> Result<HomePage, AppError> {
    crate::auth::audit(&state, &p.actor(), "kiosk-viewed", Some(p.prison_number.as_str()), "start page").await?;
    Ok(HomePage { k: Chrome::of(&p, "/kiosk"), name: p.given_name.clone() })
}

// ---------------------------------------------------------------- things to read

pub struct ItemLink {
    id: String,
    title: String,
    /// When given, in words.
    given: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/read_list.html")]
pub struct ReadListPage {
    k: Chrome,
    given: Vec<ItemLink>,
    all: Vec<ItemLink>,
}

/// Items staff gave the person (latest first), by the library's id.
fn given_items(t: &Timeline) -> Vec<(String, Timestamp)> {
    let mut out: Vec<(String, Timestamp)> = Vec::new();
    for e in t.live() {
        if let EventKind::InformationGiven { item, from_kiosk: false, .. } = &e.kind {
            out.retain(|(i, _)| i != item);
            out.push((item.clone(), e.occurred_at));
        }
    }
    out.reverse();
    out
}

pub async fn read_list(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<ReadListPage, AppError> {
    let t = own_timeline(&state, &p, "things to read").await?;
    let tr = p.tr();
    let lib = &state.engine.library;
    let given = given_items(&t)
        .into_iter()
        .filter_map(|(id, at)| {
            lib.item(&id).map(|i| ItemLink {
                id: id.clone(),
                title: i.title(tr.lang.code()).into(),
                given: Some(tr.when(at)),
            })
        })
        .collect();
    let all = lib
        .items
        .iter()
        .map(|i| ItemLink { id: i.id.clone(), title: i.title(tr.lang.code()).into(), given: None })
        .collect();
    Ok(ReadListPage { k: Chrome::of(&p, "/kiosk/information"), given, all })
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/read_item.html")]
pub struct ReadItemPage {
    k: Chrome,
    id: String,
    title: String,
    paragraphs: Vec<String>,
    lines: Vec<Line>,
    link: Option<String>,
    /// The words are in English because the person's language has no version yet.
    fallback: bool,
    /// The language the words are in, for the page's `lang` attribute on them.
    content_lang: String,
    done: Option<String>,
    errors: Errors,
}

impl ReadItemPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The formats to choose a version by: easy read when the person chose it, otherwise their
/// communication profile's formats (written when none is recorded).
fn formats_for(p: &CurrentPerson, t: &Timeline) -> Vec<Format> {
    if p.easy_read {
        return vec![Format::EasyRead];
    }
    let state = t.state_at(Timestamp::MAX);
    state.communication.map_or(vec![Format::Written], |c| c.formats)
}

fn item_page(p: &CurrentPerson, t: &Timeline, item: &Item, done: Option<String>, errors: Errors) -> ReadItemPage {
    let tr = p.tr();
    let (version, fallback) = item.version_for(&formats_for(p, t), tr.lang.code());
    let (mut paragraphs, mut lines, mut link) = (vec![], vec![], None);
    match &version.content {
        Content::Paragraphs(ps) => paragraphs = ps.clone(),
        Content::Lines(ls) => lines = ls.clone(),
        Content::Link(l) => link = Some(l.clone()),
    }
    ReadItemPage {
        k: Chrome::of(p, &format!("/kiosk/information/{}", item.id)),
        id: item.id.clone(),
        title: item.title(version.language.as_str()).to_string(),
        paragraphs,
        lines,
        link,
        fallback,
        content_lang: version.language.as_str().to_string(),
        done,
        errors,
    }
}

pub async fn read_item(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<ReadItemPage, AppError> {
    let item = state.engine.library.item(&id).ok_or(AppError::NotFound)?;
    let t = own_timeline(&state, &p, &format!("information: {}", item.id)).await?;
    Ok(item_page(&p, &t, item, done_message(&p.tr(), q.done.as_deref()), vec![]))
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    understood: String,
}

/// "Did this make sense?": kept as the person's own check; "no" asks staff to explain it.
pub async fn check_item(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
    Form(form): Form<CheckForm>,
) -> Result<Response, AppError> {
    let item = state.engine.library.item(&id).ok_or(AppError::NotFound)?;
    let t = state.db.timeline(&p.prison_number).await?;
    let Some(understood) = Understood::parse_code(&form.understood).ok().filter(|u| *u != Understood::NotChecked)
    else {
        let page = item_page(&p, &t, item, None, vec![("understood", p.tr().t("read-check-missing"))]);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (version, _) = item.version_for(&formats_for(&p, &t), p.tr().lang.code());
    record(
        &state,
        &p,
        EventKind::InformationGiven {
            item: item.id.clone(),
            format: version.format,
            language: version.language.clone(),
            understood,
            from_kiosk: true,
        },
    )
    .await?;
    let mut done = "checked";
    if understood == Understood::No {
        let ask = EventKind::RequestRaised {
            category: RequestCategory::Information,
            confidential: false,
            detail: Some(format!("Please explain \"{}\" to me (read on the kiosk)", item.title("en"))),
            first_night: first_days(&t, state.now()),
            from_kiosk: true,
        };
        // One open request of a kind: if one about information is waiting, it stands for this too.
        let t = state.db.timeline(&p.prison_number).await?;
        if refused(&state, &p, &t, &ask).is_none() {
            record(&state, &p, ask).await?;
        }
        done = "explain";
    }
    Ok(Redirect::to(&format!("/kiosk/information/{}?done={done}", item.id)).into_response())
}

// ---------------------------------------------------------------- asking for something

/// Within the first three days of the current stay: a first-night or early-days request.
fn first_days(t: &Timeline, now: Timestamp) -> bool {
    let state = t.state_at(now);
    state
        .episodes
        .last()
        .is_some_and(|e| e.ended.is_none() && now - e.received_at < jiff::SignedDuration::from_hours(72))
}

pub struct CategoryChoice {
    code: &'static str,
    label: String,
    hint: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/ask.html")]
pub struct AskPage {
    k: Chrome,
    categories: Vec<CategoryChoice>,
    chosen: String,
    detail: String,
    errors: Errors,
}

impl AskPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn ask_page(p: &CurrentPerson, chosen: String, detail: String, errors: Errors) -> AskPage {
    let tr = p.tr();
    AskPage {
        k: Chrome::of(p, "/kiosk/requests/new"),
        categories: requests::kiosk_categories()
            .into_iter()
            .map(|c| CategoryChoice {
                code: c.code(),
                label: tr.t(&format!("category-{}", c.code())),
                hint: tr.t(&format!("category-{}-hint", c.code())),
            })
            .collect(),
        chosen,
        detail,
        errors,
    }
}

pub async fn ask_form(Extension(p): Extension<CurrentPerson>) -> AskPage {
    ask_page(&p, String::new(), String::new(), vec![])
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    detail: String,
}

pub async fn ask(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Form(form): Form<AskForm>,
) -> Result<Response, AppError> {
    let tr = p.tr();
    let mut errors: Errors = vec![];
    let category =
        RequestCategory::parse_code(&form.category).ok().filter(|c| requests::kiosk_categories().contains(c));
    if category.is_none() {
        errors.push(("category", tr.t("ask-category-missing")));
    }
    let detail = form.detail.trim();
    if detail.is_empty() {
        errors.push(("detail", tr.t("ask-detail-missing")));
    } else if detail.chars().count() > 1000 || detail.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        errors.push(("detail", tr.t("ask-detail-too-long")));
    }
    let t = state.db.timeline(&p.prison_number).await?;
    if let (Some(category), true) = (category, errors.is_empty()) {
        let kind = EventKind::RequestRaised {
            category,
            confidential: false,
            // Line breaks typed on the kiosk become spaces: a request is one short message.
            detail: Some(detail.split_whitespace().collect::<Vec<_>>().join(" ")),
            first_night: first_days(&t, state.now()),
            from_kiosk: true,
        };
        if refused(&state, &p, &t, &kind).is_some() {
            errors.push(("category", tr.t("ask-one-open")));
        } else {
            let id = record(&state, &p, kind).await?;
            return Ok(Redirect::to(&format!("/kiosk/requests/{id}?done=sent")).into_response());
        }
    }
    let page = ask_page(&p, form.category, form.detail, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A request as the person reads it.
pub struct RequestView {
    id: String,
    category: String,
    detail: Option<String>,
    asked: String,
    status: String,
    /// "green", "blue" or "grey" for the tag.
    colour: &'static str,
    outcome: Option<String>,
    answered: Option<String>,
    reason: Option<String>,
}

fn view(tr: &Tr, r: &Request) -> RequestView {
    let (status, colour, outcome, answered, reason) = match &r.status {
        Status::New => (tr.t("status-NEW"), "blue", None, None, None),
        Status::InProgress { .. } => (tr.t("status-IN_PROGRESS"), "yellow", None, None, None),
        Status::Answered { at, outcome, reason } => (
            tr.t("status-ANSWERED"),
            "green",
            Some(tr.t(&format!("outcome-{}", outcome.code()))),
            Some(tr.a("request-answered-on", &[("when", tr.when(*at))])),
            reason.clone(),
        ),
    };
    RequestView {
        id: r.id.to_string(),
        category: tr.t(&format!("category-{}", r.category.code())),
        detail: r.detail.clone(),
        asked: tr.a("requests-asked", &[("when", tr.when(r.raised_at))]),
        status,
        colour,
        outcome,
        answered,
        reason,
    }
}

/// The person's own requests that the kiosk shows (health goes by the confidential route).
fn own_requests(t: &Timeline) -> Vec<Request> {
    requests::requests(t).into_iter().filter(|r| requests::team(r.category) != "healthcare").collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/requests.html")]
pub struct RequestsPage {
    k: Chrome,
    requests: Vec<RequestView>,
}

pub async fn requests_list(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<RequestsPage, AppError> {
    let t = own_timeline(&state, &p, "requests").await?;
    let tr = p.tr();
    let mut list: Vec<RequestView> = own_requests(&t).iter().map(|r| view(&tr, r)).collect();
    list.reverse();
    Ok(RequestsPage { k: Chrome::of(&p, "/kiosk/requests"), requests: list })
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/request.html")]
pub struct RequestPage {
    k: Chrome,
    r: RequestView,
    done: Option<String>,
}

/// One of the person's own requests; any other id answers 404, whoever's it is.
async fn own_request(state: &AppState, p: &CurrentPerson, id: &str) -> Result<Request, AppError> {
    let id = EventId::parse(id).map_err(|_| AppError::NotFound)?;
    let t = own_timeline(state, p, &format!("request {id}")).await?;
    own_requests(&t).into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)
}

pub async fn request_show(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<RequestPage, AppError> {
    let r = own_request(&state, &p, &id).await?;
    let tr = p.tr();
    Ok(RequestPage {
        k: Chrome::of(&p, &format!("/kiosk/requests/{}", r.id)),
        r: view(&tr, &r),
        done: done_message(&tr, q.done.as_deref()),
    })
}

/// The person's requests as JSON, for the kiosk's own screens and tests: the same rule, own only.
pub async fn api_requests(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<Json<serde_json::Value>, AppError> {
    let t = own_timeline(&state, &p, "requests (API)").await?;
    Ok(Json(serde_json::json!({ "requests": own_requests(&t).iter().map(request_json).collect::<Vec<_>>() })))
}

pub async fn api_request(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
) -> Response {
    match own_request(&state, &p, &id).await {
        Ok(r) => Json(request_json(&r)).into_response(),
        Err(AppError::NotFound) => crate::error::json_error(StatusCode::NOT_FOUND, "not found"),
        Err(e) => e.into_response(),
    }
}

fn request_json(r: &Request) -> serde_json::Value {
    let (status, answered_at, outcome, reason) = match &r.status {
        Status::New => ("NEW", None, None, None),
        Status::InProgress { .. } => ("IN_PROGRESS", None, None, None),
        Status::Answered { at, outcome, reason } => {
            ("ANSWERED", Some(at.to_string()), Some(outcome.code()), reason.clone())
        }
    };
    serde_json::json!({
        "id": r.id.to_string(),
        "category": r.category.code(),
        "detail": r.detail,
        "raised_at": r.raised_at.to_string(),
        "status": status,
        "answered_at": answered_at,
        "outcome": outcome,
        "reason": reason,
    })
}

// ---------------------------------------------------------------- asking for help, in confidence

/// One confidential ask, shown as received and answered, never with what came of it clinically.
pub struct HelpAsk {
    kind: String,
    received: String,
    answered: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/help.html")]
pub struct HelpPage {
    k: Chrome,
    /// The MBU option is offered to women who meet the MBU criterion.
    mbu: bool,
    asks: Vec<HelpAsk>,
    done: Option<String>,
    chosen: String,
    errors: Errors,
}

impl HelpPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// Self-referrals, Listener requests and MBU visit requests, newest first, with when each was answered.
fn help_asks(tr: &Tr, t: &Timeline) -> Vec<HelpAsk> {
    let live: Vec<&Event> = t.live().collect();
    let mut out = Vec::new();
    for (i, e) in live.iter().enumerate() {
        let (kind, answered) = match &e.kind {
            EventKind::ReferralMade { self_referral: true, .. } => (
                "help-kind-feelings",
                live.iter().find_map(|d| match &d.kind {
                    EventKind::ReferralTriaged { referral }
                    | EventKind::ReferralSeen { referral }
                    | EventKind::ReferralAccepted { referral }
                    | EventKind::ReferralDeclined { referral, .. }
                        if *referral == e.id =>
                    {
                        Some(d.occurred_at)
                    }
                    _ => None,
                }),
            ),
            EventKind::ListenerRequested { .. } => (
                "help-kind-listener",
                live.iter().find_map(|d| match &d.kind {
                    EventKind::ListenerRequestMet { request, .. }
                    | EventKind::ListenerRequestNotMet { request, .. }
                    | EventKind::ListenerRequestWithdrawn { request, .. }
                        if *request == e.id =>
                    {
                        Some(d.occurred_at)
                    }
                    _ => None,
                }),
            ),
            EventKind::MbuVisitRequested {} => (
                "help-kind-mbu",
                live[i + 1..]
                    .iter()
                    .find(|d| matches!(d.kind, EventKind::MbuOfficerVisit { .. }))
                    .map(|d| d.occurred_at),
            ),
            _ => continue,
        };
        out.push(HelpAsk {
            kind: tr.t(kind),
            received: tr.a("help-received", &[("when", tr.when(e.occurred_at))]),
            answered: answered.map(|a| tr.a("help-answered", &[("when", tr.when(a))])),
        });
    }
    out.reverse();
    out
}

/// Whether the MBU officer's visit is hers to ask for: she qualifies, or is already on the pathway.
fn mbu_open(t: &Timeline, now: Timestamp) -> bool {
    throughcare_core::pathways::mbu::case(t, now).is_some()
}

fn help_page(
    p: &CurrentPerson,
    t: &Timeline,
    now: Timestamp,
    done: Option<String>,
    chosen: String,
    errors: Errors,
) -> HelpPage {
    HelpPage {
        k: Chrome::of(p, "/kiosk/help"),
        mbu: mbu_open(t, now),
        asks: help_asks(&p.tr(), t),
        done,
        chosen,
        errors,
    }
}

pub async fn help_form(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Query(q): Query<DoneQuery>,
) -> Result<HelpPage, AppError> {
    let t = own_timeline(&state, &p, "ask for help").await?;
    Ok(help_page(&p, &t, state.now(), done_message(&p.tr(), q.done.as_deref()), String::new(), vec![]))
}

#[derive(Deserialize)]
pub struct HelpForm {
    #[serde(default)]
    help: String,
}

/// Sends the ask to healthcare, the Listener coordinator or the MBU officer, and nowhere else.
pub async fn help(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Form(form): Form<HelpForm>,
) -> Result<Response, AppError> {
    let t = state.db.timeline(&p.prison_number).await?;
    let mbu = mbu_open(&t, state.now());
    let kind = match form.help.as_str() {
        "feelings" => Some(EventKind::ReferralMade {
            service: Service::PrimaryMentalHealth,
            priority: Priority::Routine,
            self_referral: true,
            reason: None,
        }),
        "listener" => Some(EventKind::ListenerRequested { asked: SupportAsked::Listener, match_on: vec![] }),
        "mbu" if mbu => Some(EventKind::MbuVisitRequested {}),
        _ => None,
    };
    let problem = match &kind {
        None => Some(p.tr().t("help-choose-missing")),
        Some(k) => refused(&state, &p, &t, k).map(|m| throughcare_core::display::mid_sentence(&m).to_string()),
    };
    match (kind, problem) {
        (Some(kind), None) => {
            record(&state, &p, kind).await?;
            Ok(Redirect::to(&format!("/kiosk/help?done={}", form.help)).into_response())
        }
        (_, Some(message)) => {
            let page = help_page(&p, &t, state.now(), None, form.help, vec![("help", message)]);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        (None, None) => unreachable!("no kind is always a problem"),
    }
}

// ---------------------------------------------------------------- about me

/// The characteristics a person may declare or change on the kiosk. Sex and pregnancy are
/// recorded with staff (a legal record and a health matter); age comes from the date of birth.
pub const SELF_DECLARED: &[Characteristic] = &[
    Characteristic::Ethnicity,
    Characteristic::Religion,
    Characteristic::Disability,
    Characteristic::SexualOrientation,
    Characteristic::GenderIdentity,
    Characteristic::GenderReassignment,
    Characteristic::MarriageCivilPartnership,
];

pub struct Declared {
    code: &'static str,
    label: String,
    value: String,
}

pub struct PlanItem {
    what: String,
    due: String,
}

pub struct FamilyView {
    name: String,
    relationship: String,
    involvement: String,
    told: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/me.html")]
pub struct MePage {
    k: Chrome,
    key_worker: Option<String>,
    planned: Vec<PlanItem>,
    family: Vec<FamilyView>,
    declared: Vec<Declared>,
    read: Vec<ItemLink>,
    done: Option<String>,
}

/// What an obligation means to the person, by whose work it is; None for what is not theirs to
/// plan by (ACCT observations, the Listener coordinator's own clock).
fn plan_words(standard: &str, team: &str) -> Option<&'static str> {
    if standard.starts_with("request-") {
        return Some("plan-item-request");
    }
    Some(match team {
        "key-worker" => "plan-item-key-work",
        "healthcare" | "mental-health" => "plan-item-health",
        "mbu" => "plan-item-mbu",
        "resettlement" => "plan-item-release",
        "chaplaincy" | "equality" => "plan-item-request",
        _ => return None,
    })
}

fn declared_value(tr: &Tr, c: Characteristic, d: Option<&Declaration>) -> String {
    match d.map(|d| d.code().into_owned()).as_deref() {
        None | Some("NK") => tr.t("me-not-said"),
        Some("NS") => tr.t("me-prefer-not"),
        Some(code) => tr.t(&format!("val-{}-{code}", c.code())),
    }
}

pub async fn me(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Query(q): Query<DoneQuery>,
) -> Result<MePage, AppError> {
    let t = own_timeline(&state, &p, "about me").await?;
    let now = state.now();
    let tr = p.tr();
    let st = t.state_at(now);
    let key_worker = match &st.key_worker {
        Some(k) => Some(state.db.staff(k.as_str()).await?.map_or_else(|| k.to_string(), |s| s.display_name)),
        None => None,
    };
    let mut planned: Vec<(Timestamp, PlanItem)> = Vec::new();
    for o in state.db.obligations_of(&p.prison_number).await? {
        if o.outcome != Outcome::Open {
            continue;
        }
        let Some(standard) = state.engine.standards.get(o.standard.as_str()) else { continue };
        if let Some(words) = plan_words(o.standard.as_str(), standard.team.code()) {
            // Due by the end of a day: the day is what the person needs, not "11:59pm".
            let day = throughcare_core::time::date_in_england(o.due_at);
            planned.push((
                o.due_at,
                PlanItem { what: tr.t(words), due: tr.a("me-planned-due", &[("when", tr.day(day))]) },
            ));
        }
    }
    planned.sort_by_key(|(d, _)| *d);
    let family = st
        .family
        .iter()
        .map(|(_, f)| FamilyView {
            name: f.name.clone(),
            relationship: f.relationship.clone(),
            involvement: tr.t(&format!("me-family-involve-{}", f.involvement.code())),
            told: f.told_of_transfer,
        })
        .collect();
    let declared = SELF_DECLARED
        .iter()
        .map(|c| Declared {
            code: c.code(),
            label: tr.t(&format!("ch-{}", c.code())),
            value: declared_value(&tr, *c, st.characteristics.as_at(*c, now)),
        })
        .collect();
    let lib = &state.engine.library;
    let read = given_items(&t)
        .into_iter()
        .filter_map(|(id, at)| {
            lib.item(&id).map(|i| ItemLink { id, title: i.title(tr.lang.code()).into(), given: Some(tr.when(at)) })
        })
        .collect();
    Ok(MePage {
        k: Chrome::of(&p, "/kiosk/me"),
        key_worker,
        planned: planned.into_iter().map(|(_, i)| i).take(12).collect(),
        family,
        declared,
        read,
        done: done_message(&tr, q.done.as_deref()),
    })
}

pub struct ValueChoice {
    code: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/change.html")]
pub struct ChangePage {
    k: Chrome,
    code: &'static str,
    title: String,
    choices: Vec<ValueChoice>,
    chosen: String,
    errors: Errors,
}

impl ChangePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn self_declared(code: &str) -> Result<Characteristic, AppError> {
    SELF_DECLARED.iter().copied().find(|c| c.code() == code).ok_or(AppError::NotFound)
}

fn change_page(p: &CurrentPerson, c: Characteristic, chosen: String, errors: Errors) -> ChangePage {
    let tr = p.tr();
    let mut choices: Vec<ValueChoice> = options(c)
        .unwrap_or_default()
        .into_iter()
        .map(|(code, _)| ValueChoice { label: tr.t(&format!("val-{}-{code}", c.code())), code })
        .collect();
    choices.push(ValueChoice { code: "NS".into(), label: tr.t("change-prefer-not") });
    ChangePage {
        k: Chrome::of(p, &format!("/kiosk/me/{}", c.code())),
        code: c.code(),
        title: tr.t(&format!("ch-{}", c.code())),
        choices,
        chosen,
        errors,
    }
}

pub async fn change_form(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(code): Path<String>,
) -> Result<ChangePage, AppError> {
    let c = self_declared(&code)?;
    let t = own_timeline(&state, &p, &format!("declaration: {}", c.code())).await?;
    let now_code = t.state_at(state.now()).characteristics.as_at(c, state.now()).map(|d| d.code().into_owned());
    Ok(change_page(&p, c, now_code.unwrap_or_default(), vec![]))
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    value: String,
}

/// A new declaration in the person's own hand: staff see it in the history, as any other.
pub async fn change(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(code): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let c = self_declared(&code)?;
    let offered = form.value == "NS" || options(c).unwrap_or_default().iter().any(|(v, _)| *v == form.value);
    match Declaration::parse(c.code(), &form.value, None).ok().filter(|_| offered) {
        Some(d) => {
            record(&state, &p, EventKind::CharacteristicDeclared(d)).await?;
            Ok(Redirect::to("/kiosk/me?done=saved").into_response())
        }
        None => {
            let page = change_page(&p, c, form.value, vec![("value", p.tr().t("change-missing"))]);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------------------------------------------------------------- unfair treatment (DIRF)

use throughcare_core::event::ComplaintFinding;
use throughcare_core::pathways::discrimination::{self, Complaint, Stage};

const KIOSK_DRAFT: &str = "kiosk-complaint";

/// A complaint as the person reads it: where it stands and, once checked and sent, the answer.
pub struct ComplaintView {
    id: String,
    grounds: String,
    sent: String,
    stage: String,
    colour: &'static str,
    finding: Option<String>,
    response: Option<String>,
    may_appeal: bool,
}

fn complaint_view(tr: &Tr, c: &Complaint) -> ComplaintView {
    let (stage, colour) = match c.stage {
        Stage::Reported => ("REPORTED", "blue"),
        Stage::Acknowledged => ("ACKNOWLEDGED", "blue"),
        // A finding waiting for its check has not reached the person: still being looked into.
        Stage::Investigating { .. } | Stage::AwaitingCheck { .. } => ("INVESTIGATING", "yellow"),
        Stage::Answered { .. } => ("ANSWERED", "green"),
        Stage::Appealed { .. } => ("APPEALED", "yellow"),
        Stage::AppealDecided { .. } => ("APPEAL_DECIDED", "green"),
    };
    let answered = matches!(c.stage, Stage::Answered { .. } | Stage::AppealDecided { .. } | Stage::Appealed { .. });
    let response = c
        .appeal_decision
        .as_ref()
        .map(|(_, r, ..)| r.clone())
        .or_else(|| c.sent().and_then(|a| a.response.clone()))
        .filter(|_| answered);
    ComplaintView {
        id: c.id.to_string(),
        grounds: c
            .characteristics
            .iter()
            .map(|g| tr.t(&format!("dirf-ground-{}", g.code())))
            .collect::<Vec<_>>()
            .join(", "),
        sent: tr.a("complaint-sent-on", &[("when", tr.when(c.raised_at))]),
        stage: tr.t(&format!("complaint-stage-{stage}")),
        colour,
        finding: c
            .final_finding()
            .filter(|_| answered)
            .map(|f: ComplaintFinding| tr.t(&format!("finding-{}", f.code()))),
        response,
        may_appeal: matches!(c.stage, Stage::Answered { .. }) && c.appeal.is_none(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/complaints.html")]
pub struct ComplaintsPage {
    k: Chrome,
    complaints: Vec<ComplaintView>,
}

pub async fn complaints_list(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<ComplaintsPage, AppError> {
    let t = own_timeline(&state, &p, "complaints").await?;
    let tr = p.tr();
    let mut list: Vec<ComplaintView> = discrimination::complaints(&t).iter().map(|c| complaint_view(&tr, c)).collect();
    list.reverse();
    Ok(ComplaintsPage { k: Chrome::of(&p, "/kiosk/complaints"), complaints: list })
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/complain.html")]
pub struct ComplainPage {
    k: Chrome,
    grounds: Vec<(&'static str, String)>,
    whens: Vec<(&'static str, String)>,
    form: Vec<(String, String)>,
    kept: bool,
    errors: Errors,
}

impl ComplainPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    fn value(&self, field: &str) -> &str {
        crate::pages::form::value(&self.form, field)
    }
    fn ticked(&self, code: &str) -> bool {
        crate::pages::form::values(&self.form, "grounds").any(|v| v == code)
    }
}

fn complain_page(p: &CurrentPerson, form: Vec<(String, String)>, kept: bool, errors: Errors) -> ComplainPage {
    let tr = p.tr();
    ComplainPage {
        k: Chrome::of(p, "/kiosk/complaints/new"),
        grounds: Characteristic::ALL.iter().map(|c| (c.code(), tr.t(&format!("dirf-ground-{}", c.code())))).collect(),
        whens: ["today", "yesterday", "earlier"]
            .into_iter()
            .map(|w| (w, tr.t(&format!("complain-when-{w}"))))
            .collect(),
        form,
        kept,
        errors,
    }
}

/// The form, with what they wrote last time if they did not finish it.
pub async fn complain_form(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<ComplainPage, AppError> {
    let draft = state.db.drafts(p.prison_number.as_str(), KIOSK_DRAFT).await?.into_iter().next();
    let kept = draft.is_some();
    Ok(complain_page(&p, draft.map(|d| d.fields).unwrap_or_default(), kept, vec![]))
}

/// Sends a report of unfair treatment to the equality team. Whatever is missing, what they wrote
/// is kept (as their draft) and shown again with the message beside the field.
pub async fn complain(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    use crate::pages::form::{value, values};
    let tr = p.tr();
    let mut errors: Errors = vec![];
    let mut grounds: Vec<Characteristic> = vec![];
    for g in values(&form, "grounds") {
        if let Ok(c) = Characteristic::parse_code(g) {
            if !grounds.contains(&c) {
                grounds.push(c);
            }
        }
    }
    if grounds.is_empty() {
        errors.push(("grounds", tr.t("complain-grounds-missing")));
    }
    let what = value(&form, "what");
    if what.is_empty() {
        errors.push(("what", tr.t("complain-what-missing")));
    }
    for (f, max) in [("what", 2000usize), ("place", 200), ("who", 1000), ("wants", 1000)] {
        if value(&form, f).chars().count() > max {
            errors.push((f, tr.a("complain-too-long", &[("max", max.to_string())])));
        }
    }
    let today = throughcare_core::time::date_in_england(state.now());
    let happened_on = match value(&form, "when") {
        "today" => Some(today),
        "yesterday" => today.yesterday().ok(),
        _ => None,
    };
    let opt =
        |f: &str| Some(value(&form, f).split_whitespace().collect::<Vec<_>>().join(" ")).filter(|v| !v.is_empty());
    let draft_id = match state.db.drafts(p.prison_number.as_str(), KIOSK_DRAFT).await?.into_iter().next() {
        Some(d) => d.id,
        None => EventId::from_uuid(uuid::Uuid::new_v4()),
    };
    if errors.is_empty() {
        let kind = EventKind::DiscriminationComplaintRaised {
            characteristic: grounds.first().copied(),
            also: grounds.iter().skip(1).copied().collect(),
            reporter: Some(throughcare_core::event::ComplaintReporter::Person),
            what_happened: Some(what.to_string()),
            happened_on,
            place: opt("place"),
            involved: opt("who"),
            staff_named: vec![],
            wants: opt("wants"),
            from_kiosk: true,
        };
        let id = record(&state, &p, kind).await?;
        let mut tx = state.db.begin_write().await?;
        tx.delete_draft(&draft_id, p.prison_number.as_str()).await?;
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/kiosk/complaints/{id}?done=complained")).into_response());
    }
    let draft = throughcare_store::establishment::Draft {
        id: draft_id,
        form: KIOSK_DRAFT.into(),
        owner: p.prison_number.to_string(),
        person: p.prison_number.clone(),
        fields: form.clone(),
        saved_at: state.now(),
    };
    let mut tx = state.db.begin_write().await?;
    tx.save_draft(&draft).await?;
    tx.commit().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, complain_page(&p, form, true, errors)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/complaint.html")]
pub struct ComplaintPage {
    k: Chrome,
    c: ComplaintView,
    done: Option<String>,
    reason: String,
    errors: Errors,
}

impl ComplaintPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn own_complaint(state: &AppState, p: &CurrentPerson, id: &str) -> Result<Complaint, AppError> {
    let id = EventId::parse(id).map_err(|_| AppError::NotFound)?;
    let t = own_timeline(state, p, &format!("complaint {id}")).await?;
    discrimination::complaints(&t).into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)
}

pub async fn complaint_show(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<ComplaintPage, AppError> {
    let c = own_complaint(&state, &p, &id).await?;
    let tr = p.tr();
    Ok(ComplaintPage {
        k: Chrome::of(&p, &format!("/kiosk/complaints/{}", c.id)),
        c: complaint_view(&tr, &c),
        done: done_message(&tr, q.done.as_deref()),
        reason: String::new(),
        errors: vec![],
    })
}

#[derive(Deserialize)]
pub struct AppealForm {
    #[serde(default)]
    reason: String,
}

/// Their appeal against the answer: someone other than the investigator decides it.
pub async fn complaint_appeal(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
    Path(id): Path<String>,
    Form(form): Form<AppealForm>,
) -> Result<Response, AppError> {
    let c = own_complaint(&state, &p, &id).await?;
    let tr = p.tr();
    let reason = form.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut errors: Errors = vec![];
    if reason.is_empty() {
        errors.push(("reason", tr.t("complaint-appeal-missing")));
    } else if reason.chars().count() > 1000 {
        errors.push(("reason", tr.a("complain-too-long", &[("max", "1000".into())])));
    }
    if errors.is_empty() {
        let kind = EventKind::DiscriminationComplaintAppealed { complaint: c.id, reason };
        let t = state.db.timeline(&p.prison_number).await?;
        if refused(&state, &p, &t, &kind).is_none() {
            record(&state, &p, kind).await?;
            return Ok(Redirect::to(&format!("/kiosk/complaints/{}?done=appealed", c.id)).into_response());
        }
        errors.push(("reason", tr.t("complaint-appeal-not-now")));
    }
    let page = ComplaintPage {
        k: Chrome::of(&p, &format!("/kiosk/complaints/{}", c.id)),
        c: complaint_view(&tr, &c),
        done: None,
        reason: form.reason,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------------------------------------------------------------- getting ready to leave

pub struct ReleaseLine {
    what: String,
    picture: &'static str,
    ready: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk/release.html")]
pub struct ReleasePage {
    k: Chrome,
    in_custody: bool,
    date: String,
    items: Vec<ReleaseLine>,
}

/// The person's release plan in easy read: their date, and each part that has a deadline for
/// them (or has been started) as ready or not yet.
pub async fn release(
    State(state): State<AppState>,
    Extension(p): Extension<CurrentPerson>,
) -> Result<ReleasePage, AppError> {
    use throughcare_core::event::ReleasePlanItem as I;
    use throughcare_core::pathways::release::{self, Status as S};
    let t = own_timeline(&state, &p, "getting ready to leave").await?;
    let tr = p.tr();
    let now = state.now();
    let plan = release::plan(&t);
    let obligations = state.db.obligations_of(&p.prison_number).await?;
    let items = plan
        .items
        .iter()
        .filter(|i| {
            i.status != S::NotStarted
                || release::standard_for(i.item).is_some_and(|s| obligations.iter().any(|o| o.standard.as_str() == s))
        })
        .map(|i| ReleaseLine {
            what: tr.t(&format!("release-item-{}", i.item.code())),
            picture: match i.item {
                I::Accommodation => "house",
                I::GpRegistration | I::CommunityMentalHealth | I::SocialCare | I::SubstanceMisuse => "nurse",
                I::Medication => "pill",
                I::Benefits | I::IdDocuments | I::EmploymentEducation => "book",
                I::Family => "family",
            },
            ready: matches!(i.status, S::Done { .. }),
        })
        .collect();
    Ok(ReleasePage {
        k: Chrome::of(&p, "/kiosk/release"),
        in_custody: t.state_at(now).in_custody(),
        date: plan
            .expected_release
            .map_or_else(|| tr.t("release-date-none"), |d| tr.a("release-date", &[("when", tr.day(d))])),
        items,
    })
}
