//! Money in the server: the stored ledger ([`books`]) and files for the bank.
//!
//! - [`books`]: the department's ledger entries, appended and replayed through the domain.
//! - [`pdf`]: a small PDF 1.4 writer (Helvetica text lines) for invoices.
//! - [`nacha`]: a NACHA PPD direct-deposit file (credits to officers' checking or savings
//!   accounts), 94-character records in blocks of ten, with its control totals.
//! - [`payroll`]: pay periods, the deposit's effective date and the payroll CSV.

pub mod books;
pub mod nacha;
pub mod payroll;
pub mod pdf;
