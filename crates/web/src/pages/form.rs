//! What every task page's form shares: the submitted pairs, the errors shown beside fields, and
//! the few ways of reading them.

use throughcare_core::Person;
use throughcare_core::codes::CodeSet;

/// Field and message, in the order the error summary lists them.
pub type Errors = Vec<(&'static str, String)>;
/// A submitted form as name and value pairs (a checkbox group repeats its name).
pub type Pairs = Vec<(String, String)>;

/// One field's value, trimmed; empty when absent.
pub fn value<'a>(form: &'a Pairs, k: &str) -> &'a str {
    form.iter().find(|(f, _)| f == k).map_or("", |(_, v)| v.trim())
}

/// A yes/no select: true or false, or the message beside the field when neither was chosen.
pub fn yes_no(form: &Pairs, field: &'static str, message: &str, errors: &mut Errors) -> Option<bool> {
    match value(form, field) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push((field, message.into()));
            None
        }
    }
}

/// Every value of a repeated field (ticked checkboxes).
pub fn values<'a>(form: &'a Pairs, k: &'a str) -> impl Iterator<Item = &'a str> {
    form.iter().filter(move |(f, _)| f == k).map(|(_, v)| v.as_str())
}

/// The message for a field, if it has one.
pub fn error_for<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
}

/// A code set as (code, label) options for radios and selects.
pub fn codes<T: CodeSet>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

/// A person's name as a page heading shows it.
pub fn name(p: &Person) -> String {
    format!("{} {}", p.given_name.as_str(), p.family_name.as_str())
}

/// What a task page's template reads of its form: the message beside a field and the value to
/// show again. For page structs with `form: Pairs` and `errors: Errors`.
macro_rules! task_page {
    ($($page:ty),+ $(,)?) => {$(
        impl $page {
            fn error_for(&self, field: &str) -> Option<&str> {
                $crate::pages::form::error_for(&self.errors, field)
            }
            fn value(&self, field: &str) -> &str {
                $crate::pages::form::value(&self.form, field)
            }
        }
    )+};
}
pub(crate) use task_page;
