//! Reports on seeded estates, shared by the report and disclosure tests.
#![allow(dead_code)]

use jiff::Timestamp;
use throughcare_core::measures::MeasureSet;
use throughcare_core::standards::StandardSet;
use throughcare_core::standards::calendar::Calendar;
use throughcare_core::synthetic::{Estate, EstateSpec, Outcomes};
use throughcare_core::timeline::Timeline;
use throughcare_equality::report::{Period, Report, ReportBuilder, ReportError, Scope, Setting};

pub fn report(estate: &Estate, scope: Scope, period: &str) -> Result<Report, ReportError> {
    let standards = StandardSet::builtin();
    let measures = MeasureSet::builtin(&standards);
    let calendar = Calendar::england_and_wales();
    let mut b = ReportBuilder::new(Setting {
        measures: &measures,
        standards: &standards,
        calendar: &calendar,
        establishments: estate.establishments(),
        scope,
        period: Period::parse(period).unwrap(),
        as_at: "2026-04-30T12:00:00Z".parse::<Timestamp>().unwrap(),
    })?;
    for i in 0..estate.people_count() {
        let (person, events) = estate.person(i);
        b.add(&person, &Timeline::new(events));
    }
    b.finish()
}

pub fn estate(people: usize, seed: u64, outcomes: Outcomes) -> Estate {
    Estate::new(EstateSpec { establishments: 6, people, years: 1, seed, end: jiff::civil::date(2026, 3, 31) })
        .with_outcomes(outcomes)
}

pub const YEAR: &str = "2025-04-01..2026-03-31";
