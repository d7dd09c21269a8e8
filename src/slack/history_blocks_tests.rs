//! `/deploy history` as the person sees it: the lines, escaping, credits, the empty and
//! unknown answers, the "+ more" line, and Slack's limits with many long lines.

use super::{history, Found};
use crate::config::Policy;
use crate::domain::deployment::{sample, Credit, Deployment, State};
use crate::service::Unknown;
use crate::slack::answers::Say;
use crate::slack::blocks::Message;
use crate::slack::fit::{MESSAGE_BLOCKS, MESSAGE_TEXT, SECTION_TEXT};
use chrono::{DateTime, Duration, TimeZone, Utc};
use insta::assert_snapshot;
use serde_json::Value;

/// A Tuesday morning, London (GMT).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap()
}

fn dep(id: i64, state: State) -> Deployment {
    Deployment {
        git_ref: "release_12".into(),
        requester: "UALICE".into(),
        state,
        ..sample(id, "whitehall", "staging")
    }
}

/// `d`, requested an hour before [`now`] and ended `ago` minutes before it, after `took`
/// minutes deploying (none: it never started).
fn ended(mut d: Deployment, ago: i64, took: Option<i64>) -> Deployment {
    let end = now() - Duration::minutes(ago);
    d.requested_at = now() - Duration::hours(1);
    d.started_at = took.map(|t| end - Duration::minutes(t));
    match d.state {
        State::Succeeded | State::Failed => d.finished_at = Some(end),
        _ => d.ended_at = Some(end),
    }
    d
}

fn render(dashboard: Option<&str>, f: &Found) -> Message {
    let p = Policy::default();
    let say = Say {
        policy: &p,
        now: now(),
        dashboard_url: dashboard,
    };
    history(&say, f)
}

fn found<'a>(deployments: &'a [Deployment], env: Option<&'a str>, more: bool) -> Found<'a> {
    Found {
        app: "whitehall",
        env,
        deployments,
        more,
        unknown: None,
    }
}

#[test]
fn each_line_says_how_it_went_where_how_long_when_and_who() {
    let mut done_for = ended(dep(14, State::Succeeded), 5, Some(4));
    done_for.environment = "production".into();
    done_for.started_by = Some(Credit::Person("U0ADMIN".into()));
    done_for.ended_by = Some(Credit::Person("U0ADMIN".into()));
    let mut failed = ended(dep(13, State::Failed), 30, Some(12));
    failed.outcome_note = Some("migrations broke".into());
    let mut emergency = ended(dep(12, State::Succeeded), 60, Some(1));
    emergency.emergency_reason = Some("security fix".into());
    emergency.note = Some("CVE-2026-1".into());
    let mut by_ci = ended(dep(11, State::Succeeded), 90, Some(0));
    by_ci.ended_by = Some(Credit::Ci);
    let mut called_off = ended(dep(10, State::Cancelled), 120, Some(2));
    called_off.ended_by = Some(Credit::Person("U0ADMIN".into()));
    let left = ended(dep(9, State::Cancelled), 150, None);
    let expired = ended(dep(8, State::Expired), 180, None);
    // Last year's says its year.
    let mut old = ended(dep(7, State::Succeeded), 200 * 24 * 60, Some(3));
    old.outcome_note = Some("all good".into());
    let all = [
        done_for, failed, emergency, by_ci, called_off, left, expired, old,
    ];
    let m = render(None, &found(&all, None, false));
    assert_snapshot!(m.text, @r"
    *whitehall*: the last 8 finished deployments, newest first.
    • :white_check_mark: `release_12` to *production*: succeeded in 4m 0s, Tue 10 Mar 09:55 GMT, asked by <@UALICE> (#14); started by <@U0ADMIN>, marked done by <@U0ADMIN>
    • :x: `release_12` to *staging*: failed in 12m 0s, Tue 10 Mar 09:30 GMT, asked by <@UALICE> (#13) · why: migrations broke
    • :white_check_mark: `release_12` to *staging*: succeeded in 1m 0s, Tue 10 Mar 09:00 GMT, asked by <@UALICE> (#12) · :rotating_light: *emergency*: security fix · note: CVE-2026-1
    • :white_check_mark: `release_12` to *staging*: succeeded in 0s, Tue 10 Mar 08:30 GMT, asked by <@UALICE> (#11); reported by CI
    • :no_entry_sign: `release_12` to *staging*: called off in 2m 0s, Tue 10 Mar 08:00 GMT, asked by <@UALICE> (#10); called off by <@U0ADMIN>
    • :no_entry_sign: `release_12` to *staging*: cancelled before it started, Tue 10 Mar 07:30 GMT, asked by <@UALICE> (#9)
    • :hourglass: `release_12` to *staging*: expired before it started, Tue 10 Mar 07:00 GMT, asked by <@UALICE> (#8)
    • :white_check_mark: `release_12` to *staging*: succeeded in 3m 0s, Fri 22 Aug 2025 11:00 BST, asked by <@UALICE> (#7) · at the end: all good
    ");
    assert_eq!(m.blocks.len(), 1);
    let one = render(None, &found(&all[..1], Some("production"), false));
    assert!(
        one.text
            .starts_with("*whitehall* in *production*: the last finished deployment.\n"),
        "{}",
        one.text
    );
}

#[test]
fn user_text_is_escaped_and_mentions_are_only_of_ids() {
    let mut d = ended(dep(3, State::Failed), 5, Some(1));
    d.note = Some("<!channel> look & see <https://evil.test|here>".into());
    d.emergency_reason = Some("<!here> down".into());
    d.outcome_note = Some("<@U0EVE> broke it".into());
    d.requester = "ci <!channel>".into();
    d.git_ref = "r<1>".into();
    let m = render(None, &found(std::slice::from_ref(&d), None, false));
    let shown = format!("{}\n{}", m.text, serde_json::to_string(&m.blocks).unwrap());
    for raw in ["<!channel>", "<!here>", "<@U0EVE>", "<https://evil", "r<1>"] {
        assert!(!shown.contains(raw), "{raw} unescaped: {shown}");
    }
    for escaped in [
        "note: &lt;!channel&gt; look &amp; see &lt;https://evil.test|here&gt;",
        "*emergency*: &lt;!here&gt; down",
        "why: &lt;@U0EVE&gt; broke it",
        "asked by ci &lt;!channel&gt;",
        "`r&lt;1&gt;`",
    ] {
        assert!(m.text.contains(escaped), "{escaped}: {}", m.text);
    }
}

#[test]
fn nothing_yet_and_an_app_badger_never_knew() {
    let none = render(None, &found(&[], Some("production"), false));
    assert_eq!(
        none.text,
        "No finished deployments of *whitehall* in *production* yet."
    );
    let none = render(None, &found(&[], None, false));
    assert_eq!(none.text, "No finished deployments of *whitehall* yet.");
    // An app badger never knew, said as `/deploy versions` says it, with the closest.
    let cases = [
        ("nothing-here", None, ""),
        ("whitehal", Some("whitehall"), " Did you mean *whitehall*?"),
    ];
    for (app, closest, guess) in cases {
        let unknown = Unknown {
            closest: closest.map(str::to_owned),
        };
        let f = Found {
            app,
            unknown: Some(&unknown),
            ..found(&[], None, false)
        };
        assert_eq!(
            render(None, &f).text,
            format!(
                "badger knows no app called *{app}*: nothing of it was ever deployed, and the \
                 policy does not list it.{guess} `/deploy versions` lists the apps it knows."
            )
        );
    }
}

#[test]
fn older_ones_are_pointed_to_on_the_dashboard_and_the_api() {
    let all = [ended(dep(5, State::Succeeded), 5, Some(1))];
    let linked = render(
        Some("https://badger.example.com"),
        &found(&all, Some("production"), true),
    );
    assert!(
        linked.text.ends_with(
            "\n+ more: see the dashboard (<https://badger.example.com/apps/whitehall|whitehall's page>) \
             or `GET https://badger.example.com/api/v1/deployments?app=whitehall&amp;environment=production`."
        ),
        "{}",
        linked.text
    );
    assert_eq!(linked.blocks.len(), 2);
    let plain = render(None, &found(&all, None, true));
    assert!(
        plain
            .text
            .ends_with("\n+ more: see the dashboard or `GET /api/v1/deployments?app=whitehall`."),
        "{}",
        plain.text
    );
    let all_of_them = render(None, &found(&all, None, false));
    assert!(!all_of_them.text.contains("more"), "{}", all_of_them.text);
}

/// Every section's text.
fn sections(m: &Message) -> Vec<&str> {
    m.blocks
        .iter()
        .filter_map(|b| b.pointer("/text/text").and_then(Value::as_str))
        .collect()
}

#[test]
fn many_long_lines_stay_within_slack_limits_and_say_what_is_left_out() {
    let long = |i: i64| {
        let mut d = ended(dep(i, State::Failed), i, Some(1));
        d.git_ref = format!("{}{i}", "r".repeat(96));
        d.note = Some(format!("{i} {}", "<n>".repeat(160)));
        d.emergency_reason = Some("&".repeat(500));
        d.outcome_note = Some("o ".repeat(250));
        d.started_by = Some(Credit::Person("U0ADMIN".into()));
        d.ended_by = Some(Credit::Person("U0ADMIN".into()));
        d
    };
    let all: Vec<Deployment> = (1..=60).map(long).collect();
    let m = render(Some("https://b.example"), &found(&all, None, true));
    assert!(m.blocks.len() <= MESSAGE_BLOCKS, "{}", m.blocks.len());
    assert!(m.text.chars().count() <= MESSAGE_TEXT);
    for s in sections(&m) {
        assert!(
            s.chars().count() <= SECTION_TEXT && !s.ends_with('…'),
            "{s}"
        );
    }
    let shown = (1..=60)
        .filter(|i| m.text.contains(&format!("(#{i});")))
        .count();
    assert!(shown > 5 && shown < 60, "{shown}");
    // Every line shown is whole: its note, reason and outcome note all there.
    assert_eq!(m.text.matches(&"&amp;".repeat(500)).count(), shown);
    assert!(
        m.text.ends_with(&format!(
            "\n+{} more not shown here, and older ones: see the dashboard \
             (<https://b.example/apps/whitehall|whitehall's page>) or \
             `GET https://b.example/api/v1/deployments?app=whitehall`.",
            60 - shown
        )),
        "{}",
        &m.text[m.text.len() - 300..]
    );
    // The blocks show what the text does (a long line split between words).
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words(&sections(&m).join("\n")), words(&m.text));
    // Ten (what the command shows) with the longest texts that need no escaping fit whole.
    let plain: Vec<Deployment> = all[..10]
        .iter()
        .cloned()
        .map(|mut d| {
            d.note = Some("n".repeat(500));
            d.emergency_reason = Some("r".repeat(500));
            d
        })
        .collect();
    let ten = render(None, &found(&plain, None, true));
    assert_eq!(ten.text.matches(&"n".repeat(500)).count(), 10);
    assert!(
        ten.text
            .ends_with("\n+ more: see the dashboard or `GET /api/v1/deployments?app=whitehall`."),
        "{}",
        ten.text
    );
    assert!(ten.blocks.len() <= MESSAGE_BLOCKS);
}
