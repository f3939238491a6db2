//! The equality report on seeded estates: a planted disparity is flagged; an estate where
//! everyone is treated alike is (almost always) not; bad input gets a clear message.

mod common;

use common::{YEAR, estate, report};
use throughcare_core::characteristics::EthnicGroup;
use throughcare_core::synthetic::Outcomes;
use throughcare_equality::report::{Period, Scope, Signal};

#[test]
fn a_planted_disparity_is_flagged() {
    let e = estate(3000, 7, Outcomes::PlantedUseOfForce { group: EthnicGroup::Black, factor: 2.0 });
    let started = std::time::Instant::now();
    let r = report(&e, Scope::Estate, YEAR).unwrap();
    eprintln!(
        "report of {} people in {:?}: {} comparisons, {} flagged",
        r.people,
        started.elapsed(),
        r.comparisons,
        r.flagged
    );
    for (m, b, g) in r.flags() {
        eprintln!("flag: {} / {} / {} ratio {:?} q {:?}", m.id, b.id, g.code, g.ratio, g.q);
    }
    let force = r.measures.iter().find(|m| m.id == "use-of-force").unwrap();
    let groups = &force.breakdowns.iter().find(|b| b.id == "ethnic_group").unwrap().groups;
    let black = groups.iter().find(|g| g.code == "BLACK").unwrap();
    assert_eq!(black.signal, Signal::Flagged, "{black:?}");
    assert!(black.ratio.unwrap() > 1.5 && black.ratio_lower.unwrap() > 1.25, "{black:?}");
}

#[test]
fn an_estate_that_treats_everyone_alike_rarely_flags_anything() {
    // Under Benjamini-Hochberg at 5% with every difference null, the chance of any flag at all is
    // at most 5%; the size and materiality rules only lower it. 20 fixed seeds: expect 0-1.
    let seeds = 20;
    let mut with_flags = Vec::new();
    for seed in 0..seeds {
        let r = report(&estate(1500, 100 + seed, Outcomes::Equal), Scope::Estate, YEAR).unwrap();
        if r.flagged > 0 {
            let (m, b, g) = r.flags().next().unwrap();
            with_flags.push(format!(
                "seed {}: {} flags, first {} / {} / {}",
                100 + seed,
                r.flagged,
                m.id,
                b.id,
                g.code
            ));
        }
    }
    eprintln!("null estates with any flag: {} of {seeds}: {with_flags:?}", with_flags.len());
    assert!(with_flags.len() <= 3, "{with_flags:#?}");
}

#[test]
fn bad_input_gets_a_clear_message_and_no_nan() {
    let e = estate(300, 3, Outcomes::Realistic);
    let err =
        report(&e, Scope::Establishment(throughcare_core::EstablishmentCode::parse("ZZZ").unwrap()), YEAR).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no establishment ZZZ: give a code from `throughcare export establishments`, or estate"
    );
    let err = report(&e, Scope::Estate, "2010-01-01..2010-12-31").unwrap_err();
    assert_eq!(
        err.to_string(),
        "nobody was in custody anywhere in the estate from 2010-01-01 to 2010-12-31, so there is nothing to report"
    );
    assert!(Period::parse("2026-03-31..2025-04-01").unwrap_err().contains("ends before it starts"));
    assert!(Period::parse("2025-04-01").unwrap_err().contains("FROM..TO"));

    // One establishment of a women's prison: sex has one known group, so nothing is compared.
    let women = e.establishments()[0].code.clone();
    let r = report(&e, Scope::Establishment(women), YEAR).unwrap();
    let sex = r.measures[0].breakdowns.iter().find(|b| b.id == "sex").unwrap();
    assert_eq!(sex.note.as_deref(), Some("1 known group here, so there is nothing to compare"));
    assert!(sex.groups.iter().all(|g| g.ratio.is_none() && g.p.is_none()));
    // No NaN or infinity anywhere: JSON would refuse them, and every number must be finite.
    let json = serde_json::to_value(&r).unwrap();
    fn finite(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
            serde_json::Value::Array(a) => a.iter().all(finite),
            serde_json::Value::Object(o) => o.values().all(finite),
            _ => true,
        }
    }
    assert!(finite(&json));
}

/// The two person-level kinds added for safer custody and peer support, counted again here from
/// the timelines by the plain rule each one states.
#[test]
fn listeners_and_people_met_on_time_are_counted_by_their_rules() {
    use jiff::Timestamp;
    use throughcare_core::EventKind;
    use throughcare_core::event::PeerScheme;
    use throughcare_core::standards::StandardSet;
    use throughcare_core::standards::calendar::Calendar;
    use throughcare_core::standards::engine::{Context, Outcome, obligations};
    use throughcare_core::timeline::Timeline;

    let e = estate(3000, 11, Outcomes::Realistic);
    let r = report(&e, Scope::Estate, YEAR).unwrap();
    let overall = |id: &str| {
        let m = r.measures.iter().find(|m| m.id == id).unwrap();
        assert!(m.tested, "{id} is person-level, so tested");
        (m.overall.numerator.unwrap(), m.overall.denominator.unwrap())
    };
    let (start, end): (Timestamp, Timestamp) =
        ("2025-04-01T00:00:00+01:00".parse().unwrap(), "2026-04-01T00:00:00+01:00".parse().unwrap());
    let standards = StandardSet::builtin();
    let calendar = Calendar::england_and_wales();
    let as_at: Timestamp = "2026-04-30T12:00:00Z".parse().unwrap();
    let (mut listeners, mut asked, mut all_on_time) = (0u64, 0u64, 0u64);
    for i in 0..e.people_count() {
        let (person, events) = e.person(i);
        let timeline = Timeline::new(events);
        let state = timeline.state_at(Timestamp::MAX);
        let custody: Vec<(Timestamp, Timestamp)> = state
            .episodes
            .iter()
            .map(|ep| (ep.received_at.max(start), ep.ended.as_ref().map_or(end, |(t, _)| (*t).min(end))))
            .filter(|(a, b)| a < b)
            .collect();
        if custody.is_empty() {
            continue;
        }
        // Active from training until stood down.
        let mut active_from = None;
        let mut was_listener = false;
        for ev in timeline.live() {
            match &ev.kind {
                EventKind::PeerSupporterTrained { scheme: PeerScheme::Listener, .. } => {
                    active_from.get_or_insert(ev.occurred_at);
                }
                EventKind::PeerSupporterStoodDown { scheme: PeerScheme::Listener, .. } => {
                    if let Some(from) = active_from.take() {
                        was_listener |= custody.iter().any(|(a, b)| from < *b && ev.occurred_at > *a);
                    }
                }
                _ => {}
            }
        }
        if let Some(from) = active_from {
            was_listener |= custody.iter().any(|(_, b)| from < *b);
        }
        listeners += u64::from(was_listener);

        let population = |_: &throughcare_core::EstablishmentCode| None;
        let ctx = Context { calendar: &calendar, population: &population };
        let judged: Vec<bool> = obligations(&person, &timeline, &standards, &ctx, as_at)
            .iter()
            .filter(|o| o.standard.as_str() == "listener-request-met-2-hours" && o.due_at >= start && o.due_at < end)
            .filter_map(|o| match o.outcome_at(as_at) {
                Outcome::NotApplicable { .. } => None,
                Outcome::Open if o.due_at >= as_at => None,
                Outcome::MetOnTime { .. } => Some(true),
                _ => Some(false),
            })
            .collect();
        if !judged.is_empty() {
            asked += 1;
            all_on_time += u64::from(judged.iter().all(|m| *m));
        }
    }
    assert!(listeners > 10 && asked > 100, "the synthetic estate has Listeners ({listeners}) and requests ({asked})");
    assert_eq!(overall("listeners"), (listeners, r.people));
    assert_eq!(overall("listener-met-in-time"), (all_on_time, asked));
    assert!(all_on_time < asked, "some people waited longer than 2 hours");
}

/// "Funeral requests granted" counts funeral requests alone (not visits to a dying relative), and
/// "MBU applications approved" counts applications decided as approved: each equal to the same
/// count made again here from the timelines, by the plain rule each states.
#[test]
fn funeral_requests_mbu_applications_and_requests_are_counted_by_their_rules() {
    use jiff::Timestamp;
    use throughcare_core::EventKind;
    use throughcare_core::event::{MbuOutcome, RequestCategory, RequestOutcome, TemporaryReleasePurpose};
    use throughcare_core::timeline::Timeline;

    let e = estate(3000, 11, Outcomes::Realistic);
    let r = report(&e, Scope::Estate, YEAR).unwrap();
    let overall = |id: &str| {
        let m = r.measures.iter().find(|m| m.id == id).unwrap();
        (m.overall.numerator.unwrap(), m.overall.denominator.unwrap())
    };
    let (start, end): (Timestamp, Timestamp) =
        ("2025-04-01T00:00:00+01:00".parse().unwrap(), "2026-04-01T00:00:00+01:00".parse().unwrap());
    let (mut funeral, mut funeral_granted, mut any_release) = (0u64, 0u64, 0u64);
    let (mut applied, mut approved) = (0u64, 0u64);
    let (mut asked, mut asked_granted) = (0u64, 0u64);
    for i in 0..e.people_count() {
        let (_, events) = e.person(i);
        let timeline = Timeline::new(events);
        let state = timeline.state_at(Timestamp::MAX);
        let custody: Vec<(Timestamp, Timestamp)> = state
            .episodes
            .iter()
            .map(|ep| (ep.received_at.max(start), ep.ended.as_ref().map_or(end, |(t, _)| (*t).min(end))))
            .filter(|(a, b)| a < b)
            .collect();
        let inside = |t: Timestamp| custody.iter().any(|(a, b)| t >= *a && t < *b);
        let live: Vec<_> = timeline.live().collect();
        let granted = |id| {
            live.iter().any(
                |d| matches!(d.kind, EventKind::TemporaryReleaseDecided { request, granted: true, .. } if request == id),
            )
        };
        let approved_for = |id| {
            live.iter().any(|d| {
                matches!(d.kind, EventKind::MbuDecision { application, outcome: MbuOutcome::Approved, .. } if application == id)
            })
        };
        let in_period: Vec<_> = live.iter().filter(|e| inside(e.occurred_at)).collect();
        let funerals: Vec<_> = in_period
            .iter()
            .filter(|e| {
                matches!(e.kind, EventKind::TemporaryReleaseRequested { purpose: TemporaryReleasePurpose::Funeral })
            })
            .collect();
        any_release +=
            u64::from(in_period.iter().any(|e| matches!(e.kind, EventKind::TemporaryReleaseRequested { .. })));
        if !funerals.is_empty() {
            funeral += 1;
            funeral_granted += u64::from(funerals.iter().any(|q| granted(q.id)));
        }
        let requests: Vec<_> = in_period
            .iter()
            .filter(|e| {
                matches!(e.kind, EventKind::RequestRaised { category, .. }
                    if !matches!(category, RequestCategory::Health | RequestCategory::MentalHealth))
            })
            .collect();
        if !requests.is_empty() {
            asked += 1;
            asked_granted += u64::from(requests.iter().any(|q| {
                live.iter().any(|d| {
                    matches!(d.kind, EventKind::RequestAnswered { request, outcome: RequestOutcome::Granted | RequestOutcome::PartlyGranted, .. } if request == q.id)
                })
            }));
        }
        let applications: Vec<_> =
            in_period.iter().filter(|e| matches!(e.kind, EventKind::MbuApplicationMade {})).collect();
        if !applications.is_empty() {
            applied += 1;
            approved += u64::from(applications.iter().any(|q| approved_for(q.id)));
        }
    }
    assert!(funeral > 10 && funeral < any_release, "funerals ({funeral}) are some of all requests ({any_release})");
    assert_eq!(overall("funeral-granted"), (funeral_granted, funeral));
    assert_eq!(overall("temporary-release-granted").1, any_release);
    assert!(applied > 0, "the synthetic estate has MBU applications");
    assert_eq!(overall("mbu-place-approved"), (approved, applied));
    assert!(asked > 100 && asked_granted < asked, "requests: {asked_granted} of {asked}");
    assert_eq!(overall("request-granted"), (asked_granted, asked));
}

/// "Out of cell fewer than 14 hours a week" counts, of the people whose time out of cell is on
/// record in the period, those whose recorded hours came to fewer than 14 for each week they were
/// held in it: equal to the same count made again here by that plain rule.
#[test]
fn time_out_of_cell_below_the_threshold_is_counted_by_its_rule() {
    use jiff::{SignedDuration, Timestamp};
    use throughcare_core::timeline::Timeline;
    use throughcare_core::{Event, EventId, EventKind, StaffRef};
    use throughcare_equality::report::{Period, ReportBuilder, Setting};

    let e = estate(600, 3, Outcomes::Realistic);
    let (start, end): (Timestamp, Timestamp) =
        ("2025-04-01T00:00:00+01:00".parse().unwrap(), "2026-04-01T00:00:00+01:00".parse().unwrap());
    let standards = throughcare_core::standards::StandardSet::builtin();
    let measures = throughcare_core::measures::MeasureSet::builtin(&standards);
    let calendar = throughcare_core::standards::calendar::Calendar::england_and_wales();
    let mut b = ReportBuilder::new(Setting {
        measures: &measures,
        standards: &standards,
        calendar: &calendar,
        establishments: e.establishments(),
        scope: Scope::Estate,
        period: Period::parse(YEAR).unwrap(),
        as_at: "2026-04-30T12:00:00Z".parse().unwrap(),
    })
    .unwrap();
    let (mut recorded, mut below, mut minutes_all, mut days_all) = (0u64, 0u64, 0f64, 0f64);
    for i in 0..e.people_count() {
        let (person, mut events) = e.person(i);
        let state = Timeline::new(events.clone()).state_at(Timestamp::MAX);
        let custody: Vec<(Timestamp, Timestamp)> = state
            .episodes
            .iter()
            .map(|ep| (ep.received_at.max(start), ep.ended.as_ref().map_or(end, |(t, _)| (*t).min(end))))
            .filter(|(a, b)| a < b)
            .collect();
        // Three hours a day for some, one hour for others, and nothing on record for every fifth.
        let daily: u16 = if i % 2 == 0 { 180 } else { 60 };
        let mut total = 0f64;
        for (n, &(a, z)) in custody.iter().enumerate() {
            let mut t = a;
            let mut k = 0u32;
            while t < z && i % 5 != 0 {
                let mut bytes = [0xabu8; 16];
                bytes[..4].copy_from_slice(&(i as u32).to_be_bytes());
                bytes[4..8].copy_from_slice(&k.to_be_bytes());
                bytes[8] = n as u8;
                events.push(Event {
                    id: EventId::from_random_bytes(bytes),
                    person: person.prison_number.clone(),
                    occurred_at: t,
                    recorded_at: t,
                    recorded_by: StaffRef::parse("regime").unwrap(),
                    correction: None,
                    kind: EventKind::TimeOutOfCell { on: throughcare_core::time::date_in_england(t), minutes: daily },
                });
                total += f64::from(daily);
                t += SignedDuration::from_hours(24);
                k += 1;
            }
        }
        let days: f64 = custody.iter().map(|(a, z)| z.duration_since(*a).as_secs_f64() / 86_400.0).sum();
        if total > 0.0 {
            recorded += 1;
            below += u64::from(total / 60.0 < 14.0 * days / 7.0);
        }
        minutes_all += total;
        days_all += days;
        b.add(&person, &Timeline::new(events));
    }
    let r = b.finish().unwrap();
    let m = |id: &str| r.measures.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id}"));
    let under = m("time-out-of-cell-below-14-hours");
    assert!(recorded > 300 && below > 100 && below < recorded, "{below} of {recorded}");
    assert_eq!((under.overall.numerator.unwrap(), under.overall.denominator.unwrap()), (below, recorded));
    let hours = m("time-out-of-cell-hours").overall.rate.unwrap();
    assert!((hours - minutes_all / 60.0 / (days_all / 7.0)).abs() < 1e-9, "{hours}");
}
