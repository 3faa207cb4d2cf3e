//! Deterministic CoT event generator for `mcast cot-gen`.
//!
//! Given the same [`GenOptions`] (including `seed` and `start_ms`) the
//! generator always yields the same events, so test runs can be replayed.
//! [`Generator::next_event`] overwrites a caller-owned [`Event`] and, once
//! its strings have grown, allocates nothing for SA, marker, delete and ping
//! events (chat events format one message id and uid each).
//!
//! Events are produced round-robin over the units: event `k` belongs to
//! unit `k % units` at tick `k / units`; all units of a tick share its time
//! `start_ms + tick * interval`.

use super::error::CotError;
use super::escape::{check_xml_chars, escape_attr};
use super::model::{
    set_opt, set_str, Chat, ChatGrp, Contact, Event, Group, Remarks, Takv, Track, UNKNOWN,
};
use super::time::{push_time, MAX_TIME_MS, MIN_TIME_MS};
use super::types::{validate_how, validate_type};
use std::fmt::Write as _;

/// What kind of event to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GenKind {
    /// Position report (PLI) of a friendly unit, `a-f-G-U-C` by default.
    #[default]
    Sa,
    /// A map marker, `b-m-p-s-m` (spot marker) by default.
    Marker,
    /// A GeoChat message (`b-t-f`) laid out as ATAK sends it.
    Chat,
    /// A delete order for another uid (`t-x-d-d`).
    Delete,
    /// A ping (`t-x-c-t`).
    Ping,
}

/// How units move from tick to tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Movement {
    /// Stay at the start position.
    #[default]
    Still,
    /// Random walk: each tick turns by up to ±30° and moves `speed * interval`.
    Walk,
    /// Circle of `radius` metres around the start position, clockwise.
    Circle,
    /// Straight line along `course`.
    Line,
}

/// Options of the generator; see [`GenOptions::default`] for defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    /// Event kind.
    pub kind: GenKind,
    /// Uid (with `-<i>` appended when `units > 1`); default
    /// `mcast-<8 hex digits derived from seed>-<i>`.
    pub uid: Option<String>,
    /// Callsign (with `-<i>` appended when `units > 1`).
    pub callsign: String,
    /// CoT type; default depends on `kind`.
    pub type_: Option<String>,
    /// `how`, default `m-g` (machine, GPS).
    pub how: String,
    /// Start latitude in degrees.
    pub lat: f64,
    /// Start longitude in degrees.
    pub lon: f64,
    /// Height above ellipsoid in metres ([`UNKNOWN`] if unknown).
    pub hae: f64,
    /// Circular error in metres ([`UNKNOWN`] if unknown).
    pub ce: f64,
    /// Linear error in metres ([`UNKNOWN`] if unknown).
    pub le: f64,
    /// Time from start to stale; must be positive (default 2 minutes).
    pub stale_ms: i64,
    /// Text for `<remarks>` (SA and marker events).
    pub remarks: Option<String>,
    /// `__group` name (team colour); SA events get a `__group` when this or
    /// `group_role` is set (defaults `Cyan` / `Team Member`).
    pub group_name: Option<String>,
    /// `__group` role.
    pub group_role: Option<String>,
    /// Contact endpoint for SA events (default `*:-1:stcp`).
    pub endpoint: Option<String>,
    /// Number of distinct units (uids/callsigns), 1 to 1,000,000.
    pub units: u32,
    /// Movement model.
    pub movement: Movement,
    /// Speed in m/s (0 or more).
    pub speed: f64,
    /// Initial course in degrees from true north.
    pub course: f64,
    /// Radius in metres for [`Movement::Circle`].
    pub radius: f64,
    /// Time between ticks (0 or more).
    pub interval_ms: i64,
    /// PRNG seed (uids and movement).
    pub seed: u64,
    /// Seed of chat message ids: the same as `seed` for reproducible runs;
    /// a fresh one per run otherwise, so that runs never repeat an id.
    pub id_seed: u64,
    /// Time of the first tick, ms since the Unix epoch.
    pub start_ms: i64,
    /// Version string for `<takv version>` (mcast's own version).
    pub takv_version: String,
    /// Chat message text.
    pub chat_message: String,
    /// Chat room (default `All Chat Rooms`).
    pub chat_room: String,
    /// Chat sender uid (default: the unit's uid).
    pub chat_sender_uid: Option<String>,
    /// Chat sender callsign (default: the unit's callsign).
    pub chat_sender_callsign: Option<String>,
    /// Uid that a delete event removes (required for [`GenKind::Delete`]).
    pub delete_uid: Option<String>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            kind: GenKind::Sa,
            uid: None,
            callsign: "MCAST".to_owned(),
            type_: None,
            how: "m-g".to_owned(),
            lat: 0.0,
            lon: 0.0,
            hae: UNKNOWN,
            ce: UNKNOWN,
            le: UNKNOWN,
            stale_ms: 120_000,
            remarks: None,
            group_name: None,
            group_role: None,
            endpoint: None,
            units: 1,
            movement: Movement::Still,
            speed: 1.5,
            course: 0.0,
            radius: 100.0,
            interval_ms: 1000,
            seed: 0,
            id_seed: 0,
            start_ms: 0,
            takv_version: String::new(),
            chat_message: "hello from mcast".to_owned(),
            chat_room: "All Chat Rooms".to_owned(),
            chat_sender_uid: None,
            chat_sender_callsign: None,
            delete_uid: None,
        }
    }
}

/// Default contact endpoint: "reach me through the TAK server", which is
/// what ATAK announces when it has no direct endpoint.
const DEFAULT_ENDPOINT: &str = "*:-1:stcp";
/// Identifier fields are short in practice; the limit keeps every generated
/// event far below the readers' 8 KiB attribute limit even when escaped.
const MAX_FIELD: usize = 1024;
/// Free text (remarks, chat); escaped it stays below the text limit.
const MAX_TEXT: usize = 4096;
/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

fn invalid(msg: String) -> CotError {
    CotError::Invalid(msg)
}

/// An identifier-like field: non-empty, one line, no control characters.
fn check_field(what: &str, v: &str) -> Result<(), CotError> {
    if v.is_empty() {
        return Err(invalid(format!("{what} must not be empty")));
    }
    if v.len() > MAX_FIELD {
        return Err(invalid(format!("{what} is longer than {MAX_FIELD} bytes")));
    }
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(invalid(format!(
            "{what} contains control character U+{:04X}",
            u32::from(c)
        )));
    }
    check_xml_chars(v).map_err(|e| invalid(format!("{what}: {e}")))
}

/// Free text: newlines allowed, characters XML forbids are not.
fn check_text(what: &str, v: &str) -> Result<(), CotError> {
    if v.len() > MAX_TEXT {
        return Err(invalid(format!("{what} is longer than {MAX_TEXT} bytes")));
    }
    check_xml_chars(v).map_err(|e| invalid(format!("{what}: {e}")))
}

fn check_finite(what: &str, v: f64) -> Result<(), CotError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(invalid(format!("{what} must be a finite number, not {v}")))
    }
}

impl GenOptions {
    /// The CoT type used: `type_` or the default for `kind`.
    pub fn effective_type(&self) -> &str {
        self.type_.as_deref().unwrap_or(match self.kind {
            GenKind::Sa => "a-f-G-U-C",
            GenKind::Marker => "b-m-p-s-m",
            GenKind::Chat => "b-t-f",
            GenKind::Delete => "t-x-d-d",
            GenKind::Ping => "t-x-c-t",
        })
    }

    /// Checks every option; the error message names the offending option.
    pub fn validate(&self) -> Result<(), CotError> {
        for (what, v) in [
            ("lat", self.lat),
            ("lon", self.lon),
            ("hae", self.hae),
            ("ce", self.ce),
            ("le", self.le),
            ("speed", self.speed),
            ("course", self.course),
            ("radius", self.radius),
        ] {
            check_finite(what, v)?;
        }
        if !(-90.0..=90.0).contains(&self.lat) {
            return Err(invalid(format!("lat {} is outside -90..90", self.lat)));
        }
        if !(-180.0..=180.0).contains(&self.lon) {
            return Err(invalid(format!("lon {} is outside -180..180", self.lon)));
        }
        for (what, v) in [("ce", self.ce), ("le", self.le), ("speed", self.speed)] {
            if v < 0.0 {
                return Err(invalid(format!("{what} {v} must not be negative")));
            }
        }
        if self.movement == Movement::Circle && self.radius <= 0.0 {
            return Err(invalid(format!("radius {} must be positive", self.radius)));
        }
        // A stale time at or before start makes the event dead on arrival.
        if self.stale_ms <= 0 {
            return Err(invalid(format!(
                "stale must be positive, not {} s",
                self.stale_ms as f64 / 1000.0
            )));
        }
        if self.interval_ms < 0 {
            return Err(invalid("interval must not be negative".to_owned()));
        }
        if !(1..=1_000_000).contains(&self.units) {
            return Err(invalid(format!(
                "units {} must be between 1 and 1000000",
                self.units
            )));
        }
        if !(MIN_TIME_MS..=MAX_TIME_MS).contains(&self.start_ms) {
            return Err(invalid("start time is outside years 0000-9999".to_owned()));
        }
        validate_type(self.effective_type()).map_err(invalid)?;
        validate_how(&self.how).map_err(invalid)?;
        check_field("callsign", &self.callsign)?;
        for (what, v) in [
            ("uid", &self.uid),
            ("group name", &self.group_name),
            ("group role", &self.group_role),
            ("endpoint", &self.endpoint),
            ("chat sender uid", &self.chat_sender_uid),
            ("chat sender callsign", &self.chat_sender_callsign),
            ("delete uid", &self.delete_uid),
        ] {
            if let Some(v) = v {
                check_field(what, v)?;
            }
        }
        if !self.takv_version.is_empty() {
            check_field("takv version", &self.takv_version)?;
        }
        if let Some(r) = &self.remarks {
            check_text("remarks", r)?;
        }
        if self.kind == GenKind::Chat {
            check_field("chat room", &self.chat_room)?;
            if self.chat_message.is_empty() {
                return Err(invalid("chat message must not be empty".to_owned()));
            }
            check_text("chat message", &self.chat_message)?;
        }
        if self.kind == GenKind::Delete && self.delete_uid.is_none() {
            return Err(invalid("a delete event needs the uid to delete".to_owned()));
        }
        Ok(())
    }
}

/// splitmix64: tiny, fast and good enough for jitter; no `rand` dependency.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Metres per degree of latitude on the mean sphere.
fn m_per_deg() -> f64 {
    EARTH_RADIUS_M.to_radians()
}

/// Moves (lat, lon) by north/east metres with the local flat-earth
/// approximation (east scaled by cos(lat)); crossing a pole continues on the
/// other side with the course turned by 180°. Longitude wraps to -180..180.
/// `v` rounded to `1 / scale` (values too large to scale stay as they are).
fn tidy(v: f64, scale: f64) -> f64 {
    let r = (v * scale).round() / scale;
    if r.is_finite() {
        r
    } else {
        v
    }
}

fn offset(lat: f64, lon: f64, north_m: f64, east_m: f64, course: &mut f64) -> (f64, f64) {
    // cos(lat) is clamped so a unit standing on a pole does not divide by 0.
    let coslat = lat.to_radians().cos().max(0.01);
    let mut lat2 = lat + north_m / m_per_deg();
    let mut lon2 = lon + east_m / (m_per_deg() * coslat);
    if !(-90.0..=90.0).contains(&lat2) {
        lat2 = lat2.signum() * 180.0 - lat2;
        lon2 += 180.0;
        *course = (*course + 180.0).rem_euclid(360.0);
    }
    (lat2, (lon2 + 180.0).rem_euclid(360.0) - 180.0)
}

/// Per-unit movement state.
#[derive(Debug, Clone)]
struct Unit {
    uid: String,
    callsign: String,
    lat: f64,
    lon: f64,
    course: f64,
    /// Starting bearing on the circle, radians.
    phase: f64,
}

/// The generator; create with [`Generator::new`].
#[derive(Debug, Clone)]
pub struct Generator {
    o: GenOptions,
    type_: String,
    units: Vec<Unit>,
    seq: u64,
    rng: SplitMix64,
    ids: SplitMix64,
    msg_id: String,
}

impl Generator {
    /// Validates `opts` and prepares the units.
    pub fn new(opts: GenOptions) -> Result<Generator, CotError> {
        opts.validate()?;
        let mut rng = SplitMix64(opts.seed);
        let id_seed = opts.id_seed;
        let tag = rng.next_u64() >> 32;
        let n = opts.units;
        let mut units = Vec::with_capacity(n as usize);
        for i in 1..=n {
            let uid = match (&opts.uid, n) {
                (Some(u), 1) => u.clone(),
                (Some(u), _) => format!("{u}-{i}"),
                (None, _) => format!("mcast-{tag:08x}-{i}"),
            };
            let callsign = if n == 1 {
                opts.callsign.clone()
            } else {
                format!("{}-{i}", opts.callsign)
            };
            // Spread units on a golden-angle spiral (15 m * sqrt(i)) so they
            // do not sit on top of each other; unit 1 is at the start point.
            let k = f64::from(i - 1);
            let (r, ang) = (15.0 * k.sqrt(), (k * 137.507_764_f64).to_radians());
            let mut course = opts.course.rem_euclid(360.0);
            let (lat, lon) = offset(
                opts.lat,
                opts.lon,
                r * ang.cos(),
                r * ang.sin(),
                &mut course,
            );
            units.push(Unit {
                uid,
                callsign,
                lat,
                lon,
                course,
                phase: std::f64::consts::TAU * k / f64::from(n),
            });
        }
        Ok(Generator {
            type_: opts.effective_type().to_owned(),
            o: opts,
            units,
            seq: 0,
            rng,
            ids: SplitMix64(id_seed ^ 0x6d63_6173_745f_6964),
            msg_id: String::new(),
        })
    }

    /// The options in use.
    pub fn options(&self) -> &GenOptions {
        &self.o
    }

    /// Number of events generated so far.
    pub fn count(&self) -> u64 {
        self.seq
    }

    fn interval_s(&self) -> f64 {
        self.o.interval_ms as f64 / 1000.0
    }

    /// Advances unit `i` to `tick`; returns (lat, lon, course).
    fn step(&mut self, i: usize, tick: u64) -> (f64, f64, f64) {
        let dist = self.o.speed * self.interval_s();
        let (mv, radius, jitter) = (
            self.o.movement,
            self.o.radius,
            self.rng.next_f64() * 60.0 - 30.0,
        );
        let Some(u) = self.units.get_mut(i) else {
            return (self.o.lat, self.o.lon, 0.0);
        };
        match mv {
            Movement::Still => (u.lat, u.lon, u.course),
            Movement::Circle => {
                // Positions come from the tick directly, so no error builds up.
                let bearing = u.phase + dist * tick as f64 / radius;
                let mut course = (bearing.to_degrees() + 90.0).rem_euclid(360.0);
                let (lat, lon) = offset(
                    self.o.lat,
                    self.o.lon,
                    radius * bearing.cos(),
                    radius * bearing.sin(),
                    &mut course,
                );
                (lat, lon, course)
            }
            Movement::Walk | Movement::Line => {
                if tick > 0 {
                    if mv == Movement::Walk {
                        u.course = (u.course + jitter).rem_euclid(360.0);
                    }
                    let c = u.course.to_radians();
                    let (lat, lon) =
                        offset(u.lat, u.lon, dist * c.cos(), dist * c.sin(), &mut u.course);
                    u.lat = lat;
                    u.lon = lon;
                }
                (u.lat, u.lon, u.course)
            }
        }
    }

    /// Overwrites `ev` with the next event.
    pub fn next_event(&mut self, ev: &mut Event) {
        let n = self.units.len().max(1) as u64;
        let (i, tick) = ((self.seq % n) as usize, self.seq / n);
        self.seq += 1;
        let (lat, lon, course) = self.step(i, tick);
        let t = self
            .o
            .start_ms
            .saturating_add((tick as i64).saturating_mul(self.o.interval_ms));
        let Some(u) = self.units.get(i) else {
            return;
        };
        let o = &self.o;
        set_str(&mut ev.version, "2.0");
        set_str(&mut ev.uid, &u.uid);
        set_str(&mut ev.type_, &self.type_);
        set_str(&mut ev.how, &o.how);
        ev.time = t;
        ev.start = t;
        ev.stale = t.saturating_add(o.stale_ms);
        ev.access = None;
        ev.qos = None;
        ev.opex = None;
        // Tidy numbers: 7 decimals of a degree are 1.1 cm, and the shortest
        // form of the rounded value is what gets printed (-0.12, not
        // -0.12000000000000455 after a few metres of arithmetic).
        ev.point.lat = tidy(lat, 1e7);
        ev.point.lon = tidy(lon, 1e7);
        ev.point.hae = tidy(o.hae, 1e3);
        ev.point.ce = tidy(o.ce, 1e3);
        ev.point.le = tidy(o.le, 1e3);
        ev.received_as = None;
        ev.quirks = Default::default();
        let d = &mut ev.detail;
        d.xml_detail.clear();
        d.precision_location = None;
        d.status = None;
        let moving = o.movement != Movement::Still;
        match o.kind {
            GenKind::Sa => {
                let c = d.contact.get_or_insert_with(Contact::default);
                set_opt(&mut c.callsign, &u.callsign);
                set_opt(
                    &mut c.endpoint,
                    o.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT),
                );
                if o.group_name.is_some() || o.group_role.is_some() {
                    let g = d.group.get_or_insert_with(Group::default);
                    set_opt(&mut g.name, o.group_name.as_deref().unwrap_or("Cyan"));
                    set_opt(
                        &mut g.role,
                        o.group_role.as_deref().unwrap_or("Team Member"),
                    );
                } else {
                    d.group = None;
                }
                let k = d.takv.get_or_insert_with(Takv::default);
                set_opt(&mut k.device, "mcast");
                set_opt(&mut k.platform, "mcast");
                set_opt(&mut k.os, "linux");
                set_opt(&mut k.version, &o.takv_version);
                d.track = Some(Track {
                    course: Some(tidy(course, 1e3)),
                    speed: Some(tidy(if moving { o.speed } else { 0.0 }, 1e3)),
                });
                d.chat = None;
                set_remarks(d, o.remarks.as_deref());
            }
            GenKind::Marker => {
                let c = d.contact.get_or_insert_with(Contact::default);
                set_opt(&mut c.callsign, &u.callsign);
                c.endpoint = None;
                d.group = None;
                d.takv = None;
                d.track = None;
                d.chat = None;
                set_remarks(d, o.remarks.as_deref());
            }
            GenKind::Delete | GenKind::Ping => {
                d.contact = None;
                d.group = None;
                d.takv = None;
                d.track = None;
                d.chat = None;
                d.remarks = None;
                if let (GenKind::Delete, Some(target)) = (o.kind, &o.delete_uid) {
                    // ATAK removes the item named by the link; __forcedelete
                    // makes it do so even for items it did not create.
                    d.xml_detail.push_str("<link uid=\"");
                    let _ = escape_attr(target, &mut d.xml_detail);
                    d.xml_detail
                        .push_str("\" relation=\"none\" type=\"none\"/><__forcedelete/>");
                }
            }
            GenKind::Chat => {
                let a = self.ids.next_u64();
                let b = self.ids.next_u64();
                self.msg_id.clear();
                // A random (version 4) UUID, as ATAK uses for message ids.
                let _ = write!(
                    self.msg_id,
                    "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xFFFF,
                    a & 0xFFF,
                    0x8000 | ((b >> 48) & 0x3FFF),
                    b & 0xFFFF_FFFF_FFFF
                );
                let sender = o.chat_sender_uid.as_deref().unwrap_or(&u.uid);
                let sender_cs = o.chat_sender_callsign.as_deref().unwrap_or(&u.callsign);
                let room = o.chat_room.as_str();
                // ATAK's GeoChat uid: GeoChat.<sender uid>.<room>.<message id>.
                ev.uid.clear();
                let _ = write!(ev.uid, "GeoChat.{sender}.{room}.{}", self.msg_id);
                d.contact = None;
                d.group = None;
                d.takv = None;
                d.track = None;
                let c = d.chat.get_or_insert_with(Chat::default);
                set_opt(&mut c.parent, "RootContactGroup");
                set_opt(&mut c.group_owner, "false");
                set_opt(&mut c.message_id, &self.msg_id);
                set_opt(&mut c.chatroom, room);
                set_opt(&mut c.id, room);
                set_opt(&mut c.sender_callsign, sender_cs);
                let g = c.chatgrp.get_or_insert_with(ChatGrp::default);
                set_opt(&mut g.uid0, sender);
                set_opt(&mut g.uid1, room);
                set_opt(&mut g.id, room);
                // The link ties the message to the sender's map contact.
                d.xml_detail.push_str("<link uid=\"");
                let _ = escape_attr(sender, &mut d.xml_detail);
                d.xml_detail
                    .push_str("\" type=\"a-f-G-U-C\" relation=\"p-p\"/>");
                let r = d.remarks.get_or_insert_with(Remarks::default);
                let src = r.source.get_or_insert_with(String::new);
                src.clear();
                src.push_str("BAO.F.ATAK.");
                src.push_str(sender);
                set_opt(&mut r.to, room);
                let time = r.time.get_or_insert_with(String::new);
                time.clear();
                // start_ms is validated; only absurd tick counts fail here,
                // and the writer then refuses the event's own time anyway.
                let _ = push_time(t, time);
                set_str(&mut r.text, &o.chat_message);
            }
        }
    }
}

fn set_remarks(d: &mut super::model::Detail, text: Option<&str>) {
    match text {
        Some(t) => {
            let r = d.remarks.get_or_insert_with(Remarks::default);
            r.source = None;
            r.to = None;
            r.time = None;
            set_str(&mut r.text, t);
        }
        None => d.remarks = None,
    }
}

impl Iterator for Generator {
    type Item = Event;

    /// Endless; allocates a new event each time (use `next_event` in loops).
    fn next(&mut self) -> Option<Event> {
        let mut ev = Event::default();
        self.next_event(&mut ev);
        Some(ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cot::writer::to_xml_string;

    fn opts() -> GenOptions {
        GenOptions {
            start_ms: 1_767_225_600_000,
            lat: 37.5,
            lon: -122.25,
            takv_version: "0.1.0".into(),
            ..GenOptions::default()
        }
    }

    fn refused(f: impl FnOnce(&mut GenOptions), needle: &str) {
        let mut o = opts();
        f(&mut o);
        match Generator::new(o) {
            Err(CotError::Invalid(m)) => assert!(m.contains(needle), "{m:?} lacks {needle:?}"),
            other => panic!("expected refusal containing {needle:?}, got {other:?}"),
        }
    }

    #[test]
    fn every_refusal() {
        refused(|o| o.lat = 90.5, "lat 90.5 is outside");
        refused(|o| o.lat = -91.0, "lat -91 is outside");
        refused(|o| o.lon = 180.01, "lon 180.01 is outside");
        refused(|o| o.lon = -200.0, "lon -200 is outside");
        refused(|o| o.lat = f64::NAN, "lat must be a finite number");
        refused(|o| o.lon = f64::INFINITY, "lon must be a finite number");
        refused(|o| o.hae = f64::NAN, "hae must be a finite");
        refused(|o| o.ce = f64::NEG_INFINITY, "ce must be a finite");
        refused(|o| o.le = f64::NAN, "le must be a finite");
        refused(|o| o.speed = f64::NAN, "speed must be a finite");
        refused(|o| o.course = f64::INFINITY, "course must be a finite");
        refused(|o| o.radius = f64::NAN, "radius must be a finite");
        refused(|o| o.ce = -1.0, "ce -1 must not be negative");
        refused(|o| o.speed = -0.5, "speed -0.5 must not be negative");
        refused(
            |o| {
                o.movement = Movement::Circle;
                o.radius = 0.0;
            },
            "radius 0 must be positive",
        );
        refused(|o| o.stale_ms = -5000, "stale must be positive");
        refused(|o| o.stale_ms = 0, "stale must be positive");
        refused(|o| o.interval_ms = -1000, "interval");
        refused(|o| o.units = 0, "units 0");
        refused(|o| o.start_ms = i64::MAX, "start time");
        refused(|o| o.type_ = Some("a-q-G".into()), "affiliation");
        refused(|o| o.type_ = Some("x--y".into()), "empty atom");
        refused(|o| o.how = "M-G".into(), "how \"M-G\"");
        refused(
            |o| o.callsign = "AL\u{1b}PHA".into(),
            "callsign contains control",
        );
        refused(|o| o.callsign = "A\nB".into(), "callsign contains control");
        refused(|o| o.callsign = String::new(), "callsign must not be empty");
        refused(
            |o| o.callsign = "\u{FFFF}".into(),
            "callsign: character U+FFFF",
        );
        refused(|o| o.uid = Some("u\u{0}".into()), "uid contains control");
        refused(|o| o.uid = Some("x".repeat(2000)), "uid is longer");
        refused(
            |o| o.endpoint = Some("\t".into()),
            "endpoint contains control",
        );
        refused(|o| o.group_name = Some("\u{7}".into()), "group name");
        refused(|o| o.group_role = Some("\u{85}".into()), "group role");
        refused(|o| o.takv_version = "1\r".into(), "takv version");
        refused(
            |o| o.remarks = Some("a\u{2}".into()),
            "remarks: character U+0002",
        );
        refused(|o| o.remarks = Some("r".repeat(5000)), "remarks is longer");
        refused(
            |o| {
                o.kind = GenKind::Chat;
                o.chat_message = "bad\u{8}".into();
            },
            "chat message: character U+0008",
        );
        refused(
            |o| {
                o.kind = GenKind::Chat;
                o.chat_message = String::new();
            },
            "chat message must not be empty",
        );
        refused(
            |o| {
                o.kind = GenKind::Chat;
                o.chat_room = "r\noom".into();
            },
            "chat room",
        );
        refused(
            |o| o.chat_sender_uid = Some("\u{1}".into()),
            "chat sender uid",
        );
        refused(
            |o| o.chat_sender_callsign = Some("\u{1}".into()),
            "chat sender callsign",
        );
        refused(|o| o.kind = GenKind::Delete, "needs the uid to delete");
        refused(|o| o.delete_uid = Some("\u{3}".into()), "delete uid");
        // Newlines are fine in free text; they are escaped on output.
        let mut o = opts();
        o.remarks = Some("line1\nline2 <&>".into());
        assert!(Generator::new(o).is_ok());
    }

    #[test]
    fn deterministic_and_units() {
        let mut o = opts();
        o.units = 3;
        o.movement = Movement::Walk;
        o.seed = 7;
        let a: Vec<Event> = Generator::new(o.clone()).unwrap().take(9).collect();
        let b: Vec<Event> = Generator::new(o.clone()).unwrap().take(9).collect();
        assert_eq!(a, b);
        o.seed = 8;
        let c: Vec<Event> = Generator::new(o).unwrap().take(9).collect();
        assert_ne!(a, c);
        let uids: Vec<&str> = a.iter().take(3).map(|e| e.uid.as_str()).collect();
        assert!(uids.iter().all(|u| u.starts_with("mcast-")), "{uids:?}");
        assert!(uids[0].ends_with("-1") && uids[2].ends_with("-3"));
        assert_eq!(a[3].uid, a[0].uid);
        assert_eq!(a[1].detail.callsign(), Some("MCAST-2"));
        assert_eq!(a[0].time, a[2].time);
        assert_eq!(a[3].time, a[0].time + 1000);
        assert_eq!(a[0].stale, a[0].time + 120_000);
    }

    /// Distance in metres between two points (haversine), to check movement.
    fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
        let dla = la2 - la1;
        let dlo = (b.1 - a.1).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().asin()
    }

    #[test]
    fn movements() {
        let pos = |e: &Event| (e.point.lat, e.point.lon);
        let mut o = opts();
        o.movement = Movement::Line;
        o.course = 90.0;
        o.speed = 10.0;
        let ev: Vec<Event> = Generator::new(o.clone()).unwrap().take(11).collect();
        let d = dist(pos(&ev[0]), pos(&ev[10]));
        assert!((d - 100.0).abs() < 0.1, "line moved {d} m");
        assert!((ev[10].point.lat - 37.5).abs() < 1e-9, "due east keeps lat");
        assert_eq!(ev[5].detail.track.unwrap().course, Some(90.0));
        assert_eq!(ev[5].detail.track.unwrap().speed, Some(10.0));

        o.movement = Movement::Circle;
        o.radius = 200.0;
        let ev: Vec<Event> = Generator::new(o.clone()).unwrap().take(50).collect();
        for e in &ev {
            let r = dist((37.5, -122.25), pos(e));
            assert!((r - 200.0).abs() < 0.5, "radius {r}");
        }
        assert!(dist(pos(&ev[0]), pos(&ev[1])) > 9.0);

        o.movement = Movement::Walk;
        let ev: Vec<Event> = Generator::new(o.clone()).unwrap().take(20).collect();
        for w in ev.windows(2) {
            let step = dist(pos(&w[0]), pos(&w[1]));
            assert!((step - 10.0).abs() < 0.05, "walk step {step}");
        }
        let courses: Vec<f64> = ev.iter().filter_map(|e| e.detail.track?.course).collect();
        assert!(courses.windows(2).any(|w| w[0] != w[1]), "walk must turn");

        // Across the pole and the antimeridian, positions stay in range.
        o.movement = Movement::Line;
        o.lat = 89.9999;
        o.lon = 179.9999;
        o.course = 45.0;
        o.speed = 100.0;
        for e in Generator::new(o).unwrap().take(100) {
            assert!((-90.0..=90.0).contains(&e.point.lat), "{}", e.point.lat);
            assert!((-180.0..180.0).contains(&e.point.lon), "{}", e.point.lon);
        }
    }

    #[test]
    fn sa_layout() {
        let mut o = opts();
        o.uid = Some("sa-1".into());
        o.callsign = "ALPHA-1".into();
        o.group_name = Some("Cyan".into());
        let mut g = Generator::new(o).unwrap();
        let mut ev = Event::default();
        g.next_event(&mut ev);
        let xml = to_xml_string(&ev).unwrap();
        assert_eq!(
            xml,
            "<event version=\"2.0\" uid=\"sa-1\" type=\"a-f-G-U-C\" how=\"m-g\" \
             time=\"2026-01-01T00:00:00.000Z\" start=\"2026-01-01T00:00:00.000Z\" \
             stale=\"2026-01-01T00:02:00.000Z\"><point lat=\"37.5\" lon=\"-122.25\" \
             hae=\"9999999.0\" ce=\"9999999.0\" le=\"9999999.0\"/><detail>\
             <contact callsign=\"ALPHA-1\" endpoint=\"*:-1:stcp\"/>\
             <__group name=\"Cyan\" role=\"Team Member\"/>\
             <takv device=\"mcast\" platform=\"mcast\" os=\"linux\" version=\"0.1.0\"/>\
             <track course=\"0.0\" speed=\"0.0\"/></detail></event>"
        );
    }

    #[test]
    fn chat_delete_ping_marker_layout() {
        let mut o = opts();
        o.kind = GenKind::Chat;
        o.uid = Some("ANDROID-1".into());
        o.callsign = "ALPHA".into();
        o.chat_message = "hi <all>".into();
        let ev = Generator::new(o).unwrap().next().unwrap();
        let xml = to_xml_string(&ev).unwrap();
        let id = ev.detail.chat.as_ref().unwrap().message_id.clone().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(ev.uid, format!("GeoChat.ANDROID-1.All Chat Rooms.{id}"));
        let detail = format!(
            "<detail><__chat parent=\"RootContactGroup\" groupOwner=\"false\" \
             messageId=\"{id}\" chatroom=\"All Chat Rooms\" id=\"All Chat Rooms\" \
             senderCallsign=\"ALPHA\"><chatgrp uid0=\"ANDROID-1\" uid1=\"All Chat Rooms\" \
             id=\"All Chat Rooms\"/></__chat><link uid=\"ANDROID-1\" type=\"a-f-G-U-C\" \
             relation=\"p-p\"/><remarks source=\"BAO.F.ATAK.ANDROID-1\" to=\"All Chat Rooms\" \
             time=\"2026-01-01T00:00:00.000Z\">hi &lt;all&gt;</remarks></detail>"
        );
        assert!(xml.contains(&detail), "{xml}");
        assert!(xml.contains("type=\"b-t-f\""));

        let mut o = opts();
        o.kind = GenKind::Delete;
        o.delete_uid = Some("victim\"1".into());
        let xml = to_xml_string(&Generator::new(o).unwrap().next().unwrap()).unwrap();
        assert!(xml.contains("type=\"t-x-d-d\""));
        assert!(xml.ends_with(
            "<detail><link uid=\"victim&quot;1\" relation=\"none\" type=\"none\"/>\
             <__forcedelete/></detail></event>"
        ));

        let mut o = opts();
        o.kind = GenKind::Ping;
        let xml = to_xml_string(&Generator::new(o).unwrap().next().unwrap()).unwrap();
        assert!(xml.contains("type=\"t-x-c-t\""));
        assert!(xml.ends_with("<detail/></event>"));

        let mut o = opts();
        o.kind = GenKind::Marker;
        o.remarks = Some("look here".into());
        let xml = to_xml_string(&Generator::new(o).unwrap().next().unwrap()).unwrap();
        assert!(xml.contains("type=\"b-m-p-s-m\""));
        assert!(xml.ends_with(
            "<detail><contact callsign=\"MCAST\"/><remarks>look here</remarks></detail></event>"
        ));
    }

    #[test]
    fn reused_event_switches_cleanly() {
        // One Event reused across kinds must not keep parts of the old kind.
        let mut ev = Event::default();
        let mut o = opts();
        o.kind = GenKind::Chat;
        Generator::new(o).unwrap().next_event(&mut ev);
        let mut o = opts();
        o.kind = GenKind::Sa;
        let mut g = Generator::new(o.clone()).unwrap();
        g.next_event(&mut ev);
        let fresh = Generator::new(o).unwrap().next().unwrap();
        assert_eq!(ev, fresh);
    }
}
