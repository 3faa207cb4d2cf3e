//! `send --wait-replies` with `listen --reply`.

use crate::util::{lab, pair};
use crate::{assert_code, finish, listen, mcast, stderr, stdout, three_on_a_lan};

/// `reply from ADDR:PORT rtt=X.XXXms len=N: TEXT` lines, sorted, as
/// (address, rtt in ms, len, text).
fn replies(out: &str) -> Vec<(String, f64, usize, String)> {
    let mut v: Vec<_> = out
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("reply from ")
                .unwrap_or_else(|| panic!("{l:?}"));
            let (head, text) = rest.split_once(": ").unwrap_or_else(|| panic!("{l:?}"));
            let w: Vec<&str> = head.split(' ').collect();
            assert_eq!(w.len(), 3, "{l:?}");
            let addr = w[0].rsplit_once(':').expect("ADDR:PORT").0.to_string();
            let rtt = w[1].strip_prefix("rtt=").and_then(|r| r.strip_suffix("ms"));
            let rtt: f64 = rtt
                .and_then(|r| r.parse().ok())
                .unwrap_or_else(|| panic!("{l:?}"));
            let len = w[2].strip_prefix("len=").and_then(|n| n.parse().ok());
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
