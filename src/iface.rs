//! TEMPORARY: replaced by the full module.
use crate::endpoint::{Family, IfaceSelector, IfaceSpec};
use std::net::{IpAddr, Ipv4Addr};

pub struct Flags(pub u32);
impl Flags {
    pub fn up(&self) -> bool {
        self.0 & libc::IFF_UP as u32 != 0
    }
    pub fn multicast(&self) -> bool {
        self.0 & libc::IFF_MULTICAST as u32 != 0
    }
}
pub struct IfAddr {
    pub addr: IpAddr,
    pub prefix: u8,
}
pub struct Interface {
    pub index: u32,
    pub name: String,
    pub flags: Flags,
    pub mtu: u32,
    pub addrs: Vec<IfAddr>,
    pub default_v4: bool,
    pub default_v6: bool,
}
impl Interface {
    pub fn v4(&self) -> Option<Ipv4Addr> {
        self.addrs.iter().find_map(|a| match a.addr {
            IpAddr::V4(v) => Some(v),
            _ => None,
        })
    }
    pub fn has_family(&self, f: Family) -> bool {
        self.addrs.iter().any(|a| Family::of(&a.addr) == f)
    }
    pub fn is_multicast_capable(&self) -> bool {
        self.flags.up() && self.flags.multicast()
    }
}
pub struct Membership {
    pub index: u32,
    pub iface: String,
    pub group: IpAddr,
    pub users: u32,
}
pub fn list() -> anyhow::Result<Vec<Interface>> {
    let mut v: Vec<Interface> = Vec::new();
    for ia in nix::ifaddrs::getifaddrs()? {
        let idx = nix::net::if_::if_nametoindex(ia.interface_name.as_str()).unwrap_or(0);
        let pos = match v.iter().position(|i| i.index == idx) {
            Some(p) => p,
            None => {
                v.push(Interface {
                    index: idx,
                    name: ia.interface_name.clone(),
                    flags: Flags(ia.flags.bits() as u32),
                    mtu: 0,
                    addrs: vec![],
                    default_v4: false,
                    default_v6: false,
                });
                v.len() - 1
            }
        };
        if let Some(a) = ia.address {
            if let Some(s) = a.as_sockaddr_in() {
                v[pos].addrs.push(IfAddr {
                    addr: IpAddr::V4(s.ip()),
                    prefix: 0,
                })
            }
            if let Some(s) = a.as_sockaddr_in6() {
                v[pos].addrs.push(IfAddr {
                    addr: IpAddr::V6(s.ip()),
                    prefix: 0,
                })
            }
        }
    }
    v.sort_by_key(|i| i.index);
    Ok(v)
}
pub fn resolve<'a>(spec: &IfaceSpec, ifaces: &'a [Interface]) -> anyhow::Result<&'a Interface> {
    ifaces
        .iter()
        .find(|i| match spec {
            IfaceSpec::Name(n) => &i.name == n,
            IfaceSpec::Index(x) => i.index == *x,
            IfaceSpec::Addr(a) => i.addrs.iter().any(|b| b.addr == *a),
        })
        .ok_or_else(|| crate::error::unavailable(format!("no interface {spec}")))
}
pub fn select<'a>(
    sel: &[IfaceSelector],
    ifaces: &'a [Interface],
) -> anyhow::Result<Vec<&'a Interface>> {
    let mut out: Vec<&Interface> = vec![];
    for s in sel {
        match s {
            IfaceSelector::All => out.extend(ifaces.iter().filter(|i| i.is_multicast_capable())),
            IfaceSelector::One(x) => out.push(resolve(x, ifaces)?),
        }
    }
    Ok(out)
}
pub fn memberships() -> anyhow::Result<Vec<Membership>> {
    Ok(vec![])
}
pub fn to_json(_: &[Interface], _: Option<&[Membership]>) -> serde_json::Value {
    serde_json::Value::Null
}
pub fn render_table(_: &[Interface], _: Option<&[Membership]>, _: bool) -> String {
    String::new()
}
