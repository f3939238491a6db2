//! The governor's annual equality report as a document: the sections people write, the rules
//! for signing it, and the versions a published report keeps (a correction is a new version).

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::code_set;
use crate::codes::CodeSet;
use crate::time::Period;

code_set! {
    /// What the governor's report says in words, beside the figures it draws from the record.
    pub enum Section as "section" {
        DueRegard = "due_regard": "How we had due regard to the equality duty this year",
        EliminateDiscrimination = "eliminate_discrimination": "Aim 1: eliminate unlawful discrimination, harassment and victimisation",
        AdvanceEquality = "advance_equality": "Aim 2: advance equality of opportunity",
        FosterRelations = "foster_relations": "Aim 3: foster good relations",
        ExpertsPlan = "experts_plan": "Our plan for involving experts by experience",
    }
}

impl Section {
    /// What the writer is asked for, beside the box.
    pub fn hint(self) -> &'static str {
        match self {
            Self::DueRegard => {
                "How equality was part of decisions this year: at which meetings, with what evidence, and what the governor changed because of it."
            }
            Self::EliminateDiscrimination => {
                "What was done about discrimination, harassment and victimisation: complaints and what they changed, the scrutiny panel's view, findings explained or reformed."
            }
            Self::AdvanceEquality => {
                "What was done so that everyone has the same chances: access to healthcare, work, education and time out of cell, and the disparities being reformed."
            }
            Self::FosterRelations => {
                "What was done to bring people together: forums, festivals, the equality team and the voluntary and arts work."
            }
            Self::ExpertsPlan => {
                "How people with lived experience will be involved in policy, service design, training, forums and the complaints panel next year, published with the work plan."
            }
        }
    }
}

/// Text a section may hold.
pub const SECTION_MAX: usize = 10_000;

code_set! {
    /// Where a version of the report stands.
    pub enum Status as "report status" {
        Draft = "draft": "Draft",
        Published = "published": "Published",
        Superseded = "superseded": "Superseded by a correction",
    }
}

/// A financial year, April to March, named by the year it starts: 2025 is "2025 to 2026".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear(i16);

impl FinancialYear {
    pub fn new(start: i16) -> Result<Self, String> {
        if (1970..=2998).contains(&start) { Ok(Self(start)) } else { Err("Enter a year from 1970 to 2998".into()) }
    }
    /// "2025", "2025-26" or "2025 to 2026".
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let start = s.get(..4).filter(|_| s.len() == 4 || s.len() == 7 || s.len() == 12);
        let y = start.and_then(|y| y.parse::<i16>().ok()).ok_or("Enter the year the report starts, like 2025")?;
        Self::new(y)
    }
    /// The financial year that `today` falls in.
    pub fn containing(today: Date) -> Self {
        Self(if today.month() >= 4 { today.year() } else { today.year() - 1 })
    }
    pub fn start(self) -> i16 {
        self.0
    }
    pub fn previous(self) -> Self {
        Self(self.0 - 1)
    }
    pub fn period(self) -> Period {
        Period { from: jiff::civil::date(self.0, 4, 1), to: jiff::civil::date(self.0 + 1, 3, 31) }
    }
    /// "2025 to 2026".
    pub fn label(self) -> String {
        format!("{} to {}", self.0, self.0 + 1)
    }
}

/// The written sections of a version, by section.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sections(BTreeMap<String, String>);

impl Sections {
    pub fn get(&self, s: Section) -> &str {
        self.0.get(s.code()).map_or("", String::as_str)
    }
    /// Sets a section's text; a section may be left empty while drafting.
    pub fn set(&mut self, s: Section, text: &str) -> Result<(), String> {
        let t = text.trim();
        if t.chars().count() > SECTION_MAX {
            return Err(format!("Write {SECTION_MAX} characters or fewer"));
        }
        if t.is_empty() {
            self.0.remove(s.code());
        } else {
            self.0.insert(s.code().to_string(), t.to_string());
        }
        Ok(())
    }
    /// Sections still to write, in the report's order.
    pub fn missing(&self) -> Vec<Section> {
        Section::ALL.iter().copied().filter(|s| self.get(*s).is_empty()).collect()
    }
}

/// Whether a draft may be signed: every section written, and at least one objective current
/// (reviewed within four years). The refusal names what is missing.
pub fn check_signing(sections: &Sections, current_objectives: usize) -> Result<(), Vec<String>> {
    let mut problems: Vec<String> =
        sections.missing().into_iter().map(|s| format!("Write the section \u{201c}{}\u{201d}", s.label())).collect();
    if current_objectives == 0 {
        problems.push("Set at least one equality objective with a review date that has not passed".into());
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// A correction needs its reason, which the published version will carry.
pub fn correction_reason(s: &str) -> Result<String, String> {
    let t = s.trim();
    match t.chars().count() {
        0 => Err("Say what the correction changes and why".into()),
        n if n > 1000 => Err("Write 1,000 characters or fewer".into()),
        _ => Ok(t.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_signed_only_with_every_section_written_and_a_current_objective() {
        let mut s = Sections::default();
        s.set(Section::DueRegard, "Equality was on every senior team agenda").unwrap();
        s.set(Section::AdvanceEquality, "  ").unwrap();
        let problems = check_signing(&s, 0).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].contains("Aim 1: eliminate unlawful discrimination"));
        assert!(problems.last().unwrap().contains("equality objective"));
        for x in Section::ALL {
            s.set(*x, "Written").unwrap();
        }
        assert_eq!(check_signing(&s, 1), Ok(()));
        assert!(s.set(Section::DueRegard, &"x".repeat(SECTION_MAX + 1)).is_err());
        assert_eq!(correction_reason(" ").unwrap_err(), "Say what the correction changes and why");
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let y = FinancialYear::parse("2025-26").unwrap();
        assert_eq!(y, FinancialYear::parse("2025").unwrap());
        assert_eq!(y.label(), "2025 to 2026");
        assert_eq!(y.period(), Period::parse("2025-04-01..2026-03-31").unwrap());
        assert_eq!(FinancialYear::containing(jiff::civil::date(2026, 3, 31)), y);
        assert_eq!(FinancialYear::containing(jiff::civil::date(2026, 4, 1)).start(), 2026);
        assert!(FinancialYear::parse("25").is_err());
    }
}
