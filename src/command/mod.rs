//! The slash-command parser: the text after `/deploy` or `/hold`, turned into a
//! typed command, or into a [`ParseError`] that tells the user what was wrong and
//! how to write it.
//!
//! This module is pure: no I/O, no clock (the time comes from [`CommandContext::now`]).
//!
//! The grammar (command names come from the context, so they are configurable):
//!
//! ```text
//! /deploy APP REF [to] ENV [--note TEXT]
//! /deploy emergency APP REF [to] ENV REASON...
//! /deploy done [ID | NOTE...]
//! /deploy failed [ID | REASON...]
//! /deploy cancel [ID]
//! /deploy status [ENV]
//! /deploy versions [APP]
//! /deploy history APP [ENV]
//! /deploy windows
//! /deploy diff APP REF [to] ENV
//! /deploy help
//! /hold APP|all [ENV] REASON... [--until HH:MM | --until YYYY-MM-DD | --until YYYY-MM-DD HH:MM]
//! /hold list
//! /hold release APP|all|ID
//! /hold help
//! ```
//!
//! Empty text means `help`. See [`parse_deploy`] and [`parse_hold`] for the
//! decisions the grammar leaves open.

mod deploy;
mod error;
mod help;
mod hold;
mod lookup;
mod suggest;
mod until;
mod words;

#[cfg(test)]
mod deploy_tests;
#[cfg(test)]
mod help_tests;
#[cfg(test)]
mod hold_tests;
#[cfg(test)]
mod junk_tests;
#[cfg(test)]
mod test_support;

pub use deploy::parse_deploy;
pub use error::{Form, ParseError, TextKind};
pub use help::{deploy_help, hold_help};
pub use hold::parse_hold;
pub(crate) use suggest::closest;
pub use words::{MAX_INPUT_CHARS, MAX_TEXT_CHARS};

/// The environment a hold's reason seems to start with by mistake (`/hold whitehall prod
/// db migration` holds every environment, with reason "prod db migration"): the parser
/// keeps that safe reading, and the answer points the likely slip out. A leading `in`,
/// `on` or `to` (`/hold whitehall in production ...`) is read past: the environment is the
/// word after it (`in` alone is no abbreviation of `integration`). Returns the words as
/// typed, up to the environment, and the environment.
pub fn env_slip_in_reason<'a>(reason: &str, environments: &[&'a str]) -> Option<(String, &'a str)> {
    let mut words = reason.split_whitespace();
    let first = words.next()?;
    let filler = ["in", "on", "to"]
        .iter()
        .any(|f| first.eq_ignore_ascii_case(f));
    let (typed, word) = if filler {
        let next = words.next()?;
        (format!("{first} {next}"), next)
    } else {
        (first.to_owned(), first)
    };
    suggest::closest(word, environments).map(|i| (typed, environments[i]))
}

use crate::domain::names::{AppName, EnvName, GitRef};

/// What the parser needs to know about the workspace and the moment.
#[derive(Debug, Clone, Copy)]
pub struct CommandContext<'a> {
    /// The deploy command's name as registered in Slack, e.g. `/deploy`.
    pub deploy_command: &'a str,
    /// The hold command's name as registered in Slack, e.g. `/hold`.
    pub hold_command: &'a str,
    /// The configured environments, in order (e.g. integration, staging, production).
    pub environments: &'a [EnvName],
    /// The allowed apps; empty means any valid slug.
    pub apps: &'a [AppName],
    /// The policy's timezone, in which `--until` times are read.
    pub tz: chrono_tz::Tz,
    /// The current time, for `--until`.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A parsed `/deploy` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployCommand {
    /// `/deploy APP REF [to] ENV [--note TEXT]`: join ENV's queue.
    Request {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
        note: Option<String>,
    },
    /// `/deploy emergency APP REF [to] ENV REASON...`: bypass the window.
    Emergency {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
        reason: String,
    },
    /// `/deploy done [NOTE...]`: the caller's deployment succeeded.
    Done { note: Option<String> },
    /// `/deploy done ID`: deployment ID succeeded (the start alert's Done, typed).
    DoneId { id: i64 },
    /// `/deploy failed [REASON...]`: the caller's deployment failed.
    Failed { reason: Option<String> },
    /// `/deploy failed ID`: deployment ID failed (the start alert's Failed, typed).
    FailedId { id: i64 },
    /// `/deploy cancel [ID]`: leave a queue (the latest waiting entry without an ID).
    Cancel { id: Option<i64> },
    /// `/deploy status [ENV]`.
    Status { env: Option<EnvName> },
    /// `/deploy versions [APP]`.
    Versions { app: Option<AppName> },
    /// `/deploy history APP [ENV]`: APP's latest finished deployments (in ENV only).
    History { app: AppName, env: Option<EnvName> },
    /// `/deploy windows`.
    Windows,
    /// `/deploy diff APP REF [to] ENV`: what REF adds over what ENV runs now.
    Diff {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
    },
    /// `/deploy help`, or empty text.
    Help,
}

/// What a hold covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldScope {
    App(AppName),
    All,
}

/// Which holds `/hold release` releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseTarget {
    App(AppName),
    All,
    Id(i64),
}

/// A parsed `/hold` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldCommand {
    /// `/hold APP|all [ENV] REASON... [--until ...]`; `env: None` means every environment.
    Create {
        scope: HoldScope,
        env: Option<EnvName>,
        reason: String,
        until: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// `/hold list`.
    List,
    /// `/hold release APP|all|ID`.
    Release { target: ReleaseTarget },
    /// `/hold help`, or empty text.
    Help,
}
