//! Every stored column with its sensitivity under UK GDPR, enforced by a test on both databases.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sensitivity {
    /// Reference data about the estate, not about a person.
    None,
    /// Identifies a person or says something ordinary about them.
    Personal,
    /// Health, protected characteristics and what happened in custody (UK GDPR Art. 9 and 10):
    /// need to know by role, and every read audited.
    SpecialCategory,
}

use Sensitivity::*;

/// (table, column, sensitivity). A column missing here, or listed but not in the schema, fails a test.
pub const COLUMNS: &[(&str, &str, Sensitivity)] = &[
    ("establishments", "code", None),
    ("establishments", "name", None),
    ("establishments", "population", None),
    ("events", "correction_reason", SpecialCategory),
    // The details hold screening scores, characteristics and needs.
    ("events", "details", SpecialCategory),
    ("events", "id", Personal),
    // Which kinds of event a person has (self-harm, ACCT, transfer to hospital) is itself health data.
    ("events", "kind", SpecialCategory),
    ("events", "occurred_at", Personal),
    ("events", "prison_number", Personal),
    ("events", "recorded_at", Personal),
    ("events", "recorded_by", Personal),
    ("events", "supersedes", Personal),
    ("people", "date_of_birth", Personal),
    ("people", "family_name", Personal),
    ("people", "given_name", Personal),
    ("people", "nhs_number", Personal),
    ("people", "prison_number", Personal),
];

pub fn of(table: &str, column: &str) -> Option<Sensitivity> {
    COLUMNS.iter().find(|(t, c, _)| *t == table && *c == column).map(|(_, _, s)| *s)
}
