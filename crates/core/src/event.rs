//! The typed events that make up a person's timeline, and the rules each one carries on its own.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::characteristics::{Characteristic, Declaration};
use crate::code_set;
use crate::communication::{CommunicationProfile, FamilyContact, FamilyInvolvement, Format, Language, Understood};
use crate::ids::{EstablishmentCode, EventId, PrisonNumber, StaffRef};
use crate::time::{TimeRule, check_date_ahead, check_occurred_recorded, date_in_england};

code_set! {
    pub enum ReceptionType as "reception type" {
        New = "NEW": "New reception",
        Recall = "RECALL": "Recall",
        TransferIn = "TRANSFER_IN": "Transfer in",
    }
}

code_set! {
    pub enum LegalStatus as "legal status" {
        Remand = "REMAND": "Remand (untried)",
        ConvictedUnsentenced = "CONVICTED_UNSENTENCED": "Convicted, awaiting sentence",
        Sentenced = "SENTENCED": "Sentenced",
        Recalled = "RECALLED": "Recalled",
        CivilOrImmigration = "CIVIL": "Civil or immigration detainee",
    }
}

code_set! {
    pub enum ReleaseType as "release type" {
        Conditional = "CONDITIONAL": "Conditional or licence release",
        EndOfSentence = "END_OF_SENTENCE": "End of sentence",
        Bail = "BAIL": "Bail",
        Court = "COURT": "Released at court",
        Deported = "DEPORTED": "Deported or removed",
        Other = "OTHER": "Other release",
    }
}

code_set! {
    /// Screening and assessment instruments. PHQ-9 and GAD-7 are free to reproduce (credit line in docs).
    pub enum Instrument as "instrument" {
        ReceptionFirstStage = "RECEPTION_FIRST_STAGE": "First-stage reception health screen (NICE NG57)",
        MentalHealthRescreen = "MENTAL_HEALTH_RESCREEN": "Mental health re-screen",
        Phq9 = "PHQ9": "PHQ-9",
        Gad7 = "GAD7": "GAD-7",
        SuicideRiskAssessment = "SUICIDE_RISK": "Suicide risk assessment",
    }
}

code_set! {
    pub enum ScreeningOutcome as "screening outcome" {
        NoConcerns = "NO_CONCERNS": "No concerns",
        Refer = "REFER": "Referral indicated",
        Urgent = "URGENT": "Urgent action needed",
    }
}

code_set! {
    /// Services a person can be referred to, in healthcare and beyond.
    pub enum Service as "service" {
        PrimaryMentalHealth = "PRIMARY_MENTAL_HEALTH": "Primary mental health care",
        InReach = "IN_REACH": "Mental health in-reach",
        Psychiatry = "PSYCHIATRY": "Psychiatry",
        Psychology = "PSYCHOLOGY": "Psychology",
        SubstanceMisuse = "SUBSTANCE_MISUSE": "Substance misuse",
        LearningDisability = "LEARNING_DISABILITY": "Learning disability",
        HospitalTransfer = "HOSPITAL_TRANSFER": "Hospital transfer (Mental Health Act s47/48)",
        Counselling = "COUNSELLING": "Counselling",
        Chaplaincy = "CHAPLAINCY": "Chaplaincy",
        VoluntarySector = "VOLUNTARY_SECTOR": "Voluntary sector",
    }
}

code_set! {
    /// How soon a referral must be seen (the NHS Mental Health Services Data Set's four priorities).
    pub enum Priority as "priority" {
        Routine = "ROUTINE": "Routine",
        Urgent = "URGENT": "Urgent",
        VeryUrgent = "VERY_URGENT": "Very urgent",
        Emergency = "EMERGENCY": "Emergency",
    }
}

impl Default for Priority {
    fn default() -> Self {
        Self::Routine
    }
}

code_set! {
    /// Why a transfer to hospital is waiting (recorded as often as it changes).
    pub enum DelayReason as "delay reason" {
        AwaitingAssessment = "AWAITING_ASSESSMENT": "Waiting for a psychiatric assessment",
        DisputedNeed = "DISPUTED_NEED": "Assessors disagree about the need for hospital",
        NoBed = "NO_BED": "No suitable bed",
        Funding = "FUNDING": "Commissioning or funding not agreed",
        AwaitingWarrant = "AWAITING_WARRANT": "Waiting for the Ministry of Justice warrant",
        Escort = "ESCORT": "Escort or transport not available",
        Other = "OTHER": "Another reason",
    }
}

code_set! {
    /// Where a medicine was heard of, or checked against.
    pub enum MedicineSource as "medicine source" {
        Person = "PERSON": "The person told us",
        Escort = "ESCORT": "Person Escort Record or property",
        CommunityRecord = "COMMUNITY_RECORD": "Community GP record (summary care record)",
        Prison = "PRISON": "Record from the previous prison",
        Hospital = "HOSPITAL": "Hospital discharge summary",
    }
}

code_set! {
    /// Medicines given to a person leaving, on transfer or release (NICE QS156 statement 5).
    pub enum Supply as "medicines supply" {
        SevenDays = "SEVEN_DAYS": "At least 7 days' medicines",
        TwentyEightDays = "TWENTY_EIGHT_DAYS": "28 days' medicines",
        Prescription = "PRESCRIPTION": "A prescription (FP10)",
        NoneNeeded = "NONE_NEEDED": "No medicines needed",
    }
}

code_set! {
    pub enum Occasion as "occasion" {
        Transfer = "TRANSFER": "Transfer to another prison",
        Release = "RELEASE": "Release",
    }
}

code_set! {
    /// Peer support schemes run in prisons in England and Wales (research/pathways.md section 2).
    pub enum PeerScheme as "peer support scheme" {
        Listener = "LISTENER": "Listener (trained by Samaritans)",
        Insider = "INSIDER": "Insider (reception and first night)",
        HealthTrainer = "HEALTH_TRAINER": "Health trainer",
        HealthcareRepresentative = "HEALTHCARE_REP": "Healthcare representative",
        PeerMentor = "PEER_MENTOR": "Peer mentor",
        InformationDesk = "INFORMATION_DESK": "Prisoner information desk worker",
        ResettlementAdviser = "RESETTLEMENT_ADVISER": "Resettlement peer adviser",
    }
}

code_set! {
    /// Why a peer supporter stopped.
    pub enum StandDownReason as "reason for stopping" {
        Chose = "CHOSE": "Chose to stop",
        Scheme = "SCHEME": "Stood down by the scheme",
        Left = "LEFT": "Left this prison",
        Other = "OTHER": "Another reason",
    }
}

code_set! {
    /// A background a person may choose to share, to be matched with a Listener who shares it
    /// (only with both people's consent).
    pub enum SharedBackground as "shared background" {
        Language = "LANGUAGE": "Language",
        Faith = "FAITH": "Faith or belief",
        Ethnicity = "ETHNICITY": "Ethnicity",
        GypsyTraveller = "GYPSY_TRAVELLER": "Being a Gypsy, Roma or Traveller",
        Mother = "MOTHER": "Being a mother",
    }
}

code_set! {
    /// What a person asked for: a Listener in person, or the Samaritans phone line.
    pub enum SupportAsked as "support asked for" {
        Listener = "LISTENER": "A Listener",
        Samaritans = "SAMARITANS": "The Samaritans phone line",
    }
}

code_set! {
    /// Why a request ended without the support: the person's own choice or move, so the standard does not apply.
    pub enum WithdrawnReason as "reason withdrawn" {
        NoLongerWanted = "NO_LONGER_WANTED": "No longer wanted",
        Left = "LEFT": "Moved or released first",
    }
}

code_set! {
    /// Why the prison did not give the support asked for: each is a breach of the standard.
    pub enum NotMetReason as "reason not met" {
        NoneAvailable = "NONE_AVAILABLE": "No Listener was available",
        NoStaff = "NO_STAFF": "No staff to unlock or escort",
        NoPhone = "NO_PHONE": "No phone available",
        Other = "OTHER": "Another reason",
    }
}

code_set! {
    /// The outcome of the risk assessment behind a temporary release decision.
    pub enum ReleaseRisk as "risk assessment outcome" {
        Low = "LOW": "Low risk",
        Medium = "MEDIUM": "Medium risk",
        High = "HIGH": "High risk",
    }
}

code_set! {
    /// How often a person on an ACCT is observed, as set at a case review (day and night apart).
    pub enum ObservationLevel as "observation level" {
        Constant = "CONSTANT": "Constant supervision",
        Every15Minutes = "EVERY_15_MIN": "At least every 15 minutes",
        Every30Minutes = "EVERY_30_MIN": "At least every 30 minutes",
        Hourly = "HOURLY": "At least once an hour",
        TwoHourly = "TWO_HOURLY": "At least every 2 hours",
        FourHourly = "FOUR_HOURLY": "At least every 4 hours",
    }
}

impl ObservationLevel {
    /// The longest gap between observations the level allows; None for constant supervision,
    /// which is not recorded observation by observation.
    pub fn max_gap_minutes(self) -> Option<i64> {
        match self {
            Self::Constant => None,
            Self::Every15Minutes => Some(15),
            Self::Every30Minutes => Some(30),
            Self::Hourly => Some(60),
            Self::TwoHourly => Some(120),
            Self::FourHourly => Some(240),
        }
    }
}

code_set! {
    /// Something that should prompt an immediate ACCT case review (the plan's triggers).
    pub enum AcctTrigger as "ACCT trigger" {
        BadNews = "BAD_NEWS": "Bad news (a bereavement, a relationship ending)",
        MbuRefused = "MBU_REFUSED": "A Mother and Baby Unit place refused",
        CourtDate = "COURT_DATE": "A court date or sentence",
        Anniversary = "ANNIVERSARY": "An anniversary (of a bereavement or an offence)",
        Transfer = "TRANSFER": "A transfer, or news of one",
        Segregation = "SEGREGATION": "Segregation",
        WarningSign = "WARNING_SIGN": "A warning sign in the person's plan",
        Other = "OTHER": "Something else",
    }
}

code_set! {
    pub enum SelfHarmMethod as "self-harm method" {
        Cutting = "CUTTING": "Cutting or scratching",
        Ligature = "LIGATURE": "Ligature",
        Overdose = "OVERDOSE": "Overdose or swallowing",
        Burning = "BURNING": "Burning",
        Head = "HEAD_BANGING": "Head banging or hitting",
        Other = "OTHER": "Another method",
    }
}

code_set! {
    pub enum InjurySeverity as "injury severity" {
        None = "NONE": "No injury",
        Minor = "MINOR": "Minor: treated on the wing",
        Healthcare = "HEALTHCARE": "Treated by healthcare",
        Hospital = "HOSPITAL": "Taken to hospital",
    }
}

/// What a case review decides: who came, the levels set day and night, and the next review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcctReview {
    pub case_manager: StaffRef,
    /// Who attended, in words ("wing officer, chaplain, the person's Listener").
    pub attended: String,
    pub healthcare_present: bool,
    pub person_present: bool,
    /// Family took part: only with the person's consent, recorded as their family of choice.
    #[serde(default)]
    pub family_involved: bool,
    pub observations_day: ObservationLevel,
    pub observations_night: ObservationLevel,
    pub conversations_day: u8,
    pub conversations_night: u8,
    pub next_review: Date,
    /// The person's triggers and warning signs, as reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<String>,
}

code_set! {
    pub enum MhaSection as "Mental Health Act section" {
        S47 = "S47": "Section 47 (sentenced)",
        S48 = "S48": "Section 48 (remand or unsentenced)",
    }
}

code_set! {
    pub enum MbuOutcome as "MBU decision" {
        Approved = "APPROVED": "Place approved",
        Refused = "REFUSED": "Refused",
        Withdrawn = "WITHDRAWN": "Withdrawn",
    }
}

code_set! {
    /// Why a key worker stops being a person's key worker (the HMPPS keyworker-api's reasons, in words).
    pub enum DeallocationReason as "deallocation reason" {
        KeyWorkerUnavailable = "KEY_WORKER_UNAVAILABLE": "The key worker is on long-term absence or has left the role",
        PersonAsked = "PERSON_ASKED": "The person asked for a different key worker",
        Rebalancing = "REBALANCING": "Caseloads rebalanced",
        Transferred = "TRANSFERRED": "The person has moved prison",
        Released = "RELEASED": "The person has been released",
        Other = "OTHER": "Another reason",
    }
}

code_set! {
    /// A date in a person's legal case that weighs on them.
    pub enum Hearing as "hearing" {
        Court = "COURT": "Court date",
        Parole = "PAROLE": "Parole hearing",
    }
}

code_set! {
    /// How a person was in touch with someone in their family of choice.
    pub enum ContactMode as "kind of contact" {
        Visit = "VISIT": "Visit",
        Call = "CALL": "Phone call",
        VideoCall = "VIDEO_CALL": "Video call",
        Letter = "LETTER": "Letter or email",
    }
}

code_set! {
    pub enum RequestCategory as "request category" {
        Health = "HEALTH": "Physical health",
        MentalHealth = "MENTAL_HEALTH": "Mental health",
        Faith = "FAITH": "Faith or belief",
        Diet = "DIET": "Diet",
        Culture = "CULTURE": "Culture or products",
        Family = "FAMILY": "Family and visits",
        Equality = "EQUALITY": "Equality",
        Information = "INFORMATION": "Information in another format",
        Other = "OTHER": "Other",
    }
}

code_set! {
    pub enum RequestOutcome as "request outcome" {
        Granted = "GRANTED": "Granted",
        PartlyGranted = "PARTLY_GRANTED": "Partly granted",
        Declined = "DECLINED": "Declined",
        Referred = "REFERRED": "Referred on",
    }
}

code_set! {
    /// Who reported a discrimination incident (a DIRF may come from anyone who saw it).
    pub enum ComplaintReporter as "reporter" {
        Person = "PERSON": "The person it happened to",
        Witness = "WITNESS": "A witness in prison",
        Staff = "STAFF": "A member of staff",
        Visitor = "VISITOR": "A visitor",
    }
}

code_set! {
    /// What the investigation of a discrimination complaint found.
    pub enum ComplaintFinding as "finding" {
        Upheld = "UPHELD": "Upheld",
        PartlyUpheld = "PARTLY_UPHELD": "Partly upheld",
        NotUpheld = "NOT_UPHELD": "Not upheld",
    }
}

impl ComplaintFinding {
    pub fn upheld(self) -> bool {
        self != Self::NotUpheld
    }
}

code_set! {
    /// The plan a referral to a voluntary, community or arts service is part of.
    pub enum PlanKind as "plan" {
        AcctCarePlan = "ACCT_CARE_PLAN": "ACCT care plan",
        KeyWork = "KEY_WORK": "Key work",
        ReleasePlan = "RELEASE_PLAN": "Release plan",
        Referral = "REFERRAL": "Health referral",
        Other = "OTHER": "None of these",
    }
}

code_set! {
    pub enum IncentiveLevel as "incentive level" {
        Basic = "BASIC": "Basic",
        Standard = "STANDARD": "Standard",
        Enhanced = "ENHANCED": "Enhanced",
    }
}

code_set! {
    pub enum TemporaryReleasePurpose as "temporary release purpose" {
        Funeral = "FUNERAL": "Funeral",
        DyingRelative = "DYING_RELATIVE": "Visit a dying relative",
        Family = "FAMILY": "Family ties",
        Resettlement = "RESETTLEMENT": "Resettlement",
        Other = "OTHER": "Other",
    }
}

code_set! {
    pub enum Activity as "activity" {
        Education = "EDUCATION": "Education",
        Work = "WORK": "Work",
        Gym = "GYM": "Gym and sport",
        Arts = "ARTS": "Arts",
        Faith = "FAITH": "Faith",
        SharedReading = "SHARED_READING": "Shared reading",
        PeerSupport = "PEER_SUPPORT": "Peer support",
        Other = "OTHER": "Other activity",
    }
}

code_set! {
    /// What a release plan must resolve before the final 12 weeks.
    pub enum ReleasePlanItem as "release plan item" {
        Accommodation = "ACCOMMODATION": "Somewhere to live",
        GpRegistration = "GP_REGISTRATION": "Registered with a GP",
        Medication = "MEDICATION": "Medication on release",
        Benefits = "BENEFITS": "Benefits and money",
        EmploymentEducation = "EMPLOYMENT_EDUCATION": "Work or education",
        CommunityMentalHealth = "COMMUNITY_MENTAL_HEALTH": "Handover to community mental health services",
        SubstanceMisuse = "SUBSTANCE_MISUSE": "Substance misuse support",
        IdDocuments = "ID_DOCUMENTS": "Identity documents",
        Family = "FAMILY": "Family and relationships",
        SocialCare = "SOCIAL_CARE": "Social care needs assessed",
    }
}

code_set! {
    /// Who reviews a person arriving on transfer: healthcare always, safer custody when an ACCT
    /// is open (the report: a distinctive response at reception to people who have moved).
    pub enum ArrivalReviewer as "arrival reviewer" {
        Healthcare = "HEALTHCARE": "Healthcare",
        SaferCustody = "SAFER_CUSTODY": "Safer custody",
    }
}

/// What happened. Every kind is typed; the wire form is `{"kind": ..., "details": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    Reception {
        establishment: EstablishmentCode,
        reception_type: ReceptionType,
        legal_status: LegalStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_release: Option<Date>,
    },
    LegalStatusChanged {
        legal_status: LegalStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_release: Option<Date>,
    },
    LocationChanged {
        location: String,
    },
    TransferOut {
        to_establishment: EstablishmentCode,
    },
    Release {
        release_type: ReleaseType,
    },
    /// A screening: the answers, the instrument version asked, and the result computed from the
    /// answers by `instruments` (never taken as given). Without a result it is not yet scored.
    ScreeningCompleted {
        instrument: Instrument,
        #[serde(default = "first_version")]
        version: u16,
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        answers: crate::instruments::Answers,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<ScreeningOutcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        band: Option<String>,
        /// A rule asked for a same-day suicide-risk assessment (PHQ-9 question 9 above 0...).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        suicide_risk: bool,
        /// The reception screen found a critical medicine that must not be missed (same day).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        critical_medication: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        suggested: Vec<Service>,
    },
    /// The second-stage health assessment (NICE QS156 statement 2).
    HealthAssessmentCompleted {},
    ReferralMade {
        service: Service,
        #[serde(default)]
        priority: Priority,
        /// Asked for by the person (from the kiosk or on paper), not by staff.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        self_referral: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    ReferralTriaged {
        referral: EventId,
    },
    ReferralAccepted {
        referral: EventId,
    },
    ReferralDeclined {
        referral: EventId,
        reason: String,
    },
    /// First seen by the service: the first assessment the priority's standard counts to.
    ReferralSeen {
        referral: EventId,
    },
    ReferralDischarged {
        referral: EventId,
    },
    /// The first psychiatric assessment for a transfer to hospital.
    HospitalTransferAssessed {
        referral: EventId,
    },
    HospitalSecondAssessment {
        referral: EventId,
    },
    HospitalBedIdentified {
        referral: EventId,
        hospital: String,
    },
    HospitalWarrantIssued {
        referral: EventId,
        section: MhaSection,
    },
    HospitalTransferDelayed {
        referral: EventId,
        reason: DelayReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    TransferredToHospital {
        referral: EventId,
        section: MhaSection,
    },
    /// A medicine the person takes, as found at reception or later.
    MedicineReported {
        name: String,
        dose: String,
        critical: bool,
        source: MedicineSource,
    },
    MedicineConfirmed {
        medicine: EventId,
        against: MedicineSource,
    },
    /// A dose given; with `medicine`, the first dose of a medicine reported.
    MedicationGiven {
        critical: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        medicine: Option<EventId>,
    },
    /// Medicines reconciliation (NICE NG57: before the second-stage assessment).
    MedicinesReconciled {},
    MedicinesSupplied {
        occasion: Occasion,
        supply: Supply,
    },
    KeyWorkerAllocated {
        key_worker: StaffRef,
        /// Why the key worker takes someone beyond the caseload cap: required then, and only then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        over_cap_reason: Option<String>,
    },
    KeyWorkerDeallocated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<DeallocationReason>,
    },
    KeyWorkSession {
        key_worker: StaffRef,
        minutes: u16,
        /// A line on what was talked about; the detail stays in the case notes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A court date or parole hearing coming up: a hard day the key worker checks in before.
    HearingScheduled {
        hearing: Hearing,
        on: Date,
    },
    MbuBookletGiven {
        format: Format,
    },
    MbuOfficerVisit {
        officer: StaffRef,
    },
    MbuVisitRequested {},
    /// The MBU officer who is hers: her single point of contact through the process.
    MbuOfficerNamed {
        officer: StaffRef,
    },
    /// A child of hers in the community, by date of birth: the MBU criterion (under 18 months)
    /// is then worked out from the date, not from a declaration that goes out of date.
    ChildRecorded {
        date_of_birth: Date,
    },
    MbuApplicationMade {},
    MbuDecision {
        application: EventId,
        outcome: MbuOutcome,
        /// When the admission board (with its independent chair) met; the governor decides on
        /// its recommendation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        board_on: Option<Date>,
    },
    /// She appeals a refusal; the appeal is decided like an application.
    MbuAppealMade {
        decision: EventId,
    },
    MbuAppealDecided {
        appeal: EventId,
        outcome: MbuOutcome,
    },
    /// Admitted to a unit: `temporary` while the process is held up (policy framework Part B).
    MbuAdmitted {
        unit: EstablishmentCode,
        temporary: bool,
    },
    MbuLeft {},
    /// The plan for separation agreed with her, before a child reaches 18 months.
    MbuSeparationPlanAgreed {},
    InformationGiven {
        item: String,
        format: Format,
        language: Language,
        understood: Understood,
        /// The person's own check on the kiosk ("did this make sense?"), not a member of staff's.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        from_kiosk: bool,
    },
    /// A request the person makes (on the kiosk, or on paper recorded by staff): one open request
    /// of each category at a time, as the HMPPS applications service allows.
    RequestRaised {
        category: RequestCategory,
        confidential: bool,
        /// What they ask for, in their own words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// Raised in the first night or early days: answered first.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        first_night: bool,
        /// Made by the person on the kiosk rather than recorded by staff.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        from_kiosk: bool,
    },
    /// Staff have started on a request (status "in progress").
    RequestProgressed {
        request: EventId,
    },
    RequestAnswered {
        request: EventId,
        outcome: RequestOutcome,
        /// What the person is told, in plain words; needed unless the request is granted in full.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    SelfHarmIncident {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<SelfHarmMethod>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<InjurySeverity>,
    },
    /// An ACCT opened by any member of staff: the concern in their words and what they did.
    AcctOpened {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        concern: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        immediate_action: Option<String>,
    },
    /// Opening an ACCT was considered (after self-harm) and decided against, and why.
    AcctConsidered {
        reason: String,
    },
    AcctCaseManagerNamed {
        acct: EventId,
        case_manager: StaffRef,
    },
    AcctAssessmentInterview {
        acct: EventId,
        assessor: StaffRef,
    },
    /// A case review. Older records carry neither link nor decisions.
    AcctReviewed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acct: Option<EventId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<AcctReview>,
    },
    AcctCarePlanAction {
        acct: EventId,
        issue: String,
        goal: String,
        action: String,
        owner: String,
        due: Date,
    },
    AcctCarePlanActionDone {
        action: EventId,
    },
    /// One entry in the ongoing record: an observation, or a conversation. Never its content.
    AcctObservation {
        acct: EventId,
        conversation: bool,
    },
    AcctTriggerRecorded {
        acct: EventId,
        trigger: AcctTrigger,
    },
    AcctClosed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acct: Option<EventId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    AcctPostClosureReview {
        acct: EventId,
    },
    /// On the peer supporter's own timeline: trained for a scheme.
    PeerSupporterTrained {
        scheme: PeerScheme,
        trained_on: Date,
    },
    PeerSupporterStoodDown {
        scheme: PeerScheme,
        reason: StandDownReason,
    },
    /// A peer supporter's consent to be matched by these backgrounds; each replaces the last, and
    /// an empty list withdraws it.
    PeerMatchingConsent {
        backgrounds: Vec<SharedBackground>,
    },
    /// A person asked for a Listener or the Samaritans. Only the fact and the time: never why,
    /// never what was said (a Listener's confidentiality is the Samaritans').
    ListenerRequested {
        asked: SupportAsked,
        /// Backgrounds the person chose to share, to be matched by: their consent, for this request.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        match_on: Vec<SharedBackground>,
    },
    /// The support came (at the event's time): which Listener, for the coordinator's rota only.
    ListenerRequestMet {
        request: EventId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        listener: Option<PrisonNumber>,
    },
    ListenerRequestWithdrawn {
        request: EventId,
        reason: WithdrawnReason,
    },
    ListenerRequestNotMet {
        request: EventId,
        reason: NotMetReason,
    },
    UseOfForce {
        planned: bool,
    },
    IncentiveLevelChanged {
        level: IncentiveLevel,
    },
    Adjudication {
        proven: bool,
    },
    TemporaryReleaseRequested {
        purpose: TemporaryReleasePurpose,
    },
    TemporaryReleaseDecided {
        request: EventId,
        granted: bool,
        /// The risk assessment's outcome and the reason for the decision, in words the person is
        /// given; absent from records made before they were asked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        risk: Option<ReleaseRisk>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    ActivityAttended {
        activity: Activity,
        minutes: u16,
        /// The voluntary, community or arts service that ran it, from the establishment's directory.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<EventId>,
    },
    /// Time unlocked out of cell on one day, from the regime record.
    TimeOutOfCell {
        on: Date,
        minutes: u16,
    },
    /// Referred to a service in the establishment's directory, as part of a plan, with consent.
    ServiceReferral {
        service: EventId,
        part_of: PlanKind,
        /// The person agreed to be referred (and to what the service is told).
        consented: bool,
    },
    /// A discrimination incident report (DIRF): on the timeline of the person it happened to.
    /// Older records carry only the characteristic.
    DiscriminationComplaintRaised {
        /// The protected characteristic it is mainly about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        characteristic: Option<Characteristic>,
        /// Any other characteristics concerned.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        also: Vec<Characteristic>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reporter: Option<ComplaintReporter>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        what_happened: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        happened_on: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        place: Option<String>,
        /// Who was involved, in the reporter's words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        involved: Option<String>,
        /// Members of staff the complaint names: none of them may read it or investigate it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        staff_named: Vec<StaffRef>,
        /// What the reporter wants to happen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wants: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        from_kiosk: bool,
    },
    DiscriminationComplaintAcknowledged {
        complaint: EventId,
    },
    /// Staff a complaint names, identified by the equality team (from a kiosk report's own words):
    /// from then on they cannot read, investigate or check it.
    DiscriminationStaffIdentified {
        complaint: EventId,
        staff: Vec<StaffRef>,
    },
    /// The investigator: someone the complaint does not name.
    DiscriminationInvestigatorNamed {
        complaint: EventId,
        investigator: StaffRef,
    },
    /// The investigation's finding and the response in plain words. Older records carry `upheld` only.
    DiscriminationComplaintAnswered {
        complaint: EventId,
        upheld: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        finding: Option<ComplaintFinding>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<String>,
    },
    /// A manager's quality check of a finding: approved (and the response sent to the person),
    /// or returned to the investigator with what to look at again.
    DiscriminationAnswerChecked {
        answer: EventId,
        approved: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    DiscriminationComplaintAppealed {
        complaint: EventId,
        reason: String,
    },
    DiscriminationAppealDecided {
        appeal: EventId,
        finding: ComplaintFinding,
        response: String,
    },
    ReleasePlanItemCompleted {
        item: ReleasePlanItem,
    },
    /// Progress on a release plan item short of done: who is doing what.
    ReleasePlanItemNoted {
        item: ReleasePlanItem,
        note: String,
    },
    /// A referral to community mental-health care after custody (RECONNECT or the community
    /// team), made from 12 weeks before release.
    CommunityHandoverReferred {
        service: String,
    },
    /// The community service accepted the person before release: care continues.
    CommunityHandoverAccepted {
        referral: EventId,
    },
    /// Reviewed on arrival after a transfer, by healthcare or by safer custody.
    TransferArrivalReviewed {
        reviewer: ArrivalReviewer,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Someone in the person's family of choice, whom they agreed may be told, was told of a move.
    FamilyToldOfTransfer {
        contact: EventId,
        how: ContactMode,
    },
    /// A community service's record matched this person (from an import of its caseload):
    /// `missed` when their reception screen found no mental-health need.
    CommunityRecordMatched {
        service: String,
        known_from: Date,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        known_until: Option<Date>,
        missed: bool,
    },
    CharacteristicDeclared(Declaration),
    CommunicationRecorded(CommunicationProfile),
    FamilyContactNamed(FamilyContact),
    FamilyContactChanged {
        contact: EventId,
        involvement: FamilyInvolvement,
        /// Absent in records made before it was asked: unchanged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        told_of_transfer: Option<bool>,
    },
    FamilyContactRemoved {
        contact: EventId,
    },
    /// Someone close to the person has died: who, in the person's words, and when.
    /// A visit, call or letter with someone in the person's family of choice.
    FamilyContactMade {
        contact: EventId,
        how: ContactMode,
    },
    BereavementRecorded {
        relationship: String,
        died_on: Date,
    },
    /// Only as a correction: the superseded event should never have been recorded.
    EnteredInError {},
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("unknown event kind {0:?}")]
    UnknownKind(String),
    #[error("details are not a JSON object: {0}")]
    DetailsNotJson(String),
    #[error("details for {kind}: {reason}")]
    Details { kind: String, reason: String },
    #[error("{0}")]
    Rule(String),
}

impl EventKind {
    /// Every kind's name, as written in files (`reception`, `key_work_session`...).
    pub const NAMES: &'static [&'static str] = &[
        "reception",
        "legal_status_changed",
        "location_changed",
        "transfer_out",
        "release",
        "screening_completed",
        "health_assessment_completed",
        "referral_made",
        "referral_triaged",
        "referral_accepted",
        "referral_declined",
        "referral_seen",
        "referral_discharged",
        "hospital_transfer_assessed",
        "hospital_second_assessment",
        "hospital_bed_identified",
        "hospital_warrant_issued",
        "hospital_transfer_delayed",
        "transferred_to_hospital",
        "medicine_reported",
        "medicine_confirmed",
        "medication_given",
        "medicines_reconciled",
        "medicines_supplied",
        "key_worker_allocated",
        "key_worker_deallocated",
        "key_work_session",
        "mbu_booklet_given",
        "mbu_officer_visit",
        "mbu_visit_requested",
        "mbu_officer_named",
        "child_recorded",
        "mbu_application_made",
        "mbu_decision",
        "mbu_appeal_made",
        "mbu_appeal_decided",
        "mbu_admitted",
        "mbu_left",
        "mbu_separation_plan_agreed",
        "hearing_scheduled",
        "information_given",
        "request_raised",
        "request_progressed",
        "request_answered",
        "self_harm_incident",
        "acct_opened",
        "acct_considered",
        "acct_case_manager_named",
        "acct_assessment_interview",
        "acct_reviewed",
        "acct_care_plan_action",
        "acct_care_plan_action_done",
        "acct_observation",
        "acct_trigger_recorded",
        "acct_closed",
        "acct_post_closure_review",
        "peer_supporter_trained",
        "peer_supporter_stood_down",
        "peer_matching_consent",
        "listener_requested",
        "listener_request_met",
        "listener_request_withdrawn",
        "listener_request_not_met",
        "use_of_force",
        "incentive_level_changed",
        "adjudication",
        "temporary_release_requested",
        "temporary_release_decided",
        "activity_attended",
        "time_out_of_cell",
        "service_referral",
        "discrimination_complaint_raised",
        "discrimination_complaint_acknowledged",
        "discrimination_staff_identified",
        "discrimination_investigator_named",
        "discrimination_complaint_answered",
        "discrimination_answer_checked",
        "discrimination_complaint_appealed",
        "discrimination_appeal_decided",
        "release_plan_item_completed",
        "release_plan_item_noted",
        "community_handover_referred",
        "community_handover_accepted",
        "transfer_arrival_reviewed",
        "family_told_of_transfer",
        "community_record_matched",
        "characteristic_declared",
        "communication_recorded",
        "family_contact_named",
        "family_contact_changed",
        "family_contact_removed",
        "bereavement_recorded",
        "family_contact_made",
        "entered_in_error",
    ];

    /// Kinds whose details are clinical (screening answers and scores, referrals, transfers to
    /// hospital, medication): shown only to clinical roles.
    pub const CLINICAL: &'static [&'static str] = &[
        "screening_completed",
        "health_assessment_completed",
        "referral_made",
        "referral_triaged",
        "referral_accepted",
        "referral_declined",
        "referral_seen",
        "referral_discharged",
        "hospital_transfer_assessed",
        "hospital_second_assessment",
        "hospital_bed_identified",
        "hospital_warrant_issued",
        "hospital_transfer_delayed",
        "transferred_to_hospital",
        "medicine_reported",
        "medicine_confirmed",
        "medication_given",
        "medicines_reconciled",
        "medicines_supplied",
        "community_handover_referred",
        "community_handover_accepted",
        "community_record_matched",
    ];

    pub fn is_clinical(kind: &str) -> bool {
        Self::CLINICAL.contains(&kind)
    }

    /// Parses a kind and its details (a JSON object; empty text means `{}`), then checks its rules.
    pub fn parse(kind: &str, details: &str) -> Result<Self, EventError> {
        if !Self::NAMES.contains(&kind) {
            return Err(EventError::UnknownKind(kind.to_string()));
        }
        let details: serde_json::Value = if details.trim().is_empty() {
            serde_json::Value::Object(Default::default())
        } else {
            serde_json::from_str(details).map_err(|e| EventError::DetailsNotJson(e.to_string()))?
        };
        if !details.is_object() {
            return Err(EventError::DetailsNotJson("expected {...}".into()));
        }
        let wire = serde_json::json!({ "kind": kind, "details": details });
        let parsed: Self = serde_json::from_value(wire)
            .map_err(|e| EventError::Details { kind: kind.to_string(), reason: e.to_string() })?;
        parsed.check().map_err(EventError::Rule)?;
        Ok(parsed)
    }

    pub fn name(&self) -> &'static str {
        // The serde tag of each kind; a test checks every kind against serialisation.
        match self {
            Self::Reception { .. } => "reception",
            Self::LegalStatusChanged { .. } => "legal_status_changed",
            Self::LocationChanged { .. } => "location_changed",
            Self::TransferOut { .. } => "transfer_out",
            Self::Release { .. } => "release",
            Self::ScreeningCompleted { .. } => "screening_completed",
            Self::HealthAssessmentCompleted { .. } => "health_assessment_completed",
            Self::ReferralMade { .. } => "referral_made",
            Self::ReferralTriaged { .. } => "referral_triaged",
            Self::ReferralAccepted { .. } => "referral_accepted",
            Self::ReferralDeclined { .. } => "referral_declined",
            Self::ReferralSeen { .. } => "referral_seen",
            Self::ReferralDischarged { .. } => "referral_discharged",
            Self::HospitalTransferAssessed { .. } => "hospital_transfer_assessed",
            Self::HospitalSecondAssessment { .. } => "hospital_second_assessment",
            Self::HospitalBedIdentified { .. } => "hospital_bed_identified",
            Self::HospitalWarrantIssued { .. } => "hospital_warrant_issued",
            Self::HospitalTransferDelayed { .. } => "hospital_transfer_delayed",
            Self::TransferredToHospital { .. } => "transferred_to_hospital",
            Self::MedicineReported { .. } => "medicine_reported",
            Self::MedicineConfirmed { .. } => "medicine_confirmed",
            Self::MedicationGiven { .. } => "medication_given",
            Self::MedicinesReconciled { .. } => "medicines_reconciled",
            Self::MedicinesSupplied { .. } => "medicines_supplied",
            Self::KeyWorkerAllocated { .. } => "key_worker_allocated",
            Self::KeyWorkerDeallocated { .. } => "key_worker_deallocated",
            Self::KeyWorkSession { .. } => "key_work_session",
            Self::MbuBookletGiven { .. } => "mbu_booklet_given",
            Self::MbuOfficerVisit { .. } => "mbu_officer_visit",
            Self::MbuVisitRequested { .. } => "mbu_visit_requested",
            Self::MbuOfficerNamed { .. } => "mbu_officer_named",
            Self::ChildRecorded { .. } => "child_recorded",
            Self::MbuApplicationMade { .. } => "mbu_application_made",
            Self::MbuDecision { .. } => "mbu_decision",
            Self::MbuAppealMade { .. } => "mbu_appeal_made",
            Self::MbuAppealDecided { .. } => "mbu_appeal_decided",
            Self::MbuAdmitted { .. } => "mbu_admitted",
            Self::MbuLeft { .. } => "mbu_left",
            Self::MbuSeparationPlanAgreed { .. } => "mbu_separation_plan_agreed",
            Self::HearingScheduled { .. } => "hearing_scheduled",
            Self::InformationGiven { .. } => "information_given",
            Self::RequestRaised { .. } => "request_raised",
            Self::RequestProgressed { .. } => "request_progressed",
            Self::RequestAnswered { .. } => "request_answered",
            Self::SelfHarmIncident { .. } => "self_harm_incident",
            Self::AcctOpened { .. } => "acct_opened",
            Self::AcctConsidered { .. } => "acct_considered",
            Self::AcctCaseManagerNamed { .. } => "acct_case_manager_named",
            Self::AcctAssessmentInterview { .. } => "acct_assessment_interview",
            Self::AcctReviewed { .. } => "acct_reviewed",
            Self::AcctCarePlanAction { .. } => "acct_care_plan_action",
            Self::AcctCarePlanActionDone { .. } => "acct_care_plan_action_done",
            Self::AcctObservation { .. } => "acct_observation",
            Self::AcctTriggerRecorded { .. } => "acct_trigger_recorded",
            Self::AcctClosed { .. } => "acct_closed",
            Self::AcctPostClosureReview { .. } => "acct_post_closure_review",
            Self::PeerSupporterTrained { .. } => "peer_supporter_trained",
            Self::PeerSupporterStoodDown { .. } => "peer_supporter_stood_down",
            Self::PeerMatchingConsent { .. } => "peer_matching_consent",
            Self::ListenerRequested { .. } => "listener_requested",
            Self::ListenerRequestMet { .. } => "listener_request_met",
            Self::ListenerRequestWithdrawn { .. } => "listener_request_withdrawn",
            Self::ListenerRequestNotMet { .. } => "listener_request_not_met",
            Self::UseOfForce { .. } => "use_of_force",
            Self::IncentiveLevelChanged { .. } => "incentive_level_changed",
            Self::Adjudication { .. } => "adjudication",
            Self::TemporaryReleaseRequested { .. } => "temporary_release_requested",
            Self::TemporaryReleaseDecided { .. } => "temporary_release_decided",
            Self::ActivityAttended { .. } => "activity_attended",
            Self::TimeOutOfCell { .. } => "time_out_of_cell",
            Self::ServiceReferral { .. } => "service_referral",
            Self::DiscriminationComplaintRaised { .. } => "discrimination_complaint_raised",
            Self::DiscriminationComplaintAcknowledged { .. } => "discrimination_complaint_acknowledged",
            Self::DiscriminationStaffIdentified { .. } => "discrimination_staff_identified",
            Self::DiscriminationInvestigatorNamed { .. } => "discrimination_investigator_named",
            Self::DiscriminationComplaintAnswered { .. } => "discrimination_complaint_answered",
            Self::DiscriminationAnswerChecked { .. } => "discrimination_answer_checked",
            Self::DiscriminationComplaintAppealed { .. } => "discrimination_complaint_appealed",
            Self::DiscriminationAppealDecided { .. } => "discrimination_appeal_decided",
            Self::ReleasePlanItemCompleted { .. } => "release_plan_item_completed",
            Self::ReleasePlanItemNoted { .. } => "release_plan_item_noted",
            Self::CommunityHandoverReferred { .. } => "community_handover_referred",
            Self::CommunityHandoverAccepted { .. } => "community_handover_accepted",
            Self::TransferArrivalReviewed { .. } => "transfer_arrival_reviewed",
            Self::FamilyToldOfTransfer { .. } => "family_told_of_transfer",
            Self::CommunityRecordMatched { .. } => "community_record_matched",
            Self::CharacteristicDeclared { .. } => "characteristic_declared",
            Self::CommunicationRecorded { .. } => "communication_recorded",
            Self::FamilyContactNamed { .. } => "family_contact_named",
            Self::FamilyContactChanged { .. } => "family_contact_changed",
            Self::FamilyContactRemoved { .. } => "family_contact_removed",
            Self::BereavementRecorded { .. } => "bereavement_recorded",
            Self::FamilyContactMade { .. } => "family_contact_made",
            Self::EnteredInError { .. } => "entered_in_error",
        }
    }

    /// The details as a compact JSON object, the form files and the database hold.
    pub fn details_json(&self) -> String {
        self.details_value().to_string()
    }

    /// The details as a JSON object (`{}` for kinds without fields), for conditions and display.
    pub fn details_value(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("events always serialise");
        match v.get_mut("details").map(serde_json::Value::take) {
            Some(d) if !d.is_null() => d,
            _ => serde_json::Value::Object(Default::default()),
        }
    }

    /// Rules a single event must keep whatever else is on the timeline.
    pub fn check(&self) -> Result<(), String> {
        fn text(field: &str, v: &str, max: usize) -> Result<(), String> {
            if v.trim().is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(format!("{field} must be 1-{max} characters with no control characters"));
            }
            Ok(())
        }
        match self {
            Self::Reception { location: Some(l), .. } | Self::LocationChanged { location: l } => {
                text("location", l, 40)
            }
            // The result itself is checked against the answers by `instruments`, which knows the files.
            Self::ScreeningCompleted { instrument, critical_medication: true, .. }
                if *instrument != Instrument::ReceptionFirstStage =>
            {
                Err("critical_medication belongs to the first-stage reception screen".into())
            }
            Self::ScreeningCompleted { answers, .. } if answers.is_empty() => {
                Err("a screening needs its answers: the result is computed from them".into())
            }
            Self::ReferralMade { reason: Some(r), .. } => text("reason", r, 500),
            Self::ReferralDeclined { reason, .. } => text("reason", reason, 500),
            Self::TemporaryReleaseDecided { reason: Some(r), .. } => text("reason", r, 500),
            Self::BereavementRecorded { relationship, .. } => text("relationship", relationship, 120),
            Self::ReleasePlanItemNoted { note, .. } => text("note", note, 500),
            Self::CommunityHandoverReferred { service } => text("service", service, 120),
            Self::TransferArrivalReviewed { note: Some(n), .. } => text("note", n, 500),
            Self::CommunityRecordMatched { service, known_from, known_until, .. } => {
                text("service", service, 120)?;
                match known_until {
                    Some(u) if u < known_from => Err("known_until must not be before known_from".into()),
                    _ => Ok(()),
                }
            }
            Self::HospitalBedIdentified { hospital, .. } => text("hospital", hospital, 120),
            Self::HospitalTransferDelayed { note: Some(n), .. } => text("note", n, 500),
            Self::MedicineReported { name, dose, .. } => text("name", name, 120).and_then(|()| text("dose", dose, 120)),
            Self::AcctOpened { concern, immediate_action } => {
                concern.as_deref().map_or(Ok(()), |c| text("concern", c, 1000))?;
                immediate_action.as_deref().map_or(Ok(()), |a| text("immediate_action", a, 1000))
            }
            Self::AcctConsidered { reason } | Self::AcctClosed { reason: Some(reason), .. } => {
                text("reason", reason, 500)
            }
            Self::AcctReviewed { review: Some(r), .. } => {
                text("attended", &r.attended, 500)?;
                r.triggers.as_deref().map_or(Ok(()), |t| text("triggers", t, 1000))?;
                if r.conversations_day > 24 || r.conversations_night > 24 {
                    return Err("conversations must be 0-24 a day or a night".into());
                }
                Ok(())
            }
            Self::AcctCarePlanAction { issue, goal, action, owner, .. } => text("issue", issue, 500)
                .and_then(|()| text("goal", goal, 500))
                .and_then(|()| text("action", action, 500))
                .and_then(|()| text("owner", owner, 120)),
            Self::KeyWorkerAllocated { over_cap_reason: Some(r), .. } => text("over_cap_reason", r, 500),
            // A key work session is one conversation: a whole working day (8 hours) at most.
            Self::KeyWorkSession { minutes, note, .. } => {
                note.as_deref().map_or(Ok(()), |n| text("note", n, 500))?;
                if (1..=480).contains(minutes) { Ok(()) } else { Err(format!("minutes must be 1-480, got {minutes}")) }
            }
            Self::ActivityAttended { minutes, .. } => {
                if (1..=720).contains(minutes) {
                    Ok(())
                } else {
                    Err(format!("minutes must be 1-720, got {minutes}"))
                }
            }
            Self::TimeOutOfCell { minutes, .. } => {
                if *minutes <= 1440 {
                    Ok(())
                } else {
                    Err(format!("minutes must be 0-1440 in a day, got {minutes}"))
                }
            }
            Self::DiscriminationComplaintRaised {
                characteristic, also, what_happened, place, involved, wants, ..
            } => {
                for (name, t, max) in [
                    ("what_happened", what_happened, 4000),
                    ("place", place, 200),
                    ("involved", involved, 1000),
                    ("wants", wants, 1000),
                ] {
                    t.as_deref().map_or(Ok(()), |t| text(name, t, max))?;
                }
                if also.iter().any(|c| Some(c) == characteristic.as_ref())
                    || (1..also.len()).any(|i| also[..i].contains(&also[i]))
                {
                    return Err("also: each characteristic once".into());
                }
                if characteristic.is_none() && !also.is_empty() {
                    return Err("characteristic: name the main characteristic first".into());
                }
                Ok(())
            }
            // A finding is given to the person with its reasons: never a bare "not upheld".
            Self::DiscriminationComplaintAnswered { upheld, finding, response, .. } => {
                match response {
                    Some(r) => text("response", r, 4000)?,
                    None => return Err("response: a finding needs a response in plain words for the person".into()),
                }
                match finding {
                    Some(f) if f.upheld() != *upheld => Err("upheld: must agree with the finding".into()),
                    _ => Ok(()),
                }
            }
            Self::DiscriminationAnswerChecked { approved: false, comment: None, .. } => {
                Err("comment: say what the investigator should look at again".into())
            }
            Self::DiscriminationAnswerChecked { comment: Some(c), .. } => text("comment", c, 1000),
            Self::DiscriminationComplaintAppealed { reason, .. } => text("reason", reason, 1000),
            Self::DiscriminationStaffIdentified { staff, .. } if staff.is_empty() || staff.len() > 20 => {
                Err("staff: name 1-20 members of staff".into())
            }
            Self::DiscriminationAppealDecided { response, .. } => text("response", response, 4000),
            Self::InformationGiven { item, .. } => text("item", item, 200),
            Self::RequestRaised { detail: Some(d), .. } => text("detail", d, 1000),
            Self::RequestAnswered { outcome, reason, .. } => match reason {
                Some(r) => text("reason", r, 1000),
                None if matches!(outcome, RequestOutcome::Declined | RequestOutcome::PartlyGranted) => {
                    Err("reason: say why, in words the person will be given".into())
                }
                None => Ok(()),
            },
            Self::PeerMatchingConsent { backgrounds: b } | Self::ListenerRequested { match_on: b, .. }
                if (1..b.len()).any(|i| b[..i].contains(&b[i])) =>
            {
                Err("backgrounds: each background once".into())
            }
            Self::ListenerRequested { asked: SupportAsked::Samaritans, match_on } if !match_on.is_empty() => {
                Err("match_on: matching is for a Listener; the Samaritans line is answered by whoever is on it".into())
            }
            Self::FamilyContactNamed(contact) => contact.validate(),
            _ => Ok(()),
        }
    }

    /// A discrimination complaint with nothing but its main characteristic (as older records hold).
    pub fn complaint_about(c: Characteristic) -> Self {
        Self::DiscriminationComplaintRaised {
            characteristic: Some(c),
            also: vec![],
            reporter: None,
            what_happened: None,
            happened_on: None,
            place: None,
            involved: None,
            staff_named: vec![],
            wants: None,
            from_kiosk: false,
        }
    }

    /// The expected release this event sets, if any: a date that arrives from outside.
    pub fn expected_release(&self) -> Option<Date> {
        match self {
            Self::Reception { expected_release, .. } | Self::LegalStatusChanged { expected_release, .. } => {
                *expected_release
            }
            _ => None,
        }
    }

    /// The establishments this event names, each of which must be on record.
    pub fn establishments(&self) -> Vec<&EstablishmentCode> {
        match self {
            Self::Reception { establishment, .. } => vec![establishment],
            Self::TransferOut { to_establishment } => vec![to_establishment],
            _ => vec![],
        }
    }

    /// The earlier event this one answers, and the kinds it may answer.
    pub fn answers(&self) -> Option<(EventId, &'static [&'static str])> {
        const REFERRAL: &[&str] = &["referral_made"];
        Some(match self {
            Self::ReferralTriaged { referral }
            | Self::ReferralAccepted { referral }
            | Self::ReferralDeclined { referral, .. }
            | Self::ReferralSeen { referral }
            | Self::ReferralDischarged { referral }
            | Self::HospitalTransferAssessed { referral }
            | Self::HospitalSecondAssessment { referral }
            | Self::HospitalBedIdentified { referral, .. }
            | Self::HospitalWarrantIssued { referral, .. }
            | Self::HospitalTransferDelayed { referral, .. }
            | Self::TransferredToHospital { referral, .. } => (*referral, REFERRAL),
            Self::MedicineConfirmed { medicine, .. } | Self::MedicationGiven { medicine: Some(medicine), .. } => {
                (*medicine, &["medicine_reported"])
            }
            Self::AcctCaseManagerNamed { acct, .. }
            | Self::AcctAssessmentInterview { acct, .. }
            | Self::AcctReviewed { acct: Some(acct), .. }
            | Self::AcctCarePlanAction { acct, .. }
            | Self::AcctObservation { acct, .. }
            | Self::AcctTriggerRecorded { acct, .. }
            | Self::AcctClosed { acct: Some(acct), .. }
            | Self::AcctPostClosureReview { acct } => (*acct, &["acct_opened"]),
            Self::AcctCarePlanActionDone { action } => (*action, &["acct_care_plan_action"]),
            Self::ListenerRequestMet { request, .. }
            | Self::ListenerRequestWithdrawn { request, .. }
            | Self::ListenerRequestNotMet { request, .. } => (*request, &["listener_requested"]),
            Self::MbuDecision { application, .. } => (*application, &["mbu_application_made"]),
            Self::MbuAppealMade { decision } => (*decision, &["mbu_decision"]),
            Self::MbuAppealDecided { appeal, .. } => (*appeal, &["mbu_appeal_made"]),
            Self::RequestAnswered { request, .. } | Self::RequestProgressed { request } => {
                (*request, &["request_raised"])
            }
            Self::TemporaryReleaseDecided { request, .. } => (*request, &["temporary_release_requested"]),
            Self::DiscriminationComplaintAnswered { complaint, .. }
            | Self::DiscriminationComplaintAcknowledged { complaint }
            | Self::DiscriminationInvestigatorNamed { complaint, .. }
            | Self::DiscriminationStaffIdentified { complaint, .. }
            | Self::DiscriminationComplaintAppealed { complaint, .. } => {
                (*complaint, &["discrimination_complaint_raised"])
            }
            Self::DiscriminationAnswerChecked { answer, .. } => (*answer, &["discrimination_complaint_answered"]),
            Self::DiscriminationAppealDecided { appeal, .. } => (*appeal, &["discrimination_complaint_appealed"]),
            Self::FamilyContactChanged { contact, .. }
            | Self::FamilyContactRemoved { contact }
            | Self::FamilyContactMade { contact, .. }
            | Self::FamilyToldOfTransfer { contact, .. } => (*contact, &["family_contact_named"]),
            Self::CommunityHandoverAccepted { referral } => (*referral, &["community_handover_referred"]),
            _ => return None,
        })
    }
}

fn first_version() -> u16 {
    1
}

/// A correction: this event takes the place of an earlier one, and says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub supersedes: EventId,
    pub reason: String,
}

/// One entry on a person's timeline. Appended, never edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub person: PrisonNumber,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub recorded_by: StaffRef,
    pub correction: Option<Correction>,
    pub kind: EventKind,
}

/// What an event that another refers to is: whose, and of which kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub person: PrisonNumber,
    pub kind: &'static str,
}

impl Event {
    /// Rules on the envelope, then on the kind.
    pub fn check(&self) -> Result<(), String> {
        match (&self.correction, &self.kind) {
            (None, EventKind::EnteredInError {}) => {
                return Err("entered_in_error is only a correction: give the event it supersedes".into());
            }
            (Some(c), _) if c.supersedes == self.id => return Err("an event cannot supersede itself".into()),
            (Some(c), _) if c.reason.trim().is_empty() || c.reason.chars().count() > 500 => {
                return Err("a correction needs a reason of 1-500 characters".into());
            }
            _ => {}
        }
        self.kind.check()
    }

    /// The rule for an event's dates and times as they arrive from outside (import, API, forms),
    /// against the application's clock: the column or field at fault, and the rule it breaks.
    pub fn check_times(&self, now: Timestamp) -> Result<(), (&'static str, TimeRule)> {
        check_occurred_recorded(self.occurred_at, self.recorded_at, now).map_err(|r| (r.field(), r))?;
        let day = date_in_england(self.occurred_at);
        if let Some(d) = self.kind.expected_release() {
            check_date_ahead("expected_release", d, day).map_err(|r| ("details", r))?;
        }
        Ok(())
    }

    /// Checks the events this one points at (answered or superseded), as looked up by the caller.
    pub fn check_links(&self, lookup: impl Fn(EventId) -> Option<EventSummary>) -> Result<(), String> {
        if let Some((target, kinds)) = self.kind.answers() {
            // The field that names the event answered, so the message says which to correct.
            let id = target.to_string();
            let details = self.kind.details_value();
            let field = details
                .as_object()
                .and_then(|o| o.iter().find(|(_, v)| v.as_str() == Some(id.as_str())))
                .map_or(String::new(), |(k, _)| format!("{k}: "));
            match lookup(target) {
                None => return Err(format!("{field}it answers event {target}, which does not exist")),
                Some(t) if t.person != self.person => {
                    return Err(format!("it answers event {target}, which is on another person's timeline"));
                }
                Some(t) if !kinds.contains(&t.kind) => {
                    return Err(format!(
                        "it answers event {target}, of kind {}, but must answer {}",
                        t.kind,
                        kinds.join(" or ")
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(c) = &self.correction {
            match lookup(c.supersedes) {
                None => return Err(format!("it supersedes event {}, which does not exist", c.supersedes)),
                Some(t) if t.person != self.person => {
                    return Err(format!("it supersedes event {}, on another person's timeline", c.supersedes));
                }
                Some(t) if t.kind != self.kind.name() && self.kind != (EventKind::EnteredInError {}) => {
                    return Err(format!(
                        "a correction of a {} must be a {} or entered_in_error, not a {}",
                        t.kind,
                        t.kind,
                        self.kind.name()
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    pub fn summary(&self) -> EventSummary {
        EventSummary { person: self.person.clone(), kind: self.kind.name() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_name_parses_and_names_itself() {
        // A minimal valid details object per kind proves NAMES and the enum agree.
        let id = EventId::from_random_bytes([1; 16]).to_string();
        for name in EventKind::NAMES {
            let details = match *name {
                "reception" => r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"REMAND"}"#.to_string(),
                "legal_status_changed" => r#"{"legal_status":"SENTENCED","expected_release":"2027-01-31"}"#.into(),
                "location_changed" => r#"{"location":"A-1-01"}"#.into(),
                "transfer_out" => r#"{"to_establishment":"MDI"}"#.into(),
                "release" => r#"{"release_type":"CONDITIONAL"}"#.into(),
                "screening_completed" => r#"{"instrument":"GAD7","answers":{"q1":"2"}}"#.into(),
                "referral_made" => r#"{"service":"IN_REACH","priority":"URGENT"}"#.into(),
                "transferred_to_hospital" | "hospital_warrant_issued" => {
                    format!(r#"{{"referral":"{id}","section":"S47"}}"#)
                }
                "referral_declined" => format!(r#"{{"referral":"{id}","reason":"not for us"}}"#),
                "hospital_bed_identified" => format!(r#"{{"referral":"{id}","hospital":"Rampton"}}"#),
                "hospital_transfer_delayed" => format!(r#"{{"referral":"{id}","reason":"NO_BED"}}"#),
                "referral_triaged"
                | "referral_accepted"
                | "referral_seen"
                | "referral_discharged"
                | "hospital_transfer_assessed"
                | "hospital_second_assessment" => format!(r#"{{"referral":"{id}"}}"#),
                "medicine_reported" => {
                    r#"{"name":"Insulin","dose":"10 units","critical":true,"source":"PERSON"}"#.into()
                }
                "medicine_confirmed" => format!(r#"{{"medicine":"{id}","against":"COMMUNITY_RECORD"}}"#),
                "medicines_supplied" => r#"{"occasion":"RELEASE","supply":"PRESCRIPTION"}"#.into(),
                "medication_given" => r#"{"critical":true}"#.into(),
                "acct_considered" => r#"{"reason":"Spoke with her; no current risk"}"#.into(),
                "acct_case_manager_named" => format!(r#"{{"acct":"{id}","case_manager":"sc.lee"}}"#),
                "acct_assessment_interview" => format!(r#"{{"acct":"{id}","assessor":"sc.lee"}}"#),
                "acct_reviewed" => format!(
                    r#"{{"acct":"{id}","review":{{"case_manager":"sc.lee","attended":"wing officer","healthcare_present":true,"person_present":true,"observations_day":"HOURLY","observations_night":"TWO_HOURLY","conversations_day":2,"conversations_night":0,"next_review":"2026-03-10"}}}}"#
                ),
                "acct_care_plan_action" => format!(
                    r#"{{"acct":"{id}","issue":"No contact with her son","goal":"A phone call","action":"Arrange a call","owner":"family liaison","due":"2026-03-12"}}"#
                ),
                "acct_care_plan_action_done" => format!(r#"{{"action":"{id}"}}"#),
                "acct_observation" => format!(r#"{{"acct":"{id}","conversation":true}}"#),
                "acct_trigger_recorded" => format!(r#"{{"acct":"{id}","trigger":"BAD_NEWS"}}"#),
                "acct_post_closure_review" => format!(r#"{{"acct":"{id}"}}"#),
                "peer_supporter_trained" => r#"{"scheme":"LISTENER","trained_on":"2026-01-20"}"#.into(),
                "peer_supporter_stood_down" => r#"{"scheme":"INSIDER","reason":"LEFT"}"#.into(),
                "peer_matching_consent" => r#"{"backgrounds":["LANGUAGE","MOTHER"]}"#.into(),
                "listener_requested" => r#"{"asked":"LISTENER","match_on":["FAITH"]}"#.into(),
                "listener_request_met" => format!(r#"{{"request":"{id}","listener":"A1234BC"}}"#),
                "listener_request_withdrawn" => format!(r#"{{"request":"{id}","reason":"NO_LONGER_WANTED"}}"#),
                "listener_request_not_met" => format!(r#"{{"request":"{id}","reason":"NONE_AVAILABLE"}}"#),
                "key_worker_allocated" => r#"{"key_worker":"officer.smith"}"#.into(),
                "key_work_session" => r#"{"key_worker":"officer.smith","minutes":45}"#.into(),
                "mbu_booklet_given" => r#"{"format":"EASY_READ"}"#.into(),
                "mbu_officer_visit" => r#"{"officer":"mbu.lee"}"#.into(),
                "mbu_officer_named" => r#"{"officer":"mbu.lee"}"#.into(),
                "mbu_decision" => format!(r#"{{"application":"{id}","outcome":"REFUSED"}}"#),
                "child_recorded" => r#"{"date_of_birth":"2025-11-02"}"#.into(),
                "mbu_appeal_made" => format!(r#"{{"decision":"{id}"}}"#),
                "mbu_appeal_decided" => format!(r#"{{"appeal":"{id}","outcome":"APPROVED"}}"#),
                "mbu_admitted" => r#"{"unit":"AAA","temporary":true}"#.into(),
                "hearing_scheduled" => r#"{"hearing":"PAROLE","on":"2026-04-01"}"#.into(),
                "family_contact_made" => format!(r#"{{"contact":"{id}","how":"VIDEO_CALL"}}"#),
                "family_told_of_transfer" => format!(r#"{{"contact":"{id}","how":"CALL"}}"#),
                "community_handover_accepted" => format!(r#"{{"referral":"{id}"}}"#),
                "community_handover_referred" => r#"{"service":"RECONNECT"}"#.into(),
                "release_plan_item_noted" => r#"{"item":"ACCOMMODATION","note":"Approved premises asked"}"#.into(),
                "transfer_arrival_reviewed" => r#"{"reviewer":"HEALTHCARE"}"#.into(),
                "community_record_matched" => r#"{"service":"CMHT Leeds","known_from":"2025-01-01","missed":true}"#.into(),
                "bereavement_recorded" => r#"{"relationship":"my nan","died_on":"2026-02-10"}"#.into(),
                "information_given" => {
                    r#"{"item":"All About MBUs","format":"EASY_READ","language":"en","understood":"YES"}"#.into()
                }
                "request_raised" => r#"{"category":"FAITH","confidential":true}"#.into(),
                "request_answered" => format!(r#"{{"request":"{id}","outcome":"GRANTED"}}"#),
                "request_progressed" => format!(r#"{{"request":"{id}"}}"#),
                "use_of_force" => r#"{"planned":false}"#.into(),
                "incentive_level_changed" => r#"{"level":"BASIC"}"#.into(),
                "adjudication" => r#"{"proven":true}"#.into(),
                "temporary_release_requested" => r#"{"purpose":"FUNERAL"}"#.into(),
                "temporary_release_decided" => format!(r#"{{"request":"{id}","granted":false}}"#),
                "activity_attended" => r#"{"activity":"ARTS","minutes":90}"#.into(),
                "time_out_of_cell" => r#"{"on":"2026-03-02","minutes":150}"#.into(),
                "service_referral" => format!(r#"{{"service":"{id}","part_of":"KEY_WORK","consented":true}}"#),
                "discrimination_complaint_raised" => r#"{"characteristic":"ethnicity","also":["religion"],"reporter":"PERSON","what_happened":"Called names on the servery","staff_named":["officer.jones"]}"#.into(),
                "discrimination_complaint_acknowledged" => format!(r#"{{"complaint":"{id}"}}"#),
                "discrimination_investigator_named" => format!(r#"{{"complaint":"{id}","investigator":"equality.lead"}}"#),
                "discrimination_staff_identified" => format!(r#"{{"complaint":"{id}","staff":["officer.jones"]}}"#),
                "discrimination_complaint_answered" => format!(r#"{{"complaint":"{id}","upheld":true,"finding":"PARTLY_UPHELD","response":"We found that..."}}"#),
                "discrimination_answer_checked" => format!(r#"{{"answer":"{id}","approved":true}}"#),
                "discrimination_complaint_appealed" => format!(r#"{{"complaint":"{id}","reason":"Nobody asked my witness"}}"#),
                "discrimination_appeal_decided" => format!(r#"{{"appeal":"{id}","finding":"UPHELD","response":"On appeal..."}}"#),
                "release_plan_item_completed" => r#"{"item":"ACCOMMODATION"}"#.into(),
                "characteristic_declared" => r#"{"characteristic":"ethnicity","value":"W3"}"#.into(),
                "communication_recorded" => {
                    r#"{"formats":["EASY_READ"],"language":"en","interpreter":false,"literacy_support":true}"#.into()
                }
                "family_contact_named" => r#"{"name":"Sue","relationship":"my nan","involvement":"CONSENTS"}"#.into(),
                "family_contact_changed" => format!(r#"{{"contact":"{id}","involvement":"DECLINES"}}"#),
                "family_contact_removed" => format!(r#"{{"contact":"{id}"}}"#),
                _ => String::new(),
            };
            let kind = EventKind::parse(name, &details).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(kind.name(), *name);
            assert_eq!(serde_json::to_value(&kind).unwrap()["kind"], *name, "name() is the serde tag");
            // Details survive a round trip through their own text.
            assert_eq!(EventKind::parse(name, &kind.details_json()).unwrap(), kind);
        }
    }

    #[test]
    fn bad_details_are_refused_with_a_reason() {
        let cases = [
            ("reception", r#"{"establishment":"LEI","reception_type":"NEW"}"#, "legal_status"),
            ("reception", r#"{"establishment":"LEI","reception_type":"NEW","legal_status":"REMAND","x":1}"#, "x"),
            ("key_work_session", r#"{"key_worker":"a","minutes":0}"#, "minutes"),
            ("key_work_session", r#"{"key_worker":"a","minutes":481}"#, "minutes must be 1-480"),
            ("screening_completed", r#"{"instrument":"PHQ9","outcome":"REFER","total":5}"#, "needs its answers"),
            ("screening_completed", r#"{"instrument":"PHQ9","answers":{"q1":"1"},"item9":1}"#, "item9"),
            ("referral_declined", r#"{"referral":"00000000-0000-0000-0000-000000000000"}"#, "reason"),
            ("characteristic_declared", r#"{"characteristic":"ethnicity","value":"X1"}"#, "X1"),
            ("acct_opened", r#"[1]"#, "object"),
            // Nothing of what was said can be kept, whatever field it is put in.
            ("listener_requested", r#"{"asked":"LISTENER","content":"worried about court"}"#, "content"),
            ("listener_requested", r#"{"asked":"SAMARITANS","match_on":["FAITH"]}"#, "match_on"),
            ("listener_requested", r#"{"asked":"LISTENER","match_on":["FAITH","FAITH"]}"#, "each background once"),
            ("listener_request_met", r#"{"request":"00000000-0000-0000-0000-000000000000","note":"x"}"#, "note"),
            ("acct_opened", r#"{"#, "JSON"),
            (
                "discrimination_complaint_answered",
                r#"{"complaint":"00000000-0000-0000-0000-000000000000","upheld":false,"finding":"NOT_UPHELD"}"#,
                "response",
            ),
            (
                "discrimination_complaint_answered",
                r#"{"complaint":"00000000-0000-0000-0000-000000000000","upheld":false,"finding":"UPHELD","response":"x"}"#,
                "agree",
            ),
            (
                "discrimination_answer_checked",
                r#"{"answer":"00000000-0000-0000-0000-000000000000","approved":false}"#,
                "look at again",
            ),
            ("no_such_kind", "", "unknown event kind"),
        ];
        for (kind, details, expect) in cases {
            let err = EventKind::parse(kind, details).unwrap_err().to_string();
            assert!(err.contains(expect), "{kind} {details}: {err}");
        }
    }
}
