//! ACCT case management: recording self-harm (and opening or considering an ACCT), opening an
//! ACCT, the register of open cases, and each case's page with the step forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::display;
use throughcare_core::event::{AcctReview, AcctTrigger, EventKind, InjurySeverity, ObservationLevel, SelfHarmMethod};
use throughcare_core::pathways::acct::{AcctCase, cases, observation_gaps};
use throughcare_core::{EventId, Person, StaffRef};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again, record_step};
use crate::present::{Directory, when};
use crate::roles::Access;

fn text(form: &Pairs, k: &'static str, max: usize, message: &str, errors: &mut Errors) -> Option<String> {
    let v = value(form, k);
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        errors.push((k, format!("{message} (up to {max} characters)")));
        None
    } else {
        Some(v.to_string())
    }
}

// ---- Self-harm, and opening an ACCT -----------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "acct/open.html")]
pub struct OpenPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    /// True on the self-harm page, false on "Open an ACCT".
    self_harm: bool,
    acct_open: bool,
    methods: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(OpenPage);

async fn open_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    self_harm: bool,
    form: Pairs,
    errors: Errors,
) -> Result<OpenPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    Ok(OpenPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        self_harm,
        acct_open: cases(&t).iter().any(AcctCase::is_open),
        methods: codes::<SelfHarmMethod>(),
        severities: codes::<InjurySeverity>(),
        form,
        errors,
        staff: Some(staff),
    })
}

pub async fn self_harm_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<OpenPage, AppError> {
    open_page(&state, staff, &pn, true, vec![], vec![]).await
}

pub async fn open_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<OpenPage, AppError> {
    open_page(&state, staff, &pn, false, vec![("decision".into(), "open".into())], vec![]).await
}

/// Records self-harm (on the self-harm page) and the decision: open an ACCT with the concern and
/// the immediate action, or considered and not opened, with why.
pub async fn open(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let already = cases(&t).into_iter().find(AcctCase::is_open);
    let self_harm = value(&form, "page") == "self-harm";
    let mut errors: Errors = Vec::new();
    let mut kinds = Vec::new();
    if self_harm {
        let method = SelfHarmMethod::parse_code(value(&form, "method")).ok();
        let severity = InjurySeverity::parse_code(value(&form, "severity")).ok();
        if method.is_none() {
            errors.push(("method", "Select how the person harmed themselves".into()));
        }
        if severity.is_none() {
            errors.push(("severity", "Select how badly they were hurt".into()));
        }
        kinds.push(EventKind::SelfHarmIncident { method, severity });
    }
    match (value(&form, "decision"), &already) {
        (_, Some(_)) if self_harm => {}
        ("open", None) => {
            let concern = text(&form, "concern", 1000, "Say what the concern is, in your own words", &mut errors);
            let action = text(
                &form,
                "immediate_action",
                1000,
                "Say what you did straight away to keep the person safe",
                &mut errors,
            );
            kinds.push(EventKind::AcctOpened { concern, immediate_action: action });
        }
        ("considered", None) if self_harm => {
            if let Some(reason) = text(&form, "reason", 500, "Say why an ACCT is not being opened", &mut errors) {
                kinds.push(EventKind::AcctConsidered { reason });
            }
        }
        (_, Some(_)) => errors.push(("decision", "An ACCT is already open for this person: review it instead".into())),
        _ => errors.push(("decision", "Choose whether to open an ACCT".into())),
    }
    if !errors.is_empty() {
        let page = open_page(&state, staff, &pn, self_harm, form, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut opened = None;
    for kind in kinds {
        let is_open = matches!(kind, EventKind::AcctOpened { .. });
        let id = record_step(&state, &staff, &person, kind).await?;
        if is_open {
            opened = Some(id);
        }
    }
    // Anyone may open an ACCT; only those who run it go on to the case.
    let to = match (opened, already) {
        (Some(id), _) | (None, Some(AcctCase { id, .. })) if staff.role.can(crate::roles::Access::Acct) => {
            format!("/acct/{id}")
        }
        _ => format!("/people/{}", person.prison_number),
    };
    Ok(super::flash::redirect(&to, "acct"))
}

// ---- The register ------------------------------------------------------------------------------

pub struct RegisterRow {
    id: String,
    name: String,
    prison_number: String,
    opened: String,
    next_review: String,
    review_due: &'static str,
    observations: String,
    case_manager: String,
    gaps: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "acct/register.html")]
pub struct RegisterPage {
    staff: Option<CurrentStaff>,
    establishment: String,
    rows: Vec<RegisterRow>,
}

/// Open ACCTs at the establishment, reviews due soonest first (no review yet, then by date).
pub async fn register(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
) -> Result<RegisterPage, AppError> {
    let now = state.now();
    let today = throughcare_core::time::date_in_england(now);
    let names = Directory::load(&state).await?;
    // One row per open case, kept beside the obligations: not every check ever recorded.
    let open = match &staff.establishment {
        Some(e) => state.db.open_accts(e).await?,
        None => vec![],
    };
    let mut rows: Vec<(Option<jiff::civil::Date>, RegisterRow)> = Vec::new();
    for (p, c) in &open {
        let next = c.next_review;
        let level = c.levels.map_or("Not set yet".to_string(), |(day, night)| {
            format!("{} by day, {} by night", day.label(), night.label().to_lowercase())
        });
        rows.push((
            next,
            RegisterRow {
                id: c.id.to_string(),
                name: name(p),
                prison_number: p.prison_number.to_string(),
                opened: when(c.opened_at, now),
                next_review: next.map_or("No review yet".into(), display::date),
                review_due: match next {
                    None => "red",
                    Some(d) if d < today => "red",
                    Some(d) if d == today => "orange",
                    _ => "blue",
                },
                observations: level,
                case_manager: c.case_manager.as_ref().map_or("Not named".into(), |s| names.staff(s.as_str())),
                gaps: c.gaps_at(now),
            },
        ));
    }
    rows.sort_by_key(|(d, _)| d.map_or((0, jiff::civil::Date::MIN), |d| (1, d)));
    crate::auth::audit(&state, &staff.username, "viewed-acct-register", None, &format!("{} open", rows.len())).await?;
    Ok(RegisterPage {
        establishment: staff.establishment.as_ref().map_or(String::new(), |e| names.establishment(e)),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        staff: Some(staff),
    })
}

// ---- A case ------------------------------------------------------------------------------------

pub struct ReviewRow {
    when: String,
    chair: String,
    attended: String,
    levels: String,
    next: String,
    warnings: Vec<String>,
}

pub struct PlanRow {
    id: String,
    issue: String,
    goal: String,
    action: String,
    owner: String,
    due: String,
    done: String,
    overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "acct/case.html")]
pub struct CasePage {
    staff: Option<CurrentStaff>,
    id: String,
    name: String,
    prison_number: String,
    open: bool,
    summary: Vec<(String, String)>,
    reviews: Vec<ReviewRow>,
    plan: Vec<PlanRow>,
    record: Vec<(String, &'static str)>,
    gaps: Vec<String>,
    triggers: Vec<(String, &'static str)>,
    incidents: Vec<(String, String)>,
    can_post_closure: bool,
    assessed: bool,
    levels: Vec<(&'static str, &'static str)>,
    trigger_codes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
    saved: Option<&'static str>,
}

crate::pages::form::task_page!(CasePage);

async fn load(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
) -> Result<(Person, AcctCase, throughcare_core::timeline::Timeline), AppError> {
    let (person, t, id) = crate::pages::people::reachable_by_event(state, staff, id).await?;
    let c = cases(&t).into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    if !staff.role.can(Access::Acct) && !reviews_case(staff, &c) {
        return Err(AppError::NotFound);
    }
    Ok((person, c, t))
}

/// The case's own reviewers: its case managers and its assessor, who read and record on the case
/// whatever their role (a residential officer named case manager).
pub fn reviews_case(staff: &CurrentStaff, case: &AcctCase) -> bool {
    case.case_managers.iter().any(|(_, s)| s.as_str() == staff.username)
        || case.assessment.as_ref().is_some_and(|(_, s)| s.as_str() == staff.username)
}

/// The observations asked of wing staff, for the person page: the levels in force and when the
/// next check is due, without the case's detail.
pub struct WingChecks {
    pub levels: String,
    pub last: String,
    pub next: Option<String>,
    pub overdue: bool,
}

pub fn asked_of_wing(case: &AcctCase, now: jiff::Timestamp) -> Option<WingChecks> {
    let r = case.latest_review().filter(|_| case.is_open())?;
    let last = case.record.iter().map(|(t, _)| *t).max();
    let next = throughcare_core::pathways::acct::next_check_due(case, now);
    Some(WingChecks {
        levels: format!(
            "{} by day, {} at night",
            r.observations_day.label(),
            r.observations_night.label().to_lowercase()
        ),
        last: last.map_or("No check recorded yet".into(), |t| when(t, now)),
        next: next.map(|t| display::instant_seen_from(t, now)),
        overdue: next.is_some_and(|t| t < now),
    })
}

/// One observation or conversation, recorded from the person's page by whoever made it.
pub async fn check(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    if !staff.role.may_record("acct_observation") {
        return Err(AppError::Unprocessable("Your role does not record ACCT observations".into()));
    }
    let t = state.db.timeline(&person.prison_number).await?;
    let Some(c) = cases(&t).into_iter().find(AcctCase::is_open) else {
        return Err(AppError::Unprocessable("No ACCT is open for this person".into()));
    };
    let conversation = value(&form, "check") == "conversation";
    record_step(&state, &staff, &person, EventKind::AcctObservation { acct: c.id, conversation }).await?;
    Ok(super::flash::redirect(&format!("/people/{}", person.prison_number), "acct-check"))
}

async fn case_page(
    state: &AppState,
    staff: CurrentStaff,
    id: &str,
    form: Pairs,
    errors: Errors,
) -> Result<CasePage, AppError> {
    let (person, c, t) = load(state, &staff, id).await?;
    let now = state.now();
    let today = throughcare_core::time::date_in_england(now);
    let names = Directory::load(state).await?;
    let mut summary = vec![
        ("Opened".to_string(), format!("{} by {}", when(c.opened_at, now), names.staff(c.opened_by.as_str()))),
        ("Concern".to_string(), c.concern.clone().unwrap_or_else(|| "Not recorded".into())),
        ("Immediate action".to_string(), c.immediate_action.clone().unwrap_or_else(|| "Not recorded".into())),
        ("Case manager".to_string(), c.case_manager().map_or("Not named yet".into(), |s| names.staff(s.as_str()))),
        (
            "Assessment interview".to_string(),
            c.assessment.as_ref().map_or("Not held yet".into(), |(at, by)| {
                format!("{} by {}", when(*at, now), names.staff(by.as_str()))
            }),
        ),
        (
            "Next case review".to_string(),
            c.next_review().map_or("Not set: hold the first case review".into(), display::date),
        ),
    ];
    if let Some(r) = c.latest_review() {
        summary.push((
            "Observations".to_string(),
            format!("{} by day, {} by night", r.observations_day.label(), r.observations_night.label().to_lowercase()),
        ));
        summary.push((
            "Conversations".to_string(),
            format!("{} by day, {} by night", r.conversations_day, r.conversations_night),
        ));
        if let Some(tr) = &r.triggers {
            summary.push(("Triggers and warning signs".to_string(), tr.clone()));
        }
    }
    if let Some((at, reason)) = &c.closed {
        summary.push(("Closed".to_string(), format!("{}: {}", when(*at, now), reason.clone().unwrap_or_default())));
        summary.push((
            "Post-closure review".to_string(),
            c.post_closure_review.map_or("Not held yet".into(), |at| when(at, now)),
        ));
    }
    let reviews = c
        .reviews
        .iter()
        .map(|r| match &r.review {
            Some(d) => ReviewRow {
                when: when(r.at, now),
                chair: names.staff(d.case_manager.as_str()),
                attended: format!(
                    "{}{}{}{}",
                    d.attended,
                    if d.healthcare_present { "; healthcare present" } else { "" },
                    if d.person_present { "; the person present" } else { "; the person not present" },
                    if d.family_involved { "; family involved, with consent" } else { "" }
                ),
                levels: format!(
                    "Observations {} by day, {} by night; conversations {} by day, {} by night",
                    d.observations_day.label().to_lowercase(),
                    d.observations_night.label().to_lowercase(),
                    d.conversations_day,
                    d.conversations_night
                ),
                next: display::date(d.next_review),
                warnings: c.review_warnings(r.id),
            },
            None => ReviewRow {
                when: when(r.at, now),
                chair: "Not recorded".into(),
                attended: String::new(),
                levels: String::new(),
                next: String::new(),
                warnings: vec![],
            },
        })
        .collect();
    let plan = c
        .plan
        .iter()
        .map(|p| PlanRow {
            id: p.id.to_string(),
            issue: p.issue.clone(),
            goal: p.goal.clone(),
            action: p.action.clone(),
            owner: p.owner.clone(),
            due: display::date(p.due),
            done: p.done.map_or(String::new(), |at| when(at, now)),
            overdue: p.done.is_none() && p.due < today,
        })
        .collect();
    let mut record: Vec<(String, &'static str)> = c
        .record
        .iter()
        .map(|(at, conversation)| (when(*at, now), if *conversation { "Conversation" } else { "Observation" }))
        .collect();
    record.reverse();
    let gaps = observation_gaps(&c, now)
        .iter()
        .map(|g| {
            format!(
                "{} to {}: {} (the level allows {})",
                when(g.from, now),
                if g.to == now { "now".to_string() } else { when(g.to, now) },
                display::duration(g.to - g.from),
                display::duration(jiff::SignedDuration::from_mins(g.allowed_minutes))
            )
        })
        .collect();
    let until = c.closed.as_ref().map_or(now, |(at, _)| *at);
    let incidents = t
        .live()
        .filter(|e| e.occurred_at >= c.opened_at - jiff::SignedDuration::from_hours(24) && e.occurred_at <= until)
        .filter(|e| matches!(e.kind, EventKind::SelfHarmIncident { .. }))
        .map(|e| (when(e.occurred_at, now), names.sentence(e, &t)))
        .collect();
    crate::auth::audit(state, &staff.username, "viewed-acct", Some(person.prison_number.as_str()), "ACCT case").await?;
    let mut form = form;
    if form.is_empty() {
        // A review's usual choices: the last levels, the signed-in member of staff chairing.
        form.push(("case_manager".into(), c.case_manager().map_or(staff.username.clone(), |s| s.to_string())));
        if let Some(r) = c.latest_review() {
            form.push(("observations_day".into(), r.observations_day.code().into()));
            form.push(("observations_night".into(), r.observations_night.code().into()));
            form.push(("conversations_day".into(), r.conversations_day.to_string()));
            form.push(("conversations_night".into(), r.conversations_night.to_string()));
            form.push(("triggers".into(), r.triggers.clone().unwrap_or_default()));
        }
    }
    Ok(CasePage {
        id: c.id.to_string(),
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        open: c.is_open(),
        summary,
        reviews,
        plan,
        record,
        gaps,
        triggers: c.triggers.iter().map(|(at, tr)| (when(*at, now), tr.label())).collect(),
        incidents,
        can_post_closure: c.closed.is_some() && c.post_closure_review.is_none(),
        assessed: c.assessment.is_some(),
        levels: codes::<ObservationLevel>(),
        trigger_codes: codes::<AcctTrigger>(),
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
) -> Result<CasePage, AppError> {
    case_page(&state, staff, &id, vec![], vec![]).await
}

fn review(form: &Pairs, errors: &mut Errors) -> Option<AcctReview> {
    let staff = |k: &'static str, errors: &mut Errors| {
        StaffRef::parse(value(form, k)).map_err(|_| errors.push((k, "Enter the case manager's username".into()))).ok()
    };
    let level = |k: &'static str, errors: &mut Errors| {
        ObservationLevel::parse_code(value(form, k))
            .map_err(|_| errors.push((k, "Select how often the person is observed".into())))
            .ok()
    };
    let count = |k: &'static str, errors: &mut Errors| match value(form, k).parse::<u8>() {
        Ok(n) if n <= 24 => Some(n),
        _ => {
            errors.push((k, "Enter how many conversations, from 0 to 24".into()));
            None
        }
    };
    let case_manager = staff("case_manager", errors);
    let attended = text(form, "attended", 500, "Say who attended", errors);
    let observations_day = level("observations_day", errors);
    let observations_night = level("observations_night", errors);
    let conversations_day = count("conversations_day", errors);
    let conversations_night = count("conversations_night", errors);
    let next_review = super::date_input(value(form, "next_day"), value(form, "next_month"), value(form, "next_year"))
        .map_err(|m| errors.push(("next", m.replace("the date it happened", "the date of the next review"))))
        .ok();
    let triggers = Some(value(form, "triggers").to_string()).filter(|t| !t.is_empty());
    Some(AcctReview {
        case_manager: case_manager?,
        attended: attended?,
        healthcare_present: value(form, "healthcare_present") == "yes",
        person_present: value(form, "person_present") == "yes",
        family_involved: value(form, "family_involved") == "yes",
        observations_day: observations_day?,
        observations_night: observations_night?,
        conversations_day: conversations_day?,
        conversations_night: conversations_night?,
        next_review: next_review?,
        triggers,
    })
}

/// Records one step of the case; a step out of order is refused with core's reason.
pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, c, t) = load(&state, &staff, &id).await?;
    let acct = c.id;
    let me = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut errors: Errors = Vec::new();
    let action = value(&form, "action");
    let kind = match action {
        "case_manager" => StaffRef::parse(value(&form, "new_case_manager"))
            .map_err(|_| errors.push(("new_case_manager", "Enter the case manager's username".into())))
            .ok()
            .map(|case_manager| EventKind::AcctCaseManagerNamed { acct, case_manager }),
        "assessment" => Some(EventKind::AcctAssessmentInterview { acct, assessor: me }),
        "review" => review(&form, &mut errors).map(|r| EventKind::AcctReviewed { acct: Some(acct), review: Some(r) }),
        "plan" => {
            let issue = text(&form, "issue", 500, "Enter the issue", &mut errors);
            let goal = text(&form, "goal", 500, "Enter the goal", &mut errors);
            let what = text(&form, "plan_action", 500, "Enter the action", &mut errors);
            let owner = text(&form, "owner", 120, "Enter who will do it", &mut errors);
            let due = super::date_input(value(&form, "due_day"), value(&form, "due_month"), value(&form, "due_year"))
                .map_err(|m| errors.push(("due", m.replace("the date it happened", "the date it is due by"))))
                .ok();
            match (issue, goal, what, owner, due) {
                (Some(issue), Some(goal), Some(action), Some(owner), Some(due)) => {
                    Some(EventKind::AcctCarePlanAction { acct, issue, goal, action, owner, due })
                }
                _ => None,
            }
        }
        "done" => {
            EventId::parse(value(&form, "plan_id")).ok().map(|action| EventKind::AcctCarePlanActionDone { action })
        }
        "observation" | "conversation" => {
            Some(EventKind::AcctObservation { acct, conversation: action == "conversation" })
        }
        "trigger" => AcctTrigger::parse_code(value(&form, "trigger"))
            .map_err(|_| errors.push(("trigger", "Select what happened".into())))
            .ok()
            .map(|trigger| EventKind::AcctTriggerRecorded { acct, trigger }),
        "close" => text(&form, "reason", 500, "Say why the ACCT is closed", &mut errors)
            .map(|reason| EventKind::AcctClosed { acct: Some(acct), reason: Some(reason) }),
        "post_closure" => Some(EventKind::AcctPostClosureReview { acct }),
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    let fields = [("next_review", "next"), ("reason", "reason"), ("due", "due")];
    let step = PathwayStep { kind, occurred: None, errors, fields: &fields, otherwise: "action" };
    let done = format!("/acct/{id}");
    match step.record(&state, &staff, &person, &t, (&done, "acct")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(case_page(&state, staff, &id, form, errors).await?),
    }
}
