//! What Slack sends badger, built once for every test: slash command and button press
//! forms, and the signature headers over a body (`v0` HMAC with the test secret).

use super::driver::{CHANNEL, FORM, SECRET};
use badger::slack::verify::sign;
use chrono::{DateTime, Utc};

/// The Slack `channel_name` of a channel id, as the tests name them.
fn channel_name(channel: &str) -> String {
    if channel == CHANNEL {
        "govuk-deploy".to_owned()
    } else if channel.starts_with('D') {
        "directmessage".to_owned()
    } else {
        channel.to_lowercase()
    }
}

/// A slash command form typed in `channel`, with Slack's usual fields.
pub fn command_form(channel: &str, user: &str, command: &str, text: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("token", "legacy")
        .append_pair("team_id", "T1")
        .append_pair("channel_id", channel)
        .append_pair("channel_name", &channel_name(channel))
        .append_pair("user_id", user)
        .append_pair("user_name", &user.to_lowercase())
        .append_pair("command", command)
        .append_pair("text", text)
        .append_pair("response_url", "https://hooks.slack.invalid/commands/1")
        .append_pair("trigger_id", "1.2.3")
        .finish()
}

/// A button press in the deploy channel, as Slack reports it (block_actions with Slack's
/// usual extra fields, and a block type badger does not know).
pub fn press_form(user: &str, action_id: &str, value: &str) -> String {
    press_form_on(user, action_id, value, false)
}

/// A button press as Slack reports it, on a channel message or, with `ephemeral`, on an
/// answer only `user` sees: then `container.is_ephemeral` is true and Slack sends no
/// `message` (it keeps no copy of an ephemeral's blocks).
pub fn press_form_on(user: &str, action_id: &str, value: &str, ephemeral: bool) -> String {
    let mut payload = serde_json::json!({
        "type": "block_actions",
        "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL, "is_ephemeral": ephemeral},
        "trigger_id": "1.2.3",
        "team": {"id": "T1", "domain": "gds"},
        "channel": {"id": CHANNEL, "name": "govuk-deploy"},
        "response_url": "https://hooks.slack.invalid/actions/1",
        "actions": [{"action_id": action_id, "block_id": "b1", "text": {"type": "plain_text", "text": "x"}, "value": value, "type": "button", "action_ts": "1700000001.000000"}]
    });
    if !ephemeral {
        payload["message"] = serde_json::json!({"type": "message", "ts": "1700000000.000100", "blocks": [{"type": "a_block_type_from_the_future"}]});
    }
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
}

/// The headers Slack signs `body` with at `at`, using the test secret.
pub fn signature_headers(at: DateTime<Utc>, body: &str) -> [(&'static str, String); 2] {
    signature_headers_with(SECRET, at, body)
}

/// The headers Slack signs `body` with at `at`, for a badger started with `secret`.
pub fn signature_headers_with(
    secret: &str,
    at: DateTime<Utc>,
    body: &str,
) -> [(&'static str, String); 2] {
    let ts = at.timestamp().to_string();
    let sig = sign(secret, &ts, body.as_bytes());
    [
        ("x-slack-request-timestamp", ts),
        ("x-slack-signature", sig),
    ]
}

/// A POST of `body` to `url`, signed as Slack signs it at `at`, not yet sent.
pub fn signed_post(
    http: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: String,
    at: DateTime<Utc>,
) -> reqwest::RequestBuilder {
    signed_post_with(http, url, SECRET, content_type, body, at)
}

/// A form POST of `body` to `url` as Slack sends it now, signed with `secret`: for a
/// badger process started with a secret of its own.
pub fn signed_form_now(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    body: String,
) -> reqwest::RequestBuilder {
    signed_post_with(http, url, secret, FORM, body, Utc::now())
}

fn signed_post_with(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    content_type: &str,
    body: String,
    at: DateTime<Utc>,
) -> reqwest::RequestBuilder {
    let mut req = http.post(url).header("content-type", content_type);
    for (k, v) in signature_headers_with(secret, at, &body) {
        req = req.header(k, v);
    }
    req.body(body)
}
