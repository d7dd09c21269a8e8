//! A thin typed GitHub REST client over reqwest: only the calls badger makes, each bounded
//! by a connect and a total timeout, with failures sorted for retrying. The token is sent
//! as a header and never logged.

use crate::config::GithubSettings;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::time::Duration;

/// How a GitHub call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GhError {
    /// 404: the repository, workflow or ref is not there (or the token cannot see it).
    #[error("not found: {0}")]
    NotFound(String),
    /// GitHub said no for good (401, 403, 422, ...), with its words.
    #[error("HTTP {status}: {message}")]
    Refused { status: u16, message: String },
    /// GitHub answered with a rate limit, or could not be reached: nothing was done,
    /// trying again later may work.
    #[error("transient: {0}")]
    Transient(String),
    /// GitHub answered with a 5xx: trying again later may work, but the call may have
    /// taken effect all the same (its front end can answer 502 or 504 after the work was
    /// done), so a dispatch so answered may have started a run.
    #[error("transient: {0}")]
    ServerError(String),
    /// No answer within the timeout: the call may or may not have taken effect.
    #[error("no answer: {0}")]
    Unanswered(String),
    /// Not sent: the ref would change the URL's path (a `.` or `..` part), so the call
    /// could reach another endpoint with badger's token. Refs are checked on the way in;
    /// this guards refs stored before that check.
    #[error("not sent: {0}")]
    UnsafeRef(String),
}

pub type GhResult<T> = Result<T, GhError>;

#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub id: i64,
    pub html_url: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitDetail {
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub commit: CommitDetail,
    /// The GitHub account of the author, when GitHub could match one.
    pub author: Option<Login>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Comparison {
    /// The comparison on GitHub's web pages (GitHub Enterprise's host too).
    #[serde(default)]
    pub html_url: Option<String>,
    pub total_commits: i64,
    #[serde(default)]
    pub commits: Vec<Commit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: i64,
    pub title: String,
    pub html_url: String,
    pub user: Option<Login>,
}

pub struct GithubClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    timeout: Duration,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

/// Compare pages read (100 commits each): enough to find the pull requests of any
/// sensible release; the count always comes from `total_commits`.
const COMPARE_PAGES: u32 = 3;

impl GithubClient {
    pub fn new(settings: &GithubSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("badger/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(GithubClient {
            http,
            base: settings.api_url.clone(),
            token: settings.token.clone(),
            timeout: settings.timeout,
        })
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> GhResult<reqwest::Response> {
        let mut req = req
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28");
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err(GhError::Unanswered(format!(
                    "GitHub did not answer within {} s",
                    self.timeout.as_secs()
                )))
            }
            // Never sent (refused, DNS, TLS): nothing happened at GitHub.
            Err(e) if e.is_connect() => {
                return Err(GhError::Transient(format!("cannot reach GitHub: {e}")))
            }
            Err(e) => return Err(GhError::Unanswered(format!("no answer from GitHub: {e}"))),
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let rate_limited = status.as_u16() == 429
            || (status.as_u16() == 403
                && resp
                    .headers()
                    .get("x-ratelimit-remaining")
                    .is_some_and(|v| v == "0"));
        let message = resp
            .json::<ErrorBody>()
            .await
            .ok()
            .and_then(|b| b.message)
            .unwrap_or_else(|| status.to_string());
        let message = crate::domain::text::truncate(&message, 300);
        let words = format!("HTTP {}: {message}", status.as_u16());
        Err(if status.is_server_error() {
            GhError::ServerError(words)
        } else if rate_limited {
            GhError::Transient(words)
        } else if status.as_u16() == 404 {
            GhError::NotFound(message)
        } else {
            GhError::Refused {
                status: status.as_u16(),
                message,
            }
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> GhResult<T> {
        let resp = self.send(self.http.get(self.url(path))).await?;
        resp.json::<T>()
            .await
            .map_err(|e| GhError::Transient(format!("unreadable answer from GitHub: {e}")))
    }

    pub async fn default_branch(&self, repo: &str) -> GhResult<String> {
        #[derive(Deserialize)]
        struct Repo {
            default_branch: String,
        }
        Ok(self
            .get_json::<Repo>(&format!("/repos/{repo}"))
            .await?
            .default_branch)
    }

    /// `POST /repos/{repo}/actions/workflows/{workflow}/dispatches`.
    pub async fn dispatch(
        &self,
        repo: &str,
        workflow: &str,
        git_ref: &str,
        inputs: &serde_json::Map<String, serde_json::Value>,
    ) -> GhResult<()> {
        let body = serde_json::json!({"ref": git_ref, "inputs": inputs});
        self.send(
            self.http
                .post(self.url(&format!(
                    "/repos/{repo}/actions/workflows/{workflow}/dispatches"
                )))
                .json(&body),
        )
        .await?;
        Ok(())
    }

    /// The workflow's dispatched runs created since `since`, newest first.
    pub async fn runs(
        &self,
        repo: &str,
        workflow: &str,
        since: DateTime<Utc>,
    ) -> GhResult<Vec<Run>> {
        #[derive(Deserialize)]
        struct Runs {
            workflow_runs: Vec<Run>,
        }
        let created = since.format("%Y-%m-%dT%H:%M:%SZ");
        let runs: Runs = self
            .get_json(&format!(
                "/repos/{repo}/actions/workflows/{workflow}/runs?event=workflow_dispatch&created=%3E%3D{created}&per_page=30"
            ))
            .await?;
        Ok(runs.workflow_runs)
    }

    /// `GET /repos/{repo}/compare/{base}...{head}`: up to [`COMPARE_PAGES`] pages of commits.
    pub async fn compare(&self, repo: &str, base: &str, head: &str) -> GhResult<Comparison> {
        let mut all: Option<Comparison> = None;
        for page in 1..=COMPARE_PAGES {
            let c: Comparison = self
                .get_json(&format!(
                    "/repos/{repo}/compare/{}...{}?per_page=100&page={page}",
                    enc(base)?,
                    enc(head)?
                ))
                .await?;
            let n = c.commits.len();
            match &mut all {
                None => all = Some(c),
                Some(a) => a.commits.extend(c.commits),
            }
            if n < 100 {
                break;
            }
        }
        Ok(all.unwrap_or(Comparison {
            html_url: None,
            total_commits: 0,
            commits: vec![],
        }))
    }

    /// Whether GitHub knows `git_ref` (a branch, tag or commit) in `repo`.
    pub async fn ref_exists(&self, repo: &str, git_ref: &str) -> GhResult<bool> {
        let path = format!("/repos/{repo}/commits/{}", enc(git_ref)?);
        match self.send(self.http.get(self.url(&path))).await {
            Ok(_) => Ok(true),
            Err(GhError::NotFound(_)) | Err(GhError::Refused { status: 422, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn pull(&self, repo: &str, number: i64) -> GhResult<Pull> {
        self.get_json(&format!("/repos/{repo}/pulls/{number}"))
            .await
    }
}

/// A ref in a URL path: refs may hold `/` (branches) and `+`, kept readable. Since `/`
/// is kept, a part of only dots would be resolved as `.` or `..` by the URL parser and
/// move the request elsewhere on GitHub: such a ref is refused, not sent.
fn enc(r: &str) -> GhResult<String> {
    if r.split('/')
        .any(|part| !part.is_empty() && part.bytes().all(|b| b == b'.'))
    {
        return Err(GhError::UnsafeRef(format!(
            "`{}` is not a ref badger puts in a GitHub URL: it has a `.` or `..` part",
            crate::domain::text::truncate(r, 100)
        )));
    }
    Ok(url::form_urlencoded::byte_serialize(r.as_bytes())
        .collect::<String>()
        .replace("%2F", "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_that_would_move_the_path_are_not_encoded() {
        for r in ["a/../../../../../user", "..", ".", "a/./b", "a/...", "../x"] {
            assert!(matches!(enc(r), Err(GhError::UnsafeRef(_))), "{r:?}");
        }
        assert_eq!(enc("feature/x+y-1.2").unwrap(), "feature/x%2By-1.2");
        assert_eq!(enc("v1..2").unwrap(), "v1..2");
    }

    /// The URL badger would build resolves to the repository's path, never above it.
    #[test]
    fn an_encoded_ref_stays_under_the_repository() {
        for r in ["release_1", "a/b.c/d", "x%2e%2e/y", "v1..2/z"] {
            let path = format!("/repos/o/r/commits/{}", enc(r).unwrap());
            let u = url::Url::parse(&format!("https://api.github.test{path}")).unwrap();
            assert!(u.path().starts_with("/repos/o/r/commits/"), "{r:?}: {u}");
        }
    }
}
