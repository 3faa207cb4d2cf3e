//! The terminal side of `mcast watch`: raw mode and the alternate screen
//! while it runs, restored on every way out (quit key, the receiver ending
//! on a signal, count or timeout, an error, and a panic: release builds
//! abort on panic, so no destructor would run, and a panic hook does it),
//! and the event loop between snapshots, keys and frames.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Once};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::Terminal;

use super::{view, Action, App};
use crate::live::Snapshot;
use crate::signals::Stop;

/// How long the loop waits for a key before it redraws (ages move on).
const FRAME: Duration = Duration::from_millis(100);

/// Where terminal events come from: the terminal, or a test's script.
pub trait Events {
    /// The next event, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// Events from the terminal (crossterm reads stdin, or /dev/tty).
pub struct TerminalEvents;

impl Events for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        // Events crossterm has read already come first.
        if event::poll(Duration::ZERO)? {
            return event::read().map(Some);
        }
        // Wait on stdin ourselves: when the terminal goes away (the pty's
        // other side closed), crossterm's read sees end of file and spins
        // instead of failing; poll(2) says POLLHUP, and the screen ends.
        let stdin = io::stdin();
        let mut fds = [nix::poll::PollFd::new(
            std::os::fd::AsFd::as_fd(&stdin),
            nix::poll::PollFlags::POLLIN,
        )];
        let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        match nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(ms)) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => return Ok(None),
            Ok(_) => {}
            Err(e) => return Err(io::Error::from(e)),
        }
        let r = fds[0].revents().unwrap_or(nix::poll::PollFlags::empty());
        if r.intersects(
            nix::poll::PollFlags::POLLHUP
                | nix::poll::PollFlags::POLLERR
                | nix::poll::PollFlags::POLLNVAL,
        ) {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the terminal went away",
            ));
        }
        if event::poll(Duration::from_millis(10))? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Draws and handles keys until the user quits (which sets `stop`, so the
/// receiver ends too), `stop` is set by a signal, or the receiver hangs up
/// (it ended by count or timeout).
pub fn event_loop<B: Backend>(
    term: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn Events,
    rx: &Receiver<Snapshot>,
    reset: &AtomicBool,
    stop: &Stop,
) -> Result<()>
where
    B::Error: std::fmt::Display,
{
    loop {
        loop {
            match rx.try_recv() {
                Ok(s) => app.update(s),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return Ok(()),
            }
        }
        if stop.requested() {
            return Ok(());
        }
        term.draw(|f| view::draw(f, app))
            .map_err(|e| anyhow!("draw the screen: {e}"))?;
        if let Some(ev) = events.next(FRAME).context("read the terminal")? {
            match app.event(&ev) {
                Action::Quit => {
                    stop.request();
                    return Ok(());
                }
                Action::Reset => reset.store(true, Ordering::Relaxed),
                Action::Redraw => term.clear().map_err(|e| anyhow!("clear the screen: {e}"))?,
                Action::Continue => {}
            }
        }
    }
}

/// Runs the screen (on its own thread) until [`event_loop`] ends, then
/// restores the terminal. On an error the receiver is stopped too, since
/// nobody could quit it any more.
pub fn run(rx: Receiver<Snapshot>, reset: Arc<AtomicBool>, stop: Stop, color: bool) -> Result<()> {
    // crossterm drops colour under NO_COLOR by itself; mcast's --color
    // decides (`always` wins over NO_COLOR), as for every other command.
    ratatui::crossterm::style::force_color_output(color);
    let r = setup().and_then(|mut term| {
        let mut app = App::new(color);
        event_loop(&mut term, &mut app, &mut TerminalEvents, &rx, &reset, &stop)
    });
    restore();
    if r.is_err() {
        stop.request();
    }
    r
}

fn setup() -> Result<Terminal<CrosstermBackend<Stdout>>> {
    install_panic_hook();
    terminal::enable_raw_mode().context("put the terminal in raw mode")?;
    execute!(io::stdout(), EnterAlternateScreen, Hide).context("switch to the alternate screen")?;
    Terminal::new(CrosstermBackend::new(io::stdout())).context("open the terminal")
}

/// Raw mode off, main screen back, cursor shown (leaving the alternate
/// screen does not show the cursor in tmux and VTE terminals). Safe to call
/// twice.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
}

/// A panic restores the terminal before its message is printed: in raw
/// mode the message would staircase, on the alternate screen it would be
/// lost.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::VecDeque;
    use std::sync::mpsc::sync_channel;

    /// A script of events; `None` entries are a frame with no key.
    struct Script(VecDeque<Option<Event>>);

    impl Events for Script {
        fn next(&mut self, _: Duration) -> io::Result<Option<Event>> {
            Ok(self.0.pop_front().flatten())
        }
    }

    fn key(c: KeyCode) -> Option<Event> {
        Some(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
    }

    #[test]
    fn keys_drive_the_loop_and_quit_stops_the_receiver() {
        let (tx, rx) = sync_channel(1);
        let reset = AtomicBool::new(false);
        let stop = Stop::new_for_test();
        let mut term = Terminal::new(TestBackend::new(130, 12)).unwrap();
        let mut app = App::new(false);
        tx.send(view::tests_sample()).unwrap();
        let mut script = Script(
            [
                None,
                key(KeyCode::Char('r')),
                key(KeyCode::Tab),
                key(KeyCode::Char('q')),
            ]
            .into(),
        );
        event_loop(&mut term, &mut app, &mut script, &rx, &reset, &stop).unwrap();
        assert!(stop.requested(), "q stops the receiver too");
        assert!(reset.load(Ordering::Relaxed), "r asked for a reset");
        assert_eq!(app.view, super::super::View::Units);
        let shown = format!("{:?}", term.backend().buffer());
        assert!(shown.contains("ALPHA-1"), "{shown}");
    }

    #[test]
    fn the_loop_ends_when_the_receiver_hangs_up_or_a_signal_came() {
        let (tx, rx) = sync_channel::<Snapshot>(1);
        drop(tx);
        let reset = AtomicBool::new(false);
        let stop = Stop::new_for_test();
        let mut term = Terminal::new(TestBackend::new(40, 5)).unwrap();
        let mut app = App::new(false);
        let mut script = Script(VecDeque::new());
        event_loop(&mut term, &mut app, &mut script, &rx, &reset, &stop).unwrap();
        assert!(!stop.requested());
        let (_tx, rx) = sync_channel::<Snapshot>(1);
        stop.request();
        event_loop(&mut term, &mut app, &mut script, &rx, &reset, &stop).unwrap();
    }
}
