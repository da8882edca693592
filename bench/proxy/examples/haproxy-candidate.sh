#!/usr/bin/env bash
# A/A control for the PROXY_CMD hook: HAProxy itself, configured only from the LB_* variables the
# harness exports. Its ratio against the harness's own HAProxy shows the noise floor of a
# comparison (ideally 1.00):  PROXY_CMD=bench/proxy/examples/haproxy-candidate.sh bench/proxy/compare.sh
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.
set -euo pipefail
cfg=${WORK:-/tmp/lbbench}/candidate-haproxy-$LB_LISTEN_PORT.cfg
mkdir -p "$(dirname "$cfg")"
{
  echo "global"
  echo "  nbthread ${LB_THREADS:-1}"
  echo "  maxconn 10500"
  echo "  no strict-limits"
  echo "defaults"
  echo "  mode $LB_MODE"
  echo "  balance roundrobin"
  echo "  timeout connect 5s"
  echo "  timeout client 300s"
  echo "  timeout server 300s"
  if [ "$LB_MODE" = http ]; then echo "  option http-keep-alive"; echo "  timeout http-keep-alive 300s"; fi
  echo "frontend fe"
  echo "  bind $LB_LISTEN backlog 4096"
  echo "  default_backend be"
  echo "backend be"
  i=0
  for s in ${LB_BACKENDS//,/ }; do i=$((i + 1)); echo "  server s$i $s"; done
} >"$cfg"
exec haproxy -db -f "$cfg"
