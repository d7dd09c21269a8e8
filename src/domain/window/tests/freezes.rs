//! Named freezes: every day from `from` to `to` closed like a closed date, named in the
//! listing and in the reason messages give, and skipped by the next opening.

use super::*;

/// GOV.UK's hours with the Christmas change freeze of 2026, Mon 21 Dec to Mon 4 Jan.
fn christmas() -> Calendar {
    let mut cal = Calendar::govuk_default();
    cal.freezes.push(Freeze {
        name: "Christmas change freeze".into(),
        from: date(2026, 12, 21),
        to: date(2027, 1, 4),
    });
    cal
}

fn frozen() -> Option<Closure> {
    Some(Closure {
        name: "Christmas change freeze".into(),
        until: Some(date(2027, 1, 4)),
    })
}

#[test]
fn the_first_and_last_days_are_closed_all_day() {
    let cal = christmas();
    // December and January are GMT: UTC and London agree.
    for at in [
        "2026-12-21T09:30:00Z",
        "2026-12-21T16:59:00Z",
        "2027-01-04T09:30:00Z",
        "2027-01-04T16:59:00Z",
    ] {
        assert!(!cal.is_open(utc(at)), "{at}");
        assert_eq!(cal.closure_at(utc(at)), frozen(), "{at}");
    }
    // The days either side open as usual (Friday closes at 16:00).
    assert!(cal.is_open(utc("2026-12-18T15:59:00Z")));
    assert!(cal.is_open(utc("2027-01-05T09:30:00Z")));
    assert_eq!(cal.closure_at(utc("2027-01-05T09:30:00Z")), None);
}

#[test]
fn the_next_opening_skips_the_freeze() {
    let cal = christmas();
    next_is(&cal, "2026-12-18T16:00 -> 2027-01-05T09:30 .. 17:00");
    next_is(&cal, "2026-12-21T09:30 -> 2027-01-05T09:30 .. 17:00");
    next_is(&cal, "2027-01-04T16:59 -> 2027-01-05T09:30 .. 17:00");
    // Without it, only the bank holidays close.
    next_is(
        &Calendar::govuk_default(),
        "2026-12-18T16:00 -> 2026-12-21T09:30 .. 17:00",
    );
}

#[test]
fn the_reason_names_the_freeze_and_its_last_day() {
    let cal = christmas();
    assert_eq!(
        frozen().unwrap().words(),
        "Christmas change freeze, until Mon 4 Jan"
    );
    // A weekend and a bank holiday inside it: the freeze says when it all ends.
    assert_eq!(cal.closure_at(utc("2026-12-26T12:00:00Z")), frozen());
    assert_eq!(cal.closure_at(utc("2026-12-25T12:00:00Z")), frozen());
    // The evening before it starts, a queue place expiring is told of it.
    assert_eq!(cal.closure_at(utc("2026-12-18T16:00:00Z")), None);
    assert_eq!(cal.closure_ahead(utc("2026-12-18T16:00:00Z")), frozen());
}

#[test]
fn without_a_freeze_a_bank_holiday_is_named_and_closed_dates_are_not() {
    let mut cal = Calendar::govuk_default();
    cal.closed_dates.insert(date(2026, 12, 24));
    let christmas_day = Closure {
        name: "Christmas Day".into(),
        until: None,
    };
    assert_eq!(christmas_day.words(), "Christmas Day");
    assert_eq!(
        cal.closure_at(utc("2026-12-25T10:00:00Z")),
        Some(christmas_day)
    );
    assert_eq!(cal.closure_at(utc("2026-12-24T10:00:00Z")), None);
    // An ordinary evening has no name; the one before a holiday looks ahead to it.
    assert_eq!(cal.closure_ahead(utc("2026-12-22T17:00:00Z")), None);
    assert_eq!(
        cal.closure_ahead(utc("2026-12-23T17:00:00Z"))
            .map(|c| c.name),
        Some("Christmas Day".into())
    );
}

#[test]
fn freeze_days_are_listed_by_name_after_bank_holidays() {
    let cal = christmas();
    let freeze = || ClosedReason::Freeze("Christmas change freeze".into());
    assert_eq!(cal.closure_on(date(2026, 12, 22)), Some(freeze()));
    assert_eq!(
        cal.closure_on(date(2026, 12, 25)),
        Some(ClosedReason::BankHoliday("Christmas Day"))
    );
    // Weekends have no hours, so they are not listed.
    assert_eq!(cal.closure_on(date(2026, 12, 26)), None);
    let days = cal.closed_day_sources(date(2026, 12, 14), date(2027, 1, 8));
    let listed: Vec<(String, &str, Vec<&str>)> = days
        .iter()
        .map(|c| {
            (
                c.date.format("%d %b").to_string(),
                c.reason.name(),
                c.sources.iter().map(|s| s.as_str()).collect(),
            )
        })
        .collect();
    let f = "Christmas change freeze";
    let both = vec!["computed", "freezes"];
    let only = vec!["freezes"];
    assert_eq!(
        listed,
        [
            ("21 Dec".into(), f, only.clone()),
            ("22 Dec".into(), f, only.clone()),
            ("23 Dec".into(), f, only.clone()),
            ("24 Dec".into(), f, only.clone()),
            ("25 Dec".into(), "Christmas Day", both.clone()),
            ("28 Dec".into(), "Boxing Day (substitute day)", both.clone()),
            ("29 Dec".into(), f, only.clone()),
            ("30 Dec".into(), f, only.clone()),
            ("31 Dec".into(), f, only.clone()),
            ("01 Jan".into(), "New Year's Day", both),
            ("04 Jan".into(), f, only),
        ]
    );
    // A range that only touches the freeze lists only what it covers.
    assert_eq!(
        cal.closed_days(date(2027, 1, 4), date(2027, 1, 20)).len(),
        1
    );
}

#[test]
fn overlapping_freezes_name_the_one_ending_last() {
    let mut cal = christmas();
    cal.freezes.push(Freeze {
        name: "Office move".into(),
        from: date(2027, 1, 4),
        to: date(2027, 1, 6),
    });
    let at = |s| cal.closure_at(utc(s)).map(|c| c.words());
    assert_eq!(
        at("2026-12-22T10:00:00Z").as_deref(),
        Some("Christmas change freeze, until Mon 4 Jan")
    );
    assert_eq!(
        at("2027-01-04T10:00:00Z").as_deref(),
        Some("Office move, until Wed 6 Jan")
    );
    next_is(&cal, "2026-12-21T09:30 -> 2027-01-07T09:30 .. 17:00");
}
