//! A local HTTP server for smoke checks to request (axum on port 0), scripted per path:
//! `/flaky/...` fails its first request (503) then passes, `/ok/...` passes, `/moved/...`
//! redirects to `/ok/...`, `/hang/...` never answers, `/gate/...` waits until the test
//! opens the gate and then answers the gate's status.

use super::db::Backend;
use super::driver::TestApp;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

#[derive(Default)]
struct Seen {
    /// Every request's path and query, in arrival order.
    uris: Vec<String>,
}

#[derive(Clone)]
pub struct SmokeServer {
    pub base: String,
    seen: Arc<Mutex<Seen>>,
    gate: Arc<watch::Sender<Option<u16>>>,
}

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Seen>>,
    gate: watch::Receiver<Option<u16>>,
}

async fn handle(State(s): State<Shared>, req: Request) -> Response {
    let uri = req.uri().to_string();
    let path = req.uri().path().to_owned();
    let earlier = {
        let mut seen = s.seen.lock().unwrap();
        let earlier = seen.uris.iter().filter(|u| u.starts_with(&path)).count();
        seen.uris.push(uri.clone());
        earlier
    };
    if path.starts_with("/flaky/") {
        if earlier == 0 {
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        } else {
            "ok".into_response()
        }
    } else if path.starts_with("/ok/") {
        "ok".into_response()
    } else if let Some(rest) = path.strip_prefix("/moved/") {
        Redirect::temporary(&format!("/ok/{rest}")).into_response()
    } else if path.starts_with("/hang/") {
        std::future::pending::<()>().await;
        unreachable!()
    } else if path.starts_with("/gate/") {
        let mut gate = s.gate.clone();
        let status = *gate.wait_for(Option::is_some).await.expect("gate kept");
        StatusCode::from_u16(status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

impl SmokeServer {
    pub async fn start() -> SmokeServer {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (gate, gate_rx) = watch::channel(None);
        let app = Router::new().fallback(handle).with_state(Shared {
            seen: seen.clone(),
            gate: gate_rx,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SmokeServer {
            base,
            seen,
            gate: Arc::new(gate),
        }
    }

    /// Requests received so far whose path starts with `prefix`, as path and query.
    pub fn requests(&self, prefix: &str) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.uris
            .iter()
            .filter(|u| u.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Lets `/gate/...` requests (waiting and later) answer `status`.
    pub fn open_gate(&self, status: u16) {
        let _ = self.gate.send(Some(status));
    }

    /// Waits (up to 15 s) until `n` requests under `prefix` have arrived.
    pub async fn wait_for_requests(&self, prefix: &str, n: usize) -> bool {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            if self.requests(prefix).len() >= n {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    }
}

/// A policy whose integration environment smoke-checks `urls` (templates) with `timeout`.
pub fn policy_with_smoke(urls: &[String], timeout_secs: u64) -> String {
    let list: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
    format!(
        "channel = \"C0DEPLOY\"\nadmins = [\"U0ADMIN\"]\n\n[[environments]]\nname = \"integration\"\nwindow = \"always\"\nsmoke_urls = [{}]\nsmoke_timeout_secs = {timeout_secs}\n\n[[environments]]\nname = \"staging\"\n",
        list.join(", ")
    )
}

/// Starts badger with integration smoke-checking `paths` (templates) on `server`.
pub async fn start(
    backend: Backend,
    server: &SmokeServer,
    paths: &[&str],
    timeout: u64,
) -> TestApp {
    let urls: Vec<String> = paths
        .iter()
        .map(|p| format!("{}{p}", server.base))
        .collect();
    TestApp::start_with(backend, &policy_with_smoke(&urls, timeout)).await
}

/// `user` deploys `git_ref` of whitehall to integration; returns the deployment id.
pub async fn deploy_started(t: &TestApp, user: &str, git_ref: &str) -> i64 {
    deploy_started_in(t, user, git_ref, "integration").await
}

/// `user` deploys `git_ref` of whitehall to `env` and is told to start; the deployment id.
pub async fn deploy_started_in(t: &TestApp, user: &str, git_ref: &str, env: &str) -> i64 {
    let r = t
        .deploy(user, &format!("whitehall {git_ref} to {env}"))
        .await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let start = t.wait_for_message(&format!("`{git_ref}` to *{env}*")).await;
    TestApp::button_value(&start, "deploy_done")
        .expect("Done button")
        .parse()
        .expect("id")
}

/// The policy most tests use (GOV.UK's three environments, as `badger.example.toml` has
/// them) with smoke URLs (full URLs, templates) in integration and staging.
pub fn govuk_policy_with_smoke(integration: &[String], staging: &[String]) -> String {
    let env = |name: &str, window: &str, previous: bool, urls: &[String]| {
        let list: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
        format!(
            "\n[[environments]]\nname = \"{name}\"\nwindow = \"{window}\"\nrequires_previous = {previous}\nsmoke_urls = [{}]\n",
            list.join(", ")
        )
    };
    [
        super::driver::POLICY.to_owned(),
        env("integration", "always", false, integration),
        env("staging", "office-hours", true, staging),
        env("production", "office-hours", true, &[]),
    ]
    .concat()
}

/// Waits (up to 15 s) until no smoke check is waiting or running.
pub async fn wait_for_smoke_checks(t: &TestApp) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        if t.core().store.smoke_pending().await.expect("smoke_pending") == 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}
