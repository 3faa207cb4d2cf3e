//! `mcast cot-gen`: Cursor-on-Target test events, printed (one per line) or
//! sent through the same sending core as `mcast send`.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::batch::{SendBuf, GSO_MAX_SEGMENTS};
use crate::cli::{CotFormat, CotGenArgs, CotKind, CotMove};
use crate::cmd::Ctx;
use crate::cot::{self, Event, GenKind, GenOptions, Generator, Movement};
use crate::endpoint::Endpoint;
use crate::error::{usage, Outcome};
use crate::fanout::Fanout;
use crate::pace::{now_ns, Pacer};
use crate::plan;
use crate::signals::Stop;
use crate::sock::{IfRef, SendConfig};

/// TAK clients' situational-awareness group.
pub const SA_ENDPOINT: (Ipv4Addr, u16) = (Ipv4Addr::new(239, 2, 3, 1), 6969);
/// TAK clients' GeoChat group.
pub const CHAT_ENDPOINT: (Ipv4Addr, u16) = (Ipv4Addr::new(224, 10, 10, 1), 17012);

/// Runs `mcast cot-gen`.
pub fn run(a: &CotGenArgs, ctx: &Ctx) -> Result<Outcome> {
    let units = u64::from(a.units);
    // --interval is the time between ticks (one event per unit each tick);
    // --rate is events per second, so a tick lasts units/rate.
    let tick = match (a.pace.interval, a.pace.rate) {
        (Some(d), _) => Some(d.0),
        (None, Some(r)) => Some(r.interval().mul_f64(units as f64)),
        (None, None) => None,
    };
    let count = match a.count {
        Some(c) => Some(c.get()),
        None if tick.is_some() => None,
        None => Some(units),
    };
    let start_ms = match a.time {
        Some(t) => t.0,
        None => (now_ns() / 1_000_000) as i64,
    };
    let opts = options(a, tick.unwrap_or(Duration::from_secs(1)), start_ms)?;
    let mut generator = Generator::new(opts).map_err(|e| usage(format!("cot-gen: {e}")))?;
    // Each event of a tick gets an even share of the tick.
    let pacer_interval = tick.map(|t| t.div_f64(units as f64));
    let stop = Stop::install()?;
    let mut ev = Event::default();

    if let Some(dest) = &a.send {
        let ep = dest.clone().unwrap_or_else(|| {
            let (addr, port) = if a.kind == CotKind::Chat {
                CHAT_ENDPOINT
            } else {
                SA_ENDPOINT
            };
            Endpoint {
                addr: IpAddr::V4(addr),
                port,
                iface: None,
            }
        });
        let plan = plan::send_plan(&ep, &a.ifaces.iface)?;
        for w in plan::send_warnings(&plan, None) {
            ctx.warn(w);
        }
        let cfg = SendConfig {
            iface: IfRef::any(),
            ttl: a.ttl.value.0,
            multicast_loop: true,
            tos: None,
            bind: None,
            broadcast: false,
        };
        let mut fan = Fanout::open(&plan, &cfg, false)?;
        let limit = fan.family().max_payload();
        let mut buf = SendBuf::new(GSO_MAX_SEGMENTS, 1 << 20);
        let mut one = Vec::with_capacity(1024);
        let pacer = Pacer::new(pacer_interval);
        let mut done = 0u64;
        while count.is_none_or(|c| done < c) {
            let left = count.map_or(u64::MAX, |c| c - done);
            let n = pacer.wait(done, left.min(GSO_MAX_SEGMENTS as u64), &stop);
            if stop.requested() {
                break;
            }
            buf.clear();
            for _ in 0..n {
                generator.next_event(&mut ev);
                one.clear();
                encode(&ev, a.format, a.xml_declaration, &mut one)?;
                if one.len() > limit {
                    return Err(usage(format!(
                        "an event is {} bytes, above the {} datagram limit of {limit}; shorten --remarks or --message",
                        one.len(),
                        fan.family()
                    )));
                }
                buf.push(&one);
            }
            fan.flush(&buf)?;
            done += n;
        }
        let n = fan.sent;
        ctx.info(format_args!(
            "sent {n} CoT {} to {ep}",
            if n == 1 { "event" } else { "events" }
        ));
        return Ok(if count.is_none_or(|c| done >= c) {
            Outcome::Ok
        } else {
            Outcome::NotMet
        });
    }

    let stdout = io::stdout();
    let mut lock = stdout.lock();
    let mut out = Vec::with_capacity(1 << 16);
    let mut one = Vec::with_capacity(1024);
    let pacer = Pacer::new(pacer_interval);
    let mut done = 0u64;
    while count.is_none_or(|c| done < c) {
        let left = count.map_or(u64::MAX, |c| c - done);
        // Unpaced output goes out in large buffered chunks; paced output is
        // flushed per event so a pipe into `mcast send` stays live.
        let n = pacer.wait(done, left.min(256), &stop);
        if stop.requested() {
            break;
        }
        for _ in 0..n {
            generator.next_event(&mut ev);
            match (a.format, a.raw) {
                (CotFormat::Xml, _) => {
                    encode(&ev, CotFormat::Xml, a.xml_declaration, &mut out)?;
                    out.push(b'\n');
                }
                (CotFormat::Tak, true) => encode(&ev, CotFormat::Tak, false, &mut out)?,
                (CotFormat::Tak, false) => {
                    one.clear();
                    encode(&ev, CotFormat::Tak, false, &mut one)?;
                    push_hex(&mut out, &one);
                    out.push(b'\n');
                }
            }
        }
        done += n;
        if out.len() >= 1 << 15 || pacer.is_paced() || count.is_some_and(|c| done >= c) {
            let w = lock.write_all(&out).and_then(|_| lock.flush());
            out.clear();
            w.context("write to standard output")?;
        }
    }
    lock.write_all(&out)
        .and_then(|_| lock.flush())
        .context("write to standard output")?;
    Ok(if count.is_none_or(|c| done >= c) {
        Outcome::Ok
    } else {
        Outcome::NotMet
    })
}

/// The XML declaration ATAK puts in front of every event.
const XML_DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";

fn encode(ev: &Event, format: CotFormat, decl: bool, out: &mut Vec<u8>) -> Result<()> {
    match format {
        CotFormat::Xml => {
            if decl {
                out.extend_from_slice(XML_DECLARATION);
            }
            cot::write_xml(ev, out)
        }
        CotFormat::Tak => cot::write_tak_mesh(ev, out),
    }
    .map_err(|e| usage(format!("cot-gen: {e}")))
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

/// Maps the command line onto the generator's options (which validates).
fn options(a: &CotGenArgs, tick: Duration, start_ms: i64) -> Result<GenOptions> {
    let d = GenOptions::default();
    let kind = match a.kind {
        CotKind::Sa => GenKind::Sa,
        CotKind::Marker => GenKind::Marker,
        CotKind::Chat => GenKind::Chat,
        CotKind::Delete => GenKind::Delete,
        CotKind::Ping => GenKind::Ping,
    };
    if kind == GenKind::Delete && a.target_uid.is_none() {
        return Err(usage(
            "--kind delete needs --target-uid UID: the uid of the event to remove",
        ));
    }
    let movement = match a.movement {
        CotMove::Still => Movement::Still,
        CotMove::Walk => Movement::Walk,
        CotMove::Circle => Movement::Circle,
        CotMove::Line => Movement::Line,
    };
    let ms = |d: Duration| {
        i64::try_from(d.as_millis()).map_err(|_| usage(format!("duration {d:?} is too long")))
    };
    Ok(GenOptions {
        kind,
        uid: a.uid.clone(),
        callsign: a.callsign.clone(),
        type_: a.type_.clone(),
        how: a.how.clone(),
        lat: a.lat,
        lon: a.lon,
        hae: a.hae.unwrap_or(d.hae),
        ce: a.ce.unwrap_or(d.ce),
        le: a.le.unwrap_or(d.le),
        stale_ms: ms(a.stale.0)?,
        remarks: a.remarks.clone(),
        group_name: a.group.clone(),
        group_role: a.role.clone(),
        endpoint: a.contact_endpoint.clone(),
        units: a.units,
        movement,
        speed: a.speed,
        course: a.course,
        radius: a.radius,
        interval_ms: ms(tick)?,
        seed: a.seed.unwrap_or(0),
        id_seed: a.seed.unwrap_or_else(fresh_seed),
        start_ms,
        takv_version: env!("CARGO_PKG_VERSION").to_string(),
        chat_message: a.message.clone().unwrap_or(d.chat_message),
        chat_room: a.room.clone(),
        chat_sender_uid: None,
        chat_sender_callsign: None,
        delete_uid: a.target_uid.clone(),
    })
}

/// A seed that differs on every run: std's randomly keyed hasher over the
/// clock (no extra crate for ten lines).
fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(crate::pace::now_ns());
    h.finish()
}
