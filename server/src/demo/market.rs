//! The demo's customers (issue 11): the two customer accounts belong to organizations with their
//! sites (Ohio State Athletics pays by a saved card, the simulated gateway's; Easton Town Center
//! has invoice terms), and requests in every state: four waiting in the coordinator's queue, one
//! sent back for changes, one declined. Estimates are the rate card's, computed when seeding.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::billing::{self, RateCard, RequestedShift};

use crate::db::rows::Department;
use crate::db::{DbError, json, to_us};

use super::data::{Account, SITES, Site};
use super::plan::geofence;

/// One demo request.
struct Ask {
    account: Account,
    site: &'static str,
    title: &'static str,
    job_type: &'static str,
    vehicle: bool,
    /// (days from today, local start, local end, officers); an end at or before the start is
    /// the next day.
    shifts: &'static [(i64, &'static str, &'static str, u32)],
    status: &'static str,
    reason: Option<&'static str>,
    /// Minutes before seeding it was sent.
    sent_minutes_ago: i64,
    instructions: &'static str,
}

const ASKS: &[Ask] = &[
    Ask {
        account: Account::Stadium,
        site: "Ohio Stadium",
        title: "Spring game: gates and traffic",
        job_type: "traffic",
        vehicle: true,
        shifts: &[(9, "10:00", "16:00", 6)],
        status: "submitted",
        reason: None,
        sent_minutes_ago: 190,
        instructions: "Report to the Gate 10 command post. Lots 1–4 close at 11:00.",
    },
    Ask {
        account: Account::Stadium,
        site: "Schottenstein Center",
        title: "Commencement: arena security",
        job_type: "security",
        vehicle: false,
        shifts: &[(12, "08:00", "14:00", 4), (13, "08:00", "14:00", 4)],
        status: "submitted",
        reason: None,
        sent_minutes_ago: 125,
        instructions: "Bag checks at the north doors; radios issued on site.",
    },
    Ask {
        account: Account::Easton,
        site: "Easton Town Center",
        title: "Holiday market weekend",
        job_type: "security",
        vehicle: false,
        shifts: &[(5, "12:00", "20:00", 2), (6, "12:00", "20:00", 2)],
        status: "submitted",
        reason: None,
        sent_minutes_ago: 70,
        instructions: "Walk the market aisles; the security office is by the fountain.",
    },
    Ask {
        account: Account::Easton,
        site: "Easton Town Center",
        title: "New Year's Eve fireworks",
        job_type: "event",
        vehicle: true,
        shifts: &[(24, "18:00", "01:00", 3)],
        status: "submitted",
        reason: None,
        sent_minutes_ago: 25,
        instructions: "Crowd control at the town square until the garage empties.",
    },
    Ask {
        account: Account::Stadium,
        site: "Schottenstein Center",
        title: "Hockey night: parking lots",
        job_type: "traffic",
        vehicle: false,
        shifts: &[(16, "17:00", "23:00", 2)],
        status: "changes_requested",
        reason: Some("Please name an on-site contact who is there during the game."),
        sent_minutes_ago: 60 * 26,
        instructions: "",
    },
    Ask {
        account: Account::Easton,
        site: "Easton Town Center",
        title: "Nightly lot patrol",
        job_type: "security",
        vehicle: true,
        shifts: &[(3, "22:00", "06:00", 1)],
        status: "rejected",
        reason: Some(
            "Standing nightly patrols need a contract with the division; call the off-duty office.",
        ),
        sent_minutes_ago: 60 * 50,
        instructions: "",
    },
];

/// What the demo's marketplace holds.
pub struct Market {
    pub organizations: u64,
    pub waiting: u64,
}

fn site_by_name(name: &str) -> Option<&'static Site> {
    SITES.iter().copied().find(|s| s.name == name)
}

/// Writes the organizations, sites and requests inside the seed's transaction.
pub async fn write_market(
    conn: &mut AnyConnection,
    dept: &Department,
    coordinator: Uuid,
    stadium: Option<Uuid>,
    easton: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Market, DbError> {
    let card = RateCard {
        pay: dept.pay.clone(),
        ..RateCard::default()
    };
    // (account, organization, the customer account that sends its requests)
    let mut orgs: Vec<(Account, Uuid, Uuid)> = Vec::new();
    let accounts = [
        (
            Account::Stadium,
            stadium,
            "Ohio State Athletics",
            "555 Borror Dr, Columbus, OH 43210",
            "(614) 292-2624",
            "card",
        ),
        (
            Account::Easton,
            easton,
            "Easton Town Center",
            "160 Easton Town Center, Columbus, OH 43219",
            "(614) 416-7000",
            "invoice",
        ),
    ];
    for (account, user, name, billing, phone, terms) in accounts {
        let Some(user) = user else { continue };
        let org = Uuid::now_v7();
        let card_saved = terms == "card";
        sqlx::query(
            "INSERT INTO organizations (id, department_id, name, billing_address, contact_phone, \
             terms, gateway_customer, payment_method, payment_method_label, payment_method_us, \
             created_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(org.to_string())
        .bind(dept.id.to_string())
        .bind(name)
        .bind(billing)
        .bind(phone)
        .bind(terms)
        .bind(card_saved.then(|| format!("cus_simulated_{}", org.simple())))
        .bind(card_saved.then(|| format!("pm_simulated_{}", org.simple())))
        .bind(card_saved.then_some("Visa ending 4242 (simulated)"))
        .bind(card_saved.then(|| to_us(now - Duration::days(20))))
        .bind(to_us(now - Duration::days(30)))
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE users SET organization_id = $1 WHERE id = $2")
            .bind(org.to_string())
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
        for site in SITES.iter().filter(|s| s.account == account) {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO sites (id, organization_id, department_id, name, address, lat, lon, \
                 geofence_json, created_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(dept.id.to_string())
            .bind(site.name)
            .bind(site.address)
            .bind(site.lat)
            .bind(site.lon)
            .bind(json(&geofence(site)))
            .bind(to_us(now - Duration::days(30)))
            .execute(&mut *conn)
            .await?;
        }
        orgs.push((account, org, user));
    }

    let today = now.with_timezone(&dept.tz).date_naive();
    let mut waiting = 0;
    for ask in ASKS {
        let Some(site) = site_by_name(ask.site) else {
            continue;
        };
        let Some(&(_, org, user)) = orgs.iter().find(|(a, _, _)| *a == ask.account) else {
            continue;
        };
        let site_id: Option<String> = {
            let row = sqlx::query("SELECT id FROM sites WHERE organization_id = $1 AND name = $2")
                .bind(org.to_string())
                .bind(site.name)
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|r| crate::db::get::<String>(&r, "id"))
                .transpose()?
        };
        let Some(site_id) = site_id else { continue };
        let at = |days: i64, t: &str| {
            let date = today + Duration::days(days);
            let time = NaiveTime::parse_from_str(t, "%H:%M").unwrap_or_default();
            dept.tz
                .from_local_datetime(&date.and_time(time))
                .earliest()
                .map(|d| d.with_timezone(&Utc))
        };
        let mut shifts = Vec::new();
        for (days, start, end, officers) in ask.shifts {
            let (Some(s), Some(mut e)) = (at(*days, start), at(*days, end)) else {
                continue;
            };
            if e <= s {
                e += Duration::days(1);
            }
            shifts.push(RequestedShift {
                starts_at: s,
                ends_at: e,
                officers: *officers,
                job_type: ask.job_type.to_string(),
                vehicle: ask.vehicle,
            });
        }
        let sent = now - Duration::minutes(ask.sent_minutes_ago);
        let Ok(estimate) = billing::estimate(&card, dept.tz, sent, &shifts) else {
            tracing::warn!(title = ask.title, "demo request not billable; left out");
            continue;
        };
        let decided = ask.status != "submitted";
        sqlx::query(
            "INSERT INTO event_requests (id, department_id, organization_id, site_id, title, \
             job_type, vehicle, contact_name, contact_phone, instructions, shifts_json, \
             estimate_json, status, reason, submitted_by, submitted_us, decided_by, decided_us, \
             version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, 0)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(dept.id.to_string())
        .bind(org.to_string())
        .bind(site_id)
        .bind(ask.title)
        .bind(ask.job_type)
        .bind(i64::from(ask.vehicle))
        .bind("Jordan Reyes")
        .bind("(614) 555-0142")
        .bind(ask.instructions)
        .bind(json(&shifts))
        .bind(json(&estimate))
        .bind(ask.status)
        .bind(ask.reason)
        .bind(user.to_string())
        .bind(to_us(sent))
        .bind(decided.then(|| coordinator.to_string()))
        .bind(decided.then(|| to_us(sent + Duration::minutes(30))))
        .execute(&mut *conn)
        .await?;
        if !decided {
            waiting += 1;
        }
    }
    Ok(Market {
        organizations: u64::try_from(accounts.iter().filter(|a| a.1.is_some()).count())
            .unwrap_or(0),
        waiting,
    })
}
