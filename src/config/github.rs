//! The policy file's GitHub settings (`[github]`) and each environment's post-deploy
//! checklist: parsed and checked here, so policy.rs only wires them in.

use crate::domain::names::AppName;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One app's repository and deploy workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoConfig {
    /// `owner/name`.
    pub repo: String,
    /// The workflow file (or id) dispatched on start.
    pub workflow: String,
    /// Whether badger dispatches the workflow when a deployment starts.
    pub trigger: bool,
    /// An extra workflow input that receives badger's deployment id, when set.
    pub deployment_input: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubPolicy {
    /// GitHub login -> Slack user id, for mentions.
    pub users: BTreeMap<String, String>,
    /// App name -> its repository.
    pub repos: BTreeMap<String, RepoConfig>,
    /// How long a triggered run has to report back before the deployer is asked.
    pub report_minutes: i64,
}

impl Default for GithubPolicy {
    fn default() -> Self {
        GithubPolicy {
            users: BTreeMap::new(),
            repos: BTreeMap::new(),
            report_minutes: 60,
        }
    }
}

impl GithubPolicy {
    pub fn repo(&self, app: &str) -> Option<&RepoConfig> {
        self.repos.get(app)
    }
}

/// A link posted after a successful deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGithub {
    users: Option<BTreeMap<String, String>>,
    repos: Option<BTreeMap<String, RawRepo>>,
    report_minutes: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepo {
    repo: String,
    workflow: Option<String>,
    trigger: Option<bool>,
    deployment_input: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChecklistItem {
    title: String,
    url: String,
}

/// A mistake: the key it is about, and what is wrong.
pub(super) type Bad = (String, String);

fn word(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

pub(super) fn parse_github(
    raw: Option<RawGithub>,
    is_user_id: impl Fn(&str) -> bool,
) -> Result<GithubPolicy, Bad> {
    let Some(raw) = raw else {
        return Ok(GithubPolicy::default());
    };
    let mut users = BTreeMap::new();
    for (login, id) in raw.users.unwrap_or_default() {
        let key = format!("github.users.{login}");
        if !word(&login, b"-") || login.len() > 39 {
            return Err((key, format!("`{login}` is not a GitHub login")));
        }
        if !is_user_id(&id) {
            return Err((
                key,
                format!("`{id}` is not a Slack user id (like U0123456789)"),
            ));
        }
        // GitHub logins are case-insensitive.
        users.insert(login.to_ascii_lowercase(), id);
    }
    let mut repos = BTreeMap::new();
    for (app, r) in raw.repos.unwrap_or_default() {
        let key = |k: &str| format!("github.repos.{app}.{k}");
        AppName::parse(&app).map_err(|e| (format!("github.repos.{app}"), e.0))?;
        let valid_repo = r
            .repo
            .split_once('/')
            .is_some_and(|(o, n)| word(o, b"-") && word(n, b"-_."));
        if !valid_repo {
            return Err((
                key("repo"),
                format!("`{}` is not a repository (like alphagov/whitehall)", r.repo),
            ));
        }
        let workflow = r.workflow.unwrap_or_else(|| "deploy.yml".into());
        if !word(&workflow, b"-_.") {
            return Err((
                key("workflow"),
                format!("`{workflow}` is not a workflow file name (like deploy.yml)"),
            ));
        }
        if let Some(input) = &r.deployment_input {
            if !word(input, b"-_") || matches!(input.as_str(), "environment" | "gitRef") {
                return Err((
                    key("deployment_input"),
                    format!(
                        "`{input}` is not a workflow input name other than environment and gitRef"
                    ),
                ));
            }
        }
        repos.insert(
            app.clone(),
            RepoConfig {
                repo: r.repo,
                workflow,
                trigger: r.trigger.unwrap_or(false),
                deployment_input: r.deployment_input,
            },
        );
    }
    let report_minutes = raw.report_minutes.unwrap_or(60);
    if !(1..=24 * 60).contains(&report_minutes) {
        return Err((
            "github.report_minutes".into(),
            format!("{report_minutes} must be between 1 and 1440"),
        ));
    }
    Ok(GithubPolicy {
        users,
        repos,
        report_minutes,
    })
}

/// An environment's `checklist` and `stay_minutes` (0: no reminder).
pub(super) fn parse_checklist(
    env_index: usize,
    raw: Option<Vec<RawChecklistItem>>,
    stay_minutes: Option<i64>,
) -> Result<(Vec<ChecklistItem>, i64), Bad> {
    let mut out = Vec::new();
    for (j, item) in raw.unwrap_or_default().into_iter().enumerate() {
        let key = |k: &str| format!("environments[{env_index}].checklist[{j}].{k}");
        let title = item.title.trim().to_owned();
        if title.is_empty() || title.chars().count() > 75 {
            return Err((key("title"), "must be 1 to 75 characters".into()));
        }
        match url::Url::parse(&item.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && item.url.len() <= 500 => {}
            _ => return Err((key("url"), format!("`{}` is not an http(s) URL", item.url))),
        }
        out.push(ChecklistItem {
            title,
            url: item.url,
        });
    }
    // Slack shows at most 50 blocks; a checklist is one line each, and longer is no list.
    if out.len() > 20 {
        return Err((
            format!("environments[{env_index}].checklist"),
            "has more than 20 links".into(),
        ));
    }
    let stay = stay_minutes.unwrap_or(0);
    if !(0..=24 * 60).contains(&stay) {
        return Err((
            format!("environments[{env_index}].stay_minutes"),
            format!("{stay} must be between 0 (no reminder) and 1440"),
        ));
    }
    Ok((out, stay))
}

#[cfg(test)]
mod tests {
    use crate::config::Policy;

    #[test]
    fn github_settings_parse_with_defaults() {
        let p = Policy::from_toml(
            r#"
[github]
users = { octocat = "U0123ABCD" }
[github.repos]
whitehall = { repo = "alphagov/whitehall", workflow = "deploy.yml", trigger = true, deployment_input = "badgerDeploymentId" }
publisher = { repo = "alphagov/publisher" }
[[environments]]
name = "integration"
checklist = [{ title = "Errors", url = "https://sentry.example/whitehall" }]
stay_minutes = 15
"#,
            "t",
        )
        .unwrap();
        assert_eq!(p.github.users["octocat"], "U0123ABCD");
        let w = p.github.repo("whitehall").unwrap();
        assert!(w.trigger);
        assert_eq!(w.deployment_input.as_deref(), Some("badgerDeploymentId"));
        let pub_ = p.github.repo("publisher").unwrap();
        assert_eq!(pub_.workflow, "deploy.yml");
        assert!(!pub_.trigger);
        assert_eq!(pub_.deployment_input, None);
        assert_eq!(p.github.report_minutes, 60);
        let env = &p.environments[0];
        assert_eq!(env.checklist[0].title, "Errors");
        assert_eq!(env.stay_minutes, 15);
    }

    #[test]
    fn github_mistakes_name_the_key() {
        crate::config::policy::assert_refused(&[
            ("[github]\ntoken = \"x\"", "unknown field `token`"),
            ("[github.repos]\nw = { repo = \"x\" }", "`github.repos.w.repo`"),
            ("[github.repos]\nw = { repo = \"a/b\", trigger = true, extra = 1 }", "unknown field `extra`"),
            ("[github.repos]\nw = { repo = \"a/b\", workflow = \"../x\" }", "`github.repos.w.workflow`"),
            ("[github.repos]\nw = { repo = \"a/b\", deployment_input = \"gitRef\" }", "`github.repos.w.deployment_input`"),
            ("[github]\nusers = { octocat = \"bob\" }", "`github.users.octocat`"),
            ("[github]\nreport_minutes = 0", "`github.report_minutes`"),
            ("[[environments]]\nname = \"a\"\nchecklist = [{ title = \"E\", url = \"ftp://x\" }]", "`environments[0].checklist[0].url`"),
            ("[[environments]]\nname = \"a\"\nstay_minutes = -1", "`environments[0].stay_minutes`"),
        ]);
    }
}
