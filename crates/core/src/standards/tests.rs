//! Each shipped standard, with fixed dates: met on time, met late, breached, not applicable, recurrence.

use jiff::Timestamp;

use super::engine::{Context, Obligation, compliance, obligations};
use super::{StandardSet, builtin_files, calendar::Calendar};
use crate::event::{Correction, Event, EventKind};
use crate::ids::{EventId, PrisonNumber, StaffRef};
use crate::person::{Name, Person, Population};
use crate::timeline::Timeline;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn id(n: usize) -> EventId {
    EventId::from_random_bytes([n as u8 + 1; 16])
}

fn person() -> Person {
    Person {
        prison_number: PrisonNumber::parse("A1234BC").unwrap(),
        given_name: Name::parse("Ann").unwrap(),
        family_name: Name::parse("Lee").unwrap(),
        date_of_birth: jiff::civil::date(1990, 1, 31),
        nhs_number: None,
    }
}

/// Events in the order given, the n-th with id `id(n)`; `ctx` knows LEI holds men and NHI women.
fn run(events: &[(&str, &str, &str)], horizon: &str) -> Vec<Obligation> {
    let events = events
        .iter()
        .enumerate()
        .map(|(n, (when, kind, details))| Event {
            id: id(n),
            person: person().prison_number,
            occurred_at: at(when),
            recorded_at: at(when),
            recorded_by: StaffRef::parse("staff").unwrap(),
            correction: None,
            kind: parse(kind, details),
        })
        .collect();
    let calendar = Calendar::england_and_wales();
    let population =
        |c: &crate::ids::EstablishmentCode| Some(if c.as_str() == "NHI" { Population::Women } else { Population::Men });
    let ctx = Context { calendar: &calendar, population: &population };
    obligations(&person(), &Timeline::new(events), &StandardSet::builtin(), &ctx, at(horizon))
}

/// An event kind from its details; a screening gives its answers only, and the shipped
/// instrument scores them, as the pages and imports do.
fn parse(kind: &str, details: &str) -> EventKind {
    let k = EventKind::parse(kind, details).unwrap_or_else(|e| panic!("{kind}: {e}"));
    crate::instruments::InstrumentSet::builtin_ref().complete(k).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn outcomes(obs: &[Obligation], standard: &str) -> Vec<&'static str> {
    obs.iter().filter(|o| o.standard.as_str() == standard).map(|o| o.outcome.code()).collect()
}

const RECEPTION: &str =
    r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"2026-12-31"}"#;
const RECEPTION_NHI: &str =
    r#"{"establishment":"NHI","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"2026-12-31"}"#;
const FIRST_SCREEN: &str = r#"{"instrument":"RECEPTION_FIRST_STAGE","answers":{"long_sentence":"no","physical_condition":"no","injuries":"no","medicines":"no","critical_medicine":"none","alcohol":"no","drugs":"no","known_to_services":"no","feeling_low":"no","past_self_harm":"no","thoughts_now":"no","learning_disability":"no","communication":"no","screener_concern":"no"}}"#;
const CRITICAL_SCREEN: &str = r#"{"instrument":"RECEPTION_FIRST_STAGE","answers":{"long_sentence":"no","physical_condition":"no","injuries":"no","medicines":"yes","critical_medicine":"yes","alcohol":"no","drugs":"no","known_to_services":"no","feeling_low":"yes","past_self_harm":"no","thoughts_now":"no","learning_disability":"no","communication":"no","screener_concern":"no"}}"#;
/// PHQ-9 with a total of 14 and question 9 at 1.
const PHQ9_14_Q9: &str = r#"{"instrument":"PHQ9","answers":{"q1":"3","q2":"3","q3":"3","q4":"3","q5":"1","q6":"0","q7":"0","q8":"0","q9":"1"}}"#;
/// PHQ-9 with a total of 3 and question 9 at 0.
const PHQ9_3: &str = r#"{"instrument":"PHQ9","answers":{"q1":"3","q2":"0","q3":"0","q4":"0","q5":"0","q6":"0","q7":"0","q8":"0","q9":"0"}}"#;
/// PHQ-9 with a total of 16 and question 9 at 2.
const PHQ9_16_Q9: &str = r#"{"instrument":"PHQ9","answers":{"q1":"3","q2":"3","q3":"3","q4":"3","q5":"2","q6":"0","q7":"0","q8":"0","q9":"2"}}"#;
const SUICIDE_RISK: &str = r#"{"instrument":"SUICIDE_RISK","answers":{"thoughts":"yes","plans":"no","previous":"no","protective":"yes","judgement":"raised"}}"#;
const RELEASE: &str = r#"{"release_type":"CONDITIONAL"}"#;

#[test]
fn the_shipped_standards_load_and_cover_the_domain_table() {
    let set = StandardSet::builtin();
    for id in [
        "first-night-screen",
        "second-stage-assessment",
        "mental-health-rescreen",
        "critical-medication",
        "suicide-risk-assessment",
        "key-worker-allocation",
        "key-work-weekly",
        "key-work-bereavement-check-in",
        "mbu-booklet",
        "mbu-officer-visit",
        "mbu-additional-visit",
        "mbu-support-after-refusal",
        "hospital-transfer-14-days",
        "hospital-assessment-14-days",
        "hospital-transfer-28-days",
        "hospital-transfer-second-stage",
        "referral-emergency-24-hours",
        "referral-very-urgent-3-days",
        "referral-urgent-7-days",
        "referral-routine-28-days",
        "critical-medicine-first-dose",
        "medicine-confirmed-7-days",
        "medicines-reconciliation",
        "acct-assessment-24-hours",
        "acct-first-review-24-hours",
        "acct-review-by-date-set",
        "acct-care-plan-action",
        "acct-review-after-trigger",
        "acct-review-on-arrival",
        "acct-post-closure-review",
        "consider-acct-after-self-harm",
        "acct-observation-after-review",
        "acct-observation-gap",
        "release-accommodation",
        "release-gp-registration",
        "release-medication",
        "community-mental-health-handover",
        "request-diet-3-days",
        "request-first-night-24-hours",
        "self-referral-triaged",
        "induction-pack-understood",
        "complaint-acknowledged-3-days",
        "complaint-investigated-28-days",
        "complaint-response-14-days",
        "complaint-appeal-28-days",
        "transfer-arrival-healthcare-review",
        "transfer-arrival-acct-review",
        "family-told-of-transfer",
        "community-handover-referred",
        "release-id-documents",
        "release-bank-and-benefits",
        "release-social-care",
        "release-family-support",
        "missed-need-rescreen",
    ] {
        let s = set.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(!s.source.is_empty());
    }
    assert_eq!(set.len(), 62);
}

#[test]
fn requests_are_answered_by_category_and_first_night_first() {
    // Monday 2 March 2026, 9am: a diet request is due by the end of Thursday 5 March.
    let diet = r#"{"category":"DIET","confidential":false,"from_kiosk":true}"#;
    let answered = format!(r#"{{"request":"{}","outcome":"GRANTED"}}"#, id(1));
    let ev = |when: &'static str| {
        vec![
            ("2026-03-01T18:00:00Z", "reception", RECEPTION),
            ("2026-03-02T09:00:00Z", "request_raised", diet),
            (when, "request_answered", answered.as_str()),
        ]
    };
    let obs = run(&ev("2026-03-05T20:00:00Z"), "2026-03-20T00:00:00Z");
    assert_eq!(outcomes(&obs, "request-diet-3-days"), ["met_on_time"]);
    assert!(outcomes(&obs, "request-first-night-24-hours").is_empty());
    assert_eq!(
        outcomes(&run(&ev("2026-03-06T09:00:00Z"), "2026-03-20T00:00:00Z"), "request-diet-3-days"),
        ["met_late"]
    );
    // The first night: 24 hours, and the category's own week does not also open.
    let first = r#"{"category":"FAITH","confidential":false,"first_night":true}"#;
    let obs = run(
        &[("2026-03-01T18:00:00Z", "reception", RECEPTION), ("2026-03-01T20:00:00Z", "request_raised", first)],
        "2026-03-20T00:00:00Z",
    );
    assert_eq!(outcomes(&obs, "request-first-night-24-hours"), ["open"]);
    assert!(outcomes(&obs, "request-faith-7-days").is_empty());
}

#[test]
fn a_self_referral_is_triaged_by_the_next_working_day() {
    // Thursday 24 December 2026: Christmas, the weekend and Boxing Day (substitute Monday 28th)
    // pass, so it is due by the end of Tuesday 29 December.
    let refer = r#"{"service":"PRIMARY_MENTAL_HEALTH","priority":"ROUTINE","self_referral":true}"#;
    let triaged = format!(r#"{{"referral":"{}"}}"#, id(1));
    let ev = |when: &'static str| {
        vec![
            ("2026-12-20T18:00:00Z", "reception", RECEPTION),
            ("2026-12-24T10:00:00Z", "referral_made", refer),
            (when, "referral_triaged", triaged.as_str()),
        ]
    };
    let on_time = run(&ev("2026-12-29T16:00:00Z"), "2027-01-20T00:00:00Z");
    assert_eq!(outcomes(&on_time, "self-referral-triaged"), ["met_on_time"]);
    let late = run(&ev("2026-12-30T09:00:00Z"), "2027-01-20T00:00:00Z");
    assert_eq!(outcomes(&late, "self-referral-triaged"), ["met_late"]);
    // A referral made by staff is not a self-referral.
    let staff = r#"{"service":"PRIMARY_MENTAL_HEALTH","priority":"ROUTINE"}"#;
    let obs = run(
        &[("2026-12-20T18:00:00Z", "reception", RECEPTION), ("2026-12-24T10:00:00Z", "referral_made", staff)],
        "2027-01-20T00:00:00Z",
    );
    assert!(outcomes(&obs, "self-referral-triaged").is_empty());
}

#[test]
fn the_induction_pack_counts_only_when_understanding_is_checked() {
    let given = |understood: &str| {
        format!(r#"{{"item":"induction","format":"EASY_READ","language":"cy","understood":"{understood}"}}"#)
    };
    let no = given("NO");
    let yes = given("PARTLY");
    let obs = run(
        &[
            ("2026-03-02T10:00:00Z", "reception", RECEPTION),
            ("2026-03-03T10:00:00Z", "information_given", no.as_str()),
            ("2026-03-05T10:00:00Z", "information_given", yes.as_str()),
        ],
        "2026-03-20T00:00:00Z",
    );
    // Reception Monday 2 March: due by the end of Thursday 5 March; "not understood" does not count.
    assert_eq!(outcomes(&obs, "induction-pack-understood"), ["met_on_time"]);
    let obs = run(
        &[("2026-03-02T10:00:00Z", "reception", RECEPTION), ("2026-03-03T10:00:00Z", "information_given", no.as_str())],
        "2026-03-20T00:00:00Z",
    );
    assert_eq!(outcomes(&obs, "induction-pack-understood"), ["open"]);
}

#[test]
fn first_night_screen() {
    let on_time = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-05T19:30:00Z", "screening_completed", FIRST_SCREEN),
        ],
        "2026-01-10T00:00:00Z",
    );
    assert_eq!(outcomes(&on_time, "first-night-screen"), ["met_on_time"]);
    let late = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T09:00:00Z", "screening_completed", FIRST_SCREEN),
        ],
        "2026-01-10T00:00:00Z",
    );
    assert_eq!(outcomes(&late, "first-night-screen"), ["met_late"]);
    let missed = run(&[("2026-01-05T18:00:00Z", "reception", RECEPTION)], "2026-01-10T00:00:00Z");
    assert_eq!(outcomes(&missed, "first-night-screen"), ["open"]);
    assert!(
        missed
            .iter()
            .find(|o| o.standard.as_str() == "first-night-screen")
            .unwrap()
            .is_overdue(at("2026-01-06T00:00:00Z"))
    );
    let released = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-05T20:00:00Z", "release", r#"{"release_type":"COURT"}"#),
        ],
        "2026-01-10T00:00:00Z",
    );
    assert_eq!(outcomes(&released, "first-night-screen"), ["not_applicable"]);
}

#[test]
fn second_stage_assessment_within_seven_days_also_on_transfer_in() {
    let ev = |when: &'static str| {
        [("2026-01-05T18:00:00Z", "reception", RECEPTION), (when, "health_assessment_completed", "")]
    };
    // Reception on Monday 5 January: due by the end of Monday 12 January.
    assert_eq!(
        outcomes(&run(&ev("2026-01-12T22:00:00Z"), "2026-02-01T00:00:00Z"), "second-stage-assessment"),
        ["met_on_time"]
    );
    assert_eq!(
        outcomes(&run(&ev("2026-01-13T08:00:00Z"), "2026-02-01T00:00:00Z"), "second-stage-assessment"),
        ["met_late"]
    );
    let released = run(
        &[("2026-01-05T18:00:00Z", "reception", RECEPTION), ("2026-01-08T10:00:00Z", "release", RELEASE)],
        "2026-02-01T00:00:00Z",
    );
    assert_eq!(
        outcomes(&released, "second-stage-assessment"),
        ["not_applicable"],
        "stays of 7 days or less are not counted"
    );
    let transferred = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T10:00:00Z", "health_assessment_completed", ""),
            ("2026-01-20T09:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
            (
                "2026-01-20T15:00:00Z",
                "reception",
                r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
            ),
        ],
        "2026-02-01T00:00:00Z",
    );
    assert_eq!(
        outcomes(&transferred, "second-stage-assessment"),
        ["met_on_time", "open"],
        "a new assessment is due on transfer in"
    );
    let breached = run(
        &[("2026-01-05T18:00:00Z", "reception", RECEPTION), ("2026-01-20T09:00:00Z", "release", RELEASE)],
        "2026-02-01T00:00:00Z",
    );
    assert_eq!(outcomes(&breached, "second-stage-assessment"), ["unmet"]);
}

#[test]
fn rescreen_medication_and_suicide_risk() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-05T19:00:00Z", "screening_completed", CRITICAL_SCREEN),
            ("2026-01-05T21:00:00Z", "medication_given", r#"{"critical":true}"#),
            ("2026-01-20T10:00:00Z", "screening_completed", PHQ9_14_Q9),
            ("2026-01-21T10:00:00Z", "screening_completed", SUICIDE_RISK),
            ("2026-03-01T10:00:00Z", "screening_completed", PHQ9_3),
        ],
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "critical-medication"), ["met_on_time"]);
    assert_eq!(
        outcomes(&r, "suicide-risk-assessment"),
        ["met_late"],
        "item 9 above 0 needs same-day assessment; item 9 of 0 needs none"
    );
    assert_eq!(outcomes(&r, "mental-health-rescreen"), ["met_on_time"]);
    let none = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-05T19:00:00Z", "screening_completed", FIRST_SCREEN),
        ],
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(outcomes(&none, "critical-medication"), Vec::<&str>::new());
    assert_eq!(outcomes(&none, "mental-health-rescreen"), ["open"]);
}

#[test]
fn key_worker_allocation_and_weekly_sessions_recur_until_release() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
            // Week 1 (7-14 Jan): 45 minutes. Week 2: only 30 minutes. Week 3: nothing. Week 4: 50 minutes.
            ("2026-01-09T10:00:00Z", "key_work_session", r#"{"key_worker":"kw.1","minutes":45}"#),
            ("2026-01-15T10:00:00Z", "key_work_session", r#"{"key_worker":"kw.1","minutes":30}"#),
            ("2026-01-29T10:00:00Z", "key_work_session", r#"{"key_worker":"kw.1","minutes":50}"#),
            ("2026-02-06T10:00:00Z", "release", RELEASE),
        ],
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "key-worker-allocation"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "key-work-weekly"), ["met_on_time", "unmet", "unmet", "met_on_time", "not_applicable"]);
    let weekly: Vec<_> = r.iter().filter(|o| o.standard.as_str() == "key-work-weekly").collect();
    assert_eq!(weekly.iter().map(|o| o.period).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(weekly[1].opened_at, at("2026-01-14T10:00:00Z"));

    // A bereavement asks for a check-in within 2 days: any session meets it, at the end of the day.
    let bereaved = |session_on: &str| {
        run(
            &[
                ("2026-01-05T18:00:00Z", "reception", RECEPTION),
                ("2026-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
                ("2026-01-12T09:00:00Z", "bereavement_recorded", r#"{"relationship":"my nan","died_on":"2026-01-11"}"#),
                (session_on, "key_work_session", r#"{"key_worker":"kw.1","minutes":20}"#),
            ],
            "2026-01-20T00:00:00Z",
        )
    };
    assert_eq!(outcomes(&bereaved("2026-01-14T23:00:00Z"), "key-work-bereavement-check-in"), ["met_on_time"]);
    assert_eq!(outcomes(&bereaved("2026-01-15T09:00:00Z"), "key-work-bereavement-check-in"), ["met_late"]);

    // The 45 minutes are a floor: a week of 44 minutes is unmet, one of 45 is met.
    for (minutes, expect) in [(44, "unmet"), (45, "met_on_time")] {
        let session = format!(r#"{{"key_worker":"kw.1","minutes":{minutes}}}"#);
        let r = run(
            &[
                ("2026-01-05T18:00:00Z", "reception", RECEPTION),
                ("2026-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
                ("2026-01-09T10:00:00Z", "key_work_session", session.as_str()),
            ],
            "2026-01-15T00:00:00Z",
        );
        assert_eq!(outcomes(&r, "key-work-weekly")[0], expect, "{minutes} minutes");
    }

    // With no release, periods run on to the horizon; the current week is open, not yet due.
    let open = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
        ],
        "2026-01-25T00:00:00Z",
    );
    assert_eq!(outcomes(&open, "key-work-weekly"), ["unmet", "unmet", "open"]);
    let late = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-25T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
        ],
        "2026-01-26T00:00:00Z",
    );
    assert_eq!(outcomes(&late, "key-worker-allocation"), ["met_late"]);
}

const PREGNANT: &str = r#"{"characteristic":"pregnancy_maternity","value":"PREGNANT"}"#;
const FEMALE: &str = r#"{"characteristic":"sex","value":"F"}"#;

#[test]
fn mbu_booklet_and_officer_visit_for_women_who_are_pregnant_or_have_a_young_child() {
    let base = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", FEMALE),
        ("2026-01-05T18:31:00Z", "characteristic_declared", PREGNANT),
    ];
    let mut ev = base.to_vec();
    ev.push(("2026-01-09T10:00:00Z", "mbu_booklet_given", r#"{"format":"EASY_READ"}"#));
    ev.push(("2026-01-22T10:00:00Z", "mbu_officer_visit", r#"{"officer":"mbu.nhi"}"#));
    let r = run(&ev, "2026-03-01T00:00:00Z");
    assert_eq!(outcomes(&r, "mbu-booklet"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "mbu-officer-visit"), ["met_late"], "reception 5 Jan: the visit was due by 19 Jan");

    // Declaring again in the same stay does not restart the clock.
    let mut again = base.to_vec();
    again.push((
        "2026-01-08T10:00:00Z",
        "characteristic_declared",
        r#"{"characteristic":"pregnancy_maternity","value":"PREGNANT+CHILD_U18M"}"#,
    ));
    assert_eq!(outcomes(&run(&again, "2026-03-01T00:00:00Z"), "mbu-booklet"), ["open"]);

    let child = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", FEMALE),
        (
            "2026-01-05T18:31:00Z",
            "characteristic_declared",
            r#"{"characteristic":"pregnancy_maternity","value":"CHILD_U18M"}"#,
        ),
    ];
    assert_eq!(outcomes(&run(&child, "2026-03-01T00:00:00Z"), "mbu-booklet"), ["open"]);
    let neither = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", FEMALE),
        (
            "2026-01-05T18:31:00Z",
            "characteristic_declared",
            r#"{"characteristic":"pregnancy_maternity","value":"NONE"}"#,
        ),
    ];
    assert!(outcomes(&run(&neither, "2026-03-01T00:00:00Z"), "mbu-booklet").is_empty());
    let mut released = base.to_vec();
    released.push(("2026-01-08T10:00:00Z", "release", r#"{"release_type":"BAIL"}"#));
    let r = run(&released, "2026-03-01T00:00:00Z");
    assert_eq!(
        (outcomes(&r, "mbu-booklet"), outcomes(&r, "mbu-officer-visit")),
        (vec!["not_applicable"], vec!["not_applicable"])
    );
}

/// The MBU clock starts when the last fact needed arrives, whatever order they come in, once in
/// each stay: a woman received again, or transferred in, already known to be pregnant.
#[test]
fn mbu_obligations_open_whatever_order_the_facts_arrive_in_once_per_stay() {
    let opened = |r: &[Obligation], standard: &str| {
        r.iter().filter(|o| o.standard.as_str() == standard).map(|o| o.opened_at).collect::<Vec<_>>()
    };
    // The pregnancy declared before the sex: the obligations open when the sex is recorded.
    let sex_last = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", PREGNANT),
        ("2026-01-06T09:00:00Z", "characteristic_declared", FEMALE),
    ];
    let r = run(&sex_last, "2026-03-01T00:00:00Z");
    assert_eq!(opened(&r, "mbu-booklet"), [at("2026-01-06T09:00:00Z")]);
    assert_eq!(opened(&r, "mbu-officer-visit"), [at("2026-01-06T09:00:00Z")]);

    // Released, then received again already known to be pregnant: a new stay, new obligations,
    // opened at the reception.
    let mut again = sex_last.to_vec();
    again.push(("2026-01-07T10:00:00Z", "mbu_booklet_given", r#"{"format":"EASY_READ"}"#));
    again.push(("2026-01-20T10:00:00Z", "release", r#"{"release_type":"BAIL"}"#));
    again.push(("2026-02-10T15:00:00Z", "reception", RECEPTION_NHI));
    let r = run(&again, "2026-03-01T00:00:00Z");
    assert_eq!(outcomes(&r, "mbu-booklet"), ["met_on_time", "open"]);
    assert_eq!(opened(&r, "mbu-booklet")[1], at("2026-02-10T15:00:00Z"));
    assert_eq!(outcomes(&r, "mbu-officer-visit"), ["not_applicable", "open"]);

    // Transferred in to another prison: that prison's MBU officer owes her the booklet and visit.
    let mut moved = sex_last.to_vec();
    moved.push(("2026-01-12T08:00:00Z", "transfer_out", r#"{"to_establishment":"LEI"}"#));
    moved.push((
        "2026-01-12T16:00:00Z",
        "reception",
        r#"{"establishment":"LEI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED","expected_release":"2026-12-31"}"#,
    ));
    let r = run(&moved, "2026-03-01T00:00:00Z");
    assert_eq!(outcomes(&r, "mbu-booklet"), ["not_applicable", "open"]);
    let arrived = r.iter().filter(|o| o.standard.as_str() == "mbu-booklet").nth(1).unwrap();
    assert_eq!(
        (arrived.opened_at, arrived.establishment.as_ref().map(|e| e.as_str())),
        (at("2026-01-12T16:00:00Z"), Some("LEI"))
    );

    // Facts declared again and other declarations in the same stay open nothing more.
    let mut more = sex_last.to_vec();
    more.push(("2026-01-08T10:00:00Z", "characteristic_declared", r#"{"characteristic":"religion","value":"MUSLIM"}"#));
    more.push(("2026-01-09T10:00:00Z", "characteristic_declared", PREGNANT));
    assert_eq!(outcomes(&run(&more, "2026-03-01T00:00:00Z"), "mbu-booklet"), ["open"]);
    // A child's recorded date of birth decides, not a declaration: 19 months old at reception
    // opens nothing even if "child under 18 months" was declared; 17 months opens when recorded.
    let child = |dob: &str| format!(r#"{{"date_of_birth":"{dob}"}}"#);
    let (older, younger) = (child("2024-06-01"), child("2024-08-20"));
    let nineteen_months = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", FEMALE),
        ("2026-01-05T18:31:00Z", "child_recorded", older.as_str()),
        (
            "2026-01-05T18:32:00Z",
            "characteristic_declared",
            r#"{"characteristic":"pregnancy_maternity","value":"CHILD_U18M"}"#,
        ),
    ];
    let r = run(&nineteen_months, "2026-03-01T00:00:00Z");
    assert!(outcomes(&r, "mbu-booklet").is_empty() && outcomes(&r, "mbu-officer-visit").is_empty(), "{r:?}");
    let mut seventeen_months = nineteen_months[..2].to_vec();
    seventeen_months.push(("2026-01-06T11:00:00Z", "child_recorded", younger.as_str()));
    let r = run(&seventeen_months, "2026-03-01T00:00:00Z");
    assert_eq!(opened(&r, "mbu-booklet"), [at("2026-01-06T11:00:00Z")]);
    assert_eq!(opened(&r, "mbu-officer-visit"), [at("2026-01-06T11:00:00Z")]);

    // A man, or a woman who is neither pregnant nor has a young child, gets none.
    let man = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", r#"{"characteristic":"sex","value":"M"}"#),
    ];
    assert!(outcomes(&run(&man, "2026-03-01T00:00:00Z"), "mbu-booklet").is_empty());
}

#[test]
fn a_separation_plan_falls_due_before_the_child_turns_18_months() {
    // Born 20 August 2024: 18 months on 20 February 2026; the plan is due by the end of 23 January.
    let events = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
        ("2026-01-05T18:30:00Z", "characteristic_declared", FEMALE),
        ("2026-01-06T11:00:00Z", "child_recorded", r#"{"date_of_birth":"2024-08-20"}"#),
    ];
    let r = run(&events, "2026-03-01T00:00:00Z");
    let plan = r.iter().find(|o| o.standard.as_str() == "mbu-separation-plan").unwrap();
    assert_eq!(plan.due_at, at("2026-01-23T23:59:59.999999Z"));
    assert!(plan.due_at < at("2026-02-20T00:00:00Z"), "before the child turns 18 months");
    assert_eq!(outcomes(&r, "mbu-separation-plan"), ["open"], "still owed, and overdue since 24 January");
    let mut agreed = events.to_vec();
    agreed.push(("2026-01-20T10:00:00Z", "mbu_separation_plan_agreed", ""));
    assert_eq!(outcomes(&run(&agreed, "2026-03-01T00:00:00Z"), "mbu-separation-plan"), ["met_on_time"]);
    // A child already 18 months when recorded opens no plan (she no longer meets the criterion).
    let mut older = events.to_vec();
    older[2].2 = r#"{"date_of_birth":"2024-06-01"}"#;
    assert!(outcomes(&run(&older, "2026-03-01T00:00:00Z"), "mbu-separation-plan").is_empty());
}

#[test]
fn mbu_additional_visit_and_support_after_refusal() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
            ("2026-02-02T10:00:00Z", "mbu_visit_requested", ""),
            ("2026-02-05T10:00:00Z", "mbu_officer_visit", r#"{"officer":"mbu.nhi"}"#),
            ("2026-02-10T10:00:00Z", "mbu_application_made", ""),
            // Refused on Thursday 2 April 2026: two working days skip Good Friday and Easter Monday.
            ("2026-04-02T10:00:00Z", "mbu_decision", &format!(r#"{{"application":"{}","outcome":"REFUSED"}}"#, id(3))),
            ("2026-04-08T15:00:00Z", "referral_made", r#"{"service":"COUNSELLING"}"#),
        ],
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "mbu-additional-visit"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "mbu-support-after-refusal"), ["met_on_time"]);

    // Refused again on appeal: support is offered again; an appeal upheld asks for nothing.
    let appeal = |outcome: &str| {
        run(
            &[
                ("2026-01-05T18:00:00Z", "reception", RECEPTION_NHI),
                ("2026-02-10T10:00:00Z", "mbu_application_made", ""),
                (
                    "2026-03-02T10:00:00Z",
                    "mbu_decision",
                    &format!(r#"{{"application":"{}","outcome":"REFUSED"}}"#, id(1)),
                ),
                ("2026-03-03T10:00:00Z", "referral_made", r#"{"service":"IN_REACH"}"#),
                ("2026-03-04T10:00:00Z", "mbu_appeal_made", &format!(r#"{{"decision":"{}"}}"#, id(2))),
                (
                    "2026-03-20T10:00:00Z",
                    "mbu_appeal_decided",
                    &format!(r#"{{"appeal":"{}","outcome":"{outcome}"}}"#, id(4)),
                ),
            ],
            "2026-05-01T00:00:00Z",
        )
    };
    assert_eq!(outcomes(&appeal("REFUSED"), "mbu-support-after-refusal"), ["met_on_time", "open"]);
    assert_eq!(outcomes(&appeal("APPROVED"), "mbu-support-after-refusal"), ["met_on_time"]);
}

fn transfer(referred: &str, transferred: Option<&str>) -> Vec<Obligation> {
    let referral = format!(r#"{{"referral":"{}"}}"#, id(1));
    let moved = format!(r#"{{"referral":"{}","section":"S47"}}"#, id(1));
    let mut ev = vec![
        ("2026-01-05T18:00:00Z", "reception", RECEPTION),
        (referred, "referral_made", r#"{"service":"HOSPITAL_TRANSFER"}"#),
    ];
    let later: Vec<(String, &str, String)> = match transferred {
        Some(t) => vec![
            (t.to_string(), "hospital_transfer_assessed", referral.clone()),
            (t.to_string(), "transferred_to_hospital", moved.clone()),
        ],
        None => vec![],
    };
    for (w, k, d) in &later {
        ev.push((w.as_str(), *k, d.as_str()));
    }
    run(&ev, "2026-06-01T00:00:00Z")
}

#[test]
fn hospital_transfer_within_14_and_28_days() {
    let quick = transfer("2026-02-02T10:00:00Z", Some("2026-02-12T10:00:00Z"));
    assert_eq!(outcomes(&quick, "hospital-transfer-14-days"), ["met_on_time"]);
    assert_eq!(outcomes(&quick, "hospital-transfer-28-days"), ["met_on_time"]);
    let slow = transfer("2026-02-02T10:00:00Z", Some("2026-02-25T10:00:00Z"));
    assert_eq!(outcomes(&slow, "hospital-transfer-14-days"), ["met_late"]);
    assert_eq!(outcomes(&slow, "hospital-assessment-14-days"), ["met_late"]);
    assert_eq!(outcomes(&slow, "hospital-transfer-28-days"), ["met_on_time"]);
    let waiting = transfer("2026-02-02T10:00:00Z", None);
    assert_eq!(outcomes(&waiting, "hospital-transfer-28-days"), ["open"]);
}

#[test]
fn the_reports_figure_412_transfers_109_within_14_days_is_26_5_percent() {
    let mut all = Vec::new();
    for i in 0..412 {
        let days = if i < 109 { 3 + i % 11 } else { 15 + i % 90 };
        let moved = at("2015-06-01T10:00:00Z") + jiff::SignedDuration::from_hours(24 * days as i64);
        let moved = crate::time::format_instant(moved);
        all.extend(
            transfer("2015-06-01T10:00:00Z", Some(&moved))
                .into_iter()
                .filter(|o| o.standard.as_str() == "hospital-transfer-14-days"),
        );
    }
    let c = compliance(&all, at("2015-04-01T00:00:00Z"), at("2016-03-31T23:59:59Z"), at("2016-06-01T00:00:00Z"));
    assert_eq!((c.applicable, c.met_on_time, c.met_late), (412, 109, 303));
    assert_eq!(format!("{:.1}%", 100.0 * c.on_time_rate().unwrap()), "26.5%");
}

#[test]
fn release_planning_before_the_final_twelve_weeks_and_handover_by_release() {
    let referral = format!(r#"{{"referral":"{}"}}"#, id(1));
    let base = vec![
        ("2026-01-05T18:00:00Z", "reception", RECEPTION),
        ("2026-01-10T10:00:00Z", "referral_made", r#"{"service":"IN_REACH"}"#),
        ("2026-01-12T10:00:00Z", "referral_accepted", referral.as_str()),
        // Expected release 31 December 2026: 12 weeks before is 8 October.
        ("2026-06-01T10:00:00Z", "release_plan_item_completed", r#"{"item":"ACCOMMODATION"}"#),
        ("2026-10-20T10:00:00Z", "release_plan_item_completed", r#"{"item":"GP_REGISTRATION"}"#),
        ("2026-12-30T10:00:00Z", "release_plan_item_completed", r#"{"item":"MEDICATION"}"#),
        ("2026-12-31T09:00:00Z", "release", RELEASE),
    ];
    let r = run(&base, "2027-01-31T00:00:00Z");
    assert_eq!(outcomes(&r, "release-accommodation"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "release-gp-registration"), ["met_on_time"], "a practice registers from 4 weeks before");
    assert_eq!(outcomes(&r, "release-medication"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "community-mental-health-handover"), ["unmet"], "released without a handover");
    let short = run(
        &[(
            "2026-01-05T18:00:00Z",
            "reception",
            r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"2026-02-20"}"#,
        )],
        "2026-02-01T00:00:00Z",
    );
    assert!(
        outcomes(&short, "release-accommodation").is_empty(),
        "a stay shorter than 12 weeks cannot be planned 12 weeks ahead"
    );
    let remand = run(
        &[(
            "2026-01-05T18:00:00Z",
            "reception",
            r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"REMAND"}"#,
        )],
        "2026-02-01T00:00:00Z",
    );
    assert!(outcomes(&remand, "release-medication").is_empty(), "no expected release date, no release deadline");
}

#[test]
fn a_release_plan_follows_the_person_through_a_transfer_and_the_handover_is_accepted() {
    let base = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION),
        ("2026-01-10T10:00:00Z", "referral_made", r#"{"service":"IN_REACH"}"#),
        ("2026-01-12T10:00:00Z", "referral_accepted", &format!(r#"{{"referral":"{}"}}"#, id(1))),
        ("2026-03-01T10:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
        (
            "2026-03-01T16:00:00Z",
            "reception",
            r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
        ),
        ("2026-06-01T10:00:00Z", "release_plan_item_completed", r#"{"item":"ID_DOCUMENTS"}"#),
        ("2026-11-01T10:00:00Z", "community_handover_referred", r#"{"service":"RECONNECT"}"#),
        ("2026-11-20T10:00:00Z", "community_handover_accepted", &format!(r#"{{"referral":"{}"}}"#, id(6))),
        ("2026-12-31T09:00:00Z", "release", RELEASE),
    ];
    let base: Vec<(&str, &str, &str)> = base.iter().map(|(a, b, c)| (*a, *b, c.as_ref())).collect();
    let r = run(&base, "2027-01-31T00:00:00Z");
    assert_eq!(outcomes(&r, "release-id-documents"), ["met_on_time"], "one obligation, carried across the transfer");
    assert_eq!(outcomes(&r, "community-handover-referred"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "community-mental-health-handover"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "release-social-care"), ["unmet"]);
    // Arriving on transfer asks healthcare to review the person the same day.
    assert_eq!(outcomes(&r, "transfer-arrival-healthcare-review"), ["unmet"]);
    assert!(outcomes(&r, "transfer-arrival-acct-review").is_empty(), "no ACCT open");
}

#[test]
fn arrival_after_a_transfer_is_reviewed_and_the_family_told() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            (
                "2026-01-06T10:00:00Z",
                "family_contact_named",
                r#"{"name":"Jo","relationship":"sister","involvement":"CONSENTS","told_of_transfer":true}"#,
            ),
            ("2026-01-07T10:00:00Z", "acct_opened", "{}"),
            ("2026-03-01T10:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
            (
                "2026-03-01T16:00:00Z",
                "reception",
                r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
            ),
            ("2026-03-01T17:00:00Z", "transfer_arrival_reviewed", r#"{"reviewer":"HEALTHCARE"}"#),
            ("2026-03-01T20:00:00Z", "family_told_of_transfer", &format!(r#"{{"contact":"{}","how":"CALL"}}"#, id(1))),
            ("2026-03-03T09:00:00Z", "transfer_arrival_reviewed", r#"{"reviewer":"SAFER_CUSTODY"}"#),
        ],
        "2026-03-10T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "transfer-arrival-healthcare-review"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "family-told-of-transfer"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "transfer-arrival-acct-review"), ["met_late"], "more than 24 hours after arrival");
    let declined = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            (
                "2026-01-06T10:00:00Z",
                "family_contact_named",
                r#"{"name":"Jo","relationship":"sister","involvement":"DECLINES","told_of_transfer":false}"#,
            ),
            ("2026-03-01T10:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
        ],
        "2026-03-10T00:00:00Z",
    );
    assert!(outcomes(&declined, "family-told-of-transfer").is_empty(), "only family the person agreed may be told");
}

#[test]
fn a_voided_completion_reopens_the_obligation() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-05T19:30:00Z", "screening_completed", FIRST_SCREEN),
        ],
        "2026-01-10T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "first-night-screen"), ["met_on_time"]);
    let screen = id(1);
    let voided = Event {
        id: EventId::from_random_bytes([99; 16]),
        person: person().prison_number,
        occurred_at: at("2026-01-05T19:30:00Z"),
        recorded_at: at("2026-01-06T09:00:00Z"),
        recorded_by: StaffRef::parse("records").unwrap(),
        correction: Some(Correction { supersedes: screen, reason: "wrong person".into() }),
        kind: EventKind::EnteredInError {},
    };
    let base: Vec<Event> = [
        ("2026-01-05T18:00:00Z", "reception", RECEPTION),
        ("2026-01-05T19:30:00Z", "screening_completed", FIRST_SCREEN),
    ]
    .iter()
    .enumerate()
    .map(|(n, (w, k, d))| Event {
        id: id(n),
        person: person().prison_number,
        occurred_at: at(w),
        recorded_at: at(w),
        recorded_by: StaffRef::parse("s").unwrap(),
        correction: None,
        kind: parse(k, d),
    })
    .chain([voided])
    .collect();
    let calendar = Calendar::england_and_wales();
    let population = |_: &crate::ids::EstablishmentCode| Some(Population::Men);
    let ctx = Context { calendar: &calendar, population: &population };
    let r = obligations(&person(), &Timeline::new(base), &StandardSet::builtin(), &ctx, at("2026-01-10T00:00:00Z"));
    assert_eq!(outcomes(&r, "first-night-screen"), ["open"]);
}

#[test]
fn bad_standards_files_are_refused_with_file_line_and_reason() {
    let good = builtin_files().into_iter().find(|(n, _)| n.ends_with("key-work.toml")).unwrap().1;
    let cases = [
        (
            good.replace("completed_by = [\"key_worker_allocated\"]", "completed_by = [\"key_worker_alocated\"]"),
            "unknown event kind \"key_worker_alocated\"",
        ),
        (
            good.replace("source = \"Whole prison approach report, 'Individualised support' (OMiC key work)\"\n", ""),
            "missing field `source`",
        ),
        (
            good.replace("complete_where = \"event.minutes >= 45\"", "complete_where = \"event.duration >= 45\""),
            "no field event.duration",
        ),
        (good.replace("due = \"14 days\"", "due = \"a fortnight\""), "due \"a fortnight\""),
        (
            good.replace("trigger = \"reception\"", "trigger = \"met:key-work-weekly\"")
                .replace("trigger = \"key_worker_allocated\"", "trigger = \"met:key-worker-allocation\""),
            "cycle",
        ),
        (
            good.replace("team = \"key-worker\"", "team = \"wing\"").replacen(
                "team = \"wing\"",
                "team = \"key-worker\"",
                1,
            ),
            "unknown team code \"wing\"",
        ),
        (
            good.replacen("trigger = \"reception\"", "trigger = [\"reception\", \"recepton\"]", 1),
            "unknown event kind \"recepton\"",
        ),
        (good.replacen("trigger = \"reception\"", "trigger = []", 1), "trigger must name at least one event kind"),
    ];
    for (text, expect) in cases {
        let errors = StandardSet::load(&[("standards/key-work.toml".into(), text.clone())]).unwrap_err();
        let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        assert!(message.contains(expect), "{message}");
        assert!(message.starts_with("standards/key-work.toml:"), "{message}");
        let line: usize = message.split(':').nth(1).unwrap().parse().unwrap();
        assert!(line > 1, "names a real line: {message}");
    }
    let twice = StandardSet::load(&[("a.toml".into(), good.clone()), ("b.toml".into(), good)]).unwrap_err();
    assert!(twice[0].to_string().contains("defined twice"));
}

/// Recurring periods stop at the horizon: one event in the year 3000 cannot make the engine roll
/// weekly key work forward a thousand years, and a series started in 1970 rolls only to "now".
#[test]
fn recurring_work_is_bounded_by_the_horizon_not_by_the_events() {
    let far = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
            ("3000-01-01T10:00:00Z", "activity_attended", r#"{"activity":"GYM","minutes":60}"#),
        ],
        "2026-02-01T00:00:00Z",
    );
    let weekly: Vec<_> = far.iter().filter(|o| o.standard.as_str() == "key-work-weekly").collect();
    assert_eq!(weekly.len(), 4, "7 Jan to 1 Feb is four weekly periods");
    assert!(weekly.iter().all(|o| o.due_at <= at("2026-02-08T10:00:00Z")));

    let long = run(
        &[
            (
                "1970-01-05T18:00:00Z",
                "reception",
                r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"SENTENCED"}"#,
            ),
            ("1970-01-07T10:00:00Z", "key_worker_allocated", r#"{"key_worker":"kw.1"}"#),
        ],
        "2026-04-01T00:00:00Z",
    );
    let weeks = (at("2026-04-01T00:00:00Z") - at("1970-01-07T10:00:00Z")).as_hours() / (24 * 7);
    let weekly = long.iter().filter(|o| o.standard.as_str() == "key-work-weekly").count() as i64;
    assert!((weeks..=weeks + 1).contains(&weekly), "{weekly} periods for {weeks} weeks");
}

mod bounded {
    use proptest::prelude::*;

    use super::*;

    /// Instants anywhere in the calendar, the extremes most of all.
    fn instant() -> impl Strategy<Value = Timestamp> {
        let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
        prop_oneof![
            Just(Timestamp::MIN),
            Just(Timestamp::MAX),
            (min..=max).prop_map(|s| Timestamp::from_second(s).unwrap()),
            (0i64..4_000_000_000).prop_map(|s| Timestamp::from_second(s).unwrap()),
        ]
    }

    fn day() -> impl Strategy<Value = jiff::civil::Date> {
        prop_oneof![
            Just(jiff::civil::Date::MIN),
            Just(jiff::civil::Date::MAX),
            (-9999i16..=9999, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| jiff::civil::date(y, m, d)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Whatever the instants and dates, the engine neither panics nor materialises more than
        /// one period a week (the shortest shipped recurrence) from 1970 to the horizon.
        #[test]
        fn no_instant_panics_the_engine_or_makes_unbounded_work(
            times in proptest::collection::vec(instant(), 1..8),
            release in day(),
            horizon in prop_oneof![Just(at("2026-04-01T00:00:00Z")), (0i64..2_000_000_000).prop_map(|s| Timestamp::from_second(s).unwrap())],
        ) {
            let kinds = [
                ("reception", format!(r#"{{"establishment":"LEI","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"{release}"}}"#)),
                ("key_worker_allocated", r#"{"key_worker":"kw.1"}"#.to_string()),
                ("screening_completed", PHQ9_16_Q9.to_string()),
                ("referral_made", r#"{"service":"IN_REACH"}"#.to_string()),
                ("activity_attended", r#"{"activity":"GYM","minutes":60}"#.to_string()),
            ];
            let events: Vec<Event> = times
                .iter()
                .enumerate()
                .map(|(n, t)| {
                    let (kind, details) = &kinds[n % kinds.len()];
                    Event {
                        id: id(n),
                        person: person().prison_number,
                        occurred_at: *t,
                        recorded_at: *t,
                        recorded_by: StaffRef::parse("staff").unwrap(),
                        correction: None,
                        kind: parse(kind, details),
                    }
                })
                .collect();
            let calendar = Calendar::england_and_wales();
            let population = |_: &crate::ids::EstablishmentCode| Some(Population::Men);
            let ctx = Context { calendar: &calendar, population: &population };
            let set = StandardSet::builtin();
            let obs = obligations(&person(), &Timeline::new(events.clone()), &set, &ctx, horizon);
            let weeks = ((horizon - crate::time::earliest_instant()).as_hours() / (24 * 7)).max(0) as usize;
            let bound = events.len() * set.len() * (weeks + 2);
            prop_assert!(obs.len() <= bound, "{} obligations, bound {bound}", obs.len());
            // Every event's times pass through the outside-input rule without a panic too.
            for e in &events {
                let _ = e.check_times(horizon);
            }
        }
    }
}

#[test]
fn a_referral_is_seen_within_its_prioritys_time_and_only_its_own_first_appointment_counts() {
    let first = format!(r#"{{"referral":"{}"}}"#, id(1));
    let second = format!(r#"{{"referral":"{}"}}"#, id(2));
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T10:00:00Z", "referral_made", r#"{"service":"IN_REACH","priority":"URGENT"}"#),
            ("2026-01-06T11:00:00Z", "referral_made", r#"{"service":"PSYCHOLOGY"}"#),
            ("2026-01-07T10:00:00Z", "referral_accepted", first.as_str()),
            // Seeing the person for the second referral does not meet the first.
            ("2026-01-08T10:00:00Z", "referral_accepted", second.as_str()),
            ("2026-01-09T10:00:00Z", "referral_seen", second.as_str()),
            ("2026-01-20T10:00:00Z", "referral_seen", first.as_str()),
        ],
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "referral-urgent-7-days"), ["met_late"], "seen 14 days after an urgent referral");
    assert_eq!(outcomes(&r, "referral-routine-28-days"), ["met_on_time"]);
    let declined = format!(r#"{{"referral":"{}","reason":"Not for us"}}"#, id(1));
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T10:00:00Z", "referral_made", r#"{"service":"IN_REACH","priority":"EMERGENCY"}"#),
            ("2026-01-06T12:00:00Z", "referral_declined", declined.as_str()),
        ],
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "referral-emergency-24-hours"), ["not_applicable"]);
    // A hospital transfer referral has its own standards, not these.
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T10:00:00Z", "referral_made", r#"{"service":"HOSPITAL_TRANSFER","priority":"URGENT"}"#),
        ],
        "2026-01-07T00:00:00Z",
    );
    assert!(outcomes(&r, "referral-urgent-7-days").is_empty());
    assert_eq!(outcomes(&r, "hospital-transfer-28-days"), ["open"]);
}

#[test]
fn medicines_first_dose_confirmation_and_reconciliation() {
    let insulin = format!(r#"{{"critical":true,"medicine":"{}"}}"#, id(1));
    let confirm = format!(r#"{{"medicine":"{}","against":"COMMUNITY_RECORD"}}"#, id(2));
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            (
                "2026-01-05T18:30:00Z",
                "medicine_reported",
                r#"{"name":"Insulin","dose":"10 units","critical":true,"source":"PERSON"}"#,
            ),
            (
                "2026-01-05T18:40:00Z",
                "medicine_reported",
                r#"{"name":"Sertraline","dose":"50mg","critical":false,"source":"PERSON"}"#,
            ),
            ("2026-01-05T21:00:00Z", "medication_given", insulin.as_str()),
            ("2026-01-15T10:00:00Z", "medicine_confirmed", confirm.as_str()),
            ("2026-01-09T10:00:00Z", "medicines_reconciled", "{}"),
        ],
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "critical-medicine-first-dose"), ["met_on_time"]);
    // Insulin was never confirmed; sertraline was, late (10 days).
    let mut confirmed = outcomes(&r, "medicine-confirmed-7-days");
    confirmed.sort();
    assert_eq!(confirmed, ["met_late", "open"]);
    assert_eq!(outcomes(&r, "medicines-reconciliation"), ["met_on_time"]);
}

#[test]
fn open_obligations_move_with_the_person_to_the_next_prison() {
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-01-06T10:00:00Z", "referral_made", r#"{"service":"HOSPITAL_TRANSFER","priority":"URGENT"}"#),
            ("2026-01-08T09:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
            (
                "2026-01-08T15:00:00Z",
                "reception",
                r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
            ),
        ],
        "2026-01-09T00:00:00Z",
    );
    let transfer: Vec<_> = r.iter().filter(|o| o.standard.as_str() == "hospital-transfer-28-days").collect();
    assert_eq!(transfer.len(), 1);
    assert_eq!(transfer[0].establishment.as_ref().map(|e| e.as_str()), Some("MDI"), "on the new prison's worklist");
    // What closed at the old prison stays there.
    let first = r
        .iter()
        .find(|o| o.standard.as_str() == "first-night-screen" && o.opened_at == at("2026-01-05T18:00:00Z"))
        .unwrap();
    assert_eq!(first.establishment.as_ref().map(|e| e.as_str()), Some("LEI"));
}

#[test]
fn acct_reviews_by_the_date_set_care_plan_actions_post_closure_and_after_self_harm() {
    let acct = id(1);
    let review = |next: &str| {
        format!(
            r#"{{"acct":"{acct}","review":{{"case_manager":"sc.lee","attended":"wing officer","healthcare_present":true,"person_present":true,"observations_day":"HOURLY","observations_night":"TWO_HOURLY","conversations_day":2,"conversations_night":0,"next_review":"{next}"}}}}"#
        )
    };
    let (r1, r2) = (review("2026-03-05"), review("2026-03-12"));
    let assess = format!(r#"{{"acct":"{acct}","assessor":"sc.lee"}}"#);
    let plan = |n: &str, due: &str| {
        format!(r#"{{"acct":"{acct}","issue":"i{n}","goal":"g","action":"a{n}","owner":"o","due":"{due}"}}"#)
    };
    let (p1, p2) = (plan("1", "2026-03-04"), plan("2", "2026-03-20"));
    let done = format!(r#"{{"action":"{}"}}"#, id(5));
    let closed = format!(r#"{{"acct":"{acct}","reason":"Risk reduced"}}"#);
    let post = format!(r#"{{"acct":"{acct}"}}"#);
    let r = run(
        &[
            ("2026-01-05T18:00:00Z", "reception", RECEPTION),
            ("2026-03-01T10:00:00Z", "acct_opened", r#"{"concern":"Said she can't go on"}"#),
            ("2026-03-01T20:00:00Z", "acct_assessment_interview", assess.as_str()),
            ("2026-03-02T11:00:00Z", "acct_reviewed", r1.as_str()),
            ("2026-03-02T11:30:00Z", "acct_care_plan_action", p1.as_str()),
            ("2026-03-02T11:40:00Z", "acct_care_plan_action", p2.as_str()),
            // The second action is done; the first, due 4 March, never is.
            ("2026-03-03T09:00:00Z", "acct_care_plan_action_done", done.as_str()),
            ("2026-03-06T09:00:00Z", "acct_reviewed", r2.as_str()),
            ("2026-03-10T10:00:00Z", "acct_closed", closed.as_str()),
            ("2026-03-16T10:00:00Z", "acct_post_closure_review", post.as_str()),
            ("2026-03-20T10:00:00Z", "self_harm_incident", r#"{"method":"CUTTING","severity":"MINOR"}"#),
        ],
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(outcomes(&r, "acct-assessment-24-hours"), ["met_on_time"]);
    assert_eq!(outcomes(&r, "acct-first-review-24-hours"), ["met_late"], "25 hours after opening");
    assert_eq!(
        outcomes(&r, "acct-review-by-date-set"),
        ["met_late", "not_applicable"],
        "held on 6 March, set for 5 March"
    );
    let mut plan = outcomes(&r, "acct-care-plan-action");
    plan.sort();
    assert_eq!(plan, ["met_on_time", "unmet"], "only its own action meets each");
    assert_eq!(outcomes(&r, "acct-post-closure-review"), ["met_on_time"]);
    // Self-harm after closure, and nothing considered: overdue by the end of that day.
    let consider: Vec<_> = r.iter().filter(|o| o.standard.as_str() == "consider-acct-after-self-harm").collect();
    assert_eq!(consider.len(), 1);
    assert!(consider[0].is_overdue(at("2026-03-21T00:00:00Z")) && !consider[0].is_overdue(at("2026-03-20T23:59:00Z")));
}

#[test]
fn an_acct_observation_one_minute_late_is_a_breach_one_minute_early_is_not() {
    let acct = id(1);
    // Hourly by day, every 2 hours by night; 10:00 UTC in March is 10:00 in London.
    let review = format!(
        r#"{{"acct":"{acct}","review":{{"case_manager":"sc.lee","attended":"wing officer","healthcare_present":true,"person_present":true,"observations_day":"HOURLY","observations_night":"TWO_HOURLY","conversations_day":2,"conversations_night":0,"next_review":"2026-03-09"}}}}"#
    );
    let obs = format!(r#"{{"acct":"{acct}","conversation":false}}"#);
    let r = run(
        &[
            ("2026-03-01T09:00:00Z", "acct_opened", "{}"),
            ("2026-03-02T10:00:00Z", "acct_reviewed", review.as_str()),
            ("2026-03-02T10:59:00Z", "acct_observation", obs.as_str()),
            ("2026-03-02T12:00:00Z", "acct_observation", obs.as_str()),
            ("2026-03-02T13:01:00Z", "acct_observation", obs.as_str()),
            // 21:00 is night: two hours allowed, and 22:59 is within them.
            ("2026-03-02T21:00:00Z", "acct_observation", obs.as_str()),
            ("2026-03-02T22:59:00Z", "acct_observation", obs.as_str()),
        ],
        "2026-03-02T23:30:00Z",
    );
    assert_eq!(outcomes(&r, "acct-observation-after-review"), ["met_on_time"]);
    // 10:59 to 12:00 is 61 minutes: late. 12:00 to 13:01: late. 13:01 to 21:00: late (hourly by day).
    // 21:00 to 22:59 is within the night's two hours; the last is still open.
    assert_eq!(outcomes(&r, "acct-observation-gap"), ["met_late", "met_late", "met_late", "met_on_time", "open"]);
    let last = r.iter().filter(|o| o.standard.as_str() == "acct-observation-gap").last().unwrap();
    assert_eq!(last.due_at, at("2026-03-03T00:59:00Z"), "two hours after 22:59 at night");
}
