//! Proof that a published report gives no small group away: from what is published alone, set up
//! every equation an outsider could write, solve them exactly, and fail if any withheld small
//! count is determined. The solver here is exact rational arithmetic, independent of the one the
//! library uses to choose what to withhold.

mod common;

use common::{YEAR, estate, report};
use throughcare_core::synthetic::Outcomes;
use throughcare_equality::disclosure::publish;
use throughcare_equality::report::{Report, Scope};

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// Integer row reduction: rows are kept primitive, so 0/1 tables never overflow.
fn rank(rows: &[Vec<i128>]) -> usize {
    let mut m: Vec<Vec<i128>> = rows.to_vec();
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| m[i][c] != 0) else { continue };
        m.swap(r, p);
        for i in 0..m.len() {
            if i != r && m[i][c] != 0 {
                let (a, b) = (m[r][c], m[i][c]);
                let pivot = m[r].clone();
                for (x, y) in m[i].iter_mut().zip(&pivot) {
                    *x = *x * a - *y * b;
                }
                let g = m[i].iter().fold(0, |g, x| gcd(g, *x));
                if g > 1 {
                    m[i].iter_mut().for_each(|x| *x /= g);
                }
            }
        }
        r += 1;
    }
    r
}

fn determined(published: &[Vec<i128>], f: &[i128]) -> bool {
    let mut with = published.to_vec();
    with.push(f.to_vec());
    rank(&with) == rank(published)
}

fn small(n: u64) -> bool {
    (1..=4).contains(&n)
}

/// Checks every table of a published report against the internal report it came from.
fn no_withheld_value_can_be_solved_for(internal: &Report, published: &Report) -> (usize, usize) {
    let (mut tables, mut withheld) = (0, 0);
    for (mi, pm) in published.measures.iter().enumerate() {
        let im = &internal.measures[mi];
        assert_eq!(im.id, pm.id);
        assert!(pm.breakdowns.iter().all(|b| !b.intersectional), "intersections are never published");
        if pm.kind == "amount" {
            continue;
        }
        for pb in &pm.breakdowns {
            let ib = im.breakdowns.iter().find(|b| b.id == pb.id).unwrap();
            tables += 1;
            let k = ib.groups.len();
            let two = pm.kind != "incidents";
            let cells = if two { 2 * k } else { k };
            let x_of = |g: usize| if two { 2 * g } else { g };
            let unit = |i: usize| {
                let mut v = vec![0i128; cells];
                v[i] = 1;
                v
            };
            let row = |g: usize| {
                let mut v = unit(2 * g);
                v[2 * g + 1] = 1;
                v
            };
            let sum = |pick: &dyn Fn(usize) -> bool, both: bool| {
                let mut v = vec![0i128; cells];
                for g in (0..k).filter(|g| pick(*g)) {
                    v[x_of(g)] = 1;
                    if two && both {
                        v[2 * g + 1] = 1;
                    }
                }
                v
            };
            // Everything an outsider can write down from this report.
            let mut eq: Vec<Vec<i128>> = Vec::new();
            for (g, group) in pb.groups.iter().enumerate() {
                assert_eq!(group.code, ib.groups[g].code);
                if let Some(x) = group.numerator {
                    assert!(!small(x), "{} / {} / {}: a count of {x} is published", pm.id, pb.id, group.code);
                    eq.push(unit(x_of(g)));
                }
                if two {
                    // A size published in any person-level table of this breakdown is known in this one
                    // too, wherever it is the same number.
                    let truth = ib.groups[g].denominator;
                    let elsewhere = pm.kind == "people"
                        && published.measures.iter().filter(|m| m.kind == "people").any(|m| {
                            m.breakdowns.iter().any(|b| {
                                b.id == pb.id
                                    && b.groups.iter().any(|o| {
                                        o.code == group.code && o.denominator.is_some() && o.denominator == truth
                                    })
                            })
                        });
                    if let Some(n) = group.denominator {
                        assert!(!small(n), "{} / {} / {}: a group of {n} is published", pm.id, pb.id, group.code);
                    }
                    if group.denominator.is_some() || elsewhere {
                        eq.push(row(g));
                    }
                    if let (Some(x), Some(n)) = (group.numerator, group.denominator) {
                        assert!(
                            !small(n - x),
                            "{} / {} / {}: {} without it is published",
                            pm.id,
                            pb.id,
                            group.code,
                            n - x
                        );
                    }
                }
                if group.rate.is_some() && two {
                    assert!(ib.groups[g].denominator.unwrap() >= 10, "a rate on fewer than 10 is published");
                }
            }
            for v in [pm.overall.numerator, pm.overall.denominator].into_iter().flatten() {
                assert!(!small(v), "{}: a total of {v} is published", pm.id);
            }
            if pm.overall.numerator.is_some() {
                eq.push(sum(&|_| true, false));
                if two {
                    eq.push(sum(&|_| true, true));
                }
            }
            // A published comparison against "everyone else with a known value" gives away the
            // known groups' totals: count them as published.
            if pb.groups.iter().any(|g| g.ratio.is_some() || g.p.is_some() || g.difference.is_some()) {
                let known = |g: usize| !pb.groups[g].unknown;
                eq.push(sum(&known, false));
                if two {
                    eq.push(sum(&known, true));
                }
            }
            if pb.chi_square.is_some() {
                assert!(
                    pb.groups.iter().all(|g| !g.withheld.numerator && !g.withheld.denominator),
                    "chi-square beside withheld cells"
                );
            }
            // Solve for every withheld small value.
            for (g, group) in ib.groups.iter().enumerate() {
                let (x, n) = (group.numerator.unwrap_or(0), group.denominator.unwrap_or(0));
                let mut targets = Vec::new();
                if small(x) || (two && n > 0 && n < 10 && (x == 0 || x == n)) {
                    targets.push(("count", unit(x_of(g))));
                }
                if two && small(n - x) {
                    targets.push(("count without it", unit(2 * g + 1)));
                }
                if two && small(n) {
                    targets.push(("group size", row(g)));
                }
                for (what, f) in targets {
                    withheld += 1;
                    assert!(
                        !determined(&eq, &f),
                        "{} / {} / {}: the {what} can be solved for from the published figures",
                        pm.id,
                        pb.id,
                        group.code
                    );
                }
            }
        }
    }
    (tables, withheld)
}

#[test]
fn no_withheld_cell_of_a_published_report_can_be_recovered() {
    let mut totals = (0, 0);
    // Small estates and single prisons, where small groups are everywhere.
    for (people, seed) in [(400, 1), (900, 2), (1500, 3)] {
        let e = estate(people, seed, Outcomes::Realistic);
        let codes: Vec<_> = e.establishments().iter().take(2).map(|x| x.code.clone()).collect();
        for scope in [Scope::Estate].into_iter().chain(codes.into_iter().map(Scope::Establishment)) {
            let internal = report(&e, scope, YEAR).unwrap();
            let published = publish(&internal);
            assert!(published.published);
            let (t, w) = no_withheld_value_can_be_solved_for(&internal, &published);
            totals.0 += t;
            totals.1 += w;
        }
    }
    eprintln!("{} tables checked, {} withheld small values, none recoverable", totals.0, totals.1);
    assert!(totals.1 > 100, "the estates must exercise suppression");
}

#[test]
fn the_solver_finds_a_value_given_away_by_a_total() {
    // Guard on the proof itself: x0 + x1 + x2 = 20, x1 = 7, x2 = 10 determines x0 = 3.
    let eq = vec![vec![1, 1, 1], vec![0, 1, 0], vec![0, 0, 1]];
    assert!(determined(&eq, &[1, 0, 0]));
    assert!(!determined(&eq[..2], &[1, 0, 0]));
}

/// One published table seen by an outsider: each group's figures stand for a set of cells (one
/// establishment's, or the sum over every establishment's for the estate).
struct View<'a> {
    measure: &'a throughcare_equality::report::MeasureReport,
    groups: Vec<(&'a throughcare_equality::report::GroupResult, Vec<usize>)>,
    comparisons: bool,
}

/// Checks the estate's and every establishment's published tables together, as one system over
/// the establishments' cells (the estate's cell for a group is the sum of theirs): no withheld
/// small value of any of them can be solved for. Returns (tables, withheld values checked).
fn no_cell_recoverable_across_the_family(
    internal: &[Report],
    published: &[Report],
    estate_published: &Report,
) -> (usize, usize) {
    let (mut tables, mut withheld) = (0, 0);
    for pm in &estate_published.measures {
        if pm.kind == "amount" {
            continue;
        }
        let two = pm.kind != "incidents";
        for pb in pm.breakdowns.iter().filter(|b| b.id != "establishment") {
            tables += 1;
            // Cells: for each establishment, each of its groups, x (and y).
            let mut index: Vec<(usize, String)> = Vec::new();
            for (e, r) in internal.iter().enumerate() {
                let b =
                    r.measures.iter().find(|m| m.id == pm.id).and_then(|m| m.breakdowns.iter().find(|b| b.id == pb.id));
                for g in b.map(|b| b.groups.iter()).into_iter().flatten() {
                    index.push((e, g.code.clone()));
                }
            }
            let cells = if two { 2 * index.len() } else { index.len() };
            let pos = |e: usize, code: &str| index.iter().position(|(i, c)| *i == e && c == code);
            let x_of = |i: usize| if two { 2 * i } else { i };
            let vec_of = |set: &[usize], both: bool| {
                let mut v = vec![0i128; cells];
                for &i in set {
                    v[x_of(i)] = 1;
                    if two && both {
                        v[2 * i + 1] = 1;
                    }
                }
                v
            };
            let mut views = Vec::new();
            for (e, r) in published.iter().enumerate() {
                let Some(m) = r.measures.iter().find(|m| m.id == pm.id) else { continue };
                let Some(b) = m.breakdowns.iter().find(|b| b.id == pb.id) else { continue };
                views.push(View {
                    measure: m,
                    groups: b.groups.iter().filter_map(|g| pos(e, &g.code).map(|i| (g, vec![i]))).collect(),
                    comparisons: b.groups.iter().any(|g| g.ratio.is_some() || g.p.is_some() || g.difference.is_some()),
                });
            }
            views.push(View {
                measure: pm,
                groups: pb
                    .groups
                    .iter()
                    .map(|g| (g, (0..internal.len()).filter_map(|e| pos(e, &g.code)).collect()))
                    .collect(),
                comparisons: pb.groups.iter().any(|g| g.ratio.is_some() || g.p.is_some() || g.difference.is_some()),
            });
            let mut eq: Vec<Vec<i128>> = Vec::new();
            for v in &views {
                let all: Vec<usize> = v.groups.iter().flat_map(|(_, s)| s.clone()).collect();
                let known: Vec<usize> =
                    v.groups.iter().filter(|(g, _)| !g.unknown).flat_map(|(_, s)| s.clone()).collect();
                for (g, set) in &v.groups {
                    if let Some(x) = g.numerator {
                        assert!(!small(x), "{} / {}: a count of {x} is published", pm.id, pb.id);
                        eq.push(vec_of(set, false));
                    }
                    if two && g.denominator.is_some() {
                        eq.push(vec_of(set, true));
                    }
                }
                if v.measure.overall.numerator.is_some() {
                    eq.push(vec_of(&all, false));
                    if two {
                        eq.push(vec_of(&all, true));
                    }
                }
                if v.comparisons {
                    eq.push(vec_of(&known, false));
                    if two {
                        eq.push(vec_of(&known, true));
                    }
                }
            }
            // The estate's rows by establishment: each establishment's totals.
            if let Some(by) = pm.breakdowns.iter().find(|b| b.id == "establishment") {
                for g in &by.groups {
                    let Some(e) = internal.iter().position(|r| r.scope == g.code) else { continue };
                    let set: Vec<usize> = (0..index.len()).filter(|i| index[*i].0 == e).collect();
                    if g.numerator.is_some() {
                        eq.push(vec_of(&set, false));
                    }
                    if two && g.denominator.is_some() {
                        eq.push(vec_of(&set, true));
                    }
                }
            }
            // Every small value, in each establishment and in the estate, must stay unknown.
            let mut targets: Vec<(String, Vec<i128>)> = Vec::new();
            let mut sensitive = |what: String, set: &[usize], x: u64, n: u64| {
                if small(x) || (two && n > 0 && n < 10 && (x == 0 || x == n)) {
                    targets.push((format!("{what}: count"), vec_of(set, false)));
                }
                if two && small(n - x) {
                    let mut v = vec_of(set, true);
                    for (a, b) in v.iter_mut().zip(vec_of(set, false)) {
                        *a -= b;
                    }
                    targets.push((format!("{what}: count without it"), v));
                }
                if two && small(n) {
                    targets.push((format!("{what}: group size"), vec_of(set, true)));
                }
            };
            for (e, r) in internal.iter().enumerate() {
                let Some(b) =
                    r.measures.iter().find(|m| m.id == pm.id).and_then(|m| m.breakdowns.iter().find(|b| b.id == pb.id))
                else {
                    continue;
                };
                for g in &b.groups {
                    let i = pos(e, &g.code).unwrap();
                    sensitive(
                        format!("{} {} / {} / {}", r.scope, pm.id, pb.id, g.code),
                        &[i],
                        g.numerator.unwrap_or(0),
                        g.denominator.unwrap_or(0),
                    );
                }
            }
            // The estate's own figures are a different count (someone who moved is one person in
            // it, and in two prisons' reports), so its groups are judged here by the sum an
            // outsider sees; its own small values are checked on their own below.
            let codes: std::collections::BTreeSet<&str> = index.iter().map(|(_, c)| c.as_str()).collect();
            for code in codes {
                let set: Vec<usize> = (0..index.len()).filter(|i| index[*i].1 == code).collect();
                let (mut x, mut n) = (0, 0);
                for r in internal {
                    let m = r.measures.iter().find(|m| m.id == pm.id);
                    let b = m.and_then(|m| m.breakdowns.iter().find(|b| b.id == pb.id));
                    if let Some(g) = b.and_then(|b| b.groups.iter().find(|g| g.code == code)) {
                        x += g.numerator.unwrap_or(0);
                        n += g.denominator.unwrap_or(0);
                    }
                }
                sensitive(format!("estate {} / {} / {code}", pm.id, pb.id), &set, x, n);
            }
            for (what, f) in targets {
                withheld += 1;
                assert!(!determined(&eq, &f), "{what} can be solved for from the estate's and establishments' reports");
            }
        }
    }
    (tables, withheld)
}

#[test]
fn no_cell_can_be_recovered_across_two_years_of_estate_and_establishment_reports() {
    use throughcare_core::synthetic::{Estate, EstateSpec};
    use throughcare_equality::disclosure::publish_estate;
    let e = Estate::new(EstateSpec {
        establishments: 3,
        people: 700,
        years: 2,
        seed: 16,
        end: jiff::civil::date(2026, 3, 31),
    })
    .with_outcomes(Outcomes::Realistic);
    let mut totals = (0, 0);
    // Two financial years: they share no one's time, so no cell of one is a cell of the other;
    // each year's family is checked whole.
    for year in ["2024-04-01..2025-03-31", YEAR] {
        let internal: Vec<Report> = e
            .establishments()
            .iter()
            .map(|x| report(&e, Scope::Establishment(x.code.clone()), year).unwrap())
            .collect();
        let published: Vec<Report> = internal.iter().map(publish).collect();
        let estate = report(&e, Scope::Estate, year).unwrap();
        let estate_published = publish_estate(&estate, &internal);
        // Published alone, the estate's report gives away establishments' withheld cells: the
        // check below must be able to fail.
        if year == YEAR {
            let alone = publish(&estate);
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                no_cell_recoverable_across_the_family(&internal, &published, &alone)
            }));
            assert!(caught.is_err(), "the estate published on its own should give a cell away");
        }
        let (t, w) = no_cell_recoverable_across_the_family(&internal, &published, &estate_published);
        no_withheld_value_can_be_solved_for(&estate, &estate_published);
        totals.0 += t;
        totals.1 += w;
    }
    eprintln!("{} family tables checked, {} withheld small values, none recoverable", totals.0, totals.1);
    assert!(totals.1 > 100, "the estates must exercise suppression");
}
