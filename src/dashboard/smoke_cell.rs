//! What the history tables' smoke column shows for one deployment, decided from its stored
//! smoke check (pure): passed, failed (with why), pending, or "—" when it had none.

use crate::store::{SmokeOutcome, SmokeSummary};

/// Failing URLs listed by name in the tooltip; the rest are counted ("+N more").
const LISTED: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmokeCell {
    /// `none`, `pass`, `fail` or `pending`: the cell's `data-smoke` and class.
    pub kind: &'static str,
    /// What the cell says.
    pub label: &'static str,
    /// Shown under the label: why it failed (the first failure, "+N more" for the rest).
    pub detail: Option<String>,
    /// The tooltip: every failing URL and why, or how many URLs passed.
    pub title: Option<String>,
}

pub fn smoke_cell(s: Option<&SmokeSummary>) -> SmokeCell {
    let Some(s) = s else {
        return SmokeCell {
            kind: "none",
            label: "—",
            detail: None,
            title: None,
        };
    };
    match s.outcome {
        SmokeOutcome::Pending => SmokeCell {
            kind: "pending",
            label: "pending",
            detail: None,
            title: Some("the smoke URLs are being checked".into()),
        },
        SmokeOutcome::Pass => {
            let n = s.results.len();
            SmokeCell {
                kind: "pass",
                label: "passed",
                detail: None,
                title: Some(format!("{n} of {n} answered 2xx")),
            }
        }
        SmokeOutcome::Fail => {
            let failures: Vec<_> = s.failures().collect();
            let more = failures.len().saturating_sub(1);
            let detail = failures.first().map(|f| match more {
                0 => f.detail.clone(),
                _ => format!("{} (+{more} more)", f.detail),
            });
            let mut lines: Vec<String> = failures
                .iter()
                .take(LISTED)
                .map(|f| format!("{}: {}", f.url, f.detail))
                .collect();
            if failures.len() > LISTED {
                lines.push(format!("+{} more", failures.len() - LISTED));
            }
            SmokeCell {
                kind: "fail",
                label: "failed",
                detail,
                title: (!lines.is_empty()).then(|| lines.join("\n")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SmokeResult;
    use chrono::Utc;

    fn result(url: &str, pass: bool, detail: &str) -> SmokeResult {
        SmokeResult {
            deployment_id: 1,
            url: url.into(),
            outcome: if pass { "pass" } else { "fail" }.into(),
            status: None,
            detail: detail.into(),
            checked_at: Utc::now(),
            attempts: 3,
        }
    }

    fn summary(outcome: SmokeOutcome, results: Vec<SmokeResult>) -> SmokeSummary {
        SmokeSummary { outcome, results }
    }

    #[test]
    fn none_pending_and_passed() {
        assert_eq!(smoke_cell(None).kind, "none");
        assert_eq!(smoke_cell(None).label, "—");
        let pending = smoke_cell(Some(&summary(SmokeOutcome::Pending, vec![])));
        assert_eq!((pending.kind, pending.label), ("pending", "pending"));
        let ok = vec![
            result("u1", true, "HTTP 200"),
            result("u2", true, "HTTP 204"),
        ];
        let passed = smoke_cell(Some(&summary(SmokeOutcome::Pass, ok)));
        assert_eq!((passed.kind, passed.label), ("pass", "passed"));
        assert_eq!(passed.detail, None);
        assert_eq!(passed.title.as_deref(), Some("2 of 2 answered 2xx"));
    }

    #[test]
    fn a_failure_says_why_and_counts_the_rest() {
        let mut results = vec![result("ok", true, "HTTP 200")];
        results.extend((0..12).map(|i| result(&format!("u{i}"), false, &format!("HTTP 50{i}"))));
        let cell = smoke_cell(Some(&summary(SmokeOutcome::Fail, results)));
        assert_eq!((cell.kind, cell.label), ("fail", "failed"));
        assert_eq!(cell.detail.as_deref(), Some("HTTP 500 (+11 more)"));
        let title = cell.title.unwrap();
        assert!(title.starts_with("u0: HTTP 500\nu1: HTTP 501"), "{title}");
        assert!(!title.contains("ok:"), "{title}");
        assert!(title.ends_with("\n+2 more"), "{title}");
        // A check cut short may have no results: it still reads "failed".
        let bare = smoke_cell(Some(&summary(SmokeOutcome::Fail, vec![])));
        assert_eq!(
            (bare.label, bare.detail, bare.title),
            ("failed", None, None)
        );
    }
}
