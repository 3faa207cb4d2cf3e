//! Receive statistics per (group, port, source) stream, and the summary
//! printed when a listener stops. Pure: no I/O.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::json;

use crate::seq::{SeqHeader, SeqTracker};

/// Identifies one stream: a sender to a group and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamKey {
    /// Destination group.
    pub group: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Sender.
    pub src: SocketAddr,
}

/// Counters of one stream.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// Datagrams.
    pub packets: u64,
    /// Payload bytes.
    pub bytes: u64,
    /// Sequence bookkeeping, once a datagram with a header arrived.
    pub seq: Option<SeqTracker>,
    /// TTL or hop limit of the latest datagram.
    pub last_ttl: Option<u8>,
    /// Arrival interface index of the latest datagram (0: unknown).
    pub last_ifindex: u32,
    /// Arrival time of the latest datagram (Unix epoch ns).
    pub last_ns: u64,
    /// One-way latency of the datagrams since the interval statistics last
    /// took it ([`Stream::take_interval_latency`]).
    interval_latency: LatencyAcc,
}

/// Min, max, sum and count of one-way latencies (ns).
#[derive(Debug, Clone, Copy, Default)]
struct LatencyAcc {
    min: i64,
    max: i64,
    sum: i128,
    n: u64,
}

impl Stream {
    /// The one-way latency (min, avg, max ns) of the datagrams with a
    /// plausible send time since the last call, and starts over.
    pub fn take_interval_latency(&mut self) -> Option<(i64, i64, i64)> {
        let a = std::mem::take(&mut self.interval_latency);
        (a.n > 0).then(|| (a.min, (a.sum / i128::from(a.n)) as i64, a.max))
    }
}

/// All streams of a listener, plus totals.
#[derive(Debug, Default)]
pub struct Stats {
    streams: Vec<(StreamKey, Stream)>,
    index: HashMap<StreamKey, usize>,
    last: Option<(StreamKey, usize)>,
    /// All datagrams.
    pub packets: u64,
    /// All payload bytes.
    pub bytes: u64,
    /// Datagrams cut because they exceeded the receive slot.
    pub truncated: u64,
    /// Kernel drops (`SO_RXQ_OVFL`), summed over sockets.
    pub kernel_drops: u64,
    /// CoT decoding, when it was asked for.
    pub cot: Option<CotCounts>,
    /// Arrival times of the first and the last datagram (Unix epoch ns).
    first_ns: Option<u64>,
    last_ns: u64,
}

/// What CoT decoding made of the datagrams.
#[derive(Debug, Clone, Copy, Default)]
pub struct CotCounts {
    /// Decoded XML events.
    pub xml: u64,
    /// Decoded TAK Protocol v1 events.
    pub tak: u64,
    /// Of the TAK v1 events, those in stream framing (`BF varint(len)`,
    /// the TCP framing) instead of mesh framing (`BF 01 BF`).
    pub tak_stream: u64,
    /// Valid TAK v1 messages that carry only `takControl` (the version
    /// announcement clients send periodically).
    pub control: u64,
    /// Datagrams that looked like CoT but did not decode.
    pub malformed: u64,
    /// Datagrams that are neither XML nor TAK (other protocols, encrypted CoT).
    pub unknown: u64,
    /// Show the counts in the text summary even when no datagram was CoT
    /// (set for `--format cot`; JSON output of non-CoT traffic stays quiet).
    pub always_show: bool,
}

impl Stats {
    /// Records one datagram. Allocates only when a new stream appears.
    pub fn record(&mut self, key: StreamKey, len: usize, seq: Option<SeqHeader>, recv_ns: u64) {
        self.record_from(key, len, seq, recv_ns, None, 0);
    }

    /// [`record`](Self::record), also keeping the arrival TTL and interface
    /// (for the interval statistics and `watch`).
    pub fn record_from(
        &mut self,
        key: StreamKey,
        len: usize,
        seq: Option<SeqHeader>,
        recv_ns: u64,
        ttl: Option<u8>,
        ifindex: u32,
    ) {
        self.packets += 1;
        self.bytes += len as u64;
        self.first_ns.get_or_insert(recv_ns);
        self.last_ns = self.last_ns.max(recv_ns);
        // Consecutive datagrams usually belong to the same stream: skip the
        // hash lookup then.
        let idx = match self.last {
            Some((k, i)) if k == key => i,
            _ => {
                let i = match self.index.get(&key) {
                    Some(&i) => i,
                    None => {
                        self.streams.push((key, Stream::default()));
                        self.index.insert(key, self.streams.len() - 1);
                        self.streams.len() - 1
                    }
                };
                self.last = Some((key, i));
                i
            }
        };
        let s = &mut self.streams[idx].1;
        s.packets += 1;
        s.bytes += len as u64;
        s.last_ttl = ttl;
        s.last_ifindex = ifindex;
        s.last_ns = recv_ns;
        if let Some(h) = seq {
            s.seq
                .get_or_insert_with(SeqTracker::default)
                .record(h, recv_ns);
            if let Some(lat) = crate::seq::latency_ns(recv_ns, h.sent_ns) {
                let a = &mut s.interval_latency;
                if a.n == 0 {
                    (a.min, a.max) = (lat, lat);
                }
                a.min = a.min.min(lat);
                a.max = a.max.max(lat);
                a.sum += i128::from(lat);
                a.n += 1;
            }
        }
    }

    /// The streams, for the interval statistics to take their interval
    /// latency.
    pub fn streams_mut(&mut self) -> impl Iterator<Item = &mut (StreamKey, Stream)> {
        self.streams.iter_mut()
    }

    /// Forgets every stream and counter (`watch`'s reset), keeping the
    /// CoT counting switched on or off as it was.
    pub fn reset(&mut self) {
        let cot = self.cot.map(|c| CotCounts {
            always_show: c.always_show,
            ..CotCounts::default()
        });
        *self = Stats {
            cot,
            ..Stats::default()
        };
    }

    /// The streams in order of first arrival.
    pub fn streams(&self) -> impl Iterator<Item = &(StreamKey, Stream)> {
        self.streams.iter()
    }

    /// The rate while datagrams flowed, from the first arrival to the
    /// last (not over the whole listening time, which a `--timeout` longer
    /// than the stream would dilute): (datagrams/s, bits/s, seconds), when
    /// at least two datagrams arrived at different times.
    pub fn flow_rate(&self) -> Option<(f64, f64, f64)> {
        let first = self.first_ns?;
        let span = self.last_ns.checked_sub(first)? as f64 / 1e9;
        if self.packets < 2 || span <= 0.0 {
            return None;
        }
        // n arrivals span n - 1 gaps.
        let gaps = (self.packets - 1) as f64;
        let per_packet = self.bytes as f64 / self.packets as f64;
        Some((gaps / span, gaps * per_packet * 8.0 / span, span))
    }

    /// The human summary, several lines, for stderr.
    pub fn render_text(&self, elapsed: Duration) -> String {
        let mut s = String::new();
        let secs = elapsed.as_secs_f64().max(1e-9);
        let _ = write!(
            s,
            "--- {} {}, {} {} in {:.3}s",
            self.packets,
            plural(self.packets, "datagram"),
            self.bytes,
            plural(self.bytes, "byte"),
            secs,
        );
        match self.flow_rate() {
            Some((pps, bps, span)) => {
                let _ = writeln!(
                    s,
                    " ({pps:.0} {}, {} while they flowed, {span:.3}s) ---",
                    if pps.round() == 1.0 {
                        "datagram/s"
                    } else {
                        "datagrams/s"
                    },
                    human_bits(bps)
                );
            }
            None => s.push_str(" ---\n"),
        }
        for (k, st) in &self.streams {
            let g = std::net::SocketAddr::new(k.group, k.port);
            let _ = write!(
                s,
                "{g} from {}: {} {}, {} {}",
                k.src,
                st.packets,
                plural(st.packets, "datagram"),
                st.bytes,
                plural(st.bytes, "byte")
            );
            if let Some(t) = &st.seq {
                let (lo, hi) = t.range().unwrap_or((0, 0));
                let _ = write!(
                    s,
                    "; seq {lo}..{hi}: {} lost, {} duplicate, {} reordered",
                    t.lost(),
                    t.duplicates,
                    t.reordered
                );
                if t.restarts > 0 {
                    let _ = write!(
                        s,
                        " (the sequence jumped by over {} {} {}: each counted as a new stream)",
                        crate::seq::MAX_JUMP,
                        t.restarts,
                        plural(t.restarts, "time")
                    );
                }
                if let Some((min, avg, max)) = t.latency_ns() {
                    let _ = write!(
                        s,
                        "; one-way latency min/avg/max {}/{}/{}",
                        us(min),
                        us(avg),
                        us(max)
                    );
                }
                if t.implausible > 0 {
                    let _ = write!(
                        s,
                        "; {} {} with an implausible send time (clock off by over a day, or a forged header)",
                        t.implausible,
                        plural(t.implausible, "datagram")
                    );
                }
            }
            s.push('\n');
        }
        if self.truncated > 0 {
            let _ = writeln!(s, "{} datagrams were truncated", self.truncated);
        }
        if let Some(c) = self
            .cot
            .filter(|c| c.always_show || c.xml + c.tak + c.control + c.malformed > 0)
        {
            let _ = write!(
                s,
                "CoT: {} XML {}, {} TAK v1 {}",
                c.xml,
                plural(c.xml, "event"),
                c.tak,
                plural(c.tak, "event")
            );
            if c.tak_stream > 0 {
                let _ = write!(s, " ({} in TCP stream framing)", c.tak_stream);
            }
            let _ = writeln!(
                s,
                ", {} TAK control, {} malformed, {} unknown/encrypted",
                c.control, c.malformed, c.unknown
            );
        }
        let _ = writeln!(
            s,
            "kernel drops (receive buffer full): {}",
            self.kernel_drops
        );
        s
    }

    /// The summary as a JSON object (the last line of `--format json`).
    pub fn to_json(&self, elapsed: Duration) -> serde_json::Value {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let streams: Vec<_> = self
            .streams
            .iter()
            .map(|(k, st)| {
                let mut o = json!({
                    "group": k.group.to_string(),
                    "port": k.port,
                    "src": k.src.to_string(),
                    "packets": st.packets,
                    "bytes": st.bytes,
                });
                if let Some(t) = &st.seq {
                    o["seq"] = json!({
                        "first": t.range().map(|r| r.0),
                        "last": t.range().map(|r| r.1),
                        "lost": t.lost(),
                        "duplicates": t.duplicates,
                        "reordered": t.reordered,
                        "latency_ns": t.latency_ns().map(|(a, b, c)| json!({"min": a, "avg": b, "max": c})),
                        "restarts": t.restarts,
                        "implausible_times": t.implausible,
                    });
                }
                o
            })
            .collect();
        let cot = self.cot.map(
            |c| json!({"xml": c.xml, "tak": c.tak, "tak_stream": c.tak_stream, "control": c.control, "malformed": c.malformed, "unknown": c.unknown}),
        );
        json!({
            "summary": {
                "cot": cot,
                "packets": self.packets,
                "bytes": self.bytes,
                "seconds": secs,
                "rate_pps": self.flow_rate().map(|r| r.0),
                "rate_bps": self.flow_rate().map(|r| r.1),
                "flow_seconds": self.flow_rate().map(|r| r.2),
                "truncated": self.truncated,
                "kernel_drops": self.kernel_drops,
                "streams": streams,
            }
        })
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn us(ns: i64) -> String {
    format!("{:.1}µs", ns as f64 / 1e3)
}

/// Formats bits per second with a unit.
pub fn human_bits(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2} Gbit/s", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.2} Mbit/s", bps / 1e6)
    } else if bps >= 1e3 {
        format!("{:.1} kbit/s", bps / 1e3)
    } else {
        format!("{bps:.0} bit/s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_over_the_time_datagrams_flowed() {
        // A 10k/s stream of 5 s inside a 7 s --timeout: 10,000/s, not 7,142.
        let mut st = Stats::default();
        let a = StreamKey {
            group: "239.1.1.1".parse().unwrap(),
            port: 5000,
            src: "10.77.0.1:4000".parse().unwrap(),
        };
        for i in 0..50_000u64 {
            st.record(a, 100, None, 1_000_000_000 + i * 100_000);
        }
        let (pps, bps, span) = st.flow_rate().unwrap();
        assert!((pps - 10_000.0).abs() < 1e-6, "{pps}");
        assert!((bps - 8_000_000.0).abs() < 1.0, "{bps}");
        assert!((span - 4.9999).abs() < 1e-9);
        let text = st.render_text(Duration::from_secs(7));
        assert!(
            text.starts_with("--- 50000 datagrams, 5000000 bytes in 7.000s (10000 datagrams/s, 8.00 Mbit/s while they flowed, 5.000s) ---"),
            "{text}"
        );
        let one = {
            let mut s = Stats::default();
            s.record(a, 1, None, 5);
            s
        };
        assert_eq!(one.flow_rate(), None);
        assert!(one
            .render_text(Duration::from_secs(1))
            .starts_with("--- 1 datagram, 1 byte in 1.000s ---"));
    }

    #[test]
    fn streams_are_kept_apart() {
        let mut st = Stats::default();
        let a = StreamKey {
            group: "239.1.1.1".parse().unwrap(),
            port: 5000,
            src: "10.0.0.1:1".parse().unwrap(),
        };
        let b = StreamKey {
            src: "10.0.0.2:1".parse().unwrap(),
            ..a
        };
        for i in 0..5 {
            st.record(a, 10, Some(SeqHeader { seq: i, sent_ns: 0 }), 1000);
        }
        st.record(b, 3, None, 0);
        st.record(a, 10, Some(SeqHeader { seq: 2, sent_ns: 0 }), 1000);
        assert_eq!(st.packets, 7);
        assert_eq!(st.bytes, 63);
        let v: Vec<_> = st.streams().collect();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].1.packets, 6);
        assert_eq!(v[0].1.seq.as_ref().unwrap().duplicates, 1);
        let text = st.render_text(Duration::from_secs(1));
        assert!(text.contains("7 datagrams, 63 bytes"), "{text}");
        assert!(
            text.contains("239.1.1.1:5000 from 10.0.0.1:1: 6 datagrams"),
            "{text}"
        );
        assert!(text.contains("0 lost, 1 duplicate, 0 reordered"), "{text}");
        let j = st.to_json(Duration::from_secs(1));
        assert_eq!(j["summary"]["streams"][0]["seq"]["duplicates"], 1);
    }
}
