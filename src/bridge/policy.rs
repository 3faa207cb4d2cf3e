//! The bridge's per-datagram verdict: forward (with which TTL) or drop (and
//! why). Pure: the caller passes the clock reading and the state the rules
//! keep (rate bucket, duplicate window, the datagram's decoded CoT), so
//! every decision is reproducible in a unit test.
//!
//! The rules run in a fixed order, cheapest and most telling first: source
//! filter, own-output loop, TTL, rate, CoT content, duplicate. The
//! duplicate check is last so that a datagram dropped for another reason
//! does not enter the window (and cannot make a later, allowed copy look
//! like a duplicate).

use std::net::SocketAddr;
use std::time::Instant;

use super::filter::{ttl_out, Cidr, DedupWindow, DropReason, TokenBucket};
use crate::cot::{self, Event};

/// The rules, fixed for the run.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Accept only these sources (empty: everyone).
    pub allow: Vec<Cidr>,
    /// Forward only CoT events.
    pub cot_only: bool,
    /// Forward only CoT events whose type matches one of these (implies
    /// `cot_only`).
    pub cot_types: Vec<String>,
    /// Behave like a router: `min(ttl, arrival - 1)`, drop at TTL ≤ 1.
    pub decrement_ttl: bool,
    /// TTL of forwarded multicast.
    pub ttl: u8,
}

/// What the verdict needs to know about one datagram.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<'a> {
    /// The payload.
    pub payload: &'a [u8],
    /// Its source (None for events read from a TCP peer, which is trusted
    /// as the user chose it).
    pub src: Option<SocketAddr>,
    /// The TTL / hop limit it arrived with, when the kernel said.
    pub ttl: Option<u8>,
    /// It came from one of the bridge's own output sockets.
    pub own: bool,
}

/// The mutable state the rules keep for one direction.
#[derive(Debug)]
pub struct State<'s> {
    /// The direction's rate limit.
    pub bucket: Option<&'s mut TokenBucket>,
    /// The bridge-wide duplicate window.
    pub dedup: &'s mut DedupWindow,
    /// The datagram's CoT, decoded on first use.
    pub cot: &'s mut CotCache,
}

/// Decides one datagram: `Ok(ttl)` to forward it with that TTL, or the
/// reason it is dropped. `state.cot` must have been [reset](CotCache::reset)
/// for this datagram.
pub fn verdict(
    p: &Policy,
    d: &Datagram<'_>,
    state: State<'_>,
    now: Instant,
) -> Result<u8, DropReason> {
    if let Some(src) = d.src {
        if !p.allow.is_empty() && !p.allow.iter().any(|c| c.contains(&src.ip())) {
            return Err(DropReason::Filter);
        }
    }
    if d.own {
        return Err(DropReason::Loop);
    }
    let ttl = ttl_out(d.ttl, p.ttl, p.decrement_ttl).ok_or(DropReason::Ttl)?;
    if let Some(b) = state.bucket {
        if !b.allow(now) {
            return Err(DropReason::Rate);
        }
    }
    if p.cot_only || !p.cot_types.is_empty() {
        let Some(ev) = state.cot.get(d.payload) else {
            return Err(DropReason::Filter);
        };
        // Patterns select; `!pattern` excludes (and alone, admits the rest).
        let (mut include, mut any_include) = (false, false);
        for t in &p.cot_types {
            match t.strip_prefix('!') {
                Some(x) if cot::type_matches(x, &ev.type_) => return Err(DropReason::Filter),
                Some(_) => {}
                None => {
                    any_include = true;
                    include |= cot::type_matches(t, &ev.type_);
                }
            }
        }
        if any_include && !include {
            return Err(DropReason::Filter);
        }
    }
    if state.dedup.seen_or_insert(d.payload, now) {
        return Err(DropReason::Duplicate);
    }
    Ok(ttl)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoded {
    NotYet,
    Valid,
    Invalid,
}

/// One datagram's CoT event, decoded at most once however many rules and
/// outputs ask for it (the CoT filter, then each TCP peer that converts
/// between XML and TAK Protocol v1). The event is reused across datagrams,
/// so decoding allocates nothing once its strings have grown.
#[derive(Debug)]
pub struct CotCache {
    ev: Event,
    state: Decoded,
    decodes: u64,
}

impl Default for CotCache {
    fn default() -> CotCache {
        CotCache::new()
    }
}

impl CotCache {
    /// An empty cache.
    pub fn new() -> CotCache {
        CotCache {
            ev: Event::default(),
            state: Decoded::NotYet,
            decodes: 0,
        }
    }

    /// Forgets the previous datagram's event.
    pub fn reset(&mut self) {
        self.state = Decoded::NotYet;
    }

    /// The payload's event, or None when it is not a CoT event. Decodes on
    /// the first call after [`reset`](Self::reset); `payload` must be the
    /// same datagram on every call until the next reset.
    pub fn get(&mut self, payload: &[u8]) -> Option<&Event> {
        if self.state == Decoded::NotYet {
            self.decodes += 1;
            let ok = cot::classify(payload) != cot::Kind::Unknown
                && cot::decode_datagram_into(payload, &mut self.ev).is_ok();
            self.state = if ok { Decoded::Valid } else { Decoded::Invalid };
        }
        (self.state == Decoded::Valid).then_some(&self.ev)
    }

    /// How many datagrams were decoded (for tests and statistics).
    pub fn decodes(&self) -> u64 {
        self.decodes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const SA: &[u8] = br#"<event version="2.0" uid="u1" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:01:00Z"><point lat="1" lon="2" hae="0" ce="9" le="9"/></event>"#;
    const HOSTILE: &[u8] = br#"<event version="2.0" uid="u2" type="a-h-G" how="m-g" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:01:00Z"><point lat="1" lon="2" hae="0" ce="9" le="9"/></event>"#;

    struct Rig {
        dedup: DedupWindow,
        cot: CotCache,
        bucket: Option<TokenBucket>,
        now: Instant,
    }

    impl Rig {
        fn new() -> Rig {
            Rig {
                dedup: DedupWindow::new(Duration::from_secs(2)),
                cot: CotCache::new(),
                bucket: None,
                now: Instant::now(),
            }
        }

        fn run(&mut self, p: &Policy, d: Datagram<'_>) -> Result<u8, DropReason> {
            self.cot.reset();
            let state = State {
                bucket: self.bucket.as_mut(),
                dedup: &mut self.dedup,
                cot: &mut self.cot,
            };
            verdict(p, &d, state, self.now)
        }
    }

    fn dg(payload: &[u8]) -> Datagram<'_> {
        Datagram {
            payload,
            src: Some("10.77.0.1:40000".parse().unwrap()),
            ttl: Some(8),
            own: false,
        }
    }

    fn policy() -> Policy {
        Policy {
            ttl: 1,
            ..Policy::default()
        }
    }

    #[test]
    fn forwards_with_the_configured_ttl_then_drops_the_duplicate() {
        let mut r = Rig::new();
        assert_eq!(r.run(&policy(), dg(b"one")), Ok(1));
        assert_eq!(r.run(&policy(), dg(b"one")), Err(DropReason::Duplicate));
        assert_eq!(r.run(&policy(), dg(b"two")), Ok(1));
        r.now += Duration::from_secs(3);
        assert_eq!(r.run(&policy(), dg(b"one")), Ok(1));
    }

    #[test]
    fn source_filter_comes_first_and_keeps_the_window_clean() {
        let mut r = Rig::new();
        let p = Policy {
            allow: vec!["10.77.1.0/24".parse().unwrap()],
            ..policy()
        };
        assert_eq!(r.run(&p, dg(b"x")), Err(DropReason::Filter));
        let mut ok = dg(b"x");
        ok.src = Some("10.77.1.9:1".parse().unwrap());
        // The refused copy did not enter the duplicate window.
        assert_eq!(r.run(&p, ok), Ok(1));
        // A TCP input has no source and is not filtered by address.
        let mut tcp = dg(b"y");
        tcp.src = None;
        assert_eq!(r.run(&p, tcp), Ok(1));
    }

    #[test]
    fn own_datagrams_are_loops() {
        let mut r = Rig::new();
        let mut d = dg(b"x");
        d.own = true;
        assert_eq!(r.run(&policy(), d), Err(DropReason::Loop));
        d.own = false;
        assert_eq!(r.run(&policy(), d), Ok(1));
    }

    #[test]
    fn ttl_rules_like_a_router() {
        let mut r = Rig::new();
        let p = Policy {
            decrement_ttl: true,
            ttl: 8,
            ..policy()
        };
        let mut d = dg(b"a");
        d.ttl = Some(5);
        assert_eq!(r.run(&p, d), Ok(4));
        let mut d = dg(b"b");
        d.ttl = Some(1);
        assert_eq!(r.run(&p, d), Err(DropReason::Ttl));
        let mut d = dg(b"c");
        d.ttl = None;
        assert_eq!(r.run(&p, d), Ok(8));
    }

    #[test]
    fn rate_limit_counts_only_what_passed_the_earlier_rules() {
        let mut r = Rig::new();
        r.bucket = Some(TokenBucket::new(1.0, 1));
        let mut looped = dg(b"l");
        looped.own = true;
        assert_eq!(r.run(&policy(), looped), Err(DropReason::Loop));
        assert_eq!(r.run(&policy(), dg(b"a")), Ok(1));
        assert_eq!(r.run(&policy(), dg(b"b")), Err(DropReason::Rate));
        r.now += Duration::from_secs(1);
        assert_eq!(r.run(&policy(), dg(b"b")), Ok(1));
    }

    #[test]
    fn cot_filters_decode_once() {
        let mut r = Rig::new();
        let p = Policy {
            cot_types: vec!["a-f-*".into()],
            ..policy()
        };
        assert_eq!(r.run(&p, dg(SA)), Ok(1));
        assert_eq!(r.cot.decodes(), 1);
        // The TCP peers ask again for the same datagram: no second decode.
        assert_eq!(r.cot.get(SA).map(|e| e.type_.as_str()), Some("a-f-G-U-C"));
        assert_eq!(r.cot.decodes(), 1);
        assert_eq!(r.run(&p, dg(HOSTILE)), Err(DropReason::Filter));
        assert_eq!(r.run(&p, dg(b"not cot")), Err(DropReason::Filter));
        // Exclusion alone admits everything else.
        let not_hostile = Policy {
            cot_types: vec!["!a-h-*".into()],
            ..policy()
        };
        let mut r2 = Rig::new();
        assert_eq!(r2.run(&not_hostile, dg(HOSTILE)), Err(DropReason::Filter));
        assert_eq!(r2.run(&not_hostile, dg(SA)), Ok(1));
        let only = Policy {
            cot_only: true,
            ..policy()
        };
        assert_eq!(r.run(&only, dg(HOSTILE)), Ok(1));
        assert_eq!(r.run(&only, dg(b"<event")), Err(DropReason::Filter));
        // Without CoT rules nothing is decoded.
        let before = r.cot.decodes();
        assert_eq!(r.run(&policy(), dg(b"plain")), Ok(1));
        assert_eq!(r.cot.decodes(), before);
    }
}
