//! Obligations kept in step with the timeline: recomputed for each person whose events change,
//! in the same transaction; read back as worklists and compliance figures.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use sqlx::QueryBuilder;
use throughcare_core::codes::CodeSet;
use throughcare_core::instruments::InstrumentSet;
use throughcare_core::measures::MeasureSet;
use throughcare_core::person::Population;
use throughcare_core::standards::calendar::Calendar;
use throughcare_core::standards::engine::{Context, Obligation, Outcome, obligations};
use throughcare_core::standards::{StandardId, StandardSet};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::timeline::Timeline;
use throughcare_core::{EstablishmentCode, Event, EventId, EventKind, Person, PrisonNumber};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};
use crate::repo::{EVENT_COLUMNS, EventRow, PersonRow, event_from_row, person_from_row};

/// People per batch when recomputing: bounds memory and the size of `IN (...)` lists.
const PEOPLE_BATCH: usize = 500;
const ROWS_BATCH: usize = 1000;

/// The standards and calendar the engine applies, and the measures the equality report uses.
pub struct Engine {
    pub standards: StandardSet,
    pub measures: MeasureSet,
    pub calendar: Calendar,
    /// The screening instruments results are scored and checked by.
    pub instruments: InstrumentSet,
    /// Religious festivals by religion or belief, for "coming up" on key work pages.
    pub festivals: throughcare_core::pathways::festivals::FestivalCalendar,
    /// The information library: items people are given to read, in their formats and languages.
    pub library: throughcare_core::information::Library,
}

impl Engine {
    pub fn builtin() -> Self {
        let standards = StandardSet::builtin();
        Self {
            measures: MeasureSet::builtin(&standards),
            standards,
            calendar: Calendar::england_and_wales(),
            instruments: InstrumentSet::builtin(),
            festivals: throughcare_core::pathways::festivals::FestivalCalendar::builtin(),
            library: throughcare_core::information::Library::builtin(),
        }
    }

    /// Everything kept per person from their timeline: obligations, key worker, where they are.
    pub fn compute(
        &self,
        person: &Person,
        timeline: &Timeline,
        populations: &HashMap<EstablishmentCode, Population>,
        horizon: Timestamp,
    ) -> Projection {
        let population = |c: &EstablishmentCode| populations.get(c).copied();
        let ctx = Context { calendar: &self.calendar, population: &population };
        let state = timeline.state_at(Timestamp::MAX);
        let last = state.episodes.last();
        Projection {
            person: person.prison_number.clone(),
            obligations: obligations(person, timeline, &self.standards, &ctx, horizon),
            key_worker: state.key_worker.as_ref().map(|k| k.as_str().to_string()),
            establishment: last.map(|ep| ep.establishment.clone()),
            location: last.and_then(|ep| ep.location.clone()),
            in_custody: state.in_custody(),
            open_acct: throughcare_core::pathways::acct::open_case(timeline),
        }
    }
}

/// What is kept per person from their timeline, replaced whenever their events change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub person: PrisonNumber,
    pub obligations: Vec<Obligation>,
    pub key_worker: Option<String>,
    /// The current establishment, or the last one after release.
    pub establishment: Option<EstablishmentCode>,
    pub location: Option<String>,
    pub in_custody: bool,
    /// The open ACCT case as the register shows it, if one is open.
    pub open_acct: Option<throughcare_core::pathways::acct::OpenCase>,
}

type ObligationRow = (
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);
const OBLIGATION_COLUMNS: &str = "standard, trigger_event, period, prison_number, establishment, team, key_worker, opened_at, due_at, status, closed_at, closed_by, reason";

fn outcome_columns(o: &Outcome) -> (Option<i64>, Option<String>, Option<&'static str>) {
    match o {
        Outcome::Open => (None, None, None),
        Outcome::MetOnTime { at, by } | Outcome::MetLate { at, by } => {
            (Some(to_micros(*at)), Some(by.to_string()), None)
        }
        Outcome::NotApplicable { at, reason } | Outcome::Unmet { at, reason } => {
            (Some(to_micros(*at)), None, Some(reason))
        }
    }
}

fn reason_name(r: &str) -> Option<&'static str> {
    EventKind::NAMES.iter().copied().chain([throughcare_core::standards::engine::PERIOD_ENDED]).find(|k| *k == r)
}

fn obligation_from_row(row: ObligationRow) -> Result<(Obligation, Option<String>), StoreError> {
    let (
        standard,
        trigger,
        period,
        pn,
        establishment,
        _team,
        key_worker,
        opened,
        due,
        status,
        closed_at,
        closed_by,
        reason,
    ) = row;
    let bad = |what: &str| StoreError::Corrupt(format!("obligation {standard}/{trigger}: {what}"));
    let closed =
        || closed_at.ok_or_else(|| bad("no closing time")).and_then(|us| from_micros(us).map_err(StoreError::Corrupt));
    let by = || {
        closed_by.as_deref().map(EventId::parse).transpose().ok().flatten().ok_or_else(|| bad("no completing event"))
    };
    let why = || reason.as_deref().and_then(reason_name).ok_or_else(|| bad("no reason"));
    let outcome = match status.as_str() {
        "open" => Outcome::Open,
        "met_on_time" => Outcome::MetOnTime { at: closed()?, by: by()? },
        "met_late" => Outcome::MetLate { at: closed()?, by: by()? },
        "not_applicable" => Outcome::NotApplicable { at: closed()?, reason: why()? },
        "unmet" => Outcome::Unmet { at: closed()?, reason: why()? },
        other => return Err(bad(&format!("status {other}"))),
    };
    Ok((
        Obligation {
            standard: StandardId::parse(&standard).map_err(|e| bad(&e))?,
            person: PrisonNumber::parse(&pn).map_err(|e| bad(&e.to_string()))?,
            establishment: establishment
                .as_deref()
                .map(EstablishmentCode::parse)
                .transpose()
                .map_err(|e| bad(&e.to_string()))?,
            trigger: EventId::parse(&trigger).map_err(|e| bad(&e.to_string()))?,
            period: u32::try_from(period).map_err(|_| bad("period"))?,
            opened_at: from_micros(opened).map_err(StoreError::Corrupt)?,
            due_at: from_micros(due).map_err(StoreError::Corrupt)?,
            outcome,
        },
        key_worker,
    ))
}

pub(crate) const HORIZON_SETTING: &str = "obligations_until";

impl WriteTx {
    /// Replaces these people's projections (obligations and custody) with the ones given.
    pub async fn replace_projections(&mut self, projections: &[Projection], engine: &Engine) -> Result<(), StoreError> {
        let people: Vec<&PrisonNumber> = projections.iter().map(|p| &p.person).collect();
        for chunk in people.chunks(PEOPLE_BATCH) {
            for table in ["obligations", "custody", "acct_open_cases"] {
                on_tx!(self, |t| {
                    let mut q = QueryBuilder::new(format!("DELETE FROM {table} WHERE prison_number IN "));
                    q.push_tuples(chunk, |mut b, pn| {
                        b.push_bind(pn.as_str().to_string());
                    });
                    q.build().execute(&mut **t).await?;
                });
            }
        }
        for chunk in projections.chunks(ROWS_BATCH) {
            on_tx!(self, |t| {
                let mut q =
                    QueryBuilder::new("INSERT INTO custody (prison_number, establishment, location, in_custody) ");
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.person.as_str().to_string())
                        .push_bind(p.establishment.as_ref().map(|e| e.as_str().to_string()))
                        .push_bind(p.location.clone())
                        .push_bind(p.in_custody);
                });
                q.build().execute(&mut **t).await?;
            });
        }
        let open: Vec<(&PrisonNumber, &throughcare_core::pathways::acct::OpenCase)> =
            projections.iter().filter_map(|p| p.open_acct.as_ref().map(|c| (&p.person, c))).collect();
        crate::acct::insert_open_cases(self, &open).await?;
        let rows: Vec<(&Obligation, &Option<String>)> =
            projections.iter().flat_map(|p| p.obligations.iter().map(move |o| (o, &p.key_worker))).collect();
        for chunk in rows.chunks(ROWS_BATCH) {
            on_tx!(self, |t| {
                let mut q = QueryBuilder::new(format!("INSERT INTO obligations ({OBLIGATION_COLUMNS}) "));
                q.push_values(chunk, |mut b, (o, key_worker)| {
                    let key_worker: &Option<String> = key_worker;
                    let (closed_at, closed_by, reason) = outcome_columns(&o.outcome);
                    let team = engine.standards.get(o.standard.as_str()).map_or("", |s| s.team.code());
                    b.push_bind(o.standard.as_str().to_string())
                        .push_bind(o.trigger.to_string())
                        .push_bind(i64::from(o.period))
                        .push_bind(o.person.as_str().to_string())
                        .push_bind(o.establishment.as_ref().map(|e| e.as_str().to_string()))
                        .push_bind(team)
                        .push_bind(key_worker.clone())
                        .push_bind(to_micros(o.opened_at))
                        .push_bind(to_micros(o.due_at))
                        .push_bind(o.outcome.code())
                        .push_bind(closed_at)
                        .push_bind(closed_by)
                        .push_bind(reason);
                });
                q.build().execute(&mut **t).await?;
            });
        }
        Ok(())
    }

    /// Recomputes the obligations of these people from their timelines as this transaction sees them.
    pub async fn refresh_obligations(
        &mut self,
        people: &[&PrisonNumber],
        engine: &Engine,
        horizon: Timestamp,
    ) -> Result<(), StoreError> {
        let populations = self.populations().await?;
        for chunk in people.chunks(PEOPLE_BATCH) {
            let (persons, events) = self.people_and_events(chunk).await?;
            let mut by_person: HashMap<PrisonNumber, Vec<Event>> = HashMap::new();
            for e in events {
                by_person.entry(e.person.clone()).or_default().push(e);
            }
            let projections: Vec<Projection> = persons
                .iter()
                .map(|p| {
                    let timeline = Timeline::new(by_person.remove(&p.prison_number).unwrap_or_default());
                    engine.compute(p, &timeline, &populations, horizon)
                })
                .collect();
            self.replace_projections(&projections, engine).await?;
        }
        self.raise_horizon(horizon).await
    }

    async fn populations(&mut self) -> Result<HashMap<EstablishmentCode, Population>, StoreError> {
        let rows: Vec<(String, String)> =
            on_tx!(self, |t| sqlx::query_as("SELECT code, population FROM establishments").fetch_all(&mut **t).await?);
        Ok(rows
            .into_iter()
            .filter_map(|(c, p)| Some((EstablishmentCode::parse(&c).ok()?, Population::from_code(&p)?)))
            .collect())
    }

    async fn people_and_events(&mut self, chunk: &[&PrisonNumber]) -> Result<(Vec<Person>, Vec<Event>), StoreError> {
        let people: Vec<PersonRow> = on_tx!(self, |t| {
            let mut q = QueryBuilder::new(
                "SELECT prison_number, given_name, family_name, date_of_birth, nhs_number FROM people WHERE prison_number IN ",
            );
            q.push_tuples(chunk, |mut b, pn| {
                b.push_bind(pn.as_str().to_string());
            });
            q.build_query_as().fetch_all(&mut **t).await?
        });
        let events: Vec<EventRow> = on_tx!(self, |t| {
            let mut q = QueryBuilder::new(format!("SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN "));
            q.push_tuples(chunk, |mut b, pn| {
                b.push_bind(pn.as_str().to_string());
            });
            q.build_query_as().fetch_all(&mut **t).await?
        });
        Ok((
            people.into_iter().map(person_from_row).collect::<Result<_, _>>()?,
            events.into_iter().map(event_from_row).collect::<Result<_, _>>()?,
        ))
    }

    /// Records how far recurring obligations have been rolled (only ever forward).
    pub async fn set_horizon(&mut self, horizon: Timestamp) -> Result<(), StoreError> {
        self.raise_horizon(horizon).await
    }

    async fn raise_horizon(&mut self, horizon: Timestamp) -> Result<(), StoreError> {
        let value = to_micros(horizon).to_string();
        on_tx!(self, |t| {
            // Text comparison would misorder numbers of different lengths: compare as integers.
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = \
                 CASE WHEN CAST(settings.value AS BIGINT) < CAST(excluded.value AS BIGINT) THEN excluded.value ELSE settings.value END",
            )
            .bind(HORIZON_SETTING)
            .bind(value)
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }
}

/// One line of a worklist: an open obligation on someone's list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkItem {
    pub prison_number: String,
    pub name: String,
    pub standard: String,
    pub title: String,
    pub team: String,
    pub key_worker: Option<String>,
    pub establishment: Option<String>,
    pub opened_at: String,
    pub due_at: String,
    /// overdue, due-today, due-this-week, or later.
    pub when: &'static str,
    /// Whole days past due (0 when not overdue).
    pub days_overdue: i64,
    pub warning: bool,
    pub escalated: bool,
}

/// What a worklist is for: an establishment, optionally narrowed to a team, a key worker or a person.
#[derive(Debug, Clone, Default)]
pub struct WorklistFilter {
    pub establishment: Option<EstablishmentCode>,
    pub team: Option<String>,
    pub key_worker: Option<String>,
    pub person: Option<PrisonNumber>,
}

impl Db {
    /// How far recurring obligations have been rolled forward (None before any were computed).
    pub async fn obligations_until(&self) -> Result<Option<Timestamp>, StoreError> {
        let v: Option<String> = on_db!(
            self,
            read | p | {
                sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                    .bind(HORIZON_SETTING)
                    .fetch_optional(p)
                    .await?
            }
        );
        v.map(|s| {
            s.parse::<i64>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
                .and_then(|us| from_micros(us).map_err(StoreError::Corrupt))
        })
        .transpose()
    }

    /// Rolls recurring obligations forward to `until` for everyone with an open obligation.
    pub async fn roll_obligations_forward(&self, engine: &Engine, until: Timestamp) -> Result<usize, StoreError> {
        if self.obligations_until().await?.is_some_and(|h| h >= until) {
            return Ok(0);
        }
        let people: Vec<String> = on_db!(
            self,
            read | p | {
                sqlx::query_scalar(
                    "SELECT DISTINCT prison_number FROM obligations WHERE status = 'open' ORDER BY prison_number",
                )
                .fetch_all(p)
                .await?
            }
        );
        let people: Vec<PrisonNumber> = people.iter().filter_map(|p| PrisonNumber::parse(p).ok()).collect();
        let refs: Vec<&PrisonNumber> = people.iter().collect();
        let mut tx = self.begin_write().await?;
        tx.refresh_obligations(&refs, engine, until).await?;
        tx.commit().await?;
        Ok(people.len())
    }

    /// How many obligations are open at an establishment: one indexed count, the worklist's floor.
    pub async fn open_obligation_count(&self, establishment: &str) -> Result<i64, StoreError> {
        Ok(on_db!(
            self,
            read | p | {
                sqlx::query_scalar("SELECT COUNT(*) FROM obligations WHERE establishment = $1 AND status = 'open'")
                    .bind(establishment)
                    .fetch_one(p)
                    .await?
            }
        ))
    }

    /// Every stored obligation of one person, in the engine's order.
    pub async fn obligations_of(&self, pn: &PrisonNumber) -> Result<Vec<Obligation>, StoreError> {
        let rows: Vec<ObligationRow> = on_db!(
            self,
            read | p | {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {OBLIGATION_COLUMNS} FROM obligations WHERE prison_number = $1"
                )))
                .bind(pn.as_str())
                .fetch_all(p)
                .await?
            }
        );
        let mut out: Vec<Obligation> =
            rows.into_iter().map(|r| obligation_from_row(r).map(|(o, _)| o)).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| {
            (a.opened_at, &a.standard, a.period, a.trigger).cmp(&(b.opened_at, &b.standard, b.period, b.trigger))
        });
        Ok(out)
    }

    /// Obligations still open at `as_at` (overdue, due soon or later), most overdue first.
    pub async fn worklist(
        &self,
        engine: &Engine,
        filter: &WorklistFilter,
        as_at: Timestamp,
    ) -> Result<Vec<WorkItem>, StoreError> {
        let at = to_micros(as_at);
        // Closed after `as_at` counts as open then: a worklist for a past date shows what was on it.
        let mut sql = format!(
            "SELECT {OBLIGATION_COLUMNS} FROM obligations o WHERE o.opened_at <= $1 AND (o.status = 'open' OR o.closed_at > $1)"
        );
        let mut n = 1;
        let mut binds: Vec<String> = Vec::new();
        let mut add = |col: &str, v: String, sql: &mut String| {
            n += 1;
            sql.push_str(&format!(" AND o.{col} = ${n}"));
            binds.push(v);
        };
        if let Some(e) = &filter.establishment {
            add("establishment", e.as_str().to_string(), &mut sql);
        }
        if let Some(t) = &filter.team {
            add("team", t.clone(), &mut sql);
        }
        if let Some(k) = &filter.key_worker {
            add("key_worker", k.clone(), &mut sql);
        }
        if let Some(p) = &filter.person {
            add("prison_number", p.as_str().to_string(), &mut sql);
        }
        sql.push_str(" ORDER BY o.due_at, o.prison_number, o.standard, o.period");
        let rows: Vec<ObligationRow> = on_db!(
            self,
            read | p | {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(at);
                for b in &binds {
                    q = q.bind(b.clone());
                }
                q.fetch_all(p).await?
            }
        );
        let today = throughcare_core::time::date_in_england(as_at);
        use throughcare_core::time::{add_days, add_duration, end_of_day_in_england};
        let start_of_today = end_of_day_in_england(add_days(today, -1)?)?;
        let end_of_today = end_of_day_in_england(today)?;
        let end_of_week = add_duration(end_of_today, jiff::SignedDuration::from_hours(24 * 7))?;
        let mut items = Vec::with_capacity(rows.len());
        let obligations = rows.into_iter().map(obligation_from_row).collect::<Result<Vec<_>, _>>()?;
        let names = self.names_of(obligations.iter().map(|(o, _)| &o.person)).await?;
        for (o, key_worker) in obligations {
            let name = names.get(&o.person).cloned().unwrap_or_default();
            let std = engine.standards.get(o.standard.as_str());
            let when = if o.due_at <= start_of_today {
                "overdue"
            } else if o.due_at <= end_of_today {
                "due-today"
            } else if o.due_at <= end_of_week {
                "due-this-week"
            } else {
                "later"
            };
            let overdue = as_at - o.due_at;
            let warning = std.and_then(|s| s.warn_before).is_some_and(|w| o.due_at > as_at && o.due_at - w <= as_at);
            let escalated = std.and_then(|s| s.escalate_after).is_some_and(|e| o.due_at < as_at && overdue >= e);
            items.push(WorkItem {
                prison_number: o.person.as_str().to_string(),
                name,
                standard: o.standard.as_str().to_string(),
                title: std.map_or_else(|| o.standard.to_string(), |s| s.title.clone()),
                team: std.map_or("", |s| s.team.code()).to_string(),
                key_worker,
                establishment: o.establishment.as_ref().map(|e| e.as_str().to_string()),
                opened_at: throughcare_core::time::format_instant(o.opened_at),
                due_at: throughcare_core::time::format_instant(o.due_at),
                when,
                days_overdue: if o.due_at < as_at { overdue.as_secs() / 86_400 } else { 0 },
                warning,
                escalated,
            });
        }
        items.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then_with(|| a.due_at.cmp(&b.due_at))
                .then_with(|| a.prison_number.cmp(&b.prison_number))
        });
        Ok(items)
    }

    /// "Family, Given" for each of these people, as lists show them.
    async fn names_of<'a>(
        &self,
        people: impl Iterator<Item = &'a PrisonNumber>,
    ) -> Result<HashMap<PrisonNumber, String>, StoreError> {
        let distinct: Vec<&PrisonNumber> = people.collect::<HashSet<_>>().into_iter().collect();
        let mut out = HashMap::with_capacity(distinct.len());
        for chunk in distinct.chunks(PEOPLE_BATCH) {
            let rows: Vec<(String, String, String)> = on_db!(
                self,
                read | p | {
                    let mut q = QueryBuilder::new(
                        "SELECT prison_number, family_name, given_name FROM people WHERE prison_number IN ",
                    );
                    q.push_tuples(chunk, |mut b, pn| {
                        b.push_bind(pn.as_str().to_string());
                    });
                    q.build_query_as().fetch_all(p).await?
                }
            );
            for (pn, family, given) in rows {
                if let Ok(pn) = PrisonNumber::parse(&pn) {
                    out.insert(pn, format!("{family}, {given}"));
                }
            }
        }
        Ok(out)
    }

    /// Obligations due in `[from, to]`, optionally at one establishment, grouped by standard.
    pub async fn obligations_due(
        &self,
        from: Timestamp,
        to: Timestamp,
        establishment: Option<&EstablishmentCode>,
    ) -> Result<BTreeMap<String, Vec<Obligation>>, StoreError> {
        let rows: Vec<ObligationRow> = on_db!(
            self,
            read | p
                | {
                    match establishment {
                Some(e) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {OBLIGATION_COLUMNS} FROM obligations WHERE due_at >= $1 AND due_at <= $2 AND establishment = $3"
                )))
                .bind(to_micros(from))
                .bind(to_micros(to))
                .bind(e.as_str())
                .fetch_all(p)
                .await?,
                None => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {OBLIGATION_COLUMNS} FROM obligations WHERE due_at >= $1 AND due_at <= $2")))
                    .bind(to_micros(from))
                    .bind(to_micros(to))
                    .fetch_all(p)
                    .await?,
            }
                }
        );
        let mut out: BTreeMap<String, Vec<Obligation>> = BTreeMap::new();
        for r in rows {
            let (o, _) = obligation_from_row(r)?;
            out.entry(o.standard.as_str().to_string()).or_default().push(o);
        }
        for list in out.values_mut() {
            list.sort_by(|a, b| {
                (a.due_at, &a.person, a.period, a.trigger).cmp(&(b.due_at, &b.person, b.period, b.trigger))
            });
        }
        Ok(out)
    }
}

/// The distinct people a batch of events touches.
pub fn people_of(events: &[Event]) -> Vec<&PrisonNumber> {
    let mut seen = HashSet::new();
    events.iter().map(|e| &e.person).filter(|p| seen.insert(*p)).collect()
}

/// One standard's line in a compliance report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComplianceRow {
    pub id: String,
    pub title: String,
    pub source: String,
    pub scope: &'static str,
    pub team: &'static str,
    pub applicable: usize,
    pub met_on_time: usize,
    pub met_late: usize,
    pub unmet: usize,
    pub open_overdue: usize,
    pub not_applicable: usize,
    pub not_applicable_reasons: BTreeMap<&'static str, usize>,
    pub on_time_percent: Option<f64>,
    pub median_hours_to_complete: Option<f64>,
    pub p90_hours_to_complete: Option<f64>,
}

/// Compliance with every standard for obligations falling due in a period (dates in England and Wales).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComplianceReport {
    pub period_from: jiff::civil::Date,
    pub period_to: jiff::civil::Date,
    pub establishment: Option<String>,
    pub as_at: String,
    pub standards: Vec<ComplianceRow>,
}

fn round1(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 10.0).round() / 10.0)
}

impl Db {
    pub async fn compliance_report(
        &self,
        engine: &Engine,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        establishment: Option<&EstablishmentCode>,
        as_at: Timestamp,
    ) -> Result<ComplianceReport, StoreError> {
        use throughcare_core::time::{end_of_day_in_england, start_of_day_in_england};
        let start = start_of_day_in_england(from)?;
        let end = end_of_day_in_england(to)?;
        let due = self.obligations_due(start, end, establishment).await?;
        let standards = engine
            .standards
            .iter()
            .map(|s| {
                let c = throughcare_core::standards::engine::compliance(
                    due.get(s.id.as_str()).map(Vec::as_slice).unwrap_or(&[]),
                    start,
                    end,
                    as_at,
                );
                ComplianceRow {
                    id: s.id.to_string(),
                    title: s.title.clone(),
                    source: s.source.clone(),
                    scope: s.scope.code(),
                    team: s.team.code(),
                    applicable: c.applicable,
                    met_on_time: c.met_on_time,
                    met_late: c.met_late,
                    unmet: c.unmet,
                    open_overdue: c.open_overdue,
                    not_applicable: c.not_applicable.values().sum(),
                    on_time_percent: round1(c.on_time_rate().map(|r| 100.0 * r)),
                    median_hours_to_complete: round1(c.median_hours),
                    p90_hours_to_complete: round1(c.p90_hours),
                    not_applicable_reasons: c.not_applicable,
                }
            })
            .collect();
        Ok(ComplianceReport {
            period_from: from,
            period_to: to,
            establishment: establishment.map(ToString::to_string),
            as_at: throughcare_core::time::format_instant(as_at),
            standards,
        })
    }
}
