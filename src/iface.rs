//! Network interfaces, their addresses and multicast memberships (Linux).
//!
//! Two layers:
//!
//! - pure: the `/proc/net` parsers, [`resolve`], [`select`], [`render_table`]
//!   and [`to_json`], which unit tests drive with sample text and values;
//! - I/O: [`list`] and [`memberships`], which read the operating system.
//!
//! Everything describes the *current network namespace*: `getifaddrs` and
//! the ioctl socket are per namespace, and `/proc/net` is `/proc/self/net`.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Context, Result};
use nix::errno::Errno;
use serde_json::{json, Value};

use crate::endpoint::{Family, IfaceSelector, IfaceSpec};
use crate::error::{unavailable, usage};

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

// ---------------------------------------------------------------------------
// Listing interfaces (I/O)
// ---------------------------------------------------------------------------

/// What one `getifaddrs` entry carries, reduced to what we use.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RawKind {
    /// An AF_PACKET entry: one per interface, even without addresses.
    Link(u32),
    /// An IPv4 or IPv6 address.
    Addr(IfAddr),
    /// Any other family (or none).
    Other,
}

/// One `getifaddrs` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawEntry {
    name: String,
    flags: u32,
    kind: RawKind,
}

/// The entries of one interface, gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Partial {
    name: String,
    index: Option<u32>,
    flags: u32,
    has_link: bool,
    addrs: Vec<IfAddr>,
}

/// Gathers `getifaddrs` entries per interface, keeping first-seen order.
fn group_entries(entries: Vec<RawEntry>) -> Vec<Partial> {
    let mut out: Vec<Partial> = Vec::new();
    for e in entries {
        // glibc names an IPv4 address after its label ("eth0:1" for
        // `ip addr add ... label eth0:1`), not after its device; ':' is
        // not allowed in device names, so cutting there finds the device.
        let base = e.name.split_once(':').map_or(e.name.as_str(), |(b, _)| b);
        let pos = match out.iter().position(|p| p.name == base) {
            Some(pos) => pos,
            None => {
                out.push(Partial {
                    name: base.to_string(),
                    index: None,
                    flags: e.flags,
                    has_link: false,
                    addrs: Vec::new(),
                });
                out.len() - 1
            }
        };
        let p = &mut out[pos];
        match e.kind {
            RawKind::Link(index) => {
                if index != 0 {
                    p.index = Some(index);
                }
                // The link entry's flags are the authoritative ones.
                p.flags = e.flags;
                p.has_link = true;
            }
            RawKind::Addr(a) => {
                if !p.addrs.contains(&a) {
                    p.addrs.push(a);
                }
            }
            RawKind::Other => {}
        }
    }
    out
}

/// The prefix length a netmask encodes; no netmask means a host route.
fn prefix_len(mask: Option<IpAddr>, family: Family) -> u8 {
    let ones = match mask {
        Some(IpAddr::V4(m)) => u32::from(m).leading_ones(),
        Some(IpAddr::V6(m)) => u128::from(m).leading_ones(),
        None => match family {
            Family::V4 => 32,
            Family::V6 => 128,
        },
    };
    // At most 128, so the conversion cannot fail.
    u8::try_from(ones).unwrap_or(128)
}

/// Reads every `getifaddrs` entry.
fn raw_entries() -> Result<Vec<RawEntry>> {
    // nix errors are converted to io::Error so that error::exit_code can
    // classify them.
    let entries = nix::ifaddrs::getifaddrs()
        .map_err(io::Error::from)
        .context("getifaddrs")?;
    Ok(entries
        .map(|e| {
            let kind = match &e.address {
                Some(a) => {
                    if let Some(link) = a.as_link_addr() {
                        RawKind::Link(u32::try_from(link.ifindex()).unwrap_or(0))
                    } else if let Some(v4) = a.as_sockaddr_in() {
                        let mask = e
                            .netmask
                            .as_ref()
                            .and_then(|m| m.as_sockaddr_in())
                            .map(|m| IpAddr::V4(m.ip()));
                        RawKind::Addr(IfAddr::new(
                            IpAddr::V4(v4.ip()),
                            prefix_len(mask, Family::V4),
                        ))
                    } else if let Some(v6) = a.as_sockaddr_in6() {
                        let mask = e
                            .netmask
                            .as_ref()
                            .and_then(|m| m.as_sockaddr_in6())
                            .map(|m| IpAddr::V6(m.ip()));
                        RawKind::Addr(IfAddr::new(
                            IpAddr::V6(v6.ip()),
                            prefix_len(mask, Family::V6),
                        ))
                    } else {
                        RawKind::Other
                    }
                }
                None => RawKind::Other,
            };
            RawEntry {
                name: e.interface_name,
                flags: e.flags.bits() as u32,
                kind,
            }
        })
        .collect())
}

/// Lists the interfaces of this network namespace, sorted by index.
///
/// Interfaces without addresses are included (getifaddrs reports them
/// through their AF_PACKET entry). An interface that disappears while it is
/// being read is left out.
pub fn list() -> Result<Vec<Interface>> {
    let partials = group_entries(raw_entries()?);
    // Any socket reaches the SIOCGIFMTU ioctl; without one (e.g. a seccomp
    // filter forbidding AF_INET) /sys is the fallback.
    let sock = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Datagram,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )
    .ok();
    let v4_defaults = read_proc_optional("/proc/net/route")?
        .map(|t| parse_proc_route_default(&t))
        .unwrap_or_default();
    // No ipv6_route at all means IPv6 is disabled (ipv6.disable=1).
    let v6_defaults = read_proc_optional("/proc/net/ipv6_route")?
        .map(|t| parse_proc_ipv6_route_default(&t))
        .unwrap_or_default();

    let mut out: Vec<Interface> = Vec::new();
    for p in partials {
        let index = match p.index {
            Some(i) => i,
            None => match nix::net::if_::if_nametoindex(p.name.as_str()) {
                Ok(i) => i,
                // Gone since getifaddrs, or a label we cannot map back.
                Err(Errno::ENODEV | Errno::ENXIO) => continue,
                Err(e) => {
                    return Err(io::Error::from(e))
                        .with_context(|| format!("if_nametoindex {:?}", display_name(&p.name)));
                }
            },
        };
        let Some(mtu) = read_mtu(sock.as_ref(), &p.name, index)? else {
            continue;
        };
        out.push(Interface {
            index,
            default_v4: v4_defaults.contains(&p.name),
            default_v6: v6_defaults.contains(&p.name),
            name: p.name,
            flags: Flags(p.flags),
            mtu,
            addrs: p.addrs,
        });
    }
    out.sort_by_key(|i| i.index);
    out.dedup_by_key(|i| i.index);
    Ok(out)
}

/// True for the errors that mean "no such interface (any more)".
fn is_gone(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENODEV | libc::ENXIO))
        || e.kind() == io::ErrorKind::NotFound
}

/// Reads an interface's MTU; `None` when the interface has vanished.
fn read_mtu(sock: Option<&OwnedFd>, name: &str, index: u32) -> Result<Option<u32>> {
    // nix turned a name that is not UTF-8 into U+FFFD; the kernel needs the
    // real bytes, which if_indextoname returns.
    let raw: Vec<u8> = if name.contains('\u{FFFD}') || name.len() >= libc::IFNAMSIZ {
        match nix::net::if_::if_indextoname(index) {
            Ok(n) => n.into_bytes(),
            Err(Errno::ENODEV | Errno::ENXIO) => return Ok(None),
            Err(e) => {
                return Err(io::Error::from(e)).with_context(|| format!("if_indextoname {index}"));
            }
        }
    } else {
        name.as_bytes().to_vec()
    };
    // The ioctl asks the namespace the socket lives in. /sys/class/net
    // shows the namespace that mounted /sys, which is wrong after a bare
    // setns() (nsenter --net), so it is only the fallback.
    if let Some(fd) = sock {
        match ioctl_mtu(fd.as_fd(), &raw) {
            Ok(mtu) => return Ok(Some(mtu)),
            Err(e) if is_gone(&e) => return Ok(None),
            Err(_) => {}
        }
    }
    let path = Path::new("/sys/class/net")
        .join(OsStr::from_bytes(&raw))
        .join("mtu");
    match std::fs::read(&path) {
        Ok(text) => {
            let text = String::from_utf8_lossy(&text);
            let mtu = text.trim().parse::<u32>().with_context(|| {
                format!("read {}: {:?} is not an MTU", path.display(), text.trim())
            })?;
            Ok(Some(mtu))
        }
        Err(e) if is_gone(&e) => Ok(None),
        Err(e) => {
            Err(e).with_context(|| format!("read {} (SIOCGIFMTU failed too)", path.display()))
        }
    }
}

/// SIOCGIFMTU on `name` (raw bytes, without the NUL).
fn ioctl_mtu(fd: BorrowedFd<'_>, name: &[u8]) -> io::Result<u32> {
    if name.is_empty() || name.len() >= libc::IFNAMSIZ || name.contains(&0) {
        // No such name can exist: report it as the kernel would.
        return Err(io::Error::from_raw_os_error(libc::ENODEV));
    }
    // SAFETY: ifreq is plain old data (integers, arrays, a union with a
    // pointer member); all-zero is a valid value for every field.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name) {
        *dst = *src as libc::c_char;
    }
    // SAFETY: fd is an open socket, req is a valid, NUL-terminated ifreq
    // that outlives the call, and SIOCGIFMTU only writes ifr_mtu.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFMTU as _, &mut req) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: after a successful SIOCGIFMTU the union holds ifru_mtu.
    let mtu = unsafe { req.ifr_ifru.ifru_mtu };
    u32::try_from(mtu)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("negative MTU {mtu}")))
}

/// Reads a /proc file; `None` when it does not exist.
///
/// Interface names are arbitrary bytes, so the text is decoded lossily the
/// same way nix decodes getifaddrs names, and the two still compare equal.
fn read_proc_optional(path: &str) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("read {path}")),
    }
}

// ---------------------------------------------------------------------------
// Resolving and selecting (pure)
// ---------------------------------------------------------------------------

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
                format!("{} ({})", display_name(&i.name), i.index)
            } else {
                format!(
                    "{} ({}: {})",
                    display_name(&i.name),
                    i.index,
                    addrs.join(" ")
                )
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
            None => format!("no interface named \"{}\"", display_name(n)),
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
                    let names: Vec<String> = many.iter().map(|i| display_name(&i.name)).collect();
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
                        .map(|i| format!("{} ({})", display_name(&i.name), flags_cell(i.flags)))
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

// ---------------------------------------------------------------------------
// Memberships and routes: /proc parsers (pure) and readers
// ---------------------------------------------------------------------------

/// A multicast group joined on an interface, as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Membership {
    /// The interface index.
    pub index: u32,
    /// The interface name.
    pub iface: String,
    /// The group address.
    pub group: IpAddr,
    /// How many joins hold the membership (sockets and the kernel itself).
    pub users: u32,
}

/// Reads the groups joined in this namespace from `/proc/net/igmp` and
/// `/proc/net/igmp6`; IPv4 first, in kernel order.
pub fn memberships() -> Result<Vec<Membership>> {
    let v4 = std::fs::read("/proc/net/igmp").context("read /proc/net/igmp")?;
    let mut out = parse_proc_igmp(&String::from_utf8_lossy(&v4));
    // igmp6 is missing when IPv6 is disabled at boot: no IPv6 groups then.
    if let Some(v6) = read_proc_optional("/proc/net/igmp6")? {
        out.extend(parse_proc_igmp6(&v6));
    }
    Ok(out)
}

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
pub fn parse_proc_igmp(text: &str) -> Vec<Membership> {
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
            out.push(Membership {
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
pub fn parse_proc_igmp6(text: &str) -> Vec<Membership> {
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
            Some(Membership {
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

// ---------------------------------------------------------------------------
// Rendering `mcast ifaces` (pure)
// ---------------------------------------------------------------------------

/// An interface name made safe for a terminal: control characters, the
/// backslash and invisible formatting characters (bidi overrides,
/// zero-width spaces) are escaped, so a hostile name cannot move the cursor
/// or disguise itself.
pub fn display_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let invisible = matches!(c,
            '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
        if c == '\\' {
            out.push_str("\\\\");
        } else if c.is_control() || invisible {
            let code = u32::from(c);
            if code < 0x100 {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The groups joined on the interface with this index.
pub fn groups_of(groups: &[Membership], index: u32) -> impl Iterator<Item = &Membership> {
    groups.iter().filter(move |m| m.index == index)
}

/// The JSON/table family name `ip` uses.
fn family_name(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

/// Flags as a table cell; "-" when none of the reported ones is set.
fn flags_cell(flags: Flags) -> String {
    let names = flags.names();
    if names.is_empty() {
        "-".to_string()
    } else {
        names.join(",")
    }
}

/// The DEFAULT column: which default routes use the interface.
fn default_cell(i: &Interface) -> &'static str {
    match (i.default_v4, i.default_v6) {
        (true, true) => "v4,v6",
        (true, false) => "v4",
        (false, true) => "v6",
        (false, false) => "",
    }
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// Appends `text` padded to `width` visible characters, coloured when asked.
/// Padding is added outside the escape codes so columns stay aligned.
fn cell(out: &mut String, text: &str, width: usize, style: Option<&str>, color: bool) {
    match style {
        Some(s) if color && !text.is_empty() => {
            out.push_str(s);
            out.push_str(text);
            out.push_str(RESET);
        }
        _ => out.push_str(text),
    }
    let shown = text.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(shown)));
}

/// Renders the `mcast ifaces` table: one row per interface with index,
/// name, MTU, default-route mark, flags, then its addresses (one per line,
/// with /prefix and scope); with `groups`, the joined groups follow,
/// indented under the name. Names are escaped with [`display_name`].
///
/// ```text
/// IDX  NAME  MTU    DEFAULT  FLAGS                           ADDRESS            SCOPE
///   1  lo    65536           UP,RUNNING,LOOPBACK             127.0.0.1/8        host
///                                                            ::1/128            host
///   2  eth0  1500   v4,v6    UP,RUNNING,MULTICAST,BROADCAST  10.0.0.5/24        global
///        group 224.0.0.1
/// ```
pub fn render_table(ifaces: &[Interface], groups: Option<&[Membership]>, color: bool) -> String {
    if ifaces.is_empty() {
        return "no interfaces\n".to_string();
    }
    const GAP: usize = 2;
    let names: Vec<String> = ifaces.iter().map(|i| display_name(&i.name)).collect();
    let flags: Vec<String> = ifaces.iter().map(|i| flags_cell(i.flags)).collect();
    let addrs: Vec<Vec<String>> = ifaces
        .iter()
        .map(|i| {
            i.addrs
                .iter()
                .map(|a| format!("{}/{}", a.addr, a.prefix))
                .collect()
        })
        .collect();
    let width =
        |header: &str, cells: &mut dyn Iterator<Item = usize>| cells.fold(header.len(), usize::max);
    let w_idx = width("IDX", &mut ifaces.iter().map(|i| i.index.to_string().len()));
    let w_name = width("NAME", &mut names.iter().map(|n| n.chars().count()));
    let w_mtu = width("MTU", &mut ifaces.iter().map(|i| i.mtu.to_string().len()));
    let w_def = width("DEFAULT", &mut ifaces.iter().map(|i| default_cell(i).len()));
    let w_flags = width("FLAGS", &mut flags.iter().map(String::len));
    let w_addr = width("ADDRESS", &mut addrs.iter().flatten().map(String::len));
    // Where continuation lines (more addresses) start.
    let addr_col = w_idx + w_name + w_mtu + w_def + w_flags + 5 * GAP;

    let mut out = String::new();
    let mut line = String::new();
    for (text, w) in [
        ("IDX", w_idx + GAP),
        ("NAME", w_name + GAP),
        ("MTU", w_mtu + GAP),
        ("DEFAULT", w_def + GAP),
        ("FLAGS", w_flags + GAP),
        ("ADDRESS", w_addr + GAP),
        ("SCOPE", 0),
    ] {
        cell(&mut line, text, w, Some(BOLD), color);
    }
    finish_line(&mut out, &mut line);

    for (n, i) in ifaces.iter().enumerate() {
        let idx = i.index.to_string();
        // Right-align the index, the way numbers read best.
        line.extend(std::iter::repeat_n(' ', w_idx - idx.len()));
        line.push_str(&idx);
        line.extend(std::iter::repeat_n(' ', GAP));
        cell(&mut line, &names[n], w_name + GAP, Some(BOLD), color);
        cell(&mut line, &i.mtu.to_string(), w_mtu + GAP, None, color);
        cell(&mut line, default_cell(i), w_def + GAP, Some(GREEN), color);
        let flag_style = if i.flags.up() { None } else { Some(DIM) };
        cell(&mut line, &flags[n], w_flags + GAP, flag_style, color);
        for (k, a) in i.addrs.iter().enumerate() {
            if k > 0 {
                line.extend(std::iter::repeat_n(' ', addr_col));
            }
            cell(&mut line, &addrs[n][k], w_addr + GAP, None, color);
            let scope_style = if a.scope == Scope::Global {
                None
            } else {
                Some(DIM)
            };
            cell(&mut line, a.scope.as_str(), 0, scope_style, color);
            finish_line(&mut out, &mut line);
        }
        if i.addrs.is_empty() {
            finish_line(&mut out, &mut line);
        }
        if let Some(groups) = groups {
            let indent = " ".repeat(w_idx + GAP + 2);
            let mut any = false;
            for m in groups_of(groups, i.index) {
                any = true;
                line.push_str(&indent);
                cell(&mut line, "group", 6, Some(DIM), color);
                line.push_str(&m.group.to_string());
                if m.users > 1 {
                    line.push_str(&format!(" ({} users)", m.users));
                }
                finish_line(&mut out, &mut line);
            }
            if !any {
                line.push_str(&indent);
                cell(&mut line, "(no groups)", 0, Some(DIM), color);
                finish_line(&mut out, &mut line);
            }
        }
    }
    out
}

/// Moves `line` into `out` without trailing blanks.
fn finish_line(out: &mut String, line: &mut String) {
    out.push_str(line.trim_end());
    out.push('\n');
    line.clear();
}

/// The `mcast ifaces --json` array. Each object has `index`, `name`,
/// `flags` (strings), `mtu`, `addrs` (`addr`, `prefix`, `family`
/// "inet"/"inet6", `scope`), `default_route` {`v4`, `v6`} and, when
/// `groups` is given, `groups` (addresses as strings). `index`, `name`,
/// `mtu` and `addrs[].addr/prefix` correspond to `ip -j addr`'s `ifindex`,
/// `ifname`, `mtu` and `addr_info[].local/prefixlen`.
pub fn to_json(ifaces: &[Interface], groups: Option<&[Membership]>) -> Value {
    let items = ifaces
        .iter()
        .map(|i| {
            let addrs: Vec<Value> = i
                .addrs
                .iter()
                .map(|a| {
                    json!({
                        "addr": a.addr.to_string(),
                        "prefix": a.prefix,
                        "family": family_name(a.family()),
                        "scope": a.scope.as_str(),
                    })
                })
                .collect();
            let mut obj = json!({
                "index": i.index,
                "name": i.name,
                "flags": i.flags.names(),
                "mtu": i.mtu,
                "addrs": addrs,
                "default_route": { "v4": i.default_v4, "v6": i.default_v6 },
            });
            if let Some(groups) = groups {
                let joined: Vec<String> = groups_of(groups, i.index)
                    .map(|m| m.group.to_string())
                    .collect();
                obj["groups"] = json!(joined);
            }
            obj
        })
        .collect();
    Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, Exit};

    const UP_MC: u32 =
        (libc::IFF_UP | libc::IFF_RUNNING | libc::IFF_MULTICAST | libc::IFF_BROADCAST) as u32;
    const LO: u32 = (libc::IFF_UP | libc::IFF_RUNNING | libc::IFF_LOOPBACK) as u32;

    fn a(s: &str, prefix: u8) -> IfAddr {
        IfAddr::new(s.parse().unwrap(), prefix)
    }

    fn iface(index: u32, name: &str, flags: u32, addrs: Vec<IfAddr>) -> Interface {
        Interface {
            index,
            name: name.into(),
            flags: Flags(flags),
            mtu: 1500,
            addrs,
            default_v4: false,
            default_v6: false,
        }
    }

    fn sample() -> Vec<Interface> {
        vec![
            Interface {
                mtu: 65536,
                ..iface(1, "lo", LO, vec![a("127.0.0.1", 8), a("::1", 128)])
            },
            Interface {
                default_v4: true,
                ..iface(
                    2,
                    "eth0",
                    UP_MC,
                    vec![a("10.77.0.1", 24), a("fe80::1", 64), a("fd77::1", 64)],
                )
            },
            iface(3, "eth1", UP_MC, vec![a("10.88.0.1", 24), a("fe80::1", 64)]),
            iface(4, "dummy0", libc::IFF_BROADCAST as u32, vec![]),
        ]
    }

    fn spec(s: &str) -> IfaceSpec {
        s.parse().unwrap()
    }

    #[test]
    fn flags_names_and_predicates() {
        let f = Flags(UP_MC | libc::IFF_LOWER_UP as u32);
        assert!(f.up() && f.running() && f.multicast() && f.broadcast());
        assert!(!f.loopback() && !f.pointopoint());
        assert_eq!(f.names(), ["UP", "RUNNING", "MULTICAST", "BROADCAST"]);
        assert_eq!(Flags(LO).names(), ["UP", "RUNNING", "LOOPBACK"]);
        assert!(Flags(libc::IFF_POINTOPOINT as u32).pointopoint());
        assert!(Flags(0).names().is_empty());
    }

    #[test]
    fn scopes() {
        for (addr, scope) in [
            ("127.0.0.1", Scope::Host),
            ("127.255.0.9", Scope::Host),
            ("169.254.3.4", Scope::Link),
            ("10.0.0.1", Scope::Global),
            ("::1", Scope::Host),
            ("fe80::1", Scope::Link),
            ("febf::1", Scope::Link),
            ("fec0::1", Scope::Site),
            ("feff::1", Scope::Site),
            ("fd77::1", Scope::Global),
            ("2001:db8::1", Scope::Global),
        ] {
            assert_eq!(Scope::of(&addr.parse().unwrap()), scope, "{addr}");
        }
    }

    #[test]
    fn prefix_from_netmask() {
        assert_eq!(
            prefix_len(Some("255.255.255.0".parse().unwrap()), Family::V4),
            24
        );
        assert_eq!(prefix_len(Some("0.0.0.0".parse().unwrap()), Family::V4), 0);
        assert_eq!(
            prefix_len(Some("ffff:ffff:ffff:ffff::".parse().unwrap()), Family::V6),
            64
        );
        assert_eq!(prefix_len(None, Family::V4), 32);
        assert_eq!(prefix_len(None, Family::V6), 128);
    }

    #[test]
    fn entries_group_by_device_and_labels_fold_in() {
        let e = |name: &str, kind| RawEntry {
            name: name.into(),
            flags: UP_MC,
            kind,
        };
        let got = group_entries(vec![
            e("lo", RawKind::Link(1)),
            e("eth0", RawKind::Link(2)),
            e("dummy0", RawKind::Link(7)),
            e("eth0", RawKind::Addr(a("10.77.0.1", 24))),
            e("eth0:1", RawKind::Addr(a("10.77.9.1", 24))),
            e("eth0", RawKind::Addr(a("fe80::1", 64))),
            e("eth0", RawKind::Addr(a("fe80::1", 64))),
            e("tun9", RawKind::Other),
        ]);
        let names: Vec<&str> = got.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["lo", "eth0", "dummy0", "tun9"]);
        assert_eq!(got[1].index, Some(2));
        assert_eq!(
            got[1].addrs,
            [a("10.77.0.1", 24), a("10.77.9.1", 24), a("fe80::1", 64)]
        );
        assert_eq!(got[2].index, Some(7));
        assert!(got[2].addrs.is_empty());
        assert_eq!(got[3].index, None);
    }

    /// Formats a group the way the kernel does on this host (%08X of the
    /// __be32 read as a host-order u32).
    fn kernel_hex(v4: Ipv4Addr) -> String {
        format!("{:08X}", u32::from_ne_bytes(v4.octets()))
    }

    #[test]
    fn igmp_parses_devices_and_groups() {
        let text = format!(
            "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
             1\tlo        :     1      V3\n\
             \t\t\t\t{}     1 0:00000000\t\t0\n\
             2\teth0      :     2      V3\n\
             \t\t\t\t{}     2 1:00000123\t\t1\n\
             \t\t\t\t{}     1 0:00000000\t\t0\n",
            kernel_hex(Ipv4Addr::new(224, 0, 0, 1)),
            kernel_hex(Ipv4Addr::new(239, 2, 3, 1)),
            kernel_hex(Ipv4Addr::new(224, 0, 0, 1)),
        );
        let got = parse_proc_igmp(&text);
        let want = [
            (1, "lo", "224.0.0.1", 1),
            (2, "eth0", "239.2.3.1", 2),
            (2, "eth0", "224.0.0.1", 1),
        ];
        assert_eq!(got.len(), want.len());
        for (m, (index, name, group, users)) in got.iter().zip(want) {
            assert_eq!(
                (m.index, m.iface.as_str(), m.group, m.users),
                (index, name, group.parse().unwrap(), users)
            );
        }
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn igmp_literal_little_endian_sample() {
        // Verbatim from an x86-64 kernel: the bytes of the group appear reversed.
        let text = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
                    1\tlo        :     1      V3\n\
                    \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                    2\teth0      :     2      V3\n\
                    \t\t\t\tFB0000E0     1 0:00000000\t\t0\n\
                    \t\t\t\t010000E0     1 0:00000000\t\t0\n";
        let groups: Vec<String> = parse_proc_igmp(text)
            .iter()
            .map(|m| format!("{}@{}", m.group, m.iface))
            .collect();
        assert_eq!(
            groups,
            ["224.0.0.1@lo", "224.0.0.251@eth0", "224.0.0.1@eth0"]
        );
    }

    #[test]
    fn igmp_skips_malformed_lines() {
        let text = "\t\t\t\t010000E0     1 0:00000000\t\t0\n\
                    garbage\n\
                    x\teth0 : 1 V3\n\
                    \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                    3\teth1      :     4      V2\n\
                    \t\t\t\t+10000E0     1 0:00000000\t\t0\n\
                    \t\t\t\t10000E0     1 0:00000000\t\t0\n\
                    \t\t\t\tGG0000E0     1 0:00000000\t\t0\n\
                    \t\t\t\t010000E0     -1 0:00000000\t\t0\n\
                    \t\t\t\t010000E0\n\
                    \t\t\t\t\n\
                    4\t          :     1      V3\n\
                    \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                    3\teth1      :     4      V2\n\
                    \t\t\t\t010000E0     3 0:00000000\t\t0\n";
        let got = parse_proc_igmp(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            (got[0].index, got[0].iface.as_str(), got[0].users),
            (3, "eth1", 3)
        );
        assert!(parse_proc_igmp("").is_empty());
    }

    #[test]
    fn igmp6_parses_and_skips_malformed_lines() {
        let text = "1    lo              ff020000000000000000000000000001     1 0000000C 0\n\
                    2    eth0            ff0200000000000000000001ff000002     3 00000004 0\n\
                    2    eth0            ff15000000000000000000000000abcd     1 00000004 0\n\
                    x    eth0            ff020000000000000000000000000001     1 0000000C 0\n\
                    2    eth0            ff02000000000000000000000000001     1 0000000C 0\n\
                    2    eth0            ff02::1     1 0000000C 0\n\
                    2    eth0            ff020000000000000000000000000001\n\
                    2    eth0            ff020000000000000000000000000001   -1 0000000C 0\n\
                    \n\
                    nonsense\n";
        let got = parse_proc_igmp6(text);
        let want = [
            (1, "lo", "ff02::1", 1),
            (2, "eth0", "ff02::1:ff00:2", 3),
            (2, "eth0", "ff15::abcd", 1),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (m, (index, name, group, users)) in got.iter().zip(want) {
            assert_eq!(
                (m.index, m.iface.as_str(), m.group, m.users),
                (index, name, group.parse().unwrap(), users)
            );
        }
    }

    #[test]
    fn default_routes_v4() {
        // Real layout: tab-separated, lines padded with spaces to 127 bytes.
        let text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT       \n\
                    eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0          \n\
                    eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0          \n\
                    wg0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n\
                    eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
                    *\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n\
                    eth2\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n\
                    eth3\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n\
                    eth4\t00000000\t00000000\n\
                    eth5\tzzzzzzzz\t00000000\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
        assert_eq!(parse_proc_route_default(text), ["eth0", "wg0"]);
        assert!(parse_proc_route_default("").is_empty());
    }

    #[test]
    fn default_routes_v6() {
        let z = "00000000000000000000000000000000";
        let text = format!(
            "fd000000000000000000000000000000 40 {z} 00 {z} 00000100 00000001 00000000 00000001     eth0\n\
             {z} 00 {z} 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n\
             00000000000000000000000000000001 80 {z} 00 {z} 00000000 00000002 00000000 80200001       lo\n\
             {z} 00 {z} 00 {z} ffffffff 00000001 00000000 00200200       lo\n\
             {z} 00 {z} 00 {z} 00000400 00000001 00000000 00000001     wg0\n\
             {z} 00 {z} 00 {z} 00000400 00000001 00000000 00000001\n\
             {z} 0 {z} 00 {z} 00000400 00000001 00000000 00000001     bad1\n\
             fe800000000000000000000000000000 00 {z} 00 {z} 00000400 00000001 00000000 00000001     bad2\n"
        );
        assert_eq!(parse_proc_ipv6_route_default(&text), ["eth0", "wg0"]);
        assert!(parse_proc_ipv6_route_default("junk\n").is_empty());
    }

    #[test]
    fn resolve_by_name_index_and_address() {
        let ifs = sample();
        assert_eq!(resolve(&spec("eth0"), &ifs).unwrap().index, 2);
        assert_eq!(resolve(&spec("3"), &ifs).unwrap().name, "eth1");
        assert_eq!(resolve(&spec("10.88.0.1"), &ifs).unwrap().name, "eth1");
        assert_eq!(resolve(&spec("fd77::1"), &ifs).unwrap().name, "eth0");
        assert_eq!(resolve(&spec("dummy0"), &ifs).unwrap().index, 4);
    }

    #[test]
    fn resolve_errors_list_the_interfaces() {
        let ifs = sample();
        let err = resolve(&spec("eth9"), &ifs).unwrap_err();
        assert_eq!(exit_code(&err), Exit::Unavailable);
        let msg = err.to_string();
        assert!(
            msg.starts_with(
                "no interface named \"eth9\"; interfaces here: lo (1: 127.0.0.1 ::1), eth0 (2: "
            ),
            "{msg}"
        );
        assert!(msg.ends_with("dummy0 (4)"), "{msg}");
        let msg = resolve(&spec("9"), &ifs).unwrap_err().to_string();
        assert!(
            msg.starts_with("no interface with index 9; interfaces here: lo (1"),
            "{msg}"
        );
        let msg = resolve(&spec("10.9.9.9"), &ifs).unwrap_err().to_string();
        assert!(
            msg.contains("no interface has the address 10.9.9.9")
                && msg.contains("eth1 (3: 10.88.0.1 fe80::1)"),
            "{msg}"
        );
        let msg = resolve(&spec("eth0"), &[]).unwrap_err().to_string();
        assert!(msg.ends_with("interfaces here: none"), "{msg}");
        // The same link-local address on two interfaces is ambiguous.
        let err = resolve(&spec("fe80::1"), &ifs).unwrap_err();
        assert_eq!(exit_code(&err), Exit::Usage);
        assert!(
            err.to_string().contains("several interfaces (eth0, eth1)"),
            "{err}"
        );
    }

    #[test]
    fn select_expands_all_dedups_and_keeps_order() {
        let ifs = sample();
        let sel =
            |s: &[&str]| -> Vec<IfaceSelector> { s.iter().map(|x| x.parse().unwrap()).collect() };
        let idx = |v: Vec<&Interface>| -> Vec<u32> { v.iter().map(|i| i.index).collect() };
        assert_eq!(idx(select(&sel(&["all"]), &ifs).unwrap()), [2, 3]);
        assert_eq!(
            idx(select(&sel(&["eth1", "all", "2", "lo"]), &ifs).unwrap()),
            [3, 2, 1]
        );
        assert_eq!(
            idx(select(&sel(&["lo", "1", "127.0.0.1"]), &ifs).unwrap()),
            [1]
        );
        assert!(select(&[], &ifs).unwrap().is_empty());
        let err = select(&sel(&["eth0", "eth7"]), &ifs).unwrap_err();
        assert_eq!(exit_code(&err), Exit::Unavailable);
        // `all` with nothing UP+MULTICAST is an error naming what exists.
        let err = select(&sel(&["all"]), &ifs[..1]).unwrap_err();
        assert_eq!(exit_code(&err), Exit::Unavailable);
        assert!(
            err.to_string().contains("lo (UP,RUNNING,LOOPBACK)"),
            "{err}"
        );
        let down = [iface(5, "eth5", libc::IFF_MULTICAST as u32, vec![])];
        assert!(select(&sel(&["all"]), &down).is_err());
    }

    #[test]
    fn interface_helpers() {
        let ifs = sample();
        assert_eq!(ifs[1].v4(), Some(Ipv4Addr::new(10, 77, 0, 1)));
        assert_eq!(ifs[1].v6(), Some("fe80::1".parse().unwrap()));
        assert_eq!(ifs[3].v4(), None);
        assert!(ifs[1].has_family(Family::V4) && ifs[1].has_family(Family::V6));
        assert!(!ifs[3].has_family(Family::V4));
        assert!(ifs[1].is_multicast_capable());
        assert!(!ifs[0].is_multicast_capable() && !ifs[3].is_multicast_capable());
    }

    fn groups() -> Vec<Membership> {
        let m = |index, iface: &str, g: &str, users| Membership {
            index,
            iface: iface.into(),
            group: g.parse().unwrap(),
            users,
        };
        vec![
            m(1, "lo", "224.0.0.1", 1),
            m(2, "eth0", "239.2.3.1", 2),
            m(2, "eth0", "ff02::1", 1),
            m(9, "gone", "224.0.0.1", 1),
        ]
    }

    #[test]
    fn table_shows_columns_marks_and_groups() {
        let ifs = sample();
        let t = render_table(&ifs, None, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "IDX  NAME    MTU    DEFAULT  FLAGS                           ADDRESS       SCOPE"
        );
        assert_eq!(
            lines[1],
            "  1  lo      65536           UP,RUNNING,LOOPBACK             127.0.0.1/8   host"
        );
        assert_eq!(
            lines[2],
            "                                                             ::1/128       host"
        );
        assert_eq!(
            lines[3],
            "  2  eth0    1500   v4       UP,RUNNING,MULTICAST,BROADCAST  10.77.0.1/24  global"
        );
        assert_eq!(
            lines[4],
            "                                                             fe80::1/64    link"
        );
        assert_eq!(lines[8], "  4  dummy0  1500            BROADCAST");
        assert!(!t.contains('\x1b'));
        assert!(t.lines().all(|l| l == l.trim_end()));

        let g = groups();
        let t = render_table(&ifs, Some(&g), false);
        assert!(t.contains("\n       group 224.0.0.1\n"), "{t}");
        assert!(
            t.contains("       group 239.2.3.1 (2 users)\n       group ff02::1\n"),
            "{t}"
        );
        assert!(t.contains("(no groups)"));
        assert!(!t.contains("gone"));

        let colored = render_table(&ifs, Some(&g), true);
        assert!(colored.contains("\x1b[1mlo\x1b[0m"));
        // Colour changes nothing but the escape codes.
        let stripped = colored
            .replace(BOLD, "")
            .replace(DIM, "")
            .replace(GREEN, "")
            .replace(RESET, "");
        assert_eq!(stripped, t);
        assert_eq!(render_table(&[], None, false), "no interfaces\n");
    }

    #[test]
    fn odd_names_are_escaped() {
        assert_eq!(display_name("eth0"), "eth0");
        assert_eq!(display_name("ev\x1b[31mil"), "ev\\x1b[31mil");
        assert_eq!(display_name("a\\b\u{7f}"), "a\\\\b\\x7f");
        assert_eq!(display_name("x\u{202e}y\u{200b}"), "x\\u{202e}y\\u{200b}");
        assert_eq!(display_name("wlп0"), "wlп0");
        let odd = [iface(7, "bad\x07\n", UP_MC, vec![])];
        let t = render_table(&odd, None, false);
        assert!(t.contains("bad\\x07\\x0a") && !t.contains('\x07'), "{t}");
        assert_eq!(t.lines().count(), 2);
        let err = resolve(&spec("eth9"), &odd).unwrap_err().to_string();
        assert!(err.contains("bad\\x07\\x0a (7)"), "{err}");
    }

    #[test]
    fn json_shape() {
        let ifs = sample();
        let v = to_json(&ifs, None);
        let eth0 = &v[1];
        assert_eq!(eth0["index"], 2);
        assert_eq!(eth0["name"], "eth0");
        assert_eq!(eth0["mtu"], 1500);
        assert_eq!(
            eth0["flags"],
            json!(["UP", "RUNNING", "MULTICAST", "BROADCAST"])
        );
        assert_eq!(
            eth0["addrs"][0],
            json!({"addr": "10.77.0.1", "prefix": 24, "family": "inet", "scope": "global"})
        );
        assert_eq!(
            eth0["addrs"][1],
            json!({"addr": "fe80::1", "prefix": 64, "family": "inet6", "scope": "link"})
        );
        assert_eq!(eth0["default_route"], json!({"v4": true, "v6": false}));
        assert!(eth0.get("groups").is_none());
        assert_eq!(v[3]["addrs"], json!([]));
        let g = groups();
        let v = to_json(&ifs, Some(&g));
        assert_eq!(v[1]["groups"], json!(["239.2.3.1", "ff02::1"]));
        assert_eq!(v[3]["groups"], json!([]));
    }

    #[test]
    fn list_finds_loopback() {
        let ifs = list().expect("list interfaces");
        let lo = ifs.iter().find(|i| i.name == "lo").expect("lo is listed");
        assert_eq!(lo.index, 1);
        assert!(
            lo.flags.loopback() && lo.flags.up(),
            "{:?}",
            lo.flags.names()
        );
        assert!(lo.mtu > 0);
        assert!(
            ifs.windows(2).all(|w| w[0].index < w[1].index),
            "sorted by index"
        );
        assert_eq!(resolve(&IfaceSpec::Index(1), &ifs).unwrap().name, "lo");
    }

    #[test]
    fn memberships_read_without_error() {
        // The host's groups are unknown; reading must succeed and agree on names.
        let ms = memberships().expect("read memberships");
        let ifs = list().unwrap();
        for m in &ms {
            if let Some(i) = ifs.iter().find(|i| i.index == m.index) {
                assert_eq!(i.name, m.iface);
            }
            assert!(m.group.is_multicast(), "{m:?}");
        }
    }

    /// Compares `list()` with `ip -j addr` when iproute2 is installed.
    #[test]
    fn list_agrees_with_ip_json() {
        let Ok(out) = std::process::Command::new("ip")
            .args(["-j", "addr", "show"])
            .output()
        else {
            return; // no iproute2 here
        };
        if !out.status.success() {
            return;
        }
        // iproute2 prints control characters in names unescaped, which is
        // not JSON; there is nothing to compare with then.
        let Ok(ip) = serde_json::from_slice::<Value>(&out.stdout) else {
            return;
        };
        let ours = to_json(&list().unwrap(), None);
        let ours = ours.as_array().unwrap();
        let mut compared = 0;
        for theirs in ip.as_array().into_iter().flatten() {
            // Interfaces may come and go between the two snapshots.
            let Some(mine) = ours.iter().find(|o| o["index"] == theirs["ifindex"]) else {
                continue;
            };
            assert_eq!(mine["name"], theirs["ifname"]);
            assert_eq!(mine["mtu"], theirs["mtu"]);
            let want: Vec<(Value, Value)> = theirs["addr_info"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["local"].clone(), a["prefixlen"].clone()))
                .collect();
            let got: Vec<(Value, Value)> = mine["addrs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["addr"].clone(), a["prefix"].clone()))
                .collect();
            assert_eq!(got, want, "{}", theirs["ifname"]);
            compared += 1;
        }
        assert!(compared > 0, "no interface in common with ip -j addr");
    }
}
