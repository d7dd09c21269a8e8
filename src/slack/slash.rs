//! A slash command from Slack to its answer in words, within Slack's deadline: the use
//! case runs in `crate::service`, its typed answer is worded by `answers.rs`/`denied.rs`.

use super::answers::{self, Say};
use super::blocks::Message;
use crate::service::{Actor, Core};
use tracing::Instrument;

/// Slack waits 3 seconds for an answer; this leaves room for the trip back.
pub const REPLY_DEADLINE: std::time::Duration = std::time::Duration::from_millis(2500);

/// How long a late command may still run after its interim answer before it is given up
/// (and its transaction rolled back), so a database that never answers does not pile up
/// work.
pub const LATE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

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
    // In the request's span, so what the command learns (deployment, hold) is logged
    // with the request.
    let span = tracing::Span::current();
    let mut work = tokio::spawn(tracing::Instrument::instrument(
        async move {
            let started = std::time::Instant::now();
            let reply = run(&owned, &who, &name, &typed).await;
            owned
                .metrics
                .operator
                .command_duration
                .observe(started.elapsed());
            reply
        },
        span,
    ));
    // A zero deadline sends every answer late, whatever the command's speed (tests
    // use it to take the late path every time; a timeout of zero may still see a
    // fast task finished).
    let in_time = if deadline.is_zero() {
        None
    } else {
        tokio::time::timeout(deadline, &mut work).await.ok()
    };
    match in_time {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            core.metrics.internal_errors.inc();
            tracing::error!(error = %e, command = command_name, "a slash command's task failed");
            Message::plain(format!(
                ":warning: badger hit an internal error while running your command. Check `{} status` to see whether it took effect.",
                core.policy.deploy_command
            ))
        }
        None => {
            core.metrics.internal_errors.inc();
            tracing::warn!(
                command = command_name,
                "a slash command missed Slack's deadline; its answer follows as an ephemeral"
            );
            let owned = core.clone();
            let who = actor.clone();
            let span = tracing::Span::current();
            tokio::spawn(
                async move {
                    match tokio::time::timeout(LATE_LIMIT, &mut work).await {
                        Ok(Ok(reply)) => {
                            if let Err(e) = owned.tell(&who, reply.body()).await {
                                tracing::error!(error = %e, "could not queue a late command's answer");
                            }
                        }
                        Ok(Err(e)) => {
                            tracing::error!(error = %e, "a late slash command's task failed")
                        }
                        Err(_) => {
                            work.abort();
                            tracing::error!(
                                "a late slash command was given up (the database did not answer)"
                            )
                        }
                    }
                }
                .instrument(span),
            );
            Message::plain(format!(
                ":hourglass_flowing_sand: badger's database didn't answer in time, so your command is still being worked on; its answer will follow here. If none comes, check `{} status` before trying again.",
                core.policy.deploy_command
            ))
        }
    }
}
