//! Roles and need-to-know, defined once: what each role may do, and which characteristics it sees.
//! docs/roles.md is the same table in words; a test walks every route against every role.

use throughcare_core::Characteristic;
use throughcare_core::code_set;

code_set! {
    /// A member of staff's job, as throughcare knows it.
    pub enum Role as "role" {
        ReceptionOfficer = "reception-officer": "Reception officer",
        ReceptionNurse = "reception-nurse": "Reception nurse or healthcare",
        MentalHealth = "mental-health": "Mental health in-reach",
        KeyWorker = "key-worker": "Key worker",
        KeyWorkManager = "key-work-manager": "Key work manager (custodial manager)",
        SaferCustody = "safer-custody": "Safer custody",
        ListenerCoordinator = "listener-coordinator": "Listener coordinator",
        MbuOfficer = "mbu-officer": "MBU officer",
        EqualityLead = "equality-lead": "Equality and diversity lead",
        Chaplaincy = "chaplaincy": "Chaplaincy",
        Resettlement = "resettlement": "Resettlement",
        VoluntaryPartner = "voluntary-partner": "Voluntary-sector partner",
        ScrutinyPanel = "scrutiny-panel": "Independent scrutiny panel member",
        Governor = "governor": "Governor",
        Analyst = "analyst": "Analyst",
        Administrator = "administrator": "Administrator",
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No sign-in: health checks, the API description, assets, the sign-in page.
    Anyone,
    /// Any signed-in member of staff.
    SignedIn,
    /// Find people and see their record (as far as the role may).
    People,
    /// Record events on a person's timeline.
    Record,
    /// The establishment's list of people in custody.
    Caseload,
    /// Who viewed a person's record.
    Audit,
    /// Worklists: what is due, for the establishment, a team or a key worker.
    Worklist,
    /// Compliance and equality reports across an establishment or the estate.
    Reports,
    /// Record, own, explain, reform and review equality findings.
    Findings,
    /// Book a person in at reception: find or create them, the reception, what they declare.
    Reception,
    /// Clinical work: screening, referrals, hospital transfers and medicines.
    Clinical,
    /// ACCT case detail and the register of open cases.
    Acct,
    /// The register of Listeners and peer supporters, and requests for a Listener or the Samaritans.
    PeerSupport,
    /// The MBU register: women who meet the criterion, their deadlines and applications.
    Mbu,
    /// A key worker's own people ("My people").
    MyPeople,
    /// One person's key work: sessions, what is coming up, allocation.
    KeyWork,
    /// Allocating key workers: who is waiting, caseloads against the cap, who is away, the HMPPS figures.
    KeyWorkAllocation,
    /// Record a key worker's absence (the key work manager's alone).
    ManageKeyWork,
    /// Training on protected characteristics and life events, and the share of key workers trained.
    Training,
    /// Record a training session and who attended.
    RecordTraining,
    /// A person's family of choice and their wishes about each.
    Family,
    /// Requests for temporary release (funerals first) and the decisions on them.
    TemporaryRelease,
    /// The kiosk's sign-in: open to anyone at the terminal.
    KioskOpen,
    /// A person signed in on the kiosk, reaching only their own record. No staff role has it:
    /// a staff session cannot act as a person.
    Kiosk,
    /// Set a person's kiosk PIN (at reception).
    KioskPin,
    /// Give a person information in their format and record whether they understood.
    Information,
    /// The queues of requests people make.
    Requests,
    /// Answering requests from a queue: its teams' roles that record events (not the governor).
    AnswerRequests,
    /// The log of discrimination complaints and each complaint's steps (a complaint's own
    /// investigator opens it whatever their role; the handler checks).
    Complaints,
    /// The equality and diversity team, its forums and their actions, and festival plans.
    EqualityTeam,
    /// Record the team, forums, festival plans, the directory and regime curtailments.
    RecordEqualityWork,
    /// The independent scrutiny of complaints: the equality lead draws and prepares the sample,
    /// the panel reads it anonymised.
    Scrutiny,
    /// Draw a quarter's sample (the equality lead).
    DrawScrutiny,
    /// The voluntary, community and arts directory.
    Directory,
    /// Transfer a person to another prison and tell their family of the move.
    Transfer,
    /// A person's whole record as a file (throughcare's or FHIR) for another estate, and such a
    /// file read in: clinical detail travels in it, so healthcare and administrators only.
    TransferRecord,
    /// What came with a person arriving on transfer, and the reviews on arrival.
    Arrival,
    /// A person's release plan, from reception to the day of release.
    Release,
    /// The release board: everyone due out in the next 12 weeks and what is not yet in place.
    ReleaseBoard,
    /// Match community services' records against people in custody (missed need).
    CommunityRecords,
    /// The governor's annual equality report: read drafts and versions.
    AnnualReports,
    /// Write a draft (equality lead, governor; analysts for the estate).
    DraftAnnualReport,
}

/// How much of an event a role may read: all of it, a line in place of the detail, or nothing
/// (that there was an event is itself the confidential part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Full,
    Summary(&'static str),
    Hidden,
}

/// ACCT kinds whose detail (the concern, reviews, the plan, triggers) is for safer custody,
/// healthcare and the case's own reviewers; others see that a case exists and is observed.
pub fn is_acct_detail(kind: &str) -> bool {
    kind.starts_with("acct_") && kind != "acct_observation"
}

impl Role {
    pub fn can(self, access: Access) -> bool {
        use Role::*;
        match access {
            Access::Anyone | Access::SignedIn => true,
            Access::People => !matches!(self, Analyst | ScrutinyPanel),
            Access::Record => !matches!(self, Analyst | Administrator | Governor | ScrutinyPanel),
            Access::Caseload => !matches!(self, Analyst | VoluntaryPartner | ScrutinyPanel),
            Access::Audit => matches!(self, Administrator),
            Access::Worklist => !matches!(self, Analyst | VoluntaryPartner | ScrutinyPanel),
            Access::Reports => matches!(self, Governor | Analyst | Administrator | EqualityLead),
            // Governors and equality leads answer for their establishment; analysts for the estate.
            Access::Findings => matches!(self, Governor | EqualityLead | Analyst),
            Access::Reception => matches!(self, ReceptionOfficer | ReceptionNurse),
            Access::Clinical => self.sees_clinical_detail(),
            // Safer custody runs ACCT; healthcare takes part in every review.
            Access::Acct => matches!(self, SaferCustody | ReceptionNurse | MentalHealth),
            // Samaritans' confidentiality: who asked for a Listener is for the coordinator alone.
            Access::PeerSupport => matches!(self, ListenerCoordinator),
            Access::Mbu => matches!(self, MbuOfficer),
            Access::MyPeople => matches!(self, KeyWorker),
            Access::KeyWork => matches!(self, KeyWorker | KeyWorkManager),
            Access::KeyWorkAllocation => matches!(self, KeyWorkManager | Governor),
            Access::ManageKeyWork => matches!(self, KeyWorkManager),
            Access::Training => matches!(self, KeyWorkManager | EqualityLead | Governor),
            Access::RecordTraining => matches!(self, KeyWorkManager | EqualityLead),
            Access::Family => self.may_record("family_contact_named"),
            Access::TemporaryRelease => self.may_record("temporary_release_decided"),
            Access::KioskOpen => true,
            Access::Kiosk => false,
            Access::KioskPin => matches!(self, ReceptionOfficer | ReceptionNurse | KeyWorker | KeyWorkManager),
            Access::Information => self.may_record("information_given"),
            Access::Requests => self.request_teams().is_some(),
            Access::AnswerRequests => self.request_teams().is_some() && self.can(Access::Record),
            Access::Complaints => matches!(self, EqualityLead | Governor) || self.can(Access::Record),
            Access::EqualityTeam => matches!(self, EqualityLead | Governor | Chaplaincy),
            Access::RecordEqualityWork => matches!(self, EqualityLead | Chaplaincy),
            // Governors read the panel's feedback; the panel alone records it.
            Access::Scrutiny => matches!(self, EqualityLead | ScrutinyPanel | Governor),
            Access::DrawScrutiny => matches!(self, EqualityLead),
            // An establishment's own directory: estate-wide roles have none.
            Access::Directory => !matches!(self, Analyst | Administrator | ScrutinyPanel),
            Access::Transfer => matches!(self, ReceptionOfficer | ReceptionNurse | SaferCustody | KeyWorkManager),
            Access::TransferRecord => matches!(self, ReceptionNurse | Administrator),
            Access::Arrival => matches!(self, ReceptionOfficer | ReceptionNurse | MentalHealth | SaferCustody),
            Access::Release => {
                matches!(
                    self,
                    Resettlement | ReceptionOfficer | ReceptionNurse | MentalHealth | KeyWorker | KeyWorkManager
                )
            }
            Access::ReleaseBoard => matches!(
                self,
                Resettlement | ReceptionOfficer | ReceptionNurse | MentalHealth | KeyWorkManager | Governor
            ),
            Access::CommunityRecords => matches!(self, ReceptionNurse | MentalHealth),
            Access::AnnualReports => matches!(self, EqualityLead | Governor | Analyst | Administrator),
            Access::DraftAnnualReport => matches!(self, EqualityLead | Governor | Analyst),
        }
    }

    /// How much of an event of this kind the role may read, on the record and through the API.
    pub fn reads(self, kind: &str) -> Reading {
        use throughcare_core::pathways::peer_support::REQUEST_KINDS;
        if REQUEST_KINDS.contains(&kind) || kind == "peer_matching_consent" {
            return if self.can(Access::PeerSupport) { Reading::Full } else { Reading::Hidden };
        }
        // What a person asked for, in their words, is for the teams that answer requests: a
        // request for a halal meal says what their religion is.
        if matches!(kind, "request_raised" | "request_progressed" | "request_answered") {
            return if self.request_teams().is_some() || self == Role::Administrator {
                Reading::Full
            } else {
                Reading::Summary("A request (details for the team that answers it)")
            };
        }
        if throughcare_core::EventKind::is_clinical(kind) && !self.sees_clinical_detail() {
            return Reading::Summary("Health care contact (details for clinical staff)");
        }
        if kind == "child_recorded" && !self.sees(Characteristic::PregnancyMaternity) {
            return Reading::Summary("Family details (for the MBU officer and healthcare)");
        }
        if is_acct_detail(kind) && !self.can(Access::Acct) {
            return Reading::Summary(match kind {
                "acct_opened" => "ACCT opened",
                "acct_closed" => "ACCT closed",
                _ => "ACCT case work (details for safer custody and healthcare)",
            });
        }
        Reading::Full
    }

    /// [`Role::reads`] for one event on its timeline: what a person asked for, in their words, is
    /// read only by the teams whose queue the request is on (a key worker does not read another
    /// team's halal meal request), healthcare for health requests, and administrators.
    pub fn reads_event(
        self,
        viewer: &str,
        e: &throughcare_core::Event,
        timeline: &throughcare_core::timeline::Timeline,
    ) -> Reading {
        use throughcare_core::EventKind as K;
        use throughcare_core::pathways::requests::team;
        if let Some(reading) = self.reads_complaint(viewer, e, timeline) {
            return reading;
        }
        let category = |id: &throughcare_core::EventId| {
            timeline.all().iter().find(|x| x.id == *id).and_then(|x| match &x.kind {
                K::RequestRaised { category, .. } => Some(*category),
                _ => None,
            })
        };
        let asked = match &e.kind {
            K::RequestRaised { category, .. } => Some(*category),
            K::RequestProgressed { request } | K::RequestAnswered { request, .. } => category(request),
            _ => None,
        };
        match asked.map(team) {
            None => self.reads(e.kind.name()),
            Some(t)
                if self == Role::Administrator
                    || (t == "healthcare" && self.sees_clinical_detail())
                    || self.request_teams().is_some_and(|ts| ts.contains(&t)) =>
            {
                Reading::Full
            }
            Some(_) => Reading::Summary("A request (details for the team that answers it)"),
        }
    }

    /// A discrimination complaint's steps: hidden from every member of staff it names (that there
    /// is one is the confidential part), in full for the equality team, governors and its
    /// investigator, a line for everyone else. None for other kinds.
    pub fn reads_complaint(
        self,
        viewer: &str,
        e: &throughcare_core::Event,
        timeline: &throughcare_core::timeline::Timeline,
    ) -> Option<Reading> {
        use throughcare_core::pathways::discrimination::complaints;
        if !e.kind.name().starts_with("discrimination_") {
            return None;
        }
        let all = complaints(timeline);
        let root = |id: &throughcare_core::EventId| {
            all.iter().find(|c| {
                c.id == *id || c.answers.iter().any(|a| a.id == *id) || c.appeal.as_ref().is_some_and(|(a, ..)| a == id)
            })
        };
        let complaint = e.kind.answers().map_or_else(|| root(&e.id), |(t, _)| root(&t));
        let Some(c) = complaint else { return Some(Reading::Summary("A discrimination complaint")) };
        if c.staff_named.iter().any(|s| s.as_str() == viewer) {
            return Some(Reading::Hidden);
        }
        let investigator = c.investigator.as_ref().is_some_and(|i| i.as_str() == viewer);
        Some(if investigator || matches!(self, Role::EqualityLead | Role::Governor | Role::Administrator) {
            Reading::Full
        } else {
            Reading::Summary("A discrimination complaint (details for the equality team)")
        })
    }

    /// Whether a team's obligations may appear on this role's worklist: which standard is due for
    /// whom can itself be health or pregnancy information.
    pub fn sees_team(self, team: &str) -> bool {
        match team {
            "healthcare" | "mental-health" => {
                self.sees_clinical_detail() || matches!(self, Role::Governor | Role::Administrator)
            }
            // Listener requests are the coordinator's alone, even as a count on a worklist.
            "peer-support" => self == Role::ListenerCoordinator,
            "mbu" => {
                self.sees(Characteristic::PregnancyMaternity) || matches!(self, Role::Governor | Role::Administrator)
            }
            _ => true,
        }
    }

    /// Whether obligations of this standard may appear for this role: that a person has a
    /// discrimination complaint open is for the equality team and governors (and the staff it
    /// names never, which [`complaint_names`] checks per person).
    pub fn sees_standard(self, standard: &str) -> bool {
        !standard.starts_with("complaint-") || matches!(self, Role::EqualityLead | Role::Governor | Role::Administrator)
    }

    /// The team a worklist starts on for this role, if any.
    pub fn home_team(self) -> Option<&'static str> {
        Some(match self {
            Role::ReceptionNurse => "healthcare",
            Role::MentalHealth => "mental-health",
            Role::KeyWorker | Role::KeyWorkManager => "key-worker",
            Role::SaferCustody => "safer-custody",
            Role::MbuOfficer => "mbu",
            Role::Resettlement => "resettlement",
            Role::ListenerCoordinator => "peer-support",
            Role::Chaplaincy => "chaplaincy",
            Role::EqualityLead => "equality",
            _ => return None,
        })
    }

    /// The request teams whose queues this role works (None: no queue). Health requests are never
    /// here: from the kiosk they are self-referrals on healthcare's referral queue.
    pub fn request_teams(self) -> Option<&'static [&'static str]> {
        use Role::*;
        Some(match self {
            Chaplaincy => &["chaplaincy"],
            EqualityLead => &["equality", "chaplaincy", "resettlement", "key-worker"],
            Resettlement => &["resettlement"],
            KeyWorker | KeyWorkManager => &["key-worker"],
            Governor => &["chaplaincy", "equality", "resettlement", "key-worker"],
            _ => return None,
        })
    }

    /// Screening answers and scores, referrals and hospital transfers, clinical events.
    pub fn sees_clinical_detail(self) -> bool {
        matches!(self, Role::ReceptionNurse | Role::MentalHealth)
    }

    /// Roles whose work spans every establishment; everyone else sees only their own.
    pub fn estate_wide(self) -> bool {
        matches!(self, Role::Analyst | Role::Administrator)
    }

    /// Whether this role is shown a person's declared value of a characteristic.
    pub fn sees(self, c: Characteristic) -> bool {
        use Characteristic as C;
        use Role::*;
        if !self.can(Access::People) || self == VoluntaryPartner {
            return false;
        }
        match c {
            C::Age | C::Sex | C::Ethnicity | C::Disability => true,
            C::Religion => matches!(self, Chaplaincy | EqualityLead | ReceptionNurse),
            C::SexualOrientation => matches!(self, EqualityLead | MentalHealth),
            C::GenderIdentity | C::GenderReassignment => {
                matches!(self, EqualityLead | ReceptionNurse | MentalHealth | SaferCustody)
            }
            C::PregnancyMaternity => matches!(self, ReceptionNurse | MentalHealth | MbuOfficer | EqualityLead),
            C::MarriageCivilPartnership => matches!(self, EqualityLead | Resettlement | Chaplaincy),
        }
    }

    /// Which event kinds this role may record from the pages and the API.
    pub fn may_record(self, kind: &str) -> bool {
        use Role::*;
        // A finding's quality check and an appeal are senior sign-off: a governor's as much as
        // the equality lead's (the pathway keeps out the investigator and the staff it names).
        if matches!(kind, "discrimination_answer_checked" | "discrimination_appeal_decided") {
            return matches!(self, EqualityLead | Governor);
        }
        if !self.can(Access::Record) {
            return false;
        }
        // Anyone a person asks may pass on a request for a Listener, and say when it was met.
        if matches!(kind, "listener_requested" | "listener_request_met") {
            return true;
        }
        // The MBU process is the named MBU officer's: a visit recorded by anyone else would meet
        // her standard without the visit the report asks for. A woman may ask anyone for a visit.
        if kind.starts_with("mbu_") && kind != "mbu_visit_requested" {
            return self == MbuOfficer;
        }
        // Allocation is the key work manager's: the cap and the recommendation are weighed there.
        if matches!(kind, "key_worker_allocated" | "key_worker_deallocated") {
            return self == KeyWorkManager;
        }
        // A young child decides MBU eligibility: recorded by those who see pregnancy and maternity.
        if kind == "child_recorded" {
            return self.sees(Characteristic::PregnancyMaternity);
        }
        let clinical = throughcare_core::EventKind::is_clinical(kind);
        match self {
            ReceptionNurse | MentalHealth => true,
            _ if clinical => false,
            // An officer at the door records the arrival and what the person says, nothing else.
            ReceptionOfficer => matches!(
                kind,
                "reception"
                    | "characteristic_declared"
                    | "communication_recorded"
                    | "location_changed"
                    | "information_given"
            ),
            VoluntaryPartner => matches!(kind, "activity_attended" | "information_given"),
            ListenerCoordinator => {
                throughcare_core::pathways::peer_support::SUPPORTER_KINDS.contains(&kind)
                    || throughcare_core::pathways::peer_support::REQUEST_KINDS.contains(&kind)
            }
            KeyWorker | KeyWorkManager | SaferCustody | MbuOfficer | EqualityLead | Chaplaincy | Resettlement => true,
            _ => false,
        }
    }
}

/// Whether any of a person's discrimination complaints names this member of staff.
pub fn complaint_names(timeline: &throughcare_core::timeline::Timeline, username: &str) -> bool {
    throughcare_core::pathways::discrimination::complaints(timeline)
        .iter()
        .any(|c| c.staff_named.iter().any(|s| s.as_str() == username))
}

/// One route: method, path (as the router spells it) and what it needs.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> Route {
    Route { method, path, access }
}

/// Every route of the application. The router is built from this table: a route not here does not exist.
pub const ROUTES: &[Route] = &[
    r("GET", "/healthz", Access::Anyone),
    r("GET", "/api/openapi.json", Access::Anyone),
    r("GET", "/assets/{file}", Access::Anyone),
    r("GET", "/sign-in", Access::Anyone),
    r("POST", "/sign-in", Access::Anyone),
    r("POST", "/sign-out", Access::SignedIn),
    r("GET", "/", Access::SignedIn),
    r("GET", "/people", Access::People),
    r("GET", "/people/{pn}", Access::People),
    r("GET", "/people/{pn}/record", Access::Record),
    r("POST", "/people/{pn}/record", Access::Record),
    r("GET", "/people/{pn}/audit", Access::Audit),
    r("GET", "/caseload", Access::Caseload),
    r("GET", "/worklist", Access::Worklist),
    r("GET", "/reports/standards", Access::Reports),
    r("GET", "/reports/equality", Access::Reports),
    r("POST", "/reports/equality/findings", Access::Findings),
    r("GET", "/findings", Access::Reports),
    r("GET", "/findings/{id}", Access::Reports),
    r("POST", "/findings/{id}", Access::Findings),
    r("GET", "/reception", Access::Reception),
    r("GET", "/reception/book-in", Access::Reception),
    r("POST", "/reception/book-in", Access::Reception),
    r("GET", "/people/{pn}/screen/{instrument}", Access::Clinical),
    r("POST", "/people/{pn}/screen/{instrument}", Access::Clinical),
    r("GET", "/people/{pn}/refer", Access::Clinical),
    r("POST", "/people/{pn}/refer", Access::Clinical),
    r("GET", "/people/{pn}/medicines", Access::Clinical),
    r("POST", "/people/{pn}/medicines", Access::Clinical),
    r("GET", "/referrals", Access::Clinical),
    r("GET", "/referrals/{id}", Access::Clinical),
    r("POST", "/referrals/{id}", Access::Clinical),
    r("GET", "/hospital-transfers", Access::Clinical),
    r("GET", "/people/{pn}/self-harm", Access::Record),
    r("POST", "/people/{pn}/self-harm", Access::Record),
    r("GET", "/people/{pn}/acct", Access::Record),
    r("POST", "/people/{pn}/acct", Access::Record),
    r("GET", "/acct", Access::Acct),
    // A case's own reviewers (its case managers and assessor) open it whatever their role; the
    // handler lets in the others with ACCT access only.
    r("GET", "/acct/{id}", Access::Record),
    r("POST", "/acct/{id}", Access::Record),
    r("POST", "/people/{pn}/acct-check", Access::Record),
    r("GET", "/key-work", Access::MyPeople),
    r("GET", "/key-work/allocations", Access::KeyWorkAllocation),
    r("POST", "/key-work/allocations", Access::ManageKeyWork),
    r("GET", "/people/{pn}/key-work", Access::KeyWork),
    r("POST", "/people/{pn}/key-work", Access::KeyWork),
    r("GET", "/training", Access::Training),
    r("POST", "/training", Access::RecordTraining),
    r("GET", "/people/{pn}/temporary-release", Access::TemporaryRelease),
    r("POST", "/people/{pn}/temporary-release", Access::TemporaryRelease),
    r("GET", "/people/{pn}/family", Access::Family),
    r("POST", "/people/{pn}/family", Access::Family),
    r("GET", "/mbu", Access::Mbu),
    r("GET", "/mbu/{pn}", Access::Mbu),
    r("POST", "/mbu/{pn}", Access::Mbu),
    r("GET", "/listeners", Access::PeerSupport),
    r("GET", "/listeners/requests/{id}", Access::PeerSupport),
    r("POST", "/listeners/requests/{id}", Access::PeerSupport),
    r("GET", "/people/{pn}/peer-supporter", Access::PeerSupport),
    r("POST", "/people/{pn}/peer-supporter", Access::PeerSupport),
    r("GET", "/people/{pn}/listener", Access::Record),
    r("POST", "/people/{pn}/listener", Access::Record),
    r("GET", "/people/{pn}/kiosk-pin", Access::KioskPin),
    r("POST", "/people/{pn}/kiosk-pin", Access::KioskPin),
    r("GET", "/people/{pn}/information", Access::Information),
    r("POST", "/people/{pn}/information", Access::Information),
    r("GET", "/people/{pn}/requests", Access::Record),
    r("POST", "/people/{pn}/requests", Access::Record),
    r("GET", "/requests", Access::Requests),
    r("GET", "/requests/{id}", Access::Requests),
    r("POST", "/requests/{id}", Access::AnswerRequests),
    r("GET", "/people/{pn}/complaint", Access::Record),
    r("POST", "/people/{pn}/complaint", Access::Record),
    r("GET", "/complaints", Access::Complaints),
    r("GET", "/complaints/{id}", Access::Complaints),
    r("POST", "/complaints/{id}", Access::Complaints),
    r("GET", "/scrutiny", Access::Scrutiny),
    r("POST", "/scrutiny", Access::DrawScrutiny),
    r("GET", "/scrutiny/{id}", Access::Scrutiny),
    r("POST", "/scrutiny/{id}", Access::Scrutiny),
    r("GET", "/scrutiny/{id}/export.csv", Access::Scrutiny),
    r("GET", "/equality-team", Access::EqualityTeam),
    r("POST", "/equality-team", Access::RecordEqualityWork),
    r("GET", "/festivals", Access::EqualityTeam),
    r("POST", "/festivals", Access::RecordEqualityWork),
    r("GET", "/directory", Access::Directory),
    r("POST", "/directory", Access::RecordEqualityWork),
    r("GET", "/people/{pn}/directory", Access::Record),
    r("POST", "/people/{pn}/directory", Access::Record),
    r("GET", "/regime", Access::EqualityTeam),
    r("POST", "/regime", Access::RecordEqualityWork),
    r("GET", "/equality-objectives", Access::EqualityTeam),
    r("POST", "/equality-objectives", Access::RecordEqualityWork),
    r("GET", "/experts-by-experience", Access::EqualityTeam),
    r("POST", "/experts-by-experience", Access::RecordEqualityWork),
    r("GET", "/annual-reports", Access::AnnualReports),
    r("POST", "/annual-reports", Access::DraftAnnualReport),
    r("GET", "/annual-reports/{id}", Access::AnnualReports),
    r("POST", "/annual-reports/{id}", Access::AnnualReports),
    r("GET", "/annual-reports/{id}/preview", Access::AnnualReports),
    r("GET", "/published-reports", Access::Anyone),
    r("GET", "/published-reports/{id}", Access::Anyone),
    r("GET", "/published-reports/{id}/{file}", Access::Anyone),
    r("GET", "/reports/proms", Access::Reports),
    r("GET", "/people/{pn}/transfer", Access::Transfer),
    r("POST", "/people/{pn}/transfer", Access::Transfer),
    r("GET", "/people/{pn}/transfer-record", Access::TransferRecord),
    r("GET", "/transfers/import", Access::TransferRecord),
    r("POST", "/transfers/import", Access::TransferRecord),
    r("GET", "/people/{pn}/arrival", Access::Arrival),
    r("POST", "/people/{pn}/arrival", Access::Arrival),
    r("GET", "/people/{pn}/release", Access::Release),
    r("POST", "/people/{pn}/release", Access::Release),
    r("GET", "/release", Access::ReleaseBoard),
    r("GET", "/community-records", Access::CommunityRecords),
    r("POST", "/community-records", Access::CommunityRecords),
    r("GET", "/kiosk/sign-in", Access::KioskOpen),
    r("POST", "/kiosk/sign-in", Access::KioskOpen),
    r("POST", "/kiosk/sign-out", Access::Kiosk),
    r("GET", "/kiosk", Access::Kiosk),
    r("GET", "/kiosk/keep-alive", Access::Kiosk),
    r("POST", "/kiosk/settings", Access::Kiosk),
    r("GET", "/kiosk/information", Access::Kiosk),
    r("GET", "/kiosk/information/{item}", Access::Kiosk),
    r("POST", "/kiosk/information/{item}", Access::Kiosk),
    r("GET", "/kiosk/complaints", Access::Kiosk),
    r("GET", "/kiosk/complaints/new", Access::Kiosk),
    r("POST", "/kiosk/complaints", Access::Kiosk),
    r("GET", "/kiosk/complaints/{id}", Access::Kiosk),
    r("POST", "/kiosk/complaints/{id}", Access::Kiosk),
    r("GET", "/kiosk/requests", Access::Kiosk),
    r("GET", "/kiosk/requests/new", Access::Kiosk),
    r("POST", "/kiosk/requests", Access::Kiosk),
    r("GET", "/kiosk/requests/{id}", Access::Kiosk),
    r("GET", "/kiosk/help", Access::Kiosk),
    r("POST", "/kiosk/help", Access::Kiosk),
    r("GET", "/kiosk/me", Access::Kiosk),
    r("GET", "/kiosk/me/{characteristic}", Access::Kiosk),
    r("POST", "/kiosk/me/{characteristic}", Access::Kiosk),
    r("GET", "/kiosk/api/requests", Access::Kiosk),
    r("GET", "/kiosk/api/requests/{id}", Access::Kiosk),
    r("GET", "/kiosk/release", Access::Kiosk),
    r("GET", "/api/v1/worklist", Access::Worklist),
    r("GET", "/api/v1/people", Access::People),
    r("GET", "/api/v1/people/{pn}", Access::People),
    r("GET", "/api/v1/people/{pn}/events", Access::People),
    r("POST", "/api/v1/people/{pn}/events", Access::Record),
    r("GET", "/api/v1/people/{pn}/transfer-record", Access::TransferRecord),
    r("POST", "/api/v1/transfer-records", Access::TransferRecord),
    r("POST", "/api/v1/community-records", Access::CommunityRecords),
];

/// The header's links, in order. Each is shown only to roles its route lets in, so nobody is
/// offered a link that answers "you do not have permission".
pub const NAVIGATION: &[(&str, &str)] = &[
    ("/", "Home"),
    ("/people", "Find a person"),
    ("/reception", "Reception"),
    ("/key-work", "My people"),
    ("/key-work/allocations", "Key work allocation"),
    ("/training", "Training"),
    ("/worklist", "Worklist"),
    ("/referrals", "Referrals"),
    ("/hospital-transfers", "Hospital transfers"),
    ("/acct", "ACCT register"),
    ("/listeners", "Listeners"),
    ("/mbu", "MBU register"),
    ("/requests", "Requests"),
    ("/complaints", "Complaints"),
    ("/scrutiny", "Scrutiny"),
    ("/equality-team", "Equality team"),
    ("/equality-objectives", "Objectives"),
    ("/experts-by-experience", "Experts by experience"),
    ("/annual-reports", "Annual report"),
    ("/festivals", "Festivals"),
    ("/directory", "Directory"),
    ("/release", "Release board"),
    ("/community-records", "Community records"),
    ("/transfers/import", "Import a record"),
    ("/caseload", "Caseload"),
    ("/reports/standards", "Standards"),
    ("/reports/equality", "Equality"),
    ("/findings", "Findings"),
    ("/reports/proms", "Outcome measures"),
];

impl Role {
    /// The header links this role may follow.
    pub fn navigation(self) -> Vec<(&'static str, &'static str)> {
        NAVIGATION.iter().copied().filter(|(href, _)| route("GET", href).is_some_and(|r| self.can(r.access))).collect()
    }
}

pub fn route(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}
