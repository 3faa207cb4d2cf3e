//! From what was gathered to the checks, in the order of the receive path
//! (pure: every input is in [`Facts`] and [`Observation`]).
//!
//! The order is the packet's: the interface it must arrive on, the route a
//! join without an interface takes, the joins themselves, the querier that
//! keeps a snooping switch forwarding, the TTL it needs to get here, the
//! interface it actually arrives on, the reverse-path filter, the firewall,
//! the sockets on the port, their buffers, and host-wide oddities. The
//! verdict is the first problem with direct evidence, else the first.

use std::net::IpAddr;
use std::time::Duration;

use crate::doctor::counters::Ladder;
use crate::doctor::parse::DropRule;
use crate::doctor::report::{Check, Evidence, Report};
use crate::route::Route;

/// One interface as the doctor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfFacts {
    /// Index.
    pub index: u32,
    /// Name.
    pub name: String,
    /// IFF_UP.
    pub up: bool,
    /// IFF_RUNNING (carrier).
    pub running: bool,
    /// IFF_MULTICAST.
    pub multicast: bool,
    /// IFF_LOOPBACK.
    pub loopback: bool,
    /// Its addresses.
    pub addrs: Vec<IpAddr>,
    /// Effective `rp_filter` (max of `all` and the interface; IPv4).
    pub rp_filter: Option<u8>,
    /// `accept_local` on the interface (IPv4).
    pub accept_local: Option<bool>,
    /// Effective `force_igmp_version` (0: not forced).
    pub force_igmp: Option<u8>,
}

/// A socket of the host bound to the port under examination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSocket {
    /// Its bound address.
    pub addr: IpAddr,
    /// Datagrams the kernel dropped for it during the window.
    pub drops: u64,
    /// `program (pid N)` when it could be found.
    pub owner: Option<String>,
}

/// A Linux bridge on this host that snoops IGMP/MLD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnoopingBridge {
    /// The bridge.
    pub name: String,
    /// Whether it runs its own querier.
    pub querier: bool,
}

/// What a join on one interface gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    /// The interface.
    pub index: u32,
    /// Its name.
    pub name: String,
    /// `Err(errno)` when the join failed.
    pub result: Result<(), i32>,
}

/// The reverse-path (input route) check for one source on one interface:
/// the kernel's lookup of (group, from source, arriving on the interface).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputCheck {
    /// The source.
    pub source: IpAddr,
    /// The arrival interface.
    pub index: u32,
    /// `Err(errno)` when the kernel would drop it.
    pub result: Result<(), i32>,
    /// The route back to the source (`ip route get S`).
    pub back: Result<Route, i32>,
}

/// What the host is, gathered before and after the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The group.
    pub group: IpAddr,
    /// The port.
    pub port: u16,
    /// `--source`, when given.
    pub source: Option<IpAddr>,
    /// The interface the user named (by index), if any.
    pub wanted: Option<u32>,
    /// Every interface.
    pub ifaces: Vec<IfFacts>,
    /// The kernel's route for the group (`Err(errno)`: none).
    pub group_route: Result<Route, i32>,
    /// The joins the doctor made, one per interface.
    pub joins: Vec<Join>,
    /// The per-socket limits (groups, sources).
    pub limits: (usize, usize),
    /// Input-route checks, for every source known (given or seen).
    pub input_checks: Vec<InputCheck>,
    /// `net.core.rmem_max`.
    pub rmem_max: Option<u64>,
    /// The receive buffer the doctor asked for and what it got.
    pub rcvbuf: (usize, usize),
    /// Other sockets on the port.
    pub port_sockets: Vec<PortSocket>,
    /// Interfaces with `mc_forwarding` set (a multicast router holds them).
    pub mc_forwarding: Vec<String>,
    /// Why this looks like a container on a bridge network, if it does.
    pub container: Option<String>,
    /// Snooping bridges on this host.
    pub bridges: Vec<SnoopingBridge>,
    /// Input/prerouting drop rules (root), or why they could not be read.
    pub firewall: Result<Vec<DropRule>, String>,
}

/// Datagrams of the group and port seen on one interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrivals {
    /// The interface.
    pub index: u32,
    /// How many.
    pub count: u64,
    /// The first few sources.
    pub sources: Vec<IpAddr>,
    /// Smallest TTL / hop limit on arrival.
    pub min_ttl: Option<u8>,
}

/// What the querier check heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queries {
    /// Could not listen, and why (`needs_root`: root could).
    NotHeard {
        /// Why.
        why: String,
        /// Root could have listened.
        needs_root: bool,
    },
    /// Queries heard per interface index: (index, count, querier, version).
    Heard(Vec<(u32, u64, Option<IpAddr>, u8)>),
}

/// What happened during the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// How long the doctor listened.
    pub window: Duration,
    /// The query interval assumed (`--query-interval`).
    pub query_interval: Duration,
    /// Datagrams read by the doctor's sockets, per arrival interface.
    pub delivered: Vec<Arrivals>,
    /// Time from the start of the window to the first datagram read.
    pub first: Option<Duration>,
    /// ... and to the last.
    pub last: Option<Duration>,
    /// Datagrams seen by a packet socket (root), before any filter; `None`
    /// when no packet socket could be opened.
    pub wire: Option<Vec<Arrivals>>,
    /// The counter ladder.
    pub ladder: Ladder,
    /// `Udp: RcvbufErrors` delta (host-wide).
    pub rcvbuf_errors: u64,
    /// Queries heard.
    pub queries: Queries,
}

const ENOBUFS: i32 = libc::ENOBUFS;

fn errno_text(e: i32) -> String {
    std::io::Error::from_raw_os_error(e).to_string()
}

impl Facts {
    fn iface(&self, index: u32) -> Option<&IfFacts> {
        self.ifaces.iter().find(|i| i.index == index)
    }

    fn name(&self, index: u32) -> String {
        self.iface(index).map_or_else(
            || format!("index {index}"),
            |i| crate::term::escape(&i.name),
        )
    }

    /// The interface the traffic should arrive on: the named one, else
    /// the one the group's route (and so a join without interface) uses.
    pub fn target(&self) -> Option<u32> {
        self.wanted
            .or_else(|| self.group_route.as_ref().ok().and_then(|r| r.oif))
    }

    fn v4(&self) -> bool {
        self.group.is_ipv4()
    }

    fn is_local(&self, a: &IpAddr) -> bool {
        self.ifaces.iter().any(|i| i.addrs.contains(a))
    }
}

fn total(a: &[Arrivals]) -> u64 {
    a.iter().map(|x| x.count).sum()
}

fn on(a: &[Arrivals], index: u32) -> u64 {
    a.iter().filter(|x| x.index == index).map(|x| x.count).sum()
}

/// When traffic that was flowing stopped well before the window ended:
/// the silence at the end, if it is at least 2 s, ten mean gaps, and a
/// quarter of the window (so a slow sender or a short window is not it).
fn stopped(o: &Observation) -> Option<(Duration, Duration)> {
    let (first, last) = (o.first?, o.last?);
    let n = total(&o.delivered);
    if n < 5 {
        return None;
    }
    let mean = (last.saturating_sub(first)) / u32::try_from(n - 1).unwrap_or(u32::MAX);
    let silence = o.window.saturating_sub(last);
    (silence >= Duration::from_secs(2).max(mean * 10) && silence * 4 >= o.window)
        .then_some((last, silence))
}

fn secs(d: Duration) -> String {
    format!("{:.0} s", d.as_secs_f64())
}

/// Runs every check and returns the report.
pub fn diagnose(f: &Facts, o: &Observation, subject: String) -> Report {
    let target = f.target();
    let mut checks = vec![
        interface(f, o, target),
        route(f),
        membership(f),
        querier(f, o, target),
        ttl(f, o),
        arrival(f, o, target),
        reverse_path(f, o, target),
        firewall(f, o),
        sockets(f),
        buffer(f, o),
    ];
    checks.extend(host(f, o));
    checks.push(delivery(f, o, target));
    let mut r = Report {
        subject,
        window_s: o.window.as_secs_f64(),
        checks,
    };
    r.demote_explained();
    r
}

fn interface(f: &Facts, o: &Observation, target: Option<u32>) -> Check {
    const ID: &str = "interface";
    let Some(i) = target.and_then(|t| f.iface(t)) else {
        return Check::unknown(
            ID,
            "no interface to check: none named and the group has no route",
        );
    };
    let n = crate::term::escape(&i.name);
    if !i.up {
        return Check::problem(
            ID,
            "interface-down",
            format!("{n} is DOWN: a join on it succeeds but nothing is received"),
            format!("ip link set {n} up"),
            Evidence::Direct,
        );
    }
    if !i.multicast && !i.loopback {
        // Joins succeed regardless; whether the driver then filters the
        // group out (a NIC's hardware filter is never programmed; veth and
        // bridges deliver anyway) decides whether it is the cause.
        let arrived = on(&o.delivered, i.index) + o.wire.as_deref().map_or(0, |w| on(w, i.index));
        if arrived > 0 {
            return Check::note(
                ID,
                format!("{n} lacks the MULTICAST flag; this driver delivers the group anyway, most NICs do not"),
                Some(format!("ip link set {n} multicast on")),
            );
        }
        return Check::problem(
            ID,
            "no-multicast-flag",
            format!("{n} lacks the MULTICAST flag and nothing arrived on it: joins on it succeed silently, but the interface is not set up to receive multicast"),
            format!("ip link set {n} multicast on"),
            Evidence::Direct,
        );
    }
    if !i.running {
        return Check::problem(
            ID,
            "no-carrier",
            format!("{n} is UP but has no carrier (not RUNNING): nothing can arrive on it"),
            format!("check the cable or the link's other end: ip link show {n}"),
            Evidence::Direct,
        );
    }
    let fam = if f.v4() { "IPv4" } else { "IPv6" };
    let addr = i.addrs.iter().find(|a| a.is_ipv4() == f.v4());
    match addr {
        Some(a) => Check::ok(ID, format!("{n} is UP, RUNNING, MULTICAST, {fam} address {a}")),
        None => Check::note(
            ID,
            format!("{n} is UP, RUNNING, MULTICAST but has no {fam} address: joins work, but reports go out from 0.0.0.0 and many switches and routers ignore them"),
            Some(format!("ip addr add ADDR/PREFIX dev {n}")),
        ),
    }
}

fn route(f: &Facts) -> Check {
    const ID: &str = "route";
    match &f.group_route {
        Err(e) => {
            let dev = f.wanted.map_or_else(|| "IFACE".to_string(), |w| f.name(w));
            let net = if f.v4() {
                "224.0.0.0/4"
            } else {
                "multicast ff00::/8 table local"
            };
            Check::problem(
                ID,
                "no-route",
                format!(
                    "no route for {}: {}: programs that join or send without naming an interface fail (ENODEV / ENETUNREACH)",
                    f.group,
                    errno_text(*e)
                ),
                format!("ip route add {net} dev {dev} (or name the interface: GROUP:PORT@{dev})"),
                Evidence::Direct,
            )
        }
        Ok(r) => {
            let via = r
                .oif
                .map_or_else(|| "no interface".to_string(), |o| f.name(o));
            match (f.wanted, r.oif) {
                (Some(w), Some(o)) if w != o => Check::note(
                    ID,
                    format!(
                        "{} routes out of {via}, not {}: programs that join or send without naming an interface use {via}",
                        f.group,
                        f.name(w)
                    ),
                    Some(format!(
                        "name {} in those programs, or: ip route add {} dev {}",
                        f.name(w),
                        if f.v4() { "224.0.0.0/4" } else { "multicast ff00::/8 table local metric 1" },
                        f.name(w)
                    )),
                ),
                _ => Check::ok(
                    ID,
                    format!("{} routes out of {via} (a join without an interface lands there)", f.group),
                ),
            }
        }
    }
}

fn membership(f: &Facts) -> Check {
    const ID: &str = "membership";
    let (groups, sources) = f.limits;
    let limit_text = if f.v4() {
        format!("limits {groups} groups and {sources} sources per socket")
    } else {
        format!("limit {sources} sources per socket")
    };
    if let Some(j) = f.joins.iter().find(|j| j.result == Err(ENOBUFS)) {
        let (what, sysctl) = match (f.source.is_some(), f.v4()) {
            (true, true) => ("igmp_max_msf", "net.ipv4.igmp_max_msf=64"),
            (true, false) => ("mld_max_msf", "net.ipv6.mld_max_msf=128"),
            (false, _) => ("igmp_max_memberships", "net.ipv4.igmp_max_memberships=100"),
        };
        return Check::problem(
            ID,
            "membership-limit",
            format!(
                "join on {} failed: {} ({what} reached; {limit_text})",
                crate::term::escape(&j.name),
                errno_text(ENOBUFS)
            ),
            format!("sysctl -w {sysctl}, or spread the groups over more sockets"),
            Evidence::Direct,
        );
    }
    let target = f.target();
    if let Some(j) = f
        .joins
        .iter()
        .find(|j| j.result.is_err() && Some(j.index) == target)
    {
        let e = j.result.err().unwrap_or(0);
        return Check::problem(
            ID,
            "join-failed",
            format!(
                "join on {} failed: {}",
                crate::term::escape(&j.name),
                errno_text(e)
            ),
            "see the error; `mcast join GROUP@IFACE -v` shows the same join".to_string(),
            Evidence::Direct,
        );
    }
    let ok: Vec<String> = f
        .joins
        .iter()
        .filter(|j| j.result.is_ok())
        .map(|j| crate::term::escape(&j.name))
        .collect();
    if ok.is_empty() {
        return Check::unknown(ID, "no interface to join on (none is UP with MULTICAST)");
    }
    Check::ok(ID, format!("joined on {} ({limit_text})", ok.join(", ")))
}

fn querier(f: &Facts, o: &Observation, target: Option<u32>) -> Check {
    const ID: &str = "querier";
    let proto = if f.v4() { "IGMP" } else { "MLD" };
    let local_bridge = target.and_then(|t| {
        let name = &f.iface(t)?.name;
        f.bridges.iter().find(|b| &b.name == name && !b.querier)
    });
    let heard_here = match &o.queries {
        Queries::Heard(list) => target.is_some_and(|t| list.iter().any(|q| q.0 == t && q.1 > 0)),
        Queries::NotHeard { .. } => false,
    };
    if let (Some((last, silence)), false) = (stopped(o), heard_here) {
        let unheard = match &o.queries {
            Queries::Heard(_) => "no query was heard".to_string(),
            Queries::NotHeard { .. } => "queries could not be listened for".to_string(),
        };
        return Check::problem(
            ID,
            "no-querier",
            format!(
                "traffic arrived for {}, then stopped for the last {}, and {unheard}: a snooping switch without a querier drops the membership (about 260 s after the last report), or the sender stopped",
                secs(last),
                secs(silence)
            ),
            "enable an IGMP/MLD querier on the switch or router (Linux bridge: ip link set BRIDGE type bridge mcast_querier 1)".to_string(),
            Evidence::Indirect,
        );
    }
    match &o.queries {
        Queries::NotHeard { why, needs_root } => {
            let c = Check::unknown(ID, why.clone());
            if *needs_root {
                c.root_only()
            } else {
                c
            }
        }
        Queries::Heard(list) => {
            let here = target.and_then(|t| list.iter().find(|q| q.0 == t && q.1 > 0));
            if let Some(&(index, _, from, version)) = here {
                let from = from.map(|a| format!(" from {a}")).unwrap_or_default();
                let v = if version > 0 {
                    format!("v{version} ")
                } else {
                    String::new()
                };
                return Check::ok(
                    ID,
                    format!("{proto}{v} query heard on {}{from}", f.name(index)),
                );
            }
            if let Some(b) = local_bridge {
                let n = crate::term::escape(&b.name);
                return Check::problem(
                    ID,
                    "no-querier",
                    format!("bridge {n} snoops {proto} but runs no querier, and none was heard in {}: its ports stop forwarding the group about 260 s after the last report", secs(o.window)),
                    format!("ip link set {n} type bridge mcast_querier 1"),
                    Evidence::Direct,
                );
            }
            if o.window < o.query_interval {
                return Check::unknown(
                    ID,
                    format!(
                        "no {proto} query heard in {}; queriers send one every {} (rerun with --duration {})",
                        secs(o.window),
                        secs(o.query_interval),
                        secs(o.query_interval + Duration::from_secs(5)).replace(' ', "")
                    ),
                );
            }
            let on = target.map_or_else(|| "any interface".into(), |t| f.name(t));
            Check::problem(
                ID,
                "no-querier",
                format!("no {proto} query heard on {on} in {} (one query interval): a snooping switch on this LAN stops forwarding the group about 260 s after the last report", secs(o.window)),
                "enable an IGMP/MLD querier on the switch or router (Linux bridge: ip link set BRIDGE type bridge mcast_querier 1)".to_string(),
                Evidence::Indirect,
            )
        }
    }
}

fn ttl(f: &Facts, o: &Observation) -> Check {
    const ID: &str = "ttl";
    let delivered = total(&o.delivered);
    let wire = o.wire.as_deref().map_or(0, total);
    let min = o
        .delivered
        .iter()
        .chain(o.wire.iter().flatten())
        .filter_map(|a| a.min_ttl)
        .min();
    let back = f
        .source
        .and_then(|s| f.input_checks.iter().find(|c| c.source == s))
        .and_then(|c| c.back.as_ref().ok());
    if delivered + wire > 0 {
        return match min {
            Some(1) if back.is_some_and(|r| r.gateway.is_some()) => Check::note(
                ID,
                "datagrams arrive with TTL 1 from an off-link source: no hop to spare",
                Some("raise the sender's TTL (mcast send --ttl 8)".into()),
            ),
            Some(t) => Check::ok(ID, format!("smallest arrival TTL {t}")),
            None => Check::ok(ID, "datagrams arrive"),
        };
    }
    let Some(s) = f.source else {
        return Check::unknown(
            ID,
            "nothing arrived and no --source given: cannot tell how far away the sender is",
        );
    };
    match back {
        Some(r) if r.gateway.is_some() => Check::problem(
            ID,
            "ttl",
            format!(
                "nothing arrived from {s}, which is behind the gateway {}: multicast sent with TTL 1 (the default) dies at the first router",
                r.gateway.map(|g| g.to_string()).unwrap_or_default()
            ),
            "send with a TTL of at least hops + 1 (mcast send --ttl 8); measure the hops with `mcast doctor --peer` against `mcast doctor --respond` on the sender",
            Evidence::Indirect,
        ),
        Some(_) => Check::ok(ID, format!("{s} is on a connected network: TTL 1 suffices")),
        None => Check::unknown(ID, format!("no route back to {s}: cannot tell how far away it is")),
    }
}

fn arrival(f: &Facts, o: &Observation, target: Option<u32>) -> Check {
    const ID: &str = "arrival";
    let Some(t) = target else {
        return Check::unknown(
            ID,
            "no interface expected: none named and the group has no route",
        );
    };
    let seen: Vec<&Arrivals> = o
        .delivered
        .iter()
        .chain(o.wire.iter().flatten())
        .filter(|a| a.count > 0)
        .collect();
    if seen.is_empty() {
        let c = Check::unknown(ID, "nothing arrived on any interface");
        return if o.wire.is_none() {
            Check::unknown(ID, "nothing arrived at a socket (as root, a packet socket also sees what the filters drop)").root_only()
        } else {
            c
        };
    }
    if seen.iter().any(|a| a.index == t) {
        return Check::ok(ID, format!("traffic arrives on {}", f.name(t)));
    }
    let other = seen[0];
    let from = other
        .sources
        .first()
        .map(|s| format!(" from {s}"))
        .unwrap_or_default();
    let g = f.group;
    let ep = if g.is_ipv4() {
        format!("{g}:{}@{}", f.port, f.name(other.index))
    } else {
        format!("[{g}]:{}@{}", f.port, f.name(other.index))
    };
    Check::problem(
        ID,
        "wrong-interface",
        format!(
            "traffic arrives on {}{from}, not on {}",
            f.name(other.index),
            f.name(t)
        ),
        format!("join on {}: {ep}", f.name(other.index)),
        Evidence::Direct,
    )
}

fn reverse_path(f: &Facts, o: &Observation, target: Option<u32>) -> Check {
    const ID: &str = "reverse-path";
    if !f.v4() {
        return Check::ok(ID, "IPv6 has no reverse-path filter sysctl (firewalld's IPv6_rpfilter shows up as a firewall drop)");
    }
    for c in &f.input_checks {
        let Err(e) = c.result else { continue };
        // Without a membership on the interface the input route fails too;
        // the membership check names that.
        if f.joins
            .iter()
            .any(|j| j.index == c.index && j.result.is_err())
        {
            continue;
        }
        let dev = f.name(c.index);
        let iface = f.iface(c.index);
        let rp = iface.and_then(|i| i.rp_filter).unwrap_or(0);
        if f.is_local(&c.source) && iface.and_then(|i| i.accept_local) != Some(true) {
            return Check::problem(
                ID,
                "accept-local",
                format!(
                    "{} is an address of this host arriving on {dev}: two interfaces of this host share a wire, and the kernel drops packets from its own addresses",
                    c.source
                ),
                format!("sysctl -w net.ipv4.conf.{dev}.accept_local=1 (and loose rp_filter: net.ipv4.conf.{dev}.rp_filter=2)"),
                Evidence::Direct,
            );
        }
        let back = match &c.back {
            Ok(r) => r.oif.map_or_else(|| "nowhere".to_string(), |o| f.name(o)),
            Err(_) => "nowhere (no route)".to_string(),
        };
        let fix_loose = format!(
            "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.{dev}.rp_filter=2 (loose), or route {} via {dev}",
            c.source
        );
        if rp == 0 {
            return Check::problem(
                ID,
                "input-route",
                format!(
                    "the kernel's input route check for {} from {} on {dev} fails ({}) with rp_filter off: a martian source, or a route type that refuses it",
                    f.group,
                    c.source,
                    errno_text(e)
                ),
                format!("see `ip route get {} from {} iif {dev}`", f.group, c.source),
                Evidence::Direct,
            );
        }
        let summary = match rp {
            1 => format!(
                "strict reverse-path filter (rp_filter 1 on {dev}) drops {}: the route back to it leaves by {back}",
                c.source
            ),
            2 => format!(
                "loose reverse-path filter (rp_filter 2 on {dev}) drops {}: there is no route back to it",
                c.source
            ),
            _ => format!(
                "reverse-path filter (rp_filter {rp} on {dev}) drops {}: {}",
                c.source,
                errno_text(e)
            ),
        };
        let fix = match rp {
            2 => format!(
                "ip route add {} via GATEWAY dev {dev}, or a default route",
                c.source
            ),
            _ => fix_loose,
        };
        return Check::problem(ID, "rp-filter", summary, fix, Evidence::Direct);
    }
    let rp = target.and_then(|t| f.iface(t)).and_then(|i| i.rp_filter);
    if let Ladder::ReversePathFilter { drops } = o.ladder {
        let dev = target.map_or_else(|| "IFACE".into(), |t| f.name(t));
        return Check::problem(
            ID,
            "rp-filter",
            format!(
                "the reverse-path filter dropped {drops} packets during the window (TcpExt IPReversePathFilter; rp_filter {} on {dev}); give --source for the exact check",
                rp.map_or("?".to_string(), |v| v.to_string())
            ),
            format!("sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.{dev}.rp_filter=2"),
            Evidence::Indirect,
        );
    }
    if let Some(c) = f.input_checks.first() {
        return Check::ok(
            ID,
            format!(
                "{} passes the input route check on {} (rp_filter {})",
                c.source,
                f.name(c.index),
                rp.unwrap_or(0)
            ),
        );
    }
    match rp {
        Some(0) | None => Check::ok(ID, "rp_filter is off"),
        Some(v) => Check::unknown(
            ID,
            format!(
                "rp_filter is {v} but no source is known: give --source to check the route back"
            ),
        ),
    }
}

fn firewall(f: &Facts, o: &Observation) -> Check {
    const ID: &str = "firewall";
    let wire_here = o.wire.as_deref().map_or(0, total);
    let dropped = matches!(o.ladder, Ladder::DroppedBeforeUdp)
        || (wire_here > 0
            && total(&o.delivered) == 0
            && f.input_checks.iter().all(|c| c.result.is_ok())
            && !matches!(
                o.ladder,
                Ladder::ReversePathFilter { .. } | Ladder::NotAccepted
            ));
    let rules = match &f.firewall {
        Ok(r) if !r.is_empty() => Some(
            r.iter()
                .map(|d| format!("{}: {}", d.chain, d.rule))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => None,
    };
    let (p, g) = (f.port, f.group);
    let fix = if g.is_ipv4() {
        format!("nft insert rule inet filter input ip daddr {g} udp dport {p} accept (and ip protocol igmp accept); ufw: ufw allow proto udp to {g} port {p}")
    } else {
        format!("nft insert rule inet filter input ip6 daddr {g} udp dport {p} accept")
    };
    if dropped {
        let evidence = if wire_here > 0 {
            "a packet socket saw them arrive"
        } else {
            "IpExt InMcastPkts rose, UDP saw nothing"
        };
        let summary = match &rules {
            Some(r) => format!("a firewall drops the datagrams after routing ({evidence}); input drop rules: {r}"),
            None => format!("the datagrams are dropped between IP and UDP, i.e. by the netfilter INPUT hook ({evidence})"),
        };
        let ev = if rules.is_some() || wire_here > 0 {
            Evidence::Direct
        } else {
            Evidence::Indirect
        };
        return Check::problem(ID, "firewall", summary, fix, ev);
    }
    let rules_unknown = match &f.firewall {
        Err(why) => Some(why.clone()),
        _ => None,
    };
    if total(&o.delivered) > 0 {
        return Check::ok(ID, "datagrams reach the socket: not filtered");
    }
    match rules_unknown {
        Some(why) => {
            Check::unknown(ID, format!("nothing to judge by; rules not read: {why}")).root_only()
        }
        None => match rules {
            Some(r) => Check::note(
                ID,
                format!("nothing arrived to judge by; input drop rules exist: {r}"),
                None,
            ),
            None => Check::ok(ID, "no input drop rules"),
        },
    }
}

fn sockets(f: &Facts) -> Check {
    const ID: &str = "socket";
    let bad: Vec<&PortSocket> = f
        .port_sockets
        .iter()
        .filter(|s| crate::doctor::parse::unicast_bound(&s.addr))
        .collect();
    if let Some(s) = bad.first() {
        let owner = s
            .owner
            .as_ref()
            .map(|o| format!(" ({})", crate::term::escape(o)))
            .unwrap_or_default();
        let any = if f.v4() { "0.0.0.0" } else { "[::]" };
        return Check::problem(
            ID,
            "unicast-bound-socket",
            format!(
                "a socket{owner} is bound to {}, a unicast address, on port {}: Linux never delivers multicast to it",
                std::net::SocketAddr::new(s.addr, f.port),
                f.port
            ),
            format!("bind the program to {any}:{} or to the group ({}:{})", f.port, f.group, f.port),
            Evidence::Direct,
        );
    }
    match f.port_sockets.len() {
        0 => Check::ok(ID, format!("no other program listens on port {}", f.port)),
        n => Check::ok(
            ID,
            format!(
                "{n} other socket(s) on port {} bound to the wildcard or the group",
                f.port
            ),
        ),
    }
}

fn buffer(f: &Facts, o: &Observation) -> Check {
    const ID: &str = "receive-buffer";
    let rmem = f
        .rmem_max
        .map(|r| format!(" (net.core.rmem_max is {r})"))
        .unwrap_or_default();
    if let Some(s) = f.port_sockets.iter().find(|s| s.drops > 0) {
        let owner = s
            .owner
            .as_ref()
            .map(|o| format!(" of {}", crate::term::escape(o)))
            .unwrap_or_default();
        return Check::problem(
            ID,
            "receive-buffer",
            format!(
                "the socket{owner} on {} dropped {} datagrams during the window: its receive buffer was full{rmem}",
                std::net::SocketAddr::new(s.addr, f.port),
                s.drops
            ),
            "raise the program's SO_RCVBUF (mcast listen --rcvbuf 8M) and the cap: sysctl -w net.core.rmem_max=8388608",
            Evidence::Direct,
        );
    }
    if o.rcvbuf_errors > 0 {
        return Check::problem(
            ID,
            "receive-buffer",
            format!("{} datagrams were dropped on full receive buffers during the window (Udp RcvbufErrors, host-wide){rmem}", o.rcvbuf_errors),
            "raise the receiving program's SO_RCVBUF and the cap: sysctl -w net.core.rmem_max=8388608",
            Evidence::Indirect,
        );
    }
    let (want, got) = f.rcvbuf;
    if got < want {
        return Check::note(
            ID,
            format!(
                "receive buffers are capped at {got} bytes{rmem}: bursts beyond that are dropped"
            ),
            Some(format!("sysctl -w net.core.rmem_max={want}")),
        );
    }
    Check::ok(ID, format!("no receive-buffer drops{rmem}"))
}

fn host(f: &Facts, o: &Observation) -> Vec<Check> {
    const ID: &str = "host";
    let mut out = Vec::new();
    let nothing = total(&o.delivered) + o.wire.as_deref().map_or(0, total) == 0;
    if let Some(why) = &f.container {
        // A note, never the verdict: a network namespace on a veth looks
        // the same from inside, and the marker file is only a hint.
        let likely = if nothing {
            "; that would explain why nothing arrives"
        } else {
            ""
        };
        out.push(Check::note(
            ID,
            format!("this looks like a container on a bridge network ({why}): multicast from the LAN does not cross the host's bridge{likely}"),
            Some("run with --network host (or macvlan/ipvlan), or relay on the host: mcast bridge GROUP:PORT@eth0 GROUP:PORT@docker0".to_string()),
        ));
    }
    if !f.mc_forwarding.is_empty() {
        out.push(Check::note(
            ID,
            format!(
                "a multicast routing daemon (smcroute, pimd, igmpproxy...) holds this host's multicast routing table (mc_forwarding on {}): its routes and TTL thresholds apply",
                f.mc_forwarding.join(", ")
            ),
            None,
        ));
    }
    if let Some(i) = f.target().and_then(|t| f.iface(t)) {
        if let Some(forced @ 1..=3) = i.force_igmp {
            let n = crate::term::escape(&i.name);
            // A host forced above the querier's version sends reports an
            // older switch or router ignores (RFC 3376 section 7: only
            // the newer side falls back); forced below, it still works.
            let querier = match &o.queries {
                Queries::Heard(list) => list
                    .iter()
                    .filter(|q| q.0 == i.index && q.3 > 0)
                    .map(|q| q.3)
                    .min(),
                Queries::NotHeard { .. } => None,
            };
            out.push(match querier {
                Some(v) if v < forced => Check::problem(
                    ID,
                    "igmp-version",
                    format!("the querier on {n} speaks IGMPv{v}, but this host is forced to IGMPv{forced}: its reports are ignored"),
                    format!("sysctl -w net.ipv4.conf.{n}.force_igmp_version=0 (or ={v})"),
                    Evidence::Direct,
                ),
                _ => Check::note(
                    ID,
                    format!("IGMP is forced to version {forced} on {n}"),
                    Some(format!(
                        "if the switch or router speaks an older version: sysctl -w net.ipv4.conf.{n}.force_igmp_version=0"
                    )),
                ),
            });
        }
    }
    out
}

fn delivery(f: &Facts, o: &Observation, target: Option<u32>) -> Check {
    const ID: &str = "delivery";
    let n = total(&o.delivered);
    if n == 0 {
        let wire = o.wire.as_deref().map_or(0, total);
        let what = if wire > 0 {
            format!("{wire} datagrams reached the host but none reached a socket")
        } else {
            match o.ladder {
                Ladder::NotAccepted => {
                    "packets reached IP but were not accepted as multicast for this host"
                        .to_string()
                }
                _ => format!(
                    "nothing arrived for {}:{} in {}",
                    f.group,
                    f.port,
                    secs(o.window)
                ),
            }
        };
        return Check::problem(
            ID,
            "nothing-arrived",
            format!("{what}{}", crate::doctor::report::NO_CAUSE),
            "check that the sender runs and sends to this group and port; then the path: `mcast doctor GROUP:PORT --peer SENDER` with `mcast doctor --respond` on the sender".to_string(),
            Evidence::Indirect,
        );
    }
    let here = target.map_or(n, |t| on(&o.delivered, t));
    let first = o
        .first
        .map(|d| format!(", first after {:.2} s", d.as_secs_f64()))
        .unwrap_or_default();
    let srcs: Vec<String> = o
        .delivered
        .iter()
        .flat_map(|a| a.sources.iter().map(|s| s.to_string()))
        .take(3)
        .collect();
    Check::ok(
        ID,
        format!(
            "{n} datagram{} received ({here} on the expected interface) from {}{first}",
            if n == 1 { "" } else { "s" },
            srcs.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::report::Status;
    use crate::route::RouteKind;

    const A0: u32 = 2;
    const B0: u32 = 3;

    fn iface(index: u32, name: &str, addr: &str) -> IfFacts {
        IfFacts {
            index,
            name: name.into(),
            up: true,
            running: true,
            multicast: true,
            loopback: false,
            addrs: vec![addr.parse().unwrap()],
            rp_filter: Some(0),
            accept_local: Some(false),
            force_igmp: Some(0),
        }
    }

    fn route(oif: u32, gateway: Option<&str>) -> Route {
        Route {
            oif: Some(oif),
            gateway: gateway.map(|g| g.parse().unwrap()),
            prefsrc: None,
            kind: RouteKind::Unicast,
        }
    }

    fn healthy() -> (Facts, Observation) {
        let f = Facts {
            group: "239.1.2.3".parse().unwrap(),
            port: 5000,
            source: None,
            wanted: Some(A0),
            ifaces: vec![iface(A0, "a0", "10.77.0.2"), iface(B0, "b0", "10.78.0.2")],
            group_route: Ok(Route {
                kind: RouteKind::Multicast,
                ..route(A0, None)
            }),
            joins: vec![
                Join {
                    index: A0,
                    name: "a0".into(),
                    result: Ok(()),
                },
                Join {
                    index: B0,
                    name: "b0".into(),
                    result: Ok(()),
                },
            ],
            limits: (20, 10),
            input_checks: vec![],
            rmem_max: Some(4194304),
            rcvbuf: (4194304, 4194304),
            port_sockets: vec![],
            mc_forwarding: vec![],
            container: None,
            bridges: vec![],
            firewall: Ok(vec![]),
        };
        let o = Observation {
            window: Duration::from_secs(3),
            query_interval: Duration::from_secs(125),
            delivered: vec![Arrivals {
                index: A0,
                count: 20,
                sources: vec!["10.77.0.1".parse().unwrap()],
                min_ttl: Some(1),
            }],
            first: Some(Duration::from_millis(100)),
            last: Some(Duration::from_millis(2950)),
            wire: None,
            ladder: Ladder::Delivered,
            rcvbuf_errors: 0,
            queries: Queries::NotHeard {
                why: "needs root".into(),
                needs_root: true,
            },
        };
        (f, o)
    }

    fn nothing(o: &mut Observation, ladder: Ladder) {
        o.delivered.clear();
        o.first = None;
        o.last = None;
        o.ladder = ladder;
    }

    #[test]
    fn healthy_host_has_no_cause() {
        let (f, o) = healthy();
        let r = diagnose(&f, &o, "t".into());
        assert!(r.verdict().is_none(), "{}", r.to_text(false));
    }

    /// One row per injected fault: the change to the healthy host and the
    /// one cause the doctor must name.
    #[test]
    fn each_fault_names_its_cause_and_no_other() {
        type Fault = fn(&mut Facts, &mut Observation);
        let rows: &[(&str, Fault)] = &[
            ("interface-down", |f, o| {
                f.ifaces[0].up = false;
                nothing(o, Ladder::NothingArrived);
            }),
            ("no-multicast-flag", |f, o| {
                f.ifaces[0].multicast = false;
                nothing(o, Ladder::NothingArrived);
            }),
            ("no-route", |f, _| f.group_route = Err(libc::ENETUNREACH)),
            ("membership-limit", |f, o| {
                for j in &mut f.joins {
                    j.result = Err(libc::ENOBUFS);
                }
                nothing(o, Ladder::NotAccepted);
            }),
            ("wrong-interface", |_, o| o.delivered[0].index = B0),
            ("rp-filter", |f, o| {
                let s: IpAddr = "10.99.0.1".parse().unwrap();
                f.ifaces[0].rp_filter = Some(1);
                f.source = Some(s);
                f.input_checks = vec![InputCheck {
                    source: s,
                    index: A0,
                    result: Err(libc::EINVAL),
                    back: Ok(route(B0, Some("10.78.0.1"))),
                }];
                nothing(o, Ladder::ReversePathFilter { drops: 20 });
            }),
            ("rp-filter", |f, o| {
                f.ifaces[0].rp_filter = Some(1);
                nothing(o, Ladder::ReversePathFilter { drops: 20 });
            }),
            ("accept-local", |f, o| {
                let s: IpAddr = "10.78.0.2".parse().unwrap();
                f.source = Some(s);
                f.input_checks = vec![InputCheck {
                    source: s,
                    index: A0,
                    result: Err(libc::EINVAL),
                    back: Ok(Route {
                        kind: RouteKind::Local,
                        ..route(1, None)
                    }),
                }];
                nothing(o, Ladder::NotAccepted);
            }),
            ("firewall", |_, o| nothing(o, Ladder::DroppedBeforeUdp)),
            ("ttl", |f, o| {
                let s: IpAddr = "10.99.0.1".parse().unwrap();
                f.source = Some(s);
                f.input_checks = vec![InputCheck {
                    source: s,
                    index: A0,
                    result: Ok(()),
                    back: Ok(route(A0, Some("10.77.0.1"))),
                }];
                nothing(o, Ladder::NothingArrived);
            }),
            ("unicast-bound-socket", |f, _| {
                f.port_sockets = vec![PortSocket {
                    addr: "10.77.0.2".parse().unwrap(),
                    drops: 0,
                    owner: Some("python3 (pid 7)".into()),
                }];
            }),
            ("receive-buffer", |f, o| {
                f.port_sockets = vec![PortSocket {
                    addr: "0.0.0.0".parse().unwrap(),
                    drops: 37,
                    owner: None,
                }];
                o.rcvbuf_errors = 37;
            }),
            ("no-querier", |_, o| {
                o.window = Duration::from_secs(130);
                o.queries = Queries::Heard(vec![]);
            }),
            ("no-querier", |_, o| {
                // Flowing for 1 s of a 5 s window, then silence.
                o.window = Duration::from_secs(5);
                o.last = Some(Duration::from_secs(1));
                o.queries = Queries::Heard(vec![]);
            }),
            ("no-querier", |f, o| {
                f.bridges = vec![SnoopingBridge {
                    name: "a0".into(),
                    querier: false,
                }];
                o.queries = Queries::Heard(vec![]);
            }),
            ("nothing-arrived", |_, o| nothing(o, Ladder::NothingArrived)),
            ("nothing-arrived", |f, o| {
                f.container = Some("/.dockerenv".into());
                nothing(o, Ladder::NothingArrived);
            }),
        ];
        for (want, inject) in rows {
            let (mut f, mut o) = healthy();
            inject(&mut f, &mut o);
            let r = diagnose(&f, &o, "t".into());
            assert_eq!(r.causes(), vec![*want], "{}", r.to_text(false));
            assert!(r.verdict().and_then(|v| v.fix.as_ref()).is_some());
        }
    }

    #[test]
    fn short_window_cannot_tell_about_the_querier() {
        let (f, mut o) = healthy();
        o.queries = Queries::Heard(vec![]);
        let r = diagnose(&f, &o, "t".into());
        let q = r.checks.iter().find(|c| c.id == "querier").unwrap();
        assert_eq!(q.status, Status::Unknown);
        assert!(q.summary.contains("--duration 130s"), "{}", q.summary);
        o.queries = Queries::Heard(vec![(A0, 2, Some("10.77.0.9".parse().unwrap()), 3)]);
        let r = diagnose(&f, &o, "t".into());
        let q = r.checks.iter().find(|c| c.id == "querier").unwrap();
        assert_eq!(q.status, Status::Ok, "{}", q.summary);
    }

    #[test]
    fn route_elsewhere_is_a_note_not_a_cause() {
        let (mut f, o) = healthy();
        f.group_route = Ok(route(B0, None));
        let r = diagnose(&f, &o, "t".into());
        assert!(r.verdict().is_none());
        let c = r.checks.iter().find(|c| c.id == "route").unwrap();
        assert_eq!(c.status, Status::Note);
        assert!(
            c.summary.contains("routes out of b0, not a0"),
            "{}",
            c.summary
        );
    }
}
