//! A person's timeline and the state derived from it: custody episodes, characteristics as at a
//! time, communication needs, family of choice, key worker and ACCT.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;

use crate::characteristics::{Characteristic, Declaration};
use crate::communication::{CommunicationProfile, FamilyContact};
use crate::event::{Event, EventKind, IncentiveLevel, LegalStatus, ReceptionType, ReleaseType, Service};
use crate::ids::{EstablishmentCode, EventId, StaffRef};

/// All the events of one person, ordered by when they happened.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    events: Vec<Event>,
}

impl Timeline {
    pub fn new(mut events: Vec<Event>) -> Self {
        events.sort_by(|a, b| (a.occurred_at, a.recorded_at, a.id).cmp(&(b.occurred_at, b.recorded_at, b.id)));
        Self { events }
    }

    pub fn all(&self) -> &[Event] {
        &self.events
    }

    /// Events that stand: not superseded by a correction, and not corrections that void.
    pub fn live(&self) -> impl Iterator<Item = &Event> {
        let superseded: HashSet<EventId> =
            self.events.iter().filter_map(|e| e.correction.as_ref().map(|c| c.supersedes)).collect();
        self.events.iter().filter(move |e| !superseded.contains(&e.id) && e.kind != (EventKind::EnteredInError {}))
    }

    /// The person's state from everything that had happened by `at` (as known now).
    pub fn state_at(&self, at: Timestamp) -> PersonState {
        let mut s = PersonState::default();
        for e in self.live().take_while(|e| e.occurred_at <= at) {
            s.apply(e);
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpisodeEnd {
    Released(ReleaseType),
    TransferredOut(EstablishmentCode),
    TransferredToHospital,
    /// A later reception arrived with no release or transfer recorded in between.
    NotRecorded,
}

/// One stay in one establishment, from reception to release or transfer out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyEpisode {
    pub establishment: EstablishmentCode,
    pub reception_type: ReceptionType,
    pub received_at: Timestamp,
    pub legal_status: LegalStatus,
    pub location: Option<String>,
    pub expected_release: Option<Date>,
    pub ended: Option<(Timestamp, EpisodeEnd)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    at: Timestamp,
    declaration: Declaration,
}

/// Every declaration a person has made, so analysis can use the value in force at the time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CharacteristicHistory {
    entries: Vec<Declared>,
}

impl CharacteristicHistory {
    /// The declaration in force at `at`, or None when nothing had been declared (not known).
    pub fn as_at(&self, c: Characteristic, at: Timestamp) -> Option<&Declaration> {
        self.entries.iter().rev().find(|d| d.at <= at && d.declaration.characteristic() == c).map(|d| &d.declaration)
    }

    /// The declaration in force at `at`, where before the first declaration the first one stands:
    /// people are asked hours after reception, and what they declare was as true on arrival.
    pub fn in_force(&self, c: Characteristic, at: Timestamp) -> Option<&Declaration> {
        self.as_at(c, at)
            .or_else(|| self.entries.iter().find(|d| d.declaration.characteristic() == c).map(|d| &d.declaration))
    }

    /// The group code a breakdown counts the person in at `at`: a value's code, `NS`, or `NK`.
    pub fn code_at(&self, c: Characteristic, at: Timestamp) -> String {
        self.as_at(c, at).map(|d| d.code().into_owned()).unwrap_or_else(|| "NK".to_string())
    }

    /// How a characteristic changed, oldest first.
    pub fn history(&self, c: Characteristic) -> Vec<(Timestamp, &Declaration)> {
        self.entries.iter().filter(|d| d.declaration.characteristic() == c).map(|d| (d.at, &d.declaration)).collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct PersonState {
    pub episodes: Vec<CustodyEpisode>,
    pub characteristics: CharacteristicHistory,
    pub communication: Option<CommunicationProfile>,
    /// Family of choice, keyed by the event that named each contact.
    pub family: Vec<(EventId, FamilyContact)>,
    pub key_worker: Option<StaffRef>,
    /// The dates of birth of her children in the community, as recorded.
    pub children: Vec<jiff::civil::Date>,
    /// Who died (in the person's words) and when.
    pub bereavements: Vec<(jiff::civil::Date, String)>,
    /// Court dates and parole hearings, as recorded.
    pub hearings: Vec<(jiff::civil::Date, crate::event::Hearing)>,
    pub acct_open: bool,
    /// The observation levels the latest ACCT review set (day, night), while the ACCT is open.
    pub acct_levels: Option<(crate::event::ObservationLevel, crate::event::ObservationLevel)>,
    pub incentive_level: Option<IncentiveLevel>,
    /// Every referral made, by the event that made it, so answers can name the service.
    pub referrals: HashMap<EventId, Service>,
    /// Services that have accepted the person during the current episode.
    pub caseloads: BTreeSet<Service>,
}

impl PersonState {
    pub fn current_episode(&self) -> Option<&CustodyEpisode> {
        self.episodes.last().filter(|e| e.ended.is_none())
    }

    pub fn in_custody(&self) -> bool {
        self.current_episode().is_some()
    }

    /// On the caseload of a mental-health service (primary care, in-reach, psychiatry, psychology).
    pub fn on_mental_health_caseload(&self) -> bool {
        self.caseloads.iter().any(|s| {
            matches!(s, Service::PrimaryMentalHealth | Service::InReach | Service::Psychiatry | Service::Psychology)
        })
    }

    fn end_episode(&mut self, at: Timestamp, how: EpisodeEnd) {
        if let Some(ep) = self.episodes.last_mut().filter(|e| e.ended.is_none()) {
            ep.ended = Some((at, how.clone()));
        }
        self.key_worker = None;
        // Care follows a person on transfer; on release it passes to the community.
        if matches!(how, EpisodeEnd::Released(_)) {
            self.caseloads.clear();
        }
    }

    pub(crate) fn apply(&mut self, e: &Event) {
        let at = e.occurred_at;
        match &e.kind {
            EventKind::Reception { establishment, reception_type, legal_status, location, expected_release } => {
                self.end_episode(at, EpisodeEnd::NotRecorded);
                self.episodes.push(CustodyEpisode {
                    establishment: establishment.clone(),
                    reception_type: *reception_type,
                    received_at: at,
                    legal_status: *legal_status,
                    location: location.clone(),
                    expected_release: *expected_release,
                    ended: None,
                });
            }
            EventKind::LegalStatusChanged { legal_status, expected_release } => {
                if let Some(ep) = self.episodes.last_mut().filter(|e| e.ended.is_none()) {
                    ep.legal_status = *legal_status;
                    ep.expected_release = *expected_release;
                }
            }
            EventKind::LocationChanged { location } => {
                if let Some(ep) = self.episodes.last_mut().filter(|e| e.ended.is_none()) {
                    ep.location = Some(location.clone());
                }
            }
            EventKind::TransferOut { to_establishment } => {
                self.end_episode(at, EpisodeEnd::TransferredOut(to_establishment.clone()))
            }
            EventKind::Release { release_type } => self.end_episode(at, EpisodeEnd::Released(*release_type)),
            EventKind::TransferredToHospital { .. } => self.end_episode(at, EpisodeEnd::TransferredToHospital),
            EventKind::CharacteristicDeclared(d) => {
                self.characteristics.entries.push(Declared { at, declaration: d.clone() });
            }
            EventKind::CommunicationRecorded(p) => self.communication = Some(p.clone()),
            EventKind::FamilyContactNamed(c) => self.family.push((e.id, c.clone())),
            EventKind::FamilyContactChanged { contact, involvement, told_of_transfer } => {
                if let Some((_, c)) = self.family.iter_mut().find(|(id, _)| id == contact) {
                    c.involvement = *involvement;
                    c.told_of_transfer = told_of_transfer.unwrap_or(c.told_of_transfer);
                }
            }
            EventKind::FamilyContactRemoved { contact } => self.family.retain(|(id, _)| id != contact),
            EventKind::KeyWorkerAllocated { key_worker, .. } => self.key_worker = Some(key_worker.clone()),
            EventKind::KeyWorkerDeallocated { .. } => self.key_worker = None,
            EventKind::ChildRecorded { date_of_birth } => self.children.push(*date_of_birth),
            EventKind::HearingScheduled { hearing, on } => self.hearings.push((*on, *hearing)),
            EventKind::BereavementRecorded { relationship, died_on } => {
                self.bereavements.push((*died_on, relationship.clone()))
            }
            EventKind::AcctOpened { .. } => self.acct_open = true,
            EventKind::AcctReviewed { review: Some(r), .. } => {
                self.acct_levels = Some((r.observations_day, r.observations_night))
            }
            EventKind::AcctClosed { .. } => {
                self.acct_open = false;
                self.acct_levels = None;
            }
            EventKind::IncentiveLevelChanged { level } => self.incentive_level = Some(*level),
            EventKind::ReferralMade { service, .. } => {
                self.referrals.insert(e.id, *service);
            }
            EventKind::ReferralAccepted { referral } => {
                if let Some(service) = self.referrals.get(referral) {
                    self.caseloads.insert(*service);
                }
            }
            EventKind::ReferralDischarged { referral } => {
                if let Some(service) = self.referrals.get(referral) {
                    self.caseloads.remove(service);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::characteristics::{Declared as D, Ethnicity};
    use crate::event::Correction;
    use crate::ids::PrisonNumber;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ev(n: u8, occurred: &str, kind: &str, details: &str) -> Event {
        Event {
            id: EventId::from_random_bytes([n; 16]),
            person: PrisonNumber::parse("A1234BC").unwrap(),
            occurred_at: at(occurred),
            recorded_at: at(occurred),
            recorded_by: StaffRef::parse("nurse").unwrap(),
            correction: None,
            kind: EventKind::parse(kind, details).unwrap(),
        }
    }

    #[test]
    fn episodes_follow_reception_transfer_and_release() {
        let t = Timeline::new(vec![
            ev(3, "2026-02-01T10:00:00Z", "transfer_out", r#"{"to_establishment":"MDI"}"#),
            ev(
                1,
                "2026-01-05T18:00:00Z",
                "reception",
                r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"REMAND"}"#,
            ),
            ev(
                2,
                "2026-01-20T09:00:00Z",
                "legal_status_changed",
                r#"{"legal_status":"SENTENCED","expected_release":"2026-09-01"}"#,
            ),
            ev(
                4,
                "2026-02-01T16:00:00Z",
                "reception",
                r#"{"establishment":"MDI","reception_type":"TRANSFER_IN","legal_status":"SENTENCED"}"#,
            ),
            ev(5, "2026-03-01T09:00:00Z", "key_worker_allocated", r#"{"key_worker":"officer.ng"}"#),
        ]);
        let jan = t.state_at(at("2026-01-25T00:00:00Z"));
        let ep = jan.current_episode().unwrap();
        assert_eq!((ep.establishment.as_str(), ep.legal_status), ("LEI", LegalStatus::Sentenced));
        assert_eq!(ep.expected_release, Some(jiff::civil::date(2026, 9, 1)));

        let between = t.state_at(at("2026-02-01T12:00:00Z"));
        assert!(!between.in_custody(), "in transit between establishments");

        let march = t.state_at(at("2026-03-02T00:00:00Z"));
        assert_eq!(march.episodes.len(), 2);
        assert_eq!(
            march.episodes[0].ended,
            Some((at("2026-02-01T10:00:00Z"), EpisodeEnd::TransferredOut("MDI".parse().unwrap())))
        );
        assert_eq!(march.current_episode().unwrap().reception_type, ReceptionType::TransferIn);
        assert_eq!(march.key_worker.as_ref().map(StaffRef::as_str), Some("officer.ng"));
        assert_eq!(Timeline::default().state_at(at("2026-03-02T00:00:00Z")).current_episode(), None);
    }

    #[test]
    fn characteristics_are_looked_up_as_at_the_time() {
        let t = Timeline::new(vec![
            ev(1, "2026-01-05T18:00:00Z", "characteristic_declared", r#"{"characteristic":"ethnicity","value":"NS"}"#),
            ev(2, "2026-04-01T10:00:00Z", "characteristic_declared", r#"{"characteristic":"ethnicity","value":"W3"}"#),
        ]);
        let s = t.state_at(at("2026-12-31T00:00:00Z"));
        let h = &s.characteristics;
        assert_eq!(h.code_at(Characteristic::Ethnicity, at("2026-01-01T00:00:00Z")), "NK");
        assert_eq!(h.code_at(Characteristic::Ethnicity, at("2026-02-01T00:00:00Z")), "NS");
        assert_eq!(
            h.as_at(Characteristic::Ethnicity, at("2026-05-01T00:00:00Z")),
            Some(&Declaration::Ethnicity(D::Stated(Ethnicity::GypsyIrishTraveller)))
        );
        assert_eq!(h.code_at(Characteristic::Religion, at("2026-05-01T00:00:00Z")), "NK");
        assert_eq!(h.history(Characteristic::Ethnicity).len(), 2);
    }

    #[test]
    fn corrections_replace_and_void_without_editing() {
        let wrong = ev(1, "2026-01-05T18:00:00Z", "acct_opened", "");
        let mut void = ev(2, "2026-01-06T09:00:00Z", "entered_in_error", "");
        void.correction = Some(Correction { supersedes: wrong.id, reason: "wrong person".into() });
        let first_level = ev(3, "2026-01-05T18:00:00Z", "incentive_level_changed", r#"{"level":"BASIC"}"#);
        let mut fixed = ev(4, "2026-01-05T18:00:00Z", "incentive_level_changed", r#"{"level":"STANDARD"}"#);
        fixed.correction = Some(Correction { supersedes: first_level.id, reason: "typed the wrong level".into() });
        let t = Timeline::new(vec![wrong, void, first_level, fixed]);
        assert_eq!(t.all().len(), 4, "nothing is removed");
        let s = t.state_at(at("2026-02-01T00:00:00Z"));
        assert!(!s.acct_open);
        assert_eq!(s.incentive_level, Some(IncentiveLevel::Standard));
        assert_eq!(t.live().count(), 1);
    }

    #[test]
    fn family_of_choice_follows_the_persons_wishes() {
        let named = ev(
            1,
            "2026-01-05T18:00:00Z",
            "family_contact_named",
            r#"{"name":"Dee","relationship":"best friend","involvement":"ASK_EACH_TIME"}"#,
        );
        let id = named.id;
        let t = Timeline::new(vec![
            named,
            ev(
                2,
                "2026-02-01T10:00:00Z",
                "family_contact_changed",
                &format!(r#"{{"contact":"{id}","involvement":"CONSENTS"}}"#),
            ),
        ]);
        let s = t.state_at(at("2026-03-01T00:00:00Z"));
        assert_eq!(s.family.len(), 1);
        assert_eq!(s.family[0].1.involvement, crate::communication::FamilyInvolvement::Consents);
        let s = t.state_at(at("2026-01-10T00:00:00Z"));
        assert_eq!(s.family[0].1.involvement, crate::communication::FamilyInvolvement::AskEachTime);
    }
}
