//! Findings across report runs, on both databases: new, persisting, no longer flagged, reopened
//! after review; changes that cannot follow a status are refused and write nothing.

mod common;

use common::every_backend;
use throughcare_core::StaffRef;
use throughcare_core::finding::{FindingChange, FindingStatus, FindingText, Seen};
use throughcare_core::time::parse_instant;
use throughcare_store::findings::{Flag, RunSummary};
use throughcare_store::staff::StaffRecord;

fn flag(measure: &str, group: &str) -> Flag {
    Flag {
        measure: measure.into(),
        breakdown: "ethnic_group".into(),
        group: group.into(),
        title: format!("{measure}: {group}"),
        ratio: Some(2.0),
        q: Some(0.001),
    }
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
            .record_findings(
                "estate",
                "2025-04-01..2026-03-31",
                t1,
                &[flag("use-of-force", "BLACK"), flag("basic-level", "MIXED")],
            )
            .await
            .unwrap();
        assert_eq!(s, RunSummary { new: 2, persists: 0, no_longer_flagged: 0 });
        tx.commit().await.unwrap();

        let mut tx = db.begin_write().await.unwrap();
        let s = tx
            .record_findings(
                "estate",
                "2026-04-01..2027-03-31",
                t2,
                &[flag("basic-level", "MIXED"), flag("self-harm", "WHITE")],
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
        let s =
            tx.record_findings("estate", "2027-04-01..2028-03-31", t3, &[flag("use-of-force", "BLACK")]).await.unwrap();
        assert_eq!(s, RunSummary { new: 0, persists: 1, no_longer_flagged: 2 });
        tx.commit().await.unwrap();
        let (f, updates) = db.finding(force).await.unwrap().unwrap();
        assert_eq!(
            (f.status, f.seen, f.first_period.as_str()),
            (FindingStatus::Open, Seen::Persists, "2025-04-01..2026-03-31")
        );
        assert_eq!(updates.last().unwrap().note, "Flagged again for 2027-04-01..2028-03-31 after review: reopened");
    }
}
