//! A NACHA PPD file paying officers by direct deposit: one batch of credits (service class 220,
//! SEC code PPD) to checking (transaction code 22) or savings (32) accounts.
//!
//! # Layout
//!
//! Records of 94 characters, each ended by `\n`: the file header (`1`), the batch header (`5`),
//! one entry detail (`6`) per payment, the batch control (`8`), the file control (`9`), then
//! records of 94 `9`s until the count is a multiple of 10 (blocking factor 10). The entry hash is
//! the sum of the entries' 8-digit receiving-bank prefixes, its rightmost 10 digits; the totals
//! are in cents; the block count is the number of records, filler included, over ten. Trace
//! numbers are the ODFI's 8 digits and a 7-digit sequence from 1, in input order.
//!
//! # What is refused and what is trimmed
//!
//! Anything that decides where money goes or how much is **refused** with an [`Invalid`] naming
//! the field (`credits[3].routing`): a routing number that is not 9 digits or fails its check
//! digit, an account number that is empty, longer than 17 characters or not ASCII letters,
//! digits and hyphens, an amount of 0 or less or over 10 digits, an individual id over 15
//! characters, a company id that is not 10 characters, a file id modifier that is not A–Z or
//! 0–9, an effective date before the file's creation date, no credits, more than 100,000
//! credits, or a total over 12 digits. **Names** (the officer's 22 characters, the company's 16,
//! the banks' 23, the entry description's 10) are only labels, so they are made ASCII — common
//! accented Latin letters lose their accents (`José Muñoz` → `JOSE MUNOZ`), other characters are
//! dropped — upper-cased and **truncated** to their field; a name with nothing left is refused.
//! The file is the same, byte for byte, for the same input.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use offduty_domain::pay::Cents;
use offduty_domain::validation::{Invalid, InvalidCode};

/// Characters in a record.
pub const RECORD_LEN: usize = 94;
/// Records in a block.
pub const BLOCKING_FACTOR: usize = 10;
/// Most credits in one file.
pub const MAX_CREDITS: usize = 100_000;
/// Largest amount of one entry (10 digits of cents).
pub const MAX_AMOUNT_CENTS: Cents = 9_999_999_999;
/// Largest file total (12 digits of cents).
pub const MAX_TOTAL_CENTS: Cents = 999_999_999_999;

/// The department (the originator) and its bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Originator {
    /// The bank the file is sent to (immediate destination): 9-digit routing number.
    pub destination_routing: String,
    /// Its name (23 characters, truncated).
    pub destination_name: String,
    /// The immediate origin: 10 characters (usually `1` and the tax id), or a 9-digit routing
    /// number (written with a leading space).
    pub origin_id: String,
    /// The originator's name (23 characters, truncated).
    pub origin_name: String,
    /// Company name in the batch (16 characters, truncated).
    pub company_name: String,
    /// Company identification: exactly 10 ASCII letters or digits (the bank assigns it).
    pub company_id: String,
    /// The originating bank's routing number (its first 8 digits go into the batch and the
    /// trace numbers).
    pub odfi_routing: String,
}

/// When and how this file is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOptions {
    /// Written as the local date and time in `tz` (YYMMDD, HHMM).
    pub created_at: DateTime<Utc>,
    pub tz: Tz,
    /// Tells apart files made the same day: A–Z or 0–9.
    pub file_id_modifier: char,
    /// The day the money should arrive; not before the creation date.
    pub effective_date: NaiveDate,
    /// Company entry description, shown on the officer's statement ("PAYROLL"; 10 characters,
    /// truncated).
    pub entry_description: String,
    /// Reference code in the file header (8 characters, truncated; may be empty).
    pub reference_code: String,
}

/// The kind of the receiving account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// Transaction code 22.
    Checking,
    /// Transaction code 32.
    Savings,
}

impl AccountType {
    /// The credit transaction code.
    pub fn transaction_code(self) -> &'static str {
        match self {
            AccountType::Checking => "22",
            AccountType::Savings => "32",
        }
    }
}

/// One payment to an officer's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    /// The receiving bank's 9-digit routing number.
    pub routing: String,
    pub account_number: String,
    pub account_type: AccountType,
    pub amount_cents: Cents,
    /// The officer's id at the department (badge number; 15 characters at most).
    pub individual_id: String,
    /// The officer's name (22 characters, truncated).
    pub individual_name: String,
}

/// A written file and its control figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NachaFile {
    /// The records, each followed by `\n`.
    pub text: String,
    pub entry_count: usize,
    pub total_credit_cents: Cents,
    /// The entry hash as written (rightmost 10 digits of the sum of the routing prefixes).
    pub entry_hash: u64,
    pub block_count: usize,
}

/// True when `routing` is 9 ASCII digits whose weighted sum (3, 7, 1, …) is a multiple of 10.
pub fn routing_is_valid(routing: &str) -> bool {
    let d: Vec<u32> = routing.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 9 || routing.len() != 9 {
        return false;
    }
    let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    d.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 10 == 0
}

fn routing(field: &str, value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    if v.len() != 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(
            field,
            InvalidCode::BadFormat,
            "A routing number is 9 digits.",
        ));
    }
    if !routing_is_valid(v) {
        return Err(Invalid::new(
            field,
            InvalidCode::BadFormat,
            format!("Routing number {v} fails its check digit; check it for a typo."),
        ));
    }
    Ok(v.to_string())
}

/// ASCII, upper case: accents taken off common Latin letters, other characters dropped, runs
/// of spaces made one.
fn ascii_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            c if c.is_ascii_graphic() => {
                out.push(c.to_ascii_uppercase());
                continue;
            }
            c if c.is_whitespace() => " ",
            _ => "",
        };
        out.push_str(&mapped.to_ascii_uppercase());
    }
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name for a field of `width`: ASCII upper case, truncated, padded. Refused when nothing is
/// left (and `required`).
fn name(field: &str, value: &str, width: usize, required: bool) -> Result<String, Invalid> {
    let mut s = ascii_upper(value);
    if s.is_empty() && required {
        return Err(Invalid::new(
            field,
            InvalidCode::Required,
            "The name has no letters or digits the bank's file can carry.",
        ));
    }
    s.truncate(width);
    Ok(pad(&s, width))
}

/// An identifier of at most `width` ASCII letters, digits and hyphens (upper-cased), never
/// truncated.
fn ident(field: &str, value: &str, width: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(
            field,
            InvalidCode::Required,
            "It is required.",
        ));
    }
    if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Invalid::new(
            field,
            InvalidCode::BadFormat,
            "Use only letters, digits and hyphens.",
        ));
    }
    if v.len() > width {
        return Err(Invalid::new(
            field,
            InvalidCode::TooLong,
            format!("At most {width} characters fit (got {}).", v.len()),
        ));
    }
    Ok(pad(&v.to_ascii_uppercase(), width))
}

fn pad(s: &str, width: usize) -> String {
    format!("{s:<width$}")
}

fn num(n: u64, width: usize) -> String {
    format!("{n:0width$}")
}

/// Writes the PPD file paying `credits`. See the module's doc for the layout and the refusals.
pub fn write_ppd(
    originator: &Originator,
    options: &FileOptions,
    credits: &[Credit],
) -> Result<NachaFile, Invalid> {
    let o = originator;
    let destination = routing("originator.destination_routing", &o.destination_routing)?;
    let odfi = routing("originator.odfi_routing", &o.odfi_routing)?;
    let origin = match o.origin_id.trim() {
        v if v.len() == 9 && routing_is_valid(v) => format!(" {v}"),
        v if v.len() == 10 && v.bytes().all(|b| b.is_ascii_alphanumeric()) => v.to_string(),
        _ => {
            return Err(Invalid::new(
                "originator.origin_id",
                InvalidCode::BadFormat,
                "The immediate origin is 10 letters or digits, or a 9-digit routing number.",
            ));
        }
    };
    let company_id = o.company_id.trim();
    if company_id.len() != 10 || !company_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Invalid::new(
            "originator.company_id",
            InvalidCode::BadFormat,
            "The company identification is exactly 10 letters or digits.",
        ));
    }
    let company_id = company_id.to_ascii_uppercase();
    let modifier = options.file_id_modifier;
    if !(modifier.is_ascii_uppercase() || modifier.is_ascii_digit()) {
        return Err(Invalid::new(
            "options.file_id_modifier",
            InvalidCode::BadFormat,
            "The file id modifier is one of A to Z or 0 to 9.",
        ));
    }
    let created = options.created_at.with_timezone(&options.tz);
    if options.effective_date < created.date_naive() {
        return Err(Invalid::new(
            "options.effective_date",
            InvalidCode::OutOfRange,
            "The effective date cannot be before the day the file is made.",
        ));
    }
    if credits.is_empty() {
        return Err(Invalid::new(
            "credits",
            InvalidCode::Required,
            "A payroll file needs at least one payment.",
        ));
    }
    if credits.len() > MAX_CREDITS {
        return Err(Invalid::new(
            "credits",
            InvalidCode::TooMany,
            format!(
                "A file holds at most {MAX_CREDITS} payments (got {}).",
                credits.len()
            ),
        ));
    }

    let odfi8 = &odfi[..8];
    let mut records = Vec::with_capacity(credits.len() + 4 + BLOCKING_FACTOR);
    records.push(format!(
        "101 {destination}{origin}{}{}{modifier}{RECORD_LEN:03}{BLOCKING_FACTOR:02}1{}{}{}",
        created.format("%y%m%d"),
        created.format("%H%M"),
        name("originator.destination_name", &o.destination_name, 23, true)?,
        name("originator.origin_name", &o.origin_name, 23, true)?,
        name("options.reference_code", &options.reference_code, 8, false)?,
    ));
    let batch_number = num(1, 7);
    records.push(format!(
        "5220{}{}{company_id}PPD{}{}{}{}1{odfi8}{batch_number}",
        name("originator.company_name", &o.company_name, 16, true)?,
        pad("", 20),
        name(
            "options.entry_description",
            &options.entry_description,
            10,
            true
        )?,
        pad("", 6),
        options.effective_date.format("%y%m%d"),
        pad("", 3),
    ));

    let mut hash: u64 = 0;
    let mut total: Cents = 0;
    for (i, c) in credits.iter().enumerate() {
        let field = |f: &str| format!("credits[{i}].{f}");
        let rt = routing(&field("routing"), &c.routing)?;
        let account = ident(&field("account_number"), &c.account_number, 17)?;
        if !(1..=MAX_AMOUNT_CENTS).contains(&c.amount_cents) {
            return Err(Invalid::new(
                field("amount_cents"),
                InvalidCode::OutOfRange,
                format!(
                    "An amount is between 1 and {MAX_AMOUNT_CENTS} cents (got {}).",
                    c.amount_cents
                ),
            ));
        }
        let id = ident(&field("individual_id"), &c.individual_id, 15)?;
        let person = name(&field("individual_name"), &c.individual_name, 22, true)?;
        total = total
            .checked_add(c.amount_cents)
            .filter(|t| *t <= MAX_TOTAL_CENTS)
            .ok_or_else(|| {
                Invalid::new(
                    "credits",
                    InvalidCode::OutOfRange,
                    format!("The file's total cannot exceed {MAX_TOTAL_CENTS} cents."),
                )
            })?;
        // Nine digits checked above: the first eight parse.
        hash += rt[..8].parse::<u64>().unwrap_or(0);
        let amount = u64::try_from(c.amount_cents).unwrap_or(0);
        records.push(format!(
            "6{}{rt}{account}{}{id}{person}  0{odfi8}{}",
            c.account_type.transaction_code(),
            num(amount, 10),
            num(i as u64 + 1, 7),
        ));
    }
    let hash = hash % 10_000_000_000;
    let count = credits.len() as u64;
    let total_u = u64::try_from(total).unwrap_or(0);
    records.push(format!(
        "8220{}{}{}{}{company_id}{}{}{odfi8}{batch_number}",
        num(count, 6),
        num(hash, 10),
        num(0, 12),
        num(total_u, 12),
        pad("", 19),
        pad("", 6),
    ));
    // The file control counts itself; blocks are whole, filler included.
    let block_count = (records.len() + 1).div_ceil(BLOCKING_FACTOR);
    records.push(format!(
        "9{}{}{}{}{}{}{}",
        num(1, 6),
        num(block_count as u64, 6),
        num(count, 8),
        num(hash, 10),
        num(0, 12),
        num(total_u, 12),
        pad("", 39),
    ));
    while records.len() % BLOCKING_FACTOR != 0 {
        records.push("9".repeat(RECORD_LEN));
    }
    debug_assert!(records.iter().all(|r| r.len() == RECORD_LEN));
    let mut text = String::with_capacity(records.len() * (RECORD_LEN + 1));
    for r in &records {
        text.push_str(r);
        text.push('\n');
    }
    Ok(NachaFile {
        text,
        entry_count: credits.len(),
        total_credit_cents: total,
        entry_hash: hash,
        block_count,
    })
}

#[cfg(test)]
mod tests;
