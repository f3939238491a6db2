//! Release planned from day one: each item of a person's release plan with its status, medicines
//! to take out, and the handover to community mental-health care (RECONNECT), for the time in
//! custody since they were last released, across transfers.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::codes::CodeSet;
use crate::event::{Event, EventKind, Occasion, ReleasePlanItem, Supply};
use crate::ids::{EventId, StaffRef};
use crate::timeline::Timeline;

/// Where one item of the plan stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    /// Notes on progress, the latest last.
    InProgress,
    Done {
        at: Timestamp,
        by: StaffRef,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub item: ReleasePlanItem,
    pub status: Status,
    pub notes: Vec<(Timestamp, StaffRef, String)>,
}

/// The community handover: referred to a service after custody, and accepted by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub referral: EventId,
    pub service: String,
    pub referred_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub expected_release: Option<Date>,
    pub items: Vec<Item>,
    pub medicines: Option<(Timestamp, Supply)>,
    pub handover: Option<Handover>,
}

impl Plan {
    pub fn item(&self, item: ReleasePlanItem) -> &Item {
        self.items.iter().find(|i| i.item == item).expect("every item is in the plan")
    }
    /// Items not yet done, in the plan's order.
    pub fn outstanding(&self) -> Vec<ReleasePlanItem> {
        self.items.iter().filter(|i| !matches!(i.status, Status::Done { .. })).map(|i| i.item).collect()
    }
}

/// The standard that sets each item's deadline and whose worklist it is on, where there is one.
pub fn standard_for(item: ReleasePlanItem) -> Option<&'static str> {
    Some(match item {
        ReleasePlanItem::Accommodation => "release-accommodation",
        ReleasePlanItem::GpRegistration => "release-gp-registration",
        ReleasePlanItem::Medication => "release-medication",
        ReleasePlanItem::Benefits => "release-bank-and-benefits",
        ReleasePlanItem::IdDocuments => "release-id-documents",
        ReleasePlanItem::CommunityMentalHealth => "community-mental-health-handover",
        ReleasePlanItem::Family => "release-family-support",
        ReleasePlanItem::SocialCare => "release-social-care",
        ReleasePlanItem::EmploymentEducation | ReleasePlanItem::SubstanceMisuse => return None,
    })
}

/// RECONNECT takes referrals from 12 weeks before release (NHS England).
pub const HANDOVER_FROM_DAYS: i64 = 84;

/// The events of the current time in custody: everything since the last release.
fn since_release(timeline: &Timeline) -> Vec<&Event> {
    let live: Vec<&Event> = timeline.live().collect();
    let start = live.iter().rposition(|e| matches!(e.kind, EventKind::Release { .. })).map_or(0, |i| i + 1);
    live[start..].to_vec()
}

pub fn plan(timeline: &Timeline) -> Plan {
    let events = since_release(timeline);
    let mut items: Vec<Item> =
        ReleasePlanItem::ALL.iter().map(|i| Item { item: *i, status: Status::NotStarted, notes: vec![] }).collect();
    let mut medicines = None;
    let mut handover: Option<Handover> = None;
    let mut expected_release = None;
    for e in events {
        match &e.kind {
            EventKind::Reception { expected_release: r, .. }
            | EventKind::LegalStatusChanged { expected_release: r, .. } => {
                expected_release = r.or(expected_release);
            }
            EventKind::ReleasePlanItemNoted { item, note } => {
                let i = items.iter_mut().find(|i| i.item == *item).expect("all items");
                i.notes.push((e.occurred_at, e.recorded_by.clone(), note.clone()));
                if i.status == Status::NotStarted {
                    i.status = Status::InProgress;
                }
            }
            EventKind::ReleasePlanItemCompleted { item } => {
                let i = items.iter_mut().find(|i| i.item == *item).expect("all items");
                if !matches!(i.status, Status::Done { .. }) {
                    i.status = Status::Done { at: e.occurred_at, by: e.recorded_by.clone() };
                }
            }
            EventKind::MedicinesSupplied { occasion: Occasion::Release, supply } => {
                medicines = Some((e.occurred_at, *supply))
            }
            EventKind::CommunityHandoverReferred { service } => {
                handover = Some(Handover {
                    referral: e.id,
                    service: service.clone(),
                    referred_at: e.occurred_at,
                    accepted_at: None,
                });
            }
            EventKind::CommunityHandoverAccepted { referral } => {
                if let Some(h) = handover.as_mut().filter(|h| h.referral == *referral) {
                    h.accepted_at = Some(e.occurred_at);
                }
            }
            _ => {}
        }
    }
    // The handover accepted is the community mental-health item done.
    if let Some(Handover { accepted_at: Some(at), .. }) = &handover {
        let i = items.iter_mut().find(|i| i.item == ReleasePlanItem::CommunityMentalHealth).expect("all items");
        if !matches!(i.status, Status::Done { .. }) {
            let by = timeline
                .live()
                .find(|e| matches!(e.kind, EventKind::CommunityHandoverAccepted { .. }) && e.occurred_at == *at);
            i.status = Status::Done {
                at: *at,
                by: by.map_or_else(|| StaffRef::parse("unknown").expect("valid"), |e| e.recorded_by.clone()),
            };
        }
    }
    Plan { expected_release, items, medicines, handover }
}

/// A release plan step is for a person in custody; a handover is accepted after it is referred,
/// and referred no earlier than 12 weeks before the expected release.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let kind = &event.kind;
    if !matches!(
        kind,
        EventKind::ReleasePlanItemCompleted { .. }
            | EventKind::ReleasePlanItemNoted { .. }
            | EventKind::CommunityHandoverReferred { .. }
            | EventKind::CommunityHandoverAccepted { .. }
    ) {
        return Ok(());
    }
    let state = timeline.state_at(event.occurred_at);
    let Some(episode) = state.current_episode() else {
        return Err("the person is not in custody: a release plan is for someone still to be released".into());
    };
    match kind {
        EventKind::CommunityHandoverReferred { .. } => {
            if let Some(release) = episode.expected_release {
                let opens = release.checked_sub(jiff::Span::new().days(HANDOVER_FROM_DAYS)).unwrap_or(release);
                if crate::time::date_in_england(event.occurred_at) < opens {
                    return Err(format!(
                        "care after custody takes referrals from 12 weeks before release: from {}",
                        crate::display::date(opens)
                    ));
                }
            }
            if plan(timeline).handover.is_some_and(|h| h.accepted_at.is_none()) {
                return Err("a referral for care after release is already waiting for an answer".into());
            }
            Ok(())
        }
        EventKind::CommunityHandoverAccepted { referral } => match plan(timeline).handover {
            Some(h) if h.referral == *referral && h.accepted_at.is_none() => Ok(()),
            Some(h) if h.referral == *referral => Err("this handover is already accepted".into()),
            _ => Err("accept the latest referral for care after release".into()),
        },
        EventKind::ReleasePlanItemCompleted { item } => match plan(timeline).item(*item).status {
            Status::Done { .. } => Err(format!("{} is already done", item.label())),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::walk;

    fn reception(release: &str) -> EventKind {
        EventKind::parse(
            "reception",
            &format!(r#"{{"establishment":"AAB","reception_type":"NEW","legal_status":"SENTENCED","expected_release":"{release}"}}"#),
        )
        .unwrap()
    }

    #[test]
    fn a_plan_follows_the_person_across_a_transfer_and_starts_again_after_release() {
        let t = walk(
            check_step,
            vec![
                ("2026-01-05T10:00:00Z", reception("2026-09-30")),
                ("2026-02-01T10:00:00Z", EventKind::ReleasePlanItemCompleted { item: ReleasePlanItem::IdDocuments }),
                (
                    "2026-02-02T10:00:00Z",
                    EventKind::ReleasePlanItemNoted { item: ReleasePlanItem::Accommodation, note: "CAS3 asked".into() },
                ),
                ("2026-03-01T10:00:00Z", EventKind::parse("transfer_out", r#"{"to_establishment":"MDI"}"#).unwrap()),
                (
                    "2026-03-01T16:00:00Z",
                    EventKind::parse(
                        "reception",
                        r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
                    )
                    .unwrap(),
                ),
            ],
        )
        .unwrap();
        let p = plan(&t);
        assert!(
            matches!(p.item(ReleasePlanItem::IdDocuments).status, Status::Done { .. }),
            "done at the last prison still counts"
        );
        assert_eq!(p.item(ReleasePlanItem::Accommodation).status, Status::InProgress);
        assert_eq!(p.expected_release, Some("2026-09-30".parse().unwrap()));
        assert!(!p.outstanding().contains(&ReleasePlanItem::IdDocuments));
    }

    #[test]
    fn the_handover_is_referred_from_twelve_weeks_before_release_then_accepted() {
        let early = walk(
            check_step,
            vec![
                ("2026-01-05T10:00:00Z", reception("2026-09-30")),
                ("2026-06-01T10:00:00Z", EventKind::CommunityHandoverReferred { service: "RECONNECT".into() }),
            ],
        );
        assert_eq!(
            early.unwrap_err(),
            (1, "care after custody takes referrals from 12 weeks before release: from 8 July 2026".into())
        );
        let accepted_first = walk(
            check_step,
            vec![
                ("2026-01-05T10:00:00Z", reception("2026-09-30")),
                (
                    "2026-07-10T10:00:00Z",
                    EventKind::CommunityHandoverAccepted { referral: EventId::from_random_bytes([9; 16]) },
                ),
            ],
        );
        assert_eq!(accepted_first.unwrap_err().0, 1);
        let t = walk(
            check_step,
            vec![
                ("2026-01-05T10:00:00Z", reception("2026-09-30")),
                ("2026-07-10T10:00:00Z", EventKind::CommunityHandoverReferred { service: "RECONNECT".into() }),
            ],
        )
        .unwrap();
        let referral = t.all()[1].id;
        let mut events = t.all().to_vec();
        let accept = crate::pathways::testing::event(
            3,
            "2026-07-20T10:00:00Z",
            EventKind::CommunityHandoverAccepted { referral },
        );
        check_step(&t, &accept).unwrap();
        events.push(accept);
        let p = plan(&Timeline::new(events));
        assert!(matches!(p.item(ReleasePlanItem::CommunityMentalHealth).status, Status::Done { .. }));
        assert!(p.handover.unwrap().accepted_at.is_some());
    }

    #[test]
    fn no_plan_steps_for_someone_not_in_custody() {
        let released = walk(
            check_step,
            vec![
                ("2026-01-05T10:00:00Z", reception("2026-03-30")),
                ("2026-03-30T10:00:00Z", EventKind::parse("release", r#"{"release_type":"CONDITIONAL"}"#).unwrap()),
                ("2026-04-02T10:00:00Z", EventKind::ReleasePlanItemCompleted { item: ReleasePlanItem::GpRegistration }),
            ],
        );
        assert_eq!(
            released.unwrap_err().1,
            "the person is not in custody: a release plan is for someone still to be released"
        );
    }
}
