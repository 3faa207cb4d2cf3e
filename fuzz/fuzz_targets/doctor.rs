//! What the doctor reads from the network: two-ended probe messages (from
//! any host that can reach the control port or the group), IGMP queries
//! and IP/UDP headers from raw and packet sockets. No panic, and every
//! message that decodes encodes to text that decodes to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::doctor::parse;
use mcast::doctor::probe::{Msg, MAX_LEN};

fuzz_target!(|data: &[u8]| {
    if let Some(m) = Msg::decode(data) {
        let e = m.encode();
        assert!(e.len() <= MAX_LEN, "{e}");
        assert!(e.bytes().all(|b| b.is_ascii_graphic() || b == b' '), "{e}");
        assert_eq!(Msg::decode(e.as_bytes()), Some(m));
    }
    let _ = parse::igmp_query(data);
    if let Some(h) = parse::ip_udp(data) {
        assert_eq!(h.src.is_ipv4(), h.dst.is_ipv4());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse::proc_udp(text);
        let _ = parse::nft_input_drops(text);
    }
});
