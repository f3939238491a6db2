//! Web benchmark: requests per second and latency of the person page at national volume, against
//! a bare axum handler measured in the same run on the same machine (the ratio is the figure).
//!
//! cargo run --release -p throughcare-bench --bin bench-web -- [--people 88000] [--establishments 120]
//!   [--requests 3000] [--concurrency 8] [--postgres URL]
//!
//! Each person-page request signs nothing in (one session is reused) but does everything a real
//! view does: session check, need-to-know, the timeline read and the audit write.

use std::sync::Arc;
use std::time::Instant;
use throughcare_bench::{flags, load, national_estate, secs, unknown};

use anyhow::{Context, Result, bail};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db, create_postgres_database};
use throughcare_web::roles::Role;
use throughcare_web::{AppState, Config};

struct Args {
    spec: EstateSpec,
    requests: usize,
    concurrency: usize,
    postgres: Option<String>,
}

fn args() -> Result<Args> {
    let mut a = Args { spec: national_estate(), requests: 3000, concurrency: 8, postgres: None };
    for (flag, v) in flags(&mut a.spec)? {
        match flag.as_str() {
            "--requests" => a.requests = v.parse()?,
            "--concurrency" => a.concurrency = v.parse()?,
            "--postgres" => a.postgres = Some(v),
            other => unknown(other)?,
        }
    }
    Ok(a)
}

async fn run(backend: &str, args: &Args, dir: &std::path::Path) -> Result<()> {
    let url: DatabaseUrl = match backend {
        "sqlite" => format!("sqlite://{}", dir.join("web.db").display()).parse()?,
        _ => create_postgres_database(&args.postgres.as_deref().context("no URL")?.parse()?, "bench_web").await?,
    };
    let db = Db::connect(&url).await?;
    let engine = Arc::new(Engine::builtin());
    let t = Instant::now();
    throughcare_store::seed::seed(&db, Estate::new(args.spec.clone()), Some(engine.clone()), |_| {}).await?;
    println!("\n== {backend} ==\nseeded {} people in {:.0} s", args.spec.people, secs(t));
    let password = "benchmark password";
    throughcare_web::auth::add_staff(
        &db,
        "bench.nurse",
        "Bench",
        Role::ReceptionNurse,
        Some("AAB".parse()?),
        password,
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let people: Vec<String> =
        db.caseload(&"AAB".parse()?).await?.into_iter().map(|(p, _)| format!("/people/{}", p.prison_number)).collect();
    println!("person pages: {} people in custody at AAB", people.len());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = throughcare_web::app(AppState::new(
        db.clone(),
        engine,
        Config { secure_cookies: false, clock: throughcare_web::clock::Clock::System },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_base = format!("http://{}", bare_listener.local_addr()?);
    let bare = axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    tokio::spawn(async move { axum::serve(bare_listener, bare).await });

    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let res = client
        .post(format!("{base}/sign-in"))
        .form(&[("username", "bench.nurse"), ("password", password)])
        .send()
        .await?;
    anyhow::ensure!(res.status() == reqwest::StatusCode::SEE_OTHER, "sign-in failed");

    let (rps, p50, p99) = load(client.clone(), base, Arc::new(people), args.requests, args.concurrency).await?;
    let (brps, bp50, bp99) =
        load(reqwest::Client::new(), bare_base, Arc::new(vec!["/hello".into()]), args.requests * 4, args.concurrency)
            .await?;
    println!(
        "person page: {rps:.0} requests/s, p50 {p50:.1} ms, p99 {p99:.1} ms ({} requests, {} at a time)",
        args.requests, args.concurrency
    );
    println!("bare axum handler: {brps:.0} requests/s, p50 {bp50:.2} ms, p99 {bp99:.2} ms");
    println!("ratio person page / bare handler: throughput {:.3}, p99 latency {:.0}x", rps / brps, p99 / bp99);
    match db.verify_audit().await? {
        Ok(n) => println!("audit trail intact after the run: {n} entries"),
        Err(e) => bail!("audit trail broken: {e}"),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    println!("throughcare web benchmark: {} establishments, {} people", args.spec.establishments, args.spec.people);
    let dir = tempfile::tempdir()?;
    run("sqlite", &args, dir.path()).await?;
    if args.postgres.is_some() {
        run("postgres", &args, dir.path()).await?;
    }
    Ok(())
}
