//! The `throughcare` command: thin parsing of arguments over the crates that do the work.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use jiff::civil::Date;
use throughcare_core::codes::CodeSet;
use throughcare_core::standards::calendar::Calendar;
use throughcare_core::standards::{StandardSet, builtin_files};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, exchange};

mod report;
mod worklist;

/// throughcare: mental-health care and equality for people in prison, from reception to release.
#[derive(Parser)]
#[command(name = "throughcare", version, about, long_about = None)]
struct Cli {
    /// Database to use: sqlite://FILE (created on first use) or postgres://user@host:port/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://throughcare.db", global = true)]
    database_url: String,
    /// Folder of standards files (*.toml) to use instead of the ones built in.
    #[arg(long, env = "THROUGHCARE_STANDARDS", global = true)]
    standards: Option<PathBuf>,
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
    /// What is due: open obligations at an establishment, most overdue first.
    Worklist {
        #[arg(long)]
        establishment: String,
        /// The day to show the worklist for, YYYY-MM-DD (default: now).
        #[arg(long, value_parser = parse_date)]
        at: Option<Date>,
        /// Only this team's obligations (healthcare, mental-health, key-worker, mbu, safer-custody, resettlement).
        #[arg(long)]
        team: Option<String>,
        /// Only the people this key worker is allocated to.
        #[arg(long)]
        key_worker: Option<String>,
        /// Only this person.
        #[arg(long)]
        person: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Reports: standards compliance over a period.
    Report {
        #[command(subcommand)]
        report: Report,
    },
    /// Check or list the standards (timed commitments) throughcare applies.
    Standards {
        #[command(subcommand)]
        action: StandardsAction,
    },
}

#[derive(Subcommand)]
enum Report {
    /// For each standard: applicable, met on time, met late, unmet, overdue, not applicable, times to completion.
    Standards {
        /// FROM..TO, dates as YYYY-MM-DD (obligations falling due in the period).
        #[arg(long, value_parser = parse_period)]
        period: (Date, Date),
        #[arg(long)]
        establishment: Option<String>,
        /// Figures as known at the end of this day (default: now).
        #[arg(long, value_parser = parse_date)]
        at: Option<Date>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
    },
}

#[derive(Subcommand)]
enum StandardsAction {
    /// Validate standards files without starting anything (default: the built-in standards).
    Check { dir: Option<PathBuf> },
    /// List the standards in force.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Html,
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

fn parse_period(s: &str) -> Result<(Date, Date), String> {
    let (from, to) =
        s.split_once("..").ok_or_else(|| format!("{s:?} must be FROM..TO, e.g. 2026-01-01..2026-03-31"))?;
    let (from, to) = (parse_date(from)?, parse_date(to)?);
    if from > to {
        return Err(format!("the period {s} ends before it starts"));
    }
    Ok((from, to))
}

/// The standards in force: the built-in set, or every *.toml in a folder.
fn load_standards(dir: Option<&Path>) -> Result<StandardSet> {
    let files = match dir {
        None => builtin_files(),
        Some(dir) => {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let text =
                        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    files.push((path.display().to_string(), text));
                }
            }
            files.sort();
            files
        }
    };
    StandardSet::load(&files).map_err(|errors| {
        anyhow::anyhow!(
            "the standards are not valid:\n{}",
            errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
        )
    })
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
        // A reader that stops early (`| head`) is not a failure.
        if e.chain()
            .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
        {
            return;
        }
        eprintln!("throughcare: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    // Standards are checked before anything else starts: a bad file stops everything.
    let standards = load_standards(cli.standards.as_deref())?;
    if let Command::Standards { action } = &cli.command {
        return standards_command(action, standards);
    }
    let engine = Arc::new(Engine { standards, calendar: Calendar::england_and_wales() });
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
            let seeded =
                throughcare_store::seed::seed(&db, estate, Some(engine.clone()), |n| bar.set_position(n as u64)).await;
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
                Dataset::Events => exchange::import_events(&db, input, Some((&engine, Timestamp::now()))).await,
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
        Command::Worklist { establishment, at, team, key_worker, person, format } => {
            worklist::run(&db, &engine, worklist::Args { establishment, at, team, key_worker, person, format }).await
        }
        Command::Report { report: Report::Standards { period, establishment, at, format } } => {
            report::standards(&db, &engine, period, establishment, at, format).await
        }
        Command::Standards { .. } => unreachable!("handled before the database opens"),
    };
    db.close().await;
    outcome
}

fn standards_command(action: &StandardsAction, builtin: StandardSet) -> Result<()> {
    match action {
        StandardsAction::Check { dir } => {
            let set = match dir {
                Some(d) => load_standards(Some(d))?,
                None => builtin,
            };
            println!("{} standards are valid", set.len());
        }
        StandardsAction::List => {
            for s in builtin.iter() {
                println!("{:<34} {:<14} {:<13} {}", s.id, s.team.code(), s.scope.code(), s.title);
            }
        }
    }
    Ok(())
}

/// The end of a day in England and Wales, or now: the moment a worklist or report is "as at".
fn as_at(day: Option<Date>) -> Timestamp {
    day.map_or_else(Timestamp::now, throughcare_core::time::end_of_day_in_england)
}
