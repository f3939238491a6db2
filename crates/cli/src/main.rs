//! The `throughcare` command: thin parsing of arguments over the crates that do the work.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::{DatabaseUrl, Db, exchange};

/// throughcare: mental-health care and equality for people in prison, from reception to release.
#[derive(Parser)]
#[command(name = "throughcare", version, about, long_about = None)]
struct Cli {
    /// Database to use: sqlite://FILE (created on first use) or postgres://user@host:port/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://throughcare.db", global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty database with a deterministic synthetic estate (establishments, people, a flow of events).
    Seed {
        /// How many establishments (about one in ten holds women).
        #[arg(long, default_value_t = 3)]
        establishments: usize,
        /// How many people spend time in custody during the period.
        #[arg(long, default_value_t = 300)]
        people: usize,
        /// How many years of events, ending on --end.
        #[arg(long, default_value_t = 1)]
        years: u32,
        /// The same seed and end date always give the same estate.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The last day of the period, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date)]
        end: Option<Date>,
    },
    /// Import a CSV file (formats in docs/import-format.md). A file with any bad row imports nothing.
    Import { what: Dataset, file: PathBuf },
    /// Export as CSV in the format import reads; standard output unless --output is given.
    Export {
        what: Dataset,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Dataset {
    /// Prisons: code, name, population.
    Establishments,
    /// People: prison number, names, date of birth, NHS number.
    People,
    /// Timeline events: what happened to whom, when, recorded by whom.
    Events,
}

fn parse_date(s: &str) -> Result<Date, String> {
    throughcare_core::time::parse_date(s)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("throughcare: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let url: DatabaseUrl = cli.database_url.parse()?;
    let db = Db::connect(&url).await.with_context(|| format!("cannot open {url}"))?;
    let outcome = match cli.command {
        Command::Seed { establishments, people, years, seed, end } => {
            let end = end.unwrap_or_else(|| throughcare_core::time::date_in_england(jiff::Timestamp::now()));
            let estate = Estate::new(EstateSpec { establishments, people, years, seed, end });
            let bar = ProgressBar::new(people as u64).with_style(
                ProgressStyle::with_template("{spinner} seeding [{bar:30}] {pos}/{len} people, {elapsed} (eta {eta})")
                    .expect("template")
                    .progress_chars("=> "),
            );
            let started = Instant::now();
            let seeded = throughcare_store::seed::seed(&db, estate, |n| bar.set_position(n as u64)).await;
            bar.finish_and_clear();
            let s = seeded?;
            eprintln!(
                "seeded {} establishments, {} people and {} events ending {end} in {:.1}s",
                s.establishments,
                s.people,
                s.events,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import { what, file } => {
            let input = BufReader::new(File::open(&file).with_context(|| format!("cannot open {}", file.display()))?);
            let n = match what {
                Dataset::Establishments => exchange::import_establishments(&db, input).await,
                Dataset::People => exchange::import_people(&db, input).await,
                Dataset::Events => exchange::import_events(&db, input).await,
            }
            .with_context(|| format!("{} was not imported", file.display()))?;
            eprintln!("imported {n} rows from {}", file.display());
            Ok(())
        }
        Command::Export { what, output } => {
            let out: Box<dyn Write> = match &output {
                Some(path) => Box::new(File::create(path).with_context(|| format!("cannot write {}", path.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let out = BufWriter::new(out);
            let n = match what {
                Dataset::Establishments => exchange::export_establishments(&db, out).await,
                Dataset::People => exchange::export_people(&db, out).await,
                Dataset::Events => exchange::export_events(&db, out).await,
            }?;
            if let Some(path) = output {
                eprintln!("exported {n} rows to {}", path.display());
            }
            Ok(())
        }
    };
    db.close().await;
    outcome
}
