//! The simulated gateway: the demo department charges and pays without Stripe keys. It keeps
//! everything in memory, records every call, honours idempotency keys like a real provider
//! (same key and request → same answer; same key, other request → conflict) and says
//! "simulated" in its name and in every id and text it returns, so nobody mistakes a demo
//! charge for money. [`super::gateway_from_env`] never picks it when a Stripe key is configured.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    AccountReadiness, Charge, ChargeId, ChargeRequest, ChargeStatus, CheckoutSessionId,
    ConnectedAccountId, GatewayCustomerId, GatewayError, IdempotencyKey, OnboardingLink,
    PaymentGateway, PaymentMethodId, PaymentMethodKind, SavedPaymentMethod, SetupOutcome,
    SetupSession, SetupSessionRequest, SetupStatus, TransferId, TransferRequest, positive_amount,
};

/// One call the simulated gateway received (for the demo's pages and for tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimulatedCall {
    CreateCustomer {
        name: String,
        email: String,
    },
    CreateSetupSession {
        customer: String,
    },
    SetupResult {
        session: String,
    },
    Charge {
        customer: String,
        amount_cents: i64,
        invoice_id: String,
    },
    CreateConnectedAccount {
        email: String,
    },
    OnboardingLink {
        account: String,
    },
    AccountReady {
        account: String,
    },
    Transfer {
        account: String,
        amount_cents: i64,
    },
}

#[derive(Default)]
struct State {
    calls: Vec<SimulatedCall>,
    /// key → (what the request was, the id answered)
    keys: HashMap<String, (String, String)>,
    next: u64,
}

/// An in-process gateway that moves no money.
#[derive(Default)]
pub struct SimulatedGateway {
    state: Mutex<State>,
}

impl std::fmt::Debug for SimulatedGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimulatedGateway")
    }
}

impl SimulatedGateway {
    pub fn new() -> SimulatedGateway {
        SimulatedGateway::default()
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<SimulatedCall> {
        self.lock().calls.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data; keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the call and answers `prefix_simulated_N`, or the first answer for a repeated
    /// key with the same request, or a conflict for a repeated key with another request.
    fn act(
        &self,
        call: SimulatedCall,
        key: Option<&IdempotencyKey>,
        prefix: &str,
    ) -> Result<String, GatewayError> {
        let mut s = self.lock();
        let fingerprint = format!("{call:?}");
        s.calls.push(call);
        if let Some((seen, id)) = key.and_then(|k| s.keys.get(k.as_str())) {
            return if *seen == fingerprint {
                Ok(id.clone())
            } else {
                Err(GatewayError::IdempotencyConflict)
            };
        }
        s.next += 1;
        let id = format!("{prefix}_simulated_{}", s.next);
        if let Some(key) = key {
            s.keys
                .insert(key.as_str().to_string(), (fingerprint, id.clone()));
        }
        Ok(id)
    }
}

#[async_trait::async_trait]
impl PaymentGateway for SimulatedGateway {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn create_customer(
        &self,
        name: &str,
        email: &str,
        key: &IdempotencyKey,
    ) -> Result<GatewayCustomerId, GatewayError> {
        let call = SimulatedCall::CreateCustomer {
            name: name.into(),
            email: email.into(),
        };
        self.act(call, Some(key), "cus").map(GatewayCustomerId)
    }

    async fn create_setup_session(
        &self,
        r: &SetupSessionRequest,
    ) -> Result<SetupSession, GatewayError> {
        let call = SimulatedCall::CreateSetupSession {
            customer: r.customer.0.clone(),
        };
        let id = self.act(call, None, "cs")?;
        // No page to visit: the simulated customer "saves" a card at once and comes back.
        let url = r.success_url.replace("{CHECKOUT_SESSION_ID}", &id);
        Ok(SetupSession {
            session_id: CheckoutSessionId(id),
            url,
        })
    }

    async fn setup_result(
        &self,
        session: &CheckoutSessionId,
    ) -> Result<SetupOutcome, GatewayError> {
        self.act(
            SimulatedCall::SetupResult {
                session: session.0.clone(),
            },
            None,
            "pm",
        )?;
        Ok(SetupOutcome {
            status: SetupStatus::Complete,
            payment_method: Some(SavedPaymentMethod {
                id: PaymentMethodId(format!("pm_simulated_for_{}", session.0)),
                kind: PaymentMethodKind::Card,
                display: "Simulated card ending 4242".into(),
            }),
        })
    }

    async fn charge(&self, r: &ChargeRequest) -> Result<Charge, GatewayError> {
        positive_amount(r.amount_cents)?;
        let call = SimulatedCall::Charge {
            customer: r.customer.0.clone(),
            amount_cents: r.amount_cents,
            invoice_id: r.invoice_id.clone(),
        };
        let id = self.act(call, Some(&r.idempotency_key), "pi")?;
        Ok(Charge {
            id: ChargeId(id),
            status: ChargeStatus::Succeeded,
        })
    }

    async fn create_connected_account(
        &self,
        email: &str,
        key: &IdempotencyKey,
    ) -> Result<ConnectedAccountId, GatewayError> {
        let call = SimulatedCall::CreateConnectedAccount {
            email: email.into(),
        };
        self.act(call, Some(key), "acct").map(ConnectedAccountId)
    }

    async fn onboarding_link(
        &self,
        account: &ConnectedAccountId,
        _refresh_url: &str,
        return_url: &str,
    ) -> Result<OnboardingLink, GatewayError> {
        let call = SimulatedCall::OnboardingLink {
            account: account.0.clone(),
        };
        self.act(call, None, "link")?;
        // Nothing to fill in: onboarding "completes" and the officer is sent straight back.
        Ok(OnboardingLink {
            url: return_url.to_string(),
            expires_at: chrono::Utc::now().timestamp() + 300,
        })
    }

    async fn account_ready(
        &self,
        account: &ConnectedAccountId,
    ) -> Result<AccountReadiness, GatewayError> {
        let call = SimulatedCall::AccountReady {
            account: account.0.clone(),
        };
        self.act(call, None, "check")?;
        Ok(AccountReadiness {
            details_submitted: true,
            charges_enabled: true,
            payouts_enabled: true,
        })
    }

    async fn transfer(&self, r: &TransferRequest) -> Result<TransferId, GatewayError> {
        positive_amount(r.amount_cents)?;
        let call = SimulatedCall::Transfer {
            account: r.account.0.clone(),
            amount_cents: r.amount_cents,
        };
        self.act(call, Some(&r.idempotency_key), "tr")
            .map(TransferId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::Currency;

    fn key(k: &str) -> IdempotencyKey {
        IdempotencyKey::new(k).unwrap()
    }

    fn charge(amount_cents: i64, k: &str) -> ChargeRequest {
        ChargeRequest {
            customer: "cus_simulated_1".into(),
            payment_method: "pm_simulated_1".into(),
            amount_cents,
            currency: Currency::usd(),
            invoice_id: "inv-1".into(),
            idempotency_key: key(k),
        }
    }

    #[tokio::test]
    async fn everything_it_returns_says_simulated() {
        let g = SimulatedGateway::new();
        assert_eq!(g.name(), "simulated");
        let c = g
            .create_customer("Kroger", "ap@kroger.test", &key("c1"))
            .await
            .unwrap();
        assert!(c.0.contains("simulated"));
        let s = g
            .create_setup_session(&SetupSessionRequest {
                customer: c.clone(),
                currency: Currency::usd(),
                success_url: "http://x/ok?s={CHECKOUT_SESSION_ID}".into(),
                cancel_url: "http://x/no".into(),
            })
            .await
            .unwrap();
        assert!(s.session_id.0.contains("simulated") && s.url.contains(&s.session_id.0));
        let o = g.setup_result(&s.session_id).await.unwrap();
        let pm = o.payment_method.unwrap();
        assert!(pm.id.0.contains("simulated") && pm.display.contains("Simulated"));
        let ch = g.charge(&charge(1000, "k1")).await.unwrap();
        assert!(ch.id.0.contains("simulated"));
        let a = g
            .create_connected_account("o@x.test", &key("a1"))
            .await
            .unwrap();
        assert!(a.0.contains("simulated"));
        assert!(g.account_ready(&a).await.unwrap().ready());
        assert_eq!(g.calls().len(), 6);
    }

    #[tokio::test]
    async fn same_key_same_request_is_one_charge_and_other_request_conflicts() {
        let g = SimulatedGateway::new();
        let a = g.charge(&charge(1000, "k")).await.unwrap();
        let b = g.charge(&charge(1000, "k")).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(
            g.charge(&charge(2000, "k")).await.unwrap_err(),
            GatewayError::IdempotencyConflict
        );
        assert!(matches!(
            g.charge(&charge(0, "z")).await.unwrap_err(),
            GatewayError::InvalidRequest { .. }
        ));
    }
}
