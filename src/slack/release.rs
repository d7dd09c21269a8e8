//! GitHub's answers in Slack's words: what a release contains (its pull requests and their
//! authors, mentioned so the deployer checks with them), nothing to compare, or why GitHub
//! could not say. Pure: values in, a message within Slack's limits out.

use super::blocks::Message;
use crate::domain::release::{Author, ReleaseSummary};
use crate::domain::text::{count, escape, mention, truncate};

/// Authors named; the rest are counted.
const MAX_AUTHORS: usize = 30;
/// A pull request's title is shortened, visibly, past this many characters.
const TITLE_SHOWN: usize = 150;

fn who(a: &Author) -> String {
    match a {
        Author::Person(id) => mention(id),
        Author::Login(login) => format!("`{}`", escape(login)),
    }
}

/// The release's pull requests (the fetched ones listed, the rest counted), how many
/// commits were searched, and its authors.
pub fn release(r: &ReleaseSummary) -> Message {
    let commits = r.total_commits;
    let link = match &r.compare_url {
        Some(u) => format!(" (<{}|compare on GitHub>)", escape(u)),
        None => format!(" in {}", escape(&r.repo)),
    };
    let pull_count = i64::try_from(r.pull_count).unwrap_or(i64::MAX);
    let mut lines = vec![format!(
        ":mag: *{}* `{}` to *{}* adds {} and {} over `{}`{link}:",
        escape(&r.app),
        escape(&r.to),
        escape(&r.env),
        count(pull_count, "pull request"),
        count(commits, "commit"),
        escape(&r.from),
    )];
    for p in &r.pulls {
        let by = p
            .author
            .as_ref()
            .map(|a| format!(" by {}", who(a)))
            .unwrap_or_default();
        lines.push(format!(
            "• <{}|#{}> {}{by}",
            escape(&p.url),
            p.number,
            escape(&truncate(&p.title, TITLE_SHOWN))
        ));
    }
    let more = r.pull_count.saturating_sub(r.pulls.len());
    if more > 0 {
        lines.push(format!(
            "+{}",
            count(i64::try_from(more).unwrap_or(i64::MAX), "more pull request")
        ));
    }
    if commits > r.listed_commits {
        lines.push(format!(
            "_Pull requests were looked for in {} of the {}._",
            r.listed_commits,
            count(commits, "commit")
        ));
    }
    if !r.authors.is_empty() {
        let named: Vec<String> = r.authors.iter().take(MAX_AUTHORS).map(who).collect();
        let more = r.authors.len().saturating_sub(MAX_AUTHORS);
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

/// Nothing to compare with, or nothing new: said plainly (to `/deploy diff`, and by the
/// GitHub worker when what the environment runs changed before it asked).
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

/// GitHub could not say what `to` adds over `from`; `why` is the GitHub worker's account.
pub fn compare_failed(to: &str, from: &str, why: &str) -> Message {
    Message::plain(format!(
        ":warning: I couldn't find out what `{}` adds over `{}`: {}",
        escape(to),
        escape(from),
        escape(why)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::release::PullSummary;

    #[test]
    fn a_huge_release_stays_within_slack_limits() {
        let pulls = (0..20)
            .map(|n| PullSummary {
                number: n,
                url: format!("https://github.com/a/b/pull/{n}"),
                title: "<!here> ".repeat(100),
                author: Some(if n == 3 {
                    Author::Person("U0DEV3".into())
                } else {
                    Author::Login(format!("dev{n}"))
                }),
            })
            .collect();
        let mut authors = vec![Author::Person("U0DEV3".into())];
        authors.extend((0..300).map(|i| Author::Login(format!("dev{i} <!channel>"))));
        let r = ReleaseSummary {
            app: "whitehall".into(),
            env: "staging".into(),
            repo: "a/b".into(),
            from: "v1".into(),
            to: "v2".into(),
            compare_url: Some("https://github.com/a/b/compare/v1...v2".into()),
            total_commits: 300,
            listed_commits: 250,
            pulls,
            pull_count: 300,
            authors,
        };
        let m = release(&r);
        assert!(m.blocks.len() <= 50);
        assert!(m.text.chars().count() <= 40_000);
        for b in &m.blocks {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        }
        assert!(m.text.contains("+280 more pull requests"), "{}", m.text);
        assert!(m.text.contains("and 271 more"), "{}", m.text);
        assert!(m.text.contains("in 250 of the 300 commits"), "{}", m.text);
        assert!(m.text.contains("<@U0DEV3>"));
        assert!(!m.text.contains("<!here>") && !m.text.contains("<!channel>"));
    }

    #[test]
    fn one_pull_request_and_one_commit_are_singular() {
        let r = ReleaseSummary {
            app: "whitehall".into(),
            env: "production".into(),
            repo: "alphagov/whitehall".into(),
            from: "v1".into(),
            to: "v2".into(),
            compare_url: None,
            total_commits: 1,
            listed_commits: 1,
            pulls: vec![PullSummary {
                number: 7,
                url: "https://github.com/alphagov/whitehall/pull/7".into(),
                title: "Fix the thing".into(),
                author: Some(Author::Login("octocat".into())),
            }],
            pull_count: 1,
            authors: vec![Author::Login("octocat".into())],
        };
        insta::assert_snapshot!(release(&r).text, @r"
        :mag: *whitehall* `v2` to *production* adds 1 pull request and 1 commit over `v1` in alphagov/whitehall:
        • <https://github.com/alphagov/whitehall/pull/7|#7> Fix the thing by `octocat`
        Authors: `octocat`. Check with them before you release.
        ");
    }
}
