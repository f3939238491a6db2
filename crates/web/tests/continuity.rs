//! Continuity of care over real HTTP on both databases: a transfer within the estate (medicines
//! with them, family told, what came shown at the receiving reception, reviews on arrival); the
//! record by file between two estates, throughcare's and FHIR, refused whole when broken; the
//! release plan from the board to the day of release; missed need from community records.

mod common;

use common::*;
use reqwest::StatusCode;
use throughcare_core::standards::engine::Outcome;
use throughcare_core::{Event, EventId, EventKind, PrisonNumber, StaffRef};
use throughcare_store::obligations::Engine;
use throughcare_web::roles::Role;

fn form(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// Events added to a person's timeline as if recorded earlier, with obligations refreshed.
async fn add(app: &App, pn: &str, events: &[(&str, &str, &str)]) -> Vec<EventId> {
    let pn = PrisonNumber::parse(pn).unwrap();
    let mut ids = Vec::new();
    let list: Vec<Event> = events
        .iter()
        .map(|(at, kind, details)| {
            let id = EventId::named(&format!("{pn}/{at}/{kind}"));
            ids.push(id);
            Event {
                id,
                person: pn.clone(),
                occurred_at: at.parse().unwrap(),
                recorded_at: at.parse().unwrap(),
                recorded_by: StaffRef::parse("t.setup").unwrap(),
                correction: None,
                kind: throughcare_core::instruments::InstrumentSet::builtin_ref()
                    .complete(EventKind::parse(kind, details).unwrap())
                    .unwrap(),
            }
        })
        .collect();
    let mut tx = app.db.begin_write().await.unwrap();
    tx.append_events(&list).await.unwrap();
    tx.refresh_obligations(&[&pn], &Engine::builtin(), now()).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

async fn outcome(app: &App, pn: &str, standard: &str) -> Option<Outcome> {
    let obs = app.db.obligations_of(&PrisonNumber::parse(pn).unwrap()).await.unwrap();
    obs.into_iter().filter(|o| o.standard.as_str() == standard).max_by_key(|o| o.opened_at).map(|o| o.outcome_at(now()))
}

/// A member of staff at another establishment, signed in.
async fn at(app: &App, username: &str, role: Role, establishment: &str) -> reqwest::Client {
    throughcare_web::auth::add_staff(
        &app.db,
        username,
        "Test at another prison",
        role,
        Some(establishment.parse().unwrap()),
        PASSWORD,
        now(),
    )
    .await
    .unwrap();
    let c = client();
    let res = c
        .post(format!("{}/sign-in", app.base))
        .form(&[("username", username), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transfer_takes_the_record_medicines_and_acct_with_the_person_and_the_family_is_told() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let pn = app.at_home.clone();
        let ids = add(&app, &pn, &[
            ("2026-03-30T09:00:00Z", "family_contact_named", r#"{"name":"Maureen Doyle","relationship":"my nan","involvement":"CONSENTS","told_of_transfer":true}"#),
            ("2026-03-30T09:01:00Z", "family_contact_named", r#"{"name":"Kev","relationship":"brother","involvement":"DECLINES","told_of_transfer":false}"#),
            ("2026-03-30T10:00:00Z", "medicine_reported", r#"{"name":"Quetiapine","dose":"50mg at night","critical":true,"source":"COMMUNITY_RECORD"}"#),
            ("2026-03-30T11:00:00Z", "acct_opened", r#"{"concern":"Said he cannot cope"}"#),
        ])
        .await;
        let nurse = signed_in(&app, Role::ReceptionNurse).await;
        let page = format!("/people/{pn}/transfer");
        let (_, html) = get_page(&app, &nurse, page.clone()).await;
        assert!(
            html.contains("Record the move") && html.contains("Maureen Doyle") && !html.contains(">Kev<"),
            "only family who may be told"
        );
        assert!(html.contains("1 other in their family of choice must not be told"));
        // Medicines on record: what goes with them must be said.
        let (status, _, html) =
            post_form(&app, &nurse, page.clone(), form(&[("action", "transfer"), ("to", "AAC")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Select the medicines that go with them"), "{html}");
        let (status, to, _) = post_form(
            &app,
            &nurse,
            page.clone(),
            form(&[("action", "transfer"), ("to", "AAC"), ("supply", "SEVEN_DAYS")]),
        )
        .await;
        assert_eq!((status, to.as_deref()), (StatusCode::SEE_OTHER, Some(page.as_str())));
        assert_eq!(outcome(&app, &pn, "family-told-of-transfer").await, Some(Outcome::Open));
        let (status, _, _) = post_form(
            &app,
            &nurse,
            page.clone(),
            form(&[("action", "told"), ("contact", &ids[1].to_string()), ("how", "CALL")]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "Kev must not be told");
        let (status, _, _) = post_form(
            &app,
            &nurse,
            page.clone(),
            form(&[("action", "told"), ("contact", &ids[0].to_string()), ("how", "CALL")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(matches!(outcome(&app, &pn, "family-told-of-transfer").await, Some(Outcome::MetOnTime { .. })));

        // The receiving prison: seen on transfer, what came with them, nothing asked again.
        let officer = at(&app, "c.officer", Role::ReceptionOfficer, "AAC").await;
        let (_, html) = get_page(&app, &officer, format!("/reception?prison_number={pn}")).await;
        assert!(visible_text(&html).contains("On transfer from"), "{html}");
        let (_, html) = get_page(&app, &officer, format!("/reception/book-in?pn={pn}")).await;
        let text = visible_text(&html);
        assert!(text.contains("What came with them") && text.contains("ACCT open"), "{text}");
        assert!(
            text.contains("1 medicine(s) (details for healthcare)") && !text.contains("Quetiapine"),
            "no clinical detail for an officer"
        );
        assert!(text.contains("Maureen Doyle"));
        assert!(!html.contains(r#"name="c_ethnicity""#), "ethnicity is already declared: not asked again");
        let (status, _, html) = post_form(
            &app,
            &officer,
            "/reception/book-in".into(),
            form(&[
                ("pn", &pn),
                ("reception_type", "TRANSFER_IN"),
                ("legal_status", "SENTENCED"),
                ("language", "en"),
                ("format", "WRITTEN"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        assert_eq!(outcome(&app, &pn, "transfer-arrival-healthcare-review").await, Some(Outcome::Open));
        assert_eq!(outcome(&app, &pn, "transfer-arrival-acct-review").await, Some(Outcome::Open));

        let c_nurse = at(&app, "c.nurse", Role::ReceptionNurse, "AAC").await;
        let (_, html) = get_page(&app, &c_nurse, format!("/people/{pn}/arrival")).await;
        assert!(
            html.contains("Quetiapine, 50mg at night (critical: must not be missed)"),
            "healthcare sees the medicine"
        );
        let (status, _, _) =
            post_form(&app, &c_nurse, format!("/people/{pn}/arrival"), form(&[("reviewer", "SAFER_CUSTODY")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a nurse does not record safer custody's review");
        let (status, _, _) = post_form(
            &app,
            &c_nurse,
            format!("/people/{pn}/arrival"),
            form(&[("reviewer", "HEALTHCARE"), ("note", "Medicines continued")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let c_safer = at(&app, "c.safer", Role::SaferCustody, "AAC").await;
        let (status, _, _) =
            post_form(&app, &c_safer, format!("/people/{pn}/arrival"), form(&[("reviewer", "SAFER_CUSTODY")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(matches!(
            outcome(&app, &pn, "transfer-arrival-healthcare-review").await,
            Some(Outcome::MetOnTime { .. })
        ));
        assert!(matches!(outcome(&app, &pn, "transfer-arrival-acct-review").await, Some(Outcome::MetOnTime { .. })));
        // The receiving prison sees the move and who was told.
        let (_, html) = get_page(&app, &officer, page.clone()).await;
        let text = visible_text(&html);
        assert!(text.contains("Moved to") && text.contains("Told"), "{text}");
        // The sending prison no longer reaches them.
        assert_eq!(get_page(&app, &nurse, format!("/people/{pn}")).await.0, StatusCode::NOT_FOUND);
    }
}

async fn token(app: &App, username: &str) -> String {
    let token = throughcare_web::auth::new_token();
    let mut tx = app.db.begin_write().await.unwrap();
    tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), username, now()).await.unwrap();
    tx.commit().await.unwrap();
    token
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_moves_between_estates_by_file_whole_or_not_at_all() {
    // Three estates on each backend: the sender, and a receiver for each kind of file.
    for (db, dir) in databases().await {
        let postgres = dir.is_none();
        let a = spawn(db, dir).await;
        let fresh = || async {
            let (db, dir) = databases().await.into_iter().find(|(_, d)| d.is_none() == postgres).unwrap();
            spawn(db, dir).await
        };
        let (b, c) = (fresh().await, fresh().await);
        // Someone new to estate A, with care that travels.
        let aoife = throughcare_core::Person {
            prison_number: PrisonNumber::parse("Z9876ZZ").unwrap(),
            given_name: throughcare_core::person::Name::parse("Aoife").unwrap(),
            family_name: throughcare_core::person::Name::parse("Byrne").unwrap(),
            date_of_birth: "1991-07-04".parse().unwrap(),
            nhs_number: Some(throughcare_core::NhsNumber::parse("9434765919").unwrap()),
        };
        let mut tx = a.db.begin_write().await.unwrap();
        tx.insert_people(&[aoife]).await.unwrap();
        tx.commit().await.unwrap();
        add(
            &a,
            "Z9876ZZ",
            &[
                (
                    "2026-04-01T09:00:00Z",
                    "reception",
                    r#"{"establishment":"AAB","reception_type":"NEW","legal_status":"SENTENCED"}"#,
                ),
                ("2026-04-01T09:01:00Z", "characteristic_declared", r#"{"characteristic":"ethnicity","value":"W3"}"#),
                ("2026-04-01T09:02:00Z", "characteristic_declared", r#"{"characteristic":"sex","value":"F"}"#),
                (
                    "2026-04-01T09:03:00Z",
                    "communication_recorded",
                    r#"{"formats":["EASY_READ"],"language":"en","interpreter":false,"literacy_support":false}"#,
                ),
                (
                    "2026-04-01T10:00:00Z",
                    "medicine_reported",
                    r#"{"name":"Mirtazapine","dose":"15mg at night","critical":false,"source":"PERSON"}"#,
                ),
                ("2026-04-01T10:05:00Z", "referral_made", r#"{"service":"IN_REACH","priority":"URGENT"}"#),
            ],
        )
        .await;
        let ta = token(&a, "t.reception-nurse").await;
        let http = reqwest::Client::new();
        let get = |app: &App, tok: &str, format: &str| {
            http.get(format!("{}/api/v1/people/Z9876ZZ/transfer-record?format={format}", app.base))
                .bearer_auth(tok.to_string())
                .send()
        };
        let record = get(&a, &ta, "throughcare").await.unwrap().text().await.unwrap();
        let bundle: serde_json::Value = get(&a, &ta, "fhir").await.unwrap().json().await.unwrap();
        assert_eq!(bundle["resourceType"], "Bundle");
        // A key worker may not take the whole record away.
        let tk = token(&a, "t.key-worker").await;
        assert_eq!(get(&a, &tk, "fhir").await.unwrap().status(), StatusCode::FORBIDDEN);

        // Estate B reads throughcare's file: the same record comes out again.
        let tb = token(&b, "t.reception-nurse").await;
        let post = |app: &App, tok: &str, body: String| {
            http.post(format!("{}/api/v1/transfer-records", app.base)).bearer_auth(tok.to_string()).body(body).send()
        };
        let res = post(&b, &tb, record.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let got: serde_json::Value = res.json().await.unwrap();
        assert_eq!(got["new_person"], true);
        assert_eq!(get(&b, &tb, "throughcare").await.unwrap().text().await.unwrap(), record);
        let again: serde_json::Value = post(&b, &tb, record.clone()).await.unwrap().json().await.unwrap();
        assert_eq!(again["events_added"], 0, "the same file twice adds nothing");

        // Estate C reads the FHIR bundle; a broken one first, which changes nothing.
        let tc = token(&c, "t.reception-nurse").await;
        let mut broken = bundle.clone();
        broken["entry"][0]["resource"]["identifier"][0]["value"] = "9434765918".into();
        broken["entry"][0]["resource"]["gender"] = "woman".into();
        let res = post(&c, &tc, broken.to_string()).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problems = strings(&res.json::<serde_json::Value>().await.unwrap()["error"]["problems"]);
        assert!(
            problems.iter().any(|p| p.starts_with("Bundle.entry[0].resource.identifier[0].value:")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("Bundle.entry[0].resource.gender: \"woman\" is not in the value set")),
            "{problems:?}"
        );
        assert!(
            c.db.person(&PrisonNumber::parse("Z9876ZZ").unwrap()).await.unwrap().is_none(),
            "nothing half-imported"
        );
        assert_eq!(post(&c, &tc, bundle.to_string()).await.unwrap().status(), StatusCode::CREATED);
        // Not booked in yet, so not at any prison: an administrator (estate-wide) exports it.
        let admin = token(&c, "t.administrator").await;
        let back: serde_json::Value = get(&c, &admin, "fhir").await.unwrap().json().await.unwrap();
        assert_eq!(back, bundle, "export, import, export: the same bundle");
        // The receiving prison's healthcare sees the medicine that came.
        let nurse_c = signed_in(&c, Role::ReceptionNurse).await;
        let (status, html) = get_page(&c, &nurse_c, "/reception/book-in?pn=Z9876ZZ".into()).await;
        assert_eq!(status, StatusCode::OK);
        let text = visible_text(&html);
        let at = text.find("What came").unwrap_or(0);
        assert!(html.contains("Mirtazapine, 15mg at night"), "{}", &text[at..(at + 1500).min(text.len())]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_is_planned_from_the_board_to_the_day_of_release() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let pn = app.at_home.clone();
        // Due out on 10 June 2026, ten weeks away; on the in-reach caseload.
        let ids = add(
            &app,
            &pn,
            &[
                (
                    "2026-03-31T09:00:00Z",
                    "legal_status_changed",
                    r#"{"legal_status":"SENTENCED","expected_release":"2026-06-10"}"#,
                ),
                ("2026-03-31T10:00:00Z", "referral_made", r#"{"service":"IN_REACH"}"#),
            ],
        )
        .await;
        add(&app, &pn, &[("2026-03-31T11:00:00Z", "referral_accepted", &format!(r#"{{"referral":"{}"}}"#, ids[1]))])
            .await;
        let resettlement = signed_in(&app, Role::Resettlement).await;
        let (_, board) = get_page(&app, &resettlement, "/release".into()).await;
        assert!(board.contains(&format!("/people/{pn}/release")) && board.contains("10 June 2026"), "on the board");
        assert!(
            !visible_text(&board).contains("Care after release"),
            "that someone is on a mental-health caseload is not for resettlement"
        );
        let page = format!("/people/{pn}/release");
        let (_, html) = get_page(&app, &resettlement, page.clone()).await;
        assert!(html.contains("Somewhere to live") && html.contains("Resettlement"), "items with their owner");
        let ok = |r: (StatusCode, Option<String>, String)| assert_eq!(r.0, StatusCode::SEE_OTHER, "{}", r.2);
        ok(post_form(
            &app,
            &resettlement,
            page.clone(),
            form(&[("action", "note"), ("item", "ACCOMMODATION"), ("note", "Approved premises asked")]),
        )
        .await);
        ok(post_form(&app, &resettlement, page.clone(), form(&[("action", "done"), ("item", "ACCOMMODATION")])).await);
        let (status, _, html) =
            post_form(&app, &resettlement, page.clone(), form(&[("action", "note"), ("item", "ID_DOCUMENTS")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Say what is happening"));
        let key_worker = signed_in(&app, Role::KeyWorker).await;
        assert_eq!(
            post_form(&app, &key_worker, page.clone(), form(&[("action", "medicines"), ("supply", "SEVEN_DAYS")]))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let nurse = signed_in(&app, Role::ReceptionNurse).await;
        ok(post_form(&app, &nurse, page.clone(), form(&[("action", "medicines"), ("supply", "TWENTY_EIGHT_DAYS")]))
            .await);
        let mh = signed_in(&app, Role::MentalHealth).await;
        ok(post_form(&app, &mh, page.clone(), form(&[("action", "refer"), ("service", "RECONNECT")])).await);
        let (_, html) = get_page(&app, &mh, page.clone()).await;
        let referral = html.split(r#"name="referral" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
        ok(post_form(&app, &mh, page.clone(), form(&[("action", "accepted"), ("referral", &referral)])).await);
        assert!(matches!(
            outcome(&app, &pn, "community-mental-health-handover").await,
            Some(Outcome::MetOnTime { .. })
        ));
        let got = outcome(&app, &pn, "release-accommodation").await;
        assert!(matches!(got, Some(Outcome::MetLate { .. } | Outcome::MetOnTime { .. })), "{got:?}");
        assert!(matches!(outcome(&app, &pn, "release-medication").await, Some(Outcome::MetOnTime { .. })));

        // The person reads their plan on the kiosk, in plain words.
        set_pin(&app, &pn, "2580").await;
        let (kiosk, _) = kiosk_signed_in(&app, &pn, "2580").await;
        let (_, html) = get_page(&app, &kiosk, "/kiosk/release".into()).await;
        let text = visible_text(&html);
        assert!(text.contains("You are due to leave on 10 June 2026"), "{text}");
        assert!(text.contains("Somewhere to live") && text.contains("Ready") && text.contains("Not ready yet"));

        // The day of release; after it, no more plan steps.
        ok(post_form(
            &app,
            &resettlement,
            page.clone(),
            form(&[("action", "release"), ("release_type", "CONDITIONAL")]),
        )
        .await);
        let (status, _, html) =
            post_form(&app, &resettlement, page.clone(), form(&[("action", "done"), ("item", "FAMILY")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(visible_text(&html).contains("the person is not in custody"), "{html}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn community_records_through_the_api_flag_missed_need_or_name_each_bad_line() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let t = token(&app, "t.mental-health").await;
        let http = reqwest::Client::new();
        let post = |body: &str| {
            http.post(format!("{}/api/v1/community-records", app.base)).bearer_auth(&t).body(body.to_string()).send()
        };
        let res = post("nhs_number,service,known_from,known_until\n123,CMHT,2024-01-01,\n").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(strings(&body["error"]["problems"])[0].starts_with("line 2, column nhs_number"), "{body}");
        let res = post("nhs_number,service,known_from,known_until\n").await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let kw = token(&app, "t.key-worker").await;
        let res = http
            .post(format!("{}/api/v1/community-records", app.base))
            .bearer_auth(&kw)
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
}
