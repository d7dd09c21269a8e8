//! Parsing and display: day hours (`09:30-17:00`, `closed`), regions, and local times
//! shown in GMT or BST.

use super::*;

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
