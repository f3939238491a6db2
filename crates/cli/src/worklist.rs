//! `throughcare worklist`: what is due, for an establishment, a team, a key worker or a person.

use anyhow::{Context, Result};
use jiff::civil::Date;
use throughcare_core::{EstablishmentCode, PrisonNumber};
use throughcare_store::Db;
use throughcare_store::obligations::{Engine, WorklistFilter};

use crate::Format;

pub struct Args {
    pub establishment: String,
    pub at: Option<Date>,
    pub team: Option<String>,
    pub key_worker: Option<String>,
    pub person: Option<String>,
    pub format: Format,
}

pub async fn run(db: &Db, engine: &Engine, args: Args) -> Result<()> {
    let establishment = EstablishmentCode::parse(&args.establishment)?;
    crate::known_establishment(db, &establishment).await?;
    if let Some(team) = &args.team {
        use throughcare_core::codes::CodeSet;
        throughcare_core::standards::Team::parse_code(team)?;
    }
    let as_at = crate::as_at(args.at)?;
    // Recurring obligations are kept rolled forward; a later date rolls them on first (a write, once).
    let rolled = db.roll_obligations_forward(engine, as_at).await.context("cannot roll obligations forward")?;
    if rolled > 0 {
        eprintln!("rolled recurring obligations forward for {rolled} people");
    }
    let filter = WorklistFilter {
        establishment: Some(establishment),
        team: args.team,
        key_worker: args.key_worker,
        person: args.person.as_deref().map(PrisonNumber::parse).transpose()?,
    };
    let items = db.worklist(engine, &filter, as_at).await?;
    let out = std::io::stdout();
    match args.format {
        Format::Json => serde_json::to_writer_pretty(out.lock(), &items)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out.lock());
            for item in &items {
                w.serialize(item)?;
            }
            w.flush()?;
        }
        Format::Table => {
            // Words a person reads: due times in London time, status and team by their labels.
            use std::io::Write;
            use throughcare_core::codes::CodeSet;
            let mut out = out.lock();
            writeln!(
                out,
                "{:<18} {:<26} {:<8} {:<22} {:<44} {:<24} {}",
                "status", "due", "prison", "name", "what is due", "team", "key worker"
            )?;
            for i in &items {
                let due_at = throughcare_core::time::parse_instant(&i.due_at).map_err(anyhow::Error::msg)?;
                let status = match i.when {
                    "overdue" => throughcare_core::display::due_status(due_at, as_at),
                    "due-today" => "due today".into(),
                    "due-this-week" => "due this week".into(),
                    _ => "later".into(),
                };
                let flag = if i.escalated {
                    " (escalated)"
                } else if i.warning {
                    " (due soon)"
                } else {
                    ""
                };
                let team = throughcare_core::standards::Team::from_code(&i.team).map_or(i.team.as_str(), |t| t.label());
                writeln!(
                    out,
                    "{:<18} {:<26} {:<8} {:<22} {:<44} {:<24} {}{}",
                    status,
                    throughcare_core::display::due(due_at, as_at),
                    i.prison_number,
                    truncate(&i.name, 22),
                    truncate(&i.title, 44),
                    team,
                    i.key_worker.as_deref().unwrap_or("none allocated"),
                    flag
                )?;
            }
            writeln!(out, "{} open obligations", items.len())?;
        }
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}
