//! The one admission rule: may this deployment start now? Every way a deployment starts
//! (a person's `/deploy`, the your-turn call, the Start button, CI `started`, deploy-check,
//! the scheduler) loads the facts and asks here; the answer is a list of typed refusals,
//! rendered at each edge (Slack text, API JSON).

use super::deployment::Deployment;
use super::hold::Hold;
use super::promotion::{self, PromotionCheck};
use super::window::{next_opens, Closure, Skipped};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The promotion rule's facts, when the environment has a previous one to pass first.
#[derive(Debug, Clone, Copy)]
pub struct PreviousEnv<'a> {
    pub name: &'a str,
    /// The latest finished (succeeded or failed) deployment of the app there.
    pub latest: Option<&'a Deployment>,
}

/// Everything the rule looks at, loaded by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub app: &'a str,
    /// `None` when the question is asked without a ref (deploy-check without `ref`): the
    /// promotion rule is then not answered.
    pub git_ref: Option<&'a str>,
    pub env: &'a str,
    /// An emergency bypasses the window (never holds, the promotion rule or permissions).
    pub emergency: bool,
    /// Whether the person (or CI) may deploy to this environment at all.
    pub permitted: bool,
    pub window_open: bool,
    /// When the window next opens, for the refusal's text.
    pub next_opening: Option<DateTime<Utc>>,
    /// Why the window is closed today, when that has a name (a freeze, a bank holiday).
    pub closure: Option<&'a Closure>,
    /// The named closures the next opening skips besides `closure` (a freeze ahead).
    pub skipping: &'a [Skipped],
    pub holds: &'a [Hold],
    /// The instant asked about: a hold whose `--until` time has come no longer counts.
    pub now: DateTime<Utc>,
    pub previous: Option<PreviousEnv<'a>>,
    /// Whatever holds the environment's slot (called or deploying), other than this
    /// deployment itself; the caller leaves out what does not count (see deploy-check).
    pub busy: Option<&'a Deployment>,
}

/// Why a deployment may not start now. Ordered as they are reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    NotPermitted {
        env: String,
    },
    Held(Hold),
    WindowClosed(WindowClosed),
    /// The ref has not passed the previous environment.
    NotPromoted {
        previous: String,
        check: PromotionCheck,
    },
    /// Another deployment holds the environment.
    Busy(Box<Deployment>),
}

impl Refusal {
    /// A stable word for the API and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotPermitted { .. } => "not_permitted",
            Refusal::Held(_) => "held",
            Refusal::WindowClosed(_) => "window_closed",
            Refusal::NotPromoted { .. } => "not_promoted",
            Refusal::Busy(_) => "busy",
        }
    }

    /// Refusals that waiting in the queue can get past by itself: the slot frees up.
    /// The others need a person (or the clock) to change something.
    pub fn is_busy(&self) -> bool {
        matches!(self, Refusal::Busy(_))
    }
}

/// The deploy window is closed (and the request is no emergency). Serialized as the struct
/// variant it once was: the same JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowClosed {
    pub env: String,
    pub next_opening: Option<DateTime<Utc>>,
    /// The named closure of the day (absent in rows from before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    /// What the next opening skips besides `closure` (absent in rows from before it
    /// existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipping: Vec<Skipped>,
}

impl WindowClosed {
    /// Why it is closed, in plain words, when the day's closure has a name (a freeze, a
    /// bank holiday, till when); `None`: it is outside the window's hours.
    pub fn why(&self) -> Option<String> {
        self.closure.as_ref().map(Closure::words)
    }

    /// When it next opens, naming the closures that skips, in plain words; `None`: no
    /// opening is scheduled.
    pub fn next_opens(&self, tz: Tz) -> Option<String> {
        self.next_opening.map(|o| next_opens(o, &self.skipping, tz))
    }
}

/// A refused start, with what was asked, for the edges to word.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refused {
    pub app: String,
    pub git_ref: Option<String>,
    pub env: String,
    pub reasons: Vec<Refusal>,
    /// Asked as an emergency: its advice keeps the emergency form. (Default: rows and
    /// answers from before it existed.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emergency: bool,
    /// Refused as not permitted where no admin could add the asker: who may deploy to
    /// `env`, to ask instead. (Default: rows and answers from before it existed.)
    /// (A boxed slice: the size of every `Result` carrying a refusal stays down.)
    #[serde(default, skip_serializing_if = "<[String]>::is_empty")]
    pub deployers: Box<[String]>,
}

/// The rule. An empty list means the deployment may start now.
pub fn admit(f: &Facts) -> Vec<Refusal> {
    let mut out = Vec::new();
    if !f.permitted {
        out.push(Refusal::NotPermitted { env: f.env.into() });
    }
    out.extend(
        f.holds
            .iter()
            .filter(|h| h.stands_at(f.now) && h.covers(f.app, f.env))
            .cloned()
            .map(Refusal::Held),
    );
    if !f.window_open && !f.emergency {
        out.push(Refusal::WindowClosed(WindowClosed {
            env: f.env.into(),
            next_opening: f.next_opening,
            closure: f.closure.cloned(),
            skipping: f.skipping.to_vec(),
        }));
    }
    if let (Some(prev), Some(git_ref)) = (f.previous, f.git_ref) {
        match promotion::check(prev.latest, git_ref) {
            PromotionCheck::Allowed => {}
            check => out.push(Refusal::NotPromoted {
                previous: prev.name.into(),
                check,
            }),
        }
    }
    if let Some(b) = f.busy {
        out.push(Refusal::Busy(Box::new(b.clone())));
    }
    out
}

/// What the queue does with a waiting deployment when the environment is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Nothing stands in the way: call it.
    Call,
    /// Only the window is closed: it waits silently (it expires when the window closes).
    Wait,
    /// A hold, the promotion rule or a permission stands in the way: the turn passes to the
    /// next in line, and this one keeps its place and is told why.
    PassOver,
}

/// The queue's reading of the rule's answer for one waiting deployment.
pub fn turn(reasons: &[Refusal]) -> Turn {
    if reasons.is_empty() {
        Turn::Call
    } else if reasons
        .iter()
        .all(|r| matches!(r, Refusal::WindowClosed(_) | Refusal::Busy(_)))
    {
        Turn::Wait
    } else {
        Turn::PassOver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deployment::State;
    use chrono::TimeZone;

    fn t() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
    }

    fn dep(id: i64, app: &str, git_ref: &str, env: &str, state: State) -> Deployment {
        Deployment {
            git_ref: git_ref.into(),
            state,
            ..crate::domain::deployment::sample(id, app, env)
        }
    }

    /// Nothing adverse: frontend to production, no ref asked.
    fn clear(holds: &[Hold]) -> Facts<'_> {
        Facts {
            app: "frontend",
            git_ref: None,
            env: "production",
            emergency: false,
            permitted: true,
            window_open: true,
            next_opening: None,
            closure: None,
            skipping: &[],
            holds,
            now: noon(),
            previous: None,
            busy: None,
        }
    }

    /// The instant the tests ask about.
    fn noon() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn hold(scope: &str, env: Option<&str>) -> Hold {
        Hold {
            reason: "incident".into(),
            created_at: t(),
            updated_at: t(),
            ..crate::domain::hold::sample(7, scope, env, "U9")
        }
    }

    /// One row of the table: which facts are adverse, and the codes expected back.
    struct Row {
        permitted: bool,
        held: bool,
        open: bool,
        emergency: bool,
        /// None: no promotion rule; Some(true): staging has the ref; Some(false): it failed.
        promoted: Option<bool>,
        busy: bool,
        want: &'static [&'static str],
    }

    fn run(r: &Row) -> Vec<&'static str> {
        let holds = if r.held {
            vec![hold("frontend", None)]
        } else {
            vec![hold("other-app", None)]
        };
        let staging_ok = dep(1, "frontend", "r1", "staging", State::Succeeded);
        let staging_bad = dep(2, "frontend", "r1", "staging", State::Failed);
        let busy = dep(3, "publisher", "r9", "production", State::Deploying);
        let facts = Facts {
            app: "frontend",
            git_ref: Some("r1"),
            env: "production",
            emergency: r.emergency,
            permitted: r.permitted,
            window_open: r.open,
            next_opening: None,
            closure: None,
            skipping: &[],
            holds: &holds,
            now: noon(),
            previous: r.promoted.map(|ok| PreviousEnv {
                name: "staging",
                latest: Some(if ok { &staging_ok } else { &staging_bad }),
            }),
            busy: r.busy.then_some(&busy),
        };
        admit(&facts).iter().map(Refusal::code).collect()
    }

    #[test]
    fn the_table() {
        #[rustfmt::skip]
        let rows = [
            // permitted held  open   emerg  promoted     busy   expected refusals
            Row { permitted: true,  held: false, open: true,  emergency: false, promoted: None,        busy: false, want: &[] },
            Row { permitted: true,  held: false, open: true,  emergency: false, promoted: Some(true),  busy: false, want: &[] },
            Row { permitted: false, held: false, open: true,  emergency: false, promoted: None,        busy: false, want: &["not_permitted"] },
            Row { permitted: true,  held: true,  open: true,  emergency: false, promoted: None,        busy: false, want: &["held"] },
            Row { permitted: true,  held: false, open: false, emergency: false, promoted: None,        busy: false, want: &["window_closed"] },
            Row { permitted: true,  held: false, open: false, emergency: true,  promoted: None,        busy: false, want: &[] },
            Row { permitted: true,  held: false, open: true,  emergency: false, promoted: Some(false), busy: false, want: &["not_promoted"] },
            Row { permitted: true,  held: false, open: true,  emergency: false, promoted: None,        busy: true,  want: &["busy"] },
            // Emergencies bypass the window only: never holds, promotion or permissions.
            Row { permitted: true,  held: true,  open: false, emergency: true,  promoted: None,        busy: false, want: &["held"] },
            Row { permitted: true,  held: false, open: false, emergency: true,  promoted: Some(false), busy: false, want: &["not_promoted"] },
            Row { permitted: false, held: false, open: false, emergency: true,  promoted: None,        busy: false, want: &["not_permitted"] },
            Row { permitted: true,  held: false, open: false, emergency: true,  promoted: None,        busy: true,  want: &["busy"] },
            // Everything at once, reported in a fixed order.
            Row { permitted: false, held: true,  open: false, emergency: false, promoted: Some(false), busy: true,  want: &["not_permitted", "held", "window_closed", "not_promoted", "busy"] },
            Row { permitted: true,  held: true,  open: false, emergency: false, promoted: Some(true),  busy: false, want: &["held", "window_closed"] },
            Row { permitted: true,  held: false, open: false, emergency: false, promoted: Some(false), busy: true,  want: &["window_closed", "not_promoted", "busy"] },
            Row { permitted: true,  held: true,  open: true,  emergency: true,  promoted: Some(true),  busy: true,  want: &["held", "busy"] },
        ];
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(run(r), r.want, "row {i}");
        }
    }

    #[test]
    fn the_queue_reads_the_answer() {
        let closed = Refusal::WindowClosed(WindowClosed {
            env: "production".into(),
            next_opening: None,
            closure: None,
            skipping: Vec::new(),
        });
        let held = Refusal::Held(hold("frontend", None));
        let not_promoted = Refusal::NotPromoted {
            previous: "staging".into(),
            check: PromotionCheck::NeverDeployed,
        };
        assert_eq!(turn(&[]), Turn::Call);
        assert_eq!(turn(std::slice::from_ref(&closed)), Turn::Wait);
        assert_eq!(turn(std::slice::from_ref(&held)), Turn::PassOver);
        assert_eq!(turn(&[closed.clone(), held]), Turn::PassOver);
        assert_eq!(turn(&[closed, not_promoted.clone()]), Turn::PassOver);
        assert_eq!(turn(&[not_promoted]), Turn::PassOver);
    }

    #[test]
    fn holds_on_another_environment_or_app_do_not_count() {
        let holds = [hold("frontend", Some("staging")), hold("publisher", None)];
        let f = clear(&holds);
        assert!(admit(&f).is_empty());
        let all = [hold("*", None)];
        assert_eq!(admit(&Facts { holds: &all, ..f }).len(), 1);
    }

    /// An `--until` hold blocks up to its time, and from that very instant nothing.
    #[test]
    fn a_hold_blocks_until_its_until_time_and_not_from_it() {
        let until = [Hold {
            until: Some(noon()),
            ..hold("*", None)
        }];
        let f = clear(&until);
        let second = chrono::Duration::seconds(1);
        assert_eq!(
            admit(&Facts {
                now: noon() - second,
                ..f
            })
            .len(),
            1
        );
        assert!(admit(&Facts { now: noon(), ..f }).is_empty());
        assert!(admit(&Facts {
            now: noon() + second,
            ..f
        })
        .is_empty());
    }

    #[test]
    fn no_ref_means_the_promotion_rule_is_not_answered() {
        let f = Facts {
            previous: Some(PreviousEnv {
                name: "staging",
                latest: None,
            }),
            ..clear(&[])
        };
        assert!(admit(&f).is_empty());
        let never = admit(&Facts {
            git_ref: Some("r1"),
            ..f
        });
        assert_eq!(
            never,
            [Refusal::NotPromoted {
                previous: "staging".into(),
                check: PromotionCheck::NeverDeployed
            }]
        );
    }

    #[test]
    fn a_different_ref_in_the_previous_environment_is_named() {
        let staging = dep(1, "frontend", "r2", "staging", State::Succeeded);
        let f = Facts {
            git_ref: Some("r1"),
            previous: Some(PreviousEnv {
                name: "staging",
                latest: Some(&staging),
            }),
            ..clear(&[])
        };
        assert_eq!(
            admit(&f),
            [Refusal::NotPromoted {
                previous: "staging".into(),
                check: PromotionCheck::LatestDiffers {
                    latest_ref: "r2".into(),
                    latest_state: State::Succeeded
                }
            }]
        );
        assert!(!admit(&f)[0].is_busy());
    }
}
