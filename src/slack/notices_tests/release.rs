//! Notices comparing a ref with what an environment runs: what a release adds, nothing to
//! compare, and a comparison GitHub refused.

use super::*;

#[test]
fn release() {
    use crate::domain::release::{Author, PullSummary, ReleaseSummary};
    let release = ReleaseSummary {
        app: "whitehall".into(),
        env: "production".into(),
        repo: "alphagov/whitehall".into(),
        from: "release_1".into(),
        to: "release_2".into(),
        compare_url: Some(
            "https://github.com/alphagov/whitehall/compare/release_1...release_2".into(),
        ),
        total_commits: 3,
        listed_commits: 3,
        pulls: vec![PullSummary {
            number: 12,
            url: "https://github.com/alphagov/whitehall/pull/12".into(),
            title: "Fix <b>".into(),
            author: Some(Author::Person("U0BOB".into())),
        }],
        pull_count: 2,
        authors: vec![
            Author::Person("U0BOB".into()),
            Author::Login("octocat".into()),
        ],
    };
    insta::assert_snapshot!(shown(Notice::Release { release }), @r#"
        :mag: *whitehall* `release_2` to *production* adds 2 pull requests and 3 commits over `release_1` (<https://github.com/alphagov/whitehall/compare/release_1...release_2|compare on GitHub>):
        • <https://github.com/alphagov/whitehall/pull/12|#12> Fix &lt;b&gt; by <@U0BOB>
        +1 more pull request
        Authors: <@U0BOB>, `octocat`. Check with them before you release.
        [section: the text]
    "#);
}

#[test]
fn nothing_to_compare() {
    insta::assert_snapshot!(shown(Notice::NothingToCompare { app: "whitehall".into(), env: "production".into(), to: "release_2".into(), from: None }), @r#"
        :mag: Nothing of *whitehall* is recorded as deployed to *production* yet, so there is nothing to compare `release_2` with.
        [section: the text]
    "#);
    insta::assert_snapshot!(shown(Notice::NothingToCompare { app: "whitehall".into(), env: "production".into(), to: "release_2".into(), from: Some("release_2".into()) }), @r#"
        :mag: `release_2` is what *whitehall* runs in *production* already: nothing new to release.
        [section: the text]
    "#);
}

#[test]
fn compare_failed() {
    insta::assert_snapshot!(shown(Notice::CompareFailed { to: "release_2".into(), from: "release_1".into(), why: "GitHub refused: <bad credentials>".into() }), @r#"
        :warning: I couldn't find out what `release_2` adds over `release_1`: GitHub refused: &lt;bad credentials&gt;
        [section: the text]
    "#);
}
