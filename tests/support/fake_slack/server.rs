//! The HTTP side: starting the server, its connections (one task each, so one can be
//! reset), the request handler (pauses, faults, token check, recording) and parameters.

use super::*;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Map;

use super::faults::Fault;
use super::methods::dispatch;

impl FakeSlack {
    /// Serves on 127.0.0.1:0 and returns once the socket is listening.
    pub async fn start() -> FakeSlack {
        let state = Arc::new(Mutex::new(FakeState {
            random_retry_after_secs: 1,
            ..FakeState::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake slack: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake slack: local_addr");
        let app = Router::new().fallback(handle).with_state(state.clone());
        let task = tokio::spawn(serve(listener, app));
        FakeSlack {
            state,
            server: Arc::new(ServerGuard(task.abort_handle())),
            base_url: format!("http://{addr}/api"),
        }
    }
}

/// What the fake answers: status, extra headers, JSON body.
pub(super) struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    pub(super) fn ok(mut fields: Value) -> Answer {
        if let Value::Object(map) = &mut fields {
            map.insert("ok".into(), Value::Bool(true));
        }
        Answer {
            status: StatusCode::OK,
            retry_after: None,
            body: fields,
        }
    }

    pub(super) fn error(code: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            retry_after: None,
            body: json!({ "ok": false, "error": code }),
        }
    }

    fn from_failure(failure: Failure) -> Answer {
        match failure {
            Failure::RateLimited { retry_after_secs } => Answer {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(retry_after_secs),
                body: json!({ "ok": false, "error": "ratelimited" }),
            },
            Failure::ServerError => Answer {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                body: json!({ "ok": false, "error": "internal_error" }),
            },
            Failure::SlackError(code) => Answer::error(code),
            // Never answered (see `handle`); a 500 if it ever were.
            Failure::Reset => Answer {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                body: json!({ "ok": false, "error": "reset" }),
            },
        }
    }
}

/// Serves connections one task each, so a [`Failure::Reset`] can drop its own
/// connection; `SO_LINGER` 0 makes that drop an RST rather than a FIN.
async fn serve(listener: tokio::net::TcpListener, app: Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        #[allow(deprecated)] // linger 0 closes at once: nothing to block on
        let _ = stream.set_linger(Some(Duration::ZERO));
        let reset = Arc::new(tokio::sync::Notify::new());
        let app = app.clone().layer(axum::Extension(Resetter(reset.clone())));
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper_util::service::TowerToHyperService::new(app);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let conn = builder.serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = reset.notified() => {}
            }
        });
    }
}

/// Drops the connection a request came on.
#[derive(Clone)]
struct Resetter(Arc<tokio::sync::Notify>);

/// Counts a call as in flight while it lives (also when the client gives up on it).
struct InFlight(Arc<Mutex<FakeState>>, bool);

impl InFlight {
    fn new(state: &Arc<Mutex<FakeState>>) -> InFlight {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        InFlight(state.clone(), false)
    }
    fn hang(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).hanging += 1;
        self.1 = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        st.in_flight -= 1;
        if self.1 {
            st.hanging -= 1;
        }
    }
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    axum::Extension(resetter): axum::Extension<Resetter>,
    http_method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let method = path
        .strip_prefix("/api")
        .unwrap_or(&path)
        .trim_matches('/')
        .to_string();
    let body = request_params(&uri, &headers, &bytes);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());

    let mut gate = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let gate = st.paused.subscribe();
        if gate.borrow().contains(&method) {
            st.waiting += 1;
            Some(gate)
        } else {
            None
        }
    };
    if let Some(gate) = gate.as_mut() {
        let _ = gate.wait_for(|p| !p.contains(&method)).await;
        state.lock().unwrap_or_else(|e| e.into_inner()).waiting -= 1;
    }

    let mut in_flight = InFlight::new(&state);
    let fault = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .standing_fault(&method, &body);
    let unanswered = || Call {
        method: method.clone(),
        body: body.clone(),
        token: token.clone(),
        answered: 0,
        ok: false,
        http_method: http_method.to_string(),
        path: path.clone(),
        at: std::time::Instant::now(),
    };
    match fault {
        Some(Fault::Hang) => {
            {
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                let call = unanswered();
                st.calls.push(call);
            }
            in_flight.hang();
            std::future::pending::<()>().await;
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }

    let answer = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let answer = match st.injected_failure(&method) {
            Some(Failure::Reset) => None,
            Some(failure) => Some(Answer::from_failure(failure)),
            // Socket Mode takes the app-level token, and only that.
            None if method == "apps.connections.open" => {
                Some(match (token.as_deref(), &st.socket_url) {
                    (Some(t), Some(url)) if t.starts_with("xapp-") => {
                        Answer::ok(json!({ "url": url }))
                    }
                    (Some(t), None) if t.starts_with("xapp-") => Answer::error("invalid_auth"),
                    (Some(t), _) if t.starts_with("xoxb-") => {
                        Answer::error("not_allowed_token_type")
                    }
                    _ => Answer::error("not_authed"),
                })
            }
            None if !token.as_deref().is_some_and(|t| t.starts_with("xoxb-")) => {
                Some(Answer::error("not_authed"))
            }
            None => Some(dispatch(&mut st, &method, &body)),
        };
        st.calls.push(Call {
            method,
            body,
            token,
            answered: answer.as_ref().map_or(0, |a| a.status.as_u16()),
            ok: answer
                .as_ref()
                .is_some_and(|a| a.body["ok"] == Value::Bool(true)),
            http_method: http_method.to_string(),
            path,
            at: std::time::Instant::now(),
        });
        answer
    };
    drop(in_flight);
    let Some(answer) = answer else {
        // Reset: drop the connection without a word.
        resetter.0.notify_one();
        return std::future::pending().await;
    };

    let mut response = (
        answer.status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        answer.body.to_string(),
    )
        .into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.to_string().parse().unwrap());
    }
    response
}

/// The request's parameters as one JSON value: the JSON body, or the form
/// fields, with the query parameters merged in.
fn request_params(uri: &Uri, headers: &HeaderMap, bytes: &Bytes) -> Value {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut body = if bytes.is_empty() {
        Value::Object(Map::new())
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        form_to_json(bytes)
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    };
    if let (Some(query), Value::Object(map)) = (uri.query(), &mut body) {
        if let Value::Object(params) = form_to_json(query.as_bytes()) {
            for (k, v) in params {
                map.entry(k).or_insert(v);
            }
        }
    }
    body
}

fn form_to_json(bytes: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}
