//! The department's decisions, each inside one write transaction: officer actions, awards,
//! clock events, and the bookkeeping every change needs (change log, audit chain, notifications);
//! the sync read model; and retention (what is kept, and for how long).

pub mod actions;
pub mod assignments;
pub mod audit;
pub mod award;
pub mod changes;
pub mod clock;
pub mod line;
pub mod notify;
pub mod retention;
pub mod schedule;
pub mod sync;
