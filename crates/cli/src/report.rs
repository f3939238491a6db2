//! `throughcare report standards` (compliance with each standard over a period) and
//! `throughcare report equality` (every measure by every protected characteristic).

use std::io::Write;

use anyhow::{Context, Result};
use jiff::civil::Date;
use throughcare_core::EstablishmentCode;
use throughcare_store::Db;
use throughcare_store::obligations::{ComplianceReport, Engine};
use throughcare_web::equality::esc;

use crate::ReportFormat;

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
        crate::known_establishment(db, e).await?;
    }
    let as_at = crate::as_at(at)?;
    let report = db.compliance_report(engine, from, to, establishment.as_ref(), as_at).await?;
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

/// A plain, accessible page: one table with a caption and header cells, printable from a browser.
fn html(r: &ComplianceReport) -> String {
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

pub struct EqualityArgs {
    pub establishment: String,
    pub period: throughcare_core::time::Period,
    pub as_at: jiff::Timestamp,
    pub format: ReportFormat,
    pub publish: bool,
    pub output: Option<std::path::PathBuf>,
}

/// Builds the report, records its flags as findings, and writes it (published or internal).
pub async fn equality(db: &Db, engine: &Engine, a: EqualityArgs) -> Result<()> {
    use throughcare_equality::report::Scope;
    use throughcare_web::equality::{build_report, measured_of, standalone_html};
    let scope = match a.establishment.trim() {
        "estate" => Scope::Estate,
        code => Scope::Establishment(EstablishmentCode::parse(code)?),
    };
    let started = std::time::Instant::now();
    let report = build_report(db, engine, scope.clone(), a.period, a.as_at).await??;
    let period = format!("{}..{}", a.period.from, a.period.to);
    let mut tx = db.begin_write().await?;
    let s = tx.record_findings(scope.code(), a.period, a.as_at, &measured_of(&report)).await?;
    tx.audit(
        a.as_at,
        "throughcare report equality",
        "recorded equality findings",
        None,
        &format!(
            "{} {period}: {} new, {} persist, {} no longer flagged",
            scope.code(),
            s.new,
            s.persists,
            s.no_longer_flagged
        ),
    )
    .await?;
    tx.commit().await?;
    eprintln!(
        "{} people, {} comparisons, {} flagged ({} new findings, {} persist, {} no longer flagged) in {:.1}s",
        report.people,
        report.comparisons,
        report.flagged,
        s.new,
        s.persists,
        s.no_longer_flagged,
        started.elapsed().as_secs_f64()
    );
    let report = if a.publish {
        throughcare_web::equality::published_report(db, engine, &report, &scope, a.period, a.as_at).await?
    } else {
        report
    };
    let out: Box<dyn std::io::Write> = match &a.output {
        Some(path) => {
            Box::new(std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    match a.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Csv => report.write_csv(&mut out)?,
        ReportFormat::Html => {
            let findings = db.findings(Some(scope.code())).await?;
            out.write_all(standalone_html(&report, &findings).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}
