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
