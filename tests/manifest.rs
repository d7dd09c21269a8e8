//! `manifest.yml` is a valid Slack app manifest and matches badger's routes.
//!
//! The schema is Slack's official app manifest JSON Schema (draft-07), kept in the project's
//! shared data at `../shared/slack/manifest.schema.json` next to the crate.

use std::path::PathBuf;

use serde_json::Value;

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
    let text = read(crate_root().join("../shared/slack/manifest.schema.json"));
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

/// The path of an `https://` URL.
fn https_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("{url} is not an https:// URL"));
    rest.find('/').map_or("/", |slash| &rest[slash..])
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

#[test]
fn display_information_and_bot_user() {
    let manifest = manifest();
    assert_eq!(str_at(&manifest, "/display_information/name"), "badger");
    assert!(!str_at(&manifest, "/display_information/description").is_empty());
    assert!(!str_at(&manifest, "/features/bot_user/display_name").is_empty());
}

#[test]
fn slash_commands_deploy_and_hold_post_to_slack_commands() {
    let manifest = manifest();
    let commands = manifest
        .pointer("/features/slash_commands")
        .and_then(Value::as_array)
        .expect("manifest.yml has features.slash_commands");
    for name in ["/deploy", "/hold"] {
        let command = commands
            .iter()
            .find(|c| c["command"] == name)
            .unwrap_or_else(|| panic!("manifest.yml has no {name} command"));
        assert_eq!(
            https_path(str_at(command, "/url")),
            "/slack/commands",
            "{name}"
        );
        assert!(!str_at(command, "/description").is_empty(), "{name}");
        assert!(!str_at(command, "/usage_hint").is_empty(), "{name}");
    }
}

#[test]
fn request_urls_match_badgers_routes() {
    let manifest = manifest();
    assert_eq!(
        manifest.pointer("/settings/interactivity/is_enabled"),
        Some(&Value::Bool(true))
    );
    let interactions = str_at(&manifest, "/settings/interactivity/request_url");
    let events = str_at(&manifest, "/settings/event_subscriptions/request_url");
    let commands = str_at(&manifest, "/features/slash_commands/0/url");
    assert_eq!(https_path(interactions), "/slack/interactions");
    assert_eq!(https_path(events), "/slack/events");
    assert_eq!(https_path(commands), "/slack/commands");
    // All three go to the same host.
    let host = |url: &str| url.trim_end_matches(https_path(url)).to_owned();
    assert_eq!(host(interactions), host(events));
    assert_eq!(host(interactions), host(commands));
}

#[test]
fn bot_scopes_cover_what_badger_calls() {
    let manifest = manifest();
    let scopes: Vec<&str> = manifest
        .pointer("/oauth_config/scopes/bot")
        .and_then(Value::as_array)
        .expect("manifest.yml has oauth_config.scopes.bot")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for needed in [
        "commands",             // slash commands
        "chat:write",           // chat.postMessage, chat.update
        "channels:read",        // conversations.info (public channel)
        "groups:read",          // conversations.info (private channel)
        "channels:write.topic", // conversations.setTopic (public channel)
        "groups:write.topic",   // conversations.setTopic (private channel)
    ] {
        assert!(scopes.contains(&needed), "missing bot scope {needed}");
    }
}
