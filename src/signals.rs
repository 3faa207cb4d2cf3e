//! Ctrl-C and SIGTERM as a flag that long-running loops poll.
//!
//! Loops block in `poll(2)`, which the kernel never restarts after a signal
//! handler runs (even with SA_RESTART), so a signal wakes them with EINTR
//! and they see the flag at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

/// Set once SIGINT or SIGTERM arrived.
#[derive(Clone, Debug)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Installs handlers for SIGINT and SIGTERM.
    pub fn install() -> anyhow::Result<Stop> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(sig, Arc::clone(&flag))
                .context("install signal handler")?;
        }
        Ok(Stop(flag))
    }

    /// Also sets the flag on SIGHUP (the terminal went away). Only for
    /// interactive commands: `nohup mcast bridge` must keep ignoring it.
    pub fn also_on_hangup(&self) -> anyhow::Result<()> {
        signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&self.0))
            .context("install signal handler")?;
        Ok(())
    }

    /// A flag no signal sets, for tests and for callers that stop by
    /// themselves.
    pub fn new_for_test() -> Stop {
        Stop(Arc::new(AtomicBool::new(false)))
    }

    /// Sets the flag as a signal would.
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once a stop signal arrived.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
