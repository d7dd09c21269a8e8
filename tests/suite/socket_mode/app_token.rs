//! The app token: refused by Slack (retried while HTTP keeps serving), wrong or alone at
//! start-up (badger stops, naming it), and reported by check-config without its value.

use super::*;

async fn a_refused_token_is_retried_and_http_keeps_serving(backend: Backend) {
    // No URL configured: the fake answers invalid_auth, as Slack does for a revoked token.
    let mut t = start(backend, false).await;
    let refused = t
        .slack
        .wait_until(Duration::from_secs(15), |calls| {
            calls
                .iter()
                .filter(|c| c.method == "apps.connections.open" && !c.ok)
                .count()
                >= 2
        })
        .await;
    assert!(refused, "badger retries apps.connections.open");
    let health = t
        .http
        .get(format!("{}/healthz", t.base))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), 200);

    // Once Slack takes the token again, badger connects.
    t.slack.set_socket_url(&t.socket.url());
    let mut conn = t.socket.next_connection().await;
    conn.hello().await;
    slash_round_trip(&mut conn, "env-1", (ALICE, "/deploy", "help")).await;
    t.app.shutdown().await;
    assert!(
        logged().contains("Slack refused SLACK_APP_TOKEN"),
        "the refusal is logged"
    );
}
on_both_backends_logged!(a_refused_token_is_retried_and_http_keeps_serving);

#[test]
fn a_bad_app_token_stops_start_up_naming_it() {
    let run = |vars: &[(&str, &str)]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
            .arg("serve")
            .env_clear()
            .env("RUST_LOG", "warn")
            .envs(vars.iter().copied())
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[
        ("SLACK_BOT_TOKEN", "xoxb-1"),
        ("SLACK_SIGNING_SECRET", "s"),
        ("SLACK_APP_TOKEN", "xoxb-a-bot-token-by-mistake"),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SLACK_APP_TOKEN"), "{err}");
    assert!(err.contains("xapp-"), "{err}");
    assert!(!err.contains("xoxb-a-bot-token-by-mistake"), "{err}");

    // An app token alone cannot answer anyone: said at start-up, not discovered later.
    let (code, err) = run(&[("SLACK_APP_TOKEN", "xapp-1-A0-x")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SLACK_APP_TOKEN"), "{err}");
    assert!(err.contains("SLACK_BOT_TOKEN"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_says_socket_mode_is_on() {
    // check-config asks Slack who the bot token is: the fake answers, never slack.com.
    let slack = crate::support::fake_slack::FakeSlack::start().await;
    let url = slack.url();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
            .arg("check-config")
            .env_clear()
            .env("SLACK_BOT_TOKEN", "xoxb-1")
            .env("SLACK_SIGNING_SECRET", "s")
            .env("SLACK_APP_TOKEN", APP_TOKEN)
            .env("SLACK_API_URL", url)
            .output()
            .expect("runs")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("mode: Slack, over HTTP and Socket Mode (SLACK_APP_TOKEN)"),
        "{text}"
    );
    assert!(!text.contains(APP_TOKEN), "{text}");
}
