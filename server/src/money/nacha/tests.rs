//! Tests of the NACHA writer: one file written out by hand record by record, every refusal, and
//! properties of any file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use chrono::TimeZone;
use chrono_tz::America::New_York;
use proptest::prelude::*;

fn sp(n: usize) -> String {
    " ".repeat(n)
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
        // 14:30 in New York on 7 December 2026 (19:30 UTC).
        created_at: New_York
            .with_ymd_and_hms(2026, 12, 7, 14, 30, 0)
            .unwrap()
            .to_utc(),
        tz: New_York,
        file_id_modifier: 'A',
        effective_date: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        entry_description: "Payroll".into(),
        reference_code: String::new(),
    }
}

fn credit(routing: &str, account: &str, cents: Cents, id: &str, name: &str) -> Credit {
    Credit {
        routing: routing.into(),
        account_number: account.into(),
        account_type: AccountType::Checking,
        amount_cents: cents,
        individual_id: id.into(),
        individual_name: name.into(),
    }
}

fn two_credits() -> Vec<Credit> {
    vec![
        credit("011401533", "0072", 124_050, "B1234", "José Muñoz"),
        Credit {
            account_type: AccountType::Savings,
            ..credit(
                "091000019",
                "123-456-789",
                98_765,
                "B2001",
                "Christopher Montgomery-Smithson",
            )
        },
    ]
}

#[test]
fn routing_check_digits() {
    // 0·3 + 1·7 + 1·1 + 4·3 + 0·7 + 1·1 + 5·3 + 3·7 + 3·1 = 60
    assert!(routing_is_valid("011401533"));
    // 0·3 + 9·7 + 1·1 + 0 + 0 + 0 + 0·3 + 1·7 + 9·1 = 80
    assert!(routing_is_valid("091000019"));
    assert!(!routing_is_valid("011401534"));
    assert!(!routing_is_valid("01140153"));
    assert!(!routing_is_valid("0114015330"));
    assert!(!routing_is_valid("01140153a"));
    assert!(!routing_is_valid("٠١١٤٠١٥٣٣"));
}

#[test]
fn a_two_payment_file_record_by_record() {
    let f = write_ppd(&originator(), &options(), &two_credits()).unwrap();
    let lines: Vec<&str> = f.text.lines().collect();
    let expected = [
        // File header: priority 01, destination " 091000019", origin 1311234567, created
        // 26-12-07 14:30, modifier A, 094 characters, blocking 10, format 1, the two names
        // (23 each, the origin's truncated), no reference code.
        format!(
            "101 0910000191311234567{}{}A094101{}{}{}",
            "261207",
            "1430",
            "FIRST BANK             ",
            "COLUMBUS DIVISION OF PO",
            sp(8)
        ),
        // Batch header: credits only (220), company name cut to 16, PPD, PAYROLL, effective
        // 26-12-09, settlement blank, status 1, ODFI 04400003, batch 1.
        format!(
            "5220COLUMBUS POLICE {}1311234567PPDPAYROLL   {}261209{}104400003{}",
            sp(20),
            sp(6),
            sp(3),
            "0000001"
        ),
        // Entry 1: checking (22), 011401533, account 0072, 1,240.50, accents removed.
        format!(
            "622011401533{}{}{}{}  0{}",
            "0072             ",
            "0000124050",
            "B1234          ",
            "JOSE MUNOZ            ",
            "044000030000001"
        ),
        // Entry 2: savings (32), name cut to 22.
        format!(
            "632091000019{}{}{}{}  0{}",
            "123-456-789      ",
            "0000098765",
            "B2001          ",
            "CHRISTOPHER MONTGOMERY",
            "044000030000002"
        ),
        // Batch control: 2 entries, hash 01140153 + 09100001 = 10240154, debits 0, credits
        // 1,240.50 + 987.65 = 2,228.15.
        format!(
            "8220{}{}{}{}{}{}{}{}{}",
            "000002",
            "0010240154",
            "000000000000",
            "000000222815",
            "1311234567",
            sp(19),
            sp(6),
            "04400003",
            "0000001"
        ),
        // File control: 1 batch, 1 block, 2 entries, the same hash and totals.
        format!(
            "9000001000001000000020010240154000000000000000000222815{}",
            sp(39)
        ),
        "9".repeat(94),
        "9".repeat(94),
        "9".repeat(94),
        "9".repeat(94),
    ];
    assert_eq!(lines.len(), expected.len());
    for (i, (got, want)) in lines.iter().zip(&expected).enumerate() {
        assert_eq!(want.len(), 94, "expected record {} is mis-sized", i + 1);
        assert_eq!(got, want, "record {}", i + 1);
    }
    assert!(f.text.ends_with('\n'));
    assert_eq!(
        (
            f.entry_count,
            f.total_credit_cents,
            f.entry_hash,
            f.block_count
        ),
        (2, 222_815, 10_240_154, 1)
    );
    // Deterministic.
    assert_eq!(
        write_ppd(&originator(), &options(), &two_credits()).unwrap(),
        f
    );
}

#[test]
fn a_routing_number_as_immediate_origin_gets_a_leading_space() {
    let o = Originator {
        origin_id: "044000037".into(),
        ..originator()
    };
    let f = write_ppd(&o, &options(), &two_credits()).unwrap();
    assert_eq!(&f.text[3..23], " 091000019 044000037");
}

#[test]
fn blocks_fill_with_nines_to_a_multiple_of_ten() {
    let one = credit("011401533", "1", 100, "B1", "A B");
    // n entries make n + 4 records: 6 → 10 records (no filler), 7 → 11 (nine filler).
    for (n, lines, blocks) in [(1, 10, 1), (6, 10, 1), (7, 20, 2), (16, 20, 2), (17, 30, 3)] {
        let f = write_ppd(&originator(), &options(), &vec![one.clone(); n]).unwrap();
        assert_eq!(f.text.lines().count(), lines, "{n} entries");
        assert_eq!(f.block_count, blocks, "{n} entries");
        let control = f.text.lines().nth(n + 3).unwrap();
        assert!(control.starts_with('9'));
        assert_eq!(control[7..13], num(blocks as u64, 6));
    }
}

#[test]
fn the_entry_hash_keeps_its_rightmost_ten_digits() {
    // 1,200 entries to 091000019: prefix 09100001 × 1,200 = 10,920,001,200, eleven digits;
    // the rightmost ten are 0920001200.
    let c = credit("091000019", "1", 1, "B1", "A");
    let f = write_ppd(&originator(), &options(), &vec![c; 1_200]).unwrap();
    assert_eq!(f.entry_hash, 920_001_200);
    let control = f.text.lines().nth(1_200 + 2).unwrap();
    assert_eq!(&control[10..20], "0920001200");
}

fn refused(o: &Originator, opts: &FileOptions, credits: &[Credit]) -> (String, InvalidCode) {
    let e = write_ppd(o, opts, credits).unwrap_err();
    assert!(e.message.ends_with('.'), "a sentence: {}", e.message);
    (e.field, e.code)
}

#[test]
fn what_decides_where_money_goes_is_refused_not_trimmed() {
    let o = originator();
    let opts = options();
    let with = |f: &dyn Fn(&mut Credit)| {
        let mut c = two_credits();
        f(&mut c[1]);
        c
    };
    let field = |f: &str| format!("credits[1].{f}");
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.routing = "091000018".into())),
        (field("routing"), InvalidCode::BadFormat)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.routing = "09100001".into())),
        (field("routing"), InvalidCode::BadFormat)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.account_number = "1".repeat(18))),
        (field("account_number"), InvalidCode::TooLong)
    );
    assert!(write_ppd(&o, &opts, &with(&|c| c.account_number = "1".repeat(17))).is_ok());
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.account_number = "12 34".into())),
        (field("account_number"), InvalidCode::BadFormat)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.account_number = "１２３".into())),
        (field("account_number"), InvalidCode::BadFormat)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.account_number = " ".into())),
        (field("account_number"), InvalidCode::Required)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.amount_cents = 0)),
        (field("amount_cents"), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.amount_cents = -5)),
        (field("amount_cents"), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.amount_cents = MAX_AMOUNT_CENTS + 1)),
        (field("amount_cents"), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.individual_id = "X".repeat(16))),
        (field("individual_id"), InvalidCode::TooLong)
    );
    assert_eq!(
        refused(&o, &opts, &with(&|c| c.individual_name = "李小龍".into())),
        (field("individual_name"), InvalidCode::Required)
    );
    // 100 × 9,999,999,999 = 999,999,999,900 fits in 12 digits; one cent more does not.
    let big = credit("011401533", "1", MAX_AMOUNT_CENTS, "B1", "A");
    let mut many = vec![big.clone(); 100];
    assert!(write_ppd(&o, &opts, &many).is_ok());
    many.push(credit("011401533", "1", 100, "B1", "A"));
    assert_eq!(
        refused(&o, &opts, &many),
        ("credits".to_string(), InvalidCode::OutOfRange)
    );
    assert_eq!(
        refused(&o, &opts, &[]),
        ("credits".to_string(), InvalidCode::Required)
    );
}

#[test]
fn the_originator_and_the_options_are_checked() {
    let c = two_credits();
    let o = |f: &dyn Fn(&mut Originator)| {
        let mut o = originator();
        f(&mut o);
        refused(&o, &options(), &c)
    };
    assert_eq!(
        o(&|o| o.destination_routing = "091000010".into()),
        (
            "originator.destination_routing".to_string(),
            InvalidCode::BadFormat
        )
    );
    assert_eq!(
        o(&|o| o.odfi_routing = "04400003".into()),
        (
            "originator.odfi_routing".to_string(),
            InvalidCode::BadFormat
        )
    );
    assert_eq!(
        o(&|o| o.company_id = "131123456".into()),
        ("originator.company_id".to_string(), InvalidCode::BadFormat)
    );
    assert_eq!(
        o(&|o| o.origin_id = "13112345".into()),
        ("originator.origin_id".to_string(), InvalidCode::BadFormat)
    );
    assert_eq!(
        o(&|o| o.company_name = "   ".into()),
        ("originator.company_name".to_string(), InvalidCode::Required)
    );
    let opt = |f: &dyn Fn(&mut FileOptions)| {
        let mut opts = options();
        f(&mut opts);
        refused(&originator(), &opts, &c)
    };
    assert_eq!(
        opt(&|o| o.file_id_modifier = 'a'),
        (
            "options.file_id_modifier".to_string(),
            InvalidCode::BadFormat
        )
    );
    assert_eq!(
        opt(&|o| o.file_id_modifier = 'É'),
        (
            "options.file_id_modifier".to_string(),
            InvalidCode::BadFormat
        )
    );
    // Created on 7 December (local): the 6th is too early, the 7th is fine.
    assert_eq!(
        opt(&|o| o.effective_date = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
        (
            "options.effective_date".to_string(),
            InvalidCode::OutOfRange
        )
    );
    let same_day = FileOptions {
        effective_date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        ..options()
    };
    assert!(write_ppd(&originator(), &same_day, &c).is_ok());
}

#[test]
fn names_become_ascii_upper_case() {
    assert_eq!(ascii_upper("José  Muñoz-Łukasz"), "JOSE MUNOZ-LUKASZ");
    assert_eq!(ascii_upper("Søren Strauß"), "SOREN STRAUSS");
    assert_eq!(ascii_upper("O'Brien\tJr.\u{0}"), "O'BRIEN JR.");
    assert_eq!(ascii_upper("Ng 吴"), "NG");
    assert_eq!(name("f", "Ng 吴", 5, true).unwrap(), "NG   ");
}

// ---- properties ---------------------------------------------------------------------------------

prop_compose! {
    /// A valid routing number: eight digits and the check digit that makes the sum a multiple
    /// of ten (the ninth weight is 1).
    fn arb_routing()(d in prop::collection::vec(0u32..10, 8)) -> String {
        let w = [3, 7, 1, 3, 7, 1, 3, 7];
        let s: u32 = d.iter().zip(w).map(|(d, w)| d * w).sum();
        let check = (10 - s % 10) % 10;
        d.iter().chain([&check]).map(|d| char::from_digit(*d, 10).unwrap()).collect()
    }
}

prop_compose! {
    fn arb_credit()(
        routing in arb_routing(),
        account in "[0-9A-Z-]{1,17}",
        savings in any::<bool>(),
        cents in 1i64..=MAX_AMOUNT_CENTS,
        id in "[0-9A-Z]{1,15}",
        name in "[A-Za-zé ]{0,30}[A-Z]\\PC{0,10}",
    ) -> Credit {
        Credit {
            routing,
            account_number: account,
            account_type: if savings { AccountType::Savings } else { AccountType::Checking },
            amount_cents: cents,
            individual_id: id,
            individual_name: name,
        }
    }
}

proptest! {
    #[test]
    fn every_file_is_whole_blocks_of_94_character_records_whose_totals_add_up(
        credits in prop::collection::vec(arb_credit(), 1..40),
    ) {
        let f = write_ppd(&originator(), &options(), &credits).unwrap();
        let lines: Vec<&str> = f.text.split_terminator('\n').collect();
        prop_assert_eq!(lines.len() % 10, 0);
        prop_assert!(lines.iter().all(|l| l.len() == 94 && l.bytes().all(|b| (0x20..0x7f).contains(&b))));
        let n = credits.len();
        let entries = &lines[2..2 + n];
        // Read the entries back by position and add them up here.
        let mut hash: u64 = 0;
        let mut total: i64 = 0;
        for (i, (e, c)) in entries.iter().zip(&credits).enumerate() {
            prop_assert_eq!(&e[0..1], "6");
            prop_assert_eq!(&e[3..12], c.routing.as_str());
            prop_assert_eq!(e[29..39].parse::<i64>().unwrap(), c.amount_cents);
            prop_assert_eq!(e[79..87].to_string(), "04400003");
            prop_assert_eq!(e[87..94].parse::<usize>().unwrap(), i + 1);
            hash += e[3..11].parse::<u64>().unwrap();
            total += e[29..39].parse::<i64>().unwrap();
        }
        let batch = lines[2 + n];
        let file = lines[3 + n];
        prop_assert_eq!(&batch[0..4], "8220");
        prop_assert_eq!(batch[4..10].parse::<usize>().unwrap(), n);
        prop_assert_eq!(batch[10..20].parse::<u64>().unwrap(), hash % 10_000_000_000);
        prop_assert_eq!(batch[32..44].parse::<i64>().unwrap(), total);
        prop_assert_eq!(&file[0..1], "9");
        prop_assert_eq!(file[7..13].parse::<usize>().unwrap(), lines.len() / 10);
        prop_assert_eq!(file[13..21].parse::<usize>().unwrap(), n);
        prop_assert_eq!(&file[21..31], &batch[10..20]);
        prop_assert_eq!(file[43..55].parse::<i64>().unwrap(), total);
        prop_assert!(lines[4 + n..].iter().all(|l| l.bytes().all(|b| b == b'9')));
        prop_assert_eq!(f.total_credit_cents, total);
    }
}
