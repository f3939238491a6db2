//! Foundation benchmark: a national-scale synthetic estate generated, seeded, exported, imported
//! and exported again, on SQLite and (given a server) PostgreSQL, with the standards engine off
//! (bench-standards measures it on). Prints figures; asserts nothing
//! but that the round trip is identical, which is the point of the exercise.
//!
//! cargo run --release -p throughcare-bench --bin bench-foundation -- [--people 88000]
//!   [--establishments 120] [--years 1] [--seed 1] [--postgres postgres://postgres@127.0.0.1:55432/postgres]
//!
//! The peer is the database's own bulk loader (sqlite3 `.import`, psql `\copy`) loading the same
//! events file into a bare table with no checks: the ratio is the price of validating every row.

use std::path::Path;
use std::process::Command;
use std::time::Instant;
use throughcare_bench::{flags, national_estate, secs, unknown};

use anyhow::{Context, Result, bail};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::{DatabaseUrl, Db, Table, create_postgres_database, exchange};

struct Args {
    spec: EstateSpec,
    postgres: Option<String>,
}

fn args() -> Result<Args> {
    let mut spec = national_estate();
    let mut postgres = std::env::var("THROUGHCARE_TEST_POSTGRES_URL").ok();
    for (flag, value) in flags(&mut spec)? {
        match flag.as_str() {
            "--postgres" => postgres = Some(value),
            other => unknown(other)?,
        }
    }
    Ok(Args { spec, postgres })
}

async fn export_all(db: &Db, dir: &Path, tag: &str) -> Result<[Vec<u8>; 3]> {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    exchange::export_establishments(db, &mut out[0]).await?;
    exchange::export_people(db, &mut out[1]).await?;
    exchange::export_events(db, &mut out[2]).await?;
    for (name, bytes) in ["establishments", "people", "events"].iter().zip(&out) {
        std::fs::write(dir.join(format!("{tag}-{name}.csv")), bytes)?;
    }
    Ok(out)
}

fn file_size(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// The database's own loader, loading the events file into a bare table: seconds, or None.
fn peer_load(backend: &str, target: &str, events_csv: &Path) -> Option<f64> {
    let create = "CREATE TABLE raw_events (event_id TEXT, prison_number TEXT, kind TEXT, occurred_at TEXT, \
                  recorded_at TEXT, recorded_by TEXT, supersedes TEXT, correction_reason TEXT, details TEXT);";
    let started = Instant::now();
    let status = if backend == "sqlite" {
        Command::new("sqlite3")
            .arg(target)
            .arg(create)
            .arg(format!(".import --csv --skip 1 {} raw_events", events_csv.display()))
            .status()
    } else {
        Command::new("psql")
            .args(["-q", target, "-c", create, "-c"])
            .arg(format!("\\copy raw_events FROM '{}' CSV HEADER", events_csv.display()))
            .status()
    };
    match status {
        Ok(s) if s.success() => Some(secs(started)),
        _ => None,
    }
}

async fn run_backend(name: &str, args: &Args, dir: &Path) -> Result<()> {
    let (seed_url, import_url, peer_target, sizes): (
        DatabaseUrl,
        DatabaseUrl,
        String,
        Option<[std::path::PathBuf; 2]>,
    ) = if name == "sqlite" {
        let a = dir.join("seeded.db");
        let b = dir.join("imported.db");
        (
            format!("sqlite://{}", a.display()).parse()?,
            format!("sqlite://{}", b.display()).parse()?,
            dir.join("peer.db").display().to_string(),
            Some([a, b]),
        )
    } else {
        let admin: DatabaseUrl = args.postgres.as_deref().context("no PostgreSQL URL")?.parse()?;
        (
            create_postgres_database(&admin, "bench_seeded").await?,
            create_postgres_database(&admin, "bench_imported").await?,
            create_postgres_database(&admin, "bench_peer").await?.expose().to_string(),
            None,
        )
    };

    let seeded_db = Db::connect(&seed_url).await?;
    let started = Instant::now();
    let seeded = throughcare_store::seed::seed(&seeded_db, Estate::new(args.spec.clone()), None, |_| {}).await?;
    let seed_s = secs(started);

    let started = Instant::now();
    let first = export_all(&seeded_db, dir, &format!("{name}-1")).await?;
    let export_s = secs(started);
    let seeded_size = seeded_db.size_bytes().await?;
    seeded_db.close().await;

    let imported_db = Db::connect(&import_url).await?;
    let started = Instant::now();
    exchange::import_establishments(&imported_db, &first[0][..]).await?;
    // "Now" for the import is the end of the estate: every generated event is recorded by then.
    let now = Estate::new(args.spec.clone()).end();
    exchange::import_people(&imported_db, &first[1][..], now).await?;
    let events = exchange::import_events(
        &imported_db,
        &first[2][..],
        now,
        &throughcare_store::obligations::Engine::builtin(),
        false,
    )
    .await?;
    let import_s = secs(started);
    let second = export_all(&imported_db, dir, &format!("{name}-2")).await?;
    let identical = first == second;
    let imported_size = imported_db.size_bytes().await?;
    assert_eq!(imported_db.count(Table::Events).await?, events as i64);
    imported_db.close().await;

    let peer_s = peer_load(name, &peer_target, &dir.join(format!("{name}-1-events.csv")));

    let mb = |b: f64| b / 1_048_576.0;
    println!("\n== {name} ==");
    println!(
        "estate:            {} establishments, {} people, {} events",
        seeded.establishments, seeded.people, seeded.events
    );
    println!(
        "seed (generate+write, one transaction): {seed_s:8.1} s  {:>10.0} events/s",
        seeded.events as f64 / seed_s
    );
    println!(
        "export (3 files):  {export_s:8.1} s  {:>10.0} events/s  events.csv {:.0} MB",
        events as f64 / export_s,
        mb(first[2].len() as f64)
    );
    println!("import (validated, all-or-nothing): {import_s:8.1} s  {:>10.0} events/s", events as f64 / import_s);
    match peer_s {
        Some(p) => println!(
            "peer: {} bulk load of the same events, unchecked: {p:8.1} s  {:>10.0} events/s  → import/peer time ratio {:.2}",
            if name == "sqlite" { "sqlite3 .import" } else { "psql \\copy" },
            events as f64 / p,
            import_s / p
        ),
        None => println!("peer: bulk loader not available on this machine"),
    }
    println!(
        "database size:     {:.0} MB as seeded, {:.0} MB as imported (as the database reports it)",
        mb(seeded_size as f64),
        mb(imported_size as f64)
    );
    if let Some([a, b]) = sizes {
        println!(
            "files on disk:     {:.0} MB seeded, {:.0} MB imported (with WAL)",
            mb(file_size(&a) as f64),
            mb(file_size(&b) as f64)
        );
    }
    println!("round trip identical: {}", if identical { "yes" } else { "NO" });
    if !identical {
        bail!("{name}: export → import → export changed the data");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    let s = &args.spec;
    println!(
        "throughcare foundation benchmark: {} establishments, {} people, {} year(s), seed {}, ending {}",
        s.establishments, s.people, s.years, s.seed, s.end
    );

    // Generation alone, for the share of seeding that is CPU rather than database.
    let estate = Estate::new(args.spec.clone());
    let started = Instant::now();
    let events: usize = (0..s.people).map(|i| estate.person(i).1.len()).sum();
    let gen_s = secs(started);
    println!("generation only (no database): {gen_s:.1} s, {events} events, {:.0} events/s", events as f64 / gen_s);

    let dir = tempfile::tempdir()?;
    run_backend("sqlite", &args, dir.path()).await?;
    if args.postgres.is_some() {
        run_backend("postgres", &args, dir.path()).await?;
    } else {
        println!("\n(PostgreSQL skipped: pass --postgres URL or set THROUGHCARE_TEST_POSTGRES_URL)");
    }
    Ok(())
}
