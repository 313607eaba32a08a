//! The officer's payout account when the department pays officers directly (decision 049).
//! Online only: the provider keeps the account; the phone asks where it stands and gets a fresh
//! one-time link to the provider's set-up pages, which the shell opens in the browser.

use offduty_domain::payouts::{PayoutAccount, PayoutSetupLink};

use crate::Core;
use crate::error::Result;

impl Core {
    /// Where the officer's payout account stands (the server asks the provider again while
    /// set-up is unfinished). Offline is `CoreError::Offline`.
    pub async fn payout_account(&self) -> Result<PayoutAccount> {
        self.authed(|token| {
            let api = self.api();
            async move { api.payout_account(&token).await }
        })
        .await
    }

    /// A fresh one-time link to the provider's set-up pages (the account is made the first
    /// time). A department that pays through its payroll refuses it (`CoreError` with the
    /// server's sentence).
    pub async fn payout_setup_link(&self) -> Result<PayoutSetupLink> {
        self.authed(|token| {
            let api = self.api();
            async move { api.payout_setup_link(&token).await }
        })
        .await
    }
}
