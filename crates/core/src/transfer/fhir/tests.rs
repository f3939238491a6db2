//! The FHIR bundle: what it carries, its codes, a round trip that gives the same bundle, and
//! malformed bundles refused whole with each problem at its FHIR path.

use serde_json::{Value, json};

use super::*;
use crate::Event;
use crate::ids::StaffRef;
use crate::transfer::tests::{at, person, timeline};

fn bundle() -> Value {
    export(&person(), &timeline(), at("2026-12-01T08:00:00Z"))
}

fn resources<'a>(b: &'a Value, rt: &str) -> Vec<&'a Value> {
    b["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == rt).collect()
}

/// Imported events as a timeline, as a store would append them.
fn timeline_of(i: &Imported) -> Timeline {
    Timeline::new(
        i.events
            .iter()
            .map(|(id, t, k)| Event {
                id: *id,
                person: i.person.prison_number.clone(),
                occurred_at: *t,
                recorded_at: at("2026-12-02T09:00:00Z"),
                recorded_by: StaffRef::parse("reception.officer").unwrap(),
                correction: None,
                kind: k.clone(),
            })
            .collect(),
    )
}

#[test]
fn the_bundle_carries_the_person_and_their_care_with_uk_core_codes() {
    let b = bundle();
    assert_eq!(b["type"], "collection");
    let p = resources(&b, "Patient")[0];
    assert_eq!(p["meta"]["profile"][0], "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient");
    assert_eq!(p["identifier"][0]["system"], NHS_NUMBER);
    assert_eq!(p["identifier"][0]["value"], "9434765919");
    assert_eq!(p["gender"], "female");
    // Gypsy or Irish Traveller (W3) travels as itself, and as UK Core's lossy C.
    let ext = p["extension"].as_array().unwrap();
    let declared = ext.iter().find(|e| e["extension"][0]["valueCode"] == "ethnicity").unwrap();
    assert_eq!(declared["extension"][1]["valueCode"], "W3");
    let uk = ext.iter().find(|e| e["url"] == ETHNIC_EXTENSION).unwrap();
    assert_eq!(uk["valueCodeableConcept"]["coding"][0]["code"], "C");
    assert_eq!(uk["valueCodeableConcept"]["coding"][0]["system"], ETHNIC_ENGLAND);
    let score = resources(&b, "Observation")[0];
    let codes: Vec<&str> =
        score["code"]["coding"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes[..2], ["44261-6", "720433000"]);
    assert_eq!(score["valueInteger"], 7);
    assert_eq!(resources(&b, "MedicationStatement")[0]["medicationCodeableConcept"]["text"], "Sertraline");
    assert_eq!(resources(&b, "Flag")[0]["code"]["coding"][0]["code"], "ACCT_OPEN");
    let requests = resources(&b, "ServiceRequest");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["priority"], "urgent");
    assert!(requests[1]["requester"]["reference"].as_str().unwrap().starts_with("urn:uuid:"), "a self-referral");
    assert_eq!(resources(&b, "EpisodeOfCare")[0]["status"], "active");
    let plans = resources(&b, "CarePlan");
    assert_eq!(plans.len(), 2, "the ACCT care plan and the release plan");
    let consent = resources(&b, "Consent")[0];
    assert_eq!(consent["provision"]["provision"][1]["type"], "permit", "may be told of a transfer");
}

#[test]
fn export_import_export_gives_the_same_bundle() {
    let b = bundle();
    let imported = import(&b, InstrumentSet::builtin_ref()).unwrap();
    assert_eq!(imported.person, person());
    let again = export(&imported.person, &timeline_of(&imported), at("2026-12-01T08:00:00Z"));
    assert_eq!(serde_json::to_string_pretty(&again).unwrap(), serde_json::to_string_pretty(&b).unwrap());
}

fn problems(b: &Value) -> Vec<String> {
    import(b, InstrumentSet::builtin_ref()).unwrap_err().iter().map(ToString::to_string).collect()
}

fn entry_of(b: &Value, rt: &str) -> usize {
    b["entry"].as_array().unwrap().iter().position(|e| e["resource"]["resourceType"] == rt).unwrap()
}

#[test]
fn a_malformed_bundle_is_refused_whole_naming_each_problem_by_its_path() {
    let mut b = bundle();
    let (p, m, s, f) = (
        entry_of(&b, "Patient"),
        entry_of(&b, "MedicationStatement"),
        entry_of(&b, "ServiceRequest"),
        entry_of(&b, "Flag"),
    );
    b["entry"][p]["resource"]["identifier"][0]["value"] = json!("9434765918");
    b["entry"][m]["resource"]["status"] = json!("taken");
    b["entry"][s]["resource"].as_object_mut().unwrap().remove("authoredOn");
    b["entry"][f]["resource"]["resourceType"] = json!("Encounter");
    let got = problems(&b);
    let want = [
        format!("Bundle.entry[{p}].resource.identifier[0].value: "),
        format!("Bundle.entry[{m}].resource.status: \"taken\" is not in the value set"),
        format!("Bundle.entry[{s}].resource.authoredOn: is required"),
        format!("Bundle.entry[{f}].resource.resourceType: \"Encounter\" is not a resource a transfer record carries"),
    ];
    for w in want {
        assert!(got.iter().any(|g| g.starts_with(&w)), "{w} not in {got:#?}");
    }
}

#[test]
fn unknown_codes_and_scores_that_do_not_match_their_answers_are_refused() {
    let mut b = bundle();
    let p = entry_of(&b, "Patient");
    let ext = b["entry"][p]["resource"]["extension"].as_array_mut().unwrap();
    let uk = ext.iter_mut().find(|e| e["url"] == ETHNIC_EXTENSION).unwrap();
    uk["valueCodeableConcept"]["coding"][0]["code"] = json!("Q");
    let q = entry_of(&b, "QuestionnaireResponse");
    b["entry"][q]["resource"]["item"][0]["answer"][0]["valueCoding"]["code"] = json!("7");
    let s = entry_of(&b, "ServiceRequest");
    b["entry"][s]["resource"]["code"]["coding"][0]["code"] = json!("ASTROLOGY");
    let got = problems(&b).join("\n");
    assert!(got.contains("\"Q\" is not in https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"), "{got}");
    assert!(got.contains(&format!("Bundle.entry[{q}].resource.item: the answers cannot be scored")), "{got}");
    assert!(got.contains(&format!("Bundle.entry[{s}].resource.code.coding[0].code")), "{got}");
}

#[test]
fn structure_problems_are_named_too() {
    assert_eq!(problems(&json!({ "resourceType": "Patient" })), ["resourceType: expected Bundle, got Patient"]);
    let got = problems(&json!({ "resourceType": "Bundle", "type": "pile", "entry": [] })).join("\n");
    assert!(got.contains("Bundle.type: \"pile\" is not in the value set"), "{got}");
    assert!(got.contains("Bundle.entry: is required"), "{got}");
    let mut b = bundle();
    let e = entry_of(&b, "EpisodeOfCare");
    let f = entry_of(&b, "Flag");
    let flag = b["entry"][f]["fullUrl"].clone();
    b["entry"][e]["resource"]["referralRequest"][0]["reference"] = flag;
    let got = problems(&b).join("\n");
    assert!(
        got.contains(&format!(
            "Bundle.entry[{e}].resource.referralRequest[0].reference: refers to a Flag, not a ServiceRequest"
        )),
        "{got}"
    );
}

/// Arbitrary damage to a good bundle never panics and never half-imports: the importer returns
/// a whole person and events, or problems.
#[test]
fn damaged_bundles_never_panic() {
    let good = bundle();
    let text = serde_json::to_string(&good).unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut refused = 0;
    for _ in 0..400 {
        let mut v = good.clone();
        // Drop, retype or null one element somewhere in the tree.
        let paths = leaf_paths(&v, String::new());
        let path = &paths[(next() % paths.len() as u64) as usize];
        match next() % 3 {
            0 => *v.pointer_mut(path).unwrap() = Value::Null,
            1 => *v.pointer_mut(path).unwrap() = json!(12),
            _ => *v.pointer_mut(path).unwrap() = json!("x"),
        }
        if import(&v, InstrumentSet::builtin_ref()).is_err() {
            refused += 1;
        }
    }
    assert!(refused > 200, "most damage is noticed: {refused} of 400");
    let _ = text;
}

fn leaf_paths(v: &Value, at: String) -> Vec<String> {
    match v {
        Value::Object(m) => m.iter().flat_map(|(k, x)| leaf_paths(x, format!("{at}/{k}"))).collect(),
        Value::Array(a) => a.iter().enumerate().flat_map(|(i, x)| leaf_paths(x, format!("{at}/{i}"))).collect(),
        _ => vec![at],
    }
}
