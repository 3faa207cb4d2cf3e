//! Terminal safety: the one policy for showing untrusted text (payloads,
//! interface names, CoT strings, error messages that echo input).
//!
//! A character is shown as it is unless [`is_unsafe`] says otherwise; unsafe
//! characters become `\xNN` (below U+0100) or `\u{N}`, and the backslash is
//! doubled, so the escaped text is unambiguous. Unsafe means: C0 controls,
//! DEL and C1 controls (which terminals interpret: cursor movement, title
//! changes, OSC 8 links) and invisible format characters that reorder or
//! hide text (bidi embeddings, overrides and isolates, zero-width
//! characters, line and paragraph separators, soft hyphen, BOM, interlinear
//! annotation marks): the "Trojan Source" set of CVE-2021-42574 and more.
//!
//! Raw bytes ([`push_bytes`]) follow the same rule per UTF-8 character, and
//! every byte that is not part of valid UTF-8 becomes `\xNN`.

use std::fmt::Write as _;

/// True for characters that must not reach a terminal raw.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

/// Appends the escape of one unsafe character.
fn push_escape(out: &mut String, c: char) {
    let v = u32::from(c);
    // Writing to a String cannot fail.
    let _ = if v < 0x100 {
        write!(out, "\\x{v:02x}")
    } else {
        write!(out, "\\u{{{v:x}}}")
    };
}

/// Appends `s` with unsafe characters escaped and `\` doubled.
pub fn push_str(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if is_unsafe(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
}

/// `s` with only its unsafe characters escaped (backslashes kept as they
/// are): for messages whose own quoting (`{:?}`) already made them
/// unambiguous, such as errors that echo user input.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` made safe for a terminal (see [`push_str`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_str(&mut out, s);
    out
}

/// Appends `s` in double quotes, with unsafe characters escaped and `"`
/// and `\` backslash-escaped, so one quoted value can never look like two.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if is_unsafe(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

/// Appends raw bytes: printable ASCII and safe UTF-8 characters as they
/// are, `\` doubled, and everything else (controls, unsafe characters,
/// bytes that are not valid UTF-8) as `\xNN` per byte, so the original
/// bytes can be read back from the output.
pub fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hex = |out: &mut Vec<u8>, b: u8| {
        out.extend_from_slice(&[
            b'\\',
            b'x',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 15)],
        ]);
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' => {
                out.extend_from_slice(b"\\\\");
                i += 1;
            }
            0x20..=0x7e => {
                // Runs of plain ASCII are the common case: copy them at once.
                let run = bytes[i..]
                    .iter()
                    .position(|&c| !(0x20..=0x7e).contains(&c) || c == b'\\')
                    .unwrap_or(bytes.len() - i);
                out.extend_from_slice(&bytes[i..i + run]);
                i += run;
            }
            0x80.. => {
                let len = match b {
                    0xc2..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf4 => 4,
                    _ => 0,
                };
                let ch = bytes
                    .get(i..i + len)
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .and_then(|s| s.chars().next());
                match ch {
                    Some(c) if !is_unsafe(c) => {
                        out.extend_from_slice(&bytes[i..i + len]);
                        i += len;
                    }
                    Some(_) => {
                        for &x in &bytes[i..i + len] {
                            hex(out, x);
                        }
                        i += len;
                    }
                    None => {
                        hex(out, b);
                        i += 1;
                    }
                }
            }
            _ => {
                hex(out, b);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: &[u8]) -> String {
        let mut v = Vec::new();
        push_bytes(&mut v, b);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn one_table_for_strings_and_bytes() {
        assert_eq!(escape("eth0"), "eth0");
        assert_eq!(escape("a\x1b]0;x\x07b"), "a\\x1b]0;x\\x07b");
        assert_eq!(
            escape("x\u{202e}y\u{200b}\u{85}"),
            "x\\u{202e}y\\u{200b}\\x85"
        );
        assert_eq!(escape("c:\\d"), "c:\\\\d");
        assert_eq!(escape("café"), "café");
        assert_eq!(bytes(b"hi\x1b[2J\\\n\xff"), "hi\\x1b[2J\\\\\\x0a\\xff");
        assert_eq!(bytes("café".as_bytes()), "café");
        // U+202E in UTF-8 is escaped byte by byte; DEL and C1 too.
        assert_eq!(bytes("a\u{202e}".as_bytes()), "a\\xe2\\x80\\xae");
        assert_eq!(bytes(b"\x7f\xc2\x85"), "\\x7f\\xc2\\x85");
        // Truncated and overlong sequences are bytes, not characters.
        assert_eq!(bytes(b"\xe2\x80"), "\\xe2\\x80");
        assert_eq!(bytes(b"\xc0\xaf"), "\\xc0\\xaf");
        let mut q = String::new();
        push_quoted(&mut q, "a \"b\"\\\n");
        assert_eq!(q, "\"a \\\"b\\\"\\\\\\x0a\"");
    }

    #[test]
    fn output_never_holds_an_unsafe_character() {
        let mut all = Vec::new();
        for b in 0u8..=255 {
            all.push(b);
        }
        all.extend_from_slice("\u{202e}\u{2066}\u{feff}\u{ad}".as_bytes());
        let s = bytes(&all);
        assert!(!s.chars().any(is_unsafe), "{s:?}");
        assert!(!escape(&String::from_utf8_lossy(&all))
            .chars()
            .any(is_unsafe));
    }
}
