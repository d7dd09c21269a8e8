//! Queue order. Emergencies go first (behind whatever is deploying), then everyone in the
//! order their request was acknowledged. Who may be called is the admission rule's
//! (domain/admission.rs).

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
}
