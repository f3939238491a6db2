//! Independent scrutiny of discrimination complaints: the quarter's random sample (at least 5%
//! or 10, PSO 2800's rule) and the anonymised text an external panel reads.

use std::fmt;

use jiff::civil::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::ids::EventId;

/// A calendar quarter ("2026-Q4": October to December).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i16,
    pub q: u8,
}

impl Quarter {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a quarter: write it as 2026-Q4");
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i16 = y.parse().map_err(|_| bad())?;
        let q: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, q })
    }
    pub fn of(d: Date) -> Self {
        Self { year: d.year(), q: ((d.month() - 1) / 3 + 1) as u8 }
    }
    pub fn first_day(self) -> Date {
        Date::new(self.year, (self.q as i8 - 1) * 3 + 1, 1).expect("a quarter starts on a real day")
    }
    /// The first day of the next quarter (the end, exclusive).
    pub fn end(self) -> Date {
        if self.q == 4 { Quarter { year: self.year + 1, q: 1 } } else { Quarter { year: self.year, q: self.q + 1 } }
            .first_day()
    }
    pub fn previous(self) -> Self {
        if self.q == 1 { Quarter { year: self.year - 1, q: 4 } } else { Quarter { year: self.year, q: self.q - 1 } }
    }
    /// "October to December 2026".
    pub fn label(self) -> String {
        let months = ["January to March", "April to June", "July to September", "October to December"];
        format!("{} {}", months[usize::from(self.q - 1)], self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// The sample rule: a share of the answered complaints, but never fewer than a minimum (or all of
/// them, when there are fewer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleRule {
    pub share: f64,
    pub at_least: usize,
}

/// PSO 2800 (2006): "5% of investigation reports or at least 10, whichever is more". A local
/// default: no current national rule was found (research/pathways.md section 3).
pub const DEFAULT_RULE: SampleRule = SampleRule { share: 0.05, at_least: 10 };

impl SampleRule {
    pub fn size(self, answered: usize) -> usize {
        let share = (answered as f64 * self.share).ceil() as usize;
        share.max(self.at_least).min(answered)
    }
}

/// Draws the sample at random from the quarter's answered complaints. The seed is kept with the
/// sample, so anyone can draw it again and see it was not chosen by hand.
pub fn draw(answered: &[EventId], rule: SampleRule, seed: u64) -> Vec<EventId> {
    let mut ids = answered.to_vec();
    ids.sort();
    ids.dedup();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut picked: Vec<EventId> =
        rand::seq::index::sample(&mut rng, ids.len(), rule.size(ids.len())).into_iter().map(|i| ids[i]).collect();
    picked.sort();
    picked
}

/// Replaces names and identifiers in free text before a panel reads it: every name and prison
/// number it is given, anything shaped like a prison or NHS number, and the phrases the equality
/// lead marked for redaction.
#[derive(Debug, Clone, Default)]
pub struct Anonymiser {
    /// Text to find (keyed by its length, longest first, so a full name goes before a surname, and
    /// by its lower case, so each is kept once) and what to put instead.
    replace: std::collections::BTreeMap<(std::cmp::Reverse<usize>, String), (String, String)>,
}

impl Anonymiser {
    /// `text` is replaced by `with` wherever it appears, whatever its case. Words under three
    /// letters are skipped: "Al" would otherwise take the "al" out of every "also".
    pub fn add(&mut self, text: &str, with: &str) {
        let t = text.trim();
        let n = t.chars().count();
        if n < 3 {
            return;
        }
        self.replace
            .entry((std::cmp::Reverse(n), t.to_ascii_lowercase()))
            .or_insert_with(|| (t.to_string(), with.to_string()));
    }

    /// A person's or a member of staff's name: the whole name, and each part of it that is a
    /// name (capitalised), so "Jones" goes wherever it is written but "and" in "Equality and
    /// diversity lead" stays.
    pub fn add_name(&mut self, name: &str, with: &str) {
        self.add(name, with);
        for part in name.split([' ', '.', '-', ',']) {
            if part.chars().next().is_some_and(char::is_uppercase) {
                self.add(part, with);
            }
        }
    }

    /// A username (sam.jones): whole, and each of its parts as a name.
    pub fn add_username(&mut self, username: &str, with: &str) {
        self.add(username, with);
        for part in username.split(['.', '-', '_']) {
            let mut cs = part.chars();
            if let Some(first) = cs.next() {
                self.add(&format!("{}{}", first.to_uppercase(), cs.as_str()), with);
            }
        }
    }

    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (find, with) in self.replace.values() {
            out = replace_ignoring_case(&out, find, with);
        }
        mask_identifiers(&out)
    }
}

fn replace_ignoring_case(text: &str, find: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    let needle = find.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII: fall back to an exact match there.
    if lower.len() != text.len() || needle.len() != find.len() {
        return text.replace(find, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(at) = lower[i..].find(&needle) {
        let start = i + at;
        let end = start + needle.len();
        let word_start = start == 0 || !text[..start].chars().next_back().is_some_and(char::is_alphanumeric);
        let word_end = end == text.len() || !text[end..].chars().next().is_some_and(char::is_alphanumeric);
        out.push_str(&text[i..start]);
        if word_start && word_end {
            out.push_str(with);
        } else {
            out.push_str(&text[start..end]);
        }
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

/// Prison numbers (A1234BC) and NHS numbers (ten digits, or 3-3-4 with spaces), wherever they
/// appear as words of their own.
fn mask_identifiers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < n {
        if i == 0 || !chars[i - 1].is_alphanumeric() {
            if let Some((len, label)) = identifier_at(&chars[i..]) {
                if i + len == n || !chars[i + len].is_alphanumeric() {
                    out.push_str(label);
                    i += len;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn identifier_at(w: &[char]) -> Option<(usize, &'static str)> {
    let digit = |c: &char| c.is_ascii_digit();
    if w.len() >= 7
        && w[0].is_ascii_alphabetic()
        && w[1..5].iter().all(digit)
        && w[5..7].iter().all(char::is_ascii_alphabetic)
    {
        return Some((7, "[prison number]"));
    }
    if w.len() >= 12 && w[..12].iter().enumerate().all(|(k, c)| if k == 3 || k == 7 { *c == ' ' } else { digit(c) }) {
        return Some((12, "[NHS number]"));
    }
    if w.len() >= 10 && w[..10].iter().all(digit) {
        return Some((10, "[NHS number]"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_five_percent_or_ten_whichever_is_more() {
        assert_eq!(DEFAULT_RULE.size(4), 4);
        assert_eq!(DEFAULT_RULE.size(10), 10);
        assert_eq!(DEFAULT_RULE.size(150), 10);
        assert_eq!(DEFAULT_RULE.size(201), 11);
        assert_eq!(DEFAULT_RULE.size(400), 20);
    }

    #[test]
    fn the_draw_is_random_but_the_same_again_from_its_seed() {
        let ids: Vec<EventId> = (0..60u8).map(|n| EventId::from_random_bytes([n; 16])).collect();
        let a = draw(&ids, DEFAULT_RULE, 7);
        assert_eq!(a.len(), 10);
        assert_eq!(a, draw(&ids, DEFAULT_RULE, 7));
        let mut shuffled = ids.clone();
        shuffled.reverse();
        assert_eq!(a, draw(&shuffled, DEFAULT_RULE, 7), "the order complaints arrive in does not matter");
        assert_ne!(a, draw(&ids, DEFAULT_RULE, 8));
        assert!(a.iter().all(|x| ids.contains(x)));
    }

    #[test]
    fn names_and_numbers_are_replaced_and_marked_phrases_redacted() {
        let mut an = Anonymiser::default();
        an.add_name("Darius Okafor", "Person A");
        an.add_username("officer.jones", "Member of staff 1");
        an.add_name("Sam Jones", "Member of staff 1");
        an.add("the tall one from B wing", "[redacted]");
        let out = an.apply(
            "Mr Okafor (A1234BC) says Officer Jones and sam jones, the tall one from B wing, \
             called DARIUS names; NHS 943 476 5919 and 9434765919. Jonesy also saw it.",
        );
        for gone in ["Okafor", "A1234BC", "Jones ", "jones", "DARIUS", "B wing", "943 476 5919", "9434765919"] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        assert!(out.contains("Person A") && out.contains("Member of staff 1") && out.contains("[redacted]"));
        assert!(out.contains("[prison number]") && out.contains("[NHS number]"));
        // Only whole words: "Jonesy" is another word, and "also" keeps its letters.
        assert!(out.contains("Jonesy also saw it"), "{out}");
        // Parts of a name that are ordinary words are left alone.
        let mut an = Anonymiser::default();
        an.add_name("Demo Equality and diversity lead", "[staff]");
        assert_eq!(an.apply("Treated unfairly and laughed at"), "Treated unfairly and laughed at");
    }

    #[test]
    fn quarters() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.first_day(), Date::new(2026, 10, 1).unwrap());
        assert_eq!(q.end(), Date::new(2027, 1, 1).unwrap());
        assert_eq!(Quarter::of(Date::new(2026, 12, 7).unwrap()), q);
        assert_eq!(q.previous().to_string(), "2026-Q3");
        assert_eq!(q.label(), "October to December 2026");
        assert!(Quarter::parse("2026-Q5").is_err());
    }
}
