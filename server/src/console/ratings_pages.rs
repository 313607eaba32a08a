//! Ratings pages (decision 046). Customers: `GET /console/portal/events/{id}/ratings` lists the
//! officers who worked the event, each with a rating form (stars as a radio group, tags as
//! check boxes, an optional comment), posted to `POST /console/portal/ratings/{timecard}`.
//! Coordinators: `GET /console/ratings` (optionally `?officer=`) lists the customers' recent
//! ratings with "Hide comment" (a reason is required; `POST /console/ratings/{timecard}/hide`)
//! and the officers' private site ratings. Pages only parse and authorize; `services::ratings`
//! decides.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_domain::ratings::{
    MAX_COMMENT_CHARS, OfficerRatingForm, OfficerTag, Reliability, SiteTag,
};

use crate::app::AppState;
use crate::console::pages::{Chrome, chrome, department_row, html, path_id, signed_form};
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator, Customer};
use crate::db::DbError;
use crate::error::ApiError;
use crate::services::event_requests;
use crate::services::ratings::{self, RatingRow, SiteRow, ToRate};

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %b %-d, %Y").to_string()
}

/// A tag box on a form: its name, words, and whether it is ticked.
pub struct TagBox {
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// One officer to rate, ready to draw.
pub struct RateCard {
    pub timecard_id: Uuid,
    pub officer: String,
    pub shift: String,
    pub stars: u8,
    pub tags: Vec<TagBox>,
    pub comment: String,
    pub comment_hidden: bool,
    /// "Rated on …; you can change it until …" / "Locked since …" / none.
    pub status: Option<String>,
    pub locked: bool,
    /// The refusal of this card's last post, shown beside the form.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/event_ratings.html")]
struct EventRatingsPage {
    chrome: Option<Chrome>,
    csrf: String,
    event_id: Uuid,
    title: String,
    cards: Vec<RateCard>,
    max_comment: usize,
    notice: Option<String>,
}

fn tag_boxes(given: &[OfficerTag]) -> Vec<TagBox> {
    OfficerTag::ALL
        .into_iter()
        .map(|t| TagBox {
            name: t.as_str(),
            label: t.label(),
            checked: given.contains(&t),
        })
        .collect()
}

fn rate_card(t: &ToRate, tz: Tz, now: DateTime<Utc>) -> RateCard {
    let (stars, tags, comment, hidden, status, locked) = match &t.rating {
        Some(r) => {
            let locked = !offduty_domain::ratings::editable(r.rated_at, now);
            let status = if locked {
                format!(
                    "Rated on {}; ratings can be changed for 14 days, so this one is locked.",
                    when(r.rated_at, tz)
                )
            } else {
                format!(
                    "Rated on {}; you can change it until {}.",
                    when(r.rated_at, tz),
                    when(r.editable_until, tz)
                )
            };
            (
                r.stars,
                r.tags.clone(),
                r.comment.clone().unwrap_or_default(),
                r.comment_hidden,
                Some(status),
                locked,
            )
        }
        None => (0, Vec::new(), String::new(), false, None, false),
    };
    RateCard {
        timecard_id: t.timecard_id,
        officer: t.officer_name.clone(),
        shift: format!("{} · {}", t.job_title, when(t.starts_at, tz)),
        stars,
        tags: tag_boxes(&tags),
        comment,
        comment_hidden: hidden,
        status,
        locked,
        error: None,
    }
}

/// What was typed on a refused form, put back on its card.
struct Typed {
    timecard_id: Uuid,
    stars: u8,
    tags: Vec<OfficerTag>,
    comment: String,
    error: String,
}

async fn event_page(
    state: &AppState,
    s: &ConsoleSession,
    event_id: Uuid,
    notice: Option<String>,
    typed: Option<Typed>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let r = event_requests::visible(&state.db, s.user, event_id).await?;
    let d = department_row(state, s.user.department_id).await?;
    let now = Utc::now();
    let mut cards: Vec<RateCard> = ratings::of_event(&state.db, s.user, event_id)
        .await?
        .iter()
        .map(|t| rate_card(t, d.tz, now))
        .collect();
    if let Some(t) = typed
        && let Some(c) = cards.iter_mut().find(|c| c.timecard_id == t.timecard_id)
    {
        c.stars = t.stars;
        c.tags = tag_boxes(&t.tags);
        c.comment = t.comment;
        c.error = Some(t.error);
    }
    let page = EventRatingsPage {
        chrome: Some(chrome(s, &d.name, "portal")),
        csrf: s.csrf.clone(),
        event_id,
        title: r.title.clone(),
        cards,
        max_comment: MAX_COMMENT_CHARS,
        notice,
    };
    Ok(html(status, &page))
}

/// What the page says after a post (`?did=`).
#[derive(serde::Deserialize)]
pub struct Did {
    did: Option<String>,
}

/// `GET /console/portal/events/{id}/ratings`.
pub async fn event_ratings(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    did: Result<Query<Did>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let notice = match did.ok().and_then(|Query(d)| d.did).as_deref() {
        Some("rated") => Some("Thank you: your rating was saved.".to_string()),
        _ => None,
    };
    event_page(&state, &s, id, notice, None, StatusCode::OK).await
}

/// The sentence of a refusal a customer can fix (a bad field, a locked rating).
fn refusal(e: &ApiError) -> String {
    match e.field.as_deref() {
        Some("stars") => "Choose from 1 to 5 stars.".to_string(),
        Some(f) if f.starts_with("tags") => "Each tag can be chosen once.".to_string(),
        Some("comment") => format!("The comment {}.", e.detail),
        _ => crate::console::portal::sentence(&e.detail),
    }
}

/// `POST /console/portal/ratings/{timecard}`: stars, tags and a comment for one officer.
pub async fn rate(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let event_id = form
        .get("event")
        .and_then(|e| Uuid::parse_str(e).ok())
        .ok_or_else(|| ConsoleError::BadRequest("This form could not be read.".into()))?;
    // A missing or unreadable star count is 0, which the domain refuses with its own words.
    let stars = form
        .get("stars")
        .and_then(|v| v.parse::<u8>().ok())
        .unwrap_or(0);
    // Each tag is its own check box (`tag_on_time=on`).
    let tags: Vec<OfficerTag> = OfficerTag::ALL
        .into_iter()
        .filter(|t| form.contains_key(&format!("tag_{}", t.as_str())))
        .collect();
    let comment = form.get("comment").cloned().unwrap_or_default();
    let rating = OfficerRatingForm {
        stars,
        tags: tags.clone(),
        comment: Some(comment.clone()),
    };
    match ratings::rate_officer(&state.db, s.user, id, &rating, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/portal/events/{event_id}/ratings?did=rated#rate-{id}"
        ))
        .into_response()),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let typed = Typed {
                timecard_id: id,
                stars,
                tags,
                comment,
                error: refusal(&e),
            };
            event_page(&state, &s, event_id, None, Some(typed), e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A customer rating, ready to draw for a coordinator.
pub struct RatingLine {
    pub timecard_id: Uuid,
    pub officer_id: Uuid,
    pub officer: String,
    pub organization: String,
    pub shift: String,
    pub stars: u8,
    pub tags: String,
    pub comment: Option<String>,
    pub hidden: Option<String>,
}

/// A site rating, ready to draw.
pub struct SiteLine {
    pub officer: String,
    pub site: String,
    pub shift: String,
    pub stars: u8,
    pub tags: String,
    pub comment: Option<String>,
}

#[derive(Template)]
#[template(path = "console/ratings.html")]
struct RatingsPage {
    chrome: Option<Chrome>,
    officers: Vec<(Uuid, String, bool)>,
    filtered: Option<(String, Reliability)>,
    ratings: Vec<RatingLine>,
    sites: Vec<SiteLine>,
    notice: Option<String>,
}

fn rating_line(r: &RatingRow, tz: Tz) -> RatingLine {
    RatingLine {
        timecard_id: r.timecard_id,
        officer_id: r.officer_id,
        officer: r.officer_name.clone(),
        organization: r.organization.clone(),
        shift: format!("{} · {}", r.job_title, when(r.starts_at, tz)),
        stars: r.stars,
        tags: r
            .tags
            .iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join(", "),
        comment: r.comment.clone(),
        hidden: r.hidden.as_ref().map(|(at, by, why)| {
            format!(
                "Comment hidden on {} by {by}: {why} (the audit log keeps the text)",
                when(*at, tz)
            )
        }),
    }
}

fn site_line(r: &SiteRow, tz: Tz) -> SiteLine {
    SiteLine {
        officer: r.officer_name.clone(),
        site: format!("{} — {}", r.customer, r.site),
        shift: format!("{} · {}", r.job_title, when(r.starts_at, tz)),
        stars: r.stars,
        tags: r
            .tags
            .iter()
            .map(|t: &SiteTag| t.label())
            .collect::<Vec<_>>()
            .join(", "),
        comment: r.comment.clone(),
    }
}

/// Query of the ratings page.
#[derive(serde::Deserialize)]
pub struct RatingsQuery {
    officer: Option<String>,
    did: Option<String>,
}

/// `GET /console/ratings`: the latest customer and site ratings, optionally of one officer.
pub async fn page(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    q: Result<Query<RatingsQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let q = q.ok().map(|Query(q)| q);
    let officer = q
        .as_ref()
        .and_then(|q| q.officer.as_deref())
        .filter(|o| !o.is_empty())
        .map(|o| Uuid::parse_str(o).map_err(|_| ConsoleError::NotFound))
        .transpose()?;
    let notice = match q.as_ref().and_then(|q| q.did.as_deref()) {
        Some("hidden") => Some(
            "Comment hidden: nobody but coordinators reading the audit log sees it now."
                .to_string(),
        ),
        _ => None,
    };
    let d = department_row(&state, s.user.department_id).await?;
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let rows = sqlx::query(
        "SELECT id, display_name FROM users WHERE department_id = $1 AND role = 'officer' \
         ORDER BY display_name, id",
    )
    .bind(d.id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(DbError::from)?;
    let mut officers = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = crate::db::get_uuid(r, "id")?;
        officers.push((
            id,
            crate::db::get::<String>(r, "display_name")?,
            Some(id) == officer,
        ));
    }
    let filtered = match officer {
        Some(o) => {
            let Some((_, name, _)) = officers.iter().find(|(id, _, _)| *id == o) else {
                return Err(ConsoleError::NotFound);
            };
            let r = crate::services::reliability::of_officer(&mut conn, &d, o, Utc::now()).await?;
            Some((name.clone(), r))
        }
        None => None,
    };
    drop(conn);
    let ratings = ratings::recent(&state.db, d.id, officer, 200).await?;
    let sites = ratings::recent_sites(&state.db, d.id, officer, 200).await?;
    let page = RatingsPage {
        chrome: Some(chrome(&s, &d.name, "ratings")),
        officers,
        filtered,
        ratings: ratings.iter().map(|r| rating_line(r, d.tz)).collect(),
        sites: sites.iter().map(|r| site_line(r, d.tz)).collect(),
        notice,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /console/ratings/{timecard}/hide`: hide a comment, with a reason (audited).
pub async fn hide(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let reason = form.get("reason").cloned().unwrap_or_default();
    ratings::hide_comment(&state.db, s.user, id, &reason, Utc::now()).await?;
    Ok(Redirect::to("/console/ratings?did=hidden").into_response())
}
