//! `badger serve` as a process, the way a newcomer starts it: no Slack token, so local
//! mode with the console; plus a client for the console's JSON routes.

use super::db::{Backend, TestDb};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;

pub struct Served {
    pub base: String,
    pub http: reqwest::Client,
    _child: tokio::process::Child,
    _db: TestDb,
    _cwd: tempfile::TempDir,
}

/// `badger serve` in local mode (no Slack token) on the database at `db_url`, a free
/// loopback port, a clean environment and stdout piped for `badger_process::listening`; add to
/// it, then spawn it.
pub fn serve_command(db_url: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_badger"));
    command
        .arg("serve")
        .env_clear()
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", db_url)
        .env("BADGER_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    command
}

impl Served {
    /// Starts `badger serve` on a fresh database and a free loopback port.
    pub async fn start(backend: Backend) -> Served {
        Self::start_with(backend, &[]).await
    }

    /// As [`Served::start`], with these environment variables set as well.
    pub async fn start_with(backend: Backend, vars: &[(&str, &str)]) -> Served {
        let db = TestDb::fresh(backend).await;
        // An empty working directory: no stray badger.toml or badger.db is picked up.
        let cwd = tempfile::tempdir().expect("temp dir");
        let mut child = serve_command(&db.url)
            .envs(vars.iter().copied())
            .current_dir(cwd.path())
            .spawn()
            .expect("badger starts");
        let base = super::badger_process::listening(&mut child).await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Served {
            base,
            http,
            _child: child,
            _db: db,
            _cwd: cwd,
        }
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POSTs `body` as it is (no JSON encoding) to `path`; the status.
    pub async fn post_raw(&self, path: &str, body: &'static str) -> u16 {
        let url = format!("{}{path}", self.base);
        let r = self.http.post(url).body(body).send().await.expect("POST");
        r.status().as_u16()
    }

    /// Types a slash command in the console as `who`; the answer as Slack would get it.
    pub async fn command(&self, who: &str, admin: bool, text: &str) -> (u16, Value) {
        self.post(
            "/console/command",
            json!({"as": who, "admin": admin, "text": text}),
        )
        .await
    }

    pub async fn press(&self, who: &str, admin: bool, button: &Button) -> (u16, Value) {
        self.post(
            "/console/press",
            // As the page does: a button with no message ts sits on an ephemeral.
            json!({"as": who, "admin": admin, "channel": button.channel,
                   "action_id": button.action_id, "value": button.value,
                   "ephemeral": button.ts.is_empty()}),
        )
        .await
    }

    pub async fn state(&self, who: &str) -> Value {
        self.http
            .get(format!("{}/console/state", self.base))
            .query(&[("as", who)])
            .send()
            .await
            .expect("GET state")
            .json()
            .await
            .expect("state JSON")
    }

    /// The channels as `who` sees them (HTML), once `ready` holds for it. The outbox
    /// delivers in the background, so a post shows up a moment after the command.
    pub async fn wait_for(&self, who: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..750 {
            last = self.state(who).await["channels"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            if ready(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{who} never saw {what}; the console showed:\n{last}");
    }
}

/// A button as the console draws it.
#[derive(Debug, Clone)]
pub struct Button {
    pub action_id: String,
    pub value: String,
    pub channel: String,
    pub ts: String,
}

fn attr(tag: &str, name: &str) -> String {
    between(tag, &format!("{name}=\""), "\"")
}

/// What stands in `html` after the first `start`, up to the next `end` (or to the end);
/// "" if there is no `start`.
fn between(html: &str, start: &str, end: &str) -> String {
    html.split(start)
        .nth(1)
        .and_then(|rest| rest.split(end).next())
        .unwrap_or("")
        .to_owned()
}

/// The newest button with `action_id` in the console's HTML.
pub fn newest_button(html: &str, action_id: &str) -> Option<Button> {
    let key = format!("data-action-id=\"{action_id}\"");
    let at = html.rfind(&key)?;
    let start = html[..at].rfind("<button")?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    Some(Button {
        action_id: action_id.to_owned(),
        value: attr(tag, "data-value"),
        channel: attr(tag, "data-channel"),
        ts: attr(tag, "data-ts"),
    })
}

/// The message with `ts`, as drawn (its `<li>`), or "" if it is not shown.
pub fn message(html: &str, ts: &str) -> String {
    let key = format!("<li class=\"msg\" data-ts=\"{ts}\">");
    between(html, &key, "</li>")
}

/// The channel topic as drawn.
pub fn topic(html: &str) -> String {
    between(html, "<div class=\"topic\"", "</div>")
}
