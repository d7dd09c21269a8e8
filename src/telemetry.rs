//! Logging, set up in one place: human text by default, JSON lines with
//! `BADGER_LOG_FORMAT=json`; `RUST_LOG` overrides the default level. One span per request
//! (opened by [`trace_request`]) and per background job, so every line a request or job
//! logs carries its command, user and deployment id where known. Secrets are never fields:
//! spans hold ids and names only, never headers or bodies.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::field::Empty;
use tracing::{Instrument, Span};
use tracing_subscriber::fmt::format::FmtSpan;

/// `BADGER_LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// Unset or empty: text. Err names the variable and the values it takes.
    pub fn parse(value: Option<&str>) -> Result<LogFormat, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(LogFormat::Text),
            Some(v) if v.eq_ignore_ascii_case("text") => Ok(LogFormat::Text),
            Some(v) if v.eq_ignore_ascii_case("json") => Ok(LogFormat::Json),
            Some(v) => Err(format!(
                "environment variable BADGER_LOG_FORMAT: `{}` is not a log format: use `text` (the default) or `json`",
                v.chars().take(40).collect::<String>()
            )),
        }
    }
}

/// Reads `BADGER_LOG_FORMAT` and `RUST_LOG` and installs the subscriber.
pub fn init() -> Result<(), String> {
    let format = LogFormat::parse(std::env::var("BADGER_LOG_FORMAT").ok().as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn"));
    // A line when each request or job span closes, with its fields and timing.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => {
            // Colour only for a person at a terminal, not in log files and collectors.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
            builder.with_ansi(ansi).try_init()
        }
    };
    Ok(())
}

/// The span of one HTTP request. Handlers fill in what they learn with [`record`].
/// Probes are logged at debug level, so a load balancer's polling stays out of the logs.
pub async fn trace_request(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().as_str().to_owned();
    let span = if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") {
        tracing::debug_span!("request", %method, %path, status = Empty)
    } else {
        tracing::info_span!(
            "request",
            %method,
            %path,
            command = Empty,
            action = Empty,
            event = Empty,
            user = Empty,
            deployment = Empty,
            hold = Empty,
            ci_scope = Empty,
            status = Empty
        )
    };
    async move {
        let response = next.run(req).await;
        Span::current().record("status", response.status().as_u16());
        response
    }
    .instrument(span)
    .await
}

/// Adds a field to the current request or job span (a no-op for fields it lacks).
pub fn record(field: &str, value: &str) {
    Span::current().record(field, value);
}

/// Adds the deployment id to the current span.
pub fn record_deployment(id: i64) {
    Span::current().record("deployment", id);
}

/// The span of one scheduler pass (turn timeouts, window closing, reminders).
pub fn tick_span() -> Span {
    tracing::debug_span!("job", job = "scheduler_tick", deployment = Empty)
}

/// The span of one outbox delivery. Message keys name the record a message belongs to
/// (`start:12`, `turn:12`, `hold:3`), which gives the deployment or hold id.
pub fn delivery_span(row: &crate::store::OutboxRow) -> Span {
    use crate::store::Payload;
    let span = tracing::info_span!(
        "job",
        job = "outbox_delivery",
        outbox_id = row.id,
        kind = row.payload.kind(),
        attempt = row.attempts + 1,
        deployment = Empty,
        hold = Empty
    );
    let key = match &row.payload {
        Payload::Post { key: Some(k), .. } | Payload::Update { key: k, .. } => k.as_str(),
        _ => "",
    };
    if let Some((prefix, id)) = key.split_once(':') {
        if let Ok(id) = id.parse::<i64>() {
            match prefix {
                "start" | "turn" => {
                    span.record("deployment", id);
                }
                "hold" => {
                    span.record("hold", id);
                }
                _ => {}
            }
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_values() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" JSON ")), Ok(LogFormat::Json));
        let e = LogFormat::parse(Some("yaml")).unwrap_err();
        assert!(
            e.contains("BADGER_LOG_FORMAT") && e.contains("`yaml`"),
            "{e}"
        );
    }
}
