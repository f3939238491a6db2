//! Working days in England and Wales: weekends and bank holidays, for deadlines in working days.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday, date};

/// Bank holidays moved or added by proclamation, which no rule predicts.
const MOVED: &[(i16, i8, i8, i8, i8)] = &[
    // (year, usual month, usual day → month, day): the early May holiday moved for VE Day 75.
    (2020, 5, 4, 5, 8),
    // The spring holiday moved for jubilees.
    (2002, 5, 27, 6, 4),
    (2012, 5, 28, 6, 4),
    (2022, 5, 30, 6, 2),
];
const ADDED: &[(i16, i8, i8)] = &[
    (1999, 12, 31), // Millennium
    (2002, 6, 3),   // Golden Jubilee
    (2011, 4, 29),  // Royal wedding
    (2012, 6, 5),   // Diamond Jubilee
    (2022, 6, 3),   // Platinum Jubilee
    (2022, 9, 19),  // State funeral of Queen Elizabeth II
    (2023, 5, 8),   // Coronation of King Charles III
];

/// Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

fn first_monday(year: i16, month: i8) -> Date {
    let d = date(year, month, 1);
    d.nth_weekday_of_month(1, Weekday::Monday).expect("every month has a Monday")
}

fn last_monday(year: i16, month: i8) -> Date {
    date(year, month, 1).nth_weekday_of_month(-1, Weekday::Monday).expect("every month has a Monday")
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn next_free_weekday(mut d: Date, taken: &BTreeSet<Date>) -> Date {
    while is_weekend(d) || taken.contains(&d) {
        d = d.tomorrow().expect("in range");
    }
    d
}

/// The bank holidays of England and Wales in one year, as the rules and proclamations give them.
pub fn bank_holidays(year: i16) -> BTreeSet<Date> {
    let mut days = BTreeSet::new();
    let new_year = next_free_weekday(date(year, 1, 1), &days);
    days.insert(new_year);
    let easter = easter(year);
    days.insert(easter.yesterday().and_then(|d| d.yesterday()).expect("in range"));
    days.insert(easter.tomorrow().expect("in range"));
    for usual in [first_monday(year, 5), last_monday(year, 5), last_monday(year, 8)] {
        let moved = MOVED.iter().find(|(yy, um, ud, _, _)| *yy == year && date(year, *um, *ud) == usual);
        days.insert(moved.map_or(usual, |(_, _, _, mm, md)| date(year, *mm, *md)));
    }
    // Christmas and Boxing Day, each moved to the next free weekday when it falls at a weekend.
    let christmas = next_free_weekday(date(year, 12, 25), &days);
    days.insert(christmas);
    let boxing = next_free_weekday(date(year, 12, 26), &days);
    days.insert(boxing);
    for (y, m, d) in ADDED {
        if *y == year {
            days.insert(date(*y, *m, *d));
        }
    }
    days
}

/// Working days: Monday to Friday, less bank holidays.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
}

impl Calendar {
    /// England and Wales from 1999 to 2060.
    pub fn england_and_wales() -> Self {
        Self { holidays: (1999..=2060).flat_map(bank_holidays).collect() }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !is_weekend(d) && !self.holidays.contains(&d)
    }

    /// The date `n` working days after `d` (the day itself does not count); None past the calendar's end.
    pub fn add_working_days(&self, d: Date, n: u32) -> Option<Date> {
        let mut d = d;
        let mut left = n;
        while left > 0 {
            d = d.tomorrow().ok()?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(year: i16) -> Vec<String> {
        bank_holidays(year).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn bank_holidays_match_the_published_lists() {
        // As published for England and Wales.
        assert_eq!(
            list(2022),
            [
                "2022-01-03",
                "2022-04-15",
                "2022-04-18",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-29",
                "2022-09-19",
                "2022-12-26",
                "2022-12-27"
            ]
        );
        assert_eq!(
            list(2023),
            [
                "2023-01-02",
                "2023-04-07",
                "2023-04-10",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-28",
                "2023-12-25",
                "2023-12-26"
            ]
        );
        assert_eq!(
            list(2026),
            [
                "2026-01-01",
                "2026-04-03",
                "2026-04-06",
                "2026-05-04",
                "2026-05-25",
                "2026-08-31",
                "2026-12-25",
                "2026-12-28"
            ]
        );
        assert_eq!(
            list(2027),
            [
                "2027-01-01",
                "2027-03-26",
                "2027-03-29",
                "2027-05-03",
                "2027-05-31",
                "2027-08-30",
                "2027-12-27",
                "2027-12-28"
            ]
        );
        assert_eq!(list(2020)[3], "2020-05-08");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let c = Calendar::england_and_wales();
        // Thursday 2 April 2026 + 2 working days: Good Friday and Easter Monday skipped → Wednesday 8 April.
        assert_eq!(c.add_working_days(date(2026, 4, 2), 2), Some(date(2026, 4, 8)));
        assert_eq!(c.add_working_days(date(2026, 11, 20), 5), Some(date(2026, 11, 27)));
        assert_eq!(c.add_working_days(date(2026, 12, 24), 1), Some(date(2026, 12, 29)));
        assert_eq!(c.add_working_days(Date::MAX, 1), None);
        assert!(!c.is_working_day(date(2026, 12, 28)));
    }
}
