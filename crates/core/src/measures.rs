//! Measures as data: the outcomes the equality report breaks down by every protected
//! characteristic, loaded from `standards/measures/*.toml`, so a new measure is a definition.

use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::characteristics::Characteristic;
use crate::code_set;
use crate::codes::CodeSet;
use crate::event::Event;
use crate::standards::predicate::{Expr, Field, Type, Value};
use crate::standards::{
    StandardId, StandardSet, StandardsError, condition, event_fields, event_kind, fact_type, line_of,
};

code_set! {
    /// What a breakdown groups people by: each characteristic (ethnicity both as the five groups
    /// and in detail), or the establishment holding them.
    pub enum Dimension as "breakdown" {
        Age = "age": "Age",
        Disability = "disability": "Disability",
        EthnicGroup = "ethnic_group": "Ethnic group",
        Ethnicity = "ethnicity": "Ethnicity (detailed)",
        GenderIdentity = "gender_identity": "Gender identity",
        GenderReassignment = "gender_reassignment": "Gender reassignment",
        MarriageCivilPartnership = "marriage_civil_partnership": "Marriage and civil partnership",
        PregnancyMaternity = "pregnancy_maternity": "Pregnancy and maternity",
        Religion = "religion": "Religion or belief",
        Sex = "sex": "Sex",
        SexualOrientation = "sexual_orientation": "Sexual orientation",
        Establishment = "establishment": "Establishment",
    }
}

impl Dimension {
    /// The protected characteristic behind a breakdown (none for establishment).
    pub fn characteristic(self) -> Option<Characteristic> {
        Some(match self {
            Self::Age => Characteristic::Age,
            Self::Disability => Characteristic::Disability,
            Self::EthnicGroup | Self::Ethnicity => Characteristic::Ethnicity,
            Self::GenderIdentity => Characteristic::GenderIdentity,
            Self::GenderReassignment => Characteristic::GenderReassignment,
            Self::MarriageCivilPartnership => Characteristic::MarriageCivilPartnership,
            Self::PregnancyMaternity => Characteristic::PregnancyMaternity,
            Self::Religion => Characteristic::Religion,
            Self::Sex => Characteristic::Sex,
            Self::SexualOrientation => Characteristic::SexualOrientation,
            Self::Establishment => return None,
        })
    }

    /// The group MoJ statistics compare against, where there is one (White, for ethnicity).
    pub fn reference_group(self) -> Option<&'static str> {
        (self == Self::EthnicGroup).then_some("WHITE")
    }
}

/// A measure's id: lower-case words joined by hyphens (standards' ids are measures too).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct MeasureId(String);

impl MeasureId {
    pub fn parse(s: &str) -> Result<Self, String> {
        StandardId::parse(s).map(|id| Self(id.as_str().to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MeasureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An event kind, with an optional condition over the event's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMatch {
    pub kind: &'static str,
    pub condition: Option<Expr>,
}

impl EventMatch {
    pub fn matches(&self, e: &Event) -> bool {
        if e.kind.name() != self.kind {
            return false;
        }
        let Some(condition) = &self.condition else { return true };
        let details = e.kind.details_value();
        condition.eval(&|f: &Field| match f {
            Field::Event(n) => details.get(n).and_then(Value::from_json),
            Field::Fact(_) => None,
        })
    }
}

/// Whether a higher or a lower rate is the worrying direction (for wording, never for the test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Worse {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MeasureKind {
    /// People in custody in the period with at least one matching event in it.
    People { counts: EventMatch },
    /// Of the people with at least one `among` event in the period, those with at least one of
    /// them answered by a `counts` event (an answer names the event it answers).
    Answered { among: EventMatch, counts: EventMatch },
    /// Matching events per 100 person-years in custody. Incidents cluster in people, so this is
    /// shown with exact intervals but never flagged: the person-level measure carries the test.
    Incidents { counts: EventMatch },
    /// The sum of a field of the matching events (minutes), as hours per person per week in
    /// custody. Descriptive: shown with ratios, never tested.
    Amount { counts: EventMatch, field: &'static str },
    /// Of the people with a matching event in the period (their time is on record), those whose
    /// sum of the field (minutes) came to fewer than `hours_per_week` per week in custody in it.
    Below { counts: EventMatch, field: &'static str, hours_per_week: f64 },
    /// People in custody in the period who held a status at some time in it: begun by a `counts`
    /// event (before or in the period), ended by the next `until` event (a Listener until stood down).
    Held { counts: EventMatch, until: EventMatch },
    /// Of the people with obligations of a standard due in the period, those with every one met
    /// on time: the person-level test for a standard whose obligations cluster in people.
    StandardPeople { id: StandardId },
    /// A standard's obligations that fell due in the period, met on time. A recurring standard's
    /// periods cluster in people (one person, many weeks), so it is described, not flagged.
    Standard { id: StandardId, recurring: bool },
}

impl MeasureKind {
    pub fn code(&self) -> &'static str {
        match self {
            Self::People { .. } => "people",
            Self::Answered { .. } => "answered",
            Self::Incidents { .. } => "incidents",
            Self::Amount { .. } => "amount",
            Self::Below { .. } => "below",
            Self::Held { .. } => "held",
            Self::StandardPeople { .. } => "standard_people",
            Self::Standard { .. } => "standard",
        }
    }
    /// Proportions of independent units are tested and may be flagged; the rest are described.
    pub fn is_tested(&self) -> bool {
        matches!(
            self,
            Self::People { .. }
                | Self::Answered { .. }
                | Self::Held { .. }
                | Self::Below { .. }
                | Self::StandardPeople { .. }
                | Self::Standard { recurring: false, .. }
        )
    }
    /// Rates of people or obligations (0-1), as against rates per person-time.
    pub fn is_proportion(&self) -> bool {
        matches!(
            self,
            Self::People { .. }
                | Self::Answered { .. }
                | Self::Held { .. }
                | Self::Below { .. }
                | Self::StandardPeople { .. }
                | Self::Standard { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub id: MeasureId,
    pub title: String,
    /// What counts, in words a reader outside the prison understands.
    pub counts_in_words: String,
    pub source: String,
    pub worse: Worse,
    pub kind: MeasureKind,
}

/// The flag rule (research/stats.md §6.4), with stricter sizes for two characteristics at a time.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlagRule {
    pub q_at_most: f64,
    pub ratio_at_least: f64,
    pub ratio_at_most: f64,
    pub min_people: u64,
    pub min_events: u64,
    pub intersectional_min_people: u64,
    pub intersectional_min_events: u64,
}

/// Every measure, the intersections to break down, and the flag rule.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureSet {
    pub measures: Vec<Measure>,
    pub intersections: Vec<(Dimension, Dimension)>,
    pub flag: FlagRule,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    measure: Vec<Spanned<RawMeasure>>,
    flag: Option<Spanned<FlagRule>>,
    intersections: Option<Spanned<Vec<[String; 2]>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: Spanned<String>,
    title: Spanned<String>,
    counts_in_words: Spanned<String>,
    source: Spanned<String>,
    worse: Spanned<String>,
    kind: Spanned<String>,
    counts: Option<Spanned<String>>,
    counts_where: Option<Spanned<String>>,
    among: Option<Spanned<String>>,
    among_where: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
    until_where: Option<Spanned<String>>,
    field: Option<Spanned<String>>,
    below_hours_per_week: Option<Spanned<f64>>,
    standard: Option<Spanned<String>>,
}

/// The measure files shipped with throughcare, built into the binary.
pub fn builtin_files() -> Vec<(String, String)> {
    vec![("standards/measures/outcomes.toml".into(), include_str!("../../../standards/measures/outcomes.toml").into())]
}

impl MeasureSet {
    /// Loads measure files and adds one compliance measure per standard. Errors name file and line.
    pub fn load(files: &[(String, String)], standards: &StandardSet) -> Result<Self, Vec<StandardsError>> {
        let mut errors = Vec::new();
        let mut measures = Vec::new();
        let mut intersections = Vec::new();
        let mut flag = None;
        for (file, text) in files {
            let err = |offset: usize, message: String| StandardsError {
                file: file.clone(),
                line: line_of(text, offset),
                message,
            };
            let raw: RawFile = match toml::from_str(text) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(err(e.span().map_or(0, |s| s.start), e.message().to_string()));
                    continue;
                }
            };
            if let Some(f) = raw.flag {
                let at = f.span().start;
                let f = f.into_inner();
                let ok = f.q_at_most > 0.0
                    && f.q_at_most < 1.0
                    && f.ratio_at_least > 1.0
                    && f.ratio_at_most < 1.0
                    && f.ratio_at_most > 0.0
                    && f.intersectional_min_people >= f.min_people
                    && f.intersectional_min_events >= f.min_events;
                if !ok {
                    errors.push(err(at, "flag: q_at_most must be in (0, 1), ratio_at_least above 1, ratio_at_most in (0, 1), and intersectional minimums at least the others".into()));
                } else if flag.replace(f).is_some() {
                    errors.push(err(at, "flag: the flag rule is given twice".into()));
                }
            }
            for pair in raw.intersections.iter().flat_map(|p| p.get_ref().iter().map(move |x| (p.span().start, x))) {
                let (at, [a, b]) = pair;
                match (Dimension::parse_code(a), Dimension::parse_code(b)) {
                    (Ok(a), Ok(b)) if a != b => intersections.push((a, b)),
                    (Ok(_), Ok(_)) => errors.push(err(at, format!("intersections: {a} with itself"))),
                    (Err(e), _) | (_, Err(e)) => errors.push(err(at, format!("intersections: {e}"))),
                }
            }
            for m in raw.measure {
                match parse_measure(m.into_inner(), standards, &err) {
                    Ok(m) => measures.push(m),
                    Err(e) => errors.push(e),
                }
            }
        }
        for s in standards.iter() {
            measures.push(Measure {
                id: MeasureId(format!("standard-{}", s.id)),
                title: s.title.clone(),
                counts_in_words: "obligations that fell due in the period and were met on time".into(),
                source: s.source.clone(),
                worse: Worse::Lower,
                kind: MeasureKind::Standard { id: s.id.clone(), recurring: s.recurs.is_some() },
            });
        }
        let mut seen = std::collections::HashSet::new();
        for m in &measures {
            if !seen.insert(m.id.clone()) {
                errors.push(StandardsError {
                    file: "measures".into(),
                    line: 1,
                    message: format!("{} is defined twice", m.id),
                });
            }
        }
        let Some(flag) = flag else {
            errors.push(StandardsError { file: "measures".into(), line: 1, message: "no [flag] rule is given".into() });
            return Err(errors);
        };
        if errors.is_empty() { Ok(Self { measures, intersections, flag }) } else { Err(errors) }
    }

    /// The shipped measures with the given standards; tested, so failing to load them is a bug.
    pub fn builtin(standards: &StandardSet) -> Self {
        Self::load(&builtin_files(), standards).expect("the shipped measures load")
    }

    pub fn get(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id.as_str() == id)
    }
}

fn parse_match(
    id: &MeasureId,
    kind: &Spanned<String>,
    text: &Option<Spanned<String>>,
    err: &dyn Fn(usize, String) -> StandardsError,
) -> Result<EventMatch, StandardsError> {
    let k = event_kind(kind.get_ref()).map_err(|m| err(kind.span().start, format!("{id}: {m}")))?;
    // Only the event's own fields: a measure has no trigger time for the person's facts.
    let schema = |f: &Field| match f {
        Field::Event(_) => fact_type(f, &[k]),
        Field::Fact(_) => None,
    };
    let word = |m: String| format!("{id}: {m} (a measure's condition uses event.FIELD only)");
    let condition = condition(text, id, &schema, &word, err)?;
    Ok(EventMatch { kind: k, condition })
}

fn parse_measure(
    m: RawMeasure,
    standards: &StandardSet,
    err: &dyn Fn(usize, String) -> StandardsError,
) -> Result<Measure, StandardsError> {
    let id = MeasureId::parse(m.id.get_ref()).map_err(|e| err(m.id.span().start, e))?;
    for (name, v) in [("title", &m.title), ("counts_in_words", &m.counts_in_words), ("source", &m.source)] {
        if v.get_ref().trim().is_empty() {
            return Err(err(v.span().start, format!("{id}: {name} must not be empty")));
        }
    }
    let worse = match m.worse.get_ref().as_str() {
        "higher" => Worse::Higher,
        "lower" => Worse::Lower,
        other => {
            return Err(err(
                m.worse.span().start,
                format!("{id}: worse must be \"higher\" or \"lower\", not {other:?}"),
            ));
        }
    };
    let refuse = |v: &Option<Spanned<String>>, what: &str, kind: &str| match v {
        Some(v) => Err(err(v.span().start, format!("{id}: {what} does not go with kind = \"{kind}\""))),
        None => Ok(()),
    };
    let kind_name = m.kind.get_ref().as_str();
    if kind_name == "standard_people" {
        for (v, what) in
            [(&m.counts, "counts"), (&m.counts_where, "counts_where"), (&m.among, "among"), (&m.field, "field")]
        {
            refuse(v, what, kind_name)?;
        }
        let Some(standard) = &m.standard else {
            return Err(err(m.kind.span().start, format!("{id}: a standard_people measure needs standard (its id)")));
        };
        let sid = standards
            .get(standard.get_ref())
            .map(|s| s.id.clone())
            .ok_or_else(|| err(standard.span().start, format!("{id}: no standard {:?}", standard.get_ref())))?;
        return Ok(Measure {
            id,
            title: m.title.into_inner(),
            counts_in_words: m.counts_in_words.into_inner(),
            source: m.source.into_inner(),
            worse,
            kind: MeasureKind::StandardPeople { id: sid },
        });
    }
    refuse(&m.standard, "standard", kind_name)?;
    let Some(counts_kind) = &m.counts else {
        return Err(err(m.kind.span().start, format!("{id}: a {kind_name} measure needs counts (an event kind)")));
    };
    let counts = parse_match(&id, counts_kind, &m.counts_where, err)?;
    if kind_name != "held" {
        refuse(&m.until, "until", kind_name)?;
        refuse(&m.until_where, "until_where", kind_name)?;
    }
    let kind = match kind_name {
        "held" => {
            refuse(&m.among, "among", kind_name)?;
            refuse(&m.field, "field", kind_name)?;
            let Some(until) = &m.until else {
                return Err(err(
                    m.kind.span().start,
                    format!("{id}: a held measure needs until (the event that ends it)"),
                ));
            };
            MeasureKind::Held { counts, until: parse_match(&id, until, &m.until_where, err)? }
        }
        "people" | "incidents" => {
            refuse(&m.among, "among", kind_name)?;
            refuse(&m.among_where, "among_where", kind_name)?;
            refuse(&m.field, "field", kind_name)?;
            if kind_name == "people" { MeasureKind::People { counts } } else { MeasureKind::Incidents { counts } }
        }
        "answered" => {
            refuse(&m.field, "field", kind_name)?;
            let Some(among) = &m.among else {
                return Err(err(
                    m.kind.span().start,
                    format!("{id}: an answered measure needs among (the event answered)"),
                ));
            };
            MeasureKind::Answered { among: parse_match(&id, among, &m.among_where, err)?, counts }
        }
        "amount" | "below" => {
            refuse(&m.among, "among", kind_name)?;
            let Some(field) = &m.field else {
                return Err(err(
                    m.kind.span().start,
                    format!("{id}: an amount measure needs field (a number of minutes)"),
                ));
            };
            let name = event_fields(counts.kind)
                .iter()
                .find(|(n, t)| n == field.get_ref() && *t == Type::Number)
                .map(|(n, _)| *n)
                .ok_or_else(|| {
                    err(field.span().start, format!("{id}: {} has no number field {:?}", counts.kind, field.get_ref()))
                })?;
            match (kind_name, &m.below_hours_per_week) {
                ("amount", None) => MeasureKind::Amount { counts, field: name },
                ("below", Some(h)) if *h.get_ref() > 0.0 && *h.get_ref() <= 168.0 => {
                    MeasureKind::Below { counts, field: name, hours_per_week: *h.get_ref() }
                }
                ("below", Some(h)) => {
                    return Err(err(h.span().start, format!("{id}: below_hours_per_week must be 0-168")));
                }
                (_, None) => {
                    return Err(err(m.kind.span().start, format!("{id}: a below measure needs below_hours_per_week")));
                }
                (_, Some(h)) => {
                    return Err(err(
                        h.span().start,
                        format!("{id}: below_hours_per_week does not go with kind = \"amount\""),
                    ));
                }
            }
        }
        other => {
            return Err(err(
                m.kind.span().start,
                format!(
                    "{id}: kind must be people, answered, held, incidents, amount, below or standard_people, not {other:?}"
                ),
            ));
        }
    };
    Ok(Measure {
        id,
        title: m.title.into_inner(),
        counts_in_words: m.counts_in_words.into_inner(),
        source: m.source.into_inner(),
        worse,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_measures_load_with_a_measure_per_standard() {
        let standards = StandardSet::builtin();
        let set = MeasureSet::builtin(&standards);
        assert_eq!(
            set.measures.iter().filter(|m| matches!(m.kind, MeasureKind::Standard { .. })).count(),
            standards.len()
        );
        assert!(set.get("use-of-force").is_some_and(|m| m.kind.is_tested()));
        assert!(set.get("self-harm-rate").is_some_and(|m| !m.kind.is_tested()));
        assert!(set.get("standard-key-work-weekly").is_some_and(|m| m.kind.is_proportion() && !m.kind.is_tested()));
        assert_eq!(set.intersections[0], (Dimension::Sex, Dimension::EthnicGroup));
    }

    #[test]
    fn a_bad_measure_is_refused_naming_file_and_line() {
        let standards = StandardSet::builtin();
        let flag = "[flag]\nq_at_most = 0.05\nratio_at_least = 1.25\nratio_at_most = 0.8\nmin_people = 10\nmin_events = 5\nintersectional_min_people = 30\nintersectional_min_events = 10\n";
        let bad = |body: &str| {
            let text = format!(
                "{flag}\n[[measure]]\nid = \"x\"\ntitle = \"X\"\ncounts_in_words = \"x\"\nsource = \"s\"\nworse = \"higher\"\n{body}"
            );
            MeasureSet::load(&[("m.toml".into(), text)], &standards).unwrap_err()[0].to_string()
        };
        assert_eq!(
            bad("kind = \"people\"\ncounts = \"use_of_farce\"\n"),
            "m.toml:17: x: unknown event kind \"use_of_farce\""
        );
        assert!(
            bad("kind = \"people\"\ncounts = \"use_of_force\"\ncounts_where = \"sex == 'F'\"\n")
                .contains("event.FIELD only")
        );
        assert!(bad("kind = \"answered\"\ncounts = \"referral_accepted\"\n").contains("needs among"));
        assert!(
            bad("kind = \"amount\"\ncounts = \"activity_attended\"\nfield = \"activity\"\n")
                .contains("no number field")
        );
        assert!(bad("kind = \"sometimes\"\ncounts = \"use_of_force\"\n").contains("kind must be"));
        assert!(bad("kind = \"held\"\ncounts = \"peer_supporter_trained\"\n").contains("needs until"));
        assert!(bad("kind = \"standard_people\"\nstandard = \"no-such-standard\"\n").contains("no standard"));
        assert!(
            bad("kind = \"standard_people\"\nstandard = \"acct-observation-gap\"\ncounts = \"acct_opened\"\n")
                .contains("counts does not go with")
        );
        assert!(bad("kind = \"people\"\n").contains("needs counts"));
    }
}
