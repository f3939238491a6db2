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
    ("obligations", "closed_at", Personal),
    ("obligations", "closed_by", Personal),
    ("obligations", "due_at", Personal),
    ("obligations", "establishment", Personal),
    ("obligations", "key_worker", Personal),
    ("obligations", "opened_at", Personal),
    ("obligations", "period", Personal),
    ("obligations", "prison_number", Personal),
    // Why a standard stopped applying can be a hospital transfer.
    ("obligations", "reason", SpecialCategory),
    // Which standards apply reveals health and pregnancy (suicide-risk assessment, MBU, hospital transfer).
    ("obligations", "standard", SpecialCategory),
    ("obligations", "status", Personal),
    ("obligations", "team", SpecialCategory),
    ("obligations", "trigger_event", Personal),
    ("people", "date_of_birth", Personal),
    ("people", "family_name", Personal),
    ("people", "given_name", Personal),
    ("people", "nhs_number", Personal),
    ("people", "prison_number", Personal),
    ("settings", "name", None),
    ("settings", "value", None),
];

pub fn of(table: &str, column: &str) -> Option<Sensitivity> {
    COLUMNS.iter().find(|(t, c, _)| *t == table && *c == column).map(|(_, _, s)| *s)
}
