//! The dashboard in a real browser (headless Chromium through chromedriver), at a phone's
//! width and a desktop's: what a person sees of the matrix, the drift mark, the deployment
//! in progress, a hold and the history's smoke checks, with nothing wider than the screen. Screenshots are kept in
//! `target/artefacts/dashboard-*.png` for a person to look at.
//!
//! Without Chromium this test skips with a loud notice, unless BADGER_REQUIRE_BROWSER=1.

use crate::support;

use fantoccini::{Client, Locator};
use serde_json::Value;
use support::browser::{chromium_or_skip, screenshot, session, start_chromedriver};
use support::dashboard::{seed, HOLD_REASON};
use support::db::Backend;
use support::driver::TestApp;
use support::smoke_server::{govuk_policy_with_smoke, wait_for_smoke_checks, SmokeServer};

async fn text(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.expect("text"),
        Err(e) => panic!("no {css}: {e}\n{}", c.source().await.unwrap_or_default()),
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect("script runs")
}

async fn css_of(c: &Client, css: &str, property: &str) -> String {
    let script = format!(
        "return getComputedStyle(document.querySelector({css:?})).getPropertyValue({property:?})"
    );
    js(c, &script).await.as_str().unwrap_or("").to_owned()
}

/// What a person sees on the dashboard, at any width.
async fn sees_the_dashboard(c: &Client, base: &str, label: &str, phone: bool) {
    c.goto(&format!("{base}/")).await.expect("open");
    let staging = "#versions tr[data-app=\"whitehall\"] td[data-env=\"staging\"]";
    let cell = text(c, staging).await;
    assert!(
        cell.contains("r1") && cell.contains("behind integration"),
        "{label}: {cell}"
    );
    // The drift mark is visible, not just a class: the cell is tinted.
    assert_eq!(
        css_of(c, staging, "background-color").await,
        "rgb(255, 244, 214)",
        "{label}"
    );
    let integration = text(
        c,
        "#versions tr[data-app=\"whitehall\"] td[data-env=\"integration\"]",
    )
    .await;
    assert!(
        integration.contains("r2") && !integration.contains("behind"),
        "{label}: {integration}"
    );
    let deploying = text(c, ".env[data-env=\"integration\"] .deploying").await;
    assert!(
        deploying.contains("frontend f1 deploying by U0ALICE for 12 min"),
        "{label}: {deploying}"
    );
    let hold = text(c, "#holds li").await;
    assert!(
        hold.contains("whitehall in production held by U0BOB"),
        "{label}: {hold}"
    );
    // The reason is shown as the text typed, and its markup never ran.
    assert!(hold.contains(HOLD_REASON), "{label}: {hold}");
    assert!(
        hold.contains("until Tue 24 Nov 16:00 GMT"),
        "{label}: {hold}"
    );
    assert_eq!(js(c, "return document.scripts.length").await, 0, "{label}");
    // Nothing is wider than the screen.
    let (page, screen) = (
        js(c, "return document.documentElement.scrollWidth").await,
        js(c, "return window.innerWidth").await,
    );
    assert!(
        page.as_i64() <= screen.as_i64(),
        "{label}: page {page} wide on a {screen} screen"
    );
    // The matrix of three environments fits without scrolling sideways.
    let overflow = js(
        c,
        "const t = document.querySelector('#versions'); return t.offsetWidth - t.parentElement.clientWidth",
    )
    .await;
    assert!(
        overflow.as_i64() <= Some(0),
        "{label}: the matrix overflows by {overflow}px"
    );
    // On a phone the history stacks into labelled lines; on a desktop it is a table.
    let head = css_of(c, "#history thead", "display").await;
    assert_eq!(
        head == "none",
        phone,
        "{label}: history header display {head}"
    );
    // Smoke checks in the history, newest first: integration's passed (publisher failed
    // there, so had none), staging's failed (and why); production has no smoke URLs.
    let smoke = |env: &str| {
        format!("return [...document.querySelectorAll('#history tbody tr')].filter(r => r.querySelector('td[data-label=\"env\"]').textContent === '{env}').map(r => r.querySelector('td.smoke').innerText).join('|')")
    };
    let integration = js(c, &smoke("integration")).await;
    assert_eq!(integration, "—|passed|passed", "{label}");
    let staging = js(c, &smoke("staging")).await;
    assert!(
        staging.as_str().unwrap_or("").starts_with("failed")
            && staging.as_str().unwrap_or("").contains("HTTP 404"),
        "{label}: {staging}"
    );
    assert_eq!(js(c, &smoke("production")).await, "—", "{label}");
    let shot = screenshot(c, &format!("dashboard-{label}.png")).await;
    eprintln!("screenshot: {}", shot.display());

    c.goto(&format!("{base}/apps/whitehall"))
        .await
        .expect("open");
    assert_eq!(text(c, "#app-name").await, "whitehall");
    let shot = screenshot(c, &format!("dashboard-app-{label}.png")).await;
    eprintln!("screenshot: {}", shot.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sees_the_dashboard_on_a_phone_and_a_desktop() {
    let Some((chromium, driver)) = chromium_or_skip("dashboard") else {
        return;
    };
    let server = SmokeServer::start().await;
    let policy = govuk_policy_with_smoke(
        &[format!("{}/ok/{{app}}", server.base)],
        &[format!("{}/missing/{{app}}", server.base)],
    );
    let t = TestApp::start_with(Backend::Sqlite, &policy).await;
    seed(&t).await;
    assert!(wait_for_smoke_checks(&t).await, "the smoke checks finish");
    let (_driver, webdriver) = start_chromedriver(&driver).await;
    // Tall viewports, so each screenshot holds the whole page.
    let phone = session(&webdriver, &chromium, 390, 2400, true).await;
    let desktop = session(&webdriver, &chromium, 1280, 1600, false).await;
    let base = t.base.clone();
    let (p, d) = (phone.clone(), desktop.clone());
    // Run apart, so the browsers are closed even when an assertion fails.
    let outcome = tokio::spawn(async move {
        sees_the_dashboard(&p, &base, "phone", true).await;
        sees_the_dashboard(&d, &base, "desktop", false).await;
    })
    .await;
    let _ = phone.close().await;
    let _ = desktop.close().await;
    t.stop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
