//! Closed sets of codes (ethnicity, religion, formats...) declared once with their labels.

/// A closed set of values, each with a stable code (used in files and the database) and a label.
pub trait CodeSet: Sized + Copy + Eq + 'static {
    /// Every value, in the order a form or a table presents them.
    const ALL: &'static [Self];
    /// What the set is called, for error messages ("ethnicity", "format").
    const NAME: &'static str;
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
    /// Parses a code, naming the set and listing the allowed codes when it is unknown.
    fn parse_code(code: &str) -> Result<Self, UnknownCode> {
        Self::from_code(code).ok_or_else(|| UnknownCode {
            set: Self::NAME,
            got: code.to_string(),
            allowed: Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {set} code {got:?} (allowed: {allowed})")]
pub struct UnknownCode {
    pub set: &'static str,
    pub got: String,
    pub allowed: String,
}

/// Declares an enum whose variants carry a code and a label, with `CodeSet` and serde-as-code.
#[macro_export]
macro_rules! code_set {
    ($(#[$m:meta])* $vis:vis enum $name:ident as $set:literal { $($(#[$vm:meta])* $v:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* $v),+ }

        impl $crate::codes::CodeSet for $name {
            const ALL: &'static [Self] = &[$(Self::$v),+];
            const NAME: &'static str = $set;
            fn code(self) -> &'static str { match self { $(Self::$v => $code),+ } }
            fn label(self) -> &'static str { match self { $(Self::$v => $label),+ } }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::codes::CodeSet::code(*self))
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <Self as $crate::codes::CodeSet>::parse_code(&s).map_err(::serde::de::Error::custom)
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::codes::CodeSet::label(*self))
            }
        }
    };
}
