//! Failed sign-ins counted per account name (whether or not the account exists, so a lock
//! says nothing about which accounts there are): five wrong passwords within 15 minutes lock
//! that name for 15 minutes. Online guessing of one clerk's password stops there.

use std::{collections::HashMap, sync::Mutex};

const TRIES: u32 = 5;
const WINDOW: i64 = 15 * 60;
const LOCK: i64 = 15 * 60;
/// Names tracked at most; the oldest entries go first when full.
const TRACKED: usize = 100_000;

#[derive(Default)]
pub(crate) struct Throttle(Mutex<HashMap<String, Failures>>);

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    first: i64,
    locked_until: i64,
}

impl Throttle {
    /// Seconds left on a lock of `key`, if it is locked.
    pub fn locked(&self, key: &str, now: i64) -> Option<i64> {
        let m = self.0.lock().ok()?;
        m.get(key).map(|f| f.locked_until - now).filter(|left| *left > 0)
    }

    pub fn failed(&self, key: &str, now: i64) {
        let Ok(mut m) = self.0.lock() else { return };
        if m.len() >= TRACKED {
            m.retain(|_, f| f.locked_until > now || now - f.first < WINDOW);
        }
        let f = m.entry(key.to_string()).or_insert(Failures { count: 0, first: now, locked_until: 0 });
        if now - f.first >= WINDOW {
            *f = Failures { count: 0, first: now, locked_until: 0 };
        }
        f.count += 1;
        if f.count >= TRIES {
            *f = Failures { count: 0, first: now, locked_until: now + LOCK };
        }
    }

    pub fn succeeded(&self, key: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_the_name_for_a_quarter_hour() {
        let t = Throttle::default();
        for i in 0..4 {
            t.failed("131016/suzuki", 1000 + i);
            assert_eq!(t.locked("131016/suzuki", 1000 + i), None, "try {}", i + 1);
        }
        t.failed("131016/suzuki", 1010);
        assert_eq!(t.locked("131016/suzuki", 1010), Some(LOCK));
        assert_eq!(t.locked("131016/tanaka", 1010), None, "other names are not affected");
        assert_eq!(t.locked("131016/suzuki", 1010 + LOCK), None, "the lock ends");
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock_and_success_clears() {
        let t = Throttle::default();
        for i in 0..10 {
            t.failed("a", i * (WINDOW / 3));
        }
        assert_eq!(t.locked("a", 10 * (WINDOW / 3)), None);
        for i in 0..4 {
            t.failed("b", i);
        }
        t.succeeded("b");
        t.failed("b", 5);
        assert_eq!(t.locked("b", 5), None, "a success starts the count again");
    }
}
