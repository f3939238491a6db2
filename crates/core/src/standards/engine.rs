//! The engine: a person's timeline and the standards give that person's obligations.
//!
//! A pure function of the timeline, so storing its result as events arrive (incrementally) and
//! recomputing it from scratch must agree; a property test holds the two to that.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::calendar::Calendar;
use super::predicate::{Expr, Field, Value};
use super::{Due, StandardId, StandardSet, Trigger};
use crate::characteristics::{Characteristic, Declaration, Declared, age_on};
use crate::codes::CodeSet;
use crate::event::Event;
use crate::ids::{EstablishmentCode, EventId, PrisonNumber};
use crate::person::{Person, Population};
use crate::time::{add_days, add_duration, date_in_england, earliest_instant, end_of_day_in_england};
use crate::timeline::{PersonState, Timeline};

/// How an obligation stands. Overdue is not stored: it is an open obligation past its due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Open,
    MetOnTime {
        at: Timestamp,
        by: EventId,
    },
    MetLate {
        at: Timestamp,
        by: EventId,
    },
    /// It stopped applying before it fell due (released, transferred, key worker changed...).
    NotApplicable {
        at: Timestamp,
        reason: &'static str,
    },
    /// It fell due, or its chance ended, without being met.
    Unmet {
        at: Timestamp,
        reason: &'static str,
    },
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::MetOnTime { .. } => "met_on_time",
            Outcome::MetLate { .. } => "met_late",
            Outcome::NotApplicable { .. } => "not_applicable",
            Outcome::Unmet { .. } => "unmet",
        }
    }
}

/// Somebody owes a person something by a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub standard: StandardId,
    pub person: PrisonNumber,
    /// Where the person was when it opened: whose worklist it is on.
    pub establishment: Option<EstablishmentCode>,
    pub trigger: EventId,
    /// 0 for a one-off; 0, 1, 2... for the periods of a recurring standard.
    pub period: u32,
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
    pub outcome: Outcome,
}

impl Obligation {
    /// How it stood at `as_at`: anything closed later was still open then.
    pub fn outcome_at(&self, as_at: Timestamp) -> Outcome {
        match &self.outcome {
            Outcome::MetOnTime { at, .. }
            | Outcome::MetLate { at, .. }
            | Outcome::NotApplicable { at, .. }
            | Outcome::Unmet { at, .. }
                if *at > as_at =>
            {
                Outcome::Open
            }
            other => other.clone(),
        }
    }

    pub fn is_overdue(&self, as_at: Timestamp) -> bool {
        self.outcome_at(as_at) == Outcome::Open && self.due_at < as_at
    }
}

/// Reason recorded when a recurring period ends with nothing done in it.
pub const PERIOD_ENDED: &str = "period_ended";

/// What the engine needs besides the timeline.
pub struct Context<'a> {
    pub calendar: &'a Calendar,
    pub population: &'a dyn Fn(&EstablishmentCode) -> Option<Population>,
}

fn facts<'a>(
    person: &'a Person,
    state: &'a PersonState,
    at: Timestamp,
    ctx: &'a Context<'a>,
) -> impl Fn(&str) -> Option<Value> + 'a {
    move |name: &str| {
        let episode = state.current_episode();
        let pm = match state.characteristics.as_at(Characteristic::PregnancyMaternity, at) {
            Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) => Some(*pm),
            _ => None,
        };
        let today = date_in_england(at);
        Some(match name {
            "sex" => Value::Text(state.characteristics.code_at(Characteristic::Sex, at)),
            "age" => Value::Number(f64::from(age_on(person.date_of_birth, today))),
            "pregnant" => Value::Bool(pm.is_some_and(|p| p.pregnant)),
            // A recorded date of birth outranks a declaration, which goes out of date as the child grows.
            "child_under_18_months" => Value::Bool(crate::pathways::mbu::child_under_18_months(state, at)),
            "birth_in_last_26_weeks" => Value::Bool(pm.is_some_and(|p| p.birth_in_last_26_weeks)),
            "in_custody" => Value::Bool(episode.is_some()),
            "legal_status" => Value::Text(episode?.legal_status.code().into()),
            "reception_type" => Value::Text(episode?.reception_type.code().into()),
            "population" => Value::Text((ctx.population)(&episode?.establishment)?.code().into()),
            "expected_stay_days" => Value::Number((episode?.expected_release? - today).get_days() as f64),
            "on_mental_health_caseload" => Value::Bool(state.on_mental_health_caseload()),
            "acct_open" => Value::Bool(state.acct_open),
            "family_to_tell_of_transfer" => Value::Bool(state.family.iter().any(|(_, c)| c.told_of_transfer)),
            _ => return None,
        })
    }
}

/// A condition over the person's facts and the event in hand.
fn holds(
    expr: &Option<Expr>,
    fact: &dyn Fn(&str) -> Option<Value>,
    details: &OnceCell<serde_json::Value>,
    e: &Event,
) -> bool {
    let Some(expr) = expr else { return true };
    expr.eval(&|f: &Field| match f {
        Field::Fact(n) => fact(n),
        Field::Event(n) => {
            let d = details.get_or_init(|| e.kind.details_value());
            d.get(n).and_then(Value::from_json)
        }
    })
}

/// When an obligation opened at `opened` falls due; None when it cannot be known (no expected
/// release) or lies past the calendar's end, so the engine never panics on a date.
fn due_at(
    due: Due,
    opened: Timestamp,
    expected_release: Option<Date>,
    calendar: &Calendar,
    details: &serde_json::Value,
    state: &PersonState,
) -> Option<Timestamp> {
    let day = date_in_england(opened);
    match due {
        Due::ObservationLevel => {
            let (by_day, by_night) = state.acct_levels?;
            let hour = crate::time::london().to_datetime(opened).hour();
            let day_hours = crate::pathways::acct::DAY_STARTS..crate::pathways::acct::NIGHT_STARTS;
            let level = if day_hours.contains(&hour) { by_day } else { by_night };
            add_duration(opened, SignedDuration::from_mins(level.max_gap_minutes()?)).ok()
        }
        Due::ByEventDate(path, offset) => {
            let v = path.split('.').try_fold(details, |v, k| v.get(k))?;
            let date: Date = v.as_str()?.parse().ok()?;
            let date = date.checked_add(jiff::Span::new().months(offset.months)).ok()?;
            let date = date.checked_add(jiff::Span::new().days(offset.days)).ok()?;
            end_of_day_in_england(date).ok()
        }
        Due::Hours(h) => add_duration(opened, SignedDuration::from_hours(i64::from(h))).ok(),
        Due::Days(n) => end_of_day_in_england(add_days(day, i64::from(n)).ok()?).ok(),
        Due::WorkingDays(n) => end_of_day_in_england(calendar.add_working_days(day, n)?).ok(),
        Due::SameDay => end_of_day_in_england(day).ok(),
        Due::WeeksBeforeRelease(w) => end_of_day_in_england(add_days(expected_release?, -7 * i64::from(w)).ok()?).ok(),
        Due::ByRelease => end_of_day_in_england(expected_release?).ok(),
    }
}

/// Every obligation this person's timeline gives, with recurring periods up to `horizon`.
///
/// Recurring periods are never rolled past `horizon`, even for an event later than it, and events
/// before [`crate::time::EARLIEST_DATE`] are passed over, so the work for a timeline is bounded
/// by its events and the span from 1970 to the horizon the caller chose (the store uses "now"),
/// never by a date that arrived from outside.
pub fn obligations(
    person: &Person,
    timeline: &Timeline,
    standards: &StandardSet,
    ctx: &Context<'_>,
    horizon: Timestamp,
) -> Vec<Obligation> {
    let mut state = PersonState::default();
    let mut out: Vec<Obligation> = Vec::new();
    let mut opened_in_episode: HashSet<(StandardId, usize)> = HashSet::new();

    // The latest period of each running recurring series, by (standard, trigger).
    let mut series: HashMap<(StandardId, EventId), usize> = HashMap::new();
    // The case each event belongs to: the referral or medicine it answers, or itself.
    let mut case_of: HashMap<EventId, EventId> = HashMap::new();

    // Ends recurring periods that finished before `until`, opening the next period each time.
    let roll = |out: &mut Vec<Obligation>, series: &mut HashMap<(StandardId, EventId), usize>, until: Timestamp| {
        let mut keys: Vec<(StandardId, EventId)> = series.keys().cloned().collect();
        keys.sort();
        for key in keys {
            loop {
                let i = series[&key];
                let ob = &mut out[i];
                let running =
                    matches!(&ob.outcome, Outcome::Open | Outcome::MetOnTime { .. } | Outcome::MetLate { .. })
                        || ob.outcome == (Outcome::Unmet { at: ob.due_at, reason: PERIOD_ENDED });
                if !running {
                    series.remove(&key);
                    break;
                }
                if ob.due_at >= until {
                    break;
                }
                let period = standards.get(ob.standard.as_str()).and_then(|s| s.recurs).expect("a recurring standard");
                let ended = ob.due_at;
                let Ok(next_due) = add_duration(ended, period) else {
                    // The calendar ends here: the series cannot run on.
                    series.remove(&key);
                    break;
                };
                if ob.outcome == Outcome::Open {
                    ob.outcome = Outcome::Unmet { at: ended, reason: PERIOD_ENDED };
                }
                let next = Obligation {
                    period: ob.period + 1,
                    opened_at: ended,
                    due_at: next_due,
                    outcome: Outcome::Open,
                    ..ob.clone()
                };
                out.push(next);
                series.insert(key.clone(), out.len() - 1);
            }
        }
    };

    // Checked input never holds an event before the earliest date; the engine guards itself
    // anyway, since a series started in year -9999 would roll for ever.
    for e in timeline.live().filter(|e| e.occurred_at >= earliest_instant()) {
        roll(&mut out, &mut series, e.occurred_at.min(horizon));
        state.apply(e);
        let at = e.occurred_at;
        let kind = e.kind.name();
        let fact = facts(person, &state, at, ctx);
        let details = OnceCell::new();
        let mut met_now: Vec<StandardId> = Vec::new();
        let target = e.kind.answers().map(|(t, _)| t);
        let answered = target.map(|t| case_of.get(&t).copied().unwrap_or(t));
        case_of.insert(e.id, answered.unwrap_or(e.id));
        // The person's open obligations go with them: to the prison they move to, and to the one
        // that receives them, instead of staying on the old prison's worklist.
        let moved_to = match &e.kind {
            crate::event::EventKind::TransferOut { to_establishment } => Some(to_establishment.clone()),
            crate::event::EventKind::Reception { establishment, .. } => Some(establishment.clone()),
            _ => None,
        };

        for ob in out.iter_mut().filter(|o| o.outcome == Outcome::Open) {
            let std = standards.get(ob.standard.as_str()).expect("obligations come from the set");
            // The same case: the step answers the trigger itself, or answers the root of the
            // trigger's case (a transfer answers the referral its assessment followed). A step
            // answering another part of the case (another care plan action) is not this one.
            let this_case = !std.same_case
                || target.is_none_or(|t| {
                    t == ob.trigger || (case_of.get(&t) == Some(&t) && case_of.get(&ob.trigger) == Some(&t))
                });
            if !this_case {
                continue;
            }
            if std.completed_by.contains(&kind) && at >= ob.opened_at && holds(&std.complete_where, &fact, &details, e)
            {
                ob.outcome = if at <= ob.due_at {
                    Outcome::MetOnTime { at, by: e.id }
                } else {
                    Outcome::MetLate { at, by: e.id }
                };
                met_now.push(ob.standard.clone());
            } else if std.breached_by.contains(&kind) {
                ob.outcome = Outcome::Unmet { at, reason: kind };
            } else if std.stops_when.contains(&kind) {
                ob.outcome = if at <= ob.due_at {
                    Outcome::NotApplicable { at, reason: kind }
                } else {
                    Outcome::Unmet { at, reason: kind }
                };
            }
            if let (Some(to), Outcome::Open) = (&moved_to, &ob.outcome) {
                ob.establishment = Some(to.clone());
            }
        }

        let episode = state.episodes.len();
        let establishment = state.current_episode().map(|ep| ep.establishment.clone());
        let expected_release = state.current_episode().and_then(|ep| ep.expected_release);
        for std in standards.iter() {
            let triggered = match &std.trigger {
                Trigger::Event { kinds, condition } => kinds.contains(&kind) && holds(condition, &fact, &details, e),
                Trigger::Met(other) => met_now.contains(other),
            };
            if !triggered || !holds(&std.applies_to, &fact, &details, e) {
                continue;
            }
            if std.once_per_episode && !opened_in_episode.insert((std.id.clone(), episode)) {
                continue;
            }
            let due = match std.recurs {
                Some(period) => add_duration(at, period).ok(),
                None => {
                    let details = details.get_or_init(|| e.kind.details_value());
                    due_at(std.due, at, expected_release, ctx.calendar, details, &state)
                }
            };
            let Some(due_at) = due else { continue };
            if std.recurs.is_some() {
                series.insert((std.id.clone(), e.id), out.len());
            }
            out.push(Obligation {
                standard: std.id.clone(),
                person: person.prison_number.clone(),
                establishment: establishment.clone(),
                trigger: e.id,
                period: 0,
                opened_at: at,
                due_at,
                outcome: Outcome::Open,
            });
        }
    }
    roll(&mut out, &mut series, horizon);
    out.sort_by(|a, b| {
        (a.opened_at, &a.standard, a.period, a.trigger).cmp(&(b.opened_at, &b.standard, b.period, b.trigger))
    });
    out
}

/// One standard's figures over a period: what fell due in it, and how it went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Compliance {
    /// Fell due in the period (or ended unmet in it): met on time + met late + unmet + open overdue.
    pub applicable: usize,
    pub met_on_time: usize,
    pub met_late: usize,
    pub unmet: usize,
    pub open_overdue: usize,
    /// Stopped applying before falling due, by the event that stopped it.
    pub not_applicable: std::collections::BTreeMap<&'static str, usize>,
    /// Hours from opening to completion, for those met.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

impl Compliance {
    /// Met on time as a share of applicable, or None when nothing was applicable.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.applicable > 0).then(|| self.met_on_time as f64 / self.applicable as f64)
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Figures for obligations whose due time falls in `[from, to]`, as known at `as_at`.
pub fn compliance<'a>(
    obligations: impl IntoIterator<Item = &'a Obligation>,
    from: Timestamp,
    to: Timestamp,
    as_at: Timestamp,
) -> Compliance {
    let mut c = Compliance::default();
    let mut hours = Vec::new();
    for o in obligations.into_iter().filter(|o| o.due_at >= from && o.due_at <= to) {
        match o.outcome_at(as_at) {
            Outcome::MetOnTime { at, .. } => {
                c.met_on_time += 1;
                hours.push((at - o.opened_at).as_secs_f64() / 3600.0);
            }
            Outcome::MetLate { at, .. } => {
                c.met_late += 1;
                hours.push((at - o.opened_at).as_secs_f64() / 3600.0);
            }
            Outcome::Unmet { .. } => c.unmet += 1,
            Outcome::NotApplicable { reason, .. } => {
                *c.not_applicable.entry(reason).or_default() += 1;
                continue;
            }
            Outcome::Open if o.due_at < as_at => c.open_overdue += 1,
            Outcome::Open => continue,
        }
        c.applicable += 1;
    }
    hours.sort_by(f64::total_cmp);
    c.median_hours = percentile(&hours, 0.5);
    c.p90_hours = percentile(&hours, 0.9);
    c
}
