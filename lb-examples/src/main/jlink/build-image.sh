#!/usr/bin/env bash
# Builds a self-contained runtime image of the lbkit appliance for firmware: a jlink'ed JDK with only the
# modules the appliance uses, the shaded lbkit-appliance.jar, a class-data-sharing archive of the JDK and of
# the appliance's own classes, and a launcher with the memory settings of an appliance.
#
#   lb-examples/src/main/jlink/build-image.sh [OUTPUT_DIR]      (default lb-examples/target/lbkit-appliance-image)
#
# Needs: JDK 17+ (jlink, java) on PATH or in JAVA_HOME; lb-examples/target/lbkit-appliance.jar
# (mvn -B -q -DskipTests package). Run it as a user who may bind 127.0.0.1 ports (the CDS training run
# starts the appliance on loopback for a moment).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/../../.." && pwd)
jar="$module/target/lbkit-appliance.jar"
out=${1:-$module/target/lbkit-appliance-image}
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
[[ -f $jar ]] || { echo "build-image: $jar is missing: run mvn -B -q -DskipTests package first" >&2; exit 1; }

# jdeps finds java.base, java.logging, java.management, jdk.httpserver, jdk.unsupported; add EC keys for TLS
# and the self-signed certificate (jdk.crypto.ec) and the local JMX agent for jconsole (jdk.management.agent).
modules="java.base,java.logging,java.management,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.management.agent"
rm -rf "$out"
"$jdk/bin/jlink" --add-modules "$modules" --output "$out" --strip-debug --no-header-files --no-man-pages \
    --compress=2 --generate-cds-archive
# The heap is far below 32 GiB, so compressed oops are always on: the archive without them is dead weight.
rm -f "$out/lib/server/classes_nocoops.jsa"
# Distribution JDKs ship native libraries with symbol tables; an appliance needs none of them.
if command -v objcopy > /dev/null; then
    for so in "$out"/lib/server/libjvm.so "$out"/lib/*.so; do
        objcopy --strip-unneeded "$so" "$so.stripped" && mv "$so.stripped" "$so"
    done
fi
mkdir -p "$out/lib/app"
cp "$jar" "$out/lib/app/lbkit-appliance.jar"

cat > "$out/bin/lbkit-appliance" <<'LAUNCHER'
#!/bin/sh
# lbkit appliance launcher: small heap and serial GC (an appliance manages a few thousand objects), C1 only
# (fast start, small code cache), and the appliance's class-data-sharing archive. JAVA_OPTS adds or overrides.
dir=$(cd "$(dirname "$0")/.." && pwd)
cds=""
[ -f "$dir/lib/app/lbkit-appliance.jsa" ] && cds="-XX:SharedArchiveFile=$dir/lib/app/lbkit-appliance.jsa"
exec "$dir/bin/java" -XX:+UseSerialGC -Xms16m -Xmx64m -Xss512k -XX:TieredStopAtLevel=1 \
    -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData -XX:TrimNativeHeapInterval=5000 \
    $cds $JAVA_OPTS -jar "$dir/lib/app/lbkit-appliance.jar" "$@"
LAUNCHER
chmod +x "$out/bin/lbkit-appliance"

# Training run for the dynamic CDS archive: --check loads the configuration path, a short start the rest.
train=$(mktemp -d /tmp/lbk-examples-cds.XXXXXX)
trap 'rm -rf "$train"' EXIT
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$train/lbkit.yaml" <<YAML
admin:
  listen: 127.0.0.1:0
virtualServers:
  train:
    vip: 127.0.0.1:$port/tcp
    forwardingMethod: proxy
    healthCheck: {type: http, path: /, interval: 1s, timeout: 500ms}
    realServers:
      a: {address: 127.0.0.1, port: 9}
YAML
JAVA_OPTS="-XX:ArchiveClassesAtExit=$out/lib/app/lbkit-appliance.jsa" "$out/bin/lbkit-appliance" \
    --config "$train/lbkit.yaml" > "$train/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q 'SIGHUP reloads it' "$train/out.log" && break; sleep 0.1; done
sleep 2
kill -TERM "$pid"; wait "$pid" || true
[[ -f $out/lib/app/lbkit-appliance.jsa ]] || { echo "build-image: no CDS archive written" >&2; cat "$train/out.log" >&2; }
echo "build-image: $out ($(du -sh "$out" | cut -f1)); start with $out/bin/lbkit-appliance --config FILE"
