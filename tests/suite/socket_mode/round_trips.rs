//! Envelopes over a live connection: commands, buttons and events acked (a late command
//! answered privately, the Home tab published once), and reconnecting when dropped or refreshed.

use super::*;

use badger::slack::envelope::{handle_within, read_frame, Frame};
use serde_json::json;
use support::db::hold_env_lock;
use support::fake_socket::{button_envelope, event_envelope, slash_envelope};

fn button_value(message: &Value, action_id: &str) -> Option<String> {
    message["blocks"].as_array()?.iter().find_map(|b| {
        b["elements"].as_array()?.iter().find_map(|e| {
            (e["action_id"].as_str() == Some(action_id))
                .then(|| e["value"].as_str().unwrap_or("").to_owned())
        })
    })
}

async fn commands_buttons_events_then_reconnect(backend: Backend) {
    let mut t = start(backend, true).await;
    let mut latencies = Vec::new();

    // badger asks for a URL with the app token (never the bot token), then connects to it.
    let mut conn = t.socket.next_connection().await;
    assert_eq!(conn.path, "/link/?ticket=fake-ticket");
    let opens = t.slack.calls_to("apps.connections.open");
    assert_eq!(opens.len(), 1);
    assert_eq!(opens[0].token.as_deref(), Some(APP_TOKEN));
    assert!(opens[0].ok);
    conn.hello().await;

    // A slash command: acked with its envelope id, the ephemeral reply as the payload.
    let deploy = (ALICE, "/deploy", "whitehall release_1 to integration");
    let (ack, took) = slash_round_trip(&mut conn, "env-1", deploy).await;
    latencies.push(took);
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert!(reply_text(&ack).contains("You're deploying"), "{ack}");
    let status = t.get_json("/api/v1/status").await;
    let deploying = status["deploying"].as_array().expect("deploying");
    assert_eq!(deploying.len(), 1, "{status}");
    assert_eq!(deploying[0]["app"], "whitehall");
    assert_eq!(deploying[0]["requester"], ALICE);
    assert_eq!(deploying[0]["state"], "deploying");

    // A button press on the start alert: a bare ack, and the deployment finishes.
    let start = t
        .wait_for_message("<@U0ALICE> started deploying *whitehall* `release_1` to *integration*")
        .await;
    let id = button_value(&start, "deploy_done").expect("a Done button");
    let (ack, took) = round_trip(
        &mut conn,
        &button_envelope("env-2", ALICE, CHANNEL, "deploy_done", &id),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack, json!({"envelope_id": "env-2"}));
    t.wait_for_message(":white_check_mark: *whitehall* `release_1` to *integration* succeeded")
        .await;
    let status = t.get_json("/api/v1/status").await;
    assert_eq!(status["deploying"], json!([]), "{status}");

    // The ack of a command carries exactly what the HTTP route answers.
    let status_command = (BOB, "/deploy", "status integration");
    let (ack, took) = slash_round_trip(&mut conn, "env-3", status_command).await;
    latencies.push(took);
    let over_http = t.http_slash(BOB, "/deploy", "status integration").await;
    assert_eq!(ack["payload"], over_http);
    assert!(
        over_http["text"].as_str().unwrap_or("").contains("free"),
        "{over_http}"
    );

    // An event: acked, handled once; Slack's retry of it is acked and ignored.
    let joined = json!({"type": "member_joined_channel", "user": "UBADGERBOT", "channel": CHANNEL, "channel_type": "C"});
    let (ack, took) = round_trip(
        &mut conn,
        &event_envelope("env-4", "Ev0SOCKET", joined.clone(), 0),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack, json!({"envelope_id": "env-4"}));
    let (ack, _) = round_trip(&mut conn, &event_envelope("env-5", "Ev0SOCKET", joined, 1)).await;
    assert_eq!(ack, json!({"envelope_id": "env-5"}));
    assert_eq!(t.metric("badger_slack_events_total").await, 1);
    assert_eq!(t.metric("badger_slack_events_duplicate_total").await, 1);

    // An envelope type badger does not handle is still acknowledged.
    let (ack, _) = round_trip(
        &mut conn,
        &json!({"envelope_id": "env-6", "type": "some_future_type", "payload": {}}),
    )
    .await;
    assert_eq!(ack, json!({"envelope_id": "env-6"}));

    // The network drops the connection: badger opens a new one and carries on there.
    conn.drop_abruptly();
    let mut conn = t.socket.next_connection().await;
    assert_eq!(t.opens(), 2);
    conn.hello().await;
    let hold = (BOB, "/hold", "whitehall migration running");
    let (ack, took) = slash_round_trip(&mut conn, "env-7", hold).await;
    latencies.push(took);
    assert!(reply_text(&ack).contains("whitehall"), "{ack}");
    let status = t.get_json("/api/v1/status").await;
    let holds = status["holds"].as_array().expect("holds");
    assert_eq!(holds.len(), 1, "{status}");
    assert!(
        holds[0].to_string().contains("migration running"),
        "{status}"
    );

    // Slack asks for a refresh: badger reconnects at once and serves the new connection.
    conn.send(&json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "applink-fake"}}))
        .await;
    let mut conn = t.socket.next_connection().await;
    assert_eq!(t.opens(), 3);
    conn.hello().await;
    let (ack, _) = slash_round_trip(&mut conn, "env-8", (ALICE, "/hold", "list")).await;
    assert!(reply_text(&ack).contains("migration running"), "{ack}");

    t.app.shutdown().await;
    let logs = logged();
    for line in [
        "Socket Mode: connected",
        "Socket Mode: connection dropped; reconnecting",
        "Socket Mode: Slack asked for a new connection",
    ] {
        assert!(logs.contains(line), "{line:?} was not logged: {logs}");
    }
    for secret in [APP_TOKEN, "fake-ticket", "xoxb-test-token", SECRET] {
        assert!(!logs.contains(secret), "{secret} was logged");
    }
    // A figure, not an assertion: how long acks took on this machine.
    eprintln!("socket mode ack round trips ({backend:?}): {latencies:?}");
}
on_both_backends_logged!(commands_buttons_events_then_reconnect);

async fn a_late_command_is_acked_then_answered_privately(backend: Backend) {
    let t = start(backend, false).await;
    let (acks, mut sent) = tokio::sync::mpsc::unbounded_channel();
    let frame = slash_envelope(
        "env-late",
        ALICE,
        CHANNEL,
        "/deploy",
        "whitehall r9 to integration",
    );
    let Frame::Envelope(env) = read_frame(&frame.to_string()) else {
        panic!("an envelope")
    };
    // The database is slow: the environment's lock is held here until the ack is out, so
    // the command cannot be done by its (zero) deadline, however fast the write would be.
    let busy = hold_env_lock(&t.app.core.store, "integration").await;
    let handled = handle_within(&t.app.core, env, &acks, Duration::ZERO);
    let acked = async {
        let ack = sent.recv().await.expect("acked");
        drop(busy);
        ack
    };
    // Bounded: an ack that waited for the command would wait for this lock for ever.
    let both = tokio::time::timeout(Duration::from_secs(15), async {
        tokio::join!(handled, acked)
    });
    let ((), ack) = both.await.expect("acked before the command could be done");
    let ack: Value = serde_json::from_str(&ack).expect("JSON");
    assert_eq!(
        ack,
        json!({"envelope_id": "env-late"}),
        "a bare ack, in time"
    );
    assert!(sent.try_recv().is_err(), "one ack only");
    // The reply still reaches the person, privately, and the command took effect.
    let told = t
        .slack
        .wait_until(Duration::from_secs(15), |_| {
            t.slack.ephemerals(CHANNEL).iter().any(|e| {
                e["user"] == ALICE
                    && e["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("You're deploying")
            })
        })
        .await;
    assert!(told, "{:#?}", t.slack.ephemerals(CHANNEL));
    let status = t.get_json("/api/v1/status").await;
    assert_eq!(status["deploying"][0]["git_ref"], "r9", "{status}");
    t.app.shutdown().await;
}
on_both_backends_logged!(a_late_command_is_acked_then_answered_privately);

/// `app_home_opened` over Socket Mode goes through the same handler as over HTTP: the
/// Home tab is published once, however often Slack delivers the event.
async fn app_home_over_socket_mode(backend: Backend) {
    let mut t = start(backend, true).await;
    let mut conn = t.socket.next_connection().await;
    conn.hello().await;
    let opened = json!({"type": "app_home_opened", "user": ALICE, "channel": "D0BADGER", "tab": "home", "event_ts": "1700000000.000100"});
    for (envelope, retry) in [("env-1", 0), ("env-2", 1)] {
        let (ack, _) = round_trip(
            &mut conn,
            &event_envelope(envelope, "Ev0HOMESOCK", opened.clone(), retry),
        )
        .await;
        assert_eq!(ack, json!({"envelope_id": envelope}));
    }
    let published = t
        .slack
        .wait_until(Duration::from_secs(15), |_| {
            !t.slack.home_views(ALICE).is_empty()
        })
        .await;
    assert!(published, "the Home tab was published");
    // Everything queued is delivered: a second publish would show now.
    for _ in 0..500 {
        if t.app.core.store.outbox_pending().await.expect("outbox") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let views = t.slack.home_views(ALICE);
    assert_eq!(views.len(), 1, "{views:?}");
    assert!(views[0]["blocks"].as_array().is_some_and(|b| !b.is_empty()));
    assert_eq!(t.metric("badger_slack_events_duplicate_total").await, 1);
    t.app.shutdown().await;
}
on_both_backends_logged!(app_home_over_socket_mode);
