//! Slack's mrkdwn to HTML, for the console: *bold*, _italic_, ~strike~, `code`, ```pre```,
//! `>` quotes, <@U..>/<#C..>/<!here> mentions, <url|label> links and the emoji badger uses.
//!
//! Input is Slack text: a literal `&`, `<` or `>` arrives as `&amp;`, `&lt;`, `&gt;`, and a
//! bare `<` always opens a control sequence. Output is safe HTML: everything is escaped,
//! links are only http(s) or mailto.

mod plain;

use crate::domain::text::unescape;
pub use plain::{emoji, html, plain_to_html};
use plain::{emoji_at, entity_at, slack_text};

/// How mentions are shown: a user id or channel id to a display name (plain text).
pub trait Names {
    fn user(&self, id: &str) -> String;
    fn channel(&self, id: &str) -> String;
}

/// A stand-in for [`Names`] in tests: every id shown lower-cased (`UALICE` as `ualice`).
#[cfg(test)]
pub(crate) struct Lowercase;

#[cfg(test)]
impl Names for Lowercase {
    fn user(&self, id: &str) -> String {
        id.to_lowercase()
    }
    fn channel(&self, id: &str) -> String {
        id.to_lowercase()
    }
}

/// Text in which only `<...>` sequences and entities mean anything (a channel topic).
pub fn controls_only(s: &str, names: &dyn Names) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        slack_text(&rest[..lt], &mut out);
        match rest[lt..].find('>') {
            Some(gt) => {
                control(&rest[lt + 1..lt + gt], names, &mut out);
                rest = &rest[lt + gt + 1..];
            }
            None => {
                out.push_str("&lt;");
                rest = &rest[lt + 1..];
            }
        }
    }
    slack_text(rest, &mut out);
    out
}

/// mrkdwn to HTML.
pub fn to_html(md: &str, names: &dyn Names) -> String {
    let mut out = String::new();
    let mut rest = md;
    // ```pre``` spans lines: split them out first; inside, nothing is formatted.
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let Some(close) = after.find("```") else {
            break;
        };
        lines(&rest[..open], names, &mut out);
        out.push_str("<pre>");
        slack_text(after[..close].trim_matches('\n'), &mut out);
        out.push_str("</pre>");
        rest = &after[close + 3..];
    }
    lines(rest, names, &mut out);
    out
}

fn lines(text: &str, names: &dyn Names, out: &mut String) {
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push_str("<br>");
        }
        let quoted = line
            .strip_prefix("&gt; ")
            .or_else(|| line.strip_prefix("&gt;"));
        match quoted {
            Some(q) => {
                out.push_str("<span class=\"quote\">");
                inline(q, names, out);
                out.push_str("</span>");
            }
            None => inline(line, names, out),
        }
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Where the closing `delim` of a span opened at byte 0 of `s` is, by Slack's rules: the
/// text inside is not empty, does not start or end with a space, and the closing mark is
/// not followed by a letter or digit.
fn closing(s: &str, delim: char) -> Option<usize> {
    let inner = &s[1..];
    if inner.starts_with(char::is_whitespace) {
        return None;
    }
    let mut from = 0;
    while let Some(k) = inner[from..].find(delim) {
        let k = from + k;
        let before = inner[..k].chars().next_back();
        let after = inner[k + 1..].chars().next();
        if k > 0 && !before.is_some_and(char::is_whitespace) && !is_word(after) {
            return Some(k + 1);
        }
        from = k + 1;
    }
    None
}

fn inline(s: &str, names: &dyn Names, out: &mut String) {
    let mut i = 0;
    let mut prev: Option<char> = None;
    while let Some(c) = s[i..].chars().next() {
        let here = &s[i..];
        match c {
            '<' => {
                if let Some(end) = here.find('>') {
                    control(&here[1..end], names, out);
                    i += end + 1;
                    prev = Some('>');
                    continue;
                }
                out.push_str("&lt;");
            }
            '`' => {
                if let Some(end) = here[1..].find('`').filter(|&e| e > 0) {
                    out.push_str("<code>");
                    slack_text(&here[1..end + 1], out);
                    out.push_str("</code>");
                    i += end + 2;
                    prev = Some('`');
                    continue;
                }
                out.push('`');
            }
            '*' | '_' | '~' if !is_word(prev) => {
                if let Some(end) = closing(here, c) {
                    let tag = match c {
                        '*' => "b",
                        '_' => "i",
                        _ => "s",
                    };
                    out.push_str(&format!("<{tag}>"));
                    inline(&here[1..end], names, out);
                    out.push_str(&format!("</{tag}>"));
                    i += end + 1;
                    prev = Some(c);
                    continue;
                }
                out.push(c);
            }
            ':' => {
                if let Some((e, len)) = emoji_at(here) {
                    out.push_str(e);
                    i += len;
                    prev = Some(':');
                    continue;
                }
                out.push(':');
            }
            '&' => {
                // An entity is one character of text: step over it whole.
                if let Some(e) = entity_at(here) {
                    out.push_str(e);
                    i += e.len();
                    prev = Some('&');
                    continue;
                }
                out.push_str("&amp;");
            }
            _ => slack_text(&here[..c.len_utf8()], out),
        }
        i += c.len_utf8();
        prev = Some(c);
    }
}

/// A `<...>` control sequence: mention, channel, special mention or link.
fn control(inner: &str, names: &dyn Names, out: &mut String) {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    let mention = |text: &str, out: &mut String| {
        out.push_str("<span class=\"mention\">");
        out.push_str(&html(text));
        out.push_str("</span>");
    };
    if let Some(id) = target.strip_prefix('@') {
        mention(&format!("@{}", names.user(id)), out);
    } else if let Some(id) = target.strip_prefix('#') {
        let name = label.map(unescape).unwrap_or_else(|| names.channel(id));
        mention(&format!("#{name}"), out);
    } else if let Some(special) = target.strip_prefix('!') {
        match special {
            "here" | "channel" | "everyone" => mention(&format!("@{special}"), out),
            _ => slack_text(label.unwrap_or(special), out),
        }
    } else {
        let url = unescape(target);
        let safe = ["https://", "http://", "mailto:"]
            .iter()
            .any(|p| url.to_ascii_lowercase().starts_with(p));
        let shown = label.unwrap_or(target);
        if safe {
            out.push_str(&format!(
                "<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">",
                html(&url)
            ));
            slack_text(shown, out);
            out.push_str("</a>");
        } else {
            slack_text(shown, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct N;
    impl Names for N {
        fn user(&self, id: &str) -> String {
            match id {
                "UALICE" => "alice".into(),
                other => other.into(),
            }
        }
        fn channel(&self, id: &str) -> String {
            format!("chan-{id}")
        }
    }

    fn md(s: &str) -> String {
        to_html(s, &N)
    }

    #[test]
    fn formatting() {
        assert_eq!(
            md("*bold* and _it_ ~no~"),
            "<b>bold</b> and <i>it</i> <s>no</s>"
        );
        assert_eq!(
            md("*frontend* `release_1` to *integration*"),
            "<b>frontend</b> <code>release_1</code> to <b>integration</b>"
        );
        assert_eq!(md("a*b*c snake_case_name 2*3"), "a*b*c snake_case_name 2*3");
        assert_eq!(md("* not bold *"), "* not bold *");
        assert_eq!(md("*bold _and it_*"), "<b>bold <i>and it</i></b>");
        assert_eq!(md("line one\nline two"), "line one<br>line two");
        assert_eq!(md("```a *b*\n<c>```"), "<pre>a *b*\n&lt;c&gt;</pre>");
        assert_eq!(
            md("&gt; quoted *x*"),
            "<span class=\"quote\">quoted <b>x</b></span>"
        );
    }

    #[test]
    fn mentions_links_and_emoji() {
        assert_eq!(
            md("<@UALICE> in <#C1> <#C2|deploys> <!here>"),
            "<span class=\"mention\">@alice</span> in <span class=\"mention\">#chan-C1</span> \
             <span class=\"mention\">#deploys</span> <span class=\"mention\">@here</span>"
        );
        assert_eq!(
            md("<https://ci.example/run?a=1&amp;b=2|the run>"),
            "<a href=\"https://ci.example/run?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener noreferrer\">the run</a>"
        );
        assert_eq!(md("<javascript:alert(1)|click>"), "click");
        assert_eq!(md(":rocket: go :nope: 10:30"), "\u{1F680} go :nope: 10:30");
    }

    #[test]
    fn everything_is_escaped() {
        // What a person typed arrives escaped by badger (Slack's rule), and stays text.
        assert_eq!(
            md("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        // Entities Slack does not use are shown literally, not decoded.
        assert_eq!(md("&quot; & &#60;"), "&amp;quot; &amp; &amp;#60;");
        // A name with markup is text.
        struct Evil;
        impl Names for Evil {
            fn user(&self, _: &str) -> String {
                "<img src=x onerror=alert(1)>".into()
            }
            fn channel(&self, _: &str) -> String {
                "\"><b>".into()
            }
        }
        let out = to_html("<@U1> <#C1>", &Evil);
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("\"><b>"), "{out}");
        // An unclosed sequence, a lone backtick, odd characters: no panic, all text.
        assert_eq!(md("a < b ` c"), "a &lt; b ` c");
        assert_eq!(md("é*ü* ¿_x_?"), "é*ü* ¿<i>x</i>?");
        assert_eq!(md(""), "");
    }

    #[test]
    fn plain_text_is_escaped_with_emoji() {
        assert_eq!(plain_to_html(":x: <b>&"), "\u{274C} &lt;b&gt;&amp;");
    }
}
