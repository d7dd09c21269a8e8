//! Both parsers over a few thousand deterministic junk strings: nothing may panic,
//! and whatever parses keeps the limits on free text and `--until`.

use super::test_support::{ctx, ctx_apps, ctx_custom};
use super::{parse_deploy, parse_hold, DeployCommand, HoldCommand, MAX_TEXT_CHARS};

/// A small deterministic generator (xorshift64*), so the junk is the same every run.
struct Junk(u64);

impl Junk {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "whitehall",
    "publisher",
    "release_123",
    "v1",
    "to",
    "TO",
    "staging",
    "production",
    "integration",
    "prod",
    "stagin",
    "relase",
    "all",
    "--note",
    "--until",
    "\u{2014}until",
    "\u{2013}note",
    "--",
    "—",
    "#",
    "#12",
    "12",
    "0",
    "-1",
    "99999999999999999999999",
    "17:00",
    "9:30",
    "25:00",
    "12:60",
    "2026-02-30",
    "2026-12-01",
    "2027-03-28",
    "01:30",
    "2027-10-31",
    "9999-12-31",
    "0000-01-01",
    "23:59",
    "<@U123|bob>",
    "<#C1|x>",
    "<!channel>",
    "😀",
    "工事中",
    "é",
    "e\u{301}",
    "İ",
    "ſ",
    "ß",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{3000}",
    "\t",
    "\n",
    "\r\n",
    " ",
    "  ",
    "`",
    "```",
    "*",
    "_",
    "~",
    "=",
    ":",
    "-",
    "--note=x",
    "--until=17:00",
    "\u{10ffff}",
    "\u{fffd}",
];

/// The pieces junk is made of: both commands' subcommand keywords, read from the parsers'
/// own tables so a new subcommand is in the junk too, and [`PIECES`].
fn pieces() -> Vec<&'static str> {
    let keywords = super::deploy::SUBCOMMANDS
        .iter()
        .chain(super::hold::SUBCOMMANDS);
    keywords
        .map(|(k, _)| *k)
        .chain(PIECES.iter().copied())
        .collect()
}

fn junk_string(junk: &mut Junk, pieces: &[&str]) -> String {
    let mut s = String::new();
    for _ in 0..junk.below(12) {
        if junk.below(10) == 0 {
            // A random scalar value, anywhere in Unicode.
            let c = char::from_u32((junk.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}');
            s.push(c);
        } else {
            s.push_str(pieces[junk.below(pieces.len())]);
        }
        if junk.below(3) > 0 {
            s.push(' ');
        }
    }
    s
}

fn check_no_panic(input: &str) {
    for ctx in [ctx(), ctx_apps(), ctx_custom()] {
        match parse_deploy(input, &ctx) {
            Ok(DeployCommand::Request {
                note: Some(text), ..
            })
            | Ok(DeployCommand::Emergency { reason: text, .. })
            | Ok(DeployCommand::Done { note: Some(text) })
            | Ok(DeployCommand::Failed { reason: Some(text) }) => {
                assert!(!text.is_empty() && text.chars().count() <= MAX_TEXT_CHARS);
                assert!(!text.chars().any(char::is_control), "{text:?}");
            }
            Ok(_) => {}
            Err(err) => {
                let _ = (err.message(&ctx), err.usage(&ctx), err.to_string());
            }
        }
        match parse_hold(input, &ctx) {
            Ok(HoldCommand::Create { reason, until, .. }) => {
                assert!(!reason.is_empty() && reason.chars().count() <= MAX_TEXT_CHARS);
                assert!(until.is_none_or(|t| t > ctx.now));
            }
            Ok(_) => {}
            Err(err) => {
                let _ = (err.message(&ctx), err.usage(&ctx), err.to_string());
            }
        }
    }
}

#[test]
fn junk_never_panics() {
    let mut junk = Junk(0x9e37_79b9_7f4a_7c15);
    let pieces = pieces();
    assert!(pieces.contains(&"versions") && pieces.contains(&"release"));
    for _ in 0..4000 {
        check_no_panic(&junk_string(&mut junk, &pieces));
    }
    // Random bytes, made valid UTF-8.
    for _ in 0..500 {
        let bytes: Vec<u8> = (0..junk.below(64)).map(|_| junk.next() as u8).collect();
        check_no_panic(&String::from_utf8_lossy(&bytes));
    }
    // Huge inputs around the limits.
    for input in [
        "a".repeat(4000),
        "a".repeat(4001),
        "x".repeat(1_000_000),
        format!("whitehall v1 staging --note {}", "🚀".repeat(3000)),
        format!("all {} --until 17:00", "w ".repeat(1900)),
        " ".repeat(5000),
        "\u{0}".repeat(4000),
        format!("{} v1 staging", "a".repeat(3900)),
        format!("whitehall v1 {}", "s".repeat(3900)),
        format!("release {}", "9".repeat(3900)),
    ] {
        check_no_panic(&input);
    }
}
