//! Loading the facts the admission rule (domain/admission.rs) needs, for every path that
//! starts a deployment. The rule itself is pure; this only reads.

use super::{Core, Result};
use crate::config::Environment;
use crate::domain::admission::{admit, Facts, PreviousEnv, Refusal, Refused};
use crate::domain::deployment::Deployment;
use crate::domain::hold::Hold;
use crate::store::{Store, Tx};

/// Who asks: a person (checked against the environment's deployers) or CI (its token is
/// its permission).
#[derive(Debug, Clone, Copy)]
pub enum Asker<'a> {
    Person(&'a str),
    Ci,
}

/// One question to the rule.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub app: &'a str,
    pub git_ref: Option<&'a str>,
    pub env: &'a Environment,
    pub asker: Asker<'a>,
    pub emergency: bool,
    /// Whatever else holds the environment's slot, as the caller counts it.
    pub busy: Option<&'a Deployment>,
}

impl<'a> Ask<'a> {
    /// The question for a waiting deployment whose turn may come (the slot is free).
    pub fn waiting(d: &'a Deployment, env: &'a Environment) -> Ask<'a> {
        Ask {
            app: &d.app,
            git_ref: Some(&d.git_ref),
            env,
            asker: Asker::Person(&d.requester),
            emergency: d.is_emergency(),
            busy: None,
        }
    }
}

/// Reads the latest finished deployment in the previous environment, on the pool or in a
/// transaction.
pub enum Reader<'a> {
    Pool(&'a Store),
    Tx(&'a mut Tx),
}

impl Core {
    /// Asks the rule, with `holds` already loaded by the caller (who usually needs them
    /// anyway, and may ask for several deployments in a row).
    pub(super) async fn ask(
        &self,
        reader: Reader<'_>,
        holds: &[Hold],
        q: &Ask<'_>,
    ) -> Result<Vec<Refusal>> {
        let now = self.now();
        let prev = self.policy.previous_env(&q.env.name);
        let latest = match (prev, q.git_ref) {
            (Some(p), Some(_)) => match reader {
                Reader::Pool(s) => s.latest_finished(q.app, p.name.as_str()).await?,
                Reader::Tx(tx) => tx.latest_finished(q.app, p.name.as_str()).await?,
            },
            _ => None,
        };
        let permitted = match q.asker {
            Asker::Person(user) => self.policy.may_deploy(q.env, user),
            Asker::Ci => true,
        };
        let window_open = self.policy.window_open(q.env, now);
        let cal = &self.policy.calendar;
        let closure = (!window_open).then(|| cal.closure_at(now)).flatten();
        // What the next opening skips besides today's closure: a freeze ahead, holidays.
        let skipping = if window_open {
            Vec::new()
        } else {
            cal.skipping(now, closure.as_ref())
        };
        let facts = Facts {
            app: q.app,
            git_ref: q.git_ref,
            env: q.env.name.as_str(),
            emergency: q.emergency,
            permitted,
            window_open,
            next_opening: if window_open {
                None
            } else {
                self.policy.calendar.next_opening(now).map(|o| o.opens)
            },
            closure: closure.as_ref(),
            skipping: &skipping,
            holds,
            now,
            previous: prev.map(|p| PreviousEnv {
                name: p.name.as_str(),
                latest: latest.as_ref(),
            }),
            busy: q.busy,
        };
        Ok(admit(&facts))
    }

    pub(super) fn refused(&self, q: &Ask<'_>, reasons: Vec<Refusal>) -> Refused {
        let unpermitted = reasons
            .iter()
            .any(|r| matches!(r, Refusal::NotPermitted { .. }));
        // With no admins, nobody can add the asker: those who may deploy there can help.
        let deployers = match unpermitted && self.policy.admins.is_empty() {
            true => q.env.deployers.clone().into(),
            false => Box::default(),
        };
        Refused {
            deployers,
            app: q.app.to_owned(),
            git_ref: q.git_ref.map(str::to_owned),
            env: q.env.name.as_str().to_owned(),
            reasons,
            emergency: q.emergency,
        }
    }
}
