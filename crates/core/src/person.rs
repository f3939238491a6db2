//! A person in custody, identified by prison number, and the establishments that hold them.

use jiff::civil::Date;

use crate::code_set;
use crate::ids::{EstablishmentCode, NhsNumber, PrisonNumber};

/// Who the person is. Everything that changes (characteristics, needs, custody) is on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub prison_number: PrisonNumber,
    pub given_name: Name,
    pub family_name: Name,
    pub date_of_birth: Date,
    pub nhs_number: Option<NhsNumber>,
}

/// A name as the person gives it: 1-100 characters, no control characters, no surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
            Err(format!("name must be 1-100 characters with no control characters, got {s:?}"))
        } else {
            Ok(Self(t.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

code_set! {
    /// Who an establishment holds: it decides which standards can apply (MBUs are in the women's estate).
    pub enum Population as "population" {
        Men = "MEN": "Men",
        Women = "WOMEN": "Women",
        YoungPeople = "YOUNG_PEOPLE": "Young people (15-17)",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    pub code: EstablishmentCode,
    pub name: Name,
    pub population: Population,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Name::parse("  Siobhán ").unwrap().as_str(), "Siobhán");
        assert!(Name::parse(" ").is_err());
        assert!(Name::parse("a\nb").is_err());
    }
}
