//! Snapshots of what the channel is told when CI reports how a run ended after it was
//! called off while deploying.

use super::*;
use crate::domain::deployment::Credit;

fn called_off(state: State, by: Option<Credit>, note: Option<&str>) -> Notice {
    let deployment = Deployment {
        source: "ci".into(),
        requester: "ci".into(),
        ended_at: Some(at(10, 5)),
        ended_by: by,
        ..finished(state, note)
    };
    Notice::ReportedAfterCallOff { deployment }
}

#[test]
fn reported_after_call_off() {
    let admin = || Some(Credit::Person("U0ADMIN".into()));
    insta::assert_snapshot!(shown(called_off(State::Succeeded, admin(), None)), @r"
    :information_source: CI reports #7 (*whitehall* `release_1` to *production*) succeeded after it was called off by <@U0ADMIN>. badger records it as succeeded, so versions show it.
    [section: the text]
    ");
    let failed = called_off(State::Failed, admin(), Some("rolled back <!here>"));
    insta::assert_snapshot!(shown(failed), @r"
    :information_source: CI reports #7 (*whitehall* `release_1` to *production*) failed after it was called off by <@U0ADMIN>. badger records it as failed.
    Note: rolled back &lt;!here&gt;
    [section: the text]
    ");
    // Called off by its requester (nobody else named): a person's deployment.
    let mine = Notice::ReportedAfterCallOff {
        deployment: Deployment {
            ended_at: Some(at(10, 5)),
            ..finished(State::Succeeded, None)
        },
    };
    insta::assert_snapshot!(shown(mine), @r"
    :information_source: CI reports #7 (*whitehall* `release_1` to *production*) succeeded after it was called off by <@U0ALICE>. badger records it as succeeded, so versions show it.
    [section: the text]
    ");
}
