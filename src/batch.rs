//! Batched datagram I/O: `recvmmsg` with per-datagram metadata from control
//! messages, `sendmmsg`, and UDP GSO (`UDP_SEGMENT`) for uniform bulk sends.
//!
//! All buffers are allocated once; the per-datagram path allocates nothing.
//! The `mmsghdr`/`iovec` arrays hold raw pointers into those buffers, so they
//! are re-pointed at the start of every call rather than kept across moves.

use std::io;
use std::mem;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;

use libc::{IPV6_HOPLIMIT, IPV6_PKTINFO, SO_RXQ_OVFL, UDP_SEGMENT};
use socket2::{SockAddr, Socket};

/// Largest UDP payload of any family (65,535 - 8).
pub const MAX_DATAGRAM: usize = 65_527;
/// One `recvfrom(2)` into an initialised buffer, without blocking: the
/// number of bytes and the source.
pub fn recv_from_nowait(sock: &Socket, buf: &mut [u8]) -> io::Result<(usize, SockAddr)> {
    // SAFETY: [u8] and [MaybeUninit<u8>] have the same layout, and recvfrom
    // only ever writes initialised bytes into it, so `buf` stays
    // initialised.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [mem::MaybeUninit<u8>]) };
    sock.recv_from_with_flags(uninit, libc::MSG_DONTWAIT)
}

fn zeroed_storage() -> libc::sockaddr_storage {
    // SAFETY: sockaddr_storage is a plain C struct (integers and byte
    // arrays) for which all-zero is a valid value.
    unsafe { mem::zeroed() }
}

fn zeroed_iovec() -> libc::iovec {
    libc::iovec {
        iov_base: std::ptr::null_mut(),
        iov_len: 0,
    }
}

fn zeroed_mmsghdr() -> libc::mmsghdr {
    // SAFETY: mmsghdr is a plain C struct of integers and raw pointers, for
    // which all-zero (null pointers, zero lengths) is a valid value.
    unsafe { mem::zeroed() }
}

/// Room for PKTINFO, TTL/HOPLIMIT, RXQ_OVFL and TIMESTAMPNS, with headers.
const CTRL_LEN: usize = 256;

/// One received datagram and what the kernel told about it.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// Sender address and port.
    pub src: SocketAddr,
    /// Destination address (the group), from PKTINFO.
    pub dst: Option<IpAddr>,
    /// Arrival interface index, from PKTINFO (0 when unknown).
    pub ifindex: u32,
    /// IPv4 TTL or IPv6 hop limit on arrival.
    pub ttl: Option<u8>,
    /// IPv4 TOS or IPv6 traffic class on arrival.
    pub tos: Option<u8>,
    /// Kernel receive time, nanoseconds since the Unix epoch.
    pub time_ns: Option<u64>,
    /// The payload was longer than the slot and was cut.
    pub truncated: bool,
    /// Payload length in the buffer.
    pub len: usize,
}

/// The part of each receive slot that datagrams land in first: a whole
/// Ethernet-MTU datagram. Slots are `HEAD` bytes packed back to back, plus
/// a second iovec per slot for the rest of a large datagram, which stays
/// untouched (and so not resident) until a datagram needs it: a batch of
/// 64 MTU-sized datagrams touches 32 pages instead of one or two pages in
/// each of 64 slots of 64 KiB.
const HEAD: usize = 2048;

/// A reusable `recvmmsg` batch.
pub struct RecvBatch {
    slot: usize,
    /// Bytes of each slot in `heads` (`HEAD`, or the whole slot if smaller).
    head: usize,
    heads: Vec<u8>,
    /// Full-size slots; a datagram longer than `head` continues at offset
    /// `head` of its slot, and its first part is copied in front of it.
    bufs: Vec<u8>,
    /// Which datagrams of the last batch are in `bufs` rather than `heads`.
    spilled: Vec<bool>,
    ctrl: Vec<u8>,
    names: Vec<libc::sockaddr_storage>,
    iovs: Vec<libc::iovec>,
    hdrs: Vec<libc::mmsghdr>,
    metas: Vec<Meta>,
    filled: usize,
    /// The kernel's cumulative drop counter for the last socket read
    /// (`SO_RXQ_OVFL`), when it reported one.
    pub kernel_drops: Option<u32>,
}

impl RecvBatch {
    /// A batch of `n` slots of `slot` bytes each. Memory is allocated
    /// zeroed, so untouched parts of large slots cost no resident pages.
    pub fn new(n: usize, slot: usize) -> RecvBatch {
        let n = n.max(1);
        let head = slot.min(HEAD);
        RecvBatch {
            slot,
            head,
            heads: vec![0; n * head],
            // Only needed when a slot is larger than its head.
            bufs: if slot > head {
                vec![0; n * slot]
            } else {
                Vec::new()
            },
            spilled: vec![false; n],
            ctrl: vec![0; n * CTRL_LEN],
            names: vec![zeroed_storage(); n],
            iovs: vec![zeroed_iovec(); 2 * n],
            hdrs: vec![zeroed_mmsghdr(); n],
            metas: Vec::with_capacity(n),
            filled: 0,
            kernel_drops: None,
        }
    }

    /// Receives up to a batch of datagrams without blocking. Returns how many
    /// arrived (0 when none were waiting).
    pub fn recv(&mut self, sock: &Socket) -> io::Result<usize> {
        let n = self.hdrs.len();
        let tail = self.slot - self.head;
        for i in 0..n {
            self.iovs[2 * i] = libc::iovec {
                // SAFETY: the head lies within `heads`.
                iov_base: unsafe { self.heads.as_mut_ptr().add(i * self.head) }
                    as *mut libc::c_void,
                iov_len: self.head,
            };
            if tail > 0 {
                self.iovs[2 * i + 1] = libc::iovec {
                    // SAFETY: the slot's rest lies within `bufs`.
                    iov_base: unsafe { self.bufs.as_mut_ptr().add(i * self.slot + self.head) }
                        as *mut libc::c_void,
                    iov_len: tail,
                };
            }
            let h = &mut self.hdrs[i].msg_hdr;
            h.msg_name = &mut self.names[i] as *mut _ as *mut libc::c_void;
            h.msg_namelen = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            h.msg_iov = &mut self.iovs[2 * i];
            h.msg_iovlen = if tail > 0 { 2 } else { 1 };
            // SAFETY: the control slot lies within `ctrl`.
            h.msg_control =
                unsafe { self.ctrl.as_mut_ptr().add(i * CTRL_LEN) } as *mut libc::c_void;
            h.msg_controllen = CTRL_LEN as _;
            h.msg_flags = 0;
            self.hdrs[i].msg_len = 0;
        }
        // SAFETY: every header points into buffers owned by self that outlive
        // the call; the kernel writes at most the lengths given.
        let got = unsafe {
            libc::recvmmsg(
                sock.as_raw_fd(),
                self.hdrs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        self.metas.clear();
        self.filled = 0;
        if got < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                _ => Err(e),
            };
        }
        let got = got as usize;
        for i in 0..got {
            let meta = self.parse(i);
            // A large datagram: its first part goes in front of the rest,
            // so that it reads as one slice.
            self.spilled[i] = meta.len > self.head;
            if self.spilled[i] {
                let at = i * self.slot;
                self.bufs[at..at + self.head]
                    .copy_from_slice(&self.heads[i * self.head..(i + 1) * self.head]);
            }
            self.metas.push(meta);
        }
        self.filled = got;
        Ok(got)
    }

    fn parse(&mut self, i: usize) -> Meta {
        let h = &self.hdrs[i];
        let len = (h.msg_len as usize).min(self.slot);
        let truncated = h.msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
        let src = sockaddr_to_std(&self.names[i])
            .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
        let mut meta = Meta {
            src,
            dst: None,
            ifindex: 0,
            ttl: None,
            tos: None,
            time_ns: None,
            truncated,
            len,
        };
        let mut drops = None;
        // SAFETY: msg_control/msg_controllen describe the control buffer the
        // kernel just filled; the CMSG_* macros stay within it.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&h.msg_hdr);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                match ((*c).cmsg_level, (*c).cmsg_type) {
                    (libc::IPPROTO_IP, libc::IP_PKTINFO) => {
                        let p: libc::in_pktinfo = std::ptr::read_unaligned(data as *const _);
                        meta.ifindex = p.ipi_ifindex as u32;
                        meta.dst =
                            Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(p.ipi_addr.s_addr))));
                    }
                    (libc::IPPROTO_IP, libc::IP_TTL) => {
                        let t: libc::c_int = std::ptr::read_unaligned(data as *const _);
                        meta.ttl = u8::try_from(t).ok();
                    }
                    (libc::IPPROTO_IP, libc::IP_TOS) => {
                        meta.tos = Some(std::ptr::read_unaligned(data));
                    }
                    (libc::IPPROTO_IPV6, libc::IPV6_TCLASS) => {
                        let t: libc::c_int = std::ptr::read_unaligned(data as *const _);
                        meta.tos = u8::try_from(t).ok();
                    }
                    (libc::IPPROTO_IPV6, IPV6_PKTINFO) => {
                        let p: libc::in6_pktinfo = std::ptr::read_unaligned(data as *const _);
                        meta.ifindex = p.ipi6_ifindex;
                        meta.dst = Some(IpAddr::V6(Ipv6Addr::from(p.ipi6_addr.s6_addr)));
                    }
                    (libc::IPPROTO_IPV6, IPV6_HOPLIMIT) => {
                        let t: libc::c_int = std::ptr::read_unaligned(data as *const _);
                        meta.ttl = u8::try_from(t).ok();
                    }
                    (libc::SOL_SOCKET, SO_RXQ_OVFL) => {
                        drops = Some(std::ptr::read_unaligned(data as *const u32));
                    }
                    (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS) => {
                        let ts: libc::timespec = std::ptr::read_unaligned(data as *const _);
                        meta.time_ns = Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
                    }
                    _ => {}
                }
                c = libc::CMSG_NXTHDR(&h.msg_hdr, c);
            }
        }
        if drops.is_some() {
            self.kernel_drops = drops;
        }
        meta
    }

    /// The datagrams of the last [`recv`](Self::recv): metadata and payload.
    pub fn iter(&self) -> impl Iterator<Item = (&Meta, &[u8])> {
        self.metas.iter().enumerate().map(move |(i, m)| {
            let payload = if self.spilled[i] {
                &self.bufs[i * self.slot..i * self.slot + m.len]
            } else {
                &self.heads[i * self.head..i * self.head + m.len]
            };
            (m, payload)
        })
    }

    /// How many datagrams the last call returned.
    pub fn len(&self) -> usize {
        self.filled
    }

    /// True when the last call returned none.
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }
}

/// Converts a kernel-filled socket address to std's type.
pub fn sockaddr_to_std(st: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match libc::c_int::from(st.ss_family) {
        libc::AF_INET => {
            // SAFETY: ss_family says the storage holds a sockaddr_in.
            let a: libc::sockaddr_in =
                unsafe { std::ptr::read_unaligned(st as *const _ as *const _) };
            Some(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr))),
                u16::from_be(a.sin_port),
            ))
        }
        libc::AF_INET6 => {
            // SAFETY: ss_family says the storage holds a sockaddr_in6.
            let a: libc::sockaddr_in6 =
                unsafe { std::ptr::read_unaligned(st as *const _ as *const _) };
            Some(SocketAddr::V6(std::net::SocketAddrV6::new(
                Ipv6Addr::from(a.sin6_addr.s6_addr),
                u16::from_be(a.sin6_port),
                a.sin6_flowinfo,
                a.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// Datagrams packed back to back in one buffer, ready to send in one call.
#[derive(Debug)]
pub struct SendBuf {
    data: Vec<u8>,
    ends: Vec<usize>,
    max: usize,
    max_bytes: usize,
}

impl SendBuf {
    /// Room for up to `max` datagrams totalling `bytes`.
    pub fn new(max: usize, bytes: usize) -> SendBuf {
        SendBuf {
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(max),
            max: max.max(1),
            max_bytes: bytes,
        }
    }

    /// Appends a datagram; `fill` writes its bytes into the slice given.
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        let start = self.data.len();
        self.data.resize(start + len, 0);
        fill(&mut self.data[start..]);
        self.ends.push(self.data.len());
    }

    /// Appends a datagram by copying it (straight in: `push_with` would
    /// zero the room first, which showed in the bridge's profile).
    pub fn push(&mut self, payload: &[u8]) {
        self.data.extend_from_slice(payload);
        self.ends.push(self.data.len());
    }

    /// True when another datagram of `len` bytes would not fit.
    pub fn is_full(&self, len: usize) -> bool {
        self.ends.len() >= self.max
            || (!self.ends.is_empty() && self.data.len() + len > self.max_bytes)
    }

    /// Number of datagrams held.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Empties the buffer, keeping its memory.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    /// The i-th datagram.
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    /// The size shared by all datagrams, if they are all the same size
    /// (the last may be shorter, as GSO allows).
    fn uniform_size(&self) -> Option<usize> {
        let first = *self.ends.first()?;
        let n = self.ends.len();
        let uniform = (1..n).all(|i| {
            let l = self.ends[i] - self.ends[i - 1];
            l == first || (i == n - 1 && l < first && l > 0)
        });
        (uniform && first > 0).then_some(first)
    }

    /// Total bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }
}

/// Sends batches to one destination with `sendmmsg`, or with one
/// `sendmsg` + `UDP_SEGMENT` when every datagram has the same size.
pub struct Sender {
    dest: SockAddr,
    gso: bool,
    gso_sends: u64,
    iovs: Vec<libc::iovec>,
    hdrs: Vec<libc::mmsghdr>,
}

/// Most segments one GSO send may carry (UDP_MAX_SEGMENTS in older kernels).
pub const GSO_MAX_SEGMENTS: usize = 64;
/// Most bytes one GSO send may carry (an IP packet's limit, less headers).
pub const GSO_MAX_BYTES: usize = 65_000;

impl Sender {
    /// A sender to `dest`; `gso` allows UDP segmentation offload.
    pub fn new(dest: SocketAddr, gso: bool) -> Sender {
        Sender {
            dest: SockAddr::from(dest),
            gso,
            gso_sends: 0,
            iovs: Vec::new(),
            hdrs: Vec::new(),
        }
    }

    /// How many sends went out as one GSO super-datagram.
    pub fn gso_sends(&self) -> u64 {
        self.gso_sends
    }

    /// Sends every datagram of `buf`. Returns how many the kernel took;
    /// fewer than `buf.len()` only on an error after a partial send.
    /// Falls back from GSO to `sendmmsg` for good if the kernel or the route
    /// refuses segmentation (EIO, EINVAL, EOPNOTSUPP: no checksum offload,
    /// segments above the MTU, old kernel).
    pub fn send(&mut self, sock: &Socket, buf: &SendBuf) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.gso && buf.len() > 1 {
            if let Some(size) = buf.uniform_size() {
                // One super-datagram may carry at most GSO_MAX_SEGMENTS
                // segments and GSO_MAX_BYTES (the kernel answers EMSGSIZE
                // beyond an IP packet's 64 KiB): a larger batch goes out
                // in several, every one uniform but for the batch's last.
                let per = GSO_MAX_SEGMENTS.min((GSO_MAX_BYTES / size).max(1));
                let mut sent = 0;
                let result = loop {
                    if sent == buf.len() {
                        break Ok(());
                    }
                    let end = (sent + per).min(buf.len());
                    let from = if sent == 0 { 0 } else { buf.ends[sent - 1] };
                    let r = if end - sent == 1 {
                        self.send_one(sock, &buf.data[from..buf.ends[end - 1]])
                    } else {
                        self.send_gso(sock, &buf.data[from..buf.ends[end - 1]], size)
                    };
                    match r {
                        Ok(()) => sent = end,
                        Err(e) => break Err(e),
                    }
                };
                match result {
                    Ok(()) => {
                        self.gso_sends += 1;
                        return Ok(buf.len());
                    }
                    // Sent in part before an error: report what the kernel
                    // took, like a short sendmmsg.
                    Err(_) if sent > 0 => return Ok(sent),
                    Err(e)
                        if matches!(
                            e.raw_os_error(),
                            Some(libc::EIO | libc::EINVAL | libc::EOPNOTSUPP | libc::ENOPROTOOPT)
                        ) =>
                    {
                        self.gso = false;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        self.send_mmsg(sock, buf)
    }

    fn send_one(&mut self, sock: &Socket, datagram: &[u8]) -> io::Result<()> {
        sock.send_to(datagram, &self.dest).map(|_| ())
    }

    fn send_gso(&mut self, sock: &Socket, data: &[u8], size: usize) -> io::Result<()> {
        let mut iov = libc::iovec {
            iov_base: data.as_ptr() as *mut libc::c_void,
            iov_len: data.len(),
        };
        // SAFETY: CMSG_SPACE is a pure size computation.
        const SPACE: usize = 32;
        let mut ctrl = [0u8; SPACE];
        // SAFETY: msghdr is a plain C struct; all-zero is valid.
        let mut msg: libc::msghdr = unsafe { mem::zeroed() };
        msg.msg_name = self.dest.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = self.dest.len();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctrl.as_mut_ptr() as *mut libc::c_void;
        // SAFETY: CMSG_SPACE/CMSG_LEN compute sizes only; the header we fill
        // lies within `ctrl`, which is large enough for one u16 payload.
        unsafe {
            msg.msg_controllen = libc::CMSG_SPACE(mem::size_of::<u16>() as u32) as _;
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_UDP;
            (*c).cmsg_type = UDP_SEGMENT;
            (*c).cmsg_len = libc::CMSG_LEN(mem::size_of::<u16>() as u32) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(c) as *mut u16, size as u16);
        }
        // SAFETY: msg points to live buffers for the duration of the call.
        let rc = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, 0) };
        if rc < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    fn send_mmsg(&mut self, sock: &Socket, buf: &SendBuf) -> io::Result<usize> {
        let n = buf.len();
        // Grows only up to the largest batch ever sent, then is reused.
        self.iovs.resize(n, zeroed_iovec());
        self.hdrs.resize(n, zeroed_mmsghdr());
        for i in 0..n {
            let d = buf.get(i);
            self.iovs[i] = libc::iovec {
                iov_base: d.as_ptr() as *mut libc::c_void,
                iov_len: d.len(),
            };
            let h = &mut self.hdrs[i].msg_hdr;
            h.msg_name = self.dest.as_ptr() as *mut libc::c_void;
            h.msg_namelen = self.dest.len();
            h.msg_iov = &mut self.iovs[i];
            h.msg_iovlen = 1;
            h.msg_control = std::ptr::null_mut();
            h.msg_controllen = 0;
        }
        let mut sent = 0;
        while sent < n {
            // SAFETY: headers point into `buf` and `self`, alive for the call.
            let rc = unsafe {
                libc::sendmmsg(
                    sock.as_raw_fd(),
                    self.hdrs[sent..].as_mut_ptr(),
                    (n - sent) as libc::c_uint,
                    0,
                )
            };
            if rc < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if sent > 0 {
                    return Ok(sent);
                }
                return Err(e);
            }
            sent += rc as usize;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendbuf_packs_and_detects_uniform_sizes() {
        let mut b = SendBuf::new(8, 1024);
        b.push(b"aaaa");
        b.push(b"bbbb");
        b.push(b"cc");
        assert_eq!(b.len(), 3);
        assert_eq!(b.get(1), b"bbbb");
        assert_eq!(b.get(2), b"cc");
        assert_eq!(b.uniform_size(), Some(4));
        b.push(b"dddd");
        assert_eq!(b.uniform_size(), None);
        b.clear();
        assert!(b.is_empty());
        b.push_with(3, |s| s.copy_from_slice(b"xyz"));
        assert_eq!(b.get(0), b"xyz");
        assert!(!b.is_full(10));
    }
}
