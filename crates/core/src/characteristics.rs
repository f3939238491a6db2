//! The nine protected characteristics of the Equality Act 2010, each self-declared, with history.
//!
//! Every declared value can also be "not stated" (asked, declined) or "not known" (not recorded),
//! written `NS` and `NK` in every code set. Sources for each value set are in docs/characteristics.md.

use std::borrow::Cow;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::code_set;
use crate::codes::CodeSet;

code_set! {
    /// Which characteristic a declaration or a breakdown is about. Age is derived from date of birth.
    pub enum Characteristic as "characteristic" {
        Age = "age": "Age",
        Disability = "disability": "Disability",
        GenderReassignment = "gender_reassignment": "Gender reassignment",
        GenderIdentity = "gender_identity": "Gender identity",
        MarriageCivilPartnership = "marriage_civil_partnership": "Marriage and civil partnership",
        PregnancyMaternity = "pregnancy_maternity": "Pregnancy and maternity",
        Ethnicity = "ethnicity": "Race (ethnicity)",
        Religion = "religion": "Religion or belief",
        Sex = "sex": "Sex",
        SexualOrientation = "sexual_orientation": "Sexual orientation",
    }
}

impl Characteristic {
    /// Shown only to roles whose work needs them; analysed in aggregate (DOMAIN.md).
    pub fn is_need_to_know(self) -> bool {
        matches!(self, Self::SexualOrientation | Self::GenderIdentity | Self::GenderReassignment | Self::Religion)
    }
}

code_set! {
    /// Sex as recorded: female or male (there is no GSS harmonised standard yet; clinical.md §2).
    pub enum Sex as "sex" {
        Female = "F": "Female",
        Male = "M": "Male",
    }
}

code_set! {
    /// Criminal justice self-defined ethnicity ("18+1": ONS 2011 categories), with Roma (census 2021) as W4.
    pub enum Ethnicity as "ethnicity" {
        WhiteBritish = "W1": "White: English, Welsh, Scottish, Northern Irish or British",
        WhiteIrish = "W2": "White: Irish",
        GypsyIrishTraveller = "W3": "White: Gypsy or Irish Traveller",
        Roma = "W4": "White: Roma",
        WhiteOther = "W9": "White: any other White background",
        WhiteBlackCaribbean = "M1": "Mixed: White and Black Caribbean",
        WhiteBlackAfrican = "M2": "Mixed: White and Black African",
        WhiteAsian = "M3": "Mixed: White and Asian",
        MixedOther = "M9": "Mixed: any other Mixed or multiple ethnic background",
        Indian = "A1": "Asian or Asian British: Indian",
        Pakistani = "A2": "Asian or Asian British: Pakistani",
        Bangladeshi = "A3": "Asian or Asian British: Bangladeshi",
        Chinese = "A4": "Asian or Asian British: Chinese",
        AsianOther = "A9": "Asian or Asian British: any other Asian background",
        Caribbean = "B1": "Black, Black British, Caribbean or African: Caribbean",
        African = "B2": "Black, Black British, Caribbean or African: African",
        BlackOther = "B9": "Black, Black British, Caribbean or African: any other Black background",
        Arab = "O2": "Other ethnic group: Arab",
        OtherEthnicGroup = "O9": "Other ethnic group: any other ethnic group",
    }
}

code_set! {
    /// The five high-level ethnic groups used in HMPPS and MoJ headline tables.
    pub enum EthnicGroup as "ethnic group" {
        White = "WHITE": "White",
        Mixed = "MIXED": "Mixed or multiple ethnic groups",
        Asian = "ASIAN": "Asian or Asian British",
        Black = "BLACK": "Black, Black British, Caribbean or African",
        Other = "OTHER": "Other ethnic group",
    }
}

impl Ethnicity {
    pub fn group(self) -> EthnicGroup {
        match self.code().as_bytes()[0] {
            b'W' => EthnicGroup::White,
            b'M' => EthnicGroup::Mixed,
            b'A' => EthnicGroup::Asian,
            b'B' => EthnicGroup::Black,
            _ => EthnicGroup::Other,
        }
    }

    /// NHS Data Dictionary ETHNIC CATEGORY (2001 "16+1") for FHIR. Lossy: Gypsy or Irish
    /// Traveller and Roma become C, Arab becomes S, so this is never the master value.
    pub fn nhs_ethnic_category(self) -> &'static str {
        use Ethnicity::*;
        match self {
            WhiteBritish => "A",
            WhiteIrish => "B",
            GypsyIrishTraveller | Roma | WhiteOther => "C",
            WhiteBlackCaribbean => "D",
            WhiteBlackAfrican => "E",
            WhiteAsian => "F",
            MixedOther => "G",
            Indian => "H",
            Pakistani => "J",
            Bangladeshi => "K",
            AsianOther => "L",
            Caribbean => "M",
            African => "N",
            BlackOther => "P",
            Chinese => "R",
            Arab | OtherEthnicGroup => "S",
        }
    }
}

code_set! {
    /// Religion or belief: the census list for England and Wales, in its presentation order.
    pub enum Religion as "religion" {
        NoReligion = "NONE": "No religion",
        Christian = "CHRISTIAN": "Christian (all denominations)",
        Buddhist = "BUDDHIST": "Buddhist",
        Hindu = "HINDU": "Hindu",
        Jewish = "JEWISH": "Jewish",
        Muslim = "MUSLIM": "Muslim",
        Sikh = "SIKH": "Sikh",
        Other = "OTHER": "Any other religion or belief",
    }
}

code_set! {
    /// NHS Sexual Orientation Monitoring standard (SCCI2094), codes as in PERSON STATED SEXUAL ORIENTATION CODE.
    pub enum SexualOrientation as "sexual orientation" {
        Heterosexual = "1": "Heterosexual or straight",
        GayOrLesbian = "2": "Gay or lesbian",
        Bisexual = "3": "Bisexual",
        Other = "4": "Other sexual orientation not listed",
        Unsure = "U": "Does not know or is not sure",
    }
}

code_set! {
    /// NHS Data Dictionary GENDER IDENTITY CODE.
    pub enum GenderIdentity as "gender identity" {
        Male = "1": "Male (including trans man)",
        Female = "2": "Female (including trans woman)",
        NonBinary = "3": "Non-binary",
        Other = "4": "Other (not listed)",
    }
}

code_set! {
    /// Gender reassignment, asked as census 2021 does: is your gender the same as your sex registered at birth?
    pub enum GenderReassignment as "gender reassignment" {
        Same = "SAME": "Gender the same as sex registered at birth",
        Different = "DIFFERENT": "Gender different from sex registered at birth",
    }
}

code_set! {
    /// Disability from the two GSS questions: a condition lasting 12 months or more, and how much it
    /// reduces day-to-day activity. "A lot" and "a little" meet the Equality Act definition.
    pub enum Disability as "disability" {
        ReducedALot = "LOT": "Condition reduces day-to-day activity a lot",
        ReducedALittle = "LITTLE": "Condition reduces day-to-day activity a little",
        NotReduced = "NOT_AT_ALL": "Condition does not reduce day-to-day activity",
        NoCondition = "NO": "No long-lasting condition",
        DoesNotKnow = "DONT_KNOW": "Does not know",
    }
}

impl Disability {
    /// Disabled in the Equality Act sense, as the GSS questions measure it.
    pub fn is_disabled(self) -> bool {
        matches!(self, Self::ReducedALot | Self::ReducedALittle)
    }
}

code_set! {
    /// Legal marital or registered civil partnership status, census 2021 categories.
    pub enum MaritalStatus as "marriage and civil partnership" {
        NeverMarried = "NEVER": "Never married and never registered a civil partnership",
        Married = "MARRIED": "Married",
        CivilPartnership = "CIVIL_PARTNERSHIP": "In a registered civil partnership",
        Separated = "SEPARATED": "Separated, but still married",
        SeparatedCivilPartnership = "SEPARATED_CP": "Separated, but still in a registered civil partnership",
        Divorced = "DIVORCED": "Divorced",
        CivilPartnershipDissolved = "CP_DISSOLVED": "Formerly in a civil partnership now legally dissolved",
        Widowed = "WIDOWED": "Widowed",
        SurvivingCivilPartner = "SURVIVING_CP": "Surviving partner from a civil partnership",
    }
}

impl MaritalStatus {
    /// NHS / UK Core PersonMaritalStatusEngland code for FHIR.
    pub fn nhs_marital_status(self) -> &'static str {
        use MaritalStatus::*;
        match self {
            NeverMarried => "S",
            Married | CivilPartnership => "M",
            Separated | SeparatedCivilPartnership => "P",
            Divorced | CivilPartnershipDissolved => "D",
            Widowed | SurvivingCivilPartner => "W",
        }
    }
}

/// Pregnancy and maternity. There is no GSS question; these are the facts the report's standards
/// turn on (the MBU criterion is pregnant, or a child under 18 months in the community).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PregnancyMaternity {
    pub pregnant: bool,
    /// Gave birth in the last 26 weeks (Equality Act maternity protection outside work).
    pub birth_in_last_26_weeks: bool,
    pub child_under_18_months_in_community: bool,
}

impl PregnancyMaternity {
    const FLAGS: [&'static str; 3] = ["PREGNANT", "BIRTH_26W", "CHILD_U18M"];

    fn flags(self) -> [bool; 3] {
        [self.pregnant, self.birth_in_last_26_weeks, self.child_under_18_months_in_community]
    }

    pub fn meets_mbu_criterion(self) -> bool {
        self.pregnant || self.child_under_18_months_in_community
    }
}

/// A characteristic's value that can be written as a code and read back.
pub trait DeclaredValue: Sized + Copy {
    const NAME: &'static str;
    fn to_code(&self) -> Cow<'static, str>;
    fn from_code_str(code: &str) -> Result<Self, String>;
    fn describe(&self) -> Cow<'static, str>;
}

impl<T: CodeSet> DeclaredValue for T {
    const NAME: &'static str = T::NAME;
    fn to_code(&self) -> Cow<'static, str> {
        Cow::Borrowed(self.code())
    }
    fn from_code_str(code: &str) -> Result<Self, String> {
        T::parse_code(code).map_err(|e| format!("{e}, or NS (not stated) or NK (not known)"))
    }
    fn describe(&self) -> Cow<'static, str> {
        Cow::Borrowed(self.label())
    }
}

impl DeclaredValue for PregnancyMaternity {
    const NAME: &'static str = "pregnancy and maternity";
    fn to_code(&self) -> Cow<'static, str> {
        let set: Vec<&str> = Self::FLAGS.iter().zip(self.flags()).filter(|(_, on)| *on).map(|(f, _)| *f).collect();
        if set.is_empty() { Cow::Borrowed("NONE") } else { Cow::Owned(set.join("+")) }
    }
    fn from_code_str(code: &str) -> Result<Self, String> {
        if code == "NONE" {
            return Ok(Self::default());
        }
        let mut flags = [false; 3];
        for part in code.split('+') {
            let i = Self::FLAGS.iter().position(|f| *f == part).ok_or_else(|| {
                format!(
                    "unknown pregnancy and maternity code {part:?} (allowed: NONE, or any of PREGNANT, BIRTH_26W, CHILD_U18M joined by +, or NS or NK)"
                )
            })?;
            if flags[i] {
                return Err(format!("pregnancy and maternity code {part} given twice"));
            }
            flags[i] = true;
        }
        Ok(Self { pregnant: flags[0], birth_in_last_26_weeks: flags[1], child_under_18_months_in_community: flags[2] })
    }
    fn describe(&self) -> Cow<'static, str> {
        let labels = ["Pregnant", "Gave birth in the last 26 weeks", "Child under 18 months in the community"];
        let set: Vec<&str> = labels.iter().zip(self.flags()).filter(|(_, on)| *on).map(|(l, _)| *l).collect();
        if set.is_empty() { Cow::Borrowed("Neither pregnant nor on maternity") } else { Cow::Owned(set.join("; ")) }
    }
}

/// A self-declared value, or an explicit record that it was not stated or is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Declared<T> {
    Stated(T),
    /// Asked, and the person chose not to say.
    NotStated,
    /// Not recorded: nobody has asked, or the answer was lost.
    NotKnown,
}

impl<T: DeclaredValue> Declared<T> {
    pub fn code(&self) -> Cow<'static, str> {
        match self {
            Self::Stated(v) => v.to_code(),
            Self::NotStated => Cow::Borrowed("NS"),
            Self::NotKnown => Cow::Borrowed("NK"),
        }
    }
    pub fn parse(code: &str) -> Result<Self, String> {
        match code {
            "NS" => Ok(Self::NotStated),
            "NK" => Ok(Self::NotKnown),
            "" => Err(format!("{} is empty: give a code, NS (not stated) or NK (not known)", T::NAME)),
            other => T::from_code_str(other).map(Self::Stated),
        }
    }
    pub fn stated(&self) -> Option<T> {
        match self {
            Self::Stated(v) => Some(*v),
            _ => None,
        }
    }
}

impl<T: DeclaredValue> fmt::Display for Declared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stated(v) => f.write_str(&v.describe()),
            Self::NotStated => f.write_str("Not stated"),
            Self::NotKnown => f.write_str("Not known"),
        }
    }
}

/// One declaration of one characteristic, as the person made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Declaration {
    Sex(Declared<Sex>),
    Ethnicity(Declared<Ethnicity>),
    /// The detail is the person's own words (a denomination, "any other religion").
    Religion(Declared<Religion>, Option<String>),
    SexualOrientation(Declared<SexualOrientation>),
    GenderIdentity(Declared<GenderIdentity>),
    GenderReassignment(Declared<GenderReassignment>),
    Disability(Declared<Disability>),
    MarriageCivilPartnership(Declared<MaritalStatus>),
    PregnancyMaternity(Declared<PregnancyMaternity>),
}

/// The wire shape of a declaration: `{"characteristic": "ethnicity", "value": "W3"}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeclaration {
    characteristic: String,
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl Declaration {
    pub fn characteristic(&self) -> Characteristic {
        match self {
            Self::Sex(_) => Characteristic::Sex,
            Self::Ethnicity(_) => Characteristic::Ethnicity,
            Self::Religion(..) => Characteristic::Religion,
            Self::SexualOrientation(_) => Characteristic::SexualOrientation,
            Self::GenderIdentity(_) => Characteristic::GenderIdentity,
            Self::GenderReassignment(_) => Characteristic::GenderReassignment,
            Self::Disability(_) => Characteristic::Disability,
            Self::MarriageCivilPartnership(_) => Characteristic::MarriageCivilPartnership,
            Self::PregnancyMaternity(_) => Characteristic::PregnancyMaternity,
        }
    }

    /// The value's code (`W3`, `NS`, `PREGNANT+CHILD_U18M`), the group a breakdown counts it in.
    pub fn code(&self) -> Cow<'static, str> {
        match self {
            Self::Sex(d) => d.code(),
            Self::Ethnicity(d) => d.code(),
            Self::Religion(d, _) => d.code(),
            Self::SexualOrientation(d) => d.code(),
            Self::GenderIdentity(d) => d.code(),
            Self::GenderReassignment(d) => d.code(),
            Self::Disability(d) => d.code(),
            Self::MarriageCivilPartnership(d) => d.code(),
            Self::PregnancyMaternity(d) => d.code(),
        }
    }

    /// The declared value in words ("White: Gypsy or Irish Traveller", "Not stated").
    pub fn describe(&self) -> String {
        match self {
            Self::Sex(d) => d.to_string(),
            Self::Ethnicity(d) => d.to_string(),
            Self::Religion(d, _) => d.to_string(),
            Self::SexualOrientation(d) => d.to_string(),
            Self::GenderIdentity(d) => d.to_string(),
            Self::GenderReassignment(d) => d.to_string(),
            Self::Disability(d) => d.to_string(),
            Self::MarriageCivilPartnership(d) => d.to_string(),
            Self::PregnancyMaternity(d) => d.to_string(),
        }
    }

    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Religion(_, detail) => detail.as_deref(),
            _ => None,
        }
    }

    pub fn parse(characteristic: &str, value: &str, detail: Option<String>) -> Result<Self, String> {
        let c = Characteristic::parse_code(characteristic).map_err(|e| e.to_string())?;
        if detail.is_some() && c != Characteristic::Religion {
            return Err(format!("only religion takes a detail, not {characteristic}"));
        }
        if let Some(d) = &detail {
            if d.trim().is_empty() || d.chars().count() > 200 {
                return Err("religion detail must be 1-200 characters".into());
            }
        }
        Ok(match c {
            Characteristic::Age => {
                return Err("age is derived from date of birth and cannot be declared".into());
            }
            Characteristic::Sex => Self::Sex(Declared::parse(value)?),
            Characteristic::Ethnicity => Self::Ethnicity(Declared::parse(value)?),
            Characteristic::Religion => Self::Religion(Declared::parse(value)?, detail),
            Characteristic::SexualOrientation => Self::SexualOrientation(Declared::parse(value)?),
            Characteristic::GenderIdentity => Self::GenderIdentity(Declared::parse(value)?),
            Characteristic::GenderReassignment => Self::GenderReassignment(Declared::parse(value)?),
            Characteristic::Disability => Self::Disability(Declared::parse(value)?),
            Characteristic::MarriageCivilPartnership => Self::MarriageCivilPartnership(Declared::parse(value)?),
            Characteristic::PregnancyMaternity => Self::PregnancyMaternity(Declared::parse(value)?),
        })
    }
}

impl Serialize for Declaration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawDeclaration {
            characteristic: self.characteristic().code().to_string(),
            value: self.code().into_owned(),
            detail: self.detail().map(str::to_string),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Declaration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawDeclaration::deserialize(d)?;
        Declaration::parse(&raw.characteristic, &raw.value, raw.detail).map_err(serde::de::Error::custom)
    }
}

code_set! {
    /// HMPPS age bands used in equality reporting.
    pub enum AgeBand as "age band" {
        Age15To17 = "15-17": "15 to 17",
        Age18To25 = "18-25": "18 to 25",
        Age26To35 = "26-35": "26 to 35",
        Age36To45 = "36-45": "36 to 45",
        Age46To55 = "46-55": "46 to 55",
        Age56To65 = "56-65": "56 to 65",
        Age66Plus = "66+": "66 and over",
    }
}

/// Age in whole years on a date (a birthday on 29 February falls on 1 March in other years).
pub fn age_on(date_of_birth: Date, on: Date) -> i16 {
    let mut years = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    years
}

impl AgeBand {
    /// The band for an age, or None under 15 (children are not held in prisons).
    pub fn for_age(age: i16) -> Option<Self> {
        Some(match age {
            ..=14 => return None,
            15..=17 => Self::Age15To17,
            18..=25 => Self::Age18To25,
            26..=35 => Self::Age26To35,
            36..=45 => Self::Age36To45,
            46..=55 => Self::Age46To55,
            56..=65 => Self::Age56To65,
            _ => Self::Age66Plus,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn every_code_set_parses_its_own_codes_and_rejects_others() {
        fn check<T: CodeSet + std::fmt::Debug>() {
            for v in T::ALL {
                assert_eq!(T::from_code(v.code()), Some(*v));
                assert_eq!(Declared::<T>::parse(v.code()), Ok(Declared::Stated(*v)));
            }
            assert_eq!(Declared::<T>::parse("NS"), Ok(Declared::NotStated));
            assert_eq!(Declared::<T>::parse("NK"), Ok(Declared::NotKnown));
            let err = Declared::<T>::parse("bogus").unwrap_err();
            assert!(err.contains("bogus") && err.contains("NS"), "{err}");
            assert!(Declared::<T>::parse("").is_err());
        }
        check::<Sex>();
        check::<Ethnicity>();
        check::<Religion>();
        check::<SexualOrientation>();
        check::<GenderIdentity>();
        check::<GenderReassignment>();
        check::<Disability>();
        check::<MaritalStatus>();
    }

    #[test]
    fn ethnicity_has_eighteen_plus_roma_and_five_groups() {
        assert_eq!(Ethnicity::ALL.len(), 19);
        let white = Ethnicity::ALL.iter().filter(|e| e.group() == EthnicGroup::White).count();
        assert_eq!(white, 5);
        assert_eq!(Ethnicity::Chinese.group(), EthnicGroup::Asian);
        assert_eq!(Ethnicity::Arab.group(), EthnicGroup::Other);
        // The NHS mapping is lossy exactly where clinical.md says.
        assert_eq!(Ethnicity::GypsyIrishTraveller.nhs_ethnic_category(), "C");
        assert_eq!(Ethnicity::Roma.nhs_ethnic_category(), "C");
        assert_eq!(Ethnicity::Arab.nhs_ethnic_category(), "S");
        assert_eq!(Ethnicity::Chinese.nhs_ethnic_category(), "R");
    }

    #[test]
    fn pregnancy_and_maternity_codes_round_trip() {
        for code in ["NONE", "PREGNANT", "CHILD_U18M", "PREGNANT+BIRTH_26W+CHILD_U18M", "BIRTH_26W+CHILD_U18M"] {
            let v = PregnancyMaternity::from_code_str(code).unwrap();
            assert_eq!(v.to_code(), code);
        }
        let v = PregnancyMaternity::from_code_str("CHILD_U18M").unwrap();
        assert!(v.meets_mbu_criterion());
        assert!(!PregnancyMaternity::from_code_str("BIRTH_26W").unwrap().meets_mbu_criterion());
        assert!(PregnancyMaternity::from_code_str("PREGNANT+PREGNANT").is_err());
        assert!(PregnancyMaternity::from_code_str("NONE+PREGNANT").is_err());
    }

    #[test]
    fn declarations_serialise_as_characteristic_value_detail() {
        let d = Declaration::Religion(Declared::Stated(Religion::Other), Some("Rastafari".into()));
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#"{"characteristic":"religion","value":"OTHER","detail":"Rastafari"}"#);
        assert_eq!(serde_json::from_str::<Declaration>(&json).unwrap(), d);
        let bad = r#"{"characteristic":"ethnicity","value":"W7"}"#;
        let err = serde_json::from_str::<Declaration>(bad).unwrap_err().to_string();
        assert!(err.contains("W7"), "{err}");
        assert!(Declaration::parse("age", "30", None).is_err());
        assert!(Declaration::parse("sex", "F", Some("x".into())).is_err());
    }

    #[test]
    fn ages_and_bands() {
        assert_eq!(age_on(date(2000, 2, 29), date(2018, 2, 28)), 17);
        assert_eq!(age_on(date(2000, 2, 29), date(2018, 3, 1)), 18);
        assert_eq!(AgeBand::for_age(14), None);
        assert_eq!(AgeBand::for_age(25), Some(AgeBand::Age18To25));
        assert_eq!(AgeBand::for_age(26), Some(AgeBand::Age26To35));
        assert_eq!(AgeBand::for_age(90), Some(AgeBand::Age66Plus));
    }
}

/// The answers a form offers for a characteristic, as (code, label), in the code set's order;
/// "Prefer not to say" (NS) is offered by the form beside them. None for age (derived).
pub fn options(c: Characteristic) -> Option<Vec<(String, String)>> {
    fn all<T: CodeSet>() -> Vec<(String, String)> {
        T::ALL.iter().map(|v| (v.code().to_string(), v.label().to_string())).collect()
    }
    Some(match c {
        Characteristic::Age => return None,
        Characteristic::Sex => all::<Sex>(),
        Characteristic::Ethnicity => all::<Ethnicity>(),
        Characteristic::Religion => all::<Religion>(),
        Characteristic::SexualOrientation => all::<SexualOrientation>(),
        Characteristic::GenderIdentity => all::<GenderIdentity>(),
        Characteristic::GenderReassignment => all::<GenderReassignment>(),
        Characteristic::Disability => all::<Disability>(),
        Characteristic::MarriageCivilPartnership => all::<MaritalStatus>(),
        Characteristic::PregnancyMaternity => ["NONE", "PREGNANT", "BIRTH_26W", "CHILD_U18M", "PREGNANT+CHILD_U18M"]
            .iter()
            .map(|code| {
                let v = PregnancyMaternity::from_code_str(code).expect("known codes");
                (code.to_string(), v.describe().into_owned())
            })
            .collect(),
    })
}
