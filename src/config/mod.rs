//! Configuration: secrets and deployment settings from the environment, rules from the
//! policy file. Both are validated once at start-up; a mistake stops badger with a message
//! that names the key.

mod api_tokens;
mod environments;
mod freezes;
mod github;
mod github_settings;
mod holidays_file;
mod policy;
mod settings;
mod slack_mode;
pub mod smoke_urls;
mod window;

pub use api_tokens::{ScopedToken, API_TOKENS_VAR};
pub use github_settings::GithubSettings;
pub use policy::{
    ChecklistItem, Environment, GithubPolicy, Policy, PolicyError, RepoConfig, WindowKind,
};
pub use settings::{redact_url, Settings, SettingsError};
pub use slack_mode::SlackMode;
pub use window::WEEKDAYS;
