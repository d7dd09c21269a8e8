//! Configuration: secrets and deployment settings from the environment, rules from the
//! policy file. Both are validated once at start-up; a mistake stops badger with a message
//! that names the key.

mod holidays_file;
mod policy;
mod settings;
pub mod smoke_urls;

pub use policy::{Environment, Policy, PolicyError, WindowKind};
pub use settings::{Settings, SettingsError, SlackMode};
