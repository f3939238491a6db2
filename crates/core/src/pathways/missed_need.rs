//! Missed need: a person known to community mental-health services whose reception screen found
//! no mental-health need. About a third of such people deteriorated in their first weeks in one
//! study the report cites; a match asks healthcare to screen them again.

use jiff::Timestamp;

use crate::event::{EventKind, Instrument, ScreeningOutcome, Service};
use crate::timeline::Timeline;

/// Mental-health services: a referral to any of these is a need found.
const MENTAL_HEALTH: &[Service] =
    &[Service::PrimaryMentalHealth, Service::InReach, Service::Psychiatry, Service::Psychology];

/// Whether the person, in custody at `at`, had a reception screen in this custody episode that
/// found no concerns, and no mental-health referral since: the need a community record shows was
/// missed. People not yet screened are not flagged (the first-night screen is already due).
pub fn screened_without_need(timeline: &Timeline, at: Timestamp) -> bool {
    let state = timeline.state_at(at);
    let Some(episode) = state.current_episode() else { return false };
    let mut screened_clear = None;
    for e in timeline.live().filter(|e| e.occurred_at >= episode.received_at && e.occurred_at <= at) {
        match &e.kind {
            EventKind::ScreeningCompleted { instrument: Instrument::ReceptionFirstStage, outcome, .. } => {
                screened_clear = Some(*outcome == Some(ScreeningOutcome::NoConcerns));
            }
            EventKind::ReferralMade { service, .. } if MENTAL_HEALTH.contains(service) => return false,
            _ => {}
        }
    }
    screened_clear == Some(true) && !state.on_mental_health_caseload()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{at, event};

    const CLEAR: &str = r#"{"instrument":"RECEPTION_FIRST_STAGE","answers":{"long_sentence":"no","physical_condition":"no","injuries":"no","medicines":"no","critical_medicine":"none","alcohol":"no","drugs":"no","known_to_services":"no","feeling_low":"no","past_self_harm":"no","thoughts_now":"no","learning_disability":"no","communication":"no","screener_concern":"no"}}"#;

    fn screen(details: &str) -> EventKind {
        crate::instruments::InstrumentSet::builtin_ref()
            .complete(EventKind::parse("screening_completed", details).unwrap())
            .unwrap()
    }

    fn reception() -> EventKind {
        EventKind::parse("reception", r#"{"establishment":"AAB","reception_type":"NEW","legal_status":"REMAND"}"#)
            .unwrap()
    }

    #[test]
    fn a_clear_screen_with_no_referral_is_missed_need_and_nothing_else_is() {
        let clear = Timeline::new(vec![
            event(1, "2026-11-01T10:00:00Z", reception()),
            event(2, "2026-11-01T12:00:00Z", screen(CLEAR)),
        ]);
        assert!(screened_without_need(&clear, at("2026-11-20T00:00:00Z")));
        let unscreened = Timeline::new(vec![event(1, "2026-11-01T10:00:00Z", reception())]);
        assert!(!screened_without_need(&unscreened, at("2026-11-20T00:00:00Z")));
        let low = CLEAR.replace(r#""feeling_low":"no""#, r#""feeling_low":"yes""#);
        let concerned = Timeline::new(vec![
            event(1, "2026-11-01T10:00:00Z", reception()),
            event(2, "2026-11-01T12:00:00Z", screen(&low)),
        ]);
        assert!(!screened_without_need(&concerned, at("2026-11-20T00:00:00Z")));
        let referred = Timeline::new(vec![
            event(1, "2026-11-01T10:00:00Z", reception()),
            event(2, "2026-11-01T12:00:00Z", screen(CLEAR)),
            event(3, "2026-11-05T12:00:00Z", EventKind::parse("referral_made", r#"{"service":"IN_REACH"}"#).unwrap()),
        ]);
        assert!(!screened_without_need(&referred, at("2026-11-20T00:00:00Z")));
        let released = Timeline::new(vec![
            event(1, "2026-11-01T10:00:00Z", reception()),
            event(2, "2026-11-01T12:00:00Z", screen(CLEAR)),
            event(3, "2026-11-05T12:00:00Z", EventKind::parse("release", r#"{"release_type":"COURT"}"#).unwrap()),
        ]);
        assert!(!screened_without_need(&released, at("2026-11-20T00:00:00Z")));
    }
}
