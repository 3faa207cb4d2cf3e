//! The sequence tracker and the latency arithmetic on hostile headers: no
//! overflow (built with debug assertions: `cargo fuzz build -O -a`), loss
//! never exceeds the numbers spanned, latency only when plausible.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::seq::{self, SeqHeader, SeqTracker};

fuzz_target!(|data: &[u8]| {
    let mut t = SeqTracker::default();
    for rec in data.chunks_exact(24) {
        let seq = u64::from_le_bytes(rec[0..8].try_into().unwrap());
        let sent_ns = u64::from_le_bytes(rec[8..16].try_into().unwrap());
        let recv_ns = u64::from_le_bytes(rec[16..24].try_into().unwrap());
        if let Some(l) = seq::latency_ns(recv_ns, sent_ns) {
            assert!(i128::from(l).abs() <= seq::MAX_PLAUSIBLE_LATENCY_NS);
        }
        t.record(SeqHeader { seq, sent_ns }, recv_ns);
        let _ = t.lost();
        let _ = t.range();
        if let Some((min, avg, max)) = t.latency_ns() {
            assert!(min <= avg && avg <= max);
        }
    }
    assert!(t.duplicates + t.reordered <= t.received);
});
