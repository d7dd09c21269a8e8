//! UK bank holidays, computed from the rules gov.uk follows rather than read from a table,
//! so the calendar keeps working in years nobody has published yet. Only the one-off
//! changes (jubilees, royal events, moved days) are tabled.
//!
//! The current rules are applied to every year; dates before the Banking and Financial
//! Dealings Act 1971 (and the 1978 Early May holiday) are not historically accurate.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::window::Region;

/// A holiday on a fixed calendar date, which gets a substitute day when it falls on a weekend.
struct Fixed {
    month: u32,
    day: u32,
    name: &'static str,
    substitute: &'static str,
}

const NEW_YEAR: Fixed = Fixed {
    month: 1,
    day: 1,
    name: "New Year's Day",
    substitute: "New Year's Day (substitute day)",
};
const SECOND_JANUARY: Fixed = Fixed {
    month: 1,
    day: 2,
    name: "2nd January",
    substitute: "2nd January (substitute day)",
};
const ST_PATRICK: Fixed = Fixed {
    month: 3,
    day: 17,
    name: "St Patrick's Day",
    substitute: "St Patrick's Day (substitute day)",
};
const BOYNE: Fixed = Fixed {
    month: 7,
    day: 12,
    name: "Battle of the Boyne (Orangemen's Day)",
    substitute: "Battle of the Boyne (Orangemen's Day) (substitute day)",
};
const ST_ANDREW: Fixed = Fixed {
    month: 11,
    day: 30,
    name: "St Andrew's Day",
    substitute: "St Andrew's Day (substitute day)",
};
const CHRISTMAS: Fixed = Fixed {
    month: 12,
    day: 25,
    name: "Christmas Day",
    substitute: "Christmas Day (substitute day)",
};
const BOXING: Fixed = Fixed {
    month: 12,
    day: 26,
    name: "Boxing Day",
    substitute: "Boxing Day (substitute day)",
};

const GOOD_FRIDAY: &str = "Good Friday";
const EASTER_MONDAY: &str = "Easter Monday";
const EARLY_MAY: &str = "Early May bank holiday";
const SPRING: &str = "Spring bank holiday";
const SUMMER: &str = "Summer bank holiday";

/// Years whose Early May bank holiday was moved by proclamation: (year, month, day, name).
const EARLY_MAY_MOVED: &[(i32, u32, u32, &str)] = &[
    (1995, 5, 8, "Early May bank holiday (VE day)"),
    (2020, 5, 8, "Early May bank holiday (VE day)"),
];

/// Years whose Spring bank holiday was moved to make room for a jubilee.
const SPRING_MOVED: &[(i32, u32, u32)] = &[(2002, 6, 4), (2012, 6, 4), (2022, 6, 2)];

/// One-off extra bank holidays, in all three UK regions.
const EXTRA_DAYS: &[(i32, u32, u32, &str)] = &[
    (1999, 12, 31, "Millennium celebrations"),
    (2002, 6, 3, "Queen's Golden Jubilee"),
    (2011, 4, 29, "Royal wedding"),
    (2012, 6, 5, "Queen's Diamond Jubilee"),
    (2022, 6, 3, "Platinum Jubilee bank holiday"),
    (
        2022,
        9,
        19,
        "Bank holiday for the State Funeral of Queen Elizabeth II",
    ),
    (
        2023,
        5,
        8,
        "Bank holiday for the coronation of King Charles III",
    ),
];

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
    days.extend(
        EXTRA_DAYS
            .iter()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn list(items: &[(i32, u32, u32, &'static str)]) -> Vec<(NaiveDate, &'static str)> {
        items
            .iter()
            .map(|&(y, m, day, n)| (d(y, m, day), n))
            .collect()
    }

    fn dates(region: Region, year: i32) -> Vec<NaiveDate> {
        bank_holidays(region, year)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    const NYD: &str = "New Year's Day";
    const JAN2: &str = "2nd January";
    const GF: &str = "Good Friday";
    const EM: &str = "Easter Monday";
    const MAY: &str = "Early May bank holiday";
    const SPR: &str = "Spring bank holiday";
    const SUM: &str = "Summer bank holiday";
    const STP: &str = "St Patrick's Day";
    const BOYNE_DAY: &str = "Battle of the Boyne (Orangemen's Day)";
    const STA: &str = "St Andrew's Day";
    const XMAS: &str = "Christmas Day";
    const BOX: &str = "Boxing Day";

    #[test]
    fn easter_dates() {
        for (y, m, day) in [
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
            (1943, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "Easter {y}");
        }
    }

    #[test]
    fn england_and_wales_2025_to_2027() {
        assert_eq!(
            bank_holidays(Region::EnglandAndWales, 2025),
            list(&[
                (2025, 1, 1, NYD),
                (2025, 4, 18, GF),
                (2025, 4, 21, EM),
                (2025, 5, 5, MAY),
                (2025, 5, 26, SPR),
                (2025, 8, 25, SUM),
                (2025, 12, 25, XMAS),
                (2025, 12, 26, BOX),
            ])
        );
        assert_eq!(
            bank_holidays(Region::EnglandAndWales, 2026),
            list(&[
                (2026, 1, 1, NYD),
                (2026, 4, 3, GF),
                (2026, 4, 6, EM),
                (2026, 5, 4, MAY),
                (2026, 5, 25, SPR),
                (2026, 8, 31, SUM),
                (2026, 12, 25, XMAS),
                (2026, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
        assert_eq!(
            bank_holidays(Region::EnglandAndWales, 2027),
            list(&[
                (2027, 1, 1, NYD),
                (2027, 3, 26, GF),
                (2027, 3, 29, EM),
                (2027, 5, 3, MAY),
                (2027, 5, 31, SPR),
                (2027, 8, 30, SUM),
                (2027, 12, 27, "Christmas Day (substitute day)"),
                (2027, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn scotland_2025_to_2027() {
        assert_eq!(
            bank_holidays(Region::Scotland, 2025),
            list(&[
                (2025, 1, 1, NYD),
                (2025, 1, 2, JAN2),
                (2025, 4, 18, GF),
                (2025, 5, 5, MAY),
                (2025, 5, 26, SPR),
                (2025, 8, 4, SUM),
                (2025, 12, 1, "St Andrew's Day (substitute day)"),
                (2025, 12, 25, XMAS),
                (2025, 12, 26, BOX),
            ])
        );
        assert_eq!(
            bank_holidays(Region::Scotland, 2026),
            list(&[
                (2026, 1, 1, NYD),
                (2026, 1, 2, JAN2),
                (2026, 4, 3, GF),
                (2026, 5, 4, MAY),
                (2026, 5, 25, SPR),
                (2026, 8, 3, SUM),
                (2026, 11, 30, STA),
                (2026, 12, 25, XMAS),
                (2026, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
        assert_eq!(
            bank_holidays(Region::Scotland, 2027),
            list(&[
                (2027, 1, 1, NYD),
                (2027, 1, 4, "2nd January (substitute day)"),
                (2027, 3, 26, GF),
                (2027, 5, 3, MAY),
                (2027, 5, 31, SPR),
                (2027, 8, 2, SUM),
                (2027, 11, 30, STA),
                (2027, 12, 27, "Christmas Day (substitute day)"),
                (2027, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn northern_ireland_2025_to_2027() {
        assert_eq!(
            bank_holidays(Region::NorthernIreland, 2025),
            list(&[
                (2025, 1, 1, NYD),
                (2025, 3, 17, STP),
                (2025, 4, 18, GF),
                (2025, 4, 21, EM),
                (2025, 5, 5, MAY),
                (2025, 5, 26, SPR),
                (
                    2025,
                    7,
                    14,
                    "Battle of the Boyne (Orangemen's Day) (substitute day)"
                ),
                (2025, 8, 25, SUM),
                (2025, 12, 25, XMAS),
                (2025, 12, 26, BOX),
            ])
        );
        assert_eq!(
            bank_holidays(Region::NorthernIreland, 2026),
            list(&[
                (2026, 1, 1, NYD),
                (2026, 3, 17, STP),
                (2026, 4, 3, GF),
                (2026, 4, 6, EM),
                (2026, 5, 4, MAY),
                (2026, 5, 25, SPR),
                (
                    2026,
                    7,
                    13,
                    "Battle of the Boyne (Orangemen's Day) (substitute day)"
                ),
                (2026, 8, 31, SUM),
                (2026, 12, 25, XMAS),
                (2026, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
        assert_eq!(
            bank_holidays(Region::NorthernIreland, 2027),
            list(&[
                (2027, 1, 1, NYD),
                (2027, 3, 17, STP),
                (2027, 3, 26, GF),
                (2027, 3, 29, EM),
                (2027, 5, 3, MAY),
                (2027, 5, 31, SPR),
                (2027, 7, 12, BOYNE_DAY),
                (2027, 8, 30, SUM),
                (2027, 12, 27, "Christmas Day (substitute day)"),
                (2027, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn no_region_has_no_holidays() {
        assert!(bank_holidays(Region::None, 2026).is_empty());
    }

    #[test]
    fn christmas_on_saturday_2021() {
        let h = bank_holidays(Region::EnglandAndWales, 2021);
        assert_eq!(
            &h[h.len() - 2..],
            list(&[
                (2021, 12, 27, "Christmas Day (substitute day)"),
                (2021, 12, 28, "Boxing Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn christmas_on_sunday_2022() {
        let h = bank_holidays(Region::EnglandAndWales, 2022);
        assert_eq!(
            &h[h.len() - 2..],
            list(&[
                (2022, 12, 26, BOX),
                (2022, 12, 27, "Christmas Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn scotland_new_year_2022_and_2023() {
        // 2022: 1 Jan Saturday, 2 Jan Sunday -> Mon 3 and Tue 4.
        assert_eq!(
            &bank_holidays(Region::Scotland, 2022)[..2],
            list(&[
                (2022, 1, 3, "New Year's Day (substitute day)"),
                (2022, 1, 4, "2nd January (substitute day)"),
            ])
        );
        // 2023: 1 Jan Sunday, 2 Jan Monday keeps its day, so New Year moves to Tue 3.
        assert_eq!(
            &bank_holidays(Region::Scotland, 2023)[..2],
            list(&[
                (2023, 1, 2, JAN2),
                (2023, 1, 3, "New Year's Day (substitute day)"),
            ])
        );
        assert_eq!(
            bank_holidays(Region::EnglandAndWales, 2023)[0],
            (d(2023, 1, 2), "New Year's Day (substitute day)")
        );
    }

    #[test]
    fn england_and_wales_2022_with_jubilee_and_funeral() {
        assert_eq!(
            bank_holidays(Region::EnglandAndWales, 2022),
            list(&[
                (2022, 1, 3, "New Year's Day (substitute day)"),
                (2022, 4, 15, GF),
                (2022, 4, 18, EM),
                (2022, 5, 2, MAY),
                (2022, 6, 2, SPR),
                (2022, 6, 3, "Platinum Jubilee bank holiday"),
                (2022, 8, 29, SUM),
                (
                    2022,
                    9,
                    19,
                    "Bank holiday for the State Funeral of Queen Elizabeth II"
                ),
                (2022, 12, 26, BOX),
                (2022, 12, 27, "Christmas Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn one_off_changes() {
        let ew = Region::EnglandAndWales;
        // VE day moves: the first Monday is not a holiday in those years.
        assert!(dates(ew, 2020).contains(&d(2020, 5, 8)));
        assert!(!dates(ew, 2020).contains(&d(2020, 5, 4)));
        assert!(dates(ew, 1995).contains(&d(1995, 5, 8)));
        assert!(!dates(ew, 1995).contains(&d(1995, 5, 1)));
        // Jubilee years: spring holiday moved, plus an extra day.
        for (moved, extra, usual) in [
            (d(2002, 6, 4), d(2002, 6, 3), d(2002, 5, 27)),
            (d(2012, 6, 4), d(2012, 6, 5), d(2012, 5, 28)),
            (d(2022, 6, 2), d(2022, 6, 3), d(2022, 5, 30)),
        ] {
            for region in [
                Region::EnglandAndWales,
                Region::Scotland,
                Region::NorthernIreland,
            ] {
                let h = dates(region, moved.year());
                assert!(
                    h.contains(&moved) && h.contains(&extra),
                    "{region:?} {moved}"
                );
                assert!(!h.contains(&usual), "{region:?} {usual}");
            }
        }
        for (day, region) in [
            (d(2011, 4, 29), Region::Scotland),
            (d(2022, 9, 19), Region::NorthernIreland),
            (d(2023, 5, 8), Region::Scotland),
            (d(1999, 12, 31), Region::EnglandAndWales),
        ] {
            assert!(dates(region, day.year()).contains(&day), "{region:?} {day}");
        }
        // 2023 keeps its ordinary Early May holiday alongside the coronation.
        assert!(dates(ew, 2023).contains(&d(2023, 5, 1)));
        // Millennium: Christmas on Saturday still substitutes around the extra Friday.
        let h1999 = dates(ew, 1999);
        assert_eq!(
            &h1999[h1999.len() - 3..],
            [d(1999, 12, 27), d(1999, 12, 28), d(1999, 12, 31)]
        );
    }

    #[test]
    fn weekend_days_in_northern_ireland_and_scotland() {
        // St Patrick's Day 2024 on Sunday; St Andrew's Day 2024 on Saturday.
        assert!(bank_holidays(Region::NorthernIreland, 2024)
            .contains(&(d(2024, 3, 18), "St Patrick's Day (substitute day)")));
        assert!(bank_holidays(Region::Scotland, 2024)
            .contains(&(d(2024, 12, 2), "St Andrew's Day (substitute day)")));
    }

    #[test]
    fn every_year_is_sorted_on_weekdays_without_duplicates() {
        for region in [
            Region::EnglandAndWales,
            Region::Scotland,
            Region::NorthernIreland,
        ] {
            for year in 1900..2200 {
                let h = dates(region, year);
                assert!(h.windows(2).all(|w| w[0] < w[1]), "{region:?} {year}");
                assert!(h.iter().all(|d| !is_weekend(*d)), "{region:?} {year}");
                assert!(h.iter().all(|d| d.year() == year), "{region:?} {year}");
            }
        }
    }

    #[test]
    fn extreme_years_do_not_panic() {
        let (min, max) = (NaiveDate::MIN.year(), NaiveDate::MAX.year());
        for year in [i32::MIN, min - 1, min, -1, 0, 1, max, max + 1, i32::MAX] {
            for region in [
                Region::EnglandAndWales,
                Region::Scotland,
                Region::NorthernIreland,
            ] {
                let h = bank_holidays(region, year);
                assert!(h.len() <= 12);
            }
        }
        assert_eq!(bank_holidays(Region::Scotland, max).len(), 9);
        assert_eq!(bank_holidays(Region::NorthernIreland, min).len(), 10);
        assert!(bank_holidays(Region::Scotland, i32::MAX).is_empty());
    }
}
