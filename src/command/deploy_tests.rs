//! Snapshot tests of `parse_deploy`: one snapshot per input, `deploy_{case}.snap`.

use super::parse_deploy;
use super::test_support::{ctx, ctx_apps, ctx_custom, snapshot_cases};

snapshot_cases! {
    parse_deploy, "deploy", deploy_command;

    ctx {
        // Requests.
        request_with_to: "whitehall release_123 to staging",
        request_without_to: "whitehall release_123 staging",
        request_with_note: "whitehall release_123 to production --note fixes the  search\n page",
        request_case_insensitive_to_and_env: "whitehall release_123 TO Production",
        request_odd_whitespace: "  \t whitehall \n release_123\u{3000}to  staging  ",
        request_em_dash_note: "whitehall v1.2 staging \u{2014}note smart dashes",
        request_ref_with_punctuation: "content-store feature/x+y-1.2 integration",
        request_ref_named_like_env: "whitehall staging production",
        request_control_characters_separate_words: "whitehall\u{0}v1\u{7}staging",
        request_note_keeps_mentions_and_unicode: "whitehall v1 staging --note for <@U123|alice> — déjà vu \u{202e}txt",
        // Request errors.
        missing_ref: "whitehall",
        missing_ref_env_in_ref_position: "whitehall staging",
        missing_ref_to_in_ref_position: "whitehall to staging",
        missing_ref_before_note: "whitehall --note hi",
        missing_env: "whitehall release_123",
        missing_env_after_to: "whitehall release_123 to",
        missing_env_before_note: "whitehall release_123 --note hi",
        unknown_env_typo: "whitehall release_123 to stagin",
        unknown_env_prefix: "whitehall release_123 prod",
        unknown_env_no_suggestion: "whitehall release_123 to live",
        unknown_env_accent: "whitehall release_123 stagíng",
        ref_is_env_then_typo: "whitehall staging prodution",
        invalid_app_uppercase: "Whitehall release_123 staging",
        invalid_app_user_mention: "<@U123|bob> release_123 staging",
        invalid_app_zero_width_space: "whitehall\u{200b} release_123 staging",
        invalid_app_emoji: "😀 release_123 staging",
        invalid_ref_channel_mention: "whitehall <#C123|general> staging",
        invalid_ref_leading_dash: "whitehall -rf staging",
        invalid_ref_dot_dot: "whitehall a/../../../../../user staging",
        invalid_ref_dot_part: "whitehall feature/.x staging",
        invalid_ref_lock: "whitehall main.lock staging",
        extra_words_suggest_note: "whitehall release_123 to staging fixes the search page",
        emergency_after_environment: "whitehall release_124 to production emergency site down",
        emergency_after_environment_no_reason: "whitehall release_124 production Emergency",
        emergency_as_an_option: "whitehall release_124 production --emergency site down",
        two_environments: "whitehall release_123 staging production",
        note_needs_text: "whitehall release_123 staging --note",
        unknown_option_typo: "whitehall release_123 staging --ntoe hi",
        unknown_option: "whitehall release_123 staging --force",
        unknown_option_note_equals: "whitehall release_123 staging --note=hi",
        note_too_long: format!("whitehall v1 staging --note {}", "n".repeat(501)),
        // Emergency.
        emergency: "emergency whitehall release_124 to production security fix for <@U123|alice>",
        emergency_without_to: "emergency whitehall release_124 production site   down",
        emergency_leading_note_dropped: "emergency whitehall release_124 production --note site down",
        emergency_needs_reason: "emergency whitehall release_124 to production",
        emergency_note_alone_is_no_reason: "emergency whitehall release_124 to production --note",
        emergency_missing_app: "emergency",
        emergency_missing_ref: "emergency whitehall production site down",
        emergency_missing_env: "emergency whitehall release_124",
        emergency_unknown_env: "emergency whitehall release_124 to prodution fire",
        emergency_reason_too_long: format!("emergency whitehall v1 production {}", "r".repeat(501)),
        // Subcommands.
        done: "done",
        done_with_note: "done all good, smoke tests pass",
        done_note_too_long: format!("done {}", "d".repeat(501)),
        // A lone ID finishes that deployment; a number among other words is still a note.
        done_id: "done 66",
        done_hash_id: "done #66",
        done_id_then_words_is_a_note: "done 66 tests pass",
        done_hash_id_then_words_is_a_note: "done #66 tests pass",
        done_zero_is_no_id: "done 0",
        done_hash_zero_is_no_id: "done #0",
        done_negative_is_a_note: "done -1",
        done_id_overflow: "done 99999999999999999999",
        done_hash_word_is_a_note: "done #green",
        failed: "failed",
        failed_with_reason: "failed   migrations   broke",
        failed_id: "failed 66",
        failed_hash_id: "FAILED #66",
        failed_id_then_words_is_a_reason: "failed 66 migrations broke",
        failed_zero_is_no_id: "failed 0",
        cancel: "cancel",
        cancel_id: "cancel 12",
        cancel_hash_id: "cancel #12",
        cancel_not_a_number: "cancel abc",
        cancel_zero: "cancel 0",
        cancel_negative: "cancel -3",
        cancel_overflow: "cancel 99999999999999999999",
        cancel_two_ids: "cancel 12 13",
        status: "status",
        status_env: "status staging",
        status_env_typo: "status prod",
        status_extra_word: "status staging now",
        versions: "versions",
        versions_app: "versions whitehall",
        versions_invalid_app: "versions Whitehall",
        versions_extra_word: "versions whitehall staging",
        history: "history whitehall",
        history_env: "history whitehall production",
        history_case_insensitive: "HISTORY whitehall Production",
        history_missing_app: "history",
        history_env_typo: "history whitehall prod",
        history_env_no_suggestion: "history whitehall live",
        history_to_before_the_environment: "history whitehall to production",
        history_lone_to_is_no_environment: "history whitehall to",
        history_extra_word: "history whitehall production now",
        history_invalid_app: "history Whitehall",
        history_app_named_like_an_environment: "history staging",
        // The keyword wins over an app of that name, as `versions` does: what follows is
        // read as history's app (and environment), never as a request, unless the policy
        // lists an app named `history` (see ctx_apps).
        history_keyword_wins_over_an_app_named_history: "history v1 staging",
        history_to_wins_over_an_app_named_history: "history v1 to staging",
        history_of_an_app_named_history: "history history",
        history_of_an_app_named_versions: "history versions",
        versions_of_an_app_named_history: "versions history",
        windows: "windows",
        windows_extra_word: "windows next",
        diff: "diff whitehall release_124 to production",
        diff_without_to: "diff whitehall release_124 staging",
        diff_missing_env: "diff whitehall release_124",
        diff_missing_ref: "diff whitehall production",
        diff_extra_words: "diff whitehall release_124 production now",
        diff_unknown_env: "diff whitehall release_124 prodution",
        diff_invalid_ref_dot_dot: "diff whitehall a/../../../../../user to production",
        help: "help",
        help_ignores_words: "help me please",
        keyword_case_insensitive: "STATUS Production",
        empty_is_help: "",
        whitespace_is_help: "  \n\t\u{3000} ",
        // Typos of subcommands.
        typo_status: "stauts",
        typo_status_with_env: "stauts staging",
        typo_cancel: "cancle 12",
        typo_emergency: "emergancy whitehall v1 production down",
        typo_prefix_versions: "ver",
        typo_failed: "fialed",
        typo_history: "histroy whitehall",
        typo_but_parses_as_request: "stauts v1 staging",
        help_as_option: "--help",
        status_as_option_with_env: "--status staging",
        // Limits.
        input_too_long: "a ".repeat(2001),
    }
    ctx_apps {
        apps_known_app: "publisher v1 staging",
        apps_unknown_app_typo: "whitehal v1 staging",
        apps_unknown_app_no_suggestion: "frontend v1 staging",
        apps_unknown_app_prefix: "collections v1 staging",
        apps_typo_subcommand_wins: "stauts v1 staging",
        apps_versions_unknown_app: "versions serch-api",
        apps_history_unknown_app: "history serch-api production",
        apps_emergency_unknown_app: "emergency fronted v1 production down",
    }
    ctx_custom {
        custom_names_missing_env: "whitehall v1 to",
        custom_names_typo: "stauts",
        custom_names_extra_words: "whitehall v1 staging hello",
        custom_names_cancel_id: "cancel #x",
        custom_names_history_missing_app: "history",
    }
}

#[test]
fn input_length_limit_is_4000_characters() {
    let ctx = ctx();
    let at_limit = format!("done {}", "é ".repeat(1997));
    assert_eq!(at_limit.chars().count(), 3999);
    let at_limit = format!("{at_limit}x");
    assert!(!matches!(
        parse_deploy(&at_limit, &ctx),
        Err(super::ParseError::InputTooLong { .. })
    ));
    let over = format!("{at_limit}x");
    assert_eq!(
        parse_deploy(&over, &ctx),
        Err(super::ParseError::InputTooLong {
            form: super::Form::Deploy,
            len: 4001
        })
    );
}

#[test]
fn note_limit_is_500_characters() {
    let ctx = ctx();
    let note = "ü".repeat(500);
    let parsed = parse_deploy(&format!("whitehall v1 staging --note {note}"), &ctx);
    assert!(matches!(parsed, Ok(super::DeployCommand::Request { note: Some(n), .. }) if n == note));
    let parsed = parse_deploy(&format!("whitehall v1 staging --note {note}ü"), &ctx);
    assert!(matches!(
        parsed,
        Err(super::ParseError::TextTooLong { len: 501, .. })
    ));
}

/// Where the policy lists an app named `history`, a request for it still reads as one
/// when the words are no history (`v1` is no app); a history of a listed app stays one.
#[test]
fn a_listed_app_named_history_can_still_be_deployed() {
    use crate::domain::names::AppName;
    let apps = ["history", "whitehall"].map(|a| AppName::parse(a).unwrap());
    let listed = super::CommandContext {
        apps: &apps,
        ..ctx()
    };
    let parsed = parse_deploy("history v1 to staging", &listed);
    assert!(
        matches!(&parsed, Ok(super::DeployCommand::Request { app, git_ref, .. })
            if app.as_str() == "history" && git_ref.as_str() == "v1"),
        "{parsed:?}"
    );
    let parsed = parse_deploy("history whitehall to staging", &listed);
    assert!(
        matches!(&parsed, Ok(super::DeployCommand::History { app, env: Some(env) })
            if app.as_str() == "whitehall" && env.as_str() == "staging"),
        "{parsed:?}"
    );
    // Not listed (any slug allowed): the keyword alone, and its error.
    assert!(parse_deploy("history v1 to", &ctx()).is_err());
}
