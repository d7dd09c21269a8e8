//! The thread reply that tells how a deployment's smoke checks went. Plain text (no
//! blocks), so a long list is bounded by the message limit, not a section's.

use crate::domain::deployment::Deployment;
use crate::domain::text::{escape, mention};
use crate::slack::blocks::what;
use crate::store::SmokeResult;

/// URLs listed by name; the rest are counted ("+N more").
const LISTED: usize = 10;
/// A listed URL longer than this is shortened, visibly.
const URL_SHOWN: usize = 300;

/// Whether every URL passed.
pub fn passed(results: &[SmokeResult]) -> bool {
    results.iter().all(|r| r.outcome == "pass")
}

pub fn report(d: &Deployment, results: &[SmokeResult]) -> String {
    let n = results.len();
    if passed(results) {
        let mut text = format!(
            ":white_check_mark: Smoke checks passed for {}: {n} of {n} answered 2xx.",
            what(d)
        );
        list(&mut text, results.iter());
        return text;
    }
    let failed: Vec<&SmokeResult> = results.iter().filter(|r| r.outcome != "pass").collect();
    let mut text = format!(
        ":x: Smoke checks failed for {}, {}: {} of {n} did not answer 2xx.",
        what(d),
        mention(&d.requester),
        failed.len()
    );
    list(&mut text, failed.into_iter());
    text
}

fn list<'a>(text: &mut String, results: impl ExactSizeIterator<Item = &'a SmokeResult>) {
    let total = results.len();
    for r in results.take(LISTED) {
        let tries = if r.attempts == 1 {
            "1 try".to_owned()
        } else {
            format!("{} tries", r.attempts)
        };
        text.push_str(&format!(
            "\n• {}: {} ({tries})",
            escape(&shown(&r.url)),
            escape(&r.detail)
        ));
    }
    if total > LISTED {
        text.push_str(&format!("\n+{} more", total - LISTED));
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
    use crate::domain::deployment::State;
    use chrono::{TimeZone, Utc};

    fn deployment() -> Deployment {
        let t = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        Deployment {
            id: 7,
            app: "whitehall".into(),
            git_ref: "r1".into(),
            environment: "staging".into(),
            requester: "U0ALICE".into(),
            channel: "C1".into(),
            note: None,
            emergency_reason: None,
            source: "slack".into(),
            state: State::Succeeded,
            queue_key: 1,
            priority: 0,
            outcome_note: None,
            ci_url: None,
            requested_at: t,
            called_at: None,
            started_at: Some(t),
            finished_at: Some(t),
            ended_at: Some(t),
            reminded_at: None,
            hold_notified: false,
            passed_over: None,
        }
    }

    fn failed(i: usize) -> SmokeResult {
        SmokeResult {
            deployment_id: 7,
            url: format!("https://e.example/<{i}>"),
            outcome: "fail".into(),
            status: Some(500),
            detail: "HTTP 500".into(),
            checked_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, 1, 0).unwrap(),
            attempts: 3,
        }
    }

    #[test]
    fn a_long_failure_list_is_summarised_and_escaped() {
        let results: Vec<SmokeResult> = (0..13).map(failed).collect();
        let text = report(&deployment(), &results);
        assert!(text.contains("<@U0ALICE>"), "{text}");
        assert!(text.contains("13 of 13 did not answer 2xx"), "{text}");
        assert!(
            text.contains("https://e.example/&lt;0&gt;: HTTP 500 (3 tries)"),
            "{text}"
        );
        assert!(!text.contains("&lt;10&gt;"), "{text}");
        assert!(text.ends_with("\n+3 more"), "{text}");
    }
}
