//! Per-datagram decisions of `mcast bridge`: source filters ([`Cidr`]),
//! rate limiting ([`TokenBucket`]), duplicate suppression
//! ([`DedupWindow`]), TTL handling ([`ttl_out`]) and drop accounting
//! ([`DropReason`], [`DropCounts`]). Pure: no I/O; time is passed in, so
//! every decision is deterministic under test.
//!
//! The per-datagram calls ([`Cidr::contains`], [`TokenBucket::allow`],
//! [`DedupWindow::seen_or_insert`], [`DropCounts::add`]) do not allocate
//! (the dedup window only while it grows to its working size).

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use siphasher::sip128::{Hasher128, SipHasher13};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::endpoint::Family;

/// An address prefix: `10.77.0.0/24`, `fd77::/64`, or a bare address
/// (`/32` or `/128`).
///
/// Host bits below the prefix are accepted and cleared (`10.77.0.5/24` is
/// `10.77.0.0/24`), like `ip route` does: refusing them would only make the
/// user retype an address they copied from `ip addr`. `Display`
/// always shows the prefix length, so it round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// A prefix from an address and a length, clearing host bits. Fails if
    /// the length exceeds the family's width (32 or 128).
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Cidr, String> {
        let max = max_prefix(&addr);
        if prefix > max {
            return Err(format!(
                "prefix /{prefix} is too long for {} (at most /{max})",
                Family::of(&addr)
            ));
        }
        let net = match addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask_v4(prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask_v6(prefix))),
        };
        Ok(Cidr { net, prefix })
    }

    /// The network address (host bits cleared).
    pub fn network(&self) -> IpAddr {
        self.net
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// The address family of the prefix.
    pub fn family(&self) -> Family {
        Family::of(&self.net)
    }

    /// True when `addr` lies inside the prefix. IPv4 and IPv6 meet through
    /// IPv4-mapped addresses (`::ffff:a.b.c.d`), which is how a dual-stack
    /// `[::]` socket reports IPv4 senders: `10.0.0.0/8` contains
    /// `::ffff:10.1.2.3`, and `::ffff:10.0.0.0/104` contains `10.1.2.3`.
    pub fn contains(&self, addr: &IpAddr) -> bool {
        match (self.net, addr) {
            (IpAddr::V4(n), IpAddr::V4(a)) => self.contains_v4(n, *a),
            (IpAddr::V4(n), IpAddr::V6(a)) => {
                a.to_ipv4_mapped().is_some_and(|a| self.contains_v4(n, a))
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => self.contains_v6(n, *a),
            (IpAddr::V6(n), IpAddr::V4(a)) => self.contains_v6(n, a.to_ipv6_mapped()),
        }
    }

    fn contains_v4(&self, net: Ipv4Addr, a: Ipv4Addr) -> bool {
        u32::from(a) & mask_v4(self.prefix) == u32::from(net)
    }

    fn contains_v6(&self, net: Ipv6Addr, a: Ipv6Addr) -> bool {
        u128::from(a) & mask_v6(self.prefix) == u128::from(net)
    }
}

fn max_prefix(a: &IpAddr) -> u8 {
    match a {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// The netmask of a prefix length; `checked_shl` turns /0 (a shift by the
/// full width, which would overflow) into an all-zero mask.
fn mask_v4(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32u32.saturating_sub(u32::from(prefix)))
        .unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128u32.saturating_sub(u32::from(prefix)))
        .unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let shown = s.to_string();
        let expected = "expected an address or prefix such as 10.77.0.0/24, 10.77.0.4 or fd77::/64";
        if s.is_empty() {
            return Err(format!("empty prefix; {expected}"));
        }
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        // Brackets are tolerated so an address copied from an endpoint works.
        let a = a
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(a);
        let addr: IpAddr = a.parse().map_err(|_| {
            format!(
                "{shown:?}: {:?} is not an IP address; {expected}",
                a.to_string()
            )
        })?;
        let prefix = match p {
            None => max_prefix(&addr),
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| {
                    format!(
                        "{shown:?}: prefix /{p} is too long for {} (at most /{})",
                        Family::of(&addr),
                        max_prefix(&addr)
                    )
                })?
            }
            Some(p) => {
                return Err(format!(
                    "{shown:?}: prefix length {:?} is not a number; {expected}",
                    p.to_string()
                ))
            }
        };
        Cidr::new(addr, prefix).map_err(|e| format!("{shown:?}: {e}"))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// Tokens are compared against 1 with this slack, so that refills computed
/// in floating point (0.1 s × 10/s = 0.9999…) still admit the datagram the
/// schedule says is due.
const TOKEN_EPSILON: f64 = 1e-9;

/// A token-bucket rate limiter: up to `burst` datagrams at once, then
/// `rate` per second on average.
///
/// The bucket starts full. Time comes from the caller; a `now` earlier than
/// a previous one is treated as no time passing (never as a refill).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl TokenBucket {
    /// A bucket refilling at `rate_pps` tokens per second and holding at
    /// most `burst` (at least 1: a bucket of 0 would refuse everything).
    ///
    /// A rate that is not a positive number (0, negative, NaN) never
    /// refills: only the initial burst passes. An infinite rate admits
    /// everything. [`default_burst`](Self::default_burst) gives a sensible
    /// burst for a rate.
    pub fn new(rate_pps: f64, burst: u32) -> TokenBucket {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: if rate_pps > 0.0 { rate_pps } else { 0.0 },
            burst,
            tokens: burst,
            last: None,
        }
    }

    /// The burst to use when none is configured: a tenth of a second's
    /// worth of datagrams, at least 1, so a steady sender is smoothed but
    /// small jitter is not punished.
    pub fn default_burst(rate_pps: f64) -> u32 {
        // `as` saturates (and maps NaN to 0), so any f64 is safe here.
        ((rate_pps / 10.0).floor() as u32).max(1)
    }

    /// The refill rate in tokens per second (0 if it never refills).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The bucket size.
    pub fn burst(&self) -> u32 {
        self.burst as u32
    }

    /// Takes a token if one is available at `now`: true means send, false
    /// means drop (rate exceeded).
    pub fn allow(&mut self, now: Instant) -> bool {
        if self.rate.is_infinite() {
            return true;
        }
        if let Some(last) = self.last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        }
        // Keep the latest instant, so a clock read out of order cannot
        // credit the same interval twice.
        self.last = Some(self.last.map_or(now, |l| l.max(now)));
        if self.tokens >= 1.0 - TOKEN_EPSILON {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }
}

/// Default bound on the number of payloads a [`DedupWindow`] remembers.
pub const DEDUP_MAX_ENTRIES: usize = 1_000_000;

/// How many entries a window reserves up front; it grows (doubling) beyond
/// that while warming up, then stays allocated.
const DEDUP_INITIAL: usize = 4096;

/// Duplicate suppression over a sliding time window.
///
/// Each payload is reduced to a 128-bit fingerprint, SipHash-1-3 with
/// 128-bit output under a random key, so an attacker who does not know the
/// key cannot craft two payloads that collide, and accidental collisions
/// need ~2^64 payloads.
///
/// A payload is a duplicate if an identical one was *accepted* less than
/// `window` ago. Duplicates do not restart the window: a payload repeated
/// forever every `window / 2` passes once per window, instead of being
/// suppressed forever. Entries expire in arrival order; at most
/// `max_entries` are kept, the oldest being forgotten first when full.
pub struct DedupWindow {
    window: Duration,
    max_entries: usize,
    keys: (u64, u64),
    order: VecDeque<(Instant, u128)>,
    live: HashSet<u128, BuildHasherDefault<Fingerprint>>,
}

impl fmt::Debug for DedupWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DedupWindow")
            .field("window", &self.window)
            .field("max_entries", &self.max_entries)
            .field("len", &self.order.len())
            .finish_non_exhaustive()
    }
}

impl DedupWindow {
    /// A window of `window`, remembering at most [`DEDUP_MAX_ENTRIES`].
    pub fn new(window: Duration) -> DedupWindow {
        DedupWindow::with_max_entries(window, DEDUP_MAX_ENTRIES)
    }

    /// A window remembering at most `max_entries` payloads (at least 1).
    pub fn with_max_entries(window: Duration, max_entries: usize) -> DedupWindow {
        let max_entries = max_entries.max(1);
        let initial = max_entries.min(DEDUP_INITIAL);
        // The set gets twice the room: removals leave tombstones, and a
        // set at most half full purges them in place when it runs out of
        // room, where a fuller one would reallocate.
        let mut live = HashSet::with_hasher(BuildHasherDefault::default());
        live.reserve(initial.saturating_mul(2));
        DedupWindow {
            window,
            max_entries,
            keys: random_keys(),
            order: VecDeque::with_capacity(initial),
            live,
        }
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How many payloads are remembered now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Forgets everything (keeps the allocations).
    pub fn clear(&mut self) {
        self.order.clear();
        self.live.clear();
    }

    /// True if an identical payload was accepted within the window before
    /// `now` (a duplicate: drop it); otherwise remembers the payload and
    /// returns false.
    pub fn seen_or_insert(&mut self, payload: &[u8], now: Instant) -> bool {
        self.expire(now);
        let fp = self.fingerprint(payload);
        if self.live.contains(&fp) {
            return true;
        }
        if self.order.len() >= self.max_entries {
            if let Some((_, old)) = self.order.pop_front() {
                self.live.remove(&old);
            }
        }
        self.order.push_back((now, fp));
        self.live.insert(fp);
        false
    }

    /// True if an identical payload was accepted within the window before
    /// `now`; remembers nothing.
    pub fn seen(&mut self, payload: &[u8], now: Instant) -> bool {
        self.expire(now);
        let fp = self.fingerprint(payload);
        self.live.contains(&fp)
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(t, fp)) = self.order.front() {
            // `saturating_duration_since` makes an entry from "the future"
            // (out-of-order clock reads) age 0, i.e. still live.
            if now.saturating_duration_since(t) < self.window {
                break;
            }
            self.order.pop_front();
            self.live.remove(&fp);
        }
    }

    fn fingerprint(&self, payload: &[u8]) -> u128 {
        // One pass of SipHash-1-3 with its 128-bit output: the payload is
        // read once (two 64-bit hashes under two keys read it twice, which
        // at 1200 B was the bridge's largest cost per datagram).
        let mut h = SipHasher13::new_with_keys(self.keys.0, self.keys.1);
        h.write(payload);
        h.finish128().as_u128()
    }
}

/// A 128-bit SipHash key nobody outside the process can predict: std's
/// `RandomState` is seeded from the OS's random source once per process
/// (and varied per instance), and SipHash outputs under that secret key
/// are as unpredictable as the key.
fn random_keys() -> (u64, u64) {
    let s = RandomState::new();
    (
        s.hash_one(0x6d63_6173_745f_6b30u64),
        s.hash_one(0x6d63_6173_745f_6b31u64),
    )
}

/// Hasher for the fingerprint set: the fingerprints are already keyed
/// random values, so hashing them again with SipHash would only cost time;
/// folding the two halves is enough and cannot be steered by senders.
#[derive(Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u128 keys, which the set never has; still
        // give a real (if slow) hash rather than a constant.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = (v as u64) ^ ((v >> 64) as u64);
    }
}

/// Why the bridge dropped a datagram instead of forwarding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// It came back from one of the bridge's own outputs.
    Loop,
    /// An identical payload was forwarded within the dedup window.
    Duplicate,
    /// The rate limit was exceeded.
    Rate,
    /// A source or content filter refused it.
    Filter,
    /// Its TTL / hop limit was exhausted.
    Ttl,
    /// An output queue was full.
    Queue,
    /// Sending failed.
    SendError,
    /// A TAK server's protocol traffic (ping replies, version
    /// negotiation): consumed, never forwarded onto a LAN.
    Control,
    /// An MQTT message whose topic names a group and port that no output
    /// carries (or a flow-naming topic with nothing to fill it in).
    Unmapped,
}

impl DropReason {
    /// Number of reasons (the length of [`DropReason::ALL`]).
    pub const COUNT: usize = 9;

    /// Every reason, in display order.
    pub const ALL: [DropReason; DropReason::COUNT] = [
        DropReason::Loop,
        DropReason::Duplicate,
        DropReason::Rate,
        DropReason::Filter,
        DropReason::Ttl,
        DropReason::Queue,
        DropReason::SendError,
        DropReason::Control,
        DropReason::Unmapped,
    ];

    /// The name used in summaries and JSON: `loop`, `duplicate`, `rate`,
    /// `filter`, `ttl`, `queue`, `send-error`, `control`, `unmapped`.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Loop => "loop",
            DropReason::Duplicate => "duplicate",
            DropReason::Rate => "rate",
            DropReason::Filter => "filter",
            DropReason::Ttl => "ttl",
            DropReason::Queue => "queue",
            DropReason::SendError => "send-error",
            DropReason::Control => "control",
            DropReason::Unmapped => "unmapped",
        }
    }

    /// Position in [`DropReason::ALL`] (and in [`DropCounts`]).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Drop counters, one per [`DropReason`]. Counters saturate rather than
/// wrap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounts([u64; DropReason::COUNT]);

impl DropCounts {
    /// All zero.
    pub fn new() -> DropCounts {
        DropCounts::default()
    }

    /// Adds `n` drops for `reason`.
    pub fn add(&mut self, reason: DropReason, n: u64) {
        // The index comes from the enum, never from input; `get_mut` keeps
        // this panic-free by construction anyway.
        if let Some(c) = self.0.get_mut(reason.index()) {
            *c = c.saturating_add(n);
        }
    }

    /// The count for `reason`.
    pub fn get(&self, reason: DropReason) -> u64 {
        self.0.get(reason.index()).copied().unwrap_or(0)
    }

    /// Every reason with its count, in display order (zeros included).
    pub fn iter(&self) -> impl Iterator<Item = (DropReason, u64)> + '_ {
        DropReason::ALL.iter().map(|&r| (r, self.get(r)))
    }

    /// The sum over all reasons.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// Adds every counter of `other` (e.g. from another worker).
    pub fn merge(&mut self, other: &DropCounts) {
        for (r, n) in other.iter() {
            self.add(r, n);
        }
    }
}

impl fmt::Display for DropCounts {
    /// `loop=0 duplicate=3 rate=0 filter=1 ttl=0 queue=0 send-error=0`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (r, n)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{r}={n}")?;
        }
        Ok(())
    }
}

/// CoT events the bridge sent to a TAK server, by uid and time, so that the
/// server sending them back (its replay of stored events on every
/// (re)connect, or another client's echo) is recognised and not put back
/// onto the LAN they came from. Bounded in count and age.
#[derive(Debug, Default)]
pub struct SentEvents {
    set: HashSet<u64>,
    order: VecDeque<(u64, Instant)>,
}

/// Events remembered at most.
const SENT_MAX: usize = 100_000;
/// How long an event is remembered (servers replay about the last hour).
const SENT_AGE: Duration = Duration::from_secs(2 * 3600);

impl SentEvents {
    fn key(uid: &str, time_ms: i64) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        h.write(uid.as_bytes());
        h.write_u8(0xff);
        h.write_i64(time_ms);
        h.finish()
    }

    /// Remembers an event forwarded to a server.
    pub fn insert(&mut self, uid: &str, time_ms: i64, now: Instant) {
        while let Some(&(k, t)) = self.order.front() {
            if self.order.len() < SENT_MAX && now.duration_since(t) < SENT_AGE {
                break;
            }
            self.set.remove(&k);
            self.order.pop_front();
        }
        let k = Self::key(uid, time_ms);
        if self.set.insert(k) {
            self.order.push_back((k, now));
        }
    }

    /// True when this event (uid and time) was sent to a server.
    pub fn contains(&self, uid: &str, time_ms: i64) -> bool {
        self.set.contains(&Self::key(uid, time_ms))
    }
}

/// The TTL (hop limit) to send a forwarded datagram with, or `None` to
/// drop it.
///
/// Without `decrement`, every datagram leaves with `configured`. With
/// `decrement`, the bridge behaves like a router: a datagram that arrived
/// with TTL 0 or 1 is dropped, others leave with `min(configured,
/// arrival - 1)`, so chained bridges cannot circulate a datagram forever.
/// When the arrival TTL is unknown (the kernel gave no `IP_TTL` /
/// `IPV6_HOPLIMIT` control message, e.g. for a TCP input) there is nothing
/// to decrement, and `configured` is used.
pub fn ttl_out(arrival: Option<u8>, configured: u8, decrement: bool) -> Option<u8> {
    if !decrement {
        return Some(configured);
    }
    match arrival {
        None => Some(configured),
        Some(t) if t <= 1 => None,
        Some(t) => Some(configured.min(t - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parses_normalises_and_round_trips() {
        for (input, canonical) in [
            ("10.77.0.0/24", "10.77.0.0/24"),
            ("10.77.0.5/24", "10.77.0.0/24"),
            ("10.77.0.4", "10.77.0.4/32"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("10.1.2.3/0", "0.0.0.0/0"),
            ("255.255.255.255/32", "255.255.255.255/32"),
            ("fd77::/64", "fd77::/64"),
            ("fd77::1:2:3:4/64", "fd77::/64"),
            ("FD77::1", "fd77::1/128"),
            ("[fd77::1]", "fd77::1/128"),
            ("[fd77::]/16", "fd77::/16"),
            ("::/0", "::/0"),
            ("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"),
            ("10.0.0.0/008", "10.0.0.0/8"),
        ] {
            let c = cidr(input);
            assert_eq!(c.to_string(), canonical, "{input}");
            assert_eq!(cidr(&c.to_string()), c, "round trip of {input}");
        }
        assert_eq!(cidr("10.77.0.5/24").network(), ip("10.77.0.0"));
        assert_eq!(cidr("10.77.0.5/24").prefix_len(), 24);
        assert_eq!(cidr("fd77::/64").family(), Family::V6);
    }

    #[test]
    fn bad_cidrs_say_what_was_expected() {
        for (input, needle) in [
            ("", "empty prefix"),
            ("10.0.0.0/33", "too long for IPv4 (at most /32)"),
            ("10.0.0.0/255", "too long for IPv4"),
            ("10.0.0.0/256", "too long for IPv4"),
            ("10.0.0.0/1000", "not a number"),
            ("fd77::/129", "too long for IPv6 (at most /128)"),
            ("10.0.0.0/", "not a number"),
            ("10.0.0.0/-1", "not a number"),
            ("10.0.0.0/a", "not a number"),
            ("10.0.0.0/24/8", "not a number"),
            ("10.0.0/24", "not an IP address"),
            ("host.example/24", "not an IP address"),
            ("/24", "not an IP address"),
        ] {
            let err = input.parse::<Cidr>().expect_err(input);
            assert!(err.contains(needle), "{input}: {err}");
        }
        assert!(Cidr::new(ip("10.0.0.0"), 33).is_err());
    }

    #[test]
    fn cidr_contains() {
        for (c, a, inside) in [
            ("10.77.0.0/24", "10.77.0.1", true),
            ("10.77.0.0/24", "10.77.0.255", true),
            ("10.77.0.0/24", "10.77.1.0", false),
            ("10.77.0.0/24", "::ffff:10.77.0.9", true),
            ("10.77.0.0/24", "::ffff:10.78.0.9", false),
            ("10.77.0.0/24", "fd77::1", false),
            ("10.77.0.0/24", "::10.77.0.1", false),
            ("0.0.0.0/0", "1.2.3.4", true),
            ("0.0.0.0/0", "::ffff:1.2.3.4", true),
            ("0.0.0.0/0", "fd77::1", false),
            ("10.0.0.1", "10.0.0.1", true),
            ("10.0.0.1", "10.0.0.2", false),
            ("fd77::/64", "fd77::abcd", true),
            ("fd77::/64", "fd77:0:0:1::1", false),
            ("fd77::/64", "10.0.0.1", false),
            ("::/0", "fd77::1", true),
            ("::/0", "10.0.0.1", true),
            ("::ffff:10.0.0.0/104", "10.1.2.3", true),
            ("::ffff:10.0.0.0/104", "11.1.2.3", false),
            ("fd77::1", "fd77::1", true),
            ("fd77::1/127", "fd77::", true),
            ("fd77::1/127", "fd77::2", false),
        ] {
            assert_eq!(cidr(c).contains(&ip(a)), inside, "{c} contains {a}");
        }
    }

    #[test]
    fn token_bucket_burst_then_rate() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut b = TokenBucket::new(10.0, 3);
        // The full bucket admits the burst at once, then refuses.
        assert!(b.allow(t0));
        assert!(b.allow(t0));
        assert!(b.allow(t0));
        assert!(!b.allow(t0));
        // One token per 100 ms.
        assert!(!b.allow(ms(50)));
        assert!(b.allow(ms(100)));
        assert!(!b.allow(ms(150)));
        assert!(b.allow(ms(200)));
        // A long pause refills only up to the burst.
        let admitted = (0..10).filter(|_| b.allow(ms(10_000))).count();
        assert_eq!(admitted, 3);
    }

    #[test]
    fn token_bucket_long_run_matches_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(100.0, 1);
        // Offered: 1000/s for 10 s; admitted: 100/s plus the initial token.
        let admitted = (0..10_000u64)
            .filter(|i| b.allow(t0 + Duration::from_millis(*i)))
            .count();
        assert_eq!(admitted, 1000);
        // Fractional rates accumulate across calls: 3/s at 1 ms steps.
        let mut b = TokenBucket::new(3.0, 1);
        let admitted = (0..10_000u64)
            .filter(|i| b.allow(t0 + Duration::from_millis(*i)))
            .count();
        assert!((30..=31).contains(&admitted), "{admitted}");
    }

    #[test]
    fn token_bucket_edge_cases() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        // Burst 0 is treated as 1.
        let mut b = TokenBucket::new(1.0, 0);
        assert_eq!(b.burst(), 1);
        assert!(b.allow(t0));
        assert!(!b.allow(t0));
        // Clock going backwards neither refills nor panics, and the
        // interval is not credited twice.
        let mut b = TokenBucket::new(1.0, 1);
        assert!(b.allow(s(10)));
        assert!(!b.allow(s(5)));
        assert!(!b.allow(s(10)));
        assert!(b.allow(s(11)));
        // Non-positive and NaN rates: only the initial burst.
        for rate in [0.0, -5.0, f64::NAN] {
            let mut b = TokenBucket::new(rate, 2);
            assert_eq!(b.rate(), 0.0);
            assert!(b.allow(t0) && b.allow(t0));
            assert!(!b.allow(s(1_000_000)), "{rate}");
        }
        // Infinite rate: everything.
        let mut b = TokenBucket::new(f64::INFINITY, 1);
        assert!((0..100).all(|_| b.allow(t0)));
    }

    #[test]
    fn token_bucket_default_burst() {
        assert_eq!(TokenBucket::default_burst(0.5), 1);
        assert_eq!(TokenBucket::default_burst(10.0), 1);
        assert_eq!(TokenBucket::default_burst(25.0), 2);
        assert_eq!(TokenBucket::default_burst(1000.0), 100);
        assert_eq!(TokenBucket::default_burst(f64::NAN), 1);
        assert_eq!(TokenBucket::default_burst(f64::INFINITY), u32::MAX);
        assert_eq!(TokenBucket::default_burst(-1.0), 1);
    }

    #[test]
    fn dedup_detects_duplicates_within_window() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut d = DedupWindow::new(Duration::from_millis(100));
        assert!(!d.seen_or_insert(b"a", ms(0)));
        assert!(d.seen_or_insert(b"a", ms(0)));
        assert!(!d.seen_or_insert(b"b", ms(10)));
        assert!(d.seen_or_insert(b"a", ms(99)));
        // Expired exactly at the window: counts as new again.
        assert!(!d.seen_or_insert(b"a", ms(100)));
        assert!(d.seen_or_insert(b"a", ms(150)));
        // "b" (accepted at 10) expired at 110.
        assert!(!d.seen_or_insert(b"b", ms(110)));
        // The empty payload is a payload like any other.
        assert!(!d.seen_or_insert(b"", ms(120)));
        assert!(d.seen_or_insert(b"", ms(121)));
        assert_eq!(d.len(), 3);
        d.clear();
        assert!(d.is_empty());
        assert!(!d.seen_or_insert(b"a", ms(150)));
    }

    #[test]
    fn dedup_duplicates_do_not_extend_the_window() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut d = DedupWindow::new(Duration::from_millis(100));
        // Repeated every 50 ms: passes once per window, not never again.
        let passed: Vec<u64> = (0..10u64)
            .map(|i| i * 50)
            .filter(|&t| !d.seen_or_insert(b"beacon", ms(t)))
            .collect();
        assert_eq!(passed, [0, 100, 200, 300, 400]);
    }

    #[test]
    fn dedup_expires_in_arrival_order() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut d = DedupWindow::new(Duration::from_millis(100));
        for i in 0..50u64 {
            assert!(!d.seen_or_insert(&i.to_le_bytes(), ms(i)));
        }
        // At 125 ms, entries 0..=25 have expired, 26.. remain.
        assert!(!d.seen_or_insert(b"tick", ms(125)));
        assert_eq!(d.len(), 50 - 26 + 1);
        assert!(!d.seen_or_insert(&25u64.to_le_bytes(), ms(125)));
        assert!(d.seen_or_insert(&26u64.to_le_bytes(), ms(125)));
        // A clock read out of order does not expire anything early.
        assert!(d.seen_or_insert(&49u64.to_le_bytes(), ms(0)));
        // Zero window: nothing is ever a duplicate.
        let mut z = DedupWindow::new(Duration::ZERO);
        assert!(!z.seen_or_insert(b"x", t0));
        assert!(!z.seen_or_insert(b"x", t0));
    }

    #[test]
    fn dedup_capacity_drops_the_oldest() {
        let t0 = Instant::now();
        let mut d = DedupWindow::with_max_entries(Duration::from_secs(60), 3);
        for p in [b"1", b"2", b"3", b"4"] {
            assert!(!d.seen_or_insert(p, t0));
        }
        assert_eq!(d.len(), 3);
        // "1" was forgotten to make room for "4"; the rest are remembered.
        assert!(d.seen_or_insert(b"4", t0));
        assert!(d.seen_or_insert(b"3", t0));
        assert!(d.seen_or_insert(b"2", t0));
        assert!(!d.seen_or_insert(b"1", t0));
        assert_eq!(d.len(), 3);
        assert!(!d.seen_or_insert(b"2", t0), "2 made room for 1");
        let one = DedupWindow::with_max_entries(Duration::from_secs(1), 0);
        assert!(format!("{one:?}").contains("max_entries: 1"));
    }

    #[test]
    fn dedup_has_no_collisions_on_many_distinct_payloads() {
        let t0 = Instant::now();
        let n = 200_000u32;
        let mut d = DedupWindow::with_max_entries(Duration::from_secs(60), n as usize);
        // Near-identical payloads (one bit apart, and prefixes of each
        // other), which weak checksums confuse.
        let mut buf = [0u8; 64];
        for i in 0..n {
            buf[..4].copy_from_slice(&i.to_be_bytes());
            let len = 4 + (i % 60) as usize;
            assert!(!d.seen_or_insert(&buf[..len], t0), "false duplicate at {i}");
        }
        for i in 0..n {
            buf[..4].copy_from_slice(&i.to_be_bytes());
            let len = 4 + (i % 60) as usize;
            assert!(d.seen_or_insert(&buf[..len], t0), "missed duplicate at {i}");
        }
        // Prefix-related payloads are distinct.
        let mut d = DedupWindow::new(Duration::from_secs(1));
        let zeros = [0u8; 256];
        for len in 0..=256 {
            assert!(!d.seen_or_insert(&zeros[..len], t0), "{len}");
        }
    }

    #[test]
    fn dedup_keys_differ_between_windows() {
        let a = DedupWindow::new(Duration::from_secs(1));
        let b = DedupWindow::new(Duration::from_secs(1));
        assert_ne!(a.fingerprint(b"x"), b.fingerprint(b"x"));
        assert_eq!(a.fingerprint(b"x"), a.fingerprint(b"x"));
        let fp = a.fingerprint(b"x");
        assert_ne!(
            (fp >> 64) as u64,
            fp as u64,
            "the two halves are independent"
        );
    }

    #[test]
    fn dedup_does_not_grow_after_warm_up() {
        let t0 = Instant::now();
        let mut d = DedupWindow::with_max_entries(Duration::from_secs(60), 1000);
        for i in 0..1000u32 {
            d.seen_or_insert(&i.to_le_bytes(), t0);
        }
        let (oc, lc) = (d.order.capacity(), d.live.capacity());
        // A set's capacity() dips while removals leave tombstones and comes
        // back when they are purged in place; a reallocation would raise it.
        for i in 1000..100_000u32 {
            d.seen_or_insert(&i.to_le_bytes(), t0);
            assert_eq!(d.order.capacity(), oc);
            assert!(d.live.capacity() <= lc, "set grew at {i}");
        }
        assert_eq!(d.len(), 1000);
    }

    #[test]
    fn drop_counts() {
        let mut c = DropCounts::new();
        assert_eq!(
            c.to_string(),
            "loop=0 duplicate=0 rate=0 filter=0 ttl=0 queue=0 send-error=0 control=0 unmapped=0"
        );
        c.add(DropReason::Duplicate, 3);
        c.add(DropReason::Filter, 1);
        assert_eq!(
            c.to_string(),
            "loop=0 duplicate=3 rate=0 filter=1 ttl=0 queue=0 send-error=0 control=0 unmapped=0"
        );
        assert_eq!(c.get(DropReason::Duplicate), 3);
        assert_eq!(c.total(), 4);
        c.add(DropReason::SendError, u64::MAX);
        c.add(DropReason::SendError, 1);
        assert_eq!(c.get(DropReason::SendError), u64::MAX);
        assert_eq!(c.total(), u64::MAX);
        let mut m = DropCounts::new();
        m.add(DropReason::Loop, 2);
        m.merge(&c);
        assert_eq!(m.get(DropReason::Loop), 2);
        assert_eq!(m.get(DropReason::Duplicate), 3);
        let names: Vec<&str> = c.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "loop",
                "duplicate",
                "rate",
                "filter",
                "ttl",
                "queue",
                "send-error",
                "control",
                "unmapped"
            ]
        );
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(r.to_string(), r.as_str());
        }
    }

    #[test]
    fn sent_events_are_known_by_uid_and_time() {
        let mut s = SentEvents::default();
        let t = Instant::now();
        s.insert("ANDROID-1", 1000, t);
        assert!(s.contains("ANDROID-1", 1000));
        assert!(!s.contains("ANDROID-1", 1001));
        assert!(!s.contains("ANDROID-2", 1000));
        s.insert("x", 5, t + SENT_AGE + Duration::from_secs(1));
        assert!(!s.contains("ANDROID-1", 1000), "aged out");
    }

    #[test]
    fn ttl_rules() {
        for (arrival, configured, decrement, out) in [
            (Some(64), 32, false, Some(32)),
            (Some(1), 32, false, Some(32)),
            (None, 32, false, Some(32)),
            (Some(64), 32, true, Some(32)),
            (Some(10), 32, true, Some(9)),
            (Some(2), 32, true, Some(1)),
            (Some(1), 32, true, None),
            (Some(0), 32, true, None),
            (None, 32, true, Some(32)),
            (Some(255), 255, true, Some(254)),
            (Some(5), 0, true, Some(0)),
        ] {
            assert_eq!(
                ttl_out(arrival, configured, decrement),
                out,
                "{arrival:?} {configured} {decrement}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn cidr_round_trips(a in proptest::prelude::any::<[u8; 16]>(), v6 in proptest::prelude::any::<bool>(), p in 0u8..=128) {
            let addr = if v6 { IpAddr::V6(Ipv6Addr::from(a)) } else { IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])) };
            let p = p.min(max_prefix(&addr));
            let c = Cidr::new(addr, p).unwrap();
            proptest::prop_assert!(c.contains(&addr));
            proptest::prop_assert_eq!(c.to_string().parse::<Cidr>().unwrap(), c);
        }

        #[test]
        fn cidr_parser_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Cidr>();
        }
    }
}
