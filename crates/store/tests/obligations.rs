//! Obligations kept with the timeline, on both databases: incremental equals recomputed,
//! worklists classify what is due, and every figure comes back from exported events.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::every_backend;
use jiff::Timestamp;
use proptest::prelude::*;
use throughcare_core::pathways::acct::{OpenCase, open_case};
use throughcare_core::standards::engine::Obligation;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_core::timeline::Timeline;
use throughcare_core::{Event, EventKind, PrisonNumber, StaffRef};
use throughcare_store::obligations::{Engine, WorklistFilter};
use throughcare_store::{Db, exchange};

fn estate(seed: u64, people: usize) -> Estate {
    Estate::new(EstateSpec { establishments: 3, people, years: 1, seed, end: jiff::civil::date(2026, 3, 31) })
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// What the engine gives from the stored timeline, recomputed from scratch.
async fn recomputed(db: &Db, engine: &Engine, pn: &PrisonNumber, horizon: Timestamp) -> Vec<Obligation> {
    let person = db.person(pn).await.unwrap().unwrap();
    let timeline = db.timeline(pn).await.unwrap();
    let populations = db.establishments().await.unwrap().into_iter().map(|e| (e.code, e.population)).collect();
    engine.compute(&person, &timeline, &populations, horizon).obligations
}

/// Appends the events in batches, in the order given, maintaining obligations as each commits.
async fn append_in_batches(db: &Db, engine: &Engine, batches: &[Vec<Event>], horizon: Timestamp) {
    for batch in batches.iter().filter(|b| !b.is_empty()) {
        let mut tx = db.begin_write().await.unwrap();
        tx.append_events(batch).await.unwrap();
        let people = throughcare_store::obligations::people_of(batch);
        tx.refresh_obligations(&people, engine, horizon).await.unwrap();
        tx.commit().await.unwrap();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Events arriving late, back-dated, out of order and in any batches leave exactly the
    /// obligations a full recompute from the timeline gives.
    #[test]
    fn incremental_obligations_equal_a_full_recompute(seed in 0u64..1000, batch_of in proptest::collection::vec(0usize..5, 400), order in any::<u64>()) {
        runtime().block_on(async {
            let engine = Engine::builtin();
            let estate = estate(seed, 8);
            let horizon = estate.end();
            let people: Vec<_> = (0..8).map(|i| estate.person(i)).collect();
            for db in every_backend().await {
                let mut tx = db.begin_write().await.unwrap();
                tx.insert_establishments(estate.establishments()).await.unwrap();
                tx.insert_people(&people.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()).await.unwrap();
                tx.commit().await.unwrap();
                // Shuffle by a seeded key, deal into batches; a correction never precedes what it corrects.
                let mut all: Vec<Event> = people.iter().flat_map(|(_, e)| e.clone()).collect();
                all.sort_by_key(|e| (e.id.to_string().bytes().fold(order, |h, b| h.rotate_left(5) ^ u64::from(b)), e.id));
                let mut batch_index: HashMap<_, usize> = HashMap::new();
                let mut batches = vec![Vec::new(); 5];
                for (i, e) in all.iter().enumerate() {
                    batch_index.insert(e.id, batch_of[i % batch_of.len()]);
                }
                for e in &all {
                    let mut b = batch_index[&e.id];
                    if let Some(c) = &e.correction {
                        b = b.max(batch_index[&c.supersedes]);
                        batch_index.insert(e.id, b);
                    }
                    batches[b].push(e.clone());
                }
                append_in_batches(&db, &engine, &batches, horizon).await;
                for (p, events) in &people {
                    let stored = db.obligations_of(&p.prison_number).await.unwrap();
                    prop_assert_eq!(&stored, &recomputed(&db, &engine, &p.prison_number, horizon).await, "{}", db.backend());
                    // And the same as the engine over the events as generated, never stored.
                    let populations = estate.establishments().iter().map(|e| (e.code.clone(), e.population)).collect();
                    prop_assert_eq!(&stored, &engine.compute(p, &Timeline::new(events.clone()), &populations, horizon).obligations);
                }
                prop_assert_eq!(open_accts(&db, &estate).await, open_accts_recomputed(&db, &estate).await);
            }
            Ok(())
        })?;
    }
}

/// Every open ACCT case the register reads, at every establishment.
async fn open_accts(db: &Db, estate: &Estate) -> Vec<(PrisonNumber, OpenCase)> {
    let mut out = Vec::new();
    for e in estate.establishments() {
        out.extend(db.open_accts(&e.code).await.unwrap().into_iter().map(|(p, c)| (p.prison_number, c)));
    }
    out
}

/// The same, worked out again from each stored timeline of the people in custody.
async fn open_accts_recomputed(db: &Db, estate: &Estate) -> Vec<(PrisonNumber, OpenCase)> {
    let mut out = Vec::new();
    for e in estate.establishments() {
        for (p, t) in db.timelines_in_custody(&e.code).await.unwrap() {
            out.extend(open_case(&t).map(|c| (p.prison_number, c)));
        }
    }
    out
}

/// The register's open cases are kept with each write, equal a recompute from the timelines, and
/// a database made before they were kept builds them once when it is opened.
#[tokio::test(flavor = "multi_thread")]
async fn open_acct_cases_equal_the_timelines_and_are_built_for_an_older_database() {
    let engine = Arc::new(Engine::builtin());
    for db in every_backend().await {
        let estate = || estate(6, 600);
        throughcare_store::seed::seed(&db, estate(), Some(engine.clone()), |_| {}).await.unwrap();
        let estate = estate();
        let kept = open_accts(&db, &estate).await;
        assert!(kept.len() >= 3, "{}: the estate has open ACCTs ({})", db.backend(), kept.len());
        assert_eq!(kept, open_accts_recomputed(&db, &estate).await, "{}", db.backend());

        // Closing one takes it off; it stays in the timeline.
        let (pn, case) = kept[0].clone();
        let close = Event {
            id: throughcare_core::EventId::from_random_bytes([0xcc; 16]),
            person: pn.clone(),
            occurred_at: at("2026-03-31T12:00:00Z"),
            recorded_at: at("2026-03-31T12:00:00Z"),
            recorded_by: StaffRef::parse("sc.lee").unwrap(),
            correction: None,
            kind: EventKind::AcctClosed { acct: Some(case.id), reason: Some("Risk reduced".into()) },
        };
        append_in_batches(&db, &engine, &[vec![close]], at("2026-03-31T12:00:00Z")).await;
        let after = open_accts(&db, &estate).await;
        assert_eq!(after.len(), kept.len() - 1);
        assert!(after.iter().all(|(p, _)| *p != pn));
        assert_eq!(after, open_accts_recomputed(&db, &estate).await);

        // A database from before: the table empty and the mark gone. Opening it builds them again.
        let mut tx = db.begin_write().await.unwrap();
        for sql in ["DELETE FROM acct_open_cases", "DELETE FROM settings WHERE name = 'acct_open_cases_built'"] {
            match &mut tx {
                throughcare_store::WriteTx::Sqlite(t) => drop(sqlx::query(sql).execute(&mut **t).await.unwrap()),
                throughcare_store::WriteTx::Postgres(t) => drop(sqlx::query(sql).execute(&mut **t).await.unwrap()),
            }
        }
        tx.commit().await.unwrap();
        assert!(open_accts(&db, &estate).await.is_empty());
        let reopened = Db::connect(&db.url).await.unwrap();
        assert_eq!(open_accts(&reopened, &estate).await, after, "{}", db.backend());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn figures_come_back_the_same_from_exported_events() {
    let engine = Arc::new(Engine::builtin());
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, estate(4, 120), Some(engine.clone()), |_| {}).await.unwrap();
        let (from, to, as_at) = (at("2025-04-01T00:00:00Z"), at("2026-03-31T23:59:59Z"), at("2026-03-31T23:59:59Z"));
        let before = db.obligations_due(from, to, None).await.unwrap();
        assert!(before.values().map(Vec::len).sum::<usize>() > 500, "a year of obligations");
        let mut files = [Vec::new(), Vec::new(), Vec::new()];
        exchange::export_establishments(&db, &mut files[0]).await.unwrap();
        exchange::export_people(&db, &mut files[1]).await.unwrap();
        exchange::export_events(&db, &mut files[2]).await.unwrap();

        for other in every_backend().await {
            exchange::import_establishments(&other, &files[0][..]).await.unwrap();
            exchange::import_people(&other, &files[1][..], at("2026-04-01T00:00:00Z")).await.unwrap();
            exchange::import_events(&other, &files[2][..], as_at, &engine, true).await.unwrap();
            let after = other.obligations_due(from, to, None).await.unwrap();
            assert!(after == before, "{} → {}: obligations differ", db.backend(), other.backend());
            let filter = WorklistFilter { establishment: Some("AAB".parse().unwrap()), ..Default::default() };
            assert_eq!(
                other.worklist(&engine, &filter, as_at).await.unwrap(),
                db.worklist(&engine, &filter, as_at).await.unwrap()
            );
        }
        // The compliance figures therefore match too; spot-check one is sensible.
        let c = throughcare_core::standards::engine::compliance(&before["first-night-screen"], from, to, as_at);
        assert!(c.applicable > 0 && c.on_time_rate().unwrap() > 0.8, "{c:?}");
    }
}

fn event(n: u8, pn: &str, when: &str, kind: &str, details: &str) -> Event {
    Event {
        id: throughcare_core::EventId::from_random_bytes([n; 16]),
        person: PrisonNumber::parse(pn).unwrap(),
        occurred_at: at(when),
        recorded_at: at(when),
        recorded_by: StaffRef::parse("staff").unwrap(),
        correction: None,
        kind: throughcare_core::instruments::InstrumentSet::builtin_ref()
            .complete(EventKind::parse(kind, details).unwrap())
            .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn worklists_say_what_is_due_today_this_week_and_overdue_for_whom() {
    let engine = Engine::builtin();
    for db in every_backend().await {
        exchange::import_establishments(&db, &b"code,name,population\nLEI,HMP Leeds,MEN\nMDI,HMP Moorland,MEN\n"[..])
            .await
            .unwrap();
        exchange::import_people(
            &db,
            &b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-01-31,\nB1234BC,Bo,Ng,1980-05-05,\n"[..],
            at("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap();
        let reception = r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"REMAND"}"#;
        let screen =
            &throughcare_core::synthetic::screening(throughcare_core::event::Instrument::ReceptionFirstStage, &[])
                .details_json();
        let events = vec![
            event(1, "A1234BC", "2026-01-05T18:00:00Z", "reception", reception),
            event(2, "A1234BC", "2026-01-05T19:00:00Z", "screening_completed", screen),
            event(3, "A1234BC", "2026-01-06T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.lei.4"}"#),
            event(4, "B1234BC", "2026-01-08T17:00:00Z", "reception", &reception.replace("LEI", "MDI")),
            event(5, "B1234BC", "2026-01-08T18:00:00Z", "screening_completed", screen),
        ];
        let mut tx = db.begin_write().await.unwrap();
        tx.append_events(&events).await.unwrap();
        tx.refresh_obligations(
            &throughcare_store::obligations::people_of(&events),
            &engine,
            at("2026-01-08T18:00:00Z"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let lei = WorklistFilter { establishment: Some("LEI".parse().unwrap()), ..Default::default() };
        let list = |items: &[throughcare_store::obligations::WorkItem]| {
            items
                .iter()
                .map(|i| (i.standard.clone(), i.when, i.days_overdue, i.warning, i.escalated))
                .collect::<Vec<_>>()
        };
        // Sunday 11 January: the second-stage assessment (due Monday 12th) is due this week, with a warning.
        let sat = db.worklist(&engine, &lei, at("2026-01-11T12:00:00Z")).await.unwrap();
        assert!(
            list(&sat).contains(&("second-stage-assessment".into(), "due-this-week", 0, true, false)),
            "{:#?}",
            list(&sat)
        );
        assert!(sat.iter().all(|i| i.prison_number == "A1234BC"), "only LEI's people");
        let mon = db.worklist(&engine, &lei, at("2026-01-12T09:00:00Z")).await.unwrap();
        assert!(list(&mon).contains(&("second-stage-assessment".into(), "due-today", 0, true, false)));
        // 20 January, past the stored horizon: rolled forward first, as the CLI does.
        db.roll_obligations_forward(&engine, at("2026-01-20T12:00:00Z")).await.unwrap();
        let later = db.worklist(&engine, &lei, at("2026-01-20T12:00:00Z")).await.unwrap();
        // Most overdue first: the induction pack (due by 8 January), then the second-stage assessment
        // and medicines reconciliation, both due by 12 January.
        let firsts: Vec<&str> = later[..3].iter().map(|i| i.standard.as_str()).collect();
        assert_eq!(
            firsts,
            ["induction-pack-understood", "medicines-reconciliation", "second-stage-assessment"],
            "most overdue first"
        );
        assert_eq!((later[2].when, later[2].days_overdue, later[2].escalated), ("overdue", 7, true));
        let weekly: Vec<_> = later.iter().filter(|i| i.standard == "key-work-weekly").collect();
        assert_eq!(weekly.len(), 1, "only the current week is open: earlier weeks are unmet, not on the list");
        assert_eq!(weekly[0].key_worker.as_deref(), Some("kw.lei.4"));

        let mine = WorklistFilter { key_worker: Some("kw.lei.4".into()), ..lei.clone() };
        assert!(
            db.worklist(&engine, &mine, at("2026-01-20T12:00:00Z"))
                .await
                .unwrap()
                .iter()
                .all(|i| i.prison_number == "A1234BC")
        );
        let nobody = WorklistFilter { key_worker: Some("kw.lei.9".into()), ..lei.clone() };
        assert!(db.worklist(&engine, &nobody, at("2026-01-20T12:00:00Z")).await.unwrap().is_empty());
        let team = WorklistFilter { team: Some("healthcare".into()), ..lei.clone() };
        assert!(
            db.worklist(&engine, &team, at("2026-01-20T12:00:00Z"))
                .await
                .unwrap()
                .iter()
                .all(|i| i.team == "healthcare")
        );

        // The assessment is recorded late (back-dated to 14 January): it leaves the list and counts as late.
        let done = vec![event(6, "A1234BC", "2026-01-14T10:00:00Z", "health_assessment_completed", "")];
        let mut tx = db.begin_write().await.unwrap();
        tx.append_events(&done).await.unwrap();
        tx.refresh_obligations(&throughcare_store::obligations::people_of(&done), &engine, at("2026-01-20T12:00:00Z"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let after = db.worklist(&engine, &lei, at("2026-01-20T12:00:00Z")).await.unwrap();
        assert!(after.iter().all(|i| i.standard != "second-stage-assessment"));
        // Looking back at the 13th, it was still on the list then.
        let then = db.worklist(&engine, &lei, at("2026-01-13T12:00:00Z")).await.unwrap();
        assert!(then.iter().any(|i| i.standard == "second-stage-assessment" && i.when == "overdue"));
    }
}
