//! Cursor-on-Target (CoT) for mcast: model, XML and TAK Protocol v1 codecs,
//! datagram classification, summaries, strict checking and a generator.
//!
//! Everything here is pure (no I/O) and never panics on input. Decoders are
//! tolerant of what real senders emit but refuse hostile input quickly
//! (see [`reader`]); writers are strict and produce exactly what ATAK
//! accepts (see [`writer`]).

pub mod error;
pub mod escape;
pub mod gen;
pub mod model;
pub mod reader;
pub mod stream;
pub mod strict;
pub mod summary;
pub mod tak;
pub mod time;
pub mod types;
pub mod writer;

#[cfg(test)]
mod tests;

pub use error::CotError;
pub use gen::{GenKind, GenOptions, Generator, Movement};
pub use model::{
    Chat, ChatGrp, Contact, Detail, Event, Group, Kind, Part, Point, PrecisionLocation, Quirks,
    Remarks, Status, Takv, Track, Verbatim, UNKNOWN,
};
pub use reader::{parse_xml, parse_xml_into};
pub use stream::{split_xml_events, XmlEventSplitter};
pub use strict::strict_check;
pub use summary::{cot_json, write_summary};
pub use tak::{
    decode_tak_mesh, event_to_tak, tak_to_event, write_tak_mesh, write_tak_stream, StreamDeframer,
};
pub use time::{format_time, parse_time};
pub use types::{type_matches, type_meaning, validate_how, validate_type};
pub use writer::{to_xml_string, write_xml, MAX_FRAME};

/// Tells what a received datagram is, by its first bytes only.
///
/// `BF 01 BF` is TAK Protocol v1 mesh; `BF varint(len)` followed by exactly
/// `len` bytes is v1 stream framing; `<` or a UTF-8 BOM, optionally after
/// ASCII whitespace, is XML; anything else (including encrypted CoT) is
/// unknown.
pub fn classify(datagram: &[u8]) -> Kind {
    if datagram.starts_with(&tak::MESH_HEADER) {
        return Kind::TakV1;
    }
    if tak::stream_payload(datagram).is_some() {
        return Kind::TakStream;
    }
    let skip = datagram
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let rest = datagram.get(skip..).unwrap_or_default();
    if rest.starts_with(b"<") || rest.starts_with(b"\xEF\xBB\xBF") {
        Kind::Xml
    } else {
        Kind::Unknown
    }
}

/// Rewrites a CoT datagram for replay: its `time` becomes `now_ms`, and
/// `start` and `stale` keep their offsets from `time` (a TAK client then
/// shows it as fresh, for as long as it was valid when captured). The
/// encoding is kept (XML with its declaration, TAK v1 mesh or stream
/// framing). Returns false, leaving `out` empty, for a datagram that is
/// not a decodable event.
pub fn retime(datagram: &[u8], now_ms: i64, ev: &mut Event, out: &mut Vec<u8>) -> bool {
    out.clear();
    let kind = classify(datagram);
    if kind == Kind::Unknown || decode_datagram_into(datagram, ev).is_err() {
        return false;
    }
    let shift = now_ms.saturating_sub(ev.time);
    ev.time = now_ms;
    ev.start = ev.start.saturating_add(shift);
    ev.stale = ev.stale.saturating_add(shift);
    let written = match kind {
        Kind::TakV1 => tak::write_tak_mesh(ev, out),
        Kind::TakStream => tak::write_tak_stream(ev, out),
        _ => {
            // Keep an XML declaration the sender put first (ATAK does).
            let trimmed = datagram
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            let rest = &datagram[trimmed..];
            if rest.starts_with(b"<?xml") {
                if let Some(end) = rest.windows(2).position(|w| w == b"?>") {
                    out.extend_from_slice(&rest[..end + 2]);
                }
            }
            write_xml(ev, out)
        }
    };
    if written.is_err() {
        out.clear();
        return false;
    }
    true
}

/// Decodes a datagram of either encoding; see [`classify`].
pub fn decode_datagram(datagram: &[u8]) -> Result<Event, CotError> {
    let mut ev = Event::default();
    decode_datagram_into(datagram, &mut ev)?;
    Ok(ev)
}

/// Decodes a datagram into `ev`, reusing its allocations.
pub fn decode_datagram_into(datagram: &[u8], ev: &mut Event) -> Result<(), CotError> {
    match classify(datagram) {
        Kind::TakV1 => tak::decode_tak_mesh_into(datagram, ev),
        Kind::TakStream => {
            let payload = tak::stream_payload(datagram).ok_or(CotError::BadMagic)?;
            tak::decode_tak_payload_into(payload, ev)?;
            ev.received_as = Some(Kind::TakStream);
            Ok(())
        }
        Kind::Xml => reader::parse_xml_into(datagram, ev),
        Kind::Unknown => Err(CotError::UnknownEncoding),
    }
}
