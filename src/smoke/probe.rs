//! One smoke request, and the retries around it: GET the URL, follow a few redirects, pass
//! on a 2xx. Every request is bounded by the environment's `smoke_timeout_secs`.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// Redirects followed before giving up (like reqwest's bound, but smaller).
const MAX_REDIRECTS: usize = 5;

/// How one URL answered in the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub pass: bool,
    /// The last HTTP status seen; none if nothing answered.
    pub status: Option<u16>,
    pub detail: String,
    pub attempts: u32,
}

/// The HTTP clients smoke checks use: plain, and TLS when the system's roots load.
pub struct Probe {
    plain: Client<HttpConnector, Body>,
    tls: Option<Client<HttpsConnector<HttpConnector>, Body>>,
}

impl Probe {
    pub fn new() -> Probe {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        let tls = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
            Ok(b) => Some(
                Client::builder(TokioExecutor::new())
                    .build(b.https_or_http().enable_http1().wrap_connector(tcp.clone())),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "no TLS roots: https smoke URLs will fail");
                None
            }
        };
        Probe {
            plain: Client::builder(TokioExecutor::new()).build(tcp),
            tls,
        }
    }

    /// Up to `attempts` tries, `spacing` apart (the app may still be restarting); stops at
    /// the first pass.
    pub async fn check(
        &self,
        url: &str,
        timeout: Duration,
        attempts: u32,
        spacing: Duration,
    ) -> Answer {
        let attempts = attempts.max(1);
        let mut last = Answer {
            pass: false,
            status: None,
            detail: String::new(),
            attempts: 0,
        };
        for n in 1..=attempts {
            if n > 1 {
                tokio::time::sleep(spacing).await;
            }
            let (status, detail) = match tokio::time::timeout(timeout, self.follow(url)).await {
                Ok(Ok(status)) => (Some(status.as_u16()), format!("HTTP {}", status.as_u16())),
                Ok(Err(e)) => (None, e),
                Err(_) => (
                    None,
                    format!("no answer within {} s", timeout.as_secs_f32()),
                ),
            };
            let pass = status.is_some_and(|s| (200..300).contains(&s));
            last = Answer {
                pass,
                status,
                detail,
                attempts: n,
            };
            if pass {
                break;
            }
        }
        last
    }

    /// GETs `url`, following redirects; the final status.
    async fn follow(&self, url: &str) -> Result<StatusCode, String> {
        let mut current = url::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
        for _ in 0..=MAX_REDIRECTS {
            let req = Request::get(current.as_str())
                .header(header::USER_AGENT, "badger-smoke-check")
                .body(Body::empty())
                .map_err(|e| format!("bad request: {e}"))?;
            let response = match current.scheme() {
                "http" => self.plain.request(req).await,
                "https" => match &self.tls {
                    Some(c) => c.request(req).await,
                    None => return Err("https is unavailable (no TLS roots)".into()),
                },
                other => return Err(format!("{other}:// is not http or https")),
            }
            .map_err(|e| format!("request failed: {}", error_chain(&e)))?;
            let status = response.status();
            if !status.is_redirection() {
                return Ok(status);
            }
            let Some(next) = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| current.join(l).ok())
            else {
                return Ok(status);
            };
            current = next;
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }
}

impl Default for Probe {
    fn default() -> Self {
        Probe::new()
    }
}

/// The error and its causes, as "connection refused" rather than "client error".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
