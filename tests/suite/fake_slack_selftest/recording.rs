//! The recorded calls: in arrival order with failures, waited for while made
//! concurrently, and read one by one with the in-order reader (and its panics).

use super::*;

#[tokio::test]
async fn calls_are_recorded_in_order_including_failures() {
    let (fake, bot) = start().await;
    fake.fail_next("conversations.info", 1, Failure::ServerError);
    let session = bot.session();

    let _ = session.auth_test().await.unwrap();
    let _ = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap_err();
    let _ = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel("C1")))
        .await
        .unwrap();
    bot.post("C1", "m").await;
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

#[tokio::test]
async fn wait_until_sees_calls_made_concurrently() {
    let fake = FakeSlack::start().await;
    let background = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Bot::new(&background).session().auth_test().await.unwrap();
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
async fn calls_are_read_one_by_one_in_order() {
    let (fake, bot) = start().await;
    bot.post("C1", "first").await;
    bot.post("C2", "second").await;
    assert_eq!(fake.unread().len(), 2);
    let first = fake.next_call();
    assert_eq!(first.body["text"], "first");
    let second = fake.expect_call("chat.postMessage");
    assert_eq!(second.body["channel"], "C2");
    fake.expect_no_more_calls();
    // Read calls stay recorded; only the reading position moves.
    assert_eq!(fake.calls().len(), 2);
    bot.post("C1", "third").await;
    assert_eq!(fake.read_all().len(), 1);
    fake.expect_no_more_calls();
}

/// A fake Slack the bot has posted "hello" to, in `C1`.
async fn hello_posted() -> FakeSlack {
    let (fake, bot) = start().await;
    bot.post("C1", "hello").await;
    fake
}

#[tokio::test]
#[should_panic(
    expected = "expected a call to conversations.setTopic next, but the unread calls were:\n  chat.postMessage C1 \"hello\" -> 200"
)]
async fn expecting_another_method_names_what_came_instead() {
    let fake = hello_posted().await;
    fake.expect_call("conversations.setTopic");
}

#[tokio::test]
#[should_panic(expected = "expected another Slack call, but every call was read")]
async fn reading_past_the_end_fails() {
    let fake = hello_posted().await;
    fake.next_call();
    fake.next_call();
}

#[tokio::test]
#[should_panic(
    expected = "1 Slack call(s) were left unread:\n  chat.postMessage C1 \"hello\" -> 200"
)]
async fn an_unread_call_fails_the_check() {
    let fake = hello_posted().await;
    fake.expect_no_more_calls();
}
