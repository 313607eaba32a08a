//! Cancellation windows: how close to the start an officer may still give up a shift, and on what
//! terms.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The department's cancellation policy, in hours before the shift starts.
///
/// - at least `free_hours` before the start: the officer may cancel freely;
/// - between `replacement_hours` and `free_hours`: only if a replacement takes the slot (the next
///   eligible officer on the waitlist, or a transfer to a named officer);
/// - less than `replacement_hours` before the start (or after it): only a coordinator can release
///   the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelPolicy {
    pub free_hours: u32,
    pub replacement_hours: u32,
}

impl Default for CancelPolicy {
    fn default() -> Self {
        CancelPolicy {
            free_hours: 48,
            replacement_hours: 12,
        }
    }
}

/// Which cancellation window a moment falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelWindow {
    Free,
    NeedsReplacement,
    CallCoordinator,
}

impl CancelPolicy {
    /// The window that applies to cancelling a shift starting at `starts_at`, at `now`.
    pub fn window(&self, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> CancelWindow {
        let lead = starts_at - now;
        if lead >= Duration::hours(i64::from(self.free_hours)) {
            CancelWindow::Free
        } else if lead >= Duration::hours(i64::from(self.replacement_hours)) {
            CancelWindow::NeedsReplacement
        } else {
            CancelWindow::CallCoordinator
        }
    }

    /// Checks the policy makes sense (the free window is not shorter than the replacement one).
    pub fn validate(&self) -> Result<(), crate::validation::Invalid> {
        if self.free_hours < self.replacement_hours {
            return Err(crate::validation::Invalid::new(
                "free_hours",
                crate::validation::InvalidCode::Inconsistent,
                format!(
                    "must be at least replacement_hours ({}; got {})",
                    self.replacement_hours, self.free_hours
                ),
            ));
        }
        Ok(())
    }
}

impl CancelWindow {
    /// A sentence an officer can read.
    pub fn explain(self, policy: &CancelPolicy) -> String {
        match self {
            CancelWindow::Free => format!(
                "More than {} hours before the start: you can cancel freely.",
                policy.free_hours
            ),
            CancelWindow::NeedsReplacement => format!(
                "Less than {} hours before the start: you can cancel only if a replacement takes \
                 the slot (the next officer on the waitlist, or a transfer).",
                policy.free_hours
            ),
            CancelWindow::CallCoordinator => format!(
                "Less than {} hours before the start: call the detail coordinator to be released.",
                policy.replacement_hours
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).expect("valid timestamp")
    }

    #[test]
    fn windows_follow_the_lead_time() {
        let p = CancelPolicy::default();
        let start = at(100);
        assert_eq!(p.window(start, at(100 - 48)), CancelWindow::Free);
        assert_eq!(
            p.window(start, at(100 - 47)),
            CancelWindow::NeedsReplacement
        );
        assert_eq!(
            p.window(start, at(100 - 12)),
            CancelWindow::NeedsReplacement
        );
        assert_eq!(p.window(start, at(100 - 11)), CancelWindow::CallCoordinator);
        assert_eq!(p.window(start, at(101)), CancelWindow::CallCoordinator);
    }

    #[test]
    fn inverted_policy_is_refused() {
        let p = CancelPolicy {
            free_hours: 4,
            replacement_hours: 12,
        };
        assert!(p.validate().is_err());
    }

    proptest! {
        /// Moving `now` later never makes cancelling easier.
        #[test]
        fn windows_only_tighten_as_the_start_nears(free in 0u32..200, repl in 0u32..200, a in -300i64..300, b in -300i64..300) {
            prop_assume!(free >= repl);
            let p = CancelPolicy { free_hours: free, replacement_hours: repl };
            let start = at(0);
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let rank = |w: CancelWindow| match w { CancelWindow::Free => 0, CancelWindow::NeedsReplacement => 1, CancelWindow::CallCoordinator => 2 };
            prop_assert!(rank(p.window(start, at(early))) <= rank(p.window(start, at(late))));
        }
    }
}
