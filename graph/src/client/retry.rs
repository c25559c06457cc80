//! When and how long to wait before trying a Graph call again.

use std::time::Duration;

/// Retries for throttling (429) and transient outages (500/502/503/504, dropped connections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry when Graph gives no `Retry-After`; doubles each time.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever `Retry-After` says; a longer ask ends the retries.
    pub max_delay: Duration,
    /// No attempt starts later than this after the first, so that a call ends before the request
    /// that made it times out (the dashboard's is 60 s; one attempt may take up to 30 s).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            deadline: Duration::from_secs(25),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1` (attempts count from 1), or `None` to give up.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(asked) if asked > self.max_delay => None,
            Some(asked) => Some(asked),
            None => {
                let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
                Some(self.base_delay.saturating_mul(factor).min(self.max_delay))
            }
        }
    }

    /// [`RetryPolicy::delay`] with up to 25% random jitter added to computed backoffs, so that many
    /// clients throttled at once do not retry in lockstep. A `Retry-After` is honoured as given.
    pub fn delay_with_jitter(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        random_unit: f64,
    ) -> Option<Duration> {
        let delay = self.delay(attempt, retry_after)?;
        if retry_after.is_some() {
            return Some(delay);
        }
        let jitter = delay.mul_f64(0.25 * random_unit.clamp(0.0, 1.0));
        Some((delay + jitter).min(self.max_delay))
    }
}

/// Statuses worth another try.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Parses `Retry-After` in seconds (Graph's form). HTTP dates are not used by Graph and are ignored.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_retry_after_and_backs_off_without_it() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay(1, None), Some(Duration::from_millis(500)));
        assert_eq!(policy.delay(2, None), Some(Duration::from_secs(1)));
        assert_eq!(policy.delay(3, None), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay(4, None), None, "four attempts in all");
    }

    #[test]
    fn jitter_stretches_backoff_by_at_most_a_quarter_and_never_touches_retry_after() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_with_jitter(1, None, 0.0),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            policy.delay_with_jitter(1, None, 1.0),
            Some(Duration::from_millis(625))
        );
        assert_eq!(
            policy.delay_with_jitter(1, Some(Duration::from_secs(2)), 1.0),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn gives_up_when_graph_asks_for_longer_than_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, Some(Duration::from_secs(120))), None);
    }

    #[test]
    fn parses_seconds_only() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert!(is_retryable(429) && is_retryable(503) && !is_retryable(404));
    }
}
