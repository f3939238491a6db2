//! Standards-engine benchmark at national volume: event ingest with the engine on versus off,
//! and worklist latency for one establishment, on SQLite and (given a server) PostgreSQL.
//!
//! cargo run --release -p throughcare-bench --bin bench-standards -- [--people 88000]
//!   [--establishments 120] [--postgres URL] [--queries 200]
//!
//! Peers measured in the same run: ingest with the engine off, and for the worklist a bare
//! indexed count of the same establishment's open obligations.

use std::sync::Arc;
use std::time::Instant;
use throughcare_bench::{flags, national_estate, secs, unknown};

use anyhow::{Context, Result};
use jiff::Timestamp;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::{Engine, WorklistFilter};
use throughcare_store::{DatabaseUrl, Db, Table, create_postgres_database, exchange};

struct Args {
    spec: EstateSpec,
    postgres: Option<String>,
    queries: usize,
}

fn args() -> Result<Args> {
    let mut a =
        Args { spec: national_estate(), postgres: std::env::var("THROUGHCARE_TEST_POSTGRES_URL").ok(), queries: 200 };
    for (flag, value) in flags(&mut a.spec)? {
        match flag.as_str() {
            "--postgres" => a.postgres = Some(value),
            "--queries" => a.queries = value.parse()?,
            other => unknown(other)?,
        }
    }
    Ok(a)
}

async fn fresh(backend: &str, name: &str, dir: &std::path::Path, args: &Args) -> Result<Db> {
    let url: DatabaseUrl = if backend == "sqlite" {
        format!("sqlite://{}", dir.join(format!("{name}.db")).display()).parse()?
    } else {
        create_postgres_database(&args.postgres.as_deref().context("no PostgreSQL URL")?.parse()?, name).await?
    };
    Ok(Db::connect(&url).await?)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn run(backend: &str, args: &Args, engine: &Arc<Engine>, dir: &std::path::Path) -> Result<()> {
    println!("\n== {backend} ==");
    let horizon = Estate::new(args.spec.clone()).end();

    // Seeding: the engine runs on the generating thread, so this shows its cost when it overlaps.
    let mut rates = Vec::new();
    let mut seeded = None;
    for (label, maintain) in [("off", None), ("on", Some(engine.clone()))] {
        let db = fresh(backend, &format!("bench_seed_{label}"), dir, args).await?;
        let started = Instant::now();
        let s = throughcare_store::seed::seed(&db, Estate::new(args.spec.clone()), maintain, |_| {}).await?;
        let elapsed = secs(started);
        let obligations = db_count_obligations(&db).await?;
        println!(
            "seed, engine {label:>3}: {elapsed:7.1} s  {:>9.0} events/s  ({} events, {obligations} obligations)",
            s.events as f64 / elapsed,
            s.events
        );
        rates.push(s.events as f64 / elapsed);
        seeded = Some(db);
    }
    println!("seed ingest rate, engine on / off: {:.2}", rates[1] / rates[0]);

    // Import: checked, all-or-nothing; with the engine, everyone touched is recomputed from the stored timeline.
    let source = seeded.expect("seeded with the engine on");
    let mut files = [Vec::new(), Vec::new(), Vec::new()];
    exchange::export_establishments(&source, &mut files[0]).await?;
    exchange::export_people(&source, &mut files[1]).await?;
    exchange::export_events(&source, &mut files[2]).await?;
    let mut rates = Vec::new();
    for (label, maintain) in [("off", false), ("on", true)] {
        let db = fresh(backend, &format!("bench_import_{label}"), dir, args).await?;
        exchange::import_establishments(&db, &files[0][..]).await?;
        exchange::import_people(&db, &files[1][..], horizon).await?;
        let started = Instant::now();
        let n = exchange::import_events(&db, &files[2][..], horizon, engine.as_ref(), maintain).await?;
        let elapsed = secs(started);
        println!("import, engine {label:>3}: {elapsed:7.1} s  {:>9.0} events/s", n as f64 / elapsed);
        rates.push(n as f64 / elapsed);
        if maintain {
            let a = source.obligations_due(Timestamp::MIN, Timestamp::MAX, None).await?;
            let b = db.obligations_due(Timestamp::MIN, Timestamp::MAX, None).await?;
            println!("obligations after import identical to those seeded: {}", if a == b { "yes" } else { "NO" });
        }
        db.close().await;
    }
    println!("import ingest rate, engine on / off: {:.2}", rates[1] / rates[0]);

    // Worklist latency for the busiest men's establishment, against a bare indexed count.
    let (code, open) = busiest(&source).await?;
    let filter = WorklistFilter { establishment: Some(code.parse()?), ..Default::default() };
    let mut worklist = Vec::new();
    let mut count = Vec::new();
    let mut items = 0;
    for _ in 0..args.queries {
        let t = Instant::now();
        items = source.worklist(engine, &filter, horizon).await?.len();
        worklist.push(secs(t) * 1000.0);
        let t = Instant::now();
        source.open_obligation_count(&code).await?;
        count.push(secs(t) * 1000.0);
    }
    worklist.sort_by(f64::total_cmp);
    count.sort_by(f64::total_cmp);
    println!(
        "worklist for {code} ({items} items of {open} open there), {} runs: p50 {:.1} ms, p99 {:.1} ms; bare count p50 {:.2} ms, p99 {:.2} ms; p50 ratio {:.0}",
        args.queries,
        percentile(&worklist, 0.5),
        percentile(&worklist, 0.99),
        percentile(&count, 0.5),
        percentile(&count, 0.99),
        percentile(&worklist, 0.5) / percentile(&count, 0.5)
    );
    assert!(source.count(Table::Events).await? > 0);
    Ok(())
}

async fn db_count_obligations(db: &Db) -> Result<usize> {
    Ok(db.obligations_due(Timestamp::MIN, Timestamp::MAX, None).await?.values().map(Vec::len).sum())
}

async fn busiest(db: &Db) -> Result<(String, i64)> {
    let mut best = (String::new(), -1);
    for e in db.establishments().await? {
        let n = db.open_obligation_count(e.code.as_str()).await?;
        if n > best.1 {
            best = (e.code.to_string(), n);
        }
    }
    Ok(best)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    let s = &args.spec;
    println!(
        "throughcare standards benchmark: {} establishments, {} people, {} year(s), seed {}, ending {}",
        s.establishments, s.people, s.years, s.seed, s.end
    );
    let engine = Arc::new(Engine::builtin());
    println!("{} standards", engine.standards.len());
    let dir = tempfile::tempdir()?;
    run("sqlite", &args, &engine, dir.path()).await?;
    if args.postgres.is_some() {
        run("postgres", &args, &engine, dir.path()).await?;
    } else {
        println!("\n(PostgreSQL skipped: pass --postgres URL or set THROUGHCARE_TEST_POSTGRES_URL)");
    }
    Ok(())
}
