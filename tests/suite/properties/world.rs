//! The world a command is parsed in: the pools of environment and app names, the
//! timezones, and the `World` strategy built from them.

use super::*;
use badger::command::CommandContext;
use badger::domain::names::{AppName, EnvName};
use chrono_tz::Tz;
use proptest::sample::subsequence;

/// Environment names as workspaces really configure them; command text types them too.
pub(super) const ENV_NAMES: &[&str] = &[
    "integration",
    "staging",
    "production",
    "prod",
    "dev",
    "test",
    "qa-2",
    "x_1",
    "e2e",
];

/// Valid environment names that clash with command words or app names.
const ENV_AWKWARD: &[&str] = &[
    "status",
    "help",
    "list",
    "release",
    "note",
    "emergency",
    "whitehall",
];

/// Every environment name a world may configure.
pub(super) const ENV_POOL: [&[&str]; 2] = [ENV_NAMES, ENV_AWKWARD];

/// App names as workspaces really configure them; command text types them too.
pub(super) const APP_NAMES: &[&str] = &[
    "whitehall",
    "publisher",
    "collections-publisher",
    "content-store",
    "search-api",
    "router",
];

/// Valid app names that clash with command words, environments, refs or ids, or look odd.
const APP_AWKWARD: &[&str] = &[
    "status", "all", "to", "help", "list", "staging", "v1", "12", "a.b_c-d",
];

/// Every app name a world may allow.
pub(super) const APP_POOL: [&[&str]; 2] = [APP_NAMES, APP_AWKWARD];

const TIMEZONES: &[Tz] = &[
    chrono_tz::Europe::London,
    chrono_tz::UTC,
    chrono_tz::America::New_York,
    chrono_tz::America::Santiago,
    chrono_tz::America::St_Johns,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Pacific::Kiritimati,
    chrono_tz::Pacific::Apia,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Africa::Casablanca,
];

/// The workspace a command is parsed in: environments, apps, timezone, the time.
#[derive(Debug, Clone)]
pub(super) struct World {
    deploy: &'static str,
    hold: &'static str,
    pub(super) envs: Vec<EnvName>,
    pub(super) apps: Vec<AppName>,
    tz: Tz,
    pub(super) now: DateTime<Utc>,
}

impl World {
    pub(super) fn ctx(&self) -> CommandContext<'_> {
        CommandContext {
            deploy_command: self.deploy,
            hold_command: self.hold,
            environments: &self.envs,
            apps: &self.apps,
            tz: self.tz,
            now: self.now,
        }
    }
}

pub(super) fn world() -> BoxedStrategy<World> {
    let envs = prop_oneof![
        2 => Just(vec!["integration", "staging", "production"]),
        3 => subsequence(ENV_POOL.concat(), 1..=5).prop_shuffle(),
    ];
    let apps = prop_oneof![
        2 => Just(Vec::new()),
        1 => subsequence(APP_POOL.concat(), 1..=6),
    ];
    let commands = select(&[("/deploy", "/hold"), ("/ship", "/freeze")][..]);
    (envs, apps, select(TIMEZONES), instant(), commands)
        .prop_map(|(envs, apps, tz, now, (deploy, hold))| World {
            deploy,
            hold,
            envs: envs.into_iter().map(EnvName::new_unchecked).collect(),
            apps: apps
                .into_iter()
                .map(|a| AppName::parse(a).expect("valid pool app"))
                .collect(),
            tz,
            now,
        })
        .boxed()
}
