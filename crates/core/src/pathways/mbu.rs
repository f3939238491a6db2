//! Mother and Baby Units: who meets the criterion (pregnant, or a child under 18 months in the
//! community, from the child's date of birth where it is recorded) and which steps may be recorded.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::characteristics::{Characteristic, Declaration, Declared};
use crate::event::{Event, EventKind, MbuOutcome};
use crate::ids::{EstablishmentCode, EventId, StaffRef};
use crate::time::date_in_england;
use crate::timeline::{PersonState, Timeline};

/// The age up to which a child in the community makes the mother eligible for an MBU place.
pub const CRITERION_MONTHS: i8 = 18;

/// Whether a child born on `date_of_birth` is under 18 months old on `on`: the day the child
/// turns 18 months, the criterion no longer holds.
pub fn under_18_months(date_of_birth: Date, on: Date) -> bool {
    date_of_birth <= on
        && date_of_birth
            .checked_add(jiff::Span::new().months(CRITERION_MONTHS))
            .is_ok_and(|eighteen_months| on < eighteen_months)
}

/// The day a child turns 18 months: the MBU criterion no longer holds from then.
pub fn eighteen_months(date_of_birth: Date) -> Option<Date> {
    date_of_birth.checked_add(jiff::Span::new().months(CRITERION_MONTHS)).ok()
}

/// Pregnant, as declared at `at`.
pub fn pregnant(state: &PersonState, at: Timestamp) -> bool {
    matches!(
        state.characteristics.as_at(Characteristic::PregnancyMaternity, at),
        Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) if pm.pregnant
    )
}

/// A child under 18 months in the community on `at`'s day: from the children's recorded dates of
/// birth when any is recorded (a declaration goes out of date as the child grows), else as declared.
pub fn child_under_18_months(state: &PersonState, at: Timestamp) -> bool {
    if state.children.is_empty() {
        matches!(
            state.characteristics.as_at(Characteristic::PregnancyMaternity, at),
            Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) if pm.child_under_18_months_in_community
        )
    } else {
        let today = date_in_england(at);
        state.children.iter().any(|dob| under_18_months(*dob, today))
    }
}

/// Where a woman's MBU application stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    NotApplied,
    Applied {
        id: EventId,
        at: Timestamp,
    },
    Decided {
        id: EventId,
        at: Timestamp,
        outcome: MbuOutcome,
    },
    /// She appealed a refusal; the appeal waits for its decision.
    Appealed {
        id: EventId,
        at: Timestamp,
    },
    AppealDecided {
        at: Timestamp,
        outcome: MbuOutcome,
    },
}

impl Stage {
    /// A refusal she may still appeal.
    pub fn appealable(&self) -> Option<EventId> {
        match self {
            Stage::Decided { id, outcome: MbuOutcome::Refused, .. } => Some(*id),
            _ => None,
        }
    }

    /// A place approved, first time or on appeal.
    pub fn approved(&self) -> bool {
        matches!(
            self,
            Stage::Decided { outcome: MbuOutcome::Approved, .. }
                | Stage::AppealDecided { outcome: MbuOutcome::Approved, .. }
        )
    }
}

/// A woman on a Mother and Baby Unit: which, since when, and whether temporarily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub unit: EstablishmentCode,
    pub temporary: bool,
    pub at: Timestamp,
}

/// A woman's MBU pathway in her current stay: why she qualifies, and each step so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MbuCase {
    pub qualifies: bool,
    pub pregnant: bool,
    /// Recorded children under 18 months today, each with the day they turn 18 months.
    pub young_children: Vec<(Date, Date)>,
    pub booklet: Option<Timestamp>,
    pub visits: Vec<(Timestamp, StaffRef)>,
    pub visits_asked: Vec<Timestamp>,
    /// Her named MBU officer in this stay, if one has been named.
    pub named_officer: Option<StaffRef>,
    pub stage: Stage,
    /// On a unit now, if she is.
    pub admitted: Option<Admission>,
    pub separation_plan: Option<Timestamp>,
}

/// The MBU pathway of a woman in custody at `now`, for her current stay (her application across
/// transfers): None when she is not in custody, or neither qualifies nor has any MBU step.
pub fn case(timeline: &Timeline, now: Timestamp) -> Option<MbuCase> {
    let state = timeline.state_at(now);
    let since = state.current_episode()?.received_at;
    // Her application, its decision and any admission follow her between prisons; the booklet
    // and the MBU officer's visits are each prison's own (the receiving officer visits again).
    let mut custody_since = since;
    for pair in state.episodes.windows(2).rev() {
        let moved = matches!(pair[0].ended, Some((_, crate::timeline::EpisodeEnd::TransferredOut(_))));
        if pair[1].received_at == custody_since
            && pair[1].reception_type == crate::event::ReceptionType::TransferIn
            && moved
        {
            custody_since = pair[0].received_at;
        } else {
            break;
        }
    }
    let today = date_in_england(now);
    let female = state.characteristics.code_at(Characteristic::Sex, now) == "F";
    let pregnant = pregnant(&state, now);
    let qualifies = female && (pregnant || child_under_18_months(&state, now));
    let mut c = MbuCase {
        qualifies,
        pregnant,
        young_children: state
            .children
            .iter()
            .filter(|dob| under_18_months(**dob, today))
            .filter_map(|dob| Some((*dob, eighteen_months(*dob)?)))
            .collect(),
        booklet: None,
        visits: vec![],
        visits_asked: vec![],
        named_officer: None,
        stage: Stage::NotApplied,
        admitted: None,
        separation_plan: None,
    };
    let mut any_step = false;
    for e in timeline.live().filter(|e| e.occurred_at >= custody_since && e.occurred_at <= now) {
        let at = e.occurred_at;
        let this_prison = e.occurred_at >= since;
        match &e.kind {
            EventKind::MbuBookletGiven { .. }
            | EventKind::MbuOfficerVisit { .. }
            | EventKind::MbuVisitRequested {}
            | EventKind::MbuOfficerNamed { .. }
                if !this_prison =>
            {
                continue;
            }
            EventKind::MbuBookletGiven { .. } => {
                c.booklet.get_or_insert(at);
            }
            EventKind::MbuOfficerVisit { officer } => c.visits.push((at, officer.clone())),
            EventKind::MbuVisitRequested {} => c.visits_asked.push(at),
            EventKind::MbuOfficerNamed { officer } => c.named_officer = Some(officer.clone()),
            EventKind::MbuApplicationMade {} => c.stage = Stage::Applied { id: e.id, at },
            EventKind::MbuDecision { outcome, .. } => c.stage = Stage::Decided { id: e.id, at, outcome: *outcome },
            EventKind::MbuAppealMade { .. } => c.stage = Stage::Appealed { id: e.id, at },
            EventKind::MbuAppealDecided { outcome, .. } => c.stage = Stage::AppealDecided { at, outcome: *outcome },
            EventKind::MbuAdmitted { unit, temporary } => {
                c.admitted = Some(Admission { unit: unit.clone(), temporary: *temporary, at })
            }
            EventKind::MbuLeft {} => c.admitted = None,
            EventKind::MbuSeparationPlanAgreed {} => c.separation_plan = Some(at),
            _ => continue,
        }
        any_step = true;
    }
    (qualifies || any_step).then_some(c)
}

/// Whether an MBU step may be recorded next; the reason names the field. Each step answers the
/// one before it: a decision an application, an appeal a refusal, an appeal's decision the appeal.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let stage = || case(timeline, event.occurred_at).map_or(Stage::NotApplied, |c| c.stage);
    match &event.kind {
        EventKind::ChildRecorded { date_of_birth } if *date_of_birth > date_in_england(event.occurred_at) => {
            Err("date_of_birth: a child's date of birth cannot be after the day it is recorded".into())
        }
        EventKind::MbuDecision { application, board_on, .. } => match stage() {
            Stage::Applied { id, at } if id == *application => match board_on {
                Some(d) if *d < date_in_england(at) || *d > date_in_england(event.occurred_at) => {
                    Err("board_on: the board meets after the application and by the day of the decision".into())
                }
                _ => Ok(()),
            },
            _ => Err("application: there is no MBU application waiting for a decision".into()),
        },
        EventKind::MbuAppealMade { decision } => match stage().appealable() {
            Some(id) if id == *decision => Ok(()),
            _ => Err("decision: only a refusal, not yet appealed, can be appealed".into()),
        },
        EventKind::MbuAppealDecided { appeal, .. } => match stage() {
            Stage::Appealed { id, .. } if id == *appeal => Ok(()),
            _ => Err("appeal: there is no appeal waiting for a decision".into()),
        },
        EventKind::MbuAdmitted { temporary: false, .. } if !stage().approved() => {
            Err("temporary: without an approved place she can only be admitted temporarily".into())
        }
        EventKind::MbuLeft {} if case(timeline, event.occurred_at).and_then(|c| c.admitted).is_none() => {
            Err("she is not on a Mother and Baby Unit".into())
        }
        _ => Ok(()),
    }
}

/// A Mother and Baby Unit and its places, from `standards/reference/mbu-units.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub establishment: EstablishmentCode,
    pub name: String,
    pub places: u32,
    /// Whether the prison has confirmed the figure (the sources give only the national total).
    pub confirmed: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnits {
    national_places: toml::Spanned<u32>,
    unit: Vec<toml::Spanned<RawUnit>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    establishment: toml::Spanned<String>,
    name: String,
    places: u32,
    confirmed: bool,
}

/// The units shipped with throughcare.
pub const UNITS: (&str, &str) =
    ("standards/reference/mbu-units.toml", include_str!("../../../../standards/reference/mbu-units.toml"));

/// Loads the units file; an error names the file and line at fault.
pub fn load_units(file: &str, text: &str) -> Result<Vec<Unit>, crate::standards::StandardsError> {
    use crate::standards::{StandardsError, line_of};
    let err =
        |offset: usize, message: String| StandardsError { file: file.into(), line: line_of(text, offset), message };
    let raw: RawUnits = toml::from_str(text).map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().into()))?;
    let mut out: Vec<Unit> = Vec::new();
    for u in raw.unit {
        let at = u.span().start;
        let u = u.into_inner();
        let establishment = EstablishmentCode::parse(u.establishment.get_ref())
            .map_err(|e| err(u.establishment.span().start, e.to_string()))?;
        if out.iter().any(|o| o.establishment == establishment) {
            return Err(err(at, format!("{establishment} is listed twice")));
        }
        out.push(Unit { establishment, name: u.name, places: u.places, confirmed: u.confirmed });
    }
    let total: u32 = out.iter().map(|u| u.places).sum();
    if total != *raw.national_places.get_ref() {
        return Err(err(
            raw.national_places.span().start,
            format!("the units' places add up to {total}, not the national {}", raw.national_places.get_ref()),
        ));
    }
    Ok(out)
}

/// The shipped units (tested to load).
pub fn units() -> Vec<Unit> {
    load_units(UNITS.0, UNITS.1).unwrap_or_else(|e| panic!("the built-in MBU units: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{at, event};

    /// A woman received on 5 January 2026, and her sex declared ten minutes later.
    fn received() -> Event {
        let details = r#"{"establishment":"AAA","reception_type":"NEW","legal_status":"REMAND"}"#;
        event(1, "2026-01-05T18:00:00Z", EventKind::parse("reception", details).unwrap())
    }

    #[test]
    fn her_application_follows_her_to_another_prison_but_the_booklet_is_given_again() {
        let pregnant = r#"{"characteristic":"pregnancy_maternity","value":"PREGNANT"}"#;
        let t = Timeline::new(vec![
            received(),
            female(),
            event(3, "2026-01-05T18:20:00Z", EventKind::parse("characteristic_declared", pregnant).unwrap()),
            event(
                4,
                "2026-01-06T10:00:00Z",
                EventKind::parse("mbu_booklet_given", r#"{"format":"EASY_READ"}"#).unwrap(),
            ),
            event(5, "2026-01-08T10:00:00Z", EventKind::MbuApplicationMade {}),
            event(
                6,
                "2026-02-01T10:00:00Z",
                EventKind::parse("transfer_out", r#"{"to_establishment":"AAW"}"#).unwrap(),
            ),
            event(
                7,
                "2026-02-01T16:00:00Z",
                EventKind::parse(
                    "reception",
                    r#"{"establishment":"AAW","reception_type":"TRANSFER_IN","legal_status":"REMAND"}"#,
                )
                .unwrap(),
            ),
        ]);
        let c = case(&t, at("2026-02-02T10:00:00Z")).unwrap();
        assert!(matches!(c.stage, Stage::Applied { .. }), "the application came with her");
        assert_eq!(c.booklet, None, "the new prison gives its own booklet");
    }

    fn female() -> Event {
        let details = r#"{"characteristic":"sex","value":"F"}"#;
        event(2, "2026-01-05T18:10:00Z", EventKind::parse("characteristic_declared", details).unwrap())
    }

    #[test]
    fn a_case_follows_her_stay_from_qualifying_to_the_decision() {
        let kind = |k: &str, d: &str| EventKind::parse(k, d).unwrap();
        let mut events = vec![received(), female()];
        assert_eq!(case(&Timeline::new(events.clone()), at("2026-01-06T00:00:00Z")), None, "not known to qualify");
        events.push(event(3, "2026-01-06T09:00:00Z", kind("child_recorded", r#"{"date_of_birth":"2025-03-10"}"#)));
        let c = case(&Timeline::new(events.clone()), at("2026-01-06T10:00:00Z")).unwrap();
        assert!(c.qualifies && !c.pregnant);
        assert_eq!(c.young_children, [("2025-03-10".parse().unwrap(), "2026-09-10".parse().unwrap())]);
        assert_eq!(c.stage, Stage::NotApplied);
        events.push(event(4, "2026-01-07T09:00:00Z", kind("mbu_booklet_given", r#"{"format":"EASY_READ"}"#)));
        events.push(event(5, "2026-01-09T09:00:00Z", kind("mbu_officer_visit", r#"{"officer":"mbu.aaa"}"#)));
        events.push(event(6, "2026-01-12T09:00:00Z", kind("mbu_application_made", "")));
        let id6 = events[5].id;
        events.push(event(
            7,
            "2026-02-01T09:00:00Z",
            kind("mbu_decision", &format!(r#"{{"application":"{id6}","outcome":"REFUSED"}}"#)),
        ));
        let t = Timeline::new(events.clone());
        let before = case(&t, at("2026-01-20T00:00:00Z")).unwrap();
        assert_eq!(before.stage, Stage::Applied { id: id6, at: at("2026-01-12T09:00:00Z") });
        let c = case(&t, at("2026-02-02T00:00:00Z")).unwrap();
        assert_eq!((c.booklet, c.visits.len()), (Some(at("2026-01-07T09:00:00Z")), 1));
        assert_eq!(
            c.stage,
            Stage::Decided { id: events[6].id, at: at("2026-02-01T09:00:00Z"), outcome: MbuOutcome::Refused }
        );
        // Once the child is 18 months she no longer qualifies, but her steps in this stay still show.
        let later = case(&t, at("2026-09-10T12:00:00Z")).unwrap();
        assert!(!later.qualifies && later.young_children.is_empty());
        // Released: nothing.
        events.push(event(8, "2026-03-01T09:00:00Z", kind("release", r#"{"release_type":"BAIL"}"#)));
        assert_eq!(case(&Timeline::new(events), at("2026-03-02T00:00:00Z")), None);
    }

    #[test]
    fn each_step_answers_the_one_before_it() {
        let kind = |k: &str, d: &str| EventKind::parse(k, d).unwrap();
        let mut events = vec![
            received(),
            female(),
            event(3, "2026-01-05T18:11:00Z", kind("child_recorded", r#"{"date_of_birth":"2025-10-01"}"#)),
        ];
        let step = |events: &[Event], n: u8, when: &str, k: EventKind| {
            check_step(&Timeline::new(events.to_vec()), &event(n, when, k))
        };
        let ghost = EventId::from_random_bytes([9; 16]);
        let decide = |application| EventKind::MbuDecision { application, outcome: MbuOutcome::Refused, board_on: None };
        // A decision before an application is refused, naming the field.
        let e = step(&events, 4, "2026-01-06T09:00:00Z", decide(ghost)).unwrap_err();
        assert!(e.starts_with("application:"), "{e}");
        // Admitted for good only with a place approved; temporarily while the process is held up.
        let unit = EstablishmentCode::parse("AAA").unwrap();
        let admit = |temporary| EventKind::MbuAdmitted { unit: unit.clone(), temporary };
        assert!(step(&events, 4, "2026-01-06T09:00:00Z", admit(false)).unwrap_err().starts_with("temporary:"));
        assert!(step(&events, 4, "2026-01-06T09:00:00Z", admit(true)).is_ok());
        events.push(event(4, "2026-01-06T09:00:00Z", kind("mbu_application_made", "")));
        let app = events[3].id;
        assert!(step(&events, 5, "2026-01-07T09:00:00Z", decide(ghost)).is_err(), "another application's id");
        assert!(step(&events, 5, "2026-01-07T09:00:00Z", decide(app)).is_ok());
        events.push(event(5, "2026-01-20T09:00:00Z", decide(app)));
        let refusal = events[4].id;
        // An appeal answers the refusal; its decision answers the appeal.
        assert!(
            step(
                &events,
                6,
                "2026-01-21T09:00:00Z",
                EventKind::MbuAppealDecided { appeal: refusal, outcome: MbuOutcome::Approved }
            )
            .is_err()
        );
        assert!(step(&events, 6, "2026-01-21T09:00:00Z", EventKind::MbuAppealMade { decision: refusal }).is_ok());
        events.push(event(6, "2026-01-21T09:00:00Z", EventKind::MbuAppealMade { decision: refusal }));
        let appeal = events[5].id;
        assert!(
            step(&events, 7, "2026-01-22T09:00:00Z", EventKind::MbuAppealMade { decision: refusal }).is_err(),
            "once"
        );
        events.push(event(
            7,
            "2026-02-01T09:00:00Z",
            EventKind::MbuAppealDecided { appeal, outcome: MbuOutcome::Approved },
        ));
        assert!(step(&events, 8, "2026-02-02T09:00:00Z", admit(false)).is_ok());
        events.push(event(8, "2026-02-02T09:00:00Z", admit(false)));
        let c = case(&Timeline::new(events.clone()), at("2026-02-03T00:00:00Z")).unwrap();
        assert_eq!(c.admitted.map(|a| (a.unit.to_string(), a.temporary)), Some(("AAA".into(), false)));
        assert!(step(&events, 9, "2026-02-03T09:00:00Z", EventKind::MbuLeft {}).is_ok());
    }

    #[test]
    fn the_six_units_add_up_to_the_national_64_places() {
        let u = units();
        assert_eq!(u.len(), 6);
        assert_eq!(u.iter().map(|u| u.places).sum::<u32>(), 64);
        let bad = UNITS.1.replace(
            "places = 9\nconfirmed = false\n\n[[unit]]\nestablishment = \"PFI\"",
            "places = 8\nconfirmed = false\n\n[[unit]]\nestablishment = \"PFI\"",
        );
        assert_ne!(bad, UNITS.1);
        let e = load_units("u.toml", &bad).unwrap_err();
        assert!(e.message.contains("add up to 63"), "{}", e.message);
        assert_eq!(e.line, UNITS.1.lines().position(|l| l.starts_with("national_places")).unwrap() + 1);
    }

    #[test]
    fn eighteen_months_ends_on_the_day_the_child_reaches_it() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(under_18_months(d("2025-01-15"), d("2026-07-14")));
        assert!(!under_18_months(d("2025-01-15"), d("2026-07-15")));
        assert!(!under_18_months(d("2024-12-01"), d("2026-07-01")), "19 months");
        assert!(under_18_months(d("2026-07-01"), d("2026-07-01")), "born today");
        // The end of a month: born 31 August, 18 months on is the last day of February.
        assert!(under_18_months(d("2024-08-31"), d("2026-02-27")));
        assert!(!under_18_months(d("2024-08-31"), d("2026-02-28")));
    }

    #[test]
    fn a_child_born_after_the_day_recorded_is_refused_naming_the_field() {
        let e = |dob: &str| {
            event(1, "2026-03-01T10:00:00Z", EventKind::ChildRecorded { date_of_birth: dob.parse().unwrap() })
        };
        let err = check_step(&Timeline::default(), &e("2026-03-02")).unwrap_err();
        assert!(err.starts_with("date_of_birth:"), "{err}");
        assert!(check_step(&Timeline::default(), &e("2026-03-01")).is_ok());
    }
}
