//! Drives slack-morphism's real hyper client against the fake Slack Web API,
//! to check that the fake answers in shapes the client accepts and that its
//! failures surface as the client errors badger will see.
//!
//! This file holds the client and the helpers; the tests are grouped by topic in
//! `urls_and_auth`, `messages`, `channels`, `failures` and `recording`.

mod channels;
mod failures;
mod messages;
mod recording;
mod urls_and_auth;

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

/// The real client with the bot's token, aimed at a fake Slack.
struct Bot {
    client: Client,
    token: SlackApiToken,
}

/// A fresh fake Slack and the bot's client for it.
async fn start() -> (FakeSlack, Bot) {
    let fake = FakeSlack::start().await;
    let bot = Bot::new(&fake);
    (fake, bot)
}

impl Bot {
    fn new(fake: &FakeSlack) -> Bot {
        Bot {
            client: client(fake),
            token: bot_token(),
        }
    }

    fn session(&self) -> SlackClientSession<'_, SlackClientHyperConnector<HttpConnector>> {
        self.client.open_session(&self.token)
    }

    /// Posts `t` to `channel_id`, which must succeed.
    async fn post(&self, channel_id: &str, t: &str) -> SlackApiChatPostMessageResponse {
        let request = SlackApiChatPostMessageRequest::new(channel(channel_id), text(t));
        self.session().chat_post_message(&request).await.unwrap()
    }
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
