//! From a slash command's text to a use case and its typed answer.

use super::queue::Outcome;
use super::{deploy::DeployRequest, Actor, Answer, Core, Denied, Note, Reply, ServiceError};
use crate::command::{self, CommandContext, DeployCommand, HoldCommand};

impl Core {
    /// Runs one slash command to its end and returns its answer for the person who typed
    /// it (the edge words it: `crate::slack::answers`).
    pub async fn run_slash(
        &self,
        actor: &Actor,
        command_name: &str,
        text: &str,
    ) -> Result<Reply, ServiceError> {
        let envs = self.policy.env_names();
        let ctx = self.command_context(&envs);
        let unparsed = |message: String, usage: String| {
            ServiceError::Denied(Denied::Unparsed { message, usage })
        };
        let (parsed, look) = if command_name == self.policy.deploy_command {
            let cmd = command::parse_deploy(text, &ctx)
                .map_err(|e| unparsed(e.message(&ctx), e.usage(&ctx)))?;
            let look = deploy_look(&cmd);
            (Parsed::Deploy(cmd), look)
        } else if command_name == self.policy.hold_command {
            let cmd = command::parse_hold(text, &ctx)
                .map_err(|e| unparsed(e.message(&ctx), e.usage(&ctx)))?;
            let look = hold_look(&cmd);
            (Parsed::Hold(cmd), look)
        } else {
            return Err(ServiceError::Denied(Denied::UnknownCommand {
                name: command_name.to_owned(),
            }));
        };
        let note = self.where_to_look(actor, look)?;
        // Commands that change something run on the write thread (`crate::store::Writer`).
        let answer = if look == Look::Nothing {
            self.run_parsed(actor, parsed, &ctx).await?
        } else {
            let actor = actor.clone();
            self.on_writer(move |core| async move {
                let envs = core.policy.env_names();
                core.run_parsed(&actor, parsed, &core.command_context(&envs))
                    .await
            })
            .await?
        };
        Ok(Reply { answer, note })
    }

    async fn run_parsed(
        &self,
        actor: &Actor,
        parsed: Parsed,
        ctx: &CommandContext<'_>,
    ) -> Result<Answer, ServiceError> {
        use DeployCommand as Deploy;
        use HoldCommand as Hold;
        match parsed {
            // An emergency is a request with a reason and no note.
            Parsed::Deploy(Deploy::Request {
                app,
                git_ref,
                env,
                note,
            }) => {
                let req = DeployRequest::new(app, git_ref, env);
                self.request_deploy(actor, &DeployRequest { note, ..req })
                    .await
            }
            Parsed::Deploy(Deploy::Emergency {
                app,
                git_ref,
                env,
                reason,
            }) => {
                let req = DeployRequest::new(app, git_ref, env);
                let emergency = Some(reason);
                self.request_deploy(actor, &DeployRequest { emergency, ..req })
                    .await
            }
            Parsed::Deploy(Deploy::Done { note }) => {
                self.finish_mine(actor, Outcome::Succeeded, note.as_deref())
                    .await
            }
            Parsed::Deploy(Deploy::Failed { reason }) => {
                self.finish_mine(actor, Outcome::Failed, reason.as_deref())
                    .await
            }
            Parsed::Deploy(Deploy::DoneId { id }) => {
                self.finish_by_id(actor, id, Outcome::Succeeded).await
            }
            Parsed::Deploy(Deploy::FailedId { id }) => {
                self.finish_by_id(actor, id, Outcome::Failed).await
            }
            Parsed::Deploy(Deploy::Cancel { id }) => self.cancel_mine(actor, id).await,
            Parsed::Deploy(Deploy::Status { env }) => {
                self.status(env.as_ref().map(|e| e.as_str())).await
            }
            Parsed::Deploy(Deploy::Versions { app }) => {
                self.versions(app.as_ref().map(|a| a.as_str())).await
            }
            Parsed::Deploy(Deploy::History { app, env }) => {
                self.history(app.as_str(), env.as_ref().map(|e| e.as_str()))
                    .await
            }
            Parsed::Deploy(Deploy::Windows) => Ok(Answer::Windows),
            Parsed::Deploy(Deploy::Diff { app, git_ref, env }) => {
                self.diff(actor, &app, &git_ref, &env).await
            }
            Parsed::Deploy(Deploy::Help) => Ok(Answer::Help(command::deploy_help(ctx))),
            Parsed::Hold(Hold::Create {
                scope,
                env,
                reason,
                until,
            }) => {
                self.create_hold(actor, &scope, env.as_ref(), &reason, until)
                    .await
            }
            Parsed::Hold(Hold::List) => self.list_holds().await,
            Parsed::Hold(Hold::Release { target }) => self.release_holds(actor, &target).await,
            Parsed::Hold(Hold::Help) => Ok(Answer::Help(command::hold_help(ctx))),
        }
    }

    fn command_context<'a>(
        &'a self,
        envs: &'a [crate::domain::names::EnvName],
    ) -> CommandContext<'a> {
        CommandContext {
            deploy_command: &self.policy.deploy_command,
            hold_command: &self.policy.hold_command,
            environments: envs,
            apps: &self.policy.apps,
            tz: self.policy.calendar.tz,
            now: self.now(),
        }
    }
}

/// A parsed slash command of either of badger's two.
enum Parsed {
    Deploy(DeployCommand),
    Hold(HoldCommand),
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
        | DeployCommand::DoneId { .. }
        | DeployCommand::Failed { .. }
        | DeployCommand::FailedId { .. } => Look::Announced,
        DeployCommand::Status { .. }
        | DeployCommand::Versions { .. }
        | DeployCommand::History { .. }
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
    fn where_to_look(&self, actor: &Actor, look: Look) -> Result<Option<Note>, ServiceError> {
        if look == Look::Nothing {
            return Ok(None);
        }
        if self.policy.channel.is_none() && actor.channel.starts_with('D') {
            return Err(ServiceError::Denied(Denied::NoDeployChannel));
        }
        let channel = self.announce_channel(&actor.channel);
        if channel == actor.channel {
            return Ok(None);
        }
        Ok(Some(match look {
            Look::Follow => Note::Follow { channel },
            _ => Note::Announced { channel },
        }))
    }
}
