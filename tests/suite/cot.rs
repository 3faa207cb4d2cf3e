//! Cursor-on-Target end to end: `cot-gen` (printed, and sent inside lab
//! namespaces), `listen --format cot`, the `cot` fields of `--format json`,
//! `--cot-strict`, refusals, and interoperability with the real `takproto`
//! Python package (TAK Protocol v1).
//!
//! Every datagram is sent inside a lab's namespaces (`h1 --a0-- h2`); only
//! `cot-gen` without `--send` (which prints) runs in the host namespace.
//! The pure codecs have their own unit tests in `src/cot/tests.rs`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{pair, show, Lab, Proc};
use crate::{assert_no_panic, json, listen, payload, MCAST};

/// The golden vector of `src/cot/tests.rs`: an XML event and its TAK
/// Protocol v1 mesh datagram.
const GOLDEN_XML: &str = r#"<event version="2.0" uid="mcast-test-1" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="37.5" lon="-122.25" hae="10.0" ce="9999999.0" le="9999999.0"/><detail><contact callsign="ALPHA-1" endpoint="10.77.0.1:4242:tcp"/><__group name="Cyan" role="Team Member"/><track course="90.0" speed="1.5"/><remarks>hello</remarks></detail></event>"#;
const GOLDEN_HEX: &str = "bf01bf12c4010a09612d662d472d552d432a0c6d636173742d746573742d313080d0eab6b7333880d0eab6b73340c0f9f1b6b7334a036d2d67510000000000c04240590000000000905ec061000000000000244069000000e0cf12634171000000e0cf1263417a620a183c72656d61726b733e68656c6c6f3c2f72656d61726b733e121d0a1231302e37372e302e313a343234323a7463701207414c5048412d311a130a044379616e120b5465616d204d656d6265723a1209000000000000f83f110000000000805640";

// ---------------------------------------------------------------- helpers

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
fn assert_ok(o: &Output) {
    crate::assert_code(o, 0);
}

/// `mcast cot-gen ARGS` in the host namespace: only for runs that print
/// (no `--send`), which never touch the network.
fn cot_gen_print(args: &[&str]) -> Output {
    assert!(
        !args.iter().any(|a| a.starts_with("--send")),
        "cot-gen --send must run in a lab namespace"
    );
    Command::new(MCAST)
        .arg("cot-gen")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run mcast cot-gen")
}

/// Runs `mcast ARGS` in `host` and asserts success.
#[track_caller]
fn run_ok(lab: &Lab, host: &str, args: &[&str]) -> Output {
    let o = lab.run(host, MCAST, args);
    assert_ok(&o);
    o
}

/// Waits for a listener that must end by itself (its `--count` reached),
/// and asserts that it succeeded.
#[track_caller]
fn finish(p: &mut Proc) -> Output {
    let o = crate::finish(p);
    assert_ok(&o);
    o
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `cot` object of a datagram; panics (showing it) when absent.
#[track_caller]
fn cot(d: &Value) -> &Value {
    match d.get("cot") {
        Some(c) if c.is_object() => c,
        _ => panic!("no cot object in {d}"),
    }
}

#[track_caller]
fn assert_near(v: &Value, want: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{what}: {got} != {want}");
}

/// The `--format cot` lines that describe datagrams (not `strict:` lines).
fn event_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| !l.starts_with("  strict: "))
        .collect()
}

// ------------------------------------------------ 1. SA, XML/TAK, v4/v6

/// `cot-gen --send` in h1, `listen --format cot` and `--format json` in h2.
fn sa_roundtrip(lab: &Lab, format: &str, send: &[&str], group: &str, listen_ep: &str) {
    let uid = format!("sa-{format}-{}", group.len());
    let mut cot_rx = listen(
        lab,
        "h2",
        "a0",
        group,
        &[
            listen_ep,
            "--format",
            "cot",
            "--count",
            "1",
            "--timeout",
            "5s",
        ],
    );
    let mut json_rx = listen(
        lab,
        "h2",
        "a0",
        group,
        &[
            listen_ep,
            "--format",
            "json",
            "--count",
            "1",
            "--timeout",
            "5s",
        ],
    );
    let mut args = vec![
        "cot-gen",
        "--uid",
        &uid,
        "--callsign",
        "ALPHA-1",
        "--lat",
        "37.5",
        "--lon",
        "-122.25",
        "--format",
        format,
    ];
    args.extend_from_slice(send);
    let sent = run_ok(lab, "h1", &args);

    let o = finish(&mut cot_rx);
    let out = text(&o.stdout);
    let lines = event_lines(&out);
    assert_eq!(lines.len(), 1, "one event line:\n{}", show(&o));
    let line = lines[0];
    let want = format!(
        "uid={uid} type=a-f-G-U-C (friend ground unit) callsign=ALPHA-1 lat=37.5 lon=-122.25"
    );
    assert!(line.contains(&want), "want {want:?} in:\n{}", show(&o));
    assert!(line.contains(" how=m-g"), "{line}");
    let src = if group.contains(':') {
        "[fd77::1"
    } else {
        "10.77.0.1:"
    };
    assert!(line.contains(src), "source {src} in {line}");
    // The event is fresh: about +120 s until stale.
    let stale: f64 = line
        .split(" stale=")
        .nth(1)
        .and_then(|s| s.split('s').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no stale=+Ns in {line}"));
    assert!((100.0..=121.0).contains(&stale), "stale={stale} in {line}");

    let o = finish(&mut json_rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 1, "{}", show(&o));
    let d = &j.datagrams[0];
    let c = cot(d);
    assert_eq!(c["uid"], uid.as_str(), "{d}");
    assert_eq!(c["type"], "a-f-G-U-C", "{d}");
    assert_eq!(c["type_meaning"], "friend ground unit", "{d}");
    assert_eq!(c["callsign"], "ALPHA-1", "{d}");
    assert_eq!(c["how"], "m-g", "{d}");
    assert_near(&c["lat"], 37.5, "lat");
    assert_near(&c["lon"], -122.25, "lon");
    let encoding = if format == "tak" { "tak-v1" } else { "xml" };
    assert_eq!(c["encoding"], encoding, "{d}");
    let p = payload(d);
    if format == "tak" {
        assert!(p.starts_with(&[0xbf, 0x01, 0xbf]), "TAK mesh header: {d}");
    } else {
        assert!(p.starts_with(b"<event version=\"2.0\""), "XML event: {d}");
    }
    let counts = &j.summary["cot"];
    let (xml, tak) = if format == "tak" { (0, 1) } else { (1, 0) };
    assert_eq!(counts["xml"], xml, "{}", j.summary);
    assert_eq!(counts["tak"], tak, "{}", j.summary);
    assert_eq!(counts["malformed"], 0, "{}", j.summary);
    assert_eq!(counts["unknown"], 0, "{}", j.summary);
    // The sender says where it sent.
    let err = text(&sent.stderr);
    assert!(err.contains("sent 1 CoT event to"), "{}", show(&sent));
}

#[test]
fn cot_sa_xml_to_default_sa_group_v4() {
    // Bare --send: the TAK SA group 239.2.3.1:6969, on --iface a0.
    let lab = pair!();
    sa_roundtrip(
        &lab,
        "xml",
        &["--iface", "a0", "--send"],
        "239.2.3.1",
        "239.2.3.1:6969@a0",
    );
}

#[test]
fn cot_sa_tak_v1_v4() {
    let lab = pair!();
    sa_roundtrip(
        &lab,
        "tak",
        &["--send", "239.2.3.1:6969@a0"],
        "239.2.3.1",
        "239.2.3.1:6969@a0",
    );
}

#[test]
fn cot_sa_xml_v6() {
    let lab = pair!();
    sa_roundtrip(
        &lab,
        "xml",
        &["--send", "[ff15::1]:6969@a0"],
        "ff15::1",
        "[ff15::1]:6969@a0",
    );
}

// ------------------------------------------------------------- 2. chat

#[test]
fn cot_chat_goes_to_geochat_group_by_default() {
    let lab = pair!();
    let ep = "224.10.10.1:17012@a0";
    let mut cot_rx = listen(
        &lab,
        "h2",
        "a0",
        "224.10.10.1",
        &[ep, "--format", "cot", "--count", "1", "--timeout", "5s"],
    );
    let mut json_rx = listen(
        &lab,
        "h2",
        "a0",
        "224.10.10.1",
        &[ep, "--format", "json", "--count", "1", "--timeout", "5s"],
    );
    let args = [
        "cot-gen",
        "--kind",
        "chat",
        "--callsign",
        "X",
        "--message",
        "hello there",
        "--iface",
        "a0",
        "--send",
    ];
    let sent = run_ok(&lab, "h1", &args);
    assert!(
        text(&sent.stderr).contains("224.10.10.1:17012"),
        "{}",
        show(&sent)
    );

    let o = finish(&mut cot_rx);
    let out = text(&o.stdout);
    let lines = event_lines(&out);
    assert_eq!(lines.len(), 1, "{}", show(&o));
    let line = lines[0];
    assert!(line.contains("-> 224.10.10.1:17012"), "{line}");
    assert!(line.contains("type=b-t-f"), "{line}");
    assert!(
        line.contains(r#"chat from=X room="All Chat Rooms" msg="hello there""#),
        "{line}"
    );

    let o = finish(&mut json_rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 1, "{}", show(&o));
    let c = cot(&j.datagrams[0]);
    assert_eq!(c["type"], "b-t-f", "{c}");
    assert_eq!(c["chat"]["sender"], "X", "{c}");
    assert_eq!(c["chat"]["room"], "All Chat Rooms", "{c}");
    assert_eq!(c["chat"]["message"], "hello there", "{c}");
    assert!(
        c["uid"].as_str().unwrap_or("").starts_with("GeoChat."),
        "{c}"
    );
}

// ----------------------------------------------------- 3. units/tracks

#[test]
fn cot_units_walk_are_distinct_tracks() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[
            "239.2.3.1:6969@a0",
            "--format",
            "json",
            "--count",
            "100",
            "--timeout",
            "5s",
        ],
    );
    let args = [
        "cot-gen",
        "--count",
        "100",
        "--units",
        "5",
        "--move",
        "walk",
        "--speed",
        "50",
        "--lat",
        "48.1",
        "--lon",
        "11.5",
        "--interval",
        "10ms",
        "--send",
        "239.2.3.1:6969@a0",
    ];
    run_ok(&lab, "h1", &args);
    let o = finish(&mut rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 100, "{}", show(&o));
    // uid -> (callsign, positions in arrival order)
    let mut tracks: BTreeMap<String, (String, Vec<(f64, f64)>)> = BTreeMap::new();
    for d in &j.datagrams {
        let c = cot(d);
        let uid = c["uid"].as_str().expect("uid").to_string();
        let cs = c["callsign"].as_str().expect("callsign").to_string();
        let (lat, lon) = (c["lat"].as_f64().unwrap(), c["lon"].as_f64().unwrap());
        assert!(
            (lat - 48.1).abs() < 0.1 && (lon - 11.5).abs() < 0.1,
            "{lat},{lon}"
        );
        let t = tracks
            .entry(uid)
            .or_insert_with(|| (cs.clone(), Vec::new()));
        assert_eq!(t.0, cs, "a uid keeps its callsign");
        t.1.push((lat, lon));
    }
    assert_eq!(tracks.len(), 5, "5 units: {:?}", tracks.keys());
    let mut callsigns: Vec<&str> = tracks.values().map(|t| t.0.as_str()).collect();
    callsigns.sort();
    assert_eq!(
        callsigns,
        ["MCAST-1", "MCAST-2", "MCAST-3", "MCAST-4", "MCAST-5"]
    );
    for (uid, (_, pos)) in &tracks {
        assert_eq!(pos.len(), 20, "{uid}: 20 events each");
        let moves = pos.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(moves, 19, "{uid} moves every tick: {pos:?}");
    }
    assert_eq!(j.summary["cot"]["xml"], 100, "{}", j.summary);
}

// ------------------------------------------------------ 4. other kinds

#[test]
fn cot_delete_marker_ping_types() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[
            "239.2.3.1:6969@a0",
            "--format",
            "json",
            "--count",
            "4",
            "--timeout",
            "5s",
        ],
    );
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &[
                "--kind",
                "delete",
                "--target-uid",
                "gone-1",
                "--uid",
                "k-del",
            ],
            "t-x-d-d",
            "xml",
        ),
        (
            &[
                "--kind",
                "delete",
                "--target-uid",
                "gone-2",
                "--uid",
                "k-del-tak",
                "--format",
                "tak",
            ],
            "t-x-d-d",
            "tak-v1",
        ),
        (
            &[
                "--kind",
                "marker",
                "--uid",
                "k-marker",
                "--callsign",
                "SPOT",
            ],
            "b-m-p-s-m",
            "xml",
        ),
        (
            &["--kind", "ping", "--uid", "k-ping", "--format", "tak"],
            "t-x-c-t",
            "tak-v1",
        ),
    ];
    for (args, _, _) in &cases {
        let mut all = vec!["cot-gen"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--send", "239.2.3.1:6969@a0"]);
        run_ok(&lab, "h1", &all);
    }
    let o = finish(&mut rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 4, "{}", show(&o));
    for (d, (args, ty, enc)) in j.datagrams.iter().zip(&cases) {
        let c = cot(d);
        let uid = args[args.iter().position(|a| *a == "--uid").unwrap() + 1];
        assert_eq!(c["uid"], uid, "{c}");
        assert_eq!(c["type"], *ty, "{c}");
        assert_eq!(c["encoding"], *enc, "{c}");
    }
    assert_eq!(cot(&j.datagrams[2])["callsign"], "SPOT");
    // The delete order names its target (in XML <link>, in TAK xmlDetail).
    for (i, target) in [(0, "gone-1"), (1, "gone-2")] {
        let p = payload(&j.datagrams[i]);
        let s = text(&p);
        assert!(
            s.contains(&format!("<link uid=\"{target}\"")) && s.contains("__forcedelete"),
            "delete datagram {i} lacks link/forcedelete: {s:?}"
        );
    }
}

// ------------------------------------------- 5. malformed and unknown

/// A DOCTYPE event (refused: entity declarations), garbage, a truncated TAK
/// frame, then a good event.
fn send_bad_then_good(lab: &Lab) {
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE event [<!ENTITY x "boom">]><event version="2.0" uid="&x;" type="a-f-G" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="1.0" le="1.0"/></event>"#;
    let ep = "239.2.3.1:6969@a0";
    run_ok(lab, "h1", &["send", ep, doctype]);
    run_ok(lab, "h1", &["send", ep, "--hex", "deadbeef"]);
    run_ok(lab, "h1", &["send", ep, "--hex", &GOLDEN_HEX[..80]]);
    run_ok(lab, "h1", &["send", ep, "--hex", GOLDEN_HEX]);
}

#[test]
fn cot_malformed_and_unknown_are_counted_and_listening_goes_on() {
    let lab = pair!();
    let args = |f| ["239.2.3.1:6969@a0", "--format", f, "--count", "4"];
    let mut cot_rx = listen(&lab, "h2", "a0", "239.2.3.1", &args("cot"));
    let mut json_rx = listen(&lab, "h2", "a0", "239.2.3.1", &args("json"));
    send_bad_then_good(&lab);

    let o = finish(&mut cot_rx);
    let out = text(&o.stdout);
    let lines = event_lines(&out);
    assert_eq!(lines.len(), 4, "all four shown:\n{}", show(&o));
    assert!(lines[0].contains(" malformed ("), "{}", lines[0]);
    assert!(lines[0].contains("DOCTYPE"), "{}", lines[0]);
    assert!(!lines[0].contains("uid=boom"), "entity not expanded");
    assert!(
        lines[1].contains(" unknown/encrypted len=4: "),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(" malformed ("), "{}", lines[2]);
    assert!(
        lines[3].contains("uid=mcast-test-1 type=a-f-G-U-C (friend ground unit) callsign=ALPHA-1 lat=37.5 lon=-122.25"),
        "{}",
        lines[3]
    );
    assert!(
        !out.chars().any(|c| c.is_control() && c != '\n'),
        "escaped: {out:?}"
    );

    let o = finish(&mut json_rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 4, "{}", show(&o));
    let d = &j.datagrams;
    for i in [0, 2] {
        assert!(d[i]["cot_error"].is_string(), "cot_error in {}", d[i]);
        assert!(d[i].get("cot").is_none(), "{}", d[i]);
    }
    assert!(
        d[1].get("cot").is_none() && d[1].get("cot_error").is_none(),
        "{}",
        d[1]
    );
    assert_eq!(cot(&d[3])["uid"], "mcast-test-1");
    assert_eq!(cot(&d[3])["encoding"], "tak-v1");
    let c = &j.summary["cot"];
    assert_eq!(c["malformed"], 2, "{}", j.summary);
    assert_eq!(c["unknown"], 1, "{}", j.summary);
    assert_eq!(c["tak"], 1, "{}", j.summary);
    assert_eq!(c["xml"], 0, "{}", j.summary);
}

/// The summary `listen --format cot` prints on stderr shows the CoT counts
/// too (they are otherwise only in the JSON summary).
#[test]
fn cot_text_summary_counts_malformed_and_unknown() {
    let lab = pair!();
    let args = ["239.2.3.1:6969@a0", "--format", "cot", "--count", "4"];
    let mut rx = listen(&lab, "h2", "a0", "239.2.3.1", &args);
    send_bad_then_good(&lab);
    let o = finish(&mut rx);
    let err = text(&o.stderr);
    let has = |word: &str, n: u32| {
        err.lines().any(|l| {
            [
                format!("{n} {word}"),
                format!("{word}={n}"),
                format!("{word}: {n}"),
                format!("{word} {n}"),
            ]
            .iter()
            .any(|p| l.contains(p.as_str()))
        })
    };
    assert!(
        has("malformed", 2),
        "stderr summary lacks 2 malformed:\n{err}"
    );
    assert!(has("unknown", 1), "stderr summary lacks 1 unknown:\n{err}");
}

// ------------------------------------------------------- 6. --cot-strict

#[test]
fn cot_strict_reports_lax_event() {
    let lab = pair!();
    let ep = "239.2.3.1:6969@a0";
    let mut cot_rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[ep, "--format", "cot", "--cot-strict", "--count", "2"],
    );
    let mut json_rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[ep, "--format", "json", "--cot-strict", "--count", "2"],
    );
    // Lax but decodable: version "2", offsets instead of Z, no how, and
    // stale long before it arrives.
    let lax = r#"<event version="2" uid="lax-1" type="a-f-G-U-C" time="2026-01-01T00:00:00.5+00:00" start="2026-01-01T00:00:00.5+00:00" stale="2026-01-01T00:02:00.5+00:00"><point lat="1.5" lon="2.5" hae="0" ce="10" le="10"/><detail><contact callsign="LAX"/></detail></event>"#;
    run_ok(&lab, "h1", &["send", ep, lax]);
    run_ok(
        &lab,
        "h1",
        &["cot-gen", "--uid", "clean-1", "--send", "239.2.3.1:6969@a0"],
    );

    let want = [
        "version \"2\" is not \"2.0\"",
        "how attribute missing",
        "time is not in the form",
        "start is not in the form",
        "stale is not in the form",
        "s ago on arrival: clock skew?",
    ];
    let o = finish(&mut cot_rx);
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.contains("uid=lax-1")
            && l.contains("callsign=LAX")
            && l.contains("lat=1.5")),
        "lax event decoded:\n{}",
        show(&o)
    );
    let strict: Vec<&str> = lines
        .iter()
        .skip(1)
        .take_while(|l| l.starts_with("  strict: "))
        .copied()
        .collect();
    for w in want {
        assert!(
            strict.iter().any(|l| l.contains(w)),
            "no strict reason {w:?}:\n{}",
            show(&o)
        );
    }
    assert_eq!(strict.len(), want.len(), "{}", show(&o));
    let rest = &lines[1 + strict.len()..];
    assert_eq!(rest.len(), 1, "clean event without reasons:\n{}", show(&o));
    assert!(rest[0].contains("uid=clean-1"), "{}", show(&o));

    let o = finish(&mut json_rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 2, "{}", show(&o));
    let reasons = cot(&j.datagrams[0])["strict"]
        .as_array()
        .unwrap_or_else(|| panic!("strict array: {}", j.datagrams[0]))
        .clone();
    assert_eq!(reasons.len(), want.len(), "{reasons:?}");
    for w in want {
        assert!(
            reasons.iter().any(|r| r.as_str().unwrap_or("").contains(w)),
            "{w:?} not in {reasons:?}"
        );
    }
    assert_eq!(
        cot(&j.datagrams[1])["strict"],
        serde_json::json!([]),
        "{}",
        j.datagrams[1]
    );
}

// ------------------------------------------------- 7. reproducibility

const REPRO: [&str; 12] = [
    "--seed",
    "7",
    "--time",
    "2026-01-01T00:00:00Z",
    "--count",
    "10",
    "--units",
    "2",
    "--move",
    "walk",
    "--callsign",
    "R",
];

/// Checks that `line` is one well-formed XML element `<event ...>...</event>`.
#[track_caller]
fn assert_well_formed_event(line: &str) {
    use quick_xml::events::Event as X;
    assert!(
        line.starts_with("<event ") && line.ends_with("</event>"),
        "{line}"
    );
    assert!(!line.contains(['\n', '\r']), "{line:?}");
    let mut r = quick_xml::Reader::from_str(line);
    let mut depth = 0i32;
    let mut roots = 0;
    loop {
        match r.read_event() {
            Ok(X::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.name().as_ref(), "event", "{line}");
                }
                depth += 1;
            }
            Ok(X::End(_)) => depth -= 1,
            Ok(X::Empty(_)) => assert!(depth > 0, "{line}"),
            Ok(X::Eof) => break,
            Ok(X::Text(t)) => assert!(depth > 0 || t.trim_ascii().is_empty(), "{line}"),
            Ok(X::DocType(_)) | Ok(X::PI(_)) | Ok(X::Decl(_)) => panic!("prolog in {line}"),
            Ok(_) => {}
            Err(e) => panic!("not well-formed ({e}): {line}"),
        }
    }
    assert_eq!((depth, roots), (0, 1), "{line}");
    for attr in [
        "version=\"2.0\"",
        " uid=\"",
        " type=\"",
        " how=\"",
        "<point ",
    ] {
        assert!(line.contains(attr), "{attr} missing: {line}");
    }
}

/// The value of attribute `name` (first occurrence) in `line`.
fn attr<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = line
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in {line}"))
        + key.len();
    let len = line[start..].find('"').unwrap();
    &line[start..start + len]
}

#[test]
fn cot_gen_is_reproducible_and_well_formed() {
    let a = cot_gen_print(&REPRO);
    let b = cot_gen_print(&REPRO);
    assert_ok(&a);
    assert_ok(&b);
    assert_eq!(text(&a.stdout), text(&b.stdout), "same seed, same output");
    let out = text(&a.stdout);
    assert!(out.ends_with("</event>\n"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10, "{out}");
    for (i, l) in lines.iter().enumerate() {
        assert_well_formed_event(l);
        // Two units alternate; ticks are the default 1 s apart from --time.
        let unit = i % 2 + 1;
        assert!(attr(l, "uid").ends_with(&format!("-{unit}")), "{l}");
        assert_eq!(attr(l, "callsign"), format!("R-{unit}"), "{l}");
        let want = format!("2026-01-01T00:00:{:02}.000Z", i / 2);
        assert_eq!(attr(l, "time"), want, "{l}");
        let stale = format!("2026-01-01T00:02:{:02}.000Z", i / 2);
        assert_eq!(attr(l, "stale"), stale, "{l}");
    }
    // Walking: a unit's position changes from tick to tick.
    assert_ne!(attr(lines[0], "lat"), attr(lines[2], "lat"));
    // Another seed, other uids and walks.
    let mut other = REPRO;
    other[1] = "8";
    let c = cot_gen_print(&other);
    assert_ok(&c);
    assert_ne!(attr(&text(&c.stdout), "uid"), attr(lines[0], "uid"));
    // TAK output is reproducible too.
    let mut tak = REPRO.to_vec();
    tak.extend_from_slice(&["--format", "tak"]);
    let (t1, t2) = (cot_gen_print(&tak), cot_gen_print(&tak));
    assert_ok(&t1);
    assert_eq!(t1.stdout, t2.stdout);
    assert_eq!(text(&t1.stdout).lines().count(), 10);
}

#[test]
fn cot_gen_pipe_to_send_one_datagram_per_event() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[
            "239.2.3.1:6969@a0",
            "--format",
            "json",
            "--count",
            "10",
            "--timeout",
            "5s",
        ],
    );
    let expected = cot_gen_print(&REPRO);
    assert_ok(&expected);
    let script = format!(
        "'{MCAST}' cot-gen {} | '{MCAST}' send 239.2.3.1:6969@a0",
        REPRO.join(" ")
    );
    let o = lab.run("h1", "sh", &["-c", &script]);
    assert_ok(&o);
    let o = finish(&mut rx);
    let j = json(&o);
    let lines: Vec<String> = text(&expected.stdout).lines().map(String::from).collect();
    assert_eq!(j.datagrams.len(), 10, "{}", show(&o));
    for (d, line) in j.datagrams.iter().zip(&lines) {
        assert_eq!(text(&payload(d)), *line, "datagram = line, no newline");
        assert_eq!(cot(d)["uid"], attr(line, "uid"));
        assert_eq!(cot(d)["encoding"], "xml");
    }
    assert_eq!(j.summary["cot"]["xml"], 10, "{}", j.summary);
}

// ------------------------------------------------------------ 8. refusals

#[test]
fn cot_gen_refuses_bad_input() {
    let cases: [(&[&str], &str); 9] = [
        (&["--lat", "91"], "-90..90"),
        (&["--lon", "-181"], "-180..180"),
        (&["--lat", "NaN"], "finite"),
        (&["--lon", "inf"], "finite"),
        (&["--stale", "-1s"], "negative"),
        (&["--type", "a--x"], "type \"a--x\""),
        (&["--how", "M_G"], "how \"M_G\""),
        (
            &["--callsign", "A\u{1}B"],
            "callsign contains control character",
        ),
        (&["--kind", "delete"], "--target-uid"),
    ];
    for (args, word) in cases {
        let o = cot_gen_print(args);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: exit 2\n{}", show(&o));
        let err = text(&o.stderr);
        assert!(
            err.contains(word),
            "{args:?}: message should name {word:?}:\n{err}"
        );
        assert!(!err.contains('\u{1}'), "{args:?}: raw control character");
        assert!(
            err.lines().count() <= 6,
            "{args:?}: a short message:\n{err}"
        );
        assert!(
            o.stdout.is_empty(),
            "{args:?}: nothing printed\n{}",
            show(&o)
        );
    }
}

/// Refusals come before any socket: `--send` with a bad option sends nothing.
#[test]
fn cot_gen_send_refuses_before_sending() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &["239.2.3.1:6969@a0", "--format", "json"],
    );
    let o = lab.run(
        "h1",
        MCAST,
        &["cot-gen", "--lat", "91", "--send", "239.2.3.1:6969@a0"],
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    std::thread::sleep(Duration::from_millis(200));
    let o = rx.stop();
    let j = json(&o);
    assert!(j.datagrams.is_empty(), "nothing sent: {}", show(&o));
}

// ------------------------------------------------- 9. takproto interop

/// A Python interpreter that can `import takproto`: `$MCAST_TEST_PYTHON`,
/// else `python3`. `None` (after a loud SKIPPED line) when there is none,
/// unless `CI` is set: then the test fails.
fn takproto_python(test: &str) -> Option<String> {
    let works = |py: &str| {
        Command::new(py)
            .args(["-c", "import takproto"])
            .stdin(Stdio::null())
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if let Some(py) = std::env::var_os("MCAST_TEST_PYTHON") {
        let py = py.to_string_lossy().into_owned();
        assert!(
            works(&py),
            "MCAST_TEST_PYTHON={py} cannot import takproto (pip install -r tests/requirements.txt)"
        );
        return Some(py);
    }
    if works("python3") {
        return Some("python3".into());
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: no Python with takproto (set MCAST_TEST_PYTHON; CI is set: not skipping)");
    }
    let msg = format!(
        "\n*** SKIPPED: {test}: no Python with takproto (set MCAST_TEST_PYTHON to a python \
         with `pip install -r tests/requirements.txt`) ***\n"
    );
    let _ = std::io::stderr().write_all(msg.as_bytes());
    None
}

/// Runs a Python script with `input` on stdin (host namespace: it only
/// encodes and decodes) and parses its stdout as JSON.
fn python(py: &str, script: &str, input: &str) -> Value {
    let mut child = Command::new(py)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let o = child.wait_with_output().expect("python output");
    let _ = writer.join();
    assert!(o.status.success(), "python failed:\n{}", show(&o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("python output not JSON ({e}):\n{}", show(&o)))
}

/// Decodes hex TAK datagrams, one per line, with takproto.parse_proto.
/// Doubles are given as Python's shortest round-trip `repr` strings (read
/// them with [`pyf`]): serde_json's default float parser may be 1 ulp off.
const TAKPROTO_DECODE: &str = r#"
import json, sys, takproto
out = []
for line in sys.stdin.read().split():
    m = takproto.parse_proto(bytearray(bytes.fromhex(line)))
    if m is None:
        out.append(None)
        continue
    e, d = m.cotEvent, m.cotEvent.detail
    out.append({
        "uid": e.uid, "type": e.type, "how": e.how,
        "lat": repr(e.lat), "lon": repr(e.lon), "hae": repr(e.hae),
        "ce": repr(e.ce), "le": repr(e.le),
        "send": e.sendTime, "start": e.startTime, "stale": e.staleTime,
        "callsign": d.contact.callsign, "endpoint": d.contact.endpoint,
        "course": repr(d.track.course), "speed": repr(d.track.speed),
        "device": d.takv.device, "xml": d.xmlDetail,
        "reserialized": m.SerializeToString().hex(),
    })
print(json.dumps(out))
"#;

/// Encodes XML events, one per line, with takproto.xml2proto (mesh).
const TAKPROTO_ENCODE: &str = r#"
import json, sys, takproto
print(json.dumps([bytes(takproto.xml2proto(l.encode())).hex() for l in sys.stdin.read().splitlines() if l]))
"#;

/// A double from [`TAKPROTO_DECODE`] output, exactly.
#[track_caller]
fn pyf(e: &Value, k: &str) -> f64 {
    let s = e[k].as_str().unwrap_or_else(|| panic!("{k} in {e}"));
    s.parse()
        .unwrap_or_else(|_| panic!("{k}: {s:?} is not a number"))
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.sssZ` (2000..2099).
fn ms_of(t: &str) -> i64 {
    let n = |a: usize, b: usize| t[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    ((days * 24 + n(11, 13)) * 60 + n(14, 16)) * 60_000 + n(17, 19) * 1000 + n(20, 23)
}

#[test]
fn cot_takproto_decodes_cot_gen_tak_output() {
    let Some(py) = takproto_python("cot_takproto_decodes_cot_gen_tak_output") else {
        return;
    };
    let common = [
        "--seed",
        "3",
        "--time",
        "2026-01-01T00:00:00Z",
        "--count",
        "6",
        "--units",
        "3",
        "--move",
        "walk",
        "--callsign",
        "ALPHA",
        "--lat",
        "37.5",
        "--lon",
        "-122.25",
        "--hae",
        "12.5",
    ];
    let xml = cot_gen_print(&common);
    assert_ok(&xml);
    let mut tak_args = common.to_vec();
    tak_args.extend_from_slice(&["--format", "tak"]);
    let tak = cot_gen_print(&tak_args);
    assert_ok(&tak);
    let xml = text(&xml.stdout);
    let tak = text(&tak.stdout);
    let decoded = python(&py, TAKPROTO_DECODE, &tak);
    let decoded = decoded.as_array().expect("list");
    let xml_lines: Vec<&str> = xml.lines().collect();
    assert_eq!(decoded.len(), 6, "{decoded:?}");
    assert_eq!(xml_lines.len(), 6);
    for ((e, x), hexline) in decoded.iter().zip(&xml_lines).zip(tak.lines()) {
        assert!(e.is_object(), "takproto did not parse {hexline}");
        // takproto sees the same event as the XML encoding of it.
        assert_eq!(e["uid"], attr(x, "uid"), "{e}");
        assert_eq!(e["type"], "a-f-G-U-C", "{e}");
        assert_eq!(e["how"], "m-g", "{e}");
        assert_eq!(e["callsign"], attr(x, "callsign"), "{e}");
        assert!(e["callsign"].as_str().unwrap().starts_with("ALPHA-"), "{e}");
        assert_eq!(e["endpoint"], attr(x, "endpoint"), "{e}");
        for k in ["lat", "lon", "hae", "ce", "le", "course", "speed"] {
            let want: f64 = attr(x, k).parse().unwrap();
            assert_eq!(pyf(e, k), want, "{k}: {e} vs {x}");
        }
        assert!((pyf(e, "lat") - 37.5).abs() < 0.01, "{e}");
        assert!((pyf(e, "lon") + 122.25).abs() < 0.01, "{e}");
        assert_eq!(e["send"].as_i64(), Some(ms_of(attr(x, "time"))), "{e}");
        assert_eq!(e["start"].as_i64(), Some(ms_of(attr(x, "start"))), "{e}");
        assert_eq!(e["stale"].as_i64(), Some(ms_of(attr(x, "stale"))), "{e}");
        assert_eq!(e["device"], "mcast", "{e}");
        // Nothing left over: takproto re-encodes exactly the payload.
        assert_eq!(
            format!("bf01bf{}", e["reserialized"].as_str().unwrap()),
            *hexline
        );
    }
}

#[test]
fn cot_takproto_decodes_datagram_off_the_wire() {
    let Some(py) = takproto_python("cot_takproto_decodes_datagram_off_the_wire") else {
        return;
    };
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &["239.2.3.1:6969@a0", "--format", "json", "--count", "1"],
    );
    let args = [
        "cot-gen",
        "--format",
        "tak",
        "--uid",
        "wire-1",
        "--callsign",
        "WIRE & <1>",
        "--lat",
        "-33.865",
        "--lon",
        "151.209",
        "--remarks",
        "über <b>",
        "--group",
        "Cyan",
        "--send",
        "239.2.3.1:6969@a0",
    ];
    run_ok(&lab, "h1", &args);
    let o = finish(&mut rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 1, "{}", show(&o));
    let bytes = payload(&j.datagrams[0]);
    let decoded = python(&py, TAKPROTO_DECODE, &hex(&bytes));
    let e = &decoded[0];
    assert!(e.is_object(), "takproto did not parse {}", hex(&bytes));
    assert_eq!(e["uid"], "wire-1", "{e}");
    assert_eq!(e["type"], "a-f-G-U-C", "{e}");
    assert_eq!(e["callsign"], "WIRE & <1>", "{e}");
    assert_eq!(pyf(e, "lat"), -33.865, "{e}");
    assert_eq!(pyf(e, "lon"), 151.209, "{e}");
    let xml = e["xml"].as_str().unwrap_or("");
    assert!(
        xml.contains("über &lt;b&gt;"),
        "remarks escaped in xmlDetail: {xml:?}"
    );
    // mcast's own view of the same datagram agrees.
    let c = cot(&j.datagrams[0]);
    assert_eq!(c["callsign"], "WIRE & <1>");
    assert_eq!(c["encoding"], "tak-v1");
}

#[test]
fn cot_mcast_decodes_takproto_encoding() {
    let Some(py) = takproto_python("cot_mcast_decodes_takproto_encoding") else {
        return;
    };
    let lab = pair!();
    let events = [
        GOLDEN_XML.to_string(),
        concat!(
            r#"<event version="2.0" uid="tp-2" type="a-h-A-M-F" how="h-e" "#,
            r#"time="2026-03-04T05:06:07.890Z" start="2026-03-04T05:06:07.890Z" "#,
            r#"stale="2026-03-04T05:11:07.890Z"><point lat="-12.345678" lon="98.765432" "#,
            r#"hae="1500.5" ce="25.0" le="30.0"/><detail><contact callsign="BANDIT"/>"#,
            r#"<track course="270.5" speed="250.0"/><remarks>fast mover</remarks></detail></event>"#,
        )
        .to_string(),
    ];
    let encoded = python(&py, TAKPROTO_ENCODE, &events.join("\n"));
    let encoded: Vec<&str> = encoded
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(encoded.len(), 2);
    // The golden vector: takproto and mcast agree byte for byte.
    assert_eq!(encoded[0], GOLDEN_HEX, "takproto vs golden");

    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &["239.2.3.1:6969@a0", "--format", "json", "--count", "2"],
    );
    for h in &encoded {
        run_ok(&lab, "h1", &["send", "239.2.3.1:6969@a0", "--hex", h]);
    }
    let o = finish(&mut rx);
    let j = json(&o);
    assert_eq!(j.datagrams.len(), 2, "{}", show(&o));
    let c = cot(&j.datagrams[0]);
    assert_eq!(c["uid"], "mcast-test-1", "{c}");
    assert_eq!(c["callsign"], "ALPHA-1", "{c}");
    assert_near(&c["lat"], 37.5, "lat");
    assert_near(&c["lon"], -122.25, "lon");
    assert_eq!(c["encoding"], "tak-v1", "{c}");
    let c = cot(&j.datagrams[1]);
    assert_eq!(c["uid"], "tp-2", "{c}");
    assert_eq!(c["type"], "a-h-A-M-F", "{c}");
    assert_eq!(c["how"], "h-e", "{c}");
    assert_eq!(c["callsign"], "BANDIT", "{c}");
    assert_near(&c["lat"], -12.345678, "lat");
    assert_near(&c["lon"], 98.765432, "lon");
    assert_near(&c["hae"], 1500.5, "hae");
    assert_near(&c["ce"], 25.0, "ce");
    assert_near(&c["course"], 270.5, "course");
    assert_near(&c["speed"], 250.0, "speed");
    assert_eq!(c["time"], "2026-03-04T05:06:07.890Z", "{c}");
    assert_eq!(c["stale"], "2026-03-04T05:11:07.890Z", "{c}");
    assert_eq!(c["encoding"], "tak-v1", "{c}");
    assert_eq!(j.summary["cot"]["tak"], 2, "{}", j.summary);
}

#[test]
fn cot_takproto_golden_vector() {
    let Some(py) = takproto_python("cot_takproto_golden_vector") else {
        return;
    };
    let encoded = python(&py, TAKPROTO_ENCODE, GOLDEN_XML);
    assert_eq!(encoded[0], GOLDEN_HEX);
    let decoded = python(&py, TAKPROTO_DECODE, GOLDEN_HEX);
    let e = &decoded[0];
    assert_eq!(e["uid"], "mcast-test-1", "{e}");
    assert_eq!(e["callsign"], "ALPHA-1", "{e}");
    assert_eq!(e["endpoint"], "10.77.0.1:4242:tcp", "{e}");
    assert_eq!(e["xml"], "<remarks>hello</remarks>", "{e}");
    assert_eq!((pyf(e, "lat"), pyf(e, "lon")), (37.5, -122.25), "{e}");
    assert_eq!(e["send"].as_i64(), Some(ms_of("2026-01-01T00:00:00.000Z")));
}

// ------------------------------------------ real captures (part 6)

/// The captures in `tests/fixtures/cot` (sources in SOURCES.md there).
fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cot")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What a real peer extracts from each datagram (hex, one per line):
/// Python's xml.etree on the XML (first `contact`, `track`, `__chat`,
/// `remarks`: ElementTree's `find` takes the first, as ATAK does), and
/// for TAK v1 takproto first, then etree on its xmlDetail.
const PEER_FIELDS: &str = r#"
import json, sys, xml.etree.ElementTree as ET, takproto
def fields(d):
    f = lambda tag: d.find(tag) if d is not None else None
    c, t, ch, r = f('contact'), f('track'), f('__chat'), f('remarks')
    num = lambda e, k: float(e.get(k)) if e is not None and e.get(k) not in (None, '') else None
    return {
        "callsign": c.get('callsign') if c is not None else None,
        "course": num(t, 'course'), "speed": num(t, 'speed'),
        "sender": ch.get('senderCallsign') if ch is not None else None,
        "room": ch.get('chatroom') if ch is not None else None,
        "message": (r.text or '') if r is not None else None,
    }
out = []
for line in sys.stdin.read().split():
    data = bytes.fromhex(line)
    if data[:1] == b'\xbf':
        m = takproto.parse_proto(bytearray(data))
        d = m.cotEvent.detail
        f = fields(ET.fromstring('<detail>' + d.xmlDetail + '</detail>'))
        if d.HasField('contact') and f['callsign'] is None:
            f['callsign'] = d.contact.callsign
        if d.HasField('track') and f['course'] is None:
            f['course'], f['speed'] = d.track.course, d.track.speed
    else:
        f = fields(ET.fromstring(data).find('detail'))
    out.append(f)
print(json.dumps(out))
"#;

/// Sends each datagram from h1 and returns what `listen --format json` in
/// h2 made of them, in order.
fn listen_to(lab: &Lab, datagrams: &[Vec<u8>], extra: &[&str]) -> Vec<Value> {
    let n = datagrams.len().to_string();
    let mut args = vec!["239.2.3.1:6969@a0", "--format", "json", "-c", &n];
    args.extend_from_slice(extra);
    let mut rx = listen(lab, "h2", "a0", "239.2.3.1", &args);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (i, d) in datagrams.iter().enumerate() {
        let f = dir.join(format!("mcast-fixture-{}-{i}", std::process::id()));
        std::fs::write(&f, d).unwrap();
        run_ok(
            lab,
            "h1",
            &["send", "239.2.3.1:6969@a0", "--file", f.to_str().unwrap()],
        );
        let _ = std::fs::remove_file(&f);
    }
    json(&finish(&mut rx)).datagrams
}

#[test]
fn cot_real_captures_match_what_etree_and_takproto_extract() {
    let Some(py) = takproto_python("cot_real_captures_match_what_etree_and_takproto_extract")
    else {
        return;
    };
    let lab = pair!();
    let itak = fixture("itak_pli.xml");
    let itak_s = text(&itak);
    // Shapes real senders also produce, made from the iTAK capture: a
    // pretty-printed contact with a body, and a second contact (ATAK uses
    // the first).
    let pretty = itak_s.replace(
        r#"<contact callsign="DFPC-iSchmidt" phone="7204258729" endpoint="*:-1:stcp" />"#,
        "<contact callsign=\"DFPC-iSchmidt\" phone=\"7204258729\" endpoint=\"*:-1:stcp\">\n      </contact>",
    );
    let two = itak_s.replace("<uid Droid", r#"<contact callsign="SECOND"/><uid Droid"#);
    assert_ne!(pretty, itak_s);
    assert_ne!(two, itak_s);
    let datagrams = vec![
        itak.clone(),
        pretty.into_bytes(),
        two.into_bytes(),
        fixture("atak_pli.xml"),
        fixture("atak_group_chat.xml"),
        fixture("atak_p2p_chat.xml"),
        fixture("freetak_aircraft_track_slope.xml"),
        fixture("wintak_group_chat.takv1"),
    ];
    let got = listen_to(&lab, &datagrams, &[]);
    let hex_lines: String = datagrams.iter().map(|d| hex(d) + "\n").collect();
    let want = python(&py, PEER_FIELDS, &hex_lines);
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let c = cot(g);
        assert_eq!(c["callsign"], w["callsign"], "#{i} callsign: {g}");
        for k in ["course", "speed"] {
            match (c[k].as_f64(), w[k].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "#{i} {k}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "#{i} {k}: {g}"),
            }
        }
        if !w["sender"].is_null() {
            let chat = &c["chat"];
            assert_eq!(chat["sender"], w["sender"], "#{i}: {g}");
            assert_eq!(chat["room"], w["room"], "#{i}: {g}");
            assert_eq!(chat["message"], w["message"], "#{i}: {g}");
        }
    }
    // The visible fields the issue named, spelled out.
    assert_eq!(cot(&got[0])["callsign"], "DFPC-iSchmidt");
    assert_eq!(cot(&got[2])["callsign"], "DFPC-iSchmidt");
    assert_eq!(cot(&got[4])["chat"]["sender"], "dasuberdog");
    assert_eq!(cot(&got[7])["chat"]["message"], "in position");
    assert_eq!(cot(&got[7])["encoding"], "tak-v1");
    assert_eq!(
        got.iter().filter(|g| g.get("cot_error").is_some()).count(),
        0
    );
}

/// takproto-made datagrams: a control-only announcement and a
/// stream-framed event.
const TAKPROTO_CONTROL_AND_STREAM: &str = r#"
import json, sys, takproto
from takproto.proto import TakMessage
m = TakMessage()
m.takControl.minProtoVersion = 1
m.takControl.maxProtoVersion = 1
m.takControl.contactUid = 'ANDROID-53af0912586418dc'
control = b'\xbf\x01\xbf' + m.SerializeToString()
stream = bytes(takproto.xml2proto(sys.stdin.read().encode(), takproto.TAKProtoVer.STREAM))
print(json.dumps([control.hex(), stream.hex()]))
"#;

#[test]
fn cot_tak_control_and_stream_framing_are_named_not_malformed() {
    let Some(py) = takproto_python("cot_tak_control_and_stream_framing_are_named_not_malformed")
    else {
        return;
    };
    let made = python(
        &py,
        TAKPROTO_CONTROL_AND_STREAM,
        &text(&fixture("itak_pli.xml")),
    );
    let bytes: Vec<Vec<u8>> = made
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let h = h.as_str().unwrap();
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    assert_eq!(bytes[1][0], 0xbf);
    assert_ne!(bytes[1][1..3], [0x01, 0xbf]);
    let lab = pair!();
    let got = listen_to(&lab, &bytes, &[]);
    assert_eq!(got[0]["tak_control"]["max_version"], 1, "{}", got[0]);
    assert_eq!(
        got[0]["tak_control"]["contact_uid"],
        "ANDROID-53af0912586418dc"
    );
    assert!(got[0].get("cot_error").is_none());
    assert_eq!(cot(&got[1])["encoding"], "tak-v1-stream");
    assert_eq!(cot(&got[1])["callsign"], "DFPC-iSchmidt");
    // The text format says what they are, and the summary counts them.
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &["239.2.3.1:6969@a0", "--format", "cot", "-c", "2"],
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (i, d) in bytes.iter().enumerate() {
        let f = dir.join(format!("mcast-ctl-{}-{i}", std::process::id()));
        std::fs::write(&f, d).unwrap();
        run_ok(
            &lab,
            "h1",
            &["send", "239.2.3.1:6969@a0", "--file", f.to_str().unwrap()],
        );
        let _ = std::fs::remove_file(&f);
    }
    let o = finish(&mut rx);
    let out = text(&o.stdout);
    assert!(out.contains("TAK control: protocol versions 1..1"), "{out}");
    assert!(out.contains("[TAK v1 in TCP stream framing]"), "{out}");
    let err = text(&o.stderr);
    assert!(
        err.contains("1 TAK v1 event (1 in TCP stream framing), 1 TAK control, 0 malformed"),
        "{err}"
    );
}

#[test]
fn cot_long_drawings_six_digit_fractions_and_stale_events() {
    let lab = pair!();
    // The ATAK freehand capture grown to 200 points: its `line` attribute
    // passes 8 KiB at about 95 points.
    let base = text(&fixture("atak_freehand.xml"));
    let one = "&lt;link point=&apos;39.52906154607542,-105.75732260632482&apos;/&gt;";
    assert!(base.contains(one));
    let big = base.replacen(one, &one.repeat(194), 1);
    assert!(big.len() > 12_800, "{}", big.len());
    // pytak writes six fraction digits (%f); commoncommo reads them.
    let pytak = text(&fixture("itak_pli.xml")).replace(".00Z", ".000000Z");
    let now = "2026-12-01T00:00:00";
    let fresh = pytak
        .replace("2023-07-18T15:23:09", now)
        .replace("2023-07-18T15:25:09", "2099-01-01T00:00:00");
    let got = listen_to(
        &lab,
        &[
            big.into_bytes(),
            fresh.into_bytes(),
            fixture("atak_pli.xml"),
        ],
        &["--cot-strict"],
    );
    assert_eq!(cot(&got[0])["callsign"], "Freehand 2", "{}", got[0]);
    assert_eq!(cot(&got[0])["type"], "u-d-f-m");
    let strict = |g: &Value| cot(g)["strict"].as_array().cloned().unwrap_or_default();
    assert!(
        strict(&got[1]).is_empty(),
        "6-digit fractions flagged: {:?}",
        strict(&got[1])
    );
    let stale = strict(&got[2]);
    assert!(
        stale.iter().any(|s| s
            .as_str()
            .unwrap()
            .contains("s ago on arrival: clock skew?")),
        "{stale:?}"
    );
}

/// Part 6: a newline in a text option stays inside its event, which stays
/// one line, so `cot-gen | mcast send` sends one datagram per event.
#[test]
fn cot_gen_newlines_in_messages_stay_one_datagram_per_event() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "224.10.10.1",
        &[
            "224.10.10.1:17012@a0",
            "--format",
            "json",
            "--count",
            "2",
            "--timeout",
            "5s",
        ],
    );
    let script = format!(
        "'{MCAST}' cot-gen --kind chat --count 2 --message \"$(printf 'line1\\nline2')\" --remarks \"$(printf 'x\\ny')\" | '{MCAST}' send 224.10.10.1:17012@a0"
    );
    assert_ok(&lab.run("h1", "sh", &["-c", &script]));
    let j = json(&finish(&mut rx));
    assert_eq!(j.datagrams.len(), 2);
    for d in &j.datagrams {
        assert_eq!(cot(d)["chat"]["message"], "line1\nline2", "{d}");
    }
    let ids: Vec<&Value> = j.datagrams.iter().map(|d| &cot(d)["uid"]).collect();
    assert_ne!(ids[0], ids[1], "each message has its own id");
}
