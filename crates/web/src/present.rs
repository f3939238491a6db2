//! Names for what pages show: establishments and staff by name, events as sentences, times in words.
//!
//! The formatting rules live in `throughcare_core::display`; this adds what only the database knows.

use std::collections::HashMap;

use jiff::Timestamp;
use throughcare_core::display::{self, Names};
use throughcare_core::timeline::Timeline;
use throughcare_core::{EstablishmentCode, Event, EventKind, StaffRef};

use crate::AppState;
use crate::error::AppError;

/// Establishments and staff by name, read once for a page.
pub struct Directory {
    establishments: HashMap<String, String>,
    staff: HashMap<String, String>,
}

impl Directory {
    pub async fn load(state: &AppState) -> Result<Self, AppError> {
        let establishments = state
            .db
            .establishments()
            .await?
            .into_iter()
            .map(|e| (e.code.to_string(), e.name.as_str().to_string()))
            .collect();
        let staff = state.db.staff_names().await?.into_iter().collect();
        Ok(Self { establishments, staff })
    }

    /// "HMP Leeds", or the code when the establishment is not on record.
    pub fn establishment(&self, code: &EstablishmentCode) -> String {
        self.establishments.get(code.as_str()).cloned().unwrap_or_else(|| code.to_string())
    }

    /// A member of staff's name; a system or unknown username as written.
    pub fn staff(&self, username: &str) -> String {
        if let Some(name) = self.staff.get(username) {
            return name.clone();
        }
        // A person records their own requests and declarations on the kiosk, under their prison number.
        if throughcare_core::PrisonNumber::parse(username).is_ok() {
            return format!("{username} themselves, on the kiosk");
        }
        username.to_string()
    }

    /// One event as a sentence, naming what it links to on the same timeline.
    pub fn sentence(&self, e: &Event, timeline: &Timeline) -> String {
        let linked = |id| timeline.all().iter().find(|x| x.id == id).map(|x: &Event| x.kind.clone());
        let establishment = |c: &EstablishmentCode| self.establishments.get(c.as_str()).cloned();
        let staff = |s: &StaffRef| self.staff.get(s.as_str()).cloned();
        display::sentence(&e.kind, &Names { event: &linked, establishment: &establishment, staff: &staff })
    }

    /// A sentence for an event with nothing to link to.
    pub fn sentence_alone(&self, kind: &EventKind) -> String {
        let establishment = |c: &EstablishmentCode| self.establishments.get(c.as_str()).cloned();
        let staff = |s: &StaffRef| self.staff.get(s.as_str()).cloned();
        display::sentence(kind, &Names { establishment: &establishment, staff: &staff, ..Names::NONE })
    }
}

/// An instant for a page: London time, with GMT or BST where it differs from now.
pub fn when(t: Timestamp, now: Timestamp) -> String {
    display::instant_seen_from(t, now)
}

/// One page of a long list: which rows to show and the links to the others.
pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub from: usize,
    pub to: usize,
    /// The query string without `page`, to which `page=N` is added.
    pub base: String,
}

impl Pagination {
    pub const PER_PAGE: usize = 25;

    /// Cuts `rows` to page `page` (1-based; out of range is the nearest page).
    pub fn cut<T>(rows: Vec<T>, page: Option<usize>, base: String) -> (Vec<T>, Self) {
        let total = rows.len();
        let pages = total.div_ceil(Self::PER_PAGE).max(1);
        let page = page.unwrap_or(1).clamp(1, pages);
        let start = (page - 1) * Self::PER_PAGE;
        let shown: Vec<T> = rows.into_iter().skip(start).take(Self::PER_PAGE).collect();
        let p =
            Self { page, pages, total, from: if total == 0 { 0 } else { start + 1 }, to: start + shown.len(), base };
        (shown, p)
    }

    pub fn href(&self, page: impl std::borrow::Borrow<usize>) -> String {
        let page = *page.borrow();
        if self.base.is_empty() { format!("?page={page}") } else { format!("?{}&page={page}", self.base) }
    }

    /// The page numbers to link: the first, the last and those beside the current one; 0 is a gap ("⋯").
    pub fn numbers(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for n in 1..=self.pages {
            if n == 1 || n == self.pages || n.abs_diff(self.page) <= 1 {
                out.push(n);
            } else if out.last() != Some(&0) {
                out.push(0);
            }
        }
        out
    }
}

/// A query string from pairs, values percent-encoded, blanks left out.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
