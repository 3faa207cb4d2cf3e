//! Formatting received datagrams: text, hexdump, JSON Lines, raw. Pure: the
//! functions append to a caller-owned `Vec<u8>` (the batch's output buffer)
//! and allocate nothing per datagram.
//!
//! A packet dumper prints bytes that strangers chose: every byte outside
//! printable ASCII is escaped, so no terminal escape sequence ever passes.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use base64::Engine;

use crate::seq::SeqHeader;
use crate::term;

/// What is known about one datagram, for printing.
#[derive(Debug, Clone, Copy)]
pub struct Info<'a> {
    /// Receive time, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// Sender.
    pub src: SocketAddr,
    /// Destination group.
    pub group: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Arrival interface name ("" when unknown).
    pub iface: &'a str,
    /// TTL or hop limit on arrival.
    pub ttl: Option<u8>,
    /// The sequence header, when the payload carries one.
    pub seq: Option<SeqHeader>,
    /// The payload was cut to the buffer size.
    pub truncated: bool,
}

/// Writes `ns` since the epoch as RFC 3339 UTC with microseconds:
/// `2026-11-21T07:34:55.123456Z`.
pub fn write_rfc3339(out: &mut Vec<u8>, ns: u64) {
    // Datagrams arrive many per second: the calendar part is computed once
    // per second (per thread) and the microseconds appended by hand.
    thread_local! {
        static PREFIX: std::cell::Cell<(u64, [u8; 20])> = const { std::cell::Cell::new((u64::MAX, [0; 20])) };
    }
    let secs = ns / 1_000_000_000;
    let micros = ((ns % 1_000_000_000) / 1_000) as u32;
    let prefix = PREFIX.with(|c| {
        let (s, p) = c.get();
        if s == secs {
            return p;
        }
        let mut p = *b"1970-01-01T00:00:00.";
        // u64 seconds fit i64 for the next 292 billion years.
        let s = i64::try_from(secs).unwrap_or(i64::MAX);
        let (y, mo, d) = crate::cot::time::civil_from_days(s.div_euclid(86_400));
        let rem = s.rem_euclid(86_400);
        if (0..=9999).contains(&y) {
            let mut w = &mut p[..];
            let _ = write!(
                w,
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.",
                rem / 3600,
                rem / 60 % 60,
                rem % 60
            );
        }
        c.set((secs, p));
        p
    });
    out.extend_from_slice(&prefix);
    let mut digits = [b'0'; 6];
    let mut m = micros;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (m % 10) as u8;
        m /= 10;
    }
    out.extend_from_slice(&digits);
    out.push(b'Z');
}

fn write_src(out: &mut Vec<u8>, a: &SocketAddr) {
    let _ = match a {
        SocketAddr::V6(v6) => write!(out, "[{}]:{}", v6.ip(), v6.port()),
        SocketAddr::V4(v4) => write!(out, "{v4}"),
    };
}

fn write_group(out: &mut Vec<u8>, g: &IpAddr, port: u16) {
    let _ = write!(out, "{}", SocketAddr::new(*g, port));
}

/// The start of a header line, `TIME SRC -> GROUP:PORT`, for formats that
/// complete the line themselves (CoT).
pub fn write_header_start(out: &mut Vec<u8>, i: &Info, color: bool) {
    if color {
        out.extend_from_slice(b"\x1b[2m");
    }
    write_rfc3339(out, i.time_ns);
    if color {
        out.extend_from_slice(b"\x1b[0m\x1b[36m");
    }
    out.push(b' ');
    write_src(out, &i.src);
    out.extend_from_slice(b" -> ");
    write_group(out, &i.group, i.port);
    if color {
        out.extend_from_slice(b"\x1b[0m");
    }
}

/// The header line shared by the text and hex formats:
/// `TIME SRC -> GROUP:PORT on IFACE ttl=N len=N [seq=N]`.
pub fn write_header(out: &mut Vec<u8>, i: &Info, len: usize, color: bool) {
    write_header_start(out, i, color);
    if !i.iface.is_empty() {
        out.extend_from_slice(b" on ");
        term::push_bytes(out, i.iface.as_bytes());
    }
    if let Some(t) = i.ttl {
        let _ = write!(out, " ttl={t}");
    }
    let _ = write!(out, " len={len}");
    if let Some(s) = i.seq {
        let _ = write!(out, " seq={}", s.seq);
    }
    if i.truncated {
        out.extend_from_slice(b" TRUNCATED");
    }
    out.push(b'\n');
}

/// Text format: the header line, then the escaped payload indented by two
/// spaces (the sequence header, when present, is not repeated in it).
pub fn write_text(out: &mut Vec<u8>, i: &Info, payload: &[u8], color: bool) {
    write_header(out, i, payload.len(), color);
    out.extend_from_slice(b"  ");
    let body = if i.seq.is_some() {
        &payload[crate::seq::HEADER_LEN..]
    } else {
        payload
    };
    term::push_bytes(out, body);
    out.push(b'\n');
}

/// Hex format: the header line, then a `hexdump -C` style dump.
pub fn write_hex(out: &mut Vec<u8>, i: &Info, payload: &[u8], color: bool) {
    write_header(out, i, payload.len(), color);
    hexdump(out, payload);
}

/// `hexdump -C` layout: offset, 16 bytes in two groups of 8, ASCII column.
pub fn hexdump(out: &mut Vec<u8>, data: &[u8]) {
    for (line, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "{:08x} ", line * 16);
        for k in 0..16 {
            if k == 8 {
                out.push(b' ');
            }
            match chunk.get(k) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.extend_from_slice(b"   "),
            }
        }
        out.extend_from_slice(b"  |");
        for &b in chunk {
            out.push(if (0x20..=0x7e).contains(&b) { b } else { b'.' });
        }
        out.extend_from_slice(b"|\n");
    }
    let _ = writeln!(out, "{:08x}", data.len());
}

/// True when the bytes are UTF-8 without control characters (tab, CR and LF
/// allowed), i.e. safe and meaningful to show as JSON `text`.
pub fn is_clean_text(payload: &[u8]) -> Option<&str> {
    // Fast path: printable ASCII plus tab/CR/LF, the common case.
    if payload
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return std::str::from_utf8(payload).ok();
    }
    let s = std::str::from_utf8(payload).ok()?;
    (!s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
    .then_some(s)
}

/// Writes `bytes` as a JSON string when they are printable ASCII (plus tab,
/// CR, LF), in one pass that both checks and escapes; returns false, having
/// written nothing, otherwise. The common case of text payloads thus skips
/// UTF-8 validation and a second scan.
fn write_json_ascii(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let start = out.len();
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight plain bytes at a time; look closer only at a word
        // that holds something to escape or refuse.
        if let Some(w) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            if !needs_attention(w) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        while i < end {
            let b = bytes[i];
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x20..=0x7e => {
                    i += 1;
                    continue;
                }
                _ => {
                    out.truncate(start);
                    return false;
                }
            };
            out.extend_from_slice(&bytes[run..i]);
            out.extend_from_slice(esc);
            i += 1;
            run = i;
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
    true
}

/// True when any byte of the word is below 0x20, 0x7f or above, `"` or `\`
/// (the classic "has a byte less than / equal to" bit tricks: exact for
/// "any", which is all we ask).
fn needs_attention(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let equal = |c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    (below(0x20) | (w & HIGH) | equal(b'"') | equal(b'\\') | equal(0x7f)) != 0
}

/// serde_json's compact formatter, but strings also escape (as `\uXXXX`)
/// every character the terminal-safety policy flags: DEL, C1 controls,
/// bidi overrides, zero-width characters. serde_json escapes only C0, `"`
/// and `\`, so `cat capture.jsonl` could otherwise reorder a terminal line.
struct SafeJson;

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            if term::is_unsafe(c) {
                w.write_all(&fragment.as_bytes()[last..i])?;
                // Every unsafe character is in the Basic Multilingual Plane.
                write!(w, "\\u{:04x}", u32::from(c))?;
                last = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[last..])
    }
}

/// Writes `v` as compact JSON with the terminal-safe string escaping of
/// `SafeJson`. Writing to a `Vec` cannot fail.
pub fn write_json_value<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    let mut ser = serde_json::Serializer::with_formatter(out, SafeJson);
    let _ = v.serialize(&mut ser);
}

/// What repeats from one JSON line to the next, rendered once: the source,
/// and the group, port and interface (which change only when the datagram
/// comes from another sender, socket or link).
#[derive(Debug, Default)]
pub struct JsonScratch {
    src: Option<SocketAddr>,
    src_json: Vec<u8>,
    place: Option<(IpAddr, u16)>,
    place_iface: String,
    place_json: Vec<u8>,
}

impl JsonScratch {
    fn src(&mut self, src: &SocketAddr) -> &[u8] {
        if self.src != Some(*src) {
            self.src = Some(*src);
            self.src_json.clear();
            self.src_json.extend_from_slice(b",\"src\":\"");
            write_src(&mut self.src_json, src);
            self.src_json.push(b'"');
        }
        &self.src_json
    }

    fn place(&mut self, group: IpAddr, port: u16, iface: &str) -> &[u8] {
        if self.place != Some((group, port)) || self.place_iface != iface {
            self.place = Some((group, port));
            self.place_iface.clear();
            self.place_iface.push_str(iface);
            let j = &mut self.place_json;
            j.clear();
            let _ = write!(j, ",\"group\":\"{group}\",\"port\":{port},\"iface\":");
            write_json_value(j, iface);
        }
        &self.place_json
    }
}

fn push_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Nanoseconds as microseconds with one decimal, rounded half away from
/// zero (`12345` → `12.3`, `-650` → `-0.7`), without going through floats.
fn push_micros_1dp(out: &mut Vec<u8>, ns: i64) {
    if ns < 0 {
        out.push(b'-');
    }
    let tenths = (ns.unsigned_abs() + 50) / 100;
    push_int(out, tenths / 10);
    out.push(b'.');
    out.push(b'0' + (tenths % 10) as u8);
}

/// JSON format: one object per line.
///
/// Fields: `time` (RFC 3339), `src`, `group`, `port`, `iface`, `ttl`, `len`
/// (of the whole payload), `seq`, `sent` and `latency_us` (when the payload
/// starts with mcast's sequence header), `truncated`, then the payload
/// (after any sequence header) as exactly one of `text` (when it is UTF-8
/// without control characters other than tab, CR and LF) or `base64`.
pub fn write_json(out: &mut Vec<u8>, i: &Info, payload: &[u8], scratch: &mut JsonScratch) {
    write_json_fields(out, i, payload, scratch);
    out.extend_from_slice(b"}\n");
}

/// [`write_json`] without the closing `}` and newline, so that the caller
/// can append fields (e.g. decoded CoT).
pub fn write_json_fields(out: &mut Vec<u8>, i: &Info, payload: &[u8], scratch: &mut JsonScratch) {
    out.extend_from_slice(b"{\"time\":\"");
    write_rfc3339(out, i.time_ns);
    out.push(b'"');
    out.extend_from_slice(scratch.src(&i.src));
    out.extend_from_slice(scratch.place(i.group, i.port, i.iface));
    match i.ttl {
        Some(t) => {
            out.extend_from_slice(b",\"ttl\":");
            push_int(out, t);
        }
        None => out.extend_from_slice(b",\"ttl\":null"),
    }
    out.extend_from_slice(b",\"len\":");
    push_int(out, payload.len());
    if let Some(s) = i.seq {
        out.extend_from_slice(b",\"seq\":");
        push_int(out, s.seq);
        out.extend_from_slice(b",\"sent\":\"");
        write_rfc3339(out, s.sent_ns);
        out.push(b'"');
        // A send time implausibly far from the arrival (a wrong clock or a
        // forged header) gives no latency rather than a nonsense number.
        if let Some(lat) = crate::seq::latency_ns(i.time_ns, s.sent_ns) {
            out.extend_from_slice(b",\"latency_us\":");
            push_micros_1dp(out, lat);
        }
    }
    if i.truncated {
        out.extend_from_slice(b",\"truncated\":true");
    }
    // The header is shown as `seq` and `sent`: the payload fields hold
    // what follows it.
    let body = if i.seq.is_some() {
        &payload[crate::seq::HEADER_LEN..]
    } else {
        payload
    };
    let mark = out.len();
    out.extend_from_slice(b",\"text\":");
    if write_json_ascii(out, body) {
        return;
    }
    if let Some(t) = is_clean_text(body) {
        write_json_value(out, t);
        return;
    }
    out.truncate(mark);
    out.extend_from_slice(b",\"base64\":\"");
    // Encoded straight into the line: no intermediate string.
    let start = out.len();
    let n = base64::encoded_len(body.len(), true).unwrap_or(0);
    out.resize(start + n, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(body, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_what_a_terminal_must_not_see() {
        let mut v = Vec::new();
        write_json_value(&mut v, "a\u{202e}b\u{7f}c\u{85}d\u{200b}\"\n");
        assert_eq!(
            String::from_utf8(v).unwrap(),
            r#""a\u202eb\u007fc\u0085d\u200b\"\n""#
        );
        // A datagram's `text` too.
        let mut out = Vec::new();
        let mut scratch = JsonScratch::default();
        write_json(
            &mut out,
            &info(),
            "evil\u{202e}txt".as_bytes(),
            &mut scratch,
        );
        let line = String::from_utf8(out).unwrap();
        assert!(line.contains(r#""text":"evil\u202etxt""#), "{line}");
        assert!(!line.contains('\u{202e}'));
    }

    fn info() -> Info<'static> {
        Info {
            time_ns: 1_767_225_600_123_456_789,
            src: "10.77.0.1:40000".parse().unwrap(),
            group: "239.2.3.1".parse().unwrap(),
            port: 6969,
            iface: "a0",
            ttl: Some(1),
            seq: None,
            truncated: false,
        }
    }

    #[test]
    fn time_format() {
        let mut v = Vec::new();
        write_rfc3339(&mut v, 1_767_225_600_123_456_789);
        assert_eq!(v, b"2026-01-01T00:00:00.123456Z");
        // The per-second cache must follow the clock in both directions.
        v.clear();
        write_rfc3339(&mut v, 1_767_225_661_000_000_007);
        assert_eq!(v, b"2026-01-01T00:01:01.000000Z");
        v.clear();
        write_rfc3339(&mut v, 0);
        assert_eq!(v, b"1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn text_escapes_terminal_sequences() {
        let mut v = Vec::new();
        write_text(&mut v, &info(), b"hi\x1b[2J\\\n\xff", false);
        let s = String::from_utf8(v).unwrap();
        assert_eq!(
            s,
            "2026-01-01T00:00:00.123456Z 10.77.0.1:40000 -> 239.2.3.1:6969 on a0 ttl=1 len=9\n  hi\\x1b[2J\\\\\\x0a\\xff\n"
        );
        assert!(!s.contains('\x1b'));
    }

    #[test]
    fn hexdump_matches_hexdump_c() {
        let mut v = Vec::new();
        hexdump(&mut v, b"Hello, multicast world!\x00\x01");
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "00000000  48 65 6c 6c 6f 2c 20 6d  75 6c 74 69 63 61 73 74  |Hello, multicast|\n\
             00000010  20 77 6f 72 6c 64 21 00  01                       | world!..|\n\
             00000019\n"
        );
    }

    proptest::proptest! {
        /// Whatever the payload, the line is valid JSON, `base64` holds it
        /// exactly, and `text` is present exactly when it is clean text.
        #[test]
        fn json_text_is_exact(payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), ascii in "[ -~\t\r\n\"\\\\]{0,40}") {
            for p in [payload.as_slice(), ascii.as_bytes()] {
                let mut v = Vec::new();
                write_json(&mut v, &info(), p, &mut JsonScratch::default());
                let j: serde_json::Value = serde_json::from_slice(&v).unwrap();
                let text = j.get("text").and_then(|t| t.as_str());
                proptest::prop_assert_eq!(text, is_clean_text(p));
                // Exactly one of the two carries the payload.
                proptest::prop_assert_eq!(text.is_some(), j.get("base64").is_none());
                let b = match text {
                    Some(t) => t.as_bytes().to_vec(),
                    None => base64::engine::general_purpose::STANDARD.decode(j["base64"].as_str().unwrap()).unwrap(),
                };
                proptest::prop_assert_eq!(&b[..], p);
            }
        }
    }

    #[test]
    fn word_check_is_exact_for_every_byte_and_position() {
        for b in 0..=255u8 {
            let special = !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\';
            for pos in 0..8 {
                let mut w = [b'a'; 8];
                w[pos] = b;
                assert_eq!(
                    needs_attention(u64::from_le_bytes(w)),
                    special,
                    "byte {b:#x} at {pos}"
                );
            }
        }
    }

    #[test]
    fn json_lines() {
        let mut v = Vec::new();
        let mut s = JsonScratch::default();
        write_json(&mut v, &info(), b"hello", &mut s);
        let j: serde_json::Value = serde_json::from_slice(&v).unwrap();
        assert_eq!(j["text"], "hello");
        assert!(j.get("base64").is_none(), "{j}");
        assert_eq!(j["src"], "10.77.0.1:40000");
        assert_eq!(j["group"], "239.2.3.1");
        assert_eq!(j["ttl"], 1);
        v.clear();
        write_json(&mut v, &info(), b"\x1b[31mred", &mut s);
        let j: serde_json::Value = serde_json::from_slice(&v).unwrap();
        assert!(j.get("text").is_none());
        assert_eq!(j["base64"], "G1szMW1yZWQ=");
        v.clear();
        let mut i = info();
        i.iface = "we\"ird";
        write_json(&mut v, &i, b"\xff\xfe", &mut s);
        let j: serde_json::Value = serde_json::from_slice(&v).unwrap();
        assert_eq!(j["iface"], "we\"ird");
        assert_eq!(j["base64"], "//4=");
    }

    #[test]
    fn json_with_a_sequence_header_and_changing_parts() {
        let mut s = JsonScratch::default();
        let mut payload = vec![0u8; crate::seq::HEADER_LEN];
        let h = SeqHeader {
            seq: 7,
            sent_ns: 1_767_225_600_123_456_789 - 12_350,
        };
        h.write(&mut payload);
        payload.extend_from_slice(b"tick");
        let mut i = info();
        i.seq = Some(h);
        let mut v = Vec::new();
        write_json(&mut v, &i, &payload, &mut s);
        assert_eq!(
            String::from_utf8(v.clone()).unwrap(),
            "{\"time\":\"2026-01-01T00:00:00.123456Z\",\"src\":\"10.77.0.1:40000\",\"group\":\"239.2.3.1\",\"port\":6969,\"iface\":\"a0\",\"ttl\":1,\"len\":24,\"seq\":7,\"sent\":\"2026-01-01T00:00:00.123444Z\",\"latency_us\":12.4,\"text\":\"tick\"}\n"
        );
        // The rendered source and place follow the datagram.
        i.src = "[fe80::1]:9".parse().unwrap();
        i.group = "ff02::1".parse().unwrap();
        i.iface = "b0";
        i.ttl = None;
        i.seq = None;
        v.clear();
        write_json(&mut v, &i, b"\x00", &mut s);
        let line = String::from_utf8(v).unwrap();
        assert!(
            line.contains(r#""src":"[fe80::1]:9","group":"ff02::1","port":6969,"iface":"b0","ttl":null,"len":1,"base64":"AA==""#),
            "{line}"
        );
        let mut m = Vec::new();
        push_micros_1dp(&mut m, -650);
        assert_eq!(m, b"-0.7");
        m.clear();
        push_micros_1dp(&mut m, 49);
        assert_eq!(m, b"0.0");
    }
}
