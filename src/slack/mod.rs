//! Slack at the edge: inbound routes (authenticate, parse into typed commands), outbound
//! delivery (the outbox worker and the Web API client) and message rendering.

pub mod blocks;
pub mod inbound;
pub mod needs;
pub mod outbound;
pub mod payload;
pub mod verify;
