//! Deployment rows as the database returns them, and a newcomer's place in its queue from
//! the rows ahead of it.

use super::deployments::Place;
use super::{from_millis, opt_from_millis, Result, StoreError};
use crate::domain::deployment::{Credit, Deployment, State};
use crate::domain::queue::InLine;

/// The row of `read_sql::first_ahead!`: how many wait ahead in all, and the first of them
/// as JSON.
#[derive(sqlx::FromRow)]
pub(super) struct Ahead {
    pub(super) waiting: i64,
    ahead: String,
}

/// One entry of [`Ahead`]'s JSON: what a reply shows, and where it stands.
#[derive(serde::Deserialize)]
struct Entry {
    #[serde(flatten)]
    line: InLine,
    priority: i64,
    queue_key: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: i64,
    app: String,
    git_ref: String,
    environment: String,
    requester: String,
    channel: String,
    note: Option<String>,
    emergency_reason: Option<String>,
    source: String,
    state: String,
    priority: i64,
    queue_key: i64,
    outcome_note: Option<String>,
    ci_url: Option<String>,
    requested_at: i64,
    called_at: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    ended_at: Option<i64>,
    reminded_at: Option<i64>,
    after_close_reminded_at: Option<i64>,
    hold_notified: i64,
    passed_over: Option<String>,
    started_by: Option<String>,
    ended_by: Option<String>,
}

pub(super) fn convert(rows: Vec<Row>) -> Result<Vec<Deployment>> {
    rows.into_iter().map(Deployment::try_from).collect()
}

impl TryFrom<Row> for Deployment {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Deployment {
            id: r.id,
            app: r.app,
            git_ref: r.git_ref,
            environment: r.environment,
            requester: r.requester,
            channel: r.channel,
            note: r.note,
            emergency_reason: r.emergency_reason,
            source: r.source,
            priority: r.priority,
            queue_key: r.queue_key,
            outcome_note: r.outcome_note,
            ci_url: r.ci_url,
            // The state, then when it reached each.
            state: State::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("deployment state {}", r.state)))?,
            requested_at: from_millis(r.requested_at)?,
            called_at: opt_from_millis(r.called_at)?,
            started_at: opt_from_millis(r.started_at)?,
            finished_at: opt_from_millis(r.finished_at)?,
            ended_at: opt_from_millis(r.ended_at)?,
            reminded_at: opt_from_millis(r.reminded_at)?,
            after_close_reminded_at: opt_from_millis(r.after_close_reminded_at)?,
            hold_notified: r.hold_notified != 0,
            passed_over: r.passed_over,
            started_by: r.started_by.as_deref().map(Credit::parse),
            ended_by: r.ended_by.as_deref().map(Credit::parse),
        })
    }
}

/// `newest`'s place from the row of `read_sql::first_ahead!` (at most `limit` named).
pub(super) fn place(newest: &Deployment, row: Ahead, limit: i64) -> Result<Place> {
    let mut entries: Vec<Entry> = serde_json::from_str(&row.ahead)
        .map_err(|e| StoreError::Corrupt(format!("the queue ahead as JSON: {e}")))?;
    // In queue order, whatever order the database aggregated them in.
    entries.sort_by_key(|e| (std::cmp::Reverse(e.priority), e.queue_key, e.line.id));
    let ahead: Vec<InLine> = entries.into_iter().map(|e| e.line).collect();
    let found = i64::try_from(ahead.len()).unwrap_or(i64::MAX);
    // A short walk saw everyone ahead: the count is what it found.
    let count = match found >= limit {
        // Everyone of its priority or higher, but itself (when it is still queued).
        true => (row.waiting - i64::from(newest.state == State::Queued)).max(found),
        false => found,
    };
    Ok((count, ahead))
}
