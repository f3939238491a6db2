//! Disparity statistics (research/stats.md §6), written in-house on statrs distributions and
//! checked against scipy and statsmodels. Inputs are counts; bad counts are errors, never NaN.

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
    // At the edges the interval touches 0 or 1 exactly (rounding would leave a speck).
    let lower = if events == 0 { 0.0 } else { centre - half };
    let upper = if events == total { 1.0 } else { centre + half };
    Ok(Interval { estimate: p, lower, upper })
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

/// The two-sided exact p-value of a unimodal discrete distribution on `lo..=hi` as scipy defines
/// it: the total probability of every outcome no more likely than the observed one (within a
/// relative 1e-7). Walks out from the mode by the ratio of neighbouring probabilities, and stops
/// where the tails no longer change the sum, so a table of thousands costs tens of steps.
fn two_sided(lo: u64, hi: u64, mode: u64, ln_mode: f64, ln_observed: f64, up: impl Fn(u64) -> f64) -> f64 {
    // Probabilities relative to the mode's; an outcome counts if no more likely than observed.
    let limit = (ln_observed + (1.0f64 + 1e-7).ln() - ln_mode).exp();
    let negligible = (ln_observed - ln_mode).exp() * 1e-17;
    let mut sum = if 1.0 <= limit { 1.0 } else { 0.0 };
    let mut rel = 1.0;
    for k in mode..hi {
        rel *= up(k);
        if rel <= limit {
            sum += rel;
            if rel < negligible {
                break;
            }
        }
    }
    rel = 1.0;
    for k in (lo..mode).rev() {
        rel /= up(k);
        if rel <= limit {
            sum += rel;
            if rel < negligible {
                break;
            }
        }
    }
    sum * ln_mode.exp()
}

/// ln of the hypergeometric probability of `k` in a 2×2 table with row total `n1`, column total
/// `n`, grand total `total`.
fn ln_hypergeom(k: u64, total: u64, n1: u64, n: u64) -> f64 {
    use statrs::function::factorial::ln_binomial;
    ln_binomial(n1, k) + ln_binomial(total - n1, n - k) - ln_binomial(total, n)
}

/// Fisher's exact test on `[[a, b], [c, d]]`, two-sided as scipy defines it: the probability of
/// every table with the same margins no more likely than the one observed. Returns (odds ratio, p).
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> Result<(f64, f64), StatsError> {
    let (n1, n2, n) = (a + b, c + d, a + c);
    let total = n1 + n2;
    if n1 == 0 || n2 == 0 || n == 0 || n == total {
        return Err(StatsError::Undefined("a row or column of the table is empty"));
    }
    let odds = if b > 0 && c > 0 { (a * d) as f64 / (b * c) as f64 } else { f64::INFINITY };
    let lo = n.saturating_sub(n2);
    let hi = n.min(n1);
    let mode = (((n + 1) as f64 * (n1 + 1) as f64 / (total + 2) as f64).floor() as u64).clamp(lo, hi);
    // pmf(k+1)/pmf(k) of the hypergeometric distribution.
    let up = |k: u64| ((n1 - k) as f64 * (n - k) as f64) / ((k + 1) as f64 * (n2 + k + 1 - n) as f64);
    let p = two_sided(lo, hi, mode, ln_hypergeom(mode, total, n1, n), ln_hypergeom(a, total, n1, n), up);
    Ok((odds, p.min(1.0)))
}

/// Pearson's chi-square test of independence on an r×c table of counts (no continuity
/// correction). Returns (statistic, degrees of freedom, p). Rows or columns of zeros are refused.
pub fn chi_square(table: &[Vec<u64>]) -> Result<(f64, u64, f64), StatsError> {
    use statrs::distribution::ChiSquared;
    let rows = table.len();
    let cols = table.first().map_or(0, Vec::len);
    if rows < 2 || cols < 2 || table.iter().any(|r| r.len() != cols) {
        return Err(StatsError::Undefined("a chi-square test needs a table of at least 2 rows and 2 columns"));
    }
    let row_totals: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let col_totals: Vec<f64> = (0..cols).map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64).collect();
    let total: f64 = row_totals.iter().sum();
    if row_totals.contains(&0.0) || col_totals.contains(&0.0) {
        return Err(StatsError::Undefined("a row or column of the table is empty"));
    }
    let mut stat = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &o) in row.iter().enumerate() {
            let e = row_totals[i] * col_totals[j] / total;
            stat += (o as f64 - e).powi(2) / e;
        }
    }
    let dof = ((rows - 1) * (cols - 1)) as u64;
    let dist = ChiSquared::new(dof as f64).map_err(|_| StatsError::Undefined("bad degrees of freedom"))?;
    Ok((stat, dof, dist.sf(stat)))
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the order given (statsmodels `fdr_bh`).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for rank in (0..m).rev() {
        let i = order[rank];
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// The difference of two proportions, `p1 - p2`, with Newcombe's hybrid score interval (his
/// method 10, built from the two Wilson intervals; statsmodels `confint_proportions_2indep(method="newcomb")`).
pub fn newcombe_difference(
    events1: u64,
    total1: u64,
    events2: u64,
    total2: u64,
    level: f64,
) -> Result<Interval, StatsError> {
    let w1 = wilson(events1, total1, level)?;
    let w2 = wilson(events2, total2, level)?;
    let (p1, p2) = (w1.estimate, w2.estimate);
    let diff = p1 - p2;
    let lower = diff - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt();
    let upper = diff + ((p2 - w2.lower).powi(2) + (w1.upper - p1).powi(2)).sqrt();
    Ok(Interval { estimate: diff, lower, upper })
}

/// ln of the binomial probability of `k` successes in `n` trials with probability `p`.
fn ln_binomial_pmf(k: u64, n: u64, p: f64) -> f64 {
    use statrs::function::factorial::ln_binomial;
    let (k_f, n_f) = (k as f64, n as f64);
    let a = if k == 0 { 0.0 } else { k_f * p.ln() };
    let b = if k == n { 0.0 } else { (n_f - k_f) * (1.0 - p).ln() };
    ln_binomial(n, k) + a + b
}

/// The exact two-sided binomial test of `k` in `n` against probability `p` (scipy `binomtest`):
/// the probability of every outcome no more likely than the one observed.
pub fn binomial_test(k: u64, n: u64, p: f64) -> Result<f64, StatsError> {
    if n == 0 || k > n {
        return Err(StatsError::Counts { what: "binomial test", events: k, total: n });
    }
    if !(p > 0.0 && p < 1.0) {
        return Err(StatsError::Undefined("a binomial test needs a probability strictly between 0 and 1"));
    }
    let mode = (((n + 1) as f64 * p).floor() as u64).min(n);
    let odds = p / (1.0 - p);
    let up = |i: u64| (n - i) as f64 / (i + 1) as f64 * odds;
    let total = two_sided(0, n, mode, ln_binomial_pmf(mode, n, p), ln_binomial_pmf(k, n, p), up);
    Ok(total.min(1.0))
}

/// The exact (Clopper–Pearson) interval for a proportion (scipy `binomtest(...).proportion_ci("exact")`).
pub fn clopper_pearson(events: u64, total: u64, level: f64) -> Result<Interval, StatsError> {
    use statrs::distribution::Beta;
    check("proportion", events, total)?;
    z_for(level)?;
    let alpha = 1.0 - level;
    let (x, n) = (events as f64, total as f64);
    let beta = |a: f64, b: f64| Beta::new(a, b).map_err(|_| StatsError::Undefined("bad beta parameters"));
    let lower = if events == 0 { 0.0 } else { beta(x, n - x + 1.0)?.inverse_cdf(alpha / 2.0) };
    let upper = if events == total { 1.0 } else { beta(x + 1.0, n - x)?.inverse_cdf(1.0 - alpha / 2.0) };
    Ok(Interval { estimate: x / n, lower, upper })
}

/// A rate of events per unit of time at risk with the exact Poisson (Garwood) interval.
pub fn poisson_rate(events: u64, exposure: f64, level: f64) -> Result<Interval, StatsError> {
    use statrs::distribution::Gamma;
    if !(exposure > 0.0 && exposure.is_finite()) {
        return Err(StatsError::Undefined("a rate needs some time at risk"));
    }
    z_for(level)?;
    let alpha = 1.0 - level;
    let y = events as f64;
    let gamma = |shape: f64| Gamma::new(shape, 1.0).map_err(|_| StatsError::Undefined("bad gamma parameters"));
    // chi-square(2y)/2 is gamma(y, 1), so the Garwood limits are gamma quantiles.
    let lower = if events == 0 { 0.0 } else { gamma(y)?.inverse_cdf(alpha / 2.0) };
    let upper = gamma(y + 1.0)?.inverse_cdf(1.0 - alpha / 2.0);
    Ok(Interval { estimate: y / exposure, lower: lower / exposure, upper: upper / exposure })
}

/// The incidence rate ratio of a group against a comparison group, with the exact conditional
/// interval (Clopper–Pearson on the group's share of all events, turned into a ratio) and the
/// exact conditional binomial test (statsmodels `test_poisson_2indep(method="exact-cond")`).
/// Returns (ratio with interval, two-sided p). Undefined when the comparison group has no events.
pub fn incidence_rate_ratio(
    group_events: u64,
    group_exposure: f64,
    other_events: u64,
    other_exposure: f64,
    level: f64,
) -> Result<(Interval, f64), StatsError> {
    if !(group_exposure > 0.0 && other_exposure > 0.0 && group_exposure.is_finite() && other_exposure.is_finite()) {
        return Err(StatsError::Undefined("a rate ratio needs time at risk in both groups"));
    }
    if other_events == 0 {
        return Err(StatsError::Undefined("a rate ratio needs events in the comparison group"));
    }
    let m = group_events + other_events;
    let share = clopper_pearson(group_events, m, level)?;
    let scale = other_exposure / group_exposure;
    let ratio = |pi: f64| pi / (1.0 - pi) * scale;
    let estimate = (group_events as f64 / group_exposure) / (other_events as f64 / other_exposure);
    // other_events > 0, so the share's upper limit is below 1 and every limit is finite.
    let interval = Interval { estimate, lower: ratio(share.lower), upper: ratio(share.upper) };
    let p = binomial_test(group_events, m, group_exposure / (group_exposure + other_exposure))?;
    Ok((interval, p))
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
