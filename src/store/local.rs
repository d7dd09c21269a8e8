//! Local mode's record of what Slack would have shown: every Web API call badger made
//! (method, channel, ts, text, Block Kit JSON, and for ephemerals the person), plus the
//! console's own slash-command answers. The dashboard and the console read it back.

use super::{from_millis, millis, Result, Store};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// `method` for the answer to a slash command typed in the console (Slack shows it as an
/// ephemeral; it is the HTTP response, not a Web API call).
pub const COMMAND_RESPONSE: &str = "command.response";

/// One call to record.
#[derive(Debug, Clone, Default)]
pub struct NewLocalMessage<'a> {
    pub method: &'a str,
    pub channel: &'a str,
    /// The message's ts: assigned on a post, the target of an update.
    pub ts: Option<&'a str>,
    /// The text fallback (the topic, for `conversations.setTopic`).
    pub text: &'a str,
    pub blocks: &'a [Value],
    /// Whom an ephemeral is for.
    pub user: Option<&'a str>,
    /// The slash command a console answer replies to.
    pub typed: Option<&'a str>,
}

/// One recorded call, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMessage {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub channel: String,
    pub ts: Option<String>,
    pub text: String,
    pub blocks: Vec<Value>,
    pub user: Option<String>,
    pub typed: Option<String>,
}

type Raw = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn from_raw((id, at, method, channel, ts, text, blocks, user, typed): Raw) -> Result<LocalMessage> {
    let blocks = match blocks.as_deref() {
        None | Some("") => Vec::new(),
        Some(b) => serde_json::from_str(b)
            .map_err(|e| super::StoreError::Corrupt(format!("local message {id}: {e}")))?,
    };
    Ok(LocalMessage {
        id,
        at: from_millis(at)?,
        method,
        channel,
        ts,
        text,
        blocks,
        user,
        typed,
    })
}

const COLUMNS: &str = "id, at, method, channel, ts, body, blocks, user_id, typed";

impl Store {
    pub async fn record_local(&self, m: &NewLocalMessage<'_>) -> Result<()> {
        let blocks = if m.blocks.is_empty() {
            None
        } else {
            Some(Value::Array(m.blocks.to_vec()).to_string())
        };
        let q = sqlx::query(
            "INSERT INTO local_messages (at, method, channel, ts, body, blocks, user_id, typed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(millis(Utc::now()))
        .bind(m.method)
        .bind(m.channel)
        .bind(m.ts)
        .bind(m.text)
        .bind(blocks)
        .bind(m.user)
        .bind(m.typed);
        self.write_outside(q).await?;
        Ok(())
    }

    /// The latest `limit` records, oldest first.
    pub async fn local_log(&self, limit: i64) -> Result<Vec<LocalMessage>> {
        let rows: Vec<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM local_messages ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows.into_iter().map(from_raw).collect::<Result<Vec<_>>>()?;
        out.reverse();
        Ok(out)
    }

    /// The topic badger last set on `channel` (empty if it never did).
    pub async fn local_topic(&self, channel: &str) -> Result<String> {
        let topic: Option<String> = sqlx::query_scalar(
            "SELECT body FROM local_messages WHERE method = 'conversations.setTopic' \
             AND channel = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(channel)
        .fetch_optional(&self.pool)
        .await?;
        Ok(topic.unwrap_or_default())
    }

    /// The dashboard's short list: (method, channel, text), newest first.
    pub async fn local_messages(&self, limit: i64) -> Result<Vec<(String, String, String)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT method, channel, body FROM local_messages ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
