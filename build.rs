//! Link-time layout of the release binary.
//!
//! The kernel maps a program's code in 64 KiB windows around every page it
//! touches (fault-around), so a long-running `mcast listen` or `bridge` is
//! resident in proportion to how widely the few hundred functions it runs
//! are scattered through the binary. `bench/symbol-order.txt` (made by
//! `bench/symbol-order.sh`) lists them; lld places them together when given
//! it as `--symbol-ordering-file`, which halves the code a listen keeps
//! resident.
//!
//! Only lld understands the option, so it is passed only where rustc links
//! with its bundled lld by default (x86_64-unknown-linux-gnu since Rust
//! 1.90) and nobody chose another linker. Everywhere else the binary is
//! linked as it always was.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    let order = Path::new(&env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("bench")
        .join("symbol-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if env::var("PROFILE").as_deref() != Ok("release")
        || env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || !order.is_file()
        || env::var_os("RUSTC_LINKER").is_some()
        || chooses_linker(&env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default())
        || !bundled_lld_by_default()
    {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    // Names of functions that a later build no longer has are expected (the
    // list is regenerated now and then, not on every change).
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// Whether the flags pick a linker or linker flavour of their own.
fn chooses_linker(encoded: &str) -> bool {
    encoded.split('\x1f').any(|flag| {
        ["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|word| flag.contains(word))
    })
}

/// Whether this rustc links x86_64 Linux binaries with its own lld unless
/// told otherwise (1.90 and later).
fn bundled_lld_by_default() -> bool {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("-V").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    matches!(minor, Some(m) if m >= 90)
}
