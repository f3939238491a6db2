//! Requests a person makes (faith, diet, culture, family, equality, information, other): one open
//! request of each kind at a time, new → in progress → answered, and the team that answers each.

use jiff::Timestamp;

use crate::codes::CodeSet;
use crate::event::{Event, EventKind, RequestCategory, RequestOutcome};
use crate::ids::EventId;
use crate::timeline::Timeline;

/// Where a request stands, as the person and the team see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    New,
    InProgress { since: Timestamp },
    Answered { at: Timestamp, outcome: RequestOutcome, reason: Option<String> },
}

impl Status {
    pub fn is_open(&self) -> bool {
        !matches!(self, Status::Answered { .. })
    }
}

/// One request, derived from the timeline.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: EventId,
    pub category: RequestCategory,
    pub confidential: bool,
    pub detail: Option<String>,
    pub first_night: bool,
    pub from_kiosk: bool,
    pub raised_at: Timestamp,
    pub status: Status,
}

/// The team whose queue a request of this category reaches. Health requests are never a wing
/// matter: from the kiosk they become self-referrals on healthcare's referral queue.
pub fn team(category: RequestCategory) -> &'static str {
    use RequestCategory::*;
    match category {
        Health | MentalHealth => "healthcare",
        Faith => "chaplaincy",
        // The report's examples (a halal meal kept from pork utensils, afro combs) are equality
        // matters as much as kitchen or canteen ones: the equality team sees they are answered.
        Diet | Culture | Equality => "equality",
        Family => "resettlement",
        Information | Other => "key-worker",
    }
}

/// The categories a person may raise on the kiosk: health goes by the confidential route instead.
pub fn kiosk_categories() -> Vec<RequestCategory> {
    RequestCategory::ALL
        .iter()
        .copied()
        .filter(|c| !matches!(c, RequestCategory::Health | RequestCategory::MentalHealth))
        .collect()
}

/// Every request on the timeline, oldest first.
pub fn requests(timeline: &Timeline) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    for e in timeline.live() {
        match &e.kind {
            EventKind::RequestRaised { category, confidential, detail, first_night, from_kiosk } => {
                out.push(Request {
                    id: e.id,
                    category: *category,
                    confidential: *confidential,
                    detail: detail.clone(),
                    first_night: *first_night,
                    from_kiosk: *from_kiosk,
                    raised_at: e.occurred_at,
                    status: Status::New,
                });
            }
            EventKind::RequestProgressed { request } => {
                if let Some(r) = out.iter_mut().find(|r| r.id == *request && r.status == Status::New) {
                    r.status = Status::InProgress { since: e.occurred_at };
                }
            }
            EventKind::RequestAnswered { request, outcome, reason } => {
                if let Some(r) = out.iter_mut().find(|r| r.id == *request && r.status.is_open()) {
                    r.status = Status::Answered { at: e.occurred_at, outcome: *outcome, reason: reason.clone() };
                }
            }
            _ => {}
        }
    }
    out
}

/// The rules of a request's steps: one open request of a category at a time; in progress only
/// from new; answered once.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    let find = |id: &EventId| requests(timeline).into_iter().find(|r| r.id == *id);
    match &event.kind {
        EventKind::RequestRaised { category, .. } => {
            if requests(timeline).iter().any(|r| r.category == *category && r.status.is_open()) {
                return Err(format!(
                    "category: there is already an open request about {}; it must be answered before another",
                    category.label().to_lowercase()
                ));
            }
            Ok(())
        }
        EventKind::RequestProgressed { request } => match find(request) {
            Some(r) if r.status == Status::New => Ok(()),
            Some(r) if r.status.is_open() => Err("request: this request is already in progress".into()),
            Some(_) => Err("request: this request has already been answered".into()),
            None => Ok(()),
        },
        EventKind::RequestAnswered { request, .. } => match find(request) {
            Some(r) if !r.status.is_open() => Err("request: this request has already been answered".into()),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathways::testing::{event, walk};

    fn raise(category: RequestCategory) -> EventKind {
        EventKind::RequestRaised {
            category,
            confidential: false,
            detail: Some("A halal meal".into()),
            first_night: false,
            from_kiosk: true,
        }
    }

    fn id(n: u8) -> EventId {
        event(n, "2026-01-01T00:00:00Z", EventKind::HealthAssessmentCompleted {}).id
    }

    #[test]
    fn one_open_request_per_category_and_each_step_once() {
        let t = walk(
            check_step,
            vec![
                ("2026-03-02T09:00:00Z", raise(RequestCategory::Diet)),
                ("2026-03-02T09:05:00Z", raise(RequestCategory::Faith)),
                ("2026-03-02T10:00:00Z", EventKind::RequestProgressed { request: id(1) }),
                (
                    "2026-03-03T10:00:00Z",
                    EventKind::RequestAnswered { request: id(1), outcome: RequestOutcome::Granted, reason: None },
                ),
                // Answered: another about diet may follow.
                ("2026-03-04T09:00:00Z", raise(RequestCategory::Diet)),
            ],
        )
        .unwrap();
        let rs = requests(&t);
        assert_eq!(rs.len(), 3);
        assert!(matches!(rs[0].status, Status::Answered { outcome: RequestOutcome::Granted, .. }));
        assert_eq!(rs[1].status, Status::New);

        let second_faith = event(9, "2026-03-04T10:00:00Z", raise(RequestCategory::Faith));
        assert!(check_step(&t, &second_faith).unwrap_err().starts_with("category: there is already an open request"));
        let again = event(
            9,
            "2026-03-04T10:00:00Z",
            EventKind::RequestAnswered { request: id(1), outcome: RequestOutcome::Declined, reason: Some("No".into()) },
        );
        assert_eq!(check_step(&t, &again).unwrap_err(), "request: this request has already been answered");
        let progress_twice = walk(
            check_step,
            vec![
                ("2026-03-02T09:00:00Z", raise(RequestCategory::Other)),
                ("2026-03-02T10:00:00Z", EventKind::RequestProgressed { request: id(1) }),
                ("2026-03-02T11:00:00Z", EventKind::RequestProgressed { request: id(1) }),
            ],
        );
        assert_eq!(progress_twice.unwrap_err(), (2, "request: this request is already in progress".into()));
    }

    #[test]
    fn a_refusal_or_part_grant_says_why() {
        let declined =
            EventKind::parse("request_answered", &format!(r#"{{"request":"{}","outcome":"DECLINED"}}"#, id(1)));
        assert!(declined.unwrap_err().to_string().contains("reason: say why"));
        let partly = EventKind::parse(
            "request_answered",
            &format!(r#"{{"request":"{}","outcome":"PARTLY_GRANTED","reason":"Combs yes, oil next week"}}"#, id(1)),
        );
        assert!(partly.is_ok());
    }

    #[test]
    fn each_category_standard_lands_on_its_categorys_team() {
        let standards = crate::standards::StandardSet::builtin();
        for c in kiosk_categories() {
            let s = standards
                .iter()
                .find(|s| s.id.as_str().starts_with(&format!("request-{}-", c.code().to_lowercase())))
                .unwrap_or_else(|| panic!("no standard for {c:?}"));
            assert_eq!(s.team.code(), team(c), "{}", s.id.as_str());
        }
    }

    #[test]
    fn health_never_reaches_a_wing_queue() {
        assert_eq!(team(RequestCategory::MentalHealth), "healthcare");
        assert!(!kiosk_categories().contains(&RequestCategory::Health));
        assert!(kiosk_categories().iter().all(|c| team(*c) != "healthcare"));
    }
}
