//! Booking in at reception: find the person (prison number, NHS number, or name and date of
//! birth) or create them, record the reception, what they declare and how to communicate with
//! them, in one transaction; the standards engine opens the first-night screen at once.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use throughcare_core::characteristics::{Characteristic, Declaration, options};
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::{CommunicationProfile, Format, Language};
use throughcare_core::event::{EventKind, LegalStatus, ReceptionType};
use throughcare_core::person::Name;
use throughcare_core::{Event, EventId, NhsNumber, Person, PrisonNumber, StaffRef};

use crate::AppState;
use crate::auth::{self, CurrentStaff};
use crate::error::AppError;
use crate::present::Directory;

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    prison_number: String,
    #[serde(default)]
    nhs_number: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
}

pub struct Found {
    name: String,
    prison_number: String,
    date_of_birth: String,
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reception/find.html")]
pub struct FindPage {
    staff: Option<CurrentStaff>,
    q: FindQuery,
    searched: bool,
    found: Vec<Found>,
    errors: Vec<(&'static str, String)>,
}

impl FindPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// Finds a person arriving, across the estate: they may come from court, another prison or a
/// previous sentence. Only name, prison number and date of birth are shown, never the record.
pub async fn find(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<FindQuery>,
) -> Result<FindPage, AppError> {
    let mut errors = Vec::new();
    let mut people: Vec<Person> = Vec::new();
    let (pn, nhs, family) = (q.prison_number.trim(), q.nhs_number.trim(), q.family_name.trim());
    let dob_given = !(q.day.trim().is_empty() && q.month.trim().is_empty() && q.year.trim().is_empty());
    let searched = !pn.is_empty() || !nhs.is_empty() || !family.is_empty() || dob_given;
    if !pn.is_empty() {
        match PrisonNumber::parse(&pn.to_uppercase()) {
            Ok(pn) => people.extend(state.db.person(&pn).await?),
            Err(_) => errors.push(("prison_number", "Enter a prison number like A1234BC".to_string())),
        }
    }
    if !nhs.is_empty() {
        match NhsNumber::parse(&nhs.replace(' ', "")) {
            Ok(n) => people.extend(state.db.person_by_nhs_number(&n).await?),
            Err(_) => errors.push(("nhs_number", "Enter a 10-digit NHS number, for example 943 476 5919".to_string())),
        }
    }
    if !family.is_empty() || dob_given {
        match (family.is_empty(), super::date_input(&q.day, &q.month, &q.year)) {
            (true, _) => errors.push(("family_name", "Enter the family name as well as the date of birth".to_string())),
            (false, Err(m)) => errors.push(("dob", m.replace("the date it happened", "the date of birth"))),
            (false, Ok(dob)) => {
                for (p, _) in state.db.search_people(family, None, 200).await? {
                    if p.date_of_birth == dob && p.family_name.as_str().eq_ignore_ascii_case(family) {
                        people.push(p);
                    }
                }
            }
        }
    }
    people.sort_by(|a, b| a.prison_number.cmp(&b.prison_number));
    people.dedup_by(|a, b| a.prison_number == b.prison_number);
    let names = Directory::load(&state).await?;
    let mut found = Vec::new();
    for p in people {
        let custody = state.db.custody(&p.prison_number).await?;
        let status = match custody {
            Some(c) if c.in_custody => {
                format!(
                    "In custody at {}",
                    c.establishment.as_ref().map_or("an establishment".into(), |e| names.establishment(e))
                )
            }
            Some(c) => {
                let last = c.establishment.as_ref().map_or("an establishment".into(), |e| names.establishment(e));
                let t = state.db.timeline(&p.prison_number).await?;
                match t.state_at(jiff::Timestamp::MAX).episodes.last().and_then(|e| e.ended.clone()) {
                    Some((_, throughcare_core::timeline::EpisodeEnd::TransferredOut(to))) => {
                        format!("On transfer from {last} to {}", names.establishment(&to))
                    }
                    _ => format!("Not in custody (last at {last})"),
                }
            }
            None => "Never received".to_string(),
        };
        found.push(Found {
            name: format!("{} {}", p.given_name.as_str(), p.family_name.as_str()),
            prison_number: p.prison_number.to_string(),
            date_of_birth: throughcare_core::display::date(p.date_of_birth),
            status,
        });
    }
    if searched {
        let detail = format!("reception search; {} found", found.len());
        auth::audit(&state, &staff.username, "reception-search", None, &detail).await?;
    }
    Ok(FindPage { staff: Some(staff), q, searched: searched && errors.is_empty(), found, errors })
}

/// One characteristic question on the form: its answers, and what was chosen.
pub struct Question {
    field: String,
    label: &'static str,
    options: Vec<(String, String)>,
    chosen: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reception/book_in.html")]
pub struct BookInPage {
    staff: Option<CurrentStaff>,
    /// An existing person being received again; None to create them.
    existing: Option<(String, String)>,
    form: Vec<(String, String)>,
    questions: Vec<Question>,
    formats: Vec<(&'static str, &'static str, bool)>,
    reception_types: Vec<(&'static str, &'static str)>,
    legal_statuses: Vec<(&'static str, &'static str)>,
    /// What came with someone already on record (from another prison, or an earlier stay).
    came: Option<crate::pages::arrival::Came>,
    errors: Vec<(&'static str, String)>,
}

impl BookInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    fn needs(&self) -> [(&'static str, &'static str); 4] {
        [
            ("interpreter", "Needs an interpreter"),
            ("literacy_support", "Needs help to read and write"),
            ("learning_disability", "Has a learning disability"),
            ("neurodivergent", "Is autistic or neurodivergent"),
        ]
    }
    fn value(&self, field: &str) -> &str {
        self.form.iter().find(|(k, _)| k == field).map_or("", |(_, v)| v.as_str())
    }
}

const ASKED: &[Characteristic] = &[
    Characteristic::Sex,
    Characteristic::GenderIdentity,
    Characteristic::GenderReassignment,
    Characteristic::Ethnicity,
    Characteristic::Religion,
    Characteristic::Disability,
    Characteristic::SexualOrientation,
    Characteristic::MarriageCivilPartnership,
    Characteristic::PregnancyMaternity,
];

/// What came with a person already on record, and the characteristics they have declared (which
/// are not asked again): the report asks that nobody starts again from square one on a move.
async fn arriving(
    state: &AppState,
    staff: &CurrentStaff,
    existing: Option<&Person>,
) -> Result<(Option<crate::pages::arrival::Came>, Vec<Characteristic>), AppError> {
    let Some(p) = existing else { return Ok((None, vec![])) };
    let t = state.db.timeline(&p.prison_number).await?;
    let now = state.now();
    let st = t.state_at(now);
    let known = ASKED.iter().copied().filter(|c| st.characteristics.as_at(*c, now).is_some()).collect();
    Ok((Some(crate::pages::arrival::came(state, staff, p, &t).await?), known))
}

fn page(
    staff: CurrentStaff,
    existing: Option<&Person>,
    form: Vec<(String, String)>,
    errors: Vec<(&'static str, String)>,
    (came, known): (Option<crate::pages::arrival::Came>, Vec<Characteristic>),
) -> BookInPage {
    let value = |k: &str| form.iter().find(|(f, _)| f == k).map_or(String::new(), |(_, v)| v.clone());
    let questions = ASKED
        .iter()
        .filter(|c| !known.contains(c))
        .map(|c| Question {
            field: format!("c_{}", c.code()),
            label: c.label(),
            options: options(*c).unwrap_or_default(),
            chosen: value(&format!("c_{}", c.code())),
        })
        .collect();
    let formats_chosen: Vec<String> = form.iter().filter(|(k, _)| k == "format").map(|(_, v)| v.clone()).collect();
    BookInPage {
        existing: existing
            .map(|p| (format!("{} {}", p.given_name.as_str(), p.family_name.as_str()), p.prison_number.to_string())),
        questions,
        formats: Format::ALL
            .iter()
            .map(|f| (f.code(), f.label(), formats_chosen.iter().any(|c| c == f.code())))
            .collect(),
        reception_types: ReceptionType::ALL.iter().map(|t| (t.code(), t.label())).collect(),
        legal_statuses: LegalStatus::ALL.iter().map(|t| (t.code(), t.label())).collect(),
        came,
        form,
        errors,
        staff: Some(staff),
    }
}

#[derive(Deserialize)]
pub struct BookInQuery {
    #[serde(default)]
    pn: Option<String>,
}

pub async fn book_in_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Query(q): Query<BookInQuery>,
) -> Result<BookInPage, AppError> {
    let existing = match q.pn.as_deref() {
        Some(pn) => {
            let pn = PrisonNumber::parse(pn).map_err(|_| AppError::NotFound)?;
            Some(state.db.person(&pn).await?.ok_or(AppError::NotFound)?)
        }
        None => None,
    };
    let mut form =
        vec![("language".to_string(), "en".to_string()), ("format".to_string(), Format::Written.code().to_string())];
    if let Some(p) = &existing {
        form.push(("pn".into(), p.prison_number.to_string()));
        // How to communicate with them is already known: shown to confirm, not asked from nothing.
        if let Some(c) = state.db.timeline(&p.prison_number).await?.state_at(state.now()).communication {
            form.retain(|(k, _)| k != "language" && k != "format");
            form.push(("language".into(), c.language.as_str().to_string()));
            form.extend(c.formats.iter().map(|f| ("format".to_string(), f.code().to_string())));
            for (k, on) in [
                ("interpreter", c.interpreter),
                ("literacy_support", c.literacy_support),
                ("learning_disability", c.learning_disability),
                ("neurodivergent", c.neurodivergent),
            ] {
                if on {
                    form.push((k.into(), "yes".into()));
                }
            }
        }
    }
    let arrival = arriving(&state, &staff, existing.as_ref()).await?;
    Ok(page(staff, existing.as_ref(), form, vec![], arrival))
}

/// Everything the form gives, parsed: the person (new or known), and the events to record.
fn parse(
    form: &[(String, String)],
    existing: Option<&Person>,
    staff: &CurrentStaff,
    now: jiff::Timestamp,
) -> Result<(Option<Person>, Vec<EventKind>), Vec<(&'static str, String)>> {
    let value = |k: &str| form.iter().find(|(f, _)| f == k).map_or("", |(_, v)| v.trim());
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let today = throughcare_core::time::date_in_england(now);
    let person = match existing {
        Some(_) => None,
        None => {
            let pn = PrisonNumber::parse(&value("prison_number").to_uppercase())
                .map_err(|_| errors.push(("prison_number", "Enter the prison number, like A1234BC".into())))
                .ok();
            let given = Name::parse(value("given_name"))
                .map_err(|_| errors.push(("given_name", "Enter the person's first name".into())))
                .ok();
            let family = Name::parse(value("family_name"))
                .map_err(|_| errors.push(("family_name", "Enter the person's family name".into())))
                .ok();
            let dob = match super::date_input(value("dob_day"), value("dob_month"), value("dob_year")) {
                Ok(d) => match throughcare_core::time::check_date_of_birth(d, today) {
                    Ok(()) => Some(d),
                    Err(_) => {
                        errors
                            .push(("dob", "The date of birth must be in the past and less than 120 years ago".into()));
                        None
                    }
                },
                Err(m) => {
                    errors.push(("dob", m.replace("the date it happened", "the date of birth")));
                    None
                }
            };
            let nhs = match value("nhs_number").replace(' ', "") {
                n if n.is_empty() => None,
                n => NhsNumber::parse(&n)
                    .map_err(|_| {
                        errors.push(("nhs_number", "Enter a valid 10-digit NHS number, or leave it blank".into()))
                    })
                    .ok(),
            };
            match (pn, given, family, dob) {
                (Some(prison_number), Some(given_name), Some(family_name), Some(date_of_birth)) => {
                    Some(Person { prison_number, given_name, family_name, date_of_birth, nhs_number: nhs })
                }
                _ => None,
            }
        }
    };
    let reception_type = ReceptionType::parse_code(value("reception_type"))
        .map_err(|_| errors.push(("reception_type", "Select how the person arrived".into())))
        .ok();
    let legal_status = LegalStatus::parse_code(value("legal_status"))
        .map_err(|_| errors.push(("legal_status", "Select the person's legal status".into())))
        .ok();
    let location = match value("location") {
        "" => None,
        l if l.chars().count() <= 40 && !l.chars().any(char::is_control) => Some(l.to_string()),
        _ => {
            errors.push(("location", "The cell must be 40 characters or fewer".into()));
            None
        }
    };
    let release_given = ["release_day", "release_month", "release_year"].iter().any(|k| !value(k).is_empty());
    let expected_release = if release_given {
        match super::date_input(value("release_day"), value("release_month"), value("release_year")) {
            Ok(d) if throughcare_core::time::check_date_ahead("expected_release", d, today).is_ok() && d >= today => {
                Some(d)
            }
            Ok(_) => {
                errors.push(("release", "The expected release date must be from today to 100 years ahead".into()));
                None
            }
            Err(m) => {
                errors.push(("release", m.replace("the date it happened", "the expected release date")));
                None
            }
        }
    } else {
        None
    };
    let mut events = Vec::new();
    if let (Some(reception_type), Some(legal_status), Some(establishment)) =
        (reception_type, legal_status, staff.establishment.clone())
    {
        events.push(EventKind::Reception { establishment, reception_type, legal_status, location, expected_release });
    }
    // Each question answered is a declaration in the person's own words; a question left blank
    // was not asked, and nothing is assumed.
    for c in ASKED {
        let code = value(&format!("c_{}", c.code()));
        if code.is_empty() {
            continue;
        }
        let detail = (*c == Characteristic::Religion && code != "NS")
            .then(|| value("religion_detail").to_string())
            .filter(|d| !d.is_empty());
        match Declaration::parse(c.code(), code, detail) {
            Ok(d) => events.push(EventKind::CharacteristicDeclared(d)),
            Err(_) => {
                errors.push(("characteristics", format!("Choose one of the answers for {}", c.label().to_lowercase())))
            }
        }
    }
    let mut formats: Vec<Format> = Vec::new();
    for (_, v) in form.iter().filter(|(k, _)| k == "format") {
        match Format::parse_code(v) {
            Ok(f) if !formats.contains(&f) => formats.push(f),
            Ok(_) => {}
            Err(_) => errors.push(("format", "Select the formats from the list".into())),
        }
    }
    let language = value("language").to_lowercase();
    match (formats.is_empty(), Language::parse(&language)) {
        (true, _) => errors.push(("format", "Select at least one format the person can use".into())),
        (_, Err(_)) => {
            errors.push(("language", "Enter the language as a 2 or 3 letter code, for example en, cy or pl".into()))
        }
        (false, Ok(language)) => events.push(EventKind::CommunicationRecorded(CommunicationProfile {
            formats,
            language,
            interpreter: value("interpreter") == "yes",
            literacy_support: value("literacy_support") == "yes",
            learning_disability: value("learning_disability") == "yes",
            neurodivergent: value("neurodivergent") == "yes",
        })),
    }
    if errors.is_empty() { Ok((person, events)) } else { Err(errors) }
}

pub async fn book_in(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    // Pairs, not a struct: formats repeat.
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let now = state.now();
    let existing = match form.iter().find(|(k, _)| k == "pn").map(|(_, v)| v.as_str()) {
        Some(pn) => Some(
            state
                .db
                .person(&PrisonNumber::parse(pn).map_err(|_| AppError::NotFound)?)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let mut result = parse(&form, existing.as_ref(), &staff, now);
    if staff.establishment.is_none() {
        result = Err(vec![("reception_type", "Your account has no establishment: ask an administrator".into())]);
    }
    // A prison number already on record is received again from its own record, not created twice.
    if let Ok((Some(p), _)) = &result {
        if state.db.person(&p.prison_number).await?.is_some() {
            result = Err(vec![(
                "prison_number",
                format!("{} is already on record: find the person and book them in from there", p.prison_number),
            )]);
        }
    }
    if let Some(p) = &existing {
        if state
            .db
            .custody(&p.prison_number)
            .await?
            .is_some_and(|c| c.in_custody && c.establishment == staff.establishment)
        {
            result = Err(vec![("reception_type", "This person is already in custody here".into())]);
        }
    }
    let (new_person, mut kinds) = match result {
        Ok(v) => v,
        Err(errors) => {
            let arrival = arriving(&state, &staff, existing.as_ref()).await?;
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                page(staff, existing.as_ref(), form, errors, arrival),
            )
                .into_response());
        }
    };
    // Unchanged communication needs are not recorded again.
    if let Some(p) = &existing {
        let known = state.db.timeline(&p.prison_number).await?.state_at(now).communication;
        kinds.retain(|k| !matches!((k, &known), (EventKind::CommunicationRecorded(new), Some(old)) if new == old));
    }
    let pn = new_person.as_ref().or(existing.as_ref()).map(|p| p.prison_number.clone()).expect("one or the other");
    let by = StaffRef::parse(&staff.username).map_err(|e| AppError::BadRequest(e.to_string()))?;
    // After anything recorded for them in the same second (a transfer out a moment ago).
    let recorded = crate::pages::record::recorded_now(&state, &pn).await?;
    let events: Vec<Event> = kinds
        .into_iter()
        .map(|kind| Event {
            id: EventId::from_uuid(uuid::Uuid::new_v4()),
            person: pn.clone(),
            occurred_at: now,
            recorded_at: recorded,
            recorded_by: by.clone(),
            correction: None,
            kind,
        })
        .collect();
    for e in &events {
        e.check().map_err(AppError::Unprocessable)?;
    }
    let mut tx = state.db.begin_write().await?;
    if let Some(p) = &new_person {
        tx.insert_people(std::slice::from_ref(p)).await?;
    }
    tx.append_events(&events).await?;
    tx.refresh_obligations(&[&pn], &state.engine, now).await?;
    let what = if new_person.is_some() { "booked in (new person)" } else { "booked in" };
    tx.audit(now, &staff.username, "booked-in", Some(pn.as_str()), &format!("{what}; {} events", events.len())).await?;
    tx.commit().await?;
    Ok(super::flash::redirect(&format!("/people/{pn}"), "booked"))
}
