//! The department's decisions, each inside one write transaction: officer actions, awards,
//! clock events, and the bookkeeping every change needs (change log, audit chain, notifications);
//! and the sync read model.

pub mod actions;
pub mod assignments;
pub mod audit;
pub mod award;
pub mod changes;
pub mod clock;
pub mod line;
pub mod notify;
pub mod schedule;
pub mod sync;
