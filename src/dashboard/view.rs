//! The dashboard's pages as compiled maud templates: every value is escaped as it is
//! written, so a person's note, reason or name can never become markup. Read-only: links,
//! no forms; the page refreshes itself with a meta refresh.

use super::matrix::matrix;
use super::model;
use super::smoke_cell::smoke_cell;
use super::style::CSS;
use crate::domain::board;
use crate::domain::deployment::{Deployment, State};
use crate::domain::versions::VersionsView;
use crate::domain::window::format_local;
use crate::store::SmokeSummary;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::collections::HashMap;

/// How often the page reloads itself, in seconds.
pub const REFRESH_SECONDS: u32 = 30;

/// How a person is shown (a Slack id, or the console's name in local mode).
pub type Person<'a> = &'a (dyn Fn(&str) -> String + Sync);

/// Everything one page shows, read at one instant.
pub struct Board<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    /// The status board (`/deploy status`, the API and App Home show it too): the window,
    /// each environment's active deployment and queue, the holds.
    pub status: board::Board<'a>,
    /// The shared versions read model (`/deploy versions`, the API and App Home show it too).
    pub matrix: VersionsView,
    pub history: Vec<Deployment>,
    /// The history's smoke checks, by deployment id (absent: none).
    pub smoke: HashMap<i64, SmokeSummary>,
    /// Local mode's record of what badger would have posted: (method, channel, text).
    pub local_log: Option<Vec<(String, String, String)>>,
    /// Why this client may not use the local console, shown above the dashboard.
    pub refused: Option<String>,
    pub person: Person<'a>,
    /// The app a page is about: its environments say "nothing of it", not "free".
    pub app: Option<String>,
}

/// The link to an app's page (app names are slugs; encoded all the same).
pub(super) fn app_href(app: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(app.as_bytes()).collect();
    format!("/apps/{encoded}")
}

pub(super) fn when(at: DateTime<Utc>, tz: Tz) -> String {
    format_local(at, tz)
}

/// A compact time for cells ("24 Nov 10:13"); the full one goes in its title.
pub(super) fn short(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %b %H:%M").to_string()
}

/// A page: the inline stylesheet, the viewport for phones, the refresh, the header.
fn shell(title: &str, now: DateTime<Utc>, tz: Tz, body: Markup) -> Markup {
    let refresh = html! { meta http-equiv="refresh" content=(REFRESH_SECONDS); };
    let asof = html! {
        span.asof { "as of " (when(now, tz)) ", refreshes every " (REFRESH_SECONDS) " s" }
    };
    document(title, refresh, asof, body)
}

/// Every page's skeleton: `head` and `header` take the page's extras.
fn document(title: &str, head: Markup, header: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                (head)
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    h1 { a href="/dashboard" { "badger" } }
                    span { (title) }
                    (header)
                }
                main { (body) }
            }
        }
    }
}

/// The 404 of a path no route has: the page skeleton, nothing to refresh.
pub fn not_found(path: &str) -> Markup {
    let body = html! {
        section.wide #not-found {
            // A path can be long: echo a bounded piece of it.
            h2 { "Nothing at " code { (crate::domain::text::truncate(path, 80)) } }
            p { a href="/dashboard" { "Back to the dashboard" } }
        }
    };
    document("not found", html! {}, html! {}, body)
}

/// The whole dashboard (`/dashboard`, and `/` where the console is not served).
pub fn dashboard(b: &Board) -> Markup {
    let body = html! {
        @if let Some(why) = &b.refused {
            section.wide { p #console-refused { (why) } }
        }
        section.wide { (window(b)) }
        section.wide #versions-section { (matrix(&b.matrix, b.tz, b.person, "Versions")) }
        section.wide { (environments(b)) }
        section.wide { (holds(b)) }
        section.wide { (history(b, true)) }
        @if let Some(log) = &b.local_log {
            section.wide { (local_log(log)) }
        }
    };
    shell("deployments", b.now, b.tz, body)
}

/// One app's page (`/apps/{app}`): its versions, what of it is live or held, its history.
pub fn app_page(b: &Board, app: &str) -> Markup {
    let body = html! {
        section.wide {
            p { a href="/dashboard" { "← all apps" } }
            h2 #app-name { (app) }
            (window(b))
        }
        section.wide { (matrix(&b.matrix, b.tz, b.person, "Versions")) }
        section.wide { (environments(b)) }
        section.wide { (holds(b)) }
        section.wide { (history(b, false)) }
    };
    shell(app, b.now, b.tz, body)
}

/// The readable 404 for an app badger knows nothing about.
pub fn unknown_app(app: &str, known: &[String], now: DateTime<Utc>, tz: Tz) -> Markup {
    let body = html! {
        section.wide #unknown-app {
            // A path can be long: echo a bounded piece of it.
            h2 { "No app called " code { (crate::domain::text::truncate(app, 80)) } }
            p { "badger has no versions, deployments or history for this app, and the policy does not list it." }
            @if known.is_empty() {
                p.none { "No app has been deployed yet." }
            } @else {
                p { "Apps it knows: "
                    @for (i, a) in known.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href=(app_href(a)) { (a) }
                    }
                }
            }
            p { a href="/dashboard" { "Back to the dashboard" } }
        }
    };
    shell("unknown app", now, tz, body)
}

fn window(b: &Board) -> Markup {
    let w = &b.status.window;
    let why = w.closure.as_ref().map(|c| format!(" ({})", c.words()));
    html! {
        @match w.current {
            Some(o) => p #window.open { "The deploy window is open until " (when(o.closes, b.tz)) "." },
            None => p #window.closed { "The deploy window is closed" (why.unwrap_or_default()) "." },
        }
        // Open or closed, the next opening names a freeze or holidays it skips.
        p #next-opening.muted {
            @match w.next_words(b.tz) {
                Some(next) => { "Next opening: " (next) },
                None => { "No opening scheduled." },
            }
        }
    }
}

fn note(text: Option<&str>) -> Markup {
    html! {
        @if let Some(t) = text.filter(|t| !t.trim().is_empty()) { " " q { (t) } }
    }
}

fn ci_link(d: &Deployment) -> Markup {
    // Only web links: a `javascript:` URL from CI must not become a link.
    let url = d
        .ci_url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    html! { @if let Some(u) = url { " " a.ci href=(u) rel="noopener noreferrer" { "CI run" } } }
}

fn environments(b: &Board) -> Markup {
    html! {
        h2 { "Environments" }
        p.muted { "What is deploying now, and the queues." }
        div.envs #environments {
            @for e in &b.status.environments {
                div.env data-env=(e.name) {
                    h3 { (e.name) @if e.always_open { span.badge { "always open" } } }
                    @match e.active {
                        Some(d) => (active(b, d)),
                        None => p.free.muted {
                            @match &b.app { Some(a) => { "nothing of " (a) " here" }, None => { "free" } }
                        },
                    }
                    @let queue = &e.queue;
                    @if queue.is_empty() {
                        p.muted.queue-empty {
                            @match &b.app { Some(a) => { (a) " not queued" }, None => { "queue empty" } }
                        }
                    } @else {
                        ol.queue {
                            @for d in queue {
                                li data-id=(d.id) {
                                    a href=(app_href(&d.app)) { (d.app) } " " span.ref { (d.git_ref) }
                                    " by " ((b.person)(&d.requester))
                                    span.muted { ", waiting " (model::span(b.now - d.requested_at)) }
                                    (note(d.note.as_deref()))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn active(b: &Board, d: &Deployment) -> Markup {
    let elapsed = model::span(b.now - model::since(d));
    html! {
        @if d.state == State::Deploying {
            p.deploying data-id=(d.id) {
                a href=(app_href(&d.app)) { (d.app) } " " span.ref { (d.git_ref) }
                " deploying by " ((b.person)(&d.requester))
                @for c in model::credits(d, b.person) { " (" span.credit { (c) } ")" }
                " for " span.elapsed { (elapsed) }
                @if let Some(why) = &d.emergency_reason { " " span.badge { "emergency" } " " q { (why) } }
                (note(d.note.as_deref()))
                (ci_link(d))
            }
        } @else {
            p.called data-id=(d.id) {
                a href=(app_href(&d.app)) { (d.app) } " " span.ref { (d.git_ref) }
                ": " ((b.person)(&d.requester)) "'s turn, waiting to start for " span.elapsed { (elapsed) }
                (note(d.note.as_deref()))
            }
        }
    }
}

fn holds(b: &Board) -> Markup {
    html! {
        h2 { "Holds" }
        @if b.status.holds.is_empty() {
            p.none #no-holds { "No holds." }
        } @else {
            ul.holds #holds {
                @for h in &b.status.holds {
                    li data-id=(h.id) {
                        strong { (h.describe_scope()) } " held by " ((b.person)(&h.owner))
                        br;
                        q.reason { (h.reason) }
                        br;
                        span.muted.until {
                            @match h.until {
                                Some(u) => { "until " (when(u, b.tz)) },
                                None => { "until released" },
                            }
                            ", since " (when(h.created_at, b.tz))
                        }
                    }
                }
            }
        }
    }
}

/// A table in a box that scrolls on a narrow screen, or a line saying there is nothing.
pub(super) fn table_or_none(empty: bool, none: &str, table: impl FnOnce() -> Markup) -> Markup {
    html! {
        @if empty { p.none { (none) } } @else { div.scroll { (table()) } }
    }
}

fn history(b: &Board, show_app: bool) -> Markup {
    html! {
        h2 { "Recent history" }
        (table_or_none(b.history.is_empty(), "Nothing has finished yet.", || html! {
            table.stack #history {
                thead { tr {
                    th { "#" }
                    @if show_app { th { "app" } }
                    th { "ref" } th { "env" } th { "outcome" } th { "by" } th { "ended" } th { "took" }
                    th { "smoke" }
                    th { "note" }
                } }
                tbody {
                    @for d in &b.history {
                        tr data-id=(d.id) {
                            td data-label="#" { (d.id) }
                            @if show_app { td data-label="app" { a href=(app_href(&d.app)) { (d.app) } } }
                            td data-label="ref" { span.ref { (d.git_ref) } }
                            td data-label="env" { (d.environment) }
                            td data-label="outcome" {
                                span class={ "outcome " (d.state.as_str()) } { (d.state.as_str()) }
                                @if d.emergency_reason.is_some() { " " span.badge { "emergency" } }
                            }
                            td data-label="by" {
                                ((b.person)(&d.requester))
                                @for c in model::credits(d, b.person) { br; span.muted.credit { (c) } }
                            }
                            td.ended data-label="ended" title=(when(model::ended(d), b.tz)) {
                                (short(model::ended(d), b.tz))
                            }
                            td.took data-label="took" {
                                @match model::duration(d) { Some(t) => (model::span(t)), None => "—" }
                            }
                            (smoke(b.smoke.get(&d.id)))
                            td.note {
                                (note(d.outcome_note.as_deref().or(d.note.as_deref())))
                                (ci_link(d))
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// The smoke column: passed, failed (why underneath, every failure in the tooltip),
/// pending, or "—" when the deployment had no smoke check.
fn smoke(s: Option<&SmokeSummary>) -> Markup {
    let c = smoke_cell(s);
    html! {
        td class={ "smoke smoke-" (c.kind) } data-label="smoke" data-smoke=(c.kind) title=[c.title] {
            span.verdict { (c.label) }
            @if let Some(why) = &c.detail { " " span.why { (why) } }
        }
    }
}

fn local_log(log: &[(String, String, String)]) -> Markup {
    html! {
        h2 { "Local mode: what badger would post" }
        ul #local {
            @for (method, channel, text) in log {
                li { code { (method) } " " (channel) ": " (text) }
            }
            @if log.is_empty() { li.none { "nothing yet" } }
        }
    }
}
