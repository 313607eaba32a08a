//! Field checks shared by every form the server accepts (jobs, accounts, rosters): bounded
//! trimmed text and e-mail addresses. Each refusal names the field.

use crate::error::ApiError;

/// Trimmed `v`, refused when empty or longer than `max` characters.
pub fn text(field: &str, v: &str, max: usize) -> Result<String, ApiError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    printable(field, t)?;
    Ok(t.to_string())
}

/// Refuses control characters other than line breaks and tabs (a NUL cannot even be stored
/// in PostgreSQL's text).
pub fn printable(field: &str, v: &str) -> Result<(), ApiError> {
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// The form an e-mail address is stored and looked up in: trimmed, lowercase.
pub fn normalize_email(e: &str) -> String {
    e.trim().to_lowercase()
}

/// A normalized e-mail address, refused when it cannot be one.
pub fn email(field: &str, e: &str) -> Result<String, ApiError> {
    let e = normalize_email(e);
    let plausible = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if plausible {
        Ok(e)
    } else {
        Err(ApiError::invalid(
            field,
            "enter an e-mail address such as name@department.gov",
        ))
    }
}

/// A list of names (certifications, groups): each trimmed, 1 to 40 characters, no repeats.
pub fn names(field: &str, items: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let t = text(&format!("{field}[{i}]"), item, 40)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalized_and_checked() {
        assert_eq!(email("e", "  Ann@CPD.gov ").unwrap(), "ann@cpd.gov");
        for bad in ["", "ann", "@cpd.gov", "ann@", "a@b@c", "a b@c.d"] {
            assert_eq!(email("e", bad).unwrap_err().field.as_deref(), Some("e"));
        }
    }

    #[test]
    fn names_are_trimmed_deduplicated_and_bounded() {
        let got = names("certs", &[" flagger".into(), "flagger".into(), "k9".into()]).unwrap();
        assert_eq!(got, ["flagger", "k9"]);
        let err = names("certs", &["ok".into(), " ".into()]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("certs[1]"));
    }
}
