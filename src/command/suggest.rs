//! "Did you mean …?": the closest candidate to a mistyped word, and the subcommand a
//! mistyped first word stands for.

use super::error::{Form, ParseError};
use super::words::option_name;

/// Words longer than this are never close to anything we suggest.
const MAX_WORD: usize = 64;

/// The index of the candidate the user most likely meant by `given`, if any.
///
/// In order of preference (ASCII case is ignored):
/// 1. the only candidate that `given` (two characters or more) is a prefix of:
///    `prod` → `production`;
/// 2. the nearest candidate by edit distance, counting a swap of neighbours as one
///    edit, within 1 edit for candidates of up to 4 characters and 2 for longer ones,
///    and fewer edits than `given` has characters. Ties go to the earlier candidate.
pub(crate) fn closest(given: &str, candidates: &[&str]) -> Option<usize> {
    let given: Vec<char> = given.to_ascii_lowercase().chars().collect();
    if given.is_empty() || given.len() > MAX_WORD {
        return None;
    }
    let candidates: Vec<Vec<char>> = candidates
        .iter()
        .map(|c| c.to_ascii_lowercase().chars().collect())
        .collect();

    if given.len() >= 2 {
        let mut prefixed = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.len() > given.len() && c.starts_with(&given));
        if let (Some((i, _)), None) = (prefixed.next(), prefixed.next()) {
            return Some(i);
        }
    }

    candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let allowed = if c.len() <= 4 { 1 } else { 2 };
            let d = distance(&given, c, allowed)?;
            (d < given.len()).then_some((d, i))
        })
        .min()
        .map(|(_, i)| i)
}

/// Optimal-string-alignment distance between `a` and `b`, or `None` if it is over `max`.
fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max || b.len() > MAX_WORD {
        return None;
    }
    // rows[i][j]: distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    let d = rows[a.len()][b.len()];
    (d <= max).then_some(d)
}

/// `UnknownSubcommand` when `first` (or `--first`) looks like a typo of one of the
/// `subcommands`' keywords; callers first rule out words that mean something else (an app).
pub(crate) fn subcommand_typo(
    first: &str,
    subcommands: &[(&'static str, Form)],
) -> Option<ParseError> {
    let keywords: Vec<&str> = subcommands.iter().map(|(keyword, _)| *keyword).collect();
    let word = option_name(first).unwrap_or_else(|| first.to_owned());
    let (keyword, form) = *subcommands.get(closest(&word, &keywords)?)?;
    Some(ParseError::UnknownSubcommand {
        form,
        given: first.to_owned(),
        suggestion: keyword,
    })
}

#[cfg(test)]
mod tests {
    use super::closest;

    const ENVS: &[&str] = &["integration", "staging", "production"];
    const KEYWORDS: &[&str] = &["emergency", "done", "failed", "cancel", "status", "help"];

    #[test]
    fn suggestions() {
        assert_eq!(closest("stagin", ENVS), Some(1));
        assert_eq!(closest("prod", ENVS), Some(2));
        assert_eq!(closest("PRODUCTOIN", ENVS), Some(2));
        assert_eq!(closest("intergation", ENVS), Some(0));
        assert_eq!(closest("stauts", KEYWORDS), Some(4));
        assert_eq!(closest("dnoe", KEYWORDS), Some(1));
        assert_eq!(closest("cancle", KEYWORDS), Some(3));
        assert_eq!(closest("ſtaging", ENVS), Some(1));
    }

    #[test]
    fn no_suggestions() {
        assert_eq!(closest("", ENVS), None);
        assert_eq!(closest("p", ENVS), None);
        assert_eq!(closest("live", ENVS), None);
        assert_eq!(closest("node", KEYWORDS), None);
        assert_eq!(closest("x", KEYWORDS), None);
        assert_eq!(closest(&"staging".repeat(100), ENVS), None);
        assert_eq!(closest("st", &["status", "staging"]), None);
    }
}
