//! A person's record leaving for another estate and arriving from one: throughcare's own file,
//! or a FHIR bundle read into events; each import is all-or-nothing.

use std::collections::HashMap;

use jiff::Timestamp;
use throughcare_core::transfer::{Problem, TransferRecord, fhir, identity_conflicts};
use throughcare_core::{Event, EventId, PrisonNumber, StaffRef};

use crate::db::{Db, StoreError};
use crate::obligations::Engine;

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{} problem(s) found; nothing was imported:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Rejected(Vec<Problem>),
    #[error("{0} is not on record")]
    NotFound(PrisonNumber),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub prison_number: PrisonNumber,
    pub new_person: bool,
    pub events_added: usize,
    /// Events already on record, identical: a record imported twice adds nothing.
    pub events_known: usize,
}

/// The whole record of one person: everything on their timeline and the establishments it names.
pub async fn export_record(db: &Db, pn: &PrisonNumber, now: Timestamp) -> Result<TransferRecord, TransferError> {
    let person = db.person(pn).await?.ok_or_else(|| TransferError::NotFound(pn.clone()))?;
    let timeline = db.timeline(pn).await?;
    let events = timeline.all().to_vec();
    let named: std::collections::HashSet<_> = events.iter().flat_map(|e| e.kind.establishments()).cloned().collect();
    let establishments = db.establishments().await?.into_iter().filter(|e| named.contains(&e.code)).collect();
    Ok(TransferRecord { exported_at: now, person, establishments, events })
}

/// The FHIR bundle of one person as their record stands.
pub async fn export_fhir(db: &Db, pn: &PrisonNumber, now: Timestamp) -> Result<serde_json::Value, TransferError> {
    let person = db.person(pn).await?.ok_or_else(|| TransferError::NotFound(pn.clone()))?;
    Ok(fhir::export(&person, &db.timeline(pn).await?, now))
}

/// Imports a record whole or not at all. The person is created, or matched to the one on record
/// with the same prison number (a different name, date of birth or NHS number is refused);
/// events already on record must be identical; links and pathway steps are checked against the
/// timeline they join; establishments it names are added where missing.
pub async fn import_record(
    db: &Db,
    record: &TransferRecord,
    engine: &Engine,
    now: Timestamp,
    by: &str,
    paths: Paths,
) -> Result<Imported, TransferError> {
    let mut problems = Vec::new();
    let pn = &record.person.prison_number;
    let existing = db.person(pn).await?;
    if let Some(ours) = &existing {
        problems.extend(identity_conflicts(ours, &record.person, paths.person));
    }
    if let Some(nhs) = &record.person.nhs_number {
        if let Some(other) = db.person_by_nhs_number(nhs).await?.filter(|o| &o.prison_number != pn) {
            problems.push(Problem::new(
                format!("{}.nhs_number", paths.person),
                format!("NHS number {nhs} is already on record for {}", other.prison_number),
            ));
        }
    }
    for (i, e) in record.events.iter().enumerate() {
        if e.recorded_at > now || e.occurred_at > now {
            problems.push(Problem::new(paths.event(i, "occurred_at"), "is later than now"));
        }
        if let Err(reason) = engine.instruments.check_result(&e.kind) {
            problems.push(Problem::new(paths.event(i, "details"), reason));
        }
    }
    let ids: Vec<EventId> = record.events.iter().map(|e| e.id).collect();
    let on_record = db.event_summaries(&ids).await?;
    let timeline = db.timeline(pn).await?;
    let ours: HashMap<EventId, &Event> = timeline.all().iter().map(|e| (e.id, e)).collect();
    let mut new_events: Vec<(usize, &Event)> = Vec::new();
    let mut known = 0;
    for (i, e) in record.events.iter().enumerate() {
        match (ours.get(&e.id), on_record.get(&e.id)) {
            (Some(o), _) if same(o, e) => known += 1,
            (Some(_), _) => problems.push(Problem::new(
                paths.event(i, "id"),
                format!("{} is already on record with different details", e.id),
            )),
            (None, Some((s, _))) => problems
                .push(Problem::new(paths.event(i, "id"), format!("{} is already on record for {}", e.id, s.person))),
            (None, None) => new_events.push((i, e)),
        }
    }
    // Links resolve within the person's timeline as it will be; pathway steps keep their order.
    let mut all: Vec<Event> = timeline.all().to_vec();
    all.extend(new_events.iter().map(|(_, e)| (*e).clone()));
    let summaries: HashMap<EventId, throughcare_core::event::EventSummary> =
        all.iter().map(|e| (e.id, e.summary())).collect();
    let index: HashMap<EventId, usize> = new_events.iter().map(|(i, e)| (e.id, *i)).collect();
    for (i, e) in &new_events {
        if let Err(reason) = e.check_links(|id| summaries.get(&id).cloned()) {
            problems.push(Problem::new(paths.event(*i, "details"), reason));
        }
    }
    let joined = throughcare_core::timeline::Timeline::new(all);
    let ordered = joined.all();
    for (k, e) in ordered.iter().enumerate() {
        let Some(i) = index.get(&e.id) else { continue };
        if e.kind.answers().is_none() {
            continue;
        }
        let before = throughcare_core::timeline::Timeline::new(ordered[..k].to_vec());
        if let Err(reason) = throughcare_core::pathways::check_step(&before, e) {
            problems.push(Problem::new(paths.event(*i, "kind"), reason));
        }
    }
    let known_establishments: Vec<_> = db.establishments().await?.into_iter().map(|e| e.code).collect();
    let missing: Vec<_> =
        record.establishments.iter().filter(|e| !known_establishments.contains(&e.code)).cloned().collect();
    for (i, e) in &new_events {
        for code in e.kind.establishments() {
            if !known_establishments.contains(code) && !missing.iter().any(|m| &m.code == code) {
                problems.push(Problem::new(
                    paths.event(*i, "details"),
                    format!("names establishment {code}, which is not on record"),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(TransferError::Rejected(problems));
    }
    let events: Vec<Event> = new_events.iter().map(|(_, e)| (*e).clone()).collect();
    let mut tx = db.begin_write().await?;
    if !missing.is_empty() {
        tx.insert_establishments(&missing).await?;
    }
    if existing.is_none() {
        tx.insert_people(std::slice::from_ref(&record.person)).await?;
    }
    tx.append_events(&events).await?;
    tx.refresh_obligations(&[pn], engine, now).await?;
    let detail = format!("transfer record imported; {} events added, {known} already on record", events.len());
    tx.audit(now, by, "transfer-imported", Some(pn.as_str()), &detail).await?;
    tx.commit().await?;
    Ok(Imported {
        prison_number: pn.clone(),
        new_person: existing.is_none(),
        events_added: events.len(),
        events_known: known,
    })
}

/// Imports a FHIR bundle: read into events (recorded now, by whoever imports it), then as a record.
pub async fn import_fhir(
    db: &Db,
    bundle: &serde_json::Value,
    engine: &Engine,
    now: Timestamp,
    by: &str,
) -> Result<Imported, TransferError> {
    let read = fhir::import(bundle, &engine.instruments).map_err(TransferError::Rejected)?;
    let recorded_by =
        StaffRef::parse(by).map_err(|e| TransferError::Rejected(vec![Problem::new("importer", e.to_string())]))?;
    let events = read
        .events
        .into_iter()
        .map(|(id, occurred_at, kind)| Event {
            id,
            person: read.person.prison_number.clone(),
            occurred_at,
            recorded_at: now,
            recorded_by: recorded_by.clone(),
            correction: None,
            kind,
        })
        .collect();
    let record = TransferRecord { exported_at: now, person: read.person, establishments: vec![], events };
    import_record(db, &record, engine, now, by, Paths::FHIR).await
}

/// How problems found against the database name their place: in the file's own terms.
#[derive(Debug, Clone, Copy)]
pub struct Paths {
    person: &'static str,
    events: &'static str,
}

impl Paths {
    pub const RECORD: Self = Self { person: "person", events: "events" };
    /// A bundle's resources become events; problems name the event, as the bundle gave no path.
    pub const FHIR: Self = Self { person: "Bundle.entry(Patient)", events: "event" };

    fn event(&self, i: usize, field: &str) -> String {
        format!("{}[{i}].{field}", self.events)
    }
}

/// Two copies of one event are the same if everything but when it was written down agrees.
fn same(a: &Event, b: &Event) -> bool {
    a.person == b.person && a.occurred_at == b.occurred_at && a.kind == b.kind && a.correction == b.correction
}
