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
    // That a person is on an ACCT, and everything about the case, is health data (risk of self-harm).
    ("acct_open_cases", "acct", SpecialCategory),
    ("acct_open_cases", "case_manager", SpecialCategory),
    ("acct_open_cases", "gaps_ended", SpecialCategory),
    ("acct_open_cases", "next_review", SpecialCategory),
    ("acct_open_cases", "observations_day", SpecialCategory),
    ("acct_open_cases", "observations_night", SpecialCategory),
    ("acct_open_cases", "opened_at", SpecialCategory),
    ("acct_open_cases", "prison_number", Personal),
    ("acct_open_cases", "running_allowed_minutes", SpecialCategory),
    ("acct_open_cases", "running_from", SpecialCategory),
    ("api_tokens", "created_at", None),
    ("api_tokens", "token_hash", Personal),
    ("api_tokens", "username", Personal),
    ("audit", "action", Personal),
    ("audit", "actor", Personal),
    ("audit", "at", Personal),
    // What was read or changed, e.g. "viewed clinical detail".
    ("audit", "detail", SpecialCategory),
    ("audit", "hash", None),
    ("audit", "prev_hash", None),
    ("audit", "seq", None),
    ("audit", "subject", Personal),
    ("custody", "establishment", Personal),
    ("custody", "in_custody", Personal),
    ("custody", "location", Personal),
    ("custody", "prison_number", Personal),
    // A draft complaint: what happened to whom, and who was involved.
    ("drafts", "fields", SpecialCategory),
    ("drafts", "form", Personal),
    ("drafts", "id", Personal),
    ("drafts", "owner", Personal),
    ("drafts", "prison_number", Personal),
    ("drafts", "saved_at", Personal),
    // Prisoner representatives for a characteristic (a sexual orientation forum's rep) and forum notes.
    ("establishment_events", "details", SpecialCategory),
    ("establishment_events", "establishment", None),
    ("establishment_events", "id", None),
    ("establishment_events", "kind", None),
    ("establishment_events", "recorded_at", Personal),
    ("establishment_events", "recorded_by", Personal),
    ("establishment_events", "seq", None),
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
    ("finding_updates", "at", None),
    ("finding_updates", "by_whom", Personal),
    ("finding_updates", "finding_id", None),
    ("finding_updates", "id", None),
    // Free text about a disparity can describe the people behind it.
    ("finding_updates", "note", SpecialCategory),
    ("finding_updates", "status", None),
    ("findings", "actions", SpecialCategory),
    // Findings are about groups, never one person: the rest is aggregate.
    ("findings", "breakdown", None),
    ("findings", "evidence", SpecialCategory),
    ("findings", "first_period", None),
    ("findings", "group_code", None),
    ("findings", "id", None),
    ("findings", "last_period", None),
    ("findings", "last_run_at", None),
    ("findings", "measure", None),
    ("findings", "owner", Personal),
    ("findings", "q", None),
    ("findings", "ratio", None),
    ("findings", "review_by", None),
    ("findings", "review_outcome", SpecialCategory),
    ("findings", "scope", None),
    ("findings", "seen", None),
    ("findings", "status", None),
    ("findings", "title", None),
    ("kiosk_accounts", "easy_read", SpecialCategory),
    ("kiosk_accounts", "failures", Personal),
    // Which language a person reads (Welsh, English) says something about who they are, but is
    // not special category; easy read can reveal a learning disability and is.
    ("kiosk_accounts", "language", Personal),
    ("kiosk_accounts", "pin_hash", Personal),
    ("kiosk_accounts", "prison_number", Personal),
    ("kiosk_accounts", "set_at", Personal),
    ("kiosk_accounts", "set_by", Personal),
    ("kiosk_accounts", "wait_until", Personal),
    ("kiosk_sessions", "created_at", Personal),
    ("kiosk_sessions", "last_seen_at", Personal),
    ("kiosk_sessions", "prison_number", Personal),
    ("kiosk_sessions", "token_hash", Personal),
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
    ("sessions", "created_at", Personal),
    ("sessions", "last_seen_at", Personal),
    ("sessions", "token_hash", Personal),
    ("sessions", "username", Personal),
    ("settings", "name", None),
    ("settings", "value", None),
    ("staff", "created_at", Personal),
    ("staff", "disabled", Personal),
    ("staff", "display_name", Personal),
    ("staff", "establishment", Personal),
    ("staff", "password_hash", Personal),
    ("staff", "role", Personal),
    ("staff", "username", Personal),
    // Staff availability: leave or long-term absence, never why (a member of staff's health is
    // not recorded here), so personal data about staff, not special category.
    ("staff_absences", "ends_on", Personal),
    ("staff_absences", "establishment", None),
    ("staff_absences", "id", None),
    ("staff_absences", "kind", Personal),
    ("staff_absences", "recorded_at", Personal),
    ("staff_absences", "recorded_by", Personal),
    ("staff_absences", "staff", Personal),
    ("staff_absences", "starts_on", Personal),
    // Who attended training, and on what: about staff, not about people in custody.
    ("training_attendance", "session_id", None),
    ("training_attendance", "staff", Personal),
    ("training_sessions", "coproduced", None),
    ("training_sessions", "establishment", None),
    ("training_sessions", "held_on", None),
    ("training_sessions", "id", None),
    ("training_sessions", "lived_experience", None),
    ("training_sessions", "recorded_at", Personal),
    ("training_sessions", "recorded_by", Personal),
    ("training_sessions", "title", None),
    ("training_sessions", "topic", None),
];

pub fn of(table: &str, column: &str) -> Option<Sensitivity> {
    COLUMNS.iter().find(|(t, c, _)| *t == table && *c == column).map(|(_, _, s)| *s)
}
