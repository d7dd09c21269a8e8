//! badger: a Slack app that coordinates deployments the way GOV.UK runs them.
//! The external contract (commands, buttons, routes, settings) is in docs/contract.md.

pub mod app;
pub mod clock;
pub mod command;
pub mod config;
pub mod console;
pub mod dashboard;
pub mod domain;
pub mod github;
pub mod healthcheck;
pub mod http;
pub mod metrics;
pub mod service;
pub mod slack;
pub mod smoke;
pub mod store;
pub mod telemetry;
