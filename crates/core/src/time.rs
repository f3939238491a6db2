//! Instants and calendar dates as throughcare stores and exchanges them, and the rule for those that arrive from outside.
//!
//! Instants are UTC, exchanged as RFC 3339 (`2026-03-01T09:30:00Z`) and stored as microseconds
//! since the Unix epoch; calendar dates are `YYYY-MM-DD`. Every calculation on them returns an
//! error rather than panicking at the edge of the calendar.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};

/// The earliest day anything on a timeline may have happened: 1 January 1970. Nobody in custody
/// today was received before it, and it keeps every stored instant a positive number.
pub const EARLIEST_DATE: Date = jiff::civil::date(1970, 1, 1);

/// The latest day throughcare calculates with (an expected release, a period's end). Far enough
/// for any sentence, far enough from the calendar's own limit that adding a year cannot overflow.
pub const LATEST_DATE: Date = jiff::civil::date(2999, 12, 31);

/// How far ahead of the application's clock a `recorded_at` may be: clocks on two systems differ.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(5 * 60);

/// The oldest age a date of birth may give: older ones are almost certainly typing errors.
pub const OLDEST_AGE_YEARS: i16 = 120;

/// How far after the event that sets it an expected release may be: beyond it is a typing error.
pub const LONGEST_EXPECTED_STAY_YEARS: i16 = 100;

/// A date or instant that a calculation cannot carry (outside the calendar throughcare works in).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is outside the dates throughcare can calculate with")]
pub struct OutOfRange(pub String);

/// Why a date or instant from outside is refused, naming the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeRule {
    #[error("{what} {value} is before 1 January 1970, the earliest date throughcare holds")]
    BeforeEarliest { what: &'static str, value: String },
    #[error("{what} {value} is later than now ({now}) plus 5 minutes' allowance for clock differences")]
    InTheFuture { what: &'static str, value: String, now: String },
    #[error("occurred_at {occurred} is after recorded_at {recorded}: an event is recorded once it has happened")]
    AfterRecorded { occurred: String, recorded: String },
    #[error("date of birth {0} is in the future")]
    BornInFuture(Date),
    #[error("date of birth {0} would make the person older than 120")]
    TooOld(Date),
    #[error("{what} {value} is more than 100 years after the event that sets it")]
    TooFarAhead { what: &'static str, value: Date },
}

impl TimeRule {
    /// The column or field the refused value came from.
    pub fn field(&self) -> &'static str {
        match self {
            Self::BeforeEarliest { what, .. } | Self::InTheFuture { what, .. } | Self::TooFarAhead { what, .. } => what,
            Self::AfterRecorded { .. } => "occurred_at",
            Self::BornInFuture(_) | Self::TooOld(_) => "date_of_birth",
        }
    }
}

/// An instant from outside must be no earlier than [`EARLIEST_DATE`] and no later than `now` plus [`CLOCK_SKEW`].
pub fn check_instant(what: &'static str, t: Timestamp, now: Timestamp) -> Result<(), TimeRule> {
    if t < earliest_instant() {
        return Err(TimeRule::BeforeEarliest { what, value: format_instant(t) });
    }
    if t > now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX) {
        // Whole seconds: a person reads this, and microseconds of "now" tell them nothing.
        let shown = now.round(jiff::Unit::Second).unwrap_or(now);
        return Err(TimeRule::InTheFuture { what, value: format_instant(t), now: format_instant(shown) });
    }
    Ok(())
}

/// When something happened and when it was recorded: both in range, in that order, and not ahead of now.
/// Backdating is allowed: an event may be recorded any time after it happened.
pub fn check_occurred_recorded(occurred: Timestamp, recorded: Timestamp, now: Timestamp) -> Result<(), TimeRule> {
    check_instant("occurred_at", occurred, now)?;
    check_instant("recorded_at", recorded, now)?;
    if occurred > recorded {
        return Err(TimeRule::AfterRecorded { occurred: format_instant(occurred), recorded: format_instant(recorded) });
    }
    Ok(())
}

/// A date of birth is in the past (by England's calendar on `today`) and gives an age of at most 120.
pub fn check_date_of_birth(dob: Date, today: Date) -> Result<(), TimeRule> {
    if dob > today {
        return Err(TimeRule::BornInFuture(dob));
    }
    let oldest = today.checked_sub(jiff::Span::new().years(OLDEST_AGE_YEARS)).unwrap_or(jiff::civil::Date::MIN);
    if dob < oldest {
        return Err(TimeRule::TooOld(dob));
    }
    Ok(())
}

/// A date an event sets for the future (an expected release): after [`EARLIEST_DATE`], within 100 years of the event.
pub fn check_date_ahead(what: &'static str, d: Date, event_day: Date) -> Result<(), TimeRule> {
    if d < EARLIEST_DATE {
        return Err(TimeRule::BeforeEarliest { what, value: d.to_string() });
    }
    let latest = event_day.checked_add(jiff::Span::new().years(LONGEST_EXPECTED_STAY_YEARS)).unwrap_or(LATEST_DATE);
    if d > latest.min(LATEST_DATE) {
        return Err(TimeRule::TooFarAhead { what, value: d });
    }
    Ok(())
}

/// The first instant of [`EARLIEST_DATE`] in England and Wales.
pub fn earliest_instant() -> Timestamp {
    // 1970-01-01 is GMT in London, so its first instant is the Unix epoch.
    Timestamp::UNIX_EPOCH
}

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

/// England and Wales's time zone (GMT in winter, BST in summer), from the bundled tz database.
pub fn london() -> &'static TimeZone {
    static LONDON: std::sync::OnceLock<TimeZone> = std::sync::OnceLock::new();
    LONDON.get_or_init(|| TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC))
}

/// The civil date of an instant in England and Wales (a reception at 00:30 BST is that day's).
pub fn date_in_england(t: Timestamp) -> Date {
    london().to_datetime(t).date()
}

/// The first microsecond of a calendar day in England and Wales (a period "from" a date).
pub fn start_of_day_in_england(d: Date) -> Result<Timestamp, OutOfRange> {
    london().to_timestamp(d.at(0, 0, 0, 0)).map_err(|_| OutOfRange(d.to_string()))
}

/// The last microsecond of a calendar day in England and Wales: "by the end of the day".
pub fn end_of_day_in_england(d: Date) -> Result<Timestamp, OutOfRange> {
    let out = || OutOfRange(d.to_string());
    let next = d.tomorrow().map_err(|_| out())?;
    let midnight = start_of_day_in_england(next).map_err(|_| out())?;
    midnight.checked_sub(SignedDuration::from_micros(1)).map_err(|_| out())
}

/// A date `days` after `d`, or an error past the calendar's end.
pub fn add_days(d: Date, days: i64) -> Result<Date, OutOfRange> {
    d.checked_add(jiff::Span::new().days(days)).map_err(|_| OutOfRange(format!("{d} plus {days} days")))
}

/// An instant plus a duration, or an error past the calendar's end.
pub fn add_duration(t: Timestamp, d: SignedDuration) -> Result<Timestamp, OutOfRange> {
    t.checked_add(d).map_err(|_| OutOfRange(format!("{} plus {d:#}", format_instant(t))))
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
        Self::new(from, to).map_err(|e| format!("period {s:?}: {e}"))
    }
    /// A period within [`EARLIEST_DATE`]..[`LATEST_DATE`] that does not run backwards.
    pub fn new(from: Date, to: Date) -> Result<Self, String> {
        if to < from {
            return Err("it ends before it starts".into());
        }
        if from < EARLIEST_DATE || to > LATEST_DATE {
            return Err("it must lie between 1 January 1970 and 31 December 2999".into());
        }
        Ok(Self { from, to })
    }
    pub fn start(self) -> Result<Timestamp, OutOfRange> {
        start_of_day_in_england(self.from)
    }
    /// The first instant after the period.
    pub fn end(self) -> Result<Timestamp, OutOfRange> {
        start_of_day_in_england(self.to.tomorrow().map_err(|_| OutOfRange(self.to.to_string()))?)
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
            format_instant(end_of_day_in_england(jiff::civil::date(2026, 1, 10)).unwrap()),
            "2026-01-10T23:59:59.999999Z"
        );
        assert_eq!(
            format_instant(end_of_day_in_england(jiff::civil::date(2026, 7, 10)).unwrap()),
            "2026-07-10T22:59:59.999999Z"
        );
        assert_eq!(date_in_england(parse_instant("2026-07-10T23:30:00Z").unwrap()), jiff::civil::date(2026, 7, 11));
    }

    #[test]
    fn the_ends_of_the_calendar_are_errors_not_panics() {
        for d in [Date::MIN, Date::MAX, jiff::civil::date(9999, 12, 30)] {
            let _ = start_of_day_in_england(d);
            assert!(end_of_day_in_england(d).is_err() || d < jiff::civil::date(9999, 1, 1), "{d}");
        }
        assert!(add_days(Date::MAX, 1).is_err());
        assert!(add_duration(Timestamp::MAX, SignedDuration::from_secs(1)).is_err());
        assert!(Period::parse("2025-04-01..9999-12-31").is_err());
        assert!(Period::parse("1969-12-31..2026-01-01").is_err());
    }

    #[test]
    fn input_from_outside_keeps_to_the_clock() {
        let now = parse_instant("2026-07-10T12:00:00Z").unwrap();
        let at = |s: &str| parse_instant(s).unwrap();
        assert!(check_occurred_recorded(at("2026-07-01T09:00:00Z"), at("2026-07-10T11:00:00Z"), now).is_ok());
        assert!(check_occurred_recorded(at("2026-07-10T12:04:00Z"), at("2026-07-10T12:04:59Z"), now).is_ok());
        assert!(matches!(
            check_occurred_recorded(at("2026-07-10T12:00:00Z"), at("2099-01-01T00:00:00Z"), now),
            Err(TimeRule::InTheFuture { what: "recorded_at", .. })
        ));
        assert!(matches!(
            check_occurred_recorded(at("0001-01-01T00:00:00Z"), at("2026-07-10T11:00:00Z"), now),
            Err(TimeRule::BeforeEarliest { what: "occurred_at", .. })
        ));
        assert!(matches!(
            check_occurred_recorded(at("2026-07-10T11:00:00Z"), at("2026-07-10T10:00:00Z"), now),
            Err(TimeRule::AfterRecorded { .. })
        ));
        let today = jiff::civil::date(2026, 7, 10);
        assert!(check_date_of_birth(jiff::civil::date(1990, 1, 1), today).is_ok());
        assert!(check_date_of_birth(today, today).is_ok());
        assert_eq!(
            check_date_of_birth(jiff::civil::date(2090, 1, 1), today),
            Err(TimeRule::BornInFuture(jiff::civil::date(2090, 1, 1)))
        );
        assert!(check_date_of_birth(jiff::civil::date(1906, 7, 9), today).is_err());
        assert!(check_date_ahead("expected_release", jiff::civil::date(2040, 1, 1), today).is_ok());
        assert!(check_date_ahead("expected_release", jiff::civil::date(9999, 12, 30), today).is_err());
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_date("2024-02-29").is_ok());
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-01", ""] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
