#!/usr/bin/env bash
# bench/symbol-order.sh: regenerate bench/symbol-order.txt, the order in
# which build.rs asks the linker (lld, --symbol-ordering-file) to lay out
# the functions of release builds.
#
#   sudo bench/symbol-order.sh [BINARY...]
#
# Why: the kernel maps a program's code in 64 KiB windows around each page
# it touches (fault-around), so a run's resident size follows how widely the
# functions it calls are scattered through the binary, not how many there
# are. A `listen` touched 2.8 MB of the static binary's 7 MB of code spread
# over it, against about 1 MB with the few hundred functions it runs placed
# together (bench/results.md).
#
# How: runs each BINARY (default: both release builds, target/release/mcast
# and the static artefact, whose function names differ by their hashes)
# under valgrind's callgrind
# for the commands people run for hours (listen in count and JSON mode while
# datagrams arrive, send, bridge), inside private network namespaces joined
# by veth pairs, which it deletes afterwards, and lists every function called,
# by its linker symbol. Symbols that a later build no longer has are
# ignored by the linker, so a stale list only costs resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $EUID -eq 0 ]] || { echo "symbol-order.sh: needs root (network namespace)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "symbol-order.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
bins=("$@")
if [[ ${#bins[@]} -eq 0 ]]; then
  bins=(target/release/mcast "target/$(rustc -vV | sed -n 's/^host: //p')/release/mcast")
fi
for b in "${bins[@]}"; do
  [[ -x $b ]] || { echo "symbol-order.sh: no binary at $b (cargo build --release; bench/build-static.sh)" >&2; exit 2; }
done
ns=mcso-$$
tx=mcso-tx-$$
tmp=$(mktemp -d)
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$tx" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# Two namespaces joined by a veth pair: a datagram whose source address is
# one of the receiving host's own is dropped on input as a martian, so a
# sender beside the receiver in one namespace would profile an idle listen.
ip netns add "$ns"
ip netns add "$tx"
in_ns() { ip netns exec "$ns" "$@"; }
in_tx() { ip netns exec "$tx" "$@"; }
in_ns ip link add v0 type veth peer name v1
in_ns ip link set v1 netns "$tx"
in_ns ip addr add 10.99.0.1/24 dev v0
in_tx ip addr add 10.99.0.2/24 dev v1
in_ns ip link set v0 up
in_tx ip link set v1 up
# The bridge's second LAN.
in_ns ip link add v2 type veth peer name v3
in_ns ip link set v2 up
in_ns ip link set v3 up
cg() { # name command...: one callgrind profile (WRAP: a command to run valgrind under)
  local name=$1
  shift
  in_ns ${WRAP:-} valgrind --tool=callgrind --demangle=no --callgrind-out-file="$out/$name.out" "$@" >/dev/null 2>"$out/$name.err"
}
# Receivers under callgrind, fed by an ordinary sender once they joined
# (valgrind starts slowly: wait for the membership).
receive() { # name command...
  local name=$1 pid
  shift
  cg "$name" "$@" &
  pid=$!
  for _ in $(seq 100); do
    in_ns ip maddr show dev v0 | grep -q 239.1.1.1 && break
    sleep 0.1
  done
  in_tx "$bin" send 239.1.1.1:5000@v1 --count 300 --size 1200 --seq >/dev/null 2>&1
  in_tx "$bin" send 239.1.1.1:5000@v1 --count 20 --hex '00 ff 1b' >/dev/null 2>&1
  in_tx "$bin" send 239.1.1.1:5000@v1 --count 20 'text' >/dev/null 2>&1
  wait "$pid" || true
  # A profile of a listen that received nothing would leave the receive
  # path out of the order.
  [[ $name != listen-* ]] || grep -q -- '--- 340 datagrams' "$out/$name.err" ||
    { echo "symbol-order.sh: $name did not receive the 340 datagrams:" >&2; tail -3 "$out/$name.err" >&2; exit 1; }
}
# profile BINARY: the functions its long runs call, in $tmp/N/called, and
# the CPU variants of the string functions among them, in $tmp/N/variants.
profile() {
  bin=$(realpath "$1")
  out=$tmp/$((n += 1))
  mkdir "$out"
  receive listen-count "$bin" listen 239.1.1.1:5000@v0 --format count --count 340 --timeout 20s
  receive listen-json "$bin" listen 239.1.1.1:5000@v0 --format json --count 340 --timeout 20s
  # The bridge runs until a signal: timeout(1) sends its child (valgrind,
  # which passes it on) SIGINT.
  WRAP="timeout -s INT 10" receive bridge "$bin" bridge 239.1.1.1:5000@v0 239.1.1.2:5001@v2
  cg send "$bin" send 239.1.1.1:5000@v0 --count 300 --size 1200 --seq
  cg send-one "$bin" send 239.1.1.1:5000@v0 x
  # Every function in order of first appearance per profile, each once.
  cat "$out"/*.out | sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)/\1/p' | grep -v '^0x' | awk '!seen[$0]++' >"$out/called"
  # What valgrind cannot see. glibc picks its string functions by CPU at
  # start-up (IFUNC), and valgrind's virtual CPU gets other variants than the
  # machine the binary runs on (AVX2 where the host picks EVEX or AVX-512):
  # every variant of each string function called goes in. And valgrind
  # replaces a few functions with its own (pthread mutexes, the dynamic
  # loader's bookkeeping, which a static glibc runs too), so their real
  # bodies never show up in a profile.
  nm "$bin" | awk '{ print $NF }' | sort -u >"$out/defined"
  sed -n 's/^\(__[a-z]*\)_\(avx\|evex\|sse\).*/\1/p' "$out/called" | sort -u |
    while read -r base; do grep -E "^${base}_(avx|evex|sse|erms)" "$out/defined" || true; done >"$out/variants"
}
n=0
for b in "${bins[@]}"; do profile "$b"; done
printf '%s\n' pthread_mutex_lock ___pthread_mutex_lock pthread_mutex_unlock ___pthread_mutex_unlock \
  __pthread_mutex_unlock_usercnt _dl_new_object _dl_add_to_namespace_list >"$tmp/hidden"
cat "$tmp"/*/called "$tmp"/*/variants "$tmp/hidden" | awk '!seen[$0]++' >bench/symbol-order.txt
echo "bench/symbol-order.txt: $(wc -l <bench/symbol-order.txt) symbols" >&2
