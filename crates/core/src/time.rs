//! Instants and calendar dates as throughcare stores and exchanges them.
//!
//! Instants are UTC, exchanged as RFC 3339 (`2026-03-01T09:30:00Z`) and stored as microseconds
//! since the Unix epoch; calendar dates are `YYYY-MM-DD`.

use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};

pub fn parse_instant(s: &str) -> Result<Timestamp, String> {
    let t = s.parse::<Timestamp>().map_err(|_| format!("{s:?} is not a date and time like 2026-03-01T09:30:00Z"))?;
    if t.subsec_nanosecond() % 1000 != 0 {
        return Err(format!("{s:?} is more precise than a microsecond"));
    }
    Ok(t)
}

/// Writes an instant as RFC 3339 in UTC with whole seconds or microseconds, so text sorts in time order.
pub fn format_instant(t: Timestamp) -> String {
    if t.subsec_nanosecond() == 0 {
        t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

pub fn parse_date(s: &str) -> Result<Date, String> {
    let ok_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match s.parse::<Date>() {
        Ok(d) if ok_shape => Ok(d),
        _ => Err(format!("{s:?} is not a real date in the form YYYY-MM-DD")),
    }
}

pub fn to_micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_micros(us: i64) -> Result<Timestamp, String> {
    Timestamp::from_microsecond(us).map_err(|e| format!("stored instant {us} is out of range: {e}"))
}

/// The civil date of an instant in England and Wales (a reception at 00:30 BST is that day's).
pub fn date_in_england(t: Timestamp) -> Date {
    static LONDON: std::sync::OnceLock<TimeZone> = std::sync::OnceLock::new();
    let tz = LONDON.get_or_init(|| TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC));
    tz.to_datetime(t).date()
}

/// The first microsecond of a calendar day in England and Wales (a period "from" a date).
pub fn start_of_day_in_england(d: Date) -> Timestamp {
    end_of_day_in_england(d.yesterday().expect("date in range")) + jiff::SignedDuration::from_micros(1)
}

/// The last microsecond of a calendar day in England and Wales: "by the end of the day".
pub fn end_of_day_in_england(d: Date) -> Timestamp {
    let tz = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let next = d.tomorrow().expect("date in range").at(0, 0, 0, 0);
    tz.to_timestamp(next).expect("midnight exists in London") - jiff::SignedDuration::from_micros(1)
}

/// Whole days, both ends included: `2025-04-01..2026-03-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("period {s:?} must be FROM..TO, for example 2025-04-01..2026-03-31"))?;
        let (from, to) = (parse_date(a.trim())?, parse_date(b.trim())?);
        if to < from {
            return Err(format!("period {s:?} ends before it starts"));
        }
        Ok(Self { from, to })
    }
    pub fn start(self) -> Timestamp {
        start_of_day_in_england(self.from)
    }
    /// The first instant after the period.
    pub fn end(self) -> Timestamp {
        end_of_day_in_england(self.to) + jiff::SignedDuration::from_micros(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_and_keep_microseconds() {
        for s in ["2026-03-01T09:30:00Z", "2026-03-01T09:30:00.000123Z"] {
            let t = parse_instant(s).unwrap();
            assert_eq!(format_instant(t), s);
            assert_eq!(from_micros(to_micros(t)).unwrap(), t);
        }
        assert_eq!(format_instant(parse_instant("2026-03-01T10:30:00+01:00").unwrap()), "2026-03-01T09:30:00Z");
        assert!(parse_instant("2026-02-30T09:30:00Z").is_err());
    }

    #[test]
    fn end_of_day_follows_british_summer_time() {
        assert_eq!(
            format_instant(end_of_day_in_england(jiff::civil::date(2026, 1, 10))),
            "2026-01-10T23:59:59.999999Z"
        );
        assert_eq!(
            format_instant(end_of_day_in_england(jiff::civil::date(2026, 7, 10))),
            "2026-07-10T22:59:59.999999Z"
        );
        assert_eq!(date_in_england(parse_instant("2026-07-10T23:30:00Z").unwrap()), jiff::civil::date(2026, 7, 11));
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_date("2024-02-29").is_ok());
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-01", ""] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
