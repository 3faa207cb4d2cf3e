//! The two-ended mode: `mcast doctor --respond` on the sending side and
//! `mcast doctor G:P --peer HOST` on the receiving side (the format is in
//! [`crate::doctor::probe`]).
//!
//! Like ssmping, a unicast exchange first tells "no path at all" (firewall,
//! routing) from "a path, but no multicast". Unlike ssmping, which sends at
//! TTL 64 and infers hops from the arrival TTL, the responder sends a TTL
//! ladder 1..N, so the smallest TTL that arrives is the hop count plus one
//! whatever the sender's default, and each probe names the interface it
//! left by. Then the prober sends its own ladder back (paths can be
//! asymmetric) and asks the responder what arrived.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::poll::{PollFd, PollFlags};
use serde_json::json;
use socket2::{SockAddr, Socket};

use crate::batch::RecvBatch;
use crate::cmd::Ctx;
use crate::doctor::gather::{self, Config};
use crate::doctor::probe::{Msg, SECS_CAP, TTL_CAP};
use crate::doctor::report::{Check, Evidence, Report};
use crate::endpoint::{Family, IfaceSpec};
use crate::iface::{self, Interface};
use crate::plan::{GroupPlan, IfRef, Membership};
use crate::poll;
use crate::signals::Stop;
use crate::sock::{self, GroupSocket, SendConfig};

/// How often a ladder is sent during a session.
const ROUND: Duration = Duration::from_millis(250);
/// How long the responder waits for RESULT after its ladders end.
const GRACE: Duration = Duration::from_secs(5);
/// Unicast attempts and the wait for each answer.
const TRIES: u32 = 3;
const ANSWER_WAIT: Duration = Duration::from_secs(1);

/// The interfaces probes leave by: the one named, or every UP interface
/// with MULTICAST (not loopback) that has an address of the family.
fn senders(
    ifaces: &[Interface],
    only: Option<&IfaceSpec>,
    family: Family,
) -> Result<Vec<(IfRef, Socket)>> {
    let chosen: Vec<&Interface> = match only {
        Some(spec) => vec![iface::resolve(spec, ifaces)?],
        None => ifaces
            .iter()
            .filter(|i| i.is_multicast_capable() && !i.flags.loopback() && i.has_family(family))
            .collect(),
    };
    chosen
        .into_iter()
        .map(|i| {
            let r = IfRef::from(i);
            let cfg = SendConfig {
                iface: r.clone(),
                ttl: 1,
                // The sender's own copy must not count as an arrival.
                multicast_loop: false,
                tos: None,
                bind: None,
                broadcast: false,
            };
            Ok((r, sock::open_sender(family, &cfg)?))
        })
        .collect()
}

/// One round: a probe at every TTL from every sending interface.
fn ladder(
    out: &[(IfRef, Socket)],
    dest: SocketAddr,
    nonce: u64,
    ttl: u8,
    seq: &mut u64,
) -> Result<()> {
    let family = Family::of(&dest.ip());
    for (i, s) in out {
        for t in 1..=ttl {
            sock::set_ttl(s, family, t)?;
            *seq += 1;
            let m = Msg::Probe {
                nonce,
                seq: *seq,
                ttl: t,
                iface: i.name.clone(),
                t_ns: crate::pace::now_ns(),
            };
            let dest = sock::destination(dest.ip(), dest.port(), i);
            match s.send_to(m.encode().as_bytes(), &SockAddr::from(dest)) {
                Ok(_) => {}
                // A full queue or a route that vanished loses one probe,
                // which is what the receiver measures.
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::ENOBUFS | libc::EAGAIN | libc::ENETUNREACH)
                    ) => {}
                Err(e) => return Err(e).with_context(|| format!("send probe to {dest} from {i}")),
            }
        }
    }
    Ok(())
}

/// Receivers for the group on every multicast interface.
fn receivers(ifaces: &[Interface], group: IpAddr, port: u16) -> Vec<GroupSocket> {
    ifaces
        .iter()
        .filter(|i| i.is_multicast_capable() && !i.flags.loopback())
        .filter_map(|i| {
            let plan = GroupPlan {
                group,
                port,
                memberships: vec![Membership {
                    group,
                    iface: IfRef::from(i),
                    source: None,
                }],
            };
            sock::open_group_receiver(&plan, 1 << 20, sock::Extras::default()).ok()
        })
        .collect()
}

/// What one side received of the other's probes.
#[derive(Debug, Default, Clone)]
struct Tally {
    count: u64,
    min_ttl: Option<u8>,
    /// (sent from, arrived on) of the first probe.
    first: Option<(String, u32, IpAddr)>,
    first_after: Option<Duration>,
}

impl Tally {
    fn add(&mut self, ttl: u8, sent_from: &str, ifindex: u32, src: IpAddr, after: Duration) {
        self.count += 1;
        self.min_ttl = Some(self.min_ttl.map_or(ttl, |m| m.min(ttl)));
        if self.first.is_none() {
            self.first = Some((sent_from.to_string(), ifindex, src));
            self.first_after = Some(after);
        }
    }
}

fn recv_msg(s: &Socket, buf: &mut [u8]) -> io::Result<Option<(Msg, SocketAddr)>> {
    match crate::batch::recv_from_nowait(s, buf) {
        Ok((n, from)) => Ok(from
            .as_socket()
            .and_then(|f| Msg::decode(&buf[..n.min(buf.len())]).map(|m| (m, f)))),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

struct Session {
    nonce: u64,
    peer: SocketAddr,
    dest: SocketAddr,
    ttl: u8,
    until: Instant,
    next: Instant,
    seq: u64,
    out: Vec<(IfRef, Socket)>,
    rx: Vec<GroupSocket>,
    got: Tally,
    start: Instant,
}

/// Runs the responder until Ctrl-C or `duration`.
pub fn respond(
    port: u16,
    only: Option<&IfaceSpec>,
    cap: u8,
    duration: Option<Duration>,
    stop: &Stop,
    ctx: &Ctx,
) -> Result<()> {
    let mut ctl = Vec::new();
    for family in [Family::V4, Family::V6] {
        let a = SocketAddr::new(family.unspecified(), port);
        match sock::udp_socket(family).and_then(|s| {
            s.bind(&SockAddr::from(a))
                .with_context(|| format!("bind {a}"))?;
            s.set_nonblocking(true).context("set O_NONBLOCK")?;
            Ok(s)
        }) {
            Ok(s) => ctl.push(s),
            // IPv6 may be disabled; IPv4 alone still answers.
            Err(e) if family == Family::V6 && !ctl.is_empty() => ctx.debug(format_args!("{e:#}")),
            Err(e) => return Err(e),
        }
    }
    ctx.info(format_args!(
        "answering `mcast doctor --peer` on UDP port {port} (TTL up to {cap}); Ctrl-C to stop"
    ));
    let deadline = duration.map(|d| Instant::now() + d);
    let mut session: Option<Session> = None;
    let mut buf = vec![0u8; 2048];
    let mut batch = RecvBatch::new(16, 2048);
    while !stop.requested() && deadline.is_none_or(|d| Instant::now() < d) {
        let now = Instant::now();
        if let Some(s) = &mut session {
            if now >= s.until + GRACE {
                ctx.info(format_args!(
                    "session {:016x} with {} ended without RESULT",
                    s.nonce, s.peer
                ));
                session = None;
            } else if now < s.until && now >= s.next {
                ladder(&s.out, s.dest, s.nonce, s.ttl, &mut s.seq)?;
                s.next = now + ROUND;
            }
        }
        let mut fds: Vec<PollFd> = ctl
            .iter()
            .map(|s| PollFd::new(s.as_fd(), PollFlags::POLLIN))
            .collect();
        if let Some(s) = &session {
            fds.extend(
                s.rx.iter()
                    .map(|g| PollFd::new(g.sock.as_fd(), PollFlags::POLLIN)),
            );
        }
        let wait = session.as_ref().map_or(poll::MAX_SLEEP, |s| {
            s.next
                .saturating_duration_since(Instant::now())
                .min(poll::MAX_SLEEP)
        });
        if poll::wait(&mut fds, wait, stop)? != poll::Woke::Ready {
            continue;
        }
        drop(fds);
        for c in &ctl {
            while let Some((m, from)) =
                recv_msg(c, &mut buf).context("receive on the control port")?
            {
                match m {
                    Msg::Req {
                        nonce,
                        group,
                        port: gport,
                        ttl,
                        secs,
                    } => {
                        if let Some(s) = &session {
                            if s.nonce != nonce {
                                send(c, &Msg::Busy { nonce }, from)?;
                            } else {
                                send(c, &ack(s), from)?;
                            }
                            continue;
                        }
                        let family = Family::of(&group);
                        let ifaces = iface::sys::list()?;
                        let out = senders(&ifaces, only, family)?;
                        let now = Instant::now();
                        let s = Session {
                            nonce,
                            peer: from,
                            dest: SocketAddr::new(group, gport),
                            ttl: ttl.min(cap).min(TTL_CAP),
                            until: now + Duration::from_secs(u64::from(secs.clamp(1, SECS_CAP))),
                            next: now,
                            seq: 0,
                            out,
                            rx: receivers(&ifaces, group, gport),
                            got: Tally::default(),
                            start: now,
                        };
                        send(c, &ack(&s), from)?;
                        ctx.info(format_args!(
                            "session {nonce:016x}: probing {} for {from}, TTL 1..{}",
                            s.dest, s.ttl
                        ));
                        session = Some(s);
                    }
                    Msg::Result { nonce } => {
                        let Some(s) = session
                            .as_ref()
                            .filter(|s| s.nonce == nonce && s.peer.ip() == from.ip())
                        else {
                            continue;
                        };
                        let (iface, src) = match &s.got.first {
                            Some((_, index, src)) => (ifaces_name(*index), Some(*src)),
                            None => (String::new(), None),
                        };
                        send(
                            c,
                            &Msg::Report {
                                nonce,
                                count: s.got.count,
                                min_ttl: s.got.min_ttl.unwrap_or(0),
                                iface,
                                from: src,
                            },
                            from,
                        )?;
                        ctx.info(format_args!(
                            "session {nonce:016x}: {} of {}'s probes arrived here",
                            s.got.count, from
                        ));
                        session = None;
                    }
                    _ => {}
                }
            }
        }
        if let Some(s) = &mut session {
            let (nonce, start, got) = (s.nonce, s.start, &mut s.got);
            for g in &s.rx {
                g.drain(&mut batch, |m, ifindex, payload| {
                    if let Some(Msg::Probe {
                        nonce: n,
                        ttl,
                        iface,
                        ..
                    }) = Msg::decode(payload)
                    {
                        if n == nonce {
                            got.add(ttl, &iface, ifindex, m.src.ip(), start.elapsed());
                        }
                    }
                })
                .context("receive probes")?;
            }
        }
    }
    Ok(())
}

fn ifaces_name(index: u32) -> String {
    nix::net::if_::if_indextoname(index)
        .ok()
        .and_then(|n| n.into_string().ok())
        .filter(|n| {
            n.len() <= 15
                && n.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'=' && b != b',')
        })
        .unwrap_or_default()
}

fn ack(s: &Session) -> Msg {
    Msg::Ack {
        nonce: s.nonce,
        ifaces: s.out.iter().map(|(i, _)| i.name.clone()).collect(),
        ttl: s.ttl,
    }
}

fn send(s: &Socket, m: &Msg, to: SocketAddr) -> Result<()> {
    s.send_to(m.encode().as_bytes(), &SockAddr::from(to))
        .with_context(|| format!("send to {to}"))?;
    Ok(())
}

/// Sends `m` to the peer until an answer `accept` takes arrives; `None`
/// after [`TRIES`] unanswered attempts.
fn ask(
    s: &Socket,
    m: &Msg,
    peer: SocketAddr,
    stop: &Stop,
    accept: &dyn Fn(&Msg) -> bool,
) -> Result<Option<(Msg, Duration)>> {
    let mut buf = vec![0u8; 2048];
    for _ in 0..TRIES {
        let sent = Instant::now();
        match s.send_to(m.encode().as_bytes(), &SockAddr::from(peer)) {
            Ok(_) => {}
            // No route or a refusal (ICMP port unreachable comes back as
            // ECONNREFUSED on the next call) is an unanswered attempt.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ENETUNREACH | libc::EHOSTUNREACH | libc::ECONNREFUSED)
                ) => {}
            Err(e) => return Err(e).with_context(|| format!("send to {peer}")),
        }
        let until = sent + ANSWER_WAIT;
        while Instant::now() < until {
            let mut fds = [PollFd::new(s.as_fd(), PollFlags::POLLIN)];
            match poll::wait(&mut fds, poll::left(Some(until)), stop)? {
                poll::Woke::Stopped => return Ok(None),
                poll::Woke::Timeout => continue,
                poll::Woke::Ready => {}
            }
            match recv_msg(s, &mut buf) {
                Ok(Some((msg, from))) if from.ip() == peer.ip() && accept(&msg) => {
                    return Ok(Some((msg, sent.elapsed())));
                }
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => break,
                Err(e) => return Err(e).context("receive from the peer"),
            }
        }
    }
    Ok(None)
}

fn nonce() -> u64 {
    // Tells sessions apart; not a secret (probes travel in the clear).
    crate::pace::now_ns() ^ (u64::from(std::process::id()) << 40)
}

fn name_of(ifaces: &[Interface], index: u32) -> String {
    ifaces.iter().find(|i| i.index == index).map_or_else(
        || format!("index {index}"),
        |i| crate::term::escape(&i.name),
    )
}

fn hops(k: u8) -> String {
    match k.saturating_sub(1) {
        0 => "on the same link (0 router hops)".to_string(),
        1 => "1 router hop away".to_string(),
        n => format!("{n} router hops away"),
    }
}

/// The receiving side: asks the responder, examines the host while its
/// probes arrive, sends probes back, and adds the two-ended checks.
pub fn probe(
    cfg: &Config,
    peer: SocketAddr,
    max_ttl: u8,
    stop: &Stop,
    ctx: &Ctx,
) -> Result<Report> {
    let family = Family::of(&peer.ip());
    if family != Family::of(&cfg.group) {
        return Err(crate::error::usage(
            "--peer must be of the group's address family",
        ));
    }
    let ctl = sock::udp_socket(family)?;
    let any = SocketAddr::new(family.unspecified(), 0);
    ctl.bind(&SockAddr::from(any))
        .with_context(|| format!("bind {any}"))?;
    ctl.set_nonblocking(true).context("set O_NONBLOCK")?;
    let id = nonce();
    let secs = u32::try_from(cfg.window.as_secs().max(1)).unwrap_or(SECS_CAP);
    let req = Msg::Req {
        nonce: id,
        group: cfg.group,
        port: cfg.port,
        ttl: max_ttl.max(1),
        secs,
    };
    let mut answer = None;
    let start = std::cell::Cell::new(Instant::now());
    let mut got = Tally::default();
    let mut others = 0u64;
    let mut report = gather::examine_with(
        cfg,
        stop,
        &mut || {
            answer = ask(
                &ctl,
                &req,
                peer,
                stop,
                &|m| matches!(m, Msg::Ack { nonce, .. } | Msg::Busy { nonce } if *nonce == id),
            )?;
            if answer.is_some() {
                ctx.info(format_args!("{peer} answered; listening for its probes"));
            }
            start.set(Instant::now());
            Ok(())
        },
        &mut |m, ifindex, payload| match Msg::decode(payload) {
            Some(Msg::Probe {
                nonce, ttl, iface, ..
            }) if nonce == id => {
                got.add(ttl, &iface, ifindex, m.src.ip(), start.get().elapsed());
            }
            _ => others += 1,
        },
    )?;

    let mut first_check = None;
    let mut acked = None;
    match &answer {
        None => {
            first_check = Some(Check::problem(
                "peer-unicast",
                "unicast-unreachable",
                format!("no unicast answer from {peer} in {TRIES} tries: a firewall or routing problem between here and there (or no `mcast doctor --respond` there)"),
                format!("check `ping {}`, the firewalls on both sides for UDP port {}, and that `mcast doctor --respond` runs on the peer", peer.ip(), peer.port()),
                Evidence::Direct,
            ));
        }
        Some((Msg::Busy { .. }, _)) => {
            first_check = Some(Check::unknown(
                "peer-unicast",
                format!("{peer} answered by unicast but is busy with another session: try again"),
            ));
        }
        Some((Msg::Ack { ifaces, ttl, .. }, rtt)) => {
            let mut c = Check::ok(
                "peer-unicast",
                format!(
                    "{peer} answered by unicast in {:.1} ms; it sends probes from {} at TTL 1..{ttl}",
                    rtt.as_secs_f64() * 1e3,
                    if ifaces.is_empty() { "no interface".to_string() } else { ifaces.join(", ") }
                ),
            );
            c.data = Some(json!({ "rtt_ms": (rtt.as_secs_f64() * 1e6).round() / 1e3 }));
            first_check = Some(c);
            acked = Some(*ttl);
        }
        Some(_) => {}
    }

    let ifaces = iface::sys::list()?;
    let mut checks = Vec::new();
    if let Some(c) = first_check {
        checks.push(c);
    }
    if let Some(ttl) = acked {
        // The way back: our ladder, then ask what arrived.
        let out = senders(&ifaces, cfg.iface.as_ref(), family)?;
        let dest = SocketAddr::new(cfg.group, cfg.port);
        let mut seq = 0;
        for _ in 0..4 {
            ladder(&out, dest, id, ttl, &mut seq)?;
            std::thread::sleep(ROUND);
        }
        let back = ask(
            &ctl,
            &Msg::Result { nonce: id },
            peer,
            stop,
            &|m| matches!(m, Msg::Report { nonce, .. } if *nonce == id),
        )?;

        let here = match got.min_ttl {
            Some(k) => {
                let (from_if, on, src) = match got.first.clone() {
                    Some(f) => (crate::term::escape(&f.0), f.1, f.2.to_string()),
                    None => (String::new(), 0, String::new()),
                };
                let mut c = Check::ok(
                    "peer-multicast",
                    format!(
                        "{} of its probes arrived; the smallest TTL that arrives is {k}: {peer_ip} is {}{}; first after {:.1} ms, sent from its {from_if} (source {src}), arrived on {}",
                        got.count,
                        hops(k),
                        if k > 1 { format!(" (senders there need --ttl {k} or more)") } else { String::new() },
                        got.first_after.unwrap_or_default().as_secs_f64() * 1e3,
                        name_of(&ifaces, on),
                        peer_ip = peer.ip(),
                    ),
                );
                c.data = Some(json!({ "min_ttl": k, "hops": k - 1, "probes": got.count, "arrived_on": name_of(&ifaces, on), "sent_from": from_if }));
                if k > 1 && others == 0 {
                    c = Check::problem(
                        "peer-multicast",
                        "ttl",
                        format!(
                            "{peer_ip} is {}: its probes arrive from TTL {k} up, but nothing else arrived on {}:{}; a sender using a smaller TTL (the default is 1) never reaches here",
                            hops(k),
                            cfg.group,
                            cfg.port,
                            peer_ip = peer.ip(),
                        ),
                        format!("send with --ttl {k} or more (mcast send --ttl {k}; socat ip-multicast-ttl={k}; Python IP_MULTICAST_TTL {k})"),
                        Evidence::Direct,
                    );
                    c.data = Some(json!({ "min_ttl": k, "hops": k - 1, "probes": got.count }));
                }
                c
            }
            None => Check::problem(
                "peer-multicast",
                "multicast-blocked",
                format!("unicast to {} works, but none of its multicast probes (TTL 1..{ttl}) arrived: the fault is multicast-specific (a snooping switch without querier, a router without multicast routing, or more than {} hops)", peer.ip(), ttl.saturating_sub(1)),
                "see the local checks; on the path, enable multicast routing (PIM, smcroute) or an IGMP querier, or relay the group with `mcast bridge`".to_string(),
                Evidence::Direct,
            ),
        };
        checks.push(here);
        let ret = match &back {
            Some((Msg::Report { count, min_ttl, iface, from, .. }, _)) if *count > 0 => {
                let mut c = Check::ok(
                    "peer-return",
                    format!(
                        "{count} of our probes reached {} (on its {}, from {}); the smallest TTL that arrives there is {min_ttl}: {}",
                        peer.ip(),
                        crate::term::escape(iface),
                        from.map(|f| f.to_string()).unwrap_or_default(),
                        hops(*min_ttl)
                    ),
                );
                c.data = Some(json!({ "min_ttl": min_ttl, "hops": min_ttl.saturating_sub(1), "probes": count }));
                c
            }
            Some(_) => Check::problem(
                "peer-return",
                "return-path",
                format!("none of our multicast probes (TTL 1..{ttl}) reached {}: multicast from here to there is blocked (paths can be asymmetric)", peer.ip()),
                format!("run `mcast doctor {}:{} --peer THIS_HOST` on {} for its side's checks", cfg.group, cfg.port, peer.ip()),
                Evidence::Direct,
            ),
            None => Check::unknown("peer-return", format!("{} did not report what it received", peer.ip())),
        };
        checks.push(ret);
    }
    // Peer checks first: they are the end-to-end evidence; a local cause
    // found below is still the verdict when it is direct (see
    // Report::verdict), since "multicast-blocked" is what it explains.
    let local_direct = report.checks.iter().any(|c| {
        c.status == crate::doctor::report::Status::Problem
            && c.evidence == Evidence::Direct
            && c.cause != Some("nothing-arrived")
    });
    for c in checks.iter_mut() {
        if local_direct && c.cause == Some("multicast-blocked") {
            c.status = crate::doctor::report::Status::Note;
            c.cause = None;
            c.summary
                .push_str(" (explained by the local problem below)");
        }
    }
    // With a unicast failure nothing else is the answer: the local checks
    // still print, but "nothing arrived" is explained.
    checks.append(&mut report.checks);
    report.checks = checks;
    report.demote_explained();
    report.subject = format!("{} with peer {peer}", report.subject);
    Ok(report)
}
