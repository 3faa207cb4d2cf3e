//! Parsers of the `/proc/net` files (pure): group memberships and
//! default routes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::KernelGroup;

/// True when `s` is exactly `len` hexadecimal digits (from_str_radix alone
/// would also take a leading '+').
fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses `/proc/net/igmp`. Lines that do not parse are skipped, and so are
/// group lines that follow no valid device line. The kernel separates the
/// columns with tabs (shown as spaces below); group lines start with tabs.
///
/// ```text
/// Idx    Device    : Count Querier    Group    Users Timer    Reporter
/// 1    lo        :     1      V3
///                 010000E0     1 0:00000000        0
/// ```
pub fn parse_proc_igmp(text: &str) -> Vec<KernelGroup> {
    let mut out = Vec::new();
    let mut device: Option<(u32, String)> = None;
    for line in text.lines() {
        if line.starts_with('\t') {
            let Some((index, iface)) = &device else {
                continue;
            };
            let mut fields = line.split_whitespace();
            let (Some(group), Some(users)) = (fields.next(), fields.next()) else {
                continue;
            };
            if !is_hex(group, 8) {
                continue;
            }
            let (Ok(raw), Ok(users)) = (u32::from_str_radix(group, 16), users.parse::<u32>())
            else {
                continue;
            };
            // The kernel prints the __be32 group with %08X, i.e. its bytes
            // read as a host-order u32: "010000E0" is 224.0.0.1 on x86.
            // Back to host-order bytes gives the address in network order.
            let group = IpAddr::V4(Ipv4Addr::from(raw.to_ne_bytes()));
            out.push(KernelGroup {
                index: *index,
                iface: iface.clone(),
                group,
                users,
            });
        } else {
            // "IDX\tNAME      :  COUNT QUERIER"; the header (or garbage)
            // ends the current device so its groups are not misattributed.
            device = line.split_once('\t').and_then(|(idx, rest)| {
                let index = idx.trim().parse::<u32>().ok()?;
                let (name, _) = rest.split_once(':')?;
                let name = name.trim();
                (!name.is_empty()).then(|| (index, name.to_string()))
            });
        }
    }
    out
}

/// Parses `/proc/net/igmp6`; lines that do not parse are skipped.
///
/// ```text
/// 2    eth0            ff020000000000000000000000000001     1 0000000C 0
/// ```
pub fn parse_proc_igmp6(text: &str) -> Vec<KernelGroup> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [idx, name, group, users, ..] = f.as_slice() else {
                return None;
            };
            if !is_hex(group, 32) {
                return None;
            }
            // %pi6 prints the 16 bytes in network order, so the digits are
            // a big-endian u128.
            let group = Ipv6Addr::from(u128::from_str_radix(group, 16).ok()?);
            Some(KernelGroup {
                index: idx.parse().ok()?,
                iface: (*name).to_string(),
                group: IpAddr::V6(group),
                users: users.parse().ok()?,
            })
        })
        .collect()
}

/// RTF_UP and RTF_REJECT, as printed in the route files' flags column.
const RTF_UP: u32 = libc::RTF_UP as u32;
const RTF_REJECT: u32 = libc::RTF_REJECT as u32;

/// True for flags of a usable route (not unreachable/prohibit/blackhole).
fn usable_route(flags: u32) -> bool {
    flags & RTF_UP != 0 && flags & RTF_REJECT == 0
}

/// Pushes `name` unless already there.
fn push_unique(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|n| n == name) {
        out.push(name.to_string());
    }
}

/// Parses `/proc/net/route`: names of interfaces with a usable IPv4 default
/// route (destination and mask 0). The file shows only the main table and,
/// for a multipath route, its first nexthop.
///
/// ```text
/// Iface    Destination    Gateway     Flags    RefCnt    Use    Metric    Mask        MTU    Window    IRTT
/// eth0    00000000    010200C0    0003    0    0    0    00000000    0    0    0
/// ```
pub fn parse_proc_route_default(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [iface, dest, _gw, flags, _, _, _, mask, ..] = f.as_slice() else {
            continue;
        };
        if !is_hex(dest, 8) || !is_hex(mask, 8) || !is_hex(flags, 4) {
            continue; // the header, or garbage
        }
        let (Ok(dest), Ok(mask), Ok(flags)) = (
            u32::from_str_radix(dest, 16),
            u32::from_str_radix(mask, 16),
            u32::from_str_radix(flags, 16),
        ) else {
            continue;
        };
        // Routes without a device (blackhole) show "*".
        if dest == 0 && mask == 0 && usable_route(flags) && *iface != "*" {
            push_unique(&mut out, iface);
        }
    }
    out
}

/// Parses `/proc/net/ipv6_route`: names of interfaces with a usable IPv6
/// default route (::/0). The kernel's "unreachable default" placeholder on
/// `lo` carries RTF_REJECT and is not counted.
///
/// ```text
/// 00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
/// ```
pub fn parse_proc_ipv6_route_default(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [dest, plen, _src, _splen, _nh, _metric, _refcnt, _use, flags, dev] = f.as_slice()
        else {
            continue;
        };
        if !is_hex(dest, 32) || !is_hex(plen, 2) || !is_hex(flags, 8) {
            continue;
        }
        let Ok(flags) = u32::from_str_radix(flags, 16) else {
            continue;
        };
        if dest.bytes().all(|b| b == b'0') && *plen == "00" && usable_route(flags) {
            push_unique(&mut out, dev);
        }
    }
    out
}
