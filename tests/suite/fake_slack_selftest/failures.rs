//! Failures the fake answers with: scripted 429s, 500s and Slack errors, the random
//! failure rate, a client that retries 429s itself, and paused calls.

use super::*;

#[tokio::test]
async fn rate_limited_failure_carries_retry_after_then_service_resumes() {
    let (fake, bot) = start().await;
    fake.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 7,
        },
    );
    let session = bot.session();
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
    let (fake, bot) = start().await;
    fake.fail_next("conversations.setTopic", 2, Failure::ServerError);
    let session = bot.session();
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
    let (fake, bot) = start().await;
    fake.fail_next("chat.update", 1, Failure::SlackError("cant_update_message"));
    let session = bot.session();
    let posted = bot.post("C1", "a").await;
    let update = SlackApiChatUpdateRequest::new(channel("C1"), text("b"), posted.ts);

    assert_eq!(
        api_error_code(session.chat_update(&update).await),
        "cant_update_message"
    );
    session.chat_update(&update).await.unwrap();
    assert_eq!(fake.messages("C1")[0]["text"], "b");
}

async fn failure_schedule(rate: f64, seed: u64) -> Vec<u16> {
    let (fake, bot) = start().await;
    fake.set_failure_rate(rate, seed);
    let session = bot.session();
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
    let bot = Bot {
        client: SlackClient::new(connector),
        token: bot_token(),
    };
    bot.post("C1", "r").await;
    let statuses: Vec<u16> = fake.calls().iter().map(|c| c.answered).collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(fake.messages("C1").len(), 1);
}

#[tokio::test]
async fn paused_calls_wait_unrecorded_until_resumed() {
    let (fake, bot) = start().await;
    fake.set_topic("C1", "intro");
    fake.pause("conversations.info");
    let reader = {
        let fake = fake.clone();
        tokio::spawn(async move {
            let info = bot
                .session()
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
