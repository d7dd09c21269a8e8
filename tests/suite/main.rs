//! Every integration test in one binary: one module per area (`cargo test --test suite
//! holds::` runs one), sharing `tests/support/`. One binary links the badger library and
//! its dependencies once instead of once per file, which is most of a test build's time
//! (tests/TIMING.md has the figures). The tests share this process, so none may set
//! environment variables, change directory or install a process-wide tracing subscriber
//! of its own (support::logs hands out per-runtime ones); a test that needs process-wide
//! state to itself lives in a binary of its own beside this one (tests/board_snapshot.rs).

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod admission;
mod after_close;
mod after_deploy;
mod attribution;
mod check_slack;
mod ci_api;
mod cli;
mod commit_cut;
mod console;
mod console_browser;
mod console_versions;
mod container;
mod dashboard;
mod dashboard_browser;
mod db_faults;
mod deploy_edges;
mod deploy_flow;
mod deploy_history;
mod docs;
mod done_by_id;
mod durability;
mod emergency_turn;
mod emergency_turn_ci;
mod example_policy;
mod failed_writes;
mod fake_slack_selftest;
mod faults;
mod freezes;
mod github;
mod github_dispatch_once;
mod github_replicas;
mod github_retries;
mod github_store;
mod group_commit;
mod group_commit_given_up;
mod history_api;
mod holds;
mod late_answers;
mod layers;
mod lease_store;
mod logs;
mod manifest;
mod openapi;
mod operator_metrics;
mod outbox_backlog;
mod outbox_upgrade;
mod properties;
mod queue_counts;
mod races;
mod read_paths;
mod replicas;
mod resilience;
mod slack_security;
mod smoke;
mod smoke_history;
mod smoke_store;
mod socket_mode;
mod stale_answers;
mod stale_buttons;
mod status_board;
mod store;
mod typed_anywhere;
mod versions;
mod versions_deploying;
mod versions_failed;
