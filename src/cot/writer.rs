//! Strict, ATAK-compatible CoT XML writer.
//!
//! Layout is fixed and byte-for-byte reproducible: event attributes in the
//! order `version uid type how time start stale [access qos opex]`, then
//! `<point lat lon hae ce le/>`, then `<detail>` with children in the order
//! documented on [`Detail`]. No XML declaration and no whitespace, which is
//! what ATAK and most TAK servers emit on the wire. The writer appends to a
//! caller-owned `Vec<u8>` and allocates nothing once that buffer has grown.

use super::error::CotError;
use super::escape::{escape_attr, escape_text};
use super::model::{Detail, Event, Part};
use super::time::write_time;
use std::io::Write as _;

/// Largest frame any writer here produces (same limit the readers enforce).
pub const MAX_FRAME: usize = 64 * 1024;

/// Appends a finite `f64` in shortest round-trip form, always with a decimal
/// point: 37.5 → `37.5`, 10 → `10.0`, 1e-7 → `0.0000001` (Rust's `Display`
/// never uses exponents, which some CoT parsers reject).
pub fn push_f64(v: f64, what: &'static str, out: &mut Vec<u8>) -> Result<(), CotError> {
    if !v.is_finite() {
        return Err(CotError::NonFinite(what));
    }
    let start = out.len();
    // io::Write for Vec<u8> cannot fail.
    let _ = write!(out, "{v}");
    if !out.get(start..).unwrap_or_default().contains(&b'.') {
        out.extend_from_slice(b".0");
    }
    Ok(())
}

/// ` name="escaped value"`.
fn attr(out: &mut Vec<u8>, name: &str, value: &str) -> Result<(), CotError> {
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    escape_attr(value, out)?;
    out.push(b'"');
    Ok(())
}

fn opt_attr(out: &mut Vec<u8>, name: &str, value: &Option<String>) -> Result<(), CotError> {
    match value {
        Some(v) => attr(out, name, v),
        None => Ok(()),
    }
}

fn f64_attr(out: &mut Vec<u8>, name: &'static str, v: f64) -> Result<(), CotError> {
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    push_f64(v, name, out)?;
    out.push(b'"');
    Ok(())
}

fn time_attr(out: &mut Vec<u8>, name: &'static str, ms: i64) -> Result<(), CotError> {
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    write_time(ms, name, out)?;
    out.push(b'"');
    Ok(())
}

/// Which typed parts go where when writing detail children.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DetailMode {
    /// Everything, for an XML `<detail>`.
    Xml,
    /// Only what TAK v1 cannot carry as a typed sub-message (its `xmlDetail`).
    TakXmlDetail,
}

/// Writes the detail children (no `<detail>` wrapper) in the canonical
/// order. In [`DetailMode::TakXmlDetail`], parts that TAK v1 carries typed
/// (all their attributes present) are skipped.
pub(crate) fn write_detail_children(
    d: &Detail,
    mode: DetailMode,
    out: &mut Vec<u8>,
) -> Result<(), CotError> {
    let tak = mode == DetailMode::TakXmlDetail;
    let typed = |p: Part| !d.verbatim.has(p);
    if let Some(c) = d.contact.as_ref().filter(|_| typed(Part::Contact)) {
        if !(tak && c.callsign.is_some() && c.endpoint.is_some()) {
            out.extend_from_slice(b"<contact");
            opt_attr(out, "callsign", &c.callsign)?;
            opt_attr(out, "endpoint", &c.endpoint)?;
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(g) = d.group.as_ref().filter(|_| typed(Part::Group)) {
        if !(tak && g.name.is_some() && g.role.is_some()) {
            out.extend_from_slice(b"<__group");
            opt_attr(out, "name", &g.name)?;
            opt_attr(out, "role", &g.role)?;
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(p) = d
        .precision_location
        .as_ref()
        .filter(|_| typed(Part::PrecisionLocation))
    {
        if !(tak && p.geopointsrc.is_some() && p.altsrc.is_some()) {
            out.extend_from_slice(b"<precisionlocation");
            opt_attr(out, "geopointsrc", &p.geopointsrc)?;
            opt_attr(out, "altsrc", &p.altsrc)?;
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(s) = d.status.as_ref().filter(|_| typed(Part::Status)) {
        if !(tak && s.battery.is_some()) {
            out.extend_from_slice(b"<status");
            if let Some(b) = s.battery {
                let _ = write!(out, " battery=\"{b}\"");
            }
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(t) = d.takv.as_ref().filter(|_| typed(Part::Takv)) {
        let whole =
            t.device.is_some() && t.platform.is_some() && t.os.is_some() && t.version.is_some();
        if !(tak && whole) {
            out.extend_from_slice(b"<takv");
            opt_attr(out, "device", &t.device)?;
            opt_attr(out, "platform", &t.platform)?;
            opt_attr(out, "os", &t.os)?;
            opt_attr(out, "version", &t.version)?;
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(t) = d.track.as_ref().filter(|_| typed(Part::Track)) {
        if !(tak && t.course.is_some() && t.speed.is_some()) {
            out.extend_from_slice(b"<track");
            if let Some(c) = t.course {
                f64_attr(out, "course", c)?;
            }
            if let Some(s) = t.speed {
                f64_attr(out, "speed", s)?;
            }
            out.extend_from_slice(b"/>");
        }
    }
    if let Some(c) = d.chat.as_ref().filter(|_| typed(Part::Chat)) {
        out.extend_from_slice(b"<__chat");
        opt_attr(out, "parent", &c.parent)?;
        opt_attr(out, "groupOwner", &c.group_owner)?;
        opt_attr(out, "messageId", &c.message_id)?;
        opt_attr(out, "chatroom", &c.chatroom)?;
        opt_attr(out, "id", &c.id)?;
        opt_attr(out, "senderCallsign", &c.sender_callsign)?;
        match &c.chatgrp {
            Some(g) => {
                out.extend_from_slice(b"><chatgrp");
                opt_attr(out, "uid0", &g.uid0)?;
                opt_attr(out, "uid1", &g.uid1)?;
                opt_attr(out, "id", &g.id)?;
                out.extend_from_slice(b"/></__chat>");
            }
            None => out.extend_from_slice(b"/>"),
        }
    }
    // Already escaped and well-formed: produced by our reader or by code
    // that escaped through this module.
    out.extend_from_slice(d.xml_detail.as_bytes());
    if let Some(r) = d.remarks.as_ref().filter(|_| typed(Part::Remarks)) {
        out.extend_from_slice(b"<remarks");
        opt_attr(out, "source", &r.source)?;
        opt_attr(out, "to", &r.to)?;
        opt_attr(out, "time", &r.time)?;
        if r.text.is_empty() {
            out.extend_from_slice(b"/>");
        } else {
            out.push(b'>');
            escape_text(&r.text, out)?;
            out.extend_from_slice(b"</remarks>");
        }
    }
    Ok(())
}

fn write_inner(ev: &Event, out: &mut Vec<u8>) -> Result<(), CotError> {
    // The writer speaks CoT 2.0 only, whatever version a parsed event had.
    out.extend_from_slice(b"<event version=\"2.0\"");
    attr(out, "uid", &ev.uid)?;
    attr(out, "type", &ev.type_)?;
    attr(out, "how", &ev.how)?;
    time_attr(out, "time", ev.time)?;
    time_attr(out, "start", ev.start)?;
    time_attr(out, "stale", ev.stale)?;
    opt_attr(out, "access", &ev.access)?;
    opt_attr(out, "qos", &ev.qos)?;
    opt_attr(out, "opex", &ev.opex)?;
    out.extend_from_slice(b"><point");
    let p = &ev.point;
    f64_attr(out, "lat", p.lat)?;
    f64_attr(out, "lon", p.lon)?;
    f64_attr(out, "hae", p.hae)?;
    f64_attr(out, "ce", p.ce)?;
    f64_attr(out, "le", p.le)?;
    if ev.detail.is_empty() {
        out.extend_from_slice(b"/><detail/></event>");
    } else {
        out.extend_from_slice(b"/><detail>");
        write_detail_children(&ev.detail, DetailMode::Xml, out)?;
        out.extend_from_slice(b"</detail></event>");
    }
    Ok(())
}

/// Appends `ev` as CoT XML to `out` (which is not cleared). On error
/// nothing is appended: NaN/infinite numbers, times outside years
/// 0000–9999, characters XML 1.0 forbids, or a result over 64 KiB.
pub fn write_xml(ev: &Event, out: &mut Vec<u8>) -> Result<(), CotError> {
    let mark = out.len();
    let r = write_inner(ev, out).and_then(|()| {
        let len = out.len() - mark;
        if len > MAX_FRAME {
            Err(CotError::FrameTooLarge { len })
        } else {
            Ok(())
        }
    });
    if r.is_err() {
        out.truncate(mark);
    }
    r
}

/// Convenience: `ev` as an XML `String`.
pub fn to_xml_string(ev: &Event) -> Result<String, CotError> {
    let mut v = Vec::with_capacity(512);
    write_xml(ev, &mut v)?;
    // Only valid UTF-8 (input strings, ASCII markup) was written.
    String::from_utf8(v).map_err(|e| CotError::Xml(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cot::model::{Contact, Remarks};

    fn num(v: f64) -> String {
        let mut o = Vec::new();
        push_f64(v, "x", &mut o).unwrap();
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(num(37.5), "37.5");
        assert_eq!(num(10.0), "10.0");
        assert_eq!(num(9_999_999.0), "9999999.0");
        assert_eq!(num(-122.25), "-122.25");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(1e-7), "0.0000001");
        assert_eq!(num(-0.0), "-0.0");
        assert_eq!(num(0.0), "0.0");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                push_f64(bad, "lat", &mut Vec::new()),
                Err(CotError::NonFinite("lat"))
            );
        }
    }

    #[test]
    fn empty_detail_and_escaping() {
        let mut ev = Event {
            uid: "a\"<b>\n".into(),
            type_: "t-x-c-t".into(),
            how: "m-g".into(),
            ..Event::default()
        };
        let s = to_xml_string(&ev).unwrap();
        assert!(s.contains(r#"uid="a&quot;&lt;b&gt;&#10;""#), "{s}");
        assert!(s.ends_with("<detail/></event>"), "{s}");
        ev.detail.remarks = Some(Remarks {
            text: "x & y\n<z>".into(),
            ..Remarks::default()
        });
        let s = to_xml_string(&ev).unwrap();
        assert!(
            s.contains("<remarks>x &amp; y&#10;&lt;z&gt;</remarks>"),
            "{s}"
        );
    }

    #[test]
    fn refusals_leave_buffer_untouched() {
        let mut out = b"keep".to_vec();
        let mut ev = Event::default();
        ev.point.lat = f64::NAN;
        assert_eq!(write_xml(&ev, &mut out), Err(CotError::NonFinite("lat")));
        ev.point.lat = 0.0;
        ev.detail.contact = Some(Contact {
            callsign: Some("bad\u{1}".into()),
            endpoint: None,
        });
        assert_eq!(
            write_xml(&ev, &mut out),
            Err(CotError::InvalidChar { codepoint: 1 })
        );
        ev.detail.contact = None;
        ev.stale = i64::MAX;
        assert_eq!(
            write_xml(&ev, &mut out),
            Err(CotError::TimeOutOfRange { field: "stale" })
        );
        ev.stale = 0;
        ev.detail.xml_detail = "<x/>".repeat(20_000);
        assert!(matches!(
            write_xml(&ev, &mut out),
            Err(CotError::FrameTooLarge { .. })
        ));
        assert_eq!(out, b"keep");
    }
}
