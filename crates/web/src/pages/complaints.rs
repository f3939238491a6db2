//! Discrimination incident reports (DIRF): a complaint recorded for a person (saved as a draft
//! until complete), the equality team's log, and one complaint's steps: acknowledge, name an
//! investigator, the finding and response, the quality check, the appeal. Whoever a complaint
//! names never sees it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{ComplaintFinding, ComplaintReporter, EventKind};
use throughcare_core::pathways::discrimination::{self, Complaint, Stage};
use throughcare_core::{Characteristic, EventId, StaffRef, display};
use throughcare_store::establishment::Draft;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value, values};
use crate::pages::people::{reachable, reachable_case};
use crate::pages::record::{PathwayStep, again};
use crate::present::{Directory, when};
use crate::roles::Role;

const FORM: &str = "discrimination-complaint";

/// Who runs the complaints process here: the equality team and governors.
fn runs_process(role: Role) -> bool {
    matches!(role, Role::EqualityLead | Role::Governor)
}

/// Whether this member of staff may open the complaint: never if it names them; the equality
/// team and governors; its investigator.
fn may_open(staff: &CurrentStaff, c: &Complaint) -> bool {
    if c.staff_named.iter().any(|s| s.as_str() == staff.username) {
        return false;
    }
    runs_process(staff.role) || c.investigator.as_ref().is_some_and(|i| i.as_str() == staff.username)
}

pub struct Row {
    id: String,
    person: String,
    prison_number: String,
    about: String,
    raised: String,
    stage: &'static str,
    colour: &'static str,
    finding: String,
}

fn about(c: &Complaint) -> String {
    if c.characteristics.is_empty() {
        return "Not stated".into();
    }
    c.characteristics.iter().map(|x| x.label()).collect::<Vec<_>>().join(", ")
}

fn colour(s: &Stage) -> &'static str {
    match s {
        Stage::Reported => "red",
        Stage::Acknowledged | Stage::Investigating { .. } => "yellow",
        Stage::AwaitingCheck { .. } | Stage::Appealed { .. } => "blue",
        Stage::Answered { .. } | Stage::AppealDecided { .. } => "green",
    }
}

fn row(p: &throughcare_core::Person, c: &Complaint, now: jiff::Timestamp) -> Row {
    Row {
        id: c.id.to_string(),
        person: name(p),
        prison_number: p.prison_number.to_string(),
        about: about(c),
        raised: when(c.raised_at, now),
        stage: c.stage.label(),
        colour: colour(&c.stage),
        finding: c.final_finding().map(|f| f.label().to_string()).unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/log.html")]
pub struct LogPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    open: Vec<Row>,
    answered: Vec<Row>,
    /// (draft id, prison number, saved)
    drafts: Vec<(String, String, String)>,
    runs_process: bool,
}

/// The complaints this member of staff may open at their establishment, and their own drafts.
pub async fn log(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<LogPage, AppError> {
    let now = state.now();
    let establishment = staff.establishment.clone().ok_or(AppError::NotFound)?;
    let people = state.db.pathway_timelines(&establishment, discrimination::RAISED, discrimination::STEPS).await?;
    let (mut open, mut answered) = (vec![], vec![]);
    for (p, t) in &people {
        for c in discrimination::complaints(t).iter().filter(|c| may_open(&staff, c)) {
            if c.stage.is_open() {
                open.push((c.raised_at, row(p, c, now)))
            } else {
                answered.push((c.raised_at, row(p, c, now)))
            }
        }
    }
    open.sort_by_key(|(at, _)| *at);
    answered.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let drafts = state
        .db
        .drafts(&staff.username, FORM)
        .await?
        .into_iter()
        .map(|d| (d.id.to_string(), d.person.to_string(), display::instant(d.saved_at)))
        .collect();
    crate::auth::audit(
        &state,
        &staff.username,
        "viewed-complaints",
        None,
        &format!("{} complaints", open.len() + answered.len()),
    )
    .await?;
    Ok(LogPage {
        open: open.into_iter().map(|(_, r)| r).collect(),
        answered: answered.into_iter().map(|(_, r)| r).collect(),
        drafts,
        runs_process: runs_process(staff.role),
        saved: staff.saved,
        staff: Some(staff),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/new.html")]
pub struct NewPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    draft: String,
    characteristics: Vec<(&'static str, &'static str)>,
    reporters: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
    kept_as_draft: bool,
}

crate::pages::form::task_page!(NewPage);

impl NewPage {
    fn ticked(&self, code: &str) -> bool {
        values(&self.form, "characteristics").any(|v| v == code)
    }
}

#[derive(Deserialize)]
pub struct DraftQuery {
    #[serde(default)]
    draft: Option<String>,
}

async fn new_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    draft: String,
    form: Pairs,
    errors: Errors,
    kept_as_draft: bool,
) -> Result<NewPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    Ok(NewPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        draft,
        characteristics: codes::<Characteristic>(),
        reporters: codes::<ComplaintReporter>(),
        form,
        errors,
        kept_as_draft,
        staff: Some(staff),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Result<NewPage, AppError> {
    // A draft comes back as it was typed; only its owner can open it.
    let (form, draft) = match q.draft.as_deref().and_then(|d| EventId::parse(d).ok()) {
        Some(id) => match state.db.draft(&id, &staff.username).await? {
            Some(d) if d.person.as_str() == pn => (d.fields, id.to_string()),
            _ => return Err(AppError::NotFound),
        },
        None => (vec![], EventId::from_uuid(uuid::Uuid::new_v4()).to_string()),
    };
    new_page(&state, staff, &pn, draft, form, vec![], false).await
}

fn staff_list(s: &str, errors: &mut Errors) -> Vec<StaffRef> {
    let mut out = vec![];
    for who in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match StaffRef::parse(who) {
            Ok(r) if !out.contains(&r) => out.push(r),
            Ok(_) => {}
            Err(_) => {
                errors.push(("staff_named", format!("\"{who}\" is not a username: separate usernames with commas")))
            }
        }
    }
    out
}

fn optional(form: &Pairs, field: &'static str, max: usize, errors: &mut Errors) -> Option<String> {
    let v = value(form, field);
    if v.chars().count() > max {
        errors.push((field, format!("Use {max} characters or fewer")));
    }
    (!v.is_empty()).then(|| v.to_string())
}

/// Sends a complaint, or keeps it as a draft. An incomplete one is kept as a draft too, so
/// nothing typed is lost, and comes back with the message beside each field.
pub async fn send(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let draft_id = EventId::parse(value(&form, "draft")).map_err(|_| AppError::BadRequest("draft".into()))?;
    let fields: Pairs = form.iter().filter(|(k, _)| k != "draft" && k != "action").cloned().collect();
    let draft = Draft {
        id: draft_id,
        form: FORM.into(),
        owner: staff.username.clone(),
        person: person.prison_number.clone(),
        fields,
        saved_at: state.now(),
    };
    if value(&form, "action") == "draft" {
        keep(&state, &draft).await?;
        return Ok(super::flash::redirect("/complaints", "complaint-draft"));
    }
    let mut errors: Errors = vec![];
    let mut chosen: Vec<Characteristic> = vec![];
    for c in values(&form, "characteristics") {
        match Characteristic::parse_code(c) {
            Ok(c) if !chosen.contains(&c) => chosen.push(c),
            _ => {}
        }
    }
    if chosen.is_empty() {
        errors.push(("characteristics", "Select the protected characteristics it is about".into()));
    }
    let reporter = ComplaintReporter::parse_code(value(&form, "reporter"))
        .map_err(|_| errors.push(("reporter", "Select who is reporting it".into())))
        .ok();
    let what = value(&form, "what_happened");
    if what.is_empty() {
        errors.push(("what_happened", "Write what happened, in the reporter's words".into()));
    } else if what.chars().count() > 4000 {
        errors.push(("what_happened", "Use 4,000 characters or fewer".into()));
    }
    let happened_on =
        if value(&form, "day").is_empty() && value(&form, "month").is_empty() && value(&form, "year").is_empty() {
            errors.push(("happened_on", "Enter the date it happened (the nearest day if they are not sure)".into()));
            None
        } else {
            super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
                .map_err(|m| errors.push(("happened_on", m)))
                .ok()
        };
    if happened_on.is_some_and(|d| d > throughcare_core::time::date_in_england(state.now())) {
        errors.push(("happened_on", "The date it happened must be today or in the past".into()));
    }
    let place = optional(&form, "place", 200, &mut errors);
    let involved = optional(&form, "involved", 1000, &mut errors);
    let wants = optional(&form, "wants", 1000, &mut errors);
    let staff_named = staff_list(value(&form, "staff_named"), &mut errors);
    let kind = (errors.is_empty()).then(|| EventKind::DiscriminationComplaintRaised {
        characteristic: chosen.first().copied(),
        also: chosen.iter().skip(1).copied().collect(),
        reporter,
        what_happened: Some(what.to_string()),
        happened_on,
        place,
        involved,
        staff_named,
        wants,
        from_kiosk: false,
    });
    if kind.is_none() {
        keep(&state, &draft).await?;
        let page = new_page(&state, staff, &pn, draft_id.to_string(), form, errors, true).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let t = state.db.timeline(&person.prison_number).await?;
    let step = PathwayStep { kind, occurred: None, errors: vec![], fields: &[], otherwise: "staff_named" };
    match step.record(&state, &staff, &person, &t, ("/complaints", "complaint")).await? {
        Ok(done) => {
            let mut tx = state.db.begin_write().await?;
            tx.delete_draft(&draft_id, &staff.username).await?;
            tx.commit().await?;
            Ok(done)
        }
        Err(errors) => again(new_page(&state, staff, &pn, draft_id.to_string(), form, errors, false).await?),
    }
}

async fn keep(state: &AppState, draft: &Draft) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    tx.save_draft(draft).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/show.html")]
pub struct ShowPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    r: Row,
    facts: Vec<(&'static str, String)>,
    history: Vec<(String, String)>,
    /// The forms this member of staff may use now.
    acknowledge: bool,
    identify: bool,
    name_investigator: bool,
    answer: bool,
    check: Option<(String, String, String)>,
    appeal: bool,
    decide: bool,
    findings: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(ShowPage);

async fn load(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
) -> Result<(throughcare_core::Person, throughcare_core::timeline::Timeline, Complaint), AppError> {
    let (person, t, c) = reachable_case(state, staff, id, discrimination::complaints, |c| c.id).await?;
    // Not "forbidden": that there is a complaint is itself what must not reach the staff it names.
    if !may_open(staff, &c) {
        return Err(AppError::NotFound);
    }
    Ok((person, t, c))
}

async fn show_page(
    state: &AppState,
    staff: CurrentStaff,
    id: &str,
    form: Pairs,
    errors: Errors,
) -> Result<ShowPage, AppError> {
    let (person, _, c) = load(state, &staff, id).await?;
    let names = Directory::load(state).await?;
    let now = state.now();
    crate::auth::audit(
        state,
        &staff.username,
        "viewed-complaint",
        Some(person.prison_number.as_str()),
        &c.id.to_string(),
    )
    .await?;
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not recorded".into());
    let mut facts = vec![
        ("About", about(&c)),
        ("Reported by", c.reporter.map_or("Not recorded".into(), |r| r.label().to_string())),
        ("What happened", or_none(&c.what_happened)),
        ("When", c.happened_on.map_or("Not recorded".into(), display::date)),
        ("Where", or_none(&c.place)),
        ("Who was involved", or_none(&c.involved)),
        (
            "Staff it names",
            if c.staff_named.is_empty() {
                "None".into()
            } else {
                c.staff_named.iter().map(|s| names.staff(s.as_str())).collect::<Vec<_>>().join(", ")
            },
        ),
        ("What they want to happen", or_none(&c.wants)),
        ("Investigator", c.investigator.as_ref().map_or("Not named yet".into(), |i| names.staff(i.as_str()))),
    ];
    if let Some(a) = c.sent() {
        facts.push(("Response sent to them", a.response.clone().unwrap_or_default()));
    }
    let mut history =
        vec![(when(c.raised_at, now), format!("Reported{}", if c.from_kiosk { " on the kiosk" } else { "" }))];
    if let Some(at) = c.acknowledged_at {
        history.push((when(at, now), "Acknowledged".into()));
    }
    for a in &c.answers {
        history.push((
            when(a.at, now),
            format!(
                "Finding by {}: {}. Response: {}",
                names.staff(a.by.as_str()),
                a.finding.map_or(if a.upheld { "upheld" } else { "not upheld" }, |f| f.label()),
                a.response.clone().unwrap_or_default()
            ),
        ));
        if let Some((ok, comment, by, at)) = &a.check {
            history.push((
                when(*at, now),
                if *ok {
                    format!("Checked by {} and sent to the person", names.staff(by.as_str()))
                } else {
                    format!("Returned by {}: {}", names.staff(by.as_str()), comment.clone().unwrap_or_default())
                },
            ));
        }
    }
    if let Some((_, reason, at)) = &c.appeal {
        history.push((when(*at, now), format!("Appealed: {reason}")));
    }
    if let Some((f, response, by, at)) = &c.appeal_decision {
        history.push((
            when(*at, now),
            format!("Appeal decided by {}: {}. {}", names.staff(by.as_str()), f.label(), response),
        ));
    }
    let me = staff.username.as_str();
    let records = staff.role.can(crate::roles::Access::Record);
    let check = match &c.stage {
        Stage::AwaitingCheck { answer }
            if staff.role.may_record("discrimination_answer_checked")
                && c.investigator.as_ref().is_none_or(|i| i.as_str() != me) =>
        {
            c.answers.iter().find(|a| a.id == *answer).map(|a| {
                (
                    a.id.to_string(),
                    a.finding.map_or("", |f| f.label()).to_string(),
                    a.response.clone().unwrap_or_default(),
                )
            })
        }
        _ => None,
    };
    let runs = runs_process(staff.role) && records;
    Ok(ShowPage {
        acknowledge: runs && c.acknowledged_at.is_none(),
        identify: runs && c.stage.is_open(),
        name_investigator: runs
            && matches!(c.stage, Stage::Reported | Stage::Acknowledged | Stage::Investigating { .. }),
        answer: matches!(&c.stage, Stage::Investigating { investigator } if investigator.as_str() == me),
        check,
        appeal: runs && matches!(c.stage, Stage::Answered { .. }) && c.appeal.is_none(),
        decide: staff.role.may_record("discrimination_appeal_decided")
            && matches!(c.stage, Stage::Appealed { .. })
            && !c.answers.iter().any(|a| a.by.as_str() == me),
        findings: codes::<ComplaintFinding>(),
        r: row(&person, &c, now),
        facts,
        history,
        form,
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
    show_page(&state, staff, &id, vec![], vec![]).await
}

fn finding_and_response(form: &Pairs, errors: &mut Errors) -> Option<(ComplaintFinding, String)> {
    let finding = ComplaintFinding::parse_code(value(form, "finding"))
        .map_err(|_| errors.push(("finding", "Select the finding".into())))
        .ok();
    let response = value(form, "response");
    if response.is_empty() {
        errors.push(("response", "Write the response the person is given, in plain words".into()));
    } else if response.chars().count() > 4000 {
        errors.push(("response", "Use 4,000 characters or fewer".into()));
    }
    finding.filter(|_| !response.is_empty()).map(|f| (f, response.to_string()))
}

/// One step of a complaint; the rules (who may take it, in what order) are the pathway's.
pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, t, c) = load(&state, &staff, &id).await?;
    let mut errors: Errors = vec![];
    let kind = match value(&form, "action") {
        "acknowledge" => Some(EventKind::DiscriminationComplaintAcknowledged { complaint: c.id }),
        "identify" => {
            let mut found = staff_list(value(&form, "staff_named"), &mut errors);
            for who in &found {
                if state.db.staff(who.as_str()).await?.is_none() {
                    errors.push(("staff_named", format!("There is no member of staff with username {who}")));
                }
            }
            found.retain(|s| !c.staff_named.contains(s));
            if found.is_empty() && errors.is_empty() {
                errors.push(("staff_named", "Enter the usernames of staff it names who are not listed yet".into()));
            }
            (errors.is_empty()).then(|| EventKind::DiscriminationStaffIdentified { complaint: c.id, staff: found })
        }
        "investigator" => match StaffRef::parse(value(&form, "investigator")) {
            Ok(investigator) if state.db.staff(investigator.as_str()).await?.is_some() => {
                Some(EventKind::DiscriminationInvestigatorNamed { complaint: c.id, investigator })
            }
            _ => {
                errors.push(("investigator", "Enter the username of a member of staff not involved".into()));
                None
            }
        },
        "answer" => {
            finding_and_response(&form, &mut errors).map(|(f, response)| EventKind::DiscriminationComplaintAnswered {
                complaint: c.id,
                upheld: f.upheld(),
                finding: Some(f),
                response: Some(response),
            })
        }
        "check" => {
            let approved = match value(&form, "approved") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    errors.push(("approved", "Select whether the finding and response can go to the person".into()));
                    None
                }
            };
            let comment = value(&form, "comment");
            if approved == Some(false) && comment.is_empty() {
                errors.push(("comment", "Say what the investigator should look at again".into()));
            }
            let answer = EventId::parse(value(&form, "answer")).map_err(|_| AppError::BadRequest("answer".into()))?;
            approved.filter(|_| errors.is_empty()).map(|approved| EventKind::DiscriminationAnswerChecked {
                answer,
                approved,
                comment: (!comment.is_empty()).then(|| comment.to_string()),
            })
        }
        "appeal" => {
            let reason = value(&form, "reason");
            if reason.is_empty() || reason.chars().count() > 1000 {
                errors.push(("reason", "Write why they appeal, in their words (up to 1,000 characters)".into()));
                None
            } else {
                Some(EventKind::DiscriminationComplaintAppealed { complaint: c.id, reason: reason.to_string() })
            }
        }
        "decide" => {
            let appeal = c.appeal.as_ref().map(|(a, ..)| *a).ok_or(AppError::NotFound)?;
            finding_and_response(&form, &mut errors).map(|(finding, response)| EventKind::DiscriminationAppealDecided {
                appeal,
                finding,
                response,
            })
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    // The equality team runs the process; the finding is its investigator's (the pathway checks
    // who); the check and the appeal are senior sign-off.
    if let Some(k) = &kind {
        let process = matches!(value(&form, "action"), "acknowledge" | "identify" | "investigator" | "appeal");
        if !staff.role.may_record(k.name()) || (process && !runs_process(staff.role)) {
            return Err(AppError::Forbidden);
        }
    }
    const FIELDS: &[(&str, &str)] = &[
        ("investigator", "investigator"),
        ("staff", "staff_named"),
        ("response", "response"),
        ("reason", "reason"),
        ("comment", "comment"),
        ("answer", "approved"),
    ];
    let step = PathwayStep { kind, occurred: None, errors, fields: FIELDS, otherwise: "action" };
    let done = format!("/complaints/{}", c.id);
    match step.record(&state, &staff, &person, &t, (&done, "complaint")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(show_page(&state, staff, &id, form, errors).await?),
    }
}
