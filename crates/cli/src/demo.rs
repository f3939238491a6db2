//! `throughcare demo`: a demo estate dated to today in which every demo account has real work,
//! one account per role, then the server.
//!
//! The synthetic estate gives a year of ordinary life; the scenario here then closes the old
//! backlog the way a working prison would have (late), and adds this week's work for each demo
//! account: a key worker's six people, pregnant women and mothers at the women's prison with MBU
//! deadlines, open ACCT cases, referrals waiting, a hospital transfer under way, releases coming up,
//! requests and a complaint waiting, a voluntary partner's sessions, and equality findings at
//! different stages.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use jiff::{SignedDuration, Timestamp};
use throughcare_core::characteristics::Religion;
use throughcare_core::codes::CodeSet;
use throughcare_core::communication::Format;
use throughcare_core::communication::{FamilyContact, FamilyInvolvement};
use throughcare_core::event::{
    Activity, Hearing, Instrument, LegalStatus, Priority, ReceptionType, ReleasePlanItem, RequestCategory, Service,
    SharedBackground, SupportAsked,
};
use throughcare_core::finding::{FindingChange, FindingText};
use throughcare_core::standards::engine::Outcome;
use throughcare_core::synthetic::{Estate, EstateSpec, Outcomes};
use throughcare_core::timeline::Timeline;
use throughcare_core::{
    Characteristic, Declaration, Declared, EstablishmentCode, Event, EventId, EventKind, Person, PrisonNumber, StaffRef,
};
use throughcare_store::obligations::Engine;
use throughcare_store::{Db, Table};
use throughcare_web::clock::Clock;
use throughcare_web::roles::Role;
use throughcare_web::{AppState, Config};

/// The demo estate's men's establishment; MBU officers work at the women's one.
const MEN: &str = "AAB";
const WOMEN: &str = "AAA";
/// The other men's prison, from which people transfer in.
const OTHER: &str = "AAC";

/// Size of the demo estate: enough people that a planted disparity is flagged, small enough to seed in seconds.
const PEOPLE: usize = 1500;

pub async fn run(
    db: &Db,
    engine: Arc<Engine>,
    addr: SocketAddr,
    password: Option<String>,
    sqlite: bool,
    clock: Clock,
) -> Result<()> {
    if !sqlite {
        eprintln!("note: the demo is meant for a SQLite file; using the database given");
    }
    let (password, generated) = crate::password_or_generated(password);
    let fresh = db.count(Table::People).await? == 0;
    if fresh {
        eprintln!("seeding a demo estate (3 establishments, {PEOPLE} people, the year to today)...");
        let now = clock.now();
        let end = throughcare_core::time::date_in_england(now);
        // Use of force four times as likely for Black people: a disparity the equality report must flag.
        let estate = Estate::new(EstateSpec { establishments: 3, people: PEOPLE, years: 1, seed: 1, end })
            .with_outcomes(Outcomes::PlantedUseOfForce {
                group: throughcare_core::characteristics::EthnicGroup::Black,
                factor: 4.0,
            });
        throughcare_store::seed::seed(db, estate, Some(engine.clone()), |_| {}).await?;
    }
    println!("Demo accounts (password {}):", if generated { password.as_str() } else { "as given" });
    for role in Role::ALL {
        let username = username(*role);
        let establishment = match role {
            _ if role.estate_wide() => None,
            Role::MbuOfficer => Some(WOMEN.parse()?),
            _ => Some(MEN.parse()?),
        };
        match db.staff(&username).await? {
            None => {
                throughcare_web::auth::add_staff(
                    db,
                    &username,
                    &format!("Demo {}", role.label()),
                    *role,
                    establishment.clone(),
                    &password,
                    clock.now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            Some(_) => {
                let mut tx = db.begin_write().await?;
                tx.set_password(&username, &throughcare_web::hash_password(&password)).await?;
                tx.commit().await?;
            }
        }
        println!("  {username:<28} {}{}", role.label(), establishment.map(|e| format!(" at {e}")).unwrap_or_default());
    }
    if fresh {
        let n = scenario(db, &engine, clock.now()).await?;
        eprintln!("added {n} events of this week's work for the demo accounts");
        findings(db, &engine, clock.now()).await?;
    }
    kiosk_people(db, clock.now()).await?;
    println!("throughcare demo: open http://{addr} and sign in");
    throughcare_web::serve(addr, AppState::new(db.clone(), engine, Config { secure_cookies: false, clock })).await?;
    Ok(())
}

fn username(role: Role) -> String {
    format!("demo.{}", role.code())
}

fn staff(role: Role) -> StaffRef {
    StaffRef::parse(&username(role)).expect("demo usernames are well formed")
}

/// Builds the scenario's events with ids that are the same on every run.
struct Scenario {
    now: Timestamp,
    events: Vec<Event>,
}

impl Scenario {
    fn add(&mut self, person: &PrisonNumber, ago: SignedDuration, by: Role, kind: EventKind) -> EventId {
        self.add_at(person, self.now - ago, by, kind)
    }

    fn add_at(&mut self, person: &PrisonNumber, at: Timestamp, by: Role, kind: EventKind) -> EventId {
        let n = self.events.len() as u32;
        let mut bytes = [0xd3u8; 16];
        bytes[..4].copy_from_slice(&n.to_be_bytes());
        let id = EventId::from_random_bytes(bytes);
        let at = at.min(self.now);
        self.events.push(Event {
            id,
            person: person.clone(),
            occurred_at: at,
            recorded_at: at,
            recorded_by: staff(by),
            correction: None,
            kind,
        });
        id
    }
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// The event that meets an obligation, as a working prison would have recorded it (late).
fn completion(standard: &str) -> Option<(Role, EventKind)> {
    let screen = |instrument| throughcare_core::synthetic::screening(instrument, &[]);
    let plan = |item| (Role::Resettlement, EventKind::ReleasePlanItemCompleted { item });
    Some(match standard {
        "first-night-screen" => (Role::ReceptionNurse, screen(Instrument::ReceptionFirstStage)),
        "second-stage-assessment" => (Role::ReceptionNurse, EventKind::HealthAssessmentCompleted {}),
        "mental-health-rescreen" => (Role::ReceptionNurse, screen(Instrument::MentalHealthRescreen)),
        "critical-medication" => (Role::ReceptionNurse, EventKind::MedicationGiven { critical: true, medicine: None }),
        "suicide-risk-assessment" => (Role::MentalHealth, screen(Instrument::SuicideRiskAssessment)),
        "key-worker-allocation" => (
            Role::KeyWorkManager,
            EventKind::KeyWorkerAllocated { key_worker: StaffRef::parse("kw.pool").ok()?, over_cap_reason: None },
        ),
        "mbu-booklet" => (Role::MbuOfficer, EventKind::MbuBookletGiven { format: Format::EasyRead }),
        "mbu-officer-visit" | "mbu-additional-visit" => {
            (Role::MbuOfficer, EventKind::MbuOfficerVisit { officer: StaffRef::parse("mbu.pool").ok()? })
        }
        "mbu-support-after-refusal" => (
            Role::MentalHealth,
            EventKind::ReferralMade {
                service: Service::InReach,
                priority: Priority::Routine,
                self_referral: false,
                reason: None,
            },
        ),
        "medicines-reconciliation" => (Role::ReceptionNurse, EventKind::MedicinesReconciled {}),
        // Referrals and transfers to hospital go step by step; an old one left waiting stays on
        // the worklist, overdue, as such cases do.
        "release-accommodation" => plan(ReleasePlanItem::Accommodation),
        "release-gp-registration" => plan(ReleasePlanItem::GpRegistration),
        "release-medication" => plan(ReleasePlanItem::Medication),
        "release-id-documents" => plan(ReleasePlanItem::IdDocuments),
        "release-bank-and-benefits" => plan(ReleasePlanItem::Benefits),
        "release-social-care" => plan(ReleasePlanItem::SocialCare),
        "release-family-support" => plan(ReleasePlanItem::Family),
        "community-handover-referred" => {
            (Role::MentalHealth, EventKind::CommunityHandoverReferred { service: "RECONNECT".into() })
        }
        _ => return None,
    })
}

/// People in custody at an establishment with their timelines, in a fixed order.
/// The PIN the demo gives two people for the kiosk: a man with a key worker at the men's prison,
/// and a woman on the MBU pathway at the women's. Never a PIN a real prison would accept twice.
const DEMO_PIN: &str = "2580";

async fn kiosk_people(db: &Db, now: Timestamp) -> Result<()> {
    let mut chosen = Vec::new();
    if let Some((p, _)) = held(db, MEN).await?.into_iter().find(|(_, t)| t.state_at(now).key_worker.is_some()) {
        chosen.push(p);
    }
    if let Some((p, _)) = held(db, WOMEN)
        .await?
        .into_iter()
        .find(|(_, t)| throughcare_core::pathways::mbu::case(t, now).is_some_and(|c| c.qualifies))
    {
        chosen.push(p);
    }
    println!("Kiosk (http://HOST/kiosk/sign-in), PIN {DEMO_PIN}:");
    let hash = throughcare_web::hash_password(DEMO_PIN);
    for p in chosen {
        let mut tx = db.begin_write().await?;
        tx.set_kiosk_pin(&p.prison_number, &hash, "system", now, "en", false).await?;
        tx.commit().await?;
        println!("  {:<28} {} {}", p.prison_number.as_str(), p.given_name.as_str(), p.family_name.as_str());
    }
    Ok(())
}

async fn held(db: &Db, code: &str) -> Result<Vec<(Person, Timeline)>> {
    Ok(db.timelines_in_custody(&code.parse::<EstablishmentCode>()?).await?)
}

async fn scenario(db: &Db, engine: &Engine, now: Timestamp) -> Result<usize> {
    let mut s = Scenario { now, events: Vec::new() };

    // 1. The backlog: anything more than a fortnight overdue was done late, as a working prison does.
    // People given such an entry are left out of this week's scenes below.
    let stale = now - days(14);
    let mut used: HashSet<PrisonNumber> = HashSet::new();
    for code in [MEN, WOMEN, OTHER] {
        for (p, _) in held(db, code).await? {
            for o in db.obligations_of(&p.prison_number).await? {
                if o.outcome != Outcome::Open || o.due_at >= stale {
                    continue;
                }
                let Some((by, mut kind)) = completion(o.standard.as_str()) else { continue };
                // One of the prison's own key workers, not a pool: caseloads stay as the estate made them.
                if let EventKind::KeyWorkerAllocated { key_worker, .. } = &mut kind {
                    let n = 1 + p.prison_number.as_str().bytes().map(u32::from).sum::<u32>() % 39;
                    *key_worker = StaffRef::parse(&format!("kw.{}.{n}", code.to_ascii_lowercase()))?;
                }
                let late = o.due_at + days(1 + i64::from(o.trigger.to_string().as_bytes()[0] % 9));
                s.add_at(&p.prison_number, late.min(stale), by, kind);
                used.insert(p.prison_number.clone());
            }
        }
    }

    let men = held(db, MEN).await?;
    let other = held(db, OTHER).await?;
    let now_state = |t: &Timeline| t.state_at(now);
    let mut pick =
        |pred: &dyn Fn(&Person, &Timeline) -> bool, n: usize, from: &[(Person, Timeline)]| -> Vec<PrisonNumber> {
            // Only people settled in for six weeks, so nothing in their own first days gets in the way.
            let settled =
                |t: &Timeline| t.state_at(now).current_episode().is_some_and(|ep| ep.received_at < now - days(42));
            let chosen: Vec<PrisonNumber> = from
                .iter()
                .filter(|(p, t)| !used.contains(&p.prison_number) && settled(t) && pred(p, t))
                .take(n)
                .map(|(p, _)| p.prison_number.clone())
                .collect();
            used.extend(chosen.iter().cloned());
            chosen
        };

    // 2. The key worker's six people, handed over from other key workers on different days, so a
    // session falls due on each day of this week; most had last week's session.
    let long_stay = |_: &Person, t: &Timeline| {
        let st = now_state(t);
        st.current_episode().is_some_and(|ep| {
            ep.expected_release.is_none_or(|d| d > throughcare_core::time::date_in_england(now + days(120)))
        })
    };
    let six = pick(&long_stay, 6, &men);
    for (i, pn) in six.iter().enumerate() {
        let allocated = days(14 + i as i64) + hours(3);
        s.add(
            pn,
            allocated,
            Role::KeyWorkManager,
            EventKind::KeyWorkerAllocated { key_worker: staff(Role::KeyWorker), over_cap_reason: None },
        );
        if i != 2 {
            s.add(
                pn,
                allocated - days(8),
                Role::KeyWorker,
                EventKind::KeyWorkSession {
                    key_worker: staff(Role::KeyWorker),
                    minutes: 50,
                    note: Some("Talked about getting back into education".into()),
                },
            );
        }
        // What is coming up in their lives: the first is Jewish (Hanukkah in December, the fast
        // of 9 Av in July fall within a fortnight of the demo's clocks); the second has named his
        // mum as family, with her birthday in four days; the third has a parole hearing.
        match i {
            0 => {
                s.add(
                    pn,
                    hours(30),
                    Role::ReceptionNurse,
                    EventKind::CharacteristicDeclared(Declaration::Religion(Declared::Stated(Religion::Jewish), None)),
                );
            }
            1 => {
                let today = throughcare_core::time::date_in_england(now);
                let birthday =
                    today.checked_add(jiff::Span::new().days(4))?.checked_sub(jiff::Span::new().years(58))?;
                s.add(
                    pn,
                    days(30),
                    Role::KeyWorker,
                    EventKind::FamilyContactNamed(FamilyContact {
                        name: "Maureen Walsh".into(),
                        relationship: "my mum".into(),
                        involvement: FamilyInvolvement::AskEachTime,
                        told_of_transfer: true,
                        birthday: Some(birthday),
                    }),
                );
            }
            3 => {
                let on = throughcare_core::time::date_in_england(now + days(10));
                s.add(pn, days(20), Role::KeyWorker, EventKind::HearingScheduled { hearing: Hearing::Parole, on });
            }
            _ => {}
        }
    }
    // Two men arrive from the other prison: one today (the first-night screen is due today), one
    // 16 days ago who still has no key worker (the allocation, due in 14 days, is overdue).
    for (i, pn) in pick(&|_, _| true, 2, &other).iter().enumerate() {
        let arrived = if i == 0 { hours(1) } else { days(16) };
        s.add(pn, arrived + hours(5), Role::ReceptionNurse, EventKind::TransferOut { to_establishment: MEN.parse()? });
        s.add(
            pn,
            arrived,
            Role::ReceptionNurse,
            EventKind::Reception {
                establishment: MEN.parse()?,
                reception_type: ReceptionType::TransferIn,
                legal_status: LegalStatus::Sentenced,
                location: Some(if i == 0 { "R-1-01" } else { "C-2-07" }.into()),
                expected_release: Some(throughcare_core::time::date_in_england(now + days(300 + 100 * i as i64))),
            },
        );
        if i == 1 {
            // Screened and assessed on arrival, as the healthcare team does.
            s.add(
                pn,
                arrived - hours(1),
                Role::ReceptionNurse,
                throughcare_core::synthetic::screening(Instrument::ReceptionFirstStage, &[]),
            );
            s.add(pn, arrived - days(2), Role::ReceptionNurse, EventKind::HealthAssessmentCompleted {});
            s.add(
                pn,
                arrived - days(3),
                Role::ReceptionNurse,
                throughcare_core::synthetic::screening(Instrument::MentalHealthRescreen, &[]),
            );
        }
    }

    // 3. Safer custody: two open ACCT cases, one reviewed.
    for (i, pn) in pick(&|_, t| !now_state(t).acct_open, 2, &men).iter().enumerate() {
        let concern = if i == 0 {
            "Told his officer he had nothing left to live for"
        } else {
            "Found with a ligature in his cell"
        };
        let acct = s.add(
            pn,
            days(3 + i as i64),
            Role::SaferCustody,
            EventKind::AcctOpened {
                concern: Some(concern.into()),
                immediate_action: Some("Checks every hour; a Listener offered".into()),
            },
        );
        let manager = StaffRef::parse(&username(Role::SaferCustody))?;
        s.add(
            pn,
            days(2 + i as i64) + hours(6),
            Role::SaferCustody,
            EventKind::AcctAssessmentInterview { acct, assessor: manager.clone() },
        );
        if i == 0 {
            let review = throughcare_core::event::AcctReview {
                case_manager: manager,
                attended: "wing officer, a nurse, the chaplain, the person".into(),
                healthcare_present: true,
                person_present: true,
                family_involved: false,
                observations_day: throughcare_core::event::ObservationLevel::Hourly,
                observations_night: throughcare_core::event::ObservationLevel::TwoHourly,
                conversations_day: 2,
                conversations_night: 0,
                next_review: throughcare_core::time::date_in_england(now),
                triggers: Some("Calls from home not answered; news about his court date".into()),
            };
            s.add(pn, days(1), Role::SaferCustody, EventKind::AcctReviewed { acct: Some(acct), review: Some(review) });
            for h in [20, 19, 18, 16] {
                s.add(pn, hours(h), Role::SaferCustody, EventKind::AcctObservation { acct, conversation: h == 18 });
            }
        }
    }

    // 3b. The Listener coordinator: a man asked for a Listener 40 minutes ago (due within 2 hours),
    // another asked last night and a Listener came within the hour.
    for (i, pn) in pick(&|_, _| true, 2, &men).iter().enumerate() {
        let (asked, match_on) = if i == 0 {
            (hours(0) + SignedDuration::from_mins(40), vec![SharedBackground::Faith])
        } else {
            (hours(14), vec![])
        };
        let request =
            s.add(pn, asked, Role::KeyWorker, EventKind::ListenerRequested { asked: SupportAsked::Listener, match_on });
        if i == 1 {
            s.add(
                pn,
                asked - SignedDuration::from_mins(50),
                Role::ListenerCoordinator,
                EventKind::ListenerRequestMet { request, listener: None },
            );
        }
    }

    // 4. Mental health and healthcare: referrals waiting, a hospital transfer under way, a PHQ-9
    // with thoughts of self-harm today (a same-day suicide-risk assessment).
    for (i, pn) in pick(&|_, _| true, 2, &men).iter().enumerate() {
        s.add(
            pn,
            days(2 + 3 * i as i64),
            Role::ReceptionNurse,
            EventKind::ReferralMade {
                service: Service::InReach,
                priority: if i == 0 { Priority::Urgent } else { Priority::Routine },
                self_referral: false,
                reason: Some("Known to the community mental health team; low mood since arrival".into()),
            },
        );
    }
    for pn in pick(&|_, _| true, 1, &men) {
        s.add(
            &pn,
            days(10),
            Role::MentalHealth,
            EventKind::ReferralMade {
                service: Service::HospitalTransfer,
                priority: Priority::Urgent,
                self_referral: false,
                reason: Some("Psychotic symptoms not responding to treatment in prison".into()),
            },
        );
    }
    for pn in pick(&|_, _| true, 1, &men) {
        s.add(
            &pn,
            hours(2),
            Role::ReceptionNurse,
            throughcare_core::synthetic::screening(
                Instrument::Phq9,
                &[("q1", "3"), ("q2", "3"), ("q3", "3"), ("q4", "3"), ("q5", "2"), ("q6", "1"), ("q9", "1")],
            ),
        );
    }

    // 5. Resettlement: two people due out within 12 weeks.
    for (i, pn) in pick(&|_, _| true, 2, &men).iter().enumerate() {
        let release = throughcare_core::time::date_in_england(now + days(20 + 30 * i as i64));
        s.add(
            pn,
            days(1),
            Role::Resettlement,
            EventKind::LegalStatusChanged { legal_status: LegalStatus::Sentenced, expected_release: Some(release) },
        );
    }

    // 6. Chaplaincy and the equality lead: requests and a complaint waiting for an answer.
    let asks = [
        (RequestCategory::Faith, Role::Chaplaincy, "To see the imam before Friday prayers"),
        (RequestCategory::Diet, Role::EqualityLead, "A halal meal, kept away from pork utensils"),
    ];
    for (i, pn) in pick(&|_, _| true, 2, &men).iter().enumerate() {
        let (category, by, detail) = asks[i];
        s.add(
            pn,
            days(1 + i as i64),
            by,
            EventKind::RequestRaised {
                category,
                confidential: false,
                detail: Some(detail.into()),
                first_night: false,
                from_kiosk: false,
            },
        );
    }
    // Two discrimination complaints: one from the kiosk waiting to be acknowledged (a day left),
    // one with its investigator, who is the demo safer custody officer.
    for (i, pn) in pick(&|_, _| true, 2, &men).iter().enumerate() {
        let complaint = s.add(
            pn,
            days(2 + 3 * i as i64),
            Role::EqualityLead,
            EventKind::DiscriminationComplaintRaised {
                characteristic: Some([Characteristic::Religion, Characteristic::Ethnicity][i]),
                also: vec![],
                reporter: Some(throughcare_core::event::ComplaintReporter::Person),
                what_happened: Some(
                    [
                        "My prayer mat was thrown on the floor during a cell search and nobody said sorry.",
                        "Officers on the servery make jokes about Travellers when I collect my food.",
                    ][i]
                        .into(),
                ),
                happened_on: Some(throughcare_core::time::date_in_england(now - days(3 + 3 * i as i64))),
                place: Some(["My cell, B wing", "The servery"][i].into()),
                involved: None,
                staff_named: vec![],
                wants: Some(["An apology", "For it to stop"][i].into()),
                from_kiosk: i == 0,
            },
        );
        if i == 1 {
            s.add(pn, days(4), Role::EqualityLead, EventKind::DiscriminationComplaintAcknowledged { complaint });
            s.add(
                pn,
                days(4),
                Role::EqualityLead,
                EventKind::DiscriminationInvestigatorNamed { complaint, investigator: staff(Role::SaferCustody) },
            );
        }
    }

    // 7. A voluntary-sector partner's shared reading group (in the directory), this week and last;
    // and the regime's record of time out of cell for the last week, for the equality report.
    for (i, pn) in pick(&|_, _| true, 3, &men).iter().enumerate() {
        s.add(
            pn,
            days(2 + 7 * (i as i64 % 2)) + hours(i as i64),
            Role::VoluntaryPartner,
            EventKind::ActivityAttended { activity: Activity::SharedReading, minutes: 60, service: Some(READER) },
        );
    }
    let today = throughcare_core::time::date_in_england(now);
    for (i, (p, _)) in men.iter().take(120).enumerate() {
        for d in 1..=7i64 {
            let on = today.checked_sub(jiff::Span::new().days(d))?;
            // From an hour to six hours a day, varying by person and day.
            let minutes = 60 + ((i as u16 * 37 + d as u16 * 53) % 300);
            s.add(&p.prison_number, days(d) - hours(6), Role::KeyWorkManager, EventKind::TimeOutOfCell { on, minutes });
        }
    }

    // 8. The women's prison: pregnant women and a mother of a baby, MBU deadlines due and one missed.
    let women = held(db, WOMEN).await?;
    let not_declared = |_: &Person, t: &Timeline| {
        let st = now_state(t);
        !matches!(
            st.characteristics.as_at(Characteristic::PregnancyMaternity, now),
            Some(Declaration::PregnancyMaternity(Declared::Stated(pm))) if pm.pregnant || pm.child_under_18_months_in_community
        ) && st.characteristics.code_at(Characteristic::Sex, now) == "F"
    };
    let mothers = pick(&not_declared, 4, &women);
    for (i, pn) in mothers.iter().enumerate() {
        let value = if i == 1 { "CHILD_U18M" } else { "PREGNANT" };
        let declared = days([2, 5, 10, 16][i]);
        s.add(
            pn,
            declared,
            Role::MbuOfficer,
            EventKind::CharacteristicDeclared(
                Declaration::parse("pregnancy_maternity", value, None).map_err(anyhow::Error::msg)?,
            ),
        );
        match i {
            // Ten days ago and no booklet yet: the week's deadline was missed.
            2 => {}
            // Sixteen days ago: booklet given on time, the officer's visit now overdue.
            3 => {
                s.add(
                    pn,
                    declared - days(2),
                    Role::MbuOfficer,
                    EventKind::MbuBookletGiven { format: Format::EasyRead },
                );
            }
            _ => {}
        }
    }

    let events = s.events;
    let n = events.len();
    let people = throughcare_store::obligations::people_of(&events);
    let mut tx = db.begin_write().await?;
    tx.append_events(&events).await?;
    tx.refresh_obligations(&people, engine, now).await?;
    workforce(&mut tx, now).await?;
    equality_work(db, &mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// The latest of the last four quarters in which complaints at the men's prison were answered, and
/// those complaints.
async fn answered_in_a_past_quarter(
    db: &Db,
    today: jiff::civil::Date,
) -> Result<Option<(throughcare_core::scrutiny::Quarter, Vec<EventId>)>> {
    let sent: Vec<(EventId, jiff::civil::Date)> = db
        .answered_complaints(&MEN.parse()?)
        .await?
        .into_iter()
        .map(|(c, at)| (c.id, throughcare_core::time::date_in_england(at)))
        .collect();
    let mut q = throughcare_core::scrutiny::Quarter::of(today);
    for _ in 0..4 {
        q = q.previous();
        let ids: Vec<EventId> =
            sent.iter().filter(|(_, d)| *d >= q.first_day() && *d < q.end()).map(|(id, _)| *id).collect();
        if !ids.is_empty() {
            return Ok(Some((q, ids)));
        }
    }
    Ok(None)
}

/// The shared reading group's entry in the men's prison's directory.
const READER: EventId = EventId::from_uuid(uuid::Uuid::from_u128(0x5ead_0000_0000_4000_8000_0000_0000_0001));

/// At the men's prison: the equality team, a race equality forum with one action done and one
/// open, the directory's shared reading group, a curtailment this week, and the latest quarter's
/// scrutiny sample released to the panel.
async fn equality_work(db: &Db, tx: &mut throughcare_store::WriteTx, now: Timestamp) -> Result<()> {
    use throughcare_core::establishment::{
        Aim, CurtailmentCause, EstablishmentEvent, ForumAction, InvolvementArea, Kind, TeamMember,
    };
    let today = throughcare_core::time::date_in_england(now);
    let ago = |n: i64| today.checked_sub(jiff::Span::new().days(n));
    let id = |n: u128| EventId::from_uuid(uuid::Uuid::from_u128(0x5ead_0000_0000_4000_8000_0000_0000_0000 + n));
    let forum = id(2);
    let meeting = id(3);
    let entries = vec![
        (id(10), Kind::TeamMemberNamed {
            member: TeamMember::Staff { username: staff(Role::EqualityLead), part: "Equality lead".into() },
            characteristic: None,
        }),
        (id(11), Kind::TeamMemberNamed {
            member: TeamMember::Staff { username: staff(Role::Chaplaincy), part: "Faith lead".into() },
            characteristic: Some(Characteristic::Religion),
        }),
        (READER, Kind::ServiceListed {
            organisation: "The Reader".into(),
            service: "Shared reading group".into(),
            category: Activity::SharedReading,
            what: "Stories and poems read aloud together, and talked about".into(),
            for_whom: "Everyone; no reading needed".into(),
            when: "Tuesdays at 2pm, in the library".into(),
            how_to_refer: "Ask the librarian, or refer here".into(),
            consent_needed: true,
        }),
        (forum, Kind::ForumSetUp { name: "Race equality forum".into(), characteristic: Some(Characteristic::Ethnicity) }),
        (meeting, Kind::ForumMeetingHeld {
            forum,
            held_on: ago(10)?,
            people_attended: 14,
            staff_attended: 3,
            raised: "Afro combs and hair oil missing from the canteen list; Gypsy and Traveller men not told about the forum.".into(),
            actions: vec![
                ForumAction { action: "Add afro combs and hair oil to the canteen list".into(), owner: "Canteen manager".into(), due: ago(3)? },
                ForumAction { action: "Tell every Gypsy and Traveller man on the wings about the forum".into(), owner: "Equality lead".into(), due: today.checked_add(jiff::Span::new().days(14))? },
            ],
        }),
        (id(4), Kind::ForumActionDone { meeting, action: 0, note: Some("On the list from this week".into()) }),
        (id(5), Kind::RegimeCurtailed { on: ago(2)?, minutes: 180, cause: CurtailmentCause::StaffShortage, wings: "A and B wings".into() }),
        (id(20), Kind::ObjectiveSet {
            aim: Aim::AdvanceEquality,
            objective: "Men of every ethnic group are referred to mental-health in-reach at the same rate for the same need".into(),
            owner: "Head of healthcare".into(),
            set_on: ago(300)?,
            review_by: ago(300)?.checked_add(jiff::Span::new().years(3))?,
        }),
        (id(21), Kind::ObjectiveActionAgreed {
            objective: id(20),
            action: "Review every reception screen that found no need for Black and mixed-heritage men each month".into(),
            owner: "Mental health in-reach lead".into(),
            due: ago(60)?,
        }),
        (id(22), Kind::ObjectiveActionDone { action: id(21), note: Some("Monthly review in place".into()) }),
        (id(23), Kind::ObjectiveActionAgreed {
            objective: id(20),
            action: "Train reception nurses in culturally competent screening, with people with lived experience".into(),
            owner: "Healthcare training lead".into(),
            due: today.checked_add(jiff::Span::new().days(60))?,
        }),
        (id(24), Kind::ObjectiveSet {
            aim: Aim::FosterRelations,
            objective: "Every faith and belief group marks its festivals the way its members choose".into(),
            owner: "Managing chaplain".into(),
            set_on: ago(300)?,
            review_by: ago(300)?.checked_add(jiff::Span::new().years(4))?,
        }),
        (id(25), Kind::ExpertInvolved {
            who: "Two Listeners from B wing".into(),
            lived_experience: Some("Self-harm in custody".into()),
            area: InvolvementArea::Training,
            on: ago(30)?,
            what: "Co-delivered the ACCT refresher for wing officers".into(),
            changed: "Case reviews now begin by asking the person what helps".into(),
        }),
    ];
    let mut entries = entries;
    if let Some((quarter, answered)) = answered_in_a_past_quarter(db, today).await? {
        let complaints = throughcare_core::scrutiny::draw(&answered, throughcare_core::scrutiny::DEFAULT_RULE, 1);
        let sample = id(6);
        entries.push((
            sample,
            Kind::ScrutinySampleDrawn {
                quarter: quarter.to_string(),
                answered: answered.len() as u32,
                seed: 1,
                complaints,
            },
        ));
        entries.push((id(7), Kind::ScrutinyReleased { sample }));
    }
    for (i, (id, kind)) in entries.into_iter().enumerate() {
        let e = EstablishmentEvent {
            id,
            establishment: MEN.parse()?,
            recorded_at: now - days(12) + hours(i as i64),
            recorded_by: staff(Role::EqualityLead),
            kind,
        };
        tx.append_establishment_event(&e).await?.map_err(anyhow::Error::msg)?;
    }
    Ok(())
}

/// At the men's prison: one key worker on annual leave this week, and a training session on life
/// events, coproduced with people with lived experience, that the demo key worker attended.
async fn workforce(tx: &mut throughcare_store::WriteTx, now: Timestamp) -> Result<()> {
    use throughcare_core::pathways::key_work::{AbsenceKind, TrainingTopic};
    use throughcare_store::workforce::{Absence, TrainingSession};
    let today = throughcare_core::time::date_in_england(now);
    let manager = staff(Role::KeyWorkManager);
    tx.insert_absence(
        &Absence {
            id: 0,
            staff: StaffRef::parse("kw.aab.3")?,
            establishment: MEN.parse()?,
            kind: AbsenceKind::AnnualLeave,
            starts_on: today.checked_sub(jiff::Span::new().days(1))?,
            ends_on: Some(today.checked_add(jiff::Span::new().days(5))?),
        },
        &manager,
        now,
    )
    .await?;
    tx.insert_training(
        &TrainingSession {
            id: 0,
            establishment: MEN.parse()?,
            topic: TrainingTopic::LifeEvents,
            title: "Life events that hurt: birthdays, anniversaries, funerals".into(),
            held_on: today.checked_sub(jiff::Span::new().days(20))?,
            coproduced: true,
            lived_experience: true,
            attended: vec![staff(Role::KeyWorker), StaffRef::parse("kw.aab.1")?, StaffRef::parse("kw.aab.2")?],
            recorded_at: now - days(19),
        },
        &manager,
    )
    .await?;
    Ok(())
}

/// Runs the equality report for the last full year and the twelve months to today, for the estate
/// and for the men's prison, and answers some findings: one explained, one with a reform planned, the
/// rest new.
async fn findings(db: &Db, engine: &Engine, now: Timestamp) -> Result<()> {
    use throughcare_equality::report::Scope;
    use throughcare_web::equality::{build_report, measured_of};
    let today = throughcare_core::time::date_in_england(now);
    // The last full year (April to March), which the annual report covers, and the twelve months
    // to today, which the demo estate fills at whatever date it is run (so the planted disparity is
    // flagged at any clock): a finding has two periods to show, the later one its standing.
    let before = throughcare_core::annual_report::FinancialYear::containing(today).previous().period();
    let from = throughcare_core::time::add_days(today, -364)?;
    let period = throughcare_core::time::Period::new(from, today).map_err(anyhow::Error::msg)?;
    for (scope, answerer) in [(Scope::Estate, Role::Analyst), (Scope::Establishment(MEN.parse()?), Role::Governor)] {
        for p in [before, period] {
            match build_report(db, engine, scope.clone(), p, now).await? {
                Ok(report) => {
                    let mut tx = db.begin_write().await?;
                    tx.record_findings(scope.code(), p, now, &measured_of(&report)).await?;
                    tx.commit().await?;
                }
                Err(e) => eprintln!("no equality report for the demo for {}..{}: {e}", p.from, p.to),
            }
        }
        let list = db.findings(Some(scope.code())).await?;
        let by = staff(answerer);
        let mut tx = db.begin_write().await?;
        for (i, f) in list.iter().enumerate() {
            let owner = if i % 2 == 0 { staff(answerer) } else { staff(Role::EqualityLead) };
            tx.assign_finding(f.id, &owner, &by, now).await?;
            let change = match i {
                1 => FindingChange::Explain {
                    evidence: FindingText::parse("evidence", "Reviewed every incident with body-worn video: the difference follows two people's repeated incidents.").map_err(anyhow::Error::msg)?,
                },
                2 => FindingChange::PlanReform {
                    actions: FindingText::parse("actions", "De-escalation training for every wing officer; monthly review of use of force by ethnicity at the safer custody meeting.").map_err(anyhow::Error::msg)?,
                    review_by: throughcare_core::time::add_days(today, 90)?,
                },
                _ => continue,
            };
            if let Err(reason) = tx.change_finding(f.id, &change, &by, now).await? {
                eprintln!("finding {}: {reason}", f.id);
            }
        }
        tx.commit().await?;
        eprintln!("equality report for {}: {} findings", scope.code(), list.len());
    }
    Ok(())
}
