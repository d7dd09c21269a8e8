//! `/hold`: creating, listing and releasing holds.

use super::deploy::unknown_option;
use super::error::{Form, ParseError, TextKind};
use super::lookup::{exact_env, is_configured_app, resolve_app};
use super::suggest::subcommand_typo;
use super::until::parse_until;
use super::words::{free_text, is, lead, looks_like_id, no_more, option_name, parse_id};
use super::{CommandContext, HoldCommand, HoldScope, ReleaseTarget};

/// Parses the text of a `/hold` command (everything after the command name).
///
/// Decisions the grammar leaves open (besides those shared with
/// [`parse_deploy`](super::parse_deploy): empty text is help, word splitting, text limits):
/// - `list`, `release`, `help` and `all` are matched ignoring ASCII case and take
///   precedence over app names: an app called `list`, `release`, `help` or `all`
///   cannot be held by name.
/// - ENV is the first word after the scope that is not part of `--until`, and only if
///   it is exactly (ignoring ASCII case) a configured environment. Anything else —
///   including a typo such as `prod` — starts the reason, and the hold then covers
///   every environment: holding too much is the safe mistake.
/// - `--until` may appear anywhere after the scope, once. `HH:MM` is today in the
///   policy's timezone and must be still to come; `YYYY-MM-DD HH:MM` is an absolute
///   local time; `YYYY-MM-DD` alone is the start of that day (00:00), when deploys may
///   go again, so the words after it are the reason, unless the next starts with a digit
///   (`9am`, `3rd`): that is read as a time meant and refused. A local time that the
///   clocks skip is an error; one that occurs twice (clocks going back) means the
///   earlier still to come. Any other `--word` is an error.
/// - A first word that looks like a typo of a subcommand (and is not a configured app)
///   is reported as `UnknownSubcommand` when the text doesn't parse as a hold, and
///   also for a typo of `release` followed by exactly one word (`/hold relase 3`),
///   which would otherwise hold an app called `relase`.
/// - `release`: a decimal number or `#42` is an ID (so an app named only with digits
///   can't be released by name), `all` is all, anything else an app name.
/// - `help` ignores any words after it; `list` allows none.
pub fn parse_hold(text: &str, ctx: &CommandContext) -> Result<HoldCommand, ParseError> {
    let Some(lead) = lead(text, Form::Hold, SUBCOMMANDS)? else {
        return Ok(HoldCommand::Help);
    };
    let (first, rest) = (lead.first(), lead.rest());
    match lead.subcommand {
        Some(Form::HoldList) => {
            no_more(rest, Form::HoldList)?;
            Ok(HoldCommand::List)
        }
        Some(Form::HoldRelease) => parse_release(rest, ctx),
        Some(_) => Ok(HoldCommand::Help),
        None => {
            let typo = typo_of_subcommand(first, ctx);
            if let Some(
                err @ ParseError::UnknownSubcommand {
                    form: Form::HoldRelease,
                    ..
                },
            ) = &typo
            {
                if rest.len() == 1 {
                    return Err(err.clone());
                }
            }
            parse_create(first, rest, ctx).map_err(|err| typo.unwrap_or(err))
        }
    }
}

/// `APP|all [ENV] REASON... [--until ...]`
fn parse_create(
    first: &str,
    rest: &[&str],
    ctx: &CommandContext,
) -> Result<HoldCommand, ParseError> {
    let form = Form::HoldCreate;
    let scope = if is(first, "all") {
        HoldScope::All
    } else {
        HoldScope::App(resolve_app(first, form, ctx)?)
    };

    let mut until = None;
    let mut words = Vec::with_capacity(rest.len());
    let mut i = 0;
    while let Some(&word) = rest.get(i) {
        match option_name(word) {
            Some(name) if name == "until" => {
                if until.is_some() {
                    return Err(ParseError::UntilRepeated);
                }
                let (instant, used) = parse_until(rest.get(i + 1..).unwrap_or_default(), ctx)?;
                until = Some(instant);
                i += 1 + used;
            }
            Some(name) => return Err(unknown_option(form, word, &name, "--until")),
            None => {
                words.push(word);
                i += 1;
            }
        }
    }

    let (env, reason_words) = match words.split_first() {
        Some((word, more)) => match exact_env(word, ctx) {
            Some(env) => (Some(env), more),
            None => (None, words.as_slice()),
        },
        None => (None, words.as_slice()),
    };
    let reason =
        free_text(reason_words, form, TextKind::Reason)?.ok_or(ParseError::HoldNeedsReason)?;
    Ok(HoldCommand::Create {
        scope,
        env,
        reason,
        until,
    })
}

/// `release APP|all|ID`
fn parse_release(rest: &[&str], ctx: &CommandContext) -> Result<HoldCommand, ParseError> {
    let form = Form::HoldRelease;
    let Some((&word, extra)) = rest.split_first() else {
        return Err(ParseError::MissingReleaseTarget);
    };
    let target = if is(word, "all") {
        ReleaseTarget::All
    } else if looks_like_id(word) {
        ReleaseTarget::Id(parse_id(word, form)?)
    } else {
        ReleaseTarget::App(resolve_app(word, form, ctx)?)
    };
    no_more(extra, form)?;
    Ok(HoldCommand::Release { target })
}

/// The subcommand keywords and the forms they start; `all` is none: it
/// is a scope.
pub(super) const SUBCOMMANDS: &[(&str, Form)] = &[
    ("list", Form::HoldList),
    ("release", Form::HoldRelease),
    ("help", Form::Hold),
];

/// `UnknownSubcommand` if `first` looks like a mistyped subcommand (or one written
/// as an option, `--help`).
fn typo_of_subcommand(first: &str, ctx: &CommandContext) -> Option<ParseError> {
    if is(first, "all") || is_configured_app(first, ctx) {
        return None;
    }
    subcommand_typo(first, SUBCOMMANDS)
}
