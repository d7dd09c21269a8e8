//! The status board: one read model of "what is live and queued" (the window now, per
//! environment what is deploying and the queue in order, the holds in effect), built by one
//! pure function from the store's facts, the environments and the time. `/deploy status`,
//! `GET /api/v1/status`, `deploy-check`, the dashboard and App Home all render from it.

use crate::domain::deployment::{Deployment, State};
use crate::domain::hold::Hold;
use crate::domain::window::{
    format_local, freeze_ahead, next_opens, Calendar, Closure, Opening, Skipped,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// One environment as the policy has it, in its order.
#[derive(Debug, Clone, Copy)]
pub struct EnvSpec<'a> {
    pub name: &'a str,
    /// Deployable at any time (`window = "always"`).
    pub always_open: bool,
}

/// The deploy window at the instant the board was built.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowNow {
    /// The opening we are in, if the window is open.
    pub current: Option<Opening>,
    /// The next opening after now (the one after the current one when open).
    pub next: Option<Opening>,
    /// When closed, why, if that has a name (a freeze, a bank holiday). Absent in rows
    /// stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    /// The named closures `next` skips (besides `closure`): a freeze that closes the window
    /// from after today, bank holidays. Empty in rows stored before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipping: Vec<Skipped>,
}

impl WindowNow {
    pub fn at(cal: &Calendar, now: DateTime<Utc>) -> WindowNow {
        let current = cal.current(now);
        let closure = current.is_none().then(|| cal.closure_at(now)).flatten();
        WindowNow {
            current,
            next: cal.next_opening(now),
            skipping: cal.skipping(now, closure.as_ref()),
            closure,
        }
    }
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }
    /// " (Christmas change freeze, until Mon 4 Jan)" when closed for a named reason, else "".
    fn why(&self) -> String {
        self.closure
            .as_ref()
            .map(|c| format!(" ({})", c.words()))
            .unwrap_or_default()
    }
    /// When the window next opens, naming what that skips ("Tue 5 Jan 09:30 GMT, after the
    /// Christmas change freeze (Mon 21 Dec to Mon 4 Jan)"); None when no opening is scheduled.
    pub fn next_words(&self, tz: Tz) -> Option<String> {
        self.next.map(|o| next_opens(o.opens, &self.skipping, tz))
    }
    /// While open on the last opening before a freeze: "The Christmas change freeze starts
    /// Mon 21 Dec; the window after today's opens Tue 5 Jan 09:30 GMT."
    pub fn freeze_ahead(&self, tz: Tz) -> Option<String> {
        self.current?;
        freeze_ahead(self.next?.opens, &self.skipping, tz)
    }
    /// The window in plain words ("The deploy window is open until Tue 24 Nov 17:00 GMT."),
    /// one line; each edge adds its own markup.
    pub fn describe(&self, tz: Tz) -> String {
        match (self.current, self.next_words(tz)) {
            (Some(o), _) => {
                let open = format!(
                    "The deploy window is open until {}.",
                    format_local(o.closes, tz)
                );
                match self.freeze_ahead(tz) {
                    Some(ahead) => format!("{open} {ahead}"),
                    None => open,
                }
            }
            (None, Some(next)) => format!(
                "The deploy window is closed{}; it next opens {next}.",
                self.why(),
            ),
            (None, None) => format!(
                "The deploy window is closed{} with no opening scheduled.",
                self.why()
            ),
        }
    }
}

/// One environment on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvBoard<'a> {
    pub name: &'a str,
    pub always_open: bool,
    /// Whether a deployment may start here now (always open, or the window is open).
    pub window_open: bool,
    /// Called (waiting to start) or deploying: the one holding the environment's slot.
    pub active: Option<&'a Deployment>,
    /// Queued, in queue order.
    pub queue: Vec<&'a Deployment>,
}

/// The whole board at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Board<'a> {
    pub now: DateTime<Utc>,
    pub window: WindowNow,
    /// The policy's environments, in its order.
    pub environments: Vec<EnvBoard<'a>>,
    /// Every called or deploying deployment, in the store's order (by environment name),
    /// including any in an environment the policy no longer lists.
    pub deploying: Vec<&'a Deployment>,
    /// Holds in effect (not released), oldest first.
    pub holds: Vec<&'a Hold>,
}

/// Every queued, called and deploying deployment in the store's order (by environment,
/// the active one first, then queue order), with where each environment's rows sit, found
/// once when the rows are read (in whatever order they come): a board is built at every
/// read, and with a long queue a pass over every row per read was most of its cost.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Live {
    rows: Vec<Deployment>,
    by_env: HashMap<String, EnvRows>,
    /// Called or deploying, in the rows' order, whatever the environment.
    deploying: Vec<usize>,
}

/// One environment's rows in `Live::rows`.
#[derive(Debug, Clone, PartialEq, Default)]
struct EnvRows {
    /// The first called or deploying one: the one holding the slot.
    active: Option<usize>,
    /// Queued, in queue order.
    queue: Vec<usize>,
}

impl Live {
    pub fn new(rows: Vec<Deployment>) -> Live {
        // Keyed by the rows' own names while they are walked: one copy per environment,
        // not one per row.
        let mut found: HashMap<&str, EnvRows> = HashMap::new();
        let mut deploying = Vec::new();
        for (i, d) in rows.iter().enumerate() {
            let here = found.entry(d.environment.as_str()).or_default();
            match d.state {
                State::Called | State::Deploying => {
                    deploying.push(i);
                    here.active.get_or_insert(i);
                }
                State::Queued => here.queue.push(i),
                _ => {}
            }
        }
        let by_env = found
            .into_iter()
            .map(|(env, here)| (env.to_owned(), here))
            .collect();
        Live {
            rows,
            by_env,
            deploying,
        }
    }
}

impl std::ops::Deref for Live {
    type Target = [Deployment];
    fn deref(&self) -> &[Deployment] {
        &self.rows
    }
}

/// Builds the board from `live` and the standing `holds`. Nothing here reads a clock:
/// `now` decides the window.
pub fn build<'a>(
    envs: &[EnvSpec<'a>],
    cal: &Calendar,
    live: &'a Live,
    holds: &'a [Hold],
    now: DateTime<Utc>,
) -> Board<'a> {
    let window = WindowNow::at(cal, now);
    let current = window.current;
    let rows = |ids: &[usize]| ids.iter().map(|&i| &live.rows[i]).collect::<Vec<_>>();
    let environments = envs
        .iter()
        .map(|e| {
            let here = live.by_env.get(e.name);
            EnvBoard {
                name: e.name,
                always_open: e.always_open,
                window_open: e.always_open || current.is_some(),
                active: here.and_then(|h| h.active).map(|i| &live.rows[i]),
                queue: here.map(|h| rows(&h.queue)).unwrap_or_default(),
            }
        })
        .collect();
    Board {
        now,
        window,
        environments,
        deploying: rows(&live.deploying),
        // A hold whose `--until` has come is gone from the board at once, as from the
        // admission rule, though the scheduler releases it a moment later.
        holds: holds.iter().filter(|h| h.stands_at(now)).collect(),
    }
}

impl<'a> Board<'a> {
    /// One environment by name.
    pub fn env(&self, name: &str) -> Option<&EnvBoard<'a>> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The same board seen from one app (its page on the dashboard): only its deployments,
    /// and only the holds that can stop it.
    pub fn only_app(mut self, app: &str) -> Board<'a> {
        for e in &mut self.environments {
            e.active = e.active.filter(|d| d.app == app);
            e.queue.retain(|d| d.app == app);
        }
        self.deploying.retain(|d| d.app == app);
        self.holds.retain(|h| h.is_all() || h.scope == app);
        self
    }

    /// Everything live (active, then queued) of one person, environment by environment.
    pub fn of_person(&self, user: &str) -> Vec<&'a Deployment> {
        self.environments
            .iter()
            .flat_map(|e| e.active.into_iter().chain(e.queue.iter().copied()))
            .filter(|d| d.requester == user)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deployment::sample;
    use crate::domain::window::Calendar;
    use chrono::TimeZone;

    fn d(id: i64, app: &str, env: &str, state: State, who: &str) -> Deployment {
        let mut d = sample(id, app, env);
        d.state = state;
        d.requester = who.into();
        d
    }

    fn hold(id: i64, scope: &str, released: bool) -> Hold {
        let t = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        Hold {
            created_at: t,
            updated_at: t,
            released_at: released.then_some(t),
            ..crate::domain::hold::sample(id, scope, None, "U1")
        }
    }

    const ENVS: &[EnvSpec<'static>] = &[
        EnvSpec {
            name: "integration",
            always_open: true,
        },
        EnvSpec {
            name: "staging",
            always_open: false,
        },
        EnvSpec {
            name: "production",
            always_open: false,
        },
    ];

    #[test]
    fn each_environment_gets_its_active_deployment_and_queue_in_order() {
        // As the store sorts them: by environment name, active first, then queue order;
        // "gone" is an environment the policy no longer lists.
        let live = Live::new(vec![
            d(9, "x", "gone", State::Deploying, "U9"),
            d(1, "api", "integration", State::Deploying, "U1"),
            d(3, "web", "integration", State::Queued, "U2"),
            d(2, "cli", "integration", State::Queued, "U1"),
            d(4, "api", "production", State::Called, "U3"),
            d(5, "web", "production", State::Queued, "U1"),
        ]);
        // Tuesday 10:00 GMT: the GOV.UK window is open.
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let until = |id, at| Hold {
            until: Some(at),
            ..hold(id, "web", false)
        };
        let holds = vec![
            hold(1, "*", false),
            hold(2, "api", true),
            hold(3, "web", false),
            until(4, now),
            until(6, now + chrono::Duration::seconds(1)),
        ];
        let cal = Calendar::govuk_default();
        let b = build(ENVS, &cal, &live, &holds, now);

        assert!(b.window.is_open());
        assert_eq!(b.window.current, cal.current(now));
        assert_eq!(b.window.next, cal.next_opening(now));
        let names: Vec<_> = b.environments.iter().map(|e| e.name).collect();
        assert_eq!(names, ["integration", "staging", "production"]);

        let int = b.env("integration").unwrap();
        assert_eq!(int.active.map(|d| d.id), Some(1));
        assert_eq!(int.queue.iter().map(|d| d.id).collect::<Vec<_>>(), [3, 2]);
        assert!(int.always_open && int.window_open);
        let stg = b.env("staging").unwrap();
        assert_eq!((stg.active, stg.queue.len()), (None, 0));
        let prod = b.env("production").unwrap();
        assert_eq!(prod.active.map(|d| d.state), Some(State::Called));
        assert_eq!(prod.queue.iter().map(|d| d.id).collect::<Vec<_>>(), [5]);

        // Everything deploying, in the store's order, whatever the policy lists.
        assert_eq!(
            b.deploying.iter().map(|d| d.id).collect::<Vec<_>>(),
            [9, 1, 4]
        );
        // Released holds are not in effect, nor one whose `--until` has come.
        assert_eq!(b.holds.iter().map(|h| h.id).collect::<Vec<_>>(), [1, 3, 6]);
        assert_eq!(
            b.of_person("U1").iter().map(|d| d.id).collect::<Vec<_>>(),
            [1, 2, 5]
        );

        let web = b.clone().only_app("web");
        assert_eq!(web.env("integration").unwrap().active, None);
        assert_eq!(
            web.env("integration")
                .unwrap()
                .queue
                .iter()
                .map(|d| d.id)
                .collect::<Vec<_>>(),
            [3]
        );
        assert!(web.deploying.is_empty());
        assert_eq!(
            web.holds.iter().map(|h| h.id).collect::<Vec<_>>(),
            [1, 3, 6]
        );
    }

    #[test]
    fn rows_in_any_order_are_indexed_as_a_pass_over_them_would_find_them() {
        // Environments interleaved, two holding one slot (a pipeline's report beside a
        // person's turn), a finished row that should not be live at all.
        let rows = [
            (1, "staging", State::Queued),
            (2, "integration", State::Queued),
            (3, "staging", State::Deploying),
            (4, "staging", State::Called),
            (5, "integration", State::Succeeded),
            (6, "staging", State::Queued),
        ];
        let live = Live::new(
            rows.map(|(id, env, state)| d(id, "app", env, state, "U1"))
                .into(),
        );
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let b = build(ENVS, &Calendar::govuk_default(), &live, &[], now);
        let ids = |ds: &[&Deployment]| ds.iter().map(|d| d.id).collect::<Vec<_>>();
        let stg = b.env("staging").unwrap();
        assert_eq!(stg.active.map(|d| d.id), Some(3));
        assert_eq!(ids(&stg.queue), [1, 6]);
        let int = b.env("integration").unwrap();
        assert_eq!((int.active, ids(&int.queue)), (None, vec![2]));
        assert_eq!(ids(&b.deploying), [3, 4]);
        assert_eq!(live.len(), 6);
    }

    #[test]
    fn the_window_is_decided_by_the_time_given() {
        let cal = Calendar::govuk_default();
        // Saturday: closed everywhere but where it is always open.
        let sat = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let nothing = Live::default();
        let b = build(ENVS, &cal, &nothing, &[], sat);
        assert!(!b.window.is_open());
        assert_eq!(b.window.current, None);
        assert_eq!(b.window.next, cal.next_opening(sat));
        let open: Vec<_> = b.environments.iter().map(|e| e.window_open).collect();
        assert_eq!(open, [true, false, false]);
        assert_eq!(b.now, sat);
        assert_eq!(
            b.window.describe(chrono_tz::Europe::London),
            "The deploy window is closed; it next opens Mon 30 Nov 09:30 GMT."
        );
        let tue = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        assert_eq!(
            WindowNow::at(&cal, tue).describe(chrono_tz::Europe::London),
            "The deploy window is open until Tue 24 Nov 17:00 GMT."
        );
        // A named closure says why: here the day's bank holiday.
        let boxing_day = Utc.with_ymd_and_hms(2026, 12, 28, 12, 0, 0).unwrap();
        assert_eq!(
            WindowNow::at(&cal, boxing_day).describe(chrono_tz::Europe::London),
            "The deploy window is closed (Boxing Day (substitute day)); it next opens Tue 29 Dec 09:30 GMT."
        );
    }
}
