//! `join`: memberships in the kernel's tables while it runs and gone after
//! `--duration`; behind an IGMP/MLD-snooping bridge, traffic reaches the
//! joined host only while it is joined.

use std::time::{Duration, Instant};

use crate::util::{lab, pair, wait_until, Lab, Proc};
use crate::{assert_code, finish, stdout, three_on_a_lan, MCAST};

/// `ip maddr show dev IFNAME` in `host`.
fn maddr(lab: &Lab, host: &str, ifname: &str) -> String {
    stdout(&lab.run(host, "ip", &["maddr", "show", "dev", ifname]))
}

/// A file of `host`'s namespace (`/proc/net/*` are per namespace).
fn proc_net(lab: &Lab, host: &str, file: &str) -> String {
    stdout(&lab.run(host, "cat", &[&format!("/proc/net/{file}")]))
}

fn has_word(text: &str, word: &str) -> bool {
    text.split_whitespace().any(|w| w == word)
}

#[test]
fn join_holds_memberships_until_duration_ends() {
    let lab = pair!();
    let started = Instant::now();
    let args = [
        "join",
        "239.1.4.1@a0",
        "ff15::4:1@a0",
        "--duration",
        "1500ms",
    ];
    let mut join = lab.spawn("h2", MCAST, &args);
    lab.wait_joined("h2", "a0", "239.1.4.1");
    lab.wait_joined("h2", "a0", "ff15::4:1");
    let lines = || stdout_lines(&join).len() == 2;
    assert!(
        wait_until(Duration::from_secs(5), lines),
        "{}",
        join.stdout()
    );
    let index = index_of(&lab, "h2", "a0");
    assert_eq!(
        stdout_lines(&join),
        [
            format!("joined 239.1.4.1 on a0 (index {index}) [in /proc/net/igmp]"),
            format!("joined ff15::4:1 on a0 (index {index}) [in /proc/net/igmp6]"),
        ]
    );
    // /proc/net/igmp prints the group as the raw __be32 in host order.
    assert!(has_word(&proc_net(&lab, "h2", "igmp"), "010401EF"));
    let igmp6 = proc_net(&lab, "h2", "igmp6");
    assert!(
        igmp6
            .lines()
            .any(|l| l.contains(" a0 ") && l.contains("ff150000000000000000000000040001")),
        "{igmp6}"
    );
    assert!(join.running(), "ended before its duration");
    let o = finish(&mut join);
    assert_code(&o, 0);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let after = maddr(&lab, "h2", "a0");
    assert!(
        !has_word(&after, "239.1.4.1") && !has_word(&after, "ff15::4:1"),
        "{after}"
    );
    assert!(!has_word(&proc_net(&lab, "h2", "igmp"), "010401EF"));
}

#[test]
fn join_with_source_sets_the_kernel_source_filter() {
    let lab = pair!();
    let v4 = ["join", "232.1.1.1@a0", "--source", "10.77.0.1", "-d", "5s"];
    let mut j4 = lab.spawn("h2", MCAST, &v4);
    let v6 = ["join", "ff3e::1@a0", "--source", "fd77::1", "-d", "5s"];
    let mut j6 = lab.spawn("h2", MCAST, &v6);
    lab.wait_joined("h2", "a0", "232.1.1.1");
    lab.wait_joined("h2", "a0", "ff3e::1");
    // Idx Device MCA SRC INC EXC, addresses in hex: (10.77.0.1, 232.1.1.1).
    let f4 = proc_net(&lab, "h2", "mcfilter");
    let row = |t: &str, g: &str, s: &str| {
        t.lines().any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() == 6 && w[1] == "a0" && w[2] == g && w[3] == s && w[4] == "1"
        })
    };
    assert!(row(&f4, "0xe8010101", "0x0a4d0001"), "{f4}");
    let f6 = proc_net(&lab, "h2", "mcfilter6");
    let (g6, s6) = (
        "ff3e0000000000000000000000000001",
        "fd770000000000000000000000000001",
    );
    assert!(row(&f6, g6, s6), "{f6}");
    let out = |p: &Proc| p.stdout();
    let ok = || out(&j4).contains("joined") && out(&j6).contains("joined");
    assert!(wait_until(Duration::from_secs(5), ok));
    assert!(
        out(&j4).starts_with("joined 232.1.1.1 on a0 (index ")
            && out(&j4).contains(" from source 10.77.0.1"),
        "{}",
        out(&j4)
    );
    assert!(out(&j6).contains(" from source fd77::1"), "{}", out(&j6));
    // SIGTERM ends a join cleanly too.
    for p in [&mut j4, &mut j6] {
        p.signal(libc::SIGTERM);
        assert_code(&finish(p), 0);
    }
    assert!(!row(
        &proc_net(&lab, "h2", "mcfilter"),
        "0xe8010101",
        "0x0a4d0001"
    ));
}

fn stdout_lines(p: &Proc) -> Vec<String> {
    p.stdout().lines().map(str::to_string).collect()
}

fn index_of(lab: &Lab, host: &str, ifname: &str) -> u64 {
    let o = lab.run(host, "ip", &["-j", "link", "show", ifname]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("ip -j link");
    v[0]["ifindex"].as_u64().expect("ifindex")
}

/// `count IFNAME PORT`: prints "ready", then a "." for every UDP frame to
/// PORT that reaches IFNAME (AF_PACKET: group membership does not filter).
const COUNT: &str = r#"
import socket, struct, sys
ifc, port = sys.argv[1], int(sys.argv[2])
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
raw.bind((ifc, 0))
print('ready', flush=True)
while True:
    f, a = raw.recvfrom(2000)
    if a[2] == socket.PACKET_OUTGOING:
        continue
    et = struct.unpack('!H', f[12:14])[0]
    if et == 0x0800 and f[23] == 17:
        o = 14 + (f[14] & 15) * 4
        p = struct.unpack('!H', f[o + 2:o + 4])[0]
    elif et == 0x86dd and f[20] == 17:
        p = struct.unpack('!H', f[56:58])[0]
    else:
        continue
    if p == port:
        print('.', flush=True)
"#;

fn frames(p: &Proc) -> usize {
    p.stdout().matches('.').count()
}

/// h1 sends to `group` every 20 ms through a snooping bridge with a querier;
/// frames reach h2 only while `mcast join` holds the group there, and
/// never h3.
fn snooping_follows_join(group: &str) {
    let lab = lab!();
    three_on_a_lan(&lab, true);
    let h2 = lab.spawn("h2", "python3", &["-c", COUNT, "a0", "5000"]);
    let h3 = lab.spawn("h3", "python3", &["-c", COUNT, "a0", "5000"]);
    for p in [&h2, &h3] {
        let ready = || p.stdout().contains("ready");
        assert!(wait_until(Duration::from_secs(10), ready), "{}", p.stderr());
    }
    let e = if group.contains(':') {
        format!("[{group}]:5000@a0")
    } else {
        format!("{group}:5000@a0")
    };
    let args = ["send", &e, "--interval", "20ms", "--count", "1000", "x"];
    let flood = lab.spawn("h1", MCAST, &args);
    // Not joined: the bridge keeps the group from h2.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(frames(&h2), 0, "h2 got frames before joining");

    let mut join = lab.spawn("h2", MCAST, &["join", &format!("{group}@a0"), "-d", "2s"]);
    let joined = || join.stdout().contains("joined");
    assert!(
        wait_until(Duration::from_secs(5), joined),
        "{}",
        join.stderr()
    );
    let flowing = || frames(&h2) >= 10;
    assert!(
        wait_until(Duration::from_secs(3), flowing),
        "joined h2 got {} frames",
        frames(&h2)
    );
    assert_code(&finish(&mut join), 0);

    // Left: the bridge stops forwarding after its last-member queries
    // (2 x 0.1 s). Wait until a whole second passes without a frame.
    let stopped = || {
        let before = frames(&h2);
        std::thread::sleep(Duration::from_secs(1));
        frames(&h2) == before
    };
    assert!(
        wait_until(Duration::from_secs(4), stopped),
        "frames still reach h2 after leaving: {}",
        frames(&h2)
    );
    assert!(flood.running(), "the sender stopped early: no proof");
    assert_eq!(frames(&h3), 0, "h3 never joined but got frames");
}

#[test]
fn snooping_bridge_forwards_ipv4_only_while_joined() {
    snooping_follows_join("239.1.1.1");
}

#[test]
fn snooping_bridge_forwards_ipv6_only_while_joined() {
    snooping_follows_join("ff15::1");
}
