//! The Web API methods the fake answers (`auth.test`, `chat.*`, `conversations.*`,
//! `views.publish`), with Slack's checks on what they are given.

use super::*;

use super::server::Answer;

fn has_content(body: &Value) -> bool {
    str_param(body, "text").is_some()
        || str_param(body, "markdown_text").is_some()
        || json_param(body, "blocks").is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
        || json_param(body, "attachments")
            .is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
}

/// Checks shared by the message-posting methods.
fn check_message_content(body: &Value) -> Option<&'static str> {
    if !has_content(body) {
        return Some("no_text");
    }
    if let Some(blocks) = json_param(body, "blocks") {
        if !blocks.is_array() {
            return Some("invalid_blocks");
        }
    }
    if str_param(body, "text").is_some_and(|t| t.chars().count() > TEXT_MAX_CHARS) {
        return Some("msg_too_long");
    }
    None
}

/// Why a new message to `channel` is refused, if it is: the bot is not in the channel, or
/// the content fails [`check_message_content`].
fn refuse_new_message(st: &FakeState, channel: &str, body: &Value) -> Option<&'static str> {
    if st.is_not_in_channel(channel) {
        Some("not_in_channel")
    } else {
        check_message_content(body)
    }
}

pub(super) fn dispatch(st: &mut FakeState, method: &str, body: &Value) -> Answer {
    match method {
        "auth.test" => Answer::ok(json!({
            "url": TEAM_URL,
            "team": TEAM_NAME,
            "user": "badger",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => post_message(st, body),
        "chat.update" => update_message(st, body),
        "chat.postEphemeral" => post_ephemeral(st, body),
        "views.publish" => publish_view(st, body),
        "conversations.info" => {
            let Some(channel) = str_param(body, "channel") else {
                return Answer::error("channel_not_found");
            };
            if st.is_not_in_channel(channel) {
                return Answer::error("not_in_channel");
            }
            Answer::ok(json!({ "channel": st.channel_json(channel) }))
        }
        "conversations.setTopic" => {
            let Some(channel) = str_param(body, "channel") else {
                return Answer::error("channel_not_found");
            };
            if st.is_not_in_channel(channel) {
                return Answer::error("not_in_channel");
            }
            // "" clears the topic; no `topic` at all is a malformed call (it is
            // what slack-morphism's conversations_unarchive sends, by mistake).
            let Some(topic) = body.get("topic").and_then(Value::as_str) else {
                return Answer::error("invalid_arguments");
            };
            if topic.chars().count() > TOPIC_MAX_CHARS {
                return Answer::error("too_long");
            }
            st.set_topic(channel, topic, BOT_USER_ID);
            Answer::ok(json!({ "channel": st.channel_json(channel) }))
        }
        _ => Answer::error("unknown_method"),
    }
}

fn post_message(st: &mut FakeState, body: &Value) -> Answer {
    let Some(channel) = str_param(body, "channel") else {
        return Answer::error("channel_not_found");
    };
    if let Some(code) = refuse_new_message(st, channel, body) {
        return Answer::error(code);
    }
    let ts = st.allocate_ts();
    let mut message = json!({
        "type": "message",
        "ts": ts,
        "text": body.get("text").and_then(Value::as_str).unwrap_or(""),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
    });
    for key in ["blocks", "attachments", "metadata"] {
        if let Some(v) = json_param(body, key) {
            message[key] = v;
        }
    }
    for key in ["thread_ts", "username", "icon_emoji", "icon_url"] {
        if let Some(v) = str_param(body, key) {
            message[key] = Value::String(v.to_string());
        }
    }
    st.messages.push((channel.to_string(), message.clone()));
    Answer::ok(json!({ "channel": channel, "ts": ts, "message": message }))
}

fn update_message(st: &mut FakeState, body: &Value) -> Answer {
    let Some(channel) = str_param(body, "channel") else {
        return Answer::error("channel_not_found");
    };
    let Some(ts) = str_param(body, "ts") else {
        return Answer::error("message_not_found");
    };
    if let Some(code) = check_message_content(body) {
        return Answer::error(code);
    }
    st.clock += 1;
    let edited_ts = format!("{}.000000", EPOCH_SECS + st.clock);
    let Some((_, message)) = st
        .messages
        .iter_mut()
        .find(|(c, m)| c == channel && m["ts"] == ts)
    else {
        return Answer::error("message_not_found");
    };
    // As documented for chat.update: `text` replaces the text; `blocks` and
    // `attachments` replace the old ones when given (an empty array removes
    // them) and are kept otherwise.
    message["text"] = Value::String(
        body.get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    );
    let obj = message
        .as_object_mut()
        .expect("stored messages are objects");
    for key in ["blocks", "attachments"] {
        match json_param(body, key) {
            Some(Value::Array(a)) if a.is_empty() => {
                obj.remove(key);
            }
            Some(v) => {
                obj.insert(key.to_string(), v);
            }
            None => {}
        }
    }
    if let Some(v) = json_param(body, "metadata") {
        obj.insert("metadata".into(), v);
    }
    obj.insert(
        "edited".into(),
        json!({ "user": BOT_USER_ID, "ts": edited_ts }),
    );
    let message = message.clone();
    Answer::ok(json!({
        "channel": channel,
        "ts": ts,
        "text": message["text"],
        "message": message,
    }))
}

fn post_ephemeral(st: &mut FakeState, body: &Value) -> Answer {
    let (channel, user) = match (str_param(body, "channel"), str_param(body, "user")) {
        (None, _) => return Answer::error("channel_not_found"),
        (_, None) => return Answer::error("user_not_found"),
        (Some(channel), Some(user)) => (channel, user),
    };
    if let Some(code) = refuse_new_message(st, channel, body) {
        return Answer::error(code);
    }
    let message_ts = st.allocate_ts();
    let mut message = json!({
        "user": user,
        "message_ts": message_ts,
        "text": body.get("text").and_then(Value::as_str).unwrap_or(""),
    });
    for key in ["blocks", "attachments"] {
        if let Some(v) = json_param(body, key) {
            message[key] = v;
        }
    }
    if let Some(v) = str_param(body, "thread_ts") {
        message["thread_ts"] = Value::String(v.to_string());
    }
    st.ephemerals.push((channel.to_string(), message));
    Answer::ok(json!({ "message_ts": message_ts }))
}

/// views.publish: answered as Slack does, with the whole stateful view (slack-morphism
/// reads `view.id`, `team_id` and `hash` strictly).
fn publish_view(st: &mut FakeState, body: &Value) -> Answer {
    let Some(user) = str_param(body, "user_id") else {
        return Answer::error("invalid_arguments");
    };
    let Some(view) = json_param(body, "view").filter(Value::is_object) else {
        return Answer::error("invalid_arguments");
    };
    if view["type"] != "home" {
        return Answer::error("invalid_arguments");
    }
    let Some(blocks) = view["blocks"].as_array() else {
        return Answer::error("invalid_arguments");
    };
    if block_problem(blocks, VIEW_MAX_BLOCKS).is_some() {
        return Answer::error("invalid_arguments");
    }
    st.clock += 1;
    let n = st.homes.len() + 1;
    let id = format!("VHOME{n:06}");
    let stateful = json!({
        "id": id,
        "team_id": TEAM_ID,
        "type": "home",
        "blocks": blocks,
        "private_metadata": view.get("private_metadata").and_then(Value::as_str).unwrap_or(""),
        "callback_id": view.get("callback_id").and_then(Value::as_str).unwrap_or(""),
        "external_id": view.get("external_id").and_then(Value::as_str).unwrap_or(""),
        "state": { "values": {} },
        "hash": format!("{}.{n:08x}", EPOCH_SECS + st.clock),
        "title": null,
        "close": null,
        "submit": null,
        "clear_on_close": false,
        "notify_on_close": false,
        "previous_view_id": null,
        "root_view_id": id,
        "app_id": APP_ID,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    });
    st.homes.push((user.to_string(), stateful.clone()));
    Answer::ok(json!({ "view": stateful }))
}
