#!/usr/bin/env bash
# l7-profile.sh: what one request costs lbkit's HTTP proxy, alone (no HAProxy round), with a JFR profile of the
# measured window. For before/after comparisons of engine work on a shared machine, where wall-clock figures are
# noise but CPU time and bytes allocated per request are not (much).
#
#   bench/proxy/l7-profile.sh                      # 100 B bodies, c=50: 15 s warm-up, 15 s measured
#   BODY=100b C=400 DURATION=20 bench/proxy/l7-profile.sh
#   LBKIT_BUILD=0 bench/proxy/l7-profile.sh        # do not rebuild the launcher jar
#   JAR=/tmp/before.jar LBKIT_BUILD=0 bench/proxy/l7-profile.sh   # profile another build (a copy kept from before)
#
# Two nginx backends (lib.sh's) on the load cpu, lbkit-proxy-bench.jar --mode http with one I/O thread on the
# proxy cpu (the flags of l7.sh: -XX:+UseSerialGC -Xmn64m, 64 KiB buffers), wrk -t1 for WARMUP s, then a JFR
# recording (settings=profile) started with jcmd around DURATION s of wrk. Ends with:
#   FIGURE l7prof.req_per_s, FIGURE l7prof.cpu_us_per_req (the proxy process's user+system CPU over the
#   requests wrk completed; io_user_us_per_req and io_sys_us_per_req: the I/O thread's own user and system
#   CPU), FIGURE l7prof.alloc_bytes_per_req (bytes the I/O thread allocated, from JFR's
#   jdk.ThreadAllocationStatistics at the recording's start and end), FIGURE l7prof.young_gcs
# and the top frames of the I/O thread's execution samples (self, and inclusive for lbkit's methods).
# Its own ports (18581, 18582, 18590) and work directory (/tmp/lbbench-l7prof), so that it does not collide
# with l4.sh/l7.sh runs of others. Traffic stays on 127.0.0.1; every process is stopped on exit. Needs python3
# for the JFR summary.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
jar=${JAR:-$root/lb-examples/target/lbkit-proxy-bench.jar}

export WORK=${WORK:-/tmp/lbbench-l7prof}
export STAMP=${STAMP:-l7prof-$(date +%Y%m%d-%H%M%S)}
export RESULTS=${RESULTS:-$WORK/results/$STAMP}
export P_BE1=${P_BE1:-18581} P_BE2=${P_BE2:-18582} P_CAND=${P_CAND:-18590}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-15}
C=${C:-50}
BODY=${BODY:-100b}
TOP=${TOP:-25}
# shellcheck source=lib.sh
source "$here/lib.sh"

if [ "${LBKIT_BUILD:-1}" = 1 ]; then
  if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root"/lb-api "$root"/lb-proxy "$root"/lb-examples \
        \( -name '*.java' -o -name pom.xml -o -path '*/resources/*' \) -newer "$jar" -not -path '*/target/*' \
        -print -quit 2>/dev/null)" ]; then
    echo "l7-profile.sh: building $jar" >&2
    mvn -B -q -o -f "$root/pom.xml" -DskipTests -pl lb-examples -am package >&2
  fi
fi
[ -f "$jar" ] || die "$jar is missing (LBKIT_BUILD=0?)"

setup_work
reap_stale
trap 'stop_all' EXIT INT TERM
start_backend l7prof-be1 "$P_BE1" "$LOAD_CPUS"
start_backend l7prof-be2 "$P_BE2" "$LOAD_CPUS"
# shellcheck disable=SC2086
start_bg l7prof-lbkit "$PROXY_CPUS" java -Xms64m -Xmx512m ${LBKIT_GC:--XX:+UseSerialGC -Xmn64m} ${JAVA_OPTS:-} \
  -jar "$jar" --listen "$HOST:$P_CAND" --backends "$HOST:$P_BE1,$HOST:$P_BE2" --mode http --threads 1 \
  --buffer-size "${LBKIT_BUFFER_SIZE:-65536}"
pid=${PID[l7prof-lbkit]}
wait_port "$HOST" "$P_CAND" 60 || { tail -20 "$WORK/log/l7prof-lbkit.log" >&2; die "lbkit did not listen"; }
check_http "http://$HOST:$P_CAND/$BODY" "$(stat -c %s "$WORK/www/$BODY")"

log "warm-up: wrk -c$C ${WARMUP}s"
taskset -c "$LOAD_CPUS" wrk -t1 -c"$C" -d"${WARMUP}s" "http://$HOST:$P_CAND/$BODY" >"$WORK/log/l7prof-warmup.txt" 2>&1
jfr=$RESULTS/lbkit.jfr
io_tid=""
for t in /proc/"$pid"/task/*; do
  [[ "$(cat "$t/comm" 2>/dev/null)" == lbkit-proxy-io* ]] && { io_tid=${t##*/}; break; }
done
[ -n "$io_tid" ] || die "no lbkit-proxy-io thread in $pid"
io_ticks() { awk '{sub(/^.*\) /,""); print $12, $13}' "/proc/$pid/task/$io_tid/stat"; }
jcmd "$pid" JFR.start name=l7prof settings=profile filename="$jfr" >/dev/null
t0=$(pg_cpu_ticks "$pid")
us0=$(io_ticks)
s0=$(cpu_snap)
log "measuring: wrk -c$C ${DURATION}s"
taskset -c "$LOAD_CPUS" wrk -t1 -c"$C" -d"${DURATION}s" --latency "http://$HOST:$P_CAND/$BODY" >"$RESULTS/wrk.txt" 2>&1
s1=$(cpu_snap)
t1=$(pg_cpu_ticks "$pid")
us1=$(io_ticks)
jcmd "$pid" JFR.stop name=l7prof >/dev/null
cat "$RESULTS/wrk.txt"

reqs=$(awk '/requests in/ {print $1}' "$RESULTS/wrk.txt")
rps=$(awk '/^Requests\/sec/ {print $2}' "$RESULTS/wrk.txt")
foreign=$(foreign_between "$s0" "$s1")
jfr print --json --events jdk.ThreadAllocationStatistics "$jfr" >"$RESULTS/alloc.json"
jfr print --json --events jdk.GarbageCollection "$jfr" >"$RESULTS/gc.json"
jfr print --stack-depth 64 --events jdk.ExecutionSample "$jfr" >"$RESULTS/samples.txt"

python3 - "$RESULTS" "$reqs" "$rps" "$t0" "$t1" "$CLK_TCK" "$foreign" "$TOP" "$us0" "$us1" <<'EOF'
import collections, json, re, sys
results, reqs, rps, t0, t1, hz, foreign, top, us0, us1 = sys.argv[1:]
reqs, t0, t1, hz, top = int(reqs), int(t0), int(t1), int(hz), int(top)
(u0, k0), (u1, k1) = [map(int, x.split()) for x in (us0, us1)]

def events(path):
    with open(path) as f:
        return json.load(f)["recording"]["events"]

alloc = collections.defaultdict(list)
for e in events(results + "/alloc.json"):
    v = e["values"]
    alloc[(v["thread"] or {}).get("javaName")].append((v["startTime"], v["allocated"]))
io = [n for n in alloc if n and n.startswith("lbkit-proxy-io-")]
io_bytes = sum(max(a for _, a in alloc[n]) - min(a for _, a in alloc[n]) for n in io)
gcs = [e["values"]["name"] for e in events(results + "/gc.json")]

print(f"# {reqs} requests, foreign CPU during the window {foreign} s, I/O threads {io}")
print(f"FIGURE l7prof.req_per_s {float(rps):.0f}")
print(f"FIGURE l7prof.cpu_us_per_req {(t1 - t0) / hz * 1e6 / reqs:.2f}")
print(f"FIGURE l7prof.io_user_us_per_req {(u1 - u0) / hz * 1e6 / reqs:.2f}")
print(f"FIGURE l7prof.io_sys_us_per_req {(k1 - k0) / hz * 1e6 / reqs:.2f}")
print(f"FIGURE l7prof.alloc_bytes_per_req {io_bytes / reqs:.0f}")
print(f"FIGURE l7prof.young_gcs {sum(1 for g in gcs if g in ('DefNew', 'Copy', 'ParallelScavenge', 'G1New'))}")

# execution samples of the I/O thread: self (top frame) and inclusive (any frame, once per sample)
self_c, incl_c, n = collections.Counter(), collections.Counter(), 0
text = open(results + "/samples.txt").read()
for block in text.split("jdk.ExecutionSample {")[1:]:
    if 'lbkit-proxy-io-' not in block:
        continue
    m = re.search(r"stackTrace = \[(.*?)\n\s*\]", block, re.S)
    if not m:
        continue
    frames = [re.sub(r"\s+line:.*$", "", l.strip()) for l in m.group(1).strip().splitlines()]
    frames = [f for f in frames if f and f != "..."]
    if not frames:
        continue
    n += 1
    self_c[frames[0]] += 1
    for f in set(frames):
        incl_c[f] += 1
print(f"# {n} execution samples of the I/O thread")
print("# self (top frame):")
for f, c in self_c.most_common(top):
    print(f"#   {100 * c / n:5.1f} %  {f}")
print("# inclusive, dev.lbkit methods:")
for f, c in [x for x in incl_c.most_common() if x[0].startswith("dev.lbkit")][:top]:
    print(f"#   {100 * c / n:5.1f} %  {f}")
EOF
