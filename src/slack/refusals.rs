//! How an admission refusal reads in Slack (mrkdwn, user text escaped). The API words the
//! same typed values its own way (src/api.rs); the rule itself is in domain/admission.rs.

use crate::domain::admission::{Refusal, Refused};
use crate::domain::deployment::Deployment;
use crate::domain::promotion::PromotionCheck;
use crate::domain::text::{escape, mention};
use crate::domain::window::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What the wording needs besides the refusal itself.
pub struct Wording<'a> {
    pub deploy_command: &'a str,
    pub admins: &'a [String],
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

/// One line per reason (a busy environment is not a reason to refuse a person: they queue).
pub fn refused(r: &Refused, w: &Wording) -> String {
    r.reasons
        .iter()
        .map(|reason| line(reason, r, w))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn line(reason: &Refusal, r: &Refused, w: &Wording) -> String {
    let app = escape(&r.app);
    let env = escape(&r.env);
    let git_ref = escape(r.git_ref.as_deref().unwrap_or(""));
    let cmd = w.deploy_command;
    match reason {
        Refusal::NotPermitted { .. } if w.admins.is_empty() && !r.deployers.is_empty() => format!(
            "You are not on the list of people who may deploy to *{env}*, and badger has no admins to add you. Ask one of those who may to deploy for you: {}.",
            first_few(&r.deployers)
        ),
        Refusal::NotPermitted { .. } => format!(
            "You are not on the list of people who may deploy to *{env}*. Ask an admin{} to add you, or to deploy for you.",
            admins_hint(w.admins)
        ),
        Refusal::Held(h) => {
            // When it ends by itself, say so: "wait" is only advice if people know how long.
            let wait = match h.until_shown(w.tz) {
                Some(until) => format!("or wait: it ends at {until}"),
                None => "or wait for the hold to be released".to_owned(),
            };
            format!(
                ":no_entry: *{app}* can't be deployed to *{env}*: {} is holding {} (hold #{}): {}. Ask them, {wait}.",
                mention(&h.owner),
                escape(&h.describe_scope()),
                h.id,
                escape(&h.reason)
            )
        }
        Refusal::WindowClosed(closed) => {
            // A named closure says why (and till when); otherwise the time says it is night.
            let why = closed
                .why()
                .map(|c| escape(&c))
                .unwrap_or_else(|| format_local(w.now, w.tz));
            let next = closed
                .next_opens(w.tz)
                .map(|o| format!("It next opens {}.", escape(&o)))
                .unwrap_or_else(|| "No opening is scheduled.".into());
            // An emergency bypasses the window only: offered only when nothing else stands
            // in the way, or following the advice would just be refused again.
            let emergency_would_do = r
                .reasons
                .iter()
                .all(|x| matches!(x, Refusal::WindowClosed(_) | Refusal::Busy(_)));
            let emergency = if emergency_would_do {
                format!(" If this can't wait, `{cmd} emergency {app} {git_ref} to {env} REASON...`")
            } else {
                String::new()
            };
            format!(":lock: The deploy window for *{env}* is closed now ({why}). {next}{emergency}")
        }
        Refusal::NotPromoted { previous, check } => {
            let prev = escape(previous);
            // An emergency skips the window, not this rule: its advice stays an emergency.
            let (first, skips) = if r.emergency {
                (
                    format!("`{cmd} emergency {app} {git_ref} to {prev} REASON...`"),
                    " (an emergency skips the deploy window, not this rule)",
                )
            } else {
                (format!("`{cmd} {app} {git_ref} to {prev}`"), "")
            };
            match check {
                PromotionCheck::LatestDiffers {
                    latest_ref,
                    latest_state,
                } => {
                    let why = if r.git_ref.as_deref() == Some(latest_ref.as_str()) {
                        format!("its latest deployment there ({}) failed", escape(latest_ref))
                    } else {
                        format!(
                            "the latest finished deployment there is `{}` ({})",
                            escape(latest_ref),
                            latest_state.as_str()
                        )
                    };
                    format!(
                        ":arrow_right: *{app}* `{git_ref}` must succeed in *{prev}* before it goes to *{env}*{skips}: {why}. Run {first} first."
                    )
                }
                _ => format!(
                    ":arrow_right: *{app}* `{git_ref}` must be deployed to *{prev}* before *{env}*{skips}, and no deployment of *{app}* there has finished yet. Run {first} first (if one is in progress there, wait until it succeeds)."
                ),
            }
        }
        Refusal::Busy(d) => format!(
            "*{env}* is busy: {} by {} is {}.",
            super::blocks::what(d),
            mention(&d.requester),
            d.state.as_str()
        ),
    }
}

/// CI reported `d` already finished, though the promotion rule would not have let it
/// start: said in the channel, so a skipped environment does not pass unseen. It says what
/// the rule read in `previous` (the ref may have passed there once, and not be the latest).
pub fn reported_unpromoted(d: &Deployment, previous: &str, check: &PromotionCheck) -> String {
    let prev = escape(previous);
    let why = match check {
        PromotionCheck::LatestDiffers { latest_ref, .. } if *latest_ref == d.git_ref => {
            format!("its latest deployment in *{prev}* failed")
        }
        PromotionCheck::LatestDiffers {
            latest_ref,
            latest_state,
        } => format!(
            "the latest finished deployment in *{prev}* is `{}` ({}), not this ref",
            escape(latest_ref),
            latest_state.as_str()
        ),
        _ => format!("nothing of *{}* has finished in *{prev}*", escape(&d.app)),
    };
    format!(
        ":warning: CI reported {} (#{}) already {}, though badger would not have let it \
         start: {why}.",
        super::blocks::what(d),
        d.id,
        d.state.as_str(),
    )
}

/// Up to five people as mentions, then how many more.
fn first_few(people: &[String]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<String> = people.iter().take(SHOWN).map(|p| mention(p)).collect();
    match people.len().saturating_sub(SHOWN) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names.join(", ")),
    }
}

fn admins_hint(admins: &[String]) -> String {
    if admins.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            admins
                .iter()
                .map(|a| mention(a))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl crate::service::Core {
    /// What the Slack wording of refusals needs from the policy and the clock.
    pub fn wording(&self) -> Wording<'_> {
        super::answers::Say::of(self).wording()
    }
}
