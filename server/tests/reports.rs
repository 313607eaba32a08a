//! The report engine (decision 044), on SQLite and PostgreSQL: a small department seeded row by
//! row for February 2026 (New York), each report's figures counted by hand below and compared
//! with the CSV the console serves (parsed back); the page, its 422 for bad parameters and 404
//! for an unknown report; the PDF read back by pypdf; a customer seeing only its own
//! organization's rows; a scheduled report e-mailed once per period (aiosmtpd, with the CSV
//! attached) even when two workers step at once; the officer's own history as a PDF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_arguments)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::header;
use serde_json::json;
use uuid::Uuid;

use common::browser::Browser;
use common::{Actor, Backend, TestApp};
use offduty_domain::protocol::Role;
use offduty_server::delivery::SharedSender;
use offduty_server::delivery::email::{EmailConfig, EmailSender, SmtpSecurity};
use offduty_server::reports::schedule;

const NY: chrono_tz::Tz = chrono_tz::America::New_York;

/// A moment of February 2026 (or `month`) in New York, as `_us`.
fn at(month: u32, day: u32, hour: u32, minute: u32) -> i64 {
    NY.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_micros()
}

fn feb(day: u32, hour: u32, minute: u32) -> i64 {
    at(2, day, hour, minute)
}

struct World {
    dept: Uuid,
    coord: Actor,
    /// Avery Adams, Blake Brown, Casey Clark, Drew Diaz (never works).
    officers: Vec<Actor>,
    acme: Uuid,
    bolt: Uuid,
    acme_customer: Actor,
    bolt_customer: Actor,
}

async fn exec(app: &TestApp, sql: &str, binds: Vec<serde_json::Value>) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = match b {
            serde_json::Value::Null => q.bind(Option::<String>::None),
            serde_json::Value::Number(n) => q.bind(n.as_i64().unwrap()),
            serde_json::Value::String(s) => q.bind(s),
            other => panic!("bind {other}"),
        };
    }
    q.execute(&app.db.pool).await.unwrap();
}

async fn organization(app: &TestApp, dept: Uuid, name: &str) -> (Uuid, Actor) {
    let org = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO organizations (id, department_id, name, billing_address, terms, created_us) \
         VALUES ($1, $2, $3, '1 Main St', 'invoice', 0)",
        vec![json!(org.to_string()), json!(dept.to_string()), json!(name)],
    )
    .await;
    let email = format!("ap-{}@{}.test", Uuid::new_v4().simple(), name.len());
    let customer = app.user(dept, Role::Customer, &email).await;
    exec(
        app,
        "UPDATE users SET organization_id = $1 WHERE id = $2",
        vec![json!(org.to_string()), json!(customer.id.to_string())],
    )
    .await;
    (org, customer)
}

/// A job: (title, customer, customer name, site, type, rule, start, end, slots, rate, status,
/// signups open).
#[allow(clippy::too_many_arguments)]
async fn job(
    app: &TestApp,
    w: &World,
    title: &str,
    customer: Option<&Actor>,
    customer_name: &str,
    site: &str,
    job_type: &str,
    rule: &str,
    starts: i64,
    ends: i64,
    slots: i64,
    status: &str,
    opens: i64,
) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO jobs (id, department_id, customer_id, title, customer_name, site_name, \
         address, lat, lon, geofence_json, starts_us, ends_us, slots, job_type, rate_cents, \
         multiplier_bp, requirements_json, award_rule_json, release_tiers_json, \
         signup_opens_us, status, created_by, created_us, version) VALUES ($1, $2, $3, $4, $5, \
         $6, '1 Main St', 39.96, -83.0, '{}', $7, $8, $9, $10, 5000, 10000, '{}', $11, '[]', \
         $12, $13, $14, 0, 1)",
        vec![
            json!(id.to_string()),
            json!(w.dept.to_string()),
            customer
                .map(|c| json!(c.id.to_string()))
                .unwrap_or(json!(null)),
            json!(title),
            json!(customer_name),
            json!(site),
            json!(starts),
            json!(ends),
            json!(slots),
            json!(job_type),
            json!(format!("{{\"type\":\"{rule}\"}}")),
            json!(opens),
            json!(status),
            json!(w.coord.id.to_string()),
        ],
    )
    .await;
    id
}

async fn assignment(
    app: &TestApp,
    w: &World,
    job: Uuid,
    officer: &Actor,
    status: &str,
    updated: i64,
) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO assignments (id, job_id, department_id, officer_id, status, receipt_seq, \
         created_us, updated_us, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $6, 1)",
        vec![
            json!(id.to_string()),
            json!(job.to_string()),
            json!(w.dept.to_string()),
            json!(officer.id.to_string()),
            json!(status),
            json!(updated),
        ],
    )
    .await;
    id
}

/// A worked timecard: clock-in, clock-out, worked and billable minutes, gross, status, review.
#[allow(clippy::too_many_arguments)]
async fn timecard(
    app: &TestApp,
    w: &World,
    job: Uuid,
    assignment: Uuid,
    officer: &Actor,
    times: (i64, i64),
    minutes: (i64, i64),
    gross: i64,
    status: &str,
    review: Option<&str>,
) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO timecards (id, assignment_id, department_id, job_id, officer_id, in_us, \
         out_us, worked_minutes, billable_minutes, rate_cents, multiplier_bp, gross_cents, \
         status, customer_review, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 5000, \
         10000, $10, $11, $12, 1)",
        vec![
            json!(id.to_string()),
            json!(assignment.to_string()),
            json!(w.dept.to_string()),
            json!(job.to_string()),
            json!(officer.id.to_string()),
            json!(times.0),
            json!(times.1),
            json!(minutes.0),
            json!(minutes.1),
            json!(gross),
            json!(status),
            review.map(|r| json!(r)).unwrap_or(json!(null)),
        ],
    )
    .await;
    id
}

async fn invoice(
    app: &TestApp,
    w: &World,
    org: Uuid,
    number: i64,
    issued: i64,
    sub: i64,
    fee: i64,
    status: &str,
) -> Uuid {
    let id = Uuid::now_v7();
    let bill = json!({"lines": [], "subtotal_cents": sub, "event_fee_cents": fee,
                      "total_cents": sub + fee});
    exec(
        app,
        "INSERT INTO invoices (id, department_id, organization_id, number, terms, bill_json, \
         worked_json, total_cents, status, issued_us) VALUES ($1, $2, $3, $4, 'invoice', $5, \
         '[]', $6, $7, $8)",
        vec![
            json!(id.to_string()),
            json!(w.dept.to_string()),
            json!(org.to_string()),
            json!(number),
            json!(bill.to_string()),
            json!(sub + fee),
            json!(status),
            json!(issued),
        ],
    )
    .await;
    id
}

#[allow(clippy::too_many_arguments)]
async fn charge(
    app: &TestApp,
    w: &World,
    inv: Uuid,
    attempt: i64,
    method: &str,
    amount: i64,
    status: &str,
    when: i64,
    message: Option<&str>,
) {
    exec(
        app,
        "INSERT INTO charges (id, department_id, invoice_id, attempt, method, idem_key, \
         amount_cents, status, message, created_us, updated_us) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $10)",
        vec![
            json!(Uuid::now_v7().to_string()),
            json!(w.dept.to_string()),
            json!(inv.to_string()),
            json!(attempt),
            json!(method),
            json!(format!("invoice-{inv}-attempt-{attempt}")),
            json!(amount),
            json!(status),
            message.map(|m| json!(m)).unwrap_or(json!(null)),
            json!(when),
        ],
    )
    .await;
}

async fn event(
    app: &TestApp,
    w: &World,
    org: Uuid,
    site: Uuid,
    customer: &Actor,
    title: &str,
    submitted: i64,
    status: &str,
    cancelled: Option<(i64, i64)>,
) {
    let id = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO event_requests (id, department_id, organization_id, site_id, title, \
         job_type, vehicle, contact_name, contact_phone, instructions, shifts_json, \
         estimate_json, status, submitted_by, submitted_us, version) VALUES ($1, $2, $3, $4, \
         $5, 'security', 0, 'Pat', '+15555550100', '', '[]', '{}', $6, $7, $8, 1)",
        vec![
            json!(id.to_string()),
            json!(w.dept.to_string()),
            json!(org.to_string()),
            json!(site.to_string()),
            json!(title),
            json!(status),
            json!(customer.id.to_string()),
            json!(submitted),
        ],
    )
    .await;
    if let Some((when, fee)) = cancelled {
        exec(
            app,
            "UPDATE event_requests SET cancelled_us = $1, cancellation_fee_cents = $2 \
             WHERE id = $3",
            vec![json!(when), json!(fee), json!(id.to_string())],
        )
        .await;
    }
}

async fn site(app: &TestApp, w: &World, org: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO sites (id, organization_id, department_id, name, address, lat, lon, \
         geofence_json, created_us) VALUES ($1, $2, $3, $4, '1 Main St', 39.96, -83.0, '{}', 0)",
        vec![
            json!(id.to_string()),
            json!(org.to_string()),
            json!(w.dept.to_string()),
            json!(name),
        ],
    )
    .await;
    id
}

/// The seeded department (module docs; the figures each test expects are worked out there).
async fn seed(app: &TestApp) -> World {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let (dept, coord) = app.department("Columbus PD").await;
    let mut officers = Vec::new();
    for (name, badge) in [
        ("Avery Adams", "101"),
        ("Blake Brown", "102"),
        ("Casey Clark", "103"),
        ("Drew Diaz", "104"),
    ] {
        officers.push(
            app.officer_with(dept, |u| {
                u.display_name = name.to_string();
                u.badge = badge.to_string();
            })
            .await,
        );
    }
    let (acme, acme_customer) = organization(app, dept, "Acme Arena").await;
    let (bolt, bolt_customer) = organization(app, dept, "Bolt Bank").await;
    let w = World {
        dept,
        coord,
        officers,
        acme,
        bolt,
        acme_customer,
        bolt_customer,
    };
    let [a, b, c, _d] = [
        &w.officers[0],
        &w.officers[1],
        &w.officers[2],
        &w.officers[3],
    ];

    // J1: Acme, first come, Mon 2 Feb 18:00–22:00, two slots, both filled (the last at 12:00 on
    // 1 Feb, 4 h after signups opened). Avery worked 4 h (approved, $200); Blake clocked in 10
    // minutes late, worked 230 min, paid for 240 ($200, paid, in a payout batch).
    let j1 = job(
        app,
        &w,
        "Gate A",
        Some(&w.acme_customer),
        "Acme Arena",
        "North lot",
        "security",
        "first_come",
        feb(2, 18, 0),
        feb(2, 22, 0),
        2,
        "completed",
        feb(1, 8, 0),
    )
    .await;
    let a1 = assignment(app, &w, j1, a, "awarded", feb(1, 10, 0)).await;
    let b1 = assignment(app, &w, j1, b, "awarded", feb(1, 12, 0)).await;
    timecard(
        app,
        &w,
        j1,
        a1,
        a,
        (feb(2, 18, 0), feb(2, 22, 0)),
        (240, 240),
        20_000,
        "approved",
        Some("approved"),
    )
    .await;
    let tb = timecard(
        app,
        &w,
        j1,
        b1,
        b,
        (feb(2, 18, 10), feb(2, 22, 0)),
        (230, 240),
        20_000,
        "paid",
        Some("auto_approved"),
    )
    .await;
    exec(
        app,
        "UPDATE timecards SET paid_us = $1 WHERE id = $2",
        vec![json!(feb(25, 12, 0)), json!(tb.to_string())],
    )
    .await;
    // J2: Bolt, seniority, Mon 9 Feb 09:00–12:00, two slots, one filled: Casey, out 30 min early,
    // needs review, 150 min worked, 180 paid ($180); Avery gave hers up.
    let j2 = job(
        app,
        &w,
        "Vault watch",
        Some(&w.bolt_customer),
        "Bolt Bank",
        "Main branch",
        "security",
        "seniority",
        feb(9, 9, 0),
        feb(9, 12, 0),
        2,
        "completed",
        feb(5, 8, 0),
    )
    .await;
    let c2 = assignment(app, &w, j2, c, "awarded", feb(6, 8, 0)).await;
    assignment(app, &w, j2, a, "cancelled", feb(7, 8, 0)).await;
    timecard(
        app,
        &w,
        j2,
        c2,
        c,
        (feb(9, 9, 0), feb(9, 11, 30)),
        (150, 180),
        18_000,
        "needs_review",
        None,
    )
    .await;
    // J3: no customer, traffic, first come, Sat 14 Feb, one slot held by Avery (awarded 90 min
    // after signups opened): nobody clocked in.
    let j3 = job(
        app,
        &w,
        "Parade route",
        None,
        "City events",
        "Broad St",
        "traffic",
        "first_come",
        feb(14, 10, 0),
        feb(14, 14, 0),
        1,
        "completed",
        feb(10, 8, 0),
    )
    .await;
    assignment(app, &w, j3, a, "awarded", feb(10, 9, 30)).await;
    // J4: Acme, called off, three slots; Blake lost his.
    let j4 = job(
        app,
        &w,
        "Concert",
        Some(&w.acme_customer),
        "Acme Arena",
        "North lot",
        "security",
        "seniority",
        feb(20, 19, 0),
        feb(20, 23, 0),
        3,
        "cancelled",
        feb(15, 8, 0),
    )
    .await;
    assignment(app, &w, j4, b, "job_cancelled", feb(18, 8, 0)).await;
    // J5: in March (outside February): Avery, 60 min.
    let j5 = job(
        app,
        &w,
        "Late job",
        Some(&w.acme_customer),
        "Acme Arena",
        "North lot",
        "security",
        "first_come",
        at(3, 3, 18, 0),
        at(3, 3, 19, 0),
        1,
        "completed",
        at(3, 1, 8, 0),
    )
    .await;
    let a5 = assignment(app, &w, j5, a, "awarded", at(3, 1, 9, 0)).await;
    timecard(
        app,
        &w,
        j5,
        a5,
        a,
        (at(3, 3, 18, 0), at(3, 3, 19, 0)),
        (60, 180),
        15_000,
        "approved",
        None,
    )
    .await;

    // Money. #1 Acme, 10 Feb: $400 + $50 fee; credit note $50 (12 Feb); transfer $100 (15 Feb).
    let i1 = invoice(app, &w, acme, 1, feb(10, 9, 0), 40_000, 5_000, "open").await;
    exec(
        app,
        "INSERT INTO credit_notes (id, department_id, invoice_id, number, split_json, \
         amount_cents, reason, issued_by, issued_us) VALUES ($1, $2, $3, 1, '{}', 5000, \
         'Short shift', $4, $5)",
        vec![
            json!(Uuid::now_v7().to_string()),
            json!(dept.to_string()),
            json!(i1.to_string()),
            json!(w.coord.id.to_string()),
            json!(feb(12, 9, 0)),
        ],
    )
    .await;
    charge(
        app,
        &w,
        i1,
        1,
        "transfer",
        10_000,
        "succeeded",
        feb(15, 9, 0),
        None,
    )
    .await;
    // #2 Bolt, 5 January: $200, nothing paid (55 days old at the end of February).
    invoice(app, &w, bolt, 2, at(1, 5, 9, 0), 20_000, 0, "open").await;
    // #3 Bolt, 20 Feb: $110 + $10; declined on the 20th, charged on the 21st.
    let i3 = invoice(app, &w, bolt, 3, feb(20, 9, 0), 11_000, 1_000, "paid").await;
    charge(
        app,
        &w,
        i3,
        1,
        "card",
        12_000,
        "declined",
        feb(20, 10, 0),
        Some("insufficient_funds"),
    )
    .await;
    charge(
        app,
        &w,
        i3,
        2,
        "card",
        12_000,
        "succeeded",
        feb(21, 10, 0),
        None,
    )
    .await;
    // Events: Acme's "Spring fair" (3 Feb) cancelled on the 4th with a $75 fee; Bolt's
    // "Audit day" (5 Feb) approved.
    let north = site(app, &w, acme, "North lot").await;
    let main = site(app, &w, bolt, "Main branch").await;
    event(
        app,
        &w,
        acme,
        north,
        &w.acme_customer,
        "Spring fair",
        feb(3, 9, 0),
        "cancelled",
        Some((feb(4, 9, 0), 7_500)),
    )
    .await;
    event(
        app,
        &w,
        bolt,
        main,
        &w.bolt_customer,
        "Audit day",
        feb(5, 9, 0),
        "approved",
        None,
    )
    .await;
    // A payout batch (25 Feb) for 1–15 Feb holding Blake's timecard.
    let batch = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO payout_batches (id, department_id, period_start_us, period_end_us, \
         total_cents, csv, nacha, created_by, created_us) VALUES ($1, $2, $3, $4, 20000, '', '', \
         $5, $6)",
        vec![
            json!(batch.to_string()),
            json!(dept.to_string()),
            json!(feb(1, 0, 0)),
            json!(feb(16, 0, 0)),
            json!(w.coord.id.to_string()),
            json!(feb(25, 9, 0)),
        ],
    )
    .await;
    exec(
        app,
        "UPDATE timecards SET payout_batch_id = $1 WHERE id = $2",
        vec![json!(batch.to_string()), json!(tb.to_string())],
    )
    .await;
    w
}

/// RFC 4180 parsing (quotes, doubled quotes, CRLF), independent of the server's writer.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the CSV ends with CRLF");
    rows
}

/// A parsed report: its header and rows (the totals row is the one whose first cell is
/// "Total").
struct Csv(Vec<Vec<String>>);

impl Csv {
    /// The cell of the row whose first cell is `key`, in the column titled `column`.
    fn cell(&self, key: &str, column: &str) -> String {
        let c = self.0[0]
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column:?} in {:?}", self.0[0]));
        let r = self
            .0
            .iter()
            .skip(1)
            .find(|r| r[0] == key)
            .unwrap_or_else(|| panic!("no row {key:?} in {:?}", self.0));
        r[c].clone()
    }

    /// The rows, header and totals excluded.
    fn rows(&self) -> Vec<&Vec<String>> {
        self.0.iter().skip(1).filter(|r| r[0] != "Total").collect()
    }
}

async fn csv(b: &mut Browser<'_>, base: &str, id: &str, query: &str) -> Csv {
    let page = b.get(&format!("{base}/{id}.csv?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{id}: {}", page.body);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{id}"
    );
    Csv(parse_csv(&page.body))
}

/// Fetches reports as CSV and remembers which were checked.
struct Checker<'a> {
    b: Browser<'a>,
    checked: std::collections::BTreeSet<&'static str>,
}

impl Checker<'_> {
    async fn get(&mut self, id: &'static str, q: &str) -> Csv {
        self.checked.insert(id);
        csv(&mut self.b, "/console/reports", id, q).await
    }
}

const FEB: &str = "from=2026-02-01&to=2026-02-28";

async fn every_report_counts_what_the_record_holds(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut b = Browser::new(&app);
    b.signed_in(&w.coord).await;
    let mut k = Checker {
        b,
        checked: Default::default(),
    };
    let (a, bb) = (w.officers[0].id, w.officers[1].id);

    // Department.
    let r = k.get("jobs-filled", FEB).await;
    assert_eq!(
        r.0[0],
        [
            "Starts", "Job", "Site", "Slots", "Filled", "Unfilled", "Status"
        ]
    );
    assert_eq!(
        r.rows().len(),
        3,
        "the called-off job and March's are not in it"
    );
    assert_eq!(r.cell("2026-02-09", "Unfilled"), "1");
    assert_eq!(r.cell("2026-02-02", "Filled"), "2");
    assert_eq!(
        (
            r.cell("Total", "Slots"),
            r.cell("Total", "Filled"),
            r.cell("Total", "Unfilled")
        ),
        ("5".into(), "4".into(), "1".into())
    );
    let r = k
        .get("jobs-filled", &format!("{FEB}&customer={}", w.acme))
        .await;
    assert_eq!(r.rows().len(), 1);
    let r = k.get("jobs-filled", &format!("{FEB}&rule=seniority")).await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("2026-02-09", "Job"), "Vault watch");

    let r = k.get("fill-rate-by-type", FEB).await;
    assert_eq!(
        (
            r.cell("security", "Slots"),
            r.cell("security", "Filled"),
            r.cell("security", "Filled share")
        ),
        ("4".into(), "3".into(), "75.00".into())
    );
    assert_eq!(r.cell("traffic", "Filled share"), "100.00");

    let r = k.get("fill-time", FEB).await;
    // 240 and 90 minutes; the half-filled job is not counted.
    assert_eq!(r.cell("2026-02-02", "Time to fill"), "4.00");
    assert_eq!(r.cell("2026-02-14", "Time to fill"), "1.50");
    assert_eq!(r.cell("Total", "Time to fill"), "2.75");

    let r = k.get("hours-by-officer", FEB).await;
    assert_eq!(r.cell("Blake Brown", "Hours worked"), "3.83");
    assert_eq!(r.cell("Blake Brown", "Hours paid"), "4.00");
    assert_eq!(r.cell("Casey Clark", "Gross pay"), "180.00");
    assert_eq!(
        (
            r.cell("Total", "Shifts"),
            r.cell("Total", "Hours worked"),
            r.cell("Total", "Hours paid"),
            r.cell("Total", "Gross pay")
        ),
        ("3".into(), "10.33".into(), "11.00".into(), "580.00".into())
    );
    let r = k
        .get("hours-by-officer", &format!("{FEB}&officer={a}"))
        .await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("Avery Adams", "Gross pay"), "200.00");

    let r = k
        .get("hours-by-month", "from=2026-02-01&to=2026-03-31")
        .await;
    assert_eq!(
        (
            r.cell("2026-02", "Shifts"),
            r.cell("2026-02", "Hours worked"),
            r.cell("2026-02", "Gross pay")
        ),
        ("3".into(), "10.33".into(), "580.00".into())
    );
    assert_eq!(r.cell("2026-03", "Hours worked"), "1.00");
    assert_eq!(r.cell("Total", "Gross pay"), "730.00");

    let r = k.get("hours-by-week", FEB).await;
    assert_eq!(
        (
            r.cell("2026-02-02", "Shifts"),
            r.cell("2026-02-02", "Hours worked")
        ),
        ("2".into(), "7.83".into())
    );
    assert_eq!(r.cell("2026-02-09", "Gross pay"), "180.00");

    let r = k.get("hours-by-job-type", FEB).await;
    assert_eq!(r.rows().len(), 1, "no traffic shift was worked");
    assert_eq!(r.cell("security", "Hours worked"), "10.33");

    let r = k.get("hours-by-site", FEB).await;
    assert_eq!(
        (
            r.cell("Acme Arena", "Shifts"),
            r.cell("Acme Arena", "Hours worked")
        ),
        ("2".into(), "7.83".into())
    );
    assert_eq!(r.cell("Bolt Bank", "Hours worked"), "2.50");

    let r = k.get("distribution", FEB).await;
    // 240, 230, 150 and 0 of 620 minutes.
    assert_eq!(r.rows()[0][0], "Avery Adams");
    assert_eq!(r.cell("Avery Adams", "Share of hours"), "38.71");
    assert_eq!(r.cell("Blake Brown", "Share of hours"), "37.10");
    assert_eq!(r.cell("Casey Clark", "Share of hours"), "24.19");
    assert_eq!(r.cell("Drew Diaz", "Share of hours"), "0.00");

    let r = k.get("fairness-by-rule", FEB).await;
    // First come: shifts [1,1,0,0] → 8/16 = 0.5; minutes [240,230,0,0] → 1900/3760.
    assert_eq!(r.cell("First come", "Gini of shifts"), "0.500");
    assert_eq!(r.cell("First come", "Gini of hours"), "0.505");
    assert_eq!(r.cell("First come", "Officers who worked"), "2");
    // Seniority: one officer of four had it all: 3/4.
    assert_eq!(r.cell("Seniority", "Gini of hours"), "0.750");
    // All: shifts [1,1,1,0] → 6/24; minutes [240,230,150,0] → 1600/4960.
    assert_eq!(r.cell("All rules", "Gini of shifts"), "0.250");
    assert_eq!(r.cell("All rules", "Gini of hours"), "0.323");

    let r = k.get("officers-without-shifts", FEB).await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("Drew Diaz", "Last shift"), "");

    let r = k.get("cancellations", FEB).await;
    assert_eq!(r.cell("Avery Adams", "Gave up"), "1");
    assert_eq!(r.cell("Blake Brown", "Job called off"), "1");
    assert_eq!(r.cell("Total", "Gave up"), "1");

    let r = k.get("jobs-called-off", FEB).await;
    assert_eq!(
        (
            r.cell("2026-02-20", "Slots"),
            r.cell("2026-02-20", "Officers affected")
        ),
        ("3".into(), "1".into())
    );

    let r = k.get("no-clock-in", FEB).await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("2026-02-14", "Officer"), "Avery Adams");

    let r = k.get("late-clock-ins", FEB).await;
    assert_eq!(r.cell("2026-02-02", "Officer"), "Blake Brown");
    assert_eq!(r.cell("2026-02-02", "Late by"), "0.17");

    let r = k.get("early-clock-outs", FEB).await;
    assert_eq!(r.cell("2026-02-09", "Early by"), "0.50");

    let r = k.get("punches-needing-review", FEB).await;
    assert_eq!(r.cell("2026-02-09", "Officer"), "Casey Clark");
    assert_eq!(r.cell("Total", "Hours worked"), "2.50");

    let r = k.get("timecards-by-status", FEB).await;
    assert_eq!(r.cell("approved", "Gross pay"), "200.00");
    assert_eq!(r.cell("needs_review", "Hours worked"), "2.50");
    assert_eq!(r.cell("paid", "Hours worked"), "3.83");
    assert_eq!(r.cell("Total", "Timecards"), "3");

    // Officers.
    let r = k.get("officer-shifts", &format!("{FEB}&officer={a}")).await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(
        (
            r.cell("2026-02-02", "Job"),
            r.cell("2026-02-02", "Rate"),
            r.cell("2026-02-02", "Gross pay")
        ),
        ("Gate A".into(), "50.00".into(), "200.00".into())
    );

    let r = k
        .get("officer-pay-by-month", &format!("{FEB}&officer={bb}"))
        .await;
    assert_eq!(
        (r.cell("2026-02", "Paid"), r.cell("2026-02", "Owed")),
        ("200.00".into(), "0.00".into())
    );
    let r = k
        .get("officer-pay-by-month", &format!("{FEB}&officer={a}"))
        .await;
    assert_eq!(r.cell("2026-02", "Owed"), "200.00");

    let r = k.get("officer-jobs", &format!("{FEB}&officer={a}")).await;
    let signups: Vec<&str> = r.rows().iter().map(|r| r[4].as_str()).collect();
    assert_eq!(signups, ["awarded", "cancelled", "awarded"]);

    // Customers.
    let r = k.get("customer-events", FEB).await;
    assert_eq!(r.cell("2026-02-03", "Cancellation fee"), "75.00");
    assert_eq!(r.cell("2026-02-05", "Status"), "approved");
    let r = k
        .get("customer-events", &format!("{FEB}&customer={}", w.bolt))
        .await;
    assert_eq!(r.rows().len(), 1);

    let r = k
        .get("customer-shifts", &format!("{FEB}&customer={}", w.acme))
        .await;
    assert_eq!(r.rows().len(), 2);
    assert_eq!(r.rows()[1][5], "auto_approved");
    assert_eq!(r.cell("Total", "Hours worked"), "7.83");

    let r = k.get("customer-hours-by-site", FEB).await;
    assert_eq!(r.cell("Acme Arena", "Shifts"), "2");
    assert_eq!(r.cell("Bolt Bank", "Hours worked"), "2.50");

    let r = k.get("customer-reviews", FEB).await;
    assert_eq!(r.cell("approved", "Hours worked"), "4.00");
    assert_eq!(r.cell("auto_approved", "Timecards"), "1");
    assert_eq!(r.cell("waiting", "Hours worked"), "2.50");

    let r = k.get("customer-invoices", FEB).await;
    assert_eq!(
        (
            r.cell("1", "Total"),
            r.cell("1", "Credited"),
            r.cell("1", "Paid"),
            r.cell("1", "Due")
        ),
        (
            "450.00".into(),
            "50.00".into(),
            "100.00".into(),
            "300.00".into()
        )
    );
    assert_eq!(r.cell("3", "Due"), "0.00");
    assert_eq!(r.cell("Total", "Due"), "300.00");

    // Finance.
    let r = k.get("invoices-by-customer", FEB).await;
    assert_eq!(r.cell("Acme Arena", "Due"), "300.00");
    assert_eq!(r.cell("Bolt Bank", "Paid"), "120.00");

    let r = k.get("payments", FEB).await;
    assert_eq!(r.cell("2026-02-15", "Method"), "transfer");
    assert_eq!(r.cell("2026-02-21", "Amount"), "120.00");
    assert_eq!(r.cell("Total", "Amount"), "220.00");

    let r = k.get("aging", FEB).await;
    // #1: 19 days old, $300 due; #2: 55 days old, $200 due.
    assert_eq!(r.cell("Acme Arena", "0-30 days"), "300.00");
    assert_eq!(r.cell("Bolt Bank", "31-60 days"), "200.00");
    assert_eq!(r.cell("Total", "Total due"), "500.00");
    // At the end of January only #2 existed (26 days old).
    let r = k.get("aging", "from=2026-01-01&to=2026-01-31").await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("Bolt Bank", "0-30 days"), "200.00");

    let r = k.get("event-fees", FEB).await;
    assert_eq!(
        (r.cell("1", "Officers' time"), r.cell("1", "Event fee")),
        ("400.00".into(), "50.00".into())
    );
    assert_eq!(r.cell("Total", "Event fee"), "60.00");

    let r = k.get("cancellation-fees", FEB).await;
    assert_eq!(r.cell("2026-02-04", "Fee"), "75.00");

    let r = k.get("credit-notes", FEB).await;
    assert_eq!(
        (r.cell("1", "Amount"), r.cell("1", "Reason")),
        ("50.00".into(), "Short shift".into())
    );

    let r = k.get("declined-charges", FEB).await;
    assert_eq!(r.cell("2026-02-20", "Message"), "insufficient_funds");
    assert_eq!(r.cell("2026-02-20", "Attempt"), "1");

    let r = k.get("payouts", FEB).await;
    assert_eq!(
        (
            r.cell("2026-02-25", "Timecards"),
            r.cell("2026-02-25", "Total")
        ),
        ("1".into(), "200.00".into())
    );

    let r = k.get("payroll-owed", FEB).await;
    assert_eq!(
        r.rows().len(),
        1,
        "paid and doubtful timecards are not owed"
    );
    assert_eq!(r.cell("Avery Adams", "Owed"), "200.00");

    let r = k.get("customer-activity", FEB).await;
    assert_eq!(
        (
            r.cell("Acme Arena", "Events requested"),
            r.cell("Acme Arena", "Shifts worked"),
            r.cell("Acme Arena", "Hours worked"),
            r.cell("Acme Arena", "Invoiced")
        ),
        ("1".into(), "2".into(), "7.83".into(), "450.00".into())
    );
    assert_eq!(r.cell("Bolt Bank", "Invoiced"), "120.00");

    // Affiliates (decision 047): Bolt Bank becomes an affiliate, Acme stays a customer. In
    // February Bolt asked for "Audit day", Casey worked 150 min on its job (paid $180), and it
    // was invoiced $110 + $10.
    exec(
        &app,
        "UPDATE organizations SET kind = 'affiliate' WHERE id = $1",
        vec![json!(w.bolt.to_string())],
    )
    .await;
    let r = k.get("affiliate-work", FEB).await;
    assert_eq!(r.rows().len(), 1, "Acme is a customer, not an affiliate");
    assert_eq!(
        (
            r.cell("Bolt Bank", "Events requested"),
            r.cell("Bolt Bank", "Shifts worked"),
            r.cell("Bolt Bank", "Officers"),
            r.cell("Bolt Bank", "Hours worked"),
            r.cell("Bolt Bank", "Officers' pay"),
            r.cell("Bolt Bank", "Invoiced")
        ),
        (
            "1".into(),
            "1".into(),
            "1".into(),
            "2.50".into(),
            "180.00".into(),
            "120.00".into()
        )
    );
    let r = k
        .get("affiliate-work", "from=2026-03-01&to=2026-03-31")
        .await;
    assert_eq!(
        (
            r.cell("Bolt Bank", "Shifts worked"),
            r.cell("Bolt Bank", "Invoiced")
        ),
        ("0".into(), "0.00".into()),
        "an affiliate without work in the period is listed with nothing"
    );

    let all: std::collections::BTreeSet<&str> =
        offduty_server::reports::all().map(|r| r.id).collect();
    assert_eq!(
        k.checked, all,
        "every report is checked against hand-counted figures"
    );
}

async fn the_page_validates_its_parameters(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut b = Browser::new(&app);
    b.signed_in(&w.coord).await;
    let cat = b.get("/console/reports").await;
    assert_eq!(cat.status, StatusCode::OK);
    for g in ["Department", "Officers", "Customers", "Finance"] {
        assert!(cat.body.contains(&format!(">{g}</h2>")), "{g}");
    }
    assert!(
        cat.body
            .contains("href=\"/console/reports/fairness-by-rule\"")
    );
    let page = b
        .get(&format!("/console/reports/hours-by-officer?{FEB}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<th scope=\"row\">Avery Adams</th>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("$580.00"));
    let linked = FEB.replace('&', "&#38;");
    assert!(
        page.body
            .contains(&format!("/console/reports/hours-by-officer.csv?{linked}")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("/console/reports/hours-by-officer.pdf?{linked}"))
    );
    // Bad parameters: a 422 page naming the field, never a 500.
    for (q, says) in [
        ("from=2026-02-30", "not a date"),
        ("from=2026-03-01&to=2026-02-01", "ends before it starts"),
        ("from=2024-01-01&to=2026-02-01", "at most 366 days"),
        ("rule=coin", "not an award rule"),
        ("officer=nope", "not a known choice"),
    ] {
        let p = b
            .get(&format!("/console/reports/hours-by-officer?{q}"))
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(p.body.contains(says), "{q}: {}", p.body);
        assert!(p.body.contains("aria-invalid=\"true\""), "{q}");
        let c = b
            .get(&format!("/console/reports/hours-by-officer.csv?{q}"))
            .await;
        assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
    // An officer or a customer of another department is refused like a mistyped one.
    let (other, _) = app.department("Elsewhere PD").await;
    let stranger = app.officer(other).await;
    let p = b
        .get(&format!(
            "/console/reports/hours-by-officer?officer={}",
            stranger.id
        ))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("no such officer"));
    // A filter the report does not take.
    let p = b
        .get(&format!(
            "/console/reports/fairness-by-rule?officer={}",
            w.officers[0].id
        ))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Unknown reports.
    assert_eq!(
        b.get("/console/reports/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/console/reports/nope.csv").await.status,
        StatusCode::NOT_FOUND
    );
    // Customers are kept out of the coordinators' reports.
    let mut c = Browser::new(&app);
    c.sign_in(&w.acme_customer.email, common::PASSWORD).await;
    assert_eq!(
        c.get("/console/reports").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.get("/console/reports/aging").await.status,
        StatusCode::FORBIDDEN
    );
}

/// pypdf (pinned in scripts/pdf-venv.sh): an independent PDF parser, strict mode.
fn pdf_text(pdf: &[u8]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/pdf-venv.sh"))
        .output()
        .expect("run scripts/pdf-venv.sh");
    assert!(
        out.status.success(),
        "pypdf could not be installed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let file = std::env::temp_dir().join(format!("offduty-report-{}.pdf", Uuid::new_v4()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(
            "import sys, pypdf\n\
              r = pypdf.PdfReader(sys.argv[1], strict=True)\n\
              print('\\n'.join(p.extract_text() for p in r.pages))",
        )
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "pypdf refused the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn bytes_of(b: &Browser<'_>, path: &str) -> (StatusCode, String, Vec<u8>) {
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let resp = b
        .http
        .get(format!("{}{path}", b.app.url))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

async fn the_pdf_reads_back(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut b = Browser::new(&app);
    b.signed_in(&w.coord).await;
    let (status, ct, pdf) =
        bytes_of(&b, &format!("/console/reports/hours-by-officer.pdf?{FEB}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains("Hours and earnings per officer"), "{text}");
    assert!(
        text.contains("Columbus PD - 2026-02-01 to 2026-02-28"),
        "{text}"
    );
    assert!(
        text.contains("Blake Brown | 102 | 1 | 3.83 h | 4.00 h | $200.00"),
        "{text}"
    );
    assert!(
        text.contains("Total |  | 3 | 10.33 h | 11.00 h | $580.00"),
        "{text}"
    );

    // The officer's own history, from the API, is theirs only.
    let avery = &w.officers[0];
    let resp = app
        .http
        .get(format!("{}/v1/me/history.pdf?{FEB}", app.url))
        .bearer_auth(&avery.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
    let text = pdf_text(&resp.bytes().await.unwrap());
    assert!(text.contains("My off-duty history"), "{text}");
    assert!(
        text.contains("2026-02 | 1 | 4.00 h | $200.00 | $0.00 | $200.00"),
        "{text}"
    );
    assert!(text.contains("Gate A"), "{text}");
    assert!(
        text.contains("Parade route"),
        "the jobs signed up for: {text}"
    );
    assert!(
        !text.contains("Blake Brown"),
        "another officer's shifts: {text}"
    );
    assert!(!text.contains("Vault watch | Main branch | 2.50"), "{text}");
    let bad = app
        .http
        .get(format!("{}/v1/me/history.pdf?from=2026-02-31", app.url))
        .bearer_auth(&avery.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let coord = app
        .http
        .get(format!("{}/v1/me/history.pdf", app.url))
        .bearer_auth(&w.coord.token)
        .send()
        .await
        .unwrap();
    assert_eq!(coord.status(), StatusCode::FORBIDDEN);
}

async fn customers_see_only_their_own_organization(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut c = Browser::new(&app);
    let done = c.sign_in(&w.acme_customer.email, common::PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cat = c.get("/console/portal/reports").await;
    assert_eq!(cat.status, StatusCode::OK, "{}", cat.body);
    assert!(
        cat.body
            .contains("/console/portal/reports/customer-invoices")
    );
    assert!(
        !cat.body.contains("aging"),
        "only customer reports are listed"
    );
    // Asking for the other organization changes nothing: the portal decides.
    for q in [FEB.to_string(), format!("{FEB}&customer={}", w.bolt)] {
        let r = csv(&mut c, "/console/portal/reports", "customer-invoices", &q).await;
        assert_eq!(r.rows().len(), 1, "{q}");
        assert_eq!(r.cell("1", "Customer"), "Acme Arena");
        let r = csv(&mut c, "/console/portal/reports", "customer-events", &q).await;
        assert_eq!(r.rows().len(), 1);
        assert_eq!(r.cell("2026-02-03", "Event"), "Spring fair");
        let r = csv(&mut c, "/console/portal/reports", "customer-shifts", &q).await;
        assert!(r.rows().iter().all(|r| r[1] == "Acme Arena"));
        assert_eq!(r.rows().len(), 2);
    }
    let page = c
        .get(&format!(
            "/console/portal/reports/customer-hours-by-site?{FEB}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("North lot") && !page.body.contains("Main branch"));
    assert!(
        !page.body.contains("name=\"customer\""),
        "no organization choice in the portal"
    );
    // Department and finance reports are not the portal's.
    for id in ["aging", "hours-by-officer", "payroll-owed"] {
        let p = c.get(&format!("/console/portal/reports/{id}")).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{id}");
    }
    // The other customer sees its own.
    let mut d = Browser::new(&app);
    d.sign_in(&w.bolt_customer.email, common::PASSWORD).await;
    let r = csv(&mut d, "/console/portal/reports", "customer-invoices", FEB).await;
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.cell("3", "Customer"), "Bolt Bank");
    // Coordinators are sent to their own pages.
    let mut k = Browser::new(&app);
    k.signed_in(&w.coord).await;
    assert_eq!(
        k.get("/console/portal/reports").await.status,
        StatusCode::FORBIDDEN
    );
}

fn email_adapter(port: u16) -> SharedSender {
    Arc::new(
        EmailSender::new(EmailConfig {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::Plain,
            username: None,
            password: None,
            from: "Offduty <reports@offduty.test>".into(),
        })
        .unwrap(),
    )
}

async fn a_scheduled_report_is_mailed_once_per_period(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut b = Browser::new(&app);
    b.signed_in(&w.coord).await;
    let page = b.get("/console/reports/hours-by-officer").await;
    let csrf = page.csrf();
    // A bad address is refused with the form, nothing stored.
    let bad = b
        .post(
            "/console/reports/hours-by-officer/schedule",
            &[
                ("csrf", &csrf),
                ("frequency", "monthly"),
                ("email", "chief"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("not an e-mail address"));
    let forged = b
        .post(
            "/console/reports/hours-by-officer/schedule",
            &[
                ("frequency", "monthly"),
                ("email", "chief@columbus.example"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = b
        .post(
            "/console/reports/hours-by-officer/schedule",
            &[
                ("csrf", &csrf),
                ("frequency", "monthly"),
                ("email", "chief@columbus.example"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = b.get(done.location()).await;
    assert!(
        page.body.contains("monthly to chief@columbus.example"),
        "{}",
        page.body
    );
    let audit = common::browser::audit_actions(&app, w.dept).await;
    assert!(
        audit.iter().any(|(a, _)| a == "report_scheduled"),
        "{audit:?}"
    );

    // Two workers (two pools: two server processes) step at the same moment in March.
    let email = email_adapter(sink.port);
    let second = offduty_server::db::Db::connect(&app.database_url, 4)
        .await
        .unwrap();
    let now: DateTime<Utc> = NY
        .with_ymd_and_hms(2026, 3, 2, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let (r1, r2) = tokio::join!(
        schedule::step(&app.db, Some(&email), now),
        schedule::step(&second, Some(&email), now),
    );
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(r1.queued + r2.queued, 1, "{r1:?} {r2:?}");
    assert_eq!(r1.sent + r2.sent, 1, "{r1:?} {r2:?}");
    // Later the same month: nothing more.
    let r = schedule::step(&app.db, Some(&email), now + chrono::TimeDelta::days(10))
        .await
        .unwrap();
    assert_eq!(r, schedule::StepReport::default());
    let mails = sink.wait_for(1);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: chief@columbus.example"), "{mail}");
    assert!(
        mail.contains("Subject: Hours and earnings per officer (2026-02-01 to 2026-02-28)"),
        "{mail}"
    );
    let (body, name, attached) = mime_parts(mail);
    assert!(body.contains("3 rows"), "{body}");
    assert!(body.contains("Gross pay: $580.00"), "{body}");
    assert_eq!(name, "hours-by-officer-2026-02-01-2026-02-28.csv");
    let r = Csv(parse_csv(&attached));
    assert_eq!(r.cell("Total", "Gross pay"), "580.00");
    assert_eq!(r.cell("Avery Adams", "Hours worked"), "4.00");
    // April: March's report (one shift of Avery's).
    let april = NY
        .with_ymd_and_hms(2026, 4, 1, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let r = schedule::step(&app.db, Some(&email), april).await.unwrap();
    assert_eq!((r.queued, r.sent), (1, 1));
    let mails = sink.wait_for(2);
    let march = mails
        .iter()
        .find(|m| m.contains("2026-03-01 to 2026-03-31"))
        .expect("March's mail");
    let (_, _, attached) = mime_parts(march);
    assert_eq!(
        Csv(parse_csv(&attached)).cell("Avery Adams", "Gross pay"),
        "150.00"
    );
    // Stopped: nothing in May.
    let page = b.get("/console/reports/hours-by-officer").await;
    let id = page
        .between("/console/reports/schedules/", "/stop")
        .unwrap();
    let stop = b
        .post(
            &format!("/console/reports/schedules/{id}/stop"),
            &[("csrf", &page.csrf()), ("report", "hours-by-officer")],
        )
        .await;
    assert_eq!(stop.status, StatusCode::SEE_OTHER);
    let may = NY
        .with_ymd_and_hms(2026, 5, 1, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        schedule::step(&app.db, Some(&email), may).await.unwrap(),
        schedule::StepReport::default()
    );
}

async fn without_a_provider_the_send_fails_visibly(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = seed(&app).await;
    let mut b = Browser::new(&app);
    b.signed_in(&w.coord).await;
    let page = b.get("/console/reports/aging").await;
    let done = b
        .post(
            "/console/reports/aging/schedule",
            &[
                ("csrf", &page.csrf()),
                ("frequency", "daily"),
                ("email", "books@columbus.example"),
                ("customer", &w.acme.to_string()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let now = NY
        .with_ymd_and_hms(2026, 3, 2, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let r = schedule::step(&app.db, None, now).await.unwrap();
    assert_eq!((r.queued, r.failed), (1, 1));
    let page = b.get("/console/reports/aging").await;
    assert!(
        page.body
            .contains("daily to books@columbus.example · last: 2026-03-01, failed (no_provider"),
        "{}",
        page.body
    );
}

/// The text part, the attachment's file name and its decoded content (Python's e-mail parser,
/// independent of lettre).
fn mime_parts(mail: &str) -> (String, String, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(root.join("scripts/smtp-sink-venv.sh"))
        .output()
        .unwrap();
    let python = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let file = std::env::temp_dir().join(format!("offduty-mail-{}.eml", Uuid::new_v4()));
    std::fs::write(&file, mail).unwrap();
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(
            "import sys, json, email\n\
              m = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
              assert m.get_content_type() == 'multipart/mixed', m.get_content_type()\n\
              parts = [p for p in m.walk() if not p.is_multipart()]\n\
              text = parts[0].get_payload(decode=True).decode()\n\
              att = parts[1]\n\
              assert att.get_content_type() == 'text/csv', att.get_content_type()\n\
              print(json.dumps([text, att.get_filename(), att.get_payload(decode=True).decode()]))",
        )
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: (String, String, String) = serde_json::from_slice(&out.stdout).unwrap();
    v
}

/// aiosmtpd (PyPI) writing what it receives into a maildir, started by the test.
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let out = std::process::Command::new(root.join("scripts/smtp-sink-venv.sh"))
            .output()
            .expect("run scripts/smtp-sink-venv.sh");
        assert!(
            out.status.success(),
            "the SMTP sink (aiosmtpd from PyPI) could not be installed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let python = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("offduty-mail-{}", Uuid::new_v4().simple()));
        let mut child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox", dir.to_str().unwrap()])
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink { child, port, dir };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Waits for `n` mails and returns every mail received (a moment more, to see extras).
    fn wait_for(&self, n: usize) -> Vec<String> {
        let read = || -> Vec<String> {
            std::fs::read_dir(self.dir.join("new"))
                .map(|d| {
                    d.flatten()
                        .map(|e| std::fs::read_to_string(e.path()).unwrap())
                        .collect()
                })
                .unwrap_or_default()
        };
        for _ in 0..50 {
            if read().len() >= n {
                std::thread::sleep(Duration::from_millis(300));
                return read();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{n} mails did not arrive in {}", self.dir.display());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_both_backends!(
    every_report_counts_what_the_record_holds,
    the_page_validates_its_parameters,
    the_pdf_reads_back,
    customers_see_only_their_own_organization,
    a_scheduled_report_is_mailed_once_per_period,
    without_a_provider_the_send_fails_visibly,
);
