//! Interoperability with socat, both ways, IPv4 and IPv6.

use std::time::Duration;

use crate::util::{pair, wait_until};
use crate::{assert_code, finish, json, listen, payload, send};

#[test]
fn socat_sends_mcast_listens() {
    let lab = pair!();
    let args4 = ["239.1.1.1:5000@a0", "-c", "1", "-f", "json"];
    let mut rx4 = listen(&lab, "h2", "a0", "239.1.1.1", &args4);
    let args6 = ["[ff15::1]:5001@a0", "-c", "1", "-f", "json"];
    let mut rx6 = listen(&lab, "h2", "a0", "ff15::1", &args6);
    let to4 = "UDP4-DATAGRAM:239.1.1.1:5000,ip-multicast-if=10.77.0.1,ip-multicast-ttl=2";
    let o = lab.run_input("h1", "socat", &["-u", "-", to4], b"hello from socat\n");
    assert_code(&o, 0);
    // No interface option for IPv6: h1's multicast route picks a0.
    let o = lab.run_input(
        "h1",
        "socat",
        &["-u", "-", "UDP6-DATAGRAM:[ff15::1]:5001"],
        b"six\n",
    );
    assert_code(&o, 0);
    for (rx, src, ttl, text) in [
        (&mut rx4, "10.77.0.1:", 2, "hello from socat\n"),
        (&mut rx6, "[fd77::1]:", 1, "six\n"),
    ] {
        let o = finish(rx);
        assert_code(&o, 0);
        let j = json(&o);
        let d = &j.datagrams[0];
        assert_eq!(payload(d), text.as_bytes(), "{d}");
        assert!(d["src"].as_str().unwrap().starts_with(src), "{d}");
        assert_eq!(d["ttl"], ttl, "{d}");
        assert_eq!(d["iface"], "a0", "{d}");
    }
}

#[test]
fn mcast_sends_socat_listens() {
    let lab = pair!();
    let from4 = "UDP4-RECV:5000,ip-add-membership=239.1.1.1:a0";
    let mut rx4 = lab.spawn("h2", "socat", &["-u", from4, "-"]);
    let from6 = "UDP6-RECV:5001,ipv6-join-group=[ff15::1]:a0";
    let mut rx6 = lab.spawn("h2", "socat", &["-u", from6, "-"]);
    lab.wait_joined("h2", "a0", "239.1.1.1");
    lab.wait_joined("h2", "a0", "ff15::1");
    for (e, rx) in [
        ("239.1.1.1:5000@a0", &mut rx4),
        ("[ff15::1]:5001@a0", &mut rx6),
    ] {
        send(&lab, "h1", &[e, "text from mcast|"]);
        // Bytes that must pass untouched: NUL, 0xff, ESC, newline.
        send(&lab, "h1", &[e, "--hex", "00 ff 1b 0a"]);
        let done = || rx.stdout().ends_with('\n');
        assert!(
            wait_until(Duration::from_secs(5), done),
            "{e}: {:?}",
            rx.stdout()
        );
        let o = rx.stop();
        assert_eq!(o.stdout, b"text from mcast|\x00\xff\x1b\n", "{e}");
    }
}

/// Python's socket module sends datagrams around the receive slot's
/// 2048-byte first part and at the largest sizes of both families; each
/// arrives whole, byte for byte (patterned, so a misplaced part shows),
/// with its JSON `len`.
#[test]
fn python_datagrams_of_every_size_arrive_whole() {
    const PY: &str = r#"
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[3]))
else:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(sys.argv[3]))
for n in map(int, sys.argv[4].split(",")):
    s.sendto(bytes((i * 7 + n) % 251 for i in range(n)), (sys.argv[1], int(sys.argv[2])))
"#;
    let lab = pair!();
    for (group, ep, via, sizes) in [
        (
            "239.1.1.7",
            "239.1.1.7:5007@a0",
            "10.77.0.1",
            &[1usize, 2047, 2048, 2049, 4097, 9000, 65507][..],
        ),
        (
            "ff15::7",
            "[ff15::7]:5007@a0",
            "a0",
            &[2048, 2049, 65527][..],
        ),
    ] {
        let count = sizes.len().to_string();
        let mut rx = listen(
            &lab,
            "h2",
            "a0",
            group,
            &[ep, "-c", &count, "-f", "json", "-t", "10s"],
        );
        let list: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
        let o = lab.run(
            "h1",
            "python3",
            &["-c", PY, group, "5007", via, &list.join(",")],
        );
        assert_code(&o, 0);
        let o = finish(&mut rx);
        assert_code(&o, 0);
        let j = json(&o);
        assert_eq!(j.datagrams.len(), sizes.len(), "{group}");
        for (d, &n) in j.datagrams.iter().zip(sizes) {
            let want: Vec<u8> = (0..n).map(|i| ((i * 7 + n) % 251) as u8).collect();
            assert_eq!(d["len"], n, "{group}: {}", d["len"]);
            assert!(payload(d) == want, "{group}: datagram of {n} bytes differs");
            assert!(d.get("truncated").is_none(), "{d}");
        }
    }
}
