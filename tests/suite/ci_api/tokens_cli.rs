//! The CI API's tokens as an operator meets them in the binary: `check-config` says which
//! apps each token may report, and a malformed `BADGER_API_TOKENS` stops start-up naming
//! the entry; neither ever shows a token.

use std::process::{Command, Output};

fn badger(command: &str, vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg(command)
        .env_clear()
        .env("RUST_LOG", "warn")
        .env("BADGER_BIND", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .output()
        .expect("runs")
}

#[test]
fn check_config_names_each_tokens_apps_and_no_token() {
    let out = badger("check-config", &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ci api: off (set BADGER_API_TOKEN or BADGER_API_TOKENS)\n"),
        "{text}"
    );
    let out = badger(
        "check-config",
        &[
            ("BADGER_API_TOKEN", "all-apps-sekrit-0123456789"),
            (
                "BADGER_API_TOKENS",
                "whitehall=wh-sekrit-0123456789,publisher+frontend=pf-sekrit-0123456789",
            ),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ci api: tokens for every app (BADGER_API_TOKEN); whitehall, publisher+frontend (BADGER_API_TOKENS)\n"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("sekrit") && err.is_empty(), "{text}{err}");
}

#[test]
fn a_malformed_entry_stops_start_up_without_showing_its_token() {
    // A token pasted without its app, and a token given for two scopes.
    for (value, said) in [
        (
            "whitehall=sekrit-0123456789abcdef,sekrit-fedcba9876543210",
            "environment variable BADGER_API_TOKENS: entry 2 has no `=`",
        ),
        (
            "whitehall=sekrit-0123456789abcdef,publisher=sekrit-0123456789abcdef",
            "entries 1 (whitehall) and 2 (publisher) have the same token",
        ),
    ] {
        // `serve` reads the settings as `check-config` does, and stops the same way; this
        // one ends even where a bad value would be let through.
        let out = badger("check-config", &[("BADGER_API_TOKENS", value)]);
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{err}");
        assert!(!err.contains("sekrit"), "{err}");
    }
}
