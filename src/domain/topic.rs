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

mod place;
mod render;
#[cfg(test)]
mod tests;

use super::text;
use place::{find_segments, remove_segments, Parts};
use render::segment_within;

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
