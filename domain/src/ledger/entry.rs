//! Ledger entries: legs of positive debits or credits, and the check that makes an entry exist
//! only when it balances. Also the ledger's refusals.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Account;
use crate::pay::Cents;

/// One side of an entry: a debit or a credit of a positive amount to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leg {
    pub account: Account,
    pub debit_cents: Cents,
    pub credit_cents: Cents,
}

impl Leg {
    /// A debit of `cents` to `account`.
    pub fn debit(account: Account, cents: Cents) -> Leg {
        Leg {
            account,
            debit_cents: cents,
            credit_cents: 0,
        }
    }

    /// A credit of `cents` to `account`.
    pub fn credit(account: Account, cents: Cents) -> Leg {
        Leg {
            account,
            debit_cents: 0,
            credit_cents: cents,
        }
    }
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Invoice,
    Charge,
    CreditNote,
    Refund,
    Payout,
}

/// A balanced ledger entry. Made only by [`Entry::new`] (deserializing goes through it too), so
/// an entry that exists is balanced, has legs and no negative amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEntry")]
pub struct Entry {
    kind: EntryKind,
    invoice: Option<Uuid>,
    legs: Vec<Leg>,
    memo: String,
}

#[derive(Deserialize)]
struct RawEntry {
    kind: EntryKind,
    invoice: Option<Uuid>,
    legs: Vec<Leg>,
    memo: String,
}

impl TryFrom<RawEntry> for Entry {
    type Error = LedgerError;
    fn try_from(r: RawEntry) -> Result<Entry, LedgerError> {
        Entry::new(r.kind, r.invoice, r.legs, r.memo)
    }
}

impl Entry {
    /// A new entry. Refuses no legs, a negative amount, a leg that is not exactly one of a
    /// positive debit or a positive credit, and debits ≠ credits.
    pub fn new(
        kind: EntryKind,
        invoice: Option<Uuid>,
        legs: Vec<Leg>,
        memo: impl Into<String>,
    ) -> Result<Entry, LedgerError> {
        if legs.is_empty() {
            return Err(LedgerError::Empty);
        }
        let (mut debits, mut credits) = (0i128, 0i128);
        for l in &legs {
            if l.debit_cents < 0 || l.credit_cents < 0 {
                return Err(LedgerError::Negative);
            }
            if (l.debit_cents > 0) == (l.credit_cents > 0) {
                return Err(LedgerError::BadLeg);
            }
            debits += i128::from(l.debit_cents);
            credits += i128::from(l.credit_cents);
        }
        if debits != credits {
            return Err(LedgerError::Unbalanced { debits, credits });
        }
        Ok(Entry {
            kind,
            invoice,
            legs,
            memo: memo.into(),
        })
    }

    pub fn kind(&self) -> EntryKind {
        self.kind
    }
    /// The invoice an invoice or credit-note entry belongs to.
    pub fn invoice(&self) -> Option<Uuid> {
        self.invoice
    }
    pub fn legs(&self) -> &[Leg] {
        &self.legs
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
}

/// Why the ledger refused an entry or an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LedgerError {
    #[error("An entry needs at least one leg.")]
    Empty,
    #[error("Amounts cannot be negative.")]
    Negative,
    #[error("Each leg must be either a debit or a credit of a positive amount.")]
    BadLeg,
    #[error("Debits ({debits} cents) and credits ({credits} cents) must be equal.")]
    Unbalanced { debits: i128, credits: i128 },
    #[error("The amount must be more than zero.")]
    NotPositive,
    #[error("The amounts are too large for the ledger.")]
    Overflow,
    #[error("Invoice {0} is already in the ledger.")]
    DuplicateInvoice(Uuid),
    #[error("Invoice {0} is not in the ledger.")]
    UnknownInvoice(Uuid),
    #[error("The charge of {asked} cents is more than the {owed} cents the customer owes.")]
    ChargeExceedsOwed { owed: Cents, asked: Cents },
    #[error(
        "The credit note takes back {asked} cents of {account:?}, but only {left} cents of the \
         invoice are left there."
    )]
    CreditExceedsInvoice {
        account: Account,
        left: Cents,
        asked: Cents,
    },
    #[error(
        "The credit note takes back {asked} cents from officer {officer}, who has only {payable} \
         cents not yet paid out."
    )]
    CreditExceedsPayable {
        officer: Uuid,
        payable: Cents,
        asked: Cents,
    },
    #[error("The refund of {asked} cents is more than the {credit} cents owed to the customer.")]
    RefundExceedsCredit { credit: Cents, asked: Cents },
    #[error(
        "The payout of {asked} cents is more than the {payable} cents officer {officer} has \
         earned and not been paid."
    )]
    PayoutExceedsPayable {
        officer: Uuid,
        payable: Cents,
        asked: Cents,
    },
    #[error("Only {cash} cents are held; {asked} cents cannot be paid out.")]
    CashShort { cash: Cents, asked: Cents },
    #[error("Entry {index} is not what its event would have written.")]
    NotReplayable { index: usize },
}
