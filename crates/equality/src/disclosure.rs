//! Disclosure control for anything published (research/stats.md §3 and §6.6): counts of 1-4
//! withheld, rates on fewer than 10 withheld, secondary suppression until no withheld value can
//! be solved for from what is published, and the same groups withheld in every table of a breakdown.

use std::collections::{BTreeSet, HashMap};

use crate::report::{BreakdownResult, GroupResult, MeasureReport, Report};

/// Counts from 1 to this are never published.
pub const SMALLEST_PUBLISHED: u64 = 5;
/// Rates and ratios need at least this many people (or obligations) behind them.
pub const MIN_DENOMINATOR: u64 = 10;

fn small(n: u64) -> bool {
    (1..SMALLEST_PUBLISHED).contains(&n)
}

/// A linear equation over a table's interior cells that publishing a value gives away.
#[derive(Debug, Clone)]
pub struct Equation {
    pub coefficients: Vec<f64>,
}

/// Row-reduced published equations: anything in their span can be solved for.
pub struct Span {
    rows: Vec<(usize, Vec<f64>)>,
}

impl Span {
    pub fn new(equations: &[Vec<f64>]) -> Self {
        let mut span = Span { rows: Vec::new() };
        for e in equations {
            span.add(e.clone());
        }
        span
    }

    fn reduce(&self, mut v: Vec<f64>) -> Vec<f64> {
        for (pivot, row) in &self.rows {
            let f = v[*pivot];
            if f.abs() > 1e-9 {
                for (x, r) in v.iter_mut().zip(row) {
                    *x -= f * r;
                }
            }
        }
        v
    }

    fn add(&mut self, v: Vec<f64>) {
        let mut v = self.reduce(v);
        let Some(pivot) = (0..v.len()).max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs())) else { return };
        let p = v[pivot];
        if p.abs() <= 1e-9 {
            return;
        }
        for x in v.iter_mut() {
            *x /= p;
        }
        // Keep the basis fully reduced so one pass of `reduce` is enough.
        for (_, row) in self.rows.iter_mut() {
            let f = row[pivot];
            if f.abs() > 1e-9 {
                for (x, r) in row.iter_mut().zip(&v) {
                    *x -= f * r;
                }
            }
        }
        self.rows.push((pivot, v));
    }

    /// True when `f` (a combination of cells) follows from the published equations.
    pub fn determines(&self, f: &[f64]) -> bool {
        self.reduce(f.to_vec()).iter().all(|x| x.abs() <= 1e-9)
    }
}

/// One published table: groups as rows, with the outcome (x) and without it (y) as columns.
#[derive(Clone)]
struct Table {
    x: Vec<u64>,
    n: Vec<u64>,
    unknown: Vec<bool>,
    /// Which values are withheld.
    hide_x: Vec<bool>,
    hide_n: Vec<bool>,
    hide_total: bool,
    /// Comparisons against "everyone else with a known value" publish the known-group totals.
    hide_comparisons: bool,
    /// Whether y (denominator minus numerator) is a cell: not for incident counts.
    two_columns: bool,
    total_x: u64,
    total_n: u64,
}

impl Table {
    fn cells(&self) -> usize {
        if self.two_columns { 2 * self.x.len() } else { self.x.len() }
    }
    fn unit(&self, i: usize) -> Vec<f64> {
        let mut v = vec![0.0; self.cells()];
        v[i] = 1.0;
        v
    }
    fn row_sum(&self, g: usize) -> Vec<f64> {
        let mut v = self.unit(2 * g);
        v[2 * g + 1] = 1.0;
        v
    }
    fn sum(&self, filter: impl Fn(usize) -> bool, both: bool) -> Vec<f64> {
        let mut v = vec![0.0; self.cells()];
        for g in (0..self.x.len()).filter(|g| filter(*g)) {
            if self.two_columns {
                v[2 * g] = 1.0;
                if both {
                    v[2 * g + 1] = 1.0;
                }
            } else {
                v[g] = 1.0;
            }
        }
        v
    }
    fn x_cell(&self, g: usize) -> usize {
        if self.two_columns { 2 * g } else { g }
    }

    /// What is published, as equations over the interior cells.
    fn published(&self) -> Vec<Vec<f64>> {
        let mut eq = Vec::new();
        for g in 0..self.x.len() {
            if !self.hide_x[g] {
                eq.push(self.unit(self.x_cell(g)));
            }
            if self.two_columns && !self.hide_n[g] {
                eq.push(self.row_sum(g));
            }
        }
        if !self.hide_total {
            eq.push(self.sum(|_| true, false));
            if self.two_columns {
                eq.push(self.sum(|_| true, true));
            }
        }
        if !self.hide_comparisons {
            eq.push(self.sum(|g| !self.unknown[g], false));
            if self.two_columns {
                eq.push(self.sum(|g| !self.unknown[g], true));
            }
        }
        eq
    }

    /// Values that must not be recoverable: small counts, and rows of a few people all alike.
    fn sensitive(&self) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        for g in 0..self.x.len() {
            let (x, n) = (self.x[g], self.n[g]);
            if small(x) || (self.two_columns && n < MIN_DENOMINATOR && n > 0 && (x == 0 || x == n)) {
                out.push(self.unit(self.x_cell(g)));
            }
            if self.two_columns {
                if small(n - x) {
                    out.push(self.unit(2 * g + 1));
                }
                if small(n) {
                    out.push(self.row_sum(g));
                }
            }
        }
        if small(self.total_x) {
            out.push(self.sum(|_| true, false));
        }
        if self.two_columns && small(self.total_n) {
            out.push(self.sum(|_| true, true));
        }
        out
    }

    fn recoverable(&self) -> usize {
        let span = Span::new(&self.published());
        self.sensitive().iter().filter(|f| span.determines(f)).count()
    }

    /// Primary suppression, then the cheapest extra withholding until nothing sensitive is recoverable.
    fn protect(&mut self) {
        for g in 0..self.x.len() {
            let (x, n) = (self.x[g], self.n[g]);
            if small(x) || (self.two_columns && small(n - x)) {
                self.hide_x[g] = true;
            }
            if self.two_columns && (small(n) || (n < MIN_DENOMINATOR && n > 0 && (x == 0 || x == n))) {
                self.hide_x[g] = true;
                self.hide_n[g] = true;
            }
        }
        self.hide_total |= small(self.total_x) || small(self.total_n);
        loop {
            let now = self.recoverable();
            if now == 0 {
                return;
            }
            // Candidates, cheapest first: another group's count (smallest non-zero), then a
            // group's size, then the comparisons, then the totals.
            let mut candidates: Vec<(u8, u64, Withhold)> = Vec::new();
            for g in 0..self.x.len() {
                if !self.hide_x[g] {
                    candidates.push((if self.x[g] == 0 { 1 } else { 0 }, self.x[g], Withhold::Count(g)));
                }
                if self.two_columns && !self.hide_n[g] {
                    candidates.push((2, self.n[g], Withhold::Size(g)));
                }
            }
            if !self.hide_comparisons {
                candidates.push((3, 0, Withhold::Comparisons));
            }
            if !self.hide_total {
                candidates.push((4, 0, Withhold::Total));
            }
            candidates.sort();
            let cheap: Vec<Withhold> = candidates.iter().map(|c| c.2).filter(|w| *w != Withhold::Total).collect();
            let helps = |ws: &[Withhold]| {
                let mut trial = self.clone();
                ws.iter().for_each(|w| trial.withhold(*w));
                trial.recoverable() < now
            };
            // One value that helps; else two together before a total, which would hide the
            // measure's headline figure (an unknown group beside one known group needs this);
            // else the total; failing everything, the cheapest value, and try again.
            let single = cheap.iter().find(|w| helps(&[**w])).map(|w| vec![*w]);
            let pair = || {
                cheap
                    .iter()
                    .enumerate()
                    .find_map(|(i, a)| cheap[i + 1..].iter().find(|b| helps(&[*a, **b])).map(|b| vec![*a, *b]))
            };
            let chosen = single.or_else(pair).unwrap_or_else(|| {
                if !self.hide_total {
                    vec![Withhold::Total]
                } else {
                    candidates.first().map(|c| vec![c.2]).unwrap_or_default()
                }
            });
            if chosen.is_empty() {
                return;
            }
            chosen.into_iter().for_each(|w| self.withhold(w));
        }
    }

    fn withhold(&mut self, w: Withhold) {
        match w {
            Withhold::Count(g) => self.hide_x[g] = true,
            Withhold::Size(g) => {
                self.hide_n[g] = true;
                self.hide_x[g] = true;
            }
            Withhold::Comparisons => self.hide_comparisons = true,
            Withhold::Total => self.hide_total = true,
        }
    }
}

/// One more thing secondary suppression can withhold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Withhold {
    /// A group's count with the outcome.
    Count(usize),
    /// A group's size (and so its count too).
    Size(usize),
    /// The comparisons with everyone else, which give away the known groups' totals.
    Comparisons,
    /// The measure's totals.
    Total,
}

fn withhold(g: &mut GroupResult, numerator: bool, denominator: bool, comparisons: bool) {
    let too_few = g.denominator.is_some_and(|n| n < MIN_DENOMINATOR);
    let w = &mut g.withheld;
    w.numerator |= numerator && g.numerator.is_some();
    w.denominator |= denominator && g.denominator.is_some();
    w.rate |= (numerator || denominator || too_few) && g.rate.is_some();
    w.comparison |= (numerator || denominator || too_few || comparisons)
        && (g.ratio.is_some() || g.p.is_some() || g.difference.is_some() || g.ratio_to_reference.is_some());
    if numerator {
        g.numerator = None;
    }
    if denominator {
        g.denominator = None;
        g.person_years = None;
    }
    if numerator || denominator || too_few {
        (g.rate, g.rate_lower, g.rate_upper) = (None, None, None);
    }
    if numerator || denominator || too_few || comparisons {
        (g.ratio, g.ratio_lower, g.ratio_upper) = (None, None, None);
        (g.difference, g.difference_lower, g.difference_upper) = (None, None, None);
        (g.p, g.q, g.ratio_to_reference) = (None, None, None);
    }
}

fn table_of(m: &MeasureReport, b: &BreakdownResult) -> Option<Table> {
    let two_columns = m.kind != "incidents";
    if m.kind == "amount" {
        return None;
    }
    let x: Vec<u64> = b.groups.iter().map(|g| g.numerator.unwrap_or(0)).collect();
    let n: Vec<u64> = b.groups.iter().map(|g| g.denominator.unwrap_or(0)).collect();
    let k = x.len();
    Some(Table {
        total_x: m.overall.numerator.unwrap_or(0),
        total_n: m.overall.denominator.unwrap_or(0),
        unknown: b.groups.iter().map(|g| g.unknown).collect(),
        hide_x: vec![false; k],
        hide_n: vec![false; k],
        hide_total: false,
        hide_comparisons: false,
        two_columns,
        x,
        n,
    })
}

/// The published form of a report: intersections left out (their cells add up to the
/// single-characteristic tables, so they are for authorised staff only), and in every table
/// small counts withheld so that none can be solved for.
pub fn publish(report: &Report) -> Report {
    publish_with(report, &[])
}

/// The estate's report published beside its establishments' own: each establishment's table is
/// protected on its own (they share no people's cells), and the estate publishes a figure only
/// when every establishment's published table already gives it away, so that no withheld cell of
/// any of them can be worked out by subtracting one report from another. `members` are the
/// internal reports of every establishment for the same period.
pub fn publish_estate(estate: &Report, members: &[Report]) -> Report {
    publish_with(estate, members)
}

/// What the members' protected tables determine of an estate table: per group, its count and
/// its size, then the totals and the known groups' totals.
struct Determined {
    x: Vec<bool>,
    n: Vec<bool>,
    total: bool,
    comparisons: bool,
}

/// A member establishment's protected tables by (measure, breakdown), beside its report.
type Member<'a> = (HashMap<(String, String), Table>, &'a Report);

fn determined_by_members(m: &MeasureReport, b: &BreakdownResult, members: &[Member]) -> Determined {
    let k = b.groups.len();
    let mut d = Determined { x: vec![true; k], n: vec![true; k], total: true, comparisons: true };
    for (tables, report) in members {
        if b.id == "establishment" {
            // The estate's rows by establishment are each establishment's totals, published
            // only where the establishment's own report publishes them.
            let total_published = tables.iter().find(|((mid, _), _)| *mid == m.id).is_some_and(|(_, t)| !t.hide_total);
            for (g, group) in b.groups.iter().enumerate() {
                if group.code == report.scope {
                    d.x[g] &= total_published;
                    d.n[g] &= total_published;
                }
            }
            continue;
        }
        let Some(t) = tables.get(&(m.id.clone(), b.id.clone())) else { continue };
        let span = Span::new(&t.published());
        let codes: Vec<&str> = report
            .measures
            .iter()
            .find(|x| x.id == m.id)
            .and_then(|x| x.breakdowns.iter().find(|x| x.id == b.id))
            .map(|x| x.groups.iter().map(|g| g.code.as_str()).collect())
            .unwrap_or_default();
        for (g, group) in b.groups.iter().enumerate() {
            // A group the establishment does not have adds nothing to the estate's.
            let Some(i) = codes.iter().position(|c| *c == group.code) else { continue };
            d.x[g] &= span.determines(&t.unit(t.x_cell(i)));
            if t.two_columns {
                d.n[g] &= span.determines(&t.row_sum(i));
            }
        }
        d.total &=
            span.determines(&t.sum(|_| true, false)) && (!t.two_columns || span.determines(&t.sum(|_| true, true)));
        d.comparisons &= span.determines(&t.sum(|g| !t.unknown[g], false))
            && (!t.two_columns || span.determines(&t.sum(|g| !t.unknown[g], true)));
    }
    d
}

/// Every table of a report, protected: small values withheld and secondary suppression, groups
/// whose size is withheld in one person-level table withheld in all of that breakdown's, and (for
/// the estate beside its `members`) whatever their own tables do not already give away. A
/// measure's totals withheld by any of its tables are withheld from all of them, as the report
/// withholds them.
fn protected_tables(report: &Report, members: &[Member]) -> HashMap<(String, String), Table> {
    let mut hidden_sizes: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut out = HashMap::new();
    for pass in 0..2 {
        for m in &report.measures {
            for b in m.breakdowns.iter().filter(|b| !b.intersectional) {
                let Some(mut t) = table_of(m, b) else { continue };
                if !members.is_empty() {
                    let d = determined_by_members(m, b, members);
                    for g in 0..t.x.len() {
                        t.hide_x[g] |= !d.x[g] || (t.two_columns && !d.n[g]);
                        t.hide_n[g] |= t.two_columns && !d.n[g];
                    }
                    t.hide_total |= !d.total;
                    t.hide_comparisons |= !d.comparisons;
                }
                let shared = m.unit == "people" && m.kind == "people";
                if pass == 1 && shared {
                    for (g, group) in b.groups.iter().enumerate() {
                        if hidden_sizes.get(&b.id).is_some_and(|s| s.contains(&group.code)) {
                            t.hide_n[g] = true;
                            t.hide_x[g] = true;
                        }
                    }
                }
                t.protect();
                if pass == 0 {
                    if shared {
                        let set = hidden_sizes.entry(b.id.clone()).or_default();
                        for (g, group) in b.groups.iter().enumerate() {
                            if t.hide_n[g] {
                                set.insert(group.code.clone());
                            }
                        }
                    }
                } else {
                    out.insert((m.id.clone(), b.id.clone()), t);
                }
            }
        }
    }
    let hidden: BTreeSet<String> = report
        .measures
        .iter()
        .filter(|m| {
            m.overall.numerator.is_some_and(small)
                || m.overall.denominator.is_some_and(small)
                || out.iter().any(|((mid, _), t)| *mid == m.id && t.hide_total)
        })
        .map(|m| m.id.clone())
        .collect();
    for ((mid, _), t) in out.iter_mut() {
        t.hide_total |= hidden.contains(mid);
    }
    out
}

fn publish_with(report: &Report, members: &[Report]) -> Report {
    let mut out = report.clone();
    out.published = true;
    let members: Vec<Member> = members.iter().map(|r| (protected_tables(r, &[]), r)).collect();
    let tables = protected_tables(report, &members);
    for (mi, m) in report.measures.iter().enumerate() {
        for b in m.breakdowns.iter().filter(|b| !b.intersectional) {
            let Some(t) = tables.get(&(m.id.clone(), b.id.clone())) else { continue };
            let target = out.measures[mi].breakdowns.iter_mut().find(|x| x.id == b.id).expect("same report");
            let any = t.hide_x.iter().any(|h| *h) || t.hide_n.iter().any(|h| *h);
            for (g, group) in target.groups.iter_mut().enumerate() {
                let people_hidden = !t.two_columns && small(group.denominator.unwrap_or(0));
                withhold(group, t.hide_x[g], t.hide_n[g] || people_hidden, t.hide_comparisons);
            }
            if any || t.hide_comparisons {
                // The chi-square statistic is a function of every cell: it could be solved for one.
                target.chi_square = None;
                target.note = Some("some figures are withheld so that no small group can be identified".into());
            }
            if t.hide_total {
                // The total of the outcome and the total of people go together: either gives the
                // other away through the groups.
                let overall = &mut out.measures[mi].overall;
                withhold(overall, true, t.two_columns, false);
            }
        }
    }
    for m in &mut out.measures {
        m.breakdowns.retain(|b| !b.intersectional);
        let overall = &mut m.overall;
        if overall.denominator.is_some_and(small) || overall.numerator.is_some_and(small) {
            withhold(overall, overall.numerator.is_some(), overall.denominator.is_some_and(small), false);
        }
        if m.kind == "amount" {
            for b in &mut m.breakdowns {
                for g in &mut b.groups {
                    let hide = g.denominator.is_some_and(|n| n < MIN_DENOMINATOR);
                    withhold(g, false, hide, false);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(x: &[u64], n: &[u64], unknown: &[bool]) -> Table {
        let k = x.len();
        Table {
            total_x: x.iter().sum(),
            total_n: n.iter().sum(),
            unknown: unknown.to_vec(),
            hide_x: vec![false; k],
            hide_n: vec![false; k],
            hide_total: false,
            hide_comparisons: false,
            two_columns: true,
            x: x.to_vec(),
            n: n.to_vec(),
        }
    }

    #[test]
    fn one_small_count_takes_a_second_with_it() {
        let mut t = table(&[3, 40, 55], &[100, 200, 300], &[false, false, false]);
        t.protect();
        assert_eq!(t.recoverable(), 0);
        // The 3 is withheld, and so is the smallest other count, so the total cannot give it away.
        assert_eq!(t.hide_x, vec![true, true, false]);
        assert_eq!(t.hide_n, vec![false, false, false]);
    }

    #[test]
    fn a_small_group_is_withheld_whole_and_the_span_finds_what_is_solvable() {
        let mut t = table(&[0, 40, 55], &[4, 200, 300], &[false, false, false]);
        t.protect();
        assert_eq!(t.recoverable(), 0);
        assert!(t.hide_n[0] && t.hide_x[0]);
        assert!(t.hide_n.iter().filter(|h| **h).count() >= 2, "{:?}", t.hide_n);
        // The span itself: x0 + x1 = 5 and x1 = 2 determine x0, but not x2.
        let span = Span::new(&[vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 0.0]]);
        assert!(span.determines(&[1.0, 0.0, 0.0]));
        assert!(!span.determines(&[0.0, 0.0, 1.0]));
    }

    #[test]
    fn the_headline_total_is_kept_when_two_smaller_withholdings_will_do() {
        // One known group and "not known" (3 without the outcome): withholding both counts and
        // the comparison protects it; the measure's total stays published.
        let mut t = table(&[6, 5], &[26, 8], &[false, true]);
        t.protect();
        assert_eq!(t.recoverable(), 0);
        assert!(!t.hide_total);
        assert!(t.hide_comparisons && t.hide_x == vec![true, true]);
    }
}
