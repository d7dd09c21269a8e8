//! What a release contains, in Slack's words: the merged pull requests, their authors (the
//! workspace's people mentioned, so the deployer checks with them) and the commit count.
//! Pure: the data comes in, a message within Slack's limits goes out.

use super::client::{Comparison, Pull};
use crate::domain::text::{escape, mention, truncate};
use crate::slack::blocks::Message;
use std::collections::BTreeMap;

/// Pull requests shown one per line; the rest are counted ("+M more").
pub const MAX_PULLS: usize = 20;
/// Authors named; the rest are counted.
const MAX_AUTHORS: usize = 30;

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

fn who(login: &str, users: &BTreeMap<String, String>) -> String {
    match users.get(&login.to_ascii_lowercase()) {
        Some(id) => mention(id),
        None => format!("`{}`", escape(login)),
    }
}

pub fn release(r: &Release) -> Message {
    let commits = r.comparison.total_commits;
    let link = match &r.comparison.html_url {
        Some(u) => format!(" (<{}|compare on GitHub>)", escape(u)),
        None => format!(" in {}", escape(r.repo)),
    };
    let mut lines = vec![format!(
        ":mag: *{}* `{}` to *{}* adds {} pull request{} and {commits} commit{} over `{}`{link}:",
        escape(r.app),
        escape(r.to),
        escape(r.env),
        r.all_pulls.len(),
        if r.all_pulls.len() == 1 { "" } else { "s" },
        if commits == 1 { "" } else { "s" },
        escape(r.from),
    )];
    for p in r.pulls.iter().take(MAX_PULLS) {
        let by = p
            .user
            .as_ref()
            .map(|u| format!(" by {}", who(&u.login, r.users)))
            .unwrap_or_default();
        lines.push(format!(
            "• <{}|#{}> {}{by}",
            escape(&p.html_url),
            p.number,
            escape(&truncate(&p.title, 150))
        ));
    }
    let shown = r.pulls.len().min(MAX_PULLS);
    if r.all_pulls.len() > shown {
        lines.push(format!(
            "+{} more pull request{}",
            r.all_pulls.len() - shown,
            if r.all_pulls.len() - shown == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    let listed = i64::try_from(r.comparison.commits.len()).unwrap_or(i64::MAX);
    if commits > listed {
        lines.push(format!(
            "_Pull requests were looked for in {listed} of the {commits} commits._"
        ));
    }
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
    if !logins.is_empty() {
        let named: Vec<String> = logins
            .iter()
            .take(MAX_AUTHORS)
            .map(|l| who(l, r.users))
            .collect();
        let more = logins.len().saturating_sub(MAX_AUTHORS);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        lines.push(format!(
            "Authors: {}{more}. Check with them before you release.",
            named.join(", ")
        ));
    }
    Message::lines(&lines)
}

/// Nothing to compare with, or nothing new: said plainly.
pub fn nothing_to_compare(app: &str, env: &str, to: &str, from: Option<&str>) -> Message {
    Message::plain(match from {
        None => format!(
            ":mag: Nothing of *{}* is recorded as deployed to *{}* yet, so there is nothing to compare `{}` with.",
            escape(app),
            escape(env),
            escape(to)
        ),
        Some(_) => format!(
            ":mag: `{}` is what *{}* runs in *{}* already: nothing new to release.",
            escape(to),
            escape(app),
            escape(env)
        ),
    })
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
    fn a_huge_release_stays_within_slack_limits() {
        let commits: Vec<Commit> = (0..300)
            .map(|i| {
                commit(
                    i,
                    &format!("{} (#{i})", "<!channel> ".repeat(40)),
                    Some(&format!("dev{i}")),
                )
            })
            .collect();
        let comparison = Comparison {
            html_url: Some("https://github.com/a/b/compare/v1...v2".into()),
            total_commits: 300,
            commits,
        };
        let all = pull_numbers(&comparison);
        let pulls: Vec<Pull> = all
            .iter()
            .take(MAX_PULLS)
            .map(|n| Pull {
                number: *n,
                title: "<!here> ".repeat(100),
                html_url: format!("https://github.com/a/b/pull/{n}"),
                user: Some(Login {
                    login: format!("dev{n}"),
                }),
            })
            .collect();
        let users = BTreeMap::from([("dev3".to_owned(), "U0DEV3".to_owned())]);
        let m = release(&Release {
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
        assert!(m.blocks.len() <= 50);
        assert!(m.text.chars().count() <= 40_000);
        for b in &m.blocks {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        }
        assert!(m.text.contains("+280 more pull requests"), "{}", m.text);
        assert!(m.text.contains("and 270 more"), "{}", m.text);
        assert!(m.text.contains("<@U0DEV3>"));
        assert!(!m.text.contains("<!here>") && !m.text.contains("<!channel>"));
    }
}
