//! Snapshots of every refusal as the person sees it (`denied.rs`), inline.

use super::{denied, failure_message};
use crate::config::Policy;
use crate::domain::deployment::{sample, State};
use crate::service::{Denied, HoldEnded};
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
    assert_snapshot!(say(Denied::UnknownCommand { name: "/<!here>".into() }), @"badger doesn't know the command `/&lt;!here&gt;`; it answers `/deploy` and `/hold`.");
    let unparsed = Denied::Unparsed {
        message: "There is no environment called `prod<>`.".into(),
        usage: "/deploy APP REF [to] ENV".into(),
    };
    assert_snapshot!(say(unparsed), @r##"
:warning: There is no environment called `prod&lt;&gt;`.
```/deploy APP REF [to] ENV```
"##);
    assert_snapshot!(say(Denied::NoDeployChannel), @"badger has no deploy channel configured (`channel` in the policy file), so it announces in the channel where a command is typed, and this is a direct message. Type this in your deploy channel, or ask an operator to set `channel`. (`/deploy status` and `/hold list` work anywhere.)");
    assert_snapshot!(say(Denied::UnknownEnvironment { env: "prod&".into() }), @"There is no environment called prod&amp;.");
}

#[test]
fn requests() {
    let mut mine = sample(7, "whitehall", "staging");
    mine.state = State::Called;
    let queued = Denied::AlreadyQueued {
        mine: Box::new(mine),
    };
    assert_snapshot!(say(queued), @"You already have *whitehall* `r1` to *staging* (#7, called). Use `/deploy cancel 7` to leave the queue.");
    assert_snapshot!(say(Denied::NothingInProgress), @"You have no deployment in progress. `/deploy status` shows what is deploying.");
    assert_snapshot!(say(Denied::AlreadyFinished), @"That deployment has already finished.");
    let several = Denied::SeveralInProgress {
        mine: vec![
            sample(7, "whitehall", "staging"),
            sample(9, "<b>", "integration"),
        ],
    };
    assert_snapshot!(say(several), @"You have 2 deployments in progress: *whitehall* `r1` to *staging* (#7), *&lt;b&gt;* `r1` to *integration* (#9). Press *Done* or *Failed* on the start alert of the one you mean; nothing was changed.");
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
    assert_snapshot!(out, @r##"
There is no deployment #7.
#7 is <@UBOB>'s deployment; only they or an admin can cancel it.
You are not waiting in any queue.
#7 has already moved on.
#7 has already expired.
"##);
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
        Denied::EnvironmentGone { env: "prod".into() },
        Denied::TurnStays,
        Denied::NoCheck { id: 7 },
        Denied::AlreadyConfirmed {
            id: 7,
            by: Some("UBOB".into()),
        },
    ]
    .map(say)
    .join("\n");
    assert_snapshot!(out, @r##"
That button is not one badger understands (its value is not a record id).
That button (deploy_&lt;x&gt;) is not one badger knows.
Deployment #7 no longer exists.
Only <@UBOB> (who asked for this deployment) or an admin can press that. Nothing was changed.
prod is no longer configured, so this turn can't start.
Nobody else in the queue can go now, so your turn stays yours. Press *Start* when you're ready, or cancel.
#7 has no check to confirm.
#7 was already confirmed by <@UBOB>; nothing was changed.
"##);
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
    assert_snapshot!(out, @r##"
#7 has already succeeded; nothing was changed.
#7 has already failed; nothing was changed.
#7 has already been cancelled; nothing was changed.
#7 has already expired; nothing was changed.
#7 has already started; nothing was changed.
#7 has already been called; nothing was changed.
#7 is waiting in the queue again: its turn was given back, and you keep your place and are called again when it comes; nothing was changed.
"##);
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
        Denied::HoldAlreadyReleased { id: 3, ended: None },
        Denied::HoldAlreadyReleased {
            id: 3,
            ended: Some(HoldEnded::Released {
                by: "UBOB".into(),
                at: Utc.with_ymd_and_hms(2026, 3, 10, 14, 2, 0).unwrap(),
            }),
        },
        Denied::HoldAlreadyReleased {
            id: 3,
            ended: Some(HoldEnded::AtItsTime {
                until: Utc.with_ymd_and_hms(2026, 3, 10, 14, 0, 0).unwrap(),
            }),
        },
    ]
    .map(say)
    .join("\n");
    assert_snapshot!(out, @r##"
The hold could not be saved; please try again.
No hold on white*hall stands. `/hold list` shows the holds.
No hold on all applications stands. `/hold list` shows the holds.
Only the owner of a hold or an admin can release it. This one is held by <@UBOB> (#3), <@UCAROL> (#4). Nothing was changed.
Those holds were already released; nothing was changed.
There is no hold #3; nothing was changed. `/hold list` shows the holds.
Only <@UBOB> (who placed hold #3) or an admin can release it. Nothing was changed.
Hold #3 was already released. Nothing was changed.
Hold #3 was already released by <@UBOB> at Tue 10 Mar 14:02 GMT. Nothing was changed.
Hold #3 already ended at its `--until` time, Tue 10 Mar 14:00 GMT. Nothing was changed.
"##);
}

#[test]
fn diff() {
    assert_snapshot!(say(Denied::UnknownRepository { app: "whitehall".into() }), @"badger doesn't know *whitehall*'s GitHub repository (`[github.repos]` in the policy file), so it can't compare refs.");
}

#[test]
fn failures() {
    use crate::domain::admission::{Refusal, WindowClosed};
    use crate::service::ServiceError;
    use crate::store::StoreError;
    let refused = ServiceError::Refused(whitehall_refused(
        "release_12",
        "production",
        vec![Refusal::WindowClosed(WindowClosed {
            env: "production".into(),
            next_opening: None,
            closure: None,
            skipping: Vec::new(),
        })],
    ));
    let down = ServiceError::Internal(StoreError::Db(sqlx::Error::PoolTimedOut));
    let broken = ServiceError::Internal(StoreError::Corrupt("x".into()));
    let cut = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    let unknown = ServiceError::Internal(StoreError::CommitUnknown(sqlx::Error::Io(cut)));
    let out = [
        refused,
        down,
        broken,
        unknown,
        ServiceError::Denied(Denied::TurnStays),
    ]
    .map(|e| failure_text(&e))
    .join("\n");
    assert_snapshot!(out, @r##"
:lock: The deploy window for *production* is closed now (Tue 10 Mar 18:00 GMT). No opening is scheduled. If this can't wait, `/deploy emergency whitehall release_12 to production REASON...`
:warning: badger can't reach its database right now, so nothing was changed. Please try again in a minute.
:warning: Sorry, badger hit an internal error and changed nothing. Please try again in a moment.
:warning: badger lost its database connection while saving this, so it may or may not have been saved. Check `/deploy status` (or the channel) before trying again.
Nobody else in the queue can go now, so your turn stays yours. Press *Start* when you're ready, or cancel.
"##);
}

/// An emergency bypasses the window, not the promotion rule or a hold: with either also in
/// the way, the refusal does not suggest one (it would only be refused again).
#[test]
fn window_and_promotion_offer_no_emergency() {
    use crate::domain::admission::{Refusal, WindowClosed};
    use crate::domain::promotion::PromotionCheck;
    use crate::service::ServiceError;
    let refused = ServiceError::Refused(whitehall_refused(
        "release_12",
        "production",
        vec![
            Refusal::WindowClosed(WindowClosed {
                env: "production".into(),
                next_opening: None,
                closure: None,
                skipping: Vec::new(),
            }),
            Refusal::NotPromoted {
                previous: "staging".into(),
                check: PromotionCheck::NeverDeployed,
            },
        ],
    ));
    assert_snapshot!(failure_text(&refused), @r"
    :lock: The deploy window for *production* is closed now (Tue 10 Mar 18:00 GMT). No opening is scheduled.
    :arrow_right: *whitehall* `release_12` must be deployed to *staging* before *production*, and no deployment of *whitehall* there has finished yet. Run `/deploy whitehall release_12 to staging` first (if one is in progress there, wait until it succeeds).
    ");
}

/// Refused for `whitehall` at `git_ref` in `env`, asked as an ordinary request.
fn whitehall_refused(
    git_ref: &str,
    env: &str,
    reasons: Vec<crate::domain::admission::Refusal>,
) -> crate::domain::admission::Refused {
    crate::domain::admission::Refused {
        app: "whitehall".into(),
        git_ref: Some(git_ref.into()),
        env: env.into(),
        emergency: false,
        deployers: Box::default(),
        reasons,
    }
}

/// A COMMIT whose answer was lost may have landed: the person is sent to look (with the
/// deploy command as configured), never told that nothing was changed.
#[test]
fn a_commit_lost_with_the_connection_may_have_been_saved() {
    use crate::service::ServiceError;
    use crate::store::StoreError;
    let cut = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
    let e = ServiceError::Internal(StoreError::CommitUnknown(sqlx::Error::Io(cut)));
    let p = Policy {
        deploy_command: "/ship".into(),
        ..Policy::default()
    };
    assert_snapshot!(failure_text_under(&p, &e), @":warning: badger lost its database connection while saving this, so it may or may not have been saved. Check `/ship status` (or the channel) before trying again.");
}

/// What a person is told of `e`, under the default policy on Tue 10 Mar 2026 at 18:00.
fn failure_text(e: &crate::service::ServiceError) -> String {
    failure_text_under(&Policy::default(), e)
}

/// What a person is told of `e` under `p`, on Tue 10 Mar 2026 at 18:00.
fn failure_text_under(p: &Policy, e: &crate::service::ServiceError) -> String {
    let say = Say {
        policy: p,
        now: Utc.with_ymd_and_hms(2026, 3, 10, 18, 0, 0).unwrap(),
        dashboard_url: None,
    };
    failure_message(&say, e).text
}

/// An emergency refused by the promotion rule is told to run an emergency in the
/// environment before (the window is closed there too), and that emergencies do not skip
/// this rule.
#[test]
fn an_emergency_not_promoted_is_advised_an_emergency() {
    use crate::domain::admission::{Refusal, Refused};
    use crate::domain::promotion::PromotionCheck;
    use crate::service::ServiceError;
    let refused = ServiceError::Refused(Refused {
        emergency: true,
        ..whitehall_refused(
            "r2",
            "production",
            vec![Refusal::NotPromoted {
                previous: "staging".into(),
                check: PromotionCheck::LatestDiffers {
                    latest_ref: "r1".into(),
                    latest_state: State::Succeeded,
                },
            }],
        )
    });
    assert_snapshot!(failure_text(&refused), @"
:arrow_right: *whitehall* `r2` must succeed in *staging* before it goes to *production* (an emergency skips the deploy window, not this rule): the latest finished deployment there is `r1` (succeeded). Run `/deploy emergency whitehall r2 to staging REASON...` first.
");
}

/// A hold that ends by itself says when, so "wait" is advice people can act on; one
/// without an end says it lasts until released.
#[test]
fn a_hold_refusal_says_when_the_hold_ends() {
    use crate::domain::admission::Refusal;
    use crate::domain::hold::sample;
    let placed = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    let freeze = crate::domain::hold::Hold {
        reason: "christmas freeze".into(),
        until: Some(Utc.with_ymd_and_hms(2026, 3, 12, 9, 30, 0).unwrap()),
        updated_at: placed,
        ..sample(1, "*", None, "UALICE")
    };
    let open_ended = crate::domain::hold::Hold {
        reason: "incident".into(),
        updated_at: placed,
        ..sample(2, "whitehall", Some("production"), "UBOB")
    };
    let refused = whitehall_refused(
        "r2",
        "production",
        vec![Refusal::Held(freeze), Refusal::Held(open_ended)],
    );
    let error = crate::service::ServiceError::Refused(refused);
    assert_snapshot!(failure_text(&error), @r"
    :no_entry: *whitehall* can't be deployed to *production*: <@UALICE> is holding all applications (hold #1): christmas freeze. Ask them, or wait: it ends at Thu 12 Mar 09:30 GMT.
    :no_entry: *whitehall* can't be deployed to *production*: <@UBOB> is holding whitehall in production (hold #2): incident. Ask them, or wait for the hold to be released.
    ");
}

/// A bank holiday is named by its gov.uk name (the time of the refusal gives way to it).
#[test]
fn a_closed_window_names_the_bank_holiday() {
    use crate::domain::admission::{Refusal, WindowClosed};
    use crate::domain::window::Closure;
    use crate::service::ServiceError;
    let refused = whitehall_refused(
        "r2",
        "staging",
        vec![Refusal::WindowClosed(WindowClosed {
            env: "staging".into(),
            next_opening: Some(Utc.with_ymd_and_hms(2026, 12, 29, 9, 30, 0).unwrap()),
            closure: Some(Closure {
                name: "Christmas Day".into(),
                until: None,
            }),
            skipping: Vec::new(),
        })],
    );
    assert_snapshot!(failure_text(&ServiceError::Refused(refused)), @"
:lock: The deploy window for *staging* is closed now (Christmas Day). It next opens Tue 29 Dec 09:30 GMT. If this can't wait, `/deploy emergency whitehall r2 to staging REASON...`
");
}
