//! The customers' and the finance reports: events requested, shifts and hours at a customer's
//! sites, its review of timecards, invoices, payments, aging, event and cancellation fees,
//! credit notes, declined charges, payouts and what the department owes its officers.
//!
//! A customer report always filters on `:org`: in the portal it is forced to the customer's
//! own organization, so another organization's rows are never read.

use offduty_domain::billing::Bill;

use super::Kind::{Cents, Date, Int, Minutes, Text};
use super::params::Filter;
use super::{Audience, Ctx, Report, Value, col, sum};

const CUSTOMER: &[Filter] = &[Filter::Customer];

pub static REPORTS: &[Report] = &[
    Report {
        id: "customer-events",
        title: "Events requested",
        audience: Audience::Customer,
        about: "Event requests submitted in the period, where each stands, and any cancellation \
                fee.",
        filters: CUSTOMER,
        columns: &[
            col("Submitted", Date),
            col("Customer", Text),
            col("Event", Text),
            col("Site", Text),
            col("Status", Text),
            sum("Cancellation fee", Cents),
        ],
        sql: "SELECT e.submitted_us, o.name, e.title, s.name, e.status, e.cancellation_fee_cents \
              FROM event_requests e JOIN organizations o ON o.id = e.organization_id \
              JOIN sites s ON s.id = e.site_id WHERE e.department_id = :dept \
              AND e.submitted_us >= :from AND e.submitted_us < :to \
              AND (:org = '' OR e.organization_id = :org) ORDER BY e.submitted_us, e.title",
        reads: &[],
        post: None,
    },
    Report {
        id: "customer-shifts",
        title: "Officers' shifts at our sites",
        audience: Audience::Customer,
        about: "Each worked shift on the customer's jobs starting in the period: who worked, \
                hours, and the customer's review of the timecard.",
        filters: CUSTOMER,
        columns: &[
            col("Starts", Date),
            col("Customer", Text),
            col("Job", Text),
            col("Officer", Text),
            sum("Hours worked", Minutes),
            col("Review", Text),
        ],
        sql: "SELECT j.starts_us, o.name, j.title, u.display_name, t.worked_minutes, \
              COALESCE(t.customer_review, 'waiting') FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              JOIN users c ON c.id = j.customer_id JOIN organizations o ON o.id = c.organization_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:org = '' OR c.organization_id = :org) ORDER BY j.starts_us, u.display_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "customer-hours-by-site",
        title: "Hours at each site",
        audience: Audience::Customer,
        about: "Worked shifts on the customer's jobs starting in the period, per site.",
        filters: CUSTOMER,
        columns: &[
            col("Customer", Text),
            col("Site", Text),
            sum("Shifts", Int),
            sum("Hours worked", Minutes),
        ],
        sql: "SELECT o.name, j.site_name, COUNT(*), CAST(SUM(t.worked_minutes) AS BIGINT) \
              FROM timecards t JOIN jobs j ON j.id = t.job_id \
              JOIN users c ON c.id = j.customer_id JOIN organizations o ON o.id = c.organization_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND (:org = '' OR c.organization_id = :org) \
              GROUP BY o.id, o.name, j.site_name ORDER BY o.name, j.site_name",
        reads: &[],
        post: None,
    },
    Report {
        id: "customer-reviews",
        title: "Timecard reviews",
        audience: Audience::Customer,
        about: "The customer's review of worked shifts starting in the period: approved, \
                approved when the review window closed, disputed, resolved, or waiting.",
        filters: CUSTOMER,
        columns: &[
            col("Review", Text),
            sum("Timecards", Int),
            sum("Hours worked", Minutes),
        ],
        sql: "SELECT COALESCE(t.customer_review, 'waiting') AS review, COUNT(*), \
              CAST(SUM(t.worked_minutes) AS BIGINT) FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected' \
              AND c.organization_id IS NOT NULL AND (:org = '' OR c.organization_id = :org) \
              GROUP BY COALESCE(t.customer_review, 'waiting') ORDER BY 1",
        reads: &[],
        post: None,
    },
    Report {
        id: "customer-invoices",
        title: "Invoices",
        audience: Audience::Customer,
        about: "Invoices issued in the period: total, credited, paid, and what is still due.",
        filters: CUSTOMER,
        columns: &[
            col("Number", Int),
            col("Customer", Text),
            col("Issued", Date),
            sum("Total", Cents),
            sum("Credited", Cents),
            sum("Paid", Cents),
            sum("Due", Cents),
            col("Status", Text),
        ],
        sql: "SELECT number, org, issued_us, total_cents, credited, collected, \
              CASE WHEN total_cents - credited - collected > 0 \
              THEN total_cents - credited - collected ELSE 0 END, status FROM ( \
              SELECT i.id, i.number, o.name AS org, i.issued_us, i.total_cents, i.status, \
              CAST((SELECT COALESCE(SUM(n.amount_cents), 0) FROM credit_notes n \
              WHERE n.invoice_id = i.id) AS BIGINT) AS credited, \
              CAST((SELECT COALESCE(SUM(c.amount_cents), 0) FROM charges c \
              WHERE c.invoice_id = i.id AND c.status = 'succeeded') AS BIGINT) AS collected \
              FROM invoices i JOIN organizations o ON o.id = i.organization_id \
              WHERE i.department_id = :dept AND i.issued_us >= :from AND i.issued_us < :to \
              AND (:org = '' OR i.organization_id = :org)) x ORDER BY number",
        reads: &[],
        post: None,
    },
    Report {
        id: "invoices-by-customer",
        title: "Invoicing per customer",
        audience: Audience::Finance,
        about: "Per customer, the invoices issued in the period: how many, total, credited, \
                paid and still due.",
        filters: CUSTOMER,
        columns: &[
            col("Customer", Text),
            sum("Invoices", Int),
            sum("Total", Cents),
            sum("Credited", Cents),
            sum("Paid", Cents),
            sum("Due", Cents),
        ],
        sql: "SELECT org, COUNT(*), CAST(SUM(total_cents) AS BIGINT), \
              CAST(SUM(credited) AS BIGINT), CAST(SUM(collected) AS BIGINT), \
              CAST(SUM(CASE WHEN total_cents - credited - collected > 0 \
              THEN total_cents - credited - collected ELSE 0 END) AS BIGINT) FROM ( \
              SELECT o.name AS org, o.id AS org_id, i.total_cents, \
              CAST((SELECT COALESCE(SUM(n.amount_cents), 0) FROM credit_notes n \
              WHERE n.invoice_id = i.id) AS BIGINT) AS credited, \
              CAST((SELECT COALESCE(SUM(c.amount_cents), 0) FROM charges c \
              WHERE c.invoice_id = i.id AND c.status = 'succeeded') AS BIGINT) AS collected \
              FROM invoices i JOIN organizations o ON o.id = i.organization_id \
              WHERE i.department_id = :dept AND i.issued_us >= :from AND i.issued_us < :to \
              AND (:org = '' OR i.organization_id = :org)) x GROUP BY org_id, org ORDER BY org",
        reads: &[],
        post: None,
    },
    Report {
        id: "payments",
        title: "Payments received",
        audience: Audience::Finance,
        about: "Charges and recorded transfers that succeeded in the period.",
        filters: CUSTOMER,
        columns: &[
            col("Received", Date),
            col("Customer", Text),
            col("Invoice", Int),
            col("Method", Text),
            sum("Amount", Cents),
        ],
        sql: "SELECT c.updated_us, o.name, i.number, c.method, c.amount_cents FROM charges c \
              JOIN invoices i ON i.id = c.invoice_id JOIN organizations o ON o.id = i.organization_id \
              WHERE c.department_id = :dept AND c.status = 'succeeded' \
              AND c.updated_us >= :from AND c.updated_us < :to \
              AND (:org = '' OR i.organization_id = :org) ORDER BY c.updated_us, i.number",
        reads: &[],
        post: None,
    },
    Report {
        id: "aging",
        title: "Invoice aging",
        audience: Audience::Finance,
        about: "What customers still owe at the end of the period, by the age of the invoice: \
                up to 30 days, 31 to 60, 61 to 90, over 90.",
        filters: CUSTOMER,
        columns: &[
            col("Customer", Text),
            sum("0-30 days", Cents),
            sum("31-60 days", Cents),
            sum("61-90 days", Cents),
            sum("Over 90 days", Cents),
            sum("Total due", Cents),
        ],
        sql: "SELECT org, \
              CAST(SUM(CASE WHEN age <= 30 THEN due ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN age > 30 AND age <= 60 THEN due ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN age > 60 AND age <= 90 THEN due ELSE 0 END) AS BIGINT), \
              CAST(SUM(CASE WHEN age > 90 THEN due ELSE 0 END) AS BIGINT), \
              CAST(SUM(due) AS BIGINT) FROM ( \
              SELECT org, org_id, (:to - issued_us) / 86400000000 AS age, \
              total_cents - credited - collected AS due FROM ( \
              SELECT o.name AS org, o.id AS org_id, i.issued_us, i.total_cents, \
              CAST((SELECT COALESCE(SUM(n.amount_cents), 0) FROM credit_notes n \
              WHERE n.invoice_id = i.id AND n.issued_us < :to) AS BIGINT) AS credited, \
              CAST((SELECT COALESCE(SUM(c.amount_cents), 0) FROM charges c \
              WHERE c.invoice_id = i.id AND c.status = 'succeeded' AND c.updated_us < :to) \
              AS BIGINT) AS collected \
              FROM invoices i JOIN organizations o ON o.id = i.organization_id \
              WHERE i.department_id = :dept AND i.issued_us < :to \
              AND (:org = '' OR i.organization_id = :org)) x) y \
              WHERE due > 0 GROUP BY org_id, org ORDER BY org",
        reads: &[],
        post: None,
    },
    Report {
        id: "event-fees",
        title: "Event fees",
        audience: Audience::Finance,
        about: "The event fee on each invoice issued in the period, beside the officers' time \
                it was charged on.",
        filters: CUSTOMER,
        columns: &[
            col("Invoice", Int),
            col("Customer", Text),
            col("Issued", Date),
            sum("Officers' time", Cents),
            sum("Event fee", Cents),
            sum("Total", Cents),
        ],
        sql: "SELECT i.number, o.name, i.issued_us, i.bill_json FROM invoices i \
              JOIN organizations o ON o.id = i.organization_id WHERE i.department_id = :dept \
              AND i.issued_us >= :from AND i.issued_us < :to \
              AND (:org = '' OR i.organization_id = :org) ORDER BY i.number",
        reads: &[Int, Text, Date, Text],
        post: Some(event_fees),
    },
    Report {
        id: "cancellation-fees",
        title: "Cancellation fees",
        audience: Audience::Finance,
        about: "Events cancelled in the period and the fee each cancellation carried.",
        filters: CUSTOMER,
        columns: &[
            col("Cancelled", Date),
            col("Customer", Text),
            col("Event", Text),
            sum("Fee", Cents),
        ],
        sql: "SELECT e.cancelled_us, o.name, e.title, COALESCE(e.cancellation_fee_cents, 0) \
              FROM event_requests e JOIN organizations o ON o.id = e.organization_id \
              WHERE e.department_id = :dept AND e.cancelled_us >= :from AND e.cancelled_us < :to \
              AND (:org = '' OR e.organization_id = :org) ORDER BY e.cancelled_us, e.title",
        reads: &[],
        post: None,
    },
    Report {
        id: "credit-notes",
        title: "Credit notes",
        audience: Audience::Finance,
        about: "Credit notes issued in the period, the invoice each corrects and why.",
        filters: CUSTOMER,
        columns: &[
            col("Number", Int),
            col("Issued", Date),
            col("Customer", Text),
            col("Invoice", Int),
            sum("Amount", Cents),
            col("Reason", Text),
        ],
        sql: "SELECT n.number, n.issued_us, o.name, i.number, n.amount_cents, n.reason \
              FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id \
              JOIN organizations o ON o.id = i.organization_id WHERE n.department_id = :dept \
              AND n.issued_us >= :from AND n.issued_us < :to \
              AND (:org = '' OR i.organization_id = :org) ORDER BY n.number",
        reads: &[],
        post: None,
    },
    Report {
        id: "declined-charges",
        title: "Declined and failed charges",
        audience: Audience::Finance,
        about: "Charge attempts in the period the gateway declined or refused, with its message.",
        filters: CUSTOMER,
        columns: &[
            col("Tried", Date),
            col("Customer", Text),
            col("Invoice", Int),
            col("Attempt", Int),
            sum("Amount", Cents),
            col("Status", Text),
            col("Message", Text),
        ],
        sql: "SELECT c.created_us, o.name, i.number, c.attempt, c.amount_cents, c.status, \
              COALESCE(c.message, '') FROM charges c JOIN invoices i ON i.id = c.invoice_id \
              JOIN organizations o ON o.id = i.organization_id WHERE c.department_id = :dept \
              AND c.status IN ('declined', 'refused') AND c.created_us >= :from \
              AND c.created_us < :to AND (:org = '' OR i.organization_id = :org) \
              ORDER BY c.created_us, i.number",
        reads: &[],
        post: None,
    },
    Report {
        id: "payouts",
        title: "Payout batches",
        audience: Audience::Finance,
        about: "Payroll batches made in the period: the pay period each covers, its timecards \
                and its total.",
        filters: &[],
        columns: &[
            col("Made", Date),
            col("From", Date),
            col("To", Date),
            sum("Timecards", Int),
            sum("Total", Cents),
        ],
        sql: "SELECT b.created_us, b.period_start_us, b.period_end_us, \
              (SELECT COUNT(*) FROM timecards t WHERE t.payout_batch_id = b.id), b.total_cents \
              FROM payout_batches b WHERE b.department_id = :dept \
              AND b.created_us >= :from AND b.created_us < :to ORDER BY b.created_us",
        reads: &[],
        post: None,
    },
    Report {
        id: "payroll-owed",
        title: "Pay owed to officers",
        audience: Audience::Finance,
        about: "Approved (or invoiced) timecards of shifts starting in the period not yet paid, \
                per officer: what payroll owes.",
        filters: &[Filter::Officer],
        columns: &[
            col("Officer", Text),
            col("Badge", Text),
            sum("Shifts", Int),
            sum("Hours paid", Minutes),
            sum("Owed", Cents),
        ],
        sql: "SELECT u.display_name, u.badge, COUNT(*), \
              CAST(COALESCE(SUM(t.billable_minutes), 0) AS BIGINT), \
              CAST(COALESCE(SUM(t.gross_cents), 0) AS BIGINT) FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users u ON u.id = t.officer_id \
              WHERE t.department_id = :dept AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.status IN ('approved', 'invoiced') AND t.paid_us IS NULL \
              AND (:officer = '' OR t.officer_id = :officer) \
              GROUP BY u.id, u.display_name, u.badge ORDER BY u.display_name, u.badge",
        reads: &[],
        post: None,
    },
    Report {
        id: "customer-activity",
        title: "Customer activity",
        audience: Audience::Finance,
        about: "Per customer organization in the period: events requested, shifts worked on its \
                jobs, hours, and what it was invoiced.",
        filters: CUSTOMER,
        columns: &[
            col("Customer", Text),
            sum("Events requested", Int),
            sum("Shifts worked", Int),
            sum("Hours worked", Minutes),
            sum("Invoiced", Cents),
        ],
        sql: "SELECT o.name, \
              (SELECT COUNT(*) FROM event_requests e WHERE e.organization_id = o.id \
              AND e.submitted_us >= :from AND e.submitted_us < :to), \
              (SELECT COUNT(*) FROM timecards t JOIN jobs j ON j.id = t.job_id \
              JOIN users c ON c.id = j.customer_id WHERE c.organization_id = o.id \
              AND j.starts_us >= :from AND j.starts_us < :to AND t.worked_minutes IS NOT NULL \
              AND t.status <> 'rejected'), \
              (SELECT CAST(COALESCE(SUM(t.worked_minutes), 0) AS BIGINT) FROM timecards t \
              JOIN jobs j ON j.id = t.job_id JOIN users c ON c.id = j.customer_id \
              WHERE c.organization_id = o.id AND j.starts_us >= :from AND j.starts_us < :to \
              AND t.worked_minutes IS NOT NULL AND t.status <> 'rejected'), \
              (SELECT CAST(COALESCE(SUM(i.total_cents), 0) AS BIGINT) FROM invoices i \
              WHERE i.organization_id = o.id AND i.issued_us >= :from AND i.issued_us < :to) \
              FROM organizations o WHERE o.department_id = :dept \
              AND (:org = '' OR o.id = :org) ORDER BY o.name",
        reads: &[],
        post: None,
    },
    Report {
        id: "affiliate-work",
        title: "Affiliate work",
        audience: Audience::Department,
        about: "Per affiliate (a security firm the department invited, decision 047) in the \
                period: events requested, shifts the department's officers worked on its jobs, \
                how many officers, their hours and pay, and what the affiliate was invoiced.",
        filters: CUSTOMER,
        columns: &[
            col("Affiliate", Text),
            sum("Events requested", Int),
            sum("Shifts worked", Int),
            col("Officers", Int),
            sum("Hours worked", Minutes),
            sum("Officers' pay", Cents),
            sum("Invoiced", Cents),
        ],
        sql: "SELECT o.name, \
              (SELECT COUNT(*) FROM event_requests e WHERE e.organization_id = o.id \
              AND e.submitted_us >= :from AND e.submitted_us < :to), \
              COUNT(t.id), COUNT(DISTINCT t.officer_id), \
              CAST(COALESCE(SUM(t.worked_minutes), 0) AS BIGINT), \
              CAST(COALESCE(SUM(t.gross_cents), 0) AS BIGINT), \
              (SELECT CAST(COALESCE(SUM(i.total_cents), 0) AS BIGINT) FROM invoices i \
              WHERE i.organization_id = o.id AND i.issued_us >= :from AND i.issued_us < :to) \
              FROM organizations o LEFT JOIN ( \
              SELECT c.organization_id, t.id, t.officer_id, t.worked_minutes, t.gross_cents \
              FROM timecards t JOIN jobs j ON j.id = t.job_id \
              JOIN users c ON c.id = j.customer_id WHERE t.department_id = :dept \
              AND j.starts_us >= :from AND j.starts_us < :to AND t.worked_minutes IS NOT NULL \
              AND t.status <> 'rejected') t ON t.organization_id = o.id \
              WHERE o.department_id = :dept AND o.kind = 'affiliate' \
              AND (:org = '' OR o.id = :org) GROUP BY o.id, o.name ORDER BY o.name",
        reads: &[],
        post: None,
    },
];

fn event_fees(_: &Ctx, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|r| {
            let bill: Option<Bill> = serde_json::from_str(r[3].text()).ok();
            let (sub, fee, total) = match bill {
                Some(b) => (
                    Value::Num(b.subtotal_cents),
                    Value::Num(b.event_fee_cents),
                    Value::Num(b.total_cents),
                ),
                None => (Value::Null, Value::Null, Value::Null),
            };
            vec![r[0].clone(), r[1].clone(), r[2].clone(), sub, fee, total]
        })
        .collect()
}
