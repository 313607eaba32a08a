//! The device's clocks: wall time (which the officer can change), monotonic time since boot
//! (which they cannot), and the boot it counts from.

use chrono::{DateTime, Utc};

/// Clocks of the device. Shells provide their platform's (Android `elapsedRealtime`, iOS
/// `systemUptime`); tests provide fakes.
pub trait DeviceClock: Send + Sync {
    /// Wall-clock time.
    fn now(&self) -> DateTime<Utc>;
    /// Milliseconds since boot, including sleep; never goes backwards within a boot.
    fn monotonic_ms(&self) -> u64;
    /// Identifies the current boot (changes at every restart of the device).
    fn boot_id(&self) -> String;
}

/// The host's clocks: `/proc/uptime` and `/proc/sys/kernel/random/boot_id` on Linux; elsewhere
/// time since this process started and a per-process id (good enough for desktop clients).
pub struct SystemClock {
    started: std::time::Instant,
    fallback_boot: String,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            started: std::time::Instant::now(),
            fallback_boot: format!("process-{}", uuid::Uuid::new_v4()),
        }
    }
}

impl DeviceClock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn monotonic_ms(&self) -> u64 {
        std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .map(|secs| (secs * 1000.0) as u64)
            .unwrap_or_else(|| {
                u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
            })
    }

    fn boot_id(&self) -> String {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|s| s.trim().to_string())
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| self.fallback_boot.clone())
    }
}
