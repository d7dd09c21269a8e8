//! Unit tests of the bank holiday rules against gov.uk's published dates, substitute days
//! and the one-off changes.

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
