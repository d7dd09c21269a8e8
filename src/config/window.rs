//! The policy's `[window]`: weekly hours, the bank holiday region and calendar file,
//! extra closed dates and named freezes, checked with errors that name the key.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::github::Bad;
use crate::domain::window::{Calendar, DayHours, Region};

/// The `[window]` keys of the week, Monday first, as `Calendar::week` is indexed.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWindow {
    monday: Option<String>,
    tuesday: Option<String>,
    wednesday: Option<String>,
    thursday: Option<String>,
    friday: Option<String>,
    saturday: Option<String>,
    sunday: Option<String>,
    bank_holidays: Option<String>,
    bank_holidays_file: Option<String>,
    closed_dates: Option<Vec<String>>,
    freezes: Option<Vec<super::freezes::RawFreeze>>,
}

/// The calendar in `tz` (GOV.UK's hours when there is no `[window]`) and the holidays file
/// as resolved; a relative file is found from `path`, the policy file's.
pub(super) fn parse_window(
    raw: Option<RawWindow>,
    tz: Tz,
    path: &str,
) -> Result<(Calendar, Option<PathBuf>), Bad> {
    let bad = |key: &str, message: String| (key.to_owned(), message);
    let mut calendar = Calendar::govuk_default();
    let mut holidays_file = None;
    calendar.tz = tz;
    if let Some(w) = raw {
        let specs = [
            w.monday,
            w.tuesday,
            w.wednesday,
            w.thursday,
            w.friday,
            w.saturday,
            w.sunday,
        ];
        for (i, (day, spec)) in WEEKDAYS.into_iter().zip(specs).enumerate() {
            if let Some(spec) = spec {
                calendar.week[i] =
                    DayHours::parse(&spec).map_err(|m| bad(&format!("window.{day}"), m))?;
            }
        }
        if let Some(r) = w.bank_holidays {
            calendar.region = Region::parse(&r).map_err(|m| bad("window.bank_holidays", m))?;
        }
        let mut closed = BTreeSet::new();
        for (i, d) in w.closed_dates.unwrap_or_default().iter().enumerate() {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                bad(
                    &format!("window.closed_dates[{i}]"),
                    format!("`{d}` is not a date (YYYY-MM-DD)"),
                )
            })?;
            closed.insert(date);
        }
        calendar.closed_dates = closed;
        calendar.freezes = super::freezes::parse_freezes(w.freezes)?;
        if let Some(file) = w.bank_holidays_file.as_deref().map(str::trim) {
            let key = "window.bank_holidays_file";
            if file.is_empty() {
                return Err(bad(
                    key,
                    "is empty: give the path of a gov.uk bank-holidays.json file".into(),
                ));
            }
            // A relative path is taken from the policy file's folder, so the two
            // travel together.
            let file = std::path::Path::new(file);
            let resolved = match std::path::Path::new(path).parent() {
                Some(dir) if file.is_relative() => dir.join(file),
                _ => file.to_path_buf(),
            };
            calendar.listed_holidays =
                super::holidays_file::load(&resolved, calendar.region).map_err(|m| bad(key, m))?;
            holidays_file = Some(resolved);
        }
    }
    Ok((calendar, holidays_file))
}
