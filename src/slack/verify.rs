//! Slack request signatures (v0, HMAC-SHA256) with a 5-minute replay window, checked
//! against an injected "now" so Slack's published 2018 test vector can be used.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const MAX_SKEW_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing X-Slack-Request-Timestamp or X-Slack-Signature")]
    Missing,
    #[error("request timestamp is not a number")]
    BadTimestamp,
    #[error("request timestamp is more than 5 minutes from now")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// The `X-Slack-Signature` value Slack would send (used by tests and the local console).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "v0={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), VerifyError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(VerifyError::Missing);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    // abs_diff: a timestamp near i64::MIN or MAX must not overflow (a panic in debug
    // builds, and a wrapped "fresh" answer in release).
    if now.timestamp().abs_diff(ts) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let expected = sign(secret, timestamp, body);
    // Constant time: the comparison must not reveal how much of a guess was right.
    if expected
        .as_bytes()
        .ct_eq(signature.trim().as_bytes())
        .into()
    {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's published vector, from its "Verifying requests from Slack" documentation
    // (also used by Slack's own SDK tests).
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn slacks_published_vector() {
        assert_eq!(sign(SECRET, TS, BODY.as_bytes()), SIG);
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), BODY.as_bytes(), at(1531420618)),
            Ok(())
        );
    }

    #[test]
    fn replay_window_is_five_minutes_either_way() {
        let check = |now| verify(SECRET, Some(TS), Some(SIG), BODY.as_bytes(), at(now));
        assert_eq!(check(1531420618 + 300), Ok(()));
        assert_eq!(check(1531420618 + 301), Err(VerifyError::Stale));
        assert_eq!(check(1531420618 - 300), Ok(()));
        assert_eq!(check(1531420618 - 301), Err(VerifyError::Stale));
    }

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        // Found by tests/suite/properties/: `now - ts` overflowed (a panic in debug builds).
        for ts in [
            "-9223372036854775808",
            "-9223372036854775807",
            "9223372036854775807",
        ] {
            for now in [at(1531420618), at(-1531420618)] {
                assert_eq!(
                    verify(SECRET, Some(ts), Some(SIG), BODY.as_bytes(), now),
                    Err(VerifyError::Stale),
                    "{ts} at {now}"
                );
            }
        }
    }

    #[test]
    fn tampering_is_caught() {
        let now = at(1531420618);
        let mut body = BODY.as_bytes().to_vec();
        body[0] = b'T';
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), &body, now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("other", Some(TS), Some(SIG), BODY.as_bytes(), now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some("1531420619"), Some(SIG), BODY.as_bytes(), now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some("v0=00"), BODY.as_bytes(), now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, None, Some(SIG), BODY.as_bytes(), now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some(TS), None, BODY.as_bytes(), now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some("soon"), Some(SIG), BODY.as_bytes(), now),
            Err(VerifyError::BadTimestamp)
        );
    }
}
