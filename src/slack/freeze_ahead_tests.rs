//! Snapshots of the freeze ahead as people see it in Slack: `/deploy status` on the last
//! opening before a freeze and on the weekend before it, and the `/deploy` refusal then,
//! with the operator's freeze name escaped.

use crate::config::Policy;
use crate::domain::admission::{Refusal, Refused, WindowClosed};
use crate::domain::window::Freeze;
use crate::service::{Answer, ServiceError, Snapshot};
use crate::slack::answers::{answer, Say};
use crate::slack::denied::failure_message;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use insta::assert_snapshot;

/// GOV.UK's defaults with a freeze from Mon 21 Dec 2026 to Mon 4 Jan 2027 named `name`.
fn policy(name: &str) -> Policy {
    let mut p = Policy::default();
    p.calendar.freezes.push(Freeze {
        name: name.into(),
        from: NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
        to: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
    });
    p
}

/// December is GMT: UTC and London agree.
fn gmt(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
}

/// The first line of `/deploy status` at `now`.
fn status_line(p: &Policy, now: DateTime<Utc>) -> String {
    let say = Say {
        policy: p,
        now,
        dashboard_url: None,
    };
    let a = Answer::Status {
        snapshot: std::sync::Arc::new(Snapshot::of(vec![], vec![])),
        env: None,
    };
    answer(&say, &a).text.lines().next().unwrap().to_owned()
}

#[test]
fn status_on_the_last_opening_before_a_freeze_warns_of_it() {
    let p = policy("Christmas change freeze");
    assert_snapshot!(status_line(&p, gmt(18, 14, 0)), @":large_green_circle: The deploy window is open until Fri 18 Dec 16:00 GMT. The Christmas change freeze starts Mon 21 Dec; the window after today's opens Tue 5 Jan 09:30 GMT.");
    // The Thursday before: the next opening is Friday's, nothing to warn of.
    assert_snapshot!(status_line(&p, gmt(17, 14, 0)), @":large_green_circle: The deploy window is open until Thu 17 Dec 17:00 GMT.");
}

#[test]
fn status_on_the_weekend_before_a_freeze_names_it() {
    let p = policy("Christmas <change> freeze");
    assert_snapshot!(status_line(&p, gmt(19, 12, 0)), @":red_circle: The deploy window is closed; it next opens Tue 5 Jan 09:30 GMT, after the Christmas &lt;change&gt; freeze (Mon 21 Dec to Mon 4 Jan). Always open: *integration*.");
}

#[test]
fn a_refusal_on_the_weekend_before_a_freeze_names_it() {
    let p = policy("Christmas <change> freeze");
    let now = gmt(19, 12, 0);
    let cal = &p.calendar;
    let refused = Refused {
        app: "whitehall".into(),
        git_ref: Some("r1".into()),
        env: "staging".into(),
        emergency: false,
        deployers: Box::default(),
        reasons: vec![Refusal::WindowClosed(WindowClosed {
            env: "staging".into(),
            next_opening: cal.next_opening(now).map(|o| o.opens),
            closure: cal.closure_at(now),
            skipping: cal.skipping(now, None),
        })],
    };
    let say = Say {
        policy: &p,
        now,
        dashboard_url: None,
    };
    assert_snapshot!(failure_message(&say, &ServiceError::Refused(refused)).text, @"
:lock: The deploy window for *staging* is closed now (Sat 19 Dec 12:00 GMT). It next opens Tue 5 Jan 09:30 GMT, after the Christmas &lt;change&gt; freeze (Mon 21 Dec to Mon 4 Jan). If this can't wait, `/deploy emergency whitehall r1 to staging REASON...`
");
}
