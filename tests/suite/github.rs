//! GitHub, end to end: badger's real HTTP server and Slack client against the fake Slack
//! and a stateful fake GitHub on loopback. A start dispatches the deploy workflow once,
//! with the right inputs; the workflow reports back through the CI API; a refused dispatch
//! fails the deployment in plain words and frees the environment; what a release contains
//! is shown with its authors mentioned, within Slack's limits; a GitHub that hangs never
//! delays Slack's answer. (After the deploy: tests/suite/after_deploy.rs.)

use crate::support;

use serde_json::json;
use support::ci::event;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_github::{FakeCommit, FakeGithub, READ_ONLY_TOKEN};
use support::github::{
    assert_within_slack_limits, deployed_before, eventually, fake_github, github_vars, id_of,
    start, state_of, wait_for_ephemeral_json, wait_for_json, GITHUB_TOKEN, PUBLISHER, WHITEHALL,
};
use support::github_app::{assert_done_after_one_dispatch, github_app, start_deploying};
use support::people::{ADMIN, ALICE, BOB, CAROL};

/// What `user` is told when the deploy workflow could not be started.
const REFUSED: &str = "couldn't start the deploy workflow";

/// The text of the ephemeral containing `needle` that `user` is sent (waited for).
async fn ephemeral_text(t: &TestApp, user: &str, needle: &str) -> String {
    let m = wait_for_ephemeral_json(t, user, needle).await;
    m["text"].as_str().unwrap().to_owned()
}

async fn a_start_dispatches_once_and_the_workflow_reports_back(backend: Backend) {
    let (gh, t) = github_app(backend).await;
    let id = start_deploying(&t, ALICE, "whitehall release_2 to integration").await;

    // The start alert links the run once GitHub lists it.
    wait_for_json(&t, "actions/runs/").await;
    let d = gh.dispatches();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].repo, WHITEHALL);
    assert_eq!(d[0].workflow, "deploy.yml");
    assert_eq!(d[0].body["ref"], "main");
    assert_eq!(
        d[0].body["inputs"],
        json!({"environment": "integration", "gitRef": "release_2", "badgerDeploymentId": id.to_string()})
    );
    assert_eq!(
        d[0].authorization.as_deref(),
        Some(format!("Bearer {GITHUB_TOKEN}").as_str())
    );

    // The workflow reports back through the CI API, with the id it was given.
    let a = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    t.wait_for_message(":white_check_mark:").await;
    assert_eq!(state_of(&t, id).await, "succeeded");
    assert_done_after_one_dispatch(&t, &gh).await;
    t.stop().await;
}
on_both_backends!(a_start_dispatches_once_and_the_workflow_reports_back);

/// An admin starts Alice's turn: the start alert, edited to link the run, still says who
/// started it (read from the deployment's row).
async fn the_linked_start_alert_still_says_who_started_it(backend: Backend) {
    let (_gh, t) = github_app(backend).await;
    t.deploy(CAROL, "frontend v1 to integration").await;
    t.deploy(ALICE, "whitehall release_2 to integration").await;
    t.deploy(CAROL, "done").await;
    let call = t.wait_for_message("<@U0ALICE> it's your turn").await;
    let id = id_of(&call, "deploy_start");
    t.press(ADMIN, "deploy_start", &id.to_string()).await;
    let linked = wait_for_json(&t, "actions/runs/").await;
    let text = linked["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            ":rocket: <@U0ALICE> started deploying *whitehall* `release_2` to *integration*\nStarted by <@U0ADMIN>."
        ),
        "{linked}"
    );
    t.stop().await;
}
on_both_backends!(the_linked_start_alert_still_says_who_started_it);

async fn a_refused_dispatch_fails_the_deployment_and_frees_the_environment(backend: Backend) {
    let gh = FakeGithub::start().await;
    // No deploy.yml in the repository.
    gh.add_repo(WHITEHALL, "main", &[]);
    gh.add_refs(WHITEHALL, &["release_2"]);
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    // Carol's deployment holds integration while Alice and then Bob queue, so Bob is
    // certainly waiting when Alice's dispatch is refused (it can be refused at once).
    t.deploy(CAROL, "frontend v1 to integration").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("Queued"), "{}", r.text());
    let r = t.deploy(BOB, "collections v9 to integration").await;
    assert!(r.text().contains("Queued"), "{}", r.text());
    t.deploy(CAROL, "done").await;
    let call = t.wait_for_message("<@U0ALICE> it's your turn").await;
    t.press(
        ALICE,
        "deploy_start",
        &id_of(&call, "deploy_start").to_string(),
    )
    .await;
    let alert = t.wait_for_message("<@U0ALICE> started deploying").await;
    let id = id_of(&alert, "deploy_done");

    let told = ephemeral_text(&t, ALICE, REFUSED).await;
    let not_found = "could not find the workflow `deploy.yml` in alphagov/whitehall";
    assert!(told.contains(not_found), "{told}");
    let end = t.wait_for_message(":x:").await;
    assert!(
        end["text"].as_str().unwrap().contains("did not start"),
        "{end}"
    );
    assert_eq!(state_of(&t, id).await, "failed");
    // The next in line is called.
    t.wait_for_message("<@U0BOB> it's your turn").await;
    assert!(gh.dispatches().is_empty());
    t.stop().await;
}
on_both_backends!(a_refused_dispatch_fails_the_deployment_and_frees_the_environment);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_or_repository_github_does_not_know_is_refused_before_dispatching() {
    let (gh, t) = github_app(Backend::Sqlite).await;
    t.deploy(ALICE, "whitehall release_9 to integration").await;
    let told = ephemeral_text(&t, ALICE, REFUSED).await;
    let unknown = "GitHub does not know `release_9` in alphagov/whitehall";
    assert!(told.contains(unknown), "{told}");
    t.wait_for_message(":x:").await;
    assert!(gh.dispatches().is_empty());
    t.stop().await;

    let gh = FakeGithub::start().await;
    let t = start(Backend::Sqlite, &gh, GITHUB_TOKEN).await;
    t.deploy(ALICE, "whitehall release_2 to integration").await;
    let told = ephemeral_text(&t, ALICE, REFUSED).await;
    let unknown = "could not find the repository alphagov/whitehall";
    assert!(told.contains(unknown), "{told}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_rights_is_reported_in_plain_words() {
    let gh = fake_github().await;
    let t = start(Backend::Sqlite, &gh, READ_ONLY_TOKEN).await;
    t.deploy(ALICE, "whitehall release_2 to integration").await;
    let told = ephemeral_text(&t, ALICE, REFUSED).await;
    assert!(
        told.contains("may not run workflows in alphagov/whitehall")
            && told.contains("Resource not accessible by integration"),
        "{told}"
    );
    t.stop().await;
}

/// Only the inputs a workflow declares are sent: without `deployment_input`, exactly
/// `environment` and `gitRef`; with one the workflow lacks, GitHub's refusal is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_declared_inputs_are_sent_and_an_undeclared_one_is_reported() {
    let gh = FakeGithub::start().await;
    gh.add_repo(PUBLISHER, "main", &["deploy.yml"]);
    gh.add_refs(PUBLISHER, &["release_3"]);
    gh.add_repo(WHITEHALL, "main", &["deploy.yml"]);
    gh.add_refs(WHITEHALL, &["release_2"]);
    let policy = r#"
channel = "C0DEPLOY"
environments = [
    { name = "integration" },
    { name = "staging", window = "always", requires_previous = false },
]
[github.repos]
publisher = { repo = "alphagov/publisher", trigger = true }
whitehall = { repo = "alphagov/whitehall", trigger = true, deployment_input = "badgerDeploymentId" }
"#;
    let t = TestApp::start_with_vars(Backend::Sqlite, policy, github_vars(&gh, GITHUB_TOKEN)).await;
    t.deploy(ALICE, "publisher release_3 to integration").await;
    assert!(eventually(|| gh.dispatches().len() == 1).await);
    assert_eq!(
        gh.dispatches()[0].body["inputs"],
        json!({"environment": "integration", "gitRef": "release_3"})
    );
    t.deploy(BOB, "whitehall release_2 to staging").await;
    let told = ephemeral_text(&t, BOB, REFUSED).await;
    assert!(
        told.contains(
            "GitHub refused to run `deploy.yml` in alphagov/whitehall: Unexpected inputs provided"
        ),
        "{told}"
    );
    assert_eq!(gh.dispatches().len(), 1);
    t.stop().await;
}

async fn a_release_mentions_the_authors_in_the_workspace(backend: Backend) {
    let gh = fake_github().await;
    let commits = vec![
        FakeCommit::new(
            "Merge pull request #11 from alphagov/a\n\nAdd <a>",
            "octocat",
        ),
        FakeCommit::new("Fix the search page (#12)", "hubot"),
        FakeCommit::new("Merge pull request #13 from stranger/c", "stranger"),
        FakeCommit::new("Tidy", "octocat"),
    ];
    gh.set_compare(WHITEHALL, "release_1", "release_2", commits);
    gh.add_pull(WHITEHALL, 11, "Add <!channel> banner", "octocat");
    gh.add_pull(WHITEHALL, 12, "Fix the search page", "hubot");
    gh.add_pull(WHITEHALL, 13, "Update docs", "stranger");
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    deployed_before(&t, "whitehall", "release_1").await;

    // An app without a repository, one never deployed there, then one GitHub is asked about.
    for (diff, says) in [
        ("frontend v1", "doesn't know *frontend*'s GitHub repository"),
        ("publisher release_3", "Nothing of *publisher*"),
        ("whitehall release_2", "Asking GitHub"),
    ] {
        let r = t
            .deploy(ALICE, &format!("diff {diff} to integration"))
            .await;
        assert!(r.text().contains(says), "{diff}: {}", r.text());
    }
    let text = ephemeral_text(&t, ALICE, "pull requests").await;
    assert!(text.contains("3 pull requests and 4 commits"), "{text}");
    assert!(
        text.contains("<https://github.com/alphagov/whitehall/compare/release_1...release_2|compare on GitHub>"),
        "{text}"
    );
    assert!(
        text.contains("<@U0OCTO>") && text.contains("<@U0HUBOT>"),
        "{text}"
    );
    assert!(
        text.contains("`stranger`") && !text.contains("<@stranger"),
        "{text}"
    );
    assert!(
        !text.contains("<!channel>"),
        "PR titles are escaped: {text}"
    );
    assert!(gh.dispatches().is_empty(), "a diff dispatches nothing");
    t.stop().await;
}
on_both_backends!(a_release_mentions_the_authors_in_the_workspace);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_github_does_not_know_is_reported() {
    let (_gh, t) = github_app(Backend::Sqlite).await;
    deployed_before(&t, "whitehall", "release_1").await;
    t.deploy(ALICE, "diff whitehall nope to integration").await;
    let text = ephemeral_text(&t, ALICE, "couldn't find out").await;
    let unknown = "GitHub does not know `nope` in alphagov/whitehall";
    assert!(text.contains(unknown), "{text}");
    t.stop().await;
}

async fn a_300_commit_release_stays_within_slack_limits(backend: Backend) {
    let gh = fake_github().await;
    let commits = (1..=300)
        .map(|n| FakeCommit::new(&format!("Change number {n} (#{n})"), &format!("dev{n}")))
        .collect();
    gh.set_compare(PUBLISHER, "release_1", "release_3", commits);
    for n in 1..=300 {
        gh.add_pull(
            PUBLISHER,
            n,
            &"A long title ".repeat(20),
            &format!("dev{n}"),
        );
    }
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    deployed_before(&t, "publisher", "release_1").await;
    // On start, in the start alert's thread (publisher is not set to trigger).
    t.deploy(ALICE, "publisher release_3 to integration").await;
    let alert = t.wait_for_message("started deploying").await;
    let m = wait_for_json(&t, "adds 300 pull requests").await;
    assert_eq!(m["thread_ts"], alert["ts"], "in the start alert's thread");
    assert_within_slack_limits(&m);
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("300 commits"), "{text}");
    assert!(text.contains("+280 more pull requests"), "{text}");
    assert!(text.contains("and 270 more"), "{text}");
    assert!(gh.dispatches().is_empty());
    t.stop().await;
}
on_both_backends!(a_300_commit_release_stays_within_slack_limits);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_hanging_does_not_delay_slack_answers() {
    let gh = fake_github().await;
    gh.set_hang(true);
    let t = start(Backend::Sqlite, &gh, GITHUB_TOKEN).await;
    deployed_before(&t, "whitehall", "release_1").await;
    // The real answers, not Slack's "still working on it": GitHub is not on the path.
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let r = t.deploy(BOB, "diff whitehall release_2 integration").await;
    assert!(r.text().contains("Asking GitHub"), "{}", r.text());
    // GitHub was asked, in the background.
    assert!(
        eventually(|| gh
            .requests()
            .iter()
            .any(|r| r.contains("/dispatches") || r.starts_with("GET /repos/alphagov/whitehall")))
        .await
    );
    t.stop().await;
}

/// A ref stored before refs were checked for `..` (here written straight into the
/// database) is never put in a GitHub URL: the diff says why, nothing leaves the
/// repository's paths, and the pages that show the ref still answer.
async fn a_stored_ref_with_dot_dot_never_reaches_github(backend: Backend) {
    let (gh, t) = github_app(backend).await;
    deployed_before(&t, "whitehall", "release_1").await;
    let bad = "a/../../../../../user";
    for table in ["deployments", "current_versions"] {
        sqlx::query(&format!(
            "UPDATE {table} SET git_ref = '{bad}' WHERE app = 'whitehall'"
        ))
        .execute(t.core().store.pool())
        .await
        .unwrap();
    }
    t.deploy(ALICE, "diff whitehall release_2 to integration")
        .await;
    let text = ephemeral_text(&t, ALICE, "couldn't find out").await;
    assert!(
        text.contains("badger did not ask GitHub") && text.contains("`.` or `..` part"),
        "{text}"
    );
    let requests = gh.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET /repos/alphagov/whitehall/")),
        "{requests:?}"
    );
    for path in ["/dashboard", "/apps/whitehall", "/api/v1/versions"] {
        assert_eq!(t.get(path).await.status(), 200, "{path}");
    }
    let r = t.deploy(ALICE, "versions whitehall").await;
    assert!(r.text().contains("whitehall"), "{}", r.text());
    t.stop().await;
}
on_both_backends!(a_stored_ref_with_dot_dot_never_reaches_github);
