//! The GOV.UK default week in London: Friday's early close, Monday's opening, the
//! weekend, clock changes, and which opening comes next.

use super::*;

// --- Opening hours in London ---

#[test]
fn friday_closes_at_16_in_winter_and_summer() {
    let cal = Calendar::govuk_default();
    // Fri 16 Jan 2026, GMT: 15:59:59 local open, 16:00 local closed.
    assert!(cal.is_open(utc("2026-01-16T15:59:59Z")));
    assert!(!cal.is_open(utc("2026-01-16T16:00:00Z")));
    // Fri 17 Jul 2026, BST: 15:59:59 BST = 14:59:59 UTC open, 16:00 BST = 15:00 UTC closed.
    assert!(cal.is_open(utc("2026-07-17T14:59:59Z")));
    assert!(!cal.is_open(utc("2026-07-17T15:00:00Z")));
}

#[test]
fn monday_opens_at_0930() {
    let cal = Calendar::govuk_default();
    // Mon 19 Jan 2026, GMT: 09:29:59 closed, 09:30 open.
    assert!(!cal.is_open(utc("2026-01-19T09:29:59Z")));
    assert!(cal.is_open(utc("2026-01-19T09:30:00Z")));
    // Mon 20 Jul 2026, BST: 09:29:59 BST = 08:29:59 UTC closed, 09:30 BST open.
    assert!(!cal.is_open(utc("2026-07-20T08:29:59Z")));
    assert!(cal.is_open(utc("2026-07-20T08:30:00Z")));
    // Mon-Thu close at 17:00 local: 16:59:59 GMT open, 17:00 GMT closed.
    assert!(cal.is_open(utc("2026-01-19T16:59:59Z")));
    assert!(!cal.is_open(utc("2026-01-19T17:00:00Z")));
}

#[test]
fn current_gives_the_opening_containing_the_instant() {
    let cal = Calendar::govuk_default();
    // Tue 20 Jan 2026 12:00 GMT.
    assert_eq!(
        cal.current(utc("2026-01-20T12:00:00Z")),
        Some(opening("2026-01-20T09:30:00Z", "2026-01-20T17:00:00Z"))
    );
    // Exactly at opening: inclusive. Exactly at close: exclusive.
    assert!(cal.current(utc("2026-01-20T09:30:00Z")).is_some());
    assert_eq!(cal.current(utc("2026-01-20T17:00:00Z")), None);
}

#[test]
fn mondays_after_clock_changes() {
    let cal = Calendar::govuk_default();
    for (at, open) in [
        // Clocks go forward Sun 29 Mar 2026. Mon 30 Mar 09:30 BST = 08:30 UTC.
        ("2026-03-30T08:29:59Z", false),
        ("2026-03-30T08:30:00Z", true),
        // 17:00 BST = 16:00 UTC.
        ("2026-03-30T15:59:59Z", true),
        ("2026-03-30T16:00:00Z", false),
        // Clocks go back Sun 25 Oct 2026. Mon 26 Oct 09:30 GMT = 09:30 UTC.
        ("2026-10-26T09:29:59Z", false),
        ("2026-10-26T09:30:00Z", true),
        // A BST-style 08:30 UTC would be 08:30 GMT: still closed.
        ("2026-10-26T08:30:00Z", false),
        // Fri 23 Oct closes at 16:00 BST = 15:00 UTC.
        ("2026-10-23T15:00:00Z", false),
    ] {
        assert_eq!(cal.is_open(utc(at)), open, "{at}");
    }
    // From Fri 27 Mar 16:00 GMT (closing time) the next opening is Monday 09:30 BST.
    next_is(&cal, "2026-03-27T16:00 -> 2026-03-30T08:30 .. 16:00");
    // From Fri 23 Oct's close, Mon 26 Oct 09:30 GMT.
    next_is(&cal, "2026-10-23T15:00 -> 2026-10-26T09:30 .. 17:00");
}

#[test]
fn weekends_closed_and_friday_evening_waits_for_monday() {
    let cal = Calendar::govuk_default();
    // Sat 17 and Sun 18 Jan 2026, midday GMT.
    assert!(!cal.is_open(utc("2026-01-17T12:00:00Z")));
    assert!(!cal.is_open(utc("2026-01-18T12:00:00Z")));
    // Fri 16 Jan 16:00 GMT -> Mon 19 Jan 09:30 GMT.
    next_is(&cal, "2026-01-16T16:00 -> 2026-01-19T09:30 .. 17:00");
    // Sat 17 Jan 12:00 GMT -> the same Monday.
    next_is(&cal, "2026-01-17T12:00 -> 2026-01-19T09:30 .. 17:00");
}

#[test]
fn next_opening_starts_strictly_after() {
    let cal = Calendar::govuk_default();
    // Mon 19 Jan 2026 09:30 GMT is an opening start; the next one is Tuesday's.
    next_is(&cal, "2026-01-19T09:30 -> 2026-01-20T09:30 .. 17:00");
    // Mon 19 Jan 07:00 GMT, before opening: Monday's own opening.
    next_is(&cal, "2026-01-19T07:00 -> 2026-01-19T09:30 .. 17:00");
}

#[test]
fn openings_start_with_the_current_one() {
    let cal = Calendar::govuk_default();
    // Thu 15 Jan 2026 12:00 GMT: Thu (current), Fri, Mon.
    assert_eq!(
        cal.openings(utc("2026-01-15T12:00:00Z"), 3),
        vec![
            opening("2026-01-15T09:30:00Z", "2026-01-15T17:00:00Z"),
            opening("2026-01-16T09:30:00Z", "2026-01-16T16:00:00Z"),
            opening("2026-01-19T09:30:00Z", "2026-01-19T17:00:00Z"),
        ]
    );
    // Thu 15 Jan 2026 18:00 GMT, closed: starts with Friday.
    assert_eq!(
        cal.openings(utc("2026-01-15T18:00:00Z"), 1),
        vec![opening("2026-01-16T09:30:00Z", "2026-01-16T16:00:00Z")]
    );
    assert!(cal.openings(utc("2026-01-15T12:00:00Z"), 0).is_empty());
    assert_eq!(
        cal.openings(utc("2026-01-15T12:00:00Z"), usize::MAX).len(),
        MAX_OPENINGS
    );
}
