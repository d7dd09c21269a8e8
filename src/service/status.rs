//! Read-only answers: status (from the status board, `board_cache.rs`); versions are in
//! `versions.rs`, and windows are the policy's calendar, worded at the edge.

use super::{Answer, Core, Result};

impl Core {
    /// `/deploy status [ENV]`, from the status snapshot (no query while it is fresh).
    pub async fn status(&self, env: Option<&str>) -> Result<Answer> {
        Ok(Answer::Status {
            snapshot: self.snapshot().await?,
            env: env.map(str::to_owned),
        })
    }
}
