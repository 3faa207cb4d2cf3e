//! `mcast bridge`: relay datagrams between multicast groups, interfaces,
//! unicast UDP, TAK servers and MQTT brokers, with loop and storm
//! protection.
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
use std::net::{IpAddr, SocketAddr, SocketAddrV6};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use socket2::{SockAddr, Socket};

use crate::batch::{RecvBatch, SendBuf, GSO_MAX_SEGMENTS, MAX_DATAGRAM};
use crate::cmd::Ctx;
use crate::endpoint::{Family, IfaceSpec};
use crate::error::usage;
use crate::fanout::Fanout;
use crate::output::{self, Info};
use crate::pace::now_ns;
use crate::plan::{self, Resolver, SendPlan};
use crate::poll::{self, PollFd, PollFlags, Woke};
use crate::signals::Stop;
use crate::sock::{self, GroupSocket, IfRef, SendConfig};

pub mod config;
pub mod filter;
pub mod link;
pub mod mqtt;
pub mod policy;
pub mod tcp;
pub mod tls;
pub mod topic;

pub use config::{BridgeConfig, StatsOutput};
use filter::{DedupWindow, DropCounts, DropReason, TokenBucket};
use link::{Host, Link};
use mqtt::{MqttOptions, MqttPeer};
use policy::{CotCache, Datagram};
use tcp::{PeerEvent, TcpPeer};
use topic::Flow;

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

/// The receiving side of a node.
enum Rx {
    /// Not receiving (output only, or its interface is gone).
    None,
    /// A multicast group on its interfaces.
    Group(Vec<GroupSocket>),
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
    /// An MQTT broker (both directions).
    Mqtt(Box<MqttPeer>),
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

/// One direction: an input node and the nodes it feeds.
struct Dir {
    input: usize,
    outputs: Vec<usize>,
    bucket: Option<TokenBucket>,
    received: u64,
    forwarded: u64,
    drops: DropCounts,
}

/// A running bridge: its nodes (the links' sockets), its directions, and
/// the state of its drop rules.
pub struct Bridge {
    cfg: BridgeConfig,
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
    started: Instant,
    /// The current datagram's CoT event, decoded at most once.
    cot: CotCache,
    /// Events forwarded to TAK servers, to recognise their replay.
    sent_to_server: filter::SentEvents,
    /// Reused buffers: conversions for TCP peers, and the `-v` log line.
    scratch: Vec<u8>,
    log: Vec<u8>,
}

impl Bridge {
    /// Opens every link's sockets (a `tcp:` peer connects on the first
    /// turn of the loop) and refuses outputs that would echo the input.
    pub fn build(cfg: BridgeConfig, ctx: &Ctx) -> Result<Bridge> {
        let resolver = Resolver::new()?;
        let n_in = cfg.from.len();
        let mut nodes = Vec::with_capacity(n_in + cfg.to.len());
        for (i, link) in cfg.links().enumerate() {
            let receives = i < n_in || cfg.both_ways;
            let sends = i >= n_in || cfg.both_ways;
            nodes.push(open_node(link, receives, sends, &cfg, &resolver, ctx)?);
        }
        // A multicast output on the group and port of an input must not
        // use that input's interfaces: that would echo datagrams back.
        for (k, from) in cfg.from.iter().enumerate() {
            let Link::Multicast(inp) = from else { continue };
            for (i, to) in cfg.to.iter().enumerate() {
                let Link::Multicast(out) = to else { continue };
                if out.addr == inp.addr && out.port == inp.port {
                    let o = n_in + i;
                    let shared = nodes[o].ifaces.iter().any(|x| nodes[k].ifaces.contains(x));
                    // Without an interface on either side, routing may
                    // pick the input's: that is refused too.
                    if shared || nodes[k].ifaces.is_empty() || nodes[o].ifaces.is_empty() {
                        return Err(usage(format!(
                            "output {to} uses the input's interface and group ({inp}): a bridge must not \
                             send a datagram back where it came from; name different interfaces"
                        )));
                    }
                }
            }
        }
        let bucket = || {
            cfg.max_rate
                .map(|r| TokenBucket::new(r, (r / 10.0).max(1.0) as u32))
        };
        let dir = |input: usize, outputs: Vec<usize>| Dir {
            input,
            outputs,
            bucket: bucket(),
            received: 0,
            forwarded: 0,
            drops: DropCounts::default(),
        };
        // Every input feeds every output; with --both-ways every output
        // also feeds every input.
        let mut dirs: Vec<Dir> = (0..n_in)
            .map(|i| dir(i, (n_in..nodes.len()).collect()))
            .collect();
        if cfg.both_ways {
            for o in n_in..nodes.len() {
                dirs.push(dir(o, (0..n_in).collect()));
            }
        }
        let dir_of = (0..nodes.len())
            .map(|n| dirs.iter().position(|d| d.input == n))
            .collect();
        let mut b = Bridge {
            dedup: DedupWindow::new(cfg.dedup_window),
            cfg,
            nodes,
            dirs,
            dir_of,
            own_ports: Vec::new(),
            local_addrs: Vec::new(),
            resolver,
            started: Instant::now(),
            cot: CotCache::new(),
            sent_to_server: filter::SentEvents::default(),
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

    /// True when an input accepts unicast datagrams from anyone (no
    /// `--allow-from`), which the user should hear about.
    pub fn open_to_anyone(&self) -> bool {
        self.cfg.policy.allow.is_empty()
            && self
                .nodes
                .iter()
                .any(|n| matches!(n.link, Link::UdpListen { .. }))
    }

    /// One line per direction: `FROM -> TO, TO`.
    pub fn directions(&self) -> Vec<String> {
        self.dirs.iter().map(|d| self.describe(d)).collect()
    }

    fn describe(&self, d: &Dir) -> String {
        let outs: Vec<String> = d
            .outputs
            .iter()
            .map(|&o| self.nodes[o].link.to_string())
            .collect();
        format!("{} -> {}", self.nodes[d.input].link, outs.join(", "))
    }

    /// Relays until Ctrl-C or SIGTERM, printing statistics every
    /// `stats_every`.
    pub fn run(&mut self, ctx: &Ctx, stop: &Stop) -> Result<()> {
        let mut batch = RecvBatch::new(BATCH, MAX_DATAGRAM);
        // Which node and socket each polled descriptor belongs to.
        let mut owners: Vec<(usize, RawFd)> = Vec::new();
        let mut ready: Vec<(usize, RawFd, PollFlags)> = Vec::new();
        let mut incoming: Vec<Vec<u8>> = Vec::new();
        let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
        let mut next_resolve = Instant::now() + RESOLVE_EVERY;
        let mut next_stats = self.cfg.stats_every.map(|d| Instant::now() + d);
        loop {
            let now = Instant::now();
            for n in self.nodes.iter_mut() {
                if let Tx::Tcp(p) = &mut n.tx {
                    if let Some(e) = p.tick(now) {
                        log_peer(ctx, p, &e);
                    }
                }
            }
            let mut wait = poll::MAX_SLEEP.min(next_resolve.saturating_duration_since(now));
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
            // The descriptors borrow the nodes only while polling; what is
            // ready is copied out before the nodes are touched.
            ready.clear();
            {
                owners.clear();
                let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(self.nodes.len() + 4);
                for (i, n) in self.nodes.iter().enumerate() {
                    match (&n.rx, &n.tx) {
                        (Rx::Group(gs), _) => {
                            for g in gs {
                                watch(&mut fds, &mut owners, i, g.sock.as_fd(), PollFlags::POLLIN);
                            }
                        }
                        (Rx::Udp(s), _) => {
                            watch(&mut fds, &mut owners, i, s.as_fd(), PollFlags::POLLIN)
                        }
                        (Rx::None, Tx::Tcp(p)) => {
                            if let Some((fd, ev)) = p.interest() {
                                watch(&mut fds, &mut owners, i, fd, ev);
                            }
                        }
                        (Rx::None, Tx::Mqtt(p)) => {
                            watch(&mut fds, &mut owners, i, p.wake_fd(), PollFlags::POLLIN)
                        }
                        // A udp: output reads replies on its own sockets.
                        (Rx::None, Tx::Fan(f))
                            if self.cfg.both_ways && matches!(n.link, Link::Udp { .. }) =>
                        {
                            for o in &f.outs {
                                watch(&mut fds, &mut owners, i, o.sock.as_fd(), PollFlags::POLLIN);
                            }
                        }
                        _ => {}
                    }
                }
                // JSON statistics go to stdout: a reader that left (`| head
                // -1`) shows as POLLERR on it, and the bridge ends at once.
                let stdout = io::stdout();
                let watch_stdout = self.cfg.stats_output == StatsOutput::Json;
                if watch_stdout {
                    fds.push(PollFd::new(stdout.as_fd(), PollFlags::empty()));
                }
                match poll::wait(&mut fds, wait + Duration::from_millis(1), stop)? {
                    Woke::Stopped => return Ok(()),
                    Woke::Timeout => {}
                    Woke::Ready => {
                        if watch_stdout
                            && fds.last().is_some_and(|f| {
                                poll::has(f, PollFlags::POLLERR | PollFlags::POLLHUP)
                            })
                        {
                            return Err(io::Error::from(io::ErrorKind::BrokenPipe))
                                .context("write to standard output");
                        }
                        for (k, fd) in fds.iter().take(owners.len()).enumerate() {
                            if let Some(r) = fd.revents().filter(|r| !r.is_empty()) {
                                ready.push((owners[k].0, owners[k].1, r));
                            }
                        }
                    }
                }
            }
            for &(node, fd, revents) in &ready {
                if let Tx::Tcp(p) = &mut self.nodes[node].tx {
                    incoming.clear();
                    if let Some(e) = p.on_ready(revents, &mut incoming) {
                        log_peer(ctx, p, &e);
                    }
                    let msgs = std::mem::take(&mut incoming);
                    let now = Instant::now();
                    for m in &msgs {
                        self.process(node, m, Origin::default(), now, ctx);
                    }
                    incoming = msgs;
                    self.flush_outputs(ctx);
                    continue;
                }
                if let Tx::Mqtt(_) = &self.nodes[node].tx {
                    self.relay_broker(node, &mut messages, ctx);
                    continue;
                }
                self.drain(node, fd, &mut batch, ctx)?;
            }
            let now = Instant::now();
            if now >= next_resolve {
                next_resolve = now + RESOLVE_EVERY;
                self.reresolve(ctx);
            }
            if let Some(t) = next_stats {
                if now >= t {
                    next_stats = self.cfg.stats_every.map(|d| now + d);
                    self.print_stats(ctx, false)?;
                }
            }
        }
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
                if let Rx::Group(gs) = &self.nodes[node].rx {
                    let g = gs.iter().find(|g| g.sock.as_raw_fd() == fd);
                    if g.is_some_and(|g| !g.accepts(meta.dst, meta.ifindex)) {
                        continue;
                    }
                }
                if let Tx::Peers(peers) = &mut self.nodes[node].tx {
                    learn_peer(peers, meta.src);
                }
                let ttl = meta.ttl;
                let origin = Origin {
                    src: Some(meta.src),
                    ttl,
                    flow: None,
                };
                self.process(node, payload, origin, now, ctx);
            }
            self.flush_outputs(ctx);
            if n < BATCH {
                return Ok(());
            }
        }
    }

    /// Forwards what an MQTT link's thread has received, each message to
    /// the outputs of the flow its topic names.
    fn relay_broker(&mut self, node: usize, messages: &mut Vec<(String, Vec<u8>)>, ctx: &Ctx) {
        messages.clear();
        let events = match &mut self.nodes[node].tx {
            Tx::Mqtt(p) => p.drain(messages),
            _ => return,
        };
        for e in &events {
            log_event(ctx, e);
        }
        let Link::Mqtt(url) = &self.nodes[node].link else {
            return;
        };
        let topic = url.topic.clone();
        let now = Instant::now();
        for (t, payload) in messages.iter() {
            let Some(di) = self.dir_of[node] else { break };
            let echo = match &mut self.nodes[node].tx {
                Tx::Mqtt(p) => p.is_echo(payload, now),
                _ => false,
            };
            // Not what we subscribed to (an overlapping subscription of
            // the same client id elsewhere, or a broker's mistake).
            let flow = topic.flow_of(t);
            if echo || flow.is_none() {
                self.dirs[di].received += 1;
                let r = if echo {
                    DropReason::Loop
                } else {
                    DropReason::Filter
                };
                self.dirs[di].drops.add(r, 1);
                continue;
            }
            let flow = flow.filter(|f| !f.is_empty());
            let origin = Origin {
                flow,
                ..Origin::default()
            };
            self.process(node, payload, origin, now, ctx);
        }
        self.flush_outputs(ctx);
    }

    fn socket_by_fd(&self, node: usize, fd: i32) -> Option<&Socket> {
        let n = &self.nodes[node];
        match (&n.rx, &n.tx) {
            (Rx::Group(gs), _) if gs.iter().any(|g| g.sock.as_raw_fd() == fd) => {
                gs.iter().map(|g| &g.sock).find(|s| s.as_raw_fd() == fd)
            }
            (Rx::Udp(s), _) if s.as_raw_fd() == fd => Some(s),
            (_, Tx::Fan(f)) => f.outs.iter().map(|o| &o.sock).find(|s| s.as_raw_fd() == fd),
            _ => None,
        }
    }

    /// Runs the drop checks on one datagram and queues it on the outputs.
    fn process(&mut self, node: usize, payload: &[u8], origin: Origin, now: Instant, ctx: &Ctx) {
        let Origin {
            src,
            ttl: arrival_ttl,
            flow,
        } = origin;
        let Some(di) = self.dir_of[node] else {
            return;
        };
        // TCP input has no datagram source: the server is trusted as chosen.
        let own = src.is_some_and(|s| self.is_own(&s));
        self.cot.reset();
        self.dirs[di].received += 1;
        // From a TAK server: its protocol traffic stays here, and events
        // this bridge sent it (replayed on reconnect, or echoed) do not go
        // back onto the LAN they came from.
        if matches!(self.nodes[node].link, Link::Tcp { .. }) {
            if let Some(ev) = self.cot.get(payload) {
                let reason = if is_tak_control(&ev.type_) {
                    Some(DropReason::Control)
                } else if self.sent_to_server.contains(&ev.uid, ev.time) {
                    Some(DropReason::Loop)
                } else {
                    None
                };
                if let Some(r) = reason {
                    self.dirs[di].drops.add(r, 1);
                    return;
                }
            }
        }
        let d = &mut self.dirs[di];
        let verdict = policy::verdict(
            &self.cfg.policy,
            &Datagram {
                payload,
                src,
                ttl: arrival_ttl,
                own,
            },
            policy::State {
                bucket: d.bucket.as_mut(),
                dedup: &mut self.dedup,
                cot: &mut self.cot,
            },
            now,
        );
        let ttl = match verdict {
            Ok(ttl) => ttl,
            Err(r) => {
                d.drops.add(r, 1);
                return;
            }
        };
        let mut forwarded = false;
        let mut to_server = false;
        let mut routed = false;
        // The group and port a datagram belongs to: its input group's, or
        // the one an MQTT topic named.
        let own_flow = match &self.nodes[node].link {
            Link::Multicast(ep) => Some((ep.addr, ep.port)),
            _ => flow.and_then(|f| f.group.zip(f.port)),
        };
        // Into a TAK LAN's two groups (from a server or a tunnel): GeoChat
        // goes to the chat group, everything else to the others (SA).
        let outs = &self.dirs[di].outputs;
        let chat_outs = outs
            .iter()
            .filter(|&&o| matches!(&self.nodes[o].link, Link::Multicast(ep) if is_chat_group(ep)))
            .count();
        let chat_route = if chat_outs > 0 && chat_outs < outs.len() {
            self.cot
                .get(payload)
                .map(|ev| ev.type_.starts_with("b-t-f"))
        } else {
            None
        };
        for k in 0..self.dirs[di].outputs.len() {
            let out = &mut self.nodes[self.dirs[di].outputs[k]];
            if let Some(is_chat) = chat_route {
                let chat_node = matches!(&out.link, Link::Multicast(ep) if is_chat_group(ep));
                if chat_node != is_chat {
                    continue;
                }
            }
            // A message from a topic that names its flow goes to that
            // flow's group only.
            if let (Some(f), Link::Multicast(ep)) = (&flow, &out.link) {
                if !f.matches(ep.addr, ep.port) {
                    continue;
                }
            }
            routed = true;
            match &mut out.tx {
                Tx::Mqtt(p) => {
                    let Link::Mqtt(u) = &out.link else { continue };
                    let (g, port) = match own_flow {
                        Some(f) => f,
                        None if !u.topic.is_template() => (IpAddr::from([0, 0, 0, 0]), 0),
                        // A template without a flow to fill it in.
                        None => {
                            self.dirs[di].drops.add(DropReason::Unmapped, 1);
                            continue;
                        }
                    };
                    u.topic.render(g, port, p.topic_buf());
                    // Refusals (a full queue) are counted by the peer.
                    p.publish(payload, now);
                }
                Tx::Tcp(p) => {
                    if p.enqueue_datagram(payload, &mut self.cot, &mut self.scratch) {
                        to_server = true;
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
        if !routed && flow.is_some() {
            self.dirs[di].drops.add(DropReason::Unmapped, 1);
        }
        if to_server {
            if let Some(ev) = self.cot.get(payload) {
                self.sent_to_server.insert(&ev.uid, ev.time, now);
            }
        }
        // `out` counts what left: datagrams handed to the kernel here, and
        // for TAK servers the events written to them (counted by the peer,
        // see `out_of`), not the ones queued.
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
    fn reresolve(&mut self, ctx: &Ctx) {
        let Ok(resolver) = Resolver::new() else {
            return;
        };
        self.resolver = resolver;
        for i in 0..self.nodes.len() {
            let Link::Multicast(ep) = &self.nodes[i].link else {
                continue;
            };
            if !self.cfg.names_interfaces(&self.nodes[i].link) {
                continue;
            }
            let now = self
                .resolver
                .ifaces_for(ep.iface.as_ref(), &self.cfg.ifaces)
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
            match open_node(&link, receives, sends, &self.cfg, &self.resolver, ctx) {
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

    /// Prints one statistics record per direction (`last`: the totals on
    /// exit).
    pub fn print_stats(&self, ctx: &Ctx, last: bool) -> Result<()> {
        let secs = self.started.elapsed().as_secs_f64();
        match self.cfg.stats_output {
            StatsOutput::Json => {
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
                            "out": self.out_of(d),
                            "dropped": drops,
                            "kernel_drops": self.nodes[d.input].kernel_drops,
                        })
                    })
                    .collect();
                let servers: Vec<_> = self
                    .servers()
                    .map(|p| {
                        let mut o = json!({
                            "link": p.link,
                            "protocol": p.protocol,
                            "connected": p.connected,
                            "connects": p.connects,
                            "sent": p.sent,
                            "received": p.received,
                            "queued": p.queued,
                            "queue_dropped": p.queue_dropped,
                        });
                        if let Some(n) = p.pings {
                            o["pings"] = n.into();
                        }
                        if let Some(n) = p.receive_dropped {
                            o["receive_dropped"] = n.into();
                        }
                        o
                    })
                    .collect();
                let o = json!({ "final": last, "seconds": secs, "directions": dirs, "servers": servers });
                let mut out = io::stdout().lock();
                let mut line = Vec::new();
                output::write_json_value(&mut line, &o);
                line.push(b'\n');
                out.write_all(&line)
                    .and_then(|_| out.flush())
                    .context("write to standard output")?;
            }
            StatsOutput::Text => {
                if ctx.quiet {
                    return Ok(());
                }
                let mut s = String::new();
                for d in &self.dirs {
                    let _ = write!(
                        s,
                        "{}{} {}: in={} out={} dropped {} kernel={}",
                        ctx.stamp(),
                        if last { "total" } else { "stats" },
                        self.describe(d),
                        d.received,
                        self.out_of(d),
                        self.drops_of(d),
                        self.nodes[d.input].kernel_drops
                    );
                    s.push('\n');
                }
                for p in self.servers() {
                    let _ = write!(
                        s,
                        "{}{} {}: {}, {} {}, sent={} received={} queued={} queue-dropped={}",
                        ctx.stamp(),
                        if last { "total" } else { "stats" },
                        p.link,
                        if p.connected {
                            "connected"
                        } else {
                            "not connected"
                        },
                        p.connects,
                        if p.connects == 1 {
                            "connection"
                        } else {
                            "connections"
                        },
                        p.sent,
                        p.received,
                        p.queued,
                        p.queue_dropped
                    );
                    if let Some(n) = p.receive_dropped {
                        let _ = write!(s, " receive-dropped={n}");
                    }
                    s.push('\n');
                    if last && p.queued > 0 {
                        let _ = writeln!(
                            s,
                            "{}: {} queued {} never delivered",
                            p.link,
                            p.queued,
                            if p.pings.is_some() {
                                "events were"
                            } else {
                                "messages were"
                            }
                        );
                    }
                }
                // A full or closed stderr must not stop the bridge.
                let _ = io::stderr().lock().write_all(s.as_bytes());
            }
        }
        Ok(())
    }

    /// The connection-oriented peers (TAK servers, MQTT brokers), for
    /// statistics.
    fn servers(&self) -> impl Iterator<Item = ServerStats> + '_ {
        self.nodes.iter().filter_map(|n| match &n.tx {
            Tx::Tcp(p) => Some(ServerStats {
                link: p.name(),
                protocol: "tak",
                connected: p.connected(),
                connects: p.connects,
                sent: p.sent,
                received: p.received,
                queued: p.queued() as u64,
                queue_dropped: p.dropped,
                pings: Some(p.pings),
                receive_dropped: None,
            }),
            Tx::Mqtt(p) => Some(ServerStats {
                link: p.name().to_string(),
                protocol: p.protocol(),
                connected: p.connected(),
                connects: p.connects(),
                sent: p.sent(),
                received: p.received(),
                queued: p.queued(),
                queue_dropped: p.dropped,
                pings: None,
                receive_dropped: Some(p.receive_dropped()),
            }),
            _ => None,
        })
    }

    /// Sends what MQTT links still queue and disconnects them cleanly
    /// (before the final statistics, so that those count it).
    pub fn close(&mut self) {
        for n in &mut self.nodes {
            if let Tx::Mqtt(p) = &mut n.tx {
                p.close();
            }
        }
    }

    /// What a direction delivered: datagrams sent on its UDP outputs and
    /// events written to its TAK servers (not those still queued).
    fn out_of(&self, d: &Dir) -> u64 {
        let servers: u64 = d
            .outputs
            .iter()
            .filter_map(|&o| match &self.nodes[o].tx {
                Tx::Tcp(p) => Some(p.sent),
                Tx::Mqtt(p) => Some(p.sent()),
                _ => None,
            })
            .sum();
        d.forwarded + servers
    }

    /// A direction's drops, with the queue drops of the TCP peers it feeds
    /// (a peer's queue is the one place those are counted).
    fn drops_of(&self, d: &Dir) -> DropCounts {
        let mut c = d.drops;
        for &o in &d.outputs {
            match &self.nodes[o].tx {
                Tx::Tcp(p) => c.add(DropReason::Queue, p.dropped),
                Tx::Mqtt(p) => c.add(DropReason::Queue, p.dropped),
                _ => {}
            }
        }
        c
    }
}

/// Where a datagram came from, as far as the drop rules and the routing
/// need to know.
#[derive(Default, Clone, Copy)]
struct Origin {
    /// Its source (none for a stream or a broker).
    src: Option<SocketAddr>,
    /// Its arrival TTL / hop limit.
    ttl: Option<u8>,
    /// The flow an MQTT topic named.
    flow: Option<Flow>,
}

/// One peer's line in the statistics.
struct ServerStats {
    link: String,
    protocol: &'static str,
    connected: bool,
    connects: u64,
    sent: u64,
    received: u64,
    queued: u64,
    queue_dropped: u64,
    /// TAK pings (TCP links only).
    pings: Option<u64>,
    /// Received messages dropped because the bridge fell behind (MQTT).
    receive_dropped: Option<u64>,
}

/// True for the GeoChat group, 224.10.10.1:17012.
fn is_chat_group(ep: &crate::endpoint::Endpoint) -> bool {
    ep.port == CHAT_PORT && ep.addr == IpAddr::V4(CHAT_GROUP)
}

/// TAK clients' GeoChat group and port.
pub const CHAT_GROUP: std::net::Ipv4Addr = std::net::Ipv4Addr::new(224, 10, 10, 1);
/// See [`CHAT_GROUP`].
pub const CHAT_PORT: u16 = 17012;
/// TAK clients' situational-awareness group.
pub const SA_GROUP: std::net::Ipv4Addr = std::net::Ipv4Addr::new(239, 2, 3, 1);
/// See [`SA_GROUP`].
pub const SA_PORT: u16 = 6969;

/// True for TAK server protocol events: pings and their replies
/// (`t-x-c-t`, `t-x-c-t-r`) and protocol negotiation (`t-x-takp-*`).
fn is_tak_control(t: &str) -> bool {
    t == "t-x-c-t" || t.starts_with("t-x-c-t-") || t.starts_with("t-x-takp")
}

/// Adds a descriptor to a poll set, remembering its node.
fn watch<'a>(
    fds: &mut Vec<PollFd<'a>>,
    owners: &mut Vec<(usize, RawFd)>,
    node: usize,
    fd: BorrowedFd<'a>,
    events: PollFlags,
) {
    owners.push((node, fd.as_raw_fd()));
    fds.push(PollFd::new(fd, events));
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
        PeerEvent::Note(_) => log_event(ctx, e),
    }
}

/// Logs an MQTT link's event (its thread writes the whole message).
fn log_event(ctx: &Ctx, e: &PeerEvent) {
    match e {
        PeerEvent::Connected(a) => ctx.info(format_args!("connected ({a})")),
        PeerEvent::Note(n) => ctx.info(n),
        PeerEvent::Disconnected(why, wait) => ctx.warn(format_args!(
            "{why}; reconnecting in {:.1}s",
            wait.as_secs_f64()
        )),
    }
}

/// Opens a node's sockets for the directions it takes part in.
fn open_node(
    link: &Link,
    receives: bool,
    sends: bool,
    cfg: &BridgeConfig,
    resolver: &Resolver,
    ctx: &Ctx,
) -> Result<Node> {
    let mut ifaces = Vec::new();
    let mut rx = Rx::None;
    let mut tx = Tx::None;
    match link {
        Link::Multicast(ep) => {
            ifaces = resolver.ifaces_for(ep.iface.as_ref(), &cfg.ifaces)?;
            if receives {
                let g = plan::GroupPlan {
                    group: ep.addr,
                    port: ep.port,
                    memberships: plan::memberships(ep.addr, &ifaces, &[]),
                };
                for w in plan::receive_warnings(&g) {
                    ctx.warn(format_args!("{link}: {w}"));
                }
                let gs = sock::open_group_receivers(&g, cfg.rcvbuf, sock::Extras::default())?;
                for g in &gs {
                    warn_rcvbuf(ctx, link, g.rcvbuf, cfg.rcvbuf);
                }
                rx = Rx::Group(gs);
            }
            if sends {
                let plan = SendPlan {
                    addr: ep.addr,
                    port: ep.port,
                    ifaces: ifaces.clone(),
                };
                for w in plan::send_warnings(&plan, None) {
                    ctx.warn(format_args!("{link}: {w}"));
                }
                tx = Tx::Fan(open_fanout(&plan, cfg)?);
            }
        }
        Link::Udp { host, port } => {
            let addr = resolve(host, *port).with_context(|| format!("resolve {link}"))?;
            let plan = SendPlan {
                addr: addr.ip(),
                port: *port,
                ifaces: Vec::new(),
            };
            tx = Tx::Fan(open_fanout(&plan, cfg)?);
        }
        Link::UdpListen { addr, port } => {
            let family = addr.map_or(Family::V4, |a| Family::of(&a));
            let (s, granted) = sock::open_unicast_receiver(family, *addr, *port, cfg.rcvbuf)?;
            warn_rcvbuf(ctx, link, granted, cfg.rcvbuf);
            rx = Rx::Udp(s);
            if sends {
                tx = Tx::Peers(Vec::new());
            }
        }
        Link::Tcp { host, port, tls } => {
            let tls = if *tls {
                Some(cfg.tls.clone().ok_or_else(|| {
                    usage(format!(
                        "{link}: TLS needs credentials: --p12 FILE, or --cert/--key/--ca"
                    ))
                })?)
            } else {
                None
            };
            let mut peer = TcpPeer::new(host.clone(), *port, cfg.tak_proto, cfg.queue, tls);
            peer.set_liveness(cfg.liveness);
            peer.set_uid(&cfg.tak_uid);
            tx = Tx::Tcp(Box::new(peer));
        }
        Link::Mqtt(u) => {
            let tls = if u.tls {
                Some(cfg.tls.clone().ok_or_else(|| {
                    usage(format!(
                        "{link}: TLS needs at least the broker's CA: --ca FILE (and --cert/--key or --p12 for a client certificate)"
                    ))
                })?)
            } else {
                None
            };
            let opts = MqttOptions {
                client_id: mqtt_client_id(cfg, link),
                qos: cfg.mqtt_qos,
                version: cfg.mqtt_version,
                keepalive: cfg.liveness,
                queue: cfg.queue,
                tls,
            };
            let sub = receives.then(|| u.topic.filter());
            let peer = MqttPeer::start(u, &opts, sub)
                .with_context(|| format!("start the MQTT client for {link}"))?;
            tx = Tx::Mqtt(Box::new(peer));
        }
    }
    Ok(Node {
        link: link.clone(),
        ifaces,
        rx,
        tx,
        pending: SendBuf::new(GSO_MAX_SEGMENTS, 1 << 20),
        pending_ttl: cfg.policy.ttl,
        current_ttl: cfg.policy.ttl,
        down: false,
        kernel_drops: 0,
        pending_failures: 0,
    })
}

/// The client id of an MQTT link: `--mqtt-client-id` (with `-2`, `-3`
/// for a bridge's second and later MQTT links), else `mcast-` and 16 hex
/// digits from the process id, the time and the link's position, which
/// fits MQTT 3.1.1's 23 characters that every broker must accept.
fn mqtt_client_id(cfg: &BridgeConfig, link: &Link) -> String {
    let k = cfg
        .links()
        .filter(|l| matches!(l, Link::Mqtt(_)))
        .position(|l| l == link)
        .unwrap_or(0);
    match &cfg.mqtt_client_id {
        Some(id) if k == 0 => id.clone(),
        Some(id) => format!("{id}-{}", k + 1),
        None => {
            let mut x = now_ns() ^ (u64::from(std::process::id()) << 40) ^ (k as u64);
            // splitmix64's finaliser: neighbouring inputs give unrelated ids.
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            format!("mcast-{:016x}", x ^ (x >> 31))
        }
    }
}

/// Output sockets: loopback off (a bridge must not hear itself), bound to
/// an ephemeral port first so that the port is known for loop detection.
fn open_fanout(plan: &SendPlan, cfg: &BridgeConfig) -> Result<Fanout> {
    let family = Family::of(&plan.addr);
    let send = SendConfig {
        iface: IfRef::any(),
        // A unicast (udp:) output goes through routers: the usual TTL, not
        // the multicast --ttl (1 by default, which the first router drops).
        ttl: if plan.addr.is_multicast() {
            cfg.policy.ttl
        } else {
            UNICAST_TTL
        },
        multicast_loop: cfg.multicast_loop && plan.addr.is_multicast(),
        tos: None,
        bind: Some(SocketAddr::new(family.unspecified(), 0)),
        broadcast: false,
    };
    // UDP GSO: a batch of equal-sized datagrams (a sender's stream) leaves
    // in one send, which the kernel segments; mixed sizes fall back to
    // sendmmsg. It raised the zero-loss rate at 1200 B (bench/run.sh).
    Fanout::open(plan, &send, true)
}

fn warn_rcvbuf(ctx: &Ctx, link: &Link, got: usize, want: usize) {
    if let Some(w) = sock::rcvbuf_shortfall(got, want) {
        ctx.warn(format_args!("{link}: {w}"));
    }
}

/// Resolves a link's host to a socket address: literals directly (a zone
/// becomes the scope id), names through the system resolver (this blocks,
/// so it is done at start and on reconnects only).
pub fn resolve(host: &Host, port: u16) -> io::Result<SocketAddr> {
    match host {
        Host::Ip {
            addr: IpAddr::V6(a),
            zone: Some(z),
        } => {
            let scope = match z {
                IfaceSpec::Index(i) => *i,
                IfaceSpec::Name(n) => {
                    nix::net::if_::if_nametoindex(n.as_str()).map_err(io::Error::from)?
                }
                IfaceSpec::Addr(_) => 0,
            };
            Ok(SocketAddr::V6(SocketAddrV6::new(*a, port, 0, scope)))
        }
        Host::Ip { addr, .. } => Ok(SocketAddr::new(*addr, port)),
        Host::Name(n) => std::net::ToSocketAddrs::to_socket_addrs(&(n.as_str(), port))?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{n} has no address"))),
    }
}
