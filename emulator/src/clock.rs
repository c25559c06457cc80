//! The emulator's clock: real time plus an offset that tests (and the control API) advance, so that
//! token expiry and asynchronous transitions are tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct Clock {
    /// Seconds added to the real time.
    offset: Arc<AtomicI64>,
    /// When set, time stands still at this Unix time (plus the offset).
    frozen_at: Option<i64>,
}

impl Clock {
    /// Real time.
    pub fn real() -> Self {
        Self {
            offset: Arc::new(AtomicI64::new(0)),
            frozen_at: None,
        }
    }

    /// Time that moves only when advanced (tests).
    pub fn manual(start: OffsetDateTime) -> Self {
        Self {
            offset: Arc::new(AtomicI64::new(0)),
            frozen_at: Some(start.unix_timestamp()),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        let base = self
            .frozen_at
            .unwrap_or_else(|| OffsetDateTime::now_utc().unix_timestamp());
        OffsetDateTime::from_unix_timestamp(base + self.offset.load(Ordering::SeqCst))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let start = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        clock.advance(90);
        assert_eq!(clock.unix(), 1_800_000_090);
        let shared = clock.clone();
        shared.advance(10);
        assert_eq!(clock.unix(), 1_800_000_100, "clones share the offset");
    }
}
