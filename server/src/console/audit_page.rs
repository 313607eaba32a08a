//! The audit log page (issue 11, decision 045): the department's entries newest first, a page
//! at a time (`before` is the cursor: the oldest sequence number shown), filtered by action or
//! actor; and the hash chain recomputed on every view by `services::audit::verify_chain` (the
//! API's `GET /v1/audit/verify`), saying how many entries it covers and its last hash, or the
//! first entry where it breaks.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use sqlx::Row;
use uuid::Uuid;

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, department, html};
use crate::console::{ConsoleError, Coordinator};
use crate::db::DbError;
use crate::services::audit::{self, Filter};

/// Entries on one page.
pub const PAGE_SIZE: i64 = 50;

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub detail: String,
    pub hash: String,
}

pub struct Chain {
    pub ok: bool,
    pub entries: i64,
    pub head: String,
    pub first_bad: Option<i64>,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    chain: Chain,
    entries: Vec<EntryRow>,
    actions: Vec<String>,
    actors: Vec<(String, String)>,
    action: String,
    actor: String,
    older: Option<String>,
    filtered: bool,
    time_zone: String,
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    actor: Option<String>,
}

/// The department's users by id, for naming actors.
async fn people(state: &AppState, dept: Uuid) -> Result<Vec<(String, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, display_name, role FROM users WHERE department_id = $1 \
         ORDER BY display_name, id",
    )
    .bind(dept.to_string())
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| -> Result<(String, String), DbError> {
            let (id, name, role): (String, String, String) = (
                r.try_get("id")?,
                r.try_get("display_name")?,
                r.try_get("role")?,
            );
            Ok((id, format!("{name} ({role})")))
        })
        .collect()
}

/// A detail shown on one line, cut at 240 characters.
fn short(detail: &serde_json::Value) -> String {
    let s = detail.to_string();
    if s.chars().count() > 240 {
        let cut: String = s.chars().take(240).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// `GET /console/audit?before=&action=&actor=`: the log, newest first, and the chain checked.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let bad =
        |what: &str| ConsoleError::BadRequest(format!("That {what} is not one of the log's."));
    let nonblank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let before = match nonblank(&q.before) {
        None => None,
        Some(b) => Some(b.parse::<i64>().map_err(|_| bad("page"))?),
    };
    let actor = match nonblank(&q.actor) {
        None => None,
        Some(a) => Some(Uuid::parse_str(&a).map_err(|_| bad("person"))?),
    };
    let action = nonblank(&q.action);
    let dept = s.user.department_id;
    let (name, tz) = department(&state, dept).await?;
    let filter = Filter {
        before_seq: before,
        action: action.clone(),
        actor_id: actor,
    };
    let records = audit::newest(&state.db, dept, &filter, PAGE_SIZE + 1).await?;
    let report = audit::verify_chain(&state.db, dept).await?;
    let actors = people(&state, dept).await?;
    let names: HashMap<&str, &str> = actors
        .iter()
        .map(|(id, n)| (id.as_str(), n.as_str()))
        .collect();
    let more = records.len() as i64 > PAGE_SIZE;
    let entries: Vec<EntryRow> = records
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|e| EntryRow {
            seq: e.seq,
            at: e
                .at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string(),
            actor: match e.actor_id.as_deref() {
                None => "The system".into(),
                Some(id) => names
                    .get(id)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| id.to_string()),
            },
            action: e.action.clone(),
            entity: format!("{} {}", e.entity, e.entity_id),
            detail: short(&e.detail),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let older = match entries.last() {
        Some(last) if more => {
            let mut link = format!("/console/audit?before={}", last.seq);
            if let Some(a) = &action {
                link.push_str(&format!("&action={}", urlencode(a)));
            }
            if let Some(a) = actor {
                link.push_str(&format!("&actor={a}"));
            }
            Some(link)
        }
        _ => None,
    };
    let page = AuditPage {
        chrome: Some(chrome(&s, &name, "audit")),
        chain: Chain {
            ok: report.first_bad_seq.is_none(),
            entries: report.entries,
            head: report.head,
            first_bad: report.first_bad_seq,
        },
        entries,
        actions: audit::actions(&state.db, dept).await?,
        actors,
        action: action.unwrap_or_default(),
        actor: actor.map(|a| a.to_string()).unwrap_or_default(),
        older,
        filtered: filter.action.is_some() || filter.actor_id.is_some() || before.is_some(),
        time_zone: tz.name().to_string(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// Percent-encodes a query value (everything but unreserved characters).
fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
