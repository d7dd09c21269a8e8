//! The vocabulary of command text: words from the real grammar and their near misses,
//! separators, and the names a world knows (`Known`).

use super::world::{World, APP_NAMES, APP_POOL, ENV_NAMES};
use super::*;

pub(super) const KEYWORDS: &[&str] = &[
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

pub(super) const IDS: &[&str] = &[
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

/// Near misses of environment names: typos, capitals, look-alikes.
const ENV_MISSES: &[&str] = &[
    "stagin",
    "PRODUCTION",
    "Staging",
    "intergation",
    "productio",
    "p",
    "\u{17f}taging",
];

/// Other app words: near misses of app names, and odd ones, valid or not.
const APP_MISSES: &[&str] = &["a.b_c-d", "Whitehall", "whitehal", "-x", ".x", "a"];

pub(super) const REFS: &[&str] = &[
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

pub(super) const DATES: &[&str] = &[
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

pub(super) const TIMES: &[&str] = &[
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
pub(super) fn command_word() -> BoxedStrategy<String> {
    prop_oneof![
        4 => strings(KEYWORDS),
        2 => strings(OPTIONS),
        2 => strings(IDS),
        4 => env_word(),
        4 => app_word(),
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

/// A real-looking environment name or a near miss of one.
fn env_word() -> BoxedStrategy<String> {
    one_of(&[ENV_NAMES, ENV_MISSES])
}

/// A real-looking app name or a near miss of one.
fn app_word() -> BoxedStrategy<String> {
    one_of(&[APP_NAMES, APP_MISSES])
}

pub(super) fn separator() -> BoxedStrategy<String> {
    strings(SEPARATORS)
}

/// Words joined by random whitespace and control characters, perhaps with some around.
pub(super) fn join(words: Vec<String>, seps: Vec<String>, lead: String, tail: String) -> String {
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

pub(super) fn maybe(word: &'static str) -> BoxedStrategy<Vec<String>> {
    prop_oneof![Just(Vec::new()), Just(vec![word.to_owned()])].boxed()
}

/// The names a world knows, for generating words that resolve.
#[derive(Debug, Clone)]
pub(super) struct Known {
    envs: Vec<String>,
    apps: Vec<String>,
}

impl Known {
    pub(super) fn of(world: &World) -> Self {
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
    pub(super) fn env(&self) -> BoxedStrategy<String> {
        prop_oneof![
            6 => select(self.envs.clone()),
            1 => select(self.envs.clone()).prop_map(|e| e.to_ascii_uppercase()),
            2 => env_word(),
            1 => command_word(),
        ]
        .boxed()
    }

    /// An allowed app, a near miss, or anything.
    pub(super) fn app(&self) -> BoxedStrategy<String> {
        prop_oneof![
            6 => select(self.apps.clone()),
            2 => app_word(),
            1 => one_of(&APP_POOL),
            1 => command_word(),
        ]
        .boxed()
    }

    /// Any word, with the world's names among them.
    pub(super) fn word(&self) -> BoxedStrategy<String> {
        prop_oneof![6 => command_word(), 1 => self.env(), 1 => self.app()].boxed()
    }
}
