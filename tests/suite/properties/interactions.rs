//! The interaction payload parser on arbitrary bytes and on random or mistyped JSON,
//! however the form around it is encoded.

use super::payload_json::{extras, json_string, json_value, INTERACTION_TYPES};
use super::*;
use badger::slack::payload::{parse_interaction, Interaction, PayloadError};
use proptest::collection::vec;
use serde_json::{json, Map, Value};

/// `payload=…` escaping only what must be (`%`, `&`, `+`, `#`), not the way
/// `form_urlencoded` does; other fields around it.
fn form_encode_minimal(payload: &str, before: &str, after: &str) -> Vec<u8> {
    let mut out = String::new();
    if !before.is_empty() {
        out.push_str(before);
        out.push('&');
    }
    out.push_str("payload=");
    for c in payload.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '+' => out.push_str("%2B"),
            '#' => out.push_str("%23"),
            _ => out.push(c),
        }
    }
    if !after.is_empty() {
        out.push('&');
        out.push_str(after);
    }
    out.into_bytes()
}

/// Whether the result's button presses (if any) all belong to the payload's user.
fn check_presses_user(result: &Result<Interaction, PayloadError>, v: &Value) -> Outcome {
    if let Ok(Interaction::Buttons(presses)) = result {
        let user = v.pointer("/user/id").and_then(Value::as_str);
        for press in presses {
            prop_assert_eq!(Some(press.user.as_str()), user);
        }
    }
    Ok(label(result))
}

#[test]
fn interaction_parser_survives_arbitrary_bytes() {
    let body = prop_oneof![
        2 => vec(any::<u8>(), 0..600),
        2 => vec(any::<u8>(), 0..300).prop_map(|b| [b"payload=".as_slice(), &b].concat()),
        2 => any_text().prop_map(|s| form_encode(&[("payload", &s)])),
        1 => any_text().prop_map(|s| format!("payload={s}").into_bytes()),
        1 => (0usize..3000, select(&["[", "{\"a\":", "[{\"type\":"][..]))
            .prop_map(|(n, open)| form_encode(&[("payload", &open.repeat(n))])),
    ];
    check("interaction/arbitrary", body, |body| {
        let result = parse_interaction(&body);
        if let Err(PayloadError::Json(message)) = &result {
            prop_assert!(!message.is_empty());
        }
        Ok(label(&result))
    });
}

#[test]
fn interaction_parser_survives_random_and_mistyped_json() {
    // Random JSON; objects of an interaction type with random fields; block_actions whose
    // known fields have random (often wrong) types.
    let typed = (strings(INTERACTION_TYPES), extras(&["type"], 6)).prop_map(|(kind, fields)| {
        let mut v = Map::new();
        v.insert("type".into(), Value::String(kind));
        v.extend(fields);
        Value::Object(v)
    });
    let field = || prop_oneof![1 => Just(None), 3 => json_value().prop_map(Some)];
    let string_field = || {
        prop_oneof![
            1 => Just(None),
            4 => json_string().prop_map(|s| Some(Value::String(s))),
            2 => json_value().prop_map(Some),
        ]
    };
    let user = prop_oneof![
        1 => json_value(),
        4 => (
            prop_oneof![3 => slack_id().prop_map(Value::String), 1 => json_value()],
            extras(&["id"], 3),
        )
            .prop_map(|(id, more)| {
            let mut user = Map::new();
            user.insert("id".into(), id);
            user.extend(more);
            Value::Object(user)
        }),
    ];
    let action = prop_oneof![
        1 => json_value(),
        3 => (string_field(), string_field(), extras(&["action_id", "value"], 3)).prop_map(|(id, value, more)| {
            let mut action = Map::new();
            if let Some(id) = id {
                action.insert("action_id".into(), id);
            }
            if let Some(value) = value {
                action.insert("value".into(), value);
            }
            action.extend(more);
            Value::Object(action)
        }),
    ];
    let actions = prop_oneof![1 => json_value(), 3 => vec(action, 0..4).prop_map(Value::Array)];
    let mistyped = (
        prop_oneof![3 => Just(Some(json!("block_actions"))), 1 => field()],
        prop_oneof![1 => Just(None), 4 => user.prop_map(Some)],
        prop_oneof![
            1 => field(),
            2 => (string_field(), extras(&["id"], 2)).prop_map(|(id, more)| {
                let mut channel: Map<String, Value> = more.into_iter().collect();
                if let Some(id) = id {
                    channel.insert("id".into(), id);
                }
                Some(Value::Object(channel))
            }),
        ],
        prop_oneof![
            1 => field(),
            1 => string_field().prop_map(|id| id.map(|id| json!({ "channel_id": id }))),
        ],
        prop_oneof![1 => Just(None), 4 => actions.prop_map(Some)],
        extras(&["type", "user", "channel", "container", "actions"], 3),
    )
        .prop_map(|(kind, user, channel, container, actions, more)| {
            let mut v = Map::new();
            for (k, field) in [
                ("type", kind),
                ("user", user),
                ("channel", channel),
                ("container", container),
                ("actions", actions),
            ] {
                if let Some(field) = field {
                    v.insert(k.into(), field);
                }
            }
            v.extend(more);
            Value::Object(v)
        });
    let value = prop_oneof![2 => json_value(), 2 => typed, 4 => mistyped];
    let around = prop_oneof![3 => Just(String::new()), 1 => "[a-z_]{1,8}=[a-z0-9%]{0,8}"].boxed();
    check(
        "interaction/json",
        (value, around.clone(), around),
        |(v, before, after)| {
            let json = v.to_string();
            let standard = parse_interaction(&form_encode(&[
                ("token", "x"),
                ("payload", &json),
                ("trigger_id", "1.2.3"),
            ]));
            let minimal = parse_interaction(&form_encode_minimal(&json, &before, &after));
            prop_assert_eq!(&standard, &minimal);
            check_presses_user(&standard, &v)
        },
    );
}
