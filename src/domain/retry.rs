//! How long badger waits when told to try again later: what the other side says (Slack's
//! Retry-After), but never more than [`MAX_RETRY_AFTER`], and never past the clock's range.

use std::time::Duration;

/// The longest wait a Retry-After can impose. Slack's real ones are seconds to a minute;
/// anything longer comes from a broken or hostile server (SLACK_API_URL may point anywhere),
/// and obeyed it would park a channel's messages, or Socket Mode, for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

/// `after`, at most [`MAX_RETRY_AFTER`].
pub fn capped(after: Duration) -> Duration {
    after.min(MAX_RETRY_AFTER)
}

/// The time, in epoch milliseconds, `after` (capped) past `now_ms`; saturating, so a
/// huge wait can neither panic nor wrap into the past.
pub fn retry_at_millis(now_ms: i64, after: Duration) -> i64 {
    let wait = i64::try_from(capped(after).as_millis()).unwrap_or(i64::MAX);
    now_ms.saturating_add(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_capped_at_fifteen_minutes() {
        assert_eq!(capped(Duration::from_secs(30)), Duration::from_secs(30));
        assert_eq!(capped(MAX_RETRY_AFTER), MAX_RETRY_AFTER);
        // `Retry-After: 9223372036854775`, as a hostile server might send it.
        assert_eq!(
            capped(Duration::from_secs(9_223_372_036_854_775)),
            MAX_RETRY_AFTER
        );
        assert_eq!(capped(Duration::MAX), MAX_RETRY_AFTER);
    }

    #[test]
    fn the_retry_time_never_overflows() {
        let now = 1_800_000_000_000;
        assert_eq!(
            retry_at_millis(now, Duration::from_millis(1_500)),
            now + 1_500
        );
        assert_eq!(retry_at_millis(now, Duration::MAX), now + 15 * 60 * 1000);
        assert_eq!(
            retry_at_millis(i64::MAX - 1, Duration::from_secs(60)),
            i64::MAX
        );
    }
}
