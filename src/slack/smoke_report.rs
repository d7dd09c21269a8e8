//! The thread reply that tells how a deployment's smoke checks went. Plain text (no
//! blocks), so a long list is bounded by the message limit, not a section's.

use super::blocks::{what, Message};
use crate::domain::deployment::Deployment;
use crate::domain::notice::CheckedUrl;
use crate::domain::text::{escape, mention};

/// URLs listed by name; the rest are counted ("+N more").
const LISTED: usize = 10;
/// A listed URL longer than this is shortened, visibly.
const URL_SHOWN: usize = 300;

pub fn report(d: &Deployment, checks: &[CheckedUrl]) -> Message {
    let n = checks.len();
    let failed: Vec<&CheckedUrl> = checks.iter().filter(|c| !c.passed).collect();
    let mut text = if failed.is_empty() {
        format!(
            ":white_check_mark: Smoke checks passed for {}: {n} of {n} answered 2xx.",
            what(d)
        )
    } else {
        format!(
            ":x: Smoke checks failed for {}, {}: {} of {n} did not answer 2xx.",
            what(d),
            mention(&d.requester),
            failed.len()
        )
    };
    let listed: Vec<&CheckedUrl> = if failed.is_empty() {
        checks.iter().collect()
    } else {
        failed
    };
    for c in listed.iter().take(LISTED) {
        let tries = if c.attempts == 1 {
            "1 try".to_owned()
        } else {
            format!("{} tries", c.attempts)
        };
        text.push_str(&format!(
            "\n• {}: {} ({tries})",
            escape(&shown(&c.url)),
            escape(&c.detail)
        ));
    }
    if listed.len() > LISTED {
        text.push_str(&format!("\n+{} more", listed.len() - LISTED));
    }
    Message {
        text,
        blocks: Vec::new(),
    }
}

fn shown(url: &str) -> String {
    if url.chars().count() <= URL_SHOWN {
        url.to_owned()
    } else {
        let head: String = url.chars().take(URL_SHOWN).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deployment::{sample, State};

    fn failed(i: usize) -> CheckedUrl {
        CheckedUrl {
            url: format!("https://e.example/<{i}>"),
            passed: false,
            detail: "HTTP 500".into(),
            attempts: 3,
        }
    }

    #[test]
    fn a_long_failure_list_is_summarised_and_escaped() {
        let mut d = sample(7, "whitehall", "staging");
        d.state = State::Succeeded;
        let checks: Vec<CheckedUrl> = (0..13).map(failed).collect();
        let text = report(&d, &checks).text;
        assert!(text.contains("<@U7>"), "{text}");
        assert!(text.contains("13 of 13 did not answer 2xx"), "{text}");
        assert!(
            text.contains("https://e.example/&lt;0&gt;: HTTP 500 (3 tries)"),
            "{text}"
        );
        assert!(!text.contains("&lt;10&gt;"), "{text}");
        assert!(text.ends_with("\n+3 more"), "{text}");
    }

    #[test]
    fn passing_checks_are_listed_with_their_tries() {
        let mut d = sample(7, "whitehall", "staging");
        d.state = State::Succeeded;
        let ok = |url: &str, attempts| CheckedUrl {
            url: url.into(),
            passed: true,
            detail: "HTTP 200".into(),
            attempts,
        };
        let checks = [ok("https://a.example/", 1), ok("https://b.example/", 2)];
        insta::assert_snapshot!(report(&d, &checks).text, @r"
        :white_check_mark: Smoke checks passed for *whitehall* `r1` to *staging*: 2 of 2 answered 2xx.
        • https://a.example/: HTTP 200 (1 try)
        • https://b.example/: HTTP 200 (2 tries)
        ");
    }
}
