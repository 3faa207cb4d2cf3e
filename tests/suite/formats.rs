//! `listen` output formats: `hexdump -C` layout, and text that never lets a
//! terminal escape sequence through.

use crate::util::pair;
use crate::{assert_code, finish, json, listen, payload, send, stdout};

/// One header line `TIME SRC -> GROUP:PORT on IFACE ttl=N len=N`; checks all
/// but the time and the source port.
#[track_caller]
fn check_header(line: &str, len: usize) {
    let w: Vec<&str> = line.split(' ').collect();
    assert_eq!(w.len(), 8, "{line:?}");
    assert!(
        w[0].ends_with('Z') && w[0].contains('T'),
        "RFC 3339 time: {line:?}"
    );
    assert!(w[1].starts_with("10.77.0.1:"), "{line:?}");
    let len = format!("len={len}");
    assert_eq!(
        w[2..],
        ["->", "239.1.1.1:5000", "on", "a0", "ttl=1", &len],
        "{line:?}"
    );
}

const DUMPED: &[u8] = b"Hello, multicast world!\x00\x01";

#[test]
fn hex_format_is_hexdump_c() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "-c", "1", "-f", "hex"],
    );
    let hex: String = DUMPED.iter().map(|b| format!("{b:02x}")).collect();
    send(&lab, "h1", &["239.1.1.1:5000", "--hex", &hex]);
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let out = stdout(&o);
    let (header, dump) = out.split_once('\n').expect("a header line");
    check_header(header, DUMPED.len());
    let want = "\
00000000  48 65 6c 6c 6f 2c 20 6d  75 6c 74 69 63 61 73 74  |Hello, multicast|
00000010  20 77 6f 72 6c 64 21 00  01                       | world!..|
00000019
";
    assert_eq!(dump, want);
    // The real thing, where installed (util-linux/bsdextrautils).
    let real = lab.run_input("h2", "hexdump", &["-C"], DUMPED);
    if real.status.success() {
        assert_eq!(dump, stdout(&real));
    }
}

#[test]
fn text_format_escapes_control_bytes() {
    let lab = pair!();
    let mut plain = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "-c", "1"],
    );
    let args = ["239.1.1.2:5000", "-c", "1", "--color", "always"];
    let mut colored = listen(&lab, "h2", "a0", "239.1.1.2", &args);
    let args = ["239.1.1.3:5000", "-c", "1", "-f", "json"];
    let mut as_json = listen(&lab, "h2", "a0", "239.1.1.3", &args);
    // ESC [2J (clear screen), ESC ]0;title BEL, a backslash, tab, 0xff, NUL.
    let evil = b"\x1b[2Jhi\x1b]0;owned\x07 \\ a\tb \xff\x00";
    let hex: String = evil.iter().map(|b| format!("{b:02x}")).collect();
    for g in ["239.1.1.1", "239.1.1.2", "239.1.1.3"] {
        send(&lab, "h1", &[&format!("{g}:5000"), "--hex", &hex]);
    }
    let want = r"  \x1b[2Jhi\x1b]0;owned\x07 \\ a\x09b \xff\x00";

    let o = finish(&mut plain);
    assert_code(&o, 0);
    assert!(!o.stdout.contains(&0x1b), "a raw ESC in {:?}", stdout(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    check_header(lines[0], evil.len());
    assert_eq!(lines[1], want);

    // Colour decorates the header only; the payload is escaped the same.
    let o = finish(&mut colored);
    assert_code(&o, 0);
    let out = stdout(&o);
    let payload_line = out.lines().nth(1).expect("payload line");
    assert_eq!(payload_line, want);

    // JSON: no `text` for control characters, exact bytes in base64.
    let o = finish(&mut as_json);
    assert_code(&o, 0);
    let j = json(&o);
    assert!(j.datagrams[0].get("text").is_none(), "{}", j.datagrams[0]);
    assert_eq!(payload(&j.datagrams[0]), evil);
    assert!(!o.stdout.contains(&0x1b));
}
