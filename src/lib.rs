//! mcast: a command-line Swiss-army knife for IP multicast.
//!
//! The crate is a small core of modules that every subcommand shares, plus
//! one thin module per subcommand under [`cmd`]:
//!
//! - pure modules, which do no I/O: [`endpoint`] (the endpoint grammar),
//!   [`units`] (durations, rates, counts), [`seq`] (the sequence header),
//!   [`output`] (datagram formatting), [`stats`] (receive statistics) and
//!   [`cot`] (Cursor-on-Target model and codecs);
//! - engines of their own, each in a folder: [`bridge`] and [`doctor`]
//!   (the latter under construction: its pure counter ladder so far);
//! - the platform surface: [`iface`] (interfaces and memberships), [`sock`]
//!   (socket configuration, joins) and [`batch`] (`recvmmsg`/`sendmmsg`/GSO);
//! - [`error`], which holds the one exit-code table.

pub mod batch;
pub mod bridge;
pub mod cli;
pub mod cmd;
pub mod cot;
pub mod doctor;
pub mod endpoint;
pub mod error;
pub mod fanout;
pub mod iface;
pub mod live;
pub mod output;
pub mod pace;
pub mod pcap;
pub mod plan;
pub mod poll;
pub mod route;
pub mod rtt;
pub mod seq;
pub mod signals;
pub mod sock;
pub mod stats;
pub mod term;
pub mod units;
pub mod watch;
