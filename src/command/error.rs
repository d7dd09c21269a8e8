//! What can be wrong with a command, and how to say so to the user.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use super::help;
use super::words::{MAX_INPUT_CHARS, MAX_TEXT_CHARS};
use super::CommandContext;
use crate::domain::names::{AppName, EnvName, GitRef, NameError};

/// Which form of which command a mistake is about: it picks the usage line(s)
/// that [`ParseError::usage`] shows, and the command name in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// The deploy command as a whole (all its usage lines).
    Deploy,
    DeployRequest,
    DeployEmergency,
    DeployDone,
    DeployFailed,
    DeployCancel,
    DeployStatus,
    DeployVersions,
    DeployWindows,
    DeployDiff,
    /// The hold command as a whole (all its usage lines).
    Hold,
    HoldCreate,
    HoldList,
    HoldRelease,
}

impl Form {
    /// Whether this is a form of the hold command (otherwise of the deploy command).
    pub fn is_hold(self) -> bool {
        matches!(
            self,
            Form::Hold | Form::HoldCreate | Form::HoldList | Form::HoldRelease
        )
    }
}

/// Which piece of free text was too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Note,
    Reason,
}

/// A mistake in a command: one variant per distinct mistake.
///
/// [`ParseError::message`] says what was wrong (with a "did you mean" hint where
/// there is one) and [`ParseError::usage`] gives the relevant usage line(s).
/// `Display` gives the message with the default command names `/deploy` and `/hold`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The whole text is over [`MAX_INPUT_CHARS`] characters.
    InputTooLong { form: Form, len: usize },
    /// A note or reason is over [`MAX_TEXT_CHARS`] characters.
    TextTooLong {
        form: Form,
        what: TextKind,
        len: usize,
    },
    /// The first word is not a subcommand (nor a deployable request) but looks like
    /// a typo of one; `form` is the suggested subcommand's form.
    UnknownSubcommand {
        form: Form,
        given: String,
        suggestion: &'static str,
    },
    /// A word after everything the form takes.
    UnexpectedWord { form: Form, given: String },
    /// A `--word` the form doesn't have.
    UnknownOption {
        form: Form,
        given: String,
        suggestion: Option<&'static str>,
    },
    /// `/deploy emergency` with nothing after it.
    MissingApp { form: Form },
    /// The word in the APP position is not a valid app slug.
    InvalidApp { form: Form, error: NameError },
    /// A valid slug, but not one of the configured apps.
    UnknownApp {
        form: Form,
        given: String,
        suggestion: Option<AppName>,
    },
    /// No REF after the app (or an environment or `to` where the REF goes).
    MissingRef {
        form: Form,
        app: AppName,
        env: Option<EnvName>,
    },
    /// The word in the REF position is not a valid ref.
    InvalidRef { form: Form, error: NameError },
    /// No ENV after the ref.
    MissingEnvironment {
        form: Form,
        app: AppName,
        git_ref: GitRef,
    },
    /// The word in the ENV position is not a configured environment.
    UnknownEnvironment {
        form: Form,
        given: String,
        suggestion: Option<EnvName>,
    },
    /// `--note` with nothing after it.
    NoteNeedsText,
    /// A second environment after ENV in a request.
    MoreThanOneEnvironment { env: EnvName, other: EnvName },
    /// Words after ENV in a request that are not `--note TEXT`.
    ExtraWords {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
        extra: String,
    },
    /// An emergency deploy without a reason.
    EmergencyNeedsReason {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
    },
    /// An ID that is not a positive whole number (`12` or `#12`).
    InvalidId { form: Form, given: String },
    /// A hold without a reason.
    HoldNeedsReason,
    /// `/hold release` with nothing after it.
    MissingReleaseTarget,
    /// `--until` with no value.
    UntilMissing,
    /// `--until` followed by something that is neither `HH:MM` nor `YYYY-MM-DD`.
    UntilUnreadable { given: String },
    /// `--until YYYY-MM-DD` without the time.
    UntilMissingTime { date: NaiveDate },
    /// `--until 25:00`: HH:MM outside 00:00–23:59.
    UntilBadTime { given: String },
    /// `--until 2026-02-30 …`: no such day.
    UntilBadDate { given: String },
    /// A local time that the clocks skip (the spring-forward gap).
    UntilNonexistent {
        local: NaiveDateTime,
        tz: chrono_tz::Tz,
    },
    /// A time that has already passed; `time_only` when it was written `HH:MM`.
    UntilInPast {
        until: NaiveDateTime,
        now: NaiveDateTime,
        tz: chrono_tz::Tz,
        time_only: bool,
    },
    /// `--until` given twice.
    UntilRepeated,
}

/// The names a message mentions.
pub(crate) struct Names<'a> {
    pub(crate) deploy: &'a str,
    pub(crate) hold: &'a str,
    pub(crate) environments: &'a [EnvName],
}

impl Names<'_> {
    pub(crate) fn command(&self, form: Form) -> &str {
        if form.is_hold() {
            self.hold
        } else {
            self.deploy
        }
    }
}

impl<'a> From<&CommandContext<'a>> for Names<'a> {
    fn from(ctx: &CommandContext<'a>) -> Self {
        Names {
            deploy: ctx.deploy_command,
            hold: ctx.hold_command,
            environments: ctx.environments,
        }
    }
}

const DEFAULT_NAMES: Names<'static> = Names {
    deploy: "/deploy",
    hold: "/hold",
    environments: &[],
};

impl ParseError {
    /// One or two sentences for the user: what was wrong, with a
    /// "did you mean `staging`?" hint where there is one.
    pub fn message(&self, ctx: &CommandContext) -> String {
        self.render(&Names::from(ctx))
    }

    /// The usage line(s) relevant to the mistake, one per line, without markup.
    pub fn usage(&self, ctx: &CommandContext) -> String {
        help::usage(self.form(), &Names::from(ctx))
    }

    /// Which form of which command the mistake is about.
    pub fn form(&self) -> Form {
        use ParseError::*;
        match self {
            InputTooLong { form, .. }
            | TextTooLong { form, .. }
            | UnknownSubcommand { form, .. }
            | UnexpectedWord { form, .. }
            | UnknownOption { form, .. }
            | MissingApp { form }
            | InvalidApp { form, .. }
            | UnknownApp { form, .. }
            | MissingRef { form, .. }
            | InvalidRef { form, .. }
            | MissingEnvironment { form, .. }
            | UnknownEnvironment { form, .. }
            | InvalidId { form, .. } => *form,
            NoteNeedsText | MoreThanOneEnvironment { .. } | ExtraWords { .. } => {
                Form::DeployRequest
            }
            EmergencyNeedsReason { .. } => Form::DeployEmergency,
            MissingReleaseTarget => Form::HoldRelease,
            HoldNeedsReason
            | UntilMissing
            | UntilUnreadable { .. }
            | UntilMissingTime { .. }
            | UntilBadTime { .. }
            | UntilBadDate { .. }
            | UntilNonexistent { .. }
            | UntilInPast { .. }
            | UntilRepeated => Form::HoldCreate,
        }
    }

    fn render(&self, names: &Names) -> String {
        use ParseError::*;
        let cmd = names.command(self.form());
        match self {
            InputTooLong { len, .. } => format!(
                "That is {len} characters; `{cmd}` reads at most {MAX_INPUT_CHARS}. \
                 Put long explanations in a thread instead."
            ),
            TextTooLong { what, len, .. } => format!(
                "The {} is {len} characters long; keep it to {MAX_TEXT_CHARS} or fewer \
                 (a link to a thread or an issue works well).",
                match what {
                    TextKind::Note => "note",
                    TextKind::Reason => "reason",
                }
            ),
            UnknownSubcommand {
                given, suggestion, ..
            } => format!(
                "I don't understand {}. Did you mean `{cmd} {suggestion}`?",
                quote(given)
            ),
            UnexpectedWord { form, given } => {
                let takes = match form {
                    Form::DeployCancel => "`cancel` takes at most one ID",
                    Form::DeployStatus => "`status` takes at most one environment",
                    Form::DeployVersions => "`versions` takes at most one app",
                    Form::DeployWindows => "`windows` takes nothing after it",
                    Form::DeployDiff => "`diff` takes an app, a ref and an environment",
                    Form::HoldList => "`list` takes nothing after it",
                    Form::HoldRelease => "`release` takes one app, `all` or an ID",
                    _ => "it isn't part of the command",
                };
                format!("I didn't expect {}: {takes}.", quote(given))
            }
            UnknownOption {
                form,
                given,
                suggestion,
            } => match (suggestion, form) {
                (Some(option), _) => {
                    let value = given.split_once('=').map_or("", |(_, value)| value);
                    format!(
                        "{} isn't an option. Did you mean `{}`?",
                        quote(given),
                        shorten(format!("{option} {value}").trim_end(), 60)
                    )
                }
                (None, Form::DeployRequest) => format!(
                    "{} isn't an option of `{cmd}`; the only one is `--note`.",
                    quote(given)
                ),
                (None, Form::HoldCreate) => format!(
                    "{} isn't an option of `{cmd}`; the only one is `--until`.",
                    quote(given)
                ),
                (None, _) => format!("{} isn't an option here.", quote(given)),
            },
            MissingApp { form } => match form {
                Form::DeployEmergency => "Which app? An emergency deploy needs an app, a ref, \
                                          an environment and a reason."
                    .to_owned(),
                _ => "Which app? Give the app's name.".to_owned(),
            },
            InvalidApp { error, .. } | InvalidRef { error, .. } => format!("{error}."),
            UnknownApp {
                given, suggestion, ..
            } => match suggestion {
                Some(app) => format!(
                    "{} isn't one of the apps I deploy. Did you mean `{app}`?",
                    quote(given)
                ),
                None => format!(
                    "{} isn't one of the apps I deploy; `{} versions` lists them.",
                    quote(given),
                    names.deploy
                ),
            },
            MissingRef { form, app, env } => format!(
                "Which ref of `{app}`? Give a tag, branch or commit after the app: `{cmd}{} {app} REF to {}{}`.",
                emergency(*form),
                env.as_ref().map_or("ENV", EnvName::as_str),
                reason_placeholder(*form),
            ),
            MissingEnvironment { form, app, git_ref } => format!(
                "Where should `{app}` `{git_ref}` go? Give the environment after the ref: \
                 `{cmd}{} {app} {git_ref} to ENV{}`{}.",
                emergency(*form),
                reason_placeholder(*form),
                match list(names.environments, "or") {
                    Some(envs) => format!(", where ENV is {envs}"),
                    None => String::new(),
                }
            ),
            UnknownEnvironment {
                given, suggestion, ..
            } => match (suggestion, list(names.environments, "or")) {
                (Some(env), _) => {
                    format!("{} isn't an environment. Did you mean `{env}`?", quote(given))
                }
                (None, Some(envs)) => {
                    format!("{} isn't an environment; use {envs}.", quote(given))
                }
                (None, None) => format!("{} isn't an environment.", quote(given)),
            },
            NoteNeedsText => {
                "`--note` needs some text after it, e.g. `--note fixes the search page`.".to_owned()
            }
            MoreThanOneEnvironment { env, other } => format!(
                "`{env}` and `{other}` are both environments: deploy to one at a time."
            ),
            ExtraWords {
                app,
                git_ref,
                env,
                extra,
            } => {
                let extra = shorten(extra, 60);
                format!(
                    "I don't understand `{extra}` after the environment. To add a note, write \
                     `{cmd} {app} {git_ref} to {env} --note {extra}`."
                )
            }
            EmergencyNeedsReason { app, git_ref, env } => format!(
                "An emergency deploy skips the deployment window, so it needs a reason after \
                 the environment: `{cmd} emergency {app} {git_ref} to {env} REASON`."
            ),
            InvalidId { form, given } => format!(
                "{} isn't an ID: IDs are whole numbers like `12` or `#12`, as shown by `{}`.",
                quote(given),
                if *form == Form::HoldRelease {
                    format!("{} list", names.hold)
                } else {
                    format!("{} status", names.deploy)
                }
            ),
            HoldNeedsReason => format!(
                "A hold needs a reason, so people know why they can't deploy, \
                 e.g. `{cmd} whitehall production data migration running`."
            ),
            MissingReleaseTarget => {
                format!("Which hold? Give an app, `all`, or a hold ID from `{cmd} list`.")
            }
            UntilMissing => "`--until` needs a time: `--until HH:MM` for today, \
                             or `--until YYYY-MM-DD HH:MM`."
                .to_owned(),
            UntilUnreadable { given } => format!(
                "I can't read {} as a time. Write `--until HH:MM` for today, \
                 or `--until YYYY-MM-DD HH:MM`, in 24-hour time.",
                quote(given)
            ),
            UntilMissingTime { date } => format!(
                "`--until {date}` needs a time of day as well, e.g. `--until {date} 17:00`."
            ),
            UntilBadTime { given } => format!(
                "{} isn't a time of day: use 24-hour HH:MM, from 00:00 to 23:59.",
                quote(given)
            ),
            UntilBadDate { given } => {
                format!("{} isn't a date: there is no such day.", quote(given))
            }
            UntilNonexistent { local, tz } => format!(
                "`{}` doesn't exist in {}: the clocks go forward over it. Pick a later time.",
                local.format("%Y-%m-%d %H:%M"),
                tz.name()
            ),
            UntilInPast {
                until,
                now,
                tz,
                time_only: true,
            } => {
                let time = until.format("%H:%M");
                let mut text = format!(
                    "`{time}` today has already passed (it is {} in {}).",
                    now.format("%H:%M"),
                    tz.name()
                );
                if let Some(tomorrow) = until.date().succ_opt() {
                    text.push_str(&format!(
                        " To hold until tomorrow, write `--until {tomorrow} {time}`."
                    ));
                }
                text
            }
            UntilInPast {
                until,
                now,
                tz,
                time_only: false,
            } => format!(
                "`{}` has already passed (it is {} in {}).",
                until.format("%Y-%m-%d %H:%M"),
                now.format("%Y-%m-%d %H:%M"),
                tz.name()
            ),
            UntilRepeated => "`--until` is given twice: give it once.".to_owned(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&DEFAULT_NAMES))
    }
}

/// The subcommand word a target-taking form starts with, as shown in its examples.
fn emergency(form: Form) -> &'static str {
    match form {
        Form::DeployEmergency => " emergency",
        Form::DeployDiff => " diff",
        _ => "",
    }
}

fn reason_placeholder(form: Form) -> &'static str {
    if form == Form::DeployEmergency {
        " REASON"
    } else {
        ""
    }
}

/// A word the user typed, in backticks, shortened, with backticks of its own replaced.
fn quote(s: &str) -> String {
    format!("`{}`", shorten(s, 40))
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.replace('`', "'");
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s
    }
}

/// "`a`, `b` or `c`"; `None` for an empty list.
fn list(envs: &[EnvName], last_joiner: &str) -> Option<String> {
    let quoted: Vec<String> = envs.iter().map(|e| format!("`{e}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} {last_joiner} {last}", init.join(", "))),
    }
}
