//! `mcast doctor`: find why multicast does not arrive (glue over
//! [`crate::doctor`]).

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::{DoctorArgs, DoctorFormat};
use crate::cmd::Ctx;
use crate::doctor::{gather, peer, report::Report};
use crate::endpoint::IfaceSelector;
use crate::error::{usage, Outcome};
use crate::signals::Stop;

/// Runs `mcast doctor`.
pub fn run(a: &DoctorArgs, ctx: &Ctx) -> Result<Outcome> {
    let stop = Stop::install()?;
    if let Some(port) = a.respond {
        let iface = match a.ifaces.iface.as_slice() {
            [] => None,
            [IfaceSelector::One(spec)] => Some(spec.clone()),
            _ => return Err(usage(
                "--respond sends from one interface (--iface NAME) or from every one (no --iface)",
            )),
        };
        peer::respond(
            port,
            iface.as_ref(),
            a.max_ttl.0,
            a.duration.map(|d| d.0),
            &stop,
            ctx,
        )?;
        return Ok(Outcome::Ok);
    }
    let Some(ep) = &a.endpoint else {
        return Err(usage(
            "give the group to examine: mcast doctor GROUP:PORT[@IFACE]",
        ));
    };
    let ep = &ep.0;
    let iface = match (&ep.iface, a.ifaces.iface.as_slice()) {
        (Some(i), _) => Some(i.clone()),
        (None, []) => None,
        (None, [IfaceSelector::One(spec)]) => Some(spec.clone()),
        (None, _) => {
            return Err(usage(
                "doctor examines one interface: name it in the endpoint (GROUP:PORT@IFACE) or with one --iface; it joins on every interface anyway",
            ))
        }
    };
    let window = a
        .duration
        .map_or(std::time::Duration::from_secs(5), |d| d.0);
    if window.is_zero() {
        return Err(usage(
            "--duration must be longer than 0 s: the doctor listens for that long",
        ));
    }
    if a.source.is_some_and(|s| s.is_ipv4() != ep.addr.is_ipv4()) {
        return Err(usage("--source must be of the group's address family"));
    }
    let cfg = gather::Config {
        group: ep.addr,
        port: ep.port,
        iface,
        source: a.source.or(a.peer.map(|p| p.0.ip())),
        window,
        query_interval: a.query_interval.0,
    };
    if a.format == DoctorFormat::Text {
        ctx.info(format_args!(
            "listening {:.0} s on every multicast interface; run the sender now",
            cfg.window.as_secs_f64()
        ));
    }
    let report = match a.peer {
        Some(p) => peer::probe(&cfg, p.0, a.max_ttl.0, &stop, ctx)?,
        None => gather::examine(&cfg, &stop)?,
    };
    print(&report, a.format, ctx)?;
    Ok(if report.verdict().is_some() {
        Outcome::NotMet
    } else {
        Outcome::Ok
    })
}

fn print(r: &Report, format: DoctorFormat, ctx: &Ctx) -> Result<()> {
    let bytes = match format {
        DoctorFormat::Text => r.to_text(ctx.color_out).into_bytes(),
        DoctorFormat::Json => r.to_json_lines(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|_| out.flush())
        .context("write to standard output")
}
