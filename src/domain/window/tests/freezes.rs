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

/// [`christmas`], with an office move freezing Mon 4 Jan (its last day) to Wed 6 Jan.
fn christmas_then_office_move() -> Calendar {
    let mut cal = christmas();
    cal.freezes.push(Freeze {
        name: "Office move".into(),
        from: date(2027, 1, 4),
        to: date(2027, 1, 6),
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
    // December and January are GMT: UTC and London agree. From opening to just before
    // closing, on each day.
    for day in ["2026-12-21", "2027-01-04"] {
        for time in ["09:30", "16:59"] {
            let at = format!("{day}T{time}:00Z");
            assert!(!cal.is_open(utc(&at)), "{at}");
            assert_eq!(cal.closure_at(utc(&at)), frozen(), "{at}");
        }
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
    let cal = christmas_then_office_move();
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

// ---------------------------------------------------------------------------------------
// What the next opening skips, and the warning on the last opening before a freeze
// ---------------------------------------------------------------------------------------

fn christmas_skipped() -> Skipped {
    Skipped {
        name: "Christmas change freeze".into(),
        from: date(2026, 12, 21),
        until: Some(date(2027, 1, 4)),
    }
}

/// The words every "it next opens" uses at `at` (closed), naming what it skips besides
/// the day's own closure.
fn next_words(cal: &Calendar, at: &str) -> String {
    let at = utc(at);
    let named = cal.closure_at(at);
    let next = cal.next_opening(at).expect("an opening ahead").opens;
    next_opens(next, &cal.skipping(at, named.as_ref()), cal.tz)
}

#[test]
fn closed_by_a_weekend_the_next_opening_names_the_freeze_it_skips() {
    let cal = christmas();
    // Saturday 19 Dec: closed for the weekend, which has no name, and the next opening is
    // a fortnight away because of the freeze.
    for at in [
        "2026-12-19T12:00:00Z",
        "2026-12-18T16:00:00Z",
        "2026-12-20T23:59:59Z",
    ] {
        assert_eq!(cal.closure_at(utc(at)), None, "{at}");
        assert_eq!(cal.skipping(utc(at), None), [christmas_skipped()], "{at}");
        assert_eq!(
            next_words(&cal, at),
            "Tue 5 Jan 09:30 GMT, after the Christmas change freeze (Mon 21 Dec to Mon 4 Jan)",
            "{at}"
        );
    }
    // During the freeze its own name says it all: nothing more is skipped.
    for at in [
        "2026-12-21T09:30:00Z",
        "2026-12-25T12:00:00Z",
        "2027-01-04T16:59:00Z",
    ] {
        assert_eq!(next_words(&cal, at), "Tue 5 Jan 09:30 GMT", "{at}");
    }
    // An ordinary weekend skips nothing named.
    assert_eq!(
        next_words(&cal, "2026-12-12T12:00:00Z"),
        "Mon 14 Dec 09:30 GMT"
    );
    // The queue-expiry notice names the freeze already (closure_ahead): not twice.
    let at = utc("2026-12-18T16:00:00Z");
    assert_eq!(cal.skipping(at, cal.closure_ahead(at).as_ref()), []);
}

#[test]
fn the_last_opening_before_a_freeze_warns_of_it() {
    let cal = christmas();
    // Friday 18 Dec 14:00, open: the opening after this one is in January.
    let at = utc("2026-12-18T14:00:00Z");
    assert!(cal.is_open(at));
    let next = cal.next_opening(at).unwrap().opens;
    assert_eq!(next, utc("2027-01-05T09:30:00Z"));
    let skipping = cal.skipping(at, None);
    assert_eq!(skipping, [christmas_skipped()]);
    assert_eq!(
        freeze_ahead(next, &skipping, cal.tz).as_deref(),
        Some("The Christmas change freeze starts Mon 21 Dec; the window after today's opens Tue 5 Jan 09:30 GMT.")
    );
    // Up to the last minute of it; not on the Thursday, whose next opening is Friday's.
    assert_eq!(
        cal.skipping(utc("2026-12-18T15:59:59Z"), None),
        [christmas_skipped()]
    );
    let thursday = utc("2026-12-17T16:59:00Z");
    assert_eq!(cal.skipping(thursday, None), []);
    let next = cal.next_opening(thursday).unwrap().opens;
    assert_eq!(freeze_ahead(next, &[], cal.tz), None);
    // Bank holidays ahead are named in the next opening, but are no freeze to warn of.
    let before_easter = Calendar::govuk_default().skipping(utc("2026-04-02T12:00:00Z"), None);
    assert_eq!(
        freeze_ahead(utc("2026-04-07T08:30:00Z"), &before_easter, Europe::London),
        None
    );
}

#[test]
fn a_run_of_bank_holidays_is_named_across_the_clock_change() {
    let cal = Calendar::govuk_default();
    // Thu 25 Mar 2027 after the close (GMT): Good Friday, the clocks go forward on the
    // Sunday, Easter Monday; the window next opens Tue 30 Mar 09:30 BST.
    assert_eq!(
        next_words(&cal, "2027-03-25T17:00:00Z"),
        "Tue 30 Mar 09:30 BST, after Good Friday and Easter Monday"
    );
    // On Christmas Day 2026 (a Friday) it is named as the day's closure; the substitute
    // Boxing Day on the Monday is what the next opening skips besides.
    assert_eq!(
        next_words(&cal, "2026-12-25T12:00:00Z"),
        "Tue 29 Dec 09:30 GMT, after Boxing Day (substitute day)"
    );
    assert_eq!(
        cal.skipping(utc("2026-12-24T17:00:00Z"), None),
        [
            Skipped {
                name: "Christmas Day".into(),
                from: date(2026, 12, 25),
                until: None
            },
            Skipped {
                name: "Boxing Day (substitute day)".into(),
                from: date(2026, 12, 28),
                until: None
            },
        ]
    );
    // `closed_dates` have no name: skipped silently, as they are named nowhere.
    let mut quiet = Calendar::govuk_default();
    quiet.closed_dates.insert(date(2026, 11, 27));
    assert_eq!(quiet.skipping(utc("2026-11-26T17:00:00Z"), None), []);
}

#[test]
fn skipped_freezes_and_holidays_are_worded_and_counted() {
    let one_day = Skipped {
        name: "The office move".into(),
        from: date(2027, 1, 6),
        until: Some(date(2027, 1, 6)),
    };
    assert_eq!(one_day.words(), "The office move (Wed 6 Jan)");
    let opens = utc("2027-01-12T09:30:00Z");
    let tz = Europe::London;
    let holiday = |name: &str, d| Skipped {
        name: name.into(),
        from: date(2027, 1, d),
        until: None,
    };
    let many = [
        christmas_skipped(),
        one_day.clone(),
        holiday("A", 7),
        holiday("B", 8),
        holiday("C", 11),
    ];
    assert_eq!(
        next_opens(opens, &many, tz),
        "Tue 12 Jan 09:30 GMT, after the Christmas change freeze (Mon 21 Dec to Mon 4 Jan), \
         The office move (Wed 6 Jan), A and 2 more"
    );
    assert_eq!(
        freeze_ahead(opens, &[holiday("A", 7), one_day], tz).as_deref(),
        Some("The office move starts Wed 6 Jan; the window after today's opens Tue 12 Jan 09:30 GMT.")
    );
    // Typed for the API: a freeze with `until`, a holiday without.
    assert_eq!(
        serde_json::to_value([christmas_skipped(), holiday("A", 7)]).unwrap(),
        serde_json::json!([
            {"name": "Christmas change freeze", "from": "2026-12-21", "until": "2027-01-04"},
            {"name": "A", "from": "2027-01-07"},
        ])
    );
}

#[test]
fn overlapping_freezes_ahead_are_both_named() {
    let cal = christmas_then_office_move();
    assert_eq!(
        next_words(&cal, "2026-12-19T12:00:00Z"),
        "Thu 7 Jan 09:30 GMT, after the Christmas change freeze (Mon 21 Dec to Mon 4 Jan) \
         and the Office move (Mon 4 Jan to Wed 6 Jan)"
    );
}
