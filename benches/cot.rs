//! In-process CoT throughput: what `listen --format cot` does per datagram
//! (classify, decode, summary line) and what `cot-gen` does per event
//! (generate, encode), on one core. Run: `cargo bench --bench cot`.
//! bench/run.sh prints these beside the end-to-end figures.

use std::time::{Duration, Instant};

use mcast::cot::{self, Event, GenKind, GenOptions, Generator, Movement};

fn rate(what: &str, n: u64, t: Duration) {
    println!("{what:<40} {:>12.0} events/s", n as f64 / t.as_secs_f64());
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let opts = GenOptions {
        kind: GenKind::Sa,
        callsign: "ALPHA".into(),
        units: 100,
        movement: Movement::Walk,
        group_name: Some("Cyan".into()),
        remarks: Some("bench".into()),
        lat: 37.5,
        lon: -122.25,
        start_ms: 1_767_225_600_000,
        takv_version: "bench".into(),
        ..GenOptions::default()
    };
    let mut g = Generator::new(opts).expect("valid options");
    let mut ev = Event::default();

    // A capture's worth of distinct events, as they would arrive.
    let mut xml: Vec<Vec<u8>> = Vec::new();
    let mut tak: Vec<Vec<u8>> = Vec::new();
    for _ in 0..1000 {
        g.next_event(&mut ev);
        let mut b = Vec::new();
        cot::write_xml(&ev, &mut b).expect("encodes");
        xml.push(b);
        let mut b = Vec::new();
        cot::write_tak_mesh(&ev, &mut b).expect("encodes");
        tak.push(b);
    }

    let mut buf = Vec::with_capacity(1024);
    let t = Instant::now();
    for _ in 0..n {
        g.next_event(&mut ev);
        buf.clear();
        cot::write_xml(&ev, &mut buf).expect("encodes");
    }
    rate("generate + encode XML", n, t.elapsed());

    let t = Instant::now();
    for _ in 0..n {
        g.next_event(&mut ev);
        buf.clear();
        cot::write_tak_mesh(&ev, &mut buf).expect("encodes");
    }
    rate("generate + encode TAK v1", n, t.elapsed());

    let mut line = String::new();
    for (name, set) in [("XML", &xml), ("TAK v1", &tak)] {
        let t = Instant::now();
        for i in 0..n {
            let d = &set[(i % set.len() as u64) as usize];
            line.clear();
            if cot::decode_datagram_into(d, &mut ev).is_ok() {
                cot::write_summary(&ev, 1_767_225_600_000, &mut line);
            }
        }
        rate(
            &format!("decode {name} + summary line ({} B)", set[0].len()),
            n,
            t.elapsed(),
        );
    }
}
