//! Runs of typed commands each checked for one phrase (single answers are checked with
//! `Reply::assert_says` in the driver), so a test reads as one line a command.

use super::driver::TestApp;

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
