//! Religious festivals by religion or belief, kept as data with their sources
//! (`standards/reference/festivals.toml`), for the key worker's "coming up".

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

use crate::characteristics::Religion;
use crate::codes::CodeSet;
use crate::standards::{StandardsError, line_of};

/// One festival on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Festival {
    pub religion: Religion,
    pub name: String,
    pub date: Date,
}

/// Every festival the calendar knows, for the years it covers.
#[derive(Debug, Clone, Default)]
pub struct FestivalCalendar {
    pub years: Vec<i16>,
    days: Vec<Festival>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    years: Spanned<Vec<i16>>,
    festival: Vec<RawFestival>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFestival {
    religion: Spanned<String>,
    name: Spanned<String>,
    /// A fixed day, "MM-DD", every year.
    on: Option<Spanned<String>>,
    /// A movable festival: its date in each year.
    dates: Option<BTreeMap<String, Spanned<String>>>,
    /// How the dates were worked out, for the oracle test (`easter`, `hijri-10-01`...).
    #[allow(dead_code)]
    computed: Option<String>,
}

/// The calendar shipped with throughcare.
pub const BUILTIN: (&str, &str) =
    ("standards/reference/festivals.toml", include_str!("../../../../standards/reference/festivals.toml"));

impl FestivalCalendar {
    /// The built-in calendar. Its file is tested to load, so this cannot fail in a release.
    pub fn builtin() -> Self {
        Self::load(BUILTIN.0, BUILTIN.1).unwrap_or_else(|e| panic!("the built-in festival calendar: {e}"))
    }

    /// Loads a festival file; an error names the file and line at fault.
    pub fn load(file: &str, text: &str) -> Result<Self, StandardsError> {
        let err =
            |offset: usize, message: String| StandardsError { file: file.into(), line: line_of(text, offset), message };
        let raw: RawFile =
            toml::from_str(text).map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().into()))?;
        let years = raw.years.get_ref().clone();
        if years.is_empty() {
            return Err(err(raw.years.span().start, "years: give the years the calendar covers".into()));
        }
        let mut days = Vec::new();
        for f in raw.festival {
            let religion = Religion::parse_code(f.religion.get_ref()).map_err(|_| {
                err(
                    f.religion.span().start,
                    format!(
                        "unknown religion {:?}: use one of {}",
                        f.religion.get_ref(),
                        Religion::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let name = f.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(err(f.name.span().start, "name: give the festival's name".into()));
            }
            match (&f.on, &f.dates) {
                (Some(on), None) => {
                    for &y in &years {
                        let date = format!("{y}-{}", on.get_ref()).parse::<Date>().map_err(|_| {
                            err(on.span().start, format!("{name}: on {:?} is not a day of {y} (MM-DD)", on.get_ref()))
                        })?;
                        days.push(Festival { religion, name: name.clone(), date });
                    }
                }
                (None, Some(dates)) => {
                    for (year, d) in dates {
                        let at = d.span().start;
                        let date = d
                            .get_ref()
                            .parse::<Date>()
                            .map_err(|_| err(at, format!("{name}: {:?} is not a date (YYYY-MM-DD)", d.get_ref())))?;
                        if year.parse::<i16>().ok() != Some(date.year()) {
                            return Err(err(at, format!("{name}: {date} is outside its year {year}")));
                        }
                        if !years.contains(&date.year()) {
                            return Err(err(at, format!("{name}: {year} is not one of the calendar's years")));
                        }
                        days.push(Festival { religion, name: name.clone(), date });
                    }
                    if let Some(missing) = years.iter().find(|y| !dates.contains_key(&y.to_string())) {
                        return Err(err(f.name.span().start, format!("{name}: no date for {missing}")));
                    }
                }
                _ => {
                    return Err(err(f.name.span().start, format!("{name}: give either on (a fixed day) or dates")));
                }
            }
        }
        days.sort_by(|a, b| (a.date, &a.name).cmp(&(b.date, &b.name)));
        Ok(Self { years, days })
    }

    /// The festivals of a religion from `from` to `until`, both included, soonest first.
    pub fn between(&self, religion: Religion, from: Date, until: Date) -> impl Iterator<Item = &Festival> {
        self.days.iter().filter(move |f| f.religion == religion && f.date >= from && f.date <= until)
    }

    pub fn all(&self) -> &[Festival] {
        &self.days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_calendar_covers_2026_to_2030_for_every_religion() {
        let c = FestivalCalendar::builtin();
        assert_eq!(c.years, [2026, 2027, 2028, 2029, 2030]);
        for r in Religion::ALL.iter().filter(|r| **r != Religion::NoReligion) {
            for y in 2026..=2030 {
                assert!(c.all().iter().any(|f| f.religion == *r && f.date.year() == y), "{r:?} in {y}");
            }
        }
        let d = |s: &str| s.parse::<Date>().unwrap();
        let eid: Vec<_> = c.between(Religion::Muslim, d("2027-03-01"), d("2027-03-31")).map(|f| &f.name).collect();
        assert_eq!(eid, ["Eid al-Fitr"]);
        assert_eq!(c.between(Religion::Christian, d("2028-12-25"), d("2028-12-25")).count(), 1);
    }

    #[test]
    fn a_date_outside_its_year_or_an_unknown_religion_refuses_to_load_naming_the_line() {
        let good = "years = [2026, 2027]\n[[festival]]\nreligion = \"HINDU\"\nname = \"Diwali\"\ndates = { 2026 = \"2026-11-08\", 2027 = \"2027-10-29\" }\n";
        assert!(FestivalCalendar::load("f.toml", good).is_ok());
        let e = FestivalCalendar::load("f.toml", &good.replace("2027-10-29", "2028-10-17")).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("f.toml", 5));
        assert!(e.message.contains("outside its year 2027"), "{}", e.message);
        let e = FestivalCalendar::load("f.toml", &good.replace("HINDU", "JEDI")).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown religion \"JEDI\""), "{}", e.message);
        let e = FestivalCalendar::load("f.toml", &good.replace(", 2027 = \"2027-10-29\"", "")).unwrap_err();
        assert!(e.message.contains("no date for 2027"), "{}", e.message);
        let fixed = "years = [2027]\n[[festival]]\nreligion = \"BUDDHIST\"\nname = \"X\"\non = \"02-30\"\n";
        let e = FestivalCalendar::load("f.toml", fixed).unwrap_err();
        assert_eq!(e.line, 5, "{}", e.message);
    }
}
