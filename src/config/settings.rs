//! Settings from the environment (contract in DESIGN.md). Secrets are never printed: `Debug`
//! redacts them here and in `slack_mode.rs`.

#[cfg(test)]
mod tests;

use super::slack_mode::SlackMode;
use super::{Policy, PolicyError};
use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Settings {
    pub slack: SlackMode,
    pub slack_api_url: String,
    /// Connect and total timeout of every Slack Web API call
    /// (`BADGER_SLACK_TIMEOUT_SECS`, default 10).
    pub slack_timeout: std::time::Duration,
    pub database_url: String,
    /// How long a replica's claim on an outbox row lasts if it dies mid-delivery
    /// (`BADGER_OUTBOX_LEASE_SECS`, default 60). Always longer than `slack_timeout`.
    pub outbox_lease: std::time::Duration,
    pub bind: String,
    /// Where people reach badger's dashboard (`BADGER_PUBLIC_URL`), without a trailing
    /// slash; linked from answers too long to show whole. `None`: not linked.
    pub public_url: Option<String>,
    /// `BADGER_API_TOKEN`: a CI token that may report deployments of every app.
    pub api_token: Option<String>,
    /// `BADGER_API_TOKENS`: CI tokens each limited to some apps (see `api_tokens.rs`).
    pub api_tokens: Vec<super::api_tokens::ScopedToken>,
    pub policy_path: Option<PathBuf>,
    pub policy: Policy,
    /// `GITHUB_TOKEN`, `GITHUB_API_URL`, `BADGER_GITHUB_TIMEOUT_SECS`.
    pub github: super::github_settings::GithubSettings,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("slack", &self.slack)
            .field("slack_api_url", &self.slack_api_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("policy_path", &self.policy_path)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("api_tokens", &self.api_tokens)
            .field("outbox_lease", &self.outbox_lease)
            .field("slack_timeout", &self.slack_timeout)
            .field("public_url", &self.public_url)
            .field("github", &self.github)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("environment variable {var}: {message}")]
    Var { var: &'static str, message: String },
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Below this many characters a CI token (`BADGER_API_TOKEN`, each of `BADGER_API_TOKENS`)
/// is guessable; badger says so at start.
pub const API_TOKEN_ADVISED_CHARS: usize = 16;

impl Settings {
    /// Whether any CI token is set, so that the write API is on.
    pub fn write_api_on(&self) -> bool {
        self.api_token.is_some() || !self.api_tokens.is_empty()
    }

    /// What is allowed but unwise, said at start (`serve`) and by `check-config`.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self
            .api_token
            .as_ref()
            .is_some_and(|t| t.chars().count() < API_TOKEN_ADVISED_CHARS)
        {
            out.push(format!(
                "BADGER_API_TOKEN is shorter than {API_TOKEN_ADVISED_CHARS} characters, so it is easy to guess; the CI write API is on with it, but use a long random token (e.g. `openssl rand -hex 32`)"
            ));
        }
        out.extend(super::api_tokens::warnings(
            &self.api_tokens,
            &self.policy.apps,
            API_TOKEN_ADVISED_CHARS,
        ));
        // Local mode reports into the console's channel; connected, a CI report has no
        // channel of its own to be announced in.
        if self.write_api_on()
            && matches!(self.slack, SlackMode::Connected { .. })
            && self.policy.channel.is_none()
        {
            out.push(
                "the CI write API is on (BADGER_API_TOKEN or BADGER_API_TOKENS is set) but the policy names no deploy `channel`, so CI reports (POST /api/v1/deployments) will be refused with 409 until `channel` is set".to_owned(),
            );
        }
        if self.policy.admins.is_empty() {
            for e in self
                .policy
                .environments
                .iter()
                .filter(|e| !e.deployers.is_empty())
            {
                out.push(format!(
                    "environment `{}` lets only its `deployers` deploy, but `admins` is empty: nobody can deploy there for anyone else, those refused are told to ask the deployers, and a hold without --until can be released only by its owner",
                    e.name
                ));
            }
        }
        out
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// Reads settings through `var`, so tests can pass their own environment.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let bad = |var: &'static str, message: &str| SettingsError::Var {
            var,
            message: message.to_owned(),
        };

        let signing_secret = get("SLACK_SIGNING_SECRET");
        let app_token = get("SLACK_APP_TOKEN");
        if app_token
            .as_deref()
            .is_some_and(|t| !t.starts_with("xapp-"))
        {
            return Err(bad(
                "SLACK_APP_TOKEN",
                "must be an app-level token starting with xapp-",
            ));
        }
        let slack = match get("SLACK_BOT_TOKEN") {
            // Socket Mode only receives; answering needs the bot token, so an app token
            // alone would be silently useless.
            None if app_token.is_some() => {
                return Err(bad(
                    "SLACK_APP_TOKEN",
                    "needs SLACK_BOT_TOKEN as well (badger answers through the Web API)",
                ))
            }
            None => SlackMode::Local { signing_secret },
            Some(token) => {
                if !token.starts_with("xoxb-") {
                    return Err(bad(
                        "SLACK_BOT_TOKEN",
                        "must be a bot token starting with xoxb-",
                    ));
                }
                let Some(signing_secret) = signing_secret else {
                    return Err(bad(
                        "SLACK_SIGNING_SECRET",
                        "is required when SLACK_BOT_TOKEN is set (it verifies requests from Slack)",
                    ));
                };
                SlackMode::Connected {
                    bot_token: token,
                    signing_secret,
                    app_token,
                }
            }
        };

        let slack_api_url = get("SLACK_API_URL").unwrap_or_else(|| "https://slack.com/api".into());
        match url::Url::parse(&slack_api_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
            _ => return Err(bad("SLACK_API_URL", "must be an http:// or https:// URL")),
        }

        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://badger.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(bad(
                "DATABASE_URL",
                "must start with sqlite: or postgres://",
            ));
        }

        let bind = get("BADGER_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        if bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(bad(
                "BADGER_BIND",
                "must be an address like 127.0.0.1:3000 (an IP address and port; hostnames are not accepted)",
            ));
        }

        let (policy_path, policy) = match get("BADGER_CONFIG") {
            Some(p) => {
                let path = PathBuf::from(p);
                let policy = Policy::load(&path)?;
                (Some(path), policy)
            }
            None if std::path::Path::new("badger.toml").exists() => {
                let path = PathBuf::from("badger.toml");
                let policy = Policy::load(&path)?;
                (Some(path), policy)
            }
            None => (None, Policy::default()),
        };

        // Any token enables the write API, as the contract says; a short one is warned of.
        let api_token = get("BADGER_API_TOKEN");
        let api_tokens = match get("BADGER_API_TOKENS") {
            None => Vec::new(),
            Some(v) => super::api_tokens::parse(&v, api_token.as_deref()).map_err(|message| {
                SettingsError::Var {
                    var: super::api_tokens::API_TOKENS_VAR,
                    message,
                }
            })?,
        };

        let var_error = |(var, message)| SettingsError::Var { var, message };
        let outbox_lease =
            seconds(&get, "BADGER_OUTBOX_LEASE_SECS", 60, 2..=3600).map_err(var_error)?;
        let slack_timeout =
            seconds(&get, "BADGER_SLACK_TIMEOUT_SECS", 10, 1..=300).map_err(var_error)?;
        // A claim must outlast any one call, or a slow call's row could be taken over
        // and sent again by another replica while the first is still waiting.
        if outbox_lease <= slack_timeout {
            return Err(SettingsError::Var {
                var: "BADGER_OUTBOX_LEASE_SECS",
                message: format!(
                    "must be longer than BADGER_SLACK_TIMEOUT_SECS ({outbox_lease} s is not longer than {slack_timeout} s)"
                ),
            });
        }

        let public_url = match get("BADGER_PUBLIC_URL") {
            None => None,
            Some(v) => Some(public_url(&v)?),
        };
        let github = super::github_settings::GithubSettings::from_vars(&get)
            .map_err(|(var, message)| SettingsError::Var { var, message })?;

        Ok(Settings {
            public_url,
            github,
            slack,
            slack_api_url,
            database_url,
            bind,
            policy_path,
            policy,
            api_token,
            api_tokens,
            outbox_lease: std::time::Duration::from_secs(outbox_lease),
            slack_timeout: std::time::Duration::from_secs(slack_timeout),
        })
    }
}

/// The whole number of seconds in `var`, `default` when it is unset; `get` reads a variable
/// as [`Settings::from_vars`] does.
pub(super) fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<u64, (&'static str, String)> {
    let Some(value) = get(var) else {
        return Ok(default);
    };
    match value.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err((
            var,
            format!(
                "must be a whole number of seconds from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// `BADGER_PUBLIC_URL`: an http(s) URL, linkable in Slack mrkdwn (`<url|text>`), so no
/// `|`, `<` or `>`.
fn public_url(v: &str) -> Result<String, SettingsError> {
    let ok = matches!(url::Url::parse(v), Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host())
        && !v.contains(['|', '<', '>', ' ']);
    if ok {
        Ok(v.trim_end_matches('/').to_owned())
    } else {
        Err(SettingsError::Var {
            var: "BADGER_PUBLIC_URL",
            message: "must be an http:// or https:// URL (where people open badger's dashboard)"
                .to_owned(),
        })
    }
}

/// Hides a password in a database URL before it is logged: in the user part, or as a
/// `password=` query parameter (which sqlx accepts too).
/// [`redact_url`] for a URL the parser refuses (a password with `/`, `#` or `?` in it, say):
/// whatever stands between `scheme://` and the last `@` may be a secret, and so may a
/// `password=` value; none of it is shown.
fn redact_unparsable(url: &str) -> String {
    let mut shown = match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}redacted{}", &url[..s + 3], &url[at..]),
        _ => url.to_owned(),
    };
    if let Some(at) = shown.to_ascii_lowercase().find("password=") {
        let from = at + "password=".len();
        let to = shown[from..].find('&').map_or(shown.len(), |i| from + i);
        shown.replace_range(from..to, "redacted");
    }
    shown
}

pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return redact_unparsable(url);
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("redacted"));
    }
    if u.query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"))
    {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "redacted".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}
