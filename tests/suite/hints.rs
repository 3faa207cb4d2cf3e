//! Part 5: hints that name the real fix, warnings for setups the kernel
//! accepts but that cannot work, and input that must not reach a terminal
//! or the kernel as given.

use crate::util::{lab, pair, wait_until, Lab};
use crate::{assert_code, code, mcast, stderr, stdout, MCAST};

fn err_of(o: &std::process::Output) -> String {
    stderr(o)
}

#[test]
fn privileged_port_hint_names_cap_net_bind_service() {
    let lab = pair!();
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", MCAST];
    let o = lab.run(
        "h2",
        "setpriv",
        &[
            &nobody[..],
            &["listen", "239.1.1.1:80@a0", "--timeout", "100ms"],
        ]
        .concat(),
    );
    assert_code(&o, 4);
    let e = err_of(&o);
    assert!(e.contains("CAP_NET_BIND_SERVICE"), "{e}");
    assert!(!e.contains("CAP_NET_RAW"), "{e}");
}

/// A host with one link and no multicast (or default) route.
fn no_route(lab: &Lab) {
    lab.host("h1");
    lab.host("h2");
    lab.link(
        ("h1", "a0", "10.77.0.1/24", ""),
        ("h2", "a0", "10.77.0.2/24", ""),
    );
}

#[test]
fn no_route_and_no_interface_says_so() {
    let lab = lab!();
    no_route(&lab);
    for args in [
        &["join", "239.2.3.1", "--duration", "100ms"][..],
        &["send", "239.2.3.1:5000", "x"][..],
    ] {
        let o = mcast(&lab, "h1", args);
        assert_code(&o, 3);
        let e = err_of(&o);
        assert!(
            e.contains("no interface was named") && e.contains("ip route add 224.0.0.0/4"),
            "{args:?}: {e}"
        );
        assert!(!e.contains("does not exist or is down"), "{e}");
    }
}

#[test]
fn a_down_interface_is_named_as_down() {
    let lab = pair!();
    lab.ip("h1", "link add d0 type veth peer name d1");
    lab.ip("h1", "-6 addr add fd79::1/64 dev d0 nodad");
    for args in [
        &["send", "239.1.1.1:5000@d0", "x"][..],
        &["send", "[ff15::1]:5000@d0", "x"][..],
    ] {
        let o = mcast(&lab, "h1", args);
        assert_ne!(code(&o), Some(0), "{args:?}");
        let e = err_of(&o);
        assert!(
            e.contains("d0 is DOWN") && e.contains("ip link set d0 up"),
            "{args:?}: {e}"
        );
        assert!(!e.contains("add a multicast route"), "{args:?}: {e}");
    }
    // Joins on a DOWN interface succeed in the kernel: warn.
    for args in [
        &["join", "239.1.1.1@d0", "--duration", "100ms"][..],
        &["listen", "239.1.1.1:5000@d0", "--timeout", "100ms"][..],
        &[
            "bridge",
            "239.1.1.1:5000@d0",
            "udp:10.77.0.2:6000",
            "--stats",
            "50ms",
        ][..],
    ] {
        let p = lab.spawn("h1", MCAST, args);
        assert!(
            wait_until(crate::END_WITHIN, || p.stderr().contains("d0 is DOWN")),
            "{args:?}: {}",
            p.stderr()
        );
    }
}

#[test]
fn warnings_for_what_the_kernel_accepts_but_cannot_work() {
    let lab = pair!();
    // No MULTICAST flag: the datagram leaves anyway.
    lab.ip("h1", "link set a0 multicast off");
    let o = mcast(&lab, "h1", &["send", "239.1.1.1:5000@a0", "x"]);
    assert_code(&o, 0);
    assert!(
        err_of(&o).contains("a0 lacks the MULTICAST flag"),
        "{}",
        err_of(&o)
    );
    lab.ip("h1", "link set a0 multicast on");
    // Link-local control groups.
    let o = mcast(&lab, "h1", &["join", "224.0.0.5@a0", "--duration", "50ms"]);
    assert_code(&o, 0);
    assert!(
        err_of(&o).contains("link-local control group"),
        "{}",
        err_of(&o)
    );
    // A payload larger than the MTU leaves fragmented.
    let o = mcast(&lab, "h1", &["send", "239.1.1.1:5000@a0", "--size", "2000"]);
    assert_code(&o, 0);
    assert!(
        err_of(&o).contains("exceeds the MTU of a0 (1500)"),
        "{}",
        err_of(&o)
    );
}

#[test]
fn broadcast_needs_broadcast_and_then_works() {
    let lab = pair!();
    let o = mcast(&lab, "h1", &["send", "10.77.0.255:5000", "x"]);
    assert_code(&o, 2);
    assert!(
        err_of(&o).contains("--broadcast") && err_of(&o).contains("broadcast address of a0"),
        "{}",
        err_of(&o)
    );
    // socat, the real peer, receives what `--broadcast` sends.
    let mut rx = lab.spawn("h2", "socat", &["-u", "UDP4-RECV:5000", "-"]);
    lab.wait_udp_bound("h2", 5000);
    let got = wait_until(crate::END_WITHIN, || {
        assert_code(
            &mcast(
                &lab,
                "h1",
                &["send", "10.77.0.255:5000", "bcast", "--broadcast"],
            ),
            0,
        );
        rx.stdout().contains("bcast")
    });
    let out = rx.stop();
    assert!(got, "socat got nothing: {}", stderr(&out));
}

#[test]
fn input_safety() {
    let lab = pair!();
    // Link-local unicast without a zone.
    let o = mcast(&lab, "h1", &["send", "[fe80::1]:5000", "hi"]);
    assert_code(&o, 2);
    assert!(err_of(&o).contains("link-local address"), "{}", err_of(&o));
    // clap's own messages echo arguments: no raw control characters.
    let o = mcast(
        &lab,
        "h1",
        &["send", "239.2.3.1:5000@a\x1b]0;pwned\x07", "hi"],
    );
    assert_code(&o, 2);
    let e = err_of(&o);
    assert!(!e.contains('\x1b') && !e.contains('\x07'), "{e:?}");
    let o = mcast(
        &lab,
        "h1",
        &["send", "239.2.3.1:5000", "--ttl", "x\u{202e}y"],
    );
    assert_code(&o, 2);
    assert!(!err_of(&o).contains('\u{202e}'), "{:?}", err_of(&o));
    // Negative numbers reach the range check.
    for (flag, v) in [("--speed", "-5"), ("--ce", "-1"), ("--le", "-1")] {
        let o = mcast(&lab, "h1", &["cot-gen", flag, v]);
        assert_code(&o, 2);
        assert!(
            err_of(&o).contains("must not be negative"),
            "{flag}: {}",
            err_of(&o)
        );
        assert!(
            !err_of(&o).contains("unexpected argument"),
            "{}",
            err_of(&o)
        );
    }
    assert_eq!(
        stdout(&mcast(
            &lab,
            "h1",
            &["cot-gen", "--lat", "-33.9", "--count", "1"]
        ))
        .lines()
        .count(),
        1
    );
}
