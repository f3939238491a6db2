//! Partnership Reported Outcome Measures: what a healthcare provider reports each quarter, each by
//! every protected characteristic, from the equality engine (the measures named in
//! `standards/reference/proms.toml`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use throughcare_core::EstablishmentCode;
use throughcare_core::annual_report::FinancialYear;
use throughcare_core::measures::MeasureSet;
use throughcare_core::proms::Proms;
use throughcare_core::time::{Period, date_in_england};
use throughcare_equality::disclosure::{publish, publish_estate};
use throughcare_equality::report::{Report, Scope};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::equality::{build_report_with, esc};

/// The four quarters of a financial year.
pub fn quarters(year: FinancialYear) -> Vec<(String, Period)> {
    let y = year.start();
    [(4, 6, "April to June"), (7, 9, "July to September"), (10, 12, "October to December"), (1, 3, "January to March")]
        .into_iter()
        .map(|(a, b, name)| {
            let yy = if a < 4 { y + 1 } else { y };
            let from = jiff::civil::date(yy, a, 1);
            let to = jiff::civil::date(yy, b, 1).last_of_month();
            (format!("{name} {yy}"), Period { from, to })
        })
        .collect()
}

/// Each quarter's published report: small numbers withheld as everywhere else; the estate's
/// beside its establishments' own.
async fn quarterly(
    state: &AppState,
    scope: &Scope,
    year: FinancialYear,
    set: &MeasureSet,
) -> Result<Vec<(String, Option<Report>)>, AppError> {
    let now = state.now();
    let establishments = state.db.establishments().await?;
    let mut out = Vec::new();
    for (label, period) in quarters(year) {
        let report = match build_report_with(&state.db, &state.engine, set, scope.clone(), period, now).await? {
            Ok(internal) => Some(match scope {
                Scope::Establishment(_) => publish(&internal),
                Scope::Estate => {
                    let mut members = Vec::new();
                    for e in &establishments {
                        if let Ok(r) = build_report_with(
                            &state.db,
                            &state.engine,
                            set,
                            Scope::Establishment(e.code.clone()),
                            period,
                            now,
                        )
                        .await?
                        {
                            members.push(r);
                        }
                    }
                    publish_estate(&internal, &members)
                }
            }),
            Err(_) => None,
        };
        out.push((label, report));
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct PromsQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    measure: Option<String>,
}

pub struct Table {
    pub caption: String,
    /// (group, a cell per quarter)
    pub rows: Vec<(String, Vec<String>)>,
}

pub struct MeasureBlock {
    pub group: String,
    pub title: String,
    pub id: String,
    pub tables: Vec<Table>,
}

#[derive(Template, WebTemplate)]
#[template(path = "proms.html")]
pub struct PromsPage {
    staff: Option<CurrentStaff>,
    scope_label: String,
    year: String,
    years: Vec<(String, String)>,
    scopes: Vec<(String, String)>,
    scope: String,
    quarters: Vec<String>,
    source: String,
    blocks: Vec<MeasureBlock>,
    /// Every measure as (id, title, link), for choosing which one is shown in full.
    contents: Vec<(String, String, String)>,
    chosen: String,
    csv: String,
}

fn cell(g: Option<&throughcare_equality::report::GroupResult>) -> String {
    match g {
        None => "–".into(),
        Some(g) => match (g.rate, g.numerator, g.denominator) {
            (Some(r), Some(x), Some(n)) => format!("{:.1}% ({x} of {n})", 100.0 * r),
            (Some(r), _, _) => format!("{:.1}%", 100.0 * r),
            (None, _, Some(0)) => "–".into(),
            _ if g.withheld.rate || g.withheld.numerator || g.withheld.denominator => "[c]".into(),
            _ => "–".into(),
        },
    }
}

pub async fn page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<PromsQuery>,
) -> Result<Response, AppError> {
    let scope = match (staff.role.estate_wide(), q.scope.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (false, _) => Scope::Establishment(staff.establishment.clone().ok_or(AppError::Forbidden)?),
        (true, None | Some("estate")) => Scope::Estate,
        (true, Some(code)) => {
            Scope::Establishment(EstablishmentCode::parse(code).map_err(|e| AppError::BadRequest(e.to_string()))?)
        }
    };
    let this_year = FinancialYear::containing(date_in_england(state.now()));
    let year = match q.year.as_deref() {
        Some(y) => FinancialYear::parse(y).map_err(AppError::BadRequest)?,
        None => this_year,
    };
    let proms = Proms::load(&state.engine.measures).map_err(AppError::BadRequest)?;
    let set = proms.measure_set(&state.engine.measures);
    let reports = quarterly(&state, &scope, year, &set).await?;
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed outcome measures",
        None,
        &format!("{} {}", scope.code(), year.start()),
    )
    .await?;
    let quarters: Vec<String> = reports.iter().map(|(l, _)| l.clone()).collect();
    let mut blocks = Vec::new();
    for pm in &proms.measure {
        let Some(m) = set.get(&pm.id) else { continue };
        let find = |r: &Report| r.measures.iter().find(|x| x.id == pm.id).cloned();
        let per_quarter: Vec<Option<throughcare_equality::report::MeasureReport>> =
            reports.iter().map(|(_, r)| r.as_ref().and_then(find)).collect();
        let mut tables = vec![Table {
            caption: "Everyone".into(),
            rows: vec![("Everyone".into(), per_quarter.iter().map(|m| cell(m.as_ref().map(|m| &m.overall))).collect())],
        }];
        let breakdowns: Vec<(String, String)> = per_quarter
            .iter()
            .flatten()
            .next()
            .map(|m| m.breakdowns.iter().map(|b| (b.id.clone(), b.title.clone())).collect())
            .unwrap_or_default();
        for (bid, btitle) in breakdowns {
            let mut groups: Vec<(String, String)> = Vec::new();
            for m in per_quarter.iter().flatten() {
                for g in m.breakdowns.iter().filter(|b| b.id == bid).flat_map(|b| &b.groups) {
                    if !groups.iter().any(|(c, _)| *c == g.code) {
                        groups.push((g.code.clone(), g.label.clone()));
                    }
                }
            }
            let rows = groups
                .into_iter()
                .map(|(code, label)| {
                    let cells = per_quarter
                        .iter()
                        .map(|m| {
                            cell(m.as_ref().and_then(|m| {
                                m.breakdowns
                                    .iter()
                                    .find(|b| b.id == bid)
                                    .and_then(|b| b.groups.iter().find(|g| g.code == code))
                            }))
                        })
                        .collect();
                    (label, cells)
                })
                .collect();
            tables.push(Table { caption: btitle, rows });
        }
        blocks.push(MeasureBlock { group: pm.group.clone(), title: m.title.clone(), id: pm.id.clone(), tables });
    }
    if q.format.as_deref() == Some("csv") {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["measure".to_string(), "measure_title".into(), "breakdown".into(), "group".into()];
        header.extend(quarters.iter().cloned());
        w.write_record(&header).map_err(|e| AppError::BadRequest(e.to_string()))?;
        for b in &blocks {
            for t in &b.tables {
                for (group, cells) in &t.rows {
                    let mut line = vec![b.id.clone(), b.title.clone(), t.caption.clone(), group.clone()];
                    line.extend(cells.iter().cloned());
                    w.write_record(&line).map_err(|e| AppError::BadRequest(e.to_string()))?;
                }
            }
        }
        let body =
            String::from_utf8(w.into_inner().map_err(|e| AppError::BadRequest(e.to_string()))?).unwrap_or_default();
        let name = format!("attachment; filename=\"outcome-measures-{}-{}.csv\"", scope.code(), year.start());
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
            body,
        )
            .into_response());
    }
    // One measure in full at a time: every one of them by every characteristic is too long to read.
    let chosen = q.measure.clone().filter(|m| blocks.iter().any(|b| b.id == *m));
    let chosen = chosen.unwrap_or_else(|| blocks.first().map(|b| b.id.clone()).unwrap_or_default());
    let contents = blocks
        .iter()
        .map(|b| {
            let link = format!("/reports/proms?year={}&scope={}&measure={}#{}", year.start(), scope.code(), b.id, b.id);
            (b.id.clone(), b.title.clone(), link)
        })
        .collect();
    blocks.retain(|b| b.id == chosen);
    let mut scopes = vec![];
    if staff.role.estate_wide() {
        scopes.push(("estate".to_string(), "The estate".to_string()));
        for e in state.db.establishments().await? {
            scopes.push((e.code.to_string(), e.name.as_str().to_string()));
        }
    }
    let scope_label = match &scope {
        Scope::Estate => "The estate".to_string(),
        Scope::Establishment(c) => crate::present::Directory::load(&state).await?.establishment(c),
    };
    Ok(PromsPage {
        csv: format!("/reports/proms?year={}&scope={}&format=csv", year.start(), esc(scope.code())),
        scope: scope.code().to_string(),
        scope_label,
        year: year.start().to_string(),
        years: [this_year.previous().previous(), this_year.previous(), this_year]
            .iter()
            .map(|y| (y.start().to_string(), y.label()))
            .collect(),
        scopes,
        quarters,
        source: proms.source,
        blocks,
        contents,
        chosen,
        staff: Some(staff),
    }
    .into_response())
}
