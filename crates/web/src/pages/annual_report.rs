//! The governor's annual equality report: drafted in the browser by the equality lead, signed by
//! the governor, then frozen and published with its tables; a correction is a new version.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use throughcare_core::EstablishmentCode;
use throughcare_core::annual_report::{FinancialYear, Section, Status, check_signing, correction_reason};
use throughcare_core::codes::CodeSet;
use throughcare_core::display;
use throughcare_core::establishment::{Aim, Register};
use throughcare_core::finding::FindingStatus;
use throughcare_core::time::date_in_england;
use throughcare_equality::report::{Report, Scope};
use throughcare_store::annual_reports::AnnualReport;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::equality::{ReportView, build_report, published_report};
use crate::pages::form::{Errors, Pairs, value};
use crate::pages::objectives::{ObjectiveRow, objective_rows};
use crate::present::Directory;
use crate::roles::{Access, Role};

/// A report's scope in words: "HMP Example" or "The estate".
async fn scope_name(state: &AppState, scope: &str) -> Result<String, AppError> {
    Ok(match EstablishmentCode::parse(scope) {
        Ok(code) => Directory::load(state).await?.establishment(&code),
        Err(_) => "The estate".into(),
    })
}

fn scope_of(code: &str) -> Scope {
    EstablishmentCode::parse(code).map_or(Scope::Estate, Scope::Establishment)
}

/// Who may draft a scope's report: the equality lead or governor of the establishment; for the
/// estate, the analysts.
fn may_draft(staff: &CurrentStaff, scope: &str) -> bool {
    staff.role.can(Access::DraftAnnualReport)
        && match EstablishmentCode::parse(scope) {
            Ok(code) => staff.establishment.as_ref() == Some(&code),
            Err(_) => staff.role.estate_wide(),
        }
}

/// Who signs: the establishment's governor; for the estate, an administrator on behalf of HMPPS.
fn may_sign(staff: &CurrentStaff, scope: &str) -> bool {
    match EstablishmentCode::parse(scope) {
        Ok(code) => staff.role == Role::Governor && staff.establishment.as_ref() == Some(&code),
        Err(_) => staff.role == Role::Administrator,
    }
}

fn may_read(staff: &CurrentStaff, scope: &str) -> bool {
    staff.reaches(EstablishmentCode::parse(scope).ok().as_ref())
}

pub struct VersionRow {
    pub id: i64,
    pub scope: String,
    pub year: String,
    pub version: i32,
    pub status: &'static str,
    pub colour: &'static str,
    pub when: String,
    pub reason: Option<String>,
}

fn status_tag(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Draft => ("Draft", "govuk-tag--yellow"),
        Status::Published => ("Published", "govuk-tag--green"),
        Status::Superseded => ("Superseded by a correction", "govuk-tag--grey"),
    }
}

async fn rows(state: &AppState, reports: Vec<AnnualReport>) -> Result<Vec<VersionRow>, AppError> {
    let mut out = Vec::new();
    for r in reports {
        let (status, colour) = status_tag(r.status);
        out.push(VersionRow {
            id: r.id,
            scope: scope_name(state, &r.scope).await?,
            year: r.year.label(),
            version: r.version,
            status,
            colour,
            when: match &r.signed {
                Some((_, at)) => format!("Signed {}", display::instant(*at)),
                None => format!("Last saved {}", display::instant(r.updated_at)),
            },
            reason: r.correction_reason,
        });
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "annual_report/list.html")]
pub struct ListPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    may_start: bool,
    /// The last full year, unless another was chosen.
    chosen_year: String,
    scope_label: String,
    years: Vec<(String, String)>,
    reports: Vec<VersionRow>,
    errors: Errors,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

async fn list_page(state: &AppState, staff: CurrentStaff, form: Pairs, errors: Errors) -> Result<ListPage, AppError> {
    let scope = staff.establishment.as_ref().map_or("estate".to_string(), |c| c.to_string());
    let all = state.db.annual_reports(None).await?.into_iter().filter(|r| may_read(&staff, &r.scope)).collect();
    let this_year = FinancialYear::containing(date_in_england(state.now()));
    Ok(ListPage {
        may_start: may_draft(&staff, &scope),
        chosen_year: match value(&form, "year") {
            "" => this_year.previous().start().to_string(),
            y => y.to_string(),
        },
        scope_label: scope_name(state, &scope).await?,
        years: [this_year.previous(), this_year].iter().map(|y| (y.start().to_string(), y.label())).collect(),
        reports: rows(state, all).await?,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn list(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<ListPage, AppError> {
    list_page(&state, staff, vec![], vec![]).await
}

/// Starts the report for a year at the member of staff's own scope.
pub async fn start(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let scope = staff.establishment.as_ref().map_or("estate".to_string(), |c| c.to_string());
    if !may_draft(&staff, &scope) {
        return Err(AppError::Forbidden);
    }
    let mut errors: Errors = vec![];
    match FinancialYear::parse(value(&form, "year")) {
        Ok(year) => {
            let now = state.now();
            let mut tx = state.db.begin_write().await?;
            match tx.start_annual_report(&scope, year, &staff.username, now).await? {
                Ok(id) => {
                    tx.audit(now, &staff.username, "started the annual equality report", None, &format!("report {id}"))
                        .await?;
                    tx.commit().await?;
                    return Ok(Redirect::to(&format!("/annual-reports/{id}")).into_response());
                }
                Err(m) => errors.push(("year", m)),
            }
        }
        Err(m) => errors.push(("year", m)),
    }
    let page = list_page(&state, staff, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// What the record gives each part of the report for the year.
pub struct Evidence {
    pub scope_name: String,
    pub year: FinancialYear,
    /// Registers with their establishment's name (one for an establishment; every one for the estate).
    pub registers: Vec<(String, Register)>,
    pub published: Report,
    pub findings: Vec<FindingLine>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    Draft,
    Document,
}

/// A disparity flagged in the year, with its answer, as the published report shows it.
pub struct FindingLine {
    pub title: String,
    pub status: &'static str,
    pub answer: String,
    pub answered_on: String,
    /// The ratio as published, or why not.
    pub ratio: String,
}

/// What the report will say, from the record. `For::Draft` reads the internal figures (kept a few
/// minutes, so writing the draft is quick, and only staff see them); the document itself is always
/// built from the published form.
async fn evidence(
    state: &AppState,
    scope: &str,
    year: FinancialYear,
    as_at: Timestamp,
    purpose: For,
) -> Result<Evidence, AppError> {
    let sc = scope_of(scope);
    let period = year.period();
    let published = match purpose {
        For::Draft => match state.reports.get(state, sc.clone(), period, as_at).await? {
            Ok(r) => (*r).clone(),
            Err(e) => return Err(AppError::BadRequest(e.to_string())),
        },
        For::Document => {
            let internal = match build_report(&state.db, &state.engine, sc.clone(), period, as_at).await? {
                Ok(r) => r,
                Err(e) => return Err(AppError::BadRequest(e.to_string())),
            };
            published_report(&state.db, &state.engine, &internal, &sc, period, as_at).await?
        }
    };
    let names = Directory::load(state).await?;
    let mut registers = Vec::new();
    for e in state.db.establishments().await? {
        if matches!(&sc, Scope::Establishment(c) if *c != e.code) {
            continue;
        }
        registers.push((names.establishment(&e.code), state.db.register(&e.code).await?));
    }
    let mut findings = Vec::new();
    for f in state.db.findings(Some(scope)).await? {
        let (ms, responses) = state.db.finding_history(f.id).await?;
        if !ms.iter().any(|m| m.period == period && m.flagged) {
            continue;
        }
        let answer =
            responses.iter().rev().find(|r| r.periods.contains(&period) && r.status != FindingStatus::Reviewed);
        let group = published
            .measures
            .iter()
            .find(|m| m.id == f.measure)
            .and_then(|m| m.breakdowns.iter().find(|b| b.id == f.breakdown))
            .and_then(|b| b.groups.iter().find(|g| g.code == f.group));
        findings.push(FindingLine {
            title: f.title.clone(),
            status: match (f.status, answer) {
                (_, None) => "Not yet explained or reformed",
                (FindingStatus::Reviewed, _) => "Reviewed",
                (_, Some(a)) if a.status == FindingStatus::ReformPlanned => "Reform planned",
                _ => "Explained",
            },
            answer: answer.map_or("No explanation or reform has been recorded yet.".into(), |a| match a.review_by {
                Some(d) => format!("{} (review by {})", a.text, display::date(d)),
                None => a.text.clone(),
            }),
            answered_on: answer.map_or(String::new(), |a| display::date(date_in_england(a.at))),
            ratio: match group.and_then(|g| g.ratio) {
                Some(r) => format!("{r:.2}"),
                None => "Withheld: small numbers".into(),
            },
        });
    }
    Ok(Evidence { scope_name: scope_name(state, scope).await?, year, registers, published, findings })
}

/// One line of "from the record" under an aim.
fn record_lines(ev: &Evidence, aim: Aim) -> Vec<String> {
    let period = ev.year.period();
    let inside = |d: jiff::civil::Date| d >= period.from && d <= period.to;
    let overall = |id: &str| {
        ev.published.measures.iter().find(|m| m.id == id).map(|m| match m.overall.numerator {
            Some(n) => n.to_string(),
            None => "withheld (small numbers)".into(),
        })
    };
    let mut lines = Vec::new();
    let many = ev.registers.len() > 1;
    let at = |name: &str| if many { format!(" ({name})") } else { String::new() };
    match aim {
        Aim::EliminateDiscrimination => {
            if let (Some(made), Some(upheld)) =
                (overall("discrimination-complaint"), overall("discrimination-complaint-upheld"))
            {
                lines.push(format!(
                    "People who made a discrimination complaint: {made}; with a complaint upheld: {upheld}."
                ));
            }
            for (name, r) in &ev.registers {
                for s in r.samples.iter().filter(|s| {
                    throughcare_core::scrutiny::Quarter::parse(&s.quarter).is_ok_and(|q| inside(q.first_day()))
                }) {
                    lines.push(format!(
                        "Independent scrutiny{}: {} of {} answered complaints sampled for {}, {} views recorded.",
                        at(name),
                        s.complaints.len(),
                        s.answered,
                        throughcare_core::scrutiny::Quarter::parse(&s.quarter).map_or(s.quarter.clone(), |q| q.label()),
                        s.views.len()
                    ));
                }
            }
            let answered = ev.findings.iter().filter(|f| !f.answered_on.is_empty()).count();
            lines.push(format!(
                "Disparities flagged this year: {}; explained or with a reform planned: {answered}.",
                ev.findings.len()
            ));
        }
        Aim::AdvanceEquality => {
            lines.push(format!(
                "Outcomes for {} people were measured by every protected characteristic ({} comparisons).",
                ev.published.people, ev.published.comparisons
            ));
            for (name, r) in &ev.registers {
                let lost: u32 = r.curtailments.iter().filter(|c| inside(c.0)).map(|c| u32::from(c.1)).sum();
                if lost > 0 {
                    lines.push(format!("Regime time lost to curtailments{}: {} hours.", at(name), lost / 60));
                }
            }
        }
        Aim::FosterRelations => {
            for (name, r) in &ev.registers {
                let meetings: usize =
                    r.forums.iter().map(|f| f.meetings.iter().filter(|m| inside(m.held_on)).count()).sum();
                let actions: Vec<_> = r.actions.iter().filter(|a| inside(a.held_on)).collect();
                let done = actions.iter().filter(|a| a.done.is_some()).count();
                lines.push(format!(
                    "Diversity forums{}: {} forums, {meetings} meetings, {} actions agreed, {done} done.",
                    at(name),
                    r.forums.len(),
                    actions.len()
                ));
                let marked = r.festivals.iter().filter(|f| inside(f.on) && f.marked.is_some()).count();
                let planned = r.festivals.iter().filter(|f| inside(f.on)).count();
                lines.push(format!(
                    "Festivals{}: {planned} planned with the people who share them, {marked} marked.",
                    at(name)
                ));
                lines.push(format!(
                    "Equality team{}: {} members, staff and prisoner representatives.",
                    at(name),
                    r.team.len()
                ));
            }
        }
    }
    lines
}

/// The document's objectives, by establishment when the report covers the estate.
fn objectives_of(ev: &Evidence, today: jiff::civil::Date) -> Vec<(String, Vec<ObjectiveRow>)> {
    ev.registers.iter().map(|(name, r)| (name.clone(), objective_rows(r, today))).collect()
}

/// Objectives whose review date has not passed, across the report's scope.
fn current_objectives(ev: &Evidence, today: jiff::civil::Date) -> usize {
    ev.registers.iter().flat_map(|(_, r)| &r.objectives).filter(|o| !o.review_overdue(today)).count()
}

pub struct AimView {
    pub id: &'static str,
    pub heading: &'static str,
    pub text: String,
    pub lines: Vec<String>,
    pub objectives: Vec<(String, String)>,
}

/// Who took part, for the document: (when, where, who, lived experience, what, what changed).
type InvolvementLine = (String, &'static str, String, String, String, String);

#[derive(Template)]
#[template(path = "annual_report/document.html")]
pub struct Document<'a> {
    title: String,
    scope_name: &'a str,
    /// "1 April 2025 to 31 March 2026".
    period: String,
    version: i32,
    correction: Option<&'a str>,
    signed: Option<(String, String)>,
    due_regard: &'a str,
    aims: Vec<AimView>,
    objectives: Vec<(String, Vec<ObjectiveRow>)>,
    findings: &'a [FindingLine],
    involvements: Vec<InvolvementLine>,
    experts_plan: &'a str,
    view: ReportView,
    files: Vec<(String, String)>,
    preview: bool,
}

pub const FILES: &[(&str, &str)] = &[
    ("statistical-annex.csv", "Every published table of the statistical annex"),
    ("disparities.csv", "Every flagged disparity with its explanation or reform"),
    ("objectives.csv", "Equality objectives and their actions"),
    ("experts-by-experience.csv", "Involvement of experts by experience"),
];

fn csv_of(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("in memory");
    for r in rows {
        w.write_record(&r).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// The whole document as HTML, and its tables as CSV files.
fn render(
    r: &AnnualReport,
    ev: &Evidence,
    today: jiff::civil::Date,
    signed: Option<(String, String)>,
    preview: bool,
) -> (String, Vec<(String, String)>) {
    let period = ev.year.period();
    let inside = |d: jiff::civil::Date| d >= period.from && d <= period.to;
    let objectives = objectives_of(ev, today);
    let aims = [
        (Aim::EliminateDiscrimination, Section::EliminateDiscrimination, "aim-1"),
        (Aim::AdvanceEquality, Section::AdvanceEquality, "aim-2"),
        (Aim::FosterRelations, Section::FosterRelations, "aim-3"),
    ]
    .into_iter()
    .map(|(aim, section, id)| AimView {
        id,
        heading: section.label(),
        text: r.sections.get(section).to_string(),
        lines: record_lines(ev, aim),
        objectives: ev
            .registers
            .iter()
            .flat_map(|(name, reg)| reg.objectives.iter().filter(move |o| o.aim == aim).map(move |o| (name, o)))
            .map(|(name, o)| {
                (o.objective.clone(), format!("{}, review by {} ({name})", o.owner, display::date(o.review_by)))
            })
            .collect(),
    })
    .collect();
    let mut involvements: Vec<(jiff::civil::Date, InvolvementLine)> = ev
        .registers
        .iter()
        .flat_map(|(_, reg)| reg.involvements.iter().filter(|i| inside(i.on)))
        .map(|i| {
            (
                i.on,
                (
                    display::date(i.on),
                    i.area.label(),
                    i.who.clone(),
                    i.lived_experience.clone().unwrap_or_else(|| "Not stated".into()),
                    i.what.clone(),
                    i.changed.clone(),
                ),
            )
        })
        .collect();
    involvements.sort_by_key(|x| x.0);
    let involvements: Vec<InvolvementLine> = involvements.into_iter().map(|x| x.1).collect();
    let mut annex = Vec::new();
    ev.published.write_csv(&mut annex).expect("in memory");
    let files = vec![
        ("statistical-annex.csv".to_string(), String::from_utf8(annex).expect("UTF-8")),
        (
            "disparities.csv".to_string(),
            csv_of(
                &["disparity", "ratio_to_everyone_else", "status", "explanation_or_reform", "answered_on"],
                ev.findings.iter().map(|f| {
                    vec![f.title.clone(), f.ratio.clone(), f.status.into(), f.answer.clone(), f.answered_on.clone()]
                }),
            ),
        ),
        (
            "objectives.csv".to_string(),
            csv_of(
                &["establishment", "aim", "objective", "owner", "review_by", "action", "action_owner", "due", "status"],
                objectives.iter().flat_map(|(name, os)| {
                    os.iter().flat_map(move |o| {
                        let head =
                            vec![name.clone(), o.aim.into(), o.objective.clone(), o.owner.clone(), o.review_by.clone()];
                        let mut lines: Vec<Vec<String>> = o
                            .actions
                            .iter()
                            .map(|a| {
                                let mut l = head.clone();
                                l.extend([a.action.clone(), a.owner.clone(), a.due.clone(), a.status.into()]);
                                l
                            })
                            .collect();
                        if lines.is_empty() {
                            let mut l = head.clone();
                            l.extend([String::new(), String::new(), String::new(), String::new()]);
                            lines.push(l);
                        }
                        lines
                    })
                }),
            ),
        ),
        (
            "experts-by-experience.csv".to_string(),
            csv_of(
                &["when", "area", "who", "lived_experience", "what", "what_changed"],
                involvements
                    .iter()
                    .map(|i| vec![i.0.clone(), i.1.into(), i.2.clone(), i.3.clone(), i.4.clone(), i.5.clone()]),
            ),
        ),
    ];
    let mut view = ReportView::new(&ev.published, &[], None);
    view.public = true;
    let doc = Document {
        title: format!("Equality report {}: {}", ev.year.label(), ev.scope_name),
        scope_name: &ev.scope_name,
        period: crate::pages::equality::period_words(ev.year.period()),
        version: r.version,
        correction: r.correction_reason.as_deref(),
        signed,
        due_regard: r.sections.get(Section::DueRegard),
        aims,
        objectives,
        findings: &ev.findings,
        involvements,
        experts_plan: r.sections.get(Section::ExpertsPlan),
        view,
        files: FILES.iter().map(|(n, d)| (format!("/published-reports/{}/{n}", r.id), (*d).to_string())).collect(),
        preview,
    };
    (doc.render().expect("the annual report renders"), files)
}

#[derive(Template, WebTemplate)]
#[template(path = "annual_report/draft.html")]
pub struct DraftPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    id: i64,
    title: String,
    version: i32,
    correction: Option<String>,
    may_edit: bool,
    may_sign: bool,
    sections: Vec<(&'static str, &'static str, &'static str, String)>,
    /// (aim, lines from the record)
    record: Vec<(&'static str, Vec<String>)>,
    findings: usize,
    unanswered: usize,
    current_objectives: usize,
    problems: Vec<String>,
    errors: Errors,
}

impl DraftPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

async fn draft_page(
    state: &AppState,
    staff: CurrentStaff,
    r: AnnualReport,
    form: Pairs,
    errors: Errors,
    problems: Vec<String>,
) -> Result<DraftPage, AppError> {
    let now = state.now();
    let ev = evidence(state, &r.scope, r.year, now, For::Draft).await?;
    let today = date_in_england(now);
    Ok(DraftPage {
        id: r.id,
        title: format!("Equality report {}: {}", r.year.label(), ev.scope_name),
        version: r.version,
        correction: r.correction_reason.clone(),
        may_edit: may_draft(&staff, &r.scope),
        may_sign: may_sign(&staff, &r.scope),
        sections: Section::ALL
            .iter()
            .map(|s| {
                let text =
                    if form.is_empty() { r.sections.get(*s).to_string() } else { value(&form, s.code()).to_string() };
                (s.code(), s.label(), s.hint(), text)
            })
            .collect(),
        record: [Aim::EliminateDiscrimination, Aim::AdvanceEquality, Aim::FosterRelations]
            .into_iter()
            .map(|a| (a.label(), record_lines(&ev, a)))
            .collect(),
        findings: ev.findings.len(),
        unanswered: ev.findings.iter().filter(|f| f.answered_on.is_empty()).count(),
        current_objectives: current_objectives(&ev, today),
        problems,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

async fn readable(state: &AppState, staff: &CurrentStaff, id: i64) -> Result<AnnualReport, AppError> {
    let r = state.db.annual_report(id).await?.ok_or(AppError::NotFound)?;
    if !may_read(staff, &r.scope) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// A draft to write and sign; a signed version is its frozen, published document.
pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let r = readable(&state, &staff, id).await?;
    if r.status != Status::Draft {
        return Ok(Redirect::to(&format!("/published-reports/{id}")).into_response());
    }
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed the annual equality report draft",
        None,
        &format!("report {id}"),
    )
    .await?;
    Ok(draft_page(&state, staff, r, vec![], vec![], vec![]).await?.into_response())
}

/// The whole document as it would be published now, to read before signing.
pub async fn preview(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let r = readable(&state, &staff, id).await?;
    if r.status != Status::Draft {
        return Ok(Redirect::to(&format!("/published-reports/{id}")).into_response());
    }
    let now = state.now();
    let ev = evidence(&state, &r.scope, r.year, now, For::Document).await?;
    crate::auth::audit(&state, &staff.username, "previewed the annual equality report", None, &format!("report {id}"))
        .await?;
    Ok(Html(render(&r, &ev, date_in_england(now), None, true).0).into_response())
}

/// Saves the draft, signs and publishes it, or opens a correction of a published version.
pub async fn act(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let r = readable(&state, &staff, id).await?;
    let now = state.now();
    match value(&form, "action") {
        "save" | "sign" => {
            if r.status != Status::Draft {
                // A published version never changes: it is corrected by a new version.
                return Err(AppError::Conflict(
                    "A published report cannot be edited: correct it, giving the reason".into(),
                ));
            }
            let signing = value(&form, "action") == "sign";
            if signing && !may_sign(&staff, &r.scope) || !signing && !may_draft(&staff, &r.scope) {
                return Err(AppError::Forbidden);
            }
            let mut errors: Errors = vec![];
            let mut sections = r.sections.clone();
            // The words sent with the form (a governor signing from the draft's form sends them
            // too), for those who may write them.
            if may_draft(&staff, &r.scope) {
                for s in Section::ALL.iter().filter(|s| form.iter().any(|(k, _)| k == s.code())) {
                    if let Err(m) = sections.set(*s, value(&form, s.code())) {
                        errors.push((s.code(), m));
                    }
                }
            }
            if !errors.is_empty() {
                let page = draft_page(&state, staff, r, form, errors, vec![]).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            let mut tx = state.db.begin_write().await?;
            tx.save_annual_report(id, &sections, now).await?.map_err(AppError::Conflict)?;
            if !signing {
                tx.audit(now, &staff.username, "saved the annual equality report", None, &format!("report {id}"))
                    .await?;
                tx.commit().await?;
                return Ok(super::flash::redirect(&format!("/annual-reports/{id}"), "annual-report"));
            }
            let today = date_in_england(now);
            let ev = evidence(&state, &r.scope, r.year, now, For::Document).await?;
            if let Err(problems) = check_signing(&sections, current_objectives(&ev, today)) {
                drop(tx);
                let r = AnnualReport { sections, ..r };
                let page = draft_page(&state, staff, r, vec![], vec![], problems).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            let signed_by = Directory::load(&state).await?.staff(&staff.username);
            let r = AnnualReport { sections, ..r };
            let (document, files) = render(&r, &ev, today, Some((signed_by, display::date(today))), false);
            tx.publish_annual_report(id, &staff.username, now, &document, &files).await?.map_err(AppError::Conflict)?;
            tx.audit(
                now,
                &staff.username,
                "signed and published the annual equality report",
                None,
                &format!("report {id}"),
            )
            .await?;
            tx.commit().await?;
            Ok(super::flash::redirect(&format!("/published-reports/{id}"), "annual-report-published"))
        }
        "correct" => {
            if !may_draft(&staff, &r.scope) && !may_sign(&staff, &r.scope) {
                return Err(AppError::Forbidden);
            }
            let reason = match correction_reason(value(&form, "reason")) {
                Ok(reason) => reason,
                Err(m) => return Err(AppError::BadRequest(m)),
            };
            let mut tx = state.db.begin_write().await?;
            let new = tx.correct_annual_report(id, &reason, &staff.username, now).await?.map_err(AppError::Conflict)?;
            tx.audit(
                now,
                &staff.username,
                "opened a correction of the annual equality report",
                None,
                &format!("report {id} to {new}"),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/annual-reports/{new}")).into_response())
        }
        _ => Err(AppError::BadRequest("action".into())),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "annual_report/published.html")]
pub struct PublishedList {
    staff: Option<CurrentStaff>,
    reports: Vec<VersionRow>,
}

/// Every published report and its versions, for anyone: nothing in them identifies a person.
pub async fn published_list(State(state): State<AppState>) -> Result<PublishedList, AppError> {
    let all = state.db.annual_reports(None).await?.into_iter().filter(|r| r.status != Status::Draft).collect();
    Ok(PublishedList { staff: None, reports: rows(&state, all).await? })
}

/// A signed version exactly as it was published.
pub async fn published(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let r = state.db.annual_report(id).await?.ok_or(AppError::NotFound)?;
    if r.status == Status::Draft {
        return Err(AppError::NotFound);
    }
    let document = state.db.annual_report_document(id).await?.ok_or(AppError::NotFound)?;
    let body = if r.status == Status::Superseded {
        // The frozen words stay as they were; a banner above them says where the correction is.
        let newer = state
            .db
            .annual_reports(Some(&r.scope))
            .await?
            .into_iter()
            .find(|x| x.year == r.year && x.status == Status::Published);
        let banner = match newer {
            Some(n) => format!(
                "<div class=\"superseded\" role=\"note\"><strong>This version has been corrected.</strong> See <a href=\"/published-reports/{}\">version {}</a>: {}</div>",
                n.id,
                n.version,
                crate::pages::equality::esc(n.correction_reason.as_deref().unwrap_or(""))
            ),
            None => {
                "<div class=\"superseded\" role=\"note\"><strong>This version has been corrected.</strong></div>".into()
            }
        };
        document.replacen("<main>", &format!("<main>{banner}"), 1)
    } else {
        document
    };
    Ok(Html(body).into_response())
}

/// One of a signed version's tables, as published.
pub async fn published_file(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let r = state.db.annual_report(id).await?.ok_or(AppError::NotFound)?;
    if r.status == Status::Draft || !FILES.iter().any(|(n, _)| *n == name) {
        return Err(AppError::NotFound);
    }
    let content = state.db.annual_report_file(id, &name).await?.ok_or(AppError::NotFound)?;
    let disposition =
        format!("attachment; filename=\"equality-report-{}-{}-v{}-{name}\"", r.scope, r.year.start(), r.version);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        content,
    )
        .into_response())
}
