//! `throughcare demo`: a demo database, one account per role, then the server.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use throughcare_core::codes::CodeSet;
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::Engine;
use throughcare_store::{Db, Table};
use throughcare_web::clock::Clock;
use throughcare_web::roles::Role;
use throughcare_web::{AppState, Config};

/// The demo estate's men's establishment; MBU officers work at the women's one.
const MEN: &str = "AAB";
const WOMEN: &str = "AAA";

pub async fn run(
    db: &Db,
    engine: Arc<Engine>,
    addr: SocketAddr,
    password: Option<String>,
    sqlite: bool,
    clock: Clock,
) -> Result<()> {
    if !sqlite {
        eprintln!("note: the demo is meant for a SQLite file; using the database given");
    }
    if db.count(Table::People).await? == 0 {
        eprintln!("seeding a demo estate (3 establishments, 600 people, the year to today)...");
        let end = throughcare_core::time::date_in_england(clock.now());
        let estate = Estate::new(EstateSpec { establishments: 3, people: 600, years: 1, seed: 1, end });
        throughcare_store::seed::seed(db, estate, Some(engine.clone()), |_| {}).await?;
    }
    let (password, generated) = crate::password_or_generated(password);
    println!("Demo accounts (password {}):", if generated { password.as_str() } else { "as given" });
    for role in Role::ALL {
        let username = format!("demo.{}", role.code());
        let establishment = match role {
            _ if role.estate_wide() => None,
            Role::MbuOfficer => Some(WOMEN.parse()?),
            _ => Some(MEN.parse()?),
        };
        match db.staff(&username).await? {
            None => {
                throughcare_web::auth::add_staff(
                    db,
                    &username,
                    &format!("Demo {}", role.label()),
                    *role,
                    establishment.clone(),
                    &password,
                    clock.now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            Some(_) => {
                let mut tx = db.begin_write().await?;
                tx.set_password(&username, &throughcare_web::hash_password(&password)).await?;
                tx.commit().await?;
            }
        }
        println!("  {username:<28} {}{}", role.label(), establishment.map(|e| format!(" at {e}")).unwrap_or_default());
    }
    println!("throughcare demo: open http://{addr} and sign in");
    throughcare_web::serve(addr, AppState::new(db.clone(), engine, Config { secure_cookies: false, clock })).await?;
    Ok(())
}
