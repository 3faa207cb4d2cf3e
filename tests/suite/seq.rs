//! `--seq` statistics: loss, duplicates and reordering, from a stream whose
//! faults are known exactly (crafted sequence headers) and from `send --seq`
//! through netem.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use crate::util::{pair, wait_until, Lab};
use crate::{assert_code, finish, json, listen, send, stderr, Json};

/// `craft GROUP PORT SEQ,SEQ,...`: one datagram per number, each starting
/// with mcast's sequence header (magic "MCS1", u64 BE number, u64 BE send
/// time in ns), then the text "crafted".
const CRAFT: &str = r#"
import socket, struct, sys, time
g, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ':' in g else socket.AF_INET, socket.SOCK_DGRAM)
for n in sys.argv[3].split(','):
    s.sendto(struct.pack('!4sQQ', b'MCS1', int(n), time.time_ns()) + b'crafted', (g, port))
"#;

/// What a listener should report for datagrams arriving in this order:
/// (first, last, lost, duplicates, reordered).
fn expected(seqs: &[u64]) -> (u64, u64, u64, u64, u64) {
    let (mut seen, mut highest) = (HashSet::new(), None::<u64>);
    let (mut dups, mut reordered) = (0, 0);
    for &s in seqs {
        if !seen.insert(s) {
            dups += 1;
        } else if highest.is_some_and(|h| s < h) {
            reordered += 1;
        }
        highest = highest.max(Some(s));
    }
    let first = *seen.iter().min().expect("some datagrams");
    let last = highest.expect("some datagrams");
    (
        first,
        last,
        last - first + 1 - seen.len() as u64,
        dups,
        reordered,
    )
}

/// Checks the summary's `seq` object against what the datagram lines show;
/// returns (lost, duplicates, reordered).
fn check_summary(j: &Json) -> (u64, u64, u64) {
    let seqs: Vec<u64> = j
        .datagrams
        .iter()
        .filter_map(|d| d["seq"].as_u64())
        .collect();
    let (first, last, lost, dups, reordered) = expected(&seqs);
    let streams = j.summary["streams"].as_array().expect("streams");
    let with_seq: Vec<&Value> = streams.iter().filter(|s| s.get("seq").is_some()).collect();
    assert_eq!(with_seq.len(), 1, "{}", j.summary);
    let (st, s) = (with_seq[0], &with_seq[0]["seq"]);
    assert_eq!(st["packets"], seqs.len(), "{st}");
    assert_eq!(s["first"], first, "{st}");
    assert_eq!(s["last"], last, "{st}");
    assert_eq!(s["lost"], lost, "{st}");
    assert_eq!(s["duplicates"], dups, "{st}");
    assert_eq!(s["reordered"], reordered, "{st}");
    (lost, dups, reordered)
}

/// 0..=99 with 10, 20-22 and 50 missing, 30 twice and 40 three times, 60
/// after 61 and 70 after 75: 5 lost, 3 duplicates, 2 reordered.
fn crafted(group: &str) {
    let lab = pair!();
    let mut seqs: Vec<u64> = Vec::new();
    for n in 0..100 {
        match n {
            10 | 20..=22 | 50 | 60 | 70 => {}
            30 => seqs.extend([30, 30]),
            40 => seqs.extend([40, 40, 40]),
            61 => seqs.extend([61, 60]),
            75 => seqs.extend([75, 70]),
            n => seqs.push(n),
        }
    }
    assert_eq!(seqs.len(), 98);
    let e = if group.contains(':') {
        format!("[{group}]:5000@a0")
    } else {
        format!("{group}:5000@a0")
    };
    let mut rx = listen(&lab, "h2", "a0", group, &[&e, "-c", "98", "-f", "json"]);
    let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
    let o = lab.run(
        "h1",
        "python3",
        &["-c", CRAFT, group, "5000", &list.join(",")],
    );
    assert_code(&o, 0);
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let j = json(&o);
    let got: Vec<u64> = j
        .datagrams
        .iter()
        .map(|d| d["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(got, seqs, "arrival order on a veth is send order");
    assert!(j.datagrams.iter().all(|d| d["text"] == "crafted"));
    assert_eq!(check_summary(&j), (5, 3, 2));
    let err = stderr(&o);
    assert!(
        err.contains("seq 0..99: 5 lost, 3 duplicate, 2 reordered"),
        "{err}"
    );
}

#[test]
fn seq_statistics_of_a_crafted_ipv4_stream() {
    crafted("239.1.1.1");
}

#[test]
fn seq_statistics_of_a_crafted_ipv6_stream() {
    crafted("ff15::1");
}

/// `send --seq` through netem (loss 10%, duplicate 5%) on the sender's
/// interface. Without the netem qdisc the crafted-stream tests above cover
/// the statistics; this one then says so and ends.
#[test]
fn seq_statistics_under_netem_loss_and_duplication() {
    let lab = pair!();
    if !netem(&lab, "h1", "a0") {
        let msg =
            "\n*** netem unavailable: seq_statistics_of_a_crafted_* cover loss statistics ***\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        return;
    }
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.9",
        &["239.1.1.9:5000@a0", "-f", "json"],
    );
    let args = ["239.1.1.9:5000@a0", "--seq", "-c", "1000", "--rate", "10k"];
    send(
        &lab,
        "h1",
        &[&args[..], &["--size", "64", "--no-gso"]].concat(),
    );
    // Faults off, then a marker that, once printed, follows every datagram.
    let o = lab.run("h1", "tc", &["qdisc", "del", "dev", "a0", "root"]);
    assert_code(&o, 0);
    send(&lab, "h1", &["239.1.1.9:5000@a0", "END"]);
    let end = || rx.stdout().contains(r#""text":"END""#);
    assert!(wait_until(Duration::from_secs(10), end), "{}", rx.stderr());
    rx.signal(libc::SIGTERM);
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let (lost, dups, _) = check_summary(&json(&o));
    // P(no loss) = 0.9^1000, P(no duplicate) = 0.95^1000: both ~0.
    assert!(lost > 0 && dups > 0, "lost {lost}, duplicates {dups}");
}

/// Adds a netem qdisc with loss and duplication; false if netem is missing.
fn netem(lab: &Lab, host: &str, ifname: &str) -> bool {
    let args = ["qdisc", "add", "dev", ifname, "root", "netem"];
    let o = lab.run(
        host,
        "tc",
        &[&args[..], &["loss", "10%", "duplicate", "5%"]].concat(),
    );
    o.status.success()
}

#[test]
fn send_seq_numbers_from_zero_with_latency() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "-c", "5", "-f", "json"],
    );
    send(
        &lab,
        "h1",
        &[
            "239.1.1.1:5000",
            "--seq",
            "-c",
            "5",
            "--interval",
            "1ms",
            "tick",
        ],
    );
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let j = json(&o);
    let seqs: Vec<u64> = j
        .datagrams
        .iter()
        .filter_map(|d| d["seq"].as_u64())
        .collect();
    assert_eq!(seqs, [0, 1, 2, 3, 4]);
    for d in &j.datagrams {
        assert_eq!(d["len"], 24, "20-byte header + 4: {d}");
        assert_eq!(d["text"], "tick", "text follows the header: {d}");
        assert!(d["latency_us"].as_f64().is_some(), "{d}");
    }
    assert_eq!(check_summary(&j), (0, 0, 0));
}
