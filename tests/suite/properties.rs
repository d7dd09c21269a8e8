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

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use badger::command::{
    parse_deploy, parse_hold, CommandContext, DeployCommand, HoldCommand, HoldScope, ParseError,
    ReleaseTarget, MAX_INPUT_CHARS, MAX_TEXT_CHARS,
};
use badger::config::Policy;
use badger::domain::names::{AppName, EnvName};
use badger::domain::text::{escape, mention, truncate};
use badger::domain::topic::{has_segment, render_topic, strip_segment, TopicHold, TOPIC_LIMIT};
use badger::slack::payload::{
    parse_interaction, ButtonPress, Interaction, PayloadError, SlashCommand,
};
use badger::slack::verify::{sign, verify, VerifyError, MAX_SKEW_SECS};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

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
// The command parsers
// ---------------------------------------------------------------------------------------

const ENV_POOL: &[&str] = &[
    "integration",
    "staging",
    "production",
    "prod",
    "dev",
    "test",
    "qa-2",
    "x_1",
    "e2e",
    "status",
    "help",
    "list",
    "release",
    "note",
    "emergency",
    "whitehall",
];

const APP_POOL: &[&str] = &[
    "whitehall",
    "publisher",
    "collections-publisher",
    "content-store",
    "search-api",
    "router",
    "status",
    "all",
    "to",
    "help",
    "list",
    "staging",
    "v1",
    "12",
    "a.b_c-d",
];

const TIMEZONES: &[Tz] = &[
    chrono_tz::Europe::London,
    chrono_tz::UTC,
    chrono_tz::America::New_York,
    chrono_tz::America::Santiago,
    chrono_tz::America::St_Johns,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Pacific::Kiritimati,
    chrono_tz::Pacific::Apia,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Africa::Casablanca,
];

/// The workspace a command is parsed in: environments, apps, timezone, the time.
#[derive(Debug, Clone)]
struct World {
    deploy: &'static str,
    hold: &'static str,
    envs: Vec<EnvName>,
    apps: Vec<AppName>,
    tz: Tz,
    now: DateTime<Utc>,
}

impl World {
    fn ctx(&self) -> CommandContext<'_> {
        CommandContext {
            deploy_command: self.deploy,
            hold_command: self.hold,
            environments: &self.envs,
            apps: &self.apps,
            tz: self.tz,
            now: self.now,
        }
    }
}

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

fn world() -> BoxedStrategy<World> {
    let envs = prop_oneof![
        2 => Just(vec!["integration", "staging", "production"]),
        3 => subsequence(ENV_POOL, 1..=5).prop_shuffle(),
    ];
    let apps = prop_oneof![
        2 => Just(Vec::new()),
        1 => subsequence(APP_POOL, 1..=6),
    ];
    let commands = select(&[("/deploy", "/hold"), ("/ship", "/freeze")][..]);
    (envs, apps, select(TIMEZONES), instant(), commands)
        .prop_map(|(envs, apps, tz, now, (deploy, hold))| World {
            deploy,
            hold,
            envs: envs.into_iter().map(EnvName::new_unchecked).collect(),
            apps: apps
                .into_iter()
                .map(|a| AppName::parse(a).expect("valid pool app"))
                .collect(),
            tz,
            now,
        })
        .boxed()
}

const KEYWORDS: &[&str] = &[
    "emergency",
    "done",
    "failed",
    "cancel",
    "status",
    "versions",
    "windows",
    "help",
    "to",
    "TO",
    "Status",
    "HELP",
    "list",
    "release",
    "all",
    "ALL",
    "relase",
    "stauts",
    "dnoe",
    "cancle",
    "emergncy",
    "lsit",
    "versoins",
];

const OPTIONS: &[&str] = &[
    "--note",
    "\u{2014}note",
    "\u{2013}note",
    "--NOTE",
    "--note=x",
    "--nte",
    "--until",
    "\u{2014}until",
    "--untill",
    "--until=10:00",
    "--help",
    "--status",
    "--",
    "-",
    "\u{2014}",
    "--1",
    "---note",
];

const IDS: &[&str] = &[
    "#12",
    "12",
    "1",
    "0",
    "#0",
    "-1",
    "#",
    "#-1",
    "+5",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "#abc",
    "\u{0661}\u{0662}",
    "\u{ff11}\u{ff12}",
];

const ENV_WORDS: &[&str] = &[
    "integration",
    "staging",
    "production",
    "prod",
    "dev",
    "test",
    "qa-2",
    "x_1",
    "e2e",
    "stagin",
    "PRODUCTION",
    "Staging",
    "intergation",
    "productio",
    "p",
    "\u{17f}taging",
];

const APP_WORDS: &[&str] = &[
    "whitehall",
    "publisher",
    "collections-publisher",
    "content-store",
    "search-api",
    "router",
    "a.b_c-d",
    "Whitehall",
    "whitehal",
    "-x",
    ".x",
    "a",
];

const REFS: &[&str] = &[
    "v1.2.3",
    "v1",
    "release_123",
    "main",
    "feature/x+y-1.2",
    "0a1b2c3d",
    "/x",
    "-x",
    "v1..2",
    "HEAD~1",
    "ref\u{200b}",
];

const DATES: &[&str] = &[
    "2026-02-30",
    "2026-11-24",
    "2026-11-25",
    "2026-12-31",
    "2027-01-01",
    "2026-3-29",
    "2026-03-29",
    "2026-10-25",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "9999-12-31",
    "2026-11-24T10:00",
    "2026/11/25",
    "26-11-25",
];

const TIMES: &[&str] = &[
    "25:00", "09:30", "9:30", "23:59", "24:00", "00:00", "10:00", "10:01", "09:59", "01:30",
    "02:30", "01:00", "12:60", "1:5", "123:00", "10:00am", "10.30", "99:99",
];

const MENTIONS: &[&str] = &[
    "<@U123>",
    "<@U123|bob>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<#C123|deploy>",
    "<https://example.com|y>",
    "&lt;",
    "&amp;",
    "`code`",
    "*bold*",
];

const ODD: &[&str] = &[
    "\u{1f680}",
    "\u{200b}",
    "\u{130}",
    "\u{fb01}",
    "e\u{301}",
    "\u{202e}",
    "\u{feff}",
    "\u{216b}",
    "\u{df}",
    "\u{1f512}",
    ":lock:",
];

const SEPARATORS: &[&str] = &[
    " ", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{0}", "\u{85}",
    "\u{2028}", "\u{1f}", "\u{7f}",
];

/// One word of a command: mostly from the grammar, sometimes anything.
fn command_word() -> BoxedStrategy<String> {
    prop_oneof![
        4 => strings(KEYWORDS),
        2 => strings(OPTIONS),
        2 => strings(IDS),
        4 => strings(ENV_WORDS),
        4 => strings(APP_WORDS),
        3 => strings(REFS),
        2 => strings(DATES),
        2 => strings(TIMES),
        1 => strings(MENTIONS),
        1 => strings(ODD),
        2 => "[a-z0-9._/+-]{1,12}",
        1 => "\\PC{1,10}",
        1 => "(?s).{1,6}",
        1 => "[a-z]{60,70}",
        1 => "[a-z0-9]{95,105}",
        1 => "[a-z]{480,520}",
    ]
    .boxed()
}

fn separator() -> BoxedStrategy<String> {
    strings(SEPARATORS)
}

/// Words joined by random whitespace and control characters, perhaps with some around.
fn join(words: Vec<String>, seps: Vec<String>, lead: String, tail: String) -> String {
    let mut out = lead;
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(seps.get(i % seps.len().max(1)).map_or(" ", String::as_str));
        }
        out.push_str(word);
    }
    out.push_str(&tail);
    out
}

fn maybe(word: &'static str) -> BoxedStrategy<Vec<String>> {
    prop_oneof![Just(Vec::new()), Just(vec![word.to_owned()])].boxed()
}

/// The names a world knows, for generating words that resolve.
#[derive(Debug, Clone)]
struct Known {
    envs: Vec<String>,
    apps: Vec<String>,
}

impl Known {
    fn of(world: &World) -> Self {
        let apps: Vec<String> = if world.apps.is_empty() {
            ["whitehall", "publisher", "router", "a.b_c-d"]
                .map(str::to_owned)
                .to_vec()
        } else {
            world.apps.iter().map(|a| a.as_str().to_owned()).collect()
        };
        Known {
            envs: world.envs.iter().map(|e| e.as_str().to_owned()).collect(),
            apps,
        }
    }

    /// A configured environment (sometimes in capitals), a near miss, or anything.
    fn env(&self) -> BoxedStrategy<String> {
        prop_oneof![
            6 => select(self.envs.clone()),
            1 => select(self.envs.clone()).prop_map(|e| e.to_ascii_uppercase()),
            2 => strings(ENV_WORDS),
            1 => command_word(),
        ]
        .boxed()
    }

    /// An allowed app, a near miss, or anything.
    fn app(&self) -> BoxedStrategy<String> {
        prop_oneof![
            6 => select(self.apps.clone()),
            2 => strings(APP_WORDS),
            1 => strings(APP_POOL),
            1 => command_word(),
        ]
        .boxed()
    }

    /// Any word, with the world's names among them.
    fn word(&self) -> BoxedStrategy<String> {
        prop_oneof![6 => command_word(), 1 => self.env(), 1 => self.app()].boxed()
    }
}

/// `APP REF [to] ENV`, each part mostly plausible.
fn target_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let git_ref = prop_oneof![6 => strings(REFS), 1 => known.env(), 1 => command_word()];
    (known.app(), git_ref, maybe("to"), known.env())
        .prop_map(|(app, git_ref, to, env)| {
            let mut words = vec![app, git_ref];
            words.extend(to);
            words.push(env);
            words
        })
        .boxed()
}

fn free_words(known: &Known, max: usize) -> BoxedStrategy<Vec<String>> {
    vec(prop_oneof![3 => "[a-z]{1,12}", 1 => known.word()], 0..max).boxed()
}

/// `/deploy` text shaped like one of its forms, then mutated a little.
fn deploy_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let request = (target_words(known), maybe("--note"), free_words(known, 6)).prop_map(
        |(mut words, note, more)| {
            words.extend(note);
            words.extend(more);
            words
        },
    );
    let emergency = (target_words(known), maybe("--note"), free_words(known, 6)).prop_map(
        |(target, note, more)| {
            let mut words = vec!["emergency".to_owned()];
            words.extend(target);
            words.extend(note);
            words.extend(more);
            words
        },
    );
    let sub = (strings(KEYWORDS), free_words(known, 3)).prop_map(|(kw, more)| {
        let mut words = vec![kw];
        words.extend(more);
        words
    });
    let text =
        (strings(&["done", "failed", "DONE"]), free_words(known, 10)).prop_map(|(kw, more)| {
            let mut words = vec![kw];
            words.extend(more);
            words
        });
    let one_arg = (
        strings(&["cancel", "status", "versions", "windows"]),
        vec(known.word(), 0..3),
    )
        .prop_map(|(kw, more)| {
            let mut words = vec![kw];
            words.extend(more);
            words
        });
    let random = vec(known.word(), 0..10);
    mutated(
        known,
        prop_oneof![
            4 => request,
            2 => emergency,
            1 => sub,
            1 => text,
            2 => one_arg,
            2 => random,
        ]
        .boxed(),
    )
}

/// `/hold` text shaped like one of its forms, then mutated a little.
fn hold_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let until = prop_oneof![
        2 => strings(TIMES).prop_map(|t| vec![t]),
        2 => (strings(DATES), strings(TIMES)).prop_map(|(d, t)| vec![d, t]),
        1 => strings(DATES).prop_map(|d| vec![d]),
        1 => Just(Vec::new()),
        1 => command_word().prop_map(|w| vec![w]),
    ];
    let until_opt = prop_oneof![
        Just(Vec::new()),
        (
            strings(&["--until", "\u{2014}until", "--UNTIL", "--untill"]),
            until
        )
            .prop_map(|(opt, value)| {
                let mut words = vec![opt];
                words.extend(value);
                words
            }),
    ]
    .boxed();
    let scope = prop_oneof![3 => known.app(), 1 => strings(&["all", "ALL", "All"])];
    let env = prop_oneof![1 => Just(Vec::new()), 2 => known.env().prop_map(|e| vec![e])];
    let create = (
        scope,
        env,
        free_words(known, 5),
        until_opt.clone(),
        free_words(known, 3),
        until_opt,
    )
        .prop_map(|(scope, env, reason, until, more, until2)| {
            let mut words = vec![scope];
            words.extend(env);
            words.extend(reason);
            words.extend(until);
            words.extend(more);
            words.extend(until2);
            words
        });
    let release = (
        strings(&["release", "RELEASE", "relase"]),
        prop_oneof![strings(IDS), known.app(), strings(&["all"]), command_word()],
        vec(known.word(), 0..2),
    )
        .prop_map(|(kw, target, more)| {
            let mut words = vec![kw, target];
            words.extend(more);
            words
        });
    let list = (
        strings(&["list", "LIST", "lsit", "help"]),
        vec(known.word(), 0..2),
    )
        .prop_map(|(kw, more)| {
            let mut words = vec![kw];
            words.extend(more);
            words
        });
    let random = vec(known.word(), 0..10);
    mutated(
        known,
        prop_oneof![5 => create, 2 => release, 1 => list, 2 => random].boxed(),
    )
}

/// Sometimes replaces, inserts or drops a word.
fn mutated(known: &Known, words: BoxedStrategy<Vec<String>>) -> BoxedStrategy<Vec<String>> {
    let edits = vec((any::<usize>(), 0u8..3, known.word()), 0..2);
    (words, prop_oneof![3 => Just(Vec::new()), 1 => edits])
        .prop_map(|(mut words, edits)| {
            for (at, op, word) in edits {
                let i = at % (words.len() + 1);
                match op {
                    0 if i < words.len() => words[i] = word,
                    1 if i < words.len() => {
                        words.remove(i);
                    }
                    _ => words.insert(i, word),
                }
            }
            words
        })
        .boxed()
}

/// A world and command text for it, from words joined with random whitespace, perhaps padded.
fn command_case(words: fn(&Known) -> BoxedStrategy<Vec<String>>) -> BoxedStrategy<(World, String)> {
    world()
        .prop_flat_map(move |world| {
            let pad = prop_oneof![4 => Just(String::new()), 1 => separator()].boxed();
            let text = (
                words(&Known::of(&world)),
                vec(separator(), 1..4),
                pad.clone(),
                pad,
            )
                .prop_map(|(words, seps, lead, tail)| join(words, seps, lead, tail));
            (Just(world), text)
        })
        .boxed()
}

/// The words the parsers see: split on whitespace and control characters (the contract).
fn words_of(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A note or reason: 1 to MAX_TEXT_CHARS characters, single spaces between words, no other
/// whitespace and no control characters.
fn check_free_text(what: &str, text: &str) -> Result<(), TestCaseError> {
    let len = chars(text);
    prop_assert!(
        (1..=MAX_TEXT_CHARS).contains(&len),
        "{what} of {len} chars: {text:?}"
    );
    prop_assert!(
        !text.starts_with(' ') && !text.ends_with(' ') && !text.contains("  "),
        "{what} has stray spaces: {text:?}"
    );
    prop_assert!(
        text.chars()
            .all(|c| c == ' ' || !(c.is_whitespace() || c.is_control())),
        "{what} has whitespace or control characters: {text:?}"
    );
    Ok(())
}

fn check_env(world: &World, env: &EnvName) -> Result<(), TestCaseError> {
    prop_assert!(
        world.envs.contains(env),
        "{env} is not one of {:?}",
        world.envs
    );
    Ok(())
}

fn check_app(world: &World, app: &AppName) -> Result<(), TestCaseError> {
    prop_assert!(
        world.apps.is_empty() || world.apps.contains(app),
        "{app} is not one of {:?}",
        world.apps
    );
    prop_assert!(AppName::parse(app.as_str()).is_ok());
    Ok(())
}

/// What every parse error must allow: a message, usage and `Display`, none of them empty
/// and none echoing unbounded input.
fn check_error(world: &World, err: &ParseError) -> Result<(), TestCaseError> {
    let ctx = world.ctx();
    let message = err.message(&ctx);
    let usage = err.usage(&ctx);
    let display = err.to_string();
    prop_assert!(!message.is_empty() && !usage.is_empty() && !display.is_empty());
    prop_assert!(
        chars(&message) <= 1_000,
        "message of {} chars: {message}",
        chars(&message)
    );
    Ok(())
}

fn check_deploy(world: &World, text: &str) -> Outcome {
    let result = parse_deploy(text, &world.ctx());
    let words = words_of(text);
    if chars(text) > MAX_INPUT_CHARS {
        prop_assert!(
            matches!(result, Err(ParseError::InputTooLong { .. })),
            "{result:?}"
        );
    } else if words.first().is_none_or(|w| w.eq_ignore_ascii_case("help")) {
        prop_assert_eq!(&result, &Ok(DeployCommand::Help));
    }
    match &result {
        Ok(DeployCommand::Request {
            app,
            git_ref,
            env,
            note,
        }) => {
            check_env(world, env)?;
            check_app(world, app)?;
            prop_assert_eq!(words[0], app.as_str());
            prop_assert_eq!(words[1], git_ref.as_str());
            let env_word = if words[2].eq_ignore_ascii_case("to") {
                words[3]
            } else {
                words[2]
            };
            prop_assert!(env.as_str().eq_ignore_ascii_case(env_word));
            if let Some(note) = note {
                check_free_text("note", note)?;
            }
        }
        Ok(DeployCommand::Emergency {
            app, env, reason, ..
        }) => {
            check_env(world, env)?;
            check_app(world, app)?;
            check_free_text("reason", reason)?;
        }
        Ok(DeployCommand::Done { note: Some(text) })
        | Ok(DeployCommand::Failed { reason: Some(text) }) => check_free_text("text", text)?,
        Ok(DeployCommand::Cancel { id: Some(id) }) => prop_assert!(*id > 0),
        Ok(DeployCommand::Status { env: Some(env) }) => check_env(world, env)?,
        Ok(DeployCommand::Versions { app: Some(app) }) => check_app(world, app)?,
        Ok(_) => {}
        Err(err) => check_error(world, err)?,
    }
    Ok(label(&result))
}

fn check_hold(world: &World, text: &str) -> Outcome {
    let result = parse_hold(text, &world.ctx());
    let words = words_of(text);
    if chars(text) > MAX_INPUT_CHARS {
        prop_assert!(
            matches!(result, Err(ParseError::InputTooLong { .. })),
            "{result:?}"
        );
    } else if words.first().is_none_or(|w| w.eq_ignore_ascii_case("help")) {
        prop_assert_eq!(&result, &Ok(HoldCommand::Help));
    }
    match &result {
        Ok(HoldCommand::Create {
            scope,
            env,
            reason,
            until,
        }) => {
            match scope {
                HoldScope::App(app) => {
                    check_app(world, app)?;
                    prop_assert!(!app.as_str().eq_ignore_ascii_case("all"));
                }
                HoldScope::All => prop_assert!(words[0].eq_ignore_ascii_case("all")),
            }
            if let Some(env) = env {
                check_env(world, env)?;
            }
            check_free_text("reason", reason)?;
            if let Some(until) = until {
                prop_assert!(*until > world.now, "{until} is not after {}", world.now);
            }
        }
        Ok(HoldCommand::Release { target }) => match target {
            ReleaseTarget::Id(id) => prop_assert!(*id > 0),
            ReleaseTarget::App(app) => check_app(world, app)?,
            ReleaseTarget::All => {}
        },
        Ok(_) => {}
        Err(err) => check_error(world, err)?,
    }
    Ok(label(&result))
}

#[test]
fn deploy_parser_survives_arbitrary_text() {
    check(
        "deploy/arbitrary",
        (world(), any_text()),
        |(world, text)| check_deploy(&world, &text),
    );
}

#[test]
fn deploy_parser_keeps_its_contract_on_near_valid_text() {
    check(
        "deploy/structured",
        command_case(deploy_words),
        |(world, text)| check_deploy(&world, &text),
    );
}

#[test]
fn hold_parser_survives_arbitrary_text() {
    check("hold/arbitrary", (world(), any_text()), |(world, text)| {
        check_hold(&world, &text)
    });
}

#[test]
fn hold_parser_keeps_its_contract_on_near_valid_text() {
    check(
        "hold/structured",
        command_case(hold_words),
        |(world, text)| check_hold(&world, &text),
    );
}

// ---------------------------------------------------------------------------------------
// The interaction payload parser
// ---------------------------------------------------------------------------------------

const JSON_KEYS: &[&str] = &[
    "type",
    "user",
    "id",
    "channel",
    "container",
    "channel_id",
    "actions",
    "action_id",
    "value",
    "message",
    "blocks",
    "block_id",
    "text",
    "elements",
    "team",
    "response_url",
    "trigger_id",
    "view",
    "state",
    "selected_option",
    "name",
    "username",
    "api_app_id",
    "token",
    "enterprise",
    "is_enterprise_install",
    "",
];

const INTERACTION_TYPES: &[&str] = &[
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
    "interactive_message",
    "BLOCK_ACTIONS",
    "",
];

const BLOCK_TYPES: &[&str] = &[
    "section",
    "actions",
    "context",
    "divider",
    "header",
    "rich_text",
    "input",
    "image",
    "video",
    "file",
    "markdown",
    "table",
    "some_future_block",
    "",
];

const ELEMENT_TYPES: &[&str] = &[
    "button",
    "static_select",
    "overflow",
    "datepicker",
    "checkboxes",
    "rich_text_input",
    "workflow_button",
    "some_future_element",
];

fn json_key() -> BoxedStrategy<String> {
    prop_oneof![3 => strings(JSON_KEYS), 1 => "\\PC{0,10}", 1 => "(?s).{0,4}"].boxed()
}

fn json_string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => strings(INTERACTION_TYPES),
        2 => "[A-Z0-9]{1,12}",
        2 => any::<String>(),
        1 => "(?s).{0,12}",
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        json_string().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, a few levels deep.
fn json_value() -> BoxedStrategy<Value> {
    json_tree(4, 32)
}

/// A small JSON value, for the many unknown fields around the known ones.
fn small_json() -> BoxedStrategy<Value> {
    json_tree(2, 8)
}

fn json_tree(depth: u32, size: u32) -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(depth, size, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((json_key(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

/// An object with random fields, none named in `taken` (renamed if drawn).
fn extras(taken: &'static [&'static str], max: usize) -> BoxedStrategy<Vec<(String, Value)>> {
    vec((json_key(), small_json()), 0..max)
        .prop_map(move |fields| {
            fields
                .into_iter()
                .map(|(k, v)| {
                    if taken.contains(&k.as_str()) {
                        (format!("x_{k}"), v)
                    } else {
                        (k, v)
                    }
                })
                .collect()
        })
        .boxed()
}

/// A block of a known or unknown type, with random fields.
fn block() -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => strings(BLOCK_TYPES), 1 => "\\PC{0,12}"],
        extras(&["type"], 3),
    )
        .prop_map(|(kind, fields)| {
            let mut block = Map::new();
            block.insert("type".into(), Value::String(kind));
            block.extend(fields);
            Value::Object(block)
        })
        .boxed()
}

fn form_encode(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    form.finish().into_bytes()
}

/// `payload=…` escaping only what must be (`%`, `&`, `+`, `#`), not the way
/// `form_urlencoded` does; other fields around it.
fn form_encode_minimal(payload: &str, before: &str, after: &str) -> Vec<u8> {
    let mut out = String::new();
    if !before.is_empty() {
        out.push_str(before);
        out.push('&');
    }
    out.push_str("payload=");
    for c in payload.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '+' => out.push_str("%2B"),
            '#' => out.push_str("%23"),
            _ => out.push(c),
        }
    }
    if !after.is_empty() {
        out.push('&');
        out.push_str(after);
    }
    out.into_bytes()
}

/// Whether the result's button presses (if any) all belong to the payload's user.
fn check_presses_user(result: &Result<Interaction, PayloadError>, v: &Value) -> Outcome {
    if let Ok(Interaction::Buttons(presses)) = result {
        let user = v.pointer("/user/id").and_then(Value::as_str);
        for press in presses {
            prop_assert_eq!(Some(press.user.as_str()), user);
        }
    }
    Ok(label(result))
}

#[test]
fn interaction_parser_survives_arbitrary_bytes() {
    let body = prop_oneof![
        2 => vec(any::<u8>(), 0..600),
        2 => vec(any::<u8>(), 0..300).prop_map(|b| [b"payload=".as_slice(), &b].concat()),
        2 => any_text().prop_map(|s| form_encode(&[("payload", &s)])),
        1 => any_text().prop_map(|s| format!("payload={s}").into_bytes()),
        1 => (0usize..3000, select(&["[", "{\"a\":", "[{\"type\":"][..]))
            .prop_map(|(n, open)| form_encode(&[("payload", &open.repeat(n))])),
    ];
    check("interaction/arbitrary", body, |body| {
        let result = parse_interaction(&body);
        if let Err(PayloadError::Json(message)) = &result {
            prop_assert!(!message.is_empty());
        }
        Ok(label(&result))
    });
}

#[test]
fn interaction_parser_survives_random_and_mistyped_json() {
    // Random JSON; objects of an interaction type with random fields; block_actions whose
    // known fields have random (often wrong) types.
    let typed = (strings(INTERACTION_TYPES), extras(&["type"], 6)).prop_map(|(kind, fields)| {
        let mut v = Map::new();
        v.insert("type".into(), Value::String(kind));
        v.extend(fields);
        Value::Object(v)
    });
    let field = || prop_oneof![1 => Just(None), 3 => json_value().prop_map(Some)];
    let string_field = || {
        prop_oneof![
            1 => Just(None),
            4 => json_string().prop_map(|s| Some(Value::String(s))),
            2 => json_value().prop_map(Some),
        ]
    };
    let user = prop_oneof![
        1 => json_value(),
        4 => (
            prop_oneof![3 => slack_id().prop_map(Value::String), 1 => json_value()],
            extras(&["id"], 3),
        )
            .prop_map(|(id, more)| {
            let mut user = Map::new();
            user.insert("id".into(), id);
            user.extend(more);
            Value::Object(user)
        }),
    ];
    let action = prop_oneof![
        1 => json_value(),
        3 => (string_field(), string_field(), extras(&["action_id", "value"], 3)).prop_map(|(id, value, more)| {
            let mut action = Map::new();
            if let Some(id) = id {
                action.insert("action_id".into(), id);
            }
            if let Some(value) = value {
                action.insert("value".into(), value);
            }
            action.extend(more);
            Value::Object(action)
        }),
    ];
    let actions = prop_oneof![1 => json_value(), 3 => vec(action, 0..4).prop_map(Value::Array)];
    let mistyped = (
        prop_oneof![3 => Just(Some(json!("block_actions"))), 1 => field()],
        prop_oneof![1 => Just(None), 4 => user.prop_map(Some)],
        prop_oneof![
            1 => field(),
            2 => (string_field(), extras(&["id"], 2)).prop_map(|(id, more)| {
                let mut channel: Map<String, Value> = more.into_iter().collect();
                if let Some(id) = id {
                    channel.insert("id".into(), id);
                }
                Some(Value::Object(channel))
            }),
        ],
        prop_oneof![
            1 => field(),
            1 => string_field().prop_map(|id| id.map(|id| json!({ "channel_id": id }))),
        ],
        prop_oneof![1 => Just(None), 4 => actions.prop_map(Some)],
        extras(&["type", "user", "channel", "container", "actions"], 3),
    )
        .prop_map(|(kind, user, channel, container, actions, more)| {
            let mut v = Map::new();
            for (k, field) in [
                ("type", kind),
                ("user", user),
                ("channel", channel),
                ("container", container),
                ("actions", actions),
            ] {
                if let Some(field) = field {
                    v.insert(k.into(), field);
                }
            }
            v.extend(more);
            Value::Object(v)
        });
    let value = prop_oneof![2 => json_value(), 2 => typed, 4 => mistyped];
    let around = prop_oneof![3 => Just(String::new()), 1 => "[a-z_]{1,8}=[a-z0-9%]{0,8}"].boxed();
    check(
        "interaction/json",
        (value, around.clone(), around),
        |(v, before, after)| {
            let json = v.to_string();
            let standard = parse_interaction(&form_encode(&[
                ("token", "x"),
                ("payload", &json),
                ("trigger_id", "1.2.3"),
            ]));
            let minimal = parse_interaction(&form_encode_minimal(&json, &before, &after));
            prop_assert_eq!(&standard, &minimal);
            check_presses_user(&standard, &v)
        },
    );
}

/// Where a block_actions payload says which channel it came from.
#[derive(Debug, Clone)]
enum ChannelAt {
    Channel(String),
    Container(String),
    Both(String, String),
    Nowhere,
}

/// One action of a block_actions payload: `action_id` and `value` as given (usually strings,
/// sometimes of another type or missing), the element type, and unknown fields.
#[derive(Debug, Clone)]
struct ActionModel {
    action_id: Option<Value>,
    value: Option<Value>,
    kind: String,
    extras: Vec<(String, Value)>,
}

/// A block_actions payload: what badger reads, and what it must ignore.
#[derive(Debug, Clone)]
struct BlockActions {
    user: String,
    channel: ChannelAt,
    actions: Vec<ActionModel>,
    top_extras: Vec<(String, Value)>,
    user_extras: Vec<(String, Value)>,
    channel_extras: Vec<(String, Value)>,
    container_extras: Vec<(String, Value)>,
    blocks: Vec<Value>,
}

impl BlockActions {
    /// The payload JSON, with or without the fields badger does not know.
    fn json(&self, with_extras: bool) -> Value {
        let pick = |fields: &[(String, Value)]| -> Map<String, Value> {
            if with_extras {
                fields.iter().cloned().collect()
            } else {
                Map::new()
            }
        };
        let mut v = pick(&self.top_extras);
        v.insert("type".into(), json!("block_actions"));
        let mut user = pick(&self.user_extras);
        user.insert("id".into(), json!(self.user));
        v.insert("user".into(), Value::Object(user));
        let (channel, container_id) = match &self.channel {
            ChannelAt::Channel(c) => (Some(c), None),
            ChannelAt::Container(c) => (None, Some(c)),
            ChannelAt::Both(a, b) => (Some(a), Some(b)),
            ChannelAt::Nowhere => (None, None),
        };
        if let Some(c) = channel {
            let mut channel = pick(&self.channel_extras);
            channel.insert("id".into(), json!(c));
            v.insert("channel".into(), Value::Object(channel));
        }
        let mut container = pick(&self.container_extras);
        if let Some(c) = container_id {
            container.insert("channel_id".into(), json!(c));
        }
        if !container.is_empty() {
            v.insert("container".into(), Value::Object(container));
        }
        if with_extras {
            v.insert(
                "message".into(),
                json!({ "type": "message", "blocks": self.blocks }),
            );
        }
        let actions: Vec<Value> = self
            .actions
            .iter()
            .map(|a| {
                let mut action = pick(&a.extras);
                if with_extras {
                    action.insert("type".into(), json!(a.kind));
                }
                if let Some(id) = &a.action_id {
                    action.insert("action_id".into(), id.clone());
                }
                if let Some(value) = &a.value {
                    action.insert("value".into(), value.clone());
                }
                Value::Object(action)
            })
            .collect();
        v.insert("actions".into(), Value::Array(actions));
        Value::Object(v)
    }

    /// The presses badger should see: every action with a string `action_id`, its
    /// string `value` or "", from `channel.id`, else `container.channel_id`, else "".
    fn expected(&self) -> Interaction {
        let channel = match &self.channel {
            ChannelAt::Channel(c) | ChannelAt::Both(c, _) | ChannelAt::Container(c) => c.clone(),
            ChannelAt::Nowhere => String::new(),
        };
        Interaction::Buttons(
            self.actions
                .iter()
                .filter_map(|a| {
                    Some(ButtonPress {
                        user: self.user.clone(),
                        channel: channel.clone(),
                        action_id: a.action_id.as_ref()?.as_str()?.to_owned(),
                        value: a
                            .value
                            .as_ref()
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    })
                })
                .collect(),
        )
    }
}

fn slack_id() -> BoxedStrategy<String> {
    prop_oneof![4 => "[UWC][A-Z0-9]{8,10}", 1 => "\\PC{0,12}", 1 => any::<String>()].boxed()
}

fn block_actions() -> BoxedStrategy<BlockActions> {
    let channel = prop_oneof![
        4 => slack_id().prop_map(ChannelAt::Channel),
        2 => slack_id().prop_map(ChannelAt::Container),
        1 => (slack_id(), slack_id()).prop_map(|(a, b)| ChannelAt::Both(a, b)),
        1 => Just(ChannelAt::Nowhere),
    ];
    let action_id = prop_oneof![
        6 => strings(&["deploy_start", "deploy_done", "deploy_failed", "deploy_cancel", "hold_release"])
            .prop_map(|s| Some(json!(s))),
        2 => json_string().prop_map(|s| Some(json!(s))),
        1 => json_value().prop_map(Some),
        1 => Just(None),
    ];
    let value = prop_oneof![
        6 => "[0-9]{1,6}".prop_map(|s| Some(json!(s))),
        2 => json_string().prop_map(|s| Some(json!(s))),
        1 => json_value().prop_map(Some),
        1 => Just(None),
    ];
    let action = (
        action_id,
        value,
        strings(ELEMENT_TYPES),
        extras(&["action_id", "value", "type"], 3),
    )
        .prop_map(|(action_id, value, kind, extras)| ActionModel {
            action_id,
            value,
            kind,
            extras,
        });
    (
        slack_id(),
        channel,
        vec(action, 0..4),
        extras(
            &["type", "user", "channel", "container", "actions", "message"],
            5,
        ),
        extras(&["id"], 3),
        extras(&["id"], 3),
        extras(&["channel_id"], 3),
        vec(block(), 0..4),
    )
        .prop_map(
            |(user, channel, actions, top, user_x, channel_x, container_x, blocks)| BlockActions {
                user,
                channel,
                actions,
                top_extras: top,
                user_extras: user_x,
                channel_extras: channel_x,
                container_extras: container_x,
                blocks,
            },
        )
        .boxed()
}

#[test]
fn interaction_unknown_fields_and_block_types_do_not_change_presses() {
    check("interaction/block_actions", block_actions(), |model| {
        let plain = parse_interaction(&form_encode(&[("payload", &model.json(false).to_string())]));
        let noisy = parse_interaction(&form_encode(&[("payload", &model.json(true).to_string())]));
        let expected = model.expected();
        prop_assert_eq!(&plain, &Ok(expected));
        prop_assert_eq!(&noisy, &plain);
        Ok(match &plain {
            Ok(Interaction::Buttons(p)) => format!("{} presses", p.len().min(3)),
            other => label(other),
        })
    });
}

/// The fields Slack sends with a slash command that badger does not read.
const SLASH_EXTRAS: &[&str] = &[
    "token",
    "team_domain",
    "enterprise_id",
    "enterprise_name",
    "channel_name",
    "user_name",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
];

#[test]
fn slash_command_form_ignores_unknown_fields() {
    // A slash command form as Slack sends it, with unknown fields (Slack's own and random
    // ones) in random places, or arbitrary bytes.
    let extra_key = prop_oneof![
        2 => strings(SLASH_EXTRAS),
        1 => "[a-z_]{1,12}".prop_map(|k| match k.as_str() {
            "command" | "text" | "user_id" | "channel_id" | "team_id" => format!("x_{k}"),
            _ => k,
        }),
    ];
    let form = (
        prop_oneof![3 => strings(&["/deploy", "/hold"]), 1 => any_text()],
        prop_oneof![1 => Just(None), 4 => any_text().prop_map(Some)],
        slack_id(),
        slack_id(),
        prop_oneof![Just(None), slack_id().prop_map(Some)],
        proptest::collection::btree_map(extra_key, "(?s).{0,40}", 0..6),
        any::<u64>(),
    );
    check(
        "slash/form",
        (form, vec(any::<u8>(), 0..200)),
        |((command, text, user, channel, team, extras, order), junk)| {
            // Arbitrary bytes: an error or a command, never a panic.
            let _ = serde_urlencoded::from_bytes::<SlashCommand>(&junk);
            let mut known = vec![
                ("command", command.clone()),
                ("user_id", user.clone()),
                ("channel_id", channel.clone()),
            ];
            known.extend(text.clone().map(|t| ("text", t)));
            known.extend(team.clone().map(|t| ("team_id", t)));
            let plain: Vec<(&str, &str)> = known.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // The unknown fields go in among the known ones, in an order drawn from `order`.
            let mut noisy = plain.clone();
            for (i, (k, v)) in extras.iter().enumerate() {
                let at = (order as usize).wrapping_add(i * 7) % (noisy.len() + 1);
                noisy.insert(at, (k.as_str(), v.as_str()));
            }
            let expected = SlashCommand {
                command,
                text: text.unwrap_or_default(),
                user_id: user,
                channel_id: channel,
                team_id: team.unwrap_or_default(),
            };
            let plain = serde_urlencoded::from_bytes::<SlashCommand>(&form_encode(&plain));
            let noisy = serde_urlencoded::from_bytes::<SlashCommand>(&form_encode(&noisy));
            prop_assert_eq!(plain.as_ref().ok(), Some(&expected), "{:?}", plain);
            prop_assert_eq!(noisy.as_ref().ok(), Some(&expected), "{:?}", noisy);
            Ok(format!("{} unknown fields", extras.len().min(3)))
        },
    );
}

// ---------------------------------------------------------------------------------------
// The policy loader
// ---------------------------------------------------------------------------------------

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Any TOML value as text, valid or not.
fn toml_any() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        strings(&["1.5", "-0.0", "inf", "nan", "1e400", "0x1F", "0o7", "1_000", "+1"]),
        any::<String>().prop_map(|s| toml_string(&s)),
        "[a-z]{0,8}".prop_map(|s| format!("'{s}'")),
        strings(&[
            "1979-05-27",
            "1979-05-27T07:32:00Z",
            "07:32:00",
            "2026-02-30"
        ]),
        "\\PC{0,8}",
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
            vec(("[a-z_]{1,8}", inner), 0..3).prop_map(|kv| {
                let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
        ]
    })
    .boxed()
}

/// Plausible values for a key, and near misses.
type Values = (&'static [&'static str], &'static [&'static str]);

/// A value for a key: mostly a valid string, sometimes a near miss, rarely anything.
fn toml_str_from((good, bad): Values) -> BoxedStrategy<String> {
    prop_oneof![
        80 => select(good).prop_map(toml_string),
        6 => select(bad).prop_map(toml_string),
        1 => any::<String>().prop_map(|s| toml_string(&s)),
        1 => toml_any(),
    ]
    .boxed()
}

fn toml_array_from((good, bad): Values) -> BoxedStrategy<String> {
    let item = prop_oneof![12 => select(good), 1 => select(bad)];
    prop_oneof![
        32 => vec(item, 0..4).prop_map(|items| {
            let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
            format!("[{}]", items.join(", "))
        }),
        1 => toml_any(),
    ]
    .boxed()
}

/// `key = value` or nothing.
fn line(key: &'static str, value: BoxedStrategy<String>) -> BoxedStrategy<Option<String>> {
    prop_oneof![1 => Just(None), 2 => value.prop_map(move |v| Some(format!("{key} = {v}")))].boxed()
}

fn unknown_line() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        100 => Just(None),
        1 => ("[a-z_]{1,10}", toml_any()).prop_map(|(k, v)| Some(format!("{k} = {v}"))),
    ]
    .boxed()
}

/// A table's lines in random order, under its header.
fn table(header: &'static str, lines: Vec<BoxedStrategy<Option<String>>>) -> BoxedStrategy<String> {
    lines
        .prop_map(|lines| lines.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(move |lines| format!("{header}\n{}\n", lines.join("\n")))
        .boxed()
}

// Values for each policy key: (mostly) valid ones, and near misses.
const CHANNELS: (&[&str], &[&str]) = (
    &["C0123456789", "G012ABC", "", "  C12  "],
    &["#deploy", "c123", "C1", "U0123"],
);
const TIMEZONE_NAMES: (&[&str], &[&str]) = (
    &[
        "Europe/London",
        "UTC",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Pacific/Chatham",
    ],
    &["Europe/Londn", "", "europe/london", "GMT+25"],
);
const USERS: (&[&str], &[&str]) = (
    &["U0ADMIN", "W0123", "U0DEPLOY", "U123"],
    &["U1", "bob", "u0admin", "C0123", "<@U123>"],
);
const COMMAND_NAMES: (&[&str], &[&str]) = (
    &["/deploy", "/hold", "/ship", "/freeze", "/a-b_c", "/d2"],
    &[
        "deploy",
        "/",
        "/DEPLOY",
        "/d\u{e9}ploy",
        "/abcdefghijklmnopqrstuvwxyz012345",
    ],
);
const POLICY_APPS: (&[&str], &[&str]) = (
    &["whitehall", "publisher", "router", "a.b", "content-store"],
    &["Whitehall", "-x", "", "a b"],
);
const ENV_NAMES: (&[&str], &[&str]) = (
    &[
        "integration",
        "staging",
        "production",
        "status",
        "qa_1",
        "a",
        "e2e",
        "dev",
        "live",
        "preview",
        " staging ",
    ],
    &["to", "all", "-x", "Prod", "", "prod\u{e9}"],
);
const WINDOW_KINDS: (&[&str], &[&str]) =
    (&["always", "office-hours"], &["sometimes", "Always", ""]);
const DAY_HOURS: (&[&str], &[&str]) = (
    &[
        "09:30-17:00",
        "closed",
        "CLOSED",
        "00:00-24:00",
        "9:30-17:00",
        "10:00-24:00",
        "09:30 - 17:00",
        "01:00-03:00",
        "00:30-02:30",
    ],
    &[
        "24:00-01:00",
        "17:00-09:00",
        "",
        "25:00-26:00",
        "09:30-",
        "-",
    ],
);
const REGIONS: (&[&str], &[&str]) = (
    &[
        "england-and-wales",
        "scotland",
        "northern-ireland",
        "none",
        "Scotland",
    ],
    &["wales", ""],
);
const CLOSED_DATES: (&[&str], &[&str]) = (
    &[
        "2026-12-24",
        "2026-2-3",
        "0000-01-01",
        "9999-12-31",
        "2026-03-29",
    ],
    &[
        "2026-02-30",
        "2026-12-24T00:00",
        "+10000-01-01",
        "-0001-12-31",
        "24/12/2026",
    ],
);

fn policy_document() -> BoxedStrategy<String> {
    let top = vec![
        line("channel", toml_str_from(CHANNELS)),
        line("timezone", toml_str_from(TIMEZONE_NAMES)),
        line("admins", toml_array_from(USERS)),
        line("apps", toml_array_from(POLICY_APPS)),
        unknown_line(),
    ]
    .prop_map(|lines| lines.into_iter().flatten().collect::<Vec<_>>())
    .prop_shuffle()
    .prop_map(|lines| lines.join("\n") + "\n");
    let turn_timeout = prop_oneof![
        12 => select(&[0i64, 1, 10, 1440, 1441, -1, i64::MIN, i64::MAX][..]).prop_map(|n| n.to_string()),
        1 => toml_any(),
    ]
    .boxed();
    let environment = || {
        table(
            "[[environments]]",
            vec![
                prop_oneof![1 => Just(None), 30 => toml_str_from(ENV_NAMES).prop_map(|v| Some(format!("name = {v}")))]
                    .boxed(),
                line("window", toml_str_from(WINDOW_KINDS)),
                line(
                    "requires_previous",
                    prop_oneof![16 => any::<bool>().prop_map(|b| b.to_string()), 1 => toml_any()].boxed(),
                ),
                line("deployers", toml_array_from(USERS)),
                unknown_line(),
            ],
        )
    };
    let days = badger::config::WEEKDAYS;
    let mut window_lines: Vec<_> = days
        .iter()
        .map(|day| line(day, toml_str_from(DAY_HOURS)))
        .collect();
    window_lines.push(line("bank_holidays", toml_str_from(REGIONS)));
    window_lines.push(line("closed_dates", toml_array_from(CLOSED_DATES)));
    window_lines.push(unknown_line());
    // `commands` as an inline table at the top, or as a [commands] table, or not at all.
    let commands = prop_oneof![
        2 => Just((String::new(), None)),
        1 => prop_oneof![
            12 => (toml_str_from(COMMAND_NAMES), toml_str_from(COMMAND_NAMES))
                .prop_map(|(d, h)| format!("{{ deploy = {d}, hold = {h} }}")),
            1 => toml_any(),
        ]
        .prop_map(|v| (format!("commands = {v}\n"), None)),
        2 => table(
            "[commands]",
            vec![line("deploy", toml_str_from(COMMAND_NAMES)), line("hold", toml_str_from(COMMAND_NAMES))],
        )
        .prop_map(|t| (String::new(), Some(t))),
    ];
    let tables = (
        vec(environment(), 0..5),
        prop_oneof![1 => Just(None), 2 => table("[window]", window_lines).prop_map(Some)],
        prop_oneof![1 => Just(None), 2 => table("[queue]", vec![line("turn_timeout_minutes", turn_timeout), unknown_line()]).prop_map(Some)],
        prop_oneof![30 => Just(None), 1 => "[a-z_]{1,8}".prop_map(|t| Some(format!("[{t}]\nx = 1\n")))],
    )
        .prop_map(|(envs, window, queue, unknown)| {
            let mut tables = Vec::new();
            // Keep the [[environments]] together and in order, as people write them.
            tables.push(envs.concat());
            tables.extend(window);
            tables.extend(queue);
            tables.extend(unknown);
            tables
        })
        .prop_shuffle();
    let edits = vec(
        (
            any::<usize>(),
            0u8..3,
            prop_oneof![
                "(?s).{0,3}",
                strings(&["\n", "=", "[", "]", "\"", "'", "#"])
            ],
        ),
        0..2,
    );
    let empty_envs = prop_oneof![30 => Just(""), 1 => Just("environments = []\n")];
    (
        top,
        empty_envs,
        commands,
        tables,
        prop_oneof![8 => Just(Vec::new()), 1 => edits],
    )
        .prop_map(|(top, empty_envs, (inline, table), mut tables, edits)| {
            tables.extend(table);
            let doc = top + empty_envs + &inline + &tables.concat();
            let mut doc: Vec<char> = doc.chars().collect();
            for (at, op, text) in edits {
                let i = at % (doc.len() + 1);
                match op {
                    0 => {
                        let end = (i + 1 + at % 7).min(doc.len());
                        doc.drain(i..end);
                    }
                    1 => doc.truncate(i),
                    _ => {
                        doc.splice(i..i, text.chars());
                    }
                }
            }
            doc.into_iter().collect()
        })
        .boxed()
}

fn policy_path() -> BoxedStrategy<String> {
    prop_oneof![
        2 => Just("badger.toml".to_owned()),
        1 => Just("/etc/badger/policy.toml".to_owned()),
        1 => "\\PC{0,24}",
        1 => any::<String>(),
    ]
    .boxed()
}

/// What a loaded policy always is, and that badger can use it.
fn check_policy(text: &str, path: &str, now: DateTime<Utc>) -> Outcome {
    match Policy::from_toml(text, path) {
        Err(err) => {
            let shown = err.to_string();
            prop_assert!(shown.contains(path), "{shown:?} does not name {path:?}");
            Ok(format!("err {}", variant(&err)))
        }
        Ok(policy) => {
            let names = policy.env_names();
            prop_assert!(!names.is_empty());
            for (i, env) in policy.environments.iter().enumerate() {
                prop_assert!(!env.name.as_str().is_empty() && env.name.as_str().len() <= 32);
                prop_assert!(!matches!(env.name.as_str(), "to" | "all"));
                prop_assert_eq!(names.iter().filter(|n| **n == env.name).count(), 1);
                prop_assert!(i > 0 || !env.requires_previous);
                prop_assert!(policy.previous_env(&env.name).is_none() || i > 0);
                policy.window_open(env, now);
            }
            prop_assert!((1..=1440).contains(&policy.turn_timeout.num_minutes()));
            prop_assert_ne!(&policy.deploy_command, &policy.hold_command);
            if let Some(channel) = &policy.channel {
                prop_assert!(channel.starts_with(['C', 'G']));
            }
            // The loaded policy drives the parser and the calendar.
            let ctx = CommandContext {
                deploy_command: &policy.deploy_command,
                hold_command: &policy.hold_command,
                environments: &names,
                apps: &policy.apps,
                tz: policy.calendar.tz,
                now,
            };
            let request = format!("whitehall v1 to {}", names[0]);
            let parsed = parse_deploy(&request, &ctx);
            if policy.apps.is_empty() {
                prop_assert!(
                    matches!(parsed, Ok(DeployCommand::Request { .. })),
                    "{request:?}: {parsed:?}"
                );
            }
            let _ = parse_hold(&format!("all {} migration --until 23:59", names[0]), &ctx);
            policy.calendar.is_open(now);
            let _ = policy.calendar.openings(now, 3);
            Ok("ok".to_owned())
        }
    }
}

#[test]
fn policy_loader_survives_arbitrary_text() {
    check(
        "policy/arbitrary",
        (any_text(), policy_path()),
        |(text, path)| check_policy(&text, &path, utc(2026, 11, 24, 10, 0)),
    );
}

#[test]
fn policy_loader_names_the_file_on_near_valid_documents() {
    check(
        "policy/structured",
        (policy_document(), policy_path(), instant()),
        |(text, path, now)| check_policy(&text, &path, now),
    );
}

// ---------------------------------------------------------------------------------------
// The topic, text helpers and request signatures
// ---------------------------------------------------------------------------------------

const TOPIC_PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    " | ",
    "|",
    "\u{1f512}",
    ":lock:",
    " Held: ",
    "\u{1f512} Held: ",
    "<",
    ">",
    "&",
    "&amp;",
    "<!channel>",
    "<@U1>",
    "\u{e9}",
    "\u{1f680}",
    "\n",
    "\u{fe0f}",
    ";",
    "(",
    ")",
    "\u{2026}",
    "all",
    "x",
    "\u{202e}",
    "\u{0}",
    "deploy freeze from 20 Dec",
];

/// Topic-like text: pieces that matter to the segment, or anything.
fn topic_text(max_pieces: usize) -> BoxedStrategy<String> {
    prop_oneof![
        4 => vec(select(TOPIC_PIECES), 0..max_pieces).prop_map(|p| p.concat()),
        1 => any::<String>(),
        1 => "[a-z ]{180,260}",
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct HoldText {
    scope: String,
    env: Option<String>,
    owner: String,
    reason: String,
}

fn hold_text() -> BoxedStrategy<HoldText> {
    (
        prop_oneof![2 => strings(&["whitehall", "all", "ALL", "*", "router"]), 1 => topic_text(4)],
        prop_oneof![
            Just(None),
            strings(ENV_POOL).prop_map(Some),
            topic_text(3).prop_map(Some)
        ],
        prop_oneof![3 => "U[A-Z0-9]{4,10}", 1 => topic_text(3)],
        prop_oneof![2 => topic_text(30), 1 => "[a-z ]{0,200}"],
    )
        .prop_map(|(scope, env, owner, reason)| HoldText {
            scope,
            env,
            owner,
            reason,
        })
        .boxed()
}

#[test]
fn topic_rendering_keeps_peoples_text_and_the_limit() {
    check(
        "topic/render",
        (topic_text(60), vec(hold_text(), 0..25)),
        |(topic, holds)| {
            let holds: Vec<TopicHold> = holds
                .iter()
                .map(|h| TopicHold {
                    scope: &h.scope,
                    env: h.env.as_deref(),
                    owner: &h.owner,
                    reason: &h.reason,
                })
                .collect();
            let people = strip_segment(&topic);
            prop_assert_eq!(&strip_segment(&people), &people);
            let rendered = render_topic(&topic, &holds);
            prop_assert_eq!(&strip_segment(&rendered), &people);
            if chars(&people) <= TOPIC_LIMIT {
                prop_assert!(chars(&rendered) <= TOPIC_LIMIT, "{rendered:?}");
            }
            if chars(&people) <= 200 && !holds.is_empty() {
                prop_assert!(has_segment(&rendered), "{rendered:?}");
            }
            if holds.is_empty() {
                prop_assert_eq!(&rendered, &people);
            }
            prop_assert_eq!(&render_topic(&rendered, &holds), &rendered);
            Ok(if has_segment(&rendered) {
                "segment".to_owned()
            } else {
                "no segment".to_owned()
            })
        },
    );
}

/// Undoes [`escape`].
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let (c, len) = if rest.starts_with("&amp;") {
            ('&', 5)
        } else if rest.starts_with("&lt;") {
            ('<', 4)
        } else if rest.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

#[test]
fn escape_and_truncate_keep_their_promises() {
    let text = prop_oneof![
        2 => any_text(),
        2 => vec(select(TOPIC_PIECES), 0..40).prop_map(|p| p.concat()),
    ];
    check("text/escape+truncate", (text, 0usize..300), |(s, max)| {
        let escaped = escape(&s);
        prop_assert!(!escaped.contains('<') && !escaped.contains('>'));
        prop_assert_eq!(&unescape(&escaped), &s);
        for input in [&s, &escaped] {
            let cut = truncate(input, max);
            prop_assert!(chars(&cut) <= max, "{max}: {cut:?}");
            if chars(input) <= max {
                prop_assert_eq!(&cut, input);
            } else if max > 0 {
                let kept = cut.strip_suffix('\u{2026}');
                prop_assert!(kept.is_some(), "{cut:?}");
                prop_assert!(input.starts_with(kept.unwrap_or_default()));
            }
        }
        // Every `&` of escaped text starts an entity, and a cut never splits one.
        let cut = truncate(&escaped, max);
        let kept = cut.strip_suffix('\u{2026}').unwrap_or(&cut);
        if let Some(amp) = kept.rfind('&') {
            prop_assert!(kept[amp..].contains(';'), "cut inside an entity: {cut:?}");
        }
        let shown = mention(&s);
        prop_assert!(
            !shown.contains('<') || (shown.starts_with("<@") && !s.contains(['<', '>', '|'])),
            "{shown:?}"
        );
        Ok(if chars(&s) > max { "cut" } else { "fits" }.to_owned())
    });
}

#[test]
fn signature_check_survives_arbitrary_headers() {
    let now = prop_oneof![
        3 => 1_500_000_000i64..2_100_000_000,
        1 => DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
        1 => select(vec![DateTime::<Utc>::MIN_UTC.timestamp(), DateTime::<Utc>::MAX_UTC.timestamp(), 0]),
    ]
    .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"));
    // The timestamp header: near now, any number, extremes, or junk.
    let timestamp = prop_oneof![
        3 => (-400i64..400).prop_map(|d| (d, None)),
        1 => any::<i64>().prop_map(|n| (0, Some(n.to_string()))),
        1 => select(&[i64::MIN, i64::MAX, i64::MIN + 1, -i64::MAX][..]).prop_map(|n| (0, Some(n.to_string()))),
        1 => any_text().prop_map(|s| (0, Some(s))),
        1 => select(&[" 1531420618 ", "+1531420618", "1531420618\n", "", "0x10", "1e9"][..])
            .prop_map(|s| (0, Some(s.to_owned()))),
    ];
    let signature = prop_oneof![
        3 => Just(None),
        1 => any_text().prop_map(Some),
        1 => "v0=[0-9a-f]{64}".prop_map(Some),
    ];
    check(
        "verify/headers",
        (
            any::<String>(),
            now,
            timestamp,
            signature,
            vec(any::<u8>(), 0..256),
            any::<bool>(),
        ),
        |(secret, now, (delta, ts), signature, body, missing)| {
            let ts = ts.unwrap_or_else(|| now.timestamp().saturating_add(delta).to_string());
            // With the right signature: ok exactly when the timestamp is a number within
            // five minutes of now.
            let good = sign(&secret, &ts, &body);
            let signature = signature.unwrap_or(good.clone());
            let result = verify(&secret, Some(&ts), Some(&signature), &body, now);
            let fresh = ts
                .trim()
                .parse::<i64>()
                .ok()
                .map(|t| i128::from(now.timestamp()) - i128::from(t));
            match fresh {
                None => prop_assert_eq!(result, Err(VerifyError::BadTimestamp)),
                Some(skew) if skew.abs() > i128::from(MAX_SKEW_SECS) => {
                    prop_assert_eq!(result, Err(VerifyError::Stale))
                }
                Some(_) if signature.trim() == good => prop_assert_eq!(result, Ok(())),
                Some(_) => prop_assert_eq!(result, Err(VerifyError::Mismatch)),
            }
            if result.is_ok() && !body.is_empty() {
                let mut tampered = body.clone();
                tampered[0] ^= 1;
                prop_assert_eq!(
                    verify(&secret, Some(&ts), Some(&signature), &tampered, now),
                    Err(VerifyError::Mismatch)
                );
            }
            if missing {
                prop_assert_eq!(
                    verify(&secret, None, Some(&signature), &body, now),
                    Err(VerifyError::Missing)
                );
            }
            Ok(label(&result))
        },
    );
}
