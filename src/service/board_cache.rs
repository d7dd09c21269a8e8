//! The status snapshot: what the board (`domain::board`) needs from the store (live
//! deployments, standing holds, current versions), kept in memory and rebuilt on the first
//! read after it went stale. Stale means: a commit happened since it was read (the store's
//! generation moved: this replica's own commits, and other replicas' through the
//! PostgreSQL listener), or it is older than `MAX_AGE` (a lost notification, another
//! process on the same file). Time-dependent parts (the window) are never cached: the board
//! is built from a snapshot at read time with the clock.

use super::Core;
use crate::domain::board::{self, Board, EnvSpec, Live};
use crate::domain::hold::Hold;
use crate::store::{self, Store, StoreError, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The longest a snapshot is served without a notification saying it is still good.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// The store's facts at one generation.
#[derive(Debug)]
pub struct Snapshot {
    /// Every queued, called and deploying deployment, by environment, active first.
    pub live: Live,
    /// Standing holds, oldest first.
    pub holds: Vec<Hold>,
    /// Each app's current version per environment, by app then environment.
    pub versions: Vec<Version>,
    generation: u64,
    read_at: Instant,
}

impl Snapshot {
    /// A snapshot of these rows, for tests of what is rendered from one.
    #[cfg(test)]
    pub fn of(live: Vec<crate::domain::deployment::Deployment>, holds: Vec<Hold>) -> Snapshot {
        Snapshot {
            live: Live::new(live),
            holds,
            versions: Vec::new(),
            generation: 0,
            read_at: Instant::now(),
        }
    }
}

pub struct BoardCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// One rebuild at a time: readers arriving meanwhile wait for it instead of each
    /// querying the database.
    rebuild: tokio::sync::Mutex<()>,
    max_age: Duration,
    rebuilds: AtomicU64,
}

impl Default for BoardCache {
    fn default() -> Self {
        BoardCache::new(MAX_AGE)
    }
}

impl BoardCache {
    pub fn new(max_age: Duration) -> Self {
        BoardCache {
            current: RwLock::new(None),
            rebuild: tokio::sync::Mutex::new(()),
            max_age,
            rebuilds: AtomicU64::new(0),
        }
    }

    /// How many times the snapshot was read from the database.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    /// The snapshot if no commit happened since it was read and, with `aged` false, it is
    /// younger than `max_age`.
    fn current(&self, aged: bool) -> Option<Arc<Snapshot>> {
        let generation = store::generation();
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            .filter(|s| s.generation == generation && (aged || s.read_at.elapsed() < self.max_age))
            .cloned()
    }

    fn fresh(&self) -> Option<Arc<Snapshot>> {
        self.current(false)
    }

    /// The snapshot, read again from `store` if it is stale.
    pub async fn get(&self, store: &Store) -> Result<Arc<Snapshot>, StoreError> {
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        let _one = match self.rebuild.try_lock() {
            Ok(one) => one,
            // Someone is reading it again. If it is only old (no commit since), serve it
            // meanwhile: the age limit is a safety net, and with a long queue a rebuild
            // takes long enough that every reader waiting on it missed Slack's deadline.
            Err(_) => match self.current(true) {
                Some(s) => return Ok(s),
                None => self.rebuild.lock().await,
            },
        };
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        // Read the generation before the rows: a commit after this point moves it on, so
        // what it wrote can never hide behind this snapshot; one before it is in the rows
        // (a writer bumps only once its commit is done).
        let generation = store::generation();
        let read_at = Instant::now();
        let (live, holds, versions) = tokio::try_join!(
            store.live_deployments(None),
            store.active_holds(),
            store.versions(None)
        )?;
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        let snapshot = Arc::new(Snapshot {
            live: Live::new(live),
            holds,
            versions,
            generation,
            read_at,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }
}

impl Core {
    /// The status snapshot, fresh as of this replica's last commit.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.board_cache.get(&self.store).await
    }

    /// The board from `snapshot`, with the window as of now.
    pub fn board<'a>(&'a self, snapshot: &'a Snapshot) -> Board<'a> {
        board_of(&self.policy, snapshot, self.now())
    }
}

/// The board from `snapshot` under `policy`, with the window as of `now` (the edges build
/// it too, from a status answer's snapshot).
pub fn board_of<'a>(
    policy: &'a crate::config::Policy,
    snapshot: &'a Snapshot,
    now: chrono::DateTime<chrono::Utc>,
) -> Board<'a> {
    let envs: Vec<EnvSpec<'a>> = policy
        .environments
        .iter()
        .map(|e| EnvSpec {
            name: e.name.as_str(),
            always_open: e.window == crate::config::WindowKind::Always,
        })
        .collect();
    board::build(
        &envs,
        &policy.calendar,
        &snapshot.live,
        &snapshot.holds,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_old_snapshot_is_served_while_it_is_read_again_a_stale_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/board.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        // Every snapshot is too old at once.
        let cache = BoardCache::new(Duration::ZERO);
        let first = cache.get(&store).await.unwrap();

        // While someone reads it again, the old one is served: nothing committed since.
        let reading = cache.rebuild.lock().await;
        let served = cache.get(&store).await.unwrap();
        assert!(Arc::ptr_eq(&first, &served));
        assert_eq!(cache.rebuilds(), 1);

        // After a commit it is not: the reader waits for the snapshot that has the commit.
        store.begin().await.unwrap().commit().await.unwrap();
        let mut waiting = Box::pin(cache.get(&store));
        let early = tokio::time::timeout(Duration::from_millis(50), &mut waiting).await;
        assert!(early.is_err(), "a snapshot from before a commit was served");
        drop(reading);
        let fresh = waiting.await.unwrap();
        assert!(!Arc::ptr_eq(&first, &fresh));
        assert_eq!(cache.rebuilds(), 2);
        store.close().await;
    }
}
