//! What the black-box tests share: the real server on port 0 over a fresh database each (SQLite,
//! and PostgreSQL when THROUGHCARE_TEST_POSTGRES_URL names a server), accounts for every role,
//! and real HTTP. Each test binary uses part of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use throughcare_core::codes::CodeSet;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, create_postgres_database};
use throughcare_web::clock::Clock;
use throughcare_web::roles::Role;
use throughcare_web::{AppState, Config};

pub const PASSWORD: &str = "a long test password";

/// The application's clock in these tests: fixed, a day after the seeded estate ends, so nothing
/// depends on when the tests run.
pub fn now() -> jiff::Timestamp {
    "2026-04-01T12:00:00Z".parse().unwrap()
}

pub struct App {
    pub base: String,
    pub db: Db,
    /// A person in custody at AAB, the establishment the test accounts work at.
    pub at_home: String,
    /// A person at another establishment.
    pub elsewhere: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn databases() -> Vec<(Db, Option<tempfile::TempDir>)> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = tempfile::tempdir().unwrap();
    let url: DatabaseUrl = format!("sqlite://{}", dir.path().join("t.db").display()).parse().unwrap();
    let mut out = vec![(Db::connect(&url).await.unwrap(), Some(dir))];
    match std::env::var("THROUGHCARE_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!("web_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let url = create_postgres_database(&admin.parse().unwrap(), &name).await.unwrap();
            out.push((Db::connect(&url).await.unwrap(), None));
        }
        Err(_) => assert!(std::env::var_os("CI").is_none(), "CI must set THROUGHCARE_TEST_POSTGRES_URL"),
    }
    out
}

pub async fn spawn(db: Db, dir: Option<tempfile::TempDir>) -> App {
    let engine = Arc::new(Engine::builtin());
    let estate = Estate::new(EstateSpec {
        establishments: 3,
        people: 60,
        years: 1,
        seed: 5,
        end: jiff::civil::date(2026, 3, 31),
    });
    throughcare_store::seed::seed(&db, estate, Some(engine.clone()), |_| {}).await.unwrap();
    for role in Role::ALL {
        let est = if role.estate_wide() { None } else { Some("AAB".parse().unwrap()) };
        throughcare_web::auth::add_staff(
            &db,
            &format!("t.{}", role.code()),
            &format!("Test {}", role.label()),
            *role,
            est,
            PASSWORD,
            now(),
        )
        .await
        .unwrap();
    }
    let pick = |est: &str| {
        let db = db.clone();
        let est = est.parse().unwrap();
        async move { db.caseload(&est).await.unwrap()[0].0.prison_number.to_string() }
    };
    let (at_home, elsewhere) = (pick("AAB").await, pick("AAC").await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = throughcare_web::app(AppState::new(
        db.clone(),
        engine,
        Config { secure_cookies: false, clock: Clock::Fixed(now()) },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    App { base, db, at_home, elsewhere, _dir: dir }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

pub async fn signed_in(app: &App, role: Role) -> reqwest::Client {
    let c = client();
    let res = c
        .post(format!("{}/sign-in", app.base))
        .form(&[("username", format!("t.{}", role.code())), ("password", PASSWORD.into())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{role:?} signs in");
    c
}

pub async fn post_form(
    app: &App,
    c: &reqwest::Client,
    path: String,
    form: Vec<(&'static str, String)>,
) -> (StatusCode, Option<String>, String) {
    let res = c.post(format!("{}{}", app.base, path)).form(&form).send().await.unwrap();
    let to = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (res.status(), to, res.text().await.unwrap())
}

pub async fn get_page(app: &App, c: &reqwest::Client, path: String) -> (StatusCode, String) {
    let res = c.get(format!("{}{}", app.base, path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

pub fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
        serde_json::Value::Object(o) => o.values().flat_map(strings).collect(),
        _ => vec![],
    }
}

/// What a person reads: the page without its tags, attributes and scripts.
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&").replace("&#x27;", "'")
}

/// A person's kiosk sign-in: the session token from the cookie, and a client that sends it.
pub async fn kiosk_signed_in(app: &App, pn: &str, pin: &str) -> (reqwest::Client, String) {
    let c = client();
    let res = c
        .post(format!("{}/kiosk/sign-in", app.base))
        .form(&[("prison_number", pn), ("pin", pin), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{pn} signs in on the kiosk");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Path=/kiosk") && cookie.contains("HttpOnly"), "{cookie}");
    let token = cookie.split(';').next().unwrap().trim_start_matches("tc_kiosk=").to_string();
    (c, token)
}

pub async fn set_pin(app: &App, pn: &str, pin: &str) {
    let mut tx = app.db.begin_write().await.unwrap();
    let hash = throughcare_web::hash_password(pin);
    tx.set_kiosk_pin(&throughcare_core::PrisonNumber::parse(pn).unwrap(), &hash, "test", now(), "en", false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
