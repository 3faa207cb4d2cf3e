//! Drawing one frame of `mcast watch`. Pure: a function of the [`App`]
//! and the frame's size; every string from the network (interface names,
//! CoT uids, callsigns, types) goes through the one terminal-safety policy
//! ([`crate::term::escape`]) before it is laid out.

use std::fmt::Write as _;
use std::net::SocketAddr;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use super::{App, Sort, View};
use crate::live::{Cell, Snapshot, StreamRow, Unit};

/// The help box's text.
pub const HELP: &[&str] = &[
    "q, Esc, Ctrl-C   quit",
    "space            freeze / resume",
    "Tab              senders / TAK units",
    "s                sort: arrival, rate, loss, recent",
    "r                reset the counters",
    "arrows, PgUp/Dn  scroll",
    "?                this help",
    "",
    "strip, one cell per interval:",
    " .  in order     x  loss",
    " <  reordered    :  duplicate",
    " _  first after silence",
    "    (blank) nothing arrived",
];

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.height == 0 || area.width == 0 {
        return;
    }
    let header = Rect { height: 1, ..area };
    f.render_widget(Paragraph::new(title(app, area.width)), header);
    let body_h = area.height.saturating_sub(2);
    let lines = match app.view {
        View::Streams => stream_lines(app, area.width),
        View::Units => unit_lines(app),
    };
    // The first line is the column header; it stays while the rest scrolls.
    let rows = lines.len().saturating_sub(1);
    app.rows = rows;
    app.page = usize::from(body_h.saturating_sub(1)).max(1);
    app.scroll = app.scroll.min(rows.saturating_sub(1));
    if body_h > 0 {
        let mut shown: Vec<Line> = Vec::with_capacity(usize::from(body_h));
        let mut it = lines.into_iter();
        if let Some(h) = it.next() {
            shown.push(h);
        }
        shown.extend(it.skip(app.scroll).take(usize::from(body_h) - 1));
        let body = Rect {
            y: area.y + 1,
            height: body_h,
            ..area
        };
        f.render_widget(Paragraph::new(shown), body);
    }
    if area.height >= 2 {
        let foot = Rect {
            y: area.y + area.height - 1,
            height: 1,
            ..area
        };
        f.render_widget(Paragraph::new(footer(app)), foot);
    }
    if app.help {
        help(f, area, app.color);
    }
}

fn style(app_color: bool, s: Style) -> Style {
    if app_color {
        s
    } else {
        Style::default()
    }
}

fn title(app: &App, width: u16) -> Line<'static> {
    let mut t = String::from(" mcast watch");
    match &app.snap {
        None => t.push_str("  waiting for the first datagram..."),
        Some(s) => {
            let senders = s.streams.len();
            let _ = write!(
                t,
                "  {} group{} · {} sender{} · {} · {} datagrams · kernel drops {}",
                s.groups().len(),
                if s.groups().len() == 1 { "" } else { "s" },
                senders,
                if senders == 1 { "" } else { "s" },
                clock(s.elapsed_s),
                s.packets,
                s.kernel_drops()
            );
            if !s.units.is_empty() {
                let _ = write!(t, " · {} TAK units", s.units.len());
            }
        }
    }
    if app.frozen {
        t.push_str("  [FROZEN]");
    }
    let mut l = Line::from(fit(&t, usize::from(width)));
    l = l.style(style(
        app.color,
        Style::default().add_modifier(Modifier::REVERSED),
    ));
    l
}

fn footer(app: &App) -> Line<'static> {
    let (a, b) = match app.view {
        View::Streams => ("[senders]", " units "),
        View::Units => (" senders ", "[units]"),
    };
    Line::from(format!(
        " {a}{b}  Tab view · s sort: {} · space freeze · r reset · ? help · q quit",
        app.sort.name()
    ))
}

/// `hh:mm:ss`.
pub fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// An age in a few characters: `0.4s`, `12s`, `5m`, `3h`.
pub fn age(ns: u64) -> String {
    let s = ns as f64 / 1e9;
    if s < 10.0 {
        format!("{s:.1}s")
    } else if s < 120.0 {
        format!("{s:.0}s")
    } else if s < 7200.0 {
        format!("{:.0}m", s / 60.0)
    } else {
        format!("{:.0}h", s / 3600.0)
    }
}

/// A bit rate in a few characters.
pub fn rate(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2} Gb/s", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.1} Mb/s", bps / 1e6)
    } else if bps >= 1e3 {
        format!("{:.1} kb/s", bps / 1e3)
    } else {
        format!("{bps:.0} b/s")
    }
}

/// `s` escaped for a terminal and cut to `w` characters (`…` marks a cut).
pub fn fit(s: &str, w: usize) -> String {
    let e = crate::term::escape(s);
    if e.chars().count() <= w {
        return e;
    }
    let mut out: String = e.chars().take(w.saturating_sub(1)).collect();
    if w > 0 {
        out.push('…');
    }
    out
}

const STREAM_COLS: &str = " GROUP:PORT             SOURCE                  IF       TTL     PPS       RATE   LOST   DUP  RORD  LAT ms    AGE  ";

fn sorted_streams(s: &Snapshot, sort: Sort) -> Vec<&StreamRow> {
    let mut v: Vec<&StreamRow> = s.streams.iter().collect();
    match sort {
        Sort::Arrival => {}
        Sort::Rate => v.sort_by(|a, b| b.pps.total_cmp(&a.pps)),
        Sort::Loss => v.sort_by_key(|r| std::cmp::Reverse(r.seq.map_or(0, |q| q.lost))),
        Sort::Recent => v.sort_by_key(|r| std::cmp::Reverse(r.last_ns)),
    }
    v
}

fn stream_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(STREAM_COLS.to_string()).style(style(
        app.color,
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    let Some(s) = &app.snap else {
        return lines;
    };
    let strip_w = usize::from(width).saturating_sub(STREAM_COLS.chars().count());
    let streams = sorted_streams(s, app.sort);
    for (group, port) in s.groups() {
        let g = SocketAddr::new(group, port).to_string();
        let mut first = true;
        for r in streams
            .iter()
            .filter(|r| r.key.group == group && r.key.port == port)
        {
            let mut t = String::with_capacity(128);
            let _ = write!(
                t,
                " {:<22} {:<23} {:<8} {:>3} {:>7} {:>10} ",
                if first { g.as_str() } else { "" },
                r.key.src.to_string(),
                fit(&r.iface, 8),
                r.ttl.map_or("-".to_string(), |t| t.to_string()),
                format!("{:.0}", r.pps),
                rate(r.bps),
            );
            first = false;
            match r.seq {
                Some(q) => {
                    let _ = write!(t, "{:>6} {:>5} {:>5} ", q.lost, q.duplicates, q.reordered);
                }
                None => t.push_str(&format!("{:>6} {:>5} {:>5} ", "-", "-", "-")),
            }
            match r.latency_ns {
                Some((_, avg, _)) => {
                    let _ = write!(t, "{:>7.2} ", avg as f64 / 1e6);
                }
                None => t.push_str(&format!("{:>7} ", "-")),
            }
            let _ = write!(t, "{:>6}  ", age(s.time_ns.saturating_sub(r.last_ns)));
            let mut spans = vec![Span::raw(t)];
            spans.extend(strip(&r.history, strip_w, app.color));
            lines.push(Line::from(spans));
        }
        if let Some(d) = s.drops.iter().find(|d| d.group == group && d.port == port) {
            let mut l = Line::from(format!(
                "   kernel drops ({g}): {} (+{} in the last interval)",
                d.total, d.interval
            ));
            if d.interval > 0 {
                l = l.style(style(app.color, Style::default().fg(Color::Red)));
            }
            lines.push(l);
        }
    }
    lines
}

/// The newest `w` cells of a strip, right-aligned to now, oldest left.
fn strip(history: &[Cell], w: usize, color: bool) -> Vec<Span<'static>> {
    let cells = &history[history.len().saturating_sub(w)..];
    let mut out = Vec::new();
    let mut run = String::new();
    let mut run_style = Style::default();
    for &c in cells {
        let st = if color {
            match c {
                Cell::Loss => Style::default().fg(Color::Red),
                Cell::Reordered => Style::default().fg(Color::Magenta),
                Cell::Duplicate => Style::default().fg(Color::Yellow),
                Cell::Late => Style::default().fg(Color::Cyan),
                Cell::Ok => Style::default().fg(Color::Green),
                Cell::Idle => Style::default(),
            }
        } else {
            Style::default()
        };
        if st != run_style && !run.is_empty() {
            out.push(Span::styled(std::mem::take(&mut run), run_style));
        }
        run_style = st;
        run.push(c.symbol());
    }
    if !run.is_empty() {
        out.push(Span::styled(run, run_style));
    }
    out
}

const UNIT_COLS: &str = " UID                      CALLSIGN       TYPE           MEANING                      LAT        LON       AGE    STALE  SOURCE";

fn unit_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(UNIT_COLS.to_string()).style(style(
        app.color,
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    let Some(s) = &app.snap else {
        return lines;
    };
    if s.units.is_empty() {
        lines.push(Line::from(
            "   no Cursor-on-Target events yet (XML or TAK Protocol v1)".to_string(),
        ));
        return lines;
    }
    let mut units: Vec<&Unit> = s.units.iter().collect();
    match app.sort {
        Sort::Arrival | Sort::Recent => {}
        Sort::Rate => units.sort_by_key(|u| std::cmp::Reverse(u.events)),
        Sort::Loss => units.sort_by_key(|u| u.stale_ms),
    }
    let now_ms = (s.time_ns / 1_000_000) as i64;
    for u in units {
        let stale_s = (i128::from(u.stale_ms) - i128::from(now_ms)) as f64 / 1e3;
        let meaning = crate::cot::types::type_meaning(&u.type_).unwrap_or_default();
        let coord = |v: f64, w: usize| {
            if v.is_finite() {
                format!("{v:>w$.5}")
            } else {
                format!("{:>w$}", "?")
            }
        };
        let t = format!(
            " {:<24} {:<14} {:<14} {:<28} {} {} {:>6} {:>8}  {}",
            fit(&u.uid, 24),
            fit(&u.callsign, 14),
            fit(&u.type_, 14),
            fit(&meaning, 28),
            coord(u.lat, 9),
            coord(u.lon, 10),
            age(s.time_ns.saturating_sub(u.last_ns)),
            if stale_s < 0.0 {
                "STALE".to_string()
            } else {
                format!("+{stale_s:.0}s")
            },
            u.src
        );
        let mut l = Line::from(t);
        if stale_s < 0.0 {
            l = l.style(style(app.color, Style::default().fg(Color::DarkGray)));
        }
        lines.push(l);
    }
    lines
}

fn help(f: &mut Frame, area: Rect, color: bool) {
    let w = (HELP.iter().map(|l| l.len()).max().unwrap_or(0) as u16 + 4).min(area.width);
    let h = (HELP.len() as u16 + 2).min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let lines: Vec<Line> = HELP.iter().map(|l| Line::from(format!(" {l}"))).collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" keys ")
        .border_style(style(color, Style::default().fg(Color::Cyan)));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

/// The sample snapshot of the drawing tests, for the event-loop tests.
#[cfg(test)]
pub(crate) fn tests_sample() -> Snapshot {
    tests::sample()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{DropRow, SeqFigures};
    use crate::stats::StreamKey;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    pub(crate) fn sample() -> Snapshot {
        let key = |src: &str, g: &str| StreamKey {
            group: g.parse().unwrap(),
            port: 6969,
            src: src.parse().unwrap(),
        };
        let row = |k: StreamKey, pps: f64, history: Vec<Cell>, seq: Option<SeqFigures>| StreamRow {
            key: k,
            iface: "a0".into(),
            ttl: Some(1),
            packets: 200,
            bytes: 24_000,
            iv_packets: pps as u64,
            iv_bytes: pps as u64 * 120,
            pps,
            bps: pps * 960.0,
            seq,
            latency_ns: Some((100_000, 210_000, 400_000)),
            last_ns: 10_000_000_000,
            quiet: 0,
            history,
        };
        Snapshot {
            time_ns: 10_400_000_000,
            elapsed_s: 133.0,
            interval: (9.0, 10.0),
            streams: vec![
                row(
                    key("10.77.0.1:40000", "239.2.3.1"),
                    1000.0,
                    vec![Cell::Ok, Cell::Ok, Cell::Loss, Cell::Ok],
                    Some(SeqFigures {
                        lost: 12,
                        duplicates: 0,
                        reordered: 3,
                        ..SeqFigures::default()
                    }),
                ),
                row(
                    key("10.77.0.2:40001", "239.2.3.1"),
                    10.0,
                    vec![Cell::Late, Cell::Idle, Cell::Duplicate],
                    None,
                ),
                row(
                    key("10.77.0.9:4242", "224.10.10.1"),
                    2.0,
                    vec![Cell::Reordered],
                    None,
                ),
            ],
            drops: vec![DropRow {
                group: "239.2.3.1".parse().unwrap(),
                port: 6969,
                total: 7,
                interval: 2,
            }],
            units: vec![Unit {
                uid: "ANDROID-\u{1b}[31mevil".into(),
                callsign: "ALPHA-1".into(),
                type_: "a-f-G-U-C".into(),
                lat: 37.5,
                lon: -122.25,
                stale_ms: 70_400,
                last_ns: 10_000_000_000,
                src: "10.77.0.9:4242".parse().unwrap(),
                events: 3,
            }],
            packets: 600,
            bytes: 72_000,
        }
    }

    fn render(app: &mut App, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw(f, app)).unwrap();
        let buf = t.backend().buffer().clone();
        let mut s = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    #[test]
    fn streams_view_at_120x12() {
        let mut app = App::new(false);
        app.update(sample());
        let s = render(&mut app, 130, 12);
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[0].starts_with(" mcast watch  2 groups · 3 senders · 00:02:13 · 600 datagrams · kernel drops 7 · 1 TAK units"), "{s}");
        assert!(lines[1].starts_with(" GROUP:PORT"), "{s}");
        assert!(lines[2].starts_with(" 239.2.3.1:6969         10.77.0.1:40000         a0         1    1000 960.0 kb/s     12     0     3    0.21   0.4s  ..x."), "{s}");
        assert!(
            lines[3].starts_with("                        10.77.0.2:40001"),
            "{s}"
        );
        assert!(
            lines[3].contains("     -     -     - "),
            "no sequence numbers: {s}"
        );
        assert!(lines[3].trim_end().ends_with("_ :"), "{s}");
        assert!(
            lines[4].starts_with("   kernel drops (239.2.3.1:6969): 7 (+2 in the last interval)"),
            "{s}"
        );
        assert!(lines[5].starts_with(" 224.10.10.1:6969"), "{s}");
        assert!(lines[11].starts_with(" [senders] units   Tab view"), "{s}");
    }

    #[test]
    fn units_view_escapes_network_strings() {
        let mut app = App::new(true);
        app.update(sample());
        app.view = View::Units;
        let s = render(&mut app, 160, 6);
        assert!(s.contains("ANDROID-\\x1b[31mevil"), "{s}");
        assert!(!s.contains('\u{1b}'));
        assert!(s.contains("ALPHA-1"), "{s}");
        assert!(s.contains("friend ground unit"), "{s}");
        assert!(s.contains("37.50000 -122.25000"), "{s}");
        assert!(s.contains("+60s"), "{s}");
    }

    #[test]
    fn scrolling_keeps_the_header_and_help_overlays() {
        let mut app = App::new(false);
        let mut snap = sample();
        let first = snap.streams[0].clone();
        for i in 0..40u16 {
            let mut r = first.clone();
            r.key.src = SocketAddr::new("10.77.1.1".parse().unwrap(), 1000 + i);
            snap.streams.push(r);
        }
        app.update(snap);
        render(&mut app, 130, 10);
        assert_eq!(app.page, 7);
        app.scroll = 10;
        let s = render(&mut app, 130, 10);
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[1].starts_with(" GROUP:PORT"), "{s}");
        assert!(
            !s.contains("10.77.0.1:40000"),
            "scrolled past the first row: {s}"
        );
        app.help = true;
        let s = render(&mut app, 130, 20);
        assert!(s.contains("space            freeze"), "{s}");
    }

    #[test]
    fn tiny_and_empty_screens() {
        let mut app = App::new(true);
        for (w, h) in [(0, 0), (1, 1), (5, 2), (20, 3), (80, 1)] {
            render(&mut app, w, h);
        }
        let s = render(&mut app, 60, 4);
        assert!(s.contains("waiting for the first datagram"), "{s}");
        app.update(sample());
        app.help = true;
        for (w, h) in [(1, 1), (3, 3), (10, 4), (200, 2)] {
            render(&mut app, w, h);
        }
    }

    proptest::proptest! {
        /// Drawing never panics, whatever the size, view, scroll or help.
        #[test]
        fn drawing_never_panics(w in 0u16..250, h in 0u16..80, units in proptest::bool::ANY, help in proptest::bool::ANY, scroll in 0usize..100) {
            let mut app = App::new(true);
            app.update(sample());
            app.view = if units { View::Units } else { View::Streams };
            app.help = help;
            app.scroll = scroll;
            render(&mut app, w, h);
        }
    }
}
