//! What a release contains, as values: the pull requests and authors GitHub's comparison of
//! two refs shows (summarised by `github::summary`), carried in a notice and worded by the
//! Slack edge (`slack::release`). Stored in outbox rows as JSON: add fields with
//! `#[serde(default)]`, never rename one.

use serde::{Deserialize, Serialize};

/// What `to` adds over `from`, which `env` runs now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSummary {
    pub app: String,
    pub env: String,
    /// `owner/name` on GitHub.
    pub repo: String,
    pub from: String,
    pub to: String,
    /// GitHub's page of the comparison, if it gave one.
    pub compare_url: Option<String>,
    /// Commits between the refs, as GitHub counts them.
    pub total_commits: i64,
    /// Commits GitHub listed: pull requests are looked for in these only.
    pub listed_commits: i64,
    /// Every pull request found, fetched or not.
    pub pull_count: usize,
    /// The pull requests fetched (the first few found), oldest first.
    pub pulls: Vec<PullSummary>,
    /// Who wrote the pull requests and commits, each once, bots left out; people with a
    /// Slack id first.
    pub authors: Vec<Author>,
}

/// One pull request of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullSummary {
    pub number: i64,
    pub url: String,
    pub title: String,
    pub author: Option<Author>,
}

/// A GitHub author: a workspace member when the policy maps their login, else the login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// A Slack user id.
    Person(String),
    /// A GitHub login nobody mapped to a Slack user.
    Login(String),
}
