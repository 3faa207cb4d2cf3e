//! Integration tests of the `mcast` binary: one test binary, one lab of
//! private network namespaces per test (`tests/util`), so every datagram a
//! test sends stays inside namespaces it created. Tests run in parallel.
//!
//! The cases live in `tests/suite/`, one file per area; this file holds the
//! small helpers they share: running `mcast`, starting a listener and waiting
//! until it has joined, reading `--format json` output.

mod suite;
mod util;

use std::process::Output;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use util::{show, Lab, Proc};

/// The binary under test.
pub const MCAST: &str = env!("CARGO_BIN_EXE_mcast");

/// How long a process that should end by itself (count reached, deadline
/// passed) may take before the test fails.
pub const END_WITHIN: Duration = Duration::from_secs(10);

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code (`None` when killed by a signal).
pub fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// Fails when any output shows a Rust panic.
pub fn assert_no_panic(o: &Output) {
    let all = format!("{}{}", stdout(o), stderr(o));
    assert!(!all.contains("panicked"), "mcast panicked:\n{}", show(o));
}

/// Asserts the exit code, showing everything on failure.
#[track_caller]
pub fn assert_code(o: &Output, want: i32) {
    assert_no_panic(o);
    assert_eq!(code(o), Some(want), "wrong exit code:\n{}", show(o));
}

/// Runs `mcast ARGS` in `host` to the end.
pub fn mcast(lab: &Lab, host: &str, args: &[&str]) -> Output {
    lab.run(host, MCAST, args)
}

/// Runs `mcast send ARGS` in `host` and asserts that it succeeded.
#[track_caller]
pub fn send(lab: &Lab, host: &str, args: &[&str]) -> Output {
    let mut all = vec!["send"];
    all.extend_from_slice(args);
    let o = mcast(lab, host, &all);
    assert_code(&o, 0);
    o
}

/// Starts `mcast listen ARGS` in `host` and returns once `ifname` there is a
/// member of `group` (so a datagram sent now is received).
pub fn listen(lab: &Lab, host: &str, ifname: &str, group: &str, args: &[&str]) -> Proc {
    let mut all = vec!["listen"];
    all.extend_from_slice(args);
    let p = lab.spawn(host, MCAST, &all);
    lab.wait_joined(host, ifname, group);
    // Another listener may have joined the group already: also wait for
    // this one's "listening:" line, printed once its own joins are done.
    let ready = || p.stderr().contains("listening: ") || !p.running();
    assert!(
        util::wait_until(END_WITHIN, ready),
        "listener did not start: {}",
        p.stderr()
    );
    p
}

/// Waits for a process that must end by itself within [`END_WITHIN`].
#[track_caller]
pub fn finish(p: &mut Proc) -> Output {
    match p.wait_timeout(END_WITHIN) {
        Some(o) => o,
        None => panic!("still running after {END_WITHIN:?}:\n{}", show(&p.stop())),
    }
}

/// `listen --format json` output: the datagram objects, then the summary.
pub struct Json {
    /// One object per datagram, in arrival order.
    pub datagrams: Vec<Value>,
    /// The `summary` object (the last line).
    pub summary: Value,
}

/// Parses `listen --format json` output; every line must be JSON and the
/// last one the summary.
#[track_caller]
pub fn json(o: &Output) -> Json {
    let text = stdout(o);
    let mut datagrams = Vec::new();
    let mut summary = None;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\n{}", show(o)));
        assert!(summary.is_none(), "a line after the summary:\n{}", show(o));
        match v.get("summary") {
            Some(s) => summary = Some(s.clone()),
            None => datagrams.push(v),
        }
    }
    let summary = summary.unwrap_or_else(|| panic!("no summary line:\n{}", show(o)));
    Json { datagrams, summary }
}

/// A datagram object's payload (after any sequence header): its `text`,
/// or its `base64` decoded; exactly one of the two must be there.
pub fn payload(d: &Value) -> Vec<u8> {
    match (d.get("text"), d.get("base64")) {
        (Some(t), None) => t.as_str().expect("text is a string").as_bytes().to_vec(),
        (None, Some(b)) => base64::engine::general_purpose::STANDARD
            .decode(b.as_str().expect("base64 is a string"))
            .expect("valid base64"),
        _ => panic!("exactly one of text and base64 expected: {d}"),
    }
}

/// The payloads of all datagrams, as text.
pub fn texts(j: &Json) -> Vec<String> {
    j.datagrams
        .iter()
        .map(|d| String::from_utf8_lossy(&payload(d)).into_owned())
        .collect()
}

/// Three hosts on one switch `sw` (snooping off unless `snooping`):
/// h1, h2, h3 with `a0` = 10.77.0.N/24 and fd77::N/64, multicast routes on a0.
pub fn three_on_a_lan(lab: &Lab, snooping: bool) {
    if snooping {
        lab.lan_with_snooping("sw");
    } else {
        lab.lan("sw");
    }
    for n in 1..=3 {
        let h = format!("h{n}");
        lab.host(&h);
        let (v4, v6) = (format!("10.77.0.{n}/24"), format!("fd77::{n}/64"));
        lab.attach(&h, "sw", "a0", &v4, &v6);
        lab.mcast_route(&h, "a0");
    }
}
