//! An establishment's own record (equality team, forums, festivals, directory, regime, scrutiny),
//! appended in order and checked against what is there; and drafts of forms not yet complete.

use jiff::Timestamp;
use throughcare_core::establishment::{EstablishmentEvent, Kind, Register};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::{EstablishmentCode, EventId, PrisonNumber, StaffRef};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// A form saved before it was complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: EventId,
    pub form: String,
    pub owner: String,
    pub person: PrisonNumber,
    /// The fields as typed, as (name, value) pairs.
    pub fields: Vec<(String, String)>,
    pub saved_at: Timestamp,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

type EventRow = (String, String, String, String, i64, String);
type DraftRow = (String, String, String, String, String, i64);

fn event_of((id, est, kind, details, at, by): EventRow) -> Result<EstablishmentEvent, StoreError> {
    Ok(EstablishmentEvent {
        id: EventId::parse(&id).map_err(|e| corrupt("establishment event id", e))?,
        establishment: EstablishmentCode::parse(&est).map_err(|e| corrupt("establishment", e))?,
        recorded_at: from_micros(at).map_err(StoreError::Corrupt)?,
        recorded_by: StaffRef::parse(&by).map_err(|e| corrupt("recorded_by", e))?,
        kind: Kind::parse(&kind, &details).map_err(|e| corrupt(&format!("establishment event {id}"), e))?,
    })
}

fn draft_of((id, form, owner, pn, fields, at): DraftRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: EventId::parse(&id).map_err(|e| corrupt("draft id", e))?,
        form,
        owner,
        person: PrisonNumber::parse(&pn).map_err(|e| corrupt("draft person", e))?,
        fields: serde_json::from_str(&fields).map_err(|e| corrupt("draft fields", e))?,
        saved_at: from_micros(at).map_err(StoreError::Corrupt)?,
    })
}

impl WriteTx {
    async fn establishment_events_tx(
        &mut self,
        code: &EstablishmentCode,
    ) -> Result<Vec<EstablishmentEvent>, StoreError> {
        let rows: Vec<EventRow> = on_tx!(self, |t| {
            sqlx::query_as(
                "SELECT id, establishment, kind, details, recorded_at, recorded_by FROM establishment_events \
                 WHERE establishment = $1 ORDER BY seq, id",
            )
            .bind(code.as_str())
            .fetch_all(&mut **t)
            .await?
        });
        rows.into_iter().map(event_of).collect()
    }

    /// Appends an entry if it may follow the record as it stands (checked inside the same write
    /// transaction, so two people recording at once cannot both draw a quarter's sample). The
    /// `Err(Ok(reason))` is the rule it breaks.
    pub async fn append_establishment_event(
        &mut self,
        e: &EstablishmentEvent,
    ) -> Result<Result<(), String>, StoreError> {
        let before = self.establishment_events_tx(&e.establishment).await?;
        if let Err(reason) = Register::new(&before).check_step(&e.kind) {
            return Ok(Err(reason));
        }
        let seq = before.len() as i64 + 1;
        on_tx!(self, |t| {
            sqlx::query(
                "INSERT INTO establishment_events (id, establishment, kind, details, recorded_at, recorded_by, seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(e.id.to_string())
            .bind(e.establishment.as_str())
            .bind(e.kind.name())
            .bind(e.kind.details_json())
            .bind(to_micros(e.recorded_at))
            .bind(e.recorded_by.as_str())
            .bind(seq)
            .execute(&mut **t)
            .await?
            .rows_affected()
        });
        Ok(Ok(()))
    }

    /// Saves a draft, replacing the owner's earlier save of the same draft.
    pub async fn save_draft(&mut self, d: &Draft) -> Result<(), StoreError> {
        let fields = serde_json::to_string(&d.fields).map_err(|e| corrupt("draft fields", e))?;
        on_tx!(self, |t| {
            sqlx::query("DELETE FROM drafts WHERE id = $1 AND owner = $2")
                .bind(d.id.to_string())
                .bind(&d.owner)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        on_tx!(self, |t| {
            sqlx::query(
                "INSERT INTO drafts (id, form, owner, prison_number, fields, saved_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(d.id.to_string())
            .bind(&d.form)
            .bind(&d.owner)
            .bind(d.person.as_str())
            .bind(fields)
            .bind(to_micros(d.saved_at))
            .execute(&mut **t)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_draft(&mut self, id: &EventId, owner: &str) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("DELETE FROM drafts WHERE id = $1 AND owner = $2")
                .bind(id.to_string())
                .bind(owner)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}

impl Db {
    /// An establishment's record, in the order it was written.
    pub async fn establishment_events(&self, code: &EstablishmentCode) -> Result<Vec<EstablishmentEvent>, StoreError> {
        let rows: Vec<EventRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT id, establishment, kind, details, recorded_at, recorded_by FROM establishment_events \
                     WHERE establishment = $1 ORDER BY seq, id",
                )
                .bind(code.as_str())
                .fetch_all(p)
                .await?
        );
        rows.into_iter().map(event_of).collect()
    }

    /// Every complaint raised at an establishment whose answer has gone to the person, with when
    /// it went, including those of people since released or moved.
    pub async fn answered_complaints(
        &self,
        code: &EstablishmentCode,
    ) -> Result<Vec<(throughcare_core::pathways::discrimination::Complaint, Timestamp)>, StoreError> {
        use throughcare_core::pathways::discrimination::{RAISED, STEPS, answered_at};
        Ok(self.cases_anywhere(RAISED, STEPS).await?.iter().flat_map(|(_, t)| answered_at(t, code)).collect())
    }

    pub async fn register(&self, code: &EstablishmentCode) -> Result<Register, StoreError> {
        Ok(Register::new(&self.establishment_events(code).await?))
    }

    /// Appends one entry in its own transaction; `Ok(Err(reason))` when a rule refuses it.
    pub async fn record_establishment_event(&self, e: &EstablishmentEvent) -> Result<Result<(), String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = tx.append_establishment_event(e).await?;
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// A member of staff's drafts of a form, newest first.
    pub async fn drafts(&self, owner: &str, form: &str) -> Result<Vec<Draft>, StoreError> {
        let rows: Vec<DraftRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT id, form, owner, prison_number, fields, saved_at FROM drafts \
                     WHERE owner = $1 AND form = $2 ORDER BY saved_at DESC, id",
                )
                .bind(owner)
                .bind(form)
                .fetch_all(p)
                .await?
        );
        rows.into_iter().map(draft_of).collect()
    }

    pub async fn draft(&self, id: &EventId, owner: &str) -> Result<Option<Draft>, StoreError> {
        let row: Option<DraftRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT id, form, owner, prison_number, fields, saved_at FROM drafts WHERE id = $1 AND owner = $2",
                )
                .bind(id.to_string())
                .bind(owner)
                .fetch_optional(p)
                .await?
        );
        row.map(draft_of).transpose()
    }
}
