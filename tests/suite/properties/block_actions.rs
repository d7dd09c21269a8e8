//! A model of block_actions payloads: the presses badger must read from them, unchanged
//! by unknown fields and block types.

use super::payload_json::{block, extras, json_string, json_value, ELEMENT_TYPES};
use super::*;
use badger::slack::payload::{parse_interaction, ButtonPress, Interaction};
use proptest::collection::vec;
use serde_json::{json, Map, Value};

/// Where a block_actions payload says which channel it came from.
#[derive(Debug, Clone)]
enum ChannelAt {
    Channel(String),
    Container(String),
    Both(String, String),
    Nowhere,
}

/// One action of a block_actions payload: `action_id` and `value` as given (usually strings,
/// sometimes of another type or missing), the element type, and unknown fields.
#[derive(Debug, Clone)]
struct ActionModel {
    action_id: Option<Value>,
    value: Option<Value>,
    kind: String,
    extras: Vec<(String, Value)>,
}

/// A block_actions payload: what badger reads, and what it must ignore.
#[derive(Debug, Clone)]
struct BlockActions {
    user: String,
    channel: ChannelAt,
    actions: Vec<ActionModel>,
    top_extras: Vec<(String, Value)>,
    user_extras: Vec<(String, Value)>,
    channel_extras: Vec<(String, Value)>,
    container_extras: Vec<(String, Value)>,
    /// `container.is_ephemeral`, when given (a JSON boolean or something else).
    ephemeral: Option<Value>,
    blocks: Vec<Value>,
}

impl BlockActions {
    /// The payload JSON, with or without the fields badger does not know.
    fn json(&self, with_extras: bool) -> Value {
        let pick = |fields: &[(String, Value)]| -> Map<String, Value> {
            if with_extras {
                fields.iter().cloned().collect()
            } else {
                Map::new()
            }
        };
        let mut v = pick(&self.top_extras);
        v.insert("type".into(), json!("block_actions"));
        let mut user = pick(&self.user_extras);
        user.insert("id".into(), json!(self.user));
        v.insert("user".into(), Value::Object(user));
        let (channel, container_id) = match &self.channel {
            ChannelAt::Channel(c) => (Some(c), None),
            ChannelAt::Container(c) => (None, Some(c)),
            ChannelAt::Both(a, b) => (Some(a), Some(b)),
            ChannelAt::Nowhere => (None, None),
        };
        if let Some(c) = channel {
            let mut channel = pick(&self.channel_extras);
            channel.insert("id".into(), json!(c));
            v.insert("channel".into(), Value::Object(channel));
        }
        let mut container = pick(&self.container_extras);
        if let Some(c) = container_id {
            container.insert("channel_id".into(), json!(c));
        }
        if let Some(e) = &self.ephemeral {
            container.insert("is_ephemeral".into(), e.clone());
        }
        if !container.is_empty() {
            v.insert("container".into(), Value::Object(container));
        }
        if with_extras {
            v.insert(
                "message".into(),
                json!({ "type": "message", "blocks": self.blocks }),
            );
        }
        let actions: Vec<Value> = self
            .actions
            .iter()
            .map(|a| {
                let mut action = pick(&a.extras);
                if with_extras {
                    action.insert("type".into(), json!(a.kind));
                }
                if let Some(id) = &a.action_id {
                    action.insert("action_id".into(), id.clone());
                }
                if let Some(value) = &a.value {
                    action.insert("value".into(), value.clone());
                }
                Value::Object(action)
            })
            .collect();
        v.insert("actions".into(), Value::Array(actions));
        Value::Object(v)
    }

    /// The presses badger should see: every action with a string `action_id`, its
    /// string `value` or "", from `channel.id`, else `container.channel_id`, else "";
    /// ephemeral only when `container.is_ephemeral` is `true`.
    fn expected(&self) -> Interaction {
        let channel = match &self.channel {
            ChannelAt::Channel(c) | ChannelAt::Both(c, _) | ChannelAt::Container(c) => c.clone(),
            ChannelAt::Nowhere => String::new(),
        };
        Interaction::Buttons(
            self.actions
                .iter()
                .filter_map(|a| {
                    Some(ButtonPress {
                        user: self.user.clone(),
                        channel: channel.clone(),
                        action_id: a.action_id.as_ref()?.as_str()?.to_owned(),
                        value: a
                            .value
                            .as_ref()
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        ephemeral: self.ephemeral == Some(json!(true)),
                    })
                })
                .collect(),
        )
    }
}

fn block_actions() -> BoxedStrategy<BlockActions> {
    let channel = prop_oneof![
        4 => slack_id().prop_map(ChannelAt::Channel),
        2 => slack_id().prop_map(ChannelAt::Container),
        1 => (slack_id(), slack_id()).prop_map(|(a, b)| ChannelAt::Both(a, b)),
        1 => Just(ChannelAt::Nowhere),
    ];
    let action_id = prop_oneof![
        6 => strings(&["deploy_start", "deploy_done", "deploy_failed", "deploy_cancel", "hold_release"])
            .prop_map(|s| Some(json!(s))),
        2 => json_string().prop_map(|s| Some(json!(s))),
        1 => json_value().prop_map(Some),
        1 => Just(None),
    ];
    let value = prop_oneof![
        6 => "[0-9]{1,6}".prop_map(|s| Some(json!(s))),
        2 => json_string().prop_map(|s| Some(json!(s))),
        1 => json_value().prop_map(Some),
        1 => Just(None),
    ];
    let action = (
        action_id,
        value,
        strings(ELEMENT_TYPES),
        extras(&["action_id", "value", "type"], 3),
    )
        .prop_map(|(action_id, value, kind, extras)| ActionModel {
            action_id,
            value,
            kind,
            extras,
        });
    (
        slack_id(),
        channel,
        vec(action, 0..4),
        extras(
            &["type", "user", "channel", "container", "actions", "message"],
            5,
        ),
        extras(&["id"], 3),
        extras(&["id"], 3),
        extras(&["channel_id", "is_ephemeral"], 3),
        prop_oneof![
            2 => Just(None),
            2 => Just(Some(json!(true))),
            2 => Just(Some(json!(false))),
            1 => json_value().prop_map(Some),
        ],
        vec(block(), 0..4),
    )
        .prop_map(
            |(user, channel, actions, top, user_x, channel_x, container_x, ephemeral, blocks)| {
                BlockActions {
                    user,
                    channel,
                    actions,
                    top_extras: top,
                    user_extras: user_x,
                    channel_extras: channel_x,
                    container_extras: container_x,
                    ephemeral,
                    blocks,
                }
            },
        )
        .boxed()
}

#[test]
fn interaction_unknown_fields_and_block_types_do_not_change_presses() {
    check("interaction/block_actions", block_actions(), |model| {
        let plain = parse_interaction(&form_encode(&[("payload", &model.json(false).to_string())]));
        let noisy = parse_interaction(&form_encode(&[("payload", &model.json(true).to_string())]));
        let expected = model.expected();
        prop_assert_eq!(&plain, &Ok(expected));
        prop_assert_eq!(&noisy, &plain);
        Ok(match &plain {
            Ok(Interaction::Buttons(p)) => format!("{} presses", p.len().min(3)),
            other => label(other),
        })
    });
}
