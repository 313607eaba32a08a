#!/usr/bin/env python3
"""Extracts the part of Stripe's published OpenAPI document that offduty uses into
testkit/stripe/contract.json, the contract the fake Stripe (testkit/src/stripe.rs) holds requests
and answers to (DESIGN §3, decision 037).

The source is the public repository stripe/openapi: `openapi/spec3.json` (or the same document
as `openapi/spec3.yaml`, which needs PyYAML) and `openapi/fixtures3.json`. Give either a git
directory and a commit (the blobs are read with `git show`), or the two files:

    scripts/stripe-contract.py --git-dir /path/to/stripe-openapi.git --commit <sha>
    scripts/stripe-contract.py --spec spec3.json --fixtures fixtures3.json --source-commit <sha>

For each operation used (method + path) it keeps: the query and path parameters, the
form-encoded request body schema (properties, nested object and array properties, enums,
required, anyOf), and the response resource. For each resource it keeps the field list (name,
nullability, the referenced schema) and the fields that can be expanded, and the example
object from the fixtures. Descriptions are dropped to keep the file small.
"""

import argparse
import json
import subprocess
import sys

# What the payment gateway (server/src/payments/stripe.rs) calls. Keep in step with it.
OPERATIONS = [
    ("post", "/v1/customers"),
    ("post", "/v1/checkout/sessions"),
    ("get", "/v1/checkout/sessions/{session}"),
    ("post", "/v1/payment_intents"),
    ("post", "/v1/accounts"),
    ("get", "/v1/accounts/{account}"),
    ("post", "/v1/account_links"),
    ("post", "/v1/transfers"),
]

# Resources whose shape the fake answers with (and whose fixtures it starts from).
RESOURCES = [
    "customer",
    "checkout.session",
    "setup_intent",
    "payment_method",
    "payment_method_card",
    "payment_method_us_bank_account",
    "payment_intent",
    "account",
    "account_link",
    "transfer",
    "event",
    "error",
    "api_errors",
]


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def simplify(schema, spec, depth=0):
    """A request parameter's schema without descriptions: type, enum, properties, required,
    items, anyOf, additional (for free-form maps such as metadata)."""
    if depth > 30:
        raise SystemExit("schema too deep")
    if "$ref" in schema:
        schema = spec["components"]["schemas"][ref_name(schema["$ref"])]
    if "anyOf" in schema:
        return {"anyOf": [simplify(s, spec, depth + 1) for s in schema["anyOf"]]}
    out = {}
    t = schema.get("type")
    if t:
        out["type"] = t
    if "enum" in schema:
        out["enum"] = schema["enum"]
    if "maxLength" in schema:
        out["maxLength"] = schema["maxLength"]
    if t == "object" or "properties" in schema:
        out["type"] = "object"
        out["properties"] = {
            k: simplify(v, spec, depth + 1) for k, v in sorted(schema.get("properties", {}).items())
        }
        if schema.get("required"):
            out["required"] = sorted(schema["required"])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["additional"] = simplify(extra, spec, depth + 1)
        elif extra is True:
            out["additional"] = {}
    if t == "array":
        out["items"] = simplify(schema.get("items", {}), spec, depth + 1)
    return out


def field_summary(schema):
    """One response field: its type or the schema it refers to, and whether it can be null."""
    out = {}
    if schema.get("nullable"):
        out["nullable"] = True
    if "$ref" in schema:
        out["ref"] = ref_name(schema["$ref"])
    elif "anyOf" in schema:
        out["any_of"] = [field_summary(s) for s in schema["anyOf"]]
    else:
        out["type"] = schema.get("type", "any")
        if "enum" in schema:
            out["enum"] = schema["enum"]
    return out


def operation(spec, method, path):
    op = spec["paths"][path][method]
    out = {
        "method": method.upper(),
        "path": path,
        "operation_id": op.get("operationId"),
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": bool(p.get("required")),
                "schema": simplify(p.get("schema", {}), spec),
            }
            for p in op.get("parameters", [])
        ],
    }
    body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if body:
        out["body"] = simplify(body["schema"], spec)
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    out["response"] = ref_name(ok["$ref"])
    return out


def resource(spec, name):
    s = spec["components"]["schemas"][name]
    return {
        "fields": {k: field_summary(v) for k, v in sorted(s.get("properties", {}).items())},
        "required": sorted(s.get("required", [])),
        "expandable": s.get("x-expandableFields", []),
    }


def git_show(git_dir, commit, path):
    return subprocess.run(
        ["git", "-C", git_dir, "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout


def load_spec_from_git(git_dir, commit):
    try:
        return json.loads(git_show(git_dir, commit, "openapi/spec3.json")), "openapi/spec3.json"
    except subprocess.CalledProcessError:
        import yaml  # PyYAML; the same document in YAML

        text = git_show(git_dir, commit, "openapi/spec3.yaml")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(text, Loader=loader), "openapi/spec3.yaml"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git-dir")
    ap.add_argument("--commit")
    ap.add_argument("--spec")
    ap.add_argument("--fixtures")
    ap.add_argument("--source-commit", help="the stripe/openapi commit the files come from")
    ap.add_argument("--out", default="testkit/stripe/contract.json")
    a = ap.parse_args()
    if a.git_dir:
        commit = subprocess.run(
            ["git", "-C", a.git_dir, "rev-parse", a.commit or "HEAD"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        spec, spec_file = load_spec_from_git(a.git_dir, commit)
        fixtures = json.loads(git_show(a.git_dir, commit, "openapi/fixtures3.json"))
    elif a.spec and a.fixtures:
        commit = a.source_commit or "unknown"
        spec_file = a.spec
        with open(a.spec, "rb") as f:
            spec = json.load(f)
        with open(a.fixtures, "rb") as f:
            fixtures = json.load(f)
    else:
        ap.error("give --git-dir (and --commit) or --spec and --fixtures")

    missing = [r for r in RESOURCES if r not in spec["components"]["schemas"]]
    if missing:
        raise SystemExit(f"the document has no schema {missing}")
    contract = {
        "source": {
            "repository": "https://github.com/stripe/openapi",
            "commit": commit,
            "spec_file": spec_file,
            "fixtures_file": "openapi/fixtures3.json",
            "api_version": spec["info"]["version"],
            "generated_by": "scripts/stripe-contract.py",
        },
        "operations": [operation(spec, m, p) for m, p in OPERATIONS],
        "resources": {r: resource(spec, r) for r in RESOURCES},
        "fixtures": {
            r: fixtures["resources"][r] for r in RESOURCES if r in fixtures["resources"]
        },
    }
    with open(a.out, "w") as f:
        json.dump(contract, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{a.out}: {len(contract['operations'])} operations, api version "
          f"{contract['source']['api_version']}, stripe/openapi {commit[:12]} ({spec_file})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
