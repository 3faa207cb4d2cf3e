//! XML escaping and unescaping, and terminal-safe escaping.
//!
//! Decision on characters XML 1.0 forbids outright (U+0000–U+0008, U+000B,
//! U+000C, U+000E–U+001F, U+FFFE, U+FFFF): they are **refused** with
//! [`CotError::InvalidChar`], never silently replaced. Replacing would make
//! the writer emit something other than what the user asked for, and a CoT
//! reader that sees them could not parse the frame anyway. The reader refuses
//! them too (also when produced by `&#N;`), so anything decoded can be
//! re-written.

use super::error::CotError;
use std::borrow::Cow;

/// True for the characters the XML 1.0 `Char` production allows.
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

// Byte classes for `xml_chars_prefix`.
/// Allowed anywhere as it is.
const PLAIN: u8 = 0;
/// `&`: allowed in text, but attribute values must be rewritten.
const SPECIAL: u8 = 1;
/// TAB, LF and CR: likewise (they are the only allowed ASCII controls).
const TEXT_WS: u8 = 2;
/// The other ASCII controls.
const FORBIDDEN: u8 = 3;
/// First byte of U+FFFE/U+FFFF, and of allowed characters: look further.
const LEAD_EF: u8 = 4;

/// The class of each byte, looked up rather than matched because every
/// attribute value and text node is scanned with it.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = FORBIDDEN;
        i += 1;
    }
    t[b'\t' as usize] = TEXT_WS;
    t[b'\n' as usize] = TEXT_WS;
    t[b'\r' as usize] = TEXT_WS;
    t[b'&' as usize] = SPECIAL;
    t[0xEF] = LEAD_EF;
    t
};

/// Length of the longest prefix of `b` made of characters XML 1.0 allows,
/// stopping early at `&`, TAB, LF and CR when `stop_at_special` is set.
///
/// Works on bytes, without decoding: in valid UTF-8 the only characters
/// [`is_xml_char`] refuses are the ASCII controls other than TAB/LF/CR and
/// U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF`); surrogates cannot occur. The
/// prefix therefore always ends on a char boundary.
fn xml_chars_prefix(b: &[u8], stop_at_special: bool) -> usize {
    for (i, &c) in b.iter().enumerate() {
        match BYTE_CLASS[usize::from(c)] {
            PLAIN => {}
            SPECIAL if !stop_at_special => {}
            TEXT_WS if !stop_at_special => {}
            LEAD_EF if !matches!(b.get(i + 1..i + 3), Some(&[0xBF, 0xBE | 0xBF])) => {}
            _ => return i,
        }
    }
    b.len()
}

/// The code point of the character starting at byte `i` of `s`, which
/// [`xml_chars_prefix`] stopped at.
fn invalid_char_at(s: &str, i: usize) -> CotError {
    let c = s.get(i..).and_then(|r| r.chars().next()).unwrap_or('\0');
    CotError::InvalidChar {
        codepoint: u32::from(c),
    }
}

/// Checks that every character of `s` may appear in an XML 1.0 document.
pub fn check_xml_chars(s: &str) -> Result<(), CotError> {
    let n = xml_chars_prefix(s.as_bytes(), false);
    if n == s.len() {
        Ok(())
    } else {
        Err(invalid_char_at(s, n))
    }
}

/// A byte sink the escaper can append to: `Vec<u8>` for frames, `String`
/// for `xml_detail` fragments (so no UTF-8 re-validation is needed).
pub trait XmlSink {
    /// Appends `s`.
    fn put(&mut self, s: &str);
}

impl XmlSink for Vec<u8> {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

impl XmlSink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Shared escaper. In attributes, TAB/LF/CR become character references
/// because a reader must normalise literal ones to spaces (XML 1.0 §3.3.3);
/// in text only CR needs that (§2.11 folds CR into LF). Runs are copied
/// between ASCII special bytes, which are always char boundaries.
fn escape_into<O: XmlSink>(s: &str, out: &mut O, attr: bool) -> Result<(), CotError> {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\r' => "&#13;",
            // A newline is a character reference in text too, so that an
            // event is always one line (`cot-gen | mcast send` sends one
            // datagram per event); XML readers see the same newline.
            b'\n' => "&#10;",
            b'\t' if attr => "&#9;",
            b'\t' => continue,
            0..=0x1f => {
                return Err(CotError::InvalidChar {
                    codepoint: u32::from(b),
                })
            }
            // U+FFFE / U+FFFF are encoded EF BF BE / EF BF BF.
            0xEF => {
                if let Some(&[0xBF, c @ (0xBE | 0xBF)]) = bytes.get(i + 1..i + 3) {
                    return Err(CotError::InvalidChar {
                        codepoint: if c == 0xBE { 0xFFFE } else { 0xFFFF },
                    });
                }
                continue;
            }
            _ => continue,
        };
        out.put(s.get(start..i).unwrap_or_default());
        out.put(rep);
        start = i + 1;
    }
    out.put(s.get(start..).unwrap_or_default());
    Ok(())
}

/// Appends `s` escaped for use inside a double-quoted attribute value.
pub fn escape_attr<O: XmlSink>(s: &str, out: &mut O) -> Result<(), CotError> {
    escape_into(s, out, true)
}

/// Appends `s` escaped for use as element text content.
pub fn escape_text<O: XmlSink>(s: &str, out: &mut O) -> Result<(), CotError> {
    escape_into(s, out, false)
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}'
            | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Validates an element or attribute name (XML 1.0 5th ed. `Name`), so that
/// re-serialised unknown elements can never inject markup.
pub fn check_name(name: &str) -> Result<(), CotError> {
    // Fast path for the ASCII names every real event uses.
    let b = name.as_bytes();
    if b.first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':'))
    {
        return Ok(());
    }
    let mut it = name.chars();
    let ok = it.next().is_some_and(is_name_start) && it.all(is_name_char);
    if ok {
        Ok(())
    } else {
        Err(CotError::InvalidName(name.chars().take(64).collect()))
    }
}

/// Resolves an entity reference body (`lt`, `#60`, `#x3C`, ...). Only the
/// five predefined entities and character references exist for us: no DTD
/// is ever read, so nothing else can be defined.
pub fn resolve_entity(name: &str) -> Result<char, CotError> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name
                .strip_prefix("#x")
                .map(|h| (h, 16))
                .or_else(|| name.strip_prefix('#').map(|d| (d, 10)));
            let unknown = || CotError::UnknownEntity(name.chars().take(32).collect());
            let (digits, radix) = num.ok_or_else(unknown)?;
            // from_str_radix accepts a leading '+', which XML does not.
            if digits.is_empty() || digits.len() > 8 || digits.starts_with('+') {
                return Err(unknown());
            }
            let v = u32::from_str_radix(digits, radix).map_err(|_| unknown())?;
            char::from_u32(v).ok_or(CotError::InvalidChar { codepoint: v })?
        }
    };
    if is_xml_char(c) {
        Ok(c)
    } else {
        Err(CotError::InvalidChar {
            codepoint: u32::from(c),
        })
    }
}

/// Unescapes and normalises a raw attribute value (XML 1.0 §3.3.3: literal
/// TAB/CR/LF become spaces, CRLF one space; references are expanded after
/// that, so `&#10;` survives as a newline). Borrows when nothing changes.
pub fn unescape_attr(raw: &str) -> Result<Cow<'_, str>, CotError> {
    // One pass over the bytes finds both what needs rewriting and forbidden
    // characters; almost every value has neither and is borrowed.
    if xml_chars_prefix(raw.as_bytes(), true) == raw.len() {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        // Plain runs are copied whole; forbidden characters stop the run
        // and are refused below.
        if !matches!(c, '&' | '\t' | '\n' | '\r') {
            let n = xml_chars_prefix(rest.as_bytes(), true);
            if n > 0 {
                out.push_str(rest.get(..n).unwrap_or_default());
                rest = rest.get(n..).unwrap_or_default();
                continue;
            }
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
        match c {
            '&' => {
                let end = rest.find(';').ok_or(CotError::Xml(
                    "unterminated entity reference in attribute".into(),
                ))?;
                out.push(resolve_entity(rest.get(..end).unwrap_or_default())?);
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '\r' => {
                rest = rest.strip_prefix('\n').unwrap_or(rest);
                out.push(' ');
            }
            '\t' | '\n' => out.push(' '),
            c if is_xml_char(c) => out.push(c),
            c => {
                return Err(CotError::InvalidChar {
                    codepoint: u32::from(c),
                })
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Appends literal text content to `out` with XML 1.0 line-end
/// normalisation (CRLF and lone CR become LF), refusing forbidden chars.
pub fn push_text_normalized(raw: &str, out: &mut String) -> Result<(), CotError> {
    if !raw.contains('\r') {
        check_xml_chars(raw)?;
        out.push_str(raw);
        return Ok(());
    }
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\r' {
            it.next_if_eq(&'\n');
            out.push('\n');
        } else if is_xml_char(c) {
            out.push(c);
        } else {
            return Err(CotError::InvalidChar {
                codepoint: u32::from(c),
            });
        }
    }
    Ok(())
}

/// Appends a value for a `key=value` summary: bare when it is a simple token,
/// otherwise quoted and escaped so one value can never look like two.
pub fn push_terminal_value(s: &str, out: &mut String) {
    // Printable ASCII other than space, `"`, `=` and `\` is what uids, types
    // and callsigns are made of, and is a simple token copied as it is.
    if !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, b'!'..=b'~') && !matches!(b, b'"' | b'=' | b'\\'))
    {
        out.push_str(s);
        return;
    }
    let simple = !s.is_empty()
        && s.chars().all(|c| {
            !c.is_whitespace() && !matches!(c, '"' | '=' | '\\') && !crate::term::is_unsafe(c)
        });
    if simple {
        crate::term::push_str(out, s);
    } else {
        crate::term::push_quoted(out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(s: &str) -> String {
        let mut v = Vec::new();
        escape_attr(s, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn escapes_attributes_and_text() {
        assert_eq!(attr("plain"), "plain");
        assert_eq!(attr("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(attr("l1\nl2\r\tx"), "l1&#10;l2&#13;&#9;x");
        assert_eq!(attr("héllo 日本"), "héllo 日本");
        let mut v = Vec::new();
        escape_text("a\nb\r<&>", &mut v).unwrap();
        assert_eq!(v, b"a&#10;b&#13;&lt;&amp;&gt;");
    }

    #[test]
    fn refuses_forbidden_chars() {
        for bad in [
            "\u{0}",
            "a\u{8}b",
            "\u{b}",
            "\u{1f}",
            "x\u{FFFE}",
            "\u{FFFF}",
        ] {
            let mut v = Vec::new();
            let e = escape_attr(bad, &mut v).unwrap_err();
            let cp = bad.chars().find(|&c| !is_xml_char(c)).unwrap();
            assert_eq!(
                e,
                CotError::InvalidChar {
                    codepoint: cp as u32
                }
            );
            assert!(check_xml_chars(bad).is_err());
        }
        // C1 controls and DEL are legal XML 1.0 and pass through.
        assert_eq!(attr("\u{7f}\u{85}"), "\u{7f}\u{85}");
    }

    #[test]
    fn unescapes_and_normalises() {
        assert_eq!(unescape_attr("a&amp;b").unwrap(), "a&b");
        assert_eq!(unescape_attr("&lt;&gt;&quot;&apos;").unwrap(), "<>\"'");
        assert_eq!(unescape_attr("&#65;&#x42;&#x1F600;").unwrap(), "AB😀");
        assert_eq!(unescape_attr("a\r\nb\nc\td").unwrap(), "a b c d");
        assert_eq!(unescape_attr("a&#10;b").unwrap(), "a\nb");
        assert!(matches!(
            unescape_attr("&xxe;"),
            Err(CotError::UnknownEntity(_))
        ));
        assert!(matches!(
            unescape_attr("&#0;"),
            Err(CotError::InvalidChar { .. })
        ));
        assert!(matches!(
            unescape_attr("&#xD800;"),
            Err(CotError::InvalidChar { .. })
        ));
        assert!(matches!(
            unescape_attr("&#+65;"),
            Err(CotError::UnknownEntity(_))
        ));
        assert!(unescape_attr("&amp").is_err());
        assert!(unescape_attr("\u{1}").is_err());
        let mut s = String::new();
        push_text_normalized("a\r\nb\rc", &mut s).unwrap();
        assert_eq!(s, "a\nb\nc");
    }

    #[test]
    fn names() {
        for ok in ["event", "__group", "a:b", "x-1.2", "日本"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1a", "-a", "a b", "a\"", "a>", "a/"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn terminal_escaping() {
        let mut s = String::new();
        crate::term::push_str(&mut s, "a\u{1b}[31mb\u{7}\u{202e}\\");
        assert_eq!(s, "a\\x1b[31mb\\x07\\u{202e}\\\\");
        s.clear();
        push_terminal_value("All Chat \"Rooms\"", &mut s);
        assert_eq!(s, "\"All Chat \\\"Rooms\\\"\"");
        s.clear();
        push_terminal_value("ALPHA-1", &mut s);
        assert_eq!(s, "ALPHA-1");
        s.clear();
        push_terminal_value("", &mut s);
        assert_eq!(s, "\"\"");
    }
}
