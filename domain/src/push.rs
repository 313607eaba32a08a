//! Push tokens: the address a phone's push service (Firebase Cloud Messaging on Android, the
//! Apple Push Notification service on iOS) gives the app, which the server keeps per device so
//! it can reach the officer's phone. Checked the same way by the phone before it sends one and
//! by the server before it keeps one.

use serde::{Deserialize, Serialize};

use crate::validation::{Invalid, InvalidCode};

/// The longest token accepted, in characters (FCM tokens are ~160, APNs device tokens 64 hex
/// digits; the margin allows for format changes).
pub const MAX_TOKEN_LEN: usize = 4096;

/// Which push service a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
}

impl PushPlatform {
    /// The lowercase name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PushPlatform::Fcm => "fcm",
            PushPlatform::Apns => "apns",
        }
    }

    /// Parses the lowercase name used in the database and on the wire.
    pub fn parse(s: &str) -> Option<PushPlatform> {
        match s {
            "fcm" => Some(PushPlatform::Fcm),
            "apns" => Some(PushPlatform::Apns),
            _ => None,
        }
    }
}

/// A device's push token: body of `PUT /v1/devices/{id}/push-token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushToken {
    pub platform: PushPlatform,
    /// The token the platform's push service issued to this app install.
    pub token: String,
}

impl PushToken {
    /// Checks the token: not blank, at most [`MAX_TOKEN_LEN`] characters, printable ASCII
    /// without spaces (what FCM and APNs issue); APNs tokens are hexadecimal.
    pub fn validate(&self) -> Result<(), Invalid> {
        let t = &self.token;
        if t.trim().is_empty() {
            return Err(Invalid::new("token", InvalidCode::Required, "is empty"));
        }
        let len = t.chars().count();
        if len > MAX_TOKEN_LEN {
            return Err(Invalid::new(
                "token",
                InvalidCode::TooLong,
                format!("is {len} characters long; at most {MAX_TOKEN_LEN} are allowed"),
            ));
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Invalid::new(
                "token",
                InvalidCode::BadFormat,
                "may hold printable ASCII characters only, without spaces",
            ));
        }
        if self.platform == PushPlatform::Apns && !t.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Invalid::new(
                "token",
                InvalidCode::BadFormat,
                "an APNs device token is hexadecimal",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(platform: PushPlatform, token: &str) -> PushToken {
        PushToken {
            platform,
            token: token.into(),
        }
    }

    #[test]
    fn real_looking_tokens_pass_and_bad_ones_name_the_field() {
        let fcm = "eXaMpLe:APA91bH-Zx_9".to_string() + &"a".repeat(140);
        assert!(token(PushPlatform::Fcm, &fcm).validate().is_ok());
        assert!(
            token(PushPlatform::Apns, &"0f".repeat(32))
                .validate()
                .is_ok()
        );
        for (t, code) in [
            (token(PushPlatform::Fcm, "  "), InvalidCode::Required),
            (token(PushPlatform::Fcm, "a b"), InvalidCode::BadFormat),
            (token(PushPlatform::Apns, "not-hex"), InvalidCode::BadFormat),
            (
                token(PushPlatform::Fcm, &"x".repeat(MAX_TOKEN_LEN + 1)),
                InvalidCode::TooLong,
            ),
        ] {
            let e = t.validate().unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("token", code), "{t:?}");
        }
    }

    #[test]
    fn platforms_round_trip_through_their_names() {
        for p in [PushPlatform::Fcm, PushPlatform::Apns] {
            assert_eq!(PushPlatform::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert_eq!(PushPlatform::parse("gcm"), None);
    }
}
