//! From a slash command's text to a use case, and from its result to the ephemeral reply.

use super::queue::Outcome;
use super::{deploy::DeployRequest, Actor, Core, ServiceError};
use crate::command::{self, CommandContext, DeployCommand, HoldCommand};
use crate::slack::blocks::Message;
use tracing::Instrument;

/// Slack waits 3 seconds for an answer; this leaves room for the trip back.
pub const REPLY_DEADLINE: std::time::Duration = std::time::Duration::from_millis(2500);

/// How long a late command may still run after its interim answer before it is given up
/// (and its transaction rolled back), so a database that never answers does not pile up
/// work.
pub const LATE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

impl Core {
    /// Runs one slash command and returns what the person who typed it sees, always within
    /// `deadline`. The command runs on a task of its own, so it is never cut short halfway:
    /// if it is late (a slow or hung database) the person is told so at once, and its real
    /// answer follows as an ephemeral message when it is done.
    pub async fn run_slash_within(
        &self,
        actor: &Actor,
        command_name: &str,
        text: &str,
        deadline: std::time::Duration,
    ) -> Message {
        let core = self.clone();
        let (who, name, typed) = (actor.clone(), command_name.to_owned(), text.to_owned());
        // In the request's span, so what the command learns (deployment, hold) is logged
        // with the request.
        let span = tracing::Span::current();
        let mut work = tokio::spawn(tracing::Instrument::instrument(
            async move {
                let started = std::time::Instant::now();
                let reply = core.run_slash(&who, &name, &typed).await;
                core.metrics
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
                self.metrics.internal_errors.inc();
                tracing::error!(error = %e, command = command_name, "a slash command's task failed");
                Message::plain(format!(
                    ":warning: badger hit an internal error while running your command. Check `{} status` to see whether it took effect.",
                    self.policy.deploy_command
                ))
            }
            None => {
                self.metrics.internal_errors.inc();
                tracing::warn!(
                    command = command_name,
                    "a slash command missed Slack's deadline; its answer follows as an ephemeral"
                );
                let core = self.clone();
                let who = actor.clone();
                let span = tracing::Span::current();
                tokio::spawn(async move {
                    match tokio::time::timeout(LATE_LIMIT, &mut work).await {
                        Ok(Ok(reply)) => {
                            if let Err(e) = core.tell(&who, &reply).await {
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
                }.instrument(span));
                Message::plain(format!(
                    ":hourglass_flowing_sand: badger's database didn't answer in time, so your command is still being worked on; its answer will follow here. If none comes, check `{} status` before trying again.",
                    self.policy.deploy_command
                ))
            }
        }
    }

    /// Runs one slash command to its end and returns the ephemeral reply.
    pub async fn run_slash(&self, actor: &Actor, command_name: &str, text: &str) -> Message {
        let envs = self.policy.env_names();
        let ctx = CommandContext {
            deploy_command: &self.policy.deploy_command,
            hold_command: &self.policy.hold_command,
            environments: &envs,
            apps: &self.policy.apps,
            tz: self.policy.calendar.tz,
            now: self.now(),
        };
        let result = if command_name == self.policy.deploy_command {
            match command::parse_deploy(text, &ctx) {
                Ok(cmd) => match self.where_to_look(actor, deploy_look(&cmd)) {
                    Err(e) => Err(e),
                    Ok(note) => self
                        .run_deploy(actor, cmd, &ctx)
                        .await
                        .map(|m| with_note(m, note)),
                },
                Err(e) => return parse_error(e.message(&ctx), e.usage(&ctx)),
            }
        } else if command_name == self.policy.hold_command {
            match command::parse_hold(text, &ctx) {
                Ok(cmd) => match self.where_to_look(actor, hold_look(&cmd)) {
                    Err(e) => Err(e),
                    Ok(note) => self
                        .run_hold(actor, cmd, &ctx)
                        .await
                        .map(|m| with_note(m, note)),
                },
                Err(e) => return parse_error(e.message(&ctx), e.usage(&ctx)),
            }
        } else {
            Err(ServiceError::User(format!(
                "badger doesn't know the command `{}`; it answers `{}` and `{}`.",
                crate::domain::text::escape(command_name),
                self.policy.deploy_command,
                self.policy.hold_command
            )))
        };
        self.reply(result)
    }

    /// Turns a use case's result into what the person sees; internal errors are logged
    /// and the person gets an apology that says nothing changed.
    pub fn reply(&self, result: Result<Message, ServiceError>) -> Message {
        match result {
            Ok(m) => m,
            Err(ServiceError::User(m)) => Message::plain(m),
            Err(ServiceError::Refused(r)) => {
                Message::plain(crate::slack::refusals::refused(&r, &self.wording()))
            }
            Err(ServiceError::Internal(e)) if e.is_unavailable() => {
                self.metrics.internal_errors.inc();
                tracing::error!(error = %e, "the database is unavailable");
                Message::plain(":warning: badger can't reach its database right now, so nothing was changed. Please try again in a minute.")
            }
            Err(ServiceError::Internal(e)) => {
                self.metrics.internal_errors.inc();
                tracing::error!(error = %e, "internal error handling a Slack request");
                Message::plain(":warning: Sorry, badger hit an internal error and changed nothing. Please try again in a moment.")
            }
        }
    }

    /// What the Slack wording of refusals needs from the policy and the clock.
    pub fn wording(&self) -> crate::slack::refusals::Wording<'_> {
        crate::slack::refusals::Wording {
            deploy_command: &self.policy.deploy_command,
            admins: &self.policy.admins,
            tz: self.policy.calendar.tz,
            now: self.now(),
        }
    }

    async fn run_deploy(
        &self,
        actor: &Actor,
        cmd: DeployCommand,
        ctx: &CommandContext<'_>,
    ) -> Result<Message, ServiceError> {
        match cmd {
            DeployCommand::Request {
                app,
                git_ref,
                env,
                note,
            } => {
                self.request_deploy(
                    actor,
                    &DeployRequest {
                        app,
                        git_ref,
                        env,
                        note,
                        emergency: None,
                    },
                )
                .await
            }
            DeployCommand::Emergency {
                app,
                git_ref,
                env,
                reason,
            } => {
                self.request_deploy(
                    actor,
                    &DeployRequest {
                        app,
                        git_ref,
                        env,
                        note: None,
                        emergency: Some(reason),
                    },
                )
                .await
            }
            DeployCommand::Done { note } => {
                self.finish_mine(actor, Outcome::Succeeded, note.as_deref())
                    .await
            }
            DeployCommand::Failed { reason } => {
                self.finish_mine(actor, Outcome::Failed, reason.as_deref())
                    .await
            }
            DeployCommand::Cancel { id } => self.cancel_mine(actor, id).await,
            DeployCommand::Status { env } => self.status(env.as_ref().map(|e| e.as_str())).await,
            DeployCommand::Versions { app } => {
                self.versions(app.as_ref().map(|a| a.as_str())).await
            }
            DeployCommand::Windows => Ok(self.windows()),
            DeployCommand::Diff { app, git_ref, env } => {
                self.diff(actor, &app, &git_ref, &env).await
            }
            DeployCommand::Help => Ok(Message::plain(command::deploy_help(ctx))),
        }
    }

    async fn run_hold(
        &self,
        actor: &Actor,
        cmd: HoldCommand,
        ctx: &CommandContext<'_>,
    ) -> Result<Message, ServiceError> {
        match cmd {
            HoldCommand::Create {
                scope,
                env,
                reason,
                until,
            } => {
                self.create_hold(actor, &scope, env.as_ref(), &reason, until)
                    .await
            }
            HoldCommand::List => self.list_holds().await,
            HoldCommand::Release { target } => self.release_holds(actor, &target).await,
            HoldCommand::Help => Ok(Message::plain(command::hold_help(ctx))),
        }
    }
}

/// What a command typed outside the deploy channel tells the person about where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    /// Read-only (status, help, ...): the answer is all there is.
    Nothing,
    /// It is announced in the deploy channel now.
    Announced,
    /// It may be announced later (a turn is called, a start is posted).
    Follow,
}

fn deploy_look(cmd: &DeployCommand) -> Look {
    match cmd {
        DeployCommand::Request { .. } | DeployCommand::Cancel { .. } => Look::Follow,
        DeployCommand::Emergency { .. }
        | DeployCommand::Done { .. }
        | DeployCommand::Failed { .. } => Look::Announced,
        DeployCommand::Status { .. }
        | DeployCommand::Versions { .. }
        | DeployCommand::Windows
        | DeployCommand::Diff { .. }
        | DeployCommand::Help => Look::Nothing,
    }
}

fn hold_look(cmd: &HoldCommand) -> Look {
    match cmd {
        HoldCommand::Create { .. } | HoldCommand::Release { .. } => Look::Announced,
        HoldCommand::List | HoldCommand::Help => Look::Nothing,
    }
}

impl Core {
    /// Commands work wherever they are typed (a DM with badger, another channel): the
    /// answer goes back there and announcements to the deploy channel, so the answer says
    /// where to look. Returns the line to add to the answer, or a refusal when there is
    /// no deploy channel: with none configured badger announces where a command is typed,
    /// and a direct message is no place for announcements or a topic.
    fn where_to_look(&self, actor: &Actor, look: Look) -> Result<Option<String>, ServiceError> {
        if look == Look::Nothing {
            return Ok(None);
        }
        if self.policy.channel.is_none() && actor.channel.starts_with('D') {
            return Err(ServiceError::User(format!(
                "badger has no deploy channel configured (`channel` in the policy file), so it announces in the channel where a command is typed, and this is a direct message. Type this in your deploy channel, or ask an operator to set `channel`. (`{} status` and `{} list` work anywhere.)",
                self.policy.deploy_command, self.policy.hold_command
            )));
        }
        let announce_in = self.announce_channel(&actor.channel);
        if announce_in == actor.channel {
            return Ok(None);
        }
        Ok(Some(match look {
            Look::Follow => {
                format!("Follow it in <#{announce_in}>: starts and turns are announced there.")
            }
            _ => format!("Announced in <#{announce_in}>."),
        }))
    }
}

/// Adds "where to look" to an answer given outside the deploy channel.
fn with_note(m: Message, note: Option<String>) -> Message {
    match note {
        None => m,
        Some(note) => {
            let mut m = m.with_context(&note);
            m.text = format!("{}\n{note}", m.text);
            m
        }
    }
}

/// Parse errors quote what the person typed, so they are escaped like any user text.
fn parse_error(message: String, usage: String) -> Message {
    use crate::domain::text::escape;
    Message::plain(format!(
        ":warning: {}\n```{}```",
        escape(&message),
        escape(&usage)
    ))
}
