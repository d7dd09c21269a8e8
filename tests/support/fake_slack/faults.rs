//! Failure injection: scripted failures, a random failure rate, standing faults (hang,
//! slow), pauses, and the counts of calls waiting, hung and in flight.

use super::*;

/// A standing fault for calls to one method (optionally only for one channel).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    /// Accept and never answer.
    Hang,
    /// Answer after this long; the call takes effect when answered.
    Slow(Duration),
}

#[derive(Clone, Debug)]
pub(super) struct FaultRule {
    method: String,
    channel: Option<String>,
    fault: Fault,
}

pub(super) struct RandomFailures {
    rate: f64,
    rng: u64,
    next_is_rate_limit: bool,
}

impl RandomFailures {
    /// splitmix64: small, deterministic, good enough for a failure schedule.
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl FakeState {
    pub(super) fn standing_fault(&self, method: &str, body: &Value) -> Option<Fault> {
        let channel = str_param(body, "channel");
        self.faults
            .iter()
            .find(|r| {
                r.method == method && (r.channel.is_none() || r.channel.as_deref() == channel)
            })
            .map(|r| r.fault.clone())
    }

    pub(super) fn injected_failure(&mut self, method: &str) -> Option<Failure> {
        if let Some(queue) = self.scripted.get_mut(method) {
            if let Some(failure) = queue.pop_front() {
                return Some(failure);
            }
        }
        let retry_after_secs = self.random_retry_after_secs;
        let random = self.random.as_mut()?;
        if random.next_f64() < random.rate {
            let rate_limit = random.next_is_rate_limit;
            random.next_is_rate_limit = !rate_limit;
            Some(if rate_limit {
                Failure::RateLimited { retry_after_secs }
            } else {
                Failure::ServerError
            })
        } else {
            None
        }
    }
}

impl FakeSlack {
    /// The next `n` calls to `method` answer with `failure`, then normal
    /// service resumes. Calls add up: `fail_next(m, 1, A); fail_next(m, 1, B)`
    /// fails the next call with A and the one after with B. Scripted failures
    /// take precedence over the token check and the random failure rate.
    pub fn fail_next(&self, method: &str, n: usize, failure: Failure) {
        let mut state = self.lock();
        let queue = state.scripted.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(failure, n));
    }

    /// Answers a fraction `rate` (0.0..=1.0) of all calls, whatever the method,
    /// with failures, alternating 429 (`Retry-After`, 1 s by default, see
    /// [`FakeSlack::set_failure_retry_after`]) and 500, starting with 429.
    /// The schedule is deterministic for a given `seed` and call order.
    /// `rate` 0 turns it off.
    pub fn set_failure_rate(&self, rate: f64, seed: u64) {
        self.lock().random = (rate > 0.0).then_some(RandomFailures {
            rate,
            rng: seed,
            next_is_rate_limit: true,
        });
    }

    /// The `Retry-After` the random 429s of [`FakeSlack::set_failure_rate`] carry.
    pub fn set_failure_retry_after(&self, secs: u64) {
        self.lock().random_retry_after_secs = secs;
    }

    /// Calls to `method` from now on wait, unanswered and unrecorded, until
    /// [`FakeSlack::resume`]: a way to hold the code under test in the middle
    /// of a Slack call without timing anything.
    pub fn pause(&self, method: &str) {
        self.lock().paused.send_modify(|p| {
            p.insert(method.to_string());
        });
    }

    /// Lets the paused calls to `method` (and later ones) through.
    pub fn resume(&self, method: &str) {
        self.lock().paused.send_modify(|p| {
            p.remove(method);
        });
    }

    /// How many calls are waiting at a pause right now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }

    /// From now on, calls to `method` (only those for `channel`, if given) are
    /// accepted and never answered: they take no effect and wait until the client
    /// gives up. Recorded on arrival with `answered == 0`. Lasts until
    /// [`FakeSlack::clear_faults`]; calls already hung stay unanswered.
    pub fn hang(&self, method: &str, channel: Option<&str>) {
        self.lock().faults.push(FaultRule {
            method: method.to_string(),
            channel: channel.map(str::to_string),
            fault: Fault::Hang,
        });
    }

    /// From now on, calls to `method` are answered only after `delay` (and take
    /// effect then). Lasts until [`FakeSlack::clear_faults`].
    pub fn slow(&self, method: &str, delay: Duration) {
        self.lock().faults.push(FaultRule {
            method: method.to_string(),
            channel: None,
            fault: Fault::Slow(delay),
        });
    }

    /// Ends the standing faults set by [`FakeSlack::hang`] and [`FakeSlack::slow`].
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// How many calls are hung right now (accepted, never to be answered).
    pub fn hanging(&self) -> usize {
        self.lock().hanging
    }

    /// How many calls the fake is answering right now (hung ones included).
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// The most calls the fake was answering at the same moment (hung ones included).
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }
}
