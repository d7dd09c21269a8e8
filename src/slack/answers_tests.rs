//! Snapshots of every answer as the person sees it (`answers.rs`), inline.

use super::{answer, reply, Say};
use crate::config::Policy;
use crate::domain::admission::{Refusal, Refused};
use crate::domain::deployment::{sample, Deployment, State};
use crate::domain::hold::Hold;
use crate::service::{Answer, Note, Outcome, Reply};
use chrono::{DateTime, TimeZone, Utc};
use insta::assert_snapshot;

/// A Tuesday morning in office hours, London.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap()
}

fn policy() -> Policy {
    Policy::default()
}

fn text(a: Answer) -> String {
    let p = policy();
    let say = Say {
        policy: &p,
        now: now(),
        dashboard_url: None,
    };
    answer(&say, &a).text
}

fn dep(id: i64, state: State) -> Deployment {
    Deployment {
        app: "whitehall".into(),
        git_ref: "release_12".into(),
        requester: "UALICE".into(),
        state,
        ..sample(id, "whitehall", "staging")
    }
}

fn hold(id: i64, scope: &str) -> Hold {
    Hold {
        id,
        scope: scope.into(),
        environment: Some("production".into()),
        reason: "incident <!channel>".into(),
        owner: "UBOB".into(),
        channel: "C1".into(),
        until: None,
        created_at: now(),
        updated_at: now(),
        updated_by: "UBOB".into(),
        released_at: None,
        released_by: None,
        reminded_at: None,
    }
}

#[test]
fn started() {
    assert_snapshot!(text(Answer::Started(dep(7, State::Deploying))), @"");
}

#[test]
fn queued_with_buttons() {
    let a = Answer::Queued {
        deployment: dep(9, State::Queued),
        position: 3,
        ahead: vec![dep(7, State::Deploying), dep(8, State::Queued)],
        total_ahead: 4,
    };
    let p = policy();
    let say = Say {
        policy: &p,
        now: now(),
        dashboard_url: None,
    };
    let m = answer(&say, &a);
    assert_snapshot!(m.text, @"");
    assert_snapshot!(serde_json::to_string(&m.blocks[1]).unwrap(), @"");
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
    assert_snapshot!(text(a), @"");
}

#[test]
fn finished_called_off_and_left() {
    let out = [Outcome::Succeeded, Outcome::Failed, Outcome::Cancelled]
        .map(|outcome| {
            text(Answer::Finished {
                deployment: dep(7, State::Deploying),
                outcome,
            })
        })
        .join("\n");
    assert_snapshot!(out, @"");
    assert_snapshot!(text(Answer::CalledOff(dep(7, State::Deploying))), @"");
    assert_snapshot!(text(Answer::LeftQueue(dep(7, State::Queued))), @"");
}

#[test]
fn diff() {
    let asked = Answer::DiffAsked {
        repo: "alphagov/whitehall".into(),
        to: "release_12".into(),
        from: "release_11".into(),
        env: "production".into(),
    };
    assert_snapshot!(text(asked), @"");
    let nothing = Answer::NothingToCompare {
        app: "whitehall".into(),
        env: "production".into(),
        to: "release_12".into(),
        from: None,
    };
    assert_snapshot!(text(nothing), @"");
}

#[test]
fn help_is_the_parsers_text() {
    assert_snapshot!(text(Answer::Help("Usage: `/deploy APP REF [to] ENV`".into())), @"");
}

#[test]
fn holds() {
    assert_snapshot!(text(Answer::HoldPlaced(hold(3, "whitehall"))), @"");
    assert_snapshot!(text(Answer::HoldUpdated(hold(3, "*"))), @"");
    assert_snapshot!(text(Answer::Holds(vec![])), @"");
    assert_snapshot!(text(Answer::Holds(vec![hold(3, "whitehall"), hold(4, "*")])), @"");
    assert_snapshot!(text(Answer::HoldsReleased(vec![3, 4])), @"");
    assert_snapshot!(text(Answer::HoldReleased(hold(3, "whitehall"))), @"");
}

#[test]
fn buttons() {
    let refused = Refused {
        app: "whitehall".into(),
        git_ref: Some("release_12".into()),
        env: "production".into(),
        reasons: vec![Refusal::NotPermitted {
            env: "production".into(),
        }],
    };
    assert_snapshot!(text(Answer::TurnPassedOn(refused)), @"");
    assert_snapshot!(text(Answer::SkippedAlone), @"");
    assert_snapshot!(text(Answer::LetGoFirst { requester: "UBOB".into() }), @"");
}

#[test]
fn versions_of_an_app_never_deployed() {
    let a = Answer::Versions {
        view: crate::domain::versions::build(&["staging"], &[], &[], now()),
        app: Some("whitehall".into()),
    };
    assert_snapshot!(text(a), @"");
}

#[test]
fn windows() {
    assert_snapshot!(text(Answer::Windows), @"");
}

#[test]
fn a_note_says_where_to_look() {
    let p = policy();
    let say = Say {
        policy: &p,
        now: now(),
        dashboard_url: None,
    };
    let r = |note| Reply {
        answer: Answer::LeftQueue(dep(7, State::Queued)),
        note: Some(note),
    };
    let follow = reply(&say, &r(Note::Follow { channel: "CDEPLOY".into() }));
    assert_snapshot!(follow.text, @"");
    assert_snapshot!(serde_json::to_string(follow.blocks.last().unwrap()).unwrap(), @"");
    let announced = reply(&say, &r(Note::Announced { channel: "CDEPLOY".into() }));
    assert_snapshot!(announced.text, @"");
}
