//! `prefs`: notification channels and quiet hours — shown, or changed on this device and sent
//! with the next sync (right away when the server can be reached).

use clap::{Args, Subcommand};

use offduty_domain::prefs::{Preferences, QuietWindow};

use super::{App, sync};
use crate::error::{CliError, Result};
use crate::output::print_json;
use crate::say;

/// `prefs`.
#[derive(Debug, Args)]
pub struct PrefsArgs {
    #[command(subcommand)]
    pub command: Option<PrefsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum PrefsCommand {
    /// Change your notification preferences.
    Set(PrefsSetArgs),
}

/// `prefs set`.
#[derive(Debug, Args)]
pub struct PrefsSetArgs {
    /// Quiet hours, e.g. "sun 22:00-06:30", "mon-fri 23:00-06:00", "sat,sun 00:00-09:00" or
    /// "daily 22:00-07:00" (department time; an end before the start runs past midnight).
    /// Repeatable; replaces your quiet hours.
    #[arg(long = "quiet", value_name = "DAYS HH:MM-HH:MM", value_parser = parse_quiet)]
    pub quiet: Vec<Vec<QuietWindow>>,
    /// Remove all quiet hours.
    #[arg(long, conflicts_with = "quiet")]
    pub no_quiet: bool,
    /// Send push notifications.
    #[arg(long, overrides_with = "no_push")]
    pub push: bool,
    /// Do not send push notifications.
    #[arg(long, overrides_with = "push")]
    pub no_push: bool,
    /// Send text messages.
    #[arg(long, overrides_with = "no_sms")]
    pub sms: bool,
    /// Do not send text messages.
    #[arg(long, overrides_with = "sms")]
    pub no_sms: bool,
    /// Send e-mails.
    #[arg(long, overrides_with = "no_email")]
    pub email: bool,
    /// Do not send e-mails.
    #[arg(long, overrides_with = "email")]
    pub no_email: bool,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(s: &str) -> Result<usize, String> {
    let s = s.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|d| s.starts_with(d) && d.len() <= s.len())
        .ok_or_else(|| format!("{s:?} is not a weekday (mon … sun)"))
}

/// "DAYS HH:MM-HH:MM" → one window per day.
pub fn parse_quiet(s: &str) -> Result<Vec<QuietWindow>, String> {
    let (days, times) = s
        .trim()
        .rsplit_once(' ')
        .ok_or_else(|| format!("{s:?}: expected DAYS HH:MM-HH:MM, e.g. \"sun 22:00-06:30\""))?;
    let (start, end) = times
        .split_once('-')
        .ok_or_else(|| format!("{times:?}: expected HH:MM-HH:MM"))?;
    let mut indices = Vec::new();
    for part in days.split(',') {
        let part = part.trim();
        if part.eq_ignore_ascii_case("daily") || part.eq_ignore_ascii_case("every") {
            indices.extend(0..7);
        } else if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (day_index(a)?, day_index(b)?);
            let mut i = a;
            loop {
                indices.push(i);
                if i == b {
                    break;
                }
                i = (i + 1) % 7;
            }
        } else {
            indices.push(day_index(part)?);
        }
    }
    indices.dedup();
    let windows: Vec<QuietWindow> = indices
        .into_iter()
        .map(|i| QuietWindow {
            weekday: DAYS[i].to_string(),
            start: start.trim().to_string(),
            end: end.trim().to_string(),
        })
        .collect();
    for w in &windows {
        w.validate().map_err(|e| format!("{s:?}: {e}"))?;
    }
    Ok(windows)
}

fn show(app: &App, p: &Preferences) -> Result<()> {
    if app.json() {
        return print_json(p);
    }
    let yes = |b: bool| if b { "on" } else { "off" };
    say!(
        "channels:    push {} · sms {} · email {}",
        yes(p.channels.push),
        yes(p.channels.sms),
        yes(p.channels.email)
    );
    if p.quiet_hours.is_empty() {
        say!("quiet hours: none");
    } else {
        say!("quiet hours ({}):", app.tz());
        for w in &p.quiet_hours {
            say!("  {} {}–{}", w.weekday, w.start, w.end);
        }
    }
    Ok(())
}

fn pick(on: bool, off: bool, current: bool) -> bool {
    if on {
        true
    } else if off {
        false
    } else {
        current
    }
}

pub fn prefs(app: &App, args: &PrefsArgs) -> Result<()> {
    app.session()?;
    let current = app.core.preferences().map_err(|e| app.err(e))?;
    let Some(PrefsCommand::Set(set)) = &args.command else {
        return show(app, &current);
    };
    let mut next = current.clone();
    next.channels.push = pick(set.push, set.no_push, current.channels.push);
    next.channels.sms = pick(set.sms, set.no_sms, current.channels.sms);
    next.channels.email = pick(set.email, set.no_email, current.channels.email);
    if set.no_quiet {
        next.quiet_hours.clear();
    } else if !set.quiet.is_empty() {
        next.quiet_hours = set.quiet.iter().flatten().cloned().collect();
    }
    if next == current {
        return Err(CliError::bad_input(
            "nothing to change: give --quiet, --no-quiet, --push/--no-push, --sms/--no-sms or --email/--no-email",
        ));
    }
    app.core.set_preferences(next).map_err(|e| app.err(e))?;
    let report = sync::run(app, false);
    let saved = app.core.preferences().map_err(|e| app.err(e))?;
    if !app.json() {
        match report {
            Ok(r) if r.offline.is_none() => say!("Saved and sent."),
            _ => say!(
                "Saved on this device — the server at {} is unreachable; it will be sent on the next `offduty sync`.",
                app.server()
            ),
        }
    }
    show(app, &saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_parse_days_ranges_and_lists() {
        let one = parse_quiet("sun 22:00-06:30").unwrap_or_default();
        assert_eq!(one.len(), 1);
        assert_eq!(
            (
                one[0].weekday.as_str(),
                one[0].start.as_str(),
                one[0].end.as_str()
            ),
            ("sun", "22:00", "06:30")
        );
        assert_eq!(parse_quiet("mon-fri 23:00-06:00").map(|w| w.len()), Ok(5));
        assert_eq!(parse_quiet("sat,sun 00:00-09:00").map(|w| w.len()), Ok(2));
        assert_eq!(parse_quiet("daily 22:00-07:00").map(|w| w.len()), Ok(7));
        assert_eq!(parse_quiet("fri-mon 22:00-07:00").map(|w| w.len()), Ok(4));
        assert!(parse_quiet("sun 25:00-06:00").is_err());
        assert!(parse_quiet("someday 22:00-06:00").is_err());
        assert!(parse_quiet("22:00-06:00").is_err());
    }
}
