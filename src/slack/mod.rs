//! Slack below the edge: Socket Mode and the handlers it shares with the HTTP routes (in
//! `src/http/`), signature checks and payload parsing, outbound delivery (the outbox worker
//! and the Web API client) and message rendering.

pub mod answers;
pub mod blocks;
pub mod deadline;
pub mod denied;
pub mod envelope;
pub mod expiry;
pub mod fit;
pub mod handlers;
mod heartbeat;
pub mod history_blocks;
mod in_flight;
pub mod needs;
pub mod notices;
pub mod outbound;
pub mod payload;
pub mod refusals;
pub mod release;
pub mod slash;
pub mod smoke_report;
pub mod socket;
pub mod status;
mod topic_refused;
pub mod verify;
pub mod versions_blocks;
pub mod worker;
