//! The job board (`jobs`), one job in full (`job`), and the officer's own shifts (`shifts`),
//! read from the local cache: they work offline.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};

use offduty_core::board::{BoardQuery, JobCard, Sort};
use offduty_domain::award::AwardRule;
use offduty_domain::geofence::{GeoPoint, Geofence};
use offduty_domain::pay::format_cents;
use offduty_domain::protocol::JobStatus;
use offduty_domain::timecard::PunchKind;

use super::App;
use crate::error::{CliError, Result};
use crate::output::{self, Table, print_json, truncate};
use crate::say;

/// How the board is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Soonest first.
    Start,
    /// Nearest first (needs --near).
    Distance,
    /// Best hourly pay first.
    Pay,
}

/// `jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Measure distances from here, e.g. `--near 39.9612,-82.9988`.
    #[arg(long, value_name = "LAT,LON", value_parser = parse_point, allow_hyphen_values = true)]
    pub near: Option<GeoPoint>,
    /// Only jobs within this many kilometres of --near.
    #[arg(long, value_name = "KM", requires = "near", value_parser = parse_km)]
    pub within: Option<f64>,
    /// Only jobs starting on or after this day (YYYY-MM-DD, local) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only jobs starting on or before this day (YYYY-MM-DD, local) or before this time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only jobs paying at least this many dollars an hour (multipliers included), e.g. 60.
    #[arg(long, value_name = "DOLLARS", value_parser = parse_dollars)]
    pub min_pay: Option<i64>,
    /// Only jobs of this type (traffic, security, event, construction, …); repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only jobs you are eligible for.
    #[arg(long)]
    pub eligible: bool,
    /// Order of the list.
    #[arg(long, value_enum, default_value_t = SortArg::Start)]
    pub sort: SortArg,
    /// Show at most this many jobs.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Include cancelled and finished jobs (and, without --from, past ones).
    #[arg(long)]
    pub all: bool,
}

/// `job`.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// The job: its id, or its first or last 8+ characters (as `offduty jobs` shows).
    pub id: String,
    /// Show the distance from here.
    #[arg(long, value_name = "LAT,LON", value_parser = parse_point, allow_hyphen_values = true)]
    pub near: Option<GeoPoint>,
}

/// Parses "LAT,LON".
pub fn parse_point(s: &str) -> Result<GeoPoint, String> {
    let (lat, lon) = s
        .split_once(',')
        .ok_or_else(|| "expected LAT,LON, e.g. 39.9612,-82.9988".to_string())?;
    let lat = crate::commands::clock::parse_lat(lat.trim())?;
    let lon = crate::commands::clock::parse_lon(lon.trim())?;
    Ok(GeoPoint { lat, lon })
}

fn parse_km(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a positive number of kilometres")),
    }
}

/// "60", "62.50", "$62.50", "62.5/h" → cents.
pub fn parse_dollars(s: &str) -> Result<i64, String> {
    let t = s
        .trim()
        .trim_start_matches('$')
        .trim_end_matches("/h")
        .trim();
    let bad = || format!("{s:?} is not an amount of dollars, e.g. 60 or 62.50");
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .ok_or_else(bad)
}

/// The start of a local day, or an exact RFC 3339 time; `end_of_day` moves a day to the next
/// midnight (so `--to 2026-05-16` includes that day).
fn parse_when(s: &str, tz: Tz, end_of_day: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::bad_input(format!(
            "{s:?} is not a date: use YYYY-MM-DD (a day in the department's time zone) or an RFC 3339 time"
        ))
    })?;
    let day = if end_of_day {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| CliError::bad_input(format!("{s:?} has no midnight in {tz}")))
}

/// The award rule in a word or two: "first come" slots are decided the moment a claim
/// arrives; the others when signups close.
fn award_word(rule: &AwardRule) -> &'static str {
    match rule {
        AwardRule::FirstCome => "first come",
        AwardRule::Seniority => "seniority",
        AwardRule::FewestHours { .. } => "fewest hours",
        AwardRule::Rotation => "rotation",
        AwardRule::Lottery { .. } => "lottery",
    }
}

/// "✓", or the first reason the officer may not work the job (short), or why it is closed.
fn eligibility_cell(card: &JobCard) -> String {
    match card.job.status {
        JobStatus::Cancelled => return "called off".into(),
        JobStatus::Completed => return "over".into(),
        _ => {}
    }
    match card.reasons.first() {
        None => "✓".into(),
        Some(r) => truncate(r.text.trim_end_matches('.'), 38),
    }
}

pub fn jobs(app: &App, args: &JobsArgs) -> Result<()> {
    app.session()?;
    let tz = app.tz();
    if args.sort == SortArg::Distance && args.near.is_none() {
        return Err(CliError::bad_input("--sort distance needs --near LAT,LON"));
    }
    let from = match &args.from {
        Some(s) => Some(parse_when(s, tz, false)?),
        None if args.all => Some(DateTime::<Utc>::UNIX_EPOCH),
        None => None,
    };
    let to = args
        .to
        .as_deref()
        .map(|s| parse_when(s, tz, true))
        .transpose()?;
    let query = BoardQuery {
        near: args.near,
        max_distance_m: args.within.map(|km| km * 1000.0),
        from,
        to,
        min_hourly_cents: args.min_pay,
        job_types: args
            .types
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .collect(),
        only_eligible: args.eligible,
        include_closed: args.all,
        sort: match args.sort {
            SortArg::Start => Sort::StartTime,
            SortArg::Distance => Sort::Distance,
            SortArg::Pay => Sort::Pay,
        },
        limit: args.limit.map(|n| n.max(1)),
    };
    let cards = app.core.jobs(&query).map_err(|e| app.err(e))?;
    if app.json() {
        return print_json(&cards);
    }
    if cards.is_empty() {
        say!("No jobs match.");
        if app.core.last_sync().map_err(|e| app.err(e))?.is_none() {
            say!("This device has not synced yet: run `offduty sync`.");
        }
        return Ok(());
    }
    let short = app.short_ids()?;
    let with_distance = args.near.is_some();
    let mut headers = vec!["ID", "START", "TITLE", "SITE"];
    if with_distance {
        headers.push("DIST");
    }
    headers.extend(["$/H", "SLOTS", "AWARD", "ELIGIBLE", "YOU"]);
    let money = if with_distance { vec![4, 5] } else { vec![4] };
    let mut table = Table::new(&headers).right_align(&money);
    for c in &cards {
        let mut row = vec![
            short.get(c.job.id),
            output::short_time(c.job.starts_at, tz),
            truncate(&c.job.title, 32),
            truncate(&c.job.site_name, 24),
        ];
        if with_distance {
            row.push(c.distance_m.map(output::distance).unwrap_or_default());
        }
        row.push(format_cents(c.hourly_cents, &c.job.currency));
        row.push(format!("{}/{}", c.job.slots_filled, c.job.slots));
        row.push(award_word(&c.job.award_rule).to_string());
        row.push(eligibility_cell(c));
        row.push(truncate(&c.standing_text, 30));
        table.row(row);
    }
    say!("{}", table.render().trim_end());
    say!(
        "{} job{} · times in {tz} · details: `offduty job <ID>` · claim: `offduty claim <ID>`",
        cards.len(),
        if cards.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

fn fence_text(fence: &Geofence) -> String {
    match fence {
        Geofence::Circle { center, radius_m } => format!(
            "within {} of {:.5}, {:.5}",
            output::distance(*radius_m),
            center.lat,
            center.lon
        ),
        Geofence::Polygon { vertices } => {
            let c = fence.center();
            format!(
                "a polygon of {} corners around {:.5}, {:.5}",
                vertices.len(),
                c.lat,
                c.lon
            )
        }
    }
}

pub fn job(app: &App, args: &JobArgs) -> Result<()> {
    app.session()?;
    let tz = app.tz();
    let id = app.resolve_job(&args.id)?;
    let card = app.core.job(id, args.near).map_err(|e| app.err(e))?;
    let punches = app.core.punches(id).map_err(|e| app.err(e))?;
    if app.json() {
        return print_json(&serde_json::json!({"card": card, "punches": punches}));
    }
    let j = &card.job;
    let line = |label: &str, value: String| say!("  {label:<14}{value}");
    say!("{}", j.title);
    line("Id", j.id.to_string());
    line("Customer", j.customer_name.clone());
    line("Site", format!("{} — {}", j.site_name, j.address));
    line("When", output::time_range(j.starts_at, j.ends_at, tz));
    line("Status", j.status.as_str().to_string());
    let mult = output::multiplier(j.multiplier_bp);
    line(
        "Rate",
        format!(
            "{}/h{} ({} job{})",
            format_cents(j.rate_cents, &j.currency),
            if mult.is_empty() {
                String::new()
            } else {
                format!(" {mult}")
            },
            j.job_type,
            if mult.is_empty() {
                String::new()
            } else {
                format!(
                    "; {}/h with the multiplier",
                    format_cents(card.hourly_cents, &j.currency)
                )
            }
        ),
    );
    if let Some(q) = &card.estimate {
        line(
            "Pay estimate",
            format!(
                "{} for {} paid",
                format_cents(q.gross_cents, &j.currency),
                output::minutes(q.billable_minutes)
            ),
        );
    }
    let offered = if j.slots_offered > 0 {
        format!(", {} offered back", j.slots_offered)
    } else {
        String::new()
    };
    line(
        "Slots",
        format!("{} of {} filled{offered}", j.slots_filled, j.slots),
    );
    line("Award", card.award_rule.clone());
    line("Release", card.release.clone());
    line("Signup", card.signup_text.clone());
    line(
        "Location",
        format!("{:.5}, {:.5}", j.location.lat, j.location.lon),
    );
    line("Fence", fence_text(&j.geofence));
    if let Some(d) = card.distance_m {
        line("Distance", output::distance(d));
    }
    let req = &j.requirements;
    let mut needs = Vec::new();
    if let Some(r) = req.min_rank {
        needs.push(format!("rank {} or above", r.title()));
    }
    if !req.certifications.is_empty() {
        needs.push(format!("certified {}", req.certifications.join(", ")));
    }
    if !req.groups.is_empty() {
        needs.push(format!("member of {}", req.groups.join(" or ")));
    }
    if !needs.is_empty() {
        line("Requires", needs.join("; "));
    }
    if card.eligible {
        line("Eligible", "✓ yes".into());
    } else {
        line("Eligible", "✗ no:".into());
        for r in &card.reasons {
            say!("  {:<14}- {}", "", r.text);
        }
    }
    let standing = if card.standing_text.is_empty() {
        "—".to_string()
    } else {
        card.standing_text.clone()
    };
    line("You", standing);
    for p in &punches {
        let kind = match p.kind {
            PunchKind::In => "Clocked in",
            PunchKind::Out => "Clocked out",
        };
        let verdict = p.server_verdict.unwrap_or(p.local_verdict);
        let source = if p.server_verdict.is_some() {
            "server"
        } else {
            "this device; not sent yet"
        };
        line(
            kind,
            format!(
                "{} ({}: {})",
                output::long_time(p.at, tz),
                source,
                verdict.as_str()
            ),
        );
    }
    if !j.notes.trim().is_empty() {
        line("Notes", j.notes.trim().to_string());
    }
    Ok(())
}

/// `shifts`.
#[derive(Debug, Args)]
pub struct ShiftsArgs {
    /// Include shifts that are over.
    #[arg(long)]
    pub all: bool,
}

pub fn shifts(app: &App, args: &ShiftsArgs) -> Result<()> {
    app.session()?;
    let tz = app.tz();
    // The core decides what is current (until the clock-out window closes, or while an action
    // waits); `--all` keeps past shifts. One read, then the count of what was left out.
    let mut cards = app.core.my_jobs(true).map_err(|e| app.err(e))?;
    let total = cards.len();
    if !args.all {
        cards.retain(|c| app.core.is_current_shift(c));
    }
    let hidden = total - cards.len();
    if app.json() {
        return print_json(&cards);
    }
    if cards.is_empty() {
        say!(
            "You have no upcoming shifts or places in line. Find one with `offduty jobs --eligible`."
        );
        if hidden > 0 {
            say!("{hidden} past shift(s): `offduty shifts --all`.");
        }
        return Ok(());
    }
    let short = app.short_ids()?;
    let mut table = Table::new(&["ID", "START", "END", "TITLE", "SITE", "STANDING", "CLOCK"]);
    for c in &cards {
        let punches = app.core.punches(c.job.id).map_err(|e| app.err(e))?;
        let clock: Vec<&str> = punches
            .iter()
            .map(|p| match p.kind {
                PunchKind::In => "in",
                PunchKind::Out => "out",
            })
            .collect();
        table.row(vec![
            short.get(c.job.id),
            output::short_time(c.job.starts_at, tz),
            c.job.ends_at.with_timezone(&tz).format("%H:%M").to_string(),
            truncate(&c.job.title, 36),
            truncate(&c.job.site_name, 26),
            truncate(&c.standing_text, 34),
            clock.join(", "),
        ]);
    }
    say!("{}", table.render().trim_end());
    if hidden > 0 {
        say!("Times in {tz} · {hidden} past shift(s) not shown: `offduty shifts --all`.");
    } else {
        say!("Times in {tz}.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_parse_to_cents() {
        assert_eq!(parse_dollars("60"), Ok(6000));
        assert_eq!(parse_dollars("$62.5"), Ok(6250));
        assert_eq!(parse_dollars("62.50/h"), Ok(6250));
        assert!(parse_dollars("62.505").is_err());
        assert!(parse_dollars("sixty").is_err());
        assert!(parse_dollars("-5").is_err());
    }

    #[test]
    fn a_day_means_local_midnight_and_to_includes_the_day() {
        let tz: Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
        let from = parse_when("2026-05-16", tz, false).map(|t| t.to_rfc3339());
        assert_eq!(from.ok().as_deref(), Some("2026-05-16T04:00:00+00:00"));
        let to = parse_when("2026-05-16", tz, true).map(|t| t.to_rfc3339());
        assert_eq!(to.ok().as_deref(), Some("2026-05-17T04:00:00+00:00"));
        assert!(parse_when("16/05/2026", tz, false).is_err_and(|e| e.code == 2));
    }
}
