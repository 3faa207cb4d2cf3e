#!/usr/bin/env bash
# bench/build-static.sh: build the static release artefact of mcast.
#
#   bench/build-static.sh [--musl]
#
# The default build (`cargo build --release`, target/release/mcast) is an
# ordinary position-independent binary linked against the system's glibc.
# This script builds the static alternative for copying onto hosts without
# a matching libc (field kits, minimal containers):
#
#   default  static-pie against glibc, for the host's own target:
#            target/<host triple>/release/mcast. It keeps ASLR (static-pie),
#            but glibc's name lookups need its NSS modules at run time, so
#            this build refuses host names (`tcp:takserver.example:8087`)
#            with a message; IP addresses always work.
#   --musl   static against musl (x86_64/aarch64-unknown-linux-musl, when
#            `rustup target add` has installed it): musl resolves host names
#            with its own built-in resolver, so names work.
#
# The flags are passed with an explicit --target so that they apply to mcast
# only, not to build scripts and proc-macros (which cannot be static).
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
target=$host
if [[ ${1:-} == --musl ]]; then
  target=${host%-gnu}-musl
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "build-static.sh: the $target target is not installed (rustup target add $target)" >&2
    exit 2
  fi
elif [[ -n ${1:-} ]]; then
  echo "usage: bench/build-static.sh [--musl]" >&2
  exit 2
fi
flags="-C target-feature=+crt-static"
# Resident memory: pack the relative relocations (DT_RELR), which a
# static-pie applies to itself at start-up, reading the whole table. It
# needs lld, Rust's default linker for x86_64-unknown-linux-gnu since 1.90,
# and glibc 2.36 or later (older ones would crash at start-up). The
# functions long runs call are laid out together by build.rs, as in the
# default build.
rustc_minor=$(rustc -V | sed -n 's/^rustc 1\.\([0-9]*\).*/\1/p')
glibc=$(ldd --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)$/\1/p')
if [[ $target == x86_64-unknown-linux-gnu && ${rustc_minor:-0} -ge 90 ]] &&
  awk -v v="${glibc:-0}" 'BEGIN { split(v, a, "."); exit !(a[1] > 2 || (a[1] == 2 && a[2] >= 36)) }'; then
  flags+=" -C link-arg=-Wl,-z,pack-relative-relocs"
fi
RUSTFLAGS="${RUSTFLAGS:-} $flags" \
  cargo build --release --locked --target "$target"
out=target/$target/release/mcast
# A static glibc binary has no interpreter; say so if the link went wrong.
if file "$out" 2>/dev/null | grep -q "dynamically linked"; then
  echo "build-static.sh: $out is dynamically linked; the static glibc (libc6-dev) is missing?" >&2
  exit 1
fi
echo "$out"
