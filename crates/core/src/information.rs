//! The information library: what people in prison are given to read, each item in the formats and
//! languages they can use (`standards/reference/information.toml`), and the induction pack.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use crate::codes::CodeSet;
use crate::communication::{CommunicationProfile, Format, Language};
use crate::standards::{StandardsError, line_of};

/// The drawings an easy-read line may use (crates/web/assets/pictures/NAME.svg).
pub const PICTURES: &[&str] = &[
    "baby", "bell", "book", "calendar", "clock", "door", "family", "house", "letter", "lock", "nurse", "phone", "pill",
    "question", "scales", "screen", "talk",
];

/// The easy-read rule for a sentence (gov.uk accessible communication formats: 10-15 words).
pub const MAX_WORDS: usize = 15;

/// One line of an easy-read version: a short sentence or two, with a picture that supports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub picture: String,
    pub text: String,
}

/// What a version holds: paragraphs of plain text, easy-read lines, or a link (a BSL video).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Paragraphs(Vec<String>),
    Lines(Vec<Line>),
    Link(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub format: Format,
    pub language: Language,
    pub content: Content,
}

impl Version {
    /// The words of this version, for reading aloud and searching.
    pub fn words(&self) -> Vec<&str> {
        match &self.content {
            Content::Paragraphs(p) => p.iter().map(String::as_str).collect(),
            Content::Lines(l) => l.iter().map(|l| l.text.as_str()).collect(),
            Content::Link(_) => vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    /// Part of the induction pack every new reception is given.
    pub induction: bool,
    /// The title in each language it has; English always.
    pub titles: BTreeMap<String, String>,
    pub source: String,
    pub versions: Vec<Version>,
}

impl Item {
    pub fn title(&self, language: &str) -> &str {
        self.titles.get(language).or_else(|| self.titles.get("en")).map_or(self.id.as_str(), String::as_str)
    }

    /// The version to give someone who needs `formats` (most preferred first) in `language`:
    /// their first format that exists in their language, then in English, then easy read.
    /// The second value is true when the language asked for was not available.
    pub fn version_for(&self, formats: &[Format], language: &str) -> (&Version, bool) {
        let find = |f: Format, l: &str| self.versions.iter().find(|v| v.format == f && v.language.as_str() == l);
        for lang in [language, "en"] {
            for f in formats.iter().flat_map(|f| served_by(*f)) {
                if let Some(v) = find(*f, lang) {
                    return (v, lang != language);
                }
            }
        }
        let easy = find(Format::EasyRead, language).map(|v| (v, false));
        easy.unwrap_or_else(|| (find(Format::EasyRead, "en").expect("every item has an English easy read"), true))
    }
}

/// Which stored versions meet a need, best first: large print is the written text at a larger
/// size; pictures and reading aloud are best served by easy read.
fn served_by(f: Format) -> &'static [Format] {
    match f {
        Format::Written => &[Format::Written],
        Format::LargePrint => &[Format::LargePrint, Format::Written],
        Format::Braille => &[Format::Braille, Format::Written],
        Format::EasyRead => &[Format::EasyRead],
        Format::Signing => &[Format::Signing, Format::EasyRead],
        Format::Visual => &[Format::Visual, Format::EasyRead],
        Format::Verbal => &[Format::Verbal, Format::EasyRead],
    }
}

/// Every item, in the order of its file.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    item: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    induction: bool,
    title: Spanned<BTreeMap<String, String>>,
    source: String,
    version: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    format: Spanned<String>,
    language: Spanned<String>,
    text: Option<String>,
    lines: Option<Vec<Spanned<Line>>>,
    link: Option<String>,
}

/// The library shipped with throughcare.
pub const BUILTIN: (&str, &str) =
    ("standards/reference/information.toml", include_str!("../../../standards/reference/information.toml"));

impl Library {
    /// The built-in library. Its file is tested to load, so this cannot fail in a release.
    pub fn builtin() -> Self {
        Self::load(BUILTIN.0, BUILTIN.1).unwrap_or_else(|e| panic!("the built-in information library: {e}"))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The induction pack, in the order of the library.
    pub fn induction_pack(&self) -> Vec<&Item> {
        self.items.iter().filter(|i| i.induction).collect()
    }

    /// The format and language to give the induction pack in, from the person's communication
    /// needs (easy read where no profile is recorded: nobody is assumed to read well).
    pub fn pack_format(profile: Option<&CommunicationProfile>) -> (Format, String) {
        match profile {
            Some(p) if p.learning_disability || p.literacy_support => (Format::EasyRead, p.language.as_str().into()),
            Some(p) => (p.formats[0], p.language.as_str().into()),
            None => (Format::EasyRead, "en".into()),
        }
    }

    /// Loads a library file; an error names the file and line at fault.
    pub fn load(file: &str, text: &str) -> Result<Self, StandardsError> {
        let err =
            |offset: usize, message: String| StandardsError { file: file.into(), line: line_of(text, offset), message };
        let raw: RawFile =
            toml::from_str(text).map_err(|e| err(e.span().map_or(0, |s| s.start), e.message().into()))?;
        let mut items = Vec::new();
        let mut ids = HashSet::new();
        for it in raw.item {
            let id = it.id.get_ref().clone();
            let at = it.id.span().start;
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                return Err(err(at, format!("id {id:?}: use lower-case words joined by hyphens")));
            }
            if !ids.insert(id.clone()) {
                return Err(err(at, format!("id {id:?} is used twice")));
            }
            if !it.title.get_ref().contains_key("en") {
                return Err(err(it.title.span().start, format!("{id}: give an English title (en)")));
            }
            for lang in it.title.get_ref().keys() {
                Language::parse(lang).map_err(|e| err(it.title.span().start, format!("{id}: title: {e}")))?;
            }
            let mut versions = Vec::new();
            for v in it.version {
                let vat = v.format.span().start;
                let format = Format::parse_code(v.format.get_ref()).map_err(|e| err(vat, format!("{id}: {e}")))?;
                let language = Language::parse(v.language.get_ref())
                    .map_err(|e| err(v.language.span().start, format!("{id}: {e}")))?;
                if versions.iter().any(|x: &Version| x.format == format && x.language == language) {
                    return Err(err(vat, format!("{id}: two {} versions in {}", format.code(), language.as_str())));
                }
                let content = match (v.text, v.lines, v.link) {
                    (Some(t), None, None) if format != Format::EasyRead => Content::Paragraphs(
                        t.split("\n\n").map(|p| p.trim().replace('\n', " ")).filter(|p| !p.is_empty()).collect(),
                    ),
                    (None, Some(lines), None) if format == Format::EasyRead => {
                        for l in &lines {
                            check_line(l.get_ref()).map_err(|m| err(l.span().start, format!("{id}: {m}")))?;
                        }
                        Content::Lines(lines.into_iter().map(Spanned::into_inner).collect())
                    }
                    (None, None, Some(link)) if link.starts_with("https://") => Content::Link(link),
                    _ => {
                        return Err(err(
                            vat,
                            format!(
                                "{id}: a version has one of `text` (written formats), `lines` (easy read) or `link` (https)"
                            ),
                        ));
                    }
                };
                versions.push(Version { format, language, content });
            }
            if !versions.iter().any(|v| v.format == Format::EasyRead && v.language.as_str() == "en") {
                return Err(err(at, format!("{id}: every item needs an easy-read version in English")));
            }
            items.push(Item {
                id,
                induction: it.induction,
                titles: it.title.into_inner(),
                source: it.source,
                versions,
            });
        }
        Ok(Self { items })
    }
}

/// An easy-read line: a known picture, and sentences of at most [`MAX_WORDS`] words.
fn check_line(l: &Line) -> Result<(), String> {
    if !PICTURES.contains(&l.picture.as_str()) {
        return Err(format!("unknown picture {:?}: use one of {}", l.picture, PICTURES.join(", ")));
    }
    if l.text.trim().is_empty() {
        return Err("an easy-read line needs its words".into());
    }
    for sentence in l.text.split(['.', '?', '!']) {
        let n = sentence.split_whitespace().count();
        if n > MAX_WORDS {
            return Err(format!("\"{}\" has {n} words: easy read keeps a sentence to {MAX_WORDS}", sentence.trim()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_library_loads_and_every_item_has_easy_read_in_english_and_welsh() {
        let lib = Library::builtin();
        assert!(lib.items.len() >= 8);
        for item in &lib.items {
            for lang in ["en", "cy"] {
                assert!(
                    item.versions.iter().any(|v| v.format == Format::EasyRead && v.language.as_str() == lang),
                    "{} has no easy read in {lang}",
                    item.id
                );
                assert!(item.titles.contains_key(lang), "{} has no title in {lang}", item.id);
            }
        }
        assert!(lib.induction_pack().iter().any(|i| i.id == "induction"));
    }

    #[test]
    fn a_version_is_chosen_by_the_persons_formats_then_language() {
        let lib = Library::builtin();
        let item = lib.item("rules").unwrap();
        let (v, fallback) = item.version_for(&[Format::LargePrint], "en");
        assert_eq!((v.format, fallback), (Format::Written, false));
        // No written Welsh: a Welsh reader who reads well is given the written English.
        let (v, fallback) = item.version_for(&[Format::Written], "cy");
        assert_eq!((v.format, v.language.as_str(), fallback), (Format::Written, "en", true));
        let (v, fallback) = item.version_for(&[Format::Verbal, Format::Written], "cy");
        assert_eq!((v.format, v.language.as_str(), fallback), (Format::EasyRead, "cy", false));
        // A language the library lacks: easy read in English, marked as a fallback.
        let (v, fallback) = item.version_for(&[Format::EasyRead], "pl");
        assert_eq!((v.format, v.language.as_str(), fallback), (Format::EasyRead, "en", true));
    }

    #[test]
    fn bad_files_are_refused_naming_the_line() {
        let long = "[[item]]\nid = \"x\"\ninduction = false\ntitle = { en = \"X\" }\nsource = \"s\"\n[[item.version]]\nformat = \"EASY_READ\"\nlanguage = \"en\"\nlines = [\n  { picture = \"door\", text = \"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen\" },\n]\n";
        let e = Library::load("info.toml", long).unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        assert!(e.message.contains("has 16 words"), "{e}");
        let no_easy = "[[item]]\nid = \"x\"\ninduction = false\ntitle = { en = \"X\" }\nsource = \"s\"\n[[item.version]]\nformat = \"WRITTEN\"\nlanguage = \"en\"\ntext = \"Hello\"\n";
        let e = Library::load("info.toml", no_easy).unwrap_err();
        assert!(e.message.contains("needs an easy-read version in English"), "{e}");
        assert_eq!(e.line, 2);
        let picture = long.replace("door", "dragon").replace(" sixteen", "");
        assert!(Library::load("info.toml", &picture).unwrap_err().message.contains("unknown picture \"dragon\""));
    }
}
