//! Tolerant but hostile-safe CoT XML reader on top of `quick_xml`.
//!
//! Tolerated (real-world senders do all of these): a UTF-8 BOM, leading
//! whitespace, an XML declaration naming another encoding (the bytes must
//! still be UTF-8), single-quoted attributes, `point` after `detail`, 0–9
//! fraction digits or offsets in times, missing `how`/`version`, missing
//! `time`/`start`/`stale` (derived from the others when at least one is
//! present), `version="2"`, and unusable point numbers. Unusable or missing
//! `hae`/`ce`/`le` become [`UNKNOWN`]; unusable or missing `lat`/`lon` stay
//! NaN, because CoT has no "unknown position" and inventing 0,0 would put
//! the contact on the map at a wrong place. Every such leniency is recorded
//! in [`Event::quirks`] for `--cot-strict`. Content after `</event>` is
//! ignored.
//!
//! Refused, with a typed [`CotError`] and in time linear in the input: any
//! DOCTYPE (so no entity can ever be declared), entities other than the
//! five predefined ones and character references, characters XML 1.0
//! forbids, nesting deeper than [`MAX_DEPTH`], more than [`MAX_ATTRS`]
//! attributes on an element, attribute values over [`MAX_ATTR_LEN`] bytes,
//! text nodes over [`MAX_TEXT_LEN`] bytes and frames over 64 KiB.

use super::error::CotError;
use super::escape::{
    check_name, check_xml_chars, escape_attr, escape_text, push_text_normalized, resolve_entity,
    unescape_attr,
};
use super::model::{
    set_opt, set_str, Chat, ChatGrp, Contact, Detail, Event, Group, Kind, Part, PrecisionLocation,
    Quirks, Remarks, Spare, Status, Takv, Track, POINT_FIELDS, UNKNOWN,
};
use super::time::{has_strict_time_shape, parse_time};
use super::writer::MAX_FRAME;
use quick_xml::events::{BytesStart, Event as XEvent};
use quick_xml::Reader;
use std::borrow::Cow;

/// Maximum element nesting depth (`event` is depth 1).
pub const MAX_DEPTH: usize = 32;
/// Maximum attributes on one element.
pub const MAX_ATTRS: usize = 64;
/// Maximum raw length of one attribute value.
pub const MAX_ATTR_LEN: usize = MAX_FRAME;
/// Maximum length of one (unescaped) text node.
pub const MAX_TEXT_LEN: usize = MAX_FRAME;

/// Depth at which `xmlDetail` fragments are parsed (inside event/detail), so
/// the nesting limit means the same thing for XML and TAK v1 input.
const FRAGMENT_BASE_DEPTH: usize = 2;

/// Token source that enforces the limits common to every element.
struct Lexer<'a> {
    r: Reader<&'a [u8]>,
    depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8], depth: usize) -> Self {
        let mut r = Reader::from_reader(input);
        let c = r.config_mut();
        c.check_end_names = true;
        c.allow_unmatched_ends = false;
        c.allow_dangling_amp = false;
        c.expand_empty_elements = false;
        c.trim_text(false);
        Lexer { r, depth }
    }

    fn next(&mut self) -> Result<XEvent<'a>, CotError> {
        let ev = self.r.read_event().map_err(|e| {
            // Bounded: messages may quote input.
            CotError::Xml(e.to_string().chars().take(200).collect())
        })?;
        match &ev {
            // Refused wherever it appears: a DTD is the only way to declare
            // entities (billion laughs, external SYSTEM entities).
            XEvent::DocType(_) => return Err(CotError::Doctype),
            XEvent::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(CotError::TooDeep { limit: MAX_DEPTH });
                }
            }
            XEvent::Empty(_) if self.depth >= MAX_DEPTH => {
                return Err(CotError::TooDeep { limit: MAX_DEPTH });
            }
            XEvent::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(ev)
    }

    /// Consumes everything up to and including the end tag of the element
    /// whose start tag was just read.
    fn skip_element(&mut self) -> Result<(), CotError> {
        let target = self.depth.saturating_sub(1);
        loop {
            match self.next()? {
                XEvent::End(_) if self.depth == target => return Ok(()),
                XEvent::Eof => return Err(CotError::Truncated),
                _ => {}
            }
        }
    }
}

fn elem_name<'e>(e: &'e BytesStart<'_>) -> Result<&'e str, CotError> {
    let n: &str = e.name().0;
    check_name(n)?;
    Ok(n)
}

/// Attribute names remembered on the stack for the duplicate check; an
/// element with more (never seen in real CoT) spills the rest to a `Vec`.
const INLINE_KEYS: usize = 16;

/// The error quick_xml's checked attribute iterator reports for `e`. Only
/// called once the unchecked iteration found a malformed attribute or a
/// duplicate name, so that the message stays exactly what it was when the
/// checked iterator was used throughout.
fn attr_error(e: &BytesStart<'_>) -> CotError {
    let err = e.attributes().find_map(Result::err);
    CotError::Xml(err.map_or_else(|| "malformed attributes".to_owned(), |err| err.to_string()))
}

/// Calls `f(name, unescaped value)` for each attribute, enforcing limits.
///
/// Duplicate names are refused (XML requires unique names, and a duplicate
/// copied into `xml_detail` would make the written frame malformed), but by
/// this function rather than by quick_xml: its check keeps the names in a
/// `Vec`, one heap allocation per element.
fn each_attr(
    e: &BytesStart<'_>,
    mut f: impl FnMut(&str, Cow<'_, str>) -> Result<(), CotError>,
) -> Result<(), CotError> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    let mut keys = [""; INLINE_KEYS];
    let mut more_keys: Vec<&str> = Vec::new();
    for (n, a) in attrs.enumerate() {
        if n >= MAX_ATTRS {
            return Err(CotError::TooManyAttributes {
                element: e.name().0.chars().take(64).collect(),
            });
        }
        let Ok(a) = a else {
            return Err(attr_error(e));
        };
        let key: &str = a.key.0;
        // At most MAX_ATTRS names, so this is bounded per element.
        let seen = keys.get(..n).unwrap_or(&keys);
        if seen.contains(&key) || more_keys.contains(&key) {
            return Err(attr_error(e));
        }
        match keys.get_mut(n) {
            Some(slot) => *slot = key,
            None => more_keys.push(key),
        }
        check_name(key)?;
        if a.value.len() > MAX_ATTR_LEN {
            return Err(CotError::AttributeTooLong {
                name: key.chars().take(64).collect(),
                len: a.value.len(),
            });
        }
        f(key, unescape_attr(&a.value)?)?;
    }
    Ok(())
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or_default()
}

/// Skips ASCII whitespace and one UTF-8 BOM (in either order).
fn strip_prologue(mut b: &[u8]) -> &[u8] {
    let ws = skip_ws;
    b = ws(b);
    if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
        b = ws(rest);
    }
    b
}

/// True when the declaration names an encoding the document is not in.
/// The bytes were read as UTF-8 (the only encoding CoT uses), so UTF-8 and
/// its spellings match, an ASCII-compatible single-byte encoding matches
/// only an all-ASCII document, and anything else (UTF-16, UTF-32, EBCDIC)
/// cannot match.
fn declared_encoding_mismatch(d: &quick_xml::events::BytesDecl<'_>, input: &[u8]) -> bool {
    let Some(Ok(enc)) = d.encoding() else {
        return false;
    };
    let enc = enc.to_ascii_lowercase();
    match enc.as_str() {
        "utf-8" | "utf8" => false,
        "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" => {
            !input.is_ascii()
        }
        e if e.starts_with("iso-8859-") || e.starts_with("windows-125") => !input.is_ascii(),
        _ => true,
    }
}

fn is_xml_ws(s: &str) -> bool {
    s.bytes().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Parses one CoT XML frame.
pub fn parse_xml(input: &[u8]) -> Result<Event, CotError> {
    let mut ev = Event::default();
    parse_xml_into(input, &mut ev)?;
    Ok(ev)
}

/// Parses one CoT XML frame into `ev`, reusing its allocations.
/// On error `ev` holds partial data and must not be used.
pub fn parse_xml_into(input: &[u8], ev: &mut Event) -> Result<(), CotError> {
    if input.len() > MAX_FRAME {
        return Err(CotError::FrameTooLarge { len: input.len() });
    }
    ev.reset();
    let body = strip_prologue(input);
    // Only a BOM may precede the declaration (XML 1.0, section 2.8).
    if body.starts_with(b"<?xml")
        && input.len() - body.len() > 0
        && input.strip_prefix(b"\xEF\xBB\xBF") != Some(body)
    {
        ev.quirks.insert(Quirks::BEFORE_DECLARATION);
    }
    let mut lx = Lexer::new(body, 0);
    let mut times = Times::default();
    loop {
        match lx.next()? {
            XEvent::Decl(d) => {
                if declared_encoding_mismatch(&d, input) {
                    ev.quirks.insert(Quirks::ENCODING_MISMATCH);
                }
            }
            XEvent::PI(_) | XEvent::Comment(_) => {}
            XEvent::Text(t) if is_xml_ws(&t) => {}
            XEvent::Start(e) => {
                event_attrs(&e, ev, &mut times)?;
                event_body(&mut lx, ev)?;
                break;
            }
            XEvent::Empty(e) => {
                event_attrs(&e, ev, &mut times)?;
                ev.quirks.insert(Quirks::MISSING_POINT);
                ev.point.lat = f64::NAN;
                ev.point.lon = f64::NAN;
                break;
            }
            XEvent::Eof => return Err(CotError::Missing("<event> element")),
            _ => {
                return Err(CotError::Xml(
                    "content before the <event> element".to_owned(),
                ))
            }
        }
    }
    times.apply(ev)?;
    ev.received_as = Some(Kind::Xml);
    Ok(())
}

/// The three timestamps as found, before defaults are derived.
#[derive(Default)]
struct Times {
    time: Option<i64>,
    start: Option<i64>,
    stale: Option<i64>,
}

impl Times {
    /// Fills missing timestamps from the others: time ⇄ start, then
    /// stale ← start. An event with none of them cannot be placed in time.
    fn apply(&self, ev: &mut Event) -> Result<(), CotError> {
        let any = self.time.or(self.start).or(self.stale);
        let time = self.time.or(self.start).or(any);
        let start = self.start.or(self.time).or(any);
        let (Some(time), Some(start)) = (time, start) else {
            return Err(CotError::Missing("time, start and stale"));
        };
        ev.time = time;
        ev.start = start;
        ev.stale = self.stale.unwrap_or(start);
        for (v, q) in [
            (self.time, Quirks::MISSING_TIME),
            (self.start, Quirks::MISSING_START),
            (self.stale, Quirks::MISSING_STALE),
        ] {
            if v.is_none() {
                ev.quirks.insert(q);
            }
        }
        Ok(())
    }
}

fn event_attrs(e: &BytesStart<'_>, ev: &mut Event, t: &mut Times) -> Result<(), CotError> {
    let name = elem_name(e)?;
    if name != "event" {
        return Err(CotError::NotAnEvent(name.chars().take(64).collect()));
    }
    ev.version.clear();
    each_attr(e, |k, v| {
        let time = |field: &'static str, exact_q: Quirks, quirks: &mut Quirks| {
            let ms = parse_time(&v).ok_or_else(|| CotError::BadTime {
                field,
                value: v.chars().take(40).collect(),
            })?;
            // `is_strict_time` without parsing the value a second time.
            if !has_strict_time_shape(&v) {
                quirks.insert(exact_q);
            }
            Ok::<_, CotError>(Some(ms))
        };
        match k {
            "version" => set_str(&mut ev.version, &v),
            "uid" => set_str(&mut ev.uid, &v),
            "type" => set_str(&mut ev.type_, &v),
            "how" => set_str(&mut ev.how, &v),
            "time" => t.time = time("time", Quirks::INEXACT_TIME, &mut ev.quirks)?,
            "start" => t.start = time("start", Quirks::INEXACT_START, &mut ev.quirks)?,
            "stale" => t.stale = time("stale", Quirks::INEXACT_STALE, &mut ev.quirks)?,
            "access" => set_opt(&mut ev.access, &v),
            "qos" => set_opt(&mut ev.qos, &v),
            "opex" => set_opt(&mut ev.opex, &v),
            // Other event attributes are not part of the model and dropped.
            _ => {}
        }
        Ok(())
    })
}

fn point_attrs(e: &BytesStart<'_>, ev: &mut Event) -> Result<(), CotError> {
    let mut vals = [f64::NAN, f64::NAN, UNKNOWN, UNKNOWN, UNKNOWN];
    let mut seen = [false; 5];
    each_attr(e, |k, v| {
        if let Some(i) = POINT_FIELDS.iter().position(|f| *f == k) {
            if let (Some(s), Some(slot)) = (seen.get_mut(i), vals.get_mut(i)) {
                *s = true;
                match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => *slot = x,
                    _ => ev.quirks.insert(Quirks::point_bad(i)),
                }
            }
        }
        Ok(())
    })?;
    for (i, s) in seen.iter().enumerate() {
        if !s {
            ev.quirks.insert(Quirks::point_missing(i));
        }
    }
    ev.point.set_fields(vals);
    Ok(())
}

fn event_body(lx: &mut Lexer<'_>, ev: &mut Event) -> Result<(), CotError> {
    let (mut seen_point, mut seen_detail) = (false, false);
    let mut scratch = String::new();
    loop {
        let (e, has_body) = match lx.next()? {
            XEvent::Start(e) => (e, true),
            XEvent::Empty(e) => (e, false),
            // quick_xml checked the end tag matches <event>.
            XEvent::End(_) => break,
            XEvent::Eof => return Err(CotError::Truncated),
            // Stray text, comments or references directly in <event>.
            _ => continue,
        };
        match e.name().0 {
            "point" => {
                if std::mem::replace(&mut seen_point, true) {
                    return Err(CotError::Duplicate("point"));
                }
                point_attrs(&e, ev)?;
                if has_body {
                    lx.skip_element()?;
                }
            }
            "detail" => {
                if std::mem::replace(&mut seen_detail, true) {
                    return Err(CotError::Duplicate("detail"));
                }
                if has_body {
                    detail_children(lx, &mut ev.detail, &mut scratch, false)?;
                }
            }
            _ if has_body => lx.skip_element()?,
            _ => {}
        }
    }
    if !seen_point {
        ev.quirks.insert(Quirks::MISSING_POINT);
        ev.point.lat = f64::NAN;
        ev.point.lon = f64::NAN;
    }
    Ok(())
}

/// Parses an `xmlDetail` fragment (TAK v1) into `d`, with the same rules and
/// limits as a `<detail>` element in an XML event.
pub fn parse_xml_detail(xml: &str, d: &mut Detail) -> Result<(), CotError> {
    if xml.len() > MAX_FRAME {
        return Err(CotError::FrameTooLarge { len: xml.len() });
    }
    let mut lx = Lexer::new(xml.as_bytes(), FRAGMENT_BASE_DEPTH);
    let mut scratch = String::new();
    detail_children(&mut lx, d, &mut scratch, true)
}

/// Reads the children of `<detail>` (or a fragment when `fragment`).
fn detail_children(
    lx: &mut Lexer<'_>,
    d: &mut Detail,
    run: &mut String,
    fragment: bool,
) -> Result<(), CotError> {
    loop {
        match lx.next()? {
            XEvent::Start(e) => child(lx, d, &e, true, run)?,
            XEvent::Empty(e) => child(lx, d, &e, false, run)?,
            // </detail>; in a fragment an unmatched end tag already failed.
            XEvent::End(_) => return Ok(()),
            XEvent::Eof if fragment => return Ok(()),
            XEvent::Eof => return Err(CotError::Truncated),
            // Stray text directly in <detail> carries no meaning and is
            // dropped, but it is still checked like everything else.
            XEvent::Text(t) => check_xml_chars(&t)?,
            XEvent::GeneralRef(r) => {
                resolve_entity(&r)?;
            }
            _ => {}
        }
    }
}

/// A typed part being recognised while its element is copied raw.
enum Typed {
    No,
    Contact(Contact),
    Group(Group),
    PLoc(PrecisionLocation),
    Status(Status),
    Takv(Takv),
    Track(Track),
    /// The bool is "inside a `<chatgrp>` start tag".
    Chat(Chat, bool),
    Remarks(Remarks),
}

/// The typed part of one element, read whatever else the element carries
/// (as ATAK does: a `contact` with a `phone`, a `track` with a `slope`, a
/// group `__chat` with its `hierarchy` still show their callsign, course
/// and sender). `partial` is set when the element holds more than the
/// typed shape: then it also stays verbatim in `xml_detail`, and the typed
/// copy is a view only ([`Verbatim`]), so re-encoding loses nothing.
struct Cand {
    t: Typed,
    partial: bool,
}

/// Sets an optional string once, in a spare buffer when there is one; a
/// second value (impossible after `each_attr`'s duplicate check) does not
/// count.
fn once(slot: &mut Option<String>, v: &str, spare: &mut Spare) -> bool {
    if slot.is_some() {
        return false;
    }
    *slot = Some(spare.string(v));
    true
}

fn finite(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

impl Cand {
    /// The candidate for an element named `name`: typed when the name is
    /// known and its slot is still free (the first occurrence wins, as in
    /// ATAK).
    fn new(name: &str, d: &mut Detail) -> Cand {
        let t = match name {
            "contact" if d.contact.is_none() => Typed::Contact(Contact::default()),
            "__group" if d.group.is_none() => Typed::Group(Group::default()),
            "precisionlocation" if d.precision_location.is_none() => {
                Typed::PLoc(PrecisionLocation::default())
            }
            "status" if d.status.is_none() => Typed::Status(Status::default()),
            "takv" if d.takv.is_none() => Typed::Takv(Takv::default()),
            "track" if d.track.is_none() => Typed::Track(Track::default()),
            "__chat" if d.chat.is_none() => Typed::Chat(Chat::default(), false),
            "remarks" if d.remarks.is_none() => Typed::Remarks(Remarks {
                text: d.spare.string(""),
                ..Remarks::default()
            }),
            _ => Typed::No,
        };
        Cand { t, partial: false }
    }

    fn is_typed(&self) -> bool {
        !matches!(self.t, Typed::No)
    }

    fn attr(&mut self, k: &str, v: &str, spare: &mut Spare) {
        let ok = match &mut self.t {
            Typed::No => return,
            Typed::Contact(c) => match k {
                "callsign" => once(&mut c.callsign, v, spare),
                "endpoint" => once(&mut c.endpoint, v, spare),
                _ => false,
            },
            Typed::Group(g) => match k {
                "name" => once(&mut g.name, v, spare),
                "role" => once(&mut g.role, v, spare),
                _ => false,
            },
            Typed::PLoc(p) => match k {
                "geopointsrc" => once(&mut p.geopointsrc, v, spare),
                "altsrc" => once(&mut p.altsrc, v, spare),
                _ => false,
            },
            Typed::Status(s) => match (k, v.trim().parse::<u32>()) {
                ("battery", Ok(b)) if s.battery.is_none() => {
                    s.battery = Some(b);
                    true
                }
                _ => false,
            },
            Typed::Takv(t) => match k {
                "device" => once(&mut t.device, v, spare),
                "platform" => once(&mut t.platform, v, spare),
                "os" => once(&mut t.os, v, spare),
                "version" => once(&mut t.version, v, spare),
                _ => false,
            },
            Typed::Track(t) => match (k, finite(v)) {
                ("course", Some(x)) if t.course.is_none() => {
                    t.course = Some(x);
                    true
                }
                ("speed", Some(x)) if t.speed.is_none() => {
                    t.speed = Some(x);
                    true
                }
                _ => false,
            },
            Typed::Chat(c, _) => match k {
                "parent" => once(&mut c.parent, v, spare),
                "groupOwner" => once(&mut c.group_owner, v, spare),
                "messageId" => once(&mut c.message_id, v, spare),
                "chatroom" => once(&mut c.chatroom, v, spare),
                "id" => once(&mut c.id, v, spare),
                "senderCallsign" => once(&mut c.sender_callsign, v, spare),
                _ => false,
            },
            Typed::Remarks(r) => match k {
                "source" => once(&mut r.source, v, spare),
                "to" => once(&mut r.to, v, spare),
                "time" => once(&mut r.time, v, spare),
                _ => false,
            },
        };
        // Something the typed shape cannot hold (an unknown attribute, a
        // value that does not parse): keep the element verbatim too.
        self.partial |= !ok;
    }

    /// Text inside the element: the message of `remarks`; whitespace in
    /// others is pretty-printing, anything else makes them partial.
    fn text(&mut self, t: &str) {
        match &mut self.t {
            Typed::No => {}
            Typed::Remarks(r) => r.text.push_str(t),
            _ if is_xml_ws(t) => {}
            _ => self.partial = true,
        }
    }

    /// A nested element starts. `__chat`'s first direct `chatgrp` is read;
    /// any other child (a `hierarchy`, a second `chatgrp`, anything in
    /// other elements) makes the element partial.
    fn element(
        &mut self,
        e: &BytesStart<'_>,
        direct: bool,
        has_body: bool,
        spare: &mut Spare,
    ) -> Result<(), CotError> {
        let Typed::Chat(c, in_grp) = &mut self.t else {
            self.partial |= self.is_typed();
            return Ok(());
        };
        if *in_grp || !direct || c.chatgrp.is_some() || e.name().0 != "chatgrp" {
            self.partial = true;
            return Ok(());
        }
        let mut g = ChatGrp::default();
        let mut ok = true;
        each_attr(e, |k, v| {
            ok &= match k {
                "uid0" => once(&mut g.uid0, &v, spare),
                "uid1" => once(&mut g.uid1, &v, spare),
                "id" => once(&mut g.id, &v, spare),
                _ => false,
            };
            Ok(())
        })?;
        c.chatgrp = Some(g);
        *in_grp = has_body;
        self.partial |= !ok;
        Ok(())
    }

    fn end_nested(&mut self) {
        if let Typed::Chat(_, in_grp) = &mut self.t {
            *in_grp = false;
        }
    }

    /// Moves the typed part into its slot (marking it verbatim when
    /// partial); `None` when there is none, else whether it was partial.
    fn commit(self, d: &mut Detail) -> Option<bool> {
        let part = match self.t {
            Typed::No => return None,
            Typed::Contact(c) => {
                d.contact = Some(c);
                Part::Contact
            }
            Typed::Group(g) => {
                d.group = Some(g);
                Part::Group
            }
            Typed::PLoc(p) => {
                d.precision_location = Some(p);
                Part::PrecisionLocation
            }
            Typed::Status(s) => {
                d.status = Some(s);
                Part::Status
            }
            Typed::Takv(t) => {
                d.takv = Some(t);
                Part::Takv
            }
            Typed::Track(t) => {
                d.track = Some(t);
                Part::Track
            }
            Typed::Chat(c, _) => {
                d.chat = Some(c);
                Part::Chat
            }
            Typed::Remarks(r) => {
                d.remarks = Some(r);
                Part::Remarks
            }
        };
        if self.partial {
            d.verbatim.set(part);
        }
        Some(self.partial)
    }
}

/// Writes `<name attr="v"...` (re-escaped) and feeds attributes to `hook`.
fn write_start(
    e: &BytesStart<'_>,
    out: &mut String,
    mut hook: impl FnMut(&str, &str),
) -> Result<(), CotError> {
    let name = elem_name(e)?;
    out.push('<');
    out.push_str(name);
    each_attr(e, |k, v| {
        hook(k, &v);
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(&v, out)?;
        out.push('"');
        Ok(())
    })
}

/// Handles one child of `<detail>`: copies it raw into `xml_detail` and,
/// if it turns out to have a typed shape and the slot is free, moves it
/// into the typed part instead.
fn child(
    lx: &mut Lexer<'_>,
    d: &mut Detail,
    e: &BytesStart<'_>,
    has_body: bool,
    run: &mut String,
) -> Result<(), CotError> {
    let mark = d.xml_detail.len();
    let mut cand = Cand::new(elem_name(e)?, d);
    if !has_body && cand.is_typed() {
        // An empty element with a typed name almost always is the typed
        // part: check that first instead of copying and re-escaping it into
        // `xml_detail` only to cut it off again.
        each_attr(e, |k, v| {
            cand.attr(k, &v, &mut d.spare);
            Ok(())
        })?;
        if cand.partial {
            write_start(e, &mut d.xml_detail, |_, _| {})?;
            d.xml_detail.push_str("/>");
        }
        cand.commit(d);
        return Ok(());
    }
    let spare = &mut d.spare;
    write_start(e, &mut d.xml_detail, |k, v| cand.attr(k, v, spare))?;
    if has_body {
        d.xml_detail.push('>');
        copy_body(lx, &mut cand, &mut d.xml_detail, run, spare)?;
    } else {
        d.xml_detail.push_str("/>");
    }
    if cand.commit(d) == Some(false) {
        d.xml_detail.truncate(mark);
    }
    Ok(())
}

/// Copies an element's content and end tag into `out`, re-escaped.
/// Whitespace-only literal text between tags is dropped (pretty-printing);
/// comments and PIs are dropped; CDATA becomes escaped text.
fn copy_body(
    lx: &mut Lexer<'_>,
    cand: &mut Cand,
    out: &mut String,
    run: &mut String,
    spare: &mut Spare,
) -> Result<(), CotError> {
    let base = lx.depth;
    run.clear();
    let mut special = false;
    // Whitespace-only text is significant only as the whole content of a
    // text-only element (`<remarks> </remarks>`); next to child tags it is
    // pretty-printing and dropped.
    let mut after_start = true;
    loop {
        let x = lx.next()?;
        match &x {
            XEvent::Text(t) => push_text_normalized(t, run)?,
            XEvent::CData(t) => {
                push_text_normalized(t, run)?;
                special = true;
            }
            XEvent::GeneralRef(r) => {
                run.push(resolve_entity(r)?);
                special = true;
            }
            XEvent::Eof => return Err(CotError::Truncated),
            _ => {}
        }
        if run.len() > MAX_TEXT_LEN {
            return Err(CotError::TextTooLong { len: run.len() });
        }
        if matches!(x, XEvent::Start(_) | XEvent::Empty(_) | XEvent::End(_)) {
            let text_only = after_start && matches!(x, XEvent::End(_));
            if !run.is_empty() && (special || text_only || !is_xml_ws(run)) {
                cand.text(run);
                escape_text(run, out)?;
            }
            run.clear();
            special = false;
            after_start = matches!(x, XEvent::Start(_));
        }
        match x {
            XEvent::Start(e) => {
                cand.element(&e, lx.depth == base + 1, true, spare)?;
                write_start(&e, out, |_, _| {})?;
                out.push('>');
            }
            XEvent::Empty(e) => {
                cand.element(&e, lx.depth == base, false, spare)?;
                write_start(&e, out, |_, _| {})?;
                out.push_str("/>");
            }
            XEvent::End(e) => {
                out.push_str("</");
                out.push_str(e.name().0);
                out.push('>');
                if lx.depth < base {
                    return Ok(());
                }
                cand.end_nested();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EV: &str = r#"<event version="2.0" uid="u" type="a-f-G" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="1.5" lon="2.5" hae="3.0" ce="4.0" le="5.0"/>"#;

    fn with_detail(d: &str) -> Event {
        parse_xml(format!("{EV}<detail>{d}</detail></event>").as_bytes()).unwrap()
    }

    #[test]
    fn typed_and_raw_children() {
        let ev = with_detail(
            r#"<contact callsign="A" endpoint="e"/><contact callsign="B"/><x a='1'>t&amp;<y/></x><track course="1" speed="2"/>"#,
        );
        let d = &ev.detail;
        assert_eq!(d.callsign(), Some("A"));
        assert_eq!(d.track.unwrap().course, Some(1.0));
        assert_eq!(
            d.xml_detail,
            r#"<contact callsign="B"/><x a="1">t&amp;<y/></x>"#
        );
    }

    #[test]
    fn extra_attribute_or_child_keeps_raw_and_reads_the_known_ones() {
        let ev = with_detail(
            r#"<contact callsign="A" phone="1"/><track course="x" speed="2"/><__group name="n"><k/></__group>"#,
        );
        let d = &ev.detail;
        assert_eq!(d.callsign(), Some("A"));
        assert_eq!(
            d.track.map(|t| (t.course, t.speed)),
            Some((None, Some(2.0)))
        );
        assert_eq!(d.group.as_ref().unwrap().name.as_deref(), Some("n"));
        for p in [Part::Contact, Part::Track, Part::Group] {
            assert!(d.verbatim.has(p), "{p:?}");
        }
        assert_eq!(
            ev.detail.xml_detail,
            r#"<contact callsign="A" phone="1"/><track course="x" speed="2"/><__group name="n"><k/></__group>"#
        );
    }

    #[test]
    fn chat_and_remarks() {
        let ev = with_detail(
            r#"<__chat parent="RootContactGroup" chatroom="R" senderCallsign="S">
                 <chatgrp uid0="a" uid1="R" id="R"></chatgrp>
               </__chat><link uid="a"/><remarks source="s" to="R">  hi &lt;3
</remarks>"#,
        );
        let c = ev.detail.chat.as_ref().unwrap();
        assert_eq!(c.chatroom.as_deref(), Some("R"));
        assert_eq!(c.chatgrp.as_ref().unwrap().uid1.as_deref(), Some("R"));
        let r = ev.detail.remarks.as_ref().unwrap();
        assert_eq!(r.text, "  hi <3\n");
        assert_eq!(ev.detail.xml_detail, r#"<link uid="a"/>"#);
        // A chat with two chatgrp children is more than the typed shape: a
        // view of the first, and the element verbatim.
        let ev = with_detail(r#"<__chat id="x"><chatgrp id="g1"/><chatgrp/></__chat>"#);
        let c = ev.detail.chat.as_ref().unwrap();
        assert_eq!(c.chatgrp.as_ref().unwrap().id.as_deref(), Some("g1"));
        assert!(ev.detail.verbatim.has(Part::Chat));
        assert_eq!(
            ev.detail.xml_detail,
            r#"<__chat id="x"><chatgrp id="g1"/><chatgrp/></__chat>"#
        );
    }

    #[test]
    fn whitespace_cdata_and_refs() {
        let ev = with_detail("\n  <a>\n   <b>x<![CDATA[<&>]]>&#65;</b>\n  </a> ");
        assert_eq!(ev.detail.xml_detail, "<a><b>x&lt;&amp;&gt;A</b></a>");
        let ev = with_detail("<a>&#32;</a><b>&lt; &gt;</b>");
        assert_eq!(ev.detail.xml_detail, "<a> </a><b>&lt; &gt;</b>");
    }

    #[test]
    fn missing_times_are_derived() {
        let ev = parse_xml(
            br#"<event uid="u" type="a-f-G" start="2026-01-01T00:00:00+00:00"><point lat="1" lon="2"/></event>"#,
        )
        .unwrap();
        assert_eq!(ev.time, ev.start);
        assert_eq!(ev.stale, ev.start);
        assert!(ev.quirks.contains(Quirks::MISSING_TIME));
        assert!(ev.quirks.contains(Quirks::MISSING_STALE));
        assert!(ev.quirks.contains(Quirks::INEXACT_START));
        assert!(!ev.quirks.contains(Quirks::MISSING_START));
        assert!(ev.quirks.contains(Quirks::point_missing(2)));
        assert_eq!(ev.point.hae, UNKNOWN);
        assert_eq!(ev.version, "");
        assert!(matches!(
            parse_xml(br#"<event uid="u"/>"#),
            Err(CotError::Missing(_))
        ));
    }

    #[test]
    fn structural_errors() {
        type Check = fn(&CotError) -> bool;
        let bad: &[(&str, Check)] = &[
            ("<foo/>", |e| matches!(e, CotError::NotAnEvent(_))),
            ("", |e| matches!(e, CotError::Missing(_))),
            ("junk<event/>", |e| matches!(e, CotError::Xml(_))),
            (
                "<event time='2026-01-01T00:00:00Z'><point/><point/></event>",
                |e| *e == CotError::Duplicate("point"),
            ),
            ("<event time='2026-01-01T00:00:00Z'><detail>", |e| {
                *e == CotError::Truncated
            }),
            ("<event time='yesterday'/>", |e| {
                matches!(e, CotError::BadTime { field: "time", .. })
            }),
            (
                "<event time='2026-01-01T00:00:00Z'><detail><a>&bogus;</a></detail></event>",
                |e| matches!(e, CotError::UnknownEntity(_)),
            ),
            (
                "<event time='2026-01-01T00:00:00Z'><detail><a>\u{1}</a></detail></event>",
                |e| matches!(e, CotError::InvalidChar { codepoint: 1 }),
            ),
            (
                "<event time='2026-01-01T00:00:00Z'><detail><a></b></detail></event>",
                |e| matches!(e, CotError::Xml(_)),
            ),
        ];
        for (xml, pred) in bad {
            let e = parse_xml(xml.as_bytes()).unwrap_err();
            assert!(pred(&e), "{xml}: {e}");
        }
    }

    #[test]
    fn duplicate_attributes_are_refused() {
        let t = "time='2026-01-01T00:00:00Z'";
        let attrs: String = (0..40).map(|i| format!(" a{i}='v'")).collect();
        for xml in [
            format!("<event uid='a' {t} uid='b'/>"),
            format!("<event {t}><point lat='1' lat='2'/></event>"),
            format!("<event {t}><detail><contact callsign='a' callsign='b'/></detail></event>"),
            format!("<event {t}><detail><x a='1' a='2'>t</x></detail></event>"),
            format!("<event {t}><detail><x><y a='1' a='2'/></x></detail></event>"),
            // Beyond the names kept on the stack.
            format!("<event {t}><detail><x{attrs} a3='w'/></detail></event>"),
            format!("<event {t}><detail><x{attrs} a39='w'/></detail></event>"),
        ] {
            let e = parse_xml(xml.as_bytes()).unwrap_err();
            assert!(
                matches!(&e, CotError::Xml(m) if m.contains("duplicated attribute")),
                "{xml}: {e}"
            );
        }
        let ev = with_detail(&format!("<x{attrs}/>"));
        assert_eq!(
            ev.detail.xml_detail,
            format!("<x{}/>", attrs.replace('\'', "\""))
        );
    }

    #[test]
    fn reused_event_keeps_nothing_from_the_last_one() {
        let full = r#"<contact callsign="A" endpoint="e"/><__group name="n" role="r"/><precisionlocation geopointsrc="g" altsrc="a"/><takv device="d" platform="p" os="o" version="v"/><__chat id="i" chatroom="c"><chatgrp uid0="u" id="i"/></__chat><remarks source="s">text</remarks>"#;
        let docs = [
            full.to_owned(),
            r#"<contact callsign="B"/><remarks>x</remarks>"#.to_owned(),
            r#"<contact callsign="C" phone="1"/><takv os="x" bad="1"/>"#.to_owned(),
            r#"<__chat id="j"><chatgrp uid0="a" uid0="b"/></__chat>"#.to_owned(),
            r#"<__chat id="j"><chatgrp uid0="a" other="b"/></__chat><remarks>y<b/></remarks>"#
                .to_owned(),
            String::new(),
        ];
        let mut ev = Event::default();
        for d in docs.iter().chain(docs.iter().rev()).chain(&docs) {
            let xml = format!("{EV}<detail>{d}</detail></event>");
            let fresh = parse_xml(xml.as_bytes());
            let reused = parse_xml_into(xml.as_bytes(), &mut ev);
            match fresh {
                Ok(fresh) => {
                    reused.unwrap();
                    assert_eq!(ev, fresh, "{d}");
                }
                Err(e) => assert_eq!(reused, Err(e), "{d}"),
            }
        }
    }

    #[test]
    fn fragment_cannot_escape_its_wrapper() {
        let mut d = Detail::default();
        assert!(parse_xml_detail("</detail><point lat='9'/>", &mut d).is_err());
        let mut d = Detail::default();
        assert_eq!(parse_xml_detail("<a>", &mut d), Err(CotError::Truncated));
        let mut d = Detail::default();
        parse_xml_detail("<remarks>x</remarks><b/>", &mut d).unwrap();
        assert_eq!(d.remarks.unwrap().text, "x");
        assert_eq!(d.xml_detail, "<b/>");
    }
}
