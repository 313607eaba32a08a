//! Typed validation errors: which field is at fault, a stable code a program can act on, and a
//! sentence a person can read. Every `validate` in this crate returns [`Invalid`]; the server
//! turns it into a 422 problem (`field`, `code`, `detail`) and the phone into a field error on
//! the screen, without either parsing the sentence.

use serde::{Deserialize, Serialize};

/// Why a value was refused, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvalidCode {
    /// A value is missing or blank.
    Required,
    /// Text or a list is longer than allowed.
    TooLong,
    /// A list has more items than allowed.
    TooMany,
    /// A number or time is outside its allowed range.
    OutOfRange,
    /// The value does not have the expected form (a time zone, a time of day, a key).
    BadFormat,
    /// The value contradicts another field (an end before its start, a window inverted).
    Inconsistent,
    /// A value appears twice where it must be unique.
    Duplicate,
}

impl InvalidCode {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidCode::Required => "required",
            InvalidCode::TooLong => "too_long",
            InvalidCode::TooMany => "too_many",
            InvalidCode::OutOfRange => "out_of_range",
            InvalidCode::BadFormat => "bad_format",
            InvalidCode::Inconsistent => "inconsistent",
            InvalidCode::Duplicate => "duplicate",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<InvalidCode> {
        Some(match s {
            "required" => InvalidCode::Required,
            "too_long" => InvalidCode::TooLong,
            "too_many" => InvalidCode::TooMany,
            "out_of_range" => InvalidCode::OutOfRange,
            "bad_format" => InvalidCode::BadFormat,
            "inconsistent" => InvalidCode::Inconsistent,
            "duplicate" => InvalidCode::Duplicate,
            _ => return None,
        })
    }
}

/// A value that fails validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct Invalid {
    /// JSON path of the field at fault, relative to the value validated (`quiet_hours[2].start`);
    /// callers that validate a part of a larger value prefix it with [`Invalid::within`].
    pub field: String,
    pub code: InvalidCode,
    /// A sentence a person can read (English; the code is what programs use).
    pub message: String,
}

impl Invalid {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, code: InvalidCode, message: impl Into<String>) -> Invalid {
        Invalid {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error, with its field placed under `parent` (`rules.limits` + `daily_hours`
    /// → `rules.limits.daily_hours`; an empty own field becomes `parent`).
    pub fn within(mut self, parent: &str) -> Invalid {
        self.field = match (parent.is_empty(), self.field.is_empty()) {
            (true, _) => self.field,
            (false, true) => parent.to_string(),
            (false, false) if self.field.starts_with('[') => format!("{parent}{}", self.field),
            (false, false) => format!("{parent}.{}", self.field),
        };
        self
    }
}

/// Checks a required text field: trimmed, not empty, at most `max` characters. Returns the
/// trimmed text.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let t = value.trim();
    if t.is_empty() {
        return Err(Invalid::new(
            field,
            InvalidCode::Required,
            "must not be empty",
        ));
    }
    let n = t.chars().count();
    if n > max {
        return Err(Invalid::new(
            field,
            InvalidCode::TooLong,
            format!("must be at most {max} characters (got {n})"),
        ));
    }
    Ok(t.to_string())
}

/// Checks an optional text field: trimmed, empty becomes `None`, at most `max` characters.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    match value.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_builds_json_paths() {
        let e = Invalid::new("start", InvalidCode::BadFormat, "x").within("quiet_hours[2]");
        assert_eq!(e.field, "quiet_hours[2].start");
        let e = Invalid::new("[0]", InvalidCode::Required, "x").within("groups");
        assert_eq!(e.field, "groups[0]");
        let e = Invalid::new("", InvalidCode::Inconsistent, "x").within("cancel_policy");
        assert_eq!(e.field, "cancel_policy");
        assert_eq!(e.clone().within("").field, "cancel_policy");
    }

    #[test]
    fn text_trims_and_counts_characters_not_bytes() {
        assert_eq!(text("t", "  Gate 3 ", 10).unwrap(), "Gate 3");
        assert_eq!(
            text("t", "   ", 10).unwrap_err().code,
            InvalidCode::Required
        );
        assert!(text("t", "ééééé", 5).is_ok());
        let e = text("t", "éééééé", 5).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("t", InvalidCode::TooLong));
        assert_eq!(optional_text("r", Some("  "), 5).unwrap(), None);
        assert_eq!(optional_text("r", None, 5).unwrap(), None);
    }

    #[test]
    fn codes_round_trip_their_wire_names() {
        for c in [
            InvalidCode::Required,
            InvalidCode::TooLong,
            InvalidCode::TooMany,
            InvalidCode::OutOfRange,
            InvalidCode::BadFormat,
            InvalidCode::Inconsistent,
            InvalidCode::Duplicate,
        ] {
            assert_eq!(InvalidCode::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.as_str().into())
            );
        }
    }
}
