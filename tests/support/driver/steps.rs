//! A stepped test's moves (deliver the outbox, scheduler passes, the clock) and its
//! in-order reading of badger's Slack calls (`expect_post`, `expect_topic_sync`, ...).

use super::*;
use crate::support::fake_slack::Call;
use badger::clock::Clock;

impl TestApp {
    /// Stepped: delivers every outbox row due now to the fake Slack, through the real
    /// worker and client; returns how many rows it handled. Rows waiting for a retry
    /// time stay (see [`TestApp::deliver_outbox_with_retries`]).
    pub async fn deliver_outbox(&self) -> usize {
        let n = self
            .running()
            .deliver_outbox()
            .await
            .expect("outbox delivery pass");
        self.assert_tasks_alive();
        n
    }

    /// Stepped: delivers until the outbox is empty, sleeping until each retry is due (a
    /// 429's Retry-After, a backoff: the outbox keeps those in wall-clock time).
    pub async fn deliver_outbox_with_retries(&self) {
        let store = &self.core().store;
        for _ in 0..1000 {
            self.deliver_outbox().await;
            if store.outbox_pending().await.expect("outbox count") == 0 {
                return;
            }
            let mut due = None;
            for lane in [badger::store::Lane::Person, badger::store::Lane::Channel] {
                if let Some(at) = store.outbox_next_due(lane).await.expect("next due") {
                    due = Some(due.map_or(at, |d: i64| d.min(at)));
                }
            }
            let wait = due.map_or(10, |at| at - Utc::now().timestamp_millis());
            let wait = u64::try_from(wait).unwrap_or(0).clamp(1, 5_000);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        panic!("the outbox never drained: {:#?}", self.slack.unread());
    }

    /// Stepped: one scheduler pass at the clock's now. Queues; does not deliver.
    pub async fn tick(&self) {
        self.running().tick().await.expect("scheduler pass");
        self.assert_tasks_alive();
    }

    /// Moves badger's clock on.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    /// Stepped: sets the clock, makes a scheduler pass and delivers what it queued.
    pub async fn at(&self, when: DateTime<Utc>) {
        self.clock.set(when);
        self.tick().await;
        self.deliver_outbox().await;
    }

    /// Stepped: [`TestApp::at`] the clock's now moved on `by`.
    pub async fn after(&self, by: chrono::Duration) {
        self.at(self.clock.now() + by).await;
    }

    /// Stepped: delivers the outbox and reads what reached Slack unchecked (what the test
    /// sets aside); returns those calls.
    pub async fn deliver_unchecked(&self) -> Vec<Call> {
        self.deliver_outbox().await;
        self.slack.read_all()
    }

    /// The next Slack call must post to the deploy channel a message containing
    /// `needle`; returns the call's body (`text`, `blocks`).
    pub fn expect_post(&self, needle: &str) -> Value {
        self.expect_post_in(CHANNEL, needle)
    }

    /// The next Slack call must post to `channel` a message containing `needle`.
    pub fn expect_post_in(&self, channel: &str, needle: &str) -> Value {
        self.expect_text_call("chat.postMessage", channel, needle)
    }

    /// The next Slack call must update a deploy channel message to one containing `needle`.
    pub fn expect_update(&self, needle: &str) -> Value {
        self.expect_text_call("chat.update", CHANNEL, needle)
    }

    /// The next Slack call must be an ephemeral to `user` in the deploy channel containing
    /// `needle`; returns its text.
    pub fn expect_ephemeral(&self, user: &str, needle: &str) -> String {
        let body = self.expect_text_call("chat.postEphemeral", CHANNEL, needle);
        assert_eq!(body["user"], user, "sent to someone else: {body}");
        body["text"].as_str().unwrap_or("").to_owned()
    }

    /// The next Slack call must be `method` in `channel` with a text containing `needle`;
    /// returns the call's body (`text`, `blocks`).
    fn expect_text_call(&self, method: &str, channel: &str, needle: &str) -> Value {
        let body = self.slack.expect_call(method).body;
        assert_eq!(body["channel"], channel, "{method} elsewhere: {body}");
        let text = body["text"].as_str().unwrap_or("");
        assert!(
            text.contains(needle),
            "wanted {method} with a text containing {needle:?}; got {text:?}"
        );
        body
    }

    /// The next Slack calls must be a topic sync of the deploy channel: the topic is read,
    /// then set if it differs from what badger wants. Returns the topic as it was left.
    pub fn expect_topic_sync(&self) -> String {
        let read = self.slack.expect_call("conversations.info");
        assert_eq!(
            read.body["channel"], CHANNEL,
            "read elsewhere: {}",
            read.body
        );
        let next = self.slack.unread().into_iter().next();
        if next.is_some_and(|c| c.method == "conversations.setTopic") {
            let set = self.slack.next_call();
            assert_eq!(set.body["channel"], CHANNEL, "set elsewhere: {}", set.body);
            set.body["topic"].as_str().unwrap_or("").to_owned()
        } else {
            self.slack.topic(CHANNEL)
        }
    }

    /// Stepped: Alice deploys whitehall `r1` to integration, Bob queues publisher `r1`
    /// behind her (then `also`, a person and their `/deploy` text, queues behind Bob), and
    /// Alice is done: Bob is called. Reads those Slack calls in order and returns Bob's
    /// queued answer (its JSON) and his "it's your turn" post.
    pub async fn bob_called_after_alice(
        &self,
        also: Option<(&str, &str)>,
    ) -> (serde_json::Value, serde_json::Value) {
        use crate::support::people::{ALICE, BOB};
        self.deploy(ALICE, "whitehall r1 to integration").await;
        let queued = self.deploy(BOB, "publisher r1 to integration").await.json;
        if let Some((who, text)) = also {
            self.deploy(who, text).await;
        }
        self.deploy(ALICE, "done").await;
        self.deliver_outbox().await;
        self.expect_ran(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
        let call = self.expect_post("<@U0BOB> it's your turn");
        (queued, call)
    }

    /// Stepped: `/deploy TEXT` from `who` on a free environment starts at once: the answer
    /// says so, and the start alert is delivered and read. Returns the start alert.
    pub async fn starts(&self, who: &str, text: &str) -> Value {
        self.deploy(who, text).await.assert_says("You're deploying");
        self.deliver_outbox().await;
        self.expect_post(&format!("<@{who}> started deploying"))
    }

    /// Stepped: `/deploy done` from `who`, deploying `what`: it ends (see
    /// [`TestApp::expect_ended`]) and `next`, first in the queue, is called. Returns the call.
    pub async fn hands_over(&self, who: &str, what: &str, next: &str) -> Value {
        self.deploy(who, "done").await;
        self.deliver_outbox().await;
        self.expect_ended(who, what, "succeeded");
        self.expect_post(&format!("<@{next}> it's your turn"))
    }

    /// `/deploy TEXT` from `who`, then `/deploy done`: a deployment that starts at once on
    /// a free environment and succeeds (to pass an environment on the way to the next).
    pub async fn deployed(&self, who: &str, text: &str) {
        self.deploy(who, text).await;
        self.deploy(who, "done").await;
    }

    /// The next Slack calls must be the whole of `who`'s deployment of `what` (e.g.
    /// "*whitehall* `r1` to *integration*"): its start alert, then as
    /// [`TestApp::expect_ended`]. Returns the end alert.
    pub fn expect_ran(&self, who: &str, what: &str, outcome: &str) -> Value {
        self.expect_post(&format!("<@{who}> started deploying {what}"));
        self.expect_ended(who, what, outcome)
    }

    /// The next Slack calls must end `who`'s deployment of `what`: the end alert, its icon,
    /// `what` and `outcome` ("succeeded", "failed in 0s", "was called off", ...), then the
    /// start alert's update. Returns the end alert.
    pub fn expect_ended(&self, who: &str, what: &str, outcome: &str) -> Value {
        let icon = [
            ("succeeded", ":white_check_mark:"),
            ("failed", ":x:"),
            ("was called off", ":no_entry_sign:"),
        ]
        .into_iter()
        .find_map(|(said, icon)| outcome.starts_with(said).then_some(icon))
        .unwrap_or_else(|| panic!("not an outcome of an end alert: {outcome:?}"));
        let end = self.expect_post(&format!("{icon} {what} {outcome}"));
        self.expect_update(&format!("<@{who}> started deploying {what}"));
        end
    }
}
