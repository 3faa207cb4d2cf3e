//! The sequence header that `send --seq` puts in front of each payload and
//! the per-stream bookkeeping `listen` does with it. Pure: no I/O.
//!
//! Layout (20 bytes, big-endian, at the very start of the payload):
//!
//! ```text
//! offset 0   4 bytes  magic "MCS1"
//! offset 4   8 bytes  sequence number, starting at 0 for each `send` run
//! offset 12  8 bytes  send time, nanoseconds since the Unix epoch (sender's clock)
//! ```
//!
//! One-way latency is receive time minus send time, so it is only exact when
//! both ends share a clock (same host, or PTP-synchronised hosts).

/// The largest one-way latency taken at face value: a send time further
/// from the arrival time (either way) is a wrong clock or a forged header,
/// and is reported as implausible rather than averaged in.
pub const MAX_PLAUSIBLE_LATENCY_NS: i128 = 24 * 3600 * 1_000_000_000;

/// A jump of the sequence number (forward or back) this large is a new
/// stream (a restarted or another sender, or a forged header), not loss.
pub const MAX_JUMP: u64 = 1 << 20;

/// Arrival minus send time in nanoseconds, or `None` when the two are
/// implausibly far apart ([`MAX_PLAUSIBLE_LATENCY_NS`]). Computed in i128,
/// so no pair of `u64` times overflows.
pub fn latency_ns(recv_ns: u64, sent_ns: u64) -> Option<i64> {
    let d = i128::from(recv_ns) - i128::from(sent_ns);
    if d.abs() > MAX_PLAUSIBLE_LATENCY_NS {
        return None;
    }
    i64::try_from(d).ok()
}

/// The header's magic bytes.
pub const MAGIC: [u8; 4] = *b"MCS1";
/// The header's size in bytes.
pub const HEADER_LEN: usize = 20;

/// A decoded sequence header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqHeader {
    /// Sequence number.
    pub seq: u64,
    /// Send time in nanoseconds since the Unix epoch.
    pub sent_ns: u64,
}

impl SeqHeader {
    /// Writes the header into the first [`HEADER_LEN`] bytes of `buf`.
    ///
    /// # Panics
    /// When `buf` is shorter than [`HEADER_LEN`] (a caller bug, never input).
    pub fn write(&self, buf: &mut [u8]) {
        buf[..4].copy_from_slice(&MAGIC);
        buf[4..12].copy_from_slice(&self.seq.to_be_bytes());
        buf[12..20].copy_from_slice(&self.sent_ns.to_be_bytes());
    }

    /// Reads a header from the start of a payload, if it carries one.
    pub fn read(payload: &[u8]) -> Option<SeqHeader> {
        let h = payload.get(..HEADER_LEN)?;
        if h[..4] != MAGIC {
            return None;
        }
        Some(SeqHeader {
            seq: u64::from_be_bytes(h[4..12].try_into().ok()?),
            sent_ns: u64::from_be_bytes(h[12..20].try_into().ok()?),
        })
    }
}

/// How far back duplicates are recognised (sequence numbers).
const WINDOW: u64 = 4096;

/// Loss, duplicate, reordering and latency bookkeeping for one stream
/// (one sender to one group).
#[derive(Debug, Clone)]
pub struct SeqTracker {
    first: u64,
    highest: u64,
    started: bool,
    /// Distinct numbers received in the current stream segment.
    unique: u64,
    /// Loss counted in earlier segments (before a [`MAX_JUMP`] restart).
    lost_before: u64,
    /// Times the stream restarted with a jump of more than [`MAX_JUMP`].
    pub restarts: u64,
    /// Headers whose send time was implausibly far from the arrival time.
    pub implausible: u64,
    /// Ring of seen numbers in the last WINDOW (see `bit`).
    window: [u64; (WINDOW / 64) as usize],
    /// Datagrams with a header.
    pub received: u64,
    /// Datagrams whose sequence number was already seen.
    pub duplicates: u64,
    /// Datagrams that arrived after a higher sequence number.
    pub reordered: u64,
    /// Datagrams too old to tell whether they are duplicates.
    pub too_old: u64,
    lat_min: i64,
    lat_max: i64,
    lat_sum: i128,
    lat_n: u64,
}

impl Default for SeqTracker {
    fn default() -> Self {
        SeqTracker {
            first: 0,
            highest: 0,
            started: false,
            unique: 0,
            lost_before: 0,
            restarts: 0,
            implausible: 0,
            window: [0; (WINDOW / 64) as usize],
            received: 0,
            duplicates: 0,
            reordered: 0,
            too_old: 0,
            lat_min: i64::MAX,
            lat_max: i64::MIN,
            lat_sum: 0,
            lat_n: 0,
        }
    }
}

/// What [`SeqTracker::record`] made of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The next or a later number.
    InOrder,
    /// An earlier number not seen before.
    Reordered,
    /// A number already seen.
    Duplicate,
}

impl SeqTracker {
    // The window is a ring: sequence number s lives at bit s % WINDOW, so
    // moving forward clears only the bits of the numbers skipped over
    // (one, for in-order traffic) instead of shifting the whole window.
    fn bit(&self, seq: u64) -> bool {
        let i = seq % WINDOW;
        self.window[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    fn set_bit(&mut self, seq: u64) {
        let i = seq % WINDOW;
        self.window[(i / 64) as usize] |= 1 << (i % 64);
    }

    fn clear_bit(&mut self, seq: u64) {
        let i = seq % WINDOW;
        self.window[(i / 64) as usize] &= !(1 << (i % 64));
    }

    /// Moves the highest number to `to`, forgetting what the ring held for
    /// the numbers in between.
    fn advance(&mut self, to: u64) {
        if to - self.highest >= WINDOW {
            self.window = [0; (WINDOW / 64) as usize];
        } else {
            for s in self.highest + 1..=to {
                self.clear_bit(s);
            }
        }
        self.highest = to;
    }

    /// Records one datagram's header, received at `recv_ns` (Unix epoch ns).
    pub fn record(&mut self, h: SeqHeader, recv_ns: u64) -> Arrival {
        self.received += 1;
        match latency_ns(recv_ns, h.sent_ns) {
            Some(lat) => {
                self.lat_min = self.lat_min.min(lat);
                self.lat_max = self.lat_max.max(lat);
                self.lat_sum += i128::from(lat);
                self.lat_n += 1;
            }
            None => self.implausible += 1,
        }
        let jump = |a: u64, b: u64| a.abs_diff(b) > MAX_JUMP;
        if self.started && (jump(h.seq, self.highest) && jump(h.seq, self.first)) {
            // A new stream: close the books of the old one.
            self.lost_before = self.lost_before.saturating_add(self.lost_current());
            self.restarts += 1;
            self.started = false;
            self.window = [0; (WINDOW / 64) as usize];
        }
        if !self.started {
            self.started = true;
            self.first = h.seq;
            self.highest = h.seq;
            self.unique = 1;
            self.set_bit(h.seq);
            return Arrival::InOrder;
        }
        if h.seq > self.highest {
            self.advance(h.seq);
            self.set_bit(h.seq);
            self.unique += 1;
            return Arrival::InOrder;
        }
        let back = self.highest - h.seq;
        if back >= WINDOW {
            self.too_old += 1;
            self.unique += 1;
            self.first = self.first.min(h.seq);
            return Arrival::Reordered;
        }
        if self.bit(h.seq) {
            self.duplicates += 1;
            return Arrival::Duplicate;
        }
        self.set_bit(h.seq);
        self.unique += 1;
        self.first = self.first.min(h.seq);
        self.reordered += 1;
        Arrival::Reordered
    }

    fn lost_current(&self) -> u64 {
        if !self.started {
            return 0;
        }
        let span = (self.highest - self.first).saturating_add(1);
        span.saturating_sub(self.unique)
    }

    /// Sequence numbers that never arrived: between the first and highest
    /// seen in each stream segment (a jump of more than [`MAX_JUMP`] starts
    /// a new one).
    pub fn lost(&self) -> u64 {
        self.lost_before.saturating_add(self.lost_current())
    }

    /// The lowest and highest sequence number seen.
    pub fn range(&self) -> Option<(u64, u64)> {
        self.started.then_some((self.first, self.highest))
    }

    /// One-way latency (min, mean, max) in nanoseconds, when any was measured.
    pub fn latency_ns(&self) -> Option<(i64, i64, i64)> {
        (self.lat_n > 0).then(|| {
            (
                self.lat_min,
                (self.lat_sum / self.lat_n as i128) as i64,
                self.lat_max,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(seq: u64) -> SeqHeader {
        SeqHeader {
            seq,
            sent_ns: 1_000,
        }
    }

    #[test]
    fn header_round_trip() {
        let mut buf = [0u8; 32];
        let hdr = SeqHeader {
            seq: 0x0102_0304_0506_0708,
            sent_ns: 42,
        };
        hdr.write(&mut buf);
        assert_eq!(&buf[..4], b"MCS1");
        assert_eq!(SeqHeader::read(&buf), Some(hdr));
        assert_eq!(SeqHeader::read(&buf[..19]), None);
        assert_eq!(SeqHeader::read(b"hello world, this is not a header"), None);
    }

    #[test]
    fn loss_duplicates_reordering() {
        let mut t = SeqTracker::default();
        // 0 1 2 _ 4 5 5 3 7 (6 lost), 1 again.
        for s in [0, 1, 2, 4, 5, 5, 3, 7, 1] {
            t.record(h(s), 2_000);
        }
        assert_eq!(t.received, 9);
        assert_eq!(t.duplicates, 2);
        assert_eq!(t.reordered, 1);
        assert_eq!(t.lost(), 1);
        assert_eq!(t.range(), Some((0, 7)));
        assert_eq!(t.latency_ns(), Some((1_000, 1_000, 1_000)));
    }

    #[test]
    fn window_shifts_across_words() {
        let mut t = SeqTracker::default();
        t.record(h(10), 0);
        t.record(h(200), 0);
        assert_eq!(t.record(h(10), 0), Arrival::Duplicate);
        assert_eq!(t.record(h(100), 0), Arrival::Reordered);
        assert_eq!(t.record(h(100), 0), Arrival::Duplicate);
        t.record(h(10_000), 0);
        assert_eq!(t.record(h(10), 0), Arrival::Reordered);
        assert_eq!(t.too_old, 1);
    }

    #[test]
    fn hostile_headers_do_not_overflow() {
        // The fuzzing findings: a send time at or past 2^63 ns, and seq
        // u64::MAX right after seq 0.
        let mut t = SeqTracker::default();
        t.record(SeqHeader { seq: 0, sent_ns: 5 }, 10);
        t.record(
            SeqHeader {
                seq: u64::MAX,
                sent_ns: u64::MAX,
            },
            10,
        );
        t.record(
            SeqHeader {
                seq: 1,
                sent_ns: 1 << 63,
            },
            10,
        );
        assert_eq!(t.implausible, 2);
        assert_eq!(t.latency_ns(), Some((5, 5, 5)));
        // Not "0 lost": the jump started new segments, nothing is invented.
        assert_eq!(t.restarts, 2);
        assert_eq!(t.lost(), 0);
        assert_eq!(latency_ns(0, u64::MAX), None);
        assert_eq!(latency_ns(u64::MAX, 0), None);
        assert_eq!(latency_ns(2_000, 1_000), Some(1_000));
        assert_eq!(latency_ns(1_000, 2_000), Some(-1_000));
    }

    #[test]
    fn restart_keeps_earlier_loss() {
        let mut t = SeqTracker::default();
        for s in [0, 1, 3] {
            t.record(h(s), 2_000);
        }
        // The sender restarts far away: 1 lost before, then 0..2 again.
        for s in [5_000_000, 5_000_001, 5_000_003] {
            t.record(h(s), 2_000);
        }
        assert_eq!((t.restarts, t.lost()), (1, 2));
        assert_eq!(t.range(), Some((5_000_000, 5_000_003)));
        // A restart back to 0 after a long run is a restart too.
        for s in 0..3 {
            t.record(h(s), 2_000);
        }
        assert_eq!((t.restarts, t.lost()), (2, 2));
    }

    #[test]
    fn no_loss_when_all_arrive() {
        let mut t = SeqTracker::default();
        for s in 0..10_000 {
            assert_eq!(t.record(h(s), 0), Arrival::InOrder);
        }
        assert_eq!((t.lost(), t.duplicates, t.reordered), (0, 0, 0));
    }
}
