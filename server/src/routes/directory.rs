//! `GET /v1/directory?q=`: the department's active officers as colleagues may search them, to
//! hand a shift to a named officer — id, name, badge and rank only (no e-mail, no phone, no
//! certifications or seniority), scoped to the caller's department, a short query required
//! and the answer capped (`offduty_domain::directory` holds the limits).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sqlx::Any;

use offduty_domain::directory::{self, DirectoryEntry};
use offduty_domain::eligibility::Rank;
use offduty_domain::protocol::Role;

use crate::app::AppState;
use crate::db::{DbError, get, get_uuid};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, AuthUser};

/// Query of `GET /v1/directory`.
#[derive(Debug, Deserialize)]
pub struct DirectoryQuery {
    /// Part of a name or badge number (2 to 64 characters).
    pub q: Option<String>,
    /// At most this many matches (default 20, max 50).
    pub limit: Option<u32>,
}

/// `LIKE` pattern matching `q` anywhere, case-insensitively (`%`, `_` and `\` taken literally).
fn contains_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// `GET /v1/directory` (officers and coordinators): active officers of the caller's department
/// whose name or badge contains `q`, by name.
pub async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> ApiResult<Json<Vec<DirectoryEntry>>> {
    if !matches!(user.role, Role::Officer | Role::Coordinator) {
        return Err(ApiError::forbidden(
            "the directory is for the department's officers and coordinators",
        ));
    }
    let q = directory::search_query(query.q.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid_at("", e))?;
    let limit = directory::search_limit(query.limit).map_err(|e| ApiError::invalid_at("", e))?;
    let pattern = contains_pattern(&q);
    let rows = sqlx::query::<Any>(
        "SELECT u.id, u.display_name, u.badge, u.rank FROM users u \
         WHERE u.department_id = $1 AND u.role = $2 AND u.disabled = 0 \
         AND (LOWER(u.display_name) LIKE $3 ESCAPE '\\' OR LOWER(u.badge) LIKE $3 ESCAPE '\\') \
         ORDER BY u.display_name, u.id LIMIT $4",
    )
    .bind(user.department_id.to_string())
    .bind(Role::Officer.as_str())
    .bind(pattern)
    .bind(i64::from(limit))
    .fetch_all(&state.db.pool)
    .await?;
    let entries = rows
        .iter()
        .map(|row| {
            let rank: String = get(row, "rank")?;
            Ok(DirectoryEntry {
                id: get_uuid(row, "id")?,
                display_name: get(row, "display_name")?,
                badge: get(row, "badge")?,
                rank: serde_json::from_value::<Rank>(serde_json::Value::String(rank.clone()))
                    .map_err(|_| DbError::corrupt("users", format!("rank {rank:?}")))?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(Json(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_query_are_taken_literally() {
        assert_eq!(contains_pattern("Re"), "%re%");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
