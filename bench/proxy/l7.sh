#!/usr/bin/env bash
# l7.sh: lbkit's Layer 7 HTTP proxy against HAProxy `mode http` (nbthread 1, one core each), one command, the
# figures bench/RESULTS.md keeps.
#
#   bench/proxy/l7.sh                       # ~5 min on a quiet machine: 100 B and 16 KiB bodies, c=50 and c=400
#   RUNS=3 DURATION=10 bench/proxy/l7.sh    # the shared harness's defaults (longer)
#   LBKIT_BUILD=0 bench/proxy/l7.sh         # do not rebuild the launcher jar
#   JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/lbkit-l7.jfr,settings=profile' bench/proxy/l7.sh
#
# Runs compare.sh with CANDIDATE_MODE=http SECTIONS=http and lbkit-proxy.sh as PROXY_CMD (so the reference is
# haproxy-http-nt1: `mode http`, nbthread 1, pinned to the proxy cpu like lbkit's single I/O thread), prints its
# output, and ends with exactly these lines (lbkit / HAProxy for 100 B bodies at c=50; above 1 is better for
# req per CPU-second, below 1 is better for p99):
#   RATIO l7.req_per_cpu.vs_haproxy, RATIO l7.p99.vs_haproxy
# The relay buffer is 64 KiB (LBKIT_BUFFER_SIZE, the dataplane's default) rather than l4.sh's 1 MiB: an HTTP
# exchange may hold a buffer per direction and side while in flight. The young generation is 64 MiB (LBKIT_GC). Every other knob of README.md (RUNS,
# DURATION, CONNS, BODIES, ...) passes through. Traffic stays on 127.0.0.1. Exit status 1 when a figure is missing.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
jar=$root/lb-examples/target/lbkit-proxy-bench.jar

export RUNS=${RUNS:-2} DURATION=${DURATION:-8} WARMUP=${WARMUP:-2}
export CANDIDATE_WARMUP=${CANDIDATE_WARMUP:-20} CANDIDATE_THREADS=${CANDIDATE_THREADS:-1}
export CANDIDATE_MODE=http SECTIONS=${SECTIONS:-http} QUIET_TIMEOUT=${QUIET_TIMEOUT:-300}
export LBKIT_BUFFER_SIZE=${LBKIT_BUFFER_SIZE:-65536}
# a young generation of 64 MiB instead of lbkit-proxy.sh's 8 MiB: an HTTP exchange allocates ~2.4 KiB (heads,
# header values), so -Xmn8m meant a young collection every ~3,400 requests, each a pause of several ms on this
# loaded machine, inside the p99 (JFR, 100 B c=50: 36 pauses, 247 ms in 40 s)
export LBKIT_GC=${LBKIT_GC:--XX:+UseSerialGC -Xmn64m}
export PROXY_CMD=${PROXY_CMD:-$here/lbkit-proxy.sh}
export STAMP=${STAMP:-l7-$(date +%Y%m%d-%H%M%S)}
export RESULTS=${RESULTS:-${WORK:-/tmp/lbbench}/results/$STAMP}

if [ "${LBKIT_BUILD:-1}" = 1 ]; then
  # rebuild when the jar is missing or older than any source or pom it is made of
  if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root"/lb-api "$root"/lb-proxy "$root"/lb-examples \
        \( -name '*.java' -o -name pom.xml -o -path '*/resources/*' \) -newer "$jar" -not -path '*/target/*' \
        -print -quit 2>/dev/null)" ]; then
    echo "l7.sh: building $jar" >&2
    mvn -B -q -f "$root/pom.xml" -DskipTests -pl lb-examples -am package >&2
  fi
fi
[ -f "$jar" ] || { echo "l7.sh: $jar is missing (LBKIT_BUILD=0?)" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$here/compare.sh" | tee "$out"
{
  echo "lbkit: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "lbkit jar: $jar ($(date -r "$jar" -Is))"
} >>"$RESULTS/machine.txt" 2>/dev/null || true

echo
missing=0
for k in req_per_cpu p99; do
  line=$(grep -m1 "^RATIO l7\.$k\.vs_haproxy " "$out" || true)
  if [ -n "$line" ]; then echo "$line"; else echo "l7.sh: no figure for l7.$k (see $RESULTS)" >&2; missing=1; fi
done
exit "$missing"
