//! TAK Protocol v1: the mesh decoder and the stream deframer on hostile
//! bytes, fed in arbitrary chunks. Never panics; a frame never exceeds the
//! limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::cot::{self, StreamDeframer};

fuzz_target!(|data: &[u8]| {
    let _ = cot::decode_datagram(data);
    let _ = cot::decode_tak_mesh(data);
    // The first byte picks the chunk size for the deframer.
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(k % 17) + 1;
    let mut d = StreamDeframer::new();
    for c in rest.chunks(chunk) {
        d.push(c);
        loop {
            match d.next_frame() {
                Ok(Some(frame)) => {
                    assert!(frame.len() <= cot::MAX_FRAME);
                    let mut ev = cot::Event::default();
                    let _ = cot::tak::decode_tak_payload_into(frame, &mut ev);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    let _ = cot::split_xml_events(rest);
});
