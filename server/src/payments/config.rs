//! The Stripe adapter's configuration, read at start-up from the environment (or any source of
//! named values, such as command-line flags). The keys are held in [`SecretString`]s: never
//! printed, never stored in the database.

use super::SecretString;

/// Where Stripe is.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Environment variables read by [`StripeConfig::from_env`].
pub const ENV_SECRET_KEY: &str = "OFFDUTY_STRIPE_SECRET_KEY";
pub const ENV_WEBHOOK_SECRET: &str = "OFFDUTY_STRIPE_WEBHOOK_SECRET";
pub const ENV_API_BASE: &str = "OFFDUTY_STRIPE_API_BASE";

/// A Stripe configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{ENV_SECRET_KEY} must be a Stripe secret key (sk_… or rk_…)")]
    BadSecretKey,
    #[error("{ENV_API_BASE} must be an http(s) URL")]
    BadApiBase,
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// How to reach Stripe. The keys come from the environment (or the command line) at start-up;
/// they are never stored in the database nor printed.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com`, or a test server.
    pub api_base: String,
    pub secret_key: SecretString,
    /// The webhook endpoint's signing secret (`whsec_…`), when webhooks are set up.
    pub webhook_secret: Option<SecretString>,
}

impl StripeConfig {
    /// From `OFFDUTY_STRIPE_SECRET_KEY`, `OFFDUTY_STRIPE_WEBHOOK_SECRET`,
    /// `OFFDUTY_STRIPE_API_BASE`; `Ok(None)` when no secret key is set.
    pub fn from_env() -> Result<Option<StripeConfig>, ConfigError> {
        StripeConfig::from_values(|name| std::env::var(name).ok())
    }

    /// The same from any source of named values (CLI flags, a test's map).
    pub fn from_values(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<StripeConfig>, ConfigError> {
        let nonempty = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(key) = nonempty(ENV_SECRET_KEY) else {
            return Ok(None);
        };
        if !(key.starts_with("sk_") || key.starts_with("rk_")) || key.contains(char::is_whitespace)
        {
            return Err(ConfigError::BadSecretKey);
        }
        let api_base = nonempty(ENV_API_BASE).unwrap_or_else(|| DEFAULT_API_BASE.to_string());
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(ConfigError::BadApiBase);
        }
        Ok(Some(StripeConfig {
            api_base: api_base.trim_end_matches('/').to_string(),
            secret_key: SecretString::new(key),
            webhook_secret: nonempty(ENV_WEBHOOK_SECRET).map(SecretString::new),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Option<StripeConfig>, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StripeConfig::from_values(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn no_key_means_no_stripe() {
        assert!(config(&[]).unwrap().is_none());
        assert!(config(&[(ENV_SECRET_KEY, "  ")]).unwrap().is_none());
    }

    #[test]
    fn a_key_that_is_not_a_secret_key_is_refused() {
        assert_eq!(
            config(&[(ENV_SECRET_KEY, "pk_test_123")]).unwrap_err(),
            ConfigError::BadSecretKey
        );
        assert_eq!(
            config(&[(ENV_SECRET_KEY, "sk_test_1"), (ENV_API_BASE, "ftp://x")]).unwrap_err(),
            ConfigError::BadApiBase
        );
    }

    #[test]
    fn config_reads_every_value_and_debug_hides_the_secrets() {
        let c = config(&[
            (ENV_SECRET_KEY, "sk_test_supersecret"),
            (ENV_WEBHOOK_SECRET, "whsec_alsosecret"),
            (ENV_API_BASE, "http://127.0.0.1:9/"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.api_base, "http://127.0.0.1:9");
        assert_eq!(c.secret_key.expose(), "sk_test_supersecret");
        let shown = format!("{c:?}");
        assert!(!shown.contains("supersecret") && !shown.contains("alsosecret"));
        assert!(shown.contains("[redacted]"));
        let gw = crate::payments::StripeGateway::new(c).unwrap();
        assert!(!format!("{gw:?}").contains("supersecret"));
    }

    #[test]
    fn the_simulated_gateway_is_used_only_without_a_key_and_only_when_allowed() {
        use crate::payments::gateway_from;
        let demo = gateway_from(|_| None, true).unwrap().unwrap();
        assert_eq!(demo.name(), "simulated");
        assert!(gateway_from(|_| None, false).unwrap().is_none());
        let key = |name: &str| (name == ENV_SECRET_KEY).then(|| "sk_test_1".to_string());
        for simulated in [true, false] {
            let stripe = gateway_from(key, simulated).unwrap().unwrap();
            assert_eq!(stripe.name(), "stripe");
        }
        assert!(
            gateway_from(
                |name| (name == ENV_SECRET_KEY).then(|| "pk_test_1".to_string()),
                true
            )
            .is_err()
        );
    }
}
