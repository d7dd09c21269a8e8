//! What the next opening skips: the freezes and bank holidays between now and the next
//! opening, so "it next opens Tue 5 Jan" says why it is a fortnight away ("…, after the
//! Christmas change freeze (Mon 21 Dec to Mon 4 Jan)"), and the warning on the last
//! opening before a freeze. The one place these words are built.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{format_local, local_naive, Calendar, Closure};

/// A named run of closed days that the next opening skips: a freeze (with its first and
/// last day) or a bank holiday (or a holiday of the operator's file) on its day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub name: String,
    /// Its first closed day: a freeze's `from`, a holiday's date.
    pub from: NaiveDate,
    /// A freeze's last closed day; None for a holiday (as in [`Closure`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// How many skipped closures the words name; any more are counted.
const NAMED: usize = 3;

impl Skipped {
    pub fn is_freeze(&self) -> bool {
        self.until.is_some()
    }

    /// Whether `c` names this same closure (a message naming it already).
    fn is(&self, c: &Closure) -> bool {
        self.name == c.name && self.until == c.until
    }

    /// As a message words it, in plain text (each edge escapes it): "the Christmas change
    /// freeze (Mon 21 Dec to Mon 4 Jan)", "Christmas Day".
    pub fn words(&self) -> String {
        match self.until {
            Some(to) if to == self.from => format!("{} ({})", the(&self.name), day(to)),
            Some(to) => format!("{} ({} to {})", the(&self.name), day(self.from), day(to)),
            None => self.name.clone(),
        }
    }
}

impl Calendar {
    /// The named closures (a freeze, else a bank holiday or listed holiday, as
    /// [`Calendar::closure_at`] names a day) on the local days after `at`'s and before
    /// the day of the next opening after `at`, in order, each once; without `named`, the
    /// closure the message names already. While the window is open, what lies between this
    /// opening and the next; while it is closed, what keeps it closed beyond today.
    pub fn skipping(&self, at: DateTime<Utc>, named: Option<&Closure>) -> Vec<Skipped> {
        let mut out: Vec<Skipped> = Vec::new();
        let Some(next) = self.next_opening(at) else {
            return out;
        };
        let (Some(today), Some(last)) =
            (local_naive(at, self.tz), local_naive(next.opens, self.tz))
        else {
            return out;
        };
        let days = today.date().iter_days().skip(1);
        for date in days.take_while(|d| *d < last.date()) {
            let Some(s) = self.skipped_on(date) else {
                continue;
            };
            let same_run = out
                .last()
                .is_some_and(|p| p.name == s.name && p.until == s.until);
            if !same_run && !named.is_some_and(|c| s.is(c)) {
                out.push(s);
            }
        }
        out
    }

    fn skipped_on(&self, date: NaiveDate) -> Option<Skipped> {
        if let Some(f) = self.freeze_on(date) {
            return Some(Skipped {
                name: f.name.clone(),
                from: f.from,
                until: Some(f.to),
            });
        }
        let c = self.closure_on_day(date)?;
        Some(Skipped {
            name: c.name,
            from: date,
            until: None,
        })
    }
}

/// When the window next opens, with what it skips: "Tue 5 Jan 09:30 GMT, after the
/// Christmas change freeze (Mon 21 Dec to Mon 4 Jan)", "Tue 29 Dec 09:30 GMT, after
/// Christmas Day and Boxing Day (substitute day)", or only the time. Plain text.
pub fn next_opens(opens: DateTime<Utc>, skipping: &[Skipped], tz: Tz) -> String {
    let at = format_local(opens, tz);
    if skipping.is_empty() {
        return at;
    }
    let mut names: Vec<String> = skipping.iter().take(NAMED).map(Skipped::words).collect();
    if skipping.len() > NAMED {
        names.push(format!("{} more", skipping.len() - NAMED));
    }
    let last = names.pop().unwrap_or_default();
    let list = if names.is_empty() {
        last
    } else {
        format!("{} and {last}", names.join(", "))
    };
    format!("{at}, after {list}")
}

/// On the last opening before a freeze (`next` the opening after this one, `skipping` what
/// lies between): "The Christmas change freeze starts Mon 21 Dec; the window after today's
/// opens Tue 5 Jan 09:30 GMT." None when no freeze comes first. Plain text.
pub fn freeze_ahead(next: DateTime<Utc>, skipping: &[Skipped], tz: Tz) -> Option<String> {
    let f = skipping.iter().find(|s| s.is_freeze())?;
    let name = the(&f.name);
    let mut chars = name.chars();
    let first = chars.next()?.to_uppercase();
    Some(format!(
        "{first}{} starts {}; the window after today's opens {}.",
        chars.as_str(),
        day(f.from),
        format_local(next, tz)
    ))
}

/// "the Christmas change freeze"; a name that starts with "the" already keeps its own.
fn the(name: &str) -> String {
    let has = name
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("the "));
    if has {
        name.to_owned()
    } else {
        format!("the {name}")
    }
}

/// "Mon 21 Dec", as [`Closure::words`] shows a day.
fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}
