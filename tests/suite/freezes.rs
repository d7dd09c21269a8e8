//! A named freeze (`[[window.freezes]]`), end to end and stepped: during it `/deploy` is
//! refused naming the freeze and the next opening, status and deploy-check say the same,
//! an emergency still goes, a queue place expiring the evening before is told of it, and
//! the day after it the window opens as usual; `badger check-config` lists it.

use crate::support;

use chrono::{DateTime, TimeZone, Utc};
use support::ci::get;
use support::db::Backend;
use support::driver::TestApp;
use support::people::{ALICE, BOB};

const FREEZE: &str = r#"
[[window.freezes]]
name = "Christmas change freeze"
from = "2026-12-21"
to = "2027-01-04"
"#;

/// December and January are GMT: UTC and London agree.
fn gmt(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// deploy-check for whitehall `r1` in staging, refused for the closed window alone.
async fn refused_check(t: &TestApp) -> support::ci::Answer {
    let a = get(
        t,
        "/api/v1/deploy-check?app=whitehall&environment=staging&ref=r1",
    )
    .await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["window_closed"], "{:?}", a.json);
    a
}

/// The refusal of `/deploy {app} {git_ref} to staging`, after it passed integration.
async fn refused_in_staging(t: &TestApp, who: &str, app: &str, git_ref: &str) -> String {
    t.deploy(who, &format!("{app} {git_ref} to integration"))
        .await;
    t.deploy(who, "done").await;
    t.deploy(who, &format!("{app} {git_ref} to staging"))
        .await
        .text()
}

async fn a_freeze_closes_the_window_by_name(backend: Backend) {
    let policy = format!("{}{FREEZE}", support::driver::POLICY);
    let t = TestApp::stepped_with(backend, &policy).await;

    // Its first day, at the usual opening time and a minute before the usual close.
    for at in [gmt(2026, 12, 21, 9, 30), gmt(2026, 12, 21, 16, 59)] {
        t.clock.set(at);
        let text = refused_in_staging(&t, ALICE, "whitehall", "r1").await;
        assert_eq!(
            text,
            ":lock: The deploy window for *staging* is closed now (Christmas change freeze, until Mon 4 Jan). \
             It next opens Tue 5 Jan 09:30 GMT. \
             If this can't wait, `/deploy emergency whitehall r1 to staging REASON...`"
        );
    }
    let closed = "The deploy window is closed (Christmas change freeze, until Mon 4 Jan); it next opens Tue 5 Jan 09:30 GMT.";
    t.deploy(ALICE, "status").await.assert_says(closed);
    let windows = t.deploy(ALICE, "windows").await.text();
    assert!(
        windows.contains("• Tue 22 Dec 2026 — Christmas change freeze"),
        "{windows}"
    );
    assert!(!windows.contains("closed by policy"), "{windows}");

    // deploy-check gives CI the same reason, in words and typed.
    let a = refused_check(&t).await;
    assert_eq!(
        a.json["reasons"][0],
        "the deploy window for staging is closed (Christmas change freeze, until Mon 4 Jan); it next opens Tue 5 Jan 09:30 GMT",
        "{:?}",
        a.json
    );
    assert_eq!(
        a.json["refusals"][0]["closure"],
        serde_json::json!({"name": "Christmas change freeze", "until": "2027-01-04"})
    );

    // An emergency still goes.
    let r = t
        .deploy(ALICE, "emergency whitehall r1 to staging the site is down")
        .await;
    r.assert_says("You're deploying");
    t.deploy(ALICE, "done").await;

    // Its last day is closed all day; the next is an ordinary Tuesday.
    t.clock.set(gmt(2027, 1, 4, 16, 59));
    let text = refused_in_staging(&t, BOB, "publisher", "r2").await;
    assert!(
        text.contains("closed now (Christmas change freeze, until Mon 4 Jan)"),
        "{text}"
    );
    t.clock.set(gmt(2027, 1, 5, 9, 30));
    let r = t.deploy(BOB, "publisher r2 to staging").await;
    r.assert_says("You're deploying");
    t.slack.read_all();
    t.stop().await;
}
on_both_backends!(a_freeze_closes_the_window_by_name);

/// A place in the queue expiring at Friday's close, the evening before the freeze, is
/// told the freeze is why the window stays shut till January.
async fn a_queue_place_expiring_before_a_freeze_names_it(backend: Backend) {
    let policy = format!("{}{FREEZE}", support::driver::POLICY);
    let t = TestApp::stepped_with(backend, &policy).await;
    t.clock.set(gmt(2026, 12, 18, 15, 30));
    for (who, app) in [(ALICE, "whitehall"), (BOB, "publisher")] {
        t.deploy(who, &format!("{app} r1 to integration")).await;
        t.deploy(who, "done").await;
    }
    t.deploy(ALICE, "whitehall r1 to staging").await;
    let r = t.deploy(BOB, "publisher r1 to staging").await;
    r.assert_says("number 1 in line");
    t.deliver_outbox().await;
    t.slack.read_all();

    t.at(gmt(2026, 12, 18, 16, 0)).await;
    let texts: Vec<String> = t
        .slack
        .read_all()
        .iter()
        .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
        .collect();
    let expired = texts
        .iter()
        .find(|s| s.contains("has expired"))
        .unwrap_or_else(|| panic!("no expiry among {texts:#?}"));
    assert_eq!(
        expired,
        ":lock: <@U0BOB> the deploy window for *staging* has closed (Christmas change freeze, until Mon 4 Jan), \
         so your place in the queue for *publisher* `r1` to *staging* has expired. \
         It next opens Tue 5 Jan 09:30 GMT. To queue again: `/deploy publisher r1 to staging`"
    );
    t.stop().await;
}
on_both_backends!(a_queue_place_expiring_before_a_freeze_names_it);

/// A named freeze is listed with its dates, and its days by its name.
#[test]
fn check_config_lists_the_freezes() {
    let dir = tempfile::tempdir().unwrap();
    // A Thursday a fortnight on or so, to the Friday a week after: relative to today.
    let from = crate::cli::upcoming(chrono::Weekday::Thu, 14);
    let to = from + chrono::Duration::days(8);
    let policy = dir.path().join("badger.toml");
    std::fs::write(
        &policy,
        format!("[[window.freezes]]\nname = \"Office move\"\nfrom = \"{from}\"\nto = \"{to}\"\n"),
    )
    .unwrap();
    let out = crate::cli::check_config(&policy);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let dates = format!(
        "Office move: {} to {} inclusive (9 days)",
        from.format("%a %Y-%m-%d"),
        to.format("%a %Y-%m-%d")
    );
    assert!(
        text.contains(&format!("  freezes:\n    {dates}\n")),
        "{text}"
    );
    // Its days are listed by its name (a bank holiday among them keeps its own).
    assert!(text.contains("  Office move  (from: freezes)"), "{text}");
}

/// Before a freeze starts: during the last opening before it `/deploy status` warns of it,
/// and on the weekend before it (closed by the weekend, which has no name) status, a
/// refusal, deploy-check, the dashboard and App Home say the next opening is after it.
async fn the_freeze_ahead_is_named_before_it_starts(backend: Backend) {
    let policy = format!("{}{FREEZE}", support::driver::POLICY);
    let t = TestApp::stepped_with(backend, &policy).await;

    // Friday 18 Dec 14:00: open, the last opening before the freeze.
    t.clock.set(gmt(2026, 12, 18, 14, 0));
    let status = t.deploy(ALICE, "status").await.text();
    assert!(
        status.starts_with(
            ":large_green_circle: The deploy window is open until Fri 18 Dec 16:00 GMT. \
             The Christmas change freeze starts Mon 21 Dec; the window after today's opens Tue 5 Jan 09:30 GMT.\n"
        ),
        "{status}"
    );
    // The Thursday before is not the last: no warning.
    t.clock.set(gmt(2026, 12, 17, 14, 0));
    t.deploy(ALICE, "status").await.assert_never_says("freeze");

    // Saturday 19 Dec: closed for the weekend, and the next opening skips the freeze.
    t.clock.set(gmt(2026, 12, 19, 12, 0));
    let next = "Tue 5 Jan 09:30 GMT, after the Christmas change freeze (Mon 21 Dec to Mon 4 Jan)";
    t.deploy(ALICE, "status").await.assert_says(&format!(
        ":red_circle: The deploy window is closed; it next opens {next}."
    ));
    let text = refused_in_staging(&t, ALICE, "whitehall", "r1").await;
    assert_eq!(
        text,
        format!(
            ":lock: The deploy window for *staging* is closed now (Sat 19 Dec 12:00 GMT). \
             It next opens {next}. \
             If this can't wait, `/deploy emergency whitehall r1 to staging REASON...`"
        )
    );

    // deploy-check: the same words, and what is skipped typed (`closure` stays absent:
    // today's closure has no name).
    let a = refused_check(&t).await;
    assert_eq!(
        a.json["reasons"][0],
        format!("the deploy window for staging is closed; it next opens {next}"),
        "{:?}",
        a.json
    );
    let refusal = &a.json["refusals"][0];
    assert_eq!(refusal["message"], a.json["reasons"][0]);
    assert_eq!(refusal["closure"], serde_json::Value::Null, "{refusal}");
    assert_eq!(refusal["next_opening"], "2027-01-05T09:30:00Z", "{refusal}");
    assert_eq!(
        refusal["skipping"],
        serde_json::json!([{"name": "Christmas change freeze", "from": "2026-12-21", "until": "2027-01-04"}])
    );

    // The dashboard's next opening, and App Home's window line.
    let html = t.get("/dashboard").await.text().await.unwrap();
    assert!(html.contains(&format!("Next opening: {next}")), "{html}");
    t.slack.read_all();
    support::versions::open_home(&t, "Ev0FREEZE", ALICE, "home").await;
    t.deliver_outbox().await;
    let home = t
        .slack
        .home_views(ALICE)
        .pop()
        .expect("the Home tab published");
    assert!(
        home.to_string().contains(&format!(
            "The deploy window is closed; it next opens {next}."
        )),
        "{home}"
    );
    t.slack.read_all();
    t.stop().await;
}
on_both_backends!(the_freeze_ahead_is_named_before_it_starts);
