//! `mcast watch`: the listen core with no per-datagram output, its interval
//! snapshots drawn full screen (`crate::watch`); interval lines on stderr
//! when there is no terminal to draw on.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use anyhow::{anyhow, Result};

use crate::cli::{Format, ListenArgs, PcapFormat, WatchArgs};
use crate::cmd::listen::{self, LiveSink};
use crate::cmd::Ctx;
use crate::error::Outcome;
use crate::signals::Stop;

/// Runs `mcast watch`.
pub fn run(a: &WatchArgs, ctx: &Ctx) -> Result<Outcome> {
    let la = ListenArgs {
        endpoints: a.endpoints.clone(),
        source: a.source.clone(),
        format: Format::Count,
        force: false,
        cot_strict: false,
        count: None,
        timeout: a.timeout,
        reply: None,
        rcvbuf: a.rcvbuf,
        stats: Some(a.stats),
        pcap: None,
        pcap_format: PcapFormat::Pcapng,
        pcap_rotate: None,
        pcap_keep: None,
        ifaces: a.ifaces.clone(),
    };
    let dumb = std::env::var_os("TERM").is_none_or(|t| t.is_empty() || t == "dumb");
    if dumb || !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        ctx.info(
            "no terminal to draw on (stdin and stdout must be terminals, TERM not dumb): \
             interval lines on stderr instead",
        );
        return listen::run(&la, ctx);
    }
    let stop = Stop::install()?;
    // The terminal closing is a reason to stop and restore it, too.
    stop.also_on_hangup()?;
    let (tx, rx) = sync_channel(1);
    let reset = Arc::new(AtomicBool::new(false));
    let (ui_reset, ui_stop, color) = (Arc::clone(&reset), stop.clone(), ctx.color_out);
    let start: listen::ScreenStart = Box::new(move || {
        std::thread::Builder::new()
            .name("screen".into())
            .spawn(move || crate::watch::screen::run(rx, ui_reset, ui_stop, color))
            .map_err(|e| anyhow!("start the screen thread: {e}"))
    });
    let live = LiveSink::Screen {
        tx,
        reset,
        start: Some(start),
        ui: None,
    }
    .every(a.stats.0);
    listen::run_with(&la, ctx, Some(live), Some(stop))
}
