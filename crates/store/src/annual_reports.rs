//! The governor's annual equality report, kept version by version: a draft is written and saved,
//! a signed version is frozen with its document and tables, a correction is a new version.

use jiff::Timestamp;
use throughcare_core::annual_report::{FinancialYear, Sections, Status};
use throughcare_core::codes::CodeSet;
use throughcare_core::time::{from_micros, to_micros};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReport {
    pub id: i64,
    /// An establishment's code, or `estate`.
    pub scope: String,
    pub year: FinancialYear,
    pub version: i32,
    pub status: Status,
    pub sections: Sections,
    pub started_by: String,
    pub updated_at: Timestamp,
    pub correction_reason: Option<String>,
    pub signed: Option<(String, Timestamp)>,
}

type Row = (i64, String, i32, i32, String, String, String, i64, Option<String>, Option<String>, Option<i64>);

const COLUMNS: &str =
    "id, scope, year, version, status, sections, started_by, updated_at, correction_reason, signed_by, signed_at";

fn from_row(r: Row) -> Result<AnnualReport, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("annual report {}: {e}", r.0));
    let year =
        i16::try_from(r.2).map_err(|e| corrupt(e.to_string())).and_then(|y| FinancialYear::new(y).map_err(corrupt))?;
    Ok(AnnualReport {
        id: r.0,
        scope: r.1,
        year,
        version: r.3,
        status: Status::parse_code(&r.4).map_err(|e| corrupt(e.to_string()))?,
        sections: serde_json::from_str(&r.5).map_err(|e| corrupt(e.to_string()))?,
        started_by: r.6,
        updated_at: from_micros(r.7).map_err(corrupt)?,
        correction_reason: r.8,
        signed: match (r.9, r.10) {
            (Some(by), Some(at)) => Some((by, from_micros(at).map_err(corrupt)?)),
            _ => None,
        },
    })
}

impl WriteTx {
    async fn report_row(&mut self, id: i64) -> Result<Option<AnnualReport>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM annual_reports WHERE id = $1");
        let row: Option<Row> = on_tx!(self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(&mut **t)
            .await?);
        row.map(from_row).transpose()
    }

    async fn versions(&mut self, scope: &str, year: FinancialYear) -> Result<Vec<(i64, i32, String)>, StoreError> {
        Ok(on_tx!(self, |t| sqlx::query_as(
            "SELECT id, version, status FROM annual_reports WHERE scope = $1 AND year = $2 ORDER BY version"
        )
        .bind(scope)
        .bind(i32::from(year.start()))
        .fetch_all(&mut **t)
        .await?))
    }

    #[allow(clippy::too_many_arguments)] // one row's fields, each named at the call
    async fn insert_version(
        &mut self,
        scope: &str,
        year: FinancialYear,
        version: i32,
        sections: &Sections,
        by: &str,
        at: Timestamp,
        reason: Option<&str>,
    ) -> Result<i64, StoreError> {
        let sections = serde_json::to_string(sections).expect("sections serialise");
        let (id,): (i64,) = on_tx!(self, |t| sqlx::query_as(
            "INSERT INTO annual_reports (scope, year, version, status, sections, started_by, updated_at, \
             correction_reason) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7) RETURNING id"
        )
        .bind(scope)
        .bind(i32::from(year.start()))
        .bind(version)
        .bind(&sections)
        .bind(by)
        .bind(to_micros(at))
        .bind(reason)
        .fetch_one(&mut **t)
        .await?);
        Ok(id)
    }

    /// Starts the report for a scope and year. Refused when one is already being drafted or
    /// has been published (a published one is corrected, not started again).
    pub async fn start_annual_report(
        &mut self,
        scope: &str,
        year: FinancialYear,
        by: &str,
        at: Timestamp,
    ) -> Result<Result<i64, String>, StoreError> {
        let versions = self.versions(scope, year).await?;
        if let Some((id, _, status)) = versions.last() {
            return Ok(Err(if status == Status::Draft.code() {
                format!("The report for {} is already being drafted (report {id})", year.label())
            } else {
                format!("The report for {} is published: correct it to change it", year.label())
            }));
        }
        Ok(Ok(self.insert_version(scope, year, 1, &Sections::default(), by, at, None).await?))
    }

    /// Saves a draft's sections. A published or superseded version never changes.
    pub async fn save_annual_report(
        &mut self,
        id: i64,
        sections: &Sections,
        at: Timestamp,
    ) -> Result<Result<(), String>, StoreError> {
        let Some(r) = self.report_row(id).await? else { return Ok(Err(format!("There is no report {id}"))) };
        if r.status != Status::Draft {
            return Ok(Err("A published report cannot be edited: correct it, giving the reason".into()));
        }
        let text = serde_json::to_string(sections).expect("sections serialise");
        on_tx!(self, |t| sqlx::query(
            "UPDATE annual_reports SET sections = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'"
        )
        .bind(&text)
        .bind(to_micros(at))
        .bind(id)
        .execute(&mut **t)
        .await?
        .rows_affected());
        Ok(Ok(()))
    }

    /// Freezes a draft as published, with its document and tables; the version it corrects is
    /// superseded. The caller has checked the sections (`annual_report::check_signing`).
    pub async fn publish_annual_report(
        &mut self,
        id: i64,
        by: &str,
        at: Timestamp,
        document: &str,
        files: &[(String, String)],
    ) -> Result<Result<(), String>, StoreError> {
        let Some(r) = self.report_row(id).await? else { return Ok(Err(format!("There is no report {id}"))) };
        if r.status != Status::Draft {
            return Ok(Err("This version is already signed".into()));
        }
        on_tx!(self, |t| sqlx::query(
            "UPDATE annual_reports SET status = 'superseded' WHERE scope = $1 AND year = $2 AND status = 'published'"
        )
        .bind(&r.scope)
        .bind(i32::from(r.year.start()))
        .execute(&mut **t)
        .await?
        .rows_affected());
        on_tx!(self, |t| sqlx::query(
            "UPDATE annual_reports SET status = 'published', signed_by = $1, signed_at = $2, document = $3 \
             WHERE id = $4"
        )
        .bind(by)
        .bind(to_micros(at))
        .bind(document)
        .bind(id)
        .execute(&mut **t)
        .await?
        .rows_affected());
        for (name, content) in files {
            on_tx!(self, |t| sqlx::query(
                "INSERT INTO annual_report_files (report_id, name, content) VALUES ($1, $2, $3)"
            )
            .bind(id)
            .bind(name)
            .bind(content)
            .execute(&mut **t)
            .await?
            .rows_affected());
        }
        Ok(Ok(()))
    }

    /// Opens a correction of the published version: a new draft version carrying its words and
    /// the reason, which is published in its place once signed.
    pub async fn correct_annual_report(
        &mut self,
        id: i64,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<Result<i64, String>, StoreError> {
        let Some(r) = self.report_row(id).await? else { return Ok(Err(format!("There is no report {id}"))) };
        if r.status != Status::Published {
            return Ok(Err("Only the published version can be corrected".into()));
        }
        let versions = self.versions(&r.scope, r.year).await?;
        if let Some((draft, ..)) = versions.iter().find(|v| v.2 == Status::Draft.code()) {
            return Ok(Err(format!("A correction is already being drafted (report {draft})")));
        }
        let next = versions.iter().map(|v| v.1).max().unwrap_or(0) + 1;
        Ok(Ok(self.insert_version(&r.scope, r.year, next, &r.sections, by, at, Some(reason)).await?))
    }
}

impl Db {
    /// Every version of every report (of one scope, or all), newest year first.
    pub async fn annual_reports(&self, scope: Option<&str>) -> Result<Vec<AnnualReport>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM annual_reports WHERE ($1 IS NULL OR scope = $1) ORDER BY year DESC, scope, version DESC"
        );
        let rows: Vec<Row> =
            on_db!(self, read | p | sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope).fetch_all(p).await?);
        rows.into_iter().map(from_row).collect()
    }

    pub async fn annual_report(&self, id: i64) -> Result<Option<AnnualReport>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM annual_reports WHERE id = $1");
        let row: Option<Row> =
            on_db!(self, read | p | sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(p).await?);
        row.map(from_row).transpose()
    }

    /// A signed version's frozen document, exactly as published.
    pub async fn annual_report_document(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = on_db!(
            self,
            read | p
                | sqlx::query_as("SELECT document FROM annual_reports WHERE id = $1")
                    .bind(id)
                    .fetch_optional(p)
                    .await?
        );
        Ok(row.and_then(|r| r.0))
    }

    /// One of a signed version's frozen tables.
    pub async fn annual_report_file(&self, id: i64, name: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_db!(
            self,
            read | p
                | sqlx::query_as("SELECT content FROM annual_report_files WHERE report_id = $1 AND name = $2")
                    .bind(id)
                    .bind(name)
                    .fetch_optional(p)
                    .await?
        );
        Ok(row.map(|r| r.0))
    }

    /// The names of a signed version's tables.
    pub async fn annual_report_files(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_db!(
            self,
            read | p
                | sqlx::query_as("SELECT name FROM annual_report_files WHERE report_id = $1 ORDER BY name")
                    .bind(id)
                    .fetch_all(p)
                    .await?
        );
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
