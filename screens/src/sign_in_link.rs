//! The department's sign-in link, which fills the sign-in form (decision 028):
//! - `offduty://sign-in?server=<address>&email=<e-mail>` — the app's own scheme, for links in
//!   e-mails and QR codes; `server` is required, `email` optional;
//! - `https://<department server>/<any path>?email=<e-mail>` — a universal link (iOS) / app
//!   link (Android) served by the department's server: its origin is the server.
//!
//! Only the form is filled: the address is checked by the core's rule (https, or http to this
//! machine) and nothing is signed in until the officer submits.

use offduty_domain::validation::{Invalid, InvalidCode};

/// The app's URL scheme.
pub const SCHEME: &str = "offduty";
/// The host of the app-scheme sign-in link (`offduty://sign-in`).
pub const SIGN_IN_HOST: &str = "sign-in";

/// What a sign-in link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLink {
    /// The server address, not yet checked.
    pub server: String,
    pub email: Option<String>,
}

/// Why a link does not fill the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Not a sign-in link at all (another scheme, another offduty link, not a URL).
    NotOurs,
    /// An `offduty://sign-in` link without a `server`.
    NoServer,
    /// The server address is not one the core accepts.
    Server(Invalid),
}

impl LinkError {
    /// The stable code for the server field's error.
    pub fn code(&self) -> InvalidCode {
        match self {
            LinkError::NotOurs | LinkError::NoServer => InvalidCode::BadFormat,
            LinkError::Server(i) => i.code,
        }
    }
}

fn query(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Reads a sign-in link (the server address is not checked here).
pub fn parse(link: &str) -> Result<SignInLink, LinkError> {
    let url = url::Url::parse(link.trim()).map_err(|_| LinkError::NotOurs)?;
    let email = query(&url, "email");
    match url.scheme() {
        SCHEME if url.host_str() == Some(SIGN_IN_HOST) => Ok(SignInLink {
            server: query(&url, "server").ok_or(LinkError::NoServer)?,
            email,
        }),
        "https" | "http" if url.host_str().is_some() => Ok(SignInLink {
            server: url.origin().ascii_serialization(),
            email,
        }),
        _ => Err(LinkError::NotOurs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_link_names_the_server_and_maybe_the_email() {
        let l = parse(
            "offduty://sign-in?server=https%3A%2F%2Fdetail.columbus.example&email=dana%40columbus.example",
        )
        .unwrap();
        assert_eq!(l.server, "https://detail.columbus.example");
        assert_eq!(l.email.as_deref(), Some("dana@columbus.example"));
        let l = parse("offduty://sign-in?server=detail.columbus.example").unwrap();
        assert_eq!(l.server, "detail.columbus.example");
        assert_eq!(l.email, None);
        assert_eq!(
            parse("offduty://sign-in?email=a@b.c"),
            Err(LinkError::NoServer)
        );
    }

    #[test]
    fn a_web_link_is_on_the_server_it_names() {
        let l =
            parse("https://detail.columbus.example:8443/app/sign-in?email=a%40b.example").unwrap();
        assert_eq!(l.server, "https://detail.columbus.example:8443");
        assert_eq!(l.email.as_deref(), Some("a@b.example"));
    }

    #[test]
    fn other_links_are_not_sign_in_links() {
        for link in [
            "offduty://job/0190c2b1-0000-7000-8000-000000000000",
            "mailto:dana@columbus.example",
            "ftp://detail.columbus.example",
            "not a link",
            "",
        ] {
            assert_eq!(parse(link), Err(LinkError::NotOurs), "{link}");
        }
    }
}
