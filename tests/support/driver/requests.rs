//! What a test sends badger as Slack would (signed slash commands, button presses) or as
//! a client would (GETs), and what it reads back from badger (metrics, table rows).

use super::*;

impl TestApp {
    /// POSTs a body signed exactly as Slack signs it, at the badger clock's "now".
    pub async fn signed(&self, path: &str, content_type: &str, body: String) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        signed_post(&self.http, &url, content_type, body, self.clock_now())
            .send()
            .await
            .expect("request reaches badger")
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        badger::clock::Clock::now(&self.clock)
    }

    /// A signed `/deploy` request, built but not sent (for tests that send many at once).
    pub fn deploy_request(&self, user: &str, text: &str) -> reqwest::RequestBuilder {
        let url = format!("{}/slack/commands", self.base);
        let body = command_form(CHANNEL, user, "/deploy", text);
        signed_post(&self.http, &url, FORM, body, self.clock_now()).timeout(Duration::from_secs(20))
    }

    pub async fn slash(&self, command: &str, user: &str, text: &str) -> Reply {
        self.slash_in(CHANNEL, command, user, text).await
    }

    /// A slash command typed in `channel` (a DM with badger is a `D...` id).
    pub async fn slash_in(&self, channel: &str, command: &str, user: &str, text: &str) -> Reply {
        let body = command_form(channel, user, command, text);
        let r = self.signed("/slack/commands", FORM, body).await;
        let status = r.status().as_u16();
        let json = r.json().await.unwrap_or(Value::Null);
        Reply { status, json }
    }

    pub async fn deploy(&self, user: &str, text: &str) -> Reply {
        self.slash("/deploy", user, text).await
    }

    pub async fn hold(&self, user: &str, text: &str) -> Reply {
        self.slash("/hold", user, text).await
    }

    /// Presses a button as Slack reports it (block_actions with Slack's usual extra fields).
    pub async fn press(&self, user: &str, action_id: &str, value: &str) -> u16 {
        let body = press_form(user, action_id, value);
        self.signed("/slack/interactions", FORM, body)
            .await
            .status()
            .as_u16()
    }

    /// Presses a button on an answer only `user` sees (an ephemeral), as Slack reports it.
    pub async fn press_ephemeral(&self, user: &str, action_id: &str, value: &str) -> u16 {
        let body = press_form_on(user, action_id, value, true);
        self.signed("/slack/interactions", FORM, body)
            .await
            .status()
            .as_u16()
    }

    /// The value of an unlabelled Prometheus sample on `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        super::metrics::count(&super::metrics::scrape(&self.http, &self.base).await, name)
    }

    /// How many rows `table` holds.
    pub async fn count_rows(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.core().store.pool())
            .await
            .expect("count rows")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }
}
