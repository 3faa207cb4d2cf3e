//! The engine behind `mcast doctor`: the checks an expert runs when
//! multicast does not arrive, in the order a packet travels, and the
//! verdict with its fix.
//!
//! - [`counters`]: the kernel's receive counters and the "counter ladder"
//!   that names the first receive step a packet did not pass (pure);
//! - [`parse`]: readers for `/proc/net/udp`, nft rulesets, IGMP queries and
//!   IP/UDP headers (pure);
//! - [`diagnose`]: from the facts gathered and the window observed to the
//!   checks (pure, table-tested);
//! - [`report`]: checks, verdict, text and JSON Lines (pure);
//! - [`gather`]: reads the host (sysctls, interfaces, routes, sockets,
//!   firewall) and listens for the window;
//! - [`wire`]: the root-only packet-level views (a packet socket that sees
//!   datagrams before the reverse-path filter and the firewall; a raw IGMP
//!   socket that hears queriers);
//! - [`probe`]: the two-ended mode's versioned probe format (pure) and
//!   [`peer`]: its responder and prober.

pub mod counters;
pub mod diagnose;
pub mod gather;
pub mod parse;
pub mod peer;
pub mod probe;
pub mod report;
pub mod wire;
