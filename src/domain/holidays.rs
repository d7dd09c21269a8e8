//! UK bank holidays, computed from the rules gov.uk follows rather than read from a table,
//! so the calendar keeps working in years nobody has published yet. Only the one-off
//! changes (jubilees, royal events, moved days) are tabled.
//!
//! The current rules are applied to every year; dates before the Banking and Financial
//! Dealings Act 1971 (and the 1978 Early May holiday) are not historically accurate.

mod days;
#[cfg(test)]
mod tests;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::window::Region;
use days::{
    Fixed, BOXING, BOYNE, CHRISTMAS, EARLY_MAY, EARLY_MAY_MOVED, EASTER_MONDAY, EXTRA_DAYS,
    GOOD_FRIDAY, NEW_YEAR, SCOTLAND_EXTRA_DAYS, SECOND_JANUARY, SPRING, SPRING_MOVED, ST_ANDREW,
    ST_PATRICK, SUMMER,
};

/// Bank holidays of one region in one year, sorted, with their gov.uk names
/// ("New Year's Day", "Christmas Day (substitute day)", ...). Region::None -> empty.
pub fn bank_holidays(region: Region, year: i32) -> Vec<(NaiveDate, &'static str)> {
    let (scotland, northern_ireland) = match region {
        Region::None => return Vec::new(),
        Region::EnglandAndWales => (false, false),
        Region::Scotland => (true, false),
        Region::NorthernIreland => (false, true),
    };
    // Outside chrono's range there is nothing to compute (and nothing to panic on).
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };

    // Days that can never fall on a weekend go in first, so substitutes step around them.
    let mut days: Vec<(NaiveDate, &'static str)> = Vec::new();
    days.extend(
        easter
            .checked_sub_days(Days::new(2))
            .map(|d| (d, GOOD_FRIDAY)),
    );
    if !scotland {
        days.extend(
            easter
                .checked_add_days(Days::new(1))
                .map(|d| (d, EASTER_MONDAY)),
        );
    }
    let early_may = match EARLY_MAY_MOVED.iter().find(|m| m.0 == year) {
        Some(&(y, m, d, name)) => NaiveDate::from_ymd_opt(y, m, d).map(|d| (d, name)),
        None => first_monday(year, 5).map(|d| (d, EARLY_MAY)),
    };
    days.extend(early_may);
    let spring = match SPRING_MOVED.iter().find(|m| m.0 == year) {
        Some(&(y, m, d)) => NaiveDate::from_ymd_opt(y, m, d),
        None => last_monday(year, 5, 31),
    };
    days.extend(spring.map(|d| (d, SPRING)));
    // Scotland's summer holiday is at the start of August, everyone else's at the end.
    let summer = if scotland {
        first_monday(year, 8)
    } else {
        last_monday(year, 8, 31)
    };
    days.extend(summer.map(|d| (d, SUMMER)));
    let regional: &[(i32, u32, u32, &str)] = if scotland { SCOTLAND_EXTRA_DAYS } else { &[] };
    days.extend(
        EXTRA_DAYS
            .iter()
            .chain(regional)
            .filter(|e| e.0 == year)
            .filter_map(|&(y, m, d, name)| NaiveDate::from_ymd_opt(y, m, d).map(|d| (d, name))),
    );

    let mut fixed: Vec<&Fixed> = vec![&NEW_YEAR];
    if scotland {
        fixed.push(&SECOND_JANUARY);
    }
    if northern_ireland {
        fixed.extend([&ST_PATRICK, &BOYNE]);
    }
    if scotland {
        fixed.push(&ST_ANDREW);
    }
    fixed.extend([&CHRISTMAS, &BOXING]);

    let mut on_weekend: Vec<(NaiveDate, &'static str)> = Vec::new();
    for f in fixed {
        let Some(date) = NaiveDate::from_ymd_opt(year, f.month, f.day) else {
            continue;
        };
        if is_weekend(date) {
            on_weekend.push((date, f.substitute));
        } else {
            days.push((date, f.name));
        }
    }

    // `fixed` is in date order, so earlier holidays claim the earlier substitute days:
    // Christmas on Saturday -> Mon 27, Boxing Day -> Tue 28.
    for (date, substitute) in on_weekend {
        let mut candidate = date.succ_opt();
        while let Some(d) = candidate {
            if !is_weekend(d) && !days.iter().any(|(taken, _)| *taken == d) {
                break;
            }
            candidate = d.succ_opt();
        }
        if let Some(d) = candidate {
            days.push((d, substitute));
        }
    }

    days.sort_by_key(|(d, _)| *d);
    days
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
}

fn last_monday(year: i32, month: u32, last_day: u32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, month, last_day)?;
    last.checked_sub_days(Days::new(u64::from(last.weekday().num_days_from_monday())))
}

/// Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher).
/// Euclidean division keeps it correct for proleptic years before 1 AD too.
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n / 31).ok()?;
    let day = u32::try_from(n % 31 + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}
