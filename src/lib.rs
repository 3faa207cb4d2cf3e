//! mcast: a command-line Swiss-army knife for IP multicast.
//!
//! The crate is a small core of modules that every subcommand shares, plus
//! one thin module per subcommand under [`cmd`]:
//!
//! - pure modules, which do no I/O: [`endpoint`] (the endpoint grammar),
//!   [`units`] (durations, rates, counts), [`seq`] (the sequence header),
//!   [`output`] (datagram formatting), [`stats`] (receive statistics) and
//!   [`cot`] (Cursor-on-Target model and codecs);
//! - the platform surface: [`iface`] (interfaces and memberships), [`sock`]
//!   (socket configuration, joins) and [`batch`] (`recvmmsg`/`sendmmsg`/GSO);
//! - [`error`], which holds the one exit-code table.

/// The exit-code table, as a literal so that `concat!` can put it into
/// every command's `--help` (and so into the man pages).
#[macro_export]
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success
  1  expectation not met (listen deadline before --count, missing replies,
     interrupted before every datagram was sent)
  2  usage error (bad endpoint, port, interface spec, duration, payload...)
  3  resource unavailable (no such interface, address in use or not
     available, network unreachable)
  4  permission denied
  5  other I/O or operating-system error"
    };
}

pub mod batch;
pub mod bridge;
pub mod cli;
pub mod cmd;
pub mod cot;
pub mod endpoint;
pub mod error;
pub mod fanout;
pub mod iface;
pub mod output;
pub mod pace;
pub mod plan;
pub mod poll;
pub mod seq;
pub mod signals;
pub mod sock;
pub mod stats;
pub mod term;
pub mod units;
