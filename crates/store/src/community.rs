//! Records from community services (people known to community mental-health teams) matched to
//! people in custody: anyone known to services whose reception screen found no mental-health
//! need is flagged, and the standards engine asks healthcare to screen them again.

use std::io::Read;

use jiff::Timestamp;
use throughcare_core::pathways::missed_need::screened_without_need;
use throughcare_core::time::parse_date;
use throughcare_core::{Event, EventId, EventKind, NhsNumber, PrisonNumber, StaffRef};

use crate::db::Db;
use crate::exchange::{ImportError, RowError, read_rows, rejected_if_any};
use crate::obligations::Engine;

pub const COLUMNS: [&str; 4] = ["nhs_number", "service", "known_from", "known_until"];

/// What matching a file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matched {
    pub rows: usize,
    /// People in custody the file names (each once, however many rows name them).
    pub in_custody: Vec<PrisonNumber>,
    /// Of those, people whose reception screen found no mental-health need: a re-screen is due.
    pub flagged: Vec<PrisonNumber>,
    /// Matches already recorded from an earlier file.
    pub already: usize,
}

struct Row {
    nhs: NhsNumber,
    service: String,
    from: jiff::civil::Date,
    until: Option<jiff::civil::Date>,
}

/// Reads the file whole (every bad row and column named, nothing recorded if any), then records
/// a match on the timeline of each person in custody it names.
pub async fn import(
    db: &Db,
    input: impl Read,
    engine: &Engine,
    now: Timestamp,
    by: &str,
) -> Result<Matched, ImportError> {
    let parsed = read_rows(input, &COLUMNS);
    let mut errors = parsed.errors;
    let today = throughcare_core::time::date_in_england(now);
    let mut rows = Vec::new();
    for (line, f) in &parsed.rows {
        let line = *line;
        let mut bad =
            |column: &'static str, reason: String| errors.push(RowError { line, column: Some(column), reason });
        let nhs = NhsNumber::parse(&f[0]).map_err(|e| bad("nhs_number", e.to_string())).ok();
        let service = f[1].trim();
        if service.is_empty() || service.chars().count() > 120 || service.chars().any(char::is_control) {
            bad("service", "name the service in 1-120 characters".into());
        }
        let from = parse_date(f[2].trim()).map_err(|e| bad("known_from", e)).ok();
        let until = match f[3].trim() {
            "" => Ok(None),
            d => parse_date(d).map(Some).map_err(|e| bad("known_until", e)),
        };
        if let Some(from) = from.filter(|d| *d > today) {
            bad("known_from", format!("{from} is in the future"));
        }
        if let (Some(from), Ok(Some(until))) = (from, &until) {
            if *until < from {
                bad("known_until", "is before known_from".into());
            }
        }
        if let (Some(nhs), Some(from), Ok(until)) = (nhs, from, until) {
            if !service.is_empty() {
                rows.push(Row { nhs, service: service.to_string(), from, until });
            }
        }
    }
    rejected_if_any(errors)?;
    let by = StaffRef::parse(by)
        .map_err(|e| ImportError::Rejected(vec![RowError { line: 1, column: None, reason: e.to_string() }]))?;
    let mut out = Matched { rows: rows.len(), ..Matched::default() };
    let mut events = Vec::new();
    for row in &rows {
        let Some(person) = db.person_by_nhs_number(&row.nhs).await? else { continue };
        let pn = person.prison_number;
        let timeline = db.timeline(&pn).await?;
        if !timeline.state_at(now).in_custody() {
            continue;
        }
        // The same service and start, matched before, is not matched again.
        let seen = timeline.live().any(|e| {
            matches!(&e.kind, EventKind::CommunityRecordMatched { service, known_from, .. } if *service == row.service && *known_from == row.from)
        }) || events.iter().any(|e: &Event| e.person == pn && matches!(&e.kind, EventKind::CommunityRecordMatched { service, known_from, .. } if *service == row.service && *known_from == row.from));
        if seen {
            out.already += 1;
            continue;
        }
        let missed = screened_without_need(&timeline, now);
        if !out.in_custody.contains(&pn) {
            out.in_custody.push(pn.clone());
        }
        if missed && !out.flagged.contains(&pn) {
            out.flagged.push(pn.clone());
        }
        events.push(Event {
            // Named by what it records, so the same match can never be recorded twice.
            id: EventId::named(&format!("community-record/{pn}/{}/{}", row.service, row.from)),
            person: pn,
            occurred_at: now,
            recorded_at: now,
            recorded_by: by.clone(),
            correction: None,
            kind: EventKind::CommunityRecordMatched {
                service: row.service.clone(),
                known_from: row.from,
                known_until: row.until,
                missed,
            },
        });
    }
    let people: Vec<&PrisonNumber> = out.in_custody.iter().collect();
    let mut tx = db.begin_write().await?;
    tx.append_events(&events).await?;
    tx.refresh_obligations(&people, engine, now).await?;
    let detail = format!(
        "community records: {} rows, {} in custody, {} flagged",
        out.rows,
        out.in_custody.len(),
        out.flagged.len()
    );
    tx.audit(now, by.as_str(), "community-records-imported", None, &detail).await?;
    tx.commit().await?;
    Ok(out)
}
