//! Black-box tests: the real server on port 0, a fresh database each (SQLite, and PostgreSQL when
//! THROUGHCARE_TEST_POSTGRES_URL names a server), real HTTP.

mod common;

use common::*;
use reqwest::StatusCode;
use throughcare_core::codes::CodeSet;
use throughcare_web::roles::{Access, ROUTES, Role};

fn concrete(path: &str, app: &App) -> String {
    path.replace("{pn}", &app.at_home)
        .replace("{file}", "app.css")
        .replace("{id}", "1")
        .replace("{item}", "induction")
        .replace("{characteristic}", "religion")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_for_every_role_is_allowed_or_refused_as_the_table_says() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        for role in Role::ALL {
            let c = signed_in(&app, *role).await;
            for r in ROUTES.iter().filter(|r| r.path != "/sign-out") {
                let url = format!("{}{}", app.base, concrete(r.path, &app));
                // A staff session is no one on the kiosk: it is sent to the kiosk's own sign-in.
                if r.access == Access::Kiosk {
                    let res = match r.method {
                        "GET" => c.get(&url).send().await.unwrap(),
                        _ => c.post(&url).form(&[("help", "listener")]).send().await.unwrap(),
                    };
                    if r.path.starts_with("/kiosk/api/") {
                        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{role:?} {}", r.path);
                    } else {
                        assert_eq!(res.headers()["location"], "/kiosk/sign-in", "{role:?} {} {}", r.method, r.path);
                    }
                    continue;
                }
                let res = match r.method {
                    "GET" => c.get(&url).send().await.unwrap(),
                    // An event kind the role may record: the route table decides the route, not the kind.
                    _ if r.path.starts_with("/api/") => {
                        let body = if role.may_record("acct_opened") {
                            serde_json::json!({"kind": "acct_opened", "occurred_at": "2026-03-30T10:00:00Z"})
                        } else if role.may_record("location_changed") {
                            serde_json::json!({"kind": "location_changed", "occurred_at": "2026-03-30T10:00:00Z", "details": {"location": "R-1-02"}})
                        } else {
                            serde_json::json!({"kind": "listener_requested", "occurred_at": "2026-03-30T10:00:00Z", "details": {"asked": "LISTENER"}})
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
                // A published report that does not exist is not found, for anyone.
                (Access::Anyone, _) if r.path.starts_with("/published-reports/") => {
                    assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", r.path)
                }
                (Access::Anyone | Access::KioskOpen, _) => {
                    assert!(res.status().is_success(), "{} {}", r.path, res.status())
                }
                (Access::Kiosk, _) if r.path.starts_with("/kiosk/api/") => {
                    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", r.path)
                }
                (Access::Kiosk, _) => assert_eq!(res.headers()["location"], "/kiosk/sign-in", "{}", r.path),
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
        let page_of = |role, show: &'static str| {
            let app = &app;
            async move {
                signed_in(app, role)
                    .await
                    .get(format!("{}/people/{}?show={show}", app.base, app.at_home))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let page = |role| page_of(role, "all");
        let nurse = page(Role::ReceptionNurse).await;
        let key_worker = page(Role::KeyWorker).await;
        let chaplain = page(Role::Chaplaincy).await;
        let (nurse_health, key_worker_health) =
            (page_of(Role::ReceptionNurse, "health").await, page_of(Role::KeyWorker, "health").await);
        assert!(nurse.contains(">Religion or belief<") && chaplain.contains(">Religion or belief<"));
        assert!(!key_worker.contains(">Religion or belief<"), "a key worker does not see religion");
        assert!(!key_worker.contains(">Sexual orientation<") && !chaplain.contains(">Sexual orientation<"));
        assert!(key_worker.contains(">Race (ethnicity)<"));
        assert!(
            key_worker_health.contains("Health care contact (details for clinical staff)"),
            "support flags, not clinical detail"
        );
        assert!(!key_worker_health.contains("screen (NICE NG57) completed"), "no screening detail for a key worker");
        assert!(nurse_health.contains("screen (NICE NG57) completed"), "a nurse sees the screening");
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
        assert!(audit.contains("Test Key worker") && audit.contains("clinical detail: no"), "{audit}");
        assert!(audit.contains("Test Reception nurse or healthcare") && audit.contains("clinical detail: yes"));
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
            .form(&[
                ("kind", "key_work_session"),
                ("day", "30"),
                ("month", "2"),
                ("year", "2026"),
                ("time", "25:00"),
                ("minutes", "0"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = bad.text().await.unwrap();
        assert!(body.contains("There is a problem") && body.contains("<title>Error: Record an event"));
        for (field, anchor) in [("date", "date-day"), ("time", "time"), ("minutes", "minutes")] {
            assert!(
                body.contains(&format!("href=\"#{anchor}\"")) && body.contains(&format!("id=\"{field}-error\"")),
                "{field}"
            );
        }
        assert!(body.contains("The date must be a real date"), "{body}");
        assert!(
            body.contains("name=\"day\" type=\"text\" inputmode=\"numeric\" value=\"30\""),
            "what was typed is kept"
        );
        let clinical = kw
            .post(&url)
            .form(&[
                ("kind", "health_assessment_completed"),
                ("day", "30"),
                ("month", "3"),
                ("year", "2026"),
                ("time", "10:00"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(clinical.status(), StatusCode::UNPROCESSABLE_ENTITY, "not a kind this role may record");
        let ok = kw
            .post(&url)
            .form(&[
                ("kind", "key_work_session"),
                ("day", "30"),
                ("month", "3"),
                ("year", "2026"),
                ("time", "10:15"),
                ("minutes", "50"),
            ])
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
        assert!(page.contains("The event has been recorded"), "a success banner after the save");
        assert!(page.contains("Key work session with Test Key worker: 50 minutes"), "{page}");
        assert!(page.contains("30 March 2026 at 10:15am"), "entered in London time, shown in London time");
        let again = kw
            .get(format!("{}/people/{}?show=support", app.base, app.at_home))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!again.contains("The event has been recorded"), "the banner is shown once");
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
            (r#"{"kind":"key_work_session","occurred_at":"2026-03-30T10:00:00Z","details":{"minutes":481,"key_worker":"k"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY),
            // Only the MBU officer records her visits and the MBU process.
            (r#"{"kind":"mbu_officer_visit","occurred_at":"2026-03-30T10:00:00Z","details":{"officer":"t.key-worker"}}"#.into(), StatusCode::FORBIDDEN),
            // A young child decides MBU eligibility: not for a key worker to record.
            (r#"{"kind":"child_recorded","occurred_at":"2026-03-30T10:00:00Z","details":{"date_of_birth":"2025-11-02"}}"#.into(), StatusCode::FORBIDDEN),
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
        for r in ROUTES.iter().filter(|r| r.path.starts_with("/api/v1") || r.path.starts_with("/kiosk/api/")) {
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
        assert!(page.contains("Worklist: HMP ") && page.contains("Showing 1 to"), "{page}");
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
        assert!(
            report.contains("Standards compliance: HMP ") && report.contains("First-stage reception health screen")
        );
        let (standards, waits) = report.split_once("id=\"waits\"").expect("waiting times by service");
        assert_eq!(standards.matches("<th scope=\"row\"").count(), 62);
        assert!(waits.contains("Mental health in-reach") && waits.contains("Median days to seen"), "per-service waits");
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
        let form = [("kind", "acct_opened"), ("day", "30"), ("month", "3"), ("year", "2026"), ("time", "10:00")];
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
    let flag = throughcare_store::findings::Measured {
        measure: "use-of-force".into(),
        breakdown: "ethnic_group".into(),
        group: "BLACK".into(),
        title: "Use of force: Black (ethnic group)".into(),
        flagged: true,
        rate: Some(0.2),
        ratio: Some(2.1),
        ratio_lower: Some(1.3),
        ratio_upper: Some(3.4),
        q: Some(0.01),
    };
    let year = throughcare_core::time::Period::parse("2025-04-01..2026-03-31").unwrap();
    tx.record_findings("estate", year, now(), &[flag]).await.unwrap();
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
        .form(&[
            ("action", "reform"),
            ("actions", "Review planned removals"),
            ("review_by_day", "31"),
            ("review_by_month", "02"),
            ("review_by_year", "2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="review_by-error""#)
            && html.contains("The date must be a real date")
            && html.contains(r##"href="#review_by-day""##)
            && html.contains("Review planned removals"),
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

/// One event of every kind on a fresh timeline, shown to a nurse (who sees the most): the page
/// reads as words, with no code value, no event kind's name, no UUID and no RFC 3339 instant, and
/// an instant in British Summer Time shows its local time.
#[tokio::test(flavor = "multi_thread")]
async fn the_timeline_shows_every_kind_of_event_in_words_and_local_time() {
    use throughcare_core::{Event, EventId, EventKind, PrisonNumber, StaffRef};
    let (db, dir) = databases().await.remove(0);
    let app = spawn(db, dir).await;
    let pn = PrisonNumber::parse("Z1234ZZ").unwrap();
    let person = throughcare_core::Person {
        prison_number: pn.clone(),
        given_name: throughcare_core::person::Name::parse("Ada").unwrap(),
        family_name: throughcare_core::person::Name::parse("Okoro").unwrap(),
        date_of_birth: jiff::civil::date(1988, 5, 17),
        nhs_number: None,
    };
    let id = |n: u8| EventId::from_random_bytes([n; 16]);
    let (referral, request, application, leave, complaint, contact, hospital, medicine) =
        (id(201), id(202), id(203), id(204), id(205), id(206), id(207), id(208));
    let (acct, plan) = (id(209), id(210));
    use throughcare_core::event::Instrument;
    let screening = |i, answers: &[(&str, &str)]| throughcare_core::synthetic::screening(i, answers).details_json();
    let examples: Vec<(EventId, &str, String)> = vec![
        (id(1), "reception", r#"{"establishment":"AAB","reception_type":"NEW","legal_status":"REMAND","location":"A-1-01","expected_release":"2027-01-31"}"#.into()),
        (id(2), "legal_status_changed", r#"{"legal_status":"SENTENCED","expected_release":"2027-01-31"}"#.into()),
        (id(3), "location_changed", r#"{"location":"B-2-14"}"#.into()),
        (id(4), "screening_completed", screening(Instrument::Phq9, &[("q1", "3"), ("q2", "3"), ("q3", "3"), ("q4", "3"), ("q5", "2"), ("q9", "2")])),
        (id(5), "screening_completed", screening(Instrument::ReceptionFirstStage, &[("medicines", "yes"), ("critical_medicine", "yes")])),
        (id(6), "health_assessment_completed", String::new()),
        (referral, "referral_made", r#"{"service":"IN_REACH"}"#.into()),
        (id(7), "referral_accepted", format!(r#"{{"referral":"{referral}"}}"#)),
        (id(8), "referral_seen", format!(r#"{{"referral":"{referral}"}}"#)),
        (id(9), "referral_declined", format!(r#"{{"referral":"{referral}","reason":"Already seen by the GP"}}"#)),
        (id(40), "referral_triaged", format!(r#"{{"referral":"{referral}"}}"#)),
        (id(41), "referral_discharged", format!(r#"{{"referral":"{referral}"}}"#)),
        (id(42), "hospital_second_assessment", format!(r#"{{"referral":"{hospital}"}}"#)),
        (id(43), "hospital_bed_identified", format!(r#"{{"referral":"{hospital}","hospital":"Ashworth Hospital"}}"#)),
        (id(44), "hospital_warrant_issued", format!(r#"{{"referral":"{hospital}","section":"S48"}}"#)),
        (id(45), "hospital_transfer_delayed", format!(r#"{{"referral":"{hospital}","reason":"NO_BED","note":"Waiting list of three"}}"#)),
        (medicine, "medicine_reported", r#"{"name":"Insulin glargine","dose":"10 units at night","critical":true,"source":"ESCORT"}"#.into()),
        (id(46), "medicine_confirmed", format!(r#"{{"medicine":"{medicine}","against":"COMMUNITY_RECORD"}}"#)),
        (id(47), "medicines_reconciled", String::new()),
        (id(48), "medicines_supplied", r#"{"occasion":"TRANSFER","supply":"SEVEN_DAYS"}"#.into()),
        (hospital, "referral_made", r#"{"service":"HOSPITAL_TRANSFER"}"#.into()),
        (id(10), "hospital_transfer_assessed", format!(r#"{{"referral":"{hospital}"}}"#)),
        (id(11), "transferred_to_hospital", format!(r#"{{"referral":"{hospital}","section":"S48"}}"#)),
        (id(12), "medication_given", r#"{"critical":true}"#.into()),
        (id(13), "key_worker_allocated", r#"{"key_worker":"t.key-worker"}"#.into()),
        (id(14), "key_work_session", r#"{"key_worker":"t.key-worker","minutes":45}"#.into()),
        (id(15), "key_worker_deallocated", String::new()),
        (id(16), "mbu_booklet_given", r#"{"format":"EASY_READ"}"#.into()),
        (id(17), "mbu_officer_visit", r#"{"officer":"t.mbu-officer"}"#.into()),
        (id(18), "mbu_visit_requested", String::new()),
        (id(74), "mbu_officer_named", r#"{"officer":"t.mbu-officer"}"#.into()),
        (id(66), "child_recorded", r#"{"date_of_birth":"2025-11-02"}"#.into()),
        (id(67), "bereavement_recorded", r#"{"relationship":"my nan","died_on":"2026-02-10"}"#.into()),
        (application, "mbu_application_made", String::new()),
        (id(19), "mbu_decision", format!(r#"{{"application":"{application}","outcome":"REFUSED"}}"#)),
        (id(211), "mbu_appeal_made", format!(r#"{{"decision":"{}"}}"#, id(19))),
        (id(68), "mbu_appeal_decided", format!(r#"{{"appeal":"{}","outcome":"APPROVED"}}"#, id(211))),
        (id(69), "mbu_admitted", r#"{"unit":"STI","temporary":false}"#.into()),
        (id(70), "mbu_left", String::new()),
        (id(71), "mbu_separation_plan_agreed", String::new()),
        (id(72), "hearing_scheduled", r#"{"hearing":"COURT","on":"2026-05-01"}"#.into()),
        (id(20), "information_given", r#"{"item":"All About MBUs","format":"EASY_READ","language":"pl","understood":"PARTLY"}"#.into()),
        (request, "request_raised", r#"{"category":"CULTURE","confidential":true}"#.into()),
        (id(212), "request_progressed", format!(r#"{{"request":"{request}"}}"#)),
        (id(21), "request_answered", format!(r#"{{"request":"{request}","outcome":"PARTLY_GRANTED","reason":"Combs now, oil on order"}}"#)),
        (id(22), "self_harm_incident", r#"{"method":"CUTTING","severity":"MINOR"}"#.into()),
        (acct, "acct_opened", r#"{"concern":"Said she could not go on"}"#.into()),
        (id(24), "acct_reviewed", format!(r#"{{"acct":"{acct}","review":{{"case_manager":"t.safer-custody","attended":"wing officer","healthcare_present":true,"person_present":true,"observations_day":"HOURLY","observations_night":"TWO_HOURLY","conversations_day":2,"conversations_night":0,"next_review":"2026-02-10"}}}}"#)),
        (id(25), "acct_closed", format!(r#"{{"acct":"{acct}","reason":"Risk reduced"}}"#)),
        (id(50), "acct_considered", r#"{"reason":"Spoke with her; no current risk"}"#.into()),
        (id(51), "acct_case_manager_named", format!(r#"{{"acct":"{acct}","case_manager":"t.safer-custody"}}"#)),
        (id(52), "acct_assessment_interview", format!(r#"{{"acct":"{acct}","assessor":"t.safer-custody"}}"#)),
        (plan, "acct_care_plan_action", format!(r#"{{"acct":"{acct}","issue":"No contact with her son","goal":"A call","action":"Arrange a call","owner":"family liaison","due":"2026-02-12"}}"#)),
        (id(53), "acct_care_plan_action_done", format!(r#"{{"action":"{plan}"}}"#)),
        (id(54), "acct_observation", format!(r#"{{"acct":"{acct}","conversation":true}}"#)),
        (id(55), "acct_trigger_recorded", format!(r#"{{"acct":"{acct}","trigger":"BAD_NEWS"}}"#)),
        (id(56), "acct_post_closure_review", format!(r#"{{"acct":"{acct}"}}"#)),
        (id(57), "peer_supporter_trained", r#"{"scheme":"LISTENER","trained_on":"2026-01-20"}"#.into()),
        (id(58), "peer_matching_consent", r#"{"backgrounds":["LANGUAGE","MOTHER"]}"#.into()),
        (id(59), "peer_supporter_stood_down", r#"{"scheme":"LISTENER","reason":"CHOSE"}"#.into()),
        (id(60), "listener_requested", r#"{"asked":"LISTENER","match_on":["FAITH"]}"#.into()),
        (id(61), "listener_request_met", format!(r#"{{"request":"{}","listener":"A1234BC"}}"#, id(60))),
        (id(62), "listener_requested", r#"{"asked":"SAMARITANS"}"#.into()),
        (id(63), "listener_request_not_met", format!(r#"{{"request":"{}","reason":"NO_PHONE"}}"#, id(62))),
        (id(64), "listener_requested", r#"{"asked":"LISTENER"}"#.into()),
        (id(65), "listener_request_withdrawn", format!(r#"{{"request":"{}","reason":"NO_LONGER_WANTED"}}"#, id(64))),
        (id(26), "use_of_force", r#"{"planned":false}"#.into()),
        (id(27), "incentive_level_changed", r#"{"level":"BASIC"}"#.into()),
        (id(28), "adjudication", r#"{"proven":true}"#.into()),
        (leave, "temporary_release_requested", r#"{"purpose":"DYING_RELATIVE"}"#.into()),
        (id(29), "temporary_release_decided", format!(r#"{{"request":"{leave}","granted":false}}"#)),
        (id(30), "activity_attended", r#"{"activity":"SHARED_READING","minutes":90}"#.into()),
        (complaint, "discrimination_complaint_raised", r#"{"characteristic":"religion"}"#.into()),
        (id(75), "discrimination_complaint_acknowledged", format!(r#"{{"complaint":"{complaint}"}}"#)),
        (id(76), "discrimination_staff_identified", format!(r#"{{"complaint":"{complaint}","staff":["t.key-worker"]}}"#)),
        (id(77), "discrimination_investigator_named", format!(r#"{{"complaint":"{complaint}","investigator":"t.equality-lead"}}"#)),
        (id(31), "discrimination_complaint_answered", format!(r#"{{"complaint":"{complaint}","upheld":true,"finding":"PARTLY_UPHELD","response":"We found the mat was taken"}}"#)),
        (id(78), "discrimination_answer_checked", format!(r#"{{"answer":"{}","approved":true}}"#, id(31))),
        (id(79), "discrimination_complaint_appealed", format!(r#"{{"complaint":"{complaint}","reason":"Not enough"}}"#)),
        (id(80), "discrimination_appeal_decided", format!(r#"{{"appeal":"{}","finding":"UPHELD","response":"On appeal, upheld"}}"#, id(79))),
        (id(81), "time_out_of_cell", r#"{"on":"2026-03-02","minutes":150}"#.into()),
        (id(82), "service_referral", format!(r#"{{"service":"{}","part_of":"KEY_WORK","consented":true}}"#, id(83))),
        (id(32), "release_plan_item_completed", r#"{"item":"GP_REGISTRATION"}"#.into()),
        (id(84), "release_plan_item_noted", r#"{"item":"ACCOMMODATION","note":"Council asked"}"#.into()),
        (id(85), "community_handover_referred", r#"{"service":"Reconnect Leeds"}"#.into()),
        (id(86), "community_handover_accepted", format!(r#"{{"referral":"{}"}}"#, id(85))),
        (id(87), "transfer_arrival_reviewed", r#"{"reviewer":"HEALTHCARE"}"#.into()),
        (id(88), "community_record_matched", r#"{"service":"Leeds CMHT","known_from":"2024-01-01","missed":true}"#.into()),
        (id(33), "characteristic_declared", r#"{"characteristic":"ethnicity","value":"W3"}"#.into()),
        (id(34), "communication_recorded", r#"{"formats":["EASY_READ","VERBAL"],"language":"bfi","interpreter":true,"literacy_support":true}"#.into()),
        (contact, "family_contact_named", r#"{"name":"Sue","relationship":"my nan","involvement":"CONSENTS"}"#.into()),
        (id(35), "family_contact_changed", format!(r#"{{"contact":"{contact}","involvement":"ASK_EACH_TIME"}}"#)),
        (id(73), "family_contact_made", format!(r#"{{"contact":"{contact}","how":"VIDEO_CALL"}}"#)),
        (id(89), "family_told_of_transfer", format!(r#"{{"contact":"{contact}","how":"LETTER"}}"#)),
        (id(36), "family_contact_removed", format!(r#"{{"contact":"{contact}"}}"#)),
        (id(37), "transfer_out", r#"{"to_establishment":"AAC"}"#.into()),
        (id(38), "release", r#"{"release_type":"END_OF_SENTENCE"}"#.into()),
    ];
    let kinds: std::collections::BTreeSet<&str> = examples.iter().map(|(_, k, _)| *k).collect();
    let missing: Vec<&&str> =
        EventKind::NAMES.iter().filter(|k| !kinds.contains(**k) && **k != "entered_in_error").collect();
    assert!(missing.is_empty(), "every kind is shown: missing {missing:?}");

    // A day apart from 1 January 2026 (GMT); the last one on 14 July 2025, in BST.
    let start: jiff::Timestamp = "2026-01-01T09:05:00Z".parse().unwrap();
    let mut events: Vec<Event> = examples
        .iter()
        .enumerate()
        .map(|(n, (id, kind, details))| {
            let at = start + jiff::SignedDuration::from_hours(24 * n as i64);
            Event {
                id: *id,
                person: pn.clone(),
                occurred_at: at,
                recorded_at: at,
                recorded_by: StaffRef::parse("t.reception-nurse").unwrap(),
                correction: None,
                kind: EventKind::parse(kind, details).unwrap_or_else(|e| panic!("{kind}: {e}")),
            }
        })
        .collect();
    let summer: jiff::Timestamp = "2025-07-14T13:30:00Z".parse().unwrap();
    events.push(Event {
        id: id(90),
        person: pn.clone(),
        occurred_at: summer,
        recorded_at: summer,
        recorded_by: StaffRef::parse("t.reception-nurse").unwrap(),
        correction: None,
        kind: EventKind::parse("activity_attended", r#"{"activity":"GYM","minutes":30}"#).unwrap(),
    });
    // And a correction: the gym session above was entered in error.
    events.push(Event {
        id: id(91),
        person: pn.clone(),
        occurred_at: summer,
        recorded_at: start,
        recorded_by: StaffRef::parse("t.reception-nurse").unwrap(),
        correction: Some(throughcare_core::event::Correction { supersedes: id(90), reason: "wrong person".into() }),
        kind: EventKind::parse("activity_attended", r#"{"activity":"ARTS","minutes":30}"#).unwrap(),
    });
    let mut tx = app.db.begin_write().await.unwrap();
    tx.insert_people(std::slice::from_ref(&person)).await.unwrap();
    tx.append_events(&events).await.unwrap();
    tx.commit().await.unwrap();

    let admin = signed_in(&app, Role::Administrator).await;
    let nurse = signed_in(&app, Role::ReceptionNurse).await;
    let mut text = String::new();
    for page in 1..=4 {
        // The administrator reaches someone now released; the nurse could not.
        let html =
            admin.get(format!("{}/people/{pn}?page={page}", app.base)).send().await.unwrap().text().await.unwrap();
        text.push_str(&visible_text(&html));
    }
    assert_eq!(
        nurse.get(format!("{}/people/{pn}", app.base)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "released: out of the nurse's reach"
    );
    // The administrator sees no clinical detail; a nurse at the receiving prison would. Read it
    // as the estate-wide role and check the words, then the clinical sentences from core.
    let codes: std::collections::BTreeSet<String> = events
        .iter()
        .flat_map(|e| strings(&e.kind.details_value()))
        .filter(|s| s.len() >= 2 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .collect();
    assert!(codes.contains("IN_REACH") && codes.contains("EASY_READ") && codes.contains("W3"));
    for code in &codes {
        assert!(!text.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == code), "code {code} on the page");
    }
    for kind in EventKind::NAMES {
        assert!(!text.contains(kind) || !kind.contains('_'), "kind name {kind} on the page");
    }
    let rfc3339 = |t: &str| {
        t.as_bytes()
            .windows(11)
            .any(|w| w[4] == b'-' && w[7] == b'-' && w[10] == b'T' && w[..4].iter().all(u8::is_ascii_digit))
    };
    assert!(!rfc3339(&text), "an RFC 3339 instant on the page");
    let uuid = events[0].id.to_string();
    assert!(!text.contains(&uuid[..8]), "an event id on the page");
    assert!(text.contains("1 January 2026 at 9:05am GMT"), "GMT named when the reader is in BST");
    assert!(text.contains("Received at HMP "), "establishments by name");
    assert!(text.contains("Key work session with Test Key worker: 45 minutes"), "staff by name");
    assert!(text.contains("Request about culture or products answered: partly granted"), "a linked event named");
    assert!(text.contains("British Sign Language"), "a language by name");
    assert!(text.contains("14 July 2025 at 2:30pm"), "BST shown as local time (13:30 UTC is 2:30pm)");
    assert!(text.contains("a correction: wrong person"), "corrections say why");
    assert!(text.contains("Trained as a peer supporter: Listener (trained by Samaritans), on 20 January 2026"));
    assert!(
        !text.contains("Asked for a Listener") && !text.contains("Samaritans phone") && !text.contains("matched by"),
        "Listener requests and consent are the coordinator's"
    );
    assert!(
        text.contains("Health care contact (details for clinical staff)"),
        "clinical detail withheld from the administrator"
    );

    // The clinical sentences, as a nurse sees them, come from the same display module.
    let names = throughcare_core::display::Names::NONE;
    let accepted = throughcare_core::display::sentence(
        &events[7].kind,
        &throughcare_core::display::Names {
            event: &|i| events.iter().find(|e| e.id == i).map(|e| e.kind.clone()),
            ..names
        },
    );
    assert_eq!(accepted, "Referral to mental health in-reach accepted");
    let phq = throughcare_core::display::sentence(&events[3].kind, &names);
    assert_eq!(
        phq,
        "PHQ-9 completed: score 16, moderately severe depression; a same-day suicide-risk assessment is needed; referral suggested to mental health in-reach; urgent action needed"
    );
    for e in &events {
        let s = throughcare_core::display::sentence(&e.kind, &names);
        // Without names at hand an establishment stands as its code; every other code is a word.
        for code in codes.iter().filter(|c| !["AAB", "AAC"].contains(&c.as_str())) {
            assert!(!s.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == code), "{code} in {s:?}");
        }
    }
}

/// Every role signs in, and every link its navigation and home page offer it answers without a 403.
#[tokio::test(flavor = "multi_thread")]
async fn every_link_a_role_is_offered_is_one_it_may_follow() {
    let (db, dir) = databases().await.remove(0);
    let app = spawn(db, dir).await;
    let denied_before =
        app.db.recent_audit(10_000).await.unwrap().iter().filter(|e| e.action == "access-denied").count();
    for role in Role::ALL {
        let c = signed_in(&app, *role).await;
        let home = c.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::OK, "{role:?} home");
        let html = home.text().await.unwrap();
        let mut links: Vec<String> = html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|h| h.starts_with('/') && !h.starts_with("/assets/"))
            .map(|h| h.replace("&amp;", "&"))
            .collect();
        links.sort();
        links.dedup();
        assert!(links.len() >= 2, "{role:?} is offered somewhere to go: {links:?}");
        for href in &links {
            let res = c.get(format!("{}{href}", app.base)).send().await.unwrap();
            assert_ne!(res.status(), StatusCode::FORBIDDEN, "{role:?} is offered {href} but refused");
            assert!(res.status().is_success(), "{role:?}: {href} answers {}", res.status());
        }
        // Links the role may not follow are not offered.
        for (href, _) in throughcare_web::roles::NAVIGATION {
            let allowed = throughcare_web::roles::route("GET", href).is_some_and(|r| role.can(r.access));
            assert_eq!(html.contains(&format!("href=\"{href}\"")), allowed, "{role:?} and {href}");
        }
    }
    let denied_after =
        app.db.recent_audit(10_000).await.unwrap().iter().filter(|e| e.action == "access-denied").count();
    assert_eq!(denied_before, denied_after, "no access-denied entries from following offered links");
}

/// The reception and health pathway over HTTP, on both databases: booked in at the door, screened
/// before the first night, referred, a transfer to hospital step by step, each refusal with its
/// reason, and a key worker who sees the flags but not the clinical events.
#[tokio::test(flavor = "multi_thread")]
async fn reception_screening_referrals_and_hospital_transfer_as_the_right_roles() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let officer = signed_in(&app, Role::ReceptionOfficer).await;
        let nurse = signed_in(&app, Role::ReceptionNurse).await;
        let mh = signed_in(&app, Role::MentalHealth).await;
        let kw = signed_in(&app, Role::KeyWorker).await;
        // The key worker is not offered reception; the officer finds nobody with this number.
        assert_eq!(get_page(&app, &kw, "/reception".into()).await.0, StatusCode::FORBIDDEN);
        let (_, html) = get_page(&app, &officer, "/reception?prison_number=Q1234QQ".into()).await;
        assert!(html.contains("Nobody found"));

        // Booking in with a mistake re-shows the form with the message beside the field.
        let mut form = vec![
            ("prison_number", "Q1234QQ".to_string()),
            ("given_name", "Ada".into()),
            ("family_name", "Okoro".into()),
            ("dob_day", "17".into()),
            ("dob_month", "5".into()),
            ("dob_year", "1988".into()),
            ("reception_type", "NEW".into()),
            ("legal_status", "REMAND".into()),
            ("c_ethnicity", "W3".into()),
            ("c_religion", "NS".into()),
            ("format", "EASY_READ".into()),
            ("format", "WRITTEN".into()),
            ("language", "xx1".into()),
            ("interpreter", "yes".into()),
        ];
        let (status, _, html) = post_form(&app, &officer, "/reception/book-in".into(), form.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Enter the language as a 2 or 3 letter code") && html.contains("value=\"Okoro\""));
        form.retain(|(k, _)| *k != "language");
        form.push(("language", "pl".into()));
        let (status, to, _) = post_form(&app, &officer, "/reception/book-in".into(), form.clone()).await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some("/people/Q1234QQ")));
        let pn = throughcare_core::PrisonNumber::parse("Q1234QQ").unwrap();
        let t = app.db.timeline(&pn).await.unwrap();
        let kinds: Vec<&str> = t.live().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "characteristic_declared").count(),
            2,
            "only what was asked: {kinds:?}"
        );
        assert!(kinds.contains(&"reception") && kinds.contains(&"communication_recorded"));
        // Booked twice is refused, and nothing more is written.
        let (status, _, html) = post_form(&app, &officer, "/reception/book-in".into(), form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("already on record"));
        assert_eq!(app.db.timeline(&pn).await.unwrap().all().len(), t.all().len());

        // The first-night screen is on healthcare's worklist at once, and not the key worker's.
        // Every item for this person on a role's worklist (the API gives the whole list the page pages).
        let due = |c: &reqwest::Client| {
            let c = c.clone();
            let url = format!("{}/api/v1/worklist", app.base);
            async move {
                let items: Vec<serde_json::Value> = c.get(url).send().await.unwrap().json().await.unwrap();
                items
                    .into_iter()
                    .filter(|i| i["prison_number"] == "Q1234QQ")
                    .map(|i| {
                        (i["standard"].as_str().unwrap().to_string(), i["team"].as_str().unwrap_or("").to_string())
                    })
                    .collect::<Vec<_>>()
            }
        };
        let has = |list: &[(String, String)], s: &str| list.iter().any(|(id, _)| id == s);
        let list = due(&nurse).await;
        assert!(has(&list, "first-night-screen") && has(&list, "second-stage-assessment"), "{list:?}");
        assert!(has(&list, "mental-health-rescreen") && has(&list, "medicines-reconciliation"), "{list:?}");
        assert!(!has(&due(&kw).await, "first-night-screen"), "health work is not on the key worker's list");

        // A PHQ-9 with a question missing names it and saves nothing.
        let mut phq: Vec<(&'static str, String)> =
            [("q1", "1"), ("q2", "1"), ("q3", "0"), ("q4", "0"), ("q5", "0"), ("q6", "0"), ("q7", "0"), ("q8", "0")]
                .iter()
                .map(|(k, v)| (*k, v.to_string()))
                .collect();
        let (status, _, html) = post_form(&app, &nurse, "/people/Q1234QQ/screen/PHQ9".into(), phq.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Answer question 9, or say it was declined or not asked"));
        // A score typed in is not an answer: only the answers count.
        phq.push(("q9", "1".into()));
        phq.push(("total", "27".into()));
        let (status, to, _) = post_form(&app, &nurse, "/people/Q1234QQ/screen/PHQ9".into(), phq).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, result) = get_page(&app, &nurse, to.unwrap()).await;
        assert!(result.contains("3: Minimal depression"), "scored 3 from the answers, not 27");
        assert!(result.contains("Suicide-risk assessment") && result.contains("Needed today"));
        assert!(result.contains("Developed by Drs. Robert L. Spitzer"), "the credit line");
        assert!(has(&due(&mh).await, "suicide-risk-assessment"), "same-day assessment on mental health's list");

        // Referred to in-reach; accepting twice is refused with the reason.
        let (status, to, _) = post_form(
            &app,
            &nurse,
            "/people/Q1234QQ/refer".into(),
            vec![("service", "IN_REACH".into()), ("priority", "URGENT".into()), ("reason", "Low mood".into())],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let referral = to.unwrap();
        let (_, q) = get_page(&app, &mh, "/referrals?service=IN_REACH".into()).await;
        assert!(q.contains("Ada Okoro") && q.contains("Urgent"));
        assert!(has(&due(&mh).await, "referral-urgent-7-days"));
        assert_eq!(
            post_form(&app, &mh, referral.clone(), vec![("action", "accept".into())]).await.0,
            StatusCode::SEE_OTHER
        );
        let (status, _, html) = post_form(&app, &mh, referral.clone(), vec![("action", "accept".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("That cannot be recorded: the referral was already accepted"), "{html}");
        assert_eq!(
            post_form(&app, &mh, referral.clone(), vec![("action", "seen".into())]).await.0,
            StatusCode::SEE_OTHER
        );
        let (_, q) = get_page(&app, &mh, "/referrals?service=IN_REACH".into()).await;
        assert!(!q.contains("Ada Okoro"), "seen: off the queue");

        // A transfer to hospital: the transfer itself cannot come before the assessments.
        let (_, to, _) = post_form(
            &app,
            &mh,
            "/people/Q1234QQ/refer".into(),
            vec![
                ("service", "HOSPITAL_TRANSFER".into()),
                ("priority", "URGENT".into()),
                ("reason", "Psychosis".into()),
            ],
        )
        .await;
        let transfer = to.unwrap();
        let (status, _, html) =
            post_form(&app, &mh, transfer.clone(), vec![("action", "transferred".into()), ("section", "S48".into())])
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("needs the assessments, a bed and a warrant first"));
        let list = due(&mh).await;
        assert!(has(&list, "hospital-assessment-14-days") && has(&list, "hospital-transfer-28-days"), "{list:?}");
        let (_, list) = get_page(&app, &mh, "/hospital-transfers".into()).await;
        assert!(list.contains("Ada Okoro") && list.contains("First psychiatric assessment"));
        for step in [
            vec![("action", "first_assessment".to_string())],
            vec![("action", "delay".into()), ("delay", "NO_BED".into())],
            vec![("action", "second_assessment".into())],
            vec![("action", "bed".into()), ("hospital", "Ashworth Hospital".into())],
            vec![("action", "warrant".into()), ("section", "S48".into())],
            vec![("action", "transferred".into()), ("section", "S48".into())],
        ] {
            let (status, _, html) = post_form(&app, &mh, transfer.clone(), step.clone()).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{step:?}: {html}");
        }
        let ob = app.db.obligations_of(&pn).await.unwrap();
        let outcome = |id: &str| ob.iter().find(|o| o.standard.as_str() == id).map(|o| o.outcome.code());
        assert_eq!(outcome("hospital-transfer-14-days"), Some("met_on_time"));
        assert_eq!(outcome("hospital-assessment-14-days"), Some("met_on_time"));

        // The key worker sees the flags and what concerns them, never which clinical events happened.
        let (status, html) = get_page(&app, &kw, "/people/Q1234QQ".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Interpreter needed (Polish)") && html.contains("Easy read needed"));
        for clinical in ["PHQ-9", "Referred to", "Suicide-risk", "Transfer to hospital", "ransferred to hospital"] {
            let at = html.find(clinical).map(|i| &html[i.saturating_sub(200)..(i + 100).min(html.len())]);
            assert!(at.is_none(), "{clinical} shown to the key worker: {at:?}");
        }
        assert!(html.contains("Health care contact (details for clinical staff)"));
        assert!(!html.contains("/screen/") && !html.contains("/medicines"), "no clinical links");
        let (_, html) = get_page(&app, &nurse, "/people/Q1234QQ".into()).await;
        assert!(html.contains("What is due and what was done") && html.contains("Met on time"));
        assert_eq!(get_page(&app, &kw, format!("{referral}")).await.0, StatusCode::FORBIDDEN);
        // Every view of clinical detail is audited.
        let audit = app.db.audit_of("Q1234QQ").await.unwrap();
        for action in ["booked-in", "viewed-screening", "viewed-referral"] {
            assert!(audit.iter().any(|a| a.action == action), "{action} audited");
        }
    }
}

/// An ACCT over HTTP, on both databases: opened from a self-harm incident by a key worker, run by
/// safer custody (a review without a next date refused, beside its field), the register and the
/// safer-custody worklist, closed and reviewed after closure; a key worker never sees the case.
#[tokio::test(flavor = "multi_thread")]
async fn an_acct_from_self_harm_to_its_post_closure_review() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let kw = signed_in(&app, Role::KeyWorker).await;
        let sc = signed_in(&app, Role::SaferCustody).await;
        let pn = app.at_home.clone();
        // Self-harm without a decision is re-shown; with one, the ACCT opens.
        let incident =
            vec![("page", "self-harm".to_string()), ("method", "CUTTING".into()), ("severity", "MINOR".into())];
        let (status, _, html) = post_form(&app, &kw, format!("/people/{pn}/self-harm"), incident.clone()).await;
        // The seeded person may already have an ACCT open: then the incident joins it.
        let opened_here = status == StatusCode::UNPROCESSABLE_ENTITY;
        assert!(opened_here, "the seeded person has no ACCT open: {status}");
        if opened_here {
            assert!(html.contains("Choose whether to open an ACCT"), "{html}");
            let mut open = incident.clone();
            open.extend([
                ("decision", "open".to_string()),
                ("concern", "Cut her arm after a phone call home".into()),
                ("immediate_action", "Wound dressed; checks every hour".into()),
            ]);
            let (status, to, _) = post_form(&app, &kw, format!("/people/{pn}/self-harm"), open).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(to, Some(format!("/people/{pn}")), "the key worker goes back to the record, not the case");
        }
        let timeline = app.db.timeline(&throughcare_core::PrisonNumber::parse(&pn).unwrap()).await.unwrap();
        let case = throughcare_core::pathways::acct::cases(&timeline).into_iter().find(|c| c.is_open()).unwrap();
        let url = format!("/acct/{}", case.id);
        // The key worker may open an ACCT but not read the case (it does not exist for them).
        assert_eq!(get_page(&app, &kw, url.clone()).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get_page(&app, &kw, "/acct".into()).await.0, StatusCode::FORBIDDEN);
        let (_, register) = get_page(&app, &sc, "/acct".into()).await;
        assert!(register.contains(&format!("href=\"{url}\"")), "on the register");

        // A review without a next date is refused beside the field, and nothing is written.
        let before = app.db.timeline(&throughcare_core::PrisonNumber::parse(&pn).unwrap()).await.unwrap().all().len();
        let mut review = vec![
            ("action", "review".to_string()),
            ("case_manager", "t.safer-custody".into()),
            ("attended", "wing officer, a nurse, the person".into()),
            ("healthcare_present", "yes".into()),
            ("person_present", "yes".into()),
            ("observations_day", "HOURLY".into()),
            ("observations_night", "TWO_HOURLY".into()),
            ("conversations_day", "2".into()),
            ("conversations_night", "0".into()),
        ];
        let (status, _, html) = post_form(&app, &sc, url.clone(), review.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"next-error\"") && html.contains("Enter the date of the next review"),
            "beside the field"
        );
        // A next date before the review's own day is refused by core, also beside the field.
        review.extend([("next_day", "1".to_string()), ("next_month", "1".into()), ("next_year", "2026".into())]);
        let (status, _, html) = post_form(&app, &sc, url.clone(), review.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("The next review date must be on or after the day of this review"), "{html}");
        assert_eq!(
            app.db.timeline(&throughcare_core::PrisonNumber::parse(&pn).unwrap()).await.unwrap().all().len(),
            before
        );
        review.retain(|(k, _)| !k.starts_with("next_"));
        review.extend([("next_day", "8".to_string()), ("next_month", "4".into()), ("next_year", "2026".into())]);
        let (status, _, html) = post_form(&app, &sc, url.clone(), review.clone()).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        // The review's next date is on the safer-custody worklist.
        let items: Vec<serde_json::Value> =
            sc.get(format!("{}/api/v1/worklist", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(
            items.iter().any(|i| i["prison_number"] == pn.as_str() && i["standard"] == "acct-review-by-date-set"),
            "the next review is due"
        );
        // Wing staff see the observations asked of them, not the case, and record a check.
        let (_, person) = get_page(&app, &kw, format!("/people/{pn}")).await;
        assert!(
            person.contains("ACCT: observations asked of staff") && person.contains("At least once an hour by day")
        );
        assert!(person.contains("ACCT case work (details for safer custody and healthcare)"));
        assert!(!person.contains("Cut her arm"), "the concern is ACCT detail");
        let chaplain = signed_in(&app, Role::Chaplaincy).await;
        let api: Vec<serde_json::Value> =
            chaplain.get(format!("{}/api/v1/people/{pn}/events", app.base)).send().await.unwrap().json().await.unwrap();
        let opened = api.iter().find(|e| e["kind"] == "acct_opened").unwrap();
        assert!(opened["details"].is_null(), "the API keeps ACCT detail from other roles too: {opened}");
        let (status, to, _) =
            post_form(&app, &kw, format!("/people/{pn}/acct-check"), vec![("check", "observation".into())]).await;
        assert_eq!((status, to), (StatusCode::SEE_OTHER, Some(format!("/people/{pn}"))));
        let t = app.db.timeline(&throughcare_core::PrisonNumber::parse(&pn).unwrap()).await.unwrap();
        let c = throughcare_core::pathways::acct::cases(&t).into_iter().find(|c| c.id == case.id).unwrap();
        assert_eq!(c.record, vec![(now(), false)], "one observation, at the fixed clock");
        // Named case manager, the key worker is one of the case's own reviewers and reads it.
        let name = vec![("action", "case_manager".to_string()), ("new_case_manager", "t.key-worker".into())];
        assert_eq!(post_form(&app, &sc, url.clone(), name).await.0, StatusCode::SEE_OTHER);
        assert_eq!(get_page(&app, &kw, url.clone()).await.0, StatusCode::OK);
        let (_, person) = get_page(&app, &kw, format!("/people/{pn}")).await;
        assert!(person.contains("Cut her arm") && person.contains(&format!("href=\"{url}\"")));
        assert_eq!(
            get_page(&app, &kw, "/acct".into()).await.0,
            StatusCode::FORBIDDEN,
            "the register stays safer custody's"
        );
        // Closing needs a reason; then the post-closure review, once.
        let (status, _, html) = post_form(&app, &sc, url.clone(), vec![("action", "close".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Say why the ACCT is closed"));
        let close = vec![("action", "close".to_string()), ("reason", "Risk reduced: in work, calls home again".into())];
        assert_eq!(post_form(&app, &sc, url.clone(), close).await.0, StatusCode::SEE_OTHER);
        let (status, _, html) = post_form(&app, &sc, url.clone(), vec![("action", "observation".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("That cannot be recorded: the ACCT is closed"));
        assert_eq!(
            post_form(&app, &sc, url.clone(), vec![("action", "post_closure".into())]).await.0,
            StatusCode::SEE_OTHER
        );
        let (_, page) = get_page(&app, &sc, url.clone()).await;
        assert!(page.contains("Closed") && page.contains("Risk reduced: in work, calls home again"));
        assert!(!page.contains("I held the post-closure review"), "held once");
        let ob = app.db.obligations_of(&throughcare_core::PrisonNumber::parse(&pn).unwrap()).await.unwrap();
        let outcome = |id: &str| ob.iter().filter(|o| o.standard.as_str() == id).map(|o| o.outcome.code()).last();
        assert_eq!(outcome("acct-post-closure-review"), Some("met_on_time"));
        if opened_here {
            assert_eq!(outcome("acct-first-review-24-hours"), Some("met_on_time"));
        }
        // Once closed, the person page links no open case and asks no checks.
        let (_, person) = get_page(&app, &kw, format!("/people/{pn}")).await;
        assert!(!person.contains(&url) && !person.contains("ACCT: observations asked of staff"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listener_request_goes_to_the_coordinator_alone_and_is_matched_only_with_consent() {
    use throughcare_core::pathways::peer_support::{RequestOutcome, requests, supporter};
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let (kw, lc) = (signed_in(&app, Role::KeyWorker).await, signed_in(&app, Role::ListenerCoordinator).await);
        let pn = app.at_home.clone();
        let person = throughcare_core::PrisonNumber::parse(&pn).unwrap();
        let mut listener = None;
        for (p, _) in app.db.caseload(&"AAB".parse().unwrap()).await.unwrap() {
            let t = app.db.timeline(&p.prison_number).await.unwrap();
            if p.prison_number != person && supporter(&t).training.is_empty() {
                listener = Some(p.prison_number.to_string());
                break;
            }
        }
        let l = listener.expect("someone else at AAB who has never been a peer supporter");

        // The coordinator finds the Listener-to-be from the register, and records the training.
        let (status, html) = get_page(&app, &lc, "/listeners?add=Z9999ZZ".into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            html.contains("id=\"add-error\"") && html.contains("No one with that prison number is in custody here")
        );
        let res = lc.get(format!("{}/listeners?add={}", app.base, l.to_lowercase())).send().await.unwrap();
        assert_eq!(res.headers()["location"], format!("/people/{l}/peer-supporter").as_str());
        let train = |day: &str| {
            vec![
                ("action", "train".to_string()),
                ("scheme", "LISTENER".into()),
                ("day", day.into()),
                ("month", "4".into()),
                ("year", "2026".into()),
            ]
        };
        let (status, _, html) = post_form(&app, &lc, format!("/people/{l}/peer-supporter"), train("2")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"date-error\"")
                && html.contains("The training date cannot be after the day it is recorded")
        );
        assert_eq!(
            post_form(&app, &lc, format!("/people/{l}/peer-supporter"), train("1")).await.0,
            StatusCode::SEE_OTHER
        );
        let (status, _, html) = post_form(&app, &lc, format!("/people/{l}/peer-supporter"), train("1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"scheme-error\"") && html.contains("Already active as a Listener"), "{html}");
        let consent = vec![
            ("action", "consent".to_string()),
            ("backgrounds", "MOTHER".into()),
            ("backgrounds", "LANGUAGE".into()),
        ];
        assert_eq!(post_form(&app, &lc, format!("/people/{l}/peer-supporter"), consent).await.0, StatusCode::SEE_OTHER);

        // A key worker passes on a request; a bad form writes nothing.
        let before = app.db.timeline(&person).await.unwrap().all().len();
        let (status, _, html) = post_form(&app, &kw, format!("/people/{pn}/listener"), vec![]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("Select what the person asked for")
                && html.contains("Say whether the support has already come")
        );
        let samaritans_matched =
            vec![("asked", "SAMARITANS".to_string()), ("match_on", "FAITH".into()), ("already", "no".into())];
        let (status, _, html) = post_form(&app, &kw, format!("/people/{pn}/listener"), samaritans_matched).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"match_on-error\""));
        assert_eq!(app.db.timeline(&person).await.unwrap().all().len(), before, "nothing written");
        let ask = vec![("asked", "LISTENER".to_string()), ("match_on", "MOTHER".into()), ("already", "no".into())];
        let (status, to, _) = post_form(&app, &kw, format!("/people/{pn}/listener"), ask).await;
        assert_eq!((status, to), (StatusCode::SEE_OTHER, Some(format!("/people/{pn}"))));
        let t = app.db.timeline(&person).await.unwrap();
        let request = requests(&t).into_iter().find(|r| r.at == now() && r.is_waiting()).unwrap();

        // Nobody but the coordinator sees it: not the key worker who passed it on, not safer custody.
        let sc = signed_in(&app, Role::SaferCustody).await;
        for c in [&kw, &sc] {
            let (_, page) = get_page(&app, c, format!("/people/{pn}")).await;
            assert!(!page.contains("Asked for a Listener") && !page.contains("Listener coordinator)"), "{page}");
            let events: Vec<serde_json::Value> =
                c.get(format!("{}/api/v1/people/{pn}/events", app.base)).send().await.unwrap().json().await.unwrap();
            assert!(events.iter().all(|e| !e["kind"].as_str().unwrap().starts_with("listener_")));
            let items: Vec<serde_json::Value> =
                c.get(format!("{}/api/v1/worklist", app.base)).send().await.unwrap().json().await.unwrap();
            assert!(items.iter().all(|i| i["standard"] != "listener-request-met-2-hours"));
            assert_eq!(get_page(&app, c, "/listeners".into()).await.0, StatusCode::FORBIDDEN);
            assert_eq!(get_page(&app, c, format!("/listeners/requests/{}", request.id)).await.0, StatusCode::FORBIDDEN);
        }
        let items: Vec<serde_json::Value> =
            lc.get(format!("{}/api/v1/worklist", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(
            items.iter().any(|i| i["prison_number"] == pn.as_str() && i["standard"] == "listener-request-met-2-hours")
        );
        let (_, register) = get_page(&app, &lc, "/listeners".into()).await;
        assert!(register.contains(&format!("/listeners/requests/{}", request.id)), "waiting on the coordinator's page");

        // The request page: the new Listener shares being a mother, since both chose it; not language.
        let url = format!("/listeners/requests/{}", request.id);
        let (_, page) = get_page(&app, &lc, url.clone()).await;
        assert!(page.contains("shares being a mother"), "{page}");
        assert!(!page.contains("shares language"), "the person did not ask to be matched by language");
        // A time before the request is refused beside the field; now is 1pm in London (BST).
        let met = |time: &str| {
            vec![
                ("what", "met".to_string()),
                ("day", "1".into()),
                ("month", "4".into()),
                ("year", "2026".into()),
                ("time", time.into()),
                ("listener", l.clone()),
            ]
        };
        let (status, _, html) = post_form(&app, &lc, url.clone(), met("11:30am")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"time-error\"") && html.contains("The support came after it was asked for"),
            "{html}"
        );
        let (status, _, html) = post_form(&app, &lc, url.clone(), met("25:00")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Enter a real time, for example 21:30 or 9:30pm"));
        let (status, to, _) = post_form(&app, &lc, url.clone(), met("1:00pm")).await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some("/listeners")));
        let t = app.db.timeline(&person).await.unwrap();
        let done = requests(&t).into_iter().find(|r| r.id == request.id).unwrap();
        assert_eq!(
            done.outcome,
            RequestOutcome::Met { at: now(), listener: Some(throughcare_core::PrisonNumber::parse(&l).unwrap()) }
        );
        let ob = app.db.obligations_of(&person).await.unwrap();
        let o = ob
            .iter()
            .find(|o| o.standard.as_str() == "listener-request-met-2-hours" && o.trigger == request.id)
            .unwrap();
        assert_eq!(o.outcome.code(), "met_on_time");
        let (status, _, _) = post_form(&app, &lc, url.clone(), met("1:00pm")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a request is met once");

        // Passed on after the Listener has already come: both recorded at once, the wait from the form.
        let already = vec![
            ("asked", "SAMARITANS".to_string()),
            ("already", "yes".into()),
            ("day", "1".into()),
            ("month", "4".into()),
            ("year", "2026".into()),
            ("time", "12:40pm".into()),
        ];
        assert_eq!(post_form(&app, &kw, format!("/people/{pn}/listener"), already).await.0, StatusCode::SEE_OTHER);
        let t = app.db.timeline(&person).await.unwrap();
        let at: jiff::Timestamp = "2026-04-01T11:40:00Z".parse().unwrap();
        assert!(requests(&t).iter().any(|r| r.at == at && r.outcome == RequestOutcome::Met { at, listener: None }));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mbu_register_lists_each_woman_who_qualifies_with_her_deadlines_for_the_mbu_officer_alone() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let (mbu, kw) = (signed_in(&app, Role::MbuOfficer).await, signed_in(&app, Role::KeyWorker).await);
        assert_eq!(get_page(&app, &kw, "/mbu".into()).await.0, StatusCode::FORBIDDEN);
        let token = throughcare_web::auth::new_token();
        let mut tx = app.db.begin_write().await.unwrap();
        tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), "t.mbu-officer", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let record = |kind: &str, at: &str, details: &str| {
            reqwest::Client::new()
                .post(format!("{}/api/v1/people/{}/events", app.base, app.at_home))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!(r#"{{"kind":"{kind}","occurred_at":"2026-04-01T{at}:00Z","details":{details}}}"#))
                .send()
        };
        let (status, html) = get_page(&app, &mbu, "/mbu".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains(&app.at_home), "not on the register before she is known to qualify");

        // A date of birth after today is refused; a child of 17 months puts her on the register.
        assert_eq!(
            record("characteristic_declared", "08:00", r#"{"characteristic":"sex","value":"F"}"#)
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        // A decision before any application is refused, naming the field.
        let early = record(
            "mbu_decision",
            "08:04",
            r#"{"application":"00000000-0000-4000-8000-000000000000","outcome":"APPROVED"}"#,
        )
        .await
        .unwrap();
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = early.text().await.unwrap();
        assert!(body.contains("application"), "{body}");
        let future = record("child_recorded", "08:05", r#"{"date_of_birth":"2026-04-02"}"#).await.unwrap();
        assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(future.text().await.unwrap().contains("date_of_birth"));
        assert_eq!(
            record("child_recorded", "08:10", r#"{"date_of_birth":"2024-11-05"}"#).await.unwrap().status(),
            StatusCode::CREATED
        );
        let (_, html) = get_page(&app, &mbu, "/mbu".into()).await;
        let text = visible_text(&html);
        assert!(text.contains(&app.at_home), "{text}");
        assert!(text.contains("Child born 5 November 2024: 18 months on 5 May 2026"), "{text}");
        assert!(text.contains("Booklet: Not given yet") && text.contains("MBU officer: No visit yet"), "{text}");
        assert!(text.contains("Give the 'All About MBUs' booklet within a week"), "{text}");
        assert!(text.contains("Not applied"), "{text}");

        // The booklet and a visit: the register says so and the booklet's deadline is met.
        assert_eq!(
            record("mbu_booklet_given", "08:20", r#"{"format":"EASY_READ"}"#).await.unwrap().status(),
            StatusCode::CREATED
        );
        assert_eq!(
            record("mbu_officer_visit", "08:30", r#"{"officer":"t.mbu-officer"}"#).await.unwrap().status(),
            StatusCode::CREATED
        );
        assert_eq!(record("mbu_application_made", "08:40", "{}").await.unwrap().status(), StatusCode::CREATED);
        let (_, html) = get_page(&app, &mbu, "/mbu".into()).await;
        let text = visible_text(&html);
        assert!(text.contains("Booklet: Given 1 April 2026 at 9:20am"), "{text}");
        assert!(text.contains("1 visit, the last 1 April 2026 at 9:30am by Test MBU officer"), "{text}");
        assert!(text.contains("Applied 1 April 2026 at 9:40am: waiting for the admission board"), "{text}");
        assert!(!text.contains("Give the 'All About MBUs' booklet within a week"), "{text}");

        // Her own page: each bad form says why beside the field and writes nothing.
        let pn = app.at_home.clone();
        assert_eq!(get_page(&app, &kw, format!("/mbu/{pn}")).await.0, StatusCode::FORBIDDEN);
        let before = app.db.timeline(&pn.parse().unwrap()).await.unwrap().all().len();
        let form = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();
        for (pairs, field, message) in [
            (
                form(&[("action", "child"), ("day", "2"), ("month", "4"), ("year", "2026")]),
                "child",
                "cannot be after the day it is recorded",
            ),
            (
                form(&[("action", "child"), ("day", "31"), ("month", "2"), ("year", "2025")]),
                "child",
                "must be a real date",
            ),
            (form(&[("action", "booklet")]), "format", "Select the format she was given"),
            (form(&[("action", "decide")]), "outcome", "Select the decision"),
            (form(&[("action", "decide"), ("outcome", "REFUSED")]), "board_on", "Enter the date the board met"),
            (
                form(&[
                    ("action", "decide"),
                    ("outcome", "REFUSED"),
                    ("bday", "2"),
                    ("bmonth", "4"),
                    ("byear", "2026"),
                ]),
                "board_on",
                "The board meets after the application and by the day of the decision",
            ),
        ] {
            let (status, _, html) = post_form(&app, &mbu, format!("/mbu/{pn}"), pairs).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert!(html.contains(&format!("id=\"{field}-error\"")) && html.contains(message), "{message}");
        }
        assert_eq!(app.db.timeline(&pn.parse().unwrap()).await.unwrap().all().len(), before);

        // The decision on her application, from the page: a refusal asks for mental-health support.
        let (status, to, _) = post_form(
            &app,
            &mbu,
            format!("/mbu/{pn}"),
            form(&[("action", "decide"), ("outcome", "REFUSED"), ("bday", "1"), ("bmonth", "4"), ("byear", "2026")]),
        )
        .await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/mbu/{pn}").as_str())));
        let (_, html) = get_page(&app, &mbu, format!("/mbu/{pn}")).await;
        let text = visible_text(&html);
        assert!(
            text.contains("The MBU record has been updated") && text.contains("Refused 1 April 2026 at 1:00pm"),
            "{text}"
        );
        assert!(text.contains("Record her application") && !text.contains("Record the decision"), "{text}");
        let obligations = app.db.obligations_of(&pn.parse().unwrap()).await.unwrap();
        assert!(obligations.iter().any(|o| o.standard.as_str() == "mbu-support-after-refusal"));
        let (status, _, _) = post_form(&app, &mbu, format!("/mbu/{pn}"), form(&[("action", "visit")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &mbu, format!("/mbu/{pn}")).await.1);
        assert!(text.contains("1 April 2026 at 1:00pm by Test MBU officer"), "{text}");

        // Named as her MBU officer: the register says who.
        let (status, _, _) = post_form(&app, &mbu, format!("/mbu/{pn}"), form(&[("action", "name_me")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &mbu, format!("/mbu/{pn}")).await.1);
        assert!(text.contains("Her MBU officer") && !text.contains("Name me as her MBU officer"), "{text}");
        assert!(
            visible_text(&get_page(&app, &mbu, "/mbu".into()).await.1).contains("Her MBU officer: Test MBU officer")
        );

        // Admitted for good only with a place approved: refused, she is admitted temporarily.
        let admit = |temporary: &'static str| form(&[("action", "admit"), ("unit", "STI"), ("temporary", temporary)]);
        let (status, _, html) = post_form(&app, &mbu, format!("/mbu/{pn}"), admit("no")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            visible_text(&html).contains("Without an approved place she can only be admitted temporarily")
                && html.contains("id=\"temporary-error\""),
            "{html}"
        );
        let (status, _, _) = post_form(&app, &mbu, format!("/mbu/{pn}"), admit("yes")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // She appeals; the appeal is upheld; the register shows the stage and the unit's occupancy.
        let (status, _, _) = post_form(&app, &mbu, format!("/mbu/{pn}"), form(&[("action", "appeal")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, html) = post_form(&app, &mbu, format!("/mbu/{pn}"), form(&[("action", "decide_appeal")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"appeal_outcome-error\""), "the appeal's decision is asked for beside the field");
        let decide = form(&[("action", "decide_appeal"), ("appeal_outcome", "APPROVED")]);
        let (status, _, _) = post_form(&app, &mbu, format!("/mbu/{pn}"), decide).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &mbu, format!("/mbu/{pn}")).await.1);
        assert!(text.contains("On appeal: place approved 1 April 2026 at 1:00pm"), "{text}");
        assert!(text.contains("HMP Styal, since 1 April 2026 at 1:00pm (temporary admission)"), "{text}");
        assert!(!text.contains("Record her application"), "a place approved: no new application");
        let register =
            visible_text(&get_page(&app, &mbu, "/mbu".into()).await.1).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(register.contains("HMP Styal 9 (to be confirmed) 1"), "{register}");
        assert!(register.contains("HMP Askham Grange 10 (to be confirmed) 0"), "{register}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_worker_sees_their_own_people_with_sessions_flags_and_what_is_coming_up() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let (officer, kw, sc) = (
            signed_in(&app, Role::ReceptionOfficer).await,
            signed_in(&app, Role::KeyWorker).await,
            signed_in(&app, Role::SaferCustody).await,
        );
        assert_eq!(get_page(&app, &sc, "/key-work".into()).await.0, StatusCode::FORBIDDEN);
        let (status, html) = get_page(&app, &kw, "/key-work".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Nobody is allocated to you yet"), "the seeded people have other key workers");

        // Born on 10 April: her birthday is 9 days after the clock's 1 April.
        let form = vec![
            ("prison_number", "Q2345QQ".to_string()),
            ("given_name", "Mina".into()),
            ("family_name", "Hart".into()),
            ("dob_day", "10".into()),
            ("dob_month", "4".into()),
            ("dob_year", "1990".into()),
            ("reception_type", "NEW".into()),
            ("legal_status", "REMAND".into()),
            ("format", "EASY_READ".into()),
            ("language", "en".into()),
        ];
        let (status, _, _) = post_form(&app, &officer, "/reception/book-in".into(), form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let token = throughcare_web::auth::new_token();
        let mut tx = app.db.begin_write().await.unwrap();
        tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), "t.key-worker", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // The key work manager allocates her, from her key work page.
        let manager = signed_in(&app, Role::KeyWorkManager).await;
        let allocate = vec![("action", "allocate".to_string()), ("key_worker", "t.key-worker".into())];
        let (status, _, _) = post_form(&app, &manager, "/people/Q2345QQ/key-work".into(), allocate).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        for (kind, at, details) in [
            // At the clock's own instant, after the reception it follows.
            ("key_work_session", "12:00", r#"{"key_worker":"t.key-worker","minutes":45}"#),
        ] {
            let res = reqwest::Client::new()
                .post(format!("{}/api/v1/people/Q2345QQ/events", app.base))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!(r#"{{"kind":"{kind}","occurred_at":"2026-04-01T{at}:00Z","details":{details}}}"#))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED, "{kind}");
        }
        let text = visible_text(&get_page(&app, &kw, "/key-work".into()).await.1);
        assert!(text.contains("Mina Hart") && text.contains("Q2345QQ"), "{text}");
        assert!(text.contains("1 April 2026 at 1:00pm, 45 minutes"), "{text}");
        assert!(text.contains("Easy read needed"), "{text}");
        assert!(text.contains("10 April 2026: Birthday (turns 36)"), "{text}");
        // Met for this week (allocated 1 April at 1pm, weeks run from then): the next is due 15 April.
        assert!(text.contains("This week's session is done; the next is due by 1:00pm on 15 April"), "{text}");
        assert!(!text.contains(&app.at_home), "only their own people");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_family_of_choice_is_named_changed_and_removed_with_its_history_kept() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let (kw, officer) = (signed_in(&app, Role::KeyWorker).await, signed_in(&app, Role::ReceptionOfficer).await);
        let pn = app.at_home.clone();
        let path = format!("/people/{pn}/family");
        assert_eq!(get_page(&app, &officer, path.clone()).await.0, StatusCode::FORBIDDEN);
        let person: throughcare_core::PrisonNumber = pn.parse().unwrap();
        let before = app.db.timeline(&person).await.unwrap().state_at(now()).family.len();
        let form = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();

        // A contact without a name, or without the person's wishes, is refused beside the field.
        let (status, _, html) =
            post_form(&app, &kw, path.clone(), form(&[("action", "add"), ("relationship", "my nan")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for (field, message) in [
            ("name", "Enter their name"),
            ("involvement", "Select whether to involve them in mental-health support"),
            ("told_of_transfer", "Select whether they may be told of a transfer"),
        ] {
            assert!(html.contains(&format!("id=\"{field}-error\"")) && html.contains(message), "{message}");
        }
        assert!(html.contains("value=\"my nan\""), "what was typed is kept");
        assert_eq!(app.db.timeline(&person).await.unwrap().state_at(now()).family.len(), before);

        let add = form(&[
            ("action", "add"),
            ("name", "Rose Lee"),
            ("relationship", "my nan"),
            ("involvement", "ASK_EACH_TIME"),
            ("told_of_transfer", "no"),
        ]);
        let (status, to, _) = post_form(&app, &kw, path.clone(), add).await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())));
        let family = app.db.timeline(&person).await.unwrap().state_at(now()).family;
        let (id, rose) = family.iter().find(|(_, c)| c.name == "Rose Lee").unwrap();
        assert!(!rose.told_of_transfer);
        let change = form(&[
            ("action", "change"),
            ("contact", &id.to_string()),
            ("involvement", "CONSENTS"),
            ("told_of_transfer", "yes"),
        ]);
        assert_eq!(post_form(&app, &kw, path.clone(), change).await.0, StatusCode::SEE_OTHER);
        let family = app.db.timeline(&person).await.unwrap().state_at(now()).family;
        let rose = &family.iter().find(|(c, _)| c == id).unwrap().1;
        assert!(
            rose.told_of_transfer && rose.involvement == throughcare_core::communication::FamilyInvolvement::Consents
        );

        let text = visible_text(&get_page(&app, &kw, path.clone()).await.1);
        assert!(text.contains("Their family of choice has been updated"), "{text}");
        assert!(
            text.contains("Changed wishes about Rose Lee (my nan): involve them; may be told of a transfer"),
            "{text}"
        );
        assert!(
            text.contains("Named Rose Lee (my nan) as family: ask me each time; not to be told of a transfer"),
            "{text}"
        );

        // A video call with her, recorded as contact.
        let call = form(&[("action", "contact"), ("contact", &id.to_string()), ("how", "VIDEO_CALL")]);
        assert_eq!(post_form(&app, &kw, path.clone(), call).await.0, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &kw, path.clone()).await.1);
        assert!(text.contains("Video call 1 April 2026 at 1:00pm"), "{text}");
        assert!(text.contains("Video call with Rose Lee (my nan)"), "{text}");
        // A birthday he shares shows on his key work page; one in the future is not a birthday.
        let with_birthday = |year: &str| {
            form(&[
                ("action", "add"),
                ("name", "Dan Lee"),
                ("relationship", "my brother"),
                ("involvement", "CONSENTS"),
                ("told_of_transfer", "yes"),
                ("bday", "12"),
                ("bmonth", "4"),
                ("byear", year),
            ])
        };
        let (status, _, html) = post_form(&app, &kw, path.clone(), with_birthday("19x0")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"birthday-error\""), "{html}");
        assert_eq!(post_form(&app, &kw, path.clone(), with_birthday("1988")).await.0, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &kw, format!("/people/{pn}/key-work")).await.1);
        assert!(text.contains("12 April 2026: Birthday of Dan Lee (my brother)"), "{text}");

        // Removed, she is off the record and the history keeps all three steps.
        let remove = form(&[("action", "remove"), ("contact", &id.to_string())]);
        assert_eq!(post_form(&app, &kw, path.clone(), remove.clone()).await.0, StatusCode::SEE_OTHER);
        assert!(!app.db.timeline(&person).await.unwrap().state_at(now()).family.iter().any(|(c, _)| c == id));
        let (status, _, html) = post_form(&app, &kw, path.clone(), remove).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("That contact is not on their record"));
        let text = visible_text(&get_page(&app, &kw, path.clone()).await.1);
        assert!(text.contains("Removed Rose Lee (my nan) from family"), "{text}");

        // A bereavement: a death after today is refused beside the date; recorded, it asks the
        // key worker to check in within 2 days.
        let died = |day: &str, month: &str| {
            form(&[("action", "bereavement"), ("who", "my brother"), ("day", day), ("month", month), ("year", "2026")])
        };
        let (status, _, html) = post_form(&app, &kw, path.clone(), died("2", "4")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"died_on-error\"") && html.contains("cannot be after the day it is recorded"),
            "{html}"
        );
        let (status, _, html) = post_form(&app, &kw, path.clone(), died("30", "3")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", visible_text(&html));
        let text = visible_text(&get_page(&app, &kw, path.clone()).await.1);
        assert!(text.contains("Bereavement: my brother died on 30 March 2026"), "{text}");
        let obligations = app.db.obligations_of(&person).await.unwrap();
        let check_in = obligations.iter().find(|o| o.standard.as_str() == "key-work-bereavement-check-in").unwrap();
        assert_eq!(check_in.due_at, "2026-04-03T22:59:59.999999Z".parse::<jiff::Timestamp>().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_funeral_request_is_decided_with_its_risk_assessment_and_a_reason_for_a_refusal() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let (kw, officer) = (signed_in(&app, Role::KeyWorker).await, signed_in(&app, Role::ReceptionOfficer).await);
        let pn = app.at_home.clone();
        let path = format!("/people/{pn}/temporary-release");
        assert_eq!(get_page(&app, &officer, path.clone()).await.0, StatusCode::FORBIDDEN);
        let form = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();
        let (status, _, html) = post_form(&app, &kw, path.clone(), form(&[("action", "request")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"purpose-error\"") && html.contains("Select what the release is for"));
        let (status, to, _) =
            post_form(&app, &kw, path.clone(), form(&[("action", "request"), ("purpose", "FUNERAL")])).await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())));
        let person: throughcare_core::PrisonNumber = pn.parse().unwrap();
        let request = app
            .db
            .timeline(&person)
            .await
            .unwrap()
            .live()
            .filter(|e| matches!(e.kind, throughcare_core::EventKind::TemporaryReleaseRequested { .. }))
            .last()
            .unwrap()
            .id
            .to_string();

        // A refusal without a reason is refused beside the field, and nothing is written.
        let before = app.db.timeline(&person).await.unwrap().all().len();
        let refuse = |reason: &str| {
            form(&[
                ("action", "decide"),
                ("request", &request),
                ("risk", "HIGH"),
                ("granted", "no"),
                ("reason", reason),
            ])
        };
        let (status, _, html) = post_form(&app, &kw, path.clone(), refuse("")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"reason-error\"") && html.contains("Give the reason for the refusal"));
        assert_eq!(app.db.timeline(&person).await.unwrap().all().len(), before);
        let (status, _, _) = post_form(&app, &kw, path.clone(), refuse("The funeral is outside the escort area")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let text = visible_text(&get_page(&app, &kw, path.clone()).await.1);
        assert!(text.contains("Funeral, asked"), "{text}");
        assert!(text.contains("high risk: The funeral is outside the escort area"), "{text}");
        assert!(!text.contains("Record a decision"), "nothing left waiting");
        // Decided once only.
        let (status, _, html) = post_form(&app, &kw, path.clone(), refuse("again")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Select a request waiting for a decision"));
        // The timeline says it in words.
        let text = visible_text(&get_page(&app, &kw, format!("/people/{pn}")).await.1);
        assert!(
            text.contains("Temporary release refused (high risk): The funeral is outside the escort area"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn key_workers_are_allocated_within_the_cap_by_recommendation_with_absences_and_training_respected() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let flat = |html: &str| visible_text(html).split_whitespace().collect::<Vec<_>>().join(" ");
        let (manager, kw, governor) = (
            signed_in(&app, Role::KeyWorkManager).await,
            signed_in(&app, Role::KeyWorker).await,
            signed_in(&app, Role::Governor).await,
        );
        let form = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();
        let here: throughcare_core::EstablishmentCode = "AAB".parse().unwrap();
        let people: Vec<String> =
            app.db.caseload(&here).await.unwrap().into_iter().map(|(p, _)| p.prison_number.to_string()).collect();
        assert!(people.len() >= 9, "{}", people.len());
        assert_eq!(get_page(&app, &kw, "/key-work/allocations".into()).await.0, StatusCode::FORBIDDEN);

        // Six people for kw.full: the cap. A seventh is refused beside the field without a reason.
        let allocate = |pn: &str, who: &str, reason: &str| {
            let path = format!("/people/{pn}/key-work");
            let f = form(&[("action", "allocate"), ("key_worker", who), ("over_cap_reason", reason)]);
            (path, f)
        };
        for pn in &people[..6] {
            let (path, f) = allocate(pn, "kw.full", "");
            assert_eq!(post_form(&app, &manager, path, f).await.0, StatusCode::SEE_OTHER, "{pn}");
        }
        let (path, f) = allocate(&people[6], "kw.full", "");
        let (status, _, html) = post_form(&app, &manager, path.clone(), f).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"over_cap_reason-error\""), "{html}");
        assert!(flat(&html).contains("kw.full already has 6 people (the cap is 6): give the reason"), "{html}");
        let pn7: throughcare_core::PrisonNumber = people[6].parse().unwrap();
        let before = app.db.timeline(&pn7).await.unwrap().all().len();
        assert_eq!(app.db.timeline(&pn7).await.unwrap().all().len(), before, "nothing written");
        // The API holds the cap too.
        let token = throughcare_web::auth::new_token();
        let mut tx = app.db.begin_write().await.unwrap();
        tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), "t.key-work-manager", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/people/{}/events", app.base, people[6]))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"kind":"key_worker_allocated","occurred_at":"2026-04-01T11:00:00Z","details":{"key_worker":"kw.full"}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("over_cap_reason"));
        // With a reason it is allocated, and the reason is on the record.
        let (path, f) = allocate(&people[6], "kw.full", "Speaks Polish, as he does");
        assert_eq!(post_form(&app, &manager, path.clone(), f).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &manager, path.clone()).await.1);
        assert!(text.contains("above the caseload cap: Speaks Polish, as he does"), "{text}");

        // Deallocated with a reason (none given is refused beside the field).
        let (status, _, html) = post_form(&app, &manager, path.clone(), form(&[("action", "deallocate")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"reason-error\""), "{html}");
        let f = form(&[("action", "deallocate"), ("reason", "PERSON_ASKED")]);
        assert_eq!(post_form(&app, &manager, path.clone(), f).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &manager, path.clone()).await.1);
        assert!(text.contains("Key worker deallocated: the person asked for a different key worker"), "{text}");

        // The recommendation: a previous key worker who is here and below the cap comes first.
        let (p9, f) = allocate(&people[8], "kw.prev", "");
        assert_eq!(post_form(&app, &manager, p9, f).await.0, StatusCode::SEE_OTHER);
        let (p8, f) = allocate(&people[7], "kw.prev", "");
        assert_eq!(post_form(&app, &manager, p8.clone(), f).await.0, StatusCode::SEE_OTHER);
        let f = form(&[("action", "deallocate"), ("reason", "REBALANCING")]);
        assert_eq!(post_form(&app, &manager, p8.clone(), f).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &manager, p8.clone()).await.1);
        assert!(text.contains("Recommended: kw.prev , their key worker before"), "{text}");
        // Away on leave today: not recommended.
        let leave = form(&[
            ("staff", "kw.prev"),
            ("kind", "ANNUAL_LEAVE"),
            ("day", "30"),
            ("month", "3"),
            ("year", "2026"),
            ("eday", "3"),
            ("emonth", "4"),
            ("eyear", "2026"),
        ]);
        let (status, _, html) = post_form(&app, &manager, "/key-work/allocations".into(), leave[1..].to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"staff-error\""), "{html}");
        assert_eq!(post_form(&app, &manager, "/key-work/allocations".into(), leave).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &manager, p8.clone()).await.1);
        assert!(!text.contains("Recommended: kw.prev"), "{text}");
        assert!(text.contains("kw.prev: 1 of 6 (annual leave until 3 april 2026)"), "{text}");
        let page = flat(&get_page(&app, &manager, "/key-work/allocations".into()).await.1);
        assert!(page.contains("kw.prev: Annual leave, from 30 March 2026 to 3 April 2026"), "{page}");
        assert!(page.contains("Annual leave until 3 April 2026"), "{page}");
        assert!(page.contains("Days from reception to key worker allocation (median)"), "{page}");
        // The governor reads the page without its forms.
        let text = flat(&get_page(&app, &governor, "/key-work/allocations".into()).await.1);
        assert!(text.contains("Waiting for a key worker") && !text.contains("Record the absence"), "{text}");

        // A court date goes on "coming up"; a bad date is refused beside the field.
        let hearing = |day: &str| {
            form(&[("action", "hearing"), ("hearing", "COURT"), ("hday", day), ("hmonth", "4"), ("hyear", "2026")])
        };
        let (status, _, html) = post_form(&app, &manager, p8.clone(), hearing("31")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"on-error\""), "{html}");
        assert_eq!(post_form(&app, &manager, p8.clone(), hearing("20")).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &manager, p8.clone()).await.1);
        assert!(text.contains("20 April 2026: Court date"), "{text}");

        // Training: what is missing is named; a session counts toward the share of key workers trained.
        let (status, _, html) = post_form(&app, &manager, "/training".into(), form(&[("title", "Life events")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["topic", "held_on", "coproduced", "lived_experience", "attended"] {
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
        }
        let session = form(&[
            ("topic", "LIFE_EVENTS"),
            ("title", "Life events that hurt"),
            ("day", "20"),
            ("month", "3"),
            ("year", "2026"),
            ("coproduced", "yes"),
            ("lived_experience", "yes"),
            ("attended", "kw.full"),
            ("others", "t.governor"),
        ]);
        assert_eq!(post_form(&app, &manager, "/training".into(), session).await.0, StatusCode::SEE_OTHER);
        let text = flat(&get_page(&app, &governor, "/training".into()).await.1);
        assert!(text.contains("Life events that hurt"), "{text}");
        assert!(text.contains("Coproduced; delivered with people with lived experience"), "{text}");
        assert!(text.contains("Trained on life events (P2-D) 1 of "), "{text}");
        assert!(text.contains("Trained on protected characteristics (P1-B) 0 of "), "{text}");
        assert_eq!(post_form(&app, &governor, "/training".into(), form(&[])).await.0, StatusCode::FORBIDDEN);
    }
}

/// Two people at AAB with kiosk PINs, each with a request and an ask for help: (pn, request id).
async fn two_kiosk_people(app: &App) -> [(String, String, reqwest::Client, String); 2] {
    let held = app.db.caseload(&"AAB".parse().unwrap()).await.unwrap();
    let mut out = Vec::new();
    for (i, (p, _)) in held.iter().take(2).enumerate() {
        let pn = p.prison_number.to_string();
        let pin = ["2580", "1357"][i];
        set_pin(app, &pn, pin).await;
        let (c, token) = kiosk_signed_in(app, &pn, pin).await;
        // Another category than any the estate left open: faith is answered for most people.
        let category = ["EQUALITY", "OTHER"][i];
        let res = c
            .post(format!("{}/kiosk/requests", app.base))
            .form(&[("category", category), ("detail", &format!("Secret words of {pn}"))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{pn} raises a request: {:?}", res.text().await);
        let location = res.headers()["location"].to_str().unwrap();
        let id = location.trim_start_matches("/kiosk/requests/").split('?').next().unwrap().to_string();
        let help = c.post(format!("{}/kiosk/help", app.base)).form(&[("help", "feelings")]).send().await.unwrap();
        assert_eq!(help.status(), StatusCode::SEE_OTHER);
        out.push((pn, id, c, token));
    }
    out.try_into().unwrap_or_else(|_| panic!("two people"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kiosk_shows_each_person_only_their_own_record_and_reaches_no_staff_route() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let [(pa, ida, ka, token_a), (pb, idb, kb, _)] = two_kiosk_people(&app).await;
        let b_name = {
            let p = app.db.person(&throughcare_core::PrisonNumber::parse(&pb).unwrap()).await.unwrap().unwrap();
            p.family_name.as_str().to_string()
        };
        // Each sees their own request, in their own words.
        for (c, id, pn) in [(&ka, &ida, &pa), (&kb, &idb, &pb)] {
            let (status, body) = get_page(&app, c, format!("/kiosk/requests/{id}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(body.contains(&format!("Secret words of {pn}")));
        }
        // Every kiosk route with an id, given the other person's: 404, on pages and the API.
        let b_timeline = app.db.timeline(&throughcare_core::PrisonNumber::parse(&pb).unwrap()).await.unwrap();
        let b_ids: Vec<String> = b_timeline.all().iter().map(|e| e.id.to_string()).collect();
        assert!(b_ids.contains(&idb));
        for route in ROUTES.iter().filter(|r| r.access == Access::Kiosk && r.path.contains("{id}")) {
            for id in b_ids.iter().rev().take(8) {
                let url = format!("{}{}", app.base, route.path.replace("{id}", id));
                let res = ka.get(&url).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{} with {pb}'s {id}", route.path);
                let body = res.text().await.unwrap();
                assert!(!body.contains(&pb) && !body.contains(&b_name) && !body.contains("Secret words of"));
                if !route.path.starts_with("/kiosk/api/") {
                    assert!(body.contains("not yours to see"), "the kiosk's own page, in their words");
                }
            }
        }
        // No kiosk page names the other person anywhere.
        for path in
            ["/kiosk", "/kiosk/information", "/kiosk/requests", "/kiosk/help", "/kiosk/me", "/kiosk/api/requests"]
        {
            let (status, body) = get_page(&app, &ka, path.into()).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(!body.contains(&pb) && !body.contains(&format!("Secret words of {pb}")), "{path}");
        }
        // The kiosk token, sent as a staff session cookie or a bearer token, reaches no staff route.
        for r in ROUTES.iter().filter(|r| !r.path.starts_with("/kiosk") && !matches!(r.access, Access::Anyone)) {
            let url = format!("{}{}", app.base, concrete(r.path, &app).replace(&app.at_home, &pa));
            let forged = client()
                .request(r.method.parse().unwrap(), &url)
                .header("cookie", format!("tc_session={token_a}; tc_kiosk={token_a}"))
                .header("authorization", format!("Bearer {token_a}"))
                .send()
                .await
                .unwrap();
            let s = forged.status();
            assert!(
                s == StatusCode::UNAUTHORIZED || forged.headers().get("location").is_some_and(|l| l == "/sign-in"),
                "{} {} with a kiosk token: {s}",
                r.method,
                r.path
            );
        }
        // A request for help is healthcare's alone: not on the wing's queue, nor in words on its record.
        let kw = signed_in(&app, Role::KeyWorker).await;
        let (_, queue) = get_page(&app, &kw, "/requests".into()).await;
        assert!(!queue.contains(&format!("Secret words of {pa}")), "an equality request is not the wing's");
        assert!(queue.contains(&format!("Secret words of {pb}")), "'something else' is the wing's");
        let (_, record) = get_page(&app, &kw, format!("/people/{pa}")).await;
        assert!(!record.contains("self-referral") && !record.contains("how they feel"));
        let nurse = signed_in(&app, Role::ReceptionNurse).await;
        let (_, worklist) = get_page(&app, &nurse, "/worklist?team=healthcare".into()).await;
        assert!(worklist.contains("triaged by the next working day"), "healthcare's worklist has the self-referral");
        let (_, kw_worklist) = get_page(&app, &kw, "/worklist".into()).await;
        assert!(!kw_worklist.contains("triaged by the next working day"));
        // What A typed is for the teams that answer requests: safer custody reads that there was one.
        let sc = signed_in(&app, Role::SaferCustody).await;
        let (_, api) = get_page(&app, &sc, format!("/api/v1/people/{pa}/events")).await;
        assert!(!api.contains("Secret words of") && api.contains("\"kind\":\"request_raised\""), "{api}");
        let (_, page) = get_page(&app, &sc, format!("/people/{pa}")).await;
        assert!(!page.contains("Secret words of"));
        // A key worker reads the words of the requests on their own queue, not another team's.
        let (_, theirs) = get_page(&app, &kw, format!("/api/v1/people/{pb}/events")).await;
        assert!(theirs.contains(&format!("Secret words of {pb}")), "'something else' is the key workers' to answer");
        let (_, other) = get_page(&app, &kw, format!("/api/v1/people/{pa}/events")).await;
        assert!(!other.contains("Secret words of"), "an equality request is not the key worker's to read");
        // The equality team's queue holds A's request; staff answer it and A sees the answer.
        let eq = signed_in(&app, Role::EqualityLead).await;
        let (_, eq_queue) = get_page(&app, &eq, "/requests?team=equality".into()).await;
        assert!(eq_queue.contains(&format!("Secret words of {pa}")));
        let declined = eq
            .post(format!("{}/requests/{ida}", app.base))
            .form(&[("action", "answer"), ("outcome", "DECLINED"), ("reason", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(declined.status(), StatusCode::UNPROCESSABLE_ENTITY, "a refusal says why");
        let answered = eq
            .post(format!("{}/requests/{ida}", app.base))
            .form(&[("action", "answer"), ("outcome", "DECLINED"), ("reason", "We cannot order that item.")])
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::SEE_OTHER);
        let json: serde_json::Value =
            ka.get(format!("{}/kiosk/api/requests/{ida}", app.base)).send().await.unwrap().json().await.unwrap();
        assert_eq!(json["status"], "ANSWERED");
        assert_eq!(json["reason"], "We cannot order that item.");
        // A chaplain works the chaplaincy's queue only: the equality request is not theirs to open.
        let chaplain = signed_in(&app, Role::Chaplaincy).await;
        assert_eq!(get_page(&app, &chaplain, format!("/requests/{ida}")).await.0, StatusCode::NOT_FOUND);
        // Sign-ins and reads are in the audit trail, under the person's kiosk name.
        let admin = signed_in(&app, Role::Administrator).await;
        let (_, audit) = get_page(&app, &admin, format!("/people/{pa}/audit")).await;
        assert!(audit.contains("Signed in on the kiosk") && audit.contains(&format!("kiosk:{pa}")), "audited");
        assert!(audit.contains("Read on the kiosk"), "kiosk reads are audited");
        assert!(app.db.verify_audit().await.unwrap().is_ok(), "the audit chain verifies");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kiosk_sign_in_is_throttled_without_locking_anyone_out_and_idle_sessions_end() {
    let (db, dir) = databases().await.into_iter().next().unwrap();
    let app = spawn(db, dir).await;
    let pn = app.at_home.clone();
    set_pin(&app, &pn, "2580").await;
    let c = client();
    let attempt = |pin: &'static str| {
        let (c, url, pn) = (c.clone(), format!("{}/kiosk/sign-in", app.base), pn.clone());
        async move {
            let res = c.post(url).form(&[("prison_number", pn.as_str()), ("pin", pin)]).send().await.unwrap();
            (res.status(), res.text().await.unwrap_or_default())
        }
    };
    for _ in 0..3 {
        let (status, body) = attempt("0001").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("The prison number or PIN is wrong"), "never says which");
    }
    // After three wrong PINs, even the right one waits a minute (the clock is fixed here).
    let (status, body) = attempt("2580").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Wait 1 minute"), "{}", visible_text(&body));
    // Staff setting a new PIN clears the wait.
    set_pin(&app, &pn, "2580").await;
    let (k, _) = kiosk_signed_in(&app, &pn, "2580").await;
    assert_eq!(get_page(&app, &k, "/kiosk/me".into()).await.0, StatusCode::OK);
    // An unknown prison number is refused in the same words.
    let res = client()
        .post(format!("{}/kiosk/sign-in", app.base))
        .form(&[("prison_number", "Z9999ZZ"), ("pin", "2580")])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("The prison number or PIN is wrong"));
    // Six minutes without a request on a shared terminal: signed out.
    let idle = (now() - jiff::SignedDuration::from_mins(6)).as_microsecond();
    let mut tx = app.db.begin_write().await.unwrap();
    match &mut tx {
        throughcare_store::WriteTx::Sqlite(t) => {
            sqlx::query("UPDATE kiosk_sessions SET last_seen_at = $1").bind(idle).execute(&mut **t).await.unwrap();
        }
        throughcare_store::WriteTx::Postgres(t) => {
            sqlx::query("UPDATE kiosk_sessions SET last_seen_at = $1").bind(idle).execute(&mut **t).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let after = k.get(format!("{}/kiosk/me", app.base)).send().await.unwrap();
    assert_eq!(after.headers()["location"], "/kiosk/sign-in");
}

#[test]
fn any_kiosk_path_with_another_persons_id_answers_404() {
    use proptest::prelude::*;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (app, _pa, ida, ka, other_ids) = rt.block_on(async {
        let (db, dir) = databases().await.into_iter().next().unwrap();
        let app = spawn(db, dir).await;
        let [(pa, ida, ka, _), (pb, _, _, _)] = two_kiosk_people(&app).await;
        let b = app.db.timeline(&throughcare_core::PrisonNumber::parse(&pb).unwrap()).await.unwrap();
        let ids: Vec<String> = b.all().iter().map(|e| e.id.to_string()).collect();
        (app, pa, ida, ka, ids)
    });
    let paths: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.access == Access::Kiosk && r.method == "GET" && r.path.contains('{'))
        .map(|r| r.path)
        .collect();
    let segment = prop_oneof![
        proptest::sample::select(other_ids.clone()),
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        "[A-Za-z0-9._-]{1,40}",
        Just(_pa.clone()),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 96, ..ProptestConfig::default() });
    runner
        .run(&(proptest::sample::select(paths), segment), |(path, seg)| {
            let url = format!(
                "{}{}",
                app.base,
                path.replace("{id}", &seg).replace("{item}", &seg).replace("{characteristic}", &seg)
            );
            let (status, body) = rt.block_on(async {
                let res = ka.get(&url).send().await.unwrap();
                (res.status(), res.text().await.unwrap())
            });
            // Only A's own request, a library item or a characteristic A may declare answers; the
            // rest is 404, and nothing ever shows another person's words.
            let known = (path.contains("{id}") && seg == ida)
                || (path.contains("{item}") && throughcare_core::information::Library::builtin().item(&seg).is_some())
                || (path.contains("{characteristic}")
                    && [
                        "ethnicity",
                        "religion",
                        "disability",
                        "sexual_orientation",
                        "gender_identity",
                        "gender_reassignment",
                        "marriage_civil_partnership",
                    ]
                    .contains(&seg.as_str()));
            prop_assert!(!body.contains("Secret words of") || seg == ida, "{url}");
            if known {
                prop_assert_eq!(status, StatusCode::OK, "{}", url);
            } else {
                prop_assert_eq!(status, StatusCode::NOT_FOUND, "{}", url);
            }
            Ok(())
        })
        .unwrap();
}
