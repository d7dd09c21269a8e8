//! The policy loader: near-valid policy documents, and what every loaded policy must be
//! (and that the parser and calendar can use it).

use super::policy_toml::*;
use super::*;
use badger::command::{parse_deploy, parse_hold, CommandContext, DeployCommand};
use badger::config::Policy;
use badger::domain::board::WindowNow;
use badger::domain::window::{format_local, freeze_ahead, next_opens, Calendar};
use proptest::collection::vec;

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
        // Named freezes, after the [window] table (or alone).
        prop_oneof![2 => Just(Vec::new()), 3 => vec(freeze_table(), 1..4)],
        prop_oneof![1 => Just(None), 2 => table("[queue]", vec![line("turn_timeout_minutes", turn_timeout), unknown_line()]).prop_map(Some)],
        prop_oneof![30 => Just(None), 1 => "[a-z_]{1,8}".prop_map(|t| Some(format!("[{t}]\nx = 1\n")))],
    )
        .prop_map(|(envs, window, freezes, queue, unknown)| {
            let mut tables = Vec::new();
            // Keep the [[environments]] together and in order, as people write them.
            tables.push(envs.concat());
            tables.push(window.unwrap_or_default() + &freezes.concat());
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
            let _ = parse_hold(
                &format!("all {} christmas --until 2027-01-04", names[0]),
                &ctx,
            );
            check_window(&policy.calendar, now)?;
            // And where the freezes are: the days before one starts, its first day.
            for f in policy.calendar.freezes.iter().take(2) {
                for (days, hour) in [(-3, 15), (-1, 12), (0, 10)] {
                    let day = f.from + chrono::Duration::days(days);
                    if let Some(at) = day.and_hms_opt(hour, 0, 0).map(|t| t.and_utc()) {
                        check_window(&policy.calendar, at)?;
                    }
                }
            }
            Ok(if policy.calendar.freezes.is_empty() {
                "ok".to_owned()
            } else {
                "ok with freezes".to_owned()
            })
        }
    }
}

/// The window's invariants at `now`: an opening holds its instant; the next one is later,
/// on a day no freeze or named closure closes; openings follow one another; what the next
/// opening skips lies between, is not the closure already named, and is worded on one line.
fn check_window(cal: &Calendar, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let day = |at: DateTime<Utc>| at.with_timezone(&cal.tz).date_naive();
    let current = cal.current(now);
    prop_assert_eq!(cal.is_open(now), current.is_some());
    let openings = cal.openings(now, 3);
    for o in current.iter().chain(&openings) {
        prop_assert!(o.opens < o.closes, "{o:?}");
        prop_assert!(cal.freeze_on(day(o.opens)).is_none(), "{o:?} in a freeze");
        prop_assert_eq!(cal.closure_at(o.opens), None, "{:?}", o);
    }
    if let Some(o) = current {
        prop_assert!(o.opens <= now && now < o.closes);
    }
    for pair in openings.windows(2) {
        prop_assert!(pair[0].closes <= pair[1].opens, "{pair:?}");
    }
    let named = current.is_none().then(|| cal.closure_at(now)).flatten();
    let skipping = cal.skipping(now, named.as_ref());
    let window = WindowNow::at(cal, now);
    prop_assert_eq!(&window.skipping, &skipping);
    prop_assert!(!window.describe(cal.tz).contains('\n'));
    let Some(next) = cal.next_opening(now) else {
        prop_assert!(skipping.is_empty());
        return Ok(());
    };
    prop_assert!(next.opens > now);
    for s in &skipping {
        prop_assert!(s.from < day(next.opens), "{s:?} is not before {next:?}");
        if let Some(until) = s.until {
            // A freeze closing a day after today (it may have begun before).
            prop_assert!(s.from <= until && until > day(now), "{s:?}");
            prop_assert!(cal
                .freezes
                .iter()
                .any(|f| f.name == s.name && f.to == until));
        } else {
            prop_assert!(s.from > day(now), "{s:?}");
        }
        prop_assert!(named
            .as_ref()
            .is_none_or(|c| c.name != s.name || c.until != s.until));
    }
    let words = next_opens(next.opens, &skipping, cal.tz);
    prop_assert!(!words.contains('\n') && words.starts_with(&format_local(next.opens, cal.tz)));
    if let Some(ahead) = freeze_ahead(next.opens, &skipping, cal.tz) {
        prop_assert!(skipping.iter().any(|s| s.until.is_some()), "{ahead}");
    }
    Ok(())
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
