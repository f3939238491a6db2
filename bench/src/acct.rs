//! ACCT benchmark: the register of open cases and a case page at an establishment with 40 open
//! ACCTs (each with reviews, a care plan and three days of hourly observations) on a year of
//! history, against a bare axum handler in the same run. The target is p99 under 50 ms.
//!
//! cargo run --release -p throughcare-bench --bin bench-acct -- [--people 6000] [--establishments 3]
//!   [--open 40] [--requests 2000] [--concurrency 4]

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use jiff::{SignedDuration, Timestamp};
use throughcare_bench::{flags, load, secs, unknown};
use throughcare_core::event::{AcctReview, EventKind, ObservationLevel};
use throughcare_core::synthetic::{Estate, EstateSpec};
use throughcare_core::{Event, EventId, StaffRef};
use throughcare_store::obligations::Engine;
use throughcare_store::{DatabaseUrl, Db};
use throughcare_web::roles::Role;
use throughcare_web::{AppState, Config};

#[tokio::main]
async fn main() -> Result<()> {
    let mut spec =
        EstateSpec { establishments: 3, people: 6000, years: 1, seed: 3, end: jiff::civil::date(2026, 3, 31) };
    let (mut open, mut requests, mut concurrency) = (40usize, 2000usize, 4usize);
    for (flag, v) in flags(&mut spec)? {
        match flag.as_str() {
            "--open" => open = v.parse()?,
            "--requests" => requests = v.parse()?,
            "--concurrency" => concurrency = v.parse()?,
            other => unknown(other)?,
        }
    }
    let dir = tempfile::tempdir()?;
    let path =
        std::env::var("BENCH_ACCT_DB").map(std::path::PathBuf::from).unwrap_or_else(|_| dir.path().join("acct.db"));
    let url: DatabaseUrl = format!("sqlite://{}", path.display()).parse()?;
    let db = Db::connect(&url).await?;
    let engine = Arc::new(Engine::builtin());
    let t = Instant::now();
    throughcare_store::seed::seed(&db, Estate::new(spec.clone()), Some(engine.clone()), |_| {}).await?;
    println!(
        "throughcare ACCT benchmark (SQLite): {} people, {} establishments, a year; seeded in {:.0} s",
        spec.people,
        spec.establishments,
        secs(t)
    );

    // The clock stands at the end of the seeded year; open cases are added in its last days.
    let now: Timestamp = "2026-03-31T12:00:00Z".parse()?;
    let est = "AAB".parse()?;
    let held = db.timelines_in_custody(&est).await?;
    let by = StaffRef::parse("bench.safer")?;
    let mut events = Vec::new();
    let mut n = 0u32;
    let mut id = || {
        n += 1;
        let mut b = [0xbeu8; 16];
        b[..4].copy_from_slice(&n.to_be_bytes());
        EventId::from_random_bytes(b)
    };
    let mut cases = Vec::new();
    for (p, t) in held.iter().filter(|(_, t)| !t.state_at(now).acct_open).take(open) {
        let _ = t;
        let at = |h: i64| now - SignedDuration::from_hours(h);
        let ev = |id: EventId, when: Timestamp, kind: EventKind| Event {
            id,
            person: p.prison_number.clone(),
            occurred_at: when,
            recorded_at: when,
            recorded_by: by.clone(),
            correction: None,
            kind,
        };
        let acct = id();
        cases.push(format!("/acct/{acct}"));
        events.push(ev(
            acct,
            at(24 * 14),
            EventKind::AcctOpened { concern: Some("Concern".into()), immediate_action: None },
        ));
        events.push(ev(id(), at(24 * 14 - 6), EventKind::AcctAssessmentInterview { acct, assessor: by.clone() }));
        for week in 0..2 {
            let review = AcctReview {
                case_manager: by.clone(),
                attended: "wing officer, a nurse".into(),
                healthcare_present: true,
                person_present: true,
                family_involved: false,
                observations_day: ObservationLevel::Hourly,
                observations_night: ObservationLevel::TwoHourly,
                conversations_day: 2,
                conversations_night: 0,
                next_review: throughcare_core::time::date_in_england(at(24 * (14 - 7 * week) - 24 * 7)),
                triggers: None,
            };
            events.push(ev(
                id(),
                at(24 * (14 - 7 * week) - 20),
                EventKind::AcctReviewed { acct: Some(acct), review: Some(review) },
            ));
        }
        for k in 0..3 {
            events.push(ev(
                id(),
                at(24 * 13 - k),
                EventKind::AcctCarePlanAction {
                    acct,
                    issue: "Issue".into(),
                    goal: "Goal".into(),
                    action: format!("Action {k}"),
                    owner: "Owner".into(),
                    due: throughcare_core::time::date_in_england(now),
                },
            ));
        }
        for h in 1..=72 {
            events.push(ev(id(), at(h), EventKind::AcctObservation { acct, conversation: h % 6 == 0 }));
        }
    }
    let people: Vec<_> = held.iter().map(|(p, _)| p.prison_number.clone()).take(open).collect();
    let mut tx = db.begin_write().await?;
    tx.append_events(&events).await?;
    tx.refresh_obligations(&people.iter().collect::<Vec<_>>(), &engine, now).await?;
    tx.commit().await?;
    println!(
        "{} open ACCTs added at AAB ({} events; {} people in custody there)",
        cases.len(),
        events.len(),
        held.len()
    );

    throughcare_web::auth::add_staff(
        &db,
        "bench.safer",
        "Bench",
        Role::SaferCustody,
        Some(est),
        "benchmark password",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    throughcare_web::auth::add_staff(
        &db,
        "bench.listeners",
        "Bench",
        Role::ListenerCoordinator,
        Some("AAB".parse()?),
        "benchmark password",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = throughcare_web::app(AppState::new(
        db.clone(),
        engine,
        Config { secure_cookies: false, clock: throughcare_web::clock::Clock::Fixed(now) },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_base = format!("http://{}", bare_listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(bare_listener, axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }))).await
    });
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let res = client
        .post(format!("{base}/sign-in"))
        .form(&[("username", "bench.safer"), ("password", "benchmark password")])
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("sign-in failed: {}", res.status());
    }
    // The Listener coordinator's page reads the people who asked, and the peer supporters.
    let coordinator =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let res = coordinator
        .post(format!("{base}/sign-in"))
        .form(&[("username", "bench.listeners"), ("password", "benchmark password")])
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("sign-in failed: {}", res.status());
    }
    // The register must list every open case, the benchmark's 40 among them, or its speed means nothing.
    let page = client.get(format!("{base}/acct")).send().await?.text().await?;
    let listed = cases.iter().filter(|c| page.contains(&format!("href=\"{c}\""))).count();
    println!(
        "the register lists {} open cases, {listed} of the {} added",
        page.matches("href=\"/acct/").count(),
        cases.len()
    );
    if listed != cases.len() {
        bail!("the register does not list every open case");
    }
    // One member of staff at a time (the target), then four at once on this machine's cores.
    let mut met = true;
    for c in [1, concurrency] {
        let (rrps, rp50, rp99) =
            load(client.clone(), base.clone(), Arc::new(vec!["/acct".into()]), requests / 4, c).await?;
        let (crps, cp50, cp99) = load(client.clone(), base.clone(), Arc::new(cases.clone()), requests, c).await?;
        let (lrps, lp50, lp99) =
            load(coordinator.clone(), base.clone(), Arc::new(vec!["/listeners".into()]), requests / 4, c).await?;
        let (brps, bp50, bp99) =
            load(reqwest::Client::new(), bare_base.clone(), Arc::new(vec!["/hello".into()]), requests * 2, c).await?;
        println!("-- {c} at a time --");
        println!("ACCT register ({open} open): {rrps:.0} requests/s, p50 {rp50:.1} ms, p99 {rp99:.1} ms");
        println!("ACCT case page: {crps:.0} requests/s, p50 {cp50:.1} ms, p99 {cp99:.1} ms");
        println!("Listeners and requests page: {lrps:.0} requests/s, p50 {lp50:.1} ms, p99 {lp99:.1} ms");
        println!("bare axum handler: {brps:.0} requests/s, p50 {bp50:.2} ms, p99 {bp99:.2} ms");
        println!("throughput against the bare handler: register {:.4}, case page {:.4}", rrps / brps, crps / brps);
        if c == 1 {
            met = rp99 < 50.0 && cp99 < 50.0;
        }
    }
    println!("target p99 under 50 ms, one at a time: {}", if met { "met" } else { "NOT met" });
    Ok(())
}
