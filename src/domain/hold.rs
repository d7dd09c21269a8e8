//! Holds (deploy freezes): which deployments a hold covers.

use chrono::{DateTime, Utc};

/// `scope` value stored for a hold on every application.
pub const ALL_APPS: &str = "*";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hold {
    pub id: i64,
    /// An app name, or `*` for all applications.
    pub scope: String,
    pub environment: Option<String>,
    pub reason: String,
    pub owner: String,
    pub channel: String,
    pub until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<String>,
    pub reminded_at: Option<DateTime<Utc>>,
}

impl Hold {
    /// Its `--until` as people read it, with the year when that is not the year the hold
    /// was last placed or changed in.
    pub fn until_shown(&self, tz: chrono_tz::Tz) -> Option<String> {
        self.until
            .map(|u| super::window::format_local_from(u, tz, self.updated_at))
    }
    pub fn is_all(&self) -> bool {
        self.scope == ALL_APPS
    }
    pub fn is_active(&self) -> bool {
        self.released_at.is_none()
    }
    /// Whether the hold's `--until` time has come: from that instant it blocks nothing
    /// (the scheduler then releases it and says so).
    pub fn lapsed(&self, now: DateTime<Utc>) -> bool {
        self.until.is_some_and(|u| u <= now)
    }
    /// Whether the hold stands at `now`: not released, and its `--until` (if any) not come.
    /// The one test of "does this hold count" for the admission rule and the status board.
    pub fn stands_at(&self, now: DateTime<Utc>) -> bool {
        self.is_active() && !self.lapsed(now)
    }
    /// Whether this hold blocks deploying `app` to `env`.
    pub fn covers(&self, app: &str, env: &str) -> bool {
        self.is_active()
            && (self.is_all() || self.scope == app)
            && self.environment.as_deref().is_none_or(|e| e == env)
    }
    /// "whitehall", "whitehall in production", "all applications".
    pub fn describe_scope(&self) -> String {
        let what = if self.is_all() {
            "all applications".to_owned()
        } else {
            self.scope.clone()
        };
        match &self.environment {
            Some(env) => format!("{what} in {env}"),
            None => what,
        }
    }
    /// The release command target people would type: the app, `all`, or the id.
    pub fn scope_word(&self) -> &str {
        if self.is_all() {
            "all"
        } else {
            &self.scope
        }
    }
}

/// A standing hold for unit tests elsewhere in the domain: reason "r", made in C1 by
/// `owner` at the epoch, no until-time.
#[cfg(test)]
pub fn sample(id: i64, scope: &str, env: Option<&str>, owner: &str) -> Hold {
    let t = DateTime::from_timestamp(0, 0).unwrap_or_default();
    Hold {
        id,
        scope: scope.into(),
        environment: env.map(Into::into),
        reason: "r".into(),
        owner: owner.into(),
        channel: "C1".into(),
        until: None,
        created_at: t,
        updated_at: t,
        updated_by: owner.into(),
        released_at: None,
        released_by: None,
        reminded_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(scope: &str, env: Option<&str>) -> Hold {
        sample(1, scope, env, "U1")
    }

    #[test]
    fn coverage() {
        assert!(hold("whitehall", None).covers("whitehall", "production"));
        assert!(!hold("whitehall", None).covers("publisher", "production"));
        assert!(hold("whitehall", Some("staging")).covers("whitehall", "staging"));
        assert!(!hold("whitehall", Some("staging")).covers("whitehall", "production"));
        assert!(hold(ALL_APPS, None).covers("anything", "production"));
        assert!(hold(ALL_APPS, Some("production")).covers("x", "production"));
        assert!(!hold(ALL_APPS, Some("production")).covers("x", "staging"));
        let mut released = hold(ALL_APPS, None);
        released.released_at = Some(released.created_at);
        assert!(!released.covers("x", "production"));
    }

    #[test]
    fn descriptions() {
        assert_eq!(hold(ALL_APPS, None).describe_scope(), "all applications");
        assert_eq!(
            hold("whitehall", Some("staging")).describe_scope(),
            "whitehall in staging"
        );
        assert_eq!(hold(ALL_APPS, None).scope_word(), "all");
    }
}
