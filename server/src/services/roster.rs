//! Importing the department's roster (`POST /v1/officers/import`,
//! `offduty-server admin import-roster`), all or nothing: the file is read and checked first
//! ([`crate::services::roster_csv`]), then every row is matched to the officers on file, and only
//! if every row can be imported is the whole roster written, in one transaction. Importing the
//! same roster again changes nothing. An officer is matched by badge within the department, else
//! by e-mail; a column left out of the file leaves that attribute as it is (decision 017).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::eligibility::Rank;

use crate::db::{Db, DbError, get, get_json, get_uuid, json, to_us};
use crate::error::ApiResult;
use crate::services::accounts::{
    Admin, NO_PASSWORD, OfficerFields, find_by_badge, find_by_email, insert_officer,
    issue_setup_token, rank_name, renumber_seniority,
};
use crate::services::audit::{self, AuditEntry};
use crate::services::changes::{self, Entity};
use crate::services::txn::DeptTx;

pub use crate::services::roster_csv::{RosterRow, RowError, parse, refusal};

/// One officer the import created or changed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportedOfficer {
    pub row: u64,
    pub id: Uuid,
    pub email: String,
    pub badge: String,
    /// What changed (for an officer already on file).
    pub changed: Vec<String>,
    /// A new officer's one-time token to set a password (`POST /v1/auth/reset-password`).
    pub setup_token: Option<String>,
}

/// An officer of the department the roster does not list.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unlisted {
    pub id: Uuid,
    pub email: String,
    pub badge: String,
    pub disabled: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RosterImport {
    pub created: Vec<ImportedOfficer>,
    pub updated: Vec<ImportedOfficer>,
    pub unchanged: u32,
    /// When the new officers' setup tokens stop working.
    pub setup_expires_at: Option<DateTime<Utc>>,
    /// Officers on file but not in this roster: left as they are (disable leavers explicitly).
    pub not_in_roster: Vec<Unlisted>,
}

/// An officer on file, as the import compares it.
#[derive(Debug, Clone, PartialEq)]
struct OnFile {
    id: Uuid,
    email: String,
    display_name: String,
    badge: String,
    rank: String,
    seniority_date: Option<String>,
    certifications: Vec<String>,
    groups: Vec<String>,
    permit_us: Option<i64>,
}

async fn on_file(conn: &mut AnyConnection, id: Uuid) -> Result<OnFile, DbError> {
    let r = sqlx::query(
        "SELECT id, email, display_name, badge, rank, seniority_date, certifications_json, \
         groups_json, permit_expires_us FROM users WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(OnFile {
        id: get_uuid(&r, "id")?,
        email: get(&r, "email")?,
        display_name: get(&r, "display_name")?,
        badge: get(&r, "badge")?,
        rank: get(&r, "rank")?,
        seniority_date: get(&r, "seniority_date")?,
        certifications: get_json(&r, "certifications_json")?,
        groups: get_json(&r, "groups_json")?,
        permit_us: get(&r, "permit_expires_us")?,
    })
}

/// A permit "expiring on" a date lapses at the end of that day in the department's time zone.
fn end_of_day(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = d.checked_add_days(Days::new(1)).unwrap_or(d);
    let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// What the officer becomes: the row's values for the columns it has, the file's for the rest.
fn merged(row: &RosterRow, old: &OnFile, tz: Tz) -> OnFile {
    OnFile {
        id: old.id,
        email: row.email.clone(),
        display_name: row.display_name.clone(),
        badge: row.badge.clone(),
        rank: row.rank.map_or_else(|| old.rank.clone(), rank_name),
        seniority_date: row
            .seniority_date
            .map_or_else(|| old.seniority_date.clone(), |d| d.map(|d| d.to_string())),
        certifications: row
            .certifications
            .clone()
            .unwrap_or_else(|| old.certifications.clone()),
        groups: row.groups.clone().unwrap_or_else(|| old.groups.clone()),
        permit_us: row
            .permit_expires
            .map_or(old.permit_us, |d| d.map(|d| to_us(end_of_day(d, tz)))),
    }
}

fn differences(old: &OnFile, new: &OnFile) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |name: &str, changed: bool| {
        if changed {
            out.push(name.to_string());
        }
    };
    diff("email", old.email != new.email);
    diff("name", old.display_name != new.display_name);
    diff("badge", old.badge != new.badge);
    diff("rank", old.rank != new.rank);
    diff("seniority_date", old.seniority_date != new.seniority_date);
    diff("certifications", old.certifications != new.certifications);
    diff("groups", old.groups != new.groups);
    diff("permit_expires", old.permit_us != new.permit_us);
    out
}

/// Which officer on file a row is (None: a new one), or why the row cannot be imported.
async fn match_row(
    conn: &mut AnyConnection,
    department_id: Uuid,
    row: &RosterRow,
) -> Result<Result<Option<Uuid>, RowError>, DbError> {
    let err = |column: &str, detail: String| {
        Ok(Err(RowError {
            row: row.row,
            column: column.to_string(),
            detail,
        }))
    };
    let by_badge = find_by_badge(conn, department_id, &row.badge).await?;
    let by_email = find_by_email(conn, &row.email).await?;
    if let Some((_, role)) = &by_badge
        && role != "officer"
    {
        return err(
            "badge",
            format!("badge {} belongs to a {role} account", row.badge),
        );
    }
    match (by_badge, by_email) {
        (_, Some((_, dept, _))) if dept != department_id => err(
            "email",
            format!("{} is already used by another account", row.email),
        ),
        (_, Some((_, _, role))) if role != "officer" => err(
            "email",
            format!("{} belongs to a {role} account", row.email),
        ),
        (Some((b, _)), Some((e, _, _))) if b != e => err(
            "badge",
            format!(
                "badge {} belongs to another officer than {}: fix the row or that officer first",
                row.badge, row.email
            ),
        ),
        (Some((id, _)), _) | (None, Some((id, _, _))) => Ok(Ok(Some(id))),
        (None, None) => Ok(Ok(None)),
    }
}

/// Imports checked rows (see the module documentation).
pub async fn import(
    db: &Db,
    department_id: Uuid,
    admin: &Admin,
    rows: &[RosterRow],
    now: DateTime<Utc>,
) -> ApiResult<RosterImport> {
    let mut t = DeptTx::begin(db, department_id).await?;
    let (seq, dept, tz) = (t.seq, t.dept.id, t.dept.tz);
    let conn = t.conn();
    let mut matched = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in rows {
        match match_row(conn, dept, row).await? {
            Ok(m) => matched.push((row, m)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(refusal(&errors));
    }
    let mut report = RosterImport {
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: 0,
        setup_expires_at: None,
        not_in_roster: Vec::new(),
    };
    let mut listed = std::collections::HashSet::new();
    for (row, m) in &matched {
        let Some(id) = m else { continue };
        listed.insert(*id);
        let old = on_file(conn, *id).await?;
        let new = merged(row, &old, tz);
        let changed = differences(&old, &new);
        if changed.is_empty() {
            report.unchanged += 1;
            continue;
        }
        sqlx::query(
            "UPDATE users SET email = $1, display_name = $2, rank = $3, seniority_date = $4, \
             certifications_json = $5, groups_json = $6, permit_expires_us = $7, badge = $9 \
             WHERE id = $8",
        )
        .bind(&new.email)
        .bind(&new.display_name)
        .bind(&new.rank)
        .bind(new.seniority_date.clone())
        .bind(json(&new.certifications))
        .bind(json(&new.groups))
        .bind(new.permit_us)
        .bind(new.id.to_string())
        .bind(&new.badge)
        .execute(&mut *conn)
        .await?;
        changes::record(conn, dept, seq, Entity::Profile, new.id, Some(new.id)).await?;
        report.updated.push(ImportedOfficer {
            row: row.row,
            id: new.id,
            email: new.email.clone(),
            badge: row.badge.clone(),
            changed,
            setup_token: None,
        });
    }
    for (row, m) in &matched {
        if m.is_some() {
            continue;
        }
        let fields = OfficerFields {
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            badge: row.badge.clone(),
            rank: row.rank.unwrap_or(Rank::Officer),
            seniority_date: row.seniority_date.flatten(),
            certifications: row.certifications.clone().unwrap_or_default(),
            groups: row.groups.clone().unwrap_or_default(),
            permit_expires_at: row.permit_expires.flatten().map(|d| end_of_day(d, tz)),
        };
        let id = insert_officer(conn, dept, seq, &fields, NO_PASSWORD, now).await?;
        listed.insert(id);
        let (token, expires) = issue_setup_token(conn, id, now).await?;
        report.setup_expires_at = Some(expires);
        report.created.push(ImportedOfficer {
            row: row.row,
            id,
            email: row.email.clone(),
            badge: row.badge.clone(),
            changed: Vec::new(),
            setup_token: Some(token),
        });
    }
    renumber_seniority(conn, dept, seq).await?;
    let others = sqlx::query(
        "SELECT id, email, badge, disabled FROM users WHERE department_id = $1 \
         AND role = 'officer' ORDER BY badge, id",
    )
    .bind(dept.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for r in &others {
        let id = get_uuid(r, "id")?;
        if !listed.contains(&id) {
            report.not_in_roster.push(Unlisted {
                id,
                email: get(r, "email")?,
                badge: get(r, "badge")?,
                disabled: get::<i64>(r, "disabled")? != 0,
            });
        }
    }
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: admin.actor_id(),
            action: "roster_imported",
            entity: "department",
            entity_id: dept.to_string(),
            detail: serde_json::json!({
                "rows": rows.len(),
                "created": report.created.iter().map(|o| o.id).collect::<Vec<_>>(),
                "updated": report.updated.iter().map(|o| (o.id, &o.changed)).collect::<Vec<_>>(),
                "unchanged": report.unchanged,
                "via": admin.via(),
            }),
        },
        now,
    )
    .await?;
    t.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permit_lapses_at_the_end_of_its_day_in_the_department() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
        assert_eq!(end_of_day(d, tz).to_rfc3339(), "2028-01-01T05:00:00+00:00");
    }
}
