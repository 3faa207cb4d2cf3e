//! The `mcast bridge` link grammar: what a bridge reads from and writes to.
//! Pure: no I/O, no name resolution.
//!
//! ```text
//! LINK      = GROUP ":" PORT [ "@" IFACE ]        multicast group (in and out)
//!           | "udp:" HOST ":" PORT                unicast UDP destination (out)
//!           | "udp-listen:" [ ADDR ":" ] PORT     unicast UDP socket (in)
//!           | "tcp:" HOST ":" PORT                TAK server stream (in and out)
//!           | "tls:" HOST ":" PORT                the same over TLS (port 8089)
//!           | "mqtt://" [ USER [ ":" PASS ] "@" ] HOST [ ":" PORT ] "/" TOPIC
//!                                                 MQTT broker (in and out; port 1883)
//!           | "mqtts://" ...                      the same over TLS (port 8883)
//! HOST      = IPV4 | "[" IPV6 [ "%" ZONE ] "]" | DNS-NAME
//! ADDR      = IPV4 | "[" IPV6 "]"
//! ```
//!
//! `GROUP:PORT[@IFACE]` is exactly the [`Endpoint`] grammar of every other
//! command, restricted to multicast groups. Schemes are case-insensitive and
//! printed in lower case; DNS names are printed in lower case too (DNS does
//! not distinguish case), so [`Display`](fmt::Display) is canonical and
//! parses back to an equal value — except that an MQTT password is never
//! printed. USER and PASS may be percent-encoded (`%40` for `@`). TOPIC is
//! the [`Topic`] grammar.

use std::fmt;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use super::topic::Topic;
use crate::endpoint::{lex_bracketed, parse_port, parse_v4, Endpoint, Family, IfaceSpec};

/// Longest DNS name, in characters, without the optional final dot (RFC 1035).
const MAX_NAME: usize = 253;
/// Longest DNS label (RFC 1035).
const MAX_LABEL: usize = 63;

/// What every error can fall back on: the whole grammar in one line.
const EXPECTED: &str =
    "expected udp:, udp-listen:, tcp:, tls:, mqtt://, mqtts:// or GROUP:PORT[@IFACE]";
/// MQTT's registered port (IANA), and MQTT over TLS's.
const MQTT_PORT: u16 = 1883;
const MQTTS_PORT: u16 = 8883;

/// The host of a `udp:` or `tcp:` link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// An address literal. `zone` is only ever set for IPv6 (`[fe80::1%eth0]`),
    /// where it names the interface a link-local address lives on.
    Ip {
        /// The unicast address.
        addr: IpAddr,
        /// The IPv6 zone (scope), when given.
        zone: Option<IfaceSpec>,
    },
    /// A DNS name, validated for syntax only and stored in lower case;
    /// resolving it is the engine's job.
    Name(String),
}

impl Host {
    /// The address, when the host is a literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ip { addr, .. } => Some(*addr),
            Host::Name(_) => None,
        }
    }

    /// The address family, when the host is a literal (a name may resolve
    /// to either).
    pub fn family(&self) -> Option<Family> {
        self.ip().map(|a| Family::of(&a))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip {
                addr: IpAddr::V4(a),
                ..
            } => write!(f, "{a}"),
            Host::Ip {
                addr: IpAddr::V6(a),
                zone: None,
            } => write!(f, "[{a}]"),
            Host::Ip {
                addr: IpAddr::V6(a),
                zone: Some(z),
            } => write!(f, "[{a}%{z}]"),
            Host::Name(n) => f.write_str(n),
        }
    }
}

/// One side of a bridge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Link {
    /// A multicast group: joined as an input, sent to as an output.
    Multicast(Endpoint),
    /// Unicast UDP datagrams sent to `host:port` (output only).
    Udp {
        /// Destination host.
        host: Host,
        /// Destination port.
        port: u16,
    },
    /// A UDP socket bound to `[addr:]port` that receives unicast datagrams
    /// (input only). `None` lets the engine pick the wildcard address.
    UdpListen {
        /// Local address to bind, if any.
        addr: Option<IpAddr>,
        /// Local port.
        port: u16,
    },
    /// A TCP connection to a TAK server, carrying a stream of CoT events
    /// (input and output).
    Tcp {
        /// Server host.
        host: Host,
        /// Server port.
        port: u16,
        /// Over TLS (`tls:`).
        tls: bool,
    },
    /// An MQTT broker: each datagram is one message on a topic (input and
    /// output).
    Mqtt(MqttUrl),
}

/// Where an `mqtt://` link goes: broker, credentials and topic.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MqttUrl {
    /// Over TLS (`mqtts://`).
    pub tls: bool,
    /// User name, when given.
    pub user: Option<String>,
    /// Password, when given (never printed).
    pub password: Option<String>,
    /// Broker host.
    pub host: Host,
    /// Broker port (1883, or 8883 for `mqtts://`, unless given).
    pub port: u16,
    /// The topic or topic template.
    pub topic: Topic,
}

impl fmt::Debug for MqttUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Display leaves the password out; so does Debug.
        write!(f, "MqttUrl({self})")
    }
}

impl fmt::Display for MqttUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.tls { "mqtts://" } else { "mqtt://" })?;
        if let Some(u) = &self.user {
            write!(f, "{}@", percent_encode(u))?;
        }
        let default = if self.tls { MQTTS_PORT } else { MQTT_PORT };
        write!(f, "{}", self.host)?;
        if self.port != default {
            write!(f, ":{}", self.port)?;
        }
        write!(f, "/{}", self.topic)
    }
}

impl Link {
    /// True when the link can be a bridge input.
    pub fn can_input(&self) -> bool {
        !matches!(self, Link::Udp { .. })
    }

    /// True when the link can be a bridge output (an MQTT topic with a
    /// wildcard cannot be published to).
    pub fn can_output(&self) -> bool {
        match self {
            Link::UdpListen { .. } => false,
            Link::Mqtt(u) => !u.topic.has_wildcard(),
            _ => true,
        }
    }

    /// The scheme as written (`udp`, `udp-listen`, `tcp`), or `multicast`
    /// for a scheme-less group, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Link::Multicast(_) => "multicast",
            Link::Udp { .. } => "udp",
            Link::UdpListen { .. } => "udp-listen",
            Link::Tcp { tls: false, .. } => "tcp",
            Link::Tcp { tls: true, .. } => "tls",
            Link::Mqtt(MqttUrl { tls: false, .. }) => "mqtt",
            Link::Mqtt(MqttUrl { tls: true, .. }) => "mqtts",
        }
    }

    /// The port of the link (remote for `udp:`/`tcp:`, local otherwise).
    pub fn port(&self) -> u16 {
        match self {
            Link::Multicast(ep) => ep.port,
            Link::Udp { port, .. } | Link::UdpListen { port, .. } | Link::Tcp { port, .. } => *port,
            Link::Mqtt(u) => u.port,
        }
    }

    /// The address family the link pins, if any: the family of its address
    /// literal or of its interface address. `None` for DNS names and for
    /// `udp-listen:PORT`, which work with either family.
    pub fn family_hint(&self) -> Option<Family> {
        match self {
            Link::Multicast(ep) => Some(ep.family()),
            Link::Udp { host, .. } | Link::Tcp { host, .. } => host.family(),
            Link::Mqtt(u) => u.host.family(),
            Link::UdpListen { addr, .. } => addr.as_ref().map(Family::of),
        }
    }

    /// True when two links denote the same place, so that using one as an
    /// input and the other as an output would feed the bridge its own
    /// output: same scheme and port, and
    ///
    /// - multicast: same group and the same interface spec (`None` matches
    ///   only `None`; `eth0` and its index are not known to be the same
    ///   here: compare resolved interfaces for that);
    /// - `udp:`/`tcp:`: the same host (names compare in lower case, which
    ///   parsing already did; a name and an address never match, since
    ///   resolution is not done here) and the same zone;
    /// - `udp-listen:`: the same address, where no address and every
    ///   unspecified address (`0.0.0.0`, `[::]`) count as one wildcard,
    ///   because a Linux `[::]` socket also receives IPv4.
    pub fn same_as(&self, other: &Link) -> bool {
        match (self, other) {
            (Link::Multicast(a), Link::Multicast(b)) => {
                a.addr == b.addr && a.port == b.port && a.iface == b.iface
            }
            (Link::Udp { host: h1, port: p1 }, Link::Udp { host: h2, port: p2 })
            | (
                Link::Tcp {
                    host: h1, port: p1, ..
                },
                Link::Tcp {
                    host: h2, port: p2, ..
                },
            ) => p1 == p2 && h1 == h2,
            (Link::UdpListen { addr: a1, port: p1 }, Link::UdpListen { addr: a2, port: p2 }) => {
                let wild = |a: &Option<IpAddr>| a.is_none_or(|a| a.is_unspecified());
                p1 == p2 && ((wild(a1) && wild(a2)) || a1 == a2)
            }
            // One broker and one topic: publishing there and subscribing
            // there would be a loop (no_local aside, which 3.1.1 lacks).
            (Link::Mqtt(a), Link::Mqtt(b)) => {
                a.host == b.host && a.port == b.port && a.topic == b.topic
            }
            _ => false,
        }
    }
}

impl FromStr for Link {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err(format!(
                "empty link: {EXPECTED}, e.g. 239.2.3.1:6969, udp:10.0.0.2:6969, udp-listen:6969 or tcp:takserver.example:8087"
            ));
        }
        let Some((scheme, rest)) = split_scheme(s) else {
            return parse_group(s);
        };
        let lower = scheme.to_ascii_lowercase();
        let scheme = match lower.as_str() {
            "udp" => Scheme::Udp,
            "udp-listen" => Scheme::UdpListen,
            "tcp" => Scheme::Tcp,
            "tls" => Scheme::Tls,
            "mqtt" | "mqtts" => return parse_mqtt(s, lower == "mqtts", rest),
            _ => {
                return Err(format!(
                    "unknown scheme {:?}; {EXPECTED}",
                    scheme.to_string()
                ))
            }
        };
        if let Some(after) = rest.strip_prefix("//") {
            return Err(format!(
                "{:?}: links are not URLs; drop the \"//\" and write {lower}:{}",
                s.to_string(),
                after.escape_debug()
            ));
        }
        match scheme {
            Scheme::Udp => {
                let (host, port) = parse_remote(s, "udp", rest)?;
                Ok(Link::Udp { host, port })
            }
            Scheme::Tcp => {
                let (host, port) = parse_remote(s, "tcp", rest)?;
                Ok(Link::Tcp {
                    host,
                    port,
                    tls: false,
                })
            }
            Scheme::Tls => {
                let (host, port) = parse_remote(s, "tls", rest)?;
                Ok(Link::Tcp {
                    host,
                    port,
                    tls: true,
                })
            }
            Scheme::UdpListen => {
                let (addr, port) = parse_listen(s, rest)?;
                Ok(Link::UdpListen { addr, port })
            }
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Link::Multicast(ep) => ep.fmt(f),
            Link::Udp { host, port } => write!(f, "udp:{host}:{port}"),
            Link::Tcp {
                host,
                port,
                tls: false,
            } => write!(f, "tcp:{host}:{port}"),
            Link::Tcp {
                host,
                port,
                tls: true,
            } => write!(f, "tls:{host}:{port}"),
            Link::UdpListen { addr: None, port } => write!(f, "udp-listen:{port}"),
            Link::UdpListen {
                addr: Some(IpAddr::V4(a)),
                port,
            } => write!(f, "udp-listen:{a}:{port}"),
            Link::UdpListen {
                addr: Some(IpAddr::V6(a)),
                port,
            } => write!(f, "udp-listen:[{a}]:{port}"),
            Link::Mqtt(u) => u.fmt(f),
        }
    }
}

#[derive(Clone, Copy)]
enum Scheme {
    Udp,
    UdpListen,
    Tcp,
    Tls,
}

fn shown(s: &str) -> String {
    s.to_string()
}

/// Splits `SCHEME:REST` when the text starts with something that is a URI
/// scheme and not the start of an address: `ff15::1:6969` (unbracketed
/// IPv6) and `localhost:6969` (a host name without a scheme) are left to
/// [`parse_group`], which has the better message for them.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        || looks_like_ipv6(s)
    {
        return None;
    }
    // `name:PORT[@IFACE]` is a host name, not an unknown scheme.
    let port_part = rest.split_once('@').map_or(rest, |(p, _)| p);
    if !is_known_scheme(scheme)
        && !port_part.is_empty()
        && port_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((scheme, rest))
}

fn is_known_scheme(s: &str) -> bool {
    ["udp", "udp-listen", "tcp", "tls", "mqtt", "mqtts"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(s))
}

/// True when `s` (minus any `@iface`, `%zone` and trailing `:port`) is an
/// IPv6 address written without brackets.
fn looks_like_ipv6(s: &str) -> bool {
    let s = s.split_once('@').map_or(s, |(a, _)| a);
    let s = s.split_once('%').map_or(s, |(a, _)| a);
    s.parse::<Ipv6Addr>().is_ok()
        || s.rsplit_once(':')
            .is_some_and(|(a, _)| a.parse::<Ipv6Addr>().is_ok())
}

/// `GROUP:PORT[@IFACE]`: the shared endpoint grammar, multicast only.
fn parse_group(s: &str) -> Result<Link, String> {
    match s.parse::<Endpoint>() {
        Ok(ep) if ep.is_multicast() => Ok(Link::Multicast(ep)),
        Ok(ep) => {
            let hp = Endpoint { iface: None, ..ep };
            Err(format!(
                "{:?}: {} is a unicast address, not a multicast group; to send to it write udp:{hp} \
                 (or tcp:{hp} for a TAK server), to receive unicast write udp-listen:{}",
                shown(s),
                ep.addr,
                ep.port
            ))
        }
        Err(e) => {
            // A host name without a scheme: say which schemes take names.
            let hp = s.split_once('@').map_or(s, |(a, _)| a);
            if let Some((h, p)) = hp.rsplit_once(':') {
                if !h.contains(':') && validate_name(h).is_ok() && !is_ipv4_like(h) {
                    return Err(format!(
                        "{:?}: a host name needs a scheme: write udp:{h}:{p} to send datagrams to it \
                         or tcp:{h}:{p} for a TAK server (multicast groups are addresses)",
                        shown(s)
                    ));
                }
            }
            Err(e)
        }
    }
}

/// `HOST:PORT` after `udp:` or `tcp:`.
fn parse_remote(s: &str, scheme: &str, rest: &str) -> Result<(Host, u16), String> {
    let (example_host, example_port) = match scheme {
        "tcp" => ("takserver.example", 8087),
        "tls" => ("takserver.example", 8089),
        _ => ("10.0.0.2", 6969),
    };
    if rest.is_empty() {
        return Err(format!(
            "{scheme}: needs HOST:PORT, e.g. {scheme}:{example_host}:{example_port}"
        ));
    }
    if let Some((_, iface)) = rest.split_once('@') {
        return Err(format!(
            "{:?}: {scheme}: links take no @{}: unicast follows the routing table; \
             for a link-local IPv6 address give its zone, e.g. {scheme}:[fe80::1%eth0]:{example_port}",
            shown(s),
            shown(iface)
        ));
    }
    let (host, port) = if let Some(b) = lex_bracketed(rest) {
        let b =
            b.map_err(|e| e.message(&shown(s), &format!("{scheme}:[fd77::1]:{example_port}")))?;
        let (addr, zone, after) = (b.addr, b.zone, b.rest);
        let zone = match zone {
            Some(z) => {
                let spec = z
                    .parse::<IfaceSpec>()
                    .map_err(|e| format!("zone in {:?}: {e}", shown(s)))?;
                if spec.family() == Some(Family::V4) {
                    return Err(format!(
                        "zone in {:?}: {spec} is an IPv4 address; name the interface of an IPv6 address by name or index",
                        shown(s)
                    ));
                }
                Some(spec)
            }
            None => None,
        };
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => {
                return Err(format!(
                    "{:?}: missing port; expected {scheme}:HOST:PORT, e.g. {scheme}:[{addr}]:{example_port}",
                    shown(s)
                ))
            }
            None => {
                return Err(format!(
                    "{:?}: unexpected {:?} after the address; expected :PORT",
                    shown(s),
                    shown(after)
                ))
            }
        };
        (
            Host::Ip {
                addr: IpAddr::V6(addr),
                zone,
            },
            port,
        )
    } else {
        if rest.matches(':').count() > 1 || (rest.contains('%') && looks_like_ipv6(rest)) {
            let unzoned = |a: &str| a.split_once('%').map_or(a, |(a, _)| a).to_string();
            let hint = match rest.rsplit_once(':') {
                Some((a, p)) if unzoned(a).parse::<Ipv6Addr>().is_ok() => {
                    format!("{scheme}:[{a}]:{p}")
                }
                _ => format!("{scheme}:[{rest}]:PORT"),
            };
            return Err(format!(
                "{:?}: an IPv6 address needs brackets so the port can be told apart, e.g. {}",
                shown(s),
                shown(&hint)
            ));
        }
        if rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{:?}: missing host; to send write {scheme}:HOST:{rest}, e.g. {scheme}:{example_host}:{rest}; \
                 to receive unicast on port {rest} write udp-listen:{rest}",
                shown(s)
            ));
        }
        let Some((h, p)) = rest.rsplit_once(':') else {
            return Err(format!(
                "{:?}: missing port; expected {scheme}:HOST:PORT, e.g. {scheme}:{}:{example_port}",
                shown(s),
                shown(rest)
            ));
        };
        if h.is_empty() {
            return Err(format!(
                "{:?}: empty host; expected {scheme}:HOST:PORT, e.g. {scheme}:{example_host}:{}",
                shown(s),
                shown(p)
            ));
        }
        let port = parse_port(p)?;
        (parse_host(h)?, port)
    };
    if let Host::Ip { addr, .. } = &host {
        if addr.is_multicast() {
            let group = std::net::SocketAddr::new(*addr, port);
            let why = match scheme {
                "tcp" | "tls" => "TCP cannot carry multicast",
                _ => "multicast groups take no scheme",
            };
            return Err(format!(
                "{:?}: {addr} is a multicast group and {why}; drop the {scheme}: scheme and write {group}",
                shown(s)
            ));
        }
        if addr.is_unspecified() {
            return Err(format!(
                "{:?}: cannot send to the unspecified address {addr}; to receive on a port write udp-listen:{port}",
                shown(s)
            ));
        }
    }
    Ok((host, port))
}

/// `//[USER[:PASS]@]HOST[:PORT]/TOPIC` after `mqtt:` or `mqtts:`.
fn parse_mqtt(s: &str, tls: bool, rest: &str) -> Result<Link, String> {
    let scheme = if tls { "mqtts" } else { "mqtt" };
    let default = if tls { MQTTS_PORT } else { MQTT_PORT };
    let expected = format!(
        "expected {scheme}://[USER[:PASS]@]HOST[:PORT]/TOPIC, e.g. {scheme}://broker.example/mcast/{{group}}/{{port}}"
    );
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(format!("{:?}: {expected}", shown(s)));
    };
    let Some((authority, topic)) = rest.split_once('/') else {
        return Err(format!(
            "{:?}: no topic: an MQTT link names the topic it publishes to or subscribes to; {expected}",
            shown(s)
        ));
    };
    if topic.is_empty() {
        return Err(format!("{:?}: empty topic; {expected}", shown(s)));
    }
    let topic: Topic = topic.parse().map_err(|e| format!("{:?}: {e}", shown(s)))?;
    // The last '@' ends the user information: a password may hold '@'
    // only percent-encoded, but being lenient here costs nothing.
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => {
            let (name, pass) = match u.split_once(':') {
                Some((n, p)) => (n, Some(p)),
                None => (u, None),
            };
            if name.is_empty() {
                return Err(format!(
                    "{:?}: empty user name before '@'; {expected}",
                    shown(s)
                ));
            }
            let dec = |x: &str| percent_decode(x).map_err(|e| format!("{:?}: {e}", shown(s)));
            (Some(dec(name)?), pass.map(dec).transpose()?)
        }
    };
    if hostport.is_empty() {
        return Err(format!("{:?}: no broker host; {expected}", shown(s)));
    }
    let (host, port) = if let Some(b) = lex_bracketed(hostport) {
        let b = b.map_err(|e| e.message(&shown(s), &format!("{scheme}://[fd77::1]/mcast/#")))?;
        if b.zone.is_some() {
            return Err(format!(
                "{:?}: a broker address takes no %zone; give a global or unique-local address",
                shown(s)
            ));
        }
        let port = match b.rest.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if b.rest.is_empty() => default,
            None => {
                return Err(format!(
                    "{:?}: unexpected {:?} after the address; expected :PORT",
                    shown(s),
                    shown(b.rest)
                ))
            }
        };
        (
            Host::Ip {
                addr: IpAddr::V6(b.addr),
                zone: None,
            },
            port,
        )
    } else {
        if hostport.matches(':').count() > 1 {
            return Err(format!(
                "{:?}: an IPv6 broker address needs brackets, e.g. {scheme}://[{hostport}]/mcast/#",
                shown(s)
            ));
        }
        let (h, port) = match hostport.split_once(':') {
            Some((h, p)) => (h, parse_port(p)?),
            None => (hostport, default),
        };
        (parse_host(h)?, port)
    };
    if let Some(a) = host.ip() {
        if a.is_multicast() || a.is_unspecified() {
            return Err(format!(
                "{:?}: {a} cannot be a broker: a broker has a unicast address",
                shown(s)
            ));
        }
    }
    Ok(Link::Mqtt(MqttUrl {
        tls,
        user,
        password,
        host,
        port,
        topic,
    }))
}

/// Decodes `%XX` escapes (RFC 3986 §2.1) in URL user information.
fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    "a '%' must be followed by two hex digits (e.g. %40 for '@')".to_string()
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "user information is not UTF-8 once decoded".to_string())
}

/// Escapes what would end or split URL user information.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `[ADDR:]PORT` after `udp-listen:`.
fn parse_listen(s: &str, rest: &str) -> Result<(Option<IpAddr>, u16), String> {
    let expected = "expected udp-listen:[ADDR:]PORT, e.g. udp-listen:6969, udp-listen:10.0.0.1:6969 or udp-listen:[::]:6969";
    if rest.is_empty() {
        return Err(format!("udp-listen: needs a PORT; {expected}"));
    }
    if rest.contains('@') {
        return Err(format!(
            "{:?}: udp-listen: takes no @IFACE; bind to one of the interface's addresses instead; {expected}",
            shown(s)
        ));
    }
    if rest.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((None, parse_port(rest)?));
    }
    let (addr, port) = if let Some(b) = lex_bracketed(rest) {
        let b = b.map_err(|e| e.message(&shown(s), "udp-listen:[::]:6969"))?;
        let (addr, after) = (b.addr, b.rest);
        if b.zone.is_some() {
            return Err(format!(
                "{:?}: udp-listen: takes no %zone; bind to [::] or to a global address; {expected}",
                shown(s)
            ));
        }
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => {
                return Err(format!("{:?}: missing port; {expected}", shown(s)))
            }
            None => {
                return Err(format!(
                    "{:?}: unexpected {:?} after the address; expected :PORT",
                    shown(s),
                    shown(after)
                ))
            }
        };
        (IpAddr::V6(addr), port)
    } else {
        if rest.matches(':').count() > 1 {
            return Err(format!(
                "{:?}: an IPv6 address needs brackets so the port can be told apart; {expected}",
                shown(s)
            ));
        }
        let Some((a, p)) = rest.split_once(':') else {
            if rest.contains('.') {
                return Err(format!("{:?}: missing port; {expected}", shown(s)));
            }
            return Err(match parse_port(rest) {
                Err(e) => e,
                Ok(_) => format!("{:?}: {expected}", shown(s)),
            });
        };
        if a.is_empty() {
            return Err(format!(
                "{:?}: empty address before ':'; {expected}",
                shown(s)
            ));
        }
        if !is_ipv4_like(a) {
            return Err(format!(
                "{:?}: {:?} is not an address: udp-listen: binds to a local address, not a host name; {expected}",
                shown(s),
                shown(a)
            ));
        }
        let port = parse_port(p)?;
        (IpAddr::V4(parse_v4(a, "10.0.0.2")?), port)
    };
    if addr.is_multicast() {
        let group = std::net::SocketAddr::new(addr, port);
        return Err(format!(
            "{:?}: {addr} is a multicast group; to receive it drop the udp-listen: scheme and write {group}[@IFACE]",
            shown(s)
        ));
    }
    Ok((Some(addr), port))
}

/// True for text made only of digits and dots: meant as IPv4, so it gets
/// IPv4 errors rather than being taken for a (numeric) host name.
fn is_ipv4_like(h: &str) -> bool {
    !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// An unbracketed HOST: an IPv4 literal or a DNS name.
fn parse_host(h: &str) -> Result<Host, String> {
    if is_ipv4_like(h) {
        return Ok(Host::Ip {
            addr: IpAddr::V4(parse_v4(h, "10.0.0.2")?),
            zone: None,
        });
    }
    validate_name(h)?;
    Ok(Host::Name(h.to_ascii_lowercase()))
}

/// Checks DNS host name syntax (RFC 1123): dot-separated labels of 1-63
/// letters, digits and hyphens, not starting or ending with a hyphen, at
/// most 253 characters, optionally ending in a dot (fully qualified). The
/// last label must not be all digits, so that a mistyped IPv4 address is
/// never looked up as a name.
fn validate_name(h: &str) -> Result<(), String> {
    let s = shown(h);
    let expected = "expected an IPv4 address, an [IPv6] address or a DNS name";
    let name = h.strip_suffix('.').unwrap_or(h);
    if name.is_empty() {
        return Err(format!("{s:?} is not a host name; {expected}"));
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "host name {s:?} is longer than {MAX_NAME} characters"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "{s:?} is not a valid host name: it contains {c:?}; {expected}"
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!(
                "{s:?} is not a valid host name: it has an empty label (\"..\" or a leading dot)"
            ));
        }
        if label.len() > MAX_LABEL {
            return Err(format!(
                "{s:?} is not a valid host name: label {label:?} is longer than {MAX_LABEL} characters"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "{s:?} is not a valid host name: label {label:?} starts or ends with '-'"
            ));
        }
    }
    if name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "{s:?} is not a valid host name: its last label is all digits (an IPv4 address has four numbers, e.g. 10.0.0.2)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn link(s: &str) -> Link {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn grammar_examples_parse_and_round_trip() {
        for (input, canonical) in [
            ("239.2.3.1:6969", "239.2.3.1:6969"),
            ("239.2.3.1:6969@eth0", "239.2.3.1:6969@eth0"),
            ("[ff02::1%eth0]:6969", "[ff02::1]:6969@eth0"),
            ("[FF15::1]:6969@fd77::1", "[ff15::1]:6969@fd77::1"),
            ("udp:10.0.0.2:6969", "udp:10.0.0.2:6969"),
            ("UDP:10.0.0.2:6969", "udp:10.0.0.2:6969"),
            ("udp:[fd77::1]:6969", "udp:[fd77::1]:6969"),
            ("udp:[fe80::1%eth0]:6969", "udp:[fe80::1%eth0]:6969"),
            ("udp:[fe80::1%3]:6969", "udp:[fe80::1%3]:6969"),
            ("udp:Host.Example:6969", "udp:host.example:6969"),
            ("udp:localhost:1", "udp:localhost:1"),
            ("udp:fqdn.example.:5", "udp:fqdn.example.:5"),
            ("udp:1password.com:5", "udp:1password.com:5"),
            ("udp-listen:6969", "udp-listen:6969"),
            ("udp-listen:10.0.0.1:6969", "udp-listen:10.0.0.1:6969"),
            ("udp-listen:[::]:6969", "udp-listen:[::]:6969"),
            ("udp-listen:0.0.0.0:6969", "udp-listen:0.0.0.0:6969"),
            ("tcp:takserver.example:8087", "tcp:takserver.example:8087"),
            ("tcp:10.0.0.5:8087", "tcp:10.0.0.5:8087"),
            ("Tcp:[::1]:8087", "tcp:[::1]:8087"),
        ] {
            let l = link(input);
            assert_eq!(l.to_string(), canonical, "{input}");
            assert_eq!(link(&l.to_string()), l, "round trip of {input}");
        }
    }

    #[test]
    fn parsed_values() {
        assert_eq!(
            link("udp:[fe80::1%eth0]:6969"),
            Link::Udp {
                host: Host::Ip {
                    addr: ip("fe80::1"),
                    zone: Some(IfaceSpec::Name("eth0".into()))
                },
                port: 6969
            }
        );
        assert_eq!(
            link("tcp:TAK.example:8089"),
            Link::Tcp {
                tls: false,
                host: Host::Name("tak.example".into()),
                port: 8089
            }
        );
        assert_eq!(
            link("udp-listen:6969"),
            Link::UdpListen {
                addr: None,
                port: 6969
            }
        );
        assert_eq!(
            link("udp-listen:[::]:6969"),
            Link::UdpListen {
                addr: Some(ip("::")),
                port: 6969
            }
        );
        match link("239.2.3.1:6969@eth0") {
            Link::Multicast(ep) => {
                assert_eq!(ep.addr, ip("239.2.3.1"));
                assert_eq!(ep.iface, Some(IfaceSpec::Name("eth0".into())));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mqtt_urls() {
        let Link::Mqtt(u) = link("MQTTS://us%40er:p%3Ass@Broker.Example/mcast/{group}/{port}")
        else {
            panic!()
        };
        assert!(u.tls);
        assert_eq!(u.user.as_deref(), Some("us@er"));
        assert_eq!(u.password.as_deref(), Some("p:ss"));
        assert_eq!(u.host, Host::Name("broker.example".into()));
        assert_eq!(u.port, 8883);
        // The password is never shown, not even by Debug.
        let shown = u.to_string();
        assert_eq!(shown, "mqtts://us%40er@broker.example/mcast/{group}/{port}");
        assert!(!format!("{u:?}").contains("p:ss"));
        for (input, canonical) in [
            ("mqtt://10.0.0.1/tak/sa", "mqtt://10.0.0.1/tak/sa"),
            ("mqtt://10.0.0.1:1883/tak/sa", "mqtt://10.0.0.1/tak/sa"),
            (
                "mqtt://[fd77::1]:1884/mcast/#",
                "mqtt://[fd77::1]:1884/mcast/#",
            ),
            ("mqtt://u@h.example/a/+/b", "mqtt://u@h.example/a/+/b"),
        ] {
            let l = link(input);
            assert_eq!(l.to_string(), canonical);
            assert_eq!(link(canonical), l);
        }
        assert!(!link("mqtt://h.example/a/#").can_output());
        assert!(link("mqtt://h.example/a/#").can_input());
        assert!(link("mqtt://h.example/t").same_as(&link("mqtt://user@h.example:1883/t")));
        assert!(!link("mqtt://h.example/t").same_as(&link("mqtt://h.example/u")));
        for (bad, says) in [
            ("mqtt://h.example", "no topic"),
            ("mqtt://h.example/", "empty topic"),
            ("mqtt:h.example/t", "mqtt://"),
            ("mqtt://:p@h.example/t", "empty user"),
            ("mqtt://u%4@h.example/t", "two hex digits"),
            ("mqtt:///t", "no broker host"),
            ("mqtt://fd77::1/t", "brackets"),
            ("mqtt://[fe80::1%eth0]/t", "zone"),
            ("mqtt://239.1.1.1/t", "unicast address"),
            ("mqtt://h.example:0/t", "port 0"),
        ] {
            let e = bad.parse::<Link>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_links_say_what_was_expected() {
        for (input, needle) in [
            (
                "sctp:1.2.3.4:5",
                "unknown scheme \"sctp\"; expected udp:, udp-listen:, tcp:, tls:, mqtt://, mqtts:// or GROUP:PORT[@IFACE]",
            ),
            ("http:x", "unknown scheme \"http\""),
            ("", "empty link"),
            ("tcp:", "tcp: needs HOST:PORT"),
            ("udp:", "udp: needs HOST:PORT"),
            ("tcp:1.2.3.4", "missing port; expected tcp:HOST:PORT"),
            ("tcp:takserver", "missing port"),
            ("tcp:[::1]", "missing port"),
            ("tcp:1.2.3.4:", "missing port after ':'"),
            ("tcp:1.2.3.4:0", "port 0"),
            ("tcp:1.2.3.4:65536", "out of range"),
            ("udp:1.2.3.4:x", "not a number"),
            ("udp::6969", "empty host"),
            ("udp:fd77::1:6969", "needs brackets"),
            ("udp:fd77::1:6969", "udp:[fd77::1]:6969"),
            ("udp:fe80::1%eth0:6969", "udp:[fe80::1%eth0]:6969"),
            ("udp:6969", "missing host"),
            ("udp:6969", "udp-listen:6969"),
            ("udp:fe80::1%eth0:6969", "needs brackets"),
            ("udp:[fd77::1:6969", "missing ']'"),
            ("udp:[10.0.0.1]:6969", "not an IPv6 address"),
            ("udp:[fe80::1%]:6969", "empty interface"),
            ("udp:[fe80::1%10.0.0.1]:6969", "IPv4 address"),
            ("udp:[fd77::1]x:6969", "unexpected"),
            (
                "udp:239.2.3.1:6969",
                "drop the udp: scheme and write 239.2.3.1:6969",
            ),
            ("tcp:239.2.3.1:6969", "TCP cannot carry multicast"),
            ("udp:[ff15::1]:6969", "write [ff15::1]:6969"),
            ("udp:0.0.0.0:6969", "unspecified"),
            ("tcp:[::]:8087", "unspecified"),
            ("udp:10.0.0.2:6969@eth0", "take no @eth0"),
            ("udp:010.0.0.2:6969", "leading zeros"),
            ("udp:10.0.2:6969", "four dotted"),
            ("udp:300.0.0.2:6969", "0-255"),
            ("udp:host_name:6969", "contains '_'"),
            ("udp:ho st:6969", "contains ' '"),
            ("udp:a..b:6969", "empty label"),
            ("udp:.a:6969", "empty label"),
            ("udp:-a.example:6969", "starts or ends with '-'"),
            ("udp:host.123:6969", "all digits"),
            (
                "udp://10.0.0.2:6969",
                "drop the \"//\" and write udp:10.0.0.2:6969",
            ),
            ("udp-listen:", "needs a PORT"),
            ("udp-listen:0", "port 0"),
            ("udp-listen:abc", "not a number"),
            ("udp-listen:10.0.0.1", "missing port"),
            ("udp-listen:10.0.0.1:", "missing port after ':'"),
            ("udp-listen::6969", "empty address"),
            ("udp-listen:::6969", "needs brackets"),
            ("udp-listen:[::]", "missing port"),
            ("udp-listen:[fe80::1%eth0]:6969", "no %zone"),
            ("udp-listen:localhost:6969", "not a host name"),
            ("udp-listen:239.2.3.1:6969", "drop the udp-listen: scheme"),
            ("udp-listen:6969@eth0", "no @IFACE"),
            ("10.0.0.2:6969", "write udp:10.0.0.2:6969"),
            ("10.0.0.2:6969@eth0", "udp-listen:6969"),
            ("[fd77::1]:6969", "udp:[fd77::1]:6969"),
            ("localhost:6969", "needs a scheme: write udp:localhost:6969"),
            ("tak.example:8087", "tcp:tak.example:8087"),
            ("ff15::1:6969", "brackets"),
            ("239.2.3.1", "missing port"),
            ("239.2.3.1:6969@", "empty interface"),
        ] {
            let err = input.parse::<Link>().expect_err(input);
            assert!(err.contains(needle), "{input}: {err}");
        }
        let long = format!("udp:{}.example:1", "a".repeat(64));
        assert!(long.parse::<Link>().unwrap_err().contains("longer than 63"));
        let label = "a".repeat(60);
        let long = format!("udp:{label}.{label}.{label}.{label}.{label}:1");
        assert!(long
            .parse::<Link>()
            .unwrap_err()
            .contains("longer than 253"));
        let ok = format!("udp:{label}.{label}.{label}.{label}:1");
        assert!(ok.parse::<Link>().is_ok());
    }

    #[test]
    fn directions_and_family() {
        for (input, can_in, can_out, fam) in [
            ("239.2.3.1:6969", true, true, Some(Family::V4)),
            ("[ff15::1]:6969", true, true, Some(Family::V6)),
            ("udp:10.0.0.2:6969", false, true, Some(Family::V4)),
            ("udp:host.example:6969", false, true, None),
            ("udp-listen:6969", true, false, None),
            ("udp-listen:[::]:6969", true, false, Some(Family::V6)),
            ("tcp:[::1]:8087", true, true, Some(Family::V6)),
            ("tcp:tak.example:8087", true, true, None),
        ] {
            let l = link(input);
            assert_eq!(l.can_input(), can_in, "{input}");
            assert_eq!(l.can_output(), can_out, "{input}");
            assert_eq!(l.family_hint(), fam, "{input}");
        }
        assert_eq!(link("udp-listen:6969").kind(), "udp-listen");
        assert_eq!(link("tcp:a.b:7").port(), 7);
    }

    #[test]
    fn same_as() {
        for (a, b, same) in [
            ("239.2.3.1:6969", "239.2.3.1:6969", true),
            ("239.2.3.1:6969@eth0", "239.2.3.1:6969@eth0", true),
            ("[ff02::1%eth0]:6969", "[ff02::1]:6969@eth0", true),
            ("239.2.3.1:6969@eth0", "239.2.3.1:6969@eth1", false),
            ("239.2.3.1:6969@eth0", "239.2.3.1:6969", false),
            ("239.2.3.1:6969", "239.2.3.1:6970", false),
            ("239.2.3.1:6969", "239.2.3.2:6969", false),
            ("udp:10.0.0.2:6969", "udp:10.0.0.2:6969", true),
            ("udp:Host.Example:6969", "udp:host.example:6969", true),
            ("udp:10.0.0.2:6969", "tcp:10.0.0.2:6969", false),
            ("udp:[fe80::1%eth0]:1", "udp:[fe80::1%eth1]:1", false),
            ("tcp:tak.example:8087", "tcp:tak.example:8087", true),
            ("tcp:tak.example:8087", "tcp:tak.example:8089", false),
            ("udp-listen:6969", "udp-listen:6969", true),
            ("udp-listen:6969", "udp-listen:0.0.0.0:6969", true),
            ("udp-listen:[::]:6969", "udp-listen:0.0.0.0:6969", true),
            ("udp-listen:10.0.0.1:6969", "udp-listen:6969", false),
            ("udp-listen:10.0.0.1:6969", "udp-listen:10.0.0.1:6969", true),
            ("udp-listen:6969", "udp:10.0.0.1:6969", false),
        ] {
            assert_eq!(link(a).same_as(&link(b)), same, "{a} vs {b}");
            assert_eq!(link(b).same_as(&link(a)), same, "{b} vs {a}");
        }
    }

    fn arb_link() -> impl proptest::strategy::Strategy<Value = Link> {
        use proptest::prelude::*;
        let v4_unicast = (1u8..224, any::<[u8; 3]>())
            .prop_map(|(a, b)| IpAddr::V4(Ipv4Addr::new(a, b[0], b[1], b[2])));
        let v6_unicast = any::<[u8; 16]>()
            .prop_filter("unicast", |a| a[0] != 0xff && a[0] != 0)
            .prop_map(|a| IpAddr::V6(Ipv6Addr::from(a)));
        let zone = proptest::option::of(prop_oneof![
            (1u32..100).prop_map(IfaceSpec::Index),
            "[a-z][a-z0-9]{0,8}".prop_map(IfaceSpec::Name),
        ]);
        let host = prop_oneof![
            v4_unicast
                .clone()
                .prop_map(|addr| Host::Ip { addr, zone: None }),
            (v6_unicast.clone(), zone).prop_map(|(addr, zone)| Host::Ip { addr, zone }),
            "[a-z][a-z0-9-]{0,10}[a-z0-9](\\.[a-z0-9]{1,8}){0,3}\\.?"
                .prop_filter("not numeric", |n| validate_name(n).is_ok())
                .prop_map(Host::Name),
        ];
        let group = (
            any::<[u8; 16]>(),
            any::<bool>(),
            1u16..,
            proptest::option::of(1u32..50),
        )
            .prop_map(|(a, v6, port, idx)| {
                let addr = if v6 {
                    let mut a = a;
                    a[0] = 0xff;
                    IpAddr::V6(Ipv6Addr::from(a))
                } else {
                    IpAddr::V4(Ipv4Addr::new(224 | (a[0] & 0x0f), a[1], a[2], a[3]))
                };
                Link::Multicast(Endpoint {
                    addr,
                    port,
                    iface: idx.map(IfaceSpec::Index),
                })
            });
        let listen_addr = proptest::option::of(prop_oneof![
            v4_unicast,
            v6_unicast,
            Just(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            Just(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
        ]);
        prop_oneof![
            group,
            (host.clone(), 1u16..).prop_map(|(host, port)| Link::Udp { host, port }),
            (host, 1u16.., any::<bool>()).prop_map(|(host, port, tls)| Link::Tcp {
                host,
                port,
                tls
            }),
            (listen_addr, 1u16..).prop_map(|(addr, port)| Link::UdpListen { addr, port }),
        ]
    }

    proptest::proptest! {
        #[test]
        fn any_link_round_trips(l in arb_link()) {
            let text = l.to_string();
            let back = text.parse::<Link>();
            proptest::prop_assert_eq!(back.as_ref(), Ok(&l), "{}", text);
            proptest::prop_assert!(l.same_as(&l));
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<Link>();
        }

        #[test]
        fn scheme_prefixed_junk_never_panics(scheme in "(udp|tcp|udp-listen|x):", rest in "[\\[\\]%@:.0-9a-fA-F/ -]{0,30}") {
            let _ = format!("{scheme}{rest}").parse::<Link>();
        }
    }
}
