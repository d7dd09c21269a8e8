//! The recorded calls: all of them, those to one method, and the in-order reader a test
//! walks them with (`next_call`, `expect_call`, `expect_no_more_calls`).

use super::*;

fn summaries(calls: &[Call]) -> String {
    if calls.is_empty() {
        return "(none)".to_owned();
    }
    calls
        .iter()
        .map(Call::summary)
        .collect::<Vec<_>>()
        .join("\n  ")
}

impl FakeSlack {
    /// Every call received (including ones answered with errors), in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The calls to one method, e.g. `"chat.postMessage"`, in arrival order.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Forgets the recorded calls (channel state is kept).
    pub fn clear_calls(&self) {
        let mut st = self.lock();
        st.calls.clear();
        st.read = 0;
    }

    /// The next call the test has not read yet, in arrival order, now read. Panics if
    /// every call was read, showing the last ones.
    pub fn next_call(&self) -> Call {
        let mut st = self.lock();
        let Some(call) = st.calls.get(st.read).cloned() else {
            let last: Vec<String> = st
                .calls
                .iter()
                .rev()
                .take(5)
                .rev()
                .map(Call::summary)
                .collect();
            drop(st);
            panic!(
                "expected another Slack call, but every call was read; the last ones were:\n  {}",
                last.join("\n  ")
            );
        };
        st.read += 1;
        call
    }

    /// [`FakeSlack::next_call`], which must be to `method`: otherwise panics with the
    /// unread calls, the first of which came instead.
    pub fn expect_call(&self, method: &str) -> Call {
        let unread = self.unread();
        match unread.first() {
            Some(call) if call.method == method => self.next_call(),
            _ => panic!(
                "expected a call to {method} next, but the unread calls were:\n  {}",
                summaries(&unread)
            ),
        }
    }

    /// The calls not read yet, in arrival order (they stay unread).
    pub fn unread(&self) -> Vec<Call> {
        let st = self.lock();
        st.calls[st.read.min(st.calls.len())..].to_vec()
    }

    /// Reads every call not read yet and returns them: for a test that does not care
    /// about these calls' order or number.
    pub fn read_all(&self) -> Vec<Call> {
        let mut st = self.lock();
        let from = st.read.min(st.calls.len());
        st.read = st.calls.len();
        st.calls[from..].to_vec()
    }

    /// Panics, listing them, if any call was not read.
    pub fn expect_no_more_calls(&self) {
        let unread = self.unread();
        assert!(
            unread.is_empty(),
            "{} Slack call(s) were left unread:\n  {}",
            unread.len(),
            summaries(&unread)
        );
    }

    /// Polls every few milliseconds until `pred(&calls)` holds or `timeout`
    /// passes; returns whether it held.
    pub async fn wait_until(&self, timeout: Duration, pred: impl Fn(&[Call]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if pred(&self.calls()) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
