//! The TOML policy file (contract in DESIGN.md): unknown keys rejected, every key optional,
//! GOV.UK defaults when absent.

pub use super::github::{ChecklistItem, GithubPolicy, RepoConfig};
use crate::domain::names::{AppName, EnvName};
use crate::domain::window::{Calendar, DayHours, Region};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};

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
    pub requires_previous: bool,
    /// Empty: anyone may deploy here.
    pub deployers: Vec<String>,
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
    environments: Option<Vec<RawEnvironment>>,
    window: Option<RawWindow>,
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
struct RawEnvironment {
    name: String,
    window: Option<String>,
    requires_previous: Option<bool>,
    deployers: Option<Vec<String>>,
    smoke_urls: Option<Vec<String>>,
    smoke_timeout_secs: Option<i64>,
    checklist: Option<Vec<super::github::RawChecklistItem>>,
    stay_minutes: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    monday: Option<String>,
    tuesday: Option<String>,
    wednesday: Option<String>,
    thursday: Option<String>,
    friday: Option<String>,
    saturday: Option<String>,
    sunday: Option<String>,
    bank_holidays: Option<String>,
    bank_holidays_file: Option<String>,
    closed_dates: Option<Vec<String>>,
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
            message: e.to_string().trim().replace('\n', " "),
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
        for (i, a) in admins.iter().enumerate() {
            if !is_slack_id(a, &['U', 'W']) {
                return Err(bad(
                    &format!("admins[{i}]"),
                    format!("`{a}` is not a Slack user id (like U0123456789)"),
                ));
            }
        }

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

        let environments = match raw.environments {
            None => ["integration", "staging", "production"]
                .iter()
                .enumerate()
                .map(|(i, n)| Environment {
                    name: EnvName::new_unchecked(*n),
                    window: if i == 0 {
                        WindowKind::Always
                    } else {
                        WindowKind::OfficeHours
                    },
                    requires_previous: i > 0,
                    deployers: vec![],
                    smoke_urls: vec![],
                    smoke_timeout_secs: super::smoke_urls::DEFAULT_TIMEOUT_SECS,
                    checklist: vec![],
                    stay_minutes: 0,
                })
                .collect(),
            Some(list) => {
                if list.is_empty() {
                    return Err(bad(
                        "environments",
                        "at least one environment is needed".into(),
                    ));
                }
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for (i, e) in list.into_iter().enumerate() {
                    let key = |k: &str| format!("environments[{i}].{k}");
                    let name = e.name.trim().to_owned();
                    let valid = !name.is_empty()
                        && name.len() <= 32
                        && name.bytes().enumerate().all(|(j, b)| {
                            b.is_ascii_lowercase()
                                || b.is_ascii_digit()
                                || (j > 0 && (b == b'-' || b == b'_'))
                        });
                    if !valid {
                        return Err(bad(
                            &key("name"),
                            format!("`{}` is not an environment name: lower-case letters, digits, `-`, `_`", e.name),
                        ));
                    }
                    if matches!(name.as_str(), "to" | "all") {
                        return Err(bad(&key("name"), format!("`{name}` is a reserved word")));
                    }
                    if !seen.insert(name.clone()) {
                        return Err(bad(&key("name"), format!("`{name}` is listed twice")));
                    }
                    let window = match e.window.as_deref() {
                        None if i == 0 => WindowKind::Always,
                        None => WindowKind::OfficeHours,
                        Some("always") => WindowKind::Always,
                        Some("office-hours") => WindowKind::OfficeHours,
                        Some(other) => {
                            return Err(bad(
                                &key("window"),
                                format!("`{other}` must be \"always\" or \"office-hours\""),
                            ))
                        }
                    };
                    let requires_previous = e.requires_previous.unwrap_or(i > 0);
                    if requires_previous && i == 0 {
                        return Err(bad(
                            &key("requires_previous"),
                            "the first environment has no previous one".into(),
                        ));
                    }
                    let deployers = e.deployers.unwrap_or_default();
                    for (j, d) in deployers.iter().enumerate() {
                        if !is_slack_id(d, &['U', 'W']) {
                            return Err(bad(
                                &format!("environments[{i}].deployers[{j}]"),
                                format!("`{d}` is not a Slack user id (like U0123456789)"),
                            ));
                        }
                    }
                    let (smoke_urls, smoke_timeout_secs) =
                        super::smoke_urls::from_raw(i, e.smoke_urls, e.smoke_timeout_secs)
                            .map_err(|(k, m)| bad(&k, m))?;
                    let (checklist, stay_minutes) =
                        super::github::parse_checklist(i, e.checklist, e.stay_minutes)
                            .map_err(|(k, m)| bad(&k, m))?;
                    out.push(Environment {
                        name: EnvName::new_unchecked(name),
                        window,
                        requires_previous,
                        deployers,
                        smoke_urls,
                        smoke_timeout_secs,
                        checklist,
                        stay_minutes,
                    });
                }
                out
            }
        };

        let mut calendar = Calendar::govuk_default();
        let mut holidays_file = None;
        calendar.tz = tz;
        if let Some(w) = raw.window {
            let days = [
                ("monday", w.monday),
                ("tuesday", w.tuesday),
                ("wednesday", w.wednesday),
                ("thursday", w.thursday),
                ("friday", w.friday),
                ("saturday", w.saturday),
                ("sunday", w.sunday),
            ];
            for (i, (day, spec)) in days.into_iter().enumerate() {
                if let Some(spec) = spec {
                    calendar.week[i] =
                        DayHours::parse(&spec).map_err(|m| bad(&format!("window.{day}"), m))?;
                }
            }
            if let Some(r) = w.bank_holidays {
                calendar.region = Region::parse(&r).map_err(|m| bad("window.bank_holidays", m))?;
            }
            let mut closed = BTreeSet::new();
            for (i, d) in w.closed_dates.unwrap_or_default().iter().enumerate() {
                let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    bad(
                        &format!("window.closed_dates[{i}]"),
                        format!("`{d}` is not a date (YYYY-MM-DD)"),
                    )
                })?;
                closed.insert(date);
            }
            calendar.closed_dates = closed;
            if let Some(file) = w.bank_holidays_file.as_deref().map(str::trim) {
                let key = "window.bank_holidays_file";
                if file.is_empty() {
                    return Err(bad(
                        key,
                        "is empty: give the path of a gov.uk bank-holidays.json file".into(),
                    ));
                }
                // A relative path is taken from the policy file's folder, so the two
                // travel together.
                let file = std::path::Path::new(file);
                let resolved = match std::path::Path::new(path).parent() {
                    Some(dir) if file.is_relative() => dir.join(file),
                    _ => file.to_path_buf(),
                };
                calendar.listed_holidays = super::holidays_file::load(&resolved, calendar.region)
                    .map_err(|m| bad(key, m))?;
                holidays_file = Some(resolved);
            }
        }

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

fn is_slack_id(s: &str, prefixes: &[char]) -> bool {
    s.len() >= 3
        && s.len() <= 20
        && s.starts_with(prefixes)
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Policy::from_toml(text, "badger.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_are_govuk() {
        let p = Policy::default();
        assert_eq!(p.deploy_command, "/deploy");
        assert_eq!(p.hold_command, "/hold");
        assert_eq!(
            p.env_names().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
            ["integration", "staging", "production"]
        );
        assert_eq!(p.environments[0].window, WindowKind::Always);
        assert!(!p.environments[0].requires_previous);
        assert_eq!(p.environments[2].window, WindowKind::OfficeHours);
        assert!(p.environments[2].requires_previous);
        assert_eq!(p.turn_timeout, chrono::Duration::minutes(10));
        assert_eq!(p.calendar, Calendar::govuk_default());
        assert_eq!(
            p.previous_env(&EnvName::new_unchecked("production"))
                .unwrap()
                .name
                .as_str(),
            "staging"
        );
        assert!(p
            .previous_env(&EnvName::new_unchecked("integration"))
            .is_none());
    }

    #[test]
    fn full_file_parses() {
        let p = Policy::from_toml(
            r#"
channel = "C0123456789"
timezone = "Europe/London"
admins = ["U0ADMIN"]
commands = { deploy = "/ship", hold = "/freeze" }
apps = ["whitehall", "publisher"]
[[environments]]
name = "integration"
window = "always"
requires_previous = false
deployers = []
[[environments]]
name = "staging"
[[environments]]
name = "production"
deployers = ["U0DEPLOY"]
[window]
monday = "09:30-17:00"
friday = "10:00-24:00"
saturday = "closed"
bank_holidays = "scotland"
closed_dates = ["2026-12-24"]
[queue]
turn_timeout_minutes = 5
"#,
            "t",
        )
        .unwrap();
        assert_eq!(p.channel.as_deref(), Some("C0123456789"));
        assert_eq!(p.deploy_command, "/ship");
        assert_eq!(p.apps.len(), 2);
        assert_eq!(p.calendar.region, Region::Scotland);
        assert_eq!(p.calendar.closed_dates.len(), 1);
        assert_eq!(p.turn_timeout, chrono::Duration::minutes(5));
        let prod = p.env("production").unwrap();
        assert!(p.may_deploy(prod, "U0DEPLOY"));
        assert!(p.may_deploy(prod, "U0ADMIN"));
        assert!(!p.may_deploy(prod, "U0OTHER"));
    }

    #[test]
    fn errors_name_the_key() {
        assert!(
            err("colour = 1").contains("unknown field `colour`"),
            "{}",
            err("colour = 1")
        );
        assert!(err("[window]\nmondai = \"closed\"").contains("mondai"));
        assert!(err("timezone = \"Europe/Londn\"").contains("`timezone`"));
        assert!(err("[window]\nmonday = \"17:00-09:00\"").contains("`window.monday`"));
        assert!(err("[window]\nbank_holidays = \"wales\"").contains("`window.bank_holidays`"));
        assert!(
            err("[window]\nclosed_dates = [\"2026-02-30\"]").contains("`window.closed_dates[0]`")
        );
        assert!(err("[queue]\nturn_timeout_minutes = 0").contains("`queue.turn_timeout_minutes`"));
        assert!(err("admins = [\"bob\"]").contains("`admins[0]`"));
        assert!(err("channel = \"#deploy\"").contains("`channel`"));
        assert!(err("apps = [\"Whitehall\"]").contains("`apps[0]`"));
        assert!(
            err("[[environments]]\nname = \"a\"\n[[environments]]\nname = \"a\"")
                .contains("`environments[1].name`")
        );
        assert!(
            err("[[environments]]\nname = \"a\"\nwindow = \"sometimes\"")
                .contains("`environments[0].window`")
        );
        assert!(err("commands = { deploy = \"deploy\" }").contains("`commands.deploy`"));
        assert!(err("environments = []").contains("`environments`"));
        assert!(err("channel = ").contains("badger.toml"));
    }

    #[test]
    fn bank_holidays_file_adds_the_regions_dates() {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Proclaimed holiday", "date": "2026-09-08", "notes": "", "bunting": true}]},
            "scotland": {"division": "scotland", "events": [
            {"title": "Scottish extra", "date": "2026-09-09", "notes": "", "bunting": false}]}}"#;
        std::fs::write(dir.path().join("holidays.json"), json).unwrap();
        let policy = dir.path().join("badger.toml");
        // Relative to the policy file's folder.
        std::fs::write(
            &policy,
            "[window]\nbank_holidays_file = \"holidays.json\"\n",
        )
        .unwrap();
        let p = Policy::load(&policy).unwrap();
        let dates: Vec<String> = p
            .calendar
            .listed_holidays
            .keys()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(dates, ["2026-09-08"]);
        let at = chrono::DateTime::parse_from_rfc3339("2026-09-08T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(!p.calendar.is_open(at));

        std::fs::write(
            &policy,
            "[window]\nbank_holidays = \"scotland\"\nbank_holidays_file = \"holidays.json\"\n",
        )
        .unwrap();
        let p = Policy::load(&policy).unwrap();
        assert_eq!(p.calendar.listed_holidays.len(), 1);
        assert!(p
            .calendar
            .listed_holidays
            .contains_key(&NaiveDate::from_ymd_opt(2026, 9, 9).unwrap()));
    }

    #[test]
    fn bank_holidays_file_problems_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("badger.toml");
        let load = |toml: &str| {
            std::fs::write(&policy, toml).unwrap();
            Policy::load(&policy).unwrap_err().to_string()
        };
        let e = load("[window]\nbank_holidays_file = \"missing.json\"\n");
        assert!(
            e.contains("`window.bank_holidays_file`") && e.contains("missing.json"),
            "{e}"
        );
        assert!(e.contains("cannot read"), "{e}");
        std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
        let e = load("[window]\nbank_holidays_file = \"bad.json\"\n");
        assert!(
            e.contains("`window.bank_holidays_file`") && e.contains("format"),
            "{e}"
        );
        let e = load("[window]\nbank_holidays_file = \"\"\n");
        assert!(
            e.contains("`window.bank_holidays_file`") && e.contains("empty"),
            "{e}"
        );
        // Unknown keys are still rejected next to it.
        let e = load("[window]\nbank_holidays_files = \"bad.json\"\n");
        assert!(e.contains("unknown field `bank_holidays_files`"), "{e}");
    }
}
