//! Slash command forms: the known fields parse the same with Slack's and random unknown
//! fields among them, and arbitrary bytes never panic.

use super::*;
use badger::slack::payload::SlashCommand;
use proptest::collection::vec;

/// The fields Slack sends with a slash command that badger does not read.
const SLASH_EXTRAS: &[&str] = &[
    "token",
    "team_domain",
    "enterprise_id",
    "enterprise_name",
    "channel_name",
    "user_name",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
];

#[test]
fn slash_command_form_ignores_unknown_fields() {
    // A slash command form as Slack sends it, with unknown fields (Slack's own and random
    // ones) in random places, or arbitrary bytes.
    let extra_key = prop_oneof![
        2 => strings(SLASH_EXTRAS),
        1 => "[a-z_]{1,12}".prop_map(|k| match k.as_str() {
            "command" | "text" | "user_id" | "channel_id" | "team_id" => format!("x_{k}"),
            _ => k,
        }),
    ];
    let form = (
        prop_oneof![3 => strings(&["/deploy", "/hold"]), 1 => any_text()],
        prop_oneof![1 => Just(None), 4 => any_text().prop_map(Some)],
        slack_id(),
        slack_id(),
        prop_oneof![Just(None), slack_id().prop_map(Some)],
        proptest::collection::btree_map(extra_key, "(?s).{0,40}", 0..6),
        any::<u64>(),
    );
    check(
        "slash/form",
        (form, vec(any::<u8>(), 0..200)),
        |((command, text, user, channel, team, extras, order), junk)| {
            // Arbitrary bytes: an error or a command, never a panic.
            let _ = serde_urlencoded::from_bytes::<SlashCommand>(&junk);
            let mut known = vec![
                ("command", command.clone()),
                ("user_id", user.clone()),
                ("channel_id", channel.clone()),
            ];
            known.extend(text.clone().map(|t| ("text", t)));
            known.extend(team.clone().map(|t| ("team_id", t)));
            let plain: Vec<(&str, &str)> = known.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // The unknown fields go in among the known ones, in an order drawn from `order`.
            let mut noisy = plain.clone();
            for (i, (k, v)) in extras.iter().enumerate() {
                let at = (order as usize).wrapping_add(i * 7) % (noisy.len() + 1);
                noisy.insert(at, (k.as_str(), v.as_str()));
            }
            let expected = SlashCommand {
                command,
                text: text.unwrap_or_default(),
                user_id: user,
                channel_id: channel,
                team_id: team.unwrap_or_default(),
            };
            let plain = serde_urlencoded::from_bytes::<SlashCommand>(&form_encode(&plain));
            let noisy = serde_urlencoded::from_bytes::<SlashCommand>(&form_encode(&noisy));
            prop_assert_eq!(plain.as_ref().ok(), Some(&expected), "{:?}", plain);
            prop_assert_eq!(noisy.as_ref().ok(), Some(&expected), "{:?}", noisy);
            Ok(format!("{} unknown fields", extras.len().min(3)))
        },
    );
}
