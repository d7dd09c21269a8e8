//! badger: a Slack app that coordinates deployments the way GOV.UK runs them.
//! See DESIGN.md in the shared folder for the external contract.

pub mod api;
pub mod app;
pub mod clock;
pub mod command;
pub mod config;
pub mod console;
pub mod domain;
pub mod metrics;
pub mod service;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod web;
