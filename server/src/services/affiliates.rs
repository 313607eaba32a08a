//! Affiliates (issue 12, decision 047): a security firm a coordinator invites to request events
//! like a customer. The firm is an organization of kind `affiliate`; its contact is a customer
//! account of that organization, made with the invitation and without a password. The
//! invitation e-mail goes through the notification outbox with a single-use link that expires;
//! only the link's hash is stored. Accepting sets the password (the same policy and hashing as
//! every account) and the contact lands in the portal, where everything (requests, approval,
//! jobs, timecards, invoices) works exactly as for a customer. A coordinator can suspend an
//! affiliate: its users are disabled and signed out, its requests refused; its approved jobs
//! stay. Every write runs in one department transaction and is audited.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

use offduty_domain::protocol::Role;

use crate::auth::sessions::end_sessions;
use crate::auth::tokens::{hash_refresh_token, new_refresh_token};
use crate::db::{Db, DbError, get, get_opt_time, get_time, get_uuid, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::accounts::{NO_PASSWORD, find_by_email, hash_password};
use crate::services::audit::{self, AuditEntry};
use crate::services::customers::{self, Organization, OrganizationKind, Terms};
use crate::services::fields::{email, text};
use crate::services::notify::{self, Notice};
use crate::services::txn::DeptTx;

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// The console page an invitation link opens (the token follows as `?token=`).
pub const ACCEPT_PATH: &str = "/console/invitation";

/// What a coordinator fills in to invite a firm.
#[derive(Debug, Clone)]
pub struct Invite {
    pub name: String,
    pub billing_address: String,
    pub contact_name: String,
    pub email: String,
    pub terms: Terms,
}

/// An invitation just sent: the link is returned once (shown to the coordinator, who may hand it
/// over when e-mail is not configured) and kept only hashed.
#[derive(Debug, Clone)]
pub struct Invited {
    pub organization: Organization,
    pub user_id: Uuid,
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// One invitation as the affiliate's page lists it (never the token).
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// "accepted", "revoked", "expired" or "waiting" at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "waiting"
        }
    }
}

/// One of the affiliate's accounts.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// False until the contact accepted the invitation and set a password.
    pub has_password: bool,
    pub disabled: bool,
}

/// Why an invitation link cannot be used, in words the firm's contact can act on.
fn refused(why: &str) -> ApiError {
    let mut e = ApiError::conflict(why.to_string());
    e.field = Some("token".into());
    e
}

/// The link a new invitation token opens, on the console reached at `base`
/// (`https://host[:port]`).
fn link(base: &str, token: &str) -> String {
    format!("{base}{ACCEPT_PATH}?token={token}")
}

/// Stores a new invitation for `user_id` of `org` (revoking its earlier unused ones), queues the
/// e-mail, and returns the link and its expiry.
async fn issue(
    t: &mut DeptTx,
    coordinator: AuthUser,
    org: &Organization,
    user_id: Uuid,
    address: &str,
    base: &str,
    now: DateTime<Utc>,
) -> ApiResult<(String, DateTime<Utc>)> {
    let dept = t.dept.id;
    let department = t.dept.name.clone();
    let conn = t.conn();
    sqlx::query(
        "UPDATE affiliate_invitations SET revoked_us = $1 WHERE organization_id = $2 \
         AND accepted_us IS NULL AND revoked_us IS NULL",
    )
    .bind(to_us(now))
    .bind(org.id.to_string())
    .execute(&mut *conn)
    .await?;
    let token = new_refresh_token().replacen("odr1.", "oda1.", 1);
    let expires = now + INVITATION_TTL;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO affiliate_invitations (token_hash, id, department_id, organization_id, \
         user_id, email, invited_by, created_us, expires_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(hash_refresh_token(&token))
    .bind(id.to_string())
    .bind(dept.to_string())
    .bind(org.id.to_string())
    .bind(user_id.to_string())
    .bind(address)
    .bind(coordinator.user_id.to_string())
    .bind(to_us(now))
    .bind(to_us(expires))
    .execute(&mut *conn)
    .await?;
    let link = link(base, &token);
    notify::enqueue(
        conn,
        dept,
        user_id,
        &Notice::AffiliateInvitation {
            organization_id: org.id,
            organization: org.name.clone(),
            department,
            link: link.clone(),
            expires_at: expires,
        },
        now,
    )
    .await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "affiliate_invited",
            entity: "organization",
            entity_id: org.id.to_string(),
            detail: serde_json::json!({"invitation": id, "email": address,
                                       "expires_at": expires}),
        },
        now,
    )
    .await?;
    Ok((link, expires))
}

/// Invites a firm: makes its organization (kind `affiliate`, the terms given), its contact's
/// account (no password yet) and an invitation whose e-mail goes through the outbox. The
/// contact's e-mail must be new. `base` is the console's address for the link.
pub async fn invite(
    db: &Db,
    coordinator: AuthUser,
    req: &Invite,
    base: &str,
    now: DateTime<Utc>,
) -> ApiResult<Invited> {
    coordinator.require(Role::Coordinator)?;
    let name = text("name", &req.name, 120)?;
    let billing = text("billing_address", &req.billing_address, 300)?;
    let contact = text("contact_name", &req.contact_name, 120)?;
    let address = email("email", &req.email)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    let conn = t.conn();
    if find_by_email(conn, &address).await?.is_some() {
        let mut e = ApiError::conflict(
            "an account with this e-mail address already exists; invite another contact",
        );
        e.field = Some("email".into());
        return Err(e);
    }
    let org_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO organizations (id, department_id, name, billing_address, terms, kind, \
         created_us) VALUES ($1, $2, $3, $4, $5, 'affiliate', $6)",
    )
    .bind(org_id.to_string())
    .bind(dept.to_string())
    .bind(&name)
    .bind(&billing)
    .bind(req.terms.as_str())
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    let user_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, department_id, email, password_hash, role, display_name, \
         organization_id, created_us) VALUES ($1, $2, $3, $4, 'customer', $5, $6, $7)",
    )
    .bind(user_id.to_string())
    .bind(dept.to_string())
    .bind(&address)
    .bind(NO_PASSWORD)
    .bind(&contact)
    .bind(org_id.to_string())
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "affiliate_created",
            entity: "organization",
            entity_id: org_id.to_string(),
            detail: serde_json::json!({"name": name, "contact": contact, "email": address,
                                       "terms": req.terms}),
        },
        now,
    )
    .await?;
    let org = customers::load(conn, dept, org_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let (link, expires_at) = issue(&mut t, coordinator, &org, user_id, &address, base, now).await?;
    t.commit().await?;
    Ok(Invited {
        organization: org,
        user_id,
        link,
        expires_at,
    })
}

/// Sends a new invitation to the affiliate's contact who has not accepted yet (the earlier link
/// stops working): for a link that expired or was lost.
pub async fn reinvite(
    db: &Db,
    coordinator: AuthUser,
    organization_id: Uuid,
    base: &str,
    now: DateTime<Utc>,
) -> ApiResult<Invited> {
    coordinator.require(Role::Coordinator)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    let org = affiliate(t.conn(), dept, organization_id).await?;
    if org.suspended_at.is_some() {
        return Err(ApiError::conflict(
            "this affiliate is suspended; reinstate it before inviting its contact again",
        ));
    }
    let row = sqlx::query(
        "SELECT i.user_id, i.email, i.accepted_us FROM affiliate_invitations i \
         WHERE i.organization_id = $1 ORDER BY i.created_us DESC, i.id DESC LIMIT 1",
    )
    .bind(organization_id.to_string())
    .fetch_optional(&mut *t.conn())
    .await?
    .ok_or_else(|| ApiError::conflict("this affiliate was never invited"))?;
    if get::<Option<i64>>(&row, "accepted_us")?.is_some() {
        return Err(ApiError::conflict(
            "the contact already accepted the invitation; they sign in with their password",
        ));
    }
    let user_id = get_uuid(&row, "user_id")?;
    let address: String = get(&row, "email")?;
    let (link, expires_at) = issue(&mut t, coordinator, &org, user_id, &address, base, now).await?;
    t.commit().await?;
    Ok(Invited {
        organization: org,
        user_id,
        link,
        expires_at,
    })
}

/// What an invitation link is for, shown before the contact sets a password.
#[derive(Debug, Clone)]
pub struct Pending {
    pub organization: String,
    pub department: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    /// The department's zone, to show the expiry in.
    pub tz: chrono_tz::Tz,
}

/// The invitation `token` names, if it can still be accepted at `now`; otherwise why not.
async fn usable(
    conn: &mut AnyConnection,
    token: &str,
    now: DateTime<Utc>,
) -> ApiResult<(sqlx::any::AnyRow, Pending)> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(refused(
            "this invitation link is incomplete: open the link from the e-mail as it is",
        ));
    }
    let row = sqlx::query(
        "SELECT i.id, i.user_id, i.email, i.expires_us, i.accepted_us, i.revoked_us, \
         i.department_id, o.name AS org_name, o.suspended_us, d.name AS dept_name, d.time_zone, u.disabled \
         FROM affiliate_invitations i JOIN organizations o ON o.id = i.organization_id \
         JOIN departments d ON d.id = i.department_id JOIN users u ON u.id = i.user_id \
         WHERE i.token_hash = $1",
    )
    .bind(hash_refresh_token(token))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        refused("this invitation link is not valid: open the link from the e-mail as it is")
    })?;
    if get::<Option<i64>>(&row, "accepted_us")?.is_some() {
        return Err(refused(
            "this invitation was already accepted: sign in with the password you chose",
        ));
    }
    if get::<Option<i64>>(&row, "revoked_us")?.is_some() {
        return Err(refused(
            "a newer invitation replaced this one: open the link from the latest e-mail",
        ));
    }
    if get::<Option<i64>>(&row, "suspended_us")?.is_some() || get::<i64>(&row, "disabled")? != 0 {
        return Err(refused(
            "the department has suspended this organization's access; ask the department",
        ));
    }
    let expires_at = get_time(&row, "expires_us")?;
    if expires_at <= now {
        return Err(refused(
            "this invitation has expired: ask the department to send a new one",
        ));
    }
    let pending = Pending {
        organization: get(&row, "org_name")?,
        department: get(&row, "dept_name")?,
        email: get(&row, "email")?,
        expires_at,
        tz: get::<String>(&row, "time_zone")?
            .parse()
            .unwrap_or(chrono_tz::Tz::UTC),
    };
    Ok((row, pending))
}

/// What the invitation `token` is for, when it can still be accepted.
pub async fn pending(db: &Db, token: &str, now: DateTime<Utc>) -> ApiResult<Pending> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    Ok(usable(&mut conn, token, now).await?.1)
}

/// Accepts an invitation: sets the contact's password (the account policy) and spends the link.
/// Returns the contact's e-mail, to sign in with.
pub async fn accept(db: &Db, token: &str, password: &str, now: DateTime<Utc>) -> ApiResult<String> {
    let hash = hash_password("password", password).await?;
    let mut tx = db.write().await?;
    let (row, pending) = usable(tx.conn(), token, now).await?;
    let id = get_uuid(&row, "id")?;
    let user_id = get_uuid(&row, "user_id")?;
    let dept = get_uuid(&row, "department_id")?;
    let conn = tx.conn();
    sqlx::query("UPDATE affiliate_invitations SET accepted_us = $1 WHERE id = $2")
        .bind(to_us(now))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    end_sessions(conn, user_id, now).await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(user_id),
            action: "affiliate_invitation_accepted",
            entity: "user",
            entity_id: user_id.to_string(),
            detail: serde_json::json!({"invitation": id}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(pending.email)
}

/// The department's affiliate `id`; "not found" for a customer or another department's.
async fn affiliate(
    conn: &mut AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> ApiResult<Organization> {
    match customers::load(conn, department_id, id).await? {
        Some(o) if o.kind == OrganizationKind::Affiliate => Ok(o),
        _ => Err(ApiError::not_found("affiliate")),
    }
}

/// Suspends (`suspend`) or reinstates an affiliate: its accounts are disabled and signed out at
/// once (or enabled again); its approved jobs stay. Audited with the coordinator's reason.
pub async fn set_suspended(
    db: &Db,
    coordinator: AuthUser,
    id: Uuid,
    suspend: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Organization> {
    coordinator.require(Role::Coordinator)?;
    let reason = if suspend {
        text("reason", reason, 500)?
    } else {
        reason.trim().chars().take(500).collect()
    };
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let dept = t.dept.id;
    let org = affiliate(t.conn(), dept, id).await?;
    if org.suspended_at.is_some() == suspend {
        return Err(ApiError::conflict(if suspend {
            "this affiliate is already suspended"
        } else {
            "this affiliate is not suspended"
        }));
    }
    let conn = t.conn();
    sqlx::query("UPDATE organizations SET suspended_us = $1 WHERE id = $2")
        .bind(suspend.then(|| to_us(now)))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE users SET disabled = $1 WHERE organization_id = $2")
        .bind(i64::from(suspend))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    if suspend {
        let users = sqlx::query("SELECT id FROM users WHERE organization_id = $1")
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?;
        for u in &users {
            end_sessions(conn, get_uuid(u, "id")?, now).await?;
        }
    }
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: if suspend {
                "affiliate_suspended"
            } else {
                "affiliate_reinstated"
            },
            entity: "organization",
            entity_id: id.to_string(),
            detail: serde_json::json!({"name": org.name, "reason": reason}),
        },
        now,
    )
    .await?;
    let org = customers::load(conn, dept, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(org)
}

/// The department's affiliates, by name.
pub async fn list(db: &Db, department_id: Uuid) -> Result<Vec<Organization>, DbError> {
    Ok(customers::list(db, department_id)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrganizationKind::Affiliate)
        .collect())
}

/// One affiliate of the department with its accounts and invitations, for its page.
pub async fn detail(
    db: &Db,
    department_id: Uuid,
    id: Uuid,
) -> ApiResult<(Organization, Vec<Member>, Vec<Invitation>)> {
    let mut conn = db.pool.acquire().await.map_err(DbError::from)?;
    let org = affiliate(&mut conn, department_id, id).await?;
    let members = sqlx::query(
        "SELECT id, display_name, email, password_hash, disabled FROM users \
         WHERE organization_id = $1 AND department_id = $2 ORDER BY display_name, id",
    )
    .bind(id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(DbError::from)?
    .iter()
    .map(|r| {
        Ok(Member {
            id: get_uuid(r, "id")?,
            name: get(r, "display_name")?,
            email: get(r, "email")?,
            has_password: get::<String>(r, "password_hash")? != NO_PASSWORD,
            disabled: get::<i64>(r, "disabled")? != 0,
        })
    })
    .collect::<Result<Vec<_>, DbError>>()?;
    let invitations = sqlx::query(
        "SELECT id, email, created_us, expires_us, accepted_us, revoked_us \
         FROM affiliate_invitations WHERE organization_id = $1 AND department_id = $2 \
         ORDER BY created_us DESC, id DESC",
    )
    .bind(id.to_string())
    .bind(department_id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(DbError::from)?
    .iter()
    .map(|r| {
        Ok(Invitation {
            id: get_uuid(r, "id")?,
            email: get(r, "email")?,
            created_at: get_time(r, "created_us")?,
            expires_at: get_time(r, "expires_us")?,
            accepted_at: get_opt_time(r, "accepted_us")?,
            revoked_at: get_opt_time(r, "revoked_us")?,
        })
    })
    .collect::<Result<Vec<_>, DbError>>()?;
    Ok((org, members, invitations))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(
        expires_in: i64,
        accepted: bool,
        revoked: bool,
        now: DateTime<Utc>,
    ) -> Invitation {
        Invitation {
            id: Uuid::nil(),
            email: "ops@buckeye.test".into(),
            created_at: now - Duration::days(1),
            expires_at: now + Duration::hours(expires_in),
            accepted_at: accepted.then_some(now),
            revoked_at: revoked.then_some(now),
        }
    }

    #[test]
    fn an_invitation_is_accepted_revoked_expired_or_waiting() {
        let now = Utc::now();
        assert_eq!(invitation(5, false, false, now).state(now), "waiting");
        assert_eq!(invitation(0, false, false, now).state(now), "expired");
        assert_eq!(invitation(5, false, true, now).state(now), "revoked");
        assert_eq!(
            invitation(-5, true, false, now).state(now),
            "accepted",
            "an accepted link stays accepted after its expiry"
        );
    }

    #[test]
    fn the_link_carries_the_token_on_the_acceptance_page() {
        assert_eq!(
            link("https://console.example", "oda1.abc"),
            "https://console.example/console/invitation?token=oda1.abc"
        );
    }
}
