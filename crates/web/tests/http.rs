//! Black-box tests: the real server on port 0, a fresh database each (SQLite, and PostgreSQL when
//! THROUGHCARE_TEST_POSTGRES_URL names a server), real HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use throughcare_core::codes::CodeSet;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, create_postgres_database};
use throughcare_web::clock::Clock;
use throughcare_web::roles::{Access, ROUTES, Role};
use throughcare_web::{AppState, Config};

const PASSWORD: &str = "a long test password";

/// The application's clock in these tests: fixed, a day after the seeded estate ends, so nothing
/// depends on when the tests run.
fn now() -> jiff::Timestamp {
    "2026-04-01T12:00:00Z".parse().unwrap()
}

struct App {
    base: String,
    db: Db,
    /// A person in custody at AAB, the establishment the test accounts work at.
    at_home: String,
    /// A person at another establishment.
    elsewhere: String,
    _dir: Option<tempfile::TempDir>,
}

async fn databases() -> Vec<(Db, Option<tempfile::TempDir>)> {
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

async fn spawn(db: Db, dir: Option<tempfile::TempDir>) -> App {
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
        throughcare_web::auth::add_staff(&db, &format!("t.{}", role.code()), "Test", *role, est, PASSWORD, now())
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

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

async fn signed_in(app: &App, role: Role) -> reqwest::Client {
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

fn concrete(path: &str, app: &App) -> String {
    path.replace("{pn}", &app.at_home).replace("{file}", "app.css").replace("{id}", "1")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_for_every_role_is_allowed_or_refused_as_the_table_says() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        for role in Role::ALL {
            let c = signed_in(&app, *role).await;
            for r in ROUTES.iter().filter(|r| r.path != "/sign-out") {
                let url = format!("{}{}", app.base, concrete(r.path, &app));
                let res = match r.method {
                    "GET" => c.get(&url).send().await.unwrap(),
                    // An event kind the role may record: the route table decides the route, not the kind.
                    _ if r.path.starts_with("/api/") => {
                        let body = if role.may_record("acct_opened") {
                            serde_json::json!({"kind": "acct_opened", "occurred_at": "2026-03-30T10:00:00Z"})
                        } else {
                            serde_json::json!({"kind": "activity_attended", "occurred_at": "2026-03-30T10:00:00Z", "details": {"activity": "ARTS", "minutes": 60}})
                        };
                        c.post(&url).json(&body).send().await.unwrap()
                    }
                    _ => c
                        .post(&url)
                        .form(&[("kind", "acct_opened"), ("date", "2026-03-30"), ("time", "10:00")])
                        .send()
                        .await
                        .unwrap(),
                };
                let status = res.status();
                if role.can(r.access) {
                    assert!(
                        status != StatusCode::FORBIDDEN
                            && status != StatusCode::UNAUTHORIZED
                            && !status.is_server_error(),
                        "{role:?} {} {}: {status}",
                        r.method,
                        r.path
                    );
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {} {}", r.method, r.path);
                }
            }
        }
        // Signed out, only the open routes answer; pages send you to sign in, the API says 401.
        let anon = client();
        for r in ROUTES.iter().filter(|r| r.method == "GET") {
            let res = anon.get(format!("{}{}", app.base, concrete(r.path, &app))).send().await.unwrap();
            match (r.access, r.path.starts_with("/api/")) {
                (Access::Anyone, _) => assert!(res.status().is_success(), "{} {}", r.path, res.status()),
                (_, true) => assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", r.path),
                (_, false) => assert_eq!(res.headers()["location"], "/sign-in", "{}", r.path),
            }
        }
        // Refusals are audited, and the chain is intact.
        let denied = app.db.verify_audit().await.unwrap().unwrap();
        assert!(denied > 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_is_shown_to_each_role_only_as_far_as_it_needs() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let page = |role| {
            let app = &app;
            async move {
                signed_in(app, role)
                    .await
                    .get(format!("{}/people/{}", app.base, app.at_home))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let nurse = page(Role::ReceptionNurse).await;
        let key_worker = page(Role::KeyWorker).await;
        let chaplain = page(Role::Chaplaincy).await;
        assert!(nurse.contains(">Religion or belief<") && chaplain.contains(">Religion or belief<"));
        assert!(!key_worker.contains(">Religion or belief<"), "a key worker does not see religion");
        assert!(!key_worker.contains(">Sexual orientation<") && !chaplain.contains(">Sexual orientation<"));
        assert!(key_worker.contains(">Race (ethnicity)<"));
        assert!(
            key_worker.contains("Health care contact: details for clinical staff"),
            "support flags, not clinical detail"
        );
        assert!(!key_worker.contains("instrument:"), "no screening detail for a key worker");
        assert!(nurse.contains("instrument:"), "a nurse sees the screening");
        assert!(!page(Role::VoluntaryPartner).await.contains("Protected characteristics"));
        // Another establishment's person does not exist for them; an estate-wide role finds them.
        let kw = signed_in(&app, Role::KeyWorker).await;
        assert_eq!(
            kw.get(format!("{}/people/{}", app.base, app.elsewhere)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let admin = signed_in(&app, Role::Administrator).await;
        assert_eq!(
            admin.get(format!("{}/people/{}", app.base, app.elsewhere)).send().await.unwrap().status(),
            StatusCode::OK
        );
        // The administrator can see who viewed the record, and what they were shown.
        let audit =
            admin.get(format!("{}/people/{}/audit", app.base, app.at_home)).send().await.unwrap().text().await.unwrap();
        assert!(audit.contains("t.key-worker") && audit.contains("clinical detail: no"), "{audit}");
        assert!(audit.contains("t.reception-nurse") && audit.contains("clinical detail: yes"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recording_an_event_validates_at_the_edge_and_appears_on_the_timeline() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let kw = signed_in(&app, Role::KeyWorker).await;
        let url = format!("{}/people/{}/record", app.base, app.at_home);
        let form = kw.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(
            form.contains("Key work session") && !form.contains("Second-stage health assessment"),
            "a key worker records no clinical events"
        );
        let bad = kw
            .post(&url)
            .form(&[("kind", "key_work_session"), ("date", "2026-02-30"), ("time", "25:00"), ("minutes", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = bad.text().await.unwrap();
        assert!(body.contains("There is a problem") && body.contains("<title>Error: Record an event"));
        for field in ["date", "time", "minutes"] {
            assert!(
                body.contains(&format!("href=\"#{field}\"")) && body.contains(&format!("id=\"{field}-error\"")),
                "{field}"
            );
        }
        assert!(body.contains("value=\"2026-02-30\""), "what was typed is kept");
        let clinical = kw
            .post(&url)
            .form(&[("kind", "health_assessment_completed"), ("date", "2026-03-30"), ("time", "10:00")])
            .send()
            .await
            .unwrap();
        assert_eq!(clinical.status(), StatusCode::UNPROCESSABLE_ENTITY, "not a kind this role may record");
        let ok = kw
            .post(&url)
            .form(&[("kind", "key_work_session"), ("date", "2026-03-30"), ("time", "10:15"), ("minutes", "50")])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let page = kw
            .get(format!("{}/people/{}?show=support", app.base, app.at_home))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Key work session") && page.contains("minutes: 50") && page.contains("t.key-worker"));
        assert!(!page.contains("Reception<"), "the filter leaves custody events out");
        let obligations = app.db.obligations_of(&app.at_home.parse().unwrap()).await.unwrap();
        assert!(!obligations.is_empty(), "obligations were refreshed with the event");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_gives_nothing_away_throttles_guessing_and_ends_with_the_account() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let c = client();
        let attempt = |user: &str, pw: &str| {
            let c = c.clone();
            let url = format!("{}/sign-in", app.base);
            let form = [("username", user.to_string()), ("password", pw.to_string())];
            async move { c.post(url).form(&form).send().await.unwrap() }
        };
        let wrong = attempt("t.key-worker", "not the password").await.text().await.unwrap();
        let unknown = attempt("t.nobody", "not the password").await.text().await.unwrap();
        assert_eq!(wrong.replace("t.key-worker", "X"), unknown.replace("t.nobody", "X"), "no user enumeration");
        assert!(wrong.contains("Enter a correct username and password"));
        for _ in 0..5 {
            attempt("t.governor", "guess").await;
        }
        let locked = attempt("t.governor", PASSWORD).await.text().await.unwrap();
        assert!(locked.contains("Too many attempts"), "the right password does not help while throttled");
        let ok = attempt("t.key-worker", PASSWORD).await;
        let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
            "{cookie}"
        );
        let mut tx = app.db.begin_write().await.unwrap();
        tx.set_disabled("t.key-worker", true).await.unwrap();
        tx.commit().await.unwrap();
        let after = c.get(format!("{}/people", app.base)).send().await.unwrap();
        assert_eq!(after.headers()["location"], "/sign-in", "disabling ends the session");
        assert!(
            attempt("t.key-worker", PASSWORD)
                .await
                .text()
                .await
                .unwrap()
                .contains("Enter a correct username and password")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_uses_tokens_roles_and_one_error_shape() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let token = throughcare_web::auth::new_token();
        let mut tx = app.db.begin_write().await.unwrap();
        tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), "t.key-worker", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let c = reqwest::Client::new();
        let get = |path: String| c.get(format!("{}{path}", app.base)).bearer_auth(&token).send();
        let people: serde_json::Value = get("/api/v1/people?q=G0".into()).await.unwrap().json().await.unwrap();
        assert!(people.as_array().unwrap().iter().all(|p| p["establishment"] == "AAB"));
        let person: serde_json::Value =
            get(format!("/api/v1/people/{}", app.at_home)).await.unwrap().json().await.unwrap();
        assert!(
            person["characteristics"].get("ethnicity").is_some() && person["characteristics"].get("religion").is_none()
        );
        let events: serde_json::Value =
            get(format!("/api/v1/people/{}/events", app.at_home)).await.unwrap().json().await.unwrap();
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "screening_completed")
                .all(|e| e["details"].is_null())
        );
        assert_eq!(get(format!("/api/v1/people/{}", app.elsewhere)).await.unwrap().status(), StatusCode::NOT_FOUND);

        let post = |body: String| {
            c.post(format!("{}/api/v1/people/{}/events", app.base, app.at_home))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let ok = post(r#"{"kind":"key_work_session","occurred_at":"2026-03-30T10:00:00Z","details":{"key_worker":"t.key-worker","minutes":45}}"#.into()).await.unwrap();
        assert_eq!(ok.status(), StatusCode::CREATED);
        for (body, status) in [
            (r#"{"kind":"key_work_session","occurred_at":"2026-03-30T10:00:00Z","extra":1}"#.to_string(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"key_work_session","occurred_at":"2026-03-30T10:00:00Z","details":{"minutes":0,"key_worker":"k"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"#.into(), StatusCode::BAD_REQUEST),
            // Dates from outside keep to the application's clock and to 1970 onwards.
            (r#"{"kind":"activity_attended","occurred_at":"3000-01-01T10:00:00Z","details":{"activity":"GYM","minutes":60}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"activity_attended","occurred_at":"2026-04-01T12:06:00Z","details":{"activity":"GYM","minutes":60}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"activity_attended","occurred_at":"0001-01-01T00:00:00Z","details":{"activity":"GYM","minutes":60}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"legal_status_changed","occurred_at":"2026-03-30T10:00:00Z","details":{"legal_status":"SENTENCED","expected_release":"9999-12-30"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"kind":"screening_completed","occurred_at":"2026-03-30T10:00:00Z","details":{"instrument":"GAD7","outcome":"REFER","total":3}}"#.into(), StatusCode::FORBIDDEN),
            (format!(r#"{{"kind":"acct_opened","occurred_at":"2026-03-30T10:00:00Z","details":{{"pad":"{}"}}}}"#, "x".repeat(100_000)), StatusCode::PAYLOAD_TOO_LARGE),
        ] {
            let res = post(body).await.unwrap();
            assert_eq!(res.status(), status);
            let e: serde_json::Value = res.json().await.unwrap();
            assert_eq!(e["error"]["status"], status.as_u16(), "{e}");
            assert!(e["error"]["title"].is_string());
        }
        let anon: serde_json::Value =
            reqwest::get(format!("{}/api/v1/people", app.base)).await.unwrap().json().await.unwrap();
        assert_eq!(anon["error"]["status"], 401);

        let spec: serde_json::Value =
            reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
        assert_eq!(spec["openapi"], "3.1.0");
        for r in ROUTES.iter().filter(|r| r.path.starts_with("/api/v1")) {
            assert!(
                spec["paths"][r.path][r.method.to_lowercase()].is_object(),
                "{} {} is documented",
                r.method,
                r.path
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn worklists_and_compliance_pages_show_each_team_what_is_due() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let nurse = signed_in(&app, Role::ReceptionNurse).await;
        let page = nurse.get(format!("{}/worklist?when=all", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Worklist: AAB") && page.contains("open obligation"));
        let items: Vec<serde_json::Value> =
            nurse.get(format!("{}/api/v1/worklist", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|i| i["team"] == "healthcare" && i["establishment"] == "AAB"),
            "a nurse's list starts on healthcare"
        );

        let kw = signed_in(&app, Role::KeyWorker).await;
        let theirs: Vec<serde_json::Value> =
            kw.get(format!("{}/api/v1/worklist?team=all", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(
            theirs.iter().all(|i| i["team"] != "healthcare" && i["team"] != "mental-health" && i["team"] != "mbu"),
            "no clinical or pregnancy obligations for a key worker"
        );
        assert_eq!(
            kw.get(format!("{}/worklist?team=healthcare", app.base)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let bad = kw.get(format!("{}/api/v1/worklist?team=wing", app.base)).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        let governor = signed_in(&app, Role::Governor).await;
        let report = governor
            .get(format!("{}/reports/standards?from=2025-04-01&to=2026-03-31", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(report.contains("Standards compliance: AAB") && report.contains("First-stage reception health screen"));
        assert_eq!(report.matches("<th scope=\"row\"").count(), 18);
        let wrong = governor
            .get(format!("{}/reports/standards?from=2025-02-30", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(wrong.contains("There is a problem") && wrong.contains("href=\"#from\""));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_site_posts_are_refused_and_idle_sessions_end() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let kw = signed_in(&app, Role::KeyWorker).await;
        let url = format!("{}/people/{}/record", app.base, app.at_home);
        let form = [("kind", "acct_opened"), ("date", "2026-03-30"), ("time", "10:00")];
        let forged = kw
            .post(&url)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "http://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "CSRF");
        let same = kw.post(&url).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
        assert_eq!(same.status(), StatusCode::SEE_OTHER);

        // Thirty-one minutes without a request: the session is over.
        let idle = (now() - jiff::SignedDuration::from_mins(31)).as_microsecond();
        let mut tx = app.db.begin_write().await.unwrap();
        match &mut tx {
            throughcare_store::WriteTx::Sqlite(t) => sqlx::query("UPDATE sessions SET last_seen_at = $1")
                .bind(idle)
                .execute(&mut **t)
                .await
                .unwrap()
                .rows_affected(),
            throughcare_store::WriteTx::Postgres(t) => sqlx::query("UPDATE sessions SET last_seen_at = $1")
                .bind(idle)
                .execute(&mut **t)
                .await
                .unwrap()
                .rows_affected(),
        };
        tx.commit().await.unwrap();
        let after = kw.get(format!("{}/people", app.base)).send().await.unwrap();
        assert_eq!(after.headers()["location"], "/sign-in");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn equality_findings_stay_within_each_role_s_reach() {
    let (db, dir) = databases().await.into_iter().next().unwrap();
    let app = spawn(db, dir).await;
    let analyst = signed_in(&app, Role::Analyst).await;
    let governor = signed_in(&app, Role::Governor).await;

    // A governor asking for the estate gets their own establishment, and cannot record estate findings.
    let page = governor
        .get(format!("{}/reports/equality?scope=estate&from=2025-04-01&to=2026-03-31", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<option value="AAB" selected>"#), "the governor's own establishment is chosen");
    assert!(!html.contains(r#"value="estate""#), "no estate option for a governor");
    let record = |c: &reqwest::Client, scope: &str| {
        c.post(format!("{}/reports/equality/findings", app.base))
            .form(&[("scope", scope), ("from", "2025-04-01"), ("to", "2026-03-31")])
            .send()
    };
    let res = record(&analyst, "estate").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/findings?scope=estate");

    // An estate finding (recorded directly, whatever this small estate flags) is the analyst's to
    // answer; a governor of one prison does not see it.
    let mut tx = app.db.begin_write().await.unwrap();
    let flag = throughcare_store::findings::Flag {
        measure: "use-of-force".into(),
        breakdown: "ethnic_group".into(),
        group: "BLACK".into(),
        title: "Use of force: Black (ethnic group)".into(),
        ratio: Some(2.1),
        q: Some(0.01),
    };
    tx.record_findings("estate", "2025-04-01..2026-03-31", now(), &[flag]).await.unwrap();
    tx.commit().await.unwrap();
    let id = app.db.findings(Some("estate")).await.unwrap().iter().find(|f| f.measure == "use-of-force").unwrap().id;
    let url = format!("{}/findings/{id}", app.base);
    assert_eq!(governor.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(
        !governor
            .get(format!("{}/findings", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Use of force: Black")
    );

    // A bad date re-renders with the message beside the field, and nothing is written.
    let res = analyst
        .post(&url)
        .form(&[("action", "reform"), ("actions", "Review planned removals"), ("review_by", "31/03/2027")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="review_by-error""#) && html.contains("Review planned removals"),
        "message beside the field, text kept"
    );
    assert_eq!(app.db.finding(id).await.unwrap().unwrap().0.status, throughcare_core::finding::FindingStatus::Open);
    let res = analyst
        .post(&url)
        .form(&[("action", "explain"), ("evidence", "Removals after court, checked against footage")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (f, updates) = app.db.finding(id).await.unwrap().unwrap();
    assert_eq!(f.status, throughcare_core::finding::FindingStatus::Explained);
    assert_eq!(updates.last().unwrap().by, "t.analyst");
}
