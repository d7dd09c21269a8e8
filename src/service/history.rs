//! `/deploy history APP [ENV]` as a use case: an app's latest finished deployments, newest
//! first, read through the history API's own keyset-paged query (one indexed read of the
//! app's rows, however long its history), and whether older ones exist.

use super::{Answer, Core, Result};
use crate::store::HistoryQuery;

/// How many finished deployments `/deploy history` shows.
pub const HISTORY_SHOWN: i64 = 10;

impl Core {
    /// `/deploy history APP [ENV]`.
    pub async fn history(&self, app: &str, env: Option<&str>) -> Result<Answer> {
        let q = HistoryQuery {
            app: Some(app.to_owned()),
            environment: env.map(str::to_owned),
            finished: true,
            limit: HISTORY_SHOWN,
            ..HistoryQuery::default()
        };
        let page = self.store.history_page(&q).await?;
        // Only an empty answer asks whether badger knows the app at all (a typo is not
        // "nothing yet").
        let unknown = match page.deployments.is_empty() {
            true => self.unknown_app_named(app).await?,
            false => None,
        };
        Ok(Answer::History {
            app: app.to_owned(),
            env: env.map(str::to_owned),
            deployments: page.deployments,
            more: page.next_before.is_some(),
            unknown,
        })
    }
}
