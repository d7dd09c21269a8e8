//! What one person would see in Slack, rebuilt from local mode's record of Web API calls:
//! per channel, the messages in the order posted (an update replaces its message in
//! place), that person's ephemerals where they arrived, topic changes, and the topic.

use super::blockkit::{message_to_html, Place};
use super::mrkdwn::{controls_only, html, Names};
use crate::store::{LocalMessage, COMMAND_RESPONSE};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Message {
        ts: String,
        at: DateTime<Utc>,
        text: String,
        blocks: Vec<Value>,
        edited: bool,
    },
    /// Only the viewer sees it (and in Slack, only until they reload).
    Ephemeral {
        at: DateTime<Utc>,
        text: String,
        blocks: Vec<Value>,
        typed: Option<String>,
    },
    TopicChanged {
        at: DateTime<Utc>,
        topic: String,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Channel {
    pub id: String,
    pub topic: String,
    pub items: Vec<Item>,
}

/// The channels `viewer` can see, `first` first (even when empty), the rest in the order
/// they were first written to.
pub fn build(log: &[LocalMessage], viewer: &str, first: &str) -> Vec<Channel> {
    let mut channels = vec![Channel {
        id: first.to_owned(),
        ..Default::default()
    }];
    for m in log {
        let visible = match m.method.as_str() {
            "chat.postEphemeral" | COMMAND_RESPONSE => m.user.as_deref() == Some(viewer),
            _ => true,
        };
        if !visible {
            continue;
        }
        let at = match channels.iter().position(|c| c.id == m.channel) {
            Some(i) => i,
            None => {
                channels.push(Channel {
                    id: m.channel.clone(),
                    ..Default::default()
                });
                channels.len() - 1
            }
        };
        let ch = &mut channels[at];
        match m.method.as_str() {
            "chat.postMessage" => ch.items.push(Item::Message {
                ts: m.ts.clone().unwrap_or_default(),
                at: m.at,
                text: m.text.clone(),
                blocks: m.blocks.clone(),
                edited: false,
            }),
            "chat.update" => {
                let target = ch
                    .items
                    .iter_mut()
                    .find(|i| matches!(i, Item::Message { ts, .. } if Some(ts) == m.ts.as_ref()));
                // An edit of a message older than the record is not shown (nor is it in
                // Slack's scroll-back without the original).
                if let Some(Item::Message {
                    text,
                    blocks,
                    edited,
                    ..
                }) = target
                {
                    *text = m.text.clone();
                    *blocks = m.blocks.clone();
                    *edited = true;
                }
            }
            "chat.postEphemeral" | COMMAND_RESPONSE => ch.items.push(Item::Ephemeral {
                at: m.at,
                text: m.text.clone(),
                blocks: m.blocks.clone(),
                typed: m.typed.clone(),
            }),
            "conversations.setTopic" => {
                ch.topic = m.text.clone();
                ch.items.push(Item::TopicChanged {
                    at: m.at,
                    topic: m.text.clone(),
                });
            }
            _ => {}
        }
    }
    channels
}

fn time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// A topic as Slack shows it: plain text with mentions and links resolved.
fn topic_html(topic: &str, names: &dyn Names) -> String {
    controls_only(topic, names)
}

/// `#deploy`, or for a direct message (badger posts to a user id), who it is with.
fn heading(id: &str, names: &dyn Names) -> String {
    if id.starts_with(['U', 'W']) {
        format!("Direct messages: badger and {}", html(&names.user(id)))
    } else {
        format!("#{}", html(&names.channel(id)))
    }
}

pub fn to_page_html(channels: &[Channel], names: &dyn Names, tz: Tz) -> String {
    let mut out = String::new();
    for ch in channels {
        let id = html(&ch.id);
        out += &format!(
            "<section class=\"channel\" data-channel=\"{id}\"><header class=\"ch-head\"><h2>{}</h2><div class=\"topic\" data-topic-for=\"{id}\">{}</div></header><ol class=\"timeline\">",
            heading(&ch.id, names),
            if ch.topic.is_empty() {
                "<span class=\"none\">No topic</span>".to_owned()
            } else {
                topic_html(&ch.topic, names)
            }
        );
        if ch.items.is_empty() {
            out += "<li class=\"sys\">Nothing here yet.</li>";
        }
        for item in &ch.items {
            out += &match item {
                Item::Message {
                    ts,
                    at,
                    text,
                    blocks,
                    edited,
                } => format!(
                    "<li class=\"msg\" data-ts=\"{}\"><div class=\"who\"><b>badger</b> <span class=\"app\">APP</span> <time>{}</time>{}</div><div class=\"body\">{}</div></li>",
                    html(ts),
                    time(*at, tz),
                    if *edited { " <span class=\"edited\">(edited)</span>" } else { "" },
                    message_to_html(text, blocks, names, &Place { channel: &ch.id, ts: Some(ts) })
                ),
                Item::Ephemeral {
                    at,
                    text,
                    blocks,
                    typed,
                } => format!(
                    "<li class=\"msg ephemeral\"><div class=\"who\"><b>badger</b> <span class=\"app\">APP</span> <time>{}</time> <span class=\"only\">Only visible to you</span></div>{}<div class=\"body\">{}</div></li>",
                    time(*at, tz),
                    typed
                        .as_deref()
                        .map(|t| format!("<div class=\"typed\"><code>{}</code></div>", html(t)))
                        .unwrap_or_default(),
                    message_to_html(text, blocks, names, &Place { channel: &ch.id, ts: None })
                ),
                Item::TopicChanged { at, topic } if topic.is_empty() => format!(
                    "<li class=\"sys\"><time>{}</time> <b>badger</b> cleared the channel topic</li>",
                    time(*at, tz),
                ),
                Item::TopicChanged { at, topic } => format!(
                    "<li class=\"sys\"><time>{}</time> <b>badger</b> set the channel topic: {}</li>",
                    time(*at, tz),
                    topic_html(topic, names)
                ),
            };
        }
        out += "</ol></section>";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::mrkdwn::Lowercase;
    use serde_json::json;

    fn row(id: i64, method: &str, channel: &str, ts: Option<&str>, text: &str) -> LocalMessage {
        LocalMessage {
            id,
            at: DateTime::from_timestamp(1_700_000_000 + id, 0).unwrap(),
            method: method.into(),
            channel: channel.into(),
            ts: ts.map(Into::into),
            text: text.into(),
            blocks: vec![],
            user: None,
            typed: None,
        }
    }

    #[test]
    fn updates_replace_in_place_and_ephemerals_are_private() {
        let mut eph = row(3, "chat.postEphemeral", "C1", None, "for bob");
        eph.user = Some("UBOB".into());
        let mut reply = row(4, COMMAND_RESPONSE, "C1", None, "for alice");
        reply.user = Some("UALICE".into());
        reply.typed = Some("/deploy help".into());
        let mut update = row(5, "chat.update", "C1", Some("1.1"), "first, edited");
        update.blocks = vec![json!({"type": "divider"})];
        let log = vec![
            row(1, "chat.postMessage", "C1", Some("1.1"), "first"),
            row(2, "chat.postMessage", "C1", Some("1.2"), "second"),
            eph,
            reply,
            update,
            row(6, "conversations.setTopic", "C1", None, "held"),
            row(7, "chat.postMessage", "UALICE", Some("1.3"), "a DM"),
            row(
                8,
                "chat.update",
                "C1",
                Some("0.9"),
                "edit of something not kept",
            ),
        ];
        let alice = build(&log, "UALICE", "C1");
        assert_eq!(alice.len(), 2);
        assert_eq!(alice[0].topic, "held");
        let texts: Vec<&str> = alice[0]
            .items
            .iter()
            .map(|i| match i {
                Item::Message { text, .. }
                | Item::Ephemeral { text, .. }
                | Item::TopicChanged { topic: text, .. } => text.as_str(),
            })
            .collect();
        assert_eq!(texts, ["first, edited", "second", "for alice", "held"]);
        assert!(
            matches!(&alice[0].items[0], Item::Message { edited: true, blocks, .. } if blocks.len() == 1)
        );
        assert_eq!(alice[1].id, "UALICE");
        let page = to_page_html(&alice, &Lowercase, chrono_tz::Europe::London);
        let missing: Vec<&str> = [
            "<h2>#c1</h2>",
            "<h2>Direct messages: badger and ualice</h2>",
            "<span class=\"edited\">(edited)</span>",
            "<code>/deploy help</code>",
        ]
        .into_iter()
        .filter(|part| !page.contains(part))
        .collect();
        assert!(missing.is_empty(), "{missing:?} are not in {page}");

        let bob = build(&log, "UBOB", "C0");
        assert_eq!(bob[0].id, "C0");
        assert!(bob[0].items.is_empty());
        assert!(bob[1]
            .items
            .iter()
            .any(|i| matches!(i, Item::Ephemeral { text, .. } if text == "for bob")));
        assert!(!bob[1]
            .items
            .iter()
            .any(|i| matches!(i, Item::Ephemeral { text, .. } if text == "for alice")));
    }

    #[test]
    fn topics_are_plain_but_resolve_mentions() {
        assert_eq!(
            topic_html(
                "*x* \u{1F512} Held: app (<@UA>: a_b_c &lt;) \u{1F512}",
                &Lowercase
            ),
            "*x* \u{1F512} Held: app (<span class=\"mention\">@ua</span>: a_b_c &lt;) \u{1F512}"
        );
    }
}
