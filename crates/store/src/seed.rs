//! Writes a synthetic estate into the database in one transaction, generating while it writes.

use std::sync::mpsc;

use throughcare_core::synthetic::Estate;
use throughcare_core::{Event, Person};

use crate::db::{Db, StoreError};
use crate::repo::Table;

/// People per chunk handed from the generating thread to the writer.
const CHUNK: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub establishments: usize,
    pub people: usize,
    pub events: usize,
}

/// Seeds an empty database. All or nothing: if anything fails, nothing is left behind.
pub async fn seed(db: &Db, estate: Estate, mut progress: impl FnMut(usize)) -> Result<Seeded, StoreError> {
    if db.count(Table::People).await? > 0 || db.count(Table::Establishments).await? > 0 {
        return Err(StoreError::NotEmpty);
    }
    let mut tx = db.begin_write().await?;
    tx.insert_establishments(estate.establishments()).await?;
    let establishments = estate.establishments().len();
    let total = estate.people_count();
    let (send, receive) = mpsc::sync_channel::<(Vec<Person>, Vec<Event>)>(4);
    // Generation is CPU work on its own thread; the writer awaits the database meanwhile.
    let generator = std::thread::spawn(move || {
        for start in (0..total).step_by(CHUNK) {
            let mut people = Vec::with_capacity(CHUNK);
            let mut events = Vec::new();
            for i in start..(start + CHUNK).min(total) {
                let (p, e) = estate.person(i);
                people.push(p);
                events.extend(e);
            }
            if send.send((people, events)).is_err() {
                return;
            }
        }
    });
    let (mut people, mut events) = (0, 0);
    loop {
        let next = tokio::task::block_in_place(|| receive.recv());
        let Ok((p, e)) = next else { break };
        tx.insert_people(&p).await?;
        tx.append_events(&e).await?;
        people += p.len();
        events += e.len();
        progress(people);
    }
    generator.join().map_err(|_| StoreError::Corrupt("the estate generator panicked".into()))?;
    tx.commit().await?;
    Ok(Seeded { establishments, people, events })
}
