//! The versions view's rules: drift, failures blocking it, what is deploying, the JSON.

use super::*;
use chrono::TimeZone;

const ENVS: &[&str] = &["integration", "staging", "production"];

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

/// `build` over rows written "app env ref HH:MM" (by U1, on 24 Nov 2026), separated by
/// commas, then "; now HH:MM". A row may end in " failed REF@HH:MM": a failure there
/// after that version (by U2).
fn built(text: &str) -> VersionsView {
    built_knowing(&[], text)
}

fn built_knowing(known: &[String], text: &str) -> VersionsView {
    let time = |hm: &str| {
        let (h, m) = hm.split_once(':').expect("HH:MM");
        at(h.parse().unwrap(), m.parse().unwrap())
    };
    let (rows, now) = text.split_once("; now ").expect("rows; now HH:MM");
    let rows: Vec<Deployed> = rows
        .split(", ")
        .map(|row| {
            let (row, failed) = match row.split_once(" failed ") {
                Some((row, f)) => (row, Some(f.split_once('@').expect("REF@HH:MM"))),
                None => (row, None),
            };
            let [app, env, git_ref, hm] = row.split(' ').collect::<Vec<_>>()[..] else {
                panic!("app env ref HH:MM: {row}")
            };
            Deployed {
                app: app.into(),
                environment: env.into(),
                git_ref: git_ref.into(),
                at: time(hm),
                by: "U1".into(),
                latest_failed: failed.map(|(r, hm)| Finished {
                    git_ref: r.into(),
                    at: time(hm),
                    by: "U2".into(),
                }),
            }
        })
        .collect();
    build(&default_order(ENVS), known, &rows, &[], time(now))
}

#[test]
fn in_step_apps_have_no_drift() {
    let v = built("a integration r1 09:00, a staging r1 10:00, a production r1 11:00; now 12:00");
    assert_eq!(v.apps.len(), 1);
    assert!(v.apps[0].drift.is_empty());
    assert_eq!(v.drifted(), 0);
    assert_eq!(v.apps[0].per_env[2].as_ref().unwrap().at, at(11, 0));
}

#[test]
fn staging_ahead_of_production_is_drift_since_staging_got_it() {
    let v = built(
        "whitehall integration release_42 09:00, whitehall staging release_42 10:15, \
         whitehall production release_40 08:00; now 13:45",
    );
    let d = &v.apps[0].drift;
    assert_eq!(
        d,
        &[Drift {
            env: "production".into(),
            behind_env: "staging".into(),
            ahead_ref: "release_42".into(),
            behind_ref: Some("release_40".into()),
            since: at(10, 15),
            age_secs: 3 * 3600 + 30 * 60,
            blocked: false,
        }]
    );
    assert_eq!(format_age(d[0].age_secs), "3h 30m");
}

#[test]
fn nothing_deployed_behind_something_is_drift_but_not_the_reverse() {
    // staging has nothing; production has something staging lacks: not drift.
    let v = built("a integration r2 09:00, b production r9 09:00; now 09:00");
    let a = v.app("a").unwrap();
    assert_eq!(a.drift.len(), 1);
    assert_eq!(a.drift[0].env, "staging");
    assert_eq!(a.drift[0].behind_ref, None);
    assert_eq!(a.drift[0].age_secs, 0);
    assert!(v.app("b").unwrap().drift.is_empty());
}

#[test]
fn each_lagging_environment_is_listed_in_order() {
    let v = built("a integration r3 11:00, a staging r2 10:00, a production r1 09:00; now 11:00");
    let envs: Vec<_> = v.apps[0].drift.iter().map(|d| d.env.as_str()).collect();
    assert_eq!(envs, ["staging", "production"]);
    assert_eq!(v.apps[0].drift[0].age_secs, 0);
    assert_eq!(v.apps[0].drift[1].since, at(10, 0));
}

#[test]
fn drifted_first_then_by_name_and_known_apps_shown_empty() {
    let known = vec!["gamma".to_owned()];
    // beta's preview: an environment the policy no longer has is ignored.
    let v = built_knowing(
        &known,
        "zeta integration r1 09:00, alpha integration r1 09:00, alpha staging r1 09:00, \
         beta integration r1 09:00, beta preview r0 09:00; now 10:00",
    );
    let names: Vec<_> = v.apps.iter().map(|a| a.app.as_str()).collect();
    // alpha: production lags staging; beta, zeta: staging lags integration.
    assert_eq!(names, ["alpha", "beta", "zeta", "gamma"]);
    assert_eq!(v.drifted(), 3);
    assert!(v.app("gamma").unwrap().per_env.iter().all(Option::is_none));
    assert_eq!(v.environments, ENVS);
}

#[test]
fn the_age_never_goes_negative_and_reads_well() {
    // A clock behind the row's time (another replica's skew) gives 0, not negative.
    let v = built("a integration r1 12:00; now 11:00");
    assert_eq!(v.apps[0].drift[0].age_secs, 0);
    assert_eq!(format_age(0), "under a minute");
    assert_eq!(format_age(59), "under a minute");
    assert_eq!(format_age(60), "1m");
    assert_eq!(format_age(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
}

#[test]
fn a_failure_after_the_version_is_on_its_cell_and_blocks_the_drift_behind_it() {
    // Staging runs r2, but r3 failed there since: production (r1) is behind staging,
    // and the promotion rule would refuse r2 there. Integration (r3) ahead of staging
    // (r2) is plain drift: integration's latest deployment is r3, succeeded.
    let v = built(
        "a integration r3 09:00, a staging r2 10:00 failed r3@10:30, \
         a production r1 08:00; now 11:00",
    );
    let a = v.app("a").unwrap();
    let staging = v.cell(a, "staging").unwrap();
    assert_eq!(staging.git_ref, "r2");
    let failed = staging.latest_failed.as_ref().unwrap();
    assert_eq!((failed.git_ref.as_str(), failed.at), ("r3", at(10, 30)));
    assert_eq!(staging.latest_finished(), ("r3", State::Failed));
    assert_eq!(v.cell(a, "integration").unwrap().latest_failed, None);
    let blocked: Vec<_> = a
        .drift
        .iter()
        .map(|d| (d.env.as_str(), d.blocked))
        .collect();
    assert_eq!(blocked, [("staging", false), ("production", true)]);
    assert_eq!(v.blocked_by(a, &a.drift[1]), Some(failed));
    assert_eq!(v.blocked_by(a, &a.drift[0]), None);
    // The same ref failing again blocks it too: the latest deployment there failed.
    let v = built("a staging r2 10:00 failed r2@10:30; now 11:00");
    assert!(v.apps[0].drift[0].blocked);
}

#[test]
fn drift_is_blocked_only_where_the_promotion_rule_guards_the_environment() {
    let rows = [Deployed {
        app: "a".into(),
        environment: "staging".into(),
        git_ref: "r2".into(),
        at: at(10, 0),
        by: "U1".into(),
        latest_failed: Some(Finished {
            git_ref: "r3".into(),
            at: at(10, 30),
            by: "U1".into(),
        }),
    }];
    let mut envs = default_order(ENVS);
    let guarded = build(&envs, &[], &rows, &[], at(11, 0));
    assert!(guarded.apps[0].drift[0].blocked);
    // `requires_previous = false` on production: nothing refuses r2 there.
    envs[2].requires_previous = false;
    let free = build(&envs, &[], &rows, &[], at(11, 0));
    assert_eq!(free.apps[0].drift[0].env, "production");
    assert!(!free.apps[0].drift[0].blocked);
}

#[test]
fn json_shape() {
    let v = built("a integration r1 09:00; now 09:01");
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(j["apps"][0]["per_env"][0]["ref"], "r1");
    assert_eq!(j["apps"][0]["per_env"][1], serde_json::Value::Null);
    assert_eq!(j["apps"][0]["drift"][0]["behind_env"], "integration");
    assert_eq!(j["apps"][0]["drift"][0]["age_secs"], 60);
    assert_eq!(j["apps"][0]["drift"][0]["blocked"], false);
    assert_eq!(
        j["apps"][0]["per_env"][0]["latest_failed"],
        serde_json::Value::Null
    );
    let v = built("a integration r1 09:00 failed r2@09:01; now 09:01");
    let j = serde_json::to_value(&v).unwrap();
    let failed = &j["apps"][0]["per_env"][0]["latest_failed"];
    assert_eq!(failed["ref"], "r2");
    assert_eq!(failed["by"], "U2");
    assert_eq!(failed["at"], "2026-11-24T09:01:00Z");
}

#[test]
fn a_view_written_before_failures_were_shown_still_reads() {
    // An App Home notice waiting in the outbox across an upgrade.
    let old = r#"{"now":"2026-11-24T09:01:00Z","environments":["a","b"],"apps":[{"app":"x",
        "per_env":[{"ref":"r1","at":"2026-11-24T09:00:00Z","by":"U1"},null],
        "drift":[{"env":"b","behind_env":"a","ahead_ref":"r1","behind_ref":null,
        "since":"2026-11-24T09:00:00Z","age_secs":60}]}]}"#;
    let v: VersionsView = serde_json::from_str(old).unwrap();
    assert_eq!(v.apps[0].per_env[0].as_ref().unwrap().latest_failed, None);
    assert!(!v.apps[0].drift[0].blocked);
    assert!(v.apps[0].deploying.is_empty());
}

#[test]
fn what_is_deploying_shows_on_its_app_even_before_its_first_version() {
    use crate::domain::deployment::sample;
    let going = |id, app: &str, env: &str, state, r: &str| Deployment {
        state,
        git_ref: r.into(),
        started_at: Some(at(10, id as u32)),
        ..sample(id, app, env)
    };
    let rows = [Deployed {
        app: "a".into(),
        environment: "production".into(),
        git_ref: "r1".into(),
        at: at(9, 0),
        by: "U1".into(),
        latest_failed: None,
    }];
    let live = [
        going(3, "a", "production", State::Deploying, "r2"),
        going(1, "a", "staging", State::Deploying, "r2"),
        // Only deploying counts: a queued one is not going out yet.
        going(2, "a", "integration", State::Queued, "r3"),
        // Never deployed anywhere: shown, with nothing in its cells.
        going(4, "fresh", "integration", State::Deploying, "r9"),
        // An environment the policy no longer has is ignored, as for versions.
        going(5, "a", "preview", State::Deploying, "r0"),
    ];
    let v = build(&default_order(ENVS), &[], &rows, &live, at(11, 0));
    let a = v.app("a").unwrap();
    let envs: Vec<_> = a.deploying.iter().map(|u| (u.env.as_str(), u.id)).collect();
    assert_eq!(envs, [("staging", 1), ("production", 3)]);
    let p = a.deploying_in("production").unwrap();
    assert_eq!(
        (p.git_ref.as_str(), p.since, p.by.as_str()),
        ("r2", at(10, 3), "U3")
    );
    assert_eq!(a.deploying_in("integration"), None);
    // The version stays what last succeeded until this one does; drift is unchanged.
    assert_eq!(v.cell(a, "production").unwrap().git_ref, "r1");
    assert!(a.drift.is_empty());
    let fresh = v.app("fresh").unwrap();
    assert!(fresh.per_env.iter().all(Option::is_none) && !fresh.is_blank());
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(j["apps"][0]["deploying"][1]["ref"], "r2");
    assert_eq!(
        j["apps"][0]["deploying"][1]["since"],
        "2026-11-24T10:03:00Z"
    );
}
