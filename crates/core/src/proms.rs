//! Partnership Reported Outcome Measures: the measures a healthcare provider reports each quarter,
//! as data (`standards/reference/proms.toml`), each one a measure of the equality engine.

use serde::Deserialize;

use crate::measures::MeasureSet;

/// The measures, in the order reported, with their heading.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proms {
    pub source: String,
    pub measure: Vec<PromMeasure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromMeasure {
    pub group: String,
    pub id: String,
}

pub const FILE: (&str, &str) =
    ("standards/reference/proms.toml", include_str!("../../../standards/reference/proms.toml"));

impl Proms {
    /// The shipped list, each measure checked to exist.
    pub fn load(measures: &MeasureSet) -> Result<Self, String> {
        let p: Proms = toml::from_str(FILE.1).map_err(|e| format!("{}: {e}", FILE.0))?;
        for m in &p.measure {
            if measures.get(&m.id).is_none() {
                return Err(format!("{}: there is no measure {}", FILE.0, m.id));
            }
        }
        Ok(p)
    }

    /// The engine's measures restricted to these, with no intersections (never published).
    pub fn measure_set(&self, all: &MeasureSet) -> MeasureSet {
        MeasureSet {
            measures: self.measure.iter().filter_map(|m| all.get(&m.id).cloned()).collect(),
            intersections: vec![],
            flag: all.flag.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_measure_is_a_measure_and_none_is_intersected() {
        let standards = crate::standards::StandardSet::builtin();
        let all = MeasureSet::builtin(&standards);
        let p = Proms::load(&all).unwrap();
        let set = p.measure_set(&all);
        assert_eq!(set.measures.len(), p.measure.len());
        assert!(set.intersections.is_empty());
        assert!(p.measure.iter().any(|m| m.id == "standard-first-night-screen"));
        assert!(p.measure.iter().any(|m| m.id == "standard-community-mental-health-handover"));
    }
}
