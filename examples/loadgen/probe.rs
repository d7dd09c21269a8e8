//! The requests the load generator sends, and the figures it reports about them.

use std::time::{Duration, Instant};

/// One kind of request badger answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Slack-signed `/deploy status`.
    Status,
    /// Slack-signed `/deploy versions`.
    Versions,
    /// `GET /api/v1/status`.
    ApiStatus,
    /// `GET /api/v1/deploy-check` for a free environment.
    DeployCheck,
    /// Slack-signed `/deploy APP REF to integration`, a new one each time (500 apps).
    Write,
    /// Slack-signed `/deploy APP REF to ENV`, a new one each time, spread over 500 apps and
    /// [`crate::RUN_ENVS`] (needs `run`'s policy: elsewhere staging and production refuse).
    WriteSpread,
    /// `POST /api/v1/deployments`: CI reports a deployment it ran (`succeeded`), 500 apps x
    /// [`crate::RUN_ENVS`], with the bearer token.
    CiReport,
    /// `GET /`.
    Dashboard,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Status => "`/deploy status`",
            Kind::Versions => "`/deploy versions`",
            Kind::ApiStatus => "`GET /api/v1/status`",
            Kind::DeployCheck => "`GET /api/v1/deploy-check`",
            Kind::Write => "`/deploy APP REF to integration` (write)",
            Kind::WriteSpread => "`/deploy APP REF to ENV` (write, 500 apps x 3 envs)",
            Kind::CiReport => "`POST /api/v1/deployments` (CI report)",
            Kind::Dashboard => "`GET /` (dashboard)",
        }
    }
}

/// Sends request number `i` of `kind`; returns the status, how long the answer took (body
/// read included) and whether a write was refused.
pub async fn send(
    http: &reqwest::Client,
    base: &str,
    now: chrono::DateTime<chrono::Utc>,
    kind: Kind,
    i: u64,
) -> Result<Answer, reqwest::Error> {
    let t0 = Instant::now();
    let slack = AsSlack { http, base, now };
    let r = match kind {
        Kind::Status => slack.slash("status", "ULOADGEN").send().await?,
        Kind::Versions => slack.slash("versions", "ULOADGEN").send().await?,
        Kind::Write | Kind::WriteSpread => {
            // Distinct app, ref and person each time (and each run): a new queue entry,
            // never a duplicate.
            let env = match kind {
                Kind::Write => "integration",
                _ => spread_env(i),
            };
            let text = format!("app{} lg{}x{i} to {env}", i % 500, run_id());
            slack.slash(&text, &format!("UW{i:07}")).send().await?
        }
        Kind::CiReport => {
            http.post(format!("{base}/api/v1/deployments"))
                .bearer_auth(crate::TOKEN)
                .json(&serde_json::json!({
                    "app": format!("app{}", i % 500),
                    "ref": format!("ci{}x{i}", run_id()),
                    "environment": spread_env(i),
                    "status": "succeeded",
                }))
                .send()
                .await?
        }
        Kind::ApiStatus => http.get(format!("{base}/api/v1/status")).send().await?,
        Kind::DeployCheck => {
            http.get(format!(
                "{base}/api/v1/deploy-check?app=app{}&environment=staging",
                i % 500
            ))
            .send()
            .await?
        }
        Kind::Dashboard => http.get(format!("{base}/")).send().await?,
    };
    let status = r.status().as_u16();
    let body = r.text().await?;
    let took = t0.elapsed();
    // A write that neither queued nor started was refused (badger answers those 200 too);
    // the API refuses with 423. An answer that came late (Slack would get it later as an
    // ephemeral) counts as refused here: the person was not told in time.
    let refused = match kind {
        Kind::Write | Kind::WriteSpread => {
            !(body.contains("in line") || body.contains("You're deploying"))
        }
        Kind::CiReport | Kind::DeployCheck => status == 423,
        _ => false,
    };
    Ok(Answer {
        status,
        took,
        refused,
    })
}

/// What one request got back.
pub struct Answer {
    pub status: u16,
    pub took: Duration,
    pub refused: bool,
}

/// The environment of request `i` for the kinds spread over [`crate::RUN_ENVS`]: 500 apps
/// and 3 environments share no factor, so 1,500 requests cover every app in every one.
fn spread_env(i: u64) -> &'static str {
    crate::RUN_ENVS[i as usize % crate::RUN_ENVS.len()]
}

/// Tells this process's writes from an earlier run's against the same database.
fn run_id() -> u64 {
    static ID: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

/// The deployment id in a reply such as "Queued ... (#42): ...".
pub fn deployment_id(text: &str) -> Option<i64> {
    let rest = text.split("(#").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Requests signed as Slack signs them, to badger at `base`, stamped `now`.
pub struct AsSlack<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl AsSlack<'_> {
    /// A button press as Slack reports it (block_actions).
    pub fn press(&self, user: &str, action_id: &str, value: &str) -> reqwest::RequestBuilder {
        let payload = serde_json::json!({
            "type": "block_actions",
            "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": crate::CHANNEL, "is_ephemeral": false},
            "trigger_id": "1.2.3",
            "team": {"id": "T1", "domain": "loadgen"},
            "channel": {"id": crate::CHANNEL, "name": "deploy"},
            "message": {"type": "message", "ts": "1700000000.000100"},
            "response_url": "https://hooks.slack.invalid/actions/1",
            "actions": [{"action_id": action_id, "block_id": "b1", "text": {"type": "plain_text", "text": "x"}, "value": value, "type": "button", "action_ts": "1700000001.000000"}]
        });
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish();
        self.signed("/slack/interactions", body)
    }

    /// Presses `action_id` on deployment `id` as `user`: whether badger answered 200.
    pub async fn press_ok(
        &self,
        user: &str,
        action_id: &str,
        id: i64,
    ) -> Result<bool, reqwest::Error> {
        let answer = self.press(user, action_id, &id.to_string()).send().await?;
        Ok(answer.status() == 200)
    }

    /// A slash command.
    pub fn slash(&self, text: &str, user: &str) -> reqwest::RequestBuilder {
        let body = format!(
            "command=%2Fdeploy&text={}&user_id={user}&channel_id=C0DEPLOY&team_id=T1",
            form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        );
        self.signed("/slack/commands", body)
    }

    fn signed(&self, path: &str, body: String) -> reqwest::RequestBuilder {
        let ts = self.now.timestamp().to_string();
        let sig = badger::slack::verify::sign(crate::SECRET, &ts, body.as_bytes());
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", sig)
            .body(body)
    }
}

/// Sorted latencies with percentiles.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut v: Vec<Duration>) -> Self {
        v.sort();
        Latencies(v)
    }

    /// The p-th percentile (nearest rank), in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.0.len() as f64 * p).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1].as_secs_f64() * 1e3
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn max_ms(&self) -> f64 {
        self.ms(1.0)
    }

    /// The table cells p50, p90, p99 and max (ms), then p50 and p99 over `base`'s.
    pub fn cells_against(&self, base: &Latencies) -> String {
        format!(
            "{:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1}",
            self.ms(0.5),
            self.ms(0.9),
            self.ms(0.99),
            self.max_ms(),
            self.ms(0.5) / base.ms(0.5),
            self.ms(0.99) / base.ms(0.99),
        )
    }
}
