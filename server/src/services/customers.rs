//! The customers' side of the marketplace (issue 11, decision 039): a business signs up as an
//! organization with its first customer account, adds the sites where it needs officers, and
//! keeps a validated payment method (or "bill by invoice" terms a coordinator granted) before it
//! may request an event. Each write runs in one department transaction and is audited; routes
//! and pages only parse and authorize.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::protocol::Role;

use crate::db::{Db, DbError, get, get_json, get_opt_time, get_uuid, json, to_us};
use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::services::accounts::{find_by_email, hash_password};
use crate::services::audit::{self, AuditEntry};
use crate::services::fields::{email, text};
use crate::services::txn::DeptTx;

/// How a customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Terms {
    /// Charged to a saved, validated payment method the day its timecards are approved.
    Card,
    /// Pays the department's invoices by transfer: terms a coordinator grants.
    Invoice,
}

impl Terms {
    pub fn as_str(self) -> &'static str {
        match self {
            Terms::Card => "card",
            Terms::Invoice => "invoice",
        }
    }

    fn parse(s: &str) -> Terms {
        if s == "invoice" {
            Terms::Invoice
        } else {
            Terms::Card
        }
    }
}

/// What kind of organization it is (decision 047).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// A business that signed up through the portal.
    Customer,
    /// A security firm a coordinator invited; it requests events like a customer.
    Affiliate,
}

impl OrganizationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::Customer => "customer",
            OrganizationKind::Affiliate => "affiliate",
        }
    }

    /// How the pages label it ("Customer", "Affiliate").
    pub fn label(self) -> &'static str {
        match self {
            OrganizationKind::Customer => "Customer",
            OrganizationKind::Affiliate => "Affiliate",
        }
    }

    pub(crate) fn parse(s: &str) -> OrganizationKind {
        if s == "affiliate" {
            OrganizationKind::Affiliate
        } else {
            OrganizationKind::Customer
        }
    }
}

/// A customer business as its own people and the coordinators see it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: Uuid,
    pub department_id: Uuid,
    pub name: String,
    pub billing_address: String,
    pub contact_phone: String,
    pub terms: Terms,
    /// The gateway's customer id, once one was made.
    pub gateway_customer: Option<String>,
    /// What the saved payment method is shown as ("Visa ending 4242"), once validated.
    pub payment_method_label: Option<String>,
    pub payment_method_validated_at: Option<DateTime<Utc>>,
    /// A customer that signed up, or an affiliate a coordinator invited.
    pub kind: OrganizationKind,
    /// When a coordinator suspended it (its users cannot sign in or request), while suspended.
    pub suspended_at: Option<DateTime<Utc>>,
    /// The gateway's id of the saved method (never a card number).
    #[serde(skip)]
    pub payment_method: Option<String>,
}

impl Organization {
    /// Whether the organization may request an event: a validated method, or invoice terms.
    pub fn may_request(&self) -> bool {
        self.terms == Terms::Invoice || self.payment_method_validated_at.is_some()
    }
}

/// A place where a customer needs officers.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Site {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub address: String,
    pub location: GeoPoint,
    pub geofence: Geofence,
}

/// A business signing up: the organization and its first customer account.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SignUp {
    pub organization: String,
    pub billing_address: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
}

/// A new site: a typed pin and a circle around it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewSite {
    pub name: String,
    pub address: String,
    pub location: GeoPoint,
    /// The circle officers clock in within, in metres (default 150).
    #[serde(default)]
    pub radius_m: Option<f64>,
}

/// The default fence around a new site's pin, in metres.
pub const DEFAULT_RADIUS_M: f64 = 150.0;

const ORG_COLUMNS: &str = "id, department_id, name, billing_address, contact_phone, terms, \
                           gateway_customer, payment_method, payment_method_label, payment_method_us, \
                           kind, suspended_us";

fn org_from_row(r: &sqlx::any::AnyRow) -> Result<Organization, DbError> {
    Ok(Organization {
        id: get_uuid(r, "id")?,
        department_id: get_uuid(r, "department_id")?,
        name: get(r, "name")?,
        billing_address: get(r, "billing_address")?,
        contact_phone: get(r, "contact_phone")?,
        terms: Terms::parse(&get::<String>(r, "terms")?),
        gateway_customer: get(r, "gateway_customer")?,
        payment_method: get(r, "payment_method")?,
        payment_method_label: get(r, "payment_method_label")?,
        payment_method_validated_at: get_opt_time(r, "payment_method_us")?,
        kind: OrganizationKind::parse(&get::<String>(r, "kind")?),
        suspended_at: get_opt_time(r, "suspended_us")?,
    })
}

fn site_from_row(r: &sqlx::any::AnyRow) -> Result<Site, DbError> {
    Ok(Site {
        id: get_uuid(r, "id")?,
        organization_id: get_uuid(r, "organization_id")?,
        name: get(r, "name")?,
        address: get(r, "address")?,
        location: GeoPoint {
            lat: get(r, "lat")?,
            lon: get(r, "lon")?,
        },
        geofence: get_json(r, "geofence_json")?,
    })
}

/// The organization a customer account belongs to; refused for anyone else.
pub async fn of_customer(conn: &mut AnyConnection, user: AuthUser) -> ApiResult<Organization> {
    if user.role != Role::Customer {
        return Err(ApiError::forbidden(
            "only a customer account has an organization",
        ));
    }
    let sql = format!(
        "SELECT {cols} FROM organizations o JOIN users u ON u.organization_id = o.id \
         WHERE u.id = $1 AND o.department_id = $2",
        cols = ORG_COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(user.user_id.to_string())
        .bind(user.department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => {
            let org = org_from_row(&r)?;
            if org.suspended_at.is_some() {
                return Err(ApiError::forbidden(
                    "the department has suspended this organization's access; ask the department",
                ));
            }
            Ok(org)
        }
        None => Err(ApiError::forbidden(
            "this customer account belongs to no organization; ask the department",
        )),
    }
}

/// One organization of the department.
pub async fn load(
    conn: &mut AnyConnection,
    department_id: Uuid,
    id: Uuid,
) -> Result<Option<Organization>, DbError> {
    let sql =
        format!("SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1 AND department_id = $2");
    let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(department_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(org_from_row).transpose()
}

/// The organization's sites, by name.
pub async fn sites(conn: &mut AnyConnection, organization_id: Uuid) -> Result<Vec<Site>, DbError> {
    let rows = sqlx::query::<Any>(
        "SELECT id, organization_id, name, address, lat, lon, geofence_json FROM sites \
         WHERE organization_id = $1 ORDER BY name, id",
    )
    .bind(organization_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(site_from_row).collect()
}

/// One site of the organization.
pub async fn site(
    conn: &mut AnyConnection,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Option<Site>, DbError> {
    let row = sqlx::query::<Any>(
        "SELECT id, organization_id, name, address, lat, lon, geofence_json FROM sites \
         WHERE organization_id = $1 AND id = $2",
    )
    .bind(organization_id.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(site_from_row).transpose()
}

/// A phone number as typed: 7 to 20 digits with the usual separators.
fn phone(field: &str, v: &str) -> ApiResult<String> {
    let t = v.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if allowed && (7..=20).contains(&digits) && t.chars().count() <= 30 {
        Ok(t.to_string())
    } else {
        Err(ApiError::invalid(
            field,
            "enter a phone number such as (614) 555-0100",
        ))
    }
}

/// Signs a business up: a new organization (card terms, no method yet) and its first customer
/// account, in the department `department_id`. The e-mail must be new.
pub async fn sign_up(
    db: &Db,
    department_id: Uuid,
    req: &SignUp,
    now: DateTime<Utc>,
) -> ApiResult<(Organization, Uuid)> {
    let name = text("organization", &req.organization, 120)?;
    let billing = text("billing_address", &req.billing_address, 300)?;
    let contact = text("contact_name", &req.contact_name, 120)?;
    let address = email("email", &req.email)?;
    let phone = phone("phone", &req.phone)?;
    let hash = hash_password("password", &req.password).await?;
    let mut t = DeptTx::begin(db, department_id).await?;
    let dept = t.dept.id;
    let conn = t.conn();
    if find_by_email(conn, &address).await?.is_some() {
        let mut e = ApiError::conflict(
            "an account with this e-mail address already exists; sign in instead",
        );
        e.field = Some("email".into());
        return Err(e);
    }
    let org_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO organizations (id, department_id, name, billing_address, contact_phone, \
         terms, created_us) VALUES ($1, $2, $3, $4, $5, 'card', $6)",
    )
    .bind(org_id.to_string())
    .bind(dept.to_string())
    .bind(&name)
    .bind(&billing)
    .bind(&phone)
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
    .bind(&hash)
    .bind(&contact)
    .bind(org_id.to_string())
    .bind(to_us(now))
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        dept,
        AuditEntry {
            actor_id: Some(user_id),
            action: "customer_signed_up",
            entity: "organization",
            entity_id: org_id.to_string(),
            detail: serde_json::json!({"name": name, "email": address}),
        },
        now,
    )
    .await?;
    let org = load(conn, dept, org_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok((org, user_id))
}

/// Adds a site to the customer's organization.
pub async fn add_site(
    db: &Db,
    user: AuthUser,
    req: &NewSite,
    now: DateTime<Utc>,
) -> ApiResult<Site> {
    let name = text("name", &req.name, 120)?;
    let address = text("address", &req.address, 300)?;
    let radius = req.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let fence = Geofence::Circle {
        center: req.location,
        radius_m: radius,
    };
    if let Err(e) = req.location.validate() {
        return Err(ApiError::invalid("location", e.to_string()));
    }
    if let Err(e) = fence.validate() {
        return Err(ApiError::invalid("radius_m", e.to_string()));
    }
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let org = of_customer(t.conn(), user).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO sites (id, organization_id, department_id, name, address, lat, lon, \
         geofence_json, created_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(org.id.to_string())
    .bind(user.department_id.to_string())
    .bind(&name)
    .bind(&address)
    .bind(req.location.lat)
    .bind(req.location.lon)
    .bind(json(&fence))
    .bind(to_us(now))
    .execute(&mut *t.conn())
    .await?;
    audit::append(
        t.conn(),
        user.department_id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "site_added",
            entity: "site",
            entity_id: id.to_string(),
            detail: serde_json::json!({"organization": org.id, "name": name, "address": address,
                                       "location": req.location, "radius_m": radius}),
        },
        now,
    )
    .await?;
    let s = site(t.conn(), org.id, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(s)
}

/// Records the gateway's customer id for the organization (made once, on the first attempt to
/// save a payment method).
pub async fn set_gateway_customer(
    db: &Db,
    user: AuthUser,
    gateway_customer: &str,
) -> ApiResult<()> {
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let org = of_customer(t.conn(), user).await?;
    sqlx::query("UPDATE organizations SET gateway_customer = $1 WHERE id = $2")
        .bind(gateway_customer)
        .bind(org.id.to_string())
        .execute(&mut *t.conn())
        .await?;
    t.commit().await
}

/// Records a payment method the gateway validated, replacing the previous one; audited.
pub async fn set_payment_method(
    db: &Db,
    user: AuthUser,
    method: &str,
    label: &str,
    now: DateTime<Utc>,
) -> ApiResult<Organization> {
    let mut t = DeptTx::begin(db, user.department_id).await?;
    let org = of_customer(t.conn(), user).await?;
    sqlx::query(
        "UPDATE organizations SET payment_method = $1, payment_method_label = $2, \
         payment_method_us = $3 WHERE id = $4",
    )
    .bind(method)
    .bind(label)
    .bind(to_us(now))
    .bind(org.id.to_string())
    .execute(&mut *t.conn())
    .await?;
    audit::append(
        t.conn(),
        user.department_id,
        AuditEntry {
            actor_id: Some(user.user_id),
            action: "payment_method_validated",
            entity: "organization",
            entity_id: org.id.to_string(),
            detail: serde_json::json!({"label": label}),
        },
        now,
    )
    .await?;
    let org = load(t.conn(), user.department_id, org.id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(org)
}

/// A coordinator grants (or withdraws) "bill by invoice" terms; audited.
pub async fn set_terms(
    db: &Db,
    coordinator: AuthUser,
    organization_id: Uuid,
    terms: Terms,
    now: DateTime<Utc>,
) -> ApiResult<Organization> {
    coordinator.require(Role::Coordinator)?;
    let mut t = DeptTx::begin(db, coordinator.department_id).await?;
    let before = load(t.conn(), coordinator.department_id, organization_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    sqlx::query("UPDATE organizations SET terms = $1 WHERE id = $2")
        .bind(terms.as_str())
        .bind(organization_id.to_string())
        .execute(&mut *t.conn())
        .await?;
    audit::append(
        t.conn(),
        coordinator.department_id,
        AuditEntry {
            actor_id: Some(coordinator.user_id),
            action: "customer_terms_set",
            entity: "organization",
            entity_id: organization_id.to_string(),
            detail: serde_json::json!({"from": before.terms, "to": terms}),
        },
        now,
    )
    .await?;
    let org = load(t.conn(), coordinator.department_id, organization_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    t.commit().await?;
    Ok(org)
}

/// The department's organizations, by name.
pub async fn list(db: &Db, department_id: Uuid) -> Result<Vec<Organization>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM organizations WHERE department_id = $1 ORDER BY name, id"
    );
    let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(department_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(org_from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_digits_with_separators() {
        assert_eq!(phone("p", " (614) 555-0100 ").unwrap(), "(614) 555-0100");
        assert_eq!(phone("p", "+1 614 555 0100").unwrap(), "+1 614 555 0100");
        assert!(phone("p", "555-01").is_err(), "6 digits are too few");
        assert!(phone("p", "call me").is_err());
        assert!(
            phone("p", "614 555 0100 ext 3").is_err(),
            "letters are refused"
        );
    }

    #[test]
    fn terms_read_back_as_written_and_unknown_means_card() {
        for t in [Terms::Card, Terms::Invoice] {
            assert_eq!(Terms::parse(t.as_str()), t);
        }
        assert_eq!(Terms::parse("barter"), Terms::Card);
    }
}
