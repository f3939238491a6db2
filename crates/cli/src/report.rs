//! `throughcare report standards`: compliance with each standard over a period.

use anyhow::Result;
use jiff::civil::Date;
use serde::Serialize;
use throughcare_core::EstablishmentCode;
use throughcare_core::codes::CodeSet;
use throughcare_core::standards::engine::compliance;
use throughcare_core::time::{end_of_day_in_england, format_instant};
use throughcare_store::Db;
use throughcare_store::obligations::Engine;

use crate::ReportFormat;

#[derive(Serialize)]
struct Row {
    id: String,
    title: String,
    source: String,
    scope: &'static str,
    team: &'static str,
    applicable: usize,
    met_on_time: usize,
    met_late: usize,
    unmet: usize,
    open_overdue: usize,
    not_applicable: usize,
    not_applicable_reasons: std::collections::BTreeMap<&'static str, usize>,
    on_time_percent: Option<f64>,
    median_hours_to_complete: Option<f64>,
    p90_hours_to_complete: Option<f64>,
}

#[derive(Serialize)]
struct Report {
    period_from: Date,
    period_to: Date,
    establishment: Option<String>,
    as_at: String,
    standards: Vec<Row>,
}

fn round1(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 10.0).round() / 10.0)
}

pub async fn standards(
    db: &Db,
    engine: &Engine,
    (from, to): (Date, Date),
    establishment: Option<String>,
    at: Option<Date>,
    format: ReportFormat,
) -> Result<()> {
    let establishment = establishment.as_deref().map(EstablishmentCode::parse).transpose()?;
    if let Some(e) = &establishment {
        if !db.establishments().await?.iter().any(|x| &x.code == e) {
            anyhow::bail!("there is no establishment {e}");
        }
    }
    let as_at = crate::as_at(at);
    let start = end_of_day_in_england(from.yesterday().expect("in range")) + jiff::SignedDuration::from_micros(1);
    let end = end_of_day_in_england(to);
    let due = db.obligations_due(start, end, establishment.as_ref()).await?;
    let standards = engine
        .standards
        .iter()
        .map(|s| {
            let c = compliance(due.get(s.id.as_str()).map(Vec::as_slice).unwrap_or(&[]), start, end, as_at);
            Row {
                id: s.id.to_string(),
                title: s.title.clone(),
                source: s.source.clone(),
                scope: s.scope.code(),
                team: s.team.code(),
                applicable: c.applicable,
                met_on_time: c.met_on_time,
                met_late: c.met_late,
                unmet: c.unmet,
                open_overdue: c.open_overdue,
                not_applicable: c.not_applicable.values().sum(),
                on_time_percent: round1(c.on_time_rate().map(|r| 100.0 * r)),
                median_hours_to_complete: round1(c.median_hours),
                p90_hours_to_complete: round1(c.p90_hours),
                not_applicable_reasons: c.not_applicable,
            }
        })
        .collect();
    let report = Report {
        period_from: from,
        period_to: to,
        establishment: establishment.map(|e| e.to_string()),
        as_at: format_instant(as_at),
        standards,
    };
    let out = std::io::stdout();
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(out.lock(), &report)?;
            println!();
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out.lock());
            w.write_record([
                "id",
                "title",
                "scope",
                "team",
                "applicable",
                "met_on_time",
                "met_late",
                "unmet",
                "open_overdue",
                "not_applicable",
                "on_time_percent",
                "median_hours_to_complete",
                "p90_hours_to_complete",
            ])?;
            let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
            for r in &report.standards {
                w.write_record([
                    r.id.clone(),
                    r.title.clone(),
                    r.scope.into(),
                    r.team.into(),
                    r.applicable.to_string(),
                    r.met_on_time.to_string(),
                    r.met_late.to_string(),
                    r.unmet.to_string(),
                    r.open_overdue.to_string(),
                    r.not_applicable.to_string(),
                    opt(r.on_time_percent),
                    opt(r.median_hours_to_complete),
                    opt(r.p90_hours_to_complete),
                ])?;
            }
            w.flush()?;
        }
        ReportFormat::Html => print!("{}", html(&report)),
    }
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A plain, accessible page: one table with a caption and header cells, printable from a browser.
fn html(r: &Report) -> String {
    let place = r.establishment.as_deref().unwrap_or("the estate");
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Standards compliance, {place}, {} to {} - throughcare</title>\n\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#0b0c0c}}table{{border-collapse:collapse}}th,td{{border-bottom:1px solid #b1b4b6;padding:.4rem .6rem;text-align:left}}td.n{{text-align:right}}caption{{font-weight:bold;text-align:left;padding-bottom:.5rem}}</style></head>\n\
         <body><main><h1>Standards compliance: {place}</h1>\n<p>Obligations falling due from {} to {}, as known at {}. On time is met on time as a share of applicable (met, unmet or overdue); not applicable means the need stopped before it fell due.</p>\n\
         <table><caption>Compliance by standard</caption><thead><tr><th scope=\"col\">Standard</th><th scope=\"col\">Scope</th><th scope=\"col\">Applicable</th><th scope=\"col\">Met on time</th><th scope=\"col\">Met late</th><th scope=\"col\">Unmet</th><th scope=\"col\">Open and overdue</th><th scope=\"col\">Not applicable</th><th scope=\"col\">On time</th><th scope=\"col\">Median hours</th><th scope=\"col\">90th percentile hours</th></tr></thead><tbody>\n",
        r.period_from,
        r.period_to,
        r.period_from,
        r.period_to,
        esc(&r.as_at)
    );
    let opt = |x: Option<f64>, suffix: &str| x.map_or("–".to_string(), |v| format!("{v}{suffix}"));
    for row in &r.standards {
        s.push_str(&format!(
            "<tr><th scope=\"row\">{}<br><small>{}</small></th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(&row.title), esc(&row.source), row.scope, row.applicable, row.met_on_time, row.met_late, row.unmet, row.open_overdue, row.not_applicable,
            opt(row.on_time_percent, "%"), opt(row.median_hours_to_complete, ""), opt(row.p90_hours_to_complete, "")
        ));
    }
    s.push_str("</tbody></table></main></body></html>\n");
    s
}
