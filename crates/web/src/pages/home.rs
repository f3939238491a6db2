//! The home page: each role starts with its own work, overdue first, then what is due this week.

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use throughcare_core::codes::CodeSet;
use throughcare_core::display;
use throughcare_core::event::EventKind;
use throughcare_core::finding::FindingStatus;
use throughcare_core::timeline::Timeline;
use throughcare_core::{EventId, Person};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::pages::worklist::{self, WorkRow, WorklistQuery};
use crate::present::Directory;
use crate::roles::{Access, Role};

/// One cell of a home-page table: text, optionally a link or a coloured tag.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub tag: Option<&'static str>,
}

fn text(t: impl Into<String>) -> Cell {
    Cell { text: t.into(), href: None, tag: None }
}

fn link(t: impl Into<String>, href: String) -> Cell {
    Cell { text: t.into(), href: Some(href), tag: None }
}

fn tag(t: impl Into<String>, colour: &'static str) -> Cell {
    Cell { text: t.into(), href: None, tag: Some(colour) }
}

/// A titled table of work; `empty` says so when there is none.
pub struct Section {
    pub id: String,
    pub title: String,
    pub empty: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Where the whole list is, when the table shows only the first part.
    pub more: Option<(String, String)>,
}

const SHOWN: usize = 12;

fn section(
    id: &str,
    title: impl Into<String>,
    empty: &str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
) -> Section {
    Section { id: id.into(), title: title.into(), empty: empty.into(), headers, rows, more: None }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct Home {
    staff: Option<CurrentStaff>,
    heading: String,
    summary: String,
    sections: Vec<Section>,
}

fn work_section(id: &str, title: &str, empty: &str, items: Vec<WorkRow>, more: &str) -> Section {
    let total = items.len();
    let rows = items
        .into_iter()
        .take(SHOWN)
        .map(|i| {
            vec![
                tag(i.status, i.colour),
                text(i.due),
                link(format!("{} ({})", i.name, i.prison_number), format!("/people/{}", i.prison_number)),
                text(i.title),
            ]
        })
        .collect();
    let mut s = section(id, format!("{title} ({total})"), empty, vec!["Status", "Due", "Person", "What is due"], rows);
    if total > SHOWN {
        s.more = Some((more.to_string(), format!("See all {total} on the worklist")));
    }
    s
}

fn person_cell(p: &Person) -> Cell {
    link(
        format!("{} {} ({})", p.given_name.as_str(), p.family_name.as_str(), p.prison_number),
        format!("/people/{}", p.prison_number),
    )
}

/// Requests or referrals raised on a timeline and not yet answered, with when they were raised.
fn waiting<'a>(
    t: &'a Timeline,
    raised: &impl Fn(&EventKind) -> bool,
    answers: &impl Fn(&EventKind) -> Option<EventId>,
) -> Vec<&'a throughcare_core::Event> {
    let answered: HashSet<EventId> = t.live().filter_map(|e| answers(&e.kind)).collect();
    t.live().filter(|e| raised(&e.kind) && !answered.contains(&e.id)).collect()
}

type Held<'a> = (&'a Person, &'a Timeline, throughcare_core::timeline::PersonState);

/// Everything raised and not yet answered across the people held, oldest first: the person, the
/// event as a sentence, and `when` of it (how long it has waited, or when it was raised).
fn waiting_rows(
    held: &[Held<'_>],
    names: &Directory,
    raised: impl Fn(&EventKind) -> bool,
    answers: impl Fn(&EventKind) -> Option<EventId>,
    when: impl Fn(&throughcare_core::Event) -> String,
) -> Vec<Vec<Cell>> {
    let mut rows: Vec<(Timestamp, Vec<Cell>)> = Vec::new();
    for (p, t, _) in held {
        for e in waiting(t, &raised, &answers) {
            rows.push((e.occurred_at, vec![person_cell(p), text(names.sentence(e, t)), text(when(e))]));
        }
    }
    rows.sort_by_key(|(at, _)| *at);
    rows.into_iter().map(|(_, r)| r).collect()
}

pub async fn home(State(state): State<AppState>, Extension(staff): Extension<CurrentStaff>) -> Result<Home, AppError> {
    let now = state.now();
    let names = Directory::load(&state).await?;
    let place = staff.establishment.as_ref().map(|e| names.establishment(e));
    let mut sections = Vec::new();
    let role = staff.role;

    // Obligations: what is due for me and my team.
    if role.home_team().is_some() && role.can(Access::Worklist) {
        let (items, _, _) = worklist::items(&state, &staff, &WorklistQuery::default()).await?;
        let items: Vec<_> = items
            .into_iter()
            // A key worker's own people; for the key work manager, who is waiting for a key worker.
            .filter(|i| match role {
                Role::KeyWorker => i.key_worker.as_deref() == Some(&staff.username),
                Role::KeyWorkManager => i.standard == "key-worker-allocation",
                _ => true,
            })
            .collect();
        let rows = worklist::rows(&items, &names, now);
        let (urgent, week): (Vec<WorkRow>, Vec<WorkRow>) =
            rows.into_iter().partition(|r| r.colour == "red" || r.colour == "orange");
        let week: Vec<WorkRow> = week.into_iter().filter(|r| r.colour == "yellow").collect();
        sections.push(work_section(
            "today",
            "Overdue and due today",
            "Nothing is overdue or due today.",
            urgent,
            "/worklist?when=today",
        ));
        sections.push(work_section(
            "week",
            "Due this week",
            "Nothing else is due this week.",
            week,
            "/worklist?when=week",
        ));
    }

    let in_custody = match &staff.establishment {
        Some(e) if !role.estate_wide() && needs_people(role) => state.db.timelines_in_custody(e).await?,
        _ => vec![],
    };
    let states: Vec<Held<'_>> = in_custody.iter().map(|(p, t)| (p, t, t.state_at(now))).collect();

    match role {
        Role::KeyWorker => {
            let rows: Vec<Vec<Cell>> = states
                .iter()
                .filter(|(_, _, s)| s.key_worker.as_ref().is_some_and(|k| k.as_str() == staff.username))
                .map(|(p, t, s)| {
                    let last = t.live().filter(|e| matches!(e.kind, EventKind::KeyWorkSession { .. })).last();
                    vec![
                        person_cell(p),
                        text(s.current_episode().and_then(|ep| ep.location.clone()).unwrap_or_default()),
                        text(last.map_or("No session yet".into(), |e| display::instant(e.occurred_at))),
                    ]
                })
                .collect();
            sections.push(section(
                "people",
                format!("Your people ({})", rows.len()),
                "Nobody is allocated to you yet.",
                vec!["Person", "Cell", "Last key work session"],
                rows,
            ));
        }
        Role::SaferCustody => {
            let open = match &staff.establishment {
                Some(e) => state.db.open_accts(e).await?,
                None => vec![],
            };
            let rows: Vec<Vec<Cell>> = open
                .iter()
                .map(|(p, c)| {
                    vec![
                        link(
                            format!("{} {} ({})", p.given_name.as_str(), p.family_name.as_str(), p.prison_number),
                            format!("/acct/{}", c.id),
                        ),
                        text(display::instant(c.opened_at)),
                        text(c.next_review.map_or("No review yet".into(), display::date)),
                    ]
                })
                .collect();
            sections.push(section(
                "acct",
                format!("Open ACCT cases ({})", rows.len()),
                "No ACCT case is open.",
                vec!["Person", "Opened", "Next case review"],
                rows,
            ));
        }
        Role::ListenerCoordinator => {
            // Only the people who asked, and only their requests: the register's own read.
            let asked = match &staff.establishment {
                Some(e) => {
                    state
                        .db
                        .pathway_timelines(
                            e,
                            &["listener_requested"],
                            throughcare_core::pathways::peer_support::REQUEST_KINDS,
                        )
                        .await?
                }
                None => vec![],
            };
            let mut waiting: Vec<(jiff::Timestamp, Vec<Cell>)> = asked
                .iter()
                .flat_map(|(p, t)| {
                    throughcare_core::pathways::peer_support::requests(t).into_iter().filter(|r| r.is_waiting()).map(
                        move |r| {
                            (
                                r.at,
                                vec![
                                    link(
                                        format!(
                                            "{} {} ({})",
                                            p.given_name.as_str(),
                                            p.family_name.as_str(),
                                            p.prison_number
                                        ),
                                        format!("/listeners/requests/{}", r.id),
                                    ),
                                    text(r.asked.label().to_string()),
                                    text(display::instant_seen_from(r.at, now)),
                                ],
                            )
                        },
                    )
                })
                .collect();
            waiting.sort_by_key(|(at, _)| *at);
            let rows: Vec<Vec<Cell>> = waiting.into_iter().map(|(_, r)| r).collect();
            sections.push(section(
                "listeners",
                format!("Waiting for a Listener or the Samaritans ({})", rows.len()),
                "No one is waiting.",
                vec!["Person", "Asked for", "Asked"],
                rows,
            ));
        }
        Role::MentalHealth | Role::ReceptionNurse => {
            let rows = waiting_rows(
                &states,
                &names,
                |k| matches!(k, EventKind::ReferralMade { .. }),
                |k| match k {
                    EventKind::ReferralAccepted { referral } | EventKind::ReferralDeclined { referral, .. } => {
                        Some(*referral)
                    }
                    _ => None,
                },
                |e| format!("{} ago", display::duration(now.duration_since(e.occurred_at))),
            );
            let total = rows.len();
            sections.push(section(
                "referrals",
                format!("Referrals waiting for an answer ({total})"),
                "No referral is waiting.",
                vec!["Person", "Referral", "Waiting"],
                rows.into_iter().take(SHOWN).collect(),
            ));
        }
        Role::ReceptionOfficer => {
            // Everyone received here in the last day: who came through the door, and where to.
            let since = now - SignedDuration::from_hours(24);
            let mut rows: Vec<(Timestamp, Vec<Cell>)> = states
                .iter()
                .filter_map(|(p, _, s)| {
                    let ep = s.current_episode()?;
                    (ep.received_at >= since).then(|| {
                        (
                            ep.received_at,
                            vec![
                                person_cell(p),
                                text(display::instant(ep.received_at)),
                                text(ep.reception_type.label()),
                                text(ep.location.clone().unwrap_or_else(|| "Not allocated".into())),
                            ],
                        )
                    })
                })
                .collect();
            rows.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
            sections.push(section(
                "arrivals",
                format!("Received in the last 24 hours ({})", rows.len()),
                "Nobody has been received in the last 24 hours.",
                vec!["Person", "Received", "How", "Cell"],
                rows.into_iter().map(|(_, r)| r).collect(),
            ));
        }
        Role::Resettlement => {
            let horizon = throughcare_core::time::date_in_england(now + SignedDuration::from_hours(24 * 7 * 12));
            let today = throughcare_core::time::date_in_england(now);
            let mut rows: Vec<(jiff::civil::Date, Vec<Cell>)> = states
                .iter()
                .filter_map(|(p, _, s)| {
                    let d = s.current_episode()?.expected_release?;
                    (d >= today && d <= horizon).then(|| {
                        let weeks = (d - today).get_days() / 7;
                        (d, vec![person_cell(p), text(display::date(d)), text(format!("{weeks} weeks"))])
                    })
                })
                .collect();
            rows.sort_by_key(|(d, _)| *d);
            sections.push(section(
                "releases",
                format!("Releases in the next 12 weeks ({})", rows.len()),
                "Nobody is due for release in the next 12 weeks.",
                vec!["Person", "Expected release", "Time left"],
                rows.into_iter().map(|(_, r)| r).collect(),
            ));
        }
        Role::Chaplaincy => {
            let rows = waiting_rows(
                &states,
                &names,
                // The chaplaincy's own queue: food and culture go to the equality team.
                |k| {
                    matches!(k, EventKind::RequestRaised { category, .. }
                        if throughcare_core::pathways::requests::team(*category) == "chaplaincy")
                },
                |k| match k {
                    EventKind::RequestAnswered { request, .. } => Some(*request),
                    _ => None,
                },
                |e| display::instant(e.occurred_at),
            );
            sections.push(section(
                "requests",
                format!("Faith requests waiting for an answer ({})", rows.len()),
                "No request is waiting.",
                vec!["Person", "Request", "Asked"],
                rows,
            ));
        }
        Role::VoluntaryPartner => {
            let since = now - SignedDuration::from_hours(24 * 28);
            let events = state.db.events_recorded_by(&staff.username, since, 50).await?;
            let rows = events
                .iter()
                .map(|e| {
                    vec![
                        text(display::instant(e.occurred_at)),
                        link(e.person.to_string(), format!("/people/{}", e.person)),
                        text(names.sentence_alone(&e.kind)),
                    ]
                })
                .collect();
            sections.push(section(
                "sessions",
                "Sessions you recorded in the last 4 weeks",
                "You have recorded nothing in the last 4 weeks.",
                vec!["When", "Person", "What happened"],
                rows,
            ));
        }
        Role::Administrator => {
            let rows = state
                .db
                .recent_audit(15)
                .await?
                .into_iter()
                .map(|e| {
                    vec![
                        text(display::instant(e.at)),
                        text(names.staff(&e.actor)),
                        text(crate::pages::people::audit_action(&e.action)),
                        match &e.subject {
                            Some(s) => link(s.clone(), format!("/people/{s}/audit")),
                            None => text(""),
                        },
                    ]
                })
                .collect();
            sections.push(section(
                "audit",
                "Latest entries in the audit trail",
                "The audit trail is empty.",
                vec!["When", "Who", "What", "Whose record"],
                rows,
            ));
        }
        _ => {}
    }

    // Complaints: the equality lead's open ones, and any this member of staff investigates; never
    // one that names them. Read from the people with a complaint only.
    if let (Some(e), true) = (&staff.establishment, role == Role::EqualityLead || role.can(Access::Record)) {
        let with_complaints = state
            .db
            .pathway_timelines(
                e,
                throughcare_core::pathways::discrimination::RAISED,
                throughcare_core::pathways::discrimination::STEPS,
            )
            .await?;
        let mut rows: Vec<(Timestamp, Vec<Cell>)> = Vec::new();
        for (p, t) in &with_complaints {
            for c in throughcare_core::pathways::discrimination::complaints(t) {
                let mine = c.investigator.as_ref().is_some_and(|i| i.as_str() == staff.username);
                let named = c.staff_named.iter().any(|s| s.as_str() == staff.username);
                if c.stage.is_open() && !named && (role == Role::EqualityLead || mine) {
                    rows.push((
                        c.raised_at,
                        vec![
                            person_cell(p),
                            link(c.stage.label().to_string(), format!("/complaints/{}", c.id)),
                            text(display::instant(c.raised_at)),
                        ],
                    ));
                }
            }
        }
        rows.sort_by_key(|(at, _)| *at);
        if role == Role::EqualityLead || !rows.is_empty() {
            let rows: Vec<Vec<Cell>> = rows.into_iter().map(|(_, r)| r).collect();
            sections.push(section(
                "complaints",
                format!("Discrimination complaints open ({})", rows.len()),
                "No complaint is open.",
                vec!["Person", "Where it stands", "Made"],
                rows,
            ));
        }
    }

    // The independent panel: the samples released to it, and how many it has reviewed.
    if let (Role::ScrutinyPanel, Some(e)) = (role, &staff.establishment) {
        let rows: Vec<Vec<Cell>> = state
            .db
            .register(e)
            .await?
            .samples
            .iter()
            .rev()
            .filter(|s| s.released)
            .map(|s| {
                let quarter =
                    throughcare_core::scrutiny::Quarter::parse(&s.quarter).map_or(s.quarter.clone(), |q| q.label());
                vec![
                    link(quarter, format!("/scrutiny/{}", s.id)),
                    text(format!("{} of {}", s.views.len(), s.complaints.len())),
                ]
            })
            .collect();
        sections.push(section(
            "samples",
            "Samples to review",
            "No sample has been released to the panel yet.",
            vec!["Quarter", "Reviewed"],
            rows,
        ));
    }

    if role == Role::Governor {
        let (items, _, _) =
            worklist::items(&state, &staff, &WorklistQuery { team: Some("all".into()), ..Default::default() }).await?;
        let rows = throughcare_core::standards::Team::ALL
            .iter()
            .filter(|t| role.sees_team(t.code()))
            .map(|t| {
                let of: Vec<_> = items.iter().filter(|i| i.team == t.code()).collect();
                let overdue = of.iter().filter(|i| i.when == "overdue").count();
                vec![
                    text(t.label()),
                    if overdue > 0 { tag(format!("{overdue} overdue"), "red") } else { tag("None overdue", "green") },
                    text(of.iter().filter(|i| i.when == "due-today").count().to_string()),
                    link(format!("{} open", of.len()), format!("/worklist?team={}", t.code())),
                ]
            })
            .collect();
        sections.push(section(
            "teams",
            format!("Obligations at {}, by team", place.clone().unwrap_or_default()),
            "",
            vec!["Team", "Overdue", "Due today", "All open"],
            rows,
        ));
    }

    if role.can(Access::Findings) {
        let scope = if role.estate_wide() {
            "estate".to_string()
        } else {
            staff.establishment.as_ref().map(|e| e.to_string()).unwrap_or_default()
        };
        let findings = state.db.findings(Some(&scope)).await?;
        let rows: Vec<Vec<Cell>> = findings
            .iter()
            .filter(|f| f.status != FindingStatus::Reviewed)
            .take(SHOWN)
            .map(|f| {
                let colour = match f.status {
                    FindingStatus::Open => "red",
                    FindingStatus::ReformPlanned => "yellow",
                    _ => "blue",
                };
                vec![
                    link(f.title.clone(), format!("/findings/{}", f.id)),
                    tag(f.status.label(), colour),
                    text(f.owner.as_deref().map_or("Nobody yet".into(), |o| names.staff(o))),
                ]
            })
            .collect();
        sections.push(section(
            "findings",
            "Equality findings to explain or reform",
            "No finding is waiting for an answer.",
            vec!["Finding", "Status", "Owner"],
            rows,
        ));
    }

    let summary = format!(
        "{}{}. {}.",
        role.label(),
        place.map(|p| format!(" at {p}")).unwrap_or_else(|| if role.estate_wide() {
            " for the whole estate".into()
        } else {
            String::new()
        }),
        display::instant(now)
    );
    Ok(Home { heading: format!("Your work, {}", staff.display_name), summary, sections, staff: Some(staff) })
}

fn needs_people(role: Role) -> bool {
    matches!(
        role,
        Role::KeyWorker
            | Role::ReceptionOfficer
            | Role::MentalHealth
            | Role::ReceptionNurse
            | Role::Resettlement
            | Role::Chaplaincy
            | Role::EqualityLead
    )
}
