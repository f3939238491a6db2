//! Finding a person, the person's page with need-to-know applied, the caseload and the audit view.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use throughcare_core::characteristics::{AgeBand, age_on};
use throughcare_core::codes::CodeSet;
use throughcare_core::event::EventKind;
use throughcare_core::timeline::{PersonState, Timeline};
use throughcare_core::{Characteristic, Event, Person, PrisonNumber};
use throughcare_store::repo::Custody;

use crate::AppState;
use crate::auth::{self, CurrentStaff};
use crate::error::AppError;
use crate::present::{Directory, Pagination, query, when};
use crate::roles::{Access, Reading, is_acct_detail};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub struct Row {
    pub name: String,
    pub prison_number: String,
    pub location: String,
    pub status: &'static str,
}

fn row(p: &Person, c: &Option<Custody>) -> Row {
    Row {
        name: format!("{}, {}", p.family_name.as_str(), p.given_name.as_str()),
        prison_number: p.prison_number.to_string(),
        location: c.as_ref().and_then(|c| c.location.clone()).unwrap_or_default(),
        status: if c.as_ref().is_some_and(|c| c.in_custody) { "In custody" } else { "Released or transferred" },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
pub struct Search {
    staff: Option<CurrentStaff>,
    q: String,
    searched: bool,
    results: Vec<Row>,
}

pub async fn search(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<SearchQuery>,
) -> Result<Search, AppError> {
    let text = q.q.trim().to_string();
    let results = if text.is_empty() {
        vec![]
    } else {
        let scope = if staff.role.estate_wide() { None } else { staff.establishment.as_ref() };
        state.db.search_people(&text, scope, 50).await?.iter().map(|(p, c)| row(p, c)).collect()
    };
    Ok(Search { staff: Some(staff), searched: !text.is_empty(), q: text, results })
}

#[derive(Template, WebTemplate)]
#[template(path = "caseload.html")]
pub struct Caseload {
    staff: Option<CurrentStaff>,
    establishment: Option<String>,
    results: Vec<Row>,
    pagination: Pagination,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<usize>,
}

pub async fn caseload(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<PageQuery>,
) -> Result<Caseload, AppError> {
    let results = match &staff.establishment {
        Some(e) => state.db.caseload(e).await?.iter().map(|(p, c)| row(p, c)).collect(),
        None => vec![],
    };
    let (results, pagination) = Pagination::cut(results, q.page, String::new());
    let names = Directory::load(&state).await?;
    Ok(Caseload {
        establishment: staff.establishment.as_ref().map(|e| names.establishment(e)),
        staff: Some(staff),
        results,
        pagination,
    })
}

/// A person the member of staff may reach, or 404: another establishment's people do not exist for them.
pub async fn reachable(
    state: &AppState,
    staff: &CurrentStaff,
    pn: &str,
) -> Result<(Person, Option<Custody>), AppError> {
    let pn = PrisonNumber::parse(pn).map_err(|_| AppError::NotFound)?;
    let person = state.db.person(&pn).await?.ok_or(AppError::NotFound)?;
    let custody = state.db.custody(&pn).await?;
    if !staff.reaches(custody.as_ref().and_then(|c| c.establishment.as_ref())) {
        return Err(AppError::NotFound);
    }
    Ok((person, custody))
}

/// The person an event (a case: a referral, an ACCT) belongs to, if the member of staff may reach
/// them, with their timeline; 404 otherwise, as for the person.
pub async fn reachable_by_event(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
) -> Result<(Person, Timeline, throughcare_core::EventId), AppError> {
    let id = throughcare_core::EventId::parse(id).map_err(|_| AppError::NotFound)?;
    let found = state.db.event_summaries(&[id]).await?;
    let (summary, _) = found.get(&id).ok_or(AppError::NotFound)?;
    let (person, _) = reachable(state, staff, summary.person.as_str()).await?;
    let timeline = state.db.timeline(&person.prison_number).await?;
    Ok((person, timeline, id))
}

/// One case of a pathway (a request, a complaint) by its id, with its person and their timeline,
/// if the member of staff may reach them; 404 otherwise.
pub async fn reachable_case<C>(
    state: &AppState,
    staff: &CurrentStaff,
    id: &str,
    cases: impl FnOnce(&Timeline) -> Vec<C>,
    id_of: impl Fn(&C) -> throughcare_core::EventId,
) -> Result<(Person, Timeline, C), AppError> {
    let (person, timeline, id) = reachable_by_event(state, staff, id).await?;
    let case = cases(&timeline).into_iter().find(|c| id_of(c) == id).ok_or(AppError::NotFound)?;
    Ok((person, timeline, case))
}

/// Which part of the timeline an event belongs to, for the filter.
pub fn category(kind: &str) -> &'static str {
    match kind {
        "reception" | "legal_status_changed" | "location_changed" | "transfer_out" | "release" => "custody",
        k if EventKind::is_clinical(k) => "health",
        "self_harm_incident"
        | "acct_opened"
        | "acct_reviewed"
        | "acct_closed"
        | "use_of_force"
        | "incentive_level_changed"
        | "adjudication" => "safety",
        "characteristic_declared" | "discrimination_complaint_raised" | "discrimination_complaint_answered" => {
            "equality"
        }
        "communication_recorded"
        | "family_contact_named"
        | "family_contact_changed"
        | "family_contact_removed"
        | "information_given" => "communication",
        _ => "support",
    }
}

const FILTERS: &[(&str, &str)] = &[
    ("all", "Everything"),
    ("custody", "Custody and moves"),
    ("health", "Health care"),
    ("support", "Key work, activities, MBU and requests"),
    ("safety", "Safety: self-harm, ACCT, force, incentives"),
    ("equality", "Equality"),
    ("communication", "Communication and family"),
];

pub struct TimelineRow {
    pub when: String,
    pub what: String,
    pub by: String,
}

/// What the viewer may read of an event: None hides it altogether (a characteristic they may not
/// see, a request for a Listener). `acct_reviewer` is set for the reviewers of the person's own
/// ACCT, who read its detail whatever their role.
pub fn describe(
    e: &Event,
    timeline: &Timeline,
    staff: &CurrentStaff,
    names: &Directory,
    acct_reviewer: bool,
) -> Option<String> {
    if let EventKind::CharacteristicDeclared(d) = &e.kind {
        if !staff.role.sees(d.characteristic()) {
            return None;
        }
    }
    let kind = e.kind.name();
    let what = match staff.role.reads_event(&staff.username, e, timeline) {
        Reading::Hidden => return None,
        Reading::Summary(_) if acct_reviewer && is_acct_detail(kind) => names.sentence(e, timeline),
        Reading::Summary(line) => line.to_string(),
        Reading::Full => names.sentence(e, timeline),
    };
    Some(match &e.correction {
        Some(c) => format!("{what} (a correction: {})", c.reason),
        None => what,
    })
}

#[derive(Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
pub struct PersonPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    location: Option<String>,
    flags: Vec<(String, &'static str)>,
    communication: Vec<(String, String)>,
    details: Vec<(String, String)>,
    characteristics: Vec<(String, String)>,
    family: Vec<(String, String)>,
    filters: Vec<(&'static str, &'static str, bool)>,
    timeline: Vec<TimelineRow>,
    pagination: Pagination,
    can_record: bool,
    can_audit: bool,
    /// Screening, referral and medicines links: clinical roles only.
    clinical: bool,
    /// The open ACCT case, for roles that may see its detail.
    acct: Option<String>,
    obligations: Vec<DueRow>,
    /// The observations an open ACCT asks of whoever is on the wing, with a button to record one.
    checks: Option<crate::pages::acct::WingChecks>,
    can_ask_listener: bool,
    can_family: bool,
    can_release: bool,
    /// Pathway pages for the move between prisons and release: (href, words), as the role may.
    continuity: Vec<(String, &'static str)>,
    can_pin: bool,
    can_inform: bool,
    can_record_request: bool,
    can_key_work: bool,
    acct_open: bool,
    /// The Listener coordinator's link to the person's peer support page.
    peer_support: bool,
    saved: Option<&'static str>,
}

/// One obligation of this custody: what, when due, and how it went, in words.
pub struct DueRow {
    pub what: String,
    pub due: String,
    pub outcome: String,
    pub colour: &'static str,
}

/// A person's obligations, each with its standard, that the viewer's role may see: a team's work
/// can itself be health information, and a complaint's deadlines are never shown to the staff it
/// names.
pub(crate) async fn visible_obligations<'a>(
    state: &'a AppState,
    staff: &CurrentStaff,
    pn: &PrisonNumber,
) -> Result<Vec<(throughcare_core::standards::engine::Obligation, &'a throughcare_core::standards::Standard)>, AppError>
{
    let obligations = state.db.obligations_of(pn).await?;
    let named = obligations.iter().any(|o| o.standard.as_str().starts_with("complaint-"))
        && crate::roles::complaint_names(&state.db.timeline(pn).await?, &staff.username);
    Ok(obligations
        .into_iter()
        .filter_map(|o| {
            let std = state.engine.standards.get(o.standard.as_str())?;
            let shown = staff.role.sees_team(std.team.code())
                && staff.role.sees_standard(o.standard.as_str())
                && !(named && o.standard.as_str().starts_with("complaint-"));
            shown.then_some((o, std))
        })
        .collect())
}

/// "What is due and what was done": every obligation of the latest custody the viewer's role may
/// see (a team's work can itself be health information), most recent first.
async fn due_and_done(
    state: &AppState,
    staff: &CurrentStaff,
    pn: &PrisonNumber,
    since: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
) -> Result<Vec<DueRow>, AppError> {
    use throughcare_core::standards::engine::Outcome;
    let Some(since) = since else { return Ok(vec![]) };
    let mut rows: Vec<(jiff::Timestamp, DueRow)> = Vec::new();
    for (o, std) in visible_obligations(state, staff, pn).await? {
        if o.opened_at < since {
            continue;
        }
        // Why an obligation closed can itself be clinical (a transfer to hospital): not for everyone.
        let label = |r: &str| {
            if EventKind::is_clinical(r) && !staff.role.sees_clinical_detail() {
                "a health care event (details for clinical staff)".to_string()
            } else {
                throughcare_core::display::kind_label(r).to_lowercase()
            }
        };
        let (outcome, colour) = match o.outcome_at(now) {
            Outcome::Open if o.due_at < now => (throughcare_core::display::due_status(o.due_at, now), "red"),
            Outcome::Open => ("Open".to_string(), "blue"),
            Outcome::MetOnTime { at, .. } => (format!("Met on time, {}", when(at, now)), "green"),
            Outcome::MetLate { at, .. } => (format!("Met late, {}", when(at, now)), "orange"),
            Outcome::NotApplicable { reason, .. } => (format!("Not applicable: {}", label(reason)), "grey"),
            Outcome::Unmet { reason, .. } if reason == throughcare_core::standards::engine::PERIOD_ENDED => {
                ("Not met in its week".to_string(), "red")
            }
            Outcome::Unmet { reason, .. } => (format!("Not met: {}", label(reason)), "red"),
        };
        rows.push((
            o.due_at,
            DueRow {
                what: format!("{} ({})", std.title, std.team.label()),
                due: throughcare_core::display::instant_seen_from(o.due_at, now),
                outcome,
                colour,
            },
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// Support flags everyone with access may see, instead of the clinical detail behind them.
pub fn flags(state: &PersonState) -> Vec<(String, &'static str)> {
    let mut f = Vec::new();
    if state.acct_open {
        f.push(("ACCT open".to_string(), "red"));
    }
    if state.on_mental_health_caseload() {
        f.push(("On the mental health caseload".to_string(), "purple"));
    }
    if let Some(c) = &state.communication {
        if c.needs_easy_read() {
            f.push(("Easy read needed".to_string(), "yellow"));
        }
        if c.interpreter {
            f.push((format!("Interpreter needed ({})", throughcare_core::display::language(&c.language)), "yellow"));
        }
    }
    f
}

pub async fn person(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Query(q): Query<PersonQuery>,
) -> Result<PersonPage, AppError> {
    let saved = staff.saved;
    person_page(&state, staff, &pn, q, saved).await
}

async fn person_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    q: PersonQuery,
    saved: Option<&'static str>,
) -> Result<PersonPage, AppError> {
    let names = Directory::load(state).await?;
    let (person, custody) = reachable(state, &staff, pn).await?;
    let timeline: Timeline = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let s = timeline.state_at(now);
    let today = throughcare_core::time::date_in_england(now);

    let mut shown = Vec::new();
    let mut characteristics = Vec::new();
    for c in Characteristic::ALL.iter().copied().filter(|c| staff.role.sees(*c)) {
        shown.push(c.code());
        let value = if c == Characteristic::Age {
            let age = age_on(person.date_of_birth, today);
            AgeBand::for_age(age).map_or_else(|| age.to_string(), |b| format!("{age} ({})", b.label()))
        } else {
            match s.characteristics.as_at(c, now) {
                Some(d) => {
                    let text = d.describe();
                    d.detail().map_or(text.clone(), |detail| format!("{text}: {detail}"))
                }
                None => "Not known".to_string(),
            }
        };
        characteristics.push((c.label().to_string(), value));
    }
    let communication = s
        .communication
        .as_ref()
        .map(|c| {
            vec![
                ("Formats".to_string(), c.formats.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")),
                ("Language".to_string(), throughcare_core::display::language(&c.language)),
                ("Interpreter".to_string(), if c.interpreter { "Yes" } else { "No" }.to_string()),
                ("Literacy support".to_string(), if c.literacy_support { "Yes" } else { "No" }.to_string()),
            ]
        })
        .unwrap_or_default();
    let cases = throughcare_core::pathways::acct::cases(&timeline);
    let acct_reviewer = cases.iter().any(|c| crate::pages::acct::reviews_case(&staff, c));
    let show = q.show.filter(|f| FILTERS.iter().any(|(c, _)| c == f)).unwrap_or_else(|| "all".into());
    let mut rows: Vec<TimelineRow> = timeline
        .live()
        .filter(|e| show == "all" || category(e.kind.name()) == show)
        .filter_map(|e| {
            describe(e, &timeline, &staff, &names, acct_reviewer).map(|what| TimelineRow {
                when: when(e.occurred_at, now),
                what,
                by: names.staff(e.recorded_by.as_str()),
            })
        })
        .collect();
    rows.reverse();
    let base = if show == "all" { String::new() } else { query(&[("show", &show)]) };
    let (rows, pagination) = Pagination::cut(rows, q.page, base);
    let detail = format!(
        "viewed record; characteristics shown: {}; clinical detail: {}",
        if shown.is_empty() { "none".to_string() } else { shown.join(", ") },
        if staff.role.sees_clinical_detail() { "yes" } else { "no" }
    );
    auth::audit(state, &staff.username, "viewed-person", Some(person.prison_number.as_str()), &detail).await?;
    let details = vec![
        ("Prison number".to_string(), person.prison_number.to_string()),
        ("Date of birth".to_string(), throughcare_core::display::date(person.date_of_birth)),
        (
            "Establishment".to_string(),
            match &custody {
                Some(c) if c.in_custody => {
                    c.establishment.as_ref().map_or("Not known".into(), |e| names.establishment(e))
                }
                Some(c) => format!(
                    "Not in custody (last at {})",
                    c.establishment.as_ref().map_or("an unknown establishment".into(), |e| names.establishment(e))
                ),
                None => "Not known".into(),
            },
        ),
        ("Key worker".to_string(), s.key_worker.as_ref().map_or("None allocated".into(), |k| names.staff(k.as_str()))),
    ];
    let mut details = details;
    if let Some(release) = s.current_episode().and_then(|ep| ep.expected_release) {
        details.push(("Expected release".to_string(), throughcare_core::display::date(release)));
    }
    let since = timeline.state_at(jiff::Timestamp::MAX).episodes.last().map(|ep| ep.received_at);
    let obligations = due_and_done(state, &staff, &person.prison_number, since, now).await?;
    Ok(PersonPage {
        obligations,
        clinical: staff.role.can(Access::Clinical),
        checks: cases
            .iter()
            .find(|c| c.is_open())
            .filter(|_| staff.role.may_record("acct_observation"))
            .and_then(|c| crate::pages::acct::asked_of_wing(c, now)),
        can_ask_listener: staff.role.may_record("listener_requested") && s.in_custody(),
        can_family: staff.role.can(Access::Family),
        can_release: staff.role.can(Access::TemporaryRelease),
        continuity: [
            (Access::Arrival, "arrival", "Arrival after a transfer: what came with them, reviews on arrival"),
            (Access::Transfer, "transfer", "Transfer to another prison, and family told of the move"),
            (Access::Release, "release", "Release plan: from reception to the day of release"),
        ]
        .into_iter()
        .filter(|(a, ..)| staff.role.can(*a))
        .map(|(_, path, words)| (format!("/people/{}/{path}", person.prison_number), words))
        .collect(),
        can_pin: staff.role.can(Access::KioskPin),
        can_inform: staff.role.can(Access::Information),
        can_record_request: staff.role.can(Access::Record),
        can_key_work: staff.role.can(Access::KeyWork),
        acct_open: s.acct_open,
        peer_support: staff.role.can(Access::PeerSupport),
        acct: cases
            .iter()
            .find(|c| c.is_open())
            .filter(|c| staff.role.can(Access::Acct) || crate::pages::acct::reviews_case(&staff, c))
            .map(|c| c.id.to_string()),
        name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
        prison_number: person.prison_number.to_string(),
        location: custody.and_then(|c| c.location),
        flags: flags(&s),
        communication,
        details,
        characteristics,
        family: s
            .family
            .iter()
            .map(|(_, c)| (format!("{} ({})", c.name, c.relationship), c.involvement.label().to_string()))
            .collect(),
        filters: FILTERS.iter().map(|(c, l)| (*c, *l, *c == show)).collect(),
        timeline: rows,
        pagination,
        can_record: staff.role.can(Access::Record),
        can_audit: staff.role.can(Access::Audit),
        saved,
        staff: Some(staff),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    staff: Option<CurrentStaff>,
    prison_number: String,
    entries: Vec<(String, String, String, String)>,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<AuditPage, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let names = Directory::load(&state).await?;
    let now = state.now();
    let mut entries: Vec<(String, String, String, String)> = state
        .db
        .audit_of(person.prison_number.as_str())
        .await?
        .into_iter()
        .map(|e| (when(e.at, now), names.staff(&e.actor), audit_action(&e.action), audit_detail(&e.action, &e.detail)))
        .collect();
    entries.reverse();
    Ok(AuditPage { staff: Some(staff), prison_number: person.prison_number.to_string(), entries })
}

/// What an audit entry's action means, in words.
pub fn audit_action(action: &str) -> String {
    match action {
        "viewed-person" => "Viewed the record".into(),
        "viewed-timeline" => "Read the timeline".into(),
        "recorded-event" => "Recorded an event".into(),
        "sign-in" => "Signed in".into(),
        "sign-out" => "Signed out".into(),
        "sign-in-failed" => "Failed to sign in".into(),
        "sign-in-throttled" => "Sign-in refused: too many attempts".into(),
        "access-denied" => "Refused access".into(),
        "account-created" => "Account created".into(),
        "account-disabled" => "Account disabled".into(),
        "password-reset" => "Password reset".into(),
        "api-token-created" => "API token created".into(),
        "kiosk-sign-in" => "Signed in on the kiosk".into(),
        "kiosk-sign-out" => "Signed out of the kiosk".into(),
        "kiosk-sign-in-failed" => "Failed to sign in on the kiosk".into(),
        "kiosk-sign-in-throttled" => "Kiosk sign-in refused: waiting after wrong PINs".into(),
        "kiosk-viewed" => "Read on the kiosk".into(),
        "kiosk-pin-set" => "Kiosk PIN set".into(),
        "viewed-request" => "Opened a request".into(),
        other => throughcare_core::display::kind_label(other),
    }
}

/// An audit entry's detail for a reader: the event recorded by its kind, not its code and id.
pub fn audit_detail(action: &str, detail: &str) -> String {
    match action {
        "recorded-event" => detail
            .split_once(' ')
            .map_or_else(|| detail.to_string(), |(kind, _id)| throughcare_core::display::kind_label(kind)),
        "viewed-person" => detail.replace("viewed record; ", "").replace('_', " "),
        _ => detail.replace('_', " "),
    }
}
