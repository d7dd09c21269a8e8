//! Opening hours in the policy's words: one day's `HH:MM-HH:MM` ([`DayHours`]), parsed
//! with messages that name what is wrong.

use std::fmt;

use super::MINUTES_PER_DAY;

/// One day's opening hours in local time, as minutes since local midnight; close may be 1440 ("24:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    pub open_min: u16,
    pub close_min: u16,
}

impl DayHours {
    /// "HH:MM-HH:MM" (24:00 allowed only as an end) -> Some, "closed" -> None.
    /// Err is a short human message naming what is wrong, e.g. "`17:00-09:30`: the end must be after the start".
    pub fn parse(s: &str) -> Result<Option<DayHours>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(
                "no hours given: use `HH:MM-HH:MM` (e.g. `09:30-17:00`) or `closed`".into(),
            );
        }
        if s.eq_ignore_ascii_case("closed") {
            return Ok(None);
        }
        let shown = shorten(s);
        let Some((start, end)) = s.split_once('-') else {
            return Err(format!(
                "`{shown}`: use `HH:MM-HH:MM` (e.g. `09:30-17:00`) or `closed`"
            ));
        };
        let (start, end) = (start.trim(), end.trim());
        let not_a_time = |t: &str| {
            format!(
                "`{shown}`: `{}` is not a time of day (use HH:MM, 00:00 to 24:00)",
                shorten(t)
            )
        };
        let open_min = parse_clock(start).ok_or_else(|| not_a_time(start))?;
        let close_min = parse_clock(end).ok_or_else(|| not_a_time(end))?;
        if open_min == MINUTES_PER_DAY {
            return Err(format!(
                "`{shown}`: a day cannot open at 24:00 (24:00 can only be an end)"
            ));
        }
        if close_min <= open_min {
            return Err(format!("`{shown}`: the end must be after the start"));
        }
        Ok(Some(DayHours {
            open_min,
            close_min,
        }))
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.open_min / 60,
            self.open_min % 60,
            self.close_min / 60,
            self.close_min % 60
        )
    }
}

/// "H:MM" or "HH:MM" to minutes since midnight; "24:00" gives 1440 so callers can allow it as an end.
fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(MINUTES_PER_DAY),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Keeps echoed user input short enough for a chat message.
pub(super) fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}
