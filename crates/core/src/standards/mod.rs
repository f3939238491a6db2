//! Standards as data: every timed commitment the report names, loaded from `standards/*.toml`
//! and checked at start-up, so a pathway is added by writing a file, not code.

pub mod calendar;
pub mod engine;
pub mod predicate;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use jiff::SignedDuration;
use serde::Deserialize;
use toml::Spanned;

use crate::code_set;
use crate::codes::CodeSet;
use crate::event::EventKind;
use predicate::{Expr, Field, Type};

code_set! {
    /// Whether an establishment may change a standard's numbers.
    pub enum Scope as "scope" {
        National = "national": "National standard",
        LocalDefault = "local-default": "Local default: an establishment may change it",
    }
}

code_set! {
    /// The team whose worklist a standard's obligations land on.
    pub enum Team as "team" {
        Healthcare = "healthcare": "Healthcare",
        MentalHealth = "mental-health": "Mental health in-reach",
        KeyWorker = "key-worker": "Key worker",
        Mbu = "mbu": "MBU officer",
        SaferCustody = "safer-custody": "Safer custody",
        Resettlement = "resettlement": "Resettlement",
        PeerSupport = "peer-support": "Listener coordinator",
        Chaplaincy = "chaplaincy": "Chaplaincy",
        Equality = "equality": "Equality and diversity team",
    }
}

/// A standard's id, as written in its file: lower-case words joined by hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StandardId(String);

impl StandardId {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (1..=60).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok { Ok(Self(s.into())) } else { Err(format!("id {s:?} must be lower-case letters, digits and hyphens")) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StandardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`, so a table's `{:<34}` widths apply.
        f.pad(&self.0)
    }
}

/// When an obligation falls due, counted from its trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Hours(u32),
    /// By the end of the calendar day, N days after the trigger's (England and Wales time).
    Days(u32),
    WorkingDays(u32),
    /// By the end of the trigger's own day: before the first night.
    SameDay,
    /// N weeks before the person's expected release date (release planning).
    WeeksBeforeRelease(u32),
    /// By the expected release date.
    ByRelease,
    /// By the end of a date the trigger event sets (`by event.review.next_review`): the next
    /// ACCT review, a care plan action's due date. An offset may follow
    /// (`by event.date_of_birth + 18 months - 28 days`): the day before a child turns 18 months.
    ByEventDate(&'static str, DateOffset),
    /// Within the longest gap the ACCT observation level in force allows (the day level from
    /// 08:00 to 20:00 London time, otherwise the night level); none under constant supervision.
    ObservationLevel,
}

/// Months then days added to an event's date (either may be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateOffset {
    pub months: i32,
    pub days: i32,
}

/// The dates an event of a kind sets, which `due = "by event.PATH"` may name.
pub fn event_dates(kind: &str) -> &'static [&'static str] {
    match kind {
        "acct_reviewed" => &["review.next_review"],
        "acct_care_plan_action" => &["due"],
        "child_recorded" => &["date_of_birth"],
        _ => &[],
    }
}

/// `+ 18 months - 28 days`: signed amounts of months, weeks or days, in any order.
fn parse_offset(words: &[&str]) -> Result<DateOffset, String> {
    let mut off = DateOffset::default();
    if words.len() % 3 != 0 {
        return Err(format!("{:?}: write an offset as \"+ 18 months - 28 days\"", words.join(" ")));
    }
    for w in words.chunks(3) {
        let sign = match w[0] {
            "+" => 1,
            "-" => -1,
            other => return Err(format!("{other:?} must be + or -")),
        };
        let n: i32 = w[1].parse().map_err(|_| format!("{:?} is not a whole number", w[1]))?;
        match w[2] {
            "month" | "months" => off.months += sign * n,
            "week" | "weeks" => off.days += sign * n * 7,
            "day" | "days" => off.days += sign * n,
            other => return Err(format!("{other:?} must be months, weeks or days")),
        }
    }
    Ok(off)
}

impl Due {
    pub fn parse(s: &str) -> Result<Self, String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let n = || words[0].parse::<u32>().map_err(|_| format!("{:?} is not a whole number", words[0]));
        Ok(match words.as_slice() {
            ["by", path, rest @ ..] if path.starts_with("event.") => {
                let path = &path["event.".len()..];
                let known = ["review.next_review", "due", "date_of_birth"];
                Due::ByEventDate(
                    known.iter().copied().find(|k| *k == path).ok_or_else(|| format!("no event date {path:?}"))?,
                    parse_offset(rest)?,
                )
            }
            ["same", "day"] => Due::SameDay,
            ["observation", "level"] => Due::ObservationLevel,
            ["by", "release"] => Due::ByRelease,
            [_, "hour" | "hours"] => Due::Hours(n()?),
            [_, "day" | "days"] => Due::Days(n()?),
            [_, "working", "day" | "days"] => Due::WorkingDays(n()?),
            [_, "week" | "weeks"] => Due::Days(n()? * 7),
            [_, "week" | "weeks", "before", "release"] => Due::WeeksBeforeRelease(n()?),
            _ => {
                return Err(format!(
                    "due {s:?} must be \"N hours\", \"N days\", \"N weeks\", \"N working days\", \"same day\", \"N weeks before release\", \"by release\", \"by event.DATE\" or \"observation level\""
                ));
            }
        })
    }
}

fn parse_duration(s: &str) -> Result<SignedDuration, String> {
    match Due::parse(s)? {
        Due::Hours(h) => Ok(SignedDuration::from_hours(i64::from(h))),
        Due::Days(d) => Ok(SignedDuration::from_hours(24 * i64::from(d))),
        _ => Err(format!("{s:?} must be a length of time: \"N hours\", \"N days\" or \"N weeks\"")),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// An event of any of these kinds, where the condition (over the event and the person) holds.
    /// Several kinds let a standard open whichever fact arrives last (a pregnancy declared, then
    /// the sex; or a woman received again already known to be pregnant).
    Event { kinds: Vec<&'static str>, condition: Option<Expr> },
    /// Another standard's obligation being met.
    Met(StandardId),
}

/// One standard, checked: every kind exists, every condition names real fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Standard {
    pub id: StandardId,
    pub title: String,
    pub source: String,
    pub scope: Scope,
    pub team: Team,
    pub trigger: Trigger,
    pub applies_to: Option<Expr>,
    /// Open at most one obligation per custody episode (a re-declaration does not restart the clock).
    pub once_per_episode: bool,
    /// Only steps of the trigger's own case count: the first appointment for this referral, not
    /// any referral's (an event that answers no earlier event, such as a release, always counts).
    pub same_case: bool,
    pub completed_by: Vec<&'static str>,
    pub complete_where: Option<Expr>,
    pub due: Due,
    /// For recurring standards: the length of each period; each period is due at its end.
    pub recurs: Option<SignedDuration>,
    /// Events that end the need: before the due time the obligation was not applicable.
    pub stops_when: Vec<&'static str>,
    /// Events that end the chance to meet it: the obligation is unmet (handover not done by release).
    pub breached_by: Vec<&'static str>,
    pub warn_before: Option<SignedDuration>,
    pub escalate_after: Option<SignedDuration>,
}

/// The person's facts a condition may use, as at the trigger.
pub const FACTS: &[(&str, Type)] = &[
    ("sex", Type::Text),
    ("age", Type::Number),
    ("pregnant", Type::Bool),
    ("child_under_18_months", Type::Bool),
    ("birth_in_last_26_weeks", Type::Bool),
    ("in_custody", Type::Bool),
    ("legal_status", Type::Text),
    ("reception_type", Type::Text),
    ("population", Type::Text),
    ("expected_stay_days", Type::Number),
    ("on_mental_health_caseload", Type::Bool),
    ("acct_open", Type::Bool),
    ("family_to_tell_of_transfer", Type::Bool),
];

/// The fields of each event kind's details that a condition may use as `event.FIELD`.
pub fn event_fields(kind: &str) -> &'static [(&'static str, Type)] {
    use Type::*;
    match kind {
        "reception" => &[("establishment", Text), ("reception_type", Text), ("legal_status", Text), ("location", Text)],
        "legal_status_changed" => &[("legal_status", Text)],
        "location_changed" => &[("location", Text)],
        "transfer_out" => &[("to_establishment", Text)],
        "release" => &[("release_type", Text)],
        "screening_completed" => &[
            ("instrument", Text),
            ("version", Number),
            ("outcome", Text),
            ("total", Number),
            ("band", Text),
            ("suicide_risk", Bool),
            ("critical_medication", Bool),
        ],
        "referral_made" => &[("service", Text), ("priority", Text), ("self_referral", Bool)],
        "referral_triaged"
        | "referral_accepted"
        | "referral_seen"
        | "referral_discharged"
        | "hospital_transfer_assessed"
        | "hospital_second_assessment" => &[("referral", Text)],
        "referral_declined" => &[("referral", Text), ("reason", Text)],
        "hospital_bed_identified" => &[("referral", Text), ("hospital", Text)],
        "hospital_transfer_delayed" => &[("referral", Text), ("reason", Text)],
        "transferred_to_hospital" | "hospital_warrant_issued" => &[("referral", Text), ("section", Text)],
        "medicine_reported" => &[("critical", Bool), ("source", Text)],
        "medicine_confirmed" => &[("medicine", Text), ("against", Text)],
        "medication_given" => &[("critical", Bool), ("medicine", Text)],
        "medicines_supplied" => &[("occasion", Text), ("supply", Text)],
        "self_harm_incident" => &[("method", Text), ("severity", Text)],
        "acct_considered" => &[("reason", Text)],
        "acct_case_manager_named" => &[("acct", Text), ("case_manager", Text)],
        "acct_assessment_interview" => &[("acct", Text), ("assessor", Text)],
        "acct_reviewed" => &[("acct", Text)],
        "acct_care_plan_action" => &[("acct", Text), ("owner", Text)],
        "acct_care_plan_action_done" => &[("action", Text)],
        "acct_observation" => &[("acct", Text), ("conversation", Bool)],
        "acct_trigger_recorded" => &[("acct", Text), ("trigger", Text)],
        "acct_closed" => &[("acct", Text), ("reason", Text)],
        "acct_post_closure_review" => &[("acct", Text)],
        "peer_supporter_trained" | "peer_supporter_stood_down" => &[("scheme", Text)],
        "listener_requested" => &[("asked", Text)],
        "listener_request_met" => &[("request", Text)],
        "listener_request_withdrawn" | "listener_request_not_met" => &[("request", Text), ("reason", Text)],
        "key_worker_allocated" => &[("key_worker", Text), ("over_cap_reason", Text)],
        "key_worker_deallocated" => &[("reason", Text)],
        "key_work_session" => &[("key_worker", Text), ("minutes", Number)],
        "mbu_booklet_given" => &[("format", Text)],
        "mbu_officer_visit" | "mbu_officer_named" => &[("officer", Text)],
        "mbu_decision" => &[("application", Text), ("outcome", Text), ("board_on", Text)],
        "mbu_appeal_made" => &[("decision", Text)],
        "mbu_appeal_decided" => &[("appeal", Text), ("outcome", Text)],
        "mbu_admitted" => &[("unit", Text), ("temporary", Bool)],
        "hearing_scheduled" => &[("hearing", Text)],
        "information_given" => {
            &[("item", Text), ("format", Text), ("language", Text), ("understood", Text), ("from_kiosk", Bool)]
        }
        "request_raised" => {
            &[("category", Text), ("confidential", Bool), ("detail", Text), ("first_night", Bool), ("from_kiosk", Bool)]
        }
        "request_progressed" => &[("request", Text)],
        "request_answered" => &[("request", Text), ("outcome", Text), ("reason", Text)],
        "use_of_force" => &[("planned", Bool)],
        "incentive_level_changed" => &[("level", Text)],
        "adjudication" => &[("proven", Bool)],
        "temporary_release_requested" => &[("purpose", Text)],
        "temporary_release_decided" => &[("request", Text), ("granted", Bool)],
        "activity_attended" => &[("activity", Text), ("minutes", Number), ("service", Text)],
        "time_out_of_cell" => &[("on", Text), ("minutes", Number)],
        "service_referral" => &[("service", Text), ("part_of", Text), ("consented", Bool)],
        "discrimination_complaint_raised" => {
            &[("characteristic", Text), ("reporter", Text), ("from_kiosk", Bool), ("happened_on", Text)]
        }
        "discrimination_complaint_acknowledged" => &[("complaint", Text)],
        "discrimination_investigator_named" => &[("complaint", Text), ("investigator", Text)],
        "discrimination_staff_identified" => &[("complaint", Text)],
        "discrimination_complaint_answered" => &[("complaint", Text), ("upheld", Bool), ("finding", Text)],
        "discrimination_answer_checked" => &[("answer", Text), ("approved", Bool)],
        "discrimination_complaint_appealed" => &[("complaint", Text)],
        "discrimination_appeal_decided" => &[("appeal", Text), ("finding", Text)],
        "release_plan_item_completed" | "release_plan_item_noted" => &[("item", Text)],
        "community_handover_referred" => &[("service", Text)],
        "community_handover_accepted" => &[("referral", Text)],
        "transfer_arrival_reviewed" => &[("reviewer", Text)],
        "family_told_of_transfer" => &[("contact", Text), ("how", Text)],
        "community_record_matched" => &[("service", Text), ("missed", Bool)],
        "characteristic_declared" => &[("characteristic", Text), ("value", Text), ("detail", Text)],
        "communication_recorded" => &[("language", Text), ("interpreter", Bool), ("literacy_support", Bool)],
        "family_contact_named" => &[("relationship", Text), ("involvement", Text)],
        "family_contact_changed" => &[("contact", Text), ("involvement", Text)],
        "family_contact_removed" => &[("contact", Text)],
        "family_contact_made" => &[("contact", Text), ("how", Text)],
        "bereavement_recorded" => &[("relationship", Text)],
        _ => &[],
    }
}

/// Where a standards file is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct StandardsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    standard: Vec<Spanned<RawStandard>>,
}

/// A trigger is one event kind (or `met:` another standard), or a list of event kinds.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandard {
    id: Spanned<String>,
    title: Spanned<String>,
    source: Spanned<String>,
    scope: Spanned<String>,
    team: Spanned<String>,
    trigger: Spanned<OneOrMany>,
    trigger_where: Option<Spanned<String>>,
    applies_to: Option<Spanned<String>>,
    #[serde(default)]
    once_per_episode: bool,
    #[serde(default)]
    same_case: bool,
    completed_by: Spanned<Vec<String>>,
    complete_where: Option<Spanned<String>>,
    due: Option<Spanned<String>>,
    recurs: Option<Spanned<String>>,
    stops_when: Option<Spanned<Vec<String>>>,
    breached_by: Option<Spanned<Vec<String>>>,
    warn_before: Option<Spanned<String>>,
    escalate_after: Option<Spanned<String>>,
}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

pub(crate) fn event_kind(name: &str) -> Result<&'static str, String> {
    EventKind::NAMES.iter().copied().find(|k| *k == name).ok_or_else(|| format!("unknown event kind {name:?}"))
}

pub(crate) fn fact_type(f: &Field, event_kinds: &[&str]) -> Option<Type> {
    match f {
        Field::Fact(name) => FACTS.iter().find(|(n, _)| n == name).map(|(_, t)| *t),
        Field::Event(name) => {
            // The field must exist, with one type, on every kind the condition can see.
            let mut types =
                event_kinds.iter().map(|k| event_fields(k).iter().find(|(n, _)| n == name).map(|(_, t)| *t));
            let first = types.next()??;
            types.all(|t| t == Some(first)).then_some(first)
        }
    }
}

/// An optional condition from a file, parsed and checked against the fields it may use; an error
/// names the condition's line, worded by `word` when a field is wrong.
pub(crate) fn condition(
    text: &Option<Spanned<String>>,
    id: &dyn fmt::Display,
    schema: &dyn Fn(&Field) -> Option<Type>,
    word: &dyn Fn(String) -> String,
    err: &dyn Fn(usize, String) -> StandardsError,
) -> Result<Option<Expr>, StandardsError> {
    let Some(text) = text else { return Ok(None) };
    let at = text.span().start;
    let e = Expr::parse(text.get_ref()).map_err(|e| err(at, format!("{id}: {e}")))?;
    e.check(schema).map_err(|m| err(at, word(m)))?;
    Ok(Some(e))
}

/// Parses one standards file. `file` names it in errors.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Standard>, StandardsError> {
    let err =
        |offset: usize, message: String| StandardsError { file: file.into(), line: line_of(text, offset), message };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        err(offset, e.message().to_string())
    })?;
    let mut out = Vec::new();
    for s in raw.standard {
        let at = s.span().start;
        let s = s.into_inner();
        let id = StandardId::parse(s.id.get_ref()).map_err(|m| err(s.id.span().start, m))?;
        for (field, v) in [("title", &s.title), ("source", &s.source)] {
            if v.get_ref().trim().is_empty() {
                return Err(err(v.span().start, format!("{id}: {field} must not be empty")));
            }
        }
        let scope = Scope::parse_code(s.scope.get_ref()).map_err(|e| err(s.scope.span().start, e.to_string()))?;
        let team = Team::parse_code(s.team.get_ref()).map_err(|e| err(s.team.span().start, e.to_string()))?;
        let kinds = |v: &Spanned<Vec<String>>| -> Result<Vec<&'static str>, StandardsError> {
            v.get_ref().iter().map(|k| event_kind(k).map_err(|m| err(v.span().start, format!("{id}: {m}")))).collect()
        };
        let trigger_at = s.trigger.span().start;
        let trigger_kinds: Vec<&'static str>;
        let trigger = match s.trigger.get_ref() {
            OneOrMany::One(text) if text.starts_with("met:") => {
                trigger_kinds = vec![];
                if s.trigger_where.is_some() {
                    return Err(err(trigger_at, format!("{id}: trigger_where goes with an event trigger")));
                }
                Trigger::Met(StandardId::parse(&text["met:".len()..]).map_err(|m| err(trigger_at, m))?)
            }
            one_or_many => {
                let texts = match one_or_many {
                    OneOrMany::One(t) => std::slice::from_ref(t),
                    OneOrMany::Many(ts) => ts.as_slice(),
                };
                if texts.is_empty() {
                    return Err(err(trigger_at, format!("{id}: trigger must name at least one event kind")));
                }
                trigger_kinds = texts
                    .iter()
                    .map(|t| event_kind(t).map_err(|m| err(trigger_at, format!("{id}: {m}"))))
                    .collect::<Result<_, _>>()?;
                let schema = |f: &Field| fact_type(f, &trigger_kinds);
                let condition =
                    condition(&s.trigger_where, &id, &schema, &|m| format!("{id}: trigger_where: {m}"), &err)?;
                Trigger::Event { kinds: trigger_kinds.clone(), condition }
            }
        };
        let schema = |f: &Field| fact_type(f, &trigger_kinds);
        let applies_to = condition(&s.applies_to, &id, &schema, &|m| format!("{id}: applies_to: {m}"), &err)?;
        let completed_by = kinds(&s.completed_by)?;
        if completed_by.is_empty() {
            return Err(err(
                s.completed_by.span().start,
                format!("{id}: completed_by must name at least one event kind"),
            ));
        }
        let schema = |f: &Field| fact_type(f, &completed_by);
        let complete_where =
            condition(&s.complete_where, &id, &schema, &|m| format!("{id}: complete_where: {m}"), &err)?;
        let recurs = match &s.recurs {
            None => None,
            Some(r) => {
                let every =
                    parse_duration(r.get_ref()).map_err(|m| err(r.span().start, format!("{id}: recurs: {m}")))?;
                // A shorter period would let one event open thousands of obligations a year.
                if every < SignedDuration::from_hours(24) {
                    return Err(err(r.span().start, format!("{id}: recurs: must be at least 1 day")));
                }
                Some(every)
            }
        };
        let due = match (&s.due, recurs) {
            (Some(d), None) => {
                let due = Due::parse(d.get_ref()).map_err(|m| err(d.span().start, format!("{id}: {m}")))?;
                if let Due::ByEventDate(path, _) = due {
                    if trigger_kinds.is_empty() || !trigger_kinds.iter().all(|k| event_dates(k).contains(&path)) {
                        return Err(err(
                            d.span().start,
                            format!("{id}: the trigger does not set the date event.{path}"),
                        ));
                    }
                }
                due
            }
            (None, Some(period)) => Due::Hours((period.as_secs() / 3600) as u32),
            (Some(d), Some(_)) => {
                return Err(err(
                    d.span().start,
                    format!("{id}: a recurring standard is due at the end of each period: remove due"),
                ));
            }
            (None, None) => return Err(err(at, format!("{id}: give due (or recurs)"))),
        };
        let duration = |v: &Option<Spanned<String>>, what: &str| -> Result<Option<SignedDuration>, StandardsError> {
            v.as_ref()
                .map(|d| parse_duration(d.get_ref()).map_err(|m| err(d.span().start, format!("{id}: {what}: {m}"))))
                .transpose()
        };
        out.push(Standard {
            title: s.title.into_inner(),
            source: s.source.into_inner(),
            scope,
            team,
            trigger,
            applies_to,
            once_per_episode: s.once_per_episode,
            same_case: s.same_case,
            completed_by,
            complete_where,
            due,
            recurs,
            stops_when: s.stops_when.as_ref().map(kinds).transpose()?.unwrap_or_default(),
            breached_by: s.breached_by.as_ref().map(kinds).transpose()?.unwrap_or_default(),
            warn_before: duration(&s.warn_before, "warn_before")?,
            escalate_after: duration(&s.escalate_after, "escalate_after")?,
            id,
        });
    }
    Ok(out)
}

/// The standards shipped with throughcare (the `standards/` folder), built into the binary.
pub fn builtin_files() -> Vec<(String, String)> {
    [
        ("standards/reception.toml", include_str!("../../../../standards/reception.toml")),
        ("standards/key-work.toml", include_str!("../../../../standards/key-work.toml")),
        ("standards/mbu.toml", include_str!("../../../../standards/mbu.toml")),
        ("standards/hospital-transfer.toml", include_str!("../../../../standards/hospital-transfer.toml")),
        ("standards/release.toml", include_str!("../../../../standards/release.toml")),
        ("standards/referrals.toml", include_str!("../../../../standards/referrals.toml")),
        ("standards/medicines.toml", include_str!("../../../../standards/medicines.toml")),
        ("standards/safer-custody.toml", include_str!("../../../../standards/safer-custody.toml")),
        ("standards/peer-support.toml", include_str!("../../../../standards/peer-support.toml")),
        ("standards/requests.toml", include_str!("../../../../standards/requests.toml")),
        ("standards/discrimination.toml", include_str!("../../../../standards/discrimination.toml")),
        ("standards/transfer.toml", include_str!("../../../../standards/transfer.toml")),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect()
}

/// Every standard of a set, in an order where each comes after any standard it is triggered by.
#[derive(Debug, Clone, Default)]
pub struct StandardSet {
    standards: Vec<Standard>,
}

impl StandardSet {
    /// Checks the set as a whole: ids unique, `met:` triggers name real standards, no cycles.
    /// `files` are (name, text) pairs; errors name the file and line.
    pub fn load(files: &[(String, String)]) -> Result<Self, Vec<StandardsError>> {
        let mut errors = Vec::new();
        let mut all: Vec<(String, Standard)> = Vec::new();
        for (name, text) in files {
            match parse_file(name, text) {
                Ok(list) => all.extend(list.into_iter().map(|s| (name.clone(), s))),
                Err(e) => errors.push(e),
            }
        }
        let line = |file: &str, id: &StandardId| {
            let text = files.iter().find(|(n, _)| n == file).map_or("", |(_, t)| t.as_str());
            text.find(&format!("\"{id}\"")).map_or(1, |o| line_of(text, o))
        };
        let mut seen: HashMap<&StandardId, &str> = HashMap::new();
        for (file, s) in &all {
            if let Some(first) = seen.insert(&s.id, file) {
                errors.push(StandardsError {
                    file: file.clone(),
                    line: line(file, &s.id),
                    message: format!("{} is defined twice (also in {first})", s.id),
                });
            }
        }
        let by_id: BTreeMap<&StandardId, &Standard> = all.iter().map(|(_, s)| (&s.id, s)).collect();
        for (file, s) in &all {
            if let Trigger::Met(other) = &s.trigger {
                if !by_id.contains_key(other) {
                    errors.push(StandardsError {
                        file: file.clone(),
                        line: line(file, &s.id),
                        message: format!("{}: trigger met:{other} names no standard", s.id),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Order by dependency (Kahn); whatever cannot be ordered is in a cycle.
        let mut ordered: Vec<Standard> = Vec::new();
        let mut placed: HashSet<StandardId> = HashSet::new();
        let mut pending: Vec<&(String, Standard)> = all.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|(_, s)| {
                let ready = match &s.trigger {
                    Trigger::Met(other) => placed.contains(other),
                    Trigger::Event { .. } => true,
                };
                if ready {
                    placed.insert(s.id.clone());
                    ordered.push(s.clone());
                }
                !ready
            });
            if pending.len() == before {
                return Err(pending
                    .iter()
                    .map(|(file, s)| StandardsError {
                        file: file.clone(),
                        line: line(file, &s.id),
                        message: format!("{} is in a cycle of met: triggers", s.id),
                    })
                    .collect());
            }
        }
        Ok(Self { standards: ordered })
    }

    /// The shipped standards; they are tested, so failing to load them is a bug.
    pub fn builtin() -> Self {
        Self::load(&builtin_files()).expect("the shipped standards load")
    }

    pub fn iter(&self) -> impl Iterator<Item = &Standard> {
        self.standards.iter()
    }

    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.standards.iter().find(|s| s.id.as_str() == id)
    }

    pub fn len(&self) -> usize {
        self.standards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.standards.is_empty()
    }
}

#[cfg(test)]
mod tests;
