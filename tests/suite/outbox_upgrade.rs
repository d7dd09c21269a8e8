//! Outbox rows across an upgrade: rows an older badger queued (rendered `text` + `blocks`)
//! still read and reach Slack exactly as written, and a row carrying a notice (rendered at
//! delivery) reaches Slack with the same text and blocks the old one had.

use crate::support;

use badger::domain::deployment::State;
use badger::domain::notice::Notice;
use badger::store::{Body, Payload};
use chrono::Utc;
use serde_json::{json, Value};
use support::db::{new_deployment, Backend};
use support::driver::{TestApp, CHANNEL};

const START_TEXT: &str =
    ":rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *integration*";

/// A start alert for deployment `id` as the badger before notices queued it, byte for byte.
fn old_start_alert(id: i64) -> String {
    let button = |action: &str, label: &str, style: Option<&str>| {
        let mut b = json!({"type": "button", "action_id": action,
            "text": {"type": "plain_text", "text": label}, "value": id.to_string()});
        if let Some(s) = style {
            b["style"] = json!(s);
        }
        b
    };
    json!({
        "kind": "post",
        "channel": CHANNEL,
        "text": START_TEXT,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": START_TEXT}},
            {"type": "actions", "elements": [
                button("deploy_done", "Done", Some("primary")),
                button("deploy_failed", "Failed", Some("danger")),
                button("deploy_cancel", "Cancel", None),
            ]},
        ],
        "key": format!("start:{id}"),
    })
    .to_string()
}

/// Writes a row straight into the outbox, as an older version's SQL did.
async fn insert_raw(t: &TestApp, ordering_key: &str, kind: &str, payload: &str) {
    // Queued now: `created_at` by badger's clock (as badger stamps it), due by the wall's.
    let queued = t.clock_now().timestamp_millis();
    let now = Utc::now().timestamp_millis();
    sqlx::query(
        "INSERT INTO outbox (ordering_key, kind, payload, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(ordering_key)
    .bind(kind)
    .bind(payload)
    .bind(queued)
    .bind(now)
    .execute(t.core().store.pool())
    .await
    .expect("insert an old-shape row");
}

fn text_and_blocks(body: &Value) -> (Value, Value) {
    (body["text"].clone(), body["blocks"].clone())
}

async fn old_rows_deliver_as_they_were_written(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    insert_raw(&t, CHANNEL, "post", &old_start_alert(41)).await;
    let update = json!({"kind": "update", "channel": CHANNEL, "key": "start:41",
        "text": "edited", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "edited"}}]});
    insert_raw(&t, CHANNEL, "update", &update.to_string()).await;
    let reply = json!({"kind": "reply", "channel": CHANNEL, "thread_key": "start:41",
        "text": "in the thread", "blocks": []});
    insert_raw(&t, CHANNEL, "reply", &reply.to_string()).await;

    // They read back as rendered bodies...
    let log = t.core().store.outbox_log().await.expect("outbox log");
    assert_eq!(log.len(), 3);
    assert!(matches!(
        &log[0].payload,
        Payload::Post { body: Body::Rendered { text, .. }, key: Some(k), .. }
            if text == START_TEXT && k == "start:41"
    ));
    // ...and reach Slack as written.
    t.deliver_outbox_with_retries().await;
    let post = t.expect_post(START_TEXT);
    assert_eq!(post["text"], START_TEXT);
    let old: Value = serde_json::from_str(&old_start_alert(41)).unwrap();
    assert_eq!(post["blocks"], old["blocks"]);
    // The update and the reply found the post by its key.
    let edited = t.expect_update("edited");
    assert_eq!(edited["text"], "edited");
    assert!(edited["ts"].as_str().is_some_and(|ts| !ts.is_empty()));
    let thread = t.slack.expect_call("chat.postMessage").body;
    assert_eq!(thread["text"], "in the thread");
    assert_eq!(thread["thread_ts"], edited["ts"]);

    // An ephemeral (the people's lane, so delivered on its own here).
    let ephemeral = json!({"kind": "ephemeral", "channel": CHANNEL, "user": "U0BOB",
        "text": "just for you", "blocks": []});
    insert_raw(&t, "ephemeral:U0BOB", "ephemeral", &ephemeral.to_string()).await;
    t.deliver_outbox_with_retries().await;
    assert_eq!(t.expect_ephemeral("U0BOB", "just for you"), "just for you");
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 0);
    t.stop().await;
}
on_both_backends!(old_rows_deliver_as_they_were_written);

async fn a_notice_delivers_what_the_old_row_did(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let fresh = new_deployment(
        "whitehall",
        "release_1",
        "integration",
        "U0ALICE",
        State::Deploying,
    );
    let mut tx = t.core().store.begin().await.unwrap();
    let d = tx.insert_deployment(&fresh, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    // The old row, then the same alert as a notice.
    insert_raw(&t, CHANNEL, "post", &old_start_alert(d.id)).await;
    let mut tx = t.core().store.begin().await.unwrap();
    let new = Payload::Post {
        channel: CHANNEL.into(),
        body: Body::say(Notice::StartAlert {
            deployment: d.clone(),
            by: None,
        }),
        key: Some(format!("start:{}", d.id)),
    };
    tx.enqueue(&new, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    // Stored as the notice, not as text.
    let log = t.core().store.outbox_log().await.unwrap();
    assert!(matches!(
        &log[1].payload,
        Payload::Post {
            body: Body::Say { .. },
            ..
        }
    ));

    t.deliver_outbox_with_retries().await;
    let before = t.expect_post(START_TEXT);
    let after = t.expect_post(START_TEXT);
    assert_eq!(text_and_blocks(&after), text_and_blocks(&before));
    t.stop().await;
}
on_both_backends!(a_notice_delivers_what_the_old_row_did);
