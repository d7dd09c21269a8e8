//! The layers stay layered: only the HTTP edge (`src/http/`) and the start-up wiring
//! (`src/app.rs`, `src/main.rs`, `src/lib.rs`) know the router or `AppState`, the domain
//! (`src/domain/`) does no I/O, and each button `action_id` is spelled in one place. Read
//! from the source, so a change that breaks a rule fails here rather than in review.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src())
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
    let offenders: Vec<String> = files
        .iter()
        .filter(|(rel, _)| !is_edge_or_wiring(rel))
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains("crate::http") || line.contains("AppState"))
                .map(move |(n, line)| format!("src/{rel}:{}: {}", n + 1, line.trim()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "only src/http/ and the start-up wiring may know the HTTP edge; move the handler \
         into src/http/ or pass what it needs (a Core, a value) instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_domain_does_no_io() {
    let files = rust_files(&src().join("domain"));
    assert!(files.len() > 5, "read too few files: {}", files.len());
    let io = ["sqlx", "axum", "reqwest", "tokio", "slack_morphism"];
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    let code = line.split("//").next().unwrap_or("");
                    code.split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                        .any(|w| io.contains(&w))
                })
                .map(move |(n, line)| format!("src/{rel}:{}: {}", n + 1, line.trim()))
        })
        .collect();
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
