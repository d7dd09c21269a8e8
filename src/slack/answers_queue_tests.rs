//! Snapshots of the answer to a request that joined a queue (`answers.rs`), inline.

use super::tests::{dep, policy, text, with_say};
use super::{answer, Say};
use crate::domain::deployment::{Deployment, State};
use crate::domain::queue::InLine;
use crate::service::Answer;
use chrono::{TimeZone, Utc};
use insta::assert_snapshot;

#[test]
fn queued_with_buttons() {
    let a = Answer::Queued {
        deployment: dep(9, State::Queued),
        position: 3,
        ahead: [dep(7, State::Deploying), dep(8, State::Queued)]
            .iter()
            .map(InLine::from)
            .collect(),
        total_ahead: 4,
    };
    let m = with_say(|say| answer(say, &a));
    assert_snapshot!(m.text, @r##"
:hourglass_flowing_sand: Queued *whitehall* `release_12` to *staging* (#9): you are number 3 in line. I'll call you when it's your turn.
Ahead of you: <@UALICE> (whitehall `release_12`, deploying), <@UALICE> (whitehall `release_12`, queued) and 2 more
"##);
    assert_snapshot!(serde_json::to_string(&m.blocks[1]).unwrap(), @r##"{"elements":[{"action_id":"deploy_cancel","text":{"text":"Leave the queue","type":"plain_text"},"type":"button","value":"9"}],"type":"actions"}"##);
}

#[test]
fn queued_emergency_alone() {
    let mut d = dep(9, State::Queued);
    d.emergency_reason = Some("site down".into());
    let a = Answer::Queued {
        deployment: d,
        position: 1,
        ahead: vec![],
        total_ahead: 0,
    };
    assert_snapshot!(text(a), @":hourglass_flowing_sand: Queued *whitehall* `release_12` to *staging* (#9): you are number 1 in line (emergency: at the front). I'll call you when it's your turn.");
}

/// Queued in the window's last hour, a person is told the place lapses at the close; an
/// emergency (which the close does not end) and a morning queue are not.
#[test]
fn queued_near_the_close_is_told_when_the_place_lapses() {
    let queued = |d: Deployment| Answer::Queued {
        deployment: d,
        position: 1,
        ahead: vec![],
        total_ahead: 0,
    };
    let p = policy();
    let at = |h, m| Say {
        policy: &p,
        now: Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).unwrap(),
        dashboard_url: None,
    };
    let mut emergency = dep(9, State::Queued);
    emergency.emergency_reason = Some("site down".into());
    let late = answer(&at(16, 30), &queued(dep(9, State::Queued))).text;
    assert_snapshot!(late, @"
    :hourglass_flowing_sand: Queued *whitehall* `release_12` to *staging* (#9): you are number 1 in line. I'll call you when it's your turn. The deploy window closes at Tue 10 Mar 17:00 GMT: if your turn has not come by then, your place lapses.
    ");
    assert_eq!(
        answer(&at(15, 59), &queued(dep(9, State::Queued))).text,
        text(queued(dep(9, State::Queued)))
    );
    assert!(!answer(&at(16, 30), &queued(emergency))
        .text
        .contains("closes"));
}
