//! Request extractors that turn every parse failure into a problem detail naming the field:
//! JSON bodies, query strings, path ids and the signed-in user.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::tokens::AccessClaims;
use crate::error::ApiError;
use offduty_domain::protocol::Role;

/// Largest accepted JSON body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A JSON body. Errors name the JSON path of the bad field (`actions[2].action.job_id`).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("application/json") || v.contains("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::malformed(
                None,
                "expected a JSON body with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(MAX_BODY_BYTES)
                } else {
                    ApiError::malformed(None, format!("could not read the body: {e}"))
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON with the path of the first error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        // The item of a list at the top of the body (`actions[2]…`), so a client can tell
        // which item of a batch is at fault without parsing the path.
        let mut segments = e.path().iter();
        let index = match (segments.next(), segments.next()) {
            (
                Some(serde_path_to_error::Segment::Map { .. }),
                Some(serde_path_to_error::Segment::Seq { index }),
            ) => u32::try_from(*index).ok(),
            _ => None,
        };
        let inner = e.into_inner();
        let field = if path == "." { None } else { Some(path) };
        let mut problem = match inner.classify() {
            serde_json::error::Category::Data => match field {
                Some(f) => ApiError::invalid(f, inner.to_string()),
                None => ApiError::invalid("body", inner.to_string()),
            },
            _ => ApiError::malformed(field, format!("invalid JSON: {inner}")),
        };
        problem.index = index;
        problem
    })
}

/// A query string. Errors name the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_deserializer(query);
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    "query".to_string()
                } else {
                    path
                };
                ApiError::invalid(field, e.into_inner().to_string())
            })
    }
}

fn serde_urlencoded_deserializer(
    query: &str,
) -> serde::de::value::MapDeserializer<
    'static,
    std::vec::IntoIter<(String, QueryValue)>,
    serde::de::value::Error,
> {
    let pairs: Vec<(String, QueryValue)> = form_pairs(query)
        .into_iter()
        .map(|(k, v)| (k, QueryValue(v)))
        .collect();
    serde::de::value::MapDeserializer::new(pairs.into_iter())
}

/// Splits and percent-decodes `a=1&b=x%20y`.
pub(crate) fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query value that deserializes as a string, number, bool or option, as the target asks.
struct QueryValue(String);

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for QueryValue {
    type Deserializer = QueryValueDeserializer;
    fn into_deserializer(self) -> Self::Deserializer {
        QueryValueDeserializer(self.0)
    }
}

/// Deserializer for one query value.
struct QueryValueDeserializer(String);

macro_rules! parse_num {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self.0.trim().parse::<$ty>() {
                Ok(v) => visitor.$visit(v),
                Err(_) => Err(serde::de::Error::custom(format!(
                    "expected a number, got {:?}",
                    self.0
                ))),
            }
        }
    };
}

impl<'de> serde::Deserializer<'de> for QueryValueDeserializer {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_string(self.0)
    }
    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }
    fn deserialize_bool<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0.as_str() {
            "true" | "1" => visitor.visit_bool(true),
            "false" | "0" => visitor.visit_bool(false),
            other => Err(serde::de::Error::custom(format!(
                "expected true or false, got {other:?}"
            ))),
        }
    }
    parse_num!(deserialize_u64, visit_u64, u64);
    parse_num!(deserialize_u32, visit_u32, u32);
    parse_num!(deserialize_i64, visit_i64, i64);
    parse_num!(deserialize_i32, visit_i32, i32);
    parse_num!(deserialize_f64, visit_f64, f64);
    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::IntoDeserializer;
        visitor.visit_enum(self.0.into_deserializer())
    }
    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u128 f32 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A UUID path segment; a malformed one is a 404 (no such record), not a 500.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("record"))?;
        Uuid::parse_str(&raw)
            .map(PathId)
            .map_err(|_| ApiError::not_found("record"))
    }
}

/// The signed-in user, from `Authorization: Bearer <access token>`, whose session is still
/// current (not disabled, reset or re-roled since the token was issued).
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub user_id: Uuid,
    pub department_id: Uuid,
    pub role: Role,
}

impl AuthUser {
    /// Refuses unless the user holds `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthorized(
                "send Authorization: Bearer <access token> (POST /v1/auth/login)",
            )
        })?;
        let claims = state
            .tokens
            .verify_access(token, chrono::Utc::now())
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;
        // Disabled, reset or re-roled since the token was issued: refused at once, whichever
        // process issued it (decision 017).
        crate::auth::sessions::check(&state.db.pool, &claims)
            .await?
            .map_err(|ended| ApiError::unauthorized(ended.explain()))?;
        let AccessClaims {
            sub, dept, role, ..
        } = claims;
        Ok(AuthUser {
            user_id: sub,
            department_id: dept,
            role,
        })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Q {
        cursor: Option<u64>,
        name: Option<String>,
    }

    #[test]
    fn query_values_decode_and_name_the_bad_parameter() {
        let q: Q =
            serde_path_to_error::deserialize(serde_urlencoded_deserializer("cursor=12&name=a%20b"))
                .unwrap();
        assert_eq!(q.cursor, Some(12));
        assert_eq!(q.name.as_deref(), Some("a b"));
        let err =
            serde_path_to_error::deserialize::<_, Q>(serde_urlencoded_deserializer("cursor=abc"))
                .unwrap_err();
        assert_eq!(err.path().to_string(), "cursor");
    }

    #[test]
    fn truncated_percent_escapes_are_kept_literally() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(percent_decode("%é"), "%é");
    }
}
