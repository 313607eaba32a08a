//! The demo's affiliate (decision 047): Buckeye Security Group, a security firm the department
//! invited, made by the same services a coordinator and the firm use — the invitation, its
//! acceptance (the contact's password is the demo's), a site, a request for next week approved
//! from the queue (its jobs are on the officers' board under the firm's name). Its past work:
//! the demo plan's last few worked shifts at Polaris Fashion Place (a site whose customer has
//! no account) are the firm's, so its portal shows officers' timecards and, once the money
//! seed has run, its invoice. Runs once: its mark is the firm's organization.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use offduty_domain::geofence::GeoPoint;
use offduty_domain::protocol::Role;

use crate::db::{DbError, get, get_uuid, to_us};
use crate::extract::AuthUser;
use crate::services::affiliates::{self, Invite};
use crate::services::customers::{self, NewSite, Terms};
use crate::services::event_requests::{self, Approval, EventForm, ShiftForm};

use super::{COORDINATOR_EMAIL, DEMO_DEPARTMENT_ID, DEMO_PASSWORD, DEMO_TIME_ZONE};

/// The demo affiliate's name.
pub const AFFILIATE_NAME: &str = "Buckeye Security Group";
/// Its contact's e-mail (password: the demo's).
pub const AFFILIATE_EMAIL: &str = "dispatch@buckeyesecurity.demo";
/// The demo site whose past worked shifts become the firm's.
const WORKED_AT: &str = "Polaris Fashion Place";
/// How many of them.
const PAST_SHIFTS: i64 = 3;

/// Seeds the affiliate unless it is there. `None`: already there; otherwise what was made.
pub async fn seed_affiliate(
    db: &crate::db::Db,
    base: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, String> {
    let e = |e: crate::error::ApiError| format!("demo affiliate: {}", e.detail);
    let d = |e: DbError| format!("demo affiliate: {e}");
    let mut conn = db.pool.acquire().await.map_err(|e| d(e.into()))?;
    let exists = sqlx::query("SELECT id FROM organizations WHERE department_id = $1 AND name = $2")
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .bind(AFFILIATE_NAME)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d(e.into()))?;
    if exists.is_some() {
        return Ok(None);
    }
    let row = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(COORDINATOR_EMAIL)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d(e.into()))?;
    drop(conn);
    let coord = AuthUser {
        user_id: get_uuid(&row, "id").map_err(d)?,
        department_id: DEMO_DEPARTMENT_ID,
        role: Role::Coordinator,
    };

    let invited = affiliates::invite(
        db,
        coord,
        &Invite {
            name: AFFILIATE_NAME.into(),
            billing_address: "65 E State St, Suite 1100, Columbus, OH 43215".into(),
            contact_name: "Morgan Ellis".into(),
            email: AFFILIATE_EMAIL.into(),
            terms: Terms::Invoice,
        },
        base,
        now,
    )
    .await
    .map_err(e)?;
    let token = invited
        .link
        .split("token=")
        .nth(1)
        .ok_or("demo affiliate: the link has no token")?;
    affiliates::accept(db, token, DEMO_PASSWORD, now)
        .await
        .map_err(e)?;
    let firm = AuthUser {
        user_id: invited.user_id,
        department_id: DEMO_DEPARTMENT_ID,
        role: Role::Customer,
    };
    let site = customers::add_site(
        db,
        firm,
        &NewSite {
            name: "Fifth Third Bank — Polaris branch".into(),
            address: "1300 Polaris Pkwy, Columbus, OH 43240".into(),
            location: GeoPoint {
                lat: 40.1436,
                lon: -82.9813,
            },
            radius_m: Some(120.0),
        },
        now,
    )
    .await
    .map_err(e)?;

    // Next week's cash delivery, requested by the firm and approved from the queue.
    let tz: chrono_tz::Tz = DEMO_TIME_ZONE.parse().map_err(|_| "demo affiliate: zone")?;
    let day = (now + Duration::days(6)).with_timezone(&tz).date_naive();
    let at = |h: u32| {
        tz.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or("demo affiliate: no such local time")
    };
    let request = event_requests::submit(
        db,
        firm,
        None,
        &EventForm {
            site_id: site.id,
            title: "Armored cash delivery escort".into(),
            job_type: "security".into(),
            vehicle: true,
            contact_name: "Morgan Ellis".into(),
            contact_phone: "(614) 555-0142".into(),
            instructions: "Meet the armored truck at the rear loading dock; radio channel 4."
                .into(),
            shifts: vec![ShiftForm {
                starts_at: at(7)?,
                ends_at: at(11)?,
                officers: 2,
            }],
        },
        now,
    )
    .await
    .map_err(e)?;
    event_requests::approve(db, coord, request.id, &Approval::default(), now)
        .await
        .map_err(e)?;

    // Past work: the last worked shifts at the mall are the firm's.
    let mut tx = db.write().await.map_err(d)?;
    let rows = sqlx::query(
        "SELECT j.id FROM jobs j WHERE j.department_id = $1 AND j.site_name = $2 \
         AND j.customer_id IS NULL AND j.ends_us < $3 \
         AND EXISTS (SELECT 1 FROM timecards t WHERE t.job_id = j.id) \
         ORDER BY j.ends_us DESC LIMIT $4",
    )
    .bind(DEMO_DEPARTMENT_ID.to_string())
    .bind(WORKED_AT)
    .bind(to_us(now))
    .bind(PAST_SHIFTS)
    .fetch_all(&mut *tx.conn())
    .await
    .map_err(|e| d(e.into()))?;
    for r in &rows {
        let id: String = get(r, "id").map_err(d)?;
        sqlx::query("UPDATE jobs SET customer_id = $1, customer_name = $2 WHERE id = $3")
            .bind(invited.user_id.to_string())
            .bind(AFFILIATE_NAME)
            .bind(&id)
            .execute(&mut *tx.conn())
            .await
            .map_err(|e| d(e.into()))?;
    }
    tx.commit().await.map_err(d)?;
    Ok(Some(format!(
        "Affiliate: {AFFILIATE_NAME} (sign in as {AFFILIATE_EMAIL}), one approved request, {} \
         past job(s) worked for it",
        rows.len()
    )))
}
