//! What an establishment keeps about itself, appended like a person's timeline: its equality team,
//! diversity forums and their actions, festival plans, the voluntary and arts directory, regime
//! curtailments, the independent scrutiny of complaints, equality objectives and their actions,
//! and the involvement of experts by experience.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::characteristics::{Characteristic, Religion};
use crate::code_set;
use crate::event::Activity;
use crate::ids::{EstablishmentCode, EventId, PrisonNumber, StaffRef};

code_set! {
    /// Why the regime was curtailed (people kept behind their doors).
    pub enum CurtailmentCause as "cause" {
        StaffShortage = "STAFF_SHORTAGE": "Staff shortage",
        Lockdown = "LOCKDOWN": "Lockdown (security incident)",
        Search = "SEARCH": "Search",
        Outbreak = "OUTBREAK": "Illness outbreak",
        Other = "OTHER": "Other",
    }
}

code_set! {
    /// The three aims of the public sector equality duty (Equality Act 2010, s149).
    pub enum Aim as "aim" {
        EliminateDiscrimination = "ELIMINATE_DISCRIMINATION": "Eliminate unlawful discrimination, harassment and victimisation",
        AdvanceEquality = "ADVANCE_EQUALITY": "Advance equality of opportunity",
        FosterRelations = "FOSTER_RELATIONS": "Foster good relations",
    }
}

code_set! {
    /// Where an expert by experience was involved.
    pub enum InvolvementArea as "area" {
        Policy = "POLICY": "Policy",
        ServiceDesign = "SERVICE_DESIGN": "Service design",
        Training = "TRAINING": "Staff training",
        Forums = "FORUMS": "Forums",
        ComplaintsPanel = "COMPLAINTS_PANEL": "The complaints scrutiny panel",
    }
}

/// Equality objectives are reviewed at least this often (the report: every four years).
pub const OBJECTIVE_REVIEW_YEARS: i16 = 4;

code_set! {
    /// The scrutiny panel's view of how a complaint was handled.
    pub enum PanelView as "view" {
        Fair = "FAIR": "Handled fairly",
        Concerns = "CONCERNS": "Handled, with concerns",
        NotFair = "NOT_FAIR": "Not handled fairly",
    }
}

/// A member of the equality and diversity team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TeamMember {
    /// A member of staff, with their part in the team ("Equality lead", "Faith lead").
    Staff { username: StaffRef, part: String },
    /// A prisoner representative (usually paid, as the report's good practice has it).
    Representative { prison_number: PrisonNumber, paid: bool },
}

/// An action a forum agreed, with its owner and due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForumAction {
    pub action: String,
    pub owner: String,
    pub due: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case", deny_unknown_fields)]
pub enum Kind {
    /// Named to the team for a characteristic (none: across all of them).
    TeamMemberNamed {
        member: TeamMember,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        characteristic: Option<Characteristic>,
    },
    TeamMemberStoodDown {
        named: EventId,
    },
    ForumSetUp {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        characteristic: Option<Characteristic>,
    },
    ForumMeetingHeld {
        forum: EventId,
        held_on: Date,
        people_attended: u16,
        staff_attended: u16,
        /// What was raised, in the words of the notes.
        raised: String,
        actions: Vec<ForumAction>,
    },
    ForumActionDone {
        meeting: EventId,
        action: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// How the people who share a festival asked for it to be marked, and what was planned.
    FestivalPlanned {
        religion: Religion,
        festival: String,
        on: Date,
        /// When the people who share it were asked how they want to mark it.
        asked_on: Date,
        asked_for: String,
        budget_pence: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        food: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        space: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<String>,
    },
    FestivalMarked {
        plan: EventId,
        attended: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spent_pence: Option<u32>,
    },
    /// A voluntary, community or arts service at this establishment.
    ServiceListed {
        organisation: String,
        service: String,
        category: Activity,
        what: String,
        for_whom: String,
        when: String,
        how_to_refer: String,
        consent_needed: bool,
    },
    ServiceWithdrawn {
        service: EventId,
    },
    RegimeCurtailed {
        on: Date,
        minutes: u16,
        cause: CurtailmentCause,
        /// Which wings or units, in words.
        wings: String,
    },
    /// The quarter's random sample of answered complaints, with the seed that drew it.
    ScrutinySampleDrawn {
        quarter: String,
        answered: u32,
        seed: u64,
        complaints: Vec<EventId>,
    },
    /// Phrases in one sampled complaint that name people, marked before the panel reads it.
    ScrutinyRedacted {
        sample: EventId,
        complaint: EventId,
        phrases: Vec<String>,
    },
    /// The sample goes to the panel: nothing is redacted after this.
    ScrutinyReleased {
        sample: EventId,
    },
    ScrutinyViewRecorded {
        sample: EventId,
        complaint: EventId,
        view: PanelView,
        feedback: String,
    },
    /// An equality objective for one of the three aims, with its owner and when it is reviewed.
    ObjectiveSet {
        aim: Aim,
        objective: String,
        owner: String,
        set_on: Date,
        review_by: Date,
    },
    /// An action towards an objective.
    ObjectiveActionAgreed {
        objective: EventId,
        action: String,
        owner: String,
        due: Date,
    },
    ObjectiveActionDone {
        action: EventId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// An objective reviewed: what the review found and when it is next reviewed.
    ObjectiveReviewed {
        objective: EventId,
        on: Date,
        outcome: String,
        next_review_by: Date,
    },
    /// Someone with lived experience involved in the work, and what changed because of it.
    ExpertInvolved {
        /// A name or role as they agree to be described ("A Listener on B wing").
        who: String,
        /// The lived experience they choose to state, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lived_experience: Option<String>,
        area: InvolvementArea,
        on: Date,
        what: String,
        changed: String,
    },
}

/// One entry in an establishment's record. Appended, never edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentEvent {
    pub id: EventId,
    pub establishment: EstablishmentCode,
    pub recorded_at: Timestamp,
    pub recorded_by: StaffRef,
    pub kind: Kind,
}

/// A review date after `from` and no more than four years on.
fn review_within(from: Date, by: Date) -> Result<(), String> {
    let latest = from.checked_add(jiff::Span::new().years(OBJECTIVE_REVIEW_YEARS)).unwrap_or(from);
    if by <= from {
        Err("review_by: the review date must be after the date it was set".into())
    } else if by > latest {
        Err(format!("review_by: objectives are reviewed at least every {OBJECTIVE_REVIEW_YEARS} years"))
    } else {
        Ok(())
    }
}

fn text(field: &str, v: &str, max: usize) -> Result<(), String> {
    let n = v.trim().chars().count();
    if n == 0 || n > max { Err(format!("{field}: enter 1-{max} characters")) } else { Ok(()) }
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::TeamMemberNamed { .. } => "team_member_named",
            Kind::TeamMemberStoodDown { .. } => "team_member_stood_down",
            Kind::ForumSetUp { .. } => "forum_set_up",
            Kind::ForumMeetingHeld { .. } => "forum_meeting_held",
            Kind::ForumActionDone { .. } => "forum_action_done",
            Kind::FestivalPlanned { .. } => "festival_planned",
            Kind::FestivalMarked { .. } => "festival_marked",
            Kind::ServiceListed { .. } => "service_listed",
            Kind::ServiceWithdrawn { .. } => "service_withdrawn",
            Kind::RegimeCurtailed { .. } => "regime_curtailed",
            Kind::ScrutinySampleDrawn { .. } => "scrutiny_sample_drawn",
            Kind::ScrutinyRedacted { .. } => "scrutiny_redacted",
            Kind::ScrutinyReleased { .. } => "scrutiny_released",
            Kind::ScrutinyViewRecorded { .. } => "scrutiny_view_recorded",
            Kind::ObjectiveSet { .. } => "objective_set",
            Kind::ObjectiveActionAgreed { .. } => "objective_action_agreed",
            Kind::ObjectiveActionDone { .. } => "objective_action_done",
            Kind::ObjectiveReviewed { .. } => "objective_reviewed",
            Kind::ExpertInvolved { .. } => "expert_involved",
        }
    }

    /// The details as stored: the kind's fields as a JSON object.
    pub fn details_json(&self) -> String {
        serde_json::to_value(self).map(|v| v["details"].to_string()).unwrap_or_default()
    }

    /// Reads a stored kind and its details.
    pub fn parse(kind: &str, details: &str) -> Result<Self, String> {
        let details: serde_json::Value = serde_json::from_str(details).map_err(|e| e.to_string())?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "details": details })).map_err(|e| e.to_string())
    }

    /// The rules on the entry's own fields.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Kind::TeamMemberNamed { member: TeamMember::Staff { part, .. }, .. } => text("part", part, 120),
            Kind::ForumSetUp { name, .. } => text("name", name, 120),
            Kind::ForumMeetingHeld { raised, actions, .. } => {
                text("raised", raised, 4000)?;
                if actions.len() > 50 {
                    return Err("actions: at most 50 a meeting".into());
                }
                for a in actions {
                    text("action", &a.action, 500)?;
                    // An action nobody owns is an action nobody does.
                    text("owner", &a.owner, 120)?;
                }
                Ok(())
            }
            Kind::ForumActionDone { note: Some(n), .. } => text("note", n, 1000),
            Kind::FestivalPlanned { festival, asked_for, on, asked_on, food, space, time, .. } => {
                text("festival", festival, 120)?;
                text("asked_for", asked_for, 2000)?;
                for (f, v) in [("food", food), ("space", space), ("time", time)] {
                    v.as_deref().map_or(Ok(()), |v| text(f, v, 500))?;
                }
                if asked_on > on {
                    return Err("asked_on: people are asked before the festival".into());
                }
                Ok(())
            }
            Kind::ServiceListed { organisation, service, what, for_whom, when, how_to_refer, .. } => {
                text("organisation", organisation, 120)?;
                text("service", service, 120)?;
                text("what", what, 1000)?;
                text("for_whom", for_whom, 500)?;
                text("when", when, 200)?;
                text("how_to_refer", how_to_refer, 500)
            }
            Kind::RegimeCurtailed { minutes, wings, .. } => {
                text("wings", wings, 200)?;
                if (1..=1440).contains(minutes) { Ok(()) } else { Err("minutes: 1-1440 in a day".into()) }
            }
            Kind::ScrutinySampleDrawn { quarter, .. } => crate::scrutiny::Quarter::parse(quarter).map(|_| ()),
            Kind::ScrutinyRedacted { phrases, .. } => phrases.iter().try_for_each(|p| text("phrases", p, 200)),
            Kind::ScrutinyViewRecorded { feedback, .. } => text("feedback", feedback, 2000),
            Kind::ObjectiveSet { objective, owner, set_on, review_by, .. } => {
                text("objective", objective, 1000)?;
                // An objective nobody owns is an objective nobody meets.
                text("owner", owner, 120)?;
                review_within(*set_on, *review_by)
            }
            Kind::ObjectiveActionAgreed { action, owner, .. } => {
                text("action", action, 500)?;
                text("owner", owner, 120)
            }
            Kind::ObjectiveActionDone { note: Some(n), .. } => text("note", n, 1000),
            Kind::ObjectiveReviewed { on, outcome, next_review_by, .. } => {
                text("outcome", outcome, 2000)?;
                review_within(*on, *next_review_by)
            }
            Kind::ExpertInvolved { who, lived_experience, what, changed, .. } => {
                text("who", who, 120)?;
                lived_experience.as_deref().map_or(Ok(()), |l| text("lived_experience", l, 300))?;
                text("what", what, 1000)?;
                text("changed", changed, 2000)
            }
            _ => Ok(()),
        }
    }
}

/// A forum meeting's action and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionState {
    pub meeting: EventId,
    pub index: u8,
    pub forum: String,
    pub held_on: Date,
    pub action: ForumAction,
    pub done: Option<(Timestamp, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: EventId,
    pub held_on: Date,
    pub people_attended: u16,
    pub staff_attended: u16,
    pub raised: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forum {
    pub id: EventId,
    pub name: String,
    pub characteristic: Option<Characteristic>,
    pub meetings: Vec<Meeting>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FestivalPlan {
    pub id: EventId,
    pub religion: Religion,
    pub festival: String,
    pub on: Date,
    pub asked_on: Date,
    pub asked_for: String,
    pub budget_pence: u32,
    pub food: Option<String>,
    pub space: Option<String>,
    pub time: Option<String>,
    pub marked: Option<(u16, Option<u32>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: EventId,
    pub organisation: String,
    pub service: String,
    pub category: Activity,
    pub what: String,
    pub for_whom: String,
    pub when: String,
    pub how_to_refer: String,
    pub consent_needed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub id: EventId,
    pub quarter: String,
    pub answered: u32,
    pub seed: u64,
    pub complaints: Vec<EventId>,
    pub drawn_at: Timestamp,
    pub released: bool,
    /// Marked phrases per complaint.
    pub redactions: Vec<(EventId, Vec<String>)>,
    pub views: Vec<(EventId, PanelView, String, StaffRef, Timestamp)>,
}

impl Sample {
    pub fn phrases(&self, complaint: EventId) -> Vec<String> {
        self.redactions.iter().filter(|(c, _)| *c == complaint).flat_map(|(_, p)| p.clone()).collect()
    }
}

/// An establishment's record, read as it stands now.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub team: Vec<(EventId, TeamMember, Option<Characteristic>)>,
    pub forums: Vec<Forum>,
    pub actions: Vec<ActionState>,
    pub festivals: Vec<FestivalPlan>,
    pub services: Vec<Service>,
    pub curtailments: Vec<(Date, u16, CurtailmentCause, String)>,
    pub samples: Vec<Sample>,
    pub objectives: Vec<Objective>,
    pub involvements: Vec<Involvement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveAction {
    pub id: EventId,
    pub action: String,
    pub owner: String,
    pub due: Date,
    pub done: Option<(Timestamp, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub id: EventId,
    pub aim: Aim,
    pub objective: String,
    pub owner: String,
    pub set_on: Date,
    pub review_by: Date,
    /// (reviewed on, outcome)
    pub reviews: Vec<(Date, String)>,
    pub actions: Vec<ObjectiveAction>,
}

impl Objective {
    /// Whether its review is due by `today` and has not happened.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.review_by < today
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Involvement {
    pub id: EventId,
    pub who: String,
    pub lived_experience: Option<String>,
    pub area: InvolvementArea,
    pub on: Date,
    pub what: String,
    pub changed: String,
}

impl Register {
    /// Reads the entries in the order they were recorded.
    pub fn new(events: &[EstablishmentEvent]) -> Self {
        let mut r = Register::default();
        for e in events {
            r.apply(e);
        }
        r
    }

    fn apply(&mut self, e: &EstablishmentEvent) {
        match &e.kind {
            Kind::TeamMemberNamed { member, characteristic } => self.team.push((e.id, member.clone(), *characteristic)),
            Kind::TeamMemberStoodDown { named } => self.team.retain(|(id, ..)| id != named),
            Kind::ForumSetUp { name, characteristic } => self.forums.push(Forum {
                id: e.id,
                name: name.clone(),
                characteristic: *characteristic,
                meetings: vec![],
            }),
            Kind::ForumMeetingHeld { forum, held_on, people_attended, staff_attended, raised, actions } => {
                if let Some(f) = self.forums.iter_mut().find(|f| f.id == *forum) {
                    f.meetings.push(Meeting {
                        id: e.id,
                        held_on: *held_on,
                        people_attended: *people_attended,
                        staff_attended: *staff_attended,
                        raised: raised.clone(),
                    });
                    let name = f.name.clone();
                    for (i, a) in actions.iter().enumerate() {
                        self.actions.push(ActionState {
                            meeting: e.id,
                            index: i as u8,
                            forum: name.clone(),
                            held_on: *held_on,
                            action: a.clone(),
                            done: None,
                        });
                    }
                }
            }
            Kind::ForumActionDone { meeting, action, note } => {
                if let Some(a) = self.actions.iter_mut().find(|a| a.meeting == *meeting && a.index == *action) {
                    a.done = Some((e.recorded_at, note.clone()));
                }
            }
            Kind::FestivalPlanned { religion, festival, on, asked_on, asked_for, budget_pence, food, space, time } => {
                self.festivals.push(FestivalPlan {
                    id: e.id,
                    religion: *religion,
                    festival: festival.clone(),
                    on: *on,
                    asked_on: *asked_on,
                    asked_for: asked_for.clone(),
                    budget_pence: *budget_pence,
                    food: food.clone(),
                    space: space.clone(),
                    time: time.clone(),
                    marked: None,
                })
            }
            Kind::FestivalMarked { plan, attended, spent_pence } => {
                if let Some(p) = self.festivals.iter_mut().find(|p| p.id == *plan) {
                    p.marked = Some((*attended, *spent_pence));
                }
            }
            Kind::ServiceListed {
                organisation,
                service,
                category,
                what,
                for_whom,
                when,
                how_to_refer,
                consent_needed,
            } => self.services.push(Service {
                id: e.id,
                organisation: organisation.clone(),
                service: service.clone(),
                category: *category,
                what: what.clone(),
                for_whom: for_whom.clone(),
                when: when.clone(),
                how_to_refer: how_to_refer.clone(),
                consent_needed: *consent_needed,
            }),
            Kind::ServiceWithdrawn { service } => self.services.retain(|s| s.id != *service),
            Kind::RegimeCurtailed { on, minutes, cause, wings } => {
                self.curtailments.push((*on, *minutes, *cause, wings.clone()))
            }
            Kind::ScrutinySampleDrawn { quarter, answered, seed, complaints } => self.samples.push(Sample {
                id: e.id,
                quarter: quarter.clone(),
                answered: *answered,
                seed: *seed,
                complaints: complaints.clone(),
                drawn_at: e.recorded_at,
                released: false,
                redactions: vec![],
                views: vec![],
            }),
            Kind::ScrutinyRedacted { sample, complaint, phrases } => {
                if let Some(s) = self.samples.iter_mut().find(|s| s.id == *sample) {
                    s.redactions.push((*complaint, phrases.clone()));
                }
            }
            Kind::ScrutinyReleased { sample } => {
                if let Some(s) = self.samples.iter_mut().find(|s| s.id == *sample) {
                    s.released = true;
                }
            }
            Kind::ObjectiveSet { aim, objective, owner, set_on, review_by } => self.objectives.push(Objective {
                id: e.id,
                aim: *aim,
                objective: objective.clone(),
                owner: owner.clone(),
                set_on: *set_on,
                review_by: *review_by,
                reviews: vec![],
                actions: vec![],
            }),
            Kind::ObjectiveActionAgreed { objective, action, owner, due } => {
                if let Some(o) = self.objectives.iter_mut().find(|o| o.id == *objective) {
                    o.actions.push(ObjectiveAction {
                        id: e.id,
                        action: action.clone(),
                        owner: owner.clone(),
                        due: *due,
                        done: None,
                    });
                }
            }
            Kind::ObjectiveActionDone { action, note } => {
                if let Some(a) = self.objectives.iter_mut().flat_map(|o| o.actions.iter_mut()).find(|a| a.id == *action)
                {
                    a.done = Some((e.recorded_at, note.clone()));
                }
            }
            Kind::ObjectiveReviewed { objective, on, outcome, next_review_by } => {
                if let Some(o) = self.objectives.iter_mut().find(|o| o.id == *objective) {
                    o.reviews.push((*on, outcome.clone()));
                    o.review_by = *next_review_by;
                }
            }
            Kind::ExpertInvolved { who, lived_experience, area, on, what, changed } => {
                self.involvements.push(Involvement {
                    id: e.id,
                    who: who.clone(),
                    lived_experience: lived_experience.clone(),
                    area: *area,
                    on: *on,
                    what: what.clone(),
                    changed: changed.clone(),
                })
            }
            Kind::ScrutinyViewRecorded { sample, complaint, view, feedback } => {
                if let Some(s) = self.samples.iter_mut().find(|s| s.id == *sample) {
                    s.views.retain(|(c, ..)| c != complaint);
                    s.views.push((*complaint, *view, feedback.clone(), e.recorded_by.clone(), e.recorded_at));
                }
            }
        }
    }

    /// Whether an entry may follow the record as it stands: what it refers to exists here and is
    /// in a state to take it. The reason names the field at fault.
    pub fn check_step(&self, kind: &Kind) -> Result<(), String> {
        kind.check()?;
        let sample = |id: &EventId| self.samples.iter().find(|s| s.id == *id);
        match kind {
            Kind::ForumSetUp { name, .. }
                if self.forums.iter().any(|f| f.name.trim().eq_ignore_ascii_case(name.trim())) =>
            {
                Err(format!("name: there is already a forum called {}", name.trim()))
            }
            Kind::FestivalPlanned { festival, on, .. }
                if self.festivals.iter().any(|p| p.festival == *festival && p.on == *on) =>
            {
                Err(format!("festival: {festival} on this day is already planned"))
            }
            Kind::TeamMemberStoodDown { named } if !self.team.iter().any(|(id, ..)| id == named) => {
                Err("named: not a member of the team".into())
            }
            Kind::ForumMeetingHeld { forum, .. } if !self.forums.iter().any(|f| f.id == *forum) => {
                Err("forum: no such forum here".into())
            }
            Kind::ForumActionDone { meeting, action, .. } => {
                match self.actions.iter().find(|a| a.meeting == *meeting && a.index == *action) {
                    None => Err("action: no such action".into()),
                    Some(a) if a.done.is_some() => Err("action: already done".into()),
                    Some(_) => Ok(()),
                }
            }
            Kind::FestivalMarked { plan, .. } if !self.festivals.iter().any(|p| p.id == *plan) => {
                Err("plan: no such festival plan".into())
            }
            Kind::ServiceWithdrawn { service } if !self.services.iter().any(|s| s.id == *service) => {
                Err("service: not in the directory".into())
            }
            Kind::ScrutinySampleDrawn { quarter, .. } if self.samples.iter().any(|s| s.quarter == *quarter) => {
                Err("quarter: this quarter's sample has been drawn; it is drawn once".into())
            }
            Kind::ScrutinyRedacted { sample: id, complaint, .. } => match sample(id) {
                None => Err("sample: no such sample".into()),
                Some(s) if s.released => Err("sample: it has gone to the panel; mark phrases before it goes".into()),
                Some(s) if !s.complaints.contains(complaint) => Err("complaint: not in this sample".into()),
                Some(_) => Ok(()),
            },
            Kind::ScrutinyReleased { sample: id } => match sample(id) {
                None => Err("sample: no such sample".into()),
                Some(s) if s.released => Err("sample: already with the panel".into()),
                Some(_) => Ok(()),
            },
            Kind::ScrutinyViewRecorded { sample: id, complaint, .. } => match sample(id) {
                None => Err("sample: no such sample".into()),
                Some(s) if !s.released => Err("sample: the panel sees it once it is released".into()),
                Some(s) if !s.complaints.contains(complaint) => Err("complaint: not in this sample".into()),
                Some(_) => Ok(()),
            },
            Kind::ObjectiveActionAgreed { objective, .. } | Kind::ObjectiveReviewed { objective, .. }
                if !self.objectives.iter().any(|o| o.id == *objective) =>
            {
                Err("objective: no such objective".into())
            }
            Kind::ObjectiveActionDone { action, .. } => {
                match self.objectives.iter().flat_map(|o| &o.actions).find(|a| a.id == *action) {
                    None => Err("action: no such action".into()),
                    Some(a) if a.done.is_some() => Err("action: already done".into()),
                    Some(_) => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Actions not done whose due date has passed.
    pub fn overdue(&self, today: Date) -> impl Iterator<Item = &ActionState> {
        self.actions.iter().filter(move |a| a.done.is_none() && a.action.due < today)
    }
}

/// The local defaults of this work, from `standards/reference/equality.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Ask the people who share a festival how they want to mark it this many weeks before.
    pub festival_ask_weeks: u8,
    pub festival_ask_source: String,
    pub scrutiny_share: f64,
    pub scrutiny_at_least: usize,
    pub scrutiny_source: String,
}

pub const DEFAULTS: (&str, &str) =
    ("standards/reference/equality.toml", include_str!("../../../standards/reference/equality.toml"));

impl Defaults {
    pub fn builtin() -> Self {
        Self::load(DEFAULTS.0, DEFAULTS.1).unwrap_or_else(|e| panic!("{e}"))
    }
    pub fn load(file: &str, text: &str) -> Result<Self, String> {
        let d: Defaults = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        if !(0.0..=1.0).contains(&d.scrutiny_share) || d.scrutiny_at_least == 0 || d.festival_ask_weeks == 0 {
            return Err(format!("{file}: scrutiny_share is 0-1, scrutiny_at_least and festival_ask_weeks at least 1"));
        }
        Ok(d)
    }
    pub fn sample_rule(&self) -> crate::scrutiny::SampleRule {
        crate::scrutiny::SampleRule { share: self.scrutiny_share, at_least: self.scrutiny_at_least }
    }
    /// The day by which the people who share a festival on `on` should have been asked.
    pub fn ask_by(&self, on: Date) -> Date {
        on.checked_sub(jiff::Span::new().weeks(i64::from(self.festival_ask_weeks))).unwrap_or(on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8, kind: Kind) -> EstablishmentEvent {
        EstablishmentEvent {
            id: EventId::from_random_bytes([n; 16]),
            establishment: EstablishmentCode::parse("AAA").unwrap(),
            recorded_at: "2026-11-02T10:00:00Z".parse().unwrap(),
            recorded_by: StaffRef::parse("equality.lead").unwrap(),
            kind,
        }
    }

    fn id(n: u8) -> EventId {
        EventId::from_random_bytes([n; 16])
    }

    #[test]
    fn an_objective_has_an_owner_a_review_within_four_years_and_actions_tracked_to_done() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        let objective = |owner: &str, review_by| Kind::ObjectiveSet {
            aim: Aim::AdvanceEquality,
            objective: "Equal access to education for Gypsy, Roma and Traveller men".into(),
            owner: owner.into(),
            set_on: d(2026, 4, 1),
            review_by,
        };
        let r = Register::default();
        assert_eq!(r.check_step(&objective(" ", d(2027, 4, 1))).unwrap_err(), "owner: enter 1-120 characters");
        assert_eq!(
            r.check_step(&objective("Head of reducing reoffending", d(2030, 4, 2))).unwrap_err(),
            "review_by: objectives are reviewed at least every 4 years"
        );
        assert!(r.check_step(&objective("Head of reducing reoffending", d(2026, 3, 1))).is_err());
        let mut events = vec![entry(1, objective("Head of reducing reoffending", d(2030, 4, 1)))];
        let action = Kind::ObjectiveActionAgreed {
            objective: id(1),
            action: "Outreach by the Traveller Movement".into(),
            owner: "Education manager".into(),
            due: d(2026, 9, 30),
        };
        assert!(Register::new(&events).check_step(&action).is_ok());
        let stray = Kind::ObjectiveActionAgreed {
            objective: id(9),
            action: "x".into(),
            owner: "y".into(),
            due: d(2026, 9, 30),
        };
        assert_eq!(Register::new(&events).check_step(&stray).unwrap_err(), "objective: no such objective");
        events.push(entry(2, action));
        let done = Kind::ObjectiveActionDone { action: id(2), note: None };
        assert!(Register::new(&events).check_step(&done).is_ok());
        events.push(entry(3, done.clone()));
        let r = Register::new(&events);
        assert!(r.objectives[0].actions[0].done.is_some());
        assert_eq!(r.check_step(&done).unwrap_err(), "action: already done");
        let involved = Kind::ExpertInvolved {
            who: "A Listener on B wing".into(),
            lived_experience: None,
            area: InvolvementArea::Training,
            on: d(2026, 6, 1),
            what: "Co-delivered ACCT training".into(),
            changed: "The case review now asks the person first".into(),
        };
        assert!(r.check_step(&involved).is_ok());
        let round_trip = Kind::parse(involved.name(), &involved.details_json()).unwrap();
        assert_eq!(round_trip, involved);
    }

    #[test]
    fn a_forum_meeting_s_actions_are_tracked_to_done() {
        let mut events = vec![entry(
            1,
            Kind::ForumSetUp { name: "Race equality forum".into(), characteristic: Some(Characteristic::Ethnicity) },
        )];
        let meeting = Kind::ForumMeetingHeld {
            forum: id(1),
            held_on: Date::new(2026, 11, 2).unwrap(),
            people_attended: 12,
            staff_attended: 3,
            raised: "Afro combs missing from the canteen list".into(),
            actions: vec![ForumAction {
                action: "Add afro combs".into(),
                owner: "Canteen manager".into(),
                due: Date::new(2026, 11, 30).unwrap(),
            }],
        };
        let r = Register::new(&events);
        assert!(r.check_step(&meeting).is_ok());
        let again = Kind::ForumSetUp { name: "race equality forum ".into(), characteristic: None };
        assert!(r.check_step(&again).unwrap_err().contains("already a forum"));
        events.push(entry(2, meeting));
        let r = Register::new(&events);
        assert_eq!(r.overdue(Date::new(2026, 12, 7).unwrap()).count(), 1);
        let done = Kind::ForumActionDone { meeting: id(2), action: 0, note: None };
        assert!(r.check_step(&done).is_ok());
        events.push(entry(3, done.clone()));
        let r = Register::new(&events);
        assert_eq!(r.overdue(Date::new(2026, 12, 7).unwrap()).count(), 0);
        assert!(r.check_step(&done).unwrap_err().contains("already done"));
        // An action without an owner is refused.
        let bad = Kind::ForumMeetingHeld {
            forum: id(1),
            held_on: Date::new(2026, 11, 2).unwrap(),
            people_attended: 1,
            staff_attended: 1,
            raised: "x".into(),
            actions: vec![ForumAction {
                action: "Do it".into(),
                owner: " ".into(),
                due: Date::new(2026, 11, 30).unwrap(),
            }],
        };
        assert!(r.check_step(&bad).unwrap_err().starts_with("owner"));
    }

    #[test]
    fn a_sample_is_drawn_once_a_quarter_and_redacted_only_before_release() {
        let drawn =
            Kind::ScrutinySampleDrawn { quarter: "2026-Q4".into(), answered: 3, seed: 1, complaints: vec![id(9)] };
        let mut events = vec![entry(1, drawn.clone())];
        let r = Register::new(&events);
        assert!(r.check_step(&drawn).unwrap_err().contains("drawn once"));
        let view = Kind::ScrutinyViewRecorded {
            sample: id(1),
            complaint: id(9),
            view: PanelView::Fair,
            feedback: "Fine".into(),
        };
        assert!(r.check_step(&view).unwrap_err().contains("released"));
        events.push(entry(
            2,
            Kind::ScrutinyRedacted { sample: id(1), complaint: id(9), phrases: vec!["the tall one".into()] },
        ));
        events.push(entry(3, Kind::ScrutinyReleased { sample: id(1) }));
        let r = Register::new(&events);
        assert_eq!(r.samples[0].phrases(id(9)), vec!["the tall one".to_string()]);
        assert!(r.check_step(&view).is_ok());
        assert!(
            r.check_step(&Kind::ScrutinyRedacted { sample: id(1), complaint: id(9), phrases: vec!["x".into()] })
                .unwrap_err()
                .contains("before it goes")
        );
    }

    #[test]
    fn details_round_trip_and_defaults_load() {
        let k = Kind::TeamMemberNamed {
            member: TeamMember::Representative { prison_number: PrisonNumber::parse("A1234BC").unwrap(), paid: true },
            characteristic: Some(Characteristic::Disability),
        };
        assert_eq!(Kind::parse(k.name(), &k.details_json()).unwrap(), k);
        let d = Defaults::builtin();
        assert_eq!(
            d.ask_by(Date::new(2026, 12, 15).unwrap()),
            Date::new(2026, 12, 15).unwrap() - jiff::Span::new().weeks(i64::from(d.festival_ask_weeks))
        );
        assert_eq!(d.sample_rule().size(300), 15);
    }
}
