//! Unit tests of the deploy window calendar: hours, openings around clock changes,
//! holidays and closed dates.

use super::*;
use chrono_tz::{Africa, America, Asia, Europe, Pacific};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid test instant")
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn opening(opens: &str, closes: &str) -> Opening {
    Opening {
        opens: utc(opens),
        closes: utc(closes),
    }
}

/// Checks `cal`'s next opening: `case` is "AT -> OPENS .. CLOSES", UTC instants written
/// `YYYY-MM-DDTHH:MM`; CLOSES may be only `HH:MM` on the day it opens.
#[track_caller]
fn next_is(cal: &Calendar, case: &str) {
    let (at, next) = case.split_once(" -> ").expect("AT -> OPENS .. CLOSES");
    let (opens, closes) = next.split_once(" .. ").expect("OPENS .. CLOSES");
    let closes = match closes.len() {
        5 => format!("{}T{closes}", &opens[..10]),
        _ => closes.to_owned(),
    };
    let minute = |s: &str| utc(&format!("{s}:00Z"));
    let expected = Opening {
        opens: minute(opens),
        closes: minute(&closes),
    };
    assert_eq!(cal.next_opening(minute(at)), Some(expected), "{case}");
}

fn hours(open_min: u16, close_min: u16) -> Option<DayHours> {
    Some(DayHours {
        open_min,
        close_min,
    })
}

fn govuk_in(region: Region) -> Calendar {
    Calendar {
        region,
        ..Calendar::govuk_default()
    }
}

fn always(tz: Tz) -> Calendar {
    Calendar {
        tz,
        week: [hours(0, 1440); 7],
        region: Region::None,
        closed_dates: BTreeSet::new(),
        listed_holidays: BTreeMap::new(),
    }
}

/// Open on Sundays only, `open_min` to `close_min` London time.
fn london_sundays(open_min: u16, close_min: u16) -> Calendar {
    let mut cal = always(Europe::London);
    cal.week = [None; 7];
    cal.week[6] = hours(open_min, close_min);
    cal
}

// --- DayHours ---

#[test]
fn day_hours_parse_valid_forms() {
    assert_eq!(DayHours::parse("09:30-17:00"), Ok(hours(570, 1020)));
    assert_eq!(DayHours::parse("9:30-17:00"), Ok(hours(570, 1020)));
    assert_eq!(DayHours::parse(" 09:30 - 16:00 "), Ok(hours(570, 960)));
    assert_eq!(DayHours::parse("00:00-24:00"), Ok(hours(0, 1440)));
    assert_eq!(DayHours::parse("23:59-24:00"), Ok(hours(1439, 1440)));
    assert_eq!(DayHours::parse("closed"), Ok(None));
    assert_eq!(DayHours::parse(" Closed "), Ok(None));
}

#[test]
fn day_hours_parse_errors() {
    assert_eq!(
        DayHours::parse("17:00-09:30"),
        Err("`17:00-09:30`: the end must be after the start".to_string())
    );
    assert_eq!(
        DayHours::parse("09:30-09:30"),
        Err("`09:30-09:30`: the end must be after the start".to_string())
    );
    let bad = [
        ("25:00-26:00", "`25:00`"),
        ("09:60-10:00", "`09:60`"),
        ("09:30", "HH:MM-HH:MM"),
        ("", "HH:MM-HH:MM"),
        ("24:00-24:00", "24:00"),
        ("09:30-24:01", "`24:01`"),
        ("9:3-10:00", "`9:3`"),
        ("0930-1700", "`0930`"),
        ("009:30-10:00", "`009:30`"),
        ("+9:30-10:00", "`+9:30`"),
        ("09:30-17:00-18:00", "`17:00-18:00`"),
        ("open", "HH:MM-HH:MM"),
    ];
    for (input, mentions) in bad {
        match DayHours::parse(input) {
            Err(msg) => assert!(msg.contains(mentions), "{input:?}: {msg}"),
            Ok(v) => panic!("{input:?} parsed as {v:?}"),
        }
    }
}

#[test]
fn day_hours_parse_long_or_odd_input_is_an_error_without_panicking() {
    let long = "9".repeat(10_000);
    let msg = DayHours::parse(&long).expect_err("not hours");
    assert!(msg.len() < 200, "{msg}");
    assert!(DayHours::parse("é:é-ü:ü").is_err());
    assert!(DayHours::parse("-").is_err());
    assert!(DayHours::parse("99999:00-99999:30").is_err());
}

#[test]
fn day_hours_display_round_trips() {
    for s in ["09:30-17:00", "00:00-24:00", "07:05-08:00"] {
        let h = DayHours::parse(s).expect("valid").expect("open");
        assert_eq!(h.to_string(), s);
    }
}

// --- Region ---

#[test]
fn region_parse_and_as_str() {
    for r in [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
        Region::None,
    ] {
        assert_eq!(Region::parse(r.as_str()), Ok(r));
    }
    assert_eq!(Region::parse(" Scotland "), Ok(Region::Scotland));
    let err = Region::parse("wales").expect_err("not a region");
    assert!(err.contains("`wales`") && err.contains("england-and-wales"));
}

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

// --- Bank holidays and closed dates ---

#[test]
fn bank_holiday_and_its_substitute_close_the_window() {
    let cal = Calendar::govuk_default();
    // Fri 25 Dec 2026 and Mon 28 Dec 2026 (Boxing Day substitute), 10:00 GMT.
    assert!(!cal.is_open(utc("2026-12-25T10:00:00Z")));
    assert!(!cal.is_open(utc("2026-12-28T10:00:00Z")));
    assert_eq!(
        cal.closure_on(date(2026, 12, 25)),
        Some(ClosedReason::BankHoliday("Christmas Day"))
    );
    assert_eq!(
        cal.closure_on(date(2026, 12, 28)),
        Some(ClosedReason::BankHoliday("Boxing Day (substitute day)"))
    );
    // Thu 24 Dec closes 17:00 GMT; next is Tue 29 Dec 09:30 GMT.
    next_is(&cal, "2026-12-24T17:00 -> 2026-12-29T09:30 .. 17:00");
    // An ordinary day and a weekend day have no closure reason.
    assert_eq!(cal.closure_on(date(2026, 12, 29)), None);
    assert_eq!(cal.closure_on(date(2026, 12, 26)), None);
}

#[test]
fn new_years_day_2027_in_each_region() {
    let name = Some(ClosedReason::BankHoliday("New Year's Day"));
    for region in [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ] {
        let cal = govuk_in(region);
        // Fri 1 Jan 2027: closed all day (09:30 and 15:00 GMT).
        assert!(!cal.is_open(utc("2027-01-01T09:30:00Z")), "{region:?}");
        assert!(!cal.is_open(utc("2027-01-01T15:00:00Z")), "{region:?}");
        assert_eq!(cal.closure_on(date(2027, 1, 1)), name, "{region:?}");
    }
    // 2 Jan 2027 is a Saturday: Scotland's substitute is Mon 4 Jan.
    let scotland = govuk_in(Region::Scotland);
    assert!(!scotland.is_open(utc("2027-01-04T10:00:00Z")));
    assert_eq!(
        scotland.closure_on(date(2027, 1, 4)),
        Some(ClosedReason::BankHoliday("2nd January (substitute day)"))
    );
    // From Thu 31 Dec 2026 17:00 GMT: Scotland reopens Tue 5 Jan, the others Mon 4 Jan.
    next_is(&scotland, "2026-12-31T17:00 -> 2027-01-05T09:30 .. 17:00");
    for region in [Region::EnglandAndWales, Region::NorthernIreland] {
        let cal = govuk_in(region);
        assert!(cal.is_open(utc("2027-01-04T10:00:00Z")), "{region:?}");
        assert_eq!(
            cal.next_opening(utc("2026-12-31T17:00:00Z")),
            Some(opening("2027-01-04T09:30:00Z", "2027-01-04T17:00:00Z")),
            "{region:?}"
        );
    }
}

#[test]
fn region_none_ignores_bank_holidays() {
    let cal = govuk_in(Region::None);
    // Fri 25 Dec 2026 10:00 GMT.
    assert!(cal.is_open(utc("2026-12-25T10:00:00Z")));
    assert_eq!(cal.closure_on(date(2026, 12, 25)), None);
}

#[test]
fn closed_dates_close_and_are_listed_with_bank_holidays() {
    let mut cal = Calendar::govuk_default();
    cal.closed_dates = [
        date(2026, 12, 24), // Thursday
        date(2026, 12, 26), // Saturday: no hours anyway
        date(2026, 12, 28), // also the Boxing Day substitute
        date(2026, 12, 31), // Thursday
        date(2027, 2, 1),   // outside the range asked for
    ]
    .into_iter()
    .collect();
    // Thu 24 Dec 2026 10:00 GMT.
    assert!(!cal.is_open(utc("2026-12-24T10:00:00Z")));
    assert_eq!(
        cal.closure_on(date(2026, 12, 24)),
        Some(ClosedReason::ClosedDate)
    );
    assert_eq!(cal.closure_on(date(2026, 12, 26)), None);
    let bh = ClosedReason::BankHoliday;
    assert_eq!(
        cal.closed_days(date(2026, 12, 20), date(2027, 1, 5)),
        vec![
            ClosedDay {
                date: date(2026, 12, 24),
                reason: ClosedReason::ClosedDate
            },
            ClosedDay {
                date: date(2026, 12, 25),
                reason: bh("Christmas Day")
            },
            ClosedDay {
                date: date(2026, 12, 28),
                reason: bh("Boxing Day (substitute day)")
            },
            ClosedDay {
                date: date(2026, 12, 31),
                reason: ClosedReason::ClosedDate
            },
            ClosedDay {
                date: date(2027, 1, 1),
                reason: bh("New Year's Day")
            },
        ]
    );
    // Inclusive at both ends; reversed range is empty.
    assert_eq!(
        cal.closed_days(date(2026, 12, 24), date(2026, 12, 24))
            .len(),
        1
    );
    assert!(cal
        .closed_days(date(2027, 1, 5), date(2026, 12, 20))
        .is_empty());
}

#[test]
fn closed_days_includes_weekend_holidays_when_weekend_has_hours() {
    let mut cal = govuk_in(Region::Scotland);
    cal.week[5] = hours(10 * 60, 12 * 60); // Saturdays 10:00-12:00
    cal.closed_dates.insert(date(2026, 12, 26)); // a Saturday
    let days: Vec<NaiveDate> = cal
        .closed_days(date(2026, 11, 28), date(2027, 1, 4))
        .into_iter()
        .map(|c| c.date)
        .collect();
    assert_eq!(
        days,
        [
            date(2026, 11, 30),
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 12, 28),
            date(2027, 1, 1),
            date(2027, 1, 4),
        ]
    );
    // Sat 26 Dec 2026 11:00 GMT is a closed date.
    assert!(!cal.is_open(utc("2026-12-26T11:00:00Z")));
    // Sat 2 Jan 2027 11:00 GMT: the holiday itself moved to Monday, so Saturday is open.
    assert!(cal.is_open(utc("2027-01-02T11:00:00Z")));
}

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

// --- The operator's calendar file ---

#[test]
fn listed_holidays_close_their_days_and_name_them() {
    let mut cal = Calendar::govuk_default();
    // Tuesday 8 September 2026: a made-up proclaimed holiday.
    cal.listed_holidays
        .insert(date(2026, 9, 8), "Proclaimed holiday".into());
    assert!(!cal.is_open(utc("2026-09-08T10:00:00Z")));
    assert!(cal.is_open(utc("2026-09-09T10:00:00Z")));
    assert_eq!(
        cal.closure_on(date(2026, 9, 8)),
        Some(ClosedReason::Listed("Proclaimed holiday".into()))
    );
    let next = cal.next_opening(utc("2026-09-07T17:00:00Z")).unwrap();
    assert_eq!(next.opens, utc("2026-09-09T08:30:00Z"));
}

#[test]
fn closed_day_sources_name_every_source() {
    let mut cal = Calendar::govuk_default();
    cal.listed_holidays
        .insert(date(2026, 12, 25), "Christmas Day".into());
    cal.listed_holidays
        .insert(date(2026, 9, 8), "Proclaimed holiday".into());
    // A Saturday: the week is closed anyway, so it is not a closed day to report.
    cal.listed_holidays
        .insert(date(2026, 9, 12), "Saturday holiday".into());
    cal.closed_dates.insert(date(2026, 12, 24));
    cal.closed_dates.insert(date(2026, 9, 8));
    let days = cal.closed_day_sources(date(2026, 9, 1), date(2026, 12, 31));
    let shown: Vec<(NaiveDate, Vec<&str>)> = days
        .iter()
        .map(|d| (d.date, d.sources.iter().map(|s| s.as_str()).collect()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (date(2026, 9, 8), vec!["file", "closed_dates"]),
            (date(2026, 12, 24), vec!["closed_dates"]),
            (date(2026, 12, 25), vec!["computed", "file"]),
            (date(2026, 12, 28), vec!["computed"]),
        ]
    );
    // The computed name wins over the file's, the file's over "closed by policy".
    assert_eq!(days[2].reason, ClosedReason::BankHoliday("Christmas Day"));
    assert_eq!(
        days[0].reason,
        ClosedReason::Listed("Proclaimed holiday".into())
    );
}

// --- Formatting ---

#[test]
fn format_local_shows_gmt_and_bst() {
    assert_eq!(
        format_local(utc("2025-11-24T09:30:00Z"), Europe::London),
        "Mon 24 Nov 09:30 GMT"
    );
    // 08:30 UTC on Mon 20 Jul 2026 is 09:30 BST.
    assert_eq!(
        format_local(utc("2026-07-20T08:30:00Z"), Europe::London),
        "Mon 20 Jul 09:30 BST"
    );
    assert_eq!(
        format_local(utc("2026-03-02T09:30:00Z"), Europe::London),
        "Mon 2 Mar 09:30 GMT"
    );
}
