//! The kiosk's words in English and Welsh, from Fluent files a translator can work on
//! (`crates/web/locales/{en,cy}/kiosk.ftl`).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use jiff::Timestamp;

pub const EN_FTL: &str = include_str!("../../locales/en/kiosk.ftl");
pub const CY_FTL: &str = include_str!("../../locales/cy/kiosk.ftl");

/// The languages the kiosk speaks (HMPPS Welsh Language Scheme: English and Welsh first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Cy,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Lang::En),
            "cy" => Some(Lang::Cy),
            _ => None,
        }
    }
    /// The language a speech synthesiser should use.
    pub fn speech(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            Lang::Cy => "cy-GB",
        }
    }
}

fn bundle(lang: &str, ftl: &'static str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.parse().expect("a valid language id");
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks are for mixing scripts; in HTML they only get in the way of copying text.
    b.set_use_isolating(false);
    let res = FluentResource::try_new(ftl.to_string()).unwrap_or_else(|(_, e)| panic!("{lang} kiosk.ftl: {e:?}"));
    b.add_resource(res).unwrap_or_else(|e| panic!("{lang} kiosk.ftl: {e:?}"));
    b
}

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN_FTL));
static CY: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("cy", CY_FTL));

/// The words of one page in one language: `t("id")`, or `a("id", &[("name", value)])`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    fn bundle(&self) -> &'static FluentBundle<FluentResource> {
        match self.lang {
            Lang::En => &EN,
            Lang::Cy => &CY,
        }
    }

    /// A message with arguments. A missing message falls back to English, then to its id:
    /// a test keeps every id present in both files.
    pub fn a(&self, id: &str, args: &[(&str, String)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            // Numbers stay numbers so plural rules apply ("1 minute", "5 minutes").
            match v.parse::<i64>() {
                Ok(n) => fargs.set(*k, n),
                Err(_) => fargs.set(*k, v.clone()),
            }
        }
        for b in [self.bundle(), &*EN] {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = vec![];
                return b.format_pattern(pattern, Some(&fargs), &mut errors).into_owned();
            }
        }
        id.to_string()
    }

    pub fn t(&self, id: &str) -> String {
        self.a(id, &[])
    }

    /// Whether a message exists (for labels built from codes).
    pub fn has(&self, id: &str) -> bool {
        self.bundle().has_message(id)
    }

    /// "2 December 2026 at 8:05am" in English, "2 Rhagfyr 2026 am 8:05yb" in Welsh: UK time.
    pub fn when(&self, t: Timestamp) -> String {
        let z = throughcare_core::time::london().to_datetime(t);
        let (h, m) = (z.hour(), z.minute());
        let hour12 = if h % 12 == 0 { 12 } else { h % 12 };
        let time = format!("{hour12}:{m:02}{}", self.t(if h < 12 { "time-am" } else { "time-pm" }));
        self.a(
            "date-time",
            &[
                ("day", z.day().to_string()),
                ("month", self.t(&format!("month-{}", z.month()))),
                ("year", z.year().to_string()),
                ("time", time),
            ],
        )
    }

    /// "2 December 2026" in the page's language.
    pub fn day(&self, d: jiff::civil::Date) -> String {
        self.a(
            "date-only",
            &[
                ("day", d.day().to_string()),
                ("month", self.t(&format!("month-{}", d.month()))),
                ("year", d.year().to_string()),
            ],
        )
    }
}

/// The message ids a Fluent file defines.
pub fn ids(ftl: &str) -> Vec<String> {
    let res = FluentResource::try_new(ftl.to_string()).unwrap_or_else(|(_, e)| panic!("{e:?}"));
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughcare_core::codes::CodeSet;

    /// Every message id the kiosk can ask for: those written in its templates and code, and those
    /// built from codes (categories, outcomes, characteristics and their values, months).
    fn used_ids() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        for sub in ["templates/kiosk", "src/kiosk"] {
            for f in std::fs::read_dir(dir.join(sub)).unwrap() {
                let path = f.unwrap().path();
                sources.push((path.extension().is_some_and(|e| e == "rs"), std::fs::read_to_string(path).unwrap()));
            }
        }
        let mut ids = Vec::new();
        for (rust, text) in &sources {
            for call in [".t(\"", ".a(\""] {
                for part in text.split(call).skip(1) {
                    let id: String =
                        part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                    if !id.is_empty() && !part[id.len()..].starts_with('{') {
                        ids.push(id);
                    }
                }
            }
            // Ids chosen in code by name: `=> "ask-sent"`, `("help-kind-listener"`.
            for part in text.split('"').skip(1).step_by(2).filter(|_| *rust) {
                let known = ["ask-", "help-", "read-", "change-", "signed-", "timed-", "plan-item-", "me-", "sign-in-"];
                if known.iter().any(|k| part.starts_with(k)) && part.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    ids.push(part.to_string());
                }
            }
        }
        use throughcare_core::event::{RequestCategory, RequestOutcome};
        for c in throughcare_core::pathways::requests::kiosk_categories() {
            ids.push(format!("category-{}", c.code()));
            ids.push(format!("category-{}-hint", c.code()));
        }
        let _ = RequestCategory::ALL;
        for o in RequestOutcome::ALL {
            ids.push(format!("outcome-{}", o.code()));
        }
        for s in ["NEW", "IN_PROGRESS", "ANSWERED"] {
            ids.push(format!("status-{s}"));
        }
        for f in throughcare_core::communication::FamilyInvolvement::ALL {
            ids.push(format!("me-family-involve-{}", f.code()));
        }
        for c in super::super::pages::SELF_DECLARED {
            ids.push(format!("ch-{}", c.code()));
            for (code, _) in throughcare_core::characteristics::options(*c).unwrap() {
                ids.push(format!("val-{}-{code}", c.code()));
            }
        }
        for m in 1..=12 {
            ids.push(format!("month-{m}"));
        }
        ids.sort();
        ids.dedup();
        ids
    }

    #[test]
    fn every_kiosk_string_is_in_english_and_in_welsh() {
        let (en, cy) = (ids(EN_FTL), ids(CY_FTL));
        let missing_cy: Vec<_> = en.iter().filter(|i| !cy.contains(i)).collect();
        let missing_en: Vec<_> = cy.iter().filter(|i| !en.contains(i)).collect();
        assert!(missing_cy.is_empty(), "no Welsh for {missing_cy:?}");
        assert!(missing_en.is_empty(), "no English for {missing_en:?}");
        let used = used_ids();
        assert!(used.len() > 150, "the scan finds the kiosk's ids ({})", used.len());
        let unknown: Vec<_> = used.iter().filter(|i| !en.contains(i)).collect();
        assert!(unknown.is_empty(), "used but in neither file: {unknown:?}");
        // Every message formats in both languages without a Fluent error.
        for id in &en {
            for lang in [Lang::En, Lang::Cy] {
                let b = Tr { lang };
                let bundle = b.bundle();
                let msg = bundle.get_message(id).unwrap();
                let mut errors = vec![];
                let mut args = FluentArgs::new();
                for k in ["minutes", "name", "when", "what", "title", "day", "month", "year", "time", "max"] {
                    args.set(k, "1");
                }
                bundle.format_pattern(msg.value().unwrap(), Some(&args), &mut errors);
                assert!(errors.is_empty(), "{id} in {}: {errors:?}", lang.code());
            }
        }
    }

    #[test]
    fn dates_read_in_each_language_in_uk_time() {
        let t: Timestamp = "2026-12-02T08:05:00Z".parse().unwrap();
        assert_eq!(Tr { lang: Lang::En }.when(t), "2 December 2026 at 8:05am");
        assert_eq!(Tr { lang: Lang::Cy }.when(t), "2 Rhagfyr 2026 am 8:05yb");
        // Summer time: 23:30 UTC on 1 July is 00:30 on 2 July in the UK.
        let bst: Timestamp = "2026-07-01T23:30:00Z".parse().unwrap();
        assert_eq!(Tr { lang: Lang::En }.when(bst), "2 July 2026 at 12:30am");
        assert_eq!(Tr { lang: Lang::Cy }.a("sign-in-wait", &[("minutes", "1".into())]).contains("1 munud"), true);
        assert!(Tr { lang: Lang::En }.a("sign-in-wait", &[("minutes", "4".into())]).contains("4 minutes"));
    }
}
