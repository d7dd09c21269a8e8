//! The channel topic and what reaches Slack: twenty holds within the length limit,
//! escaping, coalesced writes, people's edits, and Slack saying no (not in channel, too
//! long, rate limits and errors).

use super::*;
use crate::support::fake_slack::Failure;

async fn twenty_holds_fit_the_topic(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;
    let reason = "migrating the publishing database & reindexing search, please wait for the all-clear from the platform team before deploying";
    for i in 0..20 {
        let r = t
            .hold(&format!("U0P{i:02}"), &format!("app-{i:02} {reason}"))
            .await;
        r.assert_says("is in place");
    }
    // Twenty announcements; one topic write (the earlier syncs are superseded), which
    // Slack accepts.
    t.deliver_outbox().await;
    for i in 0..20 {
        t.expect_post(&format!(
            "<@U0P{i:02}> is holding deployments of *app-{i:02}*"
        ));
    }
    let now = t.expect_topic_sync();
    assert!(chars(&now) <= 250, "{} chars: {now}", chars(&now));
    assert!(now.starts_with(PEOPLE), "{now}");
    assert!(now.contains("app-00 (<@U0P00>"), "{now}");
    assert!(now.contains(" more holds 🔒"), "{now}");
    assert!(t
        .slack
        .calls_to("conversations.setTopic")
        .iter()
        .all(|c| c.ok));

    // Every hold is in the list, in the text and in what Slack shows (the blocks).
    let r = t.hold(ALICE, "list").await;
    r.assert_says("*Holds* (20)");
    let shown = blocks_text(&r.json);
    for i in 0..20 {
        let line = format!("app-{i:02} held by <@U0P{i:02}>");
        r.assert_says(&line);
        assert!(shown.contains(&line), "{line} not shown: {shown}");
    }
    let status = t.deploy(ALICE, "status").await;
    status.assert_says("*Holds* (20)");
    let shown = blocks_text(&status.json);
    for i in 0..20 {
        assert!(shown.contains(&format!("app-{i:02} held by")), "{shown}");
    }

    // Releasing all twenty leaves people's text exactly.
    for i in 0..20 {
        t.hold(&format!("U0P{i:02}"), &format!("release app-{i:02}"))
            .await;
    }
    t.deliver_outbox().await;
    for i in 0..20 {
        t.expect_update(&format!("<@U0P{i:02}> is holding"));
        t.expect_post(&format!("released the hold on app-{i:02}"));
    }
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.stop().await;
}
on_both_backends!(twenty_holds_fit_the_topic);

async fn reasons_reach_slack_escaped(backend: Backend) {
    let t = stepped_with_topic(backend, "intro").await;
    let raw = "<!channel> <@U123> & <https://x|y>";
    let escaped = "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://x|y&gt;";
    t.hold(ALICE, &format!("whitehall {raw}")).await;

    // The announcement: text and blocks.
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0ALICE> is holding");
    let text = m["text"].as_str().unwrap();
    assert!(text.contains(&format!("Reason: {escaped}")), "{text}");
    let shown = blocks_text(&m);
    assert!(shown.contains(escaped), "{shown}");
    // The topic.
    assert_eq!(
        t.expect_topic_sync(),
        format!("intro | 🔒 Held: whitehall (<@U0ALICE>: {escaped}) 🔒")
    );
    // Replies: the refusal, the list, the status.
    let refusal = t.deploy(DAVE, "whitehall r1 to integration").await;
    let list = t.hold(DAVE, "list").await;
    let status = t.deploy(DAVE, "status").await;
    for r in [&refusal, &list, &status] {
        r.assert_says(escaped);
        assert!(blocks_text(&r.json).contains(escaped), "{}", r.json);
    }

    // Nothing badger sent anywhere carries the raw sequences.
    t.hold(ALICE, "release whitehall").await;
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ALICE, "whitehall");
    assert_eq!(t.expect_topic_sync(), "intro");
    for call in t.slack.calls() {
        let body = call.body.to_string();
        for bad in ["<!channel>", "<@U123>", "<https://x|y>", " & "] {
            assert!(!body.contains(bad), "{} sent {bad}: {body}", call.method);
        }
    }
    t.stop().await;
}
on_both_backends!(reasons_reach_slack_escaped);

// ---------------------------------------------------------------------------------------
// Topic writes: coalescing, people's edits, Slack saying no.

async fn topic_writes_coalesce(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    // Hold the first topic write in the middle of its read, then make ten changes.
    t.slack.pause("conversations.info");
    let apps = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];
    for app in apps {
        t.hold(ALICE, &format!("{app} r")).await;
    }
    t.hold(ALICE, "release a10").await;
    t.hold(ALICE, "a1 changed").await;
    assert!(
        t.slack
            .wait_until(std::time::Duration::from_secs(15), |_| t.slack.waiting()
                == 1)
            .await
    );
    t.slack.resume("conversations.info");
    let now = topic(&t).await;
    let expected: Vec<String> = std::iter::once("a1 (<@U0ALICE>: changed)".to_owned())
        .chain(apps[1..9].iter().map(|a| format!("{a} (<@U0ALICE>: r)")))
        .collect();
    assert_eq!(
        now,
        format!("{PEOPLE} | 🔒 Held: {} 🔒", expected.join("; "))
    );
    let writes = t.slack.calls_to("conversations.setTopic").len();
    assert!(
        (1..=2).contains(&writes),
        "{writes} topic writes for 12 changes"
    );
    assert!(t.slack.calls_to("conversations.info").len() <= 2);
    t.stop().await;
}
on_both_backends!(topic_writes_coalesce);

async fn people_edits_between_writes_survive(backend: Backend) {
    let t = stepped_with_topic(backend, "Intro").await;
    let ours = "🔒 Held: whitehall (<@U0ALICE>: migration) 🔒";
    let (_, topic) = hold_announced(&t, ALICE, "whitehall migration").await;
    assert_eq!(topic, format!("Intro | {ours}"));

    // Someone rewrites the intro and adds text after badger's segment.
    t.slack.set_topic(
        CHANNEL,
        &format!("New intro | {ours} | on call: <@U0ONCALL>"),
    );
    let (_, topic) = hold_announced(&t, BOB, "publisher release").await;
    assert_eq!(
        topic,
        "New intro | 🔒 Held: whitehall (<@U0ALICE>: migration); publisher (<@U0BOB>: release) 🔒 | on call: <@U0ONCALL>"
    );
    // Someone removes badger's segment by hand: the next write puts it back, at the end.
    t.slack.set_topic(CHANNEL, "Hands off");
    t.hold(ALICE, "release whitehall").await;
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ALICE, "whitehall");
    assert_eq!(
        t.expect_topic_sync(),
        "Hands off | 🔒 Held: publisher (<@U0BOB>: release) 🔒"
    );
    t.hold(BOB, "release publisher").await;
    t.deliver_outbox().await;
    expect_release(&t, BOB, BOB, "publisher");
    assert_eq!(t.expect_topic_sync(), "Hands off");
    t.stop().await;
}
on_both_backends!(people_edits_between_writes_survive);

async fn not_in_channel_is_told_once_and_not_retried(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;
    t.slack.set_not_in_channel(CHANNEL, true);
    let r = t.hold(ALICE, "whitehall migration").await;
    r.assert_says("is in place");
    t.deliver_outbox().await;
    // Slack refuses the announcement and the topic read; Alice is told once, and as an
    // ephemeral can't reach her there, by direct message.
    assert!(!t.slack.expect_call("chat.postMessage").ok);
    assert!(!t.slack.expect_call("conversations.info").ok);
    assert!(!t.slack.expect_call("chat.postEphemeral").ok);
    let dm = t.expect_post_in(ALICE, "not a member of this channel");
    assert!(dm["text"].as_str().unwrap().contains("/invite"), "{dm}");
    // The hold binds all the same.
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    r.assert_says("can't be deployed");
    // Nothing is retried.
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    assert_eq!(t.slack.topic(CHANNEL), PEOPLE);

    // When badger is invited, Slack says so and the topic catches up by itself.
    t.slack.set_not_in_channel(CHANNEL, false);
    let joined = serde_json::json!({
        "type": "event_callback", "event_id": "Ev0JOINED", "team_id": "T1",
        "event": {"type": "member_joined_channel", "user": "UBADGERBOT", "channel": CHANNEL, "channel_type": "C"}
    });
    let r = t
        .signed("/slack/events", "application/json", joined.to_string())
        .await;
    assert_eq!(r.status(), 200);
    t.deliver_outbox().await;
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration) 🔒")
    );
    // And later changes keep it up to date, telling nobody anything privately.
    let (_, topic) = hold_announced(&t, BOB, "publisher release").await;
    assert_eq!(
        topic,
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration); publisher (<@U0BOB>: release) 🔒")
    );
    t.stop().await;
}
on_both_backends!(not_in_channel_is_told_once_and_not_retried);

/// A credentials refusal of the topic (a scope missing) is told to the person who held at
/// once, not after a day of retries as an announcement's is; the hold binds all the same.
async fn missing_scope_is_told_at_once(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let missing_scope = Failure::SlackError("missing_scope");
    t.slack.fail_next("conversations.info", 1, missing_scope);
    t.hold(ALICE, "whitehall migration").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    assert!(!t.slack.expect_call("conversations.info").ok);
    let told = t.expect_ephemeral(ALICE, "couldn't update the channel topic");
    assert!(told.contains("`missing_scope`"), "{told}");
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    r.assert_says("can't be deployed");
    t.stop().await;
}
on_both_backends!(missing_scope_is_told_at_once);

async fn too_long_is_told_once_and_not_retried(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;
    t.slack
        .fail_next("conversations.setTopic", 1, Failure::SlackError("too_long"));
    t.hold(ALICE, "whitehall migration").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    t.slack.expect_call("conversations.info");
    assert!(!t.slack.expect_call("conversations.setTopic").ok);
    let told = t.expect_ephemeral(ALICE, "couldn't update the channel topic");
    assert!(told.contains("too long"), "{told}");
    assert!(told.contains("/hold list"), "{told}");
    // Not retried.
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    assert_eq!(t.slack.topic(CHANNEL), PEOPLE);
    // The hold stands and binds; the next change writes the topic.
    assert_eq!(standing(&t).await.len(), 1);
    let (_, topic) = hold_announced(&t, BOB, "publisher release").await;
    assert!(
        topic.contains("whitehall (<@U0ALICE>: migration); publisher"),
        "{topic}"
    );
    t.stop().await;
}
on_both_backends!(too_long_is_told_once_and_not_retried);

async fn topic_survives_rate_limits_and_errors(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;
    let rate_limited = Failure::RateLimited {
        retry_after_secs: 1,
    };
    t.slack.fail_next("conversations.info", 1, rate_limited);
    t.slack
        .fail_next("conversations.setTopic", 1, Failure::ServerError);
    t.hold(ALICE, "whitehall migration").await;
    // The retries wait for Retry-After and the backoff, in real time.
    t.deliver_outbox_with_retries().await;
    t.expect_post("<@U0ALICE> is holding");
    assert_eq!(t.slack.expect_call("conversations.info").answered, 429);
    t.slack.expect_call("conversations.info");
    assert_eq!(t.slack.expect_call("conversations.setTopic").answered, 500);
    // Nobody is told of a failure that a retry mended.
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration) 🔒")
    );
    t.stop().await;
}
on_both_backends!(topic_survives_rate_limits_and_errors);
