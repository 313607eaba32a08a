//! The department's double-entry ledger: append-only entries in integer cents, each balanced
//! (debits = credits), and the business events that write them, each refused when it would take
//! out money that is not there.
//!
//! # Accounts and signs
//!
//! A balance is debits − credits. Assets carry debit (positive) balances: [`Account::Receivable`]
//! (what a customer owes; negative when the department owes the customer after a credit note on
//! a paid invoice) and [`Account::Cash`] (held at the gateway or bank). Liabilities and revenue
//! carry credit (negative) balances: [`Account::OfficerPayable`] (earned, not yet paid out) and
//! the three revenues. Every entry balances, so the balances always sum to zero.
//!
//! # Events
//!
//! | event | debit | credit | refused when |
//! |---|---|---|---|
//! | [`Ledger::invoice_issued`] | Receivable (total) | each officer's payable, the fee revenues | the invoice is already posted, or totals 0 |
//! | [`Ledger::charge_succeeded`] | Cash | Receivable | above what the customer owes |
//! | [`Ledger::credit_note`] | the officers' payables and revenues it takes back | Receivable | above what is left of the invoice per account, or above an officer's payable |
//! | [`Ledger::refund`] | Receivable | Cash | above the customer's credit balance, or above the cash |
//! | [`Ledger::payout`] | the officer's payable | Cash | above the officer's payable, or above the cash |
//!
//! A refund never decides whose money goes back: a credit note does that first (reversing
//! officer time, fees or both), which leaves the customer a credit balance, and the refund pays
//! that balance out. Nothing is edited or deleted; a mistake is corrected by a new entry.
//! [`Ledger::replay`] rebuilds a ledger from stored entries, through the same checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::{Bill, LineKind, WorkedShift, officer_shares};
use crate::pay::Cents;
use crate::validation::{Invalid, InvalidCode};

mod credit;
mod entry;
pub use entry::{Entry, EntryKind, LedgerError, Leg};

/// An account of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "account", rename_all = "snake_case")]
pub enum Account {
    /// What a customer owes the department.
    Receivable { customer: Uuid },
    /// Money held at the payment gateway or the bank.
    Cash,
    /// What an officer has earned and not yet been paid out.
    OfficerPayable { officer: Uuid },
    /// The department's administrative fees.
    AdminFeeRevenue,
    /// The customers' event fees.
    EventFeeRevenue,
    /// Vehicle fees.
    VehicleRevenue,
}

/// How an invoice's total divides: each officer's earnings and the department's fees. All
/// amounts are ≥ 0; their sum is the invoice total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Split {
    pub officers: BTreeMap<Uuid, Cents>,
    pub vehicle_cents: Cents,
    pub admin_fee_cents: Cents,
    pub event_fee_cents: Cents,
}

impl Split {
    /// The split of an invoice made by [`crate::billing::invoice`] from `worked`.
    pub fn of_invoice(bill: &Bill, worked: &[WorkedShift]) -> Result<Split, Invalid> {
        let split = Split {
            officers: officer_shares(bill, worked)?,
            vehicle_cents: bill.sum_of(LineKind::Vehicle),
            admin_fee_cents: bill.sum_of(LineKind::AdminFee),
            event_fee_cents: bill.event_fee_cents,
        };
        if split.total() != Some(bill.total_cents) {
            return Err(Invalid::new(
                "bill",
                InvalidCode::Inconsistent,
                "The invoice's lines do not add up to its total.",
            ));
        }
        Ok(split)
    }

    /// The credited accounts and amounts, zeros left out.
    fn credits(&self) -> Vec<(Account, Cents)> {
        self.officers
            .iter()
            .map(|(o, c)| (Account::OfficerPayable { officer: *o }, *c))
            .chain([
                (Account::VehicleRevenue, self.vehicle_cents),
                (Account::AdminFeeRevenue, self.admin_fee_cents),
                (Account::EventFeeRevenue, self.event_fee_cents),
            ])
            .filter(|(_, c)| *c != 0)
            .collect()
    }

    /// The sum of the parts, `None` on overflow.
    pub fn total(&self) -> Option<Cents> {
        self.credits()
            .iter()
            .try_fold(0 as Cents, |s, (_, c)| s.checked_add(*c))
    }
}

/// An invoice as posted, and what a credit note can still take back of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Posted {
    customer: Uuid,
    left: BTreeMap<Account, Cents>,
}

/// The ledger: entries in order and the balances they make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<Entry>,
    balances: BTreeMap<Account, Cents>,
    invoices: BTreeMap<Uuid, Posted>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every account's balance (debits − credits); accounts never touched are absent.
    pub fn balances(&self) -> &BTreeMap<Account, Cents> {
        &self.balances
    }

    /// An account's balance, debits − credits.
    pub fn balance(&self, account: Account) -> Cents {
        self.balances.get(&account).copied().unwrap_or(0)
    }

    /// What `customer` owes (negative: what the department owes the customer).
    pub fn owed_by(&self, customer: Uuid) -> Cents {
        self.balance(Account::Receivable { customer })
    }

    /// What `officer` has earned and not been paid out (never negative).
    pub fn payable_to(&self, officer: Uuid) -> Cents {
        -self.balance(Account::OfficerPayable { officer })
    }

    /// The money held.
    pub fn cash(&self) -> Cents {
        self.balance(Account::Cash)
    }

    /// What a credit note can still take back of `invoice`, or `None` for an unknown invoice.
    pub fn left_of(&self, invoice: Uuid) -> Option<Split> {
        let posted = self.invoices.get(&invoice)?;
        let mut split = Split::default();
        for (account, cents) in &posted.left {
            match account {
                Account::OfficerPayable { officer } => {
                    split.officers.insert(*officer, *cents);
                }
                Account::VehicleRevenue => split.vehicle_cents = *cents,
                Account::AdminFeeRevenue => split.admin_fee_cents = *cents,
                Account::EventFeeRevenue => split.event_fee_cents = *cents,
                Account::Receivable { .. } | Account::Cash => {}
            }
        }
        Some(split)
    }

    /// Appends `entry`, all of its balances or none.
    fn post(&mut self, entry: Entry) -> Result<&Entry, LedgerError> {
        let mut next = BTreeMap::new();
        for l in entry.legs() {
            let now = next
                .get(&l.account)
                .copied()
                .unwrap_or_else(|| self.balance(l.account));
            let moved = now
                .checked_add(l.debit_cents)
                .and_then(|b| b.checked_sub(l.credit_cents))
                .ok_or(LedgerError::Overflow)?;
            next.insert(l.account, moved);
        }
        self.balances.extend(next);
        self.entries.push(entry);
        Ok(&self.entries[self.entries.len() - 1])
    }

    /// Posts invoice `invoice` to `customer`: Dr the customer's receivable the total; Cr each
    /// officer's payable their earnings and each revenue its fee. Refuses an invoice already
    /// posted, a negative part, or a total of 0.
    pub fn invoice_issued(
        &mut self,
        invoice: Uuid,
        customer: Uuid,
        split: &Split,
    ) -> Result<&Entry, LedgerError> {
        if self.invoices.contains_key(&invoice) {
            return Err(LedgerError::DuplicateInvoice(invoice));
        }
        let credits = split.credits();
        let total = split.total().ok_or(LedgerError::Overflow)?;
        if credits.iter().any(|(_, c)| *c < 0) {
            return Err(LedgerError::Negative);
        }
        if total == 0 {
            return Err(LedgerError::NotPositive);
        }
        let mut legs = vec![Leg::debit(Account::Receivable { customer }, total)];
        legs.extend(credits.iter().map(|(a, c)| Leg::credit(*a, *c)));
        let entry = Entry::new(
            EntryKind::Invoice,
            Some(invoice),
            legs,
            format!("Invoice {invoice}"),
        )?;
        self.invoices.insert(
            invoice,
            Posted {
                customer,
                left: credits.into_iter().collect(),
            },
        );
        self.post(entry)
    }

    /// A successful card or bank charge of `cents` from `customer`: Dr Cash, Cr Receivable.
    /// Refuses 0 or less and more than the customer owes.
    pub fn charge_succeeded(
        &mut self,
        customer: Uuid,
        cents: Cents,
    ) -> Result<&Entry, LedgerError> {
        positive(cents)?;
        let owed = self.owed_by(customer);
        if cents > owed {
            return Err(LedgerError::ChargeExceedsOwed { owed, asked: cents });
        }
        let entry = Entry::new(
            EntryKind::Charge,
            None,
            vec![
                Leg::debit(Account::Cash, cents),
                Leg::credit(Account::Receivable { customer }, cents),
            ],
            format!("Charge of {cents} cents"),
        )?;
        self.post(entry)
    }

    /// Takes back `split` of `invoice` (all of it: [`Ledger::left_of`]): Dr each officer's payable
    /// and each revenue, Cr the customer's receivable. The invoice itself is never changed.
    /// Refuses an unknown invoice, a total of 0 or a negative part, more than is left of the
    /// invoice on any account, and more than an officer's payable (what was already paid out
    /// cannot be taken back here).
    pub fn credit_note(&mut self, invoice: Uuid, split: &Split) -> Result<&Entry, LedgerError> {
        let posted = self
            .invoices
            .get(&invoice)
            .ok_or(LedgerError::UnknownInvoice(invoice))?;
        let debits = split.credits();
        let total = split.total().ok_or(LedgerError::Overflow)?;
        if debits.iter().any(|(_, c)| *c < 0) {
            return Err(LedgerError::Negative);
        }
        if total == 0 {
            return Err(LedgerError::NotPositive);
        }
        for (account, asked) in &debits {
            let left = posted.left.get(account).copied().unwrap_or(0);
            if *asked > left {
                return Err(LedgerError::CreditExceedsInvoice {
                    account: *account,
                    left,
                    asked: *asked,
                });
            }
            if let Account::OfficerPayable { officer } = account {
                let payable = self.payable_to(*officer);
                if *asked > payable {
                    return Err(LedgerError::CreditExceedsPayable {
                        officer: *officer,
                        payable,
                        asked: *asked,
                    });
                }
            }
        }
        let customer = posted.customer;
        let mut legs: Vec<Leg> = debits.iter().map(|(a, c)| Leg::debit(*a, *c)).collect();
        legs.push(Leg::credit(Account::Receivable { customer }, total));
        let entry = Entry::new(
            EntryKind::CreditNote,
            Some(invoice),
            legs,
            format!("Credit note on invoice {invoice}"),
        )?;
        if let Some(posted) = self.invoices.get_mut(&invoice) {
            for (account, c) in &debits {
                if let Some(left) = posted.left.get_mut(account) {
                    *left -= c;
                }
            }
        }
        self.post(entry)
    }

    /// Pays `cents` back to `customer` out of a credit balance (left by a credit note on a paid
    /// invoice): Dr Receivable, Cr Cash. Refuses 0 or less, more than the credit balance, and
    /// more than the cash held.
    pub fn refund(&mut self, customer: Uuid, cents: Cents) -> Result<&Entry, LedgerError> {
        positive(cents)?;
        let credit = -self.owed_by(customer);
        if cents > credit {
            return Err(LedgerError::RefundExceedsCredit {
                credit: credit.max(0),
                asked: cents,
            });
        }
        self.cash_covers(cents)?;
        let entry = Entry::new(
            EntryKind::Refund,
            None,
            vec![
                Leg::debit(Account::Receivable { customer }, cents),
                Leg::credit(Account::Cash, cents),
            ],
            format!("Refund of {cents} cents"),
        )?;
        self.post(entry)
    }

    /// Pays `cents` to `officer`: Dr the officer's payable, Cr Cash. Refuses 0 or less, more
    /// than the officer has earned and not been paid (nothing is paid out that was not earned),
    /// and more than the cash held.
    pub fn payout(&mut self, officer: Uuid, cents: Cents) -> Result<&Entry, LedgerError> {
        positive(cents)?;
        let payable = self.payable_to(officer);
        if cents > payable {
            return Err(LedgerError::PayoutExceedsPayable {
                officer,
                payable,
                asked: cents,
            });
        }
        self.cash_covers(cents)?;
        let entry = Entry::new(
            EntryKind::Payout,
            None,
            vec![
                Leg::debit(Account::OfficerPayable { officer }, cents),
                Leg::credit(Account::Cash, cents),
            ],
            format!("Payout of {cents} cents"),
        )?;
        self.post(entry)
    }

    /// Rebuilds a ledger from stored entries (oldest first) by running each one's event again
    /// through the checks above: every entry must be exactly what its event writes, and the
    /// event must be allowed at that point. Refuses with the first entry's refusal, or
    /// [`LedgerError::NotReplayable`] with its index when its legs are not its event's.
    pub fn replay(entries: Vec<Entry>) -> Result<Ledger, LedgerError> {
        let mut ledger = Ledger::new();
        for (index, stored) in entries.into_iter().enumerate() {
            let odd = LedgerError::NotReplayable { index };
            let legs = stored.legs();
            let debit = |l: &&Leg| l.debit_cents > 0;
            let credit = |l: &&Leg| l.credit_cents > 0;
            let one = |side: &dyn Fn(&&Leg) -> bool| {
                let mut it = legs.iter().filter(|l| side(l));
                match (it.next(), it.next()) {
                    (Some(l), None) => Some(*l),
                    _ => None,
                }
            };
            let split_of = |side: &dyn Fn(&&Leg) -> bool| {
                let mut split = Split::default();
                for l in legs.iter().filter(|l| side(l)) {
                    let c = l.debit_cents + l.credit_cents;
                    match l.account {
                        Account::OfficerPayable { officer } => {
                            split.officers.insert(officer, c);
                        }
                        Account::VehicleRevenue => split.vehicle_cents = c,
                        Account::AdminFeeRevenue => split.admin_fee_cents = c,
                        Account::EventFeeRevenue => split.event_fee_cents = c,
                        Account::Receivable { .. } | Account::Cash => {}
                    }
                }
                split
            };
            let made = match (stored.kind(), one(&debit), one(&credit)) {
                (EntryKind::Invoice, Some(l), _) => match (stored.invoice(), l.account) {
                    (Some(invoice), Account::Receivable { customer }) => {
                        ledger.invoice_issued(invoice, customer, &split_of(&credit))?
                    }
                    _ => return Err(odd),
                },
                (EntryKind::CreditNote, _, Some(_)) => match stored.invoice() {
                    Some(invoice) => ledger.credit_note(invoice, &split_of(&debit))?,
                    None => return Err(odd),
                },
                (EntryKind::Charge, Some(_), Some(l)) => match l.account {
                    Account::Receivable { customer } => {
                        ledger.charge_succeeded(customer, l.credit_cents)?
                    }
                    _ => return Err(odd),
                },
                (EntryKind::Refund, Some(l), Some(_)) => match l.account {
                    Account::Receivable { customer } => ledger.refund(customer, l.debit_cents)?,
                    _ => return Err(odd),
                },
                (EntryKind::Payout, Some(l), Some(_)) => match l.account {
                    Account::OfficerPayable { officer } => ledger.payout(officer, l.debit_cents)?,
                    _ => return Err(odd),
                },
                _ => return Err(odd),
            };
            if *made != stored {
                return Err(odd);
            }
        }
        Ok(ledger)
    }

    fn cash_covers(&self, cents: Cents) -> Result<(), LedgerError> {
        let cash = self.cash();
        if cents > cash {
            return Err(LedgerError::CashShort { cash, asked: cents });
        }
        Ok(())
    }
}

fn positive(cents: Cents) -> Result<(), LedgerError> {
    if cents <= 0 {
        return Err(LedgerError::NotPositive);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
