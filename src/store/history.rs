//! The deployment history as the API pages it: every deployment, newest first, filtered,
//! with an id cursor (`before`) so a page costs its size however long the history is.

use super::deployment_rows::{convert, Row};
use super::read_sql::{deployments_page, PageShape, StateGroup};
use super::{Result, Store};
use crate::domain::deployment::{Deployment, State};

/// What to list: each filter is optional; `before` is the cursor (ids below it).
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    pub app: Option<String>,
    pub environment: Option<String>,
    pub state: Option<State>,
    /// Only finished deployments (succeeded, failed, cancelled or expired), whichever
    /// state: `/deploy history`. The API filters by one state instead.
    pub finished: bool,
    pub requester: Option<String>,
    pub before: Option<i64>,
    /// Rows on the page (the caller bounds it).
    pub limit: i64,
}

/// One page, and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub deployments: Vec<Deployment>,
    pub next_before: Option<i64>,
}

impl Store {
    pub async fn history_page(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        let limit = q.limit.max(1);
        let shape = PageShape {
            app: q.app.is_some(),
            environment: q.environment.is_some(),
            state: q.state.map(|s| {
                if s.is_finished() {
                    StateGroup::Finished
                } else {
                    StateGroup::Live
                }
            }),
            finished: q.finished,
            requester: q.requester.is_some(),
            before: q.before.is_some(),
        };
        let sql = deployments_page(shape);
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for text in [&q.app, &q.environment].into_iter().flatten() {
            query = query.bind(text.clone());
        }
        if let Some(s) = q.state {
            query = query.bind(s.as_str());
        }
        if let Some(r) = &q.requester {
            query = query.bind(r.clone());
        }
        if let Some(b) = q.before {
            query = query.bind(b);
        }
        // One row more than the page says whether another page follows.
        let rows = query.bind(limit + 1).fetch_all(self.pool()).await?;
        let mut deployments = convert(rows)?;
        let next_before = if deployments.len() as i64 > limit {
            deployments.truncate(limit as usize);
            deployments.last().map(|d| d.id)
        } else {
            None
        };
        Ok(HistoryPage {
            deployments,
            next_before,
        })
    }
}
