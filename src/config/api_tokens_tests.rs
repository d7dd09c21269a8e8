//! Unit tests of `BADGER_API_TOKENS` as settings read it: entries and their scopes, every
//! malformed entry refused naming the variable and the entry but never a token, and tokens
//! kept out of `Debug` and warnings.

use super::*;
use crate::config::{Policy, Settings};
use std::collections::HashMap;

const LONG_A: &str = "token-a-0123456789abcdef";
const LONG_B: &str = "token-b-0123456789abcdef==";

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_vars(|k| map.get(k).cloned()).map_err(|e| e.to_string())
}

fn tokens(value: &str) -> Result<Vec<ScopedToken>, String> {
    settings(&[(API_TOKENS_VAR, value)]).map(|s| s.api_tokens)
}

fn app(name: &str) -> AppName {
    AppName::parse(name).unwrap()
}

#[test]
fn entries_give_each_token_its_apps() {
    let value = format!(" whitehall={LONG_A},\n publisher + frontend = {LONG_B} ");
    let t = tokens(&value).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].apps, vec![app("whitehall")]);
    assert_eq!(t[0].token, LONG_A);
    // Split at the first `=`: base64 padding stays in the token.
    assert_eq!(t[1].apps, vec![app("publisher"), app("frontend")]);
    assert_eq!(t[1].token, LONG_B);
    assert_eq!(
        t[1].scope(),
        CiScope::Apps(vec![app("publisher"), app("frontend")])
    );
    // One app may have several tokens (two pipelines, or a token being replaced).
    let two = tokens(&format!("whitehall={LONG_A},whitehall={LONG_B}")).unwrap();
    assert_eq!(two.len(), 2);
    // Unset or empty: none, and the write API is on only with BADGER_API_TOKEN.
    let none = settings(&[(API_TOKENS_VAR, "  ")]).unwrap();
    assert!(none.api_tokens.is_empty() && !none.write_api_on());
    assert!(settings(&[(API_TOKENS_VAR, &value)])
        .unwrap()
        .write_api_on());
    assert!(settings(&[("BADGER_API_TOKEN", LONG_A)])
        .unwrap()
        .write_api_on());
}

/// Each bad value stops start-up with an error that names the variable and the entry, and
/// shows no token, not even one written where an app name goes.
#[test]
fn malformed_entries_are_named_without_their_tokens() {
    let secret = "Sup3r-Secret-Token-Value";
    for (value, said) in [
        (secret.to_owned(), "entry 1 has no `=`"),
        (format!("whitehall={LONG_A},{secret}"), "entry 2 has no `=`"),
        (
            format!("whitehall={secret},,publisher={LONG_B}"),
            "entry 2 is empty",
        ),
        (format!("whitehall={secret},"), "entry 2 is empty"),
        (
            "whitehall=".to_owned(),
            "entry 1 (whitehall) has an empty token",
        ),
        (
            format!("whitehall+publisher= ,x={secret}"),
            "entry 1 (whitehall+publisher) has an empty token",
        ),
        (
            format!("={secret}"),
            "entry 1: app 1 before `=` is not an application name",
        ),
        (
            format!("{secret}=whitehall"),
            "entry 1: app 1 before `=` is not an application name",
        ),
        (
            format!("whitehall+White Hall={secret}"),
            "entry 1: app 2 before `=`",
        ),
        (
            format!("whitehall++publisher={secret}"),
            "entry 1: app 2 before `=`",
        ),
        (
            format!("whitehall+whitehall={secret}"),
            "entry 1 names whitehall twice",
        ),
        (
            format!("whitehall={secret} more"),
            "entry 1 (whitehall): its token holds a space",
        ),
        (format!("whitehall={secret}é"), "not printable ASCII"),
    ] {
        let e = tokens(&value).unwrap_err();
        assert!(
            e.starts_with("environment variable BADGER_API_TOKENS: "),
            "{value}: {e}"
        );
        assert!(e.contains(said), "{value}: {e}");
        assert!(!e.contains(secret), "{value}: the error shows a token: {e}");
    }
}

#[test]
fn a_token_has_one_scope() {
    let value = format!("whitehall={LONG_A},frontend={LONG_B},publisher={LONG_A}");
    let e = tokens(&value).unwrap_err();
    assert!(
        e.contains("entries 1 (whitehall) and 3 (publisher) have the same token"),
        "{e}"
    );
    assert!(e.contains("whitehall+publisher=TOKEN"), "{e}");
    assert!(!e.contains(LONG_A), "{e}");
    // The same entry twice is no better.
    let e = tokens(&format!("whitehall={LONG_A},whitehall={LONG_A}")).unwrap_err();
    assert!(e.contains("entries 1 (whitehall) and 2 (whitehall)"), "{e}");
    // Nor is the all-apps token given a scope as well.
    let e = settings(&[
        ("BADGER_API_TOKEN", LONG_A),
        (
            API_TOKENS_VAR,
            &format!("frontend={LONG_B},whitehall={LONG_A}"),
        ),
    ])
    .unwrap_err();
    assert!(
        e.contains("entry 2 (whitehall) has the same token as BADGER_API_TOKEN"),
        "{e}"
    );
    assert!(!e.contains(LONG_A), "{e}");
    // Different tokens beside the all-apps one are fine.
    let both = settings(&[
        ("BADGER_API_TOKEN", LONG_A),
        (API_TOKENS_VAR, &format!("whitehall={LONG_B}")),
    ])
    .unwrap();
    assert_eq!(both.api_token.as_deref(), Some(LONG_A));
    assert_eq!(both.api_tokens.len(), 1);
}

#[test]
fn debug_shows_the_apps_and_no_token() {
    let s = settings(&[
        ("BADGER_API_TOKEN", LONG_A),
        (API_TOKENS_VAR, &format!("whitehall+publisher={LONG_B}")),
    ])
    .unwrap();
    let dbg = format!("{s:?}");
    assert!(!dbg.contains(LONG_A) && !dbg.contains(LONG_B), "{dbg}");
    assert!(!dbg.contains("token-b"), "{dbg}");
    assert!(dbg.contains("whitehall+publisher"), "{dbg}");
    let one = format!("{:?}", s.api_tokens[0]);
    assert!(
        one.contains("<redacted>") && !one.contains("token-b"),
        "{one}"
    );
}

/// As with BADGER_API_TOKEN, a short token works and is warned of; an app the policy does
/// not list is warned of too (its reports would be refused). No warning shows a token.
#[test]
fn short_tokens_and_unlisted_apps_are_warned_of() {
    let mut s = settings(&[(
        API_TOKENS_VAR,
        &format!("whitehall={LONG_A},frontend=short-tok"),
    )])
    .unwrap();
    let w = s.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("BADGER_API_TOKENS: the token of entry 2 (frontend) is shorter than 16"),
        "{w:?}"
    );
    assert!(!w[0].contains("short-tok"), "{w:?}");
    s.policy = Policy::from_toml("apps = [\"whitehall\"]", "policy.toml").unwrap();
    let w = s.warnings();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[1].contains("entry 2 names frontend, which is not one of the policy's `apps`"),
        "{w:?}"
    );
    let long = settings(&[(API_TOKENS_VAR, &format!("whitehall={LONG_A}"))]).unwrap();
    assert!(long.warnings().is_empty());
}
