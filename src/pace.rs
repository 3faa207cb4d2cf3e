//! Pacing for `--rate`/`--interval`, and the wall clock, shared by every
//! command that sends on a schedule.
//!
//! Datagram i is due at `start + i * interval`. Each call hands out what is
//! due by now (at most a batch), so high rates leave in small, even batches
//! and a sender that fell behind catches up by at most one batch at a time.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::signals::Stop;

/// Nanoseconds since the Unix epoch, now.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Hands out send allowances on a schedule.
#[derive(Debug, Clone)]
pub struct Pacer {
    start: Instant,
    interval: Option<Duration>,
}

impl Pacer {
    /// A pacer starting now; `None` means as fast as possible.
    pub fn new(interval: Option<Duration>) -> Pacer {
        Pacer {
            start: Instant::now(),
            interval,
        }
    }

    /// True when a schedule applies.
    pub fn is_paced(&self) -> bool {
        self.interval.is_some()
    }

    /// Waits until datagram number `done` is due, then returns how many (at
    /// most `max`, at least 1) may go now. Returns 0 only when a stop was
    /// requested while waiting.
    pub fn wait(&self, done: u64, max: u64, stop: &Stop) -> u64 {
        self.wait_with(done, max, stop, std::thread::sleep)
    }

    /// [`wait`](Self::wait), spending the time until the next datagram is
    /// due in `idle` (which must return within the duration it is given):
    /// `send --wait-replies` reads replies there while it paces.
    pub fn wait_with(
        &self,
        done: u64,
        max: u64,
        stop: &Stop,
        mut idle: impl FnMut(Duration),
    ) -> u64 {
        let Some(iv) = self.interval else { return max };
        loop {
            let due = due_by(self.start.elapsed(), iv);
            if due > done {
                return (due - done).min(max).max(1);
            }
            if stop.requested() {
                return 0;
            }
            let next = self.start + iv.mul_f64(done as f64);
            let now = Instant::now();
            if next > now {
                // Wait in slices so Ctrl-C is honoured during long intervals.
                idle((next - now).min(Duration::from_millis(200)));
            }
        }
    }
}

/// How many datagrams are due `elapsed` after the start.
fn due_by(elapsed: Duration, iv: Duration) -> u64 {
    (elapsed.as_nanos() / iv.as_nanos().max(1)) as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_arithmetic() {
        let iv = Duration::from_millis(10);
        assert_eq!(due_by(Duration::ZERO, iv), 1);
        assert_eq!(due_by(Duration::from_millis(9), iv), 1);
        assert_eq!(due_by(Duration::from_millis(10), iv), 2);
        assert_eq!(due_by(Duration::from_millis(1000), iv), 101);
    }

    #[test]
    fn unpaced_allows_a_full_batch() {
        let stop = Stop::install().unwrap();
        assert_eq!(Pacer::new(None).wait(1_000, 64, &stop), 64);
        let p = Pacer::new(Some(Duration::from_millis(5)));
        assert_eq!(p.wait(0, 64, &stop), 1);
        let t = Instant::now();
        assert_eq!(p.wait(2, 64, &stop), 1);
        assert!(t.elapsed() >= Duration::from_millis(5));
    }
}
