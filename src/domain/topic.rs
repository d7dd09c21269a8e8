//! badger's segment of the deploy channel's topic.
//!
//! GOV.UK's rule: whoever needs to hold deployments adds it to the channel topic with their
//! name, and removes it when they release the hold. badger does this for people. It owns one
//! *segment* of the topic and keeps the rest exactly as people wrote it.
//!
//! # The segment
//!
//! ```text
//! Deploy freeze from 20 Dec | 🔒 Held: whitehall/production (<@U123>: db migration); ALL apps (<@U456>: incident) 🔒
//! └──── people's text ────┘└┬┘└──────────────────────────── badger's segment ──────────────────────────────────────┘
//!                       separator
//! ```
//!
//! - It starts with the marker `🔒 Held: ` and ends with a closing `🔒`. Both markers are needed
//!   for badger to recognise its segment; the shortcode form `:lock:` (and `🔒` followed by
//!   U+FE0F) is recognised too, in case a Slack client rewrites the emoji when someone edits the
//!   topic by hand. badger removes `🔒` and `:lock:` from everything it puts inside the segment,
//!   so the first lock after the start marker is always the closing one.
//! - It is joined to people's text with [`SEPARATOR`] (` | `). A new segment is appended at the
//!   end; a segment people moved (text added before or after it) is updated where it is.
//!   Removing it removes one adjacent separator too, so the topic returns byte-for-byte to
//!   what people had.
//! - Each hold reads `app (<@OWNER>: reason)`, with `/env` after the app when the hold is for
//!   one environment; a hold on everything reads `ALL apps` (`ALL apps in production`).
//!   Holds are listed in the order given, separated by `; `. Reasons (and anything else that
//!   is not a valid app name or user id) are cleaned (whitespace collapsed, control characters
//!   dropped), escaped with [`text::escape`] and shortened with [`text::truncate`].
//!
//! # Length
//!
//! The whole topic is kept within [`TOPIC_LIMIT`] characters (Rust `char`s of the final,
//! escaped string): reasons are capped at 60 characters, then shortened progressively (all to
//! the same cap, down to 8 characters), then dropped; only then are trailing holds summarised
//! as `+N more holds` (or `N holds` when none fits). If people's own text leaves no room even
//! for that summary, badger leaves their text alone and shows no segment at all: it never cuts
//! people's text. [`has_segment`] tells the caller whether the holds made it into the topic.
//! If people's own text is already longer than the limit it is returned unchanged (without a
//! segment); Slack will then refuse it as `too_long`, which is the caller's to report.

use super::text;

/// One active hold, as shown in the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicHold<'a> {
    /// An application name, or `"all"` (or `"*"`) for every application.
    pub scope: &'a str,
    /// The environment the hold is limited to, if any.
    pub env: Option<&'a str>,
    /// The Slack user id of whoever holds it.
    pub owner: &'a str,
    /// Why, as the person typed it (raw, unescaped).
    pub reason: &'a str,
}

/// Slack's limit for a channel topic, in characters.
pub const TOPIC_LIMIT: usize = 250;

/// What joins badger's segment to people's text.
pub const SEPARATOR: &str = " | ";

const LOCK: char = '\u{1F512}';
const LOCK_SHORTCODE: &str = ":lock:";
const VARIATION_SELECTOR: char = '\u{FE0F}';
const HELD: &str = " Held: ";
const HOLD_SEPARATOR: &str = "; ";
/// The longest a reason is ever shown, even when there is room.
const REASON_CAP: usize = 60;
/// Below this a reason is dropped rather than shortened further.
const REASON_MIN: usize = 8;
const SCOPE_CAP: usize = 64;
const ENV_CAP: usize = 32;
const OWNER_CAP: usize = 32;

/// Whether `topic` contains a segment of badger's.
pub fn has_segment(topic: &str) -> bool {
    !find_segments(topic).is_empty()
}

/// People's part of a topic: the topic with badger's segment (and its separator) removed.
/// A topic without a segment is returned unchanged. Should a topic somehow hold several
/// segments, all are removed.
pub fn strip_segment(topic: &str) -> String {
    let mut current = topic.to_owned();
    // Each pass removes at least one segment, so this ends.
    loop {
        let segments = find_segments(&current);
        if segments.is_empty() {
            return current;
        }
        current = remove_segments(&current, &segments);
    }
}

/// The new topic: people's part of `current` plus badger's segment listing `holds` (in the
/// given order), or just people's part when `holds` is empty.
///
/// The result is at most [`TOPIC_LIMIT`] characters unless people's own part already is
/// longer. When people's part leaves no room for even the shortest segment
/// (`🔒 Held: 3 holds 🔒`), people's part is returned alone, unchanged: badger never shortens
/// people's text (check with [`has_segment`]).
/// Rendering is idempotent: `render_topic(&render_topic(t, h), h) == render_topic(t, h)`.
pub fn render_topic(current: &str, holds: &[TopicHold]) -> String {
    if holds.is_empty() {
        return strip_segment(current);
    }
    let parts = Parts::of(current);
    let separators =
        SEPARATOR.chars().count() * (usize::from(parts.sep_before) + usize::from(parts.sep_after));
    let used = chars(&parts.before) + chars(&parts.after) + separators;
    let segment = TOPIC_LIMIT
        .checked_sub(used)
        .and_then(|budget| segment_within(holds, budget));
    match segment {
        Some(segment) => parts.around(&segment),
        None => parts.before + &parts.after,
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// People's text around the place where badger's segment goes.
#[derive(Debug)]
struct Parts {
    before: String,
    after: String,
    sep_before: bool,
    sep_after: bool,
}

impl Parts {
    /// Split `topic` at its (last) segment; without one, the segment goes at the end.
    ///
    /// People's part is always [`strip_segment`]'s, and removing the new segment must give
    /// it back. When keeping the segment's place would break either (a stray `🔒 Held: `
    /// before the segment and a stray lock after it form a segment once it is gone; people's
    /// text next to it ends with what looks like the separator, which removing the segment
    /// would take along), the segment goes after people's part instead, so that rendering
    /// stays idempotent, within the limit, and undone by `strip_segment`.
    fn of(topic: &str) -> Self {
        let people = strip_segment(topic);
        let at_end = |people: String| Parts {
            sep_before: !people.is_empty(),
            before: people,
            after: String::new(),
            sep_after: false,
        };
        let Some(&(start, end)) = find_segments(topic).last() else {
            return at_end(people);
        };
        let (raw_before, raw_after) = (&topic[..start], &topic[end..]);
        let (before, after, sep_before, sep_after) =
            if let Some(before) = raw_before.strip_suffix(SEPARATOR) {
                (before, raw_after, true, false)
            } else if let Some(after) = raw_after.strip_prefix(SEPARATOR) {
                (raw_before, after, false, true)
            } else {
                (raw_before, raw_after, false, false)
            };
        // Nothing after the last segment forms a segment; earlier ones are stale copies.
        let mut parts = Parts {
            before: strip_segment(before),
            after: after.to_owned(),
            sep_before,
            sep_after,
        };
        if parts.before.is_empty() && parts.sep_before {
            parts.sep_before = false;
            if let Some(after) = parts.after.strip_prefix(SEPARATOR) {
                parts.after = after.to_owned();
                parts.sep_after = true;
            }
        }
        // Every segment has the same markers, so the shortest one stands for any.
        let placeholder = format!("{LOCK}{HELD}{LOCK}");
        if format!("{}{}", parts.before, parts.after) != people
            || strip_segment(&parts.around(&placeholder)) != people
        {
            return at_end(people);
        }
        parts
    }

    /// The topic with `segment` in its place.
    fn around(&self, segment: &str) -> String {
        let mut out = self.before.clone();
        if self.sep_before {
            out.push_str(SEPARATOR);
        }
        out.push_str(segment);
        if self.sep_after {
            out.push_str(SEPARATOR);
        }
        out.push_str(&self.after);
        out
    }
}

/// The end (byte offset) of a lock marker starting at byte `i`, if there is one: `🔒` or
/// `:lock:`, with any emoji presentation selectors (U+FE0F) that follow it.
fn lock_at(s: &str, i: usize) -> Option<usize> {
    let rest = s.get(i..)?;
    let len = if rest.starts_with(LOCK) {
        LOCK.len_utf8()
    } else if rest.starts_with(LOCK_SHORTCODE) {
        LOCK_SHORTCODE.len()
    } else {
        return None;
    };
    let selectors = rest[len..]
        .chars()
        .take_while(|&c| c == VARIATION_SELECTOR)
        .count();
    Some(i + len + selectors * VARIATION_SELECTOR.len_utf8())
}

/// Byte ranges of badger's segments in `topic`, in order, not overlapping: a start marker
/// (lock + " Held: ") whose next lock is a closing one (not itself a start marker).
fn find_segments(topic: &str) -> Vec<(usize, usize)> {
    // (start, end, opens a segment) of every lock marker.
    let mut locks = Vec::new();
    let mut from = 0;
    for (i, c) in topic.char_indices() {
        if i < from || !(c == LOCK || c == ':') {
            continue;
        }
        if let Some(end) = lock_at(topic, i) {
            let opens = topic[end..].starts_with(HELD);
            locks.push((i, end, opens));
            from = end;
        }
    }
    let mut segments = Vec::new();
    let mut j = 0;
    while j < locks.len() {
        match (locks[j], locks.get(j + 1)) {
            ((start, _, true), Some(&(_, end, false))) => {
                segments.push((start, end));
                j += 2;
            }
            _ => j += 1,
        }
    }
    segments
}

/// `s` without the given segments, each with one adjacent separator (the one before it if
/// there is one, else the one after it).
fn remove_segments(s: &str, segments: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    for &(start, end) in segments {
        let chunk = s.get(pos..start).unwrap_or_default();
        if let Some(chunk) = chunk.strip_suffix(SEPARATOR) {
            out.push_str(chunk);
            pos = end;
        } else {
            out.push_str(chunk);
            pos = if s[end..].starts_with(SEPARATOR) {
                end + SEPARATOR.len()
            } else {
                end
            };
        }
    }
    out.push_str(s.get(pos..).unwrap_or_default());
    out
}

/// User text made fit for the segment: whitespace runs (newlines included) become one space,
/// control and bidirectional-override characters go, and so do lock markers, which would end
/// the segment early.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
        } else if c == LOCK || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            // dropped
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    // Replacing can form a new ":lock:" (as in "::lock::"); each pass shortens the text.
    while out.contains(LOCK_SHORTCODE) {
        out = out.replace(LOCK_SHORTCODE, "lock");
    }
    out
}

/// Clean, escape and cap a piece of user text.
fn show(s: &str, cap: usize) -> String {
    text::truncate(&text::escape(&clean(s)), cap)
}

/// A hold, ready to be shown with a reason of any length.
struct Item {
    /// `app/env (<@U123>`
    head: String,
    /// The whole reason, cleaned and escaped.
    reason: String,
}

impl Item {
    fn new(hold: &TopicHold) -> Self {
        let env = hold
            .env
            .map(|env| show(env, ENV_CAP))
            .filter(|env| !env.is_empty());
        let scope = clean(hold.scope);
        let label = if scope.eq_ignore_ascii_case("all") || scope == "*" {
            match env {
                Some(env) => format!("ALL apps in {env}"),
                None => "ALL apps".to_owned(),
            }
        } else {
            let app = match text::truncate(&text::escape(&scope), SCOPE_CAP) {
                app if app.is_empty() => "?".to_owned(),
                app => app,
            };
            match env {
                Some(env) => format!("{app}/{env}"),
                None => app,
            }
        };
        let owner = match text::mention(hold.owner.trim()) {
            mention if mention.starts_with("<@") => mention,
            _ => match show(hold.owner, OWNER_CAP) {
                name if name.is_empty() => "someone".to_owned(),
                name => name,
            },
        };
        Item {
            head: format!("{label} ({owner}"),
            reason: text::escape(&clean(hold.reason)),
        }
    }

    /// The hold with its reason cut to `cap` characters, or without it when `cap` is 0.
    fn render(&self, cap: usize, out: &mut String) {
        out.push_str(&self.head);
        let reason = text::truncate(&self.reason, cap);
        if !reason.is_empty() {
            out.push_str(": ");
            out.push_str(&reason);
        }
        out.push(')');
    }
}

/// The segment showing the first `shown` of `items` (of `total` holds) with reasons cut to
/// `cap`, the rest summarised.
fn segment(items: &[Item], shown: usize, total: usize, cap: usize) -> String {
    let mut out = String::new();
    out.push(LOCK);
    out.push_str(HELD);
    for (i, item) in items.iter().take(shown).enumerate() {
        if i > 0 {
            out.push_str(HOLD_SEPARATOR);
        }
        item.render(cap, &mut out);
    }
    let hidden = total.saturating_sub(shown);
    let plural = if hidden == 1 { "" } else { "s" };
    if hidden > 0 && shown > 0 {
        out.push_str(&format!("{HOLD_SEPARATOR}+{hidden} more hold{plural}"));
    } else if hidden > 0 {
        out.push_str(&format!("{hidden} hold{plural}"));
    }
    out.push(' ');
    out.push(LOCK);
    out
}

/// The most informative segment for `holds` of at most `budget` characters: every hold with
/// the longest reasons that fit, else fewer holds and a summary; None if nothing fits.
fn segment_within(holds: &[TopicHold], budget: usize) -> Option<String> {
    let total = holds.len();
    // Every hold takes at least 4 characters ("x (y)"), so no more than this can be shown.
    let most = total.min(budget / 4 + 1);
    let items: Vec<Item> = holds.iter().take(most).map(Item::new).collect();
    for shown in (1..=most).rev() {
        let bare = segment(&items, shown, total, 0);
        if chars(&bare) > budget {
            continue;
        }
        // The segment only grows with the cap, so search for the largest cap that fits.
        let fitting = |cap| {
            let candidate = segment(&items, shown, total, cap);
            (chars(&candidate) <= budget).then_some(candidate)
        };
        let Some(mut best) = fitting(REASON_MIN) else {
            return Some(bare);
        };
        let (mut low, mut high) = (REASON_MIN, REASON_CAP);
        while low < high {
            let mid = (low + high).div_ceil(2);
            match fitting(mid) {
                Some(candidate) => {
                    best = candidate;
                    low = mid;
                }
                None => high = mid - 1,
            }
        }
        return Some(best);
    }
    let summary = segment(&items, 0, total, 0);
    (chars(&summary) <= budget).then_some(summary)
}

#[cfg(test)]
mod tests {
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
            let topic = render_topic(people, &holds);
            assert!(has_segment(&topic), "{topic}");
            assert_eq!(render_topic(&topic, &[]), people, "{topic:?}");
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
        let holds = [
            hold("whitehall", None, "U1", &long),
            hold("publisher", None, "U2", &long),
        ];
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

        // Little room: reasons go, holds stay.
        let people = "p".repeat(190);
        let topic = render_topic(&people, &holds);
        assert!(chars(&topic) <= TOPIC_LIMIT);
        assert!(
            topic.ends_with("whitehall (<@U1>); publisher (<@U2>) 🔒"),
            "{topic}"
        );

        // Less still: the second hold is summarised.
        let people = "p".repeat(203);
        let topic = render_topic(&people, &holds);
        assert!(chars(&topic) <= TOPIC_LIMIT);
        assert!(
            topic.ends_with("whitehall (<@U1>); +1 more hold 🔒"),
            "{topic}"
        );

        // Almost none: only the count.
        let people = "p".repeat(225);
        let topic = render_topic(&people, &holds);
        assert!(topic.ends_with(" | 🔒 Held: 2 holds 🔒"), "{topic}");
        assert!(chars(&topic) <= TOPIC_LIMIT);
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
        assert!(topic.contains("&lt;!channel&gt;/prod Held: x lock (&lt;!here&gt;: before after lock end line two)"), "{topic}");
        // Empty fields still read sensibly.
        let topic = render_topic("", &[hold("", Some(""), "", "   ")]);
        assert_eq!(topic, "🔒 Held: ? (someone) 🔒");
    }

    #[test]
    fn escaped_reasons_are_never_cut_inside_an_entity() {
        let reason = "&".repeat(100);
        let holds = [
            hold("whitehall", None, "U1", &reason),
            hold("publisher", None, "U2", &reason),
        ];
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

    /// A small deterministic generator, so the property test needs no dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n.max(1)
        }

        fn text(&mut self, max_len: usize) -> String {
            const PIECES: &[&str] = &[
                "a",
                "Z",
                " ",
                " | ",
                "|",
                "🔒",
                ":lock:",
                " Held: ",
                "🔒 Held: ",
                "<",
                ">",
                "&",
                "&amp;",
                "<!channel>",
                "<@U1>",
                "é",
                "🚀",
                "\n",
                "\u{FE0F}",
                ";",
                "(",
                ")",
                "…",
                "all",
                "x",
            ];
            let len = self.next(max_len + 1);
            (0..len).map(|_| PIECES[self.next(PIECES.len())]).collect()
        }
    }

    #[test]
    fn stray_markers_around_the_segment_are_not_left_to_form_one() {
        // Found by tests/properties.rs: with a stray opener before badger's segment and a
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
            let people = strip_segment(&topic);
            let once = render_topic(&topic, &holds);
            assert_eq!(render_topic(&once, &holds), once, "{topic:?}");
            assert_eq!(strip_segment(&once), people, "{once:?}");
            assert!(chars(&once) <= TOPIC_LIMIT, "{once:?}");
            assert!(has_segment(&once), "{once:?}");
        }
    }

    #[test]
    fn peoples_text_that_ends_like_a_separator_is_not_taken_with_the_segment() {
        // Found by tests/properties.rs: a stale segment glued to "|" left people's part
        // ending in "| "; the new segment went in its place without a separator, so
        // removing it later took people's " | " along as if it were the separator.
        let holds = [hold("whitehall", None, "U1", "db migration")];
        for topic in [
            "a 🔒 Held: x (<@U1>) 🔒| 🔒 Held: y (<@U2>) 🔒",
            " Held: 🔒 Held: 🔒| 🔒 Held: 🔒",
        ] {
            let people = strip_segment(topic);
            let once = render_topic(topic, &holds);
            assert_eq!(strip_segment(&once), people, "{topic:?} -> {once:?}");
            assert_eq!(render_topic(&once, &holds), once, "{topic:?}");
            assert_eq!(render_topic(&once, &[]), people, "{topic:?}");
            assert!(has_segment(&once), "{once:?}");
        }
    }

    #[test]
    fn arbitrary_input_never_panics_and_keeps_the_contract() {
        let mut rng = Lcg(0x5eed);
        for _ in 0..3000 {
            let people = rng.text(40);
            let texts: Vec<(String, String, String, String)> = (0..rng.next(25))
                .map(|_| (rng.text(4), rng.text(3), rng.text(3), rng.text(30)))
                .collect();
            let holds: Vec<TopicHold> = texts
                .iter()
                .enumerate()
                .map(|(i, (s, e, o, r))| TopicHold {
                    scope: s,
                    env: (i % 2 == 0).then_some(e.as_str()),
                    owner: if i % 3 == 0 { "U12345" } else { o },
                    reason: r,
                })
                .collect();

            let stripped = strip_segment(&people);
            assert_eq!(strip_segment(&stripped), stripped, "{people:?}");
            let topic = render_topic(&people, &holds);
            if chars(&stripped) <= TOPIC_LIMIT {
                assert!(chars(&topic) <= TOPIC_LIMIT, "{people:?} -> {topic:?}");
            }
            assert_eq!(render_topic(&topic, &holds), topic, "{people:?}");
            if !has_segment(&people) {
                assert_eq!(render_topic(&topic, &[]), people, "{topic:?}");
                if !holds.is_empty() && chars(&people) < 150 {
                    assert!(has_segment(&topic), "{people:?} -> {topic:?}");
                }
            }
        }
    }
}
