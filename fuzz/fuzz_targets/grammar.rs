//! The endpoint and bridge-link grammars: never panic, and whatever parses
//! prints back (Display) to text that parses to the same value.
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

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    round_trip::<Endpoint>(s);
    round_trip::<GroupEndpoint>(s);
    round_trip::<GroupSpec>(s);
    round_trip::<IfaceSpec>(s);
    round_trip::<IfaceSelector>(s);
    round_trip::<Link>(s);
    round_trip::<Cidr>(s);
});
