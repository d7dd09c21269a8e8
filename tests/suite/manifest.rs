//! `manifest.yml` is a valid Slack app manifest and declares exactly what badger uses: its
//! commands, the routes Slack calls, the bot events it handles and the scopes it needs.
//!
//! The schema is Slack's official app manifest JSON Schema (draft-07), vendored at
//! `tests/fixtures/slack-manifest.schema.json` (source and licence in tests/fixtures/README.md).

use crate::support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use badger::command::{deploy_help, hold_help};
use badger::config::Policy;
use badger::slack::needs::{APP_HOME_OPENED, BOT_EVENTS, BOT_SCOPES, COMMANDS_ROUTE, SLACK_ROUTES};
use serde_json::Value;
use support::db::Backend;
use support::driver::TestApp;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn manifest() -> Value {
    let text = read(crate_root().join("manifest.yml"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("manifest.yml is not valid YAML: {e}"))
}

fn schema() -> Value {
    let text = read(crate_root().join("tests/fixtures/slack-manifest.schema.json"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the schema is not valid JSON: {e}"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&schema())
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// Why `instance` is invalid, one line per error; empty when it is valid.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("manifest.yml has no string at {pointer}"))
}

fn strings_at(value: &Value, pointer: &str) -> BTreeSet<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("manifest.yml has no list at {pointer}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{pointer} holds a non-string"))
                .to_owned()
        })
        .collect()
}

fn set(items: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// The path of an `https://` URL.
fn https_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("{url} is not an https:// URL"));
    rest.find('/').map_or("/", |slash| &rest[slash..])
}

fn slash_commands(manifest: &Value) -> &Vec<Value> {
    manifest
        .pointer("/features/slash_commands")
        .and_then(Value::as_array)
        .expect("manifest.yml has features.slash_commands")
}

/// Every request URL in the manifest: commands, interactivity, events.
fn request_urls(manifest: &Value) -> Vec<String> {
    let mut urls: Vec<String> = slash_commands(manifest)
        .iter()
        .map(|c| str_at(c, "/url").to_owned())
        .collect();
    urls.push(str_at(manifest, "/settings/interactivity/request_url").to_owned());
    urls.push(str_at(manifest, "/settings/event_subscriptions/request_url").to_owned());
    urls
}

#[test]
fn manifest_validates_against_slacks_schema() {
    let validator = validator();
    let problems = errors(&validator, &manifest());
    assert!(
        problems.is_empty(),
        "manifest.yml does not match Slack's schema:\n{}",
        problems.join("\n")
    );
}

#[test]
fn schema_check_is_not_vacuous() {
    let validator = validator();
    let schema = schema();
    assert_eq!(schema["title"], "App Manifest");

    let mut unknown_key = manifest();
    unknown_key["settings"]["not_a_setting"] = Value::Bool(true);
    assert!(!errors(&validator, &unknown_key).is_empty());

    let mut bad_command = manifest();
    bad_command["features"]["slash_commands"][0]["command"] = Value::from("deploy");
    assert!(!errors(&validator, &bad_command).is_empty());

    let mut no_display = manifest();
    if let Some(object) = no_display.as_object_mut() {
        object.remove("display_information");
    }
    assert!(!errors(&validator, &no_display).is_empty());
}

/// The Socket Mode variant documented in manifest.yml (and docs/operator-guide.md):
/// `socket_mode_enabled: true` and no request URLs. It must be a valid manifest too.
#[test]
fn socket_mode_variant_validates() {
    let mut m = manifest();
    m["settings"]["socket_mode_enabled"] = Value::Bool(true);
    for c in m["features"]["slash_commands"]
        .as_array_mut()
        .expect("slash_commands")
    {
        c.as_object_mut().expect("command").remove("url");
    }
    for section in ["interactivity", "event_subscriptions"] {
        m["settings"][section]
            .as_object_mut()
            .expect("section")
            .remove("request_url");
    }
    let problems = errors(&validator(), &m);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The comment in manifest.yml says how; keep it there.
    let text = read(crate_root().join("manifest.yml"));
    assert!(
        text.contains("socket_mode_enabled: true"),
        "manifest.yml documents Socket Mode"
    );
    assert!(
        text.contains("SLACK_APP_TOKEN"),
        "manifest.yml names SLACK_APP_TOKEN"
    );
}

#[test]
fn display_information_and_bot_user() {
    let manifest = manifest();
    assert_eq!(str_at(&manifest, "/display_information/name"), "badger");
    assert!(!str_at(&manifest, "/display_information/description").is_empty());
    assert!(!str_at(&manifest, "/features/bot_user/display_name").is_empty());
}

/// The manifest's commands are badger's default command names, all posting to the
/// commands route, each with a description and a usage hint.
#[test]
fn slash_commands_are_exactly_badgers() {
    let manifest = manifest();
    let policy = Policy::default();
    let declared = set(slash_commands(&manifest)
        .iter()
        .map(|c| str_at(c, "/command").to_owned()));
    assert_eq!(
        declared,
        set([policy.deploy_command.clone(), policy.hold_command.clone()])
    );
    for command in slash_commands(&manifest) {
        let name = str_at(command, "/command");
        assert_eq!(
            https_path(str_at(command, "/url")),
            COMMANDS_ROUTE,
            "{name}"
        );
        assert!(!str_at(command, "/description").is_empty(), "{name}");
        assert!(!str_at(command, "/usage_hint").is_empty(), "{name}");
    }
}

/// Each command's usage hint (what Slack shows while it is typed) names every subcommand
/// its help lists, so a new one (`history`) is not left out of it.
#[test]
fn usage_hints_name_every_subcommand_of_the_help() {
    let manifest = manifest();
    support::parser::with_default_context(|ctx, policy| {
        for (name, help) in [
            (&policy.deploy_command, deploy_help(ctx)),
            (&policy.hold_command, hold_help(ctx)),
        ] {
            let command = slash_commands(&manifest)
                .iter()
                .find(|c| str_at(c, "/command") == name.as_str())
                .unwrap_or_else(|| panic!("manifest.yml has no {name}"));
            let hint = str_at(command, "/usage_hint");
            let first_word = |form: &str| form.split(' ').next().unwrap_or("").to_owned();
            let hinted: BTreeSet<String> = hint.split(" | ").map(first_word).collect();
            let prefix = format!("• `{name} ");
            // Subcommands are the lower-case words that start a form ("versions [APP]").
            let subcommands: BTreeSet<String> = help
                .lines()
                .filter_map(|l| l.strip_prefix(&prefix)?.split_once("`:").map(|(f, _)| f))
                .map(first_word)
                .filter(|word| word.starts_with(|c: char| c.is_ascii_lowercase()))
                .collect();
            assert!(subcommands.len() >= 3, "{subcommands:?}");
            let missing: Vec<_> = subcommands.difference(&hinted).collect();
            assert!(
                missing.is_empty(),
                "{name}'s usage hint lacks {missing:?}: {hint}"
            );
        }
    });
}

#[test]
fn request_urls_are_exactly_badgers_slack_routes() {
    let manifest = manifest();
    assert_eq!(
        manifest.pointer("/settings/interactivity/is_enabled"),
        Some(&Value::Bool(true))
    );
    let urls = request_urls(&manifest);
    let paths = set(urls.iter().map(|u| https_path(u).to_owned()));
    assert_eq!(paths, set(SLACK_ROUTES.iter().copied()));
    // All go to the same host.
    let host = |url: &str| url.trim_end_matches(https_path(url)).to_owned();
    let hosts = set(urls.iter().map(|u| host(u)));
    assert_eq!(hosts.len(), 1, "{hosts:?}");
}

#[test]
fn bot_events_are_exactly_those_badger_handles() {
    let manifest = manifest();
    assert_eq!(
        strings_at(&manifest, "/settings/event_subscriptions/bot_events"),
        set(BOT_EVENTS.iter().copied())
    );
    assert!(manifest
        .pointer("/settings/event_subscriptions/user_events")
        .is_none());
}

/// badger publishes a Home tab on `app_home_opened`, so the manifest enables the tab; the
/// Messages tab stays writable, for commands typed in a direct message with badger.
#[test]
fn the_home_tab_is_enabled_because_badger_publishes_it() {
    let manifest = manifest();
    assert!(BOT_EVENTS.contains(&APP_HOME_OPENED));
    assert_eq!(
        manifest.pointer("/features/app_home/home_tab_enabled"),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        manifest.pointer("/features/app_home/messages_tab_enabled"),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        manifest.pointer("/features/app_home/messages_tab_read_only_enabled"),
        Some(&Value::Bool(false))
    );
}

#[test]
fn bot_scopes_are_exactly_those_badger_needs() {
    let manifest = manifest();
    assert_eq!(
        strings_at(&manifest, "/oauth_config/scopes/bot"),
        set(BOT_SCOPES.iter().map(|(scope, _)| *scope))
    );
    assert!(manifest.pointer("/oauth_config/scopes/user").is_none());
}

/// The routes the manifest points Slack at are served by badger's real router: an unsigned
/// request to each gets 401 (the route exists and checks signatures), an unknown one 404.
#[tokio::test]
async fn the_router_serves_every_route_the_manifest_names() {
    let t = TestApp::start(Backend::Sqlite).await;
    let manifest = manifest();
    for url in request_urls(&manifest) {
        let path = https_path(&url);
        let status = t
            .http
            .post(format!("{}{path}", t.base))
            .body("text=x")
            .send()
            .await
            .expect("badger answers")
            .status();
        assert_eq!(status, 401, "{path}");
    }
    let status = t
        .http
        .post(format!("{}/slack/not-a-route", t.base))
        .send()
        .await
        .expect("badger answers")
        .status();
    assert_eq!(status, 404);
    t.stop().await;
}
