//! Escaping of user text on its way back out to Slack: in alerts, in text Slack sent
//! entity-encoded (escaped exactly once), and in parse errors.

use super::*;
use support::driver::Reply;

/// Alice starts deploying whitehall `r1` to integration with `note` (`--note`), as typed.
async fn deploy_with_note(t: &TestApp, note: &str) -> Reply {
    let text = format!("whitehall r1 to integration --note {note}");
    t.deploy(ALICE, &text).await
}

async fn user_text_reaches_slack_escaped(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = deploy_with_note(&t, "<!channel> ping <@U123> & see <https://x|y>").await;
    r.assert_says("You're deploying");
    assert!(!r.json.to_string().contains("<!channel>"), "{}", r.json);
    let alert = t.wait_for_message("started deploying").await;
    let text = alert["text"].as_str().unwrap();
    let blocks = alert["blocks"].to_string();
    for (what, shown) in [("text", text), ("blocks", blocks.as_str())] {
        assert!(
            shown.contains("&lt;!channel&gt; ping &lt;@U123&gt; &amp; see &lt;https://x|y&gt;"),
            "{what}: {shown}"
        );
        for raw in ["<!channel>", "<@U123>", "<https://x|y>", " & "] {
            assert!(
                !shown.contains(raw),
                "{what} has {raw:?} unescaped: {shown}"
            );
        }
        // The requester is still mentioned properly.
        assert!(shown.contains("<@U0ALICE>"), "{what}: {shown}");
    }
    // The same in what the fake Slack was sent, call by call.
    let posts = t.slack.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let sent = posts[0].body.to_string();
    assert!(sent.contains("&lt;!channel&gt;"), "{sent}");
    assert!(!sent.contains("<!channel>"), "{sent}");

    // A note on the way out (done NOTE) is escaped in the end alert too.
    t.deploy(ALICE, "done <!here> all good & <@U456>").await;
    let end = t.wait_for_message("succeeded").await;
    let text = end["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;!here&gt; all good &amp; &lt;@U456&gt;"),
        "{text}"
    );
    assert!(!end.to_string().contains("<!here>"), "{end}");
    t.stop().await;
}
on_both_backends!(user_text_reaches_slack_escaped);

/// Slack itself sends `&`, `<`, `>` in command text as entities. badger decodes them once
/// and escapes once on the way out: no double escaping, and still no live `<!channel>`.
async fn slack_encoded_text_is_escaped_exactly_once(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = deploy_with_note(&t, "&lt;!channel&gt; fish &amp; chips").await;
    assert_eq!(r.status, 200);
    let alert = t.wait_for_message("started deploying").await;
    let text = alert["text"].as_str().unwrap();
    assert!(
        text.contains("Note: &lt;!channel&gt; fish &amp; chips"),
        "{text}"
    );
    // Not escaped twice, and no live mention.
    for wrong in ["&amp;lt;", "&amp;amp;", "<!channel>"] {
        assert!(!text.contains(wrong), "{wrong:?} in {text}");
    }
    t.stop().await;
}
on_both_backends!(slack_encoded_text_is_escaped_exactly_once);

/// A command that doesn't parse is answered with the words quoted back, escaped.
async fn parse_errors_quote_user_text_escaped(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.deploy(ALICE, "whitehall r1 to <!channel>").await;
    let text = r.text();
    assert!(text.contains("&lt;!channel&gt;"), "{text}");
    assert!(!text.contains("<!channel>"), "{text}");
    t.hold(ALICE, "release <@U123>")
        .await
        .assert_never_says("<@U123>");
    t.stop().await;
}
on_both_backends!(parse_errors_quote_user_text_escaped);
