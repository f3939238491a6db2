//! A person's medicines this custody: reported at reception, confirmed against the community
//! record, first dose given, reconciled before the second-stage assessment, supplied on leaving.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use throughcare_core::EventId;
use throughcare_core::codes::CodeSet;
use throughcare_core::event::{EventKind, MedicineSource, Occasion, Supply};
use throughcare_core::pathways::medicines::medicines;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::people::reachable;
use crate::present::when;

pub struct Row {
    id: String,
    name: String,
    dose: String,
    critical: bool,
    source: &'static str,
    confirmed: String,
    first_dose: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "medicines/page.html")]
pub struct MedicinesPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    rows: Vec<Row>,
    reconciled: String,
    supplied: Vec<String>,
    sources: Vec<(&'static str, &'static str)>,
    occasions: Vec<(&'static str, &'static str)>,
    supplies: Vec<(&'static str, &'static str)>,
    form: MedicineForm,
    errors: Vec<(&'static str, String)>,
    saved: Option<&'static str>,
}

impl MedicinesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct MedicineForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    medicine: String,
    #[serde(default)]
    medicine_name: String,
    #[serde(default)]
    dose: String,
    #[serde(default)]
    critical: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    occasion: String,
    #[serde(default)]
    supply: String,
}

async fn render(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    form: MedicineForm,
    errors: Vec<(&'static str, String)>,
) -> Result<MedicinesPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let now = state.now();
    let m = medicines(&state.db.timeline(&person.prison_number).await?);
    crate::auth::audit(state, &staff.username, "viewed-medicines", Some(person.prison_number.as_str()), "medicines")
        .await?;
    Ok(MedicinesPage {
        name: format!("{} {}", person.given_name.as_str(), person.family_name.as_str()),
        prison_number: person.prison_number.to_string(),
        rows: m
            .medicines
            .iter()
            .map(|x| Row {
                id: x.id.to_string(),
                name: x.name.clone(),
                dose: x.dose.clone(),
                critical: x.critical,
                source: x.source.label(),
                confirmed: x.confirmed.map_or(String::new(), |(t, s)| format!("{} ({})", when(t, now), s.label())),
                first_dose: x.first_dose.map_or(String::new(), |t| when(t, now)),
            })
            .collect(),
        reconciled: m.reconciled.map_or(String::new(), |t| when(t, now)),
        supplied: m
            .supplied
            .iter()
            .map(|(t, o, s)| format!("{}: {}, {}", when(*t, now), o.label(), s.label()))
            .collect(),
        sources: MedicineSource::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        occasions: Occasion::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        supplies: Supply::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<MedicinesPage, AppError> {
    render(&state, staff, &pn, MedicineForm::default(), vec![]).await
}

pub async fn step(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<MedicineForm>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let medicine = || EventId::parse(&form.medicine).ok();
    let m = medicines(&state.db.timeline(&person.prison_number).await?);
    let critical_of = |id: EventId| m.medicines.iter().find(|x| x.id == id).is_some_and(|x| x.critical);
    let kind = match form.action.as_str() {
        "add" => {
            let text = |v: &str| {
                let v = v.trim();
                (!v.is_empty() && v.chars().count() <= 120).then(|| v.to_string())
            };
            let name = text(&form.medicine_name).or_else(|| {
                errors.push(("medicine_name", "Enter the medicine's name".into()));
                None
            });
            let dose = text(&form.dose).or_else(|| {
                errors.push(("dose", "Enter the dose and how often, for example 50mg each morning".into()));
                None
            });
            let source = MedicineSource::parse_code(&form.source).ok().or_else(|| {
                errors.push(("source", "Select where you heard of it".into()));
                None
            });
            match (name, dose, source) {
                (Some(name), Some(dose), Some(source)) => {
                    Some(EventKind::MedicineReported { name, dose, critical: form.critical == "yes", source })
                }
                _ => None,
            }
        }
        "confirm" => medicine()
            .map(|medicine| EventKind::MedicineConfirmed { medicine, against: MedicineSource::CommunityRecord }),
        "dose" => medicine().map(|id| EventKind::MedicationGiven { critical: critical_of(id), medicine: Some(id) }),
        "reconcile" => Some(EventKind::MedicinesReconciled {}),
        "supply" => match (Occasion::parse_code(&form.occasion), Supply::parse_code(&form.supply)) {
            (Ok(occasion), Ok(supply)) => Some(EventKind::MedicinesSupplied { occasion, supply }),
            _ => {
                errors.push((
                    "supply",
                    "Select whether the person is moving or leaving, and what they were given".into(),
                ));
                None
            }
        },
        _ => None,
    };
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(("action", "Choose what to record".into()));
        }
        let page = render(&state, staff, &pn, form, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    crate::pages::record::record_step(&state, &staff, &person, kind).await?;
    Ok(super::flash::redirect(&format!("/people/{pn}/medicines"), "medicine"))
}
