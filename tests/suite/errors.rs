//! Bad input, table-driven: usage errors exit 2 with a message that names
//! the problem, unknown interfaces exit 3 and list the real ones, nothing
//! panics. All run inside a lab host, so even a wrongly accepted command
//! could not send on the host's network.

use crate::util::{pair, Lab};
use crate::{assert_code, mcast, stderr, stdout};

/// Runs each `(args, words)` in h1 and checks exit `code`, an empty stdout,
/// and every word (case-insensitively) on stderr.
fn expect_all(lab: &Lab, code: i32, table: &[(&[&str], &[&str])]) {
    for (args, words) in table {
        let o = mcast(lab, "h1", args);
        let err = stderr(&o);
        assert_code(&o, code);
        assert_eq!(stdout(&o), "", "mcast {args:?}");
        for w in *words {
            assert!(
                err.to_lowercase().contains(&w.to_lowercase()),
                "mcast {args:?}: {w:?} missing from:\n{err}"
            );
        }
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let lab = pair!();
    let big = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mcast-70000-{}.bin", std::process::id()));
    std::fs::write(&big, vec![b'x'; 70_000]).unwrap();
    let big = big.to_str().unwrap().to_string();
    let table: &[(&[&str], &[&str])] = &[
        // Ports.
        (&["listen", "239.2.3.1"], &["missing port"]),
        (&["send", "239.2.3.1", "x"], &["missing port"]),
        (&["listen", "239.2.3.1:0"], &["port 0"]),
        (&["listen", "239.2.3.1:65536"], &["65536", "out of range"]),
        (&["listen", "239.2.3.1:-1"], &["\"-1\"", "port"]),
        (&["listen", "239.2.3.1:abc"], &["\"abc\"", "port"]),
        (
            &["send", "[ff15::1]:99999", "x"],
            &["99999", "out of range"],
        ),
        // Not a group.
        (&["listen", "10.77.0.2:6969"], &["not a multicast group"]),
        (
            &["listen", "255.255.255.255:6969"],
            &["not a multicast group", "broadcast"],
        ),
        (&["listen", "10.77.0.255:6969"], &["not a multicast group"]),
        (&["listen", "[fd77::2]:6969"], &["not a multicast group"]),
        (&["join", "10.77.0.2"], &["not a multicast group"]),
        (&["join", "255.255.255.255"], &["not a multicast group"]),
        (&["join", "0.0.0.0"], &["not a multicast group"]),
        // Malformed addresses.
        (
            &["listen", "0239.2.3.1:6969"],
            &["0239.2.3.1", "leading zero"],
        ),
        (
            &["listen", "239.2.3:6969"],
            &["239.2.3", "not an IPv4 address"],
        ),
        (
            &["listen", "300.1.1.1:6969"],
            &["300.1.1.1", "not an IPv4 address"],
        ),
        (&["send", "239.2.3.1.5:6969", "x"], &["not an IPv4 address"]),
        (&["listen", "ff02::1:6969"], &["brackets"]),
        (&["send", "ff15::1:6969", "x"], &["brackets"]),
        (&["listen", "[ff15::1:6969"], &["]"]),
        (&["listen", "[ff15::zz]:6969"], &["not an IPv6 address"]),
        // Interfaces.
        (&["listen", "[ff02::1]:6969"], &["link-local", "interface"]),
        (&["join", "ff02::1:3"], &["link-local"]),
        (&["listen", "239.2.3.1:6969@fd77::1"], &["IPv4", "IPv6"]),
        (&["listen", "[ff15::1]:6969@10.77.0.1"], &["IPv6", "IPv4"]),
        (
            &["send", "239.2.3.1:6969", "-i", "fd77::1", "x"],
            &["IPv4", "IPv6"],
        ),
        (&["listen", "239.2.3.1:6969@0"], &["index"]),
        (&["listen", "239.2.3.1:6969@"], &["empty interface"]),
        (
            &["listen", "239.2.3.1:6969@sixteen-chars-xx"],
            &["longer than 15"],
        ),
        // Sources.
        (
            &["listen", "232.1.1.1:5000", "--source", "fd77::1"],
            &["IPv6", "IPv4"],
        ),
        (
            &["listen", "232.1.1.1:5000", "--source", "239.1.1.1"],
            &["unicast"],
        ),
        (
            &["listen", "232.1.1.1:5000", "--source", "10.77.0"],
            &["--source"],
        ),
        // TTL and payloads.
        (
            &["send", "239.2.3.1:6969", "--ttl", "256", "x"],
            &["TTL", "256", "0-255"],
        ),
        (&["send", "239.2.3.1:6969", "--ttl", "-1", "x"], &["TTL"]),
        (
            &["send", "239.2.3.1:6969", "--size", "65508"],
            &["65508", "limit"],
        ),
        (&["send", "[ff15::1]:6969", "--size", "65528"], &["65528"]),
        (&["send", "239.2.3.1:6969", "--file", &big], &["limit"]),
        (
            &["send", "239.2.3.1:6969", "--size", "10", "--seq"],
            &["--seq", "20"],
        ),
        (&["send", "239.2.3.1:6969", "--hex", "zz"], &["hex"]),
        (&["send", "239.2.3.1:6969", "--hex", "abc"], &["hex", "odd"]),
        (&["send", "239.2.3.1:6969", "--tos", "0x100", "x"], &["TOS"]),
        (
            &["send", "239.2.3.1:6969", "--bind", "[::]:5000", "x"],
            &["--bind", "IPv4"],
        ),
        (
            &["send", "239.2.3.1:6969", "x", "--hex", "00"],
            &["cannot be used"],
        ),
        // Counts, durations, rates.
        (
            &["listen", "239.2.3.1:6969", "--count", "0"],
            &["count", "zero"],
        ),
        (&["listen", "239.2.3.1:6969", "--count", "-5"], &["count"]),
        (
            &["send", "239.2.3.1:6969", "--count", "0", "x"],
            &["count", "zero"],
        ),
        (
            &["listen", "239.2.3.1:6969", "--timeout", "-1s"],
            &["negative"],
        ),
        (
            &["listen", "239.2.3.1:6969", "--timeout", "100000h"],
            &["longer than a year"],
        ),
        (
            &["listen", "239.2.3.1:6969", "--timeout", "0"],
            &["greater than zero"],
        ),
        (
            &["listen", "239.2.3.1:6969", "--timeout", "5parsecs"],
            &["unit"],
        ),
        (&["join", "239.2.3.1", "--duration", "-1s"], &["negative"]),
        (
            &["send", "239.2.3.1:6969", "x", "--wait-replies", "-1s"],
            &["negative"],
        ),
        (&["send", "239.2.3.1:6969", "x", "--rate", "0"], &["rate"]),
        (
            &["send", "239.2.3.1:6969", "x", "--interval", "-10ms"],
            &["negative"],
        ),
        // Formats.
        (&["listen", "239.2.3.1:6969", "--format", "xml"], &["xml"]),
    ];
    expect_all(&lab, 2, table);
    let _ = std::fs::remove_file(&big);
}

#[test]
fn unknown_interface_exits_3_and_lists_the_real_ones() {
    let lab = pair!();
    let here: &[&str] = &["lo", "a0", "10.77.0.1", "fd77::1"];
    let table: &[(&[&str], &[&str])] = &[
        (&["listen", "239.2.3.1:6969@eth9"], &["eth9"]),
        (&["listen", "239.2.3.1:6969", "--iface", "eth9"], &["eth9"]),
        (&["listen", "[ff15::1]:6969", "--iface", "eth9"], &["eth9"]),
        (&["listen", "[ff02::1%eth9]:6969"], &["eth9"]),
        (&["send", "239.2.3.1:6969@eth9", "x"], &["eth9"]),
        (&["join", "239.2.3.1@eth9"], &["eth9"]),
        (&["listen", "239.2.3.1:6969@99"], &["99"]),
        (&["listen", "239.2.3.1:6969@10.99.0.1"], &["10.99.0.1"]),
    ];
    for (args, words) in table {
        let all = [*words, here].concat();
        expect_all(&lab, 3, &[(args, &all)]);
    }
    // The environment default is checked the same way.
    let mut cmd = lab.cmd("h1", crate::MCAST, &["listen", "239.2.3.1:6969"]);
    cmd.env("MCAST_IFACE", "eth9");
    let o = lab
        .spawn_cmd(cmd, None)
        .wait_timeout(crate::END_WITHIN)
        .expect("ends");
    assert_code(&o, 3);
    assert!(
        stderr(&o).contains("eth9") && stderr(&o).contains("a0"),
        "{}",
        stderr(&o)
    );
}

/// Usage errors are found before any IP socket exists (when strace is
/// installed to tell).
#[test]
fn usage_errors_open_no_socket() {
    let lab = pair!();
    if !lab.run("h1", "strace", &["-V"]).status.success() {
        let msg = "\n*** strace not installed: usage_errors_open_no_socket checks nothing ***\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
        return;
    }
    let cases: &[&[&str]] = &[
        &["listen", "[ff02::1]:6969"],
        &["listen", "239.2.3.1:6969", "--iface", "fd77::1"],
        &["listen", "232.1.1.1:6969", "--source", "fd77::1"],
        &["send", "239.2.3.1:6969", "--size", "65508"],
        &["send", "239.2.3.1:6969", "--bind", "[::]:5000", "x"],
        &["join", "ff02::1"],
    ];
    for args in cases {
        let traced = [&["-f", "-e", "trace=socket", crate::MCAST][..], args].concat();
        let o = lab.run("h1", "strace", &traced);
        assert_eq!(crate::code(&o), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        let inet = err
            .lines()
            .filter(|l| l.contains("socket(AF_INET"))
            .collect::<Vec<_>>();
        assert!(inet.is_empty(), "{args:?} opened {inet:?}");
    }
}
