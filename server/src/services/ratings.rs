//! Ratings after a shift (decision 046). A customer rates the officer of each worked timecard
//! of its organization (`rate_officer`); an officer rates the site of a shift they worked,
//! privately, for the department (`rate_site`); a coordinator hides an abusive comment with a
//! reason (`hide_comment`: the text is kept in the table and in the audit entry, and shown to
//! nobody else after). Checks are the domain's (`offduty_domain::ratings`); a rating may be
//! changed for 14 days after it was first given, then it is locked.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::protocol::Role;
use offduty_domain::ratings::{self, OfficerRatingForm, OfficerTag, SiteRatingForm, SiteTag};

use crate::db::{Db, DbError, from_us, get, get_json, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::customers;
use crate::services::txn::DeptTx;

/// Longest reason for hiding a comment, in characters.
pub const MAX_HIDE_REASON_CHARS: usize = 1000;

/// A customer's rating of an officer, as the customer (or the API) sees it: a hidden comment
/// is left out.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OfficerRating {
    pub timecard_id: Uuid,
    pub officer_id: Uuid,
    pub stars: u8,
    pub tags: Vec<OfficerTag>,
    /// The comment; `None` when there is none or a coordinator hid it.
    pub comment: Option<String>,
    /// A coordinator hid the comment.
    pub comment_hidden: bool,
    pub rated_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The rating may be changed until then.
    pub editable_until: DateTime<Utc>,
}

/// An officer's private rating of a site, as they gave it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SiteRating {
    pub timecard_id: Uuid,
    pub stars: u8,
    pub tags: Vec<SiteTag>,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub editable_until: DateTime<Utc>,
}

fn until(created: DateTime<Utc>) -> DateTime<Utc> {
    created + Duration::days(ratings::EDIT_WINDOW_DAYS)
}

fn stars(r: &sqlx::any::AnyRow) -> Result<u8, DbError> {
    u8::try_from(get::<i64>(r, "stars")?).map_err(|e| DbError::corrupt("ratings", e))
}

fn locked(created: DateTime<Utc>) -> ApiError {
    ApiError::conflict(format!(
        "this rating was given on {} and could be changed for {} days; it is locked now",
        created.format("%Y-%m-%d"),
        ratings::EDIT_WINDOW_DAYS
    ))
}

/// A timecard's facts a rating needs, found within a scope (404 outside it).
struct Worked {
    officer_id: Uuid,
    job_id: Uuid,
    status: String,
    out_us: Option<i64>,
}

fn worked_or_refuse(w: &Worked) -> ApiResult<()> {
    if w.status == "rejected" {
        return Err(ApiError::conflict(
            "this timecard was rejected: there is no worked shift to rate",
        ));
    }
    if w.out_us.is_none() {
        return Err(ApiError::conflict(
            "the shift has not been worked yet: it can be rated once the officer clocks out",
        ));
    }
    Ok(())
}

async fn worked(
    conn: &mut AnyConnection,
    sql: &str,
    binds: &[String],
) -> ApiResult<Option<Worked>> {
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(b.clone());
    }
    let Some(r) = q.fetch_optional(&mut *conn).await.map_err(DbError::from)? else {
        return Ok(None);
    };
    Ok(Some(Worked {
        officer_id: get_uuid(&r, "officer_id")?,
        job_id: get_uuid(&r, "job_id")?,
        status: get(&r, "status")?,
        out_us: get(&r, "out_us")?,
    }))
}

const OFFICER_RATING_COLUMNS: &str = "timecard_id, officer_id, stars, tags_json, comment, \
     created_us, updated_us, hidden_us";

fn officer_rating(r: &sqlx::any::AnyRow) -> Result<OfficerRating, DbError> {
    let created = from_us(get(r, "created_us")?);
    let hidden = get::<Option<i64>>(r, "hidden_us")?.is_some();
    Ok(OfficerRating {
        timecard_id: get_uuid(r, "timecard_id")?,
        officer_id: get_uuid(r, "officer_id")?,
        stars: stars(r)?,
        tags: get_json(r, "tags_json")?,
        comment: if hidden { None } else { get(r, "comment")? },
        comment_hidden: hidden,
        rated_at: created,
        updated_at: from_us(get(r, "updated_us")?),
        editable_until: until(created),
    })
}

/// The customer's rating of one timecard's officer, if given (scoped by the caller).
async fn officer_rating_of(
    conn: &mut AnyConnection,
    timecard_id: Uuid,
) -> Result<Option<OfficerRating>, DbError> {
    let sql =
        format!("SELECT {OFFICER_RATING_COLUMNS} FROM officer_ratings WHERE timecard_id = $1");
    sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(timecard_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(officer_rating)
        .transpose()
}

/// A customer rates (or, within 14 days of first rating it, re-rates) the officer of a worked
/// timecard of its organization. Another organization's or department's timecard is 404; a
/// shift not clocked out (or a rejected timecard) 409; a locked rating 409; a bad form 422.
/// A comment a coordinator hid stays hidden when the rating is changed. Audited.
pub async fn rate_officer(
    db: &Db,
    user: AuthUser,
    timecard_id: Uuid,
    form: &OfficerRatingForm,
    now: DateTime<Utc>,
) -> ApiResult<OfficerRating> {
    user.require(Role::Customer)?;
    let form = form.validate().map_err(|e| ApiError::invalid_at("", e))?;
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let dept = t.dept.id;
    let org = customers::of_customer(t.conn(), user).await?;
    let w = worked(
        t.conn(),
        "SELECT t.officer_id, t.job_id, t.status, t.out_us FROM timecards t \
         JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
         WHERE t.id = $1 AND t.department_id = $2 AND c.organization_id = $3",
        &[
            timecard_id.to_string(),
            dept.to_string(),
            org.id.to_string(),
        ],
    )
    .await?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    worked_or_refuse(&w)?;
    let tags = json(&form.tags);
    let action = match officer_rating_of(t.conn(), timecard_id).await? {
        Some(old) => {
            if !ratings::editable(old.rated_at, now) {
                return Err(locked(old.rated_at));
            }
            sqlx::query(
                "UPDATE officer_ratings SET stars = $1, tags_json = $2, comment = $3, \
                 rated_by = $4, updated_us = $5 WHERE timecard_id = $6",
            )
            .bind(i64::from(form.stars))
            .bind(tags)
            .bind(form.comment.clone())
            .bind(user.user_id.to_string())
            .bind(to_us(now))
            .bind(timecard_id.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            "officer_rating_changed"
        }
        None => {
            sqlx::query(
                "INSERT INTO officer_ratings (timecard_id, department_id, officer_id, \
                 organization_id, job_id, stars, tags_json, comment, rated_by, created_us, \
                 updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(timecard_id.to_string())
            .bind(dept.to_string())
            .bind(w.officer_id.to_string())
            .bind(org.id.to_string())
            .bind(w.job_id.to_string())
            .bind(i64::from(form.stars))
            .bind(tags)
            .bind(form.comment.clone())
            .bind(user.user_id.to_string())
            .bind(to_us(now))
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            "officer_rated"
        }
    };
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(user.user_id),
            action,
            entity: "timecard",
            entity_id: timecard_id.to_string(),
            detail: serde_json::json!({
                "organization": org.id,
                "officer": w.officer_id,
                "stars": form.stars,
                "tags": form.tags,
                "comment": form.comment,
            }),
        },
        now,
    )
    .await?;
    // The transaction took the department's next sequence: the change log has its entry (the
    // timecard, which the officer's phone may re-read; nothing on it changed).
    let seq = t.seq;
    changes::record(
        t.conn(),
        dept,
        seq,
        Entity::Timecard,
        timecard_id,
        Some(w.officer_id),
    )
    .await?;
    let stored = officer_rating_of(t.conn(), timecard_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(stored)
}

/// The customer's rating of a timecard of its organization (404 outside it; `None` when not
/// rated yet).
pub async fn customer_view(
    db: &Db,
    user: AuthUser,
    timecard_id: Uuid,
) -> ApiResult<Option<OfficerRating>> {
    let mut tx = db.read().await?;
    let org = customers::of_customer(&mut tx, user).await?;
    worked(
        &mut tx,
        "SELECT t.officer_id, t.job_id, t.status, t.out_us FROM timecards t \
         JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
         WHERE t.id = $1 AND t.department_id = $2 AND c.organization_id = $3",
        &[
            timecard_id.to_string(),
            user.department_id.to_string(),
            org.id.to_string(),
        ],
    )
    .await?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    Ok(officer_rating_of(&mut tx, timecard_id).await?)
}

/// One officer to rate on an event's page: the timecard, who worked it, and the rating so far.
#[derive(Debug, Clone)]
pub struct ToRate {
    pub timecard_id: Uuid,
    pub officer_name: String,
    pub job_title: String,
    pub starts_at: DateTime<Utc>,
    pub rating: Option<OfficerRating>,
}

/// The worked timecards of an event of the customer's organization, with their ratings (an
/// event of another organization: nothing).
pub async fn of_event(db: &Db, user: AuthUser, event_id: Uuid) -> ApiResult<Vec<ToRate>> {
    let mut tx = db.read().await?;
    let org = customers::of_customer(&mut tx, user).await?;
    let rows = sqlx::query(
        "SELECT t.id, u.display_name, j.title, j.starts_us FROM timecards t \
         JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
         JOIN users u ON u.id = t.officer_id \
         WHERE j.event_id = $1 AND t.department_id = $2 AND c.organization_id = $3 \
           AND t.out_us IS NOT NULL AND t.status <> 'rejected' \
         ORDER BY j.starts_us, u.display_name, t.id",
    )
    .bind(event_id.to_string())
    .bind(user.department_id.to_string())
    .bind(org.id.to_string())
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = get_uuid(r, "id")?;
        out.push(ToRate {
            timecard_id: id,
            officer_name: get(r, "display_name")?,
            job_title: get(r, "title")?,
            starts_at: from_us(get(r, "starts_us")?),
            rating: officer_rating_of(&mut tx, id).await?,
        });
    }
    Ok(out)
}

const SITE_RATING_COLUMNS: &str = "timecard_id, stars, tags_json, comment, created_us, updated_us";

fn site_rating(r: &sqlx::any::AnyRow) -> Result<SiteRating, DbError> {
    let created = from_us(get(r, "created_us")?);
    Ok(SiteRating {
        timecard_id: get_uuid(r, "timecard_id")?,
        stars: stars(r)?,
        tags: get_json(r, "tags_json")?,
        comment: get(r, "comment")?,
        rated_at: created,
        updated_at: from_us(get(r, "updated_us")?),
        editable_until: until(created),
    })
}

/// An officer rates (or, within 14 days, re-rates) the site of a shift they worked: their own
/// clocked-out timecard only (404 otherwise). Seen by coordinators only. Audited.
pub async fn rate_site(
    db: &Db,
    user: AuthUser,
    timecard_id: Uuid,
    form: &SiteRatingForm,
    now: DateTime<Utc>,
) -> ApiResult<SiteRating> {
    user.require(Role::Officer)?;
    let form = form.validate().map_err(|e| ApiError::invalid_at("", e))?;
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let dept = t.dept.id;
    let w = worked(
        t.conn(),
        "SELECT officer_id, job_id, status, out_us FROM timecards \
         WHERE id = $1 AND department_id = $2 AND officer_id = $3",
        &[
            timecard_id.to_string(),
            dept.to_string(),
            user.user_id.to_string(),
        ],
    )
    .await?
    .ok_or_else(|| ApiError::not_found("timecard"))?;
    worked_or_refuse(&w)?;
    let sql = format!("SELECT {SITE_RATING_COLUMNS} FROM site_ratings WHERE timecard_id = $1");
    let old = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(timecard_id.to_string())
        .fetch_optional(&mut *t.conn())
        .await
        .map_err(DbError::from)?
        .as_ref()
        .map(site_rating)
        .transpose()?;
    let tags = json(&form.tags);
    let action = match old {
        Some(old) => {
            if !ratings::editable(old.rated_at, now) {
                return Err(locked(old.rated_at));
            }
            sqlx::query(
                "UPDATE site_ratings SET stars = $1, tags_json = $2, comment = $3, \
                 updated_us = $4 WHERE timecard_id = $5",
            )
            .bind(i64::from(form.stars))
            .bind(tags)
            .bind(form.comment.clone())
            .bind(to_us(now))
            .bind(timecard_id.to_string())
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            "site_rating_changed"
        }
        None => {
            sqlx::query(
                "INSERT INTO site_ratings (timecard_id, department_id, officer_id, job_id, \
                 stars, tags_json, comment, created_us, updated_us) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(timecard_id.to_string())
            .bind(dept.to_string())
            .bind(user.user_id.to_string())
            .bind(w.job_id.to_string())
            .bind(i64::from(form.stars))
            .bind(tags)
            .bind(form.comment.clone())
            .bind(to_us(now))
            .execute(&mut *t.conn())
            .await
            .map_err(DbError::from)?;
            "site_rated"
        }
    };
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(user.user_id),
            action,
            entity: "timecard",
            entity_id: timecard_id.to_string(),
            detail: serde_json::json!({"stars": form.stars, "tags": form.tags}),
        },
        now,
    )
    .await?;
    let stored = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(timecard_id.to_string())
        .fetch_one(&mut *t.conn())
        .await
        .map_err(DbError::from)?;
    let stored = site_rating(&stored)?;
    let seq = t.seq;
    changes::record(
        t.conn(),
        dept,
        seq,
        Entity::Timecard,
        timecard_id,
        Some(w.officer_id),
    )
    .await?;
    t.commit().await?;
    Ok(stored)
}

/// A coordinator hides a customer's comment on an officer, with a reason (422 when blank or
/// longer than 1,000 characters). The text stays in the table and goes into the audit entry
/// (`rating_comment_hidden`), the only place it is shown after. 404 for another department's
/// rating; 409 when there is no comment or it is already hidden.
pub async fn hide_comment(
    db: &Db,
    user: AuthUser,
    timecard_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    user.require(Role::Coordinator)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid_code(
            "reason",
            offduty_domain::validation::InvalidCode::Required,
            "say why the comment is hidden: the audit log keeps it",
        ));
    }
    if reason.chars().count() > MAX_HIDE_REASON_CHARS {
        return Err(ApiError::invalid_code(
            "reason",
            offduty_domain::validation::InvalidCode::TooLong,
            format!("must be at most {MAX_HIDE_REASON_CHARS} characters"),
        ));
    }
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let dept = t.dept.id;
    let row = sqlx::query(
        "SELECT officer_id, organization_id, comment, hidden_us FROM officer_ratings \
         WHERE timecard_id = $1 AND department_id = $2",
    )
    .bind(timecard_id.to_string())
    .bind(dept.to_string())
    .fetch_optional(&mut *t.conn())
    .await
    .map_err(DbError::from)?
    .ok_or_else(|| ApiError::not_found("rating"))?;
    let Some(comment) = get::<Option<String>>(&row, "comment")? else {
        return Err(ApiError::conflict("this rating has no comment to hide"));
    };
    if get::<Option<i64>>(&row, "hidden_us")?.is_some() {
        return Err(ApiError::conflict("this comment is already hidden"));
    }
    sqlx::query(
        "UPDATE officer_ratings SET hidden_us = $1, hidden_by = $2, hidden_reason = $3 \
         WHERE timecard_id = $4",
    )
    .bind(to_us(now))
    .bind(user.user_id.to_string())
    .bind(reason)
    .bind(timecard_id.to_string())
    .execute(&mut *t.conn())
    .await
    .map_err(DbError::from)?;
    audit::append(
        t.conn(),
        dept,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "rating_comment_hidden",
            entity: "timecard",
            entity_id: timecard_id.to_string(),
            detail: serde_json::json!({
                "officer": get_uuid(&row, "officer_id")?,
                "organization": get_uuid(&row, "organization_id")?,
                "comment": comment,
                "reason": reason,
            }),
        },
        now,
    )
    .await?;
    let officer = get_uuid(&row, "officer_id")?;
    let seq = t.seq;
    changes::record(
        t.conn(),
        dept,
        seq,
        Entity::Timecard,
        timecard_id,
        Some(officer),
    )
    .await?;
    t.commit().await
}

/// A customer's rating as a coordinator sees it on the ratings page.
#[derive(Debug, Clone)]
pub struct RatingRow {
    pub timecard_id: Uuid,
    pub officer_id: Uuid,
    pub officer_name: String,
    pub organization: String,
    pub job_title: String,
    pub starts_at: DateTime<Utc>,
    pub stars: u8,
    pub tags: Vec<OfficerTag>,
    /// Present only while not hidden.
    pub comment: Option<String>,
    /// When hidden: when, by whom and why.
    pub hidden: Option<(DateTime<Utc>, String, String)>,
    pub updated_at: DateTime<Utc>,
}

/// The department's latest customer ratings (`limit`), newest first, optionally of one officer.
/// A hidden comment is not returned (the audit log keeps it).
pub async fn recent(
    db: &Db,
    department_id: Uuid,
    officer: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<RatingRow>> {
    let mut tx = db.read().await?;
    let filter = if officer.is_some() {
        "AND r.officer_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT r.timecard_id, r.officer_id, u.display_name, o.name AS org, j.title, \
           j.starts_us, r.stars, r.tags_json, r.comment, r.hidden_us, r.hidden_reason, \
           h.display_name AS hidden_name, r.updated_us \
         FROM officer_ratings r JOIN users u ON u.id = r.officer_id \
         JOIN organizations o ON o.id = r.organization_id JOIN jobs j ON j.id = r.job_id \
         LEFT JOIN users h ON h.id = r.hidden_by \
         WHERE r.department_id = $1 {filter} \
         ORDER BY r.updated_us DESC, r.timecard_id LIMIT $2"
    );
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .bind(limit);
    if let Some(o) = officer {
        q = q.bind(o.to_string());
    }
    let rows = q.fetch_all(&mut *tx).await.map_err(DbError::from)?;
    rows.iter()
        .map(|r| {
            let hidden = match get::<Option<i64>>(r, "hidden_us")? {
                Some(at) => Some((
                    from_us(at),
                    get::<Option<String>>(r, "hidden_name")?.unwrap_or_default(),
                    get::<Option<String>>(r, "hidden_reason")?.unwrap_or_default(),
                )),
                None => None,
            };
            Ok(RatingRow {
                timecard_id: get_uuid(r, "timecard_id")?,
                officer_id: get_uuid(r, "officer_id")?,
                officer_name: get(r, "display_name")?,
                organization: get(r, "org")?,
                job_title: get(r, "title")?,
                starts_at: from_us(get(r, "starts_us")?),
                stars: stars(r)?,
                tags: get_json(r, "tags_json")?,
                comment: if hidden.is_some() {
                    None
                } else {
                    get(r, "comment")?
                },
                hidden,
                updated_at: from_us(get(r, "updated_us")?),
            })
        })
        .collect::<Result<_, DbError>>()
        .map_err(ApiError::from)
}

/// An officer's rating of a site as a coordinator sees it.
#[derive(Debug, Clone)]
pub struct SiteRow {
    pub officer_name: String,
    pub customer: String,
    pub site: String,
    pub job_title: String,
    pub starts_at: DateTime<Utc>,
    pub stars: u8,
    pub tags: Vec<SiteTag>,
    pub comment: Option<String>,
}

/// The department's latest site ratings (`limit`), newest first, optionally of one officer.
pub async fn recent_sites(
    db: &Db,
    department_id: Uuid,
    officer: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<SiteRow>> {
    let mut tx = db.read().await?;
    let filter = if officer.is_some() {
        "AND s.officer_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT u.display_name, j.customer_name, j.site_name, j.title, j.starts_us, s.stars, \
           s.tags_json, s.comment FROM site_ratings s JOIN users u ON u.id = s.officer_id \
         JOIN jobs j ON j.id = s.job_id WHERE s.department_id = $1 {filter} \
         ORDER BY s.updated_us DESC, s.timecard_id LIMIT $2"
    );
    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .bind(limit);
    if let Some(o) = officer {
        q = q.bind(o.to_string());
    }
    let rows = q.fetch_all(&mut *tx).await.map_err(DbError::from)?;
    rows.iter()
        .map(|r| {
            Ok(SiteRow {
                officer_name: get(r, "display_name")?,
                customer: get(r, "customer_name")?,
                site: get(r, "site_name")?,
                job_title: get(r, "title")?,
                starts_at: from_us(get(r, "starts_us")?),
                stars: stars(r)?,
                tags: get_json(r, "tags_json")?,
                comment: get(r, "comment")?,
            })
        })
        .collect::<Result<_, DbError>>()
        .map_err(ApiError::from)
}

/// What an officer sees of their own ratings: the figures and the tags customers gave, never
/// who wrote which comment, and no comment a coordinator hid.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MyReliability {
    /// Computed from the record over the last 180 days.
    pub reliability: offduty_domain::ratings::Reliability,
    /// How often customers gave each tag in that time, most given first.
    pub tags: Vec<TagCount>,
    /// The customers' visible comments in that time, newest first, without who wrote them.
    pub comments: Vec<String>,
}

/// A tag and how often it was given.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub tag: OfficerTag,
    /// The tag's words.
    pub label: String,
    pub count: u32,
}

/// The officer's own reliability and what customers said (see [`MyReliability`]).
pub async fn mine(db: &Db, user: AuthUser, now: DateTime<Utc>) -> ApiResult<MyReliability> {
    user.require(Role::Officer)?;
    let mut tx = db.read().await?;
    let dept = crate::services::award::load_department(&mut tx, user.department_id)
        .await?
        .ok_or_else(|| ApiError::not_found("department"))?;
    let reliability =
        crate::services::reliability::of_officer(&mut tx, &dept, user.user_id, now).await?;
    let rows = sqlx::query(
        "SELECT r.tags_json, r.comment, r.hidden_us FROM officer_ratings r \
         JOIN jobs j ON j.id = r.job_id \
         WHERE r.department_id = $1 AND r.officer_id = $2 AND j.starts_us >= $3 \
         ORDER BY r.updated_us DESC, r.timecard_id",
    )
    .bind(user.department_id.to_string())
    .bind(user.user_id.to_string())
    .bind(to_us(
        now - Duration::days(ratings::RELIABILITY_WINDOW_DAYS),
    ))
    .fetch_all(&mut *tx)
    .await
    .map_err(DbError::from)?;
    let mut counts = std::collections::BTreeMap::<OfficerTag, u32>::new();
    let mut comments = Vec::new();
    for r in &rows {
        for t in get_json::<Vec<OfficerTag>>(r, "tags_json")? {
            *counts.entry(t).or_default() += 1;
        }
        if get::<Option<i64>>(r, "hidden_us")?.is_none()
            && let Some(c) = get::<Option<String>>(r, "comment")?
        {
            comments.push(c);
        }
    }
    let mut tags: Vec<TagCount> = counts
        .into_iter()
        .map(|(tag, count)| TagCount {
            tag,
            label: tag.label().to_string(),
            count,
        })
        .collect();
    tags.sort_by(|a, b| b.count.cmp(&a.count).then(a.tag.cmp(&b.tag)));
    Ok(MyReliability {
        reliability,
        tags,
        comments,
    })
}
