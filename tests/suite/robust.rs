//! What a new user hits (part 5): full or closed stdout and stderr, stdin
//! records that cannot be datagrams, counts per interface.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{lab, pair, wait_until};
use crate::{assert_code, finish, listen, mcast, stderr, stdout, MCAST};

/// `sh -c 'exec mcast ARGS REDIRECTS'` in `host`: the shell only sets up
/// the redirections, then becomes mcast (its exit code is mcast's).
fn sh(lab: &crate::util::Lab, host: &str, line: &str) -> std::process::Output {
    lab.run(host, "sh", &["-c", &format!("exec {MCAST} {line}")])
}

#[test]
fn a_full_stderr_never_aborts() {
    let lab = pair!();
    let o = sh(&lab, "h1", "send 239.1.1.1:5000@a0 x --count 2 2>/dev/full");
    assert_code(&o, 0);
    let o = sh(
        &lab,
        "h1",
        "cot-gen --send 239.1.1.1:5000@a0 --count 2 2>/dev/full",
    );
    assert_code(&o, 0);
    let o = sh(
        &lab,
        "h1",
        "send 239.1.1.1:5000@a0 x --count 2 --wait-replies 50ms 2>/dev/full",
    );
    // No replies: exit 1 as documented, not a panic.
    assert_code(&o, 1);
    // listen whose stdout and stderr go to a pipe whose reader is gone: it
    // ends quietly with 0 (it used to abort with 134 writing to stderr).
    let o = lab.run(
        "h2",
        "bash",
        &[
            "-c",
            &format!(
                "{MCAST} listen 239.1.1.1:5000@a0 -c 1 -v 2>&1 | true; exit ${{PIPESTATUS[0]}}"
            ),
        ],
    );
    assert_code(&o, 0);
    let o = sh(
        &lab,
        "h2",
        "listen 239.1.1.1:5000@a0 --timeout 300ms -v 2>/dev/full",
    );
    // Nothing arrived before the timeout: 1, as documented.
    assert_code(&o, 1);
}

#[test]
fn write_errors_on_stdout_are_io_errors_and_a_gone_reader_ends_quietly() {
    let lab = pair!();
    // join > /dev/full: the "joined" line cannot be written.
    let o = sh(&lab, "h2", "join 239.1.1.1@a0 --duration 1s >/dev/full");
    assert_code(&o, 5);
    assert!(
        stderr(&o).contains("write to standard output"),
        "{}",
        stderr(&o)
    );
    // bridge --format json > /dev/full: the first stats line fails.
    let o = sh(
        &lab,
        "h2",
        "bridge 239.1.1.1:5000@a0 udp:10.77.0.1:6000 --format json --stats 100ms >/dev/full",
    );
    assert_code(&o, 5);
    assert!(
        stderr(&o).contains("write to standard output"),
        "{}",
        stderr(&o)
    );
    // bridge --format json | head -1: ends at once when the reader leaves.
    let mut child = lab
        .cmd(
            "h2",
            MCAST,
            &[
                "bridge",
                "239.1.1.1:5000@a0",
                "udp:10.77.0.1:6000",
                "--format",
                "json",
                "--stats",
                "100ms",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn bridge");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read a stats line");
    assert!(first.starts_with('{'), "{first}");
    // The reader is gone (dropped above).
    let t = Instant::now();
    let ended = wait_until(Duration::from_secs(5), || {
        child.try_wait().ok().flatten().is_some()
    });
    if !ended {
        let _ = child.kill();
    }
    let status = child.wait().expect("wait");
    assert!(ended, "bridge kept running after its reader left");
    assert_eq!(status.code(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn oversized_stdin_records_are_skipped_with_their_line_number() {
    let lab = pair!();
    let mut rx = listen(
        &lab,
        "h2",
        "a0",
        "239.1.1.1",
        &["239.1.1.1:5000", "-c", "3"],
    );
    let mut input = b"ok1\nok2\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 200_000));
    input.extend_from_slice(b"\nok4\n");
    let o = lab.run_input("h1", MCAST, &["send", "239.1.1.1:5000@a0"], &input);
    // The rest is sent; the skipped record makes the run exit 1.
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("line 3 of standard input: 200000 bytes is above the IPv4 limit"),
        "{err}"
    );
    assert!(
        err.contains("1 record of standard input was too large"),
        "{err}"
    );
    let got = finish(&mut rx);
    assert_code(&got, 0);
    let out = stdout(&got);
    assert!(
        out.contains("ok1") && out.contains("ok2") && out.contains("ok4"),
        "{out}"
    );
    // Empty stdin: nothing sent, and said so.
    let o = lab.run_input("h1", MCAST, &["send", "239.1.1.1:5000@a0"], b"");
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("standard input was empty"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn send_on_every_interface_counts_each() {
    let lab = lab!();
    lab.host("h1");
    lab.host("h2");
    lab.link(
        ("h1", "a0", "10.77.0.1/24", ""),
        ("h2", "a0", "10.77.0.2/24", ""),
    );
    lab.link(
        ("h1", "b0", "10.77.1.1/24", ""),
        ("h2", "b0", "10.77.1.2/24", ""),
    );
    let o = mcast(
        &lab,
        "h1",
        &["send", "239.1.1.1:5000", "x", "--iface", "a0,b0"],
    );
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(
        err.contains("sent 1 datagram (1 byte) to 239.1.1.1:5000 on each of 2 interfaces (2 datagrams in all)"),
        "{err}"
    );
}
