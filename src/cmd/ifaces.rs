//! `mcast ifaces`: interfaces with flags, MTU, addresses and groups.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::IfacesArgs;
use crate::cmd::Ctx;
use crate::error::Outcome;
use crate::iface;

/// Runs `mcast ifaces`.
pub fn run(a: &IfacesArgs, ctx: &Ctx) -> Result<Outcome> {
    let all = iface::list()?;
    let shown: Vec<iface::Interface> = all
        .into_iter()
        .filter(|i| a.all || i.flags.multicast())
        .collect();
    let groups = if a.groups {
        Some(iface::kernel_groups()?)
    } else {
        None
    };
    let text = if a.json {
        let mut s = serde_json::to_string_pretty(&iface::to_json(&shown, groups.as_deref()))
            .context("encode JSON")?;
        s.push('\n');
        s
    } else {
        iface::render_table(&shown, groups.as_deref(), ctx.color_out)
    };
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())
        .and_then(|_| o.flush())
        .context("write to standard output")?;
    Ok(Outcome::Ok)
}
