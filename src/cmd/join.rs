//! `mcast join`: hold memberships so that IGMP/MLD reports go out, confirm
//! each in the kernel's table, leave cleanly on exit.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::cli::JoinArgs;
use crate::cmd::Ctx;
use crate::endpoint::{Endpoint, Family};
use crate::error::Outcome;
use crate::iface;
use crate::plan::{self, Resolver};
use crate::signals::Stop;
use crate::sock;

/// Runs `mcast join`.
pub fn run(a: &JoinArgs, ctx: &Ctx) -> Result<Outcome> {
    for g in &a.groups {
        plan::check(&g.group, g.iface.as_ref(), &a.ifaces.iface, &a.source)?;
    }
    let resolver = Resolver::new()?;
    let stop = Stop::install()?;
    // One socket per membership: the kernel caps memberships per socket
    // (net.ipv4.igmp_max_memberships, 20 by default).
    let mut held = Vec::new();
    let eps: Vec<Endpoint> = a
        .groups
        .iter()
        .map(|g| Endpoint {
            addr: g.group,
            port: 0,
            iface: g.iface.clone(),
        })
        .collect();
    for g in resolver.receive_plan(&eps, &a.ifaces.iface, &a.source)? {
        for w in plan::receive_warnings(&g) {
            ctx.warn(w);
        }
        for m in g.memberships {
            let s = sock::udp_socket(Family::of(&m.group))?;
            sock::join(&s, &m)?;
            held.push((s, m));
        }
    }
    // The kernel's table names the interface the join landed on, which is
    // how a join on "the default interface" is reported precisely.
    let table = iface::kernel_groups()?;
    let mut out = std::io::stdout().lock();
    for (_, m) in &held {
        let found: Vec<&iface::KernelGroup> = table
            .iter()
            .filter(|t| t.group == m.group && (m.iface.index == 0 || t.index == m.iface.index))
            .collect();
        let proc_file = if m.group.is_ipv4() {
            "/proc/net/igmp"
        } else {
            "/proc/net/igmp6"
        };
        match found.first() {
            Some(t) => {
                use anyhow::Context as _;
                use std::io::Write;
                writeln!(
                    out,
                    "joined {} on {} (index {}){} [in {proc_file}]",
                    m.group,
                    crate::term::escape(&t.iface),
                    t.index,
                    m.source
                        .map(|s| format!(" from source {s}"))
                        .unwrap_or_default()
                )
                .and_then(|_| out.flush())
                .context("write to standard output")?;
            }
            None => ctx.warn(format_args!(
                "joined {m}, but it does not appear in {proc_file}"
            )),
        }
    }
    drop(out);
    let deadline = a.duration.map(|d| Instant::now() + d.0);
    while !stop.requested() && deadline.is_none_or(|d| Instant::now() < d) {
        let left = deadline.map_or(Duration::from_millis(200), |d| {
            d.saturating_duration_since(Instant::now())
        });
        std::thread::sleep(left.min(Duration::from_millis(200)));
    }
    for (s, m) in &held {
        sock::leave(s, m)?;
        ctx.info(format_args!("left {m}"));
    }
    Ok(Outcome::Ok)
}
