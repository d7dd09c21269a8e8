//! The dashboard: versions per environment, queues, holds, recent history (and, in local
//! mode, the console for a client on this machine, or what badger would have posted).

use crate::app::AppState;
use crate::console::{self, Peer};
use crate::domain::window::format_local;
use crate::service::Core;
use crate::store::StoreError;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

fn h(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A person's note, escaped, after what it is about.
fn note(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.trim().is_empty() => format!(" <q>{}</q>", h(t)),
        _ => String::new(),
    }
}

/// `/`: in local mode, for a client on this machine, the console with the dashboard beside
/// it; otherwise the dashboard alone (`crate::dashboard`, also at `/dashboard`).
pub async fn dashboard(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let core = &s.core;
    let refused = if s.local_mode {
        console::refusal(&peer, &headers)
    } else {
        None
    };
    if s.local_mode && refused.is_none() {
        let who = q.get("as").map_or(console::DEFAULT_PERSON, String::as_str);
        return match console::page::render(core, who).await {
            Ok(page) => Html(page).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "console page");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        };
    }
    crate::dashboard::render(&s, refused).await
}

/// The dashboard's sections (window, environments, holds, versions, recent history and,
/// with `local_log`, local mode's record of what badger would have posted). People are
/// shown through `person` (the console's names in local mode, Slack ids otherwise).
pub async fn dashboard_body(
    core: &Core,
    local_log: bool,
    person: &(dyn Fn(&str) -> String + Sync),
) -> Result<String, StoreError> {
    let tz = core.policy.calendar.tz;
    let (live, holds, versions, history) = tokio::try_join!(
        core.store.live_deployments(None),
        core.store.active_holds(),
        core.store.versions(None),
        core.store.history(20)
    )?;
    let mut out = String::new();
    out += &format!(
        "<p id=\"window\">{}</p>",
        h(&core
            .window_line()
            .replace(":large_green_circle: ", "")
            .replace(":red_circle: ", ""))
    );
    out += "<h2>Environments</h2><table id=\"queues\"><tr><th>environment</th><th>now</th><th>queue</th></tr>";
    for e in &core.policy.environments {
        let name = e.name.as_str();
        let active = live
            .iter()
            .find(|d| d.environment == name && d.state != crate::domain::deployment::State::Queued);
        let queue: Vec<String> = live
            .iter()
            .filter(|d| {
                d.environment == name && d.state == crate::domain::deployment::State::Queued
            })
            .map(|d| {
                format!(
                    "{} {} ({}){}",
                    h(&d.app),
                    h(&d.git_ref),
                    h(&person(&d.requester)),
                    note(d.note.as_deref())
                )
            })
            .collect();
        out += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(name),
            active
                .map(|d| format!(
                    "{} {} {} by {}{}",
                    h(&d.app),
                    h(&d.git_ref),
                    d.state.as_str(),
                    h(&person(&d.requester)),
                    note(d.note.as_deref())
                ))
                .unwrap_or_else(|| "free".into()),
            queue.join("<br>")
        );
    }
    out += "</table><h2>Holds</h2><ul id=\"holds\">";
    for hold in &holds {
        out += &format!(
            "<li>#{} {} by {}: {}</li>",
            hold.id,
            h(&hold.describe_scope()),
            h(&person(&hold.owner)),
            h(&hold.reason)
        );
    }
    if holds.is_empty() {
        out += "<li>none</li>";
    }
    out += "</ul><h2>Versions</h2><table id=\"versions\"><tr><th>app</th><th>environment</th><th>ref</th><th>when</th></tr>";
    for v in &versions {
        out += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&v.app),
            h(&v.environment),
            h(&v.git_ref),
            h(&format_local(v.deployed_at, tz))
        );
    }
    out += "</table><h2>Recent</h2><ul id=\"history\">";
    for d in &history {
        out += &format!(
            "<li>#{} {} {} to {}: {}{}</li>",
            d.id,
            h(&d.app),
            h(&d.git_ref),
            h(&d.environment),
            d.state.as_str(),
            note(d.outcome_note.as_deref().or(d.note.as_deref()))
        );
    }
    out += "</ul>";
    if local_log {
        out += "<h2>Local mode: what badger would post</h2><ul id=\"local\">";
        for (method, channel, body) in core.store.local_messages(30).await? {
            out += &format!(
                "<li><code>{}</code> {}: {}</li>",
                h(&method),
                h(&channel),
                h(&body)
            );
        }
        out += "</ul>";
    }
    Ok(out)
}
