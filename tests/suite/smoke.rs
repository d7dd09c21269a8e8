//! Smoke checks after a deployment succeeds: requested in the background against a local
//! HTTP server, reported in the end alert's thread, stored, counted; bad policy refused.

use crate::support;

use badger::config::Policy;
use serde_json::{json, Value};
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};
use support::fake_slack::Failure;
use support::people::{ALICE, BOB};
use support::smoke_server::{deploy_started, start, SmokeServer};

/// A smoke server, and badger smoke-checking `paths` on it after integration deploys.
async fn checking(backend: Backend, paths: &[&str], timeout: u64) -> (SmokeServer, TestApp) {
    let server = SmokeServer::start().await;
    let t = start(backend, &server, paths, timeout).await;
    (server, t)
}

/// The channel message containing `needle`, waited for, and the end alert it threads under.
async fn report_and_parent(t: &TestApp, needle: &str) -> (Value, Value) {
    let report = t.wait_for_message(needle).await;
    let parent = t
        .slack
        .messages(CHANNEL)
        .into_iter()
        .find(|m| m["text"].as_str().unwrap_or("").contains(" succeeded"))
        .expect("the end alert");
    (report, parent)
}

/// `badger_smoke_checks_total` for integration's checks with `outcome`.
async fn smoke_checks(t: &TestApp, outcome: &str) -> Option<f64> {
    let key =
        format!("badger_smoke_checks_total{{environment=\"integration\",outcome=\"{outcome}\"}}");
    support::metrics::sample(&support::metrics::scrape(&t.http, &t.base).await, &key)
}

async fn flaky_url_passes_on_retry(backend: Backend) {
    let (server, t) = checking(backend, &["/flaky/{app}?ref={ref}"], 5).await;
    let id = deploy_started(&t, ALICE, "v1+build/2").await;
    let r = t.deploy(ALICE, "done").await;
    assert!(r.text().contains("succeeded"), "{}", r.text());

    let (report, parent) = report_and_parent(&t, "Smoke checks passed").await;
    assert_eq!(
        report["thread_ts"], parent["ts"],
        "reported in the end alert's thread"
    );
    let text = report["text"].as_str().unwrap();
    assert!(text.contains("1 of 1 answered 2xx"), "{text}");
    assert!(text.contains("HTTP 200 (2 tries)"), "{text}");
    // Substituted values are URL-encoded.
    let seen = server.requests("/flaky/");
    assert_eq!(seen, vec!["/flaky/whitehall?ref=v1%2Bbuild%2F2"; 2]);

    let stored = t.core().store.smoke_results(id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].outcome, "pass");
    assert_eq!(stored[0].status, Some(200));
    assert_eq!(stored[0].attempts, 2);
    assert_eq!(
        stored[0].url,
        format!("{}/flaky/whitehall?ref=v1%2Bbuild%2F2", server.base)
    );
    let batch = t
        .core()
        .store
        .smoke_results_for(&[id, id + 1000])
        .await
        .unwrap();
    assert_eq!(batch.get(&id), Some(&stored));
    assert!(!batch.contains_key(&(id + 1000)));

    let status = support::ci::get(&t, "/api/v1/status").await;
    assert_eq!(status.json["smoke_checks"][0]["deployment_id"], json!(id));
    assert_eq!(status.json["smoke_checks"][0]["outcome"], "pass");
    assert_eq!(status.json["smoke_checks"][0]["results"][0]["status"], 200);
    assert_eq!(smoke_checks(&t, "pass").await, Some(1.0));
    t.stop().await;
}
on_both_backends!(flaky_url_passes_on_retry);

async fn unanswered_url_fails_within_the_timeout(backend: Backend) {
    let (server, t) = checking(backend, &["/hang/{app}", "/moved/{app}"], 1).await;
    let id = deploy_started(&t, ALICE, "r1").await;
    t.deploy(ALICE, "done").await;

    let (report, parent) = report_and_parent(&t, "Smoke checks failed").await;
    assert_eq!(report["thread_ts"], parent["ts"]);
    let text = report["text"].as_str().unwrap();
    assert!(
        text.contains("<@U0ALICE>"),
        "the deployer is mentioned: {text}"
    );
    assert!(text.contains("1 of 2 did not answer 2xx"), "{text}");
    assert!(
        text.contains("/hang/whitehall: no answer within 1 s (3 tries)"),
        "{text}"
    );
    assert_eq!(server.requests("/hang/").len(), 3);

    let stored = t.core().store.smoke_results(id).await.unwrap();
    let outcomes: Vec<(&str, Option<i64>, i64)> = stored
        .iter()
        .map(|r| (r.outcome.as_str(), r.status, r.attempts))
        .collect();
    // The redirect was followed to a 200.
    assert_eq!(outcomes, vec![("fail", None, 3), ("pass", Some(200), 1)]);
    assert_eq!(smoke_checks(&t, "fail").await, Some(1.0));
    t.stop().await;
}
on_both_backends!(unanswered_url_fails_within_the_timeout);

/// While a smoke request is held open, the done reply has come and the next person has
/// been called: the check runs beside the queue, not in front of it.
async fn held_check_blocks_neither_replies_nor_queue(backend: Backend) {
    let (server, t) = checking(backend, &["/gate/{app}"], 300).await;
    deploy_started(&t, ALICE, "r1").await;
    let r = t.deploy(BOB, "publisher r2 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());

    let r = t.deploy(ALICE, "done").await;
    assert!(r.text().contains("succeeded"), "{}", r.text());
    assert!(
        server.wait_for_requests("/gate/", 1).await,
        "the check started"
    );
    t.wait_for_message("<@U0BOB> it's your turn").await;
    assert_eq!(
        t.core().store.smoke_pending().await.unwrap(),
        1,
        "still running"
    );

    server.open_gate(500);
    let (report, _) = report_and_parent(&t, "Smoke checks failed").await;
    assert!(report["text"]
        .as_str()
        .unwrap()
        .contains("HTTP 500 (3 tries)"));
    t.stop().await;
}
on_both_backends!(held_check_blocks_neither_replies_nor_queue);

/// A check cut short by a restart runs again after it, and is reported once.
async fn check_survives_a_restart(backend: Backend) {
    let (server, t) = checking(backend, &["/gate/{app}"], 300).await;
    // CI reports a success straight away: that path schedules the check too.
    let body = json!({"app": "whitehall", "ref": "r5", "environment": "integration", "status": "succeeded"});
    let id = support::ci_steps::reported(&t, body).await;
    assert!(
        server.wait_for_requests("/gate/", 1).await,
        "the check started"
    );

    let t = t.restart().await;
    assert!(
        server.wait_for_requests("/gate/", 2).await,
        "the check ran again"
    );
    server.open_gate(204);
    t.wait_for_message("Smoke checks passed").await;
    support::ci_steps::assert_said_times(&t, 1, |m| m.contains("Smoke checks")).await;
    let stored = t.core().store.smoke_results(id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, Some(204));
    assert_eq!(t.core().store.smoke_pending().await.unwrap(), 0);
    t.stop().await;
}
on_both_backends!(check_survives_a_restart);

/// If the end alert never reached Slack, the report is posted in the channel instead of
/// being lost.
async fn report_without_end_alert_is_posted_plainly(backend: Backend) {
    let (_server, t) = checking(backend, &["/ok/{app}"], 5).await;
    deploy_started(&t, ALICE, "r1").await;
    // The next post is the end alert: Slack refuses it for good.
    t.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::SlackError("channel_not_found"),
    );
    t.deploy(ALICE, "done").await;
    let report = t.wait_for_message("Smoke checks passed").await;
    assert!(report.get("thread_ts").is_none(), "{report}");
    assert!(!t.channel_texts().iter().any(|m| m.contains(" succeeded")));
    t.stop().await;
}
on_both_backends!(report_without_end_alert_is_posted_plainly);

fn refused(toml: &str) -> String {
    match Policy::from_toml(toml, "badger.toml") {
        Ok(_) => panic!("accepted: {toml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_smoke_settings_are_refused_naming_the_key() {
    let env = |extra: &str| {
        format!("[[environments]]\nname = \"integration\"\n\n[[environments]]\nname = \"staging\"\n{extra}\n")
    };
    let e = refused(&env(
        "smoke_urls = [\"https://{app}.example/health?x={x}\"]",
    ));
    assert!(e.contains("`environments[1].smoke_urls[0]`"), "{e}");
    assert!(e.contains("`{x}` is not a placeholder"), "{e}");
    let e = refused(&env(
        "smoke_urls = [\"https://ok.example/\", \"ftp://files.example/{app}\"]",
    ));
    assert!(e.contains("`environments[1].smoke_urls[1]`"), "{e}");
    assert!(e.contains("http:// or https://"), "{e}");
    let e = refused(&env("smoke_urls = [\"/healthcheck\"]"));
    assert!(e.contains("not a URL"), "{e}");
    for t in ["0", "301", "-5"] {
        let e = refused(&env(&format!("smoke_timeout_secs = {t}")));
        assert!(e.contains("`environments[1].smoke_timeout_secs`"), "{e}");
        assert!(e.contains("between 1 and 300"), "{e}");
    }
    let e = refused(&env("smoke_url = [\"https://ok.example/\"]"));
    assert!(
        e.contains("smoke_url"),
        "unknown keys are still refused: {e}"
    );

    let ok = Policy::from_toml(
        &env("smoke_urls = [\"https://{app}.staging.example/healthcheck?ref={ref}\"]\nsmoke_timeout_secs = 300"),
        "badger.toml",
    )
    .expect("valid");
    assert_eq!(ok.environments[1].smoke_timeout_secs, 300);
    assert_eq!(ok.environments[0].smoke_timeout_secs, 10, "the default");
    assert!(ok.environments[0].smoke_urls.is_empty());
}
