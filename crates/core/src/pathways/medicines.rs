//! Medicines continuity: what the person takes, checked against their community record, the first
//! dose given, reconciliation before the second-stage assessment, and supply when they leave.

use jiff::Timestamp;

use crate::event::{Event, EventKind, MedicineSource, Occasion, ReceptionType, Supply};
use crate::ids::EventId;
use crate::timeline::Timeline;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medicine {
    pub id: EventId,
    pub name: String,
    pub dose: String,
    pub critical: bool,
    pub source: MedicineSource,
    pub reported_at: Timestamp,
    pub confirmed: Option<(Timestamp, MedicineSource)>,
    pub first_dose: Option<Timestamp>,
}

/// A person's medicines during their current (or last) custody episode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Medicines {
    pub medicines: Vec<Medicine>,
    pub reconciled: Option<Timestamp>,
    pub supplied: Vec<(Timestamp, Occasion, Supply)>,
}

/// Medicines since the latest reception into custody: a transfer carries them on, a new time in
/// custody starts a fresh list.
pub fn medicines(timeline: &Timeline) -> Medicines {
    let mut m = Medicines::default();
    for e in timeline.live() {
        match &e.kind {
            // Medicines go with a person moving between prisons; a new time in custody starts afresh.
            EventKind::Reception { reception_type, .. } if *reception_type != ReceptionType::TransferIn => {
                m = Medicines::default()
            }
            EventKind::MedicineReported { name, dose, critical, source } => m.medicines.push(Medicine {
                id: e.id,
                name: name.clone(),
                dose: dose.clone(),
                critical: *critical,
                source: *source,
                reported_at: e.occurred_at,
                confirmed: None,
                first_dose: None,
            }),
            EventKind::MedicineConfirmed { medicine, against } => {
                if let Some(x) = m.medicines.iter_mut().find(|x| x.id == *medicine && x.confirmed.is_none()) {
                    x.confirmed = Some((e.occurred_at, *against));
                }
            }
            EventKind::MedicationGiven { medicine: Some(medicine), .. } => {
                if let Some(x) = m.medicines.iter_mut().find(|x| x.id == *medicine && x.first_dose.is_none()) {
                    x.first_dose = Some(e.occurred_at);
                }
            }
            EventKind::MedicinesReconciled {} => m.reconciled = Some(e.occurred_at),
            EventKind::MedicinesSupplied { occasion, supply } => m.supplied.push((e.occurred_at, *occasion, *supply)),
            _ => {}
        }
    }
    m
}

/// A medicine is confirmed once; a first dose is given for a medicine of this custody.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let (EventKind::MedicineConfirmed { medicine, .. } | EventKind::MedicationGiven { medicine: Some(medicine), .. }) =
        &event.kind
    else {
        return Ok(());
    };
    let m = medicines(timeline);
    let Some(x) = m.medicines.iter().find(|x| x.id == *medicine) else {
        return Err("that medicine was recorded in an earlier custody: record it again for this one".into());
    };
    match &event.kind {
        EventKind::MedicineConfirmed { .. } if x.confirmed.is_some() => Err(format!("{} is already confirmed", x.name)),
        EventKind::MedicationGiven { critical, .. } if *critical != x.critical => Err(format!(
            "{} is recorded as {}critical: the dose must say the same",
            x.name,
            if x.critical { "" } else { "not " }
        )),
        _ => Ok(()),
    }
}
