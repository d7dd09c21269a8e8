//! Checks on badger's answer to a slash command ([`Reply`]): what its text says, failing
//! with the whole text shown, so a test reads as one line a command.

use super::driver::{Reply, TestApp};

impl Reply {
    /// Asserts the answer's text holds `needle`; returns the text for further checks.
    #[track_caller]
    pub fn says(&self, needle: &str) -> String {
        let text = self.text();
        assert!(
            text.contains(needle),
            "wanted an answer saying {needle:?}; got {text:?}"
        );
        text
    }

    /// Asserts the answer's text does not hold `needle`; returns the text.
    #[track_caller]
    pub fn never_says(&self, needle: &str) -> String {
        let text = self.text();
        assert!(
            !text.contains(needle),
            "wanted an answer without {needle:?}; got {text:?}"
        );
        text
    }
}

impl TestApp {
    /// Types each line (`/deploy ...` or `/hold ...`) in the deploy channel as its person,
    /// in order: each answer must say its phrase. For a run of questions each checked for
    /// one thing; a failure names the line.
    pub async fn answers_say(&self, lines: &[(&str, &str, &str)]) {
        for (who, line, phrase) in lines {
            let (command, text) = line.split_once(' ').unwrap_or((line, ""));
            let said = self.slash(command, who, text).await.text();
            assert!(
                said.contains(phrase),
                "{who} typed {line:?}: wanted an answer saying {phrase:?}; got {said:?}"
            );
        }
    }
}
