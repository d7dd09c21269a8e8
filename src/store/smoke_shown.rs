//! Smoke checks as history shows them (the dashboard, the history API): for a page of
//! deployments, read in one query per page, whether each was checked and how it went
//! (pass, fail, or still pending) with its per-URL results.

use super::smoke::SmokeResult;
use super::{from_millis, Result, Store};
use serde::Serialize;
use std::collections::HashMap;

/// How a deployment's smoke check went; the words the per-URL results and
/// `/api/v1/status` use, plus `pending` for a check not finished yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmokeOutcome {
    Pass,
    Fail,
    Pending,
}

/// A deployment's smoke check: its outcome and, once finished, one result per URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmokeSummary {
    pub outcome: SmokeOutcome,
    pub results: Vec<SmokeResult>,
}

impl SmokeSummary {
    /// The results that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &SmokeResult> {
        self.results.iter().filter(|r| r.outcome != "pass")
    }
}

/// A check joined with one of its results (none yet while it is pending).
type Row = (
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl Store {
    /// The smoke checks of `ids`, by deployment id; a deployment never checked (a failure,
    /// or an environment without smoke URLs) is absent.
    pub async fn smoke_summaries(&self, ids: &[i64]) -> Result<HashMap<i64, SmokeSummary>> {
        let mut out: HashMap<i64, SmokeSummary> = HashMap::new();
        // Bounded batches: a database caps the parameters of one statement (a page is 200).
        for chunk in ids.chunks(super::IN_LIST_MAX) {
            let sql = format!(
                "SELECT c.deployment_id, c.outcome, c.done_at, r.url, r.outcome, r.status, \
                 r.detail, r.checked_at, r.attempts FROM smoke_checks c \
                 LEFT JOIN smoke_results r ON r.deployment_id = c.deployment_id \
                 WHERE c.deployment_id IN ({}) ORDER BY c.deployment_id, r.id",
                super::in_list(chunk.len())
            );
            let mut q = sqlx::query_as::<_, Row>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                let (id, outcome, done_at, url, r_outcome, status, detail, checked_at, attempts) =
                    row;
                let summary = out.entry(id).or_insert_with(|| SmokeSummary {
                    outcome: match (done_at, outcome.as_deref()) {
                        (None, _) => SmokeOutcome::Pending,
                        (Some(_), Some("pass")) => SmokeOutcome::Pass,
                        (Some(_), _) => SmokeOutcome::Fail,
                    },
                    results: Vec::new(),
                });
                // A check with no results yet (pending) joins one row of nulls.
                let (Some(url), Some(r_outcome), Some(checked_at)) = (url, r_outcome, checked_at)
                else {
                    continue;
                };
                summary.results.push(SmokeResult {
                    deployment_id: id,
                    url,
                    outcome: r_outcome,
                    status,
                    detail: detail.unwrap_or_default(),
                    checked_at: from_millis(checked_at)?,
                    attempts: attempts.unwrap_or(0),
                });
            }
        }
        Ok(out)
    }
}
