//! The endpoint grammar shared by every command. Pure: no I/O.
//!
//! ```text
//! ENDPOINT  = HOST ":" PORT [ "@" IFACE ]
//! HOST      = IPV4 | "[" IPV6 [ "%" IFACE ] "]"
//! GROUP     = IPV4 | IPV6 | "[" IPV6 [ "%" IFACE ] "]"   (join: no port)
//! IFACE     = NAME | ADDRESS | INDEX
//! ```
//!
//! Parsing turns text into values; turning an interface spec into a real
//! (index, address) pair is the job of [`crate::iface::resolve`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// Longest interface name Linux accepts (IFNAMSIZ - 1).
const IFNAMSIZ_MAX: usize = 15;

/// How the user named an interface: `eth0`, `10.77.0.1`, `fd77::1` or `3`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IfaceSpec {
    /// An interface name.
    Name(String),
    /// One of the interface's addresses.
    Addr(IpAddr),
    /// An interface index (all digits).
    Index(u32),
}

impl FromStr for IfaceSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err(
                "empty interface: expected a name (eth0), an address (10.77.0.1) or an index (3)"
                    .into(),
            );
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<u32>() {
                Ok(0) | Err(_) => Err(format!(
                    "interface index {s:?} is out of range: indexes start at 1"
                )),
                Ok(i) => Ok(IfaceSpec::Index(i)),
            };
        }
        if let Ok(a) = s.parse::<IpAddr>() {
            return Ok(IfaceSpec::Addr(a));
        }
        // Linux refuses names with '/', ':' or whitespace (dev_valid_name).
        if s.len() > IFNAMSIZ_MAX {
            return Err(format!(
                "interface name {:?} is longer than {IFNAMSIZ_MAX} bytes",
                s.to_string()
            ));
        }
        if let Some(c) = s.chars().find(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '/' | ':' | '@' | '%' | '[' | ']')
        }) {
            return Err(format!(
                "interface name {:?} contains {:?}: expected a name (eth0), an address (10.77.0.1) or an index (3)",
                s.to_string(),
                c
            ));
        }
        Ok(IfaceSpec::Name(s.to_string()))
    }
}

impl fmt::Display for IfaceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IfaceSpec::Name(n) => f.write_str(n),
            IfaceSpec::Addr(a) => write!(f, "{a}"),
            IfaceSpec::Index(i) => write!(f, "{i}"),
        }
    }
}

impl IfaceSpec {
    /// The address family the spec pins, if it is an address.
    pub fn family(&self) -> Option<Family> {
        match self {
            IfaceSpec::Addr(a) => Some(Family::of(a)),
            _ => None,
        }
    }
}

/// `--iface` values: one interface, or `all` multicast-capable ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfaceSelector {
    /// Every interface that is UP and has the MULTICAST flag.
    All,
    /// One interface.
    One(IfaceSpec),
}

impl FromStr for IfaceSelector {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "all" {
            Ok(IfaceSelector::All)
        } else {
            s.parse().map(IfaceSelector::One)
        }
    }
}

impl fmt::Display for IfaceSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IfaceSelector::All => f.write_str("all"),
            IfaceSelector::One(s) => s.fmt(f),
        }
    }
}

/// IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of an address.
    pub fn of(a: &IpAddr) -> Family {
        match a {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// The largest UDP payload a datagram of this family can carry
    /// (65,535 minus the IPv4 and UDP headers; IPv6 without jumbograms).
    pub fn max_payload(self) -> usize {
        match self {
            Family::V4 => 65_507,
            Family::V6 => 65_527,
        }
    }

    /// The unspecified address of the family.
    pub fn unspecified(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        })
    }
}

/// True when an IPv6 multicast group is interface- or link-local scoped
/// (ff01::/16, ff02::/16 and their flagged variants), so that it means
/// nothing without naming an interface.
pub fn needs_interface(a: &IpAddr) -> bool {
    match a {
        IpAddr::V6(v6) => v6.is_multicast() && matches!(v6.segments()[0] & 0x000f, 1 | 2),
        IpAddr::V4(_) => false,
    }
}

/// A UDP endpoint: host (unicast or multicast), port, optional interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The host or group address.
    pub addr: IpAddr,
    /// The UDP port, 1-65535.
    pub port: u16,
    /// The interface, when the endpoint names one.
    pub iface: Option<IfaceSpec>,
}

impl Endpoint {
    /// The address family.
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }

    /// True when the address is a multicast group.
    pub fn is_multicast(&self) -> bool {
        self.addr.is_multicast()
    }
}

impl FromStr for Endpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, port, iface) = parse_host_port(s, PortRule::Required)?;
        Ok(Endpoint {
            addr,
            port: port.expect("required port"),
            iface,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", SocketAddr::new(self.addr, self.port))?;
        if let Some(i) = &self.iface {
            write!(f, "@{i}")?;
        }
        Ok(())
    }
}

/// An endpoint whose address is a multicast group (listen, bridge inputs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupEndpoint(pub Endpoint);

impl FromStr for GroupEndpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let ep: Endpoint = s.parse()?;
        require_multicast(&ep.addr)?;
        Ok(GroupEndpoint(ep))
    }
}

impl fmt::Display for GroupEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A flow rewrite for `replay --map`: `FROM=TO`, where FROM is the
/// captured destination `ADDR:PORT` and TO the endpoint to send it to
/// instead (`239.1.1.1:5000=239.9.9.9:6000@eth1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlowMap {
    /// The captured destination address.
    pub from: IpAddr,
    /// The captured destination port.
    pub from_port: u16,
    /// Where to send it.
    pub to: Endpoint,
}

impl FromStr for FlowMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let Some((from, to)) = s.split_once('=') else {
            return Err(format!(
                "invalid map {s:?}: expected FROM=TO, e.g. 239.1.1.1:5000=239.9.9.9:6000@eth1"
            ));
        };
        let from: Endpoint = from
            .parse()
            .map_err(|e| format!("in {s:?}, before '=': {e}"))?;
        if from.iface.is_some() {
            return Err(format!(
                "in {s:?}: the captured side names no interface (put @IFACE after '=')"
            ));
        }
        let to: Endpoint = to
            .parse()
            .map_err(|e| format!("in {s:?}, after '=': {e}"))?;
        Ok(FlowMap {
            from: from.addr,
            from_port: from.port,
            to,
        })
    }
}

/// A multicast group with an optional interface, for `join`:
/// `239.1.2.3`, `239.1.2.3@eth0`, `ff15::1@eth0`, `[ff02::1%eth0]`.
/// A port is accepted (so an endpoint can be pasted) and ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupSpec {
    /// The multicast group.
    pub group: IpAddr,
    /// The interface, when named.
    pub iface: Option<IfaceSpec>,
}

impl FromStr for GroupSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (group, _port, iface) = parse_host_port(s, PortRule::Optional)?;
        require_multicast(&group)?;
        Ok(GroupSpec { group, iface })
    }
}

impl fmt::Display for GroupSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.group)?;
        if let Some(i) = &self.iface {
            write!(f, "@{i}")?;
        }
        Ok(())
    }
}

fn require_multicast(a: &IpAddr) -> Result<(), String> {
    if a.is_multicast() {
        return Ok(());
    }
    let what = match a {
        IpAddr::V4(v4) if v4.is_broadcast() => "a broadcast address",
        IpAddr::V4(v4) if v4.octets()[3] == 255 => "a unicast (or subnet broadcast) address",
        _ if a.is_unspecified() => "the unspecified address",
        _ => "a unicast address",
    };
    let range = match a {
        IpAddr::V4(_) => "224.0.0.0/4, e.g. 239.2.3.1",
        IpAddr::V6(_) => "ff00::/8, e.g. ff15::1",
    };
    Err(format!(
        "{a} is not a multicast group ({what}); expected an address in {range}"
    ))
}

/// A bracketed IPv6 literal at the start of a text, `[ADDR%ZONE]REST`:
/// the lexer every grammar shares (endpoints and bridge links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bracketed<'a> {
    /// The address inside the brackets.
    pub addr: Ipv6Addr,
    /// The zone text after `%`, unparsed.
    pub zone: Option<&'a str>,
    /// What follows `]`.
    pub rest: &'a str,
}

/// Why a bracketed literal did not lex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BracketError {
    /// No `]`.
    Unclosed,
    /// The text inside is not an IPv6 address.
    NotIpv6(String),
}

/// Lexes `[ADDR%ZONE]REST`; `None` when `s` does not start with `[`.
pub(crate) fn lex_bracketed(s: &str) -> Option<Result<Bracketed<'_>, BracketError>> {
    let inner = s.strip_prefix('[')?;
    let Some(close) = inner.find(']') else {
        return Some(Err(BracketError::Unclosed));
    };
    let (host, zone) = match inner[..close].split_once('%') {
        Some((h, z)) => (h, Some(z)),
        None => (&inner[..close], None),
    };
    Some(match host.parse::<Ipv6Addr>() {
        Ok(addr) => Ok(Bracketed {
            addr,
            zone,
            rest: &inner[close + 1..],
        }),
        Err(_) => Err(BracketError::NotIpv6(host.to_string())),
    })
}

impl BracketError {
    /// The message, with an example of the right form.
    pub(crate) fn message(&self, shown: &str, example: &str) -> String {
        match self {
            BracketError::Unclosed => {
                format!("{shown:?}: missing ']' after the IPv6 address, e.g. {example}")
            }
            BracketError::NotIpv6(h) => format!(
                "{:?} is not an IPv6 address (inside [...] only IPv6 is allowed)",
                h.to_string()
            ),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PortRule {
    Required,
    Optional,
}

type HostPort = (IpAddr, Option<u16>, Option<IfaceSpec>);

fn parse_host_port(s: &str, rule: PortRule) -> Result<HostPort, String> {
    let shown = s.to_string();
    if s.is_empty() {
        return Err("empty endpoint: expected GROUP:PORT[@IFACE], e.g. 239.2.3.1:6969".into());
    }
    let (addr, zone, rest) = if let Some(b) = lex_bracketed(s) {
        let b = b.map_err(|e| e.message(&shown, "[ff15::1]:6969"))?;
        let (addr, zone) = (b.addr, b.zone);
        let zone = match zone {
            Some(z) => Some(
                z.parse::<IfaceSpec>()
                    .map_err(|e| format!("zone in {shown:?}: {e}"))?,
            ),
            None => None,
        };
        (IpAddr::V6(addr), zone, b.rest)
    } else {
        // Unbracketed: IPv4 with an optional port, or (port optional only)
        // a bare IPv6 group with an optional %zone or @iface.
        let (host_port, at_iface) = split_iface(s);
        if host_port.matches(':').count() > 1 {
            if rule == PortRule::Required {
                return Err(format!(
                    "{shown:?}: an IPv6 endpoint needs brackets so the port can be told apart, e.g. [ff15::1]:6969"
                ));
            }
            let (host, zone) = match host_port.split_once('%') {
                Some((h, z)) => (h, Some(z)),
                None => (host_port, None),
            };
            let addr: Ipv6Addr = host
                .parse()
                .map_err(|_| format!("{host:?} is not an IPv6 address"))?;
            let zone = zone
                .map(str::parse::<IfaceSpec>)
                .transpose()
                .map_err(|e| format!("zone in {shown:?}: {e}"))?;
            let iface = merge_iface(zone, at_iface, &shown)?;
            let addr = IpAddr::V6(addr);
            check_iface_family(&addr, &iface)?;
            return Ok((addr, None, iface));
        }
        let (host, after) = match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        };
        let addr = parse_v4(host, "239.2.3.1")?;
        let rest_owned = match (after, at_iface) {
            (Some(p), Some(i)) => format!(":{p}@{i}"),
            (Some(p), None) => format!(":{p}"),
            (None, Some(i)) => format!("@{i}"),
            (None, None) => String::new(),
        };
        return finish(IpAddr::V4(addr), None, &rest_owned, rule, &shown);
    };
    finish(addr, zone, rest, rule, &shown)
}

/// Splits `HOST[:PORT]@IFACE` at the first '@' (names cannot hold '@' here).
fn split_iface(s: &str) -> (&str, Option<&str>) {
    match s.split_once('@') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn finish(
    addr: IpAddr,
    zone: Option<IfaceSpec>,
    rest: &str,
    rule: PortRule,
    shown: &str,
) -> Result<HostPort, String> {
    let (port_part, at_iface) = split_iface(rest);
    let port = match port_part.strip_prefix(':') {
        Some(p) => Some(parse_port(p)?),
        None if port_part.is_empty() => None,
        None => {
            return Err(format!(
                "{shown:?}: unexpected {port_part:?} after the address; expected :PORT"
            ))
        }
    };
    if port.is_none() && rule == PortRule::Required {
        return Err(format!(
            "{shown:?}: missing port; expected GROUP:PORT, e.g. {}",
            example(&addr)
        ));
    }
    let iface = merge_iface(zone, at_iface, shown)?;
    check_iface_family(&addr, &iface)?;
    Ok((addr, port, iface))
}

fn example(addr: &IpAddr) -> String {
    SocketAddr::new(*addr, 6969).to_string()
}

fn merge_iface(
    zone: Option<IfaceSpec>,
    at: Option<&str>,
    shown: &str,
) -> Result<Option<IfaceSpec>, String> {
    let at = match at {
        Some(i) => Some(
            i.parse::<IfaceSpec>()
                .map_err(|e| format!("interface in {shown:?}: {e}"))?,
        ),
        None => None,
    };
    match (zone, at) {
        (Some(_), Some(_)) => Err(format!(
            "{shown:?} names the interface twice (%zone and @iface): give it once"
        )),
        (z, a) => Ok(z.or(a)),
    }
}

fn check_iface_family(addr: &IpAddr, iface: &Option<IfaceSpec>) -> Result<(), String> {
    if let Some(IfaceSpec::Addr(i)) = iface {
        if Family::of(i) != Family::of(addr) {
            return Err(format!(
                "{addr} is {} but the interface address {i} is {}: name the interface by name or index, or by an address of the same family",
                Family::of(addr),
                Family::of(i)
            ));
        }
    }
    Ok(())
}

/// Parses an IPv4 literal strictly, with a message that says what is
/// wrong and shows `example`.
pub(crate) fn parse_v4(host: &str, example: &str) -> Result<Ipv4Addr, String> {
    // std's parser is strict: it refuses "0239.2.3.1" (leading zero, which
    // inet_aton would read as octal) and "239.2.3" (classful shorthand).
    host.parse::<Ipv4Addr>().map_err(|_| {
        let shown = host.to_string();
        if host.chars().any(|c| c.is_ascii_alphabetic()) {
            format!("{shown:?} is not an IP address: mcast takes addresses, not host names (e.g. {example} or [ff15::1])")
        } else if host.split('.').any(|o| o.len() > 1 && o.starts_with('0') && o.bytes().all(|b| b.is_ascii_digit())) {
            format!("{shown:?} is not an IPv4 address: leading zeros are ambiguous (octal?); write e.g. {example}")
        } else if host.split('.').count() != 4 {
            format!("{shown:?} is not an IPv4 address: expected four dotted numbers, e.g. {example}")
        } else if host.split('.').any(|o| o.parse::<u32>().map_or(true, |n| n > 255)) {
            format!("{shown:?} is not an IPv4 address: each number must be 0-255")
        } else {
            format!("{shown:?} is not an IP address: expected e.g. {example} or [ff15::1]")
        }
    })
}

/// Parses a UDP port: 1-65535, digits only.
pub fn parse_port(p: &str) -> Result<u16, String> {
    let shown = p.to_string();
    if p.is_empty() {
        return Err("missing port after ':'; expected a number 1-65535".into());
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("port {shown:?} is not a number; expected 1-65535"));
    }
    match p.parse::<u32>() {
        Ok(0) => Err(
            "port 0 is not usable here (the kernel would pick a random one); expected 1-65535"
                .into(),
        ),
        Ok(n) if n <= 65535 => Ok(n as u16),
        _ => Err(format!("port {shown} is out of range; expected 1-65535")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> Endpoint {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn grammar_examples_parse_and_round_trip() {
        for (input, canonical) in [
            ("239.2.3.1:6969", "239.2.3.1:6969"),
            ("239.2.3.1:6969@eth0", "239.2.3.1:6969@eth0"),
            ("239.2.3.1:6969@10.77.0.1", "239.2.3.1:6969@10.77.0.1"),
            ("[ff15::1]:6969@eth0", "[ff15::1]:6969@eth0"),
            ("[ff02::1%eth0]:6969", "[ff02::1]:6969@eth0"),
            ("[ff02::1%3]:6969", "[ff02::1]:6969@3"),
            ("[ff15::1]:6969@fd77::1", "[ff15::1]:6969@fd77::1"),
            ("10.77.0.4:5000", "10.77.0.4:5000"),
            ("[FF15:0::1]:1", "[ff15::1]:1"),
        ] {
            let e = ep(input);
            assert_eq!(e.to_string(), canonical, "{input}");
            assert_eq!(ep(&e.to_string()), e, "round trip of {input}");
        }
        let e = ep("[ff02::1%3]:6969");
        assert_eq!(e.iface, Some(IfaceSpec::Index(3)));
        assert_eq!(
            ep("239.2.3.1:6969@10.77.0.1").iface,
            Some(IfaceSpec::Addr("10.77.0.1".parse().unwrap()))
        );
    }

    #[test]
    fn bad_endpoints_say_what_was_expected() {
        for (input, needle) in [
            ("239.2.3.1", "missing port"),
            ("239.2.3.1:", "missing port"),
            ("239.2.3.1:0", "port 0"),
            ("239.2.3.1:65536", "out of range"),
            ("239.2.3.1:-1", "not a number"),
            ("239.2.3.1:abc", "not a number"),
            ("0239.2.3.1:6969", "leading zeros"),
            ("239.2.3:6969", "four dotted"),
            ("300.1.1.1:6969", "0-255"),
            ("ff02::1:6969", "brackets"),
            ("[ff02::1:6969", "missing ']'"),
            ("[10.0.0.1]:6969", "not an IPv6"),
            ("239.2.3.1:6969@fd77::1", "IPv4 but the interface address"),
            ("[ff15::1]:6969@10.77.0.1", "IPv6 but the interface address"),
            ("[ff02::1%eth0]:6969@eth1", "twice"),
            ("239.2.3.1:6969@", "empty interface"),
            ("239.2.3.1:6969@0", "indexes start at 1"),
            ("239.2.3.1:6969@a/b", "contains"),
            ("239.2.3.1:6969@averyveryverylongname", "longer than"),
            ("", "empty endpoint"),
            ("host.example:80", "not an IP address"),
        ] {
            let err = input.parse::<Endpoint>().expect_err(input);
            assert!(err.contains(needle), "{input}: {err}");
        }
    }

    #[test]
    fn groups_must_be_multicast() {
        assert!("239.2.3.1:6969".parse::<GroupEndpoint>().is_ok());
        for (input, needle) in [
            ("10.77.0.1:6969", "unicast"),
            ("255.255.255.255:6969", "broadcast"),
            ("10.77.0.255:6969", "broadcast"),
            ("[fd77::1]:6969", "unicast"),
            ("0.0.0.0:6969", "unspecified"),
        ] {
            let err = input.parse::<GroupEndpoint>().expect_err(input);
            assert!(
                err.contains("not a multicast group") && err.contains(needle),
                "{input}: {err}"
            );
        }
    }

    #[test]
    fn join_groups_take_an_optional_port_and_bare_ipv6() {
        for (input, canonical) in [
            ("239.1.2.3", "239.1.2.3"),
            ("239.1.2.3@eth0", "239.1.2.3@eth0"),
            ("239.1.2.3:6969@eth0", "239.1.2.3@eth0"),
            ("ff15::1@eth0", "ff15::1@eth0"),
            ("ff02::1%eth0", "ff02::1@eth0"),
            ("[ff02::1%2]", "ff02::1@2"),
            ("[ff15::1]:5000", "ff15::1"),
        ] {
            let g: GroupSpec = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(g.to_string(), canonical);
            assert_eq!(g.to_string().parse::<GroupSpec>().unwrap(), g);
        }
        assert!("10.0.0.1"
            .parse::<GroupSpec>()
            .unwrap_err()
            .contains("not a multicast group"));
        assert!("ff15::1@10.0.0.1".parse::<GroupSpec>().is_err());
    }

    #[test]
    fn link_local_scope() {
        assert!(needs_interface(&"ff02::1".parse().unwrap()));
        assert!(needs_interface(&"ff12::1".parse().unwrap()));
        assert!(needs_interface(&"ff01::1".parse().unwrap()));
        assert!(!needs_interface(&"ff15::1".parse().unwrap()));
        assert!(!needs_interface(&"ff05::1".parse().unwrap()));
        assert!(!needs_interface(&"224.0.0.1".parse().unwrap()));
    }

    #[test]
    fn iface_selector() {
        assert_eq!("all".parse::<IfaceSelector>().unwrap(), IfaceSelector::All);
        assert_eq!(
            "eth0".parse::<IfaceSelector>().unwrap(),
            IfaceSelector::One(IfaceSpec::Name("eth0".into()))
        );
        assert_eq!(
            "7".parse::<IfaceSelector>().unwrap(),
            IfaceSelector::One(IfaceSpec::Index(7))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_endpoint_round_trips(a in proptest::prelude::any::<[u8; 16]>(), v6 in proptest::prelude::any::<bool>(), port in 1u16.., idx in proptest::option::of(1u32..100)) {
            let addr = if v6 { IpAddr::V6(Ipv6Addr::from(a)) } else { IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])) };
            let e = Endpoint { addr, port, iface: idx.map(IfaceSpec::Index) };
            proptest::prop_assert_eq!(e.to_string().parse::<Endpoint>().unwrap(), e);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Endpoint>();
            let _ = s.parse::<GroupSpec>();
        }
    }

    #[test]
    fn flow_maps() {
        let m: FlowMap = "239.1.1.1:5000=239.9.9.9:6000@eth1".parse().unwrap();
        assert_eq!((m.from, m.from_port), ("239.1.1.1".parse().unwrap(), 5000));
        assert_eq!(m.to.to_string(), "239.9.9.9:6000@eth1");
        let m: FlowMap = "[ff15::1]:5000=[ff15::2]:5000".parse().unwrap();
        assert_eq!(m.to.port, 5000);
        assert!("239.1.1.1:5000"
            .parse::<FlowMap>()
            .unwrap_err()
            .contains("expected FROM=TO"));
        assert!("239.1.1.1:5000@a0=239.1.1.2:1"
            .parse::<FlowMap>()
            .unwrap_err()
            .contains("after '='"));
        assert!("239.1.1.1=239.1.1.2:1"
            .parse::<FlowMap>()
            .unwrap_err()
            .contains("before '='"));
    }
}
