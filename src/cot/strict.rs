//! `--cot-strict`: what a strict receiver (ATAK's CoT parser) would refuse.
//!
//! The tolerant reader keeps going where ATAK would drop the event; this
//! module lists those places, using the [`Quirks`] the reader recorded for
//! facts that are no longer visible in the model (e.g. the original form of
//! a timestamp).

use super::model::{Event, Quirks, POINT_FIELDS};
use super::types::{validate_how, validate_type};

/// Reasons a strict receiver would reject `ev`, received at `recv_ms` (ms
/// since the epoch, when known); empty when it would not.
pub fn strict_check(ev: &Event, recv_ms: Option<i64>) -> Vec<String> {
    let mut r = Vec::new();
    let q = ev.quirks;
    if q.contains(Quirks::BEFORE_DECLARATION) {
        r.push(
            "something stands before the XML declaration (it must open the datagram)".to_owned(),
        );
    }
    if q.contains(Quirks::ENCODING_MISMATCH) {
        r.push(
            "the XML declaration names an encoding the bytes are not in (they are UTF-8)"
                .to_owned(),
        );
    }
    match ev.version.as_str() {
        "2.0" => {}
        "" => r.push("version attribute missing (must be \"2.0\")".to_owned()),
        v => r.push(format!("version {v:?} is not \"2.0\"")),
    }
    if ev.uid.is_empty() {
        r.push("uid attribute missing or empty".to_owned());
    }
    if ev.type_.is_empty() {
        r.push("type attribute missing or empty".to_owned());
    } else if let Err(e) = validate_type(&ev.type_) {
        r.push(e);
    }
    if ev.how.is_empty() {
        r.push("how attribute missing or empty".to_owned());
    } else if let Err(e) = validate_how(&ev.how) {
        r.push(e);
    }
    for (name, missing, inexact) in [
        ("time", Quirks::MISSING_TIME, Quirks::INEXACT_TIME),
        ("start", Quirks::MISSING_START, Quirks::INEXACT_START),
        ("stale", Quirks::MISSING_STALE, Quirks::INEXACT_STALE),
    ] {
        if q.contains(missing) {
            r.push(format!("{name} attribute missing"));
        } else if q.contains(inexact) {
            r.push(format!(
                "{name} is not in the form YYYY-MM-DDTHH:MM:SS[.fff]Z (UTC with Z, no offset)"
            ));
        }
    }
    if ev.stale <= ev.start {
        r.push("stale is not after start".to_owned());
    } else if let Some(now) = recv_ms {
        // A receiver drops an event that is already stale: usually the
        // sender's clock is behind.
        if ev.stale < now {
            let ago = (now - ev.stale) as f64 / 1000.0;
            r.push(format!("stale {ago:.0} s ago on arrival: clock skew?"));
        }
    }
    if q.contains(Quirks::MISSING_POINT) {
        r.push("point element missing".to_owned());
    } else {
        for (i, (name, v)) in POINT_FIELDS.iter().zip(ev.point.fields()).enumerate() {
            if q.contains(Quirks::point_missing(i)) {
                r.push(format!("point {name} attribute missing"));
            } else if q.contains(Quirks::point_bad(i)) || !v.is_finite() {
                r.push(format!("point {name} is not a finite number"));
            }
        }
    }
    let (lat, lon) = (ev.point.lat, ev.point.lon);
    if lat.is_finite() && !(-90.0..=90.0).contains(&lat) {
        r.push(format!("lat {lat} is outside -90..90"));
    }
    if lon.is_finite() && !(-180.0..=180.0).contains(&lon) {
        r.push(format!("lon {lon} is outside -180..180"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cot::reader::parse_xml;

    #[test]
    fn clean_event_passes() {
        let ev = parse_xml(
            br#"<event version="2.0" uid="u" type="a-f-G-U-C" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="1.0" lon="2.0" hae="0.0" ce="1.0" le="1.0"/></event>"#,
        )
        .unwrap();
        assert_eq!(strict_check(&ev, None), Vec::<String>::new());
    }

    #[test]
    fn lists_every_problem() {
        let ev = parse_xml(
            br#"<event version="2" type="a-q-G" time="2026-01-01T00:00:00.000+00:00" start="2026-01-01t00:00:00.000Z" stale="2026-01-01T00:00:00.000Z"><point lat="91" lon="NaN" hae="x" ce="1"/></event>"#,
        )
        .unwrap();
        let r = strict_check(&ev, None);
        let expect = [
            "version \"2\" is not \"2.0\"",
            "uid attribute missing",
            "affiliation",
            "how attribute missing",
            "time is not in the form",
            "start is not in the form",
            "stale is not after start",
            "point lon is not a finite number",
            "point hae is not a finite number",
            "point le attribute missing",
            "lat 91 is outside",
        ];
        for e in expect {
            assert!(r.iter().any(|x| x.contains(e)), "{e} not in {r:#?}");
        }
        assert_eq!(r.len(), expect.len(), "{r:#?}");
        let ev = parse_xml(br#"<event version="2.0" uid="u" type="b-t-f" how="h-e" start="2026-01-01T00:00:00.000Z"/>"#).unwrap();
        let r = strict_check(&ev, None);
        assert!(r.contains(&"time attribute missing".to_owned()), "{r:?}");
        assert!(r.contains(&"stale attribute missing".to_owned()), "{r:?}");
        assert!(r.contains(&"point element missing".to_owned()), "{r:?}");
    }
}
