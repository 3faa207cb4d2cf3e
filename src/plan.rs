//! From parsed endpoints to a plan of sockets: the one step between the
//! grammar and the sockets that every command takes.
//!
//! Reading a command is: parse → [`check`] (pure, before anything touches
//! the system, so every usage error exits 2 before a socket exists) →
//! resolve into a plan ([`Resolver`] lists the interfaces once; the
//! planning functions are pure over that list) → open (`sock`) → run →
//! report. A plan says everything a socket needs: destinations with their
//! interface index, or memberships (group × interface × source) grouped
//! per receiving socket.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use anyhow::Result;

use crate::endpoint::{needs_interface, Endpoint, Family, IfaceSelector, IfaceSpec};
use crate::error::usage;
use crate::iface::{self, Flags, Interface};

/// An interface as sockets need it: its index and, for messages, its name.
/// Index 0 means "let the kernel choose by routing".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IfRef {
    /// The interface index (0: the kernel's choice).
    pub index: u32,
    /// The interface name ("" when index is 0).
    pub name: String,
    /// The interface's first IPv4 address, if any (for messages and
    /// `IP_MULTICAST_IF` fallbacks).
    pub v4: Option<Ipv4Addr>,
    /// Its flags when resolved (for warnings: DOWN, no MULTICAST).
    pub flags: Flags,
    /// Its MTU when resolved (0: unknown).
    pub mtu: u32,
}

impl IfRef {
    /// The kernel's choice of interface (by routing).
    pub fn any() -> IfRef {
        IfRef::named(0, "")
    }

    /// An interface known by index and name only (flags and MTU unknown).
    pub fn named(index: u32, name: &str) -> IfRef {
        IfRef {
            index,
            name: name.to_string(),
            v4: None,
            flags: Flags(0),
            mtu: 0,
        }
    }

    /// True when the interface is known to be down (a resolved interface
    /// without IFF_UP).
    pub fn is_down(&self) -> bool {
        self.index != 0 && self.mtu != 0 && !self.flags.up()
    }

    /// True when the interface is known to lack the MULTICAST flag.
    pub fn lacks_multicast(&self) -> bool {
        self.index != 0 && self.mtu != 0 && !self.flags.multicast()
    }
}

impl From<&Interface> for IfRef {
    fn from(i: &Interface) -> IfRef {
        IfRef {
            index: i.index,
            name: i.name.clone(),
            v4: i.v4(),
            flags: i.flags,
            mtu: i.mtu.max(1),
        }
    }
}

impl fmt::Display for IfRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == 0 {
            f.write_str("the default interface")
        } else {
            write!(
                f,
                "{} (index {})",
                crate::term::escape(&self.name),
                self.index
            )
        }
    }
}

/// What a join (or leave) is about: a group on an interface, optionally
/// restricted to one source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Membership {
    /// The group.
    pub group: IpAddr,
    /// The interface.
    pub iface: IfRef,
    /// The source, for a source-specific (SSM) membership.
    pub source: Option<IpAddr>,
}

impl fmt::Display for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            Some(s) => write!(f, "({s}, {}) on {}", self.group, self.iface),
            None => write!(f, "{} on {}", self.group, self.iface),
        }
    }
}

/// One group and port to receive, with every membership its socket holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    /// The group.
    pub group: IpAddr,
    /// The UDP port.
    pub port: u16,
    /// The memberships (at least one; interface index 0 when the kernel
    /// picks the interface).
    pub memberships: Vec<Membership>,
}

impl GroupPlan {
    /// The interfaces joined on, without repeats (none: the kernel's choice).
    pub fn ifaces(&self) -> Vec<IfRef> {
        let mut out: Vec<IfRef> = Vec::new();
        for m in &self.memberships {
            if m.iface.index != 0 && !out.contains(&m.iface) {
                out.push(m.iface.clone());
            }
        }
        out
    }
}

/// The kernel's per-socket membership limits: how many (group,
/// interface) memberships one socket may hold, and how many sources one
/// membership may list (`net.ipv4.igmp_max_memberships`/`igmp_max_msf`,
/// `net.ipv6.mld_max_msf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLimits {
    /// Memberships (group, interface) per socket.
    pub groups: usize,
    /// Sources per membership.
    pub sources: usize,
}

impl GroupPlan {
    /// Splits the memberships over as few sockets as the kernel's
    /// per-socket limits allow. Each (group, interface) pair lives on one
    /// socket only, unless it has more sources than one socket may list:
    /// then its sources are spread too. A socket only receives what its
    /// own memberships admit (`IP_MULTICAST_ALL=0` and per-socket source
    /// filters), so no datagram is received twice.
    pub fn socket_sets(&self, limits: SocketLimits) -> Vec<Vec<Membership>> {
        let groups = limits.groups.max(1);
        let sources = limits.sources.max(1);
        // Chunks of one (group, interface) pair: its sources, `sources` at
        // a time (an any-source membership is one chunk of its own).
        let mut chunks: Vec<Vec<Membership>> = Vec::new();
        for m in &self.memberships {
            match chunks.iter_mut().find(|c| {
                c[0].iface == m.iface
                    && c[0].source.is_some()
                    && m.source.is_some()
                    && c.len() < sources
            }) {
                Some(c) => c.push(m.clone()),
                None => chunks.push(vec![m.clone()]),
            }
        }
        // Sockets: at most `groups` distinct pairs each, and a pair whose
        // sources were split never twice on one socket.
        let mut sets: Vec<Vec<Membership>> = Vec::new();
        for c in chunks {
            let fits = |set: &Vec<Membership>| {
                let mut pairs: Vec<u32> = set.iter().map(|m| m.iface.index).collect();
                pairs.dedup();
                !set.iter().any(|m| m.iface == c[0].iface) && pairs.len() < groups
            };
            match sets.iter_mut().find(|s| fits(s)) {
                Some(s) => s.extend(c),
                None => sets.push(c),
            }
        }
        sets
    }
}

/// Where a sender sends: a destination and the interfaces it leaves by
/// (none: the kernel's choice by routing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPlan {
    /// The destination address.
    pub addr: IpAddr,
    /// The destination port.
    pub port: u16,
    /// One socket per interface; empty: one socket, routed by the kernel.
    pub ifaces: Vec<IfRef>,
}

/// The memberships for a group on interfaces (none: the kernel's choice)
/// from sources (none: any source). Sources of the other family are left
/// out: `--source` applies to the groups of its own family.
pub fn memberships(group: IpAddr, ifaces: &[IfRef], sources: &[IpAddr]) -> Vec<Membership> {
    let any = [IfRef::any()];
    let ifaces = if ifaces.is_empty() { &any[..] } else { ifaces };
    let family = Family::of(&group);
    let sources: Vec<Option<IpAddr>> = if sources.is_empty() {
        vec![None]
    } else {
        sources
            .iter()
            .filter(|s| Family::of(s) == family)
            .map(|&s| Some(s))
            .collect()
    };
    let mut out = Vec::with_capacity(ifaces.len() * sources.len());
    for iface in ifaces {
        for &source in &sources {
            out.push(Membership {
                group,
                iface: iface.clone(),
                source,
            });
        }
    }
    out
}

/// True for the link-local control groups that routing protocols and IGMP
/// or MLD themselves use (224.0.0.0/24; ff02::1 all nodes, ff02::2 all
/// routers): every host on the link has them, and applications do not
/// belong there.
pub fn is_control_group(g: &IpAddr) -> bool {
    match g {
        IpAddr::V4(a) => a.octets()[..3] == [224, 0, 0],
        IpAddr::V6(a) => {
            let s = a.segments();
            s[0] == 0xff02 && s[1..7] == [0; 6] && matches!(s[7], 1 | 2)
        }
    }
}

/// Whether warnings are about joining or sending.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Join,
    Send,
}

fn iface_warnings(iface: &IfRef, out: &mut Vec<String>, what: Use) {
    let name = &iface.name;
    if iface.is_down() {
        out.push(match what {
            Use::Join => format!(
                "{name} is DOWN: joins on it succeed but nothing arrives until it is up \
                 (ip link set {name} up)"
            ),
            Use::Send => format!(
                "{name} is DOWN: nothing leaves through it until it is up (ip link set {name} up)"
            ),
        });
    } else if iface.lacks_multicast() {
        out.push(match what {
            Use::Join => format!(
                "{name} lacks the MULTICAST flag: joins on it succeed, but whether anything \
                 arrives depends on the driver (ip link set {name} multicast on)"
            ),
            Use::Send => format!(
                "{name} lacks the MULTICAST flag: the kernel sends anyway, but the link is not \
                 set up for multicast (ip link set {name} multicast on)"
            ),
        });
    }
}

/// What a user should hear before receiving: memberships the kernel
/// accepts that cannot work (DOWN interface, no MULTICAST flag), and link-
/// local control groups. Pure.
pub fn receive_warnings(plan: &GroupPlan) -> Vec<String> {
    let mut out = Vec::new();
    if is_control_group(&plan.group) {
        out.push(format!(
            "{} is a link-local control group (routing protocols, IGMP/MLD): every host \
             on the link is in it; applications use 239.0.0.0/8 or ff05::/16 and up",
            plan.group
        ));
    }
    for i in plan.ifaces() {
        iface_warnings(&i, &mut out, Use::Join);
    }
    out
}

/// What a user should hear before sending: DOWN interfaces, interfaces
/// without the MULTICAST flag (the packet may leave anyway), control
/// groups, and a payload larger than an interface's MTU (it leaves
/// fragmented). Pure.
pub fn send_warnings(plan: &SendPlan, payload: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    if plan.addr.is_multicast() && is_control_group(&plan.addr) {
        out.push(format!(
            "{} is a link-local control group (routing protocols, IGMP/MLD); \
             applications use 239.0.0.0/8 or ff05::/16 and up",
            plan.addr
        ));
    }
    let headers = 8 + match plan.addr {
        IpAddr::V4(_) => 20,
        IpAddr::V6(_) => 40,
    };
    for i in &plan.ifaces {
        if plan.addr.is_multicast() {
            iface_warnings(i, &mut out, Use::Send);
        }
        if let Some(len) = payload {
            if i.mtu != 0 && len + headers > i.mtu as usize {
                out.push(format!(
                    "a {len}-byte payload with its {headers} bytes of IP and UDP headers exceeds \
                     the MTU of {} ({}): it leaves as IP fragments, and one lost fragment loses \
                     the datagram",
                    i.name, i.mtu
                ));
            }
        }
    }
    out
}

/// Checks a sender's endpoint and plans its sockets, listing the host's
/// interfaces only when one was named (its own or `--iface`): a send that
/// names none starts faster without the netlink dump and /proc reads.
pub fn send_plan(ep: &Endpoint, defaults: &[IfaceSelector]) -> Result<SendPlan> {
    check(&ep.addr, ep.iface.as_ref(), defaults, &[])?;
    let ifaces = if ep.iface.is_none() && defaults.is_empty() {
        Vec::new()
    } else {
        Resolver::new()?.ifaces_for(ep.iface.as_ref(), defaults)?
    };
    Ok(SendPlan {
        addr: ep.addr,
        port: ep.port,
        ifaces,
    })
}

/// Checks that an address can be used with the interface it names or the
/// `--iface` defaults, and with the `--source` list: families agree, and an
/// IPv6 link-local group has an interface. Pure.
pub fn check(
    addr: &IpAddr,
    own: Option<&IfaceSpec>,
    defaults: &[IfaceSelector],
    sources: &[IpAddr],
) -> Result<()> {
    let family = Family::of(addr);
    if let IpAddr::V6(a) = addr {
        if a.is_unicast_link_local() && own.is_none() && defaults.is_empty() {
            return Err(usage(format!(
                "{addr} is a link-local address, which exists on every interface: name one, \
                 e.g. [{addr}%eth0]:PORT, [{addr}]:PORT@eth0 or --iface eth0"
            )));
        }
    }
    if own.is_none() && defaults.is_empty() && needs_interface(addr) {
        return Err(usage(format!(
            "{addr} is a link-local group, which exists on every interface: name one, \
             e.g. [{addr}%eth0]:PORT, [{addr}]:PORT@eth0 or --iface eth0"
        )));
    }
    let specs = own
        .into_iter()
        .chain(defaults.iter().filter_map(|d| match d {
            IfaceSelector::One(s) if own.is_none() => Some(s),
            _ => None,
        }));
    for spec in specs {
        if let Some(f) = spec.family() {
            if f != family {
                return Err(usage(format!(
                    "{addr} is {family} but interface address {spec} is {f}: name the interface \
                     by name or index, or by an address of the same family"
                )));
            }
        }
    }
    for s in sources {
        if Family::of(s) != family {
            return Err(usage(format!(
                "source {s} is {} but group {addr} is {family}",
                Family::of(s)
            )));
        }
        if s.is_multicast() || s.is_unspecified() {
            return Err(usage(format!(
                "source {s} must be a unicast address of a sender"
            )));
        }
    }
    Ok(())
}

/// Resolves interface specs against a list of interfaces: this host's
/// ([`Resolver::new`]) or any other ([`Resolver::with`], for tests).
#[derive(Debug, Clone)]
pub struct Resolver {
    ifaces: Vec<Interface>,
}

impl Resolver {
    /// Lists the host's interfaces (once).
    pub fn new() -> Result<Resolver> {
        Ok(Resolver {
            ifaces: iface::list()?,
        })
    }

    /// A resolver over the given interfaces.
    pub fn with(ifaces: Vec<Interface>) -> Resolver {
        Resolver { ifaces }
    }

    /// Plans the receiving sockets for endpoints: one per group and port
    /// (the same group named with several interfaces becomes one socket
    /// joined on each), each with its memberships (interfaces × sources).
    pub fn receive_plan<'e>(
        &self,
        endpoints: impl IntoIterator<Item = &'e Endpoint>,
        defaults: &[IfaceSelector],
        sources: &[IpAddr],
    ) -> Result<Vec<GroupPlan>> {
        let mut plan: Vec<(IpAddr, u16, Vec<IfRef>)> = Vec::new();
        for ep in endpoints {
            let ifaces = self.ifaces_for(ep.iface.as_ref(), defaults)?;
            match plan
                .iter_mut()
                .find(|(g, p, _)| *g == ep.addr && *p == ep.port)
            {
                Some((_, _, have)) => {
                    for i in ifaces {
                        if !have.contains(&i) {
                            have.push(i);
                        }
                    }
                }
                None => plan.push((ep.addr, ep.port, ifaces)),
            }
        }
        let plan = plan
            .into_iter()
            .map(|(group, port, ifaces)| GroupPlan {
                group,
                port,
                memberships: memberships(group, &ifaces, sources),
            })
            .collect();
        Ok(plan)
    }

    /// The interfaces an endpoint uses: its own, else the `--iface`
    /// defaults, else none (the kernel picks by routing).
    pub fn ifaces_for(
        &self,
        own: Option<&IfaceSpec>,
        defaults: &[IfaceSelector],
    ) -> Result<Vec<IfRef>> {
        if let Some(spec) = own {
            return Ok(vec![IfRef::from(iface::resolve(spec, &self.ifaces)?)]);
        }
        Ok(iface::select(defaults, &self.ifaces)?
            .into_iter()
            .map(IfRef::from)
            .collect())
    }

    /// The interface whose IPv4 subnet broadcast address `a` is, or
    /// `Some("every interface")` for 255.255.255.255.
    pub fn broadcast_of(&self, a: Ipv4Addr) -> Option<String> {
        if a == Ipv4Addr::BROADCAST {
            return Some("every interface (the limited broadcast address)".into());
        }
        self.ifaces.iter().find_map(|i| {
            i.addrs.iter().find_map(|ia| match ia.addr {
                // /31 and /32 have no broadcast address (RFC 3021).
                IpAddr::V4(v4) if ia.prefix <= 30 => {
                    let host = u32::MAX.checked_shr(u32::from(ia.prefix)).unwrap_or(0);
                    (u32::from(v4) | host == u32::from(a)).then(|| i.name.clone())
                }
                _ => None,
            })
        })
    }

    /// The name of an interface index, for output ("" when unknown).
    pub fn name_of(&self, index: u32) -> &str {
        self.ifaces
            .iter()
            .find(|i| i.index == index)
            .map_or("", |i| i.name.as_str())
    }

    /// All interfaces.
    pub fn interfaces(&self) -> &[Interface] {
        &self.ifaces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, Exit};

    fn sel(s: &str) -> IfaceSelector {
        s.parse().unwrap()
    }

    #[test]
    fn checks_before_any_socket() {
        let ll: IpAddr = "ff02::1".parse().unwrap();
        let e = check(&ll, None, &[], &[]).unwrap_err();
        assert_eq!(exit_code(&e), Exit::Usage);
        assert!(e.to_string().contains("link-local"));
        assert!(check(&ll, None, &[sel("eth0")], &[]).is_ok());
        let g6: IpAddr = "ff15::1".parse().unwrap();
        assert!(check(&g6, None, &[sel("10.0.0.1")], &[])
            .unwrap_err()
            .to_string()
            .contains("IPv6 but interface"));
        let g4: IpAddr = "232.1.1.1".parse().unwrap();
        assert!(check(&g4, None, &[], &["fd77::1".parse().unwrap()]).is_err());
        assert!(check(&g4, None, &[], &["239.0.0.1".parse().unwrap()]).is_err());
        assert!(check(&g4, None, &[], &["10.77.0.1".parse().unwrap()]).is_ok());
    }

    fn fake() -> Resolver {
        use crate::iface::IfAddr;
        let up_mc = (libc::IFF_UP | libc::IFF_MULTICAST) as u32;
        let mk = |index, name: &str, flags, addrs: &[&str]| Interface {
            index,
            name: name.into(),
            flags: Flags(flags),
            mtu: 1500,
            addrs: addrs
                .iter()
                .map(|a| IfAddr::new(a.parse().unwrap(), 24))
                .collect(),
            default_v4: false,
            default_v6: false,
        };
        Resolver::with(vec![
            mk(
                1,
                "lo",
                (libc::IFF_UP | libc::IFF_LOOPBACK) as u32,
                &["127.0.0.1"],
            ),
            mk(2, "a0", up_mc, &["10.77.0.1", "fd77::1"]),
            mk(3, "b0", up_mc, &["10.77.1.1"]),
            mk(4, "down0", libc::IFF_MULTICAST as u32, &[]),
        ])
    }

    fn ep(s: &str) -> Endpoint {
        s.parse().unwrap()
    }

    fn names(g: &GroupPlan) -> Vec<String> {
        g.memberships.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn receive_plan_one_socket_per_group_and_port() {
        let r = fake();
        let eps = [
            ep("239.1.1.1:5000@a0"),
            ep("239.1.1.1:5000@b0"),
            ep("239.1.1.1:5001@a0"),
            ep("239.1.1.1:5000@10.77.0.1"),
        ];
        let plan = r.receive_plan(&eps, &[], &[]).unwrap();
        assert_eq!(plan.len(), 2);
        assert_eq!(
            names(&plan[0]),
            ["239.1.1.1 on a0 (index 2)", "239.1.1.1 on b0 (index 3)"]
        );
        assert_eq!(plan[0].ifaces().len(), 2);
        assert_eq!(names(&plan[1]), ["239.1.1.1 on a0 (index 2)"]);
    }

    #[test]
    fn receive_plan_expands_interfaces_times_sources() {
        let r = fake();
        let all = [sel("all")];
        let srcs: Vec<IpAddr> = vec![
            "10.77.0.9".parse().unwrap(),
            "10.77.1.9".parse().unwrap(),
            "fd77::9".parse().unwrap(),
        ];
        let plan = r
            .receive_plan(&[ep("232.1.1.1:5000")], &all, &srcs)
            .unwrap();
        // lo lacks MULTICAST and down0 is down: a0 and b0, two IPv4 sources
        // each; the IPv6 source is for IPv6 groups.
        assert_eq!(
            names(&plan[0]),
            [
                "(10.77.0.9, 232.1.1.1) on a0 (index 2)",
                "(10.77.1.9, 232.1.1.1) on a0 (index 2)",
                "(10.77.0.9, 232.1.1.1) on b0 (index 3)",
                "(10.77.1.9, 232.1.1.1) on b0 (index 3)",
            ]
        );
        // No interface named: one membership on the kernel's choice.
        let plan = r.receive_plan(&[ep("239.1.1.1:5000")], &[], &[]).unwrap();
        assert_eq!(names(&plan[0]), ["239.1.1.1 on the default interface"]);
        assert!(plan[0].ifaces().is_empty());
        // The endpoint's own interface wins over --iface.
        let plan = r
            .receive_plan(&[ep("239.1.1.1:5000@b0")], &[sel("a0")], &[])
            .unwrap();
        assert_eq!(names(&plan[0]), ["239.1.1.1 on b0 (index 3)"]);
    }

    #[test]
    fn unknown_interfaces_list_the_real_ones() {
        let r = fake();
        let e = r
            .receive_plan(&[ep("239.1.1.1:5000@eth9")], &[], &[])
            .unwrap_err();
        assert_eq!(exit_code(&e), Exit::Unavailable);
        let msg = e.to_string();
        assert!(
            msg.contains("eth9") && msg.contains("a0 (2: 10.77.0.1 fd77::1)"),
            "{msg}"
        );
        assert_eq!(r.name_of(3), "b0");
        assert_eq!(r.name_of(99), "");
    }

    #[test]
    fn memberships_spread_over_sockets_within_the_kernel_limits() {
        let group: IpAddr = "232.1.1.1".parse().unwrap();
        let ifs: Vec<IfRef> = (1..=24)
            .map(|i| IfRef::named(i, &format!("v{i}")))
            .collect();
        let limits = SocketLimits {
            groups: 20,
            sources: 10,
        };
        let g = GroupPlan {
            group,
            port: 5000,
            memberships: memberships(group, &ifs, &[]),
        };
        let sets = g.socket_sets(limits);
        assert_eq!(sets.iter().map(Vec::len).collect::<Vec<_>>(), [20, 4]);
        // 22 sources on one interface: 10 + 10 + 2, one socket each.
        let srcs: Vec<IpAddr> = (1..=22)
            .map(|i| format!("10.0.0.{i}").parse().unwrap())
            .collect();
        let g = GroupPlan {
            group,
            port: 5000,
            memberships: memberships(group, &ifs[..1], &srcs),
        };
        let sets = g.socket_sets(limits);
        assert_eq!(sets.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 2]);
        // Every membership is on exactly one socket.
        let all: usize = sets.iter().map(Vec::len).sum();
        assert_eq!(all, g.memberships.len());
        // Within the limits: one socket.
        let g = GroupPlan {
            group,
            port: 5000,
            memberships: memberships(group, &ifs[..3], &srcs[..2]),
        };
        assert_eq!(g.socket_sets(limits).len(), 1);
    }

    #[test]
    fn warnings_name_what_cannot_work() {
        let r = fake();
        let plan = r
            .receive_plan(&[ep("239.1.1.1:5000@down0")], &[], &[])
            .unwrap();
        let w = receive_warnings(&plan[0]);
        assert!(
            w[0].contains("down0 is DOWN") && w[0].contains("ip link set down0 up"),
            "{w:?}"
        );
        let plan = r
            .receive_plan(&[ep("224.0.0.5:5000@a0")], &[], &[])
            .unwrap();
        assert!(receive_warnings(&plan[0])[0].contains("link-local control group"));
        let plan = r
            .receive_plan(&[ep("[ff02::1]:5000@a0")], &[], &[])
            .unwrap();
        assert_eq!(receive_warnings(&plan[0]).len(), 1);
        let plan = r
            .receive_plan(&[ep("[ff02::fb]:5000@a0")], &[], &[])
            .unwrap();
        assert!(receive_warnings(&plan[0]).is_empty());
        let lo = SendPlan {
            addr: "239.1.1.1".parse().unwrap(),
            port: 5000,
            ifaces: vec![r.ifaces_for(Some(&"lo".parse().unwrap()), &[]).unwrap()[0].clone()],
        };
        let w = send_warnings(&lo, Some(1473));
        assert!(w[0].contains("lo lacks the MULTICAST flag"), "{w:?}");
        assert!(w[1].contains("exceeds the MTU of lo (1500)"), "{w:?}");
        assert_eq!(send_warnings(&lo, Some(1472)).len(), 1);
    }

    #[test]
    fn broadcast_addresses_are_recognised() {
        let r = fake();
        assert_eq!(
            r.broadcast_of("10.77.0.255".parse().unwrap()).as_deref(),
            Some("a0")
        );
        assert_eq!(
            r.broadcast_of("10.77.1.255".parse().unwrap()).as_deref(),
            Some("b0")
        );
        assert!(r.broadcast_of("255.255.255.255".parse().unwrap()).is_some());
        assert_eq!(r.broadcast_of("10.77.0.254".parse().unwrap()), None);
    }

    #[test]
    fn link_local_unicast_needs_a_zone() {
        let ll: IpAddr = "fe80::1".parse().unwrap();
        let e = check(&ll, None, &[], &[]).unwrap_err();
        assert_eq!(exit_code(&e), Exit::Usage);
        assert!(e.to_string().contains("link-local address"), "{e}");
        assert!(check(&ll, Some(&"eth0".parse().unwrap()), &[], &[]).is_ok());
        assert!(check(&"fd77::1".parse().unwrap(), None, &[], &[]).is_ok());
    }

    #[test]
    fn memberships_default_to_the_kernels_interface() {
        let g: IpAddr = "ff15::1".parse().unwrap();
        let ms = memberships(g, &[], &["10.0.0.1".parse().unwrap()]);
        // Only sources of the group's family: none left, so none at all.
        assert!(ms.is_empty());
        let ms = memberships(g, &[], &[]);
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].iface, IfRef::any());
    }
}
