//! `mcast replay`: send the UDP datagrams of a pcap/pcapng capture again,
//! through ordinary UDP sockets (no root; the kernel routes, IGMP as
//! usual), with the captured timing or another.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use socket2::{SockAddr, Socket};

use crate::cli::ReplayArgs;
use crate::cmd::Ctx;
use crate::cot;
use crate::endpoint::Family;
use crate::error::{usage, Outcome};
use crate::pcap::read::Reader;
use crate::plan::{IfRef, Resolver};
use crate::signals::Stop;
use crate::sock::{self, SendConfig};

/// How late each send was against its deadline, in a histogram that
/// needs no allocation per datagram: 1 µs buckets up to 2 ms, then 100 µs
/// buckets up to 200 ms, the rest in the last.
struct Lateness {
    fine: [u64; 2000],
    coarse: [u64; 2000],
    n: u64,
}

impl Lateness {
    fn new() -> Lateness {
        Lateness {
            fine: [0; 2000],
            coarse: [0; 2000],
            n: 0,
        }
    }

    fn add(&mut self, late: Duration) {
        let us = late.as_micros() as usize;
        if us < 2000 {
            self.fine[us] += 1;
        } else {
            self.coarse[((us - 2000) / 100).min(1999)] += 1;
        }
        self.n += 1;
    }

    /// The `q` quantile in microseconds (bucket lower bound).
    fn quantile(&self, q: f64) -> Option<u64> {
        if self.n == 0 {
            return None;
        }
        let want = ((self.n as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.fine.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Some(i as u64);
            }
        }
        for (i, c) in self.coarse.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Some(2000 + i as u64 * 100);
            }
        }
        Some(202_000)
    }
}

/// How long before a deadline the sleep ends and the spin begins: the
/// kernel wakes a sleeper late by its timer slack plus scheduling delay,
/// which on a busy machine (observed: kernel work after many namespaces
/// were deleted) reaches a few milliseconds.
const SPIN: Duration = Duration::from_millis(4);

/// Sleeps until `deadline` (or a stop): the kernel's sleep for all but the
/// last [`SPIN`], then a spin, so sends land within microseconds of their
/// time without burning a core during long gaps.
fn sleep_until(deadline: Instant, stop: &Stop) -> bool {
    loop {
        if stop.requested() {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        let left = deadline - now;
        if left > SPIN {
            std::thread::sleep((left - SPIN).min(Duration::from_millis(200)));
        } else {
            std::hint::spin_loop();
        }
    }
}

/// Asks for the smallest timer slack (1 ns instead of the default 50 µs):
/// sleeps end when asked. Unprivileged; failure only costs precision.
fn tight_timers() {
    // SAFETY: PR_SET_TIMERSLACK takes an integer argument and touches no
    // memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
}

/// One sending socket per (family, interface), with the TTL it last had.
struct Senders {
    socks: HashMap<(Family, u32), (Socket, u8)>,
}

impl Senders {
    /// Opens the socket a destination needs (before its deadline, so that
    /// the first datagram of a flow is not late by a socket's creation).
    fn prepare(&mut self, iface: &IfRef, dest: SocketAddr, ttl: u8) -> Result<()> {
        let family = Family::of(&dest.ip());
        let key = (family, iface.index);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.socks.entry(key) {
            let cfg = SendConfig {
                iface: iface.clone(),
                ttl,
                multicast_loop: true,
                tos: None,
                bind: None,
                broadcast: false,
            };
            slot.insert((sock::open_sender(family, &cfg)?, ttl));
        }
        Ok(())
    }

    fn send(&mut self, iface: &IfRef, dest: SocketAddr, ttl: u8, payload: &[u8]) -> Result<()> {
        let family = Family::of(&dest.ip());
        let key = (family, iface.index);
        self.prepare(iface, dest, ttl)?;
        let Some((s, last)) = self.socks.get_mut(&key) else {
            return Ok(());
        };
        if *last != ttl {
            sock::set_ttl(s, family, ttl)?;
            *last = ttl;
        }
        let to = sock::destination(dest.ip(), dest.port(), iface);
        s.send_to(payload, &SockAddr::from(to))
            .with_context(|| format!("send to {to} from {iface}"))?;
        Ok(())
    }
}

fn open(path: &std::path::Path) -> Result<Reader> {
    let r: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        let mut f = File::open(path).with_context(|| format!("open {}", path.display()))?;
        crate::pcap::read::check_blocks(&mut f)
            .with_context(|| format!("read {}", path.display()))?;
        Box::new(f)
    };
    Reader::new(r).with_context(|| format!("read {}", path.display()))
}

/// Runs `mcast replay`.
pub fn run(a: &ReplayArgs, ctx: &Ctx) -> Result<Outcome> {
    let stdin = a.file.as_os_str() == "-";
    if stdin && a.loops != 1 {
        return Err(usage(
            "--loop needs a file: standard input can be read only once",
        ));
    }
    if let (Some(s), Some(e)) = (a.start, a.end) {
        if e.0 <= s.0 {
            return Err(usage("--end must come after --start"));
        }
    }
    let resolver = Resolver::new()?;
    // Where each datagram goes: the endpoint, a map, or its own destination.
    let default_iface = match a.ifaces.iface.as_slice() {
        [] => IfRef::any(),
        [_] => resolver
            .ifaces_for(None, &a.ifaces.iface)?
            .into_iter()
            .next()
            .unwrap_or_else(IfRef::any),
        _ => {
            return Err(usage(
                "replay sends from one interface: give one --iface (or @IFACE in the endpoint)",
            ))
        }
    };
    let endpoint = match &a.endpoint {
        Some(ep) => {
            let i = resolver
                .ifaces_for(ep.iface.as_ref(), &[])?
                .into_iter()
                .next();
            Some((
                SocketAddr::new(ep.addr, ep.port),
                i.unwrap_or_else(|| default_iface.clone()),
            ))
        }
        None => None,
    };
    let mut maps = Vec::with_capacity(a.map.len());
    for m in &a.map {
        let i = resolver
            .ifaces_for(m.to.iface.as_ref(), &[])?
            .into_iter()
            .next();
        maps.push((
            SocketAddr::new(m.from, m.from_port),
            SocketAddr::new(m.to.addr, m.to.port),
            i.unwrap_or_else(|| default_iface.clone()),
        ));
    }
    let stop = Stop::install()?;
    if !a.flat_out {
        tight_timers();
    }
    let mut senders = Senders {
        socks: HashMap::new(),
    };
    let mut payload = Vec::with_capacity(1 << 16);
    let mut rewritten = Vec::with_capacity(1 << 16);
    let mut ev = cot::Event::default();
    let mut late = Lateness::new();
    let (mut sent, mut bytes, mut filtered, mut retimed) = (0u64, 0u64, 0u64, 0u64);
    let mut skipped = crate::pcap::read::Skipped::default();
    let started = Instant::now();
    let mut pass = 0u64;
    let mut interrupted = false;
    'passes: while a.loops == 0 || pass < a.loops {
        pass += 1;
        let mut reader = open(&a.file)?;
        let mut base: Option<(u64, Instant)> = None;
        let mut index = 0u64;
        while let Some(rec) = reader.next(&mut payload)? {
            let selected = (a.groups.is_empty() || a.groups.contains(&rec.dst.ip()))
                && (a.ports.is_empty() || a.ports.contains(&rec.dst.port()))
                && (a.sources.is_empty() || a.sources.contains(&rec.src.ip()))
                && (a.from_ifaces.is_empty()
                    || rec
                        .iface
                        .as_ref()
                        .is_some_and(|i| a.from_ifaces.contains(i)));
            if !selected {
                filtered += 1;
                continue;
            }
            let (dest, iface) = match (&endpoint, maps.iter().find(|m| m.0 == rec.dst)) {
                (_, Some((_, to, i))) => (*to, i),
                (Some((to, i)), None) => (*to, i),
                (None, None) => (rec.dst, &default_iface),
            };
            let ttl = a.ttl.map_or(rec.ttl.max(1), |t| t.0);
            senders.prepare(iface, dest, ttl)?;
            // Offsets count from the first selected datagram.
            let (t0_file, t0) = *base.get_or_insert_with(|| (rec.time_ns, Instant::now()));
            let offset = Duration::from_nanos(rec.time_ns.saturating_sub(t0_file));
            if a.start.is_some_and(|s| offset < s.0) {
                continue;
            }
            if a.end.is_some_and(|e| offset > e.0) {
                break;
            }
            let since_start = offset.saturating_sub(a.start.map_or(Duration::ZERO, |s| s.0));
            let deadline = if a.flat_out {
                None
            } else if let Some(r) = a.rate {
                Some(t0 + Duration::from_secs_f64(index as f64 / r.0))
            } else {
                Some(t0 + Duration::from_secs_f64(since_start.as_secs_f64() / a.speed.0))
            };
            index += 1;
            if let Some(d) = deadline {
                if !sleep_until(d, &stop) {
                    interrupted = true;
                    break 'passes;
                }
            } else if stop.requested() {
                interrupted = true;
                break 'passes;
            }
            let body: &[u8] = if a.cot_retime
                && cot::retime(
                    &payload,
                    (crate::pace::now_ns() / 1_000_000) as i64,
                    &mut ev,
                    &mut rewritten,
                ) {
                retimed += 1;
                &rewritten
            } else {
                &payload
            };
            senders.send(iface, dest, ttl, body)?;
            if let Some(d) = deadline {
                late.add(Instant::now().saturating_duration_since(d));
            }
            sent += 1;
            bytes += body.len() as u64;
        }
        skipped = reader.skipped;
    }
    let secs = started.elapsed().as_secs_f64();
    let plural = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    ctx.info(format_args!(
        "replayed {} ({}) from {} in {secs:.3}s{}",
        plural(sent, "datagram"),
        plural(bytes, "byte"),
        a.file.display(),
        if a.loops != 1 {
            format!(", {} passes", pass)
        } else {
            String::new()
        }
    ));
    if let (Some(p50), Some(p99)) = (late.quantile(0.5), late.quantile(0.99)) {
        ctx.info(format_args!(
            "timing: sent p50 {p50} µs, p99 {p99} µs after the scheduled time"
        ));
    }
    if a.cot_retime {
        ctx.info(format_args!("CoT events retimed: {retimed}"));
    }
    let other = skipped.not_udp + skipped.undecodable;
    if filtered + other > 0 {
        ctx.info(format_args!(
            "skipped: {filtered} filtered out, {} not UDP, {} undecodable",
            skipped.not_udp, skipped.undecodable
        ));
    }
    if sent == 0 && !interrupted {
        ctx.warn("nothing was sent: the capture holds no UDP datagram that the filters select");
    }
    Ok(if interrupted {
        Outcome::NotMet
    } else {
        Outcome::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_quantiles() {
        let mut l = Lateness::new();
        assert_eq!(l.quantile(0.5), None);
        for us in [5, 5, 6, 7, 3000] {
            l.add(Duration::from_micros(us));
        }
        assert_eq!(l.quantile(0.5), Some(6));
        assert_eq!(l.quantile(0.99), Some(3000));
        l.add(Duration::from_secs(10));
        assert_eq!(l.quantile(1.0), Some(2000 + 1999 * 100));
    }
}
