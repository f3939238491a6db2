//! Screening instruments as data (`instruments/*.toml`): items, answers, scoring, bands and the
//! rules that open obligations or suggest referrals, scored here from the answers alone.
//!
//! A score sent by a client is never trusted: [`InstrumentSet::score`] computes it, and
//! [`InstrumentSet::check_result`] refuses a recorded result that does not match its answers.
//! Each result keeps the instrument's version and its own score, so a changed file never changes
//! the meaning of an old answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::codes::CodeSet;
use crate::event::{EventKind, Instrument, ScreeningOutcome, Service};
use crate::standards::predicate::{Expr, Field, Type, Value};
use crate::standards::{StandardsError, line_of};

/// One answer to one item: an option chosen, or a record of why there is none. "Not asked" and
/// "declined" are answers in their own right, never a score of 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Chosen(String),
    NotAsked { not_asked: String },
    Declined { declined: String },
}

impl Answer {
    fn reason(&self) -> Option<&str> {
        match self {
            Answer::Chosen(_) => None,
            Answer::NotAsked { not_asked: r } | Answer::Declined { declined: r } => Some(r),
        }
    }
}

/// A screening's answers, by item id.
pub type Answers = BTreeMap<String, Answer>;

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOption {
    pub code: String,
    pub label: String,
    pub score: Option<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub hint: Option<String>,
    /// A heading the item starts, for long screens (NICE NG57 domains).
    pub section: Option<String>,
    pub required: bool,
    pub options: Vec<AnswerOption>,
}

impl Item {
    fn scored(&self) -> bool {
        self.options.iter().all(|o| o.score.is_some())
    }
    pub fn option(&self, code: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.code == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: u8,
    pub to: u8,
    pub label: String,
}

/// What a rule does when its condition holds. Every rule says why, in words the screener reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub when: Expr,
    pub when_text: String,
    pub reason: String,
    pub suggest: Option<Service>,
    /// Opens the same-day suicide-risk assessment (standards/reception.toml).
    pub suicide_risk: bool,
    /// Opens the same-day critical-medicines obligation.
    pub critical_medication: bool,
    pub urgent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub instrument: Instrument,
    pub version: u16,
    pub title: String,
    pub source: String,
    pub licence: String,
    /// A line the licence requires wherever the instrument is shown.
    pub credit: Option<String>,
    /// The question every item answers ("Over the last 2 weeks, how often...").
    pub question: Option<String>,
    pub sums: bool,
    pub loinc: Option<String>,
    pub snomed: Option<String>,
    pub items: Vec<Item>,
    pub bands: Vec<Band>,
    pub rules: Vec<Rule>,
}

impl Definition {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    fn max_total(&self) -> u32 {
        self.items.iter().map(|i| u32::from(i.options.iter().filter_map(|o| o.score).max().unwrap_or(0))).sum()
    }

    pub fn band(&self, total: u8) -> Option<&Band> {
        self.bands.iter().find(|b| (b.from..=b.to).contains(&total))
    }
}

/// One problem with one item's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub item: String,
    pub message: String,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.message)
    }
}

/// A result computed from answers: what the event records beside them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub version: u16,
    pub total: Option<u8>,
    pub band: Option<String>,
    pub outcome: ScreeningOutcome,
    pub suicide_risk: bool,
    pub critical_medication: bool,
    pub suggested: Vec<Service>,
    /// Why: each rule that held, in the file's words.
    pub reasons: Vec<String>,
    /// Items not answered (declined or not asked), which is why a total may be missing.
    pub unanswered: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    code: String,
    label: String,
    score: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: String,
    hint: Option<String>,
    section: Option<String>,
    #[serde(default = "yes")]
    required: bool,
    options: Option<Vec<RawOption>>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    from: u8,
    to: u8,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    when: Spanned<String>,
    reason: String,
    suggest: Option<Spanned<String>>,
    #[serde(default)]
    suicide_risk: bool,
    #[serde(default)]
    critical_medication: bool,
    #[serde(default)]
    urgent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    id: Spanned<String>,
    version: u16,
    title: String,
    source: String,
    licence: String,
    credit: Option<String>,
    question: Option<String>,
    score: Spanned<String>,
    loinc: Option<String>,
    snomed: Option<String>,
    #[serde(default)]
    options: Vec<RawOption>,
    #[serde(default)]
    item: Vec<RawItem>,
    #[serde(default)]
    band: Vec<Spanned<RawBand>>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

fn options(raw: Vec<RawOption>) -> Vec<AnswerOption> {
    raw.into_iter().map(|o| AnswerOption { code: o.code, label: o.label, score: o.score }).collect()
}

/// Parses and checks one instrument file; `file` names it in errors.
pub fn parse_file(file: &str, text: &str) -> Result<Definition, StandardsError> {
    let err =
        |offset: usize, message: String| StandardsError { file: file.into(), line: line_of(text, offset), message };
    let raw: RawFile = toml::from_str(text).map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().into()))?;
    let instrument = Instrument::parse_code(raw.id.get_ref()).map_err(|e| err(raw.id.span().start, e.to_string()))?;
    let sums = match raw.score.get_ref().as_str() {
        "sum" => true,
        "none" => false,
        other => return Err(err(raw.score.span().start, format!("score {other:?} must be \"sum\" or \"none\""))),
    };
    let shared = options(raw.options);
    let mut items: Vec<Item> = Vec::new();
    for i in raw.item {
        let at = i.id.span().start;
        let id = i.id.into_inner();
        let ok_id = (1..=40).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && id.as_bytes()[0].is_ascii_lowercase()
            && id != "total";
        if !ok_id {
            return Err(err(
                at,
                format!("item id {id:?} must be lower-case letters, digits and _ (and not \"total\")"),
            ));
        }
        if items.iter().any(|x| x.id == id) {
            return Err(err(at, format!("item {id} is defined twice")));
        }
        let opts = i.options.map(options).unwrap_or_else(|| shared.clone());
        if opts.len() < 2 {
            return Err(err(at, format!("item {id} needs at least two answer options")));
        }
        let codes: BTreeSet<&str> = opts.iter().map(|o| o.code.as_str()).collect();
        if codes.len() != opts.len() {
            return Err(err(at, format!("item {id}: answer option codes must be unique")));
        }
        let scored = opts.iter().filter(|o| o.score.is_some()).count();
        if sums && scored != opts.len() {
            return Err(err(at, format!("item {id}: an instrument scored by sum needs a score on every option")));
        }
        if scored != 0 && scored != opts.len() {
            return Err(err(at, format!("item {id}: give every option a score, or none")));
        }
        items.push(Item { id, text: i.text, hint: i.hint, section: i.section, required: i.required, options: opts });
    }
    if items.is_empty() {
        return Err(err(0, "an instrument needs at least one [[item]]".into()));
    }
    let mut def = Definition {
        instrument,
        version: raw.version,
        title: raw.title,
        source: raw.source,
        licence: raw.licence,
        credit: raw.credit,
        question: raw.question,
        sums,
        loinc: raw.loinc,
        snomed: raw.snomed,
        items,
        bands: Vec::new(),
        rules: Vec::new(),
    };
    // Bands, if any, cover every possible total exactly once.
    let max = def.max_total();
    if sums && max > u32::from(u8::MAX) {
        return Err(err(0, format!("the highest possible total, {max}, is more than 255")));
    }
    let mut next = 0u32;
    for b in raw.band {
        let at = b.span().start;
        let b = b.into_inner();
        if u32::from(b.from) != next || b.to < b.from {
            return Err(err(at, format!("band {:?} must start at {next} and end at or after its start", b.label)));
        }
        next = u32::from(b.to) + 1;
        def.bands.push(Band { from: b.from, to: b.to, label: b.label });
    }
    if !def.bands.is_empty() && next != max + 1 {
        return Err(err(0, format!("the bands must end at the highest possible total, {max}")));
    }
    if !def.bands.is_empty() && !sums {
        return Err(err(0, "bands need score = \"sum\"".into()));
    }
    let schema = |f: &Field| -> Option<Type> {
        match f {
            Field::Fact(n) if n == "total" && sums => Some(Type::Number),
            Field::Fact(n) => def.item(n).map(|i| if i.scored() { Type::Number } else { Type::Text }),
            Field::Event(_) => None,
        }
    };
    let mut rules = Vec::new();
    for r in raw.rule {
        let at = r.when.span().start;
        let when = Expr::parse(r.when.get_ref()).map_err(|e| err(at, format!("rule: {e}")))?;
        when.check(&schema).map_err(|m| err(at, format!("rule: {m}")))?;
        // A text item compared with a code it does not offer would never hold.
        check_codes(&when, &def).map_err(|m| err(at, format!("rule: {m}")))?;
        let suggest = r
            .suggest
            .map(|s| Service::parse_code(s.get_ref()).map_err(|e| err(s.span().start, e.to_string())))
            .transpose()?;
        if r.reason.trim().is_empty() {
            return Err(err(at, "rule: reason must not be empty".into()));
        }
        rules.push(Rule {
            when,
            when_text: r.when.into_inner(),
            reason: r.reason,
            suggest,
            suicide_risk: r.suicide_risk,
            critical_medication: r.critical_medication,
            urgent: r.urgent,
        });
    }
    def.rules = rules;
    Ok(def)
}

fn check_codes(e: &Expr, def: &Definition) -> Result<(), String> {
    match e {
        Expr::Or(a, b) | Expr::And(a, b) => check_codes(a, def).and_then(|()| check_codes(b, def)),
        Expr::Not(a) => check_codes(a, def),
        Expr::Compare(Field::Fact(n), _, Value::Text(code)) => match def.item(n) {
            Some(i) if i.option(code).is_none() => Err(format!("{n} has no answer {code:?}")),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The instruments shipped with throughcare (`instruments/`), built into the binary.
pub fn builtin_files() -> Vec<(String, String)> {
    [
        ("instruments/reception-first-stage.toml", include_str!("../../../instruments/reception-first-stage.toml")),
        ("instruments/phq9.toml", include_str!("../../../instruments/phq9.toml")),
        ("instruments/gad7.toml", include_str!("../../../instruments/gad7.toml")),
        ("instruments/mental-health-rescreen.toml", include_str!("../../../instruments/mental-health-rescreen.toml")),
        ("instruments/suicide-risk.toml", include_str!("../../../instruments/suicide-risk.toml")),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect()
}

/// Every instrument loaded, each version kept.
#[derive(Debug, Clone, Default)]
pub struct InstrumentSet {
    definitions: Vec<Definition>,
}

impl InstrumentSet {
    pub fn load(files: &[(String, String)]) -> Result<Self, Vec<StandardsError>> {
        let mut errors = Vec::new();
        let mut definitions: Vec<Definition> = Vec::new();
        for (name, text) in files {
            match parse_file(name, text) {
                Ok(d) if definitions.iter().any(|x| x.instrument == d.instrument && x.version == d.version) => errors
                    .push(StandardsError {
                        file: name.clone(),
                        line: 1,
                        message: format!("{} version {} is defined twice", d.instrument.code(), d.version),
                    }),
                Ok(d) => definitions.push(d),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() { Ok(Self { definitions }) } else { Err(errors) }
    }

    /// The shipped instruments; they are tested, so failing to load them is a bug.
    pub fn builtin() -> Self {
        Self::load(&builtin_files()).expect("the shipped instruments load")
    }

    /// The shipped instruments, loaded once (for generated data and defaults).
    pub fn builtin_ref() -> &'static Self {
        static SET: std::sync::OnceLock<InstrumentSet> = std::sync::OnceLock::new();
        SET.get_or_init(Self::builtin)
    }

    /// The newest version of an instrument: the one forms ask.
    pub fn current(&self, instrument: Instrument) -> Option<&Definition> {
        self.definitions.iter().filter(|d| d.instrument == instrument).max_by_key(|d| d.version)
    }

    pub fn version(&self, instrument: Instrument, version: u16) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.instrument == instrument && d.version == version)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.iter()
    }

    /// Scores answers against a definition. Every missing required answer, unknown item, answer
    /// outside an item's options and unexplained "declined" is named; nothing is scored then.
    pub fn score(def: &Definition, answers: &Answers) -> Result<Scored, Vec<AnswerError>> {
        let mut errors = Vec::new();
        for key in answers.keys() {
            if def.item(key).is_none() {
                errors.push(AnswerError { item: key.clone(), message: format!("is not a question of {}", def.title) });
            }
        }
        let mut values: BTreeMap<&str, Value> = BTreeMap::new();
        let mut total: u32 = 0;
        let mut unanswered = Vec::new();
        for item in &def.items {
            match answers.get(&item.id) {
                None if item.required => {
                    errors.push(AnswerError { item: item.id.clone(), message: "answer this question".into() })
                }
                None => unanswered.push(item.id.clone()),
                Some(Answer::Chosen(code)) => match item.option(code) {
                    Some(o) => {
                        if let Some(s) = o.score {
                            total += u32::from(s);
                            values.insert(&item.id, Value::Number(f64::from(s)));
                        } else {
                            values.insert(&item.id, Value::Text(code.clone()));
                        }
                    }
                    None => errors.push(AnswerError {
                        item: item.id.clone(),
                        message: format!(
                            "{code:?} is not one of its answers ({})",
                            item.options.iter().map(|o| o.code.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    }),
                },
                Some(a) => {
                    let r = a.reason().unwrap_or_default();
                    if r.trim().is_empty() || r.chars().count() > 200 || r.chars().any(char::is_control) {
                        errors.push(AnswerError {
                            item: item.id.clone(),
                            message: "say why it was not answered, in 1 to 200 characters".into(),
                        });
                    }
                    unanswered.push(item.id.clone());
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let total = (def.sums && unanswered.is_empty()).then(|| u8::try_from(total).expect("checked at load"));
        if let Some(t) = total {
            values.insert("total", Value::Number(f64::from(t)));
        }
        let get = |f: &Field| match f {
            Field::Fact(n) => values.get(n.as_str()).cloned(),
            Field::Event(_) => None,
        };
        let mut out = Scored {
            version: def.version,
            total,
            band: total.and_then(|t| def.band(t)).map(|b| b.label.clone()),
            outcome: ScreeningOutcome::NoConcerns,
            suicide_risk: false,
            critical_medication: false,
            suggested: Vec::new(),
            reasons: Vec::new(),
            unanswered,
        };
        let mut urgent = false;
        for rule in def.rules.iter().filter(|r| r.when.eval(&get)) {
            out.reasons.push(rule.reason.clone());
            out.suicide_risk |= rule.suicide_risk;
            out.critical_medication |= rule.critical_medication;
            urgent |= rule.urgent;
            if let Some(s) = rule.suggest {
                if !out.suggested.contains(&s) {
                    out.suggested.push(s);
                }
            }
        }
        out.outcome = if urgent || out.suicide_risk {
            ScreeningOutcome::Urgent
        } else if !out.suggested.is_empty() {
            ScreeningOutcome::Refer
        } else {
            ScreeningOutcome::NoConcerns
        };
        Ok(out)
    }

    /// The event a screening records: the answers, and the result computed from them.
    pub fn result(&self, instrument: Instrument, answers: Answers) -> Result<EventKind, Vec<AnswerError>> {
        let def = self.current(instrument).ok_or_else(|| {
            vec![AnswerError { item: "instrument".into(), message: format!("{} is not loaded", instrument.code()) }]
        })?;
        let s = Self::score(def, &answers)?;
        Ok(recorded(instrument, answers, s))
    }

    /// The answers of a recorded version scored again, or why they cannot be.
    pub fn rescore(&self, instrument: Instrument, version: u16, answers: Answers) -> Result<EventKind, String> {
        let def = self
            .version(instrument, version)
            .ok_or_else(|| format!("{} version {version} is not a loaded instrument version", instrument.code()))?;
        let s = Self::score(def, &answers).map_err(|e| {
            format!(
                "the answers cannot be scored: {}",
                e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            )
        })?;
        Ok(recorded(instrument, answers, s))
    }

    /// Checks a recorded result (from a file or the API) against its own answers: the version
    /// must be loaded, and the total, band, outcome and flags must be what the answers give.
    pub fn check_result(&self, kind: &EventKind) -> Result<(), String> {
        let EventKind::ScreeningCompleted { instrument, version, answers, .. } = kind else { return Ok(()) };
        let expected = self.rescore(*instrument, *version, answers.clone())?;
        if &expected == kind {
            return Ok(());
        }
        let show = |k: &EventKind| {
            let mut v = k.details_value();
            v.as_object_mut().map(|o| o.remove("answers"));
            v.to_string()
        };
        Err(format!(
            "the result does not match its answers: the answers give {}, not {} (a score is computed from the answers, never taken as given; leave out total, band, outcome and the flags to have them filled in)",
            show(&expected),
            show(kind)
        ))
    }

    /// Fills in the result of a screening that arrived with answers only (from a file or the
    /// API), then checks it. Other events pass through unchanged.
    pub fn complete(&self, kind: EventKind) -> Result<EventKind, String> {
        match kind {
            EventKind::ScreeningCompleted {
                instrument,
                version,
                answers,
                outcome: None,
                total: None,
                band: None,
                suicide_risk: false,
                critical_medication: false,
                suggested,
            } if suggested.is_empty() => self.rescore(instrument, version, answers),
            other => {
                self.check_result(&other)?;
                Ok(other)
            }
        }
    }
}

/// The event for answers and their result; the version is the one they were scored with.
fn recorded(instrument: Instrument, answers: Answers, s: Scored) -> EventKind {
    EventKind::ScreeningCompleted {
        instrument,
        version: s.version,
        answers,
        outcome: Some(s.outcome),
        total: s.total,
        band: s.band,
        suicide_risk: s.suicide_risk,
        critical_medication: s.critical_medication,
        suggested: s.suggested,
    }
}

#[cfg(test)]
mod tests;
