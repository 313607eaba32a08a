//! The demo department (seeded by `serve --demo`).

use std::net::SocketAddr;

use crate::db::Db;

/// What the seed created.
pub struct DemoSummary {
    pub created: bool,
}

impl DemoSummary {
    /// How to sign in, printed at start-up.
    pub fn banner(&self, _listen: SocketAddr) -> String {
        String::new()
    }
}

/// Seeds the demo department if absent.
pub async fn seed(_db: &Db) -> Result<DemoSummary, String> {
    Ok(DemoSummary { created: false })
}
