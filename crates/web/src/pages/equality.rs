//! The equality report as pages (and as the standalone HTML the CLI writes): tables with
//! accessible SVG charts, the flags, and the findings that explain or reform them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use serde::Deserialize;
use throughcare_core::finding::{FindingChange, FindingStatus, FindingText, Measurement, Seen};
use throughcare_core::time::{Period, date_in_england};
use throughcare_core::{EstablishmentCode, StaffRef};
use throughcare_equality::disclosure::{publish, publish_estate};
use throughcare_equality::report::{
    BreakdownResult, GroupResult, MeasureReport, Report, ReportBuilder, ReportError, Scope, Setting, Signal,
};
use throughcare_store::Db;
use throughcare_store::findings::{Finding, FindingUpdate, Measured};
use throughcare_store::obligations::Engine;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;

/// Reads everyone's timeline and builds the report (the internal view: nothing withheld).
pub async fn build_report(
    db: &Db,
    engine: &Engine,
    scope: Scope,
    period: Period,
    as_at: Timestamp,
) -> Result<Result<Report, ReportError>, throughcare_store::StoreError> {
    build_report_with(db, engine, &engine.measures, scope, period, as_at).await
}

/// The same, for some of the measures (the outcome measures healthcare reports).
pub async fn build_report_with(
    db: &Db,
    engine: &Engine,
    measures: &throughcare_core::measures::MeasureSet,
    scope: Scope,
    period: Period,
    as_at: Timestamp,
) -> Result<Result<Report, ReportError>, throughcare_store::StoreError> {
    let establishments = db.establishments().await?;
    let builder = ReportBuilder::new(Setting {
        measures,
        standards: &engine.standards,
        calendar: &engine.calendar,
        establishments: &establishments,
        scope: scope.clone(),
        period,
        as_at,
    });
    let mut builder = match builder {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    let only = match &scope {
        Scope::Estate => None,
        Scope::Establishment(code) => Some(code),
    };
    db.for_each_timeline(only, |p, t| builder.add(p, t)).await?;
    Ok(builder.finish())
}

/// The published form of a report: an establishment's on its own; the estate's beside every
/// establishment's for the same period, so no report can be subtracted from another.
pub async fn published_report(
    db: &Db,
    engine: &Engine,
    internal: &Report,
    scope: &Scope,
    period: Period,
    as_at: Timestamp,
) -> Result<Report, throughcare_store::StoreError> {
    Ok(match scope {
        Scope::Establishment(_) => publish(internal),
        Scope::Estate => {
            let mut members = Vec::new();
            for e in db.establishments().await? {
                if let Ok(r) = build_report(db, engine, Scope::Establishment(e.code.clone()), period, as_at).await? {
                    members.push(r);
                }
            }
            publish_estate(internal, &members)
        }
    })
}

/// Recently built reports by scope and period, each kept for `ReportCache::KEEP`.
#[derive(Default)]
pub struct ReportCache {
    built: std::sync::Mutex<std::collections::HashMap<(String, Period), (Timestamp, std::sync::Arc<Report>)>>,
}

impl ReportCache {
    const KEEP: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

    pub(crate) async fn get(
        &self,
        state: &AppState,
        scope: Scope,
        period: Period,
        now: Timestamp,
    ) -> Result<Result<std::sync::Arc<Report>, ReportError>, throughcare_store::StoreError> {
        let key = (scope.code().to_string(), period);
        if let Some((at, r)) = self.built.lock().expect("not poisoned").get(&key) {
            if now.duration_since(*at) < Self::KEEP {
                return Ok(Ok(r.clone()));
            }
        }
        let built = match build_report(&state.db, &state.engine, scope, period, now).await? {
            Ok(r) => std::sync::Arc::new(r),
            Err(e) => return Ok(Err(e)),
        };
        let mut map = self.built.lock().expect("not poisoned");
        map.retain(|_, (at, _)| now.duration_since(*at) < Self::KEEP);
        map.insert(key, (now, built.clone()));
        Ok(Ok(built))
    }
}

/// Every group's figures, to record with the findings: flagged groups open or keep a finding,
/// and a finding's group keeps its figures for the period whether flagged or not.
pub fn measured_of(report: &Report) -> Vec<Measured> {
    report
        .measures
        .iter()
        .flat_map(|m| m.breakdowns.iter().map(move |b| (m, b)))
        .flat_map(|(m, b)| b.groups.iter().map(move |g| (m, b, g)))
        .map(|(m, b, g)| Measured {
            measure: m.id.clone(),
            breakdown: b.id.clone(),
            group: g.code.clone(),
            title: format!("{}: {} ({})", m.title, g.label, b.title.to_lowercase()),
            flagged: g.signal == Signal::Flagged,
            rate: g.rate,
            ratio: g.ratio,
            ratio_lower: g.ratio_lower,
            ratio_upper: g.ratio_upper,
            q: g.q,
        })
        .collect()
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn number(x: f64) -> String {
    if x >= 100.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

fn ratio(x: f64) -> String {
    format!("{x:.2}")
}

fn q_text(q: f64) -> String {
    if q < 0.001 { "< 0.001".into() } else { format!("{q:.3}") }
}

fn withheld_or(v: Option<String>, withheld: bool) -> String {
    match v {
        Some(s) => s,
        None if withheld => "[c]".into(),
        None => "–".into(),
    }
}

/// One group's row, formatted.
pub struct RowView {
    pub label: String,
    pub unknown: bool,
    pub numerator: String,
    pub denominator: String,
    pub rate: String,
    pub interval: String,
    pub ratio: String,
    pub ratio_interval: String,
    pub q: String,
    pub signal: &'static str,
    pub signal_class: &'static str,
    pub note: String,
}

fn signal_text(s: Signal) -> (&'static str, &'static str) {
    match s {
        Signal::Flagged => ("Flagged: explain or reform", "govuk-tag govuk-tag--red"),
        Signal::Monitor => ("Monitor", "govuk-tag govuk-tag--yellow"),
        Signal::Clear => ("No difference found", "govuk-tag govuk-tag--grey"),
        Signal::NotTested => ("Not tested", "govuk-tag govuk-tag--grey"),
    }
}

fn row_view(m: &MeasureReport, g: &GroupResult) -> RowView {
    let fmt = |x: f64| if m.kind == "incidents" || m.kind == "amount" { number(x) } else { percent(x) };
    let w = g.withheld;
    let (signal, signal_class) = signal_text(g.signal);
    RowView {
        label: g.label.clone(),
        unknown: g.unknown,
        numerator: withheld_or(g.numerator.map(|n| n.to_string()), w.numerator),
        denominator: withheld_or(
            if m.kind == "incidents" || m.kind == "amount" {
                g.person_years.map(number)
            } else {
                g.denominator.map(|n| n.to_string())
            },
            w.denominator,
        ),
        rate: withheld_or(g.rate.map(fmt), w.rate),
        interval: withheld_or(g.rate_lower.zip(g.rate_upper).map(|(a, b)| format!("{} to {}", fmt(a), fmt(b))), w.rate),
        ratio: withheld_or(g.ratio.map(ratio), w.comparison),
        ratio_interval: withheld_or(
            g.ratio_lower.zip(g.ratio_upper).map(|(a, b)| format!("{} to {}", ratio(a), ratio(b))),
            w.comparison,
        ),
        q: withheld_or(g.q.map(q_text), w.comparison),
        signal,
        signal_class,
        note: g.note.clone().unwrap_or_default(),
    }
}

/// Text made safe inside HTML or SVG, for markup built by hand rather than by a template.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart of each group's rate with its interval, and a line at everyone's rate.
/// The SVG is an image with a title and a text description; the table beside it holds the data.
fn chart(id: &str, m: &MeasureReport, b: &BreakdownResult) -> (String, String) {
    let shown: Vec<(&GroupResult, f64)> = b.groups.iter().filter_map(|g| g.rate.map(|r| (g, r))).collect();
    let fmt = |x: f64| if m.kind == "incidents" || m.kind == "amount" { number(x) } else { percent(x) };
    let overall = m.overall.rate;
    let mut description = match overall {
        Some(o) => format!("Everyone: {}. ", fmt(o)),
        None => String::new(),
    };
    if let (Some(hi), Some(lo)) =
        (shown.iter().max_by(|a, b| a.1.total_cmp(&b.1)), shown.iter().min_by(|a, b| a.1.total_cmp(&b.1)))
    {
        description.push_str(&format!(
            "Highest: {} ({}). Lowest: {} ({}). ",
            hi.0.label,
            fmt(hi.1),
            lo.0.label,
            fmt(lo.1)
        ));
    }
    let flagged: Vec<&str> =
        b.groups.iter().filter(|g| g.signal == Signal::Flagged).map(|g| g.label.as_str()).collect();
    description.push_str(&if flagged.is_empty() {
        "No group is flagged.".to_string()
    } else {
        format!("Flagged for explanation or reform: {}.", flagged.join(", "))
    });
    if shown.is_empty() {
        return (String::new(), description);
    }
    let max = shown.iter().map(|(g, r)| g.rate_upper.unwrap_or(*r)).chain(overall).fold(0.0f64, f64::max).max(1e-9);
    let (label_w, bar_w, row_h) = (300.0, 360.0, 26.0);
    let height = row_h * shown.len() as f64 + 30.0;
    let x = |v: f64| label_w + bar_w * v / max;
    let mut svg = format!(
        "<svg class=\"app-chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {height}\" width=\"100%\" style=\"max-width:{w}px\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{title}: {by}</title><desc id=\"{id}-desc\">{desc}</desc>",
        w = label_w + bar_w + 80.0,
        title = esc(&m.title),
        by = esc(&b.title),
        desc = esc(&description),
    );
    for (i, &(g, rate)) in shown.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let colour = if g.signal == Signal::Flagged {
            "#d4351c"
        } else if g.unknown {
            "#b1b4b6"
        } else {
            "#1d70b8"
        };
        let label: String = g.label.chars().take(44).collect();
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"#0b0c0c\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{bw:.1}\" height=\"{bh}\" fill=\"{colour}\"/>",
            lx = label_w - 8.0,
            ty = y + 14.0,
            label = esc(&label),
            bw = x(rate) - label_w,
            bh = row_h - 8.0,
        ));
        if let (Some(lo), Some(hi)) = (g.rate_lower, g.rate_upper) {
            let cy = y + (row_h - 8.0) / 2.0;
            svg.push_str(&format!(
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{cy}\" y2=\"{cy}\" stroke=\"#0b0c0c\" stroke-width=\"2\"/>",
                x(lo),
                x(hi)
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"13\" fill=\"#0b0c0c\">{}</text>",
            x(g.rate_upper.unwrap_or(rate)) + 6.0,
            y + 14.0,
            esc(&fmt(rate))
        ));
    }
    if let Some(o) = overall {
        svg.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"4\" y2=\"{1}\" stroke=\"#0b0c0c\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{0:.1}\" y=\"{2}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#0b0c0c\">everyone {3}</text>",
            x(o),
            height - 18.0,
            height - 4.0,
            esc(&fmt(o))
        ));
    }
    svg.push_str("</svg>");
    (svg, description)
}

pub struct BreakdownView {
    pub id: String,
    pub title: String,
    pub note: String,
    pub chi: String,
    pub svg: String,
    pub description: String,
    pub rows: Vec<RowView>,
}

pub struct MeasureView {
    pub id: String,
    pub title: String,
    pub counts_in_words: String,
    pub source: String,
    pub tested: bool,
    pub rate_heading: &'static str,
    pub denominator_heading: &'static str,
    pub overall: RowView,
    pub flags: usize,
    pub breakdowns: Vec<BreakdownView>,
}

pub struct FlagView {
    pub measure: String,
    pub measure_id: String,
    pub breakdown: String,
    pub group: String,
    pub rate: String,
    pub ratio: String,
    pub q: String,
    pub finding: Option<(i64, String, &'static str)>,
}

/// The whole report, formatted for a page or a printout.
pub struct ReportView {
    pub scope: String,
    pub scope_name: String,
    pub from: String,
    pub to: String,
    pub as_at: String,
    pub people: u64,
    pub person_years: String,
    pub comparisons: usize,
    pub flagged: usize,
    pub published: bool,
    pub caveat: &'static str,
    pub flags: Vec<FlagView>,
    pub measures: Vec<MeasureView>,
    /// The measure shown in full (all of them when printing).
    pub selected: Option<String>,
    /// In a published document: findings are answered in its own section, not linked.
    pub public: bool,
}

fn finding_status_text(s: FindingStatus, seen: Seen) -> &'static str {
    match (s, seen) {
        (FindingStatus::Open, Seen::New) => "New",
        (FindingStatus::Open, _) => "Open",
        (FindingStatus::Explained, _) => "Explained",
        (FindingStatus::ReformPlanned, _) => "Reform planned",
        (FindingStatus::Reviewed, _) => "Reviewed",
    }
}

impl ReportView {
    pub fn new(r: &Report, findings: &[Finding], selected: Option<String>) -> Self {
        let measures = r
            .measures
            .iter()
            .map(|m| {
                let (rate_heading, denominator_heading) = match m.kind {
                    "incidents" => ("Rate per 100 person-years", "Person-years"),
                    "amount" => ("Hours per person per week", "Person-years"),
                    _ if m.unit == "obligations" => ("Met on time", "Obligations"),
                    _ => ("Rate", "People"),
                };
                MeasureView {
                    id: m.id.clone(),
                    title: m.title.clone(),
                    counts_in_words: m.counts_in_words.clone(),
                    source: m.source.clone(),
                    tested: m.tested,
                    rate_heading,
                    denominator_heading,
                    overall: row_view(m, &m.overall),
                    flags: m.breakdowns.iter().flat_map(|b| &b.groups).filter(|g| g.signal == Signal::Flagged).count(),
                    breakdowns: m
                        .breakdowns
                        .iter()
                        .map(|b| {
                            let id = format!("{}--{}", m.id, b.id.replace('+', "-"));
                            let (svg, description) = chart(&format!("chart-{id}"), m, b);
                            BreakdownView {
                                title: b.title.clone(),
                                note: b.note.clone().unwrap_or_default(),
                                chi: b.chi_square.as_ref().map_or(String::new(), |c| {
                                    format!(
                                        "Chi-square across the known groups: {:.1} on {} degrees of freedom, p {}",
                                        c.statistic,
                                        c.degrees_of_freedom,
                                        q_text(c.p)
                                    )
                                }),
                                svg,
                                description,
                                rows: b.groups.iter().map(|g| row_view(m, g)).collect(),
                                id,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let flags = r
            .flags()
            .map(|(m, b, g)| (m, b, g, row_view(m, g)))
            .map(|(m, b, g, row)| FlagView {
                measure: m.title.clone(),
                measure_id: m.id.clone(),
                breakdown: b.title.clone(),
                group: g.label.clone(),
                ratio: format!("{} ({})", row.ratio, row.ratio_interval),
                rate: row.rate,
                q: g.q.map(q_text).unwrap_or_default(),
                finding: findings
                    .iter()
                    .find(|f| f.scope == r.scope && f.measure == m.id && f.breakdown == b.id && f.group == g.code)
                    .map(|f| {
                        (
                            f.id,
                            f.owner.clone().unwrap_or_else(|| "No owner yet".into()),
                            finding_status_text(f.status, f.seen),
                        )
                    }),
            })
            .collect();
        ReportView {
            scope: r.scope.clone(),
            scope_name: r.scope_name.clone(),
            from: r.period.from.to_string(),
            to: r.period.to.to_string(),
            as_at: r.as_at.clone(),
            people: r.people,
            person_years: format!("{:.0}", r.person_years),
            comparisons: r.comparisons,
            flagged: r.flagged,
            published: r.published,
            caveat: r.caveat,
            flags,
            measures,
            selected,
            public: false,
        }
    }

    pub fn shows(&self, id: &str) -> bool {
        self.selected.as_deref().is_none_or(|s| s == id)
    }
}

#[derive(Template)]
#[template(path = "equality_standalone.html")]
struct Standalone<'a> {
    view: &'a ReportView,
}

/// The report as one self-contained HTML file, every measure in full, printable to PDF.
pub fn standalone_html(report: &Report, findings: &[Finding]) -> String {
    let view = ReportView::new(report, findings, None);
    Standalone { view: &view }.render().expect("the report template renders")
}

#[derive(Deserialize)]
pub struct EqualityQuery {
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    measure: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "equality.html")]
pub struct EqualityPage {
    staff: Option<CurrentStaff>,
    errors: Vec<(&'static str, String)>,
    scope: String,
    from: String,
    to: String,
    published: bool,
    scopes: Vec<(String, String)>,
    view: Option<ReportView>,
    problem: Option<String>,
    may_record: bool,
    work: Option<WorkView>,
}

/// What the establishment's equality team did in the period, beside the numbers: the forums'
/// actions, festivals marked, complaints scrutinised and time lost to curtailments.
pub struct WorkView {
    /// (forum and date, action, owner, due, status)
    actions: Vec<(String, String, String, String, &'static str)>,
    /// (festival, date, asked in time or not, budget, marked)
    festivals: Vec<(String, String, &'static str, String, String)>,
    /// (quarter, sampled of answered, views recorded)
    scrutiny: Vec<(String, String, String)>,
    /// (cause, hours lost)
    curtailed: Vec<(&'static str, String)>,
}

fn work_view(r: &throughcare_core::establishment::Register, period: Period, today: jiff::civil::Date) -> WorkView {
    use throughcare_core::codes::CodeSet;
    use throughcare_core::display;
    let inside = |d: jiff::civil::Date| d >= period.from && d <= period.to;
    let defaults = throughcare_core::establishment::Defaults::builtin();
    WorkView {
        actions: r
            .actions
            .iter()
            .filter(|a| inside(a.held_on))
            .map(|a| {
                (
                    format!("{}, {}", a.forum, display::date(a.held_on)),
                    a.action.action.clone(),
                    a.action.owner.clone(),
                    display::date(a.action.due),
                    match a.done {
                        Some(_) => "Done",
                        None if a.action.due < today => "Overdue",
                        None => "Open",
                    },
                )
            })
            .collect(),
        festivals: r
            .festivals
            .iter()
            // Planned in the period, or marked in it.
            .filter(|f| inside(f.on) || inside(f.asked_on))
            .map(|f| {
                (
                    format!("{} ({})", f.festival, f.religion.label()),
                    display::date(f.on),
                    if f.asked_on <= defaults.ask_by(f.on) { "Yes" } else { "No, later" },
                    crate::pages::equality_team::pounds(f.budget_pence),
                    f.marked.map_or("Not yet recorded".into(), |(n, _)| format!("{n} attended")),
                )
            })
            .collect(),
        scrutiny: r
            .samples
            .iter()
            .filter(|s| throughcare_core::scrutiny::Quarter::parse(&s.quarter).is_ok_and(|q| inside(q.first_day())))
            .map(|s| {
                (
                    throughcare_core::scrutiny::Quarter::parse(&s.quarter).map_or(s.quarter.clone(), |q| q.label()),
                    format!("{} of {}", s.complaints.len(), s.answered),
                    format!("{} of {}", s.views.len(), s.complaints.len()),
                )
            })
            .collect(),
        curtailed: throughcare_core::establishment::CurtailmentCause::ALL
            .iter()
            .map(|c| {
                let m: u32 = r.curtailments.iter().filter(|x| x.2 == *c && inside(x.0)).map(|x| u32::from(x.1)).sum();
                (c.label(), crate::pages::equality_team::hours(m))
            })
            .collect(),
    }
}

/// The scope a member of staff may see: the estate only for estate-wide roles.
fn allowed_scope(staff: &CurrentStaff, asked: Option<&str>) -> Result<Scope, AppError> {
    if !staff.role.estate_wide() {
        return staff.establishment.clone().map(Scope::Establishment).ok_or(AppError::Forbidden);
    }
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("estate") => Ok(Scope::Estate),
        Some(code) => {
            EstablishmentCode::parse(code).map(Scope::Establishment).map_err(|e| AppError::BadRequest(e.to_string()))
        }
    }
}

fn default_period(today: jiff::civil::Date) -> Period {
    // The last full financial year (April to March), the period equality reports use.
    let year = if today.month() >= 4 { today.year() } else { today.year() - 1 };
    Period { from: jiff::civil::date(year - 1, 4, 1), to: jiff::civil::date(year, 3, 31) }
}

pub async fn page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<EqualityQuery>,
) -> Result<EqualityPage, AppError> {
    let scope = allowed_scope(&staff, q.scope.as_deref())?;
    let default = default_period(date_in_england(state.now()));
    let (period, errors) = super::period_fields(&q.from, &q.to, default);
    let (from, to) = (period.from, period.to);
    let published = q.view.as_deref() == Some("published");
    let mut scopes = vec![];
    if staff.role.estate_wide() {
        scopes.push(("estate".to_string(), "The estate".to_string()));
    }
    for e in state.db.establishments().await? {
        if staff.reaches(Some(&e.code)) {
            scopes.push((e.code.to_string(), e.name.as_str().to_string()));
        }
    }
    let (mut view, mut problem) = (None, None);
    let work = match (&scope, errors.is_empty()) {
        (Scope::Establishment(code), true) => {
            Some(work_view(&state.db.register(code).await?, period, date_in_england(state.now())))
        }
        _ => None,
    };
    if errors.is_empty() {
        match state.reports.get(&state, scope.clone(), period, state.now()).await? {
            Ok(report) => {
                // Aggregate, but built from special-category data: who looked, and at what, is kept.
                let what =
                    format!("{} {}..{} {}", scope.code(), from, to, if published { "published" } else { "internal" });
                crate::auth::audit(&state, &staff.username, "viewed equality report", None, &what).await?;
                let withheld;
                let report: &Report = if published {
                    withheld = match &scope {
                        Scope::Establishment(_) => publish(&report),
                        Scope::Estate => {
                            let mut members = Vec::new();
                            for e in state.db.establishments().await? {
                                let code = Scope::Establishment(e.code.clone());
                                if let Ok(r) = state.reports.get(&state, code, period, state.now()).await? {
                                    members.push(r);
                                }
                            }
                            let members: Vec<Report> = members.iter().map(|r| (**r).clone()).collect();
                            publish_estate(&report, &members)
                        }
                    };
                    &withheld
                } else {
                    &report
                };
                let findings = state.db.findings(Some(scope.code())).await?;
                // One measure in full (the first flagged, unless asked), or every one to print.
                let selected = match q.measure.as_deref() {
                    Some("all") => None,
                    Some(m) => Some(m.to_string()),
                    None => report
                        .flags()
                        .next()
                        .map(|(m, _, _)| m.id.clone())
                        .or_else(|| report.measures.first().map(|m| m.id.clone())),
                };
                view = Some(ReportView::new(report, &findings, selected));
            }
            Err(e) => problem = Some(e.to_string()),
        }
    }
    Ok(EqualityPage {
        may_record: staff.role.can(crate::roles::Access::Findings),
        staff: Some(staff),
        errors,
        scope: scope.code().to_string(),
        from: q.from.unwrap_or_else(|| from.to_string()),
        to: q.to.unwrap_or_else(|| to.to_string()),
        published,
        scopes,
        view,
        problem,
        work,
    })
}

#[derive(Deserialize)]
pub struct RecordForm {
    scope: String,
    from: String,
    to: String,
}

/// Records the report's flags as findings: new ones open, old ones persist or fall away.
pub async fn record(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(f): Form<RecordForm>,
) -> Result<Response, AppError> {
    let scope = allowed_scope(&staff, Some(&f.scope))?;
    let period = Period::parse(&format!("{}..{}", f.from.trim(), f.to.trim())).map_err(AppError::BadRequest)?;
    let now = state.now();
    let report = match build_report(&state.db, &state.engine, scope.clone(), period, now).await? {
        Ok(r) => r,
        Err(e) => return Err(AppError::BadRequest(e.to_string())),
    };
    let mut tx = state.db.begin_write().await?;
    let s = tx.record_findings(scope.code(), period, now, &measured_of(&report)).await?;
    tx.audit(
        now,
        &staff.username,
        "recorded equality findings",
        None,
        &format!(
            "{} {}..{}: {} new, {} persist, {} no longer flagged",
            scope.code(),
            period.from,
            period.to,
            s.new,
            s.persists,
            s.no_longer_flagged
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/findings?scope={}", scope.code())).into_response())
}

pub struct FindingRow {
    pub id: i64,
    pub title: String,
    pub scope: String,
    pub status: &'static str,
    pub owner: String,
    pub first_period: String,
    pub last_period: String,
    pub flagged_now: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "findings.html")]
pub struct FindingsPage {
    staff: Option<CurrentStaff>,
    rows: Vec<FindingRow>,
}

#[derive(Deserialize)]
pub struct FindingsQuery {
    #[serde(default)]
    scope: Option<String>,
}

/// A finding's scope is an establishment code, or `estate` (which only estate-wide staff reach).
fn in_reach(staff: &CurrentStaff, scope: &str) -> bool {
    staff.reaches(EstablishmentCode::parse(scope).ok().as_ref())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<FindingsQuery>,
) -> Result<FindingsPage, AppError> {
    let scope = q.scope.filter(|s| !s.is_empty());
    let rows = state
        .db
        .findings(scope.as_deref())
        .await?
        .into_iter()
        .filter(|f| in_reach(&staff, &f.scope))
        .map(|f| FindingRow {
            status: finding_status_text(f.status, f.seen),
            owner: f.owner.unwrap_or_else(|| "No owner yet".into()),
            flagged_now: f.seen != Seen::NoLongerFlagged,
            id: f.id,
            title: f.title,
            scope: f.scope,
            first_period: Period::parse(&f.first_period).map_or(f.first_period.clone(), period_words),
            last_period: Period::parse(&f.last_period).map_or(f.last_period.clone(), period_words),
        })
        .collect();
    Ok(FindingsPage { staff: Some(staff), rows })
}

/// A period in words: "1 April 2025 to 31 March 2026".
pub fn period_words(p: Period) -> String {
    format!("{} to {}", throughcare_core::display::date(p.from), throughcare_core::display::date(p.to))
}

/// One period of a finding's history, formatted.
pub struct TrendRow {
    pub period: String,
    pub flagged: &'static str,
    pub rate: String,
    pub ratio: String,
    pub q: String,
}

/// An answer given to a finding, with the periods it answers.
pub struct AnswerView {
    pub what: &'static str,
    pub text: String,
    pub review_by: Option<String>,
    pub at: String,
    pub by: String,
    pub periods: String,
}

/// The ratio to everyone else in each period measured, with its interval and a line at 1 (no
/// difference). An image with a title and description; the table beside it holds the data.
fn trend_chart(ms: &[Measurement]) -> (String, String) {
    let shown: Vec<(usize, &Measurement, f64)> =
        ms.iter().enumerate().filter_map(|(i, m)| m.ratio.map(|r| (i, m, r))).collect();
    let desc = shown
        .iter()
        .map(|(_, m, r)| {
            format!("{}: {}{}", period_words(m.period), ratio(*r), if m.flagged { ", flagged" } else { "" })
        })
        .collect::<Vec<_>>()
        .join("; ");
    if shown.is_empty() {
        return (String::new(), "No ratio was measured in any period.".into());
    }
    let max = shown.iter().map(|(_, m, r)| m.ratio_upper.unwrap_or(*r)).fold(1.0f64, f64::max) * 1.1;
    let (w, h, left, bottom) = (640.0, 240.0, 50.0, 40.0);
    let step = (w - left - 20.0) / ms.len().max(1) as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: f64| 10.0 + (h - bottom - 10.0) * (1.0 - v / max);
    let mut svg = format!(
        "<svg class=\"app-chart\" role=\"img\" aria-labelledby=\"trend-title trend-desc\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"max-width:{w}px\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"trend-title\">Ratio to everyone else, period by period</title><desc id=\"trend-desc\">{}</desc>\
         <line x1=\"{left}\" x2=\"{}\" y1=\"{y1:.1}\" y2=\"{y1:.1}\" stroke=\"#0b0c0c\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#0b0c0c\">1.00</text>",
        esc(&desc),
        w - 10.0,
        left - 4.0,
        y(1.0) + 4.0,
        y1 = y(1.0),
    );
    for (i, m) in ms.iter().enumerate() {
        let full_year = m.period.from.month() == 4
            && m.period.from.day() == 1
            && m.period.to.month() == 3
            && m.period.to.day() == 31
            && m.period.to.year() == m.period.from.year() + 1;
        let label = if full_year {
            format!("{}-{:02}", m.period.from.year(), m.period.to.year() % 100)
        } else {
            format!("{} to {}", m.period.from.strftime("%b %Y"), m.period.to.strftime("%b %Y"))
        };
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            x(i),
            h - bottom + 18.0,
            esc(&label)
        ));
    }
    for (i, m, r) in &shown {
        if let (Some(lo), Some(hi)) = (m.ratio_lower, m.ratio_upper) {
            svg.push_str(&format!(
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#0b0c0c\" stroke-width=\"2\"/>",
                x(*i),
                y(lo),
                y(hi)
            ));
        }
        let colour = if m.flagged { "#d4351c" } else { "#1d70b8" };
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#0b0c0c\">{}</text>",
            x(*i),
            y(*r),
            x(*i) + 9.0,
            y(*r) - 6.0,
            ratio(*r)
        ));
    }
    svg.push_str("</svg>");
    (svg, desc)
}

#[derive(Template, WebTemplate)]
#[template(path = "finding.html")]
pub struct FindingPage {
    staff: Option<CurrentStaff>,
    trend: Vec<TrendRow>,
    trend_svg: String,
    answers: Vec<AnswerView>,
    /// Reopened after a review: earlier answers stand for earlier periods only.
    asks_new_evidence: bool,
    finding: Finding,
    status: &'static str,
    seen: &'static str,
    updates: Vec<(String, FindingUpdate)>,
    may_change: bool,
    errors: Vec<(&'static str, String)>,
    form: ChangeForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct ChangeForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub actions: String,
    /// The review date, as the GOV.UK date input's three boxes.
    #[serde(default)]
    pub review_by_day: String,
    #[serde(default)]
    pub review_by_month: String,
    #[serde(default)]
    pub review_by_year: String,
    #[serde(default)]
    pub outcome: String,
}

async fn finding_page(
    state: &AppState,
    staff: CurrentStaff,
    id: i64,
    errors: Vec<(&'static str, String)>,
    form: ChangeForm,
) -> Result<FindingPage, AppError> {
    let Some((finding, updates)) = state.db.finding(id).await? else { return Err(AppError::NotFound) };
    if !in_reach(&staff, &finding.scope) {
        return Err(AppError::NotFound);
    }
    let (ms, responses) = state.db.finding_history(id).await?;
    let (trend_svg, _) = trend_chart(&ms);
    let trend = ms
        .iter()
        .map(|m| TrendRow {
            period: period_words(m.period),
            flagged: if m.flagged { "Flagged" } else { "Not flagged" },
            rate: m.rate.map_or("–".into(), |r| if r <= 1.0 { percent(r) } else { number(r) }),
            ratio: m.ratio.map_or("–".into(), |r| match (m.ratio_lower, m.ratio_upper) {
                (Some(a), Some(b)) => format!("{} ({} to {})", ratio(r), ratio(a), ratio(b)),
                _ => ratio(r),
            }),
            q: m.q.map_or("–".into(), q_text),
        })
        .collect();
    let asks_new_evidence = finding.status == FindingStatus::Open && !responses.is_empty();
    let answers = responses
        .iter()
        .map(|r| AnswerView {
            what: match r.status {
                FindingStatus::Explained => "Explanation and evidence",
                FindingStatus::ReformPlanned => "Reform",
                _ => "Review",
            },
            text: r.text.clone(),
            review_by: r.review_by.map(throughcare_core::display::date),
            at: throughcare_core::display::instant(r.at),
            by: r.by.clone(),
            periods: r.periods.iter().map(|p| period_words(*p)).collect::<Vec<_>>().join("; "),
        })
        .collect();
    Ok(FindingPage {
        trend,
        trend_svg,
        answers,
        asks_new_evidence,
        status: finding_status_text(finding.status, finding.seen),
        seen: match finding.seen {
            Seen::New => "Flagged for the first time in the latest report",
            Seen::Persists => "Flagged again in the latest report",
            Seen::NoLongerFlagged => "Not flagged in the latest report",
        },
        updates: updates.into_iter().map(|u| (throughcare_core::display::instant(u.at), u)).collect(),
        may_change: staff.role.can(crate::roles::Access::Findings),
        staff: Some(staff),
        finding,
        errors,
        form,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<i64>,
) -> Result<FindingPage, AppError> {
    finding_page(&state, staff, id, Vec::new(), ChangeForm::default()).await
}

/// Assigns an owner, or explains, plans a reform for or reviews a finding. A problem re-renders
/// the page with the message beside the field, and nothing is written.
pub async fn change(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<i64>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    if !staff.role.can(crate::roles::Access::Findings) {
        return Err(AppError::Forbidden);
    }
    let Some((finding, _)) = state.db.finding(id).await? else { return Err(AppError::NotFound) };
    if !in_reach(&staff, &finding.scope) {
        return Err(AppError::NotFound);
    }
    let now = state.now();
    let today = date_in_england(now);
    let by = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let text = |errors: &mut Vec<(&'static str, String)>, field: &'static str, what: &str, v: &str| {
        FindingText::parse(what, v).map_err(|m| errors.push((field, m))).ok()
    };
    let mut tx = state.db.begin_write().await?;
    match form.action.as_str() {
        "assign" => match StaffRef::parse(form.owner.trim()) {
            Ok(owner) if state.db.staff(owner.as_str()).await?.is_some() => {
                tx.assign_finding(id, &owner, &by, now).await?;
            }
            Ok(_) => errors.push(("owner", "There is no member of staff with that username".into())),
            Err(_) => errors.push(("owner", "Enter the owner's username, like jane.smith".into())),
        },
        action => {
            let change = match action {
                "explain" => text(&mut errors, "evidence", "evidence", &form.evidence)
                    .map(|evidence| FindingChange::Explain { evidence }),
                "reform" => {
                    let actions = text(&mut errors, "actions", "actions", &form.actions);
                    let review_by =
                        match super::date_input(&form.review_by_day, &form.review_by_month, &form.review_by_year) {
                            Ok(d) => Some(d),
                            Err(m) => {
                                errors.push(("review_by", m.replace("the date it happened", "the date of the review")));
                                None
                            }
                        };
                    actions.zip(review_by).map(|(actions, review_by)| FindingChange::PlanReform { actions, review_by })
                }
                "review" => text(&mut errors, "outcome", "outcome of the review", &form.outcome)
                    .map(|outcome| FindingChange::Review { outcome }),
                _ => return Err(AppError::BadRequest("unknown action".into())),
            };
            if let Some(change) = change {
                if let Err(reason) = change.check(finding.status, today) {
                    let field = match action {
                        "reform" if reason.contains("date") => "review_by",
                        "reform" => "actions",
                        "review" => "outcome",
                        _ => "evidence",
                    };
                    errors.push((field, reason));
                } else {
                    tx.change_finding(id, &change, &by, now).await?.map_err(AppError::BadRequest)?;
                }
            }
        }
    }
    if !errors.is_empty() {
        drop(tx);
        let page = finding_page(&state, staff, id, errors, form).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    tx.audit(now, &staff.username, "changed an equality finding", None, &format!("finding {id}: {}", form.action))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

impl EqualityPage {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

impl FindingPage {
    /// A stored period (`2025-04-01..2026-03-31`) in words.
    pub fn words(&self, p: &str) -> String {
        Period::parse(p).map_or_else(|_| p.to_string(), period_words)
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}
