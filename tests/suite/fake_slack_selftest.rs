//! Drives slack-morphism's real hyper client against the fake Slack Web API,
//! to check that the fake answers in shapes the client accepts and that its
//! failures surface as the client errors badger will see.

use crate::support;

use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use support::fake_slack::{Call, Failure, FakeSlack, BOT_USER_ID, HUMAN_USER_ID};

type Client = SlackClient<SlackClientHyperConnector<HttpConnector>>;

fn client(fake: &FakeSlack) -> Client {
    let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
        .with_slack_api_url(&fake.url());
    SlackClient::new(connector)
}

fn bot_token() -> SlackApiToken {
    SlackApiToken::new("xoxb-test".to_string().into())
}

fn channel(id: &str) -> SlackChannelId {
    SlackChannelId::new(id.to_string())
}

fn text(t: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(t.to_string())
}

fn api_error_code(result: Result<impl std::fmt::Debug, SlackClientError>) -> String {
    match result {
        Err(SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected an ApiError, got {other:?}"),
    }
}

#[tokio::test]
async fn url_has_no_trailing_slash_and_client_hits_api_method_paths() {
    let fake = FakeSlack::start().await;
    assert!(fake.url().starts_with("http://127.0.0.1:"));
    assert!(fake.url().ends_with("/api"), "{}", fake.url());

    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    session.auth_test().await.unwrap();
    session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("hi"),
        ))
        .await
        .unwrap();

    let calls = fake.calls();
    assert_eq!(calls[0].path, "/api/auth.test");
    assert_eq!(calls[1].path, "/api/chat.postMessage");
}

#[tokio::test]
async fn post_message_with_blocks_is_stored_and_answered_in_slack_shape() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let blocks: Vec<SlackBlock> = vec![SlackSectionBlock::new()
        .with_text(md!("*Queue*: alice, bob"))
        .into()];
    let content = text("Queue: alice, bob").with_blocks(blocks);
    let resp = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(channel("C1"), content))
        .await
        .unwrap();

    assert_eq!(resp.channel, channel("C1"));
    assert_eq!(resp.ts.value(), "1700000000.000100");
    assert_eq!(resp.message.origin.ts, resp.ts);
    assert_eq!(
        resp.message.content.text.as_deref(),
        Some("Queue: alice, bob")
    );
    assert_eq!(resp.message.content.blocks.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        resp.message.sender.user,
        Some(SlackUserId::new(BOT_USER_ID.into()))
    );

    let messages = fake.messages("C1");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["ts"], "1700000000.000100");
    assert_eq!(messages[0]["text"], "Queue: alice, bob");
    assert_eq!(
        messages[0]["blocks"],
        json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*Queue*: alice, bob"}}])
    );
    assert!(fake.messages("C2").is_empty());

    // ts keeps increasing.
    let second = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C2"),
            text("x"),
        ))
        .await
        .unwrap();
    assert_eq!(second.ts.value(), "1700000000.000200");

    let call = &fake.calls_to("chat.postMessage")[0];
    assert_eq!(call.http_method, "POST");
    assert_eq!(call.body["channel"], "C1");
    assert_eq!(call.body["text"], "Queue: alice, bob");
    assert_eq!(call.token.as_deref(), Some("xoxb-test"));
}

#[tokio::test]
async fn post_message_without_content_is_no_text() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let result = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            SlackMessageContent::new(),
        ))
        .await;
    assert_eq!(api_error_code(result), "no_text");
    assert!(fake.messages("C1").is_empty());
}

#[tokio::test]
async fn chat_update_replaces_the_stored_message() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let first = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("one"),
        ))
        .await
        .unwrap();
    let second = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("two"),
        ))
        .await
        .unwrap();

    let blocks: Vec<SlackBlock> = vec![SlackSectionBlock::new().with_text(md!("uno")).into()];
    let resp = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel("C1"),
            text("one, edited").with_blocks(blocks),
            first.ts.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(resp.ts, first.ts);
    assert_eq!(resp.message.content.text.as_deref(), Some("one, edited"));
    assert!(resp.message.edited.is_some());

    let messages = fake.messages("C1");
    assert_eq!(messages.len(), 2, "update must not add a message");
    assert_eq!(messages[0]["ts"], first.ts.value().as_str());
    assert_eq!(messages[0]["text"], "one, edited");
    assert_eq!(messages[0]["blocks"][0]["text"]["text"], "uno");
    assert_eq!(messages[1]["ts"], second.ts.value().as_str());
    assert_eq!(messages[1]["text"], "two");

    let unknown = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel("C1"),
            text("nope"),
            SlackTs::new("1600000000.000001".into()),
        ))
        .await;
    assert_eq!(api_error_code(unknown), "message_not_found");

    // The right ts in the wrong channel is not found either.
    let wrong_channel = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel("C2"),
            text("nope"),
            first.ts.clone(),
        ))
        .await;
    assert_eq!(api_error_code(wrong_channel), "message_not_found");
}

#[tokio::test]
async fn conversations_info_shows_a_topic_set_by_a_person() {
    let fake = FakeSlack::start().await;
    fake.set_channel_name("C1", "deploys");
    fake.set_topic("C1", "Deploying: alice");
    assert_eq!(fake.topic("C1"), "Deploying: alice");

    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let info = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap();

    assert_eq!(info.channel.id, channel("C1"));
    assert_eq!(info.channel.name.as_deref(), Some("deploys"));
    assert_eq!(info.channel.flags.is_channel, Some(true));
    assert_eq!(info.channel.flags.is_member, Some(true));
    let topic = info.channel.topic.expect("topic");
    assert_eq!(topic.value, "Deploying: alice");
    assert_eq!(topic.creator, Some(SlackUserId::new(HUMAN_USER_ID.into())));
    assert!(topic.last_set.is_some());

    let call = &fake.calls_to("conversations.info")[0];
    assert_eq!(call.http_method, "GET");
    assert_eq!(call.body, json!({"channel": "C1"}));
}

#[tokio::test]
async fn set_topic_is_stored_and_limited_to_250_characters() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    // 250 characters (but 500 bytes) is fine: the limit counts characters.
    let exactly_250 = "é".repeat(250);
    session
        .conversations_set_topic(&SlackApiConversationsSetTopicRequest::new(
            channel("C1"),
            exactly_250.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(fake.topic("C1"), exactly_250);

    let too_long = session
        .conversations_set_topic(&SlackApiConversationsSetTopicRequest::new(
            channel("C1"),
            "x".repeat(251),
        ))
        .await;
    assert_eq!(api_error_code(too_long), "too_long");
    assert_eq!(
        fake.topic("C1"),
        exactly_250,
        "a rejected topic is not stored"
    );

    let info = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap();
    let topic = info.channel.topic.unwrap();
    assert_eq!(topic.value, exactly_250);
    assert_eq!(topic.creator, Some(SlackUserId::new(BOT_USER_ID.into())));
}

#[tokio::test]
async fn rate_limited_failure_carries_retry_after_then_service_resumes() {
    let fake = FakeSlack::start().await;
    fake.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 7,
        },
    );
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let req = SlackApiChatPostMessageRequest::new(channel("C1"), text("hello"));

    match session.chat_post_message(&req).await {
        Err(SlackClientError::RateLimitError(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
            assert_eq!(e.code.as_deref(), Some("ratelimited"));
        }
        other => panic!("expected a RateLimitError, got {other:?}"),
    }
    assert!(fake.messages("C1").is_empty());

    session.chat_post_message(&req).await.unwrap();
    assert_eq!(fake.messages("C1").len(), 1);

    let calls = fake.calls_to("chat.postMessage");
    assert_eq!((calls[0].answered, calls[0].ok), (429, false));
    assert_eq!((calls[1].answered, calls[1].ok), (200, true));
}

#[tokio::test]
async fn fail_next_counts_calls_to_that_method_only() {
    let fake = FakeSlack::start().await;
    fake.fail_next("conversations.setTopic", 2, Failure::ServerError);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let req = SlackApiConversationsSetTopicRequest::new(channel("C1"), "t".into());

    // Other methods are unaffected.
    session.auth_test().await.unwrap();
    for _ in 0..2 {
        match session.conversations_set_topic(&req).await {
            Err(SlackClientError::HttpError(e)) => assert_eq!(e.status_code.as_u16(), 500),
            other => panic!("expected an HttpError, got {other:?}"),
        }
    }
    session.conversations_set_topic(&req).await.unwrap();
    assert_eq!(fake.topic("C1"), "t");
}

#[tokio::test]
async fn scripted_slack_error_is_an_api_error() {
    let fake = FakeSlack::start().await;
    fake.fail_next("chat.update", 1, Failure::SlackError("cant_update_message"));
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("a"),
        ))
        .await
        .unwrap();
    let update = SlackApiChatUpdateRequest::new(channel("C1"), text("b"), posted.ts);

    assert_eq!(
        api_error_code(session.chat_update(&update).await),
        "cant_update_message"
    );
    session.chat_update(&update).await.unwrap();
    assert_eq!(fake.messages("C1")[0]["text"], "b");
}

#[tokio::test]
async fn not_in_channel_is_an_api_error_until_cleared() {
    let fake = FakeSlack::start().await;
    fake.set_not_in_channel("C1", true);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let post = SlackApiChatPostMessageRequest::new(channel("C1"), text("hello"));

    assert_eq!(
        api_error_code(session.chat_post_message(&post).await),
        "not_in_channel"
    );
    assert_eq!(
        api_error_code(
            session
                .conversations_set_topic(&SlackApiConversationsSetTopicRequest::new(
                    channel("C1"),
                    "t".into()
                ))
                .await
        ),
        "not_in_channel"
    );
    assert_eq!(
        api_error_code(
            session
                .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
                .await
        ),
        "not_in_channel"
    );
    // Other channels are unaffected.
    session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C2"),
            text("x"),
        ))
        .await
        .unwrap();

    fake.set_not_in_channel("C1", false);
    session.chat_post_message(&post).await.unwrap();
    assert_eq!(fake.messages("C1").len(), 1);
}

#[tokio::test]
async fn post_ephemeral_is_recorded() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            channel("C1"),
            SlackUserId::new("U1".into()),
            text("only you"),
        ))
        .await
        .unwrap();

    let ephemerals = fake.ephemerals("C1");
    assert_eq!(ephemerals.len(), 1);
    assert_eq!(ephemerals[0]["user"], "U1");
    assert_eq!(ephemerals[0]["text"], "only you");
    assert!(ephemerals[0]["message_ts"].is_string());
    assert!(
        fake.messages("C1").is_empty(),
        "ephemerals are not channel messages"
    );
}

#[tokio::test]
async fn auth_test_answers_the_bot_identity() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let resp = client.open_session(&token).auth_test().await.unwrap();
    assert_eq!(resp.user_id, SlackUserId::new(BOT_USER_ID.into()));
    assert!(resp.bot_id.is_some());
    assert_eq!(fake.calls_to("auth.test")[0].http_method, "GET");
}

#[tokio::test]
async fn requests_without_a_bot_token_are_not_authed() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = SlackApiToken::new("xoxp-user-token".to_string().into());
    let result = client.open_session(&token).auth_test().await;
    assert_eq!(api_error_code(result), "not_authed");

    let call = &fake.calls()[0];
    assert_eq!(call.token.as_deref(), Some("xoxp-user-token"));
    assert_eq!((call.answered, call.ok), (200, false));
}

#[tokio::test]
async fn unimplemented_methods_are_unknown_method() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let result = client
        .open_session(&token)
        .conversations_join(&SlackApiConversationsJoinRequest::new(channel("C1")))
        .await;
    assert_eq!(api_error_code(result), "unknown_method");
    assert_eq!(fake.calls()[0].method, "conversations.join");
}

#[tokio::test]
async fn calls_are_recorded_in_order_including_failures() {
    let fake = FakeSlack::start().await;
    fake.fail_next("conversations.info", 1, Failure::ServerError);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);

    let _ = session.auth_test().await.unwrap();
    let _ = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap_err();
    let _ = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap();
    let _ = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("m"),
        ))
        .await
        .unwrap();
    let _ = session
        .conversations_set_topic(&SlackApiConversationsSetTopicRequest::new(
            channel("C1"),
            "y".repeat(300),
        ))
        .await
        .unwrap_err();

    let summary: Vec<(String, u16, bool)> = fake
        .calls()
        .into_iter()
        .map(|c| (c.method, c.answered, c.ok))
        .collect();
    let expected = [
        ("auth.test", 200, true),
        ("conversations.info", 500, false),
        ("conversations.info", 200, true),
        ("chat.postMessage", 200, true),
        ("conversations.setTopic", 200, false),
    ];
    let expected: Vec<(String, u16, bool)> = expected
        .iter()
        .map(|(m, s, ok)| (m.to_string(), *s, *ok))
        .collect();
    assert_eq!(summary, expected);
    assert!(fake
        .calls()
        .iter()
        .all(|c| c.token.as_deref() == Some("xoxb-test")));

    fake.clear_calls();
    assert!(fake.calls().is_empty());
    assert_eq!(fake.messages("C1").len(), 1, "clearing calls keeps state");
}

async fn failure_schedule(rate: f64, seed: u64) -> Vec<u16> {
    let fake = FakeSlack::start().await;
    fake.set_failure_rate(rate, seed);
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    for _ in 0..100 {
        let _ = session.auth_test().await;
    }
    fake.calls().iter().map(|c| c.answered).collect()
}

#[tokio::test]
async fn failure_rate_is_deterministic_and_alternates_429_and_500() {
    let schedule = failure_schedule(0.3, 42).await;
    assert_eq!(
        schedule,
        failure_schedule(0.3, 42).await,
        "same seed, same schedule"
    );
    assert_ne!(
        schedule,
        failure_schedule(0.3, 43).await,
        "other seed, other schedule"
    );

    let failures: Vec<u16> = schedule.iter().copied().filter(|s| *s != 200).collect();
    assert!(
        (15..=45).contains(&failures.len()),
        "about 30% of 100 calls should fail, got {}",
        failures.len()
    );
    for (i, status) in failures.iter().enumerate() {
        assert_eq!(*status, if i % 2 == 0 { 429 } else { 500 });
    }

    assert!(failure_schedule(0.0, 42).await.iter().all(|s| *s == 200));
}

#[tokio::test]
async fn wait_until_sees_calls_made_concurrently() {
    let fake = FakeSlack::start().await;
    let background = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let client = client(&background);
        let token = bot_token();
        client.open_session(&token).auth_test().await.unwrap();
    });

    let seen = fake
        .wait_until(Duration::from_secs(5), |calls: &[Call]| {
            calls.iter().any(|c| c.method == "auth.test")
        })
        .await;
    assert!(seen);

    let never = fake
        .wait_until(Duration::from_millis(30), |calls: &[Call]| {
            calls.iter().any(|c| c.method == "chat.postMessage")
        })
        .await;
    assert!(!never);
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_doubles_the_slash() {
    // Documents why SLACK_API_URL must not end in '/': slack-morphism joins
    // base and method with its own '/'. The fake still answers.
    let fake = FakeSlack::start().await;
    let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
        .with_slack_api_url(&format!("{}/", fake.url()));
    let client = SlackClient::new(connector);
    let token = bot_token();
    client.open_session(&token).auth_test().await.unwrap();
    assert_eq!(fake.calls()[0].path, "/api//auth.test");
    assert_eq!(fake.calls()[0].method, "auth.test");
}

#[tokio::test]
async fn a_rate_controlled_client_retries_429_by_itself() {
    // With `with_rate_control(.. max_retries ..)` slack-morphism sleeps for
    // Retry-After and retries a 429 itself; only non-429 errors reach badger.
    let fake = FakeSlack::start().await;
    fake.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 0,
        },
    );
    let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
        .with_slack_api_url(&fake.url())
        .with_rate_control(SlackApiRateControlConfig::new().with_max_retries(1));
    let client = SlackClient::new(connector);
    let token = bot_token();
    client
        .open_session(&token)
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel("C1"),
            text("r"),
        ))
        .await
        .unwrap();
    let statuses: Vec<u16> = fake.calls().iter().map(|c| c.answered).collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(fake.messages("C1").len(), 1);
}

#[tokio::test]
async fn paused_calls_wait_unrecorded_until_resumed() {
    let fake = FakeSlack::start().await;
    fake.set_topic("C1", "intro");
    fake.pause("conversations.info");
    let client = client(&fake);
    let token = bot_token();
    let reader = {
        let fake = fake.clone();
        tokio::spawn(async move {
            let session = client.open_session(&token);
            let info = session
                .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
                .await
                .unwrap();
            (info.channel.topic.unwrap().value, fake.calls().len())
        })
    };
    assert!(
        fake.wait_until(Duration::from_secs(5), |_| fake.waiting() == 1)
            .await
    );
    assert!(fake.calls_to("conversations.info").is_empty());
    // Answered with the state at the time it is let through.
    fake.set_topic("C1", "changed while paused");
    fake.resume("conversations.info");
    let (topic, calls) = reader.await.unwrap();
    assert_eq!(topic, "changed while paused");
    assert_eq!(calls, 1);
    assert_eq!(fake.waiting(), 0);
}

/// views.publish answers the whole stateful view, which slack-morphism parses strictly
/// (`id`, `team_id`, `hash`); the view is recorded for the user; too many blocks are refused.
#[tokio::test]
async fn views_publish_answers_in_slacks_shape_and_is_recorded() {
    let fake = FakeSlack::start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let section = |t: &str| SlackBlock::Section(SlackSectionBlock::new().with_text(md!("{}", t)));
    let view = SlackView::Home(SlackHomeView::new(vec![section("hello")]));
    let r = session
        .views_publish(&SlackApiViewsPublishRequest::new(
            "U0ALICE".to_string().into(),
            view,
        ))
        .await
        .unwrap();
    assert!(!r.view.state_params.id.to_string().is_empty());
    assert_eq!(r.view.state_params.team_id.to_string(), "TFAKETEAM");
    let views = fake.home_views("U0ALICE");
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["blocks"][0]["text"]["text"], "hello");
    assert!(fake.home_views("U0BOB").is_empty());

    let too_many: Vec<SlackBlock> = (0..101).map(|i| section(&i.to_string())).collect();
    let refused = session
        .views_publish(&SlackApiViewsPublishRequest::new(
            "U0ALICE".to_string().into(),
            SlackView::Home(SlackHomeView::new(too_many)),
        ))
        .await;
    assert_eq!(api_error_code(refused), "invalid_arguments");
    assert_eq!(fake.home_views("U0ALICE").len(), 1);
}

/// Posts `text` to `channel` through the real client.
async fn post(fake: &FakeSlack, channel_id: &str, t: &str) {
    let client = client(fake);
    let token = bot_token();
    client
        .open_session(&token)
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel(channel_id),
            text(t),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn calls_are_read_one_by_one_in_order() {
    let fake = FakeSlack::start().await;
    post(&fake, "C1", "first").await;
    post(&fake, "C2", "second").await;
    assert_eq!(fake.unread().len(), 2);
    let first = fake.next_call();
    assert_eq!(first.body["text"], "first");
    let second = fake.expect_call("chat.postMessage");
    assert_eq!(second.body["channel"], "C2");
    fake.expect_no_more_calls();
    // Read calls stay recorded; only the reading position moves.
    assert_eq!(fake.calls().len(), 2);
    post(&fake, "C1", "third").await;
    assert_eq!(fake.read_all().len(), 1);
    fake.expect_no_more_calls();
}

#[tokio::test]
#[should_panic(
    expected = "expected a call to conversations.setTopic next, but the unread calls were:\n  chat.postMessage C1 \"hello\" -> 200"
)]
async fn expecting_another_method_names_what_came_instead() {
    let fake = FakeSlack::start().await;
    post(&fake, "C1", "hello").await;
    fake.expect_call("conversations.setTopic");
}

#[tokio::test]
#[should_panic(expected = "expected another Slack call, but every call was read")]
async fn reading_past_the_end_fails() {
    let fake = FakeSlack::start().await;
    post(&fake, "C1", "hello").await;
    fake.next_call();
    fake.next_call();
}

#[tokio::test]
#[should_panic(
    expected = "1 Slack call(s) were left unread:\n  chat.postMessage C1 \"hello\" -> 200"
)]
async fn an_unread_call_fails_the_check() {
    let fake = FakeSlack::start().await;
    post(&fake, "C1", "hello").await;
    fake.expect_no_more_calls();
}
