//! The outbox worker's bookkeeping: the deliveries in flight, the slots each lane has, and
//! which lanes are worth a claim.

use super::heartbeat::Rows;
use crate::store::Lane;
use std::collections::HashMap;
use std::future::Future;
use tokio::task::{Id, JoinError, JoinSet};

/// How many ordering keys (channels, people) are delivered at once per lane. A channel
/// whose call hangs holds one slot for at most the Slack timeout per attempt; the others
/// go on, and people's answers never wait for a channel slot.
pub(super) fn slots(lane: Lane) -> usize {
    match lane {
        Lane::Channel => 8,
        Lane::Person => 4,
    }
}

pub(super) const LANES: [Lane; 2] = [Lane::Person, Lane::Channel];

/// The lanes worth a claim. A claim that came back short took everything there was, so its
/// lane is not asked again until something can have changed: rows queued (the worker is
/// woken), one of its deliveries ended (that key's next row is now its head), or the
/// worker's timer ran out (a retry fell due, another replica's claim lapsed).
///
/// Why: a claim is the costliest statement of a delivery (about 0.5 ms of PostgreSQL's CPU
/// behind a backlog, and a turn at the write lock on SQLite), and the loop used to claim
/// both lanes every time round: four claims per channel message, three of them empty
/// (bench/RESULTS.md).
#[derive(Clone, Copy)]
pub(super) struct Ask {
    person: bool,
    channel: bool,
}

impl Ask {
    pub(super) const ALL: Ask = Ask {
        person: true,
        channel: true,
    };
    pub(super) fn lane(&mut self, lane: Lane) -> &mut bool {
        match lane {
            Lane::Person => &mut self.person,
            Lane::Channel => &mut self.channel,
        }
    }
    pub(super) fn ended(&mut self, lane: Option<Lane>) {
        if let Some(lane) = lane {
            *self.lane(lane) = true;
        }
    }
}

/// The deliveries in flight, and for each the lane it holds a slot in and its row (shared
/// with the heartbeat, which renews the claims of these rows only).
#[derive(Default)]
pub(super) struct InFlight {
    pub(super) tasks: JoinSet<()>,
    pub(super) rows: Rows,
}

impl InFlight {
    pub(super) fn rows(&self) -> std::sync::MutexGuard<'_, HashMap<Id, (Lane, i64)>> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(super) fn busy(&self, lane: Lane) -> usize {
        self.rows().values().filter(|(l, _)| *l == lane).count()
    }
    /// Starts the delivery of row `row_id`, in a slot of `lane`.
    pub(super) fn start<F>(&mut self, lane: Lane, row_id: i64, delivery: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let handle = self.tasks.spawn(delivery);
        self.rows().insert(handle.id(), (lane, row_id));
    }
    /// Forgets a delivery that ended; returns its lane.
    pub(super) fn finished(&mut self, done: Result<(Id, ()), JoinError>) -> Option<Lane> {
        let id = match done {
            Ok((id, ())) => id,
            Err(e) => {
                if e.is_panic() {
                    tracing::error!(error = %e, "outbox: a delivery panicked");
                }
                e.id()
            }
        };
        self.rows().remove(&id).map(|(lane, _)| lane)
    }
    /// Forgets the deliveries that ended; marks their lanes in `ask`.
    pub(super) fn reap(&mut self, ask: &mut Ask) {
        while let Some(done) = self.tasks.try_join_next_with_id() {
            ask.ended(self.finished(done));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_that_came_back_short_is_asked_again_once_one_of_its_deliveries_ends() {
        let mut ask = Ask::ALL;
        *ask.lane(Lane::Person) = false;
        *ask.lane(Lane::Channel) = false;
        ask.ended(Some(Lane::Channel));
        assert!(
            *ask.lane(Lane::Channel),
            "a channel's next row is its head now"
        );
        assert!(!*ask.lane(Lane::Person), "nothing changed for people");
        ask.ended(None);
        assert!(
            !*ask.lane(Lane::Person),
            "an unknown delivery changes nothing"
        );
        ask.ended(Some(Lane::Person));
        assert!(*ask.lane(Lane::Person));
    }
}
