//! Pathways: jobs done over days or weeks (a referral, a transfer to hospital, a person's
//! medicines, an ACCT case, a request for a Listener), each derived from the timeline, with the rule for which step may follow which.

pub mod acct;
pub mod discrimination;
pub mod festivals;
pub mod key_work;
pub mod life_events;
pub mod mbu;
pub mod medicines;
pub mod missed_need;
pub mod peer_support;
pub mod referral;
pub mod release;
pub mod requests;

use crate::event::Event;
use crate::timeline::Timeline;

/// Whether `event` is a step its pathway allows next, given the timeline so far. Events that
/// belong to no pathway always pass. The reason names what must happen first.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    referral::check_step(timeline, event)?;
    medicines::check_step(timeline, event)?;
    acct::check_step(timeline, event)?;
    mbu::check_step(timeline, event)?;
    life_events::check_step(timeline, event)?;
    requests::check_step(timeline, event)?;
    discrimination::check_step(timeline, event)?;
    release::check_step(timeline, event)?;
    peer_support::check_step(timeline, event)
}

/// What the pathways' tests share: events at fixed times, and a walk that checks each step
/// against the timeline before it.
#[cfg(test)]
pub(crate) mod testing {
    use jiff::Timestamp;

    use crate::event::{Event, EventKind};
    use crate::ids::{EventId, PrisonNumber, StaffRef};
    use crate::timeline::Timeline;

    pub fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Event `n` of one person, at `when`, recorded then.
    pub fn event(n: u8, when: &str, kind: EventKind) -> Event {
        Event {
            id: EventId::from_random_bytes([n; 16]),
            person: PrisonNumber::parse("A1234BC").unwrap(),
            occurred_at: at(when),
            recorded_at: at(when),
            recorded_by: StaffRef::parse("officer").unwrap(),
            correction: None,
            kind,
        }
    }

    /// Checks each step with `check` against the timeline before it, then adds it; the first
    /// refusal comes back with its step's index.
    pub fn walk(
        check: fn(&Timeline, &Event) -> Result<(), String>,
        steps: Vec<(&str, EventKind)>,
    ) -> Result<Timeline, (usize, String)> {
        let mut events: Vec<Event> = Vec::new();
        for (i, (when, kind)) in steps.into_iter().enumerate() {
            let e = event(i as u8 + 1, when, kind);
            check(&Timeline::new(events.clone()), &e).map_err(|m| (i, m))?;
            events.push(e);
        }
        Ok(Timeline::new(events))
    }
}
