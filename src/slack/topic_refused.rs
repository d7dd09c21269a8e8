//! Telling whoever held or released a hold that Slack refused the channel topic for good
//! (badger not in the channel, a topic too long, its credentials): straight to Slack, once.

use super::blocks::Message;
use super::outbound::{SendError, SlackWeb};

/// Tells `user` why the topic of `channel` could not be written: as an ephemeral, or as a
/// direct message when even that fails.
pub(super) async fn tell(web: &dyn SlackWeb, channel: &str, user: &str, e: &SendError) {
    let why = match e {
        SendError::Permanent(code) if code == "not_in_channel" || code == "channel_not_found" => {
            "badger is not a member of this channel. Invite it with `/invite @badger` so it can keep the holds in the topic.".to_owned()
        }
        SendError::Permanent(code) if code == "too_long" => "Slack said the topic would be too long.".to_owned(),
        SendError::Transient(code) if e.is_credentials() => format!(
            "Slack refused badger's credentials (`{code}`): whoever runs the Slack app needs to fix its token or scopes."
        ),
        other => format!("Slack refused ({other})."),
    };
    let text = format!(":warning: I couldn't update the channel topic with the holds: {why} The holds themselves are in place (`/hold list`).");
    let text = Message {
        text,
        blocks: vec![],
    };
    // Straight to Slack, once: queuing it could repeat the same failure.
    if let Err(err) = web.ephemeral(channel, user, &text).await {
        // An ephemeral needs the bot in the channel too; a direct message does not.
        tracing::warn!(%channel, %user, error = %err, "ephemeral failed; sending a direct message instead");
        if let Err(err) = web.post(user, &text).await {
            tracing::error!(%channel, %user, error = %err, "could not tell the user the topic update failed");
        }
    }
}
