#!/usr/bin/env bash
# Proxy benchmark harness: backends (nginx) on loopback, then HTTP req/s + latency through each
# proxy (wrk), bulk TCP throughput (iperf3), and idle keep-alive connection memory (RSS).
#
#   bench/proxy/run.sh                    # full suite: HAProxy, nginx, direct
#   PROXY_CMD='...' bench/proxy/run.sh    # same, with a candidate proxy measured in the same run
#   SECTIONS="http" TARGETS="direct haproxy-http-nt1" RUNS=5 bench/proxy/run.sh
#
# See README.md for every knob and for the PROXY_CMD contract. Results go to
# /tmp/lbbench/results/<stamp>/ (raw outputs, *.tsv, summary.md). Nothing is left running.
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"

SECTIONS=${SECTIONS:-"http bulk idle"}
CANDIDATE_MODE=${CANDIDATE_MODE:-http}
CANDIDATE_THREADS=${CANDIDATE_THREADS:-1}
if [ "$CANDIDATE_THREADS" -gt 1 ]; then CANDIDATE_CPUS=${CANDIDATE_CPUS:-$PROXY2_CPUS}; else CANDIDATE_CPUS=${CANDIDATE_CPUS:-$PROXY_CPUS}; fi
DEFAULT_TARGETS="direct haproxy-http-nt1 haproxy-http-nt2 haproxy-tcp nginx-proxy"
[ -n "${PROXY_CMD:-}" ] && DEFAULT_TARGETS="$DEFAULT_TARGETS candidate"
TARGETS=${TARGETS:-$DEFAULT_TARGETS}
BULK_TARGETS=${BULK_TARGETS:-"direct haproxy-tcp haproxy-tcp-splice${PROXY_CMD:+ candidate}"}
IDLE_TARGETS=${IDLE_TARGETS:-"haproxy-http haproxy-tcp nginx-proxy${PROXY_CMD:+ candidate}"}
BACKENDS="$HOST:$P_BE1 $HOST:$P_BE2"

"$BENCH_DIR/install.sh" >&2
mkdir -p "$WORK"
touch "$WORK/pids"
reap_stale
setup_work
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM

for p in $P_BE1 $P_BE2 $P_HA_HTTP1 $P_HA_HTTP2 $P_HA_TCP $P_NGX $P_CAND $P_IPERF $P_HA_BULK $P_HA_BULK_SPLICE $P_CAND_BULK; do
  port_free "$p" || die "port $p on $HOST is already in use"
done
if [ "$CANDIDATE_MODE" = tcp ]; then CANDIDATE_REF=haproxy-tcp
elif [ "$CANDIDATE_THREADS" -gt 1 ]; then CANDIDATE_REF=haproxy-http-nt2
else CANDIDATE_REF=haproxy-http-nt1; fi
machine_notes
{ echo "candidate: mode=$CANDIDATE_MODE threads=$CANDIDATE_THREADS cpus=$CANDIDATE_CPUS"
  echo "candidate_ref: $CANDIDATE_REF"
  echo "sections: $SECTIONS"; echo "targets: $TARGETS"; } >>"$RESULTS/machine.txt"
log "results -> $RESULTS"

start_backend be1 "$P_BE1" "$LOAD_CPUS"
start_backend be2 "$P_BE2" "$LOAD_CPUS"

has() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ------------------------------------------------------------------ HTTP matrix
section_http() {
  local t
  for t in $TARGETS; do
    case $t in
      direct) PORT[$t]=$P_BE1 ;;
      haproxy-http-nt1) start_haproxy ha-http1 "$P_HA_HTTP1" http 1 "$PROXY_CPUS" "$BACKENDS"; PORT[$t]=$P_HA_HTTP1; PGOF[$t]=${PID[ha-http1]} ;;
      haproxy-http-nt2) start_haproxy ha-http2 "$P_HA_HTTP2" http 2 "$PROXY2_CPUS" "$BACKENDS"; PORT[$t]=$P_HA_HTTP2; PGOF[$t]=${PID[ha-http2]} ;;
      haproxy-tcp) start_haproxy ha-tcp "$P_HA_TCP" tcp 1 "$PROXY_CPUS" "$BACKENDS"; PORT[$t]=$P_HA_TCP; PGOF[$t]=${PID[ha-tcp]} ;;
      nginx-proxy) start_nginx_proxy ngx-proxy "$P_NGX" "$PROXY_CPUS" "$BACKENDS"; PORT[$t]=$P_NGX; PGOF[$t]=${PID[ngx-proxy]} ;;
      candidate) start_candidate cand "$P_CAND" "$CANDIDATE_MODE" "$BACKENDS" "$CANDIDATE_THREADS" "$CANDIDATE_CPUS"
                 PORT[$t]=$P_CAND; PGOF[$t]=${PID[cand]} ;;
      *) die "unknown target $t" ;;
    esac
  done
  local b c r size
  for t in $TARGETS; do
    for b in $BODIES; do
      case $b in 100b) size=100 ;; 16k) size=16384 ;; *) die "unknown body $b" ;; esac
      check_http "http://$HOST:${PORT[$t]}/$b" "$size"
    done
  done
  if has candidate "$TARGETS"; then
    log "candidate warm-up ${CANDIDATE_WARMUP}s per body"
    for b in $BODIES; do run_wrk candidate "$b" 50 0 0 "$CANDIDATE_WARMUP"; done
  fi
  printf 'target\tbody\tconns\tround\trps\tp50_ms\tp99_ms\trequests\tsock_errors\tnon2xx\tproxy_cpu_s\tloadavg\tforeign_cpu_s\n' >"$RESULTS/http.tsv"
  for b in $BODIES; do
    for c in $CONNS; do
      for t in $TARGETS; do run_wrk "$t" "$b" "$c" 0 0 "$WARMUP"; done
      # rounds interleave the targets so that drift of the machine hits all of them alike
      for r in $(seq "$RUNS"); do
        for t in $TARGETS; do run_wrk "$t" "$b" "$c" "$r"; done
      done
    done
  done
  for t in $TARGETS; do
    case $t in
      haproxy-http-nt1) stop ha-http1 ;; haproxy-http-nt2) stop ha-http2 ;; haproxy-tcp) stop ha-tcp ;;
      nginx-proxy) stop ngx-proxy ;; candidate) stop cand ;;
    esac
  done
}

# ------------------------------------------------------------------ bulk TCP
section_bulk() {
  local t r port pg out t0 t1 s0 s1 foreign
  start_bg iperf3 "$LOAD_CPUS" iperf3 -s -B "$HOST" -p "$P_IPERF"
  wait_port "$HOST" "$P_IPERF" 10 || die "iperf3 did not listen"
  declare -A BPORT=() BPG=()
  for t in $BULK_TARGETS; do
    case $t in
      direct) BPORT[$t]=$P_IPERF ;;
      haproxy-tcp) start_haproxy ha-bulk "$P_HA_BULK" tcp 1 "$PROXY_CPUS" "$HOST:$P_IPERF"; BPORT[$t]=$P_HA_BULK; BPG[$t]=${PID[ha-bulk]} ;;
      haproxy-tcp-splice) start_haproxy ha-bulk-splice "$P_HA_BULK_SPLICE" tcp 1 "$PROXY_CPUS" "$HOST:$P_IPERF" "  option splice-request
  option splice-response"
                          BPORT[$t]=$P_HA_BULK_SPLICE; BPG[$t]=${PID[ha-bulk-splice]} ;;
      candidate) start_candidate cand-bulk "$P_CAND_BULK" tcp "$HOST:$P_IPERF" "$CANDIDATE_THREADS" "$CANDIDATE_CPUS"
                 BPORT[$t]=$P_CAND_BULK; BPG[$t]=${PID[cand-bulk]}
                 # warm the candidate's copy loop (JIT) with a few unrecorded transfers
                 for r in 1 2 3; do taskset -c "$LOAD_CPUS" iperf3 -c "$HOST" -p "$P_CAND_BULK" -n "$BULK_BYTES" >/dev/null 2>&1 || true; done ;;
      *) die "unknown bulk target $t" ;;
    esac
  done
  printf 'target\tround\tgbit_s\tseconds\tretransmits\tproxy_cpu_s\tforeign_cpu_s\n' >"$RESULTS/bulk.tsv"
  for r in $(seq "$BULK_RUNS"); do
    for t in $BULK_TARGETS; do
      port=${BPORT[$t]}; pg=${BPG[$t]:-}
      out="$RESULTS/raw/bulk_${t}_r$r.json"
      wait_quiet
      t0=0; [ -n "$pg" ] && t0=$(pg_cpu_ticks "$pg")
      s0=$(cpu_snap)
      timeout 120 taskset -c "$LOAD_CPUS" iperf3 -c "$HOST" -p "$port" -n "$BULK_BYTES" -J >"$out" 2>&1 || log "iperf3 via $t failed (see $out)"
      s1=$(cpu_snap)
      t1=0; [ -n "$pg" ] && t1=$(pg_cpu_ticks "$pg")
      foreign=$(foreign_between "$s0" "$s1")
      local g s rt cpu
      g=$(jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | round / 100' "$out" 2>/dev/null || echo 0)
      s=$(jq -r '.end.sum_received.seconds | . * 1000 | round / 1000' "$out" 2>/dev/null || echo 0)
      rt=$(jq -r '.end.sum_sent.retransmits // 0' "$out" 2>/dev/null || echo 0)
      cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/hz}')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$g" "$s" "$rt" "$cpu" "$foreign" >>"$RESULTS/bulk.tsv"
      log "$(printf 'bulk %-20s r%s %6s Gbit/s  %6s s  proxy-cpu %ss  foreign %ss' "$t" "$r" "$g" "$s" "$cpu" "$foreign")"
    done
  done
  for t in $BULK_TARGETS; do
    case $t in haproxy-tcp) stop ha-bulk ;; haproxy-tcp-splice) stop ha-bulk-splice ;; candidate) stop cand-bulk ;; esac
  done
  stop iperf3
}

# ------------------------------------------------------------------ idle connections
section_idle() {
  mkdir -p "$WORK/classes"
  javac -d "$WORK/classes" "$BENCH_DIR/tools/IdleConns.java"
  printf 'target\tround\tn_wanted\tn_ok\tn_failed\trss_before_kb\trss_after_kb\tbytes_per_conn\tfront_conns\tbackend_conns\ttcp_mem_pages_before\ttcp_mem_pages_after\tclosed_by_peer\n' >"$RESULTS/idle.tsv"
  local r t i k port name n pg before after front back mb ma ready line
  for r in $(seq "$RUNS"); do
    i=0
    for t in $IDLE_TARGETS; do
      i=$((i + 1)); port=$((P_IDLE + i)); name=idle-$t
      case $t in
        haproxy-http) start_haproxy "$name" "$port" http 1 "$PROXY_CPUS" "$BACKENDS"; n=$IDLE_N ;;
        haproxy-tcp) start_haproxy "$name" "$port" tcp 1 "$PROXY_CPUS" "$BACKENDS"; n=$IDLE_N_TCP ;;
        nginx-proxy) start_nginx_proxy "$name" "$port" "$PROXY_CPUS" "$BACKENDS"; n=$IDLE_N ;;
        candidate) start_candidate "$name" "$port" "$CANDIDATE_MODE" "$BACKENDS" "$CANDIDATE_THREADS" "$CANDIDATE_CPUS"
                   if [ "$CANDIDATE_MODE" = tcp ]; then n=$IDLE_N_TCP; else n=$IDLE_N; fi ;;
        *) die "unknown idle target $t" ;;
      esac
      pg=${PID[$name]}
      check_http "http://$HOST:$port/100b" 100
      sleep 1
      before=$(pg_rss_kb "$pg"); mb=$(awk '/^TCP:/ {print $NF}' /proc/net/sockstat)
      rm -f "$WORK/log/idle-client.log"
      start_bg idle-client "$LOAD_CPUS" java -Xmx512m -XX:+UseSerialGC -cp "$WORK/classes" IdleConns "$HOST" "$port" "$n" /100b $((IDLE_SETTLE + 5))
      ready=""
      for k in $(seq 1500); do
        ready=$(grep -m1 '^READY ok=[0-9]* failed=[0-9]* ms=[0-9]*$' "$WORK/log/idle-client.log" || true)
        [ -n "$ready" ] && break
        alive "${PID[idle-client]}" || break
        sleep 0.1
      done
      [ -n "$ready" ] || { tail "$WORK/log/idle-client.log" >&2; die "idle client did not get ready via $t"; }
      sleep "$IDLE_SETTLE"
      after=$(pg_rss_kb "$pg"); ma=$(awk '/^TCP:/ {print $NF}' /proc/net/sockstat)
      front=$(ss -Htn state established "( sport = :$port )" | wc -l)
      back=$(ss -Htn state established "( dport = :$P_BE1 or dport = :$P_BE2 )" | wc -l)
      # let the client end by itself (it holds IDLE_SETTLE+5 s), then read its closing line
      for k in $(seq 300); do alive "${PID[idle-client]}" || break; sleep 0.1; done
      stop idle-client
      line=$(grep -m1 '^END open=[0-9]* closed_by_peer=[0-9]*$' "$WORK/log/idle-client.log" || echo "END closed_by_peer=NA")
      local ok failed cbp per
      ok=NA; failed=NA; cbp=NA
      [[ $ready =~ ok=([0-9]+)\ failed=([0-9]+) ]] && { ok=${BASH_REMATCH[1]}; failed=${BASH_REMATCH[2]}; }
      [[ $line =~ closed_by_peer=([0-9]+) ]] && cbp=${BASH_REMATCH[1]}
      log "idle client said: $ready / $line"
      per=$(awk -v a="$before" -v b="$after" -v n="$ok" 'BEGIN{ if (n > 0) printf "%.0f", (b-a)*1024/n; else print "NA" }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$n" "$ok" "$failed" "$before" "$after" "$per" \
        "$front" "$back" "$mb" "$ma" "$cbp" >>"$RESULTS/idle.tsv"
      cp "$WORK/log/idle-client.log" "$RESULTS/raw/idle_${t}_r$r.log"
      [ -f "$WORK/log/$name.log" ] && cp "$WORK/log/$name.log" "$RESULTS/raw/idle_${t}_r${r}_proxy.log"
      log "$(printf 'idle %-13s r%s ok %5s/%-5s RSS %7s -> %7s KiB (%5s B/conn)  front %5s back %5s  kernel tcp pages %s -> %s  peer-closed %s' \
        "$t" "$r" "$ok" "$n" "$before" "$after" "$per" "$front" "$back" "$mb" "$ma" "$cbp")"
      stop "$name"
      sleep 2
    done
  done
}

for s in $SECTIONS; do
  case $s in
    http) section_http ;;
    bulk) section_bulk ;;
    idle) section_idle ;;
    *) die "unknown section $s" ;;
  esac
done
stop_all
"$BENCH_DIR/report.sh" "$RESULTS"
