//! The channels' state: topics, membership, posted and ephemeral messages, Home tabs,
//! as the Web API methods change it and as a test reads and sets it.

use super::*;

impl FakeState {
    fn channel(&mut self, id: &str) -> &mut Channel {
        self.channels
            .entry(id.to_string())
            .or_insert_with(|| Channel {
                name: id.to_lowercase(),
                topic: String::new(),
                topic_creator: String::new(),
                topic_last_set: 0,
                not_in_channel: false,
            })
    }

    pub(super) fn channel_json(&mut self, id: &str) -> Value {
        let ch = self.channel(id);
        json!({
            "id": id,
            "name": ch.name,
            "name_normalized": ch.name,
            "created": EPOCH_SECS,
            "creator": HUMAN_USER_ID,
            "is_channel": true,
            "is_group": false,
            "is_im": false,
            "is_mpim": false,
            "is_private": false,
            "is_archived": false,
            "is_general": false,
            "is_shared": false,
            "is_org_shared": false,
            "is_member": !ch.not_in_channel,
            "topic": {
                "value": ch.topic,
                "creator": ch.topic_creator,
                "last_set": ch.topic_last_set,
            },
            "purpose": { "value": "", "creator": "", "last_set": 0 },
            "previous_names": [],
        })
    }

    pub(super) fn set_topic(&mut self, channel: &str, topic: &str, creator: &str) {
        self.clock += 1;
        let last_set = EPOCH_SECS + self.clock;
        let ch = self.channel(channel);
        ch.topic = topic.to_string();
        ch.topic_creator = creator.to_string();
        ch.topic_last_set = last_set;
    }

    /// Hands out "1700000000.000100", "1700000000.000200", ...
    pub(super) fn allocate_ts(&mut self) -> String {
        self.next_ts += 1;
        let micros = EPOCH_SECS * 1_000_000 + self.next_ts * 100;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }

    pub(super) fn is_not_in_channel(&self, channel: &str) -> bool {
        self.channels
            .get(channel)
            .map(|c| c.not_in_channel)
            .unwrap_or(false)
    }
}

impl FakeSlack {
    /// Sets a channel's topic as if a person had set it.
    pub fn set_topic(&self, channel: &str, topic: &str) {
        self.lock().set_topic(channel, topic, HUMAN_USER_ID);
    }

    /// A channel's current topic ("" if never set).
    pub fn topic(&self, channel: &str) -> String {
        self.lock()
            .channels
            .get(channel)
            .map(|c| c.topic.clone())
            .unwrap_or_default()
    }

    /// Sets the `name` conversations.info answers (default: the id lowercased).
    pub fn set_channel_name(&self, channel: &str, name: &str) {
        self.lock().channel(channel).name = name.to_string();
    }

    /// The messages posted to a channel, in post order, in their current state
    /// (after any chat.update). Each is Slack's message object: `type`, `ts`,
    /// `text`, `user`, `bot_id`, `app_id`, `team`, and `blocks` /
    /// `attachments` / `thread_ts` / `metadata` when given, `edited` once updated.
    pub fn messages(&self, channel: &str) -> Vec<Value> {
        kept_for(&self.lock().messages, channel)
    }

    /// The texts of a channel's messages, in post order, as they stand now (after updates).
    pub fn message_texts(&self, channel: &str) -> Vec<String> {
        self.messages(channel)
            .iter()
            .map(|m| m["text"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    /// The latest message in `channel` whose text contains `needle`.
    fn latest_message_with(&self, channel: &str, needle: &str) -> Option<Value> {
        self.messages(channel)
            .into_iter()
            .rev()
            .find(|m| m["text"].as_str().unwrap_or("").contains(needle))
    }

    /// Waits (up to 15 s) until some message in `channel` contains `needle` and returns
    /// the latest such message; panics, listing the channel's texts, if none comes.
    pub async fn wait_for_message(&self, channel: &str, needle: &str) -> Value {
        let found = self
            .wait_to_find(|| self.latest_message_with(channel, needle))
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "no channel message containing {needle:?}; messages: {:#?}",
                self.message_texts(channel)
            )
        })
    }

    /// Waits (up to 15 s) until `find` finds something in what the fake holds, and returns
    /// what it finds then (`None` if nothing came).
    pub async fn wait_to_find<T>(&self, find: impl Fn() -> Option<T>) -> Option<T> {
        self.wait_until(Duration::from_secs(15), |_| find().is_some())
            .await;
        find()
    }

    /// The ephemeral messages posted to a channel, in post order; each has
    /// `user` (the recipient), `message_ts`, `text` and `blocks` if given.
    pub fn ephemerals(&self, channel: &str) -> Vec<Value> {
        kept_for(&self.lock().ephemerals, channel)
    }

    /// The Home tab views published for `user` (views.publish), oldest first, each as
    /// Slack answered it (`id`, `hash`, `type`, `blocks`, ...).
    pub fn home_views(&self, user: &str) -> Vec<Value> {
        kept_for(&self.lock().homes, user)
    }

    /// While `yes`, chat.postMessage, chat.postEphemeral,
    /// conversations.setTopic and conversations.info for this channel answer
    /// `not_in_channel` (and conversations.info would say `is_member: false`).
    pub fn set_not_in_channel(&self, channel: &str, yes: bool) {
        self.lock().channel(channel).not_in_channel = yes;
    }

    /// `apps.connections.open` (called with an `xapp-` token) answers this websocket URL.
    pub fn set_socket_url(&self, url: &str) {
        self.lock().socket_url = Some(url.to_string());
    }
}

/// What the fake kept for `key` (a channel or a user), in the order it came.
fn kept_for(kept: &[(String, Value)], key: &str) -> Vec<Value> {
    kept.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}
