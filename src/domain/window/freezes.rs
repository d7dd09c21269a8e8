//! Named freezes (`[[window.freezes]]`, e.g. a Christmas change freeze) and the one answer
//! to "why is the window closed today?" that every message saying so uses.

use chrono::{DateTime, NaiveDate, Utc};

use super::{local_naive, Calendar, ClosedReason};

/// A named run of closed days, `from` to `to` inclusive (local dates in the calendar's
/// zone). Every day in it is closed like a closed date; emergencies still go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freeze {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Freeze {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// Why the window is closed on a day, when that has a name: a freeze (with its last
/// day), a bank holiday or a holiday from the operator's file. Nights, weekends and
/// `closed_dates` have none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Closure {
    pub name: String,
    /// A freeze's last closed day; None for a one-day holiday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Closure {
    /// The reason as every message words it, in plain text (each edge escapes it):
    /// "Christmas change freeze, until Mon 4 Jan", "Christmas Day".
    pub fn words(&self) -> String {
        match self.until {
            Some(to) => format!("{}, until {}", self.name, to.format("%a %-d %b")),
            None => self.name.clone(),
        }
    }
}

impl Calendar {
    /// The freeze closing `date`, if any (the one ending last when several overlap),
    /// whatever its weekday.
    pub fn freeze_on(&self, date: NaiveDate) -> Option<&Freeze> {
        self.freezes
            .iter()
            .filter(|f| f.contains(date))
            .max_by_key(|f| f.to)
    }

    /// The named closure of the local day of `at`, else of the first later day with one
    /// before the next opening: what keeps the window shut (a queue place expiring on the
    /// evening before a freeze is told of the freeze).
    pub fn closure_ahead(&self, at: DateTime<Utc>) -> Option<Closure> {
        if let Some(c) = self.closure_at(at) {
            return Some(c);
        }
        let today = local_naive(at, self.tz)?.date();
        let next = self.next_opening(at)?;
        let last = local_naive(next.opens, self.tz)?.date();
        today
            .iter_days()
            .skip(1)
            .take_while(|d| *d < last)
            .find_map(|d| self.closure_on_day(d))
    }

    /// The named closure of the local day of `at`. A freeze comes first, weekends
    /// included, as it says when it ends; then a bank holiday or listed holiday.
    pub fn closure_at(&self, at: DateTime<Utc>) -> Option<Closure> {
        self.closure_on_day(local_naive(at, self.tz)?.date())
    }

    pub(super) fn closure_on_day(&self, date: NaiveDate) -> Option<Closure> {
        if let Some(f) = self.freeze_on(date) {
            return Some(Closure {
                name: f.name.clone(),
                until: Some(f.to),
            });
        }
        let name = match self.closure_on(date)? {
            ClosedReason::BankHoliday(name) => name.to_owned(),
            ClosedReason::Listed(title) => title,
            ClosedReason::Freeze(name) => name,
            ClosedReason::ClosedDate => return None,
        };
        Some(Closure { name, until: None })
    }
}
