//! From parsed endpoints to concrete interfaces: the step between the pure
//! grammar and the sockets, shared by every command.
//!
//! [`check`] is pure and runs before anything touches the system, so every
//! usage error exits 2 before a socket exists; [`Resolver`] then lists the
//! interfaces once and turns specs into [`IfRef`]s.

use std::net::IpAddr;

use anyhow::Result;

use crate::endpoint::{needs_interface, Family, IfaceSelector, IfaceSpec};
use crate::error::usage;
use crate::iface::{self, Interface};
use crate::sock::IfRef;

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

/// The interfaces for an endpoint, listing the host's interfaces only when
/// one was named (its own or `--iface`): a send that names none starts
/// faster without the netlink dump and /proc reads.
pub fn ifaces_if_named(own: Option<&IfaceSpec>, defaults: &[IfaceSelector]) -> Result<Vec<IfRef>> {
    if own.is_none() && defaults.is_empty() {
        return Ok(Vec::new());
    }
    Resolver::new()?.ifaces_for(own, defaults)
}

/// Resolves interface specs against the interfaces of this host.
pub struct Resolver {
    ifaces: Vec<Interface>,
}

impl Resolver {
    /// Lists the interfaces (once).
    pub fn new() -> Result<Resolver> {
        Ok(Resolver {
            ifaces: iface::list()?,
        })
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
}
