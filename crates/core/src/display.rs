//! One way to show things to a person: instants in London time in the GOV.UK style, dates, due
//! times, durations in words, languages by name, and a sentence for every kind of event.
//!
//! Pages, the CLI's tables and the reports all write through here, so nobody reads a code, a
//! UTC timestamp or a UUID. "Now" is always passed in.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::codes::CodeSet;
use crate::communication::Language;
use crate::event::EventKind;
use crate::ids::{EstablishmentCode, EventId, StaffRef};
use crate::time::{date_in_england, london};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "2 December 2026".
pub fn date(d: Date) -> String {
    format!("{} {} {}", d.day(), MONTHS[(d.month() - 1) as usize], d.year())
}

/// "2 December" when it is in the same year as `today`, otherwise "2 December 2027".
fn date_near(d: Date, today: Date) -> String {
    if d.year() == today.year() { format!("{} {}", d.day(), MONTHS[(d.month() - 1) as usize]) } else { date(d) }
}

/// The time of day in England and Wales as GOV.UK writes it: "8:05am", "4:30pm", "midday", "midnight".
pub fn time(t: Timestamp) -> String {
    let dt = london().to_datetime(t);
    let (h, m) = (dt.hour(), dt.minute());
    match (h, m) {
        (0, 0) => "midnight".into(),
        (12, 0) => "midday".into(),
        _ => {
            let (h12, half) = match h {
                0 => (12, "am"),
                1..=11 => (h, "am"),
                12 => (12, "pm"),
                _ => (h - 12, "pm"),
            };
            format!("{h12}:{m:02}{half}")
        }
    }
}

/// "2 December 2026 at 8:05am", in England and Wales's time.
pub fn instant(t: Timestamp) -> String {
    format!("{} at {}", date(date_in_england(t)), time(t))
}

/// "GMT" or "BST": the clock England and Wales kept at that instant.
pub fn zone(t: Timestamp) -> String {
    london().to_offset_info(t).abbreviation().to_string()
}

/// An instant as read at `now`: the zone is added when the clocks then and now differ
/// ("14 July 2026 at 2:30pm BST" read in December), the one case a reader could be misled.
pub fn instant_seen_from(t: Timestamp, now: Timestamp) -> String {
    let (then, here) = (zone(t), zone(now));
    if then == here { instant(t) } else { format!("{} {then}", instant(t)) }
}

/// A length of time in words, to the largest whole unit: "3 days", "1 hour", "45 minutes".
pub fn duration(d: SignedDuration) -> String {
    let mins = d.as_mins().abs();
    let (n, unit) = if mins >= 24 * 60 {
        (mins / (24 * 60), "day")
    } else if mins >= 60 {
        (mins / 60, "hour")
    } else {
        (mins.max(1), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Is this instant the last moment of its day in London ("by the end of the day")?
fn is_end_of_day(t: Timestamp) -> bool {
    let dt = london().to_datetime(t);
    (dt.hour(), dt.minute(), dt.second()) == (23, 59, 59)
}

fn day_word(d: Date, today: Date) -> String {
    if d == today {
        "today".into()
    } else if today.tomorrow().is_ok_and(|t| t == d) {
        "tomorrow".into()
    } else if today.yesterday().is_ok_and(|y| y == d) {
        "yesterday".into()
    } else {
        date_near(d, today)
    }
}

/// When something is due, as a worklist says it: "by end of 9 March", "by end of today",
/// "by 4:00pm today", "by 10:30am on 9 March".
pub fn due(due_at: Timestamp, now: Timestamp) -> String {
    let (day, today) = (date_in_england(due_at), date_in_england(now));
    let when = day_word(day, today);
    if is_end_of_day(due_at) {
        format!("by end of {when}")
    } else if matches!(when.as_str(), "today" | "tomorrow" | "yesterday") {
        format!("by {} {when}", time(due_at))
    } else {
        format!("by {} on {when}", time(due_at))
    }
}

/// How a due time stands at `now`: "3 days overdue", "5 hours overdue", "due today", "due in 2 days".
pub fn due_status(due_at: Timestamp, now: Timestamp) -> String {
    let (day, today) = (date_in_england(due_at), date_in_england(now));
    if due_at < now {
        let days = (today - day).get_days();
        if days >= 1 {
            format!("{} overdue", duration(SignedDuration::from_hours(24 * i64::from(days))))
        } else {
            format!("{} overdue", duration(now.duration_since(due_at)))
        }
    } else if day == today {
        "due today".into()
    } else {
        let days = (day - today).get_days();
        format!("due in {}", duration(SignedDuration::from_hours(24 * i64::from(days))))
    }
}

/// A language by its English name ("Polish", "British Sign Language"); an unlisted code is said as such.
pub fn language(l: &Language) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("en", "English"),
        ("cy", "Welsh"),
        ("pl", "Polish"),
        ("ro", "Romanian"),
        ("lt", "Lithuanian"),
        ("pt", "Portuguese"),
        ("es", "Spanish"),
        ("fr", "French"),
        ("it", "Italian"),
        ("sq", "Albanian"),
        ("ar", "Arabic"),
        ("ur", "Urdu"),
        ("pa", "Punjabi"),
        ("bn", "Bengali"),
        ("gu", "Gujarati"),
        ("so", "Somali"),
        ("ti", "Tigrinya"),
        ("am", "Amharic"),
        ("fa", "Persian (Farsi)"),
        ("ps", "Pashto"),
        ("ku", "Kurdish"),
        ("tr", "Turkish"),
        ("vi", "Vietnamese"),
        ("zh", "Chinese"),
        ("rom", "Romani"),
        ("bfi", "British Sign Language"),
        ("ga", "Irish"),
        ("gd", "Scottish Gaelic"),
        ("ru", "Russian"),
        ("uk", "Ukrainian"),
        ("hu", "Hungarian"),
        ("bg", "Bulgarian"),
    ];
    NAMES
        .iter()
        .find(|(c, _)| *c == l.as_str())
        .map_or_else(|| format!("another language (ISO 639 code {})", l.as_str()), |(_, n)| n.to_string())
}

fn yes_no(b: bool, yes: &str, no: &str) -> String {
    if b { yes.to_string() } else { no.to_string() }
}

/// A short name for a kind of event or an action: "Key work session", "ACCT opened", "MBU officer visit".
pub fn kind_label(name: &str) -> String {
    let words: Vec<String> = name
        .split(['_', '-'])
        .enumerate()
        .map(|(i, w)| match w {
            "acct" => "ACCT".into(),
            "mbu" => "MBU".into(),
            "phq9" => "PHQ-9".into(),
            "gad7" => "GAD-7".into(),
            "api" => "API".into(),
            _ if i == 0 => w.to_uppercase_first(),
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// What a sentence needs to name things rather than give their codes or ids.
pub struct Names<'a> {
    /// The event another one answers (the referral a transfer follows).
    pub event: &'a dyn Fn(EventId) -> Option<EventKind>,
    /// An establishment's name ("HMP Leeds").
    pub establishment: &'a dyn Fn(&EstablishmentCode) -> Option<String>,
    /// A member of staff's name.
    pub staff: &'a dyn Fn(&StaffRef) -> Option<String>,
}

impl Names<'_> {
    /// Names nothing: codes stand in (for tests and where nothing else is at hand).
    pub const NONE: Names<'static> = Names { event: &|_| None, establishment: &|_| None, staff: &|_| None };
}

/// One sentence for an event on the timeline: "PHQ-9 completed: score 16, moderately severe;
/// referral indicated", naming linked events, establishments and staff through `names`.
pub fn sentence(kind: &EventKind, names: &Names<'_>) -> String {
    use EventKind as K;
    let linked = names.event;
    let place = |c: &EstablishmentCode| (names.establishment)(c).unwrap_or_else(|| c.to_string());
    let who = |s: &StaffRef| (names.staff)(s).unwrap_or_else(|| s.to_string());
    let referral = |id: EventId| match linked(id) {
        Some(K::ReferralMade { service, .. }) => format!("referral to {}", service.label().to_lowercase_first()),
        _ => "referral".to_string(),
    };
    let request = |id: EventId| match linked(id) {
        Some(K::RequestRaised { category, .. }) => format!("request about {}", category.label().to_lowercase_first()),
        Some(K::TemporaryReleaseRequested { purpose }) => {
            format!("request for temporary release ({})", purpose.label().to_lowercase_first())
        }
        _ => "request".to_string(),
    };
    let medicine = |id: EventId| match linked(id) {
        Some(K::MedicineReported { name, .. }) => name,
        _ => "medicine".to_string(),
    };
    let transfer = |told: bool| if told { "may be told of a transfer" } else { "not to be told of a transfer" };
    let contact = |id: EventId| match linked(id) {
        Some(K::FamilyContactNamed(c)) => format!("{} ({})", c.name, c.relationship),
        _ => "family contact".to_string(),
    };
    match kind {
        K::Reception { establishment, reception_type, legal_status, location, expected_release } => {
            let mut s = format!(
                "Received at {}: {}, {}",
                place(establishment),
                reception_type.label().to_lowercase_first(),
                legal_status.label().to_lowercase_first()
            );
            if let Some(l) = location {
                s.push_str(&format!("; cell {l}"));
            }
            if let Some(d) = expected_release {
                s.push_str(&format!("; expected release {}", date(*d)));
            }
            s
        }
        K::LegalStatusChanged { legal_status, expected_release } => {
            let mut s = format!("Legal status now {}", legal_status.label().to_lowercase_first());
            if let Some(d) = expected_release {
                s.push_str(&format!("; expected release {}", date(*d)));
            }
            s
        }
        K::LocationChanged { location } => format!("Moved to {location}"),
        K::TransferOut { to_establishment } => format!("Transferred out to {}", place(to_establishment)),
        K::Release { release_type } => format!("Released: {}", release_type.label().to_lowercase_first()),
        K::ScreeningCompleted {
            instrument,
            outcome,
            total,
            band,
            suicide_risk,
            critical_medication,
            suggested,
            ..
        } => {
            let mut parts = Vec::new();
            match (total, band) {
                (Some(t), Some(b)) => parts.push(format!("score {t}, {}", b.to_lowercase_first())),
                (Some(t), None) => parts.push(format!("score {t}")),
                _ => {}
            }
            if *suicide_risk {
                parts.push("a same-day suicide-risk assessment is needed".into());
            }
            if *critical_medication {
                parts.push("takes a critical medicine".into());
            }
            if !suggested.is_empty() {
                let to: Vec<String> = suggested.iter().map(|s| s.label().to_lowercase_first()).collect();
                parts.push(format!("referral suggested to {}", to.join(" and ")));
            }
            if let Some(o) = outcome {
                parts.push(o.label().to_lowercase_first());
            }
            format!("{} completed: {}", instrument.label(), parts.join("; "))
        }
        K::HealthAssessmentCompleted {} => "Second-stage health assessment completed".into(),
        K::ReferralMade { service, priority, self_referral, .. } => format!(
            "{} to {} ({})",
            if *self_referral { "Asked to be referred" } else { "Referred" },
            service.label().to_lowercase_first(),
            priority.label().to_lowercase_first()
        ),
        K::ReferralTriaged { referral: r } => format!("{} triaged", referral(*r).to_uppercase_first()),
        K::ReferralAccepted { referral: r } => format!("{} accepted", referral(*r).to_uppercase_first()),
        K::ReferralDeclined { referral: r, reason } => {
            format!("{} declined: {reason}", referral(*r).to_uppercase_first())
        }
        K::ReferralSeen { referral: r } => format!("First seen after the {}", referral(*r)),
        K::ReferralDischarged { referral: r } => format!("Discharged from the {}", referral(*r)),
        K::HospitalTransferAssessed { .. } => "First psychiatric assessment for transfer to hospital".into(),
        K::HospitalSecondAssessment { .. } => "Second psychiatric assessment for transfer to hospital".into(),
        K::HospitalBedIdentified { hospital, .. } => format!("Hospital bed identified: {hospital}"),
        K::HospitalWarrantIssued { section, .. } => {
            format!("Warrant issued for transfer to hospital, {}", section.label().to_lowercase_first())
        }
        K::HospitalTransferDelayed { reason, note, .. } => match note {
            Some(n) => format!("Transfer to hospital delayed: {}. {n}", reason.label().to_lowercase_first()),
            None => format!("Transfer to hospital delayed: {}", reason.label().to_lowercase_first()),
        },
        K::TransferredToHospital { section, .. } => {
            format!("Transferred to hospital under the Mental Health Act, {}", section.label().to_lowercase_first())
        }
        K::MedicineReported { name, dose, critical, source } => format!(
            "Medicine recorded: {name}, {dose}{} ({})",
            if *critical { ", critical" } else { "" },
            source.label().to_lowercase_first()
        ),
        K::MedicineConfirmed { medicine: m, against } => {
            format!("{} confirmed against the {}", medicine(*m), against.label().to_lowercase_first())
        }
        K::MedicationGiven { critical, medicine: Some(m) } => {
            format!("First dose of {} given{}", medicine(*m), if *critical { " (critical medicine)" } else { "" })
        }
        K::MedicationGiven { critical, medicine: None } => {
            yes_no(*critical, "Critical medicine given", "Medicine given")
        }
        K::MedicinesReconciled {} => "Medicines reconciled".into(),
        K::MedicinesSupplied { occasion, supply } => {
            format!("Medicines for {}: {}", occasion.label().to_lowercase_first(), supply.label().to_lowercase_first())
        }
        K::KeyWorkerAllocated { key_worker, over_cap_reason } => {
            let mut s = format!("Key worker allocated: {}", who(key_worker));
            if let Some(r) = over_cap_reason {
                s.push_str(&format!(" (above the caseload cap: {r})"));
            }
            s
        }
        K::KeyWorkerDeallocated { reason: None } => "Key worker deallocated".into(),
        K::KeyWorkerDeallocated { reason: Some(r) } => {
            format!("Key worker deallocated: {}", r.label().to_lowercase_first())
        }
        K::KeyWorkSession { key_worker, minutes, note } => {
            let mut s = format!(
                "Key work session with {}: {}",
                who(key_worker),
                duration(SignedDuration::from_mins(i64::from(*minutes)))
            );
            if let Some(n) = note {
                s.push_str(&format!(". {n}"));
            }
            s
        }
        K::HearingScheduled { hearing, on } => format!("{} on {}", hearing.label(), date(*on)),
        K::MbuBookletGiven { format } => {
            format!("\"All About MBUs\" booklet given ({})", format.label().to_lowercase_first())
        }
        K::MbuOfficerVisit { officer } => format!("Visited by MBU officer {}", who(officer)),
        K::MbuOfficerNamed { officer } => format!("{} named as her MBU officer", who(officer)),
        K::MbuVisitRequested {} => "Asked for another visit from the MBU officer".into(),
        K::ChildRecorded { date_of_birth } => format!("A child in the community, born {}", date(*date_of_birth)),
        K::MbuApplicationMade {} => "Applied for a place on a Mother and Baby Unit".into(),
        K::MbuDecision { outcome, board_on, .. } => {
            let mut s = format!("MBU application decided: {}", outcome.label().to_lowercase_first());
            if let Some(d) = board_on {
                s.push_str(&format!(" (admission board on {})", date(*d)));
            }
            s
        }
        K::MbuAppealMade { .. } => "Appealed the MBU refusal".into(),
        K::MbuAppealDecided { outcome, .. } => format!("MBU appeal decided: {}", outcome.label().to_lowercase_first()),
        K::MbuAdmitted { unit, temporary } => format!(
            "Admitted to the Mother and Baby Unit at {}{}",
            crate::pathways::mbu::units()
                .into_iter()
                .find(|u| &u.establishment == unit)
                .map_or_else(|| place(unit), |u| u.name),
            if *temporary { " (temporary admission while the decision is made)" } else { "" }
        ),
        K::MbuLeft {} => "Left the Mother and Baby Unit".into(),
        K::MbuSeparationPlanAgreed {} => "Separation plan agreed with her".into(),
        K::InformationGiven { item, format, language: l, understood, from_kiosk: true } => format!(
            "Read \"{item}\" on the kiosk ({}, in {}): {} (their own check)",
            format.label().to_lowercase_first(),
            language(l),
            understood.label().to_lowercase_first()
        ),
        K::InformationGiven { item, format, language: l, understood, from_kiosk: false } => format!(
            "Given \"{item}\" ({}, in {}): {}",
            format.label().to_lowercase_first(),
            language(l),
            understood.label().to_lowercase_first()
        ),
        // What was asked and the answer's words are on the request's own page, for its team.
        K::RequestRaised { category, confidential, first_night, from_kiosk, .. } => format!(
            "{} about {}{}{}",
            yes_no(*confidential, "Confidential request", "Request"),
            category.label().to_lowercase_first(),
            if *from_kiosk { ", from the kiosk" } else { "" },
            if *first_night { " (first night or early days)" } else { "" },
        ),
        K::RequestProgressed { request: r } => format!("{} in progress", request(*r).to_uppercase_first()),
        K::RequestAnswered { request: r, outcome, .. } => {
            format!("{} answered: {}", request(*r).to_uppercase_first(), outcome.label().to_lowercase_first())
        }
        K::SelfHarmIncident { method, severity } => {
            let mut parts = Vec::new();
            if let Some(m) = method {
                parts.push(m.label().to_lowercase_first());
            }
            if let Some(sv) = severity {
                parts.push(sv.label().to_lowercase_first());
            }
            if parts.is_empty() {
                "Self-harm incident".into()
            } else {
                format!("Self-harm incident: {}", parts.join("; "))
            }
        }
        K::AcctOpened { concern, .. } => match concern {
            Some(c) => format!("ACCT opened (Assessment, Care in Custody and Teamwork): {c}"),
            None => "ACCT opened (Assessment, Care in Custody and Teamwork)".into(),
        },
        K::AcctConsidered { reason } => format!("Opening an ACCT considered and not opened: {reason}"),
        K::AcctCaseManagerNamed { case_manager, .. } => format!("ACCT case manager: {}", who(case_manager)),
        K::AcctAssessmentInterview { assessor, .. } => format!("ACCT assessment interview by {}", who(assessor)),
        K::AcctReviewed { review: Some(r), .. } => format!(
            "ACCT case review chaired by {}: observations {} by day and {} by night; next review by {}",
            who(&r.case_manager),
            r.observations_day.label().to_lowercase_first(),
            r.observations_night.label().to_lowercase_first(),
            date(r.next_review)
        ),
        K::AcctReviewed { review: None, .. } => "ACCT case review held".into(),
        K::AcctCarePlanAction { action, owner, due, .. } => {
            format!("ACCT care plan action: {action} ({owner}, by {})", date(*due))
        }
        K::AcctCarePlanActionDone { action } => match linked(*action) {
            Some(K::AcctCarePlanAction { action, .. }) => format!("ACCT care plan action done: {action}"),
            _ => "ACCT care plan action done".into(),
        },
        K::AcctObservation { conversation, .. } => {
            yes_no(*conversation, "ACCT conversation recorded", "ACCT observation recorded")
        }
        K::AcctTriggerRecorded { trigger, .. } => {
            format!("ACCT trigger: {}", trigger.label().to_lowercase_first())
        }
        K::AcctClosed { reason: Some(r), .. } => format!("ACCT closed: {r}"),
        K::AcctClosed { reason: None, .. } => "ACCT closed".into(),
        K::AcctPostClosureReview { .. } => "ACCT post-closure review held".into(),
        K::PeerSupporterTrained { scheme, trained_on } => {
            format!("Trained as a peer supporter: {}, on {}", scheme.label(), date(*trained_on))
        }
        K::PeerSupporterStoodDown { scheme, reason } => {
            format!("Stopped as a peer supporter ({}): {}", scheme.label(), reason.label().to_lowercase_first())
        }
        K::PeerMatchingConsent { backgrounds } if backgrounds.is_empty() => {
            "Withdrew consent to be matched by background".into()
        }
        K::PeerMatchingConsent { backgrounds } => format!(
            "Agreed to be matched by: {}",
            backgrounds.iter().map(|b| b.label().to_lowercase_first()).collect::<Vec<_>>().join(", ")
        ),
        K::ListenerRequested { asked, .. } => format!("Asked for {}", asked.label().to_lowercase_first()),
        K::ListenerRequestMet { .. } => "Listener or Samaritans request met".into(),
        K::ListenerRequestWithdrawn { reason, .. } => {
            format!("Listener or Samaritans request withdrawn: {}", reason.label().to_lowercase_first())
        }
        K::ListenerRequestNotMet { reason, .. } => {
            format!("Listener or Samaritans request not met: {}", reason.label().to_lowercase_first())
        }
        K::UseOfForce { planned } => yes_no(*planned, "Planned use of force", "Unplanned use of force"),
        K::IncentiveLevelChanged { level } => format!("Incentive level now {}", level.label()),
        K::Adjudication { proven } => yes_no(*proven, "Adjudication: charge proven", "Adjudication: charge not proven"),
        K::TemporaryReleaseRequested { purpose } => {
            format!("Asked for temporary release: {}", purpose.label().to_lowercase_first())
        }
        K::TemporaryReleaseDecided { granted, risk, reason, .. } => {
            let mut s = yes_no(*granted, "Temporary release granted", "Temporary release refused");
            if let Some(r) = risk {
                s.push_str(&format!(" ({})", r.label().to_lowercase_first()));
            }
            if let Some(r) = reason {
                s.push_str(&format!(": {r}"));
            }
            s
        }
        K::ActivityAttended { activity, minutes, service } => {
            format!(
                "Attended {}{}: {}",
                activity.label().to_lowercase_first(),
                if service.is_some() { " (a directory service)" } else { "" },
                duration(SignedDuration::from_mins(i64::from(*minutes)))
            )
        }
        K::TimeOutOfCell { on, minutes } => {
            format!("Out of cell on {}: {}", date(*on), duration(SignedDuration::from_mins(i64::from(*minutes))))
        }
        K::ServiceReferral { part_of, consented, .. } => format!(
            "Referred to a voluntary, community or arts service ({}){}",
            part_of.label().to_lowercase_first(),
            if *consented { ", with their consent" } else { "" }
        ),
        // What happened and who is named are on the complaint's own page, for the equality team.
        K::DiscriminationComplaintRaised { characteristic, from_kiosk, .. } => format!(
            "Discrimination complaint made{}{}",
            characteristic.map(|c| format!(", about {}", c.label().to_lowercase_first())).unwrap_or_default(),
            if *from_kiosk { ", from the kiosk" } else { "" }
        ),
        K::DiscriminationComplaintAcknowledged { .. } => "Discrimination complaint acknowledged".into(),
        K::DiscriminationInvestigatorNamed { .. } => "Discrimination complaint: investigator named".into(),
        K::DiscriminationStaffIdentified { .. } => "Discrimination complaint: staff it names identified".into(),
        K::DiscriminationComplaintAnswered { upheld, finding, .. } => format!(
            "Discrimination complaint answered: {}",
            finding.map_or_else(|| yes_no(*upheld, "upheld", "not upheld"), |f| f.label().to_lowercase_first())
        ),
        K::DiscriminationAnswerChecked { approved, .. } => yes_no(
            *approved,
            "Discrimination complaint: finding checked and sent to the person",
            "Discrimination complaint: finding returned to the investigator",
        ),
        K::DiscriminationComplaintAppealed { .. } => "Discrimination complaint appealed".into(),
        K::DiscriminationAppealDecided { finding, .. } => {
            format!("Discrimination appeal decided: {}", finding.label().to_lowercase_first())
        }
        K::ReleasePlanItemCompleted { item } => format!("Release plan: {} done", item.label().to_lowercase_first()),
        K::ReleasePlanItemNoted { item, note } => {
            format!("Release plan: {}: {note}", item.label().to_lowercase_first())
        }
        K::CommunityHandoverReferred { service } => format!("Referred to {service} for care after release"),
        K::CommunityHandoverAccepted { .. } => "Community mental-health care accepted the handover".to_string(),
        K::TransferArrivalReviewed { reviewer, note } => match note {
            Some(n) => format!("Reviewed on arrival by {}: {n}", reviewer.label().to_lowercase()),
            None => format!("Reviewed on arrival by {}", reviewer.label().to_lowercase()),
        },
        K::CommunityRecordMatched { service, known_from, missed, .. } => format!(
            "Known to {service} since {}{}",
            date(*known_from),
            if *missed { " (the reception screen found no mental-health need: re-screen)" } else { "" }
        ),
        K::CharacteristicDeclared(d) => {
            let detail = d.detail().map(|x| format!(" ({x})")).unwrap_or_default();
            format!("{} declared: {}{detail}", d.characteristic().label(), d.describe())
        }
        K::CommunicationRecorded(c) => {
            let formats: Vec<String> = c.formats.iter().map(|f| f.label().to_lowercase_first()).collect();
            let mut s = format!("Communication needs recorded: {}; {}", formats.join(", "), language(&c.language));
            if c.interpreter {
                s.push_str("; needs an interpreter");
            }
            if c.literacy_support {
                s.push_str("; needs help with reading and writing");
            }
            if c.learning_disability {
                s.push_str("; has a learning disability");
            }
            if c.neurodivergent {
                s.push_str("; neurodivergent");
            }
            s
        }
        K::FamilyContactNamed(c) => format!(
            "Named {} ({}) as family: {}; {}",
            c.name,
            c.relationship,
            c.involvement.label().to_lowercase_first(),
            transfer(c.told_of_transfer)
        ),
        K::FamilyContactChanged { contact: id, involvement, told_of_transfer } => {
            let mut s = format!("Changed wishes about {}: {}", contact(*id), involvement.label().to_lowercase_first());
            if let Some(t) = told_of_transfer {
                s.push_str(&format!("; {}", transfer(*t)));
            }
            s
        }
        K::FamilyContactRemoved { contact: id } => format!("Removed {} from family", contact(*id)),
        K::FamilyContactMade { contact: id, how } => format!("{} with {}", how.label(), contact(*id)),
        K::FamilyToldOfTransfer { contact: id, how } => {
            format!("{} told of the move ({})", contact(*id), how.label().to_lowercase())
        }
        K::BereavementRecorded { relationship, died_on } => {
            format!("Bereavement: {relationship} died on {}", date(*died_on))
        }
        K::EnteredInError {} => "Entered in error: the earlier entry should not have been recorded".into(),
    }
}

/// A phrase made to start a sentence or a table cell: "due today" becomes "Due today".
pub fn capitalise(s: &str) -> String {
    s.to_uppercase_first()
}

/// A label used mid-sentence: "Being a mother" becomes "being a mother"; "PHQ-9" stays.
pub fn mid_sentence(s: &str) -> String {
    s.to_lowercase_first()
}

/// Labels as one list in a table cell: the first as it is, the rest mid-sentence.
pub fn listing<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.to_string() } else { l.to_lowercase_first() })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Case changes at the start of a label used mid-sentence, leaving acronyms ("PHQ-9", "MBU") alone.
trait FirstLetter {
    fn to_lowercase_first(&self) -> String;
    fn to_uppercase_first(&self) -> String;
}

impl FirstLetter for str {
    fn to_lowercase_first(&self) -> String {
        let mut c = self.chars();
        match (c.next(), c.clone().next()) {
            (Some(f), Some(s)) if f.is_uppercase() && !s.is_uppercase() => f.to_lowercase().chain(c).collect(),
            _ => self.to_string(),
        }
    }
    fn to_uppercase_first(&self) -> String {
        let mut c = self.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    }
}

impl FirstLetter for String {
    fn to_lowercase_first(&self) -> String {
        self.as_str().to_lowercase_first()
    }
    fn to_uppercase_first(&self) -> String {
        self.as_str().to_uppercase_first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn instants_are_london_time_in_the_govuk_style() {
        assert_eq!(instant(at("2026-12-02T08:05:00Z")), "2 December 2026 at 8:05am");
        // 14:30 entered in July is 13:30 UTC, and shows as 2:30pm.
        assert_eq!(instant(at("2026-07-14T13:30:00Z")), "14 July 2026 at 2:30pm");
        assert_eq!(time(at("2026-07-14T11:00:00Z")), "midday");
        assert_eq!(time(at("2026-12-01T00:00:00Z")), "midnight");
        assert_eq!(time(at("2026-12-01T00:30:00Z")), "12:30am");
        assert_eq!(
            instant_seen_from(at("2026-07-14T13:30:00Z"), at("2026-12-02T12:00:00Z")),
            "14 July 2026 at 2:30pm BST"
        );
        assert_eq!(instant_seen_from(at("2026-07-14T13:30:00Z"), at("2026-07-20T12:00:00Z")), "14 July 2026 at 2:30pm");
        // 23:30 UTC on 10 July is already 11 July in London.
        assert_eq!(instant(at("2026-07-10T23:30:00Z")), "11 July 2026 at 12:30am");
    }

    #[test]
    fn due_times_and_durations_in_words() {
        let now = at("2026-03-09T10:00:00Z");
        let eod = |d| crate::time::end_of_day_in_england(d).unwrap();
        assert_eq!(due(eod(jiff::civil::date(2026, 3, 9)), now), "by end of today");
        assert_eq!(due(eod(jiff::civil::date(2026, 3, 10)), now), "by end of tomorrow");
        assert_eq!(due(eod(jiff::civil::date(2026, 3, 16)), now), "by end of 16 March");
        assert_eq!(due(eod(jiff::civil::date(2027, 1, 4)), now), "by end of 4 January 2027");
        assert_eq!(due(at("2026-03-09T16:00:00Z"), now), "by 4:00pm today");
        assert_eq!(due(at("2026-03-12T10:30:00Z"), now), "by 10:30am on 12 March");
        assert_eq!(due_status(eod(jiff::civil::date(2026, 3, 6)), now), "3 days overdue");
        assert_eq!(due_status(at("2026-03-09T07:00:00Z"), now), "3 hours overdue");
        assert_eq!(due_status(eod(jiff::civil::date(2026, 3, 9)), now), "due today");
        assert_eq!(due_status(eod(jiff::civil::date(2026, 3, 10)), now), "due in 1 day");
        assert_eq!(duration(SignedDuration::from_mins(45)), "45 minutes");
        assert_eq!(date(jiff::civil::date(2026, 12, 2)), "2 December 2026");
    }

    #[test]
    fn screening_reads_as_a_sentence_with_its_severity() {
        let answers = r#"{"instrument":"PHQ9","answers":{"q1":"3","q2":"3","q3":"3","q4":"3","q5":"2","q6":"0","q7":"0","q8":"0","q9":"2"}}"#;
        let k = EventKind::parse("screening_completed", answers).unwrap();
        let k = crate::instruments::InstrumentSet::builtin_ref().complete(k).unwrap();
        assert_eq!(
            sentence(&k, &Names::NONE),
            "PHQ-9 completed: score 16, moderately severe depression; a same-day suicide-risk assessment is needed; referral suggested to mental health in-reach; urgent action needed"
        );
        let referral = EventKind::parse("referral_made", r#"{"service":"IN_REACH"}"#).unwrap();
        let id = EventId::from_random_bytes([3; 16]);
        let seen = EventKind::parse("referral_accepted", &format!(r#"{{"referral":"{id}"}}"#)).unwrap();
        let names = Names { event: &|i| (i == id).then(|| referral.clone()), ..Names::NONE };
        assert_eq!(sentence(&seen, &names), "Referral to mental health in-reach accepted");
    }
}
