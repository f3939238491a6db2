//! The equality team's work over real HTTP on both databases: a discrimination complaint from the
//! kiosk to its appeal, never seen by the staff it names; the scrutiny panel's anonymised sample;
//! forums, festivals, the directory and regime curtailments reaching the equality report.

mod common;

use common::*;
use reqwest::StatusCode;
use throughcare_core::standards::engine::Outcome;
use throughcare_core::{Event, EventId, EventKind, PrisonNumber, StaffRef};
use throughcare_web::roles::Role;

fn form(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The id at the end of a redirect such as `/kiosk/complaints/{id}?done=complained`.
fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().split('?').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complaint_from_the_kiosk_is_answered_checked_and_appealed_and_the_staff_it_names_never_see_it() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let pn = app.at_home.clone();
        set_pin(&app, &pn, "2580").await;
        let (kiosk, _) = kiosk_signed_in(&app, &pn, "2580").await;

        // Incomplete: the message beside the field, and what they wrote is kept for next time.
        let (status, _, html) = post_form(
            &app,
            &kiosk,
            "/kiosk/complaints".into(),
            form(&[("what", "The officer on the servery, Test Key worker, called me a name about my faith")]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Choose what it was because of."), "{html}");
        let (_, again) = get_page(&app, &kiosk, "/kiosk/complaints/new".into()).await;
        assert!(again.contains("We kept what you wrote before") && again.contains("called me a name about my faith"));
        let (status, to, _) = post_form(
            &app,
            &kiosk,
            "/kiosk/complaints".into(),
            form(&[
                ("grounds", "religion"),
                ("what", "The officer on the servery, Test Key worker, called me a name about my faith"),
                ("when", "today"),
                ("wants", "An apology"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = id_in(&to.unwrap());
        let (_, fresh) = get_page(&app, &kiosk, "/kiosk/complaints/new".into()).await;
        assert!(!fresh.contains("We kept what you wrote before"), "the draft is gone once sent");

        // The equality lead names the member of staff it is about; from then on they see nothing.
        let lead = signed_in(&app, Role::EqualityLead).await;
        let (status, log) = get_page(&app, &lead, "/complaints".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(log.contains(&format!("/complaints/{id}")));
        let step = |c: &reqwest::Client, pairs: Vec<(&'static str, String)>| {
            let (app, c, id) = (&app, c.clone(), id.clone());
            async move { post_form(app, &c, format!("/complaints/{id}"), pairs).await }
        };
        let (s, _, _) = step(&lead, form(&[("action", "identify"), ("staff_named", "t.key-worker")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let named = signed_in(&app, Role::KeyWorker).await;
        let (s, _) = get_page(&app, &named, format!("/complaints/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "the member of staff it names cannot open it");
        let (_, their_log) = get_page(&app, &named, "/complaints".into()).await;
        assert!(!their_log.contains(&id) && !their_log.contains("called me a name"));
        let (_, record) = get_page(&app, &named, format!("/people/{pn}")).await;
        assert!(!record.contains("Discrimination complaint"), "not even that there is one");
        let api: serde_json::Value =
            named.get(format!("{}/api/v1/people/{pn}/events", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(!api.to_string().contains("discrimination_"), "the API holds none of it for them either");
        // Another member of staff on the wing sees that there is one, not what it says.
        let wing = signed_in(&app, Role::SaferCustody).await;
        let (_, wing_record) = get_page(&app, &wing, format!("/people/{pn}")).await;
        assert!(wing_record.contains("details for the equality team") && !wing_record.contains("called me a name"));

        // Acknowledged; the named officer cannot be its investigator; someone else is.
        let (s, _, _) = step(&lead, form(&[("action", "acknowledge")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, html) = step(&lead, form(&[("action", "investigator"), ("investigator", "t.key-worker")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("choose someone not involved"), "{html}");
        let (s, _, _) = step(&lead, form(&[("action", "investigator"), ("investigator", "t.safer-custody")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The investigator's finding needs a response in plain words.
        let (s, _, html) = step(&wing, form(&[("action", "answer"), ("finding", "PARTLY_UPHELD")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Write the response the person is given"));
        let (s, _, _) = step(
            &wing,
            form(&[
                ("action", "answer"),
                ("finding", "PARTLY_UPHELD"),
                ("response", "We found you were spoken to unfairly. The officer has been told."),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // Nothing reaches the person before the check; the investigator cannot check their own.
        let (_, waiting) = get_page(&app, &kiosk, format!("/kiosk/complaints/{id}")).await;
        assert!(waiting.contains("Being looked into") && !waiting.contains("spoken to unfairly"));
        let (_, own) = get_page(&app, &wing, format!("/complaints/{id}")).await;
        assert!(!own.contains("Quality check"));
        let answer = {
            let t = app.db.timeline(&PrisonNumber::parse(&pn).unwrap()).await.unwrap();
            throughcare_core::pathways::discrimination::complaints(&t)
                .into_iter()
                .find(|c| c.id.to_string() == id)
                .unwrap()
                .answers[0]
                .id
                .to_string()
        };
        let (s, _, _) =
            step(&wing, vec![("action", "check".into()), ("answer", answer.clone()), ("approved", "yes".into())]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the investigator does not check their own finding");
        let (s, _, _) =
            step(&lead, vec![("action", "check".into()), ("answer", answer), ("approved", "yes".into())]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The person reads the answer and appeals; a governor decides it.
        let (_, answered) = get_page(&app, &kiosk, format!("/kiosk/complaints/{id}")).await;
        assert!(answered.contains("We agree with some of it") && answered.contains("spoken to unfairly"));
        let (s, _, _) = post_form(&app, &kiosk, format!("/kiosk/complaints/{id}"), form(&[("reason", "")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _, _) =
            post_form(&app, &kiosk, format!("/kiosk/complaints/{id}"), form(&[("reason", "Nobody asked my witness")]))
                .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let governor = signed_in(&app, Role::Governor).await;
        let (s, page) = get_page(&app, &governor, format!("/complaints/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("Decide the appeal") && page.contains("Nobody asked my witness"), "{page}");
        let (s, _, _) = step(
            &governor,
            form(&[
                ("action", "decide"),
                ("finding", "UPHELD"),
                ("response", "Your witness was asked. We agree with you."),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, decided) = get_page(&app, &kiosk, format!("/kiosk/complaints/{id}")).await;
        assert!(
            decided.contains("Answered again")
                && decided.contains("We agree with you")
                && decided.contains("Your witness was asked")
        );

        // The timed standards follow it: acknowledged and investigated on time.
        let obligations = app.db.obligations_of(&PrisonNumber::parse(&pn).unwrap()).await.unwrap();
        for standard in
            ["complaint-acknowledged-3-days", "complaint-investigated-28-days", "complaint-response-14-days"]
        {
            let o =
                obligations.iter().find(|o| o.standard.as_str() == standard).unwrap_or_else(|| panic!("{standard}"));
            assert!(matches!(o.outcome, Outcome::MetOnTime { .. }), "{standard}: {:?}", o.outcome);
        }
        assert!(obligations.iter().any(
            |o| o.standard.as_str() == "complaint-appeal-28-days" && matches!(o.outcome, Outcome::MetOnTime { .. })
        ));
    }
}

/// A complaint answered and checked in the first quarter of 2026, its words naming people.
fn answered_complaint(pn: &PrisonNumber, n: u8, text: String) -> Vec<Event> {
    let id = |k: u8| EventId::from_random_bytes([n, k, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]);
    let at = |day: i8, h: i8| -> jiff::Timestamp { format!("2026-02-{day:02}T{h:02}:00:00Z").parse().unwrap() };
    let ev = |k: u8, when: jiff::Timestamp, by: &str, kind: EventKind| Event {
        id: id(k),
        person: pn.clone(),
        occurred_at: when,
        recorded_at: when,
        recorded_by: StaffRef::parse(by).unwrap(),
        correction: None,
        kind,
    };
    let day = (n % 20 + 1) as i8;
    vec![
        ev(
            1,
            at(day, 9),
            "t.equality-lead",
            EventKind::DiscriminationComplaintRaised {
                characteristic: Some(throughcare_core::Characteristic::Ethnicity),
                also: vec![],
                reporter: Some(throughcare_core::event::ComplaintReporter::Person),
                what_happened: Some(text.clone()),
                happened_on: Some(jiff::civil::date(2026, 2, day)),
                place: Some("B wing".into()),
                involved: Some(text),
                staff_named: vec![StaffRef::parse("t.key-worker").unwrap()],
                wants: Some("For Test Key worker to stop".into()),
                from_kiosk: false,
            },
        ),
        ev(2, at(day, 10), "t.equality-lead", EventKind::DiscriminationComplaintAcknowledged { complaint: id(1) }),
        ev(
            3,
            at(day, 11),
            "t.equality-lead",
            EventKind::DiscriminationInvestigatorNamed {
                complaint: id(1),
                investigator: StaffRef::parse("t.safer-custody").unwrap(),
            },
        ),
        ev(
            4,
            at(day + 3, 9),
            "t.safer-custody",
            EventKind::DiscriminationComplaintAnswered {
                complaint: id(1),
                upheld: false,
                finding: Some(throughcare_core::event::ComplaintFinding::NotUpheld),
                response: Some(format!("We spoke to {} and to t.key-worker.", pn)),
            },
        ),
        ev(
            5,
            at(day + 4, 9),
            "t.equality-lead",
            EventKind::DiscriminationAnswerChecked { answer: id(4), approved: true, comment: None },
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_panel_reads_an_anonymised_sample_and_its_export_holds_no_identifier() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let held = app.db.caseload(&"AAB".parse().unwrap()).await.unwrap();
        // Twelve complaints, each naming its person, another person here and a member of staff.
        let mut events = vec![];
        for (n, (p, _)) in held.iter().take(12).enumerate() {
            let other = &held[(n + 1) % held.len()].0;
            let text = format!(
                "{} {} ({}) says {} {} ({}) saw Test Key worker and t.key-worker, the one they call Smudger, on the servery",
                p.given_name.as_str(),
                p.family_name.as_str(),
                p.prison_number,
                other.given_name.as_str(),
                other.family_name.as_str(),
                other.prison_number,
            );
            events.extend(answered_complaint(&p.prison_number, n as u8, text));
        }
        let mut tx = app.db.begin_write().await.unwrap();
        tx.append_events(&events).await.unwrap();
        tx.commit().await.unwrap();

        let lead = signed_in(&app, Role::EqualityLead).await;
        let panel = signed_in(&app, Role::ScrutinyPanel).await;
        let (s, _, _) = post_form(&app, &panel, "/scrutiny".into(), form(&[("quarter", "2026-Q1")])).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the panel does not choose its own sample");
        let (s, to, _) = post_form(&app, &lead, "/scrutiny".into(), form(&[("quarter", "2026-Q1")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let sample = id_in(&to.unwrap());
        let (s, _, html) = post_form(&app, &lead, "/scrutiny".into(), form(&[("quarter", "2026-Q1")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("drawn once"));
        let (s, _) = get_page(&app, &panel, format!("/scrutiny/{sample}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "not before the equality lead releases it");

        let register = app.db.register(&"AAB".parse().unwrap()).await.unwrap();
        let drawn = &register.samples[0];
        assert!(drawn.complaints.len() >= 10, "at least 10: {}", drawn.complaints.len());
        // The nickname is marked in each, then the sample goes to the panel.
        for c in &drawn.complaints {
            let (s, _, _) = post_form(
                &app,
                &lead,
                format!("/scrutiny/{sample}"),
                vec![("action", "redact".into()), ("complaint", c.to_string()), ("phrases", "Smudger".into())],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
        }
        let (s, _, _) = post_form(&app, &lead, format!("/scrutiny/{sample}"), form(&[("action", "release")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        let (s, page) = get_page(&app, &panel, format!("/scrutiny/{sample}")).await;
        assert_eq!(s, StatusCode::OK);
        let csv = panel.get(format!("{}/scrutiny/{sample}/export.csv", app.base)).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count(), drawn.complaints.len() + 1);
        let staff = app.db.staff_names().await.unwrap();
        for text in [&page, &csv] {
            assert!(text.contains("[a person]") && text.contains("[a member of staff]") && text.contains("[redacted]"));
            for (p, _) in &held {
                for id in [p.prison_number.as_str(), p.given_name.as_str(), p.family_name.as_str()] {
                    assert!(!text.contains(id), "{id} survives in {text}");
                }
            }
            // The page's header names whoever is signed in: the panel member's own account.
            for (username, name) in staff.iter().filter(|(u, _)| !(text == &page && u == "t.scrutiny-panel")) {
                assert!(!text.contains(username.as_str()) && !text.contains(name.as_str()), "{username} survives");
            }
            assert!(!text.contains("Smudger"));
        }

        // The panel records its view; the equality lead cannot speak for it, nor the panel redact.
        let first = drawn.complaints[0].to_string();
        let view = vec![
            ("action", "view".into()),
            ("complaint", first.clone()),
            ("view", "CONCERNS".into()),
            ("feedback", "The witness was not asked".into()),
        ];
        let (s, _, _) = post_form(&app, &lead, format!("/scrutiny/{sample}"), view.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = post_form(&app, &panel, format!("/scrutiny/{sample}"), view).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = post_form(
            &app,
            &panel,
            format!("/scrutiny/{sample}"),
            vec![("action", "redact".into()), ("complaint", first), ("phrases", "x".into())],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, after) = get_page(&app, &panel, format!("/scrutiny/{sample}")).await;
        assert!(after.contains("Handled, with concerns: The witness was not asked"));
        // The panel reaches no person's record.
        let (s, _) = get_page(&app, &panel, format!("/people/{}", app.at_home)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn forums_festivals_the_directory_and_curtailments_reach_the_equality_report() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let lead = signed_in(&app, Role::EqualityLead).await;
        let (s, _, _) = post_form(
            &app,
            &lead,
            "/equality-team".into(),
            form(&[("action", "forum"), ("name", "Race equality forum"), ("characteristic", "ethnicity")]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let forum = app.db.register(&"AAB".parse().unwrap()).await.unwrap().forums[0].id.to_string();
        let meeting = |owner: &str| {
            vec![
                ("action", "meeting".to_string()),
                ("forum", forum.clone()),
                ("held_day", "12".into()),
                ("held_month", "3".into()),
                ("held_year", "2026".into()),
                ("people_attended", "14".into()),
                ("staff_attended", "3".into()),
                ("raised", "Afro combs and hair oil missing from the canteen list".into()),
                ("action_1", "Add afro combs and hair oil to the canteen list".into()),
                ("owner_1", owner.to_string()),
                ("due_1_day", "30".into()),
                ("due_1_month", "4".into()),
                ("due_1_year", "2026".into()),
            ]
        };
        let (s, _, html) = post_form(&app, &lead, "/equality-team".into(), meeting("")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Action 1: name who owns it"), "the message beside the action");
        assert!(html.contains("Afro combs and hair oil missing"), "what was typed is shown again");
        let (s, _, _) = post_form(&app, &lead, "/equality-team".into(), meeting("Canteen manager")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // A festival of a religion held here, planned with a budget.
        let (_, festivals) = get_page(&app, &lead, "/festivals".into()).await;
        let option = festivals
            .split("<option value=\"")
            .skip(1)
            .map(|o| o.split('"').next().unwrap().to_string())
            .find(|v| v.contains('|'))
            .expect("a festival coming up for a religion held here");
        let plan = |budget: &str| {
            vec![
                ("festival", option.clone()),
                ("asked_day", "20".into()),
                ("asked_month", "3".into()),
                ("asked_year", "2026".into()),
                ("asked_for", "A shared meal and time in the multi-faith room".into()),
                ("budget", budget.to_string()),
                ("food", "Cooked by the men who share it".into()),
            ]
        };
        let (s, _, html) = post_form(&app, &lead, "/festivals".into(), plan("about a hundred")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Enter the budget in pounds"));
        let (s, _, _) = post_form(&app, &lead, "/festivals".into(), plan("150")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, festivals) = get_page(&app, &lead, "/festivals".into()).await;
        assert!(festivals.contains("£150.00") && festivals.contains("A shared meal"));

        // A directory service that needs consent: no referral without it.
        let (s, _, _) = post_form(
            &app,
            &lead,
            "/directory".into(),
            form(&[
                ("action", "list"),
                ("organisation", "The Reader"),
                ("service", "Shared reading group"),
                ("category", "SHARED_READING"),
                ("what", "Reading stories and poems aloud together"),
                ("for_whom", "Everyone"),
                ("when", "Tuesdays 2pm"),
                ("how_to_refer", "Ask the library"),
                ("consent_needed", "yes"),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let service = app.db.register(&"AAB".parse().unwrap()).await.unwrap().services[0].id.to_string();
        let key_worker = signed_in(&app, Role::KeyWorker).await;
        let refer = |consented: &str| {
            vec![
                ("action", "refer".to_string()),
                ("service", service.clone()),
                ("part_of", "KEY_WORK".into()),
                ("consented", consented.to_string()),
            ]
        };
        let path = format!("/people/{}/directory", app.at_home);
        let (s, _, html) = post_form(&app, &key_worker, path.clone(), refer("no")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("needs their consent"));
        let (s, _, _) = post_form(&app, &key_worker, path.clone(), refer("yes")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let partner = signed_in(&app, Role::VoluntaryPartner).await;
        let (s, _, _) = post_form(
            &app,
            &partner,
            path.clone(),
            vec![("action", "attended".into()), ("service", service.clone()), ("minutes", "90".into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, person) = get_page(&app, &key_worker, path).await;
        assert!(
            person.contains("Referred to Shared reading group (The Reader) as part of key work, with their consent")
        );
        assert!(person.contains("Attended Shared reading group (The Reader) for 90 minutes"));

        let (s, _, _) = post_form(
            &app,
            &lead,
            "/regime".into(),
            form(&[
                ("day", "5"),
                ("month", "3"),
                ("year", "2026"),
                ("hours", "3.5"),
                ("cause", "STAFF_SHORTAGE"),
                ("wings", "A and B wings"),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The governor's equality report for the period holds the forum's action, the festival,
        // the curtailment, and time out of cell and activity by category as measures.
        let governor = signed_in(&app, Role::Governor).await;
        let (s, report) =
            get_page(&app, &governor, "/reports/equality?from=2025-04-01&to=2026-03-31&measure=all".into()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            report.contains("Add afro combs and hair oil to the canteen list") && report.contains("Canteen manager")
        );
        assert!(report.contains("Staff shortage") && report.contains("3h 30m"));
        for title in [
            "Time out of cell, hours per person per week",
            "Out of cell fewer than 14 hours a week",
            "Shared reading, hours per person per week",
            "Discrimination complaints upheld, of those made",
        ] {
            assert!(report.contains(title), "{title} in the report");
        }
    }
}
