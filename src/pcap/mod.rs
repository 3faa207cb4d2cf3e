//! Capture files: what `listen --pcap` writes and `mcast replay` reads.
//!
//! - [`synth`]: the Ethernet/IP/UDP headers rebuilt from what a UDP socket
//!   knows about a datagram (pure);
//! - [`ng`]: pcapng and classic-pcap blocks (pure encoders);
//! - [`sink`]: the capture file itself: one interface block per arrival
//!   interface, rotation, a clean end on Ctrl-C or SIGTERM;
//! - [`read`]: pcap/pcapng reading and UDP extraction for replay (pure
//!   over bytes: Ethernet with VLAN tags, raw IP, Linux cooked v1/v2,
//!   loopback; IP fragments reassembled).

pub mod ng;
pub mod read;
pub mod sink;
pub mod synth;
