//! How a person needs information given to them, and who they count as family.

use serde::{Deserialize, Serialize};

use crate::code_set;

code_set! {
    /// Formats information can be given in (the report: written, easy read, signing, visual, verbal, or a mix).
    pub enum Format as "format" {
        Written = "WRITTEN": "Written",
        EasyRead = "EASY_READ": "Easy read",
        LargePrint = "LARGE_PRINT": "Large print",
        Braille = "BRAILLE": "Braille",
        Signing = "SIGNING": "Signing",
        Visual = "VISUAL": "Visual",
        Verbal = "VERBAL": "Verbal",
    }
}

code_set! {
    /// Whether the person understood what they were given (NICE: check understanding).
    pub enum Understood as "understood" {
        Yes = "YES": "Understood",
        Partly = "PARTLY": "Partly understood",
        No = "NO": "Not understood",
        NotChecked = "NOT_CHECKED": "Understanding not checked",
    }
}

code_set! {
    /// The person's wish about involving a family member in their mental-health support.
    pub enum FamilyInvolvement as "family involvement" {
        Consents = "CONSENTS": "Involve them",
        AskEachTime = "ASK_EACH_TIME": "Ask me each time",
        Declines = "DECLINES": "Do not involve them",
    }
}

/// A language as an ISO 639 code: two or three lower-case letters (`en`, `cy`, `pl`, `bfi` for BSL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

impl Language {
    pub fn parse(s: &str) -> Result<Self, String> {
        if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Self(s.to_string()))
        } else {
            Err(format!("language must be an ISO 639 code of 2 or 3 lower-case letters (e.g. en, cy, pl), got {s:?}"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Language {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Language> for String {
    fn from(l: Language) -> String {
        l.0
    }
}

/// How to communicate with a person; shown prominently to everyone who works with them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicationProfile {
    /// Preferred formats, most preferred first; never empty.
    #[serde(deserialize_with = "non_empty_unique_formats")]
    pub formats: Vec<Format>,
    pub language: Language,
    pub interpreter: bool,
    pub literacy_support: bool,
    /// Recorded needs the report asks staff to meet (NICE guidance for people with learning disabilities).
    #[serde(default)]
    pub learning_disability: bool,
    #[serde(default)]
    pub neurodivergent: bool,
}

fn non_empty_unique_formats<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Format>, D::Error> {
    let v = Vec::<Format>::deserialize(d)?;
    if v.is_empty() {
        return Err(serde::de::Error::custom("formats must name at least one format"));
    }
    let mut seen = std::collections::HashSet::new();
    if !v.iter().all(|f| seen.insert(*f)) {
        return Err(serde::de::Error::custom("formats must not repeat a format"));
    }
    Ok(v)
}

impl CommunicationProfile {
    pub fn needs_easy_read(&self) -> bool {
        self.formats.contains(&Format::EasyRead)
    }
}

/// Someone the person counts as family: the person defines who their family is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyContact {
    pub name: String,
    /// In the person's own words ("my nan", "partner", "best friend").
    pub relationship: String,
    pub involvement: FamilyInvolvement,
    /// Whether they may be told when the person is transferred (the report asks that families
    /// hear of a move as early as possible, on the person's terms).
    #[serde(default)]
    pub told_of_transfer: bool,
    /// Their date of birth, where the person shares it: their birthday shows on "coming up".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<jiff::civil::Date>,
}

impl FamilyContact {
    pub fn validate(&self) -> Result<(), String> {
        for (field, v) in [("name", &self.name), ("relationship", &self.relationship)] {
            if v.trim().is_empty() || v.chars().count() > 120 {
                return Err(format!("family contact {field} must be 1-120 characters"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_strictly() {
        let ok = r#"{"formats":["EASY_READ","VERBAL"],"language":"pl","interpreter":true,"literacy_support":false}"#;
        let p: CommunicationProfile = serde_json::from_str(ok).unwrap();
        assert!(p.needs_easy_read());
        for bad in [
            r#"{"formats":[],"language":"en","interpreter":false,"literacy_support":false}"#,
            r#"{"formats":["WRITTEN","WRITTEN"],"language":"en","interpreter":false,"literacy_support":false}"#,
            r#"{"formats":["BIG"],"language":"en","interpreter":false,"literacy_support":false}"#,
            r#"{"formats":["WRITTEN"],"language":"English","interpreter":false,"literacy_support":false}"#,
            r#"{"formats":["WRITTEN"],"language":"en","interpreter":false,"literacy_support":false,"x":1}"#,
        ] {
            assert!(serde_json::from_str::<CommunicationProfile>(bad).is_err(), "{bad}");
        }
    }
}
