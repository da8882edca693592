#!/usr/bin/env bash
# compare.sh: "candidate vs HAProxy" in one command, measured in the same run against the same
# backends, with the rounds interleaved. Prints one RATIO line per case and a geometric mean.
#
#   PROXY_CMD=bench/proxy/lbkit-proxy.sh CANDIDATE_MODE=tcp bench/proxy/compare.sh   (bench/proxy/l4.sh does this)
#   CANDIDATE_MODE=tcp ...        # compare with HAProxy mode tcp instead of mode http
#   CANDIDATE_THREADS=2 ...       # compare with HAProxy nbthread 2 (both on cpus 0,1)
#   SECTIONS="http bulk idle" ... # add bulk throughput and idle-connection memory
# Ratios are candidate / HAProxy: above 1 is better for req/s, Gbit/s and req/CPU-s,
# below 1 is better for p99 latency and bytes per idle connection.
# Copied from the shared proxy harness (../shared/bench, 2026-11) so that it runs from a clean clone.
set -euo pipefail
BENCH_DIR=$(dirname "$(readlink -f "$0")")
[ -n "${PROXY_CMD:-}" ] || { echo "set PROXY_CMD (see README.md)" >&2; exit 2; }
export CANDIDATE_MODE=${CANDIDATE_MODE:-http} CANDIDATE_THREADS=${CANDIDATE_THREADS:-1}
if [ "$CANDIDATE_MODE" = tcp ]; then REF=haproxy-tcp
elif [ "$CANDIDATE_THREADS" -gt 1 ]; then REF=haproxy-http-nt2
else REF=haproxy-http-nt1; fi
export TARGETS="$REF candidate"
PFX=l7; [ "$CANDIDATE_MODE" = tcp ] && PFX=l4
export SECTIONS=${SECTIONS:-http}
export BULK_TARGETS="haproxy-tcp haproxy-tcp-splice candidate"
export IDLE_TARGETS="haproxy-$CANDIDATE_MODE candidate"
export STAMP=${STAMP:-compare-$(date +%Y%m%d-%H%M%S)}
export RESULTS=${RESULTS:-${WORK:-/tmp/lbbench}/results/$STAMP}
"$BENCH_DIR/run.sh" >/dev/null

echo
echo "candidate vs $REF  (median of ${RUNS:-3} runs each; results in $RESULTS)"
AWK_LIB='
function sortn(a, m,   i, j, x) { for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j+1] = a[j]; j-- } a[j+1] = x } }
function med(a, m) { return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2 }
function mkmed(key, arr, cnt,   i, t) { for (i = 1; i <= cnt[key]; i++) t[i] = arr[key, i]; sortn(t, cnt[key]); return med(t, cnt[key]) }
'
if [ -s "$RESULTS/http.tsv" ]; then
  awk -F'\t' -v ref="$REF" -v pfx="$PFX" "$AWK_LIB"'
    NR == 1 { next }
    { blk = "body=" $2 " c=" $3; k = blk SUBSEP $1
      if (!(blk in seen)) { seen[blk] = 1; blocks[++nb] = blk }
      m = ++n[k]; rps[k, m] = $5; p99[k, m] = $7; eff[k, m] = ($11 > 0) ? $8 / $11 : 0 }
    END { lg = 0; cnt = 0
      for (b = 1; b <= nb; b++) { kc = blocks[b] SUBSEP "candidate"; kr = blocks[b] SUBSEP ref
        rc = mkmed(kc, rps, n); rr = mkmed(kr, rps, n); pc = mkmed(kc, p99, n); pr = mkmed(kr, p99, n)
        ec = mkmed(kc, eff, n); er = mkmed(kr, eff, n)
        printf "RATIO http %-16s req/s %.2f (%.0f vs %.0f)  p99 %.2f (%.3f vs %.3f ms)  req/CPU-s %s\n", blocks[b], rc / rr, rc, rr, pc / pr, pc, pr, (er > 0) ? sprintf("%.2f", ec / er) : "n/a"
        if (blocks[b] == "body=100b c=50") { std = std sprintf("RATIO %s.req_per_cpu.vs_haproxy %.3f\nRATIO %s.req_per_s.vs_haproxy %.3f\nRATIO %s.p99.vs_haproxy %.3f\n", pfx, (er > 0) ? ec / er : 0, pfx, rc / rr, pfx, pc / pr) }
        lg += log(rc / rr); cnt++ }
      printf "%s", std
      if (cnt) printf "RATIO http geomean req/s %.2f\n", exp(lg / cnt) }' "$RESULTS/http.tsv"
fi
if [ -s "$RESULTS/bulk.tsv" ]; then
  awk -F'\t' "$AWK_LIB"'NR > 1 { m = ++n[$1]; g[$1, m] = $3 }
    END { c = mkmed("candidate", g, n); r = mkmed("haproxy-tcp", g, n)   # reference: the better HAProxy variant
          if (n["haproxy-tcp-splice"] > 0) { rs = mkmed("haproxy-tcp-splice", g, n); if (rs > r) r = rs }
          printf "RATIO bulk Gbit/s %.2f (%.2f vs %.2f)\nRATIO l4.bulk_gbps.vs_haproxy %.3f\n", c / r, c, r, c / r }' "$RESULTS/bulk.tsv"
fi
if [ -s "$RESULTS/idle.tsv" ]; then
  awk -F'\t' -v ref="haproxy-$CANDIDATE_MODE" -v pfx="$PFX" "$AWK_LIB"'NR > 1 { m = ++n[$1]; p[$1, m] = $8 }
    END { c = mkmed("candidate", p, n); r = mkmed(ref, p, n)
          printf "RATIO idle bytes/conn %.2f (%.0f vs %.0f)\nRATIO %s.idle_bytes_per_conn.vs_haproxy %.3f\n", (r > 0) ? c / r : 0, c, r, pfx, (r > 0) ? c / r : 0 }' "$RESULTS/idle.tsv"
fi
