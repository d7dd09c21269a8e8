//! The policy's `[[environments]]`: names, deploy windows, the promotion rule, deployers,
//! smoke checks and the after-success checklist, checked with errors that name the key.

use std::collections::HashSet;

use serde::Deserialize;

use super::github::Bad;
use super::policy::{user_ids, Environment, WindowKind};
use crate::domain::names::EnvName;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEnvironment {
    name: String,
    window: Option<String>,
    requires_previous: Option<bool>,
    deployers: Option<Vec<String>>,
    smoke_urls: Option<Vec<String>>,
    smoke_timeout_secs: Option<i64>,
    checklist: Option<Vec<super::github::RawChecklistItem>>,
    stay_minutes: Option<i64>,
}

/// The environments in promotion order: integration, staging and production when the file
/// lists none.
pub(super) fn parse_environments(
    raw: Option<Vec<RawEnvironment>>,
) -> Result<Vec<Environment>, Bad> {
    let bad = |key: &str, message: String| (key.to_owned(), message);
    let environments = match raw {
        None => ["integration", "staging", "production"]
            .iter()
            .enumerate()
            .map(|(i, n)| Environment {
                name: EnvName::new_unchecked(*n),
                window: if i == 0 {
                    WindowKind::Always
                } else {
                    WindowKind::OfficeHours
                },
                requires_previous: i > 0,
                deployers: vec![],
                smoke_urls: vec![],
                smoke_timeout_secs: super::smoke_urls::DEFAULT_TIMEOUT_SECS,
                checklist: vec![],
                stay_minutes: 0,
            })
            .collect(),
        Some(list) => {
            if list.is_empty() {
                return Err(bad(
                    "environments",
                    "at least one environment is needed".into(),
                ));
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (i, e) in list.into_iter().enumerate() {
                let key = |k: &str| format!("environments[{i}].{k}");
                let name = e.name.trim().to_owned();
                let valid = !name.is_empty()
                    && name.len() <= 32
                    && name.bytes().enumerate().all(|(j, b)| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || (j > 0 && (b == b'-' || b == b'_'))
                    });
                if !valid {
                    return Err(bad(
                        &key("name"),
                        format!(
                            "`{}` is not an environment name: lower-case letters, digits, `-`, `_`",
                            e.name
                        ),
                    ));
                }
                if matches!(name.as_str(), "to" | "all") {
                    return Err(bad(&key("name"), format!("`{name}` is a reserved word")));
                }
                if !seen.insert(name.clone()) {
                    return Err(bad(&key("name"), format!("`{name}` is listed twice")));
                }
                let window = match e.window.as_deref() {
                    None if i == 0 => WindowKind::Always,
                    None => WindowKind::OfficeHours,
                    Some("always") => WindowKind::Always,
                    Some("office-hours") => WindowKind::OfficeHours,
                    Some(other) => {
                        return Err(bad(
                            &key("window"),
                            format!("`{other}` must be \"always\" or \"office-hours\""),
                        ))
                    }
                };
                let requires_previous = e.requires_previous.unwrap_or(i > 0);
                if requires_previous && i == 0 {
                    return Err(bad(
                        &key("requires_previous"),
                        "the first environment has no previous one".into(),
                    ));
                }
                let deployers = e.deployers.unwrap_or_default();
                user_ids(&key("deployers"), &deployers)?;
                let (smoke_urls, smoke_timeout_secs) =
                    super::smoke_urls::from_raw(i, e.smoke_urls, e.smoke_timeout_secs)
                        .map_err(|(k, m)| bad(&k, m))?;
                let (checklist, stay_minutes) =
                    super::github::parse_checklist(i, e.checklist, e.stay_minutes)
                        .map_err(|(k, m)| bad(&k, m))?;
                out.push(Environment {
                    name: EnvName::new_unchecked(name),
                    window,
                    requires_previous,
                    deployers,
                    smoke_urls,
                    smoke_timeout_secs,
                    checklist,
                    stay_minutes,
                });
            }
            out
        }
    };
    Ok(environments)
}
