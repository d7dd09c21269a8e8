//! JSON strategies for Slack payloads: known keys and types, random JSON trees, unknown
//! fields around the known ones, and blocks.

use super::*;
use proptest::collection::vec;
use serde_json::{Map, Value};

const JSON_KEYS: &[&str] = &[
    "type",
    "user",
    "id",
    "channel",
    "container",
    "channel_id",
    "actions",
    "action_id",
    "value",
    "message",
    "blocks",
    "block_id",
    "text",
    "elements",
    "team",
    "response_url",
    "trigger_id",
    "view",
    "state",
    "selected_option",
    "name",
    "username",
    "api_app_id",
    "token",
    "enterprise",
    "is_enterprise_install",
    "",
];

pub(super) const INTERACTION_TYPES: &[&str] = &[
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
    "interactive_message",
    "BLOCK_ACTIONS",
    "",
];

const BLOCK_TYPES: &[&str] = &[
    "section",
    "actions",
    "context",
    "divider",
    "header",
    "rich_text",
    "input",
    "image",
    "video",
    "file",
    "markdown",
    "table",
    "some_future_block",
    "",
];

pub(super) const ELEMENT_TYPES: &[&str] = &[
    "button",
    "static_select",
    "overflow",
    "datepicker",
    "checkboxes",
    "rich_text_input",
    "workflow_button",
    "some_future_element",
];

fn json_key() -> BoxedStrategy<String> {
    prop_oneof![3 => strings(JSON_KEYS), 1 => "\\PC{0,10}", 1 => "(?s).{0,4}"].boxed()
}

pub(super) fn json_string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => strings(INTERACTION_TYPES),
        2 => "[A-Z0-9]{1,12}",
        2 => any::<String>(),
        1 => "(?s).{0,12}",
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        json_string().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, a few levels deep.
pub(super) fn json_value() -> BoxedStrategy<Value> {
    json_tree(4, 32)
}

/// A small JSON value, for the many unknown fields around the known ones.
fn small_json() -> BoxedStrategy<Value> {
    json_tree(2, 8)
}

fn json_tree(depth: u32, size: u32) -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(depth, size, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((json_key(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

/// An object with random fields, none named in `taken` (renamed if drawn).
pub(super) fn extras(
    taken: &'static [&'static str],
    max: usize,
) -> BoxedStrategy<Vec<(String, Value)>> {
    vec((json_key(), small_json()), 0..max)
        .prop_map(move |fields| {
            fields
                .into_iter()
                .map(|(k, v)| {
                    if taken.contains(&k.as_str()) {
                        (format!("x_{k}"), v)
                    } else {
                        (k, v)
                    }
                })
                .collect()
        })
        .boxed()
}

/// A block of a known or unknown type, with random fields.
pub(super) fn block() -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => strings(BLOCK_TYPES), 1 => "\\PC{0,12}"],
        extras(&["type"], 3),
    )
        .prop_map(|(kind, fields)| {
            let mut block = Map::new();
            block.insert("type".into(), Value::String(kind));
            block.extend(fields);
            Value::Object(block)
        })
        .boxed()
}
