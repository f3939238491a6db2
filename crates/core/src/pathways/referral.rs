//! Referrals to a service, and transfers to hospital under the Mental Health Act (s47/s48):
//! each case's stage from its timeline, and the order its steps must come in.

use jiff::Timestamp;

use crate::event::{DelayReason, Event, EventKind, MhaSection, Priority, Service};
use crate::ids::{EventId, StaffRef};
use crate::timeline::Timeline;

/// Every event kind a referral or a transfer to hospital is made of, for reading only them.
pub const KINDS: &[&str] = &[
    "referral_made",
    "referral_triaged",
    "referral_accepted",
    "referral_declined",
    "referral_seen",
    "referral_discharged",
    "hospital_transfer_assessed",
    "hospital_second_assessment",
    "hospital_bed_identified",
    "hospital_warrant_issued",
    "hospital_transfer_delayed",
    "transferred_to_hospital",
];

/// Where a referral has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Made,
    Triaged,
    Accepted,
    Declined,
    Seen,
    Discharged,
    // A transfer to hospital goes by these instead of accepted and seen.
    FirstAssessment,
    SecondAssessment,
    BedIdentified,
    WarrantIssued,
    Transferred,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Made => "Waiting for triage",
            Stage::Triaged => "Triaged, waiting for a decision",
            Stage::Accepted => "Accepted, waiting to be seen",
            Stage::Declined => "Declined",
            Stage::Seen => "Seen",
            Stage::Discharged => "Discharged",
            Stage::FirstAssessment => "First assessment done",
            Stage::SecondAssessment => "Second assessment done",
            Stage::BedIdentified => "Bed identified",
            Stage::WarrantIssued => "Warrant issued",
            Stage::Transferred => "Transferred to hospital",
        }
    }

    /// Still waiting for the service (the queue shows these).
    pub fn waiting(self) -> bool {
        !matches!(self, Stage::Declined | Stage::Seen | Stage::Discharged | Stage::Transferred)
    }
}

/// One referral and everything that has happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: EventId,
    pub service: Service,
    pub priority: Priority,
    pub self_referral: bool,
    pub reason: Option<String>,
    pub made_at: Timestamp,
    pub made_by: StaffRef,
    pub stage: Stage,
    pub declined_reason: Option<String>,
    pub first_seen: Option<Timestamp>,
    pub bed: Option<String>,
    pub section: Option<MhaSection>,
    pub delays: Vec<(Timestamp, DelayReason, Option<String>)>,
    /// Each step after the referral: when, and the event kind.
    pub steps: Vec<(Timestamp, &'static str)>,
}

impl Referral {
    pub fn is_hospital_transfer(&self) -> bool {
        self.service == Service::HospitalTransfer
    }

    /// What must happen next, in words; None once the case is closed.
    pub fn next_step(&self) -> Option<&'static str> {
        Some(match (self.is_hospital_transfer(), self.stage) {
            (true, Stage::Made | Stage::Triaged) => "First psychiatric assessment",
            (true, Stage::FirstAssessment) => "Second psychiatric assessment",
            (true, Stage::SecondAssessment) => "Identify a hospital bed",
            (true, Stage::BedIdentified) => "Warrant from the Ministry of Justice",
            (true, Stage::WarrantIssued) => "Transfer to hospital",
            (false, Stage::Made) => "Triage",
            (false, Stage::Triaged) => "Accept or decline",
            (false, Stage::Accepted) => "First appointment",
            (false, Stage::Seen) => "Discharge when care ends",
            _ => return None,
        })
    }
}

impl Referral {
    /// When the service answered the need: first seen, or transferred to hospital.
    pub fn answered_at(&self) -> Option<Timestamp> {
        match self.is_hospital_transfer() {
            true => self.steps.iter().find(|(_, k)| *k == "transferred_to_hospital").map(|(t, _)| *t),
            false => self.first_seen,
        }
    }
}

/// One service's waiting times, for referrals made in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Waits {
    pub service: Service,
    pub made: usize,
    /// First seen (or, for a transfer to hospital, transferred).
    pub answered: usize,
    pub declined: usize,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
    /// Made in the period and still waiting at `now`, and the longest of those waits in days.
    pub waiting: usize,
    pub longest_waiting_days: Option<f64>,
}

/// Waiting times by service for referrals made from `from` to `to` (inclusive), as at `now`:
/// days from referral to first seen, nearest-rank median and 90th percentile.
pub fn waits<'a>(
    referrals: impl IntoIterator<Item = &'a Referral>,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Vec<Waits> {
    let day = 86_400.0;
    let mut by: std::collections::BTreeMap<Service, (Waits, Vec<f64>)> = std::collections::BTreeMap::new();
    for r in referrals.into_iter().filter(|r| r.made_at >= from && r.made_at <= to) {
        let (w, days) = by.entry(r.service).or_insert_with(|| {
            (
                Waits {
                    service: r.service,
                    made: 0,
                    answered: 0,
                    declined: 0,
                    median_days: None,
                    p90_days: None,
                    waiting: 0,
                    longest_waiting_days: None,
                },
                Vec::new(),
            )
        });
        w.made += 1;
        match r.answered_at().filter(|t| *t <= now) {
            Some(t) => {
                w.answered += 1;
                days.push((t - r.made_at).as_secs_f64() / day);
            }
            None if r.stage == Stage::Declined => w.declined += 1,
            None if r.stage.waiting() => {
                w.waiting += 1;
                let d = (now - r.made_at).as_secs_f64() / day;
                w.longest_waiting_days = Some(w.longest_waiting_days.map_or(d, |m: f64| m.max(d)));
            }
            None => {}
        }
    }
    let rank =
        |v: &[f64], p: f64| (!v.is_empty()).then(|| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]);
    by.into_values()
        .map(|(mut w, mut days)| {
            days.sort_by(f64::total_cmp);
            w.median_days = rank(&days, 0.5);
            w.p90_days = rank(&days, 0.9);
            w
        })
        .collect()
}

/// Every referral on a timeline, oldest first.
pub fn referrals(timeline: &Timeline) -> Vec<Referral> {
    let mut out: Vec<Referral> = Vec::new();
    for e in timeline.live() {
        if let EventKind::ReferralMade { service, priority, self_referral, reason } = &e.kind {
            out.push(Referral {
                id: e.id,
                service: *service,
                priority: *priority,
                self_referral: *self_referral,
                reason: reason.clone(),
                made_at: e.occurred_at,
                made_by: e.recorded_by.clone(),
                stage: Stage::Made,
                declined_reason: None,
                first_seen: None,
                bed: None,
                section: None,
                delays: Vec::new(),
                steps: Vec::new(),
            });
            continue;
        }
        let Some(r) = target(&e.kind).and_then(|id| out.iter_mut().find(|r| r.id == id)) else { continue };
        // A step out of order on a stored timeline (imported before this rule) does not move it.
        if let Ok(stage) = next(r, &e.kind) {
            r.stage = stage;
            r.steps.push((e.occurred_at, e.kind.name()));
            match &e.kind {
                EventKind::ReferralDeclined { reason, .. } => r.declined_reason = Some(reason.clone()),
                EventKind::ReferralSeen { .. } => r.first_seen = Some(e.occurred_at),
                EventKind::HospitalBedIdentified { hospital, .. } => r.bed = Some(hospital.clone()),
                EventKind::HospitalWarrantIssued { section, .. } | EventKind::TransferredToHospital { section, .. } => {
                    r.section = Some(*section)
                }
                EventKind::HospitalTransferDelayed { reason, note, .. } => {
                    r.delays.push((e.occurred_at, *reason, note.clone()))
                }
                _ => {}
            }
        }
    }
    out
}

fn target(kind: &EventKind) -> Option<EventId> {
    match kind.answers() {
        Some((id, kinds)) if kinds == ["referral_made"] => Some(id),
        _ => None,
    }
}

/// The stage a step moves a referral to, or why it may not happen yet.
fn next(r: &Referral, kind: &EventKind) -> Result<Stage, String> {
    use Stage::*;
    let hospital = r.is_hospital_transfer();
    let now = r.stage;
    let closed = || format!("the referral is closed ({})", now.label().to_lowercase());
    let not_hospital =
        || "a transfer to hospital goes by two assessments, a bed, a warrant and the transfer".to_string();
    let only_hospital =
        || "that step belongs to a transfer to hospital, and this is a referral to another service".to_string();
    match kind {
        EventKind::ReferralTriaged { .. } => match now {
            Made => Ok(Triaged),
            Triaged => Err("the referral was already triaged".into()),
            _ if now.waiting() => Err("the referral is past triage".into()),
            _ => Err(closed()),
        },
        EventKind::ReferralAccepted { .. } if hospital => Err(not_hospital()),
        EventKind::ReferralAccepted { .. } => match now {
            Made | Triaged => Ok(Accepted),
            Accepted | Seen => Err("the referral was already accepted".into()),
            _ => Err(closed()),
        },
        EventKind::ReferralDeclined { .. } => match now {
            Made | Triaged => Ok(Declined),
            FirstAssessment | SecondAssessment if hospital => Ok(Declined),
            Accepted | Seen => Err("the referral was already accepted: discharge instead".into()),
            _ => Err(closed()),
        },
        EventKind::ReferralSeen { .. } if hospital => Err(not_hospital()),
        EventKind::ReferralSeen { .. } => match now {
            Accepted => Ok(Seen),
            Made | Triaged => Err("accept the referral before recording the first appointment".into()),
            Seen => Err("the first appointment is already recorded".into()),
            _ => Err(closed()),
        },
        EventKind::ReferralDischarged { .. } if hospital => Err(not_hospital()),
        EventKind::ReferralDischarged { .. } => match now {
            Accepted | Seen => Ok(Discharged),
            Made | Triaged => Err("only an accepted referral can be discharged: decline it instead".into()),
            _ => Err(closed()),
        },
        EventKind::HospitalTransferAssessed { .. }
        | EventKind::HospitalSecondAssessment { .. }
        | EventKind::HospitalBedIdentified { .. }
        | EventKind::HospitalWarrantIssued { .. }
        | EventKind::TransferredToHospital { .. }
        | EventKind::HospitalTransferDelayed { .. }
            if !hospital =>
        {
            Err(only_hospital())
        }
        EventKind::HospitalTransferDelayed { .. } if now.waiting() => Ok(now),
        EventKind::HospitalTransferDelayed { .. } => Err(closed()),
        EventKind::HospitalTransferAssessed { .. } => match now {
            Made | Triaged => Ok(FirstAssessment),
            _ if now.waiting() => Err("the first assessment is already recorded".into()),
            _ => Err(closed()),
        },
        EventKind::HospitalSecondAssessment { .. } => match now {
            FirstAssessment => Ok(SecondAssessment),
            Made | Triaged => Err("record the first assessment before the second".into()),
            _ if now.waiting() => Err("the second assessment is already recorded".into()),
            _ => Err(closed()),
        },
        EventKind::HospitalBedIdentified { .. } => match now {
            SecondAssessment => Ok(BedIdentified),
            Made | Triaged | FirstAssessment => Err("a bed is identified after both assessments".into()),
            _ if now.waiting() => Err("a bed is already identified".into()),
            _ => Err(closed()),
        },
        EventKind::HospitalWarrantIssued { .. } => match now {
            BedIdentified => Ok(WarrantIssued),
            WarrantIssued => Err("the warrant is already recorded".into()),
            _ if now.waiting() => Err("a warrant follows both assessments and a bed".into()),
            _ => Err(closed()),
        },
        EventKind::TransferredToHospital { .. } => match now {
            WarrantIssued => Ok(Transferred),
            Made | Triaged => Err("a transfer to hospital needs the assessments, a bed and a warrant first".into()),
            _ if now.waiting() => Err("a transfer to hospital needs a bed and a warrant first".into()),
            _ => Err(closed()),
        },
        _ => Ok(now),
    }
}

/// Whether a referral step may come next on this timeline.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let Some(id) = target(&event.kind) else { return Ok(()) };
    let list = referrals(timeline);
    // check_links has already refused a referral that does not exist; nothing to add here.
    let Some(r) = list.iter().find(|r| r.id == id) else { return Ok(()) };
    next(r, &event.kind).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PrisonNumber;

    fn event(n: u8, kind: EventKind) -> Event {
        let at: Timestamp = format!("2026-03-0{}T10:00:00Z", n.min(9).max(1)).parse().unwrap();
        Event {
            id: EventId::from_random_bytes([n; 16]),
            person: PrisonNumber::parse("A1234BC").unwrap(),
            occurred_at: at,
            recorded_at: at,
            recorded_by: StaffRef::parse("nurse").unwrap(),
            correction: None,
            kind,
        }
    }

    fn walk(service: Service, steps: &[EventKind]) -> Result<Stage, (usize, String)> {
        let made = event(
            1,
            EventKind::ReferralMade { service, priority: Priority::Urgent, self_referral: false, reason: None },
        );
        let mut events = vec![made];
        for (i, k) in steps.iter().enumerate() {
            let e = event(i as u8 + 2, k.clone());
            check_step(&Timeline::new(events.clone()), &e).map_err(|m| (i, m))?;
            events.push(e);
        }
        Ok(referrals(&Timeline::new(events))[0].stage)
    }

    fn r() -> EventId {
        EventId::from_random_bytes([1; 16])
    }

    #[test]
    fn waiting_times_by_service_count_days_to_first_seen_and_the_longest_still_waiting() {
        use EventKind as K;
        let made = |n: u8, day: &str, service| Event {
            occurred_at: format!("2026-03-{day}T10:00:00Z").parse().unwrap(),
            ..event(n, K::ReferralMade { service, priority: Priority::Routine, self_referral: false, reason: None })
        };
        let step = |n: u8, day: &str, kind: K| Event {
            occurred_at: format!("2026-03-{day}T10:00:00Z").parse().unwrap(),
            ..event(n, kind)
        };
        let id = |n: u8| EventId::from_random_bytes([n; 16]);
        let t = Timeline::new(vec![
            made(1, "01", Service::InReach),
            step(11, "02", K::ReferralAccepted { referral: id(1) }),
            step(12, "05", K::ReferralSeen { referral: id(1) }),
            made(2, "01", Service::InReach),
            step(21, "02", K::ReferralAccepted { referral: id(2) }),
            step(22, "11", K::ReferralSeen { referral: id(2) }),
            made(3, "10", Service::InReach),
            made(4, "10", Service::Psychology),
            step(41, "11", K::ReferralDeclined { referral: id(4), reason: "no".into() }),
        ]);
        let all = referrals(&t);
        let w = waits(
            &all,
            "2026-03-01T00:00:00Z".parse().unwrap(),
            "2026-03-31T00:00:00Z".parse().unwrap(),
            "2026-03-20T10:00:00Z".parse().unwrap(),
        );
        let in_reach = w.iter().find(|w| w.service == Service::InReach).unwrap();
        assert_eq!((in_reach.made, in_reach.answered, in_reach.waiting), (3, 2, 1));
        assert_eq!((in_reach.median_days, in_reach.p90_days), (Some(4.0), Some(10.0)));
        assert_eq!(in_reach.longest_waiting_days, Some(10.0));
        let psychology = w.iter().find(|w| w.service == Service::Psychology).unwrap();
        assert_eq!((psychology.made, psychology.declined, psychology.median_days), (1, 1, None));
    }

    #[test]
    fn a_referral_goes_triage_accept_seen_discharge() {
        use EventKind as K;
        let steps = [
            K::ReferralTriaged { referral: r() },
            K::ReferralAccepted { referral: r() },
            K::ReferralSeen { referral: r() },
            K::ReferralDischarged { referral: r() },
        ];
        assert_eq!(walk(Service::InReach, &steps), Ok(Stage::Discharged));
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_reason() {
        use EventKind as K;
        let twice = [K::ReferralAccepted { referral: r() }, K::ReferralAccepted { referral: r() }];
        assert_eq!(walk(Service::InReach, &twice), Err((1, "the referral was already accepted".into())));
        let seen_first = [K::ReferralSeen { referral: r() }];
        assert!(walk(Service::InReach, &seen_first).unwrap_err().1.contains("accept the referral"));
        let after_decline =
            [K::ReferralDeclined { referral: r(), reason: "no need".into() }, K::ReferralAccepted { referral: r() }];
        assert!(walk(Service::InReach, &after_decline).unwrap_err().1.contains("closed (declined)"));
        let transfer_first = [K::TransferredToHospital { referral: r(), section: MhaSection::S47 }];
        assert!(
            walk(Service::HospitalTransfer, &transfer_first)
                .unwrap_err()
                .1
                .contains("assessments, a bed and a warrant")
        );
        let accept_hospital = [K::ReferralAccepted { referral: r() }];
        assert!(walk(Service::HospitalTransfer, &accept_hospital).unwrap_err().1.contains("two assessments"));
        let bed_on_in_reach = [K::HospitalBedIdentified { referral: r(), hospital: "X".into() }];
        assert!(walk(Service::InReach, &bed_on_in_reach).unwrap_err().1.contains("belongs to a transfer"));
    }

    #[test]
    fn a_hospital_transfer_walks_to_completion_with_delays_on_the_way() {
        use EventKind as K;
        let steps = [
            K::HospitalTransferAssessed { referral: r() },
            K::HospitalTransferDelayed { referral: r(), reason: DelayReason::DisputedNeed, note: None },
            K::HospitalSecondAssessment { referral: r() },
            K::HospitalBedIdentified { referral: r(), hospital: "Rampton".into() },
            K::HospitalWarrantIssued { referral: r(), section: MhaSection::S48 },
            K::TransferredToHospital { referral: r(), section: MhaSection::S48 },
        ];
        assert_eq!(walk(Service::HospitalTransfer, &steps), Ok(Stage::Transferred));
        let late_delay = [
            K::HospitalTransferAssessed { referral: r() },
            K::HospitalSecondAssessment { referral: r() },
            K::HospitalBedIdentified { referral: r(), hospital: "Rampton".into() },
            K::HospitalWarrantIssued { referral: r(), section: MhaSection::S48 },
            K::TransferredToHospital { referral: r(), section: MhaSection::S48 },
            K::HospitalTransferDelayed { referral: r(), reason: DelayReason::NoBed, note: None },
        ];
        assert!(walk(Service::HospitalTransfer, &late_delay).unwrap_err().1.contains("closed"));
    }
}
