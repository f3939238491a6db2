//! The equality lens: every measure broken down by every protected characteristic, with the
//! statistics, flags and disclosure control of research/stats.md §6.

pub mod stats;

pub use stats::*;
pub mod breakdown;
pub mod disclosure;
pub mod report;
