//! The kernel's own route lookups (`RTM_GETROUTE` over rtnetlink), the
//! equivalent of `ip route get`.
//!
//! Why netlink rather than a `connect()` trick: only a lookup with an
//! input interface (`ip route get G from S iif I`) runs the kernel's input
//! checks (reverse-path filter, `accept_local`, membership on I) without a
//! packet, and that is the exact answer `mcast doctor` needs.

use std::io;
use std::net::IpAddr;

use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_REQUEST};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

/// What the kernel answered to a route lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The outgoing interface index (for an input lookup of a local or
    /// multicast destination the kernel may still name one).
    pub oif: Option<u32>,
    /// The next hop, when the destination is not on a connected network.
    pub gateway: Option<IpAddr>,
    /// The source address the kernel would use.
    pub prefsrc: Option<IpAddr>,
    /// Unicast, local, multicast, broadcast...
    pub kind: RouteKind,
}

/// The route types `doctor` distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// A unicast route (through a gateway or on a connected network).
    Unicast,
    /// The destination is an address of this host.
    Local,
    /// A multicast route.
    Multicast,
    /// Anything else (broadcast, blackhole, unreachable...).
    Other,
}

/// One lookup: where a datagram to `dst` goes. With `from` and `iif`, the
/// lookup is for a datagram from `from` arriving on interface `iif`, and
/// fails as that datagram would be dropped (kernel 6.x answers `EINVAL`
/// for every input-check failure, older kernels `EXDEV` for rp_filter).
pub fn get(dst: IpAddr, from: Option<IpAddr>, iif: Option<u32>) -> io::Result<Route> {
    let mut header = RouteHeader {
        address_family: match dst {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        },
        destination_prefix_length: full_prefix(&dst),
        ..Default::default()
    };
    let mut msg = RouteMessage::default();
    msg.attributes
        .push(RouteAttribute::Destination(RouteAddress::from(dst)));
    if let Some(s) = from {
        header.source_prefix_length = full_prefix(&s);
        msg.attributes
            .push(RouteAttribute::Source(RouteAddress::from(s)));
    }
    if let Some(i) = iif {
        msg.attributes.push(RouteAttribute::Iif(i));
    }
    msg.header = header;

    let mut req = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::from(RouteNetlinkMessage::GetRoute(msg)),
    );
    req.header.flags = NLM_F_REQUEST;
    req.header.sequence_number = 1;
    req.finalize();
    let mut out = vec![0u8; req.buffer_len()];
    req.serialize(&mut out);

    let mut sock = Socket::new(NETLINK_ROUTE)?;
    sock.bind_auto()?;
    sock.connect(&SocketAddr::new(0, 0))?;
    sock.send(&out, 0)?;
    let mut buf = vec![0u8; 8192];
    let n = sock.recv(&mut &mut buf[..], 0)?;
    let answer = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[..n.min(buf.len())])
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("rtnetlink: {e}")))?;
    match answer.payload {
        NetlinkPayload::Error(e) => Err(match e.code {
            Some(c) => io::Error::from_raw_os_error(-c.get()),
            None => io::Error::new(io::ErrorKind::InvalidData, "rtnetlink: ACK without a route"),
        }),
        NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(r)) => Ok(route_of(&r)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "rtnetlink: unexpected answer to RTM_GETROUTE",
        )),
    }
}

fn full_prefix(a: &IpAddr) -> u8 {
    match a {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn addr(a: &RouteAddress) -> Option<IpAddr> {
    match a {
        RouteAddress::Inet(v4) => Some(IpAddr::V4(*v4)),
        RouteAddress::Inet6(v6) => Some(IpAddr::V6(*v6)),
        _ => None,
    }
}

fn route_of(r: &RouteMessage) -> Route {
    let mut out = Route {
        oif: None,
        gateway: None,
        prefsrc: None,
        kind: match r.header.kind {
            RouteType::Unicast => RouteKind::Unicast,
            RouteType::Local => RouteKind::Local,
            RouteType::Multicast => RouteKind::Multicast,
            _ => RouteKind::Other,
        },
    };
    for a in &r.attributes {
        match a {
            RouteAttribute::Oif(i) => out.oif = Some(*i),
            RouteAttribute::Gateway(g) => out.gateway = addr(g),
            RouteAttribute::PrefSource(p) => out.prefsrc = addr(p),
            _ => {}
        }
    }
    out
}
