//! The commands, and what they share: the opened core with its runtime, the department's time
//! zone, "signed in?" checks, and ids given as a unique beginning or end.

pub mod actions;
pub mod board;
pub mod clock;
pub mod earnings;
pub mod payout;
pub mod prefs;
pub mod send;
pub mod session;
pub mod sync;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use offduty_core::board::{BoardQuery, JobCard};
use offduty_core::session::Session;
use offduty_core::{Core, CoreError};
use offduty_domain::eligibility::parse_time_zone;

use crate::config::{self, Settings};
use crate::error::{CliError, Result};

/// Ids are accepted as a unique beginning or end of at least this many characters.
pub const MIN_PREFIX: usize = 8;

/// The opened core and what every command needs around it.
pub struct App {
    pub core: Core,
    pub rt: tokio::runtime::Runtime,
    pub settings: Settings,
    /// "OS keyring" or "file … (0600) — no keyring service".
    pub secrets_description: String,
    pub secrets_kind: &'static str,
}

impl App {
    /// Opens the data directory and the core.
    pub fn open(mut settings: Settings) -> Result<App> {
        // An absolute path: secrets are named after it, whatever the working directory.
        config::ensure_private_dir(&settings.data_dir)?;
        if let Ok(abs) = std::fs::canonicalize(&settings.data_dir) {
            settings.data_dir = abs;
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::failure(format!("cannot start the runtime: {e}")))?;
        let opened = config::open(&settings)?;
        Ok(App {
            core: opened.core,
            rt,
            settings,
            secrets_description: opened.secrets_description,
            secrets_kind: opened.secrets_kind,
        })
    }

    pub fn json(&self) -> bool {
        self.settings.json
    }

    pub fn server(&self) -> String {
        self.core.server_url()
    }

    /// The department's time zone from the synced rules (UTC before the first sync).
    pub fn tz(&self) -> Tz {
        self.core
            .rules()
            .ok()
            .flatten()
            .and_then(|r| parse_time_zone(&r.time_zone).ok())
            .unwrap_or(chrono_tz::UTC)
    }

    /// Maps a core error for the user.
    pub fn err(&self, e: CoreError) -> CliError {
        CliError::from_core(e, self.tz(), &self.server())
    }

    /// The signed-in officer, or exit 3.
    pub fn session(&self) -> Result<Session> {
        self.core
            .session()
            .map_err(|e| self.err(e))?
            .ok_or_else(CliError::not_signed_in)
    }

    /// A cached job's title (its id when it is not cached).
    pub fn job_title(&self, id: Uuid) -> String {
        self.core
            .job(id, None)
            .map(|c| c.job.title)
            .unwrap_or_else(|_| id.to_string())
    }

    /// Every job in the local cache (closed and past ones too).
    pub fn all_cached_jobs(&self) -> Result<Vec<JobCard>> {
        let query = BoardQuery {
            from: Some(DateTime::<Utc>::UNIX_EPOCH),
            include_closed: true,
            limit: Some(usize::MAX),
            ..BoardQuery::default()
        };
        self.core.jobs(&query).map_err(|e| self.err(e))
    }

    /// A job id from a full id or a unique beginning or end of a cached job's id.
    pub fn resolve_job(&self, input: &str) -> Result<Uuid> {
        if let Ok(id) = Uuid::parse_str(input.trim()) {
            return Ok(id);
        }
        let ids: Vec<Uuid> = self
            .all_cached_jobs()?
            .into_iter()
            .map(|c| c.job.id)
            .collect();
        resolve_prefix(input, &ids, "job")
    }

    /// A queued action's key from a full key or a unique beginning or end of one.
    pub fn resolve_action(&self, input: &str) -> Result<Uuid> {
        if let Ok(id) = Uuid::parse_str(input.trim()) {
            return Ok(id);
        }
        let keys: Vec<Uuid> = self
            .core
            .pending_actions()
            .map_err(|e| self.err(e))?
            .into_iter()
            .map(|p| p.idempotency_key)
            .collect();
        resolve_prefix(input, &keys, "queued action")
    }

    /// Short ids for showing jobs (see [`ShortIds`]).
    pub fn short_ids(&self) -> Result<ShortIds> {
        let ids: Vec<Uuid> = self
            .all_cached_jobs()?
            .into_iter()
            .map(|c| c.job.id)
            .collect();
        Ok(ShortIds::new(&ids))
    }
}

/// The id in `candidates` that `input` begins or ends (with or without dashes), at least
/// [`MIN_PREFIX`] characters. Ids are UUIDv7: ids made in the same millisecond share their
/// first 13+ characters, so the random end is what the tables show.
pub fn resolve_prefix(input: &str, candidates: &[Uuid], what: &str) -> Result<Uuid> {
    let wanted = input
        .trim()
        .trim_start_matches(['…', '.'])
        .to_ascii_lowercase();
    if wanted.is_empty() || !wanted.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(CliError::bad_input(format!(
            "{input:?} is not a {what} id (a UUID, or its first or last {MIN_PREFIX}+ characters)"
        )));
    }
    if wanted.len() < MIN_PREFIX {
        return Err(CliError::bad_input(format!(
            "{input:?} is too short: give at least {MIN_PREFIX} characters of the {what} id"
        )));
    }
    let matches: Vec<Uuid> = candidates
        .iter()
        .copied()
        .filter(|id| {
            let (h, s) = (id.hyphenated().to_string(), id.simple().to_string());
            h.starts_with(&wanted)
                || s.starts_with(&wanted)
                || h.ends_with(&wanted)
                || s.ends_with(&wanted)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::bad_input(format!(
            "no {what} id begins or ends with {input:?} on this device (run `offduty sync`, then try again)"
        ))),
        many => Err(CliError::bad_input(format!(
            "{input:?} matches {} {what}s: give more characters of the id",
            many.len()
        ))),
    }
}

/// Short ids for tables: the shortest end of each id (at least [`MIN_PREFIX`] characters)
/// that tells it apart from the others.
pub struct ShortIds {
    map: std::collections::HashMap<Uuid, String>,
}

impl ShortIds {
    pub fn new(ids: &[Uuid]) -> ShortIds {
        // Work on reversed strings: a common prefix of reversed ids is a common end.
        let mut texts: Vec<(String, Uuid)> = ids
            .iter()
            .map(|id| (id.hyphenated().to_string().chars().rev().collect(), *id))
            .collect();
        texts.sort();
        texts.dedup();
        let common =
            |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let mut map = std::collections::HashMap::new();
        for (i, (text, id)) in texts.iter().enumerate() {
            let before = i
                .checked_sub(1)
                .map(|j| common(text, &texts[j].0))
                .unwrap_or(0);
            let after = texts.get(i + 1).map(|n| common(text, &n.0)).unwrap_or(0);
            let mut len = (before.max(after) + 1).max(MIN_PREFIX).min(text.len());
            // Never start on a dash.
            while len < text.len() && text.as_bytes()[len - 1] == b'-' {
                len += 1;
            }
            map.insert(*id, text[..len].chars().rev().collect());
        }
        ShortIds { map }
    }

    /// The short form of `id` (the full id if it is not known).
    pub fn get(&self, id: Uuid) -> String {
        self.map
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.hyphenated().to_string())
    }
}

/// Asks "question [y/N]" on the terminal; `--yes` answers yes. Without a terminal and without
/// `--yes`, the answer is no.
pub fn confirm(settings: &Settings, question: &str) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if settings.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Uuid {
        Uuid::parse_str(s).unwrap_or_default()
    }

    #[test]
    fn short_ids_are_the_unique_end_of_at_least_eight_characters() {
        let a = id("019a0000-1111-7000-8000-000000000001");
        let b = id("019a0000-1111-7000-9000-100000000001");
        let c = id("12345678-aaaa-4000-8000-0000abcdef12");
        let short = ShortIds::new(&[a, b, c]);
        assert_eq!(short.get(a), "000000000001");
        assert_eq!(short.get(b), "100000000001");
        assert_eq!(short.get(c), "abcdef12");
    }

    #[test]
    fn ids_resolve_from_a_unique_beginning_or_end_of_eight_or_more() {
        let a = id("019a0000-1111-7000-8000-0000abcdef01");
        let b = id("019a0000-1111-7000-9000-0000abcdef02");
        assert_eq!(
            resolve_prefix("019a0000-1111-7000-8", &[a, b], "job").ok(),
            Some(a)
        );
        assert_eq!(
            resolve_prefix("019a00001111700090", &[a, b], "job").ok(),
            Some(b)
        );
        assert_eq!(resolve_prefix("abcdef02", &[a, b], "job").ok(), Some(b));
        assert_eq!(resolve_prefix("…abcdef01", &[a, b], "job").ok(), Some(a));
        let ambiguous = resolve_prefix("019a0000", &[a, b], "job");
        assert!(ambiguous.is_err_and(|e| e.code == 2 && e.message.contains("matches 2")));
        assert!(resolve_prefix("019a", &[a, b], "job").is_err_and(|e| e.code == 2));
        assert!(resolve_prefix("nothex!!", &[a, b], "job").is_err_and(|e| e.code == 2));
    }
}
