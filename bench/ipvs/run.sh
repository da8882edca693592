#!/usr/bin/env bash
# lbkit's IPVS reconcile versus ipvsadm-restore / ipvsadm -e on a real kernel, inside the qemu VM of
# ../shared/ipvs-vm (the build machine's kernel has no IPVS). Builds what it needs on the host first.
#
#   bench/ipvs/run.sh                      # 1,000 x 10 (3 rounds) and the 10,000 x 5 scale run
#   bench/ipvs/run.sh --repeat 5 --scale-services 0
#   MVN_ARGS= bench/ipvs/run.sh            # mvn online (default: -o, offline)
#
# The output ends with: RATIO ipvs.full_apply.speedup_vs_ipvsadm_restore <ipvsadm-restore time / lbkit time>
# The VM is emulated (TCG): absolute times are ~10x those of real hardware; compare ratios only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RUNNER=${IPVS_VM_RUNNER:-$ROOT/../shared/ipvs-vm/run-in-ipvs-vm.sh}
if [[ ! -x $RUNNER ]]; then
  echo "bench/ipvs: the VM harness is missing: $RUNNER (set IPVS_VM_RUNNER)" >&2
  exit 2
fi
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS--o} -pl lb-ipvs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
# A private copy of the classes: a build running beside must not change them under the VM's feet.
RUN=$ROOT/lb-ipvs/target/bench-ipvs
rm -rf "$RUN" && mkdir -p "$RUN"
CP=""
for d in lb-ipvs/target/test-classes lb-ipvs/target/classes lb-api/target/classes lb-netlink/target/classes; do
  mkdir -p "$RUN/$d" && cp -r "$d/." "$RUN/$d/"
  CP="$CP$RUN/$d:"
done
# the reactor modules are taken from the copies above; the rest of the class path are jars in ~/.m2
CP="$CP$(tr ':' '\n' < lb-ipvs/target/bench.classpath | grep -v '/target/classes$' | paste -sd: -)"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
exec "$RUNNER" -m 2048 -t 1800 "$JAVA" -XX:+UseSerialGC -Xms512m -Xmx1g -cp "$CP" dev.lbkit.ipvs.IpvsBench "$@"
