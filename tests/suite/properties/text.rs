//! Topic rendering (the hold segment keeps people's text and the limit) and the text
//! helpers `escape`, `truncate` and `mention`.

use super::world::ENV_POOL;
use super::*;
use badger::domain::text::{escape, mention, truncate};
use badger::domain::topic::{has_segment, render_topic, strip_segment, TopicHold, TOPIC_LIMIT};
use proptest::collection::vec;

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
            one_of(&ENV_POOL).prop_map(Some),
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
