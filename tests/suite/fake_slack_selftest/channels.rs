//! Channel state: a topic set by a person or by the bot (and its length limit), and
//! `not_in_channel` while the bot is out of a channel.

use super::*;

#[tokio::test]
async fn conversations_info_shows_a_topic_set_by_a_person() {
    let (fake, bot) = start().await;
    fake.set_channel_name("C1", "deploys");
    fake.set_topic("C1", "Deploying: alice");
    assert_eq!(fake.topic("C1"), "Deploying: alice");

    let session = bot.session();
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
    let (fake, bot) = start().await;
    let session = bot.session();

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
async fn not_in_channel_is_an_api_error_until_cleared() {
    let (fake, bot) = start().await;
    fake.set_not_in_channel("C1", true);
    let session = bot.session();
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
    bot.post("C2", "x").await;

    fake.set_not_in_channel("C1", false);
    session.chat_post_message(&post).await.unwrap();
    assert_eq!(fake.messages("C1").len(), 1);
}
