//! The transfer record as a FHIR R4 (4.0.1) Bundle following the UK Core profiles, for systems
//! other than throughcare: exported from a person's timeline and read back into events.
//!
//! Each resource is made from the event that began it and carries that event's id, so a bundle
//! read in and exported again is the same bundle. What FHIR cannot say (a referral's triage, an
//! ACCT's reviews) travels only in throughcare's own record (`TransferRecord`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::Problem;
use crate::characteristics::{Characteristic, Declaration};
use crate::codes::CodeSet;
use crate::communication::{CommunicationProfile, FamilyContact, FamilyInvolvement, Format, Language};
use crate::event::{EventKind, Instrument, MedicineSource, Priority, ReleasePlanItem, Service};
use crate::ids::{EventId, NhsNumber, PrisonNumber};
use crate::instruments::{Answer, Answers, InstrumentSet};
use crate::pathways::{acct, medicines, referral};
use crate::person::{Name, Person};
use crate::time::{format_instant, parse_date, parse_instant};
use crate::timeline::Timeline;

pub const FHIR_VERSION: &str = "4.0.1";
const UKCORE: &str = "https://fhir.hl7.org.uk/StructureDefinition/";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ETHNIC_EXTENSION: &str = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";
const ETHNIC_ENGLAND: &str = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland";
const ETHNIC_WALES: &str = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryWales";
const RELIGION_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/patient-religion";
const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const BCP47: &str = "urn:ietf:bcp:47";
/// throughcare's own code systems and extensions, for what UK Core has no code for.
const TC: &str = "https://throughcare.org.uk/fhir";

fn tc(kind: &str, name: &str) -> String {
    format!("{TC}/{kind}/{name}")
}
fn prison_number_system() -> String {
    tc("Id", "prison-number")
}
fn urn(id: EventId) -> String {
    format!("urn:uuid:{id}")
}
fn patient_id(pn: &PrisonNumber) -> EventId {
    EventId::named(&format!("patient/{pn}"))
}
fn release_plan_id(pn: &PrisonNumber) -> EventId {
    EventId::named(&format!("release-plan/{pn}"))
}
fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}
fn profile(name: &str) -> Value {
    json!({ "profile": [format!("{UKCORE}{name}")] })
}

/// LOINC and SNOMED CT codes for the scores that have them (research/clinical.md sections 3-4).
fn score_codes(instrument: Instrument) -> Vec<Value> {
    let own = coding(&tc("CodeSystem", "instrument"), instrument.code(), instrument.label());
    match instrument {
        Instrument::Phq9 => vec![
            coding(LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
            coding(SNOMED, "720433000", "Patient Health Questionnaire Nine Item score"),
            own,
        ],
        Instrument::Gad7 => vec![
            coding(LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
            coding(SNOMED, "445455005", "Generalized anxiety disorder 7 item score"),
            own,
        ],
        _ => vec![own],
    }
}

fn gender(d: Option<&Declaration>) -> &'static str {
    match d.map(|d| d.code()) {
        Some(c) if c == "F" => "female",
        Some(c) if c == "M" => "male",
        _ => "unknown",
    }
}

fn priority(p: Priority) -> &'static str {
    match p {
        Priority::Routine => "routine",
        Priority::Urgent => "urgent",
        Priority::VeryUrgent => "asap",
        Priority::Emergency => "stat",
    }
}

fn priority_from(s: &str) -> Option<Priority> {
    Some(match s {
        "routine" => Priority::Routine,
        "urgent" => Priority::Urgent,
        "asap" => Priority::VeryUrgent,
        "stat" => Priority::Emergency,
        _ => return None,
    })
}

/// A UKCore-CarePlan of one category, for the patient, optionally supporting another resource.
fn care_plan(
    id: EventId,
    (code, label): (&str, &str),
    subject: &Value,
    about: Option<EventId>,
    activity: Vec<Value>,
) -> Value {
    let mut plan = json!({
        "resourceType": "CarePlan",
        "id": id.to_string(),
        "meta": profile("UKCore-CarePlan"),
        "status": "active",
        "intent": "plan",
        "category": [{ "coding": [coding(&tc("CodeSystem", "care-plan"), code, label)] }],
        "subject": subject,
        "activity": activity
    });
    if let Some(about) = about {
        plan["supportingInfo"] = json!([{ "reference": urn(about) }]);
    }
    plan
}

/// The bundle for one person as their timeline stands: UK Core profiles, every resource id a UUID.
pub fn export(person: &Person, timeline: &Timeline, exported_at: Timestamp) -> Value {
    let pn = &person.prison_number;
    let subject = json!({ "reference": urn(patient_id(pn)) });
    let mut entries: Vec<(EventId, Value)> = Vec::new();
    let live: Vec<&crate::Event> = timeline.live().collect();
    let state = timeline.state_at(Timestamp::MAX);

    // The person: identity, every characteristic as declared (the 18+1 ethnicity among them),
    // UK Core's ethnic category and religion as the lossy extras they are, and communication.
    let mut extension = Vec::new();
    let mut latest: BTreeMap<Characteristic, &Declaration> = BTreeMap::new();
    // In time order, and declarations made together in the order of their characteristics, so
    // the same declarations give the same bundle whatever ids they were stored under.
    let mut declared: Vec<(Timestamp, &Declaration)> = live
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CharacteristicDeclared(d) => Some((e.occurred_at, d)),
            _ => None,
        })
        .collect();
    declared.sort_by(|a, b| {
        (a.0, a.1.characteristic().code(), a.1.code()).cmp(&(b.0, b.1.characteristic().code(), b.1.code()))
    });
    for (at, d) in declared {
        {
            latest.insert(d.characteristic(), d);
            let mut parts = vec![
                json!({ "url": "characteristic", "valueCode": d.characteristic().code() }),
                json!({ "url": "value", "valueCode": d.code() }),
            ];
            if let Some(detail) = d.detail() {
                parts.push(json!({ "url": "detail", "valueString": detail }));
            }
            parts.push(json!({ "url": "declared", "valueDateTime": format_instant(at) }));
            extension.push(json!({ "url": tc("StructureDefinition", "declared-characteristic"), "extension": parts }));
        }
    }
    if let Some(Declaration::Ethnicity(d)) = latest.get(&Characteristic::Ethnicity) {
        let (code, display) = match d {
            crate::Declared::Stated(e) => {
                (e.nhs_ethnic_category(), "NHS ethnic category (mapped from the 18+1 census code)")
            }
            crate::Declared::NotStated => ("Z", "Not stated"),
            crate::Declared::NotKnown => ("99", "Not known"),
        };
        extension.push(json!({
            "url": ETHNIC_EXTENSION,
            "valueCodeableConcept": { "coding": [coding(ETHNIC_ENGLAND, code, display)] }
        }));
    }
    if let Some(d @ Declaration::Religion(..)) = latest.get(&Characteristic::Religion) {
        extension.push(json!({
            "url": RELIGION_EXTENSION,
            "valueCodeableConcept": { "coding": [coding(&tc("CodeSystem", "religion"), &d.code(), &d.describe())] }
        }));
    }
    let mut communication = Vec::new();
    if let Some((at, profile)) = live.iter().rev().find_map(|e| match &e.kind {
        EventKind::CommunicationRecorded(p) => Some((e.occurred_at, p)),
        _ => None,
    }) {
        let mut parts: Vec<Value> =
            profile.formats.iter().map(|f| json!({ "url": "format", "valueCode": f.code() })).collect();
        for (name, v) in [
            ("interpreter", profile.interpreter),
            ("literacy-support", profile.literacy_support),
            ("learning-disability", profile.learning_disability),
            ("neurodivergent", profile.neurodivergent),
        ] {
            parts.push(json!({ "url": name, "valueBoolean": v }));
        }
        parts.push(json!({ "url": "recorded", "valueDateTime": format_instant(at) }));
        extension.push(json!({ "url": tc("StructureDefinition", "communication-needs"), "extension": parts }));
        communication.push(json!({
            "language": { "coding": [{ "system": BCP47, "code": profile.language.as_str() }] },
            "preferred": true
        }));
    }
    let mut identifier = vec![json!({ "system": prison_number_system(), "value": pn.as_str() })];
    if let Some(n) = &person.nhs_number {
        identifier.insert(0, json!({ "system": NHS_NUMBER, "value": n.as_str() }));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "id": patient_id(pn).to_string(),
        "meta": profile("UKCore-Patient"),
        "identifier": identifier,
        "name": [{ "use": "official", "family": person.family_name.as_str(), "given": [person.given_name.as_str()] }],
        "gender": gender(latest.get(&Characteristic::Sex).copied()),
        "birthDate": person.date_of_birth.to_string(),
    });
    if !extension.is_empty() {
        patient["extension"] = Value::Array(extension);
    }
    if !communication.is_empty() {
        patient["communication"] = Value::Array(communication);
    }
    entries.push((patient_id(pn), patient));

    // Family of choice: who, and what the person agreed each may be told.
    for (id, c) in &state.family {
        let named_at = live.iter().find(|e| e.id == *id).map_or(exported_at, |e| e.occurred_at);
        let mut related = json!({
            "resourceType": "RelatedPerson",
            "id": id.to_string(),
            "patient": subject,
            "relationship": [{ "text": c.relationship }],
            "name": [{ "text": c.name }],
        });
        if let Some(b) = c.birthday {
            related["birthDate"] = json!(b.to_string());
        }
        entries.push((*id, related));
        let consent = id.derived("consent");
        let permit = |yes: bool| if yes { "permit" } else { "deny" };
        entries.push((consent, json!({
            "resourceType": "Consent",
            "id": consent.to_string(),
            "meta": profile("UKCore-Consent"),
            "status": "active",
            "scope": { "coding": [coding(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")] },
            "category": [{ "coding": [coding(LOINC, "59284-0", "Patient Consent")] }],
            "patient": subject,
            "dateTime": format_instant(named_at),
            "provision": {
                "type": permit(c.involvement != FamilyInvolvement::Declines || c.told_of_transfer),
                "actor": [{
                    "role": { "coding": [coding(ROLE_CODE, "FAMMEMB", "family member")] },
                    "reference": { "reference": urn(*id) }
                }],
                "provision": [
                    {
                        "type": permit(c.involvement != FamilyInvolvement::Declines),
                        "code": [{ "coding": [coding(&tc("CodeSystem", "family-involvement"), c.involvement.code(), c.involvement.label())] }]
                    },
                    {
                        "type": permit(c.told_of_transfer),
                        "code": [{ "coding": [coding(&tc("CodeSystem", "family-permission"), "TOLD_OF_TRANSFER", "May be told of a transfer")] }]
                    }
                ]
            }
        })));
    }

    for m in medicines::medicines(timeline).medicines {
        entries.push((
            m.id,
            json!({
                "resourceType": "MedicationStatement",
                "id": m.id.to_string(),
                "meta": profile("UKCore-MedicationStatement"),
                "extension": [
                    { "url": tc("StructureDefinition", "critical-medicine"), "valueBoolean": m.critical },
                    { "url": tc("StructureDefinition", "medicine-source"), "valueCode": m.source.code() }
                ],
                "status": "active",
                "medicationCodeableConcept": { "text": m.name },
                "subject": subject,
                "dateAsserted": format_instant(m.reported_at),
                "dosage": [{ "text": m.dose }]
            }),
        ));
    }

    for e in &live {
        let EventKind::ScreeningCompleted { instrument, version, answers, total, band, .. } = &e.kind else { continue };
        let items: Vec<Value> = answers
            .iter()
            .map(|(link, a)| match a {
                Answer::Chosen(code) => json!({ "linkId": link, "answer": [{ "valueCoding": { "code": code } }] }),
                Answer::NotAsked { not_asked } => json!({
                    "linkId": link,
                    "extension": [{ "url": tc("StructureDefinition", "not-asked"), "valueString": not_asked }]
                }),
                Answer::Declined { declined } => json!({
                    "linkId": link,
                    "extension": [{ "url": tc("StructureDefinition", "declined"), "valueString": declined }]
                }),
            })
            .collect();
        entries.push((
            e.id,
            json!({
                "resourceType": "QuestionnaireResponse",
                "id": e.id.to_string(),
                "meta": profile("UKCore-QuestionnaireResponse"),
                "questionnaire": format!("{}|{version}", tc("Questionnaire", instrument.code())),
                "status": "completed",
                "subject": subject,
                "authored": format_instant(e.occurred_at),
                "item": items
            }),
        ));
        if let Some(total) = total {
            let score = e.id.derived("score");
            let mut obs = json!({
                "resourceType": "Observation",
                "id": score.to_string(),
                "meta": profile("UKCore-Observation"),
                "status": "final",
                "category": [{ "coding": [coding(OBSERVATION_CATEGORY, "survey", "Survey")] }],
                "code": { "coding": score_codes(*instrument), "text": format!("{} total score", instrument.label()) },
                "subject": subject,
                "effectiveDateTime": format_instant(e.occurred_at),
                "valueInteger": total,
                "derivedFrom": [{ "reference": urn(e.id) }]
            });
            if let Some(b) = band {
                obs["interpretation"] = json!([{ "text": b }]);
            }
            entries.push((score, obs));
        }
    }

    for r in referral::referrals(timeline) {
        if r.stage == referral::Stage::Declined {
            continue;
        }
        let accepted =
            live.iter().find(|e| matches!(e.kind, EventKind::ReferralAccepted { referral } if referral == r.id));
        let discharged =
            live.iter().find(|e| matches!(e.kind, EventKind::ReferralDischarged { referral } if referral == r.id));
        let mut request = json!({
            "resourceType": "ServiceRequest",
            "id": r.id.to_string(),
            "meta": profile("UKCore-ServiceRequest"),
            "status": if discharged.is_some() { "completed" } else { "active" },
            "intent": "order",
            "priority": priority(r.priority),
            "code": { "coding": [coding(&tc("CodeSystem", "service"), r.service.code(), r.service.label())] },
            "subject": subject,
            "authoredOn": format_instant(r.made_at),
        });
        if r.self_referral {
            request["requester"] = subject.clone();
        }
        if let Some(reason) = &r.reason {
            request["reasonCode"] = json!([{ "text": reason }]);
        }
        entries.push((r.id, request));
        if let Some(a) = accepted {
            let mut period = json!({ "start": format_instant(a.occurred_at) });
            if let Some(d) = discharged {
                period["end"] = json!(format_instant(d.occurred_at));
            }
            entries.push((
                a.id,
                json!({
                    "resourceType": "EpisodeOfCare",
                    "id": a.id.to_string(),
                    "meta": profile("UKCore-EpisodeOfCare"),
                    "status": if discharged.is_some() { "finished" } else { "active" },
                    "type": [{ "coding": [coding(&tc("CodeSystem", "service"), r.service.code(), r.service.label())] }],
                    "patient": subject,
                    "period": period,
                    "referralRequest": [{ "reference": urn(r.id) }]
                }),
            ));
        }
    }

    if let Some(case) = acct::cases(timeline).into_iter().find(acct::AcctCase::is_open) {
        entries.push((case.id, json!({
            "resourceType": "Flag",
            "id": case.id.to_string(),
            "meta": profile("UKCore-Flag"),
            "status": "active",
            "code": { "coding": [coding(&tc("CodeSystem", "support-flag"), "ACCT_OPEN", "Open ACCT: at risk of suicide or self-harm")] },
            "subject": subject,
            "period": { "start": format_instant(case.opened_at) }
        })));
        if !case.plan.is_empty() {
            let plan = case.id.derived("care-plan");
            let activities: Vec<Value> = case
                .plan
                .iter()
                .map(|a| {
                    let recorded = live.iter().find(|e| e.id == a.id).map_or(case.opened_at, |e| e.occurred_at);
                    let mut act = json!({
                        "detail": {
                            "extension": [
                                { "url": tc("StructureDefinition", "goal"), "valueString": a.goal },
                                { "url": tc("StructureDefinition", "recorded"), "valueDateTime": format_instant(recorded) }
                            ],
                            "status": if a.done.is_some() { "completed" } else { "not-started" },
                            "code": { "text": a.issue },
                            "description": a.action,
                            "scheduledString": a.due.to_string(),
                            "performer": [{ "display": a.owner }]
                        }
                    });
                    if let Some(done) = a.done {
                        act["progress"] = json!([{ "time": format_instant(done), "text": "Done" }]);
                    }
                    act
                })
                .collect();
            entries.push((plan, care_plan(plan, ("ACCT", "ACCT care plan"), &subject, Some(case.id), activities)));
        }
    }

    // The release plan: each item done or in hand, with when.
    let mut items: Vec<Value> = Vec::new();
    for item in ReleasePlanItem::ALL {
        let mut progress = Vec::new();
        let mut done = false;
        for e in &live {
            match &e.kind {
                EventKind::ReleasePlanItemNoted { item: i, note } if i == item => {
                    progress.push(json!({ "time": format_instant(e.occurred_at), "text": note }));
                }
                EventKind::ReleasePlanItemCompleted { item: i } if i == item && !done => {
                    done = true;
                    progress.push(json!({ "time": format_instant(e.occurred_at), "text": "Done" }));
                }
                _ => {}
            }
        }
        if progress.is_empty() {
            continue;
        }
        items.push(json!({
            "progress": progress,
            "detail": {
                "status": if done { "completed" } else { "in-progress" },
                "code": { "coding": [coding(&tc("CodeSystem", "release-plan-item"), item.code(), item.label())] }
            }
        }));
    }
    if !items.is_empty() {
        let plan = release_plan_id(pn);
        entries.push((plan, care_plan(plan, ("RELEASE_PLAN", "Release plan"), &subject, None, items)));
    }

    json!({
        "resourceType": "Bundle",
        "id": EventId::named(&format!("bundle/{pn}/{}", format_instant(exported_at))).to_string(),
        "meta": profile("UKCore-Bundle"),
        "type": "collection",
        "timestamp": format_instant(exported_at),
        "entry": entries.into_iter().map(|(id, r)| json!({ "fullUrl": urn(id), "resource": r })).collect::<Vec<_>>()
    })
}

/// What a bundle holds, as throughcare's events: each with its id and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub person: Person,
    pub events: Vec<(EventId, Timestamp, EventKind)>,
}

pub const RESOURCE_TYPES: &[&str] = &[
    "Patient",
    "RelatedPerson",
    "Consent",
    "MedicationStatement",
    "QuestionnaireResponse",
    "Observation",
    "ServiceRequest",
    "EpisodeOfCare",
    "Flag",
    "CarePlan",
];

/// Reads values at FHIR paths, noting every problem with its path.
struct Reader {
    problems: Vec<Problem>,
}

impl Reader {
    fn fail(&mut self, path: &str, reason: impl Into<String>) {
        self.problems.push(Problem::new(path, reason));
    }
    fn opt<'a>(&mut self, v: &'a Value, key: &str) -> Option<&'a Value> {
        v.get(key).filter(|x| !x.is_null())
    }
    fn req<'a>(&mut self, v: &'a Value, path: &str, key: &str) -> Option<&'a Value> {
        let x = v.get(key).filter(|x| !x.is_null());
        if x.is_none() {
            self.fail(&format!("{path}.{key}"), "is required");
        }
        x
    }
    fn string(&mut self, v: &Value, path: &str, key: &str, required: bool) -> Option<String> {
        let x = if required { self.req(v, path, key) } else { self.opt(v, key) }?;
        match x.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            _ => {
                self.fail(&format!("{path}.{key}"), "must be a non-empty string");
                None
            }
        }
    }
    /// A code bound (required) to a value set: anything else is refused, naming the set.
    fn code<'a>(&mut self, v: &Value, path: &str, key: &str, set: &[&'a str], required: bool) -> Option<&'a str> {
        let s = self.string(v, path, key, required)?;
        let found = set.iter().find(|c| **c == s).copied();
        if found.is_none() {
            self.fail(&format!("{path}.{key}"), format!("{s:?} is not in the value set ({})", set.join(", ")));
        }
        found
    }
    fn instant(&mut self, v: &Value, path: &str, key: &str, required: bool) -> Option<Timestamp> {
        let s = self.string(v, path, key, required)?;
        parse_instant(&s).map_err(|e| self.fail(&format!("{path}.{key}"), e)).ok()
    }
    fn array<'a>(&mut self, v: &'a Value, path: &str, key: &str, required: bool) -> &'a [Value] {
        match v.get(key) {
            Some(Value::Array(a)) if !a.is_empty() => a,
            None | Some(Value::Null) if !required => &[],
            Some(Value::Array(_)) | None | Some(Value::Null) => {
                self.fail(&format!("{path}.{key}"), "is required");
                &[]
            }
            Some(_) => {
                self.fail(&format!("{path}.{key}"), "must be an array");
                &[]
            }
        }
    }
    /// A reference to another entry of the bundle (`urn:uuid:...`).
    fn reference(&mut self, v: &Value, path: &str, key: &str) -> Option<EventId> {
        let r = self.req(v, path, key)?;
        let p = format!("{path}.{key}.reference");
        match r.get("reference").and_then(Value::as_str).and_then(|s| s.strip_prefix("urn:uuid:")) {
            Some(u) => EventId::parse(u).map_err(|_| self.fail(&p, format!("{u:?} is not a UUID"))).ok(),
            None => {
                self.fail(&p, "must be a reference to an entry of this bundle (urn:uuid:...)");
                None
            }
        }
    }
    /// The one coding of a concept in a given system, parsed by a code set.
    fn coded<T: CodeSet>(&mut self, concept: Option<&Value>, path: &str, system: &str) -> Option<T> {
        let Some(concept) = concept else {
            self.fail(path, "is required");
            return None;
        };
        let codings = concept.get("coding").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        let Some((i, c)) =
            codings.iter().enumerate().find(|(_, c)| c.get("system").and_then(Value::as_str) == Some(system))
        else {
            self.fail(&format!("{path}.coding"), format!("needs a coding from {system}"));
            return None;
        };
        let code = c.get("code").and_then(Value::as_str).unwrap_or_default();
        T::parse_code(code).map_err(|e| self.fail(&format!("{path}.coding[{i}].code"), e.to_string())).ok()
    }
    fn extension<'a>(&mut self, v: &'a Value, url: &str) -> Vec<(usize, &'a Value)> {
        v.get("extension")
            .and_then(Value::as_array)
            .map(|a| a.iter().enumerate().filter(|(_, e)| e.get("url").and_then(Value::as_str) == Some(url)).collect())
            .unwrap_or_default()
    }
    /// The value (`valueString`, `valueBoolean`...) of the first of throughcare's own extensions
    /// of this name on an element.
    fn own<'a>(&mut self, v: &'a Value, name: &str, value: &str) -> Option<&'a Value> {
        self.extension(v, &tc("StructureDefinition", name)).first().and_then(|(_, x)| x.get(value))
    }
    /// A sub-extension's value (`valueCode`, `valueString`...) by its url.
    fn part<'a>(&mut self, ext: &'a Value, path: &str, url: &str, value: &str, required: bool) -> Option<&'a Value> {
        let found = ext
            .get("extension")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|e| e.get("url").and_then(Value::as_str) == Some(url)))
            .and_then(|e| e.get(value));
        if found.is_none() && required {
            self.fail(&format!("{path}.extension"), format!("needs {url} ({value})"));
        }
        found
    }
}

const STATUS_MEDICATION: &[&str] =
    &["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"];
const STATUS_QR: &[&str] = &["in-progress", "completed", "amended", "entered-in-error", "stopped"];
const STATUS_OBSERVATION: &[&str] =
    &["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"];
const STATUS_REQUEST: &[&str] = &["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"];
const INTENT_REQUEST: &[&str] = &[
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
];
const PRIORITY: &[&str] = &["routine", "urgent", "asap", "stat"];
const STATUS_EPISODE: &[&str] =
    &["planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"];
const STATUS_FLAG: &[&str] = &["active", "inactive", "entered-in-error"];
const STATUS_CAREPLAN: &[&str] = &["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"];
const INTENT_CAREPLAN: &[&str] = &["proposal", "plan", "order", "option"];
const STATUS_ACTIVITY: &[&str] = &[
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
];
const STATUS_CONSENT: &[&str] = &["draft", "proposed", "active", "rejected", "inactive", "entered-in-error"];
const PROVISION_TYPE: &[&str] = &["deny", "permit"];
const GENDER: &[&str] = &["male", "female", "other", "unknown"];
const BUNDLE_TYPE: &[&str] = &[
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
];
const ETHNIC_ENGLAND_CODES: &[&str] =
    &["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"];
const ETHNIC_WALES_CODES: &[&str] =
    &["A", "B", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "Z"];

/// Reads a bundle into a person and their events. Every problem is named by its FHIR path and the
/// bundle is refused whole if there is any: a wrong resource type, a missing required element, a
/// code outside its bound value set, an NHS number that fails its check digit, answers that do not
/// score to the score sent.
pub fn import(bundle: &Value, instruments: &InstrumentSet) -> Result<Imported, Vec<Problem>> {
    let mut r = Reader { problems: Vec::new() };
    let b = "Bundle";
    match bundle.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {}
        other => {
            return Err(vec![Problem::new(
                "resourceType",
                format!("expected Bundle, got {}", other.unwrap_or("nothing")),
            )]);
        }
    }
    r.code(bundle, b, "type", BUNDLE_TYPE, true);
    r.instant(bundle, b, "timestamp", false);
    let entries = r.array(bundle, b, "entry", true);
    let mut events: Vec<(EventId, Timestamp, EventKind)> = Vec::new();
    let mut person: Option<Person> = None;
    let mut patient_ref: Option<EventId> = None;
    let mut ids: BTreeMap<EventId, &str> = BTreeMap::new();
    // Resources by id, for references: which type each entry is.
    for (i, e) in entries.iter().enumerate() {
        let path = format!("Bundle.entry[{i}]");
        let Some(res) = r.req(e, &path, "resource") else { continue };
        let rt = res.get("resourceType").and_then(Value::as_str).unwrap_or("");
        let rpath = format!("{path}.resource");
        if !RESOURCE_TYPES.contains(&rt) {
            r.fail(
                &format!("{rpath}.resourceType"),
                format!("{rt:?} is not a resource a transfer record carries ({})", RESOURCE_TYPES.join(", ")),
            );
            continue;
        }
        if let Some(id) = r.string(res, &rpath, "id", true) {
            match EventId::parse(&id) {
                Ok(id) => {
                    if ids.insert(id, rt).is_some() {
                        r.fail(&format!("{rpath}.id"), format!("{id} appears twice"));
                    }
                    let full = e.get("fullUrl").and_then(Value::as_str);
                    if full != Some(urn(id).as_str()) {
                        r.fail(&format!("{path}.fullUrl"), format!("must be urn:uuid:{id}"));
                    }
                }
                Err(_) => r.fail(&format!("{rpath}.id"), "must be a UUID"),
            }
        }
    }
    let typed = |r: &mut Reader, id: Option<EventId>, path: &str, want: &str| -> Option<EventId> {
        let id = id?;
        match ids.get(&id) {
            Some(t) if *t == want => Some(id),
            Some(t) => {
                r.fail(path, format!("refers to a {t}, not a {want}"));
                None
            }
            None => {
                r.fail(path, "refers to nothing in this bundle");
                None
            }
        }
    };
    let patients: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.pointer("/resource/resourceType").and_then(Value::as_str) == Some("Patient"))
        .map(|(i, _)| i)
        .collect();
    if patients.len() != 1 {
        r.fail("Bundle.entry", format!("must hold exactly one Patient, holds {}", patients.len()));
    }
    for (i, e) in entries.iter().enumerate() {
        let path = format!("Bundle.entry[{i}].resource");
        let Some(res) = e.get("resource") else { continue };
        let rt = res.get("resourceType").and_then(Value::as_str).unwrap_or("");
        let id = res.get("id").and_then(Value::as_str).and_then(|s| EventId::parse(s).ok());
        let Some(id) = id else { continue };
        // Every resource but the patient is about the patient.
        let about = |r: &mut Reader, key: &str| {
            let got = r.reference(res, &path, key);
            let got = typed(r, got, &format!("{path}.{key}.reference"), "Patient");
            got.is_some()
        };
        match rt {
            "Patient" => {
                patient_ref = Some(id);
                person = read_patient(&mut r, res, &path, &mut events);
            }
            "RelatedPerson" => {
                about(&mut r, "patient");
            }
            "Consent" => {
                about(&mut r, "patient");
                read_consent(&mut r, res, &path, entries, &ids, &mut events);
            }
            "MedicationStatement" => {
                about(&mut r, "subject");
                r.code(res, &path, "status", STATUS_MEDICATION, true);
                let name = res.pointer("/medicationCodeableConcept/text").and_then(Value::as_str);
                if name.is_none() {
                    r.fail(&format!("{path}.medicationCodeableConcept.text"), "is required: the medicine's name");
                }
                let dose = res.pointer("/dosage/0/text").and_then(Value::as_str);
                if dose.is_none() {
                    r.fail(&format!("{path}.dosage[0].text"), "is required: the dose");
                }
                let at = r.instant(res, &path, "dateAsserted", true);
                let critical =
                    r.own(res, "critical-medicine", "valueBoolean").and_then(Value::as_bool).unwrap_or(false);
                let source = match r.extension(res, &tc("StructureDefinition", "medicine-source")).first() {
                    Some((j, x)) => {
                        MedicineSource::parse_code(x.get("valueCode").and_then(Value::as_str).unwrap_or(""))
                            .map_err(|e| r.fail(&format!("{path}.extension[{j}].valueCode"), e.to_string()))
                            .ok()
                    }
                    None => Some(MedicineSource::Prison),
                };
                if let (Some(name), Some(dose), Some(at), Some(source)) = (name, dose, at, source) {
                    push(
                        &mut r,
                        &mut events,
                        &path,
                        id,
                        at,
                        EventKind::MedicineReported { name: name.into(), dose: dose.into(), critical, source },
                    );
                }
            }
            "QuestionnaireResponse" => {
                about(&mut r, "subject");
                r.code(res, &path, "status", STATUS_QR, true);
                let at = r.instant(res, &path, "authored", true);
                let q = r.string(res, &path, "questionnaire", true);
                let prefix = format!("{}/", tc("Questionnaire", "").trim_end_matches('/'));
                let instrument = q.as_deref().and_then(|q| {
                    let parsed = q
                        .strip_prefix(&prefix)
                        .and_then(|rest| rest.split_once('|'))
                        .and_then(|(code, v)| Some((Instrument::parse_code(code).ok()?, v.parse::<u16>().ok()?)));
                    if parsed.is_none() {
                        r.fail(
                            &format!("{path}.questionnaire"),
                            format!("{q:?} is not a throughcare instrument ({prefix}CODE|VERSION)"),
                        );
                    }
                    parsed
                });
                let mut answers = Answers::new();
                for (j, item) in r.array(res, &path, "item", true).iter().enumerate() {
                    let ipath = format!("{path}.item[{j}]");
                    let Some(link) = r.string(item, &ipath, "linkId", true) else { continue };
                    let chosen = item.pointer("/answer/0/valueCoding/code").and_then(Value::as_str);
                    let not_asked = r.own(item, "not-asked", "valueString").and_then(Value::as_str);
                    let declined = r.own(item, "declined", "valueString").and_then(Value::as_str);
                    let answer = match (chosen, not_asked, declined) {
                        (Some(c), None, None) => Answer::Chosen(c.into()),
                        (None, Some(n), None) => Answer::NotAsked { not_asked: n.into() },
                        (None, None, Some(d)) => Answer::Declined { declined: d.into() },
                        _ => {
                            r.fail(
                                &format!("{ipath}.answer"),
                                "needs one answer (valueCoding), or why it was not asked or was declined",
                            );
                            continue;
                        }
                    };
                    answers.insert(link, answer);
                }
                if let (Some(at), Some((instrument, version))) = (at, instrument) {
                    match instruments.rescore(instrument, version, answers) {
                        Ok(kind) => push(&mut r, &mut events, &path, id, at, kind),
                        Err(e) => r.fail(&format!("{path}.item"), e),
                    }
                }
            }
            "Observation" => {
                about(&mut r, "subject");
                r.code(res, &path, "status", STATUS_OBSERVATION, true);
                r.req(res, &path, "code");
                r.instant(res, &path, "effectiveDateTime", true);
                let from = res.pointer("/derivedFrom/0");
                let qr = match from {
                    Some(f) => {
                        let got = r.reference(&json!({ "d": f }), &format!("{path}.derivedFrom[0]"), "d");
                        typed(&mut r, got, &format!("{path}.derivedFrom[0].reference"), "QuestionnaireResponse")
                    }
                    None => {
                        r.fail(&format!("{path}.derivedFrom"), "a score must name the answers it came from");
                        None
                    }
                };
                if res.get("valueInteger").and_then(Value::as_u64).is_none() {
                    r.fail(&format!("{path}.valueInteger"), "is required: the total score");
                }
                if let Some(qr) = qr {
                    if id != qr.derived("score") {
                        r.fail(
                            &format!("{path}.id"),
                            format!("must be {} (derived from the answers' id)", qr.derived("score")),
                        );
                    }
                }
            }
            "ServiceRequest" => {
                about(&mut r, "subject");
                let status = r.code(res, &path, "status", STATUS_REQUEST, true);
                if let Some(s) = status.filter(|s| !["active", "completed"].contains(s)) {
                    r.fail(
                        &format!("{path}.status"),
                        format!("a transfer carries open or completed referrals, not {s:?}"),
                    );
                }
                r.code(res, &path, "intent", INTENT_REQUEST, true);
                let p = r.code(res, &path, "priority", PRIORITY, false).map_or(Some(Priority::Routine), priority_from);
                let service =
                    r.coded::<Service>(res.get("code"), &format!("{path}.code"), &tc("CodeSystem", "service"));
                let at = r.instant(res, &path, "authoredOn", true);
                let self_referral = match res.get("requester") {
                    None => false,
                    Some(_) => {
                        let got = r.reference(res, &path, "requester");
                        typed(&mut r, got, &format!("{path}.requester.reference"), "Patient").is_some()
                    }
                };
                let reason = res.pointer("/reasonCode/0/text").and_then(Value::as_str).map(str::to_string);
                if let (Some(priority), Some(service), Some(at)) = (p, service, at) {
                    push(
                        &mut r,
                        &mut events,
                        &path,
                        id,
                        at,
                        EventKind::ReferralMade { service, priority, self_referral, reason },
                    );
                }
            }
            "EpisodeOfCare" => {
                about(&mut r, "patient");
                let status = r.code(res, &path, "status", STATUS_EPISODE, true);
                let start = match res.get("period") {
                    Some(p) => r.instant(p, &format!("{path}.period"), "start", true),
                    None => {
                        r.fail(&format!("{path}.period.start"), "is required");
                        None
                    }
                };
                let end = res.get("period").and_then(|p| r.instant(p, &format!("{path}.period"), "end", false));
                if status == Some("finished") && end.is_none() {
                    r.fail(&format!("{path}.period.end"), "a finished episode needs its end");
                }
                let referral = match res.pointer("/referralRequest/0") {
                    Some(f) => {
                        let got = r.reference(&json!({ "d": f }), &format!("{path}.referralRequest[0]"), "d");
                        typed(&mut r, got, &format!("{path}.referralRequest[0].reference"), "ServiceRequest")
                    }
                    None => {
                        r.fail(&format!("{path}.referralRequest"), "is required: the referral the caseload began from");
                        None
                    }
                };
                if let (Some(referral), Some(start)) = (referral, start) {
                    push(&mut r, &mut events, &path, id, start, EventKind::ReferralAccepted { referral });
                    if let Some(end) = end {
                        push(
                            &mut r,
                            &mut events,
                            &path,
                            id.derived("finished"),
                            end,
                            EventKind::ReferralDischarged { referral },
                        );
                    }
                }
            }
            "Flag" => {
                about(&mut r, "subject");
                r.code(res, &path, "status", STATUS_FLAG, true);
                let code = res.pointer("/code/coding/0/code").and_then(Value::as_str);
                if code != Some("ACCT_OPEN") {
                    r.fail(&format!("{path}.code"), "the flags a transfer carries: ACCT_OPEN");
                }
                let start = res.get("period").and_then(|p| r.instant(p, &format!("{path}.period"), "start", true));
                if res.get("period").is_none() {
                    r.fail(&format!("{path}.period.start"), "is required");
                }
                if let Some(start) = start {
                    push(
                        &mut r,
                        &mut events,
                        &path,
                        id,
                        start,
                        EventKind::AcctOpened { concern: None, immediate_action: None },
                    );
                }
            }
            "CarePlan" => {
                about(&mut r, "subject");
                r.code(res, &path, "status", STATUS_CAREPLAN, true);
                r.code(res, &path, "intent", INTENT_CAREPLAN, true);
                let category = res.pointer("/category/0/coding/0/code").and_then(Value::as_str);
                match category {
                    Some("ACCT") => read_acct_plan(&mut r, res, &path, id, &typed, &mut events),
                    Some("RELEASE_PLAN") => read_release_plan(&mut r, res, &path, id, &mut events),
                    _ => r.fail(&format!("{path}.category"), "the care plans a transfer carries: ACCT, RELEASE_PLAN"),
                }
            }
            _ => {}
        }
    }
    if let (Some(p), Some(id)) = (&person, patient_ref) {
        if id != patient_id(&p.prison_number) {
            let want = patient_id(&p.prison_number);
            r.fail(
                &format!("Bundle.entry[{}].resource.id", patients[0]),
                format!("must be {want} (derived from the prison number)"),
            );
        }
    }
    match person {
        Some(person) if r.problems.is_empty() => {
            events.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
            Ok(Imported { person, events })
        }
        _ => Err(r.problems),
    }
}

fn push(
    r: &mut Reader,
    events: &mut Vec<(EventId, Timestamp, EventKind)>,
    path: &str,
    id: EventId,
    at: Timestamp,
    kind: EventKind,
) {
    match kind.check() {
        Ok(()) => events.push((id, at, kind)),
        Err(e) => r.fail(path, e),
    }
}

fn read_patient(
    r: &mut Reader,
    res: &Value,
    path: &str,
    events: &mut Vec<(EventId, Timestamp, EventKind)>,
) -> Option<Person> {
    let mut prison_number = None;
    let mut nhs_number = None;
    for (j, ident) in r.array(res, path, "identifier", true).iter().enumerate() {
        let ipath = format!("{path}.identifier[{j}]");
        let system = ident.get("system").and_then(Value::as_str).unwrap_or("");
        let value = ident.get("value").and_then(Value::as_str).unwrap_or("");
        if system == NHS_NUMBER {
            nhs_number = NhsNumber::parse(value).map_err(|e| r.fail(&format!("{ipath}.value"), e.to_string())).ok();
        } else if system == prison_number_system() {
            prison_number =
                PrisonNumber::parse(value).map_err(|e| r.fail(&format!("{ipath}.value"), e.to_string())).ok();
        }
    }
    if prison_number.is_none() && !r.problems.iter().any(|p| p.path.starts_with(&format!("{path}.identifier"))) {
        r.fail(&format!("{path}.identifier"), format!("needs the prison number (system {})", prison_number_system()));
    }
    let name = res.pointer("/name/0");
    let family = name.and_then(|n| n.get("family")).and_then(Value::as_str).map(Name::parse);
    let given = name.and_then(|n| n.pointer("/given/0")).and_then(Value::as_str).map(Name::parse);
    let family = match family {
        Some(Ok(n)) => Some(n),
        _ => {
            r.fail(&format!("{path}.name[0].family"), "is required");
            None
        }
    };
    let given = match given {
        Some(Ok(n)) => Some(n),
        _ => {
            r.fail(&format!("{path}.name[0].given[0]"), "is required");
            None
        }
    };
    r.code(res, path, "gender", GENDER, false);
    let dob = r
        .string(res, path, "birthDate", true)
        .and_then(|d| parse_date(&d).map_err(|e| r.fail(&format!("{path}.birthDate"), e)).ok());
    let pn = prison_number.clone()?;
    for (j, ext) in r.extension(res, &tc("StructureDefinition", "declared-characteristic")) {
        let epath = format!("{path}.extension[{j}]");
        let c = r.part(ext, &epath, "characteristic", "valueCode", true).and_then(Value::as_str);
        let v = r.part(ext, &epath, "value", "valueCode", true).and_then(Value::as_str);
        let detail = r.part(ext, &epath, "detail", "valueString", false).and_then(Value::as_str).map(str::to_string);
        let at = r.part(ext, &epath, "declared", "valueDateTime", true).and_then(Value::as_str);
        let at = at.and_then(|s| parse_instant(s).map_err(|e| r.fail(&format!("{epath}.extension"), e)).ok());
        if let (Some(c), Some(v), Some(at)) = (c, v, at) {
            match Declaration::parse(c, v, detail) {
                Ok(d) => events.push((
                    EventId::named(&format!("{pn}/declared/{j}")),
                    at,
                    EventKind::CharacteristicDeclared(d),
                )),
                Err(e) => r.fail(&format!("{epath}.extension"), e),
            }
        }
    }
    for (j, ext) in r.extension(res, ETHNIC_EXTENSION) {
        let epath = format!("{path}.extension[{j}].valueCodeableConcept.coding[0]");
        let system = ext.pointer("/valueCodeableConcept/coding/0/system").and_then(Value::as_str).unwrap_or("");
        let code = ext.pointer("/valueCodeableConcept/coding/0/code").and_then(Value::as_str).unwrap_or("");
        let set = match system {
            ETHNIC_ENGLAND => ETHNIC_ENGLAND_CODES,
            ETHNIC_WALES => ETHNIC_WALES_CODES,
            _ => {
                r.fail(
                    &format!("{epath}.system"),
                    "must be UKCore-EthnicCategoryEngland or UKCore-EthnicCategoryWales",
                );
                continue;
            }
        };
        if !set.contains(&code) {
            r.fail(&format!("{epath}.code"), format!("{code:?} is not in {system}"));
        }
    }
    for (j, ext) in r.extension(res, RELIGION_EXTENSION) {
        let epath = format!("{path}.extension[{j}].valueCodeableConcept");
        let own = tc("CodeSystem", "religion");
        let coding = ext.pointer("/valueCodeableConcept/coding/0");
        if coding.and_then(|c| c.get("system")).and_then(Value::as_str) == Some(own.as_str()) {
            let code = coding.and_then(|c| c.get("code")).and_then(Value::as_str).unwrap_or("");
            if Declaration::parse("religion", code, None).is_err() {
                r.fail(&format!("{epath}.coding[0].code"), format!("{code:?} is not a religion or belief code"));
            }
        }
    }
    if let Some((j, ext)) = r.extension(res, &tc("StructureDefinition", "communication-needs")).first().copied() {
        let epath = format!("{path}.extension[{j}]");
        let parts = ext.get("extension").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        let mut formats = Vec::new();
        for p in parts.iter().filter(|p| p.get("url").and_then(Value::as_str) == Some("format")) {
            match Format::parse_code(p.get("valueCode").and_then(Value::as_str).unwrap_or("")) {
                Ok(f) => formats.push(f),
                Err(e) => r.fail(&format!("{epath}.extension"), e.to_string()),
            }
        }
        let flag = |r: &mut Reader, url: &str| {
            r.part(ext, &epath, url, "valueBoolean", true).and_then(Value::as_bool).unwrap_or(false)
        };
        let (interpreter, literacy_support, learning_disability, neurodivergent) = (
            flag(r, "interpreter"),
            flag(r, "literacy-support"),
            flag(r, "learning-disability"),
            flag(r, "neurodivergent"),
        );
        let at = r.part(ext, &epath, "recorded", "valueDateTime", true).and_then(Value::as_str);
        let at = at.and_then(|s| parse_instant(s).map_err(|e| r.fail(&format!("{epath}.extension"), e)).ok());
        let language = res.pointer("/communication/0/language/coding/0/code").and_then(Value::as_str).unwrap_or("en");
        let language =
            Language::parse(language).map_err(|e| r.fail(&format!("{path}.communication[0].language"), e)).ok();
        if let (Some(at), Some(language)) = (at, language) {
            let profile = CommunicationProfile {
                formats,
                language,
                interpreter,
                literacy_support,
                learning_disability,
                neurodivergent,
            };
            push(
                r,
                events,
                &epath,
                EventId::named(&format!("{pn}/communication")),
                at,
                EventKind::CommunicationRecorded(profile),
            );
        }
    }
    Some(Person { prison_number: pn, given_name: given?, family_name: family?, date_of_birth: dob?, nhs_number })
}

fn read_consent(
    r: &mut Reader,
    res: &Value,
    path: &str,
    entries: &[Value],
    ids: &BTreeMap<EventId, &str>,
    events: &mut Vec<(EventId, Timestamp, EventKind)>,
) {
    r.code(res, path, "status", STATUS_CONSENT, true);
    r.req(res, path, "scope");
    r.array(res, path, "category", true);
    let at = r.instant(res, path, "dateTime", true);
    let Some(provision) = r.req(res, path, "provision") else { return };
    let ppath = format!("{path}.provision");
    r.code(provision, &ppath, "type", PROVISION_TYPE, true);
    let actor = provision.pointer("/actor/0");
    let Some(actor) = actor else {
        r.fail(&format!("{ppath}.actor"), "is required: the family member it is about");
        return;
    };
    if actor.get("role").is_none() {
        r.fail(&format!("{ppath}.actor[0].role"), "is required");
    }
    let who = r.reference(actor, &format!("{ppath}.actor[0]"), "reference");
    let Some(who) = who else { return };
    if ids.get(&who) != Some(&"RelatedPerson") {
        r.fail(&format!("{ppath}.actor[0].reference.reference"), "must refer to a RelatedPerson in this bundle");
        return;
    }
    let related = entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .find(|x| x.get("id").and_then(Value::as_str) == Some(&who.to_string()));
    let Some(related) = related else { return };
    let name = related.pointer("/name/0/text").and_then(Value::as_str);
    let relationship = related.pointer("/relationship/0/text").and_then(Value::as_str);
    if name.is_none() || relationship.is_none() {
        r.fail(&format!("{ppath}.actor[0].reference"), "the RelatedPerson needs name[0].text and relationship[0].text");
        return;
    }
    let birthday = related.get("birthDate").and_then(Value::as_str).and_then(|d| parse_date(d).ok());
    let mut involvement = None;
    let mut told = None;
    for (k, p) in
        provision.get("provision").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]).iter().enumerate()
    {
        let kpath = format!("{ppath}.provision[{k}]");
        let kind = r.code(p, &kpath, "type", PROVISION_TYPE, true);
        let system = p.pointer("/code/0/coding/0/system").and_then(Value::as_str).unwrap_or("");
        let code = p.pointer("/code/0/coding/0/code").and_then(Value::as_str).unwrap_or("");
        if system == tc("CodeSystem", "family-involvement") {
            involvement = FamilyInvolvement::parse_code(code)
                .map_err(|e| r.fail(&format!("{kpath}.code[0].coding[0].code"), e.to_string()))
                .ok();
        } else if system == tc("CodeSystem", "family-permission") && code == "TOLD_OF_TRANSFER" {
            told = kind.map(|k| k == "permit");
        }
    }
    let Some(involvement) = involvement else {
        r.fail(&format!("{ppath}.provision"), "needs the family involvement the person chose");
        return;
    };
    let contact = FamilyContact {
        name: name.unwrap_or_default().into(),
        relationship: relationship.unwrap_or_default().into(),
        involvement,
        told_of_transfer: told.unwrap_or(false),
        birthday,
    };
    if let Err(e) = contact.validate() {
        r.fail(&format!("{ppath}.actor[0].reference"), e);
        return;
    }
    if let Some(at) = at {
        push(r, events, path, who, at, EventKind::FamilyContactNamed(contact));
    }
}

fn read_acct_plan(
    r: &mut Reader,
    res: &Value,
    path: &str,
    id: EventId,
    typed: &dyn Fn(&mut Reader, Option<EventId>, &str, &str) -> Option<EventId>,
    events: &mut Vec<(EventId, Timestamp, EventKind)>,
) {
    let acct = match res.pointer("/supportingInfo/0") {
        Some(f) => {
            let got = r.reference(&json!({ "d": f }), &format!("{path}.supportingInfo[0]"), "d");
            typed(r, got, &format!("{path}.supportingInfo[0].reference"), "Flag")
        }
        None => {
            r.fail(&format!("{path}.supportingInfo"), "an ACCT care plan names its ACCT (the Flag)");
            None
        }
    };
    for (j, a) in r.array(res, path, "activity", true).iter().enumerate() {
        let apath = format!("{path}.activity[{j}].detail");
        let Some(d) = a.get("detail") else {
            r.fail(&apath, "is required");
            continue;
        };
        let status = r.code(d, &apath, "status", STATUS_ACTIVITY, true);
        let issue = d.pointer("/code/text").and_then(Value::as_str);
        let action = r.string(d, &apath, "description", true);
        let due = r
            .string(d, &apath, "scheduledString", true)
            .and_then(|s| parse_date(&s).map_err(|e| r.fail(&format!("{apath}.scheduledString"), e)).ok());
        let owner = d.pointer("/performer/0/display").and_then(Value::as_str);
        let goal = r.own(d, "goal", "valueString").and_then(Value::as_str);
        let at = r.own(d, "recorded", "valueDateTime").and_then(Value::as_str).and_then(|s| parse_instant(s).ok());
        if issue.is_none() || owner.is_none() || goal.is_none() || at.is_none() {
            r.fail(&apath, "an ACCT action needs code.text (the issue), performer[0].display (the owner), the goal and recorded extensions");
            continue;
        }
        let done = a.pointer("/progress/0/time").and_then(Value::as_str).and_then(|s| parse_instant(s).ok());
        if status == Some("completed") && done.is_none() {
            r.fail(&format!("{path}.activity[{j}].progress[0].time"), "a completed action needs when it was done");
        }
        let (Some(acct), Some(action), Some(due), Some(at)) = (acct, action, due, at) else { continue };
        let action_id = id.derived(&format!("activity/{j}"));
        push(
            r,
            events,
            &apath,
            action_id,
            at,
            EventKind::AcctCarePlanAction {
                acct,
                issue: issue.unwrap_or_default().into(),
                goal: goal.unwrap_or_default().into(),
                action,
                owner: owner.unwrap_or_default().into(),
                due,
            },
        );
        if let (Some("completed"), Some(done)) = (status, done) {
            push(
                r,
                events,
                &apath,
                action_id.derived("done"),
                done,
                EventKind::AcctCarePlanActionDone { action: action_id },
            );
        }
    }
}

fn read_release_plan(
    r: &mut Reader,
    res: &Value,
    path: &str,
    id: EventId,
    events: &mut Vec<(EventId, Timestamp, EventKind)>,
) {
    for (j, a) in r.array(res, path, "activity", true).iter().enumerate() {
        let apath = format!("{path}.activity[{j}]");
        let Some(d) = a.get("detail") else {
            r.fail(&format!("{apath}.detail"), "is required");
            continue;
        };
        let status = r.code(d, &format!("{apath}.detail"), "status", STATUS_ACTIVITY, true);
        let item = r.coded::<ReleasePlanItem>(
            d.get("code"),
            &format!("{apath}.detail.code"),
            &tc("CodeSystem", "release-plan-item"),
        );
        let Some(item) = item else { continue };
        let mut completed = false;
        for (k, p) in r.array(a, &apath, "progress", true).iter().enumerate() {
            let ppath = format!("{apath}.progress[{k}]");
            let at = r.instant(p, &ppath, "time", true);
            let text = r.string(p, &ppath, "text", true);
            let (Some(at), Some(text)) = (at, text) else { continue };
            let eid = id.derived(&format!("{}/{k}", item.code()));
            if text == "Done" && status == Some("completed") && !completed {
                completed = true;
                push(r, events, &ppath, eid, at, EventKind::ReleasePlanItemCompleted { item });
            } else {
                push(r, events, &ppath, eid, at, EventKind::ReleasePlanItemNoted { item, note: text });
            }
        }
        if status == Some("completed") && !completed {
            r.fail(&format!("{apath}.progress"), "a completed item needs a progress note \"Done\" with its time");
        }
    }
}

#[cfg(test)]
mod tests;
