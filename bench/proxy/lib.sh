# shellcheck shell=bash
# Common functions of the proxy benchmark harness. Sourced by run.sh and compare.sh.
# Everything listens on 127.0.0.1 only; every load loop is bounded in time.
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.

BENCH_DIR=${BENCH_DIR:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")}
HOST=127.0.0.1
WORK=${WORK:-/tmp/lbbench}                 # generated configs, logs, docroot
STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}
RESULTS=${RESULTS:-$WORK/results/$STAMP}

# ---- CPU layout (2 cores): load generator + backends on one core, proxy on the other ----
LOAD_CPUS=${LOAD_CPUS:-0}       # wrk, backend nginx, iperf3 both ends, idle-connection client
PROXY_CPUS=${PROXY_CPUS:-1}     # single-threaded proxies (haproxy nbthread 1, nginx 1 worker, candidate)
PROXY2_CPUS=${PROXY2_CPUS:-0,1} # two-threaded variants (cannot be given a core of their own on 2 cores)

# ---- load parameters ----
RUNS=${RUNS:-3}                  # measured runs per (target, body, connections)
DURATION=${DURATION:-10}         # seconds per wrk run
WARMUP=${WARMUP:-2}              # seconds of unrecorded wrk before each (body, connections) block
CANDIDATE_WARMUP=${CANDIDATE_WARMUP:-20}  # one-off warm-up of the candidate (JIT) before the matrix
CONNS=${CONNS:-"50 400"}
BODIES=${BODIES:-"100b 16k"}
WRK_THREADS=${WRK_THREADS:-1}
BULK_BYTES=${BULK_BYTES:-1G}     # iperf3 -n (1G = 1 GiB)
BULK_RUNS=${BULK_RUNS:-5}        # a 1 GiB transfer takes about a second here: more runs, little time
IDLE_N=${IDLE_N:-10000}          # idle keep-alive connections, HTTP-mode proxies
IDLE_N_TCP=${IDLE_N_TCP:-9000}   # TCP-mode proxies need 2 fds per connection; RLIMIT_NOFILE is 20000 here
IDLE_SETTLE=${IDLE_SETTLE:-3}    # seconds between "all connections idle" and the RSS reading

# ---- ports ----
P_BE1=${P_BE1:-18081}; P_BE2=${P_BE2:-18082}
P_HA_HTTP1=18101; P_HA_HTTP2=18102; P_HA_TCP=18103; P_NGX=18104
P_CAND=${P_CAND:-18110}
P_IPERF=18201; P_HA_BULK=18202; P_HA_BULK_SPLICE=18203; P_CAND_BULK=${P_CAND_BULK:-18210}
P_IDLE=18301

declare -A PID=()     # name -> pid (= process group id, started with setsid)
declare -A PORT=()    # target name -> listening port
declare -A PGOF=()    # target name -> process group whose CPU time is charged to it (proxies only)
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ processes
# start_bg NAME CPUS CMD... : starts CMD in its own session/process group pinned to CPUS.
start_bg() {
  local name=$1 cpus=$2; shift 2
  setsid taskset -c "$cpus" "$@" >"$WORK/log/$name.log" 2>&1 </dev/null &
  local pid=$!
  PID[$name]=$pid
  # remember the start time so that a later cleanup never signals a reused pid
  local st; st=$(awk '{sub(/.*\) /,""); print $20}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  echo "$pid $st $name" >>"$WORK/pids"
}

# start_sh NAME CPUS 'shell command' ENV=VAL... : like start_bg for a shell command string (PROXY_CMD hook)
start_sh() {
  local name=$1 cpus=$2 cmd=$3; shift 3
  start_bg "$name" "$cpus" env "$@" bash -c "exec $cmd"
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# stop NAME : TERM to the process group we created, KILL after 5 s, then reap.
stop() {
  local name=$1 pid=${PID[$1]:-}
  [ -n "$pid" ] || return 0
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    local i
    for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; }
  fi
  wait "$pid" 2>/dev/null || true
  # members of the group that outlived the leader (e.g. nginx workers)
  local p
  for p in $(pg_pids "$pid"); do kill -KILL "$p" 2>/dev/null || true; done
  unset "PID[$name]"
  sed -i "/^$pid /d" "$WORK/pids" 2>/dev/null || true
}

stop_all() {
  local n
  for n in "${!PID[@]}"; do stop "$n"; done
}

# Left over from an aborted earlier run: signal only pids whose start time still matches.
reap_stale() {
  [ -f "$WORK/pids" ] || return 0
  local pid st name cur
  while read -r pid st name; do
    cur=$(awk '{sub(/.*\) /,""); print $20}' "/proc/$pid/stat" 2>/dev/null || true)
    if [ -n "$cur" ] && [ "$cur" = "$st" ]; then
      log "stopping stale $name (pid $pid) from an earlier run"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      sleep 1; kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done <"$WORK/pids"
  : >"$WORK/pids"
}

# pg_pids PGID : pids whose process group is PGID
pg_pids() {
  local pg=$1 f line rest
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    rest=${line##*) }
    # shellcheck disable=SC2086
    set -- $rest
    [ "$3" = "$pg" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
  done
}

# pg_cpu_ticks PGID : user+system clock ticks used so far by every process of the group
pg_cpu_ticks() {
  local pg=$1 f line rest t=0
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    rest=${line##*) }
    # shellcheck disable=SC2086
    set -- $rest
    [ "$3" = "$pg" ] && t=$((t + ${12} + ${13}))
  done
  echo "$t"
}

# pg_rss_kb PGID : summed VmRSS of the group, in KiB
pg_rss_kb() {
  local p t=0 v
  for p in $(pg_pids "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

# cpu_snap : "BUSY MINE" in clock ticks. BUSY = user+nice+system of the whole machine (/proc/stat),
# plus steal when COUNT_STEAL=1 (the default here); MINE = what this harness used: its own process
# group, every group it started, and the reaped children of this shell (wrk). FOREIGN = delta BUSY -
# delta MINE is CPU that something else took during a run: another program on the machine (a build)
# or, through steal, the hypervisor running other guests on our vCPUs (a pinned proxy then simply
# stops for a while); runs are retried when it is too high.
# (lbkit's copy: steal is counted; the shared harness counts processes only.)
# a process may exit between the /proc glob and the read: read each file with getline (mawk aborts on a
# vanished input file) and skip the ones that are gone
cpu_snap() {
  local pgs="$SELF_PGID ${PID[*]}"
  awk -v pgs="$pgs" -v self="$$" -v steal="$COUNT_STEAL" '
    BEGIN { n = split(pgs, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1
      getline l < "/proc/stat"; split(l, c, " "); busy = c[2] + c[3] + c[4] + (steal ? c[9] : 0); close("/proc/stat")
      for (i = 1; i < ARGC; i++) {
        if ((getline line < ARGV[i]) > 0) { sub(/^.*\) /, "", line); split(line, f, " ")
          if (f[3] in mine) my += f[12] + f[13]
          split(ARGV[i], p, "/"); if (p[3] == self) my += f[14] + f[15] }
        close(ARGV[i]) }
      printf "%d %d\n", busy, my; exit }' /proc/[0-9]*/stat 2>/dev/null
}
SELF_PGID=$(awk '{sub(/^.*\) /,""); print $3}' /proc/$$/stat)
FOREIGN_MAX=${FOREIGN_MAX:-0.05}   # retry a run when others took more than this share of one core
COUNT_STEAL=${COUNT_STEAL:-1}      # count the hypervisor's steal time as foreign (0: processes only)
FOREIGN_RETRIES=${FOREIGN_RETRIES:-3}

# foreign_between "SNAP0" "SNAP1" : CPU seconds used by others between two cpu_snap readings
foreign_between() {
  awk -v a="$1" -v b="$2" -v hz="$CLK_TCK" 'BEGIN{ split(a, x, " "); split(b, y, " ")
    f = ((y[1]-x[1]) - (y[2]-x[2])) / hz; printf "%.2f", (f < 0) ? 0 : f }'
}

# wait_quiet : wait (at most QUIET_TIMEOUT s) until other processes use less than FOREIGN_MAX of
# a core over a 2 s window. The machine is shared with other work (builds, qemu); a run next
# to them measures them, not the proxy.
QUIET_TIMEOUT=${QUIET_TIMEOUT:-900}
wait_quiet() {
  local waited=0 a b f
  while :; do
    a=$(cpu_snap); sleep 2; b=$(cpu_snap)
    f=$(foreign_between "$a" "$b")
    awk -v f="$f" -v m="$FOREIGN_MAX" 'BEGIN{ exit !(f <= m * 2) }' && return 0
    [ "$waited" -ge "$QUIET_TIMEOUT" ] && { log "machine still busy (others: $f CPU-s per 2 s); measuring anyway"; return 0; }
    [ $((waited % 60)) -eq 0 ] && log "waiting for the machine to quiet down (others used $f CPU-s in 2 s): $(ps -eo pcpu=,comm= --sort=-pcpu | head -2 | tr -s ' ' | paste -sd';')"
    sleep 8; waited=$((waited + 10))
  done
}

wait_port() {  # host port [timeout_s]
  local h=$1 p=$2 t=${3:-30} i
  for i in $(seq $((t * 10))); do
    (exec 3<>"/dev/tcp/$h/$p") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ------------------------------------------------------------------ configs
setup_work() {
  mkdir -p "$WORK/log" "$WORK/www" "$WORK/tmp" "$RESULTS/raw"
  chmod 755 "$WORK" "$WORK/www"
  touch "$WORK/pids"
  # fixed bodies: exactly 100 bytes and 16 KiB
  head -c 100 /dev/zero | tr '\0' 'a' >"$WORK/www/100b"
  head -c 16384 /dev/zero | tr '\0' 'b' >"$WORK/www/16k"
  chmod 644 "$WORK/www/"*
}

# backend nginx: one worker, keep-alive, static files
start_backend() {  # name port cpus
  local name=$1 port=$2 cpus=$3 d="$WORK/$1"
  mkdir -p "$d/logs"
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off; server_tokens off; etag off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 300s; keepalive_requests 100000000;
  open_file_cache max=16;
  default_type application/octet-stream;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen $HOST:$port backlog=4096; root $WORK/www; location / { } }
}
EOF
  start_bg "$name" "$cpus" nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;'
  wait_port "$HOST" "$port" 10 || die "$name did not listen on $port"
}

# haproxy: name port mode(http|tcp) nbthread cpus "ip:port ip:port" [extra defaults lines]
start_haproxy() {
  local name=$1 port=$2 mode=$3 nt=$4 cpus=$5 servers=$6 extra=${7:-} d="$WORK/$1" i=0 s
  mkdir -p "$d"
  {
    echo "global"
    echo "  nbthread $nt"
    echo "  maxconn 10500"
    echo "  no strict-limits"  # RLIMIT_NOFILE hard limit is 20000 here; HAProxy would refuse to start
    echo "  tune.bufsize 16384"
    echo "defaults"
    echo "  mode $mode"
    echo "  balance roundrobin"
    echo "  timeout connect 5s"
    echo "  timeout client 300s"
    echo "  timeout server 300s"
    [ "$mode" = http ] && echo "  option http-keep-alive" && echo "  timeout http-keep-alive 300s"
    [ -n "$extra" ] && echo "$extra"
    echo "frontend fe"
    echo "  bind $HOST:$port backlog 4096"
    echo "  default_backend be"
    echo "backend be"
    for s in $servers; do i=$((i + 1)); echo "  server s$i $s"; done
  } >"$d/haproxy.cfg"
  haproxy -c -q -f "$d/haproxy.cfg" || die "bad haproxy config $d/haproxy.cfg"
  start_bg "$name" "$cpus" haproxy -db -f "$d/haproxy.cfg"
  wait_port "$HOST" "$port" 10 || die "$name did not listen on $port"
}

# nginx reverse proxy, one worker, upstream keepalive
start_nginx_proxy() {  # name port cpus "ip:port ip:port"
  local name=$1 port=$2 cpus=$3 servers=$4 d="$WORK/$1" s
  mkdir -p "$d/logs"
  {
    cat <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off; server_tokens off;
  keepalive_timeout 300s; keepalive_requests 100000000;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  upstream be {
EOF
    for s in $servers; do echo "    server $s;"; done
    cat <<EOF
    keepalive 1024; keepalive_requests 100000000; keepalive_timeout 300s;
  }
  server {
    listen $HOST:$port backlog=4096;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
  } >"$d/nginx.conf"
  nginx -t -q -p "$d" -c "$d/nginx.conf" 2>/dev/null || die "bad nginx config $d/nginx.conf"
  start_bg "$name" "$cpus" nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;'
  wait_port "$HOST" "$port" 10 || die "$name did not listen on $port"
}

# The candidate hook. PROXY_CMD is a shell command line; the harness runs it with
#   LB_LISTEN=127.0.0.1:PORT LB_LISTEN_HOST LB_LISTEN_PORT
#   LB_BACKENDS=127.0.0.1:18081,127.0.0.1:18082   LB_MODE=http|tcp   LB_THREADS=N
# in the environment, pinned to CPUS, in a process group of its own. It must listen on
# LB_LISTEN within CANDIDATE_START_TIMEOUT seconds and balance round robin over LB_BACKENDS.
start_candidate() {  # name port mode "ip:port ip:port" threads cpus
  local name=$1 port=$2 mode=$3 servers=$4 threads=$5 cpus=$6
  [ -n "${PROXY_CMD:-}" ] || die "PROXY_CMD is not set"
  start_sh "$name" "$cpus" "$PROXY_CMD" \
    LB_LISTEN="$HOST:$port" LB_LISTEN_HOST="$HOST" LB_LISTEN_PORT="$port" \
    LB_BACKENDS="$(echo "$servers" | tr ' ' ',')" LB_MODE="$mode" LB_THREADS="$threads"
  wait_port "$HOST" "$port" "${CANDIDATE_START_TIMEOUT:-60}" || {
    tail -20 "$WORK/log/$name.log" >&2; die "$name did not listen on $port"; }
}

# ------------------------------------------------------------------ measuring
lat_ms() {  # wrk latency token (e.g. 512.00us, 1.20ms, 1.01s) -> milliseconds
  awk -v v="$1" 'BEGIN{
    if (v ~ /us$/) { sub(/us$/,"",v); printf "%.3f", v/1000 }
    else if (v ~ /ms$/) { sub(/ms$/,"",v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/,"",v); printf "%.3f", v*60000 }
    else if (v ~ /s$/) { sub(/s$/,"",v); printf "%.3f", v*1000 }
    else printf "NA" }'
}

check_http() {  # url expected_bytes
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 5 "$1") || true
  [ "$got" = "200 $2" ] || die "check of $1 failed: got '$got', wanted '200 $2'"
}

# run_wrk TARGET BODY CONNS ROUND [record=1]
run_wrk() {
  local target=$1 body=$2 c=$3 round=$4 record=${5:-1} dur=${6:-$DURATION}
  local port=${PORT[$target]} pg=${PGOF[$target]:-} url out t0 t1
  url="http://$HOST:$port/$body"
  out="$RESULTS/raw/http_${target}_${body}_c${c}_r${round}.txt"
  [ "$record" = 1 ] || out="$WORK/log/warmup.txt"
  local load try s0 s1 foreign
  for try in $(seq 0 "$FOREIGN_RETRIES"); do
    [ "$record" = 1 ] && wait_quiet
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=0; [ -n "$pg" ] && t0=$(pg_cpu_ticks "$pg")
    s0=$(cpu_snap)
    taskset -c "$LOAD_CPUS" wrk -t"$WRK_THREADS" -c"$c" -d"${dur}s" --timeout 5s --latency "$url" >"$out" 2>&1
    s1=$(cpu_snap)
    t1=0; [ -n "$pg" ] && t1=$(pg_cpu_ticks "$pg")
    [ "$record" = 1 ] || return 0
    foreign=$(foreign_between "$s0" "$s1")
    if awk -v f="$foreign" -v d="$dur" -v m="$FOREIGN_MAX" 'BEGIN{ exit !(f > m * d) }' && [ "$try" -lt "$FOREIGN_RETRIES" ]; then
      log "$target $body c=$c r$round: other processes used ${foreign} CPU-s during the run; retrying"
      echo "$target $body $c $round $foreign" >>"$RESULTS/retried.txt"
      continue
    fi
    break
  done
  local rps p50 p99 reqs errs non2xx cpu_s
  rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
  p50=$(lat_ms "$(awk '$1=="50%" {print $2}' "$out")")
  p99=$(lat_ms "$(awk '$1=="99%" {print $2}' "$out")")
  reqs=$(awk '/requests in/ {print $1}' "$out")
  errs=$(awk '/Socket errors/ {gsub(/,/,""); print $4+$6+$8+$10}' "$out"); errs=${errs:-0}
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  cpu_s=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/hz}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$target" "$body" "$c" "$round" "${rps:-0}" "$p50" "$p99" "${reqs:-0}" "$errs" "$non2xx" "$cpu_s" "$load" "$foreign" \
    >>"$RESULTS/http.tsv"
  log "$(printf '%-18s %-4s c=%-4s r%s %10s req/s  p50 %7s ms  p99 %7s ms  proxy-cpu %5ss  foreign %5ss  err %s/%s' \
    "$target" "$body" "$c" "$round" "$rps" "$p50" "$p99" "$cpu_s" "$foreign" "$errs" "$non2xx")"
}

# ------------------------------------------------------------------ summaries
# summarize FILE KEYCOLS VALCOL : "key<TAB>n<TAB>min<TAB>median<TAB>max" per key (key = cols joined by |)
summarize() {
  local file=$1 keys=$2 val=$3
  awk -F'\t' -v keys="$keys" -v val="$val" '
    BEGIN { nk = split(keys, K, ",") }
    { k = $K[1]; for (i = 2; i <= nk; i++) k = k "|" $K[i]
      if (!(k in n)) order[++no] = k
      n[k]++; v[k, n[k]] = $val + 0 }
    END {
      for (o = 1; o <= no; o++) { k = order[o]; m = n[k]
        for (i = 1; i <= m; i++) a[i] = v[k, i]
        for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j+1] = a[j]; j-- } a[j+1] = x }
        med = (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
        printf "%s\t%d\t%s\t%s\t%s\n", k, m, a[1], med, a[m] } }' "$file"
}

machine_notes() {
  {
    echo "date: $(date -Is)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cpus"
    echo "mem: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "nofile: soft $(ulimit -Sn) hard $(ulimit -Hn)"
    echo "somaxconn: $(cat /proc/sys/net/core/somaxconn)  port range: $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-')"
    echo "haproxy: $(haproxy -v | head -1)"
    echo "nginx: $(nginx -v 2>&1)"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "iperf3: $(iperf3 --version | head -1)"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "pinning: load (wrk, backends, iperf3, idle client) on cpu $LOAD_CPUS; 1-thread proxies on cpu $PROXY_CPUS; 2-thread proxies on cpus $PROXY2_CPUS"
    echo "params: RUNS=$RUNS DURATION=${DURATION}s WARMUP=${WARMUP}s CONNS='$CONNS' BODIES='$BODIES' wrk -t$WRK_THREADS BULK_BYTES=$BULK_BYTES BULK_RUNS=$BULK_RUNS IDLE_N=$IDLE_N IDLE_N_TCP=$IDLE_N_TCP"
    echo "loadavg at start: $(cat /proc/loadavg)"
    echo "foreign CPU: FOREIGN_MAX=$FOREIGN_MAX of a core, COUNT_STEAL=$COUNT_STEAL (steal so far: $(awk '/^cpu / {print $9}' /proc/stat) ticks)"
    echo "PROXY_CMD: ${PROXY_CMD:-(none)}"
  } >"$RESULTS/machine.txt"
}
