//! Unit tests of the deploy window calendar: hours, openings around clock changes,
//! holidays and closed dates. This module holds the instants, dates and calendars the
//! tests build on.

use super::*;
use chrono_tz::Europe;

mod closed_days;
mod freezes;
mod london_hours;
mod parse_and_format;
mod unusual_weeks;

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
        freezes: Vec::new(),
    }
}

/// Open on Sundays only, `open_min` to `close_min` London time.
fn london_sundays(open_min: u16, close_min: u16) -> Calendar {
    let mut cal = always(Europe::London);
    cal.week = [None; 7];
    cal.week[6] = hours(open_min, close_min);
    cal
}
