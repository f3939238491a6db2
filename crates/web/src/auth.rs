//! Sign-in: argon2id password hashes, server-side sessions with idle and absolute timeouts,
//! throttling against guessing, API tokens, and the audit trail's entry point.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use throughcare_core::EstablishmentCode;
use throughcare_core::codes::CodeSet;
use throughcare_store::Db;
use throughcare_store::staff::{StaffRecord, sha256_hex};

use crate::AppState;
use crate::error::AppError;
use crate::roles::Role;

pub const COOKIE: &str = "tc_session";
/// Signed out after this long without a request.
pub const IDLE: SignedDuration = SignedDuration::from_mins(30);
/// Signed out this long after signing in, however busy.
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(12);
/// Failed attempts for one username before it must wait.
pub const MAX_FAILURES: u32 = 5;
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// The signed-in member of staff (or the system an API token belongs to).
#[derive(Debug, Clone)]
pub struct CurrentStaff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub establishment: Option<EstablishmentCode>,
    /// The hash of the session token, for signing out; None for API tokens.
    pub session: Option<String>,
    /// The success message waiting from the last save, shown once by the next page.
    pub saved: Option<&'static str>,
}

impl CurrentStaff {
    /// The header's links this person may follow.
    pub fn navigation(&self) -> Vec<(&'static str, &'static str)> {
        self.role.navigation()
    }

    pub fn role_label(&self) -> &'static str {
        use throughcare_core::codes::CodeSet;
        self.role.label()
    }

    /// Whether this person's record is within the member of staff's reach.
    pub fn reaches(&self, establishment: Option<&EstablishmentCode>) -> bool {
        self.role.estate_wide() || (self.establishment.is_some() && self.establishment.as_ref() == establishment)
    }
}

pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashes any password").to_string()
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Verifies a secret against its hash, or against a dummy when there is none, so the time taken
/// does not tell whether the account exists.
pub(crate) fn verify_or_dummy(secret: &str, hash: Option<&str>) -> bool {
    let ok = verify(secret, hash.unwrap_or(DUMMY.as_str()));
    ok && hash.is_some()
}

/// A random token for a session or an API key: 244 random bits from two v4 UUIDs.
pub fn new_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// Failed sign-ins by username: throttles guessing without saying whether the username exists.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    fn locked(&self, username: &str) -> bool {
        let map = self.failures.lock().expect("throttle lock");
        map.get(username).is_some_and(|(n, first)| *n >= MAX_FAILURES && first.elapsed() < LOCKOUT)
    }
    fn failed(&self, username: &str) {
        let mut map = self.failures.lock().expect("throttle lock");
        let entry = map.entry(username.to_string()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= LOCKOUT {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
    fn succeeded(&self, username: &str) {
        self.failures.lock().expect("throttle lock").remove(username);
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignIn {
    /// The session token to set as the cookie.
    Ok(String),
    /// Wrong username or password, or a disabled account: never says which.
    Refused,
    TooManyAttempts,
}

/// A dummy hash to verify against when the username is unknown, so timing does not tell.
static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("not a real password"));

pub async fn sign_in(state: &AppState, username: &str, password: &str) -> Result<SignIn, AppError> {
    let key = username.trim().to_ascii_lowercase();
    if state.throttle.locked(&key) {
        audit(state, &key, "sign-in-throttled", None, "too many failed attempts").await?;
        return Ok(SignIn::TooManyAttempts);
    }
    let staff = state.db.staff(&key).await?;
    let hash = staff.as_ref().map_or(DUMMY.as_str(), |s| s.password_hash.as_str()).to_string();
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify(&password, &hash)).await.unwrap_or(false);
    match staff {
        Some(s) if ok && !s.disabled => {
            state.throttle.succeeded(&key);
            let token = new_token();
            let now = state.now();
            let mut tx = state.db.begin_write().await?;
            tx.create_session(&sha256_hex(token.as_bytes()), s.username.as_str(), now).await?;
            tx.audit(now, s.username.as_str(), "sign-in", None, "signed in").await?;
            tx.commit().await?;
            Ok(SignIn::Ok(token))
        }
        _ => {
            state.throttle.failed(&key);
            audit(state, &key, "sign-in-failed", None, "wrong username or password, or account disabled").await?;
            Ok(SignIn::Refused)
        }
    }
}

pub async fn sign_out(state: &AppState, staff: &CurrentStaff) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    if let Some(session) = &staff.session {
        tx.end_session(session).await?;
    }
    tx.audit(state.now(), &staff.username, "sign-out", None, "signed out").await?;
    tx.commit().await?;
    Ok(())
}

/// Appends one entry to the audit trail in its own transaction.
pub async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: &str,
) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    tx.audit(state.now(), actor, action, subject, detail).await?;
    tx.commit().await?;
    Ok(())
}

fn to_current(s: StaffRecord, session: Option<String>) -> Option<CurrentStaff> {
    if s.disabled {
        return None;
    }
    Some(CurrentStaff {
        role: Role::from_code(&s.role)?,
        username: s.username.as_str().to_string(),
        display_name: s.display_name,
        establishment: s.establishment,
        session,
        saved: None,
    })
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE && !v.is_empty()).then(|| v.to_string())
        },
    )
}

/// Works out who is asking (session cookie or bearer token) and puts them in the request.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let cookie = cookie_token(&req);
    let saved = crate::pages::flash::take(req.headers());
    match who(&state, bearer, cookie).await {
        Ok(Some(mut staff)) => {
            staff.saved = saved;
            req.extensions_mut().insert(staff);
        }
        Ok(None) => {}
        Err(e) => return axum::response::IntoResponse::into_response(e),
    }
    let mut res = next.run(req).await;
    // Shown once: a page (not a redirect onwards) clears the message.
    if saved.is_some() && !res.status().is_redirection() {
        crate::pages::flash::clear(&mut res);
    }
    res
}

async fn who(
    state: &AppState,
    bearer: Option<String>,
    cookie: Option<String>,
) -> Result<Option<CurrentStaff>, AppError> {
    if let Some(token) = bearer {
        let Some(username) = state.db.api_token_user(&sha256_hex(token.as_bytes())).await? else { return Ok(None) };
        return Ok(state.db.staff(&username).await?.and_then(|s| to_current(s, None)));
    }
    let Some(token) = cookie else { return Ok(None) };
    let hash = sha256_hex(token.as_bytes());
    let Some((username, created, last_seen)) = state.db.session(&hash).await? else { return Ok(None) };
    let now = state.now();
    if now - last_seen > IDLE || now - created > ABSOLUTE {
        let mut tx = state.db.begin_write().await?;
        tx.end_session(&hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    // Touch at most once a minute: sessions stay alive without a write on every request.
    if now - last_seen > SignedDuration::from_mins(1) {
        let mut tx = state.db.begin_write().await?;
        tx.touch_session(&hash, now).await?;
        tx.commit().await?;
    }
    Ok(state.db.staff(&username).await?.and_then(|s| to_current(s, Some(hash))))
}

/// The Set-Cookie value for a new session (or, with an empty token, for clearing it).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() { 0 } else { ABSOLUTE.as_secs() };
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Creates an account (used by the CLI and the demo).
pub async fn add_staff(
    db: &Db,
    username: &str,
    display_name: &str,
    role: Role,
    establishment: Option<EstablishmentCode>,
    password: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let username = throughcare_core::StaffRef::parse(&username.to_ascii_lowercase())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    if display_name.trim().is_empty() {
        return Err(AppError::BadRequest("give the person's name".into()));
    }
    if password.chars().count() < 12 {
        return Err(AppError::BadRequest("a password needs at least 12 characters".into()));
    }
    if !role.estate_wide() && establishment.is_none() {
        return Err(AppError::BadRequest(format!("a {} works at an establishment: give --establishment", role.code())));
    }
    let record = StaffRecord {
        username,
        display_name: display_name.trim().to_string(),
        role: role.code().to_string(),
        establishment,
        password_hash: hash_password(password),
        disabled: false,
    };
    let mut tx = db.begin_write().await?;
    tx.insert_staff(&record, now).await?;
    tx.audit(now, "system", "account-created", None, &format!("{} as {}", record.username, record.role)).await?;
    tx.commit().await?;
    Ok(())
}
