//! The department's decisions, each inside one write transaction: officer actions, awards,
//! clock events, coordinators' decisions on jobs, timecards and accounts, and the bookkeeping
//! every change needs (change log, audit chain, notifications); the sync read model; and
//! retention (what is kept, and for how long).

pub mod access;
pub mod accounts;
pub mod actions;
pub mod affiliates;
pub mod alerts;
pub mod arrival;
pub mod assignments;
pub mod audit;
pub mod award;
pub mod changes;
pub mod charges;
pub mod clock;
pub mod customers;
pub mod department;
pub mod deposit_accounts;
pub mod direct_payouts;
pub mod event_requests;
pub mod fields;
pub mod group_commit;
pub mod invoices;
pub mod job_edit;
pub mod job_reads;
pub mod jobs;
pub mod line;
pub mod money_task;
pub mod notify;
pub mod payouts;
pub mod rate_card;
pub mod ratings;
pub mod reliability;
pub mod retention;
pub mod review;
pub mod roster;
pub mod roster_csv;
pub mod schedule;
pub mod shift_watch;
pub mod sync;
pub mod timecards;
pub mod two_factor;
pub mod txn;
