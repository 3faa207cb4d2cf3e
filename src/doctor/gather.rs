//! Reads the host and listens for the window: everything
//! [`crate::doctor::diagnose`] needs, and nothing it decides.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::poll::{PollFd, PollFlags};

use crate::batch::{Meta, RecvBatch};
use crate::doctor::counters::{Ladder, Snapshot};
use crate::doctor::diagnose::{
    Arrivals, Facts, IfFacts, InputCheck, Join, Observation, PortSocket, Queries, SnoopingBridge,
};
use crate::doctor::parse;
use crate::doctor::report::Report;
use crate::doctor::wire;
use crate::endpoint::{Family, IfaceSpec};
use crate::iface::{self, Interface};
use crate::plan::{GroupPlan, IfRef, Membership};
use crate::poll;
use crate::signals::Stop;
use crate::sock::{self, GroupSocket};

/// What to examine.
#[derive(Debug, Clone)]
pub struct Config {
    /// The group.
    pub group: IpAddr,
    /// The port.
    pub port: u16,
    /// The interface the user expects the traffic on.
    pub iface: Option<IfaceSpec>,
    /// The sender, when known.
    pub source: Option<IpAddr>,
    /// How long to listen.
    pub window: Duration,
    /// The querier interval to assume.
    pub query_interval: Duration,
}

/// The receive buffer the doctor asks for: enough for a burst, and the
/// read-back tells whether `rmem_max` clamps.
const RCVBUF: usize = 4 << 20;
/// Sources remembered per interface.
const SOURCES: usize = 4;

fn read_sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn sysctl_u8(path: &str) -> Option<u8> {
    read_sysctl(path)?.parse().ok()
}

fn errno(e: &anyhow::Error) -> i32 {
    e.chain()
        .find_map(|c| c.downcast_ref::<io::Error>())
        .and_then(io::Error::raw_os_error)
        .unwrap_or(libc::EIO)
}

fn if_facts(i: &Interface, family: Family) -> IfFacts {
    let conf = |dev: &str, key: &str| sysctl_u8(&format!("/proc/sys/net/ipv4/conf/{dev}/{key}"));
    let v4 = family == Family::V4;
    // ip-sysctl.rst: the effective rp_filter is max(all, interface); a
    // forced IGMP version applies when either is set.
    let max = |key: &str| match (conf("all", key), conf(&i.name, key)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    IfFacts {
        index: i.index,
        name: i.name.clone(),
        up: i.flags.up(),
        running: i.flags.running(),
        multicast: i.flags.multicast(),
        loopback: i.flags.loopback(),
        addrs: i.addrs.iter().map(|a| a.addr).collect(),
        rp_filter: if v4 { max("rp_filter") } else { None },
        accept_local: if v4 {
            conf(&i.name, "accept_local").map(|v| v != 0)
        } else {
            None
        },
        force_igmp: if v4 { max("force_igmp_version") } else { None },
    }
}

fn snapshot(family: Family) -> Snapshot {
    match family {
        Family::V4 => {
            let mut text = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
            text.push_str(&std::fs::read_to_string("/proc/net/netstat").unwrap_or_default());
            Snapshot::parse_v4(&text)
        }
        Family::V6 => {
            Snapshot::parse_v6(&std::fs::read_to_string("/proc/net/snmp6").unwrap_or_default())
        }
    }
}

/// MLD queries received on one interface, from `/proc/net/dev_snmp6`
/// (no privilege needed; IPv4 has no IGMP counter).
fn mld_queries(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/net/dev_snmp6/{name}")).ok()?;
    text.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next()? == "Icmp6InGroupMembQueries").then(|| w.next()?.parse().ok())?
    })
}

/// The sockets on the port (inode → socket), without the doctor's own.
fn port_sockets(family: Family, port: u16, own: &[u64]) -> HashMap<u64, parse::UdpSocket> {
    let file = if family == Family::V4 {
        "/proc/net/udp"
    } else {
        "/proc/net/udp6"
    };
    parse::proc_udp(&std::fs::read_to_string(file).unwrap_or_default())
        .into_iter()
        .filter(|s| s.port == port && !own.contains(&s.inode))
        .map(|s| (s.inode, s))
        .collect()
}

/// `comm (pid N)` of the processes holding these socket inodes, where
/// `/proc/PID/fd` is readable (root, or our own processes).
fn owners(inodes: &[u64]) -> HashMap<u64, String> {
    let mut out = HashMap::new();
    if inodes.is_empty() {
        return out;
    }
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.flatten() {
        let pid = p.file_name();
        let Some(pid) = pid
            .to_str()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(link) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let link = link.to_string_lossy();
            let Some(ino) = link
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse::<u64>().ok())
            else {
                continue;
            };
            if inodes.contains(&ino) {
                let comm = read_sysctl(&format!("/proc/{pid}/comm")).unwrap_or_default();
                out.insert(ino, format!("{comm} (pid {pid})"));
            }
        }
    }
    out
}

fn bridges() -> Vec<SnoopingBridge> {
    let Ok(dir) = std::fs::read_dir("/sys/class/net") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|d| {
            let name = d.file_name().to_string_lossy().into_owned();
            let base = format!("/sys/class/net/{name}/bridge");
            (read_sysctl(&format!("{base}/multicast_snooping"))? == "1").then(|| SnoopingBridge {
                querier: read_sysctl(&format!("{base}/multicast_querier")).as_deref() == Some("1"),
                name,
            })
        })
        .collect()
}

/// A container on a bridge network: a runtime's marker file, and the
/// default route leaves by a veth whose other end is in another namespace
/// (`iflink` differs from `ifindex`). With `--network host` the default
/// route leaves by the host's own NIC, and multicast works.
fn container(ifaces: &[Interface]) -> Option<String> {
    let marker = ["/.dockerenv", "/run/.containerenv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dev = ifaces.iter().find(|i| i.default_v4 || i.default_v6)?;
    let link = read_sysctl(&format!("/sys/class/net/{}/iflink", dev.name))?;
    (link != dev.index.to_string()).then(|| {
        format!(
            "{marker} exists and the default route leaves by {}, a veth",
            crate::term::escape(&dev.name)
        )
    })
}

fn mc_forwarding(ifaces: &[Interface], family: Family) -> Vec<String> {
    let dir = if family == Family::V4 { "ipv4" } else { "ipv6" };
    ifaces
        .iter()
        .filter(|i| {
            read_sysctl(&format!(
                "/proc/sys/net/{dir}/conf/{}/mc_forwarding",
                i.name
            ))
            .as_deref()
                == Some("1")
        })
        .map(|i| crate::term::escape(&i.name))
        .collect()
}

/// The input and prerouting drop rules, as root; why not otherwise.
fn firewall() -> std::result::Result<Vec<parse::DropRule>, String> {
    match std::process::Command::new("nft")
        .args(["-a", "list", "ruleset"])
        .output()
    {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err("nft is not installed".into()),
        Err(e) => Err(format!("cannot run nft: {e}")),
        Ok(o) if o.status.success() => {
            Ok(parse::nft_input_drops(&String::from_utf8_lossy(&o.stdout)))
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let line = err.lines().next().unwrap_or("failed").trim().to_string();
            if line.contains("Operation not permitted") {
                Err("listing nftables rules needs CAP_NET_ADMIN".into())
            } else {
                Err(format!("nft list ruleset: {line}"))
            }
        }
    }
}

fn inode(s: &socket2::Socket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    std::fs::metadata(format!("/proc/self/fd/{}", s.as_raw_fd()))
        .ok()
        .map(|m| m.ino())
}

/// Examines the host for `cfg`: gathers, listens, diagnoses.
pub fn examine(cfg: &Config, stop: &Stop) -> Result<Report> {
    examine_with(cfg, stop, &mut || Ok(()), &mut |_, _, _| {})
}

/// [`examine`] with two hooks for the two-ended mode: `ready` runs once
/// the memberships are in place, just before the window starts (to ask the
/// peer for probes only when they can be heard), and `seen` gets every
/// datagram of the group the doctor reads (metadata, arrival interface,
/// payload).
pub fn examine_with(
    cfg: &Config,
    stop: &Stop,
    ready: &mut dyn FnMut() -> Result<()>,
    seen: &mut dyn FnMut(&Meta, u32, &[u8]),
) -> Result<Report> {
    let family = Family::of(&cfg.group);
    let ifaces = iface::sys::list()?;
    let wanted = match &cfg.iface {
        Some(spec) => Some(iface::resolve(spec, &ifaces)?.index),
        None => None,
    };
    let group_route =
        crate::route::get(cfg.group, None, None).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO));

    // Join on every interface that can receive (and the named one, whatever
    // its state): where the traffic really arrives is the question.
    let mut sockets: Vec<GroupSocket> = Vec::new();
    let mut joins = Vec::new();
    let mut granted = RCVBUF;
    for i in ifaces
        .iter()
        .filter(|i| (i.is_multicast_capable() && !i.flags.loopback()) || Some(i.index) == wanted)
    {
        let plan = GroupPlan {
            group: cfg.group,
            port: cfg.port,
            memberships: vec![Membership {
                group: cfg.group,
                iface: IfRef::from(i),
                // Any-source, like the programs being diagnosed (ATAK, most
                // receivers); --source only feeds the checks.
                source: None,
            }],
        };
        match sock::open_group_receiver(&plan, RCVBUF, sock::Extras::default()) {
            Ok(s) => {
                granted = granted.min(s.rcvbuf);
                joins.push(Join {
                    index: i.index,
                    name: i.name.clone(),
                    result: Ok(()),
                });
                sockets.push(s);
            }
            Err(e) => {
                let n = errno(&e);
                // Bind failures are the doctor's own problem, not a finding.
                if format!("{e:#}").starts_with("bind ") {
                    return Err(e);
                }
                joins.push(Join {
                    index: i.index,
                    name: i.name.clone(),
                    result: Err(n),
                });
            }
        }
    }
    let own: Vec<u64> = sockets.iter().filter_map(|s| inode(&s.sock)).collect();

    let tap = wire::tap(cfg.group, cfg.port);
    let igmp = if family == Family::V4 {
        Some(wire::query_listener())
    } else {
        None
    };
    let mld_before: Vec<(u32, Option<u64>)> = ifaces
        .iter()
        .map(|i| (i.index, mld_queries(&i.name)))
        .collect();
    let before = snapshot(family);
    let sockets_before = port_sockets(family, cfg.port, &own);

    ready()?;
    // The window.
    let start = Instant::now();
    let deadline = start + cfg.window;
    let mut delivered: HashMap<u32, Arrivals> = HashMap::new();
    let mut wire_seen: HashMap<u32, Arrivals> = HashMap::new();
    let mut heard: HashMap<u32, (u64, Option<IpAddr>, u8)> = HashMap::new();
    let mut first = None;
    let mut last = None;
    let mut read = 0u64;
    let mut batch = RecvBatch::new(32, 2048);
    let mut buf = vec![0u8; 2048];
    let note = |map: &mut HashMap<u32, Arrivals>, index: u32, src: IpAddr, ttl: Option<u8>| {
        let a = map.entry(index).or_insert_with(|| Arrivals {
            index,
            ..Arrivals::default()
        });
        a.count += 1;
        if a.sources.len() < SOURCES && !a.sources.contains(&src) {
            a.sources.push(src);
        }
        a.min_ttl = match (a.min_ttl, ttl) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
    };
    while Instant::now() < deadline && !stop.requested() {
        let mut fds: Vec<PollFd> = sockets
            .iter()
            .map(|s| PollFd::new(s.sock.as_fd(), PollFlags::POLLIN))
            .collect();
        if let Ok(t) = &tap {
            fds.push(PollFd::new(t.fd().as_fd(), PollFlags::POLLIN));
        }
        if let Some(Ok(q)) = &igmp {
            fds.push(PollFd::new(q.fd().as_fd(), PollFlags::POLLIN));
        }
        if poll::wait(&mut fds, poll::left(Some(deadline)), stop)? != poll::Woke::Ready {
            continue;
        }
        drop(fds);
        for s in &sockets {
            s.drain(&mut batch, |m, ifindex, payload| {
                read += 1;
                let t = start.elapsed();
                first.get_or_insert(t);
                last = Some(t);
                note(&mut delivered, ifindex, m.src.ip(), m.ttl);
                seen(m, ifindex, payload);
            })
            .context("recvmmsg on the doctor's socket")?;
        }
        if let Ok(t) = &tap {
            while let Some((index, h)) = t.next(&mut buf)? {
                note(&mut wire_seen, index, h.src, Some(h.ttl));
            }
        }
        if let Some(Ok(q)) = &igmp {
            while let Some((index, query)) = q.next(&mut buf)? {
                let e = heard.entry(index).or_insert((0, None, 0));
                e.0 += 1;
                e.1 = Some(IpAddr::V4(query.from));
                e.2 = query.version;
            }
        }
    }
    let window = start.elapsed();
    let after = snapshot(family);
    let sockets_after = port_sockets(family, cfg.port, &own);

    // The reverse-path check needs the memberships still held: the input
    // route for a group exists only on interfaces that joined it.
    let target = wanted.or_else(|| group_route.as_ref().ok().and_then(|r| r.oif));
    let mut pairs: Vec<(IpAddr, u32)> = Vec::new();
    if let (Some(s), Some(t)) = (cfg.source, target) {
        pairs.push((s, t));
    }
    for a in wire_seen.values() {
        for s in &a.sources {
            pairs.push((*s, a.index));
        }
    }
    pairs.sort();
    pairs.dedup();
    let input_checks = if family == Family::V4 {
        pairs
            .into_iter()
            .map(|(source, index)| InputCheck {
                source,
                index,
                result: crate::route::get(cfg.group, Some(source), Some(index))
                    .map(|_| ())
                    .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO)),
                back: crate::route::get(source, None, None)
                    .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO)),
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(sockets);

    let queries = match (family, &igmp) {
        (Family::V4, Some(Ok(_))) => Queries::Heard(
            heard
                .into_iter()
                .map(|(i, (n, from, v))| (i, n, from, v))
                .collect(),
        ),
        (Family::V4, Some(Err(e))) => Queries::NotHeard {
            why: format!("hearing IGMP queries needs a raw socket (CAP_NET_RAW): {e}"),
            needs_root: matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)),
        },
        _ => Queries::Heard(
            mld_before
                .iter()
                .filter_map(|(index, b)| {
                    let name = &ifaces.iter().find(|i| i.index == *index)?.name;
                    let n = mld_queries(name)?.saturating_sub((*b)?);
                    Some((*index, n, None, 0))
                })
                .collect(),
        ),
    };
    let wire = tap
        .as_ref()
        .ok()
        .map(|_| wire_seen.into_values().collect::<Vec<_>>());

    let inodes: Vec<u64> = sockets_after.keys().copied().collect();
    let who = owners(&inodes);
    let port_sockets = sockets_after
        .values()
        .map(|s| PortSocket {
            addr: s.addr,
            drops: s
                .drops
                .saturating_sub(sockets_before.get(&s.inode).map_or(s.drops, |b| b.drops)),
            owner: who.get(&s.inode).cloned(),
        })
        .collect();
    let limits = sock::socket_limits(family);
    let facts = Facts {
        group: cfg.group,
        port: cfg.port,
        source: cfg.source,
        wanted,
        ifaces: ifaces.iter().map(|i| if_facts(i, family)).collect(),
        group_route,
        joins,
        limits: (limits.groups, limits.sources),
        input_checks,
        rmem_max: read_sysctl("/proc/sys/net/core/rmem_max").and_then(|v| v.parse().ok()),
        rcvbuf: (RCVBUF, granted),
        port_sockets,
        mc_forwarding: mc_forwarding(&ifaces, family),
        container: container(&ifaces),
        bridges: bridges(),
        firewall: firewall(),
    };
    let obs = Observation {
        window,
        query_interval: cfg.query_interval,
        delivered: delivered.into_values().collect(),
        first,
        last,
        wire,
        ladder: Ladder::read(&before, &after, read),
        rcvbuf_errors: after
            .udp_rcvbuf_errors
            .unwrap_or(0)
            .saturating_sub(before.udp_rcvbuf_errors.unwrap_or(0)),
        queries,
    };
    let on = match target.and_then(|t| ifaces.iter().find(|i| i.index == t)) {
        Some(i) => format!(" on {}", IfRef::from(i)),
        None => String::new(),
    };
    let ep = std::net::SocketAddr::new(cfg.group, cfg.port);
    let src = cfg.source.map(|s| format!(" from {s}")).unwrap_or_default();
    Ok(crate::doctor::diagnose::diagnose(
        &facts,
        &obs,
        format!("{ep}{on}{src}"),
    ))
}
