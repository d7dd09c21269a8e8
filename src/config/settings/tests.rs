//! Unit tests of settings from the environment: local and connected modes, redacted
//! secrets, and errors that name the variable.

use super::*;
use std::collections::HashMap;

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_vars(|k| map.get(k).cloned())
}

#[test]
fn local_mode_without_token() {
    let s = settings(&[]).unwrap();
    assert!(matches!(s.slack, SlackMode::Local { .. }));
    assert_eq!(s.database_url, "sqlite://badger.db");
    assert_eq!(s.bind, "127.0.0.1:3000");
    assert_eq!(s.slack_api_url, "https://slack.com/api");
    assert!(s.api_token.is_none());
}

#[test]
fn token_needs_secret_and_secrets_are_not_printed() {
    let e = settings(&[("SLACK_BOT_TOKEN", "xoxb-1")]).unwrap_err();
    assert!(e.to_string().contains("SLACK_SIGNING_SECRET"));
    let s = settings(&[
        ("SLACK_BOT_TOKEN", "xoxb-secret-token"),
        ("SLACK_SIGNING_SECRET", "topsecret"),
        ("BADGER_API_TOKEN", "api-token-0123456789"),
        ("DATABASE_URL", "postgres://u:pw@localhost/db"),
    ])
    .unwrap();
    let dbg = format!("{s:?}");
    for secret in [
        "xoxb-secret-token",
        "topsecret",
        "api-token-0123456789",
        ":pw@",
    ] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
}

#[test]
fn public_url_is_optional_and_loses_its_trailing_slash() {
    assert_eq!(settings(&[]).unwrap().public_url, None);
    let s = settings(&[("BADGER_PUBLIC_URL", " https://badger.example.com/ ")]).unwrap();
    assert_eq!(s.public_url.as_deref(), Some("https://badger.example.com"));
}

#[test]
fn bad_values_name_the_variable() {
    for (k, v) in [
        ("SLACK_API_URL", "ftp://x"),
        ("DATABASE_URL", "mysql://x"),
        ("BADGER_BIND", "localhost"),
        ("BADGER_CONFIG", "/nonexistent/badger.toml"),
        ("BADGER_OUTBOX_LEASE_SECS", "0"),
        ("BADGER_SLACK_TIMEOUT_SECS", "0"),
        ("BADGER_SLACK_TIMEOUT_SECS", "ten"),
        ("BADGER_SLACK_TIMEOUT_SECS", "301"),
        ("BADGER_PUBLIC_URL", "badger.example.com"),
        ("BADGER_PUBLIC_URL", "https://x/|<!channel>"),
    ] {
        let e = settings(&[(k, v)]).unwrap_err().to_string();
        let named =
            e.contains(k) || (k == "BADGER_CONFIG" && e.contains("/nonexistent/badger.toml"));
        assert!(named, "{k}: {e}");
    }
    // A hostname is the likely mistake: said so.
    let e = settings(&[("BADGER_BIND", "localhost:3000")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("hostnames are not accepted"), "{e}");
    for pairs in [
        &[("SLACK_APP_TOKEN", "xapp-1")][..],
        &[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "s"),
            ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ],
    ] {
        let e = settings(pairs).unwrap_err().to_string();
        assert!(e.contains("SLACK_APP_TOKEN"), "{e}");
    }
    let s = settings(&[
        ("SLACK_BOT_TOKEN", "xoxb-1"),
        ("SLACK_SIGNING_SECRET", "s"),
        ("SLACK_APP_TOKEN", "xapp-1-secret-app-token"),
    ])
    .unwrap();
    assert!(matches!(
        s.slack,
        SlackMode::Connected {
            app_token: Some(_),
            ..
        }
    ));
    assert!(!format!("{s:?}").contains("xapp-1-secret-app-token"));
    let e = settings(&[
        ("SLACK_BOT_TOKEN", "xoxp-user"),
        ("SLACK_SIGNING_SECRET", "s"),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("SLACK_BOT_TOKEN"));
}

#[test]
fn slack_timeout_defaults_to_ten_seconds_and_the_lease_must_outlast_it() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.slack_timeout, std::time::Duration::from_secs(10));
    assert_eq!(s.outbox_lease, std::time::Duration::from_secs(60));
    let s = settings(&[
        ("BADGER_SLACK_TIMEOUT_SECS", "2"),
        ("BADGER_OUTBOX_LEASE_SECS", "3"),
    ])
    .unwrap();
    assert_eq!(s.slack_timeout, std::time::Duration::from_secs(2));
    for (timeout, lease) in [("10", "10"), ("10", "5"), ("30", "20")] {
        let e = settings(&[
            ("BADGER_SLACK_TIMEOUT_SECS", timeout),
            ("BADGER_OUTBOX_LEASE_SECS", lease),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("BADGER_OUTBOX_LEASE_SECS")
                && e.contains("longer than BADGER_SLACK_TIMEOUT_SECS"),
            "{e}"
        );
    }
    // The default timeout applies when only the lease is set.
    assert!(settings(&[("BADGER_OUTBOX_LEASE_SECS", "5")]).is_err());
}

/// The contract puts no length on the token: a short one works, and is warned of.
#[test]
fn a_short_api_token_enables_the_api_with_a_warning() {
    let s = settings(&[("BADGER_API_TOKEN", "test-token")]).unwrap();
    assert_eq!(s.api_token.as_deref(), Some("test-token"));
    let w = s.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("BADGER_API_TOKEN is shorter than 16"),
        "{w:?}"
    );
    assert!(
        !w[0].contains("test-token"),
        "the token itself is never shown"
    );
    let long = settings(&[("BADGER_API_TOKEN", "0123456789abcdef")]).unwrap();
    assert!(long.warnings().is_empty());
    assert!(settings(&[]).unwrap().warnings().is_empty());
}

#[test]
fn database_passwords_are_redacted_wherever_they_are_written() {
    for (url, secret) in [
        ("postgres://u:s3cret@h/db", "s3cret"),
        (
            "postgres://u@h/db?sslmode=require&password=s3cret",
            "s3cret",
        ),
        ("postgres://u@h/db?PASSWORD=s3cret", "s3cret"),
        // Passwords the URL parser refuses (generated secrets often hold `/`, `#`, `?`).
        (
            "postgres://badger:ab/cd+ef==@db.internal:5432/badger",
            "ab/cd+ef==",
        ),
        ("postgres://badger:p#ss@db/badger", "p#ss"),
        ("postgres://badger:p?ss@db/badger", "p?ss"),
        ("postgres://u@h:bad/db?password=s3cret&x=1", "s3cret"),
    ] {
        let shown = super::redact_url(url);
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    assert!(super::redact_url("postgres://u@h/db?sslmode=require").contains("sslmode=require"));
    assert_eq!(
        super::redact_url("sqlite://badger.db"),
        "sqlite://badger.db"
    );
}

/// Connected, with the CI API on but no deploy channel, every CI report would be refused:
/// said at start. Local mode has the console's channel, so nothing is said there.
#[test]
fn the_ci_api_without_a_deploy_channel_is_warned_of_when_connected() {
    let token = ("BADGER_API_TOKEN", "0123456789abcdef");
    let connected = [
        ("SLACK_BOT_TOKEN", "xoxb-1"),
        ("SLACK_SIGNING_SECRET", "s"),
        token,
    ];
    let w = settings(&connected).unwrap().warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("CI reports") && w[0].contains("until `channel` is set"),
        "{w:?}"
    );
    assert!(settings(&[token]).unwrap().warnings().is_empty());
    assert!(settings(&connected[..2]).unwrap().warnings().is_empty());
    let mut with_channel = settings(&connected).unwrap();
    with_channel.policy.channel = Some("C0123456789".into());
    assert!(with_channel.warnings().is_empty());
}

/// An environment only its deployers may deploy to, and no admins: nobody can add a
/// deployer or deploy for anyone there, and holds without --until outlive their owner's
/// absence. Said at start and by check-config; with an admin, nothing is said.
#[test]
fn deployers_without_admins_are_warned_of() {
    let restricted = r#"
[[environments]]
name = "integration"
[[environments]]
name = "production"
deployers = ["U0ALICE"]
"#;
    let mut s = settings(&[]).unwrap();
    s.policy = Policy::from_toml(restricted, "policy.toml").unwrap();
    let w = s.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "environment `production` lets only its `deployers` deploy, but `admins` is empty"
        ),
        "{w:?}"
    );
    assert!(w[0].contains("released only by its owner"), "{w:?}");
    let with_admin = format!("admins = [\"U0ADMIN\"]\n{restricted}");
    s.policy = Policy::from_toml(&with_admin, "policy.toml").unwrap();
    assert!(s.warnings().is_empty());
}
