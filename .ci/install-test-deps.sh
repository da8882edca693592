#!/usr/bin/env bash
# Installs the Debian packages the tests use as real peers. Idempotent: does nothing when all are present.
set -euo pipefail

# haproxy: L4/L7 proxy peer; curl: HTTP client; nginx: real HTTP backend; keepalived: VRRP peer (lb-ha);
# wrk: load in benchmarks; tcpdump: observing GARP/adverts on test bridges; socat: servers in lb-health's
# namespace tests; nftables: firewall rules (drop, reset) in those namespaces.
packages=(haproxy curl nginx keepalived wrk tcpdump socat nftables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi
# HAProxy is used as a peer process started by the tests themselves, never as a system service.
# Debian starts these as services on install; the tests start their own instances, so stop the services.
for svc in haproxy nginx keepalived; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
  if [ -f "/run/$svc.pid" ] && kill -0 "$(cat "/run/$svc.pid")" 2>/dev/null; then
    kill "$(cat "/run/$svc.pid")" 2>/dev/null || true
  fi
done

# lb-ipvs's integration tests run inside a qemu VM with a kernel that has IPVS (../shared/ipvs-vm/README.md).
# --setup is idempotent: it installs and caches the kernel once, then only boots a self-test (~3 s).
ipvs_vm="$(dirname "$0")/../../shared/ipvs-vm/run-in-ipvs-vm.sh"
if [ -x "$ipvs_vm" ]; then
  "$ipvs_vm" --setup >/dev/null
fi
