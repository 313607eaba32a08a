//! The payroll files we write are read back by a NACHA parser we did not write: achkit (PyPI,
//! pinned in `scripts/nacha-venv.sh`), run by `scripts/nacha-check.py`, which validates the
//! control totals, entry hash, check digits and blocking, and compares what it parsed with what
//! the payments asked for. The test fails, saying why, when the parser cannot be installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use offduty_server::money::nacha::{AccountType, Credit, FileOptions, Originator, write_ppd};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The venv's python with achkit, installed on first use.
fn python() -> PathBuf {
    let out = Command::new("bash")
        .arg(root().join("scripts/nacha-venv.sh"))
        .output()
        .expect("run scripts/nacha-venv.sh");
    assert!(
        out.status.success(),
        "the independent NACHA parser (achkit from PyPI) could not be installed, so the payroll \
         file cannot be checked:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Runs the checker on `text` (and `expected`); its exit status and output.
fn check(name: &str, text: &str, expected: Option<&Value>) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("offduty-nacha-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("payroll.ach");
    std::fs::write(&file, text).unwrap();
    let mut cmd = Command::new(python());
    cmd.arg(root().join("scripts/nacha-check.py")).arg(&file);
    if let Some(e) = expected {
        let path = dir.join("expected.json");
        std::fs::write(&path, serde_json::to_vec(e).unwrap()).unwrap();
        cmd.arg(path);
    }
    let out = cmd.output().expect("run scripts/nacha-check.py");
    std::fs::remove_dir_all(&dir).ok();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn originator() -> Originator {
    Originator {
        destination_routing: "091000019".into(),
        destination_name: "First Bank".into(),
        origin_id: "1311234567".into(),
        origin_name: "Columbus Division of Police".into(),
        company_name: "Columbus Police Off-Duty".into(),
        company_id: "1311234567".into(),
        odfi_routing: "044000037".into(),
    }
}

fn options() -> FileOptions {
    FileOptions {
        created_at: New_York
            .with_ymd_and_hms(2026, 12, 7, 14, 30, 0)
            .unwrap()
            .to_utc(),
        tz: New_York,
        file_id_modifier: 'A',
        effective_date: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        entry_description: "Payroll".into(),
        reference_code: "PP2612".into(),
    }
}

fn credit(routing: &str, account: &str, savings: bool, cents: i64, id: &str, name: &str) -> Credit {
    Credit {
        routing: routing.into(),
        account_number: account.into(),
        account_type: if savings {
            AccountType::Savings
        } else {
            AccountType::Checking
        },
        amount_cents: cents,
        individual_id: id.into(),
        individual_name: name.into(),
    }
}

/// What the file's header and batch must say, from `originator()` and `options()`.
fn expected(entries: Vec<Value>, total: i64) -> Value {
    json!({
        "destination_routing": "091000019",
        "origin_routing": "1311234567",
        "creation_date": "261207",
        "creation_time": "1430",
        "file_id_modifier": "A",
        "batch": {
            "service_class": 220,
            "company_name": "COLUMBUS POLICE",
            "company_id": "1311234567",
            "sec": "PPD",
            "description": "PAYROLL",
            "effective_date": "261209",
            "origin_dfi": "04400003",
            "batch_number": 1,
        },
        "entries": entries,
        "total_credit_cents": total,
    })
}

#[test]
fn a_payroll_file_passes_an_independent_parser_and_reads_back_as_asked() {
    let credits = [
        credit("011401533", "0072", false, 124_050, "B1234", "José Muñoz"),
        credit(
            "091000019",
            "123-456-789",
            true,
            98_765,
            "B2001",
            "Christopher Montgomery-Smithson",
        ),
    ];
    let f = write_ppd(&originator(), &options(), &credits).unwrap();
    // Names made ASCII and cut to 22; trace numbers are the ODFI's 8 digits and 1, 2;
    // 1,240.50 + 987.65 = 2,228.15.
    let want = expected(
        vec![
            json!({"txn_code": 22, "routing": "011401533", "account": "0072",
                   "amount_cents": 124_050, "id_number": "B1234", "name": "JOSE MUNOZ",
                   "trace_number": "044000030000001"}),
            json!({"txn_code": 32, "routing": "091000019", "account": "123-456-789",
                   "amount_cents": 98_765, "id_number": "B2001",
                   "name": "CHRISTOPHER MONTGOMERY", "trace_number": "044000030000002"}),
        ],
        222_815,
    );
    let (ok, said) = check("two", &f.text, Some(&want));
    assert!(ok, "{said}");
    assert!(said.contains("2 entries, credits 222815 cents"), "{said}");
}

#[test]
fn a_file_of_many_blocks_passes_too() {
    // Routing numbers with valid check digits (3·7·1 weights, sums 60, 80, 60, 30).
    let banks = ["011401533", "091000019", "044000037", "021000021"];
    let mut credits = Vec::new();
    let mut entries = Vec::new();
    let mut total = 0;
    for i in 0..137u32 {
        let routing = banks[i as usize % banks.len()];
        let cents = 1 + i64::from(i) * 104_729;
        let account = format!("{}", 10_000_000 + i * 7);
        let name = format!("OFFICER {i}");
        let id = format!("B{i:04}");
        credits.push(credit(routing, &account, i % 3 == 0, cents, &id, &name));
        entries.push(json!({
            "txn_code": if i % 3 == 0 { 32 } else { 22 },
            "routing": routing, "account": account, "amount_cents": cents, "id_number": id,
            "name": name, "trace_number": format!("04400003{:07}", i + 1),
        }));
        total += cents;
    }
    let f = write_ppd(&originator(), &options(), &credits).unwrap();
    // 137 entries + 4 records = 141, padded to 150: 15 blocks.
    assert_eq!(f.block_count, 15);
    let (ok, said) = check("many", &f.text, Some(&expected(entries, total)));
    assert!(ok, "{said}");
    assert!(said.contains("137 entries"), "{said}");
    assert!(said.contains("15 blocks"), "{said}");
}

/// Replaces the character at `col` (0-based) of line `line` (0-based).
fn tamper(text: &str, line: usize, col: usize, with: char) -> String {
    text.split_terminator('\n')
        .enumerate()
        .map(|(i, l)| {
            let mut l = l.to_string();
            if i == line {
                l.replace_range(col..col + 1, &with.to_string());
            }
            l + "\n"
        })
        .collect()
}

#[test]
fn the_parser_catches_a_tampered_file() {
    let credits = [
        credit("011401533", "0072", false, 124_050, "B1234", "Jose Munoz"),
        credit("091000019", "99", false, 5_000, "B2001", "Lee Park"),
    ];
    let text = write_ppd(&originator(), &options(), &credits).unwrap().text;
    let (ok, said) = check("clean", &text, None);
    assert!(ok, "{said}");

    // Entry 1's amount 0000124050 → 0000124059: the batch's credit total no longer adds up.
    let (ok, said) = check("amount", &tamper(&text, 2, 38, '9'), None);
    assert!(!ok && said.contains("BAD_BATCH_CREDIT"), "{said}");
    // Entry 2's routing 091000019 → 091000018: fails the check digit (and the hash holds, the
    // prefix is unchanged).
    let (ok, said) = check("routing", &tamper(&text, 3, 11, '8'), None);
    assert!(!ok && said.contains("BAD_ROUTING_CHECKSUM"), "{said}");
    // One filler record fewer: 9 records, not whole blocks.
    let short: String = text.lines().take(9).map(|l| format!("{l}\n")).collect();
    let (ok, said) = check("blocks", &short, None);
    assert!(!ok && said.contains("BAD_BLOCKING"), "{said}");
    // A debit transaction code (27) in a credits-only batch: our own layout check.
    let (ok, said) = check("debit", &tamper(&text, 2, 2, '7'), None);
    assert!(!ok && said.contains("not a credit"), "{said}");
}
