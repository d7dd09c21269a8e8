//! The connection a group-commit batch (`batch.rs`) runs on: one from the pool
//! (PostgreSQL), or SQLite's own, opened on the write thread.

use super::checkpoint;
use super::writer::Writer;
use super::{Result, StoreError};
use sqlx::any::AnyConnectOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection};

/// SQLite's batch connection is the batcher's own, opened on the write thread so that
/// the thread sqlx runs it on shares that thread's CPU (`writer.rs`).
#[derive(Clone)]
pub(super) struct OwnConnection {
    pub(super) options: AnyConnectOptions,
    pub(super) writer: Option<Writer>,
}

/// The connection a batch runs on: the pool's (PostgreSQL) or its own (SQLite).
pub(super) enum BatchConn {
    Pooled(PoolConnection<Any>),
    Own(AnyConnection),
}

impl std::ops::Deref for BatchConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            BatchConn::Pooled(c) => c,
            BatchConn::Own(c) => c,
        }
    }
}

impl std::ops::DerefMut for BatchConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            BatchConn::Pooled(c) => c,
            BatchConn::Own(c) => c,
        }
    }
}

impl BatchConn {
    pub(super) async fn close(self) {
        let _ = match self {
            BatchConn::Pooled(c) => c.close().await,
            BatchConn::Own(c) => c.close().await,
        };
    }
}

impl OwnConnection {
    /// Opens the connection on the write thread (if there is one).
    pub(super) async fn connect(&self) -> Result<AnyConnection> {
        let options = self.options.clone();
        let open = async move {
            let mut conn = AnyConnection::connect_with(&options).await?;
            super::sqlite_settings(&mut conn).await?;
            checkpoint::hold_back(&mut conn).await?;
            Ok::<_, StoreError>(conn)
        };
        match &self.writer {
            Some(w) => w.run(open).await,
            None => open.await,
        }
    }
}
