//! Notices about one deployment: its start and end, turns in the queue and why one passes
//! over, and the checks and reminders after it goes out.

use super::*;
use crate::domain::notice::Credit;

#[test]
fn start_alert() {
    insta::assert_snapshot!(shown(Notice::StartAlert { deployment: deployment(), by: None }), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        [section: the text]
        [actions: deploy_done=7 primary, deploy_failed=7 danger, deploy_cancel=7]
    "#);
}

#[test]
fn start_alert_emergency_from_ci() {
    insta::assert_snapshot!(shown(Notice::StartAlert { deployment: Deployment { emergency_reason: Some("site down".into()), source: "ci".into(), requester: "ci".into(), note: Some("hotfix *now*".into()), ci_url: Some("https://ci.example/run/1".into()), ..deployment() }, by: None }), @r#"
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

/// Started by someone else (as recorded on the row): the closed start alert still says who,
/// as the open one did.
#[test]
fn start_alert_closed_by_someone_else() {
    let started_by = |by: Credit, state: State| {
        shown(Notice::StartAlertClosed {
            deployment: Deployment {
                started_by: Some(by),
                ..finished(state, None)
            },
        })
    };
    insta::assert_snapshot!(started_by(Credit::Person("U0ADMIN".into()), State::Succeeded), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        Started by <@U0ADMIN>.
        [section: the text]
        [context: finished: succeeded]
    "#);
    insta::assert_snapshot!(started_by(Credit::Ci, State::Cancelled), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        Started by CI.
        [section: the text]
        [context: called off]
    "#);
}

#[test]
fn end_alert_succeeded() {
    insta::assert_snapshot!(shown(Notice::EndAlert { deployment: finished(State::Succeeded, None), by: None }), @r#"
        :white_check_mark: *whitehall* `release_1` to *production* succeeded in 12m 0s (<@U0ALICE>)
        [section: the text]
    "#);
}

#[test]
fn end_alert_failed_with_note() {
    insta::assert_snapshot!(shown(Notice::EndAlert { deployment: finished(State::Failed, Some("tests red")), by: None }), @r#"
        :x: *whitehall* `release_1` to *production* failed in 12m 0s (<@U0ALICE>)
        Note: tests red
        [section: the text]
    "#);
}

/// Someone other than the requester ended it: an admin (a mention), CI or badger.
#[test]
fn end_alert_by_someone_else() {
    let by = |by: Credit, state: State| {
        shown(Notice::EndAlert {
            deployment: finished(state, None),
            by: Some(by),
        })
        .lines()
        .next()
        .unwrap()
        .to_owned()
    };
    insta::assert_snapshot!(by(Credit::Person("U0ADMIN".into()), State::Succeeded), @":white_check_mark: *whitehall* `release_1` to *production* succeeded in 12m 0s (<@U0ALICE>; marked done by <@U0ADMIN>)");
    insta::assert_snapshot!(by(Credit::Person("U0ADMIN".into()), State::Cancelled), @":no_entry_sign: *whitehall* `release_1` to *production* was called off in 12m 0s (<@U0ALICE>; called off by <@U0ADMIN>)");
    insta::assert_snapshot!(by(Credit::Ci, State::Failed), @":x: *whitehall* `release_1` to *production* failed in 12m 0s (<@U0ALICE>; reported by CI)");
    insta::assert_snapshot!(by(Credit::Badger, State::Failed), @":x: *whitehall* `release_1` to *production* failed in 12m 0s (<@U0ALICE>; marked failed by badger)");
}

#[test]
fn start_alert_by_someone_else() {
    insta::assert_snapshot!(shown(Notice::StartAlert { deployment: deployment(), by: Some(Credit::Person("U0ADMIN".into())) }), @r#"
        :rocket: <@U0ALICE> started deploying *whitehall* `release_1` to *production*
        Started by <@U0ADMIN>.
        [section: the text]
        [actions: deploy_done=7 primary, deploy_failed=7 danger, deploy_cancel=7]
    "#);
}

/// Start and end alerts queued by an older badger (no `by`) still render; `by` is left out
/// of the stored shape when nobody else did it.
#[test]
fn alerts_stored_before_credit() {
    let old =
        serde_json::json!({"notice": "end_alert", "deployment": finished(State::Succeeded, None)});
    let n: Notice = serde_json::from_value(old.clone()).expect("an old row reads");
    assert_eq!(
        n,
        Notice::EndAlert {
            deployment: finished(State::Succeeded, None),
            by: None
        }
    );
    assert_eq!(serde_json::to_value(&n).unwrap(), old);
    let old = serde_json::json!({"notice": "start_alert", "deployment": deployment()});
    let n: Notice = serde_json::from_value(old).expect("an old row reads");
    assert!(shown(n).starts_with(":rocket: <@U0ALICE> started deploying"));
}

#[test]
fn your_turn() {
    insta::assert_snapshot!(shown(Notice::YourTurn { deployment: Deployment { state: State::Called, ..deployment() }, timeout_minutes: 10, window_closes: None, tz: Some(TZ) }), @r#"
        :wave: <@U0ALICE> it's your turn to deploy *whitehall* `release_1` to *production*. Press *Start* within 10 minutes or the turn passes on.
        [section: the text]
        [actions: deploy_start=7 primary, deploy_skip=7]
    "#);
    // Called at 15:55 on a Friday: the window closes before the ten minutes are up.
    let closes = Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap();
    insta::assert_snapshot!(shown(Notice::YourTurn { deployment: Deployment { state: State::Called, ..deployment() }, timeout_minutes: 10, window_closes: Some(closes), tz: Some(TZ) }).lines().next().unwrap(), @":wave: <@U0ALICE> it's your turn to deploy *whitehall* `release_1` to *production*. Press *Start* by Fri 27 Nov 16:00 GMT, when the deploy window closes, or the turn passes on.");
}

/// One is singular: "1 minute", not "1 minutes".
#[test]
fn one_minute_is_singular() {
    insta::assert_snapshot!(shown(Notice::YourTurn { deployment: Deployment { state: State::Called, ..deployment() }, timeout_minutes: 1, window_closes: None, tz: Some(TZ) }).lines().next().unwrap(), @":wave: <@U0ALICE> it's your turn to deploy *whitehall* `release_1` to *production*. Press *Start* within 1 minute or the turn passes on.");
    insta::assert_snapshot!(shown(Notice::RunOverdue { deployment: deployment(), run_url: None, minutes: 1 }).lines().next().unwrap(), @":hourglass: <@U0ALICE> *whitehall* `release_1` to *production* has not reported back after 1 minute. Check the workflow run (GitHub never listed it), then tell me how it went.");
}

/// A your-turn row queued by an older badger (no window close in it) still renders.
#[test]
fn your_turn_stored_before_window_closes() {
    let old = serde_json::json!({"notice": "your_turn", "deployment": Deployment { state: State::Called, ..deployment() }, "timeout_minutes": 10});
    let n: Notice = serde_json::from_value(old).expect("an old row reads");
    assert!(shown(n).contains("within 10 minutes"));
}

#[test]
fn your_turn_closed() {
    insta::assert_snapshot!(shown(Notice::YourTurnClosed { deployment: deployment(), outcome: "started".into(), by: None }), @r#"
        <@U0ALICE> turn for *whitehall* `release_1` to *production*: started
        [section: the text]
    "#);
}

#[test]
fn turn_given_to_emergency() {
    let emergency = Deployment {
        requester: "U0UMA".into(),
        app: "p<1>".into(),
        git_ref: "r1".into(),
        emergency_reason: Some("site down".into()),
        ..deployment()
    };
    insta::assert_snapshot!(shown(Notice::TurnGivenToEmergency { deployment: deployment(), emergency }), @r#"
        <@U0ALICE> turn for *whitehall* `release_1` to *production*: an emergency (<@U0UMA>, *p&lt;1&gt;* `r1`) goes first; you keep your place at the front of the queue.
        [section: the text]
    "#);
}

#[test]
fn turn_expired() {
    insta::assert_snapshot!(shown(Notice::TurnExpired { deployment: deployment(), deploy_command: Some("/deploy".into()) }), @r#"
        :hourglass: <@U0ALICE>'s turn for *whitehall* `release_1` to *production* expired: it was not started in time. To queue again: `/deploy whitehall release_1 to production`
        [section: the text]
    "#);
    // With the policy's own command name; an emergency's reason is for them to give again.
    let emergency = Deployment {
        emergency_reason: Some("site down".into()),
        ..deployment()
    };
    insta::assert_snapshot!(shown(Notice::TurnExpired { deployment: emergency, deploy_command: Some("/ship".into()) }).lines().next().unwrap(), @":hourglass: <@U0ALICE>'s turn for *whitehall* `release_1` to *production* expired: it was not started in time. To queue again: `/ship emergency whitehall release_1 to production REASON...`");
}

/// Expiry rows queued by an older badger (no command name in them) still render, without
/// a command that might not be the one configured.
#[test]
fn expired_stored_before_the_command_was() {
    let old = serde_json::json!({"notice": "turn_expired", "deployment": deployment()});
    let n: Notice = serde_json::from_value(old).expect("an old row reads");
    insta::assert_snapshot!(shown(n).lines().next().unwrap(), @":hourglass: <@U0ALICE>'s turn for *whitehall* `release_1` to *production* expired: it was not started in time. Ask again when you're ready.");
    let old = serde_json::json!({"notice": "window_closed_expired", "deployment": deployment(), "next_opening": null, "tz": "Europe/London"});
    let n: Notice = serde_json::from_value(old).expect("an old row reads");
    insta::assert_snapshot!(shown(n).lines().next().unwrap(), @":lock: <@U0ALICE> the deploy window for *production* has closed, so your place in the queue for *whitehall* `release_1` to *production* has expired.");
}

#[test]
fn window_closed_expired() {
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: Some(at(9, 30) + chrono::Duration::days(1)), tz: TZ, deploy_command: Some("/deploy".into()), closure: None, skipping: Vec::new() }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed, so your place in the queue for *whitehall* `release_1` to *production* has expired. It next opens Wed 25 Nov 09:30 GMT. To queue again: `/deploy whitehall release_1 to production`
        [section: the text]
    "#);
}

/// Expiring the evening before a freeze, the place's owner is told of the freeze
/// (the operator's name escaped).
#[test]
fn window_closed_expired_names_the_freeze() {
    let closure = crate::domain::window::Closure {
        name: "Christmas <change> freeze".into(),
        until: chrono::NaiveDate::from_ymd_opt(2027, 1, 4),
    };
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: Some(at(9, 30) + chrono::Duration::days(42)), tz: TZ, deploy_command: Some("/deploy".into()), closure: Some(closure), skipping: Vec::new() }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed (Christmas &lt;change&gt; freeze, until Mon 4 Jan), so your place in the queue for *whitehall* `release_1` to *production* has expired. It next opens Tue 5 Jan 09:30 GMT. To queue again: `/deploy whitehall release_1 to production`
        [section: the text]
    "#);
}

/// Expiring on Christmas Eve's close (Christmas Day named), the next opening also names the
/// holiday it skips besides (escaped: a holiday file's title is not badger's text).
#[test]
fn window_closed_expired_names_what_the_next_opening_skips() {
    let closure = crate::domain::window::Closure {
        name: "Christmas Day".into(),
        until: None,
    };
    let skipping = vec![crate::domain::window::Skipped {
        name: "Boxing <Day>".into(),
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
        until: None,
    }];
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: Some(at(9, 30) + chrono::Duration::days(35)), tz: TZ, deploy_command: Some("/deploy".into()), closure: Some(closure), skipping }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed (Christmas Day), so your place in the queue for *whitehall* `release_1` to *production* has expired. It next opens Tue 29 Dec 09:30 GMT, after Boxing &lt;Day&gt;. To queue again: `/deploy whitehall release_1 to production`
        [section: the text]
    "#);
}

#[test]
fn window_closed_expired_never_reopens() {
    insta::assert_snapshot!(shown(Notice::WindowClosedExpired { deployment: deployment(), next_opening: None, tz: TZ, deploy_command: Some("/deploy".into()), closure: None, skipping: Vec::new() }), @r#"
        :lock: <@U0ALICE> the deploy window for *production* has closed, so your place in the queue for *whitehall* `release_1` to *production* has expired. To queue again: `/deploy whitehall release_1 to production`
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

/// After the close, in the configured command's words, with how long it has deployed.
#[test]
fn deploying_after_close() {
    insta::assert_snapshot!(shown(Notice::DeployingAfterClose {
            deployment: deployment(),
            closed: at(17, 0),
            at: at(17, 1),
            deploy_command: "/ship".into(),
            tz: TZ,
        }), @r#"
        :warning: <@U0ALICE> the deploy window closed at Tue 24 Nov 17:00 GMT, and your deployment of *whitehall* `release_1` to *production* is still marked as deploying (for 7h 1m). When it ends, say `/ship done` or `/ship failed`: nothing else can deploy to *production* until then.
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
                emergency: false,
                deployers: Box::default(),
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
        :arrow_right: *whitehall* `release_1` must be deployed to *staging* before *production*, and no deployment of *whitehall* there has finished yet. Run `/deploy whitehall release_1 to staging` first (if one is in progress there, wait until it succeeds).
        You keep your place in the queue.
        [section: the text]
    "#);
}

#[test]
fn emergency_queued() {
    let d = Deployment {
        emergency_reason: Some("site <down>".into()),
        ..deployment()
    };
    // As rows queued before the place and the deployer were recorded read.
    insta::assert_snapshot!(shown(Notice::EmergencyQueued { deployment: d.clone(), position: 0, active: None }), @r#"
        :rotating_light: *EMERGENCY* <@U0ALICE> queued *whitehall* `release_1` to *production* and goes next. Reason: site &lt;down&gt;
        [section: the text]
    "#);
    insta::assert_snapshot!(shown(Notice::EmergencyQueued { deployment: d.clone(), position: 1, active: Some("U0BOB".into()) }), @r#"
        :rotating_light: *EMERGENCY* <@U0ALICE> queued *whitehall* `release_1` to *production* and goes next. Reason: site &lt;down&gt;
        <@U0BOB> an emergency is waiting behind you: please finish as soon as it is safe.
        [section: the text]
    "#);
    insta::assert_snapshot!(shown(Notice::EmergencyQueued { deployment: d, position: 2, active: Some("U0BOB".into()) }), @r#"
        :rotating_light: *EMERGENCY* <@U0ALICE> queued *whitehall* `release_1` to *production*, number 2 in line (behind earlier emergencies). Reason: site &lt;down&gt;
        <@U0BOB> an emergency is waiting behind you: please finish as soon as it is safe.
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
fn checklist_of_a_pipelines_report_names_nobody() {
    let mut d = deployment();
    d.source = "ci".into();
    d.requester = "ci".into();
    let items = vec![ChecklistItem {
        title: "Errors".into(),
        url: "https://errors.example".into(),
    }];
    insta::assert_snapshot!(shown(Notice::Checklist { deployment: d, items }), @r#"
        :clipboard: Now check that *whitehall* `release_1` to *production* is healthy:
        • <https://errors.example|Errors>
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

/// CI reported it finished, skipping the environment before: what the rule read there.
#[test]
fn reported_unpromoted() {
    use crate::domain::promotion::PromotionCheck;
    let said = |check: PromotionCheck| {
        let deployment = Deployment {
            source: "ci".into(),
            requester: "ci".into(),
            ..finished(State::Succeeded, None)
        };
        shown(Notice::ReportedUnpromoted {
            deployment,
            previous: "staging".into(),
            check,
        })
    };
    insta::assert_snapshot!(said(PromotionCheck::NeverDeployed), @r"
    :warning: CI reported *whitehall* `release_1` to *production* (#7) already succeeded, though badger would not have let it start: nothing of *whitehall* has finished in *staging*.
    [section: the text]
    ");
    let failed_there = PromotionCheck::LatestDiffers {
        latest_ref: "release_1".into(),
        latest_state: State::Failed,
    };
    insta::assert_snapshot!(said(failed_there).lines().next().unwrap(), @":warning: CI reported *whitehall* `release_1` to *production* (#7) already succeeded, though badger would not have let it start: its latest deployment in *staging* failed.");
    let other_there = PromotionCheck::LatestDiffers {
        latest_ref: "release_0".into(),
        latest_state: State::Succeeded,
    };
    insta::assert_snapshot!(said(other_there).lines().next().unwrap(), @":warning: CI reported *whitehall* `release_1` to *production* (#7) already succeeded, though badger would not have let it start: the latest finished deployment in *staging* is `release_0` (succeeded), not this ref.");
}
