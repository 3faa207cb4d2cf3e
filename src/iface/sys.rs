//! Reading interfaces and memberships from the operating system.

use std::ffi::OsStr;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Context, Result};
use nix::errno::Errno;

use super::procfs::{
    parse_proc_igmp, parse_proc_igmp6, parse_proc_ipv6_route_default, parse_proc_route_default,
};
use super::{Flags, IfAddr, Interface, KernelGroup};
use crate::endpoint::Family;
use crate::term::escape as display_name;

/// What one `getifaddrs` entry carries, reduced to what we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawKind {
    /// An AF_PACKET entry: one per interface, even without addresses.
    Link(u32),
    /// An IPv4 or IPv6 address.
    Addr(IfAddr),
    /// Any other family (or none).
    Other,
}

/// One `getifaddrs` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawEntry {
    pub(super) name: String,
    pub(super) flags: u32,
    pub(super) kind: RawKind,
}

/// The entries of one interface, gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Partial {
    pub(super) name: String,
    pub(super) index: Option<u32>,
    pub(super) flags: u32,
    pub(super) has_link: bool,
    pub(super) addrs: Vec<IfAddr>,
}

/// Gathers `getifaddrs` entries per interface, keeping first-seen order.
pub(super) fn group_entries(entries: Vec<RawEntry>) -> Vec<Partial> {
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
pub(super) fn prefix_len(mask: Option<IpAddr>, family: Family) -> u8 {
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

/// Reads the groups joined in this namespace from `/proc/net/igmp` and
/// `/proc/net/igmp6`; IPv4 first, in kernel order.
pub fn kernel_groups() -> Result<Vec<KernelGroup>> {
    let v4 = std::fs::read("/proc/net/igmp").context("read /proc/net/igmp")?;
    let mut out = parse_proc_igmp(&String::from_utf8_lossy(&v4));
    // igmp6 is missing when IPv6 is disabled at boot: no IPv6 groups then.
    if let Some(v6) = read_proc_optional("/proc/net/igmp6")? {
        out.extend(parse_proc_igmp6(&v6));
    }
    Ok(out)
}
