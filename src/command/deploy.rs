//! `/deploy`: requests, emergencies and the subcommands.

use super::error::{Form, ParseError, TextKind};
use super::lookup::{exact_env, is_configured_app, resolve_app, resolve_env, suggest_env};
use super::suggest::{closest, subcommand_typo};
use super::words::{free_text, is, lead, no_more, option_name, parse_id, skip_to};
use super::{CommandContext, DeployCommand};
use crate::domain::names::{AppName, EnvName, GitRef};

/// The subcommand keywords and the forms they start.
pub(super) const SUBCOMMANDS: &[(&str, Form)] = &[
    ("emergency", Form::DeployEmergency),
    ("done", Form::DeployDone),
    ("failed", Form::DeployFailed),
    ("cancel", Form::DeployCancel),
    ("status", Form::DeployStatus),
    ("versions", Form::DeployVersions),
    ("history", Form::DeployHistory),
    ("windows", Form::DeployWindows),
    ("diff", Form::DeployDiff),
    ("help", Form::Deploy),
];

/// Parses the text of a `/deploy` command (everything after the command name).
///
/// Decisions the grammar leaves open:
/// - Empty text is `Help`. Text over [`MAX_INPUT_CHARS`](super::MAX_INPUT_CHARS)
///   characters is rejected before anything else.
/// - Words are separated by any whitespace or control characters. Notes and reasons
///   are the remaining words joined by single spaces, at most
///   [`MAX_TEXT_CHARS`](super::MAX_TEXT_CHARS) characters; Slack escaping is not done here.
/// - Subcommand keywords and `to` are matched ignoring ASCII case, and take precedence
///   over app names: an app literally called `status` (or `emergency`, `done`, …)
///   cannot be requested with this command.
/// - Environments are matched ignoring ASCII case and returned as configured. A typo
///   or unique prefix (`prod`) is an error that suggests the environment; it is never
///   silently accepted.
/// - If the text does not parse as a request and its first word looks like a typo of
///   a subcommand (and is not a configured app), the error is `UnknownSubcommand`
///   ("did you mean `/deploy status`?") rather than the request's error. So does a
///   subcommand written as an option (`--help`). When any slug is allowed, a typo
///   whose text does parse as a request (`stauts v1 staging`) is a request.
/// - A missing ref is reported as such when the REF position holds `to` or an
///   environment not followed by another environment or a near miss of one
///   (`/deploy whitehall staging`), so a ref literally named `to` cannot be deployed.
/// - A word after ENV that is not `--note` is `ExtraWords`, whose message suggests
///   `--note` (`MoreThanOneEnvironment` if that word is an environment). `--note`
///   takes the rest of the text and needs some. `—note` or `–note`
///   (Slack's smart punctuation for `--note`) count as `--note`. If that word is
///   `emergency` or `--emergency`, the message shows the emergency form instead
///   (`EmergencyAfterEnvironment`).
/// - `emergency` takes the words after ENV as the reason; a leading `--note` there is
///   dropped (people used to requests write it).
/// - `help` ignores any words after it; `windows` and the optional arguments of
///   `cancel`, `status` and `versions` allow no extra words.
/// - `history` takes an app, then at most one environment, `to` before it optional as
///   in a request, in full (a typo or `prod` is an error with a suggestion). An app
///   named like an environment (`history staging`) is read as an app, as `versions`
///   reads it. Where the policy lists an app named `history`, text that is no history
///   but is a request for it (`history v1 to staging`) is that request.
/// - IDs are positive whole numbers, optionally written `#12`.
/// - `done` and `failed` followed by one ID-shaped word and nothing else (`done 42`,
///   `failed #42`) finish deployment 42; with any other words the text is the note or
///   reason (`done 42 tests pass`, `done #42 tests pass`), as before IDs were taken there.
///   A lone `0` or a number too big is an `InvalidId` error, not a note.
pub fn parse_deploy(text: &str, ctx: &CommandContext) -> Result<DeployCommand, ParseError> {
    let Some(lead) = lead(text, Form::Deploy, SUBCOMMANDS)? else {
        return Ok(DeployCommand::Help);
    };
    match lead.subcommand {
        // `history` became a keyword after apps could be named so: where the policy lists
        // an app named `history`, text that is no history but a request for it
        // (`history v1 to staging`, `v1` being no app) still reads as one.
        Some(form @ Form::DeployHistory) => {
            parse_subcommand(form, lead.rest(), ctx).or_else(|err| {
                match is_configured_app("history", ctx) {
                    true => parse_request(&lead.words, ctx).map_err(|_| err),
                    false => Err(err),
                }
            })
        }
        Some(form) => parse_subcommand(form, lead.rest(), ctx),
        None => parse_request(&lead.words, ctx)
            .map_err(|err| typo_of_subcommand(lead.first(), ctx).unwrap_or(err)),
    }
}

fn parse_subcommand(
    form: Form,
    rest: &[&str],
    ctx: &CommandContext,
) -> Result<DeployCommand, ParseError> {
    Ok(match form {
        Form::DeployEmergency => {
            let target = parse_target(rest, form, ctx)?;
            let reason = match target.rest.split_first() {
                Some((first, more)) if option_name(first).as_deref() == Some("note") => more,
                _ => target.rest,
            };
            match free_text(reason, form, TextKind::Reason)? {
                Some(reason) => DeployCommand::Emergency {
                    app: target.app,
                    git_ref: target.git_ref,
                    env: target.env,
                    reason,
                },
                None => {
                    return Err(ParseError::EmergencyNeedsReason {
                        app: target.app,
                        git_ref: target.git_ref,
                        env: target.env,
                    })
                }
            }
        }
        Form::DeployDone => match lone_id(rest, form)? {
            Some(id) => DeployCommand::DoneId { id },
            None => DeployCommand::Done {
                note: free_text(rest, form, TextKind::Note)?,
            },
        },
        Form::DeployFailed => match lone_id(rest, form)? {
            Some(id) => DeployCommand::FailedId { id },
            None => DeployCommand::Failed {
                reason: free_text(rest, form, TextKind::Reason)?,
            },
        },
        Form::DeployCancel => {
            let (arg, extra) = optional_arg(rest);
            no_more(extra, form)?;
            DeployCommand::Cancel {
                id: arg.map(|word| parse_id(word, form)).transpose()?,
            }
        }
        Form::DeployStatus => {
            let (arg, extra) = optional_arg(rest);
            let env = arg.map(|word| resolve_env(word, form, ctx)).transpose()?;
            no_more(extra, form)?;
            DeployCommand::Status { env }
        }
        Form::DeployVersions => {
            let (arg, extra) = optional_arg(rest);
            let app = arg.map(|word| resolve_app(word, form, ctx)).transpose()?;
            no_more(extra, form)?;
            DeployCommand::Versions { app }
        }
        Form::DeployHistory => {
            let Some((&app_word, rest)) = rest.split_first() else {
                return Err(ParseError::MissingApp { form });
            };
            let app = resolve_app(app_word, form, ctx)?;
            // `to` before ENV, as in a request (a lone `to` is no environment).
            let rest = if rest.len() > 1 { skip_to(rest) } else { rest };
            let (arg, extra) = optional_arg(rest);
            let env = arg.map(|word| resolve_env(word, form, ctx)).transpose()?;
            no_more(extra, form)?;
            DeployCommand::History { app, env }
        }
        Form::DeployWindows => {
            no_more(rest, form)?;
            DeployCommand::Windows
        }
        Form::DeployDiff => {
            let target = parse_target(rest, form, ctx)?;
            no_more(target.rest, form)?;
            DeployCommand::Diff {
                app: target.app,
                git_ref: target.git_ref,
                env: target.env,
            }
        }
        _ => DeployCommand::Help,
    })
}

/// `done ID` / `failed ID`: the whole text one word shaped like an ID (`12`, `#12`). A
/// lone number was a note before IDs were taken here; a number among other words still is
/// (`done 42 tests pass`), so a note keeps working as it did.
fn lone_id(words: &[&str], form: Form) -> Result<Option<i64>, ParseError> {
    match words {
        [word] if is_id_shaped(word) => parse_id(word, form).map(Some),
        _ => Ok(None),
    }
}

/// Digits, perhaps after `#`: what a person types meaning an ID (`0` and numbers too big
/// are then refused as IDs, not taken as notes).
fn is_id_shaped(word: &str) -> bool {
    let digits = word.strip_prefix('#').unwrap_or(word);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn optional_arg<'w>(words: &'w [&'w str]) -> (Option<&'w str>, &'w [&'w str]) {
    match words.split_first() {
        Some((&first, rest)) => (Some(first), rest),
        None => (None, words),
    }
}

/// `APP REF [to] ENV [--note TEXT]`
fn parse_request(words: &[&str], ctx: &CommandContext) -> Result<DeployCommand, ParseError> {
    let form = Form::DeployRequest;
    let target = parse_target(words, form, ctx)?;
    let note = match target.rest.split_first() {
        None => None,
        Some((&first, more)) => match option_name(first) {
            Some(name) if name == "note" => match free_text(more, form, TextKind::Note)? {
                Some(note) => Some(note),
                None => return Err(ParseError::NoteNeedsText),
            },
            // `--emergency`: an emergency deploy, as with `emergency` after ENV below.
            Some(name) if name == "emergency" => return Err(emergency_after_env(target, more)),
            Some(name) => return Err(unknown_option(form, first, &name, "--note")),
            None => {
                return Err(match exact_env(first, ctx) {
                    Some(other) => ParseError::MoreThanOneEnvironment {
                        env: target.env,
                        other,
                    },
                    // `emergency` at the end: the person meant an emergency deploy.
                    None if is(first, "emergency") => emergency_after_env(target, more),
                    None => ParseError::ExtraWords {
                        app: target.app,
                        git_ref: target.git_ref,
                        env: target.env,
                        extra: target.rest.join(" "),
                    },
                });
            }
        },
    };
    Ok(DeployCommand::Request {
        app: target.app,
        git_ref: target.git_ref,
        env: target.env,
        note,
    })
}

/// `given`, an option `form` does not take (`name` its name without dashes, perhaps with
/// `=value`), refused with the one `option` it takes (`--note`) suggested if the name is
/// close to it.
pub(crate) fn unknown_option(
    form: Form,
    given: &str,
    name: &str,
    option: &'static str,
) -> ParseError {
    let name = name.split('=').next().unwrap_or(name);
    ParseError::UnknownOption {
        form,
        given: given.to_owned(),
        suggestion: closest(name, &[option.trim_start_matches('-')]).map(|_| option),
    }
}

struct Target<'w> {
    app: AppName,
    git_ref: GitRef,
    env: EnvName,
    rest: &'w [&'w str],
}

/// An emergency deploy written as a request with `emergency` (or `--emergency`) after ENV;
/// `reason` is the words after that.
fn emergency_after_env(target: Target, reason: &[&str]) -> ParseError {
    ParseError::EmergencyAfterEnvironment {
        app: target.app,
        git_ref: target.git_ref,
        env: target.env,
        reason: reason.join(" "),
    }
}

/// `APP REF [to] ENV`, and the words after it.
fn parse_target<'w>(
    words: &'w [&'w str],
    form: Form,
    ctx: &CommandContext,
) -> Result<Target<'w>, ParseError> {
    let Some((&app_word, rest)) = words.split_first() else {
        return Err(ParseError::MissingApp { form });
    };
    let app = resolve_app(app_word, form, ctx)?;
    let missing_ref = |env: Option<EnvName>| ParseError::MissingRef {
        form,
        app: app.clone(),
        env,
    };

    let Some((&ref_word, rest)) = rest.split_first() else {
        return Err(missing_ref(None));
    };
    if is(ref_word, "to") {
        return Err(missing_ref(rest.first().and_then(|w| exact_env(w, ctx))));
    }
    if option_name(ref_word).is_some() {
        return Err(missing_ref(None));
    }
    if let Some(env) = exact_env(ref_word, ctx) {
        if !environment_follows(rest, ctx) {
            return Err(missing_ref(Some(env)));
        }
    }
    let git_ref =
        GitRef::parse(ref_word).map_err(|error| ParseError::InvalidRef { form, error })?;

    let Some((&env_word, rest)) = skip_to(rest).split_first() else {
        return Err(ParseError::MissingEnvironment { form, app, git_ref });
    };
    if option_name(env_word).is_some() {
        return Err(ParseError::MissingEnvironment { form, app, git_ref });
    }
    let env = resolve_env(env_word, form, ctx)?;
    Ok(Target {
        app,
        git_ref,
        env,
        rest,
    })
}

/// Whether the words (after a REF that is itself an environment's name) go on with
/// something meant as an environment: one, or a near miss of one.
fn environment_follows(words: &[&str], ctx: &CommandContext) -> bool {
    match skip_to(words).first() {
        None => false,
        Some(word) => {
            exact_env(word, ctx).is_some()
                || (option_name(word).is_none() && suggest_env(word, ctx).is_some())
        }
    }
}

/// `UnknownSubcommand` if `first` looks like a mistyped subcommand (or one written
/// as an option, `--help`).
fn typo_of_subcommand(first: &str, ctx: &CommandContext) -> Option<ParseError> {
    if is_configured_app(first, ctx) {
        return None;
    }
    subcommand_typo(first, SUBCOMMANDS)
}
