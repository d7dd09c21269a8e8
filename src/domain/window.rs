//! The deploy window calendar: weekly local opening hours, UK bank holidays, named
//! freezes and extra closed dates. Pure: every question takes the current instant as an argument.
//!
//! Each local day with hours gives one `Opening`; openings of adjoining days are not
//! merged, so a 00:00-24:00 day ends at midnight and the next one starts there.

mod ahead;
mod closures;
mod freezes;
mod hours;
#[cfg(test)]
mod tests;

pub use ahead::{freeze_ahead, next_opens, Skipped};
pub use closures::{ClosedDay, ClosedDaySources, ClosedReason, ClosureSource, Region};
pub use freezes::{Closure, Freeze};
pub use hours::DayHours;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::{GapInfo, Tz};

const MINUTES_PER_DAY: u16 = 24 * 60;

/// How far `next_opening` looks before giving up: long enough for a policy open on a
/// single weekday that is mostly holidays, short enough to answer quickly when all is closed.
const SEARCH_DAYS: u32 = 3 * 366 + 2;

/// `openings` never returns more than this: an always-open calendar has an opening every
/// day until chrono's year 262143, and no caller needs decades of them.
pub const MAX_OPENINGS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub tz: Tz,
    /// Index = `Weekday::num_days_from_monday()`.
    pub week: [Option<DayHours>; 7],
    pub region: Region,
    pub closed_dates: BTreeSet<NaiveDate>,
    /// Holidays from the operator's calendar file (`window.bank_holidays_file`), by date,
    /// with the file's title: added to the computed ones, so a holiday proclaimed after a
    /// release needs no upgrade.
    pub listed_holidays: BTreeMap<NaiveDate, String>,
    /// Named runs of closed days (`window.freezes`), in the policy's order.
    pub freezes: Vec<Freeze>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opening {
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl Calendar {
    /// GOV.UK: Mon-Thu 09:30-17:00, Fri 09:30-16:00, weekends closed, Europe/London, england-and-wales, no extra dates.
    pub fn govuk_default() -> Self {
        let long = Some(DayHours {
            open_min: 9 * 60 + 30,
            close_min: 17 * 60,
        });
        let friday = Some(DayHours {
            open_min: 9 * 60 + 30,
            close_min: 16 * 60,
        });
        Calendar {
            tz: chrono_tz::Europe::London,
            week: [long, long, long, long, friday, None, None],
            region: Region::EnglandAndWales,
            closed_dates: BTreeSet::new(),
            listed_holidays: BTreeMap::new(),
            freezes: Vec::new(),
        }
    }

    /// [opens, closes): opens inclusive, closes exclusive.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.current(at).is_some()
    }

    /// The opening containing `at`.
    pub fn current(&self, at: DateTime<Utc>) -> Option<Opening> {
        let today = local_naive(at, self.tz)?.date();
        // Around clock changes an opening can contain instants whose local date is the
        // day before or after its own, so look at the neighbours too.
        [today.pred_opt(), Some(today), today.succ_opt()]
            .into_iter()
            .flatten()
            .filter_map(|d| self.opening_on(d))
            .find(|o| o.opens <= at && at < o.closes)
    }

    /// When the window open at `at` next closes for real: an opening that ends at 24:00
    /// and one that starts at 00:00 the next day are one stretch (no instant between them is
    /// closed). None if the window is closed at `at`.
    pub fn closes_after(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut closes = self.current(at)?.closes;
        // Bounded: a week of back-to-back days is already past any reminder's horizon.
        for _ in 0..7 {
            match self.current(closes) {
                Some(next) => closes = next.closes,
                None => break,
            }
        }
        Some(closes)
    }

    /// The first opening that starts strictly after `at`. None if none within ~3 years (e.g. every day closed).
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<Opening> {
        let today = local_naive(at, self.tz)?.date();
        let mut date = today.pred_opt().unwrap_or(today);
        // Openings start in date order, so the first one after `at` is the earliest.
        for _ in 0..SEARCH_DAYS {
            if let Some(o) = self.opening_on(date) {
                if o.opens > at {
                    return Some(o);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// The current opening (if open) then the following ones, n in all (at most [`MAX_OPENINGS`]).
    pub fn openings(&self, from: DateTime<Utc>, n: usize) -> Vec<Opening> {
        let n = n.min(MAX_OPENINGS);
        let mut out = Vec::new();
        if n == 0 {
            return out;
        }
        let mut cursor = from;
        if let Some(o) = self.current(from) {
            out.push(o);
            cursor = o.opens;
        }
        while out.len() < n {
            let Some(o) = self.next_opening(cursor) else {
                break;
            };
            out.push(o);
            cursor = o.opens;
        }
        out
    }

    fn hours_on(&self, date: NaiveDate) -> Option<DayHours> {
        self.week
            .get(date.weekday().num_days_from_monday() as usize)
            .copied()
            .flatten()
    }

    /// The opening of one local date, if it has hours, is not closed, and is not swallowed
    /// entirely by a clock change.
    fn opening_on(&self, date: NaiveDate) -> Option<Opening> {
        let hours = self.hours_on(date)?;
        if self.closure_on(date).is_some() {
            return None;
        }
        let opens = self.instant(date, hours.open_min)?;
        let closes = self.instant(date, hours.close_min)?;
        (opens < closes).then_some(Opening { opens, closes })
    }

    /// `minute` past local midnight of `date`; None for minutes a DayHours cannot hold.
    fn instant(&self, date: NaiveDate, minute: u16) -> Option<DateTime<Utc>> {
        let local = if minute == MINUTES_PER_DAY {
            date.succ_opt()?.and_time(NaiveTime::MIN)
        } else {
            let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
            date.and_time(time)
        };
        earliest_instant(self.tz, local)
    }
}

/// The first instant of local `date` in `tz`: 00:00, or the end of the jump where the clocks
/// skip midnight. None only at the very ends of chrono's range.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    earliest_instant(tz, date.and_time(NaiveTime::MIN))
}

/// The first instant at which the wall clock in `tz` reads `local` or later: the earlier
/// of two readings in an overlap, the end of the jump when `local` falls in a gap.
fn earliest_instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.with_timezone(&Utc).min(b.with_timezone(&Utc))),
        LocalResult::None => GapInfo::new(&local, &tz)?
            .end
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// Local wall-clock time, or None at the very ends of chrono's range where
/// `DateTime::naive_local` would panic.
fn local_naive(at: DateTime<Utc>, tz: Tz) -> Option<NaiveDateTime> {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc()).fix();
    at.naive_utc().checked_add_offset(offset)
}

/// e.g. "Mon 24 Nov 09:30 GMT" — the local time in `tz` with its zone abbreviation (GMT/BST).
pub fn format_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %-d %b %H:%M %Z")
        .to_string()
}

/// As [`format_local`], with the year when `at` falls in another year than `from`
/// ("Wed 24 Nov 2027 09:00 GMT"): a time up to a year ahead must not read like this year's.
pub fn format_local_from(at: DateTime<Utc>, tz: Tz, from: DateTime<Utc>) -> String {
    let (local, from) = (at.with_timezone(&tz), from.with_timezone(&tz));
    if local.year() == from.year() {
        format_local(at, tz)
    } else {
        local.format("%a %-d %b %Y %H:%M %Z").to_string()
    }
}
