//! Usage lines and the help texts, built from one table so they cannot disagree.

use chrono::Days;

use super::error::{Form, Names};
use super::CommandContext;
use crate::domain::names::EnvName;

/// One form of a command: its syntax after the command name, and what it does.
struct Line {
    form: Form,
    syntax: &'static str,
    what: &'static str,
}

const DEPLOY_LINES: &[Line] = &[
    Line {
        form: Form::DeployRequest,
        syntax: "APP REF [to] ENV [--note TEXT]",
        what: "join ENV's queue (the deploy starts at once if ENV is free)",
    },
    Line {
        form: Form::DeployEmergency,
        syntax: "emergency APP REF [to] ENV REASON...",
        what: "deploy outside the window; a reason is required",
    },
    Line {
        form: Form::DeployDone,
        syntax: "done [ID | NOTE...]",
        what: "finish your deployment (or deployment ID: yours, or anyone's if you are an admin): it succeeded",
    },
    Line {
        form: Form::DeployFailed,
        syntax: "failed [ID | REASON...]",
        what: "finish your deployment (or deployment ID: yours, or anyone's if you are an admin): it failed",
    },
    Line {
        form: Form::DeployCancel,
        syntax: "cancel [ID]",
        what: "leave a queue (your latest waiting entry, unless you give its ID)",
    },
    Line {
        form: Form::DeployStatus,
        syntax: "status [ENV]",
        what: "the window now and next, what is deploying, queues and holds",
    },
    Line {
        form: Form::DeployVersions,
        syntax: "versions [APP]",
        what: "which ref each app runs in each environment",
    },
    Line {
        form: Form::DeployHistory,
        syntax: "history APP [ENV]",
        what: "APP's latest finished deployments (only ENV's, if given): how each went, who, when, how long",
    },
    Line {
        form: Form::DeployWindows,
        syntax: "windows",
        what: "the next deployment windows and closed days",
    },
    Line {
        form: Form::DeployDiff,
        syntax: "diff APP REF [to] ENV",
        what: "the pull requests and authors REF adds over what ENV runs now",
    },
    Line {
        form: Form::Deploy,
        syntax: "help",
        what: "this help",
    },
];

const HOLD_LINES: &[Line] = &[
    Line {
        form: Form::HoldCreate,
        syntax: "APP|all [ENV] REASON... [--until HH:MM | --until YYYY-MM-DD | --until YYYY-MM-DD HH:MM]",
        what: "stop deploys of APP (or of everything) to ENV (or to every environment)",
    },
    Line {
        form: Form::HoldList,
        syntax: "list",
        what: "the holds in force",
    },
    Line {
        form: Form::HoldRelease,
        syntax: "release APP|all|ID",
        what: "release a hold, by app, `all`, or ID (see `list`)",
    },
    Line {
        form: Form::Hold,
        syntax: "help",
        what: "this help",
    },
];

/// The usage lines for `form`, one per line, without markup. A whole-command
/// form (`Deploy`, `Hold`) gives all of that command's lines.
pub(crate) fn usage(form: Form, names: &Names) -> String {
    let (lines, whole) = if form.is_hold() {
        (HOLD_LINES, Form::Hold)
    } else {
        (DEPLOY_LINES, Form::Deploy)
    };
    let cmd = names.command(form);
    lines
        .iter()
        .filter(|line| form == whole || line.form == form)
        .map(|line| format!("{cmd} {}", line.syntax))
        .collect::<Vec<_>>()
        .join("\n")
}

fn table(cmd: &str, lines: &[Line]) -> String {
    lines
        .iter()
        .map(|line| format!("• `{cmd} {}`: {}\n", line.syntax, line.what))
        .collect()
}

fn env_list(envs: &[EnvName]) -> String {
    envs.iter()
        .map(|env| format!("`{env}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Example names: the configured ones where there are some.
struct Examples<'a> {
    app: &'a str,
    first_env: &'a str,
    last_env: &'a str,
}

impl<'a> Examples<'a> {
    fn new(ctx: &CommandContext<'a>) -> Self {
        Examples {
            app: ctx.apps.first().map_or("whitehall", |app| app.as_str()),
            first_env: ctx.environments.first().map_or("staging", EnvName::as_str),
            last_env: ctx
                .environments
                .last()
                .map_or("production", EnvName::as_str),
        }
    }
}

/// The full usage of the deploy command, as mrkdwn-friendly text.
pub fn deploy_help(ctx: &CommandContext) -> String {
    let (d, h) = (ctx.deploy_command, ctx.hold_command);
    let Examples {
        app,
        first_env,
        last_env,
    } = Examples::new(ctx);
    let mut text = format!(
        "*`{d}`* queues deployments, one at a time per environment, inside the deployment windows.\n"
    );
    text.push_str(&table(d, DEPLOY_LINES));
    if !ctx.environments.is_empty() {
        text.push_str(&format!("Environments: {}.\n", env_list(ctx.environments)));
    }
    text.push_str(&format!(
        "Examples:\n\
         • `{d} {app} release_123 to {first_env}`\n\
         • `{d} {app} release_123 {last_env} --note fixes the search page`\n\
         • `{d} emergency {app} release_124 to {last_env} security fix`\n\
         • `{d} done`\n\
         • `{d} history {app} {last_env}`\n\
         To stop deployments for a while, see `{h} help`."
    ));
    text
}

/// The full usage of the hold command, as mrkdwn-friendly text.
pub fn hold_help(ctx: &CommandContext) -> String {
    let (d, h) = (ctx.deploy_command, ctx.hold_command);
    let Examples { app, last_env, .. } = Examples::new(ctx);
    let tomorrow = ctx
        .now
        .with_timezone(&ctx.tz)
        .date_naive()
        .checked_add_days(Days::new(1))
        .map_or_else(|| "YYYY-MM-DD".to_owned(), |d| d.to_string());
    let mut text = format!(
        "*`{h}`* stops deployments until the hold is released or its `--until` time passes.\n"
    );
    text.push_str(&table(h, HOLD_LINES));
    text.push_str("ENV must be written in full");
    if !ctx.environments.is_empty() {
        text.push_str(&format!(" ({})", env_list(ctx.environments)));
    }
    text.push_str(&format!(
        "; without it the hold covers every environment. \
         `--until` may go anywhere after APP or `all`; times are in {}, \
         and a date alone means the start of that day (00:00).\n",
        ctx.tz.name()
    ));
    text.push_str(&format!(
        "Examples:\n\
         • `{h} {app} {last_env} data migration running --until 17:30`\n\
         • `{h} all code freeze for the election --until {tomorrow} 09:00`\n\
         • `{h} release {app}`\n\
         To deploy, see `{d} help`."
    ));
    text
}
