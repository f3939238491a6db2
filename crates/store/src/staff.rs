//! Staff accounts, their sessions and API tokens, and the hash-chained audit trail.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use throughcare_core::time::{from_micros, to_micros};
use throughcare_core::{EstablishmentCode, StaffRef};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// A staff account as stored. The role is a code the web layer parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub username: StaffRef,
    pub display_name: String,
    pub role: String,
    pub establishment: Option<EstablishmentCode>,
    pub password_hash: String,
    pub disabled: bool,
}

type StaffRow = (String, String, String, Option<String>, String, bool);

fn staff_from_row((u, name, role, est, hash, disabled): StaffRow) -> Result<StaffRecord, StoreError> {
    Ok(StaffRecord {
        username: StaffRef::parse(&u).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        display_name: name,
        role,
        establishment: est
            .as_deref()
            .map(EstablishmentCode::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: hash,
        disabled,
    })
}

/// SHA-256 in hex: how session and API tokens are stored, and how audit entries chain.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn chain_hash(prev: &str, seq: i64, at: i64, actor: &str, action: &str, subject: Option<&str>, detail: &str) -> String {
    // Length-prefixed fields, so no two different entries can hash the same text.
    let mut text = String::new();
    for field in [prev, &seq.to_string(), &at.to_string(), actor, action, subject.unwrap_or("\u{0}"), detail] {
        text.push_str(&format!("{}:{field};", field.len()));
    }
    sha256_hex(text.as_bytes())
}

/// Where the audit chain first fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {reason}")]
pub struct AuditBreak {
    pub seq: i64,
    pub reason: String,
}

impl WriteTx {
    pub async fn insert_staff(&mut self, s: &StaffRecord, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query(
                "INSERT INTO staff (username, display_name, role, establishment, password_hash, disabled, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(s.username.as_str())
            .bind(&s.display_name)
            .bind(&s.role)
            .bind(s.establishment.as_ref().map(|e| e.as_str()))
            .bind(&s.password_hash)
            .bind(s.disabled)
            .bind(to_micros(now))
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }

    /// Sets a new password hash and signs the person out everywhere.
    pub async fn set_password(&mut self, username: &str, hash: &str) -> Result<bool, StoreError> {
        let n = on_tx!(self, |t| {
            sqlx::query("UPDATE staff SET password_hash = $1 WHERE username = $2")
                .bind(hash)
                .bind(username)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        self.end_sessions_of(username).await?;
        Ok(n == 1)
    }

    /// Disables (or re-enables) an account; disabling signs it out and revokes its API tokens.
    pub async fn set_disabled(&mut self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let n = on_tx!(self, |t| {
            sqlx::query("UPDATE staff SET disabled = $1 WHERE username = $2")
                .bind(disabled)
                .bind(username)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        if disabled {
            self.end_sessions_of(username).await?;
            on_tx!(self, |t| sqlx::query("DELETE FROM api_tokens WHERE username = $1")
                .bind(username)
                .execute(&mut **t)
                .await?
                .rows_affected());
        }
        Ok(n == 1)
    }

    pub async fn create_session(&mut self, token_hash: &str, username: &str, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, username, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(token_hash)
            .bind(username)
            .bind(to_micros(now))
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }

    pub async fn touch_session(&mut self, token_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(to_micros(now))
                .bind(token_hash)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn end_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        on_tx!(self, |t| sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut **t)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn end_sessions_of(&mut self, username: &str) -> Result<(), StoreError> {
        on_tx!(self, |t| sqlx::query("DELETE FROM sessions WHERE username = $1")
            .bind(username)
            .execute(&mut **t)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        token_hash: &str,
        username: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query("INSERT INTO api_tokens (token_hash, username, created_at) VALUES ($1, $2, $3)")
                .bind(token_hash)
                .bind(username)
                .bind(to_micros(now))
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Appends to the audit trail, chained to the entry before. Writers take turns, so no two
    /// entries can claim the same place in the chain.
    pub async fn audit(
        &mut self,
        at: Timestamp,
        actor: &str,
        action: &str,
        subject: Option<&str>,
        detail: &str,
    ) -> Result<i64, StoreError> {
        let last: Option<(i64, String)> = match self {
            WriteTx::Sqlite(t) => {
                sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **t).await?
            }
            WriteTx::Postgres(t) => {
                // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a lock for it.
                sqlx::query("SELECT pg_advisory_xact_lock(7356001)").execute(&mut **t).await?;
                sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **t).await?
            }
        };
        let (seq, prev) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
        let at_us = to_micros(at);
        let hash = chain_hash(&prev, seq, at_us, actor, action, subject, detail);
        on_tx!(self, |t| {
            sqlx::query("INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(seq)
                .bind(at_us)
                .bind(actor)
                .bind(action)
                .bind(subject)
                .bind(detail)
                .bind(&prev)
                .bind(&hash)
                .execute(&mut **t)
                .await?
                .rows_affected()
        });
        Ok(seq)
    }
}

type AuditRow = (i64, i64, String, String, Option<String>, String, String, String);

fn audit_entry((seq, at, actor, action, subject, detail, _, _): AuditRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry { seq, at: from_micros(at).map_err(StoreError::Corrupt)?, actor, action, subject, detail })
}

impl Db {
    pub async fn staff(&self, username: &str) -> Result<Option<StaffRecord>, StoreError> {
        let row: Option<StaffRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as("SELECT username, display_name, role, establishment, password_hash, disabled FROM staff WHERE username = $1")
                .bind(username)
                .fetch_optional(p)
                .await?
                }
        );
        row.map(staff_from_row).transpose()
    }

    /// Every account's username and name: what pages need to name staff, and nothing more
    /// (no password hashes leave the table for it).
    pub async fn staff_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(
            self,
            read | p
                | sqlx::query_as("SELECT username, display_name FROM staff ORDER BY username").fetch_all(p).await?
        ))
    }

    pub async fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let rows: Vec<StaffRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as("SELECT username, display_name, role, establishment, password_hash, disabled FROM staff ORDER BY username").fetch_all(p).await?
                }
        );
        rows.into_iter().map(staff_from_row).collect()
    }

    /// The session's user, when it started and when it was last used.
    pub async fn session(&self, token_hash: &str) -> Result<Option<(String, Timestamp, Timestamp)>, StoreError> {
        let row: Option<(String, i64, i64)> = on_db!(
            self,
            read | p | {
                sqlx::query_as("SELECT username, created_at, last_seen_at FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(p)
                    .await?
            }
        );
        row.map(|(u, c, l)| {
            Ok((u, from_micros(c).map_err(StoreError::Corrupt)?, from_micros(l).map_err(StoreError::Corrupt)?))
        })
        .transpose()
    }

    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(on_db!(
            self,
            read | p | {
                sqlx::query_scalar("SELECT username FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(p)
                    .await?
            }
        ))
    }

    /// The latest entries of the whole trail, newest first (an administrator's view).
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT $1")
                .bind(limit)
                .fetch_all(p)
                .await?
                }
        );
        rows.into_iter().map(audit_entry).collect()
    }

    /// Who did what to one person's record, oldest first.
    pub async fn audit_of(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(
            self,
            read | p
                | {
                    sqlx::query_as("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit WHERE subject = $1 ORDER BY seq")
                .bind(subject)
                .fetch_all(p)
                .await?
                }
        );
        rows.into_iter().map(audit_entry).collect()
    }

    /// Walks the whole chain: any altered, removed or reordered entry breaks it. Returns the count.
    pub async fn verify_audit(&self) -> Result<Result<i64, AuditBreak>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(
            self,
            read | p | {
                sqlx::query_as(
                    "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq",
                )
                .fetch_all(p)
                .await?
            }
        );
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        for (seq, at, actor, action, subject, detail, prev_hash, hash) in rows {
            if seq != expected_seq {
                return Ok(Err(AuditBreak { seq: expected_seq, reason: format!("missing: the next entry is {seq}") }));
            }
            if prev_hash != prev {
                return Ok(Err(AuditBreak { seq, reason: "does not follow the entry before it".into() }));
            }
            if chain_hash(&prev_hash, seq, at, &actor, &action, subject.as_deref(), &detail) != hash {
                return Ok(Err(AuditBreak { seq, reason: "its contents were altered".into() }));
            }
            prev = hash;
            expected_seq += 1;
        }
        Ok(Ok(expected_seq - 1))
    }
}
