//! Which group a person is counted in, for each breakdown, using the value in force at the time.

use std::borrow::Cow;

use jiff::Timestamp;
use throughcare_core::characteristics::{AgeBand, Declaration, Declared, EthnicGroup, age_on};
use throughcare_core::codes::CodeSet;
use throughcare_core::measures::Dimension;
use throughcare_core::time::{date_in_england, start_of_day_in_england};
use throughcare_core::timeline::PersonState;
use throughcare_core::{Characteristic, Person};

/// One breakdown of a report: a single characteristic (or establishment), or two at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Breakdown {
    One(Dimension),
    Two(Dimension, Dimension),
}

impl Breakdown {
    pub fn id(self) -> String {
        match self {
            Self::One(d) => d.code().to_string(),
            Self::Two(a, b) => format!("{}+{}", a.code(), b.code()),
        }
    }
    pub fn title(self) -> String {
        match self {
            Self::One(d) => d.label().to_string(),
            Self::Two(a, b) => format!("{} and {}", a.label(), b.label().to_lowercase()),
        }
    }
    pub fn is_intersectional(self) -> bool {
        matches!(self, Self::Two(..))
    }
    pub fn dimensions(self) -> Vec<Dimension> {
        match self {
            Self::One(d) => vec![d],
            Self::Two(a, b) => vec![a, b],
        }
    }
}

/// Not stated and not known: groups of their own, never in anyone's comparison group.
pub fn is_unknown(code: &str) -> bool {
    code.split(" + ").any(|part| part == "NS" || part == "NK")
}

/// The group code a person is counted in at `at`.
pub fn group_at(d: Dimension, person: &Person, state: &PersonState, at: Timestamp) -> Cow<'static, str> {
    match d {
        Dimension::Age => AgeBand::for_age(age_on(person.date_of_birth, date_in_england(at)))
            .map_or(Cow::Borrowed("NK"), |b| Cow::Borrowed(b.code())),
        Dimension::EthnicGroup => match state.characteristics.in_force(Characteristic::Ethnicity, at) {
            Some(Declaration::Ethnicity(Declared::Stated(e))) => Cow::Borrowed(e.group().code()),
            Some(Declaration::Ethnicity(Declared::NotStated)) => Cow::Borrowed("NS"),
            _ => Cow::Borrowed("NK"),
        },
        Dimension::Establishment => state
            .episodes
            .iter()
            .rev()
            .find(|ep| ep.received_at <= at)
            .map_or(Cow::Borrowed("NK"), |ep| Cow::Owned(ep.establishment.as_str().to_string())),
        other => {
            let c = other.characteristic().expect("every other breakdown is a characteristic");
            state.characteristics.in_force(c, at).map_or(Cow::Borrowed("NK"), |d| d.code())
        }
    }
}

/// The group code for a breakdown (two codes joined with " + " for an intersection).
pub fn breakdown_group(b: Breakdown, person: &Person, state: &PersonState, at: Timestamp) -> String {
    match b {
        Breakdown::One(d) => group_at(d, person, state, at).into_owned(),
        Breakdown::Two(x, y) => format!("{} + {}", group_at(x, person, state, at), group_at(y, person, state, at)),
    }
}

/// Instants inside `(from, to)` where the person's group for `b` may change, so person-time can
/// be split and each piece counted in the group in force.
pub fn changes(b: Breakdown, person: &Person, state: &PersonState, from: Timestamp, to: Timestamp) -> Vec<Timestamp> {
    let mut out = Vec::new();
    for d in b.dimensions() {
        match d {
            Dimension::Age => {
                // Band edges: the birthdays on which the band changes.
                for age in [18i16, 26, 36, 46, 56, 66] {
                    let Ok(day) = person.date_of_birth.checked_add(jiff::Span::new().years(age)) else { continue };
                    let Ok(t) = start_of_day_in_england(day) else { continue };
                    if t > from && t < to {
                        out.push(t);
                    }
                }
            }
            Dimension::Establishment => {}
            other => {
                let c = other.characteristic().expect("a characteristic");
                // The first declaration stands from the start, so only later ones change the group.
                let later = state.characteristics.history(c).into_iter().skip(1).map(|(t, _)| t);
                out.extend(later.filter(|t| *t > from && *t < to));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A group's code in words: "Black, Black British, Caribbean or African", "Not stated".
pub fn group_label(d: Dimension, code: &str, establishment_name: &dyn Fn(&str) -> Option<String>) -> String {
    match code {
        "NS" => return "Not stated".into(),
        "NK" => return "Not known".into(),
        _ => {}
    }
    let label = match d {
        Dimension::Age => AgeBand::from_code(code).map(|b| b.label().to_string()),
        Dimension::EthnicGroup => EthnicGroup::from_code(code).map(|g| g.label().to_string()),
        Dimension::Establishment => establishment_name(code),
        other => other
            .characteristic()
            .and_then(|c| Declaration::parse(c.code(), code, None).ok())
            .map(|decl| decl.describe()),
    };
    label.unwrap_or_else(|| code.to_string())
}

pub fn breakdown_label(b: Breakdown, code: &str, establishment_name: &dyn Fn(&str) -> Option<String>) -> String {
    match b {
        Breakdown::One(d) => group_label(d, code, establishment_name),
        Breakdown::Two(x, y) => {
            let (a, c) = code.split_once(" + ").unwrap_or((code, ""));
            format!("{} · {}", group_label(x, a, establishment_name), group_label(y, c, establishment_name))
        }
    }
}
