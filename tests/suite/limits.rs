//! Kernel limits that are per socket: more memberships than one socket may
//! hold (`igmp_max_memberships`, 20) and more sources than one membership
//! may list (`igmp_max_msf`, 10) are spread over several sockets.

use crate::util::{lab, Lab};
use crate::{assert_code, finish, listen, mcast, stdout};

/// h1 and h2 joined by 24 veth pairs: h1 `v0`..`v23` (10.78.N.1) to h2
/// `w0`..`w23` (10.78.N.2).
fn many_links(lab: &Lab, n: u8) {
    lab.host("h1");
    lab.host("h2");
    for i in 0..n {
        let a = format!("10.78.{i}.1/24");
        let b = format!("10.78.{i}.2/24");
        lab.link(
            ("h1", &format!("v{i}"), &a, ""),
            ("h2", &format!("w{i}"), &b, ""),
        );
    }
}

#[test]
fn listen_and_bridge_on_24_interfaces() {
    let lab = lab!();
    many_links(&lab, 24);
    // 24 memberships: more than one socket may hold.
    let mut rx = listen(
        &lab,
        "h2",
        "w23",
        "239.1.1.1",
        &["239.1.1.1:5000", "--iface", "all", "-c", "2"],
    );
    for i in [0, 23] {
        let ep = format!("239.1.1.1:5000@v{i}");
        assert_code(&mcast(&lab, "h1", &["send", &ep, &format!("via-{i}")]), 0);
    }
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("via-0") && out.contains("via-23"), "{out}");
    // Each datagram once: no socket hears another's membership.
    assert_eq!(out.matches("via-").count(), 2, "{out}");

    // The bridge's input joins on all 24 too; its output is unicast.
    let _b = lab.spawn(
        "h2",
        crate::MCAST,
        &[
            "bridge",
            "239.1.1.2:5000",
            "udp:10.78.0.1:6000",
            "--iface",
            "all",
        ],
    );
    lab.wait_joined("h2", "w23", "239.1.1.2");
}

#[test]
fn ssm_with_22_sources_on_one_interface() {
    let lab = lab!();
    many_links(&lab, 1);
    // 22 sources on w0: the sender's address last, so it is in the third
    // socket's source list (10 + 10 + 2).
    let mut args = vec!["232.1.1.1:5000@w0".to_string()];
    for i in 1..=21 {
        args.push("--source".into());
        args.push(format!("10.99.0.{i}"));
    }
    args.push("--source".into());
    args.push("10.78.0.1".into());
    args.extend(["-c", "1"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut rx = listen(&lab, "h2", "w0", "232.1.1.1", &args);
    assert_code(&mcast(&lab, "h1", &["send", "232.1.1.1:5000@v0", "ssm"]), 0);
    let o = finish(&mut rx);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("ssm"));
}
