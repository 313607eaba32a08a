//! Stripe's request encoding: `application/x-www-form-urlencoded` with brackets for nesting
//! (`capabilities[transfers][requested]=true`) and indexes for lists
//! (`payment_method_types[0]=card`), as Stripe's own libraries write it.

use std::fmt::Write as _;

/// A parameter value: text, a nested map (kept in the order given), or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Map(Vec<(String, Param)>),
    List(Vec<Param>),
}

impl From<&str> for Param {
    fn from(s: &str) -> Self {
        Param::Text(s.to_string())
    }
}

impl From<String> for Param {
    fn from(s: String) -> Self {
        Param::Text(s)
    }
}

impl From<i64> for Param {
    fn from(n: i64) -> Self {
        Param::Text(n.to_string())
    }
}

impl From<bool> for Param {
    fn from(b: bool) -> Self {
        Param::Text(if b { "true" } else { "false" }.to_string())
    }
}

/// A request's top-level parameters, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(Vec<(String, Param)>);

impl Form {
    pub fn new() -> Form {
        Form::default()
    }

    /// Adds a parameter (builder style).
    pub fn with(mut self, name: &str, value: impl Into<Param>) -> Form {
        self.0.push((name.to_string(), value.into()));
        self
    }

    /// The `name=value&…` pairs, each name in bracket form, before percent-encoding.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in &self.0 {
            flatten(name.clone(), value, &mut out);
        }
        out
    }

    /// The encoded body (or query string).
    pub fn encode(&self) -> String {
        let mut s = String::new();
        for (i, (k, v)) in self.pairs().iter().enumerate() {
            if i > 0 {
                s.push('&');
            }
            percent_encode(k, &mut s);
            s.push('=');
            percent_encode(v, &mut s);
        }
        s
    }
}

fn flatten(prefix: String, value: &Param, out: &mut Vec<(String, String)>) {
    match value {
        Param::Text(t) => out.push((prefix, t.clone())),
        Param::Map(entries) => {
            for (k, v) in entries {
                flatten(format!("{prefix}[{k}]"), v, out);
            }
        }
        Param::List(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(format!("{prefix}[{i}]"), v, out);
            }
        }
    }
}

/// `application/x-www-form-urlencoded` byte encoding: unreserved characters as they are, space
/// as `+`, everything else (brackets included) as `%XX` of its UTF-8 bytes.
fn percent_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_params_are_name_value_pairs() {
        let f = Form::new()
            .with("name", "Kroger #512")
            .with("amount", 1250i64);
        assert_eq!(f.encode(), "name=Kroger+%23512&amount=1250");
    }

    #[test]
    fn nested_maps_use_brackets() {
        let f = Form::new().with(
            "capabilities",
            Param::Map(vec![(
                "transfers".into(),
                Param::Map(vec![("requested".into(), true.into())]),
            )]),
        );
        assert_eq!(
            f.pairs(),
            vec![(
                "capabilities[transfers][requested]".to_string(),
                "true".to_string()
            )]
        );
        assert_eq!(
            f.encode(),
            "capabilities%5Btransfers%5D%5Brequested%5D=true"
        );
    }

    #[test]
    fn lists_are_indexed_in_order() {
        let f = Form::new().with(
            "payment_method_types",
            Param::List(vec!["card".into(), "us_bank_account".into()]),
        );
        assert_eq!(
            f.pairs(),
            vec![
                ("payment_method_types[0]".to_string(), "card".to_string()),
                (
                    "payment_method_types[1]".to_string(),
                    "us_bank_account".to_string()
                ),
            ]
        );
    }

    #[test]
    fn reserved_and_non_ascii_characters_are_percent_encoded() {
        let f = Form::new()
            .with(
                "success_url",
                "https://x.test/ok?session={CHECKOUT_SESSION_ID}&a=b",
            )
            .with("description", "Café 100% off/duty");
        assert_eq!(
            f.encode(),
            "success_url=https%3A%2F%2Fx.test%2Fok%3Fsession%3D%7BCHECKOUT_SESSION_ID%7D%26a%3Db\
             &description=Caf%C3%A9+100%25+off%2Fduty"
        );
    }

    #[test]
    fn lists_of_maps_nest_both_ways() {
        let f = Form::new().with(
            "items",
            Param::List(vec![Param::Map(vec![("price".into(), "p_1".into())])]),
        );
        assert_eq!(
            f.pairs(),
            vec![("items[0][price]".to_string(), "p_1".to_string())]
        );
    }

    #[test]
    fn empty_form_encodes_to_nothing() {
        assert_eq!(Form::new().encode(), "");
    }
}
