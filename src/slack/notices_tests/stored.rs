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

/// A closed start alert queued by the badger before `started_by` (its deployment without
/// the field, as it wrote it) reads as started by its requester and renders as it did.
#[test]
fn a_closed_start_alert_stored_before_started_by_reads() {
    let old = r#"{"notice": "start_alert_closed", "deployment": {"id": 7, "app": "whitehall",
        "git_ref": "release_1", "environment": "production", "requester": "U0ALICE",
        "channel": "C0DEPLOY", "note": null, "emergency_reason": null, "source": "slack",
        "state": "succeeded", "queue_key": 1, "priority": 0, "outcome_note": null,
        "ci_url": null, "requested_at": "2026-11-24T09:50:00Z",
        "called_at": "2026-11-24T09:55:00Z", "started_at": "2026-11-24T10:00:00Z",
        "finished_at": "2026-11-24T10:12:00Z", "ended_at": null, "reminded_at": null,
        "after_close_reminded_at": null, "hold_notified": false, "passed_over": null}}"#;
    let n: Notice = serde_json::from_str(old).expect("an old row reads");
    let Notice::StartAlertClosed { deployment } = &n else {
        panic!("not a closed start alert: {n:?}");
    };
    assert_eq!(
        (&deployment.started_by, &deployment.ended_by),
        (&None, &None)
    );
    assert_eq!(deployment, &finished(State::Succeeded, None));
    insta::assert_snapshot!(shown(n), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        [section: the text]
        [context: finished: succeeded]
    "#);
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
