//! The output renderers: text, hex and CoT lines never hold a byte below
//! 0x20 other than newline, nor DEL, C1 or invisible formatting characters;
//! JSON is valid and its base64 payload round-trips.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use mcast::output::{self, Info, JsonScratch};
use mcast::seq::SeqHeader;

fn assert_terminal_safe(out: &[u8], what: &str) {
    let s = std::str::from_utf8(out).unwrap_or_else(|_| panic!("{what}: not UTF-8: {out:?}"));
    for c in s.chars() {
        assert!(c == '\n' || !mcast::term::is_unsafe(c), "{what}: {c:?} in {s:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let seq = SeqHeader::read(data);
    let info = Info {
        time_ns: 1_767_225_600_000_000_000,
        src: "10.77.0.1:40000".parse().unwrap(),
        group: "239.2.3.1".parse().unwrap(),
        port: 6969,
        iface: "a0",
        ttl: Some(1),
        seq,
        truncated: false,
    };
    let mut out = Vec::new();
    output::write_text(&mut out, &info, data, false);
    assert_terminal_safe(&out, "text");
    out.clear();
    output::write_hex(&mut out, &info, data, false);
    assert_terminal_safe(&out, "hex");
    out.clear();
    let mut scratch = JsonScratch::default();
    output::write_json(&mut out, &info, data, &mut scratch);
    // JSON is as terminal-safe as the text formats: DEL, C1, bidi and
    // zero-width characters are \u escapes.
    assert_terminal_safe(&out, "json");
    let v: serde_json::Value = serde_json::from_slice(out.trim_ascii_end())
        .unwrap_or_else(|e| panic!("invalid JSON {e}: {}", String::from_utf8_lossy(&out)));
    // The payload (what follows any sequence header) is in exactly one of
    // `text` and `base64`, exactly.
    let body = if seq.is_some() { &data[mcast::seq::HEADER_LEN..] } else { data };
    let back = match (v.get("text").and_then(|t| t.as_str()), v.get("base64")) {
        (Some(t), None) => t.as_bytes().to_vec(),
        (None, Some(b)) => base64::engine::general_purpose::STANDARD
            .decode(b.as_str().expect("base64 is a string"))
            .expect("valid base64"),
        _ => panic!("not exactly one of text and base64: {v}"),
    };
    assert_eq!(back, body);
    assert_eq!(v["len"].as_u64(), Some(data.len() as u64));
    if let Ok(ev) = mcast::cot::decode_datagram(data) {
        let mut line = String::new();
        mcast::cot::write_summary(&ev, 0, &mut line);
        assert_terminal_safe(line.as_bytes(), "cot");
    }
});
