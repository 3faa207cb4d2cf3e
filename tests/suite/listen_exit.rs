//! How `listen` ends: `--count`/`--timeout` exit codes, a pipe reader that
//! leaves (`| head -1`), SIGTERM and SIGINT.

use std::time::{Duration, Instant};

use crate::util::{pair, wait_until};
use crate::{assert_code, finish, json, listen, send, stderr, stdout, MCAST};

#[test]
fn count_and_timeout_exit_codes() {
    let lab = pair!();
    // (group, listen options, datagrams sent, exit code)
    let cases: [(&str, &[&str], u32, i32); 5] = [
        ("239.1.3.1", &["-c", "3", "-t", "8s"], 3, 0), // count reached
        ("239.1.3.2", &["-c", "3", "-t", "2s"], 1, 1), // deadline first
        ("239.1.3.3", &["-t", "500ms"], 0, 1),         // only --timeout, nothing
        ("239.1.3.4", &["-t", "2s"], 1, 0),            // only --timeout, one
        ("239.1.3.5", &["-c", "2"], 2, 0),             // only --count
    ];
    let mut procs = Vec::new();
    for (group, opts, ..) in &cases {
        let e = format!("{group}:5000");
        let args = [&[e.as_str(), "-f", "json"][..], opts].concat();
        procs.push(listen(&lab, "h2", "a0", group, &args));
    }
    for (group, _, n, _) in &cases {
        if *n > 0 {
            let (e, n) = (format!("{group}:5000"), n.to_string());
            send(&lab, "h1", &[&e, "-c", &n, "x"]);
        }
    }
    let sent = Instant::now();
    for ((group, opts, n, want), mut p) in cases.iter().zip(procs) {
        let o = finish(&mut p);
        assert_code(&o, *want);
        let j = json(&o);
        assert_eq!(j.datagrams.len() as u32, *n, "{group} {opts:?}");
        assert!(
            stderr(&o).contains(&format!("--- {n} datagram")),
            "{}",
            stderr(&o)
        );
        if *group == "239.1.3.1" {
            // It ended at the third datagram, not at its 8 s deadline.
            assert!(
                sent.elapsed() < Duration::from_secs(6),
                "{:?}",
                sent.elapsed()
            );
        }
    }
}

#[test]
fn listen_piped_into_head_ends_at_once_and_quietly() {
    let lab = pair!();
    // bash for PIPESTATUS: both sides of the pipe must succeed.
    let script = format!(
        "{MCAST} listen 239.1.1.1:5000@a0 | head -1; echo \"status ${{PIPESTATUS[0]}} ${{PIPESTATUS[1]}}\" >&2"
    );
    let mut p = lab.spawn("h2", "bash", &["-c", &script]);
    lab.wait_joined("h2", "a0", "239.1.1.1");
    send(&lab, "h1", &["239.1.1.1:5000", "just one"]);
    let t = Instant::now();
    // No further datagram arrives: the listener must notice by itself.
    let o = p
        .wait_timeout(Duration::from_secs(5))
        .unwrap_or_else(|| panic!("still running 5 s after head left:\n{}", p.stderr()));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    assert_code(&o, 0);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(" -> 239.1.1.1:5000 on a0 "), "{out}");
    assert!(err.contains("status 0 0"), "{err}");
    for noise in ["error", "Broken pipe", "broken pipe", "---", "kernel drops"] {
        assert!(!err.contains(noise), "{noise:?} on stderr: {err}");
    }
}

/// A listener that got three datagrams and is then signalled prints its
/// summary (text on stderr; also the JSON summary with `--format json`) and
/// exits 0.
#[test]
fn sigterm_and_sigint_print_the_summary_and_exit_0() {
    let lab = pair!();
    let cases = [
        ("239.1.1.1", "239.1.1.1:5000@a0", "text", libc::SIGTERM),
        ("ff15::1", "[ff15::1]:5000@a0", "json", libc::SIGTERM),
        ("239.1.1.2", "239.1.1.2:5000@a0", "text", libc::SIGINT),
    ];
    let mut procs = Vec::new();
    for (group, e, format, _) in cases {
        procs.push(listen(&lab, "h2", "a0", group, &[e, "-f", format]));
    }
    for (_, e, ..) in cases {
        send(&lab, "h1", &[e, "-c", "3", "four"]);
    }
    for ((group, e, format, sig), mut p) in cases.into_iter().zip(procs) {
        // Really running and done receiving: three datagrams printed.
        let got = |p: &crate::util::Proc| {
            let out = p.stdout();
            match format {
                "json" => out.lines().count() == 3,
                _ => {
                    out.matches(&format!(" -> {} on a0", e.trim_end_matches("@a0")))
                        .count()
                        == 3
                }
            }
        };
        assert!(
            wait_until(Duration::from_secs(5), || got(&p)),
            "{group}: {}",
            p.stdout()
        );
        p.signal(sig);
        let o = finish(&mut p);
        assert_code(&o, 0);
        let err = stderr(&o);
        assert!(err.contains("--- 3 datagrams, 12 bytes"), "{group}: {err}");
        assert!(err.contains("kernel drops"), "{group}: {err}");
        assert!(err.contains(" from "), "{group}: {err}");
        if format == "json" {
            let j = json(&o);
            assert_eq!(j.datagrams.len(), 3);
            assert_eq!(j.summary["packets"], 3);
            assert_eq!(j.summary["bytes"], 12);
        }
    }
}
