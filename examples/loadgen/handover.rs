//! Hand-over: the time from a Done press to the next person's "it's your turn" call
//! reaching the fake Slack, walking one queue in [`crate::HANDOVER_ENV`] person by person.

use crate::fake_slack::FakeSlack;
use crate::probe::{self, Latencies};
use serde_json::Value;
use std::time::{Duration, Instant};

/// What the walk measured.
pub struct Walk {
    pub lat: Latencies,
    /// Presses answered with anything but 200.
    pub non_2xx: u64,
    /// Hand-overs whose your-turn call never came (within 30 s) or requests that failed.
    pub errors: u64,
}

/// Queues `n + 1` people in the hand-over environment (the first starts), then for each:
/// Done, wait for the next one's your-turn call at the fake Slack, Start. The last one
/// finishes too, so the environment is free again afterwards.
pub async fn walk(
    http: &reqwest::Client,
    base: &str,
    slack: &FakeSlack,
    now: impl Fn() -> chrono::DateTime<chrono::Utc>,
    n: u64,
    tag: &str,
) -> anyhow::Result<Walk> {
    let env = crate::HANDOVER_ENV;
    let mut people: Vec<(String, i64)> = Vec::new();
    for k in 0..=n {
        let user = format!("UH{tag}{k:05}");
        let text = format!("app{} ho{tag}x{k} to {env}", k % 500);
        let reply = as_slack(http, base, &now)
            .slash(&text, &user)
            .send()
            .await?
            .text()
            .await?;
        // The first starts at once; everyone after queues behind, in this order.
        let as_expected = if k == 0 {
            reply.contains("You're deploying")
        } else {
            reply.contains("in line")
        };
        let id = probe::deployment_id(&reply).filter(|_| as_expected);
        let Some(id) = id else {
            anyhow::bail!(
                "{env} is not free or refused the walk's /deploy (use a fresh database): {reply}"
            );
        };
        people.push((user, id));
    }
    let (mut lat, mut non_2xx, mut errors) = (Vec::new(), 0, 0);
    for k in 0..n as usize {
        let (user, id) = &people[k];
        let (next_user, next_id) = &people[k + 1];
        let t0 = Instant::now();
        let badger = as_slack(http, base, &now);
        if !badger.press_ok(user, "deploy_done", *id).await? {
            non_2xx += 1;
        }
        match your_turn(slack, *next_id, Duration::from_secs(30)).await {
            Some(at) => lat.push(at.saturating_duration_since(t0)),
            None => errors += 1,
        }
        // A stuck outbox would make every hand-over wait its full limit: stop early.
        if errors >= 3 {
            break;
        }
        // Keeps the next scan short; what was recorded is read already.
        slack.clear_calls();
        let badger = as_slack(http, base, &now);
        if !badger.press_ok(next_user, "deploy_start", *next_id).await? {
            non_2xx += 1;
        }
    }
    if let Some((user, id)) = people.last() {
        as_slack(http, base, &now)
            .press_ok(user, "deploy_done", *id)
            .await?;
    }
    Ok(Walk {
        lat: Latencies::new(lat),
        non_2xx,
        errors,
    })
}

/// Slack's requests to badger, stamped with the clock's time now.
fn as_slack<'a>(
    http: &'a reqwest::Client,
    base: &'a str,
    now: &impl Fn() -> chrono::DateTime<chrono::Utc>,
) -> probe::AsSlack<'a> {
    probe::AsSlack {
        http,
        base,
        now: now(),
    }
}

/// When the fake Slack answered the `chat.postMessage` carrying a Start button for
/// deployment `id` (the your-turn call), polled every millisecond; None past `limit`.
async fn your_turn(slack: &FakeSlack, id: i64, limit: Duration) -> Option<Instant> {
    let value = Value::String(id.to_string());
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let calls = slack.calls_to("chat.postMessage");
        if let Some(c) = calls
            .iter()
            .find(|c| c.ok && has_button(&c.body, "deploy_start", &value))
        {
            return Some(c.at);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

/// Whether some object inside `v` is a button `action_id` with `value` (the blocks may be
/// nested at any depth, or sent as a JSON string).
fn has_button(v: &Value, action_id: &str, value: &Value) -> bool {
    match v {
        Value::Object(m) => {
            (m.get("action_id").and_then(Value::as_str) == Some(action_id)
                && m.get("value") == Some(value))
                || m.values().any(|x| has_button(x, action_id, value))
        }
        Value::Array(a) => a.iter().any(|x| has_button(x, action_id, value)),
        Value::String(s) if s.starts_with('[') || s.starts_with('{') => {
            serde_json::from_str::<Value>(s).is_ok_and(|x| has_button(&x, action_id, value))
        }
        _ => false,
    }
}
