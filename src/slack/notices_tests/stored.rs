//! The outbox's stored shapes: a notice by its values, and an old rendered row read and
//! written back as it was.

use super::*;
use crate::store::Payload;

/// A notice is stored as its values under `say`, tagged by `notice`, and reads back equal.
#[test]
fn a_notice_is_stored_by_shape() {
    let p = Payload::Post {
        channel: "C0DEPLOY".into(),
        body: Body::say(Notice::TurnExpired {
            deployment: deployment(),
            deploy_command: Some("/deploy".into()),
        }),
        key: None,
    };
    let stored = serde_json::to_value(&p).unwrap();
    assert_eq!(stored["kind"], "post");
    assert_eq!(stored["say"]["notice"], "turn_expired");
    assert_eq!(stored["say"]["deployment"]["app"], "whitehall");
    assert!(stored.get("text").is_none(), "{stored}");
    let back: Payload = serde_json::from_value(stored).unwrap();
    assert_eq!(back, p);
}

/// A deployment snapshot stored before `after_close_reminded_at` existed reads as not
/// reminded after the close, and the notice holding it renders as before.
#[test]
fn a_deployment_stored_before_the_after_close_reminder_reads() {
    let n = Notice::TurnExpired {
        deployment: deployment(),
        deploy_command: None,
    };
    let mut stored = serde_json::to_value(&n).unwrap();
    let old = stored["deployment"].as_object_mut().unwrap();
    assert!(old.remove("after_close_reminded_at").is_some());
    let back: Notice = serde_json::from_value(stored).unwrap();
    assert_eq!(back, n);
}

/// A row an older badger wrote (rendered `text` + `blocks`) reads as a rendered body and
/// renders to exactly what it holds; written again, it is the same JSON.
#[test]
fn an_old_rendered_row_reads_as_written() {
    let old = serde_json::json!({
        "kind": "update",
        "channel": "C0DEPLOY",
        "key": "start:7",
        "text": "done",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "done"}}],
    });
    let p: Payload = serde_json::from_value(old.clone()).unwrap();
    let Payload::Update { body, .. } = &p else {
        panic!("not an update: {p:?}");
    };
    assert!(matches!(body, Body::Rendered { .. }));
    let m = super::body(body);
    assert_eq!(m.text, "done");
    assert_eq!(Value::Array(m.blocks), old["blocks"]);
    assert_eq!(serde_json::to_value(&p).unwrap(), old);
}
