//! The demo's ratings (decision 046): customers rate the officers of their latest worked
//! shifts, one abusive comment is hidden by the coordinator, and a few officers rate the sites —
//! all through `services::ratings`, as a department would. Runs once: its mark is any rating in
//! the demo department.

use chrono::{DateTime, Duration, Utc};

use offduty_domain::protocol::Role;
use offduty_domain::ratings::{OfficerRatingForm, OfficerTag, SiteRatingForm, SiteTag};

use crate::db::{Db, DbError, from_us, get, get_uuid};
use crate::extract::AuthUser;
use crate::services::ratings;

use super::{COORDINATOR_EMAIL, DEMO_DEPARTMENT_ID};

/// What customers say, in turn (stars, tags, comment).
const SAID: [(u8, &[OfficerTag], Option<&str>); 6] = [
    (
        5,
        &[OfficerTag::OnTime, OfficerTag::Professional],
        Some("Kept the gate moving and the fans calm."),
    ),
    (4, &[OfficerTag::OnTime, OfficerTag::Communicative], None),
    (
        5,
        &[OfficerTag::WentBeyond, OfficerTag::WellPresented],
        Some("Found a lost child in ten minutes. Thank you."),
    ),
    (
        2,
        &[],
        Some("Useless lazy cop, stood around on his phone the whole night."),
    ),
    (
        3,
        &[OfficerTag::Professional],
        Some("Arrived a little late."),
    ),
    (4, &[OfficerTag::OnTime], None),
];

/// What officers say about the sites, in turn.
const SITES: [(u8, &[SiteTag], Option<&str>); 3] = [
    (
        4,
        &[SiteTag::Parking, SiteTag::ContactHelpful],
        Some("Staff lot behind gate C."),
    ),
    (
        2,
        &[SiteTag::ClearInstructions],
        Some("No restroom within walking distance of the post."),
    ),
    (
        5,
        &[SiteTag::Parking, SiteTag::Safe, SiteTag::Facilities],
        None,
    ),
];

/// Seeds the ratings unless the demo department has some. Returns how many were given.
pub async fn seed_ratings(db: &Db, now: DateTime<Utc>) -> Result<usize, String> {
    let e = |e: DbError| format!("demo ratings: {e}");
    let api = |e: crate::error::ApiError| format!("demo ratings: {}", e.detail);
    let any = sqlx::query("SELECT COUNT(*) AS n FROM officer_ratings WHERE department_id = $1")
        .bind(DEMO_DEPARTMENT_ID.to_string())
        .fetch_one(&db.pool)
        .await
        .map_err(|x| e(x.into()))?;
    if get::<i64>(&any, "n").map_err(e)? > 0 {
        return Ok(0);
    }
    // The latest worked shifts of customers with an account, a rating given a day after each.
    let rows = sqlx::query(
        "SELECT t.id, t.officer_id, t.out_us, j.customer_id FROM timecards t \
         JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
         WHERE t.department_id = $1 AND t.out_us IS NOT NULL AND t.out_us < $2 \
           AND t.status <> 'rejected' AND c.organization_id IS NOT NULL \
         ORDER BY t.out_us DESC, t.id LIMIT 6",
    )
    .bind(DEMO_DEPARTMENT_ID.to_string())
    .bind((now - Duration::days(1)).timestamp_micros())
    .fetch_all(&db.pool)
    .await
    .map_err(|x| e(x.into()))?;
    let coordinator = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(COORDINATOR_EMAIL)
        .fetch_one(&db.pool)
        .await
        .map_err(|x| e(x.into()))?;
    let coordinator = AuthUser {
        user_id: get_uuid(&coordinator, "id").map_err(e)?,
        department_id: DEMO_DEPARTMENT_ID,
        role: Role::Coordinator,
    };
    let mut given = 0;
    for (i, r) in rows.iter().enumerate() {
        let card = get_uuid(r, "id").map_err(e)?;
        let at = from_us(get(r, "out_us").map_err(e)?) + Duration::days(1);
        if let Some((stars, tags, comment)) = SAID.get(i) {
            let customer = AuthUser {
                user_id: get_uuid(r, "customer_id").map_err(e)?,
                department_id: DEMO_DEPARTMENT_ID,
                role: Role::Customer,
            };
            let form = OfficerRatingForm {
                stars: *stars,
                tags: tags.to_vec(),
                comment: comment.map(str::to_string),
            };
            ratings::rate_officer(db, customer, card, &form, at.min(now))
                .await
                .map_err(api)?;
            given += 1;
            if *stars <= 2 && comment.is_some() {
                ratings::hide_comment(
                    db,
                    coordinator,
                    card,
                    "Abusive language about the officer; the rating itself stands.",
                    at.min(now) + Duration::hours(2),
                )
                .await
                .map_err(api)?;
            }
        }
        // The officers of the first shifts rate their sites too.
        if let Some((stars, tags, comment)) = SITES.get(i) {
            let officer = AuthUser {
                user_id: get_uuid(r, "officer_id").map_err(e)?,
                department_id: DEMO_DEPARTMENT_ID,
                role: Role::Officer,
            };
            let form = SiteRatingForm {
                stars: *stars,
                tags: tags.to_vec(),
                comment: comment.map(str::to_string),
            };
            ratings::rate_site(db, officer, card, &form, at.min(now))
                .await
                .map_err(api)?;
            given += 1;
        }
    }
    Ok(given)
}
