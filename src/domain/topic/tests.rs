//! Unit tests of the topic segment: round trips byte for byte, people's edits around the
//! segment, the length budget, escaping, and arbitrary input.

use super::render::{segment, Item};
use super::*;

fn hold<'a>(
    scope: &'a str,
    env: Option<&'a str>,
    owner: &'a str,
    reason: &'a str,
) -> TopicHold<'a> {
    TopicHold {
        scope,
        env,
        owner,
        reason,
    }
}

/// Renders `holds` into `topic`, checking what every rendering keeps: people's part (what
/// `strip_segment` leaves, and what rendering no holds gives back), a segment, the limit,
/// and the same topic when rendered again.
#[track_caller]
fn rendered_stably(topic: &str, holds: &[TopicHold]) {
    let people = strip_segment(topic);
    let once = render_topic(topic, holds);
    assert_eq!(strip_segment(&once), people, "{topic:?} -> {once:?}");
    assert_eq!(render_topic(&once, holds), once, "{topic:?}");
    assert_eq!(render_topic(&once, &[]), people, "{topic:?}");
    assert!(has_segment(&once), "{once:?}");
    assert!(chars(&once) <= TOPIC_LIMIT, "{once:?}");
}

/// Two holds for `reason`: whitehall's by U1 and publisher's by U2, all environments.
fn whitehall_and_publisher(reason: &str) -> [TopicHold<'_>; 2] {
    [
        hold("whitehall", None, "U1", reason),
        hold("publisher", None, "U2", reason),
    ]
}

const PEOPLE: &str = "Deploys: https://docs.publishing.service.gov.uk | Freeze from 20 Dec 🎄";

#[test]
fn one_hold_is_appended_and_removed_byte_for_byte() {
    let holds = [hold(
        "whitehall",
        Some("production"),
        "U123",
        "db migration",
    )];
    let topic = render_topic(PEOPLE, &holds);
    assert_eq!(
        topic,
        format!("{PEOPLE} | 🔒 Held: whitehall/production (<@U123>: db migration) 🔒")
    );
    assert!(topic.starts_with(PEOPLE));
    assert!(has_segment(&topic));
    assert_eq!(strip_segment(&topic), PEOPLE);
    assert_eq!(render_topic(&topic, &[]), PEOPLE);
    assert!(!has_segment(PEOPLE));
}

#[test]
fn people_text_survives_odd_spacing_and_separators() {
    let holds = [hold("whitehall", None, "U1", "x")];
    for people in [
        "a",
        "a | ",
        "a |",
        " | a",
        "  padded  ",
        "line\nbreak",
        "| |",
        "🔒 mine",
    ] {
        assert_eq!(strip_segment(people), people);
        rendered_stably(people, &holds);
    }
}

#[test]
fn several_holds_in_order_with_all_wording() {
    let holds = [
        hold("whitehall", Some("production"), "U123", "db migration"),
        hold("all", None, "U456", "incident"),
        hold("ALL", Some("staging"), "U789", ""),
        hold("*", None, "U1", "stored form"),
    ];
    let topic = render_topic("", &holds);
    assert_eq!(
            topic,
            "🔒 Held: whitehall/production (<@U123>: db migration); ALL apps (<@U456>: incident); ALL apps in staging (<@U789>); ALL apps (<@U1>: stored form) 🔒"
        );
}

#[test]
fn empty_topic_gets_segment_alone_and_returns_to_empty() {
    let holds = [hold("publisher", None, "U1", "testing")];
    let topic = render_topic("", &holds);
    assert_eq!(topic, "🔒 Held: publisher (<@U1>: testing) 🔒");
    assert_eq!(strip_segment(&topic), "");
    assert_eq!(render_topic(&topic, &[]), "");
    assert_eq!(render_topic("", &[]), "");
}

#[test]
fn segment_is_found_after_people_edit_around_it() {
    let holds = [hold("whitehall", None, "U1", "db migration")];
    let ours = render_topic("", &holds);

    // Text added before (with and without a separator) and after.
    let edited = format!("New intro | {ours} | on call: <@U9>");
    assert!(has_segment(&edited));
    assert_eq!(strip_segment(&edited), "New intro | on call: <@U9>");
    // Updated in place, people's text untouched.
    let more = [
        hold("whitehall", None, "U1", "db migration"),
        hold("publisher", None, "U2", "release"),
    ];
    let updated = render_topic(&edited, &more);
    assert_eq!(
            updated,
            "New intro | 🔒 Held: whitehall (<@U1>: db migration); publisher (<@U2>: release) 🔒 | on call: <@U9>"
        );
    assert_eq!(render_topic(&updated, &[]), "New intro | on call: <@U9>");

    // Segment first, text after.
    let first = format!("{ours} | later text");
    assert_eq!(strip_segment(&first), "later text");
    assert_eq!(
        render_topic(&first, &more),
        format!("{} | later text", render_topic("", &more))
    );

    // Text glued on without separators is still kept.
    let glued = format!("before{ours}after");
    assert_eq!(strip_segment(&glued), "beforeafter");
    assert_eq!(
        render_topic(&glued, &more),
        format!("before{}after", render_topic("", &more))
    );

    // People's text containing locks of its own.
    let locks = format!("🔒 the door | {ours} | 🔒");
    assert_eq!(strip_segment(&locks), "🔒 the door | 🔒");
}

#[test]
fn shortcode_and_variation_selector_forms_are_recognised() {
    let ours = render_topic("", &[hold("whitehall", None, "U1", "db")]);
    let shortcoded = format!("intro | {}", ours.replace('🔒', ":lock:"));
    assert!(has_segment(&shortcoded));
    assert_eq!(strip_segment(&shortcoded), "intro");
    let selector = format!("intro | {}", ours.replace('🔒', "🔒\u{FE0F}"));
    assert_eq!(strip_segment(&selector), "intro");
    let holds = [hold("publisher", None, "U2", "x")];
    assert_eq!(
        render_topic(&shortcoded, &holds),
        render_topic("intro", &holds)
    );
}

#[test]
fn incomplete_segments_are_people_text() {
    // Without the closing lock badger does not claim the text.
    let broken = "intro | 🔒 Held: whitehall (<@U1>: db";
    assert!(!has_segment(broken));
    assert_eq!(strip_segment(broken), broken);
    let holds = [hold("publisher", None, "U2", "x")];
    let topic = render_topic(broken, &holds);
    assert!(topic.starts_with(broken));
    assert_eq!(render_topic(&topic, &[]), broken);
}

#[test]
fn stale_duplicate_segments_are_all_removed() {
    let a = render_topic("", &[hold("a", None, "U1", "one")]);
    let b = render_topic("", &[hold("b", None, "U2", "two")]);
    let topic = format!("intro | {a} | mid | {b} | end");
    assert_eq!(strip_segment(&topic), "intro | mid | end");
    let holds = [hold("c", None, "U3", "three")];
    let c = render_topic("", &holds);
    assert_eq!(
        render_topic(&topic, &holds),
        format!("intro | mid | {c} | end")
    );
    let back_to_back = format!("{a} | {b}");
    assert_eq!(strip_segment(&back_to_back), "");
    assert_eq!(render_topic(&back_to_back, &holds), c);
}

#[test]
fn twenty_holds_with_long_reasons_fit_and_are_summarised() {
    let reason = "a very long reason that goes on and on about the database migration we are running & why <!channel> must wait for it to finish before anything else is deployed";
    let owners: Vec<String> = (0..20).map(|i| format!("U{i:08}")).collect();
    let apps: Vec<String> = (0..20).map(|i| format!("application-{i}")).collect();
    let holds: Vec<TopicHold> = (0..20)
        .map(|i| hold(&apps[i], Some("production"), &owners[i], reason))
        .collect();
    for people in ["", "short", PEOPLE] {
        let topic = render_topic(people, &holds);
        assert!(chars(&topic) <= TOPIC_LIMIT, "{}: {topic}", chars(&topic));
        assert!(topic.contains(" more holds"), "{topic}");
        assert!(topic.starts_with(people));
        assert!(topic.contains("application-0/production (<@U00000000>"));
        let shown = topic.matches("application-").count();
        assert!(
            topic.contains(&format!("+{} more holds 🔒", 20 - shown)),
            "{topic}"
        );
        assert_eq!(render_topic(&topic, &holds), topic);
        assert_eq!(render_topic(&topic, &[]), people);
    }
}

#[test]
fn reasons_are_shortened_before_holds_are_dropped() {
    let long = "x".repeat(200);
    let holds = whitehall_and_publisher(&long);
    // Plenty of room: reasons are capped at REASON_CAP.
    let topic = render_topic("", &holds);
    assert!(
        topic.contains(&format!("{}…)", "x".repeat(REASON_CAP - 1))),
        "{topic}"
    );
    assert_eq!(topic.matches('…').count(), 2);

    // Less room: both reasons are cut further, both holds still shown.
    let people = "p".repeat(120);
    let topic = render_topic(&people, &holds);
    assert!(
        (TOPIC_LIMIT - 2..=TOPIC_LIMIT).contains(&chars(&topic)),
        "{topic}"
    );
    assert!(topic.contains("whitehall (<@U1>: x") && topic.contains("publisher (<@U2>: x"));
    assert!(!topic.contains("more hold"));

    for (people, ending) in [
        // Little room: reasons go, holds stay.
        (190, "whitehall (<@U1>); publisher (<@U2>) 🔒"),
        // Less still: the second hold is summarised.
        (203, "whitehall (<@U1>); +1 more hold 🔒"),
        // Almost none: only the count.
        (225, " | 🔒 Held: 2 holds 🔒"),
    ] {
        let topic = render_topic(&"p".repeat(people), &holds);
        assert!(chars(&topic) <= TOPIC_LIMIT, "{topic}");
        assert!(topic.ends_with(ending), "{people}: {topic}");
    }
}

#[test]
fn longest_reasons_that_fit_are_chosen() {
    let reasons = ["a".repeat(90), "b & c ".repeat(12), "short".to_owned()];
    let holds: Vec<TopicHold> = reasons
        .iter()
        .enumerate()
        .map(|(i, r)| hold(["whitehall", "publisher", "all"][i], None, "U1", r))
        .collect();
    let items: Vec<Item> = holds.iter().map(Item::new).collect();
    for budget in 0..=TOPIC_LIMIT {
        // What a plain linear search would pick: most holds first, then longest reasons.
        let expected = (1..=holds.len())
            .rev()
            .flat_map(|shown| {
                (REASON_MIN..=REASON_CAP)
                    .rev()
                    .chain([0])
                    .map(move |cap| (shown, cap))
            })
            .map(|(shown, cap)| segment(&items, shown, holds.len(), cap))
            .chain([segment(&items, 0, holds.len(), 0)])
            .find(|s| chars(s) <= budget);
        assert_eq!(segment_within(&holds, budget), expected, "budget {budget}");
    }
}

#[test]
fn reasons_cannot_inject_slack_syntax() {
    let holds = [
        hold("whitehall", None, "U1", "<!channel> ping <@U123> & co"),
        hold("publisher", None, "U2", "see <https://x|y> <!here>"),
    ];
    let topic = render_topic("intro", &holds);
    assert_eq!(
        topic,
        "intro | 🔒 Held: whitehall (<@U1>: &lt;!channel&gt; ping &lt;@U123&gt; &amp; co); \
             publisher (<@U2>: see &lt;https://x|y&gt; &lt;!here&gt;) 🔒"
    );
    // The only control sequences badger writes are the owners' mentions.
    let segment = topic.trim_start_matches("intro | ");
    assert_eq!(segment.matches('<').count(), 2);
    assert_eq!(segment.matches('>').count(), 2);
}

#[test]
fn other_fields_cannot_inject_or_break_the_segment() {
    let holds = [hold(
        "<!channel>",
        Some("prod 🔒 Held: x :lock:"),
        "<!here>",
        "before 🔒 after :lock: end\nline two\u{202E}",
    )];
    let topic = render_topic("intro", &holds);
    assert!(has_segment(&topic));
    assert_eq!(strip_segment(&topic), "intro");
    assert_eq!(topic.matches('🔒').count(), 2, "{topic}");
    assert!(!topic.contains(":lock:"));
    assert!(!topic.contains('\n') && !topic.contains('\u{202E}'));
    assert!(!topic.contains('<') && !topic.contains('>'), "{topic}");
    assert!(
        topic.contains(
            "&lt;!channel&gt;/prod Held: x lock (&lt;!here&gt;: before after lock end line two)"
        ),
        "{topic}"
    );
    // Empty fields still read sensibly.
    let topic = render_topic("", &[hold("", Some(""), "", "   ")]);
    assert_eq!(topic, "🔒 Held: ? (someone) 🔒");
}

#[test]
fn escaped_reasons_are_never_cut_inside_an_entity() {
    let reason = "&".repeat(100);
    let holds = whitehall_and_publisher(&reason);
    for n in 0..150 {
        let people = "p".repeat(n);
        let topic = render_topic(&people, &holds);
        assert!(chars(&topic) <= TOPIC_LIMIT);
        let ours = topic.strip_prefix(people.as_str()).unwrap_or_default();
        for part in ours.split("&amp;") {
            assert!(!part.contains('&'), "{topic}");
        }
    }
}

#[test]
fn topic_exactly_at_the_limit() {
    let holds = [hold("whitehall", None, "U1", "db migration")];
    // People's text is already the limit: left alone, no segment.
    let full = "a".repeat(TOPIC_LIMIT);
    assert_eq!(render_topic(&full, &holds), full);
    assert!(!has_segment(&render_topic(&full, &holds)));
    // Room for exactly the shortest segment: the result is exactly at the limit.
    let summary = " | 🔒 Held: 1 hold 🔒";
    let people = "b".repeat(TOPIC_LIMIT - chars(summary));
    let topic = render_topic(&people, &holds);
    assert_eq!(topic, format!("{people}{summary}"));
    assert_eq!(chars(&topic), TOPIC_LIMIT);
    // One character short of that: no segment.
    let people = "c".repeat(TOPIC_LIMIT - chars(summary) + 1);
    assert_eq!(render_topic(&people, &holds), people);
    // A full topic that held a segment loses it, and nothing else.
    let with_segment = render_topic("d", &holds);
    let long = format!("{}{}", "e".repeat(TOPIC_LIMIT), with_segment);
    assert_eq!(
        render_topic(&long, &holds),
        format!("{}d", "e".repeat(TOPIC_LIMIT))
    );
}

#[test]
fn people_text_longer_than_the_limit_is_left_alone() {
    let long = "x".repeat(400);
    let holds = [hold("whitehall", None, "U1", "r")];
    assert_eq!(render_topic(&long, &holds), long);
    assert_eq!(render_topic(&long, &[]), long);
}

#[test]
fn unicode_is_counted_in_chars() {
    // 150 chars of emoji, accented letters and CJK: 450 bytes.
    let people: String = "🚀é漢".repeat(50);
    assert_eq!(chars(&people), 150);
    let reason = "déploiement 🚀 en cours — 漢字".repeat(5);
    let holds = [hold("whitehall", Some("production"), "U1", &reason)];
    let topic = render_topic(&people, &holds);
    assert!(topic.len() > TOPIC_LIMIT);
    assert!(chars(&topic) <= TOPIC_LIMIT, "{}", chars(&topic));
    assert!(
        topic.contains("whitehall/production (<@U1>: déploiement"),
        "{topic}"
    );
    assert_eq!(render_topic(&topic, &[]), people);
}

#[test]
fn rendering_is_idempotent() {
    let holds = [
        hold("whitehall", Some("production"), "U123", "db migration"),
        hold("all", None, "U456", "incident <!here> & more"),
    ];
    for people in ["", "intro", PEOPLE, &"z".repeat(240), &"y".repeat(170)] {
        let once = render_topic(people, &holds);
        let twice = render_topic(&once, &holds);
        assert_eq!(once, twice);
        assert_eq!(render_topic(&twice, &[]), people);
        assert_eq!(render_topic(&render_topic(people, &[]), &[]), people);
    }
}

// The property test over arbitrary topics and holds (people's text kept, the limit, a
// second rendering changing nothing) is `topic_rendering_keeps_peoples_text_and_the_limit`
// in tests/suite/properties/, with proptest's shrinking; the cases it found are below.

#[test]
fn stray_markers_around_the_segment_are_not_left_to_form_one() {
    // Found by tests/suite/properties/: with a stray opener before badger's segment and a
    // stray lock after it, the text around the segment was kept in place as people's,
    // although `strip_segment` (which removes what becomes a segment once badger's is
    // gone) says people's part is empty. When the new segment did not fit, the result
    // was that text alone, which rendering again replaced (not idempotent); and it
    // could be over the limit although people's part was empty.
    let holds = [
        hold("whitehall", None, "U1", "db migration"),
        hold("router", None, "U2", ""),
    ];
    for stray in ["a", &"a".repeat(230), &"a".repeat(260)] {
        let topic = format!("🔒 Held: {stray} | 🔒 Held: x (<@U9>) 🔒 b :lock:");
        rendered_stably(&topic, &holds);
    }
}

#[test]
fn peoples_text_that_ends_like_a_separator_is_not_taken_with_the_segment() {
    // Found by tests/suite/properties/: a stale segment glued to "|" left people's part
    // ending in "| "; the new segment went in its place without a separator, so
    // removing it later took people's " | " along as if it were the separator.
    let holds = [hold("whitehall", None, "U1", "db migration")];
    rendered_stably("a 🔒 Held: x (<@U1>) 🔒| 🔒 Held: y (<@U2>) 🔒", &holds);
    rendered_stably(" Held: 🔒 Held: 🔒| 🔒 Held: 🔒", &holds);
}
