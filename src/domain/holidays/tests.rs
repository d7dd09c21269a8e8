//! Unit tests of the bank holiday rules against gov.uk's published dates, substitute days
//! and the one-off changes.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// `bank_holidays` with owned names, to compare with `published`.
fn named(region: Region, year: i32) -> Vec<(NaiveDate, String)> {
    bank_holidays(region, year)
        .into_iter()
        .map(|(d, n)| (d, n.to_owned()))
        .collect()
}

/// A list in `PUBLISHED`'s notation, as `bank_holidays` gives it.
fn published(year: i32, list: &str) -> Vec<(NaiveDate, String)> {
    list.split(", ")
        .map(|item| {
            let (day, name) = item.trim().split_once(' ').expect("MM-DD name");
            let (m, day) = day.split_once('-').expect("MM-DD");
            let (short, substitute) = match name.strip_suffix('*') {
                Some(n) => (n, " (substitute day)"),
                None => (name, ""),
            };
            let date = d(year, m.parse().unwrap(), day.parse().unwrap());
            (date, format!("{}{substitute}", full_name(short)))
        })
        .collect()
}

fn dates(region: Region, year: i32) -> Vec<NaiveDate> {
    bank_holidays(region, year)
        .into_iter()
        .map(|(d, _)| d)
        .collect()
}

const EW: Region = Region::EnglandAndWales;
const SC: Region = Region::Scotland;
const NI: Region = Region::NorthernIreland;
const REGIONS: [Region; 3] = [EW, SC, NI];

fn full_name(short: &str) -> &str {
    match short {
        "NYD" => "New Year's Day",
        "JAN2" => "2nd January",
        "GF" => "Good Friday",
        "EM" => "Easter Monday",
        "MAY" => "Early May bank holiday",
        "SPR" => "Spring bank holiday",
        "SUM" => "Summer bank holiday",
        "STP" => "St Patrick's Day",
        "BOYNE" => "Battle of the Boyne (Orangemen's Day)",
        "STA" => "St Andrew's Day",
        "XMAS" => "Christmas Day",
        "BOX" => "Boxing Day",
        full => full,
    }
}

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

/// gov.uk's published lists, one line a region and year: `MM-DD` and the holiday's short
/// name (see `name`) or full name; a trailing `*` adds " (substitute day)".
const PUBLISHED: &[(Region, i32, &str)] = &[
    (EW, 2025, "01-01 NYD, 04-18 GF, 04-21 EM, 05-05 MAY, 05-26 SPR, 08-25 SUM, 12-25 XMAS, 12-26 BOX"),
    (EW, 2026, "01-01 NYD, 04-03 GF, 04-06 EM, 05-04 MAY, 05-25 SPR, 08-31 SUM, 12-25 XMAS, 12-28 BOX*"),
    (EW, 2027, "01-01 NYD, 03-26 GF, 03-29 EM, 05-03 MAY, 05-31 SPR, 08-30 SUM, 12-27 XMAS*, 12-28 BOX*"),
    (SC, 2025, "01-01 NYD, 01-02 JAN2, 04-18 GF, 05-05 MAY, 05-26 SPR, 08-04 SUM, 12-01 STA*, 12-25 XMAS, 12-26 BOX"),
    // With the one-off World Cup bank holiday, Scotland's alone.
    (SC, 2026, "01-01 NYD, 01-02 JAN2, 04-03 GF, 05-04 MAY, 05-25 SPR, 06-15 World Cup bank holiday, 08-03 SUM, 11-30 STA, 12-25 XMAS, 12-28 BOX*"),
    (SC, 2027, "01-01 NYD, 01-04 JAN2*, 03-26 GF, 05-03 MAY, 05-31 SPR, 08-02 SUM, 11-30 STA, 12-27 XMAS*, 12-28 BOX*"),
    (NI, 2025, "01-01 NYD, 03-17 STP, 04-18 GF, 04-21 EM, 05-05 MAY, 05-26 SPR, 07-14 BOYNE*, 08-25 SUM, 12-25 XMAS, 12-26 BOX"),
    (NI, 2026, "01-01 NYD, 03-17 STP, 04-03 GF, 04-06 EM, 05-04 MAY, 05-25 SPR, 07-13 BOYNE*, 08-31 SUM, 12-25 XMAS, 12-28 BOX*"),
    (NI, 2027, "01-01 NYD, 03-17 STP, 03-26 GF, 03-29 EM, 05-03 MAY, 05-31 SPR, 07-12 BOYNE, 08-30 SUM, 12-27 XMAS*, 12-28 BOX*"),
    // With the Platinum Jubilee and the State Funeral.
    (EW, 2022, "01-03 NYD*, 04-15 GF, 04-18 EM, 05-02 MAY, 06-02 SPR, 06-03 Platinum Jubilee bank holiday, 08-29 SUM, \
        09-19 Bank holiday for the State Funeral of Queen Elizabeth II, 12-26 BOX, 12-27 XMAS*"),
];

#[test]
fn whole_years_as_published() {
    for &(region, year, list) in PUBLISHED {
        assert_eq!(
            named(region, year),
            published(year, list),
            "{region:?} {year}"
        );
    }
}

#[test]
fn no_region_has_no_holidays() {
    assert!(bank_holidays(Region::None, 2026).is_empty());
}

#[test]
fn christmas_on_saturday_2021() {
    let h = named(EW, 2021);
    assert_eq!(
        &h[h.len() - 2..],
        published(2021, "12-27 XMAS*, 12-28 BOX*")
    );
}

#[test]
fn christmas_on_sunday_2022() {
    let h = named(EW, 2022);
    assert_eq!(&h[h.len() - 2..], published(2022, "12-26 BOX, 12-27 XMAS*"));
}

#[test]
fn scotland_new_year_2022_and_2023() {
    // 2022: 1 Jan Saturday, 2 Jan Sunday -> Mon 3 and Tue 4.
    assert_eq!(
        &named(SC, 2022)[..2],
        published(2022, "01-03 NYD*, 01-04 JAN2*")
    );
    // 2023: 1 Jan Sunday, 2 Jan Monday keeps its day, so New Year moves to Tue 3.
    assert_eq!(
        &named(SC, 2023)[..2],
        published(2023, "01-02 JAN2, 01-03 NYD*")
    );
    assert_eq!(
        bank_holidays(Region::EnglandAndWales, 2023)[0],
        (d(2023, 1, 2), "New Year's Day (substitute day)")
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
        for region in REGIONS {
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
    for region in REGIONS {
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
        for region in REGIONS {
            let h = bank_holidays(region, year);
            assert!(h.len() <= 12);
        }
    }
    assert_eq!(bank_holidays(Region::Scotland, max).len(), 9);
    assert_eq!(bank_holidays(Region::NorthernIreland, min).len(), 10);
    assert!(bank_holidays(Region::Scotland, i32::MAX).is_empty());
}
