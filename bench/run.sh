#!/usr/bin/env bash
# bench/run.sh: measure mcast against socat and iperf2, side by side, in one run.
#
#   sudo bench/run.sh [--quick] [--only LIST] [--soak [SECONDS]] [--mcast PATH] [--no-build] [--help]
#
# What it measures (figures and ratios go to stdout as Markdown tables;
# progress goes to stderr), by section (--only picks some):
#   send     send rate (datagrams/s) for 64 B and 1200 B payloads: socat,
#            iperf2, mcast via sendmmsg (--no-gso) and mcast via UDP GSO;
#   listen   listen capacity (unpaced sender) and the highest zero-loss rate
#            of `mcast listen --format count`, `--format json` and socat;
#   startup  peak RSS and one-shot start-up time, mcast vs socat;
#   bridge   `mcast bridge` vs a socat relay between two links: forwarding
#            capacity and highest zero-loss rate for 64 B and 1200 B, and
#            the round-trip latency a relay adds (ping-pong through relays
#            both ways, vs the direct path);
#   cot      `cot-gen` events/s (XML, TAK), in-process generate/decode rates
#            (benches/cot.rs), and `listen --format cot` end to end: a
#            capture replayed with `mcast send --rate`, highest zero-loss rate;
#   capture  `listen --pcap FILE --format count` vs `tcpdump -w FILE` on the
#            same interface: highest zero-loss rate at 1200 B (datagrams in
#            the file); replay timing of `mcast replay` vs `tcpreplay` at the
#            same rate: p50/p99 error of the inter-arrival gaps seen by a
#            tcpdump at the receiver, against the original capture's;
#   mqtt     multicast -> mcast bridge -> mosquitto -> mcast bridge ->
#            multicast vs mosquitto_pub -> mosquitto -> mosquitto_sub moving
#            the same payloads: highest zero-loss rate at 64 and 1200 B, and
#            the end-to-end latency p50/p99 at a modest rate;
#   soak     (only on request: --soak) `mcast bridge` at 50k datagrams/s for
#            SECONDS (default 600), its RSS sampled every 10 s.
#
# Safety: nothing is ever sent from the host's network namespace. The script
# makes namespaces of its own (mcb-tx-PID, mcb-rx-PID, and for the bridge
# mcb-rl-PID between them) joined by veth pairs, runs every sender, relay
# and receiver inside them, and deletes them on exit. It only ever kills
# processes it started, by pid.
set -euo pipefail

QUICK=0
BUILD=1
MCAST=""
STATIC_MCAST=""
ALL_SECTIONS=send,listen,startup,bridge,cot,capture,mqtt,soak
SECTIONS=""     # from --only; empty: every section but the soak
SOAK_SECS=600
REPEAT=1        # from --repeat: runs of each zero-loss search
SOAK_ASKED=0
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --quick          shorter runs, one repetition, one attempt per rate
  --repeat N       run every zero-loss search N times and report the median
                   with the spread (min–max), since one search on a shared
                   machine is noisy (default 1)
  --only LIST      run only these sections (comma-separated): send, listen,
                   startup, bridge, cot, capture, soak (default: all but soak)
  --soak [SECS]    run the bridge memory soak for SECS seconds (default
                   600); alone, unless --only names other sections too
  --mcast PATH     benchmark this mcast binary (default: the release build)
  --static PATH    also measure this static build's start-up and RSS
                   (default: bench/build-static.sh's output, when present)
  --no-build       do not run `cargo build --release` first (the cot
                   section still builds benches/cot.rs with `cargo bench`)
  -h, --help       this text
EOF
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --repeat)
      REPEAT=${2:?--repeat needs a count}
      [[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat needs a positive count, not $REPEAT" >&2; exit 2; }
      shift
      ;;
    --only) SECTIONS=${2:?--only needs a list, e.g. bridge,cot}; shift ;;
    --soak)
      SOAK_ASKED=1
      if [[ ${2:-} =~ ^[0-9]+$ ]]; then SOAK_SECS=$2; shift; fi
      ;;
    --no-build) BUILD=0 ;;
    --mcast) MCAST=${2:?--mcast needs a path}; BUILD=0; shift ;;
    --static) STATIC_MCAST=${2:?--static needs a path}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[bench %(%T)T] %s\n' -1 "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

[[ $SOAK_ASKED -eq 1 && ,$SECTIONS, != *,soak,* ]] && SECTIONS=${SECTIONS:+$SECTIONS,}soak
[[ -n $SECTIONS ]] || SECTIONS=${ALL_SECTIONS%,soak}
for s in ${SECTIONS//,/ }; do
  [[ ,$ALL_SECTIONS, == *,$s,* ]] || die "unknown section $s in --only (sections: $ALL_SECTIONS)"
done
[[ $SOAK_SECS -ge 20 ]] || die "--soak needs at least 20 seconds"
sel() { [[ ,$SECTIONS, == *,$1,* ]]; }

[[ $EUID -eq 0 ]] || die "needs root: it creates network namespaces (run with sudo)"

# ---------------------------------------------------------------- tools ----
# Every missing tool is listed at once, with the Debian package to install.
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)"); }
need ip iproute2
need ethtool ethtool
need taskset util-linux
need awk gawk
if sel send || sel listen || sel startup || sel bridge; then need socat socat; fi
if sel send; then need iperf iperf; fi
if sel capture; then need tcpdump tcpdump; need tcpreplay tcpreplay; need capinfos tshark; need tshark tshark; fi
if sel listen || sel startup; then [[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (apt-get install time)"); fi
# The latency ping-pong (bench/rtt.py) needs a Python 3; the real
# interpreter, not a pyenv shim, so that no shell runs inside the namespace.
if sel mqtt; then need mosquitto mosquitto; need mosquitto_pub mosquitto-clients; fi
if sel bridge || sel mqtt; then
  need python3 python3
  PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
fi
cd "$(dirname "$0")/.."
BENCH_DIR=$PWD/bench
if [[ -z $MCAST ]]; then
  # The default (ordinary) release build; --mcast benchmarks another one,
  # e.g. the static artefact of bench/build-static.sh.
  MCAST=$PWD/target/release/mcast
  if [[ $BUILD -eq 1 ]]; then need cargo "rustup, https://rustup.rs"; fi
fi
if [[ -z $STATIC_MCAST ]]; then
  STATIC_MCAST=$PWD/target/$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')/release/mcast
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'run.sh: missing tools:\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi
# hyperfine is optional: without it start-up is timed with a shell loop.
HYPERFINE=$(command -v hyperfine || true)
[[ -n $HYPERFINE ]] || ! sel startup || log "hyperfine not found (apt-get install hyperfine); timing start-up with a loop instead"

# Other load skews every figure here (2 cores, both busy): say so up front.
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" 'BEGIN { exit !(l >= 0.5) }'; then log "warning: load average $LOAD_START before starting; figures will be noisy"; fi

if [[ $BUILD -eq 1 ]]; then
  log "cargo build --release"
  cargo build --release --quiet || die "cargo build --release failed"
fi
[[ -x $MCAST ]] || die "no mcast binary at $MCAST (build it or pass --mcast PATH)"
MCAST=$(readlink -f "$MCAST")

# ------------------------------------------------------------ parameters ---
# Counts are sized so each run lasts about a second: long enough that process
# start-up (and `ip netns exec`) is noise, short enough for the whole script
# to stay within a few minutes.
if [[ $QUICK -eq 1 ]]; then
  REPS=1            # repetitions of each send measurement (median taken)
  ATTEMPTS=1        # tries per rate step before declaring loss
  STEP_SECS=0.5     # length of one rate step
  N_SOCAT=100000 N_MCAST=600000 IPERF_SECS=1
  N_CAPACITY=400000 STARTUP_RUNS=50
  N_BCAP=400000     # datagrams offered to a relay by the unpaced sender
  RTT_N=1000 RTT_ROUNDS=1  # pings per path and round; rounds
  N_COTGEN=1000000 N_COTBENCH=300000 N_COT=100000
else
  REPS=3
  ATTEMPTS=2
  STEP_SECS=2
  N_SOCAT=300000 N_MCAST=2000000 IPERF_SECS=2
  N_CAPACITY=1000000 STARTUP_RUNS=200
  N_BCAP=1000000
  RTT_N=2000 RTT_ROUNDS=3
  N_COTGEN=1000000 N_COTBENCH=1000000 N_COT=200000
fi
RATES=(50000 100000 200000 300000 400000 600000 800000)
REPLAY_RATE=5000 # datagrams/s of the replay-timing stream (2 s of it)
LISTEN_SIZE=1200
# Relay ladder; the rate 1.8x socat's capacity is added to it (the target).
BRIDGE_RATES=(50000 100000 150000 200000 300000 400000 500000 600000 800000)
BRIDGE_TARGET=1.8
COT_RATES=(25000 50000 100000 150000 200000 250000 300000 400000)
SOAK_RATE=50000
# MQTT ladder (the broker is the bottleneck: steps well below the relay's).
MQTT_RATES=(2000 5000 10000 20000 40000 60000 80000 100000 120000 150000 200000 250000 300000)
MQTT_LAT_RATE=1000 # messages/s of the latency runs (2 s of them)

# Two cores: the sender on one, the receiver on the other, so they do not
# steal each other's time slices and runs are repeatable. (Note that veth
# delivers in the sender's softirq, so the sender's core also pays for the
# receive-side IP/UDP processing.)
if [[ $(nproc) -ge 2 ]]; then TX_CPU=0 RX_CPU=1; else TX_CPU=0 RX_CPU=0; log "one CPU: sender and receiver share it"; fi
# Bridge: the relay gets a core of its own (RX_CPU); sender and receiver
# share the other. veth delivers in the sending process's softirq, so the
# sender's core also does the relay's receive-side IP/UDP work, and the
# relay's core the receiver's: both relays pay the same, and the receiver
# (`listen --format count`, recvmmsg) needs little CPU.
RL_CPU=$RX_CPU BRX_CPU=$TX_CPU

# ----------------------------------------------------------- namespaces ----
NS_TX=mcb-tx-$$
NS_RX=mcb-rx-$$
IF_TX=mcb0
IF_RX=mcb1
ADDR_TX=10.99.0.1
ADDR_RX=10.99.0.2
# Bridge topology: tx (IF_TR) -- (IF_RI) relay (IF_RO) -- (IF_RR) rx,
# one subnet per link, so that the direct link above stays separate.
NS_RL=mcb-rl-$$
IF_TR=mcb2 ADDR_TR=10.99.1.1
IF_RI=mcb3 ADDR_RI=10.99.1.2
IF_RO=mcb4 ADDR_RO=10.99.2.1
IF_RR=mcb5 ADDR_RR=10.99.2.2
TMP=$(mktemp -d /tmp/mcb.XXXXXX)
PIDS=() # background processes this script started, ended by pid on exit
forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do
    # A receiver under /usr/bin/time is that process's child: end it first.
    kill $(pgrep -P "$p") "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  ip netns del "$NS_TX" 2>/dev/null || true
  ip netns del "$NS_RX" 2>/dev/null || true
  ip netns del "$NS_RL" 2>/dev/null || true
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "namespaces $NS_TX <-> $NS_RX"
ip netns add "$NS_TX"
ip netns add "$NS_RX"
for ns in "$NS_TX" "$NS_RX"; do
  # No IPv6: router solicitations and MLD reports would otherwise show up in
  # the veth packet counters that verify the datagram counts.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
# The veth pair is created inside the sender's namespace, never in the host's.
ip -n "$NS_TX" link add "$IF_TX" type veth peer name "$IF_RX" netns "$NS_RX"
ip -n "$NS_TX" addr add "$ADDR_TX/24" dev "$IF_TX"
ip -n "$NS_RX" addr add "$ADDR_RX/24" dev "$IF_RX"
ip -n "$NS_TX" link set "$IF_TX" up
ip -n "$NS_RX" link set "$IF_RX" up
ip -n "$NS_TX" route add 224.0.0.0/4 dev "$IF_TX"
ip -n "$NS_RX" route add 224.0.0.0/4 dev "$IF_RX"
# veth would carry a GSO super-datagram across whole; a real NIC (or its
# driver) segments it. Switching UDP segmentation off makes the kernel split
# it in software before the veth, so the GSO figures count real datagrams.
ip netns exec "$NS_TX" ethtool -K "$IF_TX" tx-udp-segmentation off >/dev/null

if sel bridge || sel soak || sel mqtt; then
  log "relay namespace $NS_TX <-> $NS_RL <-> $NS_RX"
  ip netns add "$NS_RL"
  ip netns exec "$NS_RL" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_RL" link set lo up
  # Each pair is created in one of the script's namespaces, its peer moved
  # straight into another: no interface ever exists in the host's.
  ip -n "$NS_TX" link add "$IF_TR" type veth peer name "$IF_RI" netns "$NS_RL"
  ip -n "$NS_RL" link add "$IF_RO" type veth peer name "$IF_RR" netns "$NS_RX"
  ip -n "$NS_TX" addr add "$ADDR_TR/24" dev "$IF_TR"
  ip -n "$NS_RL" addr add "$ADDR_RI/24" dev "$IF_RI"
  ip -n "$NS_RL" addr add "$ADDR_RO/24" dev "$IF_RO"
  ip -n "$NS_RX" addr add "$ADDR_RR/24" dev "$IF_RR"
  for x in "$NS_TX $IF_TR" "$NS_RL $IF_RI" "$NS_RL $IF_RO" "$NS_RX $IF_RR"; do
    ip -n "${x% *}" link set "${x#* }" up
  done
  # Every sender and relay here names its interface (IP_MULTICAST_IF), so
  # no multicast route is needed; as above, GSO is segmented before the veth.
  ip netns exec "$NS_TX" ethtool -K "$IF_TR" tx-udp-segmentation off >/dev/null
fi

in_tx() { ip netns exec "$NS_TX" taskset -c "$TX_CPU" "$@"; }
in_rx() { ip netns exec "$NS_RX" taskset -c "$RX_CPU" "$@"; }
# Starts a receiver in the background and sets BG_PID to its pid. The exec
# chain (subshell -> ip netns exec -> taskset -> tool) keeps one pid, so
# killing BG_PID ends the tool itself, not a wrapper shell.
start_rx() {
  (exec ip netns exec "$NS_RX" taskset -c "$RX_CPU" "$@") &
  BG_PID=$!
  PIDS+=("$BG_PID")
}
# The same for any namespace and core: start_bg NS CPU COMMAND...
start_bg() {
  (exec ip netns exec "$1" taskset -c "$2" "${@:3}") &
  BG_PID=$!
  PIDS+=("$BG_PID")
}
# True while PID runs (a zombie awaiting `wait` counts as ended).
alive() { [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
in_ns() { ip netns exec "$1" taskset -c "$2" "${@:3}"; }
# Ends a process this script started (SIGTERM: mcast prints its summary).
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# Packets and bytes that arrived on the receiver's veth: the ground truth for
# "how many datagrams did the sender really put on the wire, of what size".
rx_link() { ip netns exec "$NS_RX" cat /sys/class/net/$IF_RX/statistics/rx_packets /sys/class/net/$IF_RX/statistics/rx_bytes | paste -sd' '; }
# UDP InDatagrams (counted when an application reads a datagram) and
# RcvbufErrors (dropped because a socket buffer was full), receiver's netns.
udp_snmp() { snmp_of "$NS_RX"; }
snmp_of() { ip netns exec "$1" awk '/^Udp:/ { if (h) print $2, $6; h = 1 }' /proc/net/snmp; }
link_rx() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
# Waits until the datagrams in flight have all been read in namespace NS:
# its UDP counters stopped moving for 0.2 s (at most 10 s).
wait_drained() {
  local last="" cur i
  for i in $(seq 50); do
    sleep 0.2
    cur=$(snmp_of "$1")
    [[ $cur == "$last" ]] && return 0
    last=$cur
  done
}

GROUP_N=0
# A fresh group and port per run, so that a membership left over from the
# previous receiver cannot make the next one look ready too early.
next_group() { GROUP_N=$((GROUP_N + 1)); G=239.99.$((GROUP_N / 250)).$((GROUP_N % 250 + 1)); P=$((20000 + GROUP_N)); }
now_ns() { date +%s%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f×", a / b; else print "n/a" }'; }
fmt_rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM/s", r / 1e6; else printf "%.0fk/s", r / 1e3 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
yes_no() { if ge "$1" "$2"; then echo "yes"; else echo "**no**"; fi; }

# Notes go to a file: they are also raised inside $(...) subshells.
note() { printf '%s\n' "$*" >>"$TMP/notes"; log "$*"; }

# Waits until the receiver has joined the group (it shows in the veth's
# multicast list), so the sender's first datagram is not lost to start-up.
wait_joined() { wait_maddr "$NS_RX" "$IF_RX" "$1"; }
wait_maddr() { # NS DEV GROUP
  local i
  for i in $(seq 100); do
    ip -n "$1" maddr show dev "$2" | grep -q " $3\$" && { sleep 0.05; return 0; }
    sleep 0.02
  done
  die "nobody joined $3 on $2 in $1"
}

# ============================================== 1. send datagrams/s ====
# Each sender runs alone (nothing receives; the datagrams are dropped in the
# receiver's namespace). The veth counters check that the count and the
# datagram size are what the tool claims.
verify_link() { # before-counters expected-count size label
  local after pk by
  after=$(rx_link)
  pk=$((${after% *} - ${1% *}))
  by=$((${after#* } - ${1#* }))
  if [[ $pk -ne $2 || $by -ne $(($2 * ($3 + 42))) ]]; then
    note "$4: expected $2 datagrams of $3 B on the wire, saw $pk packets / $by bytes"
  fi
}

send_socat() { # size -> datagrams/s
  local before t0 t1
  before=$(rx_link)
  next_group
  t0=$(now_ns)
  # -b SIZE: every read of /dev/zero is SIZE bytes and becomes one datagram.
  in_tx socat -u -b "$1" OPEN:/dev/zero,readbytes=$((N_SOCAT * $1)) \
    "UDP4-DATAGRAM:$G:$P,ip-multicast-if=$ADDR_TX"
  t1=$(now_ns)
  verify_link "$before" "$N_SOCAT" "$1" "socat $1 B"
  awk -v n="$N_SOCAT" -v d=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / d * 1e9 }'
}

send_iperf() { # size -> datagrams/s, from iperf's own "Sent N datagrams" and interval
  local out
  next_group
  out=$(in_tx iperf -u -c "$G" -p "$P" -l "$1" -b 100G -t "$IPERF_SECS" -T 1 2>&1)
  awk '/ sec /{ split($3, iv, "-"); secs = iv[2] } /Sent [0-9]+ datagrams/ { n = $(NF - 1) }
       END { if (secs > 0 && n > 0) printf "%.0f\n", n / secs; else print "" }' <<<"$out"
}

send_mcast() { # size extra-args... -> datagrams/s (wall time around the process)
  local size=$1 before t0 t1 err
  shift
  before=$(rx_link)
  next_group
  t0=$(now_ns)
  err=$(in_tx "$MCAST" send "$G:$P@$IF_TX" --size "$size" --count "$N_MCAST" "$@" 2>&1 >/dev/null) ||
    die "mcast send failed: $err"
  t1=$(now_ns)
  verify_link "$before" "$N_MCAST" "$size" "mcast send --size $size $*"
  # Did GSO really happen when asked? (mcast marks its summary with "(GSO)".)
  if [[ " $* " != *" --no-gso "* && $err != *"(GSO)"* ]]; then
    note "mcast send --size $size fell back from GSO: $err"
  fi
  awk -v n="$N_MCAST" -v d=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / d * 1e9 }'
}

declare -A R # results
if sel send; then
  for size in 64 1200; do
    for tool in socat iperf mcast_mmsg mcast_gso; do
      vals=()
      for _ in $(seq "$REPS"); do
        case $tool in
          socat) v=$(send_socat "$size") ;;
          iperf) v=$(send_iperf "$size") ;;
          mcast_mmsg) v=$(send_mcast "$size" --no-gso) ;;
          mcast_gso) v=$(send_mcast "$size") ;;
        esac
        vals+=("$v")
      done
      R[send_${tool}_$size]=$(printf '%s\n' "${vals[@]}" | median)
      log "send $size B $tool: ${vals[*]} -> median ${R[send_${tool}_$size]}"
    done
  done
fi

# ====================================== 2. listen: capacity, zero loss ====
# Receiver in the receiver namespace on its own core, sender `mcast send
# --seq` on the other. Loss is measured by the kernel, the same way for every
# receiver: UDP InDatagrams (datagrams the application actually read) and
# RcvbufErrors (socket buffer overflows) of the receiver's namespace.
# Both receivers get the same 4 MiB receive buffer (mcast's default).

# listen_run KIND RATE N  (RATE "max": unpaced GSO sender)
# Sets: DELIVERED DROPS SEND_RATE RSS_KB
listen_run() {
  local kind=$1 rate=$2 n=$3 pid snmp0 snmp1 secs timeout last cur rate_args=()
  next_group
  [[ $rate != max ]] && rate_args=(--rate "$rate")
  secs=$(awk -v n="$n" -v r="$rate" 'BEGIN { print (r == "max") ? n / 300000 : n / r }')
  timeout=$(awk -v s="$secs" 'BEGIN { printf "%dms", (s + 2) * 1000 }')
  snmp0=$(udp_snmp)
  RSS_KB=""
  case $kind in
    mcast_count | mcast_json)
      # --count N: it exits as soon as all arrived, or at the deadline.
      start_rx /usr/bin/time -f %M -o "$TMP/rss" \
        "$MCAST" listen "$G:$P@$IF_RX" --format "${kind#mcast_}" --count "$n" --timeout "$timeout" \
        >/dev/null 2>"$TMP/listen.err"
      ;;
    socat)
      start_rx socat -u -b 65536 "UDP4-RECV:$P,ip-add-membership=$G:$ADDR_RX,rcvbuf=4194304" - >/dev/null
      ;;
  esac
  pid=$BG_PID
  wait_joined "$G"
  in_tx "$MCAST" send "$G:$P@$IF_TX" --size "$LISTEN_SIZE" --count "$n" "${rate_args[@]}" --seq \
    2>"$TMP/send.err" >/dev/null || true
  SEND_RATE=$(sed -n 's/.* in \([0-9.]*\)s: \([0-9]*\) datagrams\/s.*/\2/p' "$TMP/send.err")
  if [[ $kind == socat ]]; then
    # socat never exits by itself: stop it once the socket is drained (the
    # read counter stopped moving), after reading its peak RSS.
    last=""
    while :; do
      sleep 0.2
      cur=$(udp_snmp)
      [[ $cur == "$last" ]] && break
      last=$cur
    done
    RSS_KB=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status 2>/dev/null || true)
    kill "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
  if [[ $kind != socat ]]; then RSS_KB=$(tail -1 "$TMP/rss" 2>/dev/null || true); fi
  snmp1=$(udp_snmp)
  DELIVERED=$((${snmp1% *} - ${snmp0% *}))
  DROPS=$((${snmp1#* } - ${snmp0#* }))
  # Cross-check mcast's own summary against the kernel's count.
  if [[ $kind != socat ]] && ! grep -q -- "--- $DELIVERED datagrams" "$TMP/listen.err"; then
    note "$kind at $rate: kernel says $DELIVERED read, mcast says: $(head -2 "$TMP/listen.err" | tail -1)"
  fi
}

# zero_loss KEY KIND RUN VAR: the highest zero-loss rate. Steps the paced
# rate up (RATES) until a step loses datagrams in every attempt; RUN KIND
# RATE N runs one step and sets VAR to what arrived, and SEND_RATE. Sets
# R[KEY_KIND] (the rate) and R[KEYsent_KIND] (the sender's achieved rate).
zero_loss() {
  local key=$1 kind=$2 run=$3 var=$4 rate n ok
  R[${key}_$kind]=0 R[${key}sent_$kind]=0
  for rate in "${RATES[@]}"; do
    n=$(awk -v r="$rate" -v s="$STEP_SECS" 'BEGIN { printf "%d", r * s }')
    ok=0
    for _ in $(seq "$ATTEMPTS"); do
      "$run" "$kind" "$rate" "$n"
      log "$key zero-loss $kind @ $rate/s: sent at $SEND_RATE/s, ${!var} of $n arrived, drops ${DROPS:-?}"
      if [[ ${!var} -eq $n ]]; then ok=1; break; fi
    done
    [[ $ok -eq 1 ]] || break
    R[${key}_$kind]=$rate R[${key}sent_$kind]=$SEND_RATE
  done
}

# repeated KEY SENTKEY CMD...: runs a zero-loss search CMD (which sets
# R[KEY] and R[SENTKEY]) REPEAT times and keeps the median run's figures
# (the lower median for an even count), with the spread in R[KEY_spread].
repeated() {
  local key=$1 sent=$2 i vals=() sents=() idx=() mid
  shift 2
  for ((i = 0; i < REPEAT; i++)); do
    "$@"
    vals+=("${R[$key]}") sents+=("${R[$sent]}")
  done
  mapfile -t idx < <(for i in "${!vals[@]}"; do echo "${vals[$i]} $i"; done | sort -n -k1,1 | awk '{ print $2 }')
  mid=${idx[$(((REPEAT - 1) / 2))]}
  R[$key]=${vals[$mid]} R[$sent]=${sents[$mid]}
  if ((REPEAT > 1)); then
    R[${key}_spread]="$(fmt_rate "${vals[${idx[0]}]}")–$(fmt_rate "${vals[${idx[-1]}]}")"
    log "$key over $REPEAT searches: ${vals[*]} -> median ${R[$key]}"
  fi
}
# spread KEY: " [min–max of N]" after a repeated figure, nothing otherwise.
spread() { [[ -n ${R[${1}_spread]:-} ]] && echo " [${R[${1}_spread]} over $REPEAT]" || true; }

if sel listen; then
  LISTENERS=(mcast_count mcast_json socat)
  for kind in "${LISTENERS[@]}"; do
    # Capacity: the sender as fast as it goes (GSO); what the receiver reads
    # per second of sending. Without drops it is only a lower bound (the
    # sender was the bottleneck), marked "≥".
    best=0 best_mark="" rss=0
    for _ in $(seq "$REPS"); do
      listen_run "$kind" max "$N_CAPACITY"
      secs=$(awk -v n="$N_CAPACITY" -v r="$SEND_RATE" 'BEGIN { print n / r }')
      cap=$(awk -v d="$DELIVERED" -v s="$secs" 'BEGIN { printf "%.0f\n", d / s }')
      log "capacity $kind: sent at $SEND_RATE/s, read $DELIVERED of $N_CAPACITY, drops $DROPS -> $cap/s"
      if ge "$cap" "$best"; then
        best=$cap
        best_mark=$([[ $DELIVERED -ge $N_CAPACITY ]] && echo "≥" || true)
      fi
      if [[ -n $RSS_KB ]] && ge "$RSS_KB" "$rss"; then rss=$RSS_KB; fi
    done
    R[cap_$kind]=$best R[capmark_$kind]=$best_mark R[rss_listen_$kind]=$rss

    # Highest zero-loss rate: step the paced rate up until a step loses
    # datagrams in every attempt (ATTEMPTS > 1 absorbs one-off hiccups from
    # other load on the machine). The sender's achieved rate is kept, since
    # a paced sender that cannot keep up does not really test the rate.
    repeated "zl_$kind" "zlsent_$kind" zero_loss zl "$kind" listen_run DELIVERED
  done
  # The static artefact's resident size while receiving flat out (its code
  # laid out by bench/symbol-order.txt): one capacity run per mode.
  if [[ -n $STATIC_MCAST && -x $STATIC_MCAST ]]; then
    for kind in mcast_count mcast_json; do
      saved=$MCAST MCAST=$STATIC_MCAST
      listen_run "$kind" max "$N_CAPACITY"
      MCAST=$saved
      R[rss_listen_static_$kind]=$RSS_KB
      log "static $kind: read $DELIVERED of $N_CAPACITY, peak RSS $RSS_KB kB"
    done
  fi
fi

# ==================================== 3. peak RSS and start-up time ====
if sel startup; then
  next_group
  printf x >"$TMP/one"
  # socat reads the payload from a file (one read, one datagram): the same work
  # as `echo x | socat -u - ...` without a shell or pipe in the measurement.
  SOCAT_ONE=(socat -u "OPEN:$TMP/one" "UDP4-DATAGRAM:$G:$P")
  MCAST_ONE=("$MCAST" send "$G:$P" x)
  before=$(rx_link)
  in_tx "${SOCAT_ONE[@]}"
  verify_link "$before" 1 1 "socat one-shot"
  before=$(rx_link)
  in_tx "${MCAST_ONE[@]}"
  verify_link "$before" 1 1 "mcast one-shot"

  peak_rss() { in_tx /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null 2>&1 </dev/null; tail -1 "$TMP/rss"; }
  R[rss_oneshot_mcast]=$(peak_rss "${MCAST_ONE[@]}")
  R[rss_oneshot_socat]=$(peak_rss "${SOCAT_ONE[@]}")
  R[rss_bulk_mcast]=$(peak_rss "$MCAST" send "$G:$P@$IF_TX" --size 1200 --count 200000)
  R[rss_bulk_socat]=$(peak_rss socat -u -b 1200 OPEN:/dev/zero,readbytes=$((200000 * 1200)) "UDP4-DATAGRAM:$G:$P")
  # The static artefact (bench/build-static.sh), when it was built: a second
  # row for the figures static linking is about.
  STATIC_ONE=()
  if [[ -n $STATIC_MCAST && -x $STATIC_MCAST ]]; then
    STATIC_ONE=("$STATIC_MCAST" send "$G:$P" x)
    before=$(rx_link)
    in_tx "${STATIC_ONE[@]}"
    verify_link "$before" 1 1 "static mcast one-shot"
    R[rss_oneshot_static]=$(peak_rss "${STATIC_ONE[@]}")
  fi

  if [[ -n $HYPERFINE ]]; then
    # -N: no shell in between; both run in the sender namespace on one core.
    in_tx "$HYPERFINE" -N --style none --warmup 20 --runs "$STARTUP_RUNS" \
      --export-csv "$TMP/startup.csv" -n mcast "${MCAST_ONE[*]}" -n socat "${SOCAT_ONE[*]}" \
      ${STATIC_ONE[0]:+-n static "${STATIC_ONE[*]}"} >/dev/null 2>&1
    R[start_mcast]=$(awk -F, '$1 == "mcast" { printf "%.0f", $2 * 1e6 }' "$TMP/startup.csv")
    R[start_socat]=$(awk -F, '$1 == "socat" { printf "%.0f", $2 * 1e6 }' "$TMP/startup.csv")
    R[start_static]=$(awk -F, '$1 == "static" { printf "%.0f", $2 * 1e6 }' "$TMP/startup.csv")
    STARTUP_HOW="hyperfine -N, mean of $STARTUP_RUNS"
  else
    loop_us() {
      local t0 t1 i
      t0=$(now_ns)
      for ((i = 0; i < STARTUP_RUNS; i++)); do in_tx "$@" >/dev/null; done
      t1=$(now_ns)
      echo $(((t1 - t0) / STARTUP_RUNS / 1000))
    }
    R[start_mcast]=$(loop_us "${MCAST_ONE[@]}")
    R[start_socat]=$(loop_us "${SOCAT_ONE[@]}")
    if [[ ${#STATIC_ONE[@]} -gt 0 ]]; then R[start_static]=$(loop_us "${STATIC_ONE[@]}"); fi
    STARTUP_HOW="loop of $STARTUP_RUNS incl. ip netns exec + taskset"
  fi
fi

# ================================= 4. bridge: forwarding and latency ====
# sender (tx, TX_CPU) -> relay (rl, RL_CPU) -> receiver (rx, BRX_CPU), over
# two veth pairs. The relay is either
#   mcast bridge G:P@IF_RI G2:P2@IF_RO          (defaults: 2 s dedup window)
#   socat -u UDP4-RECV:P,ip-add-membership=G:ADDR_RI,reuseaddr,rcvbuf=4194304 \
#            UDP4-DATAGRAM:G2:P2,ip-multicast-if=ADDR_RO
# The sender numbers its datagrams (--seq): identical payloads would be
# (rightly) suppressed by the bridge's duplicate filter.

# relay_start KIND FROM-GROUP FROM-PORT FROM-DEV FROM-ADDR TO-GROUP TO-PORT TO-DEV TO-ADDR [ARGS...]
# Starts a relay in the relay namespace, waits for its membership, sets BG_PID.
relay_start() {
  case $1 in
    mcast) start_bg "$NS_RL" "$RL_CPU" "$MCAST" bridge "$2:$3@$4" "$6:$7@$8" "${@:10}" 2>>"$TMP/bridge.err" ;;
    socat)
      start_bg "$NS_RL" "$RL_CPU" socat -u "UDP4-RECV:$3,ip-add-membership=$2:$5,reuseaddr,rcvbuf=4194304" \
        "UDP4-DATAGRAM:$6:$7,ip-multicast-if=$9" 2>>"$TMP/bridge.err"
      ;;
  esac
  wait_maddr "$NS_RL" "$4" "$2"
}
# The groups of one run: the input group G:P, and G2:P2 (and more) after it.
out_group() { # k -> "239.(99-k).x.y port+1000k"
  echo "239.$((99 - $1)).${G#239.99.} $((P + 1000 * $1))"
}

# bridge_run KIND SIZE RATE N  (RATE "max": unpaced GSO sender)
# Sets: DELIVERED (read by the receiver), RX_DROPS (receiver's socket
# overflows), RL_READ / RL_DROPS (the relay's), OUT_LINK (datagrams on the
# receiver's veth), SEND_RATE.
bridge_run() {
  local kind=$1 size=$2 rate=$3 n=$4 relay rx a0 a1 b0 b1 l0 l1 gi pi go po rate_args=()
  next_group
  gi=$G pi=$P
  read -r go po <<<"$(out_group 1)"
  [[ $rate != max ]] && rate_args=(--rate "$rate")
  : >"$TMP/bridge.err"
  BRIDGE_TOTAL=""
  relay_start "$kind" "$gi" "$pi" "$IF_RI" "$ADDR_RI" "$go" "$po" "$IF_RO" "$ADDR_RO"
  relay=$BG_PID
  start_bg "$NS_RX" "$BRX_CPU" "$MCAST" listen "$go:$po@$IF_RR" --format count >/dev/null 2>"$TMP/listen.err"
  rx=$BG_PID
  wait_maddr "$NS_RX" "$IF_RR" "$go"
  a0=$(snmp_of "$NS_RX") b0=$(snmp_of "$NS_RL") l0=$(link_rx "$NS_RX" "$IF_RR")
  in_ns "$NS_TX" "$TX_CPU" "$MCAST" send "$gi:$pi@$IF_TR" --size "$size" --count "$n" "${rate_args[@]}" --seq \
    2>"$TMP/send.err" >/dev/null || true
  SEND_RATE=$(sed -n 's/.* in \([0-9.]*\)s: \([0-9]*\) datagrams\/s.*/\2/p' "$TMP/send.err")
  wait_drained "$NS_RX"
  stop_pid "$relay"
  stop_pid "$rx"
  a1=$(snmp_of "$NS_RX") b1=$(snmp_of "$NS_RL") l1=$(link_rx "$NS_RX" "$IF_RR")
  DELIVERED=$((${a1% *} - ${a0% *})) RX_DROPS=$((${a1#* } - ${a0#* }))
  RL_READ=$((${b1% *} - ${b0% *})) RL_DROPS=$((${b1#* } - ${b0#* }))
  OUT_LINK=$((l1 - l0))
  [[ -n $SEND_RATE ]] || die "mcast send failed: $(cat "$TMP/send.err")"
  if [[ $kind == mcast ]]; then
    BRIDGE_TOTAL=$(grep -m1 '^total' "$TMP/bridge.err" || true)
  fi
}

# Capacity: the unpaced sender offers more than either relay forwards;
# what comes out of the relay (read by the receiver) per second of sending.
# Without loss it is a lower bound (the sender was the bottleneck): "≥".
bridge_capacity() { # kind size -> R[bcap_kind_size], R[bcapmark_kind_size]
  local best=0 mark="" cap
  for _ in $(seq "$REPS"); do
    bridge_run "$1" "$2" max "$N_BCAP"
    cap=$(awk -v d="$DELIVERED" -v n="$N_BCAP" -v r="$SEND_RATE" 'BEGIN { printf "%.0f\n", d / (n / r) }')
    log "bridge capacity $1 $2 B: offered $N_BCAP at $SEND_RATE/s; relay read $RL_READ (dropped $RL_DROPS), out $OUT_LINK, receiver read $DELIVERED (dropped $RX_DROPS) -> $cap/s ${BRIDGE_TOTAL:-}"
    [[ $OUT_LINK -gt $DELIVERED ]] && note "bridge capacity $1 $2 B: the receiver lost $((OUT_LINK - DELIVERED)) of $OUT_LINK forwarded datagrams (undercount)"
    if ge "$cap" "$best"; then
      best=$cap
      mark=$([[ $DELIVERED -ge $N_BCAP ]] && echo "≥" || true)
    fi
  done
  R[bcap_$1_$2]=$best R[bcapmark_$1_$2]=$mark
}

# Highest zero-loss rate, as for listen: every datagram sent at the paced
# rate must reach the receiver.
bridge_ladder() { # kind size rates... -> R[bzl_kind_size], R[bzlsent_kind_size]
  local kind=$1 size=$2 rate n ok
  shift 2
  R[bzl_${kind}_$size]=0 R[bzlsent_${kind}_$size]=0
  for rate in "$@"; do
    n=$(awk -v r="$rate" -v s="$STEP_SECS" 'BEGIN { printf "%d", r * s }')
    ok=0
    for _ in $(seq "$ATTEMPTS"); do
      bridge_run "$kind" "$size" "$rate" "$n"
      log "bridge zero-loss $kind $size B @ $rate/s: sent at $SEND_RATE/s, relay read $RL_READ (dropped $RL_DROPS), receiver read $DELIVERED of $n (dropped $RX_DROPS) ${BRIDGE_TOTAL:-}"
      if [[ $DELIVERED -eq $n ]]; then ok=1; break; fi
    done
    [[ $ok -eq 1 ]] || break
    R[bzl_${kind}_$size]=$rate R[bzlsent_${kind}_$size]=$SEND_RATE
  done
}

# Latency: 64-byte ping-pong (bench/rtt.py), one ping in flight, through a
# relay in each direction, against the direct tx <-> rx link:
#   direct:   tx --GA--> rx(echo) --GD--> tx                       (mcb0/mcb1)
#   relayed:  tx --GA--> relay1 --GB--> rx(echo) --GC--> relay2 --GD--> tx
#   mcast_bw: one `mcast bridge GA@IF_RI GB@IF_RO --both-ways`, the echo
#             answering on GB
# The client runs on TX_CPU; echo and relays on RL_CPU, so every path has
# the same two cross-core wake-ups per round trip. Paths alternate within
# each round, so that drifting load on the machine hits them alike.
RTT_PATHS=(direct mcast mcast_bw socat)
rtt_round() { # path
  local path=$1 pids=() ga pa gb pb gc pc gd pd c_send c_listen p
  next_group
  ga=$G pa=$P
  read -r gb pb <<<"$(out_group 1)"
  read -r gc pc <<<"$(out_group 2)"
  read -r gd pd <<<"$(out_group 3)"
  : >"$TMP/bridge.err"
  case $path in
    direct)
      start_bg "$NS_RX" "$RL_CPU" "$PY" "$BENCH_DIR/rtt.py" echo "$ga:$pa@$ADDR_RX" "$gd:$pd@$ADDR_RX" >/dev/null
      pids+=("$BG_PID")
      wait_maddr "$NS_RX" "$IF_RX" "$ga"
      c_send=$ga:$pa@$ADDR_TX c_listen=$gd:$pd@$ADDR_TX
      ;;
    mcast | socat)
      relay_start "$path" "$ga" "$pa" "$IF_RI" "$ADDR_RI" "$gb" "$pb" "$IF_RO" "$ADDR_RO"
      pids+=("$BG_PID")
      relay_start "$path" "$gc" "$pc" "$IF_RO" "$ADDR_RO" "$gd" "$pd" "$IF_RI" "$ADDR_RI"
      pids+=("$BG_PID")
      start_bg "$NS_RX" "$RL_CPU" "$PY" "$BENCH_DIR/rtt.py" echo "$gb:$pb@$ADDR_RR" "$gc:$pc@$ADDR_RR" >/dev/null
      pids+=("$BG_PID")
      wait_maddr "$NS_RX" "$IF_RR" "$gb"
      c_send=$ga:$pa@$ADDR_TR c_listen=$gd:$pd@$ADDR_TR
      ;;
    mcast_bw)
      relay_start mcast "$ga" "$pa" "$IF_RI" "$ADDR_RI" "$gb" "$pb" "$IF_RO" "$ADDR_RO" --both-ways
      pids+=("$BG_PID")
      wait_maddr "$NS_RL" "$IF_RO" "$gb"
      start_bg "$NS_RX" "$RL_CPU" "$PY" "$BENCH_DIR/rtt.py" echo "$gb:$pb@$ADDR_RR" "$gb:$pb@$ADDR_RR" >/dev/null
      pids+=("$BG_PID")
      wait_maddr "$NS_RX" "$IF_RR" "$gb"
      c_send=$ga:$pa@$ADDR_TR c_listen=$ga:$pa@$ADDR_TR
      ;;
  esac
  : >"$TMP/rtt.out"
  in_ns "$NS_TX" "$TX_CPU" "$PY" "$BENCH_DIR/rtt.py" ping "$c_send" "$c_listen" "$RTT_N" "$TMP/rtt.out" 200 2>"$TMP/rtt.err" || true
  [[ -s $TMP/rtt.err ]] && note "rtt $path: $(cat "$TMP/rtt.err")"
  cat "$TMP/rtt.out" >>"$TMP/rtt_$path"
  for p in "${pids[@]}"; do stop_pid "$p"; done
  log "rtt $path: $(wc -l <"$TMP/rtt.out") pings, p50 $(pctl 50 <"$TMP/rtt.out") µs, p99 $(pctl 99 <"$TMP/rtt.out") µs"
}
pctl() { # P < numbers -> the P-th percentile (nearest rank)
  sort -g | awk -v p="$1" '{ a[NR] = $1 } END { if (NR) { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; print a[i] } }'
}

if sel bridge; then
  [[ -x $PY ]] || die "no python3 interpreter for bench/rtt.py"
  for size in 64 1200; do
    for kind in socat mcast; do bridge_capacity "$kind" "$size"; done
    # The target: zero loss through mcast up to 1.8x what socat forwards.
    R[btarget_$size]=$(awk -v c="${R[bcap_socat_$size]}" -v k="$BRIDGE_TARGET" 'BEGIN { printf "%d", int(c * k / 1000 + 0.5) * 1000 }')
    mapfile -t steps < <(printf '%s\n' "${BRIDGE_RATES[@]}" "${R[btarget_$size]}" | sort -gu)
    for kind in socat mcast; do
      repeated "bzl_${kind}_$size" "bzlsent_${kind}_$size" bridge_ladder "$kind" "$size" "${steps[@]}"
    done
  done
  # The direct link carries a 224.0.0.0/4 route (for the tools above that
  # name no interface); the relay links have none, and on this kernel the
  # route alone adds ~10-20 µs to a multicast round trip. Every socket here
  # names its interface, so the routes go while the round trips are timed.
  ip -n "$NS_TX" route del 224.0.0.0/4 dev "$IF_TX"
  ip -n "$NS_RX" route del 224.0.0.0/4 dev "$IF_RX"
  for _ in $(seq "$RTT_ROUNDS"); do
    for path in "${RTT_PATHS[@]}"; do rtt_round "$path"; done
  done
  ip -n "$NS_TX" route add 224.0.0.0/4 dev "$IF_TX"
  ip -n "$NS_RX" route add 224.0.0.0/4 dev "$IF_RX"
  for path in "${RTT_PATHS[@]}"; do
    R[rtt_n_$path]=$(wc -l <"$TMP/rtt_$path")
    R[rtt50_$path]=$(pctl 50 <"$TMP/rtt_$path")
    R[rtt99_$path]=$(pctl 99 <"$TMP/rtt_$path")
  done
fi

# ================================================== 5. Cursor-on-Target ====
# cot-gen to /dev/null (no socket is opened), the in-process bench
# (benches/cot.rs, one core), and `listen --format cot` end to end: a
# capture of N_COT events (100 units walking) replayed by `mcast send`
# (one datagram per line) at paced rates, highest rate read without loss.
cot_gen_rate() { # format -> events/s (wall time of the process, one core)
  local t0 t1
  t0=$(now_ns)
  in_tx "$MCAST" cot-gen --count "$N_COTGEN" --format "$1" >/dev/null
  t1=$(now_ns)
  awk -v n="$N_COTGEN" -v d=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / d * 1e9 }'
}

# cot_run RATE  (RATE "max": unpaced) -> DELIVERED DROPS SEND_RATE COT_SUMMARY
cot_run() {
  local rate=$1 pid s0 s1 rate_args=()
  next_group
  [[ $rate != max ]] && rate_args=(--rate "$rate")
  s0=$(udp_snmp)
  start_rx "$MCAST" listen "$G:$P@$IF_RX" --format cot --count "$N_COT" >/dev/null 2>"$TMP/listen.err"
  pid=$BG_PID
  wait_joined "$G"
  in_tx "$MCAST" send "$G:$P@$IF_TX" "${rate_args[@]}" <"$TMP/cot.xml" 2>"$TMP/send.err" >/dev/null || true
  SEND_RATE=$(sed -n 's/.* in \([0-9.]*\)s: \([0-9]*\) datagrams\/s.*/\2/p' "$TMP/send.err")
  [[ -n $SEND_RATE ]] || die "mcast send failed: $(cat "$TMP/send.err")"
  wait_drained "$NS_RX"
  stop_pid "$pid"
  s1=$(udp_snmp)
  DELIVERED=$((${s1% *} - ${s0% *}))
  DROPS=$((${s1#* } - ${s0#* }))
  COT_SUMMARY=$(grep -m1 'CoT:' "$TMP/listen.err" || true)
}

if sel cot; then
  for f in xml tak; do
    vals=()
    for _ in $(seq "$REPS"); do vals+=("$(cot_gen_rate "$f")"); done
    R[cotgen_$f]=$(printf '%s\n' "${vals[@]}" | median)
    log "cot-gen --format $f: ${vals[*]} -> median ${R[cotgen_$f]}"
  done

  # In-process: build the bench (even with --no-build: it is not the mcast
  # binary) and run it on one core.
  if command -v cargo >/dev/null 2>&1; then
    log "cargo bench --bench cot --no-run"
    exe=$(cargo bench --bench cot --no-run --message-format=json 2>/dev/null |
      grep '"kind":\["bench"\]' | grep '"name":"cot"' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
    if [[ -x $exe ]]; then
      in_tx "$exe" "$N_COTBENCH" >"$TMP/cotbench" 2>&1 || note "benches/cot.rs failed: $(tail -1 "$TMP/cotbench")"
      sed 's/^/  /' "$TMP/cotbench" >&2
      bench_val() { awk -v k="$1" 'index($0, k) == 1 { print $(NF - 1) }' "$TMP/cotbench"; }
      R[cotb_gen_xml]=$(bench_val "generate + encode XML")
      R[cotb_gen_tak]=$(bench_val "generate + encode TAK")
      R[cotb_dec_xml]=$(bench_val "decode XML")
      R[cotb_dec_tak]=$(bench_val "decode TAK")
      R[cotb_xml_size]=$(sed -n 's/^decode XML.*(\([0-9]*\) B).*/\1/p' "$TMP/cotbench")
    else
      note "could not build benches/cot.rs; in-process CoT figures skipped"
    fi
  else
    note "cargo not found: in-process CoT figures skipped"
  fi

  # The capture: generated once, fixed seed and time, so runs compare.
  in_tx "$MCAST" cot-gen --count "$N_COT" --units 100 --move walk --seed 7 --time 2026-01-01T00:00:00Z >"$TMP/cot.xml"
  R[cot_size]=$(awk '{ s += length($0) } END { printf "%.0f", s / NR }' "$TMP/cot.xml")

  best=0
  for _ in $(seq "$REPS"); do
    cot_run max
    cap=$(awk -v d="$DELIVERED" -v n="$N_COT" -v r="$SEND_RATE" 'BEGIN { printf "%.0f\n", d / (n / r) }')
    log "cot capacity: sent at $SEND_RATE/s, read $DELIVERED of $N_COT, drops $DROPS -> $cap/s; $COT_SUMMARY"
    if ge "$cap" "$best"; then best=$cap; R[cotcapmark]=$([[ $DELIVERED -ge $N_COT ]] && echo "≥" || true); fi
  done
  R[cotcap]=$best
  R[cotzl]=0 R[cotzlsent]=0
  for rate in "${COT_RATES[@]}"; do
    ok=0
    for _ in $(seq "$ATTEMPTS"); do
      cot_run "$rate"
      log "cot zero-loss @ $rate/s: sent at $SEND_RATE/s, read $DELIVERED of $N_COT, drops $DROPS; $COT_SUMMARY"
      if [[ $DELIVERED -eq $N_COT ]]; then ok=1; break; fi
    done
    [[ $ok -eq 1 ]] || break
    R[cotzl]=$rate R[cotzlsent]=$SEND_RATE
    if [[ $COT_SUMMARY != *" $N_COT XML events, 0 TAK v1 events, 0 TAK control, 0 malformed"* ]]; then
      note "cot @ $rate/s: not every event decoded: $COT_SUMMARY"
    fi
  done
fi

# ======================================== 6. capture and replay timing ====
# cap_run KIND RATE N: KIND mcast (listen --pcap) or tcpdump (-w), both on
# the receiver's core; the sender `mcast send --size 1200 --rate RATE`.
# Sets CAPTURED (datagrams in the file) and SEND_RATE.
cap_count() { capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'; }
cap_run() {
  local kind=$1 rate=$2 n=$3 pid timeout secs file=$TMP/cap.$1
  next_group
  rm -f "$file"
  secs=$(awk -v n="$n" -v r="$rate" 'BEGIN { print n / r }')
  timeout=$(awk -v s="$secs" 'BEGIN { printf "%dms", (s + 2) * 1000 }')
  case $kind in
    mcast)
      start_rx "$MCAST" listen "$G:$P@$IF_RX" --format count --count "$n" --timeout "$timeout" --pcap "$file" \
        >/dev/null 2>"$TMP/cap.err"
      pid=$BG_PID
      wait_joined "$G"
      ;;
    tcpdump)
      # The same 4 MiB of buffer as mcast's socket; -n, no name lookups.
      start_rx tcpdump -n --immediate-mode -i "$IF_RX" -B 4096 -s 0 -w "$file" "udp dst port $P" 2>"$TMP/cap.err"
      pid=$BG_PID
      for _ in $(seq 100); do grep -q "listening on" "$TMP/cap.err" && break; sleep 0.05; done
      # A member of the group, as a receiving application would be.
      start_bg "$NS_RX" "$RX_CPU" "$MCAST" join "$G@$IF_RX" >/dev/null 2>&1
      jpid=$BG_PID
      wait_joined "$G"
      ;;
  esac
  in_tx "$MCAST" send "$G:$P@$IF_TX" --size 1200 --count "$n" --rate "$rate" 2>"$TMP/send.err" >/dev/null || true
  SEND_RATE=$(sed -n 's/.* in \([0-9.]*\)s: \([0-9]*\) datagrams\/s.*/\2/p' "$TMP/send.err")
  if [[ $kind == tcpdump ]]; then
    sleep 0.5
    kill -INT "$pid" 2>/dev/null || true
    stop_pid "$jpid"
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
  CAPTURED=$(cap_count "$file")
  CAPTURED=${CAPTURED:-0}
}

# gap_errors ORIGINAL REPLAYED: p50 and p99 (µs) of |gap_replayed - gap_original|.
gap_errors() {
  paste <(tshark -r "$1" -T fields -e frame.time_epoch) <(tshark -r "$2" -T fields -e frame.time_epoch) |
    awk 'NR > 1 && NF == 2 { d = ($2 - p2) - ($1 - p1); if (d < 0) d = -d; print d * 1e6 } NF == 2 { p1 = $1; p2 = $2 }' |
    sort -g | awk '{ a[NR] = $1 } END {
      if (!NR) { print "n/a n/a 0"; exit }
      i = int(NR * 0.5); if (i < 1) i = 1
      j = int(NR * 0.99); if (j < 1) j = 1
      printf "%.0f %.0f %d\n", a[i], a[j], NR + 1 }'
}

if sel capture; then
  for kind in mcast tcpdump; do
    repeated "czl_$kind" "czlsent_$kind" zero_loss czl "$kind" cap_run CAPTURED
  done

  # Replay timing: one original capture (tcpdump at the receiver of a paced
  # 1200 B stream), replayed from the sender namespace by each tool at its
  # original rate and recaptured by tcpdump at the receiver.
  n=$((REPLAY_RATE * 2))
  next_group
  orig=$TMP/replay-orig.pcap
  start_rx tcpdump -n --immediate-mode -i "$IF_RX" -B 4096 -s 0 -w "$orig" "udp dst port $P" 2>"$TMP/cap.err"
  tpid=$BG_PID
  for _ in $(seq 100); do grep -q "listening on" "$TMP/cap.err" && break; sleep 0.05; done
  in_tx "$MCAST" send "$G:$P@$IF_TX" --size 1200 --count "$n" --rate "$REPLAY_RATE" >/dev/null 2>&1
  sleep 0.5; kill -INT "$tpid"; wait "$tpid" 2>/dev/null || true; forget_pid "$tpid"
  cp "$orig" "$TMP/replay-in.pcap"
  for tool in mcast tcpreplay; do
    out=$TMP/replay-$tool.pcap
    start_rx tcpdump -n --immediate-mode -i "$IF_RX" -B 4096 -s 0 -w "$out" "udp dst port $P" 2>"$TMP/cap.err"
    tpid=$BG_PID
    for _ in $(seq 100); do grep -q "listening on" "$TMP/cap.err" && break; sleep 0.05; done
    case $tool in
      mcast) in_tx "$MCAST" replay "$TMP/replay-in.pcap" --iface "$IF_TX" >/dev/null 2>"$TMP/replay.err" ;;
      tcpreplay) in_tx tcpreplay -q -i "$IF_TX" "$TMP/replay-in.pcap" >/dev/null 2>"$TMP/replay.err" ;;
    esac
    sleep 0.5; kill -INT "$tpid"; wait "$tpid" 2>/dev/null || true; forget_pid "$tpid"
    read -r p50 p99 cnt <<<"$(gap_errors "$orig" "$out")"
    R[rp50_$tool]=$p50 R[rp99_$tool]=$p99 R[rcnt_$tool]=$cnt
    log "replay $tool: $cnt of $n recaptured, gap error p50 $p50 µs, p99 $p99 µs"
  done
  R[rorig]=$(cap_count "$orig")
fi

# ============================================== 7. MQTT broker path ====
# mosquitto in the relay namespace (RL_CPU), on both of its addresses.
#   mcast:  tx (send --seq, G@IF_TX) -> rx: mcast bridge G@IF_RX
#           mqtt://ADDR_RO/bench/t -> mosquitto -> tx: mcast bridge
#           mqtt://ADDR_RI/bench/t G2@IF_TR -> rl: mcast listen G2@IF_RI
#   peer:   rx: mosquitto_pub -l (lines from bench/mqtt_pub.py, paced) ->
#           mosquitto -> tx: mosquitto_sub
# Delivery is counted at the end of each path: the listener's UDP counters
# in the relay namespace, or the lines mosquitto_sub printed.
mqtt_broker_start() {
  printf 'listener 1883 %s\nlistener 1883 %s\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nmax_queued_messages 100000\n' \
    "$ADDR_RI" "$ADDR_RO" >"$TMP/mosquitto.conf"
  start_bg "$NS_RL" "$RL_CPU" mosquitto -c "$TMP/mosquitto.conf" 2>>"$TMP/mosquitto.err"
  MQ_PID=$BG_PID
  local i
  for i in $(seq 100); do
    ip netns exec "$NS_RL" ss -Htln | grep -q ":1883" && return 0
    sleep 0.05
  done
  die "mosquitto did not start: $(cat "$TMP/mosquitto.err")"
}
# mqtt_mcast_run SIZE RATE N [json] -> DELIVERED (and $TMP/mq_listen.out)
mqtt_mcast_run() {
  local size=$1 rate=$2 n=$3 fmt=${4:-count} ba bb rx a0 a1 go po
  next_group
  read -r go po <<<"$(out_group 1)"
  : >"$TMP/mq_bridge.err"
  start_bg "$NS_RX" "$RX_CPU" "$MCAST" bridge "$G:$P@$IF_RX" "mqtt://$ADDR_RO/bench/t" --queue 100000 2>>"$TMP/mq_bridge.err"
  ba=$BG_PID
  start_bg "$NS_TX" "$TX_CPU" "$MCAST" bridge "mqtt://$ADDR_RI/bench/t" "$go:$po@$IF_TR" --queue 100000 2>>"$TMP/mq_bridge.err"
  bb=$BG_PID
  start_bg "$NS_RL" "$TX_CPU" "$MCAST" listen "$go:$po@$IF_RI" --format "$fmt" >"$TMP/mq_listen.out" 2>/dev/null
  rx=$BG_PID
  wait_maddr "$NS_RX" "$IF_RX" "$G"
  wait_maddr "$NS_RL" "$IF_RI" "$go"
  local i
  for i in $(seq 100); do
    [[ $(grep -c "connected (MQTT" "$TMP/mq_bridge.err") -ge 2 ]] && break
    sleep 0.05
  done
  sleep 0.3 # the subscription follows the CONNACK
  a0=$(snmp_of "$NS_RL")
  in_ns "$NS_TX" "$TX_CPU" "$MCAST" send "$G:$P@$IF_TX" --size "$size" --count "$n" --rate "$rate" --seq 2>"$TMP/send.err" >/dev/null || true
  SEND_RATE=$(sed -n 's/.* in \([0-9.]*\)s: \([0-9]*\) datagrams\/s.*/\2/p' "$TMP/send.err")
  wait_drained "$NS_RL"
  stop_pid "$ba"
  stop_pid "$bb"
  stop_pid "$rx"
  a1=$(snmp_of "$NS_RL")
  DELIVERED=$((${a1% *} - ${a0% *}))
}
# mqtt_peer_run SIZE RATE N -> DELIVERED (and $TMP/mq_sub.out)
mqtt_peer_run() {
  local size=$1 rate=$2 n=$3 sub
  start_bg "$NS_TX" "$TX_CPU" mosquitto_sub --nodelay -h "$ADDR_RI" -t bench/p -F '%U %p' -C "$n" >"$TMP/mq_sub.out" 2>/dev/null
  sub=$BG_PID
  sleep 0.3
  local t0 t1
  t0=$(now_ns)
  "$PY" "$BENCH_DIR/mqtt_pub.py" gen "$rate" "$n" "$size" |
    in_ns "$NS_RX" "$RX_CPU" mosquitto_pub --nodelay -h "$ADDR_RO" -t bench/p -l 2>/dev/null || true
  t1=$(now_ns)
  local i last=-1 cur
  for i in $(seq 50); do
    sleep 0.2
    cur=$(wc -l <"$TMP/mq_sub.out")
    [[ $cur -ge $n || $cur -eq $last ]] && break
    last=$cur
  done
  stop_pid "$sub"
  DELIVERED=$(wc -l <"$TMP/mq_sub.out")
  # The generator and mosquitto_pub may not keep up with the rate asked:
  # the rate achieved is what counts.
  SEND_RATE=$(awk -v n="$n" -v d="$((t1 - t0))" 'BEGIN { printf "%.0f", n * 1e9 / d }')
}
# One zero-loss step for zero_loss: KIND is PATH_SIZE (mcast_64, peer_1200).
mqtt_step() { "mqtt_${1%_*}_run" "${1##*_}" "$2" "$3"; }

if sel mqtt; then
  [[ -x $PY ]] || die "no python3 interpreter for bench/mqtt_pub.py"
  mqtt_broker_start
  # zero_loss steps through RATES: the MQTT ladder for this section.
  saved_rates=("${RATES[@]}")
  RATES=("${MQTT_RATES[@]}")
  for size in 64 1200; do
    for kind in peer mcast; do repeated "mzl_${kind}_$size" "mzlsent_${kind}_$size" zero_loss mzl "${kind}_$size" mqtt_step DELIVERED; done
  done
  RATES=("${saved_rates[@]}")
  n=$((MQTT_LAT_RATE * 2))
  mqtt_mcast_run 64 "$MQTT_LAT_RATE" "$n" json
  grep -o '"latency_us":[0-9.]*' "$TMP/mq_listen.out" | cut -d: -f2 >"$TMP/mq_lat_mcast"
  mqtt_peer_run 64 "$MQTT_LAT_RATE" "$n"
  "$PY" "$BENCH_DIR/mqtt_pub.py" lat <"$TMP/mq_sub.out" >"$TMP/mq_lat_peer"
  for kind in mcast peer; do
    R[mlat50_$kind]=$(pctl 50 <"$TMP/mq_lat_$kind") R[mlat99_$kind]=$(pctl 99 <"$TMP/mq_lat_$kind")
    R[mlatn_$kind]=$(wc -l <"$TMP/mq_lat_$kind")
    log "mqtt latency $kind: ${R[mlatn_$kind]} messages, p50 ${R[mlat50_$kind]} µs, p99 ${R[mlat99_$kind]} µs"
  done
  stop_pid "$MQ_PID"
fi

# ====================================================== 7. memory soak ====
# mcast bridge forwarding SOAK_RATE datagrams/s (1200 B, numbered) for
# SOAK_SECS; VmRSS from /proc/PID/status every 10 s. The first sample after
# 10 s of traffic (duplicate window warm) against the last and the maximum.
if sel soak; then
  next_group
  gi=$G pi=$P
  read -r go po <<<"$(out_group 1)"
  : >"$TMP/bridge.err"
  relay_start mcast "$gi" "$pi" "$IF_RI" "$ADDR_RI" "$go" "$po" "$IF_RO" "$ADDR_RO"
  bpid=$BG_PID
  [[ $(cat "/proc/$bpid/comm") == mcast ]] || die "soak: pid $bpid is not the bridge"
  start_bg "$NS_RX" "$BRX_CPU" "$MCAST" listen "$go:$po@$IF_RR" --format count >/dev/null 2>"$TMP/listen.err"
  rx=$BG_PID
  wait_maddr "$NS_RX" "$IF_RR" "$go"
  a0=$(snmp_of "$NS_RX")
  rss() { awk '/^VmRSS/ { print $2 }' "/proc/$bpid/status"; }
  R[soak_idle]=$(rss)
  soak_n=$((SOAK_RATE * SOAK_SECS))
  log "soak: $soak_n datagrams at $SOAK_RATE/s through mcast bridge (pid $bpid), ${SOAK_SECS}s"
  start_bg "$NS_TX" "$TX_CPU" "$MCAST" send "$gi:$pi@$IF_TR" --size 1200 --seq --rate "$SOAK_RATE" --count "$soak_n" \
    >/dev/null 2>"$TMP/soak_send.err"
  spid=$BG_PID
  samples=()
  t_start=$SECONDS
  while alive "$spid"; do
    sleep 10
    samples+=("$(rss)")
    log "soak t=$((SECONDS - t_start))s: bridge VmRSS ${samples[-1]} kB"
  done
  wait "$spid" 2>/dev/null || true
  forget_pid "$spid"
  wait_drained "$NS_RX"
  R[soak_hwm]=$(awk '/^VmHWM/ { print $2 }' "/proc/$bpid/status")
  stop_pid "$bpid"
  stop_pid "$rx"
  a1=$(snmp_of "$NS_RX")
  R[soak_read]=$((${a1% *} - ${a0% *}))
  R[soak_sent]=$soak_n
  R[soak_first]=${samples[0]}
  R[soak_last]=${samples[-1]}
  R[soak_max]=$(printf '%s\n' "${samples[@]}" | sort -g | tail -1)
  R[soak_n]=${#samples[@]}
  # Run-length encoded: "11824×60" for a flat run.
  R[soak_series]=$(printf '%s\n' "${samples[@]}" | awk '$1 != v { if (n) { printf "%s%s×%d", sep, v, n; sep = " " } v = $1; n = 0 } { n++ } END { printf "%s%s×%d", sep, v, n }')
  R[soak_total]=$(grep -m1 '^total' "$TMP/bridge.err" || true)
  R[soak_secs]=$((SECONDS - t_start))
  log "soak: ${R[soak_total]}; receiver read ${R[soak_read]} of $soak_n"
fi

# ================================================================ report ====
row() { printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"; }
row6() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
echo "## mcast benchmark ($(date -u +%F), $(uname -r), $(nproc) CPUs, $([[ $QUICK -eq 1 ]] && echo quick || echo full) mode$( ((REPEAT > 1)) && echo ", zero-loss searches median of $REPEAT"), sections $SECTIONS, mcast $(git describe --always --dirty 2>/dev/null || echo '?'))"
echo
if sel send || sel listen || sel startup; then
  row "Measurement" "mcast" "socat" "iperf2" "mcast ÷ socat" "mcast ÷ iperf2" "Target" "Met"
  row "---" "---:" "---:" "---:" "---:" "---:" "---" "---"
fi
if sel send; then
  for size in 64 1200; do
    s=${R[send_socat_$size]} i=${R[send_iperf_$size]}
    m=${R[send_mcast_mmsg_$size]} g=${R[send_mcast_gso_$size]}
    tgt_m="—" met_m="—" tgt_g="—" met_g="—"
    if [[ $size -eq 64 ]]; then
      tgt_m="≥ 1.9× socat" met_m=$(yes_no "$m" "$(awk -v s="$s" 'BEGIN { print 1.9 * s }')")
      tgt_g="≥ 5× socat" met_g=$(yes_no "$g" "$(awk -v s="$s" 'BEGIN { print 5 * s }')")
    fi
    row "send $size B, sendmmsg (--no-gso)" "$(fmt_rate "$m")" "$(fmt_rate "$s")" "$(fmt_rate "$i")" "$(ratio "$m" "$s")" "$(ratio "$m" "$i")" "$tgt_m" "$met_m"
    row "send $size B, GSO" "$(fmt_rate "$g")" "" "" "$(ratio "$g" "$s")" "$(ratio "$g" "$i")" "$tgt_g" "$met_g"
  done
fi
if sel listen; then
  sc=${R[cap_socat]}
  row "listen capacity, count mode ($LISTEN_SIZE B)" "${R[capmark_mcast_count]}$(fmt_rate "${R[cap_mcast_count]}")" "${R[capmark_socat]}$(fmt_rate "$sc")" "" "$(ratio "${R[cap_mcast_count]}" "$sc")" "" "—" "—"
  row "listen capacity, --format json" "${R[capmark_mcast_json]}$(fmt_rate "${R[cap_mcast_json]}")" "" "" "$(ratio "${R[cap_mcast_json]}" "$sc")" "" "—" "—"
  zs=${R[zl_socat]}
  zl_cell() { # kind: requested step and, in brackets, what the sender achieved
    if [[ ${R[zl_$1]} -eq 0 ]]; then echo "< $(fmt_rate "${RATES[0]}")"; else echo "$(fmt_rate "${R[zl_$1]}") ($(fmt_rate "${R[zlsent_$1]}") sent)$(spread "zl_$1")"; fi
  }
  # A step counts as met only if the sender really reached ~the rate.
  zl_met_800=$([[ ${R[zl_mcast_count]} -ge 800000 ]] && ge "${R[zlsent_mcast_count]}" 760000 && echo yes || echo "**no**")
  row "zero-loss rate, count mode" "$(zl_cell mcast_count)" "$(zl_cell socat)" "" "$(ratio "${R[zl_mcast_count]}" "$zs")" "" "800k/s" "$zl_met_800"
  row "zero-loss rate, --format json" "$(zl_cell mcast_json)" "" "" "$(ratio "${R[zl_mcast_json]}" "$zs")" "" "≥ 4× socat" \
    "$(yes_no "${R[zl_mcast_json]}" "$(awk -v s="$zs" 'BEGIN { print 4 * s }')")"
fi
if sel startup; then
  row "peak RSS, one-shot send" "${R[rss_oneshot_mcast]} kB" "${R[rss_oneshot_socat]} kB" "" "$(ratio "${R[rss_oneshot_mcast]}" "${R[rss_oneshot_socat]}")" "" "≤ 2560 kB" "$(yes_no 2560 "${R[rss_oneshot_mcast]}")"
  row "peak RSS, bulk send 1200 B" "${R[rss_bulk_mcast]} kB" "${R[rss_bulk_socat]} kB" "" "$(ratio "${R[rss_bulk_mcast]}" "${R[rss_bulk_socat]}")" "" "≤ 2560 kB" "$(yes_no 2560 "${R[rss_bulk_mcast]}")"
fi
if sel listen && sel startup; then
  # The ratio is the larger of the two modes' to socat's.
  rss_row() { # label count-kB json-kB
    local worst
    worst=$(printf '%s\n' "$2" "$3" | sort -g | tail -1)
    row "$1" "$2 / $3 kB" "${R[rss_listen_socat]} kB" "" "$(ratio "$worst" "${R[rss_listen_socat]}")" "" "≤ 0.6× socat" \
      "$(yes_no "$(awk -v s="${R[rss_listen_socat]}" 'BEGIN { print 0.6 * s }')" "$worst")"
  }
  rss_row "peak RSS, listen count / json" "${R[rss_listen_mcast_count]}" "${R[rss_listen_mcast_json]}"
  if [[ -n ${R[rss_listen_static_mcast_count]:-} ]]; then
    rss_row "static artefact: peak RSS, listen count / json" "${R[rss_listen_static_mcast_count]}" "${R[rss_listen_static_mcast_json]}"
  fi
fi
if sel startup; then
  row "one-shot start-up (µs)" "${R[start_mcast]}" "${R[start_socat]}" "" "$(ratio "${R[start_mcast]}" "${R[start_socat]}")" "" "≤ 0.5× socat" "$(yes_no "$(awk -v s="${R[start_socat]}" 'BEGIN { print 0.5 * s }')" "${R[start_mcast]}")"
  if [[ -n ${R[start_static]:-} ]]; then
    row "static artefact: peak RSS one-shot" "${R[rss_oneshot_static]} kB" "${R[rss_oneshot_socat]} kB" "" "$(ratio "${R[rss_oneshot_static]}" "${R[rss_oneshot_socat]}")" "" "—" "—"
    row "static artefact: one-shot start-up (µs)" "${R[start_static]}" "${R[start_socat]}" "" "$(ratio "${R[start_static]}" "${R[start_socat]}")" "" "—" "—"
  fi
fi
if sel send || sel listen || sel startup; then
  echo
  if sel send; then echo "Send: median of $REPS, datagrams ÷ sender wall time (iperf2: its own count and interval), datagram counts and sizes checked on the receiving veth; GSO segmented in software (tx-udp-segmentation off)."; fi
  if sel listen; then echo "Listen: $LISTEN_SIZE B, sender \`mcast send --seq\` on CPU $TX_CPU, receiver on CPU $RX_CPU, 4 MiB rcvbuf both; loss = datagrams not read (kernel UDP counters); capacity = read ÷ sending time with an unpaced GSO sender, best of $REPS (≥: no loss, sender-bound); zero-loss steps ${RATES[*]} of ${STEP_SECS}s, $ATTEMPTS attempt(s) each."; fi
  if sel startup; then echo "Start-up: $STARTUP_HOW."; fi
  echo
fi

if sel bridge; then
  bzl_cell() { # kind size
    if [[ ${R[bzl_$1_$2]} -eq 0 ]]; then echo "< $(fmt_rate "${BRIDGE_RATES[0]}")"; else echo "$(fmt_rate "${R[bzl_$1_$2]}") ($(fmt_rate "${R[bzlsent_$1_$2]}") sent)$(spread "bzl_$1_$2")"; fi
  }
  row6 "Relay (tx → relay → rx)" "mcast bridge" "socat relay" "mcast ÷ socat" "Target" "Met"
  row6 "---" "---:" "---:" "---:" "---" "---"
  for size in 64 1200; do
    cm=${R[bcap_mcast_$size]} cs=${R[bcap_socat_$size]} tg=${R[btarget_$size]}
    row6 "forwarding capacity, $size B" "${R[bcapmark_mcast_$size]}$(fmt_rate "$cm")" "${R[bcapmark_socat_$size]}$(fmt_rate "$cs")" "$(ratio "$cm" "$cs")" \
      "≥ $BRIDGE_TARGET× socat" "$(yes_no "$cm" "$(awk -v s="$cs" -v k="$BRIDGE_TARGET" 'BEGIN { print k * s }')")"
    # Met only if the paced sender really reached ~the target rate.
    met=$([[ ${R[bzl_mcast_$size]} -ge $tg ]] && ge "${R[bzlsent_mcast_$size]}" "$(awk -v t="$tg" 'BEGIN { print 0.95 * t }')" && echo yes || echo "**no**")
    row6 "zero-loss rate, $size B" "$(bzl_cell mcast "$size")" "$(bzl_cell socat "$size")" "$(ratio "${R[bzl_mcast_$size]}" "${R[bzl_socat_$size]}")" \
      "zero loss up to $(fmt_rate "$tg") ($BRIDGE_TARGET× socat capacity)" "$met"
  done
  echo
  row "Round trip, 64 B ping-pong" "p50 µs" "p99 µs" "added p50 µs" "added p99 µs" "pings" "Target" "Met"
  row "---" "---:" "---:" "---:" "---:" "---:" "---" "---"
  d50=${R[rtt50_direct]} d99=${R[rtt99_direct]}
  for path in "${RTT_PATHS[@]}"; do
    case $path in
      direct) label="direct link (no relay)" ;;
      mcast) label="via 2× mcast bridge" ;;
      mcast_bw) label="via 1× mcast bridge --both-ways" ;;
      socat) label="via 2× socat" ;;
    esac
    a50=$(awk -v a="${R[rtt50_$path]}" -v d="$d50" 'BEGIN { printf "%+.1f", a - d }')
    a99=$(awk -v a="${R[rtt99_$path]}" -v d="$d99" 'BEGIN { printf "%+.1f", a - d }')
    tgt="—" met="—"
    if [[ $path == mcast* ]]; then
      tgt="p50, p99 ≤ socat's"
      met=$(ge "${R[rtt50_socat]}" "${R[rtt50_$path]}" && ge "${R[rtt99_socat]}" "${R[rtt99_$path]}" && echo yes || echo "**no**")
    fi
    [[ $path == direct ]] && a50="—" a99="—"
    row "$label" "${R[rtt50_$path]}" "${R[rtt99_$path]}" "$a50" "$a99" "${R[rtt_n_$path]}" "$tgt" "$met"
  done
  echo
  echo "Relay: sender \`mcast send --seq\` (unpaced GSO for capacity, best of $REPS × $N_BCAP; paced for zero loss) and receiver \`mcast listen --format count\` on CPU $TX_CPU, relay alone on CPU $RL_CPU; 4 MiB rcvbuf both relays; counted by the receiver's kernel UDP counters (capacity = read ÷ sending time; ≥: no loss, sender-bound); zero-loss steps ${BRIDGE_RATES[*]} + the target, ${STEP_SECS}s, $ATTEMPTS attempt(s) each."
  echo "Round trip: bench/rtt.py, one ping in flight, ${RTT_N} pings × $RTT_ROUNDS round(s) per path (paths interleaved), 200 warm-up pings each; client on CPU $TX_CPU, echo and relays on CPU $RL_CPU; no multicast route on any link; added = minus the direct link's percentile."
  echo
fi

if sel cot; then
  row6 "Cursor-on-Target (one core)" "events/s" "" "" "Target" "Met"
  row6 "---" "---:" "" "" "---" "---"
  row6 "cot-gen --count $N_COTGEN --format xml > /dev/null" "$(fmt_rate "${R[cotgen_xml]}")" "" "" "≥ 500k/s" "$(yes_no "${R[cotgen_xml]}" 500000)"
  row6 "cot-gen --count $N_COTGEN --format tak > /dev/null" "$(fmt_rate "${R[cotgen_tak]}")" "" "" "≥ 500k/s" "$(yes_no "${R[cotgen_tak]}" 500000)"
  if [[ -n ${R[cotb_dec_xml]:-} ]]; then
    row6 "in-process: generate + encode XML / TAK" "$(fmt_rate "${R[cotb_gen_xml]}") / $(fmt_rate "${R[cotb_gen_tak]}")" "" "" "≥ 500k/s" \
      "$(yes_no "$(printf '%s\n' "${R[cotb_gen_xml]}" "${R[cotb_gen_tak]}" | sort -g | head -1)" 500000)"
    row6 "in-process: decode + summary line, XML (${R[cotb_xml_size]} B)" "$(fmt_rate "${R[cotb_dec_xml]}")" "" "" "≥ 200k/s" "$(yes_no "${R[cotb_dec_xml]}" 200000)"
    row6 "in-process: decode + summary line, TAK v1" "$(fmt_rate "${R[cotb_dec_tak]}")" "" "" "≥ 200k/s" "$(yes_no "${R[cotb_dec_tak]}" 200000)"
  fi
  row6 "listen --format cot capacity (XML, ${R[cot_size]} B avg)" "${R[cotcapmark]}$(fmt_rate "${R[cotcap]}")" "" "" "—" "—"
  zl=$([[ ${R[cotzl]} -eq 0 ]] && echo "< $(fmt_rate "${COT_RATES[0]}")" || echo "$(fmt_rate "${R[cotzl]}") ($(fmt_rate "${R[cotzlsent]}") sent)")
  met=$([[ ${R[cotzl]} -ge 200000 ]] && ge "${R[cotzlsent]}" 190000 && echo yes || echo "**no**")
  row6 "listen --format cot zero-loss rate (end to end)" "$zl" "" "" "≥ 200k/s" "$met"
  echo
  echo "CoT: cot-gen wall time, median of $REPS; in-process: benches/cot.rs with $N_COTBENCH events (100 walking units); end to end: \`cot-gen --count $N_COT --units 100 --move walk\` captured, replayed by \`mcast send [--rate R]\` (CPU $TX_CPU) into \`mcast listen --format cot > /dev/null\` (CPU $RX_CPU), loss from kernel UDP counters; steps ${COT_RATES[*]}, $ATTEMPTS attempt(s) each."
  echo
fi

if sel capture; then
  row6 "Capture and replay (1200 B)" "mcast" "tcpdump / tcpreplay" "mcast ÷ peer" "Target" "Met"
  row6 "---" "---:" "---:" "---:" "---" "---"
  zc=${R[czl_mcast]} zt=${R[czl_tcpdump]}
  row6 "highest zero-loss capture rate (listen --pcap vs tcpdump -w)" "$(fmt_rate "$zc") ($(fmt_rate "${R[czlsent_mcast]}") sent)$(spread czl_mcast)" "$(fmt_rate "$zt") ($(fmt_rate "${R[czlsent_tcpdump]}") sent)$(spread czl_tcpdump)" "$(ratio "$zc" "$zt")" "≥ tcpdump" "$(yes_no "$zc" "$zt")"
  row6 "replay gap error p50 (µs) at $(fmt_rate "$REPLAY_RATE")" "${R[rp50_mcast]}" "${R[rp50_tcpreplay]}" "—" "—" "—"
  row6 "replay gap error p99 (µs) at $(fmt_rate "$REPLAY_RATE")" "${R[rp99_mcast]}" "${R[rp99_tcpreplay]}" "—" "≤ tcpreplay's" "$(yes_no "${R[rp99_tcpreplay]}" "${R[rp99_mcast]}")"
  row6 "datagrams recaptured / original" "${R[rcnt_mcast]} / ${R[rorig]}" "${R[rcnt_tcpreplay]} / ${R[rorig]}" "—" "all" "$([[ ${R[rcnt_mcast]} -eq ${R[rorig]} ]] && echo yes || echo "**no**")"
  echo
  echo "Capture: datagrams in the file (capinfos) after \`mcast send --size 1200 --rate R\` on CPU $TX_CPU; \`mcast listen --pcap FILE --format count\` or \`tcpdump -B 4096 -w FILE\` (plus \`mcast join\`) on CPU $RX_CPU; steps ${RATES[*]} of ${STEP_SECS}s, $ATTEMPTS attempt(s) each. Replay: a tcpdump capture of $((REPLAY_RATE * 2)) paced datagrams replayed by \`mcast replay --iface\` and \`tcpreplay -i\` (original timing) from the sender namespace, recaptured by tcpdump at the receiver; error = |replayed gap − captured gap| per consecutive pair."
  echo
fi

if sel mqtt; then
  mzl_cell() { [[ ${R[mzl_$1_$2]} -eq 0 ]] && echo "< $(fmt_rate "${MQTT_RATES[0]}")" || echo "$(fmt_rate "${R[mzl_$1_$2]}") ($(fmt_rate "${R[mzlsent_$1_$2]}") sent)$(spread "mzl_$1_$2")"; }
  row6 "Through mosquitto (one broker, local)" "mcast bridge ×2" "mosquitto_pub/sub" "mcast ÷ peer" "Target" "Met"
  row6 "---" "---:" "---:" "---:" "---" "---"
  for size in 64 1200; do
    row6 "highest zero-loss rate, $size B" "$(mzl_cell mcast "$size")" "$(mzl_cell peer "$size")" "$(ratio "${R[mzlsent_mcast_$size]}" "${R[mzlsent_peer_$size]}")" "—" "—"
  done
  row6 "end-to-end latency p50 / p99 (µs) at $(fmt_rate "$MQTT_LAT_RATE"), 64 B" "${R[mlat50_mcast]} / ${R[mlat99_mcast]}" "${R[mlat50_peer]} / ${R[mlat99_peer]}" "—" "—" "—"
  row6 "messages timed" "${R[mlatn_mcast]}" "${R[mlatn_peer]}" "—" "—" "—"
  echo
  echo "MQTT: mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p;q') in its own namespace on CPU $RL_CPU (QoS 0). mcast path: \`mcast send --seq --rate R\` (CPU $TX_CPU) -> \`mcast bridge G mqtt://broker/bench/t\` (CPU $RX_CPU) -> mosquitto -> \`mcast bridge mqtt://broker/bench/t G2\` (CPU $TX_CPU) -> \`mcast listen\` (CPU $TX_CPU), delivery from the listener's UDP counters. Peer path: bench/mqtt_pub.py paced lines -> \`mosquitto_pub -l\` (CPU $RX_CPU) -> mosquitto -> \`mosquitto_sub\` (CPU $TX_CPU), both --nodelay as mcast's client, delivery = lines printed. Steps ${MQTT_RATES[*]} of ${STEP_SECS}s, $ATTEMPTS attempt(s) each; the ratio compares the rates achieved without loss (sent), since the Python line generator feeding mosquitto_pub falls short of the higher steps (the peer's figure is then its generator's limit, a lower bound on the broker's). Latency: the sender's clock in the payload (--seq header; the line's first field) against the receive time (listen's latency_us; mosquitto_sub's %U), the same host clock."
  echo
fi

if sel soak; then
  grow=$((R[soak_last] - R[soak_first]))
  flat=$(awk -v g="$grow" -v f="${R[soak_first]}" 'BEGIN { print (g <= 256 || g <= f / 100) ? "yes" : "**no**" }')
  row6 "Bridge soak (${R[soak_secs]} s at $(fmt_rate "$SOAK_RATE"), 1200 B)" "VmRSS kB" "" "" "Target" "Met"
  row6 "---" "---:" "" "" "---" "---"
  row6 "idle (joined, before traffic)" "${R[soak_idle]}" "" "" "—" "—"
  row6 "first sample (10 s) / last / max of ${R[soak_n]}" "${R[soak_first]} / ${R[soak_last]} / ${R[soak_max]}" "" "" "flat (last − first ≤ max(256 kB, 1%))" "$flat ($((grow)) kB)"
  row6 "peak (VmHWM)" "${R[soak_hwm]}" "" "" "—" "—"
  row6 "datagrams read by the receiver / sent" "${R[soak_read]} / ${R[soak_sent]}" "" "" "—" "$([[ ${R[soak_read]} -eq ${R[soak_sent]} ]] && echo "no loss" || echo "**$((R[soak_sent] - R[soak_read])) lost**")"
  echo
  echo "Soak: VmRSS every 10 s (kB×samples): ${R[soak_series]}. Bridge: ${R[soak_total]}"
  echo
fi

echo "Ran in $SECONDS s; load average $LOAD_START at start, $(cut -d' ' -f1 /proc/loadavg) at end (other load on the 2 cores skews all figures)."
echo
if [[ -s $TMP/notes ]]; then
  sed 's/^/- note: /' "$TMP/notes"
elif sel send; then
  echo "Every send run put exactly the expected number of datagrams, of the expected size, on the wire."
fi
