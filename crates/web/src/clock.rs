//! The application's one clock: the real time in `serve`, a fixed instant in tests, a shifted one for a demo "as at".
//!
//! Every handler takes "now" from here, never from the wall clock, so what a page shows and what a
//! form accepts do not depend on when a test happens to run.

use jiff::{SignedDuration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// Always this instant: tests, so a check at 00:30 or 23:30 gives the same answer.
    Fixed(Timestamp),
    /// The system clock moved by a fixed amount: starts at a chosen instant and keeps ticking.
    Shifted(SignedDuration),
}

impl Clock {
    /// A clock that reads `start` now and runs on from it in real time.
    pub fn starting_at(start: Timestamp) -> Self {
        Self::Shifted(start.duration_since(Timestamp::now()))
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Self::System => Timestamp::now(),
            Self::Fixed(t) => *t,
            Self::Shifted(by) => Timestamp::now().checked_add(*by).unwrap_or(Timestamp::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_starts_where_it_is_told_and_runs_on() {
        let start: Timestamp = "2026-07-10T23:30:00Z".parse().unwrap();
        let c = Clock::starting_at(start);
        let a = c.now();
        assert!(a >= start && a - start < SignedDuration::from_secs(5), "{a}");
        assert_eq!(Clock::Fixed(start).now(), start);
    }
}
