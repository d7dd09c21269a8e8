//! The Dockerfile stays what docs/operator-guide.md says (Docker cannot run in CI here, so
//! its shape is checked; `.ci/run` builds and runs the binary the same way).

use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

/// Instructions without comments, continuation lines joined.
fn instructions() -> Vec<String> {
    let text = read("Dockerfile").replace("\\\n", " ");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn dockerfile_is_multi_stage_small_and_unprivileged() {
    let lines = instructions();
    let has = |prefix: &str| lines.iter().any(|l| l.starts_with(prefix));
    let froms: Vec<&String> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    assert!(froms[0].starts_with("FROM rust:") && froms[0].ends_with(" AS build"));
    assert!(froms[1].contains("debian:") && froms[1].contains("-slim"));
    assert!(has("RUN cargo build --release --locked"));
    assert!(
        has("COPY migrations "),
        "migrations are compiled in at build time"
    );
    assert!(has("COPY --from=build /src/target/release/badger "));
    let user = lines.iter().find(|l| l.starts_with("USER ")).expect("USER");
    assert!(!user.contains("root") && !user.contains(" 0"), "{user}");
    assert!(has("ENV BADGER_BIND=0.0.0.0:3000"));
    assert!(has("EXPOSE 3000"));
    let health = lines
        .iter()
        .find(|l| l.starts_with("HEALTHCHECK "))
        .expect("HEALTHCHECK");
    assert!(health.contains("badger\", \"healthcheck\"]"), "{health}");
    // The runtime stage comes after the build stage and holds the user and health check.
    let runtime_from = lines.iter().position(|l| l == froms[1]).unwrap();
    let user_at = lines.iter().position(|l| l.starts_with("USER ")).unwrap();
    assert!(user_at > runtime_from);
}

#[test]
fn all_interfaces_only_in_the_image() {
    // Outside the image badger listens on loopback unless told otherwise.
    let s = badger::config::Settings::from_vars(|_| None).expect("defaults");
    assert_eq!(s.bind, "127.0.0.1:3000");
}

#[test]
fn dockerignore_keeps_what_the_build_needs() {
    let ignore = read(".dockerignore");
    let ignored: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(ignored.contains(&"target") && ignored.contains(&".git"));
    for needed in ["src", "migrations", "Cargo.toml", "Cargo.lock"] {
        assert!(!ignored.contains(&needed), "{needed} is ignored");
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(needed).exists());
    }
}
