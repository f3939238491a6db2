//! Staff availability (annual leave, long-term absence) and training records: what key worker
//! allocation and the share of key workers trained read.

use jiff::Timestamp;
use jiff::civil::Date;
use throughcare_core::codes::CodeSet;
use throughcare_core::pathways::key_work::{AbsenceKind, TrainingTopic};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::{EstablishmentCode, StaffRef};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// A period a member of staff is away; `ends_on` None is until further notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub id: i64,
    pub staff: StaffRef,
    pub establishment: EstablishmentCode,
    pub kind: AbsenceKind,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl Absence {
    pub fn covers(&self, day: Date) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|e| day <= e)
    }
}

/// A training session and who attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingSession {
    pub id: i64,
    pub establishment: EstablishmentCode,
    pub topic: TrainingTopic,
    pub title: String,
    pub held_on: Date,
    pub coproduced: bool,
    pub lived_experience: bool,
    pub attended: Vec<StaffRef>,
    pub recorded_at: Timestamp,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(|e| corrupt("date", e))
}

type AbsenceRow = (i64, String, String, String, String, Option<String>);
type SessionRow = (i64, String, String, String, String, bool, bool, i64);

impl WriteTx {
    pub async fn insert_absence(&mut self, a: &Absence, by: &StaffRef, at: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query(
                "INSERT INTO staff_absences (staff, establishment, kind, starts_on, ends_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.staff.as_str())
            .bind(a.establishment.as_str())
            .bind(a.kind.code())
            .bind(a.starts_on.to_string())
            .bind(a.ends_on.map(|d| d.to_string()))
            .bind(by.as_str())
            .bind(to_micros(at))
            .execute(&mut **t)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Records a session and its attendance together: all of it or none.
    pub async fn insert_training(&mut self, s: &TrainingSession, by: &StaffRef) -> Result<i64, StoreError> {
        let (id,): (i64,) = on_tx!(self, |t| {
            sqlx::query_as(
                "INSERT INTO training_sessions (establishment, topic, title, held_on, coproduced, lived_experience, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(s.establishment.as_str())
            .bind(s.topic.code())
            .bind(&s.title)
            .bind(s.held_on.to_string())
            .bind(s.coproduced)
            .bind(s.lived_experience)
            .bind(by.as_str())
            .bind(to_micros(s.recorded_at))
            .fetch_one(&mut **t)
            .await?
        });
        for who in &s.attended {
            on_tx!(self, |t| {
                sqlx::query("INSERT INTO training_attendance (session_id, staff) VALUES ($1, $2)")
                    .bind(id)
                    .bind(who.as_str())
                    .execute(&mut **t)
                    .await?
                    .rows_affected()
            });
        }
        Ok(id)
    }
}

impl Db {
    /// Absences at an establishment that have not ended before `from`, soonest first.
    pub async fn absences(&self, establishment: &EstablishmentCode, from: Date) -> Result<Vec<Absence>, StoreError> {
        let rows: Vec<AbsenceRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT id, staff, establishment, kind, starts_on, ends_on FROM staff_absences \
                     WHERE establishment = $1 AND (ends_on IS NULL OR ends_on >= $2) ORDER BY starts_on, staff, id",
                )
                .bind(establishment.as_str())
                .bind(from.to_string())
                .fetch_all(p)
                .await?
        );
        rows.into_iter()
            .map(|(id, staff, est, kind, starts, ends)| {
                Ok(Absence {
                    id,
                    staff: StaffRef::parse(&staff).map_err(|e| corrupt("absence staff", e))?,
                    establishment: EstablishmentCode::parse(&est).map_err(|e| corrupt("absence establishment", e))?,
                    kind: AbsenceKind::parse_code(&kind).map_err(|e| corrupt("absence kind", e))?,
                    starts_on: date(&starts)?,
                    ends_on: ends.as_deref().map(date).transpose()?,
                })
            })
            .collect()
    }

    /// Training sessions at an establishment, most recent first, each with who attended.
    pub async fn training(&self, establishment: &EstablishmentCode) -> Result<Vec<TrainingSession>, StoreError> {
        let rows: Vec<SessionRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT id, establishment, topic, title, held_on, coproduced, lived_experience, recorded_at \
                     FROM training_sessions WHERE establishment = $1 ORDER BY held_on DESC, id DESC",
                )
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        );
        let attendance: Vec<(i64, String)> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT a.session_id, a.staff FROM training_attendance a \
                     JOIN training_sessions s ON s.id = a.session_id WHERE s.establishment = $1 ORDER BY a.staff",
                )
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        );
        rows.into_iter()
            .map(|(id, est, topic, title, held, coproduced, lived, at)| {
                Ok(TrainingSession {
                    id,
                    establishment: EstablishmentCode::parse(&est).map_err(|e| corrupt("training establishment", e))?,
                    topic: TrainingTopic::parse_code(&topic).map_err(|e| corrupt("training topic", e))?,
                    title,
                    held_on: date(&held)?,
                    coproduced,
                    lived_experience: lived,
                    attended: attendance
                        .iter()
                        .filter(|(s, _)| *s == id)
                        .map(|(_, who)| StaffRef::parse(who).map_err(|e| corrupt("attendee", e)))
                        .collect::<Result<_, _>>()?,
                    recorded_at: from_micros(at).map_err(StoreError::Corrupt)?,
                })
            })
            .collect()
    }
}
