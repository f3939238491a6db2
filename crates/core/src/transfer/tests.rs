//! The lossless record: a file read back is the same record, and a bad one is refused whole.

use super::*;
use crate::timeline::Timeline;

pub(crate) fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub(crate) fn ev(n: u8, occurred: &str, kind: &str, details: &str) -> Event {
    Event {
        id: EventId::from_random_bytes([n; 16]),
        person: PrisonNumber::parse("A1234BC").unwrap(),
        occurred_at: at(occurred),
        recorded_at: at(occurred),
        recorded_by: StaffRef::parse("nurse.ahmed").unwrap(),
        correction: None,
        kind: EventKind::parse(kind, details).unwrap(),
    }
}

pub(crate) fn id(n: u8) -> String {
    EventId::from_random_bytes([n; 16]).to_string()
}

pub(crate) fn person() -> Person {
    Person {
        prison_number: PrisonNumber::parse("A1234BC").unwrap(),
        given_name: Name::parse("Mary").unwrap(),
        family_name: Name::parse("O'Brien").unwrap(),
        date_of_birth: "1990-04-02".parse().unwrap(),
        nhs_number: Some(NhsNumber::parse("9434765919").unwrap()),
    }
}

/// A woman with an open ACCT and its care plan, medicines, screenings, referrals, family of
/// choice and a release plan under way: everything a transfer carries.
pub(crate) fn timeline() -> Timeline {
    let phq9 = r#"{"instrument":"PHQ9","answers":{"q1":"2","q2":"2","q3":"1","q4":"1","q5":"0","q6":"1","q7":"0","q8":"0","q9":"0"}}"#;
    let phq9 = crate::instruments::InstrumentSet::builtin_ref()
        .complete(EventKind::parse("screening_completed", phq9).unwrap())
        .unwrap()
        .details_json();
    Timeline::new(vec![
        ev(
            1,
            "2026-11-02T09:00:00Z",
            "reception",
            r#"{"establishment":"AAB","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"2027-06-30"}"#,
        ),
        ev(2, "2026-11-02T09:10:00Z", "characteristic_declared", r#"{"characteristic":"ethnicity","value":"W3"}"#),
        ev(
            3,
            "2026-11-02T09:11:00Z",
            "characteristic_declared",
            r#"{"characteristic":"religion","value":"CHRISTIAN","detail":"Catholic"}"#,
        ),
        ev(4, "2026-11-02T09:12:00Z", "characteristic_declared", r#"{"characteristic":"sex","value":"F"}"#),
        ev(
            5,
            "2026-11-02T09:13:00Z",
            "communication_recorded",
            r#"{"formats":["EASY_READ","VERBAL"],"language":"en","interpreter":false,"literacy_support":true}"#,
        ),
        ev(
            6,
            "2026-11-02T09:20:00Z",
            "family_contact_named",
            r#"{"name":"Bridget O'Brien","relationship":"my mam","involvement":"CONSENTS","told_of_transfer":true,"birthday":"1962-08-14"}"#,
        ),
        ev(
            7,
            "2026-11-02T09:30:00Z",
            "medicine_reported",
            r#"{"name":"Sertraline","dose":"100mg once a day","critical":true,"source":"COMMUNITY_RECORD"}"#,
        ),
        ev(8, "2026-11-02T10:00:00Z", "screening_completed", &phq9),
        ev(
            9,
            "2026-11-02T10:05:00Z",
            "referral_made",
            r#"{"service":"IN_REACH","priority":"URGENT","reason":"Low mood, history of self-harm"}"#,
        ),
        ev(10, "2026-11-03T10:00:00Z", "referral_accepted", &format!(r#"{{"referral":"{}"}}"#, id(9))),
        ev(11, "2026-11-04T12:00:00Z", "acct_opened", r#"{"concern":"Said she would hurt herself"}"#),
        ev(
            12,
            "2026-11-05T12:00:00Z",
            "acct_care_plan_action",
            &format!(
                r#"{{"acct":"{}","issue":"Isolation","goal":"Phone her mam","action":"Arrange a call","owner":"key worker","due":"2026-11-10"}}"#,
                id(11)
            ),
        ),
        ev(13, "2026-11-06T12:00:00Z", "acct_care_plan_action_done", &format!(r#"{{"action":"{}"}}"#, id(12))),
        ev(
            14,
            "2026-11-10T12:00:00Z",
            "release_plan_item_noted",
            r#"{"item":"ACCOMMODATION","note":"Approved premises asked"}"#,
        ),
        ev(15, "2026-11-11T12:00:00Z", "release_plan_item_completed", r#"{"item":"ID_DOCUMENTS"}"#),
        ev(16, "2026-11-12T12:00:00Z", "referral_made", r#"{"service":"COUNSELLING","self_referral":true}"#),
    ])
}

fn record() -> TransferRecord {
    TransferRecord {
        exported_at: at("2026-12-01T08:00:00Z"),
        person: person(),
        establishments: vec![Establishment {
            code: EstablishmentCode::parse("AAB").unwrap(),
            name: Name::parse("HMP Aabury").unwrap(),
            population: Population::Women,
        }],
        events: timeline().all().to_vec(),
    }
}

#[test]
fn a_record_read_back_is_the_same_record_and_the_same_file() {
    let r = record();
    let text = r.to_json();
    let back = TransferRecord::parse(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.to_json(), text);
}

#[test]
fn a_bad_record_is_refused_naming_every_problem() {
    let mut v: serde_json::Value = serde_json::from_str(&record().to_json()).unwrap();
    v["person"]["nhs_number"] = "9434765918".into();
    v["events"][2]["details"]["value"] = "ZZ".into();
    v["events"][4]["id"] = v["events"][3]["id"].clone();
    v["establishments"] = serde_json::json!([]);
    let problems = TransferRecord::parse(&v.to_string()).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"person.nhs_number"), "{problems:?}");
    assert!(paths.contains(&"events[2].details"), "{problems:?}");
    assert!(paths.contains(&"events[4].id"), "{problems:?}");
    assert!(paths.contains(&"events[0].details"), "the reception names AAB, no longer carried: {problems:?}");
}

#[test]
fn identity_is_the_same_person_or_every_difference_is_named() {
    let ours = person();
    let mut theirs = person();
    assert!(identity_conflicts(&ours, &theirs, "person").is_empty());
    theirs.given_name = Name::parse("MARY").unwrap();
    assert!(identity_conflicts(&ours, &theirs, "person").is_empty(), "case is not a different person");
    theirs.date_of_birth = "1990-04-03".parse().unwrap();
    theirs.nhs_number = Some(NhsNumber::parse("4010232137").unwrap());
    let c = identity_conflicts(&ours, &theirs, "person");
    assert_eq!(c.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["person.date_of_birth", "person.nhs_number"]);
}
