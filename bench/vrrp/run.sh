#!/usr/bin/env bash
# lb-ha's failover measured against keepalived 2.2 in the same run, on the shared VRRP harness
# (../shared/bench/vrrp, see its README): lbkit replaces one node of the keepalived pair through the
# harness's NODE1_CMD / NODE2_CMD hook, and the harness interleaves the keepalived pair and the lbkit pair.
#
#   bench/vrrp/run.sh               # lbkit as node 2 (the backup that takes over): RATIO lines (~10 min)
#   ROLE=1 bench/vrrp/run.sh        # lbkit as node 1 (dies / stops with priority 0 / returns and preempts)
#
# Every knob of the harness (RUNS, ADVERTS, MODES, TRANSPORT, FAIL_PHASE, ...) passes through. Root is needed
# (network namespaces vb-*, created and deleted by the harness).
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ROOT=$(readlink -f "$HERE/../..")
HARNESS=${HARNESS:-$(readlink -f "$ROOT/../shared/bench/vrrp")}
ROLE=${ROLE:-2}
LBK_WORK=${LBK_WORK:-/tmp/lbk-ha-bench}
mkdir -p "$LBK_WORK"

# Build lb-ha and the modules it needs, then a classpath of their jars and the third-party jars.
(cd "$ROOT" && mvn -B -q -o -pl lb-ha -am package -DskipTests -Dipvs.vm.skip=true)
(cd "$ROOT" && mvn -B -q -o -pl lb-ha dependency:build-classpath -Dmdep.includeScope=test \
   -Dmdep.outputFile="$LBK_WORK/deps.txt" >/dev/null)
thirdparty=$(tr ':' '\n' <"$LBK_WORK/deps.txt" | grep -v '/dev/lbkit/' | paste -sd: -)
echo "$ROOT/lb-ha/target/lb-ha-0.1.0-SNAPSHOT.jar:$ROOT/lb-netlink/target/lb-netlink-0.1.0-SNAPSHOT.jar:$ROOT/lb-api/target/lb-api-0.1.0-SNAPSHOT.jar:$thirdparty" \
  >"$LBK_WORK/classpath.txt"
export LBK_HA_CLASSPATH="$LBK_WORK/classpath.txt"

# A JVM node needs a moment to start: the harness recommends SETTLE_S=5 for it.
export SETTLE_S=${SETTLE_S:-5}
echo "lbkit at $(cd "$ROOT" && git rev-parse --short HEAD), lbkit as node $ROLE, harness $HARNESS" >&2
if [ "$ROLE" = 1 ]; then
  NODE1_CMD="$HERE/lbkit-node.sh" exec "$HARNESS/run.sh"
else
  NODE2_CMD="$HERE/lbkit-node.sh" exec "$HARNESS/run.sh"
fi
