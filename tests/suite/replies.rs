//! `send --wait-replies` with `listen --reply`.

use crate::util::{lab, pair};
use crate::{assert_code, finish, listen, mcast, stderr, stdout, three_on_a_lan};

/// `reply from ADDR:PORT seq=N|#N rtt=X.XXXms len=N: TEXT` lines, sorted,
/// as (address, rtt in ms, len, text).
fn replies(out: &str) -> Vec<(String, f64, usize, String)> {
    let mut v: Vec<_> = out
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("reply from ")
                .unwrap_or_else(|| panic!("{l:?}"));
            let (head, text) = rest.split_once(": ").unwrap_or_else(|| panic!("{l:?}"));
            let w: Vec<&str> = head.split(' ').collect();
            assert_eq!(w.len(), 4, "{l:?}");
            let addr = w[0].rsplit_once(':').expect("ADDR:PORT").0.to_string();
            assert!(w[1].starts_with("seq=") || w[1].starts_with('#'), "{l:?}");
            let rtt = w[2].strip_prefix("rtt=").and_then(|r| r.strip_suffix("ms"));
            let rtt: f64 = rtt
                .and_then(|r| r.parse().ok())
                .unwrap_or_else(|| panic!("{l:?}"));
            let len = w[3].strip_prefix("len=").and_then(|n| n.parse().ok());
            (
                addr,
                rtt,
                len.unwrap_or_else(|| panic!("{l:?}")),
                text.to_string(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn every_listener_replies_and_the_sender_prints_rtt() {
    let lab = lab!();
    three_on_a_lan(&lab, false);
    let mut rxs = Vec::new();
    for h in ["h2", "h3"] {
        let args = [
            "239.1.1.1:5000",
            "[ff15::1]:5000",
            "--reply",
            "ack",
            "-c",
            "3",
        ];
        rxs.push(listen(&lab, h, "a0", "ff15::1", &args));
    }
    let cases = [
        (
            &["239.1.1.1:5000", "ping"][..],
            ["10.77.0.2", "10.77.0.3"],
            3,
        ),
        (
            &["[ff15::1]:5000", "ping"][..],
            ["[fd77::2]", "[fd77::3]"],
            3,
        ),
        // The reply to a datagram with a sequence header starts with it.
        (
            &["239.1.1.1:5000", "--seq", "ping"][..],
            ["10.77.0.2", "10.77.0.3"],
            23,
        ),
    ];
    for (args, from, len) in cases {
        let args = [args, &["--wait-replies", "500ms"]].concat();
        let o = mcast(&lab, "h1", &[&["send"][..], &args].concat());
        assert_code(&o, 0);
        let got = replies(&stdout(&o));
        assert_eq!(got.len(), 2, "{args:?}: {}", stdout(&o));
        for ((addr, rtt, n, text), want) in got.iter().zip(from) {
            assert_eq!(addr, want);
            assert!(*rtt > 0.0 && *rtt < 500.0, "rtt {rtt}");
            assert_eq!(*n, len, "{args:?}");
            assert_eq!(text, "ack");
        }
    }
    for mut rx in rxs {
        let o = finish(&mut rx);
        assert_code(&o, 0);
        assert_eq!(stdout(&o).matches("  ping").count(), 3, "{}", stdout(&o));
    }
}

#[test]
fn wait_replies_exits_1_without_replies() {
    let lab = pair!();
    // A listener that receives but does not reply.
    let _rx = listen(&lab, "h2", "a0", "239.1.1.1", &["239.1.1.1:5000"]);
    let o = mcast(
        &lab,
        "h1",
        &["send", "239.1.1.1:5000", "ping", "--wait-replies", "300ms"],
    );
    assert_code(&o, 1);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no replies"), "{}", stderr(&o));
}

/// Round trips of the reply lines, in the order printed.
fn rtts(out: &str) -> Vec<f64> {
    replies(out).into_iter().map(|r| r.1).collect()
}

/// Part 5 #1: each reply is timed against its own datagram, read while
/// sending, not at read-out after the last one.
#[test]
fn wait_replies_times_each_reply_against_its_datagram() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "--reply", "ack", "-c", "3"],
    );
    let o = mcast(
        &lab,
        "h1",
        &[
            "send",
            "239.1.1.1:5000",
            "x",
            "--seq",
            "--count",
            "3",
            "--interval",
            "1s",
            "--wait-replies",
            "500ms",
        ],
    );
    assert_code(&o, 0);
    let r = rtts(&stdout(&o));
    assert_eq!(r.len(), 3, "{}", stdout(&o));
    // Real round trips are well under a millisecond here; read-out timing
    // gave 2000, 1000 and 0.3 ms.
    assert!(r.iter().all(|&t| t < 100.0), "{r:?}");
    let err = stderr(&o);
    assert!(
        err.contains("3 datagrams sent, 3 replies received, 3 answered, 0.0% without reply"),
        "{err}"
    );
    assert!(err.contains("rtt min/avg/max = "), "{err}");
    finish(&mut rx);
}

/// A receiver written the classic way in Python (recvfrom, then sendto on
/// the same socket), acknowledging each datagram 300 ms after it arrived;
/// no sequence header, so replies are matched by order.
const SLOW_ACKER: &str = r#"
import socket, struct, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("239.1.1.1", 5000))
mreq = struct.pack("4s4s", socket.inet_aton("239.1.1.1"), socket.inet_aton("10.77.0.2"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
print("ready", flush=True)
timers = []
for _ in range(3):
    data, addr = s.recvfrom(65535)
    t = threading.Timer(0.3, s.sendto, (b"ack", addr))
    t.start()
    timers.append(t)
for t in timers:
    t.join()
"#;

#[test]
fn wait_replies_matches_by_order_without_seq() {
    let lab = pair!();
    let py = lab.spawn("h2", "python3", &["-c", SLOW_ACKER]);
    assert!(crate::util::wait_until(crate::END_WITHIN, || py
        .stdout()
        .contains("ready")));
    let o = mcast(
        &lab,
        "h1",
        &[
            "send",
            "239.1.1.1:5000",
            "x",
            "--count",
            "3",
            "--interval",
            "100ms",
            "--wait-replies",
            "1s",
        ],
    );
    assert_code(&o, 0);
    let r = rtts(&stdout(&o));
    assert_eq!(r.len(), 3, "{}", stdout(&o));
    // Each about 300 ms (read-out timing gave 0.1, 0.12 and 300 ms).
    assert!(r.iter().all(|&t| (290.0..450.0).contains(&t)), "{r:?}");
}

/// A sender written the classic way in Python: it accepts only replies
/// from the group's port, as a receiver that answers with `recvfrom` then
/// `sendto` on its listening socket sends them.
const PORT_CHECKING_SENDER: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.77.0.1"))
s.settimeout(3)
s.sendto(b"ping", ("239.1.1.1", 5000))
data, addr = s.recvfrom(65535)
print(addr[0], addr[1], data.decode())
"#;

#[test]
fn listen_replies_from_the_group_port() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "--reply", "ack", "-c", "1"],
    );
    let o = lab.run("h1", "python3", &["-c", PORT_CHECKING_SENDER]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o).trim(), "10.77.0.2 5000 ack");
    finish(&mut rx);
}
