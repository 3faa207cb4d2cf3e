//! A TAK-server style TCP peer for the bridge: CoT events written back to
//! back (XML, or TAK Protocol v1 stream framing `BF varint(len) payload`),
//! events read back and split on event boundaries, reconnection with
//! exponential backoff, and a bounded queue while disconnected.
//!
//! Everything is non-blocking and driven by the caller's `poll(2)` loop:
//! [`TcpPeer::interest`] says what to wait for, [`TcpPeer::on_ready`] does
//! the work. The queue is a byte ring plus frame lengths, so queueing an
//! event allocates nothing once the ring has grown.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::link::Host;
use super::policy::CotCache;
use super::tls::{Tls, TlsStream};
use crate::cot::stream::XmlEventSplitter;
use crate::cot::{self, CotError, Event, StreamDeframer};
use crate::poll::PollFlags;

/// Which TAK protocol a stream link speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakProto {
    /// XML until the server offers Protocol v1 (`t-x-takp-v`), then ask
    /// for it (`t-x-takp-q`) and switch on its answer (`t-x-takp-r`), as
    /// TAK clients do.
    Auto,
    /// XML only.
    Xml,
    /// Protocol v1 stream framing from the start.
    V1,
}

/// How events are framed on the TCP stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// XML events back to back (TAK servers' classic input, port 8087/8089).
    Xml,
    /// TAK Protocol v1 stream framing.
    TakV1,
}

const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A connection that lasted this long was a working one: the next failure
/// starts the backoff afresh. One that fails sooner (a server that closes
/// at once, a protocol mismatch) keeps doubling it.
const STABLE_AFTER: Duration = Duration::from_secs(10);
/// How long a TLS handshake may take before the port is taken for a plain
/// TCP one that waits silently for XML.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`TcpPeer::set_liveness`].
pub const DEFAULT_LIVENESS: Duration = Duration::from_secs(15);

/// An established connection: plain TCP or TLS over it.
enum Conn {
    Plain(Socket),
    Tls(Box<TlsStream>),
}

impl Conn {
    fn sock(&self) -> &Socket {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(t) => &t.sock,
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(t) => t.read(buf),
        }
    }

    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(data),
            Conn::Tls(t) => t.write(data),
        }
    }
}

enum State {
    /// Not connected; the next attempt is due at the instant.
    Idle(Instant),
    /// A non-blocking connect is in progress.
    Connecting(Socket, SocketAddr),
    /// Connected (for TLS: from the start of the handshake), since when.
    Connected(Conn, Instant),
}

enum Splitter {
    Xml(XmlEventSplitter),
    Tak(StreamDeframer),
}

/// What happened, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerEvent {
    /// Connected to the address.
    Connected(SocketAddr),
    /// Something worth a log line (protocol negotiation, a mismatch).
    Note(String),
    /// The connection failed or ended; retrying after the delay.
    Disconnected(String, Duration),
}

/// One TCP peer.
pub struct TcpPeer {
    host: Host,
    port: u16,
    /// TLS for a `tls:` link.
    tls: Option<Tls>,
    /// Bytes read on this connection (none yet: a mismatch can still show).
    got_bytes: bool,
    framing: Framing,
    /// The protocol asked for; `framing` is the one in use right now.
    proto: TakProto,
    /// A v1 request was sent; events wait for the server's answer.
    awaiting_v1: bool,
    /// The "server speaks XML" hint was given (once per run).
    told_xml: bool,
    state: State,
    backoff: Duration,
    ring: VecDeque<u8>,
    /// Lengths of the queued frames, and whether each is our own ping.
    frames: VecDeque<(usize, bool)>,
    /// Bytes of the front frame already written (a partial write).
    written: usize,
    cap: usize,
    splitter: Splitter,
    rbuf: Vec<u8>,
    /// Events dropped because the queue was full (oldest first).
    pub dropped: u64,
    /// Liveness: a connection silent this long gets a ping, and data the
    /// server does not acknowledge within it ends the connection.
    liveness: Duration,
    /// When something was last read or written on this connection.
    last_activity: Instant,
    /// Pings written (not counted in `sent`).
    pub pings: u64,
    /// The uid pings announce.
    uid: String,
    /// Connections made (the first one included).
    pub connects: u64,
    /// Events written to the peer.
    pub sent: u64,
    /// Events read from the peer.
    pub received: u64,
    /// Events from the peer that did not decode.
    pub malformed: u64,
}

impl TcpPeer {
    /// A peer for `host:port` (connects on the first [`tick`](Self::tick)),
    /// queueing at most `cap` events while disconnected.
    pub fn new(host: Host, port: u16, proto: TakProto, cap: usize, tls: Option<Tls>) -> TcpPeer {
        let framing = initial_framing(proto);
        TcpPeer {
            host,
            port,
            tls,
            got_bytes: false,
            framing,
            proto,
            awaiting_v1: false,
            told_xml: false,
            state: State::Idle(Instant::now()),
            backoff: BACKOFF_MIN,
            ring: VecDeque::new(),
            frames: VecDeque::new(),
            written: 0,
            cap: cap.max(1),
            splitter: new_splitter(framing),
            rbuf: vec![0; 1 << 16],
            dropped: 0,
            liveness: DEFAULT_LIVENESS,
            last_activity: Instant::now(),
            pings: 0,
            uid: "mcast-bridge".into(),
            connects: 0,
            sent: 0,
            received: 0,
            malformed: 0,
        }
    }

    /// Sets the liveness deadline: TCP keepalive and `TCP_USER_TIMEOUT`
    /// are derived from it, and a silent connection gets a `t-x-c-t` ping
    /// every half of it, so that there is always data the server's kernel
    /// must acknowledge: a server that stops answering (power cut, dropped
    /// route) is noticed within the deadline, not at the next write.
    pub fn set_liveness(&mut self, d: Duration) {
        self.liveness = d.max(Duration::from_secs(1));
    }

    /// The uid the peer's pings carry.
    pub fn set_uid(&mut self, uid: &str) {
        self.uid = uid.to_string();
    }

    /// `tcp:host:port` or `tls:host:port`, for messages.
    pub fn name(&self) -> String {
        let scheme = if self.tls.is_some() { "tls" } else { "tcp" };
        format!("{scheme}:{}:{}", self.host, self.port)
    }

    /// True while connected (for TLS: the handshake is done).
    pub fn connected(&self) -> bool {
        match &self.state {
            State::Connected(Conn::Tls(t), ..) => !t.handshaking(),
            State::Connected(..) => true,
            _ => false,
        }
    }

    /// Queues a datagram's CoT event for the peer, converting it to the
    /// peer's framing (through `cot`, which decodes the datagram at most
    /// once for every rule and peer that needs the event). Returns false
    /// when the payload is not a CoT event (the caller counts it as
    /// filtered).
    pub fn enqueue_datagram(
        &mut self,
        payload: &[u8],
        cot: &mut CotCache,
        scratch: &mut Vec<u8>,
    ) -> bool {
        scratch.clear();
        let ok = match (cot::classify(payload), self.framing) {
            (cot::Kind::Xml, Framing::Xml) => {
                // Forward the event's bytes as they came (minus leading
                // whitespace), so nothing is lost in translation.
                let start = payload
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                scratch.extend_from_slice(&payload[start..]);
                true
            }
            (cot::Kind::TakV1, Framing::TakV1) => {
                // Same protobuf, only the framing differs.
                let body = &payload[cot::tak::MESH_HEADER.len()..];
                cot::tak::push_stream_header(scratch, body.len());
                scratch.extend_from_slice(body);
                true
            }
            (cot::Kind::Unknown, _) => false,
            (_, framing) => match cot.get(payload) {
                Some(ev) => match framing {
                    Framing::Xml => cot::write_xml(ev, scratch).is_ok(),
                    Framing::TakV1 => cot::write_tak_stream(ev, scratch).is_ok(),
                },
                None => false,
            },
        };
        if ok {
            self.enqueue(scratch);
        }
        ok
    }

    fn enqueue(&mut self, frame: &[u8]) {
        // Drop the oldest whole event, never the one being written.
        while self.frames.len() >= self.cap {
            let keep_front = self.written > 0;
            let idx = usize::from(keep_front);
            if idx >= self.frames.len() {
                break;
            }
            let skip: usize = self.frames.iter().take(idx).map(|f| f.0).sum();
            let len = self.frames.remove(idx).map_or(0, |f| f.0);
            self.ring.drain(skip..skip + len);
            self.dropped += 1;
        }
        self.ring.extend(frame);
        self.frames.push_back((frame.len(), false));
    }

    /// Queues a `t-x-c-t` ping in the peer's framing.
    fn queue_ping(&mut self) {
        let mut ev = Event::default();
        ev.uid.push_str(&self.uid);
        ev.type_.push_str("t-x-c-t");
        ev.how.push_str("h-g-i-g-o");
        let now = crate::pace::now_ns() / 1_000_000;
        ev.time = i64::try_from(now).unwrap_or(0);
        ev.start = ev.time;
        ev.stale = ev.time + 20_000;
        let mut frame = Vec::new();
        let ok = match self.framing {
            Framing::Xml => cot::write_xml(&ev, &mut frame).is_ok(),
            Framing::TakV1 => cot::write_tak_stream(&ev, &mut frame).is_ok(),
        };
        if ok {
            self.ring.extend(&frame);
            self.frames.push_back((frame.len(), true));
        }
    }

    /// Events waiting to be written.
    pub fn queued(&self) -> usize {
        self.frames.len()
    }

    /// Starts a connection attempt when one is due.
    pub fn tick(&mut self, now: Instant) -> Option<PeerEvent> {
        if let State::Connected(Conn::Tls(t), since) = &self.state {
            if t.handshaking() && now.duration_since(*since) >= HANDSHAKE_TIMEOUT {
                let why = format!(
                    "{}: no TLS handshake within {}s: a plain TCP port waiting for XML? (use tcp:HOST:PORT)",
                    self.name(),
                    HANDSHAKE_TIMEOUT.as_secs()
                );
                return Some(self.fail(why));
            }
        }
        if self.connected()
            && self.frames.is_empty()
            && now.duration_since(self.last_activity) >= self.liveness / 2
        {
            self.queue_ping();
            self.last_activity = now;
            return self.flush();
        }
        let State::Idle(at) = self.state else {
            return None;
        };
        if now < at {
            return None;
        }
        match self.start_connect() {
            Ok(st) => {
                self.state = st;
                None
            }
            Err(e) => Some(self.fail(format!("connect {}: {e}", self.name()))),
        }
    }

    fn start_connect(&mut self) -> io::Result<State> {
        // Name resolution blocks; it happens only on (re)connect.
        let addr = super::resolve(&self.host, self.port)?;
        let s = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        s.set_nonblocking(true)?;
        s.set_tcp_nodelay(true)?;
        let idle = self.liveness;
        s.set_tcp_keepalive(
            &socket2::TcpKeepalive::new()
                .with_time(idle / 2)
                .with_interval((idle / 6).max(Duration::from_secs(1)))
                .with_retries(3),
        )?;
        s.set_tcp_user_timeout(Some(idle))?;
        match s.connect(&SockAddr::from(addr)) {
            Ok(()) => Ok(State::Connecting(s, addr)),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(State::Connecting(s, addr)),
            Err(e) => Err(e),
        }
    }

    fn fail(&mut self, why: String) -> PeerEvent {
        if let State::Connected(_, since) = &self.state {
            if since.elapsed() >= STABLE_AFTER {
                self.backoff = BACKOFF_MIN;
            }
        }
        self.got_bytes = false;
        let wait = self.backoff;
        self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        self.state = State::Idle(Instant::now() + wait);
        // A partly written event is resent whole after reconnecting.
        self.written = 0;
        // A new connection starts over: XML until negotiated again.
        self.framing = initial_framing(self.proto);
        self.awaiting_v1 = false;
        self.splitter = new_splitter(self.framing);
        PeerEvent::Disconnected(why, wait)
    }

    /// The socket and poll events to wait for, if any.
    pub fn interest(&self) -> Option<(BorrowedFd<'_>, PollFlags)> {
        match &self.state {
            State::Idle(_) => None,
            State::Connecting(s, _) => Some((s.as_fd(), PollFlags::POLLOUT)),
            State::Connected(c, ..) => {
                // During a TLS handshake only rustls' own records wait to
                // go out (events wait for the handshake to finish).
                let (tls_out, handshaking) = match c {
                    Conn::Tls(t) => (t.wants_write(), t.handshaking()),
                    Conn::Plain(_) => (false, false),
                };
                let w = if (self.frames.is_empty() || handshaking) && !tls_out {
                    PollFlags::empty()
                } else {
                    PollFlags::POLLOUT
                };
                Some((c.sock().as_fd(), PollFlags::POLLIN | w))
            }
        }
    }

    /// When the next connection attempt is due, if idle.
    pub fn next_attempt(&self) -> Option<Instant> {
        match self.state {
            State::Idle(at) => Some(at),
            _ => None,
        }
    }

    /// Handles readiness; events read from the peer are appended to
    /// `incoming` as datagram payloads (XML as is, TAK v1 as mesh datagrams).
    pub fn on_ready(
        &mut self,
        revents: PollFlags,
        incoming: &mut Vec<Vec<u8>>,
    ) -> Option<PeerEvent> {
        if let State::Connecting(s, addr) = &self.state {
            if !revents.intersects(PollFlags::POLLOUT | PollFlags::POLLERR | PollFlags::POLLHUP) {
                return None;
            }
            let addr = *addr;
            return match s.take_error() {
                Ok(None) => {
                    let State::Connecting(s, _) =
                        std::mem::replace(&mut self.state, State::Idle(Instant::now()))
                    else {
                        return None;
                    };
                    let conn = match &self.tls {
                        None => Conn::Plain(s),
                        Some(tls) => {
                            let host = self.host.to_string();
                            let mut t = match tls.connect(&host) {
                                Ok(c) => TlsStream::new(s, c),
                                Err(e) => return Some(self.fail(format!("{}: {e}", self.name()))),
                            };
                            if let Err(e) = t.push() {
                                return Some(self.fail(format!("TLS to {}: {e}", self.name())));
                            }
                            Conn::Tls(Box::new(t))
                        }
                    };
                    self.state = State::Connected(conn, Instant::now());
                    self.connects += 1;
                    self.last_activity = Instant::now();
                    Some(PeerEvent::Connected(addr))
                }
                Ok(Some(e)) | Err(e) => {
                    Some(self.fail(format!("connect {} ({addr}): {e}", self.name())))
                }
            };
        }
        if revents.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
            if let Some(ev) = self.read(incoming) {
                return Some(ev);
            }
        }
        if revents.contains(PollFlags::POLLOUT) {
            return self.flush();
        }
        None
    }

    fn read(&mut self, incoming: &mut Vec<Vec<u8>>) -> Option<PeerEvent> {
        loop {
            let State::Connected(c, since) = &mut self.state else {
                return None;
            };
            let (tls, quick) = (
                matches!(c, Conn::Tls(_)),
                since.elapsed() < Duration::from_secs(2),
            );
            let n = match c.read(&mut self.rbuf) {
                Ok(0) => {
                    // A server that hangs up at once, having said nothing,
                    // is often a TLS port that got plain XML.
                    let hint = if !tls && quick && !self.got_bytes {
                        " at once (a TLS port? use tls:HOST:PORT with --p12 or --cert/--key)"
                    } else {
                        ""
                    };
                    return Some(self.fail(format!("{} closed the connection{hint}", self.name())));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let what = if tls { "TLS with" } else { "read from" };
                    // A TLS server resets a connection that sent plain XML.
                    let hint = if !tls
                        && quick
                        && !self.got_bytes
                        && e.raw_os_error() == Some(libc::ECONNRESET)
                    {
                        " (a TLS port? use tls:HOST:PORT with --p12 or --cert/--key)"
                    } else {
                        ""
                    };
                    return Some(self.fail(format!("{what} {}: {e}{hint}", self.name())));
                }
            };
            let data = &self.rbuf[..n];
            // TLS records start 0x15 0x03 (alert) or 0x16 0x03 (handshake):
            // a TLS server answering our plain XML.
            if !tls && !self.got_bytes && n >= 2 && matches!(data[0], 0x15 | 0x16) && data[1] == 3 {
                let why = format!(
                    "{} answers in TLS: use tls:{}:{} with --p12 or --cert/--key",
                    self.name(),
                    self.host,
                    self.port
                );
                return Some(self.fail(why));
            }
            self.got_bytes = true;
            self.last_activity = Instant::now();
            if self.proto == TakProto::V1 && !self.told_xml && data.first() == Some(&b'<') {
                self.told_xml = true;
                return Some(PeerEvent::Note(format!(
                    "{} speaks XML, but --tak-proto 1 forces TAK Protocol v1: use --tak-proto auto (or 0)",
                    self.name()
                )));
            }
            let mut note = None;
            let r: Result<(), CotError> = match &mut self.splitter {
                Splitter::Xml(x) => {
                    x.push(data);
                    let mut switch = false;
                    let r = loop {
                        match x.next_event() {
                            Ok(Some(f)) => match negotiation(f) {
                                Some(Negotiation::Offer { v1 }) => {
                                    if v1 && self.proto == TakProto::Auto && !self.awaiting_v1 {
                                        self.awaiting_v1 = true;
                                        note = Some(format!(
                                            "{} offers TAK Protocol v1: asking for it",
                                            self.host
                                        ));
                                        let req = request_v1(&self.uid);
                                        self.ring.extend(req.as_bytes());
                                        self.frames.push_back((req.len(), true));
                                    }
                                }
                                Some(Negotiation::Response { ok }) => {
                                    if ok && self.awaiting_v1 {
                                        switch = true;
                                        break Ok(());
                                    }
                                    self.awaiting_v1 = false;
                                    note = Some(format!(
                                        "{} refused TAK Protocol v1: staying on XML",
                                        self.host
                                    ));
                                }
                                None => {
                                    self.received += 1;
                                    incoming.push(f.to_vec());
                                }
                            },
                            Ok(None) => break Ok(()),
                            // The XML splitter resynchronises by itself.
                            Err(_) => self.malformed += 1,
                        }
                    };
                    if switch {
                        // What follows the answer is already v1.
                        let rest = x.take_rest();
                        self.switch_to_v1();
                        note = Some(format!("{}: switched to TAK Protocol v1", self.name()));
                        if let Splitter::Tak(t) = &mut self.splitter {
                            t.push(&rest);
                        }
                        self.drain_v1(incoming)
                    } else {
                        r
                    }
                }
                Splitter::Tak(t) => {
                    t.push(data);
                    loop {
                        match t.next_frame() {
                            Ok(Some(f)) => {
                                self.received += 1;
                                let mut d = Vec::with_capacity(f.len() + 3);
                                d.extend_from_slice(&cot::tak::MESH_HEADER);
                                d.extend_from_slice(f);
                                incoming.push(d);
                            }
                            Ok(None) => break Ok(()),
                            Err(e) => break Err(e),
                        }
                    }
                }
            };
            if let Err(e) = r {
                // A broken TAK stream cannot be resynchronised: reconnect.
                self.malformed += 1;
                return Some(self.fail(format!("bad frame from {}: {e}", self.name())));
            }
            if let Some(n) = note {
                return Some(PeerEvent::Note(n));
            }
        }
    }

    /// Reads the v1 frames the deframer holds.
    fn drain_v1(&mut self, incoming: &mut Vec<Vec<u8>>) -> Result<(), CotError> {
        let Splitter::Tak(t) = &mut self.splitter else {
            return Ok(());
        };
        loop {
            match t.next_frame()? {
                Some(f) => {
                    self.received += 1;
                    let mut d = Vec::with_capacity(f.len() + 3);
                    d.extend_from_slice(&cot::tak::MESH_HEADER);
                    d.extend_from_slice(f);
                    incoming.push(d);
                }
                None => return Ok(()),
            }
        }
    }

    /// The server agreed to Protocol v1: read and write v1 from now on,
    /// re-encoding the events still queued as XML.
    fn switch_to_v1(&mut self) {
        self.awaiting_v1 = false;
        self.framing = Framing::TakV1;
        self.splitter = new_splitter(Framing::TakV1);
        let keep = usize::from(self.written > 0);
        let mut ring: VecDeque<u8> = VecDeque::with_capacity(self.ring.len());
        let mut frames = VecDeque::with_capacity(self.frames.len());
        let all: Vec<u8> = self.ring.iter().copied().collect();
        let mut at = 0;
        for (i, &(len, ping)) in self.frames.iter().enumerate() {
            let bytes = &all[at..at + len];
            at += len;
            if i < keep || ping {
                // A partly written frame goes out as it is; pings (and
                // the request) are not events.
                if i < keep {
                    ring.extend(bytes);
                    frames.push_back((len, ping));
                }
                continue;
            }
            let mut out = Vec::new();
            if cot::parse_xml(bytes)
                .ok()
                .is_some_and(|ev| cot::write_tak_stream(&ev, &mut out).is_ok())
            {
                ring.extend(&out);
                frames.push_back((out.len(), false));
            } else {
                self.dropped += 1;
            }
        }
        self.ring = ring;
        self.frames = frames;
    }

    /// Writes queued events until the socket would block.
    pub fn flush(&mut self) -> Option<PeerEvent> {
        if let State::Connected(Conn::Tls(t), ..) = &mut self.state {
            if let Err(e) = t.push() {
                return Some(self.fail(format!("TLS with {}: {e}", self.name())));
            }
            // Events wait for the handshake: until then they would only
            // pile up in rustls' buffer, and `sent` must mean sent.
            if t.handshaking() {
                return None;
            }
        }
        while let Some(&(len, ping)) = self.frames.front() {
            // While v1 is being negotiated only the request may go out:
            // events wait to be written in whichever framing is agreed.
            if self.awaiting_v1 && !ping && self.written == 0 {
                return None;
            }
            let State::Connected(s, ..) = &mut self.state else {
                return None;
            };
            let (a, b) = self.ring.as_slices();
            let frame_left = len - self.written;
            let chunk = if a.len() > self.written {
                let a = &a[self.written..];
                &a[..a.len().min(frame_left)]
            } else {
                let off = self.written - a.len();
                &b[off..(off + frame_left).min(b.len())]
            };
            match s.write(chunk) {
                Ok(0) => {
                    return Some(self.fail(format!("write to {}: connection closed", self.name())))
                }
                Ok(n) => {
                    self.written += n;
                    self.last_activity = Instant::now();
                    if self.written == len {
                        self.ring.drain(..len);
                        self.frames.pop_front();
                        self.written = 0;
                        if ping {
                            self.pings += 1;
                        } else {
                            self.sent += 1;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(self.fail(format!("write to {}: {e}", self.name()))),
            }
        }
        None
    }
}

fn initial_framing(p: TakProto) -> Framing {
    match p {
        TakProto::V1 => Framing::TakV1,
        TakProto::Auto | TakProto::Xml => Framing::Xml,
    }
}

/// A TAK server's protocol negotiation message.
#[derive(Debug, PartialEq, Eq)]
enum Negotiation {
    /// `t-x-takp-v`: the versions the server supports.
    Offer { v1: bool },
    /// `t-x-takp-r`: its answer to our request.
    Response { ok: bool },
}

/// Recognises `t-x-takp-v` and `t-x-takp-r` events (by their type, then
/// their `TakControl` detail).
fn negotiation(frame: &[u8]) -> Option<Negotiation> {
    let find = |b: &[u8], pat: &[u8]| b.windows(pat.len()).any(|w| w == pat);
    let has_type = |t: &[u8]| {
        find(frame, &[b"type=\"", t, b"\""].concat()) || find(frame, &[b"type='", t, b"'"].concat())
    };
    if has_type(b"t-x-takp-v") {
        let v1 = cot::parse_xml(frame).ok().is_some_and(|ev| {
            let x = ev.detail.xml_detail;
            x.contains("TakProtocolSupport") && x.contains("version=\"1\"")
        });
        return Some(Negotiation::Offer { v1 });
    }
    if has_type(b"t-x-takp-r") {
        let ok = cot::parse_xml(frame)
            .ok()
            .is_some_and(|ev| ev.detail.xml_detail.contains("status=\"true\""));
        return Some(Negotiation::Response { ok });
    }
    None
}

/// The client's `t-x-takp-q` asking for Protocol v1.
fn request_v1(uid: &str) -> String {
    let now = i64::try_from(crate::pace::now_ns() / 1_000_000).unwrap_or(0);
    let t = cot::format_time(now).unwrap_or_default();
    let stale = cot::format_time(now + 60_000).unwrap_or_default();
    let mut uid_esc = String::new();
    let _ = cot::escape::escape_attr(uid, &mut uid_esc);
    format!(
        "<event version=\"2.0\" uid=\"{uid_esc}\" type=\"t-x-takp-q\" how=\"m-g\" time=\"{t}\" start=\"{t}\" stale=\"{stale}\"><point lat=\"0.0\" lon=\"0.0\" hae=\"0.0\" ce=\"999999.0\" le=\"999999.0\"/><detail><TakControl><TakRequest version=\"1\"/></TakControl></detail></event>"
    )
}

fn new_splitter(f: Framing) -> Splitter {
    match f {
        Framing::Xml => Splitter::Xml(XmlEventSplitter::new()),
        Framing::TakV1 => Splitter::Tak(StreamDeframer::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_drops_oldest_and_keeps_order() {
        let host = Host::Ip {
            addr: "127.0.0.1".parse().unwrap(),
            zone: None,
        };
        let mut p = TcpPeer::new(host, 9, TakProto::Xml, 2, None);
        let mut scratch = Vec::new();
        let mut cot = CotCache::new();
        for i in 0..3 {
            let ev = format!("<event uid='{i}'/>");
            cot.reset();
            assert!(p.enqueue_datagram(ev.as_bytes(), &mut cot, &mut scratch));
        }
        assert_eq!(p.queued(), 2);
        assert_eq!(p.dropped, 1);
        let all: Vec<u8> = p.ring.iter().copied().collect();
        assert_eq!(
            String::from_utf8(all).unwrap(),
            "<event uid='1'/><event uid='2'/>"
        );
        cot.reset();
        assert!(!p.enqueue_datagram(b"\xde\xad", &mut cot, &mut scratch));
    }
}
