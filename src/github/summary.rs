//! What a release contains, from GitHub's data: the pull requests its commits stand for,
//! and its authors (the workspace's people first, bots left out). Pure; the Slack edge
//! words the summary (`slack::release`).

use super::client::{Comparison, Pull};
use crate::domain::release::{Author, PullSummary, ReleaseSummary};
use std::collections::BTreeMap;

/// Pull requests fetched and listed; the rest are counted ("+M more").
pub const MAX_PULLS: usize = 20;

/// The pull request a commit on the main line stands for: a merge commit ("Merge pull
/// request #12 from ...") or a squash ("Title (#12)").
pub fn pull_number(message: &str) -> Option<i64> {
    let first = message.lines().next().unwrap_or("");
    if let Some(rest) = first.strip_prefix("Merge pull request #") {
        return rest.split_whitespace().next()?.parse().ok();
    }
    let inner = first.trim_end().strip_suffix(')')?;
    let (_, n) = inner.rsplit_once("(#")?;
    n.parse().ok()
}

/// The pull requests in a comparison, oldest first, each once.
pub fn pull_numbers(c: &Comparison) -> Vec<i64> {
    let mut seen = Vec::new();
    for commit in &c.commits {
        if let Some(n) = pull_number(&commit.commit.message) {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
    }
    seen
}

/// GitHub's answers about one release, gathered by the worker.
pub struct Release<'a> {
    pub app: &'a str,
    pub env: &'a str,
    pub repo: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub comparison: &'a Comparison,
    /// The first [`MAX_PULLS`] pull requests, fetched.
    pub pulls: &'a [Pull],
    /// Every pull request number found (fetched or not).
    pub all_pulls: &'a [i64],
    /// GitHub login (lower case) -> Slack user id.
    pub users: &'a BTreeMap<String, String>,
}

fn author(login: &str, users: &BTreeMap<String, String>) -> Author {
    match users.get(&login.to_ascii_lowercase()) {
        Some(id) => Author::Person(id.clone()),
        None => Author::Login(login.to_owned()),
    }
}

pub fn summarize(r: &Release) -> ReleaseSummary {
    let pulls = r
        .pulls
        .iter()
        .take(MAX_PULLS)
        .map(|p| PullSummary {
            number: p.number,
            url: p.html_url.clone(),
            title: p.title.clone(),
            author: p.user.as_ref().map(|u| author(&u.login, r.users)),
        })
        .collect();
    // Authors: of the pull requests, then of the commits, each once, people first.
    let mut logins: Vec<String> = Vec::new();
    let pull_authors = r.pulls.iter().filter_map(|p| p.user.as_ref());
    let commit_authors = r
        .comparison
        .commits
        .iter()
        .filter_map(|c| c.author.as_ref());
    for l in pull_authors.chain(commit_authors) {
        let l = l.login.to_ascii_lowercase();
        if !l.ends_with("[bot]") && !logins.contains(&l) {
            logins.push(l);
        }
    }
    logins.sort_by_key(|l| !r.users.contains_key(l));
    ReleaseSummary {
        app: r.app.to_owned(),
        env: r.env.to_owned(),
        repo: r.repo.to_owned(),
        from: r.from.to_owned(),
        to: r.to.to_owned(),
        compare_url: r.comparison.html_url.clone(),
        total_commits: r.comparison.total_commits,
        listed_commits: i64::try_from(r.comparison.commits.len()).unwrap_or(i64::MAX),
        pulls,
        pull_count: r.all_pulls.len(),
        authors: logins.iter().map(|l| author(l, r.users)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::{Commit, CommitDetail, Login};
    use super::*;

    fn commit(i: usize, msg: &str, login: Option<&str>) -> Commit {
        Commit {
            sha: format!("{i:040}"),
            commit: CommitDetail {
                message: msg.to_owned(),
            },
            author: login.map(|l| Login {
                login: l.to_owned(),
            }),
        }
    }

    #[test]
    fn pull_numbers_from_merge_and_squash_commits() {
        assert_eq!(
            pull_number("Merge pull request #12 from alphagov/fix\n\nFix it"),
            Some(12)
        );
        assert_eq!(pull_number("Fix the thing (#34)\n\nbody"), Some(34));
        assert_eq!(pull_number("Fix the thing"), None);
        assert_eq!(pull_number("Fix (#x)"), None);
    }

    #[test]
    fn authors_once_people_first_bots_left_out() {
        let commits = vec![
            commit(0, "Merge pull request #1 from a/b", Some("Dev1")),
            commit(1, "Squashed (#2)", Some("dependabot[bot]")),
            commit(2, "Squashed again (#2)", Some("dev2")),
            commit(3, "No pull request", Some("dev1")),
            commit(4, "Anonymous (#3)", None),
        ];
        let comparison = Comparison {
            html_url: None,
            total_commits: 9,
            commits,
        };
        let all = pull_numbers(&comparison);
        assert_eq!(all, vec![1, 2, 3]);
        let pulls = vec![Pull {
            number: 1,
            title: "One".into(),
            html_url: "https://github.com/a/b/pull/1".into(),
            user: Some(Login {
                login: "Dev1".into(),
            }),
        }];
        let users = BTreeMap::from([("dev2".to_owned(), "U0DEV2".to_owned())]);
        let s = summarize(&Release {
            app: "whitehall",
            env: "staging",
            repo: "a/b",
            from: "v1",
            to: "v2",
            comparison: &comparison,
            pulls: &pulls,
            all_pulls: &all,
            users: &users,
        });
        assert_eq!(
            s.authors,
            vec![
                Author::Person("U0DEV2".into()),
                Author::Login("dev1".into())
            ]
        );
        assert_eq!(s.pulls[0].author, Some(Author::Login("Dev1".into())));
        assert_eq!((s.pull_count, s.pulls.len()), (3, 1));
        assert_eq!((s.total_commits, s.listed_commits), (9, 5));
    }
}
