//! Listeners and peer support: the register of peer supporters and the requests for a Listener
//! or the Samaritans (the Listener coordinator's alone), and the form any member of staff uses to
//! pass a request on. Only the fact and the time of a request are kept, never what was said.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use throughcare_core::PrisonNumber;
use throughcare_core::codes::CodeSet;
use throughcare_core::display;
use throughcare_core::event::{
    EventKind, NotMetReason, PeerScheme, SharedBackground, StandDownReason, SupportAsked, WithdrawnReason,
};
use throughcare_core::pathways::peer_support::{
    REQUEST_KINDS, Request, RequestOutcome, SUPPORTER_KINDS, Supporter, requests, shared, supporter,
};
use throughcare_core::standards::{Due, Trigger};

use crate::AppState;
use crate::auth::{CurrentStaff, audit};
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, error_for, name, value, values};
use crate::pages::people::{reachable, reachable_by_event};
use crate::pages::record::{record_step, record_step_at, step_refused, step_refused_at};
use crate::present::{Directory, when};

/// A form as first shown: the date boxes hold today, as most entries are made the same day.
fn prefilled(mut form: Pairs, now: Timestamp) -> Pairs {
    if form.is_empty() {
        let d = throughcare_core::time::date_in_england(now);
        form = vec![
            ("day".into(), d.day().to_string()),
            ("month".into(), d.month().to_string()),
            ("year".into(), d.year().to_string()),
        ];
    }
    form
}

/// When the support came: the date and time given, or now when the time is left blank (most
/// are written up as the Listener leaves). Never in the future.
fn when_given(state: &AppState, form: &Pairs) -> Result<Timestamp, (&'static str, String)> {
    super::moment_or_now(state.now(), form)
}

fn backgrounds(form: &Pairs, field: &'static str, errors: &mut Errors) -> Vec<SharedBackground> {
    let mut out = Vec::new();
    for v in values(form, field) {
        match SharedBackground::parse_code(v) {
            Ok(b) if !out.contains(&b) => out.push(b),
            Ok(_) => {}
            Err(_) => errors.push((field, "Select from the backgrounds listed".into())),
        }
    }
    out
}

/// How soon a request must be met: the hours of the standard a request opens (a local default
/// an establishment may change), so every page says the same as the worklist.
pub fn within_hours(state: &AppState) -> i64 {
    state
        .engine
        .standards
        .iter()
        .find(|s| matches!(&s.trigger, Trigger::Event { kinds, .. } if kinds.contains(&"listener_requested")))
        .and_then(|s| match s.due {
            Due::Hours(h) => Some(i64::from(h)),
            _ => None,
        })
        .unwrap_or(2)
}

fn waited(d: SignedDuration) -> String {
    if d < SignedDuration::from_mins(1) { "under a minute".into() } else { display::duration(d) }
}

/// A request's outcome in words, and its tag colour: met within the hours, late, or not met.
fn outcome(r: &Request, now: Timestamp, hours: i64) -> (String, &'static str) {
    let limit = SignedDuration::from_hours(hours);
    match &r.outcome {
        RequestOutcome::Waiting if r.waited(now) > limit => (format!("Waiting {}", waited(r.waited(now))), "red"),
        RequestOutcome::Waiting => (format!("Waiting {}", waited(r.waited(now))), "blue"),
        RequestOutcome::Met { .. } if r.waited(now) <= limit => {
            (format!("Met after {}", waited(r.waited(now))), "green")
        }
        RequestOutcome::Met { .. } => (format!("Met late, after {}", waited(r.waited(now))), "orange"),
        RequestOutcome::Withdrawn { reason, .. } => {
            (format!("Withdrawn: {}", display::mid_sentence(reason.label())), "grey")
        }
        RequestOutcome::NotMet { reason, .. } => (format!("Not met: {}", display::mid_sentence(reason.label())), "red"),
    }
}

// ---- The register and the requests -------------------------------------------------------------

pub struct RequestRow {
    id: String,
    name: String,
    prison_number: String,
    location: String,
    asked: &'static str,
    at: String,
    outcome: String,
    colour: &'static str,
}

pub struct SupporterRow {
    name: String,
    prison_number: String,
    location: String,
    schemes: String,
    matching: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "listeners/register.html")]
pub struct RegisterPage {
    staff: Option<CurrentStaff>,
    establishment: String,
    hours: i64,
    waiting: Vec<RequestRow>,
    recent: Vec<RequestRow>,
    /// "12 of 14 met within 2 hours", over the last 28 days.
    summary: Option<String>,
    supporters: Vec<SupporterRow>,
    add: String,
    errors: Errors,
    saved: Option<&'static str>,
}

impl RegisterPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    add: Option<String>,
}

fn schemes_in_words(s: &Supporter) -> String {
    s.active()
        .map(|t| format!("{}, trained {}", t.scheme.label(), display::date(t.trained_on)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn matching_in_words(s: &Supporter) -> String {
    if s.consent.is_empty() {
        "Not asked to be matched".into()
    } else {
        display::listing(s.consent.iter().map(|b| b.label()))
    }
}

/// Requests waiting (oldest first), the last 28 days' requests, and the register of active peer
/// supporters at the establishment. `?add=PN` goes to that person's peer support page.
pub async fn register(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    let add = q.add.unwrap_or_default().trim().to_ascii_uppercase();
    if !add.is_empty() {
        match reachable(&state, &staff, &add).await {
            Ok((p, _)) => {
                return Ok(axum::response::Redirect::to(&format!("/people/{}/peer-supporter", p.prison_number))
                    .into_response());
            }
            Err(AppError::NotFound) => {
                errors.push(("add", "No one with that prison number is in custody here".to_string()))
            }
            Err(e) => return Err(e),
        }
    }
    let page = register_page(&state, staff, add, errors).await?;
    let status = if page.errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::NOT_FOUND };
    Ok((status, page).into_response())
}

async fn register_page(
    state: &AppState,
    staff: CurrentStaff,
    add: String,
    errors: Errors,
) -> Result<RegisterPage, AppError> {
    let now = state.now();
    let hours = within_hours(state);
    let names = Directory::load(state).await?;
    let (asked, trained) = match &staff.establishment {
        Some(e) => (
            state.db.pathway_timelines(e, &["listener_requested"], REQUEST_KINDS).await?,
            state.db.pathway_timelines(e, &["peer_supporter_trained"], SUPPORTER_KINDS).await?,
        ),
        None => (vec![], vec![]),
    };
    let location = |c: Option<throughcare_store::repo::Custody>| c.and_then(|c| c.location).unwrap_or_default();
    let since = now - SignedDuration::from_hours(28 * 24);
    let (mut waiting, mut recent) = (Vec::new(), Vec::new());
    let (mut judged, mut in_time) = (0usize, 0usize);
    for (p, t) in &asked {
        let place = location(state.db.custody(&p.prison_number).await?);
        for r in requests(t) {
            let (words, colour) = outcome(&r, now, hours);
            let row = RequestRow {
                id: r.id.to_string(),
                name: name(p),
                prison_number: p.prison_number.to_string(),
                location: place.clone(),
                asked: r.asked.label(),
                at: when(r.at, now),
                outcome: words,
                colour,
            };
            if r.is_waiting() {
                waiting.push((r.at, row));
            } else if r.at >= since {
                if !matches!(r.outcome, RequestOutcome::Withdrawn { .. }) {
                    judged += 1;
                    in_time += usize::from(colour == "green");
                }
                recent.push((r.at, row));
            }
        }
    }
    waiting.sort_by_key(|(at, _)| *at);
    recent.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut supporters = Vec::new();
    for (p, t) in &trained {
        let s = supporter(t);
        if s.active().next().is_none() {
            continue;
        }
        supporters.push(SupporterRow {
            name: name(p),
            prison_number: p.prison_number.to_string(),
            location: location(state.db.custody(&p.prison_number).await?),
            schemes: schemes_in_words(&s),
            matching: matching_in_words(&s),
        });
    }
    supporters.sort_by(|a, b| a.name.cmp(&b.name));
    audit(
        state,
        &staff.username,
        "viewed-listener-requests",
        None,
        &format!("{} waiting, {} in 28 days", waiting.len(), recent.len()),
    )
    .await?;
    Ok(RegisterPage {
        establishment: staff.establishment.as_ref().map_or(String::new(), |e| names.establishment(e)),
        hours,
        waiting: waiting.into_iter().map(|(_, r)| r).collect(),
        recent: recent.into_iter().map(|(_, r)| r).collect(),
        summary: (judged > 0).then(|| format!("{in_time} of {judged} met within {hours} hours")),
        supporters,
        add,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

// ---- One request: matching, and what happened ---------------------------------------------------

pub struct ListenerOption {
    prison_number: String,
    name: String,
    location: String,
    shares: String,
    matches: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "listeners/request.html")]
pub struct RequestPage {
    staff: Option<CurrentStaff>,
    id: String,
    name: String,
    prison_number: String,
    /// "a Listener", for "Asked for a Listener".
    asked: String,
    at: String,
    outcome: String,
    colour: &'static str,
    waiting: bool,
    samaritans: bool,
    match_on: String,
    listeners: Vec<ListenerOption>,
    withdrawn_reasons: Vec<(&'static str, &'static str)>,
    not_met_reasons: Vec<(&'static str, &'static str)>,
    hours: i64,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(RequestPage);

async fn request_page(
    state: &AppState,
    staff: CurrentStaff,
    id: &str,
    form: Pairs,
    errors: Errors,
) -> Result<RequestPage, AppError> {
    let (person, t, id) = reachable_by_event(state, &staff, id).await?;
    let r = requests(&t).into_iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
    let now = state.now();
    let hours = within_hours(state);
    let me = t.state_at(now);
    // Every active Listener here, those sharing most of what the person chose first.
    let mut listeners = Vec::new();
    if r.asked == SupportAsked::Listener {
        if let Some(e) = &staff.establishment {
            for (p, st) in state.db.pathway_timelines(e, &["peer_supporter_trained"], SUPPORTER_KINDS).await? {
                let s = supporter(&st);
                if !s.is_active(PeerScheme::Listener) || p.prison_number == person.prison_number {
                    continue;
                }
                let full = state.db.timeline(&p.prison_number).await?;
                let common = shared(&r, &me, &s, &full.state_at(now), now);
                listeners.push(ListenerOption {
                    prison_number: p.prison_number.to_string(),
                    name: name(&p),
                    location: state.db.custody(&p.prison_number).await?.and_then(|c| c.location).unwrap_or_default(),
                    shares: common.iter().map(|b| display::mid_sentence(b.label())).collect::<Vec<_>>().join(", "),
                    matches: common.len(),
                });
            }
        }
    }
    listeners.sort_by(|a, b| b.matches.cmp(&a.matches).then_with(|| a.name.cmp(&b.name)));
    audit(state, &staff.username, "viewed-listener-request", Some(person.prison_number.as_str()), &id.to_string())
        .await?;
    let form = prefilled(form, now);
    let (words, colour) = outcome(&r, now, hours);
    Ok(RequestPage {
        id: id.to_string(),
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        asked: display::mid_sentence(r.asked.label()),
        at: when(r.at, now),
        outcome: words,
        colour,
        waiting: r.is_waiting(),
        samaritans: r.asked == SupportAsked::Samaritans,
        match_on: r.match_on.iter().map(|b| display::mid_sentence(b.label())).collect::<Vec<_>>().join(", "),
        listeners,
        withdrawn_reasons: codes::<WithdrawnReason>(),
        not_met_reasons: codes::<NotMetReason>(),
        hours,
        form,
        errors,
        staff: Some(staff),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
) -> Result<RequestPage, AppError> {
    request_page(&state, staff, &id, vec![], vec![]).await
}

/// Records how a request ended: met at a time (by a Listener, if the coordinator names one),
/// withdrawn, or not met, each with its reason.
pub async fn answer(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, t, request) = reachable_by_event(&state, &staff, &id).await?;
    let mut errors: Errors = Vec::new();
    let mut at = None;
    let kind = match value(&form, "what") {
        "met" => {
            match when_given(&state, &form) {
                Ok(t) => at = Some(t),
                Err((f, m)) => errors.push((f, m)),
            }
            let listener = match value(&form, "listener") {
                "" => None,
                pn => match PrisonNumber::parse(pn) {
                    Ok(pn) => Some(pn),
                    Err(_) => {
                        errors.push(("listener", "Select a Listener from the list".into()));
                        None
                    }
                },
            };
            Some(EventKind::ListenerRequestMet { request, listener })
        }
        "withdrawn" => WithdrawnReason::parse_code(value(&form, "withdrawn_reason"))
            .map_err(|_| errors.push(("withdrawn_reason", "Select why the request was withdrawn".into())))
            .ok()
            .map(|reason| EventKind::ListenerRequestWithdrawn { request, reason }),
        "not_met" => NotMetReason::parse_code(value(&form, "not_met_reason"))
            .map_err(|_| errors.push(("not_met_reason", "Select why the support was not given".into())))
            .ok()
            .map(|reason| EventKind::ListenerRequestNotMet { request, reason }),
        _ => {
            errors.push(("what", "Select what happened".into()));
            None
        }
    };
    if let Some(k) = kind.as_ref().filter(|_| errors.is_empty()) {
        if let Some(m) = step_refused_at(&state, &staff, &person, &t, k, at)? {
            match m.split_once(": ") {
                Some(("met_at", rest)) => errors.push(("time", display::capitalise(rest))),
                Some(("listener", rest)) => errors.push(("listener", display::capitalise(rest))),
                _ => errors.push(("what", format!("That cannot be recorded: {m}"))),
            }
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => {
            record_step_at(&state, &staff, &person, kind, at).await?;
            Ok(super::flash::redirect("/listeners", "listener-met"))
        }
        _ => {
            let page = request_page(&state, staff, &id, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---- Passing a request on (any member of staff who records) -------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "listeners/ask.html")]
pub struct AskPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    asked: Vec<(&'static str, &'static str)>,
    backgrounds: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(AskPage);

impl AskPage {
    fn chosen(&self, field: &str, code: &str) -> bool {
        values(&self.form, field).any(|v| v == code)
    }
}

async fn ask_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<AskPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let form = prefilled(form, state.now());
    Ok(AskPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        asked: codes::<SupportAsked>(),
        backgrounds: codes::<SharedBackground>(),
        form,
        errors,
        staff: Some(staff),
    })
}

pub async fn ask_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<AskPage, AppError> {
    ask_page(&state, staff, &pn, vec![], vec![]).await
}

/// Passes a request to the Listener coordinator, and, if the support has already come, when.
/// The member of staff does not see it again: requests are the coordinator's alone.
pub async fn ask(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let mut errors: Errors = Vec::new();
    let asked = SupportAsked::parse_code(value(&form, "asked"))
        .map_err(|_| errors.push(("asked", "Select what the person asked for".into())))
        .ok();
    let match_on = backgrounds(&form, "match_on", &mut errors);
    if asked == Some(SupportAsked::Samaritans) && !match_on.is_empty() {
        errors.push((
            "match_on",
            "Matching is for a Listener: the Samaritans line is answered by whoever is on it".into(),
        ));
    }
    let met = match value(&form, "already") {
        "yes" => match when_given(&state, &form) {
            Ok(t) => Some(t),
            Err((f, m)) => {
                errors.push((f, m));
                None
            }
        },
        "no" => None,
        _ => {
            errors.push(("already", "Say whether the support has already come".into()));
            None
        }
    };
    let t = state.db.timeline(&person.prison_number).await?;
    let kind = asked.map(|asked| EventKind::ListenerRequested { asked, match_on });
    if let Some(k) = kind.as_ref().filter(|_| errors.is_empty()) {
        if let Some(m) = step_refused(&state, &staff, &person, &t, k)? {
            errors.push(("asked", format!("That cannot be recorded: {m}")));
        }
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        let page = ask_page(&state, staff, &pn, form, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    // Asked and met are written one after the other; the request is recorded at the time met
    // at the latest, so a Listener who came before the form was filled in is not "before" it.
    let asked_at = met.map(|m| m.min(state.now()));
    let request = record_step_at(&state, &staff, &person, kind, asked_at).await?;
    if let Some(at) = met {
        record_step_at(&state, &staff, &person, EventKind::ListenerRequestMet { request, listener: None }, Some(at))
            .await?;
        return Ok(super::flash::redirect(&format!("/people/{}", person.prison_number), "listener-met"));
    }
    Ok(super::flash::redirect(&format!("/people/{}", person.prison_number), "listener"))
}

// ---- A person as a peer supporter (the coordinator) ---------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "listeners/supporter.html")]
pub struct SupporterPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    active: Vec<(String, &'static str)>,
    past: Vec<String>,
    consent: Vec<&'static str>,
    schemes: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    backgrounds: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
    saved: Option<&'static str>,
}

crate::pages::form::task_page!(SupporterPage);

impl SupporterPage {
    fn consents(&self, code: &str) -> bool {
        self.consent.contains(&code)
    }
}

async fn supporter_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<SupporterPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let s = supporter(&t);
    let form = prefilled(form, state.now());
    Ok(SupporterPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        active: s
            .active()
            .map(|t| (format!("{}, trained {}", t.scheme.label(), display::date(t.trained_on)), t.scheme.code()))
            .collect(),
        past: s
            .training
            .iter()
            .filter_map(|t| {
                t.stood_down.map(|at| {
                    format!(
                        "{}, trained {}, stopped {}",
                        t.scheme.label(),
                        display::date(t.trained_on),
                        when(at, state.now())
                    )
                })
            })
            .collect(),
        consent: s.consent.iter().map(|b| b.code()).collect(),
        schemes: codes::<PeerScheme>(),
        reasons: codes::<StandDownReason>(),
        backgrounds: codes::<SharedBackground>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn supporter_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<SupporterPage, AppError> {
    supporter_page(&state, staff, &pn, vec![], vec![]).await
}

/// Trains, stands down, or records the matching consent of a peer supporter.
pub async fn supporter_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = Vec::new();
    let scheme = |field: &'static str, errors: &mut Errors| {
        PeerScheme::parse_code(value(&form, field)).map_err(|_| errors.push((field, "Select a scheme".into()))).ok()
    };
    let kind = match value(&form, "action") {
        "train" => {
            let s = scheme("scheme", &mut errors);
            let on = super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
                .map_err(|m| errors.push(("date", m.replace("the date it happened", "the date of the training"))))
                .ok();
            s.zip(on).map(|(scheme, trained_on)| EventKind::PeerSupporterTrained { scheme, trained_on })
        }
        "stop" => {
            let s = scheme("stop_scheme", &mut errors);
            let reason = StandDownReason::parse_code(value(&form, "reason"))
                .map_err(|_| errors.push(("reason", "Select why they stopped".into())))
                .ok();
            s.zip(reason).map(|(scheme, reason)| EventKind::PeerSupporterStoodDown { scheme, reason })
        }
        "consent" => {
            Some(EventKind::PeerMatchingConsent { backgrounds: backgrounds(&form, "backgrounds", &mut errors) })
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    if let Some(k) = kind.as_ref().filter(|_| errors.is_empty()) {
        if let Some(m) = step_refused(&state, &staff, &person, &t, k)? {
            match (value(&form, "action"), m.split_once(": ")) {
                (_, Some(("trained_on", rest))) => errors.push(("date", display::capitalise(rest))),
                ("stop", Some(("scheme", rest))) => errors.push(("stop_scheme", display::capitalise(rest))),
                (_, Some(("scheme", rest))) => errors.push(("scheme", display::capitalise(rest))),
                (_, Some(("backgrounds", rest))) => errors.push(("backgrounds", display::capitalise(rest))),
                _ => errors.push(("action", format!("That cannot be recorded: {m}"))),
            }
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => {
            record_step(&state, &staff, &person, kind).await?;
            Ok(super::flash::redirect(&format!("/people/{}/peer-supporter", person.prison_number), "peer-supporter"))
        }
        _ => {
            let page = supporter_page(&state, staff, &pn, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
