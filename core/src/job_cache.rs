//! Decoded jobs kept in memory between board listings, so a full board does not parse every
//! job's JSON again (decision 033).
//!
//! An entry is keyed by the job row's `rowid` and `rev` (migration 5: triggers give every write
//! of a row's JSON a number never used before in the file). The board's first pass reads both
//! from its covering index; a row whose pair matches an entry is taken from memory, any other is
//! read and decoded and replaces the entry. Entries are filled only outside a transaction
//! (from committed rows), so a rolled-back write cannot leave a number to be reused for other
//! content. The cache never grows past twice the rows the last full listing looked at (plus a
//! little slack).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use offduty_domain::protocol::Job;

/// Entries kept beyond twice the rows a listing looked at before the cache is pruned to them.
const SLACK: usize = 256;

/// Decoded jobs by (rowid, rev); see the module documentation.
#[derive(Debug, Default)]
pub struct JobCache {
    jobs: Mutex<HashMap<i64, (i64, Job)>>,
}

impl JobCache {
    /// An empty cache.
    pub fn new() -> JobCache {
        JobCache::default()
    }

    /// How many decoded jobs are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every decoded job.
    pub fn clear(&self) {
        self.lock().clear();
    }

    pub(crate) fn lock(&self) -> Entries<'_> {
        Entries(self.jobs.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The cache, locked for one listing.
pub(crate) struct Entries<'a>(MutexGuard<'a, HashMap<i64, (i64, Job)>>);

impl Entries<'_> {
    /// The job decoded from row `rowid` at `rev`, if it is held.
    pub(crate) fn get(&self, rowid: i64, rev: i64) -> Option<&Job> {
        self.0
            .get(&rowid)
            .filter(|(held, _)| *held == rev)
            .map(|(_, job)| job)
    }

    /// Holds `job`, decoded from row `rowid` at `rev`.
    pub(crate) fn put(&mut self, rowid: i64, rev: i64, job: Job) {
        self.0.insert(rowid, (rev, job));
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    /// Drops the entries of rows a listing of `seen` rows did not look at, once there are more
    /// than twice as many entries as rows seen (jobs deleted or gone past).
    pub(crate) fn prune(&mut self, seen: impl Iterator<Item = i64> + Clone) {
        let n = seen.clone().count();
        if self.0.len() > 2 * n + SLACK {
            let keep: HashSet<i64> = seen.collect();
            self.0.retain(|rowid, _| keep.contains(rowid));
        }
    }
}
