//! The local console's rendering and names (local mode only): type `/deploy` and `/hold`
//! as a named person and press the buttons, seeing what Slack would show. Commands and
//! presses go through the same handlers as Slack's signed routes; what badger "posts" is
//! read back from local mode's record of Web API calls and drawn from its Block Kit JSON.
//! The routes and the loopback guard are the HTTP edge's (`src/http/console.rs`).

pub mod blockkit;
pub mod mrkdwn;
pub mod page;
pub mod panel;
pub mod timeline;

use crate::config::Policy;
use crate::service::Core;
use serde_json::json;

/// The channel the console types in when the policy names no deploy channel.
pub const DEFAULT_CHANNEL: &str = "C0DEPLOY";
/// The person the console acts as until told otherwise.
pub const DEFAULT_PERSON: &str = "alice";
/// How much of the record the console reads back (the newest calls).
const LOG_LIMIT: i64 = 2000;

/// The Slack user id the console uses for a name: a Slack id as typed (`U0ADMIN`, to act
/// as someone the policy names), or `U` + the name in capitals (`alice` -> `UALICE`).
pub fn person(name: &str) -> Result<String, String> {
    let name = name.trim();
    let slack_id = name.len() >= 3
        && name.len() <= 20
        && name.starts_with(['U', 'W'])
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if slack_id {
        return Ok(name.to_owned());
    }
    let ok =
        !name.is_empty() && name.len() <= 19 && name.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok {
        return Err(format!(
            "{:?} is not a name the console can use: pick 1 to 19 letters or digits (like alice), or a Slack user id from the policy (like U0ADMIN).",
            crate::domain::text::truncate(name, 40)
        ));
    }
    Ok(format!("U{}", name.to_ascii_uppercase()))
}

/// How the console names people and channels.
pub struct ConsoleNames<'a> {
    pub policy: &'a Policy,
    pub channel: &'a str,
}

impl mrkdwn::Names for ConsoleNames<'_> {
    fn user(&self, id: &str) -> String {
        let named = self.policy.admins.iter().any(|a| a == id)
            || self
                .policy
                .environments
                .iter()
                .any(|e| e.deployers.iter().any(|d| d == id));
        match id.strip_prefix('U') {
            Some(rest)
                if !named
                    && !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
            {
                rest.to_ascii_lowercase()
            }
            _ => id.to_owned(),
        }
    }
    fn channel(&self, id: &str) -> String {
        if id == self.channel {
            "deploy".to_owned()
        } else {
            id.to_owned()
        }
    }
}

pub fn channel_of(core: &Core) -> String {
    core.policy
        .channel
        .clone()
        .unwrap_or_else(|| DEFAULT_CHANNEL.to_owned())
}

/// The console's view for one person: their channels (HTML), the dashboard (HTML), and
/// a version that changes when either does.
pub async fn view(core: &Core, user: &str) -> Result<serde_json::Value, crate::store::StoreError> {
    let channel = channel_of(core);
    let names = ConsoleNames {
        policy: &core.policy,
        channel: &channel,
    };
    let log = core.store.local_log(LOG_LIMIT).await?;
    let channels = timeline::build(&log, user, &channel);
    let channels_html = timeline::to_page_html(&channels, &names, core.policy.calendar.tz);
    let dashboard_html =
        panel::dashboard_body(core, false, &|id| mrkdwn::Names::user(&names, id)).await?;
    let version = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (user, &channels_html, &dashboard_html).hash(&mut h);
        format!("{:016x}", h.finish())
    };
    Ok(json!({
        "version": version,
        "user": {
            "id": user,
            "name": mrkdwn::Names::user(&names, user),
            "admin_in_policy": core.policy.is_admin(user),
        },
        "channels": channels_html,
        "dashboard": dashboard_html,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_slack_ids() {
        assert_eq!(person("alice").unwrap(), "UALICE");
        assert_eq!(person(" Bob2 ").unwrap(), "UBOB2");
        assert_eq!(person("U0ADMIN").unwrap(), "U0ADMIN");
        for bad in ["", "a b", "<script>", "é", &"x".repeat(20), "a.b"] {
            let e = person(bad).unwrap_err();
            assert!(e.contains("1 to 19 letters or digits"), "{e}");
        }
    }
}
