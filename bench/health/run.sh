#!/usr/bin/env bash
# Health-check harness: N real HTTP check servers on loopback (tools/checksrv.c, pinned to cpu 0),
# then a health checker pinned to cpu 1 that must check every one of them every INTER_MS: HAProxy
# (the reference) and, with CHECKER_CMD, a candidate, measured the same way in the same run.
#
#   bench/health/run.sh                                   # HAProxy only, N=10000, inter 1 s
#   CHECKER_CMD=bench/health/examples/naive-java-checker.sh bench/health/run.sh
#   N=2000 SCENARIOS="ok ref10" RUNS=3 bench/health/run.sh
#
# See README.md for the knobs and the CHECKER_CMD contract. Results go to
# /tmp/lbbench/health/results/<stamp>/ (RESULTS to choose). Nothing is left running.
set -euo pipefail
HDIR=$(dirname "$(readlink -f "$0")")
export WORK=${HEALTH_WORK:-/tmp/lbbench/health}   # own pids file: never reaps the proxy harness's processes
# knobs (set before lib.sh, whose own defaults for WARMUP and RUNS are for wrk runs)
N=${N:-10000}                        # check servers (each its own address:port)
INTER_MS=${INTER_MS:-1000}           # check interval
CHECK_TIMEOUT_MS=${CHECK_TIMEOUT_MS:-$INTER_MS}
FALL=${FALL:-3}; RISE=${RISE:-2}
WARMUP=${WARMUP:-15}                 # s per checker start before its window (JIT, first spread, fall)
WINDOW=${WINDOW:-30}                 # s measured
RUNS=${RUNS:-2}                      # rounds; each round runs every target once (interleaved)
SCENARIOS=${SCENARIOS:-"ok bh10"}    # ok | bh<PCT> (black holes) | ref<PCT> (refused), PCT divides 100
SERVER_PROCS=${SERVER_PROCS:-4}      # checksrv processes (fds: N/SERVER_PROCS listeners each)
SERVER_BASE=${SERVER_BASE:-127.1}    # server i listens on SERVER_BASE.(i/250).(i%250+1):CHECK_PORT
CHECK_PORT=${CHECK_PORT:-18400}
KEEP_RECORDS=${KEEP_RECORDS:-0}      # 1: keep every window's raw records under results/raw/
source "$HDIR/lib.sh"   # start_bg stop stop_all reap_stale pg_cpu_ticks pg_rss_kb cpu_snap wait_quiet log die
SERVER_CPUS=${SERVER_CPUS:-$LOAD_CPUS}
TARGET_CPUS=${TARGET_CPUS:-$PROXY_CPUS}
DEFAULT_TARGETS="haproxy"; [ -n "${CHECKER_CMD:-}" ] && DEFAULT_TARGETS="haproxy candidate"
TARGETS=${TARGETS:-$DEFAULT_TARGETS}
[ "$N" -le 64000 ] || die "N must be <= 64000"

# ------------------------------------------------------------------ helpers
srv_addr() { echo "$SERVER_BASE.$(($1 / 250)).$(($1 % 250 + 1)):$CHECK_PORT"; }
now_us() { date +%s%6N; }
cpu1_busy() {  # busy ticks (user nice system irq softirq steal) of the cpus in TARGET_CPUS (list like 1 or 0,1)
  awk -v cpus=",$TARGET_CPUS," '$1 ~ /^cpu[0-9]+$/ { c = substr($1, 4); if (index(cpus, "," c ",")) t += $2 + $3 + $4 + $7 + $8 + $9 } END { print t + 0 }' /proc/stat
}
scenario_every() {  # scenario -> "every mode"
  case $1 in
    ok) echo "0 none" ;;
    bh[0-9]*) echo "$((100 / ${1#bh})) blackhole" ;;
    ref[0-9]*) echo "$((100 / ${1#ref})) refuse" ;;
    *) die "unknown scenario $1 (ok, bhPCT, refPCT)" ;;
  esac
}

build_checksrv() {
  local bin=$WORK/bin/checksrv
  if [ ! -x "$bin" ] || [ "$HDIR/tools/checksrv.c" -nt "$bin" ]; then
    command -v gcc >/dev/null || { log "installing gcc"; DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq gcc libc6-dev >/dev/null; }
    mkdir -p "$WORK/bin"
    gcc -O2 -Wall -o "$bin" "$HDIR/tools/checksrv.c" || die "cannot build checksrv"
  fi
  CHECKSRV=$bin
}

SEG=0
start_servers() {  # every mode
  local every=$1 mode=$2 k per=$(((N + SERVER_PROCS - 1) / SERVER_PROCS)) first cnt
  rm -f "$WORK/rec/"*
  mkdir -p "$WORK/rec"
  for k in $(seq 0 $((SERVER_PROCS - 1))); do
    first=$((k * per)); cnt=$per; [ $((first + cnt)) -gt "$N" ] && cnt=$((N - first))
    [ "$cnt" -gt 0 ] || continue
    start_bg "srv$k" "$SERVER_CPUS" "$CHECKSRV" -b "$SERVER_BASE" -p "$CHECK_PORT" -f "$first" -n "$cnt" \
      -e "$every" -m "$mode" -o "$WORK/rec/s$k"
  done
  for k in $(seq 0 $((SERVER_PROCS - 1))); do
    [ -n "${PID[srv$k]:-}" ] || continue
    local i
    for i in $(seq 100); do grep -q '^ready' "$WORK/log/srv$k.log" 2>/dev/null && break; alive "${PID[srv$k]}" || break; sleep 0.1; done
    grep -q '^ready' "$WORK/log/srv$k.log" || { cat "$WORK/log/srv$k.log" >&2; die "check server srv$k did not start"; }
  done
  SEG=0
}
stop_servers() { local k; for k in $(seq 0 $((SERVER_PROCS - 1))); do stop "srv$k"; done; rm -f "$WORK/rec/"*; }
rotate_records() {  # every server starts a new record file; returns when they did
  local k; for k in $(seq 0 $((SERVER_PROCS - 1))); do [ -n "${PID[srv$k]:-}" ] && kill -USR1 "${PID[srv$k]}"; done
  SEG=$((SEG + 1)); sleep 0.3
}

write_targets() {
  local f=$WORK/targets.txt i
  : >"$f"
  for ((i = 0; i < N; i++)); do srv_addr "$i"; done >"$f"
  TARGETS_FILE=$f
}

start_haproxy_checker() {  # name
  local name=$1 d="$WORK/$1" i
  mkdir -p "$d"
  {
    echo "global"
    echo "  nbthread 1"
    echo "  maxconn 4096"
    echo "  no strict-limits"      # RLIMIT_NOFILE hard limit is 20000 here
    echo "  stats socket $d/stats.sock mode 600 level admin"
    echo "defaults"
    echo "  mode http"
    echo "  timeout client 30s"
    echo "  timeout server 30s"
    if [ "$CHECK_TIMEOUT_MS" = "$INTER_MS" ]; then
      echo "  timeout connect ${CHECK_TIMEOUT_MS}ms"   # no 'timeout check': the whole check is bounded by inter
    else
      echo "  timeout connect ${CHECK_TIMEOUT_MS}ms"
      echo "  timeout check ${CHECK_TIMEOUT_MS}ms"
    fi
    echo "backend be"
    echo "  balance roundrobin"
    echo "  option httpchk GET /health"
    echo "  http-check expect status 200"
    echo "  default-server check inter ${INTER_MS}ms fall $FALL rise $RISE"
    for ((i = 0; i < N; i++)); do echo "  server s$i $(srv_addr "$i")"; done
  } >"$d/haproxy.cfg"
  haproxy -c -q -f "$d/haproxy.cfg" 2>"$d/check.log" || { cat "$d/check.log" >&2; die "bad haproxy config $d/haproxy.cfg"; }
  start_bg "$name" "$TARGET_CPUS" haproxy -db -f "$d/haproxy.cfg"
}

start_candidate_checker() {  # name status_file
  local name=$1 st=$2
  [ -n "${CHECKER_CMD:-}" ] || die "CHECKER_CMD is not set"
  rm -f "$st"
  start_sh "$name" "$TARGET_CPUS" "$CHECKER_CMD" \
    LB_CHECK_TARGETS_FILE="$TARGETS_FILE" LB_CHECK_PATH=/health LB_CHECK_INTERVAL_MS="$INTER_MS" \
    LB_CHECK_TIMEOUT_MS="$CHECK_TIMEOUT_MS" LB_CHECK_FALL="$FALL" LB_CHECK_RISE="$RISE" \
    LB_CHECK_STATUS_FILE="$st" LB_CHECK_THREADS=1
}

# stop_leader_first NAME: SIGTERM to the started process only (a wrapper can still ask its children
# for their state, a JVM runs its shutdown hooks), then lib.sh's stop: TERM to the group, KILL after 5 s.
stop_leader_first() {
  local pid=${PID[$1]:-} i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  stop "$1"
}

# haproxy_state SOCK OUTCSV every -> "healthy_down healthy_fail_checks failing_down dur_p50 dur_p99 dur_max"
haproxy_state() {
  local sock=$1 out=$2 every=$3
  echo "show stat -1 4 -1" | socat -t 5 - "UNIX-CONNECT:$sock" >"$out" 2>/dev/null || true
  awk -F, -v every="$every" '
    NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^# /, "", h); col[h] = i }; next }
    $2 ~ /^s[0-9]+$/ { s = substr($2, 2) + 0; st = $col["status"]; down = (st !~ /^UP/) || ($col["chkdown"] + 0 > 0)
      if (every > 0 && s % every == every - 1) { fd += (st ~ /^DOWN/) ; next }
      hd += down; hf += $col["chkfail"]; d = $col["check_duration"] + 0; D[d]++; nd++; if (d > mx) mx = d }
    function pct(p,   b, acc) { acc = 0; for (b = 0; b <= mx; b++) { acc += D[b]; if (acc >= p * nd) return b } return mx }
    END { if (nd == 0) { print "NA NA NA NA NA NA"; exit } printf "%d %d %d %d %d %d\n", hd, hf, fd, pct(0.5), pct(0.99), mx }' "$out"
}

# candidate_state FILE every -> "healthy_down NA failing_down NA NA NA" from LB_CHECK_STATUS_FILE
candidate_state() {
  local f=$1 every=$2
  [ -s "$f" ] || { echo "NA NA NA NA NA NA"; return; }
  awk -v every="$every" '
    $1 ~ /^[0-9.]+:[0-9]+$/ { split($1, hp, ":"); split(hp[1], o, "."); s = o[3] * 250 + o[4] - 1
      down = (tolower($2) != "up") || ($3 + 0 > 0)
      if (every > 0 && s % every == every - 1) { fd += (tolower($2) == "down"); next }
      hd += down }
    END { printf "%d NA %d NA NA NA\n", hd, fd }' "$f"
}

# ------------------------------------------------------------------ one measurement
# measure SCENARIO TARGET ROUND
measure() {
  local sc=$1 t=$2 r=$3 every mode name pg st try
  read -r every mode < <(scenario_every "$sc")
  name="chk-$t"
  for try in $(seq 0 "$FOREIGN_RETRIES"); do
    st=$WORK/cand-status.txt
    case $t in
      haproxy) start_haproxy_checker "$name" ;;
      candidate) start_candidate_checker "$name" "$st" ;;
      *) die "unknown target $t" ;;
    esac
    pg=${PID[$name]}
    sleep "$WARMUP"
    alive "$pg" || { tail -20 "$WORK/log/$name.log" >&2; die "$t exited during warm-up"; }
    wait_quiet
    alive "$pg" || { tail -20 "$WORK/log/$name.log" >&2; die "$t exited"; }
    local c0 c1 b0 b1 s0 s1 t0 t1 rss seg
    rotate_records; seg=$SEG
    s0=$(cpu_snap); c0=$(pg_cpu_ticks "$pg"); b0=$(cpu1_busy); t0=$(now_us)
    sleep "$WINDOW"
    t1=$(now_us); c1=$(pg_cpu_ticks "$pg"); b1=$(cpu1_busy); s1=$(cpu_snap)
    rss=$(pg_rss_kb "$pg")
    local state threads
    threads=$(ls "/proc/$pg/task" 2>/dev/null | wc -l)
    if [ "$t" = haproxy ]; then
      state=$(haproxy_state "$WORK/$name/stats.sock" "$RESULTS/raw/stat_${sc}_${t}_r$r.csv" "$every")
    fi
    alive "$pg" || { tail -20 "$WORK/log/$name.log" >&2; die "$t exited during the window"; }
    stop_leader_first "$name"
    [ "$t" = candidate ] && { state=$(candidate_state "$st" "$every"); [ -f "$st" ] && cp "$st" "$RESULTS/raw/status_${sc}_${t}_r$r.txt"; }
    rotate_records
    local foreign; foreign=$(foreign_between "$s0" "$s1")
    if awk -v f="$foreign" -v d="$WINDOW" -v m="$FOREIGN_MAX" 'BEGIN{ exit !(f > m * d) }' && [ "$try" -lt "$FOREIGN_RETRIES" ]; then
      log "$sc $t r$r: other processes used ${foreign} CPU-s during the window; retrying"
      echo "$sc $t $r $foreign" >>"$RESULTS/retried.txt"
      find "$WORK/rec" -type f ! -name "*.$SEG" -delete
      continue
    fi
    # analyse the window's record files
    local kv="$RESULTS/raw/window_${sc}_${t}_r$r.txt"
    awk -v t0="$t0" -v t1="$t1" -v n="$N" -v every="$every" -v inter_ms="$INTER_MS" -f "$HDIR/tools/analyze.awk" \
      "$WORK/rec/"s*."$seg" >"$kv"
    if [ "$KEEP_RECORDS" = 1 ]; then mkdir -p "$RESULTS/raw/records"; for f in "$WORK/rec/"s*."$seg"; do gzip -c "$f" >"$RESULTS/raw/records/${sc}_${t}_r${r}_$(basename "$f").gz"; done; fi
    find "$WORK/rec" -type f ! -name "*.$SEG" -delete
    local cpu_s cpub_s
    cpu_s=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/hz}')
    cpub_s=$(awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/hz}')
    {
      echo "cpu_s=$cpu_s"; echo "cpu_busy_target_cpus_s=$cpub_s"; echo "rss_kb=$rss"; echo "threads=$threads"
      echo "foreign_cpu_s=$foreign"; echo "state=$state"
    } >>"$kv"
    row "$sc" "$t" "$r" "$kv"
    break
  done
}

g() { awk -F= -v k="$2" '$1 == k { print $2; exit }' "$1"; }
row() {  # scenario target round kvfile -> one line of health.tsv
  local sc=$1 t=$2 r=$3 kv=$4 req w cps cpu cpub per perb hd hf fd d50 d99 dmx
  req=$(g "$kv" requests); w=$(g "$kv" window_s); cps=$(g "$kv" checks_per_s)
  cpu=$(g "$kv" cpu_s); cpub=$(g "$kv" cpu_busy_target_cpus_s)
  per=$(awk -v c="$cpu" -v n="$req" 'BEGIN{ printf "%.2f", (n > 0) ? c * 1e6 / n : 0 }')
  perb=$(awk -v c="$cpub" -v n="$req" 'BEGIN{ printf "%.2f", (n > 0) ? c * 1e6 / n : 0 }')
  read -r hd hf fd d50 d99 dmx <<<"$(g "$kv" state)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$sc" "$t" "$r" "$w" "$req" "$cps" "$(g "$kv" healthy_checks_per_s)" "$(g "$kv" expected_healthy_checks_per_s)" \
    "$cpu" "$per" "$cpub" "$perb" "$(g "$kv" rss_kb)" \
    "$(g "$kv" iv_p50_ms)" "$(g "$kv" iv_p99_ms)" "$(g "$kv" iv_p999_ms)" "$(g "$kv" iv_max_ms)" \
    "$(g "$kv" missed_intervals)" "$(g "$kv" never_checked)" "$(g "$kv" delay_p99_us)" \
    "$hd" "$fd" "$d99" "$(g "$kv" reused_conn_pct)" "$(g "$kv" foreign_cpu_s)" >>"$RESULTS/health.tsv"
  log "$(printf '%-5s %-9s r%s %8s checks/s (healthy %s of %s)  cpu %5ss = %6s us/check (cpu%s busy %s us/check)  rss %s KiB  interval p50/p99/max %s/%s/%s ms  missed %s  never %s  healthy-down %s  failing-down %s' \
    "$sc" "$t" "$r" "$cps" "$(g "$kv" healthy_checks_per_s)" "$(g "$kv" expected_healthy_checks_per_s)" "$cpu" "$per" "$TARGET_CPUS" "$perb" \
    "$(g "$kv" rss_kb)" "$(g "$kv" iv_p50_ms)" "$(g "$kv" iv_p99_ms)" "$(g "$kv" iv_max_ms)" "$(g "$kv" missed_intervals)" "$(g "$kv" never_checked)" "$hd" "$fd")"
}

# ------------------------------------------------------------------ main
mkdir -p "$WORK"
touch "$WORK/pids"
reap_stale
mkdir -p "$WORK/log" "$RESULTS/raw"
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM
command -v haproxy >/dev/null && command -v socat >/dev/null || "$HDIR/install.sh" >&2
build_checksrv
(exec 3<>"/dev/tcp/$(srv_addr 0 | tr ':' '/')") 2>/dev/null && die "$(srv_addr 0) is already in use (another run?)"
write_targets
{
  echo "date: $(date -Is)"
  echo "kernel: $(uname -r)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cpus"
  echo "nofile: soft $(ulimit -Sn) hard $(ulimit -Hn)"
  echo "haproxy: $(haproxy -v | head -1)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "params: N=$N INTER_MS=$INTER_MS CHECK_TIMEOUT_MS=$CHECK_TIMEOUT_MS FALL=$FALL RISE=$RISE WARMUP=${WARMUP}s WINDOW=${WINDOW}s RUNS=$RUNS SCENARIOS='$SCENARIOS' SERVER_PROCS=$SERVER_PROCS"
  echo "pinning: check servers on cpu $SERVER_CPUS; checkers on cpu $TARGET_CPUS"
  echo "targets: $TARGETS"
  echo "CHECKER_CMD: ${CHECKER_CMD:-(none)}"
  echo "loadavg at start: $(cat /proc/loadavg)"
} >"$RESULTS/machine.txt"
log "results -> $RESULTS"
printf 'scenario\ttarget\tround\twindow_s\trequests\tchecks_per_s\thealthy_checks_per_s\texpected_healthy_per_s\tcpu_s\tcpu_us_per_check\tcpu_busy_s\tcpu_busy_us_per_check\trss_kb\tiv_p50_ms\tiv_p99_ms\tiv_p999_ms\tiv_max_ms\tmissed_intervals\tnever_checked\tdelay_p99_us\thealthy_marked_down\tfailing_marked_down\tcheck_duration_p99_ms\treused_conn_pct\tforeign_cpu_s\n' >"$RESULTS/health.tsv"

for sc in $SCENARIOS; do scenario_every "$sc" >/dev/null; done
for sc in $SCENARIOS; do
  read -r every mode < <(scenario_every "$sc")
  log "scenario $sc: $N servers, failing: every ${every}th ($mode)"
  start_servers "$every" "$mode"
  for r in $(seq 1 "$RUNS"); do
    for t in $TARGETS; do measure "$sc" "$t" "$r"; sleep 2; done
  done
  stop_servers
done
stop_all
"$HDIR/report.sh" "$RESULTS"
