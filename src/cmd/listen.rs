//! `mcast listen`: join groups, print what arrives, count it, summarise.

use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::time::Instant;

use anyhow::{Context, Result};
use socket2::{SockAddr, Socket};

use crate::batch::{RecvBatch, MAX_DATAGRAM};
use crate::cli::PcapFormat;
use crate::cli::{Format, ListenArgs};
use crate::cmd::Ctx;
use crate::cot;
use crate::error::{self, usage, Outcome};
use crate::output::{self, Info, JsonScratch};
use crate::pace::now_ns;
use crate::pcap::sink::{Config as SinkConfig, Layout, Sink};
use crate::pcap::synth::Datagram;
use crate::plan::{self, Resolver};
use crate::poll::{self, PollFd, PollFlags, Woke};
use crate::seq::{SeqHeader, HEADER_LEN};
use crate::signals::Stop;
use crate::sock::{self, GroupSocket};
use crate::stats::{CotCounts, Stats, StreamKey};

/// Datagrams read per `recvmmsg` call.
const BATCH: usize = 64;

/// Output written in one go once this much is buffered (and at the end of
/// each batch).
const OUT_FLUSH: usize = 48 << 10;

/// Room beyond [`OUT_FLUSH`] for the line that crosses it: a JSON line of
/// an MTU-sized payload; longer lines grow the buffer once.
const MAX_LINE_GUESS: usize = 4 << 10;

/// Runs `mcast listen`.
pub fn run(a: &ListenArgs, ctx: &Ctx) -> Result<Outcome> {
    let live = a.stats.map(|d| {
        LiveSink::Lines {
            json: a.format == Format::Json,
        }
        .every(d.0)
    });
    run_with(a, ctx, live, None)
}

/// Starts `watch`'s screen thread.
pub type ScreenStart = Box<dyn FnOnce() -> Result<std::thread::JoinHandle<Result<()>>>>;

/// Writes one buffer of output to stdout and flushes it.
fn emit(out: &[u8]) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_all(out)?;
    o.flush()
}

/// Where interval snapshots go.
pub enum LiveSink {
    /// Interval lines: JSON records into the output (stdout) or text on
    /// stderr.
    Lines {
        /// JSON records (with `--format json`) instead of text lines.
        json: bool,
    },
    /// Snapshots for `watch`'s screen, several a second; the receiver never
    /// waits: a snapshot the screen has not taken yet is replaced.
    Screen {
        /// The screen's end of the hand-over.
        tx: std::sync::mpsc::SyncSender<crate::live::Snapshot>,
        /// Set by the screen to reset the counters.
        reset: std::sync::Arc<std::sync::atomic::AtomicBool>,
        /// Starts the screen's thread, once the sockets are open and what
        /// is said about them has been said (nothing may be printed on the
        /// terminal while the screen is up).
        start: Option<ScreenStart>,
        /// The screen's thread, joined (the terminal restored) before the
        /// summary is printed.
        ui: Option<std::thread::JoinHandle<Result<()>>>,
    },
}

impl LiveSink {
    /// The interval statistics with this sink, closing an interval every
    /// `every`.
    pub fn every(self, every: std::time::Duration) -> Live {
        let now = Instant::now();
        Live {
            every,
            next: now + every,
            // The screen refreshes its totals and ages between intervals.
            publish: matches!(self, LiveSink::Screen { .. })
                .then(|| every.min(std::time::Duration::from_millis(250))),
            next_publish: now,
            model: crate::live::Intervals::new(now_ns(), crate::live::HISTORY),
            units: matches!(self, LiveSink::Screen { .. }).then(crate::live::Units::default),
            sink: self,
            drop_base: Vec::new(),
        }
    }
}

impl Live {
    /// Hangs up on the screen and waits until it has restored the
    /// terminal; its error, if it had one.
    fn finish(self) -> Result<()> {
        match self.sink {
            LiveSink::Screen { tx, ui, .. } => {
                drop(tx);
                match ui.map(|h| h.join()) {
                    Some(Ok(r)) => r,
                    Some(Err(_)) => Err(anyhow::anyhow!("the screen thread panicked")),
                    None => Ok(()),
                }
            }
            LiveSink::Lines { .. } => Ok(()),
        }
    }
}

/// Interval statistics while receiving (`--stats`, `watch`).
pub struct Live {
    every: std::time::Duration,
    next: Instant,
    publish: Option<std::time::Duration>,
    next_publish: Instant,
    model: crate::live::Intervals,
    units: Option<crate::live::Units>,
    sink: LiveSink,
    /// Kernel drop counters at the last reset, per socket.
    drop_base: Vec<u32>,
}

/// [`run`] with interval statistics going to `live` (`watch` sends them to
/// its screen).
/// `stop`: a stop flag already installed (by `watch`, whose screen sets it
/// on `q`), else one is installed here.
pub fn run_with(
    a: &ListenArgs,
    ctx: &Ctx,
    live: Option<Live>,
    stop: Option<Stop>,
) -> Result<Outcome> {
    if a.format == Format::Raw && io::stdout().is_terminal() && !a.force {
        return Err(usage(
            "--format raw writes payload bytes unescaped and stdout is a terminal; \
             pipe it (| xxd), use --format text or hex, or add --force",
        ));
    }
    let pcap_stdout = a.pcap.as_ref().is_some_and(|p| p.as_os_str() == "-");
    if pcap_stdout && !matches!(a.format, Format::Text | Format::Count) {
        return Err(usage(
            "--pcap - writes the capture to standard output, so no --format output can go there; \
             give the capture a file name, or drop --format",
        ));
    }
    if pcap_stdout && a.pcap_rotate.is_some() {
        return Err(usage(
            "--pcap-rotate needs a file name, not - (standard output)",
        ));
    }
    // With the capture on stdout, the text lines would corrupt it.
    let format = if pcap_stdout { Format::Count } else { a.format };
    for ep in &a.endpoints {
        plan::check(&ep.0.addr, ep.0.iface.as_ref(), &a.ifaces.iface, &a.source)?;
    }
    let resolver = Resolver::new()?;
    let plan =
        resolver.receive_plan(a.endpoints.iter().map(|e| &e.0), &a.ifaces.iface, &a.source)?;
    for w in plan.iter().flat_map(plan::receive_warnings) {
        ctx.warn(w);
    }
    // The capture records each datagram's TOS; nothing else shows it.
    let extras = sock::Extras {
        timestamps: true,
        tos: a.pcap.is_some(),
    };
    let mut socks = Vec::with_capacity(plan.len());
    for gs in plan
        .iter()
        .map(|g| sock::open_group_receivers(g, a.rcvbuf.0, extras))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
    {
        for m in &gs.memberships {
            ctx.debug(format_args!("joined {m}"));
        }
        if let Some(w) = sock::rcvbuf_shortfall(gs.rcvbuf, a.rcvbuf.0) {
            ctx.warn(w);
        }
        socks.push(gs);
    }
    if !ctx.quiet {
        for gs in &socks {
            let on: Vec<String> = gs.memberships.iter().map(|m| m.to_string()).collect();
            ctx.info(format_args!("listening: {}", on.join(", ")));
        }
    }
    let replier = match &a.reply {
        Some(text) => Some(Replier::new(text.as_bytes())?),
        None => None,
    };
    let pcap = match &a.pcap {
        Some(path) => Some(Sink::create(SinkConfig {
            path: path.clone(),
            layout: match a.pcap_format {
                PcapFormat::Pcapng => Layout::Pcapng,
                PcapFormat::Pcap => Layout::PcapSll2,
            },
            rotate: a.pcap_rotate,
            keep: a
                .pcap_keep
                .map(|k| usize::try_from(k.get()).unwrap_or(usize::MAX)),
        })?),
        None => None,
    };
    let stop = match stop {
        Some(s) => s,
        None => Stop::install()?,
    };
    let mut l = Listener {
        socks: &socks,
        resolver: &resolver,
        format,
        pcap,
        color: ctx.color_out,
        count: a.count.map(|c| c.get()),
        stats: Stats::default(),
        drops: vec![0; socks.len()],
        replier,
        received: 0,
        cot: CotView {
            ev: cot::Event::default(),
            text: String::new(),
            strict: a.cot_strict,
        },
        live,
    };
    if format == Format::Cot {
        l.stats.cot = Some(CotCounts {
            always_show: true,
            ..CotCounts::default()
        });
    }
    if let Some(Live {
        sink: LiveSink::Screen { start, ui, .. },
        ..
    }) = l.live.as_mut()
    {
        if let Some(f) = start.take() {
            *ui = Some(f()?);
        }
    }
    let started = Instant::now();
    let end = l.run(a.timeout.map(|t| started + t.0), &stop);
    // Interval lines end with the interval the run ended in, so that they
    // add up to the summary (iperf2 prints its last, shorter one too).
    if matches!(end, Ok(End::Count | End::Deadline | End::Signal)) {
        if let Some(live) = l
            .live
            .as_mut()
            .filter(|v| matches!(v.sink, LiveSink::Lines { .. }))
        {
            live.next = Instant::now();
            let mut out = Vec::new();
            l.live_tick(&mut out);
            if !out.is_empty() {
                emit(&out).context("write to standard output")?;
            }
        }
    }
    // The screen gives the terminal back before anything is printed.
    let screen = l.live.take().map_or(Ok(()), Live::finish);
    // The capture ends cleanly however the run ended (count, deadline,
    // Ctrl-C, SIGTERM, an error): whole blocks, statistics last.
    if let Some(sink) = l.pcap.take() {
        let packets = l.received;
        match sink.finish() {
            Ok(files) => {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                if !names.is_empty() {
                    ctx.info(format_args!(
                        "capture: {packets} datagram{} in {}",
                        if packets == 1 { "" } else { "s" },
                        names.join(", ")
                    ));
                }
            }
            Err(e) if end.is_ok() && !error::is_broken_pipe(&e) => return Err(e),
            Err(_) => {}
        }
    }
    let end = end?;
    screen?;
    let elapsed = started.elapsed();
    l.stats.kernel_drops = l.drops.iter().map(|&d| u64::from(d)).sum();
    if end == End::BrokenPipe {
        // `mcast listen ... | head -1`: the reader is gone; main ends quietly.
        return Err(io::Error::from(io::ErrorKind::BrokenPipe)).context("write to standard output");
    }
    if format == Format::Json {
        let mut o = io::stdout().lock();
        let mut line = Vec::new();
        output::write_json_value(&mut line, &l.stats.to_json(elapsed));
        line.push(b'\n');
        o.write_all(&line)
            .and_then(|_| o.flush())
            .context("write to standard output")?;
    }
    if !ctx.quiet {
        // A full or closed stderr must not abort the command.
        let _ = io::stderr()
            .lock()
            .write_all(l.stats.render_text(elapsed).as_bytes());
        if let Some(r) = &l.replier {
            if r.errors > 0 {
                ctx.warn(format_args!("{} replies could not be sent", r.errors));
            }
        }
    }
    Ok(match (l.count, a.timeout) {
        (Some(c), _) if l.received >= c => Outcome::Ok,
        (Some(_), _) => Outcome::NotMet,
        (None, Some(_)) if l.received == 0 => Outcome::NotMet,
        _ => Outcome::Ok,
    })
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    Count,
    Deadline,
    Signal,
    BrokenPipe,
}

struct Listener<'a> {
    socks: &'a [GroupSocket],
    resolver: &'a Resolver,
    format: Format,
    pcap: Option<Sink>,
    color: bool,
    count: Option<u64>,
    stats: Stats,
    drops: Vec<u32>,
    replier: Option<Replier>,
    received: u64,
    cot: CotView,
    live: Option<Live>,
}

/// CoT decoding for `--format cot` and the `cot` field of `--format json`.
/// The event and text buffers are reused from datagram to datagram.
struct CotView {
    ev: cot::Event,
    text: String,
    strict: bool,
}

impl CotView {
    fn decode(&mut self, stats: &mut Stats, payload: &[u8]) -> Option<Result<(), cot::CotError>> {
        let counts = stats.cot.get_or_insert_with(CotCounts::default);
        let kind = cot::classify(payload);
        if kind == cot::Kind::Unknown {
            counts.unknown += 1;
            return None;
        }
        let r = cot::decode_datagram_into(payload, &mut self.ev);
        match (&r, kind) {
            (Err(cot::CotError::Control { .. }), _) => counts.control += 1,
            (Err(_), _) => counts.malformed += 1,
            (Ok(()), cot::Kind::TakV1) => counts.tak += 1,
            (Ok(()), cot::Kind::TakStream) => {
                counts.tak += 1;
                counts.tak_stream += 1;
            }
            (Ok(()), _) => counts.xml += 1,
        }
        Some(r)
    }

    /// One readable line (after the header start), plus `strict:` lines.
    fn line(&mut self, out: &mut Vec<u8>, stats: &mut Stats, payload: &[u8], time_ns: u64) {
        let shown = &payload[..payload.len().min(200)];
        match self.decode(stats, payload) {
            None => {
                let _ = write!(out, " unknown/encrypted len={}: ", payload.len());
                crate::term::push_bytes(out, shown);
            }
            Some(Err(e @ cot::CotError::Control { .. })) => {
                out.push(b' ');
                crate::term::push_bytes(out, e.to_string().as_bytes());
            }
            Some(Err(e)) => {
                out.extend_from_slice(b" malformed (");
                crate::term::push_bytes(out, e.to_string().as_bytes());
                out.extend_from_slice(b"): ");
                crate::term::push_bytes(out, shown);
            }
            Some(Ok(())) => {
                self.text.clear();
                cot::write_summary(&self.ev, (time_ns / 1_000_000) as i64, &mut self.text);
                if self.ev.received_as == Some(cot::Kind::TakStream) {
                    // Say what it is: the TCP framing, where a datagram
                    // should carry BF 01 BF.
                    out.extend_from_slice(b" [TAK v1 in TCP stream framing]");
                }
                out.push(b' ');
                // write_summary escapes every untrusted string for a
                // terminal (controls, bidi overrides) and quotes values.
                out.extend_from_slice(self.text.as_bytes());
                if self.strict {
                    for reason in cot::strict_check(&self.ev, Some((time_ns / 1_000_000) as i64)) {
                        out.extend_from_slice(b"\n  strict: ");
                        crate::term::push_bytes(out, reason.as_bytes());
                    }
                }
            }
        }
        out.push(b'\n');
    }

    /// `,"cot":{...}` for a decoded event, `,"cot_error":"..."` for a
    /// malformed one, nothing for a payload that is not CoT.
    fn json_fields(&mut self, out: &mut Vec<u8>, stats: &mut Stats, payload: &[u8], time_ns: u64) {
        match self.decode(stats, payload) {
            None => {}
            Some(Err(cot::CotError::Control {
                min,
                max,
                contact_uid,
            })) => {
                let c = serde_json::json!({"min_version": min, "max_version": max, "contact_uid": contact_uid});
                out.extend_from_slice(b",\"tak_control\":");
                output::write_json_value(out, &c);
            }
            Some(Err(e)) => {
                out.extend_from_slice(b",\"cot_error\":");
                output::write_json_value(out, &e.to_string());
            }
            Some(Ok(())) => {
                let mut m = cot::cot_json(&self.ev, (time_ns / 1_000_000) as i64);
                if self.strict {
                    m.insert(
                        "strict".into(),
                        cot::strict_check(&self.ev, Some((time_ns / 1_000_000) as i64)).into(),
                    );
                }
                out.extend_from_slice(b",\"cot\":");
                output::write_json_value(out, &m);
            }
        }
    }
}

impl Listener<'_> {
    /// Closes an interval when one is due (lines into `out`, or a snapshot
    /// for the screen), publishes the screen's snapshot, applies a reset.
    fn live_tick(&mut self, out: &mut Vec<u8>) {
        let Some(l) = self.live.as_mut() else { return };
        let now = Instant::now();
        if let LiveSink::Screen { reset, .. } = &l.sink {
            if reset.swap(false, std::sync::atomic::Ordering::Relaxed) {
                self.stats.reset();
                l.model.reset(now_ns());
                if let Some(u) = l.units.as_mut() {
                    u.clear();
                }
                l.drop_base = self.drops.clone();
                l.next = now + l.every;
                self.received = 0;
            }
        }
        let close = now >= l.next;
        let publish = l.publish.is_some() && now >= l.next_publish;
        if !close && !publish {
            return;
        }
        let drops: Vec<(std::net::IpAddr, u16, u64)> = self
            .socks
            .iter()
            .zip(&self.drops)
            .enumerate()
            .map(|(i, (gs, &d))| {
                let base = l.drop_base.get(i).copied().unwrap_or(0);
                (gs.group, gs.port, u64::from(d.saturating_sub(base)))
            })
            .collect();
        let resolver = self.resolver;
        let name = |i: u32| resolver.name_of(i).to_string();
        let empty = crate::live::Units::default();
        let units = l.units.as_ref().unwrap_or(&empty);
        let snap = if close {
            // Catch up without a burst of empty intervals after a stall.
            l.next += l.every;
            if l.next <= now {
                l.next = now + l.every;
            }
            l.model
                .close(&mut self.stats, &drops, units, now_ns(), &name)
        } else {
            l.model.peek(&self.stats, &drops, units, now_ns(), &name)
        };
        if let Some(p) = l.publish {
            l.next_publish = now + p;
        }
        match &l.sink {
            LiveSink::Lines { json: true } => crate::live::write_interval_json(out, &snap),
            LiveSink::Lines { json: false } => {
                let mut text = Vec::new();
                crate::live::write_interval_text(&mut text, &snap);
                // A full or closed stderr must not stop the receiving.
                let _ = io::stderr().lock().write_all(&text);
            }
            LiveSink::Screen { tx, .. } => {
                // Never wait for the screen: if it has not taken the last
                // snapshot yet, this one is dropped and the next replaces it.
                let _ = tx.try_send(snap);
            }
        }
    }

    fn run(&mut self, deadline: Option<Instant>, stop: &Stop) -> Result<End> {
        let mut batch = RecvBatch::new(BATCH, MAX_DATAGRAM);
        let mut out: Vec<u8> = Vec::with_capacity(OUT_FLUSH + MAX_LINE_GUESS);
        let mut scratch = JsonScratch::default();
        let stdout = io::stdout();
        // stdout is locked per write, never for the whole loop: `watch`'s
        // screen thread draws on it meanwhile.
        let mut fds: Vec<PollFd<'_>> = self
            .socks
            .iter()
            .map(|s| PollFd::new(s.sock.as_fd(), PollFlags::POLLIN))
            .collect();
        // Also watch stdout with no events: the kernel still reports POLLERR
        // on a pipe whose reader left (`| head -1`), so we end at once
        // instead of at the next datagram. Files and terminals never do.
        fds.push(PollFd::new(stdout.as_fd(), PollFlags::empty()));
        let mut last_if = (0u32, "");
        loop {
            let mut wait = poll::left(deadline);
            if deadline.is_some() && wait.is_zero() {
                return Ok(End::Deadline);
            }
            if self.live.is_some() {
                self.live_tick(&mut out);
                if !out.is_empty() {
                    let w = emit(&out);
                    out.clear();
                    w.context("write to standard output")?;
                }
                if let Some(l) = &self.live {
                    let due = l.publish.map_or(l.next, |_| l.next.min(l.next_publish));
                    wait = wait.min(due.saturating_duration_since(Instant::now()));
                }
            }
            match poll::wait(&mut fds, wait, stop)? {
                Woke::Stopped => return Ok(End::Signal),
                Woke::Timeout => continue,
                Woke::Ready => {}
            }
            if poll::has(
                &fds[self.socks.len()],
                PollFlags::POLLERR | PollFlags::POLLHUP,
            ) {
                return Ok(End::BrokenPipe);
            }
            for (i, gs) in self.socks.iter().enumerate() {
                if !poll::has(&fds[i], PollFlags::all()) {
                    continue;
                }
                loop {
                    let n = batch
                        .recv(&gs.sock)
                        .with_context(|| format!("receive on {}:{}", gs.group, gs.port))?;
                    if n == 0 {
                        break;
                    }
                    // Drops since the last batch go on its first datagram in
                    // the capture (pcapng epb_dropcount).
                    let mut new_drops = 0u64;
                    if let Some(d) = batch.kernel_drops {
                        new_drops = u64::from(d.saturating_sub(self.drops[i]));
                        self.drops[i] = self.drops[i].max(d);
                    }
                    for (meta, payload) in batch.iter() {
                        // Another group (wildcard bind) or, for IPv6, another
                        // interface than the ones joined: not ours.
                        if !gs.accepts(meta.dst, meta.ifindex) {
                            continue;
                        }
                        let time_ns = meta.time_ns.unwrap_or_else(now_ns);
                        let seq = SeqHeader::read(payload);
                        self.stats.record_from(
                            StreamKey {
                                group: gs.group,
                                port: gs.port,
                                src: meta.src,
                            },
                            payload.len(),
                            seq,
                            time_ns,
                            meta.ttl,
                            meta.ifindex,
                        );
                        if let Some(units) = self.live.as_mut().and_then(|l| l.units.as_mut()) {
                            if cot::classify(payload) != cot::Kind::Unknown
                                && cot::decode_datagram_into(payload, &mut self.cot.ev).is_ok()
                            {
                                units.record(&self.cot.ev, meta.src, time_ns);
                            }
                        }
                        if meta.truncated {
                            self.stats.truncated += 1;
                        }
                        if last_if.0 != meta.ifindex {
                            last_if = (meta.ifindex, self.resolver.name_of(meta.ifindex));
                        }
                        let info = Info {
                            time_ns,
                            src: meta.src,
                            group: gs.group,
                            port: gs.port,
                            iface: last_if.1,
                            ttl: meta.ttl,
                            seq,
                            truncated: meta.truncated,
                        };
                        match self.format {
                            Format::Text => {
                                output::write_text(&mut out, &info, payload, self.color)
                            }
                            Format::Hex => output::write_hex(&mut out, &info, payload, self.color),
                            Format::Json => {
                                output::write_json_fields(&mut out, &info, payload, &mut scratch);
                                self.cot
                                    .json_fields(&mut out, &mut self.stats, payload, time_ns);
                                out.extend_from_slice(b"}\n");
                            }
                            Format::Raw => out.extend_from_slice(payload),
                            Format::Count => {}
                            Format::Cot => {
                                output::write_header_start(&mut out, &info, self.color);
                                self.cot.line(&mut out, &mut self.stats, payload, time_ns);
                            }
                        }
                        if let Some(sink) = &mut self.pcap {
                            let d = Datagram {
                                src: meta.src.ip(),
                                sport: meta.src.port(),
                                dst: meta.dst.unwrap_or(gs.group),
                                dport: gs.port,
                                ttl: meta.ttl.unwrap_or(64),
                                tos: meta.tos.unwrap_or(0),
                            };
                            sink.write(&d, time_ns, meta.ifindex, last_if.1, payload, new_drops)?;
                            new_drops = 0;
                        }
                        if let Some(r) = &mut self.replier {
                            r.reply(&gs.sock, meta.src, seq, payload);
                        }
                        self.received += 1;
                        // Written out before the buffer outgrows its first
                        // allocation: a batch of 64 large JSON lines would
                        // otherwise double it (resident memory, bench/run.sh).
                        if out.len() >= OUT_FLUSH {
                            let w = emit(&out);
                            out.clear();
                            w.context("write to standard output")?;
                        }
                        if self.count.is_some_and(|c| self.received >= c) {
                            break;
                        }
                    }
                    if !out.is_empty() {
                        let w = emit(&out);
                        out.clear();
                        w.context("write to standard output")?;
                    }
                    if let Some(sink) = &mut self.pcap {
                        sink.flush()?;
                    }
                    if self.count.is_some_and(|c| self.received >= c) {
                        return Ok(End::Count);
                    }
                    if n < BATCH {
                        break;
                    }
                }
            }
        }
    }
}

/// Sends `--reply` answers from an unbound socket per family. When the
/// datagram had a sequence header the reply starts with it, so the sender
/// can measure the exact round trip of that datagram.
/// `--reply`: answers each datagram to its sender from the socket it
/// arrived on, so the reply comes from the group's port like the classic
/// receiver's `recvfrom` then `sendto` (senders that filter replies by
/// source port accept it). The socket is bound to the group address, which
/// Linux never uses as a source: the kernel picks the route's address.
struct Replier {
    text: Vec<u8>,
    buf: Vec<u8>,
    errors: u64,
}

impl Replier {
    fn new(text: &[u8]) -> Result<Replier> {
        Ok(Replier {
            text: text.to_vec(),
            buf: Vec::with_capacity(text.len() + HEADER_LEN),
            errors: 0,
        })
    }

    fn reply(&mut self, sock: &Socket, to: SocketAddr, seq: Option<SeqHeader>, payload: &[u8]) {
        self.buf.clear();
        if seq.is_some() {
            self.buf.extend_from_slice(&payload[..HEADER_LEN]);
        }
        self.buf.extend_from_slice(&self.text);
        if sock.send_to(&self.buf, &SockAddr::from(to)).is_err() {
            self.errors += 1;
        }
    }
}
