//! Splitting command text into words, and the small word-level checks both parsers share.

use super::error::{Form, ParseError, TextKind};

/// Command text longer than this (in characters) is rejected before it is parsed.
pub const MAX_INPUT_CHARS: usize = 4000;
/// A note or reason longer than this (in characters) is rejected.
pub const MAX_TEXT_CHARS: usize = 500;

/// Rejects text over [`MAX_INPUT_CHARS`], then splits it into words.
///
/// Words are separated by any run of whitespace or control characters, so a
/// control character never reaches a name or a stored note.
pub(crate) fn split(text: &str, form: Form) -> Result<Vec<&str>, ParseError> {
    let len = text.chars().count();
    if len > MAX_INPUT_CHARS {
        return Err(ParseError::InputTooLong { form, len });
    }
    Ok(text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect())
}

/// A command's words (at least one), and the subcommand the first names, if any.
pub(crate) struct Lead<'t> {
    pub words: Vec<&'t str>,
    pub subcommand: Option<Form>,
}

impl<'t> Lead<'t> {
    pub fn first(&self) -> &'t str {
        self.words[0]
    }
    pub fn rest(&self) -> &[&'t str] {
        &self.words[1..]
    }
}

/// Splits `text` as [`split`] does and finds the subcommand its first word names (ignoring
/// ASCII case) among `subcommands`; None for empty text, which is help.
pub(crate) fn lead<'t>(
    text: &'t str,
    form: Form,
    subcommands: &[(&str, Form)],
) -> Result<Option<Lead<'t>>, ParseError> {
    let words = split(text, form)?;
    let Some(&first) = words.first() else {
        return Ok(None);
    };
    let subcommand = subcommands.iter().find(|(keyword, _)| is(first, keyword));
    Ok(Some(Lead {
        subcommand: subcommand.map(|&(_, f)| f),
        words,
    }))
}

/// The name of an option word, lower-cased: `--note` gives `note`.
///
/// An em or en dash stands for `--`, because Slack clients with smart punctuation
/// turn a typed `--` into `—`. A word is only an option if a letter follows the dashes.
pub(crate) fn option_name(word: &str) -> Option<String> {
    let rest = word
        .strip_prefix("--")
        .or_else(|| word.strip_prefix('\u{2014}'))
        .or_else(|| word.strip_prefix('\u{2013}'))?;
    rest.starts_with(|c: char| c.is_ascii_alphabetic())
        .then(|| rest.to_ascii_lowercase())
}

/// Whether `word` is the keyword `keyword` (ASCII case-insensitive).
pub(crate) fn is(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

/// Drops a leading `to`.
pub(crate) fn skip_to<'w>(words: &'w [&'w str]) -> &'w [&'w str] {
    match words.split_first() {
        Some((first, rest)) if is(first, "to") => rest,
        _ => words,
    }
}

/// Free text (a note or a reason): the words joined by single spaces, at most
/// [`MAX_TEXT_CHARS`] long. `None` when there are no words.
pub(crate) fn free_text(
    words: &[&str],
    form: Form,
    what: TextKind,
) -> Result<Option<String>, ParseError> {
    if words.is_empty() {
        return Ok(None);
    }
    let text = words.join(" ");
    let len = text.chars().count();
    if len > MAX_TEXT_CHARS {
        return Err(ParseError::TextTooLong { form, what, len });
    }
    Ok(Some(text))
}

/// Whether a word is meant as an ID: `#` then anything, or only digits.
pub(crate) fn looks_like_id(word: &str) -> bool {
    word.starts_with('#') || word.bytes().all(|b| b.is_ascii_digit())
}

/// An ID: a positive decimal number, optionally written `#42`.
pub(crate) fn parse_id(word: &str, form: Form) -> Result<i64, ParseError> {
    let digits = word.strip_prefix('#').unwrap_or(word);
    let id = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok().filter(|&id| id > 0)
    } else {
        None
    };
    id.ok_or_else(|| ParseError::InvalidId {
        form,
        given: word.to_owned(),
    })
}

/// `Ok` if `words` is empty; otherwise its first word is one more than the form takes.
pub(crate) fn no_more(words: &[&str], form: Form) -> Result<(), ParseError> {
    match words.first() {
        None => Ok(()),
        Some(extra) => Err(ParseError::UnexpectedWord {
            form,
            given: (*extra).to_owned(),
        }),
    }
}
