//! Mother and Baby Units: who meets the criterion (pregnant, or a child under 18 months in the
//! community, from the child's date of birth where it is recorded) and which steps may be recorded.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::characteristics::{Characteristic, Declaration, Declared};
use crate::event::{Event, EventKind, MbuOutcome};
use crate::ids::{EventId, StaffRef};
use crate::time::date_in_england;
use crate::timeline::{PersonState, Timeline};

/// The age up to which a child in the community makes the mother eligible for an MBU place.
pub const CRITERION_MONTHS: i8 = 18;

/// Whether a child born on `date_of_birth` is under 18 months old on `on`: the day the child
/// turns 18 months, the criterion no longer holds.
pub fn under_18_months(date_of_birth: Date, on: Date) -> bool {
    date_of_birth <= on
        && date_of_birth
            .checked_add(jiff::Span::new().months(CRITERION_MONTHS))
            .is_ok_and(|eighteen_months| on < eighteen_months)
}

/// The day a child turns 18 months: the MBU criterion no longer holds from then.
pub fn eighteen_months(date_of_birth: Date) -> Option<Date> {
    date_of_birth.checked_add(jiff::Span::new().months(CRITERION_MONTHS)).ok()
}

/// Pregnant, as declared at `at`.
pub fn pregnant(state: &PersonState, at: Timestamp) -> bool {
    matches!(
        state.characteristics.as_at(Characteristic::PregnancyMaternity, at),
        Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) if pm.pregnant
    )
}

/// A child under 18 months in the community on `at`'s day: from the children's recorded dates of
/// birth when any is recorded (a declaration goes out of date as the child grows), else as declared.
pub fn child_under_18_months(state: &PersonState, at: Timestamp) -> bool {
    if state.children.is_empty() {
        matches!(
            state.characteristics.as_at(Characteristic::PregnancyMaternity, at),
            Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) if pm.child_under_18_months_in_community
        )
    } else {
        let today = date_in_england(at);
        state.children.iter().any(|dob| under_18_months(*dob, today))
    }
}

/// Where a woman's MBU application stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    NotApplied,
    Applied { id: EventId, at: Timestamp },
    Decided { at: Timestamp, outcome: MbuOutcome },
}

/// A woman's MBU pathway in her current stay: why she qualifies, and each step so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MbuCase {
    pub qualifies: bool,
    pub pregnant: bool,
    /// Recorded children under 18 months today, each with the day they turn 18 months.
    pub young_children: Vec<(Date, Date)>,
    pub booklet: Option<Timestamp>,
    pub visits: Vec<(Timestamp, StaffRef)>,
    pub visits_asked: Vec<Timestamp>,
    pub stage: Stage,
}

/// The MBU pathway of a woman in custody at `now`, for her current stay: None when she is not
/// in custody, or neither qualifies nor has any MBU step in this stay.
pub fn case(timeline: &Timeline, now: Timestamp) -> Option<MbuCase> {
    let state = timeline.state_at(now);
    let since = state.current_episode()?.received_at;
    let today = date_in_england(now);
    let female = state.characteristics.code_at(Characteristic::Sex, now) == "F";
    let pregnant = pregnant(&state, now);
    let qualifies = female && (pregnant || child_under_18_months(&state, now));
    let mut c = MbuCase {
        qualifies,
        pregnant,
        young_children: state
            .children
            .iter()
            .filter(|dob| under_18_months(**dob, today))
            .filter_map(|dob| Some((*dob, eighteen_months(*dob)?)))
            .collect(),
        booklet: None,
        visits: vec![],
        visits_asked: vec![],
        stage: Stage::NotApplied,
    };
    let mut any_step = false;
    for e in timeline.live().filter(|e| e.occurred_at >= since && e.occurred_at <= now) {
        let at = e.occurred_at;
        match &e.kind {
            EventKind::MbuBookletGiven { .. } => {
                c.booklet.get_or_insert(at);
            }
            EventKind::MbuOfficerVisit { officer } => c.visits.push((at, officer.clone())),
            EventKind::MbuVisitRequested {} => c.visits_asked.push(at),
            EventKind::MbuApplicationMade {} => c.stage = Stage::Applied { id: e.id, at },
            EventKind::MbuDecision { outcome, .. } => c.stage = Stage::Decided { at, outcome: *outcome },
            _ => continue,
        }
        any_step = true;
    }
    (qualifies || any_step).then_some(c)
}

/// Whether an MBU step may be recorded next; the reason names the field.
pub fn check_step(_timeline: &Timeline, event: &Event) -> Result<(), String> {
    match &event.kind {
        EventKind::ChildRecorded { date_of_birth } if *date_of_birth > date_in_england(event.occurred_at) => {
            Err("date_of_birth: a child's date of birth cannot be after the day it is recorded".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{at, event};

    #[test]
    fn a_case_follows_her_stay_from_qualifying_to_the_decision() {
        let kind = |k: &str, d: &str| EventKind::parse(k, d).unwrap();
        let mut events = vec![
            event(
                1,
                "2026-01-05T18:00:00Z",
                kind("reception", r#"{"establishment":"AAA","reception_type":"NEW","legal_status":"REMAND"}"#),
            ),
            event(
                2,
                "2026-01-05T18:10:00Z",
                kind("characteristic_declared", r#"{"characteristic":"sex","value":"F"}"#),
            ),
        ];
        assert_eq!(case(&Timeline::new(events.clone()), at("2026-01-06T00:00:00Z")), None, "not known to qualify");
        events.push(event(3, "2026-01-06T09:00:00Z", kind("child_recorded", r#"{"date_of_birth":"2025-03-10"}"#)));
        let c = case(&Timeline::new(events.clone()), at("2026-01-06T10:00:00Z")).unwrap();
        assert!(c.qualifies && !c.pregnant);
        assert_eq!(c.young_children, [("2025-03-10".parse().unwrap(), "2026-09-10".parse().unwrap())]);
        assert_eq!(c.stage, Stage::NotApplied);
        events.push(event(4, "2026-01-07T09:00:00Z", kind("mbu_booklet_given", r#"{"format":"EASY_READ"}"#)));
        events.push(event(5, "2026-01-09T09:00:00Z", kind("mbu_officer_visit", r#"{"officer":"mbu.aaa"}"#)));
        events.push(event(6, "2026-01-12T09:00:00Z", kind("mbu_application_made", "")));
        let id6 = events[5].id;
        events.push(event(
            7,
            "2026-02-01T09:00:00Z",
            kind("mbu_decision", &format!(r#"{{"application":"{id6}","outcome":"REFUSED"}}"#)),
        ));
        let t = Timeline::new(events.clone());
        let before = case(&t, at("2026-01-20T00:00:00Z")).unwrap();
        assert_eq!(before.stage, Stage::Applied { id: id6, at: at("2026-01-12T09:00:00Z") });
        let c = case(&t, at("2026-02-02T00:00:00Z")).unwrap();
        assert_eq!((c.booklet, c.visits.len()), (Some(at("2026-01-07T09:00:00Z")), 1));
        assert_eq!(c.stage, Stage::Decided { at: at("2026-02-01T09:00:00Z"), outcome: MbuOutcome::Refused });
        // Once the child is 18 months she no longer qualifies, but her steps in this stay still show.
        let later = case(&t, at("2026-09-10T12:00:00Z")).unwrap();
        assert!(!later.qualifies && later.young_children.is_empty());
        // Released: nothing.
        events.push(event(8, "2026-03-01T09:00:00Z", kind("release", r#"{"release_type":"BAIL"}"#)));
        assert_eq!(case(&Timeline::new(events), at("2026-03-02T00:00:00Z")), None);
    }

    #[test]
    fn eighteen_months_ends_on_the_day_the_child_reaches_it() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(under_18_months(d("2025-01-15"), d("2026-07-14")));
        assert!(!under_18_months(d("2025-01-15"), d("2026-07-15")));
        assert!(!under_18_months(d("2024-12-01"), d("2026-07-01")), "19 months");
        assert!(under_18_months(d("2026-07-01"), d("2026-07-01")), "born today");
        // The end of a month: born 31 August, 18 months on is the last day of February.
        assert!(under_18_months(d("2024-08-31"), d("2026-02-27")));
        assert!(!under_18_months(d("2024-08-31"), d("2026-02-28")));
    }

    #[test]
    fn a_child_born_after_the_day_recorded_is_refused_naming_the_field() {
        let e = |dob: &str| {
            event(1, "2026-03-01T10:00:00Z", EventKind::ChildRecorded { date_of_birth: dob.parse().unwrap() })
        };
        let err = check_step(&Timeline::default(), &e("2026-03-02")).unwrap_err();
        assert!(err.starts_with("date_of_birth:"), "{err}");
        assert!(check_step(&Timeline::default(), &e("2026-03-01")).is_ok());
    }
}
