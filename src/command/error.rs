//! What can be wrong with a command, and how to say so to the user.

mod wording;

use std::fmt;

use chrono::NaiveDateTime;

use super::help;
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
    DeployHistory,
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
    /// The whole text is over [`MAX_INPUT_CHARS`](super::words::MAX_INPUT_CHARS) characters.
    InputTooLong { form: Form, len: usize },
    /// A note or reason is over [`MAX_TEXT_CHARS`](super::words::MAX_TEXT_CHARS) characters.
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
    /// A request whose words after ENV start with `emergency`: an emergency deploy written
    /// the wrong way round. `reason` is the words after it (maybe none).
    EmergencyAfterEnvironment {
        app: AppName,
        git_ref: GitRef,
        env: EnvName,
        reason: String,
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
    /// `--until 25:00`: HH:MM outside 00:00–23:59.
    UntilBadTime { given: String },
    /// `--until 2026-02-30 …`: no such day.
    UntilBadDate { given: String },
    /// `--until 2026-12-24 at 17:00`: a date, then a word that means a time of day (which
    /// would otherwise start the reason, and the hold end at 00:00).
    UntilTimeApart { date: String, given: String },
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
    /// A time more than [`MAX_UNTIL_DAYS`](super::until::MAX_UNTIL_DAYS) days ahead.
    UntilTooFar { until: NaiveDateTime },
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
            EmergencyNeedsReason { .. } | EmergencyAfterEnvironment { .. } => Form::DeployEmergency,
            MissingReleaseTarget => Form::HoldRelease,
            HoldNeedsReason
            | UntilMissing
            | UntilUnreadable { .. }
            | UntilBadTime { .. }
            | UntilBadDate { .. }
            | UntilTimeApart { .. }
            | UntilNonexistent { .. }
            | UntilInPast { .. }
            | UntilTooFar { .. }
            | UntilRepeated => Form::HoldCreate,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&DEFAULT_NAMES))
    }
}
