//! `listen --pcap` and `mcast replay`, checked by other programs: tshark
//! and `tcpdump -r` read mcast's captures; tcpdump's captures (and
//! mcast's) replay through `mcast replay` into a listener.

use std::time::Duration;

use serde_json::Value;

use crate::util::{pair, show, Lab};
use crate::{assert_code, finish, json, listen, mcast, stdout};

/// Python's socket module sends N datagrams to GROUP:5000 from IFADDR
/// with TTL, payload `dg-I`, sleeping GAPS[I % len] milliseconds between
/// them (uneven gaps make the timing checks mean something).
const PY_SEND: &str = r#"
import socket, sys, time
g, ifaddr, ttl, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
gaps = [int(x) for x in sys.argv[5].split(',')]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ifaddr))
for i in range(n):
    s.sendto(b'dg-%d' % i, (g, 5000))
    time.sleep(gaps[i % len(gaps)] / 1000)
"#;

fn py_send(lab: &Lab, host: &str, ifaddr: &str, ttl: u8, n: u32, gaps: &str) {
    let (ttl, n) = (ttl.to_string(), n.to_string());
    let o = lab.run(
        host,
        "python3",
        &["-c", PY_SEND, "239.1.2.3", ifaddr, &ttl, &n, gaps],
    );
    assert!(o.status.success(), "{}", show(&o));
}

fn tmp(lab: &Lab, name: &str) -> String {
    std::env::temp_dir()
        .join(format!("{}-{name}", lab.ns("cap")))
        .display()
        .to_string()
}

/// Removes the files made under a prefix when dropped.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let dir = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&self.0) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

fn cleanup(lab: &Lab) -> Cleanup {
    Cleanup(format!("{}-", lab.ns("cap")))
}

/// `tshark -r FILE -T fields -e ...` lines, split on tabs.
fn tshark(file: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["-r", file, "-T", "fields", "-o", "udp.check_checksum:TRUE"];
    for f in fields {
        args.extend_from_slice(&["-e", f]);
    }
    let o = std::process::Command::new("tshark")
        .args(&args)
        .output()
        .expect("tshark");
    assert!(o.status.success(), "tshark -r {file}: {}", show(&o));
    stdout(&o)
        .lines()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

/// Seconds (with the fraction) of an RFC 3339 time's time of day.
fn day_secs(t: &str) -> f64 {
    let clock = t.split('T').nth(1).unwrap().trim_end_matches('Z');
    let p: Vec<f64> = clock.split(':').map(|x| x.parse().unwrap()).collect();
    p[0] * 3600.0 + p[1] * 60.0 + p[2]
}

fn gaps(times: &[f64]) -> Vec<f64> {
    // Across midnight the day's seconds start again.
    times
        .windows(2)
        .map(|w| (w[1] - w[0]).rem_euclid(86400.0))
        .collect()
}

#[test]
fn tshark_and_tcpdump_read_what_listen_saw() {
    let lab = pair!();
    let _c = cleanup(&lab);
    lab.link(
        ("h1", "x1", "10.79.0.1/24", ""),
        ("h2", "x0", "10.79.0.2/24", ""),
    );
    let file = tmp(&lab, "listen.pcapng");
    let mut rx = listen(
        &lab,
        "h2",
        "x0",
        "239.1.2.3",
        &[
            "239.1.2.3:5000",
            "--iface",
            "a0,x0",
            "-c",
            "10",
            "-f",
            "json",
            "--pcap",
            &file,
        ],
    );
    lab.wait_joined("h2", "a0", "239.1.2.3");
    py_send(&lab, "h1", "10.77.0.1", 3, 5, "5");
    py_send(&lab, "h1", "10.79.0.1", 7, 5, "5");
    let o = finish(&mut rx);
    assert_code(&o, 0);
    let seen: Vec<Value> = json(&o).datagrams.clone();
    assert_eq!(seen.len(), 10);

    let rows = tshark(
        &file,
        &[
            "frame.interface_name",
            "ip.src",
            "ip.dst",
            "udp.dstport",
            "ip.ttl",
            "udp.checksum.status",
            "ip.checksum.status",
            "udp.payload",
        ],
    );
    assert_eq!(rows.len(), 10, "{rows:?}");
    for (d, r) in seen.iter().zip(&rows) {
        assert_eq!(d["iface"], r[0], "{r:?}");
        assert_eq!(d["src"].as_str().unwrap().split(':').next().unwrap(), r[1]);
        assert_eq!(d["group"], r[2]);
        assert_eq!(d["port"].to_string(), r[3]);
        assert_eq!(d["ttl"].to_string(), r[4]);
        assert_eq!(r[5], "1", "UDP checksum good: {r:?}");
        let hex: String = crate::payload(d)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, r[7]);
    }
    assert_eq!(
        rows.iter().filter(|r| r[0] == "a0" && r[4] == "3").count(),
        5
    );
    assert_eq!(
        rows.iter().filter(|r| r[0] == "x0" && r[4] == "7").count(),
        5
    );

    // libpcap (tcpdump) reads the two-interface pcapng too.
    let o = std::process::Command::new("tcpdump")
        .args(["-nn", "-v", "-r", &file])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let out = stdout(&o);
    assert_eq!(
        out.matches("> 239.1.2.3.5000: UDP, length 4").count(),
        10,
        "{out}"
    );
    assert_eq!(out.matches("ttl 7,").count(), 5, "{out}");

    // The classic-pcap layout keeps the interface index (Linux cooked v2).
    let file2 = tmp(&lab, "listen.pcap");
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.2.3",
        &[
            "239.1.2.3:5000@a0",
            "-c",
            "3",
            "-f",
            "count",
            "--pcap",
            &file2,
            "--pcap-format",
            "pcap",
        ],
    );
    py_send(&lab, "h1", "10.77.0.1", 2, 3, "5");
    assert_code(&finish(&mut rx), 0);
    let idx = stdout(&lab.run("h2", "cat", &["/sys/class/net/a0/ifindex"]))
        .trim()
        .to_string();
    let rows = tshark(
        &file2,
        &["sll.ifindex", "sll.pkttype", "ip.ttl", "udp.dstport"],
    );
    assert_eq!(
        rows,
        vec![vec![idx.clone(), "2".into(), "2".into(), "5000".into()]; 3]
    );
    let o = std::process::Command::new("tcpdump")
        .args(["-nn", "-r", &file2])
        .output()
        .unwrap();
    assert!(
        o.status.success() && stdout(&o).lines().count() == 3,
        "{}",
        show(&o)
    );
}

#[test]
fn capture_to_standard_output_feeds_tshark() {
    let lab = pair!();
    let sh = format!(
        "{} listen 239.1.2.3:5000@a0 -c 4 --pcap - | tshark -r - -T fields -e ip.ttl -e udp.payload",
        crate::MCAST
    );
    let p = lab.spawn("h2", "sh", &["-c", &sh]);
    lab.wait_joined("h2", "a0", "239.1.2.3");
    py_send(&lab, "h1", "10.77.0.1", 4, 4, "5");
    let mut p = p;
    let o = p
        .wait_timeout(Duration::from_secs(20))
        .expect("pipeline ended");
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(lines.len(), 4, "{}", show(&o));
    assert_eq!(
        lines[0],
        format!(
            "4\t{}",
            "dg-0"
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    );
}

#[test]
fn rotation_and_sigterm_leave_readable_files() {
    let lab = pair!();
    let _c = cleanup(&lab);
    let file = tmp(&lab, "rot.pcapng");
    // 4 kB files hold about 40 of these frames; keep the newest 3.
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.2.3",
        &[
            "239.1.2.3:5000@a0",
            "-c",
            "200",
            "-f",
            "count",
            "--pcap",
            &file,
            "--pcap-rotate",
            "4kB",
            "--pcap-keep",
            "3",
        ],
    );
    py_send(&lab, "h1", "10.77.0.1", 1, 200, "1");
    assert_code(&finish(&mut rx), 0);
    let prefix = format!("{}-rot-", lab.ns("cap"));
    let mut files: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    let last_no: u32 = files[2]
        .trim_start_matches(&prefix)
        .trim_end_matches(".pcapng")
        .parse()
        .unwrap();
    assert!(last_no >= 4, "{files:?}");
    for f in &files {
        let path = std::env::temp_dir().join(f).display().to_string();
        let rows = tshark(&path, &["udp.dstport"]);
        assert!(
            !rows.is_empty() && rows.iter().all(|r| r[0] == "5000"),
            "{f}: {rows:?}"
        );
    }

    // SIGTERM mid-capture: the file ends with whole blocks.
    let file = tmp(&lab, "term.pcapng");
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.2.3",
        &["239.1.2.3:5000@a0", "-f", "count", "--pcap", &file],
    );
    py_send(&lab, "h1", "10.77.0.1", 1, 25, "2");
    rx.signal(libc::SIGTERM);
    let o = rx
        .wait_timeout(Duration::from_secs(10))
        .expect("listen ended on SIGTERM");
    assert_code(&o, 0);
    assert_eq!(tshark(&file, &["udp.dstport"]).len(), 25);
    let o = std::process::Command::new("capinfos")
        .args(["-c", &file])
        .output()
        .unwrap();
    assert!(
        o.status.success() && stdout(&o).contains("25"),
        "{}",
        show(&o)
    );
}

/// Arrival times of a listener's datagrams, in seconds of the day.
fn arrival_times(o: &std::process::Output) -> Vec<f64> {
    json(o)
        .datagrams
        .iter()
        .map(|d| day_secs(d["time"].as_str().unwrap()))
        .collect()
}

/// A timing measurement: run alone (`cargo test -- --ignored
/// --test-threads=1`, which the README's test command and CI do), since the
/// other tests' load on the same cores delays sends by milliseconds.
#[test]
#[ignore = "timing: runs alone, in the README's second test command"]
fn tcpdump_capture_replays_with_the_original_timing() {
    let lab = pair!();
    let _c = cleanup(&lab);
    let file = tmp(&lab, "td.pcap");
    let td = lab.spawn(
        "h2",
        "tcpdump",
        &[
            "-i",
            "a0",
            "--immediate-mode",
            "-U",
            "-w",
            &file,
            "udp port 5000",
        ],
    );
    let started = || td.stderr().contains("listening on");
    assert!(
        crate::util::wait_until(Duration::from_secs(10), started),
        "{}",
        td.stderr()
    );
    // Gaps of 10 to 80 ms.
    py_send(&lab, "h1", "10.77.0.1", 2, 20, "10,40,80,20,60");
    std::thread::sleep(Duration::from_millis(300));
    let mut td = td;
    td.signal(libc::SIGINT);
    assert!(
        td.wait_timeout(Duration::from_secs(5)).is_some(),
        "tcpdump ended"
    );
    let orig: Vec<f64> = tshark(&file, &["frame.time_epoch"])
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(orig.len(), 20, "tcpdump captured the 20 datagrams");
    let want = gaps(&orig);

    // Other work on the machine (the kernel still deleting the suite's
    // namespaces, for one) can still delay a send or its receive timestamp
    // by milliseconds: a disturbed run is tried again, five times at most,
    // after a pause.
    for speed in ["1", "10"] {
        let s: f64 = speed.parse().unwrap();
        let mut worst = Vec::new();
        for attempt in 0..5 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            let mut rx = listen(
                &lab,
                "h2",
                "a0",
                "239.9.9.9",
                &["239.9.9.9:6000@a0", "-c", "20", "-f", "json", "-t", "15s"],
            );
            let o = mcast(
                &lab,
                "h1",
                &["replay", &file, "239.9.9.9:6000@a0", "--speed", speed],
            );
            assert_code(&o, 0);
            let got = finish(&mut rx);
            assert_code(&got, 0);
            let texts = crate::texts(&json(&got));
            let expect: Vec<String> = (0..20).map(|i| format!("dg-{i}")).collect();
            assert_eq!(texts, expect, "same payloads, same order");
            let errs: Vec<f64> = gaps(&arrival_times(&got))
                .iter()
                .zip(&want)
                .map(|(g, w)| (g - w / s).abs())
                .collect();
            let err = errs.iter().copied().fold(0.0f64, f64::max);
            eprintln!(
                "speed {speed}: inter-arrival errors {errs:?}\n{}",
                crate::stderr(&o)
            );
            worst.push(err);
            if err < 0.001 {
                break;
            }
        }
        assert!(
            worst.last().is_some_and(|e| *e < 0.001),
            "speed {speed}: largest inter-arrival error per attempt {worst:?} s (bound 1 ms)"
        );
    }
}

#[test]
fn replayed_cot_is_fresh_with_cot_retime() {
    let lab = pair!();
    let _c = cleanup(&lab);
    let file = tmp(&lab, "cot.pcapng");
    // Events made in 2020: stale long before today. XML and TAK v1.
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.2.3.1",
        &[
            "239.2.3.1:6969@a0",
            "-c",
            "6",
            "-f",
            "count",
            "--pcap",
            &file,
        ],
    );
    for format in ["xml", "tak"] {
        let o = mcast(
            &lab,
            "h1",
            &[
                "cot-gen",
                "--count",
                "3",
                "--interval",
                "10ms",
                "--time",
                "2020-01-01T00:00:00Z",
                "--format",
                format,
                "--send",
                "239.2.3.1:6969@a0",
            ],
        );
        assert_code(&o, 0);
    }
    assert_code(&finish(&mut rx), 0);

    let strict = |retime: bool| {
        let mut rx = listen(
            &lab,
            "h2",
            "a0",
            "239.2.3.1",
            &[
                "239.2.3.1:6969@a0",
                "-c",
                "6",
                "-f",
                "json",
                "--cot-strict",
                "-t",
                "10s",
            ],
        );
        let mut args = vec!["replay", file.as_str(), "--speed", "10"];
        if retime {
            args.push("--cot-retime");
        }
        assert_code(&mcast(&lab, "h1", &args), 0);
        let o = finish(&mut rx);
        assert_code(&o, 0);
        json(&o)
            .datagrams
            .iter()
            .map(|d| {
                assert!(d["cot"].is_object(), "{d}");
                d["cot"]["strict"].to_string()
            })
            .collect::<Vec<_>>()
    };
    let old = strict(false);
    assert_eq!(old.len(), 6);
    assert!(old.iter().all(|s| s.contains("on arrival")), "{old:?}");
    let fresh = strict(true);
    assert_eq!(fresh.len(), 6);
    assert!(fresh.iter().all(|s| !s.contains("stale")), "{fresh:?}");
}

#[test]
fn replay_filters_maps_and_loops() {
    let lab = pair!();
    let _c = cleanup(&lab);
    let file = tmp(&lab, "two.pcapng");
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.2.3",
        &[
            "239.1.2.3:5000@a0",
            "239.1.2.4:5000@a0",
            "-c",
            "6",
            "-f",
            "count",
            "--pcap",
            &file,
        ],
    );
    lab.wait_joined("h2", "a0", "239.1.2.4");
    assert_code(
        &mcast(
            &lab,
            "h1",
            &["send", "239.1.2.3:5000@a0", "--count", "3", "three"],
        ),
        0,
    );
    assert_code(
        &mcast(
            &lab,
            "h1",
            &["send", "239.1.2.4:5000@a0", "--count", "3", "four"],
        ),
        0,
    );
    assert_code(&finish(&mut rx), 0);

    // Only 239.1.2.4, mapped to 239.9.9.9:6000, twice, flat out.
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.9.9.9",
        &["239.9.9.9:6000@a0", "-c", "6", "-f", "json", "-t", "10s"],
    );
    let o = mcast(
        &lab,
        "h1",
        &[
            "replay",
            &file,
            "--group",
            "239.1.2.4",
            "--map",
            "239.1.2.4:5000=239.9.9.9:6000@a0",
            "--loop",
            "2",
            "--flat-out",
            "--ttl",
            "5",
        ],
    );
    assert_code(&o, 0);
    let got = finish(&mut rx);
    assert_code(&got, 0);
    let j = json(&got);
    assert_eq!(crate::texts(&j), vec!["four"; 6]);
    assert!(j.datagrams.iter().all(|d| d["ttl"] == 5));
    assert!(
        crate::stderr(&o).contains("replayed 6 datagrams"),
        "{}",
        show(&o)
    );

    // Errors: not a capture, --loop on standard input, a bad map.
    let o = mcast(&lab, "h1", &["replay", "/etc/hostname"]);
    assert!(code_is(&o, &[3, 5]), "{}", show(&o));
    assert!(
        crate::stderr(&o).contains("not a pcap or pcapng file"),
        "{}",
        show(&o)
    );
    assert_code(&mcast(&lab, "h1", &["replay", "-", "--loop", "2"]), 2);
    assert_code(
        &mcast(&lab, "h1", &["replay", &file, "--map", "nonsense"]),
        2,
    );
}

fn code_is(o: &std::process::Output, codes: &[i32]) -> bool {
    o.status.code().is_some_and(|c| codes.contains(&c))
}
