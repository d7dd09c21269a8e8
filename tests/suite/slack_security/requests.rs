//! Signed requests taken apart: the 64 KiB body limit, malformed bodies (400, nothing done),
//! and the Events API (url_verification, retried deliveries, unknown types).

use super::*;

use crate::support::checks::live_deployments;
use badger::http::slack::BODY_LIMIT;
use serde_json::Value;

async fn bodies_over_64_kib_are_refused(backend: Backend) {
    let t = TestApp::start(backend).await;
    let too_big = |body: &str| format!("{body}&pad={}", "x".repeat(BODY_LIMIT));
    for (path, ct, body) in routes() {
        let big = if ct == JSON {
            // Still valid JSON: the limit, not the parser, must refuse it.
            let mut v: Value = serde_json::from_str(&body).unwrap();
            v["pad"] = Value::String("x".repeat(BODY_LIMIT));
            v.to_string()
        } else {
            too_big(&body)
        };
        assert!(big.len() > BODY_LIMIT);
        let r = post_signed_at(&t, path, ct, big.clone(), Duration::zero(), &[]).await;
        assert_eq!(r.status().as_u16(), 413, "{path}");
        // Unsigned, too: the size is refused before anything is looked at.
        let r = post_raw(&t, path, ct, big, &[]).await;
        assert_eq!(r.status().as_u16(), 413, "{path} unsigned");
        assert_nothing_happened(&t, &format!("{path}: 413")).await;
    }

    // Exactly 64 KiB is within the limit: the command is carried out.
    let base = command_form(ALICE, "/deploy", "whitehall r1 to integration");
    let pad = BODY_LIMIT - base.len() - "&pad=".len();
    let exact = format!("{base}&pad={}", "x".repeat(pad));
    assert_eq!(exact.len(), BODY_LIMIT);
    let r = post_signed_at(&t, "/slack/commands", FORM, exact, Duration::zero(), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let reply: Value = r.json().await.unwrap();
    assert!(
        reply["text"].as_str().unwrap().contains("You're deploying"),
        "{reply}"
    );
    t.stop().await;
}
on_both_backends!(bodies_over_64_kib_are_refused);

async fn signed_but_malformed_requests_get_400(backend: Backend) {
    let t = TestApp::start(backend).await;
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "/slack/commands",
            FORM,
            String::new(),
            "malformed slash command",
        ),
        (
            "/slack/commands",
            FORM,
            "text=whitehall+r1+to+integration&command=%2Fdeploy".to_owned(),
            "user_id",
        ),
        (
            "/slack/commands",
            FORM,
            "command=%2Fdeploy&user_id=U0ALICE&channel_id=C0DEPLOY&text=%FF%FE&user_id=U0BOB"
                .to_owned(),
            "malformed slash command",
        ),
        ("/slack/interactions", FORM, String::new(), "payload"),
        (
            "/slack/interactions",
            FORM,
            "payload=%7Bnot+json".to_owned(),
            "not valid JSON",
        ),
        (
            "/slack/interactions",
            FORM,
            form_urlencoded::Serializer::new(String::new())
                .append_pair("payload", r#"{"type":"block_actions","actions":[]}"#)
                .finish(),
            "user.id",
        ),
        (
            "/slack/interactions",
            FORM,
            form_urlencoded::Serializer::new(String::new())
                .append_pair(
                    "payload",
                    r#"{"type":"block_actions","user":{"id":"U0ALICE"}}"#,
                )
                .finish(),
            "actions",
        ),
        (
            "/slack/events",
            JSON,
            "{\"type\": ".to_owned(),
            "malformed event",
        ),
        ("/slack/events", JSON, String::new(), "malformed event"),
    ];
    for (path, ct, body, says) in cases {
        let r = post_signed_at(&t, path, ct, body.clone(), Duration::zero(), &[]).await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 400, "{path} {body:?}: {text}");
        assert!(
            text.contains(says),
            "{path} {body:?}: {text:?} lacks {says:?}"
        );
        assert_nothing_happened(&t, &format!("{path} {body:?}")).await;
    }
    // Slack's certificate check on the command URL: signed, it gets a plain 200.
    let ssl_check = "ssl_check=1&token=legacy".to_owned();
    let r = post_signed_at(
        &t,
        "/slack/commands",
        FORM,
        ssl_check.clone(),
        Duration::zero(),
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    let r = post_raw(&t, "/slack/commands", FORM, ssl_check, &[]).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_nothing_happened(&t, "ssl_check").await;

    // Still up, and a well-formed command still works.
    assert_eq!(t.get("/healthz").await.status().as_u16(), 200);
    let r = t.deploy(ALICE, "whitehall r1 to integration").await;
    r.assert_says("You're deploying");
    t.stop().await;
}
on_both_backends!(signed_but_malformed_requests_get_400);

async fn events_api(backend: Backend) {
    let t = TestApp::start(backend).await;

    // url_verification answers with the challenge.
    let body = json!({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}).to_string();
    let r = post_signed_at(&t, "/slack/events", JSON, body, Duration::zero(), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );

    // The same event delivered twice (the second a retry) is handled once.
    let ev = event_body("Ev0DUPLICATE", "member_joined_channel");
    let r = post_signed_at(&t, "/slack/events", JSON, ev.clone(), Duration::zero(), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let retry = [
        ("x-slack-retry-num", "1".to_owned()),
        ("x-slack-retry-reason", "http_timeout".to_owned()),
    ];
    let r = post_signed_at(&t, "/slack/events", JSON, ev, Duration::seconds(3), &retry).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.count_rows("processed_events").await, 1);
    assert_eq!(t.metric("badger_slack_events_total").await, 1);
    assert_eq!(t.metric("badger_slack_events_duplicate_total").await, 1);

    // Another event id is a new event.
    let ev = event_body("Ev0OTHER", "member_joined_channel");
    let r = post_signed_at(&t, "/slack/events", JSON, ev, Duration::zero(), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.count_rows("processed_events").await, 2);
    assert_eq!(t.metric("badger_slack_events_total").await, 2);

    // Event and envelope types badger does not handle are acknowledged with 200.
    let unknown = [
        event_body("Ev0FUTURE", "a_future_event_type"),
        json!({"type": "app_rate_limited", "token": "legacy", "team_id": "T1", "minute_rate_limited": 1_700_000_000, "api_app_id": "A1"}).to_string(),
        json!({"type": "event_callback", "event": {"type": "reaction_added", "item": {"type": "message"}}}).to_string(),
        json!({"something": "else"}).to_string(),
        "[1, 2, 3]".to_owned(),
    ];
    for body in unknown {
        let r = post_signed_at(
            &t,
            "/slack/events",
            JSON,
            body.clone(),
            Duration::zero(),
            &[],
        )
        .await;
        assert_eq!(r.status().as_u16(), 200, "{body}");
    }
    // Events change nothing in the deploy channel: at most a topic check (a member
    // joined: maybe badger itself), which finds nothing to write with no holds standing.
    t.settle().await;
    assert_eq!(t.count_rows("outbox WHERE kind <> 'topic'").await, 0);
    assert!(t.slack.calls_to("conversations.setTopic").is_empty());
    assert!(t.slack.calls_to("chat.postMessage").is_empty());
    assert!(live_deployments(&t, None).await.is_empty());
    t.stop().await;
}
on_both_backends!(events_api);
