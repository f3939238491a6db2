//! throughcare's pure domain: people in custody, their characteristics and needs, and the timeline.
//!
//! No IO, no async, no clock: every "now" is passed in, so every rule is testable with fixed dates.

pub mod annual_report;
pub mod characteristics;
pub mod codes;
pub mod communication;
pub mod display;
pub mod establishment;
pub mod event;
pub mod finding;
pub mod ids;
pub mod information;
pub mod instruments;
pub mod measures;
pub mod pathways;
pub mod person;
pub mod proms;
pub mod scrutiny;
pub mod standards;
pub mod synthetic;
pub mod time;
pub mod timeline;
pub mod transfer;

pub use characteristics::{Characteristic, Declaration, Declared};
pub use event::{Event, EventKind};
pub use ids::{EstablishmentCode, EventId, NhsNumber, PrisonNumber, StaffRef};
pub use person::{Establishment, Person};
