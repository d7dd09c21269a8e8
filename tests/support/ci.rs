//! The CI API as a pipeline calls it: bearer-token JSON writes and plain GETs.

use super::driver::{TestApp, API_TOKEN};
use serde_json::Value;

pub struct Answer {
    pub status: u16,
    pub json: Value,
}

impl Answer {
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
    /// The refusal codes of a 423 (deploy-check, or a refused `started`).
    pub fn codes(&self) -> Vec<String> {
        self.json["refusals"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `field` (a string) of each item of the answer's list `list`, in order. Panics where
    /// there is no such list, or an item without it.
    pub fn each(&self, list: &str, field: &str) -> Vec<&str> {
        let items = self.json[list]
            .as_array()
            .unwrap_or_else(|| panic!("no list {list} in {}", self.json));
        items
            .iter()
            .map(|item| {
                item[field]
                    .as_str()
                    .unwrap_or_else(|| panic!("no {field} in {item}"))
            })
            .collect()
    }
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, json }
}

/// POSTs a raw body with an optional `Authorization` header value.
pub async fn post(t: &TestApp, path: &str, auth: Option<&str>, body: &str) -> Answer {
    let mut req = t
        .http
        .post(format!("{}{path}", t.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    answer(req.send().await.unwrap()).await
}

pub fn bearer() -> String {
    format!("Bearer {API_TOKEN}")
}

/// A token of `BADGER_API_TOKENS` for whitehall alone, one for publisher and frontend, and
/// the variable that gives them (see `TestApp::stepped_with_tokens`).
pub const WHITEHALL_TOKEN: &str = "whitehall-token-0123456789abcdef";
pub const PUBLISHING_TOKEN: &str = "publishing-token-0123456789abcdef";
pub const SCOPED_TOKENS: &str = "whitehall=whitehall-token-0123456789abcdef, publisher+frontend=publishing-token-0123456789abcdef";

/// [`report`] with another bearer token.
pub async fn report_as(t: &TestApp, token: &str, body: Value) -> Answer {
    let auth = format!("Bearer {token}");
    post(t, "/api/v1/deployments", Some(&auth), &body.to_string()).await
}

/// [`event`] with another bearer token.
pub async fn event_as(t: &TestApp, token: &str, id: i64, body: Value) -> Answer {
    let path = format!("/api/v1/deployments/{id}/events");
    post(
        t,
        &path,
        Some(&format!("Bearer {token}")),
        &body.to_string(),
    )
    .await
}

pub async fn report(t: &TestApp, body: Value) -> Answer {
    post(t, "/api/v1/deployments", Some(&bearer()), &body.to_string()).await
}

pub async fn event(t: &TestApp, id: i64, body: Value) -> Answer {
    post(
        t,
        &format!("/api/v1/deployments/{id}/events"),
        Some(&bearer()),
        &body.to_string(),
    )
    .await
}

pub async fn get(t: &TestApp, path: &str) -> Answer {
    answer(t.get(path).await).await
}
