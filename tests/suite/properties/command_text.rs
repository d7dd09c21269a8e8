//! Strategies for whole `/deploy` and `/hold` texts: near-valid forms of each command,
//! mutated a little and joined with random whitespace.

use super::command_words::{
    command_word, join, maybe, separator, Known, DATES, IDS, KEYWORDS, REFS, TIMES,
};
use super::world::{world, World};
use super::*;
use proptest::collection::vec;

/// `APP REF [to] ENV`, each part mostly plausible.
fn target_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let git_ref = prop_oneof![6 => strings(REFS), 1 => known.env(), 1 => command_word()];
    (known.app(), git_ref, maybe("to"), known.env())
        .prop_map(|(app, git_ref, to, env)| {
            let mut words = vec![app, git_ref];
            words.extend(to);
            words.push(env);
            words
        })
        .boxed()
}

fn free_words(known: &Known, max: usize) -> BoxedStrategy<Vec<String>> {
    vec(prop_oneof![3 => "[a-z]{1,12}", 1 => known.word()], 0..max).boxed()
}

/// `/deploy` text shaped like one of its forms, then mutated a little.
pub(super) fn deploy_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let request = (target_words(known), maybe("--note"), free_words(known, 6)).prop_map(
        |(mut words, note, more)| {
            words.extend(note);
            words.extend(more);
            words
        },
    );
    let emergency = prefixed(Just("emergency".to_owned()), request.clone());
    let sub = prefixed(strings(KEYWORDS), free_words(known, 3));
    let text = prefixed(strings(&["done", "failed", "DONE"]), free_words(known, 10));
    let one_arg = keyword_then(known, &["cancel", "status", "versions", "windows"], 3);
    let random = vec(known.word(), 0..10);
    mutated(
        known,
        prop_oneof![
            4 => request,
            2 => emergency,
            1 => sub,
            1 => text,
            2 => one_arg,
            2 => random,
        ]
        .boxed(),
    )
}

/// `/hold` text shaped like one of its forms, then mutated a little.
pub(super) fn hold_words(known: &Known) -> BoxedStrategy<Vec<String>> {
    let until = prop_oneof![
        2 => strings(TIMES).prop_map(|t| vec![t]),
        2 => (strings(DATES), strings(TIMES)).prop_map(|(d, t)| vec![d, t]),
        1 => strings(DATES).prop_map(|d| vec![d]),
        1 => Just(Vec::new()),
        1 => command_word().prop_map(|w| vec![w]),
    ];
    let until_opt = prop_oneof![
        Just(Vec::new()),
        prefixed(
            strings(&["--until", "\u{2014}until", "--UNTIL", "--untill"]),
            until
        ),
    ]
    .boxed();
    let scope = prop_oneof![3 => known.app(), 1 => strings(&["all", "ALL", "All"])];
    let env = prop_oneof![1 => Just(Vec::new()), 2 => known.env().prop_map(|e| vec![e])];
    let create = (
        scope,
        env,
        free_words(known, 5),
        until_opt.clone(),
        free_words(known, 3),
        until_opt,
    )
        .prop_map(|(scope, env, reason, until, more, until2)| {
            let mut words = vec![scope];
            words.extend(env);
            words.extend(reason);
            words.extend(until);
            words.extend(more);
            words.extend(until2);
            words
        });
    let release = prefixed(
        strings(&["release", "RELEASE", "relase"]),
        prefixed(
            prop_oneof![strings(IDS), known.app(), strings(&["all"]), command_word()],
            vec(known.word(), 0..2),
        ),
    );
    let list = keyword_then(known, &["list", "LIST", "lsit", "help"], 2);
    let random = vec(known.word(), 0..10);
    mutated(
        known,
        prop_oneof![5 => create, 2 => release, 1 => list, 2 => random].boxed(),
    )
}

/// One word from `first`, then the words from `rest`.
/// One of `keywords`, then fewer than `max` of the known words.
fn keyword_then(
    known: &Known,
    keywords: &'static [&'static str],
    max: usize,
) -> BoxedStrategy<Vec<String>> {
    prefixed(strings(keywords), vec(known.word(), 0..max))
}

fn prefixed(
    first: impl Strategy<Value = String> + 'static,
    rest: impl Strategy<Value = Vec<String>> + 'static,
) -> BoxedStrategy<Vec<String>> {
    (first, rest)
        .prop_map(|(first, rest)| {
            let mut words = vec![first];
            words.extend(rest);
            words
        })
        .boxed()
}

/// Sometimes replaces, inserts or drops a word.
fn mutated(known: &Known, words: BoxedStrategy<Vec<String>>) -> BoxedStrategy<Vec<String>> {
    let edits = vec((any::<usize>(), 0u8..3, known.word()), 0..2);
    (words, prop_oneof![3 => Just(Vec::new()), 1 => edits])
        .prop_map(|(mut words, edits)| {
            for (at, op, word) in edits {
                let i = at % (words.len() + 1);
                match op {
                    0 if i < words.len() => words[i] = word,
                    1 if i < words.len() => {
                        words.remove(i);
                    }
                    _ => words.insert(i, word),
                }
            }
            words
        })
        .boxed()
}

/// A world and command text for it, from words joined with random whitespace, perhaps padded.
pub(super) fn command_case(
    words: fn(&Known) -> BoxedStrategy<Vec<String>>,
) -> BoxedStrategy<(World, String)> {
    world()
        .prop_flat_map(move |world| {
            let pad = prop_oneof![4 => Just(String::new()), 1 => separator()].boxed();
            let text = (
                words(&Known::of(&world)),
                vec(separator(), 1..4),
                pad.clone(),
                pad,
            )
                .prop_map(|(words, seps, lead, tail)| join(words, seps, lead, tail));
            (Just(world), text)
        })
        .boxed()
}
