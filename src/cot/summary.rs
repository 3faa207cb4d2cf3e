//! Human and machine readable views of a received event, for
//! `mcast listen --format cot` and `--format json`.
//!
//! Every string in an event is untrusted: the one-line summary passes all
//! of them through [`push_terminal_value`] so that a callsign cannot move
//! the cursor, change colours or fake a second line.

use super::escape::push_terminal_value;
use super::model::{Event, UNKNOWN};
use super::time::format_time;
use super::types::{push_type_meaning, type_meaning};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Appends a number: shortest round-trip with a decimal point, or
/// `NaN`/`inf` (only seen for lat/lon of tolerant parses).
/// A number for people: `digits` decimals (6 for degrees is ~0.1 m),
/// trailing zeros trimmed but one kept (`37.5`, `10.0`).
fn push_num(v: f64, digits: u32, out: &mut String) {
    // Rounding first and printing the shortest form is several times faster
    // than fixed-precision formatting, which falls back to big-number
    // arithmetic for many values.
    let pow = 10u64.pow(digits);
    let scale = pow as f64;
    let scaled = (v * scale).round();
    if scaled.abs() < 1e15 {
        // `scaled / scale` is the double nearest to the decimal
        // `scaled × 10^-digits`, which has at most 15 significant digits.
        // Decimals that short survive a round trip through a double, so
        // that decimal is exactly the shortest form `{}` would print, and
        // it can be written from the integer without float formatting.
        // (`scaled` may be -0.0, which `{}` prints as `-0`.)
        if scaled.is_sign_negative() {
            out.push('-');
        }
        // Exact: a whole number below 10^15.
        let n = scaled.abs() as u64;
        push_u64(n / pow, out);
        out.push('.');
        let frac = n % pow;
        if frac == 0 {
            out.push('0');
        } else {
            let mut buf = [b'0'; 20];
            let mut f = frac;
            for b in buf.iter_mut().take(digits as usize).rev() {
                *b = b'0' + (f % 10) as u8;
                f /= 10;
            }
            let used = buf.get(..digits as usize).unwrap_or_default();
            let keep = used.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
            used.iter()
                .take(keep)
                .for_each(|&b| out.push(char::from(b)));
        }
        return;
    }
    let r = scaled / scale;
    let v = if r.is_finite() { r } else { v };
    let start = out.len();
    // Writing to a String cannot fail.
    let _ = write!(out, "{v}");
    if v.is_finite() && !out[start..].contains(['.', 'e']) {
        out.push_str(".0");
    }
}

/// Appends the decimal digits of `n` (without `write!`, which costs more
/// than the digits themselves here).
fn push_u64(mut n: u64, out: &mut String) {
    // u64::MAX has 20 digits.
    let mut buf = [b'0'; 20];
    let mut start = buf.len();
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    buf.iter()
        .skip(start)
        .for_each(|&b| out.push(char::from(b)));
}

/// Appends `stale={:+.1}s` for [`stale_in_s`], as `write!` would.
fn push_stale(ev: &Event, recv_ms: i64, out: &mut String) {
    let ms = i128::from(ev.stale) - i128::from(recv_ms);
    // `{:+.1}` rounds the double `ms / 1000` exactly, which takes
    // big-number arithmetic for many values. Rounding the integer gives the
    // same digits unless the double and the exact quotient lie on different
    // sides of a rounding boundary (x.x5 s). For |ms| < 10^15 they cannot:
    // the double is off by less than 2^-53 relative (< 0.2 ms), and a
    // quotient not on a boundary is at least 1 ms away from one. Quotients
    // on a boundary, and larger values, are left to `write!`.
    if ms.abs() < 1_000_000_000_000_000 && ms.rem_euclid(100) != 50 {
        let a = ms.unsigned_abs();
        // Tenths of a second, rounded to nearest (no ties here).
        let tenths = (a + 50) / 100;
        out.push_str(if ms < 0 { " stale=-" } else { " stale=+" });
        push_u64(u64::try_from(tenths / 10).unwrap_or(0), out);
        out.push('.');
        out.push(char::from(b'0' + (tenths % 10) as u8));
        out.push('s');
        return;
    }
    let _ = write!(out, " stale={:+.1}s", stale_in_s(ev, recv_ms));
}

/// Seconds from `recv_ms` until the event goes stale (negative: already stale).
pub fn stale_in_s(ev: &Event, recv_ms: i64) -> f64 {
    (i128::from(ev.stale) - i128::from(recv_ms)) as f64 / 1000.0
}

/// Sender, room and message of a GeoChat event.
fn chat_parts(ev: &Event) -> Option<(&str, &str, &str)> {
    if !ev.is_chat() {
        return None;
    }
    let c = ev.detail.chat.as_ref()?;
    let grp = c.chatgrp.as_ref();
    let sender = c
        .sender_callsign
        .as_deref()
        .or_else(|| grp.and_then(|g| g.uid0.as_deref()))
        .unwrap_or_default();
    let room = c
        .chatroom
        .as_deref()
        .or(c.id.as_deref())
        .unwrap_or_default();
    let msg = ev
        .detail
        .remarks
        .as_ref()
        .map(|r| r.text.as_str())
        .unwrap_or_default();
    Some((sender, room, msg))
}

/// Appends a one-line summary (no newline) of `ev` received at `recv_ms`:
///
/// `uid=U type=a-f-G-U-C (friend ground unit) callsign=C lat=.. lon=..
/// hae=.. course=.. speed=.. stale=+119.5s how=m-g [chat from=.. room=..
/// msg=..]`. Unknown `hae` and absent parts are left out.
pub fn write_summary(ev: &Event, recv_ms: i64, out: &mut String) {
    out.push_str("uid=");
    push_terminal_value(&ev.uid, out);
    out.push_str(" type=");
    push_terminal_value(&ev.type_, out);
    let mark = out.len();
    out.push_str(" (");
    if push_type_meaning(&ev.type_, out) {
        out.push(')');
    } else {
        out.truncate(mark);
    }
    if let Some(cs) = ev.detail.callsign() {
        out.push_str(" callsign=");
        push_terminal_value(cs, out);
    }
    out.push_str(" lat=");
    push_num(ev.point.lat, 6, out);
    out.push_str(" lon=");
    push_num(ev.point.lon, 6, out);
    if ev.point.hae != UNKNOWN {
        out.push_str(" hae=");
        push_num(ev.point.hae, 1, out);
    }
    if let Some(t) = ev.detail.track {
        if let Some(c) = t.course {
            out.push_str(" course=");
            push_num(c, 1, out);
        }
        if let Some(s) = t.speed {
            out.push_str(" speed=");
            push_num(s, 1, out);
        }
    }
    push_stale(ev, recv_ms, out);
    out.push_str(" how=");
    push_terminal_value(&ev.how, out);
    if let Some((sender, room, msg)) = chat_parts(ev) {
        out.push_str(" chat from=");
        push_terminal_value(sender, out);
        out.push_str(" room=");
        push_terminal_value(room, out);
        out.push_str(" msg=");
        push_terminal_value(msg, out);
    }
}

fn time_value(ms: i64) -> Value {
    format_time(ms).map(Value::String).unwrap_or(Value::Null)
}

/// CoT fields for `--format json`. Keys are always present (null when
/// absent) except `chat` (GeoChat only) and `encoding` (received events
/// only). NaN numbers become null. Times are RFC 3339 UTC with ms.
pub fn cot_json(ev: &Event, recv_ms: i64) -> Map<String, Value> {
    let mut m = Map::new();
    let num = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
    let opt_num = |v: Option<f64>| v.map_or(Value::Null, num);
    m.insert("uid".into(), ev.uid.clone().into());
    m.insert("type".into(), ev.type_.clone().into());
    m.insert(
        "type_meaning".into(),
        type_meaning(&ev.type_).map_or(Value::Null, |s| Value::String(s.into_owned())),
    );
    m.insert("how".into(), ev.how.clone().into());
    m.insert(
        "callsign".into(),
        ev.detail
            .callsign()
            .map_or(Value::Null, |s| Value::String(s.to_owned())),
    );
    for (k, v) in super::model::POINT_FIELDS.iter().zip(ev.point.fields()) {
        m.insert((*k).into(), num(v));
    }
    let track = ev.detail.track.unwrap_or_default();
    m.insert("course".into(), opt_num(track.course));
    m.insert("speed".into(), opt_num(track.speed));
    m.insert("time".into(), time_value(ev.time));
    m.insert("start".into(), time_value(ev.start));
    m.insert("stale".into(), time_value(ev.stale));
    m.insert("stale_in_s".into(), num(stale_in_s(ev, recv_ms)));
    if let Some((sender, room, msg)) = chat_parts(ev) {
        let mut c = Map::new();
        c.insert("sender".into(), sender.into());
        c.insert("room".into(), room.into());
        c.insert("message".into(), msg.into());
        m.insert("chat".into(), Value::Object(c));
    }
    if let Some(k) = ev.received_as {
        m.insert("encoding".into(), k.as_str().into());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cot::model::{Chat, Contact, Remarks, Track};
    use proptest::prelude::*;

    /// `push_num` as it was before it wrote digits itself: the float
    /// formatting it must stay identical to.
    fn num_by_fmt(v: f64, digits: u32) -> String {
        let scale = 10f64.powi(digits as i32);
        let r = (v * scale).round() / scale;
        let v = if r.is_finite() { r } else { v };
        let mut s = format!("{v}");
        if v.is_finite() && !s.contains(['.', 'e']) {
            s.push_str(".0");
        }
        s
    }

    fn num(v: f64, digits: u32) -> String {
        let mut s = String::new();
        push_num(v, digits, &mut s);
        s
    }

    fn stale(stale: i64, recv: i64) -> (String, String) {
        let ev = Event {
            stale,
            ..Event::default()
        };
        let mut s = String::new();
        push_stale(&ev, recv, &mut s);
        (s, format!(" stale={:+.1}s", stale_in_s(&ev, recv)))
    }

    #[test]
    fn numbers_print_like_float_formatting() {
        let edge = [
            0.0,
            -0.0,
            1e-7,
            -1e-7,
            -4e-7,
            5e-7,
            -5e-7,
            0.05,
            -0.05,
            0.25,
            0.35,
            37.5,
            -122.25,
            9_999_999.0,
            1e9,
            99_999_999.999_999_9,
            1e15,
            -1e15,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in edge {
            for d in [1, 6] {
                assert_eq!(num(v, d), num_by_fmt(v, d), "{v:e} {d}");
            }
        }
        for ms in -200_000..200_000 {
            let (a, b) = stale(ms, 0);
            assert_eq!(a, b);
        }
        for (st, recv) in [(i64::MAX, i64::MIN), (i64::MIN, i64::MAX), (1 << 60, 0)] {
            let (a, b) = stale(st, recv);
            assert_eq!(a, b);
        }
    }

    proptest! {
        #[test]
        fn random_numbers_print_like_float_formatting(
            bits in any::<u64>(),
            n in any::<i64>(),
            p in 0i32..20,
            st in any::<i64>(),
            recv in any::<i64>(),
        ) {
            for v in [f64::from_bits(bits), n as f64 / 10f64.powi(p)] {
                for d in [1, 6] {
                    prop_assert_eq!(num(v, d), num_by_fmt(v, d));
                }
            }
            for (st, recv) in [(st, recv), (st % 10_000_000_000, 0)] {
                let (a, b) = stale(st, recv);
                prop_assert_eq!(a, b);
            }
        }
    }

    fn sample() -> Event {
        let mut ev = Event {
            uid: "u-1".into(),
            type_: "a-f-G-U-C".into(),
            how: "m-g".into(),
            time: 0,
            start: 0,
            stale: 120_000,
            ..Event::default()
        };
        ev.point.lat = 37.5;
        ev.point.lon = -122.25;
        ev.point.hae = 10.0;
        ev.detail.contact = Some(Contact {
            callsign: Some("ALPHA-1".into()),
            endpoint: None,
        });
        ev.detail.track = Some(Track {
            course: Some(90.0),
            speed: Some(1.5),
        });
        ev
    }

    #[test]
    fn summary_line() {
        let mut s = String::new();
        write_summary(&sample(), 500, &mut s);
        assert_eq!(
            s,
            "uid=u-1 type=a-f-G-U-C (friend ground unit) callsign=ALPHA-1 lat=37.5 \
             lon=-122.25 hae=10.0 course=90.0 speed=1.5 stale=+119.5s how=m-g"
        );
        s.clear();
        write_summary(&sample(), 130_000, &mut s);
        assert!(s.contains("stale=-10.0s"), "{s}");
    }

    #[test]
    fn summary_escapes_hostile_strings() {
        let mut ev = sample();
        ev.uid = "x\u{1b}[2J\ny".into();
        ev.detail.contact = Some(Contact {
            callsign: Some("Bob \u{202e}evil".into()),
            endpoint: None,
        });
        let mut s = String::new();
        write_summary(&ev, 0, &mut s);
        assert!(s.starts_with("uid=\"x\\x1b[2J\\x0ay\""), "{s}");
        assert!(s.contains("callsign=\"Bob \\u{202e}evil\""), "{s}");
        assert!(!s.chars().any(|c| c.is_control()), "{s}");
    }

    #[test]
    fn chat_summary_and_json() {
        let mut ev = sample();
        ev.type_ = "b-t-f".into();
        ev.detail.track = None;
        ev.point.hae = UNKNOWN;
        ev.detail.chat = Some(Chat {
            chatroom: Some("All Chat Rooms".into()),
            sender_callsign: Some("ALPHA-1".into()),
            ..Chat::default()
        });
        ev.detail.remarks = Some(Remarks {
            text: "hi there".into(),
            ..Remarks::default()
        });
        let mut s = String::new();
        write_summary(&ev, 0, &mut s);
        assert!(
            s.ends_with(r#"how=m-g chat from=ALPHA-1 room="All Chat Rooms" msg="hi there""#),
            "{s}"
        );
        assert!(!s.contains("hae="), "{s}");
        let j = Value::Object(cot_json(&ev, 0));
        assert_eq!(j["chat"]["room"], "All Chat Rooms");
        assert_eq!(j["chat"]["message"], "hi there");
        assert_eq!(j["type_meaning"], "GeoChat message");
        assert_eq!(j["course"], Value::Null);
        assert!(j.get("encoding").is_none());
    }

    #[test]
    fn json_fields() {
        let mut ev = sample();
        ev.point.lat = f64::NAN;
        ev.received_as = Some(crate::cot::Kind::TakV1);
        let j = Value::Object(cot_json(&ev, 60_000));
        assert_eq!(j["uid"], "u-1");
        assert_eq!(j["type_meaning"], "friend ground unit");
        assert_eq!(j["callsign"], "ALPHA-1");
        assert_eq!(j["lat"], Value::Null);
        assert_eq!(j["lon"], -122.25);
        assert_eq!(j["le"], UNKNOWN);
        assert_eq!(j["course"], 90.0);
        assert_eq!(j["time"], "1970-01-01T00:00:00.000Z");
        assert_eq!(j["stale"], "1970-01-01T00:02:00.000Z");
        assert_eq!(j["stale_in_s"], 60.0);
        assert_eq!(j["encoding"], "tak-v1");
        assert!(j.get("chat").is_none());
    }
}
