//! The contract the fake Stripe holds requests and answers to: `testkit/stripe/contract.json`,
//! extracted by `scripts/stripe-contract.py` from Stripe's published OpenAPI document. This file
//! decodes Stripe's bracket form encoding into a tree, checks the tree against an operation's
//! schema (unknown parameter, wrong type, enum, required, length) the way Stripe words its
//! refusals, and checks the fake's own answers against the resources' field lists.

use std::collections::BTreeMap;

use serde_json::Value;

/// The checked-in contract.
pub const CONTRACT_JSON: &str = include_str!("../../stripe/contract.json");

/// A refused request: Stripe's `param` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub param: Option<String>,
    pub message: String,
}

fn refuse(param: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        param: (!param.is_empty()).then(|| param.to_string()),
        message: message.into(),
    }
}

/// Decoded parameters: text, or a map (lists are maps keyed by index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.get(key),
            Node::Leaf(_) => None,
        }
    }

    /// The text at `key`, if it is text.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Node::Leaf(s)) => Some(s),
            _ => None,
        }
    }

    /// The texts of a list at `key` in index order (an empty list when absent).
    pub fn texts(&self, key: &str) -> Vec<String> {
        let Some(Node::Map(m)) = self.get(key) else {
            return Vec::new();
        };
        let mut items: Vec<(u64, &Node)> = m
            .iter()
            .filter_map(|(k, v)| k.parse().ok().map(|i| (i, v)))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items
            .into_iter()
            .filter_map(|(_, v)| match v {
                Node::Leaf(s) => Some(s.clone()),
                Node::Map(_) => None,
            })
            .collect()
    }

    /// A map of text values at `key` (metadata) as JSON.
    pub fn string_map(&self, key: &str) -> Value {
        let mut out = serde_json::Map::new();
        if let Some(Node::Map(m)) = self.get(key) {
            for (k, v) in m {
                if let Node::Leaf(s) = v {
                    out.insert(k.clone(), Value::String(s.clone()));
                }
            }
        }
        Value::Object(out)
    }
}

/// `a[b][0]=x` pairs to a tree; `a[]` appends. Refuses a name given twice or used both as text
/// and as a map.
pub fn decode(pairs: &[(String, String)]) -> Result<Node, Refusal> {
    let mut root = BTreeMap::new();
    for (name, value) in pairs {
        let segments = split_name(name)
            .ok_or_else(|| refuse(name, format!("Invalid parameter name: {name}")))?;
        insert(&mut root, &segments, value, name)?;
    }
    Ok(Node::Map(root))
}

fn split_name(name: &str) -> Option<Vec<String>> {
    let (head, mut rest) = match name.find('[') {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut out = vec![head.to_string()];
    while !rest.is_empty() {
        let close = rest.find(']')?;
        if !rest.starts_with('[') {
            return None;
        }
        out.push(rest[1..close].to_string());
        rest = &rest[close + 1..];
    }
    Some(out)
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    segments: &[String],
    value: &str,
    name: &str,
) -> Result<(), Refusal> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    let key = if first.is_empty() {
        map.len().to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        if map.contains_key(&key) {
            return Err(refuse(
                name,
                format!("Invalid {name}: given more than once"),
            ));
        }
        map.insert(key, Node::Leaf(value.to_string()));
        return Ok(());
    }
    let child = map.entry(key).or_insert_with(|| Node::Map(BTreeMap::new()));
    match child {
        Node::Map(m) => insert(m, rest, value, name),
        Node::Leaf(_) => Err(refuse(
            name,
            format!("Invalid {name}: both a value and a hash"),
        )),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}[{key}]")
    }
}

/// Checks `node` against a schema of the contract (the shape `simplify` writes in the script).
pub fn check(node: &Node, schema: &Value, name: &str) -> Result<(), Refusal> {
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let mut first_err = None;
        for b in branches {
            match check(node, b, name) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    // Report the branch of the same shape (a hash for a hash, text for text).
                    let same_shape = matches!(
                        (node, b.get("type").and_then(Value::as_str)),
                        (Node::Map(_), Some("object" | "array"))
                            | (
                                Node::Leaf(_),
                                Some("string" | "integer" | "number" | "boolean")
                            )
                    );
                    if same_shape || first_err.is_none() {
                        first_err = Some(e);
                    }
                }
            }
        }
        return Err(first_err.unwrap_or_else(|| refuse(name, format!("Invalid {name}"))));
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match (ty, node) {
        ("object", Node::Map(m)) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additional");
            for (k, v) in m {
                let child = join(name, k);
                match props.and_then(|p| p.get(k)).or(additional) {
                    Some(s) => check(v, s, &child)?,
                    None => {
                        return Err(refuse(
                            &child,
                            format!("Received unknown parameter: {child}"),
                        ));
                    }
                }
            }
            for r in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !m.contains_key(r) {
                    let child = join(name, r);
                    return Err(refuse(&child, format!("Missing required param: {child}.")));
                }
            }
            Ok(())
        }
        ("array", Node::Map(m)) => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            for (k, v) in m {
                if k.parse::<u64>().is_err() {
                    return Err(refuse(name, format!("Invalid array: {name}")));
                }
                check(v, items, &join(name, k))?;
            }
            Ok(())
        }
        ("object", Node::Leaf(_)) => Err(refuse(name, "Invalid object")),
        ("array", Node::Leaf(_)) => Err(refuse(name, "Invalid array")),
        (_, Node::Map(_)) if !ty.is_empty() => {
            Err(refuse(name, format!("Invalid {ty}: {name} is a hash")))
        }
        ("string", Node::Leaf(s)) => {
            if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
                && !allowed.iter().any(|a| a.as_str() == Some(s))
            {
                let list: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                return Err(refuse(
                    name,
                    format!("Invalid {name}: must be one of {}", list.join(", ")),
                ));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && s.chars().count() as u64 > max
            {
                return Err(refuse(
                    name,
                    format!("Invalid {name}: must be at most {max} characters"),
                ));
            }
            Ok(())
        }
        ("integer", Node::Leaf(s)) => s
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| refuse(name, format!("Invalid integer: {s}"))),
        ("number", Node::Leaf(s)) => s
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| refuse(name, format!("Invalid decimal: {s}"))),
        ("boolean", Node::Leaf(s)) => match s.as_str() {
            "true" | "false" => Ok(()),
            _ => Err(refuse(name, format!("Invalid boolean: {s}"))),
        },
        // A schema without a type accepts anything (the document says nothing more).
        _ => Ok(()),
    }
}

/// The parsed contract.
pub struct Contract {
    pub doc: Value,
}

/// One operation of the contract.
pub struct Operation<'a> {
    pub op: &'a Value,
    /// The path's `{name}` parameters, filled from the request path.
    pub path_params: Vec<(String, String)>,
}

impl<'a> Operation<'a> {
    pub fn id(&self) -> &str {
        self.op
            .get("operation_id")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Checks the request's parameters (body for POST, query for GET) against the operation.
    pub fn check(&self, params: &Node) -> Result<(), Refusal> {
        for (name, value) in &self.path_params {
            if let Some(p) = self.param("path", name) {
                check(&Node::Leaf(value.clone()), &p["schema"], name)?;
            }
        }
        // Stripe's document gives GET operations an empty form body too: GET takes the query.
        if self.op.get("method").and_then(Value::as_str) != Some("GET")
            && let Some(body) = self.op.get("body")
        {
            return check(params, body, "");
        }
        // GET: the query parameters form an object schema.
        let mut props = serde_json::Map::new();
        let mut required = Vec::new();
        for p in self.params_in("query") {
            let name = p["name"].as_str().unwrap_or("").to_string();
            if p["required"].as_bool() == Some(true) {
                required.push(Value::String(name.clone()));
            }
            props.insert(name, p["schema"].clone());
        }
        let schema =
            serde_json::json!({"type": "object", "properties": props, "required": required});
        check(params, &schema, "")
    }

    fn params_in(&self, place: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(move |p| p.get("in").and_then(Value::as_str) == Some(place))
    }

    fn param(&self, place: &'a str, name: &str) -> Option<&'a Value> {
        self.params_in(place)
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }
}

impl Contract {
    pub fn load() -> Result<Contract, String> {
        let doc: Value = serde_json::from_str(CONTRACT_JSON).map_err(|e| e.to_string())?;
        Ok(Contract { doc })
    }

    /// The API version of the document (what `Stripe-Version` must say).
    pub fn api_version(&self) -> &str {
        self.doc["source"]["api_version"].as_str().unwrap_or("")
    }

    /// The operation for `method path`, with the path's parameters.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let ops = self.doc.get("operations")?.as_array()?;
        let segs: Vec<&str> = path.split('/').collect();
        for op in ops {
            if op["method"].as_str() != Some(method) {
                continue;
            }
            let tpl: Vec<&str> = op["path"].as_str().unwrap_or("").split('/').collect();
            if tpl.len() != segs.len() {
                continue;
            }
            let mut params = Vec::new();
            let matched = tpl.iter().zip(&segs).all(|(t, s)| {
                if t.starts_with('{') && t.ends_with('}') {
                    params.push((t[1..t.len() - 1].to_string(), s.to_string()));
                    !s.is_empty()
                } else {
                    t == s
                }
            });
            if matched {
                return Some(Operation {
                    op,
                    path_params: params,
                });
            }
        }
        None
    }

    /// The example object of a resource, from `fixtures3.json`.
    pub fn fixture(&self, resource: &str) -> Value {
        self.doc["fixtures"][resource].clone()
    }

    /// The fields `resource` can expand.
    pub fn expandable(&self, resource: &str) -> Vec<&str> {
        self.doc["resources"][resource]["expandable"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }

    /// Checks an object the fake is about to answer against the resource's field list:
    /// no field the document lacks, every required field present; nested objects of
    /// resources the contract holds are checked too.
    pub fn conforms(&self, resource: &str, obj: &Value) -> Result<(), String> {
        let Some(res) = self.doc["resources"].get(resource) else {
            return Ok(());
        };
        let Some(o) = obj.as_object() else {
            return Err(format!("{resource} is not an object"));
        };
        let fields = res["fields"].as_object().cloned().unwrap_or_default();
        for (k, v) in o {
            let Some(f) = fields.get(k) else {
                return Err(format!("{resource}.{k} is not in the document"));
            };
            if v.is_object() {
                let refs = std::iter::once(f)
                    .chain(f["any_of"].as_array().into_iter().flatten())
                    .filter_map(|x| x["ref"].as_str());
                for r in refs {
                    if self.doc["resources"].get(r).is_some() {
                        self.conforms(r, v)
                            .map_err(|e| format!("{resource}.{k}: {e}"))?;
                    }
                }
            } else if v.is_null() && f["nullable"].as_bool() != Some(true) {
                return Err(format!(
                    "{resource}.{k} is null, which the document does not allow"
                ));
            }
        }
        for r in res["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !o.contains_key(r) {
                return Err(format!("{resource}.{r} is required by the document"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn brackets_decode_to_a_tree_and_empty_brackets_append() {
        let n = decode(&pairs(&[
            ("capabilities[transfers][requested]", "true"),
            ("expand[]", "a"),
            ("expand[]", "b"),
        ]))
        .unwrap();
        assert_eq!(
            n.get("capabilities")
                .and_then(|c| c.get("transfers"))
                .and_then(|t| t.text("requested")),
            Some("true")
        );
        assert_eq!(n.texts("expand"), vec!["a", "b"]);
        assert!(decode(&pairs(&[("a", "1"), ("a", "2")])).is_err());
        assert!(decode(&pairs(&[("a", "1"), ("a[b]", "2")])).is_err());
        assert!(decode(&pairs(&[("[x]", "1")])).is_err());
    }

    #[test]
    fn every_fixture_conforms_to_its_resource() {
        let c = Contract::load().unwrap();
        for (name, fx) in c.doc["fixtures"].as_object().unwrap() {
            c.conforms(name, fx)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn the_document_refuses_what_it_does_not_define() {
        let c = Contract::load().unwrap();
        let op = c.operation("POST", "/v1/payment_intents").unwrap();
        let ok = decode(&pairs(&[
            ("amount", "100"),
            ("currency", "usd"),
            ("off_session", "true"),
        ]))
        .unwrap();
        assert_eq!(op.check(&ok), Ok(()));
        let unknown = decode(&pairs(&[
            ("amount", "100"),
            ("currency", "usd"),
            ("colour", "red"),
        ]))
        .unwrap();
        assert_eq!(
            op.check(&unknown).unwrap_err().param.as_deref(),
            Some("colour")
        );
        let missing = decode(&pairs(&[("amount", "100")])).unwrap();
        assert_eq!(
            op.check(&missing).unwrap_err().param.as_deref(),
            Some("currency")
        );
        let bad_int = decode(&pairs(&[("amount", "1.5"), ("currency", "usd")])).unwrap();
        assert_eq!(
            op.check(&bad_int).unwrap_err().message,
            "Invalid integer: 1.5"
        );
        let bad_enum = decode(&pairs(&[
            ("amount", "1"),
            ("currency", "usd"),
            ("off_session", "sometimes"),
        ]))
        .unwrap();
        assert_eq!(
            op.check(&bad_enum).unwrap_err().param.as_deref(),
            Some("off_session")
        );
        let meta = decode(&pairs(&[
            ("amount", "1"),
            ("currency", "usd"),
            ("metadata[invoice_id]", "i"),
        ]))
        .unwrap();
        assert_eq!(op.check(&meta), Ok(()));
        let acct = c.operation("POST", "/v1/accounts").unwrap();
        let nested = decode(&pairs(&[("capabilities[transfers][wanted]", "true")])).unwrap();
        assert_eq!(
            acct.check(&nested).unwrap_err().param.as_deref(),
            Some("capabilities[transfers][wanted]")
        );
        let session = c
            .operation("GET", "/v1/checkout/sessions/cs_test_1")
            .unwrap();
        assert_eq!(
            session.path_params,
            vec![("session".to_string(), "cs_test_1".to_string())]
        );
        assert!(c.operation("POST", "/v1/charges").is_none());
    }
}
