//! Messages and views: chat.postMessage, chat.update, chat.postEphemeral and
//! views.publish are stored and answered in the shapes slack-morphism parses.

use super::*;

#[tokio::test]
async fn post_message_with_blocks_is_stored_and_answered_in_slack_shape() {
    let (fake, bot) = start().await;
    let session = bot.session();

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
    let second = bot.post("C2", "x").await;
    assert_eq!(second.ts.value(), "1700000000.000200");

    let call = &fake.calls_to("chat.postMessage")[0];
    assert_eq!(call.http_method, "POST");
    assert_eq!(call.body["channel"], "C1");
    assert_eq!(call.body["text"], "Queue: alice, bob");
    assert_eq!(call.token.as_deref(), Some("xoxb-test"));
}

#[tokio::test]
async fn post_message_without_content_is_no_text() {
    let (fake, bot) = start().await;
    let session = bot.session();

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
    let (fake, bot) = start().await;
    let session = bot.session();

    let first = bot.post("C1", "one").await;
    let second = bot.post("C1", "two").await;

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
async fn post_ephemeral_is_recorded() {
    let (fake, bot) = start().await;
    let session = bot.session();

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

/// views.publish answers the whole stateful view, which slack-morphism parses strictly
/// (`id`, `team_id`, `hash`); the view is recorded for the user; too many blocks are refused.
#[tokio::test]
async fn views_publish_answers_in_slacks_shape_and_is_recorded() {
    let (fake, bot) = start().await;
    let session = bot.session();
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
