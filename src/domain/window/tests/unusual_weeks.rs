//! Degenerate and hand-built weeks, opening hours that fall in a clock change, and
//! extreme instants: no lost hours and no panics.

use super::*;
use chrono_tz::{Africa, America, Asia, Pacific};

// --- Degenerate weeks ---

#[test]
fn all_closed_week_has_no_opening() {
    let cal = Calendar {
        week: [None; 7],
        ..Calendar::govuk_default()
    };
    let at = utc("2026-01-16T12:00:00Z");
    assert!(!cal.is_open(at));
    assert_eq!(cal.next_opening(at), None);
    assert!(cal.openings(at, 5).is_empty());
    assert!(cal
        .closed_days(date(2026, 1, 1), date(2026, 12, 31))
        .is_empty());
}

#[test]
fn always_open_week_is_open_everywhere() {
    let cal = always(Europe::London);
    for at in [
        "2026-01-01T00:00:00Z",
        "2026-03-29T00:59:59Z", // 00:59:59 GMT, just before the spring change
        "2026-03-29T01:00:00Z", // 02:00 BST
        "2026-03-28T23:00:00Z", // 23:00 GMT Saturday
        "2026-10-24T23:00:00Z", // 00:00 BST Sunday
        "2026-10-25T01:30:00Z", // 01:30 GMT, the repeated hour
        "2026-12-25T12:00:00Z",
    ] {
        assert!(cal.is_open(utc(at)), "{at}");
    }
    let list = cal.openings(utc("2026-03-27T12:00:00Z"), 10);
    assert_eq!(list.len(), 10);
    // Each day runs midnight to midnight and the next starts where it ends.
    assert!(list.windows(2).all(|w| w[0].closes == w[1].opens));
    // Sun 29 Mar 2026 is 23 hours long, from 00:00 GMT to 00:00 BST.
    assert_eq!(
        list[2],
        opening("2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z")
    );
    // Sun 25 Oct 2026 is 25 hours long, from 00:00 BST to 00:00 GMT.
    let autumn = cal.openings(utc("2026-10-25T12:00:00Z"), 1);
    assert_eq!(
        autumn,
        vec![opening("2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z")]
    );
}

#[test]
fn always_open_across_midnight_clock_changes() {
    // These zones change their clocks at local midnight, so 00:00 can be missing or repeated.
    for tz in [America::Santiago, America::Havana, Africa::Cairo] {
        let cal = always(tz);
        let from = utc("2025-01-01T00:00:00Z");
        let list = cal.openings(from, 800);
        assert_eq!(list.len(), 800, "{tz}");
        assert!(list.windows(2).all(|w| w[0].closes == w[1].opens), "{tz}");
        assert!(list.iter().all(|o| o.opens < o.closes), "{tz}");
        // The period really crosses clock changes: some days are not 24 hours long.
        assert!(
            list.iter()
                .any(|o| o.closes - o.opens != chrono::TimeDelta::hours(24)),
            "{tz}"
        );
        // Every hour in between is open.
        let mut at = from;
        while at < list[799].closes {
            assert!(cal.is_open(at), "{tz} {at}");
            at += chrono::TimeDelta::minutes(30);
        }
    }
}

// --- Clock changes inside the opening hours ---

#[test]
fn hours_in_a_gap_start_when_the_clock_jumps() {
    let cal = london_sundays(90, 180); // 01:30-03:00
                                       // Sun 29 Mar 2026: 01:30 local never happens; the window opens at the jump,
                                       // 01:00 UTC (02:00 BST), and closes 03:00 BST = 02:00 UTC.
    next_is(&cal, "2026-03-28T12:00 -> 2026-03-29T01:00 .. 02:00");
    // Sun 25 Oct 2026: 01:30 happens twice; the window opens at the first (BST,
    // 00:30 UTC) and closes at 03:00 GMT.
    next_is(&cal, "2026-10-24T12:00 -> 2026-10-25T00:30 .. 03:00");
}

#[test]
fn hours_entirely_in_a_gap_are_skipped() {
    let cal = london_sundays(60, 119); // 01:00-01:59
                                       // Sun 29 Mar 2026 has no 01:00-01:59; the next is Sun 5 Apr, 01:00 BST = 00:00 UTC.
    next_is(&cal, "2026-03-28T12:00 -> 2026-04-05T00:00 .. 00:59");
    assert!(!cal.is_open(utc("2026-03-29T01:00:00Z")));
}

#[test]
fn invalid_hand_built_hours_do_not_panic() {
    let mut cal = Calendar::govuk_default();
    cal.week = [
        hours(2000, 3000),
        hours(600, 500),
        hours(1440, 1440),
        hours(0, u16::MAX),
        hours(u16::MAX, 0),
        None,
        None,
    ];
    let at = utc("2026-01-14T12:00:00Z");
    assert!(!cal.is_open(at));
    assert_eq!(cal.next_opening(at), None);
    assert!(cal.openings(at, 3).is_empty());
}

#[test]
fn extreme_instants_do_not_panic() {
    let instants = [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        utc("1970-01-01T00:00:00Z"),
    ];
    for tz in [
        Europe::London,
        Asia::Tokyo,
        Pacific::Kiritimati,
        America::Santiago,
        chrono_tz::Etc::GMTPlus12,
    ] {
        for cal in [
            always(tz),
            Calendar {
                tz,
                ..Calendar::govuk_default()
            },
        ] {
            for at in instants {
                let _ = cal.is_open(at);
                let _ = cal.next_opening(at);
                let _ = cal.openings(at, 3);
                assert!(!format_local(at, tz).is_empty());
            }
            let _ = cal.closure_on(NaiveDate::MAX);
            let _ = cal.closure_on(NaiveDate::MIN);
            let _ = cal.closed_days(NaiveDate::MIN, date(-262_143, 2, 1));
            let _ = cal.closed_days(date(262_142, 12, 1), NaiveDate::MAX);
        }
    }
}

/// Openings that meet at midnight (Friday to 24:00, Saturday from 00:00) are one stretch:
/// the window closes for real on Saturday afternoon, not at midnight.
#[test]
fn back_to_back_openings_close_at_the_end_of_the_stretch() {
    let mut cal = always(Europe::London);
    cal.week = [None; 7];
    cal.week[4] = hours(600, 1440); // Friday 10:00-24:00
    cal.week[5] = hours(0, 840); // Saturday 00:00-14:00
    let fri = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
    let sat_2pm = Utc.with_ymd_and_hms(2026, 11, 28, 14, 0, 0).unwrap();
    assert_eq!(
        cal.current(fri).unwrap().closes,
        sat_2pm - chrono::Duration::hours(14)
    );
    assert_eq!(cal.closes_after(fri), Some(sat_2pm));
    assert_eq!(cal.closes_after(sat_2pm), None);
    // Every day 00:00-24:00: the stretch is bounded, never endless.
    let always_open = always(Europe::London);
    assert!(always_open.closes_after(fri).is_some());
}
