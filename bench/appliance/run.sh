#!/usr/bin/env bash
# The appliance as firmware: disk size of the jlink image, start time to the first request served through a
# VIP, idle RSS; the same start and RSS for HAProxy with the equivalent configuration, in the same run.
#
#   RUNS=5 bench/appliance/run.sh
#
# Needs: lb-examples/target/lbkit-appliance.jar (mvn -B -q -DskipTests package), haproxy, curl, python3.
# Traffic: 127.0.0.1 only. Prints FIGURE and RATIO lines (copied to bench/RESULTS.md, section "Appliance").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-5}
idle=${IDLE_SECONDS:-10}
image=$root/lb-examples/target/lbkit-appliance-image
work=$(mktemp -d /tmp/lbk-examples-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

bash "$root/lb-examples/src/main/jlink/build-image.sh" "$image" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
backend=$(free_port)
mkdir -p "$work/www" && echo ok > "$work/www/index.html"
python3 -m http.server "$backend" --bind 127.0.0.1 --directory "$work/www" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$backend/" && break; sleep 0.05; done

# Starts "$@" in the background, polls the VIP every 5 ms (bounded: 30 s), prints milliseconds to the first
# 200, then waits $idle s and prints the RSS (KiB) of the process, then stops it.
measure() {
    local vip=$1; shift
    local t0 t1 pid rss
    t0=$(date +%s%N)
    "$@" > "$work/run.log" 2>&1 &
    pid=$!
    pids+=($pid)
    for _ in $(seq 1 6000); do
        curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$vip/" && break
        sleep 0.005
    done
    t1=$(date +%s%N)
    curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$vip/" || { echo "no answer on $vip:"; cat "$work/run.log"; exit 1; }
    sleep "$idle"
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"; wait "$pid" 2> /dev/null || true
    echo "$(( (t1 - t0) / 1000000 )) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

vip=$(free_port)
cat > "$work/lbkit.yaml" <<YAML
admin:
  listen: 127.0.0.1:0
virtualServers:
  web:
    vip: 127.0.0.1:$vip/tcp
    forwardingMethod: proxy
    healthCheck: {type: http, path: /, interval: 2s, timeout: 1s}
    realServers:
      a: {address: 127.0.0.1, port: $backend}
YAML
cat > "$work/haproxy.cfg" <<CFG
global
    maxconn 1024
defaults
    mode tcp
    timeout connect 5s
    timeout client 300s
    timeout server 300s
frontend web
    bind 127.0.0.1:$vip
    default_backend web
backend web
    server a 127.0.0.1:$backend check inter 2s
CFG

# First start ever: generates the REST API's certificate (after the VIP is up) — measured once.
first=$(measure "$vip" "$image/bin/lbkit-appliance" --config "$work/lbkit.yaml")
: > "$work/image.txt"; : > "$work/jar.txt"; : > "$work/haproxy.txt"
for _ in $(seq 1 "$runs"); do
    measure "$vip" "$image/bin/lbkit-appliance" --config "$work/lbkit.yaml" >> "$work/image.txt"
    measure "$vip" java -jar "$root/lb-examples/target/lbkit-appliance.jar" --config "$work/lbkit.yaml" >> "$work/jar.txt"
    measure "$vip" haproxy -db -f "$work/haproxy.cfg" >> "$work/haproxy.txt"
done

size_kib=$(du -sk --apparent-size "$image" | cut -f1)
jar_kib=$(du -sk --apparent-size "$root/lb-examples/target/lbkit-appliance.jar" | cut -f1)
img_start=$(cut -d' ' -f1 "$work/image.txt" | median)
img_rss=$(cut -d' ' -f2 "$work/image.txt" | median)
jar_start=$(cut -d' ' -f1 "$work/jar.txt" | median)
jar_rss=$(cut -d' ' -f2 "$work/jar.txt" | median)
ha_start=$(cut -d' ' -f1 "$work/haproxy.txt" | median)
ha_rss=$(cut -d' ' -f2 "$work/haproxy.txt" | median)
echo "runs=$runs idle=${idle}s java=$("$image/bin/java" -version 2>&1 | head -1 | tr -d '"')"
echo "image start ms / rss KiB per run: $(tr '\n' ';' < "$work/image.txt")"
echo "java -jar start ms / rss KiB per run: $(tr '\n' ';' < "$work/jar.txt")"
echo "haproxy start ms / rss KiB per run: $(tr '\n' ';' < "$work/haproxy.txt")"
echo "FIGURE appliance.image_mib $(awk "BEGIN {printf \"%.1f\", $size_kib / 1024}")"
echo "FIGURE appliance.jar_mib $(awk "BEGIN {printf \"%.1f\", $jar_kib / 1024}")"
echo "FIGURE appliance.first_start_to_first_request_ms $(echo "$first" | cut -d' ' -f1)"
echo "FIGURE appliance.start_to_first_request_ms $img_start"
echo "FIGURE appliance.idle_rss_mib $(awk "BEGIN {printf \"%.1f\", $img_rss / 1024}")"
echo "FIGURE appliance.java_jar.start_to_first_request_ms $jar_start"
echo "FIGURE appliance.java_jar.idle_rss_mib $(awk "BEGIN {printf \"%.1f\", $jar_rss / 1024}")"
echo "FIGURE haproxy.start_to_first_request_ms $ha_start"
echo "FIGURE haproxy.idle_rss_mib $(awk "BEGIN {printf \"%.1f\", $ha_rss / 1024}")"
echo "RATIO appliance.start.vs_haproxy $(awk "BEGIN {printf \"%.2f\", $img_start / $ha_start}")"
echo "RATIO appliance.idle_rss.vs_haproxy $(awk "BEGIN {printf \"%.2f\", $img_rss / $ha_rss}")"
