#!/usr/bin/env bash
# bench/run.sh: measure mcast against socat and iperf2, side by side, in one run.
#
#   sudo bench/run.sh [--quick] [--mcast PATH] [--no-build] [--help]
#
# What it measures (figures and ratios go to stdout as one Markdown table;
# progress goes to stderr):
#   1. send rate (datagrams/s) for 64 B and 1200 B payloads: socat, iperf2,
#      mcast via sendmmsg (--no-gso) and mcast via UDP GSO;
#   2. listen capacity (unpaced sender) and the highest zero-loss rate of
#      `mcast listen --format count`, `--format json` and a socat receiver;
#   3. peak RSS and one-shot start-up time, mcast vs socat.
#
# Safety: nothing is ever sent from the host's network namespace. The script
# makes two namespaces of its own (mcb-tx-PID, mcb-rx-PID) joined by a veth
# pair, runs every sender and receiver inside them, and deletes them on exit.
# It only ever kills processes it started, by pid.
set -euo pipefail

QUICK=0
BUILD=1
MCAST=""
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --quick        shorter runs, one repetition, one attempt per rate (~1 min)
  --mcast PATH   benchmark this mcast binary (default: the release build)
  --no-build     do not run `cargo build --release` first
  -h, --help     this text
EOF
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    --mcast) MCAST=${2:?--mcast needs a path}; BUILD=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[bench %(%T)T] %s\n' -1 "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

[[ $EUID -eq 0 ]] || die "needs root: it creates network namespaces (run with sudo)"

# ---------------------------------------------------------------- tools ----
# Every missing tool is listed at once, with the Debian package to install.
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt-get install $2)"); }
need ip iproute2
need ethtool ethtool
need socat socat
need iperf iperf
need taskset util-linux
need awk gawk
[[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (apt-get install time)")
cd "$(dirname "$0")/.."
if [[ -z $MCAST ]]; then
  # .cargo/config.toml names the target (for the static build), so cargo
  # puts the binary under target/<triple>/.
  MCAST=$PWD/target/x86_64-unknown-linux-gnu/release/mcast
  if [[ $BUILD -eq 1 ]]; then need cargo "rustup, https://rustup.rs"; fi
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'run.sh: missing tools:\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi
# hyperfine is optional: without it start-up is timed with a shell loop.
HYPERFINE=$(command -v hyperfine || true)
[[ -n $HYPERFINE ]] || log "hyperfine not found (apt-get install hyperfine); timing start-up with a loop instead"

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
else
  REPS=3
  ATTEMPTS=2
  STEP_SECS=2
  N_SOCAT=300000 N_MCAST=2000000 IPERF_SECS=2
  N_CAPACITY=1000000 STARTUP_RUNS=200
fi
RATES=(50000 100000 200000 300000 400000 600000 800000)
LISTEN_SIZE=1200

# Two cores: the sender on one, the receiver on the other, so they do not
# steal each other's time slices and runs are repeatable. (Note that veth
# delivers in the sender's softirq, so the sender's core also pays for the
# receive-side IP/UDP processing.)
if [[ $(nproc) -ge 2 ]]; then TX_CPU=0 RX_CPU=1; else TX_CPU=0 RX_CPU=0; log "one CPU: sender and receiver share it"; fi

# ----------------------------------------------------------- namespaces ----
NS_TX=mcb-tx-$$
NS_RX=mcb-rx-$$
IF_TX=mcb0
IF_RX=mcb1
ADDR_TX=10.99.0.1
ADDR_RX=10.99.0.2
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

# Packets and bytes that arrived on the receiver's veth: the ground truth for
# "how many datagrams did the sender really put on the wire, of what size".
rx_link() { ip netns exec "$NS_RX" cat /sys/class/net/$IF_RX/statistics/rx_packets /sys/class/net/$IF_RX/statistics/rx_bytes | paste -sd' '; }
# UDP InDatagrams (counted when an application reads a datagram) and
# RcvbufErrors (dropped because a socket buffer was full), receiver's netns.
udp_snmp() { ip netns exec "$NS_RX" awk '/^Udp:/ { if (h) print $2, $6; h = 1 }' /proc/net/snmp; }

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
wait_joined() {
  local i
  for i in $(seq 100); do
    ip -n "$NS_RX" maddr show dev "$IF_RX" | grep -q " $1\$" && { sleep 0.05; return 0; }
    sleep 0.02
  done
  die "receiver never joined $1"
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
  R[zl_$kind]=0 R[zlsent_$kind]=0
  for rate in "${RATES[@]}"; do
    n=$(awk -v r="$rate" -v s="$STEP_SECS" 'BEGIN { printf "%d", r * s }')
    ok=0
    for _ in $(seq "$ATTEMPTS"); do
      listen_run "$kind" "$rate" "$n"
      log "zero-loss $kind @ $rate/s: sent at $SEND_RATE/s, read $DELIVERED of $n, drops $DROPS"
      if [[ $DELIVERED -eq $n ]]; then ok=1; break; fi
    done
    [[ $ok -eq 1 ]] || break
    R[zl_$kind]=$rate R[zlsent_$kind]=$SEND_RATE
  done
done

# ==================================== 3. peak RSS and start-up time ====
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

if [[ -n $HYPERFINE ]]; then
  # -N: no shell in between; both run in the sender namespace on one core.
  in_tx "$HYPERFINE" -N --style none --warmup 20 --runs "$STARTUP_RUNS" \
    --export-csv "$TMP/startup.csv" -n mcast "${MCAST_ONE[*]}" -n socat "${SOCAT_ONE[*]}" >/dev/null 2>&1
  R[start_mcast]=$(awk -F, '$1 == "mcast" { printf "%.0f", $2 * 1e6 }' "$TMP/startup.csv")
  R[start_socat]=$(awk -F, '$1 == "socat" { printf "%.0f", $2 * 1e6 }' "$TMP/startup.csv")
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
  STARTUP_HOW="loop of $STARTUP_RUNS incl. ip netns exec + taskset"
fi

# ================================================================ report ====
row() { printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"; }
echo "## mcast benchmark ($(date -u +%F), $(uname -r), $(nproc) CPUs, $([[ $QUICK -eq 1 ]] && echo quick || echo full) mode, mcast $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
row "Measurement" "mcast" "socat" "iperf2" "mcast ÷ socat" "mcast ÷ iperf2" "Target" "Met"
row "---" "---:" "---:" "---:" "---:" "---:" "---" "---"
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
sc=${R[cap_socat]}
row "listen capacity, count mode ($LISTEN_SIZE B)" "${R[capmark_mcast_count]}$(fmt_rate "${R[cap_mcast_count]}")" "${R[capmark_socat]}$(fmt_rate "$sc")" "" "$(ratio "${R[cap_mcast_count]}" "$sc")" "" "—" "—"
row "listen capacity, --format json" "${R[capmark_mcast_json]}$(fmt_rate "${R[cap_mcast_json]}")" "" "" "$(ratio "${R[cap_mcast_json]}" "$sc")" "" "—" "—"
zs=${R[zl_socat]}
zl_cell() { # kind: requested step and, in brackets, what the sender achieved
  if [[ ${R[zl_$1]} -eq 0 ]]; then echo "< $(fmt_rate "${RATES[0]}")"; else echo "$(fmt_rate "${R[zl_$1]}") ($(fmt_rate "${R[zlsent_$1]}") sent)"; fi
}
# A step counts as met only if the sender really reached ~the rate.
zl_met_800=$([[ ${R[zl_mcast_count]} -ge 800000 ]] && ge "${R[zlsent_mcast_count]}" 760000 && echo yes || echo "**no**")
row "zero-loss rate, count mode" "$(zl_cell mcast_count)" "$(zl_cell socat)" "" "$(ratio "${R[zl_mcast_count]}" "$zs")" "" "800k/s" "$zl_met_800"
row "zero-loss rate, --format json" "$(zl_cell mcast_json)" "" "" "$(ratio "${R[zl_mcast_json]}" "$zs")" "" "≥ 4× socat" \
  "$(yes_no "${R[zl_mcast_json]}" "$(awk -v s="$zs" 'BEGIN { print 4 * s }')")"
row "peak RSS, one-shot send" "${R[rss_oneshot_mcast]} kB" "${R[rss_oneshot_socat]} kB" "" "$(ratio "${R[rss_oneshot_mcast]}" "${R[rss_oneshot_socat]}")" "" "≤ 2560 kB" "$(yes_no 2560 "${R[rss_oneshot_mcast]}")"
row "peak RSS, bulk send 1200 B" "${R[rss_bulk_mcast]} kB" "${R[rss_bulk_socat]} kB" "" "$(ratio "${R[rss_bulk_mcast]}" "${R[rss_bulk_socat]}")" "" "≤ 2560 kB" "$(yes_no 2560 "${R[rss_bulk_mcast]}")"
row "peak RSS, listen count / json" "${R[rss_listen_mcast_count]} / ${R[rss_listen_mcast_json]} kB" "${R[rss_listen_socat]} kB" "" "$(ratio "${R[rss_listen_mcast_json]}" "${R[rss_listen_socat]}")" "" "≤ 2560 kB" \
  "$(yes_no 2560 "$(printf '%s\n' "${R[rss_listen_mcast_count]}" "${R[rss_listen_mcast_json]}" | sort -g | tail -1)")"
row "one-shot start-up (µs)" "${R[start_mcast]}" "${R[start_socat]}" "" "$(ratio "${R[start_mcast]}" "${R[start_socat]}")" "" "≤ 0.5× socat" "$(yes_no "$(awk -v s="${R[start_socat]}" 'BEGIN { print 0.5 * s }')" "${R[start_mcast]}")"
echo
echo "Send: median of $REPS, datagrams ÷ sender wall time (iperf2: its own count and interval), datagram counts and sizes checked on the receiving veth; GSO segmented in software (tx-udp-segmentation off)."
echo "Listen: $LISTEN_SIZE B, sender \`mcast send --seq\` on CPU $TX_CPU, receiver on CPU $RX_CPU, 4 MiB rcvbuf both; loss = datagrams not read (kernel UDP counters); capacity = read ÷ sending time with an unpaced GSO sender, best of $REPS (≥: no loss, sender-bound); zero-loss steps ${RATES[*]} of ${STEP_SECS}s, $ATTEMPTS attempt(s) each."
echo "Start-up: $STARTUP_HOW. Ran in $SECONDS s; load average $LOAD_START at start, $(cut -d' ' -f1 /proc/loadavg) at end (other load on the 2 cores skews all figures)."
echo
if [[ -s $TMP/notes ]]; then
  sed 's/^/- note: /' "$TMP/notes"
else
  echo "Every send run put exactly the expected number of datagrams, of the expected size, on the wire."
fi
