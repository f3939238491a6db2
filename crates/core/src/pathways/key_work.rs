//! Key work (OMiC): the caseload cap, whom to recommend as a person's key worker, and the
//! figures HMPPS reports (days to allocation and to the first session, sessions per week).

use jiff::{SignedDuration, Timestamp};

use crate::event::EventKind;
use crate::ids::StaffRef;
use crate::timeline::Timeline;

/// The most people one key worker has, unless the allocation gives a reason. We ship the
/// report's figure, about six each (45 minutes a week each is about a day's work), not the HMPPS
/// keyworker-api default of 9, which models neither the session length nor this caseload
/// (research/pathways.md §9.1). A prison that allocates above it says why, every time.
pub const CASELOAD_CAP: usize = 6;

crate::code_set! {
    /// Why a member of staff cannot take new people: the HMPPS service's staff statuses that matter here.
    pub enum AbsenceKind as "absence" {
        AnnualLeave = "ANNUAL_LEAVE": "Annual leave",
        LongTermAbsence = "LONG_TERM_ABSENCE": "Long-term absence",
    }
}

crate::code_set! {
    /// What a training session was about (report recommendations P1-B and P2-D).
    pub enum TrainingTopic as "training topic" {
        ProtectedCharacteristics = "PROTECTED_CHARACTERISTICS": "Protected characteristics and individual needs",
        LifeEvents = "LIFE_EVENTS": "Life events: birthdays, anniversaries, bereavement, festivals",
    }
}

/// A member of staff who could be someone's key worker, as things stand today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub key_worker: StaffRef,
    /// People in custody here who have them as key worker.
    pub caseload: usize,
    /// Why they cannot take anyone today (on annual leave, on long-term absence), if so.
    pub away: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The person had them before: continuity first.
    PreviousKeyWorker,
    /// The lightest caseload among those here and below the cap.
    LightestCaseload,
}

impl Why {
    pub fn label(self) -> &'static str {
        match self {
            Why::PreviousKeyWorker => "their key worker before, available and below the cap",
            Why::LightestCaseload => "the lightest caseload among key workers available today",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub key_worker: StaffRef,
    pub why: Why,
}

/// The key workers a person has had, most recent first, each once.
pub fn previous_key_workers(timeline: &Timeline, now: Timestamp) -> Vec<StaffRef> {
    let mut out: Vec<StaffRef> = Vec::new();
    let events: Vec<_> = timeline.live().filter(|e| e.occurred_at <= now).collect();
    for e in events.iter().rev() {
        if let EventKind::KeyWorkerAllocated { key_worker, .. } = &e.kind {
            if !out.contains(key_worker) {
                out.push(key_worker.clone());
            }
        }
    }
    out
}

/// Whom to allocate: a previous key worker who is here and below the cap, most recent first;
/// otherwise the lightest caseload among those here and below the cap (ties by name, so the
/// answer is the same each time). None when everyone is away or full.
pub fn recommend(previous: &[StaffRef], candidates: &[Candidate], cap: usize) -> Option<Recommendation> {
    let free = |c: &&Candidate| c.away.is_none() && c.caseload < cap;
    if let Some(c) = previous.iter().find_map(|p| candidates.iter().filter(free).find(|c| &c.key_worker == p)) {
        return Some(Recommendation { key_worker: c.key_worker.clone(), why: Why::PreviousKeyWorker });
    }
    candidates
        .iter()
        .filter(free)
        .min_by(|a, b| (a.caseload, a.key_worker.as_str()).cmp(&(b.caseload, b.key_worker.as_str())))
        .map(|c| Recommendation { key_worker: c.key_worker.clone(), why: Why::LightestCaseload })
}

/// The HMPPS key work figures for a set of people, over receptions and weeks since `since`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Receptions (the start of a stay) since `since`.
    pub receptions: usize,
    /// Days from reception to the first allocation in that stay, for those allocated.
    pub days_to_allocation: Vec<f64>,
    /// Days from reception to the first key work session in that stay, for those who had one.
    pub days_to_first_session: Vec<f64>,
    /// Sessions held since `since` while a key worker was allocated.
    pub sessions: usize,
    /// Person-weeks with a key worker allocated since `since`.
    pub allocated_weeks: f64,
}

impl Figures {
    pub fn sessions_per_person_per_week(&self) -> Option<f64> {
        (self.allocated_weeks > 0.0).then(|| self.sessions as f64 / self.allocated_weeks)
    }

    /// The middle value (the mean of the two middle values for an even count).
    pub fn median(days: &[f64]) -> Option<f64> {
        let mut v = days.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    /// Adds one person's timeline, up to `now`.
    pub fn add(&mut self, timeline: &Timeline, since: Timestamp, now: Timestamp) {
        let days = |d: SignedDuration| d.as_secs_f64() / 86_400.0;
        let mut received: Option<Timestamp> = None;
        let (mut allocated, mut first_session) = (false, false);
        let mut allocated_since: Option<Timestamp> = None;
        let close = |from: Option<Timestamp>, to: Timestamp, weeks: &mut f64| {
            if let Some(from) = from {
                let from = from.max(since);
                if to > from {
                    *weeks += days(to.duration_since(from)) / 7.0;
                }
            }
        };
        for e in timeline.live().filter(|e| e.occurred_at <= now) {
            let at = e.occurred_at;
            match &e.kind {
                EventKind::Reception { .. } => {
                    close(allocated_since.take(), at, &mut self.allocated_weeks);
                    received = Some(at);
                    (allocated, first_session) = (false, false);
                    if at >= since {
                        self.receptions += 1;
                    }
                }
                EventKind::KeyWorkerAllocated { .. } => {
                    if let Some(r) = received.filter(|r| *r >= since && !allocated) {
                        self.days_to_allocation.push(days(at.duration_since(r)));
                    }
                    allocated = true;
                    allocated_since.get_or_insert(at);
                }
                EventKind::KeyWorkSession { .. } => {
                    if let Some(r) = received.filter(|r| *r >= since && !first_session) {
                        self.days_to_first_session.push(days(at.duration_since(r)));
                    }
                    first_session = true;
                    if allocated_since.is_some() && at >= since {
                        self.sessions += 1;
                    }
                }
                EventKind::KeyWorkerDeallocated { .. }
                | EventKind::Release { .. }
                | EventKind::TransferOut { .. }
                | EventKind::TransferredToHospital { .. } => {
                    close(allocated_since.take(), at, &mut self.allocated_weeks);
                    if !matches!(e.kind, EventKind::KeyWorkerDeallocated { .. }) {
                        received = None;
                    }
                }
                _ => {}
            }
        }
        close(allocated_since, now, &mut self.allocated_weeks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{at, event};

    fn staff(s: &str) -> StaffRef {
        StaffRef::parse(s).unwrap()
    }

    fn candidate(who: &str, caseload: usize, away: Option<&str>) -> Candidate {
        Candidate { key_worker: staff(who), caseload, away: away.map(Into::into) }
    }

    #[test]
    fn the_previous_key_worker_first_then_the_lightest_caseload_among_those_here() {
        let c = [
            candidate("kw.ash", 5, None),
            candidate("kw.birch", 2, Some("annual leave")),
            candidate("kw.cedar", 3, None),
            candidate("kw.dale", 6, None),
            candidate("kw.elm", 3, None),
        ];
        let r = recommend(&[staff("kw.ash")], &c, CASELOAD_CAP).unwrap();
        assert_eq!((r.key_worker.as_str(), r.why), ("kw.ash", Why::PreviousKeyWorker));
        // Away, or at the cap: not recommended even if they had the person before.
        let r = recommend(&[staff("kw.birch"), staff("kw.dale")], &c, CASELOAD_CAP).unwrap();
        assert_eq!((r.key_worker.as_str(), r.why), ("kw.cedar", Why::LightestCaseload), "3 each: by name");
        // A higher cap lets the full one in again.
        let r = recommend(&[staff("kw.dale")], &c, 9).unwrap();
        assert_eq!(r.key_worker.as_str(), "kw.dale");
        assert_eq!(recommend(&[], &[candidate("kw.ash", 6, None), candidate("kw.b", 0, Some("sick"))], 6), None);
    }

    #[test]
    fn figures_count_days_to_allocation_and_first_session_and_sessions_a_week() {
        let kind = |k: &str, d: &str| EventKind::parse(k, d).unwrap();
        let events = vec![
            event(
                1,
                "2026-03-02T10:00:00Z",
                kind("reception", r#"{"establishment":"AAA","reception_type":"NEW","legal_status":"REMAND"}"#),
            ),
            event(2, "2026-03-05T10:00:00Z", kind("key_worker_allocated", r#"{"key_worker":"kw.ash"}"#)),
            event(3, "2026-03-09T10:00:00Z", kind("key_work_session", r#"{"key_worker":"kw.ash","minutes":45}"#)),
            event(4, "2026-03-16T10:00:00Z", kind("key_work_session", r#"{"key_worker":"kw.ash","minutes":50}"#)),
            // A new key worker later in the stay is not a second "days to allocation".
            event(5, "2026-03-20T10:00:00Z", kind("key_worker_allocated", r#"{"key_worker":"kw.birch"}"#)),
        ];
        let mut f = Figures::default();
        f.add(&Timeline::new(events), at("2026-01-01T00:00:00Z"), at("2026-03-19T10:00:00Z"));
        assert_eq!(f.receptions, 1);
        assert_eq!(f.days_to_allocation, [3.0]);
        assert_eq!(f.days_to_first_session, [7.0]);
        assert_eq!(f.sessions, 2);
        assert!((f.allocated_weeks - 2.0).abs() < 1e-9, "{}", f.allocated_weeks);
        assert_eq!(f.sessions_per_person_per_week(), Some(1.0));
        assert_eq!(Figures::median(&[5.0, 1.0, 3.0, 10.0]), Some(4.0));
        assert_eq!(Figures::median(&[]), None);
    }
}
