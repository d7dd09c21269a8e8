//! Snapshots of every notice as Slack shows it, and the outbox body shapes.
