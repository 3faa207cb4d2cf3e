//! Headers for a datagram received on a UDP socket, rebuilt so that
//! Wireshark, tcpdump and tcpreplay see a normal frame (pure).
//!
//! A socket never sees the frame: the kernel hands over the payload with
//! its source, destination (PKTINFO), TTL or hop limit and TOS or traffic
//! class. Everything else is made up and said so in the file's comment:
//! the source MAC (a fixed locally administered address), the IPv4
//! identification (0), flags (DF unset), no IP options; the checksums are
//! computed, so readers call them good.

use std::net::IpAddr;

/// The source MAC of every synthesized frame: locally administered (the
/// 0x02 bit), so it cannot be mistaken for a real NIC.
pub const SRC_MAC: [u8; 6] = [0x02, 0x6d, 0x63, 0x61, 0x73, 0x74];

/// Length of the Ethernet header.
pub const ETH_LEN: usize = 14;

/// What the socket told about a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Sender address.
    pub src: IpAddr,
    /// Sender port.
    pub sport: u16,
    /// Destination (the group, or a unicast address).
    pub dst: IpAddr,
    /// Destination port.
    pub dport: u16,
    /// TTL or hop limit on arrival (64 when unknown).
    pub ttl: u8,
    /// TOS or traffic class on arrival.
    pub tos: u8,
}

/// The MAC a multicast IP maps to (RFC 1112 section 6.4, RFC 2464
/// section 7); a unicast destination gets [`SRC_MAC`] with the low bit
/// pattern of "this host", which readers show as-is.
pub fn dst_mac(dst: &IpAddr) -> [u8; 6] {
    match dst {
        IpAddr::V4(a) if a.is_multicast() => {
            let o = a.octets();
            [0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]]
        }
        IpAddr::V6(a) if a.is_multicast() => {
            let o = a.octets();
            [0x33, 0x33, o[12], o[13], o[14], o[15]]
        }
        _ => [0x02, 0x6d, 0x63, 0x61, 0x73, 0x01],
    }
}

/// Adds 16-bit big-endian words to a one's-complement sum.
fn sum(mut acc: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        acc += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// Appends the IP and UDP headers and the payload. Payloads longer than
/// an IP packet can carry are cut (the caller records the original length).
pub fn write_ip_udp(out: &mut Vec<u8>, d: &Datagram, payload: &[u8]) {
    let udp_len = (payload.len() + 8).min(usize::from(u16::MAX));
    let payload = &payload[..udp_len - 8];
    let udp_len16 = udp_len as u16;
    let mut udp = [0u8; 8];
    udp[0..2].copy_from_slice(&d.sport.to_be_bytes());
    udp[2..4].copy_from_slice(&d.dport.to_be_bytes());
    udp[4..6].copy_from_slice(&udp_len16.to_be_bytes());
    let pseudo = match (d.src, d.dst) {
        (IpAddr::V4(s), IpAddr::V4(t)) => {
            let total = (20 + udp_len).min(usize::from(u16::MAX)) as u16;
            let mut ip = [0u8; 20];
            ip[0] = 0x45;
            ip[1] = d.tos;
            ip[2..4].copy_from_slice(&total.to_be_bytes());
            ip[8] = d.ttl;
            ip[9] = 17;
            ip[12..16].copy_from_slice(&s.octets());
            ip[16..20].copy_from_slice(&t.octets());
            let c = fold(sum(0, &ip));
            ip[10..12].copy_from_slice(&c.to_be_bytes());
            out.extend_from_slice(&ip);
            let mut p = sum(0, &s.octets());
            p = sum(p, &t.octets());
            p + 17 + u32::from(udp_len16)
        }
        (IpAddr::V6(s), IpAddr::V6(t)) => {
            let mut ip = [0u8; 40];
            // Version 6, traffic class, flow label 0.
            let vtf = (6u32 << 28) | (u32::from(d.tos) << 20);
            ip[0..4].copy_from_slice(&vtf.to_be_bytes());
            ip[4..6].copy_from_slice(&udp_len16.to_be_bytes());
            ip[6] = 17;
            ip[7] = d.ttl;
            ip[8..24].copy_from_slice(&s.octets());
            ip[24..40].copy_from_slice(&t.octets());
            out.extend_from_slice(&ip);
            let mut p = sum(0, &s.octets());
            p = sum(p, &t.octets());
            p + 17 + udp_len as u32
        }
        // A v4-mapped sender on a v6 socket never reaches here: the
        // receiver's family decides both addresses.
        _ => 0,
    };
    let mut c = fold(sum(sum(pseudo, &udp), payload));
    if c == 0 {
        // RFC 768: a computed zero is sent as all ones (0 means "none").
        c = 0xffff;
    }
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    out.extend_from_slice(&udp);
    out.extend_from_slice(payload);
}

/// Appends a whole Ethernet frame.
pub fn write_ethernet(out: &mut Vec<u8>, d: &Datagram, payload: &[u8]) {
    out.extend_from_slice(&dst_mac(&d.dst));
    out.extend_from_slice(&SRC_MAC);
    let ethertype: u16 = if d.dst.is_ipv4() { 0x0800 } else { 0x86dd };
    out.extend_from_slice(&ethertype.to_be_bytes());
    write_ip_udp(out, d, payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_macs() {
        assert_eq!(
            dst_mac(&"239.130.3.1".parse().unwrap()),
            [1, 0, 0x5e, 2, 3, 1]
        );
        assert_eq!(
            dst_mac(&"ff15::1:2".parse().unwrap()),
            [0x33, 0x33, 0, 1, 0, 2]
        );
    }

    /// The IPv4 header checksum of RFC 1071's style example, and a UDP
    /// checksum that verifies to zero when summed with it in place.
    #[test]
    fn checksums_verify() {
        let d = Datagram {
            src: "10.77.0.1".parse().unwrap(),
            sport: 40000,
            dst: "239.1.2.3".parse().unwrap(),
            dport: 5000,
            ttl: 3,
            tos: 0xb8,
        };
        let mut f = Vec::new();
        write_ethernet(&mut f, &d, b"hello");
        assert_eq!(f.len(), 14 + 20 + 8 + 5);
        assert_eq!(fold(sum(0, &f[14..34])), 0, "IPv4 header checksum");
        let ip = &f[14..34];
        let udp = &f[34..];
        let pseudo = sum(sum(0, &ip[12..16]), &ip[16..20]) + 17 + udp.len() as u32;
        assert_eq!(fold(sum(pseudo, udp)), 0, "UDP checksum");
        assert_eq!((ip[1], ip[8]), (0xb8, 3));

        let d6 = Datagram {
            src: "fd77::1".parse().unwrap(),
            dst: "ff15::1".parse().unwrap(),
            ..d
        };
        let mut f = Vec::new();
        write_ethernet(&mut f, &d6, b"hello!");
        let ip = &f[14..54];
        let udp = &f[54..];
        let pseudo = sum(sum(0, &ip[8..24]), &ip[24..40]) + 17 + udp.len() as u32;
        assert_eq!(fold(sum(pseudo, udp)), 0, "UDP checksum over IPv6");
        assert_eq!(ip[7], 3);
        assert_eq!(u16::from_be_bytes([f[12], f[13]]), 0x86dd);
    }
}
