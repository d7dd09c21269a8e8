//! The policy's `[[window.freezes]]`: named runs of closed days, like a Christmas change
//! freeze, checked with errors that name the key (`window.freezes[0].to`).

use chrono::NaiveDate;
use serde::Deserialize;

use super::github::Bad;
use crate::domain::window::Freeze;

/// The longest freeze, in days: a longer one is more likely a typo in a year.
pub const MAX_FREEZE_DAYS: i64 = 366;

/// The longest name: it is shown in refusals and `/deploy windows`.
const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFreeze {
    name: Option<String>,
    /// A quoted `"2026-12-21"` as in `closed_dates`, or a bare TOML date.
    from: Option<toml::Value>,
    to: Option<toml::Value>,
}

pub(super) fn parse_freezes(raw: Option<Vec<RawFreeze>>) -> Result<Vec<Freeze>, Bad> {
    let mut out = Vec::new();
    for (i, f) in raw.unwrap_or_default().into_iter().enumerate() {
        let key = |k: &str| format!("window.freezes[{i}].{k}");
        let name = f.name.as_deref().map(str::trim).unwrap_or_default();
        if name.is_empty() {
            return Err((
                key("name"),
                "is missing or empty: give the freeze a name people will see, like \"Christmas change freeze\"".into(),
            ));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err((
                key("name"),
                format!("is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        let from = date(f.from, "the first closed day").map_err(|m| (key("from"), m))?;
        let to = date(f.to, "the last closed day").map_err(|m| (key("to"), m))?;
        if to < from {
            return Err((
                key("to"),
                format!("{to} is before `from` ({from}): `to` is the last closed day, inclusive"),
            ));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_FREEZE_DAYS {
            return Err((
                key("to"),
                format!(
                    "the freeze from {from} to {to} lasts {days} days; at most {MAX_FREEZE_DAYS} are allowed"
                ),
            ));
        }
        out.push(Freeze {
            name: name.to_owned(),
            from,
            to,
        });
    }
    Ok(out)
}

/// One of the freeze's dates; `what` says which, for the message.
fn date(v: Option<toml::Value>, what: &str) -> Result<NaiveDate, String> {
    let text = match v {
        None => return Err(format!("is missing: give {what} (YYYY-MM-DD)")),
        Some(toml::Value::String(s)) => s,
        Some(toml::Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        Some(other) => other.to_string(),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}
