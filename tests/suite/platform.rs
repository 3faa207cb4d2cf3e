//! The platform layer seen from outside: receive buffers as the kernel
//! grants them.

use crate::util::pair;
use crate::{code, stderr, MCAST};

/// `net.core.rmem_max`: not settable inside a network namespace on the
/// kernels this runs on, so the test works with the host's value.
fn rmem_max() -> usize {
    std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .expect("read rmem_max")
        .trim()
        .parse()
        .expect("rmem_max is a number")
}

/// Linux doubles SO_RCVBUF on read-back. A request between rmem_max and
/// twice it is clamped to rmem_max, and the doubled read-back still looks
/// larger than the request: that must not pass for a granted buffer.
#[test]
fn clamped_receive_buffer_is_reported_to_an_unprivileged_user() {
    let lab = pair!();
    let max = rmem_max();
    let want = max + max / 2;
    let want_s = want.to_string();
    let args = [
        "listen",
        "239.1.1.1:5000@a0",
        "--rcvbuf",
        &want_s,
        "--timeout",
        "200ms",
    ];
    // As nobody: SO_RCVBUFFORCE is refused, so the buffer stays clamped.
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", MCAST];
    let out = lab.run("h2", "setpriv", &[&nobody[..], &args[..]].concat());
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let expected = format!("granted a {max} byte receive buffer instead of {want}");
    assert!(err.contains(&expected), "no warning of the clamp:\n{err}");
    // As root SO_RCVBUFFORCE grants it: no warning.
    let out = lab.run("h2", MCAST, &args);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("granted"), "{}", stderr(&out));
}
