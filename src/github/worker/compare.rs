//! The GitHub worker's compare jobs: what a release adds over what is deployed, pull
//! requests and all, posted where it was asked for.

use super::{backoff, GithubWorker, Next, Outcome, MAX_ATTEMPTS};
use crate::github::client::GhError;
use crate::github::render;
use crate::store::{GithubJob, GithubJobRow};

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
        self.core.github_reply(reply, message.body()).await?;
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
