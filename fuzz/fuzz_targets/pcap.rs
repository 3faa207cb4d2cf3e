//! Replay reads capture files from anywhere: a hostile pcap or pcapng
//! (lengths, link types, fragments, options) must end in records or an
//! error, never a panic or an endless loop.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::pcap::read::Reader;


fuzz_target!(|data: &[u8]| {
    let mut cur = std::io::Cursor::new(data.to_vec());
    // What replay does before reading a file (see check_blocks).
    if mcast::pcap::read::check_blocks(&mut cur).is_err() {
        return;
    }
    let Ok(mut r) = Reader::new(cur) else {
        return;
    };
    let mut payload = Vec::new();
    // Every record consumes input, so this ends; the bound guards a bug.
    for _ in 0..100_000 {
        match r.next(&mut payload) {
            Ok(Some(rec)) => assert_eq!(rec.src.is_ipv4(), rec.dst.is_ipv4()),
            Ok(None) | Err(_) => return,
        }
    }
    panic!("no end after 100000 records from {} bytes", data.len());
});
