//! Queue order. Emergencies go first (behind whatever is deploying; a turn only called gives
//! way to one), then everyone in the order their request was acknowledged. Who may be
//! called is the admission rule's (domain/admission.rs).

use super::deployment::{Deployment, State};
use std::cmp::Ordering;

/// How many of those ahead a newcomer's reply names (the active one among them); the rest
/// are counted. The service reads no more than this, and the reply shows no more.
pub const NAMED_AHEAD: usize = 10;

/// Someone ahead of a newcomer in a queue, as the newcomer's reply names them: only what
/// the reply shows, so a long queue's first few are cheap to read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct InLine {
    pub id: i64,
    pub requester: String,
    pub app: String,
    pub git_ref: String,
    pub state: State,
}

impl From<&Deployment> for InLine {
    fn from(d: &Deployment) -> Self {
        InLine {
            id: d.id,
            requester: d.requester.clone(),
            app: d.app.clone(),
            git_ref: d.git_ref.clone(),
            state: d.state,
        }
    }
}

/// Spacing of `queue_key`s, so that "let the next one go first" can slot a deployment in
/// between two others without renumbering the queue.
pub const KEY_SPACING: i64 = 1024;

pub fn order(a: &Deployment, b: &Deployment) -> Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.queue_key.cmp(&b.queue_key))
        .then(a.id.cmp(&b.id))
}

/// The key that puts a deployment right behind `next` (and before whoever follows it).
pub fn key_behind(next: &Deployment, after_next: Option<&Deployment>) -> i64 {
    match after_next {
        Some(a) if a.queue_key > next.queue_key + 1 => {
            next.queue_key + (a.queue_key - next.queue_key) / 2
        }
        _ => next.queue_key + 1,
    }
}

/// Whether an emergency arriving where `holder` has the environment's slot takes the turn
/// from it: only from a turn that was called and not started (a called turn is not
/// deploying), and never from another emergency (emergencies queue among themselves).
/// Whoever is deploying keeps going, and is asked to finish ([`asked_to_finish`]).
pub fn emergency_takes_turn(holder: &Deployment, emergency: bool) -> bool {
    emergency && holder.state == State::Called && !holder.is_emergency()
}

/// Whether the one holding the slot is asked to finish soon for a newly queued emergency:
/// only someone actually deploying has something to finish.
pub fn asked_to_finish(holder: &Deployment) -> bool {
    holder.state == State::Deploying
}

/// Where a called turn that gives way to an emergency waits again: its own priority, at
/// the front of it (ahead of everyone `waiting` there), so it is called again as soon as
/// the emergency is over. Its own key when it is already first.
pub fn front_place(d: &Deployment, waiting: &[&Deployment]) -> (i64, i64) {
    let first = waiting
        .iter()
        .filter(|w| w.id != d.id && w.priority == d.priority)
        .map(|w| w.queue_key)
        .min();
    let key = match first {
        Some(k) if k <= d.queue_key => k - 1,
        _ => d.queue_key,
    };
    (d.priority, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, app: &str, emergency: bool) -> Deployment {
        Deployment {
            emergency_reason: emergency.then(|| "fire".into()),
            queue_key: id * KEY_SPACING,
            priority: i64::from(emergency),
            ..crate::domain::deployment::sample(id, app, "production")
        }
    }

    #[test]
    fn emergencies_go_first_then_acknowledgement_order() {
        let mut q = [
            d(3, "a", false),
            d(1, "b", false),
            d(5, "c", true),
            d(2, "d", false),
        ];
        q.sort_by(order);
        assert_eq!(q.iter().map(|d| d.id).collect::<Vec<_>>(), [5, 1, 2, 3]);
    }

    #[test]
    fn letting_the_next_go_first() {
        let q = [d(1, "a", false), d(2, "b", false), d(3, "c", false)];
        let k = key_behind(&q[1], Some(&q[2]));
        assert!(k > q[1].queue_key && k < q[2].queue_key);
        assert_eq!(key_behind(&q[2], None), q[2].queue_key + 1);
    }

    fn with_state(d: Deployment, state: State) -> Deployment {
        Deployment { state, ..d }
    }

    #[test]
    fn an_emergency_takes_a_called_turn_but_not_a_deployment() {
        let called = with_state(d(1, "a", false), State::Called);
        let deploying = with_state(d(1, "a", false), State::Deploying);
        assert!(emergency_takes_turn(&called, true));
        assert!(!emergency_takes_turn(&called, false));
        assert!(!emergency_takes_turn(&deploying, true));
        // Emergencies queue among themselves: a called emergency keeps its turn.
        let called_emergency = with_state(d(1, "a", true), State::Called);
        assert!(!emergency_takes_turn(&called_emergency, true));
        // Only someone deploying is asked to finish.
        assert!(asked_to_finish(&deploying));
        assert!(!asked_to_finish(&called));
        assert!(!asked_to_finish(&called_emergency));
    }

    #[test]
    fn a_turn_given_way_waits_at_the_front_of_its_priority() {
        let bob = with_state(d(3, "b", false), State::Called);
        // Already first: its own place.
        let later = d(4, "c", false);
        let emergency = d(5, "e", true);
        assert_eq!(front_place(&bob, &[&emergency, &later]), (0, bob.queue_key));
        // Someone waiting ahead of it (passed over for a hold) does not get the turn first.
        let held = d(2, "h", false);
        let (priority, key) = front_place(&bob, &[&held, &later]);
        assert_eq!(priority, 0);
        assert!(key < held.queue_key);
        let mut q = [
            later,
            held,
            Deployment {
                queue_key: key,
                ..bob
            },
            emergency,
        ];
        q.sort_by(order);
        assert_eq!(q.iter().map(|d| d.id).collect::<Vec<_>>(), [5, 3, 2, 4]);
    }
}
