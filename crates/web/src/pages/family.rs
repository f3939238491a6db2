//! Family of choice: who the person says their family is (not only relatives), whether each may
//! be involved in their mental-health support and told of a transfer, changed at any time, with
//! the history kept.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use throughcare_core::EventId;
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::{FamilyContact, FamilyInvolvement};
use throughcare_core::event::{ContactMode, EventKind};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value, yes_no};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again};
use crate::present::{Directory, when};

/// The kinds that make up the family record.
const KINDS: &[&str] = &[
    "family_contact_named",
    "family_contact_changed",
    "family_contact_removed",
    "family_contact_made",
    "bereavement_recorded",
];

pub struct Contact {
    id: String,
    name: String,
    relationship: String,
    involvement: &'static str,
    involvement_code: &'static str,
    told_of_transfer: bool,
    /// The last visit, call or letter, in words.
    last_contact: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "family/family.html")]
pub struct FamilyPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    contacts: Vec<Contact>,
    /// When, who and what, newest first.
    history: Vec<(String, String, String)>,
    involvements: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(FamilyPage);

async fn family_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<FamilyPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let now = state.now();
    let names = Directory::load(state).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let s = t.state_at(now);
    crate::auth::audit(state, &staff.username, "viewed-family", Some(person.prison_number.as_str()), "").await?;
    let mut history: Vec<(String, String, String)> = t
        .live()
        .filter(|e| KINDS.contains(&e.kind.name()))
        .map(|e| (when(e.occurred_at, now), names.staff(e.recorded_by.as_str()), names.sentence(e, &t)))
        .collect();
    history.reverse();
    Ok(FamilyPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        contacts: s
            .family
            .iter()
            .map(|(id, c)| Contact {
                id: id.to_string(),
                name: c.name.clone(),
                relationship: c.relationship.clone(),
                involvement: c.involvement.label(),
                involvement_code: c.involvement.code(),
                told_of_transfer: c.told_of_transfer,
                last_contact: t
                    .live()
                    .filter(|e| e.occurred_at <= now)
                    .filter_map(|e| match &e.kind {
                        EventKind::FamilyContactMade { contact, how } if contact == id => {
                            Some(format!("{} {}", how.label(), when(e.occurred_at, now)))
                        }
                        _ => None,
                    })
                    .last(),
            })
            .collect(),
        history,
        involvements: codes::<FamilyInvolvement>(),
        modes: codes::<ContactMode>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn family_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<FamilyPage, AppError> {
    family_page(&state, staff, &pn, vec![], vec![]).await
}

/// Adds, changes or removes a contact; a bad form re-renders with the message beside the field.
pub async fn family_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let current = t.state_at(state.now()).family;
    let mut errors: Errors = Vec::new();
    let involvement = |errors: &mut Errors| {
        FamilyInvolvement::parse_code(value(&form, "involvement"))
            .map_err(|_| errors.push(("involvement", "Select whether to involve them in mental-health support".into())))
            .ok()
    };
    let told = |errors: &mut Errors| {
        yes_no(&form, "told_of_transfer", "Select whether they may be told of a transfer", errors)
    };
    // A contact named on this person's record and not removed.
    let contact = |errors: &mut Errors| {
        let id = EventId::parse(value(&form, "contact")).ok().filter(|id| current.iter().any(|(c, _)| c == id));
        if id.is_none() {
            errors.push(("action", "That contact is not on their record".into()));
        }
        id
    };
    let kind = match value(&form, "action") {
        "add" => {
            let mut text = |field: &'static str, message: &str| {
                let v = value(&form, field);
                if v.is_empty() || v.chars().count() > 120 {
                    errors.push((field, format!("{message} (up to 120 characters)")));
                }
                v.to_string()
            };
            let (n, r) = (text("name", "Enter their name"), text("relationship", "Enter who they are to the person"));
            let (i, t) = (involvement(&mut errors), told(&mut errors));
            // Their date of birth only where the person shares it: all three boxes blank is none.
            let birthday = if ["bday", "bmonth", "byear"].iter().all(|f| value(&form, f).is_empty()) {
                None
            } else {
                super::date_input(value(&form, "bday"), value(&form, "bmonth"), value(&form, "byear"))
                    .map_err(|m| errors.push(("birthday", m.replace("the date it happened", "their date of birth"))))
                    .ok()
            };
            i.zip(t).map(|(involvement, told_of_transfer)| {
                EventKind::FamilyContactNamed(FamilyContact {
                    name: n,
                    relationship: r,
                    involvement,
                    told_of_transfer,
                    birthday,
                })
            })
        }
        "change" => {
            let (c, i, t) = (contact(&mut errors), involvement(&mut errors), told(&mut errors));
            match (c, i, t) {
                (Some(contact), Some(involvement), Some(t)) => {
                    Some(EventKind::FamilyContactChanged { contact, involvement, told_of_transfer: Some(t) })
                }
                _ => None,
            }
        }
        "remove" => contact(&mut errors).map(|contact| EventKind::FamilyContactRemoved { contact }),
        "contact" => {
            let c = contact(&mut errors);
            let how = ContactMode::parse_code(value(&form, "how"))
                .map_err(|_| errors.push(("action", "Select a visit, a call or a letter".into())))
                .ok();
            c.zip(how).map(|(contact, how)| EventKind::FamilyContactMade { contact, how })
        }
        "bereavement" => {
            let who = value(&form, "who");
            if who.is_empty() || who.chars().count() > 120 {
                errors.push(("who", "Enter who died, in their words (up to 120 characters)".into()));
            }
            let died_on = super::date_input(value(&form, "day"), value(&form, "month"), value(&form, "year"))
                .map_err(|m| errors.push(("died_on", m.replace("the date it happened", "the date they died"))))
                .ok();
            died_on.map(|died_on| EventKind::BereavementRecorded { relationship: who.to_string(), died_on })
        }
        _ => {
            errors.push(("action", "Choose what to record".into()));
            None
        }
    };
    let step = PathwayStep { kind, occurred: None, errors, fields: &[("died_on", "died_on")], otherwise: "action" };
    let done = format!("/people/{}/family", person.prison_number);
    match step.record(&state, &staff, &person, &t, (&done, "family")).await? {
        Ok(done) => Ok(done),
        Err(errors) => again(family_page(&state, staff, &pn, form, errors).await?),
    }
}
