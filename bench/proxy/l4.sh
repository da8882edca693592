#!/usr/bin/env bash
# l4.sh: lbkit's Layer 4 proxy against HAProxy `mode tcp`, one command, the figures bench/RESULTS.md keeps.
#
#   bench/proxy/l4.sh                       # ~10 min on a quiet machine: http (100 B and 16 KiB, c=50 and c=400), bulk, idle
#   RUNS=3 DURATION=10 bench/proxy/l4.sh    # the shared harness's defaults (longer)
#   LBKIT_BUILD=0 bench/proxy/l4.sh         # do not rebuild the launcher jar
#
# Runs compare.sh with CANDIDATE_MODE=tcp SECTIONS="http bulk idle" and lbkit-proxy.sh as PROXY_CMD, prints its
# output, and ends with exactly these lines (values are lbkit / HAProxy; above 1 is better for the first two and
# bulk, below 1 is better for p99 and idle bytes):
#   RATIO l4.req_per_cpu.vs_haproxy, RATIO l4.req_per_s.vs_haproxy, RATIO l4.p99.vs_haproxy,
#   RATIO l4.bulk_gbps.vs_haproxy, RATIO l4.idle_bytes_per_conn.vs_haproxy
# Every other knob of README.md (RUNS, DURATION, CONNS, BODIES, BULK_BYTES, IDLE_N_TCP, ...) passes through.
# Traffic stays on 127.0.0.1. Exit status 1 when a figure is missing.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
jar=$root/lb-examples/target/lbkit-proxy-bench.jar

export RUNS=${RUNS:-2} DURATION=${DURATION:-8} WARMUP=${WARMUP:-2}
export CANDIDATE_WARMUP=${CANDIDATE_WARMUP:-20} CANDIDATE_THREADS=${CANDIDATE_THREADS:-1}
export CANDIDATE_MODE=tcp SECTIONS="http bulk idle" QUIET_TIMEOUT=${QUIET_TIMEOUT:-300}
export PROXY_CMD=${PROXY_CMD:-$here/lbkit-proxy.sh}
export STAMP=${STAMP:-l4-$(date +%Y%m%d-%H%M%S)}
export RESULTS=${RESULTS:-${WORK:-/tmp/lbbench}/results/$STAMP}

if [ "${LBKIT_BUILD:-1}" = 1 ]; then
  # rebuild when the jar is missing or older than any source or pom it is made of
  if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root"/lb-api "$root"/lb-proxy "$root"/lb-examples \
        \( -name '*.java' -o -name pom.xml -o -path '*/resources/*' \) -newer "$jar" -not -path '*/target/*' \
        -print -quit 2>/dev/null)" ]; then
    echo "l4.sh: building $jar" >&2
    mvn -B -q -f "$root/pom.xml" -DskipTests -pl lb-examples -am package >&2
  fi
fi
[ -f "$jar" ] || { echo "l4.sh: $jar is missing (LBKIT_BUILD=0?)" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$here/compare.sh" | tee "$out"
{
  echo "lbkit: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "lbkit jar: $jar ($(date -r "$jar" -Is))"
} >>"$RESULTS/machine.txt" 2>/dev/null || true

echo
missing=0
for k in req_per_cpu req_per_s p99 bulk_gbps idle_bytes_per_conn; do
  line=$(grep -m1 "^RATIO l4\.$k\.vs_haproxy " "$out" || true)
  if [ -n "$line" ]; then echo "$line"; else echo "l4.sh: no figure for l4.$k (see $RESULTS)" >&2; missing=1; fi
done
exit "$missing"
