//! The equality report: every measure broken down by every characteristic over a period, with
//! intervals, ratios against everyone else with a known value, tests, and the flag rule.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use throughcare_core::codes::CodeSet;
use throughcare_core::measures::{Dimension, EventMatch, MeasureKind, MeasureSet, Worse};
use throughcare_core::person::{Establishment, Population};
use throughcare_core::standards::calendar::Calendar;
use throughcare_core::standards::engine::{Context, Obligation, Outcome, obligations};
use throughcare_core::standards::{StandardId, StandardSet};
pub use throughcare_core::time::Period;
use throughcare_core::time::format_instant;
use throughcare_core::timeline::{PersonState, Timeline};
use throughcare_core::{EstablishmentCode, Event, Person};

use crate::breakdown::{Breakdown, breakdown_group, breakdown_label, changes, is_unknown};
use crate::stats::{
    benjamini_hochberg, chi_square, fisher_exact, incidence_rate_ratio, newcombe_difference, poisson_rate,
    relative_rate, wilson,
};

/// Every interval in the report is a 95% interval.
pub const LEVEL: f64 = 0.95;
const DAYS_PER_YEAR: f64 = 365.25;

/// The wording every report carries (MoJ, Statistics on Ethnicity and the CJS).
pub const CAVEAT: &str = "A flagged difference indicates further investigation. It is not evidence of bias, and no \
cause can be drawn from these figures alone: each flag asks for an evidence-based explanation or a reform.";

/// What a report covers: the whole estate, or one establishment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Estate,
    Establishment(EstablishmentCode),
}

impl Scope {
    pub fn code(&self) -> &str {
        match self {
            Self::Estate => "estate",
            Self::Establishment(c) => c.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("there is no establishment {0}: give a code from `throughcare export establishments`, or estate")]
    UnknownEstablishment(String),
    #[error("nobody was in custody {place} from {from} to {to}, so there is nothing to report")]
    NoData { place: String, from: Date, to: Date },
    #[error(transparent)]
    OutOfRange(#[from] throughcare_core::time::OutOfRange),
}

/// Everything a report is built from besides the people.
pub struct Setting<'a> {
    pub measures: &'a MeasureSet,
    pub standards: &'a StandardSet,
    pub calendar: &'a Calendar,
    pub establishments: &'a [Establishment],
    pub scope: Scope,
    pub period: Period,
    /// When the report is run: obligations are judged as known then.
    pub as_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
struct Acc {
    /// People (or obligations) counted.
    units: u64,
    /// People with the outcome, obligations met on time, or incidents.
    events: u64,
    /// Days in custody, for rates.
    days: f64,
    /// Minutes, for amounts.
    amount: f64,
}

impl Acc {
    fn plus(&self, o: &Acc) -> Acc {
        Acc {
            units: self.units + o.units,
            events: self.events + o.events,
            days: self.days + o.days,
            amount: self.amount + o.amount,
        }
    }
    fn minus(&self, o: &Acc) -> Acc {
        Acc {
            units: self.units - o.units,
            events: self.events - o.events,
            days: self.days - o.days,
            amount: self.amount - o.amount,
        }
    }
}

/// Builds a report one person at a time, so the estate never has to be in memory at once.
pub struct ReportBuilder<'a> {
    setting: Setting<'a>,
    start: Timestamp,
    end: Timestamp,
    breakdowns: Vec<Breakdown>,
    /// [measure][breakdown] → group code → counts.
    cells: Vec<Vec<HashMap<String, Acc>>>,
    overall: Vec<Acc>,
    people: u64,
    days: f64,
    populations: HashMap<EstablishmentCode, Population>,
}

/// An answer names the event it answers somewhere in its details.
fn answers(answer: &Event, asked: &Event) -> bool {
    let id = asked.id.to_string();
    match answer.kind.details_value() {
        serde_json::Value::Object(map) => map.values().any(|v| v.as_str() == Some(id.as_str())),
        _ => false,
    }
}

fn days_between(a: Timestamp, b: Timestamp) -> f64 {
    (b - a).as_secs_f64() / 86_400.0
}

impl<'a> ReportBuilder<'a> {
    pub fn new(setting: Setting<'a>) -> Result<Self, ReportError> {
        if let Scope::Establishment(code) = &setting.scope {
            if !setting.establishments.iter().any(|e| &e.code == code) {
                return Err(ReportError::UnknownEstablishment(code.to_string()));
            }
        }
        let mut breakdowns: Vec<Breakdown> = Dimension::ALL
            .iter()
            .copied()
            .filter(|d| *d != Dimension::Establishment || setting.scope == Scope::Estate)
            .map(Breakdown::One)
            .collect();
        breakdowns.extend(setting.measures.intersections.iter().map(|(a, b)| Breakdown::Two(*a, *b)));
        let n = setting.measures.measures.len();
        Ok(Self {
            start: setting.period.start()?,
            end: setting.period.end()?,
            cells: vec![vec![HashMap::new(); breakdowns.len()]; n],
            overall: vec![Acc::default(); n],
            breakdowns,
            people: 0,
            days: 0.0,
            populations: setting.establishments.iter().map(|e| (e.code.clone(), e.population)).collect(),
            setting,
        })
    }

    /// Counts one person: their time in custody in scope during the period, and what happened in it.
    pub fn add(&mut self, person: &Person, timeline: &Timeline) {
        let state = timeline.state_at(Timestamp::MAX);
        let intervals: Vec<(Timestamp, Timestamp)> = state
            .episodes
            .iter()
            .filter(|ep| match &self.setting.scope {
                Scope::Estate => true,
                Scope::Establishment(code) => &ep.establishment == code,
            })
            .filter_map(|ep| {
                let a = ep.received_at.max(self.start);
                let b = ep.ended.as_ref().map_or(self.end, |(t, _)| (*t).min(self.end));
                (a < b).then_some((a, b))
            })
            .collect();
        // Everyone is counted in the group they were in when their time in the period began,
        // whether or not the outcome followed: a group read at the outcome for some and later
        // for others would move people across age bands by whether something happened to them.
        let Some(&(first_moment, _)) = intervals.first() else { return };
        self.people += 1;
        self.days += intervals.iter().map(|(a, b)| days_between(*a, *b)).sum::<f64>();
        let inside = |t: Timestamp| intervals.iter().any(|(a, b)| t >= *a && t < *b);
        let live: Vec<&Event> = timeline.live().collect();
        let in_period: Vec<&Event> = live.iter().copied().filter(|e| inside(e.occurred_at)).collect();
        let mut duties = None;
        // Most measures look a person's groups up at the same few instants.
        let mut groups: HashMap<(usize, Timestamp), String> = HashMap::new();

        // The measures outlive the builder's borrow of itself, so no measure is copied per person.
        let measures = self.setting.measures;
        for (mi, measure) in measures.measures.iter().enumerate() {
            match &measure.kind {
                MeasureKind::People { counts } => {
                    let happened = in_period.iter().any(|e| counts.matches(e));
                    self.count_one(mi, person, &state, &mut groups, first_moment, happened);
                }
                MeasureKind::Answered { among, counts } => {
                    let asked: Vec<&Event> = in_period.iter().copied().filter(|e| among.matches(e)).collect();
                    let Some(first) = asked.first() else { continue };
                    let answered = asked.iter().any(|q| live.iter().any(|e| counts.matches(e) && answers(e, q)));
                    self.count_one(mi, person, &state, &mut groups, first.occurred_at, answered);
                }
                MeasureKind::Incidents { counts } => {
                    self.count_time(mi, person, &state, &intervals, &in_period, counts, None);
                }
                MeasureKind::Amount { counts, field } => {
                    self.count_time(mi, person, &state, &intervals, &in_period, counts, Some(field));
                }
                MeasureKind::Below { counts, field, hours_per_week } => {
                    // Only people whose time is on record in the period: no record is not no time.
                    let Some(first) = in_period.iter().find(|e| counts.matches(e)) else { continue };
                    let weeks = intervals.iter().map(|(a, b)| days_between(*a, *b)).sum::<f64>() / 7.0;
                    let minutes: f64 = in_period
                        .iter()
                        .filter(|e| counts.matches(e))
                        .filter_map(|e| e.kind.details_value().get(*field).and_then(|v| v.as_f64()))
                        .sum();
                    let below = minutes / 60.0 < hours_per_week * weeks;
                    self.count_one(mi, person, &state, &mut groups, first.occurred_at, below);
                }
                MeasureKind::Held { counts, until } => {
                    // Each spell runs from a `counts` event to the next `until` event (or for ever).
                    let mut spells: Vec<(Timestamp, Timestamp)> = Vec::new();
                    for e in &live {
                        if counts.matches(e) && spells.last().is_none_or(|(_, end)| *end != Timestamp::MAX) {
                            spells.push((e.occurred_at, Timestamp::MAX));
                        } else if until.matches(e) {
                            if let Some(last) = spells.last_mut().filter(|(_, end)| *end == Timestamp::MAX) {
                                last.1 = e.occurred_at;
                            }
                        }
                    }
                    let held = spells.iter().any(|(s, t)| intervals.iter().any(|(a, b)| s < b && t > a));
                    self.count_one(mi, person, &state, &mut groups, first_moment, held);
                }
                MeasureKind::StandardPeople { id } => {
                    let duties = duties.get_or_insert_with(|| {
                        let population = |c: &EstablishmentCode| self.populations.get(c).copied();
                        let ctx = Context { calendar: self.setting.calendar, population: &population };
                        obligations(person, timeline, self.setting.standards, &ctx, self.setting.as_at)
                    });
                    let mine = self.due_in_scope(duties, id);
                    let Some(&(first, _)) = mine.first() else { continue };
                    let all_on_time = mine.iter().all(|(_, met)| *met);
                    self.count_one(mi, person, &state, &mut groups, first, all_on_time);
                }
                MeasureKind::Standard { id, .. } => {
                    let duties = duties.get_or_insert_with(|| {
                        let population = |c: &EstablishmentCode| self.populations.get(c).copied();
                        let ctx = Context { calendar: self.setting.calendar, population: &population };
                        obligations(person, timeline, self.setting.standards, &ctx, self.setting.as_at)
                    });
                    let mine = self.due_in_scope(duties, id);
                    for (opened, met) in mine {
                        self.count_one(mi, person, &state, &mut groups, opened, met);
                    }
                }
            }
        }
    }

    /// A standard's obligations in scope that fell due in the period and can be judged as at the
    /// report's date: when each opened, and whether it was met on time.
    fn due_in_scope(&self, duties: &[Obligation], id: &StandardId) -> Vec<(Timestamp, bool)> {
        let as_at = self.setting.as_at;
        duties
            .iter()
            .filter(|o| &o.standard == id && o.due_at >= self.start && o.due_at < self.end)
            .filter(|o| match &self.setting.scope {
                Scope::Estate => true,
                Scope::Establishment(code) => o.establishment.as_ref() == Some(code),
            })
            .filter_map(|o| match o.outcome_at(as_at) {
                Outcome::NotApplicable { .. } => None,
                Outcome::Open if o.due_at >= as_at => None,
                Outcome::MetOnTime { .. } => Some((o.opened_at, true)),
                _ => Some((o.opened_at, false)),
            })
            .collect()
    }

    /// One unit (a person, or an obligation) in the group in force at `at`.
    fn count_one(
        &mut self,
        mi: usize,
        person: &Person,
        state: &PersonState,
        groups: &mut HashMap<(usize, Timestamp), String>,
        at: Timestamp,
        event: bool,
    ) {
        let e = u64::from(event);
        self.overall[mi].units += 1;
        self.overall[mi].events += e;
        for (bi, b) in self.breakdowns.iter().enumerate() {
            let group = groups.entry((bi, at)).or_insert_with(|| breakdown_group(*b, person, state, at));
            let acc = match self.cells[mi][bi].get_mut(group.as_str()) {
                Some(acc) => acc,
                None => self.cells[mi][bi].entry(group.clone()).or_default(),
            };
            acc.units += 1;
            acc.events += e;
        }
    }

    /// Person-time split wherever the group changes; events counted in the group at their time.
    #[allow(clippy::too_many_arguments)]
    fn count_time(
        &mut self,
        mi: usize,
        person: &Person,
        state: &PersonState,
        intervals: &[(Timestamp, Timestamp)],
        in_period: &[&Event],
        counts: &EventMatch,
        field: Option<&str>,
    ) {
        let matching: Vec<(Timestamp, f64)> = in_period
            .iter()
            .filter(|e| counts.matches(e))
            .map(|e| {
                let v = field.map_or(1.0, |f| e.kind.details_value().get(f).and_then(|v| v.as_f64()).unwrap_or(0.0));
                (e.occurred_at, v)
            })
            .collect();
        let add = |acc: &mut Acc, days: f64, events: &[(Timestamp, f64)]| {
            acc.days += days;
            if field.is_some() {
                acc.amount += events.iter().map(|(_, v)| v).sum::<f64>();
            } else {
                acc.events += events.len() as u64;
            }
        };
        let total_days: f64 = intervals.iter().map(|(a, b)| days_between(*a, *b)).sum();
        self.overall[mi].units += 1;
        add(&mut self.overall[mi], total_days, &matching);
        for (bi, b) in self.breakdowns.iter().enumerate() {
            let mut touched = BTreeSet::new();
            for &(a, z) in intervals {
                let mut cuts = vec![a];
                cuts.extend(changes(*b, person, state, a, z));
                cuts.push(z);
                for w in cuts.windows(2) {
                    let group = breakdown_group(*b, person, state, w[0]);
                    let here: Vec<(Timestamp, f64)> =
                        matching.iter().copied().filter(|(t, _)| *t >= w[0] && *t < w[1]).collect();
                    add(self.cells[mi][bi].entry(group.clone()).or_default(), days_between(w[0], w[1]), &here);
                    touched.insert(group);
                }
            }
            for g in touched {
                self.cells[mi][bi].get_mut(&g).expect("just added").units += 1;
            }
        }
    }

    /// The statistics, Benjamini–Hochberg across every comparison, and the flags.
    pub fn finish(self) -> Result<Report, ReportError> {
        let s = &self.setting;
        if self.people == 0 {
            let place = match &s.scope {
                Scope::Estate => "anywhere in the estate".to_string(),
                Scope::Establishment(c) => format!("at {c}"),
            };
            return Err(ReportError::NoData { place, from: s.period.from, to: s.period.to });
        }
        let names: HashMap<&str, String> =
            s.establishments.iter().map(|e| (e.code.as_str(), e.name.as_str().to_string())).collect();
        let name_of = |code: &str| names.get(code).cloned();
        let mut measures = Vec::new();
        for (mi, m) in s.measures.measures.iter().enumerate() {
            let overall = group_result(&m.kind, "ALL".into(), "Everyone".into(), &self.overall[mi], None, None);
            let mut breakdowns = Vec::new();
            for (bi, b) in self.breakdowns.iter().enumerate() {
                breakdowns.push(breakdown_result(&m.kind, *b, &self.cells[mi][bi], &name_of));
            }
            measures.push(MeasureReport {
                id: m.id.to_string(),
                title: m.title.clone(),
                kind: m.kind.code(),
                counts_in_words: m.counts_in_words.clone(),
                source: m.source.clone(),
                worse: m.worse,
                unit: unit_of(&m.kind),
                tested: m.kind.is_tested(),
                overall,
                breakdowns,
            });
        }
        let mut report = Report {
            scope: s.scope.code().to_string(),
            scope_name: match &s.scope {
                Scope::Estate => "The estate".to_string(),
                Scope::Establishment(c) => name_of(c.as_str()).unwrap_or_else(|| c.to_string()),
            },
            period: s.period,
            as_at: format_instant(s.as_at),
            people: self.people,
            person_years: self.days / DAYS_PER_YEAR,
            comparisons: 0,
            flagged: 0,
            published: false,
            caveat: CAVEAT,
            flag_rule: s.measures.flag.clone(),
            measures,
        };
        adjust_and_flag(&mut report, s.measures);
        Ok(report)
    }
}

fn unit_of(kind: &MeasureKind) -> &'static str {
    match kind {
        MeasureKind::People { .. }
        | MeasureKind::Answered { .. }
        | MeasureKind::Held { .. }
        | MeasureKind::Below { .. }
        | MeasureKind::StandardPeople { .. } => "people",
        MeasureKind::Standard { .. } => "obligations",
        MeasureKind::Incidents { .. } => "per 100 person-years",
        MeasureKind::Amount { .. } => "hours per person per week",
    }
}

/// How a comparison came out under the flag rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// All of the flag rule holds: explain or reform.
    Flagged,
    /// Material or nominally significant, but not all of the rule: watch, pool years.
    Monitor,
    /// Tested, nothing to see.
    Clear,
    /// Not tested: a described measure, no comparison group, or the everyone row.
    NotTested,
}

/// One group's figures. Values a published report withholds are `None`, with `suppressed` true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub code: String,
    pub label: String,
    /// Not stated or not known: never part of anyone's comparison group.
    pub unknown: bool,
    /// People with the outcome, obligations met on time, incidents; None for amounts.
    pub numerator: Option<u64>,
    /// People (or obligations) in the group.
    pub denominator: Option<u64>,
    pub person_years: Option<f64>,
    /// A proportion (0-1), a rate per 100 person-years, or hours per person per week.
    pub rate: Option<f64>,
    pub rate_lower: Option<f64>,
    pub rate_upper: Option<f64>,
    /// Against everyone else with a known value (risk ratio, or incidence rate ratio).
    pub ratio: Option<f64>,
    pub ratio_lower: Option<f64>,
    pub ratio_upper: Option<f64>,
    /// Difference in proportion from everyone else with a known value (Newcombe interval).
    pub difference: Option<f64>,
    pub difference_lower: Option<f64>,
    pub difference_upper: Option<f64>,
    /// Ethnic groups: the risk ratio against White, as MoJ publishes it.
    pub ratio_to_reference: Option<f64>,
    pub p: Option<f64>,
    /// Benjamini–Hochberg adjusted across every tested comparison in the report.
    pub q: Option<f64>,
    pub signal: Signal,
    /// Why a group was not tested, or was described with care.
    pub note: Option<String>,
    /// Which values a published report withholds (all false in the internal view).
    pub withheld: Withheld,
}

/// Which of a group's values disclosure control withheld.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Withheld {
    pub numerator: bool,
    pub denominator: bool,
    /// The rate and its interval.
    pub rate: bool,
    /// Ratios, the difference, p and q.
    pub comparison: bool,
}

impl Withheld {
    pub fn any(self) -> bool {
        self.numerator || self.denominator || self.rate || self.comparison
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquare {
    pub statistic: f64,
    pub degrees_of_freedom: u64,
    pub p: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownResult {
    pub id: String,
    pub title: String,
    pub intersectional: bool,
    /// Across the known groups: are the rates the same in every group?
    pub chi_square: Option<ChiSquare>,
    pub note: Option<String>,
    pub groups: Vec<GroupResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureReport {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub counts_in_words: String,
    pub source: String,
    pub worse: Worse,
    pub unit: &'static str,
    /// Proportions are tested; rates and amounts are described.
    pub tested: bool,
    pub overall: GroupResult,
    pub breakdowns: Vec<BreakdownResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub scope: String,
    pub scope_name: String,
    pub period: Period,
    pub as_at: String,
    pub people: u64,
    pub person_years: f64,
    /// Comparisons in the Benjamini–Hochberg family.
    pub comparisons: usize,
    pub flagged: usize,
    /// Disclosure control applied: small numbers withheld.
    pub published: bool,
    pub caveat: &'static str,
    pub flag_rule: throughcare_core::measures::FlagRule,
    pub measures: Vec<MeasureReport>,
}

fn empty_group(code: String, label: String, acc: &Acc) -> GroupResult {
    GroupResult {
        unknown: is_unknown(&code),
        code,
        label,
        numerator: Some(acc.events),
        denominator: Some(acc.units),
        person_years: None,
        rate: None,
        rate_lower: None,
        rate_upper: None,
        ratio: None,
        ratio_lower: None,
        ratio_upper: None,
        difference: None,
        difference_lower: None,
        difference_upper: None,
        ratio_to_reference: None,
        p: None,
        q: None,
        signal: Signal::NotTested,
        note: None,
        withheld: Withheld::default(),
    }
}

/// One group's figures against its comparison group (everyone else with a known value).
fn group_result(
    kind: &MeasureKind,
    code: String,
    label: String,
    acc: &Acc,
    other: Option<&Acc>,
    reference: Option<&Acc>,
) -> GroupResult {
    let mut g = empty_group(code, label, acc);
    match kind {
        MeasureKind::People { .. }
        | MeasureKind::Answered { .. }
        | MeasureKind::Held { .. }
        | MeasureKind::Below { .. }
        | MeasureKind::StandardPeople { .. }
        | MeasureKind::Standard { .. } => {
            if let Ok(w) = wilson(acc.events, acc.units, LEVEL) {
                (g.rate, g.rate_lower, g.rate_upper) = (Some(w.estimate), Some(w.lower), Some(w.upper));
            }
            let Some(o) = other.filter(|o| o.units > 0 && acc.units > 0) else {
                if other.is_some() {
                    g.note = Some("no one else with a known value to compare with".into());
                }
                return g;
            };
            match relative_rate(acc.events, acc.units, o.events, o.units, LEVEL) {
                Ok(r) => (g.ratio, g.ratio_lower, g.ratio_upper) = (Some(r.estimate), Some(r.lower), Some(r.upper)),
                Err(_) => g.note = Some("no ratio: no one in this group or its comparison group had it".into()),
            }
            if let Ok(d) = newcombe_difference(acc.events, acc.units, o.events, o.units, LEVEL) {
                (g.difference, g.difference_lower, g.difference_upper) =
                    (Some(d.estimate), Some(d.lower), Some(d.upper));
            }
            if !kind.is_tested() {
                g.note = Some(
                    "described, not flagged: each person has many weekly periods, which are not independent".into(),
                );
            } else if let Ok((_, p)) = fisher_exact(acc.events, acc.units - acc.events, o.events, o.units - o.events) {
                g.p = Some(p);
                g.signal = Signal::Clear;
            }
            if let Some(r) = reference.filter(|r| r.units > 0) {
                g.ratio_to_reference =
                    relative_rate(acc.events, acc.units, r.events, r.units, LEVEL).ok().map(|i| i.estimate);
            }
        }
        MeasureKind::Incidents { .. } => {
            let years = acc.days / DAYS_PER_YEAR;
            g.person_years = Some(years);
            if let Ok(r) = poisson_rate(acc.events, years, LEVEL) {
                (g.rate, g.rate_lower, g.rate_upper) =
                    (Some(100.0 * r.estimate), Some(100.0 * r.lower), Some(100.0 * r.upper));
            }
            if let Some(o) = other {
                if let Ok((r, p)) = incidence_rate_ratio(acc.events, years, o.events, o.days / DAYS_PER_YEAR, LEVEL) {
                    (g.ratio, g.ratio_lower, g.ratio_upper) = (Some(r.estimate), Some(r.lower), Some(r.upper));
                    g.p = Some(p);
                }
            }
            g.note = Some("described, not flagged: incidents cluster in a few people, so the person-level measure carries the test".into());
        }
        MeasureKind::Amount { .. } => {
            g.numerator = None;
            let weeks = acc.days / 7.0;
            g.person_years = Some(acc.days / DAYS_PER_YEAR);
            if weeks > 0.0 {
                g.rate = Some(acc.amount / 60.0 / weeks);
                if let Some(o) = other.filter(|o| o.days > 0.0 && o.amount > 0.0) {
                    g.ratio = Some((acc.amount / acc.days) / (o.amount / o.days));
                }
            }
            g.note = Some("described, not tested".into());
        }
    }
    g
}

fn breakdown_result(
    kind: &MeasureKind,
    b: Breakdown,
    cells: &HashMap<String, Acc>,
    name_of: &dyn Fn(&str) -> Option<String>,
) -> BreakdownResult {
    let known = cells.iter().filter(|(c, _)| !is_unknown(c)).fold(Acc::default(), |sum, (_, acc)| sum.plus(acc));
    let reference = match b {
        Breakdown::One(d) => d.reference_group().and_then(|r| cells.get(r)),
        Breakdown::Two(..) => None,
    };
    let mut codes: Vec<&String> = cells.keys().collect();
    codes.sort_by_key(|c| (is_unknown(c), order_of(b, c), (*c).clone()));
    let known_groups = codes.iter().filter(|c| !is_unknown(c)).count();
    let groups = codes
        .iter()
        .map(|code| {
            let acc = &cells[*code];
            // Everyone else with a known value: all of them for a not stated or not known group.
            let other = if is_unknown(code) { known.clone() } else { known.minus(acc) };
            let is_reference = reference.is_some() && Some(code.as_str()) == b.dimensions()[0].reference_group();
            group_result(
                kind,
                (*code).clone(),
                breakdown_label(b, code, name_of),
                acc,
                (known_groups >= 2 || is_unknown(code)).then_some(&other),
                reference.filter(|_| !is_reference && !is_unknown(code)),
            )
        })
        .collect();
    let note = (known_groups < 2).then(|| {
        format!(
            "{} known group{} here, so there is nothing to compare",
            known_groups,
            if known_groups == 1 { "" } else { "s" }
        )
    });
    let chi = if kind.is_tested() && known_groups >= 2 {
        let table: Vec<Vec<u64>> = codes
            .iter()
            .filter(|c| !is_unknown(c))
            .map(|c| &cells[*c])
            .filter(|a| a.units > 0)
            .map(|a| vec![a.events, a.units - a.events])
            .collect();
        chi_square(&table).ok().map(|(statistic, degrees_of_freedom, p)| ChiSquare { statistic, degrees_of_freedom, p })
    } else {
        None
    };
    BreakdownResult {
        id: b.id(),
        title: b.title(),
        intersectional: b.is_intersectional(),
        chi_square: chi,
        note,
        groups,
    }
}

/// Groups in the order their code set lists them (age bands young to old), not alphabetical.
fn order_of(b: Breakdown, code: &str) -> usize {
    use throughcare_core::characteristics::{AgeBand, EthnicGroup};
    let first = code.split(" + ").next().unwrap_or(code);
    match b.dimensions()[0] {
        Dimension::Age => AgeBand::ALL.iter().position(|a| a.code() == first).unwrap_or(99),
        Dimension::EthnicGroup => EthnicGroup::ALL.iter().position(|a| a.code() == first).unwrap_or(99),
        _ => 0,
    }
}

/// Benjamini–Hochberg over every tested comparison in the report, then the flag rule.
fn adjust_and_flag(report: &mut Report, set: &MeasureSet) {
    let rule = &set.flag;
    let mut ps = Vec::new();
    for m in report.measures.iter().filter(|m| m.tested) {
        for b in &m.breakdowns {
            ps.extend(b.groups.iter().filter_map(|g| g.p));
        }
    }
    let qs = benjamini_hochberg(&ps);
    report.comparisons = ps.len();
    let mut i = 0;
    let mut flagged = 0;
    for m in report.measures.iter_mut().filter(|m| m.tested) {
        for b in &mut m.breakdowns {
            let (min_people, min_events) = if b.intersectional {
                (rule.intersectional_min_people, rule.intersectional_min_events)
            } else {
                (rule.min_people, rule.min_events)
            };
            for g in &mut b.groups {
                if g.p.is_none() {
                    continue;
                }
                let q = qs[i];
                i += 1;
                g.q = Some(q);
                let material = g.ratio.is_some_and(|r| r >= rule.ratio_at_least || r <= rule.ratio_at_most);
                let big_enough =
                    g.denominator.is_some_and(|n| n >= min_people) && g.numerator.is_some_and(|x| x >= min_events);
                g.signal = if q <= rule.q_at_most && material && big_enough {
                    flagged += 1;
                    Signal::Flagged
                } else if material && (q <= rule.q_at_most || g.p.is_some_and(|p| p <= rule.q_at_most)) {
                    Signal::Monitor
                } else {
                    Signal::Clear
                };
                if g.signal == Signal::Monitor && !big_enough {
                    g.note = Some(format!(
                        "too few to flag: fewer than {min_people} people or {min_events} with the outcome"
                    ));
                }
            }
        }
    }
    report.flagged = flagged;
}

impl Report {
    /// Every flagged group, as (measure, breakdown, group).
    pub fn flags(&self) -> impl Iterator<Item = (&MeasureReport, &BreakdownResult, &GroupResult)> {
        self.measures.iter().flat_map(|m| {
            m.breakdowns
                .iter()
                .flat_map(move |b| b.groups.iter().filter(|g| g.signal == Signal::Flagged).map(move |g| (m, b, g)))
        })
    }
}

/// Withheld values are written `[c]` (the GSS symbol for confidential); values that do not
/// apply are left empty.
fn cell<T: ToString>(v: Option<T>, withheld: bool) -> String {
    match v {
        Some(v) => v.to_string(),
        None if withheld => "[c]".into(),
        None => String::new(),
    }
}

impl Report {
    /// One row per measure, breakdown and group (the everyone row first, as breakdown `all`).
    pub fn write_csv(&self, out: impl std::io::Write) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "scope",
            "period_from",
            "period_to",
            "published",
            "measure",
            "measure_title",
            "kind",
            "unit",
            "breakdown",
            "intersectional",
            "group",
            "group_label",
            "not_stated_or_known",
            "numerator",
            "denominator",
            "person_years",
            "rate",
            "rate_lower",
            "rate_upper",
            "ratio",
            "ratio_lower",
            "ratio_upper",
            "difference",
            "difference_lower",
            "difference_upper",
            "ratio_to_white",
            "p",
            "q",
            "signal",
            "note",
        ])?;
        for m in &self.measures {
            let rows = std::iter::once(("all", false, &m.overall)).chain(
                m.breakdowns.iter().flat_map(|b| b.groups.iter().map(move |g| (b.id.as_str(), b.intersectional, g))),
            );
            for (breakdown, intersectional, g) in rows {
                let wd = g.withheld;
                w.write_record([
                    self.scope.clone(),
                    self.period.from.to_string(),
                    self.period.to.to_string(),
                    self.published.to_string(),
                    m.id.clone(),
                    m.title.clone(),
                    m.kind.to_string(),
                    m.unit.to_string(),
                    breakdown.to_string(),
                    intersectional.to_string(),
                    g.code.clone(),
                    g.label.clone(),
                    g.unknown.to_string(),
                    cell(g.numerator, wd.numerator),
                    cell(g.denominator, wd.denominator),
                    cell(g.person_years, wd.denominator),
                    cell(g.rate, wd.rate),
                    cell(g.rate_lower, wd.rate),
                    cell(g.rate_upper, wd.rate),
                    cell(g.ratio, wd.comparison),
                    cell(g.ratio_lower, wd.comparison),
                    cell(g.ratio_upper, wd.comparison),
                    cell(g.difference, wd.comparison),
                    cell(g.difference_lower, wd.comparison),
                    cell(g.difference_upper, wd.comparison),
                    cell(g.ratio_to_reference, wd.comparison),
                    cell(g.p, wd.comparison),
                    cell(g.q, wd.comparison),
                    serde_json::to_value(g.signal)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    g.note.clone().unwrap_or_default(),
                ])?;
            }
        }
        w.flush()?;
        Ok(())
    }
}
