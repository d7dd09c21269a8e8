//! Text to HTML below the formatting: escaping plain text, passing Slack's entities
//! through, and emoji shortcodes as emoji.

/// Escapes plain text (a name, a label, a button's text) for HTML, attribute-safe.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_html(c, &mut out);
    }
    out
}

/// One character of plain text as HTML, attribute-safe.
fn push_html(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(c),
    }
}

/// The Slack entity (`&amp;`, `&lt;` or `&gt;`) at the start of `s`, if there is one.
pub(super) fn entity_at(s: &str) -> Option<&'static str> {
    ["&amp;", "&lt;", "&gt;"]
        .into_iter()
        .find(|e| s.starts_with(e))
}

/// Slack's three entities pass through (they mean the same in HTML); anything else that
/// HTML treats specially is escaped.
pub(super) fn slack_text(s: &str, out: &mut String) {
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if let Some(e) = entity_at(&s[i..]) {
            out.push_str(e);
            i += e.len();
            continue;
        }
        push_html(c, out);
        i += c.len_utf8();
    }
}

/// The emoji badger's messages use, and a few common ones; others stay as `:name:`.
pub fn emoji(name: &str) -> Option<&'static str> {
    Some(match name {
        "alarm_clock" => "\u{23F0}",
        "arrow_right" => "\u{27A1}\u{FE0F}",
        "grey_question" => "\u{2754}",
        "hourglass" => "\u{231B}",
        "hourglass_flowing_sand" => "\u{23F3}",
        "large_green_circle" => "\u{1F7E2}",
        "red_circle" => "\u{1F534}",
        "lock" => "\u{1F512}",
        "unlock" => "\u{1F513}",
        "no_entry" => "\u{26D4}",
        "no_entry_sign" => "\u{1F6AB}",
        "octagonal_sign" => "\u{1F6D1}",
        "pause_button" => "\u{23F8}\u{FE0F}",
        "rocket" => "\u{1F680}",
        "rotating_light" => "\u{1F6A8}",
        "warning" => "\u{26A0}\u{FE0F}",
        "wave" => "\u{1F44B}",
        "white_check_mark" => "\u{2705}",
        "x" => "\u{274C}",
        "calendar" => "\u{1F4C5}",
        "information_source" => "\u{2139}\u{FE0F}",
        "clipboard" => "\u{1F4CB}",
        "eyes" => "\u{1F440}",
        "fast_forward" => "\u{23E9}",
        "mag" => "\u{1F50D}",
        "wastebasket" => "\u{1F5D1}\u{FE0F}",
        "tada" => "\u{1F389}",
        "+1" | "thumbsup" => "\u{1F44D}",
        _ => return None,
    })
}

/// Plain text (a `plain_text` object): escaped, with emoji shortcodes shown as emoji.
pub fn plain_to_html(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == ':' {
            if let Some((e, len)) = emoji_at(&s[i..]) {
                out.push_str(e);
                i += len;
                continue;
            }
        }
        out.push_str(&html(&s[i..i + c.len_utf8()]));
        i += c.len_utf8();
    }
    out
}

/// `:name:` at the start of `s`, if it is a known emoji: the emoji and the bytes used.
pub(super) fn emoji_at(s: &str) -> Option<(&'static str, usize)> {
    let rest = s.strip_prefix(':')?;
    let end = rest.find(':')?;
    let name = &rest[..end];
    let valid = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_+-".contains(&b));
    if !valid {
        return None;
    }
    emoji(name).map(|e| (e, end + 2))
}

#[cfg(test)]
mod tests {
    use super::emoji;
    use std::path::Path;

    /// Every `:name:` badger's own messages use (where they are worded: `src/slack`,
    /// `src/service`, `src/domain`, `src/github`, `src/smoke`; tests aside) shows as an
    /// emoji in the console, not as its code: a new one must be added.
    #[test]
    fn every_emoji_badger_says_is_in_the_table() {
        let mut missing = Vec::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let worded = ["slack", "service", "domain", "github", "smoke"];
        let mut dirs: Vec<_> = worded.iter().map(|d| src.join(d)).collect();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    if name != "tests" {
                        dirs.push(path);
                    }
                } else if name.ends_with(".rs") && !name.ends_with("_tests.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for code in shortcodes(&text) {
                        if emoji(&code).is_none() {
                            missing.push(format!("{}: :{code}:", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in emoji(): {missing:#?}");
    }

    /// `:name:` runs (a letter, then letters, digits, `_` or `+`), not part of a `::` path.
    fn shortcodes(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let mut found = Vec::new();
        for (i, _) in text.match_indices(':') {
            if i > 0 && b[i - 1] == b':' {
                continue;
            }
            let rest = &text[i + 1..];
            let len = rest
                .bytes()
                .take_while(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'+'
                })
                .count();
            let starts_with_letter = rest.bytes().next().is_some_and(|c| c.is_ascii_lowercase());
            let closed = rest.as_bytes().get(len) == Some(&b':');
            let path = rest.as_bytes().get(len + 1) == Some(&b':');
            if len > 0 && starts_with_letter && closed && !path {
                found.push(rest[..len].to_owned());
            }
        }
        found
    }
}
