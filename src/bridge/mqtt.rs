//! An MQTT broker as a bridge link (`mqtt://`, `mqtts://`), through
//! rumqttc's synchronous client: one message per datagram, the payload
//! unchanged (what PyTAK publishes and expects), QoS 0 by default, retain
//! off.
//!
//! rumqttc's connection is driven by a thread of its own (the crate runs
//! a single-threaded tokio runtime inside `Connection::recv`); the bridge's
//! `poll(2)` loop publishes through the cloneable `Client`, which only
//! queues a request, and learns of received messages and connection
//! changes through a channel whose arrival is signalled on a socket pair
//! the loop polls. The thread reconnects with the TCP link's backoff.
//!
//! MQTT 5 is asked for first: its `no_local` subscription option keeps the
//! broker from sending the bridge its own publications. A broker that
//! answers a version-5 CONNECT as a 3.1.1 broker does (refusal code 1, a
//! CONNACK without properties, or closing the connection) is spoken to in
//! 3.1.1 from then on; there, own publications come back, and the peer
//! recognises them by their fingerprint (see [`MqttPeer::is_echo`]).

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rumqttc::v5::mqttbytes as m5b;
use rumqttc::v5::mqttbytes::v5 as m5;

use super::filter::DedupWindow;
use super::link::{Host, MqttUrl};
use super::tls::Tls;

/// Which MQTT version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MqttVersion {
    /// 5, falling back to 3.1.1 for a broker that does not speak 5.
    Auto,
    /// MQTT 5 only.
    V5,
    /// MQTT 3.1.1 only.
    V311,
}

/// How an MQTT link behaves, from the command line.
#[derive(Debug, Clone)]
pub struct MqttOptions {
    /// Client identifier (unique per broker: a second client with the same
    /// id makes the broker drop the first).
    pub client_id: String,
    /// QoS of publications and of the subscription: 0 or 1.
    pub qos: u8,
    /// Protocol version.
    pub version: MqttVersion,
    /// Keepalive interval (PINGREQ when nothing else was sent).
    pub keepalive: Duration,
    /// Publications queued while the broker is slow or unreachable; more
    /// are dropped and counted.
    pub queue: usize,
    /// TLS for `mqtts://`.
    pub tls: Option<Tls>,
}

/// What happened, for the log (the TCP link's events, for one log style).
pub use super::tcp::PeerEvent;

/// Largest MQTT packet accepted and sent: a 64 KiB datagram, its topic and
/// the headers fit (rumqttc's default is 10 KiB).
const MAX_PACKET: usize = 1 << 17;
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A connection that lasted this long resets the backoff.
const STABLE_AFTER: Duration = Duration::from_secs(10);
/// How long [`MqttPeer::close`] waits for queued publications to leave.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// How long an own publication is recognised when it comes back (3.1.1).
const ECHO_WINDOW: Duration = Duration::from_secs(10);

/// The client of the version in use.
#[derive(Clone)]
enum AnyClient {
    V4(rumqttc::Client),
    V5(rumqttc::v5::Client),
}

impl AnyClient {
    fn publish(&self, topic: String, qos: u8, payload: &[u8]) -> bool {
        match self {
            AnyClient::V4(c) => c
                .try_publish(topic, v4_qos(qos), false, payload.to_vec())
                .is_ok(),
            AnyClient::V5(c) => c
                .try_publish(topic, v5_qos(qos), false, payload.to_vec())
                .is_ok(),
        }
    }

    fn subscribe(&self, filter: &str, qos: u8) -> bool {
        match self {
            AnyClient::V4(c) => c.try_subscribe(filter, v4_qos(qos)).is_ok(),
            AnyClient::V5(c) => {
                let f = m5::Filter {
                    path: filter.to_string(),
                    qos: v5_qos(qos),
                    // The loop guard: the broker does not send us our own.
                    nolocal: true,
                    preserve_retain: false,
                    // Retained messages are old state, not traffic.
                    retain_forward_rule: m5::RetainForwardRule::Never,
                };
                c.try_subscribe_many([f]).is_ok()
            }
        }
    }

    fn disconnect(&self) {
        match self {
            AnyClient::V4(c) => drop(c.try_disconnect()),
            AnyClient::V5(c) => drop(c.try_disconnect()),
        }
    }
}

fn v4_qos(q: u8) -> rumqttc::QoS {
    if q == 0 {
        rumqttc::QoS::AtMostOnce
    } else {
        rumqttc::QoS::AtLeastOnce
    }
}

fn v5_qos(q: u8) -> m5b::QoS {
    if q == 0 {
        m5b::QoS::AtMostOnce
    } else {
        m5b::QoS::AtLeastOnce
    }
}

/// One event of either version's connection, reduced to what the bridge
/// needs.
enum Ev {
    ConnAck,
    Publish {
        topic: String,
        payload: Vec<u8>,
        retained: bool,
    },
    Written,
    SubAck(bool),
    Disconnected,
    Other,
    Error(ConnError),
    /// Every client is gone.
    Done,
}

/// A failed connection: what to tell the user, and whether the broker
/// looked like one that does not speak the version we asked for.
struct ConnError {
    why: String,
    version_mismatch: bool,
}

enum AnyConnection {
    V4(Box<rumqttc::Connection>),
    V5(Box<rumqttc::v5::Connection>),
}

impl AnyConnection {
    fn recv(&mut self) -> Ev {
        match self {
            AnyConnection::V4(c) => match c.recv() {
                Err(_) => Ev::Done,
                Ok(Ok(rumqttc::Event::Incoming(p))) => match p {
                    rumqttc::Packet::ConnAck(_) => Ev::ConnAck,
                    rumqttc::Packet::Publish(p) => Ev::Publish {
                        topic: p.topic,
                        payload: p.payload.to_vec(),
                        retained: p.retain,
                    },
                    rumqttc::Packet::SubAck(a) => Ev::SubAck(
                        a.return_codes
                            .iter()
                            .all(|c| matches!(c, rumqttc::SubscribeReasonCode::Success(_))),
                    ),
                    _ => Ev::Other,
                },
                Ok(Ok(rumqttc::Event::Outgoing(o))) => outgoing(o),
                Ok(Err(e)) => Ev::Error(v4_error(e)),
            },
            AnyConnection::V5(c) => match c.recv() {
                Err(_) => Ev::Done,
                Ok(Ok(rumqttc::v5::Event::Incoming(p))) => match p {
                    m5::Packet::ConnAck(_) => Ev::ConnAck,
                    m5::Packet::Publish(p) => Ev::Publish {
                        topic: String::from_utf8_lossy(&p.topic).into_owned(),
                        payload: p.payload.to_vec(),
                        retained: p.retain,
                    },
                    m5::Packet::SubAck(a) => Ev::SubAck(
                        a.return_codes
                            .iter()
                            .all(|c| matches!(c, m5::SubscribeReasonCode::Success(_))),
                    ),
                    m5::Packet::Disconnect(d) => Ev::Error(ConnError {
                        why: format!("the broker disconnected us ({:?})", d.reason_code),
                        version_mismatch: false,
                    }),
                    _ => Ev::Other,
                },
                Ok(Ok(rumqttc::v5::Event::Outgoing(o))) => outgoing(o),
                Ok(Err(e)) => Ev::Error(v5_error(e)),
            },
        }
    }
}

fn outgoing(o: rumqttc::Outgoing) -> Ev {
    match o {
        rumqttc::Outgoing::Publish(_) => Ev::Written,
        rumqttc::Outgoing::Disconnect => Ev::Disconnected,
        _ => Ev::Other,
    }
}

/// True for I/O errors of a broker that closed the connection right after
/// our CONNECT, which is how many 3.1.1 brokers answer version 5.
fn closed_on_us(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

/// A connection the broker closed before answering CONNECT: most often
/// plain MQTT sent to a TLS port, so say so.
fn closed_hint(why: String, closed: bool) -> String {
    if closed {
        format!(
            "{why}: the broker closed the connection without answering (a TLS port needs mqtts://)"
        )
    } else {
        why
    }
}

/// True when an error's text shows the peer closed the connection.
fn looks_closed(e: &dyn std::error::Error) -> bool {
    let t = e.to_string();
    t.contains("Connection reset")
        || t.contains("connection closed")
        || t.contains("UnexpectedEof")
        || t.contains("end of file")
}

/// The TLS reason, in the words the `tls:` link uses, when the error is
/// rustls's.
fn tls_reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        if let Some(r) = x.downcast_ref::<rustls::Error>() {
            return super::tls::explain(r);
        }
        if let Some(io) = x.downcast_ref::<io::Error>() {
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return super::tls::explain(r);
            }
        }
        cur = x.source();
    }
    e.to_string()
}

fn v4_error(e: rumqttc::ConnectionError) -> ConnError {
    use rumqttc::ConnectReturnCode as C;
    let (why, version_mismatch) = match &e {
        rumqttc::ConnectionError::ConnectionRefused(c) => (
            match c {
                C::BadUserNamePassword => "the broker refused the user name or password".into(),
                C::NotAuthorized => NOT_AUTHORIZED.into(),
                C::BadClientId => "the broker refused the client id (--mqtt-client-id)".into(),
                C::RefusedProtocolVersion => "the broker refused MQTT 3.1.1".into(),
                other => format!("the broker refused the connection ({other:?})"),
            },
            false,
        ),
        rumqttc::ConnectionError::Tls(t) => (format!("TLS: {}", tls_reason(t)), false),
        rumqttc::ConnectionError::Io(io) => (closed_hint(io.to_string(), closed_on_us(io)), false),
        other => (closed_hint(other.to_string(), looks_closed(other)), false),
    };
    ConnError {
        why,
        version_mismatch,
    }
}

fn v5_error(e: rumqttc::v5::ConnectionError) -> ConnError {
    use m5::ConnectReturnCode as C;
    use rumqttc::v5::ConnectionError as E;
    let (why, version_mismatch) = match &e {
        E::ConnectionRefused(c) => (
            match c {
                C::BadUserNamePassword => "the broker refused the user name or password".into(),
                C::NotAuthorized => NOT_AUTHORIZED.into(),
                C::ClientIdentifierNotValid | C::BadClientId => {
                    "the broker refused the client id (--mqtt-client-id)".into()
                }
                C::Banned => "the broker has banned this client".into(),
                other => format!("the broker refused the connection ({other:?})"),
            },
            matches!(c, C::UnsupportedProtocolVersion | C::RefusedProtocolVersion),
        ),
        E::Tls(t) => (format!("TLS: {}", tls_reason(t)), false),
        E::Io(io) => (
            closed_hint(io.to_string(), closed_on_us(io)),
            closed_on_us(io),
        ),
        // A 3.1.1 CONNACK (refusal code 1, no properties) does not decode
        // as a version-5 one.
        E::MqttState(s) => (closed_hint(s.to_string(), looks_closed(s)), true),
        E::NotConnAck(_) => (e.to_string(), true),
        other => (other.to_string(), false),
    };
    ConnError {
        why,
        version_mismatch,
    }
}

/// mosquitto answers a wrong password with "not authorized", not with
/// "bad user name or password".
const NOT_AUTHORIZED: &str =
    "the broker refused: not authorized (check the user name and password in the URL)";

/// Counters the connection thread keeps and the bridge reads.
#[derive(Default)]
struct Shared {
    connected: AtomicBool,
    connects: AtomicU64,
    written: AtomicU64,
    received: AtomicU64,
    /// Messages in the channel not yet taken by the bridge.
    backlog: AtomicUsize,
    /// Messages dropped because the bridge fell behind.
    overflow: AtomicU64,
    /// A wake-up byte is on its way (one is enough).
    wake_pending: AtomicBool,
    /// 5 or 3 (3.1.1) once connected, 0 before.
    version: AtomicUsize,
    stop: AtomicBool,
}

/// What the thread hands the bridge.
enum Up {
    Message(String, Vec<u8>),
    Event(PeerEvent),
    /// The version changed: publish through this client from now on.
    Client(AnyClient),
    Ended,
}

/// One MQTT broker link.
pub struct MqttPeer {
    name: String,
    qos: u8,
    client: AnyClient,
    up: mpsc::Receiver<Up>,
    wake: UnixStream,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// Publications handed to the client.
    accepted: u64,
    /// Publications refused because the queue was full.
    pub dropped: u64,
    topic: String,
    /// Fingerprints of recent publications, for brokers without no_local.
    echo: DedupWindow,
}

/// The broker host as rumqttc wants it: a name, or an address without
/// brackets.
fn host_text(h: &Host) -> String {
    match h {
        Host::Ip { addr, .. } => addr.to_string(),
        Host::Name(n) => n.clone(),
    }
}

/// TCP_NODELAY: a datagram is one small message that should leave now,
/// not wait for Nagle's algorithm to fill a segment (≈ 10 ms more per hop
/// at a few thousand messages per second, measured with bench/run.sh).
fn network_options() -> rumqttc::NetworkOptions {
    let mut n = rumqttc::NetworkOptions::new();
    n.set_tcp_nodelay(true);
    n
}

fn new_client(url: &MqttUrl, o: &MqttOptions, v5: bool) -> (AnyClient, AnyConnection) {
    let host = host_text(&url.host);
    let keepalive = o.keepalive.max(Duration::from_secs(5));
    if v5 {
        let mut opts = rumqttc::v5::MqttOptions::new(o.client_id.clone(), host, url.port);
        opts.set_keep_alive(keepalive);
        opts.set_clean_start(true);
        opts.set_max_packet_size(Some(MAX_PACKET as u32));
        opts.set_network_options(network_options());
        if let Some(u) = &url.user {
            opts.set_credentials(u.clone(), url.password.clone().unwrap_or_default());
        }
        if let Some(t) = &o.tls {
            opts.set_transport(rumqttc::Transport::tls_with_config(
                rumqttc::TlsConfiguration::Rustls(t.client_config()),
            ));
        }
        let (c, conn) = rumqttc::v5::Client::new(opts, o.queue.max(1));
        (AnyClient::V5(c), AnyConnection::V5(Box::new(conn)))
    } else {
        let mut opts = rumqttc::MqttOptions::new(o.client_id.clone(), host, url.port);
        opts.set_keep_alive(keepalive);
        opts.set_clean_session(true);
        opts.set_max_packet_size(MAX_PACKET, MAX_PACKET);
        if let Some(u) = &url.user {
            opts.set_credentials(u.clone(), url.password.clone().unwrap_or_default());
        }
        if let Some(t) = &o.tls {
            opts.set_transport(rumqttc::Transport::tls_with_config(
                rumqttc::TlsConfiguration::Rustls(t.client_config()),
            ));
        }
        let (c, mut conn) = rumqttc::Client::new(opts, o.queue.max(1));
        conn.eventloop.set_network_options(network_options());
        (AnyClient::V4(c), AnyConnection::V4(Box::new(conn)))
    }
}

impl MqttPeer {
    /// Starts the connection thread; `subscribe` is the filter to
    /// subscribe to on every connection, when the link is an input.
    pub fn start(
        url: &MqttUrl,
        o: &MqttOptions,
        subscribe: Option<String>,
    ) -> io::Result<MqttPeer> {
        let (wake_rx, wake_tx) = UnixStream::pair()?;
        wake_rx.set_nonblocking(true)?;
        wake_tx.set_nonblocking(true)?;
        let (client, conn) = new_client(url, o, o.version != MqttVersion::V311);
        let shared = Arc::new(Shared::default());
        let (tx, up) = mpsc::channel();
        let worker = Worker {
            url: url.clone(),
            opts: o.clone(),
            name: url.to_string(),
            subscribe,
            client: client.clone(),
            shared: shared.clone(),
            tx,
            wake: wake_tx,
            version_known: o.version != MqttVersion::Auto,
            v5: o.version != MqttVersion::V311,
        };
        let thread = thread::Builder::new()
            .name("mqtt".into())
            .spawn(move || worker.run(conn))?;
        Ok(MqttPeer {
            name: url.to_string(),
            qos: o.qos,
            client,
            up,
            wake: wake_rx,
            shared,
            thread: Some(thread),
            accepted: 0,
            dropped: 0,
            topic: String::new(),
            echo: DedupWindow::new(ECHO_WINDOW),
        })
    }

    /// The link as written (without its password), for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `mqtt 5`, `mqtt 3.1.1`, or `mqtt` before the first connection.
    pub fn protocol(&self) -> &'static str {
        match self.shared.version.load(Ordering::Relaxed) {
            5 => "mqtt 5",
            3 => "mqtt 3.1.1",
            _ => "mqtt",
        }
    }

    /// The topic buffer publications are rendered into (reused).
    pub fn topic_buf(&mut self) -> &mut String {
        &mut self.topic
    }

    /// Publishes `payload` on the topic in [`topic_buf`](Self::topic_buf).
    /// Returns false (and counts a drop) when the queue is full.
    pub fn publish(&mut self, payload: &[u8], now: Instant) -> bool {
        if self.shared.version.load(Ordering::Relaxed) == 3 {
            self.echo.seen_or_insert(payload, now);
        }
        let ok = self.client.publish(self.topic.clone(), self.qos, payload);
        if ok {
            self.accepted += 1;
        } else {
            self.dropped += 1;
        }
        ok
    }

    /// True when a received message is one of our own publications coming
    /// back (only possible on 3.1.1, which has no no_local).
    pub fn is_echo(&mut self, payload: &[u8], now: Instant) -> bool {
        self.shared.version.load(Ordering::Relaxed) == 3 && self.echo.seen(payload, now)
    }

    /// The descriptor that becomes readable when the thread has news.
    pub fn wake_fd(&self) -> BorrowedFd<'_> {
        self.wake.as_fd()
    }

    /// Takes what the thread has handed over: messages (topic, payload)
    /// are appended to `incoming`, connection events returned for the log.
    pub fn drain(&mut self, incoming: &mut Vec<(String, Vec<u8>)>) -> Vec<PeerEvent> {
        let mut buf = [0u8; 64];
        // Bytes first, then the flag, then the channel: a message sent
        // after the flag is cleared sends a new byte (at worst a spurious
        // wake-up), and one sent before it is still in the channel below.
        // Clearing the flag first would let a byte sent in between be read
        // here while its message's successors send none.
        while matches!(self.wake.read(&mut buf), Ok(n) if n > 0) {}
        self.shared.wake_pending.store(false, Ordering::SeqCst);
        let mut events = Vec::new();
        while let Ok(u) = self.up.try_recv() {
            match u {
                Up::Message(t, p) => {
                    self.shared.backlog.fetch_sub(1, Ordering::Relaxed);
                    incoming.push((t, p));
                }
                Up::Event(e) => events.push(e),
                Up::Client(c) => self.client = c,
                Up::Ended => {}
            }
        }
        events
    }

    /// True while connected to the broker.
    pub fn connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// Connections made.
    pub fn connects(&self) -> u64 {
        self.shared.connects.load(Ordering::Relaxed)
    }

    /// Publications written to the broker connection.
    pub fn sent(&self) -> u64 {
        self.shared.written.load(Ordering::Relaxed)
    }

    /// Messages received from the broker.
    pub fn received(&self) -> u64 {
        self.shared.received.load(Ordering::Relaxed)
    }

    /// Publications waiting to be written.
    pub fn queued(&self) -> u64 {
        self.accepted.saturating_sub(self.sent())
    }

    /// Received messages dropped because the bridge fell behind.
    pub fn receive_dropped(&self) -> u64 {
        self.shared.overflow.load(Ordering::Relaxed)
    }

    /// Sends what is queued and disconnects cleanly, waiting at most a
    /// couple of seconds.
    pub fn close(&mut self) {
        let Some(t) = self.thread.take() else { return };
        self.shared.stop.store(true, Ordering::SeqCst);
        // The disconnect request queues behind the publications, so they
        // leave first.
        self.client.disconnect();
        t.thread().unpark();
        let deadline = Instant::now() + CLOSE_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.up.recv_timeout(left) {
                Ok(Up::Ended) | Err(_) => break,
                Ok(_) => {}
            }
        }
        if t.is_finished() {
            let _ = t.join();
        }
    }
}

impl Drop for MqttPeer {
    fn drop(&mut self) {
        self.close();
    }
}

/// The connection thread's state.
struct Worker {
    url: MqttUrl,
    opts: MqttOptions,
    name: String,
    subscribe: Option<String>,
    client: AnyClient,
    shared: Arc<Shared>,
    tx: mpsc::Sender<Up>,
    wake: UnixStream,
    /// The version is settled (given, or a connection succeeded).
    version_known: bool,
    v5: bool,
}

impl Worker {
    fn send(&self, u: Up) {
        if self.tx.send(u).is_ok() && !self.shared.wake_pending.swap(true, Ordering::SeqCst) {
            // A full socket already holds a wake-up.
            let _ = (&self.wake).write(&[1]);
        }
    }

    fn run(mut self, mut conn: AnyConnection) {
        let mut backoff = BACKOFF_MIN;
        let mut since: Option<Instant> = None;
        loop {
            match conn.recv() {
                Ev::ConnAck => {
                    self.version_known = true;
                    self.shared.connected.store(true, Ordering::Relaxed);
                    self.shared.connects.fetch_add(1, Ordering::Relaxed);
                    self.shared
                        .version
                        .store(if self.v5 { 5 } else { 3 }, Ordering::Relaxed);
                    since = Some(Instant::now());
                    if let Some(f) = &self.subscribe {
                        if !self.client.subscribe(f, self.opts.qos) {
                            self.send(Up::Event(PeerEvent::Note(format!(
                                "{}: could not request the subscription to {f}",
                                self.name
                            ))));
                        }
                    }
                    self.send(Up::Event(PeerEvent::Note(format!(
                        "{}: connected ({})",
                        self.name,
                        if self.v5 { "MQTT 5" } else { "MQTT 3.1.1, no no_local: own messages are recognised when they come back" }
                    ))));
                }
                Ev::Publish {
                    topic,
                    payload,
                    retained,
                } => {
                    self.shared.received.fetch_add(1, Ordering::Relaxed);
                    // A retained message is the broker's memory of an old
                    // publication, replayed on every subscription: not
                    // traffic. (MQTT 5 subscriptions ask for none.)
                    if retained {
                        continue;
                    }
                    if self.shared.backlog.load(Ordering::Relaxed) >= self.opts.queue.max(1) {
                        self.shared.overflow.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    self.shared.backlog.fetch_add(1, Ordering::Relaxed);
                    self.send(Up::Message(topic, payload));
                }
                Ev::Written => {
                    self.shared.written.fetch_add(1, Ordering::Relaxed);
                }
                Ev::SubAck(ok) => {
                    if !ok {
                        self.send(Up::Event(PeerEvent::Note(format!(
                            "{}: the broker refused the subscription to {} (not authorized?)",
                            self.name,
                            self.subscribe.as_deref().unwrap_or("")
                        ))));
                    }
                }
                Ev::Disconnected if self.shared.stop.load(Ordering::SeqCst) => break,
                Ev::Disconnected | Ev::Other => {}
                Ev::Done => break,
                Ev::Error(e) => {
                    self.shared.connected.store(false, Ordering::Relaxed);
                    if self.shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if since.take().is_some_and(|t| t.elapsed() >= STABLE_AFTER) {
                        backoff = BACKOFF_MIN;
                    }
                    if !self.version_known && self.v5 && e.version_mismatch {
                        // Try 3.1.1 at once; queued publications of the
                        // version-5 client are lost with it.
                        self.v5 = false;
                        let (c, n) = new_client(&self.url, &self.opts, false);
                        self.client = c.clone();
                        conn = n;
                        self.send(Up::Client(c));
                        self.send(Up::Event(PeerEvent::Note(format!(
                            "{}: no MQTT 5 answer ({}); trying 3.1.1",
                            self.name, e.why
                        ))));
                        continue;
                    }
                    let wait = backoff;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    self.send(Up::Event(PeerEvent::Disconnected(
                        format!("{}: {}", self.name, e.why),
                        wait,
                    )));
                    let until = Instant::now() + wait;
                    while !self.shared.stop.load(Ordering::SeqCst) {
                        let left = until.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        thread::park_timeout(left);
                    }
                    if self.shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
            }
        }
        self.shared.connected.store(false, Ordering::Relaxed);
        self.send(Up::Ended);
    }
}
