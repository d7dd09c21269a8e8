//! `/deploy history APP [ENV]` through real HTTP on both backends: an app's finished
//! deployments (people's, an admin's Done, a failure, a CI report), newest first, the
//! environment filter, nothing yet, an app badger never knew, "+ more" with the dashboard
//! and API links, the parser's errors; and the same command in the local console.

use crate::support;

use chrono::Duration;
use serde_json::json;
use support::ci;
use support::db::Backend;
use support::driver::TestApp;
use support::people::{ADMIN, ALICE, BOB};
use support::serve::Served;

const URL: &str = "https://badger.example.com";

/// The deployment id an answer names: "(#12)".
fn id_in(text: &str) -> String {
    let (_, rest) = text
        .split_once("(#")
        .unwrap_or_else(|| panic!("no id in {text}"));
    rest.split(')').next().unwrap().to_owned()
}

/// `who` starts `text`; `minutes` later it is done (by `done_by` pressing Done).
async fn deploy_done(t: &TestApp, who: &str, text: &str, minutes: i64, done_by: &str) {
    let r = t.deploy(who, text).await;
    assert!(
        r.text().contains("You're deploying"),
        "{text}: {}",
        r.text()
    );
    t.clock.advance(Duration::minutes(minutes));
    assert_eq!(
        t.press(done_by, "deploy_done", &id_in(&r.text())).await,
        200
    );
    t.clock.advance(Duration::minutes(1));
}

/// `/deploy history ...` as `BOB`: the answer's text, checked to be his alone.
async fn history(t: &TestApp, args: &str) -> String {
    let r = t.deploy(BOB, &format!("history {args}")).await;
    assert_eq!(r.status, 200, "{args}: {}", r.json);
    assert_eq!(r.json["response_type"], "ephemeral", "{args}: {}", r.json);
    r.text()
}

async fn an_apps_history_newest_first(backend: Backend) {
    let t = TestApp::start_with_public_url(backend, URL).await;
    assert_eq!(
        history(&t, "whitehall").await,
        "badger knows no app called *whitehall*: nothing of it was ever deployed, and the \
         policy does not list it. `/deploy versions` lists the apps it knows."
    );

    deploy_done(&t, ALICE, "whitehall release_1 to integration", 4, ALICE).await;
    deploy_done(&t, ALICE, "whitehall release_1 to staging", 2, ADMIN).await;
    // A typo of it is not "nothing yet": badger says it knows no such app, and the closest.
    assert!(
        history(&t, "whitehal")
            .await
            .contains("Did you mean *whitehall*?"),
        "a typo gets the closest app"
    );
    // Known now, by its history: nothing in production yet is said so.
    assert_eq!(
        history(&t, "whitehall production").await,
        "No finished deployments of *whitehall* in *production* yet."
    );
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.clock.advance(Duration::minutes(3));
    let r = t.deploy(ALICE, "failed migrations <!channel> broke").await;
    assert!(r.text().contains("as failed"), "{}", r.text());
    t.clock.advance(Duration::minutes(1));
    let body = json!({"app": "whitehall", "ref": "release_1", "environment": "production",
                      "status": "succeeded", "note": "<!here> shipped"});
    assert_eq!(ci::report(&t, body).await.status, 201);
    // Deploying, not finished: not history yet.
    let r = t.deploy(BOB, "whitehall release_3 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());

    let all = history(&t, "whitehall").await;
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 5, "{all}");
    assert_eq!(
        lines[0],
        "*whitehall*: the last 4 finished deployments, newest first."
    );
    // CI's report: when it came, and its note.
    assert!(
        lines[1].starts_with("• :white_check_mark: `release_1` to *production*: succeeded")
            && lines[1].contains("Tue 24 Nov 10:12 GMT")
            && lines[1].contains("(#4)"),
        "{all}"
    );
    assert!(
        lines[1].ends_with(" · note: &lt;!here&gt; shipped"),
        "{all}"
    );
    assert_eq!(
        lines[2],
        "• :x: `release_2` to *integration*: failed in 3m 0s, Tue 24 Nov 10:11 GMT, asked by \
         <@U0ALICE> (#3) · why: migrations &lt;!channel&gt; broke"
    );
    assert_eq!(
        lines[3],
        "• :white_check_mark: `release_1` to *staging*: succeeded in 2m 0s, Tue 24 Nov 10:07 GMT, \
         asked by <@U0ALICE> (#2); marked done by <@U0ADMIN>"
    );
    assert_eq!(
        lines[4],
        "• :white_check_mark: `release_1` to *integration*: succeeded in 4m 0s, Tue 24 Nov 10:04 \
         GMT, asked by <@U0ALICE> (#1)"
    );
    assert!(
        !all.contains("<!channel>") && !all.contains("<!here>"),
        "{all}"
    );

    // One environment's: production holds only CI's report.
    let production = history(&t, "whitehall production").await;
    assert!(
        production.starts_with("*whitehall* in *production*: the last finished deployment.\n"),
        "{production}"
    );
    assert_eq!(production.lines().count(), 2, "{production}");

    // Past ten, the rest is pointed to; the API link lists what the answer left out.
    t.press(BOB, "deploy_done", "5").await;
    for i in 4..=12 {
        let text = format!("whitehall release_{i} to integration");
        deploy_done(&t, ALICE, &text, 1, ALICE).await;
    }
    let integration = history(&t, "whitehall integration").await;
    let shown: Vec<&str> = integration
        .lines()
        .filter(|l| l.starts_with("• "))
        .collect();
    assert_eq!(shown.len(), 10, "{integration}");
    assert!(shown[0].contains("`release_12`") && shown[9].contains("`release_3`"));
    assert!(
        integration.ends_with(&format!(
            "\n+ more: see the dashboard (<{URL}/apps/whitehall|whitehall's page>) or \
             `GET {URL}/api/v1/deployments?app=whitehall&amp;environment=integration`."
        )),
        "{integration}"
    );
    let api = ci::get(
        &t,
        "/api/v1/deployments?app=whitehall&environment=integration",
    )
    .await;
    let refs = api.each("deployments", "git_ref");
    assert_eq!(refs.len(), 12, "{refs:?}");
    assert_eq!(refs[10..], ["release_2", "release_1"]);

    // Bad input: what was wrong, and the usage; nothing is read.
    for (args, says) in [
        ("", "Which app? Give the app's name after `history`"),
        (
            "whitehall prod",
            "`prod` isn't an environment. Did you mean `production`?",
        ),
        ("whitehall to", "`to` isn't an environment"),
        ("whitehall production now", "I didn't expect `now`"),
    ] {
        let r = t.deploy(BOB, &format!("history {args}")).await.text();
        assert!(
            r.contains(says) && r.contains("/deploy history APP [ENV]"),
            "{args}: {r}"
        );
    }
    t.stop().await;
}
on_both_backends!(an_apps_history_newest_first);

/// The local console runs the same command path: the answer is the asker's own.
async fn the_console_answers_history_too(backend: Backend) {
    let s = Served::start(backend).await;
    let (status, r) = s
        .command("alice", false, "/deploy frontend r1 to integration")
        .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = s.command("alice", false, "/deploy done").await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = s.command("bob", false, "/deploy history frontend").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["reply"]["response_type"], "ephemeral", "{r}");
    let text = r["reply"]["text"].as_str().unwrap_or("");
    assert!(
        text.starts_with("*frontend*: the last finished deployment.\n• :white_check_mark: `r1` to *integration*: succeeded"),
        "{text}"
    );
    let (_, r) = s.command("bob", false, "/deploy history backend").await;
    let text = r["reply"]["text"].as_str().unwrap_or("");
    assert!(
        text.starts_with("badger knows no app called *backend*"),
        "{text}"
    );
}
on_both_backends!(the_console_answers_history_too);
