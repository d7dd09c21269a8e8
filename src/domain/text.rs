//! Making user-supplied text safe to show in Slack.
//!
//! Slack treats `<...>` as a control sequence (`<!channel>`, `<@U123>`, `<https://x|y>`) and
//! expects `&`, `<` and `>` in text to arrive as HTML entities. Everything badger shows that a
//! person typed (reasons, notes, names it could not validate) goes through [`escape`] first, and
//! is shortened with [`truncate`] so it fits Slack's limits without breaking an entity.

/// Undo Slack's own escaping of `&`, `<` and `>` in text it sends us (slash command text
/// arrives as `&lt;` etc.), so what we store is what the person typed; `escape` is applied
/// again on the way out. `&amp;` goes last so `&amp;lt;` becomes `&lt;`, not `<`.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Escape user-supplied text for Slack mrkdwn/plain text: `&` -> `&amp;`, `<` -> `&lt;`,
/// `>` -> `&gt;` (Slack's rule), so nobody can inject `<!channel>`, `<!here>`, `<@U123>` or
/// `<https://x|y>` through badger.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Shorten to at most `max` characters (chars, not bytes), ending with "…" when cut; never
/// splits a char. Text that fits is returned unchanged.
///
/// When cut, the kept part never ends inside an HTML entity such as `&amp;` (the cut moves to
/// just before the `&`), nor inside an unclosed Slack control sequence `<...>` (the cut moves to
/// just before the `<`), and trailing whitespace before the "…" is dropped. `max == 0` gives "".
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().nth(max).is_none() {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    // Keep `max - 1` chars and add the ellipsis. `s` has more than `max` chars, so this exists.
    let mut cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);

    // Do not end inside an entity: `&` + up to 10 of [A-Za-z0-9#] + `;` that straddles the cut.
    if let Some(amp) = s[..cut].rfind('&') {
        if let Some(end) = entity_end(s, amp) {
            if end > cut {
                cut = amp;
            }
        }
    }
    // Do not end inside a control sequence `<...>` that closes after the cut.
    if let Some(lt) = s[..cut].rfind('<') {
        if !s[lt..cut].contains('>') && s[cut..].contains('>') {
            cut = lt;
        }
    }

    let mut out = s[..cut].trim_end().to_owned();
    out.push('…');
    out
}

/// If an HTML entity (`&name;` or `&#123;`) starts at byte `amp` of `s`, the byte offset just
/// past its `;`.
fn entity_end(s: &str, amp: usize) -> Option<usize> {
    let rest = s.get(amp..)?.strip_prefix('&')?;
    for (i, b) in rest.bytes().enumerate().take(11) {
        if b == b';' {
            return (i > 0).then_some(amp + 1 + i + 1);
        }
        if !(b.is_ascii_alphanumeric() || b == b'#') {
            return None;
        }
    }
    None
}

/// A user mention `<@U123>` for a Slack user id; ids that are not `[A-Z0-9]+` are escaped and
/// shown as text instead (so a forged "id" cannot smuggle in `<!channel>`).
pub fn mention(user_id: &str) -> String {
    let is_id = !user_id.is_empty()
        && user_id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if is_id {
        format!("<@{user_id}>")
    } else {
        escape(user_id)
    }
}

/// "1 minute", "2 minutes", "0 minutes": a count and its noun, singular only for one. The
/// one place badger's words agree in number (nouns that take an "s"; pass `n` as i64).
pub fn count(n: impl Into<i64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_is_singular_only_for_one() {
        assert_eq!(count(1, "minute"), "1 minute");
        assert_eq!(count(2, "minute"), "2 minutes");
        assert_eq!(count(0, "pull request"), "0 pull requests");
        assert_eq!(count(-1, "minute"), "-1 minutes");
    }

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    #[test]
    fn escape_replaces_the_three_characters() {
        assert_eq!(escape("a & b < c > d"), "a &amp; b &lt; c &gt; d");
        assert_eq!(escape("plain text, émoji 🚀"), "plain text, émoji 🚀");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn escape_neutralises_slack_control_sequences() {
        for evil in [
            "<!channel>",
            "<!here>",
            "<@U123>",
            "<https://x|y>",
            "<#C123>",
        ] {
            let out = escape(evil);
            assert!(!out.contains('<') && !out.contains('>'), "{out}");
        }
        assert_eq!(escape("<!channel>"), "&lt;!channel&gt;");
        assert_eq!(escape("<https://x|y>"), "&lt;https://x|y&gt;");
    }

    #[test]
    fn escape_escapes_existing_entities_again() {
        // A person who types "&amp;" should see "&amp;", not "&".
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn truncate_leaves_short_text_alone_and_cuts_long_text_with_an_ellipsis() {
        for (text, max, cut) in [
            ("hello", 5, "hello"),
            ("hello", 50, "hello"),
            ("", 0, ""),
            ("", 3, ""),
            ("hello world", 5, "hell…"),
            ("hello world", 1, "…"),
            ("hello world", 0, ""),
            // Trailing space before the ellipsis is dropped.
            ("hello world", 7, "hello…"),
        ] {
            assert_eq!(truncate(text, max), cut, "{text:?} to {max}");
        }
    }

    #[test]
    fn truncate_counts_chars_not_bytes() {
        let s = "ééééé🚀🚀🚀🚀";
        assert_eq!(truncate(s, 9), s);
        let t = truncate(s, 7);
        assert_eq!(t, "ééééé🚀…");
        assert_eq!(chars(&t), 7);
        for max in 0..12 {
            let t = truncate(s, max);
            assert!(chars(&t) <= max, "{max}: {t}");
        }
    }

    #[test]
    fn truncate_never_cuts_inside_an_entity() {
        let escaped = escape("a&b"); // "a&amp;b"
        assert_eq!(truncate(&escaped, 4), "a…");
        assert_eq!(truncate(&escaped, 6), "a…");
        assert_eq!(truncate(&escaped, 7), "a&amp;b");
        let escaped = escape("x <!channel> y");
        for max in 0..chars(&escaped) {
            let t = truncate(&escaped, max);
            assert!(chars(&t) <= max);
            let body = t.trim_end_matches('…');
            if let Some(amp) = body.rfind('&') {
                assert!(body[amp..].contains(';'), "cut inside an entity: {t}");
            }
        }
    }

    #[test]
    fn truncate_never_cuts_inside_a_control_sequence() {
        assert_eq!(truncate("hi <@U12345> there", 8), "hi…");
        // A lone `<` that never closes is ordinary text.
        assert_eq!(truncate("a < b", 4), "a <…");
    }

    #[test]
    fn truncate_any_input_is_bounded_and_a_prefix() {
        let inputs = [
            "&&&&&&&&&&",
            "&amp;&amp;&amp;",
            "&#12345678901234;",
            "<<<<>>>>",
            "🚀&lt;🚀&gt;🚀",
            "   \t\n  ",
            "a\u{301}e\u{301}",
        ];
        for s in inputs {
            for max in 0..=chars(s) + 1 {
                let t = truncate(s, max);
                assert!(chars(&t) <= max, "{s:?} {max}: {t:?}");
                assert!(s.starts_with(t.trim_end_matches('…')), "{s:?} {max}: {t:?}");
            }
        }
    }

    #[test]
    fn mention_accepts_only_slack_ids() {
        let ids = [("U123ABC", "<@U123ABC>"), ("W0123", "<@W0123>")];
        // Anything else is shown as text, escaped.
        let not_ids = [("u123", "u123"), ("", ""), ("<!here>", "&lt;!here&gt;")];
        for (id, shown) in ids.into_iter().chain(not_ids) {
            assert_eq!(mention(id), shown);
        }
        assert_eq!(mention("U1> <!channel"), "U1&gt; &lt;!channel");
    }

    #[test]
    fn unescape_then_escape_round_trips_slacks_encoding() {
        assert_eq!(unescape("a &amp; b &lt;!channel&gt;"), "a & b <!channel>");
        assert_eq!(unescape("&amp;lt;"), "&lt;");
        for typed in ["a & b", "<!channel>", "&amp;", "x &lt; y", "plain"] {
            assert_eq!(unescape(&escape(typed)), typed);
        }
    }
}
