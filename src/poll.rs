//! Waiting for sockets: the one `poll(2)` helper every loop uses.
//!
//! `poll` is never restarted after a signal handler ran (even with
//! `SA_RESTART`), so Ctrl-C and SIGTERM wake it with `EINTR`, which is a
//! wake-up here, not an error. A signal that lands between the caller's
//! flag check and the call would still leave it asleep, so no wait is
//! longer than [`MAX_SLEEP`].

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::errno::Errno;
use nix::poll::PollTimeout;

pub use nix::poll::{PollFd, PollFlags};

use crate::signals::Stop;

/// The longest single sleep, so that a stop request is seen in time.
pub const MAX_SLEEP: Duration = Duration::from_millis(250);

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woke {
    /// At least one descriptor has events (see [`PollFd::revents`]).
    Ready,
    /// The time ran out (or a signal other than a stop interrupted).
    Timeout,
    /// Ctrl-C or SIGTERM arrived.
    Stopped,
}

/// Waits at most `timeout` (capped at [`MAX_SLEEP`], rounded up to whole
/// milliseconds so that a short wait never becomes a busy loop) for events
/// on `fds`.
pub fn wait(fds: &mut [PollFd<'_>], timeout: Duration, stop: &Stop) -> Result<Woke> {
    if stop.requested() {
        return Ok(Woke::Stopped);
    }
    let ms = timeout.min(MAX_SLEEP).as_micros().div_ceil(1000);
    let ms = u16::try_from(ms).unwrap_or(u16::MAX);
    match nix::poll::poll(fds, PollTimeout::from(ms)) {
        Ok(0) => Ok(if stop.requested() {
            Woke::Stopped
        } else {
            Woke::Timeout
        }),
        Ok(_) => Ok(Woke::Ready),
        Err(Errno::EINTR) => Ok(if stop.requested() {
            Woke::Stopped
        } else {
            Woke::Timeout
        }),
        Err(e) => Err(std::io::Error::from(e)).context("poll"),
    }
}

/// Time left until `deadline` (zero once it passed); `None`: no deadline,
/// so [`MAX_SLEEP`].
pub fn left(deadline: Option<Instant>) -> Duration {
    deadline.map_or(MAX_SLEEP, |d| d.saturating_duration_since(Instant::now()))
}

/// True when the descriptor reported any of `flags`.
pub fn has(fd: &PollFd<'_>, flags: PollFlags) -> bool {
    fd.revents().is_some_and(|r| r.intersects(flags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn times_out_and_sees_readiness() {
        let stop = Stop::new_for_test();
        let (a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
        let mut fds = [PollFd::new(a.as_fd(), PollFlags::POLLIN)];
        let t = Instant::now();
        assert_eq!(
            wait(&mut fds, Duration::from_millis(20), &stop).unwrap(),
            Woke::Timeout
        );
        assert!(t.elapsed() >= Duration::from_millis(19));
        b.send(b"x").unwrap();
        let mut fds = [PollFd::new(a.as_fd(), PollFlags::POLLIN)];
        assert_eq!(
            wait(&mut fds, Duration::from_secs(1), &stop).unwrap(),
            Woke::Ready
        );
        assert!(has(&fds[0], PollFlags::POLLIN));
        stop.request();
        assert_eq!(
            wait(&mut fds, Duration::from_secs(1), &stop).unwrap(),
            Woke::Stopped
        );
        assert_eq!(left(None), MAX_SLEEP);
        assert_eq!(left(Some(Instant::now())), Duration::ZERO);
    }
}
