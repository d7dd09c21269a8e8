//! A deployment's lifecycle as CI reports it: started, repeated, finished, contradicted,
//! and how CI shares an environment's queue with people on Slack.

use super::*;
use crate::support::checks::deployment_state;

async fn ci_shares_the_queue_with_slack_users(backend: Backend) {
    let t = TestApp::start(backend).await;
    let body = json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started",
                      "url": "https://ci.example/run/1?a=1&b=2", "note": "<!here> nightly & <@U123>"});
    let id = reported(&t, body).await;
    let alert = t
        .wait_for_message("started deploying *whitehall* `r1` to *integration*")
        .await;
    // CI deployments are finished by CI: no Done/Failed buttons; the run is linked.
    assert!(TestApp::button_value(&alert, "deploy_done").is_none());
    // CI's text is escaped like anyone's.
    let shown = alert.to_string();
    for part in [
        "https://ci.example/run/1?a=1&amp;b=2",
        "&lt;!here&gt; nightly &amp; &lt;@U123&gt;",
    ] {
        assert!(shown.contains(part), "{part:?} in {shown}");
    }
    assert!(
        !shown.contains("<!here>") && !shown.contains("<@U123>"),
        "{shown}"
    );

    // The environment is busy for people: Alice queues behind CI.
    let r = t.deploy(ALICE, "publisher r2 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());

    // Another pipeline cannot start there meanwhile; the refusal names the busy deployment.
    let a = report(&t, started("frontend", "r3", "integration")).await;
    assert_error(&a, 423, &format!("#{id} whitehall r1"), "");
    assert_eq!(a.json["refusals"][0]["code"], "busy", "{:?}", a.json);
    // Nor can the same app's second pipeline.
    let a = report(&t, started("whitehall", "r1b", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);

    // `started` again for the same deployment is a harmless repeat.
    let a = event(&t, id, json!({"status": "started"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["state"], "deploying");

    // CI finishes: end alert, and Alice is called.
    let green = json!({"status": "succeeded", "note": "smoke tests green"});
    let a = event(&t, id, green).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"id": id, "state": "succeeded"}));
    let end = t
        .wait_for_message(":white_check_mark: *whitehall* `r1` to *integration* succeeded")
        .await;
    assert!(end["text"].as_str().unwrap().contains("smoke tests green"));
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // Repeating `succeeded` changes nothing: no second end alert.
    let a = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["state"], "succeeded");
    // Contradicting it is a conflict.
    for status in ["failed", "started"] {
        let a = event(&t, id, json!({ "status": status })).await;
        assert_error(&a, 409, "succeeded", status);
    }
    assert_said_times(&t, 1, |m| m.contains(":white_check_mark:")).await;
    assert_eq!(deployment_state(&t, id).await, "succeeded");

    // While Alice holds the turn, CI is refused too.
    let a = report(&t, started("frontend", "r3", "integration")).await;
    assert_error(&a, 423, "publisher r2", "");

    // A failed CI deployment: end alert says so; a report of a finished one is recorded.
    // (r9 passed integration first: CI obeys the promotion rule like a person.)
    reported(&t, finished("whitehall", "r9", "integration", "succeeded")).await;
    let staging = reported(&t, started("whitehall", "r9", "staging")).await;
    let rolled_back = json!({"status": "failed", "note": "rolled back"});
    let a = event(&t, staging, rolled_back).await;
    assert_eq!(a.json["state"], "failed", "{:?}", a.json);
    t.wait_for_message(":x: *whitehall* `r9` to *staging* failed")
        .await;
    let a = event(&t, staging, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 409, "{:?}", a.json);

    let body = json!({"app": "router", "ref": "v2", "environment": "staging", "status": "succeeded",
                      "note": "by hand & <!here>", "url": "https://ci.example/run/9"});
    reported(&t, body).await;
    // Reported already finished: no start alert showed its note and link, so the end does.
    let end = t
        .wait_for_message("*router* `v2` to *staging* succeeded")
        .await;
    let text = end["text"].as_str().unwrap();
    assert!(
        text.contains("\nNote: by hand &amp; &lt;!here&gt;"),
        "{end}"
    );
    assert!(
        end.to_string().contains("CI: https://ci.example/run/9"),
        "{end}"
    );
    let versions = t.core().store.versions(Some("router")).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].git_ref, "v2");
    t.stop().await;
}
on_both_backends!(ci_shares_the_queue_with_slack_users);
