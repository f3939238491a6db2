//! The store's conformance suite: every test runs on SQLite and on PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::{every_backend, now};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_core::time::parse_instant;
use throughcare_core::{Characteristic, PrisonNumber};
use throughcare_store::exchange::{self, ImportError};
use throughcare_store::obligations::Engine;
use throughcare_store::{Db, Table, sensitivity};

fn small_estate(seed: u64) -> Estate {
    Estate::new(EstateSpec { establishments: 4, people: 150, years: 1, seed, end: jiff::civil::date(2026, 3, 31) })
}

async fn export_all(db: &Db) -> [Vec<u8>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    exchange::export_establishments(db, &mut out[0]).await.unwrap();
    exchange::export_people(db, &mut out[1]).await.unwrap();
    exchange::export_events(db, &mut out[2]).await.unwrap();
    out
}

async fn counts(db: &Db) -> (i64, i64, i64) {
    (
        db.count(Table::Establishments).await.unwrap(),
        db.count(Table::People).await.unwrap(),
        db.count(Table::Events).await.unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn every_column_is_tagged_with_its_sensitivity_and_both_schemas_match() {
    let tagged: Vec<(String, String)> =
        sensitivity::COLUMNS.iter().map(|(t, c, _)| (t.to_string(), c.to_string())).collect();
    let mut sorted = tagged.clone();
    sorted.sort();
    assert_eq!(tagged, sorted, "keep sensitivity::COLUMNS sorted");
    for db in every_backend().await {
        assert_eq!(db.schema().await.unwrap(), tagged, "{}: schema and sensitivity tags differ", db.backend());
    }
    assert_eq!(sensitivity::of("events", "details"), Some(sensitivity::Sensitivity::SpecialCategory));
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_estate_exports_reimports_and_exports_identically_on_both_backends() {
    let mut exports = Vec::new();
    for source in every_backend().await {
        let seeded = throughcare_store::seed::seed(&source, small_estate(11), None, |_| {}).await.unwrap();
        assert_eq!((seeded.establishments, seeded.people), (4, 150));
        assert!(seeded.events > 150 * 10, "a realistic flow of events, got {}", seeded.events);
        let first = export_all(&source).await;

        for target in every_backend().await {
            exchange::import_establishments(&target, &first[0][..]).await.unwrap();
            exchange::import_people(&target, &first[1][..], now()).await.unwrap();
            let n = exchange::import_events(&target, &first[2][..], now(), &Engine::builtin(), false).await.unwrap();
            assert_eq!(n, seeded.events);
            assert_eq!(export_all(&target).await, first, "{} → {}", source.backend(), target.backend());
        }
        exports.push(first);
    }
    // The same estate exports to the same bytes whichever database held it.
    assert!(exports.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stored_timeline_reads_back_as_generated() {
    let estate = small_estate(3);
    let (person, events) = estate.person(17);
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, small_estate(3), None, |_| {}).await.unwrap();
        assert_eq!(db.person(&person.prison_number).await.unwrap().as_ref(), Some(&person));
        let timeline = db.timeline(&person.prison_number).await.unwrap();
        assert_eq!(timeline.all(), &events[..], "{}", db.backend());
        let state = timeline.state_at(parse_instant("2026-03-31T23:59:59Z").unwrap());
        assert_ne!(
            state.characteristics.code_at(Characteristic::Sex, parse_instant("2026-03-31T23:59:59Z").unwrap()),
            "NK"
        );
        assert_eq!(db.person(&PrisonNumber::parse("Z9999ZZ").unwrap()).await.unwrap(), None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_cannot_be_changed_or_deleted_and_seeding_needs_an_empty_database() {
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, small_estate(5), None, |_| {}).await.unwrap();
        let before = counts(&db).await;
        for sql in ["UPDATE events SET kind = 'release'", "DELETE FROM events"] {
            let mut tx = db.begin_write().await.unwrap();
            let err = match &mut tx {
                throughcare_store::WriteTx::Sqlite(t) => sqlx::query(sql).execute(&mut **t).await.unwrap_err(),
                throughcare_store::WriteTx::Postgres(t) => sqlx::query(sql).execute(&mut **t).await.unwrap_err(),
            };
            assert!(err.to_string().contains("append-only"), "{}: {err}", db.backend());
        }
        assert_eq!(counts(&db).await, before);
        let again = throughcare_store::seed::seed(&db, small_estate(6), None, |_| {}).await;
        assert!(matches!(again, Err(throughcare_store::StoreError::NotEmpty)));
        assert_eq!(counts(&db).await, before);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transaction_dropped_before_commit_leaves_nothing() {
    for db in every_backend().await {
        let estate = small_estate(9);
        let (person, events) = estate.person(0);
        {
            let mut tx = db.begin_write().await.unwrap();
            tx.insert_establishments(estate.establishments()).await.unwrap();
            tx.insert_people(std::slice::from_ref(&person)).await.unwrap();
            tx.append_events(&events).await.unwrap();
            // dropped here: as if the process crashed mid-import
        }
        assert_eq!(counts(&db).await, (0, 0, 0), "{}", db.backend());
    }
}

fn rejected(r: Result<usize, ImportError>) -> Vec<String> {
    match r {
        Err(ImportError::Rejected(rows)) => rows.iter().map(ToString::to_string).collect(),
        other => panic!("expected the file to be rejected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_people_file_with_bad_rows_is_rejected_whole_naming_each_row_and_column() {
    let mut file = b"prison_number,given_name,family_name,date_of_birth,nhs_number\n\
A1234BC,Ann,Lee,1990-01-31,9434765919\n\
A1234BD,Bo,Ng,2023-02-29,\n\
A12X4BE,Cy,Ode,1980-05-05,9434765918\n\
A1234BF,Di\n\
A1234BC,Ann,Lee,1990-01-31,\n"
        .to_vec();
    file.extend_from_slice(b"A1234BG,\xff\xfe,Pe,1970-01-01,\n");
    for db in every_backend().await {
        let errors = rejected(exchange::import_people(&db, &file[..], now()).await);
        assert_eq!(
            errors,
            [
                "line 3, column date_of_birth: \"2023-02-29\" is not a real date in the form YYYY-MM-DD",
                "line 4, column prison_number: prison number must be a letter, 4 digits and 2 letters (e.g. A1234BC), got \"A12X4BE\"",
                "line 4, column nhs_number: NHS number 9434765918 fails its check digit",
                "line 5: has 2 columns, expected 5",
                "line 6, column prison_number: A1234BC is also on line 2",
                "line 7, column given_name: is not valid UTF-8",
            ],
            "{}",
            db.backend()
        );
        assert_eq!(counts(&db).await, (0, 0, 0));

        // The good row alone imports; importing it again is refused as already on record.
        let good =
            b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-01-31,9434765919\n";
        let good = &good[..];
        assert_eq!(exchange::import_people(&db, good, now()).await.unwrap(), 1);
        assert_eq!(
            rejected(exchange::import_people(&db, good, now()).await),
            ["line 2, column prison_number: A1234BC is already on record"]
        );
        let wrong_header = b"prison_number,given_name\nA1234BC,Ann\n";
        assert_eq!(
            rejected(exchange::import_people(&db, &wrong_header[..], now()).await),
            ["line 1: the header must be: prison_number,given_name,family_name,date_of_birth,nhs_number"]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_events_file_with_bad_rows_is_rejected_whole_naming_each_row_and_column() {
    const HEAD: &str =
        "event_id,prison_number,kind,occurred_at,recorded_at,recorded_by,supersedes,correction_reason,details\n";
    const E1: &str = "00000000-0000-4000-8000-000000000001";
    const E2: &str = "00000000-0000-4000-8000-000000000002";
    const E3: &str = "00000000-0000-4000-8000-000000000003";
    for db in every_backend().await {
        exchange::import_establishments(&db, &b"code,name,population\nLEI,HMP Leeds,MEN\n"[..]).await.unwrap();
        exchange::import_people(
            &db,
            &b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-01-31,\n"[..],
            now(),
        )
        .await
        .unwrap();
        let good = format!(
            "{HEAD}{E1},A1234BC,reception,2026-01-05T18:00:00Z,2026-01-05T18:30:00Z,reception.lei,,,\"{{\"\"establishment\"\":\"\"LEI\"\",\"\"reception_type\"\":\"\"NEW\"\",\"\"legal_status\"\":\"\"REMAND\"\"}}\"\n\
             {E2},A1234BC,request_raised,2026-01-06T09:00:00Z,2026-01-06T09:00:00Z,A1234BC,,,\"{{\"\"category\"\":\"\"FAITH\"\",\"\"confidential\"\":true}}\"\n"
        );
        assert_eq!(exchange::import_events(&db, good.as_bytes(), now(), &Engine::builtin(), false).await.unwrap(), 2);
        let before = counts(&db).await;

        let bad = format!(
            "{HEAD}\
{E1},A1234BC,acct_opened,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\n\
{E3},A1234BC,acct_opened,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\n\
{E3},A1234BC,acct_closed,2026-01-08T10:00:00Z,2026-01-08T10:00:00Z,officer,,,\n\
00000000-0000-4000-8000-000000000004,A1234BC,acct_reopened,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\n\
00000000-0000-4000-8000-000000000005,B1234BC,acct_opened,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\n\
00000000-0000-4000-8000-000000000006,A1234BC,characteristic_declared,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\"{{\"\"characteristic\"\":\"\"ethnicity\"\",\"\"value\"\":\"\"W7\"\"}}\"\n\
00000000-0000-4000-8000-000000000007,A1234BC,acct_opened,2026-02-30T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\n\
00000000-0000-4000-8000-000000000008,A1234BC,acct_opened\n\
00000000-0000-4000-8000-000000000009,A1234BC,request_answered,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\"{{\"\"request\"\":\"\"{E1}\"\",\"\"outcome\"\":\"\"GRANTED\"\"}}\"\n\
00000000-0000-4000-8000-00000000000a,A1234BC,transfer_out,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,,,\"{{\"\"to_establishment\"\":\"\"XYZ\"\"}}\"\n\
00000000-0000-4000-8000-00000000000b,A1234BC,entered_in_error,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,{E2},typed on the wrong record,\n\
00000000-0000-4000-8000-00000000000c,A1234BC,entered_in_error,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,{E2},twice,\n\
00000000-0000-4000-8000-00000000000d,A1234BC,acct_opened,2026-01-09T10:00:00Z,2026-01-08T10:00:00Z,officer,,,\n"
        );
        let errors = rejected(exchange::import_events(&db, bad.as_bytes(), now(), &Engine::builtin(), false).await);
        let expected = [
            format!("line 2, column event_id: duplicate event: {E1} is already on record"),
            format!("line 4, column event_id: duplicate event: {E3} is also on line 3"),
            "line 5, column kind: unknown event kind \"acct_reopened\"".into(),
            "line 6, column prison_number: unknown prison number B1234BC: import the person first".into(),
            "line 7, column details: details for characteristic_declared: unknown ethnicity code \"W7\"".into(),
            "line 8, column occurred_at: \"2026-02-30T10:00:00Z\" is not a date and time like 2026-03-01T09:30:00Z"
                .into(),
            "line 9: has 3 columns, expected 9".into(),
            format!(
                "line 10, column details: it answers event {E1}, of kind reception, but must answer request_raised"
            ),
            "line 11, column details: unknown establishment XYZ".into(),
            format!("line 13, column supersedes: event {E2} is already superseded on line 12"),
            "line 14, column occurred_at: occurred_at 2026-01-09T10:00:00Z is after recorded_at 2026-01-08T10:00:00Z: an event is recorded once it has happened".into(),
        ];
        for (got, want) in errors.iter().zip(&expected) {
            assert!(got.starts_with(want.as_str()), "{}:\n got  {got}\n want {want}", db.backend());
        }
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        assert_eq!(counts(&db).await, before, "nothing written");

        // A correction of an event already on record, then a second correction of it, refused.
        let fix = format!(
            "{HEAD}00000000-0000-4000-8000-0000000000e1,A1234BC,entered_in_error,2026-01-07T10:00:00Z,2026-01-07T10:00:00Z,officer,{E2},typed on the wrong record,\n"
        );
        assert_eq!(exchange::import_events(&db, fix.as_bytes(), now(), &Engine::builtin(), false).await.unwrap(), 1);
        let again = fix.replace("e1,", "e2,");
        assert_eq!(
            rejected(exchange::import_events(&db, again.as_bytes(), now(), &Engine::builtin(), false).await),
            [format!("line 2, column supersedes: event {E2} is already superseded")]
        );
        let timeline = db.timeline(&PrisonNumber::parse("A1234BC").unwrap()).await.unwrap();
        assert_eq!((timeline.all().len(), timeline.live().count()), (3, 1));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_orders_rows_so_identical_data_gives_identical_files() {
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, small_estate(2), None, |_| {}).await.unwrap();
        let [_, people, events] = export_all(&db).await;
        let people = String::from_utf8(people).unwrap();
        let numbers: Vec<&str> = people.lines().skip(1).map(|l| &l[..7]).collect();
        let mut sorted = numbers.clone();
        sorted.sort();
        assert_eq!(numbers, sorted);
        let ids: BTreeSet<&str> = std::str::from_utf8(&events).unwrap().lines().skip(1).map(|l| &l[..36]).collect();
        assert_eq!(ids.len() as i64, db.count(Table::Events).await.unwrap(), "every event once");
    }
}

/// Runs SQL as someone with direct database access would: round the append-only guard.
async fn behind_the_guard(db: &Db, statements: &[&str]) {
    let mut tx = db.begin_write().await.unwrap();
    match &mut tx {
        throughcare_store::WriteTx::Sqlite(t) => {
            sqlx::query("DROP TRIGGER IF EXISTS audit_is_not_updated").execute(&mut **t).await.unwrap();
            sqlx::query("DROP TRIGGER IF EXISTS audit_is_not_deleted").execute(&mut **t).await.unwrap();
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut **t).await.unwrap();
            }
        }
        throughcare_store::WriteTx::Postgres(t) => {
            sqlx::query("ALTER TABLE audit DISABLE TRIGGER audit_is_not_changed").execute(&mut **t).await.unwrap();
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut **t).await.unwrap();
            }
            sqlx::query("ALTER TABLE audit ENABLE TRIGGER audit_is_not_changed").execute(&mut **t).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_chain_detects_altered_removed_and_reordered_entries() {
    let at = parse_instant("2026-03-01T09:00:00Z").unwrap();
    let cases: [(&[&str], i64, &str); 3] = [
        (&["UPDATE audit SET detail = 'nothing to see' WHERE seq = 3"], 3, "altered"),
        (&["DELETE FROM audit WHERE seq = 2"], 2, "missing"),
        (
            &[
                "UPDATE audit SET seq = 100 WHERE seq = 4",
                "UPDATE audit SET seq = 4 WHERE seq = 6",
                "UPDATE audit SET seq = 6 WHERE seq = 100",
            ],
            4,
            "does not follow",
        ),
    ];
    for (sql, seq, why) in cases {
        for db in every_backend().await {
            let mut tx = db.begin_write().await.unwrap();
            for i in 1..=6 {
                tx.audit(at, "nurse.a", "viewed-person", Some("A1234BC"), &format!("view {i}")).await.unwrap();
            }
            tx.commit().await.unwrap();
            assert_eq!(db.verify_audit().await.unwrap(), Ok(6));
            assert_eq!(db.audit_of("A1234BC").await.unwrap().len(), 6);
            // The guard itself refuses an edit.
            let mut tx = db.begin_write().await.unwrap();
            let refused = match &mut tx {
                throughcare_store::WriteTx::Sqlite(t) => {
                    sqlx::query("DELETE FROM audit").execute(&mut **t).await.is_err()
                }
                throughcare_store::WriteTx::Postgres(t) => {
                    sqlx::query("DELETE FROM audit").execute(&mut **t).await.is_err()
                }
            };
            assert!(refused, "{}: the audit trail is append-only", db.backend());
            drop(tx);
            behind_the_guard(&db, sql).await;
            let err = db.verify_audit().await.unwrap().unwrap_err();
            assert_eq!(err.seq, seq, "{}: {err}", db.backend());
            assert!(err.reason.contains(why), "{}: {err}", db.backend());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reading_every_timeline_for_one_establishment_gives_exactly_the_people_received_there() {
    use throughcare_core::{EstablishmentCode, EventKind};
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, small_estate(13), None, |_| {}).await.unwrap();
        let mut everyone = Vec::new();
        let n =
            db.for_each_timeline(None, |p, t| everyone.push((p.prison_number.clone(), t.all().len()))).await.unwrap();
        assert_eq!(n, 150);
        let aab = EstablishmentCode::parse("AAB").unwrap();
        let mut expected = Vec::new();
        db.for_each_timeline(None, |p, t| {
            let received = t
                .all()
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Reception { establishment, .. } if *establishment == aab));
            if received {
                expected.push((p.prison_number.clone(), t.all().len()));
            }
        })
        .await
        .unwrap();
        let mut got = Vec::new();
        db.for_each_timeline(Some(&aab), |p, t| got.push((p.prison_number.clone(), t.all().len()))).await.unwrap();
        assert!(!got.is_empty() && got.len() < everyone.len(), "{} of {}", got.len(), everyone.len());
        assert_eq!(got, expected, "{}: the same people, each with their whole timeline", db.backend());
        // Each timeline matches reading the person alone.
        for (pn, len) in got.iter().take(5) {
            assert_eq!(db.timeline(pn).await.unwrap().all().len(), *len);
        }
    }
}

/// A screening arrives as answers and is scored on import; a forged score and a pathway step out
/// of order are refused, naming line and column; nothing is written until the whole file passes.
#[tokio::test(flavor = "multi_thread")]
async fn screenings_are_scored_from_their_answers_and_steps_must_come_in_order_on_import() {
    const HEAD: &str =
        "event_id,prison_number,kind,occurred_at,recorded_at,recorded_by,supersedes,correction_reason,details\n";
    const REFERRAL: &str = "00000000-0000-4000-8000-0000000000a1";
    let q = |s: &str| s.replace('"', "\"\"");
    let phq = r#"{"instrument":"PHQ9","answers":{"q1":"3","q2":"3","q3":"0","q4":"0","q5":"0","q6":"0","q7":"0","q8":"0","q9":"1"}}"#;
    let forged = phq.replace(r#""answers""#, r#""total":27,"outcome":"NO_CONCERNS","answers""#);
    let row = |id: &str, kind: &str, at: &str, details: &str| {
        format!("{id},A1234BC,{kind},{at},{at},nurse.lei,,,\"{}\"\n", q(details))
    };
    for db in every_backend().await {
        exchange::import_establishments(&db, &b"code,name,population\nLEI,HMP Leeds,MEN\n"[..]).await.unwrap();
        exchange::import_people(
            &db,
            &b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-01-31,\n"[..],
            now(),
        )
        .await
        .unwrap();
        let engine = Engine::builtin();
        let bad = format!(
            "{HEAD}{}{}{}{}",
            row("00000000-0000-4000-8000-0000000000b1", "screening_completed", "2026-01-06T09:00:00Z", &forged),
            row(
                REFERRAL,
                "referral_made",
                "2026-01-06T10:00:00Z",
                r#"{"service":"HOSPITAL_TRANSFER","priority":"URGENT"}"#
            ),
            row(
                "00000000-0000-4000-8000-0000000000b2",
                "transferred_to_hospital",
                "2026-01-07T10:00:00Z",
                &format!(r#"{{"referral":"{REFERRAL}","section":"S47"}}"#)
            ),
            row(
                "00000000-0000-4000-8000-0000000000b3",
                "referral_accepted",
                "2026-01-07T11:00:00Z",
                &format!(r#"{{"referral":"{REFERRAL}"}}"#)
            ),
        );
        let before = counts(&db).await;
        let errors = rejected(exchange::import_events(&db, bad.as_bytes(), now(), &engine, true).await);
        assert_eq!(errors.len(), 1, "the forged score first, alone: {errors:#?}");
        assert!(
            errors[0].starts_with("line 2, column details: the result does not match its answers"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("\"total\":7"), "{}", errors[0]);
        // With the score left out it is filled in; the steps out of order are then named.
        let bad = bad.replace(&q(&forged), &q(phq));
        let errors = rejected(exchange::import_events(&db, bad.as_bytes(), now(), &engine, true).await);
        assert_eq!(
            errors,
            [
                "line 4, column kind: a transfer to hospital needs the assessments, a bed and a warrant first",
                "line 5, column kind: a transfer to hospital goes by two assessments, a bed, a warrant and the transfer",
            ],
            "{}",
            db.backend()
        );
        assert_eq!(counts(&db).await, before, "nothing written");
        let good: String = bad.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert_eq!(exchange::import_events(&db, good.as_bytes(), now(), &engine, true).await.unwrap(), 2);
        let t = db.timeline(&PrisonNumber::parse("A1234BC").unwrap()).await.unwrap();
        let scored = t.live().find(|e| e.kind.name() == "screening_completed").unwrap().kind.details_value();
        assert_eq!((scored["total"].as_u64(), scored["suicide_risk"].as_bool()), (Some(7), Some(true)));
        let open: Vec<String> = db
            .obligations_of(&PrisonNumber::parse("A1234BC").unwrap())
            .await
            .unwrap()
            .iter()
            .map(|o| o.standard.to_string())
            .collect();
        assert!(
            open.contains(&"suicide-risk-assessment".to_string())
                && open.contains(&"hospital-transfer-28-days".to_string()),
            "{open:?}"
        );
    }
}
