//! Identifiers parsed at the edge: a value of these types is always well formed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("prison number must be a letter, 4 digits and 2 letters (e.g. A1234BC), got {0:?}")]
    PrisonNumber(String),
    #[error("NHS number must be 10 digits, got {0:?}")]
    NhsNumberFormat(String),
    #[error("NHS number {0} fails its check digit")]
    NhsNumberCheck(String),
    #[error("establishment code must be 3 letters (e.g. LEI), got {0:?}")]
    Establishment(String),
    #[error("staff reference must be 1-64 letters, digits or . _ @ -, got {0:?}")]
    Staff(String),
    #[error("event id must be a UUID, got {0:?}")]
    EventId(String),
}

/// Implements Display, FromStr (via `parse`), serde as a string, and `as_str` for a string newtype.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The prison number (NOMIS offender number) that follows a person through every custody episode.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrisonNumber(String);

impl PrisonNumber {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let up = s.trim().to_ascii_uppercase();
        let b = up.as_bytes();
        let ok = b.len() == 7
            && b[0].is_ascii_uppercase()
            && b[1..5].iter().all(u8::is_ascii_digit)
            && b[5..7].iter().all(u8::is_ascii_uppercase);
        if ok { Ok(Self(up)) } else { Err(IdError::PrisonNumber(s.to_string())) }
    }
}
string_id!(PrisonNumber);

/// An NHS number: 10 digits whose last is a modulus-11 check digit (NHS Data Dictionary).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NhsNumber(String);

impl NhsNumber {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits: String = s.chars().filter(|c| *c != ' ').collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::NhsNumberFormat(s.to_string()));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        if Some(d[9]) != Self::check_digit(&d[..9]) {
            return Err(IdError::NhsNumberCheck(digits));
        }
        Ok(Self(digits))
    }

    /// The check digit for the first nine digits, or None where no valid number can end them.
    pub fn check_digit(first_nine: &[u32]) -> Option<u32> {
        let sum: u32 = first_nine.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            c => Some(c),
        }
    }
}
string_id!(NhsNumber);

/// A prison's three-letter agency code, as HMPPS systems use (e.g. LEI for Leeds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EstablishmentCode(String);

impl EstablishmentCode {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let up = s.trim().to_ascii_uppercase();
        if up.len() == 3 && up.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(up))
        } else {
            Err(IdError::Establishment(s.to_string()))
        }
    }
}
string_id!(EstablishmentCode);

/// Who recorded something: a staff username, or a system such as `import`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffRef(String);

impl StaffRef {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
        if ok { Ok(Self(s.to_string())) } else { Err(IdError::Staff(s.to_string())) }
    }
}
string_id!(StaffRef);

/// An event on a timeline. Events refer to each other by id (a correction, an answer to a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventId(uuid::Uuid);

impl EventId {
    pub const fn from_uuid(u: uuid::Uuid) -> Self {
        Self(u)
    }
    /// A version-4 id from 16 caller-supplied random bytes (so seeded data is reproducible).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
    pub fn parse(s: &str) -> Result<Self, IdError> {
        uuid::Uuid::try_parse(s.trim()).map(Self).map_err(|_| IdError::EventId(s.to_string()))
    }
    /// A stable id derived from this one and a name (UUID version 5): the same inputs give the
    /// same id, so a record imported twice, or exported again, names the same things.
    pub fn derived(&self, name: &str) -> Self {
        Self(uuid::Uuid::new_v5(&self.0, name.as_bytes()))
    }
    /// A stable id for a name alone, in throughcare's own namespace.
    pub fn named(name: &str) -> Self {
        const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7c5f_3a1e_9b2d_4e60_8a71_2f0c_d4e5_b6a9);
        Self(uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }
}
impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}
impl TryFrom<String> for EventId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}
impl From<EventId> for String {
    fn from(id: EventId) -> String {
        id.to_string()
    }
}
impl FromStr for EventId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prison_numbers_are_normalised_and_checked() {
        assert_eq!(PrisonNumber::parse(" a1234bc ").unwrap().as_str(), "A1234BC");
        for bad in ["", "A1234B", "11234BC", "A12C4BC", "A1234BCD", "A1234B1"] {
            assert!(PrisonNumber::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn nhs_numbers_check_their_last_digit() {
        // 943 476 5919 is the NHS Data Dictionary's worked example.
        assert_eq!(NhsNumber::parse("943 476 5919").unwrap().as_str(), "9434765919");
        assert!(matches!(NhsNumber::parse("9434765918"), Err(IdError::NhsNumberCheck(_))));
        assert!(matches!(NhsNumber::parse("94347659"), Err(IdError::NhsNumberFormat(_))));
        // Weighted sum 6×2 = 12, 12 mod 11 = 1 → check 10 → no valid number starts 000000006.
        assert_eq!(NhsNumber::check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
    }

    #[test]
    fn establishment_and_staff() {
        assert_eq!(EstablishmentCode::parse("lei").unwrap().as_str(), "LEI");
        assert!(EstablishmentCode::parse("LE1").is_err());
        assert!(StaffRef::parse("nurse.jones@hmp").is_ok());
        assert!(StaffRef::parse("two words").is_err());
        assert!(StaffRef::parse("").is_err());
    }

    #[test]
    fn event_ids_round_trip_through_text() {
        let id = EventId::from_random_bytes([7; 16]);
        assert_eq!(EventId::parse(&id.to_string()).unwrap(), id);
        assert!(EventId::parse("not-a-uuid").is_err());
    }
}
