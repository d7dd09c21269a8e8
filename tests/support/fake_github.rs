//! A stateful fake of the GitHub REST API on loopback: repositories with a default
//! branch, refs, workflows, compare results and pull requests; workflow dispatches are
//! checked as GitHub checks them (workflow present, ref known, token allowed), recorded,
//! and create a run that the runs list then shows. It can also hang, to stand for a
//! GitHub that does not answer, and answer dispatches with an error status (a 502 from its
//! front end, with or without the run created behind it).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// A token the fake treats as lacking the rights to run workflows (403).
pub const READ_ONLY_TOKEN: &str = "ghp_read_only";

#[derive(Debug, Clone)]
pub struct Dispatch {
    pub repo: String,
    pub workflow: String,
    pub body: Value,
    pub authorization: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FakeCommit {
    pub message: String,
    pub author: Option<String>,
}

impl FakeCommit {
    pub fn new(message: &str, author: &str) -> Self {
        FakeCommit {
            message: message.to_owned(),
            author: Some(author.to_owned()),
        }
    }
}

#[derive(Default)]
struct Repo {
    default_branch: String,
    refs: HashSet<String>,
    /// Workflow file -> the inputs it declares (GitHub refuses any other).
    workflows: HashMap<String, HashSet<String>>,
    compares: HashMap<(String, String), Vec<FakeCommit>>,
    pulls: BTreeMap<i64, (String, String)>,
    runs: Vec<Value>,
}

#[derive(Default)]
struct FakeState {
    repos: HashMap<String, Repo>,
    dispatches: Vec<Dispatch>,
    requests: Vec<String>,
    hang: bool,
    next_run: i64,
    /// How the next dispatches are answered instead of 204: the status, and whether the
    /// run (and the dispatch) is made all the same.
    dispatch_answers: std::collections::VecDeque<(StatusCode, bool)>,
}

#[derive(Clone)]
pub struct FakeGithub {
    state: Arc<Mutex<FakeState>>,
    base_url: String,
    _server: Arc<Guard>,
}

struct Guard(tokio::task::AbortHandle);
impl Drop for Guard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Shared = Arc<Mutex<FakeState>>;

impl FakeGithub {
    pub async fn start() -> FakeGithub {
        let state: Shared = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake github: bind");
        let addr = listener.local_addr().expect("fake github: addr");
        let app = Router::new()
            .route("/repos/{owner}/{name}", get(repo_info))
            .route(
                "/repos/{owner}/{name}/actions/workflows/{workflow}/dispatches",
                post(dispatch),
            )
            .route(
                "/repos/{owner}/{name}/actions/workflows/{workflow}/runs",
                get(runs),
            )
            .route("/repos/{owner}/{name}/compare/{*spec}", get(compare))
            .route("/repos/{owner}/{name}/commits/{*git_ref}", get(commit))
            .route("/repos/{owner}/{name}/pulls/{number}", get(pull))
            .layer(axum::middleware::from_fn_with_state(state.clone(), gate))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGithub {
            state,
            base_url: format!("http://{addr}"),
            _server: Arc::new(Guard(task.abort_handle())),
        }
    }

    /// `GITHUB_API_URL`.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A repository with `default_branch` (a known ref) and these workflow files, each
    /// declaring the inputs `environment` and `gitRef`.
    pub fn add_repo(&self, repo: &str, default_branch: &str, workflows: &[&str]) {
        let mut s = self.lock();
        let r = s.repos.entry(repo.to_owned()).or_default();
        r.default_branch = default_branch.to_owned();
        r.refs.insert(default_branch.to_owned());
        for w in workflows {
            r.workflows.insert(
                (*w).to_owned(),
                HashSet::from(["environment".to_owned(), "gitRef".to_owned()]),
            );
        }
    }

    /// One more input a workflow declares.
    pub fn declare_input(&self, repo: &str, workflow: &str, input: &str) {
        let mut s = self.lock();
        let r = s.repos.entry(repo.to_owned()).or_default();
        r.workflows
            .entry(workflow.to_owned())
            .or_default()
            .insert(input.to_owned());
    }

    pub fn add_refs(&self, repo: &str, refs: &[&str]) {
        let mut s = self.lock();
        let r = s.repos.entry(repo.to_owned()).or_default();
        r.refs.extend(refs.iter().map(|x| (*x).to_owned()));
    }

    /// What `head` adds over `base`, oldest commit first.
    pub fn set_compare(&self, repo: &str, base: &str, head: &str, commits: Vec<FakeCommit>) {
        let mut s = self.lock();
        let r = s.repos.entry(repo.to_owned()).or_default();
        r.compares
            .insert((base.to_owned(), head.to_owned()), commits);
    }

    pub fn add_pull(&self, repo: &str, number: i64, title: &str, author: &str) {
        let mut s = self.lock();
        let r = s.repos.entry(repo.to_owned()).or_default();
        r.pulls
            .insert(number, (title.to_owned(), author.to_owned()));
    }

    pub fn dispatches(&self) -> Vec<Dispatch> {
        self.lock().dispatches.clone()
    }

    /// Every request, `METHOD path?query`, in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// The next dispatch is answered with `status`; with `made`, it is carried out (its
    /// run created, the dispatch listed in [`FakeGithub::dispatches`]) all the same.
    pub fn answer_next_dispatch(&self, status: u16, made: bool) {
        let status = StatusCode::from_u16(status).expect("an HTTP status");
        self.lock().dispatch_answers.push_back((status, made));
    }

    /// Every request from now on waits and never answers (until `false`).
    pub fn set_hang(&self, hang: bool) {
        self.lock().hang = hang;
    }
}

async fn gate(
    State(state): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let hang = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.requests.push(format!("{} {}", req.method(), req.uri()));
        s.hang
    };
    if hang {
        // Longer than any client timeout in the tests.
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
    next.run(req).await
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})),
    )
        .into_response()
}

/// `answer` for the repository `o/n`, or GitHub's 404 when there is none.
fn in_repo(state: &Shared, o: &str, n: &str, answer: impl FnOnce(&Repo) -> Response) -> Response {
    let s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.repos
        .get(&format!("{o}/{n}"))
        .map_or_else(not_found, answer)
}

async fn repo_info(State(state): State<Shared>, Path((o, n)): Path<(String, String)>) -> Response {
    in_repo(&state, &o, &n, |r| {
        Json(json!({"full_name": format!("{o}/{n}"), "default_branch": r.default_branch}))
            .into_response()
    })
}

async fn dispatch(
    State(state): State<Shared>,
    Path((o, n, workflow)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let repo = format!("{o}/{n}");
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if authorization.as_deref() == Some(&format!("Bearer {READ_ONLY_TOKEN}")) {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "Resource not accessible by integration"})),
        )
            .into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "Problems parsing JSON"})),
        )
            .into_response();
    };
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let answer = s.dispatch_answers.pop_front();
    let fails =
        |status: StatusCode| (status, Json(json!({"message": "Server Error"}))).into_response();
    if let Some((status, false)) = answer {
        return fails(status);
    }
    s.next_run += 1;
    let run_id = 1000 + s.next_run;
    let Some(r) = s.repos.get_mut(&repo) else {
        return not_found();
    };
    let Some(declared) = r.workflows.get(&workflow) else {
        return not_found();
    };
    let mut unexpected: Vec<&str> = body["inputs"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .map(String::as_str)
        .filter(|k| !declared.contains(*k))
        .collect();
    if !unexpected.is_empty() {
        unexpected.sort_unstable();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"message": format!("Unexpected inputs provided: {unexpected:?}")})),
        )
            .into_response();
    }
    let git_ref = body["ref"].as_str().unwrap_or("");
    if !r.refs.contains(git_ref) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"message": format!("No ref found for: {git_ref}")})),
        )
            .into_response();
    }
    r.runs.push(json!({
        "id": run_id,
        "html_url": format!("https://github.com/{repo}/actions/runs/{run_id}"),
        "created_at": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "event": "workflow_dispatch",
        "status": "queued",
    }));
    s.dispatches.push(Dispatch {
        repo,
        workflow,
        body,
        authorization,
    });
    match answer {
        Some((status, _)) => fails(status),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn runs(
    State(state): State<Shared>,
    Path((o, n, _workflow)): Path<(String, String, String)>,
) -> Response {
    in_repo(&state, &o, &n, |r| {
        let mut runs = r.runs.clone();
        runs.reverse();
        Json(json!({"total_count": runs.len(), "workflow_runs": runs})).into_response()
    })
}

fn commit_json(i: usize, c: &FakeCommit) -> Value {
    json!({
        "sha": format!("{:040x}", i + 1),
        "commit": {"message": c.message, "author": {"name": c.author}},
        "author": c.author.as_ref().map(|a| json!({"login": a})),
    })
}

async fn compare(
    State(state): State<Shared>,
    Path((o, n, spec)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = state.lock().unwrap_or_else(|e| e.into_inner());
    let Some(r) = s.repos.get(&format!("{o}/{n}")) else {
        return not_found();
    };
    let Some((base, head)) = spec.split_once("...") else {
        return not_found();
    };
    if !r.refs.contains(base) || !r.refs.contains(head) {
        return not_found();
    }
    let commits = r
        .compares
        .get(&(base.to_owned(), head.to_owned()))
        .cloned()
        .unwrap_or_default();
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    let page: usize = q.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
    let shown: Vec<Value> = commits
        .iter()
        .enumerate()
        .skip(per_page * (page.max(1) - 1))
        .take(per_page)
        .map(|(i, c)| commit_json(i, c))
        .collect();
    Json(json!({
        "status": "ahead",
        "html_url": format!("https://github.com/{o}/{n}/compare/{base}...{head}"),
        "total_commits": commits.len(),
        "commits": shown,
    }))
    .into_response()
}

async fn commit(
    State(state): State<Shared>,
    Path((o, n, git_ref)): Path<(String, String, String)>,
) -> Response {
    in_repo(&state, &o, &n, |r| {
        if r.refs.contains(&git_ref) {
            return Json(commit_json(0, &FakeCommit::new(&git_ref, "someone"))).into_response();
        }
        let message = format!("No commit found for SHA: {git_ref}");
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "message": message })),
        )
            .into_response()
    })
}

async fn pull(
    State(state): State<Shared>,
    Path((o, n, number)): Path<(String, String, i64)>,
) -> Response {
    let repo = format!("{o}/{n}");
    let s = state.lock().unwrap_or_else(|e| e.into_inner());
    match s.repos.get(&repo).and_then(|r| r.pulls.get(&number)) {
        Some((title, author)) => Json(json!({
            "number": number,
            "title": title,
            "html_url": format!("https://github.com/{repo}/pull/{number}"),
            "user": {"login": author},
            "merged_at": "2026-11-23T10:00:00Z",
        }))
        .into_response(),
        None => not_found(),
    }
}
