//! A deterministic synthetic estate: establishments, people and a year's realistic flow of events.
//!
//! Same seed and end date, same estate, byte for byte. Each person has their own random stream,
//! so people can be generated in any order or in parallel. The proportions are rounded from
//! published figures for the prison population of England and Wales, cited beside each table;
//! they make the data look like a real estate, they are not statistics to quote.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::characteristics::{
    Declaration, Declared, Disability, EthnicGroup, Ethnicity, GenderIdentity, GenderReassignment, MaritalStatus,
    PregnancyMaternity, Religion, Sex, SexualOrientation,
};
use crate::communication::{CommunicationProfile, FamilyContact, FamilyInvolvement, Format, Language, Understood};
use crate::event::{
    Activity, Correction, Event, EventKind, IncentiveLevel, Instrument, LegalStatus, MbuOutcome, MhaSection, Priority,
    ReceptionType, ReleasePlanItem, ReleaseType, RequestCategory, RequestOutcome, Service, TemporaryReleasePurpose,
};
use crate::ids::{EstablishmentCode, EventId, NhsNumber, PrisonNumber, StaffRef};
use crate::instruments::{Answer, InstrumentSet};
use crate::person::{Establishment, Name, Person, Population};

#[derive(Debug, Clone)]
pub struct EstateSpec {
    pub establishments: usize,
    pub people: usize,
    pub years: u32,
    pub seed: u64,
    /// The last day of the period: nothing happens or is recorded after it.
    pub end: Date,
}

/// How outcomes depend on who a person is, so the equality report can be tested both ways.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcomes {
    /// As the cited figures say: women self-harm more often than men.
    Realistic,
    /// Every outcome equally likely for everyone: any flag is a false alarm.
    Equal,
    /// As `Equal`, except use of force is `factor` times as likely for one ethnic group.
    PlantedUseOfForce { group: EthnicGroup, factor: f64 },
}

/// The estate: its establishments, and a generator for each person and their timeline.
pub struct Estate {
    spec: EstateSpec,
    outcomes: Outcomes,
    establishments: Vec<Establishment>,
    start: Timestamp,
    end: Timestamp,
}

const DAY: i64 = 86_400;

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n * DAY)
}

/// A screening with nothing of concern in it except the answers given: each item's reassuring
/// answer (0, "no", or "yes" where yes reassures), scored by the shipped instrument.
pub fn screening(instrument: Instrument, answers: &[(&str, &str)]) -> EventKind {
    let set = InstrumentSet::builtin_ref();
    let def = set.current(instrument).expect("every instrument ships");
    let all = def
        .items
        .iter()
        .map(|item| {
            let given = answers.iter().find(|(q, _)| *q == item.id).map(|(_, a)| *a);
            let calm = match item.id.as_str() {
                "coping" | "sleeping" | "protective" => "yes",
                "critical_medicine" => "none",
                "judgement" => "low",
                _ if item.option("0").is_some() => "0",
                _ => "no",
            };
            (item.id.clone(), Answer::Chosen(given.unwrap_or(calm).to_string()))
        })
        .collect();
    set.result(instrument, all).expect("synthetic answers are complete")
}

fn pick<T: Copy>(rng: &mut impl Rng, table: &[(T, f64)]) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (v, w) in table {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

fn declared<T: Copy>(rng: &mut impl Rng, table: &[(Option<T>, f64)], not_stated: f64, not_known: f64) -> Declared<T> {
    let x = rng.random::<f64>();
    if x < not_stated {
        Declared::NotStated
    } else if x < not_stated + not_known {
        Declared::NotKnown
    } else {
        pick(rng, table).map_or(Declared::NotKnown, Declared::Stated)
    }
}

// Ethnicity of the prison population, self-declared (HMPPS Offender Equalities Annual Report
// 2022 to 2023; MoJ Offender Management Statistics, prison population by ethnicity):
// about 72% White, 12% Black, 8% Asian, 5% Mixed, 2% Other, about 1% not stated or not recorded.
const ETHNICITY: &[(Option<Ethnicity>, f64)] = &[
    (Some(Ethnicity::WhiteBritish), 60.0),
    (Some(Ethnicity::WhiteIrish), 0.9),
    (Some(Ethnicity::GypsyIrishTraveller), 1.3),
    (Some(Ethnicity::Roma), 0.1),
    (Some(Ethnicity::WhiteOther), 9.7),
    (Some(Ethnicity::WhiteBlackCaribbean), 2.4),
    (Some(Ethnicity::WhiteBlackAfrican), 0.6),
    (Some(Ethnicity::WhiteAsian), 0.6),
    (Some(Ethnicity::MixedOther), 1.4),
    (Some(Ethnicity::Indian), 1.2),
    (Some(Ethnicity::Pakistani), 3.0),
    (Some(Ethnicity::Bangladeshi), 0.9),
    (Some(Ethnicity::Chinese), 0.2),
    (Some(Ethnicity::AsianOther), 2.7),
    (Some(Ethnicity::Caribbean), 4.6),
    (Some(Ethnicity::African), 3.6),
    (Some(Ethnicity::BlackOther), 3.8),
    (Some(Ethnicity::Arab), 0.4),
    (Some(Ethnicity::OtherEthnicGroup), 1.6),
];

// Religion (MoJ Offender Management Statistics, prison population by religion): about 44%
// Christian, 31% no religion, 18% Muslim, 2% Buddhist, 1% Sikh, under 1% Hindu and Jewish.
const RELIGION: &[(Option<Religion>, f64)] = &[
    (Some(Religion::Christian), 44.0),
    (Some(Religion::NoReligion), 31.0),
    (Some(Religion::Muslim), 18.0),
    (Some(Religion::Buddhist), 2.0),
    (Some(Religion::Sikh), 1.0),
    (Some(Religion::Hindu), 0.5),
    (Some(Religion::Jewish), 0.6),
    (Some(Religion::Other), 2.0),
];

// Sexual orientation (HMPPS Offender Equalities Annual Report 2022 to 2023): most heterosexual,
// about 3% gay, lesbian, bisexual or other, and a large share not stated or not recorded.
const ORIENTATION: &[(Option<SexualOrientation>, f64)] = &[
    (Some(SexualOrientation::Heterosexual), 96.0),
    (Some(SexualOrientation::GayOrLesbian), 1.2),
    (Some(SexualOrientation::Bisexual), 1.8),
    (Some(SexualOrientation::Other), 0.5),
    (Some(SexualOrientation::Unsure), 0.5),
];

// Disability (HMPPS Offender Equalities Annual Report): roughly a fifth of those who answer
// declare a disability; many records are incomplete.
const DISABILITY: &[(Option<Disability>, f64)] = &[
    (Some(Disability::ReducedALot), 10.0),
    (Some(Disability::ReducedALittle), 11.0),
    (Some(Disability::NotReduced), 6.0),
    (Some(Disability::NoCondition), 70.0),
    (Some(Disability::DoesNotKnow), 3.0),
];

// Marital status (HMPPS Offender Equalities Annual Report): most never married.
const MARITAL: &[(Option<MaritalStatus>, f64)] = &[
    (Some(MaritalStatus::NeverMarried), 76.0),
    (Some(MaritalStatus::Married), 10.0),
    (Some(MaritalStatus::CivilPartnership), 0.4),
    (Some(MaritalStatus::Separated), 3.0),
    (Some(MaritalStatus::SeparatedCivilPartnership), 0.1),
    (Some(MaritalStatus::Divorced), 8.0),
    (Some(MaritalStatus::CivilPartnershipDissolved), 0.1),
    (Some(MaritalStatus::Widowed), 1.3),
    (Some(MaritalStatus::SurvivingCivilPartner), 0.1),
];

// Age at reception, years (MoJ Offender Management Statistics, population by age group).
const AGE: &[((i16, i16), f64)] = &[
    ((18, 20), 4.0),
    ((21, 24), 10.0),
    ((25, 29), 16.0),
    ((30, 39), 33.0),
    ((40, 49), 21.0),
    ((50, 59), 11.0),
    ((60, 69), 4.0),
    ((70, 85), 1.0),
];

const LANGUAGES: &[(&str, f64)] = &[
    ("en", 88.0),
    ("pl", 2.5),
    ("ro", 2.5),
    ("sq", 1.5),
    ("lt", 1.0),
    ("ur", 1.0),
    ("ar", 1.0),
    ("pa", 0.5),
    ("so", 0.5),
    ("cy", 1.0),
    ("bfi", 0.5),
];

const PLACES: [&str; 16] = [
    "Ash", "Birch", "Cole", "Dun", "Elm", "Fern", "Glen", "Hazel", "Ivy", "Kings", "Lang", "Mill", "North", "Oak",
    "Rook", "Stan",
];
const ENDINGS: [&str; 8] = ["bury", "field", "moor", "ford", "gate", "ham", "wood", "ley"];
const GIVEN_MEN: [&str; 16] = [
    "James", "Mohammed", "Daniel", "Liam", "Kwame", "Connor", "Tomasz", "Adam", "Jermaine", "Ryan", "Imran", "Patrick",
    "Aaron", "Bilal", "Lewis", "Dean",
];
const GIVEN_WOMEN: [&str; 12] = [
    "Sarah",
    "Chantelle",
    "Amira",
    "Kelly",
    "Joanne",
    "Precious",
    "Leanne",
    "Agnieszka",
    "Shannon",
    "Aisha",
    "Mary",
    "Tanya",
];
const FAMILY: [&str; 20] = [
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Khan", "Evans", "Thomas", "Johnson", "Roberts",
    "Walker", "Hussain", "Mensah", "Kowalski", "Murphy", "Price", "Okafor", "Lee", "Doherty",
];

impl Estate {
    pub fn new(spec: EstateSpec) -> Self {
        let end = TimeZone::UTC.to_timestamp(spec.end.at(23, 59, 59, 0)).expect("end date in range");
        let start = end - days(365 * i64::from(spec.years.max(1)));
        // About 12 of the 120 or so prisons in England and Wales hold women (HMPPS).
        let women = (spec.establishments / 10)
            .max(1)
            .min(spec.establishments.saturating_sub(1))
            .max(usize::from(spec.establishments == 1));
        let establishments = (0..spec.establishments)
            .map(|i| {
                let code: String =
                    [i / 676 % 26, i / 26 % 26, i % 26].iter().map(|d| (b'A' + *d as u8) as char).collect();
                let name = format!(
                    "HMP {}{}{}",
                    PLACES[i % 16],
                    ENDINGS[i / 16 % 8],
                    if i >= 128 { format!(" {}", i / 128 + 1) } else { String::new() }
                );
                Establishment {
                    code: EstablishmentCode::parse(&code).expect("three letters"),
                    name: Name::parse(&name).expect("a name"),
                    population: if i < women { Population::Women } else { Population::Men },
                }
            })
            .collect();
        Self { spec, outcomes: Outcomes::Realistic, establishments, start, end }
    }

    /// The same estate with outcomes drawn another way (the default is `Realistic`).
    pub fn with_outcomes(mut self, outcomes: Outcomes) -> Self {
        self.outcomes = outcomes;
        self
    }

    pub fn establishments(&self) -> &[Establishment] {
        &self.establishments
    }

    /// The last instant of the period.
    pub fn end(&self) -> Timestamp {
        self.end
    }

    pub fn people_count(&self) -> usize {
        self.spec.people
    }

    /// The i-th person and their timeline, events in the order they happened.
    pub fn person(&self, index: usize) -> (Person, Vec<Event>) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.spec.seed);
        rng.set_stream(index as u64);
        PersonBuilder::new(self, index, rng).build()
    }
}

/// A prison number unique to each index: letter, four digits, two letters.
fn prison_number(index: usize) -> PrisonNumber {
    let (digits, rest) = (index % 10_000, index / 10_000);
    let l = |n: usize| (b'A' + (n % 26) as u8) as char;
    PrisonNumber::parse(&format!("{}{:04}{}{}", l(rest / 676 + 6), digits, l(rest / 26), l(rest))).expect("well formed")
}

struct PersonBuilder<'a> {
    estate: &'a Estate,
    rng: ChaCha8Rng,
    pn: PrisonNumber,
    events: Vec<Event>,
    ethnic_group: Option<EthnicGroup>,
}

impl<'a> PersonBuilder<'a> {
    fn new(estate: &'a Estate, index: usize, rng: ChaCha8Rng) -> Self {
        Self { estate, rng, pn: prison_number(index), events: Vec::new(), ethnic_group: None }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// `a` with probability `p`, otherwise `b`.
    fn either(&mut self, p: f64, a: i64, b: i64) -> i64 {
        if self.chance(p) { a } else { b }
    }

    fn id(&mut self) -> EventId {
        let mut b = [0u8; 16];
        self.rng.fill_bytes(&mut b);
        EventId::from_random_bytes(b)
    }

    fn staff(s: &str) -> StaffRef {
        StaffRef::parse(s).expect("synthetic staff names are well formed")
    }

    /// Records an event if it happened, and was recorded, by the end of the period.
    fn push(&mut self, at: Timestamp, by: &str, kind: EventKind) -> Option<EventId> {
        // Most events are written up within hours; one in twenty days later (back-dated entries).
        let delay =
            if self.chance(0.05) { self.rng.random_range(DAY..5 * DAY) } else { self.rng.random_range(60..4 * 3600) };
        let recorded = at + SignedDuration::from_secs(delay);
        if recorded > self.estate.end {
            return None;
        }
        debug_assert!(kind.check().is_ok(), "{kind:?}");
        let id = self.id();
        self.events.push(Event {
            id,
            person: self.pn.clone(),
            occurred_at: at,
            recorded_at: recorded,
            recorded_by: Self::staff(by),
            correction: None,
            kind,
        });
        Some(id)
    }

    /// A screening from its answers, scored by the shipped instrument as a nurse's form would be.
    fn screen(&mut self, at: Timestamp, by: &str, instrument: Instrument, answers: &[(&str, &str)]) -> Option<EventId> {
        let answers = answers.iter().map(|(q, a)| (q.to_string(), Answer::Chosen(a.to_string()))).collect();
        let kind = InstrumentSet::builtin_ref().result(instrument, answers).expect("synthetic answers are complete");
        self.push(at, by, kind)
    }

    fn after(&mut self, t: Timestamp, min_hours: i64, max_hours: i64) -> Timestamp {
        t + SignedDuration::from_secs(self.rng.random_range(min_hours * 3600..=max_hours.max(min_hours) * 3600))
    }

    fn build(mut self) -> (Person, Vec<Event>) {
        let start = self.estate.start;
        let end = self.estate.end;
        // About 4% of the prison population are women (MoJ Offender Management Statistics).
        let sex = if self.chance(0.04) { Sex::Female } else { Sex::Male };
        let estab: Vec<&Establishment> = self
            .estate
            .establishments
            .iter()
            .filter(|e| (e.population == Population::Women) == (sex == Sex::Female))
            .collect();
        let estab = if estab.is_empty() { self.estate.establishments.iter().collect() } else { estab };
        let home = estab[self.rng.random_range(0..estab.len())].clone();

        // Just over half are already inside when the period starts; the rest arrive during it.
        let span = (end - start).as_secs();
        let received = if self.chance(0.55) {
            start - SignedDuration::from_secs(self.rng.random_range(DAY..3 * 365 * DAY))
        } else {
            start + SignedDuration::from_secs(self.rng.random_range(0..span - DAY))
        };
        // Arrive in the afternoon or evening, as court transport does.
        let received = received - SignedDuration::from_secs(received.as_second().rem_euclid(DAY))
            + SignedDuration::from_secs(self.rng.random_range(13 * 3600..21 * 3600));
        // Almost half of people sentenced serve six months or less (the report); some stay years.
        let stay_days = match self.rng.random_range(0..100) {
            0..45 => self.rng.random_range(5..183),
            45..80 => self.rng.random_range(183..730),
            _ => self.rng.random_range(730..3650),
        };
        let leaves = received + days(stay_days);

        let (lo, hi) = pick(&mut self.rng, AGE);
        let age = self.rng.random_range(lo..=hi);
        let reception_date = crate::time::date_in_england(received);
        let dob = reception_date
            .checked_sub(jiff::Span::new().years(age).days(self.rng.random_range(0..365)))
            .expect("date in range");
        let given = if sex == Sex::Female {
            GIVEN_WOMEN[self.rng.random_range(0..GIVEN_WOMEN.len())]
        } else {
            GIVEN_MEN[self.rng.random_range(0..GIVEN_MEN.len())]
        };
        let family = FAMILY[self.rng.random_range(0..FAMILY.len())];
        let nhs = if self.chance(0.8) { self.nhs_number() } else { None };
        let person = Person {
            prison_number: self.pn.clone(),
            given_name: Name::parse(given).expect("name"),
            family_name: Name::parse(family).expect("name"),
            date_of_birth: dob,
            nhs_number: nhs,
        };

        let code = home.code.as_str().to_ascii_lowercase();
        let reception_officer = format!("reception.{code}");
        let nurse = format!("nurse.{code}.{}", self.rng.random_range(1..6));
        // About 19% of the population are on remand (MoJ Offender Management Statistics).
        let legal_status = if self.chance(0.19) { LegalStatus::Remand } else { LegalStatus::Sentenced };
        let expected_release = (legal_status == LegalStatus::Sentenced).then(|| crate::time::date_in_england(leaves));
        let reception_type = if self.chance(0.12) { ReceptionType::Recall } else { ReceptionType::New };
        let location = format!(
            "{}-{}-{:02}",
            ["A", "B", "C", "D", "E"][self.rng.random_range(0..5)],
            self.rng.random_range(1..4),
            self.rng.random_range(1..40)
        );
        self.push(
            received,
            &reception_officer,
            EventKind::Reception {
                establishment: home.code.clone(),
                reception_type,
                legal_status,
                location: Some(location),
                expected_release,
            },
        );

        self.declarations(received, &reception_officer, sex);
        let profile = self.communication(received, &reception_officer);
        self.first_days(received, leaves, &nurse, &profile, &home, sex);
        self.custody(received, leaves, &home, legal_status);

        if leaves <= end {
            let release_type = if legal_status == LegalStatus::Remand {
                pick(&mut self.rng, &[(ReleaseType::Bail, 60.0), (ReleaseType::Court, 40.0)])
            } else {
                pick(
                    &mut self.rng,
                    &[
                        (ReleaseType::Conditional, 70.0),
                        (ReleaseType::EndOfSentence, 27.0),
                        (ReleaseType::Deported, 3.0),
                    ],
                )
            };
            self.push(leaves, &format!("discharge.{code}"), EventKind::Release { release_type });
        }
        self.corrections();
        self.events.sort_by(|a, b| (a.occurred_at, a.recorded_at, a.id).cmp(&(b.occurred_at, b.recorded_at, b.id)));
        (person, self.events)
    }

    fn nhs_number(&mut self) -> Option<NhsNumber> {
        loop {
            let first: Vec<u32> = (0..9).map(|_| self.rng.random_range(0..10)).collect();
            if let Some(check) = NhsNumber::check_digit(&first) {
                let s: String =
                    first.iter().chain(std::iter::once(&check)).map(|d| char::from(b'0' + *d as u8)).collect();
                return NhsNumber::parse(&s).ok();
            }
        }
    }

    fn declarations(&mut self, at: Timestamp, by: &str, sex: Sex) {
        let t = self.after(at, 0, 2);
        let r = &mut self.rng;
        let mut list = vec![
            Declaration::Sex(Declared::Stated(sex)),
            Declaration::Ethnicity(declared(r, ETHNICITY, 0.007, 0.004)),
            Declaration::Religion(declared(r, RELIGION, 0.005, 0.004), None),
            Declaration::SexualOrientation(declared(r, ORIENTATION, 0.06, 0.13)),
            Declaration::Disability(declared(r, DISABILITY, 0.06, 0.20)),
            Declaration::MarriageCivilPartnership(declared(r, MARITAL, 0.05, 0.20)),
        ];
        // About 0.3% of people in prison are transgender (HMPPS annual digest, transgender prisoners).
        let trans = r.random_bool(0.003);
        let identity = match (sex, trans) {
            (Sex::Male, false) | (Sex::Female, true) => GenderIdentity::Male,
            (Sex::Female, false) | (Sex::Male, true) => GenderIdentity::Female,
        };
        let asked = !r.random_bool(0.25);
        list.push(Declaration::GenderIdentity(if asked { Declared::Stated(identity) } else { Declared::NotKnown }));
        list.push(Declaration::GenderReassignment(if !asked {
            Declared::NotKnown
        } else if trans {
            Declared::Stated(GenderReassignment::Different)
        } else if r.random_bool(0.06) {
            Declared::NotStated
        } else {
            Declared::Stated(GenderReassignment::Same)
        }));
        if sex == Sex::Female {
            // Around 2% of women in prison are pregnant at a time, and more have a baby or young
            // child outside (HMPPS Offender Equalities: self-declared pregnancy; MBU applications).
            let pm = pick(
                r,
                &[("NONE", 86.0), ("PREGNANT", 2.5), ("CHILD_U18M", 7.0), ("BIRTH_26W+CHILD_U18M", 2.5), ("NS", 2.0)],
            );
            list.push(Declaration::PregnancyMaternity(Declared::parse(pm).expect("valid code")));
        }
        if let Declaration::Ethnicity(Declared::Stated(e)) = &list[1] {
            self.ethnic_group = Some(e.group());
        }
        let r = &mut self.rng;
        if let Some(Declaration::Religion(Declared::Stated(Religion::Other), detail)) = list.get_mut(2) {
            *detail = Some(["Rastafari", "Pagan", "Spiritualist", "Humanist"][r.random_range(0..4)].to_string());
        }
        for d in list {
            self.push(t, by, EventKind::CharacteristicDeclared(d));
        }
    }

    fn communication(&mut self, at: Timestamp, by: &str) -> CommunicationProfile {
        let language = pick(&mut self.rng, LANGUAGES);
        // Around 3 in 10 people in prison have a learning disability or difficulty (Prison Reform Trust).
        let learning = self.chance(0.07);
        let easy_read = learning || self.chance(0.15);
        let mut formats = if easy_read { vec![Format::EasyRead, Format::Verbal] } else { vec![Format::Written] };
        if language == "bfi" {
            formats.insert(0, Format::Signing);
        }
        let profile = CommunicationProfile {
            formats,
            language: Language::parse(language).expect("valid language"),
            interpreter: language != "en" && self.chance(0.6),
            literacy_support: easy_read || self.chance(0.1),
            learning_disability: learning,
            neurodivergent: self.chance(0.1),
        };
        let t = self.after(at, 0, 3);
        self.push(t, by, EventKind::CommunicationRecorded(profile.clone()));
        if self.chance(0.6) {
            let t = self.after(at, 1, 72);
            let (name, relationship) = [
                ("Sue", "my mum"),
                ("Dee", "best friend"),
                ("Marcus", "brother"),
                ("Jo", "partner"),
                ("Nana Pat", "my nan"),
            ][self.rng.random_range(0..5)];
            let involvement = pick(
                &mut self.rng,
                &[
                    (FamilyInvolvement::Consents, 50.0),
                    (FamilyInvolvement::AskEachTime, 35.0),
                    (FamilyInvolvement::Declines, 15.0),
                ],
            );
            // No draw of its own, so the rest of the estate stays as it was for every seed.
            let told_of_transfer = involvement != FamilyInvolvement::Declines;
            let named = self.push(
                t,
                by,
                EventKind::FamilyContactNamed(FamilyContact {
                    name: name.into(),
                    relationship: relationship.into(),
                    involvement,
                    told_of_transfer,
                    birthday: None,
                }),
            );
            if let Some(contact) = named.filter(|_| self.chance(0.1)) {
                let t = self.after(t, 24, 2000);
                self.push(
                    t,
                    by,
                    EventKind::FamilyContactChanged {
                        contact,
                        involvement: FamilyInvolvement::Consents,
                        told_of_transfer: None,
                    },
                );
            }
        }
        profile
    }

    /// Reception health care: first-night screen, medication, 7-day assessment, referrals, MBU.
    fn first_days(
        &mut self,
        at: Timestamp,
        leaves: Timestamp,
        nurse: &str,
        profile: &CommunicationProfile,
        home: &Establishment,
        sex: Sex,
    ) {
        let screened = {
            let hi = self.either(0.97, 3, 30);
            self.after(at, 0, hi)
        };
        let refer = self.chance(0.3);
        let urgent = refer && self.chance(0.1);
        // About one in five arrives on a medicine that must not be missed.
        let critical_medication = self.chance(0.2);
        let takes = critical_medication || self.chance(0.3);
        let yes = |b: bool| if b { "yes" } else { "no" };
        let reception = [
            ("long_sentence", "no"),
            ("physical_condition", "no"),
            ("injuries", "no"),
            ("medicines", yes(takes)),
            ("critical_medicine", if !takes { "none" } else { yes(critical_medication) }),
            ("alcohol", "no"),
            ("drugs", "no"),
            ("known_to_services", "no"),
            ("feeling_low", yes(refer)),
            ("past_self_harm", "no"),
            ("thoughts_now", yes(urgent)),
            ("learning_disability", "no"),
            ("communication", "no"),
            ("screener_concern", "no"),
        ];
        self.screen(screened, nurse, Instrument::ReceptionFirstStage, &reception);
        if critical_medication && self.chance(0.93) {
            let t = {
                let hi = self.either(0.9, 6, 48);
                self.after(at, 0, hi)
            };
            self.push(t, nurse, EventKind::MedicationGiven { critical: true, medicine: None });
        }
        let format = profile.formats[0];
        let t = self.after(at, 2, 30);
        let understood = pick(
            &mut self.rng,
            &[
                (Understood::Yes, 78.0),
                (Understood::Partly, 10.0),
                (Understood::No, 4.0),
                (Understood::NotChecked, 8.0),
            ],
        );
        self.push(
            t,
            "induction",
            EventKind::InformationGiven {
                item: "induction".into(),
                format,
                language: profile.language.clone(),
                understood,
                from_kiosk: false,
            },
        );

        // The second-stage assessment is due within 7 days; most are on time, some late, some missed.
        if leaves - at > days(7) {
            let when = match self.rng.random_range(0..100) {
                0..76 => Some(self.after(at, 20, 7 * 24 - 1)),
                76..92 => Some(self.after(at, 7 * 24 + 1, 21 * 24)),
                _ => None,
            };
            if let Some(t) = when.filter(|t| *t < leaves) {
                // Medicines are reconciled at the assessment, as NICE NG57 asks.
                self.push(t, nurse, EventKind::MedicinesReconciled {});
                self.push(t, nurse, EventKind::HealthAssessmentCompleted {});
            }
        }
        // A re-screen after the first weeks, done for some and on time for fewer.
        if self.chance(0.45) {
            let t = self.after(at, 14 * 24, 40 * 24);
            if t < leaves {
                let low = if self.chance(0.2) { "yes" } else { "no" };
                let answers = [
                    ("coping", "yes"),
                    ("sleeping", "yes"),
                    ("feeling_low", low),
                    ("thoughts_now", "no"),
                    ("wants_support", "no"),
                ];
                self.screen(t, nurse, Instrument::MentalHealthRescreen, &answers);
            }
        }
        if refer {
            let t = self.after(at, 24, 14 * 24);
            let total = self.rng.random_range(5..=27u8);
            let item9 = if self.chance(0.25) { self.rng.random_range(1..=3u8).min(total) } else { 0 };
            // Items 1 to 8 share the rest of the total, each 0 to 3; item 9 takes up what they cannot.
            let mut rest = total - item9;
            let mut scores = [0u8; 9];
            for s in scores.iter_mut().take(8) {
                *s = rest.min(3);
                rest -= *s;
            }
            scores[8] = item9 + rest;
            let item9 = scores[8];
            let codes: Vec<(String, String)> =
                scores.iter().enumerate().map(|(i, s)| (format!("q{}", i + 1), s.to_string())).collect();
            let answers: Vec<(&str, &str)> = codes.iter().map(|(q, a)| (q.as_str(), a.as_str())).collect();
            self.screen(t, nurse, Instrument::Phq9, &answers);
            if item9 > 0 && self.chance(0.88) {
                let t2 = {
                    let hi = self.either(0.85, 8, 72);
                    self.after(t, 0, hi)
                };
                let answers = [
                    ("thoughts", "yes"),
                    ("plans", "no"),
                    ("previous", "no"),
                    ("protective", "yes"),
                    ("judgement", "raised"),
                ];
                self.screen(t2, nurse, Instrument::SuicideRiskAssessment, &answers);
            }
            let service = pick(
                &mut self.rng,
                &[
                    (Service::PrimaryMentalHealth, 55.0),
                    (Service::InReach, 25.0),
                    (Service::SubstanceMisuse, 15.0),
                    (Service::Counselling, 5.0),
                ],
            );
            self.referral(t, service, nurse);
        }
        if sex == Sex::Female {
            self.mbu(at, home);
        }
    }

    fn referral(&mut self, at: Timestamp, service: Service, by: &str) {
        let priority =
            pick(&mut self.rng, &[(Priority::Routine, 70.0), (Priority::Urgent, 25.0), (Priority::Emergency, 5.0)]);
        let made = EventKind::ReferralMade { service, priority, self_referral: false, reason: None };
        let Some(referral) = self.push(at, by, made) else { return };
        let t = self.after(at, 24, 14 * 24);
        if self.chance(0.85) {
            self.push(t, "mental.health", EventKind::ReferralAccepted { referral });
            let seen = self.after(t, 24, 28 * 24);
            self.push(seen, "mental.health", EventKind::ReferralSeen { referral });
            // About 412 hospital transfers a year from a population of about 83,000 (the report).
            if service == Service::InReach && self.chance(0.08) {
                self.hospital_transfer(seen);
            }
        } else {
            let reason = "No need for this service at present".to_string();
            self.push(t, "mental.health", EventKind::ReferralDeclined { referral, reason });
        }
    }

    fn hospital_transfer(&mut self, at: Timestamp) {
        let made = EventKind::ReferralMade {
            service: Service::HospitalTransfer,
            priority: Priority::Urgent,
            self_referral: false,
            reason: None,
        };
        let Some(referral) = self.push(at, "in.reach", made) else { return };
        // 26.5% of transfers were made within 14 days in 2015-16 (the report); the rest took longer.
        let total_days =
            if self.chance(0.265) { self.rng.random_range(3..=14) } else { self.rng.random_range(15..120) };
        // The steps in order: two assessments, a bed, a warrant, the transfer.
        let section = if self.chance(0.6) { MhaSection::S47 } else { MhaSection::S48 };
        let step = |share: i64| at + SignedDuration::from_secs(total_days * DAY * share / 10);
        self.push(step(4), "psychiatrist", EventKind::HospitalTransferAssessed { referral });
        self.push(step(6), "psychiatrist", EventKind::HospitalSecondAssessment { referral });
        let hospital = "Regional secure unit".to_string();
        self.push(step(8), "in.reach", EventKind::HospitalBedIdentified { referral, hospital });
        self.push(step(9), "in.reach", EventKind::HospitalWarrantIssued { referral, section });
        self.push(at + days(total_days), "in.reach", EventKind::TransferredToHospital { referral, section });
    }

    fn mbu(&mut self, at: Timestamp, home: &Establishment) {
        let Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) =
            self.events.iter().rev().find_map(|e| match &e.kind {
                EventKind::CharacteristicDeclared(d @ Declaration::PregnancyMaternity(_)) => Some(d.clone()),
                _ => None,
            })
        else {
            return;
        };
        if !PregnancyMaternity::meets_mbu_criterion(pm) {
            return;
        }
        let officer = format!("mbu.{}", home.code.as_str().to_ascii_lowercase());
        // Booklet within a week and a visit within two weeks (Principle 1 E): mostly, not always.
        if self.chance(0.9) {
            let t = {
                let hi = self.either(0.75, 7 * 24, 20 * 24);
                self.after(at, 2, hi)
            };
            self.push(t, &officer, EventKind::MbuBookletGiven { format: Format::EasyRead });
        }
        if self.chance(0.85) {
            let t = {
                let hi = self.either(0.7, 14 * 24, 30 * 24);
                self.after(at, 24, hi)
            };
            self.push(t, &officer, EventKind::MbuOfficerVisit { officer: Self::staff(&officer) });
        }
        if self.chance(0.45) {
            let t = self.after(at, 7 * 24, 30 * 24);
            if let Some(application) = self.push(t, &officer, EventKind::MbuApplicationMade {}) {
                let outcome = pick(
                    &mut self.rng,
                    &[(MbuOutcome::Approved, 60.0), (MbuOutcome::Refused, 30.0), (MbuOutcome::Withdrawn, 10.0)],
                );
                let t = self.after(t, 14 * 24, 60 * 24);
                self.push(t, "mbu.board", EventKind::MbuDecision { application, outcome, board_on: None });
            }
        }
    }

    /// Life in custody: key work, activities, requests, self-harm and ACCT, force, incentives, release planning.
    fn custody(&mut self, received: Timestamp, leaves: Timestamp, home: &Establishment, legal_status: LegalStatus) {
        let code = home.code.as_str().to_ascii_lowercase();
        let until = leaves.min(self.estate.end);
        let from = received.max(self.estate.start);
        if legal_status == LegalStatus::Remand && self.chance(0.7) {
            let t = self.after(received, 14 * 24, 120 * 24);
            if t < until {
                self.push(
                    t,
                    "records",
                    EventKind::LegalStatusChanged {
                        legal_status: LegalStatus::Sentenced,
                        expected_release: Some(crate::time::date_in_england(leaves)),
                    },
                );
            }
        }
        let t = self.after(received, 1, 48);
        self.push(
            t,
            &format!("reception.{code}"),
            EventKind::IncentiveLevelChanged { level: IncentiveLevel::Standard },
        );

        // A key worker has about six people; allocation takes days to weeks (report: OMiC).
        let key_worker = format!("kw.{code}.{}", self.rng.random_range(1..40));
        let allocated = self.after(received, 24, 21 * 24);
        let has_kw = self.chance(0.85) && allocated < until;
        if has_kw {
            self.push(
                allocated,
                &key_worker,
                EventKind::KeyWorkerAllocated { key_worker: Self::staff(&key_worker), over_cap_reason: None },
            );
        }
        let attendance = self.rng.random_range(0.2..0.8);
        let mut week = from.max(allocated) + days(self.rng.random_range(1..7));
        while week < until {
            if has_kw && self.chance(0.45) {
                let minutes = if self.chance(0.6) { 45 } else { self.rng.random_range(10..45) };
                self.push(
                    week,
                    &key_worker,
                    EventKind::KeyWorkSession { key_worker: Self::staff(&key_worker), minutes, note: None },
                );
            }
            if self.chance(attendance) {
                let activity = pick(
                    &mut self.rng,
                    &[
                        (Activity::Education, 30.0),
                        (Activity::Work, 35.0),
                        (Activity::Gym, 20.0),
                        (Activity::Arts, 5.0),
                        (Activity::Faith, 5.0),
                        (Activity::SharedReading, 2.0),
                        (Activity::PeerSupport, 3.0),
                    ],
                );
                let t = self.after(week, 0, 48);
                let minutes = self.rng.random_range(60..=240);

                self.push(
                    t,
                    &format!("activities.{code}"),
                    EventKind::ActivityAttended { activity, minutes, service: None },
                );
            }
            week += days(7);
        }

        let within = |b: &mut Self| {
            let span = (until - from).as_secs().max(DAY);
            from + SignedDuration::from_secs(b.rng.random_range(0..span))
        };
        // 49,565 self-harm incidents by 12,142 people in a year (the report): about 1 in 7 people, about 4 each.
        let women = home.population == Population::Women && self.estate.outcomes == Outcomes::Realistic;
        let p_self_harm = if women { 0.30 } else { 0.13 };
        if until > from && self.chance(p_self_harm) {
            let incidents = 1 + (self.rng.random::<f64>().ln() / 0.72f64.ln()) as u32;
            for _ in 0..incidents.min(40) {
                let t = within(self);
                self.push(t, &format!("officer.{code}"), EventKind::SelfHarmIncident { method: None, severity: None });
                if self.chance(0.7) {
                    self.acct(t, until, &code);
                }
            }
        }
        let p_force = match self.estate.outcomes {
            Outcomes::PlantedUseOfForce { group, factor } if self.ethnic_group == Some(group) => 0.12 * factor,
            _ => 0.12,
        };
        if until > from && self.chance(p_force) {
            let t = within(self);
            let planned = self.chance(0.2);

            self.push(t, &format!("officer.{code}"), EventKind::UseOfForce { planned });
        }
        if until > from && self.chance(0.25) {
            let t = within(self);
            let proven = self.chance(0.6);

            self.push(t, &format!("adjudications.{code}"), EventKind::Adjudication { proven });
        }
        if until > from && self.chance(0.3) {
            let level = if self.chance(0.2) { IncentiveLevel::Basic } else { IncentiveLevel::Enhanced };
            let t = within(self);
            self.push(t, &format!("officer.{code}"), EventKind::IncentiveLevelChanged { level });
        }
        for _ in 0..self.rng.random_range(0..4) {
            if until <= from {
                break;
            }
            let t = within(self);
            let category = pick(
                &mut self.rng,
                &[
                    (RequestCategory::Health, 25.0),
                    (RequestCategory::MentalHealth, 15.0),
                    (RequestCategory::Faith, 10.0),
                    (RequestCategory::Diet, 10.0),
                    (RequestCategory::Culture, 5.0),
                    (RequestCategory::Family, 20.0),
                    (RequestCategory::Information, 5.0),
                    (RequestCategory::Other, 10.0),
                ],
            );
            let confidential = self.chance(0.2);
            if let Some(request) = self.push(
                t,
                &self.pn.as_str().to_ascii_lowercase(),
                EventKind::RequestRaised {
                    category,
                    confidential,
                    detail: None,
                    first_night: false,
                    from_kiosk: false,
                },
            ) {
                if self.chance(0.85) {
                    let outcome = pick(
                        &mut self.rng,
                        &[
                            (RequestOutcome::Granted, 55.0),
                            (RequestOutcome::PartlyGranted, 10.0),
                            (RequestOutcome::Declined, 25.0),
                            (RequestOutcome::Referred, 10.0),
                        ],
                    );
                    let t = self.after(t, 2, 240);
                    let reason = matches!(outcome, RequestOutcome::Declined | RequestOutcome::PartlyGranted)
                        .then(|| "We explained why in person".to_string());
                    self.push(t, &format!("officer.{code}"), EventKind::RequestAnswered { request, outcome, reason });
                }
            }
        }
        if until > from && self.chance(0.015) {
            let t = within(self);
            let purpose = if self.chance(0.7) {
                TemporaryReleasePurpose::Funeral
            } else {
                TemporaryReleasePurpose::DyingRelative
            };
            if let Some(request) =
                self.push(t, &format!("officer.{code}"), EventKind::TemporaryReleaseRequested { purpose })
            {
                let t = self.after(t, 12, 96);
                let granted = self.chance(0.45);

                self.push(
                    t,
                    &format!("governor.{code}"),
                    EventKind::TemporaryReleaseDecided { request, granted, risk: None, reason: None },
                );
            }
        }
        if until > from && self.chance(0.01) {
            let t = within(self);
            if let Some(complaint) = self.push(
                t,
                &format!("equality.{code}"),
                EventKind::complaint_about(crate::characteristics::Characteristic::Ethnicity),
            ) {
                // Acknowledged, investigated by someone the complaint does not name, checked by a governor.
                let investigator = format!("investigator.{code}");
                let hour = SignedDuration::from_hours(1);
                self.push(
                    t + hour * 12,
                    &format!("equality.{code}"),
                    EventKind::DiscriminationComplaintAcknowledged { complaint },
                );
                self.push(
                    t + hour * 13,
                    &format!("equality.{code}"),
                    EventKind::DiscriminationInvestigatorNamed {
                        complaint,
                        investigator: crate::ids::StaffRef::parse(&investigator).expect("a username"),
                    },
                );
                let t = self.after(t, 24, 30 * 24);
                let upheld = self.chance(0.1);
                let finding = if upheld {
                    crate::event::ComplaintFinding::Upheld
                } else {
                    crate::event::ComplaintFinding::NotUpheld
                };
                if let Some(answer) = self.push(
                    t,
                    &investigator,
                    EventKind::DiscriminationComplaintAnswered {
                        complaint,
                        upheld,
                        finding: Some(finding),
                        response: Some("The investigation's response.".into()),
                    },
                ) {
                    self.push(
                        t + hour * 72,
                        &format!("governor.{code}"),
                        EventKind::DiscriminationAnswerChecked { answer, approved: true, comment: None },
                    );
                }
            }
        }
        self.peer_support(from, until, &code);
        // Release planning: items resolved over the stay; too many only in the final 12 weeks.
        if leaves <= self.estate.end {
            let on_caseload = self.events.iter().any(|e| matches!(e.kind, EventKind::ReferralAccepted { .. }));
            if on_caseload && self.chance(0.6) {
                let before = self.rng.random_range(1..((leaves - received).as_secs() / DAY).clamp(2, 30));
                // Referred to care after custody, and accepted the same day: the acceptance takes no
                // draw of its own, so the rest of the estate stays as it was.
                let by = format!("in.reach.{code}");
                let kind = EventKind::CommunityHandoverReferred { service: "RECONNECT".into() };
                if let Some(referral) = self.push(leaves - days(before), &by, kind) {
                    let referred = self.events.last().expect("just pushed").clone();
                    let later = SignedDuration::from_secs(60);
                    if referred.recorded_at + later <= self.estate.end {
                        self.events.push(Event {
                            id: referral.derived("accepted"),
                            occurred_at: referred.occurred_at + later,
                            recorded_at: referred.recorded_at + later,
                            kind: EventKind::CommunityHandoverAccepted { referral },
                            ..referred
                        });
                    }
                }
            }
            let items = [
                ReleasePlanItem::Accommodation,
                ReleasePlanItem::GpRegistration,
                ReleasePlanItem::Medication,
                ReleasePlanItem::Benefits,
                ReleasePlanItem::IdDocuments,
            ];
            for item in items {
                if self.chance(0.7) {
                    let before = self.rng.random_range(1..(leaves - received).as_secs().max(DAY + 1) / DAY);
                    self.push(
                        leaves - days(before),
                        &format!("resettlement.{code}"),
                        EventKind::ReleasePlanItemCompleted { item },
                    );
                }
            }
        }
    }

    /// Listeners and requests for them, from a stream of their own so every other event of the
    /// estate stays as it was. About 1,500 Listeners answer 50,000 requests a year among some
    /// 80,000 people (research/pathways.md section 2): about 2 in 100 people, 0.6 requests a year.
    fn peer_support(&mut self, from: Timestamp, until: Timestamp, code: &str) {
        use crate::codes::CodeSet;
        use crate::event::{
            NotMetReason, PeerScheme, SharedBackground, StandDownReason, SupportAsked, WithdrawnReason,
        };
        if until <= from {
            return;
        }
        let stream = self
            .pn
            .as_str()
            .bytes()
            .fold(from.as_second() as u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut own = ChaCha8Rng::seed_from_u64(self.estate.spec.seed ^ 0x4c49_5354_454e_4552);
        own.set_stream(stream);
        let main = std::mem::replace(&mut self.rng, own);
        let coordinator = format!("listeners.{code}");
        let span = (until - from).as_secs();
        if span > 60 * DAY && self.chance(0.03) {
            let t = from + SignedDuration::from_secs(self.rng.random_range(30 * DAY..span));
            let trained_on = crate::time::date_in_england(t - days(self.rng.random_range(1..14)));
            self.push(t, &coordinator, EventKind::PeerSupporterTrained { scheme: PeerScheme::Listener, trained_on });
            if self.chance(0.6) {
                let backgrounds: Vec<SharedBackground> =
                    SharedBackground::ALL.iter().copied().filter(|_| self.rng.random_bool(0.5)).collect();
                self.push(t + days(1), &coordinator, EventKind::PeerMatchingConsent { backgrounds });
            }
            if self.chance(0.25) {
                let stop =
                    t + SignedDuration::from_secs(self.rng.random_range(DAY..(until - t).as_secs().max(DAY + 1)));
                if stop < until {
                    let reason = if self.chance(0.7) { StandDownReason::Chose } else { StandDownReason::Scheme };
                    self.push(
                        stop,
                        &coordinator,
                        EventKind::PeerSupporterStoodDown { scheme: PeerScheme::Listener, reason },
                    );
                }
            }
        }
        let asks = if self.chance(0.12) { self.rng.random_range(1..5) } else { 0 };
        for _ in 0..asks {
            let t = from + SignedDuration::from_secs(self.rng.random_range(0..span.max(1)));
            let asked = if self.chance(0.8) { SupportAsked::Listener } else { SupportAsked::Samaritans };
            let match_on = if asked == SupportAsked::Listener && self.chance(0.15) {
                vec![if self.chance(0.5) { SharedBackground::Language } else { SharedBackground::Faith }]
            } else {
                vec![]
            };
            let officer = format!("officer.{code}");
            let Some(request) = self.push(t, &officer, EventKind::ListenerRequested { asked, match_on }) else {
                continue;
            };
            let roll = self.rng.random::<f64>();
            let later = |b: &mut Self, lo: i64, hi: i64| t + SignedDuration::from_mins(b.rng.random_range(lo..hi));
            if roll < 0.82 {
                let most = if self.chance(0.85) { 110 } else { 400 };
                let met = later(self, 5, most);
                self.push(met, &officer, EventKind::ListenerRequestMet { request, listener: None });
            } else if roll < 0.9 {
                let at = later(self, 5, 60);
                self.push(
                    at,
                    &officer,
                    EventKind::ListenerRequestWithdrawn { request, reason: WithdrawnReason::NoLongerWanted },
                );
            } else {
                // Only a request made just before the estate's end is still waiting.
                let at = later(self, 120, 300);
                let reason = if self.chance(0.6) { NotMetReason::NoneAvailable } else { NotMetReason::NoStaff };
                self.push(at, &officer, EventKind::ListenerRequestNotMet { request, reason });
            }
        }
        self.rng = main;
    }

    fn acct(&mut self, opened: Timestamp, until: Timestamp, code: &str) {
        use crate::event::{AcctReview, ObservationLevel};
        let by = format!("safer.custody.{code}");
        let Some(acct) = self.push(opened, &by, EventKind::AcctOpened { concern: None, immediate_action: None }) else {
            return;
        };
        let manager = Self::staff(&by);
        self.push(
            opened + SignedDuration::from_hours(20),
            &by,
            EventKind::AcctAssessmentInterview { acct, assessor: manager.clone() },
        );
        let closes = opened + days(self.rng.random_range(7..42));
        // Weekly reviews, each setting the next; most held by the date set, some a day late.
        let mut review = opened + SignedDuration::from_hours(22);
        while review < closes.min(until) {
            let next = review + days(7);
            let details = AcctReview {
                case_manager: manager.clone(),
                attended: "wing officer, healthcare, the person".into(),
                healthcare_present: self.chance(0.7),
                person_present: true,
                family_involved: false,
                observations_day: ObservationLevel::Hourly,
                observations_night: ObservationLevel::TwoHourly,
                conversations_day: 2,
                conversations_night: 0,
                next_review: crate::time::date_in_england(next),
                triggers: None,
            };
            self.push(review, &by, EventKind::AcctReviewed { acct: Some(acct), review: Some(details) });
            review = next + days(i64::from(self.chance(0.15)));
        }
        if closes < until {
            let reason = "Risk reduced: settled on the wing, in work".to_string();
            self.push(closes, &by, EventKind::AcctClosed { acct: Some(acct), reason: Some(reason) });
            if self.chance(0.8) {
                let t = self.after(closes, 24, 10 * 24);
                if t < until {
                    self.push(t, &by, EventKind::AcctPostClosureReview { acct });
                }
            }
        }
    }

    /// A few mistakes corrected: about one event in two hundred is superseded or voided.
    fn corrections(&mut self) {
        let n = self.events.len();
        for i in 0..n {
            if !self.chance(0.005) {
                continue;
            }
            let target = self.events[i].clone();
            let kind = match &target.kind {
                EventKind::KeyWorkSession { key_worker, minutes, note } => EventKind::KeyWorkSession {
                    key_worker: key_worker.clone(),
                    note: note.clone(),
                    minutes: (*minutes).clamp(20, 700) + 10,
                },
                EventKind::CharacteristicDeclared(Declaration::Ethnicity(_)) => EventKind::CharacteristicDeclared(
                    Declaration::Ethnicity(declared(&mut self.rng, ETHNICITY, 0.0, 0.0)),
                ),
                EventKind::ActivityAttended { .. } | EventKind::AcctReviewed { .. } => EventKind::EnteredInError {},
                _ => continue,
            };
            let reason = if kind == (EventKind::EnteredInError {}) {
                "recorded against the wrong person"
            } else {
                "corrected after checking with the person"
            };
            let at = target.occurred_at;
            let recorded = target.recorded_at + SignedDuration::from_secs(self.rng.random_range(3600..10 * DAY));
            if recorded > self.estate.end {
                continue;
            }
            let id = self.id();
            self.events.push(Event {
                id,
                person: self.pn.clone(),
                occurred_at: at,
                recorded_at: recorded,
                recorded_by: Self::staff("records"),
                correction: Some(Correction { supersedes: target.id, reason: reason.into() }),
                kind,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn estate(seed: u64) -> Estate {
        Estate::new(EstateSpec { establishments: 12, people: 400, years: 1, seed, end: jiff::civil::date(2026, 3, 31) })
    }

    #[test]
    fn same_seed_same_estate_different_seed_different_estate() {
        let (a, b, c) = (estate(7), estate(7), estate(8));
        for i in [0, 1, 399] {
            assert_eq!(a.person(i), b.person(i));
        }
        assert_ne!(a.person(5), c.person(5));
    }

    #[test]
    fn every_event_is_valid_and_links_resolve_within_the_timeline() {
        let e = estate(1);
        let end = TimeZone::UTC.to_timestamp(jiff::civil::date(2026, 3, 31).at(23, 59, 59, 0)).unwrap();
        let mut numbers = HashSet::new();
        let mut women = 0;
        for i in 0..e.people_count() {
            let (p, events) = e.person(i);
            assert!(numbers.insert(p.prison_number.clone()), "prison numbers are unique");
            assert!(matches!(events[0].kind, EventKind::Reception { .. }), "a timeline starts at reception");
            let ids: std::collections::HashMap<_, _> = events.iter().map(|e| (e.id, e.summary())).collect();
            let mut superseded = HashSet::new();
            for ev in &events {
                ev.check().unwrap_or_else(|r| panic!("{ev:?}: {r}"));
                ev.check_links(|id| ids.get(&id).cloned()).unwrap_or_else(|r| panic!("{ev:?}: {r}"));
                assert!(ev.recorded_at <= end);
                if let Some(c) = &ev.correction {
                    assert!(superseded.insert(c.supersedes), "superseded at most once");
                }
            }
            if events
                .iter()
                .any(|e| e.kind == EventKind::CharacteristicDeclared(Declaration::Sex(Declared::Stated(Sex::Female))))
            {
                women += 1;
            }
        }
        // About 4% women: 400 people give a handful, never none and never most.
        assert!((3..60).contains(&women), "{women} women");
    }

    #[test]
    fn prison_numbers_are_distinct_and_well_formed() {
        let all: HashSet<_> = (0..200_000).step_by(7).map(prison_number).collect();
        assert_eq!(all.len(), (0..200_000).step_by(7).count());
    }
}
