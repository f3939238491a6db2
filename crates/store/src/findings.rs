//! Findings kept across equality report runs: new, persisting or no longer flagged, each with
//! an owner and a status, and every change kept in order.

use jiff::Timestamp;
use jiff::civil::Date;
use throughcare_core::StaffRef;
use throughcare_core::codes::CodeSet;
use throughcare_core::finding::{
    FindingChange, FindingStatus, Measurement, Seen, in_period_order, periods_text, trend, unanswered,
};
use throughcare_core::time::{Period, from_micros, parse_date, to_micros};

use crate::db::{Db, StoreError, WriteTx, on_db, on_tx};

/// One group's figures in a report run: every group is passed, flagged or not, so a finding's
/// figures are kept for every period it was measured in.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub measure: String,
    pub breakdown: String,
    pub group: String,
    /// "Use of force: Black, Black British, Caribbean or African (ethnic group)".
    pub title: String,
    pub flagged: bool,
    pub rate: Option<f64>,
    pub ratio: Option<f64>,
    pub ratio_lower: Option<f64>,
    pub ratio_upper: Option<f64>,
    pub q: Option<f64>,
}

/// An explanation, reform plan or review, dated and tied to the flagged periods it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: FindingStatus,
    pub text: String,
    pub review_by: Option<Date>,
    pub at: Timestamp,
    pub by: String,
    pub periods: Vec<Period>,
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

type MeasurementRow = (String, String, bool, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

const MEASUREMENTS: &str = "SELECT r.period_from, r.period_to, r.flagged, r.rate, r.ratio, r.ratio_lower, \
                            r.ratio_upper, r.q FROM report_figures r JOIN findings f ON r.scope = f.scope \
                            AND r.measure = f.measure AND r.breakdown = f.breakdown AND r.group_code = f.group_code \
                            WHERE f.id = $1";

fn measurements_of(rows: Vec<MeasurementRow>) -> Result<Vec<Measurement>, StoreError> {
    let mut ms = rows
        .into_iter()
        .map(|(from, to, flagged, rate, ratio, ratio_lower, ratio_upper, q)| {
            let period = Period::parse(&format!("{from}..{to}")).map_err(StoreError::Corrupt)?;
            Ok(Measurement { period, flagged, rate, ratio, ratio_lower, ratio_upper, q })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    in_period_order(&mut ms);
    Ok(ms)
}

fn parse_periods(text: &str) -> Result<Vec<Period>, StoreError> {
    text.split(',').filter(|s| !s.is_empty()).map(|p| Period::parse(p).map_err(StoreError::Corrupt)).collect()
}

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

    /// A finding's measurements, in period order.
    async fn measurements(&mut self, id: i64) -> Result<Vec<Measurement>, StoreError> {
        let rows: Vec<MeasurementRow> =
            on_tx!(self, |t| sqlx::query_as(MEASUREMENTS).bind(id).fetch_all(&mut **t).await?);
        measurements_of(rows)
    }

    /// The end of the last period an explanation or reform answered.
    async fn answered_to(&mut self, id: i64) -> Result<Option<Date>, StoreError> {
        let rows: Vec<(String,)> = on_tx!(self, |t| sqlx::query_as(
            "SELECT periods FROM finding_responses WHERE finding_id = $1 AND kind <> 'reviewed'"
        )
        .bind(id)
        .fetch_all(&mut **t)
        .await?);
        let mut latest = None;
        for (text,) in rows {
            for p in parse_periods(&text)? {
                latest = latest.max(Some(p.to));
            }
        }
        Ok(latest)
    }

    /// Keeps every group's figures for the period (replacing an earlier run of the same period).
    async fn keep_figures(
        &mut self,
        scope: &str,
        period: Period,
        run_at: Timestamp,
        groups: &[Measured],
    ) -> Result<(), StoreError> {
        let (from, to) = (period.from.to_string(), period.to.to_string());
        on_tx!(self, |t| sqlx::query(
            "DELETE FROM report_figures WHERE scope = $1 AND period_from = $2 AND period_to = $3"
        )
        .bind(scope)
        .bind(&from)
        .bind(&to)
        .execute(&mut **t)
        .await?
        .rows_affected());
        // Several hundred rows a statement: a report has thousands of groups.
        for chunk in groups.chunks(500) {
            on_tx!(self, |t| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO report_figures (scope, measure, breakdown, group_code, period_from, period_to, \
                     run_at, flagged, rate, ratio, ratio_lower, ratio_upper, q) ",
                );
                q.push_values(chunk, |mut b, g| {
                    b.push_bind(scope)
                        .push_bind(&g.measure)
                        .push_bind(&g.breakdown)
                        .push_bind(&g.group)
                        .push_bind(&from)
                        .push_bind(&to)
                        .push_bind(to_micros(run_at))
                        .push_bind(g.flagged)
                        .push_bind(g.rate)
                        .push_bind(g.ratio)
                        .push_bind(g.ratio_lower)
                        .push_bind(g.ratio_upper)
                        .push_bind(g.q);
                });
                q.build().execute(&mut **t).await?.rows_affected()
            });
        }
        Ok(())
    }

    /// Records a run: every group's figures are kept for the period; a flagged group with no
    /// finding opens one; every finding of the scope is then read again in period order, so
    /// running an earlier year last changes nothing about where it stands now. A reviewed
    /// finding flagged in a period after the ones answered reopens, and asks for new evidence.
    pub async fn record_findings(
        &mut self,
        scope: &str,
        period: Period,
        run_at: Timestamp,
        groups: &[Measured],
    ) -> Result<RunSummary, StoreError> {
        self.keep_figures(scope, period, run_at, groups).await?;
        let existing: Vec<(i64, String, String, String)> = on_tx!(self, |t| sqlx::query_as(
            "SELECT id, measure, breakdown, group_code FROM findings WHERE scope = $1"
        )
        .bind(scope)
        .fetch_all(&mut **t)
        .await?);
        let mut ids: std::collections::HashMap<(String, String, String), i64> =
            existing.into_iter().map(|(id, m, b, g)| ((m, b, g), id)).collect();
        let label = format!("{}..{}", period.from, period.to);
        let mut summary = RunSummary::default();
        let mut flagged_now = std::collections::HashSet::new();
        let mut created = std::collections::HashSet::new();
        for g in groups.iter().filter(|g| g.flagged) {
            let key = (g.measure.clone(), g.breakdown.clone(), g.group.clone());
            if let Some(id) = ids.get(&key) {
                flagged_now.insert(*id);
                continue;
            }
            summary.new += 1;
            let (id,): (i64,) = on_tx!(self, |t| {
                sqlx::query_as(
                    "INSERT INTO findings (scope, measure, breakdown, group_code, title, status, seen, \
                     first_period, last_period, last_run_at, ratio, q) \
                     VALUES ($1, $2, $3, $4, $5, 'open', 'new', $6, $6, $7, $8, $9) RETURNING id",
                )
                .bind(scope)
                .bind(&g.measure)
                .bind(&g.breakdown)
                .bind(&g.group)
                .bind(&g.title)
                .bind(&label)
                .bind(to_micros(run_at))
                .bind(g.ratio)
                .bind(g.q)
                .fetch_one(&mut **t)
                .await?
            });
            ids.insert(key, id);
            flagged_now.insert(id);
            created.insert(id);
        }
        let mut all: Vec<i64> = ids.into_values().collect();
        all.sort_unstable();
        for id in all {
            let flagged = flagged_now.contains(&id);
            let ms = self.measurements(id).await?;
            let tr = trend(&ms);
            let (status,): (String,) = on_tx!(self, |t| sqlx::query_as("SELECT status FROM findings WHERE id = $1")
                .bind(id)
                .fetch_one(&mut **t)
                .await?);
            let answered_to = self.answered_to(id).await?;
            let reopen = status == FindingStatus::Reviewed.code() && !unanswered(&ms, answered_to).is_empty();
            let latest = ms.iter().rev().find(|m| m.flagged);
            let text = |p: Option<Period>| p.map_or_else(|| label.clone(), |p| format!("{}..{}", p.from, p.to));
            let sql = if reopen {
                "UPDATE findings SET seen = $1, first_period = $2, last_period = $3, last_run_at = $4, ratio = $5, \
                 q = $6, status = 'open', evidence = NULL, actions = NULL, review_by = NULL, review_outcome = NULL \
                 WHERE id = $7"
            } else {
                "UPDATE findings SET seen = $1, first_period = $2, last_period = $3, last_run_at = $4, ratio = $5, \
                 q = $6 WHERE id = $7"
            };
            on_tx!(self, |t| sqlx::query(sql)
                .bind(seen_code(tr.seen))
                .bind(text(tr.first_flagged))
                .bind(text(tr.last_flagged))
                .bind(to_micros(run_at))
                .bind(latest.and_then(|m| m.ratio))
                .bind(latest.and_then(|m| m.q))
                .bind(id)
                .execute(&mut **t)
                .await?
                .rows_affected());
            let status_now = if reopen { FindingStatus::Open.code() } else { status.as_str() };
            let is_new = created.contains(&id);
            let note = match (flagged, reopen, is_new) {
                (true, true, _) => format!("Flagged again for {label} after review: reopened, new evidence needed"),
                (true, false, true) => format!("Flagged for {label}"),
                (true, false, false) => format!("Flagged again for {label}"),
                (false, _, _) => format!("Not flagged for {label}"),
            };
            match (is_new, flagged) {
                (true, _) => {}
                (false, true) => summary.persists += 1,
                (false, false) => summary.no_longer_flagged += 1,
            }
            self.finding_update(id, run_at, "equality report", status_now, &note).await?;
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
        // Tied to the periods it answers: an explanation or reform those flagged since the last
        // answer; a review the periods answered so far.
        let ms = self.measurements(id).await?;
        let answered_to = self.answered_to(id).await?;
        let periods = match change {
            FindingChange::Review { .. } => ms
                .iter()
                .filter(|m| m.flagged && answered_to.is_some_and(|d| m.period.to <= d))
                .map(|m| m.period)
                .collect(),
            _ => {
                let open = unanswered(&ms, answered_to);
                if open.is_empty() {
                    ms.iter().rev().find(|m| m.flagged).map(|m| m.period).into_iter().collect()
                } else {
                    open
                }
            }
        };
        on_tx!(self, |t| sqlx::query(
            "INSERT INTO finding_responses (finding_id, kind, body, review_by, at, by_whom, periods) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(to)
        .bind(text.as_str())
        .bind(review_by.clone())
        .bind(to_micros(at))
        .bind(by.as_str())
        .bind(periods_text(&periods))
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

    /// A finding's figures for every period measured (in period order) and every answer given.
    pub async fn finding_history(&self, id: i64) -> Result<(Vec<Measurement>, Vec<Response>), StoreError> {
        let rows: Vec<MeasurementRow> =
            on_db!(self, read | p | sqlx::query_as(MEASUREMENTS).bind(id).fetch_all(p).await?);
        let ms = measurements_of(rows)?;
        let rows: Vec<(String, String, Option<String>, i64, String, String)> = on_db!(
            self,
            read | p
                | sqlx::query_as(
                    "SELECT kind, body, review_by, at, by_whom, periods FROM finding_responses WHERE finding_id = $1 \
                     ORDER BY id"
                )
                .bind(id)
                .fetch_all(p)
                .await?
        );
        let corrupt = StoreError::Corrupt;
        let responses = rows
            .into_iter()
            .map(|(kind, text, review_by, at, by, periods)| {
                Ok(Response {
                    status: FindingStatus::parse_code(&kind).map_err(|e| corrupt(e.to_string()))?,
                    text,
                    review_by: review_by.as_deref().map(parse_date).transpose().map_err(corrupt)?,
                    at: from_micros(at).map_err(corrupt)?,
                    by,
                    periods: parse_periods(&periods)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((ms, responses))
    }
}
