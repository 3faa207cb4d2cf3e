//! Interval statistics: what changed in each interval, per stream (sender
//! to group) and per socket, with a bounded history for `watch`'s strips,
//! and a table of the TAK units heard. Pure: the caller passes the clock,
//! the cumulative [`Stats`] and the kernel's drop counters; nothing here
//! reads a socket or a terminal, so every figure is unit-tested.
//!
//! Loss per interval is the rise of the stream's cumulative loss (highest
//! sequence number seen minus what arrived), clamped at zero: a late
//! datagram that fills an old hole lowers the cumulative figure, and the
//! interval in which it arrives is marked reordered rather than given a
//! negative loss.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use crate::cot::Event;
use crate::stats::{Stats, StreamKey};

/// How many intervals of history a stream keeps (5 minutes of 1 s).
pub const HISTORY: usize = 300;

/// How many TAK units the table keeps; beyond it the least recently heard
/// tenth is forgotten (the uids come from the network: the table must not
/// grow without bound).
pub const MAX_UNITS: usize = 10_000;

/// A stream silent for this many intervals is no longer reported in
/// interval lines (it stays in the summary and in `watch`).
pub const QUIET_AFTER: u32 = 60;

/// What one interval of one stream looked like, as a strip cell. The order
/// is the precedence when several happened: loss shows over reordering,
/// over duplicates, over a late (first after silence) arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    /// Nothing arrived.
    Idle,
    /// Datagrams arrived, in order.
    Ok,
    /// The first datagrams after an interval with none.
    Late,
    /// A duplicate arrived.
    Duplicate,
    /// A datagram arrived after a higher sequence number.
    Reordered,
    /// Sequence numbers were skipped (datagrams lost).
    Loss,
}

impl Cell {
    /// The strip character, mcjoin's alphabet plus `x` for loss: the
    /// meaning never depends on colour.
    pub fn symbol(self) -> char {
        match self {
            Cell::Idle => ' ',
            Cell::Ok => '.',
            Cell::Late => '_',
            Cell::Duplicate => ':',
            Cell::Reordered => '<',
            Cell::Loss => 'x',
        }
    }
}

/// Sequence-derived figures of a stream (present once a datagram carried
/// mcast's sequence header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeqFigures {
    /// Lost, cumulative.
    pub lost: u64,
    /// Duplicates, cumulative.
    pub duplicates: u64,
    /// Reordered, cumulative.
    pub reordered: u64,
    /// Lost in the interval.
    pub iv_lost: u64,
    /// Duplicates in the interval.
    pub iv_duplicates: u64,
    /// Reordered in the interval.
    pub iv_reordered: u64,
}

/// One stream in a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRow {
    /// Group, port and sender.
    pub key: StreamKey,
    /// Arrival interface of the latest datagram (its name; "" unknown).
    pub iface: String,
    /// TTL or hop limit of the latest datagram.
    pub ttl: Option<u8>,
    /// Datagrams, cumulative.
    pub packets: u64,
    /// Payload bytes, cumulative.
    pub bytes: u64,
    /// Datagrams in the interval.
    pub iv_packets: u64,
    /// Payload bytes in the interval.
    pub iv_bytes: u64,
    /// Datagrams per second over the interval.
    pub pps: f64,
    /// Payload bits per second over the interval.
    pub bps: f64,
    /// Loss, duplicates, reordering, when the stream carries sequence numbers.
    pub seq: Option<SeqFigures>,
    /// One-way latency in the interval: min, avg, max (ns).
    pub latency_ns: Option<(i64, i64, i64)>,
    /// Arrival of the latest datagram (Unix epoch ns).
    pub last_ns: u64,
    /// Intervals since the last datagram (0: one arrived in this one).
    pub quiet: u32,
    /// The strip, oldest first, at most [`HISTORY`] cells.
    pub history: Vec<Cell>,
}

/// One receiving socket's kernel drops (a group and port: drops are never
/// per sender, the kernel counts them per socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropRow {
    /// Group.
    pub group: IpAddr,
    /// Port.
    pub port: u16,
    /// Drops, cumulative.
    pub total: u64,
    /// Drops in the interval.
    pub interval: u64,
}

/// A TAK unit heard (an event's uid).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The event's uid (raw: escape it to show it).
    pub uid: String,
    /// Callsign, when the event carried a contact.
    pub callsign: String,
    /// CoT type.
    pub type_: String,
    /// Latitude and longitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// The event's stale time (Unix epoch ms).
    pub stale_ms: i64,
    /// When it was last heard (Unix epoch ns).
    pub last_ns: u64,
    /// Who sent it.
    pub src: SocketAddr,
    /// Events heard from it.
    pub events: u64,
}

/// The units heard, bounded by [`MAX_UNITS`].
#[derive(Debug, Default, Clone)]
pub struct Units {
    by_uid: HashMap<String, Unit>,
}

impl Units {
    /// Records an event heard from `src` at `now_ns`.
    pub fn record(&mut self, ev: &Event, src: SocketAddr, now_ns: u64) {
        if ev.uid.is_empty() {
            return;
        }
        if !self.by_uid.contains_key(&ev.uid) && self.by_uid.len() >= MAX_UNITS {
            self.evict();
        }
        let u = self.by_uid.entry(ev.uid.clone()).or_insert_with(|| Unit {
            uid: ev.uid.clone(),
            callsign: String::new(),
            type_: String::new(),
            lat: 0.0,
            lon: 0.0,
            stale_ms: 0,
            last_ns: 0,
            src,
            events: 0,
        });
        u.callsign.clear();
        u.callsign
            .push_str(ev.detail.callsign().unwrap_or_default());
        u.type_.clear();
        u.type_.push_str(&ev.type_);
        (u.lat, u.lon) = (ev.point.lat, ev.point.lon);
        u.stale_ms = ev.stale;
        u.last_ns = now_ns;
        u.src = src;
        u.events += 1;
    }

    /// Forgets the least recently heard tenth, so that a flood of new
    /// uids costs a sort per thousand of them, not a scan per uid.
    fn evict(&mut self) {
        let mut seen: Vec<u64> = self.by_uid.values().map(|u| u.last_ns).collect();
        let k = (seen.len() / 10).max(1);
        let (_, cut, _) = seen.select_nth_unstable(k - 1);
        let cut = *cut;
        let mut left = k;
        self.by_uid.retain(|_, u| {
            if left > 0 && u.last_ns <= cut {
                left -= 1;
                false
            } else {
                true
            }
        });
    }

    /// How many units are known.
    pub fn len(&self) -> usize {
        self.by_uid.len()
    }

    /// True when none is known.
    pub fn is_empty(&self) -> bool {
        self.by_uid.is_empty()
    }

    /// The units, most recently heard first.
    pub fn rows(&self) -> Vec<Unit> {
        let mut v: Vec<Unit> = self.by_uid.values().cloned().collect();
        v.sort_by(|a, b| b.last_ns.cmp(&a.last_ns).then_with(|| a.uid.cmp(&b.uid)));
        v
    }

    /// Forgets every unit.
    pub fn clear(&mut self) {
        self.by_uid.clear();
    }
}

/// Everything a view shows at one moment. Owned, so that the receive loop
/// can hand it to another thread and go on.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// When it was taken (Unix epoch ns).
    pub time_ns: u64,
    /// Seconds since the statistics started (or were reset).
    pub elapsed_s: f64,
    /// Start and end of the interval it closed, in seconds since the start.
    pub interval: (f64, f64),
    /// The streams, in order of first arrival.
    pub streams: Vec<StreamRow>,
    /// Kernel drops per socket.
    pub drops: Vec<DropRow>,
    /// TAK units, most recently heard first.
    pub units: Vec<Unit>,
    /// Datagrams, all streams.
    pub packets: u64,
    /// Payload bytes, all streams.
    pub bytes: u64,
}

impl Snapshot {
    /// Kernel drops of all sockets, cumulative.
    pub fn kernel_drops(&self) -> u64 {
        self.drops.iter().map(|d| d.total).sum()
    }

    /// The distinct groups (group, port), in order of first arrival.
    pub fn groups(&self) -> Vec<(IpAddr, u16)> {
        let mut v: Vec<(IpAddr, u16)> = Vec::new();
        for s in &self.streams {
            let g = (s.key.group, s.key.port);
            if !v.contains(&g) {
                v.push(g);
            }
        }
        for d in &self.drops {
            if !v.contains(&(d.group, d.port)) {
                v.push((d.group, d.port));
            }
        }
        v
    }
}

/// What the model remembers of a stream between intervals.
#[derive(Debug, Clone, Default)]
struct Prev {
    packets: u64,
    bytes: u64,
    seq: SeqFigures,
    quiet: u32,
    history: VecDeque<Cell>,
}

/// The interval model: call [`close`](Intervals::close) at the end of each
/// interval.
#[derive(Debug, Clone)]
pub struct Intervals {
    start_ns: u64,
    last_ns: u64,
    history: usize,
    prev: HashMap<StreamKey, Prev>,
    drops: HashMap<(IpAddr, u16), u64>,
    last: Option<Snapshot>,
}

impl Intervals {
    /// Starts the first interval at `now_ns`, keeping `history` cells per
    /// stream (at least 1).
    pub fn new(now_ns: u64, history: usize) -> Intervals {
        Intervals {
            start_ns: now_ns,
            last_ns: now_ns,
            history: history.max(1),
            prev: HashMap::new(),
            drops: HashMap::new(),
            last: None,
        }
    }

    /// The last closed interval's snapshot with the totals, TTLs,
    /// interfaces and arrival times brought up to `now_ns` (streams new
    /// since then appear with no rate yet): what a screen shows between
    /// intervals. Changes nothing.
    pub fn peek(
        &self,
        stats: &Stats,
        drops: &[(IpAddr, u16, u64)],
        units: &Units,
        now_ns: u64,
        iface_name: &dyn Fn(u32) -> String,
    ) -> Snapshot {
        let t = now_ns.saturating_sub(self.start_ns) as f64 / 1e9;
        let mut snap = self.last.clone().unwrap_or(Snapshot {
            time_ns: now_ns,
            elapsed_s: t,
            interval: (0.0, 0.0),
            streams: Vec::new(),
            drops: Vec::new(),
            units: Vec::new(),
            packets: 0,
            bytes: 0,
        });
        snap.time_ns = now_ns;
        snap.elapsed_s = t;
        snap.packets = stats.packets;
        snap.bytes = stats.bytes;
        snap.units = units.rows();
        let at: HashMap<StreamKey, usize> = snap
            .streams
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key, i))
            .collect();
        for (key, st) in stats.streams() {
            let seq_now = |old: Option<SeqFigures>| {
                st.seq.as_ref().map(|q| SeqFigures {
                    lost: q.lost(),
                    duplicates: q.duplicates,
                    reordered: q.reordered,
                    ..old.unwrap_or_default()
                })
            };
            match at.get(key) {
                Some(&i) => {
                    let r = &mut snap.streams[i];
                    r.packets = st.packets;
                    r.bytes = st.bytes;
                    r.last_ns = st.last_ns;
                    r.ttl = st.last_ttl;
                    r.iface = iface_name(st.last_ifindex);
                    r.seq = seq_now(r.seq);
                }
                None => snap.streams.push(StreamRow {
                    key: *key,
                    iface: iface_name(st.last_ifindex),
                    ttl: st.last_ttl,
                    packets: st.packets,
                    bytes: st.bytes,
                    iv_packets: 0,
                    iv_bytes: 0,
                    pps: 0.0,
                    bps: 0.0,
                    seq: seq_now(None),
                    latency_ns: None,
                    last_ns: st.last_ns,
                    quiet: 0,
                    history: Vec::new(),
                }),
            }
        }
        for &(g, port, _) in drops {
            let total: u64 = drops
                .iter()
                .filter(|d| d.0 == g && d.1 == port)
                .map(|d| d.2)
                .sum();
            match snap
                .drops
                .iter_mut()
                .find(|d| d.group == g && d.port == port)
            {
                Some(d) => d.total = total,
                None => snap.drops.push(DropRow {
                    group: g,
                    port,
                    total,
                    interval: 0,
                }),
            }
        }
        snap
    }

    /// Starts over at `now_ns` (the caller resets the [`Stats`] too).
    pub fn reset(&mut self, now_ns: u64) {
        *self = Intervals::new(now_ns, self.history);
    }

    /// Closes the interval ending at `now_ns`: the figures of each stream
    /// since the previous close, a strip cell each, and the kernel drops
    /// of each socket (`drops`: cumulative per group and port; several
    /// sockets of one group are summed). `iface_name` names an interface
    /// index.
    pub fn close(
        &mut self,
        stats: &mut Stats,
        drops: &[(IpAddr, u16, u64)],
        units: &Units,
        now_ns: u64,
        iface_name: &dyn Fn(u32) -> String,
    ) -> Snapshot {
        let secs = now_ns.saturating_sub(self.last_ns) as f64 / 1e9;
        let from = self.last_ns.saturating_sub(self.start_ns) as f64 / 1e9;
        let to = now_ns.saturating_sub(self.start_ns) as f64 / 1e9;
        let mut streams = Vec::new();
        for (key, st) in stats.streams_mut() {
            let latency_ns = st.take_interval_latency();
            let p = self.prev.entry(*key).or_default();
            let iv_packets = st.packets - p.packets;
            let iv_bytes = st.bytes - p.bytes;
            let seq = st.seq.as_ref().map(|t| {
                let (lost, duplicates, reordered) = (t.lost(), t.duplicates, t.reordered);
                SeqFigures {
                    lost,
                    duplicates,
                    reordered,
                    iv_lost: lost.saturating_sub(p.seq.lost),
                    iv_duplicates: duplicates - p.seq.duplicates,
                    iv_reordered: reordered - p.seq.reordered,
                }
            });
            let cell = if iv_packets == 0 {
                Cell::Idle
            } else {
                let s = seq.unwrap_or_default();
                if s.iv_lost > 0 {
                    Cell::Loss
                } else if s.iv_reordered > 0 {
                    Cell::Reordered
                } else if s.iv_duplicates > 0 {
                    Cell::Duplicate
                } else if p.quiet > 0 && p.packets > 0 {
                    Cell::Late
                } else {
                    Cell::Ok
                }
            };
            p.quiet = if iv_packets == 0 {
                p.quiet.saturating_add(1)
            } else {
                0
            };
            if p.history.len() == self.history {
                p.history.pop_front();
            }
            p.history.push_back(cell);
            p.packets = st.packets;
            p.bytes = st.bytes;
            if let Some(s) = seq {
                p.seq = s;
            }
            let rate = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
            streams.push(StreamRow {
                key: *key,
                iface: iface_name(st.last_ifindex),
                ttl: st.last_ttl,
                packets: st.packets,
                bytes: st.bytes,
                iv_packets,
                iv_bytes,
                pps: rate(iv_packets),
                bps: rate(iv_bytes) * 8.0,
                seq,
                latency_ns,
                last_ns: st.last_ns,
                quiet: p.quiet,
                history: p.history.iter().copied().collect(),
            });
        }
        let mut totals: Vec<(IpAddr, u16, u64)> = Vec::new();
        for &(g, port, n) in drops {
            match totals.iter_mut().find(|t| t.0 == g && t.1 == port) {
                Some(t) => t.2 += n,
                None => totals.push((g, port, n)),
            }
        }
        let drops = totals
            .into_iter()
            .map(|(group, port, total)| {
                let before = self.drops.insert((group, port), total).unwrap_or(0);
                DropRow {
                    group,
                    port,
                    total,
                    interval: total.saturating_sub(before),
                }
            })
            .collect();
        self.last_ns = now_ns;
        let snap = Snapshot {
            time_ns: now_ns,
            elapsed_s: to,
            interval: (from, to),
            streams,
            drops,
            units: units.rows(),
            packets: stats.packets,
            bytes: stats.bytes,
        };
        self.last = Some(snap.clone());
        snap
    }
}

/// Appends the interval lines of `snap` for a log (stderr), one per
/// stream heard in the last [`QUIET_AFTER`] intervals, then one per socket
/// whose kernel drops rose, iperf2-style:
///
/// `[  1.00-  2.00 s] 239.2.3.1:6969 from 10.77.0.1:40000 on a0 ttl=1:
/// 1000 datagrams, 1200000 bytes, 1000/s, 9.60 Mbit/s; lost 0, duplicate
/// 0, reordered 0; latency min/avg/max 21.0/25.3/40.2 µs`
pub fn write_interval_text(out: &mut Vec<u8>, snap: &Snapshot) {
    use std::io::Write as _;
    let (from, to) = snap.interval;
    for r in snap.streams.iter().filter(|r| r.quiet <= QUIET_AFTER) {
        let _ = write!(
            out,
            "[{from:7.2}-{to:7.2} s] {} from {}",
            SocketAddr::new(r.key.group, r.key.port),
            r.key.src
        );
        if !r.iface.is_empty() {
            out.extend_from_slice(b" on ");
            crate::term::push_bytes(out, r.iface.as_bytes());
        }
        if let Some(t) = r.ttl {
            let _ = write!(out, " ttl={t}");
        }
        let _ = write!(
            out,
            ": {} datagrams, {} bytes, {:.0}/s, {}",
            r.iv_packets,
            r.iv_bytes,
            r.pps,
            crate::stats::human_bits(r.bps)
        );
        if let Some(q) = r.seq {
            let _ = write!(
                out,
                "; lost {}, duplicate {}, reordered {}",
                q.iv_lost, q.iv_duplicates, q.iv_reordered
            );
        }
        if let Some((min, avg, max)) = r.latency_ns {
            let us = |ns: i64| ns as f64 / 1e3;
            let _ = write!(
                out,
                "; latency min/avg/max {:.1}/{:.1}/{:.1} µs",
                us(min),
                us(avg),
                us(max)
            );
        }
        out.push(b'\n');
    }
    for d in snap.drops.iter().filter(|d| d.interval > 0) {
        let _ = writeln!(
            out,
            "[{from:7.2}-{to:7.2} s] {} kernel drops (receive buffer full): {} (total {})",
            SocketAddr::new(d.group, d.port),
            d.interval,
            d.total
        );
    }
}

/// Appends the interval records of `snap` as JSON Lines, the same rows as
/// [`write_interval_text`]: `{"interval":{...}}` per stream, and per socket
/// whose drops rose `{"interval":{..., "kernel_drops": N}}` (no `src`).
pub fn write_interval_json(out: &mut Vec<u8>, snap: &Snapshot) {
    use serde_json::json;
    let (from, to) = snap.interval;
    let mut time = Vec::with_capacity(32);
    crate::output::write_rfc3339(&mut time, snap.time_ns);
    let time = String::from_utf8_lossy(&time).into_owned();
    for r in snap.streams.iter().filter(|r| r.quiet <= QUIET_AFTER) {
        let mut o = json!({
            "time": time,
            "start": from,
            "end": to,
            "group": r.key.group.to_string(),
            "port": r.key.port,
            "src": r.key.src.to_string(),
            "iface": r.iface,
            "ttl": r.ttl,
            "packets": r.iv_packets,
            "bytes": r.iv_bytes,
            "rate_pps": r.pps,
            "rate_bps": r.bps,
            "total_packets": r.packets,
            "total_bytes": r.bytes,
        });
        if let Some(q) = r.seq {
            o["lost"] = q.iv_lost.into();
            o["duplicates"] = q.iv_duplicates.into();
            o["reordered"] = q.iv_reordered.into();
        }
        if let Some((min, avg, max)) = r.latency_ns {
            o["latency_ns"] = json!({"min": min, "avg": avg, "max": max});
        }
        crate::output::write_json_value(out, &json!({ "interval": o }));
        out.push(b'\n');
    }
    for d in snap.drops.iter().filter(|d| d.interval > 0) {
        let o = json!({"interval": {
            "time": time,
            "start": from,
            "end": to,
            "group": d.group.to_string(),
            "port": d.port,
            "kernel_drops": d.interval,
            "total_kernel_drops": d.total,
        }});
        crate::output::write_json_value(out, &o);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::SeqHeader;

    const S: u64 = 1_000_000_000;

    fn key(src: &str) -> StreamKey {
        StreamKey {
            group: "239.2.3.1".parse().unwrap(),
            port: 6969,
            src: src.parse().unwrap(),
        }
    }

    fn name(i: u32) -> String {
        format!("if{i}")
    }

    fn seq(stats: &mut Stats, k: StreamKey, n: u64, t: u64) {
        let h = SeqHeader {
            seq: n,
            sent_ns: t - 1000,
        };
        stats.record_from(k, 100, Some(h), t, Some(7), 3);
    }

    #[test]
    fn interval_figures_and_cells() {
        let (a, b) = (key("10.0.0.1:1"), key("10.0.0.2:1"));
        let mut st = Stats::default();
        let mut iv = Intervals::new(0, 4);
        let u = Units::default();
        // Interval 1: a sends 0..10 in order, b nothing yet.
        for n in 0..10 {
            seq(&mut st, a, n, S / 2 + n);
        }
        let s1 = iv.close(&mut st, &[], &u, S, &name);
        assert_eq!(s1.streams.len(), 1);
        let r = &s1.streams[0];
        assert_eq!((r.iv_packets, r.iv_bytes, r.pps), (10, 1000, 10.0));
        assert_eq!(r.bps, 8000.0);
        assert_eq!((r.iface.as_str(), r.ttl), ("if3", Some(7)));
        assert_eq!(r.latency_ns, Some((1000, 1000, 1000)));
        assert_eq!(r.history, [Cell::Ok]);
        // Interval 2: a loses 10..12, b starts; interval 3: a silent, a
        // duplicate from b; interval 4: a is back (late), then reorders.
        for n in 13..15 {
            seq(&mut st, a, n, S + n);
        }
        st.record_from(b, 5, None, S + 1, None, 0);
        let s2 = iv.close(&mut st, &[], &u, 2 * S, &name);
        let r = &s2.streams[0];
        assert_eq!(r.seq.unwrap().iv_lost, 3);
        assert_eq!(r.history, [Cell::Ok, Cell::Loss]);
        assert_eq!(s2.streams[1].history, [Cell::Ok]);
        assert_eq!(s2.streams[1].seq, None);
        seq(&mut st, b, 0, 2 * S + 1);
        seq(&mut st, b, 0, 2 * S + 2);
        let s3 = iv.close(&mut st, &[], &u, 3 * S, &name);
        assert_eq!(s3.streams[0].history.last(), Some(&Cell::Idle));
        assert_eq!(s3.streams[0].quiet, 1);
        assert_eq!(s3.streams[0].latency_ns, None, "nothing arrived");
        assert_eq!(s3.streams[1].history.last(), Some(&Cell::Duplicate));
        seq(&mut st, a, 16, 3 * S + 1);
        let s4 = iv.close(&mut st, &[], &u, 4 * S, &name);
        assert_eq!(s4.streams[0].history.last(), Some(&Cell::Loss), "15 lost");
        seq(&mut st, a, 15, 4 * S + 1);
        let s5 = iv.close(&mut st, &[], &u, 5 * S, &name);
        let r = &s5.streams[0];
        // The late 15 fills its hole: reordered, never negative loss.
        assert_eq!(
            r.history,
            [Cell::Loss, Cell::Idle, Cell::Loss, Cell::Reordered]
        );
        assert_eq!(r.seq.unwrap().iv_lost, 0);
        assert_eq!(r.seq.unwrap().lost, 3);
        assert_eq!(s5.interval, (4.0, 5.0));
        assert_eq!(s5.packets, 17);
    }

    #[test]
    fn late_after_silence_and_drops_per_socket() {
        let a = key("10.0.0.1:1");
        let mut st = Stats::default();
        let mut iv = Intervals::new(0, HISTORY);
        let u = Units::default();
        let g = a.group;
        st.record_from(a, 1, None, 1, None, 0);
        let s = iv.close(&mut st, &[(g, 6969, 2), (g, 6969, 3)], &u, S, &name);
        assert_eq!(
            s.drops,
            [DropRow {
                group: g,
                port: 6969,
                total: 5,
                interval: 5
            }]
        );
        let s = iv.close(&mut st, &[(g, 6969, 7)], &u, 2 * S, &name);
        assert_eq!(s.drops[0].interval, 2);
        assert_eq!(s.kernel_drops(), 7);
        st.record_from(a, 1, None, 2 * S + 1, None, 0);
        let s = iv.close(&mut st, &[], &u, 3 * S, &name);
        assert_eq!(s.streams[0].history, [Cell::Ok, Cell::Idle, Cell::Late]);
        assert_eq!(s.groups(), [(g, 6969)]);
        iv.reset(3 * S);
        st.reset();
        let s = iv.close(&mut st, &[], &u, 4 * S, &name);
        assert!(s.streams.is_empty());
        assert_eq!(s.elapsed_s, 1.0);
    }

    #[test]
    fn history_is_bounded() {
        let a = key("10.0.0.1:1");
        let mut st = Stats::default();
        let mut iv = Intervals::new(0, 3);
        for i in 0..10u64 {
            if i % 2 == 0 {
                st.record_from(a, 1, None, i * S + 1, None, 0);
            }
            let s = iv.close(&mut st, &[], &Units::default(), (i + 1) * S, &name);
            assert!(s.streams[0].history.len() <= 3);
        }
    }

    #[test]
    fn units_are_bounded_and_most_recent_first() {
        let mut u = Units::default();
        let mut ev = Event::default();
        let src: SocketAddr = "10.0.0.1:4242".parse().unwrap();
        for i in 0..(MAX_UNITS as u64 + 5) {
            ev.uid = format!("u{i}");
            u.record(&ev, src, i);
        }
        assert!(u.len() <= MAX_UNITS);
        let rows = u.rows();
        assert_eq!(rows[0].uid, format!("u{}", MAX_UNITS + 4));
        // The oldest were forgotten first.
        assert!(!rows.iter().any(|r| r.uid == "u0"));
        ev.uid.clear();
        u.record(&ev, src, 1);
        assert!(!u.rows().iter().any(|r| r.uid.is_empty()));
        u.clear();
        assert!(u.is_empty());
    }

    #[test]
    fn cell_symbols_do_not_need_colour() {
        let all = [
            Cell::Idle,
            Cell::Ok,
            Cell::Late,
            Cell::Duplicate,
            Cell::Reordered,
            Cell::Loss,
        ];
        let mut syms: Vec<char> = all.iter().map(|c| c.symbol()).collect();
        syms.dedup();
        assert_eq!(syms.len(), all.len());
    }

    #[test]
    fn interval_lines_text_and_json() {
        let a = key("10.0.0.1:1");
        let mut st = Stats::default();
        let mut iv = Intervals::new(0, HISTORY);
        for n in [0, 1, 3] {
            seq(&mut st, a, n, S / 2);
        }
        let g = a.group;
        let weird = |_: u32| "e\u{1b}[2Jvil".to_string();
        let snap = iv.close(&mut st, &[(g, 6969, 4)], &Units::default(), S, &weird);
        let mut t = Vec::new();
        write_interval_text(&mut t, &snap);
        let t = String::from_utf8(t).unwrap();
        assert_eq!(
            t,
            "[   0.00-   1.00 s] 239.2.3.1:6969 from 10.0.0.1:1 on e\\x1b[2Jvil ttl=7: 3 datagrams, 300 bytes, 3/s, 2.4 kbit/s; lost 1, duplicate 0, reordered 0; latency min/avg/max 1.0/1.0/1.0 µs\n\
             [   0.00-   1.00 s] 239.2.3.1:6969 kernel drops (receive buffer full): 4 (total 4)\n"
        );
        let mut j = Vec::new();
        write_interval_json(&mut j, &snap);
        let lines: Vec<serde_json::Value> = j
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        let r = &lines[0]["interval"];
        assert_eq!(r["packets"], 3);
        assert_eq!(r["lost"], 1);
        assert_eq!(r["src"], "10.0.0.1:1");
        assert_eq!(r["iface"], "e\u{1b}[2Jvil");
        assert!(!j.contains(&0x1b), "escaped in JSON too");
        assert_eq!(lines[1]["interval"]["kernel_drops"], 4);
        assert!(lines[1]["interval"].get("src").is_none());
        // A stream silent for long is no longer reported.
        for i in 2..(QUIET_AFTER as u64 + 3) {
            let snap = iv.close(&mut st, &[], &Units::default(), i * S, &name);
            let mut t = Vec::new();
            write_interval_text(&mut t, &snap);
            assert_eq!(t.is_empty(), i > QUIET_AFTER as u64 + 1, "{i}");
        }
    }

    #[test]
    fn peek_brings_totals_up_to_date_without_closing() {
        let (a, b) = (key("10.0.0.1:1"), key("10.0.0.2:1"));
        let mut st = Stats::default();
        let mut iv = Intervals::new(0, HISTORY);
        let u = Units::default();
        st.record_from(a, 10, None, 1, Some(3), 2);
        let closed = iv.close(&mut st, &[], &u, S, &name);
        st.record_from(a, 10, None, S + 1, Some(4), 2);
        st.record_from(b, 10, None, S + 2, None, 0);
        let p = iv.peek(&st, &[(a.group, 6969, 1)], &u, S + S / 2, &name);
        assert_eq!(p.streams[0].packets, 2);
        assert_eq!(p.streams[0].ttl, Some(4));
        assert_eq!(p.streams[0].iv_packets, 1, "the closed interval's rate");
        assert_eq!(p.streams[0].history, closed.streams[0].history);
        assert_eq!(p.streams[1].key, b);
        assert_eq!(p.streams[1].pps, 0.0);
        assert_eq!(p.drops[0].total, 1);
        assert_eq!(p.elapsed_s, 1.5);
        // Peeking changed nothing: the next close sees both datagrams.
        let next = iv.close(&mut st, &[], &u, 2 * S, &name);
        assert_eq!(next.streams[0].iv_packets, 1);
        assert_eq!(next.streams[1].iv_packets, 1);
    }
}
