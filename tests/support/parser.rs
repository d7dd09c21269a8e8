//! The command parser's context for tests that read help and parse examples: the default
//! policy's, at a fixed instant.

use badger::command::CommandContext;
use badger::config::Policy;
use chrono::{TimeZone, Utc};

/// Runs `check` with the parser context of the default policy (Tuesday 24 November 2026,
/// 10:00 London).
pub fn with_default_context<T>(check: impl FnOnce(&CommandContext, &Policy) -> T) -> T {
    let policy = Policy::default();
    let envs = policy.env_names();
    let ctx = CommandContext {
        deploy_command: &policy.deploy_command,
        hold_command: &policy.hold_command,
        environments: &envs,
        apps: &policy.apps,
        tz: policy.calendar.tz,
        now: Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap(),
    };
    check(&ctx, &policy)
}
