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

# JVM start-up matters when a killed node returns: until lb-ha runs it cannot remove the VIP its killed
# predecessor left. Two deployment measures cut it by ~40 % here (see docs/ha.md, "Start-up"):
# 1. jffi's native stub extracted once (otherwise JNR-FFI unpacks it from its jar at every start);
jffi_jar=$(tr ':' '\n' <"$LBK_WORK/deps.txt" | grep 'jffi-.*-native.jar' | head -1)
mkdir -p "$LBK_WORK/jffi"
unzip -o -q -j "$jffi_jar" "jni/$(uname -m | sed 's/aarch64/aarch64/')-Linux/*" -d "$LBK_WORK/jffi"
export LBK_HA_JFFI="$LBK_WORK/jffi"
# 2. an application class-data-sharing archive from a training run of the node in a throw-away namespace.
rm -f "$LBK_WORK/lb-ha.jsa"
ns=lbk-ha-cds-$$
ip netns add "$ns"
trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill -9; ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth1 up; ip -n "$ns" link set eth0 up; ip -n "$ns" addr add 10.79.0.1/24 dev eth0
LBK_HA_CDS_DUMP="$LBK_WORK/lb-ha.jsa" ip netns exec "$ns" "$HERE/lbkit-node.sh" --iface eth0 --vrid 51 \
  --priority 100 --vip 10.79.0.100/24 --advert 0.1 >"$LBK_WORK/cds-training.log" 2>&1 &
train=$!
sleep 3; kill -TERM "$train"; wait "$train" || true
ip netns del "$ns"; trap - EXIT
[ -s "$LBK_WORK/lb-ha.jsa" ] && export LBK_HA_CDS="$LBK_WORK/lb-ha.jsa" || echo "no CDS archive (see $LBK_WORK/cds-training.log)" >&2

# A JVM node needs a moment to start: the harness recommends SETTLE_S=5 for it.
export SETTLE_S=${SETTLE_S:-5}
echo "lbkit at $(cd "$ROOT" && git rev-parse --short HEAD), lbkit as node $ROLE, harness $HARNESS" >&2
export LBK_HA_CLASSPATH LBK_HA_JFFI LBK_HA_CDS
if [ "$ROLE" = 1 ]; then
  NODE1_CMD="$HERE/lbkit-node.sh" exec "$HARNESS/run.sh"
else
  NODE2_CMD="$HERE/lbkit-node.sh" exec "$HARNESS/run.sh"
fi
