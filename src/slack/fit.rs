//! Fitting text into Slack's limits without cutting any of it: a long mrkdwn line split
//! into section-sized pieces (between words, never inside `<...>` or `&...;`), and lines
//! packed into as many sections as a message may hold, the lines that did not fit counted.

use serde_json::{json, Value};

/// Slack's limits: blocks in a message, blocks in a view, characters in a section's text
/// and in a message's `text`.
pub const MESSAGE_BLOCKS: usize = 50;
pub const VIEW_BLOCKS: usize = 100;
pub const SECTION_TEXT: usize = 3000;
pub const MESSAGE_TEXT: usize = 40_000;

/// One mrkdwn section. Text over the limit is cut with "…" as a last resort; the packers
/// below never hand it such text.
pub fn section(md: &str) -> Value {
    let text = crate::domain::text::truncate(md, SECTION_TEXT);
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// `line` in pieces of at most `limit` characters (one piece if it fits). A piece ends at
/// the last space or newline that is outside a Slack control sequence `<...>`; only a
/// line with no such place is cut between characters, and then not inside an entity.
pub fn split_long(line: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    let mut pieces = Vec::new();
    let mut rest = line;
    while let Some((end, _)) = rest.char_indices().nth(limit) {
        let cut = break_before(&rest[..end]);
        pieces.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start();
    }
    pieces.push(rest.to_owned());
    pieces
}

/// Where to end a piece that may hold at most `head`: a byte offset above 0.
fn break_before(head: &str) -> usize {
    let mut inside = false;
    let mut space = None;
    for (i, c) in head.char_indices() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            ' ' | '\n' if !inside && i > 0 => space = Some(i),
            _ => {}
        }
    }
    if let Some(i) = space {
        return i;
    }
    let mut cut = head.len();
    if let Some(amp) = head.rfind('&').filter(|&a| a > 0) {
        if !head[amp..].contains(';') && head.len() - amp <= 11 {
            cut = amp;
        }
    }
    if let Some(lt) = head[..cut].rfind('<').filter(|&l| l > 0) {
        if !head[lt..cut].contains('>') {
            cut = lt;
        }
    }
    cut
}

/// Lines packed into mrkdwn sections: `shown` of them fit, in order.
#[derive(Debug)]
pub struct Packed {
    pub sections: Vec<Value>,
    pub text: Vec<String>,
    pub shown: usize,
}

/// Packs whole lines into as few sections as Slack's section limit allows (a line too long
/// for one section takes several, split by [`split_long`]), stopping before `max_blocks`
/// sections or `max_text` characters in all: a line is shown whole or not at all.
pub fn pack(lines: &[String], max_blocks: usize, max_text: usize) -> Packed {
    let mut sections = Vec::new();
    let (mut chunk, mut chunk_len) = (String::new(), 0);
    let mut total = 0;
    let mut shown = 0;
    for line in lines {
        let len = line.chars().count();
        if total + len + 1 > max_text {
            break;
        }
        let pieces = split_long(line, SECTION_TEXT);
        let lens: Vec<usize> = pieces.iter().map(|p| p.chars().count()).collect();
        // By lengths alone: the sections the line closes, plus the open one after it.
        let (mut s, mut c) = (sections.len(), chunk_len);
        for &plen in &lens {
            let (close, next) = place(c, plen);
            s += usize::from(close);
            c = next;
        }
        if s + 1 > max_blocks {
            break;
        }
        for (piece, plen) in pieces.iter().zip(lens) {
            let (close, next) = place(chunk_len, plen);
            if close {
                sections.push(section(&chunk));
                chunk.clear();
            } else if chunk_len > 0 {
                chunk.push('\n');
            }
            chunk.push_str(piece);
            chunk_len = next;
        }
        total += len + 1;
        shown += 1;
    }
    if !chunk.is_empty() {
        sections.push(section(&chunk));
    }
    Packed {
        sections,
        text: lines[..shown].to_vec(),
        shown,
    }
}

/// Where a piece of `plen` characters goes after an open section of `open` characters:
/// whether that section is closed first, and the open section's length after the piece.
fn place(open: usize, plen: usize) -> (bool, usize) {
    if open == 0 {
        (false, plen)
    } else if open + 1 + plen > SECTION_TEXT {
        (true, plen)
    } else {
        (false, open + 1 + plen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_split_between_words_and_loses_none() {
        let words: Vec<String> = (0..900).map(|i| format!("w{i:03}")).collect();
        let line = words.join(" ");
        let pieces = split_long(&line, 1000);
        assert!(pieces.len() >= 4, "{}", pieces.len());
        for p in &pieces {
            assert!(p.chars().count() <= 1000);
            assert!(!p.starts_with(' ') && !p.ends_with(' '));
        }
        assert_eq!(pieces.join(" "), line);
        assert_eq!(split_long("short", 1000), vec!["short".to_owned()]);
    }

    #[test]
    fn a_split_never_opens_a_link_or_an_entity() {
        // Spaces only inside the link: the piece ends before the `<`.
        let line = format!("{}<https://x.test/|the dash board>", "a".repeat(20));
        let pieces = split_long(&line, 35);
        assert_eq!(pieces[0], "a".repeat(20));
        assert_eq!(pieces[1], "<https://x.test/|the dash board>");
        // No space at all: the cut moves before an entity that straddles it.
        let line = format!("{}&amp;{}", "b".repeat(8), "c".repeat(8));
        let pieces = split_long(&line, 10);
        assert_eq!(pieces[0], "b".repeat(8));
        assert!(pieces[1].starts_with("&amp;"), "{pieces:?}");
        assert_eq!(pieces.concat(), line);
        // Multibyte text splits between characters.
        let line = "é".repeat(25);
        let pieces = split_long(&line, 10);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.concat(), line);
    }

    #[test]
    fn pack_keeps_whole_lines_within_the_budget() {
        let lines: Vec<String> = (0..10).map(|i| format!("{i}{}", "x".repeat(999))).collect();
        // Three 1000-char lines do not fit one 3000-char section with their newlines.
        let p = pack(&lines, 3, usize::MAX);
        assert_eq!(p.shown, 6);
        assert_eq!(p.sections.len(), 3);
        let p = pack(&lines, 50, 2500);
        assert_eq!(p.shown, 2);
        assert_eq!(pack(&lines, 0, usize::MAX).shown, 0);
    }

    #[test]
    fn pack_gives_a_line_longer_than_a_section_several_and_shows_it_whole() {
        let long = vec!["word ".repeat(1500).trim_end().to_owned(), "tail".into()];
        let p = pack(&long, 50, usize::MAX);
        assert_eq!(p.shown, 2);
        assert_eq!(p.sections.len(), 3);
        let shown: Vec<&str> = p
            .sections
            .iter()
            .map(|b| b["text"]["text"].as_str().unwrap())
            .collect();
        assert!(shown
            .iter()
            .all(|s| s.chars().count() <= SECTION_TEXT && !s.ends_with('…')));
        assert_eq!(shown.join(" ").matches("word").count(), 1500);
        // Not room for all its pieces: the line is left out whole.
        assert_eq!(pack(&long, 1, usize::MAX).shown, 0);
    }
}
