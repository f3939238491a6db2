//! ACCT (Assessment, Care in Custody and Teamwork): each case derived from the timeline, with its
//! case manager, assessment, reviews and the levels they set, care plan, ongoing record, triggers,
//! closure and post-closure review; and the order the steps must come in.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::event::{AcctReview, AcctTrigger, Event, EventKind};
use crate::ids::{EventId, StaffRef};
use crate::time::date_in_england;
use crate::timeline::Timeline;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: EventId,
    pub at: Timestamp,
    /// None for a review recorded before reviews carried their decisions.
    pub review: Option<AcctReview>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAction {
    pub id: EventId,
    pub issue: String,
    pub goal: String,
    pub action: String,
    pub owner: String,
    pub due: Date,
    pub done: Option<Timestamp>,
}

/// One ACCT case from opening to its post-closure review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcctCase {
    pub id: EventId,
    pub opened_at: Timestamp,
    pub opened_by: StaffRef,
    pub concern: Option<String>,
    pub immediate_action: Option<String>,
    /// Every case manager named, in order (at a review or on their own).
    pub case_managers: Vec<(Timestamp, StaffRef)>,
    pub assessment: Option<(Timestamp, StaffRef)>,
    pub reviews: Vec<Review>,
    pub plan: Vec<PlanAction>,
    /// The ongoing record: when, and whether a conversation (else an observation).
    pub record: Vec<(Timestamp, bool)>,
    pub triggers: Vec<(Timestamp, AcctTrigger)>,
    pub closed: Option<(Timestamp, Option<String>)>,
    pub post_closure_review: Option<Timestamp>,
}

impl AcctCase {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    pub fn case_manager(&self) -> Option<&StaffRef> {
        self.case_managers.last().map(|(_, s)| s)
    }

    /// The decisions of the latest review that recorded them.
    pub fn latest_review(&self) -> Option<&AcctReview> {
        self.reviews.iter().rev().find_map(|r| r.review.as_ref())
    }

    pub fn next_review(&self) -> Option<Date> {
        self.latest_review().map(|r| r.next_review)
    }

    /// What the Prisons and Probation Ombudsman keeps finding, for one review: held without
    /// healthcare, or chaired by a different case manager from the review before.
    pub fn review_warnings(&self, review: EventId) -> Vec<String> {
        let Some(i) = self.reviews.iter().position(|r| r.id == review) else { return vec![] };
        let Some(r) = &self.reviews[i].review else { return vec![] };
        let mut out = Vec::new();
        if !r.healthcare_present {
            out.push("Held without healthcare".to_string());
        }
        let before = self.reviews[..i].iter().rev().find_map(|x| x.review.as_ref());
        if let Some(b) = before.filter(|b| b.case_manager != r.case_manager) {
            out.push(format!("A different case manager from the last review ({})", b.case_manager));
        }
        out
    }
}

/// Every event kind an ACCT case is made of (and self-harm, which it links), for reading only them.
pub const KINDS: &[&str] = &[
    "acct_opened",
    "acct_case_manager_named",
    "acct_assessment_interview",
    "acct_reviewed",
    "acct_care_plan_action",
    "acct_care_plan_action_done",
    "acct_observation",
    "acct_trigger_recorded",
    "acct_closed",
    "acct_post_closure_review",
    "self_harm_incident",
];

/// The hours counted as day for observation levels (08:00 to 20:00 London time): a local
/// default, since the plan sets day and night levels without fixing the hours.
pub const DAY_STARTS: i8 = 8;
pub const NIGHT_STARTS: i8 = 20;

/// A gap in the ongoing record longer than the level in force allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: Timestamp,
    /// When the next entry came, or `until` when none has yet.
    pub to: Timestamp,
    pub level: crate::event::ObservationLevel,
    pub allowed_minutes: i64,
}

/// The level in force at `from` (day or night, as the latest review before it set), and the
/// longest gap it allows in minutes; None before any review set levels, or under constant supervision.
fn level_at(case: &AcctCase, from: Timestamp) -> Option<(crate::event::ObservationLevel, i64)> {
    let r = case.reviews.iter().rev().filter(|r| r.at <= from).find_map(|r| r.review.as_ref())?;
    let hour = crate::time::london().to_datetime(from).hour();
    let level = if (DAY_STARTS..NIGHT_STARTS).contains(&hour) { r.observations_day } else { r.observations_night };
    level.max_gap_minutes().map(|allowed| (level, allowed))
}

/// When the next check is due on an open case: the gap the level allows after the latest check
/// (or after the first review that set levels). None when closed, before levels are set, or
/// under constant supervision.
pub fn next_check_due(case: &AcctCase, now: Timestamp) -> Option<Timestamp> {
    if !case.is_open() {
        return None;
    }
    let from = *clock_points(case, now).last()?;
    let (_, allowed) = level_at(case, from)?;
    Some(from + jiff::SignedDuration::from_mins(allowed))
}

/// The points the observation clock runs from: the first review that set levels, then each check
/// after it up to `end`. Empty before any review set levels.
fn clock_points(case: &AcctCase, end: Timestamp) -> Vec<Timestamp> {
    let Some(first) = case.reviews.iter().find(|r| r.review.is_some()) else { return vec![] };
    let mut checks: Vec<Timestamp> =
        case.record.iter().map(|(t, _)| *t).filter(|t| *t <= end && *t > first.at).collect();
    checks.sort();
    let mut points = vec![first.at];
    points.extend(checks);
    points
}

/// The gap from `from` to `to`, if it is longer than the level in force at `from` allows.
fn gap(case: &AcctCase, from: Timestamp, to: Timestamp) -> Option<Gap> {
    let (level, allowed) = level_at(case, from)?;
    ((to - from).as_secs() > allowed * 60).then_some(Gap { from, to, level, allowed_minutes: allowed })
}

/// Every gap between checks (observations and conversations alike) longer than the level set at
/// the latest review allows, from the first review that set levels until closure or `until`.
pub fn observation_gaps(case: &AcctCase, until: Timestamp) -> Vec<Gap> {
    let end = case.closed.as_ref().map_or(until, |(t, _)| (*t).min(until));
    let mut points = clock_points(case, end);
    if points.is_empty() {
        return vec![];
    }
    points.push(end);
    points.windows(2).filter_map(|pair| gap(case, pair[0], pair[1])).collect()
}

/// What the register shows of an open case, kept beside the obligations whenever the person's
/// events change, so the register reads one row per open case rather than every check ever made.
/// Only the gap still running depends on the clock, so it is worked out when read (`gaps_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub id: EventId,
    pub opened_at: Timestamp,
    pub case_manager: Option<StaffRef>,
    /// The levels the latest review set, day and night.
    pub levels: Option<(crate::event::ObservationLevel, crate::event::ObservationLevel)>,
    pub next_review: Option<Date>,
    /// Gaps in the ongoing record that have ended (a later check came).
    pub gaps_ended: u32,
    /// The latest point the clock runs from (the first review that set levels, or the latest
    /// check after it), and the longest gap the level in force then allows, in minutes.
    pub running_from: Option<(Timestamp, i64)>,
}

impl OpenCase {
    /// The register's summary of an open case; None for a closed one.
    pub fn of(case: &AcctCase) -> Option<Self> {
        if !case.is_open() {
            return None;
        }
        let points = clock_points(case, Timestamp::MAX);
        let gaps_ended = points.windows(2).filter(|pair| gap(case, pair[0], pair[1]).is_some()).count();
        Some(Self {
            id: case.id,
            opened_at: case.opened_at,
            case_manager: case.case_manager().cloned(),
            levels: case.latest_review().map(|r| (r.observations_day, r.observations_night)),
            next_review: case.next_review(),
            gaps_ended: u32::try_from(gaps_ended).unwrap_or(u32::MAX),
            running_from: points.last().and_then(|from| level_at(case, *from).map(|(_, allowed)| (*from, allowed))),
        })
    }

    /// Gaps in the ongoing record as at `now`: the ended ones, and the one still running if it
    /// is already longer than allowed. Equal to `observation_gaps(case, now).len()` for a case
    /// whose checks are all before `now`.
    pub fn gaps_at(&self, now: Timestamp) -> usize {
        let running = self.running_from.is_some_and(|(from, allowed)| (now - from).as_secs() > allowed * 60);
        self.gaps_ended as usize + usize::from(running)
    }
}

/// The open case on a timeline, summarised for the register (at most one is open at a time).
pub fn open_case(timeline: &Timeline) -> Option<OpenCase> {
    cases(timeline).iter().rev().find_map(OpenCase::of)
}

/// Every ACCT case on a timeline, oldest first. Unlinked steps from older records belong to the
/// latest case.
pub fn cases(timeline: &Timeline) -> Vec<AcctCase> {
    let mut out: Vec<AcctCase> = Vec::new();
    for e in timeline.live() {
        let at = e.occurred_at;
        if let EventKind::AcctOpened { concern, immediate_action } = &e.kind {
            out.push(AcctCase {
                id: e.id,
                opened_at: at,
                opened_by: e.recorded_by.clone(),
                concern: concern.clone(),
                immediate_action: immediate_action.clone(),
                case_managers: Vec::new(),
                assessment: None,
                reviews: Vec::new(),
                plan: Vec::new(),
                record: Vec::new(),
                triggers: Vec::new(),
                closed: None,
                post_closure_review: None,
            });
            continue;
        }
        let target = match &e.kind {
            EventKind::AcctCarePlanActionDone { action } => {
                out.iter().position(|c| c.plan.iter().any(|p| p.id == *action))
            }
            k => match k.answers() {
                Some((id, kinds)) if kinds == ["acct_opened"] => out.iter().position(|c| c.id == id),
                _ if matches!(
                    k,
                    EventKind::AcctReviewed { acct: None, .. } | EventKind::AcctClosed { acct: None, .. }
                ) =>
                {
                    out.len().checked_sub(1)
                }
                _ => None,
            },
        };
        let Some(c) = target.map(|i| &mut out[i]) else { continue };
        match &e.kind {
            EventKind::AcctCaseManagerNamed { case_manager, .. } => c.case_managers.push((at, case_manager.clone())),
            EventKind::AcctAssessmentInterview { assessor, .. } => c.assessment = Some((at, assessor.clone())),
            EventKind::AcctReviewed { review, .. } => {
                if let Some(r) = review {
                    if c.case_manager() != Some(&r.case_manager) {
                        c.case_managers.push((at, r.case_manager.clone()));
                    }
                }
                c.reviews.push(Review { id: e.id, at, review: review.clone() });
            }
            EventKind::AcctCarePlanAction { issue, goal, action, owner, due, .. } => c.plan.push(PlanAction {
                id: e.id,
                issue: issue.clone(),
                goal: goal.clone(),
                action: action.clone(),
                owner: owner.clone(),
                due: *due,
                done: None,
            }),
            EventKind::AcctCarePlanActionDone { action } => {
                if let Some(p) = c.plan.iter_mut().find(|p| p.id == *action) {
                    p.done.get_or_insert(at);
                }
            }
            EventKind::AcctObservation { conversation, .. } => c.record.push((at, *conversation)),
            EventKind::AcctTriggerRecorded { trigger, .. } => c.triggers.push((at, *trigger)),
            EventKind::AcctClosed { reason, .. } => c.closed = Some((at, reason.clone())),
            EventKind::AcctPostClosureReview { .. } => c.post_closure_review = Some(at),
            _ => {}
        }
    }
    out
}

/// Whether an ACCT step may come next on this timeline; the reason names the field or the step.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let all = cases(timeline);
    let day = date_in_england(event.occurred_at);
    match &event.kind {
        EventKind::AcctOpened { .. } if all.iter().any(AcctCase::is_open) => {
            Err("an ACCT is already open for this person: review it instead".into())
        }
        EventKind::AcctReviewed { acct: None, .. } | EventKind::AcctClosed { acct: None, .. } => {
            Err("acct: say which ACCT case this belongs to".into())
        }
        EventKind::AcctCarePlanActionDone { action } => {
            let c = all.iter().find(|c| c.plan.iter().any(|p| p.id == *action));
            match c {
                Some(c) if !c.is_open() => Err("the ACCT is closed".into()),
                Some(c) if c.plan.iter().any(|p| p.id == *action && p.done.is_some()) => {
                    Err("that care plan action is already done".into())
                }
                _ => Ok(()),
            }
        }
        k => {
            let Some((id, kinds)) = k.answers() else { return Ok(()) };
            if kinds != ["acct_opened"] {
                return Ok(());
            }
            // check_links has refused a link to nothing; here the case's own state decides.
            let Some(c) = all.iter().find(|c| c.id == id) else { return Ok(()) };
            match k {
                EventKind::AcctPostClosureReview { .. } => {
                    match (c.closed.is_some(), c.post_closure_review.is_some()) {
                        (false, _) => Err("the post-closure review follows closure: the ACCT is still open".into()),
                        (true, true) => Err("the post-closure review is already recorded".into()),
                        (true, false) => Ok(()),
                    }
                }
                _ if !c.is_open() => Err("the ACCT is closed".into()),
                EventKind::AcctAssessmentInterview { .. } if c.assessment.is_some() => {
                    Err("the assessment interview is already recorded".into())
                }
                EventKind::AcctReviewed { review: None, .. } => {
                    Err("review: a case review records who attended, the levels set and the next review date".into())
                }
                EventKind::AcctReviewed { review: Some(r), .. } if r.next_review < day => {
                    Err("next_review: the next review date must be on or after the day of this review".into())
                }
                EventKind::AcctClosed { reason, .. } if reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                    Err("reason: say why the ACCT is closed".into())
                }
                EventKind::AcctCarePlanAction { due, .. } if *due < date_in_england(c.opened_at) => {
                    Err("due: a care plan action is due after the ACCT opened".into())
                }
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ObservationLevel;

    use crate::pathways::testing::at;

    fn acct() -> EventId {
        EventId::from_random_bytes([1; 16])
    }

    fn review(manager: &str, healthcare: bool, next: Date) -> EventKind {
        EventKind::AcctReviewed {
            acct: Some(acct()),
            review: Some(AcctReview {
                case_manager: StaffRef::parse(manager).unwrap(),
                attended: "wing officer".into(),
                healthcare_present: healthcare,
                person_present: true,
                family_involved: false,
                observations_day: ObservationLevel::Hourly,
                observations_night: ObservationLevel::TwoHourly,
                conversations_day: 2,
                conversations_night: 0,
                next_review: next,
                triggers: None,
            }),
        }
    }

    /// Checks each step against the timeline before it, then adds it.
    fn walk(steps: Vec<(&str, EventKind)>) -> Result<Timeline, (usize, String)> {
        crate::pathways::testing::walk(check_step, steps)
    }

    fn opened() -> EventKind {
        EventKind::AcctOpened {
            concern: Some("Said she can't go on".into()),
            immediate_action: Some("Hourly checks".into()),
        }
    }

    #[test]
    fn a_case_from_opening_to_its_post_closure_review() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let t = walk(vec![
            ("2026-03-01T10:00:00Z", opened()),
            (
                "2026-03-01T15:00:00Z",
                EventKind::AcctAssessmentInterview { acct: acct(), assessor: StaffRef::parse("assessor").unwrap() },
            ),
            ("2026-03-02T09:00:00Z", review("sc.lee", true, d("2026-03-05"))),
            (
                "2026-03-02T09:30:00Z",
                EventKind::AcctCarePlanAction {
                    acct: acct(),
                    issue: "No contact with her son".into(),
                    goal: "A phone call".into(),
                    action: "Arrange a call".into(),
                    owner: "family liaison".into(),
                    due: d("2026-03-04"),
                },
            ),
            ("2026-03-03T11:00:00Z", EventKind::AcctCarePlanActionDone { action: EventId::from_random_bytes([4; 16]) }),
            ("2026-03-03T12:00:00Z", EventKind::AcctObservation { acct: acct(), conversation: true }),
            ("2026-03-05T09:00:00Z", review("sc.patel", false, d("2026-03-12"))),
            ("2026-03-05T10:00:00Z", EventKind::AcctClosed { acct: Some(acct()), reason: Some("Risk reduced".into()) }),
            ("2026-03-10T10:00:00Z", EventKind::AcctPostClosureReview { acct: acct() }),
        ])
        .unwrap();
        let c = &cases(&t)[0];
        assert!(!c.is_open() && c.post_closure_review.is_some());
        assert_eq!(c.case_managers.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(), ["sc.lee", "sc.patel"]);
        assert!(c.plan[0].done.is_some());
        assert_eq!(c.record.len(), 1);
        let warnings = c.review_warnings(c.reviews[1].id);
        assert_eq!(warnings, ["Held without healthcare", "A different case manager from the last review (sc.lee)"]);
        assert!(c.review_warnings(c.reviews[0].id).is_empty());
    }

    #[test]
    fn an_observation_gap_one_minute_too_long_is_a_breach_one_minute_shorter_is_not() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let obs = |when| (when, EventKind::AcctObservation { acct: acct(), conversation: false });
        // Hourly by day (10:00 UTC in March is 10:00 in London).
        let t = walk(vec![
            ("2026-03-01T09:00:00Z", opened()),
            ("2026-03-02T10:00:00Z", review("sc.lee", true, d("2026-03-09"))),
            obs("2026-03-02T11:00:00Z"),
            obs("2026-03-02T12:00:00Z"),
            obs("2026-03-02T13:01:00Z"),
        ])
        .unwrap();
        let c = &cases(&t)[0];
        let gaps = observation_gaps(c, at("2026-03-02T13:30:00Z"));
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(
            (gaps[0].from, gaps[0].to, gaps[0].allowed_minutes),
            (at("2026-03-02T12:00:00Z"), at("2026-03-02T13:01:00Z"), 60)
        );
        // Still waiting: exactly 60 minutes after the last check is not yet a breach; 61 is.
        assert_eq!(observation_gaps(c, at("2026-03-02T14:01:00Z")).len(), 1);
        assert_eq!(observation_gaps(c, at("2026-03-02T14:02:00Z")).len(), 2);
        // At night the night level (every 2 hours) applies.
        let t = walk(vec![
            ("2026-03-01T09:00:00Z", opened()),
            ("2026-03-02T21:00:00Z", review("sc.lee", true, d("2026-03-09"))),
            obs("2026-03-02T23:00:00Z"),
        ])
        .unwrap();
        assert!(observation_gaps(&cases(&t)[0], at("2026-03-02T23:30:00Z")).is_empty());
    }

    #[test]
    fn the_register_summary_counts_the_same_gaps_as_the_ongoing_record_at_any_time() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let obs = |when| (when, EventKind::AcctObservation { acct: acct(), conversation: false });
        let t = walk(vec![
            ("2026-03-01T09:00:00Z", opened()),
            ("2026-03-02T10:00:00Z", review("sc.lee", true, d("2026-03-09"))),
            obs("2026-03-02T11:00:00Z"),
            obs("2026-03-02T12:30:00Z"),
            obs("2026-03-02T19:45:00Z"),
            obs("2026-03-02T21:40:00Z"),
            ("2026-03-03T09:00:00Z", review("sc.patel", true, d("2026-03-10"))),
            obs("2026-03-03T09:59:00Z"),
        ])
        .unwrap();
        let c = &cases(&t)[0];
        let summary = open_case(&t).expect("open");
        assert_eq!(summary.id, c.id);
        assert_eq!(summary.case_manager.as_ref().map(StaffRef::as_str), Some("sc.patel"));
        assert_eq!(summary.next_review, Some(d("2026-03-10")));
        // 11:00 to 12:30 and 12:30 to 19:45 by day (hourly), 19:45 to 21:40 (day level at 19:45),
        // and 21:40 to 9:59 (every 2 hours at night).
        assert_eq!(summary.gaps_ended, 4, "{:?}", observation_gaps(c, at("2026-03-03T10:00:00Z")));
        // From the last check on, minute by minute across a day and a night: the summary and the
        // full ongoing record agree, including the minute the running gap becomes a breach.
        let last = at("2026-03-03T09:59:00Z");
        for minutes in 0..(36 * 60) {
            let now = last + jiff::SignedDuration::from_mins(minutes);
            assert_eq!(summary.gaps_at(now), observation_gaps(c, now).len(), "at {now}");
        }
        assert_eq!(summary.gaps_at(last + jiff::SignedDuration::from_mins(60)), 4);
        assert_eq!(summary.gaps_at(last + jiff::SignedDuration::from_mins(61)), 5);
        // Closed, there is nothing for the register.
        let mut closed = t.all().to_vec();
        closed.push(crate::pathways::testing::event(
            200,
            "2026-03-03T11:00:00Z",
            EventKind::AcctClosed { acct: Some(acct()), reason: Some("Risk reduced".into()) },
        ));
        assert_eq!(open_case(&Timeline::new(closed)), None);
    }

    #[test]
    fn steps_out_of_order_are_refused_naming_the_field() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let open = ("2026-03-01T10:00:00Z", opened());
        let cases = [
            (vec![open.clone(), ("2026-03-01T11:00:00Z", opened())], "already open"),
            (
                vec![
                    open.clone(),
                    ("2026-03-02T09:00:00Z", EventKind::AcctReviewed { acct: Some(acct()), review: None }),
                ],
                "review:",
            ),
            (vec![open.clone(), ("2026-03-02T09:00:00Z", review("sc.lee", true, d("2026-03-01")))], "next_review:"),
            (
                vec![
                    open.clone(),
                    ("2026-03-02T09:00:00Z", EventKind::AcctClosed { acct: Some(acct()), reason: None }),
                ],
                "reason:",
            ),
            (
                vec![open.clone(), ("2026-03-02T09:00:00Z", EventKind::AcctPostClosureReview { acct: acct() })],
                "still open",
            ),
            (
                vec![
                    open.clone(),
                    ("2026-03-02T09:00:00Z", EventKind::AcctClosed { acct: Some(acct()), reason: Some("ok".into()) }),
                    ("2026-03-02T10:00:00Z", EventKind::AcctObservation { acct: acct(), conversation: false }),
                ],
                "the ACCT is closed",
            ),
            (
                vec![
                    open.clone(),
                    (
                        "2026-03-01T15:00:00Z",
                        EventKind::AcctAssessmentInterview { acct: acct(), assessor: StaffRef::parse("a").unwrap() },
                    ),
                    (
                        "2026-03-01T16:00:00Z",
                        EventKind::AcctAssessmentInterview { acct: acct(), assessor: StaffRef::parse("a").unwrap() },
                    ),
                ],
                "already recorded",
            ),
        ];
        for (steps, expect) in cases {
            let n = steps.len() - 1;
            let err = walk(steps).unwrap_err();
            assert_eq!(err.0, n, "{expect}");
            assert!(err.1.contains(expect), "{expect}: {}", err.1);
        }
    }
}
