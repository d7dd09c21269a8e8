//! The wording of every [`ParseError`]: what was wrong, with a "did you mean" hint and an
//! example where there is one.

use super::{Form, Names, ParseError, TextKind};
use crate::command::words::{MAX_INPUT_CHARS, MAX_TEXT_CHARS};
use crate::domain::names::EnvName;

impl ParseError {
    pub(super) fn render(&self, names: &Names) -> String {
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
                    Form::DeployHistory => "`history` takes an app and at most one environment",
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
                Form::DeployHistory => format!(
                    "Which app? Give the app's name after `history`, and an environment if you \
                     want only that one's, e.g. `{cmd} history whitehall {}`.",
                    names.environments.last().map_or("production", EnvName::as_str)
                ),
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
            EmergencyAfterEnvironment {
                app,
                git_ref,
                env,
                reason,
            } => {
                let reason = match reason.is_empty() {
                    true => "REASON".to_owned(),
                    false => shorten(reason, 60),
                };
                format!(
                    "For an emergency deploy, put `emergency` first, and the reason after the \
                     environment: `{cmd} emergency {app} {git_ref} to {env} {reason}`."
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
                             `--until YYYY-MM-DD` for the start of that day, \
                             or `--until YYYY-MM-DD HH:MM`."
                .to_owned(),
            UntilUnreadable { given } => format!(
                "I can't read {} as a time. Write `--until HH:MM` for today, \
                 `--until YYYY-MM-DD` for the start of that day, \
                 or `--until YYYY-MM-DD HH:MM`, in 24-hour time.",
                quote(given)
            ),
            UntilBadTime { given } => format!(
                "{} isn't a time of day: use 24-hour HH:MM, from 00:00 to 23:59.",
                quote(given)
            ),
            UntilTimeApart { date, given } => format!(
                "{} after the date reads as a time of day: write the time right after the date, \
                 in 24-hour HH:MM (`--until {date} 17:00`). A date alone means the start of \
                 that day (00:00).",
                quote(given)
            ),
            UntilBadDate { given } => format!(
                "{} isn't a date: {}.",
                quote(given),
                super::super::until::no_such_day(given)
            ),
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
                    // Never a hint that is refused in turn: the night the clocks go
                    // forward, tomorrow's `time` may not exist.
                    let exists = chrono::TimeZone::from_local_datetime(
                        tz,
                        &tomorrow.and_time(until.time()),
                    )
                    .earliest()
                    .is_some();
                    text.push_str(&if exists {
                        format!(" To hold until tomorrow, write `--until {tomorrow} {time}`.")
                    } else {
                        format!(" Tomorrow the clocks go forward over {time}: pick another time.")
                    });
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
            UntilTooFar { until } => format!(
                "`{}` is more than {} days ahead. A hold that long needs no `--until`: leave it out and release the hold when it is over.",
                until.format("%Y-%m-%d %H:%M"),
                super::super::until::MAX_UNTIL_DAYS
            ),
            UntilRepeated => "`--until` is given twice: give it once.".to_owned(),
        }
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
