//! Findings: a flagged disparity that someone must explain or reform, tracked to closure across
//! report runs (the Lammy Review's "explain or reform").

use jiff::civil::Date;

use crate::code_set;
use crate::codes::CodeSet;

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

#[cfg(test)]
mod tests {
    use super::*;

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
