//! `mcast watch`: a full-screen view over the interval snapshots of
//! [`crate::live`]. The receive loop (`cmd::listen`) hands snapshots over a
//! one-slot channel and never waits for the terminal; this side owns the
//! terminal, the keys and the drawing.
//!
//! - [`App`]: the view's state and what each key does (pure, tested with
//!   made-up key events);
//! - [`view`]: drawing a frame (pure over ratatui's buffer, tested with
//!   its `TestBackend` at fixed and tiny sizes);
//! - [`screen`]: the terminal's lifecycle (raw mode, alternate screen,
//!   restore on quit, signal and panic) and the event loop.

pub mod screen;
pub mod view;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::live::Snapshot;

/// Which table is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// One row per sender, grouped by group, with the strip.
    Streams,
    /// One row per TAK unit (CoT uid).
    Units,
}

/// The order of the rows within a group (streams) or of the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// As first heard.
    Arrival,
    /// Highest rate first.
    Rate,
    /// Most lost first.
    Loss,
    /// Most recently heard first.
    Recent,
}

impl Sort {
    fn next(self) -> Sort {
        match self {
            Sort::Arrival => Sort::Rate,
            Sort::Rate => Sort::Loss,
            Sort::Loss => Sort::Recent,
            Sort::Recent => Sort::Arrival,
        }
    }

    /// Its name in the footer.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Arrival => "arrival",
            Sort::Rate => "rate",
            Sort::Loss => "loss",
            Sort::Recent => "recent",
        }
    }
}

/// What the event loop does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Keep going.
    Continue,
    /// Leave (restore the terminal, print the summary).
    Quit,
    /// Ask the receiver to reset its counters.
    Reset,
    /// Repaint the whole screen (Ctrl-L).
    Redraw,
}

/// The view's state.
#[derive(Debug, Clone)]
pub struct App {
    /// The table shown.
    pub view: View,
    /// Frozen: new snapshots are ignored until space is pressed again.
    pub frozen: bool,
    /// Row order.
    pub sort: Sort,
    /// The first row shown (scrolling).
    pub scroll: usize,
    /// The help box is open.
    pub help: bool,
    /// Colour (never the only signal: every mark has its own character).
    pub color: bool,
    /// The snapshot shown.
    pub snap: Option<Snapshot>,
    /// Rows the last frame had room for (the page of PgUp/PgDn).
    pub page: usize,
    /// Rows the last frame had to show (scrolling stops at the last).
    pub rows: usize,
}

impl App {
    /// A view with nothing received yet.
    pub fn new(color: bool) -> App {
        App {
            view: View::Streams,
            frozen: false,
            sort: Sort::Arrival,
            scroll: 0,
            help: false,
            color,
            snap: None,
            page: 10,
            rows: 0,
        }
    }

    /// Takes a new snapshot, unless frozen.
    pub fn update(&mut self, snap: Snapshot) {
        if !self.frozen {
            self.snap = Some(snap);
        }
    }

    /// Handles one terminal event.
    pub fn event(&mut self, ev: &Event) -> Action {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.key(k),
            Event::Resize(..) => Action::Redraw,
            _ => Action::Continue,
        }
    }

    /// Handles one key. In raw mode Ctrl-C is a key, not a signal.
    pub fn key(&mut self, k: &KeyEvent) -> Action {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.rows.saturating_sub(1);
        match k.code {
            KeyCode::Char('c') if ctrl => return Action::Quit,
            KeyCode::Char('l') if ctrl => return Action::Redraw,
            KeyCode::Char('q') | KeyCode::Esc if !self.help || k.code == KeyCode::Char('q') => {
                return Action::Quit
            }
            KeyCode::Esc => self.help = false,
            KeyCode::Char('?') | KeyCode::Char('h') => self.help = !self.help,
            KeyCode::Char(' ') => self.frozen = !self.frozen,
            KeyCode::Tab | KeyCode::Char('t') => {
                self.view = match self.view {
                    View::Streams => View::Units,
                    View::Units => View::Streams,
                };
                self.scroll = 0;
            }
            KeyCode::Char('s') => self.sort = self.sort.next(),
            KeyCode::Char('r') => {
                self.scroll = 0;
                return Action::Reset;
            }
            KeyCode::Down | KeyCode::Char('j') => self.scroll = (self.scroll + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll = (self.scroll + self.page.max(1)).min(last),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(self.page.max(1)),
            KeyCode::Home => self.scroll = 0,
            KeyCode::End => self.scroll = last,
            _ => {}
        }
        Action::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(app: &mut App, code: KeyCode) -> Action {
        app.event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    #[test]
    fn keys() {
        let mut app = App::new(false);
        app.rows = 50;
        app.page = 20;
        assert_eq!(press(&mut app, KeyCode::Char(' ')), Action::Continue);
        assert!(app.frozen);
        assert_eq!(press(&mut app, KeyCode::Tab), Action::Continue);
        assert_eq!(app.view, View::Units);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.view, View::Streams);
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.sort, Sort::Rate);
        press(&mut app, KeyCode::PageDown);
        press(&mut app, KeyCode::PageDown);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(app.scroll, 49, "stops at the last row");
        press(&mut app, KeyCode::Up);
        assert_eq!(app.scroll, 48);
        press(&mut app, KeyCode::PageUp);
        assert_eq!(app.scroll, 28);
        assert_eq!(press(&mut app, KeyCode::Char('r')), Action::Reset);
        assert_eq!(app.scroll, 0);
        press(&mut app, KeyCode::Char('?'));
        assert!(app.help);
        // Esc closes the help first, then quits.
        assert_eq!(press(&mut app, KeyCode::Esc), Action::Continue);
        assert!(!app.help);
        assert_eq!(press(&mut app, KeyCode::Esc), Action::Quit);
        assert_eq!(press(&mut app, KeyCode::Char('q')), Action::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(app.key(&ctrl_c), Action::Quit);
        let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(app.key(&ctrl_l), Action::Redraw);
        assert_eq!(app.event(&Event::Resize(10, 10)), Action::Redraw);
    }

    #[test]
    fn frozen_ignores_snapshots() {
        let mut app = App::new(false);
        let snap = |t| Snapshot {
            time_ns: t,
            elapsed_s: 0.0,
            interval: (0.0, 0.0),
            streams: Vec::new(),
            drops: Vec::new(),
            units: Vec::new(),
            packets: t,
            bytes: 0,
        };
        app.update(snap(1));
        app.frozen = true;
        app.update(snap(2));
        assert_eq!(app.snap.as_ref().unwrap().packets, 1);
        app.frozen = false;
        app.update(snap(3));
        assert_eq!(app.snap.as_ref().unwrap().packets, 3);
    }
}
