//! One module per subcommand; each is glue over the core modules.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, Command, GlobalArgs};
use crate::error::{self, Outcome};

pub mod bridge;
pub mod cot_gen;
pub mod doctor;
pub mod generate;
pub mod ifaces;
pub mod join;
pub mod listen;
pub mod replay;
pub mod send;
pub mod watch;

/// What every command needs to know about how to talk to the user.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `-v` count.
    pub verbose: u8,
    /// `-q`: nothing on stderr but errors.
    pub quiet: bool,
    /// Colour on stdout.
    pub color_out: bool,
    /// Colour on stderr.
    pub color_err: bool,
    /// Start warning and info lines with an RFC 3339 time (long-running
    /// commands whose stderr goes to a journal or log file: the bridge).
    pub timestamps: bool,
}

impl Ctx {
    /// Builds the context from the global options and the environment.
    pub fn new(g: &GlobalArgs) -> Ctx {
        // https://no-color.org: any non-empty NO_COLOR disables colour in
        // `auto` mode; an explicit --color always still wins.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Ctx {
            verbose: g.verbose,
            quiet: g.quiet,
            color_out: decide(std::io::stdout().is_terminal()),
            color_err: decide(std::io::stderr().is_terminal()),
            timestamps: false,
        }
    }

    /// Prints an error, its causes and a hint to stderr.
    pub fn print_error(&self, err: &anyhow::Error) {
        let mut e = std::io::stderr().lock();
        let (red, bold, reset) = if self.color_err {
            ("\x1b[31;1m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        // Error chains quote user input (endpoints, names, file contents):
        // the one terminal-safety policy applies to them too.
        let msg = crate::term::sanitize(&format!("{err:#}"));
        let _ = writeln!(e, "{red}mcast: error:{reset} {msg}");
        if let Some(h) = error::hint(err).map(|h| crate::term::sanitize(&h)) {
            let _ = writeln!(e, "{bold}hint:{reset} {h}");
        }
    }

    /// Prints a warning unless `-q`.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let (y, reset) = if self.color_err {
                ("\x1b[33m", "\x1b[0m")
            } else {
                ("", "")
            };
            let msg = crate::term::sanitize(&msg.to_string());
            let t = self.stamp();
            let _ = writeln!(
                std::io::stderr().lock(),
                "{t}{y}mcast: warning:{reset} {msg}"
            );
        }
    }

    /// Prints a progress/info line unless `-q`.
    pub fn info(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let msg = crate::term::sanitize(&msg.to_string());
            let t = self.stamp();
            let _ = writeln!(std::io::stderr().lock(), "{t}mcast: {msg}");
        }
    }

    /// `TIME ` when timestamps are on, else nothing.
    pub fn stamp(&self) -> String {
        if !self.timestamps {
            return String::new();
        }
        let mut b = Vec::with_capacity(28);
        crate::output::write_rfc3339(&mut b, crate::pace::now_ns());
        b.push(b' ');
        String::from_utf8(b).unwrap_or_default()
    }

    /// Prints a line only with `-v`.
    pub fn debug(&self, msg: impl std::fmt::Display) {
        if self.verbose > 0 && !self.quiet {
            let msg = crate::term::sanitize(&msg.to_string());
            let _ = writeln!(std::io::stderr().lock(), "mcast: {msg}");
        }
    }
}

/// Runs a parsed command.
pub fn run(command: Command, ctx: &Ctx) -> anyhow::Result<Outcome> {
    match command {
        Command::Send(a) => send::run(&a, ctx),
        Command::Listen(a) => listen::run(&a, ctx),
        Command::Join(a) => join::run(&a, ctx),
        Command::Ifaces(a) => ifaces::run(&a, ctx),
        Command::Bridge(a) => bridge::run(&a, ctx),
        Command::CotGen(a) => cot_gen::run(&a, ctx),
        Command::Replay(a) => replay::run(&a, ctx),
        Command::Doctor(a) => doctor::run(&a, ctx),
        Command::Watch(a) => watch::run(&a, ctx),
        Command::Generate(a) => generate::run(&a),
    }
}
