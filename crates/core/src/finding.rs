//! Findings: a flagged disparity that someone must explain or reform, tracked to closure across
//! report runs (the Lammy Review's "explain or reform").

use jiff::civil::Date;

use crate::code_set;
use crate::codes::CodeSet;
use crate::time::Period;

code_set! {
    /// Where a finding stands. Open → explained (with evidence) or reform planned (with actions
    /// and a review date) → reviewed.
    pub enum FindingStatus as "finding status" {
        Open = "open": "Open: needs an explanation or a reform",
        Explained = "explained": "Explained, with evidence",
        ReformPlanned = "reform_planned": "Reform planned",
        Reviewed = "reviewed": "Reviewed",
    }
}

/// Free text on a finding: evidence, actions, a review's outcome. Never empty, never a novel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingText(String);

impl FindingText {
    pub fn parse(what: &str, s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err(format!("Enter the {what}"));
        }
        if t.chars().count() > 4000 {
            return Err(format!("The {what} must be 4,000 characters or fewer"));
        }
        Ok(Self(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What someone does to a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingChange {
    Explain { evidence: FindingText },
    PlanReform { actions: FindingText, review_by: Date },
    Review { outcome: FindingText },
}

impl FindingChange {
    pub fn status(&self) -> FindingStatus {
        match self {
            Self::Explain { .. } => FindingStatus::Explained,
            Self::PlanReform { .. } => FindingStatus::ReformPlanned,
            Self::Review { .. } => FindingStatus::Reviewed,
        }
    }

    /// Whether the change can follow `from`. An explanation that does not hold can still become
    /// a reform; only an explanation or a reform can be reviewed.
    pub fn check(&self, from: FindingStatus, today: Date) -> Result<(), String> {
        use FindingStatus::*;
        let ok = match self {
            Self::Explain { .. } => from == Open,
            Self::PlanReform { .. } => matches!(from, Open | Explained),
            Self::Review { .. } => matches!(from, Explained | ReformPlanned),
        };
        if !ok {
            return Err(format!(
                "A finding that is {} cannot be marked {}",
                from.code().replace('_', " "),
                self.status().code().replace('_', " ")
            ));
        }
        if let Self::PlanReform { review_by, .. } = self {
            if *review_by <= today {
                return Err("The review date must be in the future".into());
            }
        }
        Ok(())
    }
}

/// How a finding compares with the previous run of the same report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// Flagged for the first time in this run.
    New,
    /// Flagged before and again now.
    Persists,
    /// Flagged before, not now.
    NoLongerFlagged,
}

/// A finding's figures for one period it was measured in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub period: Period,
    pub flagged: bool,
    pub rate: Option<f64>,
    pub ratio: Option<f64>,
    pub ratio_lower: Option<f64>,
    pub ratio_upper: Option<f64>,
    pub q: Option<f64>,
}

/// Where a finding stands across the periods measured, read in period order (never run order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trend {
    pub seen: Seen,
    pub first_flagged: Option<Period>,
    pub last_flagged: Option<Period>,
}

/// Periods in calendar order: by when they start, then end.
pub fn in_period_order(ms: &mut [Measurement]) {
    ms.sort_by_key(|m| (m.period.from, m.period.to));
}

/// The trend of measurements already in period order: the latest period decides whether the
/// finding is flagged now; flagged in an earlier period too means it persists.
pub fn trend(ms: &[Measurement]) -> Trend {
    let flagged: Vec<Period> = ms.iter().filter(|m| m.flagged).map(|m| m.period).collect();
    let latest_flagged = ms.last().is_some_and(|m| m.flagged);
    Trend {
        seen: match (latest_flagged, flagged.len()) {
            (false, _) => Seen::NoLongerFlagged,
            (true, 1) => Seen::New,
            (true, _) => Seen::Persists,
        },
        first_flagged: flagged.first().copied(),
        last_flagged: flagged.last().copied(),
    }
}

/// The flagged periods no response has answered yet: those ending after the last period an
/// explanation or reform answered (all of them when none has).
pub fn unanswered(ms: &[Measurement], answered_to: Option<Date>) -> Vec<Period> {
    ms.iter().filter(|m| m.flagged && answered_to.is_none_or(|d| m.period.to > d)).map(|m| m.period).collect()
}

/// Writes periods as the report does: `2025-04-01..2026-03-31`.
pub fn periods_text(ps: &[Period]) -> String {
    ps.iter().map(|p| format!("{}..{}", p.from, p.to)).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(from: (i16, i8, i8), to: (i16, i8, i8), flagged: bool) -> Measurement {
        Measurement {
            period: Period::new(jiff::civil::date(from.0, from.1, from.2), jiff::civil::date(to.0, to.1, to.2))
                .unwrap(),
            flagged,
            rate: None,
            ratio: None,
            ratio_lower: None,
            ratio_upper: None,
            q: None,
        }
    }

    #[test]
    fn the_trend_follows_the_periods_whatever_order_they_were_measured_in() {
        let y1 = m((2024, 4, 1), (2025, 3, 31), true);
        let y2 = m((2025, 4, 1), (2026, 3, 31), false);
        let y3 = m((2026, 4, 1), (2027, 3, 31), true);
        for order in [[y1, y2, y3], [y3, y1, y2], [y2, y3, y1]] {
            let mut ms = order.to_vec();
            in_period_order(&mut ms);
            let t = trend(&ms);
            assert_eq!((t.seen, t.first_flagged, t.last_flagged), (Seen::Persists, Some(y1.period), Some(y3.period)));
        }
        // Measured the later year first, then the earlier one: flagged now means the later year.
        let mut ms = vec![y2, y1];
        in_period_order(&mut ms);
        assert_eq!(trend(&ms).seen, Seen::NoLongerFlagged);
        assert_eq!(trend(&[y1]).seen, Seen::New);
        // An answer up to the end of 2024-25 leaves only 2026-27 unanswered.
        let ms = [y1, y2, y3];
        assert_eq!(unanswered(&ms, Some(y1.period.to)), vec![y3.period]);
        assert_eq!(unanswered(&ms, None), vec![y1.period, y3.period]);
        assert_eq!(periods_text(&[y1.period]), "2024-04-01..2025-03-31");
    }

    #[test]
    fn findings_move_from_open_to_reviewed_and_not_backwards() {
        let today = jiff::civil::date(2026, 11, 25);
        let text = |s| FindingText::parse("evidence", s).unwrap();
        let explain = FindingChange::Explain { evidence: text("Planned removals after court") };
        let reform =
            FindingChange::PlanReform { actions: text("Body-worn video review"), review_by: today.tomorrow().unwrap() };
        let review = FindingChange::Review { outcome: text("Rates now equal") };
        assert!(explain.check(FindingStatus::Open, today).is_ok());
        assert!(reform.check(FindingStatus::Explained, today).is_ok());
        assert!(review.check(FindingStatus::ReformPlanned, today).is_ok());
        assert_eq!(
            review.check(FindingStatus::Open, today).unwrap_err(),
            "A finding that is open cannot be marked reviewed"
        );
        assert!(explain.check(FindingStatus::Reviewed, today).is_err());
        let past = FindingChange::PlanReform { actions: text("x"), review_by: today };
        assert_eq!(past.check(FindingStatus::Open, today).unwrap_err(), "The review date must be in the future");
        assert_eq!(FindingText::parse("evidence", "  ").unwrap_err(), "Enter the evidence");
    }
}
