//! Snapshot tests of `parse_hold`: one snapshot per input, `hold_{case}.snap`.
//! The fixed time is 2026-11-24 10:00 UTC, which is 10:00 GMT in Europe/London.

use super::parse_hold;
use super::test_support::{ctx, ctx_apps, ctx_custom, snapshot_cases};

snapshot_cases! {
    parse_hold, "hold", hold_command;

    ctx {
        // Creating holds.
        create_app: "whitehall data migration running",
        create_all: "all code freeze",
        create_all_uppercase: "ALL code freeze",
        create_with_env: "whitehall production data   migration running",
        create_env_case_insensitive: "whitehall PRODUCTION migration",
        create_env_typo_is_part_of_reason: "whitehall prod migration",
        create_env_only_once: "all staging staging is broken",
        create_mentions_in_reason: "all waiting for <@U123|alice> to finish in <#C456|incidents>",
        create_unicode_reason: "all 工事中 — déploiement gelé",
        create_control_characters: "all\u{0}freeze\u{1b}[31m",
        until_time_today: "whitehall production migration --until 17:00",
        until_time_one_digit_hour: "whitehall migration --until 9:45",
        until_date_time: "all freeze --until 2026-12-01 09:00",
        until_before_env_and_reason: "all --until 2026-12-01 09:00 production election",
        until_before_reason: "whitehall --until 17:00 staging tests flaky",
        until_summer_time: "all summer freeze --until 2027-06-01 12:00",
        until_clocks_go_back_takes_first: "all clocks change --until 2027-10-31 01:30",
        until_em_dash: "all freeze \u{2014}until 17:00",
        until_uppercase: "all freeze --UNTIL 17:00",
        // Other subcommands.
        list: "list",
        list_uppercase: "LIST",
        release_app: "release whitehall",
        release_all: "release all",
        release_id: "release 42",
        release_hash_id: "release #42",
        help: "help",
        help_ignores_words: "help please",
        empty_is_help: "",
        // Errors.
        needs_reason: "whitehall",
        needs_reason_env_only: "whitehall production",
        needs_reason_until_only: "all --until 17:00",
        until_time_passed: "all freeze --until 9:30",
        until_time_is_now: "all freeze --until 10:00",
        until_date_passed: "all freeze --until 2026-11-01 12:00",
        until_a_year_ahead: "all freeze --until 2027-11-24 10:00",
        until_too_far: "all freeze --until 2027-11-26 10:00",
        until_far_future: "all freeze --until 9999-12-31 23:59",
        until_impossible_date: "all freeze --until 2026-02-30 10:00",
        until_impossible_date_without_time: "all freeze --until 2026-13-01",
        until_bad_hour: "all freeze --until 25:00",
        until_bad_minute: "all freeze --until 12:60",
        until_bad_time_after_date: "all freeze --until 2026-12-01 24:00",
        until_dst_gap: "all freeze --until 2027-03-28 01:30",
        until_missing: "all freeze --until",
        until_followed_by_option: "all freeze --until --until 17:00",
        until_twice: "all freeze --until 17:00 --until 18:00",
        until_unreadable_word: "all freeze --until tomorrow",
        until_unreadable_5pm: "all freeze --until 5pm",
        until_date_then_am_time: "all freeze --until 2027-01-04 9:30am",
        until_date_without_time: "all freeze --until 2026-12-01",
        until_date_then_words: "all --until 2026-12-01 code freeze",
        until_date_then_at_time: "all freeze --until 2026-12-24 at 17:00",
        until_date_then_noon: "all freeze --until 2026-12-24 Noon",
        until_date_alone_christmas: "all production christmas --until 2027-01-04",
        until_date_alone_tomorrow: "whitehall migration --until 2026-11-25",
        until_date_alone_today_has_begun: "all freeze --until 2026-11-24",
        until_date_alone_passed: "all freeze --until 2026-11-01",
        until_date_alone_no_such_day: "all freeze --until 2027-02-30",
        until_date_alone_leap_day: "all freeze --until 2027-2-29",
        until_date_alone_no_day_zero: "all freeze --until 2027-01-00",
        until_date_alone_too_far: "all freeze --until 2027-11-26",
        until_date_alone_a_year_ahead: "all freeze --until 2027-11-25",
        until_date_alone_then_option: "all freeze --until 2026-12-01 --until 17:00",
        unknown_option_typo: "all freeze --untill 17:00",
        unknown_option_note: "all freeze --note hi",
        invalid_app_uppercase: "Whitehall freeze",
        invalid_app_channel_mention: "<!channel> freeze",
        invalid_app_emoji: "🚧 freeze",
        release_missing: "release",
        release_bad_id: "release #abc",
        release_zero: "release 0",
        release_extra_word: "release whitehall staging",
        release_invalid_app: "release Whitehall",
        list_extra_word: "list all",
        typo_release_with_id: "relase 3",
        typo_release_with_app: "relase whitehall",
        typo_release_with_reason_is_a_hold: "relase whitehall please",
        typo_list: "lsit",
        typo_help: "hepl",
        help_as_option: "--help",
        reason_too_long: format!("all {}", "x".repeat(501)),
        input_too_long: format!("all {}", "y ".repeat(2000)),
    }
    ctx_apps {
        apps_unknown_app_typo: "whitehal freeze",
        apps_release_unknown_app: "release serch-api",
        apps_typo_release: "relase whitehall",
        apps_typo_list_with_words: "lits all holds",
        apps_known_app: "router production router upgrade --until 2026-11-24 18:30",
    }
    ctx_custom {
        custom_names_needs_reason: "whitehall",
        custom_names_release_missing: "release",
        custom_names_bad_release_id: "release #x",
        custom_names_typo: "lsit",
    }
}

/// In the hour the clocks go back (Sun 25 Oct 2026, 01:00-02:00 local twice), `--until
/// 01:30` means the 01:30 still to come: the BST one while it is ahead, then the GMT one.
#[test]
fn until_in_the_repeated_hour_is_the_one_ahead() {
    use super::{CommandContext, HoldCommand};
    use chrono::{TimeZone, Utc};
    let at = |h, m| Utc.with_ymd_and_hms(2026, 10, 25, h, m, 0).unwrap();
    // (now in UTC, the instant meant), both as (hour, minute) on that day.
    for (now, meant) in [((0, 15), (0, 30)), ((0, 45), (1, 30)), ((1, 15), (1, 30))] {
        let ctx = CommandContext {
            now: at(now.0, now.1),
            ..ctx()
        };
        match parse_hold("all clocks change --until 01:30", &ctx) {
            Ok(HoldCommand::Create { until, .. }) => {
                assert_eq!(until, Some(at(meant.0, meant.1)), "at {now:?}")
            }
            other => panic!("at {now:?}: {other:?}"),
        }
    }
}

/// The message refusing `text` typed at `now`; panics, saying `why` it should not parse,
/// if it does.
fn refused_at(text: &str, now: chrono::DateTime<chrono::Utc>, why: &str) -> String {
    let ctx = super::CommandContext { now, ..ctx() };
    match parse_hold(text, &ctx) {
        Err(e) => e.message(&ctx),
        Ok(c) => panic!("{why}, yet `{text}` parsed: {c:?}"),
    }
}

/// The hint for a time already past never suggests one that does not exist: at 01:45 on Sat
/// 28 Mar 2026, tomorrow's 01:30 is in the hour the clocks skip.
#[test]
fn until_passed_before_the_clocks_go_forward() {
    use chrono::{TimeZone, Utc};
    let now = Utc.with_ymd_and_hms(2026, 3, 28, 1, 45, 0).unwrap();
    assert_eq!(
        refused_at("all freeze --until 01:30", now, "01:30 has passed"),
        "`01:30` today has already passed (it is 01:45 in Europe/London). Tomorrow the clocks go forward over 01:30: pick another time."
    );
}

/// A date alone is the start of that day in London, whatever the offset: across the spring
/// change (Sun 28 Mar 2027, 01:00 GMT -> 02:00 BST) the 29th starts at 23:00 UTC the day
/// before; the 28th itself starts before the jump, at 00:00 GMT; in autumn the other way.
/// Where the clocks skip midnight itself (Santiago, Sun 6 Sep 2026: 00:00 -04 becomes
/// 01:00 -03), the day starts at the end of the jump.
#[test]
fn until_a_date_alone_is_the_start_of_that_day_across_clock_changes() {
    use super::{CommandContext, HoldCommand};
    use chrono::{TimeZone, Utc};
    let utc = |y, mo, d, h| Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap();
    let london = |now| CommandContext { now, ..ctx() };
    let santiago = CommandContext {
        tz: chrono_tz::America::Santiago,
        now: utc(2026, 9, 1, 12),
        ..ctx()
    };
    let (spring, autumn) = (london(utc(2027, 3, 20, 10)), london(utc(2026, 10, 20, 10)));
    for (ctx, date, starts) in [
        (&spring, "2027-03-29", utc(2027, 3, 28, 23)),
        (&spring, "2027-03-28", utc(2027, 3, 28, 0)),
        (&autumn, "2026-10-25", utc(2026, 10, 24, 23)),
        (&autumn, "2026-10-26", utc(2026, 10, 26, 0)),
        (&santiago, "2026-09-06", utc(2026, 9, 6, 4)),
    ] {
        let text = format!("all clocks change --until {date}");
        match parse_hold(&text, ctx) {
            Ok(HoldCommand::Create { until, .. }) => assert_eq!(until, Some(starts), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

/// A date alone whose start has passed is refused with the message any past `--until` has,
/// showing the 00:00 it means; one of the year ahead is taken up to the same horizon.
#[test]
fn until_a_date_alone_keeps_the_limits() {
    use chrono::{TimeZone, Utc};
    let now = Utc.with_ymd_and_hms(2026, 12, 18, 14, 0, 0).unwrap();
    let ctx = super::CommandContext { now, ..ctx() };
    assert!(parse_hold("all freeze --until 2027-12-19", &ctx).is_ok());
    assert_eq!(
        refused_at(
            "all freeze --until 2026-12-18",
            now,
            "today's 00:00 has passed"
        ),
        "`2026-12-18 00:00` has already passed (it is 2026-12-18 14:00 in Europe/London)."
    );
    let ahead = refused_at(
        "all freeze --until 2027-12-20",
        now,
        "more than 366 days ahead",
    );
    assert!(ahead.contains("is more than 366 days ahead"), "{ahead}");
}
