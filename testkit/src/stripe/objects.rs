//! The fake Stripe's objects and operations: customers, Checkout sessions in setup mode with
//! their SetupIntents, payment methods, PaymentIntents (confirmed off session), Connect Express
//! accounts, account links and transfers. Every object starts from the document's example
//! (`fixtures3.json`), gets a fresh id and the request's values; the rules Stripe applies beyond
//! the schema (a customer must exist, a payment method must belong to the customer, a
//! destination needs the transfers capability, a card can decline) are here.

use serde_json::{Value, json};

use super::Fake;
use super::contract::Node;

/// A Stripe error answer: the status and the `error` object.
#[derive(Debug, Clone)]
pub struct StripeError {
    pub status: u16,
    pub body: Value,
}

impl StripeError {
    pub fn new(status: u16, type_: &str, param: Option<&str>, message: &str) -> StripeError {
        let mut e = json!({"type": type_, "message": message});
        if let Some(p) = param {
            e["param"] = json!(p);
        }
        StripeError {
            status,
            body: json!({ "error": e }),
        }
    }

    pub fn invalid(param: Option<&str>, message: &str) -> StripeError {
        StripeError::new(400, "invalid_request_error", param, message)
    }

    /// 404 `resource_missing`, as Stripe answers an unknown id.
    pub fn missing(param: &str, kind: &str, id: &str) -> StripeError {
        let mut e = StripeError::new(
            404,
            "invalid_request_error",
            Some(param),
            &format!("No such {kind}: '{id}'"),
        );
        e.body["error"]["code"] = json!("resource_missing");
        e
    }

    /// What the fake does not implement, said plainly (never a silent success).
    pub fn not_implemented(param: &str, what: &str) -> StripeError {
        StripeError::invalid(
            Some(param),
            &format!("The fake Stripe implements only {what} (testkit/src/stripe)"),
        )
    }
}

pub fn new_id(prefix: &str) -> String {
    use rand::Rng;
    let tail: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}_{tail}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A payment method the hosted page or a test token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMethod {
    /// Visa ending 4242, succeeds.
    Visa,
    /// Visa ending 9995, declines with `insufficient_funds`.
    VisaDeclined,
    /// US bank account ending 6789, charges go to `processing`.
    Bank,
}

impl TestMethod {
    pub fn kind(self) -> &'static str {
        match self {
            TestMethod::Visa | TestMethod::VisaDeclined => "card",
            TestMethod::Bank => "us_bank_account",
        }
    }
}

impl Fake {
    /// A payment method object from the document's example.
    pub fn new_payment_method(
        &mut self,
        method: TestMethod,
        customer: Option<&str>,
        id: Option<&str>,
    ) -> String {
        let mut pm = self.contract.fixture("payment_method");
        let id = id.map(str::to_string).unwrap_or_else(|| new_id("pm"));
        pm["id"] = json!(id);
        pm["created"] = json!(now());
        pm["customer"] = json!(customer);
        pm["metadata"] = json!({});
        pm["type"] = json!(method.kind());
        match method {
            TestMethod::Visa | TestMethod::VisaDeclined => {
                let last4 = if method == TestMethod::Visa {
                    "4242"
                } else {
                    "9995"
                };
                pm["card"]["last4"] = json!(last4);
                pm["card"]["brand"] = json!("visa");
                pm["card"]["fingerprint"] = json!(format!("fp{last4}"));
            }
            TestMethod::Bank => {
                if let Some(o) = pm.as_object_mut() {
                    o.remove("card");
                }
                pm["us_bank_account"] = json!({
                    "account_holder_type": "individual",
                    "account_type": "checking",
                    "bank_name": "STRIPE TEST BANK",
                    "financial_connections_account": null,
                    "fingerprint": "fpbank6789",
                    "last4": "6789",
                    "networks": {"preferred": "ach", "supported": ["ach"]},
                    "routing_number": "110000000",
                    "status_details": null
                });
            }
        }
        if method == TestMethod::VisaDeclined {
            self.declining.insert(id.clone());
        }
        self.payment_methods.insert(id.clone(), pm);
        id
    }

    pub fn execute(
        &mut self,
        op: &str,
        path_params: &[(String, String)],
        p: &Node,
    ) -> Result<Value, StripeError> {
        let path_param = |name: &str| {
            path_params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match op {
            "PostCustomers" => Ok(self.create_customer(p)),
            "PostCheckoutSessions" => self.create_session(p),
            "GetCheckoutSessionsSession" => self.retrieve_session(&path_param("session"), p),
            "PostPaymentIntents" => self.create_payment_intent(p),
            "PostAccounts" => self.create_account(p),
            "GetAccountsAccount" => self
                .accounts
                .get(&path_param("account"))
                .cloned()
                .ok_or_else(|| StripeError::missing("account", "account", &path_param("account"))),
            "PostAccountLinks" => self.create_account_link(p),
            "PostTransfers" => self.create_transfer(p),
            other => Err(StripeError::invalid(
                None,
                &format!("The fake Stripe has no {other}"),
            )),
        }
    }

    fn create_customer(&mut self, p: &Node) -> Value {
        let mut c = self.contract.fixture("customer");
        let id = new_id("cus");
        c["id"] = json!(id);
        c["created"] = json!(now());
        c["name"] = json!(p.text("name"));
        c["email"] = json!(p.text("email"));
        c["description"] = json!(p.text("description"));
        c["metadata"] = p.string_map("metadata");
        self.customers.insert(id, c.clone());
        c
    }

    fn create_session(&mut self, p: &Node) -> Result<Value, StripeError> {
        if p.text("mode") != Some("setup") {
            return Err(StripeError::not_implemented("mode", "mode=setup"));
        }
        let customer = p.text("customer");
        if let Some(c) = customer
            && !self.customers.contains_key(c)
        {
            return Err(StripeError::missing("customer", "customer", c));
        }
        let mut types = p.texts("payment_method_types");
        if types.is_empty() {
            types = vec!["card".into()];
        }
        if let Some(t) = types
            .iter()
            .find(|t| *t != "card" && *t != "us_bank_account")
        {
            return Err(StripeError::not_implemented(
                "payment_method_types",
                &format!("card and us_bank_account, not {t}"),
            ));
        }
        if types.iter().any(|t| t == "us_bank_account") && p.text("currency") != Some("usd") {
            return Err(StripeError::invalid(
                Some("currency"),
                "us_bank_account requires currency=usd in setup mode",
            ));
        }
        let si_id = new_id("seti");
        let mut si = self.contract.fixture("setup_intent");
        si["id"] = json!(si_id);
        si["client_secret"] = json!(format!("{si_id}_secret_{}", new_id("x")));
        si["created"] = json!(now());
        si["customer"] = json!(customer);
        si["payment_method_types"] = json!(types);
        si["status"] = json!("requires_payment_method");
        si["usage"] = json!("off_session");
        self.setup_intents.insert(si_id.clone(), si);

        let id = new_id("cs_test");
        let mut s = self.contract.fixture("checkout.session");
        s["id"] = json!(id);
        s["created"] = json!(now());
        s["expires_at"] = json!(now() + 24 * 3600);
        s["mode"] = json!("setup");
        s["customer"] = json!(customer);
        s["customer_details"] = Value::Null;
        s["currency"] = json!(p.text("currency"));
        s["payment_intent"] = Value::Null;
        s["payment_method_types"] = json!(types);
        s["payment_status"] = json!("no_payment_required");
        s["setup_intent"] = json!(si_id);
        s["status"] = json!("open");
        s["success_url"] = json!(p.text("success_url"));
        s["cancel_url"] = json!(p.text("cancel_url"));
        s["metadata"] = p.string_map("metadata");
        s["url"] = json!(format!("{}/c/pay/{id}", self.base_url));
        self.sessions.insert(id, s.clone());
        Ok(s)
    }

    fn retrieve_session(&mut self, id: &str, p: &Node) -> Result<Value, StripeError> {
        let mut s = self
            .sessions
            .get(id)
            .cloned()
            .ok_or_else(|| StripeError::missing("session", "checkout.session", id))?;
        for path in p.texts("expand") {
            let mut parts = path.split('.');
            let first = parts.next().unwrap_or("");
            let second = parts.next();
            if parts.next().is_some()
                || !self
                    .contract
                    .expandable("checkout.session")
                    .contains(&first)
            {
                return Err(StripeError::invalid(
                    Some("expand"),
                    &format!("This property cannot be expanded ({path})."),
                ));
            }
            match (first, second) {
                ("setup_intent", None) => {}
                ("setup_intent", Some("payment_method")) => {}
                (_, Some(x)) if first == "setup_intent" => {
                    return Err(StripeError::invalid(
                        Some("expand"),
                        &format!("This property cannot be expanded ({x})."),
                    ));
                }
                _ => {
                    return Err(StripeError::not_implemented(
                        "expand",
                        "expand=setup_intent[.payment_method]",
                    ));
                }
            }
            if let Some(si_id) = s["setup_intent"].as_str().map(str::to_string) {
                s["setup_intent"] = self
                    .setup_intents
                    .get(&si_id)
                    .cloned()
                    .unwrap_or(Value::Null);
            }
            if second == Some("payment_method")
                && let Some(pm) = s["setup_intent"]["payment_method"]
                    .as_str()
                    .map(str::to_string)
            {
                s["setup_intent"]["payment_method"] = self
                    .payment_methods
                    .get(&pm)
                    .cloned()
                    .unwrap_or(Value::Null);
            }
        }
        Ok(s)
    }

    /// The hosted page's submit: saves `method` on the session's SetupIntent.
    pub fn complete_session(&mut self, id: &str, method: TestMethod) -> Result<String, String> {
        let s = self.sessions.get(id).cloned().ok_or("no such session")?;
        if s["status"] != "open" {
            return Err("this session is no longer open".into());
        }
        let offered: Vec<&str> = s["payment_method_types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !offered.contains(&method.kind()) {
            return Err(format!("{} was not offered", method.kind()));
        }
        let customer = s["customer"].as_str().map(str::to_string);
        let pm = self.new_payment_method(method, customer.as_deref(), None);
        let si_id = s["setup_intent"].as_str().unwrap_or("").to_string();
        if let Some(si) = self.setup_intents.get_mut(&si_id) {
            si["payment_method"] = json!(pm);
            si["status"] = json!("succeeded");
        }
        let success = s["success_url"]
            .as_str()
            .unwrap_or("")
            .replace("{CHECKOUT_SESSION_ID}", id);
        let completed = self.sessions.get_mut(id).map(|s| {
            s["status"] = json!("complete");
            s.clone()
        });
        if let Some(obj) = completed {
            self.emit("checkout.session.completed", obj);
        }
        Ok(success)
    }

    fn create_payment_intent(&mut self, p: &Node) -> Result<Value, StripeError> {
        let amount: i64 = p.text("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        if amount < 50 {
            let mut e = StripeError::invalid(Some("amount"), "Amount must be at least $0.50 usd");
            e.body["error"]["code"] = json!("amount_too_small");
            return Err(e);
        }
        if p.text("currency") != Some("usd") {
            return Err(StripeError::not_implemented("currency", "currency=usd"));
        }
        let customer = p.text("customer").map(str::to_string);
        if let Some(c) = &customer
            && !self.customers.contains_key(c)
        {
            return Err(StripeError::missing("customer", "customer", c));
        }
        let confirm = p.text("confirm") == Some("true");
        if p.get("off_session").is_some() && !confirm {
            return Err(StripeError::invalid(
                Some("off_session"),
                "You can only pass off_session when confirm=true.",
            ));
        }
        let mut types = p.texts("payment_method_types");
        if types.is_empty() {
            types = vec!["card".into()];
        }
        let pm_id = p.text("payment_method").map(str::to_string);
        let pm = match &pm_id {
            Some(id) => Some(
                self.payment_methods
                    .get(id)
                    .cloned()
                    .ok_or_else(|| StripeError::missing("payment_method", "PaymentMethod", id))?,
            ),
            None => None,
        };
        if let Some(pm) = &pm {
            let owner = pm["customer"].as_str();
            if owner.is_some() && owner != customer.as_deref() {
                return Err(StripeError::invalid(
                    Some("payment_method"),
                    "The provided PaymentMethod belongs to a different Customer.",
                ));
            }
            let kind = pm["type"].as_str().unwrap_or("");
            if !types.iter().any(|t| t == kind) {
                return Err(StripeError::invalid(
                    Some("payment_method"),
                    &format!(
                        "The PaymentMethod provided ({kind}) is not allowed for this PaymentIntent."
                    ),
                ));
            }
        }
        if confirm && pm.is_none() {
            return Err(StripeError::invalid(
                Some("payment_method"),
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
            ));
        }
        let id = new_id("pi");
        let mut pi = self.contract.fixture("payment_intent");
        pi["id"] = json!(id);
        pi["client_secret"] = json!(format!("{id}_secret_{}", new_id("x")));
        pi["created"] = json!(now());
        pi["canceled_at"] = Value::Null;
        pi["amount"] = json!(amount);
        pi["currency"] = json!("usd");
        pi["customer"] = json!(customer);
        pi["description"] = json!(p.text("description"));
        pi["metadata"] = p.string_map("metadata");
        pi["payment_method"] = json!(pm_id);
        pi["payment_method_types"] = json!(types);
        pi["status"] = json!(if pm.is_some() {
            "requires_confirmation"
        } else {
            "requires_payment_method"
        });
        if confirm {
            let pm_id = pm_id.clone().unwrap_or_default();
            let charge = new_id("ch");
            pi["latest_charge"] = json!(charge);
            if self.declining.contains(&pm_id) {
                let mut err = json!({
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds.",
                    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                    "charge": charge,
                    "payment_method": pm,
                });
                pi["status"] = json!("requires_payment_method");
                pi["last_payment_error"] = err.clone();
                err["payment_intent"] = pi.clone();
                self.payment_intents.insert(id, pi.clone());
                self.emit("payment_intent.payment_failed", pi);
                return Err(StripeError {
                    status: 402,
                    body: json!({ "error": err }),
                });
            }
            if pm.as_ref().and_then(|x| x["type"].as_str()) == Some("us_bank_account") {
                pi["status"] = json!("processing");
                pi["processing"] = Value::Null;
            } else {
                pi["status"] = json!("succeeded");
                pi["amount_received"] = json!(amount);
            }
        }
        self.payment_intents.insert(id, pi.clone());
        let event = format!(
            "payment_intent.{}",
            pi["status"].as_str().unwrap_or("created")
        );
        self.emit(&event, pi.clone());
        Ok(pi)
    }

    fn create_account(&mut self, p: &Node) -> Result<Value, StripeError> {
        if p.text("type") != Some("express") {
            return Err(StripeError::not_implemented("type", "type=express"));
        }
        let id = new_id("acct");
        let mut a = self.contract.fixture("account");
        a["id"] = json!(id);
        a["created"] = json!(now());
        a["type"] = json!("express");
        a["email"] = json!(p.text("email"));
        a["metadata"] = p.string_map("metadata");
        a["charges_enabled"] = json!(false);
        a["payouts_enabled"] = json!(false);
        a["details_submitted"] = json!(false);
        a["external_accounts"]["url"] = json!(format!("/v1/accounts/{id}/external_accounts"));
        let mut caps = serde_json::Map::new();
        if let Some(Node::Map(requested)) = p.get("capabilities") {
            for (name, v) in requested {
                if v.text("requested") == Some("true") {
                    caps.insert(name.clone(), json!("inactive"));
                }
            }
        }
        a["capabilities"] = Value::Object(caps);
        self.accounts.insert(id, a.clone());
        Ok(a)
    }

    /// The onboarding page's submit: the account can now receive transfers and payouts.
    pub fn complete_onboarding(&mut self, account: &str) -> Result<(), String> {
        let a = self.accounts.get_mut(account).ok_or("no such account")?;
        a["details_submitted"] = json!(true);
        a["charges_enabled"] = json!(true);
        a["payouts_enabled"] = json!(true);
        if let Some(caps) = a["capabilities"].as_object_mut() {
            for v in caps.values_mut() {
                *v = json!("active");
            }
        }
        if let Some(r) = a.get_mut("requirements") {
            r["currently_due"] = json!([]);
            r["eventually_due"] = json!([]);
            r["disabled_reason"] = Value::Null;
        }
        let obj = a.clone();
        self.emit("account.updated", obj);
        Ok(())
    }

    fn create_account_link(&mut self, p: &Node) -> Result<Value, StripeError> {
        let account = p.text("account").unwrap_or("");
        if !self.accounts.contains_key(account) {
            return Err(StripeError::missing("account", "account", account));
        }
        if p.text("type") != Some("account_onboarding") {
            return Err(StripeError::not_implemented(
                "type",
                "type=account_onboarding",
            ));
        }
        for required in ["refresh_url", "return_url"] {
            if p.text(required).is_none() {
                return Err(StripeError::invalid(
                    Some(required),
                    &format!("Missing required param: {required}."),
                ));
            }
        }
        let link = new_id("link");
        self.account_links.insert(
            link.clone(),
            (
                account.to_string(),
                p.text("refresh_url").unwrap_or("").to_string(),
                p.text("return_url").unwrap_or("").to_string(),
            ),
        );
        let mut l = self.contract.fixture("account_link");
        l["created"] = json!(now());
        l["expires_at"] = json!(now() + 300);
        l["url"] = json!(format!("{}/connect/onboarding/{link}", self.base_url));
        Ok(l)
    }

    fn create_transfer(&mut self, p: &Node) -> Result<Value, StripeError> {
        let Some(amount) = p.text("amount").and_then(|a| a.parse::<i64>().ok()) else {
            return Err(StripeError::invalid(
                Some("amount"),
                "Missing required param: amount.",
            ));
        };
        if amount <= 0 {
            return Err(StripeError::invalid(
                Some("amount"),
                "Invalid positive integer",
            ));
        }
        if p.text("currency") != Some("usd") {
            return Err(StripeError::not_implemented("currency", "currency=usd"));
        }
        let dest = p.text("destination").unwrap_or("");
        let Some(acct) = self.accounts.get(dest) else {
            return Err(StripeError::missing("destination", "account", dest));
        };
        if acct["capabilities"]["transfers"] != "active" {
            return Err(StripeError::invalid(
                Some("destination"),
                "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
            ));
        }
        let id = new_id("tr");
        let mut t = self.contract.fixture("transfer");
        t["id"] = json!(id);
        t["created"] = json!(now());
        t["amount"] = json!(amount);
        t["currency"] = json!("usd");
        t["destination"] = json!(dest);
        t["destination_payment"] = json!(new_id("py"));
        t["balance_transaction"] = json!(new_id("txn"));
        t["description"] = json!(p.text("description"));
        t["metadata"] = p.string_map("metadata");
        t["reversals"]["url"] = json!(format!("/v1/transfers/{id}/reversals"));
        self.transfers.insert(id, t.clone());
        self.emit("transfer.created", t.clone());
        Ok(t)
    }

    /// Records an event (and queues it for the webhook endpoint when one is set).
    pub fn emit(&mut self, type_: &str, object: Value) {
        let mut e = self.contract.fixture("event");
        e["id"] = json!(new_id("evt"));
        e["type"] = json!(type_);
        e["created"] = json!(now());
        e["api_version"] = json!(self.contract.api_version());
        e["data"] = json!({ "object": object });
        e["pending_webhooks"] = json!(if self.webhook.is_some() { 1 } else { 0 });
        self.events.push(e.clone());
        if self.webhook.is_some() {
            self.outbox.push(e);
        }
    }
}
