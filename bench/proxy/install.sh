#!/usr/bin/env bash
# Idempotently installs what the benchmark harness needs, from Debian's packages only.
# Safe to run again: it does nothing when every tool is already present.
# Packaged daemons (haproxy, nginx) are NOT left running: if the machine has no
# policy-rc.d that forbids service starts, one is put in place for the duration of the
# install and removed afterwards. The harness always starts its own instances.
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have haproxy  || need+=(haproxy)
have nginx    || need+=(nginx-light)
have wrk      || need+=(wrk)
have iperf3   || need+=(iperf3)
have socat    || need+=(socat)
have jq       || need+=(jq)
have curl     || need+=(curl)
have taskset  || need+=(util-linux)
have ss       || need+=(iproute2)
have h2load   || need+=(nghttp2-client)      # optional, for later HTTP/2 work
have ab       || need+=(apache2-utils)       # optional, connection-per-request checks
have java     || need+=(openjdk-17-jdk-headless)

if [ ${#need[@]} -eq 0 ]; then
  echo "install.sh: all tools present"
  exit 0
fi

echo "install.sh: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
added_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  added_policy=1
fi
cleanup() { [ "$added_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d || true; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install.sh: done"
