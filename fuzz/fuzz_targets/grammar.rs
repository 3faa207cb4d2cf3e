//! The endpoint and bridge-link grammars: never panic, and whatever parses
//! prints back (Display) to text that parses to the same value (an MQTT
//! link's password aside, which is never printed); MQTT topics match and
//! render without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcast::bridge::filter::Cidr;
use mcast::bridge::link::Link;
use mcast::endpoint::{Endpoint, GroupEndpoint, GroupSpec, IfaceSelector, IfaceSpec};

fn round_trip<T>(s: &str)
where
    T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = s.parse::<T>() {
        let shown = v.to_string();
        match shown.parse::<T>() {
            Ok(back) => assert_eq!(back, v, "{s:?} -> {shown:?}"),
            Err(_) => panic!("{s:?} parsed, but its Display {shown:?} does not"),
        }
    }
}

/// Links round-trip too, except that an MQTT password is never printed:
/// compare without it.
fn link_round_trip(s: &str) {
    let unpassworded = |l: Link| match l {
        Link::Mqtt(mut u) => {
            u.password = None;
            Link::Mqtt(u)
        }
        other => other,
    };
    if let Ok(v) = s.parse::<Link>() {
        let shown = v.to_string();
        match shown.parse::<Link>() {
            Ok(back) => assert_eq!(
                unpassworded(back),
                unpassworded(v.clone()),
                "{s:?} -> {shown:?}"
            ),
            Err(_) => panic!("{s:?} parsed, but its Display {shown:?} does not"),
        }
        if let Link::Mqtt(u) = &v {
            let _ = u.topic.flow_of(s);
            let mut out = String::new();
            u.topic.render("239.1.2.3".parse().unwrap(), 5000, &mut out);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    round_trip::<Endpoint>(s);
    round_trip::<GroupEndpoint>(s);
    round_trip::<GroupSpec>(s);
    round_trip::<IfaceSpec>(s);
    round_trip::<IfaceSelector>(s);
    link_round_trip(s);
    round_trip::<Cidr>(s);
});
