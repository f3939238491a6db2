//! Mother and Baby Units: who meets the criterion (pregnant, or a child under 18 months in the
//! community, from the child's date of birth where it is recorded) and which steps may be recorded.

use jiff::civil::Date;

use crate::event::{Event, EventKind};
use crate::time::date_in_england;
use crate::timeline::Timeline;

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
    use crate::pathways::testing::event;

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
