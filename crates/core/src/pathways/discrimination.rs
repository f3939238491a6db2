//! Discrimination incident reports (DIRF): reported → acknowledged → investigated by someone the
//! complaint does not name → answered with a finding and a response → quality-checked and sent →
//! appealed and decided; and who may read a complaint.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::characteristics::Characteristic;
use crate::event::{ComplaintFinding, ComplaintReporter, Event, EventKind};
use crate::ids::{EventId, StaffRef};
use crate::timeline::Timeline;

/// The kinds that start a complaint, and its steps: what a register of complaints reads.
pub const RAISED: &[&str] = &["discrimination_complaint_raised"];
pub const STEPS: &[&str] = &[
    "discrimination_complaint_acknowledged",
    "discrimination_staff_identified",
    "discrimination_investigator_named",
    "discrimination_complaint_answered",
    "discrimination_answer_checked",
    "discrimination_complaint_appealed",
    "discrimination_appeal_decided",
];

/// Where a complaint stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Reported,
    Acknowledged,
    Investigating {
        investigator: StaffRef,
    },
    /// A finding waits for its quality check; nothing has gone to the person yet.
    AwaitingCheck {
        answer: EventId,
    },
    /// The response has been sent to the person.
    Answered {
        finding: Option<ComplaintFinding>,
        at: Timestamp,
    },
    Appealed {
        appeal: EventId,
    },
    AppealDecided {
        finding: ComplaintFinding,
        at: Timestamp,
    },
}

impl Stage {
    pub fn label(&self) -> &'static str {
        match self {
            Stage::Reported => "Waiting to be acknowledged",
            Stage::Acknowledged => "Acknowledged: needs an investigator",
            Stage::Investigating { .. } => "Being investigated",
            Stage::AwaitingCheck { .. } => "Finding waiting for its quality check",
            Stage::Answered { .. } => "Answered",
            Stage::Appealed { .. } => "Appealed",
            Stage::AppealDecided { .. } => "Appeal decided",
        }
    }
    pub fn is_open(&self) -> bool {
        !matches!(self, Stage::Answered { .. } | Stage::AppealDecided { .. })
    }
}

/// A finding and the response the person is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub id: EventId,
    pub at: Timestamp,
    pub by: StaffRef,
    pub finding: Option<ComplaintFinding>,
    pub upheld: bool,
    pub response: Option<String>,
    /// The quality check: approved or returned, with the manager's comment.
    pub check: Option<(bool, Option<String>, StaffRef, Timestamp)>,
}

/// One complaint, derived from the timeline of the person it happened to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub id: EventId,
    pub raised_at: Timestamp,
    pub recorded_by: StaffRef,
    pub characteristics: Vec<Characteristic>,
    pub reporter: Option<ComplaintReporter>,
    pub what_happened: Option<String>,
    pub happened_on: Option<Date>,
    pub place: Option<String>,
    pub involved: Option<String>,
    pub staff_named: Vec<StaffRef>,
    pub wants: Option<String>,
    pub from_kiosk: bool,
    pub acknowledged_at: Option<Timestamp>,
    pub investigator: Option<StaffRef>,
    /// Every finding recorded, in order: a returned finding is followed by another.
    pub answers: Vec<Answer>,
    pub appeal: Option<(EventId, String, Timestamp)>,
    pub appeal_decision: Option<(ComplaintFinding, String, StaffRef, Timestamp)>,
    pub stage: Stage,
}

impl Complaint {
    /// The finding sent to the person, if any (the appeal's, once decided).
    pub fn final_finding(&self) -> Option<ComplaintFinding> {
        if let Some((f, ..)) = &self.appeal_decision {
            return Some(*f);
        }
        self.sent().and_then(|a| {
            a.finding.or(Some(if a.upheld { ComplaintFinding::Upheld } else { ComplaintFinding::NotUpheld }))
        })
    }

    /// The answer that passed its quality check and went to the person (older records, made
    /// before the check, went at once).
    pub fn sent(&self) -> Option<&Answer> {
        self.answers.iter().rev().find(|a| matches!(a.check, Some((true, ..))) || a.response.is_none())
    }

    /// When the answer went to the person: its approval, or the answer itself for older records.
    pub fn sent_at(&self) -> Option<Timestamp> {
        self.sent().map(|a| a.check.as_ref().map_or(a.at, |(_, _, _, at)| *at))
    }

    /// Whether a member of staff is named in it: they never read it, investigate it or check it.
    pub fn names(&self, staff: &StaffRef) -> bool {
        self.staff_named.contains(staff)
    }
}

/// Every complaint on the timeline, oldest first.
pub fn complaints(timeline: &Timeline) -> Vec<Complaint> {
    let mut out: Vec<Complaint> = Vec::new();
    for e in timeline.live() {
        let find = |out: &mut Vec<Complaint>, id: &EventId| out.iter_mut().position(|c| c.id == *id);
        match &e.kind {
            EventKind::DiscriminationComplaintRaised {
                characteristic,
                also,
                reporter,
                what_happened,
                happened_on,
                place,
                involved,
                staff_named,
                wants,
                from_kiosk,
            } => out.push(Complaint {
                id: e.id,
                raised_at: e.occurred_at,
                recorded_by: e.recorded_by.clone(),
                characteristics: characteristic.iter().chain(also).copied().collect(),
                reporter: *reporter,
                what_happened: what_happened.clone(),
                happened_on: *happened_on,
                place: place.clone(),
                involved: involved.clone(),
                staff_named: staff_named.clone(),
                wants: wants.clone(),
                from_kiosk: *from_kiosk,
                acknowledged_at: None,
                investigator: None,
                answers: vec![],
                appeal: None,
                appeal_decision: None,
                stage: Stage::Reported,
            }),
            EventKind::DiscriminationComplaintAcknowledged { complaint } => {
                if let Some(i) = find(&mut out, complaint) {
                    let c = &mut out[i];
                    c.acknowledged_at.get_or_insert(e.occurred_at);
                    if c.stage == Stage::Reported {
                        c.stage = Stage::Acknowledged;
                    }
                }
            }
            EventKind::DiscriminationStaffIdentified { complaint, staff } => {
                if let Some(i) = find(&mut out, complaint) {
                    for s in staff {
                        if !out[i].staff_named.contains(s) {
                            out[i].staff_named.push(s.clone());
                        }
                    }
                }
            }
            EventKind::DiscriminationInvestigatorNamed { complaint, investigator } => {
                if let Some(i) = find(&mut out, complaint) {
                    let c = &mut out[i];
                    c.investigator = Some(investigator.clone());
                    if c.stage.is_open() && !matches!(c.stage, Stage::AwaitingCheck { .. } | Stage::Appealed { .. }) {
                        c.stage = Stage::Investigating { investigator: investigator.clone() };
                    }
                }
            }
            EventKind::DiscriminationComplaintAnswered { complaint, upheld, finding, response } => {
                if let Some(i) = find(&mut out, complaint) {
                    let c = &mut out[i];
                    c.answers.push(Answer {
                        id: e.id,
                        at: e.occurred_at,
                        by: e.recorded_by.clone(),
                        finding: *finding,
                        upheld: *upheld,
                        response: response.clone(),
                        check: None,
                    });
                    // Records made before the quality check existed went straight to the person.
                    c.stage = if response.is_none() {
                        Stage::Answered { finding: *finding, at: e.occurred_at }
                    } else {
                        Stage::AwaitingCheck { answer: e.id }
                    };
                }
            }
            EventKind::DiscriminationAnswerChecked { answer, approved, comment } => {
                if let Some(c) = out.iter_mut().find(|c| c.answers.iter().any(|a| a.id == *answer)) {
                    let a = c.answers.iter_mut().find(|a| a.id == *answer).expect("found above");
                    a.check = Some((*approved, comment.clone(), e.recorded_by.clone(), e.occurred_at));
                    let finding = a.finding;
                    c.stage = if *approved {
                        Stage::Answered { finding, at: e.occurred_at }
                    } else {
                        match &c.investigator {
                            Some(i) => Stage::Investigating { investigator: i.clone() },
                            None => Stage::Acknowledged,
                        }
                    };
                }
            }
            EventKind::DiscriminationComplaintAppealed { complaint, reason } => {
                if let Some(i) = find(&mut out, complaint) {
                    let c = &mut out[i];
                    c.appeal = Some((e.id, reason.clone(), e.occurred_at));
                    c.stage = Stage::Appealed { appeal: e.id };
                }
            }
            EventKind::DiscriminationAppealDecided { appeal, finding, response } => {
                if let Some(c) = out.iter_mut().find(|c| c.appeal.as_ref().is_some_and(|(id, ..)| id == appeal)) {
                    c.appeal_decision = Some((*finding, response.clone(), e.recorded_by.clone(), e.occurred_at));
                    c.stage = Stage::AppealDecided { finding: *finding, at: e.occurred_at };
                }
            }
            _ => {}
        }
    }
    out
}

/// The complaints raised while the person was held at `establishment` whose answer has gone to
/// them, each with when it went: a quarter's pool for independent scrutiny, wherever they are now.
pub fn answered_at(t: &Timeline, establishment: &crate::ids::EstablishmentCode) -> Vec<(Complaint, Timestamp)> {
    complaints(t)
        .into_iter()
        .filter(|c| t.state_at(c.raised_at).current_episode().is_some_and(|ep| &ep.establishment == establishment))
        .filter_map(|c| c.sent_at().map(|at| (c, at)))
        .collect()
}

/// The rules of a complaint's steps. Whoever a complaint names is kept out of it; the finding is
/// the investigator's, and the check and the appeal are someone else's.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let all = || complaints(timeline);
    let by = &event.recorded_by;
    let complaint = |id: &EventId| all().into_iter().find(|c| c.id == *id);
    match &event.kind {
        EventKind::DiscriminationComplaintRaised { staff_named, .. } if staff_named.contains(by) => {
            Err("staff_named: a member of staff cannot record a complaint that names them; another member of staff records it".into())
        }
        EventKind::DiscriminationComplaintAcknowledged { complaint: id } => match complaint(id) {
            Some(c) if c.names(by) => Err(NAMED.into()),
            Some(c) if c.acknowledged_at.is_some() => Err("complaint: already acknowledged".into()),
            _ => Ok(()),
        },
        EventKind::DiscriminationStaffIdentified { complaint: id, staff } => match complaint(id) {
            Some(c) if c.names(by) || staff.contains(by) => Err(NAMED.into()),
            Some(c) if c.investigator.as_ref().is_some_and(|i| staff.contains(i)) => Err(
                "staff: the complaint's investigator is among them; name another investigator first".into(),
            ),
            _ => Ok(()),
        },
        EventKind::DiscriminationInvestigatorNamed { complaint: id, investigator } => match complaint(id) {
            Some(c) if c.names(by) => Err(NAMED.into()),
            Some(c) if c.names(investigator) => {
                Err("investigator: the complaint names this member of staff; choose someone not involved".into())
            }
            Some(c) if !matches!(c.stage, Stage::Reported | Stage::Acknowledged | Stage::Investigating { .. }) => {
                Err("complaint: its investigation is finished".into())
            }
            _ => Ok(()),
        },
        EventKind::DiscriminationComplaintAnswered { complaint: id, .. } => match complaint(id) {
            Some(c) => match &c.stage {
                Stage::Investigating { investigator } if investigator == by => Ok(()),
                Stage::Investigating { investigator } => {
                    Err(format!("complaint: the finding is for its investigator, {investigator}, to record"))
                }
                Stage::Reported | Stage::Acknowledged => Err("complaint: name an investigator first".into()),
                Stage::AwaitingCheck { .. } => Err("complaint: a finding is waiting for its quality check".into()),
                _ => Err("complaint: already answered".into()),
            },
            None => Ok(()),
        },
        EventKind::DiscriminationAnswerChecked { answer, .. } => {
            let Some(c) = all().into_iter().find(|c| c.answers.iter().any(|a| a.id == *answer)) else { return Ok(()) };
            if c.names(by) {
                return Err(NAMED.into());
            }
            if c.investigator.as_ref() == Some(by) {
                return Err("answer: the quality check is for someone other than the investigator".into());
            }
            match c.stage {
                Stage::AwaitingCheck { answer: waiting } if waiting == *answer => Ok(()),
                _ => Err("answer: this finding is not waiting for a check".into()),
            }
        }
        EventKind::DiscriminationComplaintAppealed { complaint: id, .. } => match complaint(id) {
            Some(c) if matches!(c.stage, Stage::Answered { .. }) => Ok(()),
            Some(c) if c.appeal.is_some() => Err("complaint: already appealed; an appeal is decided once".into()),
            Some(_) => Err("complaint: it can be appealed once the person has its response".into()),
            None => Ok(()),
        },
        EventKind::DiscriminationAppealDecided { appeal, .. } => {
            let Some(c) = all().into_iter().find(|c| c.appeal.as_ref().is_some_and(|(id, ..)| id == appeal)) else {
                return Ok(());
            };
            if c.names(by) {
                return Err(NAMED.into());
            }
            if c.answers.iter().any(|a| &a.by == by) {
                return Err("appeal: decided by someone other than the investigator".into());
            }
            if c.appeal_decision.is_some() {
                return Err("appeal: already decided".into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

const NAMED: &str = "complaint: it names you, so another member of staff deals with it";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{event, walk};

    fn raise() -> EventKind {
        EventKind::DiscriminationComplaintRaised {
            characteristic: Some(Characteristic::Religion),
            also: vec![],
            reporter: Some(ComplaintReporter::Person),
            what_happened: Some("Refused a prayer mat".into()),
            happened_on: None,
            place: None,
            involved: None,
            staff_named: vec![StaffRef::parse("officer.jones").unwrap()],
            wants: Some("An apology".into()),
            from_kiosk: true,
        }
    }
    fn id(n: u8) -> EventId {
        event(n, "2026-01-01T00:00:00Z", EventKind::HealthAssessmentCompleted {}).id
    }
    fn staff(s: &str) -> StaffRef {
        StaffRef::parse(s).unwrap()
    }

    /// Walks steps, each recorded by the named member of staff.
    fn steps(list: Vec<(&str, &str, EventKind)>) -> Result<Timeline, (usize, String)> {
        let mut events: Vec<Event> = Vec::new();
        for (i, (when, who, kind)) in list.into_iter().enumerate() {
            let mut e = event(i as u8 + 1, when, kind);
            e.recorded_by = staff(who);
            check_step(&Timeline::new(events.clone()), &e).map_err(|m| (i, m))?;
            events.push(e);
        }
        Ok(Timeline::new(events))
    }

    fn answer(finding: ComplaintFinding) -> EventKind {
        EventKind::DiscriminationComplaintAnswered {
            complaint: id(1),
            upheld: finding.upheld(),
            finding: Some(finding),
            response: Some("We looked into it".into()),
        }
    }

    #[test]
    fn a_complaint_runs_from_report_to_appeal() {
        let t = steps(vec![
            ("2026-03-02T09:00:00Z", "officer.smith", raise()),
            (
                "2026-03-03T09:00:00Z",
                "equality.lead",
                EventKind::DiscriminationComplaintAcknowledged { complaint: id(1) },
            ),
            (
                "2026-03-03T09:05:00Z",
                "equality.lead",
                EventKind::DiscriminationInvestigatorNamed { complaint: id(1), investigator: staff("cm.khan") },
            ),
            ("2026-03-20T09:00:00Z", "cm.khan", answer(ComplaintFinding::NotUpheld)),
            (
                "2026-03-21T09:00:00Z",
                "equality.lead",
                EventKind::DiscriminationAnswerChecked {
                    answer: id(4),
                    approved: false,
                    comment: Some("Ask the witness".into()),
                },
            ),
            ("2026-03-24T09:00:00Z", "cm.khan", answer(ComplaintFinding::PartlyUpheld)),
            (
                "2026-03-25T09:00:00Z",
                "equality.lead",
                EventKind::DiscriminationAnswerChecked { answer: id(6), approved: true, comment: None },
            ),
            (
                "2026-03-30T09:00:00Z",
                "officer.smith",
                EventKind::DiscriminationComplaintAppealed { complaint: id(1), reason: "Not enough".into() },
            ),
            (
                "2026-04-10T09:00:00Z",
                "governor.patel",
                EventKind::DiscriminationAppealDecided {
                    appeal: id(8),
                    finding: ComplaintFinding::Upheld,
                    response: "On appeal".into(),
                },
            ),
        ])
        .unwrap();
        let c = &complaints(&t)[0];
        assert_eq!(c.answers.len(), 2);
        assert_eq!(c.sent().unwrap().id, id(6));
        assert_eq!(c.final_finding(), Some(ComplaintFinding::Upheld));
        assert!(matches!(c.stage, Stage::AppealDecided { .. }));
    }

    #[test]
    fn the_staff_it_names_are_kept_out_and_each_step_has_its_person() {
        let base = vec![
            ("2026-03-02T09:00:00Z", "officer.smith", raise()),
            (
                "2026-03-03T09:00:00Z",
                "equality.lead",
                EventKind::DiscriminationComplaintAcknowledged { complaint: id(1) },
            ),
        ];
        // Named staff cannot record it, acknowledge it, or investigate it.
        let mut own = base.clone();
        own[0].1 = "officer.jones";
        assert!(steps(own).unwrap_err().1.contains("names them"));
        let mut ack = base.clone();
        ack[1].1 = "officer.jones";
        assert!(steps(ack).unwrap_err().1.contains("names you"));
        let mut inv = base.clone();
        inv.push((
            "2026-03-03T10:00:00Z",
            "equality.lead",
            EventKind::DiscriminationInvestigatorNamed { complaint: id(1), investigator: staff("officer.jones") },
        ));
        assert!(steps(inv).unwrap_err().1.contains("not involved"));
        // Only the investigator records the finding, and someone else checks it.
        let mut answered = base.clone();
        answered.push((
            "2026-03-03T10:00:00Z",
            "equality.lead",
            EventKind::DiscriminationInvestigatorNamed { complaint: id(1), investigator: staff("cm.khan") },
        ));
        let mut wrong = answered.clone();
        wrong.push(("2026-03-04T10:00:00Z", "equality.lead", answer(ComplaintFinding::Upheld)));
        assert_eq!(steps(wrong).unwrap_err().0, 3);
        answered.push(("2026-03-04T10:00:00Z", "cm.khan", answer(ComplaintFinding::Upheld)));
        let mut self_check = answered.clone();
        self_check.push((
            "2026-03-05T10:00:00Z",
            "cm.khan",
            EventKind::DiscriminationAnswerChecked { answer: id(4), approved: true, comment: None },
        ));
        assert!(steps(self_check).unwrap_err().1.contains("other than the investigator"));
        // No appeal before the person has the response.
        let mut early = answered.clone();
        early.push((
            "2026-03-05T10:00:00Z",
            "officer.smith",
            EventKind::DiscriminationComplaintAppealed { complaint: id(1), reason: "x".into() },
        ));
        assert!(steps(early).unwrap_err().1.contains("once the person has its response"));
    }

    #[test]
    fn older_records_are_answered_at_once() {
        let t = walk(
            check_step,
            vec![
                ("2026-03-02T09:00:00Z", EventKind::complaint_about(Characteristic::Ethnicity)),
                (
                    "2026-03-09T09:00:00Z",
                    EventKind::DiscriminationComplaintAnswered {
                        complaint: id(1),
                        upheld: true,
                        finding: None,
                        response: None,
                    },
                ),
            ],
        );
        // Refused now (an investigator first), as every new answer is.
        assert!(t.is_err());
        let t = Timeline::new(vec![
            event(1, "2026-03-02T09:00:00Z", EventKind::complaint_about(Characteristic::Ethnicity)),
            event(
                2,
                "2026-03-09T09:00:00Z",
                EventKind::DiscriminationComplaintAnswered {
                    complaint: id(1),
                    upheld: true,
                    finding: None,
                    response: None,
                },
            ),
        ]);
        assert_eq!(complaints(&t)[0].final_finding(), Some(ComplaintFinding::Upheld));
    }
}
