//! Snapshots of every refusal as the person sees it (`denied.rs`), inline.

use super::denied;
use crate::config::Policy;
use crate::domain::deployment::{sample, State};
use crate::service::Denied;
use crate::slack::answers::Say;
use chrono::{TimeZone, Utc};
use insta::assert_snapshot;

fn say(d: Denied) -> String {
    let p = Policy::default();
    let say = Say {
        policy: &p,
        now: Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap(),
        dashboard_url: None,
    };
    denied(&say, &d)
}

#[test]
fn commands() {
    assert_snapshot!(say(Denied::UnknownCommand { name: "/<!here>".into() }), @"");
    let unparsed = Denied::Unparsed {
        message: "There is no environment called `prod<>`.".into(),
        usage: "/deploy APP REF [to] ENV".into(),
    };
    assert_snapshot!(say(unparsed), @"");
    assert_snapshot!(say(Denied::NoDeployChannel), @"");
    assert_snapshot!(say(Denied::UnknownEnvironment { env: "prod&".into() }), @"");
}

#[test]
fn requests() {
    let mut mine = sample(7, "whitehall", "staging");
    mine.state = State::Called;
    let queued = Denied::AlreadyQueued {
        mine: Box::new(mine),
        env: "staging".into(),
    };
    assert_snapshot!(say(queued), @"");
    assert_snapshot!(say(Denied::NothingInProgress), @"");
    assert_snapshot!(say(Denied::AlreadyFinished), @"");
}

#[test]
fn cancelling() {
    let out = [
        Denied::UnknownDeployment { id: 7 },
        Denied::NotYoursToCancel {
            id: 7,
            requester: "UBOB".into(),
        },
        Denied::NotWaiting,
        Denied::AlreadyMovedOn { id: 7 },
        Denied::AlreadyEnded {
            id: 7,
            state: State::Expired,
        },
    ]
    .map(say)
    .join("\n");
    assert_snapshot!(out, @"");
}

#[test]
fn buttons() {
    let out = [
        Denied::BadButtonValue,
        Denied::UnknownButton {
            action_id: "deploy_<x>".into(),
        },
        Denied::DeploymentGone { id: 7 },
        Denied::NotYours {
            requester: "UBOB".into(),
        },
        Denied::EnvironmentGone {
            env: "prod".into(),
        },
        Denied::TurnStays,
        Denied::NoCheck { id: 7 },
        Denied::AlreadyConfirmed {
            id: 7,
            by: Some("UBOB".into()),
        },
    ]
    .map(say)
    .join("\n");
    assert_snapshot!(out, @"");
}

#[test]
fn pressed_too_late_says_what_became_of_it() {
    let out = [
        State::Succeeded,
        State::Failed,
        State::Cancelled,
        State::Expired,
        State::Deploying,
        State::Called,
        State::Queued,
    ]
    .map(|state| say(Denied::PressedTooLate { id: 7, state }))
    .join("\n");
    assert_snapshot!(out, @"");
}

#[test]
fn holds() {
    let out = [
        Denied::HoldNotSaved,
        Denied::NoHoldOn {
            app: Some("white*hall".into()),
        },
        Denied::NoHoldOn { app: None },
        Denied::NotHoldOwner {
            owners: vec![("UBOB".into(), 3), ("UCAROL".into(), 4)],
        },
        Denied::HoldsAlreadyReleased,
        Denied::HoldNotStanding { id: 3 },
        Denied::NotYourHold {
            id: 3,
            owner: "UBOB".into(),
        },
        Denied::HoldAlreadyReleased { id: 3 },
    ]
    .map(say)
    .join("\n");
    assert_snapshot!(out, @"");
}

#[test]
fn diff() {
    assert_snapshot!(say(Denied::UnknownRepository { app: "whitehall".into() }), @"");
}
