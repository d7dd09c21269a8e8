//! Test support: a fake Slack, fresh databases on both backends, a scripted driver that
//! talks to the real badger server over HTTP with requests signed as Slack signs them
//! (and can step badger's outbox and scheduler itself), Slack's forms, bounded polls.
#![allow(dead_code)]

pub mod badger_process;
pub mod browser;
pub mod checks;
pub mod ci;
pub mod ci_steps;
pub mod dashboard;
pub mod db;
pub mod driver;
pub mod fake_github;
pub mod fake_slack;
pub mod fake_socket;
pub mod faults;
pub mod github;
pub mod github_app;
pub mod history;
pub mod logs;
pub mod metrics;
pub mod one_thread;
pub mod open_policy;
pub mod openapi;
pub mod parser;
pub mod people;
pub mod plans;
pub mod poll;
pub mod process;
pub mod replies;
pub mod serve;
pub mod slack_forms;
pub mod smoke_server;
pub mod tcp_proxy;
pub mod versions;

/// Runs an async test body `fn(Backend)` once on SQLite and once on PostgreSQL, as two
/// tests named `<body>::sqlite` and `<body>::postgres`. `on_both_backends!(stepped body)`
/// runs a body `fn(&TestApp)` on a stepped badger instead, started before it and stopped
/// after it (see [`driver::run_stepped`]).
#[macro_export]
macro_rules! on_both_backends {
    (stepped $body:ident) => {
        $crate::on_both_backends!($body, |backend| {
            $crate::support::driver::run_stepped(backend, super::$body)
        });
    };
    ($body:ident) => {
        $crate::on_both_backends!($body, super::$body);
    };
    ($body:ident, $run:expr) => {
        // A module and a function may share a name: they live in different namespaces.
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($run)($crate::support::db::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::support::db::postgres_enabled() {
                    ($run)($crate::support::db::Backend::Postgres).await
                }
            }
        }
    };
}
