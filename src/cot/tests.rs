//! Cross-module tests: golden vector, round trips, hostile input,
//! tolerant parsing, property tests and a by-hand throughput check.

use super::escape::is_xml_char;
use super::tak::proto;
use super::*;
use proptest::prelude::*;
use prost::Message as _;
use std::time::{Duration, Instant};

const GOLDEN_XML: &str = r#"<event version="2.0" uid="mcast-test-1" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="37.5" lon="-122.25" hae="10.0" ce="9999999.0" le="9999999.0"/><detail><contact callsign="ALPHA-1" endpoint="10.77.0.1:4242:tcp"/><__group name="Cyan" role="Team Member"/><track course="90.0" speed="1.5"/><remarks>hello</remarks></detail></event>"#;

const GOLDEN_HEX: &str = "bf01bf12c4010a09612d662d472d552d432a0c6d636173742d746573742d313080d0eab6b7333880d0eab6b73340c0f9f1b6b7334a036d2d67510000000000c04240590000000000905ec061000000000000244069000000e0cf12634171000000e0cf1263417a620a183c72656d61726b733e68656c6c6f3c2f72656d61726b733e121d0a1231302e37372e302e313a343234323a7463701207414c5048412d311a130a044379616e120b5465616d204d656d6265723a1209000000000000f83f110000000000805640";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn xml_of(ev: &Event) -> String {
    to_xml_string(ev).unwrap()
}

/// Strips what depends on the path an event took, to compare content.
fn content(mut ev: Event) -> Event {
    ev.received_as = None;
    ev
}

#[test]
fn golden_xml_to_tak_bytes() {
    let ev = parse_xml(GOLDEN_XML.as_bytes()).unwrap();
    assert_eq!(ev.time, 1_767_225_600_000);
    let mut out = Vec::new();
    write_tak_mesh(&ev, &mut out).unwrap();
    assert_eq!(out, unhex(GOLDEN_HEX));
    // The same buffer reused: appends exactly the same frame again.
    write_tak_mesh(&ev, &mut out).unwrap();
    assert_eq!(out, [unhex(GOLDEN_HEX), unhex(GOLDEN_HEX)].concat());
}

#[test]
fn golden_tak_bytes_to_xml() {
    let bytes = unhex(GOLDEN_HEX);
    assert_eq!(classify(&bytes), Kind::TakV1);
    let ev = decode_datagram(&bytes).unwrap();
    assert_eq!(ev.received_as, Some(Kind::TakV1));
    assert_eq!(xml_of(&ev), GOLDEN_XML);
    assert_eq!(
        content(ev),
        content(parse_xml(GOLDEN_XML.as_bytes()).unwrap())
    );
    let msg = proto::TakMessage::decode(bytes.get(3..).unwrap()).unwrap();
    let d = msg.cot_event.unwrap().detail.unwrap();
    assert_eq!(d.xml_detail, "<remarks>hello</remarks>");
}

#[test]
fn golden_xml_roundtrip_and_stream() {
    let ev = decode_datagram(GOLDEN_XML.as_bytes()).unwrap();
    assert_eq!(ev.received_as, Some(Kind::Xml));
    assert!(strict_check(&ev, None).is_empty());
    assert_eq!(xml_of(&ev), GOLDEN_XML);
    let mut stream = Vec::new();
    write_tak_stream(&ev, &mut stream).unwrap();
    let mut de = StreamDeframer::new();
    de.push(&stream);
    let payload = de.next_frame().unwrap().unwrap().to_vec();
    assert_eq!(payload, unhex(GOLDEN_HEX).get(3..).unwrap());
    assert_eq!(de.next_frame(), Ok(None));
}

/// Options exercising every kind with awkward but legal strings.
fn gen_options(kind: GenKind) -> GenOptions {
    GenOptions {
        kind,
        units: 3,
        movement: Movement::Walk,
        speed: 4.0,
        seed: 42,
        start_ms: 1_767_225_600_000,
        lat: 51.5,
        lon: -0.12,
        hae: 35.25,
        ce: 12.0,
        takv_version: "0.1.0".into(),
        callsign: "Bravo <&> 'quoted' \"x\"".into(),
        remarks: Some("multi\nline\r\nremarks & <tags> ünïcødé 😀".into()),
        group_name: Some("Dark Blue".into()),
        group_role: Some("HQ".into()),
        chat_message: "chat\nwith <markup> & \"quotes\"".into(),
        chat_room: "Room & Co".into(),
        delete_uid: Some("target-uid".into()),
        ..GenOptions::default()
    }
}

#[test]
fn generated_events_roundtrip_xml_tak_xml() {
    for kind in [
        GenKind::Sa,
        GenKind::Marker,
        GenKind::Chat,
        GenKind::Delete,
        GenKind::Ping,
    ] {
        let mut g = Generator::new(gen_options(kind)).unwrap();
        let mut ev = Event::default();
        let (mut xml1, mut mesh, mut xml2) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..30 {
            g.next_event(&mut ev);
            xml1.clear();
            write_xml(&ev, &mut xml1).unwrap();
            let parsed = decode_datagram(&xml1).unwrap();
            assert!(
                strict_check(&parsed, None).is_empty(),
                "{:?}",
                strict_check(&parsed, None)
            );
            assert_eq!(content(parsed.clone()), ev, "{kind:?} XML parse differs");
            mesh.clear();
            write_tak_mesh(&parsed, &mut mesh).unwrap();
            let back = decode_datagram(&mesh).unwrap();
            xml2.clear();
            write_xml(&back, &mut xml2).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&xml1),
                String::from_utf8_lossy(&xml2),
                "{kind:?}"
            );
            assert_eq!(content(back), ev, "{kind:?} TAK round trip differs");
        }
    }
}

#[test]
fn generated_chat_is_summarised() {
    let ev = Generator::new(gen_options(GenKind::Chat))
        .unwrap()
        .next()
        .unwrap();
    let mut s = String::new();
    write_summary(&ev, ev.time, &mut s);
    assert!(
        s.contains(
            "chat from=\"Bravo <&> 'quoted' \\\"x\\\"-1\" room=\"Room & Co\" msg=\"chat\\x0awith"
        ),
        "{s}"
    );
    assert!(s.contains("(GeoChat message)"), "{s}");
}

fn xml_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..40)
        .prop_map(|v| v.into_iter().filter(|c| is_xml_char(*c)).collect())
}

proptest! {
    #[test]
    fn arbitrary_unicode_roundtrips(cs in xml_string(), rm in xml_string(), ep in xml_string()) {
        let mut ev = parse_xml(GOLDEN_XML.as_bytes()).unwrap();
        ev.received_as = None;
        ev.detail.contact = Some(Contact { callsign: Some(cs), endpoint: Some(ep) });
        ev.detail.remarks = Some(Remarks { text: rm, ..Remarks::default() });
        let xml = xml_of(&ev);
        let back = content(parse_xml(xml.as_bytes()).unwrap());
        prop_assert_eq!(&back, &ev);
        let mut mesh = Vec::new();
        write_tak_mesh(&ev, &mut mesh).unwrap();
        prop_assert_eq!(content(decode_datagram(&mesh).unwrap()), ev);
    }

    /// `cot-gen` promises one event per line: no text option, however many
    /// newlines it holds, may break an event across lines.
    #[test]
    fn cot_gen_never_writes_a_newline_inside_an_event(
        remarks in "[a-z\n\r\t ]{0,20}",
        message in "[a-z\n\r ]{1,20}",
        callsign in "[A-Z\n-]{1,12}",
        kind in 0usize..5,
    ) {
        let kinds = [GenKind::Sa, GenKind::Marker, GenKind::Chat, GenKind::Delete, GenKind::Ping];
        let mut o = gen_options(kinds[kind]);
        o.remarks = Some(remarks);
        o.chat_message = message;
        o.callsign = callsign;
        o.delete_uid = Some("target-uid".into());
        // Options the generator refuses (a control character in a uid or
        // callsign) never print anything; the rest must stay on one line.
        let Ok(mut g) = Generator::new(o) else {
            return Ok(());
        };
        let mut ev = Event::default();
        for _ in 0..3 {
            g.next_event(&mut ev);
            let mut xml = Vec::new();
            write_xml(&ev, &mut xml).unwrap();
            prop_assert!(!xml.contains(&b'\n') && !xml.contains(&b'\r'), "{}", String::from_utf8_lossy(&xml));
            // And the event reads back with its newlines.
            prop_assert!(decode_datagram(&xml).is_ok());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_datagram(&data);
        let _ = decode_datagram(&[&[0xBF, 0x01, 0xBF][..], &data].concat());
        let _ = decode_datagram(&[b"<event ".as_slice(), &data].concat());
        let mut de = StreamDeframer::new();
        de.push(&data);
        while let Ok(Some(_)) = de.next_frame() {}
    }

    #[test]
    fn mutated_golden_never_panics(pos in 0usize..400, byte in any::<u8>(), tak in any::<bool>()) {
        let mut v = if tak { unhex(GOLDEN_HEX) } else { GOLDEN_XML.as_bytes().to_vec() };
        let i = pos % v.len();
        v[i] = byte;
        if let Ok(ev) = decode_datagram(&v) {
            // Whatever was accepted can be summarised and checked.
            let mut s = String::new();
            write_summary(&ev, 0, &mut s);
            let _ = strict_check(&ev, None);
            let _ = cot_json(&ev, 0);
        }
    }
}

/// Runs `f`, asserting it fails quickly (hostile input must not be slow).
fn fails_fast(input: &[u8]) -> CotError {
    let t = Instant::now();
    let e = decode_datagram(input).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "took {:?}",
        t.elapsed()
    );
    e
}

const HEAD: &str = r#"<event version="2.0" uid="x" type="a-f-G" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="0.0" le="0.0"/>"#;

#[test]
fn hostile_billion_laughs_and_xxe() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><event uid="&lol9;"/>"#;
    assert_eq!(fails_fast(laughs.as_bytes()), CotError::Doctype);
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><event uid="&xxe;"/>"#;
    assert_eq!(fails_fast(xxe.as_bytes()), CotError::Doctype);
    // Without a DTD the entity is simply unknown.
    let e = fails_fast(format!("{HEAD}<detail><x>&xxe;</x></detail></event>").as_bytes());
    assert!(matches!(e, CotError::UnknownEntity(_)), "{e}");
    let e = fails_fast(br#"<event uid="&xxe;"/>"#);
    assert!(matches!(e, CotError::UnknownEntity(_)), "{e}");
    // A DOCTYPE after the root start is refused too.
    let e = fails_fast(format!("{HEAD}<detail><!DOCTYPE x></detail></event>").as_bytes());
    assert!(matches!(e, CotError::Doctype | CotError::Xml(_)), "{e}");
}

#[test]
fn hostile_deep_nesting() {
    let deep = format!("{HEAD}<detail>{}", "<a>".repeat(10_000));
    assert_eq!(
        fails_fast(deep.as_bytes()),
        CotError::TooDeep {
            limit: reader::MAX_DEPTH
        }
    );
    let deep_empty = format!("{HEAD}<detail>{}<b/>", "<a>".repeat(30));
    assert_eq!(
        fails_fast(deep_empty.as_bytes()),
        CotError::TooDeep {
            limit: reader::MAX_DEPTH
        }
    );
    // 32 levels in total are fine.
    let ok = format!(
        "{HEAD}<detail>{}{}</detail></event>",
        "<a>".repeat(30),
        "</a>".repeat(30)
    );
    let ev = decode_datagram(ok.as_bytes()).unwrap();
    assert!(ev.detail.xml_detail.starts_with("<a><a>"));
}

#[test]
fn hostile_sizes() {
    // Every event that fits a datagram is admitted, however long one
    // attribute (an ATAK freehand drawing's `line`) or text node is.
    let big_attr = GOLDEN_XML.replace("mcast-test-1", &"A".repeat(60_000));
    assert_eq!(
        decode_datagram(big_attr.as_bytes()).unwrap().uid.len(),
        60_000
    );
    let big_text = format!(
        "{HEAD}<detail><remarks>{}</remarks></detail></event>",
        "t".repeat(40_000)
    );
    assert_eq!(
        decode_datagram(big_text.as_bytes())
            .unwrap()
            .detail
            .remarks
            .unwrap()
            .text
            .len(),
        40_000
    );
    let big_frame = format!("{HEAD}<detail>{}</detail></event>", "<x/>".repeat(17_000));
    assert!(matches!(
        fails_fast(big_frame.as_bytes()),
        CotError::FrameTooLarge { .. }
    ));
    let mut tak_big = vec![0xBF, 0x01, 0xBF];
    tak_big.resize(70_000, 0);
    assert!(matches!(
        fails_fast(&tak_big),
        CotError::FrameTooLarge { .. }
    ));
    let attrs: String = (0..100).map(|i| format!(" a{i}=\"v\"")).collect();
    let many = format!("{HEAD}<detail><x{attrs}/></detail></event>");
    assert!(matches!(
        fails_fast(many.as_bytes()),
        CotError::TooManyAttributes { .. }
    ));
}

#[test]
fn hostile_protobuf() {
    let golden = unhex(GOLDEN_HEX);
    for n in 3..golden.len() {
        let e = decode_datagram(golden.get(..n).unwrap());
        assert!(e.is_err(), "truncated at {n} decoded");
    }
    // A varint longer than 10 bytes inside the protobuf payload.
    let mut v = vec![0xBF, 0x01, 0xBF, 0x12];
    v.extend_from_slice(&[0xFF; 11]);
    v.push(0x01);
    assert!(matches!(fails_fast(&v), CotError::Protobuf(_)));
    // A length varint longer than 10 bytes in stream framing.
    let mut de = StreamDeframer::new();
    de.push(&[&[0xBF][..], &[0x80; 10], &[0x01]].concat());
    assert_eq!(de.next_frame(), Err(CotError::VarintTooLong));
    // Invalid UTF-8 in a string field.
    let v = [0xBF, 0x01, 0xBF, 0x12, 0x03, 0x2A, 0x01, 0xFF];
    assert!(matches!(fails_fast(&v), CotError::Protobuf(_)));
}

fn tak_with_xml_detail(xml: &str) -> Vec<u8> {
    let msg = proto::TakMessage {
        tak_control: None,
        cot_event: Some(proto::CotEvent {
            r#type: "a-f-G".into(),
            uid: "x".into(),
            detail: Some(proto::Detail {
                xml_detail: xml.into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    };
    [&[0xBF, 0x01, 0xBF][..], &msg.encode_to_vec()].concat()
}

#[test]
fn hostile_xml_detail_in_tak() {
    let doctype = tak_with_xml_detail(r#"<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>"#);
    assert_eq!(fails_fast(&doctype), CotError::Doctype);
    let xxe =
        tak_with_xml_detail(r#"<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>"#);
    assert_eq!(fails_fast(&xxe), CotError::Doctype);
    let escape = tak_with_xml_detail("</detail><point lat=\"9\"/>");
    assert!(matches!(fails_fast(&escape), CotError::Xml(_)));
    let deep = tak_with_xml_detail(&"<a>".repeat(10_000));
    assert!(matches!(fails_fast(&deep), CotError::TooDeep { .. }));
    let ctrl = tak_with_xml_detail("<a>&#1;</a>");
    assert_eq!(fails_fast(&ctrl), CotError::InvalidChar { codepoint: 1 });
    // A benign fragment is parsed and typed parts are recognised.
    let ok = tak_with_xml_detail("<contact callsign='Z'/><foo bar='1'/>");
    let ev = decode_datagram(&ok).unwrap();
    assert_eq!(ev.detail.callsign(), Some("Z"));
    assert_eq!(ev.detail.xml_detail, r#"<foo bar="1"/>"#);
}

#[test]
fn tolerant_parsing() {
    let golden = parse_xml(GOLDEN_XML.as_bytes()).unwrap();
    let variants = [
        // UTF-8 BOM, leading whitespace and a declaration naming UTF-16.
        format!("\u{feff}{GOLDEN_XML}"),
        format!(" \n{GOLDEN_XML}"),
        format!("\u{feff}<?xml version=\"1.0\" encoding=\"UTF-16\" standalone=\"yes\"?>\n{GOLDEN_XML}"),
        // Single-quoted attributes.
        GOLDEN_XML.replace('"', "'"),
        // point after detail, with pretty-printing whitespace.
        GOLDEN_XML
            .replace(
                r#"<point lat="37.5" lon="-122.25" hae="10.0" ce="9999999.0" le="9999999.0"/>"#,
                "",
            )
            .replace(
                "</detail>",
                "</detail>\n  <point lat='37.5' lon='-122.25' hae='10' ce='9999999' le='9999999'/>\n",
            ),
        // Fraction digits 0 to 3 and offsets.
        GOLDEN_XML.replace("00:00:00.000Z\" start", "00:00:00Z\" start"),
        GOLDEN_XML.replace("00:00:00.000Z\" stale", "00:00:00.0Z\" stale"),
        GOLDEN_XML.replace("00:02:00.000Z", "01:02:00.00+01:00"),
        // Trailing garbage after the event is ignored.
        format!("{GOLDEN_XML}\n\0junk"),
    ];
    for v in &variants {
        let ev = decode_datagram(v.as_bytes()).unwrap_or_else(|e| panic!("{e}: {v}"));
        assert_eq!(content(ev.clone()).detail, golden.detail, "{v}");
        assert_eq!(xml_of(&ev), GOLDEN_XML, "{v}");
    }
    // Missing how and version="2" parse, and --cot-strict reports them.
    let ev = parse_xml(
        GOLDEN_XML
            .replace(" how=\"m-g\"", "")
            .replace("version=\"2.0\"", "version=\"2\"")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(ev.how, "");
    assert_eq!(ev.version, "2");
    let r = strict_check(&ev, None);
    assert!(r.iter().any(|x| x.contains("how")), "{r:?}");
    assert!(r.iter().any(|x| x.contains("version")), "{r:?}");
    // NaN in point: lat/lon stay NaN, hae/ce/le become unknown; flagged.
    let ev = parse_xml(
        GOLDEN_XML
            .replace("lat=\"37.5\"", "lat=\"NaN\"")
            .replace("hae=\"10.0\"", "hae=\"nan\"")
            .as_bytes(),
    )
    .unwrap();
    assert!(ev.point.lat.is_nan());
    assert_eq!(ev.point.hae, UNKNOWN);
    assert_eq!(
        write_xml(&ev, &mut Vec::new()),
        Err(CotError::NonFinite("lat"))
    );
    let r = strict_check(&ev, None);
    assert!(
        r.iter().any(|x| x == "point lat is not a finite number"),
        "{r:?}"
    );
    assert!(
        r.iter().any(|x| x == "point hae is not a finite number"),
        "{r:?}"
    );
    // Times ATAK cannot read are reported; 0 to 3 (or more) fraction
    // digits with Z are what it reads.
    for v in [5, 6] {
        let ev = decode_datagram(variants[v].as_bytes()).unwrap();
        assert_eq!(
            strict_check(&ev, None),
            Vec::<String>::new(),
            "{}",
            variants[v]
        );
    }
    let ev = decode_datagram(variants[7].as_bytes()).unwrap();
    assert_eq!(
        strict_check(&ev, None),
        vec![
            "stale is not in the form YYYY-MM-DDTHH:MM:SS[.fff]Z (UTC with Z, no offset)"
                .to_owned()
        ]
    );
    // A declaration that names UTF-16 over UTF-8 bytes, and whitespace
    // before a declaration.
    let ev = decode_datagram(variants[2].as_bytes()).unwrap();
    assert!(
        strict_check(&ev, None)[0].contains("encoding"),
        "{:?}",
        strict_check(&ev, None)
    );
    let late = format!(" \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>{GOLDEN_XML}");
    let ev = decode_datagram(late.as_bytes()).unwrap();
    assert!(strict_check(&ev, None)[0].contains("before the XML declaration"));
    let bom = format!("\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>{GOLDEN_XML}");
    assert!(strict_check(&decode_datagram(bom.as_bytes()).unwrap(), None).is_empty());
}

#[test]
fn classification() {
    assert_eq!(classify(b"\xbf\x01\xbf\x12"), Kind::TakV1);
    assert_eq!(classify(b"<event/>"), Kind::Xml);
    assert_eq!(classify(b" \r\n\t<event/>"), Kind::Xml);
    assert_eq!(classify(b"\xef\xbb\xbf<event/>"), Kind::Xml);
    assert_eq!(classify(b"  \xef\xbb\xbf<"), Kind::Xml);
    assert_eq!(classify(b""), Kind::Unknown);
    assert_eq!(classify(b"\xbf\x02\xbf"), Kind::Unknown);
    assert_eq!(classify(b"\x17\x03\x03 tls"), Kind::Unknown);
    assert_eq!(decode_datagram(b"hello"), Err(CotError::UnknownEncoding));
}
