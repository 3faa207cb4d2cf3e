//! The root-only views: a packet socket that sees the group's datagrams as
//! they reach an interface (before the reverse-path filter and netfilter,
//! which is why "tcpdump sees it but my program does not"), and a raw IGMP
//! socket that hears queriers. Both need `CAP_NET_RAW`; without it they
//! report `EPERM` and the doctor says what it could not check.

use std::io;
use std::mem::{self, MaybeUninit};
use std::net::IpAddr;
use std::os::fd::AsRawFd;

use anyhow::{Context, Result};
use socket2::{Domain, Protocol, SockFilter, Socket, Type};

use crate::doctor::parse::{self, IgmpQuery, IpUdp};

// Classic BPF opcodes (linux/filter.h).
const LD_W_ABS: u16 = 0x20;
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LDX_B_MSH: u16 = 0xb1;
const LD_H_IND: u16 = 0x48;
const JEQ_K: u16 = 0x15;
const RET_K: u16 = 0x06;

/// The kernel-side filter: only UDP to `group:port` is copied to the
/// socket, so a busy host costs nothing for the rest of its traffic.
/// Offsets are from the IP header (a `SOCK_DGRAM` packet socket).
fn filter(group: IpAddr, port: u16) -> Vec<SockFilter> {
    let port = u32::from(port);
    match group {
        IpAddr::V4(g) => vec![
            SockFilter::new(LD_W_ABS, 0, 0, 16),
            SockFilter::new(JEQ_K, 0, 6, u32::from(g)),
            SockFilter::new(LD_B_ABS, 0, 0, 9),
            SockFilter::new(JEQ_K, 0, 4, 17),
            SockFilter::new(LDX_B_MSH, 0, 0, 0),
            SockFilter::new(LD_H_IND, 0, 0, 2),
            SockFilter::new(JEQ_K, 0, 1, port),
            SockFilter::new(RET_K, 0, 0, 0xffff),
            SockFilter::new(RET_K, 0, 0, 0),
        ],
        IpAddr::V6(g) => {
            let o = g.octets();
            let w = |i: usize| u32::from_be_bytes([o[i], o[i + 1], o[i + 2], o[i + 3]]);
            vec![
                SockFilter::new(LD_W_ABS, 0, 0, 24),
                SockFilter::new(JEQ_K, 0, 11, w(0)),
                SockFilter::new(LD_W_ABS, 0, 0, 28),
                SockFilter::new(JEQ_K, 0, 9, w(4)),
                SockFilter::new(LD_W_ABS, 0, 0, 32),
                SockFilter::new(JEQ_K, 0, 7, w(8)),
                SockFilter::new(LD_W_ABS, 0, 0, 36),
                SockFilter::new(JEQ_K, 0, 5, w(12)),
                SockFilter::new(LD_B_ABS, 0, 0, 6),
                SockFilter::new(JEQ_K, 0, 3, 17),
                SockFilter::new(LD_H_ABS, 0, 0, 42),
                SockFilter::new(JEQ_K, 0, 1, port),
                SockFilter::new(RET_K, 0, 0, 0xffff),
                SockFilter::new(RET_K, 0, 0, 0),
            ]
        }
    }
}

/// A packet socket on every interface, filtered to the group and port.
pub struct Tap {
    sock: Socket,
    group: IpAddr,
    port: u16,
}

/// Opens the tap; `EPERM` without `CAP_NET_RAW`.
pub fn tap(group: IpAddr, port: u16) -> io::Result<Tap> {
    let proto = if group.is_ipv4() {
        libc::ETH_P_IP
    } else {
        libc::ETH_P_IPV6
    };
    let sock = Socket::new(
        Domain::PACKET,
        Type::DGRAM,
        Some(Protocol::from(i32::from((proto as u16).to_be()))),
    )?;
    sock.attach_filter(&filter(group, port))?;
    sock.set_nonblocking(true)?;
    Ok(Tap { sock, group, port })
}

impl Tap {
    /// The socket, to poll.
    pub fn fd(&self) -> &Socket {
        &self.sock
    }

    /// The next waiting datagram: arrival interface and headers. Outgoing
    /// copies (this host's own sends) are skipped. `Ok(None)`: none waiting.
    pub fn next(&self, buf: &mut [u8]) -> Result<Option<(u32, IpUdp)>> {
        loop {
            // SAFETY: sockaddr_ll is plain old data; all-zero is valid.
            let mut ll: libc::sockaddr_ll = unsafe { mem::zeroed() };
            let mut len = mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            // SAFETY: buf and ll are valid for writes of the lengths given,
            // and outlive the call.
            let n = unsafe {
                libc::recvfrom(
                    self.sock.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_DONTWAIT,
                    (&mut ll as *mut libc::sockaddr_ll).cast(),
                    &mut len,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::WouldBlock => Ok(None),
                    io::ErrorKind::Interrupted => continue,
                    _ => Err(e).context("recvfrom on the packet socket"),
                };
            }
            if ll.sll_pkttype == libc::PACKET_OUTGOING {
                continue;
            }
            let n = (n as usize).min(buf.len());
            match parse::ip_udp(&buf[..n]) {
                Some(h) if h.dst == self.group && h.dport == self.port => {
                    return Ok(Some((ll.sll_ifindex as u32, h)));
                }
                _ => continue,
            }
        }
    }
}

/// A raw IGMP socket: receives the queries that reach this host.
pub struct QueryListener {
    sock: Socket,
}

/// Opens the listener; `EPERM` without `CAP_NET_RAW`.
pub fn query_listener() -> io::Result<QueryListener> {
    let sock = Socket::new(
        Domain::IPV4,
        Type::RAW,
        Some(Protocol::from(libc::IPPROTO_IGMP)),
    )?;
    crate::sock::set_int(&sock, libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
    sock.set_nonblocking(true)?;
    Ok(QueryListener { sock })
}

impl QueryListener {
    /// The socket, to poll.
    pub fn fd(&self) -> &Socket {
        &self.sock
    }

    /// The next waiting query and its arrival interface; `Ok(None)`: none.
    pub fn next(&self, buf: &mut [u8]) -> Result<Option<(u32, IgmpQuery)>> {
        loop {
            let mut ctrl = [0u8; 128];
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            // SAFETY: msghdr is plain old data; all-zero is valid.
            let mut msg: libc::msghdr = unsafe { mem::zeroed() };
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = ctrl.as_mut_ptr().cast();
            msg.msg_controllen = ctrl.len();
            // SAFETY: msg points at buffers valid for the lengths it gives.
            let n = unsafe { libc::recvmsg(self.sock.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::WouldBlock => Ok(None),
                    io::ErrorKind::Interrupted => continue,
                    _ => Err(e).context("recvmsg on the raw IGMP socket"),
                };
            }
            let mut ifindex = 0u32;
            // SAFETY: the CMSG macros walk the control buffer the kernel
            // filled, within msg_controllen.
            unsafe {
                let mut c = libc::CMSG_FIRSTHDR(&msg);
                while !c.is_null() {
                    if (*c).cmsg_level == libc::IPPROTO_IP && (*c).cmsg_type == libc::IP_PKTINFO {
                        let mut info = MaybeUninit::<libc::in_pktinfo>::uninit();
                        std::ptr::copy_nonoverlapping(
                            libc::CMSG_DATA(c),
                            info.as_mut_ptr().cast::<u8>(),
                            mem::size_of::<libc::in_pktinfo>(),
                        );
                        ifindex = info.assume_init().ipi_ifindex as u32;
                    }
                    c = libc::CMSG_NXTHDR(&msg, c);
                }
            }
            let n = (n as usize).min(buf.len());
            if let Some(q) = parse::igmp_query(&buf[..n]) {
                return Ok(Some((ifindex, q)));
            }
        }
    }
}
