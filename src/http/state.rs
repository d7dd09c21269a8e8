//! `AppState`: what every HTTP handler is given (the core, the secrets that authenticate
//! requests, and whether badger runs in local mode). Only the edge (`src/http/`) and the
//! start-up wiring (`src/app.rs`) know it.

use crate::service::Core;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub signing_secret: Option<Arc<str>>,
    /// The CI API's tokens (digests) and the apps each may act on.
    pub api_keys: Arc<crate::http::api::ApiKeys>,
    pub local_mode: bool,
    /// How long a Slack request (a slash command, a button press, an event) may take before
    /// Slack is answered anyway (`crate::slack::deadline`): a command with "still working
    /// on it", its real answer following as an ephemeral.
    pub reply_deadline: Duration,
    /// `GET /api/v1/status`'s answer, serialised once per status snapshot.
    pub status_cache: Arc<crate::http::api::status::StatusCache>,
}
