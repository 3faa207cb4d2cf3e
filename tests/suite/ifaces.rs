//! `ifaces`: agrees with `ip -j addr`, and `--groups` shows live joins.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::pair;
use crate::{assert_code, mcast, stdout};

fn parse(o: &std::process::Output) -> Vec<Value> {
    assert_code(o, 0);
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    v.as_array().expect("an array").clone()
}

/// (address, prefix) pairs of an `ip -j addr` entry.
fn ip_addrs(i: &Value) -> BTreeSet<(String, u64)> {
    let list = i["addr_info"].as_array().expect("addr_info");
    list.iter()
        .map(|a| {
            (
                a["local"].as_str().unwrap().to_string(),
                a["prefixlen"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (address, prefix) pairs of an `mcast ifaces --json` entry.
fn mcast_addrs(i: &Value) -> BTreeSet<(String, u64)> {
    let list = i["addrs"].as_array().expect("addrs");
    list.iter()
        .map(|a| {
            (
                a["addr"].as_str().unwrap().to_string(),
                a["prefix"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn ifaces_json_agrees_with_ip_addr() {
    let lab = pair!();
    // Make h2 less default: a second address of each family, another MTU.
    lab.ip("h2", "addr add 10.79.1.2/16 dev a0");
    lab.ip("h2", "-6 addr add fd79::2/48 dev a0 nodad");
    lab.ip("h2", "link set a0 mtu 1400");
    let ours = parse(&mcast(&lab, "h2", &["ifaces", "--json", "--all"]));
    let ip: Value = serde_json::from_slice(&lab.run("h2", "ip", &["-j", "addr"]).stdout).unwrap();
    let ip = ip.as_array().expect("ip -j addr");
    let indexes = |l: &[Value], k: &str| -> BTreeSet<u64> {
        l.iter().map(|i| i[k].as_u64().unwrap()).collect()
    };
    assert_eq!(indexes(&ours, "index"), indexes(ip, "ifindex"));
    for i in ip {
        let m = ours
            .iter()
            .find(|m| m["index"] == i["ifindex"])
            .expect("same index");
        assert_eq!(m["name"], i["ifname"], "{m}");
        assert_eq!(m["mtu"], i["mtu"], "{m}");
        assert_eq!(mcast_addrs(m), ip_addrs(i), "{m}");
    }
    let a0 = ours.iter().find(|m| m["name"] == "a0").unwrap();
    assert_eq!(a0["mtu"], 1400);
    let flags: Vec<&str> = a0["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        flags.contains(&"UP") && flags.contains(&"MULTICAST"),
        "{flags:?}"
    );
    assert!(mcast_addrs(a0).contains(&("10.79.1.2".to_string(), 16)));
    assert!(mcast_addrs(a0).contains(&("fd79::2".to_string(), 48)));
    // Without --all: multicast-capable interfaces only, so no lo.
    let mc = parse(&mcast(&lab, "h2", &["ifaces", "--json"]));
    let names: Vec<&str> = mc.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a0"]);
}

#[test]
fn ifaces_groups_shows_a_running_join() {
    let lab = pair!();
    let groups = |all: &[Value], name: &str| -> Vec<String> {
        let i = all.iter().find(|m| m["name"] == name).expect(name);
        let g = i["groups"].as_array().expect("groups with --groups");
        g.iter().map(|g| g.as_str().unwrap().to_string()).collect()
    };
    let mut join = lab.spawn(
        "h2",
        crate::MCAST,
        &["join", "239.1.5.1@a0", "ff15::5:1@a0"],
    );
    lab.wait_joined("h2", "a0", "239.1.5.1");
    lab.wait_joined("h2", "a0", "ff15::5:1");
    let all = parse(&mcast(
        &lab,
        "h2",
        &["ifaces", "--json", "--all", "--groups"],
    ));
    let a0 = groups(&all, "a0");
    assert!(a0.contains(&"239.1.5.1".into()), "{a0:?}");
    assert!(a0.contains(&"ff15::5:1".into()), "{a0:?}");
    assert!(a0.contains(&"224.0.0.1".into()), "all-hosts: {a0:?}");
    let lo = groups(&all, "lo");
    assert!(!lo.contains(&"239.1.5.1".into()), "{lo:?}");
    let table = mcast(&lab, "h2", &["ifaces", "--groups"]);
    assert_code(&table, 0);
    assert!(stdout(&table).contains("239.1.5.1"), "{}", stdout(&table));
    assert!(stdout(&table).contains("ff15::5:1"), "{}", stdout(&table));

    join.stop();
    let all = parse(&mcast(&lab, "h2", &["ifaces", "--json", "--groups"]));
    let a0 = groups(&all, "a0");
    assert!(
        !a0.contains(&"239.1.5.1".into()),
        "after the join ended: {a0:?}"
    );
    // Without --groups there is no groups field.
    let plain = parse(&mcast(&lab, "h2", &["ifaces", "--json"]));
    assert!(plain[0].get("groups").is_none(), "{}", plain[0]);
}
