//! `GET /console/deliveries`: what reached whom. The department's recent notifications, each with
//! where it stands (delivered, held for quiet hours, retrying, failed) and, per channel and
//! destination, the last attempt and the provider's answer (decision 041).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono_tz::Tz;

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, html};
use crate::console::{ConsoleError, Coordinator};
use crate::db::{DbError, from_us, get};

/// Notifications shown.
const SHOWN: i64 = 100;

/// One channel's last word on a notice.
pub struct ChannelLine {
    pub channel: &'static str,
    /// Where it went, shortened (a push token's first characters).
    pub to: String,
    pub status: String,
    pub why: String,
}

/// A destination's last attempt: (number, outcome, code, detail, next attempt).
type LastAttempt = (i64, String, String, String, Option<i64>);

/// One notification.
pub struct DeliveryRow {
    pub at: String,
    pub to: String,
    pub kind: String,
    pub status: String,
    pub lines: Vec<ChannelLine>,
}

#[derive(Template)]
#[template(path = "console/deliveries.html")]
struct DeliveriesPage {
    chrome: Option<Chrome>,
    rows: Vec<DeliveryRow>,
}

fn channel_name(c: &str) -> &'static str {
    match c {
        "fcm" => "Android push",
        "apns" => "iPhone push",
        "email" => "E-mail",
        "sms" => "Text message",
        _ => "Other",
    }
}

fn short(dest: &str, channel: &str) -> String {
    if matches!(channel, "fcm" | "apns") && dest.chars().count() > 12 {
        let tail: String = dest.chars().skip(dest.chars().count() - 6).collect();
        format!("device …{tail}")
    } else {
        dest.to_string()
    }
}

fn when(us: i64, tz: Tz) -> String {
    from_us(us)
        .with_timezone(&tz)
        .format("%a %b %-d, %H:%M")
        .to_string()
}

/// The department's recent notifications and their attempts.
pub async fn recent(
    db: &crate::db::Db,
    department_id: uuid::Uuid,
    tz: Tz,
) -> Result<Vec<DeliveryRow>, DbError> {
    let rows = sqlx::query(
        "SELECT n.id, n.kind, n.created_us, n.delivery_state, n.due_us, u.display_name \
         FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE n.department_id = $1 ORDER BY n.created_us DESC, n.id DESC LIMIT $2",
    )
    .bind(department_id.to_string())
    .bind(SHOWN)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = get(r, "id")?;
        let state: String = get(r, "delivery_state")?;
        let due = when(get(r, "due_us")?, tz);
        // The last attempt per (channel, destination).
        let mut last: BTreeMap<(String, String), LastAttempt> = BTreeMap::new();
        for a in sqlx::query(
            "SELECT channel, destination, attempt, outcome, code, detail, next_attempt_us \
             FROM delivery_attempts WHERE notification_id = $1 ORDER BY attempt",
        )
        .bind(&id)
        .fetch_all(&db.pool)
        .await?
        {
            last.insert(
                (get(&a, "channel")?, get(&a, "destination")?),
                (
                    get(&a, "attempt")?,
                    get(&a, "outcome")?,
                    get(&a, "code")?,
                    get(&a, "detail")?,
                    get(&a, "next_attempt_us")?,
                ),
            );
        }
        let lines = last
            .into_iter()
            .map(|((channel, dest), (n, outcome, code, detail, next))| {
                let status = match outcome.as_str() {
                    "delivered" => "Delivered".to_string(),
                    "retry" => match next {
                        Some(at) => {
                            format!("Retrying (attempt {n} failed; next at {})", when(at, tz))
                        }
                        None => format!("Retrying (attempt {n} failed)"),
                    },
                    "gone" => "Not delivered: the device is gone (token removed)".to_string(),
                    "no_provider" => "Not sent: no provider configured".to_string(),
                    _ => format!("Failed after {n} attempt{}", if n == 1 { "" } else { "s" }),
                };
                let why = [code, detail]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                ChannelLine {
                    channel: channel_name(&channel),
                    to: short(&dest, &channel),
                    status,
                    why,
                }
            })
            .collect();
        let status = match state.as_str() {
            "pending" => "Queued".to_string(),
            "quiet" => format!("Waiting for quiet hours to end ({due})"),
            "retrying" => format!("Retrying ({due})"),
            "delivered" => "Delivered".to_string(),
            "not_sent" => {
                "Not sent (before delivery existed, or the account is disabled)".to_string()
            }
            _ => "Failed".to_string(),
        };
        out.push(DeliveryRow {
            at: when(get(r, "created_us")?, tz),
            to: get(r, "display_name")?,
            kind: get::<String>(r, "kind")?.replace('_', " "),
            status,
            lines,
        });
    }
    Ok(out)
}

/// `GET /console/deliveries`.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    drop(conn);
    let page = DeliveriesPage {
        chrome: Some(chrome(&s, &d.name, "deliveries")),
        rows: recent(&state.db, s.user.department_id, d.tz).await?,
    };
    Ok(html(StatusCode::OK, &page))
}
