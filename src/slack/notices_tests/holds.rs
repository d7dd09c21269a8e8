//! Notices about holds: placed, released or ended at its until-time (the message updated
//! and the note), and overdue (from earlier versions).

use super::*;

#[test]
fn hold_placed() {
    insta::assert_snapshot!(shown(Notice::HoldPlaced { hold: hold(), hold_command: "/hold".into(), tz: TZ }), @r#"
        :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT
        [section: the text]
        [context: Hold #3 · release with `/hold release 3`]
        [actions: hold_release=3]
    "#);
}

/// A hold until next year says which year: "Tue 24 Nov" alone would read as this one.
#[test]
fn hold_placed_until_next_year() {
    let next_year = Utc.with_ymd_and_hms(2027, 11, 24, 9, 0, 0).unwrap();
    let hold = Hold {
        until: Some(next_year),
        ..hold()
    };
    let m = render(&Notice::HoldPlaced {
        hold,
        hold_command: "/hold".into(),
        tz: TZ,
    });
    assert!(
        m.text.contains("Until: Wed 24 Nov 2027 09:00 GMT"),
        "{}",
        m.text
    );
}

#[test]
fn hold_released() {
    insta::assert_snapshot!(shown(Notice::HoldReleased { hold: hold(), by: "U0ADMIN".into(), at: at(11, 0), hold_command: "/hold".into(), tz: TZ }), @r#"
        :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT
        :white_check_mark: Released by <@U0ADMIN> at Tue 24 Nov 11:00 GMT
        [section: :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT]
        [context: Hold #3 · release with `/hold release 3`]
        [context: :white_check_mark: Released by <@U0ADMIN> at Tue 24 Nov 11:00 GMT]
    "#);
}

#[test]
fn hold_released_note() {
    insta::assert_snapshot!(shown(Notice::HoldReleasedNote { hold: Hold { scope: "*".into(), environment: None, ..hold() }, by: "U0ADMIN".into() }), @r#"
        :white_check_mark: <@U0ADMIN> released the hold on all applications (#3, placed by <@U0BOB>).
        [section: the text]
    "#);
}

/// The owner's own release names nobody else.
#[test]
fn hold_released_note_by_its_owner() {
    let m = render(&Notice::HoldReleasedNote {
        hold: hold(),
        by: "U0BOB".into(),
    });
    assert_eq!(
        m.text,
        ":white_check_mark: <@U0BOB> released the hold on whitehall in production (#3)."
    );
}

#[test]
fn hold_overdue() {
    insta::assert_snapshot!(shown(Notice::HoldOverdue { hold: hold(), hold_command: "/freeze".into(), tz: TZ }), @r#"
        :alarm_clock: <@U0BOB> your hold on whitehall in production (#3) was meant to last until Tue 24 Nov 16:00 GMT. Release it with `/freeze release 3` or the button on the hold message, if you're done.
        [section: the text]
    "#);
}

#[test]
fn hold_lapsed() {
    let lapsed = Notice::HoldLapsed {
        hold: hold(),
        hold_command: "/hold".into(),
        tz: TZ,
    };
    insta::assert_snapshot!(shown(lapsed), @r#"
        :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT
        :white_check_mark: Ended at its `--until` time
        [section: :octagonal_sign: <@U0BOB> is holding deployments of *whitehall* in *production*
        Reason: incident &lt;!channel&gt; review
        Until: Tue 24 Nov 16:00 GMT]
        [context: Hold #3 · release with `/hold release 3`]
        [context: :white_check_mark: Ended at its `--until` time]
    "#);
}

#[test]
fn hold_lapsed_note() {
    insta::assert_snapshot!(shown(Notice::HoldLapsedNote { hold: hold(), tz: TZ }), @r#"
        :white_check_mark: <@U0BOB>'s hold on whitehall in production (#3) ended at its `--until` time, Tue 24 Nov 16:00 GMT.
        [section: the text]
    "#);
}
