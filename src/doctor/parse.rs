//! Pure readers for what the doctor looks at: `/proc/net/udp{,6}`, the text
//! of `nft list ruleset`, IGMP queries and the IP/UDP headers a packet
//! socket delivers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A UDP socket as `/proc/net/udp` (or `udp6`) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpSocket {
    /// The bound address.
    pub addr: IpAddr,
    /// The bound port.
    pub port: u16,
    /// The owner's user id.
    pub uid: u32,
    /// The socket inode (to find the owning process in `/proc/*/fd`).
    pub inode: u64,
    /// Datagrams the kernel dropped for this socket (buffer full...).
    pub drops: u64,
}

/// The kernel prints addresses as the hex of their in-memory bytes read
/// as native-endian 32-bit words (`%08X` of a `__be32`).
fn proc_addr(hex: &str) -> Option<IpAddr> {
    let word = |h: &str| u32::from_str_radix(h, 16).ok().map(u32::to_ne_bytes);
    match hex.len() {
        8 => Some(IpAddr::V4(Ipv4Addr::from(word(hex)?))),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(hex.get(i * 8..i * 8 + 8)?)?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(b)))
        }
        _ => None,
    }
}

/// Parses `/proc/net/udp` or `/proc/net/udp6`; malformed lines are skipped.
pub fn proc_udp(text: &str) -> Vec<UdpSocket> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref ptr drops
            if f.len() < 13 {
                return None;
            }
            let (addr, port) = f[1].split_once(':')?;
            Some(UdpSocket {
                addr: proc_addr(addr)?,
                port: u16::from_str_radix(port, 16).ok()?,
                uid: f[7].parse().ok()?,
                inode: f[9].parse().ok()?,
                drops: f[12].parse().ok()?,
            })
        })
        .collect()
}

/// True when a socket is bound to a unicast (or loopback) address: Linux
/// never delivers multicast to it, whatever it joined, because it skips
/// sockets whose bound address is not the datagram's destination
/// (`__udp_is_mcast_sock`).
pub fn unicast_bound(addr: &IpAddr) -> bool {
    !addr.is_unspecified() && !addr.is_multicast()
}

/// A rule that drops or rejects in a chain hooked at input or prerouting,
/// or such a chain's drop policy, from `nft -a list ruleset` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropRule {
    /// `inet filter input`.
    pub chain: String,
    /// The rule as nft prints it, or `policy drop`.
    pub rule: String,
}

/// The drop rules and drop policies of input/prerouting chains.
pub fn nft_input_drops(text: &str) -> Vec<DropRule> {
    let mut out = Vec::new();
    let mut table = String::new();
    let mut chain: Option<String> = None;
    let mut hooked = false;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("table ") {
            // `table inet f { # handle 1`
            let rest = rest.split(" # ").next().unwrap_or("");
            table = rest.trim().trim_end_matches('{').trim().to_string();
            chain = None;
        } else if let Some(rest) = line.strip_prefix("chain ") {
            let name = rest.split(" # ").next().unwrap_or("");
            let name = name.trim().trim_end_matches('{').trim();
            chain = Some(format!("{table} {name}"));
            hooked = false;
        } else if line == "}" {
            if chain.is_some() {
                chain = None;
            } else {
                table.clear();
            }
        } else if let Some(c) = &chain {
            if line.starts_with("type ") && line.contains(" hook ") {
                hooked = line.contains("hook input") || line.contains("hook prerouting");
                if hooked && line.contains("policy drop") {
                    out.push(DropRule {
                        chain: c.clone(),
                        rule: "policy drop".into(),
                    });
                }
            } else if hooked {
                let words: Vec<&str> = line.split_whitespace().collect();
                let verdict = words.iter().position(|w| matches!(*w, "drop" | "reject"));
                if verdict.is_some() {
                    out.push(DropRule {
                        chain: c.clone(),
                        rule: line.to_string(),
                    });
                }
            }
        }
    }
    out
}

/// An IGMP membership query (type 0x11), as a raw IGMP socket delivers it
/// (with the IPv4 header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgmpQuery {
    /// The querier's address.
    pub from: Ipv4Addr,
    /// 1, 2 or 3 (RFC 3376 section 7.1: by length and max response code).
    pub version: u8,
    /// The group of a group-specific query (None: a general query).
    pub group: Option<Ipv4Addr>,
}

/// Reads an IGMP query from an IPv4 packet; anything else is None.
pub fn igmp_query(packet: &[u8]) -> Option<IgmpQuery> {
    let ihl = usize::from(packet.first()? & 0x0f) * 4;
    if packet[0] >> 4 != 4 || ihl < 20 || packet.len() < ihl || packet[9] != 2 {
        return None;
    }
    let from = Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]);
    let igmp = packet.get(ihl..)?;
    if igmp.len() < 8 || igmp[0] != 0x11 {
        return None;
    }
    let version = if igmp.len() >= 12 {
        3
    } else if igmp[1] == 0 {
        1
    } else {
        2
    };
    let g = Ipv4Addr::new(igmp[4], igmp[5], igmp[6], igmp[7]);
    Some(IgmpQuery {
        from,
        version,
        group: (!g.is_unspecified()).then_some(g),
    })
}

/// The parts of an IP/UDP packet the doctor records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpUdp {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// TTL or hop limit.
    pub ttl: u8,
    /// UDP destination port.
    pub dport: u16,
}

/// Reads an IPv4 or IPv6 packet carrying UDP (no IPv6 extension headers,
/// no IPv4 fragments after the first); anything else is None.
pub fn ip_udp(packet: &[u8]) -> Option<IpUdp> {
    match packet.first()? >> 4 {
        4 => {
            let ihl = usize::from(packet[0] & 0x0f) * 4;
            if ihl < 20 || packet.len() < ihl + 8 || packet[9] != 17 {
                return None;
            }
            // A later fragment carries no UDP header.
            if u16::from_be_bytes([packet[6], packet[7]]) & 0x1fff != 0 {
                return None;
            }
            let a = |i: usize| {
                IpAddr::V4(Ipv4Addr::new(
                    packet[i],
                    packet[i + 1],
                    packet[i + 2],
                    packet[i + 3],
                ))
            };
            Some(IpUdp {
                src: a(12),
                dst: a(16),
                ttl: packet[8],
                dport: u16::from_be_bytes([packet[ihl + 2], packet[ihl + 3]]),
            })
        }
        6 => {
            if packet.len() < 48 || packet[6] != 17 {
                return None;
            }
            let a = |i: usize| {
                let mut b = [0u8; 16];
                b.copy_from_slice(&packet[i..i + 16]);
                IpAddr::V6(Ipv6Addr::from(b))
            };
            Some(IpUdp {
                src: a(8),
                dst: a(24),
                ttl: packet[7],
                dport: u16::from_be_bytes([packet[42], packet[43]]),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/net/udp` and `udp6` captured on Linux 6.18 in a namespace where
    /// Python's socket module bound 10.77.0.2:5000, 0.0.0.0:5001 (with a
    /// 1 KiB buffer, then sent 50 datagrams to it: 49 dropped), [::]:5000
    /// and [fd77::2]:5000; the first line is the sender's socket.
    const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
 2026: 00000000:C985 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6304 2 00000000103fd229 0          
 4589: 02004D0A:1388 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6300 2 000000007e3a1bcc 0          
 4590: 00000000:1389 00000000:0000 07 00000000:00000500 00:00000000 00000000     0        0 6301 2 00000000ba63dbfa 49         
";
    const UDP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 4589: 000077FD000000000000000002000000:1388 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6303 2 00000000822b58e9 0
 4589: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6302 2 00000000af8665a3 0
";

    #[test]
    fn proc_udp_sockets() {
        let s = proc_udp(UDP);
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].addr, "10.77.0.2".parse::<IpAddr>().unwrap());
        assert_eq!(s[1].port, 5000);
        assert_eq!(s[2].addr, "0.0.0.0".parse::<IpAddr>().unwrap());
        assert_eq!(
            (s[2].port, s[2].uid, s[2].inode, s[2].drops),
            (5001, 0, 6301, 49)
        );
        let s6 = proc_udp(UDP6);
        assert_eq!(s6[0].addr, "fd77::2".parse::<IpAddr>().unwrap());
        assert_eq!(s6[1].addr, "::".parse::<IpAddr>().unwrap());
        assert!(unicast_bound(&s[1].addr));
        assert!(!unicast_bound(&s[2].addr));
        assert!(unicast_bound(&s6[0].addr));
        assert!(!unicast_bound(&"239.1.2.3".parse().unwrap()));
        assert!(proc_udp("header\n garbage line\n").is_empty());
    }

    /// `nft -a list ruleset` as nftables 1.0.6 printed it in a namespace
    /// with a drop rule, a drop policy, and an output chain whose drop does
    /// not matter.
    const NFT: &str = "table inet f { # handle 1
\tchain input { # handle 1
\t\ttype filter hook input priority filter; policy accept;
\t\tip daddr 239.1.2.3 udp dport 5000 drop # handle 2
\t\tip protocol igmp accept # handle 3
\t}

\tchain out { # handle 4
\t\ttype filter hook output priority filter; policy accept;
\t\tudp dport 53 drop # handle 5
\t}
}
table ip g { # handle 2
\tchain in2 { # handle 1
\t\ttype filter hook input priority filter + 10; policy drop;
\t\tct state established accept # handle 2
\t}
}
";

    #[test]
    fn nft_drop_rules_of_input_chains() {
        let d = nft_input_drops(NFT);
        assert_eq!(
            d,
            vec![
                DropRule {
                    chain: "inet f input".into(),
                    rule: "ip daddr 239.1.2.3 udp dport 5000 drop # handle 2".into()
                },
                DropRule {
                    chain: "ip g in2".into(),
                    rule: "policy drop".into()
                },
            ]
        );
    }

    #[test]
    fn igmp_queries_by_version() {
        // IPv4 header with router alert (24 bytes), then a v3 general query.
        let mut p = vec![
            0x46, 0, 0, 36, 0, 0, 0, 0, 1, 2, 0, 0, 10, 77, 0, 9, 224, 0, 0, 1,
        ];
        p.extend_from_slice(&[0x94, 4, 0, 0]);
        p.extend_from_slice(&[0x11, 100, 0, 0, 0, 0, 0, 0, 0, 125, 0, 0]);
        let q = igmp_query(&p).unwrap();
        assert_eq!((q.version, q.group), (3, None));
        assert_eq!(q.from, Ipv4Addr::new(10, 77, 0, 9));
        p.truncate(32);
        assert_eq!(igmp_query(&p).unwrap().version, 2);
        p[25] = 0;
        assert_eq!(igmp_query(&p).unwrap().version, 1);
        p[24] = 0x16; // a v2 report, not a query
        assert_eq!(igmp_query(&p), None);
        assert_eq!(igmp_query(&[0x45]), None);
        // Found by fuzz/doctor: a header cut short after the protocol byte.
        assert_eq!(
            igmp_query(&[0x46, 0, 0, 0x24, 0, 0, 0, 0, 1, 2, 0x94, 4, 0, 0]),
            None
        );
    }

    #[test]
    fn ip_udp_headers() {
        let mut p = vec![
            0x45, 0, 0, 28, 0, 0, 0x40, 0, 3, 17, 0, 0, 10, 77, 0, 1, 239, 1, 2, 3,
        ];
        p.extend_from_slice(&[0x30, 0x39, 0x13, 0x88, 0, 8, 0, 0]);
        let h = ip_udp(&p).unwrap();
        assert_eq!((h.ttl, h.dport), (3, 5000));
        assert_eq!(h.dst, "239.1.2.3".parse::<IpAddr>().unwrap());
        p[7] = 8; // a later fragment
        assert_eq!(ip_udp(&p), None);
        assert_eq!(ip_udp(&p[..10]), None);
        let mut v6 = vec![0x60, 0, 0, 0, 0, 8, 17, 5];
        v6.extend_from_slice(&"fd77::1".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&"ff15::1".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&[0x30, 0x39, 0x13, 0x88, 0, 8, 0, 0]);
        let h = ip_udp(&v6).unwrap();
        assert_eq!((h.ttl, h.dport), (5, 5000));
        assert_eq!(h.src, "fd77::1".parse::<IpAddr>().unwrap());
    }
}
