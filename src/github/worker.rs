//! The GitHub worker: claims due jobs (leased, so two replicas never run one twice) and
//! runs them off every request path: dispatch a deployment's workflow, find its run,
//! compare refs. What a job decides is written back through the service layer.

use super::client::{GhError, GithubClient};
use super::render;
use crate::service::Core;
use crate::store::{GithubJob, GithubJobRow};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Transient failures tried this many times before giving up.
const MAX_ATTEMPTS: i64 = 5;
/// On shutdown, how long jobs in flight may still take.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long GitHub is given to show a dispatched run (looked for every 3 s).
const FIND_RUN_ATTEMPTS: i64 = 40;

fn backoff(attempts: i64) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempts.clamp(0, 6)))
}

pub struct GithubWorker {
    pub core: Core,
    pub client: Arc<GithubClient>,
    pub worker_id: String,
    /// Longer than any one job (a compare makes up to ~25 calls, each bounded).
    pub lease: Duration,
    pub poll: Duration,
}

/// What became of a job.
enum Next {
    Done(Option<String>),
    Retry(Duration, String),
}

impl GithubWorker {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut last_prune: Option<tokio::time::Instant> = None;
        while !*stop.borrow() {
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(tokio::time::Instant::now());
                let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
                if let Err(e) = me.core.store.prune_github_jobs(week_ago).await {
                    tracing::warn!(error = %e, "github: pruning finished jobs failed");
                }
            }
            let rows = match me.core.store.claim_github(&me.worker_id, me.lease, 4).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "github: cannot claim work");
                    vec![]
                }
            };
            if rows.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(me.poll) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let mut set = tokio::task::JoinSet::new();
            for row in rows {
                let me = me.clone();
                set.spawn(async move { me.handle(row).await });
            }
            loop {
                tokio::select! {
                    done = set.join_next() => if done.is_none() { break },
                    _ = stop.changed() => {
                        // Shutting down: jobs in flight get a short grace, then their
                        // claims are given up so another replica or the next start runs them.
                        let grace = tokio::time::sleep(SHUTDOWN_GRACE);
                        tokio::pin!(grace);
                        loop {
                            tokio::select! {
                                done = set.join_next() => if done.is_none() { break },
                                _ = &mut grace => {
                                    set.abort_all();
                                    while set.join_next().await.is_some() {}
                                    break;
                                }
                            }
                        }
                        if let Err(e) = me.core.store.release_github_claims(&me.worker_id).await {
                            tracing::warn!(error = %e, "github: cannot release claims; they lapse after the lease");
                        }
                        return;
                    }
                }
            }
        }
    }

    async fn handle(&self, row: GithubJobRow) {
        let next = match &row.job {
            GithubJob::Dispatch { deployment_id } => self.dispatch(*deployment_id, &row).await,
            GithubJob::FindRun { deployment_id } => self.find_run(*deployment_id, &row).await,
            GithubJob::Compare { .. } => self.compare(&row).await,
        };
        let stored = match next {
            Ok(Next::Done(err)) => {
                self.core
                    .store
                    .github_done(row.id, &self.worker_id, err.as_deref())
                    .await
            }
            Ok(Next::Retry(after, why)) => {
                self.core
                    .store
                    .github_retry(row.id, &self.worker_id, after, &why)
                    .await
            }
            Err(e) => {
                tracing::error!(github_job = row.id, error = %e, "github: a job failed on the database; retrying");
                self.core
                    .store
                    .github_retry(
                        row.id,
                        &self.worker_id,
                        backoff(row.attempts),
                        &e.to_string(),
                    )
                    .await
            }
        };
        if let Err(e) = stored {
            tracing::error!(github_job = row.id, error = %e, "github: cannot record a job's result");
        }
    }

    async fn dispatch(
        &self,
        id: i64,
        row: &GithubJobRow,
    ) -> Result<Next, crate::service::ServiceError> {
        let Some(d) = self.core.store.deployment(id).await? else {
            return Ok(Next::Done(Some("no such deployment".into())));
        };
        let Some(cfg) = self.core.policy.github.repo(&d.app).cloned() else {
            return Ok(Next::Done(None));
        };
        if d.state != crate::domain::deployment::State::Deploying {
            return Ok(Next::Done(Some(format!(
                "deployment is {}",
                d.state.as_str()
            ))));
        }
        if !self.client.has_token() {
            let why =
                "badger has no GitHub token (GITHUB_TOKEN), so it could not start the workflow";
            self.core.github_dispatch_failed(id, why).await?;
            return Ok(Next::Done(Some(why.into())));
        }
        let mut inputs = serde_json::Map::new();
        inputs.insert("environment".into(), d.environment.clone().into());
        inputs.insert("gitRef".into(), d.git_ref.clone().into());
        if let Some(name) = &cfg.deployment_input {
            inputs.insert(name.clone(), id.to_string().into());
        }
        // First the repository and the ref: a ref GitHub does not know would only fail the
        // run later, and nothing has been dispatched yet, so any failure here may be retried.
        let branch = match self.prepare(&cfg.repo, &d.git_ref).await {
            Ok(Ok(branch)) => branch,
            Ok(Err(words)) => {
                self.core.github_dispatch_failed(id, &words).await?;
                return Ok(Next::Done(Some(words)));
            }
            Err(GhError::Transient(why) | GhError::Unanswered(why))
                if row.attempts + 1 < MAX_ATTEMPTS =>
            {
                return Ok(Next::Retry(backoff(row.attempts), why));
            }
            Err(e) => {
                let why = refusal_words(&e, &cfg.repo, &cfg.workflow);
                self.core.github_dispatch_failed(id, &why).await?;
                return Ok(Next::Done(Some(e.to_string())));
            }
        };
        let result = self
            .client
            .dispatch(&cfg.repo, &cfg.workflow, &branch, &inputs)
            .await;
        let dispatched = match result {
            Ok(()) => true,
            // GitHub may have started it: look for the run, and let the overdue check
            // ask the deployer if none reports back. Dispatching again could deploy twice.
            Err(GhError::Unanswered(why)) => {
                tracing::warn!(deployment = id, %why, "github: the dispatch got no answer; looking for its run");
                true
            }
            Err(GhError::Transient(why)) if row.attempts + 1 < MAX_ATTEMPTS => {
                tracing::warn!(deployment = id, %why, "github: dispatch failed; retrying");
                return Ok(Next::Retry(backoff(row.attempts), why));
            }
            Err(e) => {
                let why = refusal_words(&e, &cfg.repo, &cfg.workflow);
                tracing::warn!(deployment = id, error = %e, "github: dispatch refused");
                self.core.github_dispatch_failed(id, &why).await?;
                return Ok(Next::Done(Some(e.to_string())));
            }
        };
        if dispatched {
            self.core
                .store
                .insert_github_run(id, &cfg.repo, &cfg.workflow, self.core.now())
                .await?;
            self.core
                .enqueue_github(GithubJob::FindRun { deployment_id: id })
                .await?;
            tracing::info!(deployment = id, repo = %cfg.repo, workflow = %cfg.workflow, "github: workflow dispatched");
        }
        Ok(Next::Done(None))
    }

    /// The repository's default branch, or why the dispatch cannot go ahead.
    async fn prepare(&self, repo: &str, git_ref: &str) -> Result<Result<String, String>, GhError> {
        let branch = match self.client.default_branch(repo).await {
            Ok(b) => b,
            Err(GhError::NotFound(_)) => {
                return Ok(Err(format!(
                    "GitHub could not find the repository {repo} (or badger's token cannot see it)"
                )))
            }
            Err(e) => return Err(e),
        };
        if !self.client.ref_exists(repo, git_ref).await? {
            return Ok(Err(format!("GitHub does not know `{git_ref}` in {repo}")));
        }
        Ok(Ok(branch))
    }

    async fn find_run(
        &self,
        id: i64,
        row: &GithubJobRow,
    ) -> Result<Next, crate::service::ServiceError> {
        let Some(run) = self.core.store.github_run(id).await? else {
            return Ok(Next::Done(Some("no dispatch recorded".into())));
        };
        if run.run_url.is_some() {
            return Ok(Next::Done(None));
        }
        let retry = |why: String| {
            if row.attempts + 1 < FIND_RUN_ATTEMPTS {
                Next::Retry(Duration::from_secs(3), why)
            } else {
                Next::Done(Some(format!("no run appeared: {why}")))
            }
        };
        // GitHub's clock and ours differ a little; a run is matched to one deployment only.
        let since = run.dispatched_wall - chrono::Duration::seconds(10);
        let runs = match self.client.runs(&run.repo, &run.workflow, since).await {
            Ok(r) => r,
            Err(e) => return Ok(retry(e.to_string())),
        };
        let taken = self.core.store.matched_run_ids(&run.repo).await?;
        let found = runs
            .into_iter()
            .filter(|r| r.created_at >= since && !taken.contains(&r.id))
            .min_by_key(|r| (r.created_at, r.id));
        match found {
            Some(r) => match self.core.store.set_github_run(id, r.id, &r.html_url).await {
                Ok(()) => {
                    self.core.github_run_linked(id, &r.html_url).await?;
                    Ok(Next::Done(None))
                }
                // Another deployment's dispatch matched it first: look again.
                Err(e) if e.is_unique_violation() => Ok(retry("run matched elsewhere".into())),
                Err(e) => Err(e.into()),
            },
            None => Ok(retry("not listed yet".into())),
        }
    }

    async fn compare(&self, row: &GithubJobRow) -> Result<Next, crate::service::ServiceError> {
        let GithubJob::Compare {
            app,
            environment,
            from,
            to,
            reply,
        } = &row.job
        else {
            return Ok(Next::Done(None));
        };
        let Some(cfg) = self.core.policy.github.repo(app).cloned() else {
            return Ok(Next::Done(None));
        };
        let message = match from.as_deref() {
            None => render::nothing_to_compare(app, environment, to, None),
            Some(f) if f == to => render::nothing_to_compare(app, environment, to, Some(f)),
            Some(f) => match self.release(&cfg.repo, app, environment, f, to).await {
                Ok(m) => m,
                Err(GhError::Transient(why) | GhError::Unanswered(why))
                    if row.attempts + 1 < MAX_ATTEMPTS =>
                {
                    return Ok(Next::Retry(backoff(row.attempts), why));
                }
                Err(e) => crate::slack::blocks::Message::plain(format!(
                    ":warning: I couldn't find out what `{}` adds over `{}`: {}",
                    crate::domain::text::escape(to),
                    crate::domain::text::escape(f),
                    compare_words(&e, &cfg.repo)
                )),
            },
        };
        self.core.github_reply(reply, &message).await?;
        Ok(Next::Done(None))
    }

    async fn release(
        &self,
        repo: &str,
        app: &str,
        env: &str,
        from: &str,
        to: &str,
    ) -> Result<crate::slack::blocks::Message, GhError> {
        let comparison = match self.client.compare(repo, from, to).await {
            Ok(c) => c,
            Err(GhError::NotFound(m)) => {
                // Say which ref GitHub does not know, rather than guess.
                for r in [to, from] {
                    if !self.client.ref_exists(repo, r).await? {
                        return Err(GhError::NotFound(format!(
                            "GitHub does not know `{r}` in {repo}"
                        )));
                    }
                }
                return Err(GhError::NotFound(m));
            }
            Err(e) => return Err(e),
        };
        let all = render::pull_numbers(&comparison);
        let mut pulls = Vec::new();
        for n in all.iter().take(render::MAX_PULLS) {
            match self.client.pull(repo, *n).await {
                Ok(p) => pulls.push(p),
                // A number in a message that is not a pull request here: skip it.
                Err(GhError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(render::release(&render::Release {
            app,
            env,
            repo,
            from,
            to,
            comparison: &comparison,
            pulls: &pulls,
            all_pulls: &all,
            users: &self.core.policy.github.users,
        }))
    }
}

/// A refused dispatch, in plain words for the deployer.
fn refusal_words(e: &GhError, repo: &str, workflow: &str) -> String {
    match e {
        GhError::NotFound(_) => format!(
            "GitHub could not find the workflow `{workflow}` in {repo} (or badger's token cannot see it)"
        ),
        GhError::Refused { status: 401, .. } => {
            "GitHub did not accept badger's token (GITHUB_TOKEN is wrong or expired)".into()
        }
        GhError::Refused {
            status: 403,
            message,
        } => format!("badger's token may not run workflows in {repo} (GitHub said: {message})"),
        GhError::Refused { message, .. } => {
            format!("GitHub refused to run `{workflow}` in {repo}: {message}")
        }
        GhError::Transient(m) | GhError::Unanswered(m) => {
            format!("GitHub kept failing, so the workflow was not started ({m})")
        }
    }
}

fn compare_words(e: &GhError, repo: &str) -> String {
    crate::domain::text::escape(&match e {
        GhError::NotFound(m) if m.starts_with("GitHub does not know") => m.clone(),
        GhError::NotFound(_) => {
            format!("GitHub could not find {repo} (or badger's token cannot see it).")
        }
        GhError::Refused { message, .. } => format!("GitHub refused: {message}"),
        GhError::Transient(m) | GhError::Unanswered(m) => {
            format!("GitHub did not answer ({m}); try again later.")
        }
    })
}

/// Starts the worker when the policy names repositories (nothing to do otherwise).
pub fn spawn(
    core: &Core,
    settings: &crate::config::Settings,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    if core.policy.github.repos.is_empty() {
        return Ok(None);
    }
    if settings.github.token.is_none() && core.policy.github.repos.values().any(|r| r.trigger) {
        tracing::warn!("apps are set to trigger GitHub workflows but GITHUB_TOKEN is not set: their starts will fail saying so");
    }
    let client = Arc::new(GithubClient::new(&settings.github)?);
    let worker = GithubWorker {
        core: core.clone(),
        client,
        worker_id: format!(
            "{}-github-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        ),
        // Longer than a compare's calls can take together (about 25, each bounded).
        lease: settings.github.timeout * 30,
        poll: Duration::from_millis(200),
    };
    Ok(Some(tokio::spawn(worker.run(stop))))
}
