//! Transferring a person to another prison: the move and the medicines that go with them, the
//! family the person agreed may be told (by the end of the day), the information they are given
//! about the move, and the whole record as a file for another estate, and such a file read in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{ContactMode, EventKind, Occasion, Supply};
use throughcare_core::timeline::{EpisodeEnd, Timeline};
use throughcare_core::{EstablishmentCode, EventId};

use crate::AppState;
use crate::auth::{self, CurrentStaff};
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::{PathwayStep, again, record_step};
use crate::present::{Directory, when};
use crate::roles::Access;

/// Someone the person agreed may be told of a move, and whether they have been, since the move.
pub struct ToTell {
    id: String,
    name: String,
    relationship: String,
    told: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer/transfer.html")]
pub struct TransferPage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    /// In custody at the member of staff's establishment: the move can be recorded.
    here: bool,
    /// The latest move out: when, and where to.
    moved: Option<(String, String)>,
    destinations: Vec<(String, String)>,
    medicines: usize,
    supplies: Vec<(&'static str, &'static str)>,
    to_tell: Vec<ToTell>,
    not_to_tell: usize,
    modes: Vec<(&'static str, &'static str)>,
    /// When the person was given "Moving to another prison", if they have been.
    informed: Option<String>,
    downloads: bool,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(TransferPage);

impl TransferPage {
    fn supply_hint(&self) -> String {
        format!(
            "{} medicine(s) on record. At least 7 days go with them, or a prescription (NICE QS156); opioid substitution is held by every prison",
            self.medicines
        )
    }
}

/// The latest move between prisons in this time in custody: on the way, or arrived (the family
/// may still be told by the receiving prison); None once released or received anew.
fn last_move(t: &Timeline) -> Option<(jiff::Timestamp, EstablishmentCode)> {
    let state = t.state_at(jiff::Timestamp::MAX);
    let mut episodes = state.episodes.iter().rev();
    let last = episodes.next()?;
    let ended = match &last.ended {
        None if last.reception_type == throughcare_core::event::ReceptionType::TransferIn => {
            episodes.next()?.ended.as_ref()
        }
        None => None,
        Some(_) => last.ended.as_ref(),
    };
    match ended? {
        (at, EpisodeEnd::TransferredOut(to)) => Some((*at, to.clone())),
        _ => None,
    }
}

fn to_tell(t: &Timeline, since: Option<jiff::Timestamp>, now: jiff::Timestamp) -> (Vec<ToTell>, usize) {
    let state = t.state_at(jiff::Timestamp::MAX);
    let told = |id: EventId| {
        t.live().find_map(|e| match &e.kind {
            EventKind::FamilyToldOfTransfer { contact, how }
                if *contact == id && since.is_some_and(|s| e.occurred_at >= s) =>
            {
                Some(format!("{} {}", how.label(), when(e.occurred_at, now)))
            }
            _ => None,
        })
    };
    let yes: Vec<ToTell> = state
        .family
        .iter()
        .filter(|(_, c)| c.told_of_transfer)
        .map(|(id, c)| ToTell {
            id: id.to_string(),
            name: c.name.clone(),
            relationship: c.relationship.clone(),
            told: told(*id),
        })
        .collect();
    let no = state.family.len() - yes.len();
    (yes, no)
}

async fn transfer_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: Pairs,
    errors: Errors,
) -> Result<TransferPage, AppError> {
    let (person, custody) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let names = Directory::load(state).await?;
    let here = custody.as_ref().is_some_and(|c| c.in_custody);
    let moved = last_move(&t);
    let (to_tell, not_to_tell) = to_tell(&t, moved.as_ref().map(|m| m.0), now);
    let current = custody.as_ref().and_then(|c| c.establishment.clone());
    let informed = t
        .live()
        .filter(|e| matches!(&e.kind, EventKind::InformationGiven { item, .. } if item == "transfer"))
        .last()
        .map(|e| when(e.occurred_at, now));
    Ok(TransferPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        here,
        moved: moved.map(|(at, to)| (when(at, now), names.establishment(&to))),
        destinations: state
            .db
            .establishments()
            .await?
            .into_iter()
            .filter(|e| Some(&e.code) != current.as_ref())
            .map(|e| (e.code.to_string(), e.name.as_str().to_string()))
            .collect(),
        medicines: throughcare_core::pathways::medicines::medicines(&t).medicines.len(),
        supplies: codes::<Supply>(),
        to_tell,
        not_to_tell,
        modes: codes::<ContactMode>(),
        informed,
        downloads: staff.role.can(Access::TransferRecord),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn transfer_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<TransferPage, AppError> {
    transfer_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records the move (with the medicines that go with them), or that a family member was told.
pub async fn transfer_step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, custody) = reachable(&state, &staff, &pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let mut errors: Errors = Vec::new();
    let done = format!("/people/{}/transfer", person.prison_number);
    match value(&form, "action") {
        "transfer" => {
            if !custody.as_ref().is_some_and(|c| c.in_custody) {
                errors.push(("to", "The person is not in custody here: there is no move to record".into()));
            }
            let current = custody.as_ref().and_then(|c| c.establishment.clone());
            let known = state.db.establishments().await?;
            let to = EstablishmentCode::parse(value(&form, "to"))
                .ok()
                .filter(|c| known.iter().any(|e| &e.code == c) && Some(c) != current.as_ref());
            if to.is_none() {
                errors.push(("to", "Select the prison they are moving to".into()));
            }
            let medicines = throughcare_core::pathways::medicines::medicines(&t).medicines.len();
            let supply = match value(&form, "supply") {
                "" if medicines > 0 => {
                    errors.push((
                        "supply",
                        "Select the medicines that go with them: they take at least 7 days or a prescription".into(),
                    ));
                    None
                }
                "" => None,
                s => match Supply::parse_code(s) {
                    Ok(s) => Some(s),
                    Err(_) => {
                        errors.push(("supply", "Select the medicines that go with them".into()));
                        None
                    }
                },
            };
            let kind = to.map(|to_establishment| EventKind::TransferOut { to_establishment });
            // The medicines are recorded only if the move itself will be: never one without the other.
            let refused = match &kind {
                Some(k) => crate::pages::record::step_refused_at(&state, &staff, &person, &t, k, None)?,
                None => None,
            };
            if errors.is_empty() && refused.is_none() {
                if let Some(supply) = supply {
                    record_step(
                        &state,
                        &staff,
                        &person,
                        EventKind::MedicinesSupplied { occasion: Occasion::Transfer, supply },
                    )
                    .await?;
                }
            }
            let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "to" };
            match step.record(&state, &staff, &person, &t, (&done, "transferred")).await? {
                Ok(done) => Ok(done),
                Err(errors) => again(transfer_page(&state, staff, &pn, form, errors).await?),
            }
        }
        "told" => {
            let since = last_move(&t).map(|m| m.0);
            let (list, _) = to_tell(&t, since, state.now());
            let contact =
                EventId::parse(value(&form, "contact")).ok().filter(|id| list.iter().any(|c| c.id == id.to_string()));
            if since.is_none() {
                errors.push(("contact", "Record the move first".into()));
            } else if contact.is_none() {
                errors.push(("contact", "Choose someone the person agreed may be told of a move".into()));
            }
            let how = ContactMode::parse_code(value(&form, "how"))
                .map_err(|_| errors.push(("how", "Select how they were told".into())))
                .ok();
            let kind = contact.zip(how).map(|(contact, how)| EventKind::FamilyToldOfTransfer { contact, how });
            let step = PathwayStep { kind, occurred: None, errors, fields: &[], otherwise: "contact" };
            match step.record(&state, &staff, &person, &t, (&done, "family-told")).await? {
                Ok(done) => Ok(done),
                Err(errors) => again(transfer_page(&state, staff, &pn, form, errors).await?),
            }
        }
        _ => {
            errors.push(("to", "Choose what to record".into()));
            again(transfer_page(&state, staff, &pn, form, errors).await?)
        }
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    format: String,
}

/// The whole record as a file: throughcare's own (lossless, for another throughcare estate) or a
/// FHIR R4 UK Core bundle (for other systems). Audited: it holds special-category data.
pub async fn download(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let pn = &person.prison_number;
    let now = state.now();
    let (text, file) = match q.format.as_str() {
        "fhir" => (
            serde_json::to_string_pretty(
                &throughcare_store::transfer::export_fhir(&state.db, pn, now).await.map_err(transfer_error)?,
            )
            .expect("JSON")
                + "\n",
            format!("{pn}-fhir.json"),
        ),
        "" | "throughcare" => (
            throughcare_store::transfer::export_record(&state.db, pn, now).await.map_err(transfer_error)?.to_json(),
            format!("{pn}-record.json"),
        ),
        _ => return Err(AppError::NotFound),
    };
    auth::audit(&state, &staff.username, "transfer-record-exported", Some(pn.as_str()), &format!("as {file}")).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        text,
    )
        .into_response())
}

pub(crate) fn transfer_error(e: throughcare_store::transfer::TransferError) -> AppError {
    use throughcare_store::transfer::TransferError as E;
    match e {
        E::NotFound(_) => AppError::NotFound,
        E::Store(s) => s.into(),
        E::Rejected(p) => AppError::Unprocessable(p.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer/import.html")]
pub struct ImportPage {
    staff: Option<CurrentStaff>,
    record: String,
    problems: Vec<String>,
    imported: Option<(String, String)>,
    errors: Errors,
}

impl ImportPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

pub async fn import_form(Extension(staff): Extension<CurrentStaff>) -> ImportPage {
    ImportPage { staff: Some(staff), record: String::new(), problems: vec![], imported: None, errors: vec![] }
}

/// Reads a record pasted or uploaded from another estate: all of it, or nothing with every problem.
pub async fn import(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let text = value(&form, "record").to_string();
    let page = |problems: Vec<String>, imported: Option<(String, String)>, errors: Errors| ImportPage {
        staff: Some(staff.clone()),
        record: if imported.is_some() { String::new() } else { text.clone() },
        problems,
        imported,
        errors,
    };
    if text.is_empty() {
        return again(page(
            vec![],
            None,
            vec![("record", "Paste the record: a throughcare file or a FHIR bundle".into())],
        ));
    }
    match read(&state, &text, &staff.username).await? {
        Ok(i) => {
            let what = format!(
                "{} {}: {} events added{}",
                if i.new_person { "New to this estate," } else { "Already on record," },
                i.prison_number,
                i.events_added,
                if i.events_known > 0 { format!(", {} already on record", i.events_known) } else { String::new() }
            );
            Ok(page(vec![], Some((i.prison_number.to_string(), what)), vec![]).into_response())
        }
        Err(problems) => {
            let n = problems.len();
            again(page(problems, None, vec![("record", format!("{n} problem(s) found: nothing was imported"))]))
        }
    }
}

/// A record of either kind (a FHIR bundle says so in its `resourceType`), imported whole.
pub(crate) async fn read(
    state: &AppState,
    text: &str,
    by: &str,
) -> Result<Result<throughcare_store::transfer::Imported, Vec<String>>, AppError> {
    use throughcare_store::transfer::{self, Paths, TransferError};
    let now = state.now();
    let json: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Ok(Err(vec![format!("file: not JSON ({e})")])),
    };
    let result = if json.get("resourceType").is_some() {
        transfer::import_fhir(&state.db, &json, &state.engine, now, by).await
    } else {
        match throughcare_core::transfer::TransferRecord::parse(text) {
            Ok(record) => transfer::import_record(&state.db, &record, &state.engine, now, by, Paths::RECORD).await,
            Err(p) => Err(TransferError::Rejected(p)),
        }
    };
    match result {
        Ok(i) => Ok(Ok(i)),
        Err(TransferError::Rejected(p)) => Ok(Err(p.iter().map(ToString::to_string).collect())),
        Err(e) => Err(transfer_error(e)),
    }
}
