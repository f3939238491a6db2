//! The CSV formats for establishments, people and events (docs/import-format.md): all-or-nothing
//! import that names every bad row and column, and an export that re-imports to the same data.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Read, Write};

use futures_util::TryStreamExt;
use jiff::Timestamp;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{Correction, EventSummary};
use throughcare_core::person::{Name, Population};
use throughcare_core::time::{
    check_date_of_birth, date_in_england, format_instant, from_micros, parse_date, parse_instant,
};
use throughcare_core::{
    Establishment, EstablishmentCode, Event, EventId, EventKind, NhsNumber, Person, PrisonNumber, StaffRef,
};

use crate::db::{Db, StoreError, on_db};
use crate::obligations::{Engine, people_of};
use crate::repo::{EVENT_COLUMNS, EventRow, PersonRow};

pub const ESTABLISHMENT_COLUMNS: [&str; 3] = ["code", "name", "population"];
pub const PEOPLE_COLUMNS: [&str; 5] = ["prison_number", "given_name", "family_name", "date_of_birth", "nhs_number"];
pub const EVENTS_COLUMNS: [&str; 9] = [
    "event_id",
    "prison_number",
    "kind",
    "occurred_at",
    "recorded_at",
    "recorded_by",
    "supersedes",
    "correction_reason",
    "details",
];

/// One thing wrong with one row of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line the row starts on, counting the header as line 1.
    pub line: u64,
    pub column: Option<&'static str>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {}: {}", self.line, c, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) found; nothing was imported:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Rejected(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads a CSV with exactly the given header, as text, keeping each row's line number.
pub(crate) struct Rows {
    pub(crate) rows: Vec<(u64, Vec<String>)>,
    pub(crate) errors: Vec<RowError>,
}

pub(crate) fn read_rows(input: impl Read, header: &[&'static str]) -> Rows {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut out = Rows { rows: Vec::new(), errors: Vec::new() };
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RowError { line, column: None, reason: format!("not valid CSV: {e}") });
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if first {
            first = false;
            if record.iter().ne(header.iter().map(|h| h.as_bytes())) {
                out.errors.push(RowError {
                    line,
                    column: None,
                    reason: format!("the header must be: {}", header.join(",")),
                });
                break;
            }
            continue;
        }
        if record.len() != header.len() {
            out.errors.push(RowError {
                line,
                column: None,
                reason: format!("has {} columns, expected {}", record.len(), header.len()),
            });
            continue;
        }
        let mut fields = Vec::with_capacity(header.len());
        for (i, bytes) in record.iter().enumerate() {
            match std::str::from_utf8(bytes) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    out.errors.push(RowError { line, column: Some(header[i]), reason: "is not valid UTF-8".into() })
                }
            }
        }
        if fields.len() == header.len() {
            out.rows.push((line, fields));
        }
    }
    if first && out.errors.is_empty() {
        out.errors.push(RowError {
            line: 1,
            column: None,
            reason: format!("the file is empty; the header must be: {}", header.join(",")),
        });
    }
    out
}

/// Collects a row's field errors so every bad field is reported, not just the first.
struct RowCheck<'a> {
    line: u64,
    errors: &'a mut Vec<RowError>,
}

impl RowCheck<'_> {
    fn field<T, E: fmt::Display>(&mut self, column: &'static str, r: Result<T, E>) -> Option<T> {
        r.map_err(|e| self.errors.push(RowError { line: self.line, column: Some(column), reason: e.to_string() })).ok()
    }
    fn row(&mut self, column: Option<&'static str>, reason: impl Into<String>) {
        self.errors.push(RowError { line: self.line, column, reason: reason.into() });
    }
}

fn optional(s: &str) -> Option<&str> {
    if s.is_empty() { None } else { Some(s) }
}

pub(crate) fn rejected_if_any(errors: Vec<RowError>) -> Result<(), ImportError> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut errors = errors;
    errors.sort_by_key(|e| e.line);
    Err(ImportError::Rejected(errors))
}

fn first_seen<K: std::hash::Hash + Eq>(seen: &mut HashMap<K, u64>, key: K, line: u64) -> Option<u64> {
    match seen.entry(key) {
        std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(line);
            None
        }
    }
}

pub fn parse_establishments(input: impl Read) -> Result<Vec<(u64, Establishment)>, ImportError> {
    let Rows { rows, mut errors } = read_rows(input, &ESTABLISHMENT_COLUMNS);
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for (line, f) in rows {
        let mut c = RowCheck { line, errors: &mut errors };
        let code = c.field("code", EstablishmentCode::parse(&f[0]));
        let name = c.field("name", Name::parse(&f[1]));
        let population = c.field("population", Population::parse_code(&f[2]));
        if let (Some(code), Some(name), Some(population)) = (code, name, population) {
            if let Some(first) = first_seen(&mut seen, code.clone(), line) {
                c.row(Some("code"), format!("establishment {code} is also on line {first}"));
            }
            out.push((line, Establishment { code, name, population }));
        }
    }
    rejected_if_any(errors)?;
    Ok(out)
}

pub async fn import_establishments(db: &Db, input: impl Read) -> Result<usize, ImportError> {
    let list = parse_establishments(input)?;
    let known: HashSet<EstablishmentCode> = db.establishments().await?.into_iter().map(|e| e.code).collect();
    let errors: Vec<RowError> = list
        .iter()
        .filter(|(_, e)| known.contains(&e.code))
        .map(|(line, e)| RowError {
            line: *line,
            column: Some("code"),
            reason: format!("establishment {} is already on record", e.code),
        })
        .collect();
    rejected_if_any(errors)?;
    let list: Vec<Establishment> = list.into_iter().map(|(_, e)| e).collect();
    let mut tx = db.begin_write().await?;
    tx.insert_establishments(&list).await?;
    tx.commit().await?;
    Ok(list.len())
}

/// Parses a people file on its own, with dates of birth checked against `now` (the application's
/// clock); checks against the database come in `import_people`.
pub fn parse_people(input: impl Read, now: Timestamp) -> Result<Vec<(u64, Person)>, ImportError> {
    let today = date_in_england(now);
    let Rows { rows, mut errors } = read_rows(input, &PEOPLE_COLUMNS);
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for (line, f) in rows {
        let mut c = RowCheck { line, errors: &mut errors };
        let pn = c.field("prison_number", PrisonNumber::parse(&f[0]));
        let given = c.field("given_name", Name::parse(&f[1]));
        let family = c.field("family_name", Name::parse(&f[2]));
        let dob = c.field(
            "date_of_birth",
            parse_date(&f[3]).and_then(|d| check_date_of_birth(d, today).map(|()| d).map_err(|r| r.to_string())),
        );
        let nhs = c.field("nhs_number", optional(&f[4]).map(NhsNumber::parse).transpose());
        if let Some(pn) = &pn {
            if let Some(first) = first_seen(&mut seen, pn.clone(), line) {
                c.row(Some("prison_number"), format!("{pn} is also on line {first}"));
            }
        }
        if let (Some(prison_number), Some(given_name), Some(family_name), Some(date_of_birth), Some(nhs_number)) =
            (pn, given, family, dob, nhs)
        {
            out.push((line, Person { prison_number, given_name, family_name, date_of_birth, nhs_number }));
        }
    }
    rejected_if_any(errors)?;
    Ok(out)
}

pub async fn import_people(db: &Db, input: impl Read, now: Timestamp) -> Result<usize, ImportError> {
    let people = parse_people(input, now)?;
    let pns: Vec<&PrisonNumber> = people.iter().map(|(_, p)| &p.prison_number).collect();
    let existing = db.existing_people(&pns).await?;
    let errors: Vec<RowError> = people
        .iter()
        .filter(|(_, p)| existing.contains(&p.prison_number))
        .map(|(line, p)| RowError {
            line: *line,
            column: Some("prison_number"),
            reason: format!("{} is already on record", p.prison_number),
        })
        .collect();
    rejected_if_any(errors)?;
    let people: Vec<Person> = people.into_iter().map(|(_, p)| p).collect();
    let mut tx = db.begin_write().await?;
    tx.insert_people(&people).await?;
    tx.commit().await?;
    Ok(people.len())
}

fn parse_event_row(line: u64, f: &[String], now: Timestamp, errors: &mut Vec<RowError>) -> Option<Event> {
    let mut c = RowCheck { line, errors };
    let id = c.field("event_id", EventId::parse(&f[0]));
    let person = c.field("prison_number", PrisonNumber::parse(&f[1]));
    let kind = match EventKind::parse(&f[2], &f[8]) {
        Ok(k) => Some(k),
        Err(e @ throughcare_core::event::EventError::UnknownKind(_)) => c.field::<EventKind, _>("kind", Err(e)),
        Err(e) => c.field::<EventKind, _>("details", Err(e)),
    };
    let occurred_at = c.field("occurred_at", parse_instant(&f[3]));
    let recorded_at = c.field("recorded_at", parse_instant(&f[4]));
    let recorded_by = c.field("recorded_by", StaffRef::parse(&f[5]));
    let correction = match (optional(&f[6]), optional(&f[7])) {
        (None, None) => Some(None),
        (Some(s), Some(reason)) => c
            .field("supersedes", EventId::parse(s))
            .map(|supersedes| Some(Correction { supersedes, reason: reason.to_string() })),
        (Some(_), None) => c.field("correction_reason", Err("a correction needs a reason")),
        (None, Some(_)) => c.field("supersedes", Err("a correction reason needs the event it supersedes")),
    };
    let event = Event {
        id: id?,
        person: person?,
        occurred_at: occurred_at?,
        recorded_at: recorded_at?,
        recorded_by: recorded_by?,
        correction: correction?,
        kind: kind?,
    };
    if let Err((column, rule)) = event.check_times(now) {
        c.row(Some(column), rule.to_string());
        return None;
    }
    match event.check() {
        Ok(()) => Some(event),
        Err(reason) => {
            c.row(None, reason);
            None
        }
    }
}

/// Parses and checks an events file against itself, the database and the application's clock
/// (`now`), and returns the events to append.
pub async fn check_events(
    db: &Db,
    input: impl Read,
    now: Timestamp,
    engine: &Engine,
) -> Result<Vec<Event>, ImportError> {
    let Rows { rows, mut errors } = read_rows(input, &EVENTS_COLUMNS);
    let mut events: Vec<(u64, Event)> = Vec::with_capacity(rows.len());
    for (line, f) in &rows {
        if let Some(mut e) = parse_event_row(*line, f, now, &mut errors) {
            // A screening's result is computed from its answers, never taken from the file.
            match engine.instruments.complete(e.kind) {
                Ok(kind) => {
                    e.kind = kind;
                    events.push((*line, e));
                }
                Err(reason) => errors.push(RowError { line: *line, column: Some("details"), reason }),
            }
        }
    }
    drop(rows);

    // Within the file: each id once; each event superseded at most once.
    let mut seen_ids = HashMap::with_capacity(events.len());
    let mut seen_supersedes = HashMap::new();
    for (line, e) in &events {
        if let Some(first) = first_seen(&mut seen_ids, e.id, *line) {
            errors.push(RowError {
                line: *line,
                column: Some("event_id"),
                reason: format!("duplicate event: {} is also on line {first}", e.id),
            });
        }
        if let Some(c) = &e.correction {
            if let Some(first) = first_seen(&mut seen_supersedes, c.supersedes, *line) {
                errors.push(RowError {
                    line: *line,
                    column: Some("supersedes"),
                    reason: format!("event {} is already superseded on line {first}", c.supersedes),
                });
            }
        }
    }

    // Against the database: people and establishments exist; ids are new; links resolve.
    let pns: Vec<&PrisonNumber> = {
        let set: HashSet<&PrisonNumber> = events.iter().map(|(_, e)| &e.person).collect();
        set.into_iter().collect()
    };
    let people = db.existing_people(&pns).await?;
    let establishments: HashSet<EstablishmentCode> = db.establishments().await?.into_iter().map(|e| e.code).collect();
    let ids: Vec<EventId> = events.iter().map(|(_, e)| e.id).collect();
    let already = db.event_summaries(&ids).await?;
    let in_file: HashMap<EventId, EventSummary> = events.iter().map(|(_, e)| (e.id, e.summary())).collect();
    let linked: Vec<EventId> = events
        .iter()
        .flat_map(|(_, e)| {
            e.kind.answers().map(|(id, _)| id).into_iter().chain(e.correction.as_ref().map(|c| c.supersedes))
        })
        .filter(|id| !in_file.contains_key(id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let on_record = db.event_summaries(&linked).await?;

    for (line, e) in &events {
        let line = *line;
        if !people.contains(&e.person) {
            errors.push(RowError {
                line,
                column: Some("prison_number"),
                reason: format!("unknown prison number {}: import the person first", e.person),
            });
        }
        for code in e.kind.establishments() {
            if !establishments.contains(code) {
                errors.push(RowError {
                    line,
                    column: Some("details"),
                    reason: format!("unknown establishment {code}"),
                });
            }
        }
        if already.contains_key(&e.id) {
            errors.push(RowError {
                line,
                column: Some("event_id"),
                reason: format!("duplicate event: {} is already on record", e.id),
            });
        }
        if let Some(c) = &e.correction {
            if on_record.get(&c.supersedes).is_some_and(|(_, superseded)| *superseded) {
                errors.push(RowError {
                    line,
                    column: Some("supersedes"),
                    reason: format!("event {} is already superseded", c.supersedes),
                });
            }
        }
        // What is on record wins over a row that reuses its id (that row is already an error).
        let lookup = |id: EventId| {
            already
                .get(&id)
                .or_else(|| on_record.get(&id))
                .map(|(s, _)| s.clone())
                .or_else(|| in_file.get(&id).cloned())
        };
        if let Err(reason) = e.check_links(lookup) {
            let column = if reason.contains("supersedes") { "supersedes" } else { "details" };
            errors.push(RowError { line, column: Some(column), reason });
        }
    }
    rejected_if_any(errors)?;
    let mut errors = Vec::new();

    // Pathway steps in order (a referral accepted twice, a transfer before any assessment), for
    // the people whose file rows take a step: their timeline on record plus the file, in time order.
    let mut stepping: HashMap<&PrisonNumber, Vec<u64>> = HashMap::new();
    for (line, e) in &events {
        if e.kind.answers().is_some() {
            stepping.entry(&e.person).or_default().push(*line);
        }
    }
    let lines: HashMap<EventId, u64> = events.iter().map(|(l, e)| (e.id, *l)).collect();
    for (pn, _) in stepping {
        let mut all: Vec<Event> = db.timeline(pn).await?.all().to_vec();
        all.extend(events.iter().filter(|(_, e)| &e.person == pn).map(|(_, e)| e.clone()));
        let timeline = throughcare_core::timeline::Timeline::new(all);
        let ordered = timeline.all();
        for (i, e) in ordered.iter().enumerate() {
            let Some(line) = lines.get(&e.id) else { continue };
            if e.kind.answers().is_none() {
                continue;
            }
            let before = throughcare_core::timeline::Timeline::new(ordered[..i].to_vec());
            if let Err(reason) = throughcare_core::pathways::check_step(&before, e) {
                errors.push(RowError { line: *line, column: Some("kind"), reason });
            }
        }
    }
    rejected_if_any(errors)?;
    Ok(events.into_iter().map(|(_, e)| e).collect())
}

/// Appends a checked events file; with `maintain`, the obligations of everyone it touches are
/// recomputed in the same transaction, so worklists never lag behind the timeline. Recurring
/// obligations are rolled forward to `now` and no further: no event can be later than it.
pub async fn import_events(
    db: &Db,
    input: impl Read,
    now: Timestamp,
    engine: &Engine,
    maintain: bool,
) -> Result<usize, ImportError> {
    let events = check_events(db, input, now, engine).await?;
    let mut tx = db.begin_write().await?;
    tx.append_events(&events).await?;
    if maintain {
        tx.refresh_obligations(&people_of(&events), engine, now).await?;
    }
    tx.commit().await?;
    Ok(events.len())
}

pub async fn export_establishments(db: &Db, out: impl Write) -> Result<usize, ImportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(ESTABLISHMENT_COLUMNS).map_err(csv_io)?;
    let list = db.establishments().await?;
    for e in &list {
        w.write_record([e.code.as_str(), e.name.as_str(), e.population.code()]).map_err(csv_io)?;
    }
    w.flush()?;
    Ok(list.len())
}

fn csv_io(e: csv::Error) -> ImportError {
    ImportError::Io(std::io::Error::other(e))
}

pub async fn export_people(db: &Db, out: impl Write) -> Result<usize, ImportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PEOPLE_COLUMNS).map_err(csv_io)?;
    let mut n = 0;
    on_db!(
        db,
        read | p
            | {
                let mut rows = sqlx::query_as::<_, PersonRow>(
            "SELECT prison_number, given_name, family_name, date_of_birth, nhs_number FROM people ORDER BY prison_number",
        )
        .fetch(p);
                while let Some((pn, given, family, dob, nhs)) = rows.try_next().await.map_err(StoreError::from)? {
                    w.write_record([&pn, &given, &family, &dob, nhs.as_deref().unwrap_or("")]).map_err(csv_io)?;
                    n += 1;
                }
            }
    );
    w.flush()?;
    Ok(n)
}

pub async fn export_events(db: &Db, out: impl Write) -> Result<usize, ImportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EVENTS_COLUMNS).map_err(csv_io)?;
    let mut n = 0;
    on_db!(
        db,
        read | p | {
            let mut rows = sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM events ORDER BY prison_number, occurred_at, recorded_at, id"
            )))
            .fetch(p);
            while let Some((id, pn, kind, occurred, recorded, by, supersedes, reason, details)) =
                rows.try_next().await.map_err(StoreError::from)?
            {
                let occurred = from_micros(occurred).map_err(StoreError::Corrupt)?;
                let recorded = from_micros(recorded).map_err(StoreError::Corrupt)?;
                w.write_record([
                    id.as_str(),
                    &pn,
                    &kind,
                    &format_instant(occurred),
                    &format_instant(recorded),
                    &by,
                    supersedes.as_deref().unwrap_or(""),
                    reason.as_deref().unwrap_or(""),
                    &details,
                ])
                .map_err(csv_io)?;
                n += 1;
            }
        }
    );
    w.flush()?;
    Ok(n)
}
