//! TAK Protocol version 1: protobuf messages and framing.
//!
//! Mesh (UDP multicast) frames are `BF 01 BF <TakMessage>`; stream (TCP to
//! a server) frames are `BF <varint length> <TakMessage>`. The message
//! structs are hand-written `prost` derives of ATAK's `takmessage.proto`,
//! `cotevent.proto` and `detail.proto` (no build script, no protoc).
//!
//! A typed detail sub-message is only used when it carries the element
//! completely (all its attributes present); otherwise the element is sent
//! inside `xmlDetail`, like ATAK does. `sendTime` is the event's `time`.

use super::error::CotError;
use super::escape::check_xml_chars;
use super::model::{
    Contact, Detail, Event, Group, Kind, Part, PrecisionLocation, Quirks, Status, Takv, Track,
    UNKNOWN,
};
use super::reader::parse_xml_detail;
use super::time::MAX_TIME_MS;
use super::writer::{write_detail_children, DetailMode, MAX_FRAME};
use prost::Message as _;

/// Hand-written protobuf messages of TAK Protocol v1.
pub mod proto {
    /// Top-level message of every TAK v1 payload.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TakMessage {
        /// Protocol negotiation (stream connections only).
        #[prost(message, optional, tag = "1")]
        pub tak_control: Option<TakControl>,
        /// The CoT event.
        #[prost(message, optional, tag = "2")]
        pub cot_event: Option<CotEvent>,
    }

    /// Version negotiation; 0 in a version field means 1.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TakControl {
        /// Lowest protocol version supported.
        #[prost(uint32, tag = "1")]
        pub min_proto_version: u32,
        /// Highest protocol version supported.
        #[prost(uint32, tag = "2")]
        pub max_proto_version: u32,
        /// Uid of the sending contact.
        #[prost(string, tag = "3")]
        pub contact_uid: String,
    }

    /// The event: attributes of `<event>` and `<point>`, times in ms.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct CotEvent {
        /// CoT type.
        #[prost(string, tag = "1")]
        pub r#type: String,
        /// `access` attribute.
        #[prost(string, tag = "2")]
        pub access: String,
        /// `qos` attribute.
        #[prost(string, tag = "3")]
        pub qos: String,
        /// `opex` attribute.
        #[prost(string, tag = "4")]
        pub opex: String,
        /// Uid.
        #[prost(string, tag = "5")]
        pub uid: String,
        /// `time`, ms since epoch.
        #[prost(uint64, tag = "6")]
        pub send_time: u64,
        /// `start`, ms since epoch.
        #[prost(uint64, tag = "7")]
        pub start_time: u64,
        /// `stale`, ms since epoch.
        #[prost(uint64, tag = "8")]
        pub stale_time: u64,
        /// `how`.
        #[prost(string, tag = "9")]
        pub how: String,
        /// Latitude.
        #[prost(double, tag = "10")]
        pub lat: f64,
        /// Longitude.
        #[prost(double, tag = "11")]
        pub lon: f64,
        /// Height above ellipsoid.
        #[prost(double, tag = "12")]
        pub hae: f64,
        /// Circular error.
        #[prost(double, tag = "13")]
        pub ce: f64,
        /// Linear error.
        #[prost(double, tag = "14")]
        pub le: f64,
        /// Detail.
        #[prost(message, optional, tag = "15")]
        pub detail: Option<Detail>,
    }

    /// `<detail>`: typed common elements plus the rest as XML.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Detail {
        /// Remaining children as XML, without a `<detail>` wrapper.
        #[prost(string, tag = "1")]
        pub xml_detail: String,
        /// `<contact>`.
        #[prost(message, optional, tag = "2")]
        pub contact: Option<Contact>,
        /// `<__group>`.
        #[prost(message, optional, tag = "3")]
        pub group: Option<Group>,
        /// `<precisionlocation>`.
        #[prost(message, optional, tag = "4")]
        pub precision_location: Option<PrecisionLocation>,
        /// `<status>`.
        #[prost(message, optional, tag = "5")]
        pub status: Option<Status>,
        /// `<takv>`.
        #[prost(message, optional, tag = "6")]
        pub takv: Option<Takv>,
        /// `<track>`.
        #[prost(message, optional, tag = "7")]
        pub track: Option<Track>,
    }

    /// `<contact endpoint callsign/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Contact {
        /// Endpoint.
        #[prost(string, tag = "1")]
        pub endpoint: String,
        /// Callsign.
        #[prost(string, tag = "2")]
        pub callsign: String,
    }

    /// `<__group name role/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Group {
        /// Team name.
        #[prost(string, tag = "1")]
        pub name: String,
        /// Role.
        #[prost(string, tag = "2")]
        pub role: String,
    }

    /// `<precisionlocation geopointsrc altsrc/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PrecisionLocation {
        /// Position source.
        #[prost(string, tag = "1")]
        pub geopointsrc: String,
        /// Altitude source.
        #[prost(string, tag = "2")]
        pub altsrc: String,
    }

    /// `<status battery/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Status {
        /// Battery percent.
        #[prost(uint32, tag = "1")]
        pub battery: u32,
    }

    /// `<takv device platform os version/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Takv {
        /// Device.
        #[prost(string, tag = "1")]
        pub device: String,
        /// Platform.
        #[prost(string, tag = "2")]
        pub platform: String,
        /// OS.
        #[prost(string, tag = "3")]
        pub os: String,
        /// Version.
        #[prost(string, tag = "4")]
        pub version: String,
    }

    /// `<track speed course/>`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Track {
        /// Speed, m/s.
        #[prost(double, tag = "1")]
        pub speed: f64,
        /// Course, degrees.
        #[prost(double, tag = "2")]
        pub course: f64,
    }
}

/// First byte of every TAK frame.
pub const MAGIC: u8 = 0xBF;
/// Header of a mesh (UDP) TAK v1 frame.
pub const MESH_HEADER: [u8; 3] = [MAGIC, 0x01, MAGIC];

fn ms_to_u64(ms: i64, field: &'static str) -> Result<u64, CotError> {
    // TAK v1 times are unsigned; cap at year 9999 so they stay writable.
    if (0..=MAX_TIME_MS).contains(&ms) {
        Ok(ms.unsigned_abs())
    } else {
        Err(CotError::TimeOutOfRange { field })
    }
}

fn u64_to_ms(v: u64, field: &'static str) -> Result<i64, CotError> {
    i64::try_from(v)
        .ok()
        .filter(|ms| *ms <= MAX_TIME_MS)
        .ok_or(CotError::TimeOutOfRange { field })
}

/// Clones a string after checking it is legal in XML, so every TAK event
/// we emit or accept can also be written as XML.
fn xs(s: &str) -> Result<String, CotError> {
    check_xml_chars(s)?;
    Ok(s.to_owned())
}

fn both(a: &Option<String>, b: &Option<String>) -> Option<(String, String)> {
    Some((a.clone()?, b.clone()?))
}

/// Converts an event to a TAK v1 message (typed parts where complete).
pub fn event_to_tak(ev: &Event) -> Result<proto::TakMessage, CotError> {
    let p = &ev.point;
    for (v, name) in p.fields().iter().zip(super::model::POINT_FIELDS) {
        if !v.is_finite() {
            return Err(CotError::NonFinite(name));
        }
    }
    let d = &ev.detail;
    let mut xml = Vec::new();
    write_detail_children(d, DetailMode::TakXmlDetail, &mut xml)?;
    // A part kept verbatim in xmlDetail is not sent typed as well.
    let typed = |p: Part| !d.verbatim.has(p);
    let contact = d
        .contact
        .as_ref()
        .filter(|_| typed(Part::Contact))
        .and_then(|c| both(&c.callsign, &c.endpoint));
    let group = d
        .group
        .as_ref()
        .filter(|_| typed(Part::Group))
        .and_then(|g| both(&g.name, &g.role));
    let ploc = d
        .precision_location
        .as_ref()
        .filter(|_| typed(Part::PrecisionLocation))
        .and_then(|l| both(&l.geopointsrc, &l.altsrc));
    let takv = d.takv.as_ref().filter(|_| typed(Part::Takv)).and_then(|t| {
        Some(proto::Takv {
            device: t.device.clone()?,
            platform: t.platform.clone()?,
            os: t.os.clone()?,
            version: t.version.clone()?,
        })
    });
    if let Some(t) = &takv {
        for s in [&t.device, &t.platform, &t.os, &t.version] {
            check_xml_chars(s)?;
        }
    }
    let track = d.track.filter(|_| typed(Part::Track)).and_then(|t| {
        Some(proto::Track {
            speed: t.speed?,
            course: t.course?,
        })
    });
    if let Some(t) = &track {
        if !(t.speed.is_finite() && t.course.is_finite()) {
            return Err(CotError::NonFinite("track"));
        }
    }
    let detail = proto::Detail {
        xml_detail: String::from_utf8(xml).map_err(|e| CotError::Xml(e.to_string()))?,
        contact: contact
            .map(|(callsign, endpoint)| {
                Ok::<_, CotError>(proto::Contact {
                    endpoint: xs(&endpoint)?,
                    callsign: xs(&callsign)?,
                })
            })
            .transpose()?,
        group: group
            .map(|(name, role)| {
                Ok::<_, CotError>(proto::Group {
                    name: xs(&name)?,
                    role: xs(&role)?,
                })
            })
            .transpose()?,
        precision_location: ploc
            .map(|(geopointsrc, altsrc)| {
                Ok::<_, CotError>(proto::PrecisionLocation {
                    geopointsrc: xs(&geopointsrc)?,
                    altsrc: xs(&altsrc)?,
                })
            })
            .transpose()?,
        status: d
            .status
            .as_ref()
            .filter(|_| typed(Part::Status))
            .and_then(|s| s.battery)
            .map(|battery| proto::Status { battery }),
        takv,
        track,
    };
    let opt = |o: &Option<String>| xs(o.as_deref().unwrap_or_default());
    Ok(proto::TakMessage {
        tak_control: None,
        cot_event: Some(proto::CotEvent {
            r#type: xs(&ev.type_)?,
            access: opt(&ev.access)?,
            qos: opt(&ev.qos)?,
            opex: opt(&ev.opex)?,
            uid: xs(&ev.uid)?,
            send_time: ms_to_u64(ev.time, "time")?,
            start_time: ms_to_u64(ev.start, "start")?,
            stale_time: ms_to_u64(ev.stale, "stale")?,
            how: xs(&ev.how)?,
            lat: p.lat,
            lon: p.lon,
            hae: p.hae,
            ce: p.ce,
            le: p.le,
            // An absent detail is smaller on the wire than an empty one.
            detail: (detail != proto::Detail::default()).then_some(detail),
        }),
    })
}

fn non_empty(s: &str) -> Result<Option<String>, CotError> {
    if s.is_empty() {
        Ok(None)
    } else {
        xs(s).map(Some)
    }
}

/// Converts a TAK v1 message into `ev` (reusing its allocations).
///
/// Non-finite `hae`/`ce`/`le` become [`UNKNOWN`] and non-finite `lat`/`lon`
/// stay NaN, as in the XML reader; both are noted in [`Event::quirks`].
/// `xmlDetail` goes through the hostile-safe XML reader (DOCTYPE refused).
pub fn tak_to_event_into(msg: &proto::TakMessage, ev: &mut Event) -> Result<(), CotError> {
    let Some(ce) = msg.cot_event.as_ref() else {
        // The version announcement TAK clients send periodically: valid,
        // just not an event.
        return Err(match &msg.tak_control {
            Some(c) => CotError::Control {
                min: c.min_proto_version.max(1),
                max: c.max_proto_version.max(1),
                contact_uid: c.contact_uid.chars().take(256).collect(),
            },
            None => CotError::NoCotEvent,
        });
    };
    ev.reset();
    check_xml_chars(&ce.r#type)?;
    check_xml_chars(&ce.uid)?;
    check_xml_chars(&ce.how)?;
    ev.type_.push_str(&ce.r#type);
    ev.uid.push_str(&ce.uid);
    ev.how.push_str(&ce.how);
    ev.access = non_empty(&ce.access)?;
    ev.qos = non_empty(&ce.qos)?;
    ev.opex = non_empty(&ce.opex)?;
    ev.time = u64_to_ms(ce.send_time, "time")?;
    ev.start = u64_to_ms(ce.start_time, "start")?;
    ev.stale = u64_to_ms(ce.stale_time, "stale")?;
    let raw = [ce.lat, ce.lon, ce.hae, ce.ce, ce.le];
    let mut vals = [0.0; 5];
    for (i, (&v, slot)) in raw.iter().zip(vals.iter_mut()).enumerate() {
        *slot = if v.is_finite() {
            v
        } else {
            ev.quirks.insert(Quirks::point_bad(i));
            if i < 2 {
                f64::NAN
            } else {
                UNKNOWN
            }
        };
    }
    ev.point.set_fields(vals);
    if let Some(pd) = &ce.detail {
        fill_detail(pd, &mut ev.detail)?;
    }
    ev.received_as = Some(Kind::TakV1);
    Ok(())
}

/// Typed sub-messages take their slots first; elements of the same name in
/// `xmlDetail` then stay raw (the reader only fills free slots).
fn fill_detail(pd: &proto::Detail, d: &mut Detail) -> Result<(), CotError> {
    if let Some(c) = &pd.contact {
        d.contact = Some(Contact {
            callsign: Some(xs(&c.callsign)?),
            endpoint: Some(xs(&c.endpoint)?),
        });
    }
    if let Some(g) = &pd.group {
        d.group = Some(Group {
            name: Some(xs(&g.name)?),
            role: Some(xs(&g.role)?),
        });
    }
    if let Some(p) = &pd.precision_location {
        d.precision_location = Some(PrecisionLocation {
            geopointsrc: Some(xs(&p.geopointsrc)?),
            altsrc: Some(xs(&p.altsrc)?),
        });
    }
    if let Some(s) = &pd.status {
        d.status = Some(Status {
            battery: Some(s.battery),
        });
    }
    if let Some(t) = &pd.takv {
        d.takv = Some(Takv {
            device: Some(xs(&t.device)?),
            platform: Some(xs(&t.platform)?),
            os: Some(xs(&t.os)?),
            version: Some(xs(&t.version)?),
        });
    }
    if let Some(t) = &pd.track {
        if !(t.course.is_finite() && t.speed.is_finite()) {
            return Err(CotError::NonFinite("track"));
        }
        d.track = Some(Track {
            course: Some(t.course),
            speed: Some(t.speed),
        });
    }
    parse_xml_detail(&pd.xml_detail, d)
}

/// Converts a TAK v1 message to a new event.
pub fn tak_to_event(msg: &proto::TakMessage) -> Result<Event, CotError> {
    let mut ev = Event::default();
    tak_to_event_into(msg, &mut ev)?;
    Ok(ev)
}

/// Appends the protobuf payload of `ev` (no framing) to `out`.
pub fn write_tak_payload(ev: &Event, out: &mut Vec<u8>) -> Result<(), CotError> {
    let msg = event_to_tak(ev)?;
    let len = msg.encoded_len();
    if len > MAX_FRAME {
        return Err(CotError::FrameTooLarge { len });
    }
    out.reserve(len);
    msg.encode(out)
        .map_err(|e| CotError::Protobuf(e.to_string()))
}

/// Appends a mesh frame `BF 01 BF payload` to `out`. On error nothing is
/// appended.
pub fn write_tak_mesh(ev: &Event, out: &mut Vec<u8>) -> Result<(), CotError> {
    let mark = out.len();
    out.extend_from_slice(&MESH_HEADER);
    let r = write_tak_payload(ev, out);
    if r.is_err() {
        out.truncate(mark);
    }
    r
}

/// Appends the stream-framing header of a `len`-byte message: `BF
/// varint(len)`.
pub fn push_stream_header(out: &mut Vec<u8>, len: usize) {
    out.push(MAGIC);
    prost::encoding::encode_varint(len as u64, out);
}

/// Appends a stream frame `BF varint(len) payload` to `out`.
pub fn write_tak_stream(ev: &Event, out: &mut Vec<u8>) -> Result<(), CotError> {
    let msg = event_to_tak(ev)?;
    let len = msg.encoded_len();
    if len > MAX_FRAME {
        return Err(CotError::FrameTooLarge { len });
    }
    out.reserve(len + 11);
    push_stream_header(out, len);
    msg.encode(out)
        .map_err(|e| CotError::Protobuf(e.to_string()))
}

/// Decodes a protobuf `TakMessage` payload (no framing) into `ev`.
pub fn decode_tak_payload_into(payload: &[u8], ev: &mut Event) -> Result<(), CotError> {
    if payload.len() > MAX_FRAME {
        return Err(CotError::FrameTooLarge { len: payload.len() });
    }
    let msg = proto::TakMessage::decode(payload).map_err(|e| {
        // Bounded, and without quoting the input.
        CotError::Protobuf(e.to_string().chars().take(200).collect())
    })?;
    tak_to_event_into(&msg, ev)
}

/// Decodes a mesh datagram `BF 01 BF payload`.
pub fn decode_tak_mesh(datagram: &[u8]) -> Result<Event, CotError> {
    let mut ev = Event::default();
    decode_tak_mesh_into(datagram, &mut ev)?;
    Ok(ev)
}

/// Decodes a mesh datagram into `ev`, reusing its allocations.
pub fn decode_tak_mesh_into(datagram: &[u8], ev: &mut Event) -> Result<(), CotError> {
    if datagram.len() > MAX_FRAME + MESH_HEADER.len() {
        return Err(CotError::FrameTooLarge {
            len: datagram.len(),
        });
    }
    let payload = datagram
        .strip_prefix(&MESH_HEADER)
        .ok_or(CotError::BadMagic)?;
    decode_tak_payload_into(payload, ev)
}

/// The protobuf payload of a datagram that holds exactly one stream frame
/// (`BF varint(len)` and `len` bytes, `len` > 0), if it is one.
pub fn stream_payload(datagram: &[u8]) -> Option<&[u8]> {
    let rest = datagram.strip_prefix(&[MAGIC])?;
    let Varint::Value(len, n) = read_varint(rest) else {
        return None;
    };
    let payload = rest.get(n..)?;
    (len > 0 && payload.len() as u64 == len).then_some(payload)
}

/// Result of reading a length varint.
enum Varint {
    Value(u64, usize),
    Incomplete,
    TooLong,
}

/// Reads a protobuf varint of at most 10 bytes.
fn read_varint(b: &[u8]) -> Varint {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7F)
            .checked_shl(7 * i as u32)
            .unwrap_or(0);
        if byte & 0x80 == 0 {
            return Varint::Value(v, i + 1);
        }
    }
    if b.len() >= 10 {
        Varint::TooLong
    } else {
        Varint::Incomplete
    }
}

/// Incremental deframer for TAK stream framing (`BF varint(len) payload`).
///
/// Feed received bytes with [`push`](Self::push), then call
/// [`next_frame`](Self::next_frame) until it returns `Ok(None)`. After an
/// error the stream is out of sync and the connection should be dropped.
#[derive(Debug, Default)]
pub struct StreamDeframer {
    buf: Vec<u8>,
    start: usize,
}

impl StreamDeframer {
    /// An empty deframer.
    pub fn new() -> Self {
        StreamDeframer::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        // Drop consumed frames before growing, so the buffer stays at most
        // one frame plus one read in size.
        if self.start > 0 {
            self.buf.drain(..self.start.min(self.buf.len()));
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes received but not yet returned as frames.
    pub fn pending(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Returns the next complete payload, `Ok(None)` if more bytes are
    /// needed. Errors: a first byte other than 0xBF, a length varint longer
    /// than 10 bytes, or a length over 64 KiB.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, CotError> {
        let avail = self.buf.get(self.start..).unwrap_or_default();
        let Some(&first) = avail.first() else {
            return Ok(None);
        };
        if first != MAGIC {
            return Err(CotError::BadMagic);
        }
        let (len, n) = match read_varint(avail.get(1..).unwrap_or_default()) {
            Varint::Value(len, n) => (len, n),
            Varint::Incomplete => return Ok(None),
            Varint::TooLong => return Err(CotError::VarintTooLong),
        };
        let len = match usize::try_from(len) {
            Ok(l) if l <= MAX_FRAME => l,
            _ => {
                return Err(CotError::FrameTooLarge {
                    len: usize::try_from(len).unwrap_or(usize::MAX),
                })
            }
        };
        let total = 1 + n + len;
        if avail.len() < total {
            return Ok(None);
        }
        let from = self.start + 1 + n;
        self.start += total;
        Ok(self.buf.get(from..self.start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        let mut ev = Event {
            uid: "u".into(),
            type_: "a-f-G".into(),
            how: "m-g".into(),
            time: 1_000,
            start: 1_000,
            stale: 61_000,
            ..Event::default()
        };
        ev.detail.contact = Some(Contact {
            callsign: Some("C".into()),
            endpoint: None,
        });
        ev
    }

    #[test]
    fn partial_contact_goes_to_xml_detail() {
        let msg = event_to_tak(&sample()).unwrap();
        let d = msg.cot_event.unwrap().detail.unwrap();
        assert!(d.contact.is_none());
        assert_eq!(d.xml_detail, r#"<contact callsign="C"/>"#);
    }

    #[test]
    fn mesh_and_stream_roundtrip() {
        let ev = sample();
        let mut mesh = Vec::new();
        write_tak_mesh(&ev, &mut mesh).unwrap();
        assert_eq!(mesh.get(..3), Some(&MESH_HEADER[..]));
        let back = decode_tak_mesh(&mesh).unwrap();
        assert_eq!(back.detail, ev.detail);
        assert_eq!(back.received_as, Some(Kind::TakV1));

        let mut stream = Vec::new();
        for _ in 0..3 {
            write_tak_stream(&ev, &mut stream).unwrap();
        }
        let mut de = StreamDeframer::new();
        let mut frames = 0;
        // Feed one byte at a time: frames must come out whole, once each.
        for b in &stream {
            de.push(std::slice::from_ref(b));
            while let Some(f) = de.next_frame().unwrap() {
                assert_eq!(f, mesh.get(3..).unwrap());
                frames += 1;
            }
        }
        assert_eq!(frames, 3);
        assert_eq!(de.pending(), 0);
    }

    #[test]
    fn deframer_errors() {
        let mut de = StreamDeframer::new();
        de.push(&[0x00]);
        assert_eq!(de.next_frame(), Err(CotError::BadMagic));
        let mut de = StreamDeframer::new();
        de.push(&[0xBF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(de.next_frame(), Ok(None));
        de.push(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        assert_eq!(de.next_frame(), Err(CotError::VarintTooLong));
        // Ten bytes is the longest legal varint; its value is just too big.
        let mut de = StreamDeframer::new();
        de.push(&[
            0xBF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
        ]);
        assert!(matches!(
            de.next_frame(),
            Err(CotError::FrameTooLarge { .. })
        ));
        let mut de = StreamDeframer::new();
        de.push(&[0xBF, 0x81, 0x80, 0x04]); // 65537
        assert_eq!(
            de.next_frame(),
            Err(CotError::FrameTooLarge { len: 65_537 })
        );
        let mut de = StreamDeframer::new();
        de.push(&[0xBF, 0x80, 0x80, 0x04]); // exactly 64 KiB: waits for data
        assert_eq!(de.next_frame(), Ok(None));
    }

    #[test]
    fn refusals() {
        let mut ev = sample();
        ev.time = -1;
        assert_eq!(
            event_to_tak(&ev),
            Err(CotError::TimeOutOfRange { field: "time" })
        );
        let mut ev = sample();
        ev.point.le = f64::INFINITY;
        assert_eq!(event_to_tak(&ev), Err(CotError::NonFinite("le")));
        let mut ev = sample();
        ev.uid = "a\u{0}".into();
        assert!(matches!(
            event_to_tak(&ev),
            Err(CotError::InvalidChar { .. })
        ));
        let mut out = vec![1];
        assert!(write_tak_mesh(&ev, &mut out).is_err());
        assert_eq!(out, [1]);
        assert_eq!(decode_tak_mesh(b"\xbf\x02\xbf"), Err(CotError::BadMagic));
        let msg = proto::TakMessage::default();
        assert_eq!(tak_to_event(&msg), Err(CotError::NoCotEvent));
        let msg = proto::TakMessage {
            cot_event: Some(proto::CotEvent {
                send_time: u64::MAX,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            tak_to_event(&msg),
            Err(CotError::TimeOutOfRange { field: "time" })
        );
    }

    #[test]
    fn nan_point_policy() {
        let msg = proto::TakMessage {
            cot_event: Some(proto::CotEvent {
                lat: f64::NAN,
                hae: f64::NAN,
                ..Default::default()
            }),
            ..Default::default()
        };
        let ev = tak_to_event(&msg).unwrap();
        assert!(ev.point.lat.is_nan());
        assert_eq!(ev.point.hae, UNKNOWN);
        assert!(ev.quirks.contains(Quirks::point_bad(0)));
        assert!(ev.quirks.contains(Quirks::point_bad(2)));
    }
}
