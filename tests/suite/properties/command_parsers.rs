//! The `/deploy` and `/hold` parser properties: the contract every parse result keeps,
//! on arbitrary and on near-valid text.

use super::command_text::{command_case, deploy_words, hold_words};
use super::world::{world, World};
use super::*;
use badger::command::{
    parse_deploy, parse_hold, DeployCommand, HoldCommand, HoldScope, ParseError, ReleaseTarget,
    MAX_INPUT_CHARS, MAX_TEXT_CHARS,
};
use badger::domain::names::{AppName, EnvName};

/// The words the parsers see: split on whitespace and control characters (the contract).
fn words_of(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A note or reason: 1 to MAX_TEXT_CHARS characters, single spaces between words, no other
/// whitespace and no control characters.
fn check_free_text(what: &str, text: &str) -> Result<(), TestCaseError> {
    let len = chars(text);
    prop_assert!(
        (1..=MAX_TEXT_CHARS).contains(&len),
        "{what} of {len} chars: {text:?}"
    );
    prop_assert!(
        !text.starts_with(' ') && !text.ends_with(' ') && !text.contains("  "),
        "{what} has stray spaces: {text:?}"
    );
    prop_assert!(
        text.chars()
            .all(|c| c == ' ' || !(c.is_whitespace() || c.is_control())),
        "{what} has whitespace or control characters: {text:?}"
    );
    Ok(())
}

fn check_env(world: &World, env: &EnvName) -> Result<(), TestCaseError> {
    prop_assert!(
        world.envs.contains(env),
        "{env} is not one of {:?}",
        world.envs
    );
    Ok(())
}

fn check_app(world: &World, app: &AppName) -> Result<(), TestCaseError> {
    prop_assert!(
        world.apps.is_empty() || world.apps.contains(app),
        "{app} is not one of {:?}",
        world.apps
    );
    prop_assert!(AppName::parse(app.as_str()).is_ok());
    Ok(())
}

/// What every parse error must allow: a message, usage and `Display`, none of them empty
/// and none echoing unbounded input.
fn check_error(world: &World, err: &ParseError) -> Result<(), TestCaseError> {
    let ctx = world.ctx();
    let message = err.message(&ctx);
    let usage = err.usage(&ctx);
    let display = err.to_string();
    prop_assert!(!message.is_empty() && !usage.is_empty() && !display.is_empty());
    prop_assert!(
        chars(&message) <= 1_000,
        "message of {} chars: {message}",
        chars(&message)
    );
    Ok(())
}

/// The rules both parsers keep: over-long text is `InputTooLong`, and text that is empty
/// or starts with `help` is the `help` command. Returns the words of `text`.
fn check_length_and_help<'t, C: PartialEq + std::fmt::Debug>(
    text: &'t str,
    result: &Result<C, ParseError>,
    help: C,
) -> Result<Vec<&'t str>, TestCaseError> {
    let words = words_of(text);
    if chars(text) > MAX_INPUT_CHARS {
        prop_assert!(
            matches!(result, Err(ParseError::InputTooLong { .. })),
            "{result:?}"
        );
    } else if words.first().is_none_or(|w| w.eq_ignore_ascii_case("help")) {
        prop_assert_eq!(result, &Ok(help));
    }
    Ok(words)
}

fn check_deploy(world: &World, text: &str) -> Outcome {
    let result = parse_deploy(text, &world.ctx());
    let words = check_length_and_help(text, &result, DeployCommand::Help)?;
    match &result {
        Ok(DeployCommand::Request {
            app,
            git_ref,
            env,
            note,
        }) => {
            check_env(world, env)?;
            check_app(world, app)?;
            prop_assert_eq!(words[0], app.as_str());
            prop_assert_eq!(words[1], git_ref.as_str());
            let env_word = if words[2].eq_ignore_ascii_case("to") {
                words[3]
            } else {
                words[2]
            };
            prop_assert!(env.as_str().eq_ignore_ascii_case(env_word));
            if let Some(note) = note {
                check_free_text("note", note)?;
            }
        }
        Ok(DeployCommand::Emergency {
            app, env, reason, ..
        }) => {
            check_env(world, env)?;
            check_app(world, app)?;
            check_free_text("reason", reason)?;
        }
        Ok(DeployCommand::Done { note: Some(text) })
        | Ok(DeployCommand::Failed { reason: Some(text) }) => check_free_text("text", text)?,
        Ok(DeployCommand::Cancel { id: Some(id) }) => prop_assert!(*id > 0),
        Ok(DeployCommand::Status { env: Some(env) }) => check_env(world, env)?,
        Ok(DeployCommand::Versions { app: Some(app) }) => check_app(world, app)?,
        Ok(_) => {}
        Err(err) => check_error(world, err)?,
    }
    Ok(label(&result))
}

fn check_hold(world: &World, text: &str) -> Outcome {
    let result = parse_hold(text, &world.ctx());
    let words = check_length_and_help(text, &result, HoldCommand::Help)?;
    match &result {
        Ok(HoldCommand::Release { target }) => match target {
            ReleaseTarget::Id(id) => prop_assert!(*id > 0),
            ReleaseTarget::App(app) => check_app(world, app)?,
            ReleaseTarget::All => {}
        },
        Ok(HoldCommand::Create {
            scope,
            env,
            reason,
            until,
        }) => {
            match scope {
                HoldScope::App(app) => {
                    check_app(world, app)?;
                    prop_assert!(!app.as_str().eq_ignore_ascii_case("all"));
                }
                HoldScope::All => prop_assert!(words[0].eq_ignore_ascii_case("all")),
            }
            if let Some(env) = env {
                check_env(world, env)?;
            }
            check_free_text("reason", reason)?;
            if let Some(until) = until {
                prop_assert!(*until > world.now, "{until} is not after {}", world.now);
                // Every form (a date alone too) keeps the same horizon.
                prop_assert!(*until - world.now <= chrono::Duration::days(366), "{until}");
            }
        }
        Ok(_) => {}
        Err(err) => check_error(world, err)?,
    }
    Ok(label(&result))
}

#[test]
fn deploy_parser_survives_arbitrary_text() {
    check(
        "deploy/arbitrary",
        (world(), any_text()),
        |(world, text)| check_deploy(&world, &text),
    );
}

#[test]
fn deploy_parser_keeps_its_contract_on_near_valid_text() {
    check(
        "deploy/structured",
        command_case(deploy_words),
        |(world, text)| check_deploy(&world, &text),
    );
}

#[test]
fn hold_parser_survives_arbitrary_text() {
    check("hold/arbitrary", (world(), any_text()), |(world, text)| {
        check_hold(&world, &text)
    });
}

#[test]
fn hold_parser_keeps_its_contract_on_near_valid_text() {
    check(
        "hold/structured",
        command_case(hold_words),
        |(world, text)| check_hold(&world, &text),
    );
}
