//! The governor's annual equality report over real HTTP on both databases: objectives refused
//! without an owner; the report drafted by the equality lead, refused for signing until every
//! section is written (naming them), signed by the governor, frozen (a published version cannot
//! be edited and does not change when the record does), corrected as a new version; the public
//! list of published versions and their tables; the outcome measures per quarter.

mod common;

use common::*;
use reqwest::StatusCode;
use throughcare_web::roles::Role;

fn form(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

const SECTIONS: [&str; 5] =
    ["due_regard", "eliminate_discrimination", "advance_equality", "foster_relations", "experts_plan"];

#[tokio::test(flavor = "multi_thread")]
async fn the_annual_report_is_drafted_signed_frozen_and_corrected_by_version() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let lead = signed_in(&app, Role::EqualityLead).await;
        let governor = signed_in(&app, Role::Governor).await;
        let anyone = client();

        // An objective without an owner is refused beside the field; so is a review after 4 years.
        let objective = |owner: &'static str, review_year: &'static str| {
            form(&[
                ("action", "objective"),
                ("aim", "ADVANCE_EQUALITY"),
                ("objective", "Equal access to education for Gypsy, Roma and Traveller men"),
                ("owner", owner),
                ("set_day", "1"),
                ("set_month", "4"),
                ("set_year", "2025"),
                ("review_day", "1"),
                ("review_month", "4"),
                ("review_year", review_year),
            ])
        };
        let (s, _, html) = post_form(&app, &lead, "/equality-objectives".into(), objective("", "2028")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"owner-error\"") && html.contains("Enter who owns the objective"), "{html}");
        let (s, _, html) =
            post_form(&app, &lead, "/equality-objectives".into(), objective("Head of education", "2030")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Objectives are reviewed at least every 4 years"), "{html}");
        let (s, _, _) =
            post_form(&app, &lead, "/equality-objectives".into(), objective("Head of education", "2028")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = post_form(
            &app,
            &lead,
            "/experts-by-experience".into(),
            form(&[
                ("who", "A peer mentor from the education department"),
                ("area", "SERVICE_DESIGN"),
                ("on_day", "3"),
                ("on_month", "2"),
                ("on_year", "2026"),
                ("what", "Redesigned the education induction"),
                ("changed", "Induction now offered in easy read"),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The equality lead starts the report for 2025 to 2026 and writes one section.
        let (s, to, _) = post_form(&app, &lead, "/annual-reports".into(), form(&[("year", "2025")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let draft = to.unwrap();
        let id: i64 = draft.rsplit('/').next().unwrap().parse().unwrap();
        let (s, _, html) = post_form(&app, &lead, "/annual-reports".into(), form(&[("year", "2025")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "one draft a year");
        assert!(html.contains("already being drafted"));
        let (s, _, _) = post_form(
            &app,
            &lead,
            draft.clone(),
            form(&[("action", "save"), ("due_regard", "Equality was on every senior team agenda.")]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = post_form(&app, &lead, draft.clone(), form(&[("action", "sign")])).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the equality lead drafts; the governor signs");

        // Signed before its sections are written: refused, naming each, and nothing published.
        let (s, _, html) = post_form(&app, &governor, draft.clone(), form(&[("action", "sign")])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let text = visible_text(&html);
        assert!(text.contains("The report cannot be signed yet"), "{text}");
        for missing in [
            "Aim 1: eliminate unlawful discrimination",
            "Aim 2: advance equality of opportunity",
            "Aim 3: foster good relations",
            "Our plan for involving experts by experience",
        ] {
            assert!(text.contains(missing), "{missing} named: {text}");
        }
        assert!(!text.contains("Write the section \u{201c}How we had due regard"), "written sections are not named");
        let (s, _) = get_page(&app, &anyone, format!("/published-reports/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a draft is not published");

        let mut all = vec![("action", "save".to_string())];
        for (i, k) in SECTIONS.iter().enumerate() {
            all.push((k, format!("Section {i}: what was done, written by the equality lead.")));
        }
        let (s, _, _) = post_form(&app, &lead, draft.clone(), all).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, to, _) = post_form(&app, &governor, draft.clone(), form(&[("action", "sign")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(to.unwrap(), format!("/published-reports/{id}"));

        // Published, for anyone: the three aims, the objective, the involvement, the annex, signed.
        let (s, published) = get_page(&app, &anyone, format!("/published-reports/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        let text = visible_text(&published);
        for expected in [
            "Aim 1: eliminate unlawful discrimination, harassment and victimisation",
            "Aim 2: advance equality of opportunity",
            "Aim 3: foster good relations",
            "Section 0: what was done",
            "Equal access to education for Gypsy, Roma and Traveller men",
            "Induction now offered in easy read",
            "Statistical annex",
            "published version",
            "Signed by Test Governor, Governor",
        ] {
            assert!(text.contains(expected), "{expected:?} in the published report");
        }
        let (_, list) = get_page(&app, &anyone, "/published-reports".into()).await;
        assert!(list.contains(&format!("/published-reports/{id}")) && list.contains("Published"));
        let res =
            anyone.get(format!("{}/published-reports/{id}/statistical-annex.csv", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let csv = res.text().await.unwrap();
        assert!(csv.starts_with("scope,period_from,period_to,published,"));
        assert!(csv.lines().skip(1).all(|l| l.contains(",true,")), "every row of the annex is the published form");
        let (s, _) = get_page(&app, &anyone, format!("/published-reports/{id}/secrets.csv")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Frozen: editing is refused, and new records do not change what was published.
        let (s, _, _) =
            post_form(&app, &lead, draft.clone(), form(&[("action", "save"), ("due_regard", "Changed")])).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, _, _) = post_form(
            &app,
            &lead,
            "/experts-by-experience".into(),
            form(&[
                ("who", "Another mentor"),
                ("area", "POLICY"),
                ("on_day", "4"),
                ("on_month", "2"),
                ("on_year", "2026"),
                ("what", "Wrote the visits policy"),
                ("changed", "Visits booked by phone"),
            ]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, again) = get_page(&app, &anyone, format!("/published-reports/{id}")).await;
        assert_eq!(again, published, "a published version never changes");

        // A correction needs its reason, and is a new version; the first is then superseded.
        let (s, _, _) = post_form(&app, &lead, draft.clone(), form(&[("action", "correct"), ("reason", " ")])).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, to, _) = post_form(
            &app,
            &lead,
            draft.clone(),
            form(&[("action", "correct"), ("reason", "The visits policy was left out")]),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let second = to.unwrap();
        let id2: i64 = second.rsplit('/').next().unwrap().parse().unwrap();
        assert_ne!(id2, id);
        let (_, page) = get_page(&app, &lead, second.clone()).await;
        assert!(page.contains("Section 0: what was done"), "the correction starts from the published words");
        let (s, _, _) = post_form(&app, &governor, second.clone(), form(&[("action", "sign")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, corrected) = get_page(&app, &anyone, format!("/published-reports/{id2}")).await;
        let text = visible_text(&corrected);
        assert!(
            text.contains("Version 2")
                && text.contains("The visits policy was left out")
                && text.contains("Visits booked by phone")
        );
        let (_, first) = get_page(&app, &anyone, format!("/published-reports/{id}")).await;
        assert!(visible_text(&first).contains("This version has been corrected"));
        assert!(first.contains(&format!("/published-reports/{id2}")));
        let (_, list) = get_page(&app, &anyone, "/published-reports".into()).await;
        assert!(list.contains("Superseded by a correction") && list.contains("The visits policy was left out"));

        let (s, _) = get_page(&app, &signed_in(&app, Role::KeyWorker).await, "/annual-reports".into()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The estate's report: drafted by an analyst, signed for HMPPS by an administrator (not
        // by the analyst, nor by a prison's governor).
        let analyst = signed_in(&app, Role::Analyst).await;
        let (s, to, _) = post_form(&app, &analyst, "/annual-reports".into(), form(&[("year", "2025")])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let estate = to.unwrap();
        let estate_id: i64 = estate.rsplit('/').next().unwrap().parse().unwrap();
        let (s, _) = get_page(&app, &governor, estate.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a prison's governor does not reach the estate's draft");
        let mut all = vec![("action", "save".to_string())];
        for k in SECTIONS {
            all.push((k, format!("The estate: {k}.")));
        }
        assert_eq!(post_form(&app, &analyst, estate.clone(), all).await.0, StatusCode::SEE_OTHER);
        assert_eq!(
            post_form(&app, &analyst, estate.clone(), form(&[("action", "sign")])).await.0,
            StatusCode::FORBIDDEN
        );
        let admin = signed_in(&app, Role::Administrator).await;
        let (s, to, _) = post_form(&app, &admin, estate.clone(), form(&[("action", "sign")])).await;
        assert_eq!(
            (s, to.as_deref()),
            (StatusCode::SEE_OTHER, Some(format!("/published-reports/{estate_id}").as_str()))
        );
        let (_, doc) = get_page(&app, &anyone, format!("/published-reports/{estate_id}")).await;
        let text = visible_text(&doc);
        assert!(text.contains("Equality report 2025 to 2026: The estate") && text.contains("for HMPPS"), "{text}");
        assert!(
            text.contains("Equal access to education for Gypsy, Roma and Traveller men"),
            "the prisons' objectives"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn outcome_measures_are_reported_per_quarter_by_characteristic_and_export_as_csv() {
    for (db, dir) in databases().await {
        let app = spawn(db, dir).await;
        let governor = signed_in(&app, Role::Governor).await;
        let (s, html) = get_page(&app, &governor, "/reports/proms?year=2025".into()).await;
        assert_eq!(s, StatusCode::OK);
        let text = visible_text(&html);
        for expected in [
            "April to June 2025",
            "January to March 2026",
            "First-stage reception health screen before the first night",
            "Ethnic group",
        ] {
            assert!(text.contains(expected), "{expected:?}");
        }
        let res = governor.get(format!("{}/reports/proms?year=2025&format=csv", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let csv = res.text().await.unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "measure,measure_title,breakdown,group,April to June 2025,July to September 2025,October to December 2025,January to March 2026"
        );
        let rows: Vec<&str> = lines.collect();
        assert!(
            rows.iter()
                .any(|l| l.starts_with("standard-second-stage-assessment,") && l.contains(",Everyone,Everyone,"))
        );
        assert!(rows.iter().any(|l| l.starts_with("standard-community-mental-health-handover,")));
        // Small numbers are never shown: no count of 1 to 4 in any cell.
        for l in &rows {
            for cell in l.split(',').skip(4) {
                if let Some((x, _)) = cell.trim_matches('"').split_once(" of ") {
                    let x: u64 = x.rsplit('(').next().unwrap().parse().unwrap();
                    assert!(!(1..=4).contains(&x), "{l}");
                }
            }
        }
    }
}
