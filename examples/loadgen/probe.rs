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
    let r = match kind {
        Kind::Status => slash(http, base, now, "status", "ULOADGEN").send().await?,
        Kind::Versions => {
            slash(http, base, now, "versions", "ULOADGEN")
                .send()
                .await?
        }
        Kind::Write => {
            // Distinct app, ref and person each time (and each run): a new queue entry,
            // never a duplicate.
            let text = format!("app{} lg{}x{i} to integration", i % 500, run_id());
            slash(http, base, now, &text, &format!("UW{i:07}"))
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
    // A write that neither queued nor started was refused (badger answers those 200 too).
    let refused =
        kind == Kind::Write && !(body.contains("in line") || body.contains("You're deploying"));
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

/// A slash command signed as Slack signs it.
fn slash(
    http: &reqwest::Client,
    base: &str,
    now: chrono::DateTime<chrono::Utc>,
    text: &str,
    user: &str,
) -> reqwest::RequestBuilder {
    let body = format!(
        "command=%2Fdeploy&text={}&user_id={user}&channel_id=C0DEPLOY&team_id=T1",
        form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    );
    let ts = now.timestamp().to_string();
    let sig = badger::slack::verify::sign(crate::SECRET, &ts, body.as_bytes());
    http.post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", sig)
        .body(body)
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

    pub fn max_ms(&self) -> f64 {
        self.ms(1.0)
    }
}
