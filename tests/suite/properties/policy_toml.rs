//! TOML building blocks for policy documents: strings, arbitrary values, lines and tables,
//! and the valid and near-miss values for each policy key.

use super::*;
use proptest::collection::vec;

/// A TOML basic string holding `s` exactly.
pub(super) fn toml_string(s: &str) -> String {
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
pub(super) fn toml_any() -> BoxedStrategy<String> {
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
pub(super) type Values = (&'static [&'static str], &'static [&'static str]);

/// A value for a key: mostly a valid string, sometimes a near miss, rarely anything.
pub(super) fn toml_str_from((good, bad): Values) -> BoxedStrategy<String> {
    prop_oneof![
        80 => select(good).prop_map(toml_string),
        6 => select(bad).prop_map(toml_string),
        1 => any::<String>().prop_map(|s| toml_string(&s)),
        1 => toml_any(),
    ]
    .boxed()
}

pub(super) fn toml_array_from((good, bad): Values) -> BoxedStrategy<String> {
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
pub(super) fn line(
    key: &'static str,
    value: BoxedStrategy<String>,
) -> BoxedStrategy<Option<String>> {
    prop_oneof![1 => Just(None), 2 => value.prop_map(move |v| Some(format!("{key} = {v}")))].boxed()
}

pub(super) fn unknown_line() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        100 => Just(None),
        1 => ("[a-z_]{1,10}", toml_any()).prop_map(|(k, v)| Some(format!("{k} = {v}"))),
    ]
    .boxed()
}

/// A table's lines in random order, under its header.
pub(super) fn table(
    header: &'static str,
    lines: Vec<BoxedStrategy<Option<String>>>,
) -> BoxedStrategy<String> {
    lines
        .prop_map(|lines| lines.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(move |lines| format!("{header}\n{}\n", lines.join("\n")))
        .boxed()
}

// Values for each policy key: (mostly) valid ones, and near misses.
pub(super) const CHANNELS: (&[&str], &[&str]) = (
    &["C0123456789", "G012ABC", "", "  C12  "],
    &["#deploy", "c123", "C1", "U0123"],
);
pub(super) const TIMEZONE_NAMES: (&[&str], &[&str]) = (
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
pub(super) const USERS: (&[&str], &[&str]) = (
    &["U0ADMIN", "W0123", "U0DEPLOY", "U123"],
    &["U1", "bob", "u0admin", "C0123", "<@U123>"],
);
pub(super) const COMMAND_NAMES: (&[&str], &[&str]) = (
    &["/deploy", "/hold", "/ship", "/freeze", "/a-b_c", "/d2"],
    &[
        "deploy",
        "/",
        "/DEPLOY",
        "/d\u{e9}ploy",
        "/abcdefghijklmnopqrstuvwxyz012345",
    ],
);
pub(super) const POLICY_APPS: (&[&str], &[&str]) = (
    &["whitehall", "publisher", "router", "a.b", "content-store"],
    &["Whitehall", "-x", "", "a b"],
);
pub(super) const ENV_NAMES: (&[&str], &[&str]) = (
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
pub(super) const WINDOW_KINDS: (&[&str], &[&str]) =
    (&["always", "office-hours"], &["sometimes", "Always", ""]);
pub(super) const DAY_HOURS: (&[&str], &[&str]) = (
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
pub(super) const REGIONS: (&[&str], &[&str]) = (
    &[
        "england-and-wales",
        "scotland",
        "northern-ireland",
        "none",
        "Scotland",
    ],
    &["wales", ""],
);
pub(super) const CLOSED_DATES: (&[&str], &[&str]) = (
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

pub(super) const FREEZE_NAMES: (&[&str], &[&str]) = (
    &[
        "Christmas change freeze",
        "Office move",
        "x",
        "The big freeze",
        "<!channel> & <b>co</b>",
        "  padded  ",
    ],
    &[
        "",
        "   ",
        "a freeze whose name is far too long to show: it runs on past the eighty characters",
    ],
);
/// First days of freezes: around the fixed instants `instant()` favours (a Christmas,
/// both clock changes, New Year) and a long way off.
const FREEZE_STARTS: &[&str] = &[
    "2026-12-21",
    "2026-11-24",
    "2026-11-25",
    "2026-11-28",
    "2026-03-27",
    "2026-03-30",
    "2026-10-23",
    "2026-10-26",
    "2026-12-31",
    "2027-01-01",
    "2026-03-06",
    "1999-12-20",
];
const FREEZE_DATES_BAD: &[&str] = &["2026-02-30", "2026-12-21T00:00", "21/12/2026", "2026-4-3"];

/// `from = ...` and `to = ...`: mostly a span of up to three weeks (quoted or a bare TOML
/// date), sometimes backwards, too long, a near miss or missing.
fn freeze_span() -> BoxedStrategy<Vec<Option<String>>> {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date");
    let span =
        (select(FREEZE_STARTS), -2i64..22, any::<bool>()).prop_map(move |(from, len, bare)| {
            let from = day(from);
            let to = from + chrono::Duration::days(len);
            let show = |d: chrono::NaiveDate| {
                let d = d.format("%Y-%m-%d").to_string();
                if bare {
                    d
                } else {
                    toml_string(&d)
                }
            };
            vec![
                Some(format!("from = {}", show(from))),
                Some(format!("to = {}", show(to))),
            ]
        });
    let date = || {
        prop_oneof![
            4 => select(FREEZE_STARTS).prop_map(toml_string),
            2 => select(FREEZE_DATES_BAD).prop_map(toml_string),
            1 => Just("2028-12-21".to_owned()),
            1 => toml_any(),
        ]
    };
    prop_oneof![
        12 => span,
        2 => (line("from", date().boxed()), line("to", date().boxed())).prop_map(|(f, t)| vec![f, t]),
    ]
    .boxed()
}

/// One `[[window.freezes]]` table, its lines in random order.
pub(super) fn freeze_table() -> BoxedStrategy<String> {
    let name = prop_oneof![
        1 => Just(None),
        20 => toml_str_from(FREEZE_NAMES).prop_map(|v| Some(format!("name = {v}"))),
    ];
    (name, freeze_span(), unknown_line())
        .prop_map(|(name, span, unknown)| {
            let mut lines: Vec<Option<String>> = span;
            lines.push(name);
            lines.push(unknown);
            lines.into_iter().flatten().collect::<Vec<_>>()
        })
        .prop_shuffle()
        .prop_map(|lines| format!("[[window.freezes]]\n{}\n", lines.join("\n")))
        .boxed()
}
