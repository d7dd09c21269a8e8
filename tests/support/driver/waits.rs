//! A test that is not stepped waits for what badger posts: a channel message, an
//! ephemeral, the outbox settling; and reads a message's button values.

use super::*;

impl TestApp {
    /// The waits below poll for the outbox worker, which a stepped badger does not run.
    fn assert_not_stepped(&self, wait: &str) {
        assert!(
            !self.knobs.stepped,
            "{wait} waits for the outbox worker, which a stepped TestApp does not run: deliver_outbox() and read the calls instead"
        );
    }

    /// Texts of the channel's messages as they stand now (after updates).
    pub fn channel_texts(&self) -> Vec<String> {
        self.slack.message_texts(CHANNEL)
    }

    /// Waits until some channel message contains `needle`; returns its JSON.
    pub async fn wait_for_message(&self, needle: &str) -> Value {
        self.assert_not_stepped("wait_for_message");
        self.slack.wait_for_message(CHANNEL, needle).await
    }

    /// Waits (up to 15 s) until `user` has been sent an ephemeral containing `needle`.
    pub async fn wait_for_ephemeral(&self, user: &str, needle: &str) -> String {
        self.assert_not_stepped("wait_for_ephemeral");
        let missing = || {
            let sent = self.slack.ephemerals(CHANNEL);
            format!("no ephemeral for {user} containing {needle:?}; got {sent:#?}")
        };
        let find = || self.ephemeral_for(user, needle);
        poll::find_within(Duration::from_secs(15), find, missing).await
    }

    fn ephemeral_for(&self, user: &str, needle: &str) -> Option<String> {
        self.slack
            .ephemerals(CHANNEL)
            .iter()
            .filter(|e| e["user"].as_str() == Some(user))
            .filter_map(|e| e["text"].as_str().map(str::to_owned))
            .find(|t| t.contains(needle))
    }

    /// Waits until every outbox row is delivered (or given up on).
    pub async fn settle(&self) {
        self.settle_within(Duration::from_secs(10)).await
    }

    pub async fn settle_within(&self, limit: Duration) {
        self.assert_not_stepped("settle");
        super::poll::outbox_drained_within(&self.core().store, limit).await
    }

    /// The button with `action_id` on a message, and its value.
    pub fn button_value(message: &Value, action_id: &str) -> Option<String> {
        message["blocks"].as_array()?.iter().find_map(|b| {
            b["elements"].as_array()?.iter().find_map(|e| {
                (e["action_id"].as_str() == Some(action_id))
                    .then(|| e["value"].as_str().unwrap_or("").to_owned())
            })
        })
    }
}
