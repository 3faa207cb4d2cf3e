//! Interval statistics (`listen --stats`) and `mcast watch`: against
//! Python's socket module as the sender and inside a private tmux server
//! for the full screen.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::util::{pair, wait_until, Lab};
use crate::{assert_code, finish, listen, send, stderr, stdout, MCAST};

/// Python sends `n` datagrams of mcast's sequence format to 239.1.1.5:5005
/// every `gap` seconds, skipping the numbers in `skip` (lost on purpose).
const PY_SEQ: &str = r#"
import socket, struct, sys, time
n, gap, skip = int(sys.argv[1]), float(sys.argv[2]), set(map(int, filter(None, sys.argv[3].split(","))))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.77.0.1"))
for i in range(n):
    if i not in skip:
        s.sendto(b"MCS1" + struct.pack(">QQ", i, time.time_ns()) + b"py", ("239.1.1.5", 5005))
    time.sleep(gap)
"#;

fn py_seq(lab: &Lab, n: u32, gap: &str, skip: &str) {
    let o = lab.run("h1", "python3", &["-c", PY_SEQ, &n.to_string(), gap, skip]);
    assert_code(&o, 0);
}

/// Text interval lines on stderr add up to the summary, and the loss shows
/// in the interval where it happened; JSON records go to stdout.
#[test]
fn listen_stats_lines_match_the_summary() {
    let lab = pair!();
    let ep = "239.1.1.5:5005@a0";
    let mut text = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.5",
        &[ep, "-f", "count", "--stats", "200ms", "-c", "37"],
    );
    let mut js = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.5",
        &[ep, "-f", "json", "--stats", "200ms", "-c", "37"],
    );
    // 40 over ~1.2 s, three of them never sent.
    py_seq(&lab, 40, "0.03", "10,11,30");
    let o = finish(&mut text);
    assert_code(&o, 0);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with('[')).collect();
    assert!(lines.len() >= 3, "{err}");
    let field = |l: &str, after: &str| -> u64 {
        let i = l.find(after).unwrap_or_else(|| panic!("{after} in {l}")) + after.len();
        l[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let got: u64 = lines.iter().map(|l| field(l, ": ")).sum();
    let lost: u64 = lines.iter().map(|l| field(l, "lost ")).sum();
    assert!(
        lines
            .iter()
            .all(|l| l.contains("239.1.1.5:5005 from 10.77.0.1:") && l.contains(" on a0 ttl=1")),
        "{err}"
    );
    assert!(err.contains("--- 37 datagrams"), "{err}");
    assert_eq!(got, 37, "the lines add up to the summary: {err}");
    assert_eq!(
        lost, 3,
        "the gaps 10..11 and 30, each in its interval: {err}"
    );
    assert!(err.contains("3 lost, 0 duplicate, 0 reordered"), "{err}");

    let o = finish(&mut js);
    assert_code(&o, 0);
    let out = stdout(&o);
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let iv: Vec<&Value> = records.iter().filter_map(|r| r.get("interval")).collect();
    assert!(iv.len() >= 3, "{out}");
    assert!(
        iv.iter()
            .all(|r| r["group"] == "239.1.1.5" && r["iface"] == "a0"),
        "{out}"
    );
    let sum: u64 = iv.iter().map(|r| r["packets"].as_u64().unwrap()).sum();
    let datagrams = records.iter().filter(|r| r.get("seq").is_some()).count() as u64;
    assert_eq!(datagrams, 37, "{out}");
    assert_eq!(sum, 37, "{out}");
    assert!(
        iv.iter().any(|r| r["latency_ns"]["avg"].as_i64().is_some()),
        "{out}"
    );
}

/// Without a terminal `watch` says so and prints interval lines instead.
#[test]
fn watch_without_a_terminal_prints_interval_lines() {
    let lab = pair!();
    let p = lab.spawn(
        "h2",
        MCAST,
        &["watch", "239.1.1.5:5005@a0", "--stats", "200ms", "-t", "3s"],
    );
    lab.wait_joined("h2", "a0", "239.1.1.5");
    py_seq(&lab, 20, "0.02", "");
    let mut p = p;
    let o = finish(&mut p);
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(err.contains("no terminal to draw on"), "{err}");
    assert!(err.contains("] 239.1.1.5:5005 from 10.77.0.1:"), "{err}");
    assert!(err.contains("--- 20 datagrams"), "{err}");
}

/// A private tmux server (its own socket; the user's tmux is never
/// touched) whose pane runs a command in a lab namespace.
struct Tmux {
    sock: String,
}

impl Tmux {
    fn new(lab: &Lab) -> Tmux {
        let sock = std::env::temp_dir()
            .join(format!("{}-tmux", lab.ns("w")))
            .display()
            .to_string();
        Tmux { sock }
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-S", &self.sock])
            .args(args)
            .output()
            .expect("run tmux (apt-get install tmux)")
    }

    /// Starts `mcast watch GROUP:PORT@a0` in h2 in a pane of this server
    /// (NO_COLOR, 100×20), `after` run in the pane once it ends; waits until
    /// it joined and drew; returns its pid (the process this test started).
    fn start_watch(&self, lab: &Lab, group: &str, port: u16, after: &str) -> i32 {
        let pidf = std::env::temp_dir().join(format!("{}-{group}-pid", lab.ns("w")));
        let shell = format!(
            "ip netns exec {ns} sh -c 'echo $$ > {p}; exec env NO_COLOR=1 {MCAST} watch {group}:{port}@a0'; {after}",
            ns = lab.ns("h2"),
            p = pidf.display()
        );
        let o = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "w",
            "-x",
            "100",
            "-y",
            "20",
            &shell,
        ]);
        assert!(
            o.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        lab.wait_joined("h2", "a0", group);
        let drawn = || self.screen(false).contains("mcast watch");
        assert!(
            wait_until(Duration::from_secs(10), drawn),
            "{}",
            self.screen(false)
        );
        let pid = std::fs::read_to_string(&pidf)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let _ = std::fs::remove_file(&pidf);
        pid
    }

    fn screen(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "w"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.cmd(&args).stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
        let _ = std::fs::remove_file(&self.sock);
    }
}

/// The full screen end to end: `watch` in a 130×30 tmux pane sees the
/// sender and its count, `q` quits with status 0, the terminal is back in
/// cooked mode with the cursor shown, and NO_COLOR leaves no colour codes.
#[test]
fn watch_full_screen_in_tmux() {
    let lab = pair!();
    let t = Tmux::new(&lab);
    let ns = lab.ns("h2");
    let status = std::env::temp_dir().join(format!("{}-status", lab.ns("w")));
    let shell = format!(
        "ip netns exec {ns} env NO_COLOR=1 {MCAST} watch 239.1.1.5:5005@a0 --stats 250ms; \
         echo exit=$? > {st}; stty -a >> {st}; sleep 30",
        st = status.display()
    );
    let o = t.cmd(&[
        "new-session",
        "-d",
        "-s",
        "w",
        "-x",
        "130",
        "-y",
        "30",
        &shell,
    ]);
    assert!(
        o.status.success(),
        "tmux: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    lab.wait_joined("h2", "a0", "239.1.1.5");
    assert!(
        wait_until(Duration::from_secs(10), || t
            .screen(false)
            .contains("mcast watch")),
        "{}",
        t.screen(false)
    );
    send(
        &lab,
        "h1",
        &[
            "239.1.1.5:5005@a0",
            "--seq",
            "-c",
            "200",
            "--rate",
            "1000",
            "tick",
        ],
    );
    let seen = || {
        let s = t.screen(false);
        s.lines()
            .any(|l| l.contains("239.1.1.5:5005") && l.contains("10.77.0.1:"))
            && s.contains(" 200 datagrams")
    };
    assert!(
        wait_until(Duration::from_secs(10), seen),
        "{}",
        t.screen(false)
    );
    let colour = t.screen(true);
    assert!(
        !colour.contains("\x1b[3") && !colour.contains("\x1b[4") && !colour.contains(";3"),
        "colour under NO_COLOR: {colour:?}"
    );
    t.cmd(&["send-keys", "-t", "w", "Tab"]);
    assert!(
        wait_until(Duration::from_secs(5), || t
            .screen(false)
            .contains("CALLSIGN")),
        "{}",
        t.screen(false)
    );
    // A real ATAK position report (tests/fixtures/cot/SOURCES.md), sent by
    // Python: the unit shows with its callsign and type, stale long ago.
    let pli = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cot/atak_pli.xml"
    );
    let py = "import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); \
              s.setsockopt(socket.IPPROTO_IP,socket.IP_MULTICAST_IF,socket.inet_aton('10.77.0.1')); \
              s.sendto(open(sys.argv[1],'rb').read(),('239.1.1.5',5005))";
    assert_code(&lab.run("h1", "python3", &["-c", py, pli]), 0);
    let unit = || {
        t.screen(false).lines().any(|l| {
            l.contains("ANDROID-53af0912586418dc")
                && l.contains("dasuberdog")
                && l.contains("a-f-G-U-C")
                && l.contains("STALE")
        })
    };
    assert!(
        wait_until(Duration::from_secs(5), unit),
        "{}",
        t.screen(false)
    );
    t.cmd(&["send-keys", "-t", "w", "q"]);
    let done = || std::fs::read_to_string(&status).is_ok_and(|s| s.contains("icanon"));
    assert!(
        wait_until(Duration::from_secs(10), done),
        "{}",
        t.screen(false)
    );
    let st = std::fs::read_to_string(&status).unwrap();
    let _ = std::fs::remove_file(&status);
    assert!(st.starts_with("exit=0"), "{st}");
    assert!(
        st.contains(" icanon") && st.contains(" echo"),
        "terminal not restored: {st}"
    );
    // Back on the main screen: the summary is there, not on the alternate one.
    let s = t.screen(false);
    assert!(s.contains("--- 201 datagrams"), "{s}");
}

/// SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closing)
/// end `watch` like `q`: the terminal restored, the summary printed.
#[test]
fn watch_restores_the_terminal_on_signals() {
    for (sig, name) in [(libc::SIGTERM, "term"), (libc::SIGHUP, "hup")] {
        let lab = pair!();
        let t = Tmux::new(&lab);
        let status = std::env::temp_dir().join(format!("{}-{name}-status", lab.ns("w")));
        let after = format!("stty -a > {}; sleep 30", status.display());
        let pid = t.start_watch(&lab, "239.1.1.6", 5006, &after);
        // The process this test started (through tmux), by its pid.
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::try_from(sig).unwrap(),
        )
        .unwrap();
        let done = || std::fs::read_to_string(&status).is_ok_and(|s| s.contains("icanon"));
        assert!(
            wait_until(Duration::from_secs(10), done),
            "{name}: {}",
            t.screen(false)
        );
        let st = std::fs::read_to_string(&status).unwrap();
        let _ = std::fs::remove_file(&status);
        assert!(
            st.contains(" icanon") && st.contains(" echo"),
            "{name}: not restored: {st}"
        );
        assert!(
            t.screen(false).contains("--- 0 datagrams"),
            "{name}: {}",
            t.screen(false)
        );
    }
}

/// The terminal closing under it (tmux killed, an ssh session dropped)
/// ends `watch` instead of leaving it spinning on a dead terminal.
#[test]
fn watch_ends_when_its_terminal_goes_away() {
    let lab = pair!();
    let t = Tmux::new(&lab);
    let pid = t.start_watch(&lab, "239.1.1.7", 5007, "true");
    t.cmd(&["kill-server"]);
    let gone = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z'))
        })
    };
    assert!(
        wait_until(Duration::from_secs(5), gone),
        "watch {pid} still running"
    );
}
