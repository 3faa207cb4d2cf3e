//! The build itself: the default binary is an ordinary one (position
//! independent, dynamically linked, resolving host names), and the static
//! artefact of `bench/build-static.sh` works and refuses host names.

use std::time::Duration;

use crate::util::{pair, wait_until, Lab};
use crate::{assert_code, mcast, stderr, MCAST};

/// ELF facts that tell how a binary was linked: (is PIE or shared object,
/// has a program interpreter).
fn elf_kind(path: &str) -> (bool, bool) {
    let b = std::fs::read(path).expect("read the binary");
    assert_eq!(&b[..4], b"\x7fELF", "{path} is not an ELF file");
    assert_eq!(b[4], 2, "64-bit ELF expected");
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    let e_type = u16_at(16);
    let phoff = u64_at(32) as usize;
    let phentsize = usize::from(u16_at(54));
    let phnum = usize::from(u16_at(56));
    // PT_INTERP = 3: the dynamic loader's path; static binaries have none.
    let interp = (0..phnum).any(|i| {
        let o = phoff + i * phentsize;
        u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) == 3
    });
    (e_type == 3, interp)
}

#[test]
fn default_build_is_pie_and_dynamically_linked() {
    let (pie, interp) = elf_kind(MCAST);
    assert!(pie, "{MCAST} is not position-independent (ET_DYN)");
    assert!(
        interp,
        "{MCAST} has no program interpreter: statically linked?"
    );
}

/// A bridge to `udp:localhost:PORT` resolves the name and delivers.
fn bridge_to_localhost(lab: &Lab, binary: &str) {
    let port = 5001;
    let mut sink = lab.spawn(
        "h1",
        "socat",
        &["-u", &format!("UDP4-RECV:{port},bind=127.0.0.1"), "-"],
    );
    lab.wait_udp_bound("h1", port);
    let _b = lab.spawn(
        "h1",
        binary,
        &[
            "bridge",
            "239.1.1.1:5000@a0",
            &format!("udp:localhost:{port}"),
        ],
    );
    lab.wait_joined("h1", "a0", "239.1.1.1");
    let sent = wait_until(Duration::from_secs(5), || {
        assert_code(
            &mcast(lab, "h2", &["send", "239.1.1.1:5000@a0", "via-name"]),
            0,
        );
        sink.stdout().contains("via-name")
    });
    let out = sink.stop();
    assert!(
        sent,
        "nothing arrived through udp:localhost: {}",
        stderr(&out)
    );
}

#[test]
fn default_build_resolves_host_names() {
    let lab = pair!();
    bridge_to_localhost(&lab, MCAST);
}

/// Set by `.ci/run` after `bench/build-static.sh`.
const STATIC_ENV: &str = "MCAST_STATIC_BIN";

#[test]
fn static_artefact_works_and_refuses_host_names() {
    let Some(bin) = std::env::var_os(STATIC_ENV) else {
        if std::env::var_os("CI").is_some() {
            panic!("{STATIC_ENV} is not set: .ci/run builds the static artefact for this test");
        }
        eprintln!("\n*** SKIPPED: {STATIC_ENV} not set (bench/build-static.sh builds it) ***\n");
        return;
    };
    let bin = bin.to_string_lossy().into_owned();
    let (_, interp) = elf_kind(&bin);
    assert!(!interp, "{bin} has a program interpreter: not static");
    let lab = pair!();
    let out = lab.run(
        "h1",
        &bin,
        &["bridge", "239.1.1.1:5000@a0", "tcp:takserver.example:8087"],
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("static glibc build") && err.contains("takserver.example"),
        "{err}"
    );
    // IP literals work: the static binary sends and the default one hears.
    let mut rx = lab.spawn(
        "h2",
        MCAST,
        &[
            "listen",
            "239.1.1.1:5000@a0",
            "--count",
            "1",
            "--timeout",
            "10s",
        ],
    );
    lab.wait_joined("h2", "a0", "239.1.1.1");
    assert_code(
        &lab.run("h1", &bin, &["send", "239.1.1.1:5000@a0", "static"]),
        0,
    );
    let out = rx
        .wait_timeout(crate::END_WITHIN)
        .expect("listen did not end after its datagram");
    assert_code(&out, 0);
    assert!(crate::stdout(&out).contains("static"));
}
