//! The CoT XML reader on hostile bytes: never panics; what decodes writes
//! back as XML that decodes again, and its summary line is terminal-safe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::cot;

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = cot::parse_xml(data) else {
        return;
    };
    let mut line = String::new();
    cot::write_summary(&ev, 0, &mut line);
    assert!(!line.chars().any(mcast::term::is_unsafe), "{line:?}");
    let _ = cot::cot_json(&ev, 0);
    let mut xml = Vec::new();
    if cot::write_xml(&ev, &mut xml).is_ok() {
        cot::parse_xml(&xml).expect("our own XML parses");
    }
});
