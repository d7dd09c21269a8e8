//! Fixtures and snapshot rendering shared by the parser tests.

use std::fmt::Debug;
use std::sync::LazyLock;

use chrono::{TimeZone, Utc};

use super::{CommandContext, ParseError};
use crate::domain::names::{AppName, EnvName};

static ENVIRONMENTS: LazyLock<Vec<EnvName>> = LazyLock::new(|| {
    ["integration", "staging", "production"]
        .map(EnvName::new_unchecked)
        .to_vec()
});

static APPS: LazyLock<Vec<AppName>> = LazyLock::new(|| {
    "whitehall publisher collections-publisher content-store search-api router"
        .split(' ')
        .map(|name| AppName::parse(name).expect("valid fixture app"))
        .collect()
});

/// `/deploy` and `/hold`, three environments, any app, at 2026-11-24 10:00 GMT.
pub(crate) fn ctx() -> CommandContext<'static> {
    CommandContext {
        deploy_command: "/deploy",
        hold_command: "/hold",
        environments: &ENVIRONMENTS,
        apps: &[],
        tz: chrono_tz::Europe::London,
        now: Utc
            .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .single()
            .expect("valid fixture time"),
    }
}

/// As [`ctx`], with a list of allowed apps.
pub(crate) fn ctx_apps() -> CommandContext<'static> {
    CommandContext {
        apps: &APPS,
        ..ctx()
    }
}

/// As [`ctx_apps`], with the commands registered as `/ship` and `/freeze`.
pub(crate) fn ctx_custom() -> CommandContext<'static> {
    CommandContext {
        deploy_command: "/ship",
        hold_command: "/freeze",
        ..ctx_apps()
    }
}

/// Writes a file snapshot `src/command/snapshots/{name}.snap`.
pub(crate) fn snapshot(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, value));
}

/// The input, the parse result and, for an error, its message and usage.
pub(crate) fn render<T: Debug>(
    command: &str,
    input: &str,
    result: &Result<T, ParseError>,
    ctx: &CommandContext,
) -> String {
    let mut out = format!("input: {command} {}\n", show_input(input));
    match result {
        Ok(parsed) => out.push_str(&format!("ok: {parsed:#?}\n")),
        Err(err) => {
            let message = err.message(ctx);
            let usage = err.usage(ctx);
            assert!(!message.is_empty() && !usage.is_empty());
            out.push_str(&format!(
                "error: {err:#?}\nmessage: {message}\nusage:\n{usage}\n"
            ));
        }
    }
    out
}

/// The input as a Rust string literal, cut short if it is long.
fn show_input(input: &str) -> String {
    let len = input.chars().count();
    if len > 120 {
        let head: String = input.chars().take(60).collect();
        format!("{head:?}… ({len} characters)")
    } else {
        format!("{input:?}")
    }
}

/// One snapshot test per case: `parse` reads each `name: input` under the context fixture
/// `ctx`, and the result, as [`render`]ed for the `command` field, is the `{prefix}_{name}`
/// snapshot.
macro_rules! snapshot_cases {
    ($parse:ident, $prefix:literal, $command:ident;
     $($ctx:ident { $($name:ident: $input:expr,)* })*) => {$($(
        #[test]
        fn $name() {
            let input: String = ($input).into();
            let ctx = $ctx();
            let result = $parse(&input, &ctx);
            $crate::command::test_support::snapshot(
                &format!("{}_{}", $prefix, stringify!($name)),
                &$crate::command::test_support::render(ctx.$command, &input, &result, &ctx),
            );
        }
    )*)*};
}
pub(crate) use snapshot_cases;
