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
use throughcare_core::PrisonNumber;
use throughcare_core::codes::CodeSet;
use throughcare_core::measures::MeasureSet;
use throughcare_core::standards::calendar::Calendar;
use throughcare_core::standards::{StandardSet, builtin_files};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_core::time::Period;
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, exchange};

mod demo;
mod report;
mod worklist;

use std::net::SocketAddr;
use throughcare_web::clock::Clock;
use throughcare_web::{AppState, Config};

/// throughcare: mental-health care and equality for people in prison, from reception to release.
#[derive(Parser)]
#[command(name = "throughcare", version, about, long_about = None)]
struct Cli {
    /// Database to use: sqlite://FILE (created on first use) or postgres://user@host:port/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://throughcare.db", global = true)]
    database_url: String,
    /// Folder of standards files (*.toml) to use instead of the ones built in; measures for the
    /// equality report are read from its `measures/` folder if it has one.
    #[arg(long, env = "THROUGHCARE_STANDARDS", global = true)]
    standards: Option<PathBuf>,
    /// Folder of screening instrument files (*.toml) to use instead of the ones built in.
    #[arg(long, env = "THROUGHCARE_INSTRUMENTS", global = true)]
    instruments: Option<PathBuf>,
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
        /// How outcomes depend on who people are: as the cited figures say, equal for everyone,
        /// or equal except use of force twice as likely for Black people (to check the equality report).
        #[arg(long, value_enum, default_value_t = SeedOutcomes::Realistic)]
        outcomes: SeedOutcomes,
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
    /// Reports: standards compliance, and the annual equality report.
    Report {
        #[command(subcommand)]
        report: Report,
    },
    /// Check or list the standards (timed commitments) throughcare applies.
    Standards {
        #[command(subcommand)]
        action: StandardsAction,
    },
    /// Serve the staff pages and the JSON API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Mark session cookies Secure (set when served over HTTPS, directly or behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// Run as if it were this instant (RFC 3339), the clock running on from it: for tests and training.
        #[arg(long, value_parser = parse_now)]
        now: Option<Timestamp>,
    },
    /// Try throughcare: a demo database with a seeded estate and one account per role, then serve.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Password for every demo account (default: one is generated and printed).
        #[arg(long)]
        password: Option<String>,
        /// Run the demo as if it were this instant (RFC 3339), the clock running on from it.
        #[arg(long, value_parser = parse_now)]
        now: Option<Timestamp>,
    },
    /// Findings from the equality report: list, show, assign, explain, plan a reform, review.
    Finding {
        #[command(subcommand)]
        action: FindingAction,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// A person's record between prisons: throughcare's own file, or a FHIR R4 UK Core bundle.
    Transfer {
        #[command(subcommand)]
        action: TransferAction,
    },
    /// Match a file of people known to community services (CSV: nhs_number, service, known_from,
    /// known_until) against people in custody; flag anyone whose reception screen found no
    /// mental-health need, so healthcare screens them again.
    CommunityRecords {
        file: PathBuf,
        /// Who is importing, for the audit trail and the timeline.
        #[arg(long, default_value = "community.records")]
        by: String,
    },
}

#[derive(Subcommand)]
enum TransferAction {
    /// Write one person's record: the whole timeline as throughcare's file, or a FHIR bundle.
    Export {
        prison_number: String,
        #[arg(long, value_enum, default_value_t = TransferFormat::Throughcare)]
        format: TransferFormat,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Read a record (throughcare's file or a FHIR bundle, told apart by its content): all of it,
    /// or nothing, with every problem named.
    Import {
        file: PathBuf,
        /// Who is importing, for the audit trail and the events a bundle becomes.
        #[arg(long, default_value = "transfer.import")]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TransferFormat {
    Throughcare,
    Fhir,
}

#[derive(Subcommand)]
enum UserAction {
    /// Add an account. The password comes from --password or THROUGHCARE_PASSWORD, or is generated and printed.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// One of the roles in docs/roles.md, e.g. key-worker.
        #[arg(long)]
        role: String,
        #[arg(long)]
        establishment: Option<String>,
        #[arg(long, env = "THROUGHCARE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Disable an account: signs it out and revokes its API tokens.
    Disable { username: String },
    /// Set a new password (generated and printed unless given); signs the account out everywhere.
    ResetPassword {
        username: String,
        #[arg(long, env = "THROUGHCARE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Create an API token for an account (printed once; only its hash is kept).
    Token { username: String },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the hash chain: exit 0 when intact, otherwise name the first bad entry.
    Verify,
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
    /// Every measure by every protected characteristic, with flags for explain-or-reform. Records
    /// the flags as findings (new, persisting, no longer flagged).
    Equality {
        /// An establishment code, or `estate`.
        #[arg(long)]
        establishment: String,
        /// FROM..TO, dates as YYYY-MM-DD, for example 2025-04-01..2026-03-31.
        #[arg(long, value_parser = Period::parse)]
        period: Period,
        /// Figures as known at the end of this day (default: now).
        #[arg(long, value_parser = parse_date)]
        at: Option<Date>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// For publication: withhold small numbers so no group can be identified, leave out intersections.
        #[arg(long)]
        publish: bool,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum FindingAction {
    /// Every finding, open ones first.
    List {
        /// Only this scope: an establishment code, or `estate`.
        #[arg(long)]
        scope: Option<String>,
    },
    /// One finding and its history.
    Show { id: i64 },
    /// Give a finding an owner.
    Assign {
        id: i64,
        #[arg(long)]
        owner: String,
        /// Who is making the change.
        #[arg(long)]
        by: String,
    },
    /// Explain a finding, with the evidence.
    Explain {
        id: i64,
        #[arg(long)]
        evidence: String,
        #[arg(long)]
        by: String,
    },
    /// Plan a reform, with actions and a date to review it.
    Reform {
        id: i64,
        #[arg(long)]
        actions: String,
        #[arg(long, value_parser = parse_date)]
        review_by: Date,
        #[arg(long)]
        by: String,
    },
    /// Record the review of an explanation or a reform.
    Review {
        id: i64,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        by: String,
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
enum SeedOutcomes {
    Realistic,
    Equal,
    /// Use of force at three times the rate for Black people: a disparity the report must find
    /// among every measure and group it tests (the family grows with each pathway's measures).
    PlantedUseOfForce,
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
    Period::parse(s).map(|p| (p.from, p.to))
}

/// The standards in force: the built-in set, or every *.toml in a folder.
fn load_standards(dir: Option<&Path>) -> Result<StandardSet> {
    let files = match dir {
        None => builtin_files(),
        Some(dir) => toml_files(dir)?,
    };
    StandardSet::load(&files).map_err(|errors| invalid("standards", &errors))
}

/// A reference file (`reference/NAME` beside the standards when the folder given has one,
/// otherwise the built-in copy), loaded by `load`. A bad file stops everything, naming file and line.
fn load_reference<T>(
    dir: Option<&Path>,
    what: &str,
    builtin: (&str, &str),
    load: fn(&str, &str) -> std::result::Result<T, throughcare_core::standards::StandardsError>,
) -> Result<T> {
    let file_name = Path::new(builtin.0).file_name().expect("a built-in file has a name");
    let (name, text) = match dir.map(|d| d.join("reference").join(file_name)).filter(|f| f.is_file()) {
        None => (builtin.0.to_string(), builtin.1.to_string()),
        Some(f) => {
            let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
            (f.display().to_string(), text)
        }
    };
    load(&name, &text).map_err(|e| invalid(what, &[e]))
}

/// The festival calendar (for "coming up" on key work pages).
fn load_festivals(dir: Option<&Path>) -> Result<throughcare_core::pathways::festivals::FestivalCalendar> {
    use throughcare_core::pathways::festivals::{BUILTIN, FestivalCalendar};
    load_reference(dir, "festivals", BUILTIN, FestivalCalendar::load)
}

/// The information library (what people in prison are given to read).
fn load_library(dir: Option<&Path>) -> Result<throughcare_core::information::Library> {
    use throughcare_core::information::{BUILTIN, Library};
    load_reference(dir, "information library", BUILTIN, Library::load)
}

/// The screening instruments: the built-in ones, or every *.toml in the folder given.
fn load_instruments(dir: Option<&Path>) -> Result<throughcare_core::instruments::InstrumentSet> {
    let files = match dir {
        None => throughcare_core::instruments::builtin_files(),
        Some(dir) => toml_files(dir)?,
    };
    throughcare_core::instruments::InstrumentSet::load(&files).map_err(|errors| invalid("instruments", &errors))
}

/// The measures the equality report uses: `measures/*.toml` beside the standards when a folder
/// is given and has one, otherwise the built-in measures. Every standard is a measure too.
fn load_measures(dir: Option<&Path>, standards: &StandardSet) -> Result<MeasureSet> {
    let files = match dir.map(|d| d.join("measures")).filter(|d| d.is_dir()) {
        None => throughcare_core::measures::builtin_files(),
        Some(dir) => toml_files(&dir)?,
    };
    MeasureSet::load(&files, standards).map_err(|errors| invalid("measures", &errors))
}

/// Every *.toml in a folder as (path, text), in name order.
fn toml_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    Ok(files)
}

fn invalid(what: &str, errors: &[throughcare_core::standards::StandardsError]) -> anyhow::Error {
    anyhow::anyhow!(
        "the {what} are not valid:\n{}",
        errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
    )
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
    let measures = load_measures(cli.standards.as_deref(), &standards)?;
    if let Command::Standards { action } = &cli.command {
        return standards_command(action, standards, measures);
    }
    let instruments = load_instruments(cli.instruments.as_deref())?;
    let festivals = load_festivals(cli.standards.as_deref())?;
    let library = load_library(cli.standards.as_deref())?;
    let engine = Arc::new(Engine {
        standards,
        measures,
        calendar: Calendar::england_and_wales(),
        instruments,
        festivals,
        library,
    });
    let url: DatabaseUrl = cli.database_url.parse()?;
    let db = Db::connect(&url).await.with_context(|| format!("cannot open {url}"))?;
    let outcome = match cli.command {
        Command::Seed { establishments, people, years, seed, end, outcomes } => {
            use throughcare_core::synthetic::Outcomes;
            let end = end.unwrap_or_else(|| throughcare_core::time::date_in_england(jiff::Timestamp::now()));
            let outcomes = match outcomes {
                SeedOutcomes::Realistic => Outcomes::Realistic,
                SeedOutcomes::Equal => Outcomes::Equal,
                SeedOutcomes::PlantedUseOfForce => Outcomes::PlantedUseOfForce {
                    group: throughcare_core::characteristics::EthnicGroup::Black,
                    factor: 3.0,
                },
            };
            let estate = Estate::new(EstateSpec { establishments, people, years, seed, end }).with_outcomes(outcomes);
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
                Dataset::People => exchange::import_people(&db, input, Timestamp::now()).await,
                Dataset::Events => exchange::import_events(&db, input, Timestamp::now(), &engine, true).await,
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
        Command::Report { report: Report::Equality { establishment, period, at, format, publish, output } } => {
            let args = report::EqualityArgs { establishment, period, as_at: as_at(at)?, format, publish, output };
            report::equality(&db, &engine, args).await
        }
        Command::Finding { action } => finding_command(&db, action).await,
        Command::Standards { .. } => unreachable!("handled before the database opens"),
        Command::Serve { addr, secure_cookies, now } => {
            let clock = now.map_or(Clock::System, Clock::starting_at);
            let state = AppState::new(db.clone(), engine.clone(), Config { secure_cookies, clock });
            eprintln!("throughcare is serving on http://{addr}");
            throughcare_web::serve(addr, state).await.with_context(|| format!("cannot serve on {addr}"))
        }
        Command::Demo { addr, password, now } => {
            let clock = now.map_or(Clock::System, Clock::starting_at);
            demo::run(&db, engine.clone(), addr, password, url.is_sqlite(), clock).await
        }
        Command::User { action } => user_command(&db, action).await,
        Command::Transfer { action } => transfer_command(&db, &engine, action).await,
        Command::CommunityRecords { file, by } => {
            let input = BufReader::new(File::open(&file).with_context(|| format!("cannot open {}", file.display()))?);
            let m = throughcare_store::community::import(&db, input, &engine, Timestamp::now(), &by)
                .await
                .with_context(|| format!("{} was not imported", file.display()))?;
            eprintln!(
                "{} rows: {} people in custody known to community services, {} flagged for a re-screen{}",
                m.rows,
                m.in_custody.len(),
                m.flagged.len(),
                if m.already > 0 { format!(" ({} matched before)", m.already) } else { String::new() }
            );
            for pn in &m.flagged {
                println!("{pn}");
            }
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => match db.verify_audit().await? {
            Ok(n) => {
                println!("the audit trail is intact: {n} entries");
                Ok(())
            }
            Err(broken) => Err(anyhow::anyhow!("the audit trail is broken at {broken}")),
        },
    };
    db.close().await;
    outcome
}

async fn transfer_command(db: &Db, engine: &Engine, action: TransferAction) -> Result<()> {
    use throughcare_store::transfer;
    let now = Timestamp::now();
    match action {
        TransferAction::Export { prison_number, format, output } => {
            let pn = PrisonNumber::parse(&prison_number.to_uppercase())?;
            let text = match format {
                TransferFormat::Throughcare => transfer::export_record(db, &pn, now).await?.to_json(),
                TransferFormat::Fhir => {
                    serde_json::to_string_pretty(&transfer::export_fhir(db, &pn, now).await?).expect("JSON") + "\n"
                }
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote the record of {pn} to {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        TransferAction::Import { file, by } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let imported = read_transfer(db, engine, &text, now, &by)
                .await
                .with_context(|| format!("{} was not imported", file.display()))?;
            eprintln!(
                "{}: {} ({} events added, {} already on record)",
                imported.prison_number,
                if imported.new_person { "new to this estate" } else { "already on record" },
                imported.events_added,
                imported.events_known
            );
            Ok(())
        }
    }
}

/// A transfer file of either kind: a FHIR bundle says so in its `resourceType`.
async fn read_transfer(
    db: &Db,
    engine: &Engine,
    text: &str,
    now: Timestamp,
    by: &str,
) -> Result<throughcare_store::transfer::Imported, throughcare_store::transfer::TransferError> {
    use throughcare_store::transfer::{self, Paths, TransferError};
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| TransferError::Rejected(vec![throughcare_core::transfer::Problem::new("file", e.to_string())]))?;
    if json.get("resourceType").is_some() {
        transfer::import_fhir(db, &json, engine, now, by).await
    } else {
        let record = throughcare_core::transfer::TransferRecord::parse(text).map_err(TransferError::Rejected)?;
        transfer::import_record(db, &record, engine, now, by, Paths::RECORD).await
    }
}

/// A password for a new account: given, or a generated one printed once.
fn password_or_generated(password: Option<String>) -> (String, bool) {
    match password {
        Some(p) => (p, false),
        None => (throughcare_web::auth::new_token()[..20].to_string(), true),
    }
}

async fn user_command(db: &Db, action: UserAction) -> Result<()> {
    use throughcare_web::roles::Role;
    match action {
        UserAction::Add { username, name, role, establishment, password } => {
            let role = Role::parse_code(&role)?;
            let establishment = establishment.as_deref().map(throughcare_core::EstablishmentCode::parse).transpose()?;
            if let Some(e) = &establishment {
                known_establishment(db, e).await?;
            }
            if db.staff(&username.to_ascii_lowercase()).await?.is_some() {
                anyhow::bail!("there is already an account {username}");
            }
            let (password, generated) = password_or_generated(password);
            throughcare_web::auth::add_staff(db, &username, &name, role, establishment, &password, Timestamp::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("added {username} as {}", role.label());
            if generated {
                println!("password: {password}");
            }
        }
        UserAction::Disable { username } => {
            let mut tx = db.begin_write().await?;
            if !tx.set_disabled(&username, true).await? {
                anyhow::bail!("there is no account {username}");
            }
            tx.audit(Timestamp::now(), "system", "account-disabled", None, &username).await?;
            tx.commit().await?;
            println!("disabled {username}: signed out and API tokens revoked");
        }
        UserAction::ResetPassword { username, password } => {
            let (password, generated) = password_or_generated(password);
            if password.chars().count() < 12 {
                anyhow::bail!("a password needs at least 12 characters");
            }
            let mut tx = db.begin_write().await?;
            if !tx.set_password(&username, &throughcare_web::hash_password(&password)).await? {
                anyhow::bail!("there is no account {username}");
            }
            tx.audit(Timestamp::now(), "system", "password-reset", None, &username).await?;
            tx.commit().await?;
            println!("new password set for {username}; they are signed out everywhere");
            if generated {
                println!("password: {password}");
            }
        }
        UserAction::Token { username } => {
            if db.staff(&username).await?.is_none_or(|s| s.disabled) {
                anyhow::bail!("there is no active account {username}");
            }
            let token = throughcare_web::auth::new_token();
            let mut tx = db.begin_write().await?;
            tx.insert_api_token(&throughcare_store::staff::sha256_hex(token.as_bytes()), &username, Timestamp::now())
                .await?;
            tx.audit(Timestamp::now(), "system", "api-token-created", None, &username).await?;
            tx.commit().await?;
            println!("{token}");
        }
    }
    Ok(())
}

fn standards_command(action: &StandardsAction, builtin: StandardSet, measures: MeasureSet) -> Result<()> {
    match action {
        StandardsAction::Check { dir } => {
            let (set, measures) = match dir {
                Some(d) => {
                    let set = load_standards(Some(d))?;
                    let measures = load_measures(Some(d), &set)?;
                    load_festivals(Some(d))?;
                    load_library(Some(d))?;
                    (set, measures)
                }
                None => (builtin, measures),
            };
            println!("{} standards and {} measures are valid", set.len(), measures.measures.len());
        }
        StandardsAction::List => {
            for s in builtin.iter() {
                println!("{:<34} {:<24} {:<46} {}", s.id, s.team.label(), s.scope.label(), s.title);
            }
        }
    }
    Ok(())
}

async fn finding_command(db: &Db, action: FindingAction) -> Result<()> {
    use throughcare_core::finding::{FindingChange, FindingText};
    let staff = |name: &str| throughcare_core::StaffRef::parse(name).map_err(|e| anyhow::anyhow!("{e}"));
    let text = |what: &str, v: &str| FindingText::parse(what, v).map_err(|e| anyhow::anyhow!("{e}"));
    let now = Timestamp::now();
    let (id, by, change) = match action {
        FindingAction::List { scope } => {
            for f in db.findings(scope.as_deref()).await? {
                println!(
                    "{:>5}  {:<8} {:<40} {:<18} {}",
                    f.id,
                    f.scope,
                    f.status.label(),
                    f.owner.as_deref().unwrap_or("nobody yet"),
                    f.title
                );
            }
            return Ok(());
        }
        FindingAction::Show { id } => {
            let Some((f, updates)) = db.finding(id).await? else { anyhow::bail!("there is no finding {id}") };
            println!(
                "{}\nscope {}, status: {}, owner {}",
                f.title,
                f.scope,
                f.status.label(),
                f.owner.as_deref().unwrap_or("none")
            );
            for u in updates {
                println!("  {:<32} {:<20} {}", throughcare_core::display::instant(u.at), u.by, u.note);
            }
            return Ok(());
        }
        FindingAction::Assign { id, owner, by } => {
            let (owner, by) = (staff(&owner)?, staff(&by)?);
            for who in [&owner, &by] {
                if db.staff(who.as_str()).await?.is_none() {
                    anyhow::bail!("there is no member of staff {who}");
                }
            }
            let mut tx = db.begin_write().await?;
            if !tx.assign_finding(id, &owner, &by, now).await? {
                anyhow::bail!("there is no finding {id}");
            }
            tx.audit(now, by.as_str(), "changed an equality finding", None, &format!("finding {id}: assign")).await?;
            tx.commit().await?;
            eprintln!("finding {id} is owned by {owner}");
            return Ok(());
        }
        FindingAction::Explain { id, evidence, by } => {
            (id, by, FindingChange::Explain { evidence: text("evidence", &evidence)? })
        }
        FindingAction::Reform { id, actions, review_by, by } => {
            (id, by, FindingChange::PlanReform { actions: text("actions", &actions)?, review_by })
        }
        FindingAction::Review { id, outcome, by } => {
            (id, by, FindingChange::Review { outcome: text("outcome", &outcome)? })
        }
    };
    let by = staff(&by)?;
    if db.staff(by.as_str()).await?.is_none() {
        anyhow::bail!("there is no member of staff {by}: give the username of the person answering for the finding");
    }
    let mut tx = db.begin_write().await?;
    if let Err(reason) = tx.change_finding(id, &change, &by, now).await? {
        anyhow::bail!("{reason}");
    }
    tx.audit(
        now,
        by.as_str(),
        "changed an equality finding",
        None,
        &format!("finding {id}: {}", change.status().code()),
    )
    .await?;
    tx.commit().await?;
    eprintln!("finding {id} is now: {}", change.status().label());
    Ok(())
}

/// Refuses an establishment code that is not on record.
async fn known_establishment(db: &Db, code: &throughcare_core::EstablishmentCode) -> Result<()> {
    if !db.establishments().await?.iter().any(|e| &e.code == code) {
        anyhow::bail!("there is no establishment {code}");
    }
    Ok(())
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    throughcare_core::time::parse_instant(s)
}

/// The end of a day in England and Wales, or now: the moment a worklist or report is "as at".
/// At most a year ahead: recurring obligations are rolled forward to it, and a far date would
/// make that work without end.
fn as_at(day: Option<Date>) -> Result<Timestamp> {
    let now = Timestamp::now();
    let Some(day) = day else { return Ok(now) };
    let limit = throughcare_core::time::add_days(throughcare_core::time::date_in_england(now), 366)?;
    if day > limit {
        anyhow::bail!("--at {day} is more than a year ahead: give a date on or before {limit}");
    }
    Ok(throughcare_core::time::end_of_day_in_england(day)?)
}
