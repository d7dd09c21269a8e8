//! Snapshots of every notice as Slack shows it (text, then each block in brief), and the
//! outbox's stored shapes of a notice and of an old rendered row.

use super::*;
use crate::domain::deployment::State;
use crate::store::Payload;
use chrono::TimeZone;
use serde_json::Value;

const TZ: Tz = chrono_tz::Europe::London;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

fn deployment() -> Deployment {
    Deployment {
        id: 7,
        app: "whitehall".into(),
        git_ref: "release_1".into(),
        environment: "production".into(),
        requester: "U0ALICE".into(),
        channel: "C0DEPLOY".into(),
        note: None,
        emergency_reason: None,
        source: "slack".into(),
        state: State::Deploying,
        queue_key: 1,
        priority: 0,
        outcome_note: None,
        ci_url: None,
        requested_at: at(9, 50),
        called_at: Some(at(9, 55)),
        started_at: Some(at(10, 0)),
        finished_at: None,
        ended_at: None,
        reminded_at: None,
        hold_notified: false,
        passed_over: None,
    }
}

fn finished(state: State, note: Option<&str>) -> Deployment {
    Deployment {
        state,
        finished_at: Some(at(10, 12)),
        outcome_note: note.map(str::to_owned),
        ..deployment()
    }
}

fn hold() -> Hold {
    Hold {
        id: 3,
        scope: "whitehall".into(),
        environment: Some("production".into()),
        reason: "incident <!channel> review".into(),
        owner: "U0BOB".into(),
        channel: "C0DEPLOY".into(),
        until: Some(at(16, 0)),
        created_at: at(9, 0),
        updated_at: at(9, 0),
        updated_by: "U0BOB".into(),
        released_at: None,
        released_by: None,
        reminded_at: None,
    }
}

/// The text, then one line per block: its type and what it shows.
fn shown(n: Notice) -> String {
    let m = render(&n);
    let mut out = m.text.clone();
    for b in &m.blocks {
        let line = match b["type"].as_str() {
            Some("section") if b["text"]["text"] == m.text.as_str() => {
                "[section: the text]".to_owned()
            }
            Some("actions") => {
                let buttons: Vec<String> = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let style = e["style"]
                            .as_str()
                            .map(|s| format!(" {s}"))
                            .unwrap_or_default();
                        format!(
                            "{}={}{style}",
                            e["action_id"].as_str().unwrap_or(""),
                            e["value"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                format!("[actions: {}]", buttons.join(", "))
            }
            Some(kind) => format!("[{kind}: {}]", block_text(b)),
            None => format!("[?: {b}]"),
        };
        out.push('\n');
        out.push_str(&line);
    }
    out
}

fn block_text(b: &Value) -> String {
    b["text"]["text"]
        .as_str()
        .or_else(|| b["elements"][0]["text"].as_str())
        .unwrap_or("")
        .to_owned()
}

#[test]
fn start_alert() {
    insta::assert_snapshot!(shown(Notice::StartAlert { deployment: deployment() }), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        [section: the text]
        [actions: deploy_done=7 primary, deploy_failed=7 danger, deploy_cancel=7]
    "#);
}

#[test]
fn start_alert_emergency_from_ci() {
    insta::assert_snapshot!(shown(Notice::StartAlert { deployment: Deployment { emergency_reason: Some("site down".into()), source: "ci".into(), requester: "ci".into(), note: Some("hotfix *now*".into()), ci_url: Some("https://ci.example/run/1".into()), ..deployment() } }), @r#"
        :rotating_light: *EMERGENCY deployment* started: *whitehall* `release_1` to *production* by ci
        Reason: site down
        Note: hotfix *now*
        [section: the text]
        [context: CI: https://ci.example/run/1]
    "#);
}

#[test]
fn start_alert_closed() {
    insta::assert_snapshot!(shown(Notice::StartAlertClosed { deployment: finished(State::Succeeded, None) }), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        [section: the text]
        [context: finished: succeeded]
    "#);
}

#[test]
fn end_alert_succeeded() {
    insta::assert_snapshot!(shown(Notice::EndAlert { deployment: finished(State::Succeeded, None) }), @r#"
        :white_check_mark: *whitehall* `release_1` to *production* succeeded in 12m 0s (<@U0ALICE>)
        [section: the text]
    "#);
}

#[test]
fn end_alert_failed_with_note() {
    insta::assert_snapshot!(shown(Notice::EndAlert { deployment: finished(State::Failed, Some("tests red")) }), @r#"
        :x: *whitehall* `release_1` to *production* failed in 12m 0s (<@U0ALICE>)
        Note: tests red
        [section: the text]
    "#);
}

#[test]
fn your_turn() {
    insta::assert_snapshot!(shown(Notice::YourTurn { deployment: Deployment { state: State::Called, ..deployment() }, timeout_minutes: 10 }), @r#"
        :wave: <@U0ALICE> it's your turn to deploy *whitehall* `release_1` to *production*. Press *Start* within 10 minutes or the turn passes on.
        [section: the text]
        [actions: deploy_start=7 primary, deploy_skip=7]
    "#);
}

#[test]
fn your_turn_closed() {
    insta::assert_snapshot!(shown(Notice::YourTurnClosed { deployment: deployment(), outcome: "started".into() }), @r#"
        <@U0ALICE> turn for *whitehall* `release_1` to *production*: started
        [section: the text]
    "#);
}

#[test]
fn turn_expired() {
    insta::assert_snapshot!(shown(Notice::TurnExpired { deployment: deployment() }), @r#"
        :hourglass: <@U0ALICE>'s turn for *whitehall* `release_1` to *production* expired: it was not started in time. Ask again when you're ready.
        [section: the text]
    "#);
}

#[test]
fn window_closed_expired() {
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: Some(at(9, 30) + chrono::Duration::days(1)), tz: TZ }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed, so your place in the queue for *whitehall* `release_1` to *production* has expired. It next opens Wed 25 Nov 09:30 GMT.
        [section: the text]
    "#);
}

#[test]
fn window_closed_expired_never_reopens() {
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: None, tz: TZ }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed, so your place in the queue for *whitehall* `release_1` to *production* has expired.
        [section: the text]
    "#);
}

#[test]
fn closing_reminder() {
    insta::assert_snapshot!(shown(Notice::ClosingReminder { deployment: deployment(), closes: at(17, 0), tz: TZ }), @r#"
        :alarm_clock: <@U0ALICE> the deploy window closes at Tue 24 Nov 17:00 GMT and *whitehall* `release_1` to *production* is still deploying. Please finish it, or press *Failed*.
        [section: the text]
    "#);
}

#[test]
fn held_turn() {
    insta::assert_snapshot!(shown(Notice::HeldTurn { deployment: deployment(), hold: hold() }), @r#"
        :pause_button: <@U0ALICE> your turn for *whitehall* `release_1` to *production* is skipped while <@U0BOB>'s hold on whitehall in production stands (incident &lt;!channel&gt; review). You keep your place in the queue.
        [section: the text]
    "#);
}

#[test]
fn passed_over() {
    insta::assert_snapshot!(shown(Notice::PassedOver {
            deployment: deployment(),
            refused: crate::domain::admission::Refused {
                app: "whitehall".into(),
                git_ref: Some("release_1".into()),
                env: "production".into(),
                reasons: vec![crate::domain::admission::Refusal::NotPromoted {
                    previous: "staging".into(),
                    check: crate::domain::promotion::PromotionCheck::NeverDeployed,
                }],
            },
            deploy_command: "/deploy".into(),
            admins: vec!["U0ADMIN".into()],
            tz: TZ,
            at: at(11, 0),
        }), @r#"
        :fast_forward: <@U0ALICE> your turn for *whitehall* `release_1` to *production* is passed to the next in line, because it can't start now:
        :arrow_right: *whitehall* `release_1` must be deployed to *staging* before *production*, and *whitehall* has never been deployed there. Run `/deploy whitehall release_1 to staging` first.
        You keep your place in the queue.
        [section: the text]
    "#);
}

#[test]
fn emergency_queued() {
    insta::assert_snapshot!(shown(Notice::EmergencyQueued { deployment: Deployment { emergency_reason: Some("site <down>".into()), ..deployment() } }), @r#"
        :rotating_light: *EMERGENCY* <@U0ALICE> queued *whitehall* `release_1` to *production* and goes next. Reason: site &lt;down&gt;
        [section: the text]
    "#);
}

#[test]
fn dispatch_failed() {
    insta::assert_snapshot!(shown(Notice::DispatchFailed { deployment: deployment(), why: "HTTP 404 <no workflow>".into() }), @r#"
        :x: <@U0ALICE> I couldn't start the deploy workflow for *whitehall* `release_1` to *production*: HTTP 404 &lt;no workflow&gt;. I've marked it failed, so the environment is free; fix that and ask again.
        [section: the text]
    "#);
}

#[test]
fn checklist() {
    insta::assert_snapshot!(shown(Notice::Checklist { deployment: deployment(), items: vec![ChecklistItem { title: "Errors".into(), url: "https://errors.example".into() }, ChecklistItem { title: "Graphs".into(), url: "https://graphs.example".into() }] }), @r#"
        :clipboard: <@U0ALICE> now check that *whitehall* `release_1` to *production* is healthy:
        • <https://errors.example|Errors>
        • <https://graphs.example|Graphs>
        [section: the text]
    "#);
}

#[test]
fn stay_reminder() {
    insta::assert_snapshot!(shown(Notice::StayReminder { deployment_id: 7, requester: "U0ALICE".into(), deployment: Some(deployment()) }), @r#"
        :eyes: <@U0ALICE> it's been a while since *whitehall* `release_1` to *production* went out. Are errors, alerts and smoke tests quiet? Press *All is well* once you've checked.
        [section: the text]
        [actions: deploy_all_well=7 primary]
    "#);
}

#[test]
fn run_overdue() {
    insta::assert_snapshot!(shown(Notice::RunOverdue { deployment: deployment(), run_url: Some("https://github.example/run/9".into()), minutes: 30 }), @r#"
        :hourglass: <@U0ALICE> *whitehall* `release_1` to *production* has not reported back after 30 minutes. Check <https://github.example/run/9|the workflow run>, then tell me how it went.
        [section: the text]
        [actions: deploy_done=7 primary, deploy_failed=7 danger]
    "#);
}

#[test]
fn run_overdue_never_listed() {
    insta::assert_snapshot!(shown(Notice::RunOverdue { deployment: deployment(), run_url: None, minutes: 30 }), @r#"
        :hourglass: <@U0ALICE> *whitehall* `release_1` to *production* has not reported back after 30 minutes. Check the workflow run (GitHub never listed it), then tell me how it went.
        [section: the text]
        [actions: deploy_done=7 primary, deploy_failed=7 danger]
    "#);
}

#[test]
fn all_well() {
    insta::assert_snapshot!(shown(Notice::AllWell { deployment: deployment(), by: "U0CAROL".into() }), @r#"
        :white_check_mark: *whitehall* `release_1` to *production* after the deploy: all is well, confirmed by <@U0CAROL>.
        [section: the text]
    "#);
}

#[test]
fn hold_placed() {
    insta::assert_snapshot!(shown(Notice::HoldPlaced { hold: hold(), hold_command: "/hold".into(), tz: TZ }), @r#"
        :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT
        [section: the text]
        [context: Hold #3 · release with `/hold release 3`]
        [actions: hold_release=3]
    "#);
}

#[test]
fn hold_released() {
    insta::assert_snapshot!(shown(Notice::HoldReleased { hold: hold(), by: "U0ADMIN".into(), at: at(11, 0), hold_command: "/hold".into(), tz: TZ }), @r#"
        :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT
        :white_check_mark: Released by <@U0ADMIN> at Tue 24 Nov 11:00 GMT
        [section: :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT]
        [context: Hold #3 · release with `/hold release 3`]
        [context: :white_check_mark: Released by <@U0ADMIN> at Tue 24 Nov 11:00 GMT]
    "#);
}

#[test]
fn hold_released_note() {
    insta::assert_snapshot!(shown(Notice::HoldReleasedNote { hold: Hold { scope: "*".into(), environment: None, ..hold() }, by: "U0ADMIN".into() }), @r#"
        :white_check_mark: <@U0ADMIN> released the hold on all applications (#3).
        [section: the text]
    "#);
}

#[test]
fn hold_overdue() {
    insta::assert_snapshot!(shown(Notice::HoldOverdue { hold: hold(), hold_command: "/freeze".into(), tz: TZ }), @r#"
        :alarm_clock: <@U0BOB> your hold on whitehall in production (#3) was meant to last until Tue 24 Nov 16:00 GMT. Release it with `/freeze release 3` or the button on the hold message, if you're done.
        [section: the text]
    "#);
}

#[test]
fn smoke_report() {
    let check = |url: &str, passed, detail: &str| crate::domain::notice::CheckedUrl {
        url: url.into(),
        passed,
        detail: detail.into(),
        attempts: 2,
    };
    insta::assert_snapshot!(shown(Notice::SmokeReport { deployment: finished(State::Succeeded, None), checks: vec![check("https://a.example/", true, "HTTP 200"), check("https://b.example/<x>", false, "HTTP 503")] }), @r#"
        :x: Smoke checks failed for *whitehall* `release_1` to *production*, <@U0ALICE>: 1 of 2 did not answer 2xx.
        • https://b.example/&lt;x&gt;: HTTP 503 (2 tries)
    "#);
}

#[test]
fn release() {
    use crate::domain::release::{Author, PullSummary, ReleaseSummary};
    let release = ReleaseSummary {
        app: "whitehall".into(),
        env: "production".into(),
        repo: "alphagov/whitehall".into(),
        from: "release_1".into(),
        to: "release_2".into(),
        compare_url: Some(
            "https://github.com/alphagov/whitehall/compare/release_1...release_2".into(),
        ),
        total_commits: 3,
        listed_commits: 3,
        pulls: vec![PullSummary {
            number: 12,
            url: "https://github.com/alphagov/whitehall/pull/12".into(),
            title: "Fix <b>".into(),
            author: Some(Author::Person("U0BOB".into())),
        }],
        pull_count: 2,
        authors: vec![
            Author::Person("U0BOB".into()),
            Author::Login("octocat".into()),
        ],
    };
    insta::assert_snapshot!(shown(Notice::Release { release }), @r#"
        :mag: *whitehall* `release_2` to *production* adds 2 pull requests and 3 commits over `release_1` (<https://github.com/alphagov/whitehall/compare/release_1...release_2|compare on GitHub>):
        • <https://github.com/alphagov/whitehall/pull/12|#12> Fix &lt;b&gt; by <@U0BOB>
        +1 more pull request
        Authors: <@U0BOB>, `octocat`. Check with them before you release.
        [section: the text]
    "#);
}

#[test]
fn nothing_to_compare() {
    insta::assert_snapshot!(shown(Notice::NothingToCompare { app: "whitehall".into(), env: "production".into(), to: "release_2".into(), from: None }), @r#"
        :mag: Nothing of *whitehall* is recorded as deployed to *production* yet, so there is nothing to compare `release_2` with.
        [section: the text]
    "#);
    insta::assert_snapshot!(shown(Notice::NothingToCompare { app: "whitehall".into(), env: "production".into(), to: "release_2".into(), from: Some("release_2".into()) }), @r#"
        :mag: `release_2` is what *whitehall* runs in *production* already: nothing new to release.
        [section: the text]
    "#);
}

#[test]
fn compare_failed() {
    insta::assert_snapshot!(shown(Notice::CompareFailed { to: "release_2".into(), from: "release_1".into(), why: "GitHub refused: <bad credentials>".into() }), @r#"
        :warning: I couldn't find out what `release_2` adds over `release_1`: GitHub refused: &lt;bad credentials&gt;
        [section: the text]
    "#);
}

/// A notice is stored as its values under `say`, tagged by `notice`, and reads back equal.
#[test]
fn a_notice_is_stored_by_shape() {
    let p = Payload::Post {
        channel: "C0DEPLOY".into(),
        body: Body::say(Notice::TurnExpired {
            deployment: deployment(),
        }),
        key: None,
    };
    let stored = serde_json::to_value(&p).unwrap();
    assert_eq!(stored["kind"], "post");
    assert_eq!(stored["say"]["notice"], "turn_expired");
    assert_eq!(stored["say"]["deployment"]["app"], "whitehall");
    assert!(stored.get("text").is_none(), "{stored}");
    let back: Payload = serde_json::from_value(stored).unwrap();
    assert_eq!(back, p);
}

/// A row an older badger wrote (rendered `text` + `blocks`) reads as a rendered body and
/// renders to exactly what it holds; written again, it is the same JSON.
#[test]
fn an_old_rendered_row_reads_as_written() {
    let old = serde_json::json!({
        "kind": "update",
        "channel": "C0DEPLOY",
        "key": "start:7",
        "text": "done",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "done"}}],
    });
    let p: Payload = serde_json::from_value(old.clone()).unwrap();
    let Payload::Update { body, .. } = &p else {
        panic!("not an update: {p:?}");
    };
    assert!(matches!(body, Body::Rendered { .. }));
    let m = super::body(body);
    assert_eq!(m.text, "done");
    assert_eq!(Value::Array(m.blocks), old["blocks"]);
    assert_eq!(serde_json::to_value(&p).unwrap(), old);
}

fn home_notice() -> Notice {
    let rows = [crate::domain::versions::Deployed {
        app: "whitehall".into(),
        environment: "production".into(),
        git_ref: "release_1".into(),
        at: at(10, 12),
        by: "U0ALICE".into(),
    }];
    let view = crate::domain::versions::build(&["staging", "production"], &[], &rows, at(11, 0));
    let window = crate::domain::board::WindowNow {
        current: Some(crate::domain::window::Opening {
            opens: at(9, 30),
            closes: at(17, 0),
        }),
        next: None,
    };
    Notice::Home {
        view,
        live: vec![Deployment {
            state: State::Queued,
            ..deployment()
        }],
        recent: vec![finished(State::Succeeded, None)],
        window,
        tz: TZ,
        dashboard: Some("https://badger.example".into()),
    }
}

/// App Home has no text of its own: its blocks are the view.
#[test]
fn home() {
    insta::assert_snapshot!(shown(home_notice()), @r#"
        [header: Deployments]
        [section: :large_green_circle: The deploy window is open until Tue 24 Nov 17:00 GMT.]
        [header: Your deployments]
        [section: *Queued or deploying:*
        • *whitehall* `release_1` to *production*: queued (#7), Tue 24 Nov 10:00 GMT
        *Recently finished:*
        • *whitehall* `release_1` to *production*: succeeded (#7), Tue 24 Nov 10:12 GMT]
        [divider: ]
        [header: Versions: 1 app, 0 drifted]
        [section: *whitehall*: staging — · production `release_1`]
    "#);
}
