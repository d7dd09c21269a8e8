//! The dashboard's test data and how tests read its HTML: one scenario with a version
//! matrix that drifts, a deployment in progress, a queue, a hold and a history with
//! outcomes and durations, every piece of people's text carrying markup to be escaped.

use super::ci::{event, report};
use super::driver::TestApp;
use chrono::Duration;
use serde_json::json;

/// Markup in people's text that must reach the page escaped.
pub const NOTE: &str = "fixed <script>alert('note')</script>";
pub const FAIL_NOTE: &str = "<!channel> it broke";
pub const HOLD_REASON: &str = "<!channel> <script>alert('hold')</script> db migration";

/// A deployment CI runs and finishes `minutes` later.
async fn ci_deploys(
    t: &TestApp,
    app: &str,
    git_ref: &str,
    env: &str,
    minutes: i64,
    end: serde_json::Value,
) {
    let r = report(
        t,
        json!({"app": app, "ref": git_ref, "environment": env, "status": "started"}),
    )
    .await;
    assert_eq!(r.status, 201, "{app} {git_ref} to {env}: {:?}", r.json);
    let id = r.json["id"].as_i64().expect("an id");
    t.clock.advance(Duration::minutes(minutes));
    let r = event(t, id, end).await;
    assert_eq!(r.status, 200, "{app} {git_ref} to {env} ends: {:?}", r.json);
}

/// From Tuesday 10:00 GMT: whitehall r1 through integration, staging and production (3 min
/// each), then r2 to integration (4 min, so staging is behind it), publisher p1 failing in
/// integration (2 min); then (10:15) alice deploys frontend f1 to integration, bob queues
/// publisher p2 behind her and holds whitehall in production until 16:00; the clock ends
/// at 10:27, alice 12 minutes into her deployment.
pub async fn seed(t: &TestApp) {
    let ok = json!({"status": "succeeded"});
    let noted = json!({"status": "succeeded", "note": NOTE});
    let failed = json!({"status": "failed", "note": FAIL_NOTE});
    for (app, git_ref, env, minutes, end) in [
        ("whitehall", "r1", "integration", 3, &ok),
        ("whitehall", "r1", "staging", 3, &ok),
        ("whitehall", "r1", "production", 3, &ok),
        ("whitehall", "r2", "integration", 4, &noted),
        ("publisher", "p1", "integration", 2, &failed),
    ] {
        ci_deploys(t, app, git_ref, env, minutes, end.clone()).await;
    }
    let r = t
        .deploy("U0ALICE", "frontend f1 to integration --note <b>bold</b>")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = t.deploy("U0BOB", "publisher p2 to integration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = t
        .hold(
            "U0BOB",
            &format!("whitehall production {HOLD_REASON} --until 16:00"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    t.clock.advance(Duration::minutes(12));
}

/// The part of `html` from `start` to the first `end` after it (panics, showing the page,
/// when `start` is missing).
pub fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page:\n{html}"));
    let rest = &html[from..];
    rest.find(end).map_or(rest, |e| &rest[..e + end.len()])
}

/// The smoke cell of deployment `id`'s row in a page's history table.
pub fn smoke_cell(page: &str, id: i64) -> &str {
    let row = part(page, &format!(r#"<tr data-id="{id}">"#), "</tr>");
    part(row, r#"<td class="smoke"#, "</td>")
}

/// Every `src` or `href` of a script, stylesheet, image, frame or media tag that points
/// off the page (any scheme or `//host`): the dashboard must have none.
pub fn external_assets(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "<script", "<link", "<img", "<iframe", "<source", "<video", "<audio", "<object", "<embed",
    ] {
        for (at, _) in lower.match_indices(tag) {
            let open = &lower[at..];
            let open = &open[..open.find('>').unwrap_or(open.len())];
            for attr in ["src=", "href=", "data="] {
                for (a, _) in open.match_indices(attr) {
                    let value = open[a + attr.len()..].trim_start_matches(['"', '\'']);
                    if value.starts_with("http:")
                        || value.starts_with("https:")
                        || value.starts_with("//")
                    {
                        found.push(open.to_owned());
                    }
                }
            }
        }
    }
    if lower.contains("@import") || lower.contains("url(") {
        found.push("a stylesheet that loads something".into());
    }
    found
}
