//! Versions and drift in Slack: the `/deploy versions [APP]` answer and the App Home tab,
//! both rendered from the one [`VersionsView`]. Long answers are split across sections and,
//! past Slack's limits, summarised ("+N more apps", drifted apps always first): never cut.

use super::blocks::{section, what, Message};
use crate::domain::deployment::{credits, Deployment};
use crate::domain::text::{count, escape, mention};
use crate::domain::versions::{format_age, AppVersions, Drift, VersionsView};
use crate::domain::window::format_local;
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::fit::{pack, Packed};
pub use super::fit::{MESSAGE_BLOCKS, MESSAGE_TEXT, SECTION_TEXT, VIEW_BLOCKS};

/// Room kept for the "+N more" line.
const FOOTER_ROOM: usize = 600;

/// "integration `release_42`", "staging `release_42` (`release_43` failed)" where the
/// latest deployment failed after it, or "production —" where nothing was deployed; then
/// " (deploying `release_44`)" while one goes out there.
fn cell_word(env: &str, a: &AppVersions, i: usize) -> String {
    let mut word = match &a.per_env[i] {
        Some(c) => {
            let failed = match &c.latest_failed {
                Some(f) => format!(" (`{}` failed)", escape(&f.git_ref)),
                None => String::new(),
            };
            format!("{} `{}`{failed}", escape(env), escape(&c.git_ref))
        }
        None => format!("{} —", escape(env)),
    };
    if let Some(u) = a.deploying_in(env) {
        word += &format!(" (deploying `{}`)", escape(&u.git_ref));
    }
    word
}

/// "production (`release_40`) is behind staging: `release_42` there for 3h 30m, since Tue 24
/// Nov 10:15 GMT"; when the promotion rule would refuse it, "is behind staging, whose
/// latest deployment `release_43` failed: ...".
pub fn drift_words(view: &VersionsView, a: &AppVersions, d: &Drift, tz: Tz) -> String {
    let here = match &d.behind_ref {
        Some(r) => format!("`{}`", escape(r)),
        None => "nothing yet".to_owned(),
    };
    let blocked = match view.blocked_by(a, d) {
        Some(f) => format!(", whose latest deployment `{}` failed", escape(&f.git_ref)),
        None => String::new(),
    };
    format!(
        "{} ({here}) is behind {}{blocked}: `{}` there for {}, since {}",
        escape(&d.env),
        escape(&d.behind_env),
        escape(&d.ahead_ref),
        format_age(d.age_secs),
        format_local(d.since, tz)
    )
}

/// One app on one line (plus a line per drift): what `/deploy versions` and App Home list.
pub fn app_line(view: &VersionsView, a: &AppVersions, tz: Tz) -> String {
    let cells: Vec<String> = view
        .environments
        .iter()
        .enumerate()
        .map(|(i, e)| cell_word(e, a, i))
        .collect();
    let flag = if a.is_drifted() { ":warning: " } else { "" };
    let mut line = format!("{flag}*{}*: {}", escape(&a.app), cells.join(" · "));
    for d in &a.drift {
        line += &format!("\n      ↳ {}", drift_words(view, a, d, tz));
    }
    line
}

/// "1 app", "200 apps".
fn apps(n: usize) -> String {
    count(i64::try_from(n).unwrap_or(i64::MAX), "app")
}

/// "1 more app", "163 more apps".
fn more_apps_words(n: usize) -> String {
    count(i64::try_from(n).unwrap_or(i64::MAX), "more app")
}

/// "+163 more apps (2 drifted): see <https://badger.example.com/|the dashboard>."
pub fn more_apps(view: &VersionsView, shown: usize, dashboard: Option<&str>) -> Option<String> {
    let rest = &view.apps[shown.min(view.apps.len())..];
    if rest.is_empty() {
        return None;
    }
    let n = rest.len();
    let drifted = rest.iter().filter(|a| a.is_drifted()).count();
    let see = match dashboard {
        Some(url) => format!("see {}", super::blocks::dashboard_link(url)),
        None => "see the dashboard".to_owned(),
    };
    Some(format!(
        "+{} ({drifted} drifted) not shown here: {see} or `versions APP`.",
        more_apps_words(n)
    ))
}

/// `/deploy versions`: every app, drifted first, within one message's limits.
pub fn overview(view: &VersionsView, tz: Tz, dashboard: Option<&str>) -> Message {
    if view.apps.iter().all(AppVersions::is_blank) {
        return Message::plain("Nothing has been deployed yet.");
    }
    let mut lines = vec![format!(
        "*Versions* (latest successful deployment per environment): {}, {} drifted.",
        apps(view.apps.len()),
        view.drifted()
    )];
    lines.extend(view.apps.iter().map(|a| app_line(view, a, tz)));
    let packed = pack(&lines, MESSAGE_BLOCKS - 1, MESSAGE_TEXT - FOOTER_ROOM);
    let apps_shown = packed.shown.saturating_sub(1);
    let more = more_apps(view, apps_shown, dashboard);
    finish(packed, more)
}

/// `/deploy versions APP`: the app's line, then each environment with when and by whom.
pub fn one_app(view: &VersionsView, a: &AppVersions, tz: Tz) -> Message {
    let mut lines = vec![app_line(view, a, tz)];
    for (i, env) in view.environments.iter().enumerate() {
        let mut line = match &a.per_env[i] {
            Some(c) => {
                let failed = match &c.latest_failed {
                    Some(f) => format!(
                        "; since then `{}` failed, {} by {}",
                        escape(&f.git_ref),
                        format_local(f.at, tz),
                        mention(&f.by)
                    ),
                    None => String::new(),
                };
                format!(
                    "• *{}*: `{}`, deployed {} by {}{failed}",
                    escape(env),
                    escape(&c.git_ref),
                    format_local(c.at, tz),
                    mention(&c.by)
                )
            }
            None => format!("• *{}*: nothing deployed yet", escape(env)),
        };
        if let Some(u) = a.deploying_in(env) {
            line += &format!(
                "; `{}` deploying since {} for {}",
                escape(&u.git_ref),
                format_local(u.since, tz),
                mention(&u.by)
            );
        }
        lines.push(line);
    }
    let packed = pack(&lines, MESSAGE_BLOCKS - 1, MESSAGE_TEXT - FOOTER_ROOM);
    let rest = lines.len() - packed.shown;
    let more = (rest > 0).then(|| format!("+{rest} more environments not shown here."));
    finish(packed, more)
}

fn finish(mut packed: Packed, more: Option<String>) -> Message {
    if let Some(more) = more {
        packed.sections.push(section(&more));
        packed.text.push(more);
    }
    Message {
        text: packed.text.join("\n"),
        blocks: packed.sections,
    }
}

/// A person's own deployments, for App Home.
#[derive(Debug, Default)]
pub struct Mine {
    /// Queued, called or deploying.
    pub live: Vec<Deployment>,
    /// Finished, newest first.
    pub recent: Vec<Deployment>,
}

/// At most this many blocks of App Home go to the person's own deployments.
const MINE_BLOCKS: usize = 6;

fn header(text: &str) -> Value {
    json!({"type": "header", "text": {"type": "plain_text", "text": text}})
}

/// "• *whitehall* `r1` to *production*: succeeded (#12), Tue 24 Nov 10:05 GMT; started by
/// <@U0ADMIN>, marked done by <@U0ADMIN>": who else started or ended it for them, as the
/// dashboard's history says it.
fn mine_line(d: &Deployment, tz: Tz) -> String {
    let when = d
        .finished_at
        .or(d.ended_at)
        .or(d.started_at)
        .unwrap_or(d.requested_at);
    let credits = credits(d, &|user: &str| mention(user)).join(", ");
    let credits = if credits.is_empty() {
        credits
    } else {
        format!("; {credits}")
    };
    format!(
        "• {}: {} (#{}), {}{credits}",
        what(d),
        d.state.as_str(),
        d.id,
        format_local(when, tz)
    )
}

/// The App Home tab: the person's own deployments (live, then recent), then every app's
/// versions, drifted first, within Slack's 100 blocks per view.
pub fn home(
    view: &VersionsView,
    mine: &Mine,
    window_line: &str,
    tz: Tz,
    dashboard: Option<&str>,
) -> Vec<Value> {
    let mut blocks = vec![header("Deployments"), section(window_line)];
    blocks.push(header("Your deployments"));
    let mut lines = Vec::new();
    if mine.live.is_empty() {
        lines.push("Nothing of yours is queued or deploying.".to_owned());
    } else {
        lines.push("*Queued or deploying:*".to_owned());
        lines.extend(mine.live.iter().map(|d| mine_line(d, tz)));
    }
    if !mine.recent.is_empty() {
        lines.push("*Recently finished:*".to_owned());
        lines.extend(mine.recent.iter().map(|d| mine_line(d, tz)));
    }
    let packed = pack(&lines, MINE_BLOCKS - 1, usize::MAX);
    let rest = lines.len() - packed.shown;
    blocks.extend(packed.sections);
    if rest > 0 {
        blocks.push(section(&format!(
            "+{rest} more of yours not shown here: `/deploy status` lists the queues."
        )));
    }
    blocks.push(json!({"type": "divider"}));
    blocks.push(header(&format!(
        "Versions: {}, {} drifted",
        apps(view.apps.len()),
        view.drifted()
    )));
    if view.apps.is_empty() {
        blocks.push(section("Nothing has been deployed yet."));
        return blocks;
    }
    let lines: Vec<String> = view.apps.iter().map(|a| app_line(view, a, tz)).collect();
    // One block is kept for the "+N more apps" line.
    let room = VIEW_BLOCKS.saturating_sub(blocks.len() + 1);
    let packed = pack(&lines, room, usize::MAX);
    let more = more_apps(view, packed.shown, dashboard);
    blocks.extend(packed.sections);
    if let Some(more) = more {
        blocks.push(section(&more));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::versions::{build, default_order, Deployed, Finished};
    use chrono::{TimeZone, Utc};

    fn view(n: usize, ref_len: usize) -> VersionsView {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let rows: Vec<Deployed> = (0..n)
            .flat_map(|i| {
                ["integration", "staging"].map(|env| Deployed {
                    app: format!("app-{i:04}"),
                    environment: env.into(),
                    git_ref: format!("{}{i}", "r".repeat(ref_len)),
                    at,
                    by: "U1".into(),
                    latest_failed: None,
                })
            })
            .collect();
        let envs = default_order(&["integration", "staging", "production"]);
        build(&envs, &[], &rows, &[], at)
    }

    fn texts(blocks: &[Value]) -> String {
        blocks
            .iter()
            .filter_map(|b| b.pointer("/text/text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `v` on the home tab of someone with no deployments, checked to fit in a view.
    #[track_caller]
    fn home_within_a_view(v: &VersionsView) -> Vec<Value> {
        let blocks = home(v, &Mine::default(), "open", chrono_tz::UTC, None);
        assert!(blocks.len() <= VIEW_BLOCKS, "{}", blocks.len());
        blocks
    }

    #[test]
    fn home_with_a_thousand_long_apps_stays_within_a_view() {
        let text = texts(&home_within_a_view(&view(1000, 90)));
        let shown = (0..1000)
            .filter(|i| text.contains(&format!("*app-{i:04}*:")))
            .count();
        let more = format!("+{} more apps (", 1000 - shown);
        assert!(shown < 1000 && text.contains(&more), "{shown}: {text}");
        assert!(text.contains("see the dashboard or"), "{text}");
    }

    /// `n` apps whose staging ran r2 (refs `ref_len` long) and then failed r3, production
    /// on r1: every app drifted, production's drift blocked.
    fn failed_view(n: usize, ref_len: usize) -> VersionsView {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let long = |r: &str, i: usize| format!("{r}{}{i}", "x".repeat(ref_len));
        let row = |i: usize, env: &str, r: &str, failed: Option<&str>| Deployed {
            app: format!("app-{i:04}"),
            environment: env.into(),
            git_ref: long(r, i),
            at,
            by: "U1".into(),
            latest_failed: failed.map(|f| Finished {
                git_ref: long(f, i),
                at,
                by: "U2".into(),
            }),
        };
        let rows: Vec<Deployed> = (0..n)
            .flat_map(|i| {
                [
                    row(i, "integration", "r3", None),
                    row(i, "staging", "r2", Some("r3")),
                    row(i, "production", "r1", None),
                ]
            })
            .collect();
        let envs = default_order(&["integration", "staging", "production"]);
        build(&envs, &[], &rows, &[], at)
    }

    #[test]
    fn a_failure_after_the_version_is_said_and_its_drift_marked_blocked() {
        let v = failed_view(1, 0);
        let m = overview(&v, chrono_tz::UTC, None);
        assert!(
            m.text.contains(
                "*app-0000*: integration `r30` · staging `r20` (`r30` failed) · production `r10`"
            ),
            "{}",
            m.text
        );
        assert!(
            m.text
                .contains("staging (`r20`) is behind integration: `r30` there for"),
            "{}",
            m.text
        );
        assert!(
            m.text.contains(
                "production (`r10`) is behind staging, whose latest deployment `r30` failed: \
                 `r20` there for"
            ),
            "{}",
            m.text
        );
        let a = &v.apps[0];
        let one = one_app(&v, a, chrono_tz::UTC);
        assert!(
            one.text.contains(
                "• *staging*: `r20`, deployed Tue 24 Nov 10:00 UTC by <@U1>; since then \
                 `r30` failed, Tue 24 Nov 10:00 UTC by <@U2>"
            ),
            "{}",
            one.text
        );
    }

    #[test]
    fn failures_with_the_longest_refs_stay_within_slack_limits() {
        let v = failed_view(1000, 100);
        let blocks = home_within_a_view(&v);
        let text = texts(&blocks);
        assert!(
            text.contains("more apps (") && text.contains("failed"),
            "{text}"
        );
        for b in &blocks {
            let t = b
                .pointer("/text/text")
                .and_then(Value::as_str)
                .unwrap_or("");
            assert!(
                t.chars().count() <= SECTION_TEXT && !t.ends_with('…'),
                "{t}"
            );
        }
        let m = overview(&v, chrono_tz::UTC, None);
        assert!(m.blocks.len() <= MESSAGE_BLOCKS);
        assert!(m.text.chars().count() <= MESSAGE_TEXT);
        let one = one_app(&v, &v.apps[0], chrono_tz::UTC);
        assert!(one.text.contains("whose latest deployment"), "{}", one.text);
    }

    #[test]
    fn overview_links_the_dashboard_when_it_summarises() {
        let v = view(400, 90);
        let m = overview(&v, chrono_tz::UTC, Some("https://badger.example.com"));
        assert!(m.blocks.len() <= MESSAGE_BLOCKS);
        assert!(m.text.chars().count() <= MESSAGE_TEXT);
        assert!(
            m.text
                .contains("see <https://badger.example.com/|the dashboard>"),
            "{}",
            m.text
        );
        let small = overview(&view(3, 3), chrono_tz::UTC, Some("https://x"));
        assert!(!small.text.contains("more app"), "{}", small.text);
        assert!(small.text.contains("3 apps, 3 drifted"), "{}", small.text);
    }
}
