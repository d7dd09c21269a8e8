//! Closed days: the bank holiday region, why a day with hours is closed anyway (a
//! computed bank holiday, the operator's calendar file, a named freeze, `closed_dates`)
//! and which sources close it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::hours::shorten;
use super::Calendar;
use crate::domain::holidays::bank_holidays;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
    None,
}

impl Region {
    pub fn parse(s: &str) -> Result<Region, String> {
        let t = s.trim();
        [
            Region::EnglandAndWales,
            Region::Scotland,
            Region::NorthernIreland,
            Region::None,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(t))
        .ok_or_else(|| {
            format!(
                "`{}` is not a bank holiday region: use `england-and-wales`, `scotland`, `northern-ireland` or `none`",
                shorten(t)
            )
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
            Region::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosedReason {
    BankHoliday(&'static str),
    /// A holiday from the operator's calendar file, with its title there.
    Listed(String),
    /// A day of a named freeze (`window.freezes`), with its name.
    Freeze(String),
    ClosedDate,
}

impl ClosedReason {
    /// The day's name in lists (plain text): the holiday's or freeze's, else "closed by policy".
    pub fn name(&self) -> &str {
        match self {
            ClosedReason::BankHoliday(name) => name,
            ClosedReason::Listed(name) | ClosedReason::Freeze(name) => name,
            ClosedReason::ClosedDate => "closed by policy",
        }
    }
}

/// Where a closed day came from (`badger check-config` shows them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClosureSource {
    /// Computed bank holiday for the configured region.
    Computed,
    /// The operator's calendar file.
    File,
    /// `window.freezes`.
    Freezes,
    /// `window.closed_dates`.
    ClosedDates,
}

impl ClosureSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            ClosureSource::Computed => "computed",
            ClosureSource::File => "file",
            ClosureSource::Freezes => "freezes",
            ClosureSource::ClosedDates => "closed_dates",
        }
    }
}

/// A closed day with every source that closes it and the most useful name for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDaySources {
    pub date: NaiveDate,
    pub reason: ClosedReason,
    pub sources: Vec<ClosureSource>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDay {
    pub date: NaiveDate,
    pub reason: ClosedReason,
}
impl Calendar {
    /// Why a local date is closed although its weekday has hours (bank holiday, listed
    /// holiday, freeze or closed_dates, the first that applies); None otherwise.
    pub fn closure_on(&self, date: NaiveDate) -> Option<ClosedReason> {
        self.hours_on(date)?;
        if let Some((_, name)) = bank_holidays(self.region, date.year())
            .into_iter()
            .find(|(d, _)| *d == date)
        {
            return Some(ClosedReason::BankHoliday(name));
        }
        if let Some(title) = self.listed_holidays.get(&date) {
            return Some(ClosedReason::Listed(title.clone()));
        }
        if let Some(f) = self.freeze_on(date) {
            return Some(ClosedReason::Freeze(f.name.clone()));
        }
        self.closed_dates
            .contains(&date)
            .then_some(ClosedReason::ClosedDate)
    }

    /// Every bank holiday, freeze day and closed date in [from, to] (inclusive) that falls on a day whose weekday has hours, sorted.
    pub fn closed_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<ClosedDay> {
        if from > to {
            return Vec::new();
        }
        let mut days = BTreeMap::new();
        for year in from.year()..=to.year() {
            for (date, name) in bank_holidays(self.region, year) {
                if (from..=to).contains(&date) && self.hours_on(date).is_some() {
                    days.insert(date, ClosedReason::BankHoliday(name));
                }
            }
        }
        // A bank holiday is the more useful reason to show, as in `closure_on`.
        for (&date, title) in self.listed_holidays.range(from..=to) {
            if self.hours_on(date).is_some() {
                days.entry(date)
                    .or_insert_with(|| ClosedReason::Listed(title.clone()));
            }
        }
        for f in &self.freezes {
            let (first, last) = (f.from.max(from), f.to.min(to));
            for date in first.iter_days().take_while(|d| *d <= last) {
                if self.hours_on(date).is_some() && !days.contains_key(&date) {
                    // Overlapping freezes: the one `closure_on` names.
                    let named = self.freeze_on(date).unwrap_or(f);
                    days.insert(date, ClosedReason::Freeze(named.name.clone()));
                }
            }
        }
        for &date in self.closed_dates.range(from..=to) {
            if self.hours_on(date).is_some() {
                days.entry(date).or_insert(ClosedReason::ClosedDate);
            }
        }
        days.into_iter()
            .map(|(date, reason)| ClosedDay { date, reason })
            .collect()
    }

    /// Like [`Calendar::closed_days`], with every source that closes each day.
    pub fn closed_day_sources(&self, from: NaiveDate, to: NaiveDate) -> Vec<ClosedDaySources> {
        self.closed_days(from, to)
            .into_iter()
            .map(|c| {
                let mut sources = Vec::new();
                if bank_holidays(self.region, c.date.year())
                    .iter()
                    .any(|(d, _)| *d == c.date)
                {
                    sources.push(ClosureSource::Computed);
                }
                if self.listed_holidays.contains_key(&c.date) {
                    sources.push(ClosureSource::File);
                }
                if self.freeze_on(c.date).is_some() {
                    sources.push(ClosureSource::Freezes);
                }
                if self.closed_dates.contains(&c.date) {
                    sources.push(ClosureSource::ClosedDates);
                }
                ClosedDaySources {
                    date: c.date,
                    reason: c.reason,
                    sources,
                }
            })
            .collect()
    }
}
