//! The console's side panel as HTML: window, environments, holds (from the status board,
//! `domain::board`), the versions matrix (the shared versions model, drawn as the dashboard
//! draws it) and recent history (compiled, escaping templates). Rendering only; `GET /`
//! and the console's state route (in `src/http/`) serve it.

use crate::dashboard::matrix::matrix;
use crate::dashboard::model::credits;
use crate::service::Core;
use crate::store::StoreError;
use maud::{html, Markup};

/// A person's note after what it is about.
fn note(text: Option<&str>) -> Markup {
    html! {
        @if let Some(t) = text.filter(|t| !t.trim().is_empty()) { " " q { (t) } }
    }
}

/// The console's side panel (window, environments, holds, versions, recent history and,
/// with `local_log`, local mode's record of what badger would have posted), as compiled,
/// escaping templates. People are shown through `person` (the console's names).
pub async fn dashboard_body(
    core: &Core,
    local_log: bool,
    person: &(dyn Fn(&str) -> String + Sync),
) -> Result<String, StoreError> {
    let tz = core.policy.calendar.tz;
    let (snapshot, history) = tokio::try_join!(core.snapshot(), core.store.history(20))?;
    let board = core.board(&snapshot);
    let holds = &board.holds;
    // The policy's environments and apps, drift and failures marked: what the dashboard,
    // `/deploy versions` and the API show.
    let versions = core.versions_view_of(&snapshot, None);
    let local = if local_log {
        Some(core.store.local_messages(30).await?)
    } else {
        None
    };
    let window = board.window.describe(tz);
    let markup = html! {
        p #window { (window) }
        h2 { "Environments" }
        table #queues {
            tr { th { "environment" } th { "now" } th { "queue" } }
            @for e in &board.environments {
                tr {
                    td { (e.name) }
                    td {
                        @match e.active {
                            Some(d) => {
                                (d.app) " " (d.git_ref) " " (d.state.as_str()) " by "
                                (person(&d.requester)) (note(d.note.as_deref()))
                            },
                            None => "free",
                        }
                    }
                    td {
                        @for (i, d) in e.queue.iter().enumerate() {
                            @if i > 0 { br; }
                            (d.app) " " (d.git_ref) " (" (person(&d.requester)) ")" (note(d.note.as_deref()))
                        }
                    }
                }
            }
        }
        h2 { "Holds" }
        ul #holds {
            @for hold in holds {
                li { "#" (hold.id) " " (hold.describe_scope()) " by " (person(&hold.owner)) ": " (hold.reason) }
            }
            @if holds.is_empty() { li { "none" } }
        }
        (matrix(&versions, tz, person, "Versions"))
        h2 { "Recent" }
        ul #history {
            @for d in &history {
                li {
                    "#" (d.id) " " (d.app) " " (d.git_ref) " to " (d.environment) ": " (d.state.as_str())
                    @for c in credits(d, person) { ", " (c) }
                    (note(d.outcome_note.as_deref().or(d.note.as_deref())))
                }
            }
        }
        @if let Some(log) = &local {
            h2 { "Local mode: what badger would post" }
            ul #local {
                @for (method, channel, body) in log {
                    li { code { (method) } " " (channel) ": " (body) }
                }
            }
        }
    };
    Ok(markup.into_string())
}
