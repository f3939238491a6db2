//! The record that follows a person between prisons: throughcare's own lossless file, and a
//! FHIR R4 UK Core bundle for every other system (`fhir`).

pub mod fhir;

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::{Correction, Event, EventKind};
use crate::ids::{EstablishmentCode, EventId, NhsNumber, PrisonNumber, StaffRef};
use crate::person::{Establishment, Name, Person, Population};
use crate::time::{format_instant, parse_date, parse_instant};

pub const FORMAT: &str = "throughcare-transfer";
pub const VERSION: u32 = 1;

/// One thing wrong with a transfer record, named by where it is (`events[3].details`, or a FHIR
/// path such as `Bundle.entry[2].resource.status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { path: path.into(), reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Everything a receiving establishment needs: the person, their whole timeline (corrections
/// included, so nothing is lost), and the establishments it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    pub exported_at: Timestamp,
    pub person: Person,
    pub establishments: Vec<Establishment>,
    pub events: Vec<Event>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRecord {
    format: String,
    version: u32,
    exported_at: String,
    person: WirePerson,
    establishments: Vec<WireEstablishment>,
    events: Vec<WireEvent>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePerson {
    prison_number: String,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nhs_number: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEstablishment {
    code: String,
    name: String,
    population: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent {
    id: String,
    occurred_at: String,
    recorded_at: String,
    recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supersedes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    correction_reason: Option<String>,
    kind: String,
    details: serde_json::Value,
}

impl TransferRecord {
    /// The file: pretty JSON, events in timeline order, so two exports of the same record are
    /// byte-for-byte the same.
    pub fn to_json(&self) -> String {
        use crate::codes::CodeSet;
        let mut events: Vec<&Event> = self.events.iter().collect();
        events.sort_by(|a, b| (a.occurred_at, a.recorded_at, a.id).cmp(&(b.occurred_at, b.recorded_at, b.id)));
        let mut establishments: Vec<&Establishment> = self.establishments.iter().collect();
        establishments.sort_by(|a, b| a.code.cmp(&b.code));
        let wire = WireRecord {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: format_instant(self.exported_at),
            person: WirePerson {
                prison_number: self.person.prison_number.to_string(),
                given_name: self.person.given_name.as_str().into(),
                family_name: self.person.family_name.as_str().into(),
                date_of_birth: self.person.date_of_birth.to_string(),
                nhs_number: self.person.nhs_number.as_ref().map(ToString::to_string),
            },
            establishments: establishments
                .into_iter()
                .map(|e| WireEstablishment {
                    code: e.code.to_string(),
                    name: e.name.as_str().into(),
                    population: e.population.code().into(),
                })
                .collect(),
            events: events
                .into_iter()
                .map(|e| WireEvent {
                    id: e.id.to_string(),
                    occurred_at: format_instant(e.occurred_at),
                    recorded_at: format_instant(e.recorded_at),
                    recorded_by: e.recorded_by.to_string(),
                    supersedes: e.correction.as_ref().map(|c| c.supersedes.to_string()),
                    correction_reason: e.correction.as_ref().map(|c| c.reason.clone()),
                    kind: e.kind.name().into(),
                    details: e.kind.details_value(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&wire).expect("a record always serialises") + "\n"
    }

    /// Reads a file, naming every problem; a record with any problem is refused whole.
    pub fn parse(text: &str) -> Result<Self, Vec<Problem>> {
        use crate::codes::CodeSet;
        let wire: WireRecord = serde_json::from_str(text).map_err(|e| vec![Problem::new("record", e.to_string())])?;
        let mut problems = Vec::new();
        if wire.format != FORMAT {
            problems.push(Problem::new("format", format!("expected {FORMAT:?}, got {:?}", wire.format)));
        }
        if wire.version != VERSION {
            problems.push(Problem::new("version", format!("this throughcare reads version {VERSION}")));
        }
        let exported_at = parse_instant(&wire.exported_at).map_err(|e| problems.push(Problem::new("exported_at", e)));
        let p = &wire.person;
        let pn = PrisonNumber::parse(&p.prison_number)
            .map_err(|e| problems.push(Problem::new("person.prison_number", e.to_string())));
        let given =
            Name::parse(&p.given_name).map_err(|e| problems.push(Problem::new("person.given_name", e.to_string())));
        let family =
            Name::parse(&p.family_name).map_err(|e| problems.push(Problem::new("person.family_name", e.to_string())));
        let dob = parse_date(&p.date_of_birth).map_err(|e| problems.push(Problem::new("person.date_of_birth", e)));
        let nhs = match &p.nhs_number {
            None => Ok(None),
            Some(n) => NhsNumber::parse(n)
                .map(Some)
                .map_err(|e| problems.push(Problem::new("person.nhs_number", e.to_string()))),
        };
        let mut establishments = Vec::new();
        for (i, e) in wire.establishments.iter().enumerate() {
            let at = |f: &str| format!("establishments[{i}].{f}");
            let code =
                EstablishmentCode::parse(&e.code).map_err(|x| problems.push(Problem::new(at("code"), x.to_string())));
            let name = Name::parse(&e.name).map_err(|x| problems.push(Problem::new(at("name"), x)));
            let population = Population::parse_code(&e.population)
                .map_err(|x| problems.push(Problem::new(at("population"), x.to_string())));
            if let (Ok(code), Ok(name), Ok(population)) = (code, name, population) {
                establishments.push(Establishment { code, name, population });
            }
        }
        let mut events = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, e) in wire.events.iter().enumerate() {
            let at = |f: &str| format!("events[{i}].{f}");
            let before = problems.len();
            let id = EventId::parse(&e.id).map_err(|x| problems.push(Problem::new(at("id"), x.to_string())));
            if let Ok(id) = &id {
                if !seen.insert(*id) {
                    problems.push(Problem::new(at("id"), format!("{id} appears twice")));
                }
            }
            let occurred = parse_instant(&e.occurred_at).map_err(|x| problems.push(Problem::new(at("occurred_at"), x)));
            let recorded = parse_instant(&e.recorded_at).map_err(|x| problems.push(Problem::new(at("recorded_at"), x)));
            let by = StaffRef::parse(&e.recorded_by)
                .map_err(|x| problems.push(Problem::new(at("recorded_by"), x.to_string())));
            let correction = match (&e.supersedes, &e.correction_reason) {
                (None, None) => Ok(None),
                (Some(s), Some(r)) => EventId::parse(s)
                    .map(|supersedes| Some(Correction { supersedes, reason: r.clone() }))
                    .map_err(|x| problems.push(Problem::new(at("supersedes"), x.to_string()))),
                _ => {
                    problems.push(Problem::new(
                        at("supersedes"),
                        "a correction needs both supersedes and correction_reason",
                    ));
                    Err(())
                }
            };
            let kind = EventKind::parse(&e.kind, &e.details.to_string())
                .map_err(|x| problems.push(Problem::new(at("details"), x.to_string())));
            if problems.len() > before {
                continue;
            }
            let (Ok(id), Ok(occurred_at), Ok(recorded_at), Ok(recorded_by), Ok(correction), Ok(kind), Ok(person)) =
                (id, occurred, recorded, by, correction, kind, pn.clone())
            else {
                continue;
            };
            let event = Event { id, person, occurred_at, recorded_at, recorded_by, correction, kind };
            if let Err(x) = event.check() {
                problems.push(Problem::new(at("kind"), x));
                continue;
            }
            events.push(event);
        }
        // Every establishment an event names travels with the record.
        for (i, e) in events.iter().enumerate() {
            for code in e.kind.establishments() {
                if !establishments.iter().any(|x| &x.code == code) {
                    problems.push(Problem::new(
                        format!("events[{i}].details"),
                        format!("names establishment {code}, which is not in establishments"),
                    ));
                }
            }
        }
        match (problems.is_empty(), exported_at, pn, given, family, dob, nhs) {
            (
                true,
                Ok(exported_at),
                Ok(prison_number),
                Ok(given_name),
                Ok(family_name),
                Ok(date_of_birth),
                Ok(nhs_number),
            ) => Ok(Self {
                exported_at,
                person: Person { prison_number, given_name, family_name, date_of_birth, nhs_number },
                establishments,
                events,
            }),
            _ => Err(problems),
        }
    }
}

/// Whether a person already on record is the one a record describes: the same name, date of
/// birth and (where both have one) NHS number. Otherwise every difference is named.
pub fn identity_conflicts(ours: &Person, theirs: &Person, path: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut differ = |field: &str, a: String, b: String| {
        if a != b {
            out.push(Problem::new(
                format!("{path}.{field}"),
                format!("{} is already on record with {field} {a}, not {b}", ours.prison_number),
            ));
        }
    };
    differ("given_name", ours.given_name.as_str().to_lowercase(), theirs.given_name.as_str().to_lowercase());
    differ("family_name", ours.family_name.as_str().to_lowercase(), theirs.family_name.as_str().to_lowercase());
    differ("date_of_birth", ours.date_of_birth.to_string(), theirs.date_of_birth.to_string());
    if let (Some(a), Some(b)) = (&ours.nhs_number, &theirs.nhs_number) {
        differ("nhs_number", a.to_string(), b.to_string());
    }
    out
}

#[cfg(test)]
mod tests;
