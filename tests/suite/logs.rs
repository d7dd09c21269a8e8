//! `badger serve` as a process, in both log formats: each request and background job logs
//! in its own span with the command, user and deployment id (a CI call: its token's apps),
//! and neither the bot token, the signing secret, the API tokens nor the GitHub token ever
//! appears in the logs (checked at debug level, while badger uses them all).

use crate::support;

use std::process::Stdio;
use std::time::Duration;
use support::db::{Backend, TestDb};
use support::fake_github::FakeGithub;
use support::fake_slack::FakeSlack;

const BOT_TOKEN: &str = "xoxb-4242-never-log-this-bot-token";
const SIGNING_SECRET: &str = "never-log-this-signing-secret-0123";
const API_TOKEN: &str = "never-log-this-api-token-abcdef";
/// A `BADGER_API_TOKENS` token, for publisher only.
const SCOPED_TOKEN: &str = "never-log-this-scoped-token-0123";
const GITHUB_TOKEN: &str = "ghp_never-log-this-github-token";

struct Run {
    logs: String,
}

/// Serves with the three secrets set, drives a few requests, stops with SIGTERM and
/// returns everything the process wrote.
async fn run(format: &str) -> Run {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let slack = FakeSlack::start().await;
    let github = FakeGithub::start().await;
    github.add_repo("alphagov/whitehall", "main", &["deploy.yml"]);
    github.add_refs("alphagov/whitehall", &["r1"]);
    let policy = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        policy.path(),
        "channel = \"C0DEPLOY\"\n[github.repos]\nwhitehall = { repo = \"alphagov/whitehall\", trigger = true }\n",
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("serve")
        .env_clear()
        .env("RUST_LOG", "debug")
        .env("BADGER_LOG_FORMAT", format)
        .env("DATABASE_URL", &db.url)
        .env("BADGER_BIND", "127.0.0.1:0")
        .env("BADGER_CONFIG", policy.path())
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_API_URL", slack.url())
        .env("BADGER_API_TOKEN", API_TOKEN)
        .env("BADGER_API_TOKENS", format!("publisher={SCOPED_TOKEN}"))
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("GITHUB_API_URL", github.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut logs = String::new();
    let base = loop {
        let line = lines.next_line().await.unwrap().expect("listening line");
        logs.push_str(&line);
        logs.push('\n');
        if let Some(a) = line.strip_prefix("badger listening on ") {
            break a.trim().to_owned();
        }
    };
    // Read the rest as it comes: a child that logs more than a pipe holds (every query at
    // debug) would otherwise block on its next log line, and the requests below with it.
    let reader = tokio::spawn(async move {
        let mut rest = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = tokio::spawn(async move {
        let mut err = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut err)
            .await
            .unwrap();
        err
    });
    let http = reqwest::Client::new();
    let signed = |path: &str, body: String| {
        support::slack_forms::signed_form_now(&http, &format!("{base}{path}"), SIGNING_SECRET, body)
    };
    let ci_report = |token: &str, report: &serde_json::Value| {
        http.post(format!("{base}/api/v1/deployments"))
            .bearer_auth(token)
            .json(report)
            .send()
    };

    // A slash command, then the Done button on its start alert.
    let body =
        "command=%2Fdeploy&text=whitehall+r1+to+integration&user_id=U0ALICE&channel_id=C0DEPLOY";
    let r = signed("/slack/commands", body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        slack
            .wait_until(Duration::from_secs(15), |calls| calls
                .iter()
                .any(|c| c.method == "chat.postMessage"))
            .await,
        "the start alert reached Slack"
    );
    // badger used the GitHub token: the start dispatched the workflow with it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while github.dispatches().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dispatches = github.dispatches();
    assert_eq!(dispatches.len(), 1, "the start dispatched the workflow");
    assert_eq!(
        dispatches[0].authorization.as_deref(),
        Some(format!("Bearer {GITHUB_TOKEN}").as_str())
    );
    let form = support::slack_forms::press_form("U0ALICE", "deploy_done", "1");
    assert_eq!(
        signed("/slack/interactions", form)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A request with a wrong signature, as an attacker would send it.
    let r = http
        .post(format!("{base}/slack/commands"))
        .header(
            "x-slack-request-timestamp",
            chrono::Utc::now().timestamp().to_string(),
        )
        .header("x-slack-signature", "v0=00")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The CI API with the right and a wrong token.
    let report = serde_json::json!({"app": "publisher", "ref": "r2", "environment": "integration", "status": "started"});
    let r = ci_report(API_TOKEN, &report).await.unwrap();
    assert!(
        r.status().is_success() || r.status() == 423,
        "{}",
        r.status()
    );
    let r = ci_report(&format!("{API_TOKEN}-wrong"), &report)
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The scoped token, for an app not its own: refused, its apps logged.
    let other = serde_json::json!({"app": "frontend", "ref": "f1", "environment": "integration", "status": "failed"});
    let r = ci_report(SCOPED_TOKEN, &other).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        slack
            .wait_until(Duration::from_secs(15), |calls| calls
                .iter()
                .any(
                    |c| c.method == "chat.postMessage" && c.body.to_string().contains("succeeded")
                ))
            .await,
        "the end alert reached Slack"
    );
    // badger used the bot token: the fake saw it.
    assert!(slack
        .calls()
        .iter()
        .all(|c| c.token.as_deref() == Some(BOT_TOKEN)));

    let pid = child.id().expect("pid").to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    logs.push_str(&reader.await.expect("the log reader"));
    logs.push_str(&err_reader.await.expect("the stderr reader"));
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits")
        .unwrap();
    assert!(status.success(), "{status:?}\n{logs}");
    Run { logs }
}

fn assert_no_secrets(logs: &str) {
    for secret in [
        BOT_TOKEN,
        SIGNING_SECRET,
        API_TOKEN,
        SCOPED_TOKEN,
        GITHUB_TOKEN,
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} appears in the logs:\n{logs}"
        );
    }
    // Nor a recognisable piece of one.
    assert!(!logs.contains("never-log-this"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_logs_have_request_spans_and_no_secrets() {
    let Run { logs } = run("text").await;
    assert_no_secrets(&logs);
    // The request span's fields appear on the line logged as it closes.
    let command = logs
        .lines()
        .find(|l| {
            l.contains("request{") && l.contains("path=/slack/commands") && l.contains("status=200")
        })
        .unwrap_or_else(|| panic!("no request span for the command:\n{logs}"));
    assert!(
        command.contains("command=\"/deploy whitehall\""),
        "{command}"
    );
    assert!(command.contains("user=\"U0ALICE\""), "{command}");
    assert!(command.contains("deployment=1"), "{command}");
    let press = logs
        .lines()
        .find(|l| l.contains("action=\"deploy_done\""))
        .unwrap_or_else(|| panic!("no span for the button press:\n{logs}"));
    assert!(
        press.contains("deployment=1") && press.contains("user=\"U0ALICE\""),
        "{press}"
    );
    assert!(
        logs.lines().any(|l| l.contains("job{job=\"outbox_delivery\"") || l.contains("job=outbox_delivery")),
        "no outbox delivery span:\n{logs}"
    );
    assert!(
        logs.contains("scheduler_tick"),
        "no scheduler span:\n{logs}"
    );
    // A CI call's span says which token's apps it was, never the token.
    let ci = |scope: &str, status: &str| {
        logs.lines().any(|l| {
            l.contains("path=/api/v1/deployments")
                && l.contains(&format!("ci_scope=\"{scope}\""))
                && l.contains(&format!("status={status}"))
        })
    };
    assert!(
        ci("publisher", "403"),
        "no span for the scoped call:\n{logs}"
    );
    assert!(ci("all", ""), "no span for the all-apps call:\n{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_json_lines_with_spans_and_no_secrets() {
    let Run { logs } = run("json").await;
    assert_no_secrets(&logs);
    let mut spans = Vec::new();
    for line in logs.lines() {
        if line.starts_with("badger listening on ") {
            continue; // The start-up line for people and tests, on stdout.
        }
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
        if v["span"].is_object() {
            spans.push(v["span"].clone());
        }
    }
    let command = spans
        .iter()
        .find(|s| s["path"] == "/slack/commands" && s["status"] == 200)
        .unwrap_or_else(|| panic!("no request span for the command:\n{logs}"));
    assert_eq!(command["user"], "U0ALICE");
    assert_eq!(command["deployment"], 1);
    assert_eq!(command["command"], "/deploy whitehall");
    assert!(spans
        .iter()
        .any(|s| s["action"] == "deploy_done" && s["deployment"] == 1));
    assert!(spans.iter().any(|s| s["job"] == "outbox_delivery"));
    assert!(spans.iter().any(|s| s["path"] == "/api/v1/deployments"));
    assert!(spans
        .iter()
        .any(|s| s["ci_scope"] == "publisher" && s["status"] == 403));
    assert!(spans.iter().any(|s| s["ci_scope"] == "all"));
}

#[test]
fn an_unknown_log_format_stops_start_up_naming_the_variable() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("serve")
        .env_clear()
        .env("BADGER_LOG_FORMAT", "xml")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BADGER_LOG_FORMAT") && err.contains("`xml`"),
        "{err}"
    );
}

/// Local mode says at start where its console is: the address badger listens on, or
/// loopback when it listens on every interface (the console serves loopback only).
#[tokio::test]
async fn local_mode_says_where_the_console_is() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let db = TestDb::fresh(Backend::Sqlite).await;
    for bind in ["127.0.0.1:0", "0.0.0.0:0"] {
        let cwd = tempfile::tempdir().unwrap();
        let mut child = support::serve::serve_command(&db.url)
            .env("RUST_LOG", "info")
            .env("BADGER_BIND", bind)
            .current_dir(cwd.path())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut before = Vec::new();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(base) = line.strip_prefix("badger listening on ") {
                    return base.trim().to_owned();
                }
                before.push(line);
            }
            panic!("badger stopped before listening");
        })
        .await
        .expect("listens");
        let port = base.rsplit(':').next().unwrap();
        let console = format!("open the console at http://127.0.0.1:{port}/");
        assert!(
            before.iter().any(|l| l.contains(&console)),
            "{bind}: {before:?}"
        );
        child.kill().await.unwrap();
    }
}
