//! The kiosk for people in prison: their own sign-in (prison number and a PIN staff set), their
//! own session on a shared terminal, and pages that show each person only their own record.

pub mod i18n;
pub mod pages;
pub mod pictures;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use throughcare_core::PrisonNumber;
use throughcare_store::staff::sha256_hex;

use crate::AppState;
use crate::error::AppError;
use i18n::{Lang, Tr};

pub const COOKIE: &str = "tc_kiosk";
/// A shared terminal on a wing: signed out after 5 minutes without a request (the page warns a
/// minute before and offers more time, as WCAG 2.2.1 asks).
pub const IDLE: SignedDuration = SignedDuration::from_mins(5);
/// However busy, a kiosk session ends an hour after it began.
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(1);
/// Wrong PINs allowed before each further try must wait; the wait doubles with each failure.
pub const FREE_TRIES: u32 = 3;
/// The longest wait: a 4-digit PIN then takes years to guess, and nobody is locked out for good.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_hours(1);

/// The person signed in on the kiosk.
#[derive(Debug, Clone)]
pub struct CurrentPerson {
    pub prison_number: PrisonNumber,
    pub given_name: String,
    pub lang: Lang,
    pub easy_read: bool,
    /// The hash of the session token, for signing out.
    pub session: String,
}

impl CurrentPerson {
    pub fn tr(&self) -> Tr {
        Tr { lang: self.lang }
    }
    /// What the audit trail names the person as.
    pub fn actor(&self) -> String {
        format!("kiosk:{}", self.prison_number)
    }
}

/// The wait before the next try after `failures` wrong PINs in a row.
pub fn wait_after(failures: u32) -> SignedDuration {
    if failures < FREE_TRIES {
        return SignedDuration::ZERO;
    }
    let minutes = 1i64 << (failures - FREE_TRIES).min(10);
    SignedDuration::from_mins(minutes).min(MAX_WAIT)
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignIn {
    Ok(String),
    /// Wrong prison number or PIN, or not in custody: never says which.
    Refused,
    /// Minutes until the next try.
    Wait(i64),
}

/// A PIN staff may set: four digits, not all the same and not a run (1234, 9876).
pub fn pin_problem(pin: &str) -> Option<&'static str> {
    let d: Vec<u8> = pin.bytes().collect();
    if d.len() != 4 || !d.iter().all(u8::is_ascii_digit) {
        return Some("Enter 4 numbers");
    }
    let steps: Vec<i16> = d.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
    if steps.iter().all(|s| *s == 0) || steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Some("Choose a PIN that is harder to guess: not the same number four times or a run such as 1234");
    }
    None
}

/// Signs a person in; a language chosen on the sign-in page becomes their choice.
pub async fn sign_in(state: &AppState, prison_number: &str, pin: &str, lang: Option<Lang>) -> Result<SignIn, AppError> {
    let now = state.now();
    let pn = PrisonNumber::parse(&prison_number.trim().to_ascii_uppercase()).ok();
    let account = match &pn {
        Some(pn) => state.db.kiosk_account(pn).await?,
        None => None,
    };
    let subject = pn.as_ref().map(|p| p.as_str().to_string());
    if let Some(a) = account.as_ref().filter(|a| a.wait_until > now) {
        crate::auth::audit(state, "kiosk", "kiosk-sign-in-throttled", subject.as_deref(), "waiting after wrong PINs")
            .await?;
        return Ok(SignIn::Wait(((a.wait_until - now).as_secs() + 59) / 60));
    }
    let hash = account.as_ref().map(|a| a.pin_hash.clone());
    let pin = pin.to_string();
    let ok =
        tokio::task::spawn_blocking(move || crate::auth::verify_or_dummy(&pin, hash.as_deref())).await.unwrap_or(false);
    let in_custody = match &pn {
        Some(pn) if ok => state.db.custody(pn).await?.is_some_and(|c| c.in_custody),
        _ => false,
    };
    match (pn, account) {
        (Some(pn), Some(account)) if ok && in_custody => {
            let token = crate::auth::new_token();
            let mut tx = state.db.begin_write().await?;
            tx.start_kiosk_session(&pn, &sha256_hex(token.as_bytes()), now).await?;
            if let Some(lang) = lang {
                tx.set_kiosk_preferences(&pn, lang.code(), account.easy_read).await?;
            }
            tx.audit(now, &format!("kiosk:{pn}"), "kiosk-sign-in", Some(pn.as_str()), "signed in on the kiosk").await?;
            tx.commit().await?;
            Ok(SignIn::Ok(token))
        }
        (pn, account) => {
            let mut tx = state.db.begin_write().await?;
            if let (Some(pn), Some(a)) = (&pn, &account) {
                let failures = a.failures.saturating_add(1);
                tx.kiosk_failed(pn, failures, now + wait_after(failures)).await?;
            }
            tx.audit(now, "kiosk", "kiosk-sign-in-failed", subject.as_deref(), "wrong prison number or PIN").await?;
            tx.commit().await?;
            Ok(SignIn::Refused)
        }
    }
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE && !v.is_empty()).then(|| v.to_string())
        },
    )
}

/// The Set-Cookie value for a kiosk session, sent only to the kiosk's own paths.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() { 0 } else { ABSOLUTE.as_secs() };
    format!(
        "{COOKIE}={token}; Path=/kiosk; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Works out which person is signed in on the kiosk, for kiosk paths only.
/// A page that is not there, or not the person's, says so in their language on the kiosk.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/kiosk") {
        return next.run(req).await;
    }
    let mut lang = Lang::En;
    if let Some(token) = cookie_token(&req) {
        match who(&state, &sha256_hex(token.as_bytes()), state.now()).await {
            Ok(Some(p)) => {
                lang = p.lang;
                req.extensions_mut().insert(p);
            }
            Ok(None) => {}
            Err(e) => return axum::response::IntoResponse::into_response(e),
        }
    }
    let res = next.run(req).await;
    if res.status() == axum::http::StatusCode::NOT_FOUND && !path.starts_with("/kiosk/api/") {
        return pages::not_found(Tr { lang });
    }
    res
}

async fn who(state: &AppState, hash: &str, now: Timestamp) -> Result<Option<CurrentPerson>, AppError> {
    let Some((pn, created, last_seen)) = state.db.kiosk_session(hash).await? else { return Ok(None) };
    if now - last_seen > IDLE || now - created > ABSOLUTE {
        let mut tx = state.db.begin_write().await?;
        tx.end_kiosk_session(hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if now - last_seen > SignedDuration::from_secs(20) {
        let mut tx = state.db.begin_write().await?;
        tx.touch_kiosk_session(hash, now).await?;
        tx.commit().await?;
    }
    let (Some(account), Some(person)) = (state.db.kiosk_account(&pn).await?, state.db.person(&pn).await?) else {
        return Ok(None);
    };
    Ok(Some(CurrentPerson {
        prison_number: pn,
        given_name: person.given_name.as_str().to_string(),
        lang: Lang::parse(&account.language).unwrap_or(Lang::En),
        easy_read: account.easy_read,
        session: hash.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_three_wrong_pins_up_to_an_hour() {
        let mins = |n| wait_after(n).as_secs() / 60;
        assert_eq!(
            [mins(0), mins(2), mins(3), mins(4), mins(5), mins(8), mins(9), mins(50)],
            [0, 0, 1, 2, 4, 32, 60, 60]
        );
    }

    #[test]
    fn easy_pins_are_refused() {
        for bad in ["123", "12345", "12a4", "0000", "1234", "9876", "3456"] {
            assert!(pin_problem(bad).is_some(), "{bad}");
        }
        for good in ["2580", "1357", "9021", "1123"] {
            assert_eq!(pin_problem(good), None, "{good}");
        }
    }
}
