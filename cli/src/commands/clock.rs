//! Clock in and out: the fix is typed in (or scripted), the core's verdict and its explanation
//! are shown first, a `rejected` punch is refused unless `--anyway`, then the signed event is
//! queued and sent.

use clap::Args;
use serde::Serialize;

use offduty_core::CoreError;
use offduty_core::clock::PunchPreview;
use offduty_core::error::Confirmation;
use offduty_domain::actions::ActionKind;
use offduty_domain::punch::{LocationFix, PunchVerdict};
use offduty_domain::timecard::PunchKind;

use super::{App, send};
use crate::error::{CliError, Result};
use crate::say;

/// `clock-in` / `clock-out`.
#[derive(Debug, Args)]
pub struct PunchArgs {
    /// The job: its id, or its first or last 8+ characters (as `offduty shifts` shows).
    pub id: String,
    /// Latitude of your position, degrees (-90..90).
    #[arg(long, value_parser = parse_lat, allow_negative_numbers = true)]
    pub lat: f64,
    /// Longitude of your position, degrees (-180..180).
    #[arg(long, value_parser = parse_lon, allow_negative_numbers = true)]
    pub lon: f64,
    /// Accuracy of the position, metres (the 68 % radius your GPS reports).
    #[arg(long, value_name = "METRES", value_parser = parse_accuracy)]
    pub accuracy: f64,
    /// Where the position comes from (gps, fused, network, manual).
    #[arg(long, default_value = "gps")]
    pub provider: String,
    /// The position comes from a mock provider or simulator.
    #[arg(long)]
    pub mock: bool,
    /// Record the punch even when it would be rejected (a coordinator will see why).
    #[arg(long)]
    pub anyway: bool,
}

/// A latitude in -90..=90.
pub fn parse_lat(s: &str) -> Result<f64, String> {
    parse_degrees(s, 90.0, "latitude")
}

/// A longitude in -180..=180.
pub fn parse_lon(s: &str) -> Result<f64, String> {
    parse_degrees(s, 180.0, "longitude")
}

fn parse_degrees(s: &str, max: f64, what: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (-max..=max).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{what} {v} is not in -{max}..{max}")),
        Err(_) => Err(format!("{s:?} is not a {what} in degrees")),
    }
}

fn parse_accuracy(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a distance in metres (0 or more)")),
    }
}

#[derive(Serialize)]
struct Refused<'a> {
    refused: bool,
    preview: &'a PunchPreview,
}

fn verdict_word(v: PunchVerdict) -> &'static str {
    match v {
        PunchVerdict::Verified => "verified",
        PunchVerdict::NeedsReview => "needs review",
        PunchVerdict::Rejected => "rejected",
    }
}

/// Clocks in (`kind = In`) or out.
pub fn punch(app: &App, args: &PunchArgs, kind: PunchKind) -> Result<()> {
    app.session()?;
    let id = app.resolve_job(&args.id)?;
    let fix = LocationFix {
        lat: args.lat,
        lon: args.lon,
        accuracy_m: args.accuracy,
        fix_time: chrono::Utc::now(),
        provider: args.provider.trim().to_string(),
        is_mock: args.mock,
    };
    fix.validate()
        .map_err(|e| CliError::bad_input(format!("invalid position: {e}")))?;
    let preview = app
        .core
        .preview_punch(id, kind, &fix)
        .map_err(|e| app.err(e))?;
    let what = match kind {
        PunchKind::In => "Clock-in",
        PunchKind::Out => "Clock-out",
    };
    if !app.json() {
        say!(
            "{what} check: {} — {}",
            verdict_word(preview.verdict),
            preview.summary
        );
    }
    // The core refuses a rejected punch unless the officer confirms it (`--anyway`).
    let punched = match kind {
        PunchKind::In => app.core.clock_in(id, &fix, args.anyway),
        PunchKind::Out => app.core.clock_out(id, &fix, args.anyway),
    };
    let punched = match punched {
        Ok(p) => p,
        Err(CoreError::NeedsConfirmation {
            what: Confirmation::RejectedPunch,
            ..
        }) => {
            if app.json() {
                crate::output::print_json(&Refused {
                    refused: true,
                    preview: &preview,
                })?;
            }
            return Err(CliError::refused(format!(
                "{what} not recorded: {} (use --anyway to record it for review)",
                preview.summary
            )));
        }
        Err(e) => return Err(app.err(e)),
    };
    let title = app.job_title(id);
    let queued = offduty_core::actions::Queued {
        idempotency_key: punched.idempotency_key,
        kind: match kind {
            PunchKind::In => ActionKind::ClockIn,
            PunchKind::Out => ActionKind::ClockOut,
        },
        job_id: id,
        note: None,
    };
    let now = chrono::Utc::now().with_timezone(&app.tz());
    send::send(
        app,
        &queued,
        &format!(
            "{what} signed and queued at {}: {title}",
            now.format("%H:%M %Z")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_outside_the_globe_are_bad_input() {
        assert!(parse_lat("200").is_err());
        assert!(parse_lon("-181").is_err());
        assert!(parse_lat("NaN").is_err());
        assert_eq!(parse_lat("-33.5"), Ok(-33.5));
        assert!(parse_accuracy("-1").is_err());
    }
}
