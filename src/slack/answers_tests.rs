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
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap()
}

pub(super) fn policy() -> Policy {
    Policy::default()
}

/// Runs `f` with the default policy's wording at [`now`].
pub(super) fn with_say<R>(f: impl FnOnce(&Say) -> R) -> R {
    let p = policy();
    f(&Say {
        policy: &p,
        now: now(),
        dashboard_url: None,
    })
}

pub(super) fn text(a: Answer) -> String {
    with_say(|say| answer(say, &a).text)
}

pub(super) fn dep(id: i64, state: State) -> Deployment {
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
    assert_snapshot!(text(Answer::Started(dep(7, State::Deploying))), @":rocket: You're deploying *whitehall* `release_12` to *staging* (#7). I've announced it in the channel; press *Done* or *Failed* there, or type `/deploy done` or `/deploy failed`, when it's over.");
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
    assert_snapshot!(out, @r##"
Marked *whitehall* `release_12` to *staging* (#7) as succeeded.
Marked *whitehall* `release_12` to *staging* (#7) as failed.
Marked *whitehall* `release_12` to *staging* (#7) as cancelled.
"##);
    assert_snapshot!(text(Answer::CalledOff(dep(7, State::Deploying))), @"Called off *whitehall* `release_12` to *staging* (#7); the channel has been told.");
    assert_snapshot!(text(Answer::LeftQueue(dep(7, State::Queued))), @"You left the queue for *whitehall* `release_12` to *staging* (#7).");
}

#[test]
fn diff() {
    let asked = Answer::DiffAsked {
        repo: "alphagov/whitehall".into(),
        to: "release_12".into(),
        from: "release_11".into(),
        env: "production".into(),
    };
    assert_snapshot!(text(asked), @":mag: Asking GitHub (alphagov/whitehall) what `release_12` adds over `release_11`, which *production* runs now; the answer follows here.");
    let nothing = Answer::NothingToCompare {
        app: "whitehall".into(),
        env: "production".into(),
        to: "release_12".into(),
        from: None,
    };
    assert_snapshot!(text(nothing), @":mag: Nothing of *whitehall* is recorded as deployed to *production* yet, so there is nothing to compare `release_12` with.");
}

#[test]
fn help_is_the_parsers_text() {
    assert_snapshot!(text(Answer::Help("Usage: `/deploy APP REF [to] ENV`".into())), @"Usage: `/deploy APP REF [to] ENV`");
}

#[test]
fn holds() {
    assert_snapshot!(text(Answer::HoldPlaced(hold(3, "whitehall"), None)), @"Hold #3 on whitehall in production is in place and in the channel topic. Release it with `/hold release 3`.");
    assert_snapshot!(text(Answer::HoldUpdated(hold(3, "*"))), @"You already held all applications in production; I updated the reason of hold #3.");
    assert_snapshot!(text(Answer::Holds(vec![])), @"No holds stand.");
    assert_snapshot!(text(Answer::Holds(vec![hold(3, "whitehall"), hold(4, "*")])), @r##"
*Holds* (2):
• #3 whitehall in production held by <@UBOB>: incident &lt;!channel&gt;
• #4 all applications in production held by <@UBOB>: incident &lt;!channel&gt;
"##);
    assert_snapshot!(text(Answer::HoldsReleased { released: vec![3, 4], standing: vec![] }), @"Released hold #3, #4.");
    assert_snapshot!(text(Answer::HoldsReleased { released: vec![3], standing: vec![hold(1, "whitehall")] }), @r#"
    Released hold #3.
    Still standing (1), held by others: their owner or an admin can release each with `/hold release ID`.
    • #1 whitehall in production held by <@UBOB>: incident &lt;!channel&gt;
    "#);
    // Every environment: said so, and a reason that starts like an environment is pointed out.
    let slip = Hold {
        environment: None,
        reason: "prod db migration".into(),
        ..hold(5, "whitehall")
    };
    assert_snapshot!(text(Answer::HoldPlaced(slip, None)), @r"
    Hold #5 on whitehall in every environment is in place and in the channel topic. Release it with `/hold release 5`.
    Its reason starts with `prod`, so it holds every environment. To hold only *production*, release it and type `/hold whitehall production REASON...`.
    ");
    // A hold on an app badger never knew: said so, with the closest it knows.
    let typo = Answer::HoldPlaced(
        hold(8, "whitehal"),
        Some(crate::service::Unknown {
            closest: Some("whitehall".into()),
        }),
    );
    assert_snapshot!(text(typo).lines().nth(1).unwrap(), @":grey_question: badger knows no app called *whitehal*: it was never deployed and the policy does not list it, so this hold holds nothing yet. Did you mean *whitehall*?");
    // "in production ...": the environment is the word after `in` (which is no
    // abbreviation of integration).
    let written_in = Hold {
        environment: None,
        reason: "in production db migration".into(),
        ..hold(5, "whitehall")
    };
    assert_snapshot!(text(Answer::HoldPlaced(written_in, None)).lines().nth(1).unwrap(), @"Its reason starts with `in production`, so it holds every environment. To hold only *production*, release it and type `/hold whitehall production REASON...`.");
    let plain = Hold {
        environment: None,
        reason: "data migration".into(),
        ..hold(6, "*")
    };
    assert_snapshot!(text(Answer::HoldPlaced(plain, None)), @"Hold #6 on all applications in every environment is in place and in the channel topic. Release it with `/hold release 6`.");
    assert_snapshot!(text(Answer::HoldReleased(hold(3, "whitehall"))), @"Released hold #3 on whitehall in production.");
    // With `--until`, the exact end (a date alone is its 00:00; another year's shows it).
    let until = |at| Hold {
        until: Some(at),
        ..hold(7, "*")
    };
    assert_snapshot!(text(Answer::HoldPlaced(until(Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap()), None)), @"Hold #7 on all applications in production is in place and in the channel topic. It ends at Mon 4 Jan 2027 00:00 GMT. Release it with `/hold release 7`.");
    assert_snapshot!(text(Answer::HoldPlaced(until(Utc.with_ymd_and_hms(2026, 3, 29, 23, 0, 0).unwrap()), None)), @"Hold #7 on all applications in production is in place and in the channel topic. It ends at Mon 30 Mar 00:00 BST. Release it with `/hold release 7`.");
}

/// `/deploy whitehall release_12 to production`, refused for `reasons`.
fn whitehall_to_production(reasons: Vec<Refusal>) -> Refused {
    Refused {
        app: "whitehall".into(),
        git_ref: Some("release_12".into()),
        env: "production".into(),
        emergency: false,
        deployers: Box::default(),
        reasons,
    }
}

#[test]
fn buttons() {
    let refused = whitehall_to_production(vec![Refusal::NotPermitted {
        env: "production".into(),
    }]);
    assert_snapshot!(text(Answer::TurnPassedOn(refused)), @r##"
You are not on the list of people who may deploy to *production*. Ask an admin to add you, or to deploy for you.
The turn has passed to the next in line; you keep your place in the queue.
"##);
    assert_snapshot!(text(Answer::SkippedAlone), @"Nobody else was waiting, so you left the queue. Ask again when you're ready.");
    assert_snapshot!(text(Answer::LetGoFirst { requester: "UBOB".into() }), @"You let <@UBOB> go first; you are next after them.");
}

/// With no admins to add them, a person refused is told who may deploy there instead:
/// the first five, then how many more.
#[test]
fn not_permitted_without_admins_names_the_deployers() {
    let deployers: Vec<String> = (1..=7).map(|i| format!("U0DEP{i}")).collect();
    let refused = |deployers: Vec<String>| Refused {
        deployers: deployers.into(),
        ..whitehall_to_production(vec![Refusal::NotPermitted {
            env: "production".into(),
        }])
    };
    assert_snapshot!(text(Answer::TurnPassedOn(refused(deployers.clone()))).lines().next().unwrap(), @"You are not on the list of people who may deploy to *production*, and badger has no admins to add you. Ask one of those who may to deploy for you: <@U0DEP1>, <@U0DEP2>, <@U0DEP3>, <@U0DEP4>, <@U0DEP5> and 2 more.");
    assert_snapshot!(text(Answer::TurnPassedOn(refused(deployers[..1].to_vec()))).lines().next().unwrap(), @"You are not on the list of people who may deploy to *production*, and badger has no admins to add you. Ask one of those who may to deploy for you: <@U0DEP1>.");
}

#[test]
fn versions_of_an_app_never_deployed() {
    let a = Answer::Versions {
        view: crate::domain::versions::build(
            &crate::domain::versions::default_order(&["staging"]),
            &[],
            &[],
            &[],
            now(),
        ),
        app: Some("whitehall".into()),
        unknown: None,
    };
    assert_snapshot!(text(a), @"Nothing of *whitehall* has been deployed yet.");
}

/// An app badger never knew: said so (a typo is not "nothing deployed"), with the closest
/// it knows, escaped.
#[test]
fn versions_of_an_app_badger_does_not_know() {
    let view = crate::domain::versions::build(
        &crate::domain::versions::default_order(&["staging"]),
        &[],
        &[],
        &[],
        now(),
    );
    let unknown = |closest: Option<&str>| Answer::Versions {
        view: view.clone(),
        app: Some("whitehal".into()),
        unknown: Some(crate::service::Unknown {
            closest: closest.map(str::to_owned),
        }),
    };
    assert_snapshot!(text(unknown(Some("whitehall"))), @"badger knows no app called *whitehal*: nothing of it was ever deployed, and the policy does not list it. Did you mean *whitehall*? `/deploy versions` lists the apps it knows.");
    assert_snapshot!(text(unknown(None)), @"badger knows no app called *whitehal*: nothing of it was ever deployed, and the policy does not list it. `/deploy versions` lists the apps it knows.");
}

#[test]
fn windows() {
    assert_snapshot!(text(Answer::Windows), @r##"
:large_green_circle: The deploy window is open until Tue 10 Mar 17:00 GMT.
*Next openings*:
• Tue 10 Mar 09:30 GMT – Tue 10 Mar 17:00 GMT
• Wed 11 Mar 09:30 GMT – Wed 11 Mar 17:00 GMT
• Thu 12 Mar 09:30 GMT – Thu 12 Mar 17:00 GMT
• Fri 13 Mar 09:30 GMT – Fri 13 Mar 16:00 GMT
• Mon 16 Mar 09:30 GMT – Mon 16 Mar 17:00 GMT
*Closed days in the next twelve months*:
• Fri 3 Apr 2026 — Good Friday
• Mon 6 Apr 2026 — Easter Monday
• Mon 4 May 2026 — Early May bank holiday
• Mon 25 May 2026 — Spring bank holiday
• Mon 31 Aug 2026 — Summer bank holiday
• Fri 25 Dec 2026 — Christmas Day
• Mon 28 Dec 2026 — Boxing Day (substitute day)
• Fri 1 Jan 2027 — New Year's Day
Always open: integration.
"##);
}

#[test]
fn a_note_says_where_to_look() {
    let channel = || "CDEPLOY".to_owned();
    let notes = [
        Note::Follow { channel: channel() },
        Note::Announced { channel: channel() },
    ];
    let [follow, announced] = notes.map(|note| {
        let r = Reply {
            answer: Answer::LeftQueue(dep(7, State::Queued)),
            note: Some(note),
        };
        with_say(|say| reply(say, &r))
    });
    assert_snapshot!(follow.text, @r##"
You left the queue for *whitehall* `release_12` to *staging* (#7).
Follow it in <#CDEPLOY>: starts and turns are announced there.
"##);
    assert_snapshot!(serde_json::to_string(follow.blocks.last().unwrap()).unwrap(), @r##"{"elements":[{"text":"Follow it in <#CDEPLOY>: starts and turns are announced there.","type":"mrkdwn"}],"type":"context"}"##);
    assert_snapshot!(announced.text, @r##"
You left the queue for *whitehall* `release_12` to *staging* (#7).
Announced in <#CDEPLOY>.
"##);
}

#[test]
fn status_of_one_environment() {
    let mut deploying = dep(7, State::Deploying);
    deploying.environment = "production".into();
    let mut waiting = dep(8, State::Queued);
    waiting.environment = "production".into();
    let snapshot = crate::service::Snapshot::of(vec![deploying, waiting], vec![hold(3, "*")]);
    let a = Answer::Status {
        snapshot: std::sync::Arc::new(snapshot),
        env: Some("production".into()),
    };
    assert_snapshot!(text(a), @r##"
:large_green_circle: The deploy window is open until Tue 10 Mar 17:00 GMT.
*production*: <@UALICE> deploying whitehall `release_12`
    queue: 1. <@UALICE> whitehall `release_12` (#8)
*Holds* (1):
• #3 all applications in production held by <@UBOB>: incident &lt;!channel&gt;
"##);
}

/// With the window closed, the first line says which environments are open all the same.
#[test]
fn status_when_the_window_is_closed() {
    let p = policy();
    let say = Say {
        policy: &p,
        now: Utc.with_ymd_and_hms(2026, 3, 14, 10, 0, 0).unwrap(),
        dashboard_url: None,
    };
    let a = Answer::Status {
        snapshot: std::sync::Arc::new(crate::service::Snapshot::of(vec![], vec![])),
        env: None,
    };
    let first = answer(&say, &a).text.lines().next().unwrap().to_owned();
    assert_snapshot!(first, @":red_circle: The deploy window is closed; it next opens Mon 16 Mar 09:30 GMT. Always open: *integration*.");
}

/// A deployment shows how long it has run, so one forgotten since yesterday stands out.
#[test]
fn status_says_how_long_a_deployment_has_run() {
    let mut running = dep(1, State::Deploying);
    running.started_at = Some(now() - chrono::Duration::minutes(97));
    let a = Answer::Status {
        snapshot: std::sync::Arc::new(crate::service::Snapshot::of(vec![running], vec![])),
        env: Some("staging".into()),
    };
    let text = text(a);
    assert!(
        text.contains("*staging*: <@UALICE> deploying whitehall `release_12` for 1h 37m"),
        "{text}"
    );
}

/// A queue of thousands is summarised, not cut: ten entries, the rest counted, and the
/// dashboard named; the answer stays one short section (Slack: 3,000 characters).
#[test]
fn status_of_a_long_queue_names_the_rest() {
    let mut live = vec![dep(1, State::Deploying)];
    live.extend((2..=5_001).map(|id| dep(id, State::Queued)));
    let snapshot = crate::service::Snapshot::of(live, vec![]);
    let a = Answer::Status {
        snapshot: std::sync::Arc::new(snapshot),
        env: Some("staging".into()),
    };
    let p = policy();
    let say = Say {
        policy: &p,
        now: now(),
        dashboard_url: Some("https://badger.example.com"),
    };
    let m = answer(&say, &a);
    assert_eq!(m.blocks.len(), 1, "{:?}", m.blocks);
    assert!(
        m.text.chars().count() < 3_000,
        "{} characters",
        m.text.len()
    );
    assert_snapshot!(m.text, @r##"
:large_green_circle: The deploy window is open until Tue 10 Mar 17:00 GMT.
*staging*: <@UALICE> deploying whitehall `release_12`
    queue: 1. <@UALICE> whitehall `release_12` (#2); 2. <@UALICE> whitehall `release_12` (#3); 3. <@UALICE> whitehall `release_12` (#4); 4. <@UALICE> whitehall `release_12` (#5); 5. <@UALICE> whitehall `release_12` (#6); 6. <@UALICE> whitehall `release_12` (#7); 7. <@UALICE> whitehall `release_12` (#8); 8. <@UALICE> whitehall `release_12` (#9); 9. <@UALICE> whitehall `release_12` (#10); 10. <@UALICE> whitehall `release_12` (#11); +4990 more queued (see <https://badger.example.com/|the dashboard>)
No holds on *staging*.
"##);
}

/// Slack's limits, and nothing cut without saying so: at most 50 blocks, every section
/// within 3,000 characters and not shortened, the text within 40,000.
fn within_slacks_limits(m: &crate::slack::blocks::Message) {
    assert!(m.blocks.len() <= 50, "{} blocks", m.blocks.len());
    assert!(m.text.chars().count() <= 40_000, "{}", m.text.len());
    for b in &m.blocks {
        if let Some(t) = b.pointer("/text/text").and_then(|t| t.as_str()) {
            assert!(t.chars().count() <= 3_000, "{} characters", t.len());
            assert!(!t.ends_with('…'), "a section was cut: {t}");
        }
    }
}

fn long_hold(id: i64, scope: &str) -> Hold {
    // 498 characters that escape to 1,494: the parser's cap is 500.
    let reason = format!("{id}: {}", "<&>".repeat(165));
    Hold {
        reason,
        ..hold(id, scope)
    }
}

#[test]
fn status_and_hold_list_with_hundreds_of_long_holds_stay_within_slacks_limits() {
    let holds: Vec<Hold> = (1..=300).map(|id| long_hold(id, "whitehall")).collect();
    let status = Answer::Status {
        snapshot: std::sync::Arc::new(crate::service::Snapshot::of(vec![], holds.clone())),
        env: None,
    };
    for a in [status, Answer::Holds(holds)] {
        let m = with_say(|say| answer(say, &a));
        within_slacks_limits(&m);
        let shown = (1..=300)
            .filter(|id| m.text.contains(&format!("#{id} whitehall")))
            .count();
        assert!((10..300).contains(&shown), "{shown} shown");
        let more = format!("…and {} more lines not shown", 300 - shown);
        assert!(m.text.contains(&more), "{}", &m.text[m.text.len() - 300..]);
        let last = m.blocks.last().unwrap()["text"]["text"].as_str().unwrap();
        assert!(last.contains(&more), "{last}");
    }
}

#[test]
fn a_refusal_naming_several_long_holds_shows_every_one_whole() {
    let reasons: Vec<Refusal> = ["*", "whitehall", "*", "whitehall", "*"]
        .iter()
        .enumerate()
        .map(|(i, scope)| Refusal::Held(long_hold(i as i64 + 1, scope)))
        .collect();
    let refused = whitehall_to_production(reasons);
    let error = crate::service::ServiceError::Refused(refused.clone());
    let failure = with_say(|say| super::super::denied::failure_message(say, &error));
    let passed = with_say(|say| answer(say, &Answer::TurnPassedOn(refused)));
    for m in [failure, passed] {
        within_slacks_limits(&m);
        assert!(m.blocks.len() > 1, "{:?}", m.blocks);
        let shown: String = m
            .blocks
            .iter()
            .filter_map(|b| b.pointer("/text/text").and_then(|t| t.as_str()))
            .collect();
        for id in 1..=5 {
            let whole = format!("{id}: {}", "&lt;&amp;&gt;".repeat(165));
            assert!(shown.contains(&whole), "hold {id} is not shown whole");
        }
    }
}
