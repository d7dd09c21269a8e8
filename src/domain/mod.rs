//! Pure rules: no I/O, the clock is passed in.

pub mod admission;
pub mod board;
pub mod ci_scope;
pub mod deployment;
pub mod hold;
pub mod holidays;
pub mod names;
pub mod notice;
pub mod promotion;
pub mod queue;
pub mod release;
pub mod retry;
pub mod text;
pub mod topic;
pub mod transitions;
pub mod versions;
pub mod window;
