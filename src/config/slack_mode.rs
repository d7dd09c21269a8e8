//! How badger talks to Slack, from the environment: local mode (no bot token) or connected,
//! with secrets that `Debug` never prints.

use std::fmt;

#[derive(Clone)]
pub enum SlackMode {
    /// No bot token: nothing goes to Slack, what would is logged.
    Local { signing_secret: Option<String> },
    Connected {
        bot_token: String,
        signing_secret: String,
        app_token: Option<String>,
    },
}

impl SlackMode {
    pub fn signing_secret(&self) -> Option<&str> {
        match self {
            SlackMode::Local { signing_secret } => signing_secret.as_deref(),
            SlackMode::Connected { signing_secret, .. } => Some(signing_secret),
        }
    }
}

impl fmt::Debug for SlackMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlackMode::Local { signing_secret } => f
                .debug_struct("Local")
                .field(
                    "signing_secret",
                    &signing_secret.as_ref().map(|_| "<redacted>"),
                )
                .finish(),
            SlackMode::Connected { app_token, .. } => f
                .debug_struct("Connected")
                .field("bot_token", &"<redacted>")
                .field("signing_secret", &"<redacted>")
                .field("app_token", &app_token.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}
