//! Each case of the rule (held, closed, not promoted, an emergency, open) asked through
//! every entry path: Slack, a CI report and deploy-check agree.

use super::*;

use crate::support::ci::{get, report};
use crate::support::db::Backend;
use chrono::{TimeZone, Utc};

/// One case of the rule, asked through every entry path.
struct Case {
    name: &'static str,
    /// Slack text of a person's refusal, and the CI/deploy-check code, when refused.
    refused: Option<(&'static str, &'static str)>,
    emergency: bool,
}

async fn every_path_agrees(backend: Backend) {
    let cases = [
        Case {
            name: "held",
            refused: Some((":no_entry:", "held")),
            emergency: false,
        },
        Case {
            name: "closed",
            refused: Some((":lock:", "window_closed")),
            emergency: false,
        },
        Case {
            name: "not promoted",
            refused: Some((":arrow_right:", "not_promoted")),
            emergency: false,
        },
        Case {
            name: "emergency when closed",
            refused: None,
            emergency: true,
        },
        Case {
            name: "open and promoted",
            refused: None,
            emergency: false,
        },
    ];
    for case in cases {
        let t = TestApp::start(backend).await;
        let git_ref = if case.name == "not promoted" {
            "r2"
        } else {
            "r1"
        };
        report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
        if case.name == "held" {
            t.hold(BOB, "frontend production incident").await;
        }
        if case.name.contains("closed") {
            // Saturday: production's window is closed.
            t.clock
                .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
        }
        let name = case.name;
        let slack = if case.emergency {
            format!("emergency frontend {git_ref} to production the site is down")
        } else {
            format!("frontend {git_ref} to production")
        };
        let mut body = ci("frontend", git_ref, "production", "started");
        if case.emergency {
            body["emergency"] = json!("the site is down");
        }
        let check = get(
            &t,
            &format!("/api/v1/deploy-check?app=frontend&environment=production&ref={git_ref}"),
        )
        .await;
        match case.refused {
            Some((slack_marker, code)) => {
                let r = t.deploy(ALICE, &slack).await;
                assert!(r.text().starts_with(slack_marker), "{name}: {}", r.text());
                let a = report(&t, body).await;
                assert_eq!(a.status, 423, "{name}: {:?}", a.json);
                assert_eq!(a.codes(), [code], "{name}");
                assert_eq!(check.status, 423, "{name}: {:?}", check.json);
                assert_eq!(check.codes(), [code], "{name}");
                let stored: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM deployments WHERE environment = 'production'",
                )
                .fetch_one(t.core().store.pool())
                .await
                .unwrap();
                assert_eq!(stored, 0, "{name}: a refusal stored nothing");
            }
            None => {
                let r = t.deploy(ALICE, &slack).await;
                assert!(
                    r.text().contains("You're deploying"),
                    "{name}: {}",
                    r.text()
                );
                t.deploy(ALICE, "done").await;
                let a = report(&t, body).await;
                assert_eq!(a.status, 201, "{name}: {:?}", a.json);
                if !case.emergency {
                    assert_eq!(check.status, 200, "{name}: {:?}", check.json);
                }
            }
        }
        t.stop().await;
    }
}
on_both_backends!(every_path_agrees);
