//! The Slack edge through real HTTP: signatures (missing, wrong, over another body, stale,
//! from the future), the 64 KiB body limit, malformed but signed requests, the Events API
//! (url_verification, retried deliveries, unknown types) and escaping of user text on its
//! way back out to Slack.

use crate::support;

use badger::http::slack::BODY_LIMIT;
use badger::slack::verify::sign;
use chrono::Duration;
use serde_json::{json, Value};
use support::db::Backend;
use support::driver::{TestApp, CHANNEL, FORM, SECRET};
use support::slack_forms;

const ALICE: &str = "U0ALICE";
const JSON: &str = "application/json";

/// A slash command form in the deploy channel, as Slack sends it.
fn command_form(user: &str, command: &str, text: &str) -> String {
    slack_forms::command_form(CHANNEL, user, command, text)
}

/// An Events API delivery. Accepted, its event id is recorded.
fn event_body(event_id: &str, event_type: &str) -> String {
    json!({
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {"type": event_type, "user": "U0BADGER", "channel": CHANNEL, "event_ts": "1700000000.000100"}
    })
    .to_string()
}

/// What each Slack route gets in the tests below: path, content type, a body that does
/// something when accepted.
fn routes() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "/slack/commands",
            FORM,
            command_form(ALICE, "/deploy", "whitehall r1 to integration"),
        ),
        (
            "/slack/interactions",
            FORM,
            slack_forms::press_form(ALICE, "deploy_done", "1"),
        ),
        (
            "/slack/events",
            JSON,
            event_body("Ev0SECURITY", "member_joined_channel"),
        ),
    ]
}

/// POSTs `body` with exactly the Slack headers given (none are added).
async fn post_raw(
    t: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
    headers: &[(&str, String)],
) -> reqwest::Response {
    let mut req = t
        .http
        .post(format!("{}{path}", t.base))
        .header("content-type", content_type)
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.expect("request reaches badger")
}

/// POSTs `body` signed with the right secret at `now + offset`.
async fn post_signed_at(
    t: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
    offset: Duration,
    extra: &[(&str, String)],
) -> reqwest::Response {
    let mut headers = slack_forms::signature_headers(t.clock_now() + offset, &body).to_vec();
    headers.extend(extra.iter().cloned());
    post_raw(t, path, content_type, body, &headers).await
}

/// Nothing at all has happened: no deployment, no hold, no audit entry, no event recorded,
/// nothing queued for Slack and no call made to it.
async fn assert_nothing_happened(t: &TestApp, context: &str) {
    let store = &t.core().store;
    assert!(
        store.live_deployments(None).await.unwrap().is_empty(),
        "{context}: a deployment was stored"
    );
    assert_eq!(
        t.count_rows("deployments").await,
        0,
        "{context}: deployments"
    );
    assert_eq!(t.count_rows("holds").await, 0, "{context}: holds");
    assert!(
        store.audit_log(100).await.unwrap().is_empty(),
        "{context}: the audit log is not empty"
    );
    assert_eq!(
        t.count_rows("processed_events").await,
        0,
        "{context}: an event was recorded"
    );
    assert_eq!(
        t.count_rows("outbox").await,
        0,
        "{context}: a Slack call was queued"
    );
    assert!(
        t.slack.calls().is_empty(),
        "{context}: Slack was called: {:#?}",
        t.slack.calls()
    );
}

async fn bad_signatures_are_refused_and_change_nothing(backend: Backend) {
    let t = TestApp::start(backend).await;
    let mut refused = 0;
    for (path, ct, body) in routes() {
        let now = t.clock_now().timestamp().to_string();
        let good = sign(SECRET, &now, body.as_bytes());
        let six_ago = (t.clock_now() - Duration::minutes(6))
            .timestamp()
            .to_string();
        let six_ahead = (t.clock_now() + Duration::minutes(6))
            .timestamp()
            .to_string();
        let other_body = command_form(ALICE, "/deploy", "whitehall r2 to integration");
        let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
            ("no Slack headers at all", vec![]),
            (
                "no signature",
                vec![("x-slack-request-timestamp", now.clone())],
            ),
            ("no timestamp", vec![("x-slack-signature", good.clone())]),
            (
                "empty signature",
                vec![
                    ("x-slack-request-timestamp", now.clone()),
                    ("x-slack-signature", String::new()),
                ],
            ),
            (
                "wrong signature",
                vec![
                    ("x-slack-request-timestamp", now.clone()),
                    ("x-slack-signature", format!("v0={}", "0".repeat(64))),
                ],
            ),
            (
                "signed with another secret",
                vec![
                    ("x-slack-request-timestamp", now.clone()),
                    (
                        "x-slack-signature",
                        sign("not-the-secret", &now, body.as_bytes()),
                    ),
                ],
            ),
            (
                "signature over a different body",
                vec![
                    ("x-slack-request-timestamp", now.clone()),
                    (
                        "x-slack-signature",
                        sign(SECRET, &now, other_body.as_bytes()),
                    ),
                ],
            ),
            (
                "signature for another timestamp",
                vec![
                    (
                        "x-slack-request-timestamp",
                        (t.clock_now().timestamp() + 1).to_string(),
                    ),
                    ("x-slack-signature", good.clone()),
                ],
            ),
            (
                "signature without the v0= prefix",
                vec![
                    ("x-slack-request-timestamp", now.clone()),
                    (
                        "x-slack-signature",
                        good.trim_start_matches("v0=").to_owned(),
                    ),
                ],
            ),
            (
                "timestamp is not a number",
                vec![
                    ("x-slack-request-timestamp", "yesterday".to_owned()),
                    (
                        "x-slack-signature",
                        sign(SECRET, "yesterday", body.as_bytes()),
                    ),
                ],
            ),
            (
                "timestamp far in the past (overflows a naive subtraction)",
                vec![
                    ("x-slack-request-timestamp", i64::MIN.to_string()),
                    (
                        "x-slack-signature",
                        sign(SECRET, &i64::MIN.to_string(), body.as_bytes()),
                    ),
                ],
            ),
            (
                "timestamp far in the future",
                vec![
                    ("x-slack-request-timestamp", i64::MAX.to_string()),
                    (
                        "x-slack-signature",
                        sign(SECRET, &i64::MAX.to_string(), body.as_bytes()),
                    ),
                ],
            ),
            (
                "stale: signed correctly 6 minutes ago",
                vec![
                    ("x-slack-request-timestamp", six_ago.clone()),
                    ("x-slack-signature", sign(SECRET, &six_ago, body.as_bytes())),
                ],
            ),
            (
                "from the future: signed correctly 6 minutes ahead",
                vec![
                    ("x-slack-request-timestamp", six_ahead.clone()),
                    (
                        "x-slack-signature",
                        sign(SECRET, &six_ahead, body.as_bytes()),
                    ),
                ],
            ),
        ];
        for (what, headers) in cases {
            let r = post_raw(&t, path, ct, body.clone(), &headers).await;
            assert_eq!(r.status().as_u16(), 401, "{path}: {what}");
            // The answer says which check failed: a skewed clock is not a wrong secret.
            let said = r.text().await.unwrap();
            let expected = if what.starts_with("stale") || what.starts_with("from the future") {
                "request timestamp is more than 5 minutes from now"
            } else if what.starts_with("wrong signature") || what.starts_with("signed with another")
            {
                "signature does not match"
            } else {
                "invalid Slack request: "
            };
            assert!(
                said.starts_with("invalid Slack request: ") && said.contains(expected),
                "{path}: {what}: {said}"
            );
            refused += 1;
            assert_nothing_happened(&t, &format!("{path}: {what}")).await;
        }
    }
    // Every refusal is counted, and none as a verified request.
    assert_eq!(t.metric("badger_slack_rejected_total").await, refused);
    assert_eq!(t.metric("badger_slack_requests_total").await, 0);
    t.stop().await;
}
on_both_backends!(
    bad_signatures,
    bad_signatures_are_refused_and_change_nothing
);

async fn five_minutes_either_way_is_still_fresh(backend: Backend) {
    let t = TestApp::start(backend).await;
    // The same requests as above, signed at exactly 5 minutes old, are accepted and act.
    let routes = routes();
    let (path, ct, body) = &routes[0];
    let r = post_signed_at(&t, path, ct, body.clone(), Duration::minutes(-5), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    let reply: Value = r.json().await.unwrap();
    assert!(
        reply["text"].as_str().unwrap().contains("You're deploying"),
        "{reply}"
    );
    assert_eq!(
        t.core().store.live_deployments(None).await.unwrap().len(),
        1
    );
    t.wait_for_message("<@U0ALICE> started deploying *whitehall* `r1` to *integration*")
        .await;

    let (path, ct, body) = &routes[1];
    let r = post_signed_at(&t, path, ct, body.clone(), Duration::minutes(-5), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    // Alice's Done press on deployment #1 finishes it.
    t.wait_for_message(":white_check_mark: *whitehall* `r1` to *integration* succeeded")
        .await;

    // And 5 minutes ahead (a fast clock at Slack's end) is also within the window.
    let (path, ct, body) = &routes[2];
    let r = post_signed_at(&t, path, ct, body.clone(), Duration::minutes(5), &[]).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.count_rows("processed_events").await, 1);
    assert_eq!(t.metric("badger_slack_requests_total").await, 3);
    assert_eq!(t.metric("badger_slack_rejected_total").await, 0);
    t.stop().await;
}
on_both_backends!(fresh_enough, five_minutes_either_way_is_still_fresh);

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
on_both_backends!(body_limit, bodies_over_64_kib_are_refused);

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
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.stop().await;
}
on_both_backends!(malformed, signed_but_malformed_requests_get_400);

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
    assert!(t
        .core()
        .store
        .live_deployments(None)
        .await
        .unwrap()
        .is_empty());
    t.stop().await;
}
on_both_backends!(events, events_api);

async fn user_text_reaches_slack_escaped(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t
        .deploy(
            ALICE,
            "whitehall r1 to integration --note <!channel> ping <@U123> & see <https://x|y>",
        )
        .await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    assert!(!r.json.to_string().contains("<!channel>"), "{}", r.json);
    let alert = t.wait_for_message("started deploying").await;
    let text = alert["text"].as_str().unwrap();
    let blocks = alert["blocks"].to_string();
    for (what, shown) in [("text", text), ("blocks", blocks.as_str())] {
        assert!(
            shown.contains("&lt;!channel&gt; ping &lt;@U123&gt; &amp; see &lt;https://x|y&gt;"),
            "{what}: {shown}"
        );
        for raw in ["<!channel>", "<@U123>", "<https://x|y>", " & "] {
            assert!(
                !shown.contains(raw),
                "{what} has {raw:?} unescaped: {shown}"
            );
        }
        // The requester is still mentioned properly.
        assert!(shown.contains("<@U0ALICE>"), "{what}: {shown}");
    }
    // The same in what the fake Slack was sent, call by call.
    let posts = t.slack.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let sent = posts[0].body.to_string();
    assert!(sent.contains("&lt;!channel&gt;"), "{sent}");
    assert!(!sent.contains("<!channel>"), "{sent}");

    // A note on the way out (done NOTE) is escaped in the end alert too.
    t.deploy(ALICE, "done <!here> all good & <@U456>").await;
    let end = t.wait_for_message("succeeded").await;
    let text = end["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;!here&gt; all good &amp; &lt;@U456&gt;"),
        "{text}"
    );
    assert!(!end.to_string().contains("<!here>"), "{end}");
    t.stop().await;
}
on_both_backends!(escaping, user_text_reaches_slack_escaped);

/// Slack itself sends `&`, `<`, `>` in command text as entities. badger decodes them once
/// and escapes once on the way out: no double escaping, and still no live `<!channel>`.
async fn slack_encoded_text_is_escaped_exactly_once(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t
        .deploy(
            ALICE,
            "whitehall r1 to integration --note &lt;!channel&gt; fish &amp; chips",
        )
        .await;
    assert_eq!(r.status, 200);
    let alert = t.wait_for_message("started deploying").await;
    let text = alert["text"].as_str().unwrap();
    assert!(
        text.contains("Note: &lt;!channel&gt; fish &amp; chips"),
        "{text}"
    );
    assert!(
        !text.contains("&amp;lt;") && !text.contains("&amp;amp;"),
        "{text}"
    );
    assert!(!text.contains("<!channel>"), "{text}");
    t.stop().await;
}
on_both_backends!(slack_encoding, slack_encoded_text_is_escaped_exactly_once);

/// A command that doesn't parse is answered with the words quoted back, escaped.
async fn parse_errors_quote_user_text_escaped(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.deploy(ALICE, "whitehall r1 to <!channel>").await;
    let text = r.text();
    assert!(text.contains("&lt;!channel&gt;"), "{text}");
    assert!(!text.contains("<!channel>"), "{text}");
    let r = t.hold(ALICE, "release <@U123>").await;
    assert!(!r.text().contains("<@U123>"), "{}", r.text());
    t.stop().await;
}
on_both_backends!(parse_error_escaping, parse_errors_quote_user_text_escaped);
