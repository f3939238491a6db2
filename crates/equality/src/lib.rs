//! Disparity statistics for the equality lens (research/stats.md §6), written in-house on statrs
//! distributions and checked against scipy and statsmodels.
//!
//! This is the start the equality engine builds on: person-level rates with Wilson intervals and
//! relative rates with Katz intervals. Inputs are counts; bad counts are errors, never NaN.

use statrs::distribution::{ContinuousCDF, Normal};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("{what}: {events} events out of {total} is impossible")]
    Counts { what: &'static str, events: u64, total: u64 },
    #[error("confidence level must be between 0 and 1, got {0}")]
    Level(f64),
    #[error("{0}")]
    Undefined(&'static str),
}

/// An estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The two-sided normal quantile for a confidence level (1.959963984540054 for 0.95).
pub fn z_for(level: f64) -> Result<f64, StatsError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::Level(level));
    }
    let normal = Normal::standard();
    Ok(normal.inverse_cdf(1.0 - (1.0 - level) / 2.0))
}

fn check(what: &'static str, events: u64, total: u64) -> Result<(), StatsError> {
    if total == 0 || events > total { Err(StatsError::Counts { what, events, total }) } else { Ok(()) }
}

/// A proportion with the Wilson score interval (statsmodels `proportion_confint(method="wilson")`).
pub fn wilson(events: u64, total: u64, level: f64) -> Result<Interval, StatsError> {
    check("proportion", events, total)?;
    let z = z_for(level)?;
    let (x, n) = (events as f64, total as f64);
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Ok(Interval { estimate: p, lower: centre - half, upper: centre + half })
}

/// The relative rate (risk ratio) of a group against a comparison group, with the Katz log
/// interval (scipy `relative_risk(...).confidence_interval()`). Undefined with no events in either.
pub fn relative_rate(
    group_events: u64,
    group_total: u64,
    other_events: u64,
    other_total: u64,
    level: f64,
) -> Result<Interval, StatsError> {
    check("group", group_events, group_total)?;
    check("comparison group", other_events, other_total)?;
    if group_events == 0 || other_events == 0 {
        return Err(StatsError::Undefined("a relative rate needs events in both groups"));
    }
    let z = z_for(level)?;
    let (a, n1, c, n2) = (group_events as f64, group_total as f64, other_events as f64, other_total as f64);
    let rr = (a / n1) / (c / n2);
    let se = (1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2).sqrt();
    Ok(Interval { estimate: rr, lower: (rr.ln() - z * se).exp(), upper: (rr.ln() + z * se).exp() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!(((a - b) / b).abs() < 1e-9, "{a} vs {b}");
    }

    // Oracle values printed by statsmodels 0.15.0 and scipy 1.17.1 (research/tooling.md §2).
    #[test]
    fn wilson_matches_statsmodels() {
        let i = wilson(7, 50, 0.95).unwrap();
        close(i.lower, 0.06950833427016288);
        close(i.upper, 0.26186193710585537);
        close(i.estimate, 0.14);
    }

    #[test]
    fn relative_rate_matches_scipy() {
        let i = relative_rate(27, 122, 44, 487, 0.95).unwrap();
        close(i.estimate, 2.4495156482861398);
        close(i.lower, 1.5836990926700116);
        close(i.upper, 3.7886786315466354);
    }

    #[test]
    fn impossible_counts_are_errors_not_nan() {
        assert!(wilson(3, 0, 0.95).is_err());
        assert!(wilson(6, 5, 0.95).is_err());
        assert!(wilson(1, 5, 1.5).is_err());
        assert!(relative_rate(0, 10, 3, 10, 0.95).is_err());
        let zero = wilson(0, 12, 0.95).unwrap();
        assert_eq!(zero.lower, 0.0);
        assert!(zero.upper > 0.0 && zero.upper < 1.0);
        close(z_for(0.95).unwrap(), 1.959963984540054);
    }
}
