//! Days the window stays shut: bank holidays and their substitutes in each region,
//! closed dates, and the holidays listed in the operator's calendar file.

use super::*;

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
