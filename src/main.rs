//! The `mcast` binary: parse the command line, run the command, map the
//! outcome to the documented exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use mcast::cli::Cli;
use mcast::cmd::{self, Ctx};
use mcast::error::{self, Exit, Outcome};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let ctx = Ctx::new(&cli.global);
    match cmd::run(cli.command, &ctx) {
        Ok(Outcome::Ok) => ExitCode::from(Exit::Ok as u8),
        Ok(Outcome::NotMet) => ExitCode::from(Exit::NotMet as u8),
        // The reader of stdout is gone: nobody is left to tell.
        Err(err) if error::is_broken_pipe(&err) => ExitCode::from(Exit::Ok as u8),
        Err(err) => {
            let code = error::exit_code(&err);
            ctx.print_error(&err);
            ExitCode::from(code as u8)
        }
    }
}

/// `--help`, `--version` and usage errors. clap's messages quote the
/// arguments they refuse, which may hold terminal control sequences: a
/// usage error goes through the one terminal-safety policy, line by line
/// (help and version text is ours and printed as clap renders it).
fn clap_exit(e: &clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::from(Exit::Ok as u8);
    }
    let text = e.render().to_string();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&mcast::term::sanitize(line));
        out.push('\n');
    }
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
    ExitCode::from(Exit::Usage as u8)
}
