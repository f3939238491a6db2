//! What every benchmark shares: the national estate it runs on by default, its command line,
//! and how it reads a stopwatch.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use throughcare_core::synthetic::EstateSpec;

/// The estate at national volume: about 88,000 people over a year in 120 establishments.
pub fn national_estate() -> EstateSpec {
    EstateSpec { establishments: 120, people: 88_000, years: 1, seed: 1, end: jiff::civil::date(2026, 3, 31) }
}

/// The command line as `--flag value` pairs. The estate's flags (`--people`, `--establishments`,
/// `--years`, `--seed`) are applied to `spec`; the rest are returned for the benchmark's own.
pub fn flags(spec: &mut EstateSpec) -> Result<Vec<(String, String)>> {
    let mut rest = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--people" => spec.people = value.parse()?,
            "--establishments" => spec.establishments = value.parse()?,
            "--years" => spec.years = value.parse()?,
            "--seed" => spec.seed = value.parse()?,
            _ => rest.push((flag, value)),
        }
    }
    Ok(rest)
}

/// Refuses a flag no benchmark knows.
pub fn unknown(flag: &str) -> Result<()> {
    bail!("unknown flag {flag}")
}

/// Seconds since `t`.
pub fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Sends `paths` round-robin with `concurrency` clients; returns (requests per second, p50 ms, p99 ms).
pub async fn load(
    client: reqwest::Client,
    base: String,
    paths: Arc<Vec<String>>,
    requests: usize,
    concurrency: usize,
) -> Result<(f64, f64, f64)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (client, base, paths) = (client.clone(), base.clone(), paths.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in (w..requests).step_by(concurrency) {
                let t = Instant::now();
                let res = client.get(format!("{base}{}", paths[i % paths.len()])).send().await?;
                anyhow::ensure!(res.status().is_success(), "{} answered {}", paths[i % paths.len()], res.status());
                res.bytes().await?;
                lat.push(secs(t) * 1000.0);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = secs(started);
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((p * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1];
    Ok((all.len() as f64 / elapsed, pct(0.5), pct(0.99)))
}
