//! `mcast doctor`: one lab per cause, with exactly that fault injected,
//! and the doctor must name that cause and no other; a healthy lab where it
//! names none; the two-ended mode across a real multicast router
//! (smcroute). The traffic comes from Python's socket module, the way the
//! programs being diagnosed send it; the "programs" with a bad socket are
//! Python too.

use std::time::Duration;

use serde_json::Value;

use crate::util::{lab, pair, wait_until, Lab};
use crate::{assert_code, mcast, stdout};

const G: &str = "239.1.2.3";

/// Python's socket module sends N datagrams of SIZE bytes to GROUP:PORT
/// every INTERVAL seconds with TTL from the interface IFADDR (an address;
/// for IPv6 the interface name), multicast loopback off.
const PY_SEND: &str = r#"
import socket, sys, time
g, port, ifaddr, ttl, n, size, every = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
if ':' in g:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(ifaddr))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ifaddr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
for i in range(n):
    try:
        s.sendto(b'x' * size, (g, port))
    except OSError:
        pass
    time.sleep(every)
"#;

/// A receiving program with a given bind address and receive buffer that
/// joins GROUP on IFADDR and never reads.
const PY_APP: &str = r#"
import socket, sys, time
bind, port, group, ifaddr, rcvbuf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if rcvbuf:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
s.bind((bind, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(ifaddr))
time.sleep(60)
"#;

/// Starts the Python sender in `host`: 400 datagrams, 20 per second (20 s,
/// longer than any window here; the lab stops it).
fn py_send(lab: &Lab, host: &str, group: &str, ifaddr: &str, ttl: u8) -> crate::util::Proc {
    py_send_with(lab, host, group, ifaddr, ttl, 400, 16, 0.05)
}

#[allow(clippy::too_many_arguments)]
fn py_send_with(
    lab: &Lab,
    host: &str,
    group: &str,
    ifaddr: &str,
    ttl: u8,
    n: u32,
    size: usize,
    every: f64,
) -> crate::util::Proc {
    let (ttl, n, size, every) = (
        ttl.to_string(),
        n.to_string(),
        size.to_string(),
        every.to_string(),
    );
    lab.spawn(
        host,
        "python3",
        &[
            "-c", PY_SEND, group, "5000", ifaddr, &ttl, &n, &size, &every,
        ],
    )
}

/// What `doctor --format json` said.
struct Diagnosis {
    checks: Vec<Value>,
    verdict: Value,
    text: String,
}

impl Diagnosis {
    fn causes(&self) -> Vec<String> {
        self.verdict["causes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn check(&self, id: &str) -> &Value {
        self.checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}:\n{}", self.text))
    }

    /// Asserts the causes (the verdict's first) and the exit code that
    /// goes with them.
    #[track_caller]
    fn assert_causes(&self, want: &[&str]) {
        assert_eq!(self.causes(), want, "{}", self.text);
        assert_eq!(self.verdict["healthy"], want.is_empty(), "{}", self.text);
        if let Some(first) = want.first() {
            assert_eq!(self.verdict["cause"], *first, "{}", self.text);
            assert!(
                self.verdict["fix"].as_str().is_some_and(|f| !f.is_empty()),
                "{}",
                self.text
            );
        }
    }
}

fn parse(o: &std::process::Output, want_code: i32) -> Diagnosis {
    assert_code(o, want_code);
    let text = format!("{}\n{}", stdout(o), crate::stderr(o));
    let lines: Vec<Value> = stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (verdict, checks) = lines.split_last().expect("at least a verdict");
    assert_eq!(verdict["type"], "verdict", "{text}");
    Diagnosis {
        checks: checks.to_vec(),
        verdict: verdict.clone(),
        text,
    }
}

/// Runs `mcast doctor ARGS --format json` in `host`; exit 1 when `causes`.
fn doctor(lab: &Lab, host: &str, args: &[&str], causes: &[&str]) -> Diagnosis {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let d = parse(
        &mcast(lab, host, &all),
        if causes.is_empty() { 0 } else { 1 },
    );
    d.assert_causes(causes);
    d
}

/// The same as an unprivileged user (nobody, no capabilities).
fn doctor_unprivileged(lab: &Lab, host: &str, args: &[&str], causes: &[&str]) -> Diagnosis {
    let mut all = vec![
        "--reuid",
        "65534",
        "--regid",
        "65534",
        "--clear-groups",
        crate::MCAST,
        "doctor",
    ];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let d = parse(
        &lab.run(host, "setpriv", &all),
        if causes.is_empty() { 0 } else { 1 },
    );
    d.assert_causes(causes);
    d
}

/// Waits for the kernel to report carrier (RUNNING) on `dev`, which it
/// does after its link-watch delay: programs that look at interfaces
/// (smcroute, the doctor) see a fresh veth without it for a moment.
fn wait_carrier(lab: &Lab, host: &str, dev: &str) {
    let path = format!("/sys/class/net/{dev}/operstate");
    let up = || stdout(&lab.run(host, "cat", &[&path])).trim() == "up";
    assert!(
        wait_until(Duration::from_secs(5), up),
        "{dev} in {host} never got carrier"
    );
}

/// A second link between h1 (`x1`, 10.79.0.1) and h2 (`x0`, 10.79.0.2).
fn second_link(lab: &Lab) {
    lab.link(
        ("h1", "x1", "10.79.0.1/24", ""),
        ("h2", "x0", "10.79.0.2/24", ""),
    );
    wait_carrier(lab, "h2", "x0");
}

#[test]
fn healthy_lab_names_nothing_v4_v6_root_and_unprivileged() {
    let lab = pair!();
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let _tx6 = py_send(&lab, "h1", "ff15::1", "a0", 1);
    let d = doctor(&lab, "h2", &["239.1.2.3:5000@a0", "-d", "2s"], &[]);
    assert_eq!(d.check("delivery")["status"], "ok", "{}", d.text);
    assert_eq!(d.check("arrival")["status"], "ok");
    assert_eq!(d.check("reverse-path")["status"], "ok");
    // Root made the packet-level checks.
    assert_eq!(
        d.verdict["not_checked_without_root"],
        serde_json::json!([]),
        "{}",
        d.text
    );

    let d = doctor(&lab, "h2", &["[ff15::1]:5000@a0", "-d", "2s"], &[]);
    assert_eq!(d.check("delivery")["status"], "ok", "{}", d.text);

    // Without root: the same verdict, and it says what it could not check.
    let d = doctor_unprivileged(&lab, "h2", &["239.1.2.3:5000@a0", "-d", "2s"], &[]);
    let skipped = d.verdict["not_checked_without_root"].to_string();
    assert!(skipped.contains("querier"), "{}", d.text);
    assert_eq!(d.check("querier")["needs_root"], true, "{}", d.text);

    // The text form, for people.
    let o = mcast(&lab, "h2", &["doctor", "239.1.2.3:5000@a0", "-d", "1s"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("verdict: healthy"), "{}", stdout(&o));
}

#[test]
fn interface_down() {
    let lab = pair!();
    second_link(&lab);
    lab.ip("h2", "link set x0 down");
    let _tx = py_send(&lab, "h1", G, "10.79.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@x0", "-d", "2s"],
        &["interface-down"],
    );
    assert!(
        d.verdict["fix"]
            .as_str()
            .unwrap()
            .contains("ip link set x0 up"),
        "{}",
        d.text
    );
}

#[test]
fn interface_without_multicast_flag() {
    let lab = pair!();
    second_link(&lab);
    lab.ip("h2", "link set x0 multicast off");
    // Nothing arrives on it: the flag is the cause.
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@x0", "-d", "1s"],
        &["no-multicast-flag"],
    );
    assert!(d.verdict["fix"]
        .as_str()
        .unwrap()
        .contains("ip link set x0 multicast on"));
    // A veth delivers the group anyway: then it is only a note.
    let _tx = py_send(&lab, "h1", G, "10.79.0.1", 1);
    let d = doctor(&lab, "h2", &["239.1.2.3:5000@x0", "-d", "2s"], &[]);
    assert_eq!(d.check("interface")["status"], "note", "{}", d.text);
}

#[test]
fn no_route_for_the_group() {
    let lab = pair!();
    lab.ip("h2", "route del 224.0.0.0/4 dev a0");
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let d = doctor(&lab, "h2", &["239.1.2.3:5000", "-d", "2s"], &["no-route"]);
    assert!(
        d.verdict["fix"]
            .as_str()
            .unwrap()
            .contains("ip route add 224.0.0.0/4"),
        "{}",
        d.text
    );
}

#[test]
fn firewall_drop_named_by_rule_as_root_and_by_counters_without() {
    let lab = pair!();
    let nft = |args: &str| {
        let o = lab.run("h2", "sh", &["-c", &format!("nft {args}")]);
        assert!(o.status.success(), "nft {args}: {}", crate::util::show(&o));
    };
    nft("add table inet t");
    nft("'add chain inet t input { type filter hook input priority 0; policy accept; }'");
    nft("add rule inet t input ip daddr 239.1.2.3 udp dport 5000 drop");
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["firewall"],
    );
    let c = d.check("firewall");
    assert_eq!(c["evidence"], "direct", "{}", d.text);
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("ip daddr 239.1.2.3 udp dport 5000 drop"),
        "{}",
        d.text
    );

    let d = doctor_unprivileged(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["firewall"],
    );
    assert_eq!(d.check("firewall")["evidence"], "indirect", "{}", d.text);
    assert!(
        d.check("firewall")["summary"]
            .as_str()
            .unwrap()
            .contains("InMcastPkts"),
        "{}",
        d.text
    );
}

#[test]
fn joined_on_the_wrong_interface() {
    let lab = pair!();
    second_link(&lab);
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@x0", "-d", "2s"],
        &["wrong-interface"],
    );
    assert!(
        d.verdict["fix"]
            .as_str()
            .unwrap()
            .contains("239.1.2.3:5000@a0"),
        "{}",
        d.text
    );
}

#[test]
fn strict_reverse_path_filter() {
    let lab = pair!();
    second_link(&lab);
    // The route back to the sender leaves by x0, and rp_filter is strict.
    lab.ip("h2", "route add 10.77.0.1/32 via 10.79.0.1 dev x0");
    let o = lab.run(
        "h2",
        "sysctl",
        &[
            "-qw",
            "net.ipv4.conf.all.rp_filter=1",
            "net.ipv4.conf.a0.rp_filter=1",
        ],
    );
    assert!(o.status.success());
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    // Root: the packet socket learns the source, the kernel's route check
    // names the filter.
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["rp-filter"],
    );
    assert_eq!(d.check("reverse-path")["evidence"], "direct");
    assert!(
        d.verdict["summary"]
            .as_str()
            .unwrap()
            .contains("leaves by x0"),
        "{}",
        d.text
    );
    // Without root: the counter, then with --source the exact check.
    let d = doctor_unprivileged(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["rp-filter"],
    );
    assert_eq!(
        d.check("reverse-path")["evidence"],
        "indirect",
        "{}",
        d.text
    );
    let args = ["239.1.2.3:5000@a0", "-d", "2s", "--source", "10.77.0.1"];
    let d = doctor_unprivileged(&lab, "h2", &args, &["rp-filter"]);
    assert_eq!(d.check("reverse-path")["evidence"], "direct", "{}", d.text);
}

#[test]
fn two_nics_of_one_host_on_one_wire() {
    let lab = lab!();
    lab.host("h2");
    // A looped cable: x0 and x1 are both h2's.
    lab.link(
        ("h2", "x0", "10.79.0.1/24", ""),
        ("h2", "x1", "10.79.0.2/24", ""),
    );
    lab.mcast_route("h2", "x1");
    let _tx = py_send(&lab, "h2", G, "10.79.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@x1", "-d", "2s", "-s", "10.79.0.1"],
        &["accept-local"],
    );
    assert!(
        d.verdict["fix"]
            .as_str()
            .unwrap()
            .contains("accept_local=1"),
        "{}",
        d.text
    );
}

#[test]
fn snooping_switch_without_querier() {
    let lab = lab!();
    lab.host("h1");
    lab.host("h2");
    lab.lan_with_snooping("sw");
    lab.attach("h1", "sw", "a0", "10.77.0.1/24", "");
    lab.attach("h2", "sw", "a0", "10.77.0.2/24", "");
    lab.mcast_route("h1", "a0");
    lab.mcast_route("h2", "a0");
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    // The lab's querier asks every second; call that the query interval.
    let args = ["239.1.2.3:5000@a0", "-d", "3s", "--query-interval", "2s"];
    let d = doctor(&lab, "h2", &args, &[]);
    assert_eq!(d.check("querier")["status"], "ok", "{}", d.text);
    // A v2 querier and a host forced to IGMPv3: its reports go unheard by
    // a v2-only switch.
    lab.ip("sw", "link set br0 type bridge mcast_igmp_version 2");
    let forced = ["-qw", "net.ipv4.conf.a0.force_igmp_version=3"];
    assert!(lab.run("h2", "sysctl", &forced).status.success());
    std::thread::sleep(Duration::from_millis(1500));
    let d = doctor(&lab, "h2", &args, &["igmp-version"]);
    assert!(
        d.verdict["summary"].as_str().unwrap().contains("IGMPv2"),
        "{}",
        d.text
    );
    let unforce = ["-qw", "net.ipv4.conf.a0.force_igmp_version=0"];
    assert!(lab.run("h2", "sysctl", &unforce).status.success());

    lab.ip("sw", "link set br0 type bridge mcast_querier 0");
    std::thread::sleep(Duration::from_millis(1500));
    let d = doctor(&lab, "h2", &args, &["no-querier"]);
    assert_eq!(d.check("delivery")["status"], "ok", "{}", d.text);
}

/// h1 (10.77.0.1) -- r (smcroute) -- h2 (10.78.0.2): the router forwards
/// 239.1.2.3 from h1 to h2 and from h2 to h1, decrementing the TTL.
fn routed(lab: &Lab) -> (crate::util::Proc, TempDir) {
    lab.host("h1");
    lab.host("h2");
    lab.router("r");
    lab.link(
        ("h1", "a0", "10.77.0.1/24", ""),
        ("r", "a0", "10.77.0.254/24", ""),
    );
    lab.link(
        ("r", "b0", "10.78.0.254/24", ""),
        ("h2", "b0", "10.78.0.2/24", ""),
    );
    lab.ip("h1", "route add default via 10.77.0.254");
    lab.ip("h2", "route add default via 10.78.0.254");
    lab.mcast_route("h1", "a0");
    lab.mcast_route("h2", "b0");
    let guard = TempDir(std::env::temp_dir().join(lab.ns("smcroute")));
    std::fs::create_dir_all(&guard.0).unwrap();
    let dir = &guard.0;
    let conf = dir.join("smcroute.conf");
    std::fs::write(
        &conf,
        "phyint a0 enable\nphyint b0 enable\n\
         mroute from a0 source 10.77.0.1 group 239.1.2.3 to b0\n\
         mroute from a0 source 10.77.0.1 group 239.1.2.234 to b0\n\
         mroute from b0 source 10.78.0.2 group 239.1.2.3 to a0\n",
    )
    .unwrap();
    let (c, s, p) = (
        conf.display().to_string(),
        dir.join("sock").display().to_string(),
        dir.join("pid").display().to_string(),
    );
    for (host, dev) in [("r", "a0"), ("r", "b0"), ("h2", "b0")] {
        wait_carrier(lab, host, dev);
    }
    let d = lab.spawn(
        "r",
        "smcrouted",
        &["-n", "-N", "-f", &c, "-u", &s, "-P", &p, "-l", "info"],
    );
    let routes = || {
        let o = lab.run("r", "cat", &["/proc/net/ip_mr_cache"]);
        stdout(&o).lines().count() >= 3
    };
    let ok = wait_until(Duration::from_secs(10), routes);
    assert!(ok, "smcroute installed no routes: {}", d.stderr());
    (d, guard)
}

/// A directory removed when dropped (smcroute's config, socket and pid).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn ttl_too_low_across_a_router_and_the_hop_count_two_ended() {
    let lab = lab!();
    let _router = routed(&lab);
    let args = ["239.1.2.3:5000@b0", "-d", "2s", "--source", "10.77.0.1"];
    {
        let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
        doctor(&lab, "h2", &args, &["ttl"]);
    }
    {
        let _tx = py_send(&lab, "h1", G, "10.77.0.1", 2);
        let d = doctor(&lab, "h2", &args, &[]);
        assert_eq!(d.check("delivery")["status"], "ok", "{}", d.text);
    }
    // Two-ended: the TTL ladder measures one hop each way, and since
    // nothing but probes arrives, TTL is named exactly.
    let _r = lab.spawn("h1", crate::MCAST, &["doctor", "--respond"]);
    lab.wait_udp_bound("h1", 4330);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@b0", "-d", "2s", "--peer", "10.77.0.1"],
        &["ttl"],
    );
    let m = d.check("peer-multicast");
    assert_eq!(m["evidence"], "direct");
    assert_eq!(m["data"]["min_ttl"], 2, "{}", d.text);
    assert_eq!(m["data"]["hops"], 1, "{}", d.text);
    assert_eq!(d.check("peer-return")["data"]["hops"], 1, "{}", d.text);
    assert_eq!(d.check("peer-unicast")["status"], "ok");
    assert!(
        d.verdict["fix"].as_str().unwrap().contains("--ttl 2"),
        "{}",
        d.text
    );
}

#[test]
fn two_ended_on_one_link_and_with_unicast_blocked() {
    let lab = pair!();
    let _r = lab.spawn("h1", crate::MCAST, &["doctor", "--respond", "4400"]);
    lab.wait_udp_bound("h1", 4400);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s", "--peer", "10.77.0.1:4400"],
        &[],
    );
    assert_eq!(d.check("peer-multicast")["data"]["hops"], 0, "{}", d.text);
    assert_eq!(d.check("peer-return")["status"], "ok", "{}", d.text);

    let o = lab.run("h1", "sh", &["-c", "nft add table inet t && nft 'add chain inet t input { type filter hook input priority 0; policy accept; }' && nft add rule inet t input udp dport 4400 drop"]);
    assert!(o.status.success(), "{}", crate::util::show(&o));
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "1s", "--peer", "10.77.0.1:4400"],
        &["unicast-unreachable"],
    );
    assert_eq!(d.check("peer-unicast")["status"], "problem", "{}", d.text);
}

#[test]
fn membership_limit() {
    let lab = pair!();
    let o = lab.run("h2", "sysctl", &["-qw", "net.ipv4.igmp_max_memberships=0"]);
    assert!(o.status.success());
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["membership-limit"],
    );
    assert!(
        d.verdict["fix"]
            .as_str()
            .unwrap()
            .contains("igmp_max_memberships"),
        "{}",
        d.text
    );
}

#[test]
fn receive_buffer_drops_of_a_slow_program() {
    let lab = pair!();
    // net.core.rmem_max is read-only in a network namespace (Linux 6.x), so
    // the tiny buffer is the program's own SO_RCVBUF, as a clamp makes it.
    let _app = lab.spawn(
        "h2",
        "python3",
        &["-c", PY_APP, "0.0.0.0", "5000", G, "10.77.0.2", "2048"],
    );
    lab.wait_joined("h2", "a0", G);
    let _tx = py_send_with(&lab, "h1", G, "10.77.0.1", 1, 2000, 1000, 0.002);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["receive-buffer"],
    );
    assert!(
        d.verdict["summary"]
            .as_str()
            .unwrap()
            .contains("python3 (pid"),
        "{}",
        d.text
    );
}

#[test]
fn program_bound_to_a_unicast_address() {
    let lab = pair!();
    let _app = lab.spawn(
        "h2",
        "python3",
        &["-c", PY_APP, "10.77.0.2", "5000", G, "10.77.0.2", "0"],
    );
    lab.wait_joined("h2", "a0", G);
    let _tx = py_send(&lab, "h1", G, "10.77.0.1", 1);
    let d = doctor(
        &lab,
        "h2",
        &["239.1.2.3:5000@a0", "-d", "2s"],
        &["unicast-bound-socket"],
    );
    let s = d.verdict["summary"].as_str().unwrap();
    assert!(
        s.contains("10.77.0.2:5000") && s.contains("python3 (pid"),
        "{}",
        d.text
    );
}

#[test]
fn usage_errors() {
    let lab = pair!();
    for (args, code) in [
        (&["doctor"][..], 2),
        (&["doctor", "10.0.0.1:5000"][..], 2),
        (&["doctor", "239.1.2.3:5000", "--iface", "a0,lo"][..], 2),
        (&["doctor", "239.1.2.3:5000", "--source", "fd77::1"][..], 2),
        (&["doctor", "239.1.2.3:5000", "-d", "0s"][..], 2),
        (
            &["doctor", "239.1.2.3:5000", "--peer", "host.example"][..],
            2,
        ),
        (&["doctor", "239.1.2.3:5000@nope0"][..], 3),
    ] {
        let o = mcast(&lab, "h2", args);
        assert_code(&o, code);
    }
}
