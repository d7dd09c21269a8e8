//! The client reaches the fake: method paths under the base URL (and the doubled slash
//! of a trailing one), the bot identity, the token check, unknown methods.

use super::*;

#[tokio::test]
async fn url_has_no_trailing_slash_and_client_hits_api_method_paths() {
    let (fake, bot) = start().await;
    assert!(fake.url().starts_with("http://127.0.0.1:"));
    assert!(fake.url().ends_with("/api"), "{}", fake.url());

    let session = bot.session();
    session.auth_test().await.unwrap();
    bot.post("C1", "hi").await;

    let calls = fake.calls();
    assert_eq!(calls[0].path, "/api/auth.test");
    assert_eq!(calls[1].path, "/api/chat.postMessage");
}

#[tokio::test]
async fn auth_test_answers_the_bot_identity() {
    let (fake, bot) = start().await;
    let resp = bot.session().auth_test().await.unwrap();
    assert_eq!(resp.user_id, SlackUserId::new(BOT_USER_ID.into()));
    assert!(resp.bot_id.is_some());
    assert_eq!(fake.calls_to("auth.test")[0].http_method, "GET");
}

#[tokio::test]
async fn requests_without_a_bot_token_are_not_authed() {
    let fake = FakeSlack::start().await;
    let person = Bot {
        client: client(&fake),
        token: SlackApiToken::new("xoxp-user-token".to_string().into()),
    };
    let result = person.session().auth_test().await;
    assert_eq!(api_error_code(result), "not_authed");

    let call = &fake.calls()[0];
    assert_eq!(call.token.as_deref(), Some("xoxp-user-token"));
    assert_eq!((call.answered, call.ok), (200, false));
}

#[tokio::test]
async fn unimplemented_methods_are_unknown_method() {
    let (fake, bot) = start().await;
    let result = bot
        .session()
        .conversations_join(&SlackApiConversationsJoinRequest::new(channel("C1")))
        .await;
    assert_eq!(api_error_code(result), "unknown_method");
    assert_eq!(fake.calls()[0].method, "conversations.join");
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_doubles_the_slash() {
    // Documents why SLACK_API_URL must not end in '/': slack-morphism joins
    // base and method with its own '/'. The fake still answers.
    let fake = FakeSlack::start().await;
    let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
        .with_slack_api_url(&format!("{}/", fake.url()));
    let bot = Bot {
        client: SlackClient::new(connector),
        token: bot_token(),
    };
    bot.session().auth_test().await.unwrap();
    assert_eq!(fake.calls()[0].path, "/api//auth.test");
    assert_eq!(fake.calls()[0].method, "auth.test");
}
