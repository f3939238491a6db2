//! Findings kept across equality report runs: new, persisting or no longer flagged, each with
//! an owner and a status, and every change kept in order.

use jiff::Timestamp;
use jiff::civil::Date;
use throughcare_core::StaffRef;
use throughcare_core::codes::CodeSet;
use throughcare_core::finding::{FindingChange, FindingStatus, Seen};
use throughcare_core::time::{from_micros, parse_date, to_micros};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// A flagged group, as the report found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub measure: String,
    pub breakdown: String,
    pub group: String,
    /// "Use of force: Black, Black British, Caribbean or African (ethnic group)".
    pub title: String,
    pub ratio: Option<f64>,
    pub q: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: i64,
    pub scope: String,
    pub measure: String,
    pub breakdown: String,
    pub group: String,
    pub title: String,
    pub status: FindingStatus,
    pub seen: Seen,
    pub owner: Option<String>,
    pub evidence: Option<String>,
    pub actions: Option<String>,
    pub review_by: Option<Date>,
    pub review_outcome: Option<String>,
    pub first_period: String,
    pub last_period: String,
    /// The ratio when last flagged.
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingUpdate {
    pub at: Timestamp,
    pub by: String,
    pub status: String,
    pub note: String,
}

/// What one run of the report did to the findings of its scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub new: usize,
    pub persists: usize,
    pub no_longer_flagged: usize,
}

fn seen_code(s: Seen) -> &'static str {
    match s {
        Seen::New => "new",
        Seen::Persists => "persists",
        Seen::NoLongerFlagged => "no_longer_flagged",
    }
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<f64>,
);

const COLUMNS: &str = "id, scope, measure, breakdown, group_code, title, status, seen, owner, evidence, actions, \
                       review_by, review_outcome, first_period, last_period, ratio";

fn from_row(r: Row) -> Result<Finding, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(e);
    Ok(Finding {
        id: r.0,
        scope: r.1,
        measure: r.2,
        breakdown: r.3,
        group: r.4,
        title: r.5,
        status: FindingStatus::parse_code(&r.6).map_err(|e| corrupt(e.to_string()))?,
        seen: match r.7.as_str() {
            "new" => Seen::New,
            "persists" => Seen::Persists,
            "no_longer_flagged" => Seen::NoLongerFlagged,
            other => return Err(corrupt(format!("finding seen {other:?}"))),
        },
        owner: r.8,
        evidence: r.9,
        actions: r.10,
        review_by: r.11.as_deref().map(parse_date).transpose().map_err(corrupt)?,
        review_outcome: r.12,
        first_period: r.13,
        last_period: r.14,
        ratio: r.15,
    })
}

impl WriteTx {
    async fn finding_update(
        &mut self,
        id: i64,
        at: Timestamp,
        by: &str,
        status: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| sqlx::query(
            "INSERT INTO finding_updates (finding_id, at, by_whom, status, note) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(to_micros(at))
        .bind(by)
        .bind(status)
        .bind(note)
        .execute(&mut **t)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Matches a run's flags to the findings of its scope: new ones open, flagged ones persist
    /// (a reviewed finding flagged again reopens), the rest are marked no longer flagged.
    pub async fn record_findings(
        &mut self,
        scope: &str,
        period: &str,
        run_at: Timestamp,
        flags: &[Flag],
    ) -> Result<RunSummary, StoreError> {
        let existing: Vec<(i64, String, String, String, String, String)> = on_tx!(self, |t| sqlx::query_as(
            "SELECT id, measure, breakdown, group_code, status, seen FROM findings WHERE scope = $1"
        )
        .bind(scope)
        .fetch_all(&mut **t)
        .await?);
        let mut summary = RunSummary::default();
        let mut matched = std::collections::HashSet::new();
        for f in flags {
            let found = existing.iter().find(|e| e.1 == f.measure && e.2 == f.breakdown && e.3 == f.group);
            match found {
                Some((id, _, _, _, status, _)) => {
                    matched.insert(*id);
                    summary.persists += 1;
                    // A reviewed finding flagged again is open again.
                    let reopen = status == FindingStatus::Reviewed.code();
                    let status = if reopen { FindingStatus::Open.code() } else { status.as_str() };
                    on_tx!(self, |t| {
                        sqlx::query(
                            "UPDATE findings SET seen = 'persists', last_period = $1, last_run_at = $2, ratio = $3, \
                             q = $4, status = $5 WHERE id = $6",
                        )
                        .bind(period)
                        .bind(to_micros(run_at))
                        .bind(f.ratio)
                        .bind(f.q)
                        .bind(status)
                        .bind(id)
                        .execute(&mut **t)
                        .await?
                        .rows_affected()
                    });
                    let note = if reopen {
                        format!("Flagged again for {period} after review: reopened")
                    } else {
                        format!("Flagged again for {period}")
                    };
                    self.finding_update(*id, run_at, "equality report", status, &note).await?;
                }
                None => {
                    summary.new += 1;
                    let (id,): (i64,) = on_tx!(self, |t| {
                        sqlx::query_as(
                        "INSERT INTO findings (scope, measure, breakdown, group_code, title, status, seen, first_period, \
                         last_period, last_run_at, ratio, q) VALUES ($1, $2, $3, $4, $5, 'open', 'new', $6, $6, $7, $8, $9) \
                         RETURNING id"
                    )
                    .bind(scope)
                    .bind(&f.measure)
                    .bind(&f.breakdown)
                    .bind(&f.group)
                    .bind(&f.title)
                    .bind(period)
                    .bind(to_micros(run_at))
                    .bind(f.ratio)
                    .bind(f.q)
                    .fetch_one(&mut **t)
                    .await?
                    });
                    self.finding_update(id, run_at, "equality report", "open", &format!("Flagged for {period}"))
                        .await?;
                }
            }
        }
        for (id, _, _, _, status, seen) in &existing {
            if matched.contains(id) {
                continue;
            }
            if seen != seen_code(Seen::NoLongerFlagged) {
                summary.no_longer_flagged += 1;
                on_tx!(self, |t| sqlx::query(
                    "UPDATE findings SET seen = 'no_longer_flagged', last_run_at = $1 WHERE id = $2"
                )
                .bind(to_micros(run_at))
                .bind(id)
                .execute(&mut **t)
                .await?
                .rows_affected());
                self.finding_update(*id, run_at, "equality report", status, &format!("Not flagged for {period}"))
                    .await?;
            }
        }
        Ok(summary)
    }

    /// Explains, plans a reform for, or reviews a finding. `Ok(Err(reason))` when the change
    /// cannot follow the finding's status; nothing is written then.
    pub async fn change_finding(
        &mut self,
        id: i64,
        change: &FindingChange,
        by: &StaffRef,
        at: Timestamp,
    ) -> Result<Result<(), String>, StoreError> {
        let status: Option<(String,)> = on_tx!(self, |t| sqlx::query_as("SELECT status FROM findings WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **t)
            .await?);
        let Some((status,)) = status else { return Ok(Err(format!("There is no finding {id}"))) };
        let from = FindingStatus::parse_code(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Err(reason) = change.check(from, throughcare_core::time::date_in_england(at)) {
            return Ok(Err(reason));
        }
        let to = change.status().code();
        let (column, text, review_by, note) = match change {
            FindingChange::Explain { evidence } => ("evidence", evidence, None, "Explained"),
            FindingChange::PlanReform { actions, review_by } => {
                ("actions", actions, Some(review_by.to_string()), "Reform planned")
            }
            FindingChange::Review { outcome } => ("review_outcome", outcome, None, "Reviewed"),
        };
        // The column name comes from the match above, never from input.
        let sql = format!(
            "UPDATE findings SET status = $1, {column} = $2, review_by = COALESCE($3, review_by) WHERE id = $4"
        );
        on_tx!(self, |t| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(to)
            .bind(text.as_str())
            .bind(review_by.clone())
            .bind(id)
            .execute(&mut **t)
            .await?
            .rows_affected());
        let note = match &review_by {
            Some(d) => format!("{note}, review by {d}: {}", text.as_str()),
            None => format!("{note}: {}", text.as_str()),
        };
        self.finding_update(id, at, by.as_str(), to, &note).await?;
        Ok(Ok(()))
    }

    /// Gives a finding an owner (a staff account). False when there is no such finding.
    pub async fn assign_finding(
        &mut self,
        id: i64,
        owner: &StaffRef,
        by: &StaffRef,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, |t| sqlx::query("UPDATE findings SET owner = $1 WHERE id = $2")
            .bind(owner.as_str())
            .bind(id)
            .execute(&mut **t)
            .await?
            .rows_affected());
        if n == 1 {
            let status: (String,) = on_tx!(self, |t| sqlx::query_as("SELECT status FROM findings WHERE id = $1")
                .bind(id)
                .fetch_one(&mut **t)
                .await?);
            self.finding_update(id, at, by.as_str(), &status.0, &format!("Owner: {owner}")).await?;
        }
        Ok(n == 1)
    }
}

impl Db {
    /// Findings of one scope (or all), open ones first, then by title.
    pub async fn findings(&self, scope: Option<&str>) -> Result<Vec<Finding>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM findings WHERE ($1 IS NULL OR scope = $1) \
             ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'reform_planned' THEN 1 WHEN 'explained' THEN 2 ELSE 3 END, title, scope"
        );
        let rows: Vec<Row> =
            on_db!(self, read | p | sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope).fetch_all(p).await?);
        rows.into_iter().map(from_row).collect()
    }

    pub async fn finding(&self, id: i64) -> Result<Option<(Finding, Vec<FindingUpdate>)>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM findings WHERE id = $1");
        let row: Option<Row> =
            on_db!(self, read | p | sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(p).await?);
        let Some(row) = row else { return Ok(None) };
        let updates: Vec<(i64, String, String, String)> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT at, by_whom, status, note FROM finding_updates WHERE finding_id = $1 ORDER BY id"
                )
                .bind(id)
                .fetch_all(p)
                .await?
        );
        let updates = updates
            .into_iter()
            .map(|(at, by, status, note)| {
                Ok(FindingUpdate { at: from_micros(at).map_err(StoreError::Corrupt)?, by, status, note })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some((from_row(row)?, updates)))
    }
}
