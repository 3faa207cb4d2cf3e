//! Unit tests of the interface model, parsers and rendering.

use super::procfs::*;
use super::render::*;
use super::sys::*;
use super::*;
use crate::error::{exit_code, Exit};
use crate::term::escape as display_name;
use serde_json::{json, Value};

const UP_MC: u32 =
    (libc::IFF_UP | libc::IFF_RUNNING | libc::IFF_MULTICAST | libc::IFF_BROADCAST) as u32;
const LO: u32 = (libc::IFF_UP | libc::IFF_RUNNING | libc::IFF_LOOPBACK) as u32;

fn a(s: &str, prefix: u8) -> IfAddr {
    IfAddr::new(s.parse().unwrap(), prefix)
}

fn iface(index: u32, name: &str, flags: u32, addrs: Vec<IfAddr>) -> Interface {
    Interface {
        index,
        name: name.into(),
        flags: Flags(flags),
        mtu: 1500,
        addrs,
        default_v4: false,
        default_v6: false,
    }
}

fn sample() -> Vec<Interface> {
    vec![
        Interface {
            mtu: 65536,
            ..iface(1, "lo", LO, vec![a("127.0.0.1", 8), a("::1", 128)])
        },
        Interface {
            default_v4: true,
            ..iface(
                2,
                "eth0",
                UP_MC,
                vec![a("10.77.0.1", 24), a("fe80::1", 64), a("fd77::1", 64)],
            )
        },
        iface(3, "eth1", UP_MC, vec![a("10.88.0.1", 24), a("fe80::1", 64)]),
        iface(4, "dummy0", libc::IFF_BROADCAST as u32, vec![]),
    ]
}

fn spec(s: &str) -> IfaceSpec {
    s.parse().unwrap()
}

#[test]
fn flags_names_and_predicates() {
    let f = Flags(UP_MC | libc::IFF_LOWER_UP as u32);
    assert!(f.up() && f.running() && f.multicast() && f.broadcast());
    assert!(!f.loopback() && !f.pointopoint());
    assert_eq!(f.names(), ["UP", "RUNNING", "MULTICAST", "BROADCAST"]);
    assert_eq!(Flags(LO).names(), ["UP", "RUNNING", "LOOPBACK"]);
    assert!(Flags(libc::IFF_POINTOPOINT as u32).pointopoint());
    assert!(Flags(0).names().is_empty());
}

#[test]
fn scopes() {
    for (addr, scope) in [
        ("127.0.0.1", Scope::Host),
        ("127.255.0.9", Scope::Host),
        ("169.254.3.4", Scope::Link),
        ("10.0.0.1", Scope::Global),
        ("::1", Scope::Host),
        ("fe80::1", Scope::Link),
        ("febf::1", Scope::Link),
        ("fec0::1", Scope::Site),
        ("feff::1", Scope::Site),
        ("fd77::1", Scope::Global),
        ("2001:db8::1", Scope::Global),
    ] {
        assert_eq!(Scope::of(&addr.parse().unwrap()), scope, "{addr}");
    }
}

#[test]
fn prefix_from_netmask() {
    assert_eq!(
        prefix_len(Some("255.255.255.0".parse().unwrap()), Family::V4),
        24
    );
    assert_eq!(prefix_len(Some("0.0.0.0".parse().unwrap()), Family::V4), 0);
    assert_eq!(
        prefix_len(Some("ffff:ffff:ffff:ffff::".parse().unwrap()), Family::V6),
        64
    );
    assert_eq!(prefix_len(None, Family::V4), 32);
    assert_eq!(prefix_len(None, Family::V6), 128);
}

#[test]
fn entries_group_by_device_and_labels_fold_in() {
    let e = |name: &str, kind| RawEntry {
        name: name.into(),
        flags: UP_MC,
        kind,
    };
    let got = group_entries(vec![
        e("lo", RawKind::Link(1)),
        e("eth0", RawKind::Link(2)),
        e("dummy0", RawKind::Link(7)),
        e("eth0", RawKind::Addr(a("10.77.0.1", 24))),
        e("eth0:1", RawKind::Addr(a("10.77.9.1", 24))),
        e("eth0", RawKind::Addr(a("fe80::1", 64))),
        e("eth0", RawKind::Addr(a("fe80::1", 64))),
        e("tun9", RawKind::Other),
    ]);
    let names: Vec<&str> = got.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "dummy0", "tun9"]);
    assert_eq!(got[1].index, Some(2));
    assert_eq!(
        got[1].addrs,
        [a("10.77.0.1", 24), a("10.77.9.1", 24), a("fe80::1", 64)]
    );
    assert_eq!(got[2].index, Some(7));
    assert!(got[2].addrs.is_empty());
    assert_eq!(got[3].index, None);
}

/// Formats a group the way the kernel does on this host (%08X of the
/// __be32 read as a host-order u32).
fn kernel_hex(v4: Ipv4Addr) -> String {
    format!("{:08X}", u32::from_ne_bytes(v4.octets()))
}

#[test]
fn igmp_parses_devices_and_groups() {
    let text = format!(
        "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
         1\tlo        :     1      V3\n\
         \t\t\t\t{}     1 0:00000000\t\t0\n\
         2\teth0      :     2      V3\n\
         \t\t\t\t{}     2 1:00000123\t\t1\n\
         \t\t\t\t{}     1 0:00000000\t\t0\n",
        kernel_hex(Ipv4Addr::new(224, 0, 0, 1)),
        kernel_hex(Ipv4Addr::new(239, 2, 3, 1)),
        kernel_hex(Ipv4Addr::new(224, 0, 0, 1)),
    );
    let got = parse_proc_igmp(&text);
    let want = [
        (1, "lo", "224.0.0.1", 1),
        (2, "eth0", "239.2.3.1", 2),
        (2, "eth0", "224.0.0.1", 1),
    ];
    assert_eq!(got.len(), want.len());
    for (m, (index, name, group, users)) in got.iter().zip(want) {
        assert_eq!(
            (m.index, m.iface.as_str(), m.group, m.users),
            (index, name, group.parse().unwrap(), users)
        );
    }
}

#[cfg(target_endian = "little")]
#[test]
fn igmp_literal_little_endian_sample() {
    // Verbatim from an x86-64 kernel: the bytes of the group appear reversed.
    let text = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
                1\tlo        :     1      V3\n\
                \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                2\teth0      :     2      V3\n\
                \t\t\t\tFB0000E0     1 0:00000000\t\t0\n\
                \t\t\t\t010000E0     1 0:00000000\t\t0\n";
    let groups: Vec<String> = parse_proc_igmp(text)
        .iter()
        .map(|m| format!("{}@{}", m.group, m.iface))
        .collect();
    assert_eq!(
        groups,
        ["224.0.0.1@lo", "224.0.0.251@eth0", "224.0.0.1@eth0"]
    );
}

#[test]
fn igmp_skips_malformed_lines() {
    let text = "\t\t\t\t010000E0     1 0:00000000\t\t0\n\
                garbage\n\
                x\teth0 : 1 V3\n\
                \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                3\teth1      :     4      V2\n\
                \t\t\t\t+10000E0     1 0:00000000\t\t0\n\
                \t\t\t\t10000E0     1 0:00000000\t\t0\n\
                \t\t\t\tGG0000E0     1 0:00000000\t\t0\n\
                \t\t\t\t010000E0     -1 0:00000000\t\t0\n\
                \t\t\t\t010000E0\n\
                \t\t\t\t\n\
                4\t          :     1      V3\n\
                \t\t\t\t010000E0     1 0:00000000\t\t0\n\
                3\teth1      :     4      V2\n\
                \t\t\t\t010000E0     3 0:00000000\t\t0\n";
    let got = parse_proc_igmp(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].index, got[0].iface.as_str(), got[0].users),
        (3, "eth1", 3)
    );
    assert!(parse_proc_igmp("").is_empty());
}

#[test]
fn igmp6_parses_and_skips_malformed_lines() {
    let text = "1    lo              ff020000000000000000000000000001     1 0000000C 0\n\
                2    eth0            ff0200000000000000000001ff000002     3 00000004 0\n\
                2    eth0            ff15000000000000000000000000abcd     1 00000004 0\n\
                x    eth0            ff020000000000000000000000000001     1 0000000C 0\n\
                2    eth0            ff02000000000000000000000000001     1 0000000C 0\n\
                2    eth0            ff02::1     1 0000000C 0\n\
                2    eth0            ff020000000000000000000000000001\n\
                2    eth0            ff020000000000000000000000000001   -1 0000000C 0\n\
                \n\
                nonsense\n";
    let got = parse_proc_igmp6(text);
    let want = [
        (1, "lo", "ff02::1", 1),
        (2, "eth0", "ff02::1:ff00:2", 3),
        (2, "eth0", "ff15::abcd", 1),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (m, (index, name, group, users)) in got.iter().zip(want) {
        assert_eq!(
            (m.index, m.iface.as_str(), m.group, m.users),
            (index, name, group.parse().unwrap(), users)
        );
    }
}

#[test]
fn default_routes_v4() {
    // Real layout: tab-separated, lines padded with spaces to 127 bytes.
    let text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT       \n\
                eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0          \n\
                eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0          \n\
                wg0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n\
                eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
                *\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n\
                eth2\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n\
                eth3\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n\
                eth4\t00000000\t00000000\n\
                eth5\tzzzzzzzz\t00000000\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
    assert_eq!(parse_proc_route_default(text), ["eth0", "wg0"]);
    assert!(parse_proc_route_default("").is_empty());
}

#[test]
fn default_routes_v6() {
    let z = "00000000000000000000000000000000";
    let text = format!(
        "fd000000000000000000000000000000 40 {z} 00 {z} 00000100 00000001 00000000 00000001     eth0\n\
         {z} 00 {z} 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n\
         00000000000000000000000000000001 80 {z} 00 {z} 00000000 00000002 00000000 80200001       lo\n\
         {z} 00 {z} 00 {z} ffffffff 00000001 00000000 00200200       lo\n\
         {z} 00 {z} 00 {z} 00000400 00000001 00000000 00000001     wg0\n\
         {z} 00 {z} 00 {z} 00000400 00000001 00000000 00000001\n\
         {z} 0 {z} 00 {z} 00000400 00000001 00000000 00000001     bad1\n\
         fe800000000000000000000000000000 00 {z} 00 {z} 00000400 00000001 00000000 00000001     bad2\n"
    );
    assert_eq!(parse_proc_ipv6_route_default(&text), ["eth0", "wg0"]);
    assert!(parse_proc_ipv6_route_default("junk\n").is_empty());
}

#[test]
fn resolve_by_name_index_and_address() {
    let ifs = sample();
    assert_eq!(resolve(&spec("eth0"), &ifs).unwrap().index, 2);
    assert_eq!(resolve(&spec("3"), &ifs).unwrap().name, "eth1");
    assert_eq!(resolve(&spec("10.88.0.1"), &ifs).unwrap().name, "eth1");
    assert_eq!(resolve(&spec("fd77::1"), &ifs).unwrap().name, "eth0");
    assert_eq!(resolve(&spec("dummy0"), &ifs).unwrap().index, 4);
}

#[test]
fn resolve_errors_list_the_interfaces() {
    let ifs = sample();
    let err = resolve(&spec("eth9"), &ifs).unwrap_err();
    assert_eq!(exit_code(&err), Exit::Unavailable);
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "no interface named \"eth9\"; interfaces here: lo (1: 127.0.0.1 ::1), eth0 (2: "
        ),
        "{msg}"
    );
    assert!(msg.ends_with("dummy0 (4)"), "{msg}");
    let msg = resolve(&spec("9"), &ifs).unwrap_err().to_string();
    assert!(
        msg.starts_with("no interface with index 9; interfaces here: lo (1"),
        "{msg}"
    );
    let msg = resolve(&spec("10.9.9.9"), &ifs).unwrap_err().to_string();
    assert!(
        msg.contains("no interface has the address 10.9.9.9")
            && msg.contains("eth1 (3: 10.88.0.1 fe80::1)"),
        "{msg}"
    );
    let msg = resolve(&spec("eth0"), &[]).unwrap_err().to_string();
    assert!(msg.ends_with("interfaces here: none"), "{msg}");
    // The same link-local address on two interfaces is ambiguous.
    let err = resolve(&spec("fe80::1"), &ifs).unwrap_err();
    assert_eq!(exit_code(&err), Exit::Usage);
    assert!(
        err.to_string().contains("several interfaces (eth0, eth1)"),
        "{err}"
    );
}

#[test]
fn select_expands_all_dedups_and_keeps_order() {
    let ifs = sample();
    let sel = |s: &[&str]| -> Vec<IfaceSelector> { s.iter().map(|x| x.parse().unwrap()).collect() };
    let idx = |v: Vec<&Interface>| -> Vec<u32> { v.iter().map(|i| i.index).collect() };
    assert_eq!(idx(select(&sel(&["all"]), &ifs).unwrap()), [2, 3]);
    assert_eq!(
        idx(select(&sel(&["eth1", "all", "2", "lo"]), &ifs).unwrap()),
        [3, 2, 1]
    );
    assert_eq!(
        idx(select(&sel(&["lo", "1", "127.0.0.1"]), &ifs).unwrap()),
        [1]
    );
    assert!(select(&[], &ifs).unwrap().is_empty());
    let err = select(&sel(&["eth0", "eth7"]), &ifs).unwrap_err();
    assert_eq!(exit_code(&err), Exit::Unavailable);
    // `all` with nothing UP+MULTICAST is an error naming what exists.
    let err = select(&sel(&["all"]), &ifs[..1]).unwrap_err();
    assert_eq!(exit_code(&err), Exit::Unavailable);
    assert!(
        err.to_string().contains("lo (UP,RUNNING,LOOPBACK)"),
        "{err}"
    );
    let down = [iface(5, "eth5", libc::IFF_MULTICAST as u32, vec![])];
    assert!(select(&sel(&["all"]), &down).is_err());
}

#[test]
fn interface_helpers() {
    let ifs = sample();
    assert_eq!(ifs[1].v4(), Some(Ipv4Addr::new(10, 77, 0, 1)));
    assert_eq!(ifs[1].v6(), Some("fe80::1".parse().unwrap()));
    assert_eq!(ifs[3].v4(), None);
    assert!(ifs[1].has_family(Family::V4) && ifs[1].has_family(Family::V6));
    assert!(!ifs[3].has_family(Family::V4));
    assert!(ifs[1].is_multicast_capable());
    assert!(!ifs[0].is_multicast_capable() && !ifs[3].is_multicast_capable());
}

fn groups() -> Vec<KernelGroup> {
    let m = |index, iface: &str, g: &str, users| KernelGroup {
        index,
        iface: iface.into(),
        group: g.parse().unwrap(),
        users,
    };
    vec![
        m(1, "lo", "224.0.0.1", 1),
        m(2, "eth0", "239.2.3.1", 2),
        m(2, "eth0", "ff02::1", 1),
        m(9, "gone", "224.0.0.1", 1),
    ]
}

#[test]
fn table_shows_columns_marks_and_groups() {
    let ifs = sample();
    let t = render_table(&ifs, None, false);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0],
        "IDX  NAME    MTU    DEFAULT  FLAGS                           ADDRESS       SCOPE"
    );
    assert_eq!(
        lines[1],
        "  1  lo      65536           UP,RUNNING,LOOPBACK             127.0.0.1/8   host"
    );
    assert_eq!(
        lines[2],
        "                                                             ::1/128       host"
    );
    assert_eq!(
        lines[3],
        "  2  eth0    1500   v4       UP,RUNNING,MULTICAST,BROADCAST  10.77.0.1/24  global"
    );
    assert_eq!(
        lines[4],
        "                                                             fe80::1/64    link"
    );
    assert_eq!(lines[8], "  4  dummy0  1500            BROADCAST");
    assert!(!t.contains('\x1b'));
    assert!(t.lines().all(|l| l == l.trim_end()));

    let g = groups();
    let t = render_table(&ifs, Some(&g), false);
    assert!(t.contains("\n       group 224.0.0.1\n"), "{t}");
    assert!(
        t.contains("       group 239.2.3.1 (2 users)\n       group ff02::1\n"),
        "{t}"
    );
    assert!(t.contains("(no groups)"));
    assert!(!t.contains("gone"));

    let colored = render_table(&ifs, Some(&g), true);
    assert!(colored.contains("\x1b[1mlo\x1b[0m"));
    // Colour changes nothing but the escape codes.
    let stripped = colored
        .replace(BOLD, "")
        .replace(DIM, "")
        .replace(GREEN, "")
        .replace(RESET, "");
    assert_eq!(stripped, t);
    assert_eq!(render_table(&[], None, false), "no interfaces\n");
}

#[test]
fn odd_names_are_escaped() {
    assert_eq!(display_name("eth0"), "eth0");
    assert_eq!(display_name("ev\x1b[31mil"), "ev\\x1b[31mil");
    assert_eq!(display_name("a\\b\u{7f}"), "a\\\\b\\x7f");
    assert_eq!(display_name("x\u{202e}y\u{200b}"), "x\\u{202e}y\\u{200b}");
    assert_eq!(display_name("wlп0"), "wlп0");
    let odd = [iface(7, "bad\x07\n", UP_MC, vec![])];
    let t = render_table(&odd, None, false);
    assert!(t.contains("bad\\x07\\x0a") && !t.contains('\x07'), "{t}");
    assert_eq!(t.lines().count(), 2);
    // Error messages are escaped where they are printed (Ctx::print_error).
    let err = display_name(&resolve(&spec("eth9"), &odd).unwrap_err().to_string());
    assert!(err.contains("bad\\x07\\x0a (7)"), "{err}");
}

#[test]
fn json_shape() {
    let ifs = sample();
    let v = to_json(&ifs, None);
    let eth0 = &v[1];
    assert_eq!(eth0["index"], 2);
    assert_eq!(eth0["name"], "eth0");
    assert_eq!(eth0["mtu"], 1500);
    assert_eq!(
        eth0["flags"],
        json!(["UP", "RUNNING", "MULTICAST", "BROADCAST"])
    );
    assert_eq!(
        eth0["addrs"][0],
        json!({"addr": "10.77.0.1", "prefix": 24, "family": "inet", "scope": "global"})
    );
    assert_eq!(
        eth0["addrs"][1],
        json!({"addr": "fe80::1", "prefix": 64, "family": "inet6", "scope": "link"})
    );
    assert_eq!(eth0["default_route"], json!({"v4": true, "v6": false}));
    assert!(eth0.get("groups").is_none());
    assert_eq!(v[3]["addrs"], json!([]));
    let g = groups();
    let v = to_json(&ifs, Some(&g));
    assert_eq!(v[1]["groups"], json!(["239.2.3.1", "ff02::1"]));
    assert_eq!(v[3]["groups"], json!([]));
}

#[test]
fn list_finds_loopback() {
    let ifs = list().expect("list interfaces");
    let lo = ifs.iter().find(|i| i.name == "lo").expect("lo is listed");
    assert_eq!(lo.index, 1);
    assert!(
        lo.flags.loopback() && lo.flags.up(),
        "{:?}",
        lo.flags.names()
    );
    assert!(lo.mtu > 0);
    assert!(
        ifs.windows(2).all(|w| w[0].index < w[1].index),
        "sorted by index"
    );
    assert_eq!(resolve(&IfaceSpec::Index(1), &ifs).unwrap().name, "lo");
}

#[test]
fn memberships_read_without_error() {
    // The host's groups are unknown; reading must succeed and agree on names.
    let ms = kernel_groups().expect("read memberships");
    let ifs = list().unwrap();
    for m in &ms {
        if let Some(i) = ifs.iter().find(|i| i.index == m.index) {
            assert_eq!(i.name, m.iface);
        }
        assert!(m.group.is_multicast(), "{m:?}");
    }
}

/// Compares `list()` with `ip -j addr` when iproute2 is installed.
#[test]
fn list_agrees_with_ip_json() {
    let Ok(out) = std::process::Command::new("ip")
        .args(["-j", "addr", "show"])
        .output()
    else {
        return; // no iproute2 here
    };
    if !out.status.success() {
        return;
    }
    // iproute2 prints control characters in names unescaped, which is
    // not JSON; there is nothing to compare with then.
    let Ok(ip) = serde_json::from_slice::<Value>(&out.stdout) else {
        return;
    };
    let ours = to_json(&list().unwrap(), None);
    let ours = ours.as_array().unwrap();
    let mut compared = 0;
    for theirs in ip.as_array().into_iter().flatten() {
        // Interfaces may come and go between the two snapshots.
        let Some(mine) = ours.iter().find(|o| o["index"] == theirs["ifindex"]) else {
            continue;
        };
        assert_eq!(mine["name"], theirs["ifname"]);
        assert_eq!(mine["mtu"], theirs["mtu"]);
        let want: Vec<(Value, Value)> = theirs["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["local"].clone(), a["prefixlen"].clone()))
            .collect();
        let got: Vec<(Value, Value)> = mine["addrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["addr"].clone(), a["prefix"].clone()))
            .collect();
        assert_eq!(got, want, "{}", theirs["ifname"]);
        compared += 1;
    }
    assert!(compared > 0, "no interface in common with ip -j addr");
}
