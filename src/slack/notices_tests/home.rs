//! App Home: the view of deployments, the window and versions, as blocks only.

use super::*;

fn home_notice() -> Notice {
    let rows = [crate::domain::versions::Deployed {
        app: "whitehall".into(),
        environment: "production".into(),
        git_ref: "release_1".into(),
        at: at(10, 12),
        by: "U0ALICE".into(),
        latest_failed: None,
    }];
    let envs = crate::domain::versions::default_order(&["staging", "production"]);
    let view = crate::domain::versions::build(&envs, &[], &rows, &[], at(11, 0));
    let window = crate::domain::board::WindowNow {
        current: Some(crate::domain::window::Opening {
            opens: at(9, 30),
            closes: at(17, 0),
        }),
        next: None,
        closure: None,
        skipping: Vec::new(),
    };
    Notice::Home {
        view,
        live: vec![Deployment {
            state: State::Queued,
            ..deployment()
        }],
        recent: vec![finished(State::Succeeded, None)],
        window,
        tz: TZ,
        dashboard: Some("https://badger.example".into()),
    }
}

/// App Home has no text of its own: its blocks are the view.
#[test]
fn home() {
    insta::assert_snapshot!(shown(home_notice()), @r#"
        [header: Deployments]
        [section: :large_green_circle: The deploy window is open until Tue 24 Nov 17:00 GMT.]
        [header: Your deployments]
        [section: *Queued or deploying:*
        • *whitehall* `release_1` to *production*: queued (#7), Tue 24 Nov 10:00 GMT
        *Recently finished:*
        • *whitehall* `release_1` to *production*: succeeded (#7), Tue 24 Nov 10:12 GMT]
        [divider: ]
        [header: Versions: 1 app, 0 drifted]
        [section: *whitehall*: staging — · production `release_1`]
    "#);
}
