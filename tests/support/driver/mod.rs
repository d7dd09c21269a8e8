//! The scripted driver: starts the real badger (port 0, fresh database, real slack-morphism
//! client pointed at the fake Slack) and drives it the way Slack does.
//!
//! Started with [`TestApp::stepped`], badger's outbox worker and scheduler do not run by
//! themselves: the test delivers the outbox ([`TestApp::deliver_outbox`]), makes scheduler
//! passes ([`TestApp::tick`]) and moves the clock, then reads Slack's calls in order
//! ([`TestApp::expect_post`] and the like). Nothing is polled, and when the test's
//! `TestApp` is dropped it fails on an unread Slack call or a background task that died.
//!
//! This file holds the constants, [`TestApp`] and the end-of-test checks; `start` starts
//! and restarts badger, `steps` moves a stepped test on and reads its Slack calls,
//! `requests` sends badger what Slack would, and `waits` polls when not stepped.

mod requests;
mod start;
mod steps;
mod waits;

use super::db::{Backend, TestDb};
use super::fake_slack::FakeSlack;
use super::slack_forms::{command_form, press_form, press_form_on, signed_post};
use super::{metrics, poll};
use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use badger::slack::deadline::REPLY_DEADLINE;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const SECRET: &str = "test-signing-secret";
pub const API_TOKEN: &str = "ci-token-0123456789abcdef";
pub const CHANNEL: &str = "C0DEPLOY";
/// The content type of Slack's slash commands and button presses.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The policy most tests use: GOV.UK defaults, one deploy channel, one admin.
pub const POLICY: &str = r#"
channel = "C0DEPLOY"
admins = ["U0ADMIN"]
[queue]
turn_timeout_minutes = 10
"#;

/// Tuesday 24 November 2026, 10:00 GMT: the window is open.
pub fn tuesday_10am() -> DateTime<Utc> {
    tuesday_at(10, 0)
}

/// Tuesday 24 November 2026 at `h:m` GMT (office hours' window closes at 17:00).
pub fn tuesday_at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

pub struct TestApp {
    pub app: Option<Application>,
    pub slack: FakeSlack,
    pub clock: ManualClock,
    pub db: Arc<TestDb>,
    pub base: String,
    pub http: reqwest::Client,
    policy_file: Arc<tempfile::NamedTempFile>,
    knobs: Knobs,
    /// Set when another `TestApp` took over the fake Slack (a restart): the end-of-test
    /// checks are that one's to make.
    handed_over: bool,
}

/// How badger is started, kept for restarts and replicas.
#[derive(Clone)]
struct Knobs {
    /// `BADGER_API_TOKEN` as given to badger; `None` leaves the variable unset.
    api_token: Option<&'static str>,
    /// How long a Slack request may take before Slack is answered anyway (a slash command
    /// with an interim answer).
    reply_deadline: Duration,
    /// More environment variables for badger (e.g. `GITHUB_API_URL`).
    extra_vars: Vec<(&'static str, String)>,
    /// The test steps the outbox and the scheduler (see the module header).
    stepped: bool,
}

impl Knobs {
    fn usual() -> Knobs {
        Knobs {
            api_token: Some(API_TOKEN),
            reply_deadline: REPLY_DEADLINE,
            extra_vars: vec![],
            stepped: false,
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub json: Value,
}

impl Reply {
    pub fn text(&self) -> String {
        self.json["text"].as_str().unwrap_or("").to_owned()
    }

    /// Asserts that the reply's text holds `needle`, showing the whole text if not; returns
    /// the reply for more checks.
    #[track_caller]
    pub fn assert_says(&self, needle: &str) -> &Reply {
        let text = self.text();
        assert!(
            text.contains(needle),
            "{needle:?} not in the reply {text:?}"
        );
        self
    }

    /// Asserts that the reply is a 200 answer only the typist sees (`ephemeral`) and that
    /// its text holds `needle`; returns the reply.
    #[track_caller]
    pub fn assert_private_says(&self, needle: &str) -> &Reply {
        assert_eq!(self.status, 200, "{}", self.json);
        assert_eq!(self.json["response_type"], "ephemeral", "{}", self.json);
        self.assert_says(needle)
    }

    /// Asserts that the reply's text holds every one of `needles`; returns the reply.
    #[track_caller]
    pub fn assert_says_all(&self, needles: &[&str]) -> &Reply {
        for needle in needles {
            self.assert_says(needle);
        }
        self
    }

    /// Asserts that the reply's text does not hold `needle`, showing the whole text if it
    /// does; returns the reply.
    #[track_caller]
    pub fn assert_never_says(&self, needle: &str) -> &Reply {
        let text = self.text();
        assert!(!text.contains(needle), "{needle:?} in the reply {text:?}");
        self
    }

    /// Asserts that the reply's text is `expected`, word for word; returns the reply.
    #[track_caller]
    pub fn assert_is(&self, expected: &str) -> &Reply {
        assert_eq!(self.text(), expected, "the reply's text");
        self
    }
}

impl TestApp {
    fn running(&self) -> &Application {
        self.app.as_ref().expect("badger is running")
    }

    /// Fails the test if a background task has died (they all run until shutdown).
    fn assert_tasks_alive(&self) {
        if let Some(app) = &self.app {
            let ended = app.ended_tasks();
            assert!(
                ended.is_empty(),
                "background task(s) ended before shutdown (panicked; see the log above): {ended:?}"
            );
        }
    }

    pub fn core(&self) -> &badger::service::Core {
        &self.running().core
    }
}

/// A stepped test's fixture (`on_both_backends!(stepped body)`): a stepped badger on
/// `backend` for the test's `body`, stopped after it. A test that restarts badger owns its
/// `TestApp`, so starts and stops it itself.
pub async fn run_stepped(backend: Backend, body: impl AsyncFnOnce(&TestApp)) {
    let t = TestApp::stepped(backend).await;
    body(&t).await;
    t.stop().await;
}

/// The end of a stepped test: every Slack call must have been read and every background
/// task still be alive. Skipped while the test is already failing (a panic in a panic
/// would abort and hide the first message).
impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.knobs.stepped || self.handed_over || std::thread::panicking() {
            return;
        }
        self.assert_tasks_alive();
        self.slack.expect_no_more_calls();
    }
}
