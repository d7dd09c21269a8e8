//! Where badger's segment sits in a topic: finding its lock markers, removing it with one
//! separator, and people's text on either side of it.

use super::{strip_segment, HELD, LOCK, LOCK_SHORTCODE, SEPARATOR, VARIATION_SELECTOR};

/// People's text around the place where badger's segment goes.
#[derive(Debug)]
pub(super) struct Parts {
    pub(super) before: String,
    pub(super) after: String,
    pub(super) sep_before: bool,
    pub(super) sep_after: bool,
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
    pub(super) fn of(topic: &str) -> Self {
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
    pub(super) fn around(&self, segment: &str) -> String {
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
pub(super) fn find_segments(topic: &str) -> Vec<(usize, usize)> {
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
pub(super) fn remove_segments(s: &str, segments: &[(usize, usize)]) -> String {
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
