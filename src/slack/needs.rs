//! What badger asks of a Slack app: its request routes, the bot events it handles and the
//! bot scopes its Web API calls need. `manifest.yml` must declare exactly these (checked by
//! tests/suite/manifest.rs), so a change here that forgets the manifest fails the tests.

/// Slash commands (`POST`, Slack-signed).
pub const COMMANDS_ROUTE: &str = "/slack/commands";
/// Button presses (`POST`, `payload` form field, Slack-signed).
pub const INTERACTIONS_ROUTE: &str = "/slack/interactions";
/// Events API, including `url_verification` (`POST`, Slack-signed).
pub const EVENTS_ROUTE: &str = "/slack/events";

/// Every route Slack calls; the router serves each of them.
pub const SLACK_ROUTES: &[&str] = &[COMMANDS_ROUTE, INTERACTIONS_ROUTE, EVENTS_ROUTE];

/// Badger is told when a member (perhaps badger itself) joins a channel, to bring the
/// channel topic up to date with the standing holds.
pub const MEMBER_JOINED_CHANNEL: &str = "member_joined_channel";

/// A person opened badger's App Home: badger publishes their Home tab (`views.publish`,
/// which needs no scope of its own).
pub const APP_HOME_OPENED: &str = "app_home_opened";

/// Bot events the Events API handler acts on.
pub const BOT_EVENTS: &[&str] = &[MEMBER_JOINED_CHANNEL, APP_HOME_OPENED];

/// Bot scopes, each with what needs it.
pub const BOT_SCOPES: &[(&str, &str)] = &[
    ("commands", "slash commands"),
    (
        "chat:write",
        "chat.postMessage, chat.postEphemeral, chat.update",
    ),
    (
        "channels:read",
        "conversations.info on a public channel; member_joined_channel",
    ),
    (
        "groups:read",
        "conversations.info on a private channel; member_joined_channel",
    ),
    (
        "channels:write.topic",
        "conversations.setTopic on a public channel",
    ),
    (
        "groups:write.topic",
        "conversations.setTopic on a private channel",
    ),
];

/// The app-level token scope Socket Mode needs (`SLACK_APP_TOKEN`, `xapp-...`).
pub const SOCKET_MODE_APP_SCOPE: &str = "connections:write";
