//! Values made from shared snapshots, kept by the snapshots' identity: every view of a snapshot
//! (pages ask every few seconds, and many people may look at once) gets the value made at its
//! first view instead of making it again. Each entry keeps the snapshots it was made from, so a
//! match by pointer is a match by content.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a value is made from: one shared snapshot, or several.
pub trait Snapshots: Clone {
    /// The very same snapshots.
    fn same(&self, other: &Self) -> bool;
    /// Held by someone besides the memo (a snapshot only the memo holds is served no more).
    fn in_use(&self) -> bool;
}

impl<T> Snapshots for Arc<T> {
    fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(self, other)
    }

    fn in_use(&self) -> bool {
        Arc::strong_count(self) > 1
    }
}

impl<A: Snapshots, B: Snapshots> Snapshots for (A, B) {
    fn same(&self, other: &Self) -> bool {
        self.0.same(&other.0) && self.1.same(&other.1)
    }

    fn in_use(&self) -> bool {
        self.0.in_use() && self.1.in_use()
    }
}

/// The values made lately, at most `capacity` of them.
pub struct Memo<K, V> {
    made: Mutex<Vec<(K, Arc<V>)>>,
    capacity: usize,
}

impl<K: Snapshots, V> Memo<K, V> {
    pub const fn new(capacity: usize) -> Self {
        Self {
            made: Mutex::new(Vec::new()),
            capacity,
        }
    }

    /// The value made from `from`, made now (outside the lock) when there is none.
    pub fn get_or_make(&self, from: &K, make: impl FnOnce() -> V) -> Arc<V> {
        let found = self
            .made()
            .iter()
            .find(|(key, _)| key.same(from))
            .map(|(_, value)| Arc::clone(value));
        if let Some(value) = found {
            return value;
        }
        let value = Arc::new(make());
        let mut made = self.made();
        made.retain(|(key, _)| key.in_use());
        if made.len() >= self.capacity.max(1) {
            made.remove(0);
        }
        made.push((from.clone(), Arc::clone(&value)));
        value
    }

    fn made(&self) -> MutexGuard<'_, Vec<(K, Arc<V>)>> {
        self.made.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_gets_the_value_made_at_its_first_view() {
        let memo: Memo<Arc<u32>, String> = Memo::new(4);
        let snapshot = Arc::new(1);
        let first = memo.get_or_make(&snapshot, || "made".to_owned());
        let again = memo.get_or_make(&snapshot, || unreachable!("made once"));
        assert!(Arc::ptr_eq(&first, &again));
        // Equal content, another snapshot: made anew.
        let other = Arc::new(1);
        let made = memo.get_or_make(&other, || "other".to_owned());
        assert_eq!(*made, "other");
    }

    #[test]
    fn pairs_match_only_when_both_are_the_same_and_old_snapshots_go() {
        let memo: Memo<(Arc<u32>, Arc<u32>), u32> = Memo::new(2);
        let (a, b, c) = (Arc::new(1), Arc::new(2), Arc::new(3));
        memo.get_or_make(&(Arc::clone(&a), Arc::clone(&b)), || 12);
        assert_eq!(
            *memo.get_or_make(&(Arc::clone(&a), Arc::clone(&c)), || 13),
            13
        );
        assert_eq!(
            *memo.get_or_make(&(Arc::clone(&a), Arc::clone(&b)), || 0),
            12
        );
        // `c` is dropped by everyone else: its entry makes room, the (a, b) one stays.
        drop(c);
        let d = Arc::new(4);
        memo.get_or_make(&(Arc::clone(&a), Arc::clone(&d)), || 14);
        assert_eq!(
            *memo.get_or_make(&(Arc::clone(&a), Arc::clone(&b)), || 0),
            12
        );
        assert_eq!(memo.made().len(), 2);
    }
}
