//! Parsing what Slack sends, defensively: unknown fields and block types are ignored, and a
//! malformed payload is a typed error, never a panic.

use serde::Deserialize;

/// A slash command (form-encoded). Only the fields badger uses.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SlashCommand {
    pub command: String,
    #[serde(default)]
    pub text: String,
    pub user_id: String,
    pub channel_id: String,
    #[serde(default)]
    pub team_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonPress {
    pub user: String,
    pub channel: String,
    pub action_id: String,
    pub value: String,
    /// Pressed on an ephemeral message (Slack's `container.is_ephemeral`): an answer to one
    /// person, such as the queued answer's "Leave the queue", never a channel post.
    pub ephemeral: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the form has no `payload` field")]
    NoPayload,
    #[error("`payload` is not valid JSON: {0}")]
    Json(String),
    #[error("the payload has no {0}")]
    Missing(&'static str),
}

/// What an interaction payload holds, as far as badger cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interaction {
    Buttons(Vec<ButtonPress>),
    /// Another interaction type (views, shortcuts, ...): acknowledged and ignored.
    Other(String),
}

pub fn parse_interaction(form_body: &[u8]) -> Result<Interaction, PayloadError> {
    let payload = form_urlencoded::parse(form_body)
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v.into_owned())
        .ok_or(PayloadError::NoPayload)?;
    let v: serde_json::Value =
        serde_json::from_str(&payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    parse_interaction_json(&v)
}

/// The interaction payload itself, as Socket Mode delivers it (already JSON, no form).
pub fn parse_interaction_json(v: &serde_json::Value) -> Result<Interaction, PayloadError> {
    let kind = v
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .to_owned();
    if kind != "block_actions" {
        return Ok(Interaction::Other(kind));
    }
    let user = v
        .pointer("/user/id")
        .and_then(|u| u.as_str())
        .ok_or(PayloadError::Missing("user.id"))?
        .to_owned();
    let channel = v
        .pointer("/channel/id")
        .or_else(|| v.pointer("/container/channel_id"))
        .and_then(|c| c.as_str())
        .unwrap_or("")
        .to_owned();
    let ephemeral = v
        .pointer("/container/is_ephemeral")
        .and_then(|e| e.as_bool())
        .unwrap_or(false);
    let actions = v
        .get("actions")
        .and_then(|a| a.as_array())
        .ok_or(PayloadError::Missing("actions"))?;
    let presses = actions
        .iter()
        .filter_map(|a| {
            Some(ButtonPress {
                user: user.clone(),
                channel: channel.clone(),
                action_id: a.get("action_id")?.as_str()?.to_owned(),
                value: a
                    .get("value")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_owned(),
                ephemeral,
            })
        })
        .collect();
    Ok(Interaction::Buttons(presses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: &str) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", json)
            .finish()
            .into_bytes()
    }

    #[test]
    fn block_actions_with_unknown_fields_and_blocks() {
        let json = r#"{"type":"block_actions","user":{"id":"U1","name":"a","extra":1},
            "channel":{"id":"C1"},"container":{"type":"message"},"new_thing":{"x":[1,2]},
            "message":{"blocks":[{"type":"some_future_block","foo":1}]},
            "actions":[{"action_id":"deploy_start","value":"12","type":"button","block_id":"b"}]}"#;
        assert_eq!(
            parse_interaction(&form(json)).unwrap(),
            Interaction::Buttons(vec![ButtonPress {
                user: "U1".into(),
                channel: "C1".into(),
                action_id: "deploy_start".into(),
                value: "12".into(),
                ephemeral: false,
            }])
        );
    }

    #[test]
    fn a_press_on_an_ephemeral_message_says_so() {
        // As Slack sends it: the container marks the message ephemeral, and there is no
        // `message` (Slack does not echo an ephemeral's blocks).
        let json = r#"{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"C1"},
            "container":{"type":"message","message_ts":"1.2","channel_id":"C1","is_ephemeral":true},
            "actions":[{"action_id":"deploy_cancel","value":"27","type":"button"}]}"#;
        let Interaction::Buttons(p) = parse_interaction(&form(json)).unwrap() else {
            panic!("a button press");
        };
        assert!(p[0].ephemeral, "{p:?}");
    }

    #[test]
    fn bad_payloads_are_errors_not_panics() {
        assert_eq!(
            parse_interaction(b"nothing=here"),
            Err(PayloadError::NoPayload)
        );
        assert!(matches!(
            parse_interaction(&form("{not json")),
            Err(PayloadError::Json(_))
        ));
        assert_eq!(
            parse_interaction(&form(r#"{"type":"block_actions"}"#)),
            Err(PayloadError::Missing("user.id"))
        );
        assert_eq!(
            parse_interaction(&form(r#"{"type":"view_submission"}"#)),
            Ok(Interaction::Other("view_submission".into()))
        );
        assert_eq!(
            parse_interaction(&form("[]")),
            Ok(Interaction::Other(String::new()))
        );
        assert_eq!(
            parse_interaction(&[0xff, 0xfe]),
            Err(PayloadError::NoPayload)
        );
    }
}
