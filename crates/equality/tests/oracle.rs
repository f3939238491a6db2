//! Every formula against scipy and statsmodels on hundreds of random tables, including zeros and
//! tiny counts, to a relative 1e-9. The oracle is Python: THROUGHCARE_PYTHON names an interpreter
//! with the pinned scipy and statsmodels (.ci/run makes one); under CI it must be set.

use std::io::Write;
use std::process::{Command, Stdio};

use throughcare_equality::{
    benjamini_hochberg, binomial_test, chi_square, fisher_exact, incidence_rate_ratio, newcombe_difference,
    poisson_rate, relative_rate, wilson,
};

/// A small deterministic generator (SplitMix64), so the cases are the same every run.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Mostly small counts, sometimes zero, sometimes hundreds.
    fn count(&mut self) -> u64 {
        match self.next() % 10 {
            0 => 0,
            1..=5 => self.next() % 10,
            6..=8 => self.next() % 60,
            _ => self.next() % 800,
        }
    }
}

/// Interval bounds are differences of quantities of order 1: where the exact value is 0 (a Wilson
/// bound at 0 or 1, a difference interval touching 0) rounding leaves specks of 1e-17, so an
/// absolute 1e-15 is the honest test there; everything else is compared at a relative 1e-9.
fn close_bound(what: &str, got: f64, want: f64) {
    if (got - want).abs() <= 1e-15 {
        return;
    }
    close(what, got, want);
}

fn close(what: &str, got: f64, want: f64) {
    let ok = if want == 0.0 {
        got.abs() < 1e-300
    } else if want.is_infinite() {
        got == want
    } else {
        ((got - want) / want).abs() <= 1e-9
    };
    assert!(ok, "{what}: got {got:e}, scipy/statsmodels say {want:e}");
}

#[test]
fn formulas_agree_with_scipy_and_statsmodels() {
    let Ok(python) = std::env::var("THROUGHCARE_PYTHON") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set THROUGHCARE_PYTHON");
        eprintln!("THROUGHCARE_PYTHON is not set: oracle comparison skipped");
        return;
    };
    let mut g = Gen(2026);
    let mut fisher = Vec::new();
    while fisher.len() < 400 {
        let t = [g.count(), g.count(), g.count(), g.count()];
        if fisher_exact(t[0], t[1], t[2], t[3]).is_ok() {
            fisher.push(t);
        }
    }
    // National-scale tables too: thousands in each cell, as an estate-wide report has.
    while fisher.len() < 450 {
        let t = [g.next() % 3000, 1000 + g.next() % 60_000, g.next() % 3000, 1000 + g.next() % 60_000];
        if fisher_exact(t[0], t[1], t[2], t[3]).is_ok() {
            fisher.push(t);
        }
    }
    let mut chi2 = Vec::new();
    while chi2.len() < 300 {
        let (r, c) = (2 + (g.next() % 4) as usize, 2 + (g.next() % 4) as usize);
        let t: Vec<Vec<u64>> = (0..r).map(|_| (0..c).map(|_| 1 + g.count()).collect()).collect();
        chi2.push(t);
    }
    let bh: Vec<Vec<f64>> = (0..200)
        .map(|_| (0..1 + g.next() % 30).map(|_| (g.next() % 1_000_000) as f64 / 1_000_000.0).collect())
        .collect();
    let mut wil = Vec::new();
    while wil.len() < 400 {
        let n = 1 + g.count();
        wil.push([g.next() % (n + 1), n]);
    }
    let mut rr = Vec::new();
    while rr.len() < 400 {
        let (n1, n2) = (1 + g.count(), 1 + g.count());
        let (a, c) = (1 + g.next() % n1, 1 + g.next() % n2);
        rr.push([a.min(n1), n1, c.min(n2), n2]);
    }
    let mut newcombe = Vec::new();
    while newcombe.len() < 400 {
        let (n1, n2) = (1 + g.count(), 1 + g.count());
        newcombe.push([g.next() % (n1 + 1), n1, g.next() % (n2 + 1), n2]);
    }
    // Person-years as the report computes them: days over 365.25, rarely round.
    let years = |g: &mut Gen| (1 + g.next() % 400_000) as f64 / 365.25;
    let garwood: Vec<(u64, f64)> = (0..300).map(|_| (g.count(), years(&mut g))).collect();
    let mut irr = Vec::new();
    while irr.len() < 300 {
        let (y1, y2) = (g.count(), 1 + g.count());
        irr.push((y1, years(&mut g), y2, years(&mut g)));
    }
    let binom: Vec<(u64, u64, f64)> = (0..350)
        .map(|i| {
            let n = if i < 300 { 1 + g.count() } else { 1 + g.next() % 80_000 };
            (g.next() % (n + 1), n, (1 + g.next() % 999) as f64 / 1000.0)
        })
        .collect();
    let input = serde_json::json!({
        "fisher": fisher, "chi2": chi2, "bh": bh, "wilson": wil, "rr": rr, "newcombe": newcombe,
        "garwood": garwood, "irr": irr, "binom": binom,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle.py");
    let mut child =
        Command::new(python).arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("run the oracle");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the oracle failed");
    let oracle: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::INFINITY);

    for (t, o) in fisher.iter().zip(oracle["fisher"].as_array().unwrap()) {
        let (odds, p) = fisher_exact(t[0], t[1], t[2], t[3]).unwrap();
        close(&format!("Fisher p {t:?}"), p, f(&o[1]));
        close(&format!("Fisher odds {t:?}"), odds, f(&o[0]));
    }
    for (t, o) in chi2.iter().zip(oracle["chi2"].as_array().unwrap()) {
        let (stat, dof, p) = chi_square(t).unwrap();
        close(&format!("chi-square statistic {t:?}"), stat, f(&o[0]));
        assert_eq!(dof, o[1].as_u64().unwrap());
        close(&format!("chi-square p {t:?}"), p, f(&o[2]));
    }
    for (ps, o) in bh.iter().zip(oracle["bh"].as_array().unwrap()) {
        for (q, want) in benjamini_hochberg(ps).iter().zip(o.as_array().unwrap()) {
            close("Benjamini-Hochberg q", *q, f(want));
        }
    }
    for (t, o) in wil.iter().zip(oracle["wilson"].as_array().unwrap()) {
        let i = wilson(t[0], t[1], 0.95).unwrap();
        close_bound(&format!("Wilson lower {t:?}"), i.lower, f(&o[0]));
        close_bound(&format!("Wilson upper {t:?}"), i.upper, f(&o[1]));
    }
    for (t, o) in rr.iter().zip(oracle["rr"].as_array().unwrap()) {
        let i = relative_rate(t[0], t[1], t[2], t[3], 0.95).unwrap();
        close(&format!("relative rate {t:?}"), i.estimate, f(&o[0]));
        close(&format!("Katz lower {t:?}"), i.lower, f(&o[1]));
        close(&format!("Katz upper {t:?}"), i.upper, f(&o[2]));
    }
    for (t, o) in newcombe.iter().zip(oracle["newcombe"].as_array().unwrap()) {
        let i = newcombe_difference(t[0], t[1], t[2], t[3], 0.95).unwrap();
        close_bound(&format!("difference {t:?}"), i.estimate, f(&o[0]));
        close_bound(&format!("Newcombe lower {t:?}"), i.lower, f(&o[1]));
        close_bound(&format!("Newcombe upper {t:?}"), i.upper, f(&o[2]));
    }
    for (t, o) in garwood.iter().zip(oracle["garwood"].as_array().unwrap()) {
        let i = poisson_rate(t.0, t.1, 0.95).unwrap();
        close(&format!("rate {t:?}"), i.estimate, f(&o[0]));
        close_bound(&format!("Garwood lower {t:?}"), i.lower, f(&o[1]));
        close(&format!("Garwood upper {t:?}"), i.upper, f(&o[2]));
    }
    for (t, o) in irr.iter().zip(oracle["irr"].as_array().unwrap()) {
        let (i, p) = incidence_rate_ratio(t.0, t.1, t.2, t.3, 0.95).unwrap();
        close(&format!("rate ratio {t:?}"), i.estimate, f(&o[0]));
        close_bound(&format!("exact ratio lower {t:?}"), i.lower, f(&o[1]));
        close(&format!("exact ratio upper {t:?}"), i.upper, f(&o[2]));
        close(&format!("exact conditional p {t:?}"), p, f(&o[3]));
    }
    for (t, o) in binom.iter().zip(oracle["binom"].as_array().unwrap()) {
        close(&format!("binomial test {t:?}"), binomial_test(t.0, t.1, t.2).unwrap(), f(o));
    }
}
