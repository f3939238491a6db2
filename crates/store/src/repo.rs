//! Reading and writing establishments, people and events: one SQL text per query, both backends.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use sqlx::QueryBuilder;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{Correction, EventSummary};
use throughcare_core::person::{Name, Population};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::timeline::Timeline;
use throughcare_core::{
    Establishment, EstablishmentCode, Event, EventId, EventKind, NhsNumber, Person, PrisonNumber, StaffRef,
};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// Rows per multi-row INSERT: 9 columns × 1000 stays under both backends' parameter limits.
const BATCH: usize = 1000;
/// Ids per `IN (...)` look-up.
const LOOKUP: usize = 500;

pub(crate) type EventRow = (String, String, String, i64, i64, String, Option<String>, Option<String>, String);
pub(crate) type PersonRow = (String, String, String, String, Option<String>);

pub(crate) const EVENT_COLUMNS: &str =
    "id, prison_number, kind, occurred_at, recorded_at, recorded_by, supersedes, correction_reason, details";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn person_from_row((pn, given, family, dob, nhs): PersonRow) -> Result<Person, StoreError> {
    Ok(Person {
        prison_number: PrisonNumber::parse(&pn).map_err(|e| corrupt("prison number", e))?,
        given_name: Name::parse(&given).map_err(|e| corrupt("given name", e))?,
        family_name: Name::parse(&family).map_err(|e| corrupt("family name", e))?,
        date_of_birth: dob.parse::<Date>().map_err(|e| corrupt("date of birth", e))?,
        nhs_number: nhs.as_deref().map(NhsNumber::parse).transpose().map_err(|e| corrupt("NHS number", e))?,
    })
}

/// Rows read in person order, as each person's events.
pub(crate) fn by_person(rows: Vec<EventRow>) -> Result<HashMap<PrisonNumber, Vec<Event>>, StoreError> {
    let mut out: HashMap<PrisonNumber, Vec<Event>> = HashMap::new();
    for row in rows {
        let e = event_from_row(row)?;
        out.entry(e.person.clone()).or_default().push(e);
    }
    Ok(out)
}

pub(crate) fn event_from_row(row: EventRow) -> Result<Event, StoreError> {
    let (id, pn, kind, occurred, recorded, by, supersedes, reason, details) = row;
    let correction = match (supersedes, reason) {
        (Some(s), Some(reason)) => {
            Some(Correction { supersedes: EventId::parse(&s).map_err(|e| corrupt("supersedes", e))?, reason })
        }
        _ => None,
    };
    Ok(Event {
        id: EventId::parse(&id).map_err(|e| corrupt("event id", e))?,
        person: PrisonNumber::parse(&pn).map_err(|e| corrupt("prison number", e))?,
        occurred_at: from_micros(occurred).map_err(|e| corrupt("occurred_at", e))?,
        recorded_at: from_micros(recorded).map_err(|e| corrupt("recorded_at", e))?,
        recorded_by: StaffRef::parse(&by).map_err(|e| corrupt("recorded_by", e))?,
        correction,
        kind: EventKind::parse(&kind, &details).map_err(|e| corrupt(&format!("event {id}"), e))?,
    })
}

impl WriteTx {
    pub async fn insert_establishments(&mut self, list: &[Establishment]) -> Result<(), StoreError> {
        for chunk in list.chunks(BATCH) {
            on_tx!(self, |t| {
                let mut q = QueryBuilder::new("INSERT INTO establishments (code, name, population) ");
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(e.code.as_str().to_string())
                        .push_bind(e.name.as_str().to_string())
                        .push_bind(e.population.code());
                });
                q.build().execute(&mut **t).await?;
            });
        }
        Ok(())
    }

    pub async fn insert_people(&mut self, people: &[Person]) -> Result<(), StoreError> {
        for chunk in people.chunks(BATCH) {
            on_tx!(self, |t| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO people (prison_number, given_name, family_name, date_of_birth, nhs_number) ",
                );
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.prison_number.as_str().to_string())
                        .push_bind(p.given_name.as_str().to_string())
                        .push_bind(p.family_name.as_str().to_string())
                        .push_bind(p.date_of_birth.to_string())
                        .push_bind(p.nhs_number.as_ref().map(|n| n.as_str().to_string()));
                });
                q.build().execute(&mut **t).await?;
            });
        }
        Ok(())
    }

    /// Appends events to their timelines. Callers check the events first (`exchange` does).
    pub async fn append_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        for chunk in events.chunks(BATCH) {
            on_tx!(self, |t| {
                let mut q = QueryBuilder::new(format!("INSERT INTO events ({EVENT_COLUMNS}) "));
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(e.id.to_string())
                        .push_bind(e.person.as_str().to_string())
                        .push_bind(e.kind.name())
                        .push_bind(to_micros(e.occurred_at))
                        .push_bind(to_micros(e.recorded_at))
                        .push_bind(e.recorded_by.as_str().to_string())
                        .push_bind(e.correction.as_ref().map(|c| c.supersedes.to_string()))
                        .push_bind(e.correction.as_ref().map(|c| c.reason.clone()))
                        .push_bind(e.kind.details_json());
                });
                q.build().execute(&mut **t).await?;
            });
        }
        Ok(())
    }
}

impl Db {
    pub async fn establishments(&self) -> Result<Vec<Establishment>, StoreError> {
        let rows: Vec<(String, String, String)> = on_db!(
            self,
            read | p | {
                sqlx::query_as("SELECT code, name, population FROM establishments ORDER BY code").fetch_all(p).await?
            }
        );
        rows.into_iter()
            .map(|(code, name, pop)| {
                Ok(Establishment {
                    code: EstablishmentCode::parse(&code).map_err(|e| corrupt("establishment", e))?,
                    name: Name::parse(&name).map_err(|e| corrupt("establishment name", e))?,
                    population: Population::parse_code(&pop).map_err(|e| corrupt("population", e))?,
                })
            })
            .collect()
    }

    pub async fn person(&self, pn: &PrisonNumber) -> Result<Option<Person>, StoreError> {
        let row: Option<PersonRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as(
                "SELECT prison_number, given_name, family_name, date_of_birth, nhs_number FROM people WHERE prison_number = $1",
            )
            .bind(pn.as_str())
            .fetch_optional(p)
            .await?
                }
        );
        row.map(person_from_row).transpose()
    }

    /// Whoever holds an NHS number (reception finds a returning person by it).
    pub async fn person_by_nhs_number(&self, nhs: &NhsNumber) -> Result<Option<Person>, StoreError> {
        let row: Option<PersonRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as(
                "SELECT prison_number, given_name, family_name, date_of_birth, nhs_number FROM people WHERE nhs_number = $1",
            )
            .bind(nhs.as_str())
            .fetch_optional(p)
            .await?
                }
        );
        row.map(person_from_row).transpose()
    }

    /// A person's whole timeline, corrections and all.
    pub async fn timeline(&self, pn: &PrisonNumber) -> Result<Timeline, StoreError> {
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p | {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number = $1 ORDER BY occurred_at, recorded_at, id"
                )))
                .bind(pn.as_str())
                .fetch_all(p)
                .await?
            }
        );
        Ok(Timeline::new(rows.into_iter().map(event_from_row).collect::<Result<_, _>>()?))
    }

    /// Every person with their timeline, a page of people at a time so the estate is never in
    /// memory at once (the equality report reads everyone). Given an establishment, only people
    /// received there at some time (a superset of those held there in any period). Returns how
    /// many people were read.
    pub async fn for_each_timeline(
        &self,
        establishment: Option<&EstablishmentCode>,
        mut f: impl FnMut(&Person, &Timeline),
    ) -> Result<usize, StoreError> {
        const PAGE: i64 = 2000;
        // Details are stored as compact JSON (`details_json`), so the establishment reads the same in every row.
        let received_at = establishment.map(|e| format!("%\"establishment\":\"{}\"%", e.as_str())).unwrap_or_default();
        let only = "($3 = '' OR prison_number IN \
                    (SELECT prison_number FROM events WHERE kind = 'reception' AND details LIKE $3))";
        let people_sql = format!(
            "SELECT prison_number, given_name, family_name, date_of_birth, nhs_number FROM people \
             WHERE prison_number > $1 AND {only} ORDER BY prison_number LIMIT $2"
        );
        let events_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number >= $1 AND prison_number <= $2 AND {only} \
             ORDER BY prison_number, occurred_at, recorded_at, id"
        );
        let mut after = String::new();
        let mut read = 0;
        loop {
            let people: Vec<PersonRow> = on_db!(
                self,
                read | p
                    | sqlx::query_as(sqlx::AssertSqlSafe(people_sql.clone()))
                        .bind(&after)
                        .bind(PAGE)
                        .bind(&received_at)
                        .fetch_all(p)
                        .await?
            );
            let (Some(first), Some(last)) = (people.first(), people.last()) else { return Ok(read) };
            let (first, last) = (first.0.clone(), last.0.clone());
            let rows: Vec<EventRow> = on_db!(
                self,
                read | p
                    | sqlx::query_as(sqlx::AssertSqlSafe(events_sql.clone()))
                        .bind(&first)
                        .bind(&last)
                        .bind(&received_at)
                        .fetch_all(p)
                        .await?
            );
            let mut events = rows.into_iter().map(event_from_row).peekable();
            for row in people {
                let person = person_from_row(row)?;
                let mut mine = Vec::new();
                while let Some(e) = events.next_if(|e| e.as_ref().map_or(true, |e| e.person == person.prison_number)) {
                    mine.push(e?);
                }
                f(&person, &Timeline::new(mine));
                read += 1;
            }
            after = last;
        }
    }

    /// Everyone in custody at an establishment with their whole timeline, by name: what the
    /// home pages read to list open ACCT cases, requests waiting and releases coming up.
    pub async fn timelines_in_custody(
        &self,
        establishment: &EstablishmentCode,
    ) -> Result<Vec<(Person, Timeline)>, StoreError> {
        let people = self.caseload(establishment).await?;
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN \
                     (SELECT prison_number FROM custody WHERE establishment = $1 AND in_custody) \
                     ORDER BY prison_number, occurred_at, recorded_at, id"
                )))
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        );
        let mut by_person = by_person(rows)?;
        Ok(people
            .into_iter()
            .map(|(p, _)| {
                let events = by_person.remove(&p.prison_number).unwrap_or_default();
                (p, Timeline::new(events))
            })
            .collect())
    }

    /// The people in custody at an establishment whose key worker (as their obligations were last
    /// worked out) is `key_worker`, with their whole timelines: "My people" reads six people, not
    /// the prison. The caller checks each timeline's key worker now.
    pub async fn key_worker_timelines(
        &self,
        establishment: &EstablishmentCode,
        key_worker: &str,
    ) -> Result<Vec<(Person, Timeline)>, StoreError> {
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN \
                     (SELECT DISTINCT o.prison_number FROM obligations o JOIN custody c ON c.prison_number = o.prison_number \
                      WHERE o.key_worker = $2 AND o.establishment = $1 AND c.establishment = $1 AND c.in_custody) \
                     ORDER BY prison_number, occurred_at, recorded_at, id"
                )))
                .bind(establishment.as_str())
                .bind(key_worker)
                .fetch_all(p)
                .await?
        );
        self.in_caseload_order(establishment, rows).await
    }

    /// The people in custody at an establishment who have at least one event of the `kinds` a
    /// pathway starts with, each with the pathway's events only (`kinds` and `steps`, and any
    /// correction): a register reads the people on it and their cases, not the whole prison.
    pub async fn pathway_timelines(
        &self,
        establishment: &EstablishmentCode,
        kinds: &[&str],
        steps: &[&str],
    ) -> Result<Vec<(Person, Timeline)>, StoreError> {
        // Kinds are the fixed names of event kinds, so they can be written into the query.
        let quoted = |ks: &[&str]| {
            ks.iter().copied().filter(|k| EventKind::NAMES.contains(k)).map(|k| format!("'{k}'")).collect::<Vec<_>>()
        };
        let (list, all) = (quoted(kinds), quoted(&[kinds, steps].concat()));
        if list.is_empty() {
            return Ok(vec![]);
        }
        let (list, all) = (list.join(", "), all.join(", "));
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    // From the kind's index to custody, not custody to each person's events: SQLite
                    // runs a correlated EXISTS here in 0.7 s at 6,000 people, the join in 4 ms.
                    "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN \
                     (SELECT DISTINCT k.prison_number FROM events k JOIN custody c ON c.prison_number = k.prison_number \
                      WHERE k.kind IN ({list}) AND c.establishment = $1 AND c.in_custody) \
                     AND (kind IN ({all}) OR supersedes IS NOT NULL) \
                     ORDER BY prison_number, occurred_at, recorded_at, id"
                )))
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        );
        self.in_caseload_order(establishment, rows).await
    }

    /// Everyone, in custody or not, with at least one event of the `kinds` a pathway starts with,
    /// each with the pathway's events and their custody events (reception, transfer, release), so
    /// that where each case arose can be read from the timeline: a quarter's answered complaints
    /// include those of people since released or moved.
    pub async fn cases_anywhere(&self, kinds: &[&str], steps: &[&str]) -> Result<Vec<(Person, Timeline)>, StoreError> {
        const CUSTODY: &[&str] = &["reception", "transfer_out", "release", "transferred_to_hospital"];
        let quoted = |ks: &[&str]| {
            ks.iter().copied().filter(|k| EventKind::NAMES.contains(k)).map(|k| format!("'{k}'")).collect::<Vec<_>>()
        };
        let (list, all) = (quoted(kinds), quoted(&[kinds, steps, CUSTODY].concat()));
        if list.is_empty() {
            return Ok(vec![]);
        }
        let (list, all) = (list.join(", "), all.join(", "));
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN                      (SELECT DISTINCT k.prison_number FROM events k WHERE k.kind IN ({list}))                      AND (kind IN ({all}) OR supersedes IS NOT NULL)                      ORDER BY prison_number, occurred_at, recorded_at, id"
                )))
                .fetch_all(p)
                .await?
        );
        let mut out = Vec::new();
        for (pn, events) in by_person(rows)? {
            if let Some(person) = self.person(&pn).await? {
                out.push((person, Timeline::new(events)));
            }
        }
        out.sort_by(|a, b| a.0.prison_number.as_str().cmp(b.0.prison_number.as_str()));
        Ok(out)
    }

    /// Each key worker of people in custody at an establishment, with how many people they have
    /// (as their obligations were last worked out): caseloads without reading every timeline.
    pub async fn key_worker_caseloads(
        &self,
        establishment: &EstablishmentCode,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT o.key_worker, COUNT(DISTINCT o.prison_number) FROM obligations o \
                     JOIN custody c ON c.prison_number = o.prison_number \
                     WHERE o.establishment = $1 AND c.establishment = $1 AND c.in_custody AND o.key_worker IS NOT NULL \
                     GROUP BY o.key_worker ORDER BY o.key_worker",
                )
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        ))
    }

    /// The owners of `rows` who are in custody at the establishment, by name, each with their events.
    async fn in_caseload_order(
        &self,
        establishment: &EstablishmentCode,
        rows: Vec<EventRow>,
    ) -> Result<Vec<(Person, Timeline)>, StoreError> {
        let mut by_person = by_person(rows)?;
        Ok(self
            .caseload(establishment)
            .await?
            .into_iter()
            .filter_map(|(p, _)| by_person.remove(&p.prison_number).map(|events| (p, Timeline::new(events))))
            .collect())
    }

    /// Events a member of staff recorded since an instant, newest first: a partner's recent sessions.
    pub async fn events_recorded_by(
        &self,
        username: &str,
        since: jiff::Timestamp,
        limit: i64,
    ) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE recorded_by = $1 AND occurred_at >= $2 \
                     ORDER BY occurred_at DESC, id LIMIT $3"
                )))
                .bind(username)
                .bind(throughcare_core::time::to_micros(since))
                .bind(limit)
                .fetch_all(p)
                .await?
        );
        rows.into_iter().map(event_from_row).collect()
    }

    pub async fn count(&self, table: Table) -> Result<i64, StoreError> {
        let sql = match table {
            Table::Establishments => "SELECT COUNT(*) FROM establishments",
            Table::People => "SELECT COUNT(*) FROM people",
            Table::Events => "SELECT COUNT(*) FROM events",
        };
        Ok(on_db!(self, read | p | sqlx::query_scalar(sql).fetch_one(p).await?))
    }

    /// Which of these prison numbers are on record.
    pub async fn existing_people(&self, pns: &[&PrisonNumber]) -> Result<HashSet<PrisonNumber>, StoreError> {
        let mut found = HashSet::new();
        for chunk in pns.chunks(LOOKUP) {
            let rows: Vec<String> = on_db!(
                self,
                read | p | {
                    let mut q = QueryBuilder::new("SELECT prison_number FROM people WHERE prison_number IN ");
                    q.push_tuples(chunk, |mut b, pn| {
                        b.push_bind(pn.as_str().to_string());
                    });
                    q.build_query_scalar().fetch_all(p).await?
                }
            );
            for r in rows {
                found.insert(PrisonNumber::parse(&r).map_err(|e| corrupt("prison number", e))?);
            }
        }
        Ok(found)
    }

    /// Whose, and what kind, each of these events is; and whether a correction already supersedes it.
    pub async fn event_summaries(&self, ids: &[EventId]) -> Result<HashMap<EventId, (EventSummary, bool)>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(LOOKUP) {
            let rows: Vec<(String, String, String, bool)> = on_db!(
                self,
                read | p | {
                    let mut q = QueryBuilder::new(
                        "SELECT e.id, e.prison_number, e.kind, \
                     EXISTS (SELECT 1 FROM events c WHERE c.supersedes = e.id) FROM events e WHERE e.id IN ",
                    );
                    q.push_tuples(chunk, |mut b, id| {
                        b.push_bind(id.to_string());
                    });
                    q.build_query_as().fetch_all(p).await?
                }
            );
            for (id, pn, kind, superseded) in rows {
                let kind =
                    EventKind::NAMES.iter().copied().find(|k| *k == kind).ok_or_else(|| corrupt("kind", &kind))?;
                let summary =
                    EventSummary { person: PrisonNumber::parse(&pn).map_err(|e| corrupt("prison number", e))?, kind };
                found.insert(EventId::parse(&id).map_err(|e| corrupt("event id", e))?, (summary, superseded));
            }
        }
        Ok(found)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Table {
    Establishments,
    People,
    Events,
}

/// Where a person is now, or was last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custody {
    pub establishment: Option<EstablishmentCode>,
    pub location: Option<String>,
    pub in_custody: bool,
}

type PersonCustodyRow = (String, String, String, String, Option<String>, Option<String>, Option<String>, Option<bool>);

fn with_custody(rows: Vec<PersonCustodyRow>) -> Result<Vec<(Person, Option<Custody>)>, StoreError> {
    rows.into_iter()
        .map(|(pn, g, f, dob, nhs, est, loc, inside)| {
            let person = person_from_row((pn, g, f, dob, nhs))?;
            let custody = match inside {
                None => None,
                Some(in_custody) => Some(Custody {
                    establishment: est
                        .as_deref()
                        .map(EstablishmentCode::parse)
                        .transpose()
                        .map_err(|e| corrupt("establishment", e))?,
                    location: loc,
                    in_custody,
                }),
            };
            Ok((person, custody))
        })
        .collect()
}

const PERSON_CUSTODY: &str = "SELECT p.prison_number, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, \
     c.establishment, c.location, c.in_custody FROM people p LEFT JOIN custody c ON c.prison_number = p.prison_number";

impl Db {
    pub async fn custody(&self, pn: &PrisonNumber) -> Result<Option<Custody>, StoreError> {
        let row: Option<(Option<String>, Option<String>, bool)> = on_db!(
            self,
            read | p | {
                sqlx::query_as("SELECT establishment, location, in_custody FROM custody WHERE prison_number = $1")
                    .bind(pn.as_str())
                    .fetch_optional(p)
                    .await?
            }
        );
        row.map(|(est, location, in_custody)| {
            Ok(Custody {
                establishment: est
                    .as_deref()
                    .map(EstablishmentCode::parse)
                    .transpose()
                    .map_err(|e| corrupt("establishment", e))?,
                location,
                in_custody,
            })
        })
        .transpose()
    }

    /// People whose prison number, name or location contains the text, within one establishment
    /// (or all of them), best matches first.
    pub async fn search_people(
        &self,
        text: &str,
        establishment: Option<&EstablishmentCode>,
        limit: i64,
    ) -> Result<Vec<(Person, Option<Custody>)>, StoreError> {
        let pattern = format!("%{}%", text.trim().to_lowercase().replace(['%', '_'], ""));
        let est = establishment.map(|e| e.as_str().to_string());
        let rows: Vec<PersonCustodyRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{PERSON_CUSTODY} WHERE ($1 IS NULL OR c.establishment = $1) AND (lower(p.prison_number) LIKE $2 \
                 OR lower(p.family_name) LIKE $2 OR lower(p.given_name) LIKE $2 OR lower(p.given_name || ' ' || p.family_name) LIKE $2 \
                 OR lower(c.location) LIKE $2) ORDER BY c.in_custody DESC, p.family_name, p.given_name, p.prison_number LIMIT $3"
            )))
            .bind(est.clone())
            .bind(&pattern)
            .bind(limit)
            .fetch_all(p)
            .await?
                }
        );
        with_custody(rows)
    }

    /// Everyone in custody at an establishment, by name.
    pub async fn caseload(
        &self,
        establishment: &EstablishmentCode,
    ) -> Result<Vec<(Person, Option<Custody>)>, StoreError> {
        let rows: Vec<PersonCustodyRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{PERSON_CUSTODY} WHERE c.establishment = $1 AND c.in_custody ORDER BY p.family_name, p.given_name, p.prison_number"
            )))
            .bind(establishment.as_str())
            .fetch_all(p)
            .await?
                }
        );
        with_custody(rows)
    }
}
