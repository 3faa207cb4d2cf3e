//! The engine behind `mcast doctor` (issue 11, under construction): the
//! checks an expert runs when multicast does not arrive, in the order a
//! packet travels.
//!
//! - [`counters`]: the kernel's receive counters (`/proc/net/snmp`,
//!   `/proc/net/netstat`, `/proc/net/snmp6`) and the "counter ladder" that
//!   names the first step of the receive path a packet did not pass (pure).

pub mod counters;
