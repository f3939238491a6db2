//! The shipped instruments scored from answers: every band boundary, every referral rule, bad
//! answers named, bad files refused with file and line, and totals always the defined sum.

use proptest::prelude::*;

use super::*;

fn set() -> &'static InstrumentSet {
    InstrumentSet::builtin_ref()
}

fn def(i: Instrument) -> &'static Definition {
    set().current(i).unwrap()
}

/// PHQ-9 or GAD-7 answers adding up to `total`, item by item from the first.
fn answers_for(i: Instrument, total: u8, last: Option<u8>) -> Answers {
    let d = def(i);
    let n = d.items.len();
    let mut rest = total - last.unwrap_or(0);
    let mut out = Answers::new();
    for (k, item) in d.items.iter().enumerate() {
        let v = if k == n - 1 && last.is_some() {
            last.unwrap() + rest
        } else {
            let v = rest.min(3);
            rest -= v;
            v
        };
        out.insert(item.id.clone(), Answer::Chosen(v.to_string()));
    }
    out
}

#[test]
fn the_shipped_instruments_load_with_their_credit_and_codes() {
    let phq = def(Instrument::Phq9);
    let gad = def(Instrument::Gad7);
    let credit = "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.";
    assert_eq!(phq.credit.as_deref(), Some(credit));
    assert_eq!(gad.credit.as_deref(), Some(credit));
    assert_eq!((phq.loinc.as_deref(), phq.snomed.as_deref()), (Some("44261-6"), Some("720433000")));
    assert_eq!((gad.loinc.as_deref(), gad.snomed.as_deref()), (Some("70274-6"), Some("445455005")));
    assert_eq!((phq.items.len(), gad.items.len()), (9, 7));
    for i in Instrument::ALL {
        assert!(set().current(*i).is_some(), "{i} ships");
    }
}

#[test]
fn phq9_bands_at_every_boundary() {
    let cases = [
        (0, "Minimal depression"),
        (4, "Minimal depression"),
        (5, "Mild depression"),
        (9, "Mild depression"),
        (10, "Moderate depression"),
        (14, "Moderate depression"),
        (15, "Moderately severe depression"),
        (19, "Moderately severe depression"),
        (20, "Severe depression"),
        (27, "Severe depression"),
    ];
    for (total, band) in cases {
        let s = InstrumentSet::score(
            def(Instrument::Phq9),
            &answers_for(Instrument::Phq9, total, Some(0).filter(|_| total <= 24)),
        )
        .unwrap();
        assert_eq!(s.total, Some(total));
        assert_eq!(s.band.as_deref(), Some(band), "total {total}");
        let suggested = match total {
            10..=14 => vec![Service::PrimaryMentalHealth],
            15.. => vec![Service::InReach],
            _ => vec![],
        };
        assert_eq!(s.suggested, suggested, "total {total}");
    }
}

#[test]
fn gad7_bands_at_every_boundary() {
    let cases = [
        (0, "Minimal anxiety"),
        (4, "Minimal anxiety"),
        (5, "Mild anxiety"),
        (9, "Mild anxiety"),
        (10, "Moderate anxiety"),
        (14, "Moderate anxiety"),
        (15, "Severe anxiety"),
        (21, "Severe anxiety"),
    ];
    for (total, band) in cases {
        let s = InstrumentSet::score(def(Instrument::Gad7), &answers_for(Instrument::Gad7, total, None)).unwrap();
        assert_eq!((s.total, s.band.as_deref()), (Some(total), Some(band)));
        assert!(!s.suicide_risk);
    }
}

#[test]
fn phq9_question_9_opens_a_suicide_risk_assessment_whatever_the_total() {
    let low = InstrumentSet::score(def(Instrument::Phq9), &answers_for(Instrument::Phq9, 1, Some(1))).unwrap();
    assert_eq!(low.total, Some(1));
    assert!(low.suicide_risk, "item 9 = 1 with a total of 1");
    assert_eq!(low.outcome, ScreeningOutcome::Urgent);
    let high = InstrumentSet::score(def(Instrument::Phq9), &answers_for(Instrument::Phq9, 24, Some(0))).unwrap();
    assert!(!high.suicide_risk, "item 9 = 0 with a total of 24");
    // 27 is only reachable with item 9 at 3: a total of 27 with item 9 at 0 cannot be recorded.
    let max = InstrumentSet::score(def(Instrument::Phq9), &answers_for(Instrument::Phq9, 27, Some(3))).unwrap();
    assert!(max.suicide_risk);
}

#[test]
fn every_reception_screen_rule_fires_on_its_own_answer() {
    let d = def(Instrument::ReceptionFirstStage);
    let base: Answers = d
        .items
        .iter()
        .map(|i| (i.id.clone(), Answer::Chosen(if i.id == "critical_medicine" { "none" } else { "no" }.into())))
        .collect();
    let none = InstrumentSet::score(d, &base).unwrap();
    assert_eq!((none.outcome, none.suggested.len(), none.reasons.len()), (ScreeningOutcome::NoConcerns, 0, 0));
    use Service as S;
    // (item, suggested referral, suicide risk, critical medicine, outcome)
    let cases: [(&str, Option<Service>, bool, bool, ScreeningOutcome); 14] = [
        ("long_sentence", Some(S::InReach), false, false, ScreeningOutcome::Refer),
        ("physical_condition", None, false, false, ScreeningOutcome::Urgent),
        ("injuries", None, false, false, ScreeningOutcome::NoConcerns),
        ("medicines", None, false, false, ScreeningOutcome::NoConcerns),
        ("critical_medicine", None, false, true, ScreeningOutcome::NoConcerns),
        ("alcohol", Some(S::SubstanceMisuse), false, false, ScreeningOutcome::Urgent),
        ("drugs", Some(S::SubstanceMisuse), false, false, ScreeningOutcome::Refer),
        ("known_to_services", Some(S::InReach), false, false, ScreeningOutcome::Refer),
        ("feeling_low", Some(S::PrimaryMentalHealth), false, false, ScreeningOutcome::Refer),
        ("past_self_harm", Some(S::InReach), false, false, ScreeningOutcome::Refer),
        ("thoughts_now", Some(S::InReach), true, false, ScreeningOutcome::Urgent),
        ("learning_disability", Some(S::LearningDisability), false, false, ScreeningOutcome::Refer),
        ("communication", None, false, false, ScreeningOutcome::NoConcerns),
        ("screener_concern", Some(S::InReach), false, false, ScreeningOutcome::Refer),
    ];
    assert_eq!(cases.len(), d.items.len(), "every item has a case");
    assert_eq!(d.rules.len(), d.items.len(), "one rule per item");
    for (item, suggest, suicide, critical, outcome) in cases {
        let mut a = base.clone();
        a.insert(item.into(), Answer::Chosen("yes".into()));
        let s = InstrumentSet::score(d, &a).unwrap();
        assert_eq!(s.suggested, suggest.into_iter().collect::<Vec<_>>(), "{item}");
        assert_eq!((s.suicide_risk, s.critical_medication, s.outcome), (suicide, critical, outcome), "{item}");
        assert_eq!(s.reasons.len(), 1, "{item}: one reason, in words");
    }
}

#[test]
fn missing_and_bad_answers_are_named_and_nothing_is_scored() {
    let d = def(Instrument::Phq9);
    let mut a = answers_for(Instrument::Phq9, 12, Some(0));
    a.remove("q3");
    a.remove("q7");
    a.insert("q2".into(), Answer::Chosen("4".into()));
    a.insert("q10".into(), Answer::Chosen("1".into()));
    let errors = InstrumentSet::score(d, &a).unwrap_err();
    let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.item.as_str(), e.message.as_str())).collect();
    assert!(named.contains(&("q3", "answer this question")), "{named:?}");
    assert!(named.contains(&("q7", "answer this question")), "{named:?}");
    assert!(named.iter().any(|(i, m)| *i == "q2" && m.contains("\"4\" is not one of its answers (0, 1, 2, 3)")));
    assert!(named.iter().any(|(i, m)| *i == "q10" && m.contains("not a question")));
}

#[test]
fn declined_and_not_asked_are_answers_with_a_reason_not_a_score_of_zero() {
    let d = def(Instrument::Phq9);
    let mut a = answers_for(Instrument::Phq9, 8, Some(0));
    a.insert("q9".into(), Answer::Declined { declined: "did not want to answer".into() });
    let s = InstrumentSet::score(d, &a).unwrap();
    assert_eq!((s.total, s.band), (None, None), "not scored, rather than scored low");
    assert_eq!(s.unanswered, vec!["q9".to_string()]);
    a.insert("q9".into(), Answer::NotAsked { not_asked: " ".into() });
    let e = InstrumentSet::score(d, &a).unwrap_err();
    assert!(e[0].message.contains("say why"), "{e:?}");
    // Both forms survive the wire.
    let json = serde_json::to_string(&Answer::NotAsked { not_asked: "too distressed".into() }).unwrap();
    assert_eq!(json, r#"{"not_asked":"too distressed"}"#);
    assert_eq!(serde_json::from_str::<Answer>(r#""2""#).unwrap(), Answer::Chosen("2".into()));
}

#[test]
fn a_recorded_result_must_be_what_its_answers_give() {
    let answers = answers_for(Instrument::Phq9, 12, Some(0));
    let good = set().result(Instrument::Phq9, answers.clone()).unwrap();
    assert_eq!(set().check_result(&good), Ok(()));
    let EventKind::ScreeningCompleted { instrument, version, answers: a, outcome, band, suggested, .. } = good.clone()
    else {
        unreachable!()
    };
    let forged = EventKind::ScreeningCompleted {
        instrument,
        version,
        answers: a.clone(),
        outcome,
        total: Some(27),
        band,
        suicide_risk: false,
        critical_medication: false,
        suggested,
    };
    let e = set().check_result(&forged).unwrap_err();
    assert!(e.contains("does not match its answers") && e.contains("\"total\":12"), "{e}");
    // Answers alone are completed with the result.
    let bare = EventKind::parse(
        "screening_completed",
        &format!(r#"{{"instrument":"PHQ9","answers":{}}}"#, serde_json::to_string(&answers).unwrap()),
    )
    .unwrap();
    assert_eq!(set().complete(bare).unwrap(), good);
    let old =
        EventKind::parse("screening_completed", r#"{"instrument":"PHQ9","version":7,"answers":{"q1":"1"}}"#).unwrap();
    assert!(set().complete(old).unwrap_err().contains("version 7 is not a loaded instrument version"));
}

#[test]
fn an_instrument_file_with_an_error_is_refused_naming_file_and_line() {
    let phq = include_str!("../../../../instruments/phq9.toml");
    let cases = [
        (phq.replace("to = 14\n", "to = 13\n"), "band \"Moderately severe depression\" must start at 14"),
        (phq.replace("when = \"q9 >= 1\"", "when = \"q99 >= 1\""), "there is no field q99"),
        (phq.replace("suggest = \"IN_REACH\"", "suggest = \"IN_REECH\""), "unknown service code"),
        (phq.replace("id = \"PHQ9\"", "id = \"PHQ10\""), "unknown instrument code"),
        (phq.replace("id = \"q2\"", "id = \"q1\""), "item q1 is defined twice"),
        (phq.replace("score = 3\n", "score = 3\nweight = 2\n"), "unknown field `weight`"),
    ];
    for (text, expect) in cases {
        let e = parse_file("instruments/phq9.toml", &text).unwrap_err();
        assert!(e.message.contains(expect), "{expect}: {e}");
        assert!(e.to_string().starts_with("instruments/phq9.toml:"), "{e}");
        assert!(e.line > 1, "{e}");
    }
    let rs = include_str!("../../../../instruments/reception-first-stage.toml")
        .replace("when = \"injuries == 'yes'\"", "when = \"injuries == 'maybe'\"");
    let e = parse_file("r.toml", &rs).unwrap_err();
    assert!(e.message.contains("injuries has no answer \"maybe\""), "{e}");
    let twice = vec![("a.toml".to_string(), phq.to_string()), ("b.toml".to_string(), phq.to_string())];
    assert!(InstrumentSet::load(&twice).unwrap_err()[0].message.contains("PHQ9 version 1 is defined twice"));
}

proptest! {
    #[test]
    fn a_total_is_always_the_sum_the_instrument_defines(
        phq in proptest::collection::vec(0u8..=3, 9),
        gad in proptest::collection::vec(0u8..=3, 7),
    ) {
        for (i, scores) in [(Instrument::Phq9, &phq), (Instrument::Gad7, &gad)] {
            let d = def(i);
            let answers: Answers = d.items.iter().zip(scores.iter())
                .map(|(item, s)| (item.id.clone(), Answer::Chosen(s.to_string()))).collect();
            let s = InstrumentSet::score(d, &answers).unwrap();
            let sum: u8 = scores.iter().sum();
            prop_assert_eq!(s.total, Some(sum));
            prop_assert_eq!(s.band.as_deref(), d.band(sum).map(|b| b.label.as_str()));
            if i == Instrument::Phq9 {
                prop_assert_eq!(s.suicide_risk, scores[8] > 0);
            }
            let kind = set().result(i, answers).unwrap();
            prop_assert_eq!(set().check_result(&kind), Ok(()));
        }
    }
}
