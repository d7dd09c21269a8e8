//! The documentation stays true to the code: every example in docs/user-guide.md parses
//! with badger's own command parser and together they show every form; every button
//! `action_id` it names is one badger handles, and it names them all; docs/contract.md
//! lists every environment variable and route the code has; links inside the repository
//! resolve; and nothing points outside the repository.

use badger::command::{
    deploy_help, hold_help, parse_deploy, parse_hold, CommandContext, DeployCommand, HoldCommand,
    HoldScope, ReleaseTarget,
};
use badger::service::Action;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

/// The lines inside fenced code blocks.
fn code_lines(markdown: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if inside {
            out.push(line.trim().to_owned());
        }
    }
    out
}

/// Runs `check` with the parser context of the default policy (Tuesday 10:00 London).
fn with_context<T>(check: impl FnOnce(&CommandContext) -> T) -> T {
    crate::support::parser::with_default_context(|ctx, _| check(ctx))
}

fn deploy_form(c: &DeployCommand) -> &'static str {
    match c {
        DeployCommand::Request { note: None, .. } => "deploy APP REF ENV",
        DeployCommand::Request { note: Some(_), .. } => "deploy APP REF ENV --note",
        DeployCommand::Emergency { .. } => "deploy emergency",
        DeployCommand::Done { note: None } => "deploy done",
        DeployCommand::Done { note: Some(_) } => "deploy done NOTE",
        DeployCommand::DoneId { .. } => "deploy done ID",
        DeployCommand::Failed { reason: None } => "deploy failed",
        DeployCommand::Failed { reason: Some(_) } => "deploy failed REASON",
        DeployCommand::FailedId { .. } => "deploy failed ID",
        DeployCommand::Cancel { id: None } => "deploy cancel",
        DeployCommand::Cancel { id: Some(_) } => "deploy cancel ID",
        DeployCommand::Status { env: None } => "deploy status",
        DeployCommand::Status { env: Some(_) } => "deploy status ENV",
        DeployCommand::Versions { app: None } => "deploy versions",
        DeployCommand::Versions { app: Some(_) } => "deploy versions APP",
        DeployCommand::History { env: None, .. } => "deploy history APP",
        DeployCommand::History { env: Some(_), .. } => "deploy history APP ENV",
        DeployCommand::Windows => "deploy windows",
        DeployCommand::Diff { .. } => "deploy diff",
        DeployCommand::Help => "deploy help",
    }
}

fn hold_forms(c: &HoldCommand) -> Vec<&'static str> {
    match c {
        HoldCommand::Create {
            scope, env, until, ..
        } => {
            let mut forms = vec![match scope {
                HoldScope::App(_) => "hold APP",
                HoldScope::All => "hold all",
            }];
            if env.is_some() {
                forms.push("hold APP ENV");
            }
            if until.is_some() {
                forms.push("hold --until");
            }
            forms
        }
        HoldCommand::List => vec!["hold list"],
        HoldCommand::Release { target } => vec![match target {
            ReleaseTarget::App(_) => "hold release APP",
            ReleaseTarget::All => "hold release all",
            ReleaseTarget::Id(_) => "hold release ID",
        }],
        HoldCommand::Help => vec!["hold help"],
    }
}

/// What follows `command` in a line that runs it (trimmed); `None` for any other line.
fn arguments<'a>(line: &'a str, command: &str) -> Option<&'a str> {
    line.strip_prefix(command)
        .filter(|t| t.is_empty() || t.starts_with(' '))
        .map(str::trim)
}

#[test]
fn every_user_guide_example_parses_and_every_form_has_one() {
    let guide = read("docs/user-guide.md");
    let mut shown = BTreeSet::new();
    let mut examples = 0;
    with_context(|ctx| {
        for line in code_lines(&guide) {
            if let Some(text) = arguments(&line, "/deploy") {
                let cmd = parse_deploy(text, ctx)
                    .unwrap_or_else(|e| panic!("`{line}` does not parse: {}", e.message(ctx)));
                shown.insert(deploy_form(&cmd));
                examples += 1;
            } else if let Some(text) = arguments(&line, "/hold") {
                let cmd = parse_hold(text, ctx)
                    .unwrap_or_else(|e| panic!("`{line}` does not parse: {}", e.message(ctx)));
                shown.extend(hold_forms(&cmd));
                examples += 1;
            }
        }
    });
    let every_form = [
        "deploy APP REF ENV",
        "deploy APP REF ENV --note",
        "deploy emergency",
        "deploy done",
        "deploy done NOTE",
        "deploy done ID",
        "deploy failed",
        "deploy failed REASON",
        "deploy failed ID",
        "deploy cancel",
        "deploy cancel ID",
        "deploy status",
        "deploy status ENV",
        "deploy versions",
        "deploy versions APP",
        "deploy history APP",
        "deploy history APP ENV",
        "deploy windows",
        "deploy diff",
        "deploy help",
        "hold APP",
        "hold all",
        "hold APP ENV",
        "hold --until",
        "hold list",
        "hold release APP",
        "hold release all",
        "hold release ID",
        "hold help",
    ];
    let missing: Vec<&&str> = every_form.iter().filter(|f| !shown.contains(**f)).collect();
    assert!(
        missing.is_empty(),
        "no example in docs/user-guide.md of {missing:?}"
    );
    assert!(examples >= 20, "{examples} examples");
}

/// The usage forms the parser's own help shows (`/deploy APP REF [to] ENV [--note TEXT]`,
/// ...) appear in the guide and in the contract word for word.
#[test]
fn the_guide_and_contract_show_the_parsers_usage_forms() {
    let guide = read("docs/user-guide.md");
    let contract = read("docs/contract.md").replace("\\|", "|");
    let forms: Vec<String> = with_context(|ctx| {
        format!("{}\n{}", deploy_help(ctx), hold_help(ctx))
            .lines()
            .filter_map(|l| l.strip_prefix("• `"))
            .filter_map(|l| l.split_once("`:").map(|(form, _)| form.to_owned()))
            .collect()
    });
    assert!(forms.len() >= 13, "{forms:?}");
    for form in forms {
        assert!(
            guide.contains(&format!("`{form}`")),
            "docs/user-guide.md lacks `{form}`"
        );
        assert!(
            contract.contains(&format!("`{form}`")),
            "docs/contract.md lacks `{form}`"
        );
    }
}

/// `deploy_...` and `hold_...` words in backticks.
fn action_ids_in(markdown: &str) -> BTreeSet<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            (w.starts_with("deploy_") || w.starts_with("hold_"))
                && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_button_in_the_docs_exists_and_every_button_is_documented() {
    for doc in ["docs/user-guide.md", "docs/contract.md"] {
        let named = action_ids_in(&read(doc));
        for id in &named {
            assert!(
                Action::parse(id).is_some(),
                "{doc} names `{id}`, which badger does not handle"
            );
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.action_id()), Some(action));
            assert!(
                named.contains(action.action_id()),
                "{doc} does not describe `{}`",
                action.action_id()
            );
        }
    }
}

#[test]
fn the_contract_and_help_list_every_variable_and_route() {
    let contract = read("docs/contract.md");
    // Variables: every name the code reads from the environment.
    let mut vars = BTreeSet::new();
    for file in [
        "src/config/settings.rs",
        "src/config/api_tokens.rs",
        "src/config/github_settings.rs",
        "src/telemetry.rs",
        "src/main.rs",
    ] {
        let text = read(file);
        for piece in text.split('"').skip(1).step_by(2) {
            let is_var = ["SLACK_", "BADGER_", "DATABASE_", "GITHUB_"]
                .iter()
                .any(|p| piece.starts_with(p))
                && piece.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
            if is_var {
                vars.insert(piece.to_owned());
            }
        }
    }
    assert!(vars.len() >= 10, "{vars:?}");
    // `badger --help` names them too, for an operator with only the binary at hand.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("--help")
        .output()
        .expect("badger --help runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for var in &vars {
        assert!(
            help.contains(var.as_str()),
            "badger --help lacks {var}:\n{help}"
        );
    }
    for var in &vars {
        assert!(
            contract.contains(&format!("`{var}`")),
            "docs/contract.md lacks `{var}`"
        );
        assert!(
            read("docs/operator-guide.md").contains(var.as_str())
                || contract.contains(&format!("| `{var}` |")),
            "{var} is documented nowhere for operators"
        );
    }
    // Routes: every path the router serves.
    let app = read("src/http/mod.rs");
    let mut routes: Vec<String> = app
        .split(".route(\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(str::to_owned)
        .collect();
    routes.extend(
        badger::http::api::routes::API_ROUTES
            .iter()
            .map(|r| r.path.to_owned()),
    );
    routes.extend(
        badger::slack::needs::SLACK_ROUTES
            .iter()
            .map(|r| r.to_string()),
    );
    assert!(routes.len() >= 11, "{routes:?}");
    for route in routes {
        let shown = route.split('{').next().unwrap_or(&route).to_owned();
        assert!(
            contract.contains(&shown),
            "docs/contract.md lacks the route {route}"
        );
    }
}

/// Relative links in README.md and docs/ point at files that exist, and no document,
/// source file or test reaches outside the repository.
#[test]
fn links_stay_inside_the_repository_and_resolve() {
    let docs: Vec<PathBuf> = std::iter::once(root().join("README.md"))
        .chain(
            std::fs::read_dir(root().join("docs"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "md")),
        )
        .collect();
    assert!(docs.len() >= 4);
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for target in text.split("](").skip(1).filter_map(|t| t.split(')').next()) {
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let resolved = doc.parent().unwrap().join(file);
            assert!(
                resolved.exists(),
                "{}: link {target} does not resolve",
                doc.display()
            );
            let inside = resolved
                .canonicalize()
                .unwrap()
                .starts_with(root().canonicalize().unwrap());
            assert!(
                inside,
                "{}: link {target} leaves the repository",
                doc.display()
            );
        }
    }
    // Spelled in two halves so this file does not match itself.
    let outside = format!("{}{}", "../sha", "red");
    let mut files = Vec::new();
    for dir in ["src", "tests", "docs", "examples", "migrations", ".ci"] {
        walk(&root().join(dir), &mut files);
    }
    for name in [
        "README.md",
        "manifest.yml",
        "Cargo.toml",
        "Dockerfile",
        "badger.example.toml",
    ] {
        files.push(root().join(name));
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        assert!(
            !text.contains(&outside),
            "{} refers outside the repository",
            file.display()
        );
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
