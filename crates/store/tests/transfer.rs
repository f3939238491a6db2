//! A person's record between estates, on both databases: throughcare's file and the FHIR bundle
//! each come back identical after export → import → export; a conflicting or malformed record
//! imports nothing; re-importing adds nothing; and community records flag missed need.

mod common;

use common::{every_backend, now};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_core::transfer::TransferRecord;
use throughcare_core::{Event, EventId, EventKind, NhsNumber, Person, PrisonNumber, StaffRef};
use throughcare_store::obligations::Engine;
use throughcare_store::transfer::{self, Paths, TransferError};
use throughcare_store::{Db, Table};

fn estate() -> Estate {
    Estate::new(EstateSpec { establishments: 3, people: 120, years: 1, seed: 15, end: jiff::civil::date(2026, 3, 31) })
}

/// People in custody at the end of the estate, with everything a record can carry among them.
async fn held(db: &Db) -> Vec<PrisonNumber> {
    let mut out = Vec::new();
    for e in db.establishments().await.unwrap() {
        for (p, _) in db.timelines_in_custody(&e.code).await.unwrap() {
            out.push(p.prison_number);
        }
    }
    out.sort();
    out
}

async fn counts(db: &Db) -> (i64, i64, i64) {
    (
        db.count(Table::People).await.unwrap(),
        db.count(Table::Events).await.unwrap(),
        db.count(Table::Establishments).await.unwrap(),
    )
}

/// Checks bundles with fhir.resources when THROUGHCARE_PYTHON names an interpreter that has it.
fn validate_with_fhir_resources(bundles: &[serde_json::Value]) {
    let Ok(python) = std::env::var("THROUGHCARE_PYTHON") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set THROUGHCARE_PYTHON");
        eprintln!("THROUGHCARE_PYTHON is not set: fhir.resources validation skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = bundles
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let f = dir.path().join(format!("{i}.json"));
            std::fs::write(&f, serde_json::to_string(b).unwrap()).unwrap();
            f.display().to_string()
        })
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/oracles/fhir_validate.py");
    let out = std::process::Command::new(python).arg(script).args(&files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = String::from_utf8(out.stdout).unwrap();
    let bad: Vec<&str> = lines.lines().filter(|l| *l != "ok").collect();
    assert!(bad.is_empty(), "fhir.resources refused {} of {} bundles: {bad:?}", bad.len(), bundles.len());
    assert_eq!(lines.lines().count(), bundles.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn records_and_bundles_round_trip_identically_between_estates_on_both_databases() {
    let engine = Engine::builtin();
    for source in every_backend().await {
        throughcare_store::seed::seed(&source, estate(), Some(std::sync::Arc::new(Engine::builtin())), |_| {})
            .await
            .unwrap();
        let people = held(&source).await;
        assert!(people.len() > 40, "{} people in custody", people.len());
        plant_care(&source, &people[..3]).await;
        let mut bundles = Vec::new();
        let mut carried = std::collections::BTreeSet::new();
        for target in every_backend().await {
            let fhir_target = every_backend().await.into_iter().find(|d| d.backend() == target.backend()).unwrap();
            for pn in &people {
                let record = transfer::export_record(&source, pn, now()).await.unwrap();
                let text = record.to_json();
                let parsed = TransferRecord::parse(&text).unwrap();
                let got = transfer::import_record(&target, &parsed, &engine, now(), "officer.reception", Paths::RECORD)
                    .await
                    .unwrap();
                assert_eq!(got.events_added, record.events.len());
                let again = transfer::export_record(&target, pn, now()).await.unwrap().to_json();
                same_text(&again, &text, &format!("{pn}: {} → {}", source.backend(), target.backend()));
                // Imported twice, nothing more is added.
                let twice =
                    transfer::import_record(&target, &parsed, &engine, now(), "officer.reception", Paths::RECORD)
                        .await
                        .unwrap();
                assert_eq!((twice.events_added, twice.events_known), (0, record.events.len()));

                let bundle = transfer::export_fhir(&source, pn, now()).await.unwrap();
                transfer::import_fhir(&fhir_target, &bundle, &engine, now(), "officer.reception")
                    .await
                    .unwrap_or_else(|e| panic!("{pn}: {e}\n{}", serde_json::to_string_pretty(&bundle).unwrap()));
                let back = transfer::export_fhir(&fhir_target, pn, now()).await.unwrap();
                same_text(
                    &serde_json::to_string_pretty(&back).unwrap(),
                    &serde_json::to_string_pretty(&bundle).unwrap(),
                    pn.as_str(),
                );
                for e in bundle["entry"].as_array().unwrap() {
                    carried.insert(e["resource"]["resourceType"].as_str().unwrap().to_string());
                }
                bundles.push(bundle);
            }
        }
        for rt in [
            "Patient",
            "MedicationStatement",
            "QuestionnaireResponse",
            "Observation",
            "ServiceRequest",
            "EpisodeOfCare",
            "Flag",
            "RelatedPerson",
            "Consent",
            "CarePlan",
        ] {
            assert!(carried.contains(rt), "no {rt} among {} bundles: make the test estate richer", bundles.len());
        }
        validate_with_fhir_resources(&bundles);
    }
}

/// What the synthetic estate does not generate: medicines, an ACCT care plan, release plan notes.
async fn plant_care(db: &Db, people: &[PrisonNumber]) {
    let mut events = Vec::new();
    for (i, pn) in people.iter().enumerate() {
        let n = 100 + 10 * i as u8;
        let p = pn.as_str();
        events.push(event(
            n,
            p,
            "2026-03-02T09:00:00Z",
            "medicine_reported",
            r#"{"name":"Olanzapine","dose":"10mg at night","critical":true,"source":"COMMUNITY_RECORD"}"#,
        ));
        events.push(event(n + 1, p, "2026-03-03T09:00:00Z", "acct_opened", r#"{"concern":"Low after a phone call"}"#));
        let acct = EventId::from_random_bytes([n + 1; 16]);
        events.push(event(n + 2, p, "2026-03-04T09:00:00Z", "acct_care_plan_action", &format!(r#"{{"acct":"{acct}","issue":"Sleep","goal":"Sleep through","action":"See the GP","owner":"healthcare","due":"2026-03-11"}}"#)));
        events.push(event(
            n + 3,
            p,
            "2026-03-06T09:00:00Z",
            "acct_care_plan_action_done",
            &format!(r#"{{"action":"{}"}}"#, EventId::from_random_bytes([n + 2; 16])),
        ));
        events.push(event(
            n + 4,
            p,
            "2026-03-07T09:00:00Z",
            "release_plan_item_noted",
            r#"{"item":"ACCOMMODATION","note":"Council housing team asked"}"#,
        ));
        events.push(event(
            n + 5,
            p,
            "2026-03-08T09:00:00Z",
            "release_plan_item_completed",
            r#"{"item":"ID_DOCUMENTS"}"#,
        ));
    }
    let mut tx = db.begin_write().await.unwrap();
    tx.append_events(&events).await.unwrap();
    tx.commit().await.unwrap();
}

/// Equal texts, or the first lines where they part.
fn same_text(got: &str, want: &str, what: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let i = g.iter().zip(&w).position(|(a, b)| a != b).unwrap_or(g.len().min(w.len()));
    let from = i.saturating_sub(8);
    panic!(
        "{what}: differs at line {i}\ngot:\n{}\nwant:\n{}",
        g[from..(i + 4).min(g.len())].join("\n"),
        w[from..(i + 4).min(w.len())].join("\n")
    );
}

fn person(pn: &str, nhs: Option<&str>) -> Person {
    Person {
        prison_number: PrisonNumber::parse(pn).unwrap(),
        given_name: throughcare_core::person::Name::parse("Dana").unwrap(),
        family_name: throughcare_core::person::Name::parse("Kowalska").unwrap(),
        date_of_birth: "1988-05-17".parse().unwrap(),
        nhs_number: nhs.map(|n| NhsNumber::parse(n).unwrap()),
    }
}

fn event(n: u8, pn: &str, at: &str, kind: &str, details: &str) -> Event {
    let kind = EventKind::parse(kind, details).unwrap();
    Event {
        id: EventId::from_random_bytes([n; 16]),
        person: PrisonNumber::parse(pn).unwrap(),
        occurred_at: at.parse().unwrap(),
        recorded_at: at.parse().unwrap(),
        recorded_by: StaffRef::parse("nurse.ahmed").unwrap(),
        correction: None,
        kind: throughcare_core::instruments::InstrumentSet::builtin_ref().complete(kind).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflicting_or_broken_record_imports_nothing_and_names_each_problem() {
    let engine = Engine::builtin();
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, estate(), Some(std::sync::Arc::new(Engine::builtin())), |_| {})
            .await
            .unwrap();
        let pn = held(&db).await[0].clone();
        let ours = db.person(&pn).await.unwrap().unwrap();
        let mut record = transfer::export_record(&db, &pn, now()).await.unwrap();
        let before = counts(&db).await;
        // Someone else under the same prison number, with one new event that would otherwise land.
        record.person.date_of_birth = ours.date_of_birth.checked_add(jiff::Span::new().days(1)).unwrap();
        record.events.push(event(
            201,
            pn.as_str(),
            "2026-03-31T09:00:00Z",
            "location_changed",
            r#"{"location":"B-2-14"}"#,
        ));
        let Err(TransferError::Rejected(p)) =
            transfer::import_record(&db, &record, &engine, now(), "x", Paths::RECORD).await
        else {
            panic!("a different date of birth must be refused")
        };
        assert!(p.iter().any(|p| p.path == "person.date_of_birth"), "{p:?}");
        assert_eq!(counts(&db).await, before, "{}: nothing written", db.backend());

        // An event already on record with other details, and one answering nothing on record.
        let mut record = transfer::export_record(&db, &pn, now()).await.unwrap();
        let n = record.events.len();
        if let EventKind::Reception { location, .. } = &mut record.events[0].kind {
            *location = Some("Z-9-99".into());
        }
        record.events.push(event(
            202,
            pn.as_str(),
            "2026-03-31T09:00:00Z",
            "referral_accepted",
            &format!(r#"{{"referral":"{}"}}"#, EventId::from_random_bytes([250; 16])),
        ));
        let Err(TransferError::Rejected(p)) =
            transfer::import_record(&db, &record, &engine, now(), "x", Paths::RECORD).await
        else {
            panic!("must be refused")
        };
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"events[0].id"), "{p:?}");
        assert!(paths.contains(&format!("events[{n}].details").as_str()), "{p:?}");
        assert_eq!(counts(&db).await, before, "{}: nothing written", db.backend());

        // A bundle with a broken NHS number is refused before anything is read into the store.
        let mut bundle = transfer::export_fhir(&db, &pn, now()).await.unwrap();
        bundle["entry"][0]["resource"]["birthDate"] = "1800-13-01".into();
        let Err(TransferError::Rejected(p)) = transfer::import_fhir(&db, &bundle, &engine, now(), "x").await else {
            panic!()
        };
        assert_eq!(p[0].path, "Bundle.entry[0].resource.birthDate", "{p:?}");
        assert_eq!(counts(&db).await, before);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn community_records_flag_the_planted_people_and_only_them() {
    let engine = Engine::builtin();
    let clear = r#"{"instrument":"RECEPTION_FIRST_STAGE","answers":{"long_sentence":"no","physical_condition":"no","injuries":"no","medicines":"no","critical_medicine":"none","alcohol":"no","drugs":"no","known_to_services":"no","feeling_low":"no","past_self_harm":"no","thoughts_now":"no","learning_disability":"no","communication":"no","screener_concern":"no"}}"#;
    let low = clear.replace(r#""feeling_low":"no""#, r#""feeling_low":"yes""#);
    let reception = r#"{"establishment":"ESTABLISHMENT","reception_type":"NEW","legal_status":"REMAND"}"#;
    for db in every_backend().await {
        throughcare_store::seed::seed(&db, estate(), Some(std::sync::Arc::new(Engine::builtin())), |_| {})
            .await
            .unwrap();
        let code = db.establishments().await.unwrap()[0].code.to_string();
        let reception = reception.replace("ESTABLISHMENT", &code);
        // Planted: three screened clear (missed need), one screened with concerns, one referred to
        // in-reach after a clear screen, one released after a clear screen, one never screened.
        let planted = [
            ("X1001AA", "9434765803", true),
            ("X1002AA", "9434765811", true),
            ("X1003AA", "9434765838", true),
            ("X1004AA", "9434765846", false),
            ("X1005AA", "9434765854", false),
            ("X1006AA", "9434765862", false),
            ("X1007AA", "9434765870", false),
        ];
        let people: Vec<Person> = planted.iter().map(|(pn, nhs, _)| person(pn, Some(nhs))).collect();
        let mut events = Vec::new();
        for (i, (pn, _, _)) in planted.iter().enumerate() {
            let n = 10 * i as u8;
            events.push(event(n + 1, pn, "2026-03-20T10:00:00Z", "reception", &reception));
            match i {
                0..=2 => events.push(event(n + 2, pn, "2026-03-20T12:00:00Z", "screening_completed", clear)),
                3 => events.push(event(n + 2, pn, "2026-03-20T12:00:00Z", "screening_completed", &low)),
                4 => {
                    events.push(event(n + 2, pn, "2026-03-20T12:00:00Z", "screening_completed", clear));
                    events.push(event(n + 3, pn, "2026-03-25T12:00:00Z", "referral_made", r#"{"service":"IN_REACH"}"#));
                }
                5 => {
                    events.push(event(n + 2, pn, "2026-03-20T12:00:00Z", "screening_completed", clear));
                    events.push(event(n + 3, pn, "2026-03-26T12:00:00Z", "release", r#"{"release_type":"COURT"}"#));
                }
                _ => {}
            }
        }
        let mut tx = db.begin_write().await.unwrap();
        tx.insert_people(&people).await.unwrap();
        tx.append_events(&events).await.unwrap();
        tx.commit().await.unwrap();
        // The file also names people not in custody here and numbers nobody holds.
        let mut csv = String::from("nhs_number,service,known_from,known_until\n");
        for (_, nhs, _) in &planted {
            csv.push_str(&format!("{nhs},Leeds Community Mental Health Team,2024-06-01,\n"));
        }
        csv.push_str("4010232137,Leeds CMHT,2023-01-01,2025-01-01\n");
        let m =
            throughcare_store::community::import(&db, csv.as_bytes(), &engine, now(), "healthcare.lead").await.unwrap();
        let want: Vec<PrisonNumber> =
            planted.iter().filter(|p| p.2).map(|p| PrisonNumber::parse(p.0).unwrap()).collect();
        assert_eq!(m.flagged, want, "{}", db.backend());
        assert_eq!(m.in_custody.len(), 6, "everyone planted but the released");
        for (pn, _, missed) in &planted {
            let obs = db.obligations_of(&PrisonNumber::parse(pn).unwrap()).await.unwrap();
            let rescreen = obs.iter().any(|o| o.standard.as_str() == "missed-need-rescreen");
            assert_eq!(rescreen, *missed, "{pn}");
        }
        // The same file again matches nothing new.
        let again =
            throughcare_store::community::import(&db, csv.as_bytes(), &engine, now(), "healthcare.lead").await.unwrap();
        assert_eq!((again.flagged.len(), again.already), (0, 6));
        // A bad file names its rows and columns and records nothing.
        let before = counts(&db).await;
        let bad = "nhs_number,service,known_from,known_until\n9434765871,CMHT,2024-06-01,\n9434765803,,2024-13-01,\n9434765803,CMHT,2024-06-01,2023-01-01\n";
        let err = throughcare_store::community::import(&db, bad.as_bytes(), &engine, now(), "healthcare.lead")
            .await
            .unwrap_err()
            .to_string();
        for want in [
            "line 2, column nhs_number",
            "line 3, column service",
            "line 3, column known_from",
            "line 4, column known_until",
        ] {
            assert!(err.contains(want), "{want} in {err}");
        }
        assert_eq!(counts(&db).await, before);
    }
}
