//! Network interfaces, their addresses and multicast memberships (Linux).
//!
//! - this module: the model ([`Interface`], [`Flags`], [`IfAddr`],
//!   [`KernelGroup`]) and the pure resolution of interface specs
//!   ([`resolve`], [`select`]);
//! - [`sys`]: reading the operating system ([`list`], [`kernel_groups`]);
//! - [`procfs`]: pure parsers of the `/proc/net` files;
//! - [`render`]: the `mcast ifaces` table and JSON.
//!
//! Everything describes the *current network namespace*: `getifaddrs` and
//! the ioctl socket are per namespace, and `/proc/net` is `/proc/self/net`.

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use anyhow::Result;

use crate::endpoint::{Family, IfaceSelector, IfaceSpec};
use crate::error::{unavailable, usage};

pub mod procfs;
pub mod render;
pub mod sys;

pub use procfs::{
    parse_proc_igmp, parse_proc_igmp6, parse_proc_ipv6_route_default, parse_proc_route_default,
};
pub use render::{groups_of, render_table, to_json};
pub use sys::{kernel_groups, list};

/// Interface flags as the kernel reports them: the raw `IFF_*` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u32);

/// The flags [`Flags::names`] reports, in display order.
const FLAG_NAMES: [(libc::c_int, &str); 6] = [
    (libc::IFF_UP, "UP"),
    (libc::IFF_RUNNING, "RUNNING"),
    (libc::IFF_MULTICAST, "MULTICAST"),
    (libc::IFF_LOOPBACK, "LOOPBACK"),
    (libc::IFF_POINTOPOINT, "POINTOPOINT"),
    (libc::IFF_BROADCAST, "BROADCAST"),
];

impl Flags {
    fn has(&self, bit: libc::c_int) -> bool {
        self.0 & bit as u32 != 0
    }

    /// IFF_UP: administratively up.
    pub fn up(&self) -> bool {
        self.has(libc::IFF_UP)
    }

    /// IFF_RUNNING: operationally up (carrier present).
    pub fn running(&self) -> bool {
        self.has(libc::IFF_RUNNING)
    }

    /// IFF_MULTICAST: the interface supports multicast.
    pub fn multicast(&self) -> bool {
        self.has(libc::IFF_MULTICAST)
    }

    /// IFF_LOOPBACK: the loopback interface.
    pub fn loopback(&self) -> bool {
        self.has(libc::IFF_LOOPBACK)
    }

    /// IFF_POINTOPOINT: a point-to-point link (tunnels, PPP, WireGuard).
    pub fn pointopoint(&self) -> bool {
        self.has(libc::IFF_POINTOPOINT)
    }

    /// IFF_BROADCAST: the interface has a broadcast address.
    pub fn broadcast(&self) -> bool {
        self.has(libc::IFF_BROADCAST)
    }

    /// The names of the flags that are set, among UP, RUNNING, MULTICAST,
    /// LOOPBACK, POINTOPOINT and BROADCAST (others are not reported).
    pub fn names(&self) -> Vec<&'static str> {
        FLAG_NAMES
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, name)| *name)
            .collect()
    }
}

/// The scope of an interface address, derived from the address itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Loopback: 127.0.0.0/8, ::1.
    Host,
    /// Link-local: 169.254.0.0/16, fe80::/10.
    Link,
    /// Site-local (deprecated IPv6 fec0::/10).
    Site,
    /// Everything else.
    Global,
}

impl Scope {
    /// The scope of an address: IPv6 ::1 host, fe80::/10 link, fec0::/10
    /// site, else global; IPv4 127/8 host, 169.254/16 link, else global.
    pub fn of(addr: &IpAddr) -> Scope {
        match addr {
            IpAddr::V4(a) if a.is_loopback() => Scope::Host,
            IpAddr::V4(a) if a.is_link_local() => Scope::Link,
            IpAddr::V4(_) => Scope::Global,
            IpAddr::V6(a) if a.is_loopback() => Scope::Host,
            IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80 => Scope::Link,
            IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfec0 => Scope::Site,
            IpAddr::V6(_) => Scope::Global,
        }
    }

    /// The lower-case name `ip addr` uses: host, link, site, global.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Host => "host",
            Scope::Link => "link",
            Scope::Site => "site",
            Scope::Global => "global",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One address configured on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IfAddr {
    /// The local address.
    pub addr: IpAddr,
    /// The prefix length (0-32 or 0-128).
    pub prefix: u8,
    /// The scope, derived from the address.
    pub scope: Scope,
}

impl IfAddr {
    /// An address with its prefix length; the scope is derived.
    pub fn new(addr: IpAddr, prefix: u8) -> IfAddr {
        IfAddr {
            addr,
            prefix,
            scope: Scope::of(&addr),
        }
    }

    /// The address family.
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }
}

/// A network interface with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// The interface index (ifindex), at least 1.
    pub index: u32,
    /// The name (bytes that are not UTF-8 appear as U+FFFD).
    pub name: String,
    /// The interface flags.
    pub flags: Flags,
    /// The MTU in bytes.
    pub mtu: u32,
    /// The addresses, in kernel order (IPv4 first).
    pub addrs: Vec<IfAddr>,
    /// True when an IPv4 default route leaves through this interface.
    pub default_v4: bool,
    /// True when an IPv6 default route leaves through this interface.
    pub default_v6: bool,
}

impl Interface {
    /// The first IPv4 address, if any.
    pub fn v4(&self) -> Option<Ipv4Addr> {
        self.addrs.iter().find_map(|a| match a.addr {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
    }

    /// The first IPv6 address, if any.
    pub fn v6(&self) -> Option<Ipv6Addr> {
        self.addrs.iter().find_map(|a| match a.addr {
            IpAddr::V6(v6) => Some(v6),
            IpAddr::V4(_) => None,
        })
    }

    /// True when the interface has an address of the family.
    pub fn has_family(&self, f: Family) -> bool {
        self.addrs.iter().any(|a| a.family() == f)
    }

    /// True when the address is configured on the interface.
    pub fn has_addr(&self, addr: &IpAddr) -> bool {
        self.addrs.iter().any(|a| a.addr == *addr)
    }

    /// True when the interface is UP and has the MULTICAST flag.
    pub fn is_multicast_capable(&self) -> bool {
        self.flags.up() && self.flags.multicast()
    }
}

/// Lists interfaces for error messages: `lo (1: 127.0.0.1 ::1), eth0 (2)`.
fn interfaces_here(ifaces: &[Interface]) -> String {
    if ifaces.is_empty() {
        return "none".to_string();
    }
    ifaces
        .iter()
        .map(|i| {
            let addrs: Vec<String> = i.addrs.iter().map(|a| a.addr.to_string()).collect();
            if addrs.is_empty() {
                format!("{} ({})", i.name, i.index)
            } else {
                format!("{} ({}: {})", i.name, i.index, addrs.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds the interface a spec names: by name, by index, or by one of its
/// addresses. Unknown interfaces are [`crate::error::Unavailable`] errors
/// that list the interfaces that do exist; an address configured on several
/// interfaces (e.g. the same fe80:: address twice) is a usage error.
pub fn resolve<'a>(spec: &IfaceSpec, ifaces: &'a [Interface]) -> Result<&'a Interface> {
    let missing = match spec {
        IfaceSpec::Name(n) => match ifaces.iter().find(|i| i.name == *n) {
            Some(i) => return Ok(i),
            None => format!("no interface named \"{}\"", n),
        },
        IfaceSpec::Index(x) => match ifaces.iter().find(|i| i.index == *x) {
            Some(i) => return Ok(i),
            None => format!("no interface with index {x}"),
        },
        IfaceSpec::Addr(a) => {
            let hits: Vec<&Interface> = ifaces.iter().filter(|i| i.has_addr(a)).collect();
            match hits.as_slice() {
                [one] => return Ok(one),
                [] => format!("no interface has the address {a}"),
                many => {
                    let names: Vec<String> = many.iter().map(|i| i.name.clone()).collect();
                    return Err(usage(format!(
                        "{a} is configured on several interfaces ({}): name the interface by name or index",
                        names.join(", ")
                    )));
                }
            }
        }
    };
    Err(unavailable(format!(
        "{missing}; interfaces here: {}",
        interfaces_here(ifaces)
    )))
}

/// Turns `--iface` selectors into interfaces: `all` expands to every
/// interface that is UP with MULTICAST (an error if there is none). The
/// result has no duplicates and keeps the order of first mention.
pub fn select<'a>(
    selectors: &[IfaceSelector],
    ifaces: &'a [Interface],
) -> Result<Vec<&'a Interface>> {
    let mut out: Vec<&Interface> = Vec::new();
    let mut seen: HashSet<u32> = HashSet::new();
    for s in selectors {
        match s {
            IfaceSelector::All => {
                let capable: Vec<&Interface> =
                    ifaces.iter().filter(|i| i.is_multicast_capable()).collect();
                if capable.is_empty() {
                    let here: Vec<String> = ifaces
                        .iter()
                        .map(|i| format!("{} ({})", i.name, render::flags_cell(i.flags)))
                        .collect();
                    let here = if here.is_empty() {
                        "none".to_string()
                    } else {
                        here.join(", ")
                    };
                    return Err(unavailable(format!(
                        "--iface all: no interface is UP with MULTICAST; interfaces here: {here}"
                    )));
                }
                for i in capable {
                    if seen.insert(i.index) {
                        out.push(i);
                    }
                }
            }
            IfaceSelector::One(spec) => {
                let i = resolve(spec, ifaces)?;
                if seen.insert(i.index) {
                    out.push(i);
                }
            }
        }
    }
    Ok(out)
}

/// A multicast group joined on an interface, as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KernelGroup {
    /// The interface index.
    pub index: u32,
    /// The interface name.
    pub iface: String,
    /// The group address.
    pub group: IpAddr,
    /// How many joins hold the membership (sockets and the kernel itself).
    pub users: u32,
}

#[cfg(test)]
mod tests;
