//! The `mcast` binary: parse the command line, run the command, map the
//! outcome to the documented exit code.

use std::process::ExitCode;

use clap::Parser;
use mcast::cli::Cli;
use mcast::cmd::{self, Ctx};
use mcast::error::{self, Exit, Outcome};

fn main() -> ExitCode {
    // clap exits 2 on usage errors and 0 for --help/--version by itself.
    let cli = Cli::parse();
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
