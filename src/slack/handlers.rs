//! What badger does with a slash command or a button press once it is known to be genuine.
//! Every way in shares these: the signed HTTP routes, and the local console (after its
//! loopback check), so the console behaves exactly as Slack would.

use super::payload::{Interaction, SlashCommand};
use crate::service::{Action, Actor, Core, ServiceError};
use crate::slack::blocks::Message;

/// Runs a slash command; the answer is the ephemeral reply to the person who typed it.
/// `cmd.text` is as Slack sends it (`&`, `<`, `>` as entities).
pub async fn handle_command(core: &Core, cmd: &SlashCommand) -> Message {
    let (actor, text) = actor_and_text(cmd);
    core.run_slash(&actor, &cmd.command, &text).await
}

/// [`handle_command`], answered within `deadline` (Slack's 3 seconds over HTTP): a late
/// command is not cut short; the person is told it is late and its answer follows.
pub async fn handle_command_within(
    core: &Core,
    cmd: &SlashCommand,
    deadline: std::time::Duration,
) -> Message {
    let (actor, text) = actor_and_text(cmd);
    core.run_slash_within(&actor, &cmd.command, &text, deadline)
        .await
}

fn actor_and_text(cmd: &SlashCommand) -> (Actor, String) {
    let actor = Actor {
        user: cmd.user_id.clone(),
        channel: cmd.channel_id.clone(),
    };
    // Keep what the person typed; it is escaped again on output.
    (actor, crate::domain::text::unescape(&cmd.text))
}

/// Acts on button presses; each person who needs an answer gets it as an ephemeral
/// (queued, like every other Slack call).
pub async fn handle_interaction(core: &Core, interaction: Interaction) {
    let presses = match interaction {
        Interaction::Buttons(p) => p,
        Interaction::Other(kind) => {
            tracing::debug!(%kind, "ignoring an interaction badger does not handle");
            return;
        }
    };
    for p in presses {
        crate::telemetry::record("action", &p.action_id);
        crate::telemetry::record("user", &p.user);
        if let Ok(id) = p.value.parse::<i64>() {
            if p.action_id.starts_with("deploy_") {
                crate::telemetry::record_deployment(id);
            } else if p.action_id.starts_with("hold_") {
                tracing::Span::current().record("hold", id);
            }
        }
        let actor = Actor {
            user: p.user.clone(),
            channel: p.channel.clone(),
        };
        let answer = match Action::parse(&p.action_id) {
            Some(action) => core.press(&actor, action, &p.value).await,
            None => Err(ServiceError::User(format!(
                "That button ({}) is not one badger knows.",
                crate::domain::text::escape(&p.action_id)
            ))),
        };
        let message: Option<Message> = match answer {
            Ok(m) => m,
            Err(e) => Some(core.reply(Err(e))),
        };
        if let Some(m) = message {
            if let Err(e) = core.tell(&actor, &m).await {
                tracing::error!(error = %e, "could not queue an ephemeral answer");
            }
        }
    }
}
