//! What every benchmark shares: the national estate it runs on by default, its command line,
//! and how it reads a stopwatch.

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
