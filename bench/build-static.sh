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
# Resident memory: lay out the functions that long runs call next to each
# other (bench/symbol-order.txt, made by bench/symbol-order.sh), since the
# kernel maps code in 64 KiB windows around every page touched; and pack
# the relative relocations (DT_RELR), which a static-pie applies to itself
# at start-up, reading the whole table. Both need lld, Rust's default
# linker for x86_64-unknown-linux-gnu since 1.90; RELR also needs glibc
# 2.36 or later (older ones would crash at start-up).
rustc_minor=$(rustc -V | sed -n 's/^rustc 1\.\([0-9]*\).*/\1/p')
glibc=$(ldd --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)$/\1/p')
if [[ $target == x86_64-unknown-linux-gnu && ${rustc_minor:-0} -ge 90 ]]; then
  if [[ -f bench/symbol-order.txt ]]; then
    flags+=" -C link-arg=-Wl,--symbol-ordering-file=$PWD/bench/symbol-order.txt -C link-arg=-Wl,--no-warn-symbol-ordering"
  fi
  if awk -v v="${glibc:-0}" 'BEGIN { split(v, a, "."); exit !(a[1] > 2 || (a[1] == 2 && a[2] >= 36)) }'; then
    flags+=" -C link-arg=-Wl,-z,pack-relative-relocs"
  fi
fi
# Cargo does not know the ordering file: relink when it is newer than the
# binary (touching the thin main.rs rebuilds only the binary crate).
out=target/$target/release/mcast
if [[ -f bench/symbol-order.txt && -f $out && bench/symbol-order.txt -nt $out ]]; then
  touch src/main.rs
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
