//! Finding a colleague to hand a shift to: the department's directory, searched on the server.
//! Online only — the phone keeps no copy of the department's roster.

use offduty_domain::directory::{self, DirectoryEntry};

use crate::Core;
use crate::error::Result;

impl Core {
    /// Active officers of the department whose name or badge contains `query` (at most
    /// `limit`, default 20), by name: id, name, badge and rank. The query is checked first as
    /// the server checks it (`offduty_domain::directory`; field `q` or `limit`). Offline is
    /// `CoreError::Offline`: the search needs a connection.
    pub async fn search_officers(
        &self,
        query: &str,
        limit: Option<u32>,
    ) -> Result<Vec<DirectoryEntry>> {
        let q = directory::search_query(query)?;
        let limit = directory::search_limit(limit)?;
        self.authed(|token| {
            let api = self.api();
            let q = q.clone();
            async move { api.directory(&token, &q, limit).await }
        })
        .await
    }
}
