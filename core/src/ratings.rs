//! Rating the site of a worked shift, privately for the department, and reading one's own
//! reliability (decision 046). Online only, like the directory: nothing is queued, the officer
//! sees at once whether the server took it.

use uuid::Uuid;

use offduty_domain::ratings::{Reliability, SiteRatingForm};

use crate::Core;
use crate::error::Result;

impl Core {
    /// Rates the site of the officer's own worked shift `timecard_id` (1–5 stars, tags, an
    /// optional comment; changeable for 14 days). Checked first as the server checks it
    /// (`offduty_domain::ratings`; fields `stars`, `tags[i]`, `comment`). Offline is
    /// `CoreError::Offline`.
    pub async fn rate_site(&self, timecard_id: Uuid, form: &SiteRatingForm) -> Result<()> {
        let form = form.validate()?;
        self.authed(|token| {
            let api = self.api();
            let form = form.clone();
            async move { api.put_site_rating(&token, timecard_id, &form).await }
        })
        .await
    }

    /// The officer's own reliability over the last 180 days, computed by the server from the
    /// record. Offline is `CoreError::Offline`.
    pub async fn my_reliability(&self) -> Result<Reliability> {
        self.authed(|token| {
            let api = self.api();
            async move { api.my_reliability(&token).await }
        })
        .await
    }
}
