//! The dashboard over HTTP on both backends: the versions matrix with drift marked, what
//! is deploying and for how long, the queues, the holds, the window, the history with
//! outcomes and durations; people's text escaped, no secrets, no external assets, nothing
//! that writes; a page per app, and a readable 404 for an app badger does not know.

use crate::support;

use support::dashboard::{external_assets, part, seed, FAIL_NOTE, HOLD_REASON};
use support::db::Backend;
use support::driver::{TestApp, API_TOKEN, SECRET};

async fn page(t: &TestApp, path: &str) -> (u16, String) {
    let r = t.get(path).await;
    let status = r.status().as_u16();
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{path}: {ct}");
    // Never inside another site's frame (clickjacking).
    assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
    assert_eq!(
        r.headers()["content-security-policy"],
        "frame-ancestors 'none'",
        "{path}"
    );
    (status, r.text().await.unwrap())
}

/// badger with the history the dashboard tests read (support::dashboard::seed).
async fn seeded(backend: Backend) -> TestApp {
    let t = TestApp::start(backend).await;
    seed(&t).await;
    t
}

/// A [`seeded`] badger and its page at `path`, which must answer `status` ([`good_page`]).
async fn seeded_page(backend: Backend, path: &str, status: u16) -> (TestApp, String) {
    let t = seeded(backend).await;
    let html = good_page(&t, path, status).await;
    (t, html)
}

/// What every dashboard page must be: escaped, secret-free, self-contained, read-only,
/// phone-ready and self-refreshing.
fn well_behaved(html: &str) {
    for raw in ["<script", "<b>bold", "<!channel>", "alert('hold')</script>"] {
        assert!(
            !html.contains(raw),
            "{raw:?} reached the page as markup:\n{html}"
        );
    }
    for secret in [SECRET, API_TOKEN, "xoxb-test-token"] {
        assert!(!html.contains(secret), "a secret on the page:\n{html}");
    }
    assert_eq!(external_assets(html), Vec::<String>::new(), "{html}");
    assert!(!html.to_ascii_lowercase().contains("<form"), "{html}");
    assert!(html.contains(r#"<meta name="viewport" content="width=device-width,initial-scale=1">"#));
    assert!(html.contains(r#"<meta http-equiv="refresh" content="30">"#));
}

/// The page at `path`, which must answer `status` and be [`well_behaved`].
async fn good_page(t: &TestApp, path: &str, status: u16) -> String {
    let (got, html) = page(t, path).await;
    assert_eq!(got, status, "{path}: {html}");
    well_behaved(&html);
    html
}

#[test]
fn the_asset_check_finds_external_assets() {
    assert_eq!(
        external_assets(r#"<img src="/x.png"><a href="https://ci.example/1">CI</a>"#).len(),
        0
    );
    assert_eq!(
        external_assets(r#"<script src="https://cdn.example/x.js"></script>"#).len(),
        1
    );
    assert_eq!(
        external_assets(r#"<LINK rel=stylesheet href='//fonts.example/f.css'>"#).len(),
        1
    );
    assert_eq!(external_assets("<style>@import 'x.css'</style>").len(), 1);
}

async fn the_dashboard_shows_everything_escaped(backend: Backend) {
    let (t, html) = seeded_page(backend, "/", 200).await;
    // The same dashboard has a stable address too.
    let (status, again) = page(&t, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(again.contains(r#"id="versions""#), "{again}");

    // The window now and its next opening (Tuesday 10:37 GMT).
    assert!(
        html.contains("The deploy window is open until Tue 24 Nov 17:00 GMT."),
        "{html}"
    );
    assert!(
        html.contains("Next opening: Wed 25 Nov 09:30 GMT"),
        "{html}"
    );

    // The matrix (the shared versions model): whitehall r2 in integration, r1 behind it in
    // staging (marked, with how long: integration got r2 at 10:13), r1 in production as in
    // staging (not marked); publisher never succeeded anywhere.
    let matrix = part(&html, r#"id="versions""#, "</table>");
    let whitehall = part(matrix, r#"<tr data-app="whitehall">"#, "</tr>");
    let staging = part(
        whitehall,
        r#"<td class="cell drift" data-env="staging""#,
        "</td>",
    );
    assert!(
        staging.contains(r#"<span class="ref">r1</span>"#),
        "{staging}"
    );
    assert!(
        staging.contains(
            r#"<span class="mark" title="integration has run r2 since Tue 24 Nov 10:13 GMT">behind integration for 14m</span>"#
        ),
        "{staging}"
    );
    assert_eq!(whitehall.matches("drift").count(), 1, "{whitehall}");
    let integration = part(whitehall, r#"data-env="integration""#, "</td>");
    assert!(integration.contains("r2"), "{integration}");
    let production = part(whitehall, r#"data-env="production""#, "</td>");
    assert!(production.contains("r1"), "{production}");
    assert!(!matrix.contains(r#"<tr data-app="publisher">"#), "{matrix}");

    // Deploying now, with its elapsed time; the queue behind it.
    let env = part(
        &html,
        r#"<div class="env" data-env="integration">"#,
        "</ol>",
    );
    let deploying = part(env, r#"<p class="deploying""#, "</p>");
    assert!(deploying.contains(">frontend</a> <span class=\"ref\">f1</span> deploying by U0ALICE for <span class=\"elapsed\">12 min</span>"), "{deploying}");
    assert!(
        deploying.contains("<q>&lt;b&gt;bold&lt;/b&gt;</q>"),
        "{deploying}"
    );
    let queue = part(env, r#"<ol class="queue">"#, "</ol>");
    assert!(
        queue.contains(">publisher</a> <span class=\"ref\">p2</span> by U0BOB"),
        "{queue}"
    );
    assert!(queue.contains("waiting 12 min"), "{queue}");
    let staging_env = part(
        &html,
        r#"<div class="env" data-env="staging">"#,
        "queue empty",
    );
    assert!(staging_env.contains("free"), "{staging_env}");

    // The hold: scope, owner, reason (escaped), until.
    let holds = part(&html, r#"<ul class="holds" id="holds">"#, "</ul>");
    assert!(
        holds.contains("<strong>whitehall in production</strong> held by U0BOB"),
        "{holds}"
    );
    assert!(
        holds.contains(&maud::html! { (HOLD_REASON) }.into_string()),
        "{holds}"
    );
    assert!(holds.contains("until Tue 24 Nov 16:00 GMT"), "{holds}");

    // History, newest first: outcomes, durations, notes escaped, no smoke checks (the
    // policy lists no smoke URLs).
    let history = part(&html, r#"id="history""#, "</table>");
    let rows: Vec<&str> = history.split("<tr data-id=").skip(1).collect();
    assert_eq!(rows.len(), 5, "{history}");
    // The newest two: app, outcome, how long it took, its note as shown.
    let failed_note = maud::html! { (FAIL_NOTE) }.into_string();
    let fixed_note = "fixed &lt;script&gt;alert('note')&lt;/script&gt;";
    let newest = [
        ("publisher", "failed", "2 min", failed_note.as_str()),
        ("whitehall", "succeeded", "4 min", fixed_note),
    ];
    for (row, (app, outcome, took, note)) in rows.iter().zip(newest) {
        for shown in [
            format!(">{app}</a>"),
            format!(r#"<span class="outcome {outcome}">{outcome}</span>"#),
            format!(r#"data-label="took">{took}</td>"#),
            note.to_owned(),
        ] {
            assert!(row.contains(&shown), "{app}: {shown:?} not in {row}");
        }
    }
    let no_smoke = r#"<td class="smoke smoke-none" data-label="smoke" data-smoke="none"><span class="verdict">—</span></td>"#;
    for row in &rows {
        assert!(row.contains(no_smoke), "{row}");
    }
    t.stop().await;
}
on_both_backends!(the_dashboard_shows_everything_escaped);

async fn an_app_has_its_own_page(backend: Backend) {
    let (t, html) = seeded_page(backend, "/apps/whitehall", 200).await;
    assert!(
        html.contains(r#"<h2 id="app-name">whitehall</h2>"#),
        "{html}"
    );
    // Its versions, drift included; its hold; only its history (4 deployments).
    let matrix = part(&html, r#"id="versions""#, "</table>");
    assert_eq!(matrix.matches("<tr data-app=").count(), 1, "{matrix}");
    assert!(
        matrix.contains(r#"<td class="cell drift" data-env="staging""#),
        "{matrix}"
    );
    assert!(
        html.contains("<strong>whitehall in production</strong> held by U0BOB"),
        "{html}"
    );
    let history = part(&html, r#"id="history""#, "</table>");
    assert_eq!(history.matches("<tr data-id=").count(), 4, "{history}");
    assert!(!history.contains("publisher"), "{history}");
    // Another app's deployment in its environment is not on this page.
    assert!(!html.contains("frontend"), "{html}");
    assert!(html.contains("nothing of whitehall here"), "{html}");
    assert!(html.contains("whitehall not queued"), "{html}");

    // publisher: nothing succeeded, but it is queued and failed once.
    let html = good_page(&t, "/apps/publisher", 200).await;
    assert!(
        html.contains(">publisher</a> <span class=\"ref\">p2</span> by U0BOB"),
        "{html}"
    );
    assert!(
        html.contains(r#"<span class="outcome failed">failed</span>"#),
        "{html}"
    );
    assert!(
        !html.contains("held by"),
        "whitehall's hold is not publisher's: {html}"
    );
    t.stop().await;
}
on_both_backends!(an_app_has_its_own_page);

async fn an_unknown_app_is_a_readable_404(backend: Backend) {
    let (t, html) = seeded_page(backend, "/apps/nothing-here", 404).await;
    assert!(
        html.contains("No app called <code>nothing-here</code>"),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/apps/whitehall">whitehall</a>"#),
        "{html}"
    );
    // A name that is markup is shown as text.
    let html = good_page(&t, "/apps/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404).await;
    assert!(
        html.contains("No app called <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"),
        "{html}"
    );
    // Not an app name (a NUL, which PostgreSQL cannot hold): no app, not a database error.
    for path in ["/apps/%00", "/apps/white%00hall"] {
        let (status, html) = page(&t, path).await;
        assert_eq!(status, 404, "{path}: {html}");
        assert!(html.contains(r#"<a href="/apps/whitehall">"#), "{html}");
    }
    // A path no route has: a short page with the way back, not an empty body.
    let (status, html) = page(&t, "/nosuch/%3Cb%3E").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("Nothing at <code>/nosuch/%3Cb%3E</code>")
            && html.contains(r#"<a href="/dashboard">Back to the dashboard</a>"#),
        "{html}"
    );
    t.stop().await;
}
on_both_backends!(an_unknown_app_is_a_readable_404);

async fn an_empty_dashboard_says_so(backend: Backend) {
    let t = TestApp::start(backend).await;
    let html = good_page(&t, "/dashboard", 200).await;
    for empty in [
        "Nothing deployed yet.",
        "No holds.",
        "Nothing has finished yet.",
        "queue empty",
    ] {
        assert!(html.contains(empty), "{empty}: {html}");
    }
    // The dashboard changes nothing: a POST is not a route.
    let r = t
        .http
        .post(format!("{}/dashboard", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    t.stop().await;
}
on_both_backends!(an_empty_dashboard_says_so);

/// Local mode: the console keeps `/`; the dashboard is at `/dashboard` with the console's
/// names and the record of what badger would post, and at `/` for a client the console
/// refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_keeps_the_console_at_the_root() {
    let s = support::serve::Served::start(Backend::Sqlite).await;
    let (status, _) = s
        .command("alice", false, "/deploy frontend r1 to integration")
        .await;
    assert_eq!(status, 200);
    let get = |path: &str, host: Option<&str>| {
        let mut r = s.http.get(format!("{}{path}", s.base));
        if let Some(h) = host {
            r = r.header("host", h);
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, root) = get("/", None).await;
    assert_eq!(status, 200);
    assert!(root.contains(r#"id="as""#), "the console: {root}");
    let (status, html) = get("/dashboard", None).await;
    assert_eq!(status, 200);
    well_behaved(&html);
    assert!(html.contains("deploying by alice for"), "{html}");
    assert!(
        html.contains("Local mode: what badger would post"),
        "{html}"
    );
    let (status, html) = get("/apps/frontend", None).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("deploying by alice"), "{html}");
    // A name that is not loopback's gets the dashboard, saying why not the console.
    let (status, html) = get("/", Some("evil.example")).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"id="console-refused""#), "{html}");
    // The versions matrix: nothing runs yet, but frontend's first deployment is going out.
    assert!(html.contains(">deploying r1</span>"), "{html}");
    assert!(
        html.contains("frontend</a> <span class=\"ref\">r1</span> deploying"),
        "{html}"
    );
    assert!(!html.contains(r#"id="as""#), "{html}");
    // Nor does it see the console's record of private answers, at `/` or `/dashboard`.
    for path in ["/", "/dashboard"] {
        let (status, html) = get(path, Some("evil.example")).await;
        assert_eq!(status, 200);
        assert!(!html.contains("what badger would post"), "{path}: {html}");
        assert!(!html.contains("You&#39;re deploying"), "{path}: {html}");
    }
}

async fn a_called_turn_and_an_emergency_show_as_such(backend: Backend) {
    let t = seeded(backend).await;
    // Alice finishes: Bob's publisher p2 is called and waits for him to start.
    let start = t
        .wait_for_message("<@U0ALICE> started deploying *frontend* `f1`")
        .await;
    let id = TestApp::button_value(&start, "deploy_done").expect("a Done button");
    assert_eq!(t.press("U0ALICE", "deploy_done", &id).await, 200);
    t.wait_for_message("<@U0BOB> it's your turn").await;
    t.clock.advance(chrono::Duration::minutes(3));
    // An emergency in staging (production is held): the window is open, but it is
    // marked all the same.
    let r = t
        .deploy(
            "U0ADMIN",
            "emergency whitehall r2 to staging login is broken",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (_, html) = page(&t, "/dashboard").await;
    well_behaved(&html);
    let called = part(&html, r#"<p class="called""#, "</p>");
    assert!(
        called.contains("U0BOB's turn, waiting to start for <span class=\"elapsed\">3 min</span>"),
        "{called}"
    );
    let staging = part(&html, r#"<div class="env" data-env="staging">"#, "</div>");
    assert!(
        staging.contains(r#"<span class="badge">emergency</span> <q>login is broken</q>"#),
        "{staging}"
    );
    // Alice's deployment is history now: 12 minutes, succeeded.
    let history = part(&html, r#"id="history""#, "</table>");
    let first = part(history, "<tr data-id=", "</tr>");
    assert!(
        first.contains(">frontend</a>") && first.contains(r#"data-label="took">12 min</td>"#),
        "{first}"
    );
    t.stop().await;
}
on_both_backends!(a_called_turn_and_an_emergency_show_as_such);

async fn without_its_database_the_dashboard_says_so(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.core().store.close().await;
    for path in ["/dashboard", "/apps/whitehall"] {
        let r = t.get(path).await;
        assert_eq!(r.status().as_u16(), 503, "{path}");
        let text = r.text().await.unwrap();
        assert!(
            text.contains("could not read the database"),
            "{path}: {text}"
        );
    }
    t.stop().await;
}
on_both_backends!(without_its_database_the_dashboard_says_so);
