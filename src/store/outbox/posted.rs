//! Where badger's posted messages are: the channel and ts of each message posted under a
//! key, so a later `Update` or `Reply` in the outbox can find it.

use crate::store::{Result, Store};

impl Store {
    pub async fn remember_message(&self, key: &str, channel: &str, ts: &str) -> Result<()> {
        let q = sqlx::query(
            "INSERT INTO slack_messages (msg_key, channel, ts) VALUES ($1, $2, $3) \
             ON CONFLICT (msg_key) DO UPDATE SET channel = $2, ts = $3",
        )
        .bind(key)
        .bind(channel)
        .bind(ts);
        self.write_outside(q).await?;
        Ok(())
    }

    pub async fn message_ts(&self, key: &str) -> Result<Option<(String, String)>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT channel, ts FROM slack_messages WHERE msg_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row)
    }
}
