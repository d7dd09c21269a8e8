//! Slack at the edge: inbound routes and Socket Mode (authenticate, parse into typed
//! commands), outbound delivery (the outbox worker and the Web API client) and message
//! rendering.

pub mod blocks;
pub mod envelope;
pub mod handlers;
pub mod inbound;
pub mod needs;
pub mod outbound;
pub mod payload;
pub mod refusals;
pub mod socket;
pub mod verify;
pub mod versions_blocks;
pub mod worker;
