//! Listeners and peer support: who is trained for which scheme and still active, what they agreed
//! to be matched by, and each request for a Listener or the Samaritans with when it was met.
//! What was said is never recorded: no event here has a field that could hold it.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::characteristics::Characteristic;
use crate::codes::CodeSet;
use crate::event::{Event, EventKind, NotMetReason, PeerScheme, SharedBackground, SupportAsked, WithdrawnReason};
use crate::ids::{EventId, PrisonNumber};
use crate::time::date_in_england;
use crate::timeline::{PersonState, Timeline};

/// The kinds on a peer supporter's own timeline.
pub const SUPPORTER_KINDS: &[&str] = &["peer_supporter_trained", "peer_supporter_stood_down", "peer_matching_consent"];

/// The kinds of a request, on the timeline of the person who asked.
pub const REQUEST_KINDS: &[&str] =
    &["listener_requested", "listener_request_met", "listener_request_withdrawn", "listener_request_not_met"];

/// One scheme a person trained for, and whether they have stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub scheme: PeerScheme,
    pub trained_on: Date,
    pub stood_down: Option<Timestamp>,
}

/// A person as a peer supporter: every scheme they trained for, and their matching consent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Supporter {
    pub training: Vec<Training>,
    pub consent: Vec<SharedBackground>,
}

impl Supporter {
    pub fn active(&self) -> impl Iterator<Item = &Training> {
        self.training.iter().filter(|t| t.stood_down.is_none())
    }
    pub fn is_active(&self, scheme: PeerScheme) -> bool {
        self.active().any(|t| t.scheme == scheme)
    }
}

pub fn supporter(timeline: &Timeline) -> Supporter {
    let mut s = Supporter::default();
    for e in timeline.live() {
        match &e.kind {
            EventKind::PeerSupporterTrained { scheme, trained_on } => {
                s.training.push(Training { scheme: *scheme, trained_on: *trained_on, stood_down: None })
            }
            EventKind::PeerSupporterStoodDown { scheme, .. } => {
                if let Some(t) = s.training.iter_mut().rev().find(|t| t.scheme == *scheme && t.stood_down.is_none()) {
                    t.stood_down = Some(e.occurred_at);
                }
            }
            EventKind::PeerMatchingConsent { backgrounds } => s.consent = backgrounds.clone(),
            _ => {}
        }
    }
    // Consent is to be matched as a supporter: it lapses with the last active scheme.
    if s.active().next().is_none() {
        s.consent.clear();
    }
    s
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    Waiting,
    Met { at: Timestamp, listener: Option<PrisonNumber> },
    Withdrawn { at: Timestamp, reason: WithdrawnReason },
    NotMet { at: Timestamp, reason: NotMetReason },
}

/// A request for a Listener or the Samaritans phone, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: EventId,
    pub at: Timestamp,
    pub asked: SupportAsked,
    pub match_on: Vec<SharedBackground>,
    pub outcome: RequestOutcome,
}

impl Request {
    pub fn is_waiting(&self) -> bool {
        self.outcome == RequestOutcome::Waiting
    }
    /// How long the person waited: until the support came or the request ended, or until `now`.
    pub fn waited(&self, now: Timestamp) -> SignedDuration {
        let end = match &self.outcome {
            RequestOutcome::Waiting => now,
            RequestOutcome::Met { at, .. }
            | RequestOutcome::Withdrawn { at, .. }
            | RequestOutcome::NotMet { at, .. } => *at,
        };
        end.duration_since(self.at)
    }
}

pub fn requests(timeline: &Timeline) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    for e in timeline.live() {
        let at = e.occurred_at;
        let (request, outcome) = match &e.kind {
            EventKind::ListenerRequested { asked, match_on } => {
                out.push(Request {
                    id: e.id,
                    at,
                    asked: *asked,
                    match_on: match_on.clone(),
                    outcome: RequestOutcome::Waiting,
                });
                continue;
            }
            EventKind::ListenerRequestMet { request, listener } => {
                (request, RequestOutcome::Met { at, listener: listener.clone() })
            }
            EventKind::ListenerRequestWithdrawn { request, reason } => {
                (request, RequestOutcome::Withdrawn { at, reason: *reason })
            }
            EventKind::ListenerRequestNotMet { request, reason } => {
                (request, RequestOutcome::NotMet { at, reason: *reason })
            }
            _ => continue,
        };
        if let Some(r) = out.iter_mut().find(|r| r.id == *request && r.is_waiting()) {
            r.outcome = outcome;
        }
    }
    out
}

/// Whether a peer-support step may come next on this timeline; the reason names the field.
pub fn check_step(timeline: &Timeline, event: &Event) -> Result<(), String> {
    match &event.kind {
        EventKind::PeerSupporterTrained { scheme, trained_on } => {
            if *trained_on > date_in_england(event.occurred_at) {
                return Err("trained_on: the training date cannot be after the day it is recorded".into());
            }
            if supporter(timeline).is_active(*scheme) {
                return Err(format!("scheme: already active as a {}", scheme.label()));
            }
            Ok(())
        }
        EventKind::PeerSupporterStoodDown { scheme, .. } if !supporter(timeline).is_active(*scheme) => {
            Err(format!("scheme: not active as a {}", scheme.label()))
        }
        EventKind::PeerMatchingConsent { .. } if supporter(timeline).active().next().is_none() => {
            Err("backgrounds: consent to be matched is given by an active peer supporter".into())
        }
        EventKind::ListenerRequestMet { request, listener } => {
            let r = waiting(timeline, *request)?;
            if event.occurred_at < r.at {
                return Err("met_at: the support came after it was asked for".into());
            }
            if listener.is_some() && r.asked == SupportAsked::Samaritans {
                return Err("listener: a Samaritans call has no Listener".into());
            }
            if listener.as_ref() == Some(&event.person) {
                return Err("listener: a person cannot be their own Listener".into());
            }
            Ok(())
        }
        EventKind::ListenerRequestWithdrawn { request, .. } | EventKind::ListenerRequestNotMet { request, .. } => {
            waiting(timeline, *request).map(|_| ())
        }
        _ => Ok(()),
    }
}

fn waiting(timeline: &Timeline, id: EventId) -> Result<Request, String> {
    match requests(timeline).into_iter().find(|r| r.id == id) {
        Some(r) if r.is_waiting() => Ok(r),
        Some(_) => Err("request: this request has already ended".into()),
        None => Err("request: no such request for this person".into()),
    }
}

/// The backgrounds on which a Listener matches a request: chosen by the person for this request,
/// agreed to by the Listener, and the same on both records at `at`. A value either has not
/// declared (or declined to state) never matches, and a match never says what the value is.
pub fn shared(
    request: &Request,
    person: &PersonState,
    listener: &Supporter,
    listener_state: &PersonState,
    at: Timestamp,
) -> Vec<SharedBackground> {
    let known = |s: &PersonState, c: Characteristic| {
        let code = s.characteristics.code_at(c, at);
        (code != "NS" && code != "NK").then_some(code)
    };
    let same = |c: Characteristic| known(person, c).is_some_and(|a| known(listener_state, c) == Some(a));
    let traveller = |s: &PersonState| known(s, Characteristic::Ethnicity).is_some_and(|c| c == "W3" || c == "W4");
    request
        .match_on
        .iter()
        .copied()
        .filter(|b| listener.consent.contains(b))
        .filter(|b| match b {
            SharedBackground::Language => match (&person.communication, &listener_state.communication) {
                (Some(a), Some(b)) => a.language == b.language,
                _ => false,
            },
            SharedBackground::Faith => same(Characteristic::Religion),
            SharedBackground::Ethnicity => same(Characteristic::Ethnicity),
            SharedBackground::GypsyTraveller => traveller(person) && traveller(listener_state),
            // Self-declared on both sides: choosing it is the declaration.
            SharedBackground::Mother => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pathways::testing::{at, event};

    fn walk(steps: Vec<(&str, EventKind)>) -> Result<Timeline, (usize, String)> {
        crate::pathways::testing::walk(check_step, steps)
    }

    fn id(n: u8) -> EventId {
        EventId::from_random_bytes([n; 16])
    }

    fn trained(scheme: PeerScheme) -> EventKind {
        EventKind::PeerSupporterTrained { scheme, trained_on: "2026-01-10".parse().unwrap() }
    }

    #[test]
    fn a_listener_is_trained_consents_and_stops_and_consent_lapses_with_the_scheme() {
        let t = walk(vec![
            ("2026-01-12T10:00:00Z", trained(PeerScheme::Listener)),
            (
                "2026-01-12T10:05:00Z",
                EventKind::PeerMatchingConsent {
                    backgrounds: vec![SharedBackground::Language, SharedBackground::Mother],
                },
            ),
        ])
        .unwrap();
        let s = supporter(&t);
        assert!(s.is_active(PeerScheme::Listener));
        assert_eq!(s.consent.len(), 2);

        let mut events = t.all().to_vec();
        let stop = event(
            3,
            "2026-02-01T10:00:00Z",
            EventKind::PeerSupporterStoodDown {
                scheme: PeerScheme::Listener,
                reason: crate::event::StandDownReason::Chose,
            },
        );
        check_step(&t, &stop).unwrap();
        events.push(stop);
        let s = supporter(&Timeline::new(events));
        assert!(!s.is_active(PeerScheme::Listener));
        assert!(s.consent.is_empty(), "consent is to be matched as a supporter");
    }

    #[test]
    fn supporter_steps_out_of_order_are_refused_naming_the_field() {
        let twice = walk(vec![
            ("2026-01-12T10:00:00Z", trained(PeerScheme::Listener)),
            ("2026-01-13T10:00:00Z", trained(PeerScheme::Listener)),
        ]);
        assert!(twice.unwrap_err().1.starts_with("scheme: already active as a Listener"));
        let future = walk(vec![("2026-01-09T10:00:00Z", trained(PeerScheme::Insider))]).unwrap_err();
        assert!(future.1.starts_with("trained_on:"), "{future:?}");
        let stop = walk(vec![(
            "2026-01-12T10:00:00Z",
            EventKind::PeerSupporterStoodDown {
                scheme: PeerScheme::Listener,
                reason: crate::event::StandDownReason::Chose,
            },
        )]);
        assert!(stop.unwrap_err().1.starts_with("scheme: not active as a"));
        let consent = walk(vec![(
            "2026-01-12T10:00:00Z",
            EventKind::PeerMatchingConsent { backgrounds: vec![SharedBackground::Faith] },
        )]);
        assert!(consent.unwrap_err().1.starts_with("backgrounds:"));
        // Two schemes at once are allowed: an Insider may also be a Listener.
        walk(vec![
            ("2026-01-12T10:00:00Z", trained(PeerScheme::Listener)),
            ("2026-01-12T11:00:00Z", trained(PeerScheme::Insider)),
        ])
        .unwrap();
    }

    fn asked(asked: SupportAsked) -> EventKind {
        EventKind::ListenerRequested { asked, match_on: vec![] }
    }

    #[test]
    fn a_request_is_met_once_and_the_wait_is_measured_to_the_minute() {
        let listener = PrisonNumber::parse("B2222CC").unwrap();
        let t = walk(vec![
            ("2026-03-01T02:10:00Z", asked(SupportAsked::Listener)),
            (
                "2026-03-01T03:25:00Z",
                EventKind::ListenerRequestMet { request: id(1), listener: Some(listener.clone()) },
            ),
        ])
        .unwrap();
        let r = &requests(&t)[0];
        assert_eq!(r.outcome, RequestOutcome::Met { at: at("2026-03-01T03:25:00Z"), listener: Some(listener) });
        assert_eq!(r.waited(at("2026-03-09T00:00:00Z")), SignedDuration::from_mins(75));

        let again = event(3, "2026-03-01T04:00:00Z", EventKind::ListenerRequestMet { request: id(1), listener: None });
        assert!(check_step(&t, &again).unwrap_err().starts_with("request: this request has already ended"));
        let none = event(
            3,
            "2026-03-01T04:00:00Z",
            EventKind::ListenerRequestNotMet { request: id(9), reason: NotMetReason::NoneAvailable },
        );
        assert!(check_step(&t, &none).unwrap_err().starts_with("request: no such request"));
    }

    #[test]
    fn request_refusals_name_the_field() {
        let before = walk(vec![
            ("2026-03-01T02:10:00Z", asked(SupportAsked::Listener)),
            ("2026-03-01T02:00:00Z", EventKind::ListenerRequestMet { request: id(1), listener: None }),
        ]);
        assert!(before.unwrap_err().1.starts_with("met_at:"));
        let samaritans = walk(vec![
            ("2026-03-01T02:10:00Z", asked(SupportAsked::Samaritans)),
            (
                "2026-03-01T02:20:00Z",
                EventKind::ListenerRequestMet {
                    request: id(1),
                    listener: Some(PrisonNumber::parse("B2222CC").unwrap()),
                },
            ),
        ]);
        assert!(samaritans.unwrap_err().1.starts_with("listener: a Samaritans call"));
        let own = walk(vec![
            ("2026-03-01T02:10:00Z", asked(SupportAsked::Listener)),
            (
                "2026-03-01T02:20:00Z",
                EventKind::ListenerRequestMet {
                    request: id(1),
                    listener: Some(PrisonNumber::parse("A1234BC").unwrap()),
                },
            ),
        ]);
        assert!(own.unwrap_err().1.starts_with("listener: a person cannot be their own"));
        // A waiting request may be withdrawn, and then nothing more happens to it.
        let t = walk(vec![
            ("2026-03-01T02:10:00Z", asked(SupportAsked::Listener)),
            (
                "2026-03-01T02:20:00Z",
                EventKind::ListenerRequestWithdrawn { request: id(1), reason: WithdrawnReason::NoLongerWanted },
            ),
        ])
        .unwrap();
        assert!(matches!(requests(&t)[0].outcome, RequestOutcome::Withdrawn { .. }));
    }

    fn state(events: Vec<(&str, EventKind)>) -> PersonState {
        let events: Vec<Event> = events.into_iter().enumerate().map(|(i, (w, k))| event(100 + i as u8, w, k)).collect();
        Timeline::new(events).state_at(Timestamp::MAX)
    }

    fn declared(c: &str, v: &str) -> EventKind {
        EventKind::parse("characteristic_declared", &format!(r#"{{"characteristic":"{c}","value":"{v}"}}"#)).unwrap()
    }

    fn speaks(language: &str) -> EventKind {
        EventKind::parse(
            "communication_recorded",
            &format!(
                r#"{{"formats":["WRITTEN"],"language":"{language}","interpreter":false,"literacy_support":false}}"#
            ),
        )
        .unwrap()
    }

    #[test]
    fn a_match_needs_the_persons_choice_the_listeners_consent_and_the_same_value() {
        let when = "2026-01-01T09:00:00Z";
        let person = state(vec![
            (when, declared("religion", "MUSLIM")),
            (when, declared("ethnicity", "W3")),
            (when, speaks("pl")),
        ]);
        let listener_state = state(vec![
            (when, declared("religion", "MUSLIM")),
            (when, declared("ethnicity", "W4")),
            (when, speaks("ro")),
        ]);
        let everything = vec![
            SharedBackground::Language,
            SharedBackground::Faith,
            SharedBackground::Ethnicity,
            SharedBackground::GypsyTraveller,
            SharedBackground::Mother,
        ];
        let request = |match_on: Vec<SharedBackground>| Request {
            id: id(1),
            at: at("2026-03-01T02:10:00Z"),
            asked: SupportAsked::Listener,
            match_on,
            outcome: RequestOutcome::Waiting,
        };
        let consenting = Supporter {
            training: vec![Training {
                scheme: PeerScheme::Listener,
                trained_on: "2026-01-10".parse().unwrap(),
                stood_down: None,
            }],
            consent: everything.clone(),
        };
        let now = at("2026-03-01T02:15:00Z");
        assert_eq!(
            shared(&request(everything.clone()), &person, &consenting, &listener_state, now),
            vec![SharedBackground::Faith, SharedBackground::GypsyTraveller, SharedBackground::Mother],
            "different languages and detailed ethnicities do not match; Gypsy and Roma are both Traveller"
        );
        // Without the person's choice, nothing is matched.
        assert!(shared(&request(vec![]), &person, &consenting, &listener_state, now).is_empty());
        // Without the Listener's consent, nothing is matched.
        let unconsenting = Supporter { consent: vec![SharedBackground::Language], ..consenting.clone() };
        assert!(shared(&request(everything.clone()), &person, &unconsenting, &listener_state, now).is_empty());
        // "Prefer not to say" matches nothing, even with the same answer on both sides.
        let quiet = state(vec![(when, declared("religion", "NS"))]);
        assert!(shared(&request(vec![SharedBackground::Faith]), &quiet, &consenting, &quiet, now).is_empty());
    }
}
