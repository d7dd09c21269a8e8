//! The GitHub worker's compare jobs: what a release adds over what is deployed, pull
//! requests and all, posted where it was asked for.

use super::{backoff, GithubWorker, Next, Outcome, MAX_ATTEMPTS};
use crate::domain::notice::Notice;
use crate::domain::release::ReleaseSummary;
use crate::github::client::GhError;
use crate::github::summary;
use crate::store::{Body, GithubJob, GithubJobRow};

impl GithubWorker {
    pub(super) async fn compare(&self, row: &GithubJobRow) -> Outcome {
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
        let notice = match from.as_deref() {
            Some(f) if f != to => match self.release(&cfg.repo, app, environment, f, to).await {
                Ok(release) => Notice::Release { release },
                Err(
                    GhError::Transient(why) | GhError::ServerError(why) | GhError::Unanswered(why),
                ) if row.attempts + 1 < MAX_ATTEMPTS => {
                    return Ok(Next::Retry(backoff(row.attempts), why));
                }
                Err(e) => Notice::CompareFailed {
                    to: to.clone(),
                    from: f.to_owned(),
                    why: compare_words(&e, &cfg.repo),
                },
            },
            // Nothing recorded there, or it runs `to` already.
            _ => Notice::NothingToCompare {
                app: app.clone(),
                env: environment.clone(),
                to: to.clone(),
                from: from.clone(),
            },
        };
        // Posted and finished at once: a job finished apart from its post could post twice.
        self.core
            .github_reply(reply, Body::say(notice), row.id, &self.worker_id)
            .await?;
        Ok(Next::Finished)
    }

    async fn release(
        &self,
        repo: &str,
        app: &str,
        env: &str,
        from: &str,
        to: &str,
    ) -> Result<ReleaseSummary, GhError> {
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
        let all = summary::pull_numbers(&comparison);
        let mut pulls = Vec::new();
        for n in all.iter().take(summary::MAX_PULLS) {
            match self.client.pull(repo, *n).await {
                Ok(p) => pulls.push(p),
                // A number in a message that is not a pull request here: skip it.
                Err(GhError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(summary::summarize(&summary::Release {
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

fn compare_words(e: &GhError, repo: &str) -> String {
    match e {
        GhError::NotFound(m) if m.starts_with("GitHub does not know") => m.clone(),
        GhError::NotFound(_) => {
            format!("GitHub could not find {repo} (or badger's token cannot see it).")
        }
        GhError::Refused { message, .. } => format!("GitHub refused: {message}"),
        GhError::UnsafeRef(m) => format!("badger did not ask GitHub: {m}."),
        GhError::Transient(m) | GhError::ServerError(m) | GhError::Unanswered(m) => {
            format!("GitHub did not answer ({m}); try again later.")
        }
    }
}
