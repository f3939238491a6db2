//! Dates from outside, on both databases: impossible dates are refused naming line and column,
//! nothing is written, nothing panics, and no event makes the engine roll work into the far future.

mod common;

use common::{every_backend, now};
use proptest::prelude::*;
use throughcare_store::Db;
use throughcare_store::exchange::{self, ImportError};
use throughcare_store::obligations::Engine;

const HEAD: &str =
    "event_id,prison_number,kind,occurred_at,recorded_at,recorded_by,supersedes,correction_reason,details\n";
const RECEPTION: &str = r#""{""establishment"":""LEI"",""reception_type"":""NEW"",""legal_status"":""SENTENCED""}""#;
const KEY_WORKER: &str = r#""{""key_worker"":""kw.lei.1""}""#;
const GYM: &str = r#""{""activity"":""GYM"",""minutes"":60}""#;

fn row(n: u32, kind: &str, occurred: &str, recorded: &str, details: &str) -> String {
    format!("00000000-0000-4000-8000-{n:012x},A1234BC,{kind},{occurred},{recorded},officer,,,{details}\n")
}

async fn export_all(db: &Db) -> Vec<u8> {
    let mut out = Vec::new();
    exchange::export_establishments(db, &mut out).await.unwrap();
    exchange::export_people(db, &mut out).await.unwrap();
    exchange::export_events(db, &mut out).await.unwrap();
    let obligations = db.obligations_of(&"A1234BC".parse().unwrap()).await.unwrap();
    out.extend(format!("{obligations:?}").bytes());
    out
}

/// One establishment, one person in custody at LEI with a key worker, obligations maintained.
async fn prison(db: &Db, engine: &Engine) {
    exchange::import_establishments(db, &b"code,name,population\nLEI,HMP Leeds,MEN\n"[..]).await.unwrap();
    exchange::import_people(
        db,
        &b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1990-01-31,\n"[..],
        now(),
    )
    .await
    .unwrap();
    let file = format!(
        "{HEAD}{}{}",
        row(1, "reception", "2026-03-02T18:00:00Z", "2026-03-02T18:30:00Z", RECEPTION),
        row(2, "key_worker_allocated", "2026-03-03T10:00:00Z", "2026-03-03T10:00:00Z", KEY_WORKER)
    );
    exchange::import_events(db, file.as_bytes(), now(), engine, true).await.unwrap();
}

fn rejected(r: Result<usize, ImportError>) -> Vec<String> {
    match r {
        Err(ImportError::Rejected(rows)) => rows.iter().map(ToString::to_string).collect(),
        other => panic!("expected the file to be rejected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn impossible_dates_are_refused_naming_line_and_column_and_nothing_changes() {
    let engine = Engine::builtin();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "an event in the year 9999 (it used to panic)",
            row(10, "activity_attended", "9999-12-30T00:00:00Z", "9999-12-30T00:00:00Z", GYM),
            "line 2, column occurred_at: occurred_at 9999-12-30T00:00:00Z is later than now (2026-04-01T12:00:00Z)",
        ),
        (
            "an activity in the year 3000 (it used to roll weekly key work forward to it)",
            row(11, "activity_attended", "3000-01-01T10:00:00Z", "3000-01-01T10:00:00Z", GYM),
            "line 2, column occurred_at: occurred_at 3000-01-01T10:00:00Z is later than now",
        ),
        (
            "an event in 2030",
            row(12, "activity_attended", "2030-06-01T10:00:00Z", "2030-06-01T10:00:00Z", GYM),
            "line 2, column occurred_at: occurred_at 2030-06-01T10:00:00Z is later than now",
        ),
        (
            "recorded in 2099",
            row(13, "activity_attended", "2026-03-10T10:00:00Z", "2099-01-01T00:00:00Z", GYM),
            "line 2, column recorded_at: recorded_at 2099-01-01T00:00:00Z is later than now",
        ),
        (
            "an event on 1 January in year 1",
            row(14, "activity_attended", "0001-01-01T00:00:00Z", "2026-03-10T10:00:00Z", GYM),
            "line 2, column occurred_at: occurred_at 0001-01-01T00:00:00Z is before 1 January 1970",
        ),
        (
            "an expected release in 9999",
            row(
                15,
                "legal_status_changed",
                "2026-03-10T10:00:00Z",
                "2026-03-10T10:00:00Z",
                r#""{""legal_status"":""SENTENCED"",""expected_release"":""9999-12-30""}""#,
            ),
            "line 2, column details: expected_release 9999-12-30 is more than 100 years after the event",
        ),
    ];
    for db in every_backend().await {
        prison(&db, &engine).await;
        let before = export_all(&db).await;
        for (what, bad, expected) in &cases {
            // A good row first: all-or-nothing means it is not written either.
            let file = format!(
                "{HEAD}{bad}{}",
                row(99, "activity_attended", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", GYM)
            );
            let errors = rejected(exchange::import_events(&db, file.as_bytes(), now(), &engine, true).await);
            assert_eq!(errors.len(), 1, "{what}: {errors:?}");
            assert!(
                errors[0].starts_with(expected),
                "{what} on {}:\n got  {}\n want {expected}",
                db.backend(),
                errors[0]
            );
            assert!(export_all(&db).await == before, "{what}: the database changed on {}", db.backend());
        }
        let people = b"prison_number,given_name,family_name,date_of_birth,nhs_number\nB1234BC,Bo,Ng,2090-01-01,\nC1234BC,Cy,Ode,1899-01-01,\n";
        assert_eq!(
            rejected(exchange::import_people(&db, &people[..], now()).await),
            [
                "line 2, column date_of_birth: date of birth 2090-01-01 is in the future",
                "line 3, column date_of_birth: date of birth 1899-01-01 would make the person older than 120"
            ]
        );
        assert!(export_all(&db).await == before, "people refused on {}", db.backend());

        // Backdating stays possible: an event from 1990 recorded today is accepted.
        let old =
            format!("{HEAD}{}", row(20, "activity_attended", "1990-05-01T10:00:00Z", "2026-04-01T12:04:00Z", GYM));
        assert_eq!(exchange::import_events(&db, old.as_bytes(), now(), &engine, true).await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permitted_long_series_is_rolled_only_to_now() {
    let engine = Engine::builtin();
    for db in every_backend().await {
        exchange::import_establishments(&db, &b"code,name,population\nLEI,HMP Leeds,MEN\n"[..]).await.unwrap();
        exchange::import_people(
            &db,
            &b"prison_number,given_name,family_name,date_of_birth,nhs_number\nA1234BC,Ann,Lee,1950-01-31,\n"[..],
            now(),
        )
        .await
        .unwrap();
        // Received in 1970 and never released, expected out in 2100: fifty-six years of weekly key work.
        let file = format!(
            "{HEAD}{}{}",
            row(
                1,
                "reception",
                "1970-01-05T18:00:00Z",
                "1970-01-05T18:30:00Z",
                r#""{""establishment"":""LEI"",""reception_type"":""NEW"",""legal_status"":""SENTENCED"",""expected_release"":""2069-12-31""}""#
            ),
            row(2, "key_worker_allocated", "1970-01-07T10:00:00Z", "1970-01-07T10:00:00Z", KEY_WORKER)
        );
        exchange::import_events(&db, file.as_bytes(), now(), &engine, true).await.unwrap();
        let obligations = db.obligations_of(&"A1234BC".parse().unwrap()).await.unwrap();
        let weekly: Vec<_> = obligations.iter().filter(|o| o.standard.as_str() == "key-work-weekly").collect();
        let weeks = (now() - "1970-01-07T10:00:00Z".parse::<jiff::Timestamp>().unwrap()).as_hours() / (24 * 7);
        assert!((weeks..=weeks + 1).contains(&(weekly.len() as i64)), "{} periods, {weeks} weeks", weekly.len());
        let last = weekly.iter().map(|o| o.due_at).max().unwrap();
        assert!(last <= now() + jiff::SignedDuration::from_hours(24 * 7), "rolled to {last}, past now plus a week");
    }
}

/// Instants anywhere in RFC 3339's range and beyond what the calendar holds.
fn instant_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-009999-01-02T01:59:59Z".to_string()),
        Just("9999-12-30T22:00:00Z".to_string()),
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        (1i32..=9999, 1u8..=12, 1u8..=31, 0u8..=23)
            .prop_map(|(y, m, d, h)| format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00Z")),
        (1960i32..=2030, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}T09:00:00Z")),
    ]
}

/// A pair that keeps the rule (1970 to 2025, recorded after it happened), so files are accepted too.
fn valid_pair() -> impl Strategy<Value = (String, String)> {
    (1970i32..=2025, 1u8..=12, 1u8..=28)
        .prop_map(|(y, m, d)| (format!("{y:04}-{m:02}-{d:02}T09:00:00Z"), format!("{y:04}-{m:02}-{d:02}T10:00:00Z")))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random instants through the whole import with the engine on: never a panic; either the
    /// file is refused with nothing written, or it is accepted and the work stays bounded.
    #[test]
    fn random_instants_through_import_never_panic_and_work_stays_bounded(
        times in proptest::collection::vec(prop_oneof![(instant_text(), instant_text()), valid_pair(), valid_pair()], 1..5),
        release in (1i32..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
    ) {
        runtime().block_on(async {
            let engine = Engine::builtin();
            let db = common::sqlite().await;
            prison(&db, &engine).await;
            let before = export_all(&db).await;
            let mut file = HEAD.to_string();
            for (n, (occurred, recorded)) in times.iter().enumerate() {
                let details = match n % 3 {
                    0 => GYM.to_string(),
                    1 => format!(r#""{{""legal_status"":""SENTENCED"",""expected_release"":""{release}""}}""#),
                    _ => KEY_WORKER.to_string(),
                };
                let kind = ["activity_attended", "legal_status_changed", "key_worker_allocated"][n % 3];
                file.push_str(&row(100 + n as u32, kind, occurred, recorded, &details));
            }
            match exchange::import_events(&db, file.as_bytes(), now(), &engine, true).await {
                Err(ImportError::Rejected(_)) => prop_assert!(export_all(&db).await == before),
                Err(e) => prop_assert!(false, "not a refusal: {e}"),
                Ok(_) => {
                    // Accepted times lie between 1970 and now; one weekly series per event at most,
                    // each rolled no further than now, and a handful of one-off standards per event.
                    let earliest = times.iter().filter_map(|(o, _)| o.parse::<jiff::Timestamp>().ok()).min().unwrap();
                    prop_assert!(earliest >= jiff::Timestamp::UNIX_EPOCH && earliest <= now());
                    let weeks = (now() - earliest).as_hours() / (24 * 7) + 2;
                    let events = times.len() as i64 + 2;
                    let n = db.obligations_of(&"A1234BC".parse().unwrap()).await.unwrap();
                    prop_assert!((n.len() as i64) <= events * (weeks + 20), "{} obligations", n.len());
                    prop_assert!(
                        n.iter()
                            .filter(|o| o.standard.as_str() == "key-work-weekly")
                            .all(|o| o.due_at <= now() + jiff::SignedDuration::from_hours(24 * 7))
                    );
                }
            }
            Ok(())
        })?;
    }
}
