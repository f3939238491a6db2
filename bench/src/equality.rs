//! Equality benchmark: the estate-wide annual equality report at national volume, against DuckDB
//! computing the same counts from the exported events file in the same run. The counts must match
//! (the run fails if they do not); the times are printed, never asserted.
//!
//! cargo run --release -p throughcare-bench --bin bench-equality -- [--people 88000]
//!   [--establishments 120] [--seed 1] [--python PYTHON-WITH-DUCKDB]
//!
//! The peer: bench/duckdb/equality.py (pip install duckdb) loads events.csv and computes, for use of
//! force, self-harm, the Basic level and proven adjudications, the people counted and those with
//! the outcome by sex, ethnic group and religion as in force at the time, and self-harm incidents.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;
use throughcare_bench::{flags, national_estate, secs, unknown};

use anyhow::{Context, Result, bail};
use throughcare_core::synthetic::Estate;
use throughcare_core::time::{Period, format_instant};
use throughcare_equality::disclosure::publish;
use throughcare_equality::report::{ReportBuilder, Scope, Setting};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, exchange};

#[tokio::main]
async fn main() -> Result<()> {
    let mut spec = national_estate();
    let mut python = std::env::var("THROUGHCARE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    for (flag, value) in flags(&mut spec)? {
        match flag.as_str() {
            "--python" => python = value,
            other => unknown(other)?,
        }
    }
    let period = Period::parse("2025-04-01..2026-03-31").map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let url: DatabaseUrl = format!("sqlite://{}", dir.path().join("bench.db").display()).parse()?;
    let db = Db::connect(&url).await?;
    let t = Instant::now();
    let seeded = throughcare_store::seed::seed(&db, Estate::new(spec.clone()), None, |_| {}).await?;
    println!(
        "seeded {} people, {} establishments, {} events into SQLite in {:.1}s (not timed below)",
        seeded.people,
        seeded.establishments,
        seeded.events,
        secs(t)
    );

    let engine = Engine::builtin();
    let establishments = db.establishments().await?;
    // Run a month after the period ends, as an annual report would be.
    let as_at = period.end()? + jiff::SignedDuration::from_hours(24 * 30);
    let setting = |scope| Setting {
        measures: &engine.measures,
        standards: &engine.standards,
        calendar: &engine.calendar,
        establishments: &establishments,
        scope,
        period,
        as_at,
    };
    let t = Instant::now();
    let mut builder = ReportBuilder::new(setting(Scope::Estate))?;
    let mut read_s = 0.0;
    let mut last = Instant::now();
    let mut compute_s = 0.0;
    db.for_each_timeline(None, |p, tl| {
        read_s += secs(last);
        let c = Instant::now();
        builder.add(p, tl);
        compute_s += secs(c);
        last = Instant::now();
    })
    .await?;
    let c = Instant::now();
    let report = builder.finish()?;
    let statistics_s = secs(c);
    compute_s += statistics_s;
    let ours = secs(t);
    let c = Instant::now();
    let published = publish(&report);
    let publish_s = secs(c);
    println!(
        "throughcare: estate report of {} people, {} measures, {} comparisons, {} flagged in {ours:.2}s \
         (reading timelines {read_s:.2}s, counting and statistics {compute_s:.2}s, of which statistics \
         {statistics_s:.2}s); disclosure control {publish_s:.2}s",
        report.people,
        report.measures.len(),
        report.comparisons,
        report.flagged
    );

    // A governor's view: one establishment, reading only the people received there.
    let one = establishments
        .iter()
        .find(|e| e.population == throughcare_core::person::Population::Men)
        .context("a prison")?;
    let t = Instant::now();
    let mut builder = ReportBuilder::new(setting(Scope::Establishment(one.code.clone())))?;
    let read = db.for_each_timeline(Some(&one.code), |p, tl| builder.add(p, tl)).await?;
    let local = builder.finish()?;
    println!("throughcare: {} report of {} people (read {read} timelines) in {:.2}s", one.code, local.people, secs(t));

    // What the flags are about, so a reader can judge them (the realistic estate has women's
    // higher self-harm built in, as the cited figures say).
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for (m, b, _) in report.flags() {
        *by.entry(format!("{} by {}", m.id, b.id)).or_default() += 1;
    }
    println!("flags: {by:?}");

    let t = Instant::now();
    let events = dir.path().join("events.csv");
    let file = std::io::BufWriter::new(std::fs::File::create(&events)?);
    let n = exchange::export_events(&db, file).await?;
    println!("exported {n} events in {:.2}s (the peer's input; not timed in the ratio)", secs(t));

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/duckdb/equality.py");
    let t = Instant::now();
    let out = Command::new(&python)
        .args([script, &events.display().to_string(), &format_instant(period.start()?), &format_instant(period.end()?)])
        .output()
        .with_context(|| format!("cannot run {python} (it needs duckdb: pip install duckdb)"))?;
    let peer_wall = secs(t);
    if !out.status.success() {
        bail!("the DuckDB peer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let (load, query) = (peer["load_s"].as_f64().unwrap_or(0.0), peer["query_s"].as_f64().unwrap_or(0.0));
    println!(
        "DuckDB {}: {} people; loading the CSV {load:.2}s, the same counts {query:.2}s, {peer_wall:.2}s with Python start-up",
        peer["duckdb"].as_str().unwrap_or("?"),
        peer["people"]
    );

    // Every count DuckDB made must be the report's.
    let mut compared = 0;
    let mut wrong = Vec::new();
    assert_eq!(peer["people"].as_u64(), Some(report.people), "people in custody in the period");
    for (measure, by) in peer["counts"].as_object().context("counts")? {
        let m = report.measures.iter().find(|m| &m.id == measure).context("measure")?;
        for (breakdown, groups) in by.as_object().context("breakdown")? {
            let b = m.breakdowns.iter().find(|b| &b.id == breakdown).context("breakdown")?;
            let theirs: BTreeMap<&str, (Option<u64>, Option<u64>)> = groups
                .as_object()
                .context("groups")?
                .iter()
                .map(|(g, v)| (g.as_str(), (v[0].as_u64(), v[1].as_u64())))
                .collect();
            let mine: BTreeMap<&str, (Option<u64>, Option<u64>)> = b
                .groups
                .iter()
                // DuckDB counts incidents from the incidents themselves, so a group with time in
                // custody and none has no row there.
                .filter(|g| m.kind != "incidents" || g.numerator.is_some_and(|n| n > 0))
                .map(|g| (g.code.as_str(), (g.numerator, if m.kind == "incidents" { None } else { g.denominator })))
                .collect();
            compared += theirs.len();
            if theirs != mine {
                wrong.push(format!("{measure} by {breakdown}: DuckDB {theirs:?}, throughcare {mine:?}"));
            }
        }
    }
    if !wrong.is_empty() {
        bail!("the counts differ:\n{}", wrong.join("\n"));
    }
    println!("counts match: {compared} group counts across 5 measures and 3 breakdowns");
    println!(
        "ratio: throughcare's whole report (every measure, every breakdown, statistics) {ours:.2}s / DuckDB's load and \
         5 measures {:.2}s = {:.2}; computing alone {compute_s:.2}s / DuckDB's queries alone {query:.2}s = {:.2}",
        load + query,
        ours / (load + query),
        compute_s / query
    );
    println!(
        "published report: {} measures, JSON {} bytes",
        published.measures.len(),
        serde_json::to_vec(&published)?.len()
    );
    Ok(())
}
