//! The kiosk's own records: each person's PIN and its throttle, their language and format, and
//! their sessions. Kept apart from staff accounts so neither can stand in for the other.

use jiff::Timestamp;
use throughcare_core::PrisonNumber;
use throughcare_core::time::{from_micros, to_micros};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// A person's kiosk sign-in and the choices they made on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskAccount {
    pub prison_number: PrisonNumber,
    pub pin_hash: String,
    pub failures: u32,
    /// No sign-in is tried before this instant.
    pub wait_until: Timestamp,
    /// `en` or `cy`.
    pub language: String,
    pub easy_read: bool,
}

type AccountRow = (String, String, i64, i64, String, bool);

impl Db {
    pub async fn kiosk_account(&self, pn: &PrisonNumber) -> Result<Option<KioskAccount>, StoreError> {
        let row: Option<AccountRow> = on_db!(
            self,
            read | p | {
                sqlx::query_as(
                    "SELECT prison_number, pin_hash, failures, wait_until, language, easy_read \
                     FROM kiosk_accounts WHERE prison_number = $1",
                )
                .bind(pn.as_str())
                .fetch_optional(p)
                .await?
            }
        );
        row.map(|(pn, pin_hash, failures, wait, language, easy_read)| {
            Ok(KioskAccount {
                prison_number: PrisonNumber::parse(&pn).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                pin_hash,
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                wait_until: from_micros(wait).map_err(StoreError::Corrupt)?,
                language,
                easy_read,
            })
        })
        .transpose()
    }

    /// The person a kiosk session belongs to, with when it began and was last used.
    pub async fn kiosk_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<(PrisonNumber, Timestamp, Timestamp)>, StoreError> {
        let row: Option<(String, i64, i64)> = on_db!(
            self,
            read | p | {
                sqlx::query_as(
                    "SELECT prison_number, created_at, last_seen_at FROM kiosk_sessions WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(p)
                .await?
            }
        );
        row.map(|(pn, c, l)| {
            Ok((
                PrisonNumber::parse(&pn).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                from_micros(c).map_err(StoreError::Corrupt)?,
                from_micros(l).map_err(StoreError::Corrupt)?,
            ))
        })
        .transpose()
    }
}

impl WriteTx {
    /// Sets (or resets) a person's PIN: the throttle clears and any session on a kiosk ends.
    /// The language and format start from what reception recorded.
    pub async fn set_kiosk_pin(
        &mut self,
        pn: &PrisonNumber,
        pin_hash: &str,
        set_by: &str,
        now: Timestamp,
        language: &str,
        easy_read: bool,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("DELETE FROM kiosk_sessions WHERE prison_number = $1")
                .bind(pn.as_str())
                .execute(&mut **t)
                .await?;
            sqlx::query(
                "INSERT INTO kiosk_accounts (prison_number, pin_hash, set_by, set_at, failures, wait_until, language, easy_read) \
                 VALUES ($1, $2, $3, $4, 0, 0, $5, $6) \
                 ON CONFLICT (prison_number) DO UPDATE SET pin_hash = $2, set_by = $3, set_at = $4, failures = 0, wait_until = 0",
            )
            .bind(pn.as_str())
            .bind(pin_hash)
            .bind(set_by)
            .bind(to_micros(now))
            .bind(language)
            .bind(easy_read)
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }

    /// Records a failed sign-in and the wait before the next try.
    pub async fn kiosk_failed(
        &mut self,
        pn: &PrisonNumber,
        failures: u32,
        wait_until: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("UPDATE kiosk_accounts SET failures = $1, wait_until = $2 WHERE prison_number = $3")
                .bind(i64::from(failures))
                .bind(to_micros(wait_until))
                .bind(pn.as_str())
                .execute(&mut **t)
                .await?;
        });
        Ok(())
    }

    /// A successful sign-in: clears the throttle and starts a session.
    pub async fn start_kiosk_session(
        &mut self,
        pn: &PrisonNumber,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("UPDATE kiosk_accounts SET failures = 0, wait_until = 0 WHERE prison_number = $1")
                .bind(pn.as_str())
                .execute(&mut **t)
                .await?;
            sqlx::query(
                "INSERT INTO kiosk_sessions (token_hash, prison_number, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(token_hash)
            .bind(pn.as_str())
            .bind(to_micros(now))
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }

    pub async fn touch_kiosk_session(&mut self, token_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("UPDATE kiosk_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(to_micros(now))
                .bind(token_hash)
                .execute(&mut **t)
                .await?;
        });
        Ok(())
    }

    pub async fn end_kiosk_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("DELETE FROM kiosk_sessions WHERE token_hash = $1").bind(token_hash).execute(&mut **t).await?;
        });
        Ok(())
    }

    /// The language (`en` or `cy`) and format the person chose on the kiosk.
    pub async fn set_kiosk_preferences(
        &mut self,
        pn: &PrisonNumber,
        language: &str,
        easy_read: bool,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("UPDATE kiosk_accounts SET language = $1, easy_read = $2 WHERE prison_number = $3")
                .bind(language)
                .bind(easy_read)
                .bind(pn.as_str())
                .execute(&mut **t)
                .await?;
        });
        Ok(())
    }
}
