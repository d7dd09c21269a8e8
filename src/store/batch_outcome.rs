//! How a group-commit batch (`batch.rs`) ended, as each of its members hears it: saved,
//! not saved (nothing of it was), or its COMMIT's answer lost with the connection (it may
//! or may not have been saved).

use super::StoreError;
use std::sync::Arc;

/// The outcome of one batch, shared by its members.
pub(super) type Outcome = Option<std::result::Result<(), Failed>>;

/// How a batch failed: the error's text, and whether its COMMIT was sent and its answer
/// lost (it may have been saved). Otherwise nothing of it was, and it is reported as
/// "database unavailable".
#[derive(Clone)]
pub(super) struct Failed {
    pub(super) why: Arc<str>,
    pub(super) commit_unknown: bool,
}

impl Failed {
    pub(super) fn not_saved(why: impl Into<Arc<str>>) -> Self {
        let why = why.into();
        Failed {
            why,
            commit_unknown: false,
        }
    }

    /// The batch's COMMIT failed with `e` (`members` waiting): classified by
    /// [`super::commit_failed`], the one place that tells a COMMIT whose answer was lost
    /// from one the database refused, and logged.
    pub(super) fn commit(e: sqlx::Error, members: usize) -> Self {
        let why: Arc<str> = Arc::from(e.to_string());
        let commit_unknown = super::commit_failed(e).is_commit_unknown();
        if commit_unknown {
            tracing::warn!(error = %why, members, "group commit: the connection was lost during COMMIT, so it may or may not have been saved");
        } else {
            tracing::error!(error = %why, members, "group commit failed");
        }
        Failed {
            why,
            commit_unknown,
        }
    }

    /// What each member is told.
    pub(super) fn error(&self) -> StoreError {
        let why = &self.why;
        if self.commit_unknown {
            StoreError::CommitUnknown(sqlx::Error::Io(std::io::Error::other(why.to_string())))
        } else {
            unavailable(why)
        }
    }
}

/// Nothing of the batch was saved: told as the database being unavailable.
fn unavailable(why: &str) -> StoreError {
    StoreError::Db(sqlx::Error::Io(std::io::Error::other(format!(
        "the write was not saved: {why}"
    ))))
}
