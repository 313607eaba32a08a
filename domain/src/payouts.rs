//! Paying officers directly through the payment provider (decision 049): what the officer's
//! phone and the server say about the officer's payout account. The sentences are written here
//! once; the server sends them and the apps show them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an officer's payout account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayoutAccountStatus {
    /// The department pays through its payroll: no payout account is needed.
    NotNeeded,
    /// The officer has not started setting it up.
    NotStarted,
    /// Set-up started; the provider cannot pay the account yet.
    Onboarding,
    /// The provider can pay the account.
    Ready,
}

impl PayoutAccountStatus {
    /// The sentence the officer (and the coordinator) reads.
    pub fn sentence(self) -> &'static str {
        match self {
            PayoutAccountStatus::NotNeeded => {
                "Your department pays you through its payroll: there is nothing to set up here."
            }
            PayoutAccountStatus::NotStarted => {
                "Set up your payout account to be paid directly: the payment provider asks for \
                 your bank account and tax details on its own pages."
            }
            PayoutAccountStatus::Onboarding => {
                "Your payout account is not finished: open the set-up link again to complete \
                 what the payment provider still needs."
            }
            PayoutAccountStatus::Ready => {
                "Your payout account is ready: you are paid after each pay period."
            }
        }
    }

    /// Whether the officer has something to do (open the set-up link).
    pub fn needs_setup(self) -> bool {
        matches!(
            self,
            PayoutAccountStatus::NotStarted | PayoutAccountStatus::Onboarding
        )
    }
}

/// `GET /v1/me/payout-account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutAccount {
    pub status: PayoutAccountStatus,
    /// [`PayoutAccountStatus::sentence`], as the server said it.
    pub sentence: String,
    /// When the provider was last asked (or told us).
    pub checked_at: Option<DateTime<Utc>>,
}

impl PayoutAccount {
    pub fn new(status: PayoutAccountStatus, checked_at: Option<DateTime<Utc>>) -> PayoutAccount {
        PayoutAccount {
            status,
            sentence: status.sentence().to_string(),
            checked_at,
        }
    }
}

/// `POST /v1/me/payout-account/link`: a one-time link to the provider's set-up pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutSetupLink {
    pub url: String,
    /// After this the link no longer works; ask for a new one.
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_names_and_what_the_officer_is_asked_to_do() {
        let all = [
            (PayoutAccountStatus::NotNeeded, "not_needed", false),
            (PayoutAccountStatus::NotStarted, "not_started", true),
            (PayoutAccountStatus::Onboarding, "onboarding", true),
            (PayoutAccountStatus::Ready, "ready", false),
        ];
        for (s, wire, todo) in all {
            assert_eq!(serde_json::to_value(s).unwrap(), wire);
            assert_eq!(s.needs_setup(), todo);
            let a = PayoutAccount::new(s, None);
            let back: PayoutAccount =
                serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
            assert_eq!(back, a);
            assert!(a.sentence.ends_with('.'));
        }
    }
}
