//! The questions asked both on the pool (`Store`) and inside a transaction (`Tx`). Each is
//! one function over any executor (as in rust-lang/bors' `database/operations.rs`); the
//! list below gives `Store` and `Tx` the same method for it, so `store.deployment(id)` and
//! `tx.deployment(id)` run the same code and SQL. A macro rather than a trait: callers would
//! otherwise have to import the trait, and a method on both handles needs no import.

use super::{deployments, holds, Result, Store, Tx};
use crate::domain::deployment::Deployment;
use crate::domain::hold::Hold;

macro_rules! on_pool_and_in_tx {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $f:path;)*) => {
        impl Store {
            $($(#[$doc])* pub async fn $name(&self, $($arg: $ty),*) -> Result<$out> {
                $f(&self.pool, $($arg),*).await
            })*
        }
        impl Tx {
            $($(#[$doc])* pub async fn $name(&mut self, $($arg: $ty),*) -> Result<$out> {
                $f(&mut *self.inner, $($arg),*).await
            })*
        }
    };
}

on_pool_and_in_tx! {
    /// One deployment by id.
    fn deployment(id: i64) -> Option<Deployment> = deployments::by_id;
    /// The latest finished (succeeded or failed) deployment of `app` to `env`: the
    /// promotion rule's fact.
    fn latest_finished(app: &str, env: &str) -> Option<Deployment> = deployments::latest_finished;
    /// Everything queued, called or deploying (one environment, or all), active first.
    fn live_deployments(env: Option<&str>) -> Vec<Deployment> = deployments::live;
    /// The holds not yet released, oldest first.
    fn active_holds() -> Vec<Hold> = holds::active;
    /// One hold by id, standing or not (who released it, and when, are in it).
    fn hold(id: i64) -> Option<Hold> = holds::by_id;
}
