//! The GitHub worker's dispatch jobs: check the repository and the ref, start the app's
//! deploy workflow, then find the run it started and link it to the deployment. A
//! dispatch GitHub accepted is never sent again: a retry only records it, and an attempt
//! whose outcome was lost (its replica died, or recording it failed there) or that GitHub
//! answered with a 5xx is followed by a look for its run before anything is sent again.

use std::time::Duration;

use super::{backoff, GithubWorker, Next, Outcome, Sent, FIND_RUN_ATTEMPTS, MAX_ATTEMPTS};
use crate::config::RepoConfig;
use crate::github::client::GhError;
use crate::service::ServiceError;
use crate::store::GithubJobRow;
use chrono::{DateTime, Utc};

/// How long GitHub is given to list a run it was asked for: as long as a dispatched run
/// is looked for (`find_run`). An earlier attempt whose run is still not listed by then
/// started none, and the deployment is dispatched again.
const LISTED_WITHIN: Duration = Duration::from_secs(3 * FIND_RUN_ATTEMPTS as u64);

/// GitHub's clock and ours differ a little: runs are looked for from this long before.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::seconds(10);

/// What an earlier attempt that may have asked GitHub came to.
enum Earlier {
    /// GitHub started a run for it (or there is no telling): record it, send nothing.
    Sent(Sent),
    /// GitHub may not list its run yet (or cannot list runs now): try again later.
    Wait(Next),
    /// Nothing was started: dispatch.
    NotSent,
}

impl GithubWorker {
    pub(super) async fn dispatch(&self, id: i64, row: &GithubJobRow) -> Outcome {
        // Sent before, and its record failed (a database error): only the record is tried
        // again. Dispatching again would deploy the app twice.
        let unrecorded = self.sent_here().get(&row.id).cloned();
        if let Some(sent) = unrecorded {
            return self.record_dispatch(id, row, sent).await;
        }
        let Some(d) = self.core.store.deployment(id).await? else {
            return Ok(Next::given_up("no such deployment"));
        };
        let Some(cfg) = self.core.policy.github.repo(&d.app).cloned() else {
            return Ok(Next::Done(None));
        };
        // Recorded already, yet the job runs again (a replica's claim lapsed; an older
        // badger recorded runs apart from their job's end): dispatched, so record only.
        if let Some(run) = self.core.store.github_run(id).await? {
            let sent = Sent {
                repo: run.repo,
                workflow: run.workflow,
                at: run.dispatched_at,
                wall: run.dispatched_wall,
            };
            return self.record_dispatch(id, row, sent).await;
        }
        // An earlier attempt asked GitHub, or was about to, and its outcome was lost (or
        // was a 5xx, which may come after the run was created).
        if let Some(asked) = row.dispatching_at {
            match self.earlier_attempt(&cfg, asked, row).await? {
                Earlier::Sent(sent) => return self.record_dispatch(id, row, sent).await,
                Earlier::Wait(next) => return Ok(next),
                // Its 5xx came on the last attempt: it started nothing, and none is left.
                Earlier::NotSent if row.attempts >= MAX_ATTEMPTS => {
                    let why = "GitHub kept failing, so the workflow was not started \
                               (it answered with server errors and started no run)";
                    self.core.github_dispatch_failed(id, why).await?;
                    return Ok(Next::given_up(why));
                }
                Earlier::NotSent => {}
            }
        }
        if d.state != crate::domain::deployment::State::Deploying {
            return Ok(Next::given_up(format!(
                "deployment is {}",
                d.state.as_str()
            )));
        }
        if !self.client.has_token() {
            let why =
                "badger has no GitHub token (GITHUB_TOKEN), so it could not start the workflow";
            self.core.github_dispatch_failed(id, why).await?;
            return Ok(Next::given_up(why));
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
                return Ok(Next::given_up(words));
            }
            Err(GhError::Transient(why) | GhError::ServerError(why) | GhError::Unanswered(why))
                if row.attempts + 1 < MAX_ATTEMPTS =>
            {
                return Ok(Next::Retry(backoff(row.attempts), why));
            }
            Err(e) => {
                let why = refusal_words(&e, &cfg.repo, &cfg.workflow);
                self.core.github_dispatch_failed(id, &why).await?;
                return Ok(Next::given_up(e.to_string()));
            }
        };
        // Noted, and committed, before GitHub is asked: should this attempt's outcome be
        // lost, whichever replica runs the job next looks for the run first.
        let asked = chrono::Utc::now();
        if !self
            .core
            .store
            .github_dispatching(row.id, &self.worker_id, asked)
            .await?
        {
            // The claim lapsed and another replica has the job: it carries on.
            return Ok(Next::Finished);
        }
        let result = self
            .client
            .dispatch(&cfg.repo, &cfg.workflow, &branch, &inputs)
            .await;
        match result {
            Ok(()) => {
                tracing::info!(deployment = id, repo = %cfg.repo, workflow = %cfg.workflow, "github: workflow dispatched");
            }
            // GitHub may have started it: look for the run, and let the overdue check
            // ask the deployer if none reports back. Dispatching again could deploy twice.
            Err(GhError::Unanswered(why)) => {
                tracing::warn!(deployment = id, %why, "github: the dispatch got no answer; looking for its run");
            }
            // GitHub's front end can answer 502 or 504 after the run was created: the note
            // stays, so the next attempt looks for the run before sending again (and fails
            // the deployment only once it found none, even after the last attempt).
            Err(GhError::ServerError(why)) => {
                tracing::warn!(deployment = id, %why, "github: dispatch answered with a server error; looking for its run before trying again");
                return Ok(Next::Retry(backoff(row.attempts), why));
            }
            Err(GhError::Transient(why)) if row.attempts + 1 < MAX_ATTEMPTS => {
                tracing::warn!(deployment = id, %why, "github: dispatch failed; retrying");
                // GitHub was not reached, or refused for now (a rate limit): it started nothing.
                self.core
                    .store
                    .github_not_dispatched(row.id, &self.worker_id)
                    .await?;
                return Ok(Next::Retry(backoff(row.attempts), why));
            }
            Err(e) => {
                let why = refusal_words(&e, &cfg.repo, &cfg.workflow);
                tracing::warn!(deployment = id, error = %e, "github: dispatch refused");
                self.core.github_dispatch_failed(id, &why).await?;
                return Ok(Next::given_up(e.to_string()));
            }
        }
        // Stamped when GitHub was asked: the run is created after that, however long the
        // answer took (a timeout), and is looked for from then on.
        let sent = self.sent_at(&cfg, asked);
        self.record_dispatch(id, row, sent).await
    }

    /// A dispatch of `cfg`'s workflow GitHub was asked for at `asked` (wall clock), and
    /// when that was by badger's clock (the same in production; a test's moves on apart).
    fn sent_at(&self, cfg: &RepoConfig, asked: DateTime<Utc>) -> Sent {
        let ago = Utc::now()
            .signed_duration_since(asked)
            .max(chrono::Duration::zero());
        Sent {
            repo: cfg.repo.clone(),
            workflow: cfg.workflow.clone(),
            at: self.core.now() - ago,
            wall: asked,
        }
    }

    /// An earlier attempt noted it was asking GitHub at `asked` and its outcome was lost
    /// (its replica died, or recording it failed there and this process does not know
    /// it), or GitHub answered it with a 5xx (which may come after the run was created):
    /// looks for a run GitHub started since then that no other deployment has. Found,
    /// it is this dispatch's. None listed: wait until GitHub would list it, then dispatch
    /// again. GitHub cannot list runs (after retries): taken as sent, as a dispatch GitHub
    /// did not answer is, so it is never sent twice (the run is looked for, and the
    /// overdue check asks the deployer if none reports back).
    async fn earlier_attempt(
        &self,
        cfg: &RepoConfig,
        asked: DateTime<Utc>,
        row: &GithubJobRow,
    ) -> Result<Earlier, ServiceError> {
        let since = asked - CLOCK_SLACK;
        let runs = match self.client.runs(&cfg.repo, &cfg.workflow, since).await {
            Ok(runs) => runs,
            Err(e) if row.attempts + 1 < MAX_ATTEMPTS => {
                let why = format!("cannot tell whether an earlier dispatch started a run: {e}");
                return Ok(Earlier::Wait(Next::Retry(backoff(row.attempts), why)));
            }
            Err(e) => {
                tracing::warn!(github_job = row.id, error = %e, "github: cannot tell whether an earlier dispatch started a run; taking it as sent");
                return Ok(Earlier::Sent(self.sent_at(cfg, asked)));
            }
        };
        let taken = self.core.store.matched_run_ids(&cfg.repo).await?;
        if runs
            .iter()
            .any(|r| r.created_at >= since && !taken.contains(&r.id))
        {
            tracing::info!(
                github_job = row.id,
                "github: an earlier dispatch started a run; recording it, not dispatching again"
            );
            return Ok(Earlier::Sent(self.sent_at(cfg, asked)));
        }
        let listed_by = asked + LISTED_WITHIN;
        let now = Utc::now();
        if now < listed_by {
            let wait = (listed_by - now).to_std().unwrap_or_default();
            let why = "waiting for GitHub to list the run of an earlier dispatch".to_owned();
            // Not an attempt: waiting uses none up (the dispatch after it keeps its own).
            return Ok(Earlier::Wait(Next::Wait(wait, why)));
        }
        tracing::warn!(
            github_job = row.id,
            "github: an earlier dispatch started no run; dispatching again"
        );
        Ok(Earlier::NotSent)
    }

    /// Records a dispatch GitHub accepted (the run, its search, the job's end: one
    /// transaction), remembered here until that is done, so the job's retry after a
    /// database error records it rather than dispatching again. (A crash between GitHub's
    /// answer and the record cannot be helped: the job then dispatches again.)
    async fn record_dispatch(&self, id: i64, row: &GithubJobRow, sent: Sent) -> Outcome {
        self.sent_here().insert(row.id, sent.clone());
        let finished = self
            .core
            .github_dispatched(
                id,
                &sent.repo,
                &sent.workflow,
                (sent.at, sent.wall),
                row.id,
                &self.worker_id,
            )
            .await?;
        self.sent_here().remove(&row.id);
        if !finished {
            tracing::warn!(
                deployment = id,
                "github: a dispatch was recorded after its job's claim lapsed"
            );
        }
        Ok(Next::Finished)
    }

    fn sent_here(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, Sent>> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner())
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

    pub(super) async fn find_run(&self, id: i64, row: &GithubJobRow) -> Outcome {
        let Some(run) = self.core.store.github_run(id).await? else {
            return Ok(Next::given_up("no dispatch recorded"));
        };
        if run.run_url.is_some() {
            return Ok(Next::Done(None));
        }
        let retry = |why: String| {
            if row.attempts + 1 < FIND_RUN_ATTEMPTS {
                Next::Retry(Duration::from_secs(3), why)
            } else {
                Next::given_up(format!("no run appeared: {why}"))
            }
        };
        // GitHub's clock and ours differ a little; a run is matched to one deployment only.
        let since = run.dispatched_wall - CLOCK_SLACK;
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
            Some(r) => match self.core.github_run_linked(id, r.id, &r.html_url).await {
                Ok(()) => Ok(Next::Done(None)),
                // Another deployment's dispatch matched it first: look again.
                Err(ServiceError::Internal(e)) if e.is_unique_violation() => {
                    Ok(retry("run matched elsewhere".into()))
                }
                Err(e) => Err(e),
            },
            None => Ok(retry("not listed yet".into())),
        }
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
        GhError::UnsafeRef(m) => format!("badger did not ask GitHub: {m}"),
        GhError::Transient(m) | GhError::ServerError(m) | GhError::Unanswered(m) => {
            format!("GitHub kept failing, so the workflow was not started ({m})")
        }
    }
}
