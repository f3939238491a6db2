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
            use std::io::Write;
            let mut out = out.lock();
            writeln!(
                out,
                "{:<14} {:>7}  {:<17} {:<8} {:<22} {:<34} {:<13} {}",
                "when", "overdue", "due", "prison", "name", "standard", "team", "key worker"
            )?;
            for i in &items {
                let flag = if i.escalated {
                    " ESCALATED"
                } else if i.warning {
                    " due soon"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<14} {:>6}d  {:<17} {:<8} {:<22} {:<34} {:<13} {}{}",
                    i.when,
                    i.days_overdue,
                    &i.due_at[..16],
                    i.prison_number,
                    truncate(&i.name, 22),
                    i.standard,
                    i.team,
                    i.key_worker.as_deref().unwrap_or("-"),
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
