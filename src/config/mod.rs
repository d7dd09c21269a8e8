//! Configuration: secrets and deployment settings from the environment, rules from the
//! policy file. Both are validated once at start-up; a mistake stops badger with a message
//! that names the key.

mod github;
mod github_settings;
mod holidays_file;
mod policy;
mod settings;
pub mod smoke_urls;

pub use github_settings::GithubSettings;
pub use policy::{
    ChecklistItem, Environment, GithubPolicy, Policy, PolicyError, RepoConfig, WindowKind,
};
pub use settings::{Settings, SettingsError, SlackMode};
