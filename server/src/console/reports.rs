//! The reports pages (decision 044). Coordinators: `/console/reports` (the catalogue, grouped
//! by audience), `/console/reports/{id}` (the parameters form — a GET, so a report is a link —
//! the table, and links to `{id}.csv` and `{id}.pdf` with the same parameters), and the
//! report's e-mail schedules. Customers: `/console/portal/reports…`, the customer reports only,
//! always filtered to their own organization (whatever the query string says).
//!
//! Bad parameters are a 422 page that says which field and why; an unknown report is a 404.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use uuid::Uuid;

use crate::app::AppState;
use crate::console::pages::{Chrome, attachment, chrome, html, path_id, signed_form};
use crate::console::session::ConsoleSession;
use crate::console::{ConsoleError, Coordinator, Customer};
use crate::db::{DbError, get};
use crate::reports::params::{self, Filter, Params};
use crate::reports::render::{self, Style};
use crate::reports::schedule::{self, ScheduleError};
use crate::reports::{self as engine, Audience, Kind, Report, ReportError};

/// One report in the catalogue.
pub struct Entry {
    pub id: &'static str,
    pub title: &'static str,
    pub about: &'static str,
}

/// One audience's reports.
pub struct Group {
    pub title: &'static str,
    pub slug: &'static str,
    pub reports: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct CataloguePage {
    chrome: Option<Chrome>,
    base: &'static str,
    groups: Vec<Group>,
}

/// A choice in a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A column's heading and whether it holds a number (right-aligned).
pub struct Head {
    pub title: &'static str,
    pub num: bool,
}

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportPage {
    chrome: Option<Chrome>,
    base: &'static str,
    id: &'static str,
    title: &'static str,
    about: &'static str,
    from: String,
    to: String,
    officers: Option<Vec<Choice>>,
    customers: Option<Vec<Choice>>,
    rules: Option<Vec<Choice>>,
    /// (field, message) of a refused parameter.
    error: Option<(String, String)>,
    heads: Vec<Head>,
    rows: Vec<Vec<String>>,
    totals: Option<Vec<String>>,
    /// The query string of the parameters shown (for the CSV and PDF links).
    query: String,
    /// Coordinators only: the schedules and the form to add one.
    schedules: Option<Vec<schedule::Schedule>>,
    notice: Option<String>,
    csrf: String,
}

impl ReportPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|(f, _)| f == field)
    }
}

const CONSOLE: &str = "/console/reports";
const PORTAL: &str = "/console/portal/reports";

fn slug(a: Audience) -> &'static str {
    match a {
        Audience::Department => "department",
        Audience::Officer => "officer",
        Audience::Customer => "customer",
        Audience::Finance => "finance",
    }
}

fn catalogue(only: Option<Audience>) -> Vec<Group> {
    Audience::ALL
        .into_iter()
        .filter(|a| only.is_none_or(|o| o == *a))
        .map(|a| Group {
            title: a.title(),
            slug: slug(a),
            reports: engine::all()
                .filter(|r| r.audience == a)
                .map(|r| Entry {
                    id: r.id,
                    title: r.title,
                    about: r.about,
                })
                .collect(),
        })
        .collect()
}

/// `GET /console/reports`.
pub async fn index(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
) -> Result<Response, ConsoleError> {
    let (name, _) = crate::console::pages::department(&state, s.user.department_id).await?;
    Ok(html(
        StatusCode::OK,
        &CataloguePage {
            chrome: Some(chrome(&s, &name, "reports")),
            base: CONSOLE,
            groups: catalogue(None),
        },
    ))
}

/// `GET /console/portal/reports`.
pub async fn portal_index(
    State(state): State<AppState>,
    Customer(s): Customer,
) -> Result<Response, ConsoleError> {
    let (name, _) = crate::console::pages::department(&state, s.user.department_id).await?;
    Ok(html(
        StatusCode::OK,
        &CataloguePage {
            chrome: Some(chrome(&s, &name, "reports")),
            base: PORTAL,
            groups: catalogue(Some(Audience::Customer)),
        },
    ))
}

/// What the path asks for: the page, its CSV or its PDF.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Page,
    Csv,
    Pdf,
}

fn split(raw: &str) -> (&str, Format) {
    if let Some(id) = raw.strip_suffix(".csv") {
        (id, Format::Csv)
    } else if let Some(id) = raw.strip_suffix(".pdf") {
        (id, Format::Pdf)
    } else {
        (raw, Format::Page)
    }
}

/// `GET /console/reports/{id}` (and `{id}.csv`, `{id}.pdf`).
pub async fn show(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ConsoleError> {
    let Ok(Path(raw)) = id else {
        return Err(ConsoleError::NotFound);
    };
    let (id, format) = split(&raw);
    let report = engine::find(id).ok_or(ConsoleError::NotFound)?;
    let notice = q
        .as_deref()
        .is_some_and(|q| q.split('&').any(|kv| kv == "scheduled=1"))
        .then(|| "Scheduled: the report will be e-mailed for each period.".to_string());
    serve(&state, &s, report, format, q, None, notice).await
}

/// `GET /console/portal/reports/{id}` (and `.csv`, `.pdf`): customer reports, about the
/// customer's own organization only.
pub async fn portal_show(
    State(state): State<AppState>,
    Customer(s): Customer,
    id: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ConsoleError> {
    let Ok(Path(raw)) = id else {
        return Err(ConsoleError::NotFound);
    };
    let (id, format) = split(&raw);
    let report = engine::find(id)
        .filter(|r| r.audience == Audience::Customer)
        .ok_or(ConsoleError::NotFound)?;
    let org = own_organization(&state, &s).await?;
    serve(&state, &s, report, format, q, Some(org), None).await
}

async fn own_organization(state: &AppState, s: &ConsoleSession) -> Result<Uuid, ConsoleError> {
    let row = sqlx::query("SELECT organization_id FROM users WHERE id = $1")
        .bind(s.user.user_id.to_string())
        .fetch_one(&state.db.pool)
        .await
        .map_err(DbError::from)?;
    let org: Option<String> = get(&row, "organization_id")?;
    org.and_then(|o| Uuid::parse_str(&o).ok())
        .ok_or_else(|| ConsoleError::Forbidden("Your account belongs to no organization.".into()))
}

async fn choices(
    state: &AppState,
    dept: Uuid,
    report: &Report,
    p: Option<&Params>,
    customer_view: bool,
) -> Result<
    (
        Option<Vec<Choice>>,
        Option<Vec<Choice>>,
        Option<Vec<Choice>>,
    ),
    ConsoleError,
> {
    let any = |label: &str| Choice {
        value: String::new(),
        label: label.to_string(),
        selected: false,
    };
    let officers = if report.filters.contains(&Filter::Officer) && !customer_view {
        let rows = sqlx::query(
            "SELECT id, display_name, badge FROM users WHERE department_id = $1 \
             AND role = 'officer' ORDER BY display_name, badge",
        )
        .bind(dept.to_string())
        .fetch_all(&state.db.pool)
        .await
        .map_err(DbError::from)?;
        let mut c = vec![any("Every officer")];
        for r in &rows {
            let id: String = get(r, "id")?;
            let badge: String = get(r, "badge")?;
            let name: String = get(r, "display_name")?;
            c.push(Choice {
                selected: p.and_then(|p| p.officer).map(|o| o.to_string()) == Some(id.clone()),
                value: id,
                label: if badge.is_empty() {
                    name
                } else {
                    format!("{name} ({badge})")
                },
            });
        }
        Some(c)
    } else {
        None
    };
    let customers = if report.filters.contains(&Filter::Customer) && !customer_view {
        let rows = sqlx::query(
            "SELECT id, name FROM organizations WHERE department_id = $1 ORDER BY name, id",
        )
        .bind(dept.to_string())
        .fetch_all(&state.db.pool)
        .await
        .map_err(DbError::from)?;
        let mut c = vec![any("Every customer")];
        for r in &rows {
            let id: String = get(r, "id")?;
            c.push(Choice {
                selected: p.and_then(|p| p.organization).map(|o| o.to_string()) == Some(id.clone()),
                value: id,
                label: get(r, "name")?,
            });
        }
        Some(c)
    } else {
        None
    };
    let rules = report.filters.contains(&Filter::Rule).then(|| {
        let mut c = vec![any("Every award rule")];
        for r in params::RULES {
            c.push(Choice {
                value: params::rule_name(r).to_string(),
                label: params::rule_name(r).replace('_', " "),
                selected: p.and_then(|p| p.rule) == Some(r),
            });
        }
        c
    });
    Ok((officers, customers, rules))
}

async fn serve(
    state: &AppState,
    s: &ConsoleSession,
    report: &'static Report,
    format: Format,
    q: Option<String>,
    forced_org: Option<Uuid>,
    notice: Option<String>,
) -> Result<Response, ConsoleError> {
    let mut conn = state.db.pool.acquire().await.map_err(DbError::from)?;
    let d = crate::services::award::load_department(&mut conn, s.user.department_id)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    drop(conn);
    let now = Utc::now();
    let mut form: HashMap<String, String> = crate::extract::form_pairs(q.as_deref().unwrap_or(""))
        .into_iter()
        .collect();
    if forced_org.is_some() {
        // The portal decides the organization, never the query string.
        form.remove("customer");
        form.remove("officer");
    }
    let parsed = params::parse(&form, report.filters, now, d.tz).map(|mut p| {
        if forced_org.is_some() {
            p.organization = forced_org;
        }
        p
    });
    let checked = match parsed {
        Ok(p) => match params::check_department(&state.db, s.user.department_id, &p).await {
            Ok(()) => Ok(p),
            Err(e) => match ReportError::from(e) {
                ReportError::Params(e) => Err(e),
                other => return Err(report_error(other)),
            },
        },
        Err(e) => Err(e),
    };
    let customer_view = forced_org.is_some();
    let base = if customer_view { PORTAL } else { CONSOLE };
    let schedules = if customer_view {
        None
    } else {
        Some(
            schedule::list(&state.db, s.user.department_id)
                .await?
                .into_iter()
                .filter(|x| x.report_id == report.id)
                .collect(),
        )
    };
    let heads = report
        .columns
        .iter()
        .map(|c| Head {
            title: c.title,
            num: !matches!(c.kind, Kind::Text | Kind::Date),
        })
        .collect();
    let p = match checked {
        Ok(p) => p,
        Err(e) => {
            // Keep what was typed so the user can correct it.
            let (officers, customers, rules) =
                choices(state, s.user.department_id, report, None, customer_view).await?;
            let page = ReportPage {
                chrome: Some(chrome(s, &d.name, "reports")),
                base,
                id: report.id,
                title: report.title,
                about: report.about,
                from: form.get("from").cloned().unwrap_or_default(),
                to: form.get("to").cloned().unwrap_or_default(),
                officers,
                customers,
                rules,
                error: Some((e.field.to_string(), e.message)),
                heads,
                rows: Vec::new(),
                totals: None,
                query: String::new(),
                schedules,
                notice,
                csrf: s.csrf.clone(),
            };
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let table = engine::run(&state.db, report, s.user.department_id, d.tz, &p, now)
        .await
        .map_err(report_error)?;
    let stem = format!("{}-{}-{}", report.id, p.from, p.to);
    match format {
        Format::Csv => {
            return Ok(attachment(
                render::csv(report, &table, d.tz).into_bytes(),
                "text/csv; charset=utf-8",
                &format!("{stem}.csv"),
            ));
        }
        Format::Pdf => {
            return Ok(attachment(
                render::pdf(report, &table, &d.name, &p, d.tz, &d.currency),
                "application/pdf",
                &format!("{stem}.pdf"),
            ));
        }
        Format::Page => {}
    }
    let (rows, totals) =
        render::text_rows(report.columns, &table, Style::People, d.tz, &d.currency);
    let (officers, customers, rules) =
        choices(state, s.user.department_id, report, Some(&p), customer_view).await?;
    let page = ReportPage {
        chrome: Some(chrome(s, &d.name, "reports")),
        base,
        id: report.id,
        title: report.title,
        about: report.about,
        from: p.from.to_string(),
        to: p.to.to_string(),
        officers,
        customers,
        rules,
        error: None,
        heads,
        rows,
        totals,
        // The portal's organization is implied: its links carry only the dates.
        query: if customer_view {
            Params {
                organization: None,
                ..p.clone()
            }
            .query_string()
        } else {
            p.query_string()
        },
        schedules,
        notice,
        csrf: s.csrf.clone(),
    };
    Ok(html(StatusCode::OK, &page))
}

fn report_error(e: ReportError) -> ConsoleError {
    match e {
        ReportError::Unknown(_) => ConsoleError::NotFound,
        ReportError::Params(p) => ConsoleError::BadRequest(p.to_string()),
        ReportError::Db(d) => ConsoleError::from(d),
    }
}

/// `POST /console/reports/{id}/schedule`: `frequency`, `email`, and the report's filters.
pub async fn add_schedule(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let Ok(Path(id)) = id else {
        return Err(ConsoleError::NotFound);
    };
    let report = engine::find(&id).ok_or(ConsoleError::NotFound)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let (_, tz) = crate::console::pages::department(&state, s.user.department_id).await?;
    let mut filters = form.clone();
    for k in ["csrf", "frequency", "email"] {
        filters.remove(k);
    }
    match schedule::create(
        &state.db,
        s.user.department_id,
        s.user.user_id,
        tz,
        report.id,
        form.get("frequency").map(String::as_str).unwrap_or(""),
        form.get("email").map(String::as_str).unwrap_or(""),
        &filters,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{CONSOLE}/{}?scheduled=1", report.id)).into_response()),
        Err(ScheduleError::Invalid { field, message }) => {
            let mut resp = serve(
                &state,
                &s,
                report,
                Format::Page,
                None,
                None,
                Some(format!("Not scheduled: {field}: {message}.")),
            )
            .await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(ScheduleError::Report(ReportError::Params(p))) => {
            let mut resp = serve(
                &state,
                &s,
                report,
                Format::Page,
                None,
                None,
                Some(format!("Not scheduled: {p}.")),
            )
            .await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(ScheduleError::Report(e)) => Err(report_error(e)),
        Err(ScheduleError::Db(e)) => Err(e.into()),
    }
}

/// `POST /console/reports/schedules/{id}/stop`.
pub async fn stop_schedule(
    State(state): State<AppState>,
    Coordinator(s): Coordinator,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ConsoleError> {
    let id = path_id(id)?;
    let form = signed_form(&state, &s, &headers, body)?;
    let back = form
        .get("report")
        .and_then(|r| engine::find(r))
        .map(|r| format!("{CONSOLE}/{}", r.id))
        .unwrap_or_else(|| CONSOLE.to_string());
    if schedule::stop(
        &state.db,
        s.user.department_id,
        s.user.user_id,
        id,
        Utc::now(),
    )
    .await?
    {
        Ok(Redirect::to(&back).into_response())
    } else {
        Err(ConsoleError::NotFound)
    }
}
