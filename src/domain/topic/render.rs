//! Rendering badger's segment: user text cleaned and escaped, each hold's wording, and the
//! longest reasons (then the most holds) that fit the room people's text leaves.

use super::{
    chars, text, TopicHold, ENV_CAP, HELD, HOLD_SEPARATOR, LOCK, LOCK_SHORTCODE, OWNER_CAP,
    REASON_CAP, REASON_MIN, SCOPE_CAP,
};

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
pub(super) struct Item {
    /// `app/env (<@U123>`
    head: String,
    /// The whole reason, cleaned and escaped.
    reason: String,
}

impl Item {
    pub(super) fn new(hold: &TopicHold) -> Self {
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
pub(super) fn segment(items: &[Item], shown: usize, total: usize, cap: usize) -> String {
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
pub(super) fn segment_within(holds: &[TopicHold], budget: usize) -> Option<String> {
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
