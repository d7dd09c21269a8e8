//! GitHub: dispatching an app's deploy workflow when its deployment starts, linking the
//! run, and showing what a release contains. The client is thin and typed (reqwest, with
//! timeouts); every call runs in the worker, never on a Slack request's path.

pub mod client;
pub mod render;
pub mod worker;

pub use client::{GhError, GithubClient};
pub use worker::GithubWorker;
