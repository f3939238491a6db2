//! Information for the person in prison: the kiosk PIN staff set at reception, and giving an
//! item of the library in the person's format with whether they understood.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::{Format, Language, Understood};
use throughcare_core::event::EventKind;
use throughcare_core::information::Library;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::form::{Errors, Pairs, codes, name, value};
use crate::pages::people::reachable;
use crate::pages::record::record_step;
use crate::present::when;

#[derive(Template, WebTemplate)]
#[template(path = "information/pin.html")]
pub struct PinPage {
    staff: Option<CurrentStaff>,
    name: String,
    prison_number: String,
    /// When a PIN was last set, in words.
    set: Option<String>,
    errors: Errors,
}

impl PinPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::pages::form::error_for(&self.errors, field)
    }
}

async fn pin_page(state: &AppState, staff: CurrentStaff, pn: &str, errors: Errors) -> Result<PinPage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let set = state.db.kiosk_account(&person.prison_number).await?.map(|_| "A PIN is set".to_string());
    Ok(PinPage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        set,
        errors,
        staff: Some(staff),
    })
}

pub async fn pin_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<PinPage, AppError> {
    pin_page(&state, staff, &pn, vec![]).await
}

/// Sets the person's kiosk PIN. The PIN is never shown again or logged; setting it ends any
/// kiosk session they had. Their language and easy read start from their communication needs.
pub async fn set_pin(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, custody) = reachable(&state, &staff, &pn).await?;
    let (pin, again) = (value(&form, "pin"), value(&form, "pin_again"));
    let mut errors: Errors = vec![];
    if !custody.is_some_and(|c| c.in_custody) {
        errors.push(("pin", "A kiosk PIN is for someone in custody".into()));
    } else if let Some(m) = crate::kiosk::pin_problem(pin) {
        errors.push(("pin", m.into()));
    } else if pin != again {
        errors.push(("pin_again", "The two PINs are different: type the same 4 numbers twice".into()));
    }
    if !errors.is_empty() {
        let page = pin_page(&state, staff, &pn, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let t = state.db.timeline(&person.prison_number).await?;
    let profile = t.state_at(state.now()).communication;
    let language = profile.as_ref().map_or("en", |p| if p.language.as_str() == "cy" { "cy" } else { "en" });
    let easy_read =
        profile.as_ref().is_some_and(|p| p.needs_easy_read() || p.learning_disability || p.literacy_support);
    let pin = pin.to_string();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&pin))
        .await
        .map_err(|_| AppError::BadRequest("could not set the PIN".into()))?;
    let now = state.now();
    let mut tx = state.db.begin_write().await?;
    tx.set_kiosk_pin(&person.prison_number, &hash, &staff.username, now, language, easy_read).await?;
    tx.audit(now, &staff.username, "kiosk-pin-set", Some(person.prison_number.as_str()), "set a kiosk PIN").await?;
    tx.commit().await?;
    Ok(super::flash::redirect(&format!("/people/{}", person.prison_number), "pin"))
}

pub struct Given {
    title: String,
    format: &'static str,
    language: String,
    understood: &'static str,
    when: String,
    by_person: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "information/give.html")]
pub struct GivePage {
    staff: Option<CurrentStaff>,
    saved: Option<&'static str>,
    name: String,
    prison_number: String,
    /// The induction pack's items not yet understood, and the format and language to give it in.
    pack: Vec<(String, String)>,
    pack_format: &'static str,
    pack_language: String,
    needs: Option<String>,
    given: Vec<Given>,
    items: Vec<(String, String)>,
    formats: Vec<(&'static str, &'static str)>,
    understood: Vec<(&'static str, &'static str)>,
    form: Pairs,
    errors: Errors,
}

crate::pages::form::task_page!(GivePage);

async fn give_page(
    state: &AppState,
    staff: CurrentStaff,
    pn: &str,
    mut form: Pairs,
    errors: Errors,
) -> Result<GivePage, AppError> {
    let (person, _) = reachable(state, &staff, pn).await?;
    let t = state.db.timeline(&person.prison_number).await?;
    let now = state.now();
    let profile = t.state_at(now).communication;
    let (format, language) = Library::pack_format(profile.as_ref());
    let lib = &state.engine.library;
    let title = |id: &str| lib.item(id).map_or(id.to_string(), |i| i.title("en").to_string());
    let mut given: Vec<Given> = t
        .live()
        .filter_map(|e| match &e.kind {
            EventKind::InformationGiven { item, format, language, understood, from_kiosk } => Some(Given {
                title: title(item),
                format: format.label(),
                language: throughcare_core::display::language(language),
                understood: understood.label(),
                when: when(e.occurred_at, now),
                by_person: *from_kiosk,
            }),
            _ => None,
        })
        .collect();
    given.reverse();
    let understood_ids: Vec<String> = t
        .live()
        .filter_map(|e| match &e.kind {
            EventKind::InformationGiven {
                item,
                understood: Understood::Yes | Understood::Partly,
                from_kiosk: false,
                ..
            } => Some(item.clone()),
            _ => None,
        })
        .collect();
    if form.is_empty() {
        form = vec![("format".into(), format.code().into()), ("language".into(), language.clone())];
    }
    Ok(GivePage {
        name: name(&person),
        prison_number: person.prison_number.to_string(),
        pack: lib
            .induction_pack()
            .into_iter()
            .filter(|i| !understood_ids.contains(&i.id))
            .map(|i| (i.id.clone(), i.title("en").to_string()))
            .collect(),
        pack_format: format.label(),
        pack_language: Language::parse(&language).map_or(language.clone(), |l| throughcare_core::display::language(&l)),
        needs: profile.map(|p| {
            let mut s: Vec<String> = p.formats.iter().map(|f| f.label().to_string()).collect();
            if p.learning_disability {
                s.push("learning disability".into());
            }
            if p.literacy_support {
                s.push("needs support with reading".into());
            }
            if p.interpreter {
                s.push(format!("interpreter ({})", p.language.as_str()));
            }
            s.join(", ")
        }),
        given,
        items: lib.items.iter().map(|i| (i.id.clone(), i.title("en").to_string())).collect(),
        formats: codes::<Format>(),
        understood: codes::<Understood>(),
        form,
        errors,
        saved: staff.saved,
        staff: Some(staff),
    })
}

pub async fn give_form(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
) -> Result<GivePage, AppError> {
    give_page(&state, staff, &pn, vec![], vec![]).await
}

/// Records an item given, in which format and language, and whether the person understood.
pub async fn give(
    State(state): State<AppState>,
    Extension(staff): Extension<CurrentStaff>,
    Path(pn): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (person, _) = reachable(&state, &staff, &pn).await?;
    let mut errors: Errors = vec![];
    let item = state.engine.library.item(value(&form, "item")).map(|i| i.id.clone());
    if item.is_none() {
        errors.push(("item", "Select what you gave them".into()));
    }
    let format = Format::parse_code(value(&form, "format"))
        .map_err(|_| errors.push(("format", "Select the format you gave it in".into())))
        .ok();
    let language = Language::parse(value(&form, "language"))
        .map_err(|_| errors.push(("language", "Give the language as a code such as en, cy or pl".into())))
        .ok();
    let understood = Understood::parse_code(value(&form, "understood"))
        .map_err(|_| errors.push(("understood", "Select whether they understood".into())))
        .ok();
    match (item, format, language, understood) {
        (Some(item), Some(format), Some(language), Some(understood)) if errors.is_empty() => {
            record_step(
                &state,
                &staff,
                &person,
                EventKind::InformationGiven { item, format, language, understood, from_kiosk: false },
            )
            .await?;
            Ok(super::flash::redirect(&format!("/people/{}/information", person.prison_number), "information"))
        }
        _ => {
            let page = give_page(&state, staff, &pn, form, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
