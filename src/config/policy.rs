//! The TOML policy file (contract in DESIGN.md): unknown keys rejected, every key optional,
//! GOV.UK defaults when absent.

pub use super::github::{ChecklistItem, GithubPolicy, RepoConfig};
use crate::domain::names::{AppName, EnvName};
use crate::domain::window::Calendar;
use chrono_tz::Tz;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WindowKind {
    Always,
    OfficeHours,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: EnvName,
    pub window: WindowKind,
    /// Empty: anyone may deploy here.
    pub deployers: Vec<String>,
    pub requires_previous: bool,
    /// Requested after each success here (`{app}` and `{ref}` unsubstituted); empty: none.
    pub smoke_urls: Vec<String>,
    /// How long one smoke request may take, 1..=300 seconds.
    pub smoke_timeout_secs: u64,
    /// Links posted in the end alert's thread after a success.
    pub checklist: Vec<ChecklistItem>,
    /// Minutes after a success to ask the deployer whether all is well; 0: never.
    pub stay_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The deploy channel; `None` means "the channel the command was typed in".
    pub channel: Option<String>,
    pub admins: Vec<String>,
    pub deploy_command: String,
    pub hold_command: String,
    /// Empty: any valid slug.
    pub apps: Vec<AppName>,
    pub environments: Vec<Environment>,
    pub calendar: Calendar,
    /// `window.bank_holidays_file` as resolved (its dates are in `calendar.listed_holidays`).
    pub holidays_file: Option<std::path::PathBuf>,
    pub turn_timeout: chrono::Duration,
    pub github: GithubPolicy,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {message}")]
    Read { path: String, message: String },
    #[error("policy file {path}: {message}")]
    Syntax { path: String, message: String },
    #[error("policy file {path}: `{key}`: {message}")]
    Invalid {
        path: String,
        key: String,
        message: String,
    },
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    channel: Option<String>,
    timezone: Option<String>,
    admins: Option<Vec<String>>,
    commands: Option<RawCommands>,
    apps: Option<Vec<String>>,
    environments: Option<Vec<super::environments::RawEnvironment>>,
    window: Option<super::window::RawWindow>,
    queue: Option<RawQueue>,
    github: Option<super::github::RawGithub>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommands {
    deploy: Option<String>,
    hold: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    turn_timeout_minutes: Option<i64>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_toml("", "<defaults>").expect("the empty policy is valid")
    }
}

impl Policy {
    pub fn load(path: &std::path::Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    pub fn from_toml(text: &str, path: &str) -> Result<Self, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            path: path.to_owned(),
            // The parser's snippet over several lines, so its `^` points at the mistake.
            message: e.to_string().trim_end().to_owned(),
        })?;
        let bad = |key: &str, message: String| PolicyError::Invalid {
            path: path.to_owned(),
            key: key.to_owned(),
            message,
        };

        let channel = match raw.channel.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) if is_slack_id(c, &['C', 'G']) => Some(c.to_owned()),
            Some(c) => {
                return Err(bad(
                    "channel",
                    format!("`{c}` is not a Slack channel id (like C0123456789)"),
                ))
            }
        };

        let tz_name = raw.timezone.as_deref().unwrap_or("Europe/London");
        let tz: Tz = tz_name.parse().map_err(|_| {
            bad(
                "timezone",
                format!("`{tz_name}` is not an IANA timezone (like Europe/London)"),
            )
        })?;

        let admins = raw.admins.unwrap_or_default();
        user_ids("admins", &admins).map_err(|(k, m)| bad(&k, m))?;

        let (deploy_command, hold_command) = match raw.commands {
            None => ("/deploy".to_owned(), "/hold".to_owned()),
            Some(c) => (
                c.deploy.unwrap_or_else(|| "/deploy".into()),
                c.hold.unwrap_or_else(|| "/hold".into()),
            ),
        };
        for (key, name) in [
            ("commands.deploy", &deploy_command),
            ("commands.hold", &hold_command),
        ] {
            let ok = name.len() >= 2
                && name.len() <= 32
                && name.starts_with('/')
                && name[1..].bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !ok {
                return Err(bad(
                    key,
                    format!("`{name}` is not a slash command name (like /deploy)"),
                ));
            }
        }
        if deploy_command == hold_command {
            return Err(bad(
                "commands",
                "the deploy and hold commands must differ".into(),
            ));
        }

        let mut apps = Vec::new();
        for (i, a) in raw.apps.unwrap_or_default().iter().enumerate() {
            let app = AppName::parse(a).map_err(|e| bad(&format!("apps[{i}]"), e.0))?;
            if apps.contains(&app) {
                return Err(bad(&format!("apps[{i}]"), format!("`{a}` is listed twice")));
            }
            apps.push(app);
        }

        let environments = super::environments::parse_environments(raw.environments)
            .map_err(|(k, m)| bad(&k, m))?;
        let (calendar, holidays_file) =
            super::window::parse_window(raw.window, tz, path).map_err(|(k, m)| bad(&k, m))?;

        let turn_timeout_minutes = raw.queue.and_then(|q| q.turn_timeout_minutes).unwrap_or(10);
        if !(1..=24 * 60).contains(&turn_timeout_minutes) {
            return Err(bad(
                "queue.turn_timeout_minutes",
                format!("{turn_timeout_minutes} must be between 1 and 1440"),
            ));
        }

        let github = super::github::parse_github(raw.github, |id| is_slack_id(id, &['U', 'W']))
            .map_err(|(k, m)| bad(&k, m))?;

        Ok(Policy {
            github,
            channel,
            admins,
            deploy_command,
            hold_command,
            apps,
            environments,
            calendar,
            holidays_file,
            turn_timeout: chrono::Duration::minutes(turn_timeout_minutes),
        })
    }

    pub fn env(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name.as_str() == name)
    }

    /// The environment a ref must have passed before `name`, if the promotion rule applies.
    pub fn previous_env(&self, name: &EnvName) -> Option<&Environment> {
        let i = self.environments.iter().position(|e| &e.name == name)?;
        if i > 0 && self.environments[i].requires_previous {
            self.environments.get(i - 1)
        } else {
            None
        }
    }

    pub fn env_names(&self) -> Vec<EnvName> {
        self.environments.iter().map(|e| e.name.clone()).collect()
    }

    /// The environments' names in order, borrowed (for messages and labels).
    pub fn env_strs(&self) -> Vec<&str> {
        self.environments.iter().map(|e| e.name.as_str()).collect()
    }

    pub fn is_admin(&self, user: &str) -> bool {
        self.admins.iter().any(|a| a == user)
    }

    pub fn may_deploy(&self, env: &Environment, user: &str) -> bool {
        env.deployers.is_empty() || env.deployers.iter().any(|d| d == user) || self.is_admin(user)
    }

    /// Whether deployments to `env` may start at `at` (emergencies aside).
    pub fn window_open(&self, env: &Environment, at: chrono::DateTime<chrono::Utc>) -> bool {
        env.window == WindowKind::Always || self.calendar.is_open(at)
    }
}

/// Each of `ids` must be a Slack user id; a mistake names its key, `key[i]`.
pub(super) fn user_ids(key: &str, ids: &[String]) -> Result<(), super::github::Bad> {
    match ids
        .iter()
        .enumerate()
        .find(|(_, id)| !is_slack_id(id, &['U', 'W']))
    {
        Some((i, id)) => Err((
            format!("{key}[{i}]"),
            format!("`{id}` is not a Slack user id (like U0123456789)"),
        )),
        None => Ok(()),
    }
}

fn is_slack_id(s: &str, prefixes: &[char]) -> bool {
    s.len() >= 3
        && s.len() <= 20
        && s.starts_with(prefixes)
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Asserts each policy text is refused, with a message containing what its case says (the
/// configuration's unit tests).
#[cfg(test)]
pub(crate) fn assert_refused(cases: &[(&str, &str)]) {
    for (text, mentions) in cases {
        let e = Policy::from_toml(text, "badger.toml").unwrap_err();
        assert!(e.to_string().contains(mentions), "{text:?}: {e}");
    }
}

#[cfg(test)]
mod tests;
