//! The local console over HTTP, against `badger serve` started with no Slack token: two
//! people deploy, queue, hold, press Done, Start and Release, and each sees what Slack
//! would show them (their own ephemerals only, edits in place, the topic with the holds).
//! Also: who may use the console, bad input, and that connected mode has none.

use crate::support;

use support::dashboard::part;
use support::db::Backend;
use support::driver::TestApp;
use support::serve::{message, newest_button, topic, Served};

async fn two_people_through_the_console(backend: Backend) {
    let s = Served::start(backend).await;

    // The page says what to try first, and the console is on it.
    let page = s.http.get(&s.base).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(
            "Type <code>/deploy frontend release_1 to integration</code> to try it first"
        ),
        "{page}"
    );
    assert!(page.contains("id=\"as\" value=\"alice\""), "{page}");
    assert!(page.contains("<form class=\"composer\""), "{page}");

    // Alice deploys: her ephemeral answer, and the start alert in the channel with buttons.
    let (status, r) = s
        .command("alice", false, "/deploy frontend release_1 to integration")
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["reply"]["response_type"], "ephemeral");
    let seen = s
        .wait_for("alice", "her start alert", |h| {
            h.contains("<span class=\"mention\">@alice</span> started deploying <b>frontend</b> <code>release_1</code> to <b>integration</b>")
        })
        .await;
    assert!(seen.contains("Only visible to you"), "{seen}");
    assert!(seen.contains("<code>/deploy frontend release_1 to integration</code>"));
    assert!(
        seen.contains("You&#39;re deploying <b>frontend</b>"),
        "{seen}"
    );
    let done = newest_button(&seen, "deploy_done").expect("a Done button");
    assert_eq!(done.channel, "C0DEPLOY");
    for label in [">Done</button>", ">Failed</button>", ">Cancel</button>"] {
        assert!(message(&seen, &done.ts).contains(label), "{label}: {seen}");
    }

    // Bob queues behind her; he is told privately, and Alice does not see it.
    let (status, r) = s
        .command("bob", false, "/deploy backend r2 to integration")
        .await;
    assert_eq!(status, 200, "{r}");
    let bob = s
        .wait_for("bob", "his queued notice", |h| {
            h.contains("you are number 1 in line")
        })
        .await;
    assert!(
        bob.contains("Ahead of you: <span class=\"mention\">@alice</span>"),
        "{bob}"
    );
    assert!(newest_button(&bob, "deploy_cancel").is_some());
    // Bob sees the channel's start alert too, but not Alice's ephemeral.
    assert!(bob.contains("started deploying <b>frontend</b>"));
    assert!(!bob.contains("You&#39;re deploying"), "{bob}");
    let alice = s.state("alice").await["channels"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!alice.contains("number 1 in line"), "{alice}");

    // Bob holds frontend in staging: the announcement, and the topic lists the hold.
    let (status, _) = s
        .command(
            "bob",
            false,
            "/hold frontend staging db <migration> & checks",
        )
        .await;
    assert_eq!(status, 200);
    let held = s
        .wait_for("alice", "the hold in the topic and its announcement", |h| {
            topic(h).contains("Held:") && h.contains("is holding deployments of")
        })
        .await;
    assert_eq!(
        topic(&held),
        " data-topic-for=\"C0DEPLOY\">\u{1F512} Held: frontend/staging (<span class=\"mention\">@bob</span>: db &lt;migration&gt; &amp; checks) \u{1F512}",
    );
    assert!(held.contains("<b>badger</b> set the channel topic:"));
    assert!(
        held.contains("is holding deployments of <b>frontend</b> in <b>staging</b>"),
        "{held}"
    );
    let release = newest_button(&held, "hold_release").expect("a Release button");

    // Alice presses Done: her start alert is edited in place (no buttons, the outcome),
    // the end alert is posted, and Bob is called with Start.
    let (status, _) = s.press("alice", false, &done).await;
    assert_eq!(status, 200);
    let after = s
        .wait_for("bob", "his turn, the end alert and the edit", |h| {
            // Separate Slack calls, delivered in the background: wait for all of them.
            h.contains("it&#39;s your turn to deploy <b>backend</b>")
                && h.contains("succeeded in")
                && message(h, &done.ts).contains("(edited)")
        })
        .await;
    let edited = message(&after, &done.ts);
    assert!(edited.contains("finished: succeeded"), "{edited}");
    assert!(edited.contains("(edited)"), "{edited}");
    assert!(!edited.contains("data-action-id"), "{edited}");
    assert_eq!(
        after.matches(&format!("data-ts=\"{}\"", done.ts)).count(),
        1
    );
    assert!(
        after.contains("<b>frontend</b> <code>release_1</code> to <b>integration</b> succeeded"),
        "{after}"
    );
    let start = newest_button(&after, "deploy_start").expect("a Start button");
    assert!(message(&after, &start.ts).contains(">Let the next go first</button>"));

    // Alice cannot press Bob's Start: she is told privately, and nothing changes.
    let (status, _) = s.press("alice", false, &start).await;
    assert_eq!(status, 200);
    s.wait_for("alice", "why her press did nothing", |h| {
        h.contains("Only <span class=\"mention\">@bob</span>")
    })
    .await;

    // Bob presses Start: his turn message closes and his start alert appears.
    s.press("bob", false, &start).await;
    let started = s
        .wait_for("bob", "his start alert, and his turn closed", |h| {
            h.contains("<span class=\"mention\">@bob</span> started deploying <b>backend</b>")
                && message(h, &start.ts).contains("(edited)")
        })
        .await;
    assert!(!message(&started, &start.ts).contains("deploy_start"));
    let bobs_done = newest_button(&started, "deploy_done").expect("Bob's Done");
    assert_ne!(bobs_done.value, done.value);

    // Bob releases his hold: the topic loses it, the announcement is edited.
    s.press("bob", false, &release).await;
    let released = s
        .wait_for("alice", "the topic without the hold", |h| {
            !topic(h).contains("Held:")
                && h.contains("<b>badger</b> cleared the channel topic")
                && message(h, &release.ts).contains("(edited)")
        })
        .await;
    assert!(topic(&released).contains("No topic"), "{released}");
    assert!(!message(&released, &release.ts).contains("hold_release"));
    assert!(message(&released, &release.ts).contains("(edited)"));

    // The console's admin box: Alice, ticked as admin, may finish Bob's deployment.
    s.press("alice", true, &bobs_done).await;
    let finished = s
        .wait_for("bob", "his deployment finished by an admin", |h| {
            h.contains("<b>backend</b> <code>r2</code> to <b>integration</b> succeeded")
                && message(h, &bobs_done.ts).contains("finished: succeeded")
        })
        .await;
    assert!(message(&finished, &bobs_done.ts).contains("finished: succeeded"));

    // The dashboard beside it caught up too, with the console's names.
    let state = s.state("alice").await;
    let dash = state["dashboard"].as_str().unwrap();
    let backend = part(dash, r#"<tr data-app="backend">"#, "</tr>");
    let integration = part(backend, r#"data-env="integration""#, "</td>");
    assert!(
        integration.contains(r#"<span class="ref">r2</span>"#),
        "{dash}"
    );
    assert!(dash.contains("<li>none</li>"), "no holds left: {dash}");
    // Its history says who finished Bob's, by the console's name.
    assert!(
        dash.contains("<li>#2 backend r2 to integration: succeeded, marked done by alice</li>"),
        "{dash}"
    );
    assert_eq!(state["user"]["name"], "alice");
}
on_both_backends!(two_people_through_the_console);

async fn bad_input_is_refused_clearly_and_changes_nothing(backend: Backend) {
    let s = Served::start(backend).await;
    let cases = [
        ("<b>", "/deploy help", "not a name the console can use"),
        ("alice", "deploy frontend r1", "slash commands only"),
        (
            "alice",
            "/deploi frontend r1",
            "/deploi is not a command here",
        ),
    ];
    for (who, text, says) in cases {
        let (status, r) = s.command(who, false, text).await;
        assert_eq!(status, 400, "{text}: {r}");
        assert!(
            r["error"].as_str().unwrap_or("").contains(says),
            "{text}: {r}"
        );
    }
    assert_eq!(s.post_raw("/console/press", "{not json").await, 400);
    let (status, r) = s
        .press(
            "alice",
            false,
            &support::serve::Button {
                action_id: "deploy_done".into(),
                value: "1".into(),
                channel: String::new(),
                ts: String::new(),
            },
        )
        .await;
    assert_eq!(status, 400, "{r}");
    // A parse error from the real parser comes back as the ephemeral Slack would show.
    let (status, r) = s.command("alice", false, "/deploy frontend").await;
    assert_eq!(status, 200);
    assert_eq!(r["reply"]["response_type"], "ephemeral");
    let state = s.state("alice").await;
    assert!(!state["channels"]
        .as_str()
        .unwrap()
        .contains("started deploying"));
    assert!(state["dashboard"]
        .as_str()
        .unwrap()
        .contains("<td>free</td>"));
}
on_both_backends!(bad_input_is_refused_clearly_and_changes_nothing);

/// Local mode with the default policy (no `channel`): a CI report is taken, and its start
/// and end show in the console's channel like anything badger would announce.
async fn ci_reports_show_in_the_console(backend: Backend) {
    let token = "local-ci-token-0123";
    let s = Served::start_with(backend, &[("BADGER_API_TOKEN", token)]).await;
    let report = |body: serde_json::Value| {
        s.http
            .post(format!("{}/api/v1/deployments", s.base))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = report(serde_json::json!({"app": "frontend", "ref": "r7",
        "environment": "integration", "status": "started"}))
    .await
    .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    s.wait_for("alice", "CI's start alert", |h| {
        h.contains("started deploying <b>frontend</b> <code>r7</code> to <b>integration</b>")
    })
    .await;
    let r = s
        .http
        .post(format!("{}/api/v1/deployments/{id}/events", s.base))
        .bearer_auth(token)
        .json(&serde_json::json!({"status": "succeeded"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    s.wait_for("bob", "CI's end alert", |h| {
        h.contains("<b>frontend</b> <code>r7</code> to <b>integration</b> succeeded")
    })
    .await;
}
on_both_backends!(ci_reports_show_in_the_console);

/// A console command posted as a page at `origin` would post it.
async fn command_from(s: &Served, origin: &str, text: &str) -> reqwest::Response {
    s.http
        .post(format!("{}/console/command", s.base))
        .header("origin", origin)
        .json(&serde_json::json!({"as": "alice", "text": text}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn only_this_machine_and_its_own_page_may_use_it() {
    let s = Served::start(Backend::Sqlite).await;
    // A page elsewhere posting through a visitor's browser names its origin.
    let deploy = "/deploy frontend r1 to integration";
    let r = command_from(&s, "https://evil.example", deploy).await;
    assert_eq!(r.status(), 403);
    let why: serde_json::Value = r.json().await.unwrap();
    assert!(
        why["error"].as_str().unwrap().contains("another site"),
        "{why}"
    );
    // So is a page another server on this machine serves (another port).
    let r = command_from(&s, "http://127.0.0.1:1", deploy).await;
    assert_eq!(r.status(), 403);
    // A name that resolved to 127.0.0.1 (DNS rebinding) is not a loopback name.
    let r = s
        .http
        .get(format!("{}/console/state", s.base))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Nothing was done by either.
    let state = s.state("alice").await;
    assert!(!state["channels"]
        .as_str()
        .unwrap()
        .contains("started deploying"));
    // The console's own page, as a browser sends it, is fine.
    let r = command_from(&s, &s.base, "/deploy help").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn connected_mode_has_no_console() {
    let t = TestApp::start(Backend::Sqlite).await;
    for path in ["/console/state?as=alice"] {
        assert_eq!(t.get(path).await.status(), 404, "{path}");
    }
    let r = t
        .http
        .post(format!("{}/console/command", t.base))
        .json(&serde_json::json!({"as": "alice", "text": "/deploy help"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let page = t.get("/").await.text().await.unwrap();
    assert!(page.contains("<h2>Environments</h2>"));
    assert!(!page.contains("composer"), "{page}");
}
