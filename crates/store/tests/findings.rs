//! Findings across report runs, on both databases: new, persisting, no longer flagged, reopened
//! after review; changes that cannot follow a status are refused and write nothing.

mod common;

use common::every_backend;
use throughcare_core::StaffRef;
use throughcare_core::finding::{FindingChange, FindingStatus, FindingText, Seen};
use throughcare_core::time::{Period, parse_instant};
use throughcare_store::findings::{Measured, RunSummary};
use throughcare_store::staff::StaffRecord;

fn measured(measure: &str, group: &str, flagged: bool, ratio: f64) -> Measured {
    Measured {
        measure: measure.into(),
        breakdown: "ethnic_group".into(),
        group: group.into(),
        title: format!("{measure}: {group}"),
        flagged,
        rate: Some(ratio / 10.0),
        ratio: Some(ratio),
        ratio_lower: Some(ratio - 0.5),
        ratio_upper: Some(ratio + 0.5),
        q: Some(if flagged { 0.001 } else { 0.4 }),
    }
}

fn flag(measure: &str, group: &str) -> Measured {
    measured(measure, group, true, 2.0)
}

fn year(y: i16) -> Period {
    Period::new(jiff::civil::date(y, 4, 1), jiff::civil::date(y + 1, 3, 31)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_are_matched_across_runs_and_move_through_their_statuses() {
    for db in every_backend().await {
        let t1 = parse_instant("2026-04-30T09:00:00Z").unwrap();
        let t2 = parse_instant("2027-04-30T09:00:00Z").unwrap();
        let t3 = parse_instant("2028-04-30T09:00:00Z").unwrap();
        let governor = StaffRef::parse("governor.one").unwrap();
        let mut tx = db.begin_write().await.unwrap();
        tx.insert_staff(
            &StaffRecord {
                username: governor.clone(),
                display_name: "Governor One".into(),
                role: "governor".into(),
                establishment: None,
                password_hash: "x".into(),
                disabled: false,
            },
            t1,
        )
        .await
        .unwrap();
        let s = tx
            .record_findings("estate", year(2025), t1, &[flag("use-of-force", "BLACK"), flag("basic-level", "MIXED")])
            .await
            .unwrap();
        assert_eq!(s, RunSummary { new: 2, persists: 0, no_longer_flagged: 0 });
        tx.commit().await.unwrap();

        let mut tx = db.begin_write().await.unwrap();
        let s = tx
            .record_findings(
                "estate",
                year(2026),
                t2,
                &[
                    measured("use-of-force", "BLACK", false, 1.1),
                    flag("basic-level", "MIXED"),
                    flag("self-harm", "WHITE"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(s, RunSummary { new: 1, persists: 1, no_longer_flagged: 1 });
        tx.commit().await.unwrap();

        let all = db.findings(Some("estate")).await.unwrap();
        let seen = |m: &str| all.iter().find(|f| f.measure == m).unwrap().seen;
        assert_eq!(
            (seen("use-of-force"), seen("basic-level"), seen("self-harm")),
            (Seen::NoLongerFlagged, Seen::Persists, Seen::New)
        );
        assert!(db.findings(Some("LEI")).await.unwrap().is_empty(), "findings belong to their scope");
        let force = all.iter().find(|f| f.measure == "use-of-force").unwrap().id;

        // A review before any explanation is refused, and nothing changes.
        let text = |s: &str| FindingText::parse("text", s).unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let refused =
            tx.change_finding(force, &FindingChange::Review { outcome: text("done") }, &governor, t2).await.unwrap();
        assert_eq!(refused.unwrap_err(), "A finding that is open cannot be marked reviewed");
        assert!(tx.assign_finding(force, &governor, &governor, t2).await.unwrap());
        let reform = FindingChange::PlanReform {
            actions: text("Review every planned removal"),
            review_by: jiff::civil::date(2027, 10, 1),
        };
        tx.change_finding(force, &reform, &governor, t2).await.unwrap().unwrap();
        tx.change_finding(force, &FindingChange::Review { outcome: text("Rates now equal") }, &governor, t2)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let (f, updates) = db.finding(force).await.unwrap().unwrap();
        assert_eq!(
            (f.status, f.owner.as_deref(), f.review_by),
            (FindingStatus::Reviewed, Some("governor.one"), Some(jiff::civil::date(2027, 10, 1)))
        );
        assert_eq!(f.actions.as_deref(), Some("Review every planned removal"));
        let notes: Vec<&str> = updates.iter().map(|u| u.note.as_str()).collect();
        assert_eq!(
            notes,
            [
                "Flagged for 2025-04-01..2026-03-31",
                "Not flagged for 2026-04-01..2027-03-31",
                "Owner: governor.one",
                "Reform planned, review by 2027-10-01: Review every planned removal",
                "Reviewed: Rates now equal",
            ]
        );

        // Flagged again after review: the same finding reopens, it is not a new one.
        let mut tx = db.begin_write().await.unwrap();
        let groups = [
            flag("use-of-force", "BLACK"),
            measured("basic-level", "MIXED", false, 1.0),
            measured("self-harm", "WHITE", false, 1.0),
        ];
        let s = tx.record_findings("estate", year(2027), t3, &groups).await.unwrap();
        assert_eq!(s, RunSummary { new: 0, persists: 1, no_longer_flagged: 2 });
        tx.commit().await.unwrap();
        let (f, updates) = db.finding(force).await.unwrap().unwrap();
        assert_eq!(
            (f.status, f.seen, f.first_period.as_str()),
            (FindingStatus::Open, Seen::Persists, "2025-04-01..2026-03-31")
        );
        assert_eq!(
            updates.last().unwrap().note,
            "Flagged again for 2027-04-01..2028-03-31 after review: reopened, new evidence needed"
        );
    }
}

/// Runs the report for three years in every order: the finding's history, standing and figures
/// are the same, by period. Answers are tied to the periods they answer; a reviewed finding
/// flagged in a later year asks for new evidence, an earlier year run afterwards does not.
#[tokio::test(flavor = "multi_thread")]
async fn a_findings_history_is_by_period_whatever_order_the_reports_are_run_in() {
    let t = |s: &str| parse_instant(s).unwrap();
    let runs = [(2024, true, 1.9), (2025, false, 1.1), (2026, true, 2.4)];
    for db in every_backend().await {
        let mut standings = Vec::new();
        for (n, order) in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]].iter().enumerate() {
            let scope = format!("order-{n}");
            for (i, &k) in order.iter().enumerate() {
                let (y, flagged, ratio) = runs[k];
                let mut tx = db.begin_write().await.unwrap();
                let at = t(&format!("2027-0{}-01T09:00:00Z", i + 5));
                tx.record_findings(&scope, year(y), at, &[measured("use-of-force", "BLACK", flagged, ratio)])
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
            let f = db.findings(Some(&scope)).await.unwrap().remove(0);
            let (ms, _) = db.finding_history(f.id).await.unwrap();
            let figures: Vec<(Period, bool, Option<f64>)> = ms.iter().map(|m| (m.period, m.flagged, m.ratio)).collect();
            assert_eq!(
                figures,
                [(year(2024), true, Some(1.9)), (year(2025), false, Some(1.1)), (year(2026), true, Some(2.4))],
                "order {order:?}"
            );
            standings.push((f.seen, f.first_period.clone(), f.last_period.clone(), f.ratio));
        }
        for s in &standings {
            assert_eq!(
                s,
                &(
                    Seen::Persists,
                    "2024-04-01..2025-03-31".to_string(),
                    "2026-04-01..2027-03-31".to_string(),
                    Some(2.4)
                )
            );
        }
        // Running 2024-25 last does not make it the latest: still persisting in 2026-27.
        // Run 2025-26 again with it flagged now: the row is replaced, not added.
        let mut tx = db.begin_write().await.unwrap();
        tx.record_findings("order-0", year(2025), t("2027-09-01T09:00:00Z"), &[flag("use-of-force", "BLACK")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let f = db.findings(Some("order-0")).await.unwrap().remove(0);
        assert_eq!(db.finding_history(f.id).await.unwrap().0.len(), 3);

        // Answers are tied to the periods they answer.
        let governor = StaffRef::parse("governor.one").unwrap();
        let text = |s: &str| FindingText::parse("text", s).unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let at = t("2027-10-01T09:00:00Z");
        tx.change_finding(
            f.id,
            &FindingChange::Explain { evidence: text("Two people's repeated incidents") },
            &governor,
            at,
        )
        .await
        .unwrap()
        .unwrap();
        tx.change_finding(f.id, &FindingChange::Review { outcome: text("Explanation holds") }, &governor, at)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let (_, responses) = db.finding_history(f.id).await.unwrap();
        assert_eq!(responses.len(), 2);
        assert_eq!(responses[0].periods, [year(2024), year(2025), year(2026)]);
        assert_eq!(responses[0].status, FindingStatus::Explained);
        assert_eq!(responses[1].periods, [year(2024), year(2025), year(2026)]);

        // An earlier year run after the review, flagged: already answered, it stays reviewed.
        let mut tx = db.begin_write().await.unwrap();
        tx.record_findings("order-0", year(2023), t("2027-11-01T09:00:00Z"), &[flag("use-of-force", "BLACK")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let f = db.finding(f.id).await.unwrap().unwrap().0;
        assert_eq!(
            (f.status, f.evidence.as_deref()),
            (FindingStatus::Reviewed, Some("Two people's repeated incidents"))
        );
        assert_eq!(f.last_period, "2026-04-01..2027-03-31");

        // Flagged in the next year: reopened, and the old evidence no longer stands for it.
        let mut tx = db.begin_write().await.unwrap();
        tx.record_findings("order-0", year(2027), t("2028-05-01T09:00:00Z"), &[flag("use-of-force", "BLACK")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (f, updates) = db.finding(f.id).await.unwrap().unwrap();
        assert_eq!((f.status, f.evidence.as_deref(), f.review_outcome.as_deref()), (FindingStatus::Open, None, None));
        assert_eq!(
            updates.last().unwrap().note,
            "Flagged again for 2027-04-01..2028-03-31 after review: reopened, new evidence needed"
        );
        let mut tx = db.begin_write().await.unwrap();
        tx.change_finding(
            f.id,
            &FindingChange::Explain { evidence: text("New evidence") },
            &governor,
            t("2028-06-01T09:00:00Z"),
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        let (_, responses) = db.finding_history(f.id).await.unwrap();
        assert_eq!(responses.last().unwrap().periods, [year(2027)], "the new explanation answers the new year only");
    }
}
