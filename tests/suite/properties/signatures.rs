//! Slack request signature checks against arbitrary secrets, timestamps, signatures
//! and bodies.

use super::*;
use badger::slack::verify::{sign, verify, VerifyError, MAX_SKEW_SECS};
use proptest::collection::vec;

#[test]
fn signature_check_survives_arbitrary_headers() {
    let now = prop_oneof![
        3 => 1_500_000_000i64..2_100_000_000,
        1 => DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
        1 => select(vec![DateTime::<Utc>::MIN_UTC.timestamp(), DateTime::<Utc>::MAX_UTC.timestamp(), 0]),
    ]
    .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"));
    // The timestamp header: near now, any number, extremes, or junk.
    let timestamp = prop_oneof![
        3 => (-400i64..400).prop_map(|d| (d, None)),
        1 => any::<i64>().prop_map(|n| (0, Some(n.to_string()))),
        1 => select(&[i64::MIN, i64::MAX, i64::MIN + 1, -i64::MAX][..]).prop_map(|n| (0, Some(n.to_string()))),
        1 => any_text().prop_map(|s| (0, Some(s))),
        1 => select(&[" 1531420618 ", "+1531420618", "1531420618\n", "", "0x10", "1e9"][..])
            .prop_map(|s| (0, Some(s.to_owned()))),
    ];
    let signature = prop_oneof![
        3 => Just(None),
        1 => any_text().prop_map(Some),
        1 => "v0=[0-9a-f]{64}".prop_map(Some),
    ];
    check(
        "verify/headers",
        (
            any::<String>(),
            now,
            timestamp,
            signature,
            vec(any::<u8>(), 0..256),
            any::<bool>(),
        ),
        |(secret, now, (delta, ts), signature, body, missing)| {
            let ts = ts.unwrap_or_else(|| now.timestamp().saturating_add(delta).to_string());
            // With the right signature: ok exactly when the timestamp is a number within
            // five minutes of now.
            let good = sign(&secret, &ts, &body);
            let signature = signature.unwrap_or(good.clone());
            let result = verify(&secret, Some(&ts), Some(&signature), &body, now);
            let fresh = ts
                .trim()
                .parse::<i64>()
                .ok()
                .map(|t| i128::from(now.timestamp()) - i128::from(t));
            match fresh {
                None => prop_assert_eq!(result, Err(VerifyError::BadTimestamp)),
                Some(skew) if skew.abs() > i128::from(MAX_SKEW_SECS) => {
                    prop_assert_eq!(result, Err(VerifyError::Stale))
                }
                Some(_) if signature.trim() == good => prop_assert_eq!(result, Ok(())),
                Some(_) => prop_assert_eq!(result, Err(VerifyError::Mismatch)),
            }
            if result.is_ok() && !body.is_empty() {
                let mut tampered = body.clone();
                tampered[0] ^= 1;
                prop_assert_eq!(
                    verify(&secret, Some(&ts), Some(&signature), &tampered, now),
                    Err(VerifyError::Mismatch)
                );
            }
            if missing {
                prop_assert_eq!(
                    verify(&secret, None, Some(&signature), &body, now),
                    Err(VerifyError::Missing)
                );
            }
            Ok(label(&result))
        },
    );
}
