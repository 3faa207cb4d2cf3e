//! `mcast bridge`: LAN to LAN (both families, both ways, with group and port
//! rewritten), multicast over unicast across a router, a ring of bridges,
//! the TTL, rate, source and CoT filters, interfaces that vanish and come
//! back, TAK servers over TCP, and bad input.
//!
//! Every bridge runs in a lab host on two LANs; senders and listeners are
//! other hosts on those LANs, so what a listener gets went through the
//! bridge. `send --seq` numbers the datagrams, so "exactly once" is checked
//! by sequence number.

use std::time::Duration;

use serde_json::Value;

use crate::util::{lab, wait_until, Lab, Proc};
use crate::{assert_code, finish, json, listen, mcast, send, stderr, stdout, texts, Json, MCAST};

/// Plugs `host` into `lan` as `ifname`: 10.77.NET.N/24 and fd77:NET::N/64.
///
/// Also gives `ifname` its own IPv6 multicast route at once: the kernel
/// adds `ff00::/8 dev IFNAME` only when it processes the carrier coming up
/// (linkwatch, up to a second later), and until then sending to a group
/// through `ifname` fails with ENETUNREACH, also with IPV6_MULTICAST_IF.
fn plug(lab: &Lab, host: &str, lan: &str, ifname: &str, net: u8, n: u8) {
    let (v4, v6) = (format!("10.77.{net}.{n}/24"), format!("fd77:{net}::{n}/64"));
    lab.attach(host, lan, ifname, &v4, &v6);
    let metric = 10 + u32::from(net); // one per LAN: the same metric twice is EEXIST
    let route = format!("-6 route add multicast ff00::/8 dev {ifname} table local metric {metric}");
    lab.ip(host, &route);
}

/// LAN A (`la`, 10.77.1.0/24) and LAN B (`lb`, 10.77.2.0/24), both without
/// snooping: h1 on A (`a0`, .1), h4 on B (`b0`, .4), and the bridge host hb
/// on both (`a0` 10.77.1.2, `b0` 10.77.2.2).
fn two_lans(lab: &Lab) {
    lab.lan("la");
    lab.lan("lb");
    for h in ["h1", "hb", "h4"] {
        lab.host(h);
    }
    plug(lab, "h1", "la", "a0", 1, 1);
    plug(lab, "hb", "la", "a0", 1, 2);
    plug(lab, "hb", "lb", "b0", 2, 2);
    plug(lab, "h4", "lb", "b0", 2, 4);
    lab.mcast_route("h1", "a0");
    lab.mcast_route("h4", "b0");
}

/// Starts `mcast bridge ARGS` in `host` and returns once it has opened its
/// sockets and joined (it says "bridging" after that).
pub(super) fn bridge(lab: &Lab, host: &str, args: &[&str]) -> Proc {
    let p = lab.spawn(host, MCAST, &[&["bridge"], args].concat());
    wait_for(&p, "bridging", 1);
    p
}

/// Waits until `p`'s stderr holds `what` at least `times` times.
#[track_caller]
pub(super) fn wait_for(p: &Proc, what: &str, times: usize) {
    let ok = wait_until(Duration::from_secs(10), || {
        p.stderr().matches(what).count() >= times || !p.running()
    });
    let n = p.stderr().matches(what).count();
    assert!(
        ok && n >= times,
        "{what:?} {n} times, not {times} (running: {}):\nstdout: {}\nstderr: {}",
        p.running(),
        p.stdout(),
        p.stderr()
    );
}

/// Lets a `listen --format json` process get at least `n` datagrams (up to
/// 5 s), then 300 ms more for copies that should not come, stops it and
/// parses what it printed.
pub(super) fn gather(rx: &mut Proc, n: usize) -> Json {
    wait_until(Duration::from_secs(5), || rx.stdout().lines().count() >= n);
    std::thread::sleep(Duration::from_millis(300));
    rx.signal(libc::SIGTERM);
    let o = finish(rx);
    assert_code(&o, 0);
    json(&o)
}

/// The sequence numbers of the datagrams whose text is `text`, in order.
pub(super) fn seqs(j: &Json, text: &str) -> Vec<u64> {
    j.datagrams
        .iter()
        .filter(|d| d["text"] == text)
        .map(|d| d["seq"].as_u64().expect("a --seq datagram"))
        .collect()
}

/// Stops a bridge started with `--format json` by `sig` and gives its final
/// statistics (the last line of stdout).
pub(super) fn final_stats(p: &mut Proc, sig: i32) -> Value {
    p.signal(sig);
    let o = finish(p);
    assert_code(&o, 0);
    let out = stdout(&o);
    let last = out.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {last:?}\nstderr: {}", stderr(&o)));
    assert_eq!(v["final"], true, "{v}");
    v
}

/// A direction's counter: `in`, `out`, or `dropped.REASON`.
pub(super) fn counter(stats: &Value, dir: usize, name: &str) -> u64 {
    let d = &stats["directions"][dir];
    let v = match name.strip_prefix("dropped.") {
        Some(reason) => &d["dropped"][reason],
        None => &d[name],
    };
    v.as_u64()
        .unwrap_or_else(|| panic!("no {name} in direction {dir}: {stats}"))
}

/// A Cursor-on-Target XML event.
fn event(uid: &str, type_: &str) -> String {
    format!(
        r#"<event version="2.0" uid="{uid}" type="{type_}" how="m-g" time="2026-01-01T00:00:00.000Z" start="2026-01-01T00:00:00.000Z" stale="2026-01-01T00:02:00.000Z"><point lat="37.5" lon="-122.25" hae="10.0" ce="9999999.0" le="9999999.0"/><detail><contact callsign="{uid}"/></detail></event>"#
    )
}

/// LAN A to LAN B and back, each way 5 numbered datagrams arriving exactly
/// once, from the bridge host, and none echoed back to where they came from.
fn both_ways(v6: bool) {
    let lab = lab!();
    two_lans(&lab);
    let (group, ga, gb) = if v6 {
        ("ff15::1", "[ff15::1]:6969@a0", "[ff15::1]:6969@b0")
    } else {
        ("239.2.3.1", "239.2.3.1:6969@a0", "239.2.3.1:6969@b0")
    };
    let mut b = bridge(&lab, "hb", &[ga, gb, "--both-ways", "-f", "json"]);
    lab.wait_joined("hb", "b0", group);
    let mut rx_b = listen(&lab, "h4", "b0", group, &[gb, "-f", "json"]);
    let mut rx_a = listen(&lab, "h1", "a0", group, &[ga, "-f", "json"]);
    send(&lab, "h1", &[ga, "--seq", "-c", "5", "a-to-b"]);
    send(&lab, "h4", &[gb, "--seq", "-c", "5", "b-to-a"]);
    let (ja, jb) = (gather(&mut rx_a, 5), gather(&mut rx_b, 5));
    let (hb_a, hb_b) = if v6 {
        ("[fd77:1::2]:", "[fd77:2::2]:")
    } else {
        ("10.77.1.2:", "10.77.2.2:")
    };
    let from = |j: &Json, text: &str, src: &str| {
        let d = j.datagrams.iter().filter(|d| d["text"] == text);
        d.filter(|d| d["src"].as_str().unwrap().starts_with(src))
            .count()
    };
    let s = final_stats(&mut b, libc::SIGINT);
    let all = format!("A: {:?}\nB: {:?}\nbridge: {s}", ja.datagrams, jb.datagrams);
    assert_eq!(seqs(&jb, "a-to-b"), [0, 1, 2, 3, 4], "{all}");
    assert_eq!(seqs(&ja, "b-to-a"), [0, 1, 2, 3, 4], "{all}");
    assert_eq!(
        from(&jb, "a-to-b", hb_b),
        5,
        "sent by the bridge host: {all}"
    );
    assert_eq!(
        from(&ja, "b-to-a", hb_a),
        5,
        "sent by the bridge host: {all}"
    );
    // Nothing went back to the LAN it came from.
    assert_eq!(from(&ja, "a-to-b", hb_a), 0, "echoed to A: {all}");
    assert_eq!(from(&jb, "b-to-a", hb_b), 0, "echoed to B: {all}");
    for dir in 0..2 {
        assert_eq!(counter(&s, dir, "in"), 5, "{s}");
        assert_eq!(counter(&s, dir, "out"), 5, "{s}");
    }
}

#[test]
fn bridge_two_lans_both_ways_ipv4() {
    both_ways(false);
}

#[test]
fn bridge_two_lans_both_ways_ipv6() {
    both_ways(true);
}

/// Without `--both-ways` only FROM is read: B's traffic stays on B.
#[test]
fn bridge_one_way_only_forwards_from_to_to() {
    let lab = lab!();
    two_lans(&lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let _b = bridge(&lab, "hb", &[ga, gb]);
    let mut rx_b = listen(&lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    let mut rx_a = listen(&lab, "h1", "a0", "239.2.3.1", &[ga, "-f", "json"]);
    send(&lab, "h1", &[ga, "--seq", "-c", "5", "a-to-b"]);
    send(&lab, "h4", &[gb, "--seq", "-c", "5", "b-to-a"]);
    let jb = gather(&mut rx_b, 5);
    let ja = gather(&mut rx_a, 0);
    assert_eq!(seqs(&jb, "a-to-b"), [0, 1, 2, 3, 4], "{:?}", texts(&jb));
    assert_eq!(seqs(&ja, "b-to-a"), [0u64; 0], "{:?}", texts(&ja));
}

/// An unpaced burst of 1200-byte datagrams: the bridge reads up to 64 at a
/// time and sends equal sizes with UDP GSO, which must split them below the
/// kernel's 64 KiB per send (54 of 1200 B) instead of failing with EMSGSIZE.
#[test]
fn bridge_forwards_a_burst_of_full_size_datagrams() {
    let lab = lab!();
    two_lans(&lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let mut b = bridge(&lab, "hb", &[ga, gb, "--format", "json"]);
    let n = "5000";
    let mut rx = listen(
        &lab,
        "h4",
        "b0",
        "239.2.3.1",
        &[gb, "-f", "count", "-c", n, "-t", "15s"],
    );
    send(&lab, "h1", &[ga, "--seq", "-c", n, "--size", "1200"]);
    let o = finish(&mut rx);
    let stats = final_stats(&mut b, libc::SIGTERM);
    assert_eq!(counter(&stats, 0, "dropped.send-error"), 0, "{stats}");
    assert_eq!(counter(&stats, 0, "out"), 5000, "{stats}");
    assert_code(&o, 0);
    assert!(stderr(&o).contains("--- 5000 datagrams"), "{}", stderr(&o));
}

/// The group and port are rewritten: LAN B gets 239.9.9.9:7000 and nothing
/// on 239.2.3.1:6969.
#[test]
fn bridge_rewrites_group_and_port() {
    let lab = lab!();
    two_lans(&lab);
    let _b = bridge(&lab, "hb", &["239.2.3.1:6969@a0", "239.9.9.9:7000@b0"]);
    let new = ["239.9.9.9:7000@b0", "-f", "json"];
    let mut rx_new = listen(&lab, "h4", "b0", "239.9.9.9", &new);
    let old = ["239.2.3.1:6969@b0", "-f", "json"];
    let mut rx_old = listen(&lab, "h4", "b0", "239.2.3.1", &old);
    send(
        &lab,
        "h1",
        &["239.2.3.1:6969@a0", "--seq", "-c", "5", "moved"],
    );
    let (jn, jo) = (gather(&mut rx_new, 5), gather(&mut rx_old, 0));
    assert_eq!(seqs(&jn, "moved"), [0, 1, 2, 3, 4], "{:?}", texts(&jn));
    for d in &jn.datagrams {
        assert_eq!(d["group"], "239.9.9.9", "{d}");
        assert_eq!(d["port"], 7000, "{d}");
    }
    assert!(jo.datagrams.is_empty(), "old group on B: {:?}", texts(&jo));
}

/// Multicast on A, unicast through router r, multicast on B: bridge 1 (on
/// A and r's left net) sends to bridge 2 (on r's right net and B), whose only
/// way to be reached is through r.
#[test]
fn bridge_multicast_over_unicast_across_a_router() {
    let lab = lab!();
    lab.lan("la");
    lab.lan("lb");
    for h in ["h1", "hb1", "hb2", "h4"] {
        lab.host(h);
    }
    lab.router("r");
    plug(&lab, "h1", "la", "a0", 1, 1);
    plug(&lab, "hb1", "la", "a0", 1, 2);
    plug(&lab, "hb2", "lb", "b0", 2, 2);
    plug(&lab, "h4", "lb", "b0", 2, 4);
    lab.mcast_route("h1", "a0");
    lab.mcast_route("h4", "b0");
    let left = ("hb1", "u0", "10.77.3.2/24", "");
    lab.link(left, ("r", "l0", "10.77.3.254/24", ""));
    let right = ("r", "r0", "10.77.4.254/24", "");
    lab.link(right, ("hb2", "u0", "10.77.4.2/24", ""));
    lab.ip("hb1", "route add 10.77.4.0/24 via 10.77.3.254");
    lab.ip("hb2", "route add 10.77.3.0/24 via 10.77.4.254");

    let mut b2 = bridge(
        &lab,
        "hb2",
        &["udp-listen:7000", "239.2.3.5:6969@b0", "-f", "json", "-v"],
    );
    let args = ["239.2.3.5:6969@a0", "udp:10.77.4.2:7000", "-f", "json"];
    let mut b1 = bridge(&lab, "hb1", &args);
    let gb = ["239.2.3.5:6969@b0", "-f", "json"];
    let mut rx = listen(&lab, "h4", "b0", "239.2.3.5", &gb);
    send(
        &lab,
        "h1",
        &["239.2.3.5:6969@a0", "--seq", "-c", "5", "tunnelled"],
    );
    let j = gather(&mut rx, 5);
    // Sent with TTL 64, one router on the way: -v logs each arrival.
    wait_for(&b2, "ttl=63", 5);
    let (s1, s2) = (
        final_stats(&mut b1, libc::SIGTERM),
        final_stats(&mut b2, libc::SIGTERM),
    );
    assert_eq!(
        seqs(&j, "tunnelled"),
        [0, 1, 2, 3, 4],
        "{:?}\nbridge 1: {s1}\nbridge 2: {s2}",
        texts(&j)
    );
    for d in &j.datagrams {
        assert!(d["src"].as_str().unwrap().starts_with("10.77.2.2:"), "{d}");
    }
    assert_eq!(counter(&s1, 0, "out"), 5, "{s1}");
    assert_eq!(counter(&s2, 0, "in"), 5, "{s2}");
    assert_eq!(counter(&s2, 0, "out"), 5, "{s2}");
}

/// Three LANs in a ring of bridges A→B→C→A: a datagram sent on A is
/// bridged once onto B, once onto C and once back onto A, where the A→B
/// bridge recognises it (duplicate) and the storm ends.
#[test]
fn bridge_ring_of_three_does_not_storm() {
    let lab = lab!();
    for lan in ["la", "lb", "lc"] {
        lab.lan(lan);
    }
    for h in ["h1", "hab", "hbc", "hca", "ra", "rb", "rc"] {
        lab.host(h);
    }
    plug(&lab, "h1", "la", "a0", 1, 1);
    plug(&lab, "hab", "la", "a0", 1, 2);
    plug(&lab, "hab", "lb", "b0", 2, 2);
    plug(&lab, "hbc", "lb", "b0", 2, 3);
    plug(&lab, "hbc", "lc", "c0", 3, 3);
    plug(&lab, "hca", "lc", "c0", 3, 4);
    plug(&lab, "hca", "la", "a0", 1, 4);
    plug(&lab, "ra", "la", "a0", 1, 9);
    plug(&lab, "rb", "lb", "b0", 2, 9);
    plug(&lab, "rc", "lc", "c0", 3, 9);
    let g = |i: &str| format!("239.2.3.1:6969@{i}");
    let mut bridges = [
        bridge(&lab, "hab", &[&g("a0"), &g("b0"), "-f", "json"]),
        bridge(&lab, "hbc", &[&g("b0"), &g("c0"), "-f", "json"]),
        bridge(&lab, "hca", &[&g("c0"), &g("a0"), "-f", "json"]),
    ];
    let rx: Vec<Proc> = [("ra", "a0"), ("rb", "b0"), ("rc", "c0")]
        .iter()
        .map(|(h, i)| listen(&lab, h, i, "239.2.3.1", &[&g(i), "-f", "json", "-t", "2s"]))
        .collect();
    send(&lab, "h1", &[&g("a0"), "--seq", "ring"]);
    let mut got = Vec::new();
    for mut p in rx {
        let o = finish(&mut p);
        assert_code(&o, 0);
        let j = json(&o);
        let srcs: Vec<String> = j
            .datagrams
            .iter()
            .map(|d| d["src"].as_str().unwrap().to_string())
            .collect();
        got.push((seqs(&j, "ring"), srcs));
    }
    let stats: Vec<Value> = bridges
        .iter_mut()
        .map(|b| final_stats(b, libc::SIGTERM))
        .collect();
    let all = format!("{got:?}\n{stats:#?}");
    // A: the original and one copy from hca; B and C: one copy each.
    assert_eq!(got[0].0, [0, 0], "{all}");
    assert!(got[0].1[0].starts_with("10.77.1.1:"), "{all}");
    assert!(got[0].1[1].starts_with("10.77.1.4:"), "{all}");
    assert_eq!(got[1].0, [0], "{all}");
    assert!(got[1].1[0].starts_with("10.77.2.2:"), "{all}");
    assert_eq!(got[2].0, [0], "{all}");
    assert!(got[2].1[0].starts_with("10.77.3.3:"), "{all}");
    let stopped: u64 = stats
        .iter()
        .map(|s| counter(s, 0, "dropped.duplicate") + counter(s, 0, "dropped.loop"))
        .sum();
    assert!(stopped >= 1, "{all}");
    // The A→B bridge saw it twice and forwarded it once.
    assert_eq!(counter(&stats[0], 0, "in"), 2, "{all}");
    assert_eq!(counter(&stats[0], 0, "out"), 1, "{all}");
    assert_eq!(counter(&stats[0], 0, "dropped.duplicate"), 1, "{all}");
}

/// `--decrement-ttl --ttl 8`: TTL 1 is dropped and counted, TTL 5 leaves
/// with 4, TTL 12 with 8 (the configured cap).
#[test]
fn bridge_decrement_ttl() {
    let lab = lab!();
    two_lans(&lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let args = [ga, gb, "--decrement-ttl", "--ttl", "8", "-f", "json"];
    let mut b = bridge(&lab, "hb", &args);
    let mut rx = listen(&lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    for (ttl, text) in [("1", "ttl1"), ("5", "ttl5"), ("12", "ttl12")] {
        send(&lab, "h1", &[ga, "--ttl", ttl, "--seq", "-c", "3", text]);
    }
    let j = gather(&mut rx, 6);
    let s = final_stats(&mut b, libc::SIGTERM);
    assert_eq!(seqs(&j, "ttl1"), [0u64; 0], "{:?}", texts(&j));
    assert_eq!(seqs(&j, "ttl5"), [0, 1, 2], "{:?}", texts(&j));
    assert_eq!(seqs(&j, "ttl12"), [0, 1, 2], "{:?}", texts(&j));
    for d in &j.datagrams {
        let want = if d["text"] == "ttl5" { 4 } else { 8 };
        assert_eq!(d["ttl"], want, "{d}");
    }
    assert_eq!(counter(&s, 0, "in"), 9, "{s}");
    assert_eq!(counter(&s, 0, "out"), 6, "{s}");
    assert_eq!(counter(&s, 0, "dropped.ttl"), 3, "{s}");
}

/// `--max-rate 10` (a burst of 1): of 20 back-to-back datagrams about one
/// passes, the rest are counted as `rate` drops.
#[test]
fn bridge_max_rate_drops_and_counts() {
    let lab = lab!();
    two_lans(&lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let mut b = bridge(&lab, "hb", &[ga, gb, "--max-rate", "10", "-f", "json"]);
    let mut rx = listen(&lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    send(&lab, "h1", &[ga, "--seq", "-c", "20", "burst"]);
    let j = gather(&mut rx, 1);
    let s = final_stats(&mut b, libc::SIGTERM);
    let got = seqs(&j, "burst");
    let out = counter(&s, 0, "out");
    assert_eq!(counter(&s, 0, "in"), 20, "{s}");
    assert!((1..=3).contains(&out), "{s}");
    assert_eq!(got.len() as u64, out, "{got:?} {s}");
    assert_eq!(got[0], 0, "the first one passes: {got:?}");
    assert_eq!(counter(&s, 0, "dropped.rate"), 20 - out, "{s}");
}

/// `--allow-from 10.77.1.1/32`: h1's datagrams pass, h2's (10.77.1.3) are
/// counted as `filter` drops.
#[test]
fn bridge_allow_from_drops_and_counts() {
    let lab = lab!();
    two_lans(&lab);
    lab.host("h2");
    plug(&lab, "h2", "la", "a0", 1, 3);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let args = [ga, gb, "--allow-from", "10.77.1.1/32", "-f", "json"];
    let mut b = bridge(&lab, "hb", &args);
    let mut rx = listen(&lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    send(&lab, "h2", &[ga, "--seq", "-c", "3", "refused"]);
    send(&lab, "h1", &[ga, "--seq", "-c", "3", "allowed"]);
    let j = gather(&mut rx, 3);
    let s = final_stats(&mut b, libc::SIGTERM);
    assert_eq!(seqs(&j, "allowed"), [0, 1, 2], "{:?}", texts(&j));
    assert_eq!(seqs(&j, "refused"), [0u64; 0], "{:?}", texts(&j));
    assert_eq!(counter(&s, 0, "in"), 6, "{s}");
    assert_eq!(counter(&s, 0, "out"), 3, "{s}");
    assert_eq!(counter(&s, 0, "dropped.filter"), 3, "{s}");
}

/// Sends each payload from h1 to A through a bridge with `filter` args and
/// returns what B got and the bridge's statistics.
fn cot_filter(
    lab: &Lab,
    filter: &[&str],
    payloads: &[String],
    want: usize,
) -> (Vec<String>, Value) {
    two_lans(lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let mut b = bridge(lab, "hb", &[&[ga, gb, "-f", "json"][..], filter].concat());
    let mut rx = listen(lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    for p in payloads {
        send(lab, "h1", &[ga, p]);
    }
    let j = gather(&mut rx, want);
    (texts(&j), final_stats(&mut b, libc::SIGTERM))
}

/// `--cot-only`: CoT events pass; plain text and a broken event do not.
#[test]
fn bridge_cot_only_drops_and_counts() {
    let lab = lab!();
    let (ev1, ev2) = (event("cot-1", "a-f-G-U-C"), event("cot-2", "a-h-G"));
    let broken = ev1.replace("</event>", "");
    let payloads = [ev1.clone(), "plain text".into(), broken, ev2.clone()];
    let (got, s) = cot_filter(&lab, &["--cot-only"], &payloads, 2);
    assert_eq!(got, [ev1, ev2], "{s}");
    assert_eq!(counter(&s, 0, "in"), 4, "{s}");
    assert_eq!(counter(&s, 0, "dropped.filter"), 2, "{s}");
}

/// `--cot-type a-f-*`: only friendly events pass.
#[test]
fn bridge_cot_type_drops_and_counts() {
    let lab = lab!();
    let f1 = event("f-1", "a-f-G-U-C");
    let h1 = event("h-1", "a-h-G");
    let f2 = event("f-2", "a-f-A");
    let u1 = event("u-1", "a-u-S");
    let payloads = [f1.clone(), h1, "plain text".into(), f2.clone(), u1];
    let (got, s) = cot_filter(&lab, &["--cot-type", "a-f-*"], &payloads, 2);
    assert_eq!(got, [f1, f2], "{s}");
    assert_eq!(counter(&s, 0, "in"), 5, "{s}");
    assert_eq!(counter(&s, 0, "out"), 2, "{s}");
    assert_eq!(counter(&s, 0, "dropped.filter"), 3, "{s}");
}

/// Deletes the bridge host's `ifname` (on `lan`) while the bridge runs and
/// plugs a new one of that name in: traffic resumes without a restart.
fn iface_recreated(ifname: &str) {
    let lab = lab!();
    two_lans(&lab);
    let (ga, gb) = ("239.2.3.1:6969@a0", "239.2.3.1:6969@b0");
    let b = bridge(&lab, "hb", &[ga, gb]);
    let mut rx = listen(&lab, "h4", "b0", "239.2.3.1", &[gb, "-f", "json"]);
    send(&lab, "h1", &[ga, "--seq", "-c", "3", "before"]);
    wait_until(Duration::from_secs(5), || rx.stdout().lines().count() >= 3);
    lab.ip("hb", &format!("link del {ifname}"));
    wait_for(&b, "interface gone", 1);
    let (lan, net) = if ifname == "a0" { ("la", 1) } else { ("lb", 2) };
    plug(&lab, "hb", lan, ifname, net, 2);
    wait_for(&b, "re-joined", 1);
    lab.wait_joined("hb", "a0", "239.2.3.1");
    send(&lab, "h1", &[ga, "--seq", "-c", "3", "after"]);
    let j = gather(&mut rx, 6);
    let all = format!("{:?}\nbridge: {}", texts(&j), b.stderr());
    assert_eq!(seqs(&j, "before"), [0, 1, 2], "{all}");
    assert_eq!(seqs(&j, "after"), [0, 1, 2], "{all}");
    assert!(b.running(), "{all}");
}

#[test]
fn bridge_output_interface_deleted_and_recreated() {
    iface_recreated("b0");
}

#[test]
fn bridge_input_interface_deleted_and_recreated() {
    iface_recreated("a0");
}

/// A TAK server stand-in: `server.py PORT [HEX]` accepts one connection,
/// writes the bytes HEX to it, and prints what it reads as hex lines.
const SERVER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', int(sys.argv[1])))
s.listen(1)
print('listening', file=sys.stderr, flush=True)
c, a = s.accept()
print('accepted', a, file=sys.stderr, flush=True)
if len(sys.argv) > 2:
    c.sendall(bytes.fromhex(sys.argv[2]))
while True:
    d = c.recv(65536)
    if not d:
        break
    print(d.hex(), flush=True)
"#;

/// h1 and hb on LAN A; hb linked to the server host hs (10.77.5.2).
fn tcp_lab(lab: &Lab) {
    lab.lan("la");
    for h in ["h1", "hb", "hs"] {
        lab.host(h);
    }
    plug(lab, "h1", "la", "a0", 1, 1);
    plug(lab, "hb", "la", "a0", 1, 2);
    lab.mcast_route("h1", "a0");
    let hb = ("hb", "t0", "10.77.5.1/24", "");
    lab.link(hb, ("hs", "t0", "10.77.5.2/24", ""));
}

/// Starts the server in hs, writing `reply` to the bridge once connected.
fn server(lab: &Lab, reply: &[u8]) -> Proc {
    let hex: String = reply.iter().map(|b| format!("{b:02x}")).collect();
    let mut args = vec!["-c", SERVER, "8087"];
    if !reply.is_empty() {
        args.push(&hex);
    }
    let p = lab.spawn("hs", "python3", &args);
    wait_for(&p, "listening", 1);
    p
}

/// What the server has read so far.
fn received(p: &Proc) -> Vec<u8> {
    let hex: String = p.stdout().split_whitespace().collect();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Waits until the server has read `want` bytes (or more).
#[track_caller]
fn wait_received(p: &Proc, want: usize, b: &Proc) -> Vec<u8> {
    let ok = wait_until(Duration::from_secs(5), || received(p).len() >= want);
    let got = received(p);
    assert!(
        ok,
        "server got {} of {want} bytes: {:?}\nbridge: {}",
        got.len(),
        String::from_utf8_lossy(&got),
        b.stderr()
    );
    got
}

/// XML events, back to back and in order; the server is killed and
/// restarted, the bridge reconnects and later events reach the new server.
#[test]
fn bridge_tcp_xml_in_order_and_reconnects() {
    let lab = lab!();
    tcp_lab(&lab);
    let ga = "239.2.3.1:6969@a0";
    let mut s1 = server(&lab, b"");
    let b = bridge(&lab, "hb", &[ga, "tcp:10.77.5.2:8087"]);
    wait_for(&b, "connected", 1);
    let evs: Vec<String> = (0..5)
        .map(|i| event(&format!("tcp-{i}"), "a-f-G"))
        .collect();
    for e in &evs[..3] {
        send(&lab, "h1", &[ga, e]);
    }
    let first = evs[..3].concat();
    let got = wait_received(&s1, first.len(), &b);
    assert_eq!(String::from_utf8_lossy(&got), first);
    s1.stop();
    let s2 = server(&lab, b"");
    wait_for(&b, "connected", 2);
    for e in &evs[3..] {
        send(&lab, "h1", &[ga, e]);
    }
    let then = evs[3..].concat();
    let got = wait_received(&s2, then.len(), &b);
    assert_eq!(String::from_utf8_lossy(&got), then, "{}", b.stderr());
    assert!(
        b.stderr().contains("closed the connection"),
        "{}",
        b.stderr()
    );
}

/// `--tak-proto 1`: XML from the LAN goes out as `BF varint(len) protobuf`
/// frames, one per event, in order.
#[test]
fn bridge_tcp_tak_protocol_1_frames() {
    let lab = lab!();
    tcp_lab(&lab);
    let ga = "239.2.3.1:6969@a0";
    let s = server(&lab, b"");
    let b = bridge(&lab, "hb", &[ga, "tcp:10.77.5.2:8087", "--tak-proto", "1"]);
    wait_for(&b, "connected", 1);
    let uids = ["tak-0", "tak-1", "tak-2"];
    for u in uids {
        send(&lab, "h1", &[ga, &event(u, "a-f-G-U-C")]);
    }
    // Read frames until all three have come.
    let mut frames: Vec<Vec<u8>> = Vec::new();
    let complete = || {
        frames.clear();
        let data = received(&s);
        let mut rest = &data[..];
        while let [0xbf, tail @ ..] = rest {
            let (mut len, mut shift, mut i) = (0usize, 0, 0);
            while let Some(&b) = tail.get(i) {
                len |= usize::from(b & 0x7f) << shift;
                shift += 7;
                i += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
            let Some(body) = tail.get(i..i + len) else {
                return false;
            };
            frames.push(body.to_vec());
            rest = &tail[i + len..];
        }
        assert!(rest.is_empty(), "not a frame: {rest:02x?}");
        frames.len() >= 3
    };
    let ok = wait_until(Duration::from_secs(5), complete);
    assert!(ok, "frames {frames:02x?}\nbridge: {}", b.stderr());
    assert_eq!(frames.len(), 3);
    for (f, u) in frames.iter().zip(uids) {
        let text = String::from_utf8_lossy(f);
        assert!(text.contains(u), "{u} not in {text:?}");
        assert!(text.contains("a-f-G-U-C"), "{text:?}");
        assert!(!text.contains("<event"), "protobuf, not XML: {text:?}");
    }
}

/// `--both-ways`: events the server writes reach the LAN, and the LAN's
/// events still reach the server.
#[test]
fn bridge_tcp_both_ways() {
    let lab = lab!();
    tcp_lab(&lab);
    let ga = "239.2.3.1:6969@a0";
    let mut rx = listen(&lab, "h1", "a0", "239.2.3.1", &[ga, "-f", "json"]);
    let (r1, r2) = (event("srv-1", "a-f-G"), event("srv-2", "a-h-G"));
    let s = server(&lab, format!("{r1}{r2}").as_bytes());
    let b = bridge(&lab, "hb", &[ga, "tcp:10.77.5.2:8087", "--both-ways"]);
    wait_for(&b, "connected", 1);
    let up = event("lan-1", "a-f-G");
    send(&lab, "h1", &[ga, &up]);
    let got = wait_received(&s, up.len(), &b);
    assert_eq!(String::from_utf8_lossy(&got), up);
    let j = gather(&mut rx, 2);
    let from_hb: Vec<String> = j
        .datagrams
        .iter()
        .filter(|d| d["src"].as_str().unwrap().starts_with("10.77.1.2:"))
        .map(|d| d["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(from_hb, [r1, r2], "{}", b.stderr());
}

/// Bad endpoints and combinations: exit 2, a message naming the problem,
/// nothing on stdout, no panic.
#[test]
fn bridge_bad_input_exits_2() {
    let lab = lab!();
    two_lans(&lab);
    let g = "239.2.3.1:6969@a0";
    let table: &[(&[&str], &[&str])] = &[
        (&["239.2.3.1", g], &["missing port"]),
        (&[g, "239.2.3.1:abc@b0"], &["\"abc\"", "port"]),
        (&[g, "239.2.3.1:0@b0"], &["port 0"]),
        (
            &[g, "10.77.2.4:6969@b0"],
            &["not a multicast group", "udp:"],
        ),
        (&[g, "ff15::1:6969"], &["brackets"]),
        (&[g, "[ff15::1:6969"], &["]"]),
        (&[g, "239.2.3.1:6969@"], &["empty interface"]),
        (&[g, "udp:10.77.2.4"], &["missing port"]),
        (&[g, "udp:"], &["udp: needs HOST:PORT"]),
        (&[g, "tcp:10.77.2.4"], &["missing port", "tcp:HOST:PORT"]),
        (&[g, "tcp:"], &["tcp: needs HOST:PORT"]),
        (&[g, "tcp:[fe80::1:8087"], &["]"]),
        (&["udp-listen:99999", g], &["99999", "out of range"]),
        (&["udp-listen:", g], &["port"]),
        (&[g, "http://10.77.2.4:80"], &["unknown scheme \"http\""]),
        (
            &["foo:1:2", "239.2.3.1:6969@b0"],
            &["unknown scheme \"foo\""],
        ),
        (&[g, "udp://10.77.2.4:7000"], &["not URLs"]),
        (&[g, ""], &["empty link"]),
        (&[g], &["at least one TO"]),
        (&[g, g], &["is the input"]),
        (
            &[g, "239.2.3.1:6969@a0", "239.2.3.2:6969@b0"],
            &["is the input"],
        ),
        (&[g, "239.2.3.1:6969", "-i", "a0"], &["input's interface"]),
        (&[g, "udp-listen:7000"], &["cannot send", "udp:HOST:PORT"]),
        (
            &["udp:10.77.2.4:7000", g],
            &["cannot receive", "udp-listen:"],
        ),
        (
            &[g, "239.2.3.2:6969@b0", "239.2.3.2:6969@b0"],
            &["given twice"],
        ),
        (
            &[g, "239.2.3.2:6969@b0", "--cot-type", "a--f"],
            &["--cot-type"],
        ),
        (
            &[g, "239.2.3.2:6969@b0", "--tak-proto", "2"],
            &["--tak-proto"],
        ),
        (
            &[g, "239.2.3.2:6969@b0", "--allow-from", "10.77"],
            &["--allow-from"],
        ),
        (
            &[g, "239.2.3.2:6969@b0", "--max-rate", "fast"],
            &["--max-rate"],
        ),
        (&[g, "239.2.3.2:6969@b0", "--ttl", "256"], &["256"]),
    ];
    for (args, words) in table {
        let o = mcast(&lab, "hb", &[&["bridge"][..], args].concat());
        let err = stderr(&o);
        assert_code(&o, 2);
        assert_eq!(stdout(&o), "", "mcast bridge {args:?}");
        for w in *words {
            assert!(
                err.to_lowercase().contains(&w.to_lowercase()),
                "mcast bridge {args:?}: {w:?} missing from:\n{err}"
            );
        }
    }
}

/// `listen [G]:P@b0` must not report datagrams that arrive on a0, even when
/// another socket of the host joined G on a0: Linux's IPV6_MULTICAST_ALL=0
/// filters by group only, so mcast checks the arrival interface itself.
#[test]
fn listen_ipv6_ignores_the_group_on_other_interfaces() {
    let lab = lab!();
    two_lans(&lab);
    // Another program on hb holds ff15::77 on a0 (LAN A).
    let mut holder = lab.spawn("hb", MCAST, &["join", "ff15::77@a0"]);
    lab.wait_joined("hb", "a0", "ff15::77");
    let mut rx = listen(
        &lab,
        "hb",
        "b0",
        "ff15::77",
        &["[ff15::77]:6969@b0", "-f", "json", "-c", "1", "-t", "3s"],
    );
    send(&lab, "h1", &["[ff15::77]:6969@a0", "from-lan-a"]);
    std::thread::sleep(Duration::from_millis(300));
    send(&lab, "h4", &["[ff15::77]:6969@b0", "from-lan-b"]);
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let j = json(&o);
    assert_eq!(texts(&j), ["from-lan-b"], "{}", stdout(&o));
    assert_eq!(j.datagrams[0]["iface"], "b0");
    holder.stop();
}
