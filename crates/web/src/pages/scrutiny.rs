//! Independent scrutiny of discrimination complaints: the equality lead draws the quarter's random
//! sample of answered complaints, marks what still names people, and releases it; the panel reads
//! it anonymised, records its view of each, and can export it. No name or number reaches the panel.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::establishment::{EstablishmentEvent, Kind, PanelView, Sample};
use throughcare_core::pathways::discrimination::Complaint;
use throughcare_core::scrutiny::{Anonymiser, Quarter, draw as draw_sample};
use throughcare_core::{EstablishmentCode, EventId, StaffRef, display};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, value};
use crate::roles::Role;

/// One sampled complaint as the panel reads it: nothing that names anyone.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Anonymised {
    #[serde(skip)]
    pub id: String,
    pub label: String,
    pub about: String,
    pub reported_by: String,
    pub month: String,
    pub what_happened: String,
    pub wants: String,
    pub finding: String,
    pub response: String,
    pub days_to_acknowledge: String,
    pub days_to_finding: String,
    pub appeal: String,
    pub view: String,
    pub feedback: String,
}

fn days(from: jiff::Timestamp, to: Option<jiff::Timestamp>) -> String {
    to.map_or("Not yet".into(), |t| format!("{}", (t.duration_since(from).as_secs() / 86_400).max(0)))
}

/// Everyone whose name or number could appear in a complaint's text at this establishment: the
/// people held here and every member of staff.
async fn anonymiser(state: &AppState, est: &EstablishmentCode) -> Result<Anonymiser, AppError> {
    let mut an = Anonymiser::default();
    for (p, _) in state.db.caseload(est).await? {
        an.add_name(&format!("{} {}", p.given_name.as_str(), p.family_name.as_str()), "[a person]");
        an.add(p.prison_number.as_str(), "[prison number]");
    }
    for (username, name) in state.db.staff_names().await? {
        an.add_name(&name, "[a member of staff]");
        an.add_username(&username, "[a member of staff]");
    }
    Ok(an)
}

/// Answered complaints raised at the establishment, each with when its answer went to the person.
async fn answered(state: &AppState, est: &EstablishmentCode) -> Result<Vec<(Complaint, jiff::Timestamp)>, AppError> {
    Ok(state.db.answered_complaints(est).await?)
}

async fn anonymise(state: &AppState, est: &EstablishmentCode, s: &Sample) -> Result<Vec<Anonymised>, AppError> {
    let base = anonymiser(state, est).await?;
    let all = answered(state, est).await?;
    let mut out = vec![];
    for (i, id) in s.complaints.iter().enumerate() {
        let Some((c, _)) = all.iter().find(|(c, _)| c.id == *id) else { continue };
        let mut an = base.clone();
        for phrase in s.phrases(*id) {
            an.add(&phrase, "[redacted]");
        }
        let clean = |t: &Option<String>| t.as_deref().map(|t| an.apply(t)).unwrap_or_default();
        let view = s.views.iter().find(|(c, ..)| c == id);
        let sent = c.sent();
        out.push(Anonymised {
            id: id.to_string(),
            label: format!("Complaint {}", i + 1),
            about: c.characteristics.iter().map(|x| x.label()).collect::<Vec<_>>().join(", "),
            reported_by: c.reporter.map_or("Not recorded".into(), |r| r.label().to_string()),
            month: c
                .happened_on
                .map_or("Not recorded".into(), |d| display::date(d).splitn(2, ' ').nth(1).unwrap_or("").to_string()),
            what_happened: clean(&c.what_happened),
            wants: clean(&c.wants),
            finding: c.final_finding().map(|f| f.label().to_string()).unwrap_or_default(),
            response: an.apply(
                &c.appeal_decision
                    .as_ref()
                    .map(|(_, r, ..)| r.clone())
                    .or_else(|| sent.and_then(|a| a.response.clone()))
                    .unwrap_or_default(),
            ),
            days_to_acknowledge: days(c.raised_at, c.acknowledged_at),
            days_to_finding: days(c.raised_at, c.answers.first().map(|a| a.at)),
            appeal: if c.appeal.is_some() { "Appealed".into() } else { "No appeal".into() },
            view: view.map(|(_, v, ..)| v.label().to_string()).unwrap_or_default(),
            feedback: view.map(|(_, _, f, ..)| f.clone()).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "scrutiny/samples.html")]
pub struct SamplesPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    /// (id, quarter, answered, size, status)
    samples: Vec<(String, String, u32, usize, &'static str)>,
    lead: bool,
    quarters: Vec<(String, String)>,
    rule: String,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(SamplesPage);

fn lead(role: Role) -> bool {
    role == Role::EqualityLead
}

async fn samples_page(
    state: &AppState,
    staff: CurrentStaff,
    form: Pairs,
    errors: Errors,
) -> Result<SamplesPage, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let register = state.db.register(&est).await?;
    let is_lead = lead(staff.role);
    let this = Quarter::of(throughcare_core::time::date_in_england(state.now()));
    let d = throughcare_core::establishment::Defaults::builtin();
    Ok(SamplesPage {
        samples: register
            .samples
            .iter()
            .rev()
            .filter(|s| is_lead || s.released)
            .map(|s| {
                let status = match (s.released, s.views.len() == s.complaints.len()) {
                    (false, _) => "Being prepared",
                    (true, false) => "With the panel",
                    (true, true) => "Reviewed",
                };
                let q = Quarter::parse(&s.quarter).map_or(s.quarter.clone(), |q| q.label());
                (s.id.to_string(), q, s.answered, s.complaints.len(), status)
            })
            .collect(),
        lead: is_lead,
        quarters: [this.previous(), this].iter().map(|q| (q.to_string(), q.label())).collect(),
        rule: format!(
            "{:.0}% of the quarter's answered complaints or at least {}, whichever is more (all of them if fewer). {}",
            d.scrutiny_share * 100.0,
            d.scrutiny_at_least,
            d.scrutiny_source
        ),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn samples(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<SamplesPage, AppError> {
    samples_page(&state, staff, vec![], vec![]).await
}

pub(crate) async fn append(
    state: &AppState,
    staff: &CurrentStaff,
    kind: Kind,
) -> Result<Result<EventId, String>, AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let id = EventId::from_uuid(uuid::Uuid::new_v4());
    let e = EstablishmentEvent {
        id,
        establishment: est,
        recorded_at: state.now(),
        recorded_by: StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?,
        kind,
    };
    let name = e.kind.name();
    let outcome = state.db.record_establishment_event(&e).await?;
    if outcome.is_ok() {
        crate::auth::audit(
            state,
            &staff.username,
            &format!("recorded-{}", name.replace('_', "-")),
            None,
            &id.to_string(),
        )
        .await?;
    }
    Ok(outcome.map(|()| id))
}

/// Draws the quarter's sample at random from the complaints answered in it.
pub async fn draw(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    if !lead(staff.role) {
        return Err(AppError::Forbidden);
    }
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let mut errors: Errors = vec![];
    let quarter = match Quarter::parse(value(&form, "quarter")) {
        Ok(q) => Some(q),
        Err(_) => {
            errors.push(("quarter", "Select the quarter".into()));
            None
        }
    };
    if let Some(q) = quarter {
        let (from, to) = (q.first_day(), q.end());
        let ids: Vec<EventId> = answered(&state, &est)
            .await?
            .into_iter()
            .filter(|(_, at)| {
                let d = throughcare_core::time::date_in_england(*at);
                d >= from && d < to
            })
            .map(|(c, _)| c.id)
            .collect();
        if ids.is_empty() {
            errors.push(("quarter", format!("No complaint was answered in {}: there is nothing to sample", q.label())));
        } else {
            let seed = u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().expect("8 bytes"));
            let rule = throughcare_core::establishment::Defaults::builtin().sample_rule();
            let complaints = draw_sample(&ids, rule, seed);
            let kind =
                Kind::ScrutinySampleDrawn { quarter: q.to_string(), answered: ids.len() as u32, seed, complaints };
            match append(&state, &staff, kind).await? {
                Ok(id) => return Ok(super::flash::redirect(&format!("/scrutiny/{id}"), "scrutiny")),
                Err(reason) => {
                    errors.push(("quarter", reason.split_once(": ").map_or(reason.clone(), |(_, m)| m.to_string())))
                }
            }
        }
    }
    let page = samples_page(&state, staff, form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "scrutiny/show.html")]
pub struct ShowPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    id: String,
    quarter: String,
    answered: u32,
    seed: u64,
    released: bool,
    lead: bool,
    panel: bool,
    complaints: Vec<Anonymised>,
    views: Vec<(&'static str, &'static str)>,
    errors: Errors,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

async fn load(state: &AppState, staff: &CurrentStaff, id: &str) -> Result<(EstablishmentCode, Sample), AppError> {
    let est = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let id = EventId::parse(id).map_err(|_| AppError::NotFound)?;
    let s = state.db.register(&est).await?.samples.into_iter().find(|s| s.id == id).ok_or(AppError::NotFound)?;
    // The panel reads a sample once the equality lead has prepared and released it.
    if !lead(staff.role) && !s.released {
        return Err(AppError::NotFound);
    }
    Ok((est, s))
}

async fn show_page(state: &AppState, staff: CurrentStaff, id: &str, errors: Errors) -> Result<ShowPage, AppError> {
    let (est, s) = load(state, &staff, id).await?;
    let complaints = anonymise(state, &est, &s).await?;
    crate::auth::audit(state, &staff.username, "viewed-scrutiny-sample", None, &s.id.to_string()).await?;
    Ok(ShowPage {
        id: s.id.to_string(),
        quarter: Quarter::parse(&s.quarter).map_or(s.quarter.clone(), |q| q.label()),
        answered: s.answered,
        seed: s.seed,
        released: s.released,
        lead: lead(staff.role),
        panel: staff.role == Role::ScrutinyPanel,
        complaints,
        views: codes::<PanelView>(),
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
) -> Result<ShowPage, AppError> {
    show_page(&state, staff, &id, vec![]).await
}

/// Marks phrases for redaction or releases the sample (the equality lead); records the panel's view.
pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (_, s) = load(&state, &staff, &id).await?;
    let mut errors: Errors = vec![];
    let complaint = || EventId::parse(value(&form, "complaint")).ok().filter(|c| s.complaints.contains(c));
    let panel = staff.role == Role::ScrutinyPanel;
    let kind = match (value(&form, "action"), lead(staff.role)) {
        ("redact", true) => {
            let phrases: Vec<String> =
                value(&form, "phrases").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            if phrases.is_empty() {
                errors.push(("phrases", "Enter the words to take out, one phrase a line".into()));
            }
            complaint().filter(|_| errors.is_empty()).map(|complaint| Kind::ScrutinyRedacted {
                sample: s.id,
                complaint,
                phrases,
            })
        }
        ("release", true) => Some(Kind::ScrutinyReleased { sample: s.id }),
        ("view", false) if panel => {
            let view = PanelView::parse_code(value(&form, "view"))
                .map_err(|_| errors.push(("view", "Select the panel's view".into())))
                .ok();
            let feedback = value(&form, "feedback");
            if feedback.is_empty() || feedback.chars().count() > 2000 {
                errors
                    .push(("feedback", "Write the panel's feedback for the governor (up to 2,000 characters)".into()));
            }
            match (view, complaint()) {
                (Some(view), Some(complaint)) if errors.is_empty() => {
                    Some(Kind::ScrutinyViewRecorded { sample: s.id, complaint, view, feedback: feedback.to_string() })
                }
                _ => None,
            }
        }
        ("redact" | "release", false) | ("view", _) => return Err(AppError::Forbidden),
        _ => return Err(AppError::BadRequest("action".into())),
    };
    if let Some(kind) = kind {
        match append(&state, &staff, kind).await? {
            Ok(_) => return Ok(super::flash::redirect(&format!("/scrutiny/{}", s.id), "scrutiny")),
            Err(reason) => errors.push(("action", reason)),
        }
    }
    let page = show_page(&state, staff, &id, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn csv_field(s: &str) -> String {
    // Quoted, and a leading formula character neutralised for spreadsheets.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The anonymised sample as CSV: what the panel read and what it said.
pub async fn export(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (est, s) = load(&state, &staff, &id).await?;
    let rows = anonymise(&state, &est, &s).await?;
    let mut out = String::from(
        "complaint,about,reported_by,month,what_happened,wants,finding,response,days_to_acknowledge,days_to_finding,appeal,panel_view,panel_feedback\n",
    );
    for r in rows {
        let fields = [
            &r.label,
            &r.about,
            &r.reported_by,
            &r.month,
            &r.what_happened,
            &r.wants,
            &r.finding,
            &r.response,
            &r.days_to_acknowledge,
            &r.days_to_finding,
            &r.appeal,
            &r.view,
            &r.feedback,
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    crate::auth::audit(&state, &staff.username, "exported-scrutiny-sample", None, &s.id.to_string()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"scrutiny-{}.csv\"", s.quarter)),
        ],
        out,
    )
        .into_response())
}
