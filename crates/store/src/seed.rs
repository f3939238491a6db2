//! Writes a synthetic estate into the database in one transaction, generating while it writes.

use std::collections::HashMap;
use std::sync::{Arc, mpsc};

use throughcare_core::person::Population;
use throughcare_core::synthetic::Estate;
use throughcare_core::timeline::Timeline;
use throughcare_core::{EstablishmentCode, Event, Person};

use crate::db::{Db, StoreError};
use crate::obligations::{Engine, Projection};
use crate::repo::Table;

#[derive(Default)]
struct Chunk {
    people: Vec<Person>,
    events: Vec<Event>,
    projections: Vec<Projection>,
}

/// People per chunk handed from the generating thread to the writer.
const CHUNK: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub establishments: usize,
    pub people: usize,
    pub events: usize,
}

/// Seeds an empty database. All or nothing: if anything fails, nothing is left behind.
/// With an engine, each person's obligations are computed as at the end of the period and stored too.
pub async fn seed(
    db: &Db,
    estate: Estate,
    engine: Option<Arc<Engine>>,
    mut progress: impl FnMut(usize),
) -> Result<Seeded, StoreError> {
    if db.count(Table::People).await? > 0 || db.count(Table::Establishments).await? > 0 {
        return Err(StoreError::NotEmpty);
    }
    let mut tx = db.begin_write().await?;
    tx.insert_establishments(estate.establishments()).await?;
    let establishments = estate.establishments().len();
    let total = estate.people_count();
    let horizon = estate.end();
    let populations: HashMap<EstablishmentCode, Population> =
        estate.establishments().iter().map(|e| (e.code.clone(), e.population)).collect();
    let (send, receive) = mpsc::sync_channel::<Chunk>(4);
    let maintain = engine.clone();
    // Generation (and the engine) is CPU work on its own thread; the writer awaits the database meanwhile.
    let generator = std::thread::spawn(move || {
        for start in (0..total).step_by(CHUNK) {
            let mut chunk = Chunk::default();
            for i in start..(start + CHUNK).min(total) {
                let (p, e) = estate.person(i);
                if let Some(engine) = &maintain {
                    let timeline = Timeline::new(e.clone());
                    chunk.projections.push(engine.compute(&p, &timeline, &populations, horizon));
                }
                chunk.people.push(p);
                chunk.events.extend(e);
            }
            if send.send(chunk).is_err() {
                return;
            }
        }
    });
    let (mut people, mut events) = (0, 0);
    loop {
        let next = tokio::task::block_in_place(|| receive.recv());
        let Ok(Chunk { people: p, events: e, projections }) = next else { break };
        tx.insert_people(&p).await?;
        tx.append_events(&e).await?;
        if let Some(engine) = &engine {
            tx.replace_projections(&projections, engine).await?;
        }
        people += p.len();
        events += e.len();
        progress(people);
    }
    generator.join().map_err(|_| StoreError::Corrupt("the estate generator panicked".into()))?;
    if engine.is_some() {
        tx.set_horizon(horizon).await?;
    }
    tx.commit().await?;
    Ok(Seeded { establishments, people, events })
}
