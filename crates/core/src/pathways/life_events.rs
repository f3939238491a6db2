//! What is coming up in a person's life that a key worker should check in before: birthdays
//! (theirs and their children's), anniversaries of a bereavement, festivals of their religion or
//! belief, court dates and parole hearings, and release, worked out from what is recorded.

use jiff::civil::Date;

use crate::characteristics::Religion;
use crate::codes::CodeSet;
use crate::pathways::festivals::FestivalCalendar;
use crate::person::Person;
use crate::timeline::PersonState;

/// One date in a person's life, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeEvent {
    pub date: Date,
    pub what: String,
}

/// The anniversary of `born` on or after `from`, with the age reached then. Someone born on
/// 29 February has their birthday on 28 February in other years.
fn next_birthday(born: Date, from: Date) -> Option<(Date, i16)> {
    let on = |year: i16| Date::new(year, born.month(), born.day()).or_else(|_| Date::new(year, 2, 28)).ok();
    let this_year = on(from.year())?;
    let date = if this_year >= from { this_year } else { on(from.year().checked_add(1)?)? };
    Some((date, date.year() - born.year()))
}

/// Whether a life event may be recorded: a death cannot be after the day it is recorded, and a
/// visit or call is with someone the person names as family now.
pub fn check_step(timeline: &crate::timeline::Timeline, event: &crate::event::Event) -> Result<(), String> {
    match &event.kind {
        crate::event::EventKind::FamilyContactMade { contact, .. }
            if !timeline.state_at(event.occurred_at).family.iter().any(|(id, _)| id == contact) =>
        {
            Err("contact: that person is not in their family of choice".into())
        }
        crate::event::EventKind::BereavementRecorded { died_on, .. }
            if *died_on > crate::time::date_in_england(event.occurred_at) =>
        {
            Err("died_on: the date of the death cannot be after the day it is recorded".into())
        }
        _ => Ok(()),
    }
}

/// Every life event from `from` to `days` days after it, soonest first. `festivals` is the
/// calendar and the person's religion or belief, when the reader may know it.
pub fn coming_up(
    person: &Person,
    state: &PersonState,
    festivals: Option<(&FestivalCalendar, Religion)>,
    from: Date,
    days: i32,
) -> Vec<LifeEvent> {
    let Ok(until) = from.checked_add(jiff::Span::new().days(days)) else { return vec![] };
    let mut out = Vec::new();
    if let Some((calendar, religion)) = festivals {
        out.extend(calendar.between(religion, from, until).map(|f| LifeEvent { date: f.date, what: f.name.clone() }));
    }
    for (on, hearing) in state.hearings.iter().filter(|(on, _)| *on >= from) {
        out.push(LifeEvent { date: *on, what: hearing.label().into() });
    }
    if let Some((date, age)) = next_birthday(person.date_of_birth, from) {
        out.push(LifeEvent { date, what: format!("Birthday (turns {age})") });
    }
    for born in &state.children {
        if let Some((date, age)) = next_birthday(*born, from).filter(|(_, age)| *age > 0) {
            out.push(LifeEvent { date, what: format!("A child's birthday (turns {age})") });
        }
    }
    for (_, c) in &state.family {
        if let Some((date, _)) = c.birthday.and_then(|b| next_birthday(b, from)) {
            out.push(LifeEvent { date, what: format!("Birthday of {} ({})", c.name, c.relationship) });
        }
    }
    for (died, who) in &state.bereavements {
        if let Some((date, years)) = next_birthday(*died, from).filter(|(_, years)| *years > 0) {
            let years = if years == 1 { "a year".to_string() } else { format!("{years} years") };
            out.push(LifeEvent { date, what: format!("Anniversary of the death of {who} ({years})") });
        }
    }
    if let Some(release) = state.current_episode().and_then(|ep| ep.expected_release) {
        if release >= from {
            out.push(LifeEvent { date: release, what: "Expected release".into() });
        }
    }
    out.retain(|e| e.date <= until);
    out.sort_by(|a, b| (a.date, &a.what).cmp(&(b.date, &b.what)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PrisonNumber;
    use crate::person::Name;

    fn person(born: &str) -> Person {
        Person {
            prison_number: PrisonNumber::parse("A1234BC").unwrap(),
            given_name: Name::parse("Ann").unwrap(),
            family_name: Name::parse("Lee").unwrap(),
            date_of_birth: born.parse().unwrap(),
            nhs_number: None,
        }
    }

    #[test]
    fn birthdays_and_release_within_the_window_soonest_first() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let mut state = PersonState::default();
        state.children.push(d("2025-12-10"));
        state.children.push(d("2026-12-01")); // born this month: no birthday yet
        state.bereavements.push((d("2024-12-15"), "my nan".into()));
        state.bereavements.push((d("2026-12-01"), "my brother".into())); // this year: none within the window
        state.hearings.push((d("2026-12-18"), crate::event::Hearing::Parole));
        state.hearings.push((d("2026-12-01"), crate::event::Hearing::Court)); // past
        let got = coming_up(&person("1990-12-20"), &state, None, d("2026-12-07"), 14);
        assert_eq!(
            got,
            [
                LifeEvent { date: d("2026-12-10"), what: "A child's birthday (turns 1)".into() },
                LifeEvent { date: d("2026-12-15"), what: "Anniversary of the death of my nan (2 years)".into() },
                LifeEvent { date: d("2026-12-18"), what: "Parole hearing".into() },
                LifeEvent { date: d("2026-12-20"), what: "Birthday (turns 36)".into() },
            ]
        );
        // A festival of the person's religion or belief, from the calendar, when the reader may know it.
        let calendar = FestivalCalendar::builtin();
        let with = coming_up(
            &person("1990-06-01"),
            &PersonState::default(),
            Some((&calendar, Religion::Jewish)),
            d("2026-12-01"),
            14,
        );
        assert_eq!(with, [LifeEvent { date: d("2026-12-05"), what: "Hanukkah (first day)".into() }]);
        let other = coming_up(
            &person("1990-06-01"),
            &PersonState::default(),
            Some((&calendar, Religion::Sikh)),
            d("2026-12-01"),
            14,
        );
        assert!(other.is_empty(), "{other:?}");
        // The window is inclusive of its last day and no further; a birthday passed this year is next year's.
        assert_eq!(coming_up(&person("1990-12-21"), &PersonState::default(), None, d("2026-12-07"), 14).len(), 1);
        assert!(coming_up(&person("1990-12-22"), &PersonState::default(), None, d("2026-12-07"), 14).is_empty());
        assert_eq!(next_birthday(d("1990-01-05"), d("2026-12-07")), Some((d("2027-01-05"), 37)));
        // 29 February.
        assert_eq!(next_birthday(d("2000-02-29"), d("2027-02-01")), Some((d("2027-02-28"), 27)));
        assert_eq!(next_birthday(d("2000-02-29"), d("2028-02-01")), Some((d("2028-02-29"), 28)));
    }
}
