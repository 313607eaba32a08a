//! The department's officer directory, as officers may search it (to hand a shift to a named
//! colleague): who is listed (id, name, badge, rank — never contact details) and what a search
//! must look like. One place for the rule: the server validates the query with
//! [`search_query`], the phone checks it the same way before asking.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::eligibility::Rank;
use crate::validation::{Invalid, InvalidCode};

/// Shortest search, in characters (after trimming): fewer would list most of the department.
pub const MIN_QUERY_CHARS: usize = 2;
/// Longest search, in characters.
pub const MAX_QUERY_CHARS: usize = 64;
/// Matches returned when the caller names no limit.
pub const DEFAULT_LIMIT: u32 = 20;
/// Most matches one search returns.
pub const MAX_LIMIT: u32 = 50;

/// One officer of the department, as a colleague sees them in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    pub id: Uuid,
    pub display_name: String,
    pub badge: String,
    pub rank: Rank,
}

/// The search text: trimmed, [`MIN_QUERY_CHARS`] to [`MAX_QUERY_CHARS`] characters.
pub fn search_query(raw: &str) -> Result<String, Invalid> {
    let q = raw.trim();
    let n = q.chars().count();
    if n < MIN_QUERY_CHARS {
        return Err(Invalid::new(
            "q",
            if n == 0 {
                InvalidCode::Required
            } else {
                InvalidCode::OutOfRange
            },
            format!("type at least {MIN_QUERY_CHARS} letters of a name or a badge number"),
        ));
    }
    if n > MAX_QUERY_CHARS {
        return Err(Invalid::new(
            "q",
            InvalidCode::TooLong,
            format!("search with at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(q.to_string())
}

/// The number of matches to return: [`DEFAULT_LIMIT`] when unnamed, 1 to [`MAX_LIMIT`].
pub fn search_limit(raw: Option<u32>) -> Result<u32, Invalid> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(Invalid::new(
            "limit",
            InvalidCode::OutOfRange,
            format!("ask for 1 to {MAX_LIMIT} matches"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_needs_two_characters_and_at_most_sixty_four() {
        assert_eq!(
            search_query("").unwrap_err().code,
            InvalidCode::Required,
            "blank"
        );
        assert_eq!(
            search_query("  r ").unwrap_err().code,
            InvalidCode::OutOfRange
        );
        assert_eq!(search_query(" Re ").unwrap(), "Re");
        assert_eq!(
            search_query(&"x".repeat(65)).unwrap_err().code,
            InvalidCode::TooLong
        );
        assert_eq!(search_query("é1").unwrap(), "é1", "characters, not bytes");
    }

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(search_limit(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(search_limit(Some(5)).unwrap(), 5);
        assert!(search_limit(Some(0)).is_err());
        assert!(search_limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
