//! The layers stay layered: only the HTTP edge (`src/http/`) and the start-up wiring
//! (`src/app.rs`, `src/main.rs`, `src/lib.rs`) know the router or `AppState`, nothing below
//! the edges words for one (Slack, the dashboard, GitHub), the domain
//! (`src/domain/`) does no I/O, each button `action_id` is spelled in one place, and every
//! Rust file (the program, its tests, the load generator) is short enough for a newcomer
//! and says what it holds on its first line. Read from the source, so a change that breaks
//! a rule fails here rather than in review.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    rust_files_below(&[dir.to_path_buf()], &src())
}

/// Every `.rs` file under `dirs`, with its path relative to `root`.
fn rust_files_below(dirs: &[PathBuf], root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = dirs.to_vec();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Every line of `files` (paths relative to `src/`) that `offends`, as `src/PATH:LINE: text`.
fn lines_where<'a>(
    files: impl Iterator<Item = &'a (String, String)>,
    offends: impl Fn(&str) -> bool,
) -> Vec<String> {
    files
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| offends(line))
                .map(move |(n, line)| format!("src/{rel}:{}: {}", n + 1, line.trim()))
        })
        .collect()
}

fn is_edge_or_wiring(rel: &str) -> bool {
    rel.starts_with("http/") || ["app.rs", "main.rs", "lib.rs"].contains(&rel)
}

#[test]
fn nothing_below_the_edge_imports_it() {
    let files = rust_files(&src());
    assert!(files.len() > 50, "read too few files: {}", files.len());
    assert!(
        files.iter().any(|(rel, _)| rel == "http/mod.rs"),
        "src/http/mod.rs holds the router"
    );
    let below_edges = files.iter().filter(|(rel, _)| !is_edge_or_wiring(rel));
    let offenders = lines_where(below_edges, |line| {
        line.contains("crate::http") || line.contains("AppState")
    });
    assert!(
        offenders.is_empty(),
        "only src/http/ and the start-up wiring may know the HTTP edge; move the handler \
         into src/http/ or pass what it needs (a Core, a value) instead:\n{}",
        offenders.join("\n")
    );
}

/// The layers below the edges (the use cases, the domain, the store, the parser) return
/// typed values; wording them for Slack, a web page or GitHub is the edges' job, so none of
/// them names an edge module.
#[test]
fn nothing_below_the_edges_words_for_an_edge() {
    let below = ["service/", "domain/", "store/", "command/"];
    let edges = [
        "crate::slack",
        "crate::dashboard",
        "crate::console",
        "crate::github",
        "crate::http",
    ];
    let files = rust_files(&src());
    let checked: Vec<_> = files
        .iter()
        .filter(|(rel, _)| below.iter().any(|b| rel.starts_with(b)))
        .collect();
    assert!(checked.len() > 30, "read too few files: {}", checked.len());
    let offenders = lines_where(checked.iter().copied(), |line| {
        let code = line.split("//").next().unwrap_or("");
        edges.iter().any(|e| code.contains(e))
    });
    assert!(
        offenders.is_empty(),
        "service/, domain/, store/ and command/ return typed values (Answer, Denied, \
         Notice); word them under src/slack/ (or the dashboard, console, github edge):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_domain_does_no_io() {
    let files = rust_files(&src().join("domain"));
    assert!(files.len() > 5, "read too few files: {}", files.len());
    let io = ["sqlx", "axum", "reqwest", "tokio", "slack_morphism"];
    let offenders = lines_where(files.iter(), |line| {
        let code = line.split("//").next().unwrap_or("");
        code.split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
            .any(|w| io.contains(&w))
    });
    assert!(
        offenders.is_empty(),
        "src/domain/ is pure (clock passed in, no I/O crates):\n{}",
        offenders.join("\n")
    );
}

/// Each button's `action_id` is spelled once, in `Action::action_id`; everything that
/// builds or reads a button goes through the enum (tests and docs may spell them).
#[test]
fn action_ids_are_spelled_once() {
    use badger::service::Action;
    let files = rust_files(&src());
    for action in Action::ALL {
        let literal = format!("\"{}\"", action.action_id());
        let mut found = Vec::new();
        for (rel, text) in &files {
            if rel.ends_with("_tests.rs") {
                continue;
            }
            let code = text.split("#[cfg(test)]").next().unwrap_or(text);
            let n = code.matches(literal.as_str()).count();
            if n > 0 {
                found.push(format!("src/{rel} ({n})"));
            }
        }
        assert_eq!(
            found,
            vec!["src/service/buttons.rs (1)".to_owned()],
            "{literal} must appear once, in Action::action_id; build buttons with \
             blocks::button(Action::..)"
        );
    }
}

/// The most lines of code (not blank, not only a comment) a file may hold.
const MAX_CODE_LINES: usize = 400;

/// The folders whose files a newcomer opens: the program, its tests and their helpers, and
/// the load generator.
const READ_BY_PEOPLE: [&str; 3] = ["src", "tests", "examples"];

/// Lines that are neither blank nor only a comment (`//`, `///`, `//!`, or inside a
/// `/* */` block that starts a line).
fn code_lines(text: &str) -> usize {
    let mut in_block = false;
    text.lines()
        .map(str::trim)
        .filter(|line| {
            if in_block {
                in_block = !line.contains("*/");
                return false;
            }
            if line.starts_with("/*") {
                in_block = !line.contains("*/");
                return false;
            }
            !line.is_empty() && !line.starts_with("//")
        })
        .count()
}

/// Every `.rs` file under the folders of [`READ_BY_PEOPLE`], with its path relative to the
/// repository.
fn files_people_read() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs: Vec<PathBuf> = READ_BY_PEOPLE.iter().map(|d| root.join(d)).collect();
    rust_files_below(&dirs, root)
}

#[test]
fn code_lines_skip_blanks_and_comments() {
    let text = "//! What it holds.\n\n/// Doc.\nfn a() {}\n    // why\n/* a\n block */\nlet s = \"// not a comment\";\n";
    assert_eq!(code_lines(text), 2);
}

#[test]
fn every_file_is_short_and_says_what_it_holds() {
    let files = files_people_read();
    assert!(files.len() > 150, "read too few files: {}", files.len());
    let undocumented: Vec<&str> = files
        .iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(rel, _)| rel.as_str())
        .collect();
    assert!(
        undocumented.is_empty(),
        "each file starts with a `//!` line saying what it holds; add one to:\n{}",
        undocumented.join("\n")
    );
    // Tests and their helpers too: a newcomer reads them to learn how a rule is pinned.
    let too_long: Vec<String> = files
        .iter()
        .map(|(rel, text)| (rel, code_lines(text)))
        .filter(|&(_, n)| n > MAX_CODE_LINES)
        .map(|(rel, n)| format!("{rel}: {n} lines of code"))
        .collect();
    assert!(
        too_long.is_empty(),
        "a file holds at most {MAX_CODE_LINES} lines of code (blank and comment lines aside); \
         split these into modules named for what they hold:\n{}",
        too_long.join("\n")
    );
}
