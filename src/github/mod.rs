//! GitHub: dispatching an app's deploy workflow when its deployment starts, linking the
//! run, and showing what a release contains. The client is thin and typed (reqwest, with
//! timeouts); every call runs in the worker, never on a Slack request's path.

pub mod client;
pub mod summary;
pub mod worker;

pub use client::{GhError, GithubClient};
pub use worker::GithubWorker;

/// `badger check-config`'s lines about GitHub: the token (set or not, never its value),
/// each app's repository, and the after-deploy settings per environment.
pub fn describe_config(s: &crate::config::Settings) -> String {
    let g = &s.policy.github;
    let mut out = format!(
        "github: {} ({}), report back within {} minutes\n",
        s.github.api_url,
        if s.github.token.is_some() {
            "GITHUB_TOKEN set"
        } else {
            "no GITHUB_TOKEN"
        },
        g.report_minutes
    );
    for (app, r) in &g.repos {
        out += &format!(
            "  {app}: {} {}{}\n",
            r.repo,
            if r.trigger {
                format!("dispatches {} on start", r.workflow)
            } else {
                "compares only".to_owned()
            },
            r.deployment_input
                .as_ref()
                .map(|i| format!(" (deployment id in input {i})"))
                .unwrap_or_default()
        );
    }
    for e in &s.policy.environments {
        if !e.checklist.is_empty() || e.stay_minutes > 0 {
            out += &format!(
                "  after a success in {}: {} checklist link(s), reminder after {} minute(s)\n",
                e.name,
                e.checklist.len(),
                e.stay_minutes
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::{Policy, Settings};

    #[test]
    fn check_config_describes_github_without_the_token() {
        let mut s = Settings::from_vars(|k| (k == "GITHUB_TOKEN").then(|| "ghp_secret".into()))
            .expect("settings");
        s.policy = Policy::from_toml(
            "[[environments]]\nname = \"integration\"\nstay_minutes = 15\n[github.repos]\nwhitehall = { repo = \"alphagov/whitehall\", trigger = true }\n",
            "t",
        )
        .expect("policy");
        let out = super::describe_config(&s);
        assert!(out.contains("GITHUB_TOKEN set"), "{out}");
        assert!(
            out.contains("whitehall: alphagov/whitehall dispatches deploy.yml on start"),
            "{out}"
        );
        assert!(out.contains("reminder after 15 minute(s)"), "{out}");
        assert!(!out.contains("ghp_secret"), "{out}");
    }
}
