//! Property tests: badger's input edges against arbitrary and near-valid input.
//!
//! Only the stable toolchain is available, so this is proptest rather than cargo-fuzz. Each
//! target gets two kinds of input: arbitrary strings or bytes (any Unicode, control
//! characters, long input), and structured generators that produce near-valid input so the
//! deep code paths run (command words from the real grammar, Slack-shaped JSON, policy files
//! assembled from the real keys). Every property checks that nothing panics, plus a few
//! cheap semantic rules.
//!
//! The number of cases per property comes from `BADGER_PROPTEST_CASES` (default 2,000, so
//! `cargo test` stays quick). The recorded long run is
//!
//! ```text
//! BADGER_PROPTEST_CASES=100000 cargo test --release --test suite properties:: -- --nocapture
//! ```
//!
//! Each property prints how many cases passed, how long it took and what the cases turned
//! into (`ok Request`, `err UnknownEnvironment`, …), which shows the generators reach past
//! the first error. On a failure proptest shrinks the input and the panic message shows the
//! minimal case; a regression test for it belongs next to the code it found.
//!
//! This module holds the runner (`check`) and the strategies several parts share. The parts:
//! `world`, `command_words`, `command_text` and `command_parsers` (the command parsers);
//! `payload_json`, `interactions` and `block_actions` (the interaction payload parser);
//! `slash_forms`; `policy_toml` and `policy` (the policy loader); `text` (topic and text
//! helpers); `signatures` (request signatures).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

mod block_actions;
mod command_parsers;
mod command_text;
mod command_words;
mod interactions;
mod payload_json;
mod policy;
mod policy_toml;
mod signatures;
mod slash_forms;
mod text;
mod world;

// ---------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------

/// Cases per property: `BADGER_PROPTEST_CASES`, default 2,000.
fn cases() -> u32 {
    match std::env::var("BADGER_PROPTEST_CASES") {
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("BADGER_PROPTEST_CASES={v:?} is not a number")),
        Err(_) => 2_000,
    }
}

/// Runs `test` on `cases()` values of `strategy`, then prints the count, the time and a
/// tally of the outcomes `test` reports. Panics (with proptest's minimal failing input)
/// if any case fails or panics.
fn check<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Outcome) {
    let cases = cases();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let tally = Mutex::new(BTreeMap::<String, u64>::new());
    let start = Instant::now();
    let result = runner.run(&strategy, |value| {
        let outcome = test(value)?;
        *tally
            .lock()
            .expect("tally lock")
            .entry(outcome)
            .or_default() += 1;
        Ok(())
    });
    let elapsed = start.elapsed().as_secs_f64();
    let tally = tally.into_inner().expect("tally lock");
    let passed: u64 = tally.values().sum();
    let summary: Vec<String> = tally.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    println!(
        "property {name}: {passed} cases passed in {elapsed:.2}s [{}]",
        summary.join(", ")
    );
    if let Err(err) = result {
        panic!("property {name} failed: {err}");
    }
    assert!(
        passed >= u64::from(cases),
        "{name}: only {passed} cases ran"
    );
}

/// What a case turned into (for the tally), or why it failed.
type Outcome = Result<String, TestCaseError>;

/// The variant name of a value's `Debug` form: `Request`, `UnknownEnvironment`, ….
fn variant(value: &impl std::fmt::Debug) -> String {
    let debug = format!("{value:?}");
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn label<T: std::fmt::Debug, E: std::fmt::Debug>(result: &Result<T, E>) -> String {
    let (kind, name) = match result {
        Ok(v) => ("ok", variant(v)),
        Err(e) => ("err", variant(e)),
    };
    format!("{kind} {name}").trim_end().to_owned()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn strings(items: &'static [&'static str]) -> BoxedStrategy<String> {
    select(items).prop_map(str::to_owned).boxed()
}

/// One string from any of `lists`, each string equally likely (as if the lists were one).
fn one_of(lists: &[&'static [&'static str]]) -> BoxedStrategy<String> {
    select(lists.concat()).prop_map(str::to_owned).boxed()
}

/// Any string, weighted towards short ones, with control characters and the odd long one.
fn any_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<String>(),
        4 => "(?s).{0,80}",
        2 => "[ -~]{0,120}",
        1 => "(?s).{3990,4010}",
        1 => (any::<String>(), 0usize..400).prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Times, and Slack-shaped input, shared by several parts
// ---------------------------------------------------------------------------------------

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid fixture time")
}

fn instant() -> BoxedStrategy<DateTime<Utc>> {
    // Clock changes (UK, US, Lord Howe's half hour), New Year, and anywhere in 1990-2100.
    let pivots = vec![
        utc(2026, 11, 24, 10, 0),
        utc(2026, 3, 29, 1, 0),
        utc(2026, 10, 25, 1, 0),
        utc(2026, 3, 8, 7, 0),
        utc(2026, 4, 4, 15, 0),
        utc(2026, 12, 31, 23, 30),
    ];
    prop_oneof![
        1 => Just(utc(2026, 11, 24, 10, 0)),
        3 => (select(pivots), -3 * 86_400i64..3 * 86_400)
            .prop_map(|(t, s)| t + chrono::Duration::seconds(s)),
        2 => (631_152_000i64..4_102_444_800)
            .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range")),
    ]
    .boxed()
}

fn form_encode(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    form.finish().into_bytes()
}

fn slack_id() -> BoxedStrategy<String> {
    prop_oneof![4 => "[UWC][A-Z0-9]{8,10}", 1 => "\\PC{0,12}", 1 => any::<String>()].boxed()
}
