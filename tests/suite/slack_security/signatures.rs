//! Request signing and the replay window: every bad signature or timestamp is refused and
//! changes nothing; 5 minutes either way is still fresh.

use super::*;

use badger::slack::verify::sign;
use serde_json::Value;
use support::driver::SECRET;

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
on_both_backends!(bad_signatures_are_refused_and_change_nothing);

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
    assert_eq!(support::checks::live_deployments(&t, None).await.len(), 1);
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
on_both_backends!(five_minutes_either_way_is_still_fresh);
