//! Open ACCT cases kept as the register shows them, replaced with each person's obligations.

use sqlx::QueryBuilder;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::ObservationLevel;
use throughcare_core::pathways::acct::{OpenCase, open_case};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::timeline::Timeline;
use throughcare_core::{EstablishmentCode, EventId, Person, PrisonNumber, StaffRef};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};
use crate::repo::{EVENT_COLUMNS, EventRow, by_person, person_from_row};

/// Marks a database whose open cases have been built from the timelines that were there before
/// the table existed (the migration that added it cannot run Rust).
const BUILT_SETTING: &str = "acct_open_cases_built";

type OpenCaseRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("open ACCT case: {what}: {e}"))
}

fn open_case_from_row(row: OpenCaseRow) -> Result<(Person, OpenCase), StoreError> {
    let (pn, given, family, dob, nhs, acct, opened, manager, day, night, next, gaps, from, allowed) = row;
    let level = |code: Option<String>| {
        code.map(|c| ObservationLevel::parse_code(&c).map_err(|e| corrupt("observation level", e))).transpose()
    };
    let levels = match (level(day)?, level(night)?) {
        (Some(d), Some(n)) => Some((d, n)),
        _ => None,
    };
    let running_from = match (from, allowed) {
        (Some(f), Some(a)) => Some((from_micros(f).map_err(|e| corrupt("running from", e))?, a)),
        _ => None,
    };
    Ok((
        person_from_row((pn, given, family, dob, nhs))?,
        OpenCase {
            id: EventId::parse(&acct).map_err(|e| corrupt("case", e))?,
            opened_at: from_micros(opened).map_err(|e| corrupt("opened", e))?,
            case_manager: manager
                .as_deref()
                .map(StaffRef::parse)
                .transpose()
                .map_err(|e| corrupt("case manager", e))?,
            levels,
            next_review: next.map(|d| d.parse()).transpose().map_err(|e| corrupt("next review", e))?,
            gaps_ended: u32::try_from(gaps).map_err(|e| corrupt("gaps", e))?,
            running_from,
        },
    ))
}

pub(crate) async fn insert_open_cases(tx: &mut WriteTx, open: &[(&PrisonNumber, &OpenCase)]) -> Result<(), StoreError> {
    for chunk in open.chunks(500) {
        on_tx!(tx, |t| {
            let mut q = QueryBuilder::new(
                "INSERT INTO acct_open_cases (prison_number, acct, opened_at, case_manager, observations_day, \
                 observations_night, next_review, gaps_ended, running_from, running_allowed_minutes) ",
            );
            q.push_values(chunk, |mut b, (pn, c)| {
                b.push_bind(pn.as_str().to_string())
                    .push_bind(c.id.to_string())
                    .push_bind(to_micros(c.opened_at))
                    .push_bind(c.case_manager.as_ref().map(|s| s.as_str().to_string()))
                    .push_bind(c.levels.map(|(d, _)| d.code()))
                    .push_bind(c.levels.map(|(_, n)| n.code()))
                    .push_bind(c.next_review.map(|d| d.to_string()))
                    .push_bind(i64::from(c.gaps_ended))
                    .push_bind(c.running_from.map(|(f, _)| to_micros(f)))
                    .push_bind(c.running_from.map(|(_, a)| a));
            });
            q.build().execute(&mut **t).await?;
        });
    }
    Ok(())
}

impl Db {
    /// The open ACCT cases of the people in custody at an establishment, by name: what the
    /// register and the safer custody home page list.
    pub async fn open_accts(&self, establishment: &EstablishmentCode) -> Result<Vec<(Person, OpenCase)>, StoreError> {
        let rows: Vec<OpenCaseRow> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT p.prison_number, p.given_name, p.family_name, p.date_of_birth, p.nhs_number, a.acct, \
                     a.opened_at, a.case_manager, a.observations_day, a.observations_night, a.next_review, \
                     a.gaps_ended, a.running_from, a.running_allowed_minutes \
                     FROM acct_open_cases a JOIN custody c ON c.prison_number = a.prison_number \
                     JOIN people p ON p.prison_number = a.prison_number \
                     WHERE c.establishment = $1 AND c.in_custody \
                     ORDER BY p.family_name, p.given_name, p.prison_number, a.opened_at"
                )
                .bind(establishment.as_str())
                .fetch_all(p)
                .await?
        );
        rows.into_iter().map(open_case_from_row).collect()
    }

    /// Builds the open cases of a database made before they were kept, once: from the timeline of
    /// everyone who has ever had an ACCT opened. New databases find nobody and only set the mark.
    pub(crate) async fn build_open_accts_once(&self) -> Result<(), StoreError> {
        let built: Option<String> = on_db!(
            self,
            read | p
                | sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                    .bind(BUILT_SETTING)
                    .fetch_optional(p)
                    .await?
        );
        if built.is_some() {
            return Ok(());
        }
        // Two processes may open a new database at once: the second finds the mark in its own
        // transaction and leaves the work done.
        let mut tx = self.begin_write().await?;
        let built: Option<String> = on_tx!(&mut tx, |t| {
            sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(BUILT_SETTING)
                .fetch_optional(&mut **t)
                .await?
        });
        if built.is_some() {
            return Ok(());
        }
        let rows: Vec<EventRow> = on_tx!(&mut tx, |t| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE prison_number IN \
                 (SELECT prison_number FROM events WHERE kind = 'acct_opened')"
            )))
            .fetch_all(&mut **t)
            .await?
        });
        let open: Vec<(PrisonNumber, OpenCase)> = by_person(rows)?
            .into_iter()
            .filter_map(|(pn, events)| Some((pn, open_case(&Timeline::new(events))?)))
            .collect();
        on_tx!(&mut tx, |t| {
            sqlx::query("DELETE FROM acct_open_cases").execute(&mut **t).await?;
        });
        insert_open_cases(&mut tx, &open.iter().map(|(p, c)| (p, c)).collect::<Vec<_>>()).await?;
        on_tx!(&mut tx, |t| {
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, '1') ON CONFLICT (name) DO NOTHING")
                .bind(BUILT_SETTING)
                .execute(&mut **t)
                .await?;
        });
        tx.commit().await
    }
}
