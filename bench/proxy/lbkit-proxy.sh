#!/usr/bin/env bash
# The benchmark candidate (PROXY_CMD): lbkit's Layer 4 or Layer 7 proxy (LB_MODE tcp or http), dev.lbkit.examples.bench.ProxyBenchMain, started
# from the LB_* variables the harness exports (see README.md, "The candidate hook").
#   PROXY_CMD=bench/proxy/lbkit-proxy.sh CANDIDATE_MODE=tcp bench/proxy/compare.sh     (or just bench/proxy/l4.sh)
# Builds lb-examples/target/lbkit-proxy-bench.jar when it is missing (l4.sh builds it up front, so that the
# build does not eat into the harness's start timeout). JAVA_HOME selects the JDK; JAVA_OPTS adds JVM flags
# (e.g. -XX:StartFlightRecording=filename=/tmp/lbkit.jfr,settings=profile); LBKIT_GC replaces the collector
# and young-generation flags; LBKIT_BUFFER_SIZE sets the relay buffer; LBKIT_ARGS adds launcher arguments.
#
# Flags, and why (measurements in bench/RESULTS.md, "Choices"):
#   -Xms64m -Xmx512m   a small heap: the relay allocates ~4 bytes per request, so the heap only holds the
#                      connections (~1.4 KiB of objects each).
#   -XX:+UseSerialGC   no GC worker threads competing with the single I/O thread for its core; req/CPU-s the
#                      same as Parallel and G1 within noise, lowest RSS per idle connection (G1: +0.3-0.6 KiB).
#   -Xmn8m             a small young generation: nearly nothing dies young under load, and a default-sized one
#                      (~21 MiB) gets touched by connection set-up and stays resident (+1.4 KiB per idle
#                      connection at 9,000).
#   -XX:TrimNativeHeapInterval=1000 (experimental, JDK 17.0.9+, left out when the JVM lacks it): returns to
#                      the OS the malloc memory the JIT compilers freed (it stayed resident: +0.9 KiB per idle
#                      connection when connection set-up got compiled during the test); no req/CPU-s cost seen.
#   -XX:-UsePerfData   no hsperfdata file (also disables jstat; use jcmd).
#   --buffer-size 1 MiB (LBKIT_BUFFER_SIZE): single-stream bulk reaches 1.09x HAProxy's best (splice) instead
#                      of 0.69x with the dataplane's 64 KiB default; idle connections hold no buffer either way,
#                      but a back-pressured direction holds one of this size.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
jar=$root/lb-examples/target/lbkit-proxy-bench.jar
if [ ! -f "$jar" ]; then
  echo "lbkit-proxy.sh: building $jar" >&2
  mvn -B -q -f "$root/pom.xml" -DskipTests -pl lb-examples -am package >&2
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
trim=(-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000)
"$java" "${trim[@]}" -version >/dev/null 2>&1 || trim=()
# shellcheck disable=SC2086
exec "$java" -Xms64m -Xmx512m ${LBKIT_GC:--XX:+UseSerialGC -Xmn8m} "${trim[@]}" -XX:-UsePerfData ${JAVA_OPTS:-} \
  -jar "$jar" \
  --listen "${LB_LISTEN:?LB_LISTEN is not set (run me through the harness)}" \
  --backends "${LB_BACKENDS:?LB_BACKENDS is not set}" \
  --mode "${LB_MODE:-tcp}" --threads "${LB_THREADS:-1}" --buffer-size "${LBKIT_BUFFER_SIZE:-1048576}" ${LBKIT_ARGS:-}
