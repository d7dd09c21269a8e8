//! The value of `/hold … --until`: `HH:MM` (today), `YYYY-MM-DD` (the start of that day) or
//! `YYYY-MM-DD HH:MM`, local to the policy's timezone.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::error::ParseError;
use super::words::option_name;
use super::CommandContext;
use crate::domain::window::start_of_day;

/// Parses the words after `--until`; returns the instant and how many words it used.
///
/// A local time that occurs twice (when the clocks go back) means the first of the two
/// still to come. A date alone means the start of that day: "until 4 January" lets
/// deploys go again on the 4th. It is the first instant the local clock reads that day
/// (00:00, or the end of the jump where the clocks skip midnight).
pub(crate) fn parse_until(
    words: &[&str],
    ctx: &CommandContext,
) -> Result<(DateTime<Utc>, usize), ParseError> {
    let first = match words.first() {
        Some(word) if option_name(word).is_none() => *word,
        _ => return Err(ParseError::UntilMissing),
    };
    let now = ctx.now.with_timezone(&ctx.tz).naive_local();

    if let Some(time) = time_of_day(first) {
        let local = now.date().and_time(time?);
        return Ok((resolve(local, now, true, ctx)?, 1));
    }
    if let Some(date) = date(first) {
        let date = date?;
        let next = words.get(1);
        return match next.and_then(|word| time_of_day(word)) {
            Some(time) => Ok((resolve(date.and_time(time?), now, false, ctx)?, 2)),
            // `9:30am`, `9am`: a time was meant, in a form we do not read.
            None => match next {
                Some(word) if word.starts_with(|c: char| c.is_ascii_digit()) => {
                    Err(ParseError::UntilBadTime {
                        given: (*word).to_owned(),
                    })
                }
                // `at 17:00`, `noon`: a time was meant, apart from the date; read as the
                // reason, the hold would end hours early.
                Some(word) if means_a_time(word) => Err(ParseError::UntilTimeApart {
                    date: first.to_owned(),
                    given: (*word).to_owned(),
                }),
                // The date alone (what follows is the reason, another option or nothing).
                _ => Ok((start_of(date, now, ctx)?, 1)),
            },
        };
    }
    Err(ParseError::UntilUnreadable {
        given: first.to_owned(),
    })
}

/// How far ahead `--until` may be: a hold that ends by itself later than this is more
/// likely a typo for this year than a plan (and its date would read like this year's).
pub const MAX_UNTIL_DAYS: i64 = 366;

/// The start of local `date` (see [`parse_until`]), with the same limits as any other
/// `--until`: still to come, and at most [`MAX_UNTIL_DAYS`] ahead.
fn start_of(
    date: NaiveDate,
    now: NaiveDateTime,
    ctx: &CommandContext,
) -> Result<DateTime<Utc>, ParseError> {
    let local = date.and_time(NaiveTime::MIN);
    // None only at the very ends of chrono's range, far past the horizon anyway.
    let Some(instant) = start_of_day(date, ctx.tz) else {
        return Err(ParseError::UntilTooFar { until: local });
    };
    check_horizon(instant, local, now, false, ctx)
}

/// The instant of `local` in the policy's timezone; it must be in the future, and at
/// most [`MAX_UNTIL_DAYS`] ahead.
fn resolve(
    local: NaiveDateTime,
    now: NaiveDateTime,
    time_only: bool,
    ctx: &CommandContext,
) -> Result<DateTime<Utc>, ParseError> {
    let instant = match ctx.tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        // In the hour the clocks go back, the earlier reading may be past and the later
        // still to come: "until 01:30" then means the one ahead.
        LocalResult::Ambiguous(early, late) => {
            let (early, late) = (early.with_timezone(&Utc), late.with_timezone(&Utc));
            if early > ctx.now {
                early
            } else {
                late
            }
        }
        LocalResult::None => {
            return Err(ParseError::UntilNonexistent { local, tz: ctx.tz });
        }
    };
    check_horizon(instant, local, now, time_only, ctx)
}

/// `instant` (read from `local`) if it is still to come and at most [`MAX_UNTIL_DAYS`] ahead.
fn check_horizon(
    instant: DateTime<Utc>,
    local: NaiveDateTime,
    now: NaiveDateTime,
    time_only: bool,
    ctx: &CommandContext,
) -> Result<DateTime<Utc>, ParseError> {
    if instant <= ctx.now {
        return Err(ParseError::UntilInPast {
            until: local,
            now,
            tz: ctx.tz,
            time_only,
        });
    }
    if instant - ctx.now > chrono::Duration::days(MAX_UNTIL_DAYS) {
        return Err(ParseError::UntilTooFar { until: local });
    }
    Ok(instant)
}

/// `None` if `word` is not shaped `H:MM` or `HH:MM`; an error if it is but names no time.
fn time_of_day(word: &str) -> Option<Result<NaiveTime, ParseError>> {
    let (hour, minute) = word.split_once(':')?;
    if !(digits(hour, 1..=2) && digits(minute, 2..=2)) {
        return None;
    }
    let time = hour
        .parse()
        .ok()
        .zip(minute.parse().ok())
        .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0));
    Some(time.ok_or_else(|| ParseError::UntilBadTime {
        given: word.to_owned(),
    }))
}

/// `None` if `word` is not shaped `YYYY-M-D` (one or two digits for month and day);
/// an error if it is but names no day.
fn date(word: &str) -> Option<Result<NaiveDate, ParseError>> {
    let mut parts = word.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2))
    {
        return None;
    }
    let date = match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    };
    Some(date.ok_or_else(|| ParseError::UntilBadDate {
        given: word.to_owned(),
    }))
}

/// A word that, right after a date, says a time of day is coming or meant.
fn means_a_time(word: &str) -> bool {
    const WORDS: &str = "at @ noon midday midnight eod cob morning afternoon evening tonight am pm";
    WORDS.split(' ').any(|w| word.eq_ignore_ascii_case(w))
}

fn digits(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Why a `YYYY-MM-DD` word names no day, for its error: "February 2027 has 28 days",
/// "there is no month 13"; `given` is shaped as [`date`] reads it.
pub(crate) fn no_such_day(given: &str) -> String {
    let mut parts = given.split('-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (
        parts.next().flatten(),
        parts.next().flatten(),
        parts.next().flatten(),
    );
    let first = |y: u32, m: u32| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, 1);
    match (year, month) {
        _ if day == Some(0) => "days start at 01".to_owned(),
        (Some(y), Some(m)) if (1..=12).contains(&m) => {
            let next = if m == 12 {
                first(y + 1, 1)
            } else {
                first(y, m + 1)
            };
            match (first(y, m), next) {
                (Some(start), Some(next)) => format!(
                    "{} has {} days",
                    start.format("%B %Y"),
                    (next - start).num_days()
                ),
                _ => "there is no such day".to_owned(),
            }
        }
        (_, Some(m)) => format!("there is no month {m} (months go from 01 to 12)"),
        _ => "there is no such day".to_owned(),
    }
}
