//! A pipeline reporting a deployment already finished is believed (it happened), but one
//! whose ref is not what the environment before last finished is said in the channel and in
//! the answer: badger's promotion rule would not have let it start.

use super::*;

async fn a_finished_report_that_skipped_an_environment_is_said(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    // Integration has no environment before it; staging follows integration's success.
    for env in ["integration", "staging"] {
        let a = report(&t, finished("whitehall", "r5", env, "succeeded")).await;
        assert_eq!(a.status, 201, "{env}: {:?}", a.json);
        assert_eq!(a.json["not_promoted"], Value::Null, "{env}: {:?}", a.json);
        t.deliver_outbox().await;
        t.expect_post(&format!("*whitehall* `r5` to *{env}* succeeded"));
    }

    // r6 straight to production: recorded, ended, and flagged.
    let a = report(&t, finished("whitehall", "r6", "production", "failed")).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    assert_eq!(a.json["not_promoted"], "staging", "{:?}", a.json);
    let id = a.json["id"].as_i64().expect("an id");
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r6` to *production* failed");
    t.expect_post(&format!(
        ":warning: CI reported *whitehall* `r6` to *production* (#{id}) already failed, though \
         badger would not have let it start: the latest finished deployment in *staging* is \
         `r5` (succeeded), not this ref."
    ));

    // r5 passed staging once, but staging's latest is r7 now: said as such, not as "never".
    let a = report(&t, finished("whitehall", "r7", "staging", "succeeded")).await;
    assert_eq!(a.json["not_promoted"], "integration", "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r7` to *staging* succeeded");
    t.expect_post(
        "the latest finished deployment in *integration* is `r5` (succeeded), not this ref.",
    );
    let a = report(&t, finished("whitehall", "r5", "production", "succeeded")).await;
    assert_eq!(a.json["not_promoted"], "staging", "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r5` to *production* succeeded");
    t.expect_post("the latest finished deployment in *staging* is `r7` (succeeded), not this ref.");

    // An app never seen in staging: nothing finished there.
    let a = report(&t, finished("frontend", "f1", "production", "succeeded")).await;
    assert_eq!(a.json["not_promoted"], "staging", "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_post("*frontend* `f1` to *production* succeeded");
    t.expect_post("not have let it start: nothing of *frontend* has finished in *staging*.");
    // The success still counts as what production runs.
    let v = get(&t, "/api/v1/versions?app=frontend").await;
    assert_eq!(v.json["apps"][0]["per_env"][2]["ref"], "f1", "{:?}", v.json);
    assert!(t.slack.unread().is_empty(), "{:?}", t.slack.unread());
    t.stop().await;
}
on_both_backends!(a_finished_report_that_skipped_an_environment_is_said);
