//! `send` to `listen` between namespaces: both families, over a veth and a
//! bridge, several groups on one port, source-specific multicast, and every
//! way of naming the interface.

use crate::util::{lab, pair, wait_until, Lab};
use crate::{assert_code, finish, json, listen, send, stderr, texts, three_on_a_lan, MCAST};
use std::time::Duration;

/// `GROUP:PORT`, with brackets for IPv6.
fn ep(group: &str, port: u16) -> String {
    if group.contains(':') {
        format!("[{group}]:{port}")
    } else {
        format!("{group}:{port}")
    }
}

/// h1 sends two datagrams to 239.1.1.1:5000 (TTL 3) and two to
/// [ff15::1]:5001 (hop limit 5); each receiver gets them with the right
/// source, group, interface, TTL and payload.
fn two_datagrams_each_family(lab: &Lab, receivers: &[&str]) {
    let mut procs = Vec::new();
    for &h in receivers {
        let v4 = ["239.1.1.1:5000", "--count", "2", "--format", "json"];
        let rx4 = listen(lab, h, "a0", "239.1.1.1", &v4);
        let v6 = ["[ff15::1]:5001@a0", "--count", "2", "--format", "json"];
        let rx6 = listen(lab, h, "a0", "ff15::1", &v6);
        procs.push((h, rx4, rx6));
    }
    send(
        lab,
        "h1",
        &["239.1.1.1:5000", "--ttl", "3", "-c", "2", "hello v4"],
    );
    send(
        lab,
        "h1",
        &["[ff15::1]:5001", "--ttl", "5", "-c", "2", "hello v6"],
    );
    for (h, mut rx4, mut rx6) in procs {
        let cases = [
            (&mut rx4, "10.77.0.1:", "239.1.1.1", 5000, 3, "hello v4"),
            (&mut rx6, "[fd77::1]:", "ff15::1", 5001, 5, "hello v6"),
        ];
        for (rx, src, group, port, ttl, text) in cases {
            let o = finish(rx);
            assert_code(&o, 0);
            let j = json(&o);
            assert_eq!(j.datagrams.len(), 2, "{h}: {group}");
            let first_src = j.datagrams[0]["src"].as_str().unwrap().to_string();
            for d in &j.datagrams {
                assert!(d["src"].as_str().unwrap().starts_with(src), "{h}: {d}");
                assert_eq!(d["src"], first_src.as_str(), "one sender, one port: {d}");
                assert_eq!(d["group"], group, "{h}: {d}");
                assert_eq!(d["port"], port, "{h}: {d}");
                assert_eq!(d["iface"], "a0", "{h}: {d}");
                assert_eq!(d["ttl"], ttl, "{h}: {d}");
                assert_eq!(d["text"], text, "{h}: {d}");
                assert_eq!(d["len"], text.len(), "{h}: {d}");
            }
            let s = &j.summary;
            assert_eq!(s["packets"], 2, "{s}");
            assert_eq!(s["bytes"], 2 * text.len(), "{s}");
            assert_eq!(s["streams"][0]["src"], first_src.as_str(), "{s}");
            assert!(stderr(&o).contains("--- 2 datagrams"), "{}", stderr(&o));
        }
    }
}

#[test]
fn ipv4_and_ipv6_over_a_veth() {
    let lab = pair!();
    two_datagrams_each_family(&lab, &["h2"]);
}

#[test]
fn ipv4_and_ipv6_over_a_bridge_to_two_receivers() {
    let lab = lab!();
    three_on_a_lan(&lab, false);
    two_datagrams_each_family(&lab, &["h2", "h3"]);
}

/// A listener for `g1` on a port gets neither `g2` on the same port nor
/// unicast to its host on that port; a listener for both groups gets both.
fn groups_share_a_port(g1: &str, g2: &str, unicast: &str) {
    let lab = pair!();
    let (e1, e2) = (ep(g1, 5000), ep(g2, 5000));
    let json_5s = ["--timeout", "5s", "--format", "json"];
    let args = [&[e1.as_str(), "-c", "1"][..], &json_5s].concat();
    let mut only_g1 = listen(&lab, "h2", "a0", g1, &args);
    let args = [&[e1.as_str(), e2.as_str(), "-c", "2"][..], &json_5s].concat();
    let mut both = listen(&lab, "h2", "a0", g2, &args);
    // The wrong ones first: a listener that took them would end with them.
    send(&lab, "h1", &[&e2, "other group"]);
    send(&lab, "h1", &[&ep(unicast, 5000), "unicast"]);
    send(&lab, "h1", &[&e1, "right group"]);

    let o = finish(&mut only_g1);
    assert_code(&o, 0);
    assert_eq!(texts(&json(&o)), ["right group"]);

    let o = finish(&mut both);
    assert_code(&o, 0);
    let j = json(&o);
    assert_eq!(texts(&j), ["other group", "right group"]);
    assert_eq!(j.datagrams[0]["group"], g2);
    assert_eq!(j.datagrams[1]["group"], g1);
    assert_eq!(j.summary["streams"].as_array().unwrap().len(), 2);
}

#[test]
fn ipv4_groups_on_one_port_do_not_mix() {
    groups_share_a_port("239.1.1.1", "239.1.1.2", "10.77.0.2");
}

#[test]
fn ipv6_groups_on_one_port_do_not_mix() {
    groups_share_a_port("ff15::1", "ff15::2", "fd77::2");
}

/// h3 and h1 take turns sending to `group`; a listener on h2 with
/// `--source` h1 gets only h1's datagrams. With `beside_any_source`, a
/// listener without `--source` shares group and port on h2 and must get all
/// of them: neither may take the other's datagrams.
fn source_specific(group: &str, h1: &str, h3: &str, beside_any_source: bool) {
    let lab = lab!();
    three_on_a_lan(&lab, false);
    let e = format!("{}@a0", ep(group, 5000));
    let rounds = if beside_any_source { 6 } else { 2 };
    let json_5s = ["--timeout", "5s", "--format", "json"];
    let mut any = None;
    if beside_any_source {
        let n = (2 * rounds).to_string();
        let args = [&[e.as_str(), "-c", &n][..], &json_5s].concat();
        any = Some(listen(&lab, "h2", "a0", group, &args));
    }
    let n = rounds.to_string();
    let args = [&["listen", &e, "--source", h1, "-c", &n][..], &json_5s].concat();
    let mut ssm = lab.spawn("h2", MCAST, &args);
    // The group may already be in h2's table: wait for the listener's word.
    let ready = || ssm.stderr().contains("listening:");
    let waited = wait_until(Duration::from_secs(10), ready);
    assert!(waited, "{}", ssm.stderr());
    // Each send is a new process, so a new source port: a new flow.
    for (h, text) in [("h3", "from h3"), ("h1", "from h1")].repeat(rounds) {
        send(&lab, h, &[&e, text]);
    }
    let o = finish(&mut ssm);
    assert_code(&o, 0);
    let j = json(&o);
    assert_eq!(texts(&j), vec!["from h1"; rounds], "listen --source {h1}");
    for d in &j.datagrams {
        let src = d["src"].as_str().unwrap();
        assert!(src.starts_with(&format!("{}:", ep_host(h1))), "{d}");
    }
    if let Some(mut any) = any {
        let o = finish(&mut any);
        assert_code(&o, 0);
        let j = json(&o);
        let want = ["from h3", "from h1"].repeat(rounds);
        assert_eq!(texts(&j), want, "the any-source listener beside it");
        let h3_src = j.datagrams[0]["src"].as_str().unwrap();
        assert!(h3_src.starts_with(&format!("{}:", ep_host(h3))), "{h3_src}");
    }
}

/// An address as it appears before `:PORT` in `src`.
fn ep_host(a: &str) -> String {
    if a.contains(':') {
        format!("[{a}]")
    } else {
        a.to_string()
    }
}

#[test]
fn ssm_ipv4_receives_only_the_named_source() {
    source_specific("232.1.1.1", "10.77.0.1", "10.77.0.3", false);
}

#[test]
fn ssm_ipv6_global_scope_receives_only_the_named_source() {
    source_specific("ff3e::1", "fd77::1", "fd77::3", false);
}

#[test]
fn ssm_ipv6_site_scope_receives_only_the_named_source() {
    source_specific("ff35::1", "fd77::1", "fd77::3", false);
}

/// Fails while listen sets SO_REUSEPORT: Linux's IPv4 early demux hands a
/// multicast datagram that only one socket accepts to a random member of
/// that socket's reuseport group, here the source-filtered listener.
#[test]
fn ssm_and_any_source_listeners_share_an_ipv4_port() {
    source_specific("232.1.1.1", "10.77.0.1", "10.77.0.3", true);
}

#[test]
fn ssm_and_any_source_listeners_share_an_ipv6_port() {
    source_specific("ff3e::1", "fd77::1", "fd77::3", true);
}

/// h2 has two interfaces: a0 towards the sender h1 and b0 towards h3, and
/// its multicast routes point at b0. Only a listener that really joins on
/// a0 receives; every way of naming a0 must do that.
#[test]
fn iface_by_name_address_index_and_environment() {
    let lab = lab!();
    for h in ["h1", "h2", "h3"] {
        lab.host(h);
    }
    lab.link(
        ("h1", "a0", "10.77.0.1/24", "fd77::1/64"),
        ("h2", "a0", "10.77.0.2/24", "fd77::2/64"),
    );
    lab.link(
        ("h2", "b0", "10.78.0.2/24", "fd78::2/64"),
        ("h3", "b0", "10.78.0.3/24", "fd78::3/64"),
    );
    lab.mcast_route("h1", "a0");
    lab.mcast_route("h2", "b0");
    let link = lab.run("h2", "ip", &["-j", "link", "show", "a0"]);
    let link: serde_json::Value = serde_json::from_slice(&link.stdout).expect("ip -j link");
    let index = link[0]["ifindex"].as_u64().expect("ifindex").to_string();

    // (group, endpoint, extra arguments, MCAST_IFACE)
    let cases: Vec<(&str, String, Vec<&str>, Option<&str>)> = vec![
        (
            "239.1.2.1",
            "239.1.2.1:5000".into(),
            vec!["--iface", "a0"],
            None,
        ),
        (
            "239.1.2.2",
            "239.1.2.2:5000".into(),
            vec!["-i", "10.77.0.2"],
            None,
        ),
        (
            "239.1.2.3",
            "239.1.2.3:5000".into(),
            vec!["--iface", &index],
            None,
        ),
        ("239.1.2.4", "239.1.2.4:5000".into(), vec![], Some("a0")),
        ("239.1.2.5", "239.1.2.5:5000@a0".into(), vec![], None),
        ("239.1.2.6", "239.1.2.6:5000@10.77.0.2".into(), vec![], None),
        ("239.1.2.7", format!("239.1.2.7:5000@{index}"), vec![], None),
        (
            "ff15::2:1",
            "[ff15::2:1]:5000".into(),
            vec!["--iface", "a0"],
            None,
        ),
        (
            "ff15::2:2",
            "[ff15::2:2]:5000".into(),
            vec!["-i", "fd77::2"],
            None,
        ),
        (
            "ff15::2:3",
            "[ff15::2:3]:5000".into(),
            vec!["--iface", &index],
            None,
        ),
        ("ff15::2:4", "[ff15::2:4]:5000".into(), vec![], Some("a0")),
        ("ff15::2:5", "[ff15::2:5%a0]:5000".into(), vec![], None),
        (
            "ff15::2:6",
            format!("[ff15::2:6]:5000@{index}"),
            vec![],
            None,
        ),
    ];
    let mut procs = Vec::new();
    for (group, e, extra, env) in &cases {
        let mut args = vec!["listen", e.as_str(), "-c", "1", "-t", "5s", "-f", "json"];
        args.extend(extra);
        let mut cmd = lab.cmd("h2", MCAST, &args);
        if let Some(v) = env {
            cmd.env("MCAST_IFACE", v);
        }
        let p = lab.spawn_cmd(cmd, None);
        lab.wait_joined("h2", "a0", group);
        procs.push((e, p));
    }
    // The control: without an interface h2 joins on b0 and hears nothing.
    let mut control = listen(
        &lab,
        "h2",
        "b0",
        "239.1.2.9",
        &["239.1.2.9:5000", "-t", "1s", "-f", "json"],
    );
    for (group, ..) in &cases {
        send(&lab, "h1", &[&format!("{}@a0", ep(group, 5000)), group]);
    }
    send(&lab, "h1", &["239.1.2.9:5000@a0", "control"]);
    for ((group, ..), (e, mut p)) in cases.iter().zip(procs) {
        let o = finish(&mut p);
        assert_code(&o, 0);
        let j = json(&o);
        assert_eq!(texts(&j), [*group], "listen {e}");
        assert_eq!(j.datagrams[0]["iface"], "a0", "listen {e}");
    }
    let o = finish(&mut control);
    assert_code(&o, 1);
    assert_eq!(json(&o).datagrams.len(), 0);
}
