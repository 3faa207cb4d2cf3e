//! `mcast bridge`: relay datagrams between multicast groups, interfaces,
//! unicast UDP and TAK servers, with loop and storm protection.
//!
//! The bridge is a set of *nodes* (FROM and each TO) and *directions*
//! (FROM → every TO; with `--both-ways` also each TO → FROM). Each node may
//! receive (its input side) and send (its output side). One `poll(2)` loop
//! drives everything: readable inputs are drained with `recvmmsg`, each
//! datagram runs the drop checks in order (source filter, own-output loop,
//! TTL, rate, CoT filter, duplicate), and survivors are packed into each
//! output's batch, which is flushed with `sendmmsg` once per input batch.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use socket2::{SockAddr, Socket};

use crate::batch::{RecvBatch, SendBuf, GSO_MAX_SEGMENTS, MAX_DATAGRAM};
use crate::cli::{BridgeArgs, StatsFormat};
use crate::cmd::Ctx;
use crate::cot;
use crate::endpoint::{Endpoint, Family};
use crate::error::{usage, Outcome};
use crate::fanout::Fanout;
use crate::filter::{ttl_out, DedupWindow, DropCounts, DropReason, TokenBucket};
use crate::link::Link;
use crate::output::{self, Info};
use crate::pace::now_ns;
use crate::signals::Stop;
use crate::sock::{self, GroupSocket, IfRef, SendConfig};
use crate::target::{self, Resolver};
use crate::tcp::{Framing, PeerEvent, TcpPeer};

/// Datagrams read per `recvmmsg` call.
const BATCH: usize = 64;
/// How often interfaces are checked for disappearance and return.
const RESOLVE_EVERY: Duration = Duration::from_secs(1);
/// How long a sender to a `udp-listen:` input stays a reply destination.
const PEER_TTL: Duration = Duration::from_secs(60);
/// Most reply destinations a `udp-listen:` node keeps.
const MAX_PEERS: usize = 16;
/// TTL / hop limit of unicast `udp:` outputs (Linux's default).
const UNICAST_TTL: u8 = 64;

/// Runs `mcast bridge`.
pub fn run(a: &BridgeArgs, ctx: &Ctx) -> Result<Outcome> {
    validate(a)?;
    let mut b = Bridge::build(a, ctx)?;
    let stop = Stop::install()?;
    if a.allow_from.is_empty() && b.nodes.iter().any(|n| n.is_unicast_input()) {
        ctx.warn(
            "a unicast input accepts datagrams from anyone: restrict it with --allow-from CIDR",
        );
    }
    for d in &b.dirs {
        ctx.info(format_args!("bridging {}", b.describe(d)));
    }
    b.run(a, ctx, &stop)?;
    b.print_stats(a.format, ctx, true);
    Ok(Outcome::Ok)
}

/// Everything that can be refused before any socket is opened.
fn validate(a: &BridgeArgs) -> Result<()> {
    if !a.from.can_input() {
        return Err(usage(format!(
            "{} cannot receive: to receive unicast use udp-listen:[ADDR:]PORT",
            a.from
        )));
    }
    for to in &a.to {
        if !to.can_output() {
            return Err(usage(format!(
                "{to} cannot send: to send unicast use udp:HOST:PORT"
            )));
        }
        if to.same_as(&a.from) {
            return Err(usage(format!(
                "output {to} is the input: a bridge must not send a datagram back where it came from"
            )));
        }
    }
    // --both-ways works with every link: a udp: output receives what its
    // peer sends back on the same socket, and a udp-listen: input replies
    // to the senders it heard recently.
    for (i, x) in a.to.iter().enumerate() {
        if a.to[..i].iter().any(|y| y.same_as(x)) {
            return Err(usage(format!("output {x} is given twice")));
        }
    }
    for l in std::iter::once(&a.from).chain(&a.to) {
        if let Link::Multicast(ep) = l {
            target::check(&ep.addr, ep.iface.as_ref(), &a.ifaces.iface, &[])?;
        }
    }
    for p in &a.cot_type {
        let ok = !p.is_empty()
            && p.split('-').all(|atom| {
                !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            });
        if !ok {
            return Err(usage(format!(
                "--cot-type {p:?} is not a type pattern: expected dash-separated atoms or *, e.g. a-f-* or a-*-G"
            )));
        }
    }
    Ok(())
}

/// The receiving side of a node.
enum Rx {
    /// Not receiving (output only, or its interface is gone).
    None,
    /// A multicast group on its interfaces.
    Group(GroupSocket),
    /// A unicast socket (udp-listen:, or the replies to an udp: output).
    Udp(Socket),
}

/// The sending side of a node.
enum Tx {
    /// Not sending.
    None,
    /// Multicast or unicast through one socket per interface.
    Fan(Fanout),
    /// Replies to the recent senders of a `udp-listen:` input, from its socket.
    Peers(Vec<(SocketAddr, Instant)>),
    /// A TCP peer (both directions).
    Tcp(Box<TcpPeer>),
}

struct Node {
    link: Link,
    ifaces: Vec<IfRef>,
    rx: Rx,
    tx: Tx,
    /// The batch being built for this output, and the TTL it is built for.
    pending: SendBuf,
    pending_ttl: u8,
    current_ttl: u8,
    /// The output is down (send errors); logged once per outage.
    down: bool,
    /// Datagrams that failed to send since the last accounting.
    pending_failures: u64,
    kernel_drops: u32,
}

impl Node {
    fn is_unicast_input(&self) -> bool {
        matches!(self.link, Link::UdpListen { .. })
    }
}

/// One direction: an input node and the nodes it feeds.
struct Dir {
    input: usize,
    outputs: Vec<usize>,
    bucket: Option<TokenBucket>,
    received: u64,
    forwarded: u64,
    drops: DropCounts,
}

struct Bridge {
    nodes: Vec<Node>,
    dirs: Vec<Dir>,
    /// The direction each node is the input of (at most one).
    dir_of: Vec<Option<usize>>,
    dedup: DedupWindow,
    /// Local ports of our output sockets, and this host's addresses:
    /// a datagram from one of those is our own coming back.
    own_ports: Vec<u16>,
    local_addrs: Vec<IpAddr>,
    resolver: Resolver,
    ttl: u8,
    started: Instant,
    filter: Filter,
    /// Reused buffers: conversions for TCP peers, and the `-v` log line.
    scratch: Vec<u8>,
    log: Vec<u8>,
}

impl Bridge {
    fn build(a: &BridgeArgs, ctx: &Ctx) -> Result<Bridge> {
        let resolver = Resolver::new()?;
        let links: Vec<&Link> = std::iter::once(&a.from).chain(&a.to).collect();
        let mut nodes = Vec::with_capacity(links.len());
        for (i, link) in links.iter().enumerate() {
            let receives = i == 0 || a.both_ways;
            let sends = i > 0 || a.both_ways;
            nodes.push(open_node(link, receives, sends, a, &resolver, ctx)?);
        }
        // A multicast output on the group and port of the input must not
        // use the input's interfaces: that would echo datagrams back.
        if let Link::Multicast(inp) = &a.from {
            for (i, to) in a.to.iter().enumerate() {
                if let Link::Multicast(out) = to {
                    if out.addr == inp.addr && out.port == inp.port {
                        let shared: Vec<&IfRef> = nodes[i + 1]
                            .ifaces
                            .iter()
                            .filter(|x| nodes[0].ifaces.contains(x))
                            .collect();
                        // Without an interface on either side, routing may
                        // pick the input's: that is refused too.
                        if !shared.is_empty()
                            || nodes[0].ifaces.is_empty()
                            || nodes[i + 1].ifaces.is_empty()
                        {
                            return Err(usage(format!(
                                "output {to} uses the input's interface and group ({}): a bridge must not \
                                 send a datagram back where it came from; name different interfaces",
                                inp
                            )));
                        }
                    }
                }
            }
        }
        let bucket = || {
            a.max_rate
                .map(|r| TokenBucket::new(r.0, (r.0 / 10.0).max(1.0) as u32))
        };
        let mut dirs = vec![Dir {
            input: 0,
            outputs: (1..nodes.len()).collect(),
            bucket: bucket(),
            received: 0,
            forwarded: 0,
            drops: DropCounts::default(),
        }];
        if a.both_ways {
            for i in 1..nodes.len() {
                dirs.push(Dir {
                    input: i,
                    outputs: vec![0],
                    bucket: bucket(),
                    received: 0,
                    forwarded: 0,
                    drops: DropCounts::default(),
                });
            }
        }
        let dir_of = (0..nodes.len())
            .map(|n| dirs.iter().position(|d| d.input == n))
            .collect();
        let mut b = Bridge {
            nodes,
            dirs,
            dir_of,
            dedup: DedupWindow::new(a.dedup_window.0),
            own_ports: Vec::new(),
            local_addrs: Vec::new(),
            resolver,
            ttl: a.ttl.0,
            started: Instant::now(),
            filter: Filter::new(a),
            scratch: Vec::with_capacity(4096),
            log: Vec::new(),
        };
        b.refresh_own();
        Ok(b)
    }

    /// Recomputes the addresses that identify our own datagrams.
    fn refresh_own(&mut self) {
        self.local_addrs = self
            .resolver
            .interfaces()
            .iter()
            .flat_map(|i| i.addrs.iter().map(|a| a.addr))
            .collect();
        self.own_ports.clear();
        for n in &self.nodes {
            match &n.tx {
                Tx::Fan(f) => {
                    for o in &f.outs {
                        if let Some(p) = o
                            .sock
                            .local_addr()
                            .ok()
                            .and_then(|a| a.as_socket())
                            .map(|a| a.port())
                        {
                            self.own_ports.push(p);
                        }
                    }
                }
                Tx::Peers(_) => {
                    if let Rx::Udp(s) = &n.rx {
                        if let Some(p) = s
                            .local_addr()
                            .ok()
                            .and_then(|a| a.as_socket())
                            .map(|a| a.port())
                        {
                            self.own_ports.push(p);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn is_own(&self, src: &SocketAddr) -> bool {
        self.own_ports.contains(&src.port()) && self.local_addrs.contains(&src.ip())
    }

    fn describe(&self, d: &Dir) -> String {
        let outs: Vec<String> = d
            .outputs
            .iter()
            .map(|&o| self.nodes[o].link.to_string())
            .collect();
        format!("{} -> {}", self.nodes[d.input].link, outs.join(", "))
    }

    fn run(&mut self, a: &BridgeArgs, ctx: &Ctx, stop: &Stop) -> Result<()> {
        let mut batch = RecvBatch::new(BATCH, MAX_DATAGRAM);
        let mut fds: Vec<libc::pollfd> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        let mut incoming: Vec<Vec<u8>> = Vec::new();
        let mut next_resolve = Instant::now() + RESOLVE_EVERY;
        let mut next_stats = a.stats.map(|d| Instant::now() + d.0);
        while !stop.requested() {
            let now = Instant::now();
            for n in self.nodes.iter_mut() {
                if let Tx::Tcp(p) = &mut n.tx {
                    if let Some(e) = p.tick(now) {
                        log_peer(ctx, p, &e);
                    }
                }
            }
            fds.clear();
            owners.clear();
            for (i, n) in self.nodes.iter().enumerate() {
                let fd = match &n.rx {
                    Rx::Group(g) => Some((g.sock.as_raw_fd(), libc::POLLIN)),
                    Rx::Udp(s) => Some((s.as_raw_fd(), libc::POLLIN)),
                    Rx::None => None,
                };
                let fd = fd.or_else(|| {
                    if let Tx::Tcp(p) = &n.tx {
                        p.interest()
                    } else {
                        None
                    }
                });
                if let Some((fd, events)) = fd {
                    fds.push(libc::pollfd {
                        fd,
                        events,
                        revents: 0,
                    });
                    owners.push(i);
                }
                // A udp: output reads replies on its own sockets.
                if let (Rx::None, Tx::Fan(f), Link::Udp { .. }) = (&n.rx, &n.tx, &n.link) {
                    if a.both_ways {
                        for o in &f.outs {
                            fds.push(libc::pollfd {
                                fd: o.sock.as_raw_fd(),
                                events: libc::POLLIN,
                                revents: 0,
                            });
                            owners.push(i);
                        }
                    }
                }
            }
            let mut wait = Duration::from_millis(250);
            wait = wait.min(next_resolve.saturating_duration_since(now));
            if let Some(t) = next_stats {
                wait = wait.min(t.saturating_duration_since(now));
            }
            for n in &self.nodes {
                if let Tx::Tcp(p) = &n.tx {
                    if let Some(t) = p.next_attempt() {
                        wait = wait.min(t.saturating_duration_since(now));
                    }
                }
            }
            // SAFETY: fds is a valid pollfd array for the duration of the call.
            let rc = unsafe {
                libc::poll(
                    fds.as_mut_ptr(),
                    fds.len() as libc::nfds_t,
                    wait.as_millis() as i32 + 1,
                )
            };
            if rc < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e).context("poll");
            }
            for k in 0..fds.len() {
                let (fd, revents, node) = (fds[k].fd, fds[k].revents, owners[k]);
                if revents == 0 {
                    continue;
                }
                if let Tx::Tcp(p) = &mut self.nodes[node].tx {
                    incoming.clear();
                    if let Some(e) = p.on_ready(revents, &mut incoming) {
                        log_peer(ctx, p, &e);
                    }
                    let msgs = std::mem::take(&mut incoming);
                    let now = Instant::now();
                    for m in &msgs {
                        self.process(node, m, None, None, now, ctx);
                    }
                    incoming = msgs;
                    self.flush_outputs(ctx);
                    continue;
                }
                self.drain(node, fd, &mut batch, ctx)?;
            }
            let now = Instant::now();
            if now >= next_resolve {
                next_resolve = now + RESOLVE_EVERY;
                self.reresolve(a, ctx);
            }
            if let Some(t) = next_stats {
                if now >= t {
                    next_stats = a.stats.map(|d| now + d.0);
                    self.print_stats(a.format, ctx, false);
                }
            }
        }
        Ok(())
    }

    /// Reads every datagram waiting on one socket of a node and forwards.
    fn drain(&mut self, node: usize, fd: i32, batch: &mut RecvBatch, ctx: &Ctx) -> Result<()> {
        loop {
            let n = {
                let sock = self.socket_by_fd(node, fd);
                let Some(sock) = sock else { return Ok(()) };
                match batch.recv(sock) {
                    Ok(n) => n,
                    // An interface that vanished under a socket: the
                    // periodic re-resolve rebuilds it.
                    Err(e) => {
                        ctx.debug(format_args!("receive on {}: {e}", self.nodes[node].link));
                        return Ok(());
                    }
                }
            };
            if n == 0 {
                return Ok(());
            }
            if let Some(d) = batch.kernel_drops {
                let nd = &mut self.nodes[node];
                nd.kernel_drops = nd.kernel_drops.max(d);
            }
            // One clock reading per batch: the rate and duplicate checks
            // need no finer time than a batch takes.
            let now = Instant::now();
            for (meta, payload) in batch.iter() {
                if let Rx::Group(g) = &self.nodes[node].rx {
                    if !g.accepts(meta.dst, meta.ifindex) {
                        continue;
                    }
                }
                if let Tx::Peers(peers) = &mut self.nodes[node].tx {
                    learn_peer(peers, meta.src);
                }
                let ttl = meta.ttl;
                self.process(node, payload, Some(meta.src), ttl, now, ctx);
            }
            self.flush_outputs(ctx);
            if n < BATCH {
                return Ok(());
            }
        }
    }

    fn socket_by_fd(&self, node: usize, fd: i32) -> Option<&Socket> {
        let n = &self.nodes[node];
        match (&n.rx, &n.tx) {
            (Rx::Group(g), _) if g.sock.as_raw_fd() == fd => Some(&g.sock),
            (Rx::Udp(s), _) if s.as_raw_fd() == fd => Some(s),
            (_, Tx::Fan(f)) => f.outs.iter().map(|o| &o.sock).find(|s| s.as_raw_fd() == fd),
            _ => None,
        }
    }

    /// Runs the drop checks on one datagram and queues it on the outputs.
    fn process(
        &mut self,
        node: usize,
        payload: &[u8],
        src: Option<SocketAddr>,
        arrival_ttl: Option<u8>,
        now: Instant,
        ctx: &Ctx,
    ) {
        let Some(di) = self.dir_of[node] else {
            return;
        };
        let filter = &self.filter;
        let ttl = ttl_out(arrival_ttl, self.ttl, filter.decrement_ttl);
        // TCP input has no datagram source: the server is trusted as chosen.
        let own = src.is_some_and(|s| self.is_own(&s));
        let verdict = {
            let d = &mut self.dirs[di];
            d.received += 1;
            if src.is_some_and(|s| !filter.source_allowed(&s)) {
                Some(DropReason::Filter)
            } else if own {
                Some(DropReason::Loop)
            } else if ttl.is_none() {
                Some(DropReason::Ttl)
            } else if d.bucket.as_mut().is_some_and(|b| !b.allow(now)) {
                Some(DropReason::Rate)
            } else if !filter.cot_allowed(payload) {
                Some(DropReason::Filter)
            } else if self.dedup.seen_or_insert(payload, now) {
                Some(DropReason::Duplicate)
            } else {
                None
            }
        };
        if let Some(r) = verdict {
            self.dirs[di].drops.add(r, 1);
            return;
        }
        let ttl = ttl.unwrap_or(self.ttl);
        let mut forwarded = false;
        for k in 0..self.dirs[di].outputs.len() {
            let out = &mut self.nodes[self.dirs[di].outputs[k]];
            match &mut out.tx {
                Tx::Tcp(p) => {
                    if p.enqueue_datagram(payload, &mut self.scratch) {
                        forwarded = true;
                        if let Some(e) = p.flush() {
                            log_peer(ctx, p, &e);
                        }
                    } else {
                        self.dirs[di].drops.add(DropReason::Filter, 1);
                    }
                }
                Tx::Fan(_) | Tx::Peers(_) => {
                    if !out.pending.is_empty()
                        && (out.pending_ttl != ttl || out.pending.is_full(payload.len()))
                    {
                        flush_node(out, ctx);
                    }
                    out.pending_ttl = ttl;
                    out.pending.push(payload);
                    forwarded = true;
                }
                Tx::None => {}
            }
        }
        if forwarded {
            self.dirs[di].forwarded += 1;
            if let (true, Some(src)) = (ctx.verbose > 0 && !ctx.quiet, src) {
                let mut log = std::mem::take(&mut self.log);
                log.clear();
                let (group, port) = match &self.nodes[node].link {
                    Link::Multicast(ep) => (ep.addr, ep.port),
                    other => (src.ip(), other.port()),
                };
                let info = Info {
                    time_ns: now_ns(),
                    src,
                    group,
                    port,
                    iface: "",
                    ttl: arrival_ttl,
                    seq: None,
                    truncated: false,
                };
                let _ = write!(log, "forward {} -> ", self.nodes[node].link);
                for &o in &self.dirs[di].outputs {
                    let _ = write!(log, "{} ", self.nodes[o].link);
                }
                log.push(b'\n');
                output::write_text(&mut log, &info, payload, false);
                let _ = io::stderr().lock().write_all(&log);
                self.log = log;
            }
        }
    }

    fn flush_outputs(&mut self, ctx: &Ctx) {
        for n in self.nodes.iter_mut() {
            if !n.pending.is_empty() {
                flush_node(n, ctx);
            }
        }
        // Send errors are counted on the direction(s) feeding the output.
        for n in 0..self.nodes.len() {
            let failed = std::mem::take(&mut self.nodes[n].pending_failures);
            if failed > 0 {
                // They were counted as forwarded when queued: move them.
                for d in self.dirs.iter_mut().filter(|d| d.outputs.contains(&n)) {
                    d.drops.add(DropReason::SendError, failed);
                    d.forwarded = d.forwarded.saturating_sub(failed);
                }
            }
        }
    }

    /// Re-resolves named interfaces; rebuilds a node whose interface went
    /// away and came back (deleted and recreated: a new index; or its
    /// address changed).
    fn reresolve(&mut self, a: &BridgeArgs, ctx: &Ctx) {
        let Ok(resolver) = Resolver::new() else {
            return;
        };
        self.resolver = resolver;
        for i in 0..self.nodes.len() {
            let Link::Multicast(ep) = &self.nodes[i].link else {
                continue;
            };
            if ep.iface.is_none() && a.ifaces.iface.is_empty() {
                continue;
            }
            let now = self
                .resolver
                .ifaces_for(ep.iface.as_ref(), &a.ifaces.iface)
                .unwrap_or_default();
            let had = &self.nodes[i].ifaces;
            let lost = now.is_empty() && !had.is_empty();
            if now == *had && !lost {
                continue;
            }
            let link = self.nodes[i].link.clone();
            if now.is_empty() {
                ctx.warn(format_args!(
                    "{link}: interface gone; waiting for it to come back"
                ));
                let n = &mut self.nodes[i];
                n.ifaces.clear();
                n.rx = Rx::None;
                n.tx = Tx::None;
                n.down = true;
                continue;
            }
            let receives = self.dirs.iter().any(|d| d.input == i);
            let sends = self.dirs.iter().any(|d| d.outputs.contains(&i));
            match open_node(&link, receives, sends, a, &self.resolver, ctx) {
                Ok(n) => {
                    let names: Vec<String> = n.ifaces.iter().map(|x| x.to_string()).collect();
                    ctx.info(format_args!("{link}: re-joined on {}", names.join(", ")));
                    self.nodes[i] = n;
                }
                Err(e) => ctx.warn(format_args!("{link}: {e:#}; retrying")),
            }
        }
        // Addresses may change without any interface coming or going.
        self.refresh_own();
    }

    fn print_stats(&self, format: StatsFormat, ctx: &Ctx, last: bool) {
        let secs = self.started.elapsed().as_secs_f64();
        match format {
            StatsFormat::Json => {
                let dirs: Vec<_> = self
                    .dirs
                    .iter()
                    .map(|d| {
                        let mut drops = serde_json::Map::new();
                        for (r, n) in self.drops_of(d).iter() {
                            drops.insert(r.as_str().to_string(), n.into());
                        }
                        json!({
                            "from": self.nodes[d.input].link.to_string(),
                            "to": d.outputs.iter().map(|&o| self.nodes[o].link.to_string()).collect::<Vec<_>>(),
                            "in": d.received,
                            "out": d.forwarded,
                            "dropped": drops,
                            "kernel_drops": self.nodes[d.input].kernel_drops,
                        })
                    })
                    .collect();
                let o = json!({ "final": last, "seconds": secs, "directions": dirs });
                let mut out = io::stdout().lock();
                let _ = serde_json::to_writer(&mut out, &o);
                let _ = out.write_all(b"\n").and_then(|_| out.flush());
            }
            StatsFormat::Text => {
                if ctx.quiet {
                    return;
                }
                let mut s = String::new();
                for d in &self.dirs {
                    let _ = write!(
                        s,
                        "{} {}: in={} out={} dropped {} kernel={}",
                        if last { "total" } else { "stats" },
                        self.describe(d),
                        d.received,
                        d.forwarded,
                        self.drops_of(d),
                        self.nodes[d.input].kernel_drops
                    );
                    s.push('\n');
                }
                eprint!("{s}");
            }
        }
    }

    /// A direction's drops, with the queue drops of the TCP peers it feeds
    /// (a peer's queue is the one place those are counted).
    fn drops_of(&self, d: &Dir) -> DropCounts {
        let mut c = d.drops;
        for &o in &d.outputs {
            if let Tx::Tcp(p) = &self.nodes[o].tx {
                c.add(DropReason::Queue, p.dropped);
            }
        }
        c
    }
}

/// Sends a node's pending batch with its TTL; failures are counted, not fatal.
fn flush_node(n: &mut Node, ctx: &Ctx) {
    let count = n.pending.len() as u64;
    let result = match &mut n.tx {
        Tx::Fan(f) => {
            let fam = f.family();
            // --ttl and --decrement-ttl are about multicast: a udp: output
            // keeps the unicast default TTL so that it can cross routers.
            let multicast = matches!(n.link, Link::Multicast(_));
            if multicast && n.pending_ttl != n.current_ttl {
                for o in &f.outs {
                    let _ = sock::set_ttl(&o.sock, fam, n.pending_ttl);
                }
                n.current_ttl = n.pending_ttl;
            }
            f.flush(&n.pending)
        }
        Tx::Peers(peers) => {
            let Rx::Udp(s) = &n.rx else { return };
            let now = Instant::now();
            peers.retain(|(_, t)| now.duration_since(*t) < PEER_TTL);
            let mut r = Ok(());
            for (p, _) in peers.iter() {
                for i in 0..n.pending.len() {
                    if let Err(e) = s.send_to(n.pending.get(i), &SockAddr::from(*p)) {
                        r = Err(anyhow::Error::new(e).context(format!("send to {p}")));
                    }
                }
            }
            r
        }
        _ => Ok(()),
    };
    n.pending.clear();
    match result {
        Ok(()) => {
            if n.down {
                ctx.info(format_args!("{}: sending again", n.link));
                n.down = false;
            }
        }
        Err(e) => {
            n.pending_failures += count;
            if !n.down {
                ctx.warn(format_args!(
                    "{}: {e:#} (counting send errors until it recovers)",
                    n.link
                ));
                n.down = true;
            }
        }
    }
}

fn learn_peer(peers: &mut Vec<(SocketAddr, Instant)>, src: SocketAddr) {
    let now = Instant::now();
    if let Some(p) = peers.iter_mut().find(|(a, _)| *a == src) {
        p.1 = now;
        return;
    }
    if peers.len() >= MAX_PEERS {
        if let Some(oldest) = peers
            .iter()
            .enumerate()
            .min_by_key(|(_, (_, t))| *t)
            .map(|(i, _)| i)
        {
            peers.swap_remove(oldest);
        }
    }
    peers.push((src, now));
}

fn log_peer(ctx: &Ctx, p: &TcpPeer, e: &PeerEvent) {
    match e {
        PeerEvent::Connected(a) => ctx.info(format_args!("{}: connected ({a})", p.name())),
        PeerEvent::Disconnected(why, wait) => ctx.warn(format_args!(
            "{why}; reconnecting in {:.1}s ({} events queued)",
            wait.as_secs_f64(),
            p.queued()
        )),
    }
}

/// The content filters, fixed for the run.
struct Filter {
    allow: Vec<crate::filter::Cidr>,
    cot_only: bool,
    cot_types: Vec<String>,
    decrement_ttl: bool,
}

impl Filter {
    fn new(a: &BridgeArgs) -> Filter {
        Filter {
            allow: a.allow_from.clone(),
            cot_only: a.cot_only || !a.cot_type.is_empty(),
            cot_types: a.cot_type.clone(),
            decrement_ttl: a.decrement_ttl,
        }
    }

    fn source_allowed(&self, src: &SocketAddr) -> bool {
        self.allow.is_empty() || self.allow.iter().any(|c| c.contains(&src.ip()))
    }

    fn cot_allowed(&self, payload: &[u8]) -> bool {
        if !self.cot_only {
            return true;
        }
        if self.cot_types.is_empty() {
            return cot::classify(payload) != cot::Kind::Unknown
                && cot::decode_datagram(payload).is_ok();
        }
        match cot::decode_datagram(payload) {
            Ok(ev) => self
                .cot_types
                .iter()
                .any(|p| cot::type_matches(p, &ev.type_)),
            Err(_) => false,
        }
    }
}

/// Opens a node's sockets for the directions it takes part in.
fn open_node(
    link: &Link,
    receives: bool,
    sends: bool,
    a: &BridgeArgs,
    resolver: &Resolver,
    ctx: &Ctx,
) -> Result<Node> {
    let mut ifaces = Vec::new();
    let mut rx = Rx::None;
    let mut tx = Tx::None;
    match link {
        Link::Multicast(ep) => {
            ifaces = resolver.ifaces_for(ep.iface.as_ref(), &a.ifaces.iface)?;
            if receives {
                let g =
                    sock::open_group_receiver(ep.addr, ep.port, &ifaces, &[], a.rcvbuf.0, false)?;
                warn_rcvbuf(ctx, link, g.rcvbuf, a.rcvbuf.0);
                rx = Rx::Group(g);
            }
            if sends {
                tx = Tx::Fan(open_fanout(ep.addr, ep.port, &ifaces, a)?);
            }
        }
        Link::Udp { host, port } => {
            let addr =
                sock::resolve_host(host, *port).with_context(|| format!("resolve {link}"))?;
            let ep = Endpoint {
                addr: addr.ip(),
                port: *port,
                iface: None,
            };
            tx = Tx::Fan(open_fanout(ep.addr, ep.port, &[], a)?);
        }
        Link::UdpListen { addr, port } => {
            let family = addr.map_or(Family::V4, |a| Family::of(&a));
            let (s, granted) = sock::open_unicast_receiver(family, *addr, *port, a.rcvbuf.0)?;
            warn_rcvbuf(ctx, link, granted, a.rcvbuf.0);
            rx = Rx::Udp(s);
            if sends {
                tx = Tx::Peers(Vec::new());
            }
        }
        Link::Tcp { host, port } => {
            let framing = if a.tak_proto == 1 {
                Framing::TakV1
            } else {
                Framing::Xml
            };
            tx = Tx::Tcp(Box::new(TcpPeer::new(
                host.clone(),
                *port,
                framing,
                a.queue as usize,
            )));
        }
    }
    Ok(Node {
        link: link.clone(),
        ifaces,
        rx,
        tx,
        pending: SendBuf::new(GSO_MAX_SEGMENTS, 1 << 20),
        pending_ttl: a.ttl.0,
        current_ttl: a.ttl.0,
        down: false,
        kernel_drops: 0,
        pending_failures: 0,
    })
}

/// Output sockets: loopback off (a bridge must not hear itself), bound to
/// an ephemeral port first so that the port is known for loop detection.
fn open_fanout(addr: IpAddr, port: u16, ifaces: &[IfRef], a: &BridgeArgs) -> Result<Fanout> {
    let family = Family::of(&addr);
    let cfg = SendConfig {
        iface: IfRef::any(),
        // A unicast (udp:) output goes through routers: the usual TTL, not
        // the multicast --ttl (1 by default, which the first router drops).
        ttl: if addr.is_multicast() {
            a.ttl.0
        } else {
            UNICAST_TTL
        },
        multicast_loop: false,
        tos: None,
        bind: Some(SocketAddr::new(family.unspecified(), 0)),
    };
    Fanout::open(addr, port, ifaces, &cfg, false)
}

fn warn_rcvbuf(ctx: &Ctx, link: &Link, got: usize, want: usize) {
    if got < want {
        ctx.warn(format_args!(
            "{link}: the kernel granted a {got} byte receive buffer instead of {want} (net.core.rmem_max)"
        ));
    }
}
