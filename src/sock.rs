//! The socket-configuration core: every command builds its sockets here.
//!
//! All joins use the protocol-independent RFC 3678 API (`MCAST_JOIN_GROUP`,
//! `MCAST_JOIN_SOURCE_GROUP`) with an interface *index*, which works the same
//! for IPv4 and IPv6 and, unlike `IP_ADD_MEMBERSHIP` with an address, picks
//! the right interface when two share an address. socket2 has no IPv6
//! source-specific join, which is another reason to call it ourselves.
//!
//! Every OS call gets context naming the operation and the address, so an
//! error reads "join 239.2.3.1 on eth0 (index 3): No such device".

use std::io;
use std::mem;
use std::net::{IpAddr, SocketAddr, SocketAddrV6};
use std::os::fd::AsRawFd;

use anyhow::{Context, Result};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::endpoint::{needs_interface, Family};
use crate::plan::{GroupPlan, SocketLimits};

pub use crate::plan::{IfRef, Membership};

/// A new UDP socket of the family, close-on-exec, IPv6 sockets v6-only.
pub fn udp_socket(family: Family) -> Result<Socket> {
    let domain = match family {
        Family::V4 => Domain::IPV4,
        Family::V6 => Domain::IPV6,
    };
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))
        .with_context(|| format!("create {family} UDP socket"))?;
    if family == Family::V6 {
        s.set_only_v6(true).context("set IPV6_V6ONLY")?;
    }
    Ok(s)
}

fn setsockopt<T>(s: &Socket, level: libc::c_int, name: libc::c_int, val: &T) -> io::Result<()> {
    // SAFETY: `val` points to a live T of the size passed; the kernel copies it.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            level,
            name,
            val as *const T as *const libc::c_void,
            mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sets an integer socket option (for options socket2 does not wrap).
pub fn set_int(
    s: &Socket,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    setsockopt(s, level, name, &v)
}

fn storage(addr: IpAddr) -> libc::sockaddr_storage {
    let sa = SockAddr::from(SocketAddr::new(addr, 0));
    // SAFETY: sockaddr_storage is plain old data; SockAddr holds at most its size.
    let mut st: libc::sockaddr_storage = unsafe { mem::zeroed() };
    // SAFETY: copying `sa.len()` bytes, which never exceeds sizeof(sockaddr_storage).
    unsafe {
        std::ptr::copy_nonoverlapping(
            sa.as_ptr() as *const u8,
            &mut st as *mut _ as *mut u8,
            sa.len() as usize,
        );
    }
    st
}

fn level_of(group: &IpAddr) -> libc::c_int {
    match group {
        IpAddr::V4(_) => libc::IPPROTO_IP,
        IpAddr::V6(_) => libc::IPPROTO_IPV6,
    }
}

/// Joins a group (any-source or source-specific) on a socket.
pub fn join(s: &Socket, m: &Membership) -> Result<()> {
    membership_op(s, m, true).with_context(|| format!("join {m}{}", down_note(&m.iface)))
}

/// " (IFACE is DOWN)" for messages about an interface known to be down,
/// which the hints turn into "bring it up".
pub fn down_note(i: &IfRef) -> String {
    if i.is_down() {
        format!(" ({} is DOWN)", i.name)
    } else {
        String::new()
    }
}

/// Leaves a group joined with [`join`].
pub fn leave(s: &Socket, m: &Membership) -> Result<()> {
    membership_op(s, m, false).with_context(|| format!("leave {m}"))
}

fn membership_op(s: &Socket, m: &Membership, join: bool) -> io::Result<()> {
    let level = level_of(&m.group);
    match m.source {
        None => {
            let req = libc::group_req {
                gr_interface: m.iface.index,
                gr_group: storage(m.group),
            };
            let name = if join {
                libc::MCAST_JOIN_GROUP
            } else {
                libc::MCAST_LEAVE_GROUP
            };
            setsockopt(s, level, name, &req)
        }
        Some(src) => {
            let req = libc::group_source_req {
                gsr_interface: m.iface.index,
                gsr_group: storage(m.group),
                gsr_source: storage(src),
            };
            let name = if join {
                libc::MCAST_JOIN_SOURCE_GROUP
            } else {
                libc::MCAST_LEAVE_SOURCE_GROUP
            };
            setsockopt(s, level, name, &req)
        }
    }
}

/// Sets the receive buffer to `want` bytes of payload space: `SO_RCVBUF`,
/// and when the kernel clamps that to `net.core.rmem_max`,
/// `SO_RCVBUFFORCE` (which needs CAP_NET_ADMIN). Returns the size granted,
/// in the same unit as `want`.
///
/// Linux doubles the value on the way in (the other half is its own
/// bookkeeping) and reports the doubled value back, so a request was met
/// only when the read-back is at least twice the request; comparing the
/// read-back with the request itself would take a buffer clamped to
/// `rmem_max` (anything between `rmem_max` and twice it) for a granted one.
pub fn set_rcvbuf(s: &Socket, want: usize) -> Result<usize> {
    s.set_recv_buffer_size(want)
        .with_context(|| format!("set SO_RCVBUF to {want}"))?;
    let mut got = s.recv_buffer_size().context("read SO_RCVBUF")?;
    if got < want.saturating_mul(2) {
        let v = libc::c_int::try_from(want).unwrap_or(libc::c_int::MAX);
        if set_int(s, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, v).is_ok() {
            got = s.recv_buffer_size().context("read SO_RCVBUF")?;
        }
    }
    Ok(granted(got))
}

/// What to tell the user when the kernel granted less receive buffer than
/// asked for (`None` when it granted all of it).
pub fn rcvbuf_shortfall(granted: usize, want: usize) -> Option<String> {
    (granted < want).then(|| {
        format!(
            "the kernel granted a {granted} byte receive buffer instead of {want} \
             (net.core.rmem_max); bursts may be dropped: raise it with \
             `sysctl -w net.core.rmem_max={want}` or run as root"
        )
    })
}

/// The usable size behind a read-back `SO_RCVBUF` (half of it).
fn granted(read_back: usize) -> usize {
    read_back / 2
}

/// A receiving socket for one group and port, with the memberships it holds.
#[derive(Debug)]
pub struct GroupSocket {
    /// The socket (non-blocking).
    pub sock: Socket,
    /// The group.
    pub group: IpAddr,
    /// The UDP port.
    pub port: u16,
    /// The memberships joined on it.
    pub memberships: Vec<Membership>,
    /// The receive buffer the kernel granted (payload bytes, the unit of the
    /// request; see [`set_rcvbuf`]).
    pub rcvbuf: usize,
}

impl GroupSocket {
    /// Whether a received datagram is really for this socket: sent to its
    /// group (a wildcard-bound IPv6 socket sees other destinations too) and
    /// arrived on an interface it joined on. The second check matters for
    /// IPv6: `IPV6_MULTICAST_ALL=0` filters by group only, so a socket that
    /// joined on b0 also gets the group's datagrams arriving on a0 when
    /// another socket of the host joined it there (IPv4 checks both).
    pub fn accepts(&self, dst: Option<IpAddr>, ifindex: u32) -> bool {
        if dst.is_some_and(|d| d != self.group) {
            return false;
        }
        ifindex == 0
            || self
                .memberships
                .iter()
                .any(|m| m.iface.index == 0 || m.iface.index == ifindex)
    }
}

impl GroupSocket {
    /// Reads every datagram waiting, in batches, and hands each one this
    /// socket [`accepts`](GroupSocket::accepts) to `f` with its arrival
    /// interface (the membership's when the kernel gave none).
    pub fn drain(
        &self,
        batch: &mut crate::batch::RecvBatch,
        mut f: impl FnMut(&crate::batch::Meta, u32, &[u8]),
    ) -> io::Result<()> {
        loop {
            let n = match batch.recv(&self.sock) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(());
            }
            for (m, payload) in batch.iter() {
                let ifindex = match m.ifindex {
                    0 => self.memberships.first().map_or(0, |m| m.iface.index),
                    i => i,
                };
                if self.accepts(m.dst, ifindex) {
                    f(m, ifindex, payload);
                }
            }
        }
    }
}

/// Opens the socket of a [`GroupPlan`]: it receives the plan's group and
/// port and holds every membership of the plan.
///
/// No cross-talk: the socket is bound to the group address, so the kernel
/// delivers only datagrams sent to that group (not other groups or unicast
/// on the same port), and `IP_MULTICAST_ALL=0` stops it from seeing groups
/// that other sockets of this host joined. `SO_REUSEADDR` lets several
/// listeners (or a TAK client, which sets it too) share the port, and each
/// gets its own copy of every datagram.
///
/// Not `SO_REUSEPORT`: when only one socket of a reuseport group accepts a
/// datagram (say, an SSM listener next to an any-source one), Linux's early
/// demultiplexing hands it to a random member of the group, ignoring that
/// member's source filter, so one listener steals the other's traffic.
pub fn open_group_receiver(plan: &GroupPlan, rcvbuf: usize, extras: Extras) -> Result<GroupSocket> {
    let group = plan.group;
    let family = Family::of(&group);
    let (s, granted) = receiver_socket(family, rcvbuf, extras)?;
    if family == Family::V4 {
        s.set_multicast_all_v4(false)
            .context("set IP_MULTICAST_ALL")?;
    } else {
        // IPV6_MULTICAST_ALL arrived in Linux 4.20; older kernels lack it,
        // and the bind address plus the PKTINFO check still filter.
        let _ = s.set_multicast_all_v6(false);
    }

    let bind_addr = bind_address(group, plan.port, &plan.ifaces());
    s.bind(&SockAddr::from(bind_addr))
        .with_context(|| format!("bind {bind_addr}"))?;
    s.set_nonblocking(true).context("set O_NONBLOCK")?;
    for m in &plan.memberships {
        join(&s, m)?;
    }
    Ok(GroupSocket {
        sock: s,
        group,
        port: plan.port,
        memberships: plan.memberships.clone(),
        rcvbuf: granted,
    })
}

/// The kernel's per-socket membership limits for a family, from
/// `/proc/sys` (Linux's defaults when unreadable: 20 groups and 10 sources
/// per socket for IPv4; IPv6 has no group limit and 64 sources).
pub fn socket_limits(family: Family) -> SocketLimits {
    let read = |path: &str, default: usize| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(default)
    };
    match family {
        Family::V4 => SocketLimits {
            groups: read("/proc/sys/net/ipv4/igmp_max_memberships", 20),
            sources: read("/proc/sys/net/ipv4/igmp_max_msf", 10),
        },
        Family::V6 => SocketLimits {
            groups: usize::MAX,
            sources: read("/proc/sys/net/ipv6/mld_max_msf", 64),
        },
    }
}

/// What a receiver asks the kernel to tell per datagram beyond the
/// destination, arrival interface, TTL and drop counter, which it always
/// gets. Each is one more control message per datagram, a measurable part
/// of receiving at hundreds of thousands per second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extras {
    /// The kernel's receive time (`SO_TIMESTAMPNS`).
    pub timestamps: bool,
    /// The IPv4 TOS or IPv6 traffic class (for captures).
    pub tos: bool,
}

/// Opens the sockets of a [`GroupPlan`]: one, or as many as the kernel's
/// per-socket membership limits need ([`GroupPlan::socket_sets`]).
pub fn open_group_receivers(
    plan: &GroupPlan,
    rcvbuf: usize,
    extras: Extras,
) -> Result<Vec<GroupSocket>> {
    let limits = socket_limits(Family::of(&plan.group));
    plan.socket_sets(limits)
        .into_iter()
        .map(|memberships| {
            let part = GroupPlan {
                memberships,
                ..plan.clone()
            };
            open_group_receiver(&part, rcvbuf, extras)
        })
        .collect()
}

/// A UDP socket that reports, per datagram, the destination and arrival
/// interface (PKTINFO), the TTL or hop limit, the kernel receive time and
/// the kernel's drop counter; shares its port (`SO_REUSEADDR`); and has the
/// receive buffer asked for (as far as the kernel grants it, returned).
/// Kernel receive timestamps and TOS cost a control message per datagram
/// each: only on request ([`Extras`]).
pub fn receiver_socket(family: Family, rcvbuf: usize, extras: Extras) -> Result<(Socket, usize)> {
    let s = udp_socket(family)?;
    s.set_reuse_address(true).context("set SO_REUSEADDR")?;
    match family {
        Family::V4 => {
            set_int(&s, libc::IPPROTO_IP, libc::IP_PKTINFO, 1).context("set IP_PKTINFO")?;
            set_int(&s, libc::IPPROTO_IP, libc::IP_RECVTTL, 1).context("set IP_RECVTTL")?;
            if extras.tos {
                set_int(&s, libc::IPPROTO_IP, libc::IP_RECVTOS, 1).context("set IP_RECVTOS")?;
            }
        }
        Family::V6 => {
            set_int(&s, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1)
                .context("set IPV6_RECVPKTINFO")?;
            set_int(&s, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, 1)
                .context("set IPV6_RECVHOPLIMIT")?;
            if extras.tos {
                set_int(&s, libc::IPPROTO_IPV6, libc::IPV6_RECVTCLASS, 1)
                    .context("set IPV6_RECVTCLASS")?;
            }
        }
    }
    set_int(&s, libc::SOL_SOCKET, libc::SO_RXQ_OVFL, 1).context("set SO_RXQ_OVFL")?;
    if extras.timestamps {
        set_int(&s, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1).context("set SO_TIMESTAMPNS")?;
    }
    let granted = set_rcvbuf(&s, rcvbuf)?;
    Ok((s, granted))
}

/// Opens a non-blocking socket that receives unicast UDP on `addr:port`
/// (the wildcard address of `family` when `addr` is None), with the same
/// per-datagram metadata as a group receiver. Returns it and the receive
/// buffer granted. (No kernel timestamps: the bridge, its user, needs none.)
pub fn open_unicast_receiver(
    family: Family,
    addr: Option<IpAddr>,
    port: u16,
    rcvbuf: usize,
) -> Result<(Socket, usize)> {
    let (s, granted) = receiver_socket(family, rcvbuf, Extras::default())?;
    let a = SocketAddr::new(addr.unwrap_or(family.unspecified()), port);
    s.bind(&SockAddr::from(a))
        .with_context(|| format!("bind {a}"))?;
    s.set_nonblocking(true).context("set O_NONBLOCK")?;
    Ok((s, granted))
}

/// Sets the TTL / hop limit of a sending socket, multicast and unicast
/// alike (the bridge changes it per batch with `--decrement-ttl`).
pub fn set_ttl(s: &Socket, family: Family, ttl: u8) -> Result<()> {
    let t = u32::from(ttl);
    match family {
        Family::V4 => s
            .set_multicast_ttl_v4(t)
            .and_then(|_| s.set_ttl_v4(t.max(1))),
        Family::V6 => s
            .set_multicast_hops_v6(t)
            .and_then(|_| s.set_unicast_hops_v6(t.max(1))),
    }
    .with_context(|| format!("set TTL to {ttl}"))
}

/// Linux binds an IPv6 link-local group only together with one interface
/// (the scope id), which would then be the only one it hears. With several
/// interfaces we bind the wildcard address and rely on `IPV6_MULTICAST_ALL=0`
/// plus the per-datagram destination check the receiver does with PKTINFO.
fn bind_address(group: IpAddr, port: u16, ifaces: &[IfRef]) -> SocketAddr {
    match group {
        IpAddr::V4(_) => SocketAddr::new(group, port),
        IpAddr::V6(g) if needs_interface(&group) => match ifaces {
            [one] => SocketAddr::V6(SocketAddrV6::new(g, port, 0, one.index)),
            _ => SocketAddr::new(Family::V6.unspecified(), port),
        },
        IpAddr::V6(_) => SocketAddr::new(group, port),
    }
}

/// How to configure a sending socket.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// The outgoing interface for multicast (index 0: by routing).
    pub iface: IfRef,
    /// Multicast TTL / hop limit (also used as the unicast TTL).
    pub ttl: u8,
    /// Multicast loopback to this host.
    pub multicast_loop: bool,
    /// IP TOS / IPv6 traffic class.
    pub tos: Option<u8>,
    /// Local address to bind.
    pub bind: Option<SocketAddr>,
    /// `SO_BROADCAST`: allow broadcast destinations.
    pub broadcast: bool,
}

/// Opens a socket configured to send datagrams of `family`.
pub fn open_sender(family: Family, cfg: &SendConfig) -> Result<Socket> {
    let s = udp_socket(family)?;
    let ttl = u32::from(cfg.ttl);
    match family {
        Family::V4 => {
            if cfg.iface.index != 0 {
                // ip_mreqn selects by index; socket2's setter only takes an
                // address, which is ambiguous when two interfaces share one.
                let mreq = libc::ip_mreqn {
                    imr_multiaddr: libc::in_addr { s_addr: 0 },
                    imr_address: libc::in_addr { s_addr: 0 },
                    imr_ifindex: cfg.iface.index as libc::c_int,
                };
                setsockopt(&s, libc::IPPROTO_IP, libc::IP_MULTICAST_IF, &mreq)
                    .with_context(|| format!("set IP_MULTICAST_IF to {}", cfg.iface))?;
            }
            s.set_multicast_ttl_v4(ttl)
                .with_context(|| format!("set IP_MULTICAST_TTL to {ttl}"))?;
            s.set_ttl_v4(ttl.max(1))
                .with_context(|| format!("set IP_TTL to {ttl}"))?;
            s.set_multicast_loop_v4(cfg.multicast_loop)
                .context("set IP_MULTICAST_LOOP")?;
            if let Some(tos) = cfg.tos {
                s.set_tos_v4(u32::from(tos))
                    .with_context(|| format!("set IP_TOS to {tos:#04x}"))?;
            }
        }
        Family::V6 => {
            if cfg.iface.index != 0 {
                s.set_multicast_if_v6(cfg.iface.index)
                    .with_context(|| format!("set IPV6_MULTICAST_IF to {}", cfg.iface))?;
            }
            s.set_multicast_hops_v6(ttl)
                .with_context(|| format!("set IPV6_MULTICAST_HOPS to {ttl}"))?;
            s.set_unicast_hops_v6(ttl.max(1))
                .with_context(|| format!("set IPV6_UNICAST_HOPS to {ttl}"))?;
            s.set_multicast_loop_v6(cfg.multicast_loop)
                .context("set IPV6_MULTICAST_LOOP")?;
            if let Some(tos) = cfg.tos {
                s.set_tclass_v6(u32::from(tos))
                    .with_context(|| format!("set IPV6_TCLASS to {tos:#04x}"))?;
            }
        }
    }
    if cfg.broadcast {
        s.set_broadcast(true).context("set SO_BROADCAST")?;
    }
    if let Some(b) = cfg.bind {
        s.set_reuse_address(true).context("set SO_REUSEADDR")?;
        s.bind(&SockAddr::from(b))
            .with_context(|| format!("bind {b}"))?;
    }
    Ok(s)
}

/// The destination socket address, with the scope id an IPv6 link-local
/// destination needs.
pub fn destination(addr: IpAddr, port: u16, iface: &IfRef) -> SocketAddr {
    match addr {
        IpAddr::V6(a) if needs_interface(&addr) || a.is_unicast_link_local() => {
            SocketAddr::V6(SocketAddrV6::new(a, port, 0, iface.index))
        }
        _ => SocketAddr::new(addr, port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_address_rules() {
        let a0 = IfRef::named(2, "a0");
        let b0 = IfRef::named(3, "b0");
        let g4: IpAddr = "239.1.1.1".parse().unwrap();
        assert_eq!(
            bind_address(g4, 5000, &[]),
            "239.1.1.1:5000".parse().unwrap()
        );
        let g6: IpAddr = "ff15::1".parse().unwrap();
        assert_eq!(
            bind_address(g6, 5000, &[]),
            "[ff15::1]:5000".parse().unwrap()
        );
        let ll: IpAddr = "ff02::1".parse().unwrap();
        assert_eq!(
            bind_address(ll, 5000, std::slice::from_ref(&a0)).to_string(),
            "[ff02::1%2]:5000"
        );
        assert_eq!(
            bind_address(ll, 5000, &[a0, b0]),
            "[::]:5000".parse().unwrap()
        );
    }

    #[test]
    fn names_in_messages() {
        let m = Membership {
            group: "239.2.3.1".parse().unwrap(),
            iface: IfRef::named(3, "eth0"),
            source: None,
        };
        assert_eq!(m.to_string(), "239.2.3.1 on eth0 (index 3)");
        let m = Membership {
            source: Some("10.0.0.1".parse().unwrap()),
            ..m
        };
        assert_eq!(m.to_string(), "(10.0.0.1, 239.2.3.1) on eth0 (index 3)");
        assert_eq!(IfRef::any().to_string(), "the default interface");
    }
}
