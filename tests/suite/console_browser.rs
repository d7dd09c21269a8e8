//! The console in a real browser: headless Chromium through chromedriver (Debian's
//! `chromium` and `chromium-driver`), two browsers as two people against `badger serve`
//! with no Slack token. Each sees the other's actions without reloading. Screenshots are
//! kept in `target/artefacts/` for a person to look at.
//!
//! Without Chromium this test skips with a loud notice, unless BADGER_REQUIRE_BROWSER=1
//! (CI sets it), where a missing browser is a failure.

use crate::support;

use fantoccini::{Client, Locator};
use std::time::Duration;
use support::browser::{chromium_or_skip, screenshot, session, start_chromedriver};
use support::db::Backend;
use support::serve::Served;

/// How long to wait for something to appear on a page before the test fails.
const APPEAR: Duration = Duration::from_secs(30);

async fn type_command(c: &Client, text: &str) {
    let input = c.find(Locator::Id("text")).await.expect("the command box");
    input.send_keys(text).await.expect("typing");
    c.find(Locator::Css("form.composer button"))
        .await
        .expect("Send")
        .click()
        .await
        .expect("click Send");
}

async fn wait_for(c: &Client, who: &str, xpath: &str) {
    if let Err(e) = c
        .wait()
        .at_most(APPEAR)
        .for_element(Locator::XPath(xpath))
        .await
    {
        let page = c.source().await.unwrap_or_default();
        panic!("{who}'s page never showed {xpath}: {e}\n{page}");
    }
}

/// The XPath of the channel topic showing `text`.
fn topic_shows(text: &str) -> String {
    format!("//div[@class='topic'][contains(., '{text}')]")
}

/// The XPath of a channel message showing `text`.
fn message_shows(text: &str) -> String {
    format!("//li[@class='msg'][contains(., '{text}')]")
}

/// Clicks the newest button `action_id`. The page redraws itself when something changes,
/// which can take a found button away before the click lands: then find it again.
async fn press(c: &Client, action_id: &str) {
    let css = format!("button[data-action-id=\"{action_id}\"]");
    let mut last = None;
    for _ in 0..20 {
        let buttons = c.find_all(Locator::Css(&css)).await.expect("find buttons");
        match buttons.last() {
            Some(b) => match b.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e.to_string()),
            },
            None => last = Some("no such button".into()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not press {action_id}: {last:?}");
}

async fn scenario(base: String, alice: Client, bob: Client) {
    alice
        .goto(&format!("{base}/?as=alice"))
        .await
        .expect("open");
    let hint = alice
        .find(Locator::Id("hint"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        hint.contains("Type /deploy frontend release_1 to integration to try it first"),
        "{hint}"
    );

    // Alice deploys; her start alert appears with its buttons.
    type_command(&alice, "/deploy frontend release_1 to integration").await;
    wait_for(&alice, "alice", "//li[contains(@class,'ephemeral')][contains(., 'You’re deploying') or contains(., \"You're deploying\")]").await;
    wait_for(&alice, "alice", "//li[@class='msg'][contains(., '@alice started deploying frontend release_1 to integration')]//button[@data-action-id='deploy_done']").await;

    // Bob, in his own browser, queues behind her and holds frontend in staging.
    bob.goto(&format!("{base}/?as=bob")).await.expect("open");
    type_command(&bob, "/deploy backend r2 to integration").await;
    wait_for(
        &bob,
        "bob",
        "//li[contains(@class,'ephemeral')][contains(., 'you are number 1 in line')]",
    )
    .await;
    type_command(&bob, "/hold frontend staging db migration").await;

    // Alice's page shows the hold in the topic by itself.
    let held = "Held: frontend/staging (@bob: db migration)";
    wait_for(&alice, "alice", &topic_shows(held)).await;
    // Bob's private notice is not on Alice's page.
    let alice_page = alice.source().await.unwrap();
    assert!(!alice_page.contains("number 1 in line"));

    // Alice presses Done: her alert is edited in place; Bob is called, on his page.
    press(&alice, "deploy_done").await;
    wait_for(&alice, "alice", "//li[@class='msg'][contains(., '@alice started deploying frontend')][contains(., 'finished: succeeded')][contains(., '(edited)')]").await;
    wait_for(&bob, "bob", "//li[@class='msg'][contains(., 'your turn to deploy backend')]//button[@data-action-id='deploy_start']").await;

    // Bob presses Start.
    press(&bob, "deploy_start").await;
    wait_for(&bob, "bob", "//li[@class='msg'][contains(., '@bob started deploying backend r2 to integration')]//button[@data-action-id='deploy_done']").await;
    let started = "@bob started deploying backend";
    wait_for(&alice, "alice", &message_shows(started)).await;
    let shot = screenshot(&bob, "console.png").await;
    eprintln!("screenshot: {}", shot.display());

    // Bob releases his hold: the topic on Alice's page loses it.
    press(&bob, "hold_release").await;
    wait_for(&alice, "alice", &topic_shows("No topic")).await;
    let shot = screenshot(&alice, "console-alice.png").await;
    eprintln!("screenshot: {}", shot.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_in_two_browsers() {
    let Some((chromium, driver)) = chromium_or_skip("console") else {
        return;
    };

    let served = Served::start(Backend::Sqlite).await;
    let (_driver, webdriver) = start_chromedriver(&driver).await;
    let alice = session(&webdriver, &chromium, 1400, 1000, false).await;
    let bob = session(&webdriver, &chromium, 1400, 1000, false).await;
    // Run it apart, so the browsers are closed even when an assertion fails.
    let outcome = tokio::spawn(scenario(served.base.clone(), alice.clone(), bob.clone())).await;
    let _ = alice.close().await;
    let _ = bob.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
