//! Round trips for `send --wait-replies`, like ping: each reply is matched
//! to the datagram it answers and timed against that datagram's send time.
//! Pure: times are passed in.
//!
//! Matching: a reply that starts with the sequence header (`listen --reply`
//! echoes it, as should any receiver that acknowledges `--seq` datagrams)
//! answers the datagram with that sequence number. Without the header, the
//! k-th reply from a source answers the k-th datagram sent, so several
//! receivers that each acknowledge every datagram are each timed right.

use std::collections::HashMap;
use std::net::SocketAddr;

/// Send times kept for matching: replies to older datagrams are counted,
/// not timed.
const KEEP: usize = 1 << 16;

/// What one reply matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    /// The datagram it answers: its sequence number, or its index in
    /// sending order (from 0).
    pub datagram: u64,
    /// The round trip in nanoseconds, when the datagram is known.
    pub rtt_ns: Option<u64>,
}

/// The round-trip bookkeeping of one run.
#[derive(Debug, Default)]
pub struct RttTracker {
    /// Send time of datagram i is `times[i - base]`.
    times: std::collections::VecDeque<u64>,
    base: u64,
    sent: u64,
    /// Replies seen per source, for matching by order.
    next_by_src: HashMap<SocketAddr, u64>,
    /// Datagrams answered at least once (by index), for the loss figure.
    answered: std::collections::HashSet<u64>,
    replies: u64,
    min: u64,
    max: u64,
    sum: u128,
    timed: u64,
}

/// The ping-style summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Datagrams sent.
    pub sent: u64,
    /// Replies received.
    pub replies: u64,
    /// Datagrams that got at least one reply.
    pub answered: u64,
    /// Percentage of datagrams without a reply.
    pub loss_pct: f64,
    /// min / avg / max round trip in ms, when any reply was timed.
    pub rtt_ms: Option<(f64, f64, f64)>,
}

impl RttTracker {
    /// An empty tracker.
    pub fn new() -> RttTracker {
        RttTracker::default()
    }

    /// Records that the next datagram (index `sent`, also its sequence
    /// number with `--seq`) left at `t_ns`.
    pub fn sent(&mut self, t_ns: u64) {
        if self.times.len() == KEEP {
            self.times.pop_front();
            self.base += 1;
        }
        self.times.push_back(t_ns);
        self.sent += 1;
    }

    fn time_of(&self, i: u64) -> Option<u64> {
        let k = usize::try_from(i.checked_sub(self.base)?).ok()?;
        self.times.get(k).copied()
    }

    /// Matches a reply from `src` received at `now_ns`; `seq` is the
    /// sequence number its header carries, if any.
    pub fn reply(&mut self, src: SocketAddr, seq: Option<u64>, now_ns: u64) -> Matched {
        self.replies += 1;
        let datagram = match seq {
            Some(s) => s,
            None => {
                let next = self.next_by_src.entry(src).or_insert(0);
                let k = *next;
                *next += 1;
                k
            }
        };
        // A reply to a datagram never sent (a stray, or a forged header) is
        // counted but not timed.
        let rtt_ns = if datagram < self.sent {
            self.time_of(datagram).map(|t| now_ns.saturating_sub(t))
        } else {
            None
        };
        if let Some(r) = rtt_ns {
            if self.timed == 0 || r < self.min {
                self.min = r;
            }
            self.max = self.max.max(r);
            self.sum += u128::from(r);
            self.timed += 1;
        }
        if datagram < self.sent && self.answered.len() < KEEP * 4 {
            self.answered.insert(datagram);
        }
        Matched { datagram, rtt_ns }
    }

    /// Datagrams recorded as sent.
    pub fn sent_count(&self) -> u64 {
        self.sent
    }

    /// Replies received.
    pub fn replies(&self) -> u64 {
        self.replies
    }

    /// The summary so far.
    pub fn summary(&self) -> Summary {
        let answered = self.answered.len() as u64;
        let loss_pct = if self.sent == 0 {
            0.0
        } else {
            100.0 * self.sent.saturating_sub(answered) as f64 / self.sent as f64
        };
        let ms = |ns: f64| ns / 1e6;
        Summary {
            sent: self.sent,
            replies: self.replies,
            answered,
            loss_pct,
            rtt_ms: (self.timed > 0).then(|| {
                (
                    ms(self.min as f64),
                    ms(self.sum as f64 / self.timed as f64),
                    ms(self.max as f64),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn seq_replies_time_against_their_own_datagram() {
        // The report's case: three datagrams 1 s apart, each acked 0.3 ms
        // later; read-out time must not matter.
        let mut t = RttTracker::new();
        let a = src("10.77.0.2:5000");
        for i in 0..3u64 {
            t.sent(i * 1000 * MS);
        }
        let r: Vec<Option<u64>> = (0..3u64)
            .map(|i| t.reply(a, Some(i), i * 1000 * MS + 300_000).rtt_ns)
            .collect();
        assert_eq!(r, [Some(300_000); 3]);
        let s = t.summary();
        assert_eq!((s.sent, s.replies, s.answered), (3, 3, 3));
        assert_eq!(s.loss_pct, 0.0);
        let (min, avg, max) = s.rtt_ms.unwrap();
        assert!((min - 0.3).abs() < 1e-9 && (avg - 0.3).abs() < 1e-9 && (max - 0.3).abs() < 1e-9);
    }

    #[test]
    fn without_seq_replies_match_by_order_per_source() {
        let mut t = RttTracker::new();
        let (a, b) = (src("10.77.0.2:5000"), src("10.77.0.3:5000"));
        t.sent(0);
        t.sent(100 * MS);
        t.sent(200 * MS);
        // A slow receiver (300 ms) and a fast one (1 ms), interleaved.
        assert_eq!(t.reply(b, None, MS).rtt_ns, Some(MS));
        assert_eq!(t.reply(b, None, 101 * MS).rtt_ns, Some(MS));
        assert_eq!(t.reply(a, None, 300 * MS).rtt_ns, Some(300 * MS));
        assert_eq!(t.reply(a, None, 400 * MS).rtt_ns, Some(300 * MS));
        let s = t.summary();
        assert_eq!((s.replies, s.answered), (4, 2));
        assert!((s.loss_pct - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn strays_and_forged_headers_are_counted_not_timed() {
        let mut t = RttTracker::new();
        t.sent(0);
        let a = src("[fd77::2]:5000");
        assert_eq!(t.reply(a, Some(u64::MAX), 5).rtt_ns, None);
        assert_eq!(t.reply(a, Some(7), 5).rtt_ns, None);
        // A send time after the reply (clock step) is not negative.
        let mut t2 = RttTracker::new();
        t2.sent(10 * MS);
        assert_eq!(t2.reply(a, Some(0), MS).rtt_ns, Some(0));
        let s = t.summary();
        assert_eq!((s.replies, s.answered, s.rtt_ms), (2, 0, None));
        assert_eq!(s.loss_pct, 100.0);
    }
}
