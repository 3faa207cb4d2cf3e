//! The CoT event model shared by the XML and TAK Protocol v1 codecs.
//!
//! Typed detail parts exist for the elements TAK Protocol v1 knows
//! (`contact`, `__group`, `precisionlocation`, `status`, `takv`, `track`)
//! plus `__chat` and `remarks`, which the summary needs. A typed part holds
//! an element completely: the reader only fills one when the element has no
//! attribute outside the known set and no child content (except `__chat`'s
//! `chatgrp` and `remarks`' text). Everything else, in document order, is
//! kept verbatim-but-re-escaped in [`Detail::xml_detail`].

/// CoT's "unknown" value for `hae`, `ce` and `le`.
pub const UNKNOWN: f64 = 9_999_999.0;

/// How a received event was encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// TAK Protocol v1 (`BF 01 BF` + protobuf).
    TakV1,
    /// TAK Protocol v1 with the *stream* framing of TCP links (`BF
    /// varint(len)` + protobuf), sent as a datagram: a misconfigured
    /// sender, or a relay that copied a TCP stream onto UDP.
    TakStream,
    /// Plain CoT XML.
    Xml,
    /// Neither (encrypted, or not CoT).
    Unknown,
}

impl Kind {
    /// Name used in JSON output: `"tak-v1"`, `"tak-v1-stream"`, `"xml"` or
    /// `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TakV1 => "tak-v1",
            Kind::TakStream => "tak-v1-stream",
            Kind::Xml => "xml",
            Kind::Unknown => "unknown",
        }
    }
}

/// Things a tolerant parse let through that a strict receiver would refuse.
/// A tiny bit set, so that recording them costs nothing in the hot path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks(u32);

impl Quirks {
    /// `time` absent (value was derived from `start`/`stale`).
    pub const MISSING_TIME: Quirks = Quirks(1);
    /// `start` absent (value was derived from `time`/`stale`).
    pub const MISSING_START: Quirks = Quirks(1 << 1);
    /// `stale` absent (value was derived from `start`).
    pub const MISSING_STALE: Quirks = Quirks(1 << 2);
    /// `time` not in the form ATAK reads (`YYYY-MM-DDTHH:MM:SS[.f…]Z`).
    pub const INEXACT_TIME: Quirks = Quirks(1 << 3);
    /// `start` not in the exact form.
    pub const INEXACT_START: Quirks = Quirks(1 << 4);
    /// `stale` not in the exact form.
    pub const INEXACT_STALE: Quirks = Quirks(1 << 5);
    /// No `<point>` element at all.
    pub const MISSING_POINT: Quirks = Quirks(1 << 6);
    /// Something (whitespace, a second BOM) stands before the XML
    /// declaration, which must open the document.
    pub const BEFORE_DECLARATION: Quirks = Quirks(1 << 7);
    /// The XML declaration names an encoding the bytes are not in (they
    /// decoded as UTF-8).
    pub const ENCODING_MISMATCH: Quirks = Quirks(1 << 8);
    const POINT_MISSING_BASE: u32 = 16;
    const POINT_BAD_BASE: u32 = 21;

    /// Quirk "point attribute `i` missing" (`i` indexes [`POINT_FIELDS`]).
    pub fn point_missing(i: usize) -> Quirks {
        Quirks(1 << (Self::POINT_MISSING_BASE + (i as u32 % 5)))
    }
    /// Quirk "point attribute `i` not a finite number".
    pub fn point_bad(i: usize) -> Quirks {
        Quirks(1 << (Self::POINT_BAD_BASE + (i as u32 % 5)))
    }
    /// True when every bit of `q` is set.
    pub fn contains(self, q: Quirks) -> bool {
        self.0 & q.0 == q.0 && q.0 != 0
    }
    /// Sets the bits of `q`.
    pub fn insert(&mut self, q: Quirks) {
        self.0 |= q.0;
    }
    /// True when nothing was noted.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Names of the point attributes, in wire order.
pub const POINT_FIELDS: [&str; 5] = ["lat", "lon", "hae", "ce", "le"];

/// `<point lat lon hae ce le/>`: WGS84 degrees, metres HAE, circular and
/// linear error in metres. Unknown `hae`/`ce`/`le` are [`UNKNOWN`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude in degrees (NaN when a received event lacked it).
    pub lat: f64,
    /// Longitude in degrees (NaN when a received event lacked it).
    pub lon: f64,
    /// Height above the WGS84 ellipsoid in metres.
    pub hae: f64,
    /// Circular error (horizontal, metres).
    pub ce: f64,
    /// Linear error (vertical, metres).
    pub le: f64,
}

impl Default for Point {
    fn default() -> Self {
        Point {
            lat: 0.0,
            lon: 0.0,
            hae: UNKNOWN,
            ce: UNKNOWN,
            le: UNKNOWN,
        }
    }
}

impl Point {
    /// The fields in wire order, for loops.
    pub fn fields(&self) -> [f64; 5] {
        [self.lat, self.lon, self.hae, self.ce, self.le]
    }

    /// Sets the fields from wire order (the inverse of [`Point::fields`]).
    pub fn set_fields(&mut self, [lat, lon, hae, ce, le]: [f64; 5]) {
        *self = Point {
            lat,
            lon,
            hae,
            ce,
            le,
        };
    }
}

/// `<contact callsign endpoint/>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    /// Display name.
    pub callsign: Option<String>,
    /// `host:port:proto`, e.g. `*:-1:stcp` ("reach me via the server").
    pub endpoint: Option<String>,
}

/// `<__group name role/>`: team colour and role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// Team colour, e.g. `Cyan`.
    pub name: Option<String>,
    /// Role, e.g. `Team Member`.
    pub role: Option<String>,
}

/// `<precisionlocation geopointsrc altsrc/>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrecisionLocation {
    /// Source of the position (`GPS`, `USER`, ...).
    pub geopointsrc: Option<String>,
    /// Source of the altitude (`GPS`, `DTED0`, ...).
    pub altsrc: Option<String>,
}

/// `<status battery/>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Battery percentage.
    pub battery: Option<u32>,
}

/// `<takv device platform os version/>`: the sending software.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Takv {
    /// Hardware model.
    pub device: Option<String>,
    /// Software name (`ATAK-CIV`, `mcast`, ...).
    pub platform: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Software version.
    pub version: Option<String>,
}

/// `<track course speed/>`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Track {
    /// Degrees clockwise from true north.
    pub course: Option<f64>,
    /// Metres per second.
    pub speed: Option<f64>,
}

/// `<chatgrp uid0 uid1 id/>` inside `__chat`: the conversation members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatGrp {
    /// Sender uid.
    pub uid0: Option<String>,
    /// Recipient uid or room name.
    pub uid1: Option<String>,
    /// Room id.
    pub id: Option<String>,
}

/// `<__chat ...>` of a GeoChat (`b-t-f`) event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chat {
    /// Contact tree parent, `RootContactGroup` for rooms.
    pub parent: Option<String>,
    /// `true`/`false` as text.
    pub group_owner: Option<String>,
    /// Message id (a UUID in ATAK).
    pub message_id: Option<String>,
    /// Room name, e.g. `All Chat Rooms`.
    pub chatroom: Option<String>,
    /// Room id.
    pub id: Option<String>,
    /// Sender's callsign.
    pub sender_callsign: Option<String>,
    /// The `chatgrp` child, if present.
    pub chatgrp: Option<ChatGrp>,
}

/// `<remarks source to time>text</remarks>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Remarks {
    /// Originator (`BAO.F.ATAK.<uid>` for GeoChat).
    pub source: Option<String>,
    /// Recipient (room or uid) for GeoChat.
    pub to: Option<String>,
    /// Time attribute as text (GeoChat puts the send time here).
    pub time: Option<String>,
    /// The text content.
    pub text: String,
}

/// `<detail>`: typed parts plus every other child kept as XML.
///
/// Write order (see `writer`): contact, `__group`, precisionlocation,
/// status, takv, track, `__chat`, then `xml_detail`, then remarks. This
/// reproduces the golden vector and ATAK's GeoChat layout
/// (`__chat`, `link`, `remarks`).
#[derive(Clone, Default, PartialEq)]
pub struct Detail {
    /// `contact`.
    pub contact: Option<Contact>,
    /// `__group`.
    pub group: Option<Group>,
    /// `precisionlocation`.
    pub precision_location: Option<PrecisionLocation>,
    /// `status`.
    pub status: Option<Status>,
    /// `takv`.
    pub takv: Option<Takv>,
    /// `track`.
    pub track: Option<Track>,
    /// `__chat`.
    pub chat: Option<Chat>,
    /// `remarks`.
    pub remarks: Option<Remarks>,
    /// All other children as well-formed, re-escaped XML (no `<detail>`
    /// wrapper). Comments and processing instructions are dropped.
    pub xml_detail: String,
    /// Typed parts that are a view only: their element carried more than
    /// the typed shape holds (another attribute, a child, text), so it is
    /// kept whole in `xml_detail` and writers skip the typed copy.
    pub verbatim: Verbatim,
    /// Strings of cleared typed parts, for the reader to reuse.
    pub(crate) spare: Spare,
}

/// The typed parts of a detail, for [`Verbatim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `contact`.
    Contact,
    /// `__group`.
    Group,
    /// `precisionlocation`.
    PrecisionLocation,
    /// `status`.
    Status,
    /// `takv`.
    Takv,
    /// `track`.
    Track,
    /// `__chat`.
    Chat,
    /// `remarks`.
    Remarks,
}

/// A set of [`Part`]s whose element is kept verbatim in `xml_detail`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verbatim(u8);

impl Verbatim {
    /// Whether `p` is in the set.
    pub fn has(self, p: Part) -> bool {
        self.0 & (1 << p as u8) != 0
    }

    /// Adds `p`.
    pub fn set(&mut self, p: Part) {
        self.0 |= 1 << p as u8;
    }
}

/// Written by hand only to leave out `spare`, which is not part of the value.
impl std::fmt::Debug for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detail")
            .field("contact", &self.contact)
            .field("group", &self.group)
            .field("precision_location", &self.precision_location)
            .field("status", &self.status)
            .field("takv", &self.takv)
            .field("track", &self.track)
            .field("chat", &self.chat)
            .field("remarks", &self.remarks)
            .field("xml_detail", &self.xml_detail)
            .field("verbatim", &self.verbatim)
            .finish()
    }
}

/// Most strings [`Spare`] keeps: every string field of every typed part.
const SPARE_MAX: usize = 24;
/// Larger strings are freed rather than kept, so that one huge remark does
/// not stay allocated for the life of a reused [`Event`].
const SPARE_MAX_CAPACITY: usize = 1024;

/// String buffers of typed parts from an earlier event. A receiver decodes
/// event after event into one [`Event`]; without this, every typed part
/// would allocate its strings anew for each event (about ten allocations
/// and frees per event, a good part of decoding time). Not part of the
/// value: ignored by `==` and `Debug`, and not cloned.
#[derive(Default)]
pub(crate) struct Spare(Vec<String>);

impl Clone for Spare {
    fn clone(&self) -> Self {
        Spare::default()
    }
}

impl PartialEq for Spare {
    fn eq(&self, _: &Spare) -> bool {
        true
    }
}

impl Spare {
    /// Keeps the buffer of `s`, if any, for reuse (bounded in number and size).
    pub(crate) fn keep(&mut self, s: Option<String>) {
        if let Some(s) = s {
            if self.0.len() < SPARE_MAX && s.capacity() <= SPARE_MAX_CAPACITY {
                self.0.push(s);
            }
        }
    }

    /// A string holding `v`, in a kept buffer when there is one.
    pub(crate) fn string(&mut self, v: &str) -> String {
        match self.0.pop() {
            Some(mut s) => {
                s.clear();
                s.push_str(v);
                s
            }
            None => v.to_owned(),
        }
    }
}

/// Typed parts give their strings to a [`Spare`] when they are dropped.
pub(crate) trait Recycle {
    /// Moves every string of `self` into `spare`.
    fn recycle(self, spare: &mut Spare);
}

impl Recycle for Contact {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.callsign);
        spare.keep(self.endpoint);
    }
}

impl Recycle for Group {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.name);
        spare.keep(self.role);
    }
}

impl Recycle for PrecisionLocation {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.geopointsrc);
        spare.keep(self.altsrc);
    }
}

impl Recycle for Takv {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.device);
        spare.keep(self.platform);
        spare.keep(self.os);
        spare.keep(self.version);
    }
}

impl Recycle for ChatGrp {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.uid0);
        spare.keep(self.uid1);
        spare.keep(self.id);
    }
}

impl Recycle for Chat {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.parent);
        spare.keep(self.group_owner);
        spare.keep(self.message_id);
        spare.keep(self.chatroom);
        spare.keep(self.id);
        spare.keep(self.sender_callsign);
        self.chatgrp.recycle(spare);
    }
}

impl Recycle for Remarks {
    fn recycle(self, spare: &mut Spare) {
        spare.keep(self.source);
        spare.keep(self.to);
        spare.keep(self.time);
        spare.keep(Some(self.text));
    }
}

impl<T: Recycle> Recycle for Option<T> {
    fn recycle(self, spare: &mut Spare) {
        if let Some(t) = self {
            t.recycle(spare);
        }
    }
}

impl Detail {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.contact.is_none()
            && self.group.is_none()
            && self.precision_location.is_none()
            && self.status.is_none()
            && self.takv.is_none()
            && self.track.is_none()
            && self.chat.is_none()
            && self.remarks.is_none()
            && self.xml_detail.is_empty()
    }

    /// Callsign from `contact`, if any.
    pub fn callsign(&self) -> Option<&str> {
        self.contact.as_ref()?.callsign.as_deref()
    }

    /// Empties the detail, keeping the allocations of `xml_detail` and of
    /// the typed parts' strings for the next event decoded into it.
    pub fn clear(&mut self) {
        // Destructured so that a new field cannot be forgotten here.
        let Detail {
            contact,
            group,
            precision_location,
            status,
            takv,
            track,
            chat,
            remarks,
            xml_detail,
            verbatim,
            spare,
        } = self;
        *verbatim = Verbatim::default();
        contact.take().recycle(spare);
        group.take().recycle(spare);
        precision_location.take().recycle(spare);
        *status = None;
        takv.take().recycle(spare);
        *track = None;
        chat.take().recycle(spare);
        remarks.take().recycle(spare);
        xml_detail.clear();
    }
}

/// One CoT event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `version` as received; the writer always emits `2.0`.
    pub version: String,
    /// Unique id of the thing described (empty if a received event lacked it).
    pub uid: String,
    /// CoT type, e.g. `a-f-G-U-C`.
    pub type_: String,
    /// How the position was obtained, e.g. `m-g` (empty if absent).
    pub how: String,
    /// Generation time, ms since the Unix epoch.
    pub time: i64,
    /// Start of validity, ms since the Unix epoch.
    pub start: i64,
    /// End of validity, ms since the Unix epoch.
    pub stale: i64,
    /// Optional `access` attribute (TAK v1 field 2).
    pub access: Option<String>,
    /// Optional `qos` attribute (TAK v1 field 3).
    pub qos: Option<String>,
    /// Optional `opex` attribute (TAK v1 field 4).
    pub opex: Option<String>,
    /// Position.
    pub point: Point,
    /// Detail children.
    pub detail: Detail,
    /// Wire encoding this event was decoded from (`None` if built locally).
    pub received_as: Option<Kind>,
    /// What a tolerant parse accepted that a strict receiver would not.
    pub quirks: Quirks,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            version: "2.0".to_owned(),
            uid: String::new(),
            type_: String::new(),
            how: String::new(),
            time: 0,
            start: 0,
            stale: 0,
            access: None,
            qos: None,
            opex: None,
            point: Point::default(),
            detail: Detail::default(),
            received_as: None,
            quirks: Quirks::default(),
        }
    }
}

impl Event {
    /// Resets to the default state while keeping string allocations, so a
    /// decoder or generator can reuse one `Event` without allocating.
    pub fn reset(&mut self) {
        self.version.clear();
        self.version.push_str("2.0");
        self.uid.clear();
        self.type_.clear();
        self.how.clear();
        self.time = 0;
        self.start = 0;
        self.stale = 0;
        self.access = None;
        self.qos = None;
        self.opex = None;
        self.point = Point::default();
        self.detail.clear();
        self.received_as = None;
        self.quirks = Quirks::default();
    }

    /// True for a GeoChat message (`b-t-f` with a `__chat` part).
    pub fn is_chat(&self) -> bool {
        self.type_ == "b-t-f" && self.detail.chat.is_some()
    }
}

/// Replaces the content of `slot` with `v`, reusing its allocation.
pub fn set_opt(slot: &mut Option<String>, v: &str) {
    match slot {
        Some(s) => {
            s.clear();
            s.push_str(v);
        }
        None => *slot = Some(v.to_owned()),
    }
}

/// Replaces the content of `s` with `v`, reusing its allocation.
pub fn set_str(s: &mut String, v: &str) {
    s.clear();
    s.push_str(v);
}
