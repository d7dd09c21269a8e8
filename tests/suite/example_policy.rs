//! `badger.example.toml` documents every policy key at its default: it parses, to exactly
//! the built-in policy, and names every key the parser accepts.

use badger::config::Policy;
use std::path::Path;

fn example_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("badger.example.toml")
}

#[test]
fn example_policy_is_the_default_policy() {
    let loaded = Policy::load(&example_path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, Policy::default());
}

/// Every key of the policy file appears in the example (commented out if it needs a
/// file of its own): a new key without documentation fails here.
#[test]
fn example_policy_shows_every_key() {
    let text = std::fs::read_to_string(example_path()).unwrap();
    let keys = badger::config::WEEKDAYS.into_iter().chain([
        "channel",
        "timezone",
        "admins",
        "commands",
        "deploy",
        "hold",
        "apps",
        "[[environments]]",
        "name",
        "window",
        "requires_previous",
        "deployers",
        "smoke_urls",
        "smoke_timeout_secs",
        "[window]",
        "bank_holidays",
        "closed_dates",
        "bank_holidays_file",
        "[[window.freezes]]",
        "from",
        "to",
        "[queue]",
        "turn_timeout_minutes",
        "checklist",
        "stay_minutes",
        "[github]",
        "users",
        "report_minutes",
        "[github.repos]",
        "repo",
        "workflow",
        "trigger",
        "deployment_input",
    ]);
    for key in keys {
        let shown = text.lines().any(|l| {
            let l = l.trim_start_matches("# ").trim();
            l.starts_with(key)
                || l.contains(&format!("{{ {key} ="))
                || l.contains(&format!(", {key} ="))
        });
        assert!(shown, "badger.example.toml does not show `{key}`");
    }
    // The commented-out key is valid when uncommented (with a file to read).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bank-holidays.json"),
        r#"{"england-and-wales": {"division": "england-and-wales", "events": []}}"#,
    )
    .unwrap();
    let mut uncommented = text.replace("# bank_holidays_file =", "bank_holidays_file =");
    for key in ["[[window.freezes]]", "name = \"Christmas", "from =", "to ="] {
        uncommented = uncommented.replace(&format!("# {key}"), key);
    }
    std::fs::write(dir.path().join("badger.toml"), uncommented).unwrap();
    let p = Policy::load(&dir.path().join("badger.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.holidays_file.as_deref(),
        Some(dir.path().join("bank-holidays.json").as_path())
    );
    let freeze = &p.calendar.freezes[..];
    assert_eq!(freeze.len(), 1, "{freeze:?}");
    assert_eq!(freeze[0].name, "Christmas change freeze");
}
