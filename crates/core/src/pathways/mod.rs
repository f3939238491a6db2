//! Pathways: jobs done over days or weeks (a referral, a transfer to hospital, a person's
//! medicines, an ACCT case, a request for a Listener), each derived from the timeline, with the rule for which step may follow which.

pub mod acct;
pub mod medicines;
pub mod peer_support;
pub mod referral;

use crate::event::Event;
use crate::timeline::Timeline;

/// Whether `event` is a step its pathway allows next, given the timeline so far. Events that
/// belong to no pathway always pass. The reason names what must happen first.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    referral::check_step(timeline, event)?;
    medicines::check_step(timeline, event)?;
    acct::check_step(timeline, event)?;
    peer_support::check_step(timeline, event)
}
