//! The officer's own history as the department's PDF (`GET /v1/me/history.pdf`, decision 044),
//! saved to a file the shell names (its cache or downloads folder). Online only: the document
//! is made by the server from its records. The phone's own history screen is drawn from the
//! synced timecards (`earnings`).

use std::path::Path;

use crate::Core;
use crate::error::Result;

impl Core {
    /// Downloads the officer's history PDF (the last 365 days) and writes it to `path`,
    /// replacing the file only once the whole document arrived (written beside it, then
    /// renamed). Returns its size in bytes. Offline is `CoreError::Offline`.
    pub async fn save_history_pdf(&self, path: &Path) -> Result<u64> {
        let pdf = self
            .authed(|token| {
                let api = self.api();
                async move { api.history_pdf(&token).await }
            })
            .await?;
        let partial = path.with_extension("pdf.part");
        let written = std::fs::write(&partial, &pdf).and_then(|()| std::fs::rename(&partial, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
        Ok(pdf.len() as u64)
    }
}
