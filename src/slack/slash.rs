//! A slash command from Slack to its answer in words, within Slack's deadline: the use
//! case runs in `crate::service`, its typed answer is worded by `answers.rs`/`denied.rs`.

use super::answers::{self, Say};
use super::blocks::Message;
use super::deadline::{within_deadline, InTime};
use crate::service::{Actor, Core};

pub use super::deadline::{LATE_LIMIT, REPLY_DEADLINE};

/// Runs one slash command to its end and words its answer for the person who typed it.
pub async fn run(core: &Core, actor: &Actor, command_name: &str, text: &str) -> Message {
    match core.run_slash(actor, command_name, text).await {
        Ok(reply) => answers::reply(&Say::of(core), &reply),
        Err(e) => super::denied::failure(core, e),
    }
}

/// Runs one slash command and returns what the person who typed it sees, always within
/// `deadline`. The command runs on a task of its own, so it is never cut short halfway:
/// if it is late (a slow or hung database) the person is told so at once, and its real
/// answer follows as an ephemeral message when it is done.
pub async fn run_within(
    core: &Core,
    actor: &Actor,
    command_name: &str,
    text: &str,
    deadline: std::time::Duration,
) -> Message {
    let owned = core.clone();
    let (who, name, typed) = (actor.clone(), command_name.to_owned(), text.to_owned());
    let work = async move {
        let started = std::time::Instant::now();
        let reply = run(&owned, &who, &name, &typed).await;
        owned
            .metrics
            .operator
            .command_duration
            .observe(started.elapsed());
        reply
    };
    let (owned, who) = (core.clone(), actor.clone());
    // Late: the answer follows as an ephemeral, as every answer to a button does.
    let late = |reply: Message| async move {
        if let Err(e) = owned.tell(&who, reply.body()).await {
            tracing::error!(error = %e, "could not queue a late command's answer");
        }
    };
    match within_deadline(core, "slash command", deadline, work, late).await {
        InTime::Done(m) => m,
        InTime::Failed(_) => Message::plain(format!(
            ":warning: badger hit an internal error while running your command. Check `{} status` to see whether it took effect.",
            core.policy.deploy_command
        )),
        InTime::Late => Message::plain(format!(
            ":hourglass_flowing_sand: badger's database didn't answer in time, so your command is still being worked on; its answer will follow here. If none comes, check `{} status` before trying again.",
            core.policy.deploy_command
        )),
    }
}
