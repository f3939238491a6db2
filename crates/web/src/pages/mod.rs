//! Staff pages: each route's handler, form and template side by side.

pub mod acct;
pub mod allocation;
pub mod annual_report;
pub mod arrival;
pub mod complaints;
pub mod directory;
pub mod equality;
pub mod equality_team;
pub mod family;
pub mod form;
pub mod home;
pub mod information;
pub mod key_work;
pub mod listeners;
pub mod mbu;
pub mod medicines;
pub mod objectives;
pub mod people;
pub mod proms;
pub mod reception;
pub mod record;
pub mod referrals;
pub mod release;
pub mod requests;
pub mod screening;
pub mod scrutiny;
pub mod temporary_release;
pub mod training;
pub mod transfer;
pub mod worklist;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, CurrentStaff, SignIn};
use crate::error::AppError;

/// A date from the GOV.UK date input's three boxes, or the message to show beside them.
pub(crate) fn date_input(day: &str, month: &str, year: &str) -> Result<jiff::civil::Date, String> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    match (d.is_empty(), m.is_empty(), y.is_empty()) {
        (true, true, true) => return Err("Enter the date it happened".into()),
        (true, _, _) => return Err("The date must include a day".into()),
        (_, true, _) => return Err("The date must include a month".into()),
        (_, _, true) => return Err("The date must include a year".into()),
        _ => {}
    }
    let real = || "The date must be a real date, for example 27 3 2026".to_string();
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) else { return Err(real()) };
    if y < 1000 {
        return Err("The year must include 4 numbers".into());
    }
    jiff::civil::Date::new(y, m, d).map_err(|_| real())
}

/// A moment from a date input's three boxes and a time box ("21:30", "9:30pm"), in London time,
/// or the field at fault and the message to show beside it.
pub(crate) fn moment_input(
    day: &str,
    month: &str,
    year: &str,
    time: &str,
) -> Result<jiff::Timestamp, (&'static str, String)> {
    let date = date_input(day, month, year).map_err(|m| ("date", m))?;
    let t = time.trim().to_ascii_lowercase().replace(' ', "");
    let bad = || ("time", "Enter a real time, for example 21:30 or 9:30pm".to_string());
    if t.is_empty() {
        return Err(("time", "Enter the time".into()));
    }
    let (digits, pm) = match (t.strip_suffix("pm"), t.strip_suffix("am")) {
        (Some(d), _) => (d, Some(true)),
        (_, Some(d)) => (d, Some(false)),
        _ => (t.as_str(), None),
    };
    let (h, m) = digits.split_once([':', '.']).unwrap_or((digits, "0"));
    let (Ok(mut h), Ok(m)) = (h.parse::<i8>(), m.parse::<i8>()) else { return Err(bad()) };
    match pm {
        Some(_) if !(1..=12).contains(&h) => return Err(bad()),
        Some(true) if h != 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let time = jiff::civil::Time::new(h, m, 0, 0).map_err(|_| bad())?;
    // A time the clocks skip or repeat takes the earlier reading, as a person would.
    throughcare_core::time::london().to_ambiguous_timestamp(date.to_datetime(time)).compatible().map_err(|_| bad())
}

/// When something happened, from a form's `day`, `month`, `year` and `time`: now when the time is
/// left blank (most things are written up as they end), never in the future.
pub(crate) fn moment_or_now(
    now: jiff::Timestamp,
    form: &form::Pairs,
) -> Result<jiff::Timestamp, (&'static str, String)> {
    use form::value;
    if value(form, "time").is_empty() {
        return Ok(now);
    }
    let t = moment_input(value(form, "day"), value(form, "month"), value(form, "year"), value(form, "time"))?;
    if t > now {
        return Err(("time", "The time cannot be in the future".into()));
    }
    Ok(t)
}

/// A period from a page's `from` and `to` fields: each blank one takes its default, each bad one
/// an error for its field; a period that ends before it starts is an error on `to`.
pub(crate) fn period_fields(
    from: &Option<String>,
    to: &Option<String>,
    default: throughcare_core::time::Period,
) -> (throughcare_core::time::Period, Vec<(&'static str, String)>) {
    let mut errors = Vec::new();
    let mut date =
        |field: &'static str, v: &Option<String>, default: jiff::civil::Date| match v.as_deref().map(str::trim) {
            None | Some("") => default,
            Some(s) => throughcare_core::time::parse_date(s).unwrap_or_else(|m| {
                errors.push((field, m));
                default
            }),
        };
    let (from, to) = (date("from", from, default.from), date("to", to, default.to));
    if from > to {
        errors.push(("to", "The end of the period must be after its start".into()));
        return (throughcare_core::time::Period { from: to, to }, errors);
    }
    (throughcare_core::time::Period { from, to }, errors)
}

/// The success banner after a save: a short-lived cookie naming one of a fixed set of messages
/// (never free text), read and cleared by the page the save redirects to.
pub(crate) mod flash {
    use axum::http::{HeaderMap, HeaderValue, header};
    use axum::response::{IntoResponse, Redirect, Response};

    const COOKIE: &str = "throughcare_saved";
    const MESSAGES: &[(&str, &str)] = &[
        ("event", "The event has been recorded"),
        ("finding", "The finding has been updated"),
        ("findings", "The findings have been recorded"),
        ("booked", "The person has been booked in: the first-night health screen is now due"),
        ("screened", "The screening has been recorded"),
        ("referred", "The referral has been made"),
        ("step", "The referral has been updated"),
        ("medicine", "The medicines record has been updated"),
        ("acct", "The ACCT has been updated"),
        ("listener", "Passed to the Listener coordinator. Only the time is kept, never what was said"),
        ("listener-met", "Recorded. Only the time is kept, never what was said"),
        ("peer-supporter", "The peer support register has been updated"),
        ("acct-check", "The check has been recorded"),
        ("mbu", "The MBU record has been updated"),
        ("family", "Their family of choice has been updated"),
        ("release", "The temporary release record has been updated"),
        ("key-work", "The key work record has been updated"),
        ("allocation", "Saved"),
        ("training", "The training record has been saved"),
        ("pin", "The kiosk PIN has been set. Give it to the person in private; any kiosk session they had has ended"),
        ("information", "Recorded what they were given and whether they understood"),
        ("request", "The request has been updated. The person sees its status on the kiosk"),
        ("complaint", "The complaint has been updated"),
        ("complaint-draft", "Saved as a draft. Only you can see it until it is sent"),
        ("scrutiny", "The scrutiny sample has been updated"),
        ("equality-team", "Saved"),
        ("festival", "The festival plan has been saved"),
        ("directory", "The directory has been updated"),
        ("regime", "The curtailment has been recorded"),
        ("transferred", "The transfer has been recorded. Tell the family the person agreed may be told, today"),
        ("family-told", "Recorded that they were told of the move"),
        ("arrival", "The review on arrival has been recorded"),
        ("release-plan", "The release plan has been updated"),
        ("released", "The release has been recorded"),
        ("objectives", "The equality objectives have been updated"),
        ("experts", "The involvement has been recorded"),
        ("annual-report", "The draft has been saved"),
        (
            "annual-report-published",
            "Signed and published. This version will not change: a correction is a new version",
        ),
    ];

    /// Redirects to `to`, showing the message for `key` there.
    pub fn redirect(to: &str, key: &'static str) -> Response {
        let mut res = Redirect::to(to).into_response();
        let cookie = format!("{COOKIE}={key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
        res.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
        res
    }

    /// The message waiting for this page, if any.
    pub fn take(headers: &HeaderMap) -> Option<&'static str> {
        let key = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix(COOKIE).and_then(|r| r.strip_prefix('=')))
            .next()?;
        MESSAGES.iter().find(|(m, _)| *m == key).map(|(_, text)| *text)
    }

    /// Clears the message once shown, so a reload does not show it again.
    pub fn clear(res: &mut Response) {
        res.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("throughcare_saved=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        );
    }
}

const GOVUK_CSS: &[u8] = include_bytes!("../../assets/govuk-frontend.min.css");
const APP_CSS: &[u8] = include_bytes!("../../assets/app.css");
const KIOSK_JS: &[u8] = include_bytes!("../../assets/kiosk.js");

/// The embedded stylesheets: the binary needs nothing beside it.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind): (&[u8], &str) = match file.as_str() {
        "govuk-frontend.min.css" => (GOVUK_CSS, "text/css; charset=utf-8"),
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "kiosk.js" => (KIOSK_JS, "text/javascript; charset=utf-8"),
        other => {
            let picture = other.strip_prefix("picture-").and_then(|f| f.strip_suffix(".svg"));
            match crate::kiosk::pictures::PICTURES.iter().find(|(n, _)| Some(*n) == picture) {
                Some((_, svg)) => (svg.as_bytes(), "image/svg+xml"),
                None => return AppError::NotFound.into_response(),
            }
        }
    };
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(kind).expect("ascii"));
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    staff: Option<CurrentStaff>,
    heading: String,
    message: String,
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You do not have permission to see this page",
        StatusCode::UNAUTHORIZED => "Sign in to continue",
        s if s.is_client_error() => "There is a problem",
        _ => "Sorry, there is a problem with the service",
    };
    (status, ErrorPage { staff: None, heading: heading.into(), message: message.into() }).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    staff: Option<CurrentStaff>,
    error: Option<String>,
    username: String,
}

pub async fn sign_in_page() -> SignInPage {
    SignInPage { staff: None, error: None, username: String::new() }
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_in(State(state): State<AppState>, Form(form): Form<SignInForm>) -> Result<Response, AppError> {
    let refused = |message: &str| {
        (StatusCode::OK, SignInPage { staff: None, error: Some(message.into()), username: form.username.clone() })
            .into_response()
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return Ok(refused("Enter your username and password"));
    }
    Ok(match auth::sign_in(&state, &form.username, &form.password).await? {
        SignIn::Ok(token) => {
            let mut res = Redirect::to("/").into_response();
            let cookie = auth::session_cookie(&token, state.config.secure_cookies);
            res.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
            res
        }
        SignIn::Refused => refused("Enter a correct username and password"),
        SignIn::TooManyAttempts => refused("Too many attempts to sign in: wait 15 minutes and try again"),
    })
}

pub async fn sign_out(
    State(state): State<AppState>,
    staff: axum::Extension<CurrentStaff>,
) -> Result<Response, AppError> {
    auth::sign_out(&state, &staff).await?;
    let mut res = Redirect::to("/sign-in").into_response();
    let cookie = auth::session_cookie("", state.config.secure_cookies);
    res.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
    Ok(res)
}
